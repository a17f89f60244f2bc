//! Invariants of the complexity measures and of the Leontief inverse, on random tables.

use chainatlas_complexity::{analyse, compute, Complexity, IoOptions, IoTable, Options, Table};
use proptest::prelude::*;

fn table(values: &[Vec<u32>], scale_first: f64) -> Table {
    let mut t = Table::new();
    for (c, row) in values.iter().enumerate() {
        for (p, v) in row.iter().enumerate() {
            let k = if c == 0 { scale_first } else { 1.0 };
            t.add(&format!("c{c}"), &format!("p{p}"), *v as f64 * k)
                .unwrap();
        }
    }
    t
}

/// Tables of 3–8 locations × 3–10 products, a third of the cells empty.
fn tables() -> impl Strategy<Value = Vec<Vec<u32>>> {
    (3usize..8, 3usize..10).prop_flat_map(|(c, p)| {
        prop::collection::vec(
            prop::collection::vec(prop_oneof![1 => Just(0u32), 2 => 1u32..1000], p),
            c,
        )
    })
}

fn complete(r: &Complexity) -> bool {
    r.indices.is_some() && r.density.is_some()
}

proptest! {
    #[test]
    fn eci_and_pci_depend_on_presence_only(values in tables(), k in 0.2f64..5.0) {
        let options = Options::default();
        let before = compute(&table(&values, 1.0), &options).unwrap();
        let after = compute(&table(&values, k), &options).unwrap();
        prop_assume!(complete(&before) && complete(&after));
        prop_assume!(before.locations == after.locations && before.products == after.products);
        // Scaling a location's values moves the product totals, so others' RCA, and
        // sometimes a presence; where no presence moved, the indices must not either.
        prop_assume!(before.present == after.present);
        let (b, a) = (before.indices.unwrap(), after.indices.unwrap());
        for (x, y) in b.eci.iter().zip(&a.eci).chain(b.pci.iter().zip(&a.pci)) {
            prop_assert!((x - y).abs() < 1e-9, "{x} {y}");
        }
    }

    #[test]
    fn density_is_a_share_cog_is_zero_where_present_and_nothing_is_nan(values in tables()) {
        let r = compute(&table(&values, 1.0), &Options::default()).unwrap();
        if let Some(density) = &r.density {
            prop_assert!(density.iter().all(|d| (-1e-12..=1.0 + 1e-12).contains(d)), "{density:?}");
        }
        if let Some(indices) = &r.indices {
            for (at, present) in r.present.iter().enumerate() {
                if *present {
                    prop_assert_eq!(indices.cog[at], 0.0);
                }
            }
            // Standardised over the long table: mean 0, sample SD 1.
            let n = (r.locations.len() * r.products.len()) as f64;
            let mean = indices.eci.iter().sum::<f64>() / r.locations.len() as f64;
            let var = indices.eci.iter().map(|e| e * e).sum::<f64>() * r.products.len() as f64 / (n - 1.0);
            prop_assert!(mean.abs() < 1e-9 && (var - 1.0).abs() < 1e-9, "{mean} {var}");
        }
        // Never a NaN: a measure is there and finite, or absent with a note.
        let finite = |v: &[f64]| v.iter().all(|x| x.is_finite());
        prop_assert!(finite(&r.rca));
        prop_assert!(r.density.as_deref().is_none_or(finite));
        prop_assert!(r.proximity.as_deref().is_none_or(finite));
        if let Some(i) = &r.indices {
            prop_assert!(finite(&i.eci) && finite(&i.pci) && finite(&i.coi) && finite(&i.cog));
        } else {
            prop_assert!(!r.notes.is_empty());
        }
    }

    #[test]
    fn scaling_the_whole_table_changes_nothing(values in tables(), k in 0.001f64..1000.0) {
        let a = compute(&table(&values, 1.0), &Options::default()).unwrap();
        let mut scaled = values.clone();
        let t = {
            let mut t = Table::new();
            for (c, row) in scaled.iter_mut().enumerate() {
                for (p, v) in row.iter().enumerate() {
                    t.add(&format!("c{c}"), &format!("p{p}"), *v as f64 * k).unwrap();
                }
            }
            t
        };
        let b = compute(&t, &Options::default()).unwrap();
        prop_assert_eq!(&a.present, &b.present);
        for (x, y) in a.rca.iter().zip(&b.rca) {
            prop_assert!((x - y).abs() <= 1e-9 * x.abs().max(1.0));
        }
    }

    #[test]
    fn the_leontief_inverse_of_a_productive_economy_is_at_least_the_identity(
        n in 1usize..7,
        cells in prop::collection::vec(0.0f64..1.0, 49),
        spare in prop::collection::vec(0.05f64..1.0, 7),
    ) {
        // Each column's inputs below its output: a productive economy.
        let output: Vec<f64> = (0..n).map(|j| 100.0 + 10.0 * j as f64).collect();
        let mut z = vec![0.0; n * n];
        for j in 0..n {
            let raw: Vec<f64> = (0..n).map(|i| cells[i * 7 + j]).collect();
            let sum: f64 = raw.iter().sum::<f64>().max(1e-9);
            for i in 0..n {
                z[i * n + j] = raw[i] / sum * (1.0 - spare[j]) * output[j];
            }
        }
        let sectors = (0..n).map(|i| format!("s{i}")).collect();
        let r = analyse(&IoTable { sectors, z, output }, &IoOptions::default()).unwrap();
        for i in 0..n {
            for j in 0..n {
                let identity = if i == j { 1.0 } else { 0.0 };
                prop_assert!(r.leontief[i * n + j] >= identity - 1e-12);
            }
        }
    }
}
