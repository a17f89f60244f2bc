use std::collections::{HashMap, HashSet};

use chainatlas_model::*;

use crate::{records, DemoConfig, CHAINS};

#[test]
fn the_same_seed_gives_the_same_atlas() {
    let config = DemoConfig {
        enterprises: 300,
        listings: 20,
        ..DemoConfig::demo(11)
    };
    assert_eq!(records(&config), records(&config));
    let other = DemoConfig {
        seed: 12,
        ..config.clone()
    };
    assert_ne!(records(&config), records(&other));
}

#[test]
fn chains_have_12_to_30_nodes_and_inputs_within_the_chain() {
    assert!(CHAINS.len() >= 8);
    let all = records(&DemoConfig {
        enterprises: 0,
        listings: 0,
        ..DemoConfig::demo(1)
    });
    let nodes: HashMap<NodeId, ChainId> = all
        .iter()
        .filter_map(|r| match r {
            Record::ChainNode(n) => Some((n.id, n.chain)),
            _ => None,
        })
        .collect();
    for chain in 1..=CHAINS.len() as i64 {
        let count = nodes.values().filter(|&&c| c == ChainId(chain)).count();
        assert!(
            (12..=30).contains(&count),
            "chain {chain} has {count} nodes"
        );
    }
    for r in &all {
        if let Record::NodeInput(i) = r {
            assert_eq!(nodes[&i.input], nodes[&i.output]);
        }
    }
}

#[test]
fn the_demo_is_realistic_and_marked_synthetic() {
    let all = records(&DemoConfig::demo(2024));
    let enterprises: Vec<&Enterprise> = all
        .iter()
        .filter_map(|r| match r {
            Record::Enterprise(e) => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(enterprises.len(), 2000);
    assert!(enterprises
        .iter()
        .all(|e| e.source == crate::SYNTHETIC_SOURCE));
    // Credit codes validate and are unique.
    let codes: HashSet<&str> = enterprises.iter().map(|e| e.credit_code.as_str()).collect();
    assert_eq!(codes.len(), enterprises.len());
    for e in &enterprises {
        assert_eq!(
            e.credit_code.as_str().parse::<CreditCode>().as_ref(),
            Ok(&e.credit_code)
        );
    }
    let masters = enterprises
        .iter()
        .filter(|e| e.tags.contains(Tag::ChainMaster))
        .count();
    assert_eq!(masters, 24);
    let small = enterprises
        .iter()
        .filter(|e| matches!(e.size, EnterpriseSize::Small | EnterpriseSize::Micro))
        .count();
    assert!(
        small > enterprises.len() / 2,
        "most firms are small: {small}"
    );

    let relations: Vec<&SupplyRelation> = all
        .iter()
        .filter_map(|r| match r {
            Record::SupplyRelation(s) => Some(s),
            _ => None,
        })
        .collect();
    let per_enterprise = relations.len() as f64 / enterprises.len() as f64;
    assert!(
        (3.5..7.0).contains(&per_enterprise),
        "{per_enterprise} relations per enterprise"
    );
    assert!(relations.iter().all(|s| s.supplier != s.buyer));
}

#[test]
fn deliberate_gaps_leave_nodes_empty_in_their_province() {
    let all = records(&DemoConfig::demo(2024));
    let node_id = all
        .iter()
        .find_map(|r| match r {
            Record::ChainNode(n) if n.code == "construction-hydraulic-pump" => Some(n.id),
            _ => None,
        })
        .unwrap();
    let region_of: HashMap<EnterpriseId, RegionCode> = all
        .iter()
        .filter_map(|r| match r {
            Record::Enterprise(e) => Some((e.id, e.region)),
            _ => None,
        })
        .collect();
    let hunan: RegionCode = "430000".parse().unwrap();
    let producers: Vec<RegionCode> = all
        .iter()
        .filter_map(|r| match r {
            Record::EnterpriseNode(en) if en.node == node_id => Some(region_of[&en.enterprise]),
            _ => None,
        })
        .collect();
    assert!(!producers.is_empty());
    assert!(
        producers.iter().all(|&r| !hunan.contains(r)),
        "hydraulic pumps are a short board of Hunan"
    );
}

#[test]
fn scale_mode_makes_about_ten_relations_per_enterprise() {
    let config = DemoConfig::scale(5, 5000);
    let all = records(&config);
    let relations = all
        .iter()
        .filter(|r| matches!(r, Record::SupplyRelation(_)))
        .count();
    assert!((40_000..60_000).contains(&relations), "{relations}");
}
