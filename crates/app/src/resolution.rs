//! Entity resolution in the office: an enterprise list with any headers is uploaded and
//! kept; its columns are mapped (recognised headers first, the user's choices over them);
//! every row is resolved against the atlas (`chainatlas_resolve`) into a proposal —
//! match, review or new, with its candidates and reasons; the reviewer confirms, rejects,
//! chooses another enterprise or skips a row; the commit enriches the matched enterprises
//! (empty fields filled, the list's name kept as another name; nothing overwritten) and
//! adds the new ones, all at once, audited and undoable. The same resolver finds
//! duplicates already in the atlas, and two enterprises can be merged and unmerged.

use std::collections::HashMap;
use std::path::Path;

use chainatlas_auth::Permission;
use chainatlas_bundle::{
    enterprise_list_of, read_list_rows, EnterpriseList, Ids, ImportError, ListSource,
    ENTERPRISE_LIST_COLUMNS,
};
use chainatlas_model::{
    text, CreditCode, Enterprise, EnterpriseId, EnterpriseSize, Explain, Lang, Money, Tags, Text,
};
use chainatlas_resolve::{prepare, Prepared, Record, Resolution, Resolver};
use chainatlas_store::{
    enriched_fields, Choice, ListHead, ListRow, ListStatus, MergeHead, Proposal, ResolutionError,
    RowPlan, Store,
};
use serde::{Deserialize, Serialize};

use crate::{AppError, ErrorCode, Viewer};

/// The most rows a list uploaded to the web app may have (the command line takes
/// 2,000,000).
pub const MAX_LIST_ROWS: usize = 20_000;
/// The most text (cell bytes in all) such a list may hold.
pub const MAX_LIST_BYTES: usize = 32 << 20;
/// Candidates kept per row, best first.
pub const CANDIDATES_KEPT: usize = 5;
/// The seed of the resolver's sampling, so that the same list resolves the same way.
const SEED: u64 = 17;

impl From<ResolutionError> for AppError {
    fn from(e: ResolutionError) -> AppError {
        match e {
            ResolutionError::NotFound => AppError::new(
                ErrorCode::RecordNotFound,
                text!("没有这份名单或合并记录", "no such list or merge"),
            ),
            ResolutionError::State(state) => {
                let (zh, en) = status_label(state);
                AppError::new(
                    ErrorCode::Conflict,
                    text!(
                        "名单{zh}，不能再这样做",
                        "the list is {en}; this cannot be done now"
                    ),
                )
            }
            ResolutionError::Refused(problems) => {
                AppError::new(ErrorCode::Conflict, joined(&problems))
            }
            ResolutionError::Store(e) => e.into(),
        }
    }
}

fn joined(problems: &[Text]) -> Text {
    let zh: Vec<&str> = problems.iter().map(|t| t.zh.as_str()).collect();
    let en: Vec<&str> = problems.iter().map(|t| t.en.as_str()).collect();
    Text::new(zh.join("；"), en.join("; "))
}

fn status_label(state: &str) -> (&'static str, &'static str) {
    match state {
        "uploaded" => ("待映射列", "waiting for its columns"),
        "review" => ("待复核", "in review"),
        "committed" => ("已提交", "committed"),
        "undone" => ("已撤销", "undone"),
        _ => ("状态未知", "in an unknown state"),
    }
}

fn refused(e: ImportError) -> AppError {
    match e {
        ImportError::Store(e) => e.into(),
        e => AppError::new(ErrorCode::InvalidBundle, e.explain()),
    }
}

/// Keeps an uploaded list (a `.csv` or `.xlsx` at `path`, named `file_name`): its header
/// and rows, not yet interpreted. Returns its number.
pub fn upload(
    store: &mut Store,
    viewer: &Viewer,
    path: &Path,
    file_name: &str,
) -> Result<i64, AppError> {
    viewer.require(Permission::Analyse)?;
    let (source, rows) = read_list_rows(path, MAX_LIST_ROWS, MAX_LIST_BYTES).map_err(refused)?;
    if rows.is_empty() {
        return Err(AppError::new(
            ErrorCode::InvalidBundle,
            text!("名单中没有数据行", "the list has no rows"),
        ));
    }
    Ok(store.create_resolution(&viewer.actor(), file_name, &source.header, &rows)?)
}

fn head(store: &Store, id: i64) -> Result<ListHead, AppError> {
    store
        .resolution(id)?
        .ok_or_else(|| ResolutionError::NotFound.into())
}

/// The list's rows as records under `chosen` (field → header), or every problem.
fn records(
    head: &ListHead,
    rows: &[ListRow],
    chosen: &[(String, String)],
) -> Result<EnterpriseList, AppError> {
    let source = ListSource {
        label: head.file_name.clone(),
        workbook: head.file_name.to_ascii_lowercase().ends_with(".xlsx"),
        header: head.header.clone(),
    };
    let cells = rows.iter().map(|r| Ok((r.row, r.cells.clone())));
    enterprise_list_of(source, cells, chosen, Ids::OrRowNumber).map_err(refused)
}

/// Every enterprise of the atlas as a resolver's target.
fn targets(store: &Store) -> Result<Vec<Record>, AppError> {
    let mut out = Vec::new();
    store.for_each_enterprise(|e| out.push(Record::of_enterprise(&e)))?;
    Ok(out)
}

/// A candidate as kept with a row: both languages of every reason.
#[derive(Serialize, Deserialize)]
struct KeptCandidate {
    id: i64,
    probability: f64,
    score: f64,
    reasons: Vec<(String, String)>,
}

fn kept_candidates(targets: &[Record], r: &Resolution) -> Vec<KeptCandidate> {
    r.candidates
        .iter()
        .take(CANDIDATES_KEPT)
        .filter_map(|c| {
            Some(KeptCandidate {
                id: targets[c.target].id.parse().ok()?,
                probability: c.probability,
                score: c.score,
                reasons: c
                    .contributions
                    .iter()
                    .map(|x| (x.text(false), x.text(true)))
                    .collect(),
            })
        })
        .collect()
}

/// Maps the list's columns (`chosen`: field → header as written; the rest recognised)
/// and resolves every row against the atlas, replacing earlier proposals and choices.
pub fn propose(
    store: &mut Store,
    viewer: &Viewer,
    id: i64,
    chosen: &[(String, String)],
) -> Result<(), AppError> {
    viewer.require(Permission::Analyse)?;
    let head = head(store, id)?;
    let rows = store.resolution_rows(id)?;
    let list = records(&head, &rows, chosen)?;
    let targets = targets(store)?;
    let resolver = Resolver::new(&targets);
    let prepared = prepare(&list.records);
    let weights = resolver.learn(&prepared, SEED);
    let resolutions = resolver.resolve(&weights, &prepared);
    let proposals: Vec<Proposal> = list
        .rows
        .iter()
        .zip(&resolutions)
        .map(|(&row, r)| Proposal {
            row,
            decision: r.decision.as_str(),
            candidate: r
                .best
                .and_then(|t| targets[t].id.parse().ok())
                .map(EnterpriseId),
            confidence: r.confidence,
            candidates: serde_json::to_string(&kept_candidates(&targets, r)).unwrap_or_default(),
        })
        .collect();
    // The mapping as it was used: every field with the header it was read from.
    let mapping: Vec<(String, String)> = ENTERPRISE_LIST_COLUMNS
        .iter()
        .zip(&list.mapping)
        .flat_map(|(c, at)| {
            at.iter()
                .map(|&i| (c.field.to_string(), list.header[i].clone()))
        })
        .collect();
    store.save_proposals(&viewer.actor(), id, &mapping, &proposals)?;
    Ok(())
}

/// Records the reviewer's choice for a row: `confirm`, `reject`, `skip`, `proposed`, or
/// `choose` with `enterprise` (an id, or a picker's `名称 #id`).
pub fn choose(
    store: &mut Store,
    viewer: &Viewer,
    id: i64,
    row: u64,
    choice: &str,
    enterprise: &str,
) -> Result<(), AppError> {
    viewer.require(Permission::Analyse)?;
    let Some(choice) = Choice::parse(choice) else {
        return Err(AppError::parameter(text!(
            "选择应为 confirm、reject、choose、skip 或 proposed，而不是“{choice}”",
            "choice must be confirm, reject, choose, skip or proposed, not '{choice}'"
        )));
    };
    let chosen = if choice == Choice::Choose {
        let raw = crate::problems::picked_id(enterprise);
        let Some(e) = raw.trim().parse::<i64>().ok().map(EnterpriseId) else {
            return Err(AppError::parameter(text!(
                "请选择一家企业（名称 #编号）",
                "choose an enterprise (name #id)"
            )));
        };
        if !store.enterprise_exists(e)? {
            return Err(AppError::new(
                ErrorCode::EnterpriseNotFound,
                text!("没有编号为 {e} 的企业", "no enterprise has id {e}"),
            ));
        }
        Some(e)
    } else {
        None
    };
    store.choose(&viewer.actor(), id, row, choice, chosen)?;
    Ok(())
}

/// Records one choice (`confirm`, `reject`, `skip` or `proposed`) for every row with
/// the proposal `decision` (`match`, `review`, `new`, or `undecided`); returns how many.
pub fn choose_all(
    store: &mut Store,
    viewer: &Viewer,
    id: i64,
    decision: &str,
    choice: &str,
) -> Result<u64, AppError> {
    viewer.require(Permission::Analyse)?;
    let choice = match Choice::parse(choice) {
        Some(c) if c != Choice::Choose => c,
        _ => {
            return Err(AppError::parameter(text!(
                "成批选择应为 confirm、reject、skip 或 proposed，而不是“{choice}”",
                "a choice for many rows must be confirm, reject, skip or proposed, not '{choice}'"
            )))
        }
    };
    if !matches!(decision, "match" | "review" | "new" | "undecided") {
        return Err(AppError::parameter(text!(
            "行的范围应为 match、review、new 或 undecided，而不是“{decision}”",
            "the rows must be match, review, new or undecided, not '{decision}'"
        )));
    }
    Ok(store.choose_all(&viewer.actor(), id, decision, choice)?)
}

/// What committing a row will do, as the review shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Fill the enterprise's empty fields and keep the list's name as another name.
    Enrich,
    /// Add a new enterprise.
    Add,
    /// Leave the row out (skipped, or a review row not decided).
    Skip,
}

impl Action {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Action::Enrich, Lang::Zh) => "补充到已有企业",
            (Action::Enrich, Lang::En) => "enrich the enterprise",
            (Action::Add, Lang::Zh) => "新增企业",
            (Action::Add, Lang::En) => "add as new",
            (Action::Skip, Lang::Zh) => "跳过",
            (Action::Skip, Lang::En) => "skip",
        }
    }
}

/// The action a row's proposal and choice lead to, and the enterprise it acts on.
fn action_of(r: &ListRow) -> (Action, Option<EnterpriseId>) {
    match (r.choice, r.decision.as_deref()) {
        (Choice::Skip, _) => (Action::Skip, None),
        (Choice::Reject, _) => (Action::Add, None),
        (Choice::Choose, _) => (Action::Enrich, r.chosen),
        (Choice::Confirm, _) if r.candidate.is_some() => (Action::Enrich, r.candidate),
        (Choice::Confirm, _) => (Action::Skip, None),
        (Choice::Proposed, Some("match")) => (Action::Enrich, r.candidate),
        (Choice::Proposed, Some("new")) => (Action::Add, None),
        (Choice::Proposed, _) => (Action::Skip, None),
    }
}

/// The enterprise fields a row would write on `e`: empty ones filled, the row's names
/// added as other names.
fn enrich(e: &Enterprise, r: &Record) -> [String; 5] {
    let mut names = e.other_names.clone();
    for n in std::iter::once(&r.name).chain(&r.other_names) {
        let n = n.replace(';', "").trim().to_string();
        if !n.is_empty() && n != e.name_zh && !names.contains(&n) {
            names.push(n);
        }
    }
    let fill = |mine: &str, theirs: &Option<String>| {
        if mine.is_empty() {
            theirs.clone().unwrap_or_default()
        } else {
            mine.to_string()
        }
    };
    [
        fill(&e.name_en, &r.english_name),
        names.join(";"),
        fill(&e.address, &r.address),
        fill(&e.phone, &r.phone),
        fill(&e.legal_representative, &r.legal_representative),
    ]
}

/// A new enterprise from a row, or why it cannot be one.
fn new_enterprise(r: &Record, p: &Prepared, row: u64, file_name: &str) -> Result<Enterprise, Text> {
    let code = r.credit_code.as_deref().unwrap_or("").trim();
    let credit_code: CreditCode = match code.parse() {
        Ok(c) => c,
        Err(_) if code.is_empty() => {
            return Err(text!(
                "第 {row} 行：要新增企业，需要统一社会信用代码；请补上，或把此行与已有企业匹配，或跳过",
                "row {row}: a new enterprise needs a credit code; add one, match the row to an enterprise, or skip it"
            ))
        }
        Err(_) => {
            return Err(text!(
                "第 {row} 行：统一社会信用代码“{code}”无效（18 位，校验位按 GB 32100），不能新增企业",
                "row {row}: credit code '{code}' is not valid (18 characters, check character by GB 32100); the enterprise cannot be added"
            ))
        }
    };
    let region = p.region.or_else(|| {
        r.address
            .as_deref()
            .and_then(chainatlas_resolve::region_of_text)
    });
    let Some(region) = region.filter(|c| chainatlas_model::divisions::get(*c).is_some()) else {
        return Err(text!(
            "第 {row} 行：要新增企业，需要所在地区（行政区划代码或地名），或可识别出地区的地址",
            "row {row}: a new enterprise needs its region (a division code or place name), or an address naming one"
        ));
    };
    Ok(Enterprise {
        id: EnterpriseId(0),
        credit_code,
        name_zh: r.name.trim().to_string(),
        name_en: r.english_name.clone().unwrap_or_default(),
        region,
        size: EnterpriseSize::Small,
        tags: Tags::EMPTY,
        revenue: Money::ZERO,
        employees: 0,
        source: format!("名单 {file_name}"),
        other_names: r
            .other_names
            .iter()
            .map(|n| n.replace(';', ""))
            .filter(|n| !n.is_empty() && *n != r.name)
            .collect(),
        address: r.address.clone().unwrap_or_default(),
        phone: r.phone.clone().unwrap_or_default(),
        legal_representative: r.legal_representative.clone().unwrap_or_default(),
        // A list's industry column is often a name (汽车制造业); only a code is kept.
        industry: r.industry.as_deref().and_then(|i| i.parse().ok()),
    })
}

/// Commits a list in review: each row enriches its enterprise, adds a new one or is
/// skipped, all or nothing (every row that cannot be carried out is named).
pub fn commit(store: &mut Store, viewer: &Viewer, id: i64) -> Result<(), AppError> {
    viewer.require(Permission::Analyse)?;
    let actor = viewer.actor();
    store.exclusive(|s| {
        let head = head(s, id)?;
        if head.status != ListStatus::Review {
            return Err(ResolutionError::State(head.status.as_str()).into());
        }
        let rows = s.resolution_rows(id)?;
        let list = records(&head, &rows, &head.mapping)?;
        let by_row: HashMap<u64, &Record> = list.rows.iter().copied().zip(&list.records).collect();
        let prepared: HashMap<u64, Prepared> = list
            .rows
            .iter()
            .zip(&list.records)
            .map(|(&n, r)| (n, Prepared::new(r)))
            .collect();
        let mut current: HashMap<EnterpriseId, Enterprise> = HashMap::new();
        let mut new_codes: HashMap<String, u64> = HashMap::new();
        let mut plan = Vec::new();
        let mut problems = Vec::new();
        for r in &rows {
            let row = r.row;
            let Some(record) = by_row.get(&row) else {
                plan.push(RowPlan::Skip { row });
                continue;
            };
            match action_of(r) {
                (Action::Skip, _) | (Action::Enrich, None) => plan.push(RowPlan::Skip { row }),
                (Action::Enrich, Some(e)) => {
                    let target = match current.entry(e) {
                        std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
                        std::collections::hash_map::Entry::Vacant(v) => match s.enterprise(e)? {
                            Some(found) => v.insert(found),
                            None => {
                                problems.push(text!(
                                    "第 {row} 行：企业 {e} 已不存在，请重新选择",
                                    "row {row}: enterprise {e} no longer exists; choose again"
                                ));
                                continue;
                            }
                        },
                    };
                    let fields = enrich(target, record);
                    if fields == enriched_fields(target) {
                        plan.push(RowPlan::Unchanged { row, enterprise: e });
                    } else {
                        target.name_en = fields[0].clone();
                        target.other_names = chainatlas_model::split_tags(&fields[1]);
                        target.address = fields[2].clone();
                        target.phone = fields[3].clone();
                        target.legal_representative = fields[4].clone();
                        plan.push(RowPlan::Enrich { row, enterprise: e, fields });
                    }
                }
                (Action::Add, _) => match new_enterprise(record, &prepared[&row], row, &head.file_name) {
                    Ok(e) => {
                        let code = e.credit_code.to_string();
                        if let Some((owner, name)) = s.enterprise_with_credit_code(&code)? {
                            problems.push(text!(
                                "第 {row} 行：统一社会信用代码 {code} 已属于另一家企业“{name}”（#{owner}）：请改为与该企业匹配，或跳过此行",
                                "row {row}: credit code {code} already belongs to '{name}' (#{owner}): match the row to it, or skip the row"
                            ));
                        } else if let Some(first) = new_codes.insert(code.clone(), row) {
                            problems.push(text!(
                                "第 {row} 行：统一社会信用代码 {code} 与第 {first} 行的新企业相同：请跳过其中一行",
                                "row {row}: credit code {code} is the same as row {first}'s new enterprise: skip one of them"
                            ));
                        } else {
                            plan.push(RowPlan::Add { row, enterprise: Box::new(e) });
                        }
                    }
                    Err(why) => problems.push(why),
                },
            }
        }
        if !problems.is_empty() {
            return Err(ResolutionError::Refused(problems).into());
        }
        s.commit_resolution(&actor, id, &plan)?;
        Ok(())
    })
}

/// Undoes a committed list; returns the fields left as they were changed since.
pub fn undo(store: &mut Store, viewer: &Viewer, id: i64) -> Result<Vec<Text>, AppError> {
    viewer.require(Permission::Analyse)?;
    Ok(store.undo_resolution(&viewer.actor(), id)?)
}

// ---- what the pages and the API show ----

/// An enterprise beside a row: its fields as the atlas has them.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct EnterpriseSide {
    pub id: i64,
    pub name_zh: String,
    pub name_en: String,
    pub credit_code: String,
    pub region: String,
    pub other_names: Vec<String>,
    pub address: String,
    pub phone: String,
    pub legal_representative: String,
}

fn side(e: &Enterprise, lang: Lang) -> EnterpriseSide {
    EnterpriseSide {
        id: e.id.0,
        name_zh: e.name_zh.clone(),
        name_en: e.name_en.clone(),
        credit_code: e.credit_code.to_string(),
        region: region_name(e.region, lang),
        other_names: e.other_names.clone(),
        address: e.address.clone(),
        phone: e.phone.clone(),
        legal_representative: e.legal_representative.clone(),
    }
}

fn region_name(code: chainatlas_model::RegionCode, lang: Lang) -> String {
    let mut chain = vec![code];
    while let Some(parent) = chain.last().and_then(|c| c.implied_parent()) {
        chain.push(parent);
    }
    chain.reverse();
    let names: Vec<String> = chain
        .into_iter()
        .filter_map(chainatlas_model::divisions::get)
        .map(|r| match lang {
            Lang::Zh => r.name_zh.clone(),
            Lang::En => r.name_en.clone(),
        })
        .collect();
    let sep = if lang == Lang::Zh { "" } else { ", " };
    let shown = if lang == Lang::Zh {
        names.join(sep)
    } else {
        names.into_iter().rev().collect::<Vec<_>>().join(sep)
    };
    format!("{shown} {code}")
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CandidateView {
    pub enterprise: EnterpriseSide,
    pub probability: f64,
    pub score: f64,
    /// What each field counted, in the answer's language.
    pub reasons: Vec<String>,
}

/// One row beside its proposal.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RowView {
    pub row: u64,
    /// The row's fields as mapped.
    pub name: String,
    pub credit_code: Option<String>,
    pub region: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub legal_representative: Option<String>,
    pub english_name: Option<String>,
    pub other_names: Vec<String>,
    /// `match`, `review` or `new`.
    pub decision: Option<String>,
    pub confidence: Option<f64>,
    pub candidates: Vec<CandidateView>,
    /// `proposed`, `confirm`, `reject`, `choose` or `skip`.
    pub choice: String,
    /// The enterprise chosen instead (`choose`).
    pub chosen: Option<EnterpriseSide>,
    /// What a commit does with the row, and to which enterprise.
    pub action: Action,
    pub target: Option<i64>,
    /// After the commit: `enriched`, `added`, `unchanged` or `skipped`, and the enterprise.
    pub outcome: Option<String>,
    pub enterprise: Option<i64>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct FieldView {
    pub field: &'static str,
    pub label: String,
    pub required: bool,
    /// The headers it is read from.
    pub columns: Vec<String>,
}

#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct ListCounts {
    pub rows: u64,
    #[serde(rename = "match")]
    pub matched: u64,
    pub review: u64,
    pub new: u64,
    /// Review rows nobody has decided: a commit skips them.
    pub undecided: u64,
    pub enrich: u64,
    pub add: u64,
    pub skip: u64,
}

/// A list as the review page and the API show it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ListView {
    pub id: i64,
    pub file_name: String,
    /// `uploaded`, `review`, `committed` or `undone`.
    pub status: &'static str,
    pub status_label: String,
    pub created_at: String,
    pub created_by: String,
    pub committed_at: Option<String>,
    pub header: Vec<String>,
    pub fields: Vec<FieldView>,
    pub counts: ListCounts,
    /// The rows asked for (`decision`, `offset`, `limit`).
    pub rows: Vec<RowView>,
    /// Rows matching the filter, all pages.
    pub total: u64,
}

/// Which rows to show.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct RowFilter {
    /// `match`, `review`, `new`, or `undecided` (review rows nobody has decided).
    pub decision: Option<String>,
    pub offset: Option<u64>,
    /// At most 500; 50 by default.
    pub limit: Option<u64>,
}

pub fn field_label(field: &str, lang: Lang) -> String {
    let zh = ENTERPRISE_LIST_COLUMNS
        .iter()
        .find(|c| c.field == field)
        .map_or(field, |c| c.label_zh);
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => field.replace('_', " "),
    }
}

pub fn view(
    store: &Store,
    viewer: &Viewer,
    id: i64,
    lang: Lang,
    filter: &RowFilter,
) -> Result<ListView, AppError> {
    viewer.require(Permission::Analyse)?;
    let head = head(store, id)?;
    let rows = store.resolution_rows(id)?;
    let chosen: Vec<(String, String)> = head.mapping.clone();
    // A list not mapped yet shows the recognised mapping; one whose columns cannot be
    // read yet (no name column) shows no fields.
    let mapping = chainatlas_bundle::guess_mapping(&head.header, &chosen).unwrap_or_default();
    let fields = ENTERPRISE_LIST_COLUMNS
        .iter()
        .enumerate()
        .map(|(f, c)| FieldView {
            field: c.field,
            label: field_label(c.field, lang),
            required: c.required && c.field != "id",
            columns: mapping
                .get(f)
                .map(|at| at.iter().map(|&i| head.header[i].clone()).collect())
                .unwrap_or_default(),
        })
        .collect();
    let list = records(&head, &rows, &chosen).ok();
    let by_row: HashMap<u64, &Record> = list
        .as_ref()
        .map(|l| l.rows.iter().copied().zip(&l.records).collect())
        .unwrap_or_default();
    let mut counts = ListCounts {
        rows: rows.len() as u64,
        ..ListCounts::default()
    };
    for r in &rows {
        match r.decision.as_deref() {
            Some("match") => counts.matched += 1,
            Some("review") => {
                counts.review += 1;
                if r.choice == Choice::Proposed {
                    counts.undecided += 1;
                }
            }
            Some("new") => counts.new += 1,
            _ => {}
        }
        if r.decision.is_some() {
            match action_of(r).0 {
                Action::Enrich => counts.enrich += 1,
                Action::Add => counts.add += 1,
                Action::Skip => counts.skip += 1,
            }
        }
    }
    let wanted = |r: &ListRow| match filter.decision.as_deref() {
        None | Some("") | Some("all") => true,
        Some("undecided") => {
            r.decision.as_deref() == Some("review") && r.choice == Choice::Proposed
        }
        Some(d) => r.decision.as_deref() == Some(d),
    };
    let total = rows.iter().filter(|r| wanted(r)).count() as u64;
    let limit = filter.limit.unwrap_or(50).clamp(1, 500) as usize;
    let offset = filter.offset.unwrap_or(0) as usize;
    let mut cache: HashMap<EnterpriseId, Option<Enterprise>> = HashMap::new();
    let mut load = |e: EnterpriseId| -> Result<Option<EnterpriseSide>, AppError> {
        let found = match cache.entry(e) {
            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => v.insert(store.enterprise(e)?),
        };
        Ok(found.as_ref().map(|x| side(x, lang)))
    };
    let mut shown = Vec::new();
    for r in rows.iter().filter(|r| wanted(r)).skip(offset).take(limit) {
        let record = by_row.get(&r.row);
        let kept: Vec<KeptCandidate> = serde_json::from_str(&r.candidates).unwrap_or_default();
        let mut candidates = Vec::new();
        for c in kept {
            if let Some(enterprise) = load(EnterpriseId(c.id))? {
                candidates.push(CandidateView {
                    enterprise,
                    probability: c.probability,
                    score: c.score,
                    reasons: c
                        .reasons
                        .into_iter()
                        .map(|(zh, en)| if lang == Lang::Zh { zh } else { en })
                        .collect(),
                });
            }
        }
        let (action, target) = action_of(r);
        let chosen = match r.chosen {
            Some(e) => load(e)?,
            None => None,
        };
        shown.push(RowView {
            row: r.row,
            name: record.map(|x| x.name.clone()).unwrap_or_default(),
            credit_code: record.and_then(|x| x.credit_code.clone()),
            region: record.and_then(|x| x.region.clone()),
            address: record.and_then(|x| x.address.clone()),
            phone: record.and_then(|x| x.phone.clone()),
            legal_representative: record.and_then(|x| x.legal_representative.clone()),
            english_name: record.and_then(|x| x.english_name.clone()),
            other_names: record.map(|x| x.other_names.clone()).unwrap_or_default(),
            decision: r.decision.clone(),
            confidence: r.confidence,
            candidates,
            choice: r.choice.as_str().to_string(),
            chosen,
            action,
            target: target.map(|e| e.0),
            outcome: r.outcome.clone(),
            enterprise: r.enterprise.map(|e| e.0),
        });
    }
    let (zh, en) = status_label(head.status.as_str());
    Ok(ListView {
        id: head.id,
        file_name: head.file_name.clone(),
        status: head.status.as_str(),
        status_label: if lang == Lang::Zh { zh } else { en }.to_string(),
        created_at: crate::clock::china_time(head.created_at),
        created_by: head.created_by.clone(),
        committed_at: head.committed_at.map(crate::clock::china_time),
        header: head.header.clone(),
        fields,
        counts,
        rows: shown,
        total,
    })
}

/// The lists uploaded, newest first.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ListSummary {
    pub id: i64,
    pub file_name: String,
    pub status: &'static str,
    pub status_label: String,
    pub rows: u64,
    pub created_at: String,
    pub created_by: String,
}

pub fn lists(store: &Store, viewer: &Viewer, lang: Lang) -> Result<Vec<ListSummary>, AppError> {
    viewer.require(Permission::Analyse)?;
    Ok(store
        .resolutions(50)?
        .into_iter()
        .map(|h| {
            let (zh, en) = status_label(h.status.as_str());
            ListSummary {
                id: h.id,
                file_name: h.file_name,
                status: h.status.as_str(),
                status_label: if lang == Lang::Zh { zh } else { en }.to_string(),
                rows: h.rows,
                created_at: crate::clock::china_time(h.created_at),
                created_by: h.created_by,
            }
        })
        .collect())
}

// ---- duplicates and merges ----

/// Two enterprises of the atlas that look like one.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DuplicatePair {
    pub a: EnterpriseSide,
    pub b: EnterpriseSide,
    /// `match` (surely one) or `review`.
    pub decision: &'static str,
    pub confidence: f64,
    pub reasons: Vec<String>,
}

/// The most pairs the duplicates page and API list.
pub const MAX_DUPLICATES: usize = 200;

/// The possible duplicates, found once per facts generation and language (resolving
/// every enterprise against all the others takes a while at province scale); Chinese is
/// `false`, English `true`.
#[derive(Default)]
pub struct Duplicates(crate::cache::GenerationCache<bool, Vec<DuplicatePair>>);

/// Pairs of enterprises in the atlas that the resolver takes for one, surest first;
/// computed once per facts generation.
pub fn duplicates(
    store: &Store,
    cache: &Duplicates,
    viewer: &Viewer,
    lang: Lang,
) -> Result<std::sync::Arc<Vec<DuplicatePair>>, AppError> {
    viewer.require(Permission::Analyse)?;
    cache
        .0
        .get_or_compute(store.facts_generation()?, lang == Lang::En, || {
            find_duplicates(store, lang)
        })
}

fn find_duplicates(store: &Store, lang: Lang) -> Result<Vec<DuplicatePair>, AppError> {
    let mut enterprises = Vec::new();
    store.for_each_enterprise(|e| enterprises.push(e))?;
    let records: Vec<Record> = enterprises.iter().map(Record::of_enterprise).collect();
    let resolver = Resolver::new(&records);
    let weights = resolver.learn_duplicates(SEED);
    Ok(resolver
        .duplicates(&weights)
        .into_iter()
        .take(MAX_DUPLICATES)
        .map(|(a, b, r)| {
            let best = r.candidates.first();
            DuplicatePair {
                a: side(&enterprises[a], lang),
                b: side(&enterprises[b], lang),
                decision: r.decision.as_str(),
                confidence: r.confidence,
                reasons: best
                    .map(|c| {
                        c.contributions
                            .iter()
                            .map(|x| x.text(lang == Lang::En))
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect())
}

/// Merges `merged` into `survivor`; returns the merge's number.
pub fn merge(
    store: &mut Store,
    viewer: &Viewer,
    survivor: &str,
    merged: &str,
) -> Result<i64, AppError> {
    viewer.require(Permission::Analyse)?;
    let id = |raw: &str, which: Text| -> Result<EnterpriseId, AppError> {
        crate::problems::picked_id(raw)
            .trim()
            .parse::<i64>()
            .map(EnterpriseId)
            .map_err(|_| {
                let (zh, en) = (&which.zh, &which.en);
                AppError::parameter(text!(
                    "请选择{zh}（名称 #编号），而不是“{raw}”",
                    "choose the {en} (name #id), not '{raw}'"
                ))
            })
    };
    let keep = id(survivor, text!("保留的企业", "enterprise to keep"))?;
    let drop = id(merged, text!("并入的企业", "enterprise to merge into it"))?;
    for e in [keep, drop] {
        if !store.enterprise_exists(e)? {
            return Err(AppError::new(
                ErrorCode::EnterpriseNotFound,
                text!("没有编号为 {e} 的企业", "no enterprise has id {e}"),
            ));
        }
    }
    Ok(store.merge_enterprises(&viewer.actor(), keep, drop)?)
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MergeView {
    pub id: i64,
    pub survivor: Option<EnterpriseSide>,
    pub merged_id: i64,
    pub merged_name: String,
    pub merged_credit_code: String,
    pub at: String,
    pub actor: String,
    pub undone: bool,
    /// Rows moved to the survivor: what they are, in the answer's language, and how many.
    pub moved: Vec<(String, u64)>,
    pub removed_nodes: u64,
    pub removed_relations: u64,
}

pub fn merge_view(
    store: &Store,
    viewer: &Viewer,
    id: i64,
    lang: Lang,
) -> Result<MergeView, AppError> {
    viewer.require(Permission::Analyse)?;
    let Some(MergeHead {
        id,
        survivor,
        merged,
        merged_name,
        merged_credit_code,
        at,
        actor,
        undone_at,
        moved,
        removed_nodes,
        removed_relations,
    }) = store.merge(id)?
    else {
        return Err(ResolutionError::NotFound.into());
    };
    Ok(MergeView {
        id,
        survivor: store.enterprise(survivor)?.map(|e| side(&e, lang)),
        merged_id: merged.0,
        merged_name,
        merged_credit_code,
        at: crate::clock::china_time(at),
        actor,
        undone: undone_at.is_some(),
        moved: moved
            .into_iter()
            .map(|(table, n)| (table_label(&table, lang), n))
            .collect(),
        removed_nodes,
        removed_relations,
    })
}

/// What the rows of a table a merge moves are, for people.
fn table_label(table: &str, lang: Lang) -> String {
    let (zh, en) = match table {
        "enterprise_nodes" => ("所在环节", "chain nodes it is in"),
        "supply_relations" => ("供应关系", "supply relations"),
        "listings" => ("供需信息", "listings"),
        "event_participants" => ("对接会报名", "event registrations"),
        "agreements" => ("合作项目", "agreements"),
        "users" => ("绑定的用户", "users acting for it"),
        other => (other, other),
    };
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
    .to_string()
}

pub fn undo_merge(store: &mut Store, viewer: &Viewer, id: i64) -> Result<(), AppError> {
    viewer.require(Permission::Analyse)?;
    Ok(store.undo_merge(&viewer.actor(), id)?)
}

/// Two enterprises side by side, before a merge.
pub fn pair(
    store: &Store,
    viewer: &Viewer,
    a: i64,
    b: i64,
    lang: Lang,
) -> Result<[EnterpriseSide; 2], AppError> {
    viewer.require(Permission::Analyse)?;
    let get = |id: i64| -> Result<EnterpriseSide, AppError> {
        store
            .enterprise(EnterpriseId(id))?
            .map(|e| side(&e, lang))
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::EnterpriseNotFound,
                    text!("没有编号为 {id} 的企业", "no enterprise has id {id}"),
                )
            })
    };
    Ok([get(a)?, get(b)?])
}
