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

#[derive(clap::Subcommand)]
pub enum AssessmentsCommand {
    /// Each enterprise's latest self-assessment rolled up: level distribution per
    /// dimension and the most common gaps, for a region and a chain.
    Report(RollupArgs),
}

#[derive(clap::Args)]
pub struct RollupArgs {
    /// Enterprises in this region (a 6-digit code).
    #[arg(long)]
    pub region: Option<String>,
    /// Enterprises in this chain (its code).
    #[arg(long)]
    pub chain: Option<String>,
    /// Write the roll-up to this file: `.xlsx` (two sheets) or `.csv` (the levels).
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// English headings and names (default Chinese).
    #[arg(long)]
    pub english: bool,
}

pub fn run_assessments(db: &std::path::Path, command: AssessmentsCommand) -> Result<()> {
    let AssessmentsCommand::Report(args) = command;
    let store = crate::events::open_existing(db)?;
    let region = chainatlas_app::view::parse_region_text(args.region.as_deref())?;
    if let Some(code) = region {
        chainatlas_app::view::known_region(&store, code)?;
    }
    let chain = args
        .chain
        .as_deref()
        .map(|c| chainatlas_app::view::chain(&store, c))
        .transpose()?;
    let rollup = chainatlas_app::assessments::compute_rollup(&store, region, chain.map(|c| c.id))?;
    let lang = if args.english {
        chainatlas_app::Lang::En
    } else {
        chainatlas_app::Lang::Zh
    };
    let sheets = chainatlas_app::assessments::rollup_sheets(&rollup, lang);
    if let Some(out) = &args.out {
        chainatlas_bundle::sheet::write(out, &sheets)
            .with_context(|| format!("writing {}", out.display()))?;
        eprintln!("{} → {}", rollup.assessed, out.display());
        return Ok(());
    }
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&rollup)?),
        Format::Table => print_sheets(&sheets),
    }
    Ok(())
}

fn print_sheets(sheets: &[chainatlas_bundle::sheet::Sheet]) {
    for s in sheets {
        println!("\n## {}", s.name);
        println!("{}", s.header.join(" | "));
        for row in &s.rows {
            println!("{}", row.join(" | "));
        }
    }
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
            print_sheets(&sheets);
        }
    }
    Ok(())
}

/// Writes the demo's enterprise services (officials, visits, a year of appeals,
/// assessments) over the demo atlas and its accounts. Returns the records written.
pub fn write_demo_services(
    store: &mut chainatlas_store::Store,
    config: &chainatlas_demo::DemoConfig,
) -> Result<u64> {
    use chainatlas_demo::services::{self as demo, Firm, Who};
    use chainatlas_store::{AppealStep, ServicesData, StoredAssessment};
    let users = store.users()?;
    let officials: Vec<i64> = users
        .iter()
        .filter(|u| u.role != chainatlas_auth::Role::Enterprise)
        .map(|u| u.id)
        .collect();
    let names: std::collections::HashMap<i64, String> =
        users.iter().map(|u| (u.id, u.username.clone())).collect();
    let firms: Vec<Firm> = store
        .firms()?
        .into_iter()
        .filter_map(|(id, region, size, nodes)| {
            Some(Firm {
                id,
                region: chainatlas_model::RegionCode::new(region).ok()?,
                size: size.parse().ok()?,
                nodes,
            })
        })
        .collect();
    let calendar = chainatlas_app::services::calendar(store)?;
    let made = demo::services(config, &firms, &officials, &calendar);
    let start = config.reference_date.add_days(-364).days_since_epoch() * 86_400;
    let owner = |e: chainatlas_model::EnterpriseId| {
        users
            .iter()
            .find(|u| u.enterprise == Some(e))
            .map(|u| (u.id, u.username.clone()))
    };
    let data = ServicesData {
        assignments: made
            .assignments
            .iter()
            .map(|(e, u)| (*e, *u, start))
            .collect(),
        visits: made.visits,
        appeals: made
            .appeals
            .into_iter()
            .map(|d| {
                let enterprise = d.appeal.enterprise;
                let steps = d
                    .steps
                    .into_iter()
                    .map(|s| {
                        let (user_id, actor) = match s.who {
                            Who::Official(u) => {
                                (Some(u), names.get(&u).cloned().unwrap_or_default())
                            }
                            Who::Enterprise => match owner(enterprise) {
                                Some((u, name)) => (Some(u), name),
                                None => (None, format!("enterprise {}", enterprise.0)),
                            },
                            Who::System => (None, "system".to_string()),
                        };
                        AppealStep {
                            at: s.at,
                            user_id,
                            actor,
                            step: s.step.to_string(),
                            from: s.from,
                            to: s.to,
                            note: s.note,
                        }
                    })
                    .collect();
                (d.appeal, steps)
            })
            .collect(),
        assessments: made
            .assessments
            .into_iter()
            .map(|(enterprise, taken_at, answers)| StoredAssessment {
                id: 0,
                enterprise,
                questionnaire: chainatlas_model::assessment::QUESTIONNAIRE.to_string(),
                taken_at,
                answers,
            })
            .collect(),
    };
    let written =
        (data.assignments.len() + data.visits.len() + data.appeals.len() + data.assessments.len())
            as u64;
    store.insert_services(&crate::local_actor(), &data)?;
    Ok(written)
}
