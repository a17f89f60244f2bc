//! Local supporting rate (本地配套率): the value-weighted share of a buyer's inputs bought
//! from suppliers in its own city and its own province.

use chainatlas_model::{ChainId, EnterpriseId, Money, NodeId, RegionCode, Tag};

use crate::Graph;

/// Purchases and how much of them stayed local.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Purchases {
    pub total: Money,
    pub same_city: Money,
    pub same_province: Money,
}

impl Purchases {
    /// Share bought in the buyer's own city, 0..=1 (`None` with no purchases).
    pub fn city_rate(&self) -> Option<f64> {
        rate(self.same_city, self.total)
    }
    /// Share bought in the buyer's own province (its city included).
    pub fn province_rate(&self) -> Option<f64> {
        rate(self.same_province, self.total)
    }

    fn add(&mut self, value: i64, same_city: bool, same_province: bool) {
        self.total = Money::from_fen(self.total.fen() + value);
        if same_city {
            self.same_city = Money::from_fen(self.same_city.fen() + value);
        }
        if same_province {
            self.same_province = Money::from_fen(self.same_province.fen() + value);
        }
    }
}

fn rate(part: Money, total: Money) -> Option<f64> {
    (total.fen() > 0).then(|| part.fen() as f64 / total.fen() as f64)
}

/// One buyer's supporting rate, overall and per input node.
#[derive(Clone, Debug, PartialEq)]
pub struct BuyerSupport {
    pub enterprise: EnterpriseId,
    /// The buyer's output in the chain.
    pub output: Money,
    pub overall: Purchases,
    pub by_node: Vec<(NodeId, Purchases)>,
}

/// Supporting rates of a chain in a region.
#[derive(Clone, Debug, PartialEq)]
pub struct Supporting {
    /// Every local buyer in the chain taken together.
    pub overall: Purchases,
    pub by_node: Vec<(NodeId, Purchases)>,
    /// The region's chain masters, largest output first.
    pub chain_masters: Vec<BuyerSupport>,
}

/// Supporting rates of the buyers of `region` in `chain`: each compares the supplier's
/// location with the buyer's own (not with `region`), so a city's rate in a province
/// view still means "bought in the buyer's city".
pub fn supporting(graph: &Graph, chain: ChainId, region: RegionCode) -> Supporting {
    let nodes = graph.chain_nodes(chain);
    let mut overall = Purchases::default();
    let mut by_node = vec![Purchases::default(); nodes.len()];
    let mut chain_masters = Vec::new();
    for buyer in local_enterprises(graph, &nodes, region) {
        let buyer_region = graph.region(buyer);
        let mut mine = Purchases::default();
        let mut mine_by_node = vec![Purchases::default(); nodes.len()];
        for slot in graph.enterprise_slots(buyer) {
            let Some(at) = nodes.iter().position(|&n| n == graph.slot_node[slot]) else {
                continue;
            };
            for relation in graph.slot_relations(slot as u32) {
                let supplier_region = graph.region(graph.relation_supplier(relation as u32));
                let same_city = supplier_region.city().is_some()
                    && supplier_region.city() == buyer_region.city();
                let same_province = supplier_region.province() == buyer_region.province();
                let value = graph.rel_value[relation];
                mine.add(value, same_city, same_province);
                mine_by_node[at].add(value, same_city, same_province);
            }
        }
        merge(&mut overall, &mine);
        for (total, part) in by_node.iter_mut().zip(&mine_by_node) {
            merge(total, part);
        }
        if graph.profile(buyer).tags.contains(Tag::ChainMaster) {
            chain_masters.push(BuyerSupport {
                enterprise: graph.profile(buyer).id,
                output: Money::from_fen(chain_output(graph, buyer, &nodes)),
                overall: mine,
                by_node: node_list(graph, &nodes, mine_by_node),
            });
        }
    }
    chain_masters.sort_by(|a, b| {
        b.output
            .cmp(&a.output)
            .then(a.enterprise.0.cmp(&b.enterprise.0))
    });
    Supporting {
        overall,
        by_node: node_list(graph, &nodes, by_node),
        chain_masters,
    }
}

fn merge(into: &mut Purchases, part: &Purchases) {
    into.total = Money::from_fen(into.total.fen() + part.total.fen());
    into.same_city = Money::from_fen(into.same_city.fen() + part.same_city.fen());
    into.same_province = Money::from_fen(into.same_province.fen() + part.same_province.fen());
}

fn node_list(graph: &Graph, nodes: &[u32], purchases: Vec<Purchases>) -> Vec<(NodeId, Purchases)> {
    nodes
        .iter()
        .zip(purchases)
        .filter(|(_, p)| p.total.fen() > 0)
        .map(|(&n, p)| (graph.node_id(n), p))
        .collect()
}

/// Enterprises of `region` producing in any of `nodes`, ascending.
pub(crate) fn local_enterprises(graph: &Graph, nodes: &[u32], region: RegionCode) -> Vec<u32> {
    let mut found: Vec<u32> = nodes
        .iter()
        .flat_map(|&n| graph.node_units(n))
        .map(|&u| graph.unit_enterprise(u))
        .filter(|&e| region.contains(graph.region(e)))
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}

/// An enterprise's output in `nodes`.
pub(crate) fn chain_output(graph: &Graph, enterprise: u32, nodes: &[u32]) -> i64 {
    graph
        .enterprise_units(enterprise)
        .filter(|&u| nodes.contains(&graph.unit_node(u as u32)))
        .map(|u| graph.unit_output(u as u32))
        .sum()
}
