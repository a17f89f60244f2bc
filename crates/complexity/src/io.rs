//! Input–output analysis of a symmetric table (sector × sector), in the conventions of
//! Miller and Blair (2009) and the Eurostat Manual (2008), as R's `iotables` and pymrio
//! use them:
//!
//! - **A** = Z x̂⁻¹ (input coefficients: each column over its sector's output) and the
//!   **Leontief inverse** L = (I − A)⁻¹;
//! - **B** = x̂⁻¹ Z (output coefficients: each row over its sector's output) and the
//!   **Ghosh inverse** G = (I − B)⁻¹;
//! - **backward linkages**, the column sums of L, and **forward linkages**, the row
//!   sums of G, each also over its mean (Rasmussen's indices); a **key sector** has both
//!   indices above 1, a backward- or forward-oriented one only that one, a weak one
//!   neither;
//! - **hypothetical extraction** (Miller and Blair §12.2): with final demand
//!   f = x − Z i and primary inputs v = x − Zᵀ i taken from the table, the output lost
//!   when a sector is taken out of the economy (its row and column of A and its final
//!   demand removed: `total`, including its own output), when it buys no intermediate
//!   inputs (its column of A zeroed: `backward`), and when it sells none (its row of B
//!   zeroed, by the Ghosh model: `forward`); each also as a share of total output.
//!
//! The published forward linkages of the Eurostat Manual come from output coefficients
//! rounded to 4 decimals before inverting; [`IoOptions::output_digits`] reproduces that.

use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub struct IoTable {
    pub sectors: Vec<String>,
    /// Intermediate flows, row-major: `z[i * n + j]` from sector i to sector j.
    pub z: Vec<f64>,
    /// Each sector's total output.
    pub output: Vec<f64>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct IoOptions {
    /// Round the output coefficients B to this many decimals before inverting (as the
    /// Eurostat Manual's published forward linkages do); `None` keeps them exact.
    pub output_digits: Option<u32>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum IoError {
    /// No sectors, or flows not n × n.
    Shape { sectors: usize, flows: usize },
    /// A sector's output is not a positive number.
    Output { sector: String, value: f64 },
    /// More sectors than [`MAX_SECTORS`].
    TooLarge { sectors: usize },
    /// A flow is negative or not a number.
    Flow {
        from: String,
        to: String,
        value: f64,
    },
    /// I − A has no non-negative inverse (or I − B none at all): some sectors use more
    /// inputs than they produce, and no final demand can be met.
    Unproductive,
}

impl IoError {
    pub fn text(&self, english: bool) -> String {
        match (self, english) {
            (IoError::Shape { sectors, flows }, true) => {
                format!("{sectors} sectors need {} flows, not {flows}", sectors * sectors)
            }
            (IoError::Shape { sectors, flows }, false) => {
                format!("{sectors} 个部门需要 {} 个流量，实际为 {flows}", sectors * sectors)
            }
            (IoError::TooLarge { sectors }, true) => {
                format!("{sectors} sectors exceed the limit of {MAX_SECTORS}")
            }
            (IoError::TooLarge { sectors }, false) => {
                format!("{sectors} 个部门超过了 {MAX_SECTORS} 个的上限")
            }
            (IoError::Output { sector, value }, true) => {
                format!("sector {sector}: output {value} is not above zero")
            }
            (IoError::Output { sector, value }, false) => {
                format!("部门 {sector}：总产出 {value} 不是正数")
            }
            (IoError::Flow { from, to, value }, true) => {
                format!("flow from {from} to {to}: {value} is not zero or more")
            }
            (IoError::Flow { from, to, value }, false) => {
                format!("{from} 到 {to} 的流量 {value} 不是非负数")
            }
            (IoError::Unproductive, true) => {
                "the economy is not productive: I − A has no non-negative inverse (some sectors' inputs exceed their output)".into()
            }
            (IoError::Unproductive, false) => {
                "经济系统不具生产性：I − A 没有非负逆矩阵（部分部门的中间投入超过了其总产出）".into()
            }
        }
    }
}

impl fmt::Display for IoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(true))
    }
}

impl std::error::Error for IoError {}

/// Names of rows and columns that total the sectors, never sectors themselves.
const TOTALS: &[&str] = &["total", "合计", "总计"];
/// Names of the row of total output.
const OUTPUT_ROWS: &[&str] = &["output", "总产出", "total_output"];

/// Why a long table (`row, col, value`) does not make an IO table.
#[derive(Clone, Debug, PartialEq)]
pub enum LongError {
    /// No id appears both as a row and a column.
    NoSectors,
    /// No row of total output.
    NoOutput,
    /// A cell the analysis needs is empty.
    Missing { row: String, col: String },
    /// The same cell twice.
    Repeated { row: String, col: String },
}

impl LongError {
    pub fn text(&self, english: bool) -> String {
        match (self, english) {
            (LongError::NoSectors, true) => {
                "no id is both a row and a column: the table has no sectors".into()
            }
            (LongError::NoSectors, false) => {
                "没有同时出现在行与列中的部门代码：表中没有部门".into()
            }
            (LongError::NoOutput, true) => format!(
                "no row of total output (one of: {})",
                OUTPUT_ROWS.join(", ")
            ),
            (LongError::NoOutput, false) => {
                format!("缺少总产出行（行代码应为 {} 之一）", OUTPUT_ROWS.join("、"))
            }
            (LongError::Missing { row, col }, true) => {
                format!("row {row}, column {col}: the value is empty")
            }
            (LongError::Missing { row, col }, false) => {
                format!("第 {row} 行、第 {col} 列：数值为空")
            }
            (LongError::Repeated { row, col }, true) => {
                format!("row {row}, column {col} appears twice")
            }
            (LongError::Repeated { row, col }, false) => {
                format!("第 {row} 行、第 {col} 列出现了两次")
            }
        }
    }
}

impl IoTable {
    /// Builds a table from long cells (`row`, `col`, value or empty), as
    /// `iotables`' data sets are written: the sectors are `sectors` if given, else the ids
    /// found both as a row and a column, in row order, totals aside (`total`, 合计,
    /// 总计); their output is the row `output` (or 总产出, `total_output`). A pair not
    /// given is a zero flow; an empty cell the analysis needs is refused.
    pub fn from_long(
        cells: impl IntoIterator<Item = (String, String, Option<f64>)>,
        sectors: Option<&[String]>,
    ) -> Result<IoTable, LongError> {
        let mut rows: Vec<String> = Vec::new();
        let mut cols: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut values: std::collections::HashMap<(String, String), Option<f64>> =
            std::collections::HashMap::new();
        for (row, col, value) in cells {
            if !rows.contains(&row) {
                rows.push(row.clone());
            }
            cols.insert(col.clone());
            if values.insert((row.clone(), col.clone()), value).is_some() {
                return Err(LongError::Repeated { row, col });
            }
        }
        let is_total = |id: &str| TOTALS.iter().any(|t| id.eq_ignore_ascii_case(t));
        let sectors: Vec<String> = match sectors {
            Some(s) => s.to_vec(),
            None => rows
                .iter()
                .filter(|r| cols.contains(*r) && !is_total(r))
                .cloned()
                .collect(),
        };
        if sectors.is_empty() {
            return Err(LongError::NoSectors);
        }
        let output_row = rows
            .iter()
            .find(|r| OUTPUT_ROWS.iter().any(|o| r.eq_ignore_ascii_case(o)))
            .ok_or(LongError::NoOutput)?;
        let cell = |row: &String, col: &String| match values.get(&(row.clone(), col.clone())) {
            None => Ok(0.0),
            Some(Some(v)) => Ok(*v),
            Some(None) => Err(LongError::Missing {
                row: row.clone(),
                col: col.clone(),
            }),
        };
        let mut z = Vec::with_capacity(sectors.len() * sectors.len());
        for r in &sectors {
            for c in &sectors {
                z.push(cell(r, c)?);
            }
        }
        let output = sectors
            .iter()
            .map(|c| cell(output_row, c))
            .collect::<Result<_, _>>()?;
        Ok(IoTable { sectors, z, output })
    }
}

/// Rasmussen's classification by the two normalised linkages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SectorClass {
    /// Both indices above 1.
    Key,
    /// Only the backward index above 1: a strong buyer.
    Backward,
    /// Only the forward index above 1: a strong supplier.
    Forward,
    /// Neither.
    Weak,
}

impl SectorClass {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            SectorClass::Key => ("关键部门", "key"),
            SectorClass::Backward => ("后向带动型", "backward"),
            SectorClass::Forward => ("前向支撑型", "forward"),
            SectorClass::Weak => ("弱关联", "weak"),
        }
    }
}

/// Output lost when a sector is hypothetically extracted.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Extraction {
    pub total: f64,
    pub backward: f64,
    pub forward: f64,
    /// Each of the above over total output.
    pub total_share: f64,
    pub backward_share: f64,
    pub forward_share: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IoAnalysis {
    pub sectors: Vec<String>,
    /// n × n, row-major.
    pub a: Vec<f64>,
    pub leontief: Vec<f64>,
    pub b: Vec<f64>,
    pub ghosh: Vec<f64>,
    pub backward: Vec<f64>,
    pub forward: Vec<f64>,
    pub backward_index: Vec<f64>,
    pub forward_index: Vec<f64>,
    pub class: Vec<SectorClass>,
    pub extraction: Vec<Extraction>,
}

/// LU decomposition with partial pivoting of an n × n matrix, row-major.
struct Lu {
    n: usize,
    lu: Vec<f64>,
    pivot: Vec<usize>,
}

impl Lu {
    fn new(mut m: Vec<f64>, n: usize) -> Option<Lu> {
        let mut pivot: Vec<usize> = (0..n).collect();
        let scale = m
            .iter()
            .fold(0.0f64, |s, v| s.max(v.abs()))
            .max(f64::MIN_POSITIVE);
        for k in 0..n {
            let (best, size) = (k..n)
                .map(|i| (i, m[i * n + k].abs()))
                .fold((k, -1.0), |a, b| if b.1 > a.1 { b } else { a });
            if size <= 1e-13 * scale {
                return None;
            }
            if best != k {
                for j in 0..n {
                    m.swap(k * n + j, best * n + j);
                }
                pivot.swap(k, best);
            }
            let d = m[k * n + k];
            for i in k + 1..n {
                let f = m[i * n + k] / d;
                m[i * n + k] = f;
                if f != 0.0 {
                    for j in k + 1..n {
                        m[i * n + j] -= f * m[k * n + j];
                    }
                }
            }
        }
        Some(Lu { n, lu: m, pivot })
    }

    /// Solves M x = b.
    fn solve(&self, b: &[f64]) -> Vec<f64> {
        let n = self.n;
        let mut x: Vec<f64> = self.pivot.iter().map(|&p| b[p]).collect();
        for i in 0..n {
            for k in 0..i {
                x[i] -= self.lu[i * n + k] * x[k];
            }
        }
        for i in (0..n).rev() {
            for k in i + 1..n {
                x[i] -= self.lu[i * n + k] * x[k];
            }
            x[i] /= self.lu[i * n + i];
        }
        x
    }

    fn inverse(&self) -> Vec<f64> {
        let n = self.n;
        let mut inv = vec![0.0; n * n];
        let mut e = vec![0.0; n];
        for j in 0..n {
            e.iter_mut().for_each(|v| *v = 0.0);
            e[j] = 1.0;
            for (i, v) in self.solve(&e).into_iter().enumerate() {
                inv[i * n + j] = v;
            }
        }
        inv
    }
}

fn identity_minus(m: &[f64], n: usize) -> Vec<f64> {
    let mut out: Vec<f64> = m.iter().map(|v| -v).collect();
    for i in 0..n {
        out[i * n + i] += 1.0;
    }
    out
}

/// Sectors of one table at most: its matrices are dense (n² values each) and inverted
/// (n³), so 2,000 sectors cost about 160 MB and seconds.
pub const MAX_SECTORS: usize = 2_000;

/// Long cells read at most for one table: every cell of [`MAX_SECTORS`] sectors and a
/// margin of totals, final demand and value added.
pub const MAX_CELLS: usize = (MAX_SECTORS + 50) * (MAX_SECTORS + 50);

/// Analyses `table` under `options`.
pub fn analyse(table: &IoTable, options: &IoOptions) -> Result<IoAnalysis, IoError> {
    let n = table.sectors.len();
    if n > MAX_SECTORS {
        return Err(IoError::TooLarge { sectors: n });
    }
    if n == 0 || table.z.len() != n * n || table.output.len() != n {
        return Err(IoError::Shape {
            sectors: n,
            flows: table.z.len(),
        });
    }
    for (s, &x) in table.sectors.iter().zip(&table.output) {
        if !(x.is_finite() && x > 0.0) {
            return Err(IoError::Output {
                sector: s.clone(),
                value: x,
            });
        }
    }
    for i in 0..n {
        for j in 0..n {
            let v = table.z[i * n + j];
            if !(v.is_finite() && v >= 0.0) {
                return Err(IoError::Flow {
                    from: table.sectors[i].clone(),
                    to: table.sectors[j].clone(),
                    value: v,
                });
            }
        }
    }
    let x = &table.output;
    let z = &table.z;
    let a: Vec<f64> = (0..n * n).map(|k| z[k] / x[k % n]).collect();
    let round = |v: f64| match options.output_digits {
        Some(d) => {
            let s = 10f64.powi(d as i32);
            (v * s).round() / s
        }
        None => v,
    };
    let b: Vec<f64> = (0..n * n).map(|k| round(z[k] / x[k / n])).collect();
    let leontief_lu = Lu::new(identity_minus(&a, n), n).ok_or(IoError::Unproductive)?;
    let leontief = leontief_lu.inverse();
    if leontief.iter().any(|v| *v < 0.0) {
        return Err(IoError::Unproductive);
    }
    let ghosh = Lu::new(identity_minus(&b, n), n)
        .ok_or(IoError::Unproductive)?
        .inverse();
    // B = x̂⁻¹ A x̂ has A's spectrum, so G ≥ 0 whenever L ≥ 0; but coefficients rounded
    // with `output_digits` can still tip it over.
    if ghosh.iter().any(|v| *v < 0.0) {
        return Err(IoError::Unproductive);
    }
    let backward: Vec<f64> = (0..n)
        .map(|j| (0..n).map(|i| leontief[i * n + j]).sum())
        .collect();
    let forward: Vec<f64> = (0..n)
        .map(|i| ghosh[i * n..(i + 1) * n].iter().sum())
        .collect();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (mb, mf) = (mean(&backward), mean(&forward));
    let backward_index: Vec<f64> = backward.iter().map(|v| v / mb).collect();
    let forward_index: Vec<f64> = forward.iter().map(|v| v / mf).collect();
    let class = backward_index
        .iter()
        .zip(&forward_index)
        .map(|(&bi, &fi)| match (bi > 1.0, fi > 1.0) {
            (true, true) => SectorClass::Key,
            (true, false) => SectorClass::Backward,
            (false, true) => SectorClass::Forward,
            (false, false) => SectorClass::Weak,
        })
        .collect();

    // Hypothetical extraction, with final demand and primary inputs from the table.
    let f: Vec<f64> = (0..n)
        .map(|i| x[i] - z[i * n..(i + 1) * n].iter().sum::<f64>())
        .collect();
    let v: Vec<f64> = (0..n)
        .map(|j| x[j] - (0..n).map(|i| z[i * n + j]).sum::<f64>())
        .collect();
    // Each extraction from the inverses already at hand, not a new inverse per sector
    // (n of them would cost n⁴). With x = L f and s = vᵀ G:
    // - total: removing row and column j leaves the Schur complement of L, so the
    //   output left is Σx − x_j − x_j (Σ_i L_ij − L_jj) / L_jj: lost x_j · B_j / L_jj;
    // - backward: zeroing column j of A is a rank-one change of I − A (Sherman–Morrison;
    //   L a_j is column j of L − I): lost (B_j − 1) · x_j / L_jj;
    // - forward: zeroing row j of B, the same on the Ghosh side: lost (F_j − 1) · s_j / G_jj.
    let xs = leontief_lu.solve(&f);
    let base: f64 = xs.iter().sum();
    let supply: Vec<f64> = (0..n)
        .map(|j| (0..n).map(|i| v[i] * ghosh[i * n + j]).sum())
        .collect();
    let base_supply: f64 = supply.iter().sum();
    let extraction = (0..n)
        .map(|j| {
            let (ljj, gjj) = (leontief[j * n + j], ghosh[j * n + j]);
            let total = xs[j] * backward[j] / ljj;
            let tb = (backward[j] - 1.0) * xs[j] / ljj;
            let tf = (forward[j] - 1.0) * supply[j] / gjj;
            Extraction {
                total,
                backward: tb,
                forward: tf,
                total_share: total / base,
                backward_share: tb / base,
                forward_share: tf / base_supply,
            }
        })
        .collect();
    Ok(IoAnalysis {
        sectors: table.sectors.clone(),
        a,
        leontief,
        b,
        ghosh,
        backward,
        forward,
        backward_index,
        forward_index,
        class,
        extraction,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_sectors() -> IoTable {
        // A = [[0.2, 0.3], [0.4, 0.1]] with x = (100, 200): Z = A x̂.
        IoTable {
            sectors: vec!["a".into(), "b".into()],
            z: vec![20.0, 60.0, 40.0, 20.0],
            output: vec![100.0, 200.0],
        }
    }

    #[test]
    fn a_hand_checked_two_sector_economy() {
        let r = analyse(&two_sectors(), &IoOptions::default()).unwrap();
        // (I − A)⁻¹ = [[0.9, 0.3], [0.4, 0.8]] / 0.6.
        let want = [1.5, 0.5, 2.0 / 3.0, 4.0 / 3.0];
        for (g, w) in r.leontief.iter().zip(want) {
            assert!((g - w).abs() < 1e-12, "{:?}", r.leontief);
        }
        assert!((r.backward[0] - (1.5 + 2.0 / 3.0)).abs() < 1e-12);
        assert!((r.backward[1] - (0.5 + 4.0 / 3.0)).abs() < 1e-12);
        // f = x − Z i = (20, 140); without b, a alone: x_a = 20 / 0.8 = 25, so the
        // economy loses 300 − 25.
        assert!(
            (r.extraction[1].total - 275.0).abs() < 1e-9,
            "{:?}",
            r.extraction
        );
        // b buying nothing: a alone meets its 20, x_a = 25, b then 140 + 0.4 · 25 = 150,
        // 125 lost. b selling nothing (Ghosh, v = (40, 120)): x_a = 40 / 0.8 = 50,
        // x_b = 120 + 0.6 · 50 = 150, 100 lost.
        assert!(
            (r.extraction[1].backward - 125.0).abs() < 1e-9,
            "{:?}",
            r.extraction
        );
        assert!(
            (r.extraction[1].forward - 100.0).abs() < 1e-9,
            "{:?}",
            r.extraction
        );
    }

    #[test]
    fn a_table_beyond_the_sector_limit_is_refused_before_any_work() {
        let n = MAX_SECTORS + 1;
        let t = IoTable {
            sectors: (0..n).map(|i| i.to_string()).collect(),
            z: vec![0.0; n * n],
            output: vec![1.0; n],
        };
        let err = analyse(&t, &IoOptions::default()).unwrap_err();
        assert_eq!(err, IoError::TooLarge { sectors: n });
        assert!(err.text(false).contains("上限"));
    }

    #[test]
    fn an_unproductive_economy_is_refused() {
        // Columns of A summing to 1.2 (a negative inverse) and to 1 (no inverse).
        for flow in [60.0, 50.0] {
            let t = IoTable {
                sectors: vec!["a".into(), "b".into()],
                z: vec![flow; 4],
                output: vec![100.0, 100.0],
            };
            assert_eq!(
                analyse(&t, &IoOptions::default()),
                Err(IoError::Unproductive)
            );
        }
    }
}
