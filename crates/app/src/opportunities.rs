//! A region's new boards (锻新板) and long boards (锻长板) with the names people read and
//! the reasons in both languages: `chainatlas_analysis::opportunities` over the supply
//! graph (docs/complexity.md).

use chainatlas_analysis::{self as analysis, Graph, Landscape, Level, Measure, OpportunityError};
use chainatlas_complexity::{analyse as io_analyse, IoOptions, IoTable};
use chainatlas_model::{text, EnterpriseId, RegionCode};
use chainatlas_store::Store;
use serde::Serialize;
use utoipa::ToSchema;

use crate::atlas::NodeDto;
use crate::diagnostics::{DiagnosticsQuery, EnterpriseBriefDto, Lookup, RegionRefDto};
use crate::view::known_region;
use crate::{AppError, ErrorCode};

/// New boards listed at most.
pub const MAX_NEW_BOARDS: usize = 200;

/// Attraction targets named per new board.
pub const TARGETS: usize = 3;

/// Reads a level as the API and the command line write it.
pub fn level(word: &str) -> Result<Level, AppError> {
    match word {
        "county" | "区县" => Ok(Level::County),
        "city" | "市" => Ok(Level::City),
        "province" | "省" => Ok(Level::Province),
        _ => Err(AppError::parameter(text!(
            "层级“{word}”无效：应为 county、city 或 province",
            "level '{word}' is not one of county, city, province"
        ))),
    }
}

/// Reads a measure as the API and the command line write it.
pub fn measure(word: &str) -> Result<Measure, AppError> {
    match word {
        "output" | "产值" => Ok(Measure::Output),
        "enterprises" | "企业数" => Ok(Measure::Enterprises),
        "employees" | "从业人员" => Ok(Measure::Employees),
        _ => Err(AppError::parameter(text!(
            "度量“{word}”无效：应为 output、enterprises 或 employees",
            "measure '{word}' is not one of output, enterprises, employees"
        ))),
    }
}

/// The level and measure of a query (`level`, default city; `measure`, default output).
pub fn level_and_measure(q: &DiagnosticsQuery) -> Result<(Level, Measure), AppError> {
    Ok((
        q.text("level")?.map_or(Ok(Level::City), level)?,
        q.text("measure")?.map_or(Ok(Measure::Output), measure)?,
    ))
}

/// Why some measures are missing, in both languages.
fn notes(notes: &[chainatlas_complexity::Note]) -> Vec<TextDto> {
    notes
        .iter()
        .map(|n| TextDto {
            text_zh: n.text(false),
            text_en: n.text(true),
        })
        .collect()
}

fn measure_word(measure: Measure) -> &'static str {
    match measure {
        Measure::Output => "output",
        Measure::Enterprises => "enterprises",
        Measure::Employees => "employees",
    }
}

fn level_word(level: Level) -> &'static str {
    match level {
        Level::County => "county",
        Level::City => "city",
        Level::Province => "province",
    }
}

#[derive(Clone, Serialize, ToSchema)]
pub struct TextDto {
    pub text_zh: String,
    pub text_en: String,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct RelatedDto {
    pub node: NodeDto,
    /// Proximity between the two nodes, 0–1.
    pub proximity: f64,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct OpportunityDto {
    pub node: NodeDto,
    /// Its chain's code: the chain diagnosis lists the attraction targets of its short
    /// boards.
    pub chain_code: String,
    /// The region's revealed comparative advantage in the node (≤ 1: it lacks it).
    pub rca: f64,
    /// Relatedness density, 0–1.
    pub density: Option<f64>,
    /// Density over the largest among the nodes the region lacks, 0–1.
    pub relatedness: Option<f64>,
    /// Share of the node's inputs (by input coefficients) made locally, 0–1; null for a
    /// node without inputs in its chain.
    pub readiness: Option<f64>,
    /// Share of the node's buyers' nodes (by output coefficients) present locally, 0–1;
    /// null for a final node.
    pub pull: Option<f64>,
    /// Weighted mean of the three parts defined (0.5, 0.25, 0.25), 0–1.
    pub feasibility: f64,
    /// Product complexity (standardised), null when undefined.
    pub pci: Option<f64>,
    /// Complexity outlook gain, null when undefined.
    pub cog: Option<f64>,
    pub related: Vec<RelatedDto>,
    pub inputs_local: Vec<NodeDto>,
    pub inputs_missing: Vec<NodeDto>,
    pub buyers: Vec<EnterpriseBriefDto>,
    /// Attraction targets (精准招商): the best producers of the node outside the region, by
    /// the score of the chain diagnosis's attraction list (ties to local buyers, output,
    /// spare capacity, size and tags), at most [`TARGETS`].
    pub targets: Vec<EnterpriseBriefDto>,
    /// Why, in both languages.
    pub reasons: Vec<TextDto>,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct LongBoardDto {
    pub node: NodeDto,
    pub rca: f64,
    /// The region's output in the node (yuan), or its enterprises or employees there.
    pub value: f64,
    pub pci: Option<f64>,
}

/// A sector (node) of the region's own input–output table.
#[derive(Clone, Serialize, ToSchema)]
pub struct KeySectorDto {
    pub node: NodeDto,
    /// Column sum of the Leontief inverse over its mean (Rasmussen).
    pub backward_index: f64,
    /// Row sum of the Ghosh inverse over its mean.
    pub forward_index: f64,
    /// key, backward, forward or weak.
    pub class: String,
    /// Share of the region's output lost if the sector were taken out (hypothetical
    /// extraction).
    pub extraction_share: f64,
}

/// A node as the region stands in it: a point of the chart of presence against fit.
#[derive(Clone, Serialize, ToSchema)]
pub struct PointDto {
    pub node: NodeDto,
    pub rca: f64,
    pub density: Option<f64>,
    pub present: bool,
}

/// Two close nodes of the activity space.
#[derive(Clone, Serialize, ToSchema)]
pub struct LinkDto {
    /// Node ids.
    pub source: i64,
    pub target: i64,
    pub proximity: f64,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct OpportunitiesDto {
    pub region: RegionRefDto,
    /// county, city or province: the regions compared.
    pub level: String,
    /// output, enterprises or employees.
    pub measure: String,
    /// Economic complexity of the region, standardised; null when undefined.
    pub eci: Option<f64>,
    /// Its rank by ECI (1 = highest) among `regions_compared`.
    pub eci_rank: Option<usize>,
    pub regions_compared: usize,
    pub new_boards: Vec<OpportunityDto>,
    pub long_boards: Vec<LongBoardDto>,
    /// The sectors of the region's own input–output table (local suppliers to local
    /// buyers), the most output lost on extraction first; empty when the region's flows
    /// do not make a productive table.
    pub key_sectors: Vec<KeySectorDto>,
    /// Every node compared, as the region stands in it.
    pub space: Vec<PointDto>,
    /// Each node's two closest others: the activity space.
    pub links: Vec<LinkDto>,
    /// Why some measures are missing.
    pub notes: Vec<TextDto>,
}

fn names(nodes: &[NodeDto]) -> (String, String) {
    (
        nodes
            .iter()
            .map(|n| n.name_zh.as_str())
            .collect::<Vec<_>>()
            .join("、"),
        nodes
            .iter()
            .map(|n| n.name_en.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    )
}

fn reasons(o: &OpportunityDto) -> Vec<TextDto> {
    let mut out = Vec::new();
    if let Some(first) = o.related.first() {
        let (zh, en) = names(&o.related.iter().map(|r| r.node.clone()).collect::<Vec<_>>());
        out.push(TextDto {
            text_zh: format!(
                "与本地优势环节相近：{zh}（最高邻近度 {:.2}）",
                first.proximity
            ),
            text_en: format!(
                "close to what the region is strong in: {en} (proximity up to {:.2})",
                first.proximity
            ),
        });
    }
    if !o.inputs_local.is_empty() || !o.inputs_missing.is_empty() {
        let (lz, le) = names(&o.inputs_local);
        let (mz, me) = names(&o.inputs_missing);
        let pct = o.readiness.map_or(0.0, |r| r * 100.0);
        out.push(TextDto {
            text_zh: match (lz.is_empty(), mz.is_empty()) {
                (false, true) => format!("投入环节本地齐备（{pct:.0}%）：{lz}"),
                (true, false) => format!("投入环节本地均缺：{mz}"),
                _ => format!("本地已有投入（{pct:.0}%）：{lz}；缺少：{mz}"),
            },
            text_en: match (le.is_empty(), me.is_empty()) {
                (false, true) => format!("every input made locally ({pct:.0}%): {le}"),
                (true, false) => format!("no input made locally: {me}"),
                _ => format!("inputs made locally ({pct:.0}%): {le}; missing: {me}"),
            },
        });
    }
    if !o.buyers.is_empty() {
        let zh: Vec<&str> = o.buyers.iter().map(|b| b.name_zh.as_str()).collect();
        let en: Vec<&str> = o.buyers.iter().map(|b| b.name_en.as_str()).collect();
        out.push(TextDto {
            text_zh: format!("本地潜在买家：{}", zh.join("、")),
            text_en: format!("local buyers: {}", en.join(", ")),
        });
    }
    if let Some(pci) = o.pci {
        out.push(TextDto {
            text_zh: format!("产品复杂度 PCI {pci:.2}"),
            text_en: format!("product complexity (PCI) {pci:.2}"),
        });
    }
    out
}

fn refusal(e: OpportunityError) -> AppError {
    match e {
        OpportunityError::NoActivity(r) => AppError::new(
            ErrorCode::NotFound,
            text!(
                "地区 {r} 在图谱中没有企业，无法分析新板",
                "region {r} has no enterprise in the atlas: nothing to compare"
            ),
        ),
        OpportunityError::Empty => AppError::new(
            ErrorCode::NotFound,
            text!(
                "图谱中没有产值可供比较",
                "the atlas has no output to compare"
            ),
        ),
    }
}

/// The sectors of the region's own IO table, the most output lost on extraction first;
/// none when the table is not productive (or has no flows).
fn key_sectors(
    graph: &Graph,
    level: Level,
    region: RegionCode,
    node: &dyn Fn(u32) -> NodeDto,
) -> Vec<KeySectorDto> {
    let (nodes, z, output) = analysis::regional_flows(graph, level, region);
    let table = IoTable {
        sectors: nodes.iter().map(|n| n.to_string()).collect(),
        z,
        output,
    };
    let Ok(r) = io_analyse(&table, &IoOptions::default()) else {
        return Vec::new();
    };
    let mut order: Vec<usize> = (0..nodes.len()).collect();
    order.sort_by(|&a, &b| {
        r.extraction[b]
            .total_share
            .total_cmp(&r.extraction[a].total_share)
            .then(nodes[a].cmp(&nodes[b]))
    });
    order
        .into_iter()
        .map(|i| KeySectorDto {
            node: node(nodes[i]),
            backward_index: r.backward_index[i],
            forward_index: r.forward_index[i],
            class: r.class[i].label().1.to_string(),
            extraction_share: r.extraction[i].total_share,
        })
        .collect()
}

/// Regions compared at most in a peer group.
pub const MAX_PEERS: usize = 500;

/// The landscape every region's opportunities of `level` and `measure` come from, among
/// `peers` (empty: all regions of the level).
pub fn landscape(
    graph: &Graph,
    level: Level,
    measure: Measure,
    peers: &[RegionCode],
) -> Result<Landscape, AppError> {
    let group = (!peers.is_empty()).then_some(peers);
    analysis::landscape(graph, level, measure, group).map_err(refusal)
}

/// The peer group of `region` at `level`: the peers as regions of that level, the
/// region itself among them; empty (all regions) when no peer is given.
pub fn peer_group(peers: &[RegionCode], region: RegionCode, level: Level) -> Vec<RegionCode> {
    if peers.is_empty() {
        return Vec::new();
    }
    let mut group: Vec<RegionCode> = peers.iter().map(|r| level.of(*r)).collect();
    group.push(level.of(region));
    group.sort_by_key(|r| r.value());
    group.dedup();
    group
}

/// A peer group as typed: division codes (or names) separated by commas, at most
/// [`MAX_PEERS`], sorted and without repeats; empty when none is given.
pub fn peers(q: &DiagnosticsQuery) -> Result<Vec<RegionCode>, AppError> {
    let mut out = Vec::new();
    for part in q.list_of("peers") {
        let code = crate::view::parse_region_text(Some(part))?.ok_or_else(|| {
            AppError::parameter(text!(
                "同类地区“{part}”无效",
                "peer region '{part}' is not one"
            ))
        })?;
        out.push(code);
    }
    out.sort_by_key(|r| r.value());
    out.dedup();
    if out.len() > MAX_PEERS {
        let n = out.len();
        return Err(AppError::parameter(text!(
            "同类地区最多 {MAX_PEERS} 个，实际 {n} 个",
            "at most {MAX_PEERS} peer regions, got {n}"
        )));
    }
    Ok(out)
}

/// The new and long boards of `region`, among the regions of the landscape's level.
pub fn opportunities(
    store: &Store,
    graph: &Graph,
    landscape: &Landscape,
    region: RegionCode,
    limit: usize,
) -> Result<OpportunitiesDto, AppError> {
    known_region(store, region)?;
    let (level, measure) = (landscape.level, landscape.measure);
    let o = analysis::opportunities_in(graph, landscape, region).map_err(refusal)?;
    let shown = &o.new_boards[..o.new_boards.len().min(limit.min(MAX_NEW_BOARDS))];
    let ties = analysis::RegionTies::of(graph, o.region);
    let targets: Vec<Vec<EnterpriseId>> = shown
        .iter()
        .map(|b| {
            analysis::targets_in_node(graph, &ties, b.node, TARGETS)
                .0
                .iter()
                .map(|t| t.enterprise)
                .collect()
        })
        .collect();
    let ids: Vec<EnterpriseId> = shown
        .iter()
        .flat_map(|b| b.buyers.iter().map(|&e| graph.profile(e).id))
        .chain(targets.iter().flatten().copied())
        .collect();
    let lookup = Lookup::load(store)?.with_enterprises(store, &ids)?;
    let node = |n: u32| lookup.node(graph.node_id(n));
    let nodes = |ns: &[u32]| ns.iter().map(|&n| node(n)).collect::<Vec<_>>();
    let new_boards = shown
        .iter()
        .zip(&targets)
        .map(|(b, targets)| {
            let node_dto = node(b.node);
            let mut dto = OpportunityDto {
                chain_code: lookup.chain_code(node_dto.chain_id),
                node: node_dto,
                rca: b.rca,
                density: b.density,
                relatedness: b.relatedness,
                readiness: b.readiness,
                pull: b.pull,
                feasibility: b.feasibility,
                pci: b.pci,
                cog: b.cog,
                related: b
                    .related
                    .iter()
                    .map(|&(n, proximity)| RelatedDto {
                        node: node(n),
                        proximity,
                    })
                    .collect(),
                inputs_local: nodes(&b.inputs_local),
                inputs_missing: nodes(&b.inputs_missing),
                buyers: b
                    .buyers
                    .iter()
                    .map(|&e| lookup.enterprise(graph.profile(e).id))
                    .collect(),
                targets: targets.iter().map(|&e| lookup.enterprise(e)).collect(),
                reasons: Vec::new(),
            };
            dto.reasons = reasons(&dto);
            dto
        })
        .collect();
    Ok(OpportunitiesDto {
        region: lookup.region(o.region),
        level: level_word(level).to_string(),
        measure: measure_word(measure).to_string(),
        eci: o.eci,
        eci_rank: o.eci_rank.map(|r| r.0),
        regions_compared: landscape.complexity.locations.len(),
        new_boards,
        long_boards: o
            .long_boards
            .iter()
            .map(|b| LongBoardDto {
                node: node(b.node),
                rca: b.rca,
                value: b.value,
                pci: b.pci,
            })
            .collect(),
        key_sectors: key_sectors(graph, level, o.region, &node),
        space: landscape
            .space(o.region)
            .unwrap_or_default()
            .into_iter()
            .map(|p| PointDto {
                node: node(p.node),
                rca: p.rca,
                density: p.density,
                present: p.present,
            })
            .collect(),
        links: landscape
            .links(2)
            .into_iter()
            .map(|(a, b, proximity)| LinkDto {
                source: graph.node_id(a).0,
                target: graph.node_id(b).0,
                proximity,
            })
            .collect(),
        notes: notes(&o.notes),
    })
}

/// An industry class (GB/T 4754-2017) as people read it.
#[derive(Clone, Serialize, ToSchema)]
pub struct IndustryDto {
    /// 2 to 4 digits.
    pub code: String,
    /// The code with its division's name (manufacturing) or its section's.
    pub name_zh: String,
    pub name_en: String,
}

fn industry_dto(code: chainatlas_model::IndustryCode) -> IndustryDto {
    IndustryDto {
        code: code.to_string(),
        name_zh: code.label(chainatlas_model::Lang::Zh),
        name_en: code.label(chainatlas_model::Lang::En),
    }
}

#[derive(Clone, Serialize, ToSchema)]
pub struct IndustryOpportunityDto {
    pub industry: IndustryDto,
    pub rca: f64,
    pub density: Option<f64>,
    /// Density over the largest among the classes the region lacks, 0–1: the ranking.
    pub relatedness: Option<f64>,
    pub pci: Option<f64>,
    pub cog: Option<f64>,
    /// The region's present classes closest to it, closest first.
    pub related: Vec<RelatedIndustryDto>,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct RelatedIndustryDto {
    pub industry: IndustryDto,
    /// Proximity between the two classes, 0–1.
    pub proximity: f64,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct IndustryLongBoardDto {
    pub industry: IndustryDto,
    pub rca: f64,
    /// The region's output in the class (yuan), or its enterprises or employees there.
    pub value: f64,
    pub pci: Option<f64>,
}

/// New and long boards by national industry class.
#[derive(Clone, Serialize, ToSchema)]
pub struct IndustryBoardsDto {
    pub region: RegionRefDto,
    pub level: String,
    pub measure: String,
    /// Digits the classes are cut to: 2 (division), 3 (group) or 4 (class).
    pub digits: u8,
    pub eci: Option<f64>,
    pub eci_rank: Option<usize>,
    pub regions_compared: usize,
    /// Enterprises compared that have an industry code; those without are left out.
    pub enterprises_with_code: usize,
    pub enterprises_compared: usize,
    pub new_boards: Vec<IndustryOpportunityDto>,
    pub long_boards: Vec<IndustryLongBoardDto>,
    pub notes: Vec<TextDto>,
}

/// Reads how many digits of the industry code to compare by: 2, 3 or 4.
pub fn digits(word: &str) -> Result<u8, AppError> {
    match word {
        "2" => Ok(2),
        "3" => Ok(3),
        "4" => Ok(4),
        _ => Err(AppError::parameter(text!(
            "行业代码位数“{word}”无效：应为 2（大类）、3（中类）或 4（小类）",
            "industry digits '{word}' is not 2 (division), 3 (group) or 4 (class)"
        ))),
    }
}

/// A region's new and long boards by industry class, among `peers` (empty: all regions
/// of the level).
#[allow(clippy::too_many_arguments)]
pub fn industry_boards(
    store: &Store,
    graph: &Graph,
    region: RegionCode,
    level: Level,
    measure: Measure,
    peers: &[RegionCode],
    digits: u8,
    limit: usize,
) -> Result<IndustryBoardsDto, AppError> {
    known_region(store, region)?;
    let peers = (!peers.is_empty()).then_some(peers);
    let b =
        analysis::industry_boards(graph, region, level, measure, peers, digits).map_err(refusal)?;
    let lookup = Lookup::load(store)?;
    Ok(IndustryBoardsDto {
        region: lookup.region(b.region),
        level: level_word(level).to_string(),
        measure: measure_word(measure).to_string(),
        digits,
        eci: b.eci,
        eci_rank: b.eci_rank.map(|r| r.0),
        regions_compared: b.eci_rank.map_or(0, |r| r.1),
        enterprises_with_code: b.coded.0,
        enterprises_compared: b.coded.1,
        new_boards: b
            .new_boards
            .iter()
            .take(limit.min(MAX_NEW_BOARDS))
            .map(|o| IndustryOpportunityDto {
                industry: industry_dto(o.industry),
                rca: o.rca,
                density: o.density,
                relatedness: o.relatedness,
                pci: o.pci,
                cog: o.cog,
                related: o
                    .related
                    .iter()
                    .map(|&(c, proximity)| RelatedIndustryDto {
                        industry: industry_dto(c),
                        proximity,
                    })
                    .collect(),
            })
            .collect(),
        long_boards: b
            .long_boards
            .iter()
            .map(|l| IndustryLongBoardDto {
                industry: industry_dto(l.industry),
                rca: l.rca,
                value: l.value,
                pci: l.pci,
            })
            .collect(),
        notes: notes(&b.notes),
    })
}
