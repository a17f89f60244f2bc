//! The complexity measures against Stata's `ecomplexity` and `genproximity` outputs: the
//! five fixture files of py-ecomplexity (MIT; read from the shared data directory, not
//! copied here: `CHAINATLAS_DATA`, by default `../shared/data` beside the repository),
//! every column to 1e-9.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chainatlas_complexity::{compute, Complexity, Options, Proximity, Table};

fn data_dir() -> PathBuf {
    let dir = std::env::var_os("CHAINATLAS_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let dir = dir.join("complexity");
    assert!(
        dir.join("stata_ground_truth.csv").exists(),
        "the Stata fixtures are not in {} (set CHAINATLAS_DATA to the shared data directory)",
        dir.display()
    );
    dir
}

type Row = BTreeMap<String, String>;

fn read(file: &str) -> Vec<Row> {
    let mut reader = csv::Reader::from_path(data_dir().join(file)).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// The year's table. Stata stored `export_val` as a float (single precision): the
/// printed values are cast back to it, as Stata computed from (the fixtures' README,
/// note c).
fn table(rows: &[Row], year: &str) -> Table {
    let mut t = Table::new();
    for r in rows.iter().filter(|r| r["year"] == year) {
        let value: f64 = r["export_val"].parse().unwrap();
        t.add(&r["origin"], &r["hs92"], value as f32 as f64)
            .unwrap();
    }
    t
}

fn close(got: f64, want: f64) -> bool {
    (got - want).abs() <= 1e-9 * want.abs().max(1.0)
}

fn number(s: &str) -> Option<f64> {
    if s.is_empty() {
        None
    } else {
        Some(s.parse().unwrap())
    }
}

/// Every column of a 600-row fixture file, year by year.
fn check(file: &str, options: &Options) {
    let rows = read(file);
    let mut checked = 0;
    let mut worst: BTreeMap<&str, f64> = BTreeMap::new();
    for year in ["1995", "1996"] {
        let result = compute(&table(&rows, year), options).unwrap();
        for r in rows.iter().filter(|r| r["year"] == year) {
            let c = result
                .locations
                .iter()
                .position(|l| *l == r["origin"])
                .unwrap();
            let p = result
                .products
                .iter()
                .position(|l| *l == r["hs92"])
                .unwrap();
            let at = result.at(c, p);
            let got: [(&str, Option<f64>); 9] = [
                ("rca", Some(result.rca[at])),
                ("M", Some(result.present[at] as u8 as f64)),
                ("diversity", Some(result.diversity[c] as f64)),
                ("ubiquity", Some(result.ubiquity[p] as f64)),
                ("density", result.density.as_ref().map(|d| d[at])),
                ("eci", result.indices.as_ref().map(|i| i.eci[c])),
                ("pci", result.indices.as_ref().map(|i| i.pci[p])),
                ("coi", result.indices.as_ref().map(|i| i.coi[c])),
                ("cog", result.indices.as_ref().map(|i| i.cog[at])),
            ];
            for (column, value) in got {
                let want = number(&r[column]);
                if let (Some(g), Some(w)) = (value, want) {
                    let e = worst.entry(column).or_default();
                    *e = e.max((g - w).abs() / w.abs().max(1.0));
                }
                match (value, want) {
                    (Some(g), Some(w)) => assert!(
                        close(g, w),
                        "{file} {year} {} {} {column}: {g} against Stata's {w} (difference {:e})",
                        r["origin"],
                        r["hs92"],
                        g - w
                    ),
                    (None, None) => {}
                    _ => panic!(
                        "{file} {year} {} {} {column}: {value:?} against Stata's {want:?}",
                        r["origin"], r["hs92"]
                    ),
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 600 * 9);
    println!("{file}: largest difference by column {worst:?}");
}

fn check_proximity(file: &str, options: &Options) {
    let rows = read(file);
    let values = read("stata_ground_truth.csv");
    assert_eq!(rows.len(), 1800);
    for (y, year) in ["1995", "1996"].iter().enumerate() {
        let result: Complexity = compute(&table(&values, year), options).unwrap();
        let phi = result.proximity.as_ref().unwrap();
        let n = result.products.len();
        for r in &rows[y * 900..(y + 1) * 900] {
            let p = result
                .products
                .iter()
                .position(|x| *x == r["hs92_1"])
                .unwrap();
            let q = result
                .products
                .iter()
                .position(|x| *x == r["hs92_2"])
                .unwrap();
            let want: f64 = r["proximity"].parse().unwrap();
            let got = phi[p * n + q];
            assert!(
                close(got, want),
                "{file} {year} {p} {q}: {got} against {want}"
            );
        }
    }
}

#[test]
fn the_defaults_match_stata() {
    check("stata_ground_truth.csv", &Options::default());
}

#[test]
fn threshold_two_matches_stata_missing_values_and_all() {
    let options = Options {
        threshold: 2.0,
        ..Options::default()
    };
    check("stata_rca_2.csv", &options);
    // Stata leaves them missing; here a note says why.
    let rows = read("stata_rca_2.csv");
    let result = compute(&table(&rows, "1995"), &options).unwrap();
    let texts: Vec<String> = result.notes.iter().map(|n| n.text(true)).collect();
    assert!(
        texts.iter().any(|t| t.contains("deu") && t.contains("ita")),
        "{texts:?}"
    );
}

#[test]
fn continuous_proximity_matches_stata() {
    check(
        "stata_continuous.csv",
        &Options {
            proximity: Proximity::Continuous,
            ..Options::default()
        },
    );
}

#[test]
fn both_proximity_matrices_match_genproximity() {
    check_proximity("stata_proximity_discrete_sym.csv", &Options::default());
    check_proximity(
        "stata_proximity_continuous.csv",
        &Options {
            proximity: Proximity::Continuous,
            ..Options::default()
        },
    );
}
