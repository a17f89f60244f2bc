//! Hand-checked graphs and invariants. The expected numbers in comments are worked out
//! by hand from the model in each module's documentation.

use chainatlas_model::{
    ChainId, EnterpriseId, EnterpriseSize, Money, NodeId, RegionCode, Segment, Tag, Tags,
};
use proptest::prelude::*;

use crate::*;

const ZHUZHOU: u32 = 430200;
const CHANGSHA: u32 = 430100;
const HUNAN: u32 = 430000;
const SHANGHAI: u32 = 310100;
const CHAIN: ChainId = ChainId(1);
const ORE: NodeId = NodeId(1);
const POWDER: NodeId = NodeId(2);
const TOOL: NodeId = NodeId(3);
const COATING: NodeId = NodeId(4);

fn region(code: u32) -> RegionCode {
    RegionCode::new(code).unwrap()
}

fn e(id: i64) -> EnterpriseId {
    EnterpriseId(id)
}

/// ore → powder → tool ← coating.
///
/// | id | region | node | output | capacity |
/// |---|---|---|---|---|
/// | 1 | Zhuzhou | ore | 100 | 150 |
/// | 2 | Shanghai | ore | 100 | 300 |
/// | 3 | Zhuzhou | powder | 200 | 200 |
/// | 4 | Zhuzhou | tool (chain master) | 1000 | 1000 |
/// | 5 | Changsha | tool | 500 | 600 |
/// | 6 | Shanghai | coating | 300 | 400 |
///
/// Relations: 1→3 ore 30, 2→3 ore 90, 3→4 powder 100, 3→5 powder 40, 6→5 coating 50.
fn tools() -> Graph {
    let mut b = GraphBuilder::new();
    b.node(ORE, CHAIN, Segment::Upstream);
    b.node(POWDER, CHAIN, Segment::Midstream);
    b.node(TOOL, CHAIN, Segment::Downstream);
    b.node(COATING, CHAIN, Segment::Upstream);
    b.input(ORE, POWDER).unwrap();
    b.input(POWDER, TOOL).unwrap();
    b.input(COATING, TOOL).unwrap();
    let firms = [
        (1, ZHUZHOU, ORE, 100, 150, Tags::EMPTY),
        (2, SHANGHAI, ORE, 100, 300, Tags::EMPTY),
        (
            3,
            ZHUZHOU,
            POWDER,
            200,
            200,
            Tags::EMPTY.with(Tag::HighTech),
        ),
        (
            4,
            ZHUZHOU,
            TOOL,
            1000,
            1000,
            Tags::EMPTY.with(Tag::ChainMaster),
        ),
        (5, CHANGSHA, TOOL, 500, 600, Tags::EMPTY),
        (
            6,
            SHANGHAI,
            COATING,
            300,
            400,
            Tags::EMPTY.with(Tag::Listed),
        ),
    ];
    for &(id, code, _, _, _, tags) in &firms {
        b.enterprise(Profile {
            id: e(id),
            region: region(code),
            size: EnterpriseSize::Medium,
            tags,
            employees: 100,
            industry: None,
        })
        .unwrap();
    }
    for &(id, _, node, output, capacity, _) in &firms {
        b.unit(e(id), node, output, capacity).unwrap();
    }
    for (s, buyer, node, value) in [
        (1, 3, ORE, 30),
        (2, 3, ORE, 90),
        (3, 4, POWDER, 100),
        (3, 5, POWDER, 40),
        (6, 5, COATING, 50),
    ] {
        b.relation(e(s), e(buyer), node, value).unwrap();
    }
    b.build()
}

fn shock_of(enterprises: &[i64], regions: &[u32], nodes: &[NodeId], fraction: f64) -> Shock {
    Shock {
        enterprises: enterprises.iter().map(|&id| e(id)).collect(),
        regions: regions.iter().map(|&c| region(c)).collect(),
        nodes: nodes.to_vec(),
        fraction,
    }
}

#[test]
fn builder_rejects_unknown_references() {
    let mut b = GraphBuilder::new();
    b.node(ORE, CHAIN, Segment::Upstream);
    assert_eq!(b.input(ORE, POWDER), Err(GraphError::UnknownNode(2)));
    assert_eq!(
        b.unit(e(9), ORE, 1, 1),
        Err(GraphError::UnknownEnterprise(9))
    );
    let profile = Profile {
        id: e(5),
        region: region(ZHUZHOU),
        size: EnterpriseSize::Small,
        tags: Tags::EMPTY,
        employees: 100,
        industry: None,
    };
    b.enterprise(profile).unwrap();
    assert_eq!(b.enterprise(profile), Err(GraphError::EnterpriseOrder(5)));
}

#[test]
fn a_supplier_without_a_unit_gets_an_implied_one() {
    let mut b = GraphBuilder::new();
    b.node(ORE, CHAIN, Segment::Upstream);
    b.node(POWDER, CHAIN, Segment::Midstream);
    b.input(ORE, POWDER).unwrap();
    for id in [1, 2] {
        b.enterprise(Profile {
            id: e(id),
            region: region(ZHUZHOU),
            size: EnterpriseSize::Small,
            tags: Tags::EMPTY,
            employees: 100,
            industry: None,
        })
        .unwrap();
    }
    b.unit(e(2), POWDER, 100, 100).unwrap();
    b.relation(e(1), e(2), ORE, 10).unwrap();
    let g = b.build();
    assert_eq!(g.unit_count(), 2);
    let impact = disrupt(&g, CHAIN, &shock_of(&[1], &[], &[], 1.0), 10);
    assert_eq!(
        impact.total_loss,
        Money::from_fen(100),
        "the implied unit carries the shock"
    );
}

#[test]
fn coverage_statuses_location_quotients_and_short_boards() {
    let g = tools();
    // Zhuzhou: 1300 of the 2200 total. Ore (100/1300)/(200/2200) = 0.846, powder 1.692,
    // tool (1000/1300)/(1500/2200) = 1.128, coating missing.
    let c = coverage(&g, CHAIN, region(ZHUZHOU), Thresholds::default());
    let status = |n| c.node(n).unwrap().status;
    assert_eq!(status(ORE), NodeStatus::Present);
    assert_eq!(status(POWDER), NodeStatus::Strong);
    assert_eq!(status(TOOL), NodeStatus::Present);
    assert_eq!(status(COATING), NodeStatus::Missing);
    let ore = c.node(ORE).unwrap();
    assert!((ore.location_quotient.unwrap() - (100.0 / 1300.0) / (200.0 / 2200.0)).abs() < 1e-12);
    assert!((ore.share - 0.5).abs() < 1e-12);
    assert_eq!(ore.downstream_output, Money::from_fen(1200));
    assert_eq!(c.short_boards, vec![COATING]);
    assert_eq!(
        c.node(COATING).unwrap().downstream_output,
        Money::from_fen(1000)
    );
    assert_eq!(c.output, Money::from_fen(1300));

    // Changsha makes only tools: (500/500)/(1500/2200) = 1.467, just under strong.
    let c = coverage(&g, CHAIN, region(CHANGSHA), Thresholds::default());
    assert_eq!(c.node(TOOL).unwrap().status, NodeStatus::Present);
    assert_eq!(c.short_boards, vec![ORE, POWDER, COATING]);
    // Thresholds are configurable: with strong from 1.4, Changsha's tools are strong,
    // and with weak below 0.9, Zhuzhou's ore becomes a weak short board.
    let c = coverage(
        &g,
        CHAIN,
        region(CHANGSHA),
        Thresholds {
            weak_below: 0.5,
            strong_from: 1.4,
        },
    );
    assert_eq!(c.node(TOOL).unwrap().status, NodeStatus::Strong);
    let c = coverage(
        &g,
        CHAIN,
        region(ZHUZHOU),
        Thresholds {
            weak_below: 0.9,
            strong_from: 1.5,
        },
    );
    assert_eq!(c.node(ORE).unwrap().status, NodeStatus::Weak);
    assert_eq!(
        c.short_boards,
        vec![ORE, COATING],
        "ore feeds 1200 of local output, coating 1000"
    );
}

#[test]
fn supporting_rates_compare_suppliers_with_each_buyer() {
    let g = tools();
    let s = supporting(&g, CHAIN, region(ZHUZHOU));
    // Buyers 3 (ore: 30 local, 90 Shanghai) and 4 (powder: 100 local).
    assert_eq!(s.overall.total, Money::from_fen(220));
    assert_eq!(s.overall.same_city, Money::from_fen(130));
    assert_eq!(s.overall.same_province, Money::from_fen(130));
    assert_eq!(s.chain_masters.len(), 1);
    assert_eq!(s.chain_masters[0].enterprise, e(4));
    assert_eq!(s.chain_masters[0].overall.city_rate(), Some(1.0));

    // Hunan adds buyer 5 in Changsha: powder 40 from Zhuzhou (same province, other
    // city) and coating 50 from Shanghai.
    let s = supporting(&g, CHAIN, region(HUNAN));
    assert_eq!(s.overall.total, Money::from_fen(310));
    assert_eq!(s.overall.same_city, Money::from_fen(130));
    assert_eq!(s.overall.same_province, Money::from_fen(170));
    let powder = s.by_node.iter().find(|(n, _)| *n == POWDER).unwrap().1;
    assert_eq!(
        (
            powder.total.fen(),
            powder.same_city.fen(),
            powder.same_province.fen()
        ),
        (140, 100, 140)
    );
    assert!((s.overall.province_rate().unwrap() - 170.0 / 310.0).abs() < 1e-12);
}

#[test]
fn dependencies_find_concentration_single_sources_and_outside_reliance() {
    let g = tools();
    let d = dependencies(&g, CHAIN, region(HUNAN), 10);
    let node = |n| d.nodes.iter().find(|r| r.node == n).unwrap();
    let ore = node(ORE);
    assert_eq!((ore.buyers, ore.suppliers, ore.single_sourced), (1, 2, 0));
    assert!((ore.hhi - 6250.0).abs() < 1e-9, "0.25² + 0.75²");
    assert!((ore.outside_share - 0.75).abs() < 1e-12);
    let powder = node(POWDER);
    assert_eq!(
        (powder.buyers, powder.suppliers, powder.single_sourced),
        (2, 1, 2)
    );
    assert!((powder.hhi - 10_000.0).abs() < 1e-9);
    assert_eq!(node(COATING).outside_share, 1.0);
    // Single sources, by output at risk: 4's powder (1000), then 5's powder and coating.
    let single: Vec<(i64, NodeId)> = d
        .single_sources
        .iter()
        .map(|s| (s.buyer.0, s.node))
        .collect();
    assert_eq!(single, vec![(4, POWDER), (5, POWDER), (5, COATING)]);
    assert_eq!(d.single_sources[0].output_at_risk, Money::from_fen(1000));
    assert_eq!(d.single_sources[0].main_supplier, e(3));
    assert_eq!(d.single_source_count, 3);
    // Buyer 3 has two ore suppliers but an HHI of 6250.
    assert_eq!(d.concentrated.len(), 1);
    assert_eq!(
        (d.concentrated[0].buyer, d.concentrated[0].main_supplier),
        (e(3), e(2))
    );
    assert!((d.concentrated[0].main_share - 0.75).abs() < 1e-12);
    // The limit keeps the counts whole.
    let d = dependencies(&g, CHAIN, region(HUNAN), 1);
    assert_eq!((d.single_sources.len(), d.single_source_count), (1, 3));
}

#[test]
fn disruption_of_one_supplier_travels_two_tiers() {
    let g = tools();
    // Enterprise 2 supplies 90 of 120 of 3's ore: 3 keeps 0.25, and so do 4 and 5,
    // whose powder comes from 3 alone.
    let i = disrupt(&g, CHAIN, &shock_of(&[2], &[], &[], 1.0), 10);
    assert_eq!(i.direct_loss, Money::from_fen(100));
    assert_eq!(i.total_loss, Money::from_fen(100 + 150 + 750 + 375));
    assert_eq!(
        (i.hit_enterprises, i.affected_enterprises, i.tiers),
        (1, 4, 2)
    );
    let tiers: Vec<(u16, u32, i64)> = i
        .by_tier
        .iter()
        .map(|t| (t.tier, t.enterprises, t.loss.fen()))
        .collect();
    assert_eq!(tiers, vec![(0, 1, 100), (1, 1, 150), (2, 2, 1125)]);
    assert_eq!(i.enterprises[0].enterprise, e(4));
    assert!((i.enterprises[0].loss_share - 0.75).abs() < 1e-12);
    let by_region: Vec<(u32, i64)> = i
        .by_region
        .iter()
        .map(|r| (r.region.value(), r.loss.fen()))
        .collect();
    assert_eq!(
        by_region,
        vec![(ZHUZHOU, 900), (CHANGSHA, 375), (SHANGHAI, 100)]
    );
    // Ore: 90 lost at 3 in Zhuzhou; enterprise 1 there has 50 spare. Powder: 105 lost,
    // and its only maker is damaged.
    let ore = i.lost_inputs.iter().find(|l| l.node == ORE).unwrap();
    assert_eq!(
        (ore.lost_value.fen(), ore.buyers, ore.main_region.value()),
        (90, 1, ZHUZHOU)
    );
    assert_eq!(ore.alternatives.len(), 1);
    assert_eq!(
        (ore.alternatives[0].enterprise, ore.alternatives[0].locality),
        (e(1), Locality::SameCity)
    );
    assert!((ore.restorable() - 50.0 / 90.0).abs() < 1e-12);
    let powder = i.lost_inputs.iter().find(|l| l.node == POWDER).unwrap();
    assert_eq!(powder.lost_value.fen(), 105);
    assert!(powder.alternatives.is_empty());
    assert_eq!(powder.restorable(), 0.0);
}

#[test]
fn a_partial_region_shock_is_limited_by_the_most_damaged_input() {
    let g = tools();
    // Half of Zhuzhou's capacity: 1, 3 and 4 keep 0.5. 3 still gets 0.875 of its ore,
    // so stays at 0.5; 5 gets half its powder and drops to 0.5.
    let i = disrupt(&g, CHAIN, &shock_of(&[], &[ZHUZHOU], &[], 0.5), 10);
    assert_eq!(i.hit_units, 3);
    assert_eq!(i.direct_loss, Money::from_fen(650));
    assert_eq!(i.total_loss, Money::from_fen(900));
    assert_eq!(i.tiers, 1);
    // Selectors of different kinds narrow each other: Zhuzhou's powder only.
    let i = disrupt(&g, CHAIN, &shock_of(&[], &[ZHUZHOU], &[POWDER], 1.0), 10);
    assert_eq!(i.hit_units, 1);
    assert_eq!(i.total_loss, Money::from_fen(200 + 1000 + 500));
    // A node shock outside the chain's nodes hits nothing.
    let i = disrupt(&g, ChainId(2), &shock_of(&[], &[ZHUZHOU], &[], 1.0), 10);
    assert_eq!((i.hit_units, i.total_loss), (0, Money::ZERO));
}

#[test]
fn chokepoints_rank_by_downstream_loss() {
    let g = tools();
    // 3 fails: 4 and 5 stop (1500). 2: 150 + 750 + 375. 6: 5 loses its coating (500).
    // 1: 3 keeps 0.75, and so do 4 and 5: 50 + 250 + 125.
    let r = enterprise_chokepoints(&g, CHAIN, None, 4, 1);
    let ranked: Vec<(i64, i64)> = r
        .items
        .iter()
        .map(|c| (c.enterprise.0, c.downstream_loss.fen()))
        .collect();
    assert_eq!(ranked, vec![(3, 1500), (2, 1275), (6, 500), (1, 425)]);
    assert_eq!(r.candidates, 6);
    assert!(r.simulated <= 6);
    assert_eq!(r.items[0].own_output, Money::from_fen(200));
    assert_eq!(r.items[0].affected_enterprises, 3);
    // Within Zhuzhou only.
    let r = enterprise_chokepoints(&g, CHAIN, Some(region(ZHUZHOU)), 2, 2);
    let ranked: Vec<i64> = r.items.iter().map(|c| c.enterprise.0).collect();
    assert_eq!(ranked, vec![3, 1]);

    let nodes = node_chokepoints(&g, CHAIN, None, 2);
    let ranked: Vec<(NodeId, i64)> = nodes
        .iter()
        .map(|n| (n.node, n.downstream_loss.fen()))
        .collect();
    assert_eq!(
        ranked,
        vec![(ORE, 1700), (POWDER, 1500), (COATING, 500), (TOOL, 0)]
    );
}

#[test]
fn attraction_targets_fill_short_boards_with_reasons() {
    let g = tools();
    let c = coverage(&g, CHAIN, region(HUNAN), Thresholds::default());
    assert_eq!(c.short_boards, vec![COATING]);
    let targets = attraction_targets(&g, &c, 5);
    assert_eq!(targets.len(), 1);
    let coating = &targets[0];
    assert_eq!(
        (coating.node, coating.status, coating.candidates),
        (COATING, NodeStatus::Missing, 1)
    );
    let t = &coating.targets[0];
    assert_eq!(t.enterprise, e(6));
    assert_eq!(
        (t.supplies_region.fen(), t.buyers_in_region, t.spare.fen()),
        (50, 1, 100)
    );
    assert_eq!(
        t.reasons,
        vec![
            Reason::Produces(Money::from_fen(300)),
            Reason::SuppliesRegion {
                value: Money::from_fen(50),
                buyers: 1
            },
            Reason::SpareCapacity(Money::from_fen(100)),
            Reason::Size(EnterpriseSize::Medium),
            Reason::Tag(Tag::Listed),
        ]
    );
    // The only candidate is at the top of every scaled term: 40 + 30 + 10 + 20·(0.28 + 0.2).
    assert!((t.score - (80.0 + 20.0 * 0.48)).abs() < 1e-9);
}

/// A random graph: up to 5 nodes with random input links (loops allowed), up to 14
/// enterprises in 3 cities with one or two units, and random relations between
/// producers of a node and producers of a node it feeds (or anyone, sometimes).
fn arbitrary_graph() -> impl Strategy<Value = Graph> {
    (2usize..=5, 2usize..=14).prop_flat_map(|(nodes, firms)| {
        (
            proptest::collection::vec((0..nodes, 0..nodes), 1..8),
            proptest::collection::vec(
                (
                    0..3usize,
                    0..nodes,
                    proptest::option::of(0..nodes),
                    0i64..1000,
                    0i64..500,
                ),
                firms,
            ),
            proptest::collection::vec((0..firms, 0..firms, 0..nodes, 1i64..200), 0..40),
        )
            .prop_map(move |(links, firms, relations)| {
                let cities = [ZHUZHOU, CHANGSHA, SHANGHAI];
                let mut b = GraphBuilder::new();
                for n in 0..nodes {
                    b.node(NodeId(n as i64 + 1), CHAIN, Segment::Midstream);
                }
                for (i, o) in links {
                    b.input(NodeId(i as i64 + 1), NodeId(o as i64 + 1)).unwrap();
                }
                for (i, &(city, ..)) in firms.iter().enumerate() {
                    b.enterprise(Profile {
                        id: e(i as i64 + 1),
                        region: region(cities[city]),
                        size: EnterpriseSize::Small,
                        tags: Tags::EMPTY,
                        employees: 100,
                        industry: None,
                    })
                    .unwrap();
                }
                for (i, &(_, node, second, output, spare)) in firms.iter().enumerate() {
                    b.unit(
                        e(i as i64 + 1),
                        NodeId(node as i64 + 1),
                        output,
                        output + spare,
                    )
                    .unwrap();
                    if let Some(n) = second.filter(|&n| n != node) {
                        b.unit(
                            e(i as i64 + 1),
                            NodeId(n as i64 + 1),
                            output / 2,
                            output / 2,
                        )
                        .unwrap();
                    }
                }
                for (s, buyer, node, value) in relations {
                    if s != buyer {
                        b.relation(
                            e(s as i64 + 1),
                            e(buyer as i64 + 1),
                            NodeId(node as i64 + 1),
                            value,
                        )
                        .unwrap();
                    }
                }
                b.build()
            })
    })
}

fn total_output(g: &Graph) -> i64 {
    (0..g.unit_count() as u32).map(|u| g.unit_output(u)).sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn removing_nothing_loses_nothing(g in arbitrary_graph()) {
        let i = disrupt(&g, CHAIN, &Shock { fraction: 1.0, ..Shock::default() }, 10);
        prop_assert_eq!(i.total_loss, Money::ZERO);
        prop_assert_eq!(i.affected_enterprises, 0);
        let i = disrupt(&g, CHAIN, &shock_of(&[1, 2], &[], &[], 0.0), 10);
        prop_assert_eq!(i.total_loss, Money::ZERO);
    }

    #[test]
    fn removing_more_never_loses_less(
        g in arbitrary_graph(),
        picks in proptest::collection::vec(1i64..=14, 1..5),
        extra in 1i64..=14,
        f in 0.05f64..1.0,
        g_more in 0.0f64..1.0,
    ) {
        let mut sim = Simulator::new(&g);
        let base = crate::disrupt::impact(&g, CHAIN, &shock_of(&picks, &[], &[], f), 10, &mut sim);
        let mut more = picks.clone();
        more.push(extra);
        let wider = crate::disrupt::impact(&g, CHAIN, &shock_of(&more, &[], &[], f), 10, &mut sim);
        let deeper_fraction = f + (1.0 - f) * g_more;
        let deeper = crate::disrupt::impact(&g, CHAIN, &shock_of(&picks, &[], &[], deeper_fraction), 10, &mut sim);
        prop_assert!(wider.total_loss.fen() + 1 >= base.total_loss.fen());
        prop_assert!(deeper.total_loss.fen() + 1 >= base.total_loss.fen());
    }

    #[test]
    fn output_never_goes_negative_and_loss_is_bounded(
        g in arbitrary_graph(),
        picks in proptest::collection::vec(1i64..=14, 0..5),
        cities in proptest::collection::vec(prop_oneof![Just(ZHUZHOU), Just(HUNAN), Just(SHANGHAI)], 0..2),
        f in 0.0f64..=1.0,
    ) {
        let mut sim = Simulator::new(&g);
        let shock = shock_of(&picks, &cities, &[], f);
        let hit = shock.units(&g, CHAIN);
        sim.run(&hit, 1.0 - f);
        for &u in sim.touched() {
            prop_assert!((0.0..=1.0).contains(&sim.health(u)));
        }
        let loss = sim.loss();
        prop_assert!(loss >= 0.0 && loss <= total_output(&g) as f64 + 1e-6);
        // Hit units keep no more than 1 - f.
        for &u in &hit {
            prop_assert!(sim.health(u) <= 1.0 - f + 1e-12);
        }
        // A reset simulator is as good as new.
        sim.reset();
        sim.run(&hit, 1.0 - f);
        prop_assert!((sim.loss() - loss).abs() < 1e-6);
    }

    #[test]
    fn tiers_are_breadth_first_distances_over_the_touched_units(
        g in arbitrary_graph(),
        picks in proptest::collection::vec(1i64..=14, 1..5),
        f in prop_oneof![Just(1.0), 0.0f64..=1.0, Just(1e-12)],
    ) {
        let mut sim = Simulator::new(&g);
        let hit = shock_of(&picks, &[], &[], f).units(&g, CHAIN);
        for _ in 0..2 {
            sim.reset();
            sim.run(&hit, 1.0 - f);
            // Breadth-first from the hit units, over every sale between touched units.
            let touched: std::collections::HashSet<u32> = sim.touched().iter().copied().collect();
            let mut want: std::collections::HashMap<u32, u16> = std::collections::HashMap::new();
            let mut frontier: Vec<u32> = sim.touched().iter().copied().filter(|u| hit.contains(u)).collect();
            for &u in &frontier {
                want.insert(u, 0);
            }
            let mut tier = 0;
            while !frontier.is_empty() {
                tier += 1;
                let mut next = Vec::new();
                for &u in &frontier {
                    for sale in g.sales(u) {
                        for &v in g.slot_units(sale.slot) {
                            if touched.contains(&v) && !want.contains_key(&v) {
                                want.insert(v, tier);
                                next.push(v);
                            }
                        }
                    }
                }
                frontier = next;
            }
            for &u in sim.touched() {
                prop_assert_eq!(Some(&sim.tier(u)), want.get(&u), "unit {}", u);
            }
        }
    }

    #[test]
    fn chokepoint_ranking_equals_the_naive_ranking(g in arbitrary_graph(), top in 1usize..6, threads in 1usize..3) {
        let ranking = enterprise_chokepoints(&g, CHAIN, None, top, threads);
        // Naive: simulate every candidate.
        let mut sim = Simulator::new(&g);
        let mut naive: Vec<(f64, i64)> = Vec::new();
        let bounds = Some(crate::chokepoint::unit_bounds(&g).0);
        for enterprise in 0..g.enterprise_count() as u32 {
            let units: Vec<u32> = g.enterprise_units(enterprise).map(|u| u as u32).collect();
            if units.is_empty() {
                continue;
            }
            sim.reset();
            sim.run(&units, 0.0);
            let own: f64 = units.iter().map(|&u| sim.unit_loss(u)).sum();
            let downstream = (sim.loss() - own).max(0.0);
            if let Some(bounds) = &bounds {
                let bound: f64 = units.iter().map(|&u| bounds[u as usize] - g.unit_output(u) as f64).sum();
                prop_assert!(downstream <= bound * (1.0 + 1e-9) + 1e-6, "bound {} below loss {}", bound, downstream);
            }
            naive.push((downstream, g.profile(enterprise).id.0));
        }
        naive.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        naive.truncate(top);
        let got: Vec<i64> = ranking.items.iter().map(|c| c.downstream_loss.fen()).collect();
        let want: Vec<i64> = naive.iter().map(|n| n.0.round() as i64).collect();
        prop_assert_eq!(got, want);
    }
}

/// Changsha (one tool maker) among the three cities of [`tools`]: presences Zhuzhou
/// {powder, tool}, Changsha {tool}, Shanghai {ore, coating}; proximity powder–tool 0.5
/// (one co-occurrence over ubiquity 2), ore–coating 1.
///
/// | node | relatedness | readiness | pull | feasibility |
/// |---|---|---|---|---|
/// | powder | density 1 (its only neighbour, tool, is held) → 1 | input ore, not local → 0 | sells to tool, local → 1 | (0.5 + 0 + 0.25) / 1 = 0.75 |
/// | coating | 0 | no input: undefined | sells to tool → 1 | 0.25 / 0.75 = 1/3 |
/// | ore | 0 | undefined | sells to powder, not local → 0 | 0 |
#[test]
fn new_boards_rank_what_a_region_lacks_by_relatedness_inputs_and_buyers() {
    let g = tools();
    let o = opportunities(&g, region(CHANGSHA), Level::City, Measure::Output, None).unwrap();
    let idx = |n: NodeId| g.node_idx(n).unwrap();
    let order: Vec<u32> = o.new_boards.iter().map(|b| b.node).collect();
    assert_eq!(order, [idx(POWDER), idx(COATING), idx(ORE)]);
    let powder = &o.new_boards[0];
    assert!((powder.feasibility - 0.75).abs() < 1e-12, "{powder:?}");
    assert_eq!(powder.relatedness, Some(1.0));
    assert_eq!(powder.readiness, Some(0.0));
    assert_eq!(powder.pull, Some(1.0));
    assert_eq!(powder.related, [(idx(TOOL), 0.5)]);
    assert_eq!(powder.inputs_missing, [idx(ORE)]);
    assert!(powder.inputs_local.is_empty());
    assert_eq!(powder.buyers, [g.enterprise_idx(e(5)).unwrap()]);
    let coating = &o.new_boards[1];
    assert_eq!(coating.readiness, None);
    assert!(
        (coating.feasibility - 1.0 / 3.0).abs() < 1e-12,
        "{coating:?}"
    );
    assert_eq!(o.new_boards[2].feasibility, 0.0);
    // Tool is Changsha's long board: all its output, RCA (500/500) / (1500/2200).
    assert_eq!(o.long_boards.len(), 1);
    assert_eq!(o.long_boards[0].node, idx(TOOL));
    assert!((o.long_boards[0].rca - 2200.0 / 1500.0).abs() < 1e-12);
    // The cities split into two groups with nothing in common: no ECI, and a note why.
    assert_eq!(o.eci, None);
    assert!(!o.notes.is_empty());
}

#[test]
fn a_region_without_enterprises_has_no_opportunities_to_rank() {
    let g = tools();
    assert_eq!(
        opportunities(&g, region(110100), Level::City, Measure::Output, None),
        Err(OpportunityError::NoActivity(region(110100)))
    );
    // Among peers, only the peers count: Zhuzhou alone against Changsha.
    let peers = [region(ZHUZHOU), region(CHANGSHA)];
    let o = opportunities(
        &g,
        region(CHANGSHA),
        Level::City,
        Measure::Output,
        Some(&peers),
    )
    .unwrap();
    assert!(o
        .new_boards
        .iter()
        .all(|b| b.node != g.node_idx(COATING).unwrap()));
}

#[test]
fn node_flows_split_a_purchase_over_the_units_it_feeds() {
    let g = tools();
    let (z, x) = node_flows(&g);
    let n = g.node_count();
    let idx = |id: NodeId| g.node_idx(id).unwrap() as usize;
    // Powder bought by tool makers: 100 + 40 (fen in the test graph, yuan here).
    assert!((z[idx(POWDER) * n + idx(TOOL)] - 1.4).abs() < 1e-9, "{z:?}");
    assert!((z[idx(ORE) * n + idx(POWDER)] - 1.2).abs() < 1e-9);
    assert!((x[idx(TOOL)] - 15.0).abs() < 1e-9, "{x:?}");
}

#[test]
fn a_regions_own_flows_are_local_suppliers_to_local_buyers() {
    let g = tools();
    let (nodes, z, x) = regional_flows(&g, Level::City, region(ZHUZHOU));
    let idx = |id: NodeId| g.node_idx(id).unwrap();
    assert_eq!(nodes, [idx(ORE), idx(POWDER), idx(TOOL)]);
    // Ore from Zhuzhou's own mine (30), not Shanghai's (90); powder to Zhuzhou's tool
    // maker (100), not Changsha's (40).
    assert!((z[1] - 0.3).abs() < 1e-9, "{z:?}");
    assert!((z[3 + 2] - 1.0).abs() < 1e-9, "{z:?}");
    assert_eq!(z.iter().filter(|v| **v > 0.0).count(), 2);
    assert_eq!(x, [1.0, 2.0, 10.0]);
}

/// One firm's units: node → (output, capacity).
type Units = std::collections::BTreeMap<usize, (i64, i64)>;

/// An atlas as rows, the way the store holds it, for comparing a patched graph with one
/// built from scratch.
#[derive(Clone, Debug)]
struct Rows {
    /// Node n has id n + 1: its chain and segment, `None` once it is gone.
    nodes: Vec<Option<(ChainId, Segment)>>,
    links: Vec<(usize, usize)>,
    /// id → (city, units: node → (output, capacity)).
    firms: std::collections::BTreeMap<i64, (usize, Units)>,
    /// (supplier, buyer, node) → value.
    relations: std::collections::BTreeMap<(i64, i64, usize), i64>,
}

const CITIES: [u32; 3] = [ZHUZHOU, CHANGSHA, SHANGHAI];

impl Rows {
    /// A firm in Zhuzhou.
    fn firm(id: i64) -> Profile {
        Profile {
            id: e(id),
            region: region(ZHUZHOU),
            size: EnterpriseSize::Small,
            tags: Tags::EMPTY,
            employees: 100,
            industry: None,
        }
    }

    fn profile(&self, id: i64) -> Option<Profile> {
        self.firms.get(&id).map(|&(city, _)| Profile {
            id: e(id),
            region: region(CITIES[city]),
            size: EnterpriseSize::Small,
            tags: Tags::EMPTY,
            employees: 100,
            industry: None,
        })
    }

    fn graph(&self) -> Graph {
        let mut b = GraphBuilder::new();
        let structure = self.structure();
        for &(id, chain, segment) in &structure.nodes {
            b.node(id, chain, segment);
        }
        for &(input, output) in &structure.inputs {
            b.input(input, output).unwrap();
        }
        for &id in self.firms.keys() {
            b.enterprise(self.profile(id).unwrap()).unwrap();
        }
        for (&id, (_, units)) in &self.firms {
            for (&node, &(output, capacity)) in units {
                b.unit(e(id), NodeId(node as i64 + 1), output, capacity)
                    .unwrap();
            }
        }
        for (&(supplier, buyer, node), &value) in &self.relations {
            b.relation(e(supplier), e(buyer), NodeId(node as i64 + 1), value)
                .unwrap();
        }
        b.build()
    }

    /// The nodes and links, as the store reads them for a patch.
    fn structure(&self) -> ChainStructure {
        ChainStructure {
            nodes: self
                .nodes
                .iter()
                .enumerate()
                .filter_map(|(n, meta)| meta.map(|(c, s)| (NodeId(n as i64 + 1), c, s)))
                .collect(),
            inputs: self
                .links
                .iter()
                .map(|&(i, o)| (NodeId(i as i64 + 1), NodeId(o as i64 + 1)))
                .collect(),
        }
    }

    /// The node `n` names (modulo the nodes there ever were), if it is still there.
    fn node(&self, n: usize) -> Option<usize> {
        let n = n % self.nodes.len();
        self.nodes[n].is_some().then_some(n)
    }

    /// Whether a unit, relation or link refers to node `n` (the database then refuses
    /// to delete it).
    fn node_in_use(&self, n: usize) -> bool {
        self.firms.values().any(|(_, units)| units.contains_key(&n))
            || self.relations.keys().any(|k| k.2 == n)
            || self.links.iter().any(|&(i, o)| i == n || o == n)
    }

    /// All the graph holds of `id` now, as the store reads it for a patch.
    fn change(&self, id: i64) -> EnterpriseChange {
        EnterpriseChange {
            id: e(id),
            profile: self.profile(id),
            units: self.firms.get(&id).map_or(Vec::new(), |(_, units)| {
                units
                    .iter()
                    .map(|(&n, &(o, c))| (NodeId(n as i64 + 1), o, c))
                    .collect()
            }),
            purchases: self
                .relations
                .iter()
                .filter(|((_, buyer, _), _)| *buyer == id)
                .map(|(&(s, _, n), &v)| (e(s), NodeId(n as i64 + 1), v))
                .collect(),
        }
    }
}

/// One write of the kinds the editing screens and the API make.
#[derive(Clone, Debug)]
enum Edit {
    Relation {
        supplier: i64,
        buyer: i64,
        node: usize,
        value: i64,
    },
    DropRelation(usize),
    Unit {
        firm: i64,
        node: usize,
        output: i64,
    },
    DropUnit(usize),
    Move {
        firm: i64,
        city: usize,
    },
    NewFirm {
        id: i64,
        city: usize,
        node: usize,
    },
    DropFirm(i64),
    NewNode {
        chain: i64,
        segment: usize,
    },
    DropNode(usize),
    /// A node taken off with everything in it: its units, relations and links.
    ClearNode(usize),
    Link(usize, usize),
    DropLink(usize),
    Reshape {
        node: usize,
        chain: i64,
        segment: usize,
    },
}

const SEGMENTS: [Segment; 3] = [Segment::Upstream, Segment::Midstream, Segment::Downstream];

fn arbitrary_rows() -> impl Strategy<Value = Rows> {
    (2usize..=5, 2usize..=12).prop_flat_map(|(nodes, firms)| {
        (
            proptest::collection::vec((0..nodes, 0..nodes), 1..8),
            proptest::collection::vec(
                (
                    0..3usize,
                    0..nodes,
                    proptest::option::of(0..nodes),
                    0i64..1000,
                ),
                firms,
            ),
            proptest::collection::vec((0..firms, 0..firms, 0..nodes, 1i64..200), 0..40),
        )
            .prop_map(move |(links, units, relations)| {
                let mut rows = Rows {
                    nodes: vec![Some((CHAIN, Segment::Midstream)); nodes],
                    links,
                    firms: Default::default(),
                    relations: Default::default(),
                };
                // Even ids, so that new firms (odd ids) land between old ones.
                for (i, (city, node, second, output)) in units.into_iter().enumerate() {
                    let mut mine = std::collections::BTreeMap::new();
                    mine.insert(node, (output, output + 10));
                    if let Some(n) = second {
                        mine.entry(n).or_insert((output / 2, output / 2));
                    }
                    rows.firms.insert(2 * (i as i64 + 1), (city, mine));
                }
                for (s, b, node, value) in relations {
                    if s != b {
                        rows.relations
                            .insert((2 * (s as i64 + 1), 2 * (b as i64 + 1), node), value);
                    }
                }
                rows
            })
    })
}

fn arbitrary_edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (1i64..=13, 1i64..=13, 0usize..5, 1i64..300).prop_map(|(s, b, node, value)| {
            Edit::Relation {
                supplier: 2 * s,
                buyer: 2 * b,
                node,
                value,
            }
        }),
        (0usize..50).prop_map(Edit::DropRelation),
        (1i64..=13, 0usize..5, 0i64..900).prop_map(|(f, node, output)| Edit::Unit {
            firm: 2 * f,
            node,
            output
        }),
        (0usize..30).prop_map(Edit::DropUnit),
        (1i64..=13, 0usize..3).prop_map(|(f, city)| Edit::Move { firm: 2 * f, city }),
        (0i64..=13, 0usize..3, 0usize..5).prop_map(|(f, city, node)| Edit::NewFirm {
            id: 2 * f + 1,
            city,
            node
        }),
        (1i64..=13).prop_map(|f| Edit::DropFirm(2 * f)),
    ]
}

/// Edits of the chain structure, and of enterprises as well.
fn arbitrary_structure_edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (1i64..=2, 0usize..3).prop_map(|(chain, segment)| Edit::NewNode { chain, segment }),
        (0usize..8).prop_map(Edit::DropNode),
        (0usize..8).prop_map(Edit::ClearNode),
        (0usize..8, 0usize..8).prop_map(|(i, o)| Edit::Link(i, o)),
        (0usize..10).prop_map(Edit::DropLink),
        (0usize..8, 1i64..=2, 0usize..3).prop_map(|(node, chain, segment)| Edit::Reshape {
            node,
            chain,
            segment
        }),
        arbitrary_edit(),
    ]
}

impl Rows {
    /// The rows after `edits`, with what the store reads for them: the changed
    /// enterprises as they are now, and the chain structure if it changed.
    fn edited(&self, edits: &[Edit]) -> (Rows, Vec<EnterpriseChange>, Option<ChainStructure>) {
        let mut after = self.clone();
        let mut log = Vec::new();
        for edit in edits {
            after.apply(edit, &mut log);
        }
        let changes = log.iter().flatten().map(|&id| after.change(id)).collect();
        let structure = log.contains(&None).then(|| after.structure());
        (after, changes, structure)
    }

    /// Applies an edit as the database would (a firm goes with its units and relations;
    /// a node in use stays), adding to `log` the enterprises the store's change log
    /// records for it (`None`: the chain structure).
    fn apply(&mut self, edit: &Edit, log: &mut Vec<Option<i64>>) {
        match *edit {
            Edit::Relation {
                supplier,
                buyer,
                node,
                value,
            } => {
                let Some(node) = self.node(node) else { return };
                if supplier != buyer
                    && self.firms.contains_key(&supplier)
                    && self.firms.contains_key(&buyer)
                {
                    self.relations.insert((supplier, buyer, node), value);
                    log.extend([Some(supplier), Some(buyer)]);
                }
            }
            Edit::DropRelation(i) => {
                if let Some(&key) = self.relations.keys().nth(i) {
                    self.relations.remove(&key);
                    log.extend([Some(key.0), Some(key.1)]);
                }
            }
            Edit::Unit { firm, node, output } => {
                let Some(node) = self.node(node) else { return };
                if let Some((_, units)) = self.firms.get_mut(&firm) {
                    units.insert(node, (output, output * 2));
                    log.push(Some(firm));
                }
            }
            Edit::DropUnit(i) => {
                let units: Vec<(i64, usize)> = self
                    .firms
                    .iter()
                    .flat_map(|(&id, (_, u))| u.keys().map(move |&n| (id, n)))
                    .collect();
                if let Some(&(id, node)) = units.get(i) {
                    self.firms.get_mut(&id).unwrap().1.remove(&node);
                    log.push(Some(id));
                }
            }
            Edit::Move { firm, city } => {
                if let Some(f) = self.firms.get_mut(&firm) {
                    f.0 = city;
                    log.push(Some(firm));
                }
            }
            Edit::NewFirm { id, city, node } => {
                let Some(node) = self.node(node) else { return };
                if let std::collections::btree_map::Entry::Vacant(slot) = self.firms.entry(id) {
                    slot.insert((city, [(node, (50, 60))].into_iter().collect()));
                    log.push(Some(id));
                }
            }
            Edit::DropFirm(id) => {
                if self.firms.remove(&id).is_some() {
                    log.push(Some(id));
                    self.relations.retain(|&(s, b, _), _| {
                        let gone = s == id || b == id;
                        if gone {
                            log.extend([Some(s), Some(b)]);
                        }
                        !gone
                    });
                }
            }
            Edit::NewNode { chain, segment } => {
                self.nodes.push(Some((ChainId(chain), SEGMENTS[segment])));
                log.push(None);
            }
            Edit::DropNode(n) => {
                if let Some(n) = self.node(n).filter(|&n| !self.node_in_use(n)) {
                    self.nodes[n] = None;
                    log.push(None);
                }
            }
            Edit::ClearNode(n) => {
                let Some(n) = self.node(n) else { return };
                for (&id, (_, units)) in self.firms.iter_mut() {
                    if units.remove(&n).is_some() {
                        log.push(Some(id));
                    }
                }
                self.relations.retain(|&(s, b, node), _| {
                    if node == n {
                        log.extend([Some(s), Some(b)]);
                    }
                    node != n
                });
                self.links.retain(|&(i, o)| i != n && o != n);
                self.nodes[n] = None;
                log.push(None);
            }
            Edit::Link(i, o) => {
                if let (Some(i), Some(o)) = (self.node(i), self.node(o)) {
                    if !self.links.contains(&(i, o)) {
                        self.links.push((i, o));
                        log.push(None);
                    }
                }
            }
            Edit::DropLink(k) => {
                if let Some(&link) = self.links.get(k) {
                    self.links.retain(|&l| l != link);
                    log.push(None);
                }
            }
            Edit::Reshape {
                node,
                chain,
                segment,
            } => {
                if let Some(n) = self.node(node) {
                    self.nodes[n] = Some((ChainId(chain), SEGMENTS[segment]));
                    log.push(None);
                }
            }
        }
    }
}

#[test]
fn a_patch_of_nothing_is_the_same_graph() {
    let g = tools();
    assert_eq!(g.patched(&[]).unwrap(), tools());
}

#[test]
fn twin_relations_are_laid_out_alike_however_they_are_read() {
    // Supplier 1 sells buyer 2 the same node twice (the atlas allows it). Read in either
    // order, by a load or by a patch, the graph is the same.
    let graph = |values: [i64; 2]| {
        let mut b = GraphBuilder::new();
        b.node(ORE, CHAIN, Segment::Upstream);
        b.node(POWDER, CHAIN, Segment::Midstream);
        b.input(ORE, POWDER).unwrap();
        for id in [1, 2] {
            b.enterprise(Rows::firm(id)).unwrap();
        }
        b.unit(e(1), ORE, 100, 100).unwrap();
        b.unit(e(2), POWDER, 100, 100).unwrap();
        for value in values {
            b.relation(e(1), e(2), ORE, value).unwrap();
        }
        b.build()
    };
    assert_eq!(graph([9, 5]), graph([5, 9]));
    let change = |values: [i64; 2]| EnterpriseChange {
        id: e(2),
        profile: Some(Rows::firm(2)),
        units: vec![(POWDER, 100, 100)],
        purchases: values.iter().map(|&v| (e(1), ORE, v)).collect(),
    };
    assert_eq!(
        graph([1, 2]).patched(&[change([9, 5])]).unwrap(),
        graph([5, 9])
    );
    assert_eq!(
        graph([1, 2]).patched(&[change([5, 9])]).unwrap(),
        graph([5, 9])
    );
}

#[test]
fn a_patch_that_misses_a_changed_supplier_is_refused() {
    // Supplier 6 sells coating to 5; a patch that drops 6's units and says nothing of
    // 5 cannot keep 5's purchase: the graph must be loaded whole.
    let g = tools();
    let without_units = EnterpriseChange {
        id: e(6),
        profile: Some(*g.profile(g.enterprise_idx(e(6)).unwrap())),
        units: Vec::new(),
        purchases: Vec::new(),
    };
    // Its implied unit keeps the sale: still fine.
    assert!(g.patched(std::slice::from_ref(&without_units)).is_ok());
    let gone = EnterpriseChange {
        profile: None,
        ..without_units
    };
    assert_eq!(g.patched(&[gone]).unwrap_err(), GraphError::Stale(6));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Writes applied to a graph in memory give the graph a load after them would.
    #[test]
    fn a_patched_graph_equals_the_graph_built_anew(
        rows in arbitrary_rows(),
        edits in proptest::collection::vec(arbitrary_edit(), 1..6),
    ) {
        let (after, changes, structure) = rows.edited(&edits);
        prop_assert!(structure.is_none());
        let patched = rows.graph().patched(&changes).unwrap();
        prop_assert_eq!(patched, after.graph());
    }

    /// Edits of the chain structure among them: the graph takes on the new nodes and
    /// links in place (or after the patch, when a node went with its units).
    #[test]
    fn an_updated_graph_equals_the_graph_built_anew(
        rows in arbitrary_rows(),
        edits in proptest::collection::vec(arbitrary_structure_edit(), 1..8),
    ) {
        let (after, changes, structure) = rows.edited(&edits);
        let updated = rows.graph().updated(structure.as_ref(), &changes).unwrap();
        prop_assert_eq!(updated, after.graph());
    }
}

#[test]
fn a_snapshot_reads_back_the_same_graph_and_a_damaged_one_is_refused() {
    let g = tools();
    let mut bytes = Vec::new();
    g.write_snapshot(&mut bytes, "db-1:42").unwrap();
    let (key, read) = Graph::read_snapshot(&mut bytes.as_slice()).unwrap();
    assert_eq!(key, "db-1:42");
    assert_eq!(read, g);
    // Cut anywhere, it is an error, not a smaller graph.
    for cut in [0, 8, bytes.len() / 3, bytes.len() / 2, bytes.len() - 1] {
        assert!(
            Graph::read_snapshot(&mut &bytes[..cut]).is_err(),
            "cut at {cut}"
        );
    }
    // An index pointing past its array is found before any analysis trips on it: the
    // last u32 of the slot units (just before the closing magic) set past every unit.
    let mut bad = bytes.clone();
    let at = bad.len() - 8 - 4;
    bad[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    let err = Graph::read_snapshot(&mut bad.as_slice()).unwrap_err();
    assert!(err.to_string().contains("do not fit"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    /// Units lie in cascade order (chain, then level, then index), and each unit's sales
    /// are the relations it supplies, each naming the unit its slot feeds.
    #[test]
    fn sales_are_laid_out_in_cascade_order(rows in arbitrary_rows(), split in 0usize..5) {
        // Two chains, so that the order is by chain before level.
        let mut rows = rows;
        for (n, meta) in rows.nodes.iter_mut().enumerate() {
            *meta = Some((ChainId(1 + (n >= split) as i64), Segment::Midstream));
        }
        let g = rows.graph();
        let key = |u: u32| (g.node_chain(g.unit_node(u)), g.unit_level(u), u);
        let mut order: Vec<u32> = (0..g.unit_count() as u32).collect();
        order.sort_by_key(|&u| key(u));
        for (p, &u) in order.iter().enumerate() {
            prop_assert_eq!(g.position(u) as usize, p);
        }
        for u in 0..g.unit_count() as u32 {
            let sales = g.sales(u);
            prop_assert_eq!(sales.len(), g.unit_sales(u).len());
            for (sale, &r) in sales.iter().zip(g.unit_sales(u)) {
                prop_assert_eq!(g.rel_supplier_unit[r as usize], u);
                prop_assert_eq!(sale.slot, g.rel_slot[r as usize]);
                prop_assert_eq!(g.sale_units(sale), g.slot_units(sale.slot));
            }
        }
    }

    #[test]
    fn any_graph_survives_a_snapshot(rows in arbitrary_rows()) {
        let g = rows.graph();
        let mut bytes = Vec::new();
        g.write_snapshot(&mut bytes, "k").unwrap();
        let (_, read) = Graph::read_snapshot(&mut bytes.as_slice()).unwrap();
        prop_assert_eq!(read, g);
    }
}
