//! New boards (锻新板) and long boards (锻长板): which chain nodes a region lacks but could
//! grow, and where it is already strong, from economic complexity over all regions and
//! from the chain's own supply graph.
//!
//! 1. **Activity table**: region × node, each enterprise's output in a node (or the count
//!    of enterprises in it) summed into its region at the chosen level (county, city or
//!    province), over all regions or a chosen peer group.
//! 2. **Complexity** of that table ([`chainatlas_complexity::compute`], Stata's
//!    conventions): RCA, presence, proximity between nodes, density, PCI, COG.
//! 3. **The chain's input–output table** ([`node_flows`]): node × node flows from the
//!    supply relations (a relation's value split over the buyer's units it feeds, by
//!    their output), node output from the enterprise–node links.
//! 4. For every node the region lacks (no presence, RCA ≤ 1), three parts of
//!    **feasibility**, each in [0, 1]:
//!    - **relatedness**: its density for the region over the largest density among the
//!      nodes it lacks (how much of what is close to it the region already does);
//!    - **input readiness**: the share of its input nodes (in the chain) that some local
//!      enterprise works in, weighted by input coefficients (by equal weights where the
//!      relations say nothing); undefined for a node without inputs;
//!    - **market pull**: the share of the nodes it sells to that some local enterprise
//!      works in, weighted by output coefficients; undefined for a final node;
//!
//!    `feasibility` = [`WEIGHTS`]-weighted mean of the parts that are defined. Beside it,
//!    attractiveness: PCI and COG. Each opportunity carries its reasons: the region's
//!    present nodes closest to it, its local and missing inputs, the local enterprises
//!    that would buy from it.
//! 5. **Long boards**: the nodes where the region is present, by RCA.

use std::collections::HashMap;

use chainatlas_complexity::{compute, Complexity, Note, Options, Table};
use chainatlas_model::{IndustryCode, RegionCode};

use crate::Graph;

/// Relatedness, input readiness, market pull.
pub const WEIGHTS: [f64; 3] = [0.5, 0.25, 0.25];
/// Reasons kept per opportunity: related nodes, local buyers.
pub const REASONS: usize = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Level {
    County,
    City,
    Province,
}

impl Level {
    /// The region at this level that `code` lies in (a code above the level stays as it is).
    pub fn of(self, code: RegionCode) -> RegionCode {
        match self {
            Level::County => code,
            Level::City => code.city().unwrap_or(code),
            Level::Province => code.province(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Measure {
    /// Annual output value in the node.
    Output,
    /// Enterprises working in the node.
    Enterprises,
    /// Employees, each enterprise's split over its nodes by their output (equally where
    /// it records none).
    Employees,
}

/// What one unit (an enterprise in a node) counts for under `measure`.
fn unit_value(graph: &Graph, unit: u32, measure: Measure) -> f64 {
    match measure {
        Measure::Output => graph.unit_output(unit) as f64 / 100.0,
        Measure::Enterprises => 1.0,
        Measure::Employees => {
            let enterprise = graph.unit_enterprise(unit);
            let units = graph.enterprise_units(enterprise);
            let total: i64 = units.clone().map(|u| graph.unit_output(u as u32)).sum();
            let share = if total > 0 {
                graph.unit_output(unit) as f64 / total as f64
            } else {
                1.0 / units.len().max(1) as f64
            };
            graph.profile(enterprise).employees as f64 * share
        }
    }
}

/// The region × node table, names as the region codes and node indexes written out.
pub fn activity_table(
    graph: &Graph,
    level: Level,
    measure: Measure,
    peers: Option<&[RegionCode]>,
) -> Table {
    let mut sums: HashMap<(RegionCode, u32), f64> = HashMap::new();
    for unit in 0..graph.unit_count() as u32 {
        let region = level.of(graph.region(graph.unit_enterprise(unit)));
        if peers.is_some_and(|p| !p.contains(&region)) {
            continue;
        }
        let value = unit_value(graph, unit, measure);
        *sums.entry((region, graph.unit_node(unit))).or_default() += value;
    }
    let mut cells: Vec<_> = sums.into_iter().collect();
    cells.sort_by_key(|((r, n), _)| (r.value(), *n));
    let mut table = Table::new();
    for ((region, node), value) in cells {
        // Codes and indexes are unique and values non-negative: nothing to refuse.
        table
            .add(&region.value().to_string(), &node.to_string(), value)
            .expect("one cell per region and node");
    }
    table
}

/// Node × node flows (row-major, `z[i * n + j]` from node i to node j) and each node's
/// output, in yuan, from the supply relations and enterprise–node links.
pub fn node_flows(graph: &Graph) -> (Vec<f64>, Vec<f64>) {
    let n = graph.node_count();
    let mut z = vec![0.0; n * n];
    let mut x = vec![0.0; n];
    for unit in 0..graph.unit_count() as u32 {
        x[graph.unit_node(unit) as usize] += graph.unit_output(unit) as f64 / 100.0;
    }
    for slot in 0..graph.slot_count() as u32 {
        let from = graph.slot_node[slot as usize] as usize;
        let fed = graph.slot_units(slot);
        if fed.is_empty() {
            continue;
        }
        let value = graph.slot_total[slot as usize] as f64 / 100.0;
        let total: f64 = fed.iter().map(|&u| graph.unit_output(u) as f64).sum();
        for &u in fed {
            let share = if total > 0.0 {
                graph.unit_output(u) as f64 / total
            } else {
                1.0 / fed.len() as f64
            };
            z[from * n + graph.unit_node(u) as usize] += value * share;
        }
    }
    (z, x)
}

/// The region's own input–output table: its nodes with local output, the flows between
/// them bought from local suppliers by local buyers (each purchase split over the
/// buyer's units it feeds, by their output), and their local output, in yuan (at least
/// the node's local sales and purchases).
pub fn regional_flows(
    graph: &Graph,
    level: Level,
    region: RegionCode,
) -> (Vec<u32>, Vec<f64>, Vec<f64>) {
    let region = level.of(region);
    let local = |enterprise: u32| level.of(graph.region(enterprise)) == region;
    // Only the region's own enterprises are read: their units, then their purchases
    // (a page asks for this on every view; the province's other slots are not its).
    let firms: Vec<u32> = (0..graph.enterprise_count() as u32)
        .filter(|&e| local(e))
        .collect();
    let mut output: HashMap<u32, f64> = HashMap::new();
    for &e in &firms {
        for unit in graph.enterprise_units(e) {
            let unit = unit as u32;
            *output.entry(graph.unit_node(unit)).or_default() +=
                graph.unit_output(unit) as f64 / 100.0;
        }
    }
    let mut nodes: Vec<u32> = output
        .iter()
        .filter(|(_, x)| **x > 0.0)
        .map(|(n, _)| *n)
        .collect();
    nodes.sort_unstable();
    let at: HashMap<u32, usize> = nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let n = nodes.len();
    let mut z = vec![0.0; n * n];
    for slot in firms.iter().flat_map(|&e| graph.enterprise_slots(e)) {
        let slot = slot as u32;
        let Some(&from) = at.get(&graph.slot_node[slot as usize]) else {
            continue;
        };
        let bought: f64 = graph
            .slot_relations(slot)
            .filter(|&r| local(graph.relation_supplier(r as u32)))
            .map(|r| graph.rel_value[r] as f64 / 100.0)
            .sum();
        let fed: Vec<u32> = graph
            .slot_units(slot)
            .iter()
            .copied()
            .filter(|u| at.contains_key(&graph.unit_node(*u)))
            .collect();
        if bought == 0.0 || fed.is_empty() {
            continue;
        }
        let total: f64 = fed.iter().map(|&u| graph.unit_output(u) as f64).sum();
        for &u in &fed {
            let share = if total > 0.0 {
                graph.unit_output(u) as f64 / total
            } else {
                1.0 / fed.len() as f64
            };
            z[from * n + at[&graph.unit_node(u)]] += bought * share;
        }
    }
    // Output at least what local buyers report buying from a node and what its producers
    // report buying for it: relations and outputs are reported apart, and a table whose
    // flows exceed the output recorded would have negative final demand or value added
    // (the Ghosh and Leontief inverses then turn negative).
    let x = (0..n)
        .map(|i| {
            let sales: f64 = z[i * n..(i + 1) * n].iter().sum();
            let purchases: f64 = (0..n).map(|k| z[k * n + i]).sum();
            output[&nodes[i]].max(sales).max(purchases)
        })
        .collect();
    (nodes, z, x)
}

/// A node the region lacks, how feasible and how attractive it is, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Opportunity {
    pub node: u32,
    /// The region's RCA in it (≤ 1, or 0 when it has nothing there).
    pub rca: f64,
    pub density: Option<f64>,
    pub relatedness: Option<f64>,
    pub readiness: Option<f64>,
    pub pull: Option<f64>,
    pub feasibility: f64,
    pub pci: Option<f64>,
    pub cog: Option<f64>,
    /// The region's present nodes closest to it, with their proximity, closest first.
    pub related: Vec<(u32, f64)>,
    /// Its input nodes some local enterprise works in, and those none does.
    pub inputs_local: Vec<u32>,
    pub inputs_missing: Vec<u32>,
    /// Local enterprises (graph indexes) in the nodes it sells to, largest output first.
    pub buyers: Vec<u32>,
}

/// A node where the region is present.
#[derive(Clone, Debug, PartialEq)]
pub struct LongBoard {
    pub node: u32,
    pub rca: f64,
    /// The region's value in the node (output in yuan, enterprises, or employees).
    pub value: f64,
    pub pci: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Opportunities {
    pub region: RegionCode,
    pub level: Level,
    pub measure: Measure,
    pub eci: Option<f64>,
    /// Its rank by ECI among the regions compared (1 = highest), and how many there are.
    pub eci_rank: Option<(usize, usize)>,
    /// Most feasible first.
    pub new_boards: Vec<Opportunity>,
    /// Highest RCA first.
    pub long_boards: Vec<LongBoard>,
    /// Why some measures are missing.
    pub notes: Vec<Note>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum OpportunityError {
    /// No enterprise of the atlas lies in the region (at the level), or it is not among
    /// the peers.
    NoActivity(RegionCode),
    /// The atlas has no output to compare.
    Empty,
}

/// A node as a region stands in it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub node: u32,
    pub rca: f64,
    pub density: Option<f64>,
    pub present: bool,
}

/// What every region's opportunities are computed from, for one level and measure: the
/// complexity of the region × node table, the chain's node flows, and where each region
/// has enterprises. Independent of the region asked about, so it can be kept.
#[derive(Clone, Debug)]
pub struct Landscape {
    pub level: Level,
    pub measure: Measure,
    pub complexity: Complexity,
    /// Column p of the complexity is graph node `node_of[p]`.
    node_of: Vec<u32>,
    /// Row of each region in the complexity.
    row: HashMap<RegionCode, usize>,
    /// Node flows of the chain, `z[i * n + j]`.
    flows: Vec<f64>,
    /// Each region's units by node.
    local: HashMap<RegionCode, HashMap<u32, Vec<u32>>>,
}

impl Landscape {
    /// The regions compared, in the complexity's order.
    pub fn regions(&self) -> impl Iterator<Item = RegionCode> + '_ {
        self.complexity.locations.iter().map(|l| {
            RegionCode::new(l.parse().expect("codes written by activity_table"))
                .expect("a valid code")
        })
    }

    /// The graph node of each column of the complexity.
    pub fn nodes(&self) -> &[u32] {
        &self.node_of
    }

    /// Every node as `region` stands in it, for the chart of presence against fit.
    /// `None` for a region not compared.
    pub fn space(&self, region: RegionCode) -> Option<Vec<Point>> {
        let c = *self.row.get(&self.level.of(region))?;
        let r = &self.complexity;
        Some(
            (0..r.products.len())
                .map(|p| {
                    let at = r.at(c, p);
                    let density = r.density.as_ref().map(|d| d[at]);
                    Point {
                        node: self.node_of[p],
                        rca: r.rca[at],
                        density,
                        present: r.present[at],
                    }
                })
                .collect(),
        )
    }

    /// Each node's `k` closest others by proximity, each pair once: the skeleton of the
    /// activity space (nodes, proximity).
    pub fn links(&self, k: usize) -> Vec<(u32, u32, f64)> {
        let Some(phi) = &self.complexity.proximity else {
            return Vec::new();
        };
        let n = self.node_of.len();
        let mut pairs: Vec<(usize, usize, f64)> = Vec::new();
        for p in 0..n {
            let mut near: Vec<(usize, f64)> = (0..n)
                .filter(|&q| q != p && phi[p * n + q] > 0.0)
                .map(|q| (q, phi[p * n + q]))
                .collect();
            near.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            for &(q, f) in near.iter().take(k) {
                let pair = (p.min(q), p.max(q), f);
                if !pairs.iter().any(|x| x.0 == pair.0 && x.1 == pair.1) {
                    pairs.push(pair);
                }
            }
        }
        pairs
            .into_iter()
            .map(|(p, q, f)| (self.node_of[p], self.node_of[q], f))
            .collect()
    }
}

/// The landscape of `level` and `measure` over all regions, or `peers`.
pub fn landscape(
    graph: &Graph,
    level: Level,
    measure: Measure,
    peers: Option<&[RegionCode]>,
) -> Result<Landscape, OpportunityError> {
    let table = activity_table(graph, level, measure, peers);
    let complexity = compute(&table, &Options::default()).map_err(|_| OpportunityError::Empty)?;
    let node_of: Vec<u32> = complexity
        .products
        .iter()
        .map(|p| p.parse().expect("node indexes written by activity_table"))
        .collect();
    let row = complexity
        .locations
        .iter()
        .enumerate()
        .map(|(c, l)| {
            let code = RegionCode::new(l.parse().expect("codes written by activity_table"));
            (code.expect("a valid code"), c)
        })
        .collect();
    let mut local: HashMap<RegionCode, HashMap<u32, Vec<u32>>> = HashMap::new();
    for unit in 0..graph.unit_count() as u32 {
        let region = level.of(graph.region(graph.unit_enterprise(unit)));
        local
            .entry(region)
            .or_default()
            .entry(graph.unit_node(unit))
            .or_default()
            .push(unit);
    }
    let (flows, _) = node_flows(graph);
    Ok(Landscape {
        level,
        measure,
        complexity,
        node_of,
        row,
        flows,
        local,
    })
}

/// The new and long boards of `region` among the regions of the same `level` (all of them,
/// or `peers`).
pub fn opportunities(
    graph: &Graph,
    region: RegionCode,
    level: Level,
    measure: Measure,
    peers: Option<&[RegionCode]>,
) -> Result<Opportunities, OpportunityError> {
    opportunities_in(graph, &landscape(graph, level, measure, peers)?, region)
}

/// The new and long boards of `region` in a landscape computed before.
pub fn opportunities_in(
    graph: &Graph,
    landscape: &Landscape,
    region: RegionCode,
) -> Result<Opportunities, OpportunityError> {
    let (level, measure) = (landscape.level, landscape.measure);
    let region = level.of(region);
    let result = &landscape.complexity;
    let c = *landscape
        .row
        .get(&region)
        .ok_or(OpportunityError::NoActivity(region))?;
    let n_p = result.products.len();
    let node_of = &landscape.node_of;
    let empty = HashMap::new();
    // Where the region has any enterprise (for inputs and buyers), by graph node.
    let local_units = landscape.local.get(&region).unwrap_or(&empty);
    let z = &landscape.flows;
    let n = graph.node_count();
    let indices = result.indices.as_ref();

    // The share of `nodes` (weighted by `weight`, or equally when the weights say
    // nothing) in which some local enterprise works.
    let share = |nodes: &[u32], weight: &dyn Fn(u32) -> f64| -> Option<f64> {
        if nodes.is_empty() {
            return None;
        }
        let total: f64 = nodes.iter().map(|&k| weight(k)).sum();
        let w = |k: u32| if total > 0.0 { weight(k) } else { 1.0 };
        let all: f64 = nodes.iter().map(|&k| w(k)).sum();
        let local: f64 = nodes
            .iter()
            .filter(|k| local_units.contains_key(k))
            .map(|&k| w(k))
            .sum();
        Some(local / all)
    };
    let lacking: Vec<usize> = (0..n_p)
        .filter(|&p| !result.present[result.at(c, p)])
        .collect();
    let related_to = relatedness(result, c, &lacking);
    let mut new_boards: Vec<Opportunity> = Vec::new();
    // Nodes of the chains the region takes part in that no region works in yet are not
    // in the table; they are not opportunities (nothing to compare them with).
    for &p in &lacking {
        let node = node_of[p];
        let at = result.at(c, p);
        let (density, relatedness) = related_to(p);
        let inputs = graph.node_inputs(node);
        let outputs = graph.node_outputs(node);
        let j = node as usize;
        let readiness = share(inputs, &|i| z[i as usize * n + j]);
        let pull = share(outputs, &|k| z[j * n + k as usize]);
        let parts = [relatedness, readiness, pull];
        let weight: f64 = parts
            .iter()
            .zip(WEIGHTS)
            .filter(|(v, _)| v.is_some())
            .map(|(_, w)| w)
            .sum();
        let feasibility = if weight > 0.0 {
            parts
                .iter()
                .zip(WEIGHTS)
                .filter_map(|(v, w)| v.map(|v| v * w))
                .sum::<f64>()
                / weight
        } else {
            0.0
        };
        let related = closest_present(result, c, p, |q| node_of[q]);
        let (inputs_local, inputs_missing): (Vec<u32>, Vec<u32>) =
            inputs.iter().partition(|k| local_units.contains_key(k));
        let mut buyers: Vec<(i64, u32)> = outputs
            .iter()
            .filter_map(|k| local_units.get(k))
            .flatten()
            .map(|&u| (graph.unit_output(u), graph.unit_enterprise(u)))
            .collect();
        buyers.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut seen = Vec::new();
        for (_, e) in buyers {
            if !seen.contains(&e) {
                seen.push(e);
            }
        }
        seen.truncate(REASONS);
        new_boards.push(Opportunity {
            node,
            rca: result.rca[at],
            density,
            relatedness,
            readiness,
            pull,
            feasibility,
            pci: indices.map(|i| i.pci[p]),
            cog: indices.map(|i| i.cog[at]),
            related,
            inputs_local,
            inputs_missing,
            buyers: seen,
        });
    }
    new_boards.sort_by(|a, b| {
        b.feasibility
            .total_cmp(&a.feasibility)
            .then(b.pci.unwrap_or(0.0).total_cmp(&a.pci.unwrap_or(0.0)))
            .then(a.node.cmp(&b.node))
    });
    let mut long_boards: Vec<LongBoard> = (0..n_p)
        .filter(|&p| result.present[result.at(c, p)])
        .map(|p| LongBoard {
            node: node_of[p],
            rca: result.rca[result.at(c, p)],
            value: local_units.get(&node_of[p]).map_or(0.0, |units| {
                units.iter().map(|&u| unit_value(graph, u, measure)).sum()
            }),
            pci: indices.map(|i| i.pci[p]),
        })
        .collect();
    long_boards.sort_by(|a, b| b.rca.total_cmp(&a.rca).then(a.node.cmp(&b.node)));
    Ok(Opportunities {
        region,
        level,
        measure,
        eci: indices.map(|i| i.eci[c]),
        eci_rank: eci_rank(result, c),
        new_boards,
        long_boards,
        notes: result.notes.clone(),
    })
}

/// For location `c` and the products it lacks (`lacking`): a product's density, and that
/// density over the largest among them (0 when all are 0). The largest is found once.
fn relatedness<'a>(
    result: &'a Complexity,
    c: usize,
    lacking: &[usize],
) -> impl Fn(usize) -> (Option<f64>, Option<f64>) + 'a {
    let densest = result.density.as_ref().map(|d| {
        lacking
            .iter()
            .map(|&q| d[result.at(c, q)])
            .fold(0.0f64, f64::max)
    });
    move |p| match (&result.density, densest) {
        (Some(d), Some(max)) => {
            let density = d[result.at(c, p)];
            let share = if max > 0.0 { density / max } else { 0.0 };
            (Some(density), Some(share))
        }
        _ => (None, None),
    }
}

/// The [`REASONS`] products present in location `c` closest to product `p` by
/// proximity, each as `key` names it, closest first.
fn closest_present<K: Copy + Ord>(
    result: &Complexity,
    c: usize,
    p: usize,
    key: impl Fn(usize) -> K,
) -> Vec<(K, f64)> {
    let Some(phi) = &result.proximity else {
        return Vec::new();
    };
    let n_p = result.products.len();
    let mut related: Vec<(K, f64)> = (0..n_p)
        .filter(|&q| result.present[result.at(c, q)])
        .map(|q| (key(q), phi[q * n_p + p]))
        .filter(|(_, f)| *f > 0.0)
        .collect();
    related.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    related.truncate(REASONS);
    related
}

/// Location `c`'s rank by ECI (1 = highest) and how many locations there are.
fn eci_rank(result: &Complexity, c: usize) -> Option<(usize, usize)> {
    result.indices.as_ref().map(|i| {
        let better = i.eci.iter().filter(|e| **e > i.eci[c]).count();
        (better + 1, i.eci.len())
    })
}

/// An industry class the region lacks, by relatedness alone (the chain graph says nothing
/// about inputs and buyers of an industry class), with its attractiveness.
#[derive(Clone, Debug, PartialEq)]
pub struct IndustryOpportunity {
    pub industry: IndustryCode,
    pub rca: f64,
    pub density: Option<f64>,
    /// Density over the largest density among the classes the region lacks.
    pub relatedness: Option<f64>,
    pub pci: Option<f64>,
    pub cog: Option<f64>,
    /// The region's present classes closest to it, with their proximity.
    pub related: Vec<(IndustryCode, f64)>,
}

/// A class where the region is present.
#[derive(Clone, Debug, PartialEq)]
pub struct IndustryLongBoard {
    pub industry: IndustryCode,
    pub rca: f64,
    /// The region's value in it (output in yuan, enterprises, or employees).
    pub value: f64,
    pub pci: Option<f64>,
}

/// New and long boards by national industry class (GB/T 4754-2017).
#[derive(Clone, Debug, PartialEq)]
pub struct IndustryBoards {
    pub region: RegionCode,
    pub level: Level,
    pub measure: Measure,
    /// Digits the classes are cut to: 2 (division), 3 (group) or 4 (class).
    pub digits: u8,
    pub eci: Option<f64>,
    pub eci_rank: Option<(usize, usize)>,
    /// Most related first.
    pub new_boards: Vec<IndustryOpportunity>,
    /// Highest RCA first.
    pub long_boards: Vec<IndustryLongBoard>,
    /// Enterprises compared that have an industry code, and all enterprises compared.
    pub coded: (usize, usize),
    pub notes: Vec<Note>,
}

/// The region × industry-class table: each enterprise with an industry code counts in its
/// class (cut to `digits`) with its output in all its nodes, as one enterprise, or with its
/// employees; enterprises without a code are left out.
pub fn industry_table(
    graph: &Graph,
    level: Level,
    measure: Measure,
    peers: Option<&[RegionCode]>,
    digits: u8,
) -> (Table, (usize, usize)) {
    let (sums, coded) = industry_sums(graph, level, measure, peers, digits);
    (table_of(&sums), coded)
}

type IndustrySums = HashMap<(RegionCode, IndustryCode), f64>;

fn table_of(sums: &IndustrySums) -> Table {
    let mut cells: Vec<_> = sums.iter().map(|(k, v)| (*k, *v)).collect();
    cells.sort_by_key(|((r, i), _)| (r.value(), *i));
    let mut table = Table::new();
    for ((region, industry), value) in cells {
        table
            .add(&region.value().to_string(), &industry.to_string(), value)
            .expect("one cell per region and class");
    }
    table
}

fn industry_sums(
    graph: &Graph,
    level: Level,
    measure: Measure,
    peers: Option<&[RegionCode]>,
    digits: u8,
) -> (IndustrySums, (usize, usize)) {
    let mut sums: HashMap<(RegionCode, IndustryCode), f64> = HashMap::new();
    let (mut coded, mut all) = (0, 0);
    for e in 0..graph.enterprise_count() as u32 {
        let region = level.of(graph.region(e));
        if peers.is_some_and(|p| !p.contains(&region)) {
            continue;
        }
        all += 1;
        let profile = graph.profile(e);
        let Some(industry) = profile.industry else {
            continue;
        };
        coded += 1;
        let value = match measure {
            Measure::Output => {
                graph
                    .enterprise_units(e)
                    .map(|u| graph.unit_output(u as u32))
                    .sum::<i64>() as f64
                    / 100.0
            }
            Measure::Enterprises => 1.0,
            Measure::Employees => profile.employees as f64,
        };
        *sums
            .entry((region, industry.truncated(digits)))
            .or_default() += value;
    }
    (sums, (coded, all))
}

/// The new and long boards of `region` by industry class among the regions of `level`.
pub fn industry_boards(
    graph: &Graph,
    region: RegionCode,
    level: Level,
    measure: Measure,
    peers: Option<&[RegionCode]>,
    digits: u8,
) -> Result<IndustryBoards, OpportunityError> {
    let (sums, coded) = industry_sums(graph, level, measure, peers, digits);
    let result =
        compute(&table_of(&sums), &Options::default()).map_err(|_| OpportunityError::Empty)?;
    let region = level.of(region);
    let c = result
        .locations
        .iter()
        .position(|l| *l == region.value().to_string())
        .ok_or(OpportunityError::NoActivity(region))?;
    let class: Vec<IndustryCode> = result
        .products
        .iter()
        .map(|p| p.parse().expect("codes written by industry_table"))
        .collect();
    let n_p = class.len();
    let indices = result.indices.as_ref();
    let present = |p: usize| result.present[result.at(c, p)];
    let lacking: Vec<usize> = (0..n_p).filter(|&p| !present(p)).collect();
    let related_to = relatedness(&result, c, &lacking);
    let mut new_boards: Vec<IndustryOpportunity> = lacking
        .iter()
        .map(|&p| {
            let at = result.at(c, p);
            let (density, relatedness) = related_to(p);
            let related = closest_present(&result, c, p, |q| class[q]);
            IndustryOpportunity {
                industry: class[p],
                rca: result.rca[at],
                density,
                relatedness,
                pci: indices.map(|i| i.pci[p]),
                cog: indices.map(|i| i.cog[at]),
                related,
            }
        })
        .collect();
    new_boards.sort_by(|a, b| {
        b.relatedness
            .unwrap_or(0.0)
            .total_cmp(&a.relatedness.unwrap_or(0.0))
            .then(b.pci.unwrap_or(0.0).total_cmp(&a.pci.unwrap_or(0.0)))
            .then(a.industry.cmp(&b.industry))
    });
    let mut long_boards: Vec<IndustryLongBoard> = (0..n_p)
        .filter(|&p| present(p))
        .map(|p| {
            let at = result.at(c, p);
            IndustryLongBoard {
                industry: class[p],
                rca: result.rca[at],
                value: sums.get(&(region, class[p])).copied().unwrap_or(0.0),
                pci: indices.map(|i| i.pci[p]),
            }
        })
        .collect();
    long_boards.sort_by(|a, b| b.rca.total_cmp(&a.rca).then(a.industry.cmp(&b.industry)));
    Ok(IndustryBoards {
        region,
        level,
        measure,
        digits,
        eci: indices.map(|i| i.eci[c]),
        eci_rank: eci_rank(&result, c),
        new_boards,
        long_boards,
        coded,
        notes: result.notes.clone(),
    })
}
