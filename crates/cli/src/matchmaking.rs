//! `chainatlas match`, `chainatlas index` and `chainatlas evaluate`: matchmaking from the
//! command line, on two spreadsheets or on the database's listings.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use chainatlas_app::matchmaking::{self as mm, Matchmaker, StoreAtlas};
use chainatlas_bundle::{csv_safe, read_match_list, ImportError, ListRow};
use chainatlas_matching::eval::{evaluate_pairs, read_pairs, Metrics, PairSet, Record};
use chainatlas_matching::{
    self as matching, Analysis, Atlas, Config, Entry, ListingIndex, Match, TextWeights,
};
use chainatlas_model::{Date, ListingId, ListingKind, ListingSide, ListingStatus};
use chainatlas_store::Store;
use serde::Serialize;

use crate::diagnose::{Lang, ReportFormat};

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["demands", "demand", "supply", "all", "latency"])))]
pub struct MatchArgs {
    /// A demand list (.csv or .xlsx) to match against --supplies, without a database.
    #[arg(long, requires = "supplies")]
    demands: Option<PathBuf>,
    /// A supply list (.csv or .xlsx).
    #[arg(long, requires = "demands")]
    supplies: Option<PathBuf>,
    /// Rank supplies for this demand listing of the database.
    #[arg(long)]
    demand: Option<i64>,
    /// Rank demands for this supply listing of the database.
    #[arg(long)]
    supply: Option<i64>,
    /// Rank supplies for every open demand of the database and write a match sheet.
    #[arg(long, requires = "out")]
    all: bool,
    /// The match sheet of --all: FILE.csv or FILE.xlsx.
    #[arg(long)]
    out: Option<PathBuf>,
    /// With --all: match only the first N open demands (benchmarks, trials).
    #[arg(long)]
    max_demands: Option<usize>,
    /// Time N single-demand rankings (spread over the open demands) and print latency
    /// percentiles instead of matches.
    #[arg(long, conflicts_with_all = ["demands", "demand", "supply", "all"])]
    latency: Option<usize>,
    /// Candidates per query.
    #[arg(long, default_value_t = 10)]
    top: usize,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,
    /// Score settings, e.g. `region=0.3,elsewhere=0` (see docs/matching.md).
    #[arg(long, default_value = "")]
    weights: String,
    /// Judge validity on this day (YYYY-MM-DD) instead of today.
    #[arg(long)]
    today: Option<Date>,
}

/// One query's ranked candidates, as JSON prints it.
#[derive(Serialize)]
struct QueryMatches {
    query: String,
    title: String,
    matches: Vec<Candidate>,
}

#[derive(Serialize)]
struct Candidate {
    id: String,
    title: String,
    score: f64,
    breakdown: HashMap<&'static str, f64>,
    reasons_zh: Vec<String>,
    reasons_en: Vec<String>,
}

fn candidate(m: &Match, id: String, atlas: &dyn Atlas) -> Candidate {
    let s = &m.score;
    let r = |x: f64| (x * 10_000.0).round() / 10_000.0;
    Candidate {
        id,
        title: m.candidate.title.clone(),
        score: r(s.total),
        breakdown: [
            ("text", s.text),
            ("node", s.node),
            ("region", s.region),
            ("tags", s.tags),
            ("quantity", s.quantity),
            ("price", s.price),
            ("validity", s.validity),
        ]
        .into_iter()
        .map(|(k, v)| (k, r(v)))
        .collect(),
        reasons_zh: m.reasons.iter().map(|x| x.text(atlas, false)).collect(),
        reasons_en: m.reasons.iter().map(|x| x.text(atlas, true)).collect(),
    }
}

fn config(args: &MatchArgs) -> Result<Config> {
    let mut config = Config::new(args.today.unwrap_or_else(crate::today));
    config
        .apply(&args.weights)
        .map_err(|e| anyhow::anyhow!("--weights {e}"))?;
    Ok(config)
}

pub fn run(db: &Path, args: MatchArgs) -> Result<()> {
    if args.top == 0 {
        bail!("--top must be at least 1");
    }
    let config = config(&args)?;
    let results = if let (Some(d), Some(s)) = (&args.demands, &args.supplies) {
        match_lists(d, s, &config, args.top)?
    } else {
        let store = crate::open(db)?;
        let matchmaker = open_index(&store)?;
        let atlas = StoreAtlas::load(&store)?;
        if args.all {
            return match_all(&store, &matchmaker, &atlas, &config, &args);
        }
        if let Some(n) = args.latency {
            return latency(&store, &matchmaker, &atlas, &config, args.top, n);
        }
        let id = args.demand.or(args.supply).expect("clap requires one");
        let listing = store
            .listing(ListingId(id))?
            .with_context(|| format!("there is no listing {id}"))?;
        let wanted = if args.demand.is_some() {
            ListingSide::Demand
        } else {
            ListingSide::Supply
        };
        if listing.side != wanted {
            bail!(
                "listing {id} is a {} listing, not a {}",
                listing.side,
                wanted
            );
        }
        if !matching::is_live(&mm::entry(&listing), config.today) {
            bail!(
                "listing {id} is closed or past its validity ({}): it is matched with nothing",
                listing
                    .valid_until
                    .map_or_else(|| "closed".to_string(), |d| format!("valid until {d}"))
            );
        }
        let matches = matchmaker.matches(&listing, &atlas, &config, args.top)?;
        vec![QueryMatches {
            query: id.to_string(),
            title: listing.title.clone(),
            matches: matches
                .iter()
                .map(|m| candidate(m, m.candidate.id.to_string(), &atlas))
                .collect(),
        }]
    };
    print(&results, args.format, crate::lang())
}

/// Opens the database's listing index, saying so when it had to be rebuilt.
fn open_index(store: &Store) -> Result<Matchmaker> {
    let (matchmaker, rebuilt) = Matchmaker::open(store)?;
    if let Some(r) = rebuilt {
        eprintln!(
            "listing index {} was {}: rebuilt {} listings in {:.1?}",
            matchmaker.dir().display(),
            r.why,
            r.listings,
            r.took
        );
    }
    Ok(matchmaker)
}

fn print(results: &[QueryMatches], format: ReportFormat, lang: Lang) -> Result<()> {
    let mut out = std::io::stdout().lock();
    let reasons = |c: &Candidate| {
        if lang == Lang::Zh {
            c.reasons_zh.join("；")
        } else {
            c.reasons_en.join("; ")
        }
    };
    match format {
        ReportFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(results)?)?,
        ReportFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "query",
                "rank",
                "candidate",
                "candidate_title",
                "score",
                "reasons",
            ])?;
            for q in results {
                for (i, c) in q.matches.iter().enumerate() {
                    let row = [
                        q.query.clone(),
                        (i + 1).to_string(),
                        c.id.clone(),
                        c.title.clone(),
                        format!("{:.4}", c.score),
                        reasons(c),
                    ];
                    w.write_record(csv_safe::row(&row).map(|c| c.into_owned()))?;
                }
            }
            w.flush()?;
        }
        ReportFormat::Table => {
            for q in results {
                writeln!(out, "{}  {}", q.query, q.title)?;
                if q.matches.is_empty() {
                    writeln!(out, "    (no candidates)")?;
                }
                for (i, c) in q.matches.iter().enumerate() {
                    writeln!(
                        out,
                        "  {:>2}. {:<10} {:.3}  {}",
                        i + 1,
                        c.id,
                        c.score,
                        c.title
                    )?;
                    writeln!(out, "      {}", reasons(c))?;
                }
            }
        }
    }
    Ok(())
}

/// Chain node codes of two lists, numbered; relations between nodes are unknown without
/// the atlas, so only "same node" counts.
#[derive(Default)]
struct ListAtlas {
    codes: Vec<String>,
}

impl ListAtlas {
    fn node(&mut self, code: &Option<String>) -> Option<u64> {
        let code = code.as_ref()?.trim().to_lowercase();
        let at = match self.codes.iter().position(|c| *c == code) {
            Some(at) => at,
            None => {
                self.codes.push(code);
                self.codes.len() - 1
            }
        };
        Some(at as u64)
    }
}

impl Atlas for ListAtlas {
    fn node_label(&self, node: u64, _english: bool) -> String {
        self.codes.get(node as usize).cloned().unwrap_or_default()
    }
}

fn list_entry(row: &ListRow, index: usize, side: ListingSide, atlas: &mut ListAtlas) -> Entry {
    Entry {
        id: index as u64,
        side,
        kind: ListingKind::Product,
        enterprise: None,
        node: atlas.node(&row.node),
        region: row.region,
        title: row.title.clone(),
        description: row.description.clone(),
        quantity: row.quantity,
        unit: row.unit.clone(),
        price: row.price,
        valid_until: None,
        status: ListingStatus::Open,
        tags: row.tags.clone(),
    }
}

fn read_list(path: &Path) -> Result<Vec<ListRow>> {
    match read_match_list(path) {
        Ok(rows) => Ok(rows),
        Err(ImportError::Invalid { problems, .. }) => {
            for p in &problems {
                eprintln!("{}", crate::say(&p.text()));
            }
            let (n, from) = (problems.len(), path.display());
            let s = if n == 1 { "" } else { "s" };
            bail!(
                "{}",
                crate::say(&chainatlas_model::text!(
                    "{from} 中有 {n} 个问题；未做匹配",
                    "{n} problem{s} in {from}; nothing was matched"
                ))
            )
        }
        Err(e) => Err(crate::import_error(path, e)),
    }
}

fn match_lists(
    demands: &Path,
    supplies: &Path,
    config: &Config,
    top: usize,
) -> Result<Vec<QueryMatches>> {
    // Both lists are read in full before anything is matched: a bad cell in either stops
    // the run with every problem listed.
    let (d, s) = (read_list(demands), read_list(supplies));
    let (demands, supplies) = match (d, s) {
        (Ok(d), Ok(s)) => (d, s),
        (Err(e), Ok(_)) | (Ok(_), Err(e)) => return Err(e),
        (Err(e), Err(f)) => return Err(e.context(format!("{f:#}"))),
    };
    let mut atlas = ListAtlas::default();
    let index = ListingIndex::in_memory(Analysis::Bilingual, config.text.title_boost)?;
    let mut batch = index.batch()?;
    for (i, row) in supplies.iter().enumerate() {
        batch.add(&list_entry(row, i, ListingSide::Supply, &mut atlas))?;
    }
    batch.commit("list")?;
    let queries: Vec<Entry> = demands
        .iter()
        .enumerate()
        .map(|(i, row)| list_entry(row, i, ListingSide::Demand, &mut atlas))
        .collect();
    queries
        .iter()
        .zip(&demands)
        .map(|(q, row)| {
            let matches = matching::rank(&index, q, &atlas, config, top)?;
            Ok(QueryMatches {
                query: row.id.clone(),
                title: row.title.clone(),
                matches: matches
                    .iter()
                    .map(|m| candidate(m, supplies[m.candidate.id as usize].id.clone(), &atlas))
                    .collect(),
            })
        })
        .collect()
}

/// Every open, valid demand against every supply, on all cores, into a match sheet.
fn match_all(
    store: &Store,
    matchmaker: &Matchmaker,
    atlas: &StoreAtlas,
    config: &Config,
    args: &MatchArgs,
) -> Result<()> {
    let started = Instant::now();
    let (top, out, lang) = (
        args.top,
        args.out.as_deref().expect("clap requires --out"),
        crate::lang(),
    );
    let demands = live_demands(store, config.today, args.max_demands.unwrap_or(usize::MAX))?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = demands.len().div_ceil(threads).max(1);
    let ranked: Vec<Result<Vec<Match>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = demands
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|d| Ok(matchmaker.matches(d, atlas, config, top)?))
                        .collect::<Vec<Result<Vec<Match>>>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("matching thread panicked"))
            .collect()
    });
    let took = started.elapsed();
    let english = lang == Lang::En;
    let header = [
        "demand",
        "demand_title",
        "rank",
        "supply",
        "supply_title",
        "supply_enterprise",
        "score",
        "text",
        "node",
        "region",
        "tags",
        "quantity",
        "price",
        "validity",
        "reasons",
    ];
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (d, matches) in demands.iter().zip(ranked) {
        for (i, m) in matches?.iter().enumerate() {
            let s = &m.score;
            let sep = if english { "; " } else { "；" };
            rows.push(vec![
                d.id.to_string(),
                d.title.clone(),
                (i + 1).to_string(),
                m.candidate.id.to_string(),
                m.candidate.title.clone(),
                m.candidate
                    .enterprise
                    .map(|e| e.to_string())
                    .unwrap_or_default(),
                format!("{:.4}", s.total),
                format!("{:.4}", s.text),
                format!("{:.4}", s.node),
                format!("{:.4}", s.region),
                format!("{:.4}", s.tags),
                format!("{:.4}", s.quantity),
                format!("{:.4}", s.price),
                format!("{:.4}", s.validity),
                m.reasons
                    .iter()
                    .map(|r| r.text(atlas, english))
                    .collect::<Vec<_>>()
                    .join(sep),
            ]);
        }
    }
    write_sheet(out, &header, &rows)?;
    eprintln!(
        "matched {} open demands (top {top}) in {:.1?}; wrote {} rows to {}",
        demands.len(),
        took,
        rows.len(),
        out.display()
    );
    Ok(())
}

/// The first `max` open demands still valid on `today`, in id order.
fn live_demands(store: &Store, today: Date, max: usize) -> Result<Vec<chainatlas_model::Listing>> {
    let mut demands = Vec::new();
    for id in store.open_listing_ids(ListingSide::Demand)? {
        if demands.len() == max {
            break;
        }
        if let Some(l) = store.listing(id)? {
            if matching::is_live(&mm::entry(&l), today) {
                demands.push(l);
            }
        }
    }
    Ok(demands)
}

/// Times `n` rankings one after another on one thread, as a single request would run.
fn latency(
    store: &Store,
    matchmaker: &Matchmaker,
    atlas: &StoreAtlas,
    config: &Config,
    top: usize,
    n: usize,
) -> Result<()> {
    let demands = live_demands(store, config.today, usize::MAX)?;
    if demands.is_empty() || n == 0 {
        bail!("no open demands to time");
    }
    let step = (demands.len() / n).max(1);
    let mut times = Vec::with_capacity(n);
    let mut found = 0usize;
    for d in demands.iter().step_by(step).take(n) {
        let started = Instant::now();
        found += matchmaker.matches(d, atlas, config, top)?.len();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let pick = |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
    println!(
        "{} rankings (top {top}) over {} open demands and {} listings: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {:.1} matches each",
        times.len(),
        demands.len(),
        matchmaker.index().len(),
        pick(0.50),
        pick(0.95),
        pick(0.99),
        times[times.len() - 1],
        found as f64 / times.len() as f64
    );
    Ok(())
}

fn write_sheet(out: &Path, header: &[&str], rows: &[Vec<String>]) -> Result<()> {
    let xlsx = out
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    // Written beside the target and renamed, so a failure never leaves half a sheet.
    let partial = out.with_extension(if xlsx { "xlsx.partial" } else { "csv.partial" });
    if xlsx {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet().set_name("matches")?;
        for (c, h) in header.iter().enumerate() {
            sheet.write_string(0, c as u16, *h)?;
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                sheet.write_string(r as u32 + 1, c as u16, cell)?;
            }
        }
        book.save(&partial)
            .with_context(|| format!("writing {}", partial.display()))?;
    } else {
        let mut w = csv::Writer::from_path(&partial)
            .with_context(|| format!("writing {}", partial.display()))?;
        w.write_record(csv_safe::row(header).map(|c| c.into_owned()))?;
        for row in rows {
            w.write_record(csv_safe::row(row).map(|c| c.into_owned()))?;
        }
        w.flush()?;
    }
    std::fs::rename(&partial, out).with_context(|| format!("writing {}", out.display()))?;
    Ok(())
}

#[derive(clap::Subcommand)]
pub enum IndexCommand {
    /// Rebuild the listing index from the database.
    Rebuild,
    /// Show whether the listing index is current, its size and its revision.
    Status,
}

pub fn index(db: &Path, command: IndexCommand) -> Result<()> {
    let store = crate::open(db)?;
    match command {
        IndexCommand::Rebuild => {
            let (m, r) = Matchmaker::rebuild(&store)?;
            eprintln!(
                "indexed {} listings in {:.1?} into {} ({:.1} MB)",
                r.listings,
                r.took,
                m.dir().display(),
                mm::dir_size(m.dir()) as f64 / 1e6
            );
        }
        IndexCommand::Status => {
            let m = open_index(&store)?;
            println!(
                "{}: {} listings, revision {}, {:.1} MB",
                m.dir().display(),
                m.index().len(),
                m.index().revision().unwrap_or_default(),
                mm::dir_size(m.dir()) as f64 / 1e6
            );
        }
    }
    Ok(())
}

#[derive(clap::Args)]
pub struct EvaluateArgs {
    /// A pair file: `LEFT \t RIGHT \t LABEL` lines (see docs/matching.md).
    #[arg(long, required_unless_present = "judged")]
    pairs: Option<PathBuf>,
    /// Evaluate on the judged Chinese set generated from the demo model.
    #[arg(long)]
    judged: bool,
    /// Seed of the judged set.
    #[arg(long, default_value_t = 2024)]
    seed: u64,
    /// Text settings of the Chain Atlas run, as for `match`: `title_boost`,
    /// `description_weight`, `max_terms` (e.g. `title_boost=2,description_weight=0.5`).
    /// The plain-BM25 baseline always runs with its own.
    #[arg(long, default_value = "")]
    weights: String,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,
}

pub fn evaluate(args: EvaluateArgs) -> Result<()> {
    let mut config = Config::new(crate::today());
    config
        .apply(&args.weights)
        .map_err(|e| anyhow::anyhow!("--weights {e}"))?;
    let set = match &args.pairs {
        Some(path) => {
            let content = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            read_pairs(&content).with_context(|| format!("in {}", path.display()))?
        }
        None => {
            let judged = chainatlas_demo::judged_matching_set(args.seed);
            let record = |(name, description): (String, String)| Record { name, description };
            PairSet {
                queries: judged.queries.into_iter().map(record).collect(),
                candidates: judged.candidates.into_iter().map(record).collect(),
                partners: judged.partners,
            }
        }
    };
    let runs: [(&str, Analysis, TextWeights); 2] = [
        ("chainatlas", Analysis::Bilingual, config.text),
        ("bm25-plain", Analysis::Plain, TextWeights::PLAIN),
    ];
    let mut results: Vec<(&str, Metrics)> = Vec::new();
    for (name, analysis, weights) in runs {
        results.push((name, evaluate_pairs(&set, analysis, weights)?));
    }
    match args.format {
        ReportFormat::Json => {
            let object: serde_json::Map<String, serde_json::Value> = results
                .iter()
                .map(|(name, m)| {
                    (
                        name.to_string(),
                        serde_json::json!({
                            "queries": m.queries,
                            "candidates": set.candidates.len(),
                            "recall_at_1": m.recall_at_1,
                            "recall_at_10": m.recall_at_10,
                            "mrr": m.mrr,
                        }),
                    )
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&object)?);
        }
        _ => {
            println!(
                "{} queries, {} candidates",
                set.queries.len(),
                set.candidates.len()
            );
            println!(
                "{:<12} {:>9} {:>10} {:>7}",
                "ranker", "recall@1", "recall@10", "MRR"
            );
            for (name, m) in &results {
                println!(
                    "{name:<12} {:>9.3} {:>10.3} {:>7.3}",
                    m.recall_at_1, m.recall_at_10, m.mrr
                );
            }
        }
    }
    Ok(())
}
