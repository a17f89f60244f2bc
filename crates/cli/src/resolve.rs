//! `chainatlas resolve`: an enterprise list against the atlas or another list, and
//! `chainatlas evaluate-resolve`: how well it does on judged sets, beside plain BM25.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use chainatlas_bundle::{read_enterprise_list, ImportError};
use chainatlas_resolve::eval::{self, Judged, Terms};
use chainatlas_resolve::resolve::prepare;
use chainatlas_resolve::{Decision, Record, Resolution, Resolver};
use serde_json::json;

use crate::diagnose::ReportFormat;

/// `field=header`: a column of the list chosen for a field.
fn column_choice(raw: &str) -> Result<(String, String), String> {
    raw.split_once('=')
        .map(|(f, h)| (f.trim().to_string(), h.trim().to_string()))
        .ok_or_else(|| format!("'{raw}' is not FIELD=HEADER (e.g. name=公司全称)"))
}

#[derive(clap::Args, Debug)]
pub struct ResolveArgs {
    /// The list to resolve: a .csv file or an .xlsx workbook (first sheet). Columns `id`
    /// and `name` are required; the rest are recognised by their header in Chinese or
    /// English (企业名称, 统一社会信用代码, 所在地区, 地址, …; see docs/resolve.md).
    #[arg(long)]
    input: PathBuf,
    /// Resolve against this list instead of the atlas's enterprises.
    #[arg(long)]
    against: Option<PathBuf>,
    /// A column chosen for a field, overriding the recognised header: FIELD=HEADER,
    /// repeatable (e.g. --column name=公司全称 --column id=A股代码). Applies to both lists.
    #[arg(long = "column", value_parser = column_choice)]
    columns: Vec<(String, String)>,
    /// Candidates shown per row.
    #[arg(long, default_value_t = 3)]
    candidates: usize,
    /// Reasons and summaries in English (Chinese by default); the same as `--lang en`.
    #[arg(long)]
    english: bool,
    /// Write the decisions to this file instead of the standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,
}

fn read_list(path: &Path, columns: &[(String, String)]) -> Result<Vec<Record>> {
    match read_enterprise_list(path, columns) {
        Ok(list) => Ok(list.records),
        Err(ImportError::Invalid { problems, omitted }) => {
            for p in &problems {
                eprintln!("{}", crate::say(&p.text()));
            }
            let (n, from) = (problems.len() as u64 + omitted, path.display());
            let s = if n == 1 { "" } else { "s" };
            bail!(
                "{}",
                crate::say(&chainatlas_model::text!(
                    "{from} 中有 {n} 个问题；未做识别",
                    "{n} problem{s} in {from}; nothing was resolved"
                ))
            )
        }
        Err(e) => Err(crate::import_error(path, e)),
    }
}

/// The atlas's enterprises as records to resolve against.
fn atlas_records(db: &Path) -> Result<Vec<Record>> {
    let store = chainatlas_store::Store::open(db).with_context(|| crate::opening(db))?;
    let mut out = Vec::new();
    store.for_each_enterprise(|e| out.push(Record::of_enterprise(&e)))?;
    Ok(out)
}

pub fn run(db: &Path, mut args: ResolveArgs) -> Result<()> {
    // `--english` is kept; `--lang en` says the same for every command.
    args.english |= crate::lang() == crate::diagnose::Lang::En;
    let started = Instant::now();
    let inputs = read_list(&args.input, &args.columns)?;
    let targets = match &args.against {
        Some(path) => read_list(path, &args.columns)?,
        None => atlas_records(db)?,
    };
    let read = started.elapsed();
    let resolver = Resolver::new(&targets);
    let indexed = started.elapsed();
    let prepared = prepare(&inputs);
    let weights = resolver.learn(&prepared, 1);
    let learned = started.elapsed();
    let resolutions = resolver.resolve(&weights, &prepared);
    let resolved = started.elapsed();
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("writing {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let reasons = |c: &chainatlas_resolve::Candidate| {
        c.contributions
            .iter()
            .map(|x| x.text(args.english))
            .collect::<Vec<_>>()
    };
    match args.format {
        ReportFormat::Json => {
            for (input, r) in inputs.iter().zip(&resolutions) {
                let best = r.candidates.first();
                let line = json!({
                    "id": input.id,
                    "name": input.name,
                    "decision": r.decision.as_str(),
                    "match": r.best.filter(|_| r.decision == Decision::Match).map(|t| &targets[t].id),
                    "score": best.map(|c| (c.score * 100.0).round() / 100.0),
                    "probability": best.map(|c| (c.probability * 10_000.0).round() / 10_000.0),
                    "confidence": (r.confidence * 10_000.0).round() / 10_000.0,
                    "candidates": r.candidates.iter().take(args.candidates).map(|c| json!({
                        "id": targets[c.target].id,
                        "name": targets[c.target].name,
                        "score": (c.score * 100.0).round() / 100.0,
                        "probability": (c.probability * 10_000.0).round() / 10_000.0,
                        "reasons": reasons(c),
                    })).collect::<Vec<_>>(),
                });
                writeln!(out, "{line}")?;
            }
        }
        ReportFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record([
                "id",
                "name",
                "decision",
                "candidate",
                "candidate_name",
                "confidence",
                "probability",
                "score",
                "reasons",
            ])?;
            for (input, r) in inputs.iter().zip(&resolutions) {
                let best = r.candidates.first();
                let row = [
                    input.id.clone(),
                    input.name.clone(),
                    r.decision.as_str().to_string(),
                    best.map(|c| targets[c.target].id.clone())
                        .unwrap_or_default(),
                    best.map(|c| targets[c.target].name.clone())
                        .unwrap_or_default(),
                    format!("{:.4}", r.confidence),
                    best.map(|c| format!("{:.4}", c.probability))
                        .unwrap_or_default(),
                    best.map(|c| format!("{:.2}", c.score)).unwrap_or_default(),
                    best.map(|c| reasons(c).join("; ")).unwrap_or_default(),
                ];
                w.write_record(chainatlas_bundle::csv_safe::row(&row).map(|c| c.into_owned()))?;
            }
            w.flush()?;
        }
        ReportFormat::Table => {
            for (input, r) in inputs.iter().zip(&resolutions) {
                let (zh, en) = r.decision.label();
                writeln!(
                    out,
                    "{}  {}  → {}",
                    input.id,
                    input.name,
                    if args.english { en } else { zh }
                )?;
                for c in r.candidates.iter().take(args.candidates) {
                    let t = &targets[c.target];
                    writeln!(
                        out,
                        "    {:<8} {:>6.1}%  {}",
                        t.id,
                        c.probability * 100.0,
                        t.name
                    )?;
                    writeln!(out, "             {}", reasons(c).join("  "))?;
                }
            }
            let count = |d: Decision| resolutions.iter().filter(|r| r.decision == d).count();
            let (rows, matched, review, new, n, secs) = (
                inputs.len(),
                count(Decision::Match),
                count(Decision::Review),
                count(Decision::New),
                targets.len(),
                started.elapsed().as_secs_f64(),
            );
            if args.english {
                writeln!(
                    out,
                    "{rows} rows: {matched} match, {review} review, {new} new; {n} targets; {secs:.1} s"
                )?;
            } else {
                writeln!(
                    out,
                    "共 {rows} 行：匹配 {matched}，待复核 {review}，新企业 {new}；对照 {n} 家；用时 {secs:.1} 秒"
                )?;
            }
        }
    }
    out.flush()?;
    let (rows, n, iterations) = (inputs.len(), targets.len(), weights.iterations);
    let [read, index, learn, resolve, write] = [
        read,
        indexed - read,
        learned - indexed,
        resolved - learned,
        started.elapsed() - resolved,
    ]
    .map(|d| d.as_secs_f64());
    if args.english {
        eprintln!(
            "{rows} rows against {n} targets: read {read:.1} s, targets indexed {index:.1} s, weights learned {learn:.1} s ({iterations} EM iterations), resolved {resolve:.1} s, written {write:.1} s"
        );
    } else {
        eprintln!(
            "{rows} 行对照 {n} 家：读取 {read:.1} 秒，建立对照索引 {index:.1} 秒，学习权重 {learn:.1} 秒（EM 迭代 {iterations} 次），判定 {resolve:.1} 秒，写出 {write:.1} 秒"
        );
    }
    // The process ends here: freeing millions of small strings one by one would cost
    // seconds at province scale (as rustc does, the memory is left to the exit).
    std::mem::forget((resolver, prepared, resolutions, inputs, targets));
    Ok(())
}

#[derive(clap::Args, Debug)]
pub struct EvaluateResolveArgs {
    /// A judged set of variants generated from the demo model's enterprises (--scale of
    /// them): short names, form changes, typos, former names, traditional characters,
    /// missing and wrong credit codes, region names; 20 % of firms held out as new.
    #[arg(long)]
    demo: bool,
    /// Enterprises of the demo model for --demo.
    #[arg(long, default_value_t = 20_000)]
    scale: u32,
    /// Variants generated for --demo.
    #[arg(long, default_value_t = 20_000)]
    inputs: usize,
    /// A real list of companies with their short names (e.g. the Shenzhen Stock
    /// Exchange's A股列表 as CSV): each short name is resolved against the full names,
    /// 20 % of companies held out. Needs `id`, `name` and `other_names` (the short name)
    /// columns, recognised or chosen with --column.
    #[arg(long)]
    short_names: Option<PathBuf>,
    /// A pair file of the entity-matching benchmarks (`LEFT \t RIGHT \t LABEL`, e.g.
    /// Abt-Buy): each left record with a partner resolved against every right record.
    #[arg(long)]
    pairs: Option<PathBuf>,
    #[arg(long = "column", value_parser = column_choice)]
    columns: Vec<(String, String)>,
    #[arg(long, default_value_t = 2024)]
    seed: u64,
    /// Share of the demo firms left out of the targets, whose variants should come out new.
    #[arg(long, default_value_t = 0.2)]
    held_out: f64,
    /// Keep the demo model's firms whose names repeat (for a benchmark at its scale: the
    /// model names 1,000,000 firms with about 170,000 names, which only the credit code
    /// and region tell apart).
    #[arg(long)]
    repeated_names: bool,
    /// Write the --demo judged set to this folder as `targets.csv`, `inputs.csv` and
    /// `truth.csv` (for `resolve --against`, benchmarks and other tools), and stop.
    #[arg(long)]
    write: Option<PathBuf>,
    /// Print this many wrong decisions of each set to stderr, with their evidence.
    #[arg(long, default_value_t = 0)]
    show_errors: usize,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,
}

/// One evaluated set: its scores, the baselines' recall@1 and the time taken.
struct Row {
    set: String,
    scores: eval::Scores,
    bm25_words: f64,
    bm25_chars: f64,
    seconds: f64,
}

/// Learns on the inputs of even index, resolves those of odd index: the weights never
/// see the inputs they are judged on (they are learned without labels either way).
fn run_set(set: &str, judged: &Judged, show_errors: usize) -> Row {
    let started = Instant::now();
    let resolver = Resolver::new(&judged.targets);
    let prepared = prepare(&judged.inputs);
    let train: Vec<_> = prepared.iter().step_by(2).cloned().collect();
    let weights = resolver.learn(&train, 7);
    let test: Vec<_> = prepared.iter().skip(1).step_by(2).cloned().collect();
    let truth: Vec<Option<usize>> = judged.truth.iter().skip(1).step_by(2).copied().collect();
    let resolutions: Vec<Resolution> = resolver.resolve(&weights, &test);
    let seconds = started.elapsed().as_secs_f64();
    let scores = eval::score(&resolutions, &truth);
    let inputs: Vec<&Record> = judged.inputs.iter().skip(1).step_by(2).collect();
    if show_errors > 0 {
        eprintln!(
            "{set}: prior {:.4}, {} iterations",
            weights.prior, weights.iterations
        );
        for f in chainatlas_resolve::model::FIELDS {
            let levels: Vec<String> = (0..f.levels().len())
                .map(|l| {
                    format!(
                        "{} {:+.1} (m {:.3} u {:.3})",
                        f.levels()[l].1,
                        weights.bits(f, l as u8),
                        weights.m[f.index()][l],
                        weights.u[f.index()][l]
                    )
                })
                .collect();
            eprintln!("  {}: {}", f.as_str(), levels.join(", "));
        }
    }
    let mut shown = 0;
    for ((r, t), input) in resolutions.iter().zip(&truth).zip(&inputs) {
        let right = match r.decision {
            Decision::Match => r.best == *t,
            Decision::New => t.is_none(),
            Decision::Review => false,
        };
        if right || shown >= show_errors {
            continue;
        }
        shown += 1;
        let name =
            |i: Option<usize>| i.map_or("(none)".to_string(), |i| judged.targets[i].name.clone());
        eprintln!(
            "{} {:?} {:?} region {:?} → {} (truth: {})",
            r.decision.as_str(),
            input.name,
            input.credit_code,
            input.region,
            name(r.best),
            name(*t)
        );
        for c in r.candidates.iter().take(3) {
            let reasons: Vec<String> = c.contributions.iter().map(|x| x.text(false)).collect();
            eprintln!(
                "    {:.3} {} {}",
                c.probability,
                judged.targets[c.target].name,
                reasons.join(" ")
            );
        }
    }
    let test_set = Judged {
        targets: judged.targets.clone(),
        inputs: judged.inputs.iter().skip(1).step_by(2).cloned().collect(),
        truth,
        kinds: Vec::new(),
    };
    Row {
        set: set.to_string(),
        scores,
        bm25_words: eval::bm25_recall_at_1(&test_set, Terms::Words),
        bm25_chars: eval::bm25_recall_at_1(&test_set, Terms::Characters),
        seconds,
    }
}

fn demo_records(seed: u64, enterprises: u32) -> Vec<Record> {
    let config = chainatlas_demo::DemoConfig {
        enterprises,
        ..chainatlas_demo::DemoConfig::demo(seed)
    };
    chainatlas_demo::records(&config)
        .into_iter()
        .filter_map(|r| match r {
            chainatlas_model::Record::Enterprise(e) => Some(Record {
                english_name: None,
                ..Record::of_enterprise(&e)
            }),
            _ => None,
        })
        .collect()
}

/// The short-name task: targets are the companies (20 % held out) by their full names
/// with their other fields; inputs are each company's short name alone, and again with
/// its region.
fn short_name_sets(records: &[Record], seed: u64) -> (Judged, Judged) {
    let mut draws = eval::Draws::new(seed);
    let mut targets = Vec::new();
    let mut index_of = Vec::new();
    for r in records {
        if draws.chance(0.2) {
            index_of.push(None);
        } else {
            index_of.push(Some(targets.len()));
            targets.push(Record {
                other_names: Vec::new(),
                ..r.clone()
            });
        }
    }
    let mut alone = Judged {
        targets: targets.clone(),
        ..Judged::default()
    };
    let mut with_region = Judged {
        targets,
        ..Judged::default()
    };
    for (r, truth) in records.iter().zip(&index_of) {
        let Some(short) = r.other_names.first() else {
            continue;
        };
        let input = Record {
            id: r.id.clone(),
            name: short.clone(),
            ..Record::default()
        };
        with_region.inputs.push(Record {
            region: r.region.clone(),
            ..input.clone()
        });
        with_region.truth.push(*truth);
        alone.inputs.push(input);
        alone.truth.push(*truth);
    }
    (alone, with_region)
}

fn pair_set(path: &Path) -> Result<Judged> {
    let content =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let set = chainatlas_matching::eval::read_pairs(&content)
        .with_context(|| format!("in {}", path.display()))?;
    let mut judged = Judged {
        targets: set
            .candidates
            .iter()
            .enumerate()
            .map(|(i, c)| Record {
                id: format!("r{i}"),
                name: c.name.clone(),
                ..Record::default()
            })
            .collect(),
        ..Judged::default()
    };
    for (i, (q, partners)) in set.queries.iter().zip(&set.partners).enumerate() {
        if let Some(p) = partners.first() {
            judged.inputs.push(Record {
                id: format!("l{i}"),
                name: q.name.clone(),
                ..Record::default()
            });
            judged.truth.push(Some(*p));
        }
    }
    Ok(judged)
}

/// Writes a judged set as three CSV files.
fn write_judged(dir: &Path, judged: &Judged) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let list = |name: &str, records: &[Record]| -> Result<()> {
        let path = dir.join(name);
        let mut w =
            csv::Writer::from_path(&path).with_context(|| format!("writing {}", path.display()))?;
        w.write_record(["id", "name", "credit_code", "region"])?;
        for r in records {
            w.write_record([
                r.id.as_str(),
                r.name.as_str(),
                r.credit_code.as_deref().unwrap_or(""),
                r.region.as_deref().unwrap_or(""),
            ])?;
        }
        w.flush()?;
        Ok(())
    };
    list("targets.csv", &judged.targets)?;
    list("inputs.csv", &judged.inputs)?;
    let mut w = csv::Writer::from_path(dir.join("truth.csv"))?;
    w.write_record(["input_id", "target_id", "variant"])?;
    for ((input, truth), kind) in judged.inputs.iter().zip(&judged.truth).zip(&judged.kinds) {
        let target = truth.map(|t| judged.targets[t].id.as_str()).unwrap_or("");
        w.write_record([input.id.as_str(), target, kind])?;
    }
    w.flush()?;
    eprintln!(
        "wrote {} targets, {} inputs and their truth to {}",
        judged.targets.len(),
        judged.inputs.len(),
        dir.display()
    );
    Ok(())
}

pub fn evaluate(args: EvaluateResolveArgs) -> Result<()> {
    let mut rows = Vec::new();
    if args.demo {
        // Registration forbids two firms of one name in one place; the demo model does
        // not, so its repeated names are dropped (they could only ever be reviewed).
        let mut seen = std::collections::HashSet::new();
        let records: Vec<Record> = demo_records(args.seed, args.scale)
            .into_iter()
            .filter(|r| args.repeated_names || seen.insert(r.name.clone()))
            .collect();
        let judged = eval::variants(&records, args.inputs, args.held_out, args.seed);
        if let Some(dir) = &args.write {
            return write_judged(dir, &judged);
        }
        rows.push(run_set(
            "demo variants (test half)",
            &judged,
            args.show_errors,
        ));
    }
    if let Some(path) = &args.short_names {
        let records = read_list(path, &args.columns)?;
        let (alone, with_region) = short_name_sets(&records, args.seed);
        rows.push(run_set("short name → legal name", &alone, args.show_errors));
        rows.push(run_set(
            "short name + region → legal name",
            &with_region,
            args.show_errors,
        ));
    }
    if let Some(path) = &args.pairs {
        rows.push(run_set(
            "pairs (English names)",
            &pair_set(path)?,
            args.show_errors,
        ));
    }
    if rows.is_empty() {
        bail!("nothing to evaluate: give --demo, --short-names FILE or --pairs FILE");
    }
    match args.format {
        ReportFormat::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout().lock());
            w.write_record([
                "set",
                "inputs",
                "present",
                "precision",
                "recall",
                "f1",
                "recall_at_1",
                "review",
                "new",
                "absent_new",
                "bm25_words_recall_at_1",
                "bm25_characters_recall_at_1",
                "seconds",
            ])?;
            for r in &rows {
                let s = &r.scores;
                let f = |x: f64| format!("{x:.4}");
                w.write_record([
                    r.set.clone(),
                    s.inputs.to_string(),
                    s.present.to_string(),
                    f(s.precision),
                    f(s.recall),
                    f(s.f1),
                    f(s.recall_at_1),
                    f(s.review),
                    f(s.new),
                    f(s.absent_new),
                    f(r.bm25_words),
                    f(r.bm25_chars),
                    format!("{:.1}", r.seconds),
                ])?;
            }
            w.flush()?;
        }
        ReportFormat::Json => {
            for r in &rows {
                println!(
                    "{}",
                    json!({
                        "set": r.set,
                        "scores": r.scores,
                        "bm25_words_recall_at_1": r.bm25_words,
                        "bm25_characters_recall_at_1": r.bm25_chars,
                        "seconds": r.seconds,
                    })
                );
            }
        }
        ReportFormat::Table => {
            println!(
                "{:<34} {:>7} {:>7} {:>9} {:>7} {:>7} {:>8} {:>7} {:>7} {:>10} {:>10} {:>10} {:>7}",
                "set",
                "inputs",
                "present",
                "precision",
                "recall",
                "F1",
                "recall@1",
                "review",
                "new",
                "absent→new",
                "BM25 words",
                "BM25 chars",
                "seconds"
            );
            for r in &rows {
                let s = &r.scores;
                println!(
                    "{:<34} {:>7} {:>7} {:>9.4} {:>7.4} {:>7.4} {:>8.4} {:>7.4} {:>7.4} {:>10.4} {:>10.4} {:>10.4} {:>7.1}",
                    r.set, s.inputs, s.present, s.precision, s.recall, s.f1, s.recall_at_1, s.review,
                    s.new, s.absent_new, r.bm25_words, r.bm25_chars, r.seconds
                );
            }
        }
    }
    Ok(())
}
