//! The diagnostics pages: a chain's diagnosis in a region, and the disruption simulator.
//! Both are for analysts; they render the same wire types the API serves.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chainatlas_auth::Permission;
use chainatlas_model::{Money, RegionCode};
use serde_json::{json, Value};

use super::sheets;
use crate::core::auth::Viewer;
use crate::core::download::workbook;
use crate::core::error::AppError;
use crate::core::i18n::{Lang, PageLang};
use crate::core::layout::{
    export_href, region_options, render, script_json, Layout, OrPage, PageError, RegionOption,
};
use crate::core::AppState;
use chainatlas_app::atlas::ChainMapDto;
use chainatlas_app::atlas::NodeDto;
use chainatlas_app::diagnostics::{
    self as diag, DiagnosticsQuery, EnterpriseBriefDto, RegionRefDto,
};
use chainatlas_app::format::wan;
use chainatlas_app::text;
use chainatlas_app::view;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/chains/{code}/diagnosis", get(diagnosis_page))
        .route("/chains/{code}/disruption", get(disruption_page))
}

/// Words of these pages, in both languages.
pub struct Words {
    pub diagnosis: &'static str,
    pub disruption: &'static str,
    pub pick_region: &'static str,
    pub weak_below: &'static str,
    pub strong_from: &'static str,
    pub local_output: &'static str,
    pub short_boards: &'static str,
    pub blockages: &'static str,
    pub blockages_note: &'static str,
    pub blockages_all: &'static str,
    pub appeals: &'static str,
    pub open_appeals: &'static str,
    pub overdue_appeals: &'static str,
    pub single_sources: &'static str,
    pub supporting_rate: &'static str,
    pub same_city: &'static str,
    pub same_province: &'static str,
    pub purchases: &'static str,
    pub status: &'static str,
    pub status_names: [&'static str; 4],
    pub share: &'static str,
    pub lq: &'static str,
    pub downstream_output: &'static str,
    pub targets: &'static str,
    pub score: &'static str,
    pub dependencies: &'static str,
    pub hhi: &'static str,
    pub outside_share: &'static str,
    pub buyer: &'static str,
    pub main_supplier: &'static str,
    pub output_at_risk: &'static str,
    pub chokepoints: &'static str,
    /// The heading of the diagnosis page's table of contents.
    pub contents: &'static str,
    pub downstream_loss: &'static str,
    pub affected: &'static str,
    pub tiers: &'static str,
    pub whole_chain: &'static str,
    pub remove_regions: &'static str,
    pub remove_nodes: &'static str,
    pub remove_enterprises: &'static str,
    pub enterprise_ids_hint: &'static str,
    pub fraction: &'static str,
    pub simulate: &'static str,
    pub disruption_intro: &'static str,
    pub hit: &'static str,
    pub total_loss: &'static str,
    pub direct_loss: &'static str,
    pub of_chain: &'static str,
    pub tier: &'static str,
    pub loss: &'static str,
    pub lost_inputs: &'static str,
    pub lost_value: &'static str,
    pub restorable: &'static str,
    pub alternatives: &'static str,
    pub localities: [&'static str; 3],
    pub simulate_region: &'static str,
    pub by_region: &'static str,
    pub by_node: &'static str,
    pub none_found: &'static str,
    pub api_json: &'static str,
    /// The first sheet of an exported simulation: its figures.
    pub summary: &'static str,
    pub figure_value: &'static str,
}

const ZH: Words = Words {
    diagnosis: "产业链诊断",
    disruption: "断链模拟",
    pick_region: "请选择一个地区进行诊断。",
    weak_below: "薄弱阈值（区位熵低于）",
    strong_from: "优势阈值（区位熵不低于）",
    local_output: "本地产值",
    short_boards: "短板环节",
    blockages: "堵点环节（企业诉求）",
    blockages_note:
        "近一年本地区企业就本链各环节提出的诉求：环节薄弱，可能因为缺企业，也可能因为堵点未解决。",
    blockages_all: "查看全部堵点",
    appeals: "诉求",
    open_appeals: "未办结",
    overdue_appeals: "超期",
    single_sources: "单一来源依赖",
    supporting_rate: "本地配套率",
    same_city: "本市配套",
    same_province: "本省配套",
    purchases: "采购额",
    status: "状态",
    status_names: ["缺失", "薄弱", "具备", "优势"],
    share: "全国占比",
    lq: "区位熵",
    downstream_output: "下游本地产值",
    targets: "精准招商目标",
    score: "得分",
    dependencies: "供应依赖",
    hhi: "集中度（HHI）",
    outside_share: "外地采购占比",
    buyer: "采购方",
    main_supplier: "主要供应商",
    output_at_risk: "受影响产值",
    chokepoints: "卡点企业与环节",
    contents: "目录",
    downstream_loss: "下游损失产值",
    affected: "受影响企业",
    tiers: "传导层级",
    whole_chain: "全链",
    remove_regions: "移除地区",
    remove_nodes: "移除环节",
    remove_enterprises: "移除企业",
    enterprise_ids_hint: "输入企业名称或简称选择，多家用“;”分隔",
    fraction: "产能损失比例",
    simulate: "模拟",
    disruption_intro:
        "选择要移除的企业、地区或环节（不同类别取交集），查看损失如何沿供应关系向下游传导。",
    hit: "直接受冲击企业",
    total_loss: "总损失产值",
    direct_loss: "直接损失",
    of_chain: "占全链产值",
    tier: "层级",
    loss: "损失产值",
    lost_inputs: "中断的投入品与替代供应商",
    lost_value: "中断供应额",
    restorable: "富余产能可恢复",
    alternatives: "替代供应商（本地优先）",
    localities: ["同市", "同省", "外省"],
    simulate_region: "模拟本地区断链",
    by_region: "按地区",
    by_node: "按环节",
    none_found: "无",
    api_json: "JSON 数据",
    summary: "概要",
    figure_value: "数值",
};

const EN: Words = Words {
    diagnosis: "Chain diagnosis",
    disruption: "Disruption simulator",
    pick_region: "Pick a region to diagnose.",
    weak_below: "Weak below LQ",
    strong_from: "Strong from LQ",
    local_output: "Local output",
    short_boards: "Short boards",
    blockages: "Blocking points (enterprise appeals)",
    blockages_note: "Appeals about this chain's nodes from the region's enterprises in the past year: a node can be weak for want of firms or for unresolved blockages.",
    blockages_all: "All blocking points",
    appeals: "Appeals",
    open_appeals: "Open",
    overdue_appeals: "Overdue",
    single_sources: "Single-source dependencies",
    supporting_rate: "Local supporting rate",
    same_city: "Same city",
    same_province: "Same province",
    purchases: "Purchases",
    status: "Status",
    status_names: ["missing", "weak", "present", "strong"],
    share: "National share",
    lq: "Location quotient",
    downstream_output: "Local downstream output",
    targets: "Investment-attraction targets",
    score: "Score",
    dependencies: "Dependencies",
    hhi: "Concentration (HHI)",
    outside_share: "Bought outside",
    buyer: "Buyer",
    main_supplier: "Main supplier",
    output_at_risk: "Output at risk",
    chokepoints: "Chokepoints",
    contents: "Contents",
    downstream_loss: "Downstream loss",
    affected: "Affected enterprises",
    tiers: "Tiers",
    whole_chain: "Whole chain",
    remove_regions: "Remove regions",
    remove_nodes: "Remove nodes",
    remove_enterprises: "Remove enterprises",
    enterprise_ids_hint: "type a name to pick; several separated by ';'",
    fraction: "Share of capacity lost",
    simulate: "Simulate",
    disruption_intro: "Pick enterprises, regions or nodes to remove (different kinds narrow each other) and see how the loss travels downstream along supply relations.",
    hit: "Enterprises hit",
    total_loss: "Total output lost",
    direct_loss: "Direct loss",
    of_chain: "of the chain's output",
    tier: "Tier",
    loss: "Output lost",
    lost_inputs: "Lost inputs and alternative suppliers",
    lost_value: "Supply lost",
    restorable: "Restorable by spare capacity",
    alternatives: "Alternatives (nearest first)",
    localities: ["same city", "same province", "elsewhere"],
    simulate_region: "Simulate losing this region",
    by_region: "By region",
    by_node: "By node",
    none_found: "None",
    api_json: "JSON data",
    summary: "Summary",
    figure_value: "Value",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

fn status_name(w: &Words, status: &str) -> &'static str {
    match status {
        "missing" => w.status_names[0],
        "weak" => w.status_names[1],
        "present" => w.status_names[2],
        _ => w.status_names[3],
    }
}

fn pct(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

fn rate(r: Option<f64>) -> String {
    r.map_or_else(|| "—".into(), pct)
}

fn w(fen: i64) -> String {
    wan(Money::from_fen(fen))
}

/// A link to an enterprise, with its name in the page's language.
pub struct Link {
    pub href: String,
    pub text: String,
}

fn enterprise_link(lang: Lang, e: &EnterpriseBriefDto) -> Link {
    Link {
        href: format!("/enterprises/{}", e.id),
        text: lang.pick(&e.name_zh, &e.name_en).to_string(),
    }
}

fn node_name(lang: Lang, n: &NodeDto) -> String {
    lang.pick(&n.name_zh, &n.name_en).to_string()
}

fn region_name(lang: Lang, r: &RegionRefDto) -> String {
    lang.pick(&r.name_zh, &r.name_en).to_string()
}

/// The chain map's data with one extra field per node, for colouring.
fn map_json(map: &view::ChainMap, extra: impl Fn(i64) -> Value) -> String {
    let mut value = serde_json::to_value(ChainMapDto::for_viewer(map, true)).expect("serializable");
    if let Some(nodes) = value.get_mut("nodes").and_then(Value::as_array_mut) {
        for n in nodes {
            let id = n["node"]["id"].as_i64().unwrap_or_default();
            if let Some(object) = n.as_object_mut() {
                if let Value::Object(fields) = extra(id) {
                    object.extend(fields);
                }
            }
        }
    }
    script_json(&value)
}

// The diagnosis page.

pub struct CoverageRow {
    pub node_id: i64,
    pub name: String,
    pub status: &'static str,
    pub status_class: String,
    pub enterprises: u32,
    pub output: String,
    pub share: String,
    pub lq: String,
    pub downstream: String,
}

pub struct TargetRow {
    pub enterprise: Link,
    pub region: String,
    pub score: String,
    pub reasons: String,
}

pub struct ShortBoardRow {
    pub coverage: CoverageRow,
    pub targets: Vec<TargetRow>,
}

pub struct SupportRow {
    pub label: Link,
    pub purchases: String,
    pub city: String,
    pub province: String,
}

pub struct DependencyRow {
    pub name: String,
    pub purchases: String,
    pub buyers: u32,
    pub suppliers: u32,
    pub hhi: String,
    pub outside: String,
    pub single_sourced: u32,
}

pub struct SingleSourceRow {
    pub buyer: Link,
    pub node: String,
    pub supplier: Link,
    pub supplier_region: String,
    pub at_risk: String,
}

pub struct ChokepointRow {
    pub name: Link,
    pub downstream_loss: String,
    pub own_output: String,
    pub affected: u32,
    pub tiers: u16,
}

/// A node with appeals, beside the short boards.
pub struct BlockageRow {
    pub node_id: i64,
    pub name: String,
    pub status: &'static str,
    pub status_class: String,
    pub appeals: u32,
    pub open: u32,
    pub overdue: u32,
}

pub struct Diagnosis {
    pub region_code: String,
    pub region_name: String,
    pub output: String,
    pub short_board_count: usize,
    pub single_source_count: u32,
    pub city_rate: String,
    pub province_rate: String,
    pub coverage: Vec<CoverageRow>,
    pub short_boards: Vec<ShortBoardRow>,
    pub blockages: Vec<BlockageRow>,
    pub support: Vec<SupportRow>,
    pub support_json: String,
    pub dependencies: Vec<DependencyRow>,
    pub single_sources: Vec<SingleSourceRow>,
    pub chokepoints: Vec<ChokepointRow>,
    pub node_chokepoints: Vec<ChokepointRow>,
    pub map_json: String,
}

#[derive(Template)]
#[template(path = "diagnostics/diagnosis.html")]
struct DiagnosisPage {
    layout: Layout,
    w: &'static Words,
    chain_code: String,
    chain_name: String,
    regions: Vec<RegionOption>,
    weak_below: String,
    strong_from: String,
    result: Option<Diagnosis>,
    export_href: String,
}

async fn diagnosis_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(code): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    viewer
        .require(Permission::Analyse)
        .or_page(lang, &uri, &viewer)?;
    let query = DiagnosticsQuery::parse(raw.as_deref(), true);
    let region = query.region().or_page(lang, &uri, &viewer)?;
    let thresholds = query.thresholds().or_page(lang, &uri, &viewer)?;
    let export = query.workbook().or_page(lang, &uri, &viewer)?;
    let caches = state.app.caches.clone();
    let today = viewer.today();
    let (chain, regions, found) = state
        .read(move |store| {
            let chain = diag::chain(store, &code)?;
            let regions = caches.regions_in_use(store)?;
            let found = match region {
                None => None,
                Some(region) => {
                    let graph = caches.graph(store)?;
                    let dto = diag::diagnosis(store, &graph, &code, region, thresholds, 20, today)?;
                    let attraction = diag::attraction(store, &graph, &code, region, thresholds, 5)?;
                    let chokepoints = caches.chokepoints(store, &code, Some(region), 10)?;
                    let presence =
                        chainatlas_app::view::node_presence(&graph, chain.id, Some(region));
                    let map = view::chain_map_with(store, chain.clone(), Some(region), &presence)?;
                    Some((dto, attraction, chokepoints, map))
                }
            };
            Ok((chain, regions, found))
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    let w = words(lang);
    let chain_name = lang.pick(&chain.name_zh, &chain.name_en).to_string();
    let result = found.map(|(dto, attraction, chokepoints, map)| {
        diagnosis_view(lang, w, &dto, &attraction, &chokepoints, &map)
    });
    if export {
        let Some(r) = &result else {
            return Err(AppError::parameter(text!(
                "导出诊断需要选择一个地区（region）",
                "exporting a diagnosis needs a region (region)"
            )))
            .or_page(lang, &uri, &viewer);
        };
        let file = format!("diagnosis-{}-{}", chain.code, r.region_code);
        return workbook(&file, &sheets::diagnosis(lang, w, r)).or_page(lang, &uri, &viewer);
    }
    let title = format!("{chain_name} · {}", w.diagnosis);
    let selected = result
        .as_ref()
        .and_then(|r| r.region_code.parse::<RegionCode>().ok());
    Ok(render(&DiagnosisPage {
        layout: Layout::new(lang, title, &uri, &viewer),
        w,
        chain_code: chain.code.clone(),
        chain_name,
        regions: region_options(lang, &regions, selected),
        weak_below: thresholds.weak_below.to_string(),
        strong_from: thresholds.strong_from.to_string(),
        result,
        export_href: export_href(&uri),
    }))
}

/// The diagnosis of one chain in one region, as the page shows it.
fn diagnosis_view(
    lang: Lang,
    w: &'static Words,
    dto: &diag::DiagnosisDto,
    attraction: &diag::AttractionDto,
    chokepoints: &diag::ChokepointsDto,
    map: &view::ChainMap,
) -> Diagnosis {
    let coverage_row = |c: &diag::NodeCoverageDto| CoverageRow {
        node_id: c.node.id,
        name: node_name(lang, &c.node),
        status: status_name(w, &c.status),
        status_class: format!("status-{}", c.status),
        enterprises: c.enterprises,
        output: self::w(c.output_fen),
        share: pct(c.share),
        lq: c
            .location_quotient
            .map_or_else(|| "—".into(), |q| format!("{q:.2}")),
        downstream: self::w(c.downstream_output_fen),
    };
    let statuses: std::collections::HashMap<i64, String> = dto
        .coverage
        .iter()
        .map(|c| (c.node.id, c.status.clone()))
        .collect();
    let support_chart = json!({
        "labels": std::iter::once(w.whole_chain.to_string())
            .chain(dto.supporting.chain_masters.iter().map(|m| lang.pick(&m.enterprise.name_zh, &m.enterprise.name_en).to_string()))
            .collect::<Vec<_>>(),
        "city": std::iter::once(&dto.supporting.overall).chain(dto.supporting.chain_masters.iter().map(|m| &m.overall))
            .map(|p| p.city_rate.map(|r| (r * 1000.0).round() / 10.0)).collect::<Vec<_>>(),
        "province": std::iter::once(&dto.supporting.overall).chain(dto.supporting.chain_masters.iter().map(|m| &m.overall))
            .map(|p| p.province_rate.map(|r| (r * 1000.0).round() / 10.0)).collect::<Vec<_>>(),
        "series": [w.same_city, w.same_province],
    });
    Diagnosis {
        region_code: dto.region.code.clone(),
        region_name: region_name(lang, &dto.region),
        output: self::w(dto.output_fen),
        short_board_count: dto.short_boards.len(),
        single_source_count: dto.dependencies.single_source_count,
        city_rate: rate(dto.supporting.overall.city_rate),
        province_rate: rate(dto.supporting.overall.province_rate),
        coverage: dto.coverage.iter().map(coverage_row).collect(),
        blockages: dto
            .blockages
            .iter()
            .map(|b| BlockageRow {
                node_id: b.node.id,
                name: node_name(lang, &b.node),
                status: status_name(w, &b.status),
                status_class: format!("status-{}", b.status),
                appeals: b.appeals,
                open: b.open,
                overdue: b.overdue,
            })
            .collect(),
        short_boards: dto
            .short_boards
            .iter()
            .map(|c| {
                let board = attraction
                    .short_boards
                    .iter()
                    .find(|b| b.node.id == c.node.id);
                ShortBoardRow {
                    coverage: coverage_row(c),
                    targets: board
                        .map(|b| {
                            b.targets
                                .iter()
                                .map(|t| TargetRow {
                                    enterprise: enterprise_link(lang, &t.enterprise),
                                    region: region_name(lang, &t.enterprise.region),
                                    score: format!("{:.1}", t.score),
                                    reasons: t
                                        .reasons
                                        .iter()
                                        .map(|r| lang.pick(&r.text_zh, &r.text_en).to_string())
                                        .collect::<Vec<_>>()
                                        .join("；"),
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                }
            })
            .collect(),
        support: std::iter::once(SupportRow {
            label: Link {
                href: String::new(),
                text: w.whole_chain.to_string(),
            },
            purchases: self::w(dto.supporting.overall.total_fen),
            city: rate(dto.supporting.overall.city_rate),
            province: rate(dto.supporting.overall.province_rate),
        })
        .chain(dto.supporting.chain_masters.iter().map(|m| SupportRow {
            label: enterprise_link(lang, &m.enterprise),
            purchases: self::w(m.overall.total_fen),
            city: rate(m.overall.city_rate),
            province: rate(m.overall.province_rate),
        }))
        .collect(),
        support_json: script_json(&support_chart),
        dependencies: dependency_rows(lang, dto),
        single_sources: single_source_rows(lang, dto),
        chokepoints: chokepoint_rows(lang, chokepoints),
        node_chokepoints: node_chokepoint_rows(lang, dto, chokepoints),
        map_json: map_json(
            map,
            |id| json!({ "status": statuses.get(&id), "status_label": statuses.get(&id).map(|s| status_name(w, s)) }),
        ),
    }
}

/// Each node's supplier concentration.
fn dependency_rows(lang: Lang, dto: &diag::DiagnosisDto) -> Vec<DependencyRow> {
    dto.dependencies
        .nodes
        .iter()
        .map(|n| DependencyRow {
            name: node_name(lang, &n.node),
            purchases: self::w(n.purchases_fen),
            buyers: n.buyers,
            suppliers: n.suppliers,
            hhi: format!("{:.0}", n.hhi),
            outside: pct(n.outside_share),
            single_sourced: n.single_sourced,
        })
        .collect()
}

/// Buyers with one main supplier for an input.
fn single_source_rows(lang: Lang, dto: &diag::DiagnosisDto) -> Vec<SingleSourceRow> {
    dto.dependencies
        .single_sources
        .iter()
        .map(|d| SingleSourceRow {
            buyer: enterprise_link(lang, &d.buyer),
            node: node_name(lang, &d.node),
            supplier: enterprise_link(lang, &d.main_supplier),
            supplier_region: region_name(lang, &d.main_supplier.region),
            at_risk: self::w(d.output_at_risk_fen),
        })
        .collect()
}

/// The enterprises whose loss would cost the most downstream.
fn chokepoint_rows(lang: Lang, chokepoints: &diag::ChokepointsDto) -> Vec<ChokepointRow> {
    chokepoints
        .enterprises
        .iter()
        .map(|c| ChokepointRow {
            name: enterprise_link(lang, &c.enterprise),
            downstream_loss: self::w(c.downstream_loss_fen),
            own_output: self::w(c.own_output_fen),
            affected: c.affected_enterprises,
            tiers: c.tiers,
        })
        .collect()
}

/// The nodes whose loss would cost the most downstream.
fn node_chokepoint_rows(
    lang: Lang,
    dto: &diag::DiagnosisDto,
    chokepoints: &diag::ChokepointsDto,
) -> Vec<ChokepointRow> {
    chokepoints
        .nodes
        .iter()
        .take(10)
        .map(|n| ChokepointRow {
            name: Link {
                href: format!("/nodes/{}?region={}", n.node.id, dto.region.code),
                text: node_name(lang, &n.node),
            },
            downstream_loss: self::w(n.downstream_loss_fen),
            own_output: self::w(n.own_output_fen),
            affected: n.affected_enterprises,
            tiers: n.tiers,
        })
        .collect()
}

// The disruption simulator.

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct LossRow {
    pub name: Link,
    pub detail: String,
    pub enterprises: u32,
    pub loss: String,
}

pub struct LostInputRow {
    pub node: String,
    pub lost: String,
    pub buyers: u32,
    pub restorable: String,
    pub alternatives: Vec<(Link, String)>,
}

pub struct Disruption {
    pub hit: u32,
    pub affected: u32,
    pub total_loss: String,
    pub direct_loss: String,
    pub share: String,
    pub tiers: u16,
    pub by_tier: Vec<(u16, u32, String)>,
    pub by_region: Vec<LossRow>,
    pub by_node: Vec<LossRow>,
    pub enterprises: Vec<LossRow>,
    pub lost_inputs: Vec<LostInputRow>,
    pub map_json: String,
    pub api_href: String,
}

#[derive(Template)]
#[template(path = "diagnostics/disruption.html")]
struct DisruptionPage {
    layout: Layout,
    w: &'static Words,
    chain_code: String,
    chain_name: String,
    regions: Vec<Choice>,
    nodes: Vec<Choice>,
    enterprises: String,
    fraction: String,
    result: Option<Disruption>,
    export_href: String,
}

/// A simulated disruption of one chain, as the page shows it.
fn disruption_view(
    lang: Lang,
    w: &'static Words,
    chain_code: &str,
    api_query: &str,
    dto: &diag::DisruptionDto,
    map: &view::ChainMap,
) -> Disruption {
    let node_loss: std::collections::HashMap<i64, f64> = dto
        .by_node
        .iter()
        .map(|n| {
            let share = if n.baseline_fen > 0 {
                n.loss_fen as f64 / n.baseline_fen as f64
            } else {
                0.0
            };
            (n.node.id, share)
        })
        .collect();
    Disruption {
        hit: dto.hit_enterprises,
        affected: dto.affected_enterprises,
        total_loss: self::w(dto.total_loss_fen),
        direct_loss: self::w(dto.direct_loss_fen),
        share: pct(if dto.baseline_fen > 0 {
            dto.total_loss_fen as f64 / dto.baseline_fen as f64
        } else {
            0.0
        }),
        tiers: dto.tiers,
        by_tier: dto
            .by_tier
            .iter()
            .map(|t| (t.tier, t.enterprises, self::w(t.loss_fen)))
            .collect(),
        by_region: region_loss_rows(lang, dto),
        by_node: dto
            .by_node
            .iter()
            .filter(|n| n.loss_fen > 0)
            .map(|n| LossRow {
                name: Link {
                    href: format!("/nodes/{}", n.node.id),
                    text: node_name(lang, &n.node),
                },
                detail: pct(node_loss.get(&n.node.id).copied().unwrap_or(0.0)),
                enterprises: n.enterprises,
                loss: self::w(n.loss_fen),
            })
            .collect(),
        enterprises: dto
            .enterprises
            .iter()
            .map(|e| LossRow {
                name: enterprise_link(lang, &e.enterprise),
                detail: format!("{} {} · {}", w.tier, e.tier, pct(e.loss_share)),
                enterprises: 1,
                loss: self::w(e.loss_fen),
            })
            .collect(),
        lost_inputs: lost_input_rows(lang, w, dto),
        map_json: map_json(map, |id| {
            let share = node_loss.get(&id).copied().unwrap_or(0.0);
            json!({ "loss_share": share, "loss_label": pct(share) })
        }),
        api_href: format!("/api/v1/chains/{chain_code}/disruption?{api_query}"),
    }
}

/// The regions that lose the most, at most 20.
fn region_loss_rows(lang: Lang, dto: &diag::DisruptionDto) -> Vec<LossRow> {
    dto.by_region
        .iter()
        .take(20)
        .map(|r| LossRow {
            name: Link {
                href: String::new(),
                text: region_name(lang, &r.region),
            },
            detail: r.region.code.clone(),
            enterprises: r.enterprises,
            loss: self::w(r.loss_fen),
        })
        .collect()
}

/// The inputs buyers lose, with who could supply them instead.
fn lost_input_rows(lang: Lang, w: &'static Words, dto: &diag::DisruptionDto) -> Vec<LostInputRow> {
    dto.lost_inputs
        .iter()
        .map(|l| LostInputRow {
            node: node_name(lang, &l.node),
            lost: self::w(l.lost_value_fen),
            buyers: l.buyers,
            restorable: pct(l.restorable),
            alternatives: l
                .alternatives
                .iter()
                .take(5)
                .map(|a| {
                    let locality = match a.locality.as_str() {
                        "same_city" => w.localities[0],
                        "same_province" => w.localities[1],
                        _ => w.localities[2],
                    };
                    (
                        enterprise_link(lang, &a.enterprise),
                        format!("{locality} · {}", self::w(a.spare_fen)),
                    )
                })
                .collect(),
        })
        .collect()
}

async fn disruption_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(code): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    viewer
        .require(Permission::Analyse)
        .or_page(lang, &uri, &viewer)?;
    let query = DiagnosticsQuery::parse(raw.as_deref(), true);
    // A form that removes nothing is the page's first visit: show the form alone.
    let shock = Some(query.shock().or_page(lang, &uri, &viewer)?).filter(|s| !s.is_empty());
    let export = query.workbook().or_page(lang, &uri, &viewer)?;
    let caches = state.app.caches.clone();
    let shock_for_store = shock.clone();
    let (chain, regions, nodes, found, picked) = state
        .read(move |store| {
            let chain = diag::chain(store, &code)?;
            let regions = caches.regions_in_use(store)?;
            let nodes = store.chain_nodes(chain.id)?;
            // The enterprises removed, as the picker shows them: `名称 #12`.
            let mut picked = Vec::new();
            for id in shock_for_store.iter().flat_map(|s| &s.enterprises) {
                picked.push(match store.enterprise(*id)? {
                    Some(e) => format!("{} #{}", lang.pick(&e.name_zh, &e.name_en), id.0),
                    None => id.0.to_string(),
                });
            }
            let found = match &shock_for_store {
                None => None,
                Some(shock) => {
                    let graph = caches.graph(store)?;
                    let dto = diag::disruption(store, &graph, &code, shock, 20)?;
                    let presence = chainatlas_app::view::node_presence(&graph, chain.id, None);
                    Some((
                        dto,
                        view::chain_map_with(store, chain.clone(), None, &presence)?,
                    ))
                }
            };
            Ok((chain, regions, nodes, found, picked))
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    let w = words(lang);
    let chain_name = lang.pick(&chain.name_zh, &chain.name_en).to_string();
    let chosen_regions: Vec<RegionCode> = shock
        .as_ref()
        .map(|s| s.regions.clone())
        .unwrap_or_default();
    let chosen_nodes: Vec<i64> = shock
        .as_ref()
        .map(|s| s.nodes.iter().map(|n| n.0).collect())
        .unwrap_or_default();
    let api_query = raw.clone().unwrap_or_default();
    let result =
        found.map(|(dto, map)| disruption_view(lang, w, &chain.code, &api_query, &dto, &map));
    if export {
        let Some(r) = &result else {
            return Err(AppError::parameter(text!(
                "导出模拟结果需要选择断链的地区、环节或企业",
                "exporting a simulation needs regions, nodes or enterprises to remove"
            )))
            .or_page(lang, &uri, &viewer);
        };
        let file = format!("disruption-{}", chain.code);
        return workbook(&file, &sheets::disruption(lang, w, r)).or_page(lang, &uri, &viewer);
    }
    let title = format!("{chain_name} · {}", w.disruption);
    Ok(render(&DisruptionPage {
        layout: Layout::new(lang, title, &uri, &viewer),
        w,
        chain_code: chain.code.clone(),
        chain_name,
        regions: regions
            .iter()
            .filter(|r| r.level != chainatlas_model::RegionLevel::District)
            .map(|r| Choice {
                value: r.code.to_string(),
                label: format!("{} {}", lang.pick(&r.name_zh, &r.name_en), r.code),
                selected: chosen_regions.contains(&r.code),
            })
            .collect(),
        nodes: nodes
            .iter()
            .map(|n| Choice {
                value: n.id.0.to_string(),
                label: lang.pick(&n.name_zh, &n.name_en).to_string(),
                selected: chosen_nodes.contains(&n.id.0),
            })
            .collect(),
        enterprises: picked.join("; "),
        fraction: shock
            .as_ref()
            .map_or_else(|| "1".to_string(), |s| s.fraction.to_string()),
        result,
        export_href: export_href(&uri),
    }))
}
