//! The analyses on the demo atlas: the results the product shows must be meaningful.

use chainatlas_analysis::*;
use chainatlas_demo::{records, DemoConfig};
use chainatlas_model::{ChainId, Record, RegionCode};

pub fn demo_graph(config: &DemoConfig) -> Graph {
    let mut b = GraphBuilder::new();
    let records = records(config);
    for r in &records {
        if let Record::ChainNode(n) = r {
            b.node(n.id, n.chain, n.segment);
        }
    }
    for r in &records {
        match r {
            Record::NodeInput(i) => b.input(i.input, i.output).unwrap(),
            Record::Enterprise(e) => b
                .enterprise(Profile {
                    id: e.id,
                    region: e.region,
                    size: e.size,
                    tags: e.tags,
                })
                .unwrap(),
            _ => {}
        }
    }
    for r in &records {
        match r {
            Record::EnterpriseNode(u) => b
                .unit(u.enterprise, u.node, u.output.fen(), u.capacity.fen())
                .unwrap(),
            Record::SupplyRelation(s) => b
                .relation(s.supplier, s.buyer, s.node, s.annual_value.fen())
                .unwrap(),
            _ => {}
        }
    }
    b.build()
}

#[test]
fn bounds_settle_and_prune() {
    let g = demo_graph(&DemoConfig::demo(2024));
    let (_, on_loop) = chainatlas_analysis::chokepoint::unit_bounds(&g);
    eprintln!("on loop {on_loop}");
    for chain in 1..=8 {
        let r = enterprise_chokepoints(&g, ChainId(chain), None, 10, 1);
        eprintln!(
            "chain {chain}: {} of {} simulated",
            r.simulated, r.candidates
        );
    }
    let _ = RegionCode::new(430000);
}
