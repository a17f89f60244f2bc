//! Economic complexity of one table of locations × products (one year), as Stata's
//! `ecomplexity` computes it (cid-harvard/ecomplexity, the reference behind the Atlas of
//! Economic Complexity), with py-ecomplexity's conventions as named options.
//!
//! - **RCA** (Balassa): (x_cp / Σ_p x_cp) / (Σ_c x_cp / Σ_cp x_cp); or **RPOP**, per
//!   capita: (x_cp / Σ_c x_cp) / (pop_c / Σ_c pop_c).
//! - **Presence** M_cp: RCA strictly above the threshold (Stata; `Presence::AtLeast` is
//!   py-ecomplexity's ≥). **Diversity** d_c = Σ_p M_cp, **ubiquity** u_p = Σ_c M_cp.
//! - **Proximity** φ, diagonal 0 (py-ecomplexity's 1 is `Diagonal::One`): discrete, co-occurrence over the larger ubiquity
//!   C_pp' / max(u_p, u_p') with C = MᵀM; or continuous, (1 + correlation of the RCA
//!   columns across locations) / 2.
//! - **Density** of a product for a location: Σ_p' L_cp' φ_p'p / Σ_p' φ_pp', with L = M
//!   (discrete) or the RCA (continuous).
//! - **ECI, PCI**: PCI_raw is the second eigenvector of M̃ = ((M / u) / d)ᵀ M
//!   ([`crate::eigen`]), ECI_raw_c = Σ_p M_cp PCI_raw_p / d_c, signed so that ECI_raw
//!   correlates positively with diversity.
//! - **COI** Σ_p density_cp (1 − M_cp) PCI_raw_p, and **COG** (1 − M_cp) Σ_p' (1 −
//!   M_cp') φ_p'p PCI_raw_p' / Σ_p'' φ_p'p''.
//! - **Normalisation** (Stata): ECI and PCI minus ECI's mean, over ECI's *sample*
//!   standard deviation, both taken over the long location × product table; COG over
//!   that SD; COI z-scored over the long table. py-ecomplexity takes the population SD
//!   over locations instead (`Normalisation::Locations`): a factor √(CP / (CP − 1)).
//!
//! A location or product whose values sum to zero or less is left out, as Stata drops
//! it. Where Stata would give missing values (a location present in nothing, a product
//! no location is present in), the measures that need them are `None` and a
//! [`Note`] says why: never a NaN.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::eigen;

/// Values of locations × products, zero where a pair has no value. Filled value by
/// value (each pair at most once); made dense only when computed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    locations: Vec<String>,
    products: Vec<String>,
    location_at: HashMap<String, u32>,
    product_at: HashMap<String, u32>,
    entries: Vec<(u32, u32, f64)>,
    seen: HashSet<u64>,
}

/// Why a value cannot go into a table.
#[derive(Clone, Debug, PartialEq)]
pub enum TableError {
    /// The same location and product twice.
    Repeated { location: String, product: String },
    /// Negative, infinite or not a number.
    Invalid {
        location: String,
        product: String,
        value: f64,
    },
    /// More locations × products than [`MAX_CELLS`].
    TooLarge { locations: usize, products: usize },
}

/// Locations × products of one table at most (160 MB of values when dense): 3,000
/// counties × 1,400 industry classes is 4.2 million.
pub const MAX_CELLS: usize = 20_000_000;

impl TableError {
    pub fn text(&self, english: bool) -> String {
        match (self, english) {
            (TableError::Repeated { location, product }, true) => {
                format!("location {location} and product {product} appear twice")
            }
            (TableError::Repeated { location, product }, false) => {
                format!("地区 {location} 与产品 {product} 出现了两次")
            }
            (
                TableError::Invalid {
                    location,
                    product,
                    value,
                },
                true,
            ) => format!(
                "location {location}, product {product}: {value} is not a value of zero or more"
            ),
            (
                TableError::Invalid {
                    location,
                    product,
                    value,
                },
                false,
            ) => {
                format!("地区 {location}、产品 {product}：{value} 不是非负数")
            }
            (
                TableError::TooLarge {
                    locations,
                    products,
                },
                true,
            ) => format!(
                "{locations} locations × {products} products exceed the limit of {MAX_CELLS} cells"
            ),
            (
                TableError::TooLarge {
                    locations,
                    products,
                },
                false,
            ) => format!("{locations} 个地区 × {products} 个产品超过了 {MAX_CELLS} 个单元格的上限"),
        }
    }
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(true))
    }
}

impl std::error::Error for TableError {}

fn index_of(names: &mut Vec<String>, at: &mut HashMap<String, u32>, name: &str) -> u32 {
    if let Some(&i) = at.get(name) {
        return i;
    }
    let i = names.len() as u32;
    names.push(name.to_string());
    at.insert(name.to_string(), i);
    i
}

impl Table {
    pub fn new() -> Table {
        Table::default()
    }

    /// Adds one value; a pair given twice, a value below zero or a table beyond
    /// [`MAX_CELLS`] is refused (and nothing added).
    pub fn add(&mut self, location: &str, product: &str, value: f64) -> Result<(), TableError> {
        if !value.is_finite() || value < 0.0 {
            return Err(TableError::Invalid {
                location: location.into(),
                product: product.into(),
                value,
            });
        }
        let new_c = !self.location_at.contains_key(location) as usize;
        let new_p = !self.product_at.contains_key(product) as usize;
        let (locations, products) = (self.locations.len() + new_c, self.products.len() + new_p);
        if locations.saturating_mul(products) > MAX_CELLS {
            return Err(TableError::TooLarge {
                locations,
                products,
            });
        }
        let c = index_of(&mut self.locations, &mut self.location_at, location);
        let p = index_of(&mut self.products, &mut self.product_at, product);
        if !self.seen.insert((c as u64) << 32 | p as u64) {
            return Err(TableError::Repeated {
                location: location.into(),
                product: product.into(),
            });
        }
        self.entries.push((c, p, value));
        Ok(())
    }

    pub fn locations(&self) -> &[String] {
        &self.locations
    }

    pub fn products(&self) -> &[String] {
        &self.products
    }

    /// The values, dense and row-major (`[c * products + p]`).
    fn dense(&self) -> Vec<f64> {
        let n_p = self.products.len();
        let mut values = vec![0.0; self.locations.len() * n_p];
        for &(c, p, v) in &self.entries {
            values[c as usize * n_p + p as usize] = v;
        }
        values
    }
}

/// Presence from RCA (or RPOP) and the threshold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Presence {
    /// RCA > threshold, as Stata's `ecomplexity` (`M = (RCA :> rca)`).
    #[default]
    Above,
    /// RCA ≥ threshold, as py-ecomplexity.
    AtLeast,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Proximity {
    /// Co-occurrence over the larger ubiquity (Stata's default, symmetric).
    #[default]
    Discrete,
    /// (1 + correlation of RCA across locations) / 2 (Stata's `cont`).
    Continuous,
}

/// The proximity of a product to itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Diagonal {
    /// 0: Stata subtracts the identity, so density and COG count only other products.
    #[default]
    Zero,
    /// 1: py-ecomplexity keeps it, so a product counts towards its own density.
    One,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Normalisation {
    /// Stata: ECI's mean and *sample* SD over the long location × product table.
    #[default]
    LongTable,
    /// py-ecomplexity: ECI's mean and *population* SD over locations.
    Locations,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Measure {
    /// Balassa's revealed comparative advantage.
    Rca,
    /// Revealed per-capita advantage, with each location's population (by index in
    /// the table's locations).
    Rpop(Vec<f64>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    pub measure: Measure,
    pub threshold: f64,
    pub presence: Presence,
    pub proximity: Proximity,
    pub diagonal: Diagonal,
    pub normalisation: Normalisation,
}

impl Default for Options {
    /// Stata's defaults: RCA, threshold 1, strict presence, discrete proximity.
    fn default() -> Options {
        Options {
            measure: Measure::Rca,
            threshold: 1.0,
            presence: Presence::Above,
            proximity: Proximity::Discrete,
            diagonal: Diagonal::Zero,
            normalisation: Normalisation::LongTable,
        }
    }
}

/// Why the computation cannot start.
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// No location has a value above zero.
    Empty,
    /// RPOP without a positive population for a location.
    Population { location: String },
    /// The threshold is not a finite number.
    Threshold(f64),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(true))
    }
}

impl std::error::Error for Error {}

impl Error {
    pub fn text(&self, english: bool) -> String {
        match (self, english) {
            (Error::Empty, true) => "the table has no value above zero".into(),
            (Error::Empty, false) => "表中没有大于零的数值".into(),
            (Error::Population { location }, true) => {
                format!("location {location} has no population above zero")
            }
            (Error::Population { location }, false) => format!("地区 {location} 的人口不是正数"),
            (Error::Threshold(t), true) => format!("the threshold {t} is not a number"),
            (Error::Threshold(t), false) => format!("阈值 {t} 不是有效数字"),
        }
    }
}

/// Why some measures are missing (where Stata leaves them missing).
#[derive(Clone, Debug, PartialEq)]
pub enum Note {
    /// Left out of everything: their values sum to zero.
    NoValue {
        locations: Vec<String>,
        products: Vec<String>,
    },
    /// No ECI, PCI, COI, COG: these locations are present in no product.
    NoPresence { locations: Vec<String> },
    /// No density, ECI, PCI, COI, COG: no location is present in these products.
    Absent { products: Vec<String> },
    /// No ECI, PCI, COI, COG: the locations and products split into groups that have
    /// nothing in common, so the second eigenvector is not unique.
    Disconnected,
    /// No ECI, PCI, COI, COG: every location has the same ECI (or COI), so they cannot
    /// be standardised.
    Uniform,
    /// No density, ECI, PCI, COI, COG: these products are close to no other (no
    /// location holds them with another), so a density over their proximities is 0 / 0.
    Isolated { products: Vec<String> },
    /// No continuous proximity (nor density, COG): these products' RCA is the same in
    /// every location, so their correlation with others is undefined.
    Constant { products: Vec<String> },
}

fn list(names: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut s = names
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        s.push_str(&format!(" … ({})", names.len()));
    }
    s
}

impl Note {
    pub fn text(&self, english: bool) -> String {
        match (self, english) {
            (Note::NoValue { locations, products }, true) => format!(
                "left out, their values sum to zero: locations [{}], products [{}]",
                list(locations),
                list(products)
            ),
            (Note::NoValue { locations, products }, false) => format!(
                "数值合计为零，未参与计算：地区 [{}]，产品 [{}]",
                list(locations),
                list(products)
            ),
            (Note::NoPresence { locations }, true) => format!(
                "no ECI, PCI, COI or COG: {} present in no product at this threshold",
                list(locations)
            ),
            (Note::NoPresence { locations }, false) => format!(
                "无法计算 ECI、PCI、COI、COG：{} 在此阈值下没有任何优势产品",
                list(locations)
            ),
            (Note::Absent { products }, true) => format!(
                "no density, ECI, PCI, COI or COG: no location is present in {}",
                list(products)
            ),
            (Note::Absent { products }, false) => format!(
                "无法计算密度、ECI、PCI、COI、COG：没有地区在 {} 上具有优势",
                list(products)
            ),
            (Note::Disconnected, true) => "no ECI, PCI, COI or COG: the locations and products split into groups with nothing in common".into(),
            (Note::Disconnected, false) => "无法计算 ECI、PCI、COI、COG：地区与产品分成了互不相连的几组".into(),
            (Note::Uniform, true) => "no ECI, PCI, COI or COG: every location scores the same, so they cannot be standardised".into(),
            (Note::Uniform, false) => "无法计算 ECI、PCI、COI、COG：各地区得分相同，无法标准化".into(),
            (Note::Isolated { products }, true) => format!(
                "no density, ECI, PCI, COI or COG: {} share no location with any other product",
                list(products)
            ),
            (Note::Isolated { products }, false) => format!(
                "无法计算密度、ECI、PCI、COI、COG：没有地区同时拥有 {} 与其他产品",
                list(products)
            ),
            (Note::Constant { products }, true) => format!(
                "no continuous proximity, density or COG: the RCA of {} is the same everywhere",
                list(products)
            ),
            (Note::Constant { products }, false) => format!(
                "无法计算连续邻近度、密度、COG：{} 的 RCA 在各地区都相同",
                list(products)
            ),
        }
    }
}

/// ECI and PCI, standardised, and what follows from them.
#[derive(Clone, Debug, PartialEq)]
pub struct Indices {
    /// Per location.
    pub eci: Vec<f64>,
    /// Per product.
    pub pci: Vec<f64>,
    /// Per location.
    pub coi: Vec<f64>,
    /// Per location × product, row-major; 0 where present.
    pub cog: Vec<f64>,
}

/// The measures of one table. Locations and products are those with values, in the
/// table's order; matrices are row-major over them.
#[derive(Clone, Debug, PartialEq)]
pub struct Complexity {
    pub locations: Vec<String>,
    pub products: Vec<String>,
    /// RCA, or RPOP with [`Measure::Rpop`].
    pub rca: Vec<f64>,
    pub present: Vec<bool>,
    pub diversity: Vec<u32>,
    pub ubiquity: Vec<u32>,
    /// Products × products, diagonal 0.
    pub proximity: Option<Vec<f64>>,
    /// Locations × products.
    pub density: Option<Vec<f64>>,
    pub indices: Option<Indices>,
    pub notes: Vec<Note>,
}

impl Complexity {
    pub fn at(&self, location: usize, product: usize) -> usize {
        location * self.products.len() + product
    }
}

/// Computes every measure of `table` under `options`.
pub fn compute(table: &Table, options: &Options) -> Result<Complexity, Error> {
    if !options.threshold.is_finite() {
        return Err(Error::Threshold(options.threshold));
    }
    let (all_c, all_p) = (table.locations.len(), table.products.len());
    let full = table.dense();
    let value = |c: usize, p: usize| full[c * all_p + p];
    let row_total: Vec<f64> = (0..all_c)
        .map(|c| full[c * all_p..(c + 1) * all_p].iter().sum())
        .collect();
    let mut col_total = vec![0.0; all_p];
    for c in 0..all_c {
        for (t, v) in col_total.iter_mut().zip(&full[c * all_p..(c + 1) * all_p]) {
            *t += v;
        }
    }
    let kept_c: Vec<usize> = (0..all_c).filter(|&c| row_total[c] > 0.0).collect();
    let kept_p: Vec<usize> = (0..all_p).filter(|&p| col_total[p] > 0.0).collect();
    if kept_c.is_empty() || kept_p.is_empty() {
        return Err(Error::Empty);
    }
    let mut notes = Vec::new();
    if kept_c.len() < all_c || kept_p.len() < all_p {
        notes.push(Note::NoValue {
            locations: (0..all_c)
                .filter(|c| row_total[*c] <= 0.0)
                .map(|c| table.locations[c].clone())
                .collect(),
            products: (0..all_p)
                .filter(|p| col_total[*p] <= 0.0)
                .map(|p| table.products[p].clone())
                .collect(),
        });
    }
    let (n_c, n_p) = (kept_c.len(), kept_p.len());
    let x: Vec<f64> = kept_c
        .iter()
        .flat_map(|&c| kept_p.iter().map(move |&p| (c, p)))
        .map(|(c, p)| value(c, p))
        .collect();
    drop(full);
    let locations: Vec<String> = kept_c.iter().map(|&c| table.locations[c].clone()).collect();
    let products: Vec<String> = kept_p.iter().map(|&p| table.products[p].clone()).collect();

    let rca = advantage(&x, n_c, n_p, &options.measure, &kept_c, table)?;
    let present: Vec<bool> = rca
        .iter()
        .map(|&r| match options.presence {
            Presence::Above => r > options.threshold,
            Presence::AtLeast => r >= options.threshold,
        })
        .collect();
    let mut diversity = vec![0u32; n_c];
    let mut ubiquity = vec![0u32; n_p];
    // Each location's present products, ascending.
    let mut held: Vec<Vec<u32>> = vec![Vec::new(); n_c];
    for c in 0..n_c {
        for p in 0..n_p {
            if present[c * n_p + p] {
                diversity[c] += 1;
                ubiquity[p] += 1;
                held[c].push(p as u32);
            }
        }
    }
    let nowhere: Vec<String> = (0..n_p)
        .filter(|&p| ubiquity[p] == 0)
        .map(|p| products[p].clone())
        .collect();
    let nothing: Vec<String> = (0..n_c)
        .filter(|&c| diversity[c] == 0)
        .map(|c| locations[c].clone())
        .collect();

    let mut proximity = match options.proximity {
        Proximity::Discrete if nowhere.is_empty() => {
            Some(discrete_proximity(&held, &ubiquity, n_p))
        }
        Proximity::Discrete => None,
        Proximity::Continuous => {
            let (phi, constant) = continuous_proximity(&rca, n_c, n_p);
            if constant.is_empty() {
                Some(phi)
            } else {
                notes.push(Note::Constant {
                    products: constant.iter().map(|&p| products[p].clone()).collect(),
                });
                None
            }
        }
    };
    if let (Some(phi), Diagonal::One) = (&mut proximity, options.diagonal) {
        for p in 0..n_p {
            phi[p * n_p + p] = 1.0;
        }
    }
    if !nowhere.is_empty() {
        notes.push(Note::Absent {
            products: nowhere.clone(),
        });
    }
    if !nothing.is_empty() {
        notes.push(Note::NoPresence {
            locations: nothing.clone(),
        });
    }
    let mut row_sums: Option<Vec<f64>> = proximity.as_ref().map(|phi| {
        (0..n_p)
            .map(|p| phi[p * n_p..(p + 1) * n_p].iter().sum())
            .collect()
    });
    if let Some(sums) = &row_sums {
        let isolated: Vec<String> = (0..n_p)
            .filter(|&p| sums[p] <= 0.0)
            .map(|p| products[p].clone())
            .collect();
        if !isolated.is_empty() {
            notes.push(Note::Isolated { products: isolated });
            row_sums = None;
        }
    }
    let density = match (&proximity, &row_sums) {
        (Some(phi), Some(sums)) => Some(match options.proximity {
            Proximity::Discrete => discrete_density(&held, phi, sums, n_p),
            Proximity::Continuous => continuous_density(&rca, phi, sums, n_c, n_p),
        }),
        _ => None,
    };

    let indices = if !nothing.is_empty() || !nowhere.is_empty() {
        None
    } else {
        let kp = product_eigenvector(&held, &diversity, &ubiquity);
        match kp {
            None => {
                notes.push(Note::Disconnected);
                None
            }
            Some(kp) => match (&proximity, &row_sums, &density) {
                (Some(phi), Some(sums), Some(density)) => standardise(
                    kp,
                    &held,
                    &diversity,
                    &present,
                    phi,
                    sums,
                    density,
                    options.normalisation,
                )
                .or_else(|| {
                    notes.push(Note::Uniform);
                    None
                }),
                _ => None,
            },
        }
    };
    Ok(Complexity {
        locations,
        products,
        rca,
        present,
        diversity,
        ubiquity,
        proximity,
        density,
        indices,
        notes,
    })
}

fn advantage(
    x: &[f64],
    n_c: usize,
    n_p: usize,
    measure: &Measure,
    kept_c: &[usize],
    table: &Table,
) -> Result<Vec<f64>, Error> {
    let row: Vec<f64> = (0..n_c)
        .map(|c| x[c * n_p..(c + 1) * n_p].iter().sum())
        .collect();
    let col: Vec<f64> = (0..n_p)
        .map(|p| (0..n_c).map(|c| x[c * n_p + p]).sum())
        .collect();
    let total: f64 = row.iter().sum();
    Ok(match measure {
        Measure::Rca => (0..n_c * n_p)
            .map(|i| {
                let (c, p) = (i / n_p, i % n_p);
                (x[i] / row[c]) / (col[p] / total)
            })
            .collect(),
        Measure::Rpop(population) => {
            let pop: Vec<f64> = kept_c
                .iter()
                .map(|&c| {
                    let v = population.get(c).copied().unwrap_or(f64::NAN);
                    if v.is_finite() && v > 0.0 {
                        Ok(v)
                    } else {
                        Err(Error::Population {
                            location: table.locations[c].clone(),
                        })
                    }
                })
                .collect::<Result<_, _>>()?;
            let pop_total: f64 = pop.iter().sum();
            (0..n_c * n_p)
                .map(|i| {
                    let (c, p) = (i / n_p, i % n_p);
                    (x[i] / col[p]) / (pop[c] / pop_total)
                })
                .collect()
        }
    })
}

/// φ_pq = C_pq / max(u_p, u_q), C = MᵀM counted from each location's products.
fn discrete_proximity(held: &[Vec<u32>], ubiquity: &[u32], n_p: usize) -> Vec<f64> {
    let mut together = vec![0u32; n_p * n_p];
    for products in held {
        for &p in products {
            let row = &mut together[p as usize * n_p..(p as usize + 1) * n_p];
            for &q in products {
                row[q as usize] += 1;
            }
        }
    }
    let mut phi = vec![0.0; n_p * n_p];
    for p in 0..n_p {
        for q in 0..n_p {
            if p != q {
                phi[p * n_p + q] =
                    together[p * n_p + q] as f64 / ubiquity[p].max(ubiquity[q]) as f64;
            }
        }
    }
    phi
}

/// φ = (1 + corr) / 2 of the RCA columns across locations; the products whose column
/// is constant (no correlation) are returned instead when there are any.
fn continuous_proximity(rca: &[f64], n_c: usize, n_p: usize) -> (Vec<f64>, Vec<usize>) {
    // Centred, unit-length columns, stored product-major.
    let mut z = vec![0.0; n_p * n_c];
    let mut constant = Vec::new();
    for p in 0..n_p {
        let mean = (0..n_c).map(|c| rca[c * n_p + p]).sum::<f64>() / n_c as f64;
        let col = &mut z[p * n_c..(p + 1) * n_c];
        for c in 0..n_c {
            col[c] = rca[c * n_p + p] - mean;
        }
        let norm = col.iter().map(|v| v * v).sum::<f64>().sqrt();
        if norm == 0.0 {
            constant.push(p);
        } else {
            col.iter_mut().for_each(|v| *v /= norm);
        }
    }
    let mut phi = vec![0.0; n_p * n_p];
    if !constant.is_empty() {
        return (phi, constant);
    }
    for p in 0..n_p {
        for q in p + 1..n_p {
            let r: f64 = z[p * n_c..(p + 1) * n_c]
                .iter()
                .zip(&z[q * n_c..(q + 1) * n_c])
                .map(|(a, b)| a * b)
                .sum();
            let v = 0.5 * (1.0 + r);
            phi[p * n_p + q] = v;
            phi[q * n_p + p] = v;
        }
    }
    (phi, constant)
}

/// Fills each row of `out` (`n_p` wide, one per location) with `row(c, slice)`, the
/// locations split over the machine's cores.
fn by_location(out: &mut [f64], n_p: usize, row: impl Fn(usize, &mut [f64]) + Sync) {
    let n_c = out.len() / n_p.max(1);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per = n_c.div_ceil(threads).max(1);
    std::thread::scope(|s| {
        for (i, chunk) in out.chunks_mut(per * n_p).enumerate() {
            let row = &row;
            s.spawn(move || {
                for (k, r) in chunk.chunks_mut(n_p).enumerate() {
                    row(i * per + k, r);
                }
            });
        }
    });
}

/// density_cp = Σ_{p' held by c} φ_p'p / Σ_q φ_pq.
fn discrete_density(held: &[Vec<u32>], phi: &[f64], sums: &[f64], n_p: usize) -> Vec<f64> {
    let mut density = vec![0.0; held.len() * n_p];
    by_location(&mut density, n_p, |c, row| {
        for &q in &held[c] {
            let q = q as usize;
            for (d, f) in row.iter_mut().zip(&phi[q * n_p..(q + 1) * n_p]) {
                *d += f;
            }
        }
        for (d, s) in row.iter_mut().zip(sums) {
            *d /= s;
        }
    });
    density
}

/// density_cp = Σ_p' RCA_cp' φ_p'p / Σ_q φ_pq.
fn continuous_density(rca: &[f64], phi: &[f64], sums: &[f64], n_c: usize, n_p: usize) -> Vec<f64> {
    let mut density = vec![0.0; n_c * n_p];
    by_location(&mut density, n_p, |c, row| {
        for q in 0..n_p {
            let level = rca[c * n_p + q];
            for (d, f) in row.iter_mut().zip(&phi[q * n_p..(q + 1) * n_p]) {
                *d += level * f;
            }
        }
        for (d, s) in row.iter_mut().zip(sums) {
            *d /= s;
        }
    });
    density
}

/// PCI_raw: the second eigenvector of M̃, through the symmetric S ([`crate::eigen`]).
/// `None` when the second eigenvalue is 1 (the bipartite graph is disconnected).
fn product_eigenvector(held: &[Vec<u32>], diversity: &[u32], ubiquity: &[u32]) -> Option<Vec<f64>> {
    let n_p = ubiquity.len();
    let root: Vec<f64> = ubiquity.iter().map(|&u| (u as f64).sqrt()).collect();
    let norm = root.iter().map(|r| r * r).sum::<f64>().sqrt();
    let known: Vec<f64> = root.iter().map(|r| r / norm).collect();
    let apply = |x: &[f64], y: &mut [f64]| {
        y.iter_mut().for_each(|v| *v = 0.0);
        for (products, &d) in held.iter().zip(diversity) {
            let t: f64 = products
                .iter()
                .map(|&p| x[p as usize] / root[p as usize])
                .sum::<f64>()
                / d as f64;
            for &p in products {
                y[p as usize] += t;
            }
        }
        for (v, r) in y.iter_mut().zip(&root) {
            *v /= r;
        }
    };
    if n_p < 2 {
        return None;
    }
    let pair = eigen::largest_in_complement(apply, &known)?;
    if pair.value >= 1.0 - 1e-10 {
        return None;
    }
    Some(pair.vector.iter().zip(&root).map(|(v, r)| v / r).collect())
}

fn mean_and_sd(values: &[f64], repeat: usize, normalisation: Normalisation) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let squares: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    let sd = match normalisation {
        // Each location's value stands on `repeat` rows of the long table.
        Normalisation::LongTable => (squares * repeat as f64 / (n * repeat as f64 - 1.0)).sqrt(),
        Normalisation::Locations => (squares / n).sqrt(),
    };
    (mean, sd)
}

#[allow(clippy::too_many_arguments)]
fn standardise(
    mut kp: Vec<f64>,
    held: &[Vec<u32>],
    diversity: &[u32],
    present: &[bool],
    phi: &[f64],
    sums: &[f64],
    density: &[f64],
    normalisation: Normalisation,
) -> Option<Indices> {
    let (n_c, n_p) = (held.len(), kp.len());
    let mut kc: Vec<f64> = held
        .iter()
        .zip(diversity)
        .map(|(products, &d)| products.iter().map(|&p| kp[p as usize]).sum::<f64>() / d as f64)
        .collect();
    // The sign: ECI_raw correlates positively with diversity (Stata: −1 unless > 0).
    let dmean = diversity.iter().map(|&d| d as f64).sum::<f64>() / n_c as f64;
    let kmean = kc.iter().sum::<f64>() / n_c as f64;
    let covariance: f64 = diversity
        .iter()
        .zip(&kc)
        .map(|(&d, k)| (d as f64 - dmean) * (k - kmean))
        .sum();
    if covariance <= 0.0 {
        kp.iter_mut().for_each(|v| *v = -*v);
        kc.iter_mut().for_each(|v| *v = -*v);
    }
    let coi_raw: Vec<f64> = (0..n_c)
        .map(|c| {
            (0..n_p)
                .filter(|&p| !present[c * n_p + p])
                .map(|p| density[c * n_p + p] * kp[p])
                .sum()
        })
        .collect();
    // COG: T_p = Σ_p' φ_p'p w_p' with w = PCI_raw / row sums; a location subtracts
    // what its own products contribute.
    let w: Vec<f64> = kp.iter().zip(sums).map(|(k, s)| k / s).collect();
    let mut all = vec![0.0; n_p];
    for q in 0..n_p {
        for (t, f) in all.iter_mut().zip(&phi[q * n_p..(q + 1) * n_p]) {
            *t += f * w[q];
        }
    }
    let (mean, sd) = mean_and_sd(&kc, n_p, normalisation);
    let (coi_mean, coi_sd) = mean_and_sd(&coi_raw, n_p, normalisation);
    if !(sd > 0.0 && coi_sd > 0.0) {
        return None;
    }
    let mut cog = vec![0.0; n_c * n_p];
    by_location(&mut cog, n_p, |c, row| {
        row.copy_from_slice(&all);
        for &q in &held[c] {
            let q = q as usize;
            for (g, f) in row.iter_mut().zip(&phi[q * n_p..(q + 1) * n_p]) {
                *g -= f * w[q];
            }
        }
        for (p, g) in row.iter_mut().enumerate() {
            *g = if present[c * n_p + p] { 0.0 } else { *g / sd };
        }
    });
    Some(Indices {
        eci: kc.iter().map(|k| (k - mean) / sd).collect(),
        pci: kp.iter().map(|k| (k - mean) / sd).collect(),
        coi: coi_raw.iter().map(|k| (k - coi_mean) / coi_sd).collect(),
        cog,
    })
}
