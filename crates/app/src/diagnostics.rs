//! Chain diagnostics as wire types: the analyses of `chainatlas-analysis` with names
//! resolved from the store. The API serves these, the pages render them, and the CLI
//! prints them, so all three say the same thing.

use std::collections::HashMap;

use chainatlas_analysis::{self as analysis, Graph, Impact, Purchases, Reason, Shock, Thresholds};
use chainatlas_model::{
    text, Chain, ChainId, ChainNode, EnterpriseId, Money, NodeId, Region, RegionCode,
};
use chainatlas_store::{EnterpriseRef, Store};
use serde::Serialize;
use utoipa::ToSchema;

use crate::atlas::{tag_names, ChainDto, NodeDto};
use crate::format::wan;
pub use crate::view::{chain, known_region};
use crate::{AppError, ErrorCode};

/// The names an answer mentions.
struct Names {
    chain: Chain,
    lookup: Lookup,
}

/// The names of every node and region, and of the enterprises asked for: what turns the
/// graph's ids into what people read.
pub(crate) struct Lookup {
    chain_codes: HashMap<ChainId, String>,
    nodes: HashMap<NodeId, ChainNode>,
    regions: HashMap<RegionCode, Region>,
    enterprises: HashMap<EnterpriseId, EnterpriseRef>,
}

impl std::ops::Deref for Names {
    type Target = Lookup;

    fn deref(&self) -> &Lookup {
        &self.lookup
    }
}

impl Names {
    fn load(store: &Store, chain_code: &str) -> Result<Names, AppError> {
        Ok(Names {
            chain: chain(store, chain_code)?,
            lookup: Lookup::load(store)?,
        })
    }

    fn with_enterprises(mut self, store: &Store, ids: &[EnterpriseId]) -> Result<Names, AppError> {
        self.lookup = self.lookup.with_enterprises(store, ids)?;
        Ok(self)
    }
}

impl Lookup {
    pub(crate) fn load(store: &Store) -> Result<Lookup, AppError> {
        let mut nodes = HashMap::new();
        let mut chain_codes = HashMap::new();
        for c in store.chains()? {
            for n in store.chain_nodes(c.id)? {
                nodes.insert(n.id, n);
            }
            chain_codes.insert(c.id, c.code);
        }
        let regions = store.regions()?.into_iter().map(|r| (r.code, r)).collect();
        Ok(Lookup {
            chain_codes,
            nodes,
            regions,
            enterprises: HashMap::new(),
        })
    }

    pub(crate) fn with_enterprises(
        mut self,
        store: &Store,
        ids: &[EnterpriseId],
    ) -> Result<Lookup, AppError> {
        self.enterprises = store.enterprise_refs(ids)?;
        Ok(self)
    }

    /// The code of a chain, empty if it is unknown.
    pub(crate) fn chain_code(&self, id: i64) -> String {
        self.chain_codes
            .get(&ChainId(id))
            .cloned()
            .unwrap_or_default()
    }

    pub(crate) fn node(&self, id: NodeId) -> NodeDto {
        match self.nodes.get(&id) {
            Some(n) => NodeDto::from(n),
            None => NodeDto {
                id: id.0,
                chain_id: 0,
                code: String::new(),
                name_zh: format!("#{}", id.0),
                name_en: format!("#{}", id.0),
                segment: String::new(),
            },
        }
    }

    pub(crate) fn region(&self, code: RegionCode) -> RegionRefDto {
        match self.regions.get(&code) {
            Some(r) => RegionRefDto {
                code: code.to_string(),
                name_zh: r.name_zh.clone(),
                name_en: r.name_en.clone(),
            },
            None => RegionRefDto {
                code: code.to_string(),
                name_zh: code.to_string(),
                name_en: code.to_string(),
            },
        }
    }

    pub(crate) fn enterprise(&self, id: EnterpriseId) -> EnterpriseBriefDto {
        match self.enterprises.get(&id) {
            Some(e) => EnterpriseBriefDto {
                id: id.0,
                name_zh: e.name_zh.clone(),
                name_en: e.name_en.clone(),
                region: self.region(e.region),
                tags: tag_names(e.tags),
            },
            None => EnterpriseBriefDto {
                id: id.0,
                name_zh: format!("#{}", id.0),
                name_en: format!("#{}", id.0),
                region: RegionRefDto {
                    code: String::new(),
                    name_zh: String::new(),
                    name_en: String::new(),
                },
                tags: Vec::new(),
            },
        }
    }
}

#[derive(Clone, Serialize, ToSchema)]
pub struct RegionRefDto {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct EnterpriseBriefDto {
    pub id: i64,
    pub name_zh: String,
    pub name_en: String,
    pub region: RegionRefDto,
    pub tags: Vec<String>,
}

// Diagnosis.

#[derive(Clone, Serialize, ToSchema)]
pub struct ThresholdsDto {
    /// Location quotient below which a node with local producers is weak.
    pub weak_below: f64,
    /// Location quotient from which a node is strong.
    pub strong_from: f64,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct NodeCoverageDto {
    pub node: NodeDto,
    pub enterprises: u32,
    pub output_fen: i64,
    pub capacity_fen: i64,
    /// Output of the node in the whole dataset.
    pub total_output_fen: i64,
    /// The region's share of the node's output, 0..1.
    pub share: f64,
    /// Null when the region or the node has no output.
    pub location_quotient: Option<f64>,
    /// missing, weak, present or strong.
    pub status: String,
    /// Local output of the nodes downstream of this one.
    pub downstream_output_fen: i64,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct PurchasesDto {
    pub total_fen: i64,
    pub same_city_fen: i64,
    pub same_province_fen: i64,
    /// Share bought in the buyer's own city; null without purchases.
    pub city_rate: Option<f64>,
    pub province_rate: Option<f64>,
}

impl From<&Purchases> for PurchasesDto {
    fn from(p: &Purchases) -> Self {
        PurchasesDto {
            total_fen: p.total.fen(),
            same_city_fen: p.same_city.fen(),
            same_province_fen: p.same_province.fen(),
            city_rate: p.city_rate(),
            province_rate: p.province_rate(),
        }
    }
}

#[derive(Clone, Serialize, ToSchema)]
pub struct NodePurchasesDto {
    pub node: NodeDto,
    pub purchases: PurchasesDto,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct BuyerSupportDto {
    pub enterprise: EnterpriseBriefDto,
    pub output_fen: i64,
    pub overall: PurchasesDto,
    pub by_node: Vec<NodePurchasesDto>,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct SupportingDto {
    pub overall: PurchasesDto,
    pub by_node: Vec<NodePurchasesDto>,
    pub chain_masters: Vec<BuyerSupportDto>,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct NodeDependencyDto {
    pub node: NodeDto,
    pub purchases_fen: i64,
    pub buyers: u32,
    pub suppliers: u32,
    /// Herfindahl–Hirschman index of the region's purchases, 0..10000.
    pub hhi: f64,
    /// Share bought from suppliers outside the region.
    pub outside_share: f64,
    pub single_sourced: u32,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct BuyerDependencyDto {
    pub buyer: EnterpriseBriefDto,
    pub node: NodeDto,
    pub suppliers: u32,
    pub hhi: f64,
    pub purchases_fen: i64,
    pub output_at_risk_fen: i64,
    pub main_supplier: EnterpriseBriefDto,
    pub main_share: f64,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct DependenciesDto {
    pub nodes: Vec<NodeDependencyDto>,
    pub single_sources: Vec<BuyerDependencyDto>,
    pub single_source_count: u32,
    pub concentrated: Vec<BuyerDependencyDto>,
    pub concentrated_count: u32,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct DiagnosisDto {
    pub chain: ChainDto,
    pub region: RegionRefDto,
    pub thresholds: ThresholdsDto,
    /// Local output in the chain's nodes.
    pub output_fen: i64,
    pub coverage: Vec<NodeCoverageDto>,
    /// Missing and weak nodes, most local downstream output first.
    pub short_boards: Vec<NodeCoverageDto>,
    pub supporting: SupportingDto,
    pub dependencies: DependenciesDto,
    /// Nodes with enterprise appeals in the past year (blocking points), most open
    /// first: a node can be weak for want of firms or for unresolved blockages.
    pub blockages: Vec<NodeBlockageDto>,
}

/// A node's appeals from enterprises of the region in the 365 days up to the day asked.
#[derive(Clone, Serialize, ToSchema)]
pub struct NodeBlockageDto {
    pub node: NodeDto,
    /// The node's coverage status: missing, weak, present or strong.
    pub status: String,
    pub appeals: u32,
    pub open: u32,
    pub overdue: u32,
}

/// Diagnosis of a chain in a region on `today` (for its blocking points); lists of
/// enterprises hold at most `limit` rows.
pub fn diagnosis(
    store: &Store,
    graph: &Graph,
    chain_code: &str,
    region: RegionCode,
    thresholds: Thresholds,
    limit: usize,
    today: chainatlas_model::Date,
) -> Result<DiagnosisDto, AppError> {
    known_region(store, region)?;
    let names = Names::load(store, chain_code)?;
    let chain = names.chain.id;
    let coverage = analysis::coverage(graph, chain, region, thresholds);
    let supporting = analysis::supporting(graph, chain, region);
    let dependencies = analysis::dependencies(graph, chain, region, limit);
    let mut ids: Vec<EnterpriseId> = supporting
        .chain_masters
        .iter()
        .map(|m| m.enterprise)
        .collect();
    for d in dependencies
        .single_sources
        .iter()
        .chain(&dependencies.concentrated)
    {
        ids.extend([d.buyer, d.main_supplier]);
    }
    let names = names.with_enterprises(store, &ids)?;
    let coverage_row = |n: &analysis::NodeCoverage| NodeCoverageDto {
        node: names.node(n.node),
        enterprises: n.enterprises,
        output_fen: n.output.fen(),
        capacity_fen: n.capacity.fen(),
        total_output_fen: n.total_output.fen(),
        share: n.share,
        location_quotient: n.location_quotient,
        status: n.status.as_str().to_string(),
        downstream_output_fen: n.downstream_output.fen(),
    };
    let node_purchases = |rows: &[(NodeId, Purchases)]| -> Vec<NodePurchasesDto> {
        rows.iter()
            .map(|(n, p)| NodePurchasesDto {
                node: names.node(*n),
                purchases: p.into(),
            })
            .collect()
    };
    let buyer_row = |d: &analysis::BuyerDependency| BuyerDependencyDto {
        buyer: names.enterprise(d.buyer),
        node: names.node(d.node),
        suppliers: d.suppliers,
        hhi: d.hhi,
        purchases_fen: d.purchases.fen(),
        output_at_risk_fen: d.output_at_risk.fen(),
        main_supplier: names.enterprise(d.main_supplier),
        main_share: d.main_share,
    };
    let statuses: HashMap<NodeId, &str> = coverage
        .nodes
        .iter()
        .map(|n| (n.node, n.status.as_str()))
        .collect();
    let mut blockages: Vec<NodeBlockageDto> = node_blockages(store, chain, region, today)?
        .into_iter()
        .map(|(node, (appeals, open, overdue))| NodeBlockageDto {
            node: names.node(node),
            status: statuses
                .get(&node)
                .copied()
                .unwrap_or("missing")
                .to_string(),
            appeals,
            open,
            overdue,
        })
        .collect();
    blockages.sort_by(|a, b| {
        (b.open, b.overdue, b.appeals)
            .cmp(&(a.open, a.overdue, a.appeals))
            .then(a.node.id.cmp(&b.node.id))
    });
    Ok(DiagnosisDto {
        chain: ChainDto::from(&names.chain),
        region: names.region(region),
        thresholds: ThresholdsDto {
            weak_below: thresholds.weak_below,
            strong_from: thresholds.strong_from,
        },
        output_fen: coverage.output.fen(),
        coverage: coverage.nodes.iter().map(coverage_row).collect(),
        short_boards: coverage
            .short_boards
            .iter()
            .filter_map(|id| coverage.node(*id))
            .map(coverage_row)
            .collect(),
        supporting: SupportingDto {
            overall: (&supporting.overall).into(),
            by_node: node_purchases(&supporting.by_node),
            chain_masters: supporting
                .chain_masters
                .iter()
                .map(|m| BuyerSupportDto {
                    enterprise: names.enterprise(m.enterprise),
                    output_fen: m.output.fen(),
                    overall: (&m.overall).into(),
                    by_node: node_purchases(&m.by_node),
                })
                .collect(),
        },
        dependencies: DependenciesDto {
            nodes: dependencies
                .nodes
                .iter()
                .map(|n| NodeDependencyDto {
                    node: names.node(n.node),
                    purchases_fen: n.purchases.fen(),
                    buyers: n.buyers,
                    suppliers: n.suppliers,
                    hhi: n.hhi,
                    outside_share: n.outside_share,
                    single_sourced: n.single_sourced,
                })
                .collect(),
            single_sources: dependencies.single_sources.iter().map(buyer_row).collect(),
            single_source_count: dependencies.single_source_count,
            concentrated: dependencies.concentrated.iter().map(buyer_row).collect(),
            concentrated_count: dependencies.concentrated_count,
        },
        blockages,
    })
}

// Disruption.

#[derive(Clone, Serialize, ToSchema)]
pub struct ShockDto {
    pub enterprises: Vec<i64>,
    pub regions: Vec<String>,
    pub nodes: Vec<i64>,
    pub fraction: f64,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct TierImpactDto {
    pub tier: u16,
    pub enterprises: u32,
    pub loss_fen: i64,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct NodeImpactDto {
    pub node: NodeDto,
    pub baseline_fen: i64,
    pub loss_fen: i64,
    pub enterprises: u32,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct RegionImpactDto {
    pub region: RegionRefDto,
    pub loss_fen: i64,
    pub enterprises: u32,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct EnterpriseImpactDto {
    pub enterprise: EnterpriseBriefDto,
    pub loss_fen: i64,
    pub loss_share: f64,
    /// 0 for hit enterprises, 1 for their buyers, and so on.
    pub tier: u16,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct AlternativeDto {
    pub enterprise: EnterpriseBriefDto,
    pub spare_fen: i64,
    /// same_city, same_province or elsewhere, seen from the main region.
    pub locality: String,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct LostInputDto {
    pub node: NodeDto,
    pub lost_value_fen: i64,
    pub buyers: u32,
    pub main_region: RegionRefDto,
    pub alternatives: Vec<AlternativeDto>,
    pub spare_total_fen: i64,
    pub spare_nearby_fen: i64,
    /// Share of the lost value all unharmed producers' spare capacity could restore.
    pub restorable: f64,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct DisruptionDto {
    pub chain: ChainDto,
    pub shock: ShockDto,
    pub hit_units: u32,
    pub hit_enterprises: u32,
    pub affected_enterprises: u32,
    pub baseline_fen: i64,
    pub direct_loss_fen: i64,
    pub total_loss_fen: i64,
    /// Tiers the loss travelled beyond the hit enterprises.
    pub tiers: u16,
    pub by_tier: Vec<TierImpactDto>,
    pub by_node: Vec<NodeImpactDto>,
    pub by_region: Vec<RegionImpactDto>,
    pub enterprises: Vec<EnterpriseImpactDto>,
    pub lost_inputs: Vec<LostInputDto>,
}

/// Simulates `shock` on the chain.
pub fn disruption(
    store: &Store,
    graph: &Graph,
    chain_code: &str,
    shock: &Shock,
    limit: usize,
) -> Result<DisruptionDto, AppError> {
    let names = Names::load(store, chain_code)?;
    for node in &shock.nodes {
        if names
            .nodes
            .get(node)
            .is_none_or(|n| n.chain != names.chain.id)
        {
            let id = node.0;
            return Err(AppError::new(
                ErrorCode::NodeNotFound,
                text!(
                    "产业链“{chain_code}”没有编号为 {id} 的环节",
                    "chain '{chain_code}' has no node {id}"
                ),
            ));
        }
    }
    for region in &shock.regions {
        known_region(store, *region)?;
    }
    for e in &shock.enterprises {
        if graph.enterprise_idx(*e).is_none() {
            return Err(crate::view::enterprise_not_found(e.0));
        }
    }
    let impact: Impact = analysis::disrupt(graph, names.chain.id, shock, limit);
    let mut ids: Vec<EnterpriseId> = impact.enterprises.iter().map(|e| e.enterprise).collect();
    for l in &impact.lost_inputs {
        ids.extend(l.alternatives.iter().map(|a| a.enterprise));
    }
    let names = names.with_enterprises(store, &ids)?;
    Ok(DisruptionDto {
        chain: ChainDto::from(&names.chain),
        shock: ShockDto {
            enterprises: shock.enterprises.iter().map(|e| e.0).collect(),
            regions: shock.regions.iter().map(|r| r.to_string()).collect(),
            nodes: shock.nodes.iter().map(|n| n.0).collect(),
            fraction: shock.fraction,
        },
        hit_units: impact.hit_units,
        hit_enterprises: impact.hit_enterprises,
        affected_enterprises: impact.affected_enterprises,
        baseline_fen: impact.baseline.fen(),
        direct_loss_fen: impact.direct_loss.fen(),
        total_loss_fen: impact.total_loss.fen(),
        tiers: impact.tiers,
        by_tier: impact
            .by_tier
            .iter()
            .map(|t| TierImpactDto {
                tier: t.tier,
                enterprises: t.enterprises,
                loss_fen: t.loss.fen(),
            })
            .collect(),
        by_node: impact
            .by_node
            .iter()
            .map(|n| NodeImpactDto {
                node: names.node(n.node),
                baseline_fen: n.baseline.fen(),
                loss_fen: n.loss.fen(),
                enterprises: n.enterprises,
            })
            .collect(),
        by_region: impact
            .by_region
            .iter()
            .map(|r| RegionImpactDto {
                region: names.region(r.region),
                loss_fen: r.loss.fen(),
                enterprises: r.enterprises,
            })
            .collect(),
        enterprises: impact
            .enterprises
            .iter()
            .map(|e| EnterpriseImpactDto {
                enterprise: names.enterprise(e.enterprise),
                loss_fen: e.loss.fen(),
                loss_share: e.loss_share,
                tier: e.tier,
            })
            .collect(),
        lost_inputs: impact
            .lost_inputs
            .iter()
            .map(|l| LostInputDto {
                node: names.node(l.node),
                lost_value_fen: l.lost_value.fen(),
                buyers: l.buyers,
                main_region: names.region(l.main_region),
                alternatives: l
                    .alternatives
                    .iter()
                    .map(|a| AlternativeDto {
                        enterprise: names.enterprise(a.enterprise),
                        spare_fen: a.spare.fen(),
                        locality: a.locality.as_str().to_string(),
                    })
                    .collect(),
                spare_total_fen: l.spare_total.fen(),
                spare_nearby_fen: l.spare_nearby.fen(),
                restorable: l.restorable(),
            })
            .collect(),
    })
}

// Chokepoints.

#[derive(Clone, Serialize, ToSchema)]
pub struct ChokepointDto {
    pub enterprise: EnterpriseBriefDto,
    pub own_output_fen: i64,
    pub downstream_loss_fen: i64,
    pub affected_enterprises: u32,
    pub tiers: u16,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct NodeChokepointDto {
    pub node: NodeDto,
    pub own_output_fen: i64,
    pub downstream_loss_fen: i64,
    pub affected_enterprises: u32,
    pub tiers: u16,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct ChokepointsDto {
    pub chain: ChainDto,
    /// Null for the whole dataset.
    pub region: Option<RegionRefDto>,
    pub enterprises: Vec<ChokepointDto>,
    pub nodes: Vec<NodeChokepointDto>,
    pub candidates: u32,
    /// Candidates simulated exactly; the rest were ruled out by an upper bound.
    pub simulated: u32,
}

/// The top `top` enterprise chokepoints and every node's, of the chain (in `region`).
pub fn chokepoints(
    store: &Store,
    graph: &Graph,
    chain_code: &str,
    region: Option<RegionCode>,
    top: usize,
    threads: usize,
) -> Result<ChokepointsDto, AppError> {
    if let Some(region) = region {
        known_region(store, region)?;
    }
    let names = Names::load(store, chain_code)?;
    let chain = names.chain.id;
    let ranking = analysis::enterprise_chokepoints(graph, chain, region, top, threads);
    let nodes = analysis::node_chokepoints(graph, chain, region, threads);
    let ids: Vec<EnterpriseId> = ranking.items.iter().map(|c| c.enterprise).collect();
    let names = names.with_enterprises(store, &ids)?;
    Ok(ChokepointsDto {
        chain: ChainDto::from(&names.chain),
        region: region.map(|r| names.region(r)),
        enterprises: ranking
            .items
            .iter()
            .map(|c| ChokepointDto {
                enterprise: names.enterprise(c.enterprise),
                own_output_fen: c.own_output.fen(),
                downstream_loss_fen: c.downstream_loss.fen(),
                affected_enterprises: c.affected_enterprises,
                tiers: c.tiers,
            })
            .collect(),
        nodes: nodes
            .iter()
            .map(|n| NodeChokepointDto {
                node: names.node(n.node),
                own_output_fen: n.own_output.fen(),
                downstream_loss_fen: n.downstream_loss.fen(),
                affected_enterprises: n.affected_enterprises,
                tiers: n.tiers,
            })
            .collect(),
        candidates: ranking.candidates,
        simulated: ranking.simulated,
    })
}

// Attraction.

#[derive(Clone, Serialize, ToSchema)]
pub struct ReasonDto {
    /// produces, supplies_region, spare_capacity, size, tag or same_province.
    pub kind: String,
    pub value_fen: Option<i64>,
    pub buyers: Option<u32>,
    /// The size class or tag, for those kinds.
    pub word: Option<String>,
    pub text_zh: String,
    pub text_en: String,
}

impl From<&Reason> for ReasonDto {
    fn from(r: &Reason) -> Self {
        let (kind, value, buyers, word, zh, en) = match r {
            Reason::Produces(m) => (
                "produces",
                Some(*m),
                None,
                None,
                format!("生产该环节，产值 {} 万元", wan(*m)),
                format!("Produces in this node, output {} ×10k yuan", wan(*m)),
            ),
            Reason::SuppliesRegion { value, buyers } => (
                "supplies_region",
                Some(*value),
                Some(*buyers),
                None,
                format!("已向本地 {buyers} 家企业供货 {} 万元/年", wan(*value)),
                format!(
                    "Already sells {} ×10k yuan a year to {buyers} local buyers",
                    wan(*value)
                ),
            ),
            Reason::SpareCapacity(m) => (
                "spare_capacity",
                Some(*m),
                None,
                None,
                format!("富余产能 {} 万元", wan(*m)),
                format!("Spare capacity {} ×10k yuan", wan(*m)),
            ),
            Reason::Size(size) => (
                "size",
                None,
                None,
                Some(size.as_str()),
                format!("{}企业", size.name(chainatlas_model::Lang::Zh)),
                format!("{} enterprise", capitalised(size.as_str())),
            ),
            Reason::Tag(tag) => (
                "tag",
                None,
                None,
                Some(tag.as_str()),
                tag_zh(*tag).to_string(),
                tag_en(*tag).to_string(),
            ),
            Reason::SameProvince => (
                "same_province",
                None,
                None,
                None,
                "位于同省".to_string(),
                "In the same province".to_string(),
            ),
        };
        ReasonDto {
            kind: kind.to_string(),
            value_fen: value.map(Money::fen),
            buyers,
            word: word.map(str::to_string),
            text_zh: zh,
            text_en: en,
        }
    }
}

fn capitalised(word: &str) -> String {
    let mut c = word.chars();
    c.next()
        .map(|first| first.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

pub fn tag_zh(tag: chainatlas_model::Tag) -> &'static str {
    use chainatlas_model::Tag::*;
    match tag {
        ChainMaster => "链主企业",
        SpecializedNew => "专精特新",
        HighTech => "高新技术企业",
        Listed => "上市公司",
    }
}

pub fn tag_en(tag: chainatlas_model::Tag) -> &'static str {
    use chainatlas_model::Tag::*;
    match tag {
        ChainMaster => "Chain master",
        SpecializedNew => "Specialised and new",
        HighTech => "High-tech enterprise",
        Listed => "Listed company",
    }
}

#[derive(Clone, Serialize, ToSchema)]
pub struct TargetDto {
    pub enterprise: EnterpriseBriefDto,
    pub size: String,
    pub output_fen: i64,
    pub spare_fen: i64,
    pub supplies_region_fen: i64,
    pub buyers_in_region: u32,
    /// 0..100; see docs/diagnostics.md for the formula.
    pub score: f64,
    pub reasons: Vec<ReasonDto>,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct NodeTargetsDto {
    pub node: NodeDto,
    pub status: String,
    pub downstream_output_fen: i64,
    pub candidates: u32,
    pub targets: Vec<TargetDto>,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct AttractionDto {
    pub chain: ChainDto,
    pub region: RegionRefDto,
    pub short_boards: Vec<NodeTargetsDto>,
}

/// Attraction targets for every short board of the chain in `region`.
pub fn attraction(
    store: &Store,
    graph: &Graph,
    chain_code: &str,
    region: RegionCode,
    thresholds: Thresholds,
    limit: usize,
) -> Result<AttractionDto, AppError> {
    known_region(store, region)?;
    let names = Names::load(store, chain_code)?;
    let coverage = analysis::coverage(graph, names.chain.id, region, thresholds);
    let boards = analysis::attraction_targets(graph, &coverage, limit);
    let ids: Vec<EnterpriseId> = boards
        .iter()
        .flat_map(|b| b.targets.iter().map(|t| t.enterprise))
        .collect();
    let names = names.with_enterprises(store, &ids)?;
    Ok(AttractionDto {
        chain: ChainDto::from(&names.chain),
        region: names.region(region),
        short_boards: boards
            .iter()
            .map(|b| NodeTargetsDto {
                node: names.node(b.node),
                status: b.status.as_str().to_string(),
                downstream_output_fen: b.downstream_output.fen(),
                candidates: b.candidates,
                targets: b
                    .targets
                    .iter()
                    .map(|t| TargetDto {
                        enterprise: names.enterprise(t.enterprise),
                        size: t.size.as_str().to_string(),
                        output_fen: t.output.fen(),
                        spare_fen: t.spare.fen(),
                        supplies_region_fen: t.supplies_region.fen(),
                        buyers_in_region: t.buyers_in_region,
                        score: t.score,
                        reasons: t.reasons.iter().map(ReasonDto::from).collect(),
                    })
                    .collect(),
            })
            .collect(),
    })
}

/// Parses a status threshold pair, checking that they make sense together.
pub fn thresholds(
    weak_below: Option<f64>,
    strong_from: Option<f64>,
) -> Result<Thresholds, AppError> {
    let default = Thresholds::default();
    let t = Thresholds {
        weak_below: weak_below.unwrap_or(default.weak_below),
        strong_from: strong_from.unwrap_or(default.strong_from),
    };
    // Any non-negative pair is meaningful: with strong_from below weak_below there is
    // simply no "present" band.
    for (name, value) in [("weak_below", t.weak_below), ("strong_from", t.strong_from)] {
        if !(value.is_finite() && value >= 0.0) {
            return Err(AppError::parameter(text!(
                "{name} 应为 0 或以上的区位商，实际为 {value}",
                "{name} must be a location quotient of 0 or more, got {value}"
            )));
        }
    }
    Ok(t)
}

/// Parses a disruption fraction: a share of capacity in (0, 1].
pub fn fraction(raw: Option<f64>) -> Result<f64, AppError> {
    let f = raw.unwrap_or(1.0);
    if !(f > 0.0 && f <= 1.0) {
        return Err(AppError::parameter(text!(
            "fraction（受损比例）应大于 0 且不超过 1，实际为 {f}",
            "fraction must be greater than 0 and at most 1, got {f}"
        )));
    }
    Ok(f)
}

/// The query string of a diagnostics request. Lists may repeat a key or separate values
/// with commas (`enterprise=1&enterprise=2`, `enterprise=1,2`). Pages send empty fields
/// for unused inputs and are `lenient` about them; the API treats them as mistakes.
pub struct DiagnosticsQuery {
    pairs: Vec<(String, String)>,
    lenient: bool,
}

impl DiagnosticsQuery {
    pub fn parse(raw: Option<&str>, lenient: bool) -> DiagnosticsQuery {
        let pairs = form_urlencoded::parse(raw.unwrap_or("").as_bytes())
            .into_owned()
            .collect();
        DiagnosticsQuery { pairs, lenient }
    }

    /// Every value of a list parameter, commas split, blanks dropped (an empty list item
    /// is no item).
    fn list(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split([',', ';', '，', '；']).map(str::trim))
            .filter(|part| !part.is_empty())
            .collect()
    }

    /// Every value of `name`, commas split, blanks dropped for pages.
    fn all(&self, name: &str) -> Result<Vec<&str>, AppError> {
        let mut values = Vec::new();
        for (_, v) in self.pairs.iter().filter(|(k, _)| k == name) {
            for part in v.split(',').map(str::trim) {
                if part.is_empty() {
                    if !self.lenient {
                        return Err(AppError::parameter(text!(
                            "参数 {name} 有空值",
                            "parameter {name} has an empty value"
                        )));
                    }
                } else {
                    values.push(part);
                }
            }
        }
        Ok(values)
    }

    fn one(&self, name: &str) -> Result<Option<&str>, AppError> {
        let values = self.all(name)?;
        match values.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one)),
            _ => {
                let n = values.len();
                Err(AppError::parameter(text!(
                    "参数 {name} 只能取一个值，实际有 {n} 个",
                    "parameter {name} takes one value, got {n}"
                )))
            }
        }
    }

    /// Every value of a list parameter (repeated, or separated by commas).
    pub fn list_of(&self, name: &str) -> Vec<&str> {
        self.list(name)
    }

    /// The one value of a parameter, if given.
    pub fn text(&self, name: &str) -> Result<Option<&str>, AppError> {
        self.one(name)
    }

    /// Whether the page is asked for as an Excel workbook (`format=xlsx`).
    pub fn workbook(&self) -> Result<bool, AppError> {
        crate::view::wants_workbook(self.one("format")?)
    }

    pub fn region(&self) -> Result<Option<RegionCode>, AppError> {
        crate::view::parse_region_text(self.one("region")?)
    }

    pub fn required_region(&self) -> Result<RegionCode, AppError> {
        self.region()?.ok_or_else(|| {
            AppError::parameter(text!(
                "请填写参数 region：6 位行政区划代码，如 430200",
                "parameter region is required: a 6-digit division code such as 430200"
            ))
        })
    }

    pub fn number(&self, name: &str) -> Result<Option<f64>, AppError> {
        self.one(name)?
            .map(|v| {
                v.parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .ok_or_else(|| {
                        AppError::parameter(text!(
                            "参数 {name} 应为数字，实际为“{v}”",
                            "parameter {name} must be a number, got '{v}'"
                        ))
                    })
            })
            .transpose()
    }

    pub fn count(&self, name: &str, default: u32, max: u32) -> Result<usize, AppError> {
        Ok(crate::view::parse_count(name, self.one(name)?, default, 0..=max)? as usize)
    }

    pub fn thresholds(&self) -> Result<Thresholds, AppError> {
        thresholds(self.number("weak_below")?, self.number("strong_from")?)
    }

    /// The shock of a disruption request; it may remove nothing, which loses nothing.
    pub fn shock(&self) -> Result<Shock, AppError> {
        // Any whole number is a well-formed id, also as a picker fills it (`名称 #12`);
        // ids that name nothing are answered 404.
        let ids = |name: &str, what: &str| -> Result<Vec<i64>, AppError> {
            self.list(name)
                .into_iter()
                .map(|v| {
                    crate::problems::picked_id(v).parse::<i64>().map_err(|_| {
                        AppError::parameter(text!(
                            "{what} 编号“{v}”不是整数",
                            "{what} id '{v}' is not a whole number"
                        ))
                    })
                })
                .collect()
        };
        let shock = Shock {
            enterprises: ids("enterprise", "enterprise")?
                .into_iter()
                .map(EnterpriseId)
                .collect(),
            regions: self
                .list("region")
                .into_iter()
                .map(|v| crate::view::parse_region(Some(v)).map(|r| r.expect("a non-empty code")))
                .collect::<Result<_, _>>()?,
            nodes: ids("node", "node")?.into_iter().map(NodeId).collect(),
            fraction: fraction(self.number("fraction")?)?,
        };
        Ok(shock)
    }
}

/// Per node of `chain` in `region`: (appeals in the past year, still open, overdue),
/// for the chain diagnosis beside its short boards.
pub fn node_blockages(
    store: &Store,
    chain: chainatlas_model::ChainId,
    region: RegionCode,
    today: chainatlas_model::Date,
) -> Result<HashMap<NodeId, (u32, u32, u32)>, AppError> {
    let r = region.descendants();
    let filter = chainatlas_store::AppealFilter {
        chain: Some(chain),
        regions: Some((*r.start(), *r.end())),
        since: Some(crate::clock::china_midnight(today.add_days(-364))),
        ..chainatlas_store::AppealFilter::default()
    };
    let mut out: HashMap<NodeId, (u32, u32, u32)> = HashMap::new();
    store.for_each_appeal(&filter, |a, _| {
        if let Some(n) = a.node {
            let e = out.entry(n).or_default();
            e.0 += 1;
            e.1 += u32::from(a.state.is_open());
            e.2 += u32::from(a.overdue(today));
        }
        true
    })?;
    Ok(out)
}
