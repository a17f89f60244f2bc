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

/// The demo's upcoming event scheduled from the database, then re-scheduled after the
/// schedule was published: nothing published moves; the report exports to both formats.
#[test]
fn an_event_of_the_database_is_scheduled_kept_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("atlas.db");
    assert!(chainatlas(&db, &["demo"]).status.success());
    let json = |args: &[&str]| -> serde_json::Value {
        let out = chainatlas(&db, args);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_str(&stdout(&out)).unwrap()
    };
    let dry = json(&[
        "schedule",
        "--event",
        "2",
        "--today",
        "2026-11-21",
        "--dry-run",
        "--format",
        "json",
    ]);
    let placed = dry["summary"]["placed"].as_u64().unwrap();
    assert!(placed > 10, "{dry}");
    // A dry run saves nothing: the real run places the same meetings, as new ones.
    let first = json(&[
        "schedule",
        "--event",
        "2",
        "--today",
        "2026-11-21",
        "--format",
        "json",
    ]);
    // The dry run's meetings are proposals without ids; the real run's are stored, each
    // under its own id from the database.
    let without_ids = |v: &serde_json::Value| -> Vec<serde_json::Value> {
        let mut meetings = v["meetings"].as_array().unwrap().clone();
        for m in &mut meetings {
            m.as_object_mut().unwrap().remove("meeting_id");
        }
        meetings
    };
    assert_eq!(without_ids(&first), without_ids(&dry));
    assert!(dry["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["meeting_id"].is_null()));
    let ids: std::collections::HashSet<i64> = first["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            m["meeting_id"]
                .as_i64()
                .expect("a stored meeting has an id")
        })
        .collect();
    assert_eq!(ids.len() as u64, placed);
    assert!(ids.iter().all(|id| *id > 0));
    let slots: std::collections::HashSet<(u64, u64)> = first["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["slot"].as_u64().unwrap(), m["table"].as_u64().unwrap()))
        .collect();
    assert_eq!(slots.len() as u64, placed, "no table is booked twice");
    // Run again: the same schedule (deterministic, ids kept).
    let again = json(&[
        "schedule",
        "--event",
        "2",
        "--today",
        "2026-11-21",
        "--format",
        "json",
    ]);
    assert_eq!(again["meetings"], first["meetings"]);

    // The past event's report: totals agree between the summary and the breakdowns.
    let report = json(&[
        "report",
        "--event",
        "1",
        "--english",
        "--format",
        "json",
        "--today",
        "2026-11-21",
    ]);
    let tables = report["tables"].as_array().unwrap();
    let value = |t: &serde_json::Value, row: usize, col: usize| -> f64 {
        // amounts in 万元 with thousands separators, one decimal
        let text = t["rows"][row][col].as_str().unwrap();
        text.replace(',', "").parse().unwrap()
    };
    let summary = &tables[0];
    let total = value(summary, 7, 1);
    assert!(total > 0.0);
    let by_region = &tables[3];
    let sum: f64 = (0..by_region["rows"].as_array().unwrap().len())
        .map(|r| value(by_region, r, 5))
        .sum();
    // each row rounds to 0.1 万元 once
    let rows = by_region["rows"].as_array().unwrap().len() as f64;
    assert!(
        (sum - total).abs() <= 0.05 * rows + 1e-9,
        "{sum} vs {total}"
    );
    for name in ["report.xlsx", "report.csv"] {
        let out = dir.path().join(name);
        let run = chainatlas(
            &db,
            &["report", "--event", "1", "--out", out.to_str().unwrap()],
        );
        assert!(run.status.success(), "{}", stderr(&run));
        assert!(std::fs::metadata(&out).unwrap().len() > 1000);
    }
    let missing = chainatlas(&db, &["report", "--event", "99"]);
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("there is no event 99"),
        "{}",
        stderr(&missing)
    );
}
