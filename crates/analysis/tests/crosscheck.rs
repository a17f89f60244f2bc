//! Cross-check against an independent implementation: `bench/crosscheck.py` computes the
//! same analyses with networkx, by different algorithms, from a database made by
//! `chainatlas demo --seed 2024`; its output is the fixture. Here the same atlas comes
//! straight from the generator. Regenerate the fixture with `bench/crosscheck.sh`.

mod common;

use chainatlas_analysis::*;
use chainatlas_demo::DemoConfig;
use chainatlas_model::{ChainId, EnterpriseId, NodeId, RegionCode};
use serde_json::Value;

const FIXTURE: &str = include_str!("fixtures/networkx-demo-2024.json");

fn chain_id(code: &str) -> ChainId {
    let codes = [
        "rail",
        "carbide",
        "nev",
        "construction",
        "display",
        "wafer",
        "power",
        "robot",
    ];
    ChainId(codes.iter().position(|&c| c == code).expect("a demo chain") as i64 + 1)
}

fn close(ours: f64, theirs: f64, what: &str) {
    let tolerance = 1e-6 * theirs.abs().max(1.0) + 2.0;
    assert!(
        (ours - theirs).abs() <= tolerance,
        "{what}: ours {ours}, networkx {theirs}"
    );
}

fn ids(value: &Value) -> Vec<i64> {
    value
        .as_array()
        .map(|a| a.iter().map(|v| v.as_i64().unwrap()).collect())
        .unwrap_or_default()
}

#[test]
fn disruptions_match_networkx() {
    let fixture: Value = serde_json::from_str(FIXTURE).unwrap();
    let g = common::demo_graph(&DemoConfig::demo(2024));
    for s in fixture["disruptions"].as_array().unwrap() {
        let chain = chain_id(s["chain"].as_str().unwrap());
        let shock = Shock {
            enterprises: ids(&s["enterprises"])
                .into_iter()
                .map(EnterpriseId)
                .collect(),
            regions: ids(&s["regions"])
                .into_iter()
                .map(|r| RegionCode::new(r as u32).unwrap())
                .collect(),
            nodes: ids(&s["nodes"]).into_iter().map(NodeId).collect(),
            fraction: s["fraction"].as_f64().unwrap(),
        };
        let i = disrupt(&g, chain, &shock, 10);
        let e = &s["expected"];
        let what = format!("{s}");
        close(
            i.total_loss.fen() as f64,
            e["total_loss_fen"].as_f64().unwrap(),
            &what,
        );
        close(
            i.direct_loss.fen() as f64,
            e["direct_loss_fen"].as_f64().unwrap(),
            &what,
        );
        assert_eq!(
            i.affected_enterprises as u64,
            e["affected_enterprises"].as_u64().unwrap(),
            "{what}"
        );
        assert_eq!(i.tiers as u64, e["tiers"].as_u64().unwrap(), "{what}");
        for (node, loss) in e["loss_by_node"].as_object().unwrap() {
            let ours = i
                .by_node
                .iter()
                .find(|n| n.node.0.to_string() == *node)
                .map_or(0, |n| n.loss.fen());
            close(
                ours as f64,
                loss.as_f64().unwrap(),
                &format!("node {node} in {what}"),
            );
        }
    }
}

#[test]
fn coverage_supporting_rates_and_concentration_match_networkx() {
    let fixture: Value = serde_json::from_str(FIXTURE).unwrap();
    let g = common::demo_graph(&DemoConfig::demo(2024));
    for d in fixture["diagnoses"].as_array().unwrap() {
        let chain = chain_id(d["chain"].as_str().unwrap());
        let region = RegionCode::new(d["region"].as_u64().unwrap() as u32).unwrap();
        let c = coverage(&g, chain, region, Thresholds::default());
        for (node, want) in d["coverage"].as_object().unwrap() {
            let row = c
                .nodes
                .iter()
                .find(|n| n.node.0.to_string() == *node)
                .unwrap();
            assert_eq!(
                row.enterprises as u64,
                want["enterprises"].as_u64().unwrap(),
                "{node}"
            );
            assert_eq!(
                row.output.fen(),
                want["output_fen"].as_i64().unwrap(),
                "{node}"
            );
            assert_eq!(
                row.status.as_str(),
                want["status"].as_str().unwrap(),
                "{node} in {region}"
            );
            match (row.location_quotient, want["location_quotient"].as_f64()) {
                (Some(ours), Some(theirs)) => {
                    assert!((ours - theirs).abs() < 1e-9, "{node}: {ours} {theirs}")
                }
                (ours, theirs) => assert_eq!(ours, theirs, "{node}"),
            }
        }
        assert_eq!(c.nodes.len(), d["coverage"].as_object().unwrap().len());
        let s = supporting(&g, chain, region);
        assert_eq!(
            s.overall.total.fen(),
            d["supporting"]["total_fen"].as_i64().unwrap()
        );
        assert_eq!(
            s.overall.same_city.fen(),
            d["supporting"]["same_city_fen"].as_i64().unwrap()
        );
        assert_eq!(
            s.overall.same_province.fen(),
            d["supporting"]["same_province_fen"].as_i64().unwrap()
        );
        let deps = dependencies(&g, chain, region, 0);
        let hhi = d["hhi"].as_object().unwrap();
        assert_eq!(deps.nodes.len(), hhi.len());
        for n in &deps.nodes {
            let theirs = hhi[&n.node.0.to_string()].as_f64().unwrap();
            assert!(
                (n.hhi - theirs).abs() < 1e-6,
                "hhi of {}: {} {theirs}",
                n.node.0,
                n.hhi
            );
        }
    }
}

#[test]
fn chokepoints_match_the_naive_networkx_ranking() {
    let fixture: Value = serde_json::from_str(FIXTURE).unwrap();
    let g = common::demo_graph(&DemoConfig::demo(2024));
    for c in fixture["chokepoints"].as_array().unwrap() {
        let chain = chain_id(c["chain"].as_str().unwrap());
        let top = c["top"].as_array().unwrap();
        let ours = enterprise_chokepoints(&g, chain, None, top.len(), 2);
        assert!(
            ours.simulated < ours.candidates,
            "the bound saves simulations"
        );
        let losses: Vec<f64> = top
            .iter()
            .map(|t| t["downstream_loss_fen"].as_f64().unwrap())
            .collect();
        let tolerance = |v: f64| 1e-6 * v.abs().max(1.0) + 2.0;
        for (rank, (mine, theirs)) in ours.items.iter().zip(top).enumerate() {
            close(
                mine.downstream_loss.fen() as f64,
                losses[rank],
                "chokepoint loss by rank",
            );
            // Enterprises whose losses agree to within rounding (in a loop, many firms
            // take the whole chain down) may come in either order; others must match.
            let tied = |other: Option<&f64>| {
                other.is_some_and(|o| (o - losses[rank]).abs() <= tolerance(*o))
            };
            if !tied(rank.checked_sub(1).and_then(|r| losses.get(r))) && !tied(losses.get(rank + 1))
            {
                assert_eq!(
                    mine.enterprise.0,
                    theirs["enterprise"].as_i64().unwrap(),
                    "{} rank {rank}",
                    c["chain"]
                );
            }
        }
    }
}
