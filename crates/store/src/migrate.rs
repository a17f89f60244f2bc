//! Schema migrations, embedded in the binary and applied in order on open.

use std::path::Path;

use crate::db::{Backend, Connection};

use crate::{Result, StoreError};

/// Every migration, in order. A migration is never edited once released: add a new one.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_atlas.sql")),
    (2, include_str!("../migrations/0002_generation.sql")),
    (3, include_str!("../migrations/0003_accounts.sql")),
    (4, include_str!("../migrations/0004_listing_search.sql")),
    (5, include_str!("../migrations/0005_activity_commits.sql")),
    (6, include_str!("../migrations/0006_events.sql")),
    (7, include_str!("../migrations/0007_listing_changes.sql")),
    (8, include_str!("../migrations/0008_event_lists.sql")),
    (9, include_str!("../migrations/0009_audit_by_record.sql")),
    (10, include_str!("../migrations/0010_resolution.sql")),
    (11, include_str!("../migrations/0011_industry.sql")),
    (12, include_str!("../migrations/0012_services.sql")),
    (13, include_str!("../migrations/0013_graph_changes.sql")),
];

/// PostgreSQL's migrations: its first brings a new database to version 12 at once (the
/// schema of SQLite's first twelve); each later version has a file for each backend.
const POSTGRES_MIGRATIONS: &[(i64, &str)] = &[
    (12, include_str!("../migrations/postgres/0012_baseline.sql")),
    (
        13,
        include_str!("../migrations/postgres/0013_graph_changes.sql"),
    ),
];

/// The schema version this program brings a database to.
pub(crate) const LATEST: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

const _: () = assert!(POSTGRES_MIGRATIONS[POSTGRES_MIGRATIONS.len() - 1].0 == LATEST);

pub(crate) fn current_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )?)
}

/// Adds China's built-in divisions a database lacks (all of them when it is new; the new
/// codes after `scripts/update-divisions.sh`), in one transaction. Regions already there
/// keep their names.
pub(crate) fn add_divisions(conn: &Connection) -> Result<()> {
    let divisions = chainatlas_model::divisions::all();
    let have: i64 = conn.query_row("SELECT COUNT(*) FROM regions", [], |r| r.get(0))?;
    if have as usize >= divisions.len() {
        return Ok(());
    }
    let tx = conn.transaction()?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO regions (code, name_zh, name_en, parent_code, level)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
    )?;
    for r in divisions {
        insert.execute(crate::rows::region_values(r))?;
    }
    drop(insert);
    tx.commit()?;
    Ok(())
}

pub(crate) fn apply(conn: &Connection, path: &Path) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite => apply_until(conn, path, LATEST),
        Backend::Postgres => apply_postgres(conn, path),
    }
}

/// PostgreSQL's migrations, in one transaction under the write lock: two servers starting
/// on a new database at once apply them once.
fn apply_postgres(conn: &Connection, path: &Path) -> Result<()> {
    // A database already at this version needs no lock: every new pooled connection
    // passes here, and it must not wait behind a long write (an import holds the lock).
    let exists: bool = conn.query_row(
        "SELECT to_regclass('schema_migrations') IS NOT NULL",
        [],
        |r| r.get(0),
    )?;
    if exists && current_version(conn)? == LATEST {
        return Ok(());
    }
    let tx = conn.transaction()?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version BIGINT PRIMARY KEY,
             applied_at TEXT NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')
         )",
    )?;
    let found = current_version(&tx)?;
    if found > LATEST {
        return Err(StoreError::TooNew {
            path: crate::display_location(path),
            found,
            known: LATEST,
        });
    }
    let mut at = found;
    for &(version, sql) in POSTGRES_MIGRATIONS.iter().filter(|m| m.0 > found) {
        tx.execute_batch(sql)?;
        // The first migration stands for every version up to its own.
        for v in (at + 1)..=version {
            tx.execute("INSERT INTO schema_migrations (version) VALUES (?1)", [v])?;
        }
        at = version;
    }
    tx.commit()?;
    Ok(())
}

/// Brings the schema to `until` (tests start a database at an old version).
pub(crate) fn apply_until(conn: &Connection, path: &Path, until: i64) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY,
             applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
         )",
    )?;
    let found = current_version(conn)?;
    let known = LATEST;
    if found > known {
        return Err(StoreError::TooNew {
            path: crate::display_location(path),
            found,
            known,
        });
    }
    for &(version, sql) in MIGRATIONS.iter().filter(|m| m.0 > found && m.0 <= until) {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let applied = conn.execute_batch(sql).and_then(|_| {
            conn.execute(
                "INSERT INTO schema_migrations (version) VALUES (?1)",
                [version],
            )
        });
        match applied {
            Ok(_) => conn.execute_batch("COMMIT")?,
            Err(e) => {
                conn.execute_batch("ROLLBACK")?;
                return Err(e.into());
            }
        }
    }
    Ok(())
}
