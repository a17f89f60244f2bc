//! The Chain Atlas store: the one crate that speaks SQL.
//!
//! The database is the system of record. Everything else (search indexes, in-memory
//! graphs) is derived from it and can be rebuilt. This crate owns the schema, its
//! migrations, every query, and the mapping between rows and `chainatlas-model` types.
//! Nothing outside it may depend on SQLite: callers see [`Store`], [`Writer`] and plain
//! Rust types, so that a PostgreSQL backend can take its place behind the same API.

mod accounts;
mod atlas;
mod audit;
pub mod db;
mod editing;
mod events;
mod graph;
mod listings;
mod migrate;
mod pool;
mod records;
mod resolution;
mod rows;
mod services;
pub mod testing;
mod transfer;
mod writer;

use std::path::{Path, PathBuf};

pub use accounts::{AccountError, ApiToken, User};
pub use atlas::{
    ChainSummary, Counts, EnterpriseNodeRow, EnterpriseOrder, EnterpriseRef, NodePresence, NodeRef,
    Page, SupplyLink,
};
pub use audit::{Actor, AuditEntry, Change};
pub use events::EventWriteError;
pub use graph::GraphUpdate;
pub use listings::MatchFacts;
pub use pool::{Pool, PooledStore, POSTGRES_MAX_OPEN};
pub use records::Snapshot;
pub use resolution::{
    enriched_fields, merged_fields, Choice, ListHead, ListRow, ListStatus, MergeHead, Proposal,
    ResolutionError, RowPlan, ENRICHED_FIELDS,
};
pub use services::{
    AppealFilter, AppealStep, Notification, ServicesData, StoredAssessment, Unvisited, VisitFilter,
};
pub use transfer::{TableCopy, TransferError};
pub use writer::{InsertError, Writer};

/// A failure of the database itself, not of the caller's data.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open database {path}: {source}")]
    Open { path: String, source: db::Error },
    #[error("database {path} has schema version {found}, newer than this program knows ({known}); upgrade chainatlas")]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
    #[error(transparent)]
    Sql(#[from] db::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sql(e.into())
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Whether `location` names a PostgreSQL database (`postgres://…` or `postgresql://…`)
/// rather than an SQLite file.
pub fn is_postgres(location: &Path) -> bool {
    location
        .to_str()
        .is_some_and(|s| s.starts_with("postgres://") || s.starts_with("postgresql://"))
}

/// A database's location as it may be shown: a PostgreSQL URL without its password.
pub fn display_location(location: &Path) -> String {
    let text = location.to_string_lossy();
    if !is_postgres(location) {
        return text.into_owned();
    }
    match (text.find("://"), text.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &text[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &text[..scheme + 3], &text[at..]),
                None => text.into_owned(),
            }
        }
        _ => text.into_owned(),
    }
}

/// An open database.
pub struct Store {
    conn: db::Connection,
    path: PathBuf,
}

impl Store {
    /// Opens the database at `location` and brings its schema up to date: an SQLite file
    /// (created if missing), or a PostgreSQL database named by a `postgres://` URL.
    pub fn open(location: impl AsRef<Path>) -> Result<Store> {
        let path = location.as_ref().to_path_buf();
        let opened = if is_postgres(&path) {
            Self::connect_postgres(&path)
        } else {
            Self::connect_sqlite(&path)
        };
        let conn = opened.map_err(|source| StoreError::Open {
            path: display_location(&path),
            source,
        })?;
        migrate::apply(&conn, &path)?;
        migrate::add_divisions(&conn)?;
        Ok(Store { conn, path })
    }

    fn connect_sqlite(path: &Path) -> db::Result<db::Connection> {
        let conn = rusqlite::Connection::open(path)?;
        // WAL lets the web server read while an import writes; NORMAL sync is durable
        // across application crashes and is the usual choice with WAL.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON;
             PRAGMA busy_timeout = 5000;
             PRAGMA cache_size = -65536;
             PRAGMA temp_store = MEMORY;",
        )?;
        Ok(db::Connection::sqlite(conn))
    }

    pub(crate) fn connect_postgres(url: &Path) -> db::Result<db::Connection> {
        let conn = db::Connection::postgres(url.to_str().unwrap_or_default())?;
        // Text compares byte by byte, as in SQLite, whatever the database's collation.
        conn.execute_batch("SET lock_timeout = '5s'")?;
        Ok(conn)
    }

    /// Which database this store speaks to.
    pub fn backend(&self) -> db::Backend {
        self.conn.backend()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Starts an all-or-nothing write. Nothing is visible to others until
    /// [`Writer::commit`]; dropping the writer without committing discards everything.
    pub fn writer(&mut self) -> Result<Writer<'_>> {
        Writer::begin(&mut self.conn)
    }

    /// Runs `f` as one serialized unit: it holds the database's write lock from its first
    /// read, so what it reads cannot change before what it writes commits (a rule checked
    /// on a read, then a write that relies on it). Writers opened inside are savepoints of
    /// this transaction; everything commits when `f` returns `Ok` and nothing when it
    /// returns `Err` or panics.
    pub fn exclusive<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&mut Store) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        if !self.conn.is_autocommit() {
            return f(self); // already inside one
        }
        let level = self.conn.begin().map_err(StoreError::from)?;
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(self)));
        match outcome {
            Ok(Ok(value)) => {
                self.conn.finish(level, true).map_err(StoreError::from)?;
                Ok(value)
            }
            Ok(Err(e)) => {
                self.conn.finish(level, false).map_err(StoreError::from)?;
                Err(e)
            }
            Err(panic) => {
                let _ = self.conn.finish(level, false);
                std::panic::resume_unwind(panic)
            }
        }
    }

    /// Whether the atlas holds no data of its own (a freshly created database: nothing but
    /// the built-in divisions).
    pub fn is_empty(&self) -> Result<bool> {
        let counts = self.counts()?;
        Ok(counts.total() == counts.regions)
    }

    /// The atlas's generation: it changes with every committed write, so anything derived
    /// from the atlas can tell whether it is still current by comparing one number.
    pub fn generation(&self) -> Result<u64> {
        let generation: i64 = self.conn.query_row(
            "SELECT generation FROM atlas_generation WHERE id = 1",
            [],
            |r| r.get(0),
        )?;
        Ok(generation as u64)
    }

    /// The generation of atlas facts: like [`Store::generation`], but not moved by
    /// commits of activity (listings) that change no chain, node, region or enterprise.
    pub fn facts_generation(&self) -> Result<u64> {
        let generation: i64 = self.conn.query_row(
            "SELECT generation - activity_commits FROM atlas_generation WHERE id = 1",
            [],
            |r| r.get(0),
        )?;
        Ok(generation as u64)
    }

    /// The schema version the database is at.
    pub fn schema_version(&self) -> Result<i64> {
        migrate::current_version(&self.conn)
    }
}

#[cfg(test)]
mod tests;
