//! The match score: one documented formula over text relevance, chain-node fit, region,
//! qualifications, quantity, price and validity, with its breakdown and reasons.
//!
//! `score = Σ weightᵢ · partᵢ`, every part in [0, 1], the default weights summing to 1
//! (see `docs/matching.md`). Ranking is two-stage: the index returns the best candidates by
//! text (and, when the query names a chain node, the best candidates in the related nodes
//! too), and every candidate is then scored in full.

use std::collections::HashSet;

use chainatlas_model::{text, Date, ListingSide, ListingStatus, RegionCode, Text};

use crate::analyzer::{analyze_with_surface, fold_text};
use crate::index::{Entry, Filter, IndexError, ListingIndex, QueryText, Result, TextWeights};

/// The weight of each part of the score.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Weights {
    pub text: f64,
    pub node: f64,
    pub region: f64,
    pub tags: f64,
    pub quantity: f64,
    pub price: f64,
    pub validity: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            text: 0.40,
            node: 0.20,
            region: 0.10,
            tags: 0.10,
            quantity: 0.075,
            price: 0.075,
            validity: 0.05,
        }
    }
}

/// The region part for each relation between the two listings' regions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RegionValues {
    pub same_city: f64,
    pub same_province: f64,
    pub elsewhere: f64,
}

impl Default for RegionValues {
    fn default() -> Self {
        RegionValues {
            same_city: 1.0,
            same_province: 0.6,
            elsewhere: 0.2,
        }
    }
}

/// The names [`Config::apply`] takes (the API documents them in its `weights` pattern).
pub const SETTINGS: [&str; 14] = [
    "text",
    "node",
    "region",
    "tags",
    "quantity",
    "price",
    "validity",
    "same_city",
    "same_province",
    "elsewhere",
    "title_boost",
    "description_weight",
    "max_terms",
    "candidates",
];

/// Whose prices may shape a score. A total, or an order, that moved with a price the
/// viewer may not see would give that price away (with `price=1` and every other weight
/// 0 the total *is* the price part); so a pair whose two prices are not both visible
/// scores its price part as unknown (0.5, as when a listing names no price) and gives
/// no price reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PriceVisibility {
    /// Every price counts (staff, and lists matched without a database).
    All,
    /// Only the prices of this enterprise's listings (a viewer's own), or of none.
    OwnOnly(Option<u64>),
}

impl PriceVisibility {
    /// Whether the price of a listing of `enterprise` may count.
    pub fn shows(self, enterprise: Option<u64>) -> bool {
        match self {
            PriceVisibility::All => true,
            PriceVisibility::OwnOnly(own) => own.is_some() && own == enterprise,
        }
    }
}

/// Everything ranking can be told.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub weights: Weights,
    pub region: RegionValues,
    pub text: TextWeights,
    /// The day against which validity is judged.
    pub today: Date,
    /// Candidates taken from the index per stage before full scoring.
    pub candidates: usize,
    /// Whose prices count; see [`PriceVisibility`].
    pub prices: PriceVisibility,
}

impl Config {
    pub fn new(today: Date) -> Config {
        Config {
            weights: Weights::default(),
            region: RegionValues::default(),
            text: TextWeights::default(),
            today,
            candidates: 100,
            prices: PriceVisibility::All,
        }
    }

    /// Applies `name=value` settings separated by commas, e.g.
    /// `region=0.3,elsewhere=0,text=0.3`. Names: the weights `text node region tags
    /// quantity price validity`, the region values `same_city same_province elsewhere`,
    /// `title_boost`, `description_weight`, `max_terms` and `candidates`.
    pub fn apply(&mut self, settings: &str) -> std::result::Result<(), Text> {
        for setting in settings.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (name, value) = setting.split_once('=').ok_or_else(|| {
                text!(
                    "“{setting}”：应为 名称=数值",
                    "`{setting}`: expected name=value"
                )
            })?;
            let name = name.trim();
            let number: f64 = value
                .trim()
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| {
                    text!(
                        "“{setting}”：数值应为非负数",
                        "`{setting}`: the value must be a non-negative number"
                    )
                })?;
            let w = &mut self.weights;
            let slot = match name {
                "text" => &mut w.text,
                "node" => &mut w.node,
                "region" => &mut w.region,
                "tags" => &mut w.tags,
                "quantity" => &mut w.quantity,
                "price" => &mut w.price,
                "validity" => &mut w.validity,
                "same_city" => &mut self.region.same_city,
                "same_province" => &mut self.region.same_province,
                "elsewhere" => &mut self.region.elsewhere,
                "title_boost" => {
                    if number.fract() != 0.0 || !(1.0..=10.0).contains(&number) {
                        return Err(text!(
                            "“{setting}”：标题权重应为 1 到 10 的整数（标题计入的次数）",
                            "`{setting}`: the title boost is a whole number from 1 to 10 (how many times a title counts)"
                        ));
                    }
                    self.text.title_boost = number as u32;
                    continue;
                }
                "description_weight" => {
                    self.text.description_weight = number as f32;
                    continue;
                }
                "max_terms" => {
                    self.text.max_terms = (number as usize).max(1);
                    continue;
                }
                "candidates" => {
                    self.candidates = (number as usize).clamp(1, 10_000);
                    continue;
                }
                _ => {
                    let (zh, en) = (SETTINGS.join("、"), SETTINGS.join(", "));
                    return Err(text!(
                        "“{name}”不是可设置项；应为 {zh} 之一",
                        "`{name}` is not a setting; expected one of {en}"
                    ));
                }
            };
            if matches!(name, "same_city" | "same_province" | "elsewhere") && number > 1.0 {
                return Err(text!(
                    "“{setting}”：地区取值应在 0 到 1 之间",
                    "`{setting}`: a region value is between 0 and 1"
                ));
            }
            *slot = number;
        }
        Ok(())
    }
}

/// How the supply's chain node relates to the demand's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeRelation {
    Same,
    /// The supply's node is a direct input of the demand's node.
    Input,
    /// One of the two listings names no node.
    Unknown,
    Other,
}

impl NodeRelation {
    pub fn value(self) -> f64 {
        match self {
            NodeRelation::Same => 1.0,
            NodeRelation::Input => 0.7,
            NodeRelation::Unknown => 0.3,
            NodeRelation::Other => 0.0,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionRelation {
    SameCity,
    SameProvince,
    Elsewhere,
    Unknown,
}

impl RegionRelation {
    pub fn between(a: Option<RegionCode>, b: Option<RegionCode>) -> RegionRelation {
        match (a, b) {
            (Some(a), Some(b)) if a.city().is_some() && a.city() == b.city() => {
                RegionRelation::SameCity
            }
            (Some(a), Some(b)) if a.province() == b.province() => RegionRelation::SameProvince,
            (Some(_), Some(_)) => RegionRelation::Elsewhere,
            _ => RegionRelation::Unknown,
        }
    }

    pub fn value(self, values: &RegionValues) -> f64 {
        match self {
            RegionRelation::SameCity => values.same_city,
            RegionRelation::SameProvince => values.same_province,
            RegionRelation::Elsewhere | RegionRelation::Unknown => values.elsewhere,
        }
    }
}

/// What ranking needs to know beyond the listings: chain structure, enterprises' tags,
/// names for reasons. Spreadsheets without a database use [`NoAtlas`].
pub trait Atlas: Sync {
    /// The direct input nodes of a node.
    fn inputs_of(&self, _node: u64) -> &[u64] {
        &[]
    }
    /// The nodes that take this node as a direct input.
    fn outputs_of(&self, _node: u64) -> &[u64] {
        &[]
    }
    /// Qualifications an enterprise holds on record.
    fn enterprise_tags(&self, _enterprise: u64) -> Vec<String> {
        Vec::new()
    }
    fn node_label(&self, node: u64, _english: bool) -> String {
        node.to_string()
    }
    fn region_label(&self, region: RegionCode, _english: bool) -> String {
        region.to_string()
    }
}

/// No chain structure, no enterprise records.
pub struct NoAtlas;
impl Atlas for NoAtlas {}

/// A qualification folded for comparison: case, width, spaces and connectors ignored, so
/// `ISO 9001`, `iso-9001` and `ＩＳＯ９００１` are one tag.
pub fn fold_tag(tag: &str) -> String {
    fold_text(tag)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_' | '/' | '.'))
        .collect()
}

/// The score of one candidate, part by part (each in [0, 1]) and in total.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Breakdown {
    pub text: f64,
    pub node: f64,
    pub region: f64,
    pub tags: f64,
    pub quantity: f64,
    pub price: f64,
    pub validity: f64,
    pub total: f64,
}

/// One reason a candidate ranks where it does.
#[derive(Clone, Debug, PartialEq)]
pub enum Reason {
    SharedTerms(Vec<String>),
    Node {
        relation: NodeRelation,
        demand: Option<u64>,
        supply: Option<u64>,
    },
    Region {
        relation: RegionRelation,
        candidate: Option<RegionCode>,
    },
    Tags {
        held: Vec<String>,
        missing: Vec<String>,
    },
    /// Quantities needed and offered, each in its own unit; `comparable` when the units
    /// are the same (or one is not given) or both are units of one measure.
    Quantity {
        demand: u64,
        demand_unit: String,
        supply: u64,
        supply_unit: String,
        comparable: bool,
    },
    Price {
        demand: i64,
        supply: i64,
    },
    ExpiresIn {
        days: i64,
    },
}

impl Reason {
    /// The reason as a short sentence.
    pub fn text(&self, atlas: &dyn Atlas, english: bool) -> String {
        let node = |n: &Option<u64>| n.map(|n| atlas.node_label(n, english)).unwrap_or_default();
        match self {
            Reason::SharedTerms(terms) if english => format!("Shared terms: {}", terms.join(", ")),
            Reason::SharedTerms(terms) => format!("共同词：{}", terms.join("、")),
            Reason::Node {
                relation,
                demand,
                supply,
            } => match (relation, english) {
                (NodeRelation::Same, false) => format!("同一环节：{}", node(supply)),
                (NodeRelation::Same, true) => format!("Same chain node: {}", node(supply)),
                (NodeRelation::Input, false) => {
                    format!("{}是{}的上游投入", node(supply), node(demand))
                }
                (NodeRelation::Input, true) => {
                    format!("{} is an input of {}", node(supply), node(demand))
                }
                (NodeRelation::Other, false) => {
                    format!("环节不同：{} / {}", node(demand), node(supply))
                }
                (NodeRelation::Other, true) => {
                    format!("Different nodes: {} / {}", node(demand), node(supply))
                }
                (NodeRelation::Unknown, false) => "未标明产业链环节".to_string(),
                (NodeRelation::Unknown, true) => "No chain node given".to_string(),
            },
            Reason::Region {
                relation,
                candidate,
            } => {
                let place = candidate
                    .map(|r| atlas.region_label(r, english))
                    .unwrap_or_default();
                match (relation, english) {
                    (RegionRelation::SameCity, false) => format!("同城：{place}"),
                    (RegionRelation::SameCity, true) => format!("Same city: {place}"),
                    (RegionRelation::SameProvince, false) => format!("同省：{place}"),
                    (RegionRelation::SameProvince, true) => format!("Same province: {place}"),
                    (RegionRelation::Elsewhere, false) => format!("外省：{place}"),
                    (RegionRelation::Elsewhere, true) => format!("Another province: {place}"),
                    (RegionRelation::Unknown, false) => "地区不详".to_string(),
                    (RegionRelation::Unknown, true) => "Region unknown".to_string(),
                }
            }
            Reason::Tags { held, missing } => {
                let mut parts = Vec::new();
                if !held.is_empty() {
                    parts.push(if english {
                        format!("Holds {}", held.join(", "))
                    } else {
                        format!("具备{}", held.join("、"))
                    });
                }
                if !missing.is_empty() {
                    parts.push(if english {
                        format!("lacks {}", missing.join(", "))
                    } else {
                        format!("缺少{}", missing.join("、"))
                    });
                }
                parts.join(if english { "; " } else { "；" })
            }
            Reason::Quantity {
                demand,
                demand_unit,
                supply,
                supply_unit,
                comparable: false,
            } => {
                if english {
                    format!("Different units: {demand} {demand_unit} needed, {supply} {supply_unit} offered")
                } else {
                    format!(
                        "数量单位不同：需求 {demand} {demand_unit}，可供 {supply} {supply_unit}"
                    )
                }
            }
            Reason::Quantity {
                demand,
                demand_unit,
                supply,
                supply_unit,
                comparable: true,
            } => {
                let unit = if demand_unit.is_empty() {
                    supply_unit.as_str()
                } else {
                    demand_unit.as_str()
                };
                match (supply >= demand, english) {
                    (true, false) => format!("可供 {supply} {unit}，满足需求 {demand} {unit}"),
                    (true, true) => format!("Offers {supply} {unit} for {demand} needed"),
                    (false, false) => format!(
                        "可供 {supply} {unit}，需求 {demand} {unit}，覆盖 {}%",
                        supply * 100 / demand.max(&1)
                    ),
                    (false, true) => format!(
                        "Offers {supply} of {demand} {unit} ({}%)",
                        supply * 100 / demand.max(&1)
                    ),
                }
            }
            Reason::Price { demand, supply } => {
                if supply <= demand {
                    if english {
                        "Price within budget".into()
                    } else {
                        "报价在预算内".into()
                    }
                } else {
                    let over = (supply - demand) * 100 / (*demand).max(1);
                    if english {
                        format!("Price {over}% over budget")
                    } else {
                        format!("报价超出预算 {over}%")
                    }
                }
            }
            Reason::ExpiresIn { days } if english => format!("Valid {days} more days"),
            Reason::ExpiresIn { days } => format!("有效期剩 {days} 天"),
        }
    }
}

/// A ranked candidate.
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    pub candidate: Entry,
    pub score: Breakdown,
    pub reasons: Vec<Reason>,
}

/// Days within which an ending validity lowers the score.
pub const VALIDITY_HORIZON_DAYS: i64 = 30;

/// A ranking searches its title's single characters only when the best listing found by
/// words and bigrams holds less than this share of the text relevance of an ideal listing
/// for the title alone.
pub const WEAK_TEXT: f32 = 0.5;

struct Parts {
    node: NodeRelation,
    region: RegionRelation,
    held: Vec<String>,
    missing: Vec<String>,
}

/// The two listings of a pair as (demand, supply), whichever side asked.
fn demand_and_supply<'a>(query: &'a Entry, candidate: &'a Entry) -> (&'a Entry, &'a Entry) {
    match query.side {
        ListingSide::Demand => (query, candidate),
        ListingSide::Supply => (candidate, query),
    }
}

/// Scores a candidate for a query; `text` is its relevance already scaled to [0, 1].
pub fn score(
    query: &Entry,
    candidate: &Entry,
    text: f64,
    atlas: &dyn Atlas,
    config: &Config,
) -> Breakdown {
    score_parts(query, candidate, text, atlas, config).0
}

fn score_parts(
    query: &Entry,
    candidate: &Entry,
    text: f64,
    atlas: &dyn Atlas,
    config: &Config,
) -> (Breakdown, Parts) {
    let (demand, supply) = demand_and_supply(query, candidate);
    let node = match (demand.node, supply.node) {
        (Some(d), Some(s)) if d == s => NodeRelation::Same,
        (Some(d), Some(s)) if atlas.inputs_of(d).contains(&s) => NodeRelation::Input,
        (Some(_), Some(_)) => NodeRelation::Other,
        _ => NodeRelation::Unknown,
    };
    let region = RegionRelation::between(query.region, candidate.region);
    // Qualifications: what the demand requires against what the supply lists and its
    // enterprise holds on record.
    let mut held_all: Vec<String> = supply.tags.iter().map(|t| fold_tag(t)).collect();
    if let Some(e) = supply.enterprise {
        held_all.extend(atlas.enterprise_tags(e).iter().map(|t| fold_tag(t)));
    }
    let (held, missing): (Vec<String>, Vec<String>) = demand
        .tags
        .iter()
        .cloned()
        .partition(|t| held_all.contains(&fold_tag(t)));
    let tags = if demand.tags.is_empty() {
        1.0
    } else {
        held.len() as f64 / demand.tags.len() as f64
    };
    let quantity = match (demand.quantity, supply.quantity) {
        (Some(d), Some(s)) => match in_common_unit(demand, supply, d, s) {
            Some((d, _)) if d <= 0.0 => 1.0,
            Some((d, s)) => (s / d).min(1.0),
            // 213 台 against 5000 片: neither for nor against.
            None => 0.5,
        },
        _ => 0.5,
    };
    let prices_visible =
        config.prices.shows(demand.enterprise) && config.prices.shows(supply.enterprise);
    let price = match (demand.price, supply.price) {
        _ if !prices_visible => 0.5,
        (Some(b), Some(p)) if p.fen() <= b.fen() => 1.0,
        (Some(b), Some(p)) if b.fen() > 0 => {
            (1.0 - (p.fen() - b.fen()) as f64 / b.fen() as f64).max(0.0)
        }
        (Some(_), Some(_)) => 0.0,
        _ => 0.5,
    };
    let validity = match candidate.valid_until {
        None => 1.0,
        Some(end) => {
            let days = end.days_since_epoch() - config.today.days_since_epoch();
            ((days + 1) as f64 / (VALIDITY_HORIZON_DAYS + 1) as f64).clamp(0.0, 1.0)
        }
    };
    let w = &config.weights;
    let region_value = region.value(&config.region);
    let total = w.text * text
        + w.node * node.value()
        + w.region * region_value
        + w.tags * tags
        + w.quantity * quantity
        + w.price * price
        + w.validity * validity;
    (
        Breakdown {
            text,
            node: node.value(),
            region: region_value,
            tags,
            quantity,
            price,
            validity,
            total,
        },
        Parts {
            node,
            region,
            held,
            missing,
        },
    )
}

/// Both quantities in one unit: as written when the units are the same (or either is
/// not given), converted when both are units of one measure (`5 吨` and `8000 kg`);
/// `None` when the units differ (`台` and `片`).
fn in_common_unit(demand: &Entry, supply: &Entry, d: u64, s: u64) -> Option<(f64, f64)> {
    let (du, su) = (fold_tag(&demand.unit), fold_tag(&supply.unit));
    if du.is_empty() || su.is_empty() || du == su {
        return Some((d as f64, s as f64));
    }
    let (dc, df) = crate::analyzer::unit_of_measure(&du)?;
    let (sc, sf) = crate::analyzer::unit_of_measure(&su)?;
    (dc == sc).then_some((d as f64 * df, s as f64 * sf))
}

/// Whether a listing can still be answered on `today`.
pub fn is_live(entry: &Entry, today: Date) -> bool {
    entry.status == ListingStatus::Open && entry.valid_until.is_none_or(|d| d >= today)
}

/// Ranks the listings of the other side for `query`: the best `k`, best first (ties by id).
/// Excluded: the query's own enterprise, closed listings and those past their validity;
/// a query that is itself closed or past its validity gets none.
pub fn rank(
    index: &ListingIndex,
    query: &Entry,
    atlas: &dyn Atlas,
    config: &Config,
    k: usize,
) -> Result<Vec<Match>> {
    if index.title_boost() != config.text.title_boost {
        return Err(IndexError::TitleBoost {
            index: index.title_boost(),
            asked: config.text.title_boost,
        });
    }
    // A query that is closed or past its validity asks for nothing any more.
    if !is_live(query, config.today) {
        return Ok(Vec::new());
    }
    let other = match query.side {
        ListingSide::Demand => ListingSide::Supply,
        ListingSide::Supply => ListingSide::Demand,
    };
    let filter = Filter {
        side: Some(other),
        status: Some(ListingStatus::Open),
        valid_on: Some(config.today),
        exclude_enterprise: query.enterprise,
        ..Filter::default()
    };
    let with_chars = QueryText::new(
        index.analysis(),
        &query.title,
        &query.description,
        config.text,
    );
    // Words and bigrams first; the title's single characters only when they find
    // nothing that holds at least `WEAK_TEXT` of what the title alone asks for (a short
    // name none of whose bigrams its legal name has). Searching characters always costs
    // every query 2–3× its time (their posting lists are long) for the few that need them.
    let (words, has_chars) = with_chars.without_chars();
    let mut hits = index.top(&words, &filter, config.candidates)?;
    let mut text = words;
    if has_chars {
        let title = QueryText::new(index.analysis(), &query.title, "", config.text);
        let ideal = index.ideal_text_score(&title.without_chars().0, other);
        let best = hits.iter().map(|h| h.text_score).fold(0.0f32, f32::max);
        if ideal <= 0.0 || best < WEAK_TEXT * ideal {
            hits = index.top(&with_chars, &filter, config.candidates)?;
            text = with_chars;
        }
    }
    if let Some(node) = query.node {
        let mut nodes = vec![node];
        nodes.extend_from_slice(match query.side {
            ListingSide::Demand => atlas.inputs_of(node),
            ListingSide::Supply => atlas.outputs_of(node),
        });
        // Text is optional here: a supply in the right node may share no word.
        hits.extend(index.top_in_nodes(&text, &filter, other, &nodes, config.candidates)?);
    }
    let mut seen = HashSet::new();
    hits.retain(|h| seen.insert(h.entry.id));
    // Relevance as a share of an ideal listing's (see `ideal_text_score`), never of the
    // best one found: sharing `300` with `IGBT芯片 1200V/300A` is not a full text match.
    let ideal = index.ideal_text_score(&text, other);
    let mut scored: Vec<(Breakdown, Parts, Entry)> = hits
        .into_iter()
        .map(|h| {
            let text = if ideal > 0.0 {
                (h.text_score / ideal).min(1.0) as f64
            } else {
                0.0
            };
            let (b, p) = score_parts(query, &h.entry, text, atlas, config);
            (b, p, h.entry)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total.total_cmp(&a.0.total).then(a.2.id.cmp(&b.2.id)));
    scored.truncate(k);
    // Candidates come from fast fields; only the kept ones need their text (for reasons).
    let mut kept: Vec<Entry> = scored.iter().map(|s| s.2.clone()).collect();
    index.fill_text(&mut kept)?;
    for (s, entry) in scored.iter_mut().zip(kept) {
        s.2 = entry;
    }
    let query_terms = analyze_with_surface(&format!("{}\n{}", query.title, query.description));
    Ok(scored
        .into_iter()
        .map(|(score, parts, candidate)| {
            let reasons = reasons(query, &candidate, &parts, &query_terms, config);
            Match {
                candidate,
                score,
                reasons,
            }
        })
        .collect())
}

fn reasons(
    query: &Entry,
    candidate: &Entry,
    parts: &Parts,
    query_terms: &[(String, String)],
    config: &Config,
) -> Vec<Reason> {
    let (demand, supply) = demand_and_supply(query, candidate);
    let mut reasons = Vec::new();
    let candidate_terms: HashSet<String> =
        crate::analyzer::analyze(&format!("{}\n{}", candidate.title, candidate.description))
            .into_iter()
            .collect();
    let mut shared: Vec<String> = Vec::new();
    for (term, surface) in query_terms {
        let informative = surface.chars().count() >= 2 || !surface.is_ascii();
        if informative && candidate_terms.contains(term) && !shared.contains(surface) {
            shared.push(surface.clone());
        }
    }
    // Longer shared terms say more; a piece of a term already shown (`150` of `dsc-w150r`,
    // `电池` of `动力电池`) says nothing new.
    shared.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
    let mut shown: Vec<String> = Vec::new();
    for s in shared {
        if !shown.iter().any(|t| t.contains(s.as_str())) {
            shown.push(s);
        }
    }
    shown.truncate(6);
    let shared = shown;
    if !shared.is_empty() {
        reasons.push(Reason::SharedTerms(shared));
    }
    reasons.push(Reason::Node {
        relation: parts.node,
        demand: demand.node,
        supply: supply.node,
    });
    reasons.push(Reason::Region {
        relation: parts.region,
        candidate: candidate.region,
    });
    if !demand.tags.is_empty() {
        reasons.push(Reason::Tags {
            held: parts.held.clone(),
            missing: parts.missing.clone(),
        });
    }
    if let (Some(d), Some(s)) = (demand.quantity, supply.quantity) {
        reasons.push(Reason::Quantity {
            demand: d,
            demand_unit: demand.unit.clone(),
            supply: s,
            supply_unit: supply.unit.clone(),
            comparable: in_common_unit(demand, supply, d, s).is_some(),
        });
    }
    let prices_visible =
        config.prices.shows(demand.enterprise) && config.prices.shows(supply.enterprise);
    if let (true, Some(b), Some(p)) = (prices_visible, demand.price, supply.price) {
        reasons.push(Reason::Price {
            demand: b.fen(),
            supply: p.fen(),
        });
    }
    if let Some(end) = candidate.valid_until {
        let days = end.days_since_epoch() - config.today.days_since_epoch();
        if days < VALIDITY_HORIZON_DAYS {
            reasons.push(Reason::ExpiresIn { days });
        }
    }
    reasons
}
