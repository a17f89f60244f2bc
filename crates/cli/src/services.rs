//! `chainatlas appeals …`: the blocking-point report of enterprise appeals and visit
//! findings (as a table, JSON, or a .csv/.xlsx file), and reminders and escalation of
//! overdue appeals run by hand (the server runs them every ten minutes).

use std::path::PathBuf;

use anyhow::{Context, Result};
use chainatlas_app::blocking::{self, BlockingQuery};
use chainatlas_model::Date;

use crate::output::Format;

#[derive(clap::Subcommand)]
pub enum AppealsCommand {
    /// Blocking points: appeals and visit findings counted by category, chain, node,
    /// region or month, with classes of similar appeals.
    Report(ReportArgs),
    /// Remind handlers of deadlines on the next working day and escalate overdue appeals
    /// to the supervisors, each once per deadline.
    Escalate,
}

#[derive(clap::Args)]
pub struct ReportArgs {
    /// category, chain, node, region or month.
    #[arg(long, default_value = "category")]
    pub by: String,
    /// Enterprises in this region (a 6-digit code).
    #[arg(long)]
    pub region: Option<String>,
    /// A chain code.
    #[arg(long)]
    pub chain: Option<String>,
    #[arg(long)]
    pub category: Option<String>,
    /// First day (default: 364 days before --to).
    #[arg(long)]
    pub from: Option<String>,
    /// Last day (default: today in China).
    #[arg(long)]
    pub to: Option<String>,
    /// The day overdue is counted on (default: today in China).
    #[arg(long)]
    pub today: Option<Date>,
    /// Write the report to this file: `.xlsx` (two sheets) or `.csv` (the table).
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// English headings and names (default Chinese).
    #[arg(long)]
    pub english: bool,
}

pub fn run(db: &std::path::Path, command: AppealsCommand) -> Result<()> {
    match command {
        AppealsCommand::Report(args) => report(db, args),
        AppealsCommand::Escalate => {
            let mut store = crate::events::open_existing(db)?;
            let done = chainatlas_app::services::escalate(&mut store, &crate::local_actor())?;
            println!(
                "提醒 {} 条，升级督办 {} 条 / reminded {}, escalated {}",
                done.reminded.len(),
                done.escalated.len(),
                done.reminded.len(),
                done.escalated.len()
            );
            Ok(())
        }
    }
}

fn report(db: &std::path::Path, args: ReportArgs) -> Result<()> {
    let store = crate::events::open_existing(db)?;
    let today = args.today.unwrap_or_else(crate::today);
    let query = BlockingQuery {
        by: Some(args.by),
        region: args.region,
        chain: args.chain,
        category: args.category,
        from: args.from,
        to: args.to,
        format: None,
    };
    let scope = query.scope(&store, today)?;
    let report = blocking::compute(&store, &scope, today)?;
    let lang = if args.english {
        chainatlas_app::Lang::En
    } else {
        chainatlas_app::Lang::Zh
    };
    let sheets = blocking::sheets(&report, lang);
    if let Some(out) = &args.out {
        chainatlas_bundle::sheet::write(out, &sheets)
            .with_context(|| format!("writing {}", out.display()))?;
        eprintln!("{} {} → {}", report.from, report.to, out.display());
        return Ok(());
    }
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Format::Table => {
            println!("{} – {}", report.from, report.to);
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
