//! `/opportunities/industries?region=CODE`: a region's new boards and long boards by
//! national industry class (GB/T 4754-2017), for analysts, with the Excel workbook of both
//! tables.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::Uri;
use axum::response::Response;
use chainatlas_auth::Permission;

use crate::core::auth::Viewer;
use crate::core::download::workbook;
use crate::core::i18n::{Lang, PageLang};
use crate::core::layout::{
    export_href, region_options, render, Layout, OrPage, PageError, RegionOption,
};
use crate::core::AppState;
use chainatlas_app::diagnostics::DiagnosticsQuery;
use chainatlas_app::opportunities::{self as opp, IndustryBoardsDto};
use chainatlas_bundle::sheet::Sheet;

/// Words of the page, in both languages.
pub struct Words {
    title: &'static str,
    pick_region: &'static str,
    by_node: &'static str,
    digits: &'static str,
    digit_levels: [&'static str; 3],
    coded: &'static str,
    new_boards_hint: &'static str,
    long_boards_hint: &'static str,
    industry: &'static str,
    related: &'static str,
}

static ZH: Words = Words {
    title: "新板机会（按国民经济行业）",
    pick_region: "选择一个地区，按企业的国民经济行业代码（GB/T 4754-2017）查看它尚未形成优势、但与已有优势最相关的行业，以及它的长板。",
    by_node: "按产业链环节",
    digits: "行业层级",
    digit_levels: ["大类（2 位）", "中类（3 位）", "小类（4 位）"],
    coded: "有行业代码的企业",
    new_boards_hint: "本地尚无优势（RCA ≤ 1）的行业，按关联度（与本地已有优势行业的邻近程度）排序；行业没有产业链上下游信息，因此不计投入就绪度和市场拉力。没有行业代码的企业不参与比较。",
    long_boards_hint: "本地具有显示性比较优势（RCA > 1）的行业，按 RCA 排序。",
    industry: "行业",
    related: "最相关的本地优势行业",
};

static EN: Words = Words {
    title: "New boards by industry class",
    pick_region: "Pick a region to see, by its enterprises' national industry codes (GB/T 4754-2017), the classes it is not yet strong in that are closest to its strengths, and its long boards.",
    by_node: "By chain link",
    digits: "Industry level",
    digit_levels: ["Division (2 digits)", "Group (3 digits)", "Class (4 digits)"],
    coded: "Enterprises with an industry code",
    new_boards_hint: "Classes where the region has no advantage yet (RCA ≤ 1), by relatedness (how close they are to what the region is strong in); an industry class has no chain inputs or buyers, so readiness and pull do not apply. Enterprises without an industry code are left out.",
    long_boards_hint: "Classes where the region has a revealed comparative advantage (RCA > 1), by RCA.",
    industry: "Industry class",
    related: "Closest local strengths",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

struct Row {
    rank: usize,
    name: String,
    relatedness: String,
    pci: String,
    cog: String,
    related: String,
}

struct LongRow {
    name: String,
    rca: String,
    value: String,
    pci: String,
}

struct View {
    region_code: String,
    region_name: String,
    eci: String,
    rank: String,
    coded: String,
    rows: Vec<Row>,
    long_rows: Vec<LongRow>,
    notes: Vec<String>,
}

#[derive(Template)]
#[template(path = "opportunities/industries.html")]
struct Page {
    layout: Layout,
    w: &'static Words,
    n: &'static super::pages::Words,
    regions: Vec<RegionOption>,
    level: String,
    measure: String,
    digits: u8,
    peers: String,
    result: Option<View>,
    export_href: String,
}

fn view(lang: Lang, dto: &IndustryBoardsDto) -> View {
    let name = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    let number = |v: Option<f64>| v.map_or_else(|| "—".into(), |v| format!("{v:.2}"));
    let size = |v: f64| {
        if dto.measure == "output" {
            chainatlas_app::format::wan(chainatlas_model::Money::from_fen(
                (v * 100.0).round() as i64
            ))
        } else {
            format!("{v:.0}")
        }
    };
    View {
        region_code: dto.region.code.clone(),
        region_name: name(&dto.region.name_zh, &dto.region.name_en),
        eci: number(dto.eci),
        rank: match dto.eci_rank {
            Some(r) => format!("{r} / {}", dto.regions_compared),
            None => format!("— / {}", dto.regions_compared),
        },
        coded: format!(
            "{} / {}",
            dto.enterprises_with_code, dto.enterprises_compared
        ),
        rows: dto
            .new_boards
            .iter()
            .enumerate()
            .map(|(i, b)| Row {
                rank: i + 1,
                name: name(&b.industry.name_zh, &b.industry.name_en),
                relatedness: b
                    .relatedness
                    .map_or_else(|| "—".into(), |v| format!("{:.0}%", v * 100.0)),
                pci: number(b.pci),
                cog: number(b.cog),
                related: b
                    .related
                    .iter()
                    .map(|r| {
                        let class = name(&r.industry.name_zh, &r.industry.name_en);
                        let proximity = format!("{:.2}", r.proximity);
                        lang.pick(
                            &format!("{class}（{proximity}）"),
                            &format!("{class} ({proximity})"),
                        )
                        .to_string()
                    })
                    .collect::<Vec<_>>()
                    .join(lang.pick("；", "; ")),
            })
            .collect(),
        long_rows: dto
            .long_boards
            .iter()
            .map(|b| LongRow {
                name: name(&b.industry.name_zh, &b.industry.name_en),
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
    }
}

fn sheets(w: &Words, n: &super::pages::Words, v: &View) -> Vec<Sheet> {
    vec![
        Sheet {
            name: n.new_boards.to_string(),
            header: ["#", w.industry, n.relatedness, "PCI", "COG", w.related]
                .map(String::from)
                .to_vec(),
            rows: v
                .rows
                .iter()
                .map(|r| {
                    vec![
                        r.rank.to_string(),
                        r.name.clone(),
                        r.relatedness.clone(),
                        r.pci.clone(),
                        r.cog.clone(),
                        r.related.clone(),
                    ]
                })
                .collect(),
        },
        super::pages::long_sheet(
            n,
            w.industry,
            v.long_rows
                .iter()
                .map(|r| [&r.name, &r.rca, &r.value, &r.pci]),
        ),
    ]
}

pub(super) async fn page(
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
    let form = super::pages::Form::parse(&query).or_page(lang, &uri, &viewer)?;
    let (region, level, measure) = (form.region, form.level, form.measure);
    let peers = form.peers.clone();
    let digits = query
        .text("digits")
        .and_then(|d| d.map_or(Ok(4), opp::digits))
        .or_page(lang, &uri, &viewer)?;
    let caches = state.app.caches.clone();
    let (regions, found) = state
        .read(move |store| {
            let regions = caches.regions_in_use(store)?;
            let found = match region {
                None => None,
                Some(region) => {
                    let graph = caches.graph(store)?;
                    let group = opp::peer_group(&peers, region, level);
                    Some(opp::industry_boards(
                        store, &graph, region, level, measure, &group, digits, 30,
                    )?)
                }
            };
            Ok((regions, found))
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    let (w, n) = (words(lang), super::pages::words(lang));
    let result = found.as_ref().map(|dto| view(lang, dto));
    if form.export {
        if let Some(v) = &result {
            let file = format!("industry-opportunities-{}", v.region_code);
            return workbook(&file, &sheets(w, n, v)).or_page(lang, &uri, &viewer);
        }
    }
    let title = match &result {
        Some(v) => format!("{} · {}", v.region_name, w.title),
        None => w.title.to_string(),
    };
    Ok(render(&Page {
        layout: Layout::new(lang, title, &uri, &viewer),
        w,
        n,
        regions: region_options(lang, &regions, region),
        level: form.level_word,
        measure: form.measure_word,
        digits,
        peers: form.peers_text,
        result,
        export_href: export_href(&uri),
    }))
}
