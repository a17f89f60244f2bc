//! `/opportunities?region=CODE`: a region's new boards and long boards for analysts, with
//! the chart of presence against fit, the activity space, the ranked table and its
//! reasons, and the Excel workbook of both tables.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chainatlas_auth::Permission;
use serde_json::json;

use crate::core::auth::Viewer;
use crate::core::download::workbook;
use crate::core::i18n::{Lang, PageLang};
use crate::core::layout::{
    export_href, region_options, render, script_json, Layout, OrPage, PageError, RegionOption,
};
use crate::core::AppState;
use chainatlas_app::diagnostics::DiagnosticsQuery;
use chainatlas_app::opportunities::{self as opp, OpportunitiesDto};
use chainatlas_bundle::sheet::Sheet;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/opportunities", get(page))
        .route("/opportunities/industries", get(super::industries::page))
}

/// Words of the page, in both languages.
pub struct Words {
    pub(super) title: &'static str,
    pub(super) pick_region: &'static str,
    pub(super) level: &'static str,
    pub(super) levels: [&'static str; 3],
    pub(super) measure: &'static str,
    pub(super) measures: [&'static str; 3],
    pub(super) peers: &'static str,
    pub(super) peers_hint: &'static str,
    pub(super) eci: &'static str,
    pub(super) rank_of: &'static str,
    pub(super) new_boards: &'static str,
    new_boards_hint: &'static str,
    pub(super) long_boards: &'static str,
    long_boards_hint: &'static str,
    node: &'static str,
    feasibility: &'static str,
    pub(super) relatedness: &'static str,
    readiness: &'static str,
    pull: &'static str,
    reasons: &'static str,
    pub(super) rca: &'static str,
    pub(super) value: &'static str,
    quadrant: &'static str,
    quadrant_x: &'static str,
    quadrant_y: &'static str,
    present: &'static str,
    lacking: &'static str,
    space: &'static str,
    pub(super) api_json: &'static str,
    listings: &'static str,
    targets: &'static str,
    key_sectors: &'static str,
    key_sectors_hint: &'static str,
    backward_index: &'static str,
    forward_index: &'static str,
    classes: [&'static str; 4],
    extraction: &'static str,
    by_industry: &'static str,
    /// "招商目标：" before a new board's targets, and what separates them.
    targets_label: &'static str,
    list_sep: &'static str,
}

static ZH: Words = Words {
    title: "新板机会",
    pick_region: "选择一个地区，查看它尚未形成优势、但最有条件培育的产业链环节（锻新板），以及它的长板。",
    level: "比较层级",
    levels: ["区县", "市", "省"],
    measure: "度量",
    measures: ["产值", "企业数", "从业人员"],
    peers: "同类地区",
    peers_hint: "行政区划代码，逗号分隔；留空为全部",
    eci: "经济复杂度 ECI",
    rank_of: "排名",
    new_boards: "新板（锻新板）",
    new_boards_hint: "本地尚无优势（RCA ≤ 1）的环节，按可行性排序：关联度（与本地已有优势环节的邻近程度）占 50%，投入就绪度（上游投入本地配套的比例）与市场拉力（本地下游买家的比例）各占 25%。",
    long_boards: "长板（锻长板）",
    long_boards_hint: "本地具有显示性比较优势（RCA > 1）的环节，按 RCA 排序。",
    node: "环节",
    feasibility: "可行性",
    relatedness: "关联度",
    readiness: "投入就绪度",
    pull: "市场拉力",
    reasons: "理由",
    rca: "RCA",
    value: "本地规模",
    quadrant: "优势与关联度",
    quadrant_x: "显示性比较优势 RCA",
    quadrant_y: "关联密度",
    present: "已有优势",
    lacking: "尚无优势",
    space: "产业空间（本地优势环节高亮）",
    api_json: "JSON 接口",
    listings: "供需信息",
    targets: "招商目标",
    key_sectors: "关键部门（本地投入产出）",
    key_sectors_hint: "由本地供应商对本地买家的供应关系构成的投入产出表：后向、前向关联指数（Rasmussen）均大于 1 为关键部门；假设抽取给出该部门退出时本地总产出的损失比例。",
    backward_index: "后向关联指数",
    forward_index: "前向关联指数",
    classes: ["关键部门", "后向带动型", "前向支撑型", "弱关联"],
    extraction: "假设抽取损失",
    by_industry: "按国民经济行业",
    targets_label: "招商目标：",
    list_sep: "、",
};

static EN: Words = Words {
    title: "New boards",
    pick_region: "Pick a region to see the chain links it is not yet strong in but is best placed to grow (new boards), and its long boards.",
    level: "Regions compared",
    levels: ["Counties", "Cities", "Provinces"],
    measure: "Measure",
    measures: ["Output", "Enterprises", "Employees"],
    peers: "Peer regions",
    peers_hint: "division codes, comma-separated; empty for all",
    eci: "Economic complexity (ECI)",
    rank_of: "rank",
    new_boards: "New boards",
    new_boards_hint: "Links where the region has no advantage yet (RCA ≤ 1), by feasibility: relatedness (how close they are to what the region is strong in) 50 %, input readiness (the share of their inputs made locally) and market pull (the share of their buyers present locally) 25 % each.",
    long_boards: "Long boards",
    long_boards_hint: "Links where the region has a revealed comparative advantage (RCA > 1), by RCA.",
    node: "Link",
    feasibility: "Feasibility",
    relatedness: "Relatedness",
    readiness: "Input readiness",
    pull: "Market pull",
    reasons: "Reasons",
    rca: "RCA",
    value: "Local size",
    quadrant: "Advantage and fit",
    quadrant_x: "Revealed comparative advantage (RCA)",
    quadrant_y: "Relatedness density",
    present: "strong",
    lacking: "not yet",
    space: "Activity space (the region's strengths lit)",
    api_json: "JSON API",
    listings: "Listings",
    targets: "Attraction targets",
    key_sectors: "Key sectors (the region's own input–output table)",
    key_sectors_hint: "The input–output table of local suppliers selling to local buyers: a key sector has both linkage indices (Rasmussen) above 1; hypothetical extraction gives the share of local output lost without the sector.",
    backward_index: "Backward index",
    forward_index: "Forward index",
    classes: ["key", "backward-oriented", "forward-oriented", "weak"],
    extraction: "Lost on extraction",
    by_industry: "By industry class",
    targets_label: "Attraction targets: ",
    list_sep: ", ",
};

pub(super) fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

struct Row {
    rank: usize,
    node_id: i64,
    chain_code: String,
    name: String,
    feasibility: String,
    relatedness: String,
    readiness: String,
    pull: String,
    pci: String,
    cog: String,
    reasons: Vec<String>,
    /// Attraction targets: enterprise id and name (with its region).
    targets: Vec<(i64, String)>,
}

struct LongRow {
    node_id: i64,
    name: String,
    rca: String,
    value: String,
    pci: String,
}

struct SectorRow {
    node_id: i64,
    name: String,
    backward: String,
    forward: String,
    class: &'static str,
    extraction: String,
}

struct View {
    region_code: String,
    sectors: Vec<SectorRow>,
    region_name: String,
    eci: String,
    rank: String,
    rows: Vec<Row>,
    long_rows: Vec<LongRow>,
    notes: Vec<String>,
    chart_json: String,
}

#[derive(Template)]
#[template(path = "opportunities/page.html")]
struct Page {
    layout: Layout,
    w: &'static Words,
    /// The same words, by the name the shared form fields use.
    n: &'static Words,
    regions: Vec<RegionOption>,
    level: String,
    measure: String,
    /// The peer group as typed back (division codes, comma-separated).
    peers: String,
    result: Option<View>,
    export_href: String,
}

fn share(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{:.0}%", v * 100.0))
}

fn number(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{v:.2}"))
}

fn view(lang: Lang, w: &Words, dto: &OpportunitiesDto) -> View {
    let name = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    let measure_is_output = dto.measure == "output";
    let size = |v: f64| {
        if measure_is_output {
            chainatlas_app::format::wan(chainatlas_model::Money::from_fen(
                (v * 100.0).round() as i64
            ))
        } else {
            format!("{v:.0}")
        }
    };
    // The chart: every node at (RCA, density), strong ones and the rest as two series;
    // the activity space: nodes and their closest links, the strong ones lit.
    let point = |p: &opp::PointDto| {
        json!({
            "value": [(p.rca.min(20.0) * 100.0).round() / 100.0, p.density.map(|d| (d * 1000.0).round() / 1000.0)],
            "name": name(&p.node.name_zh, &p.node.name_en),
            "id": p.node.id,
        })
    };
    let chart = json!({
        "x": w.quadrant_x,
        "y": w.quadrant_y,
        "present_label": w.present,
        "lacking_label": w.lacking,
        "present": dto.space.iter().filter(|p| p.present).map(point).collect::<Vec<_>>(),
        "lacking": dto.space.iter().filter(|p| !p.present && p.density.is_some()).map(point).collect::<Vec<_>>(),
        "nodes": dto.space.iter().map(|p| json!({
            "id": p.node.id.to_string(),
            "name": name(&p.node.name_zh, &p.node.name_en),
            "present": p.present,
        })).collect::<Vec<_>>(),
        "links": dto.links.iter().map(|l| json!({
            "source": l.source.to_string(),
            "target": l.target.to_string(),
            "value": (l.proximity * 100.0).round() / 100.0,
        })).collect::<Vec<_>>(),
    });
    let class = |c: &str| match c {
        "key" => w.classes[0],
        "backward" => w.classes[1],
        "forward" => w.classes[2],
        _ => w.classes[3],
    };
    View {
        region_code: dto.region.code.clone(),
        sectors: dto
            .key_sectors
            .iter()
            .map(|k| SectorRow {
                node_id: k.node.id,
                name: name(&k.node.name_zh, &k.node.name_en),
                backward: format!("{:.2}", k.backward_index),
                forward: format!("{:.2}", k.forward_index),
                class: class(&k.class),
                extraction: format!("{:.1}%", k.extraction_share * 100.0),
            })
            .collect(),
        region_name: name(&dto.region.name_zh, &dto.region.name_en),
        eci: number(dto.eci),
        rank: match dto.eci_rank {
            Some(r) => format!("{r} / {}", dto.regions_compared),
            None => format!("— / {}", dto.regions_compared),
        },
        rows: dto
            .new_boards
            .iter()
            .enumerate()
            .map(|(i, b)| Row {
                rank: i + 1,
                node_id: b.node.id,
                chain_code: b.chain_code.clone(),
                name: name(&b.node.name_zh, &b.node.name_en),
                feasibility: format!("{:.0}", b.feasibility * 100.0),
                relatedness: share(b.relatedness),
                readiness: share(b.readiness),
                pull: share(b.pull),
                pci: number(b.pci),
                cog: number(b.cog),
                reasons: b
                    .reasons
                    .iter()
                    .map(|r| name(&r.text_zh, &r.text_en))
                    .collect(),
                targets: b
                    .targets
                    .iter()
                    .map(|t| {
                        let region = name(&t.region.name_zh, &t.region.name_en);
                        let who = name(&t.name_zh, &t.name_en);
                        (
                            t.id,
                            lang.pick(&format!("{who}（{region}）"), &format!("{who} ({region})"))
                                .to_string(),
                        )
                    })
                    .collect(),
            })
            .collect(),
        long_rows: dto
            .long_boards
            .iter()
            .map(|b| LongRow {
                node_id: b.node.id,
                name: name(&b.node.name_zh, &b.node.name_en),
                rca: format!("{:.2}", b.rca),
                value: size(b.value),
                pci: number(b.pci),
            })
            .collect(),
        notes: dto
            .notes
            .iter()
            .map(|n| name(&n.text_zh, &n.text_en))
            .collect(),
        chart_json: script_json(&chart),
    }
}

fn sheets(w: &Words, v: &View) -> Vec<Sheet> {
    vec![
        Sheet {
            name: w.new_boards.to_string(),
            header: [
                "#",
                w.node,
                w.feasibility,
                w.relatedness,
                w.readiness,
                w.pull,
                "PCI",
                "COG",
                w.reasons,
                w.targets,
            ]
            .map(String::from)
            .to_vec(),
            rows: v
                .rows
                .iter()
                .map(|r| {
                    vec![
                        r.rank.to_string(),
                        r.name.clone(),
                        r.feasibility.clone(),
                        r.relatedness.clone(),
                        r.readiness.clone(),
                        r.pull.clone(),
                        r.pci.clone(),
                        r.cog.clone(),
                        r.reasons.join("；"),
                        r.targets
                            .iter()
                            .map(|(_, n)| n.as_str())
                            .collect::<Vec<_>>()
                            .join(w.list_sep),
                    ]
                })
                .collect(),
        },
        long_sheet(
            w,
            w.node,
            v.long_rows
                .iter()
                .map(|r| [&r.name, &r.rca, &r.value, &r.pci]),
        ),
        Sheet {
            name: w.key_sectors.to_string(),
            header: [w.node, w.backward_index, w.forward_index, "", w.extraction]
                .map(String::from)
                .to_vec(),
            rows: v
                .sectors
                .iter()
                .map(|k| {
                    vec![
                        k.name.clone(),
                        k.backward.clone(),
                        k.forward.clone(),
                        k.class.to_string(),
                        k.extraction.clone(),
                    ]
                })
                .collect(),
        },
    ]
}

/// The long boards as a sheet: activity (named by `activity`), RCA, size, PCI.
pub(super) fn long_sheet<'a>(
    w: &Words,
    activity: &str,
    rows: impl Iterator<Item = [&'a String; 4]>,
) -> Sheet {
    Sheet {
        name: w.long_boards.to_string(),
        header: [activity, w.rca, w.value, "PCI"].map(String::from).to_vec(),
        rows: rows.map(|r| r.map(String::clone).to_vec()).collect(),
    }
}

/// What both opportunities pages are asked: the region (none yet: the picker), the
/// regions compared, the measure, the peer group, and whether as a workbook; with the
/// level, measure and peers as the form writes them back.
pub(super) struct Form {
    pub region: Option<chainatlas_model::RegionCode>,
    pub level: chainatlas_analysis::Level,
    pub measure: chainatlas_analysis::Measure,
    pub peers: Vec<chainatlas_model::RegionCode>,
    pub export: bool,
    pub level_word: String,
    pub measure_word: String,
    pub peers_text: String,
}

impl Form {
    pub(super) fn parse(query: &DiagnosticsQuery) -> Result<Form, chainatlas_app::AppError> {
        let (level, measure) = opp::level_and_measure(query)?;
        let peers = opp::peers(query)?;
        let word = |name: &str, default: &str| {
            query
                .text(name)
                .ok()
                .flatten()
                .unwrap_or(default)
                .to_string()
        };
        Ok(Form {
            region: query.region()?,
            level,
            measure,
            peers_text: peers
                .iter()
                .map(|r| r.value().to_string())
                .collect::<Vec<_>>()
                .join(","),
            peers,
            export: query.workbook()?,
            level_word: word("level", "city"),
            measure_word: word("measure", "output"),
        })
    }
}

async fn page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    viewer
        .require(Permission::Analyse)
        .or_page(lang, &uri, &viewer)?;
    let query = DiagnosticsQuery::parse(raw.as_deref(), true);
    let form = Form::parse(&query).or_page(lang, &uri, &viewer)?;
    let (region, level, measure) = (form.region, form.level, form.measure);
    let peers = form.peers.clone();
    let caches = state.app.caches.clone();
    let (regions, found) = state
        .read(move |store| {
            let regions = caches.regions_in_use(store)?;
            let found = match region {
                None => None,
                Some(region) => {
                    let group = opp::peer_group(&peers, region, level);
                    Some(caches.opportunities(store, level, measure, &group, region, 30)?)
                }
            };
            Ok((regions, found))
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    let w = words(lang);
    let result = found.as_ref().map(|dto| view(lang, w, dto));
    if form.export {
        if let Some(v) = &result {
            let file = format!("opportunities-{}", v.region_code);
            return workbook(&file, &sheets(w, v)).or_page(lang, &uri, &viewer);
        }
    }
    let title = match &result {
        Some(v) => format!("{} · {}", v.region_name, w.title),
        None => w.title.to_string(),
    };
    Ok(render(&Page {
        layout: Layout::new(lang, title, &uri, &viewer),
        w,
        n: w,
        regions: region_options(lang, &regions, region),
        level: form.level_word,
        measure: form.measure_word,
        peers: form.peers_text,
        result,
        export_href: export_href(&uri),
    }))
}
