//! The analyses on the demo atlas: the results the product shows must be meaningful.

mod common;

use chainatlas_analysis::*;
use chainatlas_demo::DemoConfig;
use chainatlas_model::{ChainId, RegionCode, Tag};

fn region(code: u32) -> RegionCode {
    RegionCode::new(code).unwrap()
}

#[test]
fn every_chain_shows_something_to_act_on() {
    let g = common::demo_graph(&DemoConfig::demo(2024));
    // (chain, a province of its home cluster)
    for (chain, province) in [
        (1, 430000),
        (2, 430000),
        (3, 420000),
        (4, 430000),
        (5, 440000),
        (6, 140000),
        (7, 140000),
        (8, 440000),
    ] {
        let c = coverage(&g, ChainId(chain), region(province), Thresholds::default());
        assert!(
            !c.short_boards.is_empty(),
            "chain {chain} has short boards in {province}"
        );
        assert!(
            c.nodes.iter().any(|n| n.status == NodeStatus::Strong),
            "and strengths"
        );
        let s = supporting(&g, ChainId(chain), region(province));
        let rate = s.overall.province_rate().unwrap();
        assert!(
            0.05 < rate && rate < 0.95,
            "chain {chain}: supporting rate {rate}"
        );
        let d = dependencies(&g, ChainId(chain), region(province), 1000);
        assert!(
            d.single_sources.iter().any(|s| {
                let e = g.enterprise_idx(s.buyer).unwrap();
                g.profile(e).tags.contains(Tag::ChainMaster)
            }),
            "a chain master of chain {chain} depends on a single source"
        );
        let targets = attraction_targets(&g, &c, 5);
        assert!(
            targets.iter().any(|t| !t.targets.is_empty()),
            "chain {chain} has attraction targets"
        );
    }
}

#[test]
fn a_region_disruption_crosses_tiers_and_regions() {
    let g = common::demo_graph(&DemoConfig::demo(2024));
    let shock = Shock {
        regions: vec![region(430200)],
        fraction: 1.0,
        ..Shock::default()
    };
    let i = disrupt(&g, ChainId(1), &shock, 10);
    assert!(i.tiers >= 2, "tiers {}", i.tiers);
    assert!(i.total_loss > i.direct_loss);
    assert!(
        i.by_region
            .iter()
            .any(|r| r.region.province() != region(430000)),
        "the loss leaves Hunan"
    );
    assert!(i.lost_inputs.iter().any(|l| !l.alternatives.is_empty()));
}

#[test]
fn the_chokepoint_bound_saves_most_simulations() {
    let g = common::demo_graph(&DemoConfig::demo(2024));
    for chain in 1..=8 {
        let r = enterprise_chokepoints(&g, ChainId(chain), None, 10, 1);
        assert_eq!(r.items.len(), 10);
        assert!(
            r.simulated * 2 < r.candidates,
            "chain {chain}: {} of {} simulated",
            r.simulated,
            r.candidates
        );
    }
}
