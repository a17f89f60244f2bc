//! Node coverage of a chain in a region, and its short boards (短板).

use chainatlas_model::{ChainId, Money, NodeId, RegionCode};

use crate::Graph;

/// How well a region covers a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeStatus {
    /// No enterprise of the region produces in the node.
    Missing,
    /// Producers exist, but the region is under-specialised: location quotient below
    /// [`Thresholds::weak_below`].
    Weak,
    Present,
    /// Location quotient at or above [`Thresholds::strong_from`].
    Strong,
}

impl NodeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeStatus::Missing => "missing",
            NodeStatus::Weak => "weak",
            NodeStatus::Present => "present",
            NodeStatus::Strong => "strong",
        }
    }

    /// A short board: a node the region lacks or is weak in.
    pub fn is_short_board(self) -> bool {
        matches!(self, NodeStatus::Missing | NodeStatus::Weak)
    }
}

/// Location-quotient thresholds of the node statuses.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Thresholds {
    pub weak_below: f64,
    pub strong_from: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            weak_below: 0.5,
            strong_from: 1.5,
        }
    }
}

/// One node as seen from one region.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeCoverage {
    pub node: NodeId,
    /// Local enterprises producing in the node.
    pub enterprises: u32,
    pub output: Money,
    pub capacity: Money,
    /// Output of the node in the whole dataset.
    pub total_output: Money,
    /// The region's share of the node's output in the whole dataset, 0..=1.
    pub share: f64,
    /// (local node output / local output of all nodes) ÷ (node output / output of all
    /// nodes), over every chain; `None` when the region or the node has no output.
    pub location_quotient: Option<f64>,
    pub status: NodeStatus,
    /// Local output of the nodes downstream of this one (transitively, within the chain):
    /// what the region's industry stands to gain or lose by this node.
    pub downstream_output: Money,
}

/// A chain's coverage in a region.
#[derive(Clone, Debug, PartialEq)]
pub struct Coverage {
    pub chain: ChainId,
    pub region: RegionCode,
    pub thresholds: Thresholds,
    /// One entry per node of the chain, in the graph's node order.
    pub nodes: Vec<NodeCoverage>,
    /// Local output in the chain's nodes.
    pub output: Money,
    /// Short boards: missing and weak nodes, most local downstream output first.
    pub short_boards: Vec<NodeId>,
}

impl Coverage {
    pub fn node(&self, id: NodeId) -> Option<&NodeCoverage> {
        self.nodes.iter().find(|n| n.node == id)
    }
}

/// Coverage of `chain` in `region`.
pub fn coverage(
    graph: &Graph,
    chain: ChainId,
    region: RegionCode,
    thresholds: Thresholds,
) -> Coverage {
    let nodes = graph.chain_nodes(chain);
    let (mut region_all, mut all) = (0i128, 0i128);
    for unit in 0..graph.unit_count() as u32 {
        let output = graph.unit_output(unit) as i128;
        all += output;
        if region.contains(graph.region(graph.unit_enterprise(unit))) {
            region_all += output;
        }
    }
    let mut rows: Vec<NodeCoverage> = nodes
        .iter()
        .map(|&node| {
            let (mut enterprises, mut output, mut capacity, mut total) = (0u32, 0i64, 0i64, 0i64);
            for &unit in graph.node_units(node) {
                total += graph.unit_output(unit);
                if region.contains(graph.region(graph.unit_enterprise(unit))) {
                    enterprises += 1;
                    output += graph.unit_output(unit);
                    capacity += graph.unit_capacity(unit);
                }
            }
            let share = if total > 0 {
                output as f64 / total as f64
            } else {
                0.0
            };
            let location_quotient = (region_all > 0 && total > 0 && all > 0)
                .then(|| (output as f64 / region_all as f64) / (total as f64 / all as f64));
            let status = if enterprises == 0 {
                NodeStatus::Missing
            } else {
                match location_quotient {
                    Some(lq) if lq >= thresholds.strong_from => NodeStatus::Strong,
                    Some(lq) if lq >= thresholds.weak_below => NodeStatus::Present,
                    _ => NodeStatus::Weak,
                }
            };
            NodeCoverage {
                node: graph.node_id(node),
                enterprises,
                output: Money::from_fen(output),
                capacity: Money::from_fen(capacity),
                total_output: Money::from_fen(total),
                share,
                location_quotient,
                status,
                downstream_output: Money::ZERO,
            }
        })
        .collect();
    for (i, &node) in nodes.iter().enumerate() {
        let downstream = downstream_nodes(graph, node);
        rows[i].downstream_output = Money::from_fen(
            nodes
                .iter()
                .zip(&rows)
                .filter(|(n, _)| downstream.contains(n))
                .map(|(_, row)| row.output.fen())
                .sum(),
        );
    }
    let mut short_boards: Vec<&NodeCoverage> =
        rows.iter().filter(|r| r.status.is_short_board()).collect();
    short_boards.sort_by(|a, b| {
        b.downstream_output
            .cmp(&a.downstream_output)
            .then(a.status.cmp(&b.status))
            .then(a.node.0.cmp(&b.node.0))
    });
    Coverage {
        chain,
        region,
        thresholds,
        output: Money::from_fen(rows.iter().map(|r| r.output.fen()).sum()),
        short_boards: short_boards.iter().map(|r| r.node).collect(),
        nodes: rows,
    }
}

/// Nodes reachable downstream of `node` through input links within its chain, excluding
/// itself even when it lies on a loop.
pub(crate) fn downstream_nodes(graph: &Graph, node: u32) -> Vec<u32> {
    let chain = graph.node_chain(node);
    let mut seen = vec![node];
    let mut stack = vec![node];
    let mut found = Vec::new();
    while let Some(n) = stack.pop() {
        for &next in graph.node_outputs(n) {
            if graph.node_chain(next) == chain && !found.contains(&next) {
                found.push(next);
                if !seen.contains(&next) {
                    seen.push(next);
                    stack.push(next);
                }
            }
        }
    }
    found.retain(|&n| n != node);
    found
}
