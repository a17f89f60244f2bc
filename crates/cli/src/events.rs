//! Docking events on the command line: `chainatlas schedule` (an event of the database,
//! or an instance file), `chainatlas report`, and the demo events.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use chainatlas_app::events as app_events;
use chainatlas_app::matchmaking::StoreAtlas;
use chainatlas_demo::DemoConfig;
use chainatlas_events::PlanOptions;
use chainatlas_model::{Date, EventId};
use chainatlas_schedule::{first_fit, schedule, Instance};
use chainatlas_store::Store;

use crate::output::Format;

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["instance", "event"])))]
pub struct ScheduleArgs {
    /// A scheduling instance in JSON: slots, tables, participants, meetings (format in
    /// docs/events.md). Nothing is written.
    #[arg(long)]
    pub instance: Option<PathBuf>,
    /// An event of the database: its accepted requests are scheduled and the schedule
    /// saved (published meetings are kept where they still fit).
    #[arg(long)]
    pub event: Option<i64>,
    /// With --event: also schedule recommended pairs (weight 1) that nobody declined.
    #[arg(long, requires = "event")]
    pub recommended: bool,
    /// With --event: show the schedule without saving it.
    #[arg(long, requires = "event")]
    pub dry_run: bool,
    /// With --event: the day requests expire against (default: today in China).
    #[arg(long)]
    pub today: Option<Date>,
    /// `best`: the scheduler; `first-fit`: the baseline (each meeting in request order
    /// into the first slot both sides have free).
    #[arg(long, value_enum, default_value_t = Algorithm::Best)]
    pub algorithm: Algorithm,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Algorithm {
    Best,
    FirstFit,
}

pub fn run(db: &Path, args: ScheduleArgs) -> Result<()> {
    match (&args.instance, args.event) {
        (Some(path), _) => run_instance(path, &args),
        (None, Some(event)) => run_event(db, event, &args),
        (None, None) => bail!("give --instance FILE or --event ID"),
    }
}

fn run_instance(file: &Path, args: &ScheduleArgs) -> Result<()> {
    let path = file.display().to_string();
    let text = std::fs::read_to_string(file).with_context(|| path.clone())?;
    let instance: Instance = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{path}: line {}, column {}: {e}", e.line(), e.column()))?;
    let started = Instant::now();
    let result = match args.algorithm {
        Algorithm::Best => schedule(&instance),
        Algorithm::FirstFit => first_fit(&instance),
    }
    .with_context(|| path.clone())?;
    let elapsed = started.elapsed();
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&result)?),
        Format::Table => {
            println!("{:>6} {:>6} {:>10}", "slot", "table", "meeting");
            for m in &result.placed {
                println!("{:>6} {:>6} {:>10}", m.slot, m.table, m.id);
            }
            for u in &result.unplaced {
                println!(
                    "{:>6} {:>6} {:>10}  {}",
                    "-",
                    "-",
                    u.id,
                    u.reason.text(false)
                );
            }
        }
    }
    eprintln!(
        "{} of {} meetings placed, weight {}, {} idle slots, {} published meetings moved, in {:.1} ms",
        result.placed.len(),
        instance.meetings.len(),
        result.weight,
        result.gaps,
        result.moved,
        elapsed.as_secs_f64() * 1000.0
    );
    Ok(())
}

pub(crate) fn open_existing(db: &Path) -> Result<Store> {
    if !chainatlas_store::is_postgres(db) && !db.exists() {
        bail!("{} does not exist", db.display());
    }
    Store::open(db).with_context(|| crate::opening(db))
}

fn run_event(db: &Path, event: i64, args: &ScheduleArgs) -> Result<()> {
    let mut store = open_existing(db)?;
    let today = args.today.unwrap_or_else(crate::today);
    let actor = crate::local_actor();
    let expired = if args.dry_run {
        0
    } else {
        store.expire_requests(&actor, EventId(event), today)?
    };
    let data = app_events::load(&store, event)?;
    let options = PlanOptions {
        recommended: if args.recommended {
            let atlas = StoreAtlas::load(&store)?;
            app_events::recommendations(&store, &data, &atlas, today)?
                .iter()
                .map(|r| (r.buyer, r.supplier))
                .collect()
        } else {
            Vec::new()
        },
    };
    let started = Instant::now();
    let (mut summary, mut meetings) = app_events::plan_schedule(&data, &options)?;
    summary.expired = expired;
    if !args.dry_run {
        meetings =
            app_events::save_schedule(&mut store, actor, data.event.id, &summary, &meetings)?;
    }
    let elapsed = started.elapsed();
    let names = app_events::participant_names(&store, &data, chainatlas_app::Lang::Zh)?;
    let name = |p: chainatlas_model::ParticipantId| names.get(&p).cloned().unwrap_or_default();
    match args.format {
        Format::Json => {
            let meetings: Vec<serde_json::Value> = meetings
                .iter()
                .filter(|m| m.status != chainatlas_model::MeetingStatus::Cancelled)
                .map(|m| {
                    serde_json::json!({
                        // A proposal of a dry run has no id yet.
                        "meeting_id": (!app_events::is_proposed(m)).then_some(m.id.0),
                        "request_id": m.request.map(|r| r.0),
                        "slot": m.slot + 1,
                        "time": app_events::slot_label(&data.event, m.slot),
                        "table": m.table,
                        "a": m.a.0,
                        "b": m.b.0,
                        "published": m.published,
                        "status": m.status.as_str(),
                    })
                })
                .collect();
            let out =
                serde_json::json!({ "event_id": event, "summary": summary, "meetings": meetings });
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        Format::Table => {
            println!(
                "{:<24} {:>5}  {:<30} {:<30} status",
                "time", "table", "a", "b"
            );
            for m in &meetings {
                println!(
                    "{:<24} {:>5}  {:<30} {:<30} {}{}",
                    app_events::slot_label(&data.event, m.slot),
                    m.table,
                    name(m.a),
                    name(m.b),
                    m.status,
                    if m.published { " (published)" } else { "" }
                );
            }
            for u in &summary.unplaced {
                println!(
                    "{:<24} {:>5}  {:<30} {:<30} {}",
                    "-",
                    "-",
                    name(chainatlas_model::ParticipantId(u.a)),
                    name(chainatlas_model::ParticipantId(u.b)),
                    u.reason_zh
                );
            }
        }
    }
    eprintln!(
        "event {event}: {} of {} meetings placed, weight {}, {} idle slots, {} published meetings moved, in {:.1} ms{}",
        summary.placed,
        summary.wanted,
        summary.weight,
        summary.idle_slots,
        summary.published_moved,
        elapsed.as_secs_f64() * 1000.0,
        if args.dry_run { " (dry run: nothing saved)" } else { "" }
    );
    Ok(())
}

#[derive(clap::Args)]
pub struct ReportArgs {
    /// The event.
    #[arg(long)]
    pub event: i64,
    /// Write the report to this file: `.xlsx` (one sheet per table) or `.csv`.
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// English table names and headings (default Chinese).
    #[arg(long)]
    pub english: bool,
    /// The day pending requests count as expired against (default: today in China).
    #[arg(long)]
    pub today: Option<Date>,
}

/// `chainatlas report --event ID`.
pub fn report(db: &Path, args: ReportArgs) -> Result<()> {
    let store = open_existing(db)?;
    let data = app_events::load(&store, args.event)?;
    let lang = if args.english {
        chainatlas_app::Lang::En
    } else {
        chainatlas_app::Lang::Zh
    };
    let today = args.today.unwrap_or_else(crate::today);
    let (_, sheets) = app_events::report_sheets(&store, &data, lang, today)?;
    if let Some(out) = &args.out {
        chainatlas_bundle::sheet::write(out, &sheets)
            .with_context(|| format!("writing {}", out.display()))?;
        eprintln!(
            "wrote the report of event {} to {}",
            args.event,
            out.display()
        );
        return Ok(());
    }
    match args.format {
        Format::Json => {
            let tables: Vec<serde_json::Value> = sheets
                .iter()
                .map(|s| serde_json::json!({"table": s.name, "header": s.header, "rows": s.rows}))
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(
                    &serde_json::json!({"event_id": args.event, "name": data.event.name, "tables": tables})
                )?
            );
        }
        Format::Table => {
            println!("{}", data.event.name);
            for s in &sheets {
                println!("\n## {}", s.name);
                println!("{}", s.header.join(" | "));
                for row in &s.rows {
                    println!("{}", row.join(" | "));
                }
            }
        }
    }
    Ok(())
}

/// Writes the demo events (one held, one coming) over the demo atlas just written.
/// Returns the number of records written.
pub fn write_demo_events(store: &mut Store, config: &DemoConfig) -> Result<u64> {
    let mut listings = Vec::new();
    store.for_each_listing(|l| listings.push(l))?;
    let chains: std::collections::HashMap<_, _> = store.node_chains()?.into_iter().collect();
    let events = chainatlas_demo::demo_events(config, &listings, &|n| chains.get(&n).copied());
    let mut written = 0u64;
    for e in &events {
        store
            .insert_event_data(&crate::local_actor(), e)
            .with_context(|| format!("writing demo event {}", e.event.id))?;
        written +=
            (1 + e.participants.len() + e.requests.len() + e.meetings.len() + e.agreements.len())
                as u64;
    }
    Ok(written)
}
