//! Investment-attraction targets (精准招商): for each short board of a region, the
//! outside enterprises best placed to fill it, with the reasons.
//!
//! Score, 0..=100, each term scaled within the node's candidates (log scale for values,
//! since firm sizes span orders of magnitude):
//!
//! | term | weight | what |
//! |---|---|---|
//! | ties | 40 | value the enterprise already sells to buyers in the region (any node) |
//! | output | 30 | its output in the node |
//! | spare | 10 | its spare capacity in the node (capacity − output) |
//! | profile | 20 | size class (large 0.4, medium 0.28, small 0.16, micro 0.08) plus 0.2 for each tag: high-tech, specialised-and-new, listed (capped at 1) |

use chainatlas_model::{
    ChainId, EnterpriseId, EnterpriseSize, Money, NodeId, RegionCode, Tag, Tags,
};

use crate::coverage::{Coverage, NodeStatus};
use crate::Graph;

/// Why an enterprise is a target.
#[derive(Clone, Debug, PartialEq)]
pub enum Reason {
    /// It produces in the node, with this output.
    Produces(Money),
    /// It already sells this much, to this many buyers, in the region.
    SuppliesRegion {
        value: Money,
        buyers: u32,
    },
    /// It has this much spare capacity in the node.
    SpareCapacity(Money),
    /// It is a large or medium enterprise.
    Size(EnterpriseSize),
    Tag(Tag),
    /// It is in the same province as the region (for a city's short board).
    SameProvince,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub enterprise: EnterpriseId,
    pub region: RegionCode,
    pub size: EnterpriseSize,
    pub tags: Tags,
    pub output: Money,
    pub spare: Money,
    pub supplies_region: Money,
    pub buyers_in_region: u32,
    pub score: f64,
    pub reasons: Vec<Reason>,
}

/// Targets for one short board.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeTargets {
    pub node: NodeId,
    pub status: NodeStatus,
    pub downstream_output: Money,
    /// Outside producers of the node considered.
    pub candidates: u32,
    /// Best first, at most `limit`.
    pub targets: Vec<Target>,
}

/// Targets for each short board of `coverage` (which fixes chain and region), in the
/// short-board order.
pub fn attraction_targets(graph: &Graph, coverage: &Coverage, limit: usize) -> Vec<NodeTargets> {
    let ties = RegionTies::of(graph, coverage.region);
    coverage
        .short_boards
        .iter()
        .filter_map(|&id| {
            let node = graph.node_idx(id)?;
            let row = coverage.node(id)?;
            Some(node_targets(
                graph,
                coverage.chain,
                &ties,
                node,
                row.status,
                row.downstream_output,
                limit,
            ))
        })
        .collect()
}

fn node_targets(
    graph: &Graph,
    _chain: ChainId,
    ties: &RegionTies,
    node: u32,
    status: NodeStatus,
    downstream_output: Money,
    limit: usize,
) -> NodeTargets {
    let (targets, candidates) = targets_in_node(graph, ties, node, limit);
    NodeTargets {
        node: graph.node_id(node),
        status,
        downstream_output,
        candidates,
        targets,
    }
}

/// What a region's enterprises buy from each supplier: the value and the distinct buyers,
/// by supplier (graph index). Read once from the region's own purchases, so that scoring
/// the producers of many nodes does not walk every producer's sales (a large supplier
/// sells to thousands; at province scale that walk was most of an opportunities page).
pub struct RegionTies {
    region: RegionCode,
    by_supplier: std::collections::HashMap<u32, (i64, Vec<u32>)>,
}

impl RegionTies {
    pub fn of(graph: &Graph, region: RegionCode) -> RegionTies {
        let mut by_supplier: std::collections::HashMap<u32, (i64, Vec<u32>)> =
            std::collections::HashMap::new();
        for buyer in 0..graph.enterprise_count() as u32 {
            if !region.contains(graph.region(buyer)) {
                continue;
            }
            for slot in graph.enterprise_slots(buyer) {
                for r in graph.slot_relations(slot as u32) {
                    let entry = by_supplier
                        .entry(graph.relation_supplier(r as u32))
                        .or_default();
                    entry.0 += graph.rel_value[r];
                    if entry.1.last() != Some(&buyer) {
                        entry.1.push(buyer);
                    }
                }
            }
        }
        RegionTies {
            region,
            by_supplier,
        }
    }

    /// The value `supplier` sells to the region's buyers, and to how many of them.
    fn of_supplier(&self, supplier: u32) -> (i64, u32) {
        self.by_supplier
            .get(&supplier)
            .map_or((0, 0), |(value, buyers)| (*value, buyers.len() as u32))
    }
}

/// The best `limit` enterprises outside the region of `ties` producing in graph node
/// `node`, and how many producers outside were considered: the attraction targets of any
/// node the region lacks (a short board, or a new board it could grow).
pub fn targets_in_node(
    graph: &Graph,
    ties: &RegionTies,
    node: u32,
    limit: usize,
) -> (Vec<Target>, u32) {
    let region = ties.region;
    struct Candidate {
        enterprise: u32,
        output: i64,
        spare: i64,
        ties: i64,
        buyers: u32,
    }
    let mut candidates: Vec<Candidate> = Vec::new();
    for &unit in graph.node_units(node) {
        let e = graph.unit_enterprise(unit);
        if region.contains(graph.region(e)) || graph.unit_output(unit) <= 0 {
            continue;
        }
        let (value, buyers) = ties.of_supplier(e);
        candidates.push(Candidate {
            enterprise: e,
            output: graph.unit_output(unit),
            spare: (graph.unit_capacity(unit) - graph.unit_output(unit)).max(0),
            ties: value,
            buyers,
        });
    }
    let log_max = |f: fn(&Candidate) -> i64| -> f64 {
        candidates
            .iter()
            .map(|c| (1.0 + f(c) as f64).ln())
            .fold(0.0, f64::max)
    };
    let (ties_max, output_max, spare_max) = (
        log_max(|c| c.ties),
        log_max(|c| c.output),
        log_max(|c| c.spare),
    );
    let scaled = |value: i64, max: f64| {
        if max > 0.0 {
            (1.0 + value as f64).ln() / max
        } else {
            0.0
        }
    };
    let mut targets: Vec<Target> = candidates
        .iter()
        .map(|c| {
            let profile = graph.profile(c.enterprise);
            let size_weight = match profile.size {
                EnterpriseSize::Large => 0.4,
                EnterpriseSize::Medium => 0.28,
                EnterpriseSize::Small => 0.16,
                EnterpriseSize::Micro => 0.08,
            };
            let tag_weight = [Tag::HighTech, Tag::SpecializedNew, Tag::Listed]
                .iter()
                .filter(|&&t| profile.tags.contains(t))
                .count() as f64
                * 0.2;
            let score = 40.0 * scaled(c.ties, ties_max)
                + 30.0 * scaled(c.output, output_max)
                + 10.0 * scaled(c.spare, spare_max)
                + 20.0 * (size_weight + tag_weight).min(1.0);
            let mut reasons = vec![Reason::Produces(Money::from_fen(c.output))];
            if c.ties > 0 {
                reasons.push(Reason::SuppliesRegion {
                    value: Money::from_fen(c.ties),
                    buyers: c.buyers,
                });
            }
            if c.spare > 0 {
                reasons.push(Reason::SpareCapacity(Money::from_fen(c.spare)));
            }
            if matches!(profile.size, EnterpriseSize::Large | EnterpriseSize::Medium) {
                reasons.push(Reason::Size(profile.size));
            }
            reasons.extend(profile.tags.iter().map(Reason::Tag));
            if region.city().is_some() && region.province() == profile.region.province() {
                reasons.push(Reason::SameProvince);
            }
            Target {
                enterprise: profile.id,
                region: profile.region,
                size: profile.size,
                tags: profile.tags,
                output: Money::from_fen(c.output),
                spare: Money::from_fen(c.spare),
                supplies_region: Money::from_fen(c.ties),
                buyers_in_region: c.buyers,
                score,
                reasons,
            }
        })
        .collect();
    targets.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.enterprise.0.cmp(&b.enterprise.0))
    });
    targets.truncate(limit);
    (targets, candidates.len() as u32)
}
