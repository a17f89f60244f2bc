//! What CLI users see, reviewed on purpose: the tables of `stats`, `diagnose` and
//! `report` on the seeded demo atlas are snapshots (`tests/snapshots/`), so a change in
//! what they print shows up in the diff.

mod support;

use support::{chainatlas, stderr, stdout};

fn demo() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("atlas.db");
    let demo = chainatlas(&db, &["demo", "--seed", "2024"]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    (dir, db)
}

fn table(db: &std::path::Path, args: &[&str]) -> String {
    let out = chainatlas(db, args);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn cli_tables_of_the_demo_atlas() {
    let (_dir, db) = demo();
    insta::assert_snapshot!("stats", table(&db, &["stats"]));
    insta::assert_snapshot!(
        "diagnose_rail_zhuzhou",
        table(&db, &["diagnose", "--chain", "rail", "--region", "430200"])
    );
    insta::assert_snapshot!(
        "report_event_1",
        table(&db, &["report", "--event", "1", "--format", "table"])
    );
}
