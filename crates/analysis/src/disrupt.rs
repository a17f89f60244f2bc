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

use rustc_hash::FxHashMap as HashMap;

use chainatlas_model::{ChainId, EnterpriseId, Money, NodeId, RegionCode};

use crate::graph::Sale;
use crate::Graph;

/// Changes of health smaller than this stop travelling.
pub const EPSILON: f64 = 1e-9;
const UNTOUCHED: u16 = u16::MAX;
/// Touched, tier not yet known (while tiers are searched again).
const TOUCHED: u16 = u16::MAX - 1;
/// How many sales ahead a cascade asks the processor for the slot and unit it will read.
const PREFETCH_AHEAD: usize = 4;

/// Asks the processor to bring `p`'s cache line in; a hint that never faults, whatever
/// `p` points to.
#[inline(always)]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing the program sees and never faults, even at an
    // address outside any allocation; `sse` is part of every x86_64 target.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Calls `f` with the cascade position of each unit `sale` feeds: the one the sale names,
/// or those its slot lists.
#[inline(always)]
fn for_each_buyer(g: &Graph, sale: &Sale, mut f: impl FnMut(u32)) {
    match sale.unit {
        Sale::SEVERAL => g
            .slot_units(sale.slot)
            .iter()
            .for_each(|&v| f(g.position(v))),
        at => f(at),
    }
}

/// Tiers beyond this are counted as this.
const MAX_TIER: u16 = TOUCHED - 1;

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
        let regions: Vec<_> = self.regions.iter().map(|r| r.descendants()).collect();
        let mut units: Vec<u32> = nodes
            .iter()
            .flat_map(|&n| graph.node_units(n))
            .copied()
            .filter(|&u| {
                let e = graph.unit_enterprise(u);
                (self.enterprises.is_empty() || enterprises.binary_search(&e).is_ok())
                    && (regions.is_empty()
                        || regions.iter().any(|r| r.contains(&graph.region(e).value())))
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
    /// Per unit, side by side, by the unit's position in cascade order
    /// ([`Graph::position`]): a cascade reads all of it for each unit it reaches, and
    /// the units it reaches lie together.
    units: Vec<UnitState>,
    /// Per slot, the share of its value no longer delivered.
    lost: Vec<f64>,
    /// Units whose health fell, in the order they were first reached: their positions
    /// while a run goes, and the units as [`Simulator::touched`] gives them after it.
    touched_at: Vec<u32>,
    touched_units: Vec<u32>,
    touched_slots: Vec<u32>,
    /// Positions of units given a tier (touched or not), to clear.
    tiered: Vec<u32>,
    /// Positions of units waiting to pass on a change, bucketed by their node's level
    /// (upstream first), so that on an acyclic chain each unit passes on its change once,
    /// after all its suppliers have settled; first in, first out within a level, with the
    /// index of the next one to take.
    queue: Vec<(Vec<u32>, usize)>,
    /// The lowest level that may hold a waiting unit.
    level: usize,
    /// A unit's tier fell after it had passed on its change (a loop, or a hit too small
    /// to travel): the tiers found along the way are not all distances.
    tiers_stale: bool,
}

impl Drop for Simulator<'_> {
    /// Cleans the buffers and leaves them with the graph for the next simulation.
    fn drop(&mut self) {
        self.reset();
        self.graph.spare_buffers.put(Buffers {
            units: std::mem::take(&mut self.units),
            lost: std::mem::take(&mut self.lost),
        });
    }
}

/// A simulator's per-unit and per-slot state, clean (every unit [`FRESH`], no slot lost).
/// For a province they are tens of megabytes, and setting them up and handing them back
/// to the system took longer than a region's aggregation, so the graph keeps a few
/// ([`SpareBuffers`]).
pub(crate) struct Buffers {
    units: Vec<UnitState>,
    lost: Vec<f64>,
}

/// Clean simulator buffers kept by a graph between simulations; at most
/// [`SpareBuffers::KEEP`], so idle memory stays bounded.
#[derive(Default)]
pub(crate) struct SpareBuffers(std::sync::Mutex<Vec<Buffers>>);

impl SpareBuffers {
    /// As many as simulations commonly run at once (a request on each of two cores).
    const KEEP: usize = 2;

    fn take(&self) -> Option<Buffers> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).pop()
    }

    fn put(&self, buffers: Buffers) {
        let mut spare = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if spare.len() < Self::KEEP {
            spare.push(buffers);
        }
    }
}

/// Spare buffers are not part of what a graph is.
impl PartialEq for SpareBuffers {
    fn eq(&self, _: &SpareBuffers) -> bool {
        true
    }
}

impl std::fmt::Debug for SpareBuffers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SpareBuffers")
    }
}

#[derive(Clone, Copy)]
struct UnitState {
    health: f64,
    /// The health last passed on to buyers.
    sent: f64,
    /// The fewest steps from a hit unit over touched units found so far; [`UNTOUCHED`]
    /// when none is known.
    tier: u16,
    queued: bool,
}

const FRESH: UnitState = UnitState {
    health: 1.0,
    sent: 1.0,
    tier: UNTOUCHED,
    queued: false,
};

impl<'g> Simulator<'g> {
    /// A simulator on `graph`, with clean buffers a finished one left with the graph, or
    /// new ones.
    pub fn new(graph: &'g Graph) -> Simulator<'g> {
        let Buffers { units, lost } = graph.spare_buffers.take().unwrap_or_else(|| Buffers {
            units: vec![FRESH; graph.unit_count()],
            lost: vec![0.0; graph.slot_count()],
        });
        Simulator {
            graph,
            units,
            lost,
            touched_at: Vec::new(),
            touched_units: Vec::new(),
            touched_slots: Vec::new(),
            tiered: Vec::new(),
            queue: vec![(Vec::new(), 0); graph.level_count()],
            level: 0,
            tiers_stale: false,
        }
    }

    /// Hits `units` down to `remaining` health and propagates until nothing changes.
    ///
    /// Tiers are breadth-first distances from the hit units over touched units. They are
    /// found on the way: a unit passing on its change offers its tier + 1 to every unit
    /// it sells to. On an acyclic chain the queue takes a unit only after all its
    /// suppliers, so its tier is final when it passes it on; where that fails (a loop),
    /// the tiers are found again by a breadth-first search once the healths settle.
    pub fn run(&mut self, units: &[u32], remaining: f64) {
        let remaining = remaining.clamp(0.0, 1.0);
        let g = self.graph;
        for &u in units {
            let p = g.position(u);
            let state = &mut self.units[p as usize];
            if remaining < state.health {
                if state.health >= 1.0 {
                    self.touched_at.push(p);
                }
                if state.tier == UNTOUCHED {
                    self.tiered.push(p);
                }
                state.health = remaining;
                state.tier = 0;
                // A change this small stops at once, so its tier-1 neighbours are not
                // offered theirs.
                self.tiers_stale |= state.sent - remaining <= EPSILON;
                self.enqueue(p);
            }
        }
        while let Some(p) = self.pop() {
            let state = &mut self.units[p as usize];
            state.queued = false;
            let delta = state.sent - state.health;
            if delta <= EPSILON {
                continue;
            }
            state.sent = state.health;
            let offer = state.tier.saturating_add(1).min(MAX_TIER);
            self.prefetch_next();
            let sales = g.sales_at(p);
            for (k, sale) in sales.iter().enumerate() {
                if let Some(ahead) = sales.get(k + PREFETCH_AHEAD) {
                    prefetch(self.lost.as_ptr().wrapping_add(ahead.slot as usize));
                    prefetch(self.units.as_ptr().wrapping_add(ahead.unit as usize));
                }
                if sale.share <= 0.0 {
                    for_each_buyer(g, sale, |at| self.offer_tier(at, offer));
                    continue;
                }
                let slot = sale.slot as usize;
                let lost = &mut self.lost[slot];
                if *lost == 0.0 {
                    self.touched_slots.push(slot as u32);
                }
                // The share of the slot's value no longer delivered.
                *lost += sale.share * delta;
                let delivered = (1.0 - *lost).max(0.0);
                for_each_buyer(g, sale, |at| self.deliver(at, offer, delivered));
            }
        }
        if self.tiers_stale {
            self.search_tiers();
        }
        self.touched_units.clear();
        self.touched_units
            .extend(self.touched_at.iter().map(|&p| g.cascade[p as usize]));
    }

    /// The unit at `position` now gets `delivered` of an input, and is offered `tier`.
    #[inline(always)]
    fn deliver(&mut self, position: u32, tier: u16, delivered: f64) {
        self.offer_tier(position, tier);
        let buyer = &mut self.units[position as usize];
        if delivered < buyer.health - EPSILON {
            if buyer.health >= 1.0 {
                self.touched_at.push(position);
            }
            buyer.health = delivered;
            self.enqueue(position);
        }
    }

    /// Asks for the memory the next units in the queue will need: the next one's sales,
    /// and where the one after it keeps its sales. Touched units lie far apart, so each
    /// one's sales would otherwise be a wait for memory.
    fn prefetch_next(&self) {
        let g = self.graph;
        if let Some((bucket, next)) = self.queue.get(self.level) {
            if let Some(&w) = bucket.get(*next + 1) {
                prefetch(g.sale_start.as_ptr().wrapping_add(w as usize));
                prefetch(self.units.as_ptr().wrapping_add(w as usize));
            }
            if let Some(&w) = bucket.get(*next) {
                let start = g.sale_start[w as usize] as usize;
                prefetch(g.sales.as_ptr().wrapping_add(start));
                prefetch(g.sales.as_ptr().wrapping_add(start + 4));
            }
        }
    }

    /// Offers `tier` to the unit at `position`.
    fn offer_tier(&mut self, position: u32, tier: u16) {
        let state = &mut self.units[position as usize];
        if tier < state.tier {
            if state.tier == UNTOUCHED {
                self.tiered.push(position);
            }
            // Passed on already with a larger tier: its buyers were offered too much.
            self.tiers_stale |= state.sent < 1.0;
            state.tier = tier;
        }
    }

    /// Tiers by a breadth-first search from the hit units over touched units, once the
    /// healths have settled.
    fn search_tiers(&mut self) {
        let g = self.graph;
        let mut frontier = Vec::new();
        for &p in &self.touched_at {
            let state = &mut self.units[p as usize];
            if state.tier == 0 {
                frontier.push(p);
            } else {
                state.tier = TOUCHED;
            }
        }
        let mut tier = 0u16;
        while !frontier.is_empty() {
            tier = tier.saturating_add(1).min(MAX_TIER);
            let mut next = Vec::new();
            for &p in &frontier {
                for sale in g.sales_at(p) {
                    for_each_buyer(g, sale, |at| {
                        let state = &mut self.units[at as usize];
                        if state.tier == TOUCHED {
                            state.tier = tier;
                            next.push(at);
                        }
                    });
                }
            }
            frontier = next;
        }
    }

    /// Queues the unit at `position`.
    fn enqueue(&mut self, position: u32) {
        let state = &mut self.units[position as usize];
        if !state.queued {
            state.queued = true;
            let level = self.graph.level_at[position as usize] as usize;
            self.queue[level].0.push(position);
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
        self.units[self.graph.position(unit) as usize].health
    }

    /// Tier at which a touched unit was first reached: 0 for hit units.
    pub fn tier(&self, unit: u32) -> u16 {
        self.units[self.graph.position(unit) as usize].tier
    }

    /// Output lost by a unit, in fen.
    pub fn unit_loss(&self, unit: u32) -> f64 {
        self.graph.unit_output(unit) as f64 * (1.0 - self.health(unit))
    }

    /// Total output lost, in fen.
    pub fn loss(&self) -> f64 {
        self.touched_units.iter().map(|&u| self.unit_loss(u)).sum()
    }

    /// Slots that lost part of their delivery, with the value lost (fen).
    /// In slot order: slots are in buyer order, so reading what each belongs to walks
    /// memory forwards.
    pub fn lost_slots(&self) -> impl Iterator<Item = (u32, f64)> + '_ {
        let mut slots = self.touched_slots.clone();
        slots.sort_unstable();
        slots
            .into_iter()
            .map(|s| {
                (
                    s,
                    self.lost[s as usize].min(1.0) * self.graph.slot_total[s as usize] as f64,
                )
            })
            .filter(|&(_, lost)| lost > 0.0)
    }

    pub fn reset(&mut self) {
        for &p in self.touched_at.iter().chain(&self.tiered) {
            self.units[p as usize] = FRESH;
        }
        for &s in &self.touched_slots {
            self.lost[s as usize] = 0.0;
        }
        self.touched_units.clear();
        self.touched_at.clear();
        self.touched_slots.clear();
        self.tiered.clear();
        self.tiers_stale = false;
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

    let mut by_region: HashMap<RegionCode, (f64, u32)> = HashMap::default();
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

    // The `limit` largest losses (ties by id: indexes are in id order), then sorted.
    let mut losers: Vec<(i64, u32, f64, i64, u16)> = per_enterprise
        .iter()
        .filter(|&&(_, loss, _, _)| loss > 0.0)
        .map(|&(e, loss, output, tier)| (-money(loss).fen(), e, loss, output, tier))
        .collect();
    let order =
        |a: &(i64, u32, f64, i64, u16), b: &(i64, u32, f64, i64, u16)| (a.0, a.1).cmp(&(b.0, b.1));
    top(&mut losers, limit, order);
    let enterprises = losers
        .iter()
        .map(|&(_, e, loss, output, tier)| EnterpriseImpact {
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
    let affected_enterprises = per_enterprise.len() as u32;

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
    let mut per_node: Vec<Option<Acc>> = (0..graph.node_count()).map(|_| None).collect();
    for (slot, lost) in sim.lost_slots() {
        let node = graph.slot_node[slot as usize];
        let acc = per_node[node as usize].get_or_insert_with(|| Acc {
            lost: 0.0,
            buyers: 0,
            by_region: HashMap::default(),
        });
        acc.lost += lost;
        acc.buyers += 1;
        *acc.by_region
            .entry(bucket(graph.region(graph.slot_buyer[slot as usize])))
            .or_default() += lost;
    }
    let mut rows: Vec<LostInput> = per_node
        .into_iter()
        .enumerate()
        .filter_map(|(node, acc)| Some((node as u32, acc?)))
        .map(|(node, acc)| {
            let main_region = acc
                .by_region
                .iter()
                .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(&r, _)| r)
                .expect("a lost input has at least one buyer");
            // Every unharmed producer with spare capacity counts; only the best `limit`
            // are named (nearest, then most spare, then by id: indexes are in id order).
            let (mut spare_total, mut spare_nearby) = (0i64, 0i64);
            let mut candidates: Vec<(Locality, i64, u32)> = Vec::new();
            for &u in graph.node_units(node) {
                let spare = graph.unit_capacity(u) - graph.unit_output(u);
                if spare <= 0 || sim.health(u) < 1.0 {
                    continue;
                }
                let e = graph.unit_enterprise(u);
                let locality = Locality::between(main_region, graph.region(e));
                spare_total += spare;
                if locality != Locality::Elsewhere {
                    spare_nearby += spare;
                }
                candidates.push((locality, -spare, e));
            }
            top(&mut candidates, limit, |a, b| a.cmp(b));
            let alternatives = candidates
                .iter()
                .map(|&(locality, spare, e)| Alternative {
                    enterprise: graph.profile(e).id,
                    region: graph.region(e),
                    spare: Money::from_fen(-spare),
                    locality,
                })
                .collect();
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

/// Keeps the first `limit` of `items` in `order`, sorted: a selection, then a sort of
/// what is kept, instead of sorting a hundred thousand items to show ten.
fn top<T>(items: &mut Vec<T>, limit: usize, mut order: impl FnMut(&T, &T) -> std::cmp::Ordering) {
    if limit == 0 {
        items.clear();
        return;
    }
    if items.len() > limit {
        items.select_nth_unstable_by(limit - 1, &mut order);
        items.truncate(limit);
    }
    items.sort_unstable_by(order);
}

/// The city of a region, or the province for a province-level code.
pub(crate) fn bucket(region: RegionCode) -> RegionCode {
    region.city().unwrap_or(region)
}

pub(crate) fn money(fen: f64) -> Money {
    Money::from_fen(fen.round() as i64)
}
