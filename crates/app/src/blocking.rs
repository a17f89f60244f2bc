//! Blocking points (堵点、卡点): appeals and the difficulties found on visits, counted by
//! category, chain, node, region or month — how many, how many still open, how long the
//! closed ones took in working days, how many went past a deadline, how satisfied the
//! enterprises were — and similar appeals grouped so that one fix can serve a class
//! ("resolve one, fix a class"). Staff only (the pages and the API check the role):
//! appeals name enterprises and their troubles.

use std::collections::{BTreeMap, HashMap};

use chainatlas_model::services::{Appeal, AppealCategory, AppealState};
use chainatlas_model::{text, Date, Explain, Lang, RegionCode, Text};
use chainatlas_store::{AppealFilter, Store};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::diagnostics::Lookup;
use crate::AppError;

/// What blocking points are counted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum By {
    Category,
    Chain,
    Node,
    Region,
    Month,
}

impl By {
    pub const ALL: [By; 5] = [By::Category, By::Chain, By::Node, By::Region, By::Month];

    pub fn as_str(self) -> &'static str {
        match self {
            By::Category => "category",
            By::Chain => "chain",
            By::Node => "node",
            By::Region => "region",
            By::Month => "month",
        }
    }

    fn parse(raw: &str) -> Result<By, AppError> {
        By::ALL
            .into_iter()
            .find(|b| b.as_str() == raw)
            .ok_or_else(|| {
                AppError::parameter(text!(
                    "by：“{raw}”不是 category、chain、node、region、month 之一",
                    "by: '{raw}' is not one of category, chain, node, region, month"
                ))
            })
    }
}

/// The most appeals grouped into classes of similar ones (the latest in the period).
pub const MAX_CLUSTERED: usize = 5_000;
/// Two appeals are alike when they share at least two words of their titles and this
/// share of the shorter title's words (the overlap coefficient of the analyzer's words):
/// a short title and a longer one saying the same plus detail are alike.
pub const SIMILAR: f64 = 0.6;
/// Words in more appeals than this are too common to tell classes apart.
const COMMON_WORD: usize = 200;

/// One row of the table: a category, chain, node, region or month.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct BlockingRow {
    /// The category or month as written, or the chain code, node id or region code.
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    pub appeals: u32,
    /// Not closed or declined yet.
    pub open: u32,
    pub closed: u32,
    pub declined: u32,
    /// Past a deadline without what it asks for, or closed after it.
    pub overdue: u32,
    /// `overdue / appeals`; null without appeals.
    pub overdue_share: Option<f64>,
    /// Working days from acceptance to closing, the median of the closed ones.
    pub median_days_to_resolve: Option<f64>,
    /// Mean rating (1–5) of the rated ones.
    pub satisfaction: Option<f64>,
    pub rated: u32,
    /// Difficulties of this kind found on visits (by category, region and month only:
    /// a visit is to an enterprise, not to a node).
    pub found_on_visits: u32,
}

/// Similar appeals: one fix may serve them all.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ClusterDto {
    pub category: String,
    /// The words most of them share.
    pub words: Vec<String>,
    /// Appeals in the class, and how many of them are open.
    pub size: u32,
    pub open: u32,
    /// The latest 20 of them.
    pub appeals: Vec<ClusterAppeal>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ClusterAppeal {
    pub id: i64,
    pub title: String,
    pub state: String,
    pub enterprise_id: i64,
}

/// The blocking points of a period.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BlockingReport {
    /// category, chain, node, region or month.
    pub by: String,
    pub from: String,
    pub to: String,
    pub total: BlockingRow,
    /// Most open first, then most appeals.
    pub rows: Vec<BlockingRow>,
    /// Classes of two or more similar appeals, largest first (at most 20).
    pub clusters: Vec<ClusterDto>,
}

/// The query, as sent.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct BlockingQuery {
    pub by: Option<String>,
    pub region: Option<String>,
    /// A chain code.
    pub chain: Option<String>,
    pub category: Option<String>,
    /// First and last day (default: the 12 months up to today).
    pub from: Option<String>,
    pub to: Option<String>,
    /// `xlsx`: the table as a workbook.
    pub format: Option<String>,
}

/// What a report is of, read from a query.
pub struct Scope {
    pub by: By,
    pub region: Option<RegionCode>,
    pub chain: Option<chainatlas_model::Chain>,
    pub category: Option<AppealCategory>,
    pub from: Date,
    pub to: Date,
}

impl Scope {
    /// What tells one scope from another, for caches.
    pub fn key(&self) -> String {
        format!(
            "{}|{:?}|{:?}|{:?}|{}|{}",
            self.by.as_str(),
            self.region,
            self.chain.as_ref().map(|c| c.id),
            self.category,
            self.from,
            self.to
        )
    }
}

impl BlockingQuery {
    pub fn scope(&self, store: &Store, today: Date) -> Result<Scope, AppError> {
        let blank = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let by = match blank(&self.by) {
            None => By::Category,
            Some(b) => By::parse(&b)?,
        };
        let region = crate::view::parse_region_text(self.region.as_deref())?;
        if let Some(code) = region {
            crate::view::known_region(store, code)?;
        }
        let chain = blank(&self.chain)
            .map(|c| crate::view::chain(store, &c))
            .transpose()?;
        let category = blank(&self.category)
            .map(|c| {
                c.parse::<AppealCategory>()
                    .map_err(|e| AppError::parameter(e.explain().after(&Text::same("category"))))
            })
            .transpose()?;
        let to = match blank(&self.to) {
            Some(d) => crate::services::parse_day("to", &d)?,
            None => today,
        };
        let from = match blank(&self.from) {
            Some(d) => crate::services::parse_day("from", &d)?,
            None => to.add_days(-364),
        };
        if from > to {
            return Err(AppError::parameter(text!(
                "from（{from}）晚于 to（{to}）",
                "from ({from}) is after to ({to})"
            )));
        }
        Ok(Scope {
            by,
            region,
            chain,
            category,
            from,
            to,
        })
    }
}

#[derive(Default)]
struct Tally {
    row: BlockingRow,
    days: Vec<u32>,
    ratings: u32,
}

impl Tally {
    fn add(&mut self, a: &Appeal, today: Date, days: Option<u32>) {
        let r = &mut self.row;
        r.appeals += 1;
        match a.state {
            AppealState::Closed => r.closed += 1,
            AppealState::Declined => r.declined += 1,
            _ => r.open += 1,
        }
        if a.overdue(today) {
            r.overdue += 1;
        }
        if let Some(s) = a.satisfaction {
            r.rated += 1;
            self.ratings += u32::from(s);
        }
        self.days.extend(days);
    }

    fn finish(mut self, key: String, name: Text) -> BlockingRow {
        let r = &mut self.row;
        r.key = key;
        r.name_zh = name.zh;
        r.name_en = name.en;
        r.overdue_share = (r.appeals > 0).then(|| f64::from(r.overdue) / f64::from(r.appeals));
        r.satisfaction = (r.rated > 0).then(|| f64::from(self.ratings) / f64::from(r.rated));
        self.days.sort_unstable();
        let n = self.days.len();
        r.median_days_to_resolve = match n {
            0 => None,
            _ if n % 2 == 1 => Some(f64::from(self.days[n / 2])),
            _ => Some(f64::from(self.days[n / 2 - 1] + self.days[n / 2]) / 2.0),
        };
        self.row
    }
}

/// The blocking points within `scope`, counted on `today` (overdue is as of that day),
/// for whoever may read them (staff, checked by the caller; the local operator's
/// `chainatlas appeals report`). The web app keeps them per generation
/// (`Caches::blocking`).
pub fn compute(store: &Store, scope: &Scope, today: Date) -> Result<BlockingReport, AppError> {
    let calendar = crate::services::calendar(store)?;
    let regions = scope.region.map(|c| {
        let r = c.descendants();
        (*r.start(), *r.end())
    });
    let filter = AppealFilter {
        category: scope.category,
        chain: scope.chain.as_ref().map(|c| c.id),
        regions,
        since: Some(crate::clock::china_midnight(scope.from)),
        until: Some(crate::clock::china_midnight(scope.to.add_days(1))),
        ..AppealFilter::default()
    };
    let lookup = Lookup::load(store)?;
    let chains: HashMap<i64, chainatlas_model::Chain> =
        store.chains()?.into_iter().map(|c| (c.id.0, c)).collect();
    let mut total = Tally::default();
    let mut groups: BTreeMap<String, (Text, Tally)> = BTreeMap::new();
    let mut recent: Vec<Appeal> = Vec::new();
    let key_of = |a: &Appeal, region: u32| -> Option<(String, Text)> {
        match scope.by {
            By::Category => Some((
                a.category.to_string(),
                Text::new(a.category.name(Lang::Zh), a.category.name(Lang::En)),
            )),
            By::Chain => a.chain.map(|c| match chains.get(&c.0) {
                Some(chain) => (
                    chain.code.clone(),
                    Text::new(&chain.name_zh, &chain.name_en),
                ),
                None => (c.0.to_string(), Text::same(c.0.to_string())),
            }),
            By::Node => a.node.map(|n| {
                let node = lookup.node(n);
                (n.0.to_string(), Text::new(node.name_zh, node.name_en))
            }),
            By::Region => region_key(&lookup, region),
            By::Month => {
                let d = crate::clock::china_date(a.submitted_at);
                let m = format!("{}-{:02}", d.year(), d.month());
                Some((m.clone(), Text::same(m)))
            }
        }
    };
    store.for_each_appeal(&filter, |a, region| {
        let days = match (a.state, a.accepted_on, a.closed_on) {
            (AppealState::Closed, Some(from), Some(to)) => {
                Some(calendar.working_days_between(from, to))
            }
            _ => None,
        };
        total.add(&a, today, days);
        if let Some((key, name)) = key_of(&a, region) {
            groups
                .entry(key)
                .or_insert_with(|| (name, Tally::default()))
                .1
                .add(&a, today, days);
        }
        recent.push(a);
        if recent.len() > 2 * MAX_CLUSTERED {
            recent.drain(..MAX_CLUSTERED);
        }
        true
    })?;
    // Visits count by category, region and month; a chain or node filter leaves them out.
    if scope.chain.is_none() && !matches!(scope.by, By::Chain | By::Node) {
        for (category, region, day) in
            store.visit_findings(regions, Some(scope.from), Some(scope.to))?
        {
            if scope.category.is_some_and(|c| c != category) {
                continue;
            }
            total.row.found_on_visits += 1;
            let key = match scope.by {
                By::Category => Some((
                    category.to_string(),
                    Text::new(category.name(Lang::Zh), category.name(Lang::En)),
                )),
                By::Region => region_key(&lookup, region),
                By::Month => {
                    let m = format!("{}-{:02}", day.year(), day.month());
                    Some((m.clone(), Text::same(m)))
                }
                By::Chain | By::Node => None,
            };
            if let Some((key, name)) = key {
                groups
                    .entry(key)
                    .or_insert_with(|| (name, Tally::default()))
                    .1
                    .row
                    .found_on_visits += 1;
            }
        }
    }
    let mut rows: Vec<BlockingRow> = groups
        .into_iter()
        .map(|(key, (name, tally))| tally.finish(key, name))
        .collect();
    if scope.by != By::Month {
        rows.sort_by(|a, b| {
            (b.open, b.appeals, b.found_on_visits)
                .cmp(&(a.open, a.appeals, a.found_on_visits))
                .then_with(|| a.key.cmp(&b.key))
        });
    }
    let keep = recent.len().saturating_sub(MAX_CLUSTERED);
    let clusters = clusters(&recent[keep..]);
    Ok(BlockingReport {
        by: scope.by.as_str().to_string(),
        from: scope.from.to_string(),
        to: scope.to.to_string(),
        total: total.finish("total".into(), Text::new("合计", "total")),
        rows,
        clusters,
    })
}

/// A region row is the enterprise's city (or its province-level municipality).
fn region_key(lookup: &Lookup, region: u32) -> Option<(String, Text)> {
    let code = RegionCode::new(region).ok()?;
    let city = code.city().unwrap_or(code);
    let r = lookup.region(city);
    Some((r.code, Text::new(r.name_zh, r.name_en)))
}

/// The words of a title, for similarity: the analyzer's words, each once.
fn words(title: &str) -> Vec<String> {
    let mut w: Vec<String> = chainatlas_matching::analyzer::analyze_with_surface(title)
        .into_iter()
        .map(|(_, surface)| surface)
        .filter(|s| s.chars().count() >= 2)
        .collect();
    w.sort();
    w.dedup();
    w
}

/// The overlap coefficient of two sorted word lists; 0 when they share fewer than two.
fn overlap(a: &[String], b: &[String]) -> f64 {
    let common = a.iter().filter(|w| b.binary_search(w).is_ok()).count();
    if common < 2 {
        0.0
    } else {
        common as f64 / a.len().min(b.len()) as f64
    }
}

/// Groups appeals of one category whose titles are alike ([`SIMILAR`]), joined
/// transitively; classes of two or more, largest first, at most 20.
pub fn clusters(appeals: &[Appeal]) -> Vec<ClusterDto> {
    let mut analysed: HashMap<&str, Vec<String>> = HashMap::new();
    let words: Vec<Vec<String>> = appeals
        .iter()
        .map(|a| {
            analysed
                .entry(a.title.as_str())
                .or_insert_with(|| words(&a.title))
                .clone()
        })
        .collect();
    let mut parent: Vec<usize> = (0..appeals.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    // Candidates share a word of their category that is not too common.
    let mut postings: HashMap<(AppealCategory, &str), Vec<usize>> = HashMap::new();
    for (i, w) in words.iter().enumerate() {
        for word in w {
            postings
                .entry((appeals[i].category, word.as_str()))
                .or_default()
                .push(i);
        }
    }
    for list in postings.values() {
        if list.len() > COMMON_WORD {
            continue;
        }
        for (k, &i) in list.iter().enumerate() {
            for &j in &list[k + 1..] {
                if root(&mut parent, i) != root(&mut parent, j)
                    && overlap(&words[i], &words[j]) >= SIMILAR
                {
                    let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
                    parent[ri] = rj;
                }
            }
        }
    }
    let mut classes: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..appeals.len() {
        let r = root(&mut parent, i);
        classes.entry(r).or_default().push(i);
    }
    let mut out: Vec<ClusterDto> = classes
        .into_values()
        .filter(|members| members.len() >= 2)
        .map(|members| {
            let mut counts: HashMap<&str, usize> = HashMap::new();
            for &i in &members {
                for w in &words[i] {
                    *counts.entry(w.as_str()).or_default() += 1;
                }
            }
            let half = members.len().div_ceil(2);
            let mut shared: Vec<(&str, usize)> =
                counts.into_iter().filter(|(_, n)| *n >= half).collect();
            shared.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            ClusterDto {
                category: appeals[members[0]].category.to_string(),
                words: shared.iter().take(5).map(|(w, _)| w.to_string()).collect(),
                size: members.len() as u32,
                open: members
                    .iter()
                    .filter(|&&i| appeals[i].state.is_open())
                    .count() as u32,
                appeals: members
                    .iter()
                    .rev()
                    .take(20)
                    .map(|&i| ClusterAppeal {
                        id: appeals[i].id,
                        title: appeals[i].title.clone(),
                        state: appeals[i].state.to_string(),
                        enterprise_id: appeals[i].enterprise.0,
                    })
                    .collect(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (b.size, b.open)
            .cmp(&(a.size, a.open))
            .then_with(|| a.appeals[0].id.cmp(&b.appeals[0].id))
    });
    out.truncate(20);
    out
}

/// The most appeals [`similar`] compares, the latest first.
pub const MAX_SIMILAR_SCAN: usize = 1_000;

/// Appeals like `appeal` (same category, among the latest [`MAX_SIMILAR_SCAN`] of the
/// past year, alike by [`SIMILAR`]), best first, at most 5: possible duplicates to handle
/// together.
pub fn similar(store: &Store, appeal: &Appeal) -> Result<Vec<(Appeal, f64)>, AppError> {
    let mine = words(&appeal.title);
    let filter = AppealFilter {
        category: Some(appeal.category),
        since: Some(appeal.submitted_at - 365 * 86_400),
        newest_first: true,
        ..AppealFilter::default()
    };
    let mut found = Vec::new();
    let mut seen = 0usize;
    // Titles repeat (one difficulty, many firms): each is analysed once.
    let mut analysed: HashMap<String, Vec<String>> = HashMap::new();
    store.for_each_appeal(&filter, |a, _| {
        seen += 1;
        if a.id != appeal.id {
            let theirs = analysed
                .entry(a.title.clone())
                .or_insert_with(|| words(&a.title));
            let score = overlap(&mine, theirs);
            if score >= SIMILAR {
                found.push((a, score));
            }
        }
        seen < MAX_SIMILAR_SCAN
    })?;
    found.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.id.cmp(&b.0.id)));
    found.truncate(5);
    Ok(found)
}

/// The report as sheets (the table with its total row, then the classes of similar
/// appeals), in `lang`: the page's workbook and `chainatlas appeals report`.
pub fn sheets(report: &BlockingReport, lang: Lang) -> Vec<chainatlas_bundle::sheet::Sheet> {
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    let by = match report.by.as_str() {
        "chain" => t("产业链", "chain"),
        "node" => t("环节", "node"),
        "region" => t("地区", "region"),
        "month" => t("月份", "month"),
        _ => t("类别", "category"),
    };
    let number =
        |v: Option<f64>, digits: usize| v.map_or_else(String::new, |v| format!("{v:.digits$}"));
    let row = |r: &BlockingRow| {
        vec![
            lang.pick(&r.name_zh, &r.name_en).to_string(),
            r.appeals.to_string(),
            r.open.to_string(),
            r.closed.to_string(),
            r.declined.to_string(),
            r.overdue.to_string(),
            number(r.overdue_share.map(|s| s * 100.0), 1),
            number(r.median_days_to_resolve, 1),
            number(r.satisfaction, 2),
            r.rated.to_string(),
            r.found_on_visits.to_string(),
        ]
    };
    let mut rows: Vec<Vec<String>> = report.rows.iter().map(row).collect();
    rows.push(row(&report.total));
    let category = |c: &str| {
        c.parse::<AppealCategory>()
            .map_or_else(|_| c.to_string(), |c| c.name(lang).to_string())
    };
    vec![
        chainatlas_bundle::sheet::Sheet {
            name: t("堵点", "blocking points"),
            header: vec![
                by,
                t("诉求", "appeals"),
                t("未办结", "open"),
                t("已办结", "closed"),
                t("不予受理", "declined"),
                t("超期", "overdue"),
                t("超期比例（%）", "overdue share (%)"),
                t("办结工作日中位数", "median working days to resolve"),
                t("满意度", "satisfaction"),
                t("已评价", "rated"),
                t("走访发现", "found on visits"),
            ],
            rows,
        },
        chainatlas_bundle::sheet::Sheet {
            name: t("同类诉求", "similar appeals"),
            header: vec![
                t("类别", "category"),
                t("共同词语", "shared words"),
                t("未办结", "open"),
                t("诉求编号", "appeal id"),
                t("标题", "title"),
                t("状态", "state"),
            ],
            rows: report
                .clusters
                .iter()
                .flat_map(|c| {
                    c.appeals.iter().map(move |a| {
                        vec![
                            category(&c.category),
                            c.words.join(lang.pick("、", ", ")),
                            c.open.to_string(),
                            a.id.to_string(),
                            a.title.clone(),
                            a.state
                                .parse::<AppealState>()
                                .map_or_else(|_| a.state.clone(), |s| s.name(lang).to_string()),
                        ]
                    })
                })
                .collect(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use chainatlas_model::services::AppealChannel;
    use chainatlas_model::EnterpriseId;

    fn appeal(id: i64, category: AppealCategory, title: &str, state: AppealState) -> Appeal {
        Appeal {
            id,
            enterprise: EnterpriseId(id),
            category,
            channel: AppealChannel::Online,
            chain: None,
            node: None,
            title: title.into(),
            description: String::new(),
            attachments: Vec::new(),
            visit: None,
            state,
            submitted_at: 0,
            accepted_on: None,
            reply_due: None,
            resolve_due: None,
            department: String::new(),
            handler: None,
            reply: String::new(),
            replied_on: None,
            closed_on: None,
            satisfaction: None,
            escalation: 0,
            reopened: 0,
        }
    }

    #[test]
    fn similar_titles_of_one_category_form_a_class() {
        use AppealCategory::*;
        let appeals = [
            appeal(
                1,
                Utilities,
                "园区供电容量不足影响扩产",
                AppealState::Submitted,
            ),
            appeal(2, Utilities, "园区供电容量不足", AppealState::Closed),
            appeal(3, Utilities, "天然气价格上涨", AppealState::Submitted),
            appeal(4, Labour, "园区供电容量不足", AppealState::Submitted),
            appeal(
                5,
                Utilities,
                "供电容量不足，新产线无法投产",
                AppealState::Assigned,
            ),
        ];
        let c = clusters(&appeals);
        assert_eq!(c.len(), 1, "{c:?}");
        let ids: Vec<i64> = c[0].appeals.iter().map(|a| a.id).collect();
        assert_eq!(ids, [5, 2, 1], "the latest first");
        assert_eq!(c[0].size, 3);
        assert_eq!(c[0].open, 2);
        assert!(c[0].words.contains(&"供电".to_string()), "{:?}", c[0].words);
    }

    #[test]
    fn a_row_counts_open_overdue_ratings_and_the_median() {
        let mut t = Tally::default();
        let today: Date = "2026-06-30".parse().unwrap();
        let mut a = appeal(1, AppealCategory::Land, "x", AppealState::Closed);
        a.satisfaction = Some(4);
        t.add(&a, today, Some(10));
        let mut b = appeal(2, AppealCategory::Land, "y", AppealState::InProgress);
        b.resolve_due = Some("2026-06-01".parse().unwrap());
        t.add(&b, today, None);
        let mut c = appeal(3, AppealCategory::Land, "z", AppealState::Closed);
        c.satisfaction = Some(2);
        t.add(&c, today, Some(20));
        let row = t.finish("land".into(), Text::same("land"));
        assert_eq!(
            (row.appeals, row.open, row.closed, row.overdue),
            (3, 1, 2, 1)
        );
        assert_eq!(row.median_days_to_resolve, Some(15.0));
        assert_eq!(row.satisfaction, Some(3.0));
        assert!((row.overdue_share.unwrap() - 1.0 / 3.0).abs() < 1e-12);
    }
}
