//! Chokepoints (卡点): the enterprises and nodes whose failure alone costs the most
//! output downstream.
//!
//! Ranking enterprises exactly by running one simulation per candidate costs a whole
//! cascade per enterprise. Instead, [`enterprise_chokepoints`] computes an upper bound
//! of every candidate's loss in one pass over the graph, then simulates candidates in
//! decreasing order of their bound and stops as soon as the k-th best simulated loss is
//! at least the next bound: no candidate left can enter the top k, so the result is the
//! naive ranking, exactly.
//!
//! **Why the bound holds.** Write a simulation as loss shares x = max(d, F(x)), d the
//! direct hit, F(x)_v the largest over v's slots of the value-weighted loss of the
//! slot's suppliers. F is monotone, positively homogeneous and sub-additive (a maximum
//! of linear maps), so the least fixed point is too: a shock spread over several units
//! costs at most the sum of their separate costs, and a share t of a shock costs at most
//! t times it. When u, on no supply loop, fails, each buyer v loses at most c(u,v), the
//! sum of u's shares in v's slots; so u's loss is at most out(u) + Σ c(u,v)·loss(v) over
//! buyers on no loop, plus, for buyers on a loop, everything reachable from it (a loss
//! share never exceeds 1). [`unit_bounds`] evaluates this downstream first over the
//! strongly connected components. An enterprise's bound is the sum over its units.
//!
//! On acyclic chains the bound is tight where purchases of different inputs do not
//! meet again downstream, and few candidates need simulating. Units on loops (battery
//! recycling feeding lithium carbonate) only get their reachable output as a bound, so
//! in a chain with a large loop most of the loop's members are simulated.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use chainatlas_model::{ChainId, EnterpriseId, Money, NodeId, RegionCode};

use crate::disrupt::{money, Simulator};
use crate::supporting::local_enterprises;
use crate::Graph;

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
    /// Units on supply loops downstream of the candidates: their bound is coarse (see
    /// [`unit_bounds`]), so loops cost more simulations.
    pub on_loop: u32,
}

/// Upper bounds of the loss each unit's failure causes (itself included), in fen, and
/// the number of units that lie on loops.
///
/// Works on the strongly connected components of the unit graph (u → v when u sells
/// into a slot feeding v), which Tarjan's algorithm yields downstream first:
/// - a unit on no loop gets `out(u) + Σ c(u,v)·B(v)` over its buyers v on no loop, where
///   c(u,v) is the share of v's slots that u supplies, plus the reachable output of each
///   distinct loop its buyers lie on;
/// - a unit on a loop gets the output reachable from its loop: a loss share never
///   exceeds 1, and nothing outside the reach can lose.
pub fn unit_bounds(graph: &Graph) -> (Vec<f64>, u32) {
    let all: Vec<u32> = (0..graph.unit_count() as u32).collect();
    unit_bounds_from(graph, &all)
}

/// [`unit_bounds`] of `roots` and every unit downstream of them (a unit's bound depends
/// only on what its failure can reach), the rest left at zero; the loop count is of the
/// units reached. A chain's candidates reach a part of a province's graph.
pub fn unit_bounds_from(graph: &Graph, roots: &[u32]) -> (Vec<f64>, u32) {
    let units = graph.unit_count();
    let components = strongly_connected(graph, roots);
    let mut bound = vec![0.0f64; units];
    let mut on_loop = 0u32;
    let mut loop_reach: Vec<(u32, f64)> = Vec::new();
    let mut seen_loops: Vec<u32> = Vec::new();
    for (id, members) in components.iter().enumerate() {
        let id = id as u32;
        let looped = members.len() > 1 || successors(graph, members[0]).any(|v| v == members[0]);
        if looped {
            on_loop += members.len() as u32;
            let reach = reachable_output(graph, members);
            loop_reach.push((id, reach));
            for &u in members {
                bound[u as usize] = reach;
            }
            continue;
        }
        let u = members[0];
        let mut b = graph.unit_output(u) as f64;
        seen_loops.clear();
        for sale in graph.sales(u) {
            let w = sale.share;
            for &v in graph.sale_units(sale) {
                let c = components.component[v as usize];
                match loop_reach.binary_search_by_key(&c, |l| l.0) {
                    Ok(at) => {
                        if !seen_loops.contains(&c) {
                            seen_loops.push(c);
                            b += loop_reach[at].1;
                        }
                    }
                    Err(_) => b += w * bound[v as usize],
                }
            }
        }
        bound[u as usize] = b;
    }
    (bound, on_loop)
}

/// The units a unit's failure reaches directly: those fed by the slots it sells into.
fn successors(graph: &Graph, u: u32) -> impl Iterator<Item = u32> + '_ {
    graph
        .sales(u)
        .iter()
        .flat_map(move |sale| graph.sale_units(sale).iter().copied())
}

/// Output of every unit reachable from `start` (itself included).
fn reachable_output(graph: &Graph, start: &[u32]) -> f64 {
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<u32> = start.to_vec();
    seen.extend(start.iter().copied());
    let mut total = 0.0;
    while let Some(u) = stack.pop() {
        total += graph.unit_output(u) as f64;
        for v in successors(graph, u) {
            if seen.insert(v) {
                stack.push(v);
            }
        }
    }
    total
}

/// Strongly connected components, downstream first (Tarjan's order), with the
/// component of each unit. Components are numbered in the order they are listed, so
/// every edge leaves a component for one with a smaller number or stays inside.
struct Components {
    members: Vec<u32>,
    starts: Vec<u32>,
    component: Vec<u32>,
}

impl Components {
    fn iter(&self) -> impl Iterator<Item = &[u32]> {
        self.starts
            .windows(2)
            .map(|w| &self.members[w[0] as usize..w[1] as usize])
    }
}

/// Iterative Tarjan over the part of the unit graph reachable from `roots`.
fn strongly_connected(graph: &Graph, roots: &[u32]) -> Components {
    const NONE: u32 = u32::MAX;
    let n = graph.unit_count();
    let mut index = vec![NONE; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<u32> = Vec::new();
    let mut component = vec![NONE; n];
    let mut members = Vec::with_capacity(n);
    let mut starts = vec![0u32];
    let mut next_index = 0u32;
    // Call frames: (unit, position in its sales, position in the current slot's units).
    let mut frames: Vec<(u32, usize, usize)> = Vec::new();
    for &root in roots {
        if index[root as usize] != NONE {
            continue;
        }
        frames.push((root, 0, 0));
        index[root as usize] = next_index;
        low[root as usize] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root as usize] = true;
        while let Some(frame) = frames.last_mut() {
            let (u, sale, at) = *frame;
            let sales = graph.sales(u);
            if sale < sales.len() {
                let fed = graph.sale_units(&sales[sale]);
                if at < fed.len() {
                    frame.2 += 1;
                    let v = fed[at];
                    if index[v as usize] == NONE {
                        index[v as usize] = next_index;
                        low[v as usize] = next_index;
                        next_index += 1;
                        stack.push(v);
                        on_stack[v as usize] = true;
                        frames.push((v, 0, 0));
                    } else if on_stack[v as usize] {
                        low[u as usize] = low[u as usize].min(index[v as usize]);
                    }
                } else {
                    frame.1 += 1;
                    frame.2 = 0;
                }
                continue;
            }
            frames.pop();
            if let Some(parent) = frames.last() {
                let p = parent.0 as usize;
                low[p] = low[p].min(low[u as usize]);
            }
            if low[u as usize] == index[u as usize] {
                let id = starts.len() as u32 - 1;
                loop {
                    let v = stack
                        .pop()
                        .expect("the root of a component is on the stack");
                    on_stack[v as usize] = false;
                    component[v as usize] = id;
                    members.push(v);
                    if v == u {
                        break;
                    }
                }
                starts.push(members.len() as u32);
            }
        }
    }
    Components {
        members,
        starts,
        component,
    }
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
    let roots: Vec<u32> = candidates.iter().flat_map(|&e| chain_units(e)).collect();
    // One cascade: (loss downstream, enterprise, enterprises affected, tiers).
    let simulate = |sim: &mut Simulator<'_>, e: u32| -> (f64, u32, u32, u16) {
        sim.reset();
        sim.run(&chain_units(e), 0.0);
        let own: f64 = graph
            .enterprise_units(e)
            .map(|u| sim.unit_loss(u as u32))
            .sum();
        let downstream = (sim.loss() - own).max(0.0);
        let (affected, tiers) = reach(graph, sim);
        (downstream, e, affected, tiers)
    };
    // The bounds are one pass on one thread. Meanwhile the other threads simulate the
    // largest producers, the likeliest chokepoints: their exact losses enter the ranking
    // before any bound is known, so fewer candidates are left to simulate after.
    let bounds_done = AtomicBool::new(false);
    let by_output: Vec<(i64, u32)> = if threads > 1 {
        let mut by_output: Vec<(i64, u32)> = candidates
            .iter()
            .map(|&e| {
                (
                    chain_units(e).iter().map(|&u| graph.unit_output(u)).sum(),
                    e,
                )
            })
            .collect();
        by_output.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        // Beyond twice the places asked for, a guess by size mostly simulates firms the
        // bounds would have ruled out.
        by_output.truncate(2 * top.max(1));
        by_output
    } else {
        Vec::new()
    };
    let next_early = AtomicUsize::new(0);
    let ((unit_bound, on_loop), early) = std::thread::scope(|scope| {
        let (by_output, next, bounds_done) = (&by_output, &next_early, &bounds_done);
        let simulate = &simulate;
        let helpers: Vec<_> = (1..threads.max(1))
            .map(|_| {
                scope.spawn(move || {
                    let mut sim = Simulator::new(graph);
                    let mut done = Vec::new();
                    while !bounds_done.load(Ordering::Relaxed) {
                        let Some(&(_, e)) = by_output.get(next.fetch_add(1, Ordering::Relaxed))
                        else {
                            break;
                        };
                        done.push(simulate(&mut sim, e));
                    }
                    done
                })
            })
            .collect();
        let bounds = unit_bounds_from(graph, &roots);
        bounds_done.store(true, Ordering::Relaxed);
        let early: Vec<(f64, u32, u32, u16)> = helpers
            .into_iter()
            .flat_map(|h| h.join().expect("a chokepoint simulation panicked"))
            .collect();
        (bounds, early)
    });
    let mut order: Vec<(f64, u32)> = candidates
        .iter()
        .map(|&e| {
            let bound = chain_units(e)
                .iter()
                .map(|&u| unit_bound[u as usize] - graph.unit_output(u) as f64)
                .sum::<f64>();
            // Slack for rounding in the sums on both sides.
            (bound * (1.0 + 1e-9) + 1.0, e)
        })
        .collect();
    order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));

    let by_rank = |a: &(f64, u32, u32, u16), b: &(f64, u32, u32, u16)| {
        b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
    };
    let simulated = AtomicUsize::new(early.len());
    let known: std::collections::HashSet<u32> = early.iter().map(|r| r.1).collect();
    let mut seeded = early;
    seeded.sort_by(by_rank);
    seeded.truncate(top.max(1));
    let next = AtomicUsize::new(0);
    let best: Mutex<Vec<(f64, u32, u32, u16)>> = Mutex::new(seeded);
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
            if known.contains(&e) {
                // Simulated while the bounds were computed: already ranked.
                continue;
            }
            let result = simulate(&mut sim, e);
            simulated.fetch_add(1, Ordering::Relaxed);
            let mut best = best.lock().unwrap_or_else(|p| p.into_inner());
            best.push(result);
            best.sort_by(by_rank);
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
        on_loop,
    }
}

/// How far a simulated failure reached: the enterprises touched, and the most tiers.
fn reach(graph: &Graph, sim: &Simulator<'_>) -> (u32, u16) {
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
    (affected.len() as u32, tiers)
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

/// Every node of `chain`, most downstream loss first, simulated on `threads` threads.
pub fn node_chokepoints(
    graph: &Graph,
    chain: ChainId,
    region: Option<RegionCode>,
    threads: usize,
) -> Vec<NodeChokepoint> {
    let nodes = graph.chain_nodes(chain);
    let next = AtomicUsize::new(0);
    let rows: Mutex<Vec<NodeChokepoint>> = Mutex::new(Vec::with_capacity(nodes.len()));
    let work = || {
        let mut sim = Simulator::new(graph);
        while let Some(&node) = nodes.get(next.fetch_add(1, Ordering::Relaxed)) {
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
            let (affected_enterprises, tiers) = reach(graph, &sim);
            let row = NodeChokepoint {
                node: graph.node_id(node),
                own_output: money(own),
                downstream_loss: money(sim.loss() - own),
                affected_enterprises,
                tiers,
            };
            rows.lock().unwrap_or_else(|p| p.into_inner()).push(row);
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..threads.clamp(1, nodes.len().max(1)) {
            scope.spawn(work);
        }
        work();
    });
    let mut rows = rows.into_inner().unwrap_or_else(|p| p.into_inner());
    rows.sort_by(|a, b| {
        b.downstream_loss
            .cmp(&a.downstream_loss)
            .then(a.node.0.cmp(&b.node.0))
    });
    rows
}
