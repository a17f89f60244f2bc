//! `chainatlas schedule`: the 1:1 meeting scheduler on an instance file.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use chainatlas_schedule::{first_fit, schedule, Instance};

use crate::output::Format;

#[derive(clap::Args)]
pub struct ScheduleArgs {
    /// A scheduling instance in JSON: slots, tables, participants, meetings (format in
    /// docs/events.md).
    #[arg(long)]
    pub instance: PathBuf,
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

pub fn run(args: ScheduleArgs) -> Result<()> {
    let path = args.instance.display().to_string();
    let text = std::fs::read_to_string(&args.instance).with_context(|| path.clone())?;
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
