//! Chokepoints (卡点): the enterprises and nodes whose failure alone costs the most
//! output downstream.
//!
//! Ranking enterprises exactly by running one simulation per candidate costs a whole
//! cascade per enterprise. Instead, [`enterprise_chokepoints`] computes an upper bound
//! of every candidate's loss in a few linear sweeps over the graph, then simulates
//! candidates in decreasing order of their bound and stops as soon as the k-th best
//! simulated loss is at least the next bound: no candidate left can enter the top k, so
//! the result is the same as the naive ranking.
//!
//! **The bound.** Let x be the loss shares of a simulation ([`crate::disrupt`]): a unit
//! loses the largest, over the slots feeding it, of the value-weighted loss of the
//! slot's suppliers. Replacing that maximum by the sum over slots gives a linear system
//! whose solution dominates x (the simulation's operator is monotone, and the linear one
//! is at least as large at every point, so its least fixed point is too). Its total for
//! a failing unit u is U(u) = out(u) + Σ over u's sales r of w(r)·S(slot r), where w(r)
//! is r's share of its slot and S(slot) is the sum of U over the units the slot feeds;
//! one fixed point gives U for every unit at once. Losses are sub-additive in the shock,
//! so an enterprise's loss is at most the sum of U over its units. On a graph without
//! loops the sweeps reach the fixed point exactly; with loops they converge
//! geometrically and the remaining tail is added from the observed rate. If they do not
//! settle, every candidate is simulated.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use chainatlas_model::{ChainId, EnterpriseId, Money, NodeId, RegionCode};

use crate::disrupt::{money, Simulator};
use crate::supporting::local_enterprises;
use crate::Graph;

const MAX_SWEEPS: u32 = 500;

#[derive(Clone, Debug, PartialEq)]
pub struct Chokepoint {
    pub enterprise: EnterpriseId,
    pub region: RegionCode,
    /// Its own output in the chain.
    pub own_output: Money,
    /// Output lost by everyone else when it fails.
    pub downstream_loss: Money,
    pub affected_enterprises: u32,
    pub tiers: u16,
}

/// The top chokepoints, and how much work the bound saved.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranking {
    pub items: Vec<Chokepoint>,
    pub candidates: u32,
    /// Candidates that were simulated; the rest were ruled out by their bound.
    pub simulated: u32,
    /// Sweeps the bound took; `None` if it did not settle and everything was simulated.
    pub bound_sweeps: Option<u32>,
}

/// Upper bounds of the loss each unit's failure causes (itself included), in fen.
pub fn unit_bounds(graph: &Graph) -> Option<(Vec<f64>, u32)> {
    let units = graph.unit_count();
    let out: Vec<f64> = (0..units as u32)
        .map(|u| graph.unit_output(u) as f64)
        .collect();
    let mut bound = out.clone();
    let mut slot_sum = vec![0.0f64; graph.slot_count()];
    let mut previous_step = f64::INFINITY;
    for sweep in 1..=MAX_SWEEPS {
        for (slot, sum) in slot_sum.iter_mut().enumerate() {
            *sum = graph
                .slot_units(slot as u32)
                .iter()
                .map(|&v| bound[v as usize])
                .sum();
        }
        let mut step = 0.0f64;
        let mut largest = 0.0f64;
        for u in 0..units {
            let mut next = out[u];
            for &r in graph.unit_sales(u as u32) {
                let slot = graph.rel_slot[r as usize] as usize;
                let total = graph.slot_total[slot];
                if total > 0 {
                    next += graph.rel_value[r as usize] as f64 / total as f64 * slot_sum[slot];
                }
            }
            step = step.max(next - bound[u]);
            largest = largest.max(next);
            bound[u] = next;
        }
        if step == 0.0 {
            return Some((bound, sweep));
        }
        let rate = step / previous_step;
        if step <= largest * 1e-12 && rate < 0.9 {
            // Geometric tail, doubled for safety.
            let tail = 2.0 * step * rate / (1.0 - rate);
            bound.iter_mut().for_each(|b| *b += tail);
            return Some((bound, sweep));
        }
        if !step.is_finite() {
            return None;
        }
        previous_step = step;
    }
    None
}

/// The `top` enterprises of `chain` (in `region`, if given) whose failure alone loses
/// the most output elsewhere, using `threads` threads (at least one).
pub fn enterprise_chokepoints(
    graph: &Graph,
    chain: ChainId,
    region: Option<RegionCode>,
    top: usize,
    threads: usize,
) -> Ranking {
    let nodes = graph.chain_nodes(chain);
    let candidates = match region {
        Some(region) => local_enterprises(graph, &nodes, region),
        None => {
            let mut all: Vec<u32> = nodes
                .iter()
                .flat_map(|&n| graph.node_units(n))
                .map(|&u| graph.unit_enterprise(u))
                .collect();
            all.sort_unstable();
            all.dedup();
            all
        }
    };
    let chain_units = |e: u32| -> Vec<u32> {
        graph
            .enterprise_units(e)
            .map(|u| u as u32)
            .filter(|&u| nodes.contains(&graph.unit_node(u)))
            .collect()
    };
    let bounds = unit_bounds(graph);
    let bound_sweeps = bounds.as_ref().map(|b| b.1);
    let mut order: Vec<(f64, u32)> = candidates
        .iter()
        .map(|&e| {
            let bound = match &bounds {
                Some((unit_bound, _)) => chain_units(e)
                    .iter()
                    .map(|&u| unit_bound[u as usize] - graph.unit_output(u) as f64)
                    .sum::<f64>(),
                None => f64::INFINITY,
            };
            // Slack for rounding in the sums on both sides.
            (bound * (1.0 + 1e-9) + 1.0, e)
        })
        .collect();
    order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));

    let next = AtomicUsize::new(0);
    let best: Mutex<Vec<(f64, u32, u32, u16)>> = Mutex::new(Vec::new());
    let simulated = AtomicUsize::new(0);
    let kth = |best: &Vec<(f64, u32, u32, u16)>| -> f64 {
        if top == 0 {
            f64::INFINITY
        } else if best.len() >= top {
            best[top - 1].0
        } else {
            f64::NEG_INFINITY
        }
    };
    let work = || {
        let mut sim = Simulator::new(graph);
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(&(bound, e)) = order.get(i) else {
                break;
            };
            if bound < kth(&best.lock().unwrap_or_else(|p| p.into_inner())) {
                break;
            }
            sim.reset();
            let units = chain_units(e);
            sim.run(&units, 0.0);
            simulated.fetch_add(1, Ordering::Relaxed);
            let own: f64 = graph
                .enterprise_units(e)
                .map(|u| sim.unit_loss(u as u32))
                .sum();
            let downstream = (sim.loss() - own).max(0.0);
            let mut affected: Vec<u32> = sim
                .touched()
                .iter()
                .map(|&u| graph.unit_enterprise(u))
                .collect();
            affected.sort_unstable();
            affected.dedup();
            let tiers = sim
                .touched()
                .iter()
                .map(|&u| sim.tier(u))
                .max()
                .unwrap_or(0);
            let mut best = best.lock().unwrap_or_else(|p| p.into_inner());
            best.push((downstream, e, affected.len() as u32, tiers));
            best.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            best.truncate(top.max(1));
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..threads.max(1) {
            scope.spawn(work);
        }
        work();
    });
    let mut best = best.into_inner().unwrap_or_else(|p| p.into_inner());
    best.truncate(top);
    Ranking {
        items: best
            .into_iter()
            .map(|(downstream, e, affected, tiers)| Chokepoint {
                enterprise: graph.profile(e).id,
                region: graph.region(e),
                own_output: Money::from_fen(
                    chain_units(e).iter().map(|&u| graph.unit_output(u)).sum(),
                ),
                downstream_loss: money(downstream),
                affected_enterprises: affected,
                tiers,
            })
            .collect(),
        candidates: candidates.len() as u32,
        simulated: simulated.into_inner() as u32,
        bound_sweeps,
    }
}

/// A node of the chain removed as a whole (within `region`, if given).
#[derive(Clone, Debug, PartialEq)]
pub struct NodeChokepoint {
    pub node: NodeId,
    pub own_output: Money,
    pub downstream_loss: Money,
    pub affected_enterprises: u32,
    pub tiers: u16,
}

/// Every node of `chain`, most downstream loss first.
pub fn node_chokepoints(
    graph: &Graph,
    chain: ChainId,
    region: Option<RegionCode>,
) -> Vec<NodeChokepoint> {
    let mut sim = Simulator::new(graph);
    let mut rows: Vec<NodeChokepoint> = graph
        .chain_nodes(chain)
        .into_iter()
        .map(|node| {
            let units: Vec<u32> = graph
                .node_units(node)
                .iter()
                .copied()
                .filter(|&u| {
                    region.is_none_or(|r| r.contains(graph.region(graph.unit_enterprise(u))))
                })
                .collect();
            sim.reset();
            sim.run(&units, 0.0);
            let own: f64 = units.iter().map(|&u| sim.unit_loss(u)).sum();
            let mut affected: Vec<u32> = sim
                .touched()
                .iter()
                .map(|&u| graph.unit_enterprise(u))
                .collect();
            affected.sort_unstable();
            affected.dedup();
            NodeChokepoint {
                node: graph.node_id(node),
                own_output: money(own),
                downstream_loss: money(sim.loss() - own),
                affected_enterprises: affected.len() as u32,
                tiers: sim
                    .touched()
                    .iter()
                    .map(|&u| sim.tier(u))
                    .max()
                    .unwrap_or(0),
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.downstream_loss
            .cmp(&a.downstream_loss)
            .then(a.node.0.cmp(&b.node.0))
    });
    rows
}
