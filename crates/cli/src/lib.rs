//! The commands of `chainatlas`: parses the command line and wires the library crates
//! together; the work itself lives in those crates (the use cases in `chainatlas-app`).
//! The web server is not a dependency: the `chainatlas` binary passes it in ([`Serve`]).

mod accounts;
mod complexity;
mod diagnose;
mod events;
mod matchmaking;
mod output;
mod resolve;
mod services;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use chainatlas_bundle::{ImportError, ImportOptions, Progress};
use chainatlas_demo::DemoConfig;
use chainatlas_model::RecordKind;
use chainatlas_store::{Actor, Change, Store};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use chainatlas_model::text;
use diagnose::Lang;
use output::Format;

#[derive(Parser)]
#[command(
    name = "chainatlas",
    version,
    about = "Chain Atlas: industrial chain maps, diagnostics and supply-demand docking"
)]
struct Cli {
    /// The database: an SQLite file (created if missing), or a PostgreSQL database given
    /// by its URL (postgres://user:password@host:5432/name).
    #[arg(
        long,
        global = true,
        env = "CHAINATLAS_DB",
        default_value = "chainatlas.db"
    )]
    db: PathBuf,
    /// The language of what the command prints (messages, problems, tables, names):
    /// zh, Chinese, unless en is asked for.
    #[arg(
        long,
        global = true,
        value_enum,
        env = "CHAINATLAS_LANG",
        default_value_t = Lang::Zh
    )]
    lang: Lang,
    #[command(subcommand)]
    command: Command,
}

/// The language the command was asked to print in, set once when it starts.
static LANGUAGE: std::sync::OnceLock<Lang> = std::sync::OnceLock::new();

/// The language of what the command prints: Chinese unless `--lang en`.
pub(crate) fn lang() -> Lang {
    LANGUAGE.get().copied().unwrap_or(Lang::Zh)
}

/// A text in the language of the command.
pub(crate) fn say(text: &chainatlas_model::Text) -> &str {
    text.get(match lang() {
        Lang::Zh => chainatlas_model::Lang::Zh,
        Lang::En => chainatlas_model::Lang::En,
    })
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web app and the JSON API. A new database is filled with the demo atlas.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Seed of the demo atlas created for a new database.
        #[arg(long, default_value_t = 2024)]
        seed: u64,
        /// Mark session cookies Secure: set this when users reach the server over HTTPS
        /// (directly or through a TLS-terminating proxy).
        #[arg(long)]
        secure_cookies: bool,
    },
    /// Fill the database with the synthetic demo atlas.
    Demo {
        /// Seed: the same seed gives the same atlas.
        #[arg(long, default_value_t = 2024)]
        seed: u64,
        /// Generate this many enterprises with about 10 supply relations each (benchmarks).
        #[arg(long)]
        scale: Option<u32>,
        /// Generate this many listings instead of the default (matchmaking benchmarks).
        #[arg(long)]
        listings: Option<u32>,
        /// Participants of the past demo event (default 48; 1,100 with --scale, Wuhan's
        /// size); the coming event has five eighths as many.
        #[arg(long)]
        event_participants: Option<usize>,
        /// Replace whatever the database holds.
        #[arg(long)]
        replace: bool,
    },
    /// Import a bundle: a folder of CSV files or an .xlsx workbook. All or nothing.
    Import {
        path: PathBuf,
        /// Replace the whole atlas with the bundle instead of adding to it.
        #[arg(long)]
        replace: bool,
        /// List at most this many problems (the rest are counted).
        #[arg(long, default_value_t = 1000)]
        max_problems: usize,
    },
    /// Export the atlas: to PATH.xlsx as a workbook, otherwise to a folder of CSV files.
    Export { path: PathBuf },
    /// Move a whole database to the other backend (SQLite ⇄ PostgreSQL): every table,
    /// accounts and audit log included, into a new, empty database, all or nothing,
    /// verified by row counts and checksums.
    Migrate {
        /// The database to copy: an SQLite file or a postgres:// URL.
        #[arg(long)]
        from: PathBuf,
        /// The new database: an SQLite file (created) or a postgres:// URL (an empty
        /// database; its schema is created).
        #[arg(long)]
        to: PathBuf,
    },
    /// Count the records of each kind.
    Stats {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Manage user accounts.
    #[command(subcommand)]
    User(accounts::UserCommand),
    /// Manage API tokens for scripts.
    #[command(subcommand)]
    Token(accounts::TokenCommand),
    #[command(flatten)]
    Diagnostics(diagnose::DiagnosticsCommand),
    /// Rank counterparts: for two spreadsheets (--demands, --supplies), for one listing of
    /// the database (--demand, --supply), or for every open demand (--all --out FILE).
    Match(matchmaking::MatchArgs),
    /// Manage the listing index (derived from the database; rebuilt when missing or stale).
    #[command(subcommand)]
    Index(matchmaking::IndexCommand),
    /// Measure ranking quality (recall@1, recall@10, MRR) beside plain BM25: on a pair file
    /// (--pairs) or on the judged Chinese set from the demo model (--judged).
    Evaluate(matchmaking::EvaluateArgs),
    /// Resolve an enterprise list (.csv or .xlsx, any column names) against the atlas or
    /// another list (--against): each row a match, a review or a new enterprise, with
    /// the evidence of each candidate.
    Resolve(resolve::ResolveArgs),
    /// Measure entity resolution (precision, recall, F1, recall@1) beside plain BM25: on
    /// variants of the demo model (--demo), a real list of short names (--short-names),
    /// or a pair file (--pairs).
    EvaluateResolve(resolve::EvaluateResolveArgs),
    /// Economic complexity of a locations × products table (.csv or .xlsx): RCA,
    /// presence, density, ECI, PCI, diversity, ubiquity, COI and COG per row, as Stata's
    /// ecomplexity computes them.
    Complexity(complexity::ComplexityArgs),
    /// Input–output analysis of a symmetric table (row,col,value with an output row):
    /// backward and forward linkages, Rasmussen indices, key sectors, hypothetical
    /// extraction.
    Io(complexity::IoArgs),
    /// Schedule 1:1 meetings into (slot, table): an event of the database (--event), or an
    /// instance file (--instance).
    Schedule(events::ScheduleArgs),
    /// An event's report: participants, meetings requested to held, agreements and value,
    /// by chain, node and region; as a table, JSON, or a .csv/.xlsx file (--out).
    Report(events::ReportArgs),
    /// Enterprise appeals: the blocking-point report, and reminders and escalation.
    #[command(subcommand)]
    Appeals(services::AppealsCommand),
    /// Transformation self-assessments: the roll-up by region and chain.
    #[command(subcommand)]
    Assessments(services::AssessmentsCommand),
    /// Show the audit log, newest first.
    Audit {
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// Runs the web app and API on a listening socket until shut down. The CLI knows nothing
/// of HTTP: the `chainatlas` binary passes `chainatlas_web`'s server in.
pub type Serve = fn(std::net::TcpListener, chainatlas_store::Pool, bool) -> std::io::Result<()>;

/// The `chainatlas` command: parses the arguments, runs the command, and exits 1 with
/// the error on failure.
pub fn main(serve_web: Serve) {
    let cli = Cli::parse();
    let _ = LANGUAGE.set(cli.lang);
    if !matches!(cli.command, Command::Serve { .. }) {
        quiet_on_closed_pipe();
    }
    if let Err(e) = run(cli, serve_web) {
        eprintln!("{}{e:#}", say(&text!("错误：", "error: ")));
        std::process::exit(1);
    }
}

/// A command whose reader goes away (`chainatlas match … | head`) ends quietly, as other
/// command-line tools do, instead of panicking in `println!`: the default action of
/// SIGPIPE, which Rust's runtime sets to "ignore". Not for `serve`, whose clients may close
/// their connections at any time.
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called at start-up before any other thread exists; SIG_DFL is a valid action.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn run(cli: Cli, serve_web: Serve) -> Result<()> {
    match cli.command {
        Command::Diagnostics(command) => diagnose::run(&open(&cli.db)?, command),
        Command::Match(args) => matchmaking::run(&cli.db, args),
        Command::Index(command) => matchmaking::index(&cli.db, command),
        Command::Evaluate(args) => matchmaking::evaluate(args),
        Command::Resolve(args) => resolve::run(&cli.db, args),
        Command::Complexity(args) => complexity::complexity(args),
        Command::Io(args) => complexity::io(args),
        Command::EvaluateResolve(args) => resolve::evaluate(args),
        Command::Schedule(args) => events::run(&cli.db, args),
        Command::Report(args) => events::report(&cli.db, args),
        Command::Appeals(command) => services::run(&cli.db, command),
        Command::Assessments(command) => services::run_assessments(&cli.db, command),
        Command::Serve {
            addr,
            seed,
            secure_cookies,
        } => serve(&cli.db, addr, seed, secure_cookies, serve_web),
        Command::Demo {
            seed,
            scale,
            listings,
            event_participants,
            replace,
        } => demo(&cli.db, seed, scale, listings, event_participants, replace),
        Command::Import {
            path,
            replace,
            max_problems,
        } => import(&cli.db, &path, replace, max_problems),
        Command::Migrate { from, to } => migrate(&from, &to),
        Command::Export { path } => {
            let store = open(&cli.db)?;
            let bar = progress_bar();
            let started = Instant::now();
            let summary = chainatlas_bundle::export(&store, &path, &mut |p| show_progress(&bar, p));
            bar.finish_and_clear();
            let summary = summary?;
            let total: u64 = summary.exported.iter().map(|(_, n)| n).sum();
            let (to, took) = (path.display(), seconds(started));
            eprintln!(
                "{}",
                say(&text!(
                    "已导出 {total} 条记录到 {to}，用时 {took}",
                    "exported {total} records to {to} in {took}"
                ))
            );
            Ok(())
        }
        Command::User(command) => accounts::user(&mut open(&cli.db)?, command),
        Command::Token(command) => accounts::token(&mut open(&cli.db)?, command),
        Command::Audit { limit, format } => accounts::audit(&open(&cli.db)?, limit, format),
        Command::Stats { format } => {
            let store = open(&cli.db)?;
            let counts = store.counts()?;
            let rows: Vec<(&str, u64)> = RecordKind::ALL
                .iter()
                .map(|&k| (k.as_str(), counts.get(k)))
                .collect();
            output::print_counts(format, &rows);
            Ok(())
        }
    }
}

/// `demo`: the synthetic atlas, or N enterprises for benchmarks, with the demo accounts.
fn demo(
    db: &Path,
    seed: u64,
    scale: Option<u32>,
    listings: Option<u32>,
    event_participants: Option<usize>,
    replace: bool,
) -> Result<()> {
    let mut config = match scale {
        Some(n) => DemoConfig::scale(seed, n),
        None => DemoConfig::demo(seed),
    };
    if let Some(n) = listings {
        config.listings = n;
    }
    if let Some(n) = event_participants {
        config.event_participants = n;
    }
    let mut store = open(db)?;
    if !replace && !store.is_empty()? {
        let db = shown(db);
        bail!(
            "{}",
            say(&text!(
                "{db} 已有图谱；要以演示数据替换，请加 --replace",
                "{db} already holds an atlas; pass --replace to replace it with the demo"
            ))
        );
    }
    let started = Instant::now();
    let mut written = fill_with_demo(&mut store, &config, true)?;
    accounts::create_demo_accounts(&mut store, &mut std::io::stdout())?;
    written += services::write_demo_services(&mut store, &config)?;
    let (db, took) = (shown(db), seconds(started));
    eprintln!(
        "{}",
        say(&text!(
            "已向 {db} 写入 {written} 条演示记录，用时 {took}",
            "wrote {written} demo records to {db} in {took}"
        ))
    );
    Ok(())
}

/// `import`: a bundle, all or nothing, with every problem listed.
fn import(db: &Path, path: &Path, replace: bool, max_problems: usize) -> Result<()> {
    let mut store = open(db)?;
    let bar = progress_bar();
    let started = Instant::now();
    let result = chainatlas_bundle::import(
        &mut store,
        path,
        ImportOptions {
            replace,
            max_problems,
            ..ImportOptions::default()
        },
        &local_actor(),
        &mut |p| show_progress(&bar, p),
    );
    bar.finish_and_clear();
    match result {
        Ok(summary) => {
            let total = summary.rows();
            let heads = [
                text!("新增", "added"),
                text!("修改", "changed"),
                text!("未变", "unchanged"),
                text!("移除", "removed"),
            ];
            let [added, changed, unchanged, removed] = heads.each_ref().map(say);
            eprintln!(
                "  {:<18} {added:>10} {changed:>10} {unchanged:>10} {removed:>10}",
                ""
            );
            for k in &summary.kinds {
                eprintln!(
                    "  {:<18} {:>10} {:>10} {:>10} {:>10}",
                    say(&k.kind.label()),
                    k.added,
                    k.changed,
                    k.unchanged,
                    k.removed
                );
            }
            let (from, took) = (path.display(), seconds(started));
            eprintln!(
                "{}",
                say(&text!(
                    "已从 {from} 导入 {total} 条记录，用时 {took}",
                    "imported {total} records from {from} in {took}"
                ))
            );
            Ok(())
        }
        Err(ImportError::Invalid { problems, omitted }) => {
            for problem in &problems {
                eprintln!("{}", say(&problem.text()));
            }
            if omitted > 0 {
                eprintln!(
                    "{}",
                    say(&text!(
                        "……另有 {omitted} 个问题未列出（调大 --max-problems 可查看）",
                        "… and {omitted} more problems not listed (raise --max-problems to see them)"
                    ))
                );
            }
            let (n, from) = (problems.len() as u64 + omitted, path.display());
            bail!(
                "{}",
                say(&text!(
                    "{from} 中有 {n} 个问题；未导入任何数据",
                    "{n} problems in {from}; nothing was imported"
                ))
            )
        }
        Err(e) => Err(import_error(path, e)),
    }
}

/// A refused import or list that is not about its rows, in the command's language and
/// naming the file; the database's own errors as the database gives them.
pub(crate) fn import_error(path: &Path, e: ImportError) -> anyhow::Error {
    match e {
        ImportError::Store(e) => e.into(),
        e => {
            let (file, what) = (path.display(), chainatlas_model::Explain::explain(&e));
            let (zh, en) = (&what.zh, &what.en);
            anyhow::anyhow!("{}", say(&text!("{file}：{zh}", "{file}: {en}")))
        }
    }
}

/// "opening DB", as the context of an error.
pub(crate) fn opening(db: &Path) -> String {
    let db = shown(db);
    say(&text!("打开 {db}", "opening {db}")).to_string()
}

/// Seconds since `started`, as `12.3 s`.
fn seconds(started: Instant) -> String {
    format!("{:.1} s", started.elapsed().as_secs_f64())
}

/// Whoever runs this command, at this machine, now.
pub(crate) fn local_actor() -> Actor {
    let account = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    Actor::local(format!("cli:{account}"), now())
}

/// Unix seconds.
pub(crate) fn now() -> i64 {
    chainatlas_app::Clock::now_unix(&chainatlas_app::SystemClock)
}

/// Today in China, by the system clock: a command runs now.
pub(crate) fn today() -> chainatlas_model::Date {
    chainatlas_app::Clock::today(&chainatlas_app::SystemClock)
}

fn open(path: &Path) -> Result<Store> {
    Store::open(path).with_context(|| opening(path))
}

/// A database's location as messages show it: a PostgreSQL URL without its password.
pub(crate) fn shown(db: &Path) -> String {
    chainatlas_store::display_location(db)
}

/// Whether `db` holds nothing yet: an SQLite file that does not exist, or a PostgreSQL
/// database without atlas data or accounts.
fn is_new(db: &Path) -> Result<bool> {
    if !chainatlas_store::is_postgres(db) {
        return Ok(!db.exists());
    }
    let store = open(db)?;
    Ok(store.is_empty()? && store.users()?.is_empty())
}

/// `chainatlas migrate`: copies one database into another, table by table, and prints
/// each table's rows and checksum as verified in the target.
fn migrate(from: &Path, to: &Path) -> Result<()> {
    if !chainatlas_store::is_postgres(from) && !from.exists() {
        let from = from.display();
        bail!("{}", say(&text!("{from} 不存在", "{from} does not exist")));
    }
    let source = open(from)?;
    let mut target = open(to)?;
    let started = Instant::now();
    let copies = source
        .copy_into(&mut target, |t| {
            let (table, rows, sum) = (t.table, t.rows, t.checksum);
            eprintln!(
                "{}",
                say(&text!(
                    "  {table:<28} {rows:>12} 行  {sum:016x}",
                    "  {table:<28} {rows:>12} rows  {sum:016x}"
                ))
            )
        })
        .with_context(|| {
            let (from, to) = (shown(from), shown(to));
            say(&text!("把 {from} 移到 {to}", "moving {from} to {to}")).to_string()
        })?;
    let rows: u64 = copies.iter().map(|c| c.rows).sum();
    let (tables, from, to, took) = (copies.len(), shown(from), shown(to), seconds(started));
    eprintln!(
        "{}",
        say(&text!(
            "已把 {tables} 张表共 {rows} 行从 {from} 移到 {to}，用时 {took}；每张表的行数和校验和一致",
            "moved {rows} rows in {tables} tables from {from} to {to} in {took}; every table's rows and checksum agree"
        ))
    );
    Ok(())
}

/// Writes the demo atlas in one transaction. Returns the number of records written.
fn fill_with_demo(store: &mut Store, config: &DemoConfig, replace: bool) -> Result<u64> {
    let expected = config.enterprises as u64 * (2 + config.relations_per_enterprise as u64)
        + config.listings as u64;
    let bar = ProgressBar::new(expected);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} demo {wide_bar} {pos}/{len} records ({per_sec}, {eta})",
        )
        .expect("valid template"),
    );
    // Generated records are valid by construction: PostgreSQL takes them by COPY, and
    // SQLite without checking each reference again (the bundle import's session).
    store.bulk_session(true)?;
    let written = write_demo_atlas(store, config, replace, &bar);
    store.bulk_session(false)?;
    let mut written = written?;
    bar.set_message("events");
    written += events::write_demo_events(store, config)?;
    bar.finish_and_clear();
    Ok(written)
}

/// The demo's atlas in one bulk transaction: the records written.
fn write_demo_atlas(
    store: &mut Store,
    config: &DemoConfig,
    replace: bool,
    bar: &ProgressBar,
) -> Result<u64> {
    let mut writer = store.writer()?;
    if replace {
        writer.clear_events()?;
        writer.clear_services()?;
        writer.clear_all()?;
    }
    writer.bulk_load()?;
    let mut written = 0u64;
    chainatlas_demo::generate::<anyhow::Error>(config, &mut |record| {
        writer
            .insert(&record)
            .with_context(|| format!("writing demo record {record:?}"))?;
        written += 1;
        if written.is_multiple_of(16_384) {
            bar.set_position(written);
        }
        Ok(())
    })?;
    bar.set_message("committing");
    let change = Change::new("demo", "atlas", config.seed).after(format!(
        "{{\"enterprises\":{},\"seed\":{}}}",
        config.enterprises, config.seed
    ));
    writer.commit(&local_actor(), &change)?;
    Ok(written)
}

fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {msg:<18} {wide_bar} {bytes}/{total_bytes} ({eta})",
        )
        .expect("valid template"),
    );
    bar
}

fn show_progress(bar: &ProgressBar, progress: Progress) {
    bar.set_message(format!("{} {}", progress.kind.as_str(), progress.records));
    if let Some((done, total)) = progress.bytes {
        bar.set_length(total);
        bar.set_position(done);
    }
}

fn serve(
    db: &Path,
    addr: SocketAddr,
    seed: u64,
    secure_cookies: bool,
    serve_web: Serve,
) -> Result<()> {
    let started = Instant::now();
    if is_new(db)? {
        let new = shown(db);
        eprintln!(
            "{}",
            say(&text!(
                "{new} 是新数据库：正在填入演示图谱（种子 {seed}）",
                "{new} is new: filling it with the demo atlas (seed {seed})"
            ))
        );
        let mut store = open(db)?;
        let config = DemoConfig::demo(seed);
        fill_with_demo(&mut store, &config, false)?;
        accounts::create_demo_accounts(&mut store, &mut std::io::stderr())?;
        services::write_demo_services(&mut store, &config)?;
    }
    if !addr.ip().is_loopback() && open(db)?.any_demo_password()? {
        bail!(
            "{}",
            say(&text!(
                "拒绝在 {addr} 上监听：仍有账户使用演示时打印的密码。请用 `chainatlas user passwd 用户名` 修改（见 `chainatlas user list`），或在 127.0.0.1 上监听",
                "refusing to listen on {addr}: an account still has the password the demo printed. Change it with `chainatlas user passwd NAME` (see `chainatlas user list`), or listen on 127.0.0.1"
            ))
        );
    }
    let pool = chainatlas_store::Pool::open(db, 16).with_context(|| opening(db))?;
    let listener = std::net::TcpListener::bind(addr)
        .with_context(|| say(&text!("在 {addr} 上监听", "listening on {addr}")).to_string())?;
    let local = listener.local_addr()?;
    let (served, took) = (shown(db), seconds(started));
    eprintln!(
        "{}",
        say(&text!(
            "产业链图谱正在 http://{local}/ 提供 {served}（{took} 就绪）",
            "Chain Atlas is serving {served} on http://{local}/ (ready in {took})"
        ))
    );
    serve_web(listener, pool, secure_cookies).context("serving")
}
