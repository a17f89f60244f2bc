//! Server-rendered HTML pages. Every visible word comes from `i18n::Texts`; every value
//! is escaped by the templates.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use chainatlas_auth::Permission;
use chainatlas_model::{Money, Region, RegionCode, RegionLevel, Segment, Tag, Tags};
use chainatlas_store::{ChainSummary, Counts};

use crate::auth::Viewer;
use crate::error::{AppError, HttpStatus};
use crate::i18n::{Lang, LangTexts, PageLang, Texts};
use crate::view;
use crate::AppState;
use chainatlas_app::format::wan;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard))
        .route("/chains", get(chains))
        .route("/chains/{code}", get(chain_page))
        .merge(crate::pages_diagnostics::routes())
        .merge(crate::pages_listings::routes())
        .merge(crate::pages_events::routes())
        .route("/nodes/{id}", get(node_page))
        .route("/enterprises/{id}", get(enterprise_page))
        .route("/lang/{lang}", get(switch_language))
        .route("/admin/audit", get(audit_page))
}

/// What the layout around every page needs.
pub struct Layout {
    pub lang: Lang,
    pub t: &'static Texts,
    pub title: String,
    pub switch_href: String,
    /// The signed-in user's name, if any.
    pub user: Option<String>,
    /// The session's CSRF token, for the sign-out form.
    pub csrf: String,
    pub is_admin: bool,
}

impl Layout {
    pub fn new(lang: Lang, title: impl Into<String>, uri: &Uri, viewer: &Viewer) -> Layout {
        let here = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        Layout {
            lang,
            t: lang.texts(),
            title: title.into(),
            switch_href: format!(
                "/lang/{}?next={}",
                lang.other().param(),
                percent_encode(here)
            ),
            user: viewer.principal.as_ref().map(|p| p.username.clone()),
            csrf: viewer.csrf.clone().unwrap_or_default(),
            is_admin: viewer.may(Permission::ManageUsers),
        }
    }
}

pub(crate) fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%' && i + 2 < bytes.len())
            .then(|| {
                std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .flatten();
        match escaped {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn segment_name(t: &Texts, segment: Segment) -> &'static str {
    match segment {
        Segment::Upstream => t.upstream,
        Segment::Midstream => t.midstream,
        Segment::Downstream => t.downstream,
    }
}

fn tag_label(lang: Lang, tag: Tag) -> &'static str {
    match (lang, tag) {
        (Lang::Zh, Tag::ChainMaster) => "链主",
        (Lang::Zh, Tag::SpecializedNew) => "专精特新",
        (Lang::Zh, Tag::HighTech) => "高新技术",
        (Lang::Zh, Tag::Listed) => "上市",
        (Lang::En, Tag::ChainMaster) => "chain master",
        (Lang::En, Tag::SpecializedNew) => "specialized & new",
        (Lang::En, Tag::HighTech) => "high-tech",
        (Lang::En, Tag::Listed) => "listed",
    }
}

fn tag_labels(lang: Lang, tags: Tags) -> Vec<&'static str> {
    tags.iter().map(|t| tag_label(lang, t)).collect()
}

/// An option of the region picker.
pub struct RegionOption {
    pub code: String,
    pub label: String,
    pub selected: bool,
}

pub(crate) fn region_options(
    lang: Lang,
    regions: &[Region],
    selected: Option<RegionCode>,
) -> Vec<RegionOption> {
    regions
        .iter()
        .map(|r| {
            let indent = match r.level {
                RegionLevel::Province => "",
                RegionLevel::City => "\u{3000}",
                RegionLevel::District => "\u{3000}\u{3000}",
            };
            RegionOption {
                code: r.code.to_string(),
                label: format!("{indent}{} {}", lang.pick(&r.name_zh, &r.name_en), r.code),
                selected: Some(r.code) == selected,
            }
        })
        .collect()
}

fn region_label(lang: Lang, region: &Option<Region>) -> String {
    match region {
        Some(r) => lang.pick(&r.name_zh, &r.name_en).to_string(),
        None => lang.texts().all_regions.to_string(),
    }
}

fn region_query(region: &Option<Region>) -> String {
    region
        .as_ref()
        .map(|r| format!("?region={}", r.code))
        .unwrap_or_default()
}

/// An error shown as a page, in the visitor's language.
pub struct PageError {
    error: AppError,
    layout: Box<Layout>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    layout: &'a Layout,
    heading: &'a str,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let t = self.layout.t;
        let heading = match self.error {
            AppError::NotFound(_) => t.not_found,
            AppError::BadRequest(_) | AppError::Conflict(_) | AppError::TooLarge(_) => {
                t.bad_request
            }
            AppError::Forbidden(_) => t.forbidden,
            AppError::Internal(_) => t.internal,
        };
        let page = ErrorPage {
            layout: &self.layout,
            heading,
            message: self.error.public_message(),
        };
        (self.error.status(), render(&page)).into_response()
    }
}

pub(crate) fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            eprintln!("internal error: rendering a page: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

pub(crate) trait OrPage<T> {
    fn or_page(self, lang: Lang, uri: &Uri, viewer: &Viewer) -> Result<T, PageError>;
}

impl<T> OrPage<T> for Result<T, AppError> {
    fn or_page(self, lang: Lang, uri: &Uri, viewer: &Viewer) -> Result<T, PageError> {
        self.map_err(|error| PageError {
            error,
            layout: Box::new(Layout::new(lang, lang.texts().app_name, uri, viewer)),
        })
    }
}

pub async fn not_found(PageLang(lang): PageLang, uri: Uri, viewer: Viewer) -> PageError {
    let error = AppError::NotFound(format!("{}: {}", lang.texts().not_found, uri.path()));
    PageError {
        error,
        layout: Box::new(Layout::new(lang, lang.texts().not_found, &uri, &viewer)),
    }
}

async fn switch_language(
    Path(lang): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let value = if lang == "en" { "en" } else { "zh" };
    // Only paths of this site: never an open redirect to another. The query string was
    // decoded once already, which gives back the path as the page had it.
    let next = match crate::auth::local_target(params.get("next").map(String::as_str)) {
        Ok(next) => next,
        Err(refused) => return refused.into_response(),
    };
    let cookie = format!("lang={value}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly");
    ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
}

pub struct ChainRow {
    pub code: String,
    pub name: String,
    pub nodes: u64,
    pub enterprises: u64,
    pub output: String,
}

/// Chain rows; output totals only for those who may read business figures.
fn chain_rows(lang: Lang, summaries: &[ChainSummary], show_values: bool) -> Vec<ChainRow> {
    summaries
        .iter()
        .map(|s| ChainRow {
            code: s.chain.code.clone(),
            name: lang.pick(&s.chain.name_zh, &s.chain.name_en).to_string(),
            nodes: s.nodes,
            enterprises: s.enterprises,
            output: shown(show_values, lang, s.output),
        })
        .collect()
}

/// A money figure in 万元, or a dash where the viewer may not see it.
fn shown(visible: bool, lang: Lang, money: Money) -> String {
    if visible {
        wan(money)
    } else {
        lang.texts().hidden.to_string()
    }
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    layout: Layout,
    counts: Counts,
    chain_masters: u64,
    synthetic: bool,
    chains: Vec<ChainRow>,
}

#[derive(Template)]
#[template(path = "landing.html")]
struct Landing {
    layout: Layout,
}

/// `/`: the public landing page for visitors, the dashboard for signed-in users.
async fn dashboard(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
) -> Result<Response, PageError> {
    if viewer.principal.is_none() {
        let page = Landing {
            layout: Layout::new(lang, lang.texts().app_name, &uri, &viewer),
        };
        return Ok(render(&page));
    }
    let show_values = viewer.may(Permission::ReadAllPrivateData);
    let caches = state.app.caches.clone();
    let (overview, summaries) = state
        .read(move |store| {
            Ok((
                caches.overview(store)?,
                caches.chain_summaries(store, None)?,
            ))
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    let page = Dashboard {
        layout: Layout::new(lang, lang.texts().dashboard_title, &uri, &viewer),
        counts: overview.counts,
        chain_masters: overview.chain_masters,
        synthetic: overview.synthetic,
        chains: chain_rows(lang, &summaries, show_values),
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "chains.html")]
struct ChainsPage {
    layout: Layout,
    region_name: String,
    region_query: String,
    regions: Vec<RegionOption>,
    chains: Vec<ChainRow>,
}

async fn chains(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let code = view::parse_region(params.get("region").map(String::as_str))
        .or_page(lang, &uri, &viewer)?;
    let show_values = viewer.may(Permission::ReadAllPrivateData);
    let caches = state.app.caches.clone();
    let (region, regions, summaries) = state
        .read(move |store| {
            Ok((
                view::region(store, code)?,
                store.regions()?,
                caches.chain_summaries(store, code)?,
            ))
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    let page = ChainsPage {
        layout: Layout::new(lang, lang.texts().nav_chains, &uri, &viewer),
        region_name: region_label(lang, &region),
        region_query: region_query(&region),
        regions: region_options(lang, &regions, code),
        chains: chain_rows(lang, &summaries, show_values),
    };
    Ok(render(&page))
}

pub struct MapNodeRow {
    pub id: i64,
    pub name: String,
    pub segment: &'static str,
    pub enterprises: u64,
    pub output: String,
}

#[derive(Template)]
#[template(path = "chain.html")]
struct ChainPage {
    layout: Layout,
    chain_code: String,
    may_analyse: bool,
    chain_name: String,
    region_name: String,
    region_query: String,
    regions: Vec<RegionOption>,
    nodes: Vec<MapNodeRow>,
    map_json: String,
}

/// JSON for a `<script type="application/json">` block: `<` is escaped so that no
/// value can close the script element.
pub(crate) fn script_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value)
        .expect("serializable")
        .replace('<', "\\u003c")
}

async fn chain_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(code): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let region_code = view::parse_region(params.get("region").map(String::as_str))
        .or_page(lang, &uri, &viewer)?;
    let (map, regions) = state
        .read(move |store| {
            Ok((
                view::chain_map(store, &code, region_code)?,
                store.regions()?,
            ))
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    let show_values = viewer.may(Permission::ReadAllPrivateData);
    let t = lang.texts();
    let chain_name = lang
        .pick(&map.chain.name_zh, &map.chain.name_en)
        .to_string();
    let nodes = map
        .nodes
        .iter()
        .map(|(n, p)| MapNodeRow {
            id: n.id.0,
            name: lang.pick(&n.name_zh, &n.name_en).to_string(),
            segment: segment_name(t, n.segment),
            enterprises: p.enterprises,
            output: shown(show_values, lang, p.output),
        })
        .collect();
    let page = ChainPage {
        layout: Layout::new(
            lang,
            format!("{chain_name} · {}", t.chain_map),
            &uri,
            &viewer,
        ),
        region_name: region_label(lang, &map.region),
        region_query: region_query(&map.region),
        regions: region_options(lang, &regions, region_code),
        nodes,
        map_json: script_json(&crate::api::ChainMapDto::for_viewer(&map, show_values)),
        chain_code: map.chain.code.clone(),
        may_analyse: viewer.may(Permission::Analyse),
        chain_name,
    };
    Ok(render(&page))
}

pub struct NodeLink {
    pub id: i64,
    pub name: String,
}

pub struct EnterpriseRow {
    pub id: i64,
    pub name: String,
    pub region: String,
    pub tags: Vec<&'static str>,
    pub output: String,
    pub capacity: String,
}

#[derive(Template)]
#[template(path = "node.html")]
struct NodePage {
    layout: Layout,
    node_id: i64,
    node_name: String,
    segment: &'static str,
    chain_code: String,
    chain_name: String,
    region_name: String,
    region_query: String,
    region_param: String,
    regions: Vec<RegionOption>,
    inputs: Vec<NodeLink>,
    outputs: Vec<NodeLink>,
    enterprises: Vec<EnterpriseRow>,
    total: u64,
    page: u32,
    pages: u32,
}

const PAGE_SIZE: u32 = 50;

async fn node_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let id = view::parse_id("node", &id).or_page(lang, &uri, &viewer)?;
    let region_code = view::parse_region(params.get("region").map(String::as_str))
        .or_page(lang, &uri, &viewer)?;
    let page = view::parse_count(
        "page",
        params.get("page").map(String::as_str),
        1,
        0..=1_000_000,
    )
    .or_page(lang, &uri, &viewer)?
    .max(1);
    let order = view::enterprise_order(&viewer);
    let (detail, region, regions, list) = state
        .read(move |store| {
            let detail = view::node_detail(store, id)?;
            let region = view::region(store, region_code)?;
            let list = store.node_enterprises(
                detail.node.id,
                region_code,
                order,
                PAGE_SIZE,
                (page - 1) * PAGE_SIZE,
            )?;
            let regions = store.regions()?;
            Ok((detail, region, regions, list))
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    let region_names: HashMap<RegionCode, &Region> = regions.iter().map(|r| (r.code, r)).collect();
    let links = |refs: &[chainatlas_store::NodeRef]| {
        refs.iter()
            .map(|n| NodeLink {
                id: n.id.0,
                name: lang.pick(&n.name_zh, &n.name_en).to_string(),
            })
            .collect()
    };
    let t = lang.texts();
    let node_name = lang
        .pick(&detail.node.name_zh, &detail.node.name_en)
        .to_string();
    let page = NodePage {
        layout: Layout::new(lang, node_name.clone(), &uri, &viewer),
        node_id: detail.node.id.0,
        node_name,
        segment: segment_name(t, detail.node.segment),
        chain_code: detail.chain.code.clone(),
        chain_name: lang
            .pick(&detail.chain.name_zh, &detail.chain.name_en)
            .to_string(),
        region_name: region_label(lang, &region),
        region_query: region_query(&region),
        region_param: region
            .as_ref()
            .map(|r| format!("&region={}", r.code))
            .unwrap_or_default(),
        regions: region_options(lang, &regions, region_code),
        inputs: links(&detail.inputs),
        outputs: links(&detail.outputs),
        enterprises: list
            .items
            .iter()
            .map(|row| EnterpriseRow {
                id: row.item.id.0,
                name: lang.pick(&row.item.name_zh, &row.item.name_en).to_string(),
                region: region_names
                    .get(&row.item.region)
                    .map_or(row.item.region.to_string(), |r| {
                        lang.pick(&r.name_zh, &r.name_en).to_string()
                    }),
                tags: tag_labels(lang, row.item.tags),
                output: shown(viewer.may_see_private(row.item.id), lang, row.output),
                capacity: shown(viewer.may_see_private(row.item.id), lang, row.capacity),
            })
            .collect(),
        total: list.total,
        page,
        pages: (list.total.div_ceil(PAGE_SIZE as u64) as u32).max(1),
    };
    Ok(render(&page))
}

pub struct LinkRow {
    pub id: i64,
    pub name: String,
    pub node_id: i64,
    pub node: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "enterprise.html")]
struct EnterprisePage {
    layout: Layout,
    /// Whether the viewer may see this enterprise's relations and figures.
    private: bool,
    name: String,
    other_name: String,
    credit_code: String,
    region: String,
    size: String,
    tags: Vec<&'static str>,
    revenue: String,
    employees: u32,
    source: String,
    nodes: Vec<EnterpriseRow>,
    suppliers: Vec<LinkRow>,
    suppliers_total: u64,
    buyers: Vec<LinkRow>,
    buyers_total: u64,
}

async fn enterprise_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = view::parse_id("enterprise", &id).or_page(lang, &uri, &viewer)?;
    let private = viewer.may_see_private(chainatlas_model::EnterpriseId(id));
    let links = if private { PAGE_SIZE } else { 0 };
    let d = state
        .read(move |store| view::enterprise_detail(store, id, links))
        .await
        .or_page(lang, &uri, &viewer)?;
    let e = &d.enterprise;
    let links = |page: &chainatlas_store::Page<chainatlas_store::SupplyLink>| {
        page.items
            .iter()
            .map(|l| LinkRow {
                id: l.counterpart.id.0,
                name: lang
                    .pick(&l.counterpart.name_zh, &l.counterpart.name_en)
                    .to_string(),
                node_id: l.node.id.0,
                node: lang.pick(&l.node.name_zh, &l.node.name_en).to_string(),
                value: wan(l.annual_value),
            })
            .collect()
    };
    let name = lang.pick(&e.name_zh, &e.name_en).to_string();
    let other_name = match lang {
        Lang::Zh => e.name_en.clone(),
        Lang::En => e.name_zh.clone(),
    };
    let size = match (lang, e.size) {
        (Lang::Zh, chainatlas_model::EnterpriseSize::Large) => "大型".to_string(),
        (Lang::Zh, chainatlas_model::EnterpriseSize::Medium) => "中型".to_string(),
        (Lang::Zh, chainatlas_model::EnterpriseSize::Small) => "小型".to_string(),
        (Lang::Zh, chainatlas_model::EnterpriseSize::Micro) => "微型".to_string(),
        (Lang::En, size) => size.to_string(),
    };
    let page = EnterprisePage {
        layout: Layout::new(lang, name.clone(), &uri, &viewer),
        name,
        other_name,
        credit_code: e.credit_code.to_string(),
        region: d.region.as_ref().map_or(e.region.to_string(), |r| {
            format!("{} ({})", lang.pick(&r.name_zh, &r.name_en), r.code)
        }),
        size,
        tags: tag_labels(lang, e.tags),
        revenue: shown(private, lang, e.revenue),
        private,
        employees: e.employees,
        source: e.source.clone(),
        nodes: d
            .nodes
            .iter()
            .map(|n| EnterpriseRow {
                id: n.item.id.0,
                name: lang.pick(&n.item.name_zh, &n.item.name_en).to_string(),
                region: String::new(),
                tags: Vec::new(),
                output: shown(private, lang, n.output),
                capacity: shown(private, lang, n.capacity),
            })
            .collect(),
        suppliers: links(&d.suppliers),
        suppliers_total: d.suppliers.total,
        buyers: links(&d.buyers),
        buyers_total: d.buyers.total,
    };
    Ok(render(&page))
}

pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub address: String,
    pub action: String,
    pub entity: String,
    pub change: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    rows: Vec<AuditRow>,
    total: u64,
}

/// A Unix time as `2026-11-20 23:49:31 UTC`.
fn utc(seconds: i64) -> String {
    let date = chainatlas_model::Date::from_days_since_epoch(seconds.div_euclid(86_400));
    let s = seconds.rem_euclid(86_400);
    format!(
        "{date} {:02}:{:02}:{:02} UTC",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

async fn audit_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
) -> Result<Response, PageError> {
    viewer
        .require(Permission::ManageUsers)
        .or_page(lang, &uri, &viewer)?;
    let log = state
        .read(|store| Ok(store.audit_log(200, 0)?))
        .await
        .or_page(lang, &uri, &viewer)?;
    let rows = log
        .items
        .iter()
        .map(|e| AuditRow {
            at: utc(e.actor.at),
            actor: e.actor.name.clone(),
            address: e.actor.address.clone(),
            action: e.change.action.clone(),
            entity: format!("{} {}", e.change.entity, e.change.entity_id),
            change: match (&e.change.before, &e.change.after) {
                (Some(b), Some(a)) => format!("{b} → {a}"),
                (None, Some(a)) => a.clone(),
                (Some(b), None) => format!("{b} → —"),
                (None, None) => String::new(),
            },
        })
        .collect();
    let page = AuditPage {
        layout: Layout::new(lang, lang.texts().audit_log, &uri, &viewer),
        rows,
        total: log.total,
    };
    Ok(render(&page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_times_print_as_utc() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_779_321_600 + 3_723), "2026-05-21 01:02:03 UTC");
    }

    #[test]
    fn language_switch_paths_survive_encoding() {
        let path = "/chains/rail?region=430200";
        assert_eq!(percent_decode(&percent_encode(path)), path);
    }
}
