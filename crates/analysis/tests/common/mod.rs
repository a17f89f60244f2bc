//! Builds the analysis graph straight from the demo generator.

use chainatlas_analysis::{Graph, GraphBuilder, Profile};
use chainatlas_demo::{records, DemoConfig};
use chainatlas_model::Record;

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
                    employees: 100,
                    industry: None,
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
