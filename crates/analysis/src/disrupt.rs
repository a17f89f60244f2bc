//! Disruption simulation: remove enterprises, regions or nodes (or a fraction of their
//! capacity) and follow the loss downstream.
//!
//! The model (Leontief-style, no substitution): every unit has a health h in 0..=1, the
//! share of its output it can still make. A hit unit starts at `1 - fraction`. A slot
//! (what a buyer buys of one input node) delivers `1 - Σ value·(1 - h(supplier)) / Σ
//! value`, and a unit's health is the minimum of its direct health and the deliveries of
//! the slots that feed it: its output is limited by its most-damaged input. Healths only
//! fall; a change travels on as long as it is larger than [`EPSILON`], so loops (such as
//! battery recycling feeding lithium carbonate) settle at the greatest consistent
//! state. Lost output is Σ output·(1 - h).

use std::collections::HashMap;

use chainatlas_model::{ChainId, EnterpriseId, Money, NodeId, RegionCode};

use crate::Graph;

/// Changes of health smaller than this stop travelling.
pub const EPSILON: f64 = 1e-9;
const UNTOUCHED: u16 = u16::MAX;
/// Touched, tier not yet known.
const TOUCHED: u16 = u16::MAX - 1;

/// What to remove. Selectors of one kind add up; selectors of different kinds narrow
/// each other: `regions = [Hunan], nodes = [bearings]` removes Hunan's bearing makers.
/// Only units in the chain's nodes are hit; the loss then travels wherever they sell.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Shock {
    pub enterprises: Vec<EnterpriseId>,
    pub regions: Vec<RegionCode>,
    pub nodes: Vec<NodeId>,
    /// Share of the selected units' capacity removed, in (0, 1]; 1 removes them.
    pub fraction: f64,
}

impl Shock {
    pub fn is_empty(&self) -> bool {
        self.enterprises.is_empty() && self.regions.is_empty() && self.nodes.is_empty()
    }

    /// The units of `chain` the shock hits.
    pub fn units(&self, graph: &Graph, chain: ChainId) -> Vec<u32> {
        if self.is_empty() || self.fraction <= 0.0 {
            return Vec::new();
        }
        let mut enterprises: Vec<u32> = self
            .enterprises
            .iter()
            .filter_map(|&id| graph.enterprise_idx(id))
            .collect();
        enterprises.sort_unstable();
        let nodes: Vec<u32> = graph
            .chain_nodes(chain)
            .into_iter()
            .filter(|&n| self.nodes.is_empty() || self.nodes.contains(&graph.node_id(n)))
            .collect();
        let mut units: Vec<u32> = nodes
            .iter()
            .flat_map(|&n| graph.node_units(n))
            .copied()
            .filter(|&u| {
                let e = graph.unit_enterprise(u);
                (self.enterprises.is_empty() || enterprises.binary_search(&e).is_ok())
                    && (self.regions.is_empty()
                        || self.regions.iter().any(|r| r.contains(graph.region(e))))
            })
            .collect();
        units.sort_unstable();
        units
    }
}

/// Reusable state of one simulation; [`Simulator::reset`] clears only what a run touched,
/// so many small runs over a large graph stay cheap.
pub struct Simulator<'g> {
    graph: &'g Graph,
    health: Vec<f64>,
    sent: Vec<f64>,
    tier: Vec<u16>,
    queued: Vec<bool>,
    /// Per slot, the share of its value no longer delivered.
    lost: Vec<f64>,
    touched_units: Vec<u32>,
    touched_slots: Vec<u32>,
    /// Units waiting to pass on a change, bucketed by their node's level (upstream
    /// first), so that on an acyclic chain each unit passes on its change once, after all
    /// its suppliers have settled; first in, first out within a level, with the position
    /// of the next unit to take.
    queue: Vec<(Vec<u32>, usize)>,
    /// The lowest level that may hold a waiting unit.
    level: usize,
}

impl<'g> Simulator<'g> {
    pub fn new(graph: &'g Graph) -> Simulator<'g> {
        let units = graph.unit_count();
        Simulator {
            graph,
            health: vec![1.0; units],
            sent: vec![1.0; units],
            tier: vec![UNTOUCHED; units],
            queued: vec![false; units],
            lost: vec![0.0; graph.slot_count()],
            touched_units: Vec::new(),
            touched_slots: Vec::new(),
            queue: vec![(Vec::new(), 0); graph.level_count()],
            level: 0,
        }
    }

    /// Hits `units` down to `remaining` health and propagates until nothing changes.
    pub fn run(&mut self, units: &[u32], remaining: f64) {
        let remaining = remaining.clamp(0.0, 1.0);
        for &u in units {
            let u = u as usize;
            if remaining < self.health[u] {
                if self.tier[u] == UNTOUCHED {
                    self.touched_units.push(u as u32);
                }
                self.health[u] = remaining;
                self.tier[u] = 0;
                self.enqueue(u);
            }
        }
        let g = self.graph;
        while let Some(u) = self.pop() {
            let u = u as usize;
            self.queued[u] = false;
            let delta = self.sent[u] - self.health[u];
            if delta <= EPSILON {
                continue;
            }
            self.sent[u] = self.health[u];
            for sale in g.sales(u as u32) {
                let slot = sale.slot as usize;
                if sale.share <= 0.0 {
                    continue;
                }
                if self.lost[slot] == 0.0 {
                    self.touched_slots.push(slot as u32);
                }
                // The share of the slot's value no longer delivered.
                self.lost[slot] += sale.share * delta;
                let delivered = (1.0 - self.lost[slot]).max(0.0);
                for &v in g.slot_units(slot as u32) {
                    let v = v as usize;
                    if delivered < self.health[v] - EPSILON {
                        if self.tier[v] == UNTOUCHED {
                            self.touched_units.push(v as u32);
                            self.tier[v] = TOUCHED;
                        }
                        self.health[v] = delivered;
                        self.enqueue(v);
                    }
                }
            }
        }
        self.assign_tiers();
    }

    /// Tiers are breadth-first distances from the hit units over touched units, found
    /// once the healths have settled (the order in which the queue lowered them is not
    /// the shortest path).
    fn assign_tiers(&mut self) {
        let g = self.graph;
        let mut frontier: Vec<u32> = self
            .touched_units
            .iter()
            .copied()
            .filter(|&u| self.tier[u as usize] == 0)
            .collect();
        let mut tier = 0u16;
        while !frontier.is_empty() {
            tier = tier.saturating_add(1).min(TOUCHED - 1);
            let mut next = Vec::new();
            for &u in &frontier {
                for sale in g.sales(u) {
                    for &v in g.slot_units(sale.slot) {
                        if self.tier[v as usize] == TOUCHED {
                            self.tier[v as usize] = tier;
                            next.push(v);
                        }
                    }
                }
            }
            frontier = next;
        }
    }

    fn enqueue(&mut self, u: usize) {
        if !self.queued[u] {
            self.queued[u] = true;
            let level = self.graph.unit_level(u as u32);
            self.queue[level].0.push(u as u32);
            self.level = self.level.min(level);
        }
    }

    fn pop(&mut self) -> Option<u32> {
        while let Some((bucket, next)) = self.queue.get_mut(self.level) {
            if let Some(&u) = bucket.get(*next) {
                *next += 1;
                return Some(u);
            }
            bucket.clear();
            *next = 0;
            self.level += 1;
        }
        None
    }

    /// Units whose health fell, in the order they were first reached.
    pub fn touched(&self) -> &[u32] {
        &self.touched_units
    }

    pub fn health(&self, unit: u32) -> f64 {
        self.health[unit as usize]
    }

    /// Tier at which a touched unit was first reached: 0 for hit units.
    pub fn tier(&self, unit: u32) -> u16 {
        self.tier[unit as usize]
    }

    /// Output lost by a unit, in fen.
    pub fn unit_loss(&self, unit: u32) -> f64 {
        self.graph.unit_output(unit) as f64 * (1.0 - self.health[unit as usize])
    }

    /// Total output lost, in fen.
    pub fn loss(&self) -> f64 {
        self.touched_units.iter().map(|&u| self.unit_loss(u)).sum()
    }

    /// Slots that lost part of their delivery, with the value lost (fen).
    pub fn lost_slots(&self) -> impl Iterator<Item = (u32, f64)> + '_ {
        self.touched_slots
            .iter()
            .map(|&s| {
                (
                    s,
                    self.lost[s as usize].min(1.0) * self.graph.slot_total[s as usize] as f64,
                )
            })
            .filter(|&(_, lost)| lost > 0.0)
    }

    pub fn reset(&mut self) {
        for &u in &self.touched_units {
            let u = u as usize;
            self.health[u] = 1.0;
            self.sent[u] = 1.0;
            self.tier[u] = UNTOUCHED;
        }
        for &s in &self.touched_slots {
            self.lost[s as usize] = 0.0;
        }
        self.touched_units.clear();
        self.touched_slots.clear();
    }
}

/// Where an alternative supplier is, seen from the buyers that lost the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Locality {
    SameCity,
    SameProvince,
    Elsewhere,
}

impl Locality {
    pub fn as_str(self) -> &'static str {
        match self {
            Locality::SameCity => "same_city",
            Locality::SameProvince => "same_province",
            Locality::Elsewhere => "elsewhere",
        }
    }

    pub fn between(from: RegionCode, to: RegionCode) -> Locality {
        if from.city().is_some() && from.city() == to.city() {
            Locality::SameCity
        } else if from.province() == to.province() {
            Locality::SameProvince
        } else {
            Locality::Elsewhere
        }
    }
}

/// An unharmed producer of a lost input with spare capacity.
#[derive(Clone, Debug, PartialEq)]
pub struct Alternative {
    pub enterprise: EnterpriseId,
    pub region: RegionCode,
    pub spare: Money,
    pub locality: Locality,
}

/// An input node whose deliveries fell, and who could make up for it.
#[derive(Clone, Debug, PartialEq)]
pub struct LostInput {
    pub node: NodeId,
    /// Annual value no longer delivered.
    pub lost_value: Money,
    pub buyers: u32,
    /// The city (or province) whose buyers lost the most of it: locality is judged from here.
    pub main_region: RegionCode,
    /// Best alternatives: nearest first, then most spare capacity.
    pub alternatives: Vec<Alternative>,
    /// Spare capacity of all unharmed producers of the node.
    pub spare_total: Money,
    /// Spare capacity within the main region's province.
    pub spare_nearby: Money,
}

impl LostInput {
    /// Share of the lost value that all unharmed producers' spare capacity could restore.
    pub fn restorable(&self) -> f64 {
        if self.lost_value.fen() <= 0 {
            1.0
        } else {
            (self.spare_total.fen() as f64 / self.lost_value.fen() as f64).min(1.0)
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnterpriseImpact {
    pub enterprise: EnterpriseId,
    pub region: RegionCode,
    pub loss: Money,
    /// Output lost as a share of the enterprise's output in the touched units.
    pub loss_share: f64,
    pub tier: u16,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodeImpact {
    pub node: NodeId,
    /// Output of the node before the shock.
    pub baseline: Money,
    pub loss: Money,
    pub enterprises: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RegionImpact {
    /// A city, or a province for enterprises registered at province level.
    pub region: RegionCode,
    pub loss: Money,
    pub enterprises: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TierImpact {
    pub tier: u16,
    pub enterprises: u32,
    pub loss: Money,
}

/// What a shock did.
#[derive(Clone, Debug, PartialEq)]
pub struct Impact {
    pub hit_units: u32,
    pub hit_enterprises: u32,
    pub affected_enterprises: u32,
    /// Output of the chain before the shock.
    pub baseline: Money,
    /// Output lost by the hit units themselves.
    pub direct_loss: Money,
    pub total_loss: Money,
    /// How many tiers the shock travelled beyond the hit units.
    pub tiers: u16,
    pub by_tier: Vec<TierImpact>,
    /// Every node with a loss, the chain's own nodes included even without one.
    pub by_node: Vec<NodeImpact>,
    /// Largest loss first.
    pub by_region: Vec<RegionImpact>,
    /// Largest loss first, at most `limit`.
    pub enterprises: Vec<EnterpriseImpact>,
    /// Largest lost value first.
    pub lost_inputs: Vec<LostInput>,
}

/// Simulates `shock` on `chain`, listing at most `limit` enterprises and alternatives
/// per lost input.
pub fn disrupt(graph: &Graph, chain: ChainId, shock: &Shock, limit: usize) -> Impact {
    let mut sim = Simulator::new(graph);
    impact(graph, chain, shock, limit, &mut sim)
}

/// As [`disrupt`], with a simulator whose buffers are reused.
pub fn impact(
    graph: &Graph,
    chain: ChainId,
    shock: &Shock,
    limit: usize,
    sim: &mut Simulator<'_>,
) -> Impact {
    sim.reset();
    let hit = shock.units(graph, chain);
    sim.run(&hit, 1.0 - shock.fraction);
    let chain_nodes = graph.chain_nodes(chain);

    // Units of one enterprise are consecutive indexes: sorting groups them.
    let mut touched = sim.touched().to_vec();
    touched.sort_unstable();
    let mut per_enterprise: Vec<(u32, f64, i64, u16)> = Vec::new();
    let mut per_node: Vec<(f64, u32)> = vec![(0.0, 0); graph.node_count()];
    let mut per_tier: Vec<(u32, f64)> = Vec::new();
    let mut direct = 0.0;
    let mut total = 0.0;
    let mut max_tier = 0u16;
    for &u in &touched {
        let loss = sim.unit_loss(u);
        let tier = sim.tier(u);
        total += loss;
        if tier == 0 {
            direct += loss;
        }
        max_tier = max_tier.max(tier);
        let e = graph.unit_enterprise(u);
        match per_enterprise.last_mut() {
            Some(last) if last.0 == e => {
                last.1 += loss;
                last.2 += graph.unit_output(u);
                last.3 = last.3.min(tier);
            }
            _ => per_enterprise.push((e, loss, graph.unit_output(u), tier)),
        }
        let node = &mut per_node[graph.unit_node(u) as usize];
        node.0 += loss;
        node.1 += 1;
    }
    for &(_, loss, _, tier) in &per_enterprise {
        let t = tier as usize;
        if per_tier.len() <= t {
            per_tier.resize(t + 1, (0, 0.0));
        }
        per_tier[t].0 += 1;
        per_tier[t].1 += loss;
    }
    let hit_enterprises = {
        let mut e: Vec<u32> = hit.iter().map(|&u| graph.unit_enterprise(u)).collect();
        e.dedup();
        e.len() as u32
    };

    let mut by_region: HashMap<RegionCode, (f64, u32)> = HashMap::new();
    for &(e, loss, _, _) in &per_enterprise {
        let region = bucket(graph.region(e));
        let entry = by_region.entry(region).or_default();
        entry.0 += loss;
        entry.1 += 1;
    }
    let mut by_region: Vec<RegionImpact> = by_region
        .into_iter()
        .map(|(region, (loss, enterprises))| RegionImpact {
            region,
            loss: money(loss),
            enterprises,
        })
        .collect();
    by_region.sort_by(|a, b| b.loss.cmp(&a.loss).then(a.region.cmp(&b.region)));

    let mut node_list: Vec<u32> = chain_nodes.clone();
    node_list.extend(
        (0..graph.node_count() as u32)
            .filter(|n| per_node[*n as usize].1 > 0 && !chain_nodes.contains(n)),
    );
    let by_node = node_list
        .iter()
        .map(|&n| {
            let (loss, enterprises) = per_node[n as usize];
            NodeImpact {
                node: graph.node_id(n),
                baseline: Money::from_fen(
                    graph
                        .node_units(n)
                        .iter()
                        .map(|&u| graph.unit_output(u))
                        .sum(),
                ),
                loss: money(loss),
                enterprises,
            }
        })
        .collect();

    let mut enterprises: Vec<EnterpriseImpact> = per_enterprise
        .iter()
        .filter(|&&(_, loss, _, _)| loss > 0.0)
        .map(|&(e, loss, output, tier)| EnterpriseImpact {
            enterprise: graph.profile(e).id,
            region: graph.region(e),
            loss: money(loss),
            loss_share: if output > 0 {
                loss / output as f64
            } else {
                0.0
            },
            tier,
        })
        .collect();
    enterprises.sort_by(|a, b| {
        b.loss
            .cmp(&a.loss)
            .then(a.enterprise.0.cmp(&b.enterprise.0))
    });
    let affected_enterprises = per_enterprise.len() as u32;
    enterprises.truncate(limit);

    Impact {
        hit_units: hit.len() as u32,
        hit_enterprises,
        affected_enterprises,
        baseline: Money::from_fen(
            chain_nodes
                .iter()
                .flat_map(|&n| graph.node_units(n))
                .map(|&u| graph.unit_output(u))
                .sum(),
        ),
        direct_loss: money(direct),
        total_loss: money(total),
        tiers: max_tier,
        by_tier: per_tier
            .iter()
            .enumerate()
            .map(|(tier, &(enterprises, loss))| TierImpact {
                tier: tier as u16,
                enterprises,
                loss: money(loss),
            })
            .collect(),
        by_node,
        by_region,
        enterprises,
        lost_inputs: lost_inputs(graph, sim, limit),
    }
}

/// Per lost input node: the lost value, and unharmed producers with spare capacity.
fn lost_inputs(graph: &Graph, sim: &Simulator<'_>, limit: usize) -> Vec<LostInput> {
    struct Acc {
        lost: f64,
        buyers: u32,
        by_region: HashMap<RegionCode, f64>,
    }
    let mut per_node: HashMap<u32, Acc> = HashMap::new();
    for (slot, lost) in sim.lost_slots() {
        let node = graph.slot_node[slot as usize];
        let acc = per_node.entry(node).or_insert(Acc {
            lost: 0.0,
            buyers: 0,
            by_region: HashMap::new(),
        });
        acc.lost += lost;
        acc.buyers += 1;
        *acc.by_region
            .entry(bucket(graph.region(graph.slot_buyer[slot as usize])))
            .or_default() += lost;
    }
    let mut rows: Vec<LostInput> = per_node
        .into_iter()
        .map(|(node, acc)| {
            let main_region = acc
                .by_region
                .iter()
                .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(&r, _)| r)
                .expect("a lost input has at least one buyer");
            let mut alternatives: Vec<Alternative> = graph
                .node_units(node)
                .iter()
                .filter(|&&u| sim.health(u) >= 1.0)
                .filter_map(|&u| {
                    let spare = graph.unit_capacity(u) - graph.unit_output(u);
                    let e = graph.unit_enterprise(u);
                    (spare > 0).then(|| Alternative {
                        enterprise: graph.profile(e).id,
                        region: graph.region(e),
                        spare: Money::from_fen(spare),
                        locality: Locality::between(main_region, graph.region(e)),
                    })
                })
                .collect();
            let spare_total = alternatives.iter().map(|a| a.spare.fen()).sum();
            let spare_nearby = alternatives
                .iter()
                .filter(|a| a.locality != Locality::Elsewhere)
                .map(|a| a.spare.fen())
                .sum();
            alternatives.sort_by(|a, b| {
                a.locality
                    .cmp(&b.locality)
                    .then(b.spare.cmp(&a.spare))
                    .then(a.enterprise.0.cmp(&b.enterprise.0))
            });
            alternatives.truncate(limit);
            LostInput {
                node: graph.node_id(node),
                lost_value: money(acc.lost),
                buyers: acc.buyers,
                main_region,
                alternatives,
                spare_total: Money::from_fen(spare_total),
                spare_nearby: Money::from_fen(spare_nearby),
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.lost_value
            .cmp(&a.lost_value)
            .then(a.node.0.cmp(&b.node.0))
    });
    rows
}

/// The city of a region, or the province for a province-level code.
pub(crate) fn bucket(region: RegionCode) -> RegionCode {
    region.city().unwrap_or(region)
}

pub(crate) fn money(fen: f64) -> Money {
    Money::from_fen(fen.round() as i64)
}
