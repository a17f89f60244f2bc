//! `chainatlas complexity` (economic complexity of any locations × products table) and
//! `chainatlas io` (input–output analysis of a symmetric table).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use chainatlas_bundle::{read_values, read_wide, ImportError, Wanted};
use chainatlas_complexity::{
    analyse, compute, Complexity, Diagonal, IoOptions, IoTable, Measure, Normalisation, Options,
    Presence, Proximity, Table,
};
use chainatlas_model::text;
use serde_json::json;

use crate::diagnose::{Lang, ReportFormat};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ProximityArg {
    Discrete,
    Continuous,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Conventions {
    /// Stata's `ecomplexity`: presence RCA > threshold; proximity diagonal 0; ECI's sample SD
    /// over the long table.
    Stata,
    /// py-ecomplexity: presence RCA ≥ threshold; proximity diagonal 1; ECI's population SD
    /// over locations.
    PyEcomplexity,
}

#[derive(clap::Args, Debug)]
pub struct ComplexityArgs {
    /// A long table (.csv or .xlsx): one row per location × product (× year).
    #[arg(long)]
    input: PathBuf,
    #[arg(long, default_value = "location")]
    location: String,
    #[arg(long, default_value = "product")]
    product: String,
    #[arg(long, default_value = "value")]
    value: String,
    /// A column of years (or periods): each is computed on its own.
    #[arg(long)]
    year: Option<String>,
    /// A column of each location's population: presence by RPOP (per capita) instead of RCA.
    #[arg(long)]
    population: Option<String>,
    /// Presence threshold on RCA (or RPOP).
    #[arg(long, default_value_t = 1.0)]
    threshold: f64,
    #[arg(long, value_enum, default_value_t = ProximityArg::Discrete)]
    proximity: ProximityArg,
    #[arg(long, value_enum, default_value_t = Conventions::Stata)]
    conventions: Conventions,
    #[command(flatten)]
    output: Output,
}

/// Where and how both commands write.
#[derive(clap::Args, Debug)]
pub struct Output {
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,
    /// Write to this file instead of the standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

fn output(out: &Option<PathBuf>) -> Result<Box<dyn Write>> {
    Ok(match out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("writing {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    })
}

fn refused(path: &Path, err: ImportError, english: bool) -> anyhow::Error {
    if let ImportError::Invalid { problems, omitted } = &err {
        let lang = if english {
            chainatlas_model::Lang::En
        } else {
            chainatlas_model::Lang::Zh
        };
        for p in problems {
            eprintln!("{}", p.text().get(lang));
        }
        let n = problems.len() as u64 + omitted;
        return anyhow::anyhow!(
            "{}",
            if english {
                format!("{n} problem(s) in {}; nothing was computed", path.display())
            } else {
                format!("{} 中有 {n} 处问题，未进行计算", path.display())
            }
        );
    }
    err.into()
}

/// A number cell as the table needs it: present.
fn needed(value: Option<f64>, what: &str) -> Result<f64, chainatlas_model::Text> {
    value.ok_or_else(|| text!("“{what}”为空", "'{what}' is empty"))
}

/// One period's table, and each location's population as a sum and a count (Stata
/// takes a location's mean population).
#[derive(Default)]
struct Year {
    table: Table,
    pops: BTreeMap<String, (f64, u32)>,
}

/// Rows of a `complexity` input kept at most, all years together (each year's table
/// alone is also bounded by its locations × products, `MAX_CELLS`).
pub const MAX_ROWS: usize = 20_000_000;

pub fn complexity(args: ComplexityArgs) -> Result<()> {
    let english = crate::lang() == Lang::En;
    let mut wanted = vec![
        Wanted::text(&args.location),
        Wanted::text(&args.product),
        Wanted::number(&args.value),
    ];
    if let Some(y) = &args.year {
        wanted.push(Wanted::text(y));
    }
    if let Some(p) = &args.population {
        wanted.push(Wanted::number(p));
    }
    let started = std::time::Instant::now();
    let year_at = args.year.as_ref().map(|_| 3);
    let pop_at = args.population.as_ref().map(|_| wanted.len() - 1);
    let mut years: BTreeMap<String, Year> = BTreeMap::new();
    let value_name = args.value.clone();
    let mut kept = 0usize;
    let rows = read_values(&args.input, &wanted, |row| {
        // The years' sparse tables are all kept until computed: bound them together.
        if kept == MAX_ROWS {
            return Err(text!(
                "所有年份合计超过 {MAX_ROWS} 行的上限，其余未予保留",
                "more than {MAX_ROWS} rows in all years, the limit: the rest was not kept"
            ));
        }
        kept += 1;
        let year = year_at.map_or(String::new(), |i| row.cells[i].clone());
        let Year { table, pops } = years.entry(year).or_default();
        let value = needed(row.numbers[2], &value_name)?;
        table
            .add(&row.cells[0], &row.cells[1], value)
            .map_err(|e| chainatlas_model::Text::new(e.text(false), e.text(true)))?;
        if let Some(i) = pop_at {
            let pop = needed(row.numbers[i], "population")?;
            let e = pops.entry(row.cells[0].clone()).or_insert((0.0, 0));
            e.0 += pop;
            e.1 += 1;
        }
        Ok(())
    })
    .map_err(|e| refused(&args.input, e, english))?;
    if years.is_empty() {
        bail!(
            "{}",
            if english {
                format!("{} has no rows", args.input.display())
            } else {
                format!("{} 没有数据行", args.input.display())
            }
        );
    }
    let read = started.elapsed();
    let stata = args.conventions == Conventions::Stata;
    // Each year is written as soon as it is computed and then dropped: a table of many
    // years holds one year's dense results at a time.
    let mut out = output(&args.output.out)?;
    let (mut computing, mut writing) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
    for (i, (year, Year { table, pops })) in years.iter().enumerate() {
        let began = std::time::Instant::now();
        let measure = match &args.population {
            None => Measure::Rca,
            Some(_) => Measure::Rpop(
                table
                    .locations()
                    .iter()
                    .map(|l| pops.get(l).map_or(f64::NAN, |(sum, n)| sum / *n as f64))
                    .collect(),
            ),
        };
        let options = Options {
            measure,
            threshold: args.threshold,
            presence: if stata {
                Presence::Above
            } else {
                Presence::AtLeast
            },
            proximity: match args.proximity {
                ProximityArg::Discrete => Proximity::Discrete,
                ProximityArg::Continuous => Proximity::Continuous,
            },
            diagonal: if stata { Diagonal::Zero } else { Diagonal::One },
            normalisation: if stata {
                Normalisation::LongTable
            } else {
                Normalisation::Locations
            },
        };
        let result = compute(table, &options).map_err(|e| {
            anyhow::anyhow!(
                "{}{}",
                if year.is_empty() {
                    String::new()
                } else {
                    format!("{year}: ")
                },
                e.text(english)
            )
        })?;
        for note in &result.notes {
            let when = if year.is_empty() {
                String::new()
            } else {
                format!("{year}: ")
            };
            eprintln!("{when}{}", note.text(english));
        }
        let computed = std::time::Instant::now();
        computing += computed - began;
        write_complexity(
            &mut out,
            year,
            &result,
            (args.year.is_some(), i == 0),
            args.output.format,
            english,
        )?;
        writing += computed.elapsed();
    }
    out.flush()?;
    let secs = [read, computing, writing].map(|d| d.as_secs_f64());
    if english {
        eprintln!(
            "{rows} rows: read {:.2} s, computed {:.2} s, written {:.2} s",
            secs[0], secs[1], secs[2]
        );
    } else {
        eprintln!(
            "{rows} 行：读取 {:.2} 秒，计算 {:.2} 秒，输出 {:.2} 秒",
            secs[0], secs[1], secs[2]
        );
    }
    Ok(())
}

fn cell(v: Option<f64>) -> String {
    v.map_or(String::new(), |v| v.to_string())
}

/// The row of one location × product: rca, M, density, eci, pci, diversity, ubiquity,
/// coi, cog (`None` where undefined).
fn measures(r: &Complexity, c: usize, p: usize) -> [Option<f64>; 9] {
    let at = r.at(c, p);
    let i = r.indices.as_ref();
    [
        Some(r.rca[at]),
        Some(r.present[at] as u8 as f64),
        r.density.as_ref().map(|d| d[at]),
        i.map(|i| i.eci[c]),
        i.map(|i| i.pci[p]),
        Some(r.diversity[c] as f64),
        Some(r.ubiquity[p] as f64),
        i.map(|i| i.coi[c]),
        i.map(|i| i.cog[at]),
    ]
}

const MEASURES: [&str; 9] = [
    "rca",
    "M",
    "density",
    "eci",
    "pci",
    "diversity",
    "ubiquity",
    "coi",
    "cog",
];

/// Writes one year's results; `(with_year, first)`: whether rows carry the year, and
/// whether this is the first year (the CSV header comes once).
fn write_complexity(
    out: &mut dyn Write,
    year: &str,
    r: &Complexity,
    (with_year, first): (bool, bool),
    format: ReportFormat,
    english: bool,
) -> Result<()> {
    match format {
        ReportFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            if first {
                let mut header: Vec<&str> = Vec::new();
                if with_year {
                    header.push("year");
                }
                header.extend(["location", "product"]);
                header.extend(MEASURES);
                w.write_record(&header)?;
            }
            {
                for c in 0..r.locations.len() {
                    for p in 0..r.products.len() {
                        let mut row: Vec<String> = Vec::with_capacity(12);
                        if with_year {
                            row.push(year.to_string());
                        }
                        row.push(r.locations[c].clone());
                        row.push(r.products[p].clone());
                        row.extend(measures(r, c, p).into_iter().map(cell));
                        w.write_record(
                            chainatlas_bundle::csv_safe::row(&row).map(|c| c.into_owned()),
                        )?;
                    }
                }
            }
            w.flush()?;
        }
        ReportFormat::Json => {
            for c in 0..r.locations.len() {
                for p in 0..r.products.len() {
                    let mut o = serde_json::Map::new();
                    if with_year {
                        o.insert("year".into(), json!(year));
                    }
                    o.insert("location".into(), json!(r.locations[c]));
                    o.insert("product".into(), json!(r.products[p]));
                    for (name, v) in MEASURES.iter().zip(measures(r, c, p)) {
                        o.insert((*name).into(), json!(v));
                    }
                    writeln!(out, "{}", serde_json::Value::Object(o))?;
                }
            }
        }
        ReportFormat::Table => {
            if with_year {
                writeln!(out, "== {year} ==")?;
            }
            writeln!(
                out,
                "{}",
                if english {
                    format!(
                        "{} locations × {} products",
                        r.locations.len(),
                        r.products.len()
                    )
                } else {
                    format!("{} 个地区 × {} 个产品", r.locations.len(), r.products.len())
                }
            )?;
            let Some(i) = &r.indices else {
                writeln!(
                    out,
                    "{}",
                    if english {
                        "no ECI (see the notes above)"
                    } else {
                        "无法计算 ECI（见上方说明）"
                    }
                )?;
                return Ok(());
            };
            let header = if english {
                ["location", "diversity", "COI"]
            } else {
                ["地区", "多样性", "COI"]
            };
            let coi: Vec<String> = i.coi.iter().map(|v| format!("{v:.3}")).collect();
            ranked(out, header, "ECI", &r.locations, &i.eci, &r.diversity, &coi)?;
            let header = if english {
                ["product", "ubiquity", ""]
            } else {
                ["产品", "普遍度", ""]
            };
            let none = vec![String::new(); r.products.len()];
            ranked(out, header, "PCI", &r.products, &i.pci, &r.ubiquity, &none)?;
        }
    }
    Ok(())
}

/// The 20 best by `score`: name, score, count and a last column.
fn ranked(
    out: &mut dyn Write,
    header: [&str; 3],
    score_name: &str,
    names: &[String],
    score: &[f64],
    count: &[u32],
    last: &[String],
) -> Result<()> {
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|a, b| score[*b].total_cmp(&score[*a]));
    writeln!(
        out,
        "{:<18} {:>7} {:>10} {:>8}",
        header[0], score_name, header[1], header[2]
    )?;
    for &k in order.iter().take(20) {
        writeln!(
            out,
            "{:<18} {:>7.3} {:>10} {:>8}",
            names[k], score[k], count[k], last[k]
        )?;
    }
    Ok(())
}

#[derive(clap::Args, Debug)]
pub struct IoArgs {
    /// A long table (.csv or .xlsx): `row,col,value`, the flows between sectors and a
    /// row `output` (total output); other rows and columns (final demand, value added,
    /// totals) are ignored. With --wide, the same as a sheet.
    #[arg(long)]
    input: PathBuf,
    /// The input is a wide sheet: the first column names each row (the sectors, `output`,
    /// value added…), the header names each column (its first cell is ignored).
    #[arg(long)]
    wide: bool,
    #[arg(long, default_value = "row")]
    row: String,
    #[arg(long, default_value = "col")]
    col: String,
    #[arg(long, default_value = "value")]
    value: String,
    /// The sectors, in order (comma-separated); by default every id that is both a row
    /// and a column, totals aside.
    #[arg(long, value_delimiter = ',')]
    sectors: Option<Vec<String>>,
    /// Round the output coefficients to this many decimals before inverting (the
    /// Eurostat Manual's published forward linkages use 4).
    #[arg(long)]
    output_digits: Option<u32>,
    #[command(flatten)]
    output: Output,
}

pub fn io(args: IoArgs) -> Result<()> {
    let english = crate::lang() == Lang::En;
    let mut cells: Vec<(String, String, Option<f64>)> = Vec::new();
    let mut keep = |row: &str, col: &str, value: Option<f64>| {
        if cells.len() >= chainatlas_complexity::MAX_IO_CELLS {
            let max = chainatlas_complexity::MAX_IO_CELLS;
            return Err(text!(
                "单元格超过 {max} 个的上限，其余未予保留",
                "more than {max} cells, the limit: the rest was not kept"
            ));
        }
        cells.push((row.to_string(), col.to_string(), value));
        Ok(())
    };
    let read = if args.wide {
        read_wide(&args.input, &mut keep)
    } else {
        read_values(
            &args.input,
            &[
                Wanted::text(&args.row),
                Wanted::text(&args.col),
                Wanted::number(&args.value),
            ],
            |row| keep(&row.cells[0], &row.cells[1], row.numbers[2]),
        )
    };
    read.map_err(|e| refused(&args.input, e, english))?;
    let table = IoTable::from_long(cells, args.sectors.as_deref())
        .map_err(|e| anyhow::anyhow!("{}: {}", args.input.display(), e.text(english)))?;
    let r = analyse(
        &table,
        &IoOptions {
            output_digits: args.output_digits,
        },
    )
    .map_err(|e| anyhow::anyhow!("{}: {}", args.input.display(), e.text(english)))?;
    let mut out = output(&args.output.out)?;
    const COLUMNS: [&str; 12] = [
        "sector",
        "backward",
        "forward",
        "backward_index",
        "forward_index",
        "class",
        "extraction_total",
        "extraction_backward",
        "extraction_forward",
        "extraction_total_share",
        "extraction_backward_share",
        "extraction_forward_share",
    ];
    let csv_row = |i: usize| -> Vec<String> {
        let e = &r.extraction[i];
        vec![
            r.sectors[i].clone(),
            r.backward[i].to_string(),
            r.forward[i].to_string(),
            r.backward_index[i].to_string(),
            r.forward_index[i].to_string(),
            // The stable code (key, backward, forward, weak) for machines.
            r.class[i].label().1.to_string(),
            e.total.to_string(),
            e.backward.to_string(),
            e.forward.to_string(),
            e.total_share.to_string(),
            e.backward_share.to_string(),
            e.forward_share.to_string(),
        ]
    };
    match args.output.format {
        ReportFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(COLUMNS)?;
            for i in 0..r.sectors.len() {
                w.write_record(
                    chainatlas_bundle::csv_safe::row(&csv_row(i)).map(|c| c.into_owned()),
                )?;
            }
            w.flush()?;
        }
        ReportFormat::Json => {
            for i in 0..r.sectors.len() {
                let e = &r.extraction[i];
                let line = json!({
                    "sector": r.sectors[i],
                    "backward": r.backward[i],
                    "forward": r.forward[i],
                    "backward_index": r.backward_index[i],
                    "forward_index": r.forward_index[i],
                    "class": r.class[i].label().1,
                    "extraction_total": e.total,
                    "extraction_backward": e.backward,
                    "extraction_forward": e.forward,
                    "extraction_total_share": e.total_share,
                    "extraction_backward_share": e.backward_share,
                    "extraction_forward_share": e.forward_share,
                });
                writeln!(out, "{line}")?;
            }
        }
        ReportFormat::Table => {
            writeln!(
                out,
                "{}",
                if english {
                    "sector                      backward  forward  b.index  f.index  class        extraction"
                } else {
                    "部门                        后向关联  前向关联  后向指数  前向指数  类型        假设抽取"
                }
            )?;
            for i in 0..r.sectors.len() {
                let (zh, en) = r.class[i].label();
                writeln!(
                    out,
                    "{:<26} {:>9.4} {:>8.4} {:>8.4} {:>8.4}  {:<12} {:>6.1}%",
                    r.sectors[i],
                    r.backward[i],
                    r.forward[i],
                    r.backward_index[i],
                    r.forward_index[i],
                    if english { en } else { zh },
                    r.extraction[i].total_share * 100.0
                )?;
            }
        }
    }
    out.flush()?;
    Ok(())
}
