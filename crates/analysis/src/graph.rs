//! The compact supply graph every analysis works on.
//!
//! Enterprises, nodes, production units and supply relations are renumbered densely
//! (`u32` indexes) and stored as flat arrays in compressed-sparse-row form, so that a
//! province-scale atlas (1M enterprises, 10M relations) fits in a few hundred MiB and a
//! walk over one enterprise's purchases or sales touches contiguous memory.
//!
//! - A **unit** is one enterprise producing in one node, with its output and capacity.
//! - A **slot** is what one buyer buys of one input node: the relations from its
//!   suppliers of that node, and the buyer's units it feeds (those whose node has that
//!   input; all of the buyer's units if none does, so that no purchase is ignored).
//! - A supplier that sells a node it has no unit in gets an implied unit with zero
//!   output and capacity, so that every relation leaves from a unit.

use std::collections::HashMap;

use crate::disrupt::SpareBuffers;

use chainatlas_model::{ChainId, EnterpriseId, EnterpriseSize, NodeId, RegionCode, Segment, Tags};

/// Raised when a record refers to something the graph does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    #[error("unknown enterprise {0}")]
    UnknownEnterprise(i64),
    #[error("unknown chain node {0}")]
    UnknownNode(i64),
    #[error("enterprise {0} was added twice, or out of ascending id order")]
    EnterpriseOrder(i64),
    /// A patch that does not fit the graph: a relation whose supplier changed without
    /// being among the changes. The graph must be loaded whole.
    #[error("enterprise {0} sells a node it has no unit in, and was not among the changes")]
    Stale(i64),
    /// A new chain structure that the graph cannot take on in place: a node it has units
    /// in is gone, or the nodes are no longer in ascending id order. The graph must be
    /// loaded whole.
    #[error("chain node {0} is gone or out of order, and the graph has units in it")]
    Restructure(i64),
}

/// The chain structure as the store holds it, for [`Graph::updated`]: nodes (id, chain,
/// segment) in ascending id order, and input links (input, output).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChainStructure {
    pub nodes: Vec<(NodeId, ChainId, Segment)>,
    pub inputs: Vec<(NodeId, NodeId)>,
}

/// All the graph holds of one enterprise as it is now, for [`Graph::patched`]; `profile`
/// is `None` when the enterprise is gone.
#[derive(Debug, Clone, PartialEq)]
pub struct EnterpriseChange {
    pub id: EnterpriseId,
    pub profile: Option<Profile>,
    /// Its units: (node, output in fen, capacity in fen).
    pub units: Vec<(NodeId, i64, i64)>,
    /// Its purchases: (supplier, node, annual value in fen).
    pub purchases: Vec<(EnterpriseId, NodeId, i64)>,
}

/// What the graph keeps of an enterprise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Profile {
    pub id: EnterpriseId,
    pub region: RegionCode,
    pub size: EnterpriseSize,
    pub tags: Tags,
    pub employees: u32,
    /// National industry code (GB/T 4754-2017), when known.
    pub industry: Option<chainatlas_model::IndustryCode>,
}

/// Collects the atlas, then [`GraphBuilder::build`] lays it out.
///
/// Nodes and inputs first, then enterprises in ascending id order, then units and
/// relations in any order.
#[derive(Default)]
pub struct GraphBuilder {
    nodes: Vec<(NodeId, ChainId, Segment)>,
    node_index: HashMap<NodeId, u32>,
    inputs: Vec<(u32, u32)>,
    profiles: Vec<Profile>,
    units: Vec<(u32, u32, i64, i64)>,
    relations: Vec<RawRelation>,
    /// Enterprise and node indexes by id, for ids dense enough to index an array (a
    /// province's ten million relations each look up three ids); made at the first unit
    /// or relation, after the enterprises.
    dense: Option<(Dense, Dense)>,
}

/// Indexes by id in an array, when the ids are dense enough (at most four slots per id);
/// `None` otherwise, and lookups search instead.
#[derive(Default)]
struct Dense(Option<Vec<u32>>);

impl Dense {
    fn new(ids: impl Iterator<Item = (i64, u32)> + Clone) -> Dense {
        let (count, max) = ids
            .clone()
            .fold((0usize, -1i64), |(n, m), (id, _)| (n + 1, m.max(id)));
        if max < 0 || (max as usize) > 4 * count + 1024 || ids.clone().any(|(id, _)| id < 0) {
            return Dense(None);
        }
        let mut table = vec![u32::MAX; max as usize + 1];
        for (id, index) in ids {
            table[id as usize] = index;
        }
        Dense(Some(table))
    }

    /// `Some(found)` when the table decides, `None` when it cannot (no table).
    fn get(&self, id: i64) -> Option<Option<u32>> {
        let table = self.0.as_ref()?;
        Some(
            usize::try_from(id)
                .ok()
                .and_then(|i| table.get(i).copied())
                .filter(|&x| x != u32::MAX),
        )
    }
}

#[derive(Clone, Copy)]
struct RawRelation {
    buyer: u32,
    node: u32,
    supplier: u32,
    value: i64,
}

impl GraphBuilder {
    pub fn new() -> GraphBuilder {
        GraphBuilder::default()
    }

    pub fn node(&mut self, id: NodeId, chain: ChainId, segment: Segment) {
        let index = self.nodes.len() as u32;
        if self.node_index.insert(id, index).is_none() {
            self.nodes.push((id, chain, segment));
        }
        self.dense = None;
    }

    /// `input` is an input of `output`.
    pub fn input(&mut self, input: NodeId, output: NodeId) -> Result<(), GraphError> {
        let pair = (self.node_idx(input)?, self.node_idx(output)?);
        self.inputs.push(pair);
        Ok(())
    }

    pub fn enterprise(&mut self, profile: Profile) -> Result<(), GraphError> {
        if self.profiles.last().is_some_and(|p| p.id.0 >= profile.id.0) {
            return Err(GraphError::EnterpriseOrder(profile.id.0));
        }
        self.profiles.push(profile);
        self.dense = None;
        Ok(())
    }

    /// The tables of [`Dense`] indexes, made now if they are not.
    fn dense(&mut self) -> &(Dense, Dense) {
        if self.dense.is_none() {
            let enterprises = Dense::new(
                self.profiles
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p.id.0, i as u32)),
            );
            let nodes = Dense::new(self.node_index.iter().map(|(id, &i)| (id.0, i)));
            self.dense = Some((enterprises, nodes));
        }
        self.dense.as_ref().expect("just made")
    }

    pub fn unit(
        &mut self,
        enterprise: EnterpriseId,
        node: NodeId,
        output_fen: i64,
        capacity_fen: i64,
    ) -> Result<(), GraphError> {
        let unit = (
            self.enterprise_at(enterprise)?,
            self.node_at(node)?,
            output_fen,
            capacity_fen,
        );
        self.units.push(unit);
        Ok(())
    }

    pub fn relation(
        &mut self,
        supplier: EnterpriseId,
        buyer: EnterpriseId,
        node: NodeId,
        value_fen: i64,
    ) -> Result<(), GraphError> {
        let relation = RawRelation {
            buyer: self.enterprise_at(buyer)?,
            node: self.node_at(node)?,
            supplier: self.enterprise_at(supplier)?,
            value: value_fen,
        };
        self.relations.push(relation);
        Ok(())
    }

    fn node_idx(&self, id: NodeId) -> Result<u32, GraphError> {
        self.node_index
            .get(&id)
            .copied()
            .ok_or(GraphError::UnknownNode(id.0))
    }

    /// [`GraphBuilder::enterprise_idx`] through the dense table when there is one.
    fn enterprise_at(&mut self, id: EnterpriseId) -> Result<u32, GraphError> {
        match self.dense().0.get(id.0) {
            Some(found) => found.ok_or(GraphError::UnknownEnterprise(id.0)),
            None => self.enterprise_idx(id),
        }
    }

    /// [`GraphBuilder::node_idx`] through the dense table when there is one.
    fn node_at(&mut self, id: NodeId) -> Result<u32, GraphError> {
        match self.dense().1.get(id.0) {
            Some(found) => found.ok_or(GraphError::UnknownNode(id.0)),
            None => self.node_idx(id),
        }
    }

    fn enterprise_idx(&self, id: EnterpriseId) -> Result<u32, GraphError> {
        self.profiles
            .binary_search_by_key(&id.0, |p| p.id.0)
            .map(|i| i as u32)
            .map_err(|_| GraphError::UnknownEnterprise(id.0))
    }

    pub fn build(self) -> Graph {
        let GraphBuilder {
            nodes,
            node_index,
            inputs,
            profiles,
            mut units,
            mut relations,
            dense: _,
        } = self;
        let structure = Structure::new(nodes, node_index, &inputs);
        let node_inputs = &structure.node_inputs;

        // Units, with implied ones for suppliers selling a node they have no unit in.
        units.sort_unstable_by_key(|u| (u.0, u.1));
        units.dedup_by_key(|u| (u.0, u.1));
        // Each enterprise's declared units, to look a seller's up among its few.
        let declared_at = offsets(
            profiles.len(),
            &units.iter().map(|u| u.0).collect::<Vec<u32>>(),
        );
        let mut implied: Vec<(u32, u32)> = relations
            .iter()
            .map(|r| (r.supplier, r.node))
            .filter(|&(e, n)| {
                let mine =
                    &units[declared_at[e as usize] as usize..declared_at[e as usize + 1] as usize];
                mine.binary_search_by_key(&n, |u| u.1).is_err()
            })
            .collect();
        implied.sort_unstable();
        implied.dedup();
        let declared_count = units.len();
        units.extend(implied.into_iter().map(|(e, n)| (e, n, 0, 0)));
        // Whether each unit was declared travels with it through the sort.
        let mut units: Vec<(u32, u32, i64, i64, bool)> = units
            .into_iter()
            .enumerate()
            .map(|(i, (e, n, o, c))| (e, n, o, c, i < declared_count))
            .collect();
        units.sort_unstable_by_key(|u| (u.0, u.1));

        let enterprise_count = profiles.len();
        let unit_enterprise: Vec<u32> = units.iter().map(|u| u.0).collect();
        let ent_units = offsets(enterprise_count, &unit_enterprise);
        let unit_node: Vec<u32> = units.iter().map(|u| u.1).collect();
        let unit_output: Vec<i64> = units.iter().map(|u| u.2).collect();
        let unit_capacity: Vec<i64> = units.iter().map(|u| u.3).collect();
        let unit_declared: Vec<bool> = units.iter().map(|u| u.4).collect();
        drop(units);

        // Relations, grouped into slots by (buyer, node).
        // With the value last, two relations of one supplier, buyer and node (the atlas
        // allows them) come in one order however they were read: a patch lays them out
        // as a load does.
        relations.sort_unstable_by_key(|r| (r.buyer, r.node, r.supplier, r.value));
        let unit_of = |enterprise: u32, node: u32| -> u32 {
            let range = ent_units[enterprise as usize] as usize
                ..ent_units[enterprise as usize + 1] as usize;
            let at = unit_node[range.clone()]
                .binary_search(&node)
                .expect("every supplier has a unit in the node it sells");
            (range.start + at) as u32
        };
        let mut rel_supplier_unit = Vec::with_capacity(relations.len());
        let mut rel_value = Vec::with_capacity(relations.len());
        let mut rel_slot = Vec::with_capacity(relations.len());
        let mut slot_buyer = Vec::new();
        let mut slot_node = Vec::new();
        let mut slot_rel_start = Vec::new();
        let mut slot_total = Vec::new();
        for (i, r) in relations.iter().enumerate() {
            let new_slot = slot_buyer.last() != Some(&r.buyer) || slot_node.last() != Some(&r.node);
            if new_slot {
                slot_buyer.push(r.buyer);
                slot_node.push(r.node);
                slot_rel_start.push(i as u32);
                slot_total.push(0i64);
            }
            *slot_total.last_mut().expect("a slot was just pushed") += r.value;
            rel_supplier_unit.push(unit_of(r.supplier, r.node));
            rel_value.push(r.value);
            rel_slot.push(slot_buyer.len() as u32 - 1);
        }
        slot_rel_start.push(relations.len() as u32);
        drop(relations);
        let ent_slots = offsets(enterprise_count, &slot_buyer);

        // The units each slot feeds.
        let mut slot_unit_start = Vec::with_capacity(slot_buyer.len() + 1);
        let mut slot_units = Vec::new();
        for (&buyer, &node) in slot_buyer.iter().zip(&slot_node) {
            slot_unit_start.push(slot_units.len() as u32);
            let range = ent_units[buyer as usize] as usize..ent_units[buyer as usize + 1] as usize;
            fed_units(node_inputs, &unit_node, range, node, &mut slot_units);
        }
        slot_unit_start.push(slot_units.len() as u32);

        assemble(
            structure,
            Core {
                profiles,
                ent_units,
                unit_enterprise,
                unit_node,
                unit_output,
                unit_capacity,
                unit_declared,
                rel_supplier_unit,
                rel_value,
                rel_slot,
                slot_buyer,
                slot_node,
                slot_rel_start,
                slot_total,
                ent_slots,
                slot_unit_start,
                slot_units,
            },
        )
    }
}

/// The chain nodes and their inputs: what every graph of one chain structure shares.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Structure {
    pub(crate) node_level: Vec<u8>,
    pub(crate) level_count: usize,
    pub(crate) node_ids: Vec<NodeId>,
    pub(crate) node_chain: Vec<ChainId>,
    pub(crate) node_segment: Vec<Segment>,
    pub(crate) node_index: HashMap<NodeId, u32>,
    pub(crate) node_inputs: Vec<Vec<u32>>,
    pub(crate) node_outputs: Vec<Vec<u32>>,
}

impl Structure {
    /// Nodes (id, chain, segment) in order, their indexes by id, and input links
    /// (input, output) as node indexes.
    pub(crate) fn new(
        nodes: Vec<(NodeId, ChainId, Segment)>,
        node_index: HashMap<NodeId, u32>,
        inputs: &[(u32, u32)],
    ) -> Structure {
        let node_count = nodes.len();
        let mut node_inputs = vec![Vec::new(); node_count];
        let mut node_outputs = vec![Vec::new(); node_count];
        for &(input, output) in inputs {
            node_inputs[output as usize].push(input);
            node_outputs[input as usize].push(output);
        }
        for list in node_inputs.iter_mut().chain(node_outputs.iter_mut()) {
            list.sort_unstable();
            list.dedup();
        }
        let node_level = levels(&node_inputs, &node_outputs);
        Structure {
            level_count: node_level.iter().max().map_or(1, |&l| l as usize + 1),
            node_level,
            node_ids: nodes.iter().map(|n| n.0).collect(),
            node_chain: nodes.iter().map(|n| n.1).collect(),
            node_segment: nodes.iter().map(|n| n.2).collect(),
            node_index,
            node_inputs,
            node_outputs,
        }
    }
}

/// Enterprises, units, slots and relations laid out; the rest of a graph follows from them.
pub(crate) struct Core {
    pub(crate) profiles: Vec<Profile>,
    pub(crate) ent_units: Vec<u32>,
    pub(crate) unit_enterprise: Vec<u32>,
    pub(crate) unit_node: Vec<u32>,
    pub(crate) unit_output: Vec<i64>,
    pub(crate) unit_capacity: Vec<i64>,
    pub(crate) unit_declared: Vec<bool>,
    pub(crate) rel_supplier_unit: Vec<u32>,
    pub(crate) rel_value: Vec<i64>,
    pub(crate) rel_slot: Vec<u32>,
    pub(crate) slot_buyer: Vec<u32>,
    pub(crate) slot_node: Vec<u32>,
    pub(crate) slot_rel_start: Vec<u32>,
    pub(crate) slot_total: Vec<i64>,
    pub(crate) ent_slots: Vec<u32>,
    pub(crate) slot_unit_start: Vec<u32>,
    pub(crate) slot_units: Vec<u32>,
}

/// A graph from its structure and core: units by node, and each unit's sales.
pub(crate) fn assemble(structure: Structure, core: Core) -> Graph {
    // Sales of each unit, in cascade order, laid out for simulations: slot, the unit it
    // feeds and share side by side in supplier order, so that passing on a change reads
    // memory in sequence. Relations are read in order (by buyer, as slots are) and each
    // sale written to its place: reads in sequence, writes scattered, which the
    // processor overlaps, where reading each sale's slot from the supplier's side waits
    // for memory at every step.
    let cascade = Cascade::of(&structure, &core.unit_node);
    let slot_at: Vec<u32> = (0..core.slot_total.len() as u32)
        .map(|slot| cascade.at(single_unit(&core.slot_unit_start, &core.slot_units, slot)))
        .collect();
    let at: Vec<u32> = core
        .rel_supplier_unit
        .iter()
        .map(|&u| cascade.position[u as usize])
        .collect();
    let sale_start = offsets(core.unit_node.len(), &at);
    let mut next = sale_start.clone();
    let relations = at.len();
    let mut unit_sales = vec![0u32; relations];
    let mut sales = vec![
        Sale {
            slot: 0,
            unit: 0,
            share: 0.0
        };
        relations
    ];
    for (r, &p) in at.iter().enumerate() {
        let to = next[p as usize] as usize;
        next[p as usize] += 1;
        let slot = core.rel_slot[r];
        unit_sales[to] = r as u32;
        sales[to] = Sale {
            slot,
            unit: slot_at[slot as usize],
            share: share(core.rel_value[r], core.slot_total[slot as usize]),
        };
    }
    drop((at, next, slot_at));
    finish(structure, core, cascade, (sale_start, unit_sales, sales))
}

/// Units in the order a cascade walks them: by chain, then by level within the chain,
/// then by index. A region's shock in one chain hits units that then lie together, and
/// its buyers a level down lie together too, so the simulator's state and the sales it
/// reads are a few dense stretches of memory instead of a scatter over the province.
pub(crate) struct Cascade {
    /// Units by position.
    pub(crate) order: Vec<u32>,
    /// Each unit's position.
    pub(crate) position: Vec<u32>,
}

impl Cascade {
    /// The position of `unit`, or [`Sale::SEVERAL`] for that.
    fn at(&self, unit: u32) -> u32 {
        match unit {
            Sale::SEVERAL => Sale::SEVERAL,
            unit => self.position[unit as usize],
        }
    }

    fn of(structure: &Structure, unit_node: &[u32]) -> Cascade {
        // Each node's group: chain, then level.
        let node_count = structure.node_ids.len();
        let mut keys: Vec<(ChainId, u8, u32)> = (0..node_count)
            .map(|n| (structure.node_chain[n], structure.node_level[n], n as u32))
            .collect();
        keys.sort_unstable();
        let mut node_group = vec![0u32; node_count];
        let mut groups = 0u32;
        for (k, &(chain, level, n)) in keys.iter().enumerate() {
            if k == 0 || (keys[k - 1].0, keys[k - 1].1) != (chain, level) {
                groups += 1;
            }
            node_group[n as usize] = groups - 1;
        }
        let unit_group: Vec<u32> = unit_node.iter().map(|&n| node_group[n as usize]).collect();
        // Counted into groups, each group's units in index order.
        let (_, order) = group_by(groups as usize, &unit_group);
        let mut position = vec![0u32; order.len()];
        for (p, &u) in order.iter().enumerate() {
            position[u as usize] = p as u32;
        }
        Cascade { order, position }
    }
}

/// The graph, its sales already in cascade order (offsets by position, relations, and
/// slot and share of each).
fn finish(
    structure: Structure,
    core: Core,
    cascade: Cascade,
    (sale_start, unit_sales, sales): (Vec<u32>, Vec<u32>, Vec<Sale>),
) -> Graph {
    let Core {
        profiles,
        ent_units,
        unit_enterprise,
        unit_node,
        unit_output,
        unit_capacity,
        unit_declared,
        rel_supplier_unit,
        rel_value,
        rel_slot,
        slot_buyer,
        slot_node,
        slot_rel_start,
        slot_total,
        ent_slots,
        slot_unit_start,
        slot_units,
    } = core;
    let (node_unit_start, node_units) = group_by(structure.node_ids.len(), &unit_node);
    let level_at = cascade
        .order
        .iter()
        .map(|&u| structure.node_level[unit_node[u as usize] as usize])
        .collect();
    Graph {
        unit_level: unit_node
            .iter()
            .map(|&n| structure.node_level[n as usize])
            .collect(),
        structure,
        regions: profiles.iter().map(|p| p.region).collect(),
        profiles,
        ent_units,
        unit_enterprise,
        unit_node,
        unit_output,
        unit_capacity,
        unit_declared,
        node_unit_start,
        node_units,
        rel_supplier_unit,
        rel_value,
        rel_slot,
        slot_buyer,
        slot_node,
        slot_rel_start,
        slot_total,
        ent_slots,
        slot_unit_start,
        slot_units,
        level_at,
        cascade: cascade.order,
        position: cascade.position,
        sale_start,
        unit_sales,
        sales,
        spare_buffers: SpareBuffers::default(),
    }
}

/// The buyer's units (`units`, a range) that a purchase of `node` feeds, onto `out`:
/// those whose node has `node` among its inputs, or all of them if none has, so that no
/// purchase is ignored.
fn fed_units(
    node_inputs: &[Vec<u32>],
    unit_node: &[u32],
    units: std::ops::Range<usize>,
    node: u32,
    out: &mut Vec<u32>,
) {
    let before = out.len();
    for u in units.clone() {
        if node_inputs[unit_node[u] as usize]
            .binary_search(&node)
            .is_ok()
        {
            out.push(u as u32);
        }
    }
    if out.len() == before {
        out.extend(units.map(|u| u as u32));
    }
}

/// Topological levels of the nodes: nodes on one loop share a level, and every other
/// node sits one level below its deepest input. Any order would give the same results;
/// this one lets a simulation pass each change on once, after all its inputs settled.
fn levels(inputs: &[Vec<u32>], outputs: &[Vec<u32>]) -> Vec<u8> {
    let n = inputs.len();
    // Reachability by depth-first search from each node: chains have tens of nodes.
    let reach: Vec<Vec<bool>> = (0..n)
        .map(|start| {
            let mut seen = vec![false; n];
            let mut stack = vec![start];
            while let Some(i) = stack.pop() {
                for &o in &outputs[i] {
                    if !seen[o as usize] {
                        seen[o as usize] = true;
                        stack.push(o as usize);
                    }
                }
            }
            seen
        })
        .collect();
    let same_loop = |a: usize, b: usize| a == b || (reach[a][b] && reach[b][a]);
    // Longest path over the loops collapsed, by repeated relaxation in a fixed order.
    let mut level = vec![0u8; n];
    for _ in 0..n {
        let mut changed = false;
        for o in 0..n {
            for &i in &inputs[o] {
                let i = i as usize;
                let wanted = if same_loop(i, o) {
                    level[i]
                } else {
                    level[i].saturating_add(1)
                };
                if wanted > level[o] {
                    level[o] = wanted;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    level
}

/// CSR offsets of items grouped by `keys`, over `count` owners (the counts do not depend
/// on the keys' order; the items must be laid out in key order for the offsets to fit).
fn offsets(count: usize, keys: &[u32]) -> Vec<u32> {
    let mut starts = vec![0u32; count + 1];
    for &k in keys {
        starts[k as usize + 1] += 1;
    }
    for i in 0..count {
        starts[i + 1] += starts[i];
    }
    starts
}

/// CSR grouping of item indexes by an unsorted key: (offsets, item indexes, each group's
/// in increasing order).
fn group_by(count: usize, keys: &[u32]) -> (Vec<u32>, Vec<u32>) {
    // Counting needs no order.
    let starts = offsets(count, keys);
    let mut next = starts.clone();
    let mut items = vec![0u32; keys.len()];
    for (i, &k) in keys.iter().enumerate() {
        items[next[k as usize] as usize] = i as u32;
        next[k as usize] += 1;
    }
    (starts, items)
}

/// The supply graph. Indexes (`u32`) are positions in its arrays, not database ids.
#[derive(Debug, PartialEq)]
pub struct Graph {
    pub(crate) structure: Structure,
    pub(crate) unit_level: Vec<u8>,
    pub(crate) profiles: Vec<Profile>,
    /// Each enterprise's region, apart from its profile: scans by region (a shock, the
    /// alternatives to a lost input) read 4 bytes per enterprise instead of a profile.
    pub(crate) regions: Vec<RegionCode>,
    pub(crate) ent_units: Vec<u32>,
    pub(crate) unit_enterprise: Vec<u32>,
    pub(crate) unit_node: Vec<u32>,
    pub(crate) unit_output: Vec<i64>,
    pub(crate) unit_capacity: Vec<i64>,
    /// Whether a unit is in the atlas (an enterprise's node), not implied by a sale.
    pub(crate) unit_declared: Vec<bool>,
    pub(crate) node_unit_start: Vec<u32>,
    pub(crate) node_units: Vec<u32>,
    pub(crate) rel_supplier_unit: Vec<u32>,
    pub(crate) rel_value: Vec<i64>,
    pub(crate) rel_slot: Vec<u32>,
    pub(crate) slot_buyer: Vec<u32>,
    pub(crate) slot_node: Vec<u32>,
    pub(crate) slot_rel_start: Vec<u32>,
    pub(crate) slot_total: Vec<i64>,
    pub(crate) ent_slots: Vec<u32>,
    pub(crate) slot_unit_start: Vec<u32>,
    pub(crate) slot_units: Vec<u32>,
    /// Units in cascade order ([`Cascade`]), each unit's position in it, and the level
    /// of the unit at each position.
    pub(crate) cascade: Vec<u32>,
    pub(crate) position: Vec<u32>,
    pub(crate) level_at: Vec<u8>,
    /// Sales by supplier unit, laid out in cascade order: offsets by position, the
    /// relation of each sale, and each sale as simulations read it.
    pub(crate) sale_start: Vec<u32>,
    pub(crate) unit_sales: Vec<u32>,
    pub(crate) sales: Vec<Sale>,
    /// Clean buffers simulations on this graph leave for the next.
    pub(crate) spare_buffers: SpareBuffers,
}

/// One sale as simulations see it: the slot it feeds, the unit that slot feeds when it
/// feeds one, by its position in cascade order (most do; [`Sale::SEVERAL`] otherwise,
/// and then [`Graph::slot_units`] lists them; [`Graph::sale_units`] gives either as unit
/// indexes), and its share of the slot's value. The unit rides in what was padding, so a
/// cascade reads the buyer's place without two more lookups.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sale {
    pub slot: u32,
    pub(crate) unit: u32,
    pub share: f64,
}

impl Sale {
    /// In [`Sale::unit`]: the slot feeds no unit or several.
    pub const SEVERAL: u32 = u32::MAX;
}

/// A relation's share of its slot's value (0 in a slot worth nothing).
fn share(value: i64, slot_total: i64) -> f64 {
    if slot_total > 0 {
        value as f64 / slot_total as f64
    } else {
        0.0
    }
}

/// The one unit a slot feeds, or [`Sale::SEVERAL`].
fn single_unit(slot_unit_start: &[u32], slot_units: &[u32], slot: u32) -> u32 {
    match &slot_units[range(slot_unit_start, slot)] {
        &[unit] => unit,
        _ => Sale::SEVERAL,
    }
}

type Range = std::ops::Range<usize>;

fn range(starts: &[u32], i: u32) -> Range {
    starts[i as usize] as usize..starts[i as usize + 1] as usize
}

impl Graph {
    pub fn enterprise_count(&self) -> usize {
        self.profiles.len()
    }
    pub fn unit_count(&self) -> usize {
        self.unit_node.len()
    }
    pub fn relation_count(&self) -> usize {
        self.rel_value.len()
    }
    pub fn slot_count(&self) -> usize {
        self.slot_buyer.len()
    }

    /// Approximate heap size of the graph, in bytes.
    pub fn heap_bytes(&self) -> usize {
        let u32s = self.ent_units.len()
            + self.unit_enterprise.len()
            + self.unit_node.len()
            + self.node_unit_start.len()
            + self.node_units.len()
            + self.rel_supplier_unit.len()
            + self.rel_slot.len()
            + self.slot_buyer.len()
            + self.slot_node.len()
            + self.slot_rel_start.len()
            + self.ent_slots.len()
            + self.slot_unit_start.len()
            + self.slot_units.len()
            + self.cascade.len()
            + self.position.len()
            + self.sale_start.len()
            + self.unit_sales.len()
            + self.regions.len();
        let i64s = self.unit_output.len() * 2
            + self.rel_value.len()
            + self.slot_total.len()
            + self.sales.len() * std::mem::size_of::<Sale>() / 8;
        u32s * 4
            + i64s * 8
            + self.unit_declared.len()
            + self.level_at.len()
            + self.profiles.len() * std::mem::size_of::<Profile>()
    }

    // Nodes.

    pub fn node_count(&self) -> usize {
        self.structure.node_ids.len()
    }
    pub fn node_idx(&self, id: NodeId) -> Option<u32> {
        self.structure.node_index.get(&id).copied()
    }
    pub fn node_id(&self, node: u32) -> NodeId {
        self.structure.node_ids[node as usize]
    }
    pub fn node_chain(&self, node: u32) -> ChainId {
        self.structure.node_chain[node as usize]
    }
    pub fn node_segment(&self, node: u32) -> Segment {
        self.structure.node_segment[node as usize]
    }
    /// The nodes of a chain, in the order they were added.
    pub fn chain_nodes(&self, chain: ChainId) -> Vec<u32> {
        (0..self.structure.node_ids.len() as u32)
            .filter(|&n| self.structure.node_chain[n as usize] == chain)
            .collect()
    }
    pub fn node_inputs(&self, node: u32) -> &[u32] {
        &self.structure.node_inputs[node as usize]
    }
    pub fn node_outputs(&self, node: u32) -> &[u32] {
        &self.structure.node_outputs[node as usize]
    }
    /// The units producing in a node.
    pub fn node_units(&self, node: u32) -> &[u32] {
        &self.node_units[range(&self.node_unit_start, node)]
    }

    // Enterprises.

    pub fn enterprise_idx(&self, id: EnterpriseId) -> Option<u32> {
        self.profiles
            .binary_search_by_key(&id.0, |p| p.id.0)
            .ok()
            .map(|i| i as u32)
    }
    pub fn profile(&self, enterprise: u32) -> &Profile {
        &self.profiles[enterprise as usize]
    }
    pub fn region(&self, enterprise: u32) -> RegionCode {
        self.regions[enterprise as usize]
    }
    /// An enterprise's units, a contiguous range of unit indexes ordered by node.
    pub fn enterprise_units(&self, enterprise: u32) -> Range {
        range(&self.ent_units, enterprise)
    }
    /// An enterprise's purchases, one slot per input node, a contiguous range.
    pub fn enterprise_slots(&self, enterprise: u32) -> Range {
        range(&self.ent_slots, enterprise)
    }

    // Units.

    /// The topological level of a unit's node (see [`levels`]).
    pub fn unit_level(&self, unit: u32) -> usize {
        self.unit_level[unit as usize] as usize
    }
    pub fn level_count(&self) -> usize {
        self.structure.level_count
    }

    pub fn unit_enterprise(&self, unit: u32) -> u32 {
        self.unit_enterprise[unit as usize]
    }
    pub fn unit_node(&self, unit: u32) -> u32 {
        self.unit_node[unit as usize]
    }
    pub fn unit_output(&self, unit: u32) -> i64 {
        self.unit_output[unit as usize]
    }
    pub fn unit_capacity(&self, unit: u32) -> i64 {
        self.unit_capacity[unit as usize]
    }
    /// Whether the atlas lists the unit (an enterprise's node), rather than the graph
    /// implying it from a sale of a node the seller has no unit in.
    pub fn unit_declared(&self, unit: u32) -> bool {
        self.unit_declared[unit as usize]
    }
    /// A unit's sales as (slot, share), in the order of [`Graph::unit_sales`].
    pub fn sales(&self, unit: u32) -> &[Sale] {
        self.sales_at(self.position[unit as usize])
    }

    /// The relations through which a unit sells.
    pub fn unit_sales(&self, unit: u32) -> &[u32] {
        &self.unit_sales[range(&self.sale_start, self.position[unit as usize])]
    }

    /// A unit's place in the order cascades walk units ([`Cascade`]).
    pub(crate) fn position(&self, unit: u32) -> u32 {
        self.position[unit as usize]
    }

    /// The sales of the unit at a place in cascade order.
    pub(crate) fn sales_at(&self, position: u32) -> &[Sale] {
        &self.sales[range(&self.sale_start, position)]
    }

    // Slots and relations.

    pub fn slot_relations(&self, slot: u32) -> Range {
        range(&self.slot_rel_start, slot)
    }
    /// The buyer's units a slot feeds.
    pub fn slot_units(&self, slot: u32) -> &[u32] {
        &self.slot_units[range(&self.slot_unit_start, slot)]
    }

    /// The units a sale feeds: [`Graph::slot_units`] of its slot, read from the sale
    /// itself when there is one.
    pub fn sale_units(&self, sale: &Sale) -> &[u32] {
        match sale.unit {
            Sale::SEVERAL => self.slot_units(sale.slot),
            at => std::slice::from_ref(&self.cascade[at as usize]),
        }
    }
    pub fn relation_supplier(&self, relation: u32) -> u32 {
        self.unit_enterprise[self.rel_supplier_unit[relation as usize] as usize]
    }

    /// Output of the units a slot feeds: what the buyer stands to lose if the slot fails.
    pub fn slot_output(&self, slot: u32) -> i64 {
        self.slot_units(slot)
            .iter()
            .map(|&u| self.unit_output[u as usize])
            .sum()
    }
}

/// Where a patched graph's enterprise comes from.
#[derive(Clone, Copy)]
enum Source {
    /// Unchanged: the old graph's enterprise at this index.
    Old(u32),
    /// Changed: the change at this index, and its old index if it was in the graph.
    Changed(usize, Option<u32>),
}

impl Graph {
    /// The graph after writes: the chain `structure` when it changed, and the
    /// enterprises' `changes` ([`Graph::patched`]). The new nodes are taken on before
    /// the patch; a node gone with the units it had (their removal among the changes)
    /// stays through the patch and is taken off after it.
    pub fn updated(
        &self,
        structure: Option<&ChainStructure>,
        changes: &[EnterpriseChange],
    ) -> Result<Graph, GraphError> {
        let Some(structure) = structure else {
            return self.patched(changes);
        };
        match self.restructured(structure) {
            Ok(graph) if changes.is_empty() => Ok(graph),
            Ok(graph) => graph.patched(changes),
            Err(_) => {
                let mut both = structure.clone();
                let s = &self.structure;
                for (n, &id) in s.node_ids.iter().enumerate() {
                    if !structure.nodes.iter().any(|m| m.0 == id) {
                        both.nodes.push((id, s.node_chain[n], s.node_segment[n]));
                    }
                }
                self.restructured(&both)?
                    .patched(changes)?
                    .restructured(structure)
            }
        }
    }

    /// The graph with a new chain structure and the same enterprises, units and
    /// relations: nodes renumbered in id order, levels, and the units each purchase
    /// feeds found again (they follow the inputs). Refused when a node the graph has
    /// units in is gone.
    pub fn restructured(&self, structure: &ChainStructure) -> Result<Graph, GraphError> {
        let mut nodes = structure.nodes.clone();
        nodes.sort_by_key(|n| n.0 .0);
        nodes.dedup_by_key(|n| n.0);
        let node_index: HashMap<NodeId, u32> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.0, i as u32))
            .collect();
        let idx = |id: NodeId| {
            node_index
                .get(&id)
                .copied()
                .ok_or(GraphError::UnknownNode(id.0))
        };
        let mut inputs = Vec::with_capacity(structure.inputs.len());
        for &(input, output) in &structure.inputs {
            inputs.push((idx(input)?, idx(output)?));
        }
        let new = Structure::new(nodes, node_index, &inputs);
        // Old node index to new. Units are ordered by node within each enterprise, and
        // slots by node within each buyer: a remap that keeps the order keeps theirs.
        let mut remap = Vec::with_capacity(self.node_count());
        let mut last = None;
        for (n, &id) in self.structure.node_ids.iter().enumerate() {
            match new.node_index.get(&id) {
                Some(&to) if last.is_none_or(|l| l < to) => {
                    remap.push(to);
                    last = Some(to);
                }
                Some(_) => return Err(GraphError::Restructure(id.0)),
                None if self.node_units(n as u32).is_empty() => remap.push(u32::MAX),
                None => return Err(GraphError::Restructure(id.0)),
            }
        }
        let moved =
            |nodes: &[u32]| -> Vec<u32> { nodes.iter().map(|&n| remap[n as usize]).collect() };
        let unit_node = moved(&self.unit_node);
        let slot_node = moved(&self.slot_node);
        let mut slot_unit_start = Vec::with_capacity(self.slot_unit_start.len());
        let mut slot_units = Vec::with_capacity(self.slot_units.len());
        for (&buyer, &node) in self.slot_buyer.iter().zip(&slot_node) {
            slot_unit_start.push(slot_units.len() as u32);
            fed_units(
                &new.node_inputs,
                &unit_node,
                self.enterprise_units(buyer),
                node,
                &mut slot_units,
            );
        }
        slot_unit_start.push(slot_units.len() as u32);
        // The sales follow: which unit each feeds, and the cascade order by level.
        Ok(assemble(
            new,
            Core {
                profiles: self.profiles.clone(),
                ent_units: self.ent_units.clone(),
                unit_enterprise: self.unit_enterprise.clone(),
                unit_node,
                unit_output: self.unit_output.clone(),
                unit_capacity: self.unit_capacity.clone(),
                unit_declared: self.unit_declared.clone(),
                rel_supplier_unit: self.rel_supplier_unit.clone(),
                rel_value: self.rel_value.clone(),
                rel_slot: self.rel_slot.clone(),
                slot_buyer: self.slot_buyer.clone(),
                slot_node,
                slot_rel_start: self.slot_rel_start.clone(),
                slot_total: self.slot_total.clone(),
                ent_slots: self.ent_slots.clone(),
                slot_unit_start,
                slot_units,
            },
        ))
    }

    /// The graph after `changes`, without loading it again: what is unchanged is copied
    /// in order (relations and slots by buyer, units by enterprise), and only the changed
    /// enterprises' units, purchases and implied units are laid out anew. The result is
    /// the graph [`GraphBuilder::build`] would make of the changed atlas (a test holds
    /// them equal), provided every enterprise whose profile, units or purchases changed,
    /// and the supplier of every relation that changed, is among `changes` (the store's
    /// change log records both sides of a relation). The chain structure (nodes and
    /// inputs) must not have changed: [`Graph::updated`] takes on a new one.
    pub fn patched(&self, changes: &[EnterpriseChange]) -> Result<Graph, GraphError> {
        let old = self;
        let mut changes: Vec<&EnterpriseChange> = changes.iter().collect();
        changes.sort_by_key(|c| c.id.0);
        changes.dedup_by_key(|c| c.id.0);
        let node_of = |id: NodeId| {
            old.structure
                .node_index
                .get(&id)
                .copied()
                .ok_or(GraphError::UnknownNode(id.0))
        };

        // Enterprises, merged in id order.
        let old_count = old.profiles.len();
        let mut profiles = Vec::with_capacity(old_count + changes.len());
        let mut sources = Vec::with_capacity(old_count + changes.len());
        let mut touched_old = vec![false; old_count];
        let mut next = 0usize;
        // The unchanged enterprises from `next` up to `end`.
        let copy_until = |end: usize,
                          next: &mut usize,
                          profiles: &mut Vec<Profile>,
                          sources: &mut Vec<Source>| {
            profiles.extend_from_slice(&old.profiles[*next..end]);
            sources.extend((*next as u32..end as u32).map(Source::Old));
            *next = end;
        };
        for (k, change) in changes.iter().enumerate() {
            let end = next + old.profiles[next..].partition_point(|p| p.id.0 < change.id.0);
            copy_until(end, &mut next, &mut profiles, &mut sources);
            let existed = (next < old_count && old.profiles[next].id == change.id).then(|| {
                touched_old[next] = true;
                next += 1;
                next as u32 - 1
            });
            if let Some(profile) = change.profile {
                profiles.push(Profile {
                    id: change.id,
                    ..profile
                });
                sources.push(Source::Changed(k, existed));
            }
        }
        copy_until(old_count, &mut next, &mut profiles, &mut sources);
        let new_idx = |id: EnterpriseId| {
            profiles
                .binary_search_by_key(&id.0, |p| p.id.0)
                .map(|i| i as u32)
                .map_err(|_| GraphError::UnknownEnterprise(id.0))
        };
        // Old enterprise index to new, for the suppliers of copied relations.
        let mut old_to_new = vec![u32::MAX; old_count];
        for (e, source) in sources.iter().enumerate() {
            match *source {
                Source::Old(o) | Source::Changed(_, Some(o)) => old_to_new[o as usize] = e as u32,
                Source::Changed(_, None) => {}
            }
        }
        // Nodes each changed enterprise sells in the changes' purchases.
        let mut sold: HashMap<i64, Vec<u32>> = HashMap::new();
        for change in &changes {
            for &(supplier, node, _) in &change.purchases {
                sold.entry(supplier.0).or_default().push(node_of(node)?);
            }
        }

        // Units, by enterprise and node.
        let unit_guess = old.unit_count() + changes.len() * 4;
        let mut ent_units = Vec::with_capacity(profiles.len() + 1);
        let mut unit_enterprise = Vec::with_capacity(unit_guess);
        let mut unit_node = Vec::with_capacity(unit_guess);
        let mut unit_output = Vec::with_capacity(unit_guess);
        let mut unit_capacity = Vec::with_capacity(unit_guess);
        let mut unit_declared = Vec::with_capacity(unit_guess);
        // Old units of unchanged enterprises, moved in blocks; each new unit's old one.
        let mut unit_runs = Runs::default();
        let mut unit_old: Vec<u32> = Vec::with_capacity(unit_guess);
        ent_units.push(0u32);
        for (e, source) in sources.iter().enumerate() {
            match *source {
                Source::Old(o) => {
                    let range = old.enterprise_units(o);
                    unit_runs.push(range.start, unit_node.len(), range.len());
                    unit_old.extend(range.start as u32..range.end as u32);
                    unit_enterprise.extend(std::iter::repeat_n(e as u32, range.len()));
                    unit_node.extend_from_slice(&old.unit_node[range.clone()]);
                    unit_output.extend_from_slice(&old.unit_output[range.clone()]);
                    unit_capacity.extend_from_slice(&old.unit_capacity[range.clone()]);
                    unit_declared.extend_from_slice(&old.unit_declared[range]);
                }
                Source::Changed(k, existed) => {
                    let change = changes[k];
                    let mut units = Vec::with_capacity(change.units.len());
                    for &(node, output, capacity) in &change.units {
                        units.push((node_of(node)?, output, capacity, true));
                    }
                    units.sort_unstable_by_key(|u| u.0);
                    units.dedup_by_key(|u| u.0);
                    let mut implied = sold.get(&change.id.0).cloned().unwrap_or_default();
                    // What it still sells to buyers that did not change.
                    if let Some(o) = existed {
                        for u in old.enterprise_units(o) {
                            let still = old.unit_sales(u as u32).iter().any(|&r| {
                                let buyer = old.slot_buyer[old.rel_slot[r as usize] as usize];
                                !touched_old[buyer as usize]
                            });
                            if still {
                                implied.push(old.unit_node[u]);
                            }
                        }
                    }
                    implied.sort_unstable();
                    implied.dedup();
                    let declared = units.len();
                    for node in implied {
                        if units[..declared]
                            .binary_search_by_key(&node, |u| u.0)
                            .is_err()
                        {
                            units.push((node, 0, 0, false));
                        }
                    }
                    units.sort_unstable_by_key(|u| u.0);
                    let before = existed.map(|o| old.enterprise_units(o));
                    for (node, output, capacity, declared) in units {
                        // The unit it had in this node, whose sales to unchanged buyers stay.
                        unit_old.push(before.clone().map_or(u32::MAX, |range| {
                            old.unit_node[range.clone()]
                                .binary_search(&node)
                                .map_or(u32::MAX, |at| (range.start + at) as u32)
                        }));
                        unit_enterprise.push(e as u32);
                        unit_node.push(node);
                        unit_output.push(output);
                        unit_capacity.push(capacity);
                        unit_declared.push(declared);
                    }
                }
            }
            ent_units.push(unit_node.len() as u32);
        }
        let unit_in = |enterprise: u32, node: u32| -> Option<u32> {
            let range = ent_units[enterprise as usize] as usize
                ..ent_units[enterprise as usize + 1] as usize;
            unit_node[range.clone()]
                .binary_search(&node)
                .ok()
                .map(|at| (range.start + at) as u32)
        };

        // Slots and relations, by buyer, node and supplier.
        let rel_guess =
            old.relation_count() + changes.iter().map(|c| c.purchases.len()).sum::<usize>();
        let slot_guess = old.slot_count() + changes.len() * 4;
        let mut ent_slots = Vec::with_capacity(profiles.len() + 1);
        let mut slot_buyer = Vec::with_capacity(slot_guess);
        let mut slot_node = Vec::with_capacity(slot_guess);
        let mut slot_rel_start = Vec::with_capacity(slot_guess + 1);
        let mut slot_total = Vec::with_capacity(slot_guess);
        let mut slot_unit_start = Vec::with_capacity(slot_guess + 1);
        let mut slot_units = Vec::with_capacity(old.slot_units.len() + changes.len() * 4);
        let mut rel_supplier_unit = Vec::with_capacity(rel_guess);
        let mut rel_value = Vec::with_capacity(rel_guess);
        let mut rel_slot = Vec::with_capacity(rel_guess);
        // Old slots and relations of unchanged buyers, moved in blocks, and the new
        // relations of changed buyers as (supplier unit, relation).
        let mut slot_runs = Runs::default();
        let mut rel_runs = Runs::default();
        let mut fresh: Vec<(u32, u32)> = Vec::new();
        ent_slots.push(0u32);
        for (e, source) in sources.iter().enumerate() {
            match *source {
                Source::Old(o) => {
                    let shift = ent_units[e] as i64 - old.ent_units[o as usize] as i64;
                    let slots = old.enterprise_slots(o);
                    slot_runs.push(slots.start, slot_buyer.len(), slots.len());
                    let first = old.slot_rel_start[slots.start] as usize;
                    let last = old.slot_rel_start[slots.end] as usize;
                    rel_runs.push(first, rel_value.len(), last - first);
                    for s in slots {
                        let slot = slot_buyer.len() as u32;
                        slot_buyer.push(e as u32);
                        slot_node.push(old.slot_node[s]);
                        slot_total.push(old.slot_total[s]);
                        slot_rel_start.push(rel_value.len() as u32);
                        slot_unit_start.push(slot_units.len() as u32);
                        slot_units.extend(
                            old.slot_units(s as u32)
                                .iter()
                                .map(|&u| (u as i64 + shift) as u32),
                        );
                        let relations = old.slot_relations(s as u32);
                        for &su in &old.rel_supplier_unit[relations.clone()] {
                            let unit = match unit_runs.map(su) {
                                None => {
                                    let supplier = old.unit_enterprise[su as usize];
                                    let node = old.unit_node[su as usize];
                                    let stale =
                                        GraphError::Stale(old.profiles[supplier as usize].id.0);
                                    match old_to_new[supplier as usize] {
                                        u32::MAX => return Err(stale),
                                        now => unit_in(now, node).ok_or(stale)?,
                                    }
                                }
                                Some(unit) => unit,
                            };
                            rel_supplier_unit.push(unit);
                        }
                        rel_value.extend_from_slice(&old.rel_value[relations.clone()]);
                        rel_slot.extend(std::iter::repeat_n(slot, relations.len()));
                    }
                }
                Source::Changed(k, _) => {
                    let mut purchases = Vec::with_capacity(changes[k].purchases.len());
                    for &(supplier, node, value) in &changes[k].purchases {
                        purchases.push((node_of(node)?, new_idx(supplier)?, value));
                    }
                    purchases.sort_unstable_by_key(|p| (p.0, p.1, p.2));
                    let buyer_units = ent_units[e] as usize..ent_units[e + 1] as usize;
                    for group in purchases.chunk_by(|a, b| a.0 == b.0) {
                        let node = group[0].0;
                        let slot = slot_buyer.len() as u32;
                        slot_buyer.push(e as u32);
                        slot_node.push(node);
                        slot_total.push(group.iter().map(|p| p.2).sum());
                        slot_rel_start.push(rel_value.len() as u32);
                        slot_unit_start.push(slot_units.len() as u32);
                        fed_units(
                            &old.structure.node_inputs,
                            &unit_node,
                            buyer_units.clone(),
                            node,
                            &mut slot_units,
                        );
                        for &(_, supplier, value) in group {
                            let unit = unit_in(supplier, node)
                                .ok_or(GraphError::Stale(profiles[supplier as usize].id.0))?;
                            fresh.push((unit, rel_value.len() as u32));
                            rel_supplier_unit.push(unit);
                            rel_value.push(value);
                            rel_slot.push(slot);
                        }
                    }
                }
            }
            ent_slots.push(slot_buyer.len() as u32);
        }
        slot_rel_start.push(rel_value.len() as u32);
        slot_unit_start.push(slot_units.len() as u32);
        drop(old_to_new);

        // Each unit's sales, in the new cascade order: its old ones to unchanged buyers,
        // moved with their blocks (in order, as the blocks keep theirs), and the changed
        // buyers' purchases from it. The unchanged units keep their order, so the old
        // sales are read front to back.
        fresh.sort_unstable();
        let cascade = Cascade::of(&old.structure, &unit_node);
        // Where the unit at each old position is now, by its new position.
        let moved: Vec<u32> = old
            .cascade
            .iter()
            .map(|&u| {
                unit_runs
                    .map(u)
                    .map_or(u32::MAX, |n| cascade.position[n as usize])
            })
            .collect();
        let unit_count = unit_node.len();
        let mut sale_start = Vec::with_capacity(unit_count + 1);
        let mut unit_sales = Vec::with_capacity(rel_value.len());
        let mut sales = Vec::with_capacity(rel_value.len());
        sale_start.push(0u32);
        for &u in &cascade.order {
            let start = unit_sales.len();
            let was = unit_old[u as usize];
            if was != u32::MAX {
                let at = old.position[was as usize];
                let relations = &old.unit_sales[range(&old.sale_start, at)];
                for (&r, sale) in relations.iter().zip(old.sales_at(at)) {
                    if let Some(r) = rel_runs.map(r) {
                        let slot = slot_runs
                            .map(sale.slot)
                            .expect("a slot moves with its relations");
                        // The buyer is unchanged: its units moved as a block.
                        let unit = match sale.unit {
                            Sale::SEVERAL => Sale::SEVERAL,
                            at => Some(moved[at as usize])
                                .filter(|&n| n != u32::MAX)
                                .expect("an unchanged buyer's units move with it"),
                        };
                        unit_sales.push(r);
                        sales.push(Sale {
                            slot,
                            unit,
                            share: sale.share,
                        });
                    }
                }
            }
            let first = fresh.partition_point(|f| f.0 < u);
            let mut added = false;
            for &(_, r) in fresh[first..].iter().take_while(|f| f.0 == u) {
                let slot = rel_slot[r as usize];
                unit_sales.push(r);
                sales.push(Sale {
                    slot,
                    unit: cascade.at(single_unit(&slot_unit_start, &slot_units, slot)),
                    share: share(rel_value[r as usize], slot_total[slot as usize]),
                });
                added = true;
            }
            if added {
                // Both parts are in relation order; together they must be too.
                let mut both: Vec<(u32, Sale)> = unit_sales[start..]
                    .iter()
                    .copied()
                    .zip(sales[start..].iter().copied())
                    .collect();
                both.sort_unstable_by_key(|p| p.0);
                for (k, (r, sale)) in both.into_iter().enumerate() {
                    unit_sales[start + k] = r;
                    sales[start + k] = sale;
                }
            }
            sale_start.push(unit_sales.len() as u32);
        }

        Ok(finish(
            old.structure.clone(),
            Core {
                profiles,
                ent_units,
                unit_enterprise,
                unit_node,
                unit_output,
                unit_capacity,
                unit_declared,
                rel_supplier_unit,
                rel_value,
                rel_slot,
                slot_buyer,
                slot_node,
                slot_rel_start,
                slot_total,
                ent_slots,
                slot_unit_start,
                slot_units,
            },
            cascade,
            (sale_start, unit_sales, sales),
        ))
    }
}

/// Blocks of old indexes moved whole to new positions, in order.
#[derive(Default)]
struct Runs {
    old_start: Vec<u32>,
    new_start: Vec<u32>,
    len: Vec<u32>,
}

impl Runs {
    fn push(&mut self, old: usize, new: usize, len: usize) {
        if len == 0 {
            return;
        }
        let (old, new, len) = (old as u32, new as u32, len as u32);
        if let Some(last) = self.len.len().checked_sub(1) {
            // One block with the last when both sides continue it.
            if self.old_start[last] + self.len[last] == old
                && self.new_start[last] + self.len[last] == new
            {
                self.len[last] += len;
                return;
            }
        }
        self.old_start.push(old);
        self.new_start.push(new);
        self.len.push(len);
    }

    /// Where `old` went, if it was in a block that moved.
    fn map(&self, old: u32) -> Option<u32> {
        let k = self
            .old_start
            .partition_point(|&s| s <= old)
            .checked_sub(1)?;
        let offset = old - self.old_start[k];
        (offset < self.len[k]).then(|| self.new_start[k] + offset)
    }
}
