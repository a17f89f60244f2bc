//! Dependencies: supplier concentration (HHI), single-source purchases and reliance on
//! suppliers outside the region.

use std::collections::BTreeMap;

use chainatlas_model::{ChainId, EnterpriseId, Money, NodeId, RegionCode};

use crate::supporting::local_enterprises;
use crate::Graph;

/// Herfindahl–Hirschman index on the 0..=10,000 scale. 2,500 and above is "highly
/// concentrated" in the usual antitrust reading; 10,000 is a single supplier.
pub const HIGHLY_CONCENTRATED: f64 = 2_500.0;

/// What a region's buyers buy of one input node.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeDependency {
    pub node: NodeId,
    pub purchases: Money,
    /// Local buyers purchasing the node.
    pub buyers: u32,
    /// Distinct suppliers selling it to them.
    pub suppliers: u32,
    /// Concentration of the region's purchases of the node across suppliers.
    pub hhi: f64,
    /// Share of the purchases bought from suppliers outside the region.
    pub outside_share: f64,
    /// Buyers that get the node from one supplier only.
    pub single_sourced: u32,
}

/// One buyer's purchases of one input node.
#[derive(Clone, Debug, PartialEq)]
pub struct BuyerDependency {
    pub buyer: EnterpriseId,
    pub node: NodeId,
    pub suppliers: u32,
    pub hhi: f64,
    pub purchases: Money,
    /// The buyer's output fed by this input: what it stands to lose without it.
    pub output_at_risk: Money,
    /// The largest supplier.
    pub main_supplier: EnterpriseId,
    pub main_share: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Dependencies {
    /// Input nodes the region's chain enterprises buy, largest purchases first.
    pub nodes: Vec<NodeDependency>,
    /// Purchases from one supplier, most output at risk first (at most `limit`).
    pub single_sources: Vec<BuyerDependency>,
    pub single_source_count: u32,
    /// Purchases with several suppliers but an HHI of at least [`HIGHLY_CONCENTRATED`],
    /// most output at risk first (at most `limit`).
    pub concentrated: Vec<BuyerDependency>,
    pub concentrated_count: u32,
}

/// Dependencies of the chain enterprises of `region` in `chain`.
pub fn dependencies(
    graph: &Graph,
    chain: ChainId,
    region: RegionCode,
    limit: usize,
) -> Dependencies {
    let nodes = graph.chain_nodes(chain);
    struct Acc {
        purchases: i64,
        outside: i64,
        buyers: u32,
        single_sourced: u32,
        // Ordered: the HHI sums shares in one order, so one graph gives one answer.
        by_supplier: BTreeMap<u32, i64>,
    }
    let mut per_node: Vec<Acc> = nodes
        .iter()
        .map(|_| Acc {
            purchases: 0,
            outside: 0,
            buyers: 0,
            single_sourced: 0,
            by_supplier: BTreeMap::new(),
        })
        .collect();
    let mut single_sources = Vec::new();
    let mut concentrated = Vec::new();
    let mut by_supplier: Vec<(u32, i64)> = Vec::new();
    for buyer in local_enterprises(graph, &nodes, region) {
        for slot in graph.enterprise_slots(buyer) {
            let Some(at) = nodes.iter().position(|&n| n == graph.slot_node[slot]) else {
                continue;
            };
            let acc = &mut per_node[at];
            by_supplier.clear();
            for relation in graph.slot_relations(slot as u32) {
                let supplier = graph.relation_supplier(relation as u32);
                let value = graph.rel_value[relation];
                acc.purchases += value;
                *acc.by_supplier.entry(supplier).or_default() += value;
                if !region.contains(graph.region(supplier)) {
                    acc.outside += value;
                }
                match by_supplier.last_mut() {
                    Some((s, v)) if *s == supplier => *v += value,
                    _ => by_supplier.push((supplier, value)),
                }
            }
            acc.buyers += 1;
            let total = graph.slot_total[slot];
            let (main_supplier, main_value) = by_supplier
                .iter()
                .copied()
                .max_by_key(|&(s, v)| (v, std::cmp::Reverse(s)))
                .unwrap_or((0, 0));
            let hhi = hhi(by_supplier.iter().map(|&(_, v)| v), total);
            let row = || BuyerDependency {
                buyer: graph.profile(buyer).id,
                node: graph.node_id(graph.slot_node[slot]),
                suppliers: by_supplier.len() as u32,
                hhi,
                purchases: Money::from_fen(total),
                output_at_risk: Money::from_fen(graph.slot_output(slot as u32)),
                main_supplier: graph.profile(main_supplier).id,
                main_share: if total > 0 {
                    main_value as f64 / total as f64
                } else {
                    0.0
                },
            };
            if by_supplier.len() == 1 {
                acc.single_sourced += 1;
                single_sources.push(row());
            } else if hhi >= HIGHLY_CONCENTRATED {
                concentrated.push(row());
            }
        }
    }
    let mut node_rows: Vec<NodeDependency> = nodes
        .iter()
        .zip(&per_node)
        .filter(|(_, acc)| acc.buyers > 0)
        .map(|(&n, acc)| NodeDependency {
            node: graph.node_id(n),
            purchases: Money::from_fen(acc.purchases),
            buyers: acc.buyers,
            suppliers: acc.by_supplier.len() as u32,
            hhi: hhi(acc.by_supplier.values().copied(), acc.purchases),
            outside_share: if acc.purchases > 0 {
                acc.outside as f64 / acc.purchases as f64
            } else {
                0.0
            },
            single_sourced: acc.single_sourced,
        })
        .collect();
    node_rows.sort_by(|a, b| b.purchases.cmp(&a.purchases).then(a.node.0.cmp(&b.node.0)));
    let rank = |rows: &mut Vec<BuyerDependency>| {
        rows.sort_by(|a, b| {
            b.output_at_risk
                .cmp(&a.output_at_risk)
                .then(a.buyer.0.cmp(&b.buyer.0))
                .then(a.node.0.cmp(&b.node.0))
        });
        let count = rows.len() as u32;
        rows.truncate(limit);
        count
    };
    let single_source_count = rank(&mut single_sources);
    let concentrated_count = rank(&mut concentrated);
    Dependencies {
        nodes: node_rows,
        single_sources,
        single_source_count,
        concentrated,
        concentrated_count,
    }
}

/// HHI of shares `values / total`, on the 0..=10,000 scale; 0 with no purchases.
pub fn hhi(values: impl Iterator<Item = i64>, total: i64) -> f64 {
    if total <= 0 {
        return 0.0;
    }
    values
        .map(|v| {
            let share = v as f64 / total as f64;
            share * share
        })
        .sum::<f64>()
        * 10_000.0
}
