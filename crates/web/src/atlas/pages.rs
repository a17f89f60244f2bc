//! Server-rendered HTML pages. Every visible word comes from `i18n::Texts`; every value
//! is escaped by the templates.

use crate::core::i18n::*;
use crate::core::layout::*;
use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chainatlas_auth::Permission;
use chainatlas_model::{Money, Region, RegionCode};
use chainatlas_store::{ChainSummary, Counts};

use crate::core::api::{ListQuery, Params};
use crate::core::auth::Viewer;
use crate::core::download::{workbook, MAX_EXPORT_ROWS};
use crate::core::i18n::{Lang, LangTexts, PageLang};
use crate::core::AppState;
use chainatlas_app::format::wan;
use chainatlas_app::view;
use chainatlas_bundle::sheet::Sheet;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard))
        .route("/chains", get(chains))
        .route("/chains/{code}", get(chain_page))
        .route("/nodes/{id}", get(node_page))
        .route("/enterprises/{id}", get(enterprise_page))
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
#[template(path = "atlas/dashboard.html")]
struct Dashboard {
    layout: Layout,
    counts: Counts,
    chain_masters: u64,
    synthetic: bool,
    chains: Vec<ChainRow>,
    /// The charts' data (`assets/dashboard.js` draws them).
    charts_json: String,
}

/// The dashboard's charts: output (or, for those who may not see output, enterprises) by
/// chain, enterprises by province, and the agreements the viewer may see by month signed.
fn dashboard_charts(
    lang: Lang,
    summaries: &[ChainSummary],
    provinces: &[(chainatlas_model::Region, u64)],
    agreements: &[chainatlas_model::Agreement],
    show_values: bool,
) -> String {
    let t = lang.texts();
    let chain_values: Vec<f64> = summaries
        .iter()
        .map(|s| {
            if show_values {
                (s.output.fen() as f64 / 1e5).round() / 10.0
            } else {
                s.enterprises as f64
            }
        })
        .collect();
    let mut months: std::collections::BTreeMap<String, (u64, i64)> = Default::default();
    for a in agreements {
        if let Some(d) = a.signed_on {
            let month = d.to_string()[..7].to_string();
            let entry = months.entry(month).or_default();
            entry.0 += 1;
            entry.1 += a.value.fen();
        }
    }
    script_json(&serde_json::json!({
        "chains": {
            "title": if show_values { t.chart_output_by_chain } else { t.chart_enterprises_by_chain },
            "labels": summaries.iter().map(|s| lang.pick(&s.chain.name_zh, &s.chain.name_en)).collect::<Vec<_>>(),
            "values": chain_values,
            "money": show_values,
        },
        "provinces": {
            "title": t.chart_enterprises_by_province,
            "labels": provinces.iter().map(|(r, _)| lang.pick(&r.name_zh, &r.name_en)).collect::<Vec<_>>(),
            "values": provinces.iter().map(|(_, n)| n).collect::<Vec<_>>(),
        },
        "agreements": {
            "title": t.chart_agreements_by_month,
            "months": months.keys().collect::<Vec<_>>(),
            "count_label": t.chart_agreement_count,
            "counts": months.values().map(|m| m.0).collect::<Vec<_>>(),
            "value_label": t.chart_agreement_value,
            "values": months.values().map(|m| (m.1 as f64 / 1e5).round() / 10.0).collect::<Vec<_>>(),
        },
    }))
}

#[derive(Template)]
#[template(path = "atlas/landing.html")]
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
    let v = viewer.clone();
    let (overview, summaries, provinces, agreements) = state
        .read(move |store| {
            Ok((
                caches.overview(store)?,
                caches.chain_summaries(store, None)?,
                caches.enterprises_by_province(store)?,
                chainatlas_app::events::visible_agreements(store, &v)?,
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
        charts_json: dashboard_charts(lang, &summaries, &provinces, &agreements, show_values),
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "atlas/chains.html")]
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
    Params(params): Params<ListQuery>,
) -> Result<Response, PageError> {
    let code = params.region().or_page(lang, &uri, &viewer)?;
    let show_values = viewer.may(Permission::ReadAllPrivateData);
    let caches = state.app.caches.clone();
    let (region, regions, summaries) = state
        .read(move |store| {
            Ok((
                view::region(store, code)?,
                caches.regions_in_use(store)?,
                caches.chain_summaries(store, code)?,
            ))
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    let chains = chain_rows(lang, &summaries, show_values);
    if params.workbook().or_page(lang, &uri, &viewer)? {
        let t = lang.texts();
        let sheet = Sheet {
            name: t.nav_chains.to_string(),
            header: vec![
                lang.pick("代码", "Code").to_string(),
                t.chain.to_string(),
                t.nodes.to_string(),
                t.enterprises.to_string(),
                format!("{} ({})", t.output, t.wan_yuan),
            ],
            rows: chains
                .iter()
                .map(|c| {
                    vec![
                        c.code.clone(),
                        c.name.clone(),
                        c.nodes.to_string(),
                        c.enterprises.to_string(),
                        c.output.clone(),
                    ]
                })
                .collect(),
        };
        return workbook("chains", &[sheet]).or_page(lang, &uri, &viewer);
    }
    let page = ChainsPage {
        layout: Layout::new(lang, lang.texts().nav_chains, &uri, &viewer),
        region_name: region_label(lang, &region),
        region_query: region_query(&region),
        regions: region_options(lang, &regions, code),
        chains,
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
#[template(path = "atlas/chain.html")]
struct ChainPage {
    layout: Layout,
    chain_id: i64,
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
async fn chain_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(code): Path<String>,
    Params(params): Params<ListQuery>,
) -> Result<Response, PageError> {
    let region_code = params.region().or_page(lang, &uri, &viewer)?;
    let caches = state.app.caches.clone();
    let (map, regions) = state
        .read(move |store| {
            Ok((
                view::chain_map(store, caches.graph(store)?.as_ref(), &code, region_code)?,
                caches.regions_in_use(store)?,
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
        .collect::<Vec<MapNodeRow>>();
    if params.workbook().or_page(lang, &uri, &viewer)? {
        let sheet = Sheet {
            name: t.node_table.to_string(),
            header: vec![
                t.node.to_string(),
                t.segment.to_string(),
                t.enterprises.to_string(),
                format!("{} ({})", t.output, t.wan_yuan),
            ],
            rows: nodes
                .iter()
                .map(|n| {
                    vec![
                        n.name.clone(),
                        n.segment.to_string(),
                        n.enterprises.to_string(),
                        n.output.clone(),
                    ]
                })
                .collect(),
        };
        let file = format!("chain-{}-nodes", map.chain.code);
        return workbook(&file, &[sheet]).or_page(lang, &uri, &viewer);
    }
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
        map_json: script_json(&chainatlas_app::atlas::ChainMapDto::for_viewer(
            &map,
            show_values,
        )),
        chain_id: map.chain.id.0,
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
#[template(path = "atlas/node.html")]
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
    Params(params): Params<ListQuery>,
) -> Result<Response, PageError> {
    let id = view::parse_id("node", &id).or_page(lang, &uri, &viewer)?;
    let region_code = params.region().or_page(lang, &uri, &viewer)?;
    let caches = state.app.caches.clone();
    let page = params.page(1_000_000).or_page(lang, &uri, &viewer)?;
    let export = params.workbook().or_page(lang, &uri, &viewer)?;
    // A workbook holds every enterprise of the node (up to its limit), a page fifty.
    let (size, offset) = if export {
        (MAX_EXPORT_ROWS, 0)
    } else {
        (PAGE_SIZE, (page - 1) * PAGE_SIZE)
    };
    let order = view::enterprise_order(&viewer);
    let (detail, region, regions, list) = state
        .read(move |store| {
            let detail = view::node_detail(store, id)?;
            let region = view::region(store, region_code)?;
            let list = store.node_enterprises(detail.node.id, region_code, order, size, offset)?;
            let regions = caches.regions_in_use(store)?;
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
    let enterprises: Vec<EnterpriseRow> = list
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
        .collect();
    if export {
        let sheet = Sheet {
            name: t.enterprises.to_string(),
            header: vec![
                lang.pick("编号", "Id").to_string(),
                t.enterprise.to_string(),
                t.region.to_string(),
                t.tags.to_string(),
                format!("{} ({})", t.output, t.wan_yuan),
                format!("{} ({})", t.capacity, t.wan_yuan),
            ],
            rows: enterprises
                .iter()
                .map(|e| {
                    vec![
                        e.id.to_string(),
                        e.name.clone(),
                        e.region.clone(),
                        e.tags.join(lang.pick("、", ", ")),
                        e.output.clone(),
                        e.capacity.clone(),
                    ]
                })
                .collect(),
        };
        let file = format!("node-{}-enterprises", detail.node.id.0);
        return workbook(&file, &[sheet]).or_page(lang, &uri, &viewer);
    }
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
        enterprises,
        total: list.total,
        page,
        pages: (list.total.div_ceil(PAGE_SIZE as u64) as u32).max(1),
    };
    Ok(render(&page))
}

pub struct LinkRow {
    /// The supply relation.
    pub relation: i64,
    pub id: i64,
    pub name: String,
    pub node_id: i64,
    pub node: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "atlas/enterprise.html")]
struct EnterprisePage {
    layout: Layout,
    id: i64,
    /// Analysts, admins and the enterprise's own users: the edit link.
    may_edit: bool,
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
    other_names: String,
    /// The industry code with its division's (or section's) name, empty when not known.
    industry: String,
    /// (label, value) of the contact details shown: the private ones only to those who may.
    contacts: Vec<(&'static str, String)>,
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
                relation: l.relation.0,
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
    let size = e.size.name(lang).to_string();
    let page = EnterprisePage {
        layout: Layout::new(lang, name.clone(), &uri, &viewer),
        id,
        may_edit: chainatlas_app::editing::may_edit_profile(&viewer, e.id),
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
        other_names: e
            .other_names
            .join(if lang == Lang::Zh { "；" } else { "; " }),
        industry: e.industry.map_or(String::new(), |c| c.label(lang)),
        contacts: if private {
            let t = lang.texts();
            [
                (t.address, &e.address),
                (t.phone, &e.phone),
                (t.legal_representative, &e.legal_representative),
            ]
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k, v.clone()))
            .collect()
        } else {
            Vec::new()
        },
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
