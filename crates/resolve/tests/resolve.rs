//! The resolver end to end on a judged set from the demo model, and its decisions on
//! records whose answer is plain.

use chainatlas_resolve::eval::{self, variants};
use chainatlas_resolve::resolve::prepare;
use chainatlas_resolve::{Decision, Field, Record, Resolver};

fn demo_records(n: u32) -> Vec<Record> {
    let config = chainatlas_demo::DemoConfig {
        enterprises: n,
        ..chainatlas_demo::DemoConfig::demo(7)
    };
    let mut seen = std::collections::HashSet::new();
    chainatlas_demo::records(&config)
        .into_iter()
        .filter_map(|r| match r {
            chainatlas_model::Record::Enterprise(e) => Some(Record {
                english_name: None,
                ..Record::of_enterprise(&e)
            }),
            _ => None,
        })
        .filter(|r| seen.insert(r.name.clone()))
        .collect()
}

#[test]
fn weights_learned_without_labels_resolve_held_out_variants() {
    let records = demo_records(3000);
    let judged = variants(&records, 3000, 0.2, 11);
    let resolver = Resolver::new(&judged.targets);
    let prepared = prepare(&judged.inputs);
    let train: Vec<_> = prepared.iter().step_by(2).cloned().collect();
    let weights = resolver.learn(&train, 3);
    let test: Vec<_> = prepared.iter().skip(1).step_by(2).cloned().collect();
    let truth: Vec<_> = judged.truth.iter().skip(1).step_by(2).copied().collect();
    let scores = eval::score(&resolver.resolve(&weights, &test), &truth);
    assert!(scores.precision >= 0.95, "{scores:?}");
    assert!(scores.recall_at_1 >= 0.75, "{scores:?}");
    assert!(scores.absent_new >= 0.8, "{scores:?}");
    // Agreeing counts for a match, disagreeing against it.
    assert!(weights.bits(Field::CreditCode, 1) > 5.0);
    assert!(weights.bits(Field::CreditCode, 0) < 0.0);
    assert!(weights.bits(Field::Name, 5) > weights.bits(Field::Name, 2));
    assert!(weights.bits(Field::Name, 0) < 0.0);
}

#[test]
fn plain_records_get_plain_decisions_with_every_field_explained() {
    let records = demo_records(2000);
    let resolver = Resolver::new(&records);
    let learn_from: Vec<Record> = records
        .iter()
        .step_by(3)
        .enumerate()
        .map(|(i, r)| Record {
            id: format!("l{}", r.id),
            // Half the list gives its code.
            credit_code: r.credit_code.clone().filter(|_| i % 2 == 0),
            ..r.clone()
        })
        .collect();
    let weights = resolver.learn(&prepare(&learn_from), 5);
    let t = &records[10];
    let inputs = vec![
        // The registered name and code: a match.
        Record {
            id: "a".into(),
            name: t.name.clone(),
            credit_code: t.credit_code.clone(),
            ..Record::default()
        },
        // A firm the targets do not hold: new.
        Record {
            id: "b".into(),
            name: "乌鲁木齐雪莲冰川矿泉水有限公司".into(),
            region: Some("650100".into()),
            ..Record::default()
        },
        // The target's credit code on a name that agrees in nothing: a renamed firm or a
        // wrong code, never an automatic match (here, with weights learned from a clean
        // list, the name's disagreement outweighs the code: new).
        Record {
            id: "c".into(),
            name: "雪莲冰川矿泉水有限公司".into(),
            credit_code: t.credit_code.clone(),
            ..Record::default()
        },
    ];
    let out = resolver.resolve(&weights, &prepare(&inputs));
    assert_eq!(out[0].decision, Decision::Match, "{:?}", out[0]);
    assert_eq!(out[0].best, Some(10));
    let reasons: Vec<String> = out[0].candidates[0]
        .contributions
        .iter()
        .map(|c| c.text(false))
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("统一社会信用代码：相同")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.starts_with("名称：相同")),
        "{reasons:?}"
    );
    assert_eq!(out[1].decision, Decision::New, "{:?}", out[1]);
    assert_ne!(out[2].decision, Decision::Match, "{:?}", out[2]);
    assert_eq!(out[2].candidates[0].target, 10, "found by its code");
}
