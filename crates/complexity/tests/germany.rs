//! Input–output analysis of the Eurostat Manual's Germany 1995 table (Table 15.4, from
//! R's iotables, MIT; read from the shared data directory, not copied here) against its
//! published linkages.

use std::path::PathBuf;

use chainatlas_complexity::{analyse, IoOptions, IoTable, SectorClass};

fn germany() -> IoTable {
    let dir = std::env::var_os("CHAINATLAS_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let path = dir.join("io/germany_1995.csv");
    assert!(
        path.exists(),
        "{} is missing (set CHAINATLAS_DATA to the shared data directory)",
        path.display()
    );
    let mut reader = csv::Reader::from_path(path).unwrap();
    let cells: Vec<(String, String, Option<f64>)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let value = (!r[3].is_empty()).then(|| r[3].parse().unwrap());
            (r[0].to_string(), r[2].to_string(), value)
        })
        .collect();
    IoTable::from_long(cells, None).unwrap()
}

fn assert_close(got: &[f64], want: &[f64], tolerance: f64) {
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() <= tolerance, "{got:?} against {want:?}");
    }
}

#[test]
fn the_sectors_and_their_output_are_read_from_the_long_table() {
    let t = germany();
    assert_eq!(
        t.sectors,
        [
            "agriculture_group",
            "industry_group",
            "construction",
            "trade_group",
            "business_services_group",
            "other_services_group"
        ]
    );
    assert_eq!(
        t.output,
        [43910.0, 1079446.0, 245606.0, 540063.0, 692487.0, 508918.0]
    );
}

#[test]
fn backward_linkages_match_the_published_values() {
    let r = analyse(&germany(), &IoOptions::default()).unwrap();
    assert_close(
        &r.backward,
        &[1.7048, 1.8413, 1.8136, 1.6035, 1.5951, 1.3782],
        1e-4,
    );
}

#[test]
fn forward_linkages_match_the_published_values_with_coefficients_rounded_as_published() {
    let rounded = analyse(
        &germany(),
        &IoOptions {
            output_digits: Some(4),
        },
    )
    .unwrap();
    assert_close(
        &rounded.forward,
        &[2.1128, 1.6909, 1.3559, 1.5850, 2.1040, 1.2105],
        1e-4,
    );
    // Exact coefficients: within 3e-4 of them (the data README's recomputation).
    let exact = analyse(&germany(), &IoOptions::default()).unwrap();
    assert_close(
        &exact.forward,
        &[2.11261, 1.69096, 1.35577, 1.58485, 2.10371, 1.21059],
        1e-5,
    );
}

#[test]
fn key_sectors_and_extraction_follow_from_the_linkages() {
    let r = analyse(&germany(), &IoOptions::default()).unwrap();
    // Indices average 1; industry buys and sells above average.
    let mean = r.backward_index.iter().sum::<f64>() / 6.0;
    assert!((mean - 1.0).abs() < 1e-12);
    assert_eq!(r.class[1], SectorClass::Key);
    // Taking a sector out loses at least its own output's worth of final demand, and
    // the large industry group loses most.
    let largest = (0..6)
        .max_by(|&a, &b| r.extraction[a].total.total_cmp(&r.extraction[b].total))
        .unwrap();
    assert_eq!(r.sectors[largest], "industry_group");
    for e in &r.extraction {
        assert!(
            e.total > 0.0 && e.backward >= 0.0 && e.forward >= 0.0,
            "{e:?}"
        );
        assert!(e.total_share < 1.0);
    }
}
