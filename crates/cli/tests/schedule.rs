//! `chainatlas schedule --instance` as an organiser (and the benchmark) runs it.

mod support;

use support::{chainatlas, stderr, stdout};

const INSTANCE: &str = r#"{
  "slots": 3,
  "tables": 1,
  "participants": [
    {"id": 1, "group": "buyer"},
    {"id": 2, "group": "supplier"},
    {"id": 3, "group": "supplier", "available": [2]},
    {"id": 4, "group": "buyer", "max_meetings": 1}
  ],
  "may_meet": [["buyer", "supplier"]],
  "meetings": [
    {"id": 10, "a": 1, "b": 2, "weight": 2},
    {"id": 11, "a": 1, "b": 3},
    {"id": 12, "a": 4, "b": 2},
    {"id": 13, "a": 4, "b": 3},
    {"id": 14, "a": 2, "b": 3}
  ]
}"#;

#[test]
fn an_instance_is_scheduled_to_json() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("event.json");
    std::fs::write(&path, INSTANCE).unwrap();
    let db = dir.path().join("unused.db");
    let out = chainatlas(
        &db,
        &[
            "schedule",
            "--instance",
            path.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let result: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let placed: Vec<(u64, u64)> = result["placed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["id"].as_u64().unwrap(), m["slot"].as_u64().unwrap()))
        .collect();
    // One table: three slots hold three meetings. 11 must be in slot 2 (participant 3's
    // only slot); 14 is supplier with supplier; buyer 4 takes one meeting.
    assert_eq!(placed.len(), 3, "{result}");
    assert!(placed.contains(&(11, 2)), "{placed:?}");
    assert!(placed.iter().any(|m| m.0 == 10));
    let reasons: Vec<(u64, &str)> = result["unplaced"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["id"].as_u64().unwrap(), u["reason"].as_str().unwrap()))
        .collect();
    assert!(reasons.contains(&(14, "group_rule")), "{reasons:?}");
    assert_eq!(result["weight"], 4);
    assert!(stderr(&out).contains("3 of 5 meetings placed"));
}

#[test]
fn a_bad_instance_is_named_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("unused.db");
    let path = dir.path().join("event.json");
    std::fs::write(&path, INSTANCE.replace("\"b\": 3}", "\"b\": 9}")).unwrap();
    let out = chainatlas(&db, &["schedule", "--instance", path.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("meetings[1] (id 11): participant 9 is not in participants"),
        "{}",
        stderr(&out)
    );
    std::fs::write(&path, INSTANCE.replace("\"tables\": 1", "\"tabels\": 1")).unwrap();
    let out = chainatlas(&db, &["schedule", "--instance", path.to_str().unwrap()]);
    let err = stderr(&out);
    assert!(
        err.contains("line 3, column") && err.contains("tabels"),
        "{err}"
    );
}
