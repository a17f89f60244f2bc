//! Schema migrations, embedded in the binary and applied in order on open.

use std::path::Path;

use rusqlite::Connection;

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
];

/// The schema version this program brings a database to.
pub(crate) const LATEST: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

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
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let added = (|| -> rusqlite::Result<()> {
        let mut insert = conn.prepare_cached(
            "INSERT OR IGNORE INTO regions (code, name_zh, name_en, parent_code, level)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for r in divisions {
            insert.execute(crate::rows::region_values(r))?;
        }
        Ok(())
    })();
    match added {
        Ok(()) => conn.execute_batch("COMMIT")?,
        Err(e) => {
            conn.execute_batch("ROLLBACK")?;
            return Err(e.into());
        }
    }
    Ok(())
}

pub(crate) fn apply(conn: &Connection, path: &Path) -> Result<()> {
    apply_until(conn, path, LATEST)
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
            path: path.to_path_buf(),
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
