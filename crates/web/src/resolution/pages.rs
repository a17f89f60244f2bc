//! `/resolutions`: upload any enterprise list; `/resolutions/{id}`: map its columns,
//! review every proposed match side by side (confirm, reject, choose another, skip),
//! commit, undo. `/duplicates`: enterprises of the atlas that look like one;
//! `/merges/new`, `/merges/{id}`: merge two, and undo the merge.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use crate::core::auth::Viewer;
use crate::core::form::PageForm;
use crate::core::i18n::{Lang, PageLang};
use crate::core::layout::{posted, render, Layout, OrPage, PageError};
use crate::core::AppState;
use chainatlas_app::resolution::{
    self as res, DuplicatePair, EnterpriseSide, ListSummary, ListView, MergeView, RowFilter,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/resolutions", get(lists_page))
        .route("/resolutions/{id}", get(list_page))
        .route("/resolutions/{id}/mapping", post(map))
        .route("/resolutions/{id}/rows", post(choose_all))
        .route("/resolutions/{id}/rows/{row}", post(choose))
        .route("/resolutions/{id}/commit", post(commit))
        .route("/resolutions/{id}/undo", post(undo))
        .route("/duplicates", get(duplicates_page))
        .route("/merges/new", get(new_merge_page))
        .route("/merges", post(merge))
        .route("/merges/{id}", get(merge_page))
        .route("/merges/{id}/undo", post(undo_merge))
}

/// The words of these pages.
pub struct Words {
    pub heading: &'static str,
    pub intro: &'static str,
    pub file: &'static str,
    pub upload: &'static str,
    pub uploading: &'static str,
    pub recent: &'static str,
    pub file_name: &'static str,
    pub rows: &'static str,
    pub status: &'static str,
    pub uploaded_at: &'static str,
    pub by: &'static str,
    pub mapping: &'static str,
    pub mapping_hint: &'static str,
    pub field: &'static str,
    pub column: &'static str,
    pub not_mapped: &'static str,
    pub resolve: &'static str,
    pub resolve_again: &'static str,
    pub proposals: &'static str,
    pub matched: &'static str,
    pub to_review: &'static str,
    pub new: &'static str,
    pub undecided: &'static str,
    pub all: &'static str,
    pub row: &'static str,
    pub in_list: &'static str,
    pub in_atlas: &'static str,
    pub decision: &'static str,
    pub confidence: &'static str,
    pub reasons: &'static str,
    pub action: &'static str,
    pub confirm: &'static str,
    pub reject: &'static str,
    pub choose: &'static str,
    pub choose_hint: &'static str,
    pub skip: &'static str,
    pub reset: &'static str,
    pub for_these: &'static str,
    pub other_candidates: &'static str,
    pub no_candidate: &'static str,
    pub commit: &'static str,
    pub commit_hint: &'static str,
    pub committed: &'static str,
    pub undo: &'static str,
    pub undo_hint: &'static str,
    pub undone: &'static str,
    pub outcome: &'static str,
    pub enriched: &'static str,
    pub added: &'static str,
    pub unchanged: &'static str,
    pub skipped: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub name: &'static str,
    pub credit_code: &'static str,
    pub region: &'static str,
    pub address: &'static str,
    pub phone: &'static str,
    pub legal_representative: &'static str,
    pub other_names: &'static str,
    pub english_name: &'static str,
    pub duplicates: &'static str,
    pub duplicates_intro: &'static str,
    pub no_duplicates: &'static str,
    pub merge: &'static str,
    pub merge_heading: &'static str,
    pub merge_intro: &'static str,
    pub keep: &'static str,
    pub merge_in: &'static str,
    pub swap: &'static str,
    pub confirm_merge: &'static str,
    pub merged_heading: &'static str,
    pub moved: &'static str,
    pub removed_nodes: &'static str,
    pub removed_relations: &'static str,
    pub undo_merge: &'static str,
    pub merge_undone: &'static str,
    pub survivor_gone: &'static str,
    pub table: &'static str,
    pub count: &'static str,
}

static ZH: Words = Words {
    heading: "企业名单比对",
    intro: "上传任意来源的企业名单（.xlsx 或 .csv，第一行为表头，最多 20,000 行）：市场监管登记、园区名录、协会会员、对接会报名表都可以。系统识别各列，把每一行与图谱中的企业比对，给出“匹配”“待复核”“新企业”的建议和理由；复核后一次提交：匹配的行补充到已有企业（只填空白字段，名单中的名称记为别名，不覆盖已有数据），新企业新增入库。提交可以撤销。",
    file: "名单文件",
    upload: "上传名单",
    uploading: "正在上传……",
    recent: "最近的名单",
    file_name: "文件",
    rows: "行数",
    status: "状态",
    uploaded_at: "上传时间",
    by: "上传人",
    mapping: "列映射",
    mapping_hint: "系统按表头识别了下列各列；如有不对，请改选后重新比对。企业名称必填；没有编号列时以行号为编号。",
    field: "字段",
    column: "名单中的列",
    not_mapped: "（不使用）",
    resolve: "按此映射比对",
    resolve_again: "重新比对（将清除已做的复核）",
    proposals: "比对结果",
    matched: "匹配",
    to_review: "待复核",
    new: "新企业",
    undecided: "尚未复核",
    all: "全部",
    row: "行",
    in_list: "名单中",
    in_atlas: "图谱中",
    decision: "建议",
    confidence: "置信度",
    reasons: "理由",
    action: "提交时",
    confirm: "确认匹配",
    reject: "不是同一家（作为新企业）",
    choose: "改选企业",
    choose_hint: "输入企业名称选择",
    skip: "跳过此行",
    reset: "恢复建议",
    for_these: "对筛选出的这些行：",
    other_candidates: "其他候选",
    no_candidate: "图谱中没有相近的企业",
    commit: "提交",
    commit_hint: "提交后：补充 {enrich} 家已有企业、新增 {add} 家、跳过 {skip} 行（其中 {undecided} 行待复核未决定）。全部写入或全部不写。",
    committed: "已提交",
    undo: "撤销这次提交",
    undo_hint: "删除这次新增的企业（仍被引用的企业不能删除），把补充的字段恢复原值（此后被修改过的字段保留现值）。",
    undone: "已撤销",
    outcome: "结果",
    enriched: "已补充",
    added: "已新增",
    unchanged: "无需改变",
    skipped: "已跳过",
    previous: "上一页",
    next: "下一页",
    name: "企业名称",
    credit_code: "统一社会信用代码",
    region: "地区",
    address: "地址",
    phone: "电话",
    legal_representative: "法定代表人",
    other_names: "别名",
    english_name: "英文名称",
    duplicates: "疑似重复企业",
    duplicates_intro: "用同一比对模型在图谱内部查找疑似同一家的企业，按置信度从高到低列出（最多 200 对）。合并前请核对两边信息。",
    no_duplicates: "没有发现疑似重复的企业。",
    merge: "合并",
    merge_heading: "合并两家企业",
    merge_intro: "并入的企业的所属环节、供应关系、供需信息、对接会报名、合作项目和绑定用户都转到保留的企业；两家都在的环节保留“保留企业”的产值；两家之间的供应关系删除；并入企业的名称记为别名，空白字段由它补充；然后删除并入的企业。合并可以撤销。",
    keep: "保留的企业",
    merge_in: "并入的企业",
    swap: "对调",
    confirm_merge: "确认合并",
    merged_heading: "合并记录",
    moved: "转移的记录",
    removed_nodes: "移除的重复环节",
    removed_relations: "移除的两家之间的供应关系",
    undo_merge: "撤销合并",
    merge_undone: "已撤销：并入的企业已恢复，转移的记录已归还。",
    survivor_gone: "保留的企业已不存在",
    table: "数据",
    count: "条数",
};

static EN: Words = Words {
    heading: "Enterprise lists",
    intro: "Upload an enterprise list from any source (.xlsx or .csv, the header on the first row, at most 20,000 rows): a registry extract, a park's roster, an association's members, an event's sign-up sheet. Its columns are recognised and every row is compared with the atlas's enterprises: match, review or new, with the reasons. After review, commit once: matched rows enrich their enterprise (empty fields filled, the list's name kept as another name, nothing overwritten) and new ones are added. A commit can be undone.",
    file: "List file",
    upload: "Upload the list",
    uploading: "Uploading…",
    recent: "Recent lists",
    file_name: "File",
    rows: "Rows",
    status: "Status",
    uploaded_at: "Uploaded",
    by: "By",
    mapping: "Column mapping",
    mapping_hint: "These columns were recognised by their headers; correct any and resolve again. The name is required; without an id column the row number is the id.",
    field: "Field",
    column: "Column in the list",
    not_mapped: "(not used)",
    resolve: "Resolve with this mapping",
    resolve_again: "Resolve again (clears the review so far)",
    proposals: "Proposals",
    matched: "Match",
    to_review: "Review",
    new: "New",
    undecided: "Not reviewed",
    all: "All",
    row: "Row",
    in_list: "In the list",
    in_atlas: "In the atlas",
    decision: "Proposal",
    confidence: "Confidence",
    reasons: "Reasons",
    action: "On commit",
    confirm: "Confirm the match",
    reject: "Not the same (add as new)",
    choose: "Choose another",
    choose_hint: "type an enterprise's name",
    skip: "Skip the row",
    reset: "Back to the proposal",
    for_these: "For all these rows:",
    other_candidates: "Other candidates",
    no_candidate: "No similar enterprise in the atlas",
    commit: "Commit",
    commit_hint: "On commit: {enrich} enterprises enriched, {add} added, {skip} rows skipped ({undecided} of them review rows not decided). All or nothing.",
    committed: "Committed",
    undo: "Undo this commit",
    undo_hint: "Deletes the enterprises it added (refused for one still referred to) and puts back the fields it filled (a field changed since keeps its value).",
    undone: "Undone",
    outcome: "Outcome",
    enriched: "enriched",
    added: "added",
    unchanged: "unchanged",
    skipped: "skipped",
    previous: "Previous",
    next: "Next",
    name: "Name",
    credit_code: "Credit code",
    region: "Region",
    address: "Address",
    phone: "Phone",
    legal_representative: "Legal representative",
    other_names: "Other names",
    english_name: "English name",
    duplicates: "Possible duplicates",
    duplicates_intro: "The same model, run within the atlas: enterprises that look like one, surest first (at most 200 pairs). Check both sides before merging.",
    no_duplicates: "No possible duplicates found.",
    merge: "Merge",
    merge_heading: "Merge two enterprises",
    merge_intro: "The merged enterprise's nodes, supply relations, listings, event registrations, agreements and users move to the one kept; a node both are in keeps the kept one's figures; relations between the two are removed; the merged one's names become other names and fill its empty fields; then the merged enterprise is deleted. A merge can be undone.",
    keep: "Enterprise to keep",
    merge_in: "Enterprise to merge into it",
    swap: "Swap",
    confirm_merge: "Confirm the merge",
    merged_heading: "Merge",
    moved: "Records moved",
    removed_nodes: "Duplicate nodes removed",
    removed_relations: "Supply relations between the two removed",
    undo_merge: "Undo the merge",
    merge_undone: "Undone: the merged enterprise is back and the records moved are returned.",
    survivor_gone: "The enterprise kept no longer exists",
    table: "Data",
    count: "Rows",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

#[derive(Template)]
#[template(path = "resolution/lists.html")]
struct ListsPage {
    layout: Layout,
    w: &'static Words,
    lists: Vec<ListSummary>,
}

/// A field's row in the mapping form: the header chosen, and every header to choose.
pub struct MappingRow {
    pub field: &'static str,
    pub label: String,
    pub required: bool,
    /// A field read from several columns (region, other names) shows one select each.
    pub chosen: Vec<String>,
}

#[derive(Template)]
#[template(path = "resolution/list.html")]
struct ListPage {
    layout: Layout,
    w: &'static Words,
    l: ListView,
    mapping: Vec<MappingRow>,
    filter: String,
    offset: u64,
    limit: u64,
    commit_hint: String,
    error: Option<String>,
    kept: Vec<String>,
}

impl ListPage {
    fn decision_label(&self, d: &Option<String>) -> &'static str {
        match d.as_deref() {
            Some("match") => self.w.matched,
            Some("review") => self.w.to_review,
            Some("new") => self.w.new,
            _ => "",
        }
    }

    fn outcome_label(&self, o: &Option<String>) -> &'static str {
        match o.as_deref() {
            Some("enriched") => self.w.enriched,
            Some("added") => self.w.added,
            Some("unchanged") => self.w.unchanged,
            Some("skipped") => self.w.skipped,
            _ => "",
        }
    }

    fn action_label(&self, a: &res::Action) -> &'static str {
        a.label(self.layout.lang)
    }

    fn percent(&self, p: &Option<f64>) -> String {
        p.as_ref().map(|p| self.percent_of(p)).unwrap_or_default()
    }

    fn percent_of(&self, p: &f64) -> String {
        format!("{:.1}%", p * 100.0)
    }

    fn previous_offset(&self) -> u64 {
        self.offset.saturating_sub(self.limit)
    }

    fn has_next(&self) -> bool {
        self.offset + self.limit < self.l.total
    }

    fn filter_href(&self, decision: &str) -> String {
        format!("/resolutions/{}?decision={decision}", self.l.id)
    }

    fn page_href(&self, offset: u64) -> String {
        format!(
            "/resolutions/{}?decision={}&offset={offset}",
            self.l.id, self.filter
        )
    }

    fn in_review(&self) -> bool {
        self.l.status == "review"
    }
}

#[derive(Deserialize, Default)]
struct ListQuery {
    decision: Option<String>,
    offset: Option<u64>,
}

async fn lists_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
) -> Result<Response, PageError> {
    let v = viewer.viewer.clone();
    let lists = state
        .read(move |store| res::lists(store, &v, lang))
        .await
        .or_page(lang, &uri, &viewer)?;
    let w = words(lang);
    Ok(render(&ListsPage {
        layout: Layout::new(lang, w.heading, &uri, &viewer),
        w,
        lists,
    }))
}

/// Who asks, in which language, for which page.
#[derive(Clone)]
struct Asking {
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
}

fn list_page_of(
    store: &chainatlas_store::Store,
    asking: &Asking,
    id: i64,
    q: &ListQuery,
    error: Option<String>,
    kept: Vec<String>,
) -> Result<ListPage, chainatlas_app::AppError> {
    const LIMIT: u64 = 50;
    let Asking { lang, uri, viewer } = asking;
    let lang = *lang;
    let filter = RowFilter {
        decision: q.decision.clone(),
        offset: q.offset,
        limit: Some(LIMIT),
    };
    let l = res::view(store, &viewer.viewer, id, lang, &filter)?;
    let w = words(lang);
    let mapping = l
        .fields
        .iter()
        .map(|f| {
            let several = f.field == "region" || f.field == "other_names";
            let mut chosen = f.columns.clone();
            if several || chosen.is_empty() {
                chosen.push(String::new());
            }
            MappingRow {
                field: f.field,
                label: f.label.clone(),
                required: f.required,
                chosen,
            }
        })
        .collect();
    let c = &l.counts;
    let commit_hint = w
        .commit_hint
        .replace("{enrich}", &c.enrich.to_string())
        .replace("{add}", &c.add.to_string())
        .replace("{skip}", &c.skip.to_string())
        .replace("{undecided}", &c.undecided.to_string());
    Ok(ListPage {
        layout: Layout::new(
            lang,
            format!("{} · {}", w.heading, l.file_name),
            uri,
            viewer,
        ),
        w,
        mapping,
        filter: q.decision.clone().unwrap_or_else(|| "all".into()),
        offset: q.offset.unwrap_or(0),
        limit: LIMIT,
        commit_hint,
        error,
        kept,
        l,
    })
}

async fn list_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let asking = Asking {
        lang,
        uri: uri.clone(),
        viewer: viewer.clone(),
    };
    let page = state
        .read(move |store| list_page_of(store, &asking, id, &q, None, Vec::new()))
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(render(&page))
}

/// A form's field as sent, or empty.
fn field(sent: &[(String, String)], name: &str) -> String {
    sent.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// The mapping form: `map.<field>` once per column chosen; an empty value is no column.
fn chosen_mapping(sent: &[(String, String)]) -> Vec<(String, String)> {
    sent.iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("map.")?, v)))
        .flat_map(|(field, joined)| {
            joined
                .split(';')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(|c| (field.to_string(), c.to_string()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Runs a list's write, then back to its page; a refusal shows the page with the reason.
async fn list_write(
    state: AppState,
    asking: Asking,
    id: i64,
    back: ListQuery,
    anchor: String,
    write: impl FnOnce(
            &mut chainatlas_store::Store,
            &chainatlas_app::Viewer,
        ) -> Result<Vec<String>, chainatlas_app::AppError>
        + Send
        + 'static,
) -> Result<Response, PageError> {
    let (lang, uri, viewer) = (asking.lang, asking.uri.clone(), asking.viewer.clone());
    let result = state
        .write(move |store| {
            let done = write(store, &asking.viewer.viewer);
            if let Ok(kept) = &done {
                if !kept.is_empty() {
                    let page = list_page_of(store, &asking, id, &back, None, kept.clone())?;
                    return Ok(render(&page));
                }
            }
            let next = |_: &Vec<String>| {
                let mut next = format!("/resolutions/{id}");
                if let Some(d) = &back.decision {
                    next.push_str(&format!(
                        "?decision={d}&offset={}",
                        back.offset.unwrap_or(0)
                    ));
                }
                next.push_str(&anchor);
                next
            };
            let again =
                |error: String| list_page_of(store, &asking, id, &back, Some(error), Vec::new());
            Ok(posted(done, lang, true, next, again)?.into_response())
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(result)
}

async fn map(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(id): Path<i64>,
    PageForm(sent): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let chosen = chosen_mapping(&sent);
    list_write(
        state,
        Asking { lang, uri, viewer },
        id,
        ListQuery::default(),
        String::new(),
        move |store, v| res::propose(store, v, id, &chosen).map(|()| Vec::new()),
    )
    .await
}

async fn choose(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path((id, row)): Path<(i64, u64)>,
    PageForm(sent): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |name: &str| field(&sent, name);
    let (choice, enterprise) = (get("choice"), get("enterprise"));
    let back = ListQuery {
        decision: Some(get("decision")).filter(|d| !d.is_empty()),
        offset: get("offset").parse().ok(),
    };
    list_write(
        state,
        Asking { lang, uri, viewer },
        id,
        back,
        format!("#row-{row}"),
        move |store, v| res::choose(store, v, id, row, &choice, &enterprise).map(|()| Vec::new()),
    )
    .await
}

async fn choose_all(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(id): Path<i64>,
    PageForm(sent): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |name: &str| field(&sent, name);
    let (decision, choice) = (get("decision"), get("choice"));
    let back = ListQuery {
        decision: Some(decision.clone()),
        offset: None,
    };
    list_write(
        state,
        Asking { lang, uri, viewer },
        id,
        back,
        String::new(),
        move |store, v| res::choose_all(store, v, id, &decision, &choice).map(|_| Vec::new()),
    )
    .await
}

async fn commit(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    list_write(
        state,
        Asking { lang, uri, viewer },
        id,
        ListQuery::default(),
        String::new(),
        move |store, v| res::commit(store, v, id).map(|()| Vec::new()),
    )
    .await
}

async fn undo(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    list_write(
        state,
        Asking { lang, uri, viewer },
        id,
        ListQuery::default(),
        String::new(),
        move |store, v| {
            res::undo(store, v, id)
                .map(|kept| kept.iter().map(|t| t.get(lang).to_string()).collect())
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "resolution/duplicates.html")]
struct DuplicatesPage {
    layout: Layout,
    w: &'static Words,
    pairs: std::sync::Arc<Vec<DuplicatePair>>,
}

impl DuplicatesPage {
    fn percent(&self, p: &f64) -> String {
        format!("{:.1}%", p * 100.0)
    }
}

async fn duplicates_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
) -> Result<Response, PageError> {
    let v = viewer.viewer.clone();
    let cache = state.app.duplicates.clone();
    let pairs = state
        .read(move |store| res::duplicates(store, &cache, &v, lang))
        .await
        .or_page(lang, &uri, &viewer)?;
    let w = words(lang);
    Ok(render(&DuplicatesPage {
        layout: Layout::new(lang, w.duplicates, &uri, &viewer),
        w,
        pairs,
    }))
}

#[derive(Template)]
#[template(path = "resolution/merge_new.html")]
struct NewMergePage {
    layout: Layout,
    w: &'static Words,
    keep: EnterpriseSide,
    drop: EnterpriseSide,
    error: Option<String>,
}

/// The two enterprises: ids, or a picker's `名称 #id`.
#[derive(Deserialize)]
struct PairQuery {
    keep: String,
    drop: String,
}

fn picked(raw: &str) -> Result<i64, chainatlas_app::AppError> {
    chainatlas_app::problems::picked_id(raw)
        .trim()
        .parse()
        .map_err(|_| {
            chainatlas_app::AppError::parameter(chainatlas_app::text!(
                "请选择一家企业（名称 #编号），而不是“{raw}”",
                "choose an enterprise (name #id), not '{raw}'"
            ))
        })
}

async fn new_merge_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Query(q): Query<PairQuery>,
) -> Result<Response, PageError> {
    let v = viewer.viewer.clone();
    let [keep, drop] = state
        .read(move |store| res::pair(store, &v, picked(&q.keep)?, picked(&q.drop)?, lang))
        .await
        .or_page(lang, &uri, &viewer)?;
    let w = words(lang);
    Ok(render(&NewMergePage {
        layout: Layout::new(lang, w.merge_heading, &uri, &viewer),
        w,
        keep,
        drop,
        error: None,
    }))
}

async fn merge(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    PageForm(sent): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |name: &str| field(&sent, name);
    let (keep, drop) = (get("keep"), get("drop"));
    let (u, v) = (uri.clone(), viewer.clone());
    let result = state
        .write(move |store| {
            let done = res::merge(store, &v.viewer, &keep, &drop);
            let again = |error: String| {
                let [k, d] = res::pair(store, &v.viewer, picked(&keep)?, picked(&drop)?, lang)?;
                let w = words(lang);
                Ok(NewMergePage {
                    layout: Layout::new(lang, w.merge_heading, &u, &v),
                    w,
                    keep: k,
                    drop: d,
                    error: Some(error),
                })
            };
            posted(done, lang, true, |id| format!("/merges/{id}"), again)
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(result.into_response())
}

#[derive(Template)]
#[template(path = "resolution/merge.html")]
struct MergePage {
    layout: Layout,
    w: &'static Words,
    m: MergeView,
    error: Option<String>,
}

fn merge_page_of(
    store: &chainatlas_store::Store,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    id: i64,
    error: Option<String>,
) -> Result<MergePage, chainatlas_app::AppError> {
    let m = res::merge_view(store, &viewer.viewer, id, lang)?;
    let w = words(lang);
    Ok(MergePage {
        layout: Layout::new(lang, w.merged_heading, uri, viewer),
        w,
        m,
        error,
    })
}

async fn merge_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let (u, v) = (uri.clone(), viewer.clone());
    let page = state
        .read(move |store| merge_page_of(store, lang, &u, &v, id, None))
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(render(&page))
}

async fn undo_merge(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let (u, v) = (uri.clone(), viewer.clone());
    let result = state
        .write(move |store| {
            let done = res::undo_merge(store, &v.viewer, id);
            let again = |error: String| merge_page_of(store, lang, &u, &v, id, Some(error));
            posted(done, lang, true, |()| format!("/merges/{id}"), again)
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(result.into_response())
}
