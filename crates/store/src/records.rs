//! Every record of a kind, in key order: what bundle export and import read in bulk, and
//! the record-at-a-time reads and writes a merging import makes inside its transaction.

use chainatlas_model::{Record, RecordKind};

use crate::db::{Backend, Connection, OptionalExtension, Row};

use crate::events as ev;
use crate::rows;
use crate::writer::{InsertError, Writer};
use crate::{Result, Store, StoreError};

/// Maps a row of [`Select::sql`] to a record; the connection reads a record's lists.
type MapRow = fn(&Connection, &Row<'_>) -> crate::db::Result<Record>;

/// How to read records of one kind, and the statements that find one by its key.
struct Select {
    /// `SELECT … FROM table`, without a condition or an order.
    sql: String,
    /// The key columns, in [`Record::key`] order; the order of a bundle file.
    key: &'static [&'static str],
    map: MapRow,
    /// `sql` for the record with a key (`?1`, and `?2` for a pair).
    by_key: String,
    /// Whether there is a record with a key.
    exists: String,
    /// Deletes the record with a key.
    delete: String,
}

impl Select {
    /// A key as the parameters of the statements above.
    fn params<'k>(&self, key: &'k [i64; 2]) -> crate::db::ParamsFromIter<&'k i64> {
        crate::db::params_from_iter(key[..self.key.len()].iter())
    }
}

/// How to read records of `kind`, built once: an import asks for every row.
fn select(kind: RecordKind) -> &'static Select {
    static ALL: std::sync::OnceLock<Vec<Select>> = std::sync::OnceLock::new();
    let all = ALL.get_or_init(|| RecordKind::ALL.iter().map(|&k| build_select(k)).collect());
    &all[kind_number(kind) as usize]
}

fn build_select(kind: RecordKind) -> Select {
    let s = |columns: &str, key: &'static [&'static str], map: MapRow| {
        let (table, condition) = (kind.as_str(), key_condition(key));
        Select {
            sql: format!("SELECT {columns} FROM {table}"),
            key,
            map,
            by_key: format!("SELECT {columns} FROM {table} WHERE {condition}"),
            exists: format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE {condition})"),
            delete: format!("DELETE FROM {table} WHERE {condition}"),
        }
    };
    match kind {
        RecordKind::Region => s(rows::REGION_COLUMNS, &["code"], |_, r| {
            rows::region(r).map(Record::Region)
        }),
        RecordKind::Chain => s(rows::CHAIN_COLUMNS, &["id"], |_, r| {
            rows::chain(r).map(Record::Chain)
        }),
        RecordKind::ChainNode => s(rows::NODE_COLUMNS, &["id"], |_, r| {
            rows::node(r).map(Record::ChainNode)
        }),
        RecordKind::NodeInput => s(
            "input_node_id, output_node_id",
            &["input_node_id", "output_node_id"],
            |_, r| rows::node_input(r).map(Record::NodeInput),
        ),
        RecordKind::Enterprise => s(rows::ENTERPRISE_COLUMNS, &["id"], |_, r| {
            rows::enterprise(r).map(Record::Enterprise)
        }),
        RecordKind::EnterpriseNode => s(
            "enterprise_id, node_id, output_fen, capacity_fen",
            &["enterprise_id", "node_id"],
            |_, r| rows::enterprise_node(r).map(Record::EnterpriseNode),
        ),
        RecordKind::SupplyRelation => s(
            "id, supplier_id, buyer_id, node_id, annual_value_fen",
            &["id"],
            |_, r| rows::supply_relation(r).map(Record::SupplyRelation),
        ),
        RecordKind::Listing => s(rows::LISTING_COLUMNS, &["id"], |_, r| {
            rows::listing(r).map(Record::Listing)
        }),
        RecordKind::Event => s(ev::EVENT_COLUMNS, &["id"], |conn, r| {
            ev::with_lists(conn, ev::event(r)?).map(Record::Event)
        }),
        RecordKind::Participant => s(ev::PARTICIPANT_COLUMNS, &["id"], |conn, r| {
            let mut p = ev::participant(r)?;
            ev::with_slots(conn, std::slice::from_mut(&mut p))?;
            ev::with_listings(conn, &mut p)?;
            Ok(Record::Participant(p))
        }),
        RecordKind::MeetingRequest => s(ev::REQUEST_COLUMNS, &["id"], |_, r| {
            ev::request(r).map(Record::MeetingRequest)
        }),
        RecordKind::Meeting => s(ev::MEETING_COLUMNS, &["id"], |_, r| {
            ev::meeting(r).map(Record::Meeting)
        }),
        RecordKind::Agreement => s(ev::AGREEMENT_COLUMNS, &["id"], |_, r| {
            ev::agreement(r).map(Record::Agreement)
        }),
    }
}

/// `a = ?1 AND b = ?2` for a key's columns.
fn key_condition(key: &[&str]) -> String {
    key.iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ?{}", i + 1))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The lists that hang off a record of `kind` (table, column naming the record).
fn child_tables(kind: RecordKind) -> &'static [(&'static str, &'static str)] {
    match kind {
        RecordKind::Event => &[
            ("event_may_meet", "event_id"),
            ("event_groups", "event_id"),
            ("event_chains", "event_id"),
            ("event_nodes", "event_id"),
        ],
        RecordKind::Participant => &[
            ("event_participant_slots", "participant_id"),
            ("event_participant_listings", "participant_id"),
        ],
        _ => &[],
    }
}

impl Store {
    /// The keys of every record of a kind with a single integer key (regions by code),
    /// empty for the kinds keyed by a pair.
    pub fn keys(&self, kind: RecordKind) -> Result<Vec<i64>> {
        keys_in(&self.conn, kind)
    }

    /// Calls `visit` with every record of `kind`, in a stable order (by key), streaming:
    /// memory stays flat however many records there are. This order is what makes an
    /// export byte-for-byte reproducible.
    pub fn for_each_record<E>(
        &self,
        kind: RecordKind,
        visit: impl FnMut(Record) -> Result<(), E>,
    ) -> Result<(), E>
    where
        E: From<StoreError>,
    {
        for_each_record_in(&self.conn, kind, visit)
    }
}

fn keys_in(conn: &Connection, kind: RecordKind) -> Result<Vec<i64>> {
    let key = select(kind).key;
    if key.len() != 1 {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare(&format!("SELECT {} FROM {}", key[0], kind.as_str()))?;
    let keys = stmt
        .query_map([], |r| r.get(0))?
        .collect::<crate::db::Result<_>>()?;
    Ok(keys)
}

fn for_each_record_in<E>(
    conn: &Connection,
    kind: RecordKind,
    mut visit: impl FnMut(Record) -> Result<(), E>,
) -> Result<(), E>
where
    E: From<StoreError>,
{
    let select = select(kind);
    let sql = format!("{} ORDER BY {}", select.sql, select.key.join(", "));
    let mut stmt = conn.prepare(&sql).map_err(StoreError::from)?;
    let mut rows = stmt.query([]).map_err(StoreError::from)?;
    while let Some(row) = rows.next().map_err(StoreError::from)? {
        visit((select.map)(conn, &row).map_err(StoreError::from)?)?;
    }
    Ok(())
}

/// The temporary table of the keys a merging import has written, per kind: what tells a
/// row that updates the database's record from a second row of the bundle with the same
/// key. It lives on disk ([`Store::temp_on_disk`]), so memory stays flat; SQLite keeps
/// the keys in the key's own b-tree (no rowid).
fn seen_table(backend: Backend) -> String {
    format!(
        "CREATE TEMP TABLE IF NOT EXISTS import_seen (
             kind BIGINT NOT NULL, a BIGINT NOT NULL, b BIGINT NOT NULL,
             PRIMARY KEY (kind, a, b)){};
         DELETE FROM import_seen;",
        if backend == Backend::Sqlite {
            " WITHOUT ROWID"
        } else {
            ""
        }
    )
}

fn kind_number(kind: RecordKind) -> i64 {
    RecordKind::ALL
        .iter()
        .position(|k| *k == kind)
        .expect("a kind") as i64
}

impl Writer<'_> {
    /// [`Store::keys`] as this transaction sees them: read under its write lock, no
    /// other write can remove one of them before it commits.
    pub fn keys(&self, kind: RecordKind) -> Result<Vec<i64>> {
        keys_in(self.tx(), kind)
    }

    /// [`Store::for_each_record`] as this transaction sees the records.
    pub fn for_each_record<E>(
        &self,
        kind: RecordKind,
        visit: impl FnMut(Record) -> Result<(), E>,
    ) -> Result<(), E>
    where
        E: From<StoreError>,
    {
        for_each_record_in(self.tx(), kind, visit)
    }

    /// Whether the transaction sees a record of `kind` with this key.
    pub fn exists(&self, kind: RecordKind, key: [i64; 2]) -> Result<bool> {
        let select = select(kind);
        Ok(self
            .tx()
            .prepare_cached(&select.exists)?
            .query_row(select.params(&key), |r| r.get(0))?)
    }

    /// Starts remembering the keys this import writes ([`Writer::first_time`]).
    pub fn track_keys(&mut self) -> Result<()> {
        self.tx().execute_batch(&seen_table(self.tx().backend()))?;
        Ok(())
    }

    /// Notes that the import wrote the record of `kind` with `key`; false when it had
    /// already written one with the same key.
    pub fn first_time(&mut self, kind: RecordKind, key: [i64; 2]) -> Result<bool> {
        let added = self
            .tx()
            .prepare_cached(
                "INSERT INTO import_seen (kind, a, b) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            )?
            .execute([kind_number(kind), key[0], key[1]])?;
        Ok(added == 1)
    }

    /// The record of `kind` with this key, as the transaction sees it.
    pub fn record(&self, kind: RecordKind, key: [i64; 2]) -> Result<Option<Record>> {
        existing(self.tx(), kind, key)
    }

    /// Deletes the record of `kind` with this key, lists included; false when there was
    /// none. What refers to it is the caller's to check ([`Writer::references_to`]).
    pub fn delete(&mut self, kind: RecordKind, key: [i64; 2]) -> Result<bool> {
        let select = select(kind);
        for (table, column) in child_tables(kind) {
            self.tx()
                .prepare_cached(&format!("DELETE FROM {table} WHERE {column} = ?1"))?
                .execute([key[0]])?;
        }
        let deleted = self
            .tx()
            .prepare_cached(&select.delete)?
            .execute(select.params(&key))?;
        Ok(deleted == 1)
    }

    /// Replaces the record with `record`'s key by `record`, lists included.
    pub fn replace(&mut self, record: &Record) -> Result<(), InsertError> {
        let kind = record.kind();
        let key = record.key();
        let select = select(kind);
        for (table, column) in child_tables(kind) {
            self.tx()
                .prepare_cached(&format!("DELETE FROM {table} WHERE {column} = ?1"))?
                .execute([key[0]])?;
        }
        self.tx()
            .prepare_cached(&select.delete)?
            .execute(select.params(&key))?;
        self.insert(record)
    }
}

/// The database as it was when the snapshot was taken, read through a second connection
/// while a [`Writer`] changes it: what an import compares its rows with.
pub struct Snapshot {
    conn: Connection,
}

impl Store {
    /// Opens a read-only view of the database as it is now, which later writes (of this
    /// or any connection) do not change (WAL keeps the pages it reads).
    pub fn snapshot(&self) -> Result<Snapshot> {
        let conn = match self.backend() {
            Backend::Sqlite => {
                let conn = rusqlite::Connection::open_with_flags(
                    &self.path,
                    rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                        | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                conn.execute_batch("PRAGMA busy_timeout = 5000; BEGIN")?;
                // The first read fixes what the transaction sees.
                conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))?;
                Connection::sqlite(conn)
            }
            Backend::Postgres => {
                let conn = Store::connect_postgres(&self.path)?;
                conn.execute_batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
                conn.query_row("SELECT 1", [], |_| Ok(()))?;
                conn
            }
        };
        Ok(Snapshot { conn })
    }

    /// Keeps temporary tables (an import's [`Writer::track_keys`]) on disk rather than in
    /// memory, so that an import of millions of rows stays within bounded memory; part of
    /// [`Store::bulk_session`].
    fn temp_on_disk(&mut self) -> Result<()> {
        if self.backend() == Backend::Sqlite {
            self.conn.execute_batch("PRAGMA temp_store = FILE")?;
        }
        Ok(())
    }

    /// Sets this connection up for a bulk load, or back to the usual (SQLite; nothing
    /// on PostgreSQL). Call it on a connection of the load's own, outside a transaction:
    /// `true` before its writer is opened, `false` once the writer is gone.
    ///
    /// For the load:
    /// - temporary tables on disk ([`Store::temp_on_disk`]);
    /// - a page cache of [`BULK_CACHE_MIB`] instead of 64 MiB: a province's import writes
    ///   about a gigabyte of pages in one transaction, and with the small cache they
    ///   spill to the log and are read back from it;
    /// - sorts (the indexes built at commit) on helper threads, at most 4;
    /// - foreign keys not enforced by the database: the import checks every reference
    ///   itself against the bundle and the database, naming the file, row and column,
    ///   before the row is written, and with enforcement the database looked up each
    ///   relation's three parents again (40 % of the writing thread's time at 1M
    ///   enterprises). The bundle tests check the database's integrity after imports
    ///   (`PRAGMA foreign_key_check`).
    pub fn bulk_session(&mut self, on: bool) -> Result<()> {
        if self.backend() != Backend::Sqlite {
            return Ok(());
        }
        // Statements are compiled with the settings of their time (foreign keys
        // enforced or not): each side of the session prepares its own.
        self.conn.forget_prepared();
        if on {
            self.temp_on_disk()?;
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
            self.conn.execute_batch(&format!(
                "PRAGMA cache_size = -{}; PRAGMA threads = {threads}; PRAGMA foreign_keys = OFF;",
                BULK_CACHE_MIB * 1024
            ))?;
        } else {
            self.conn.execute_batch(
                "PRAGMA cache_size = -65536; PRAGMA threads = 0; PRAGMA foreign_keys = ON;",
            )?;
        }
        Ok(())
    }

    /// Rows whose reference finds no record, per SQLite's `PRAGMA foreign_key_check`
    /// (0 on PostgreSQL, which enforces them at commit): 0 in a sound database.
    pub fn foreign_key_violations(&self) -> Result<u64> {
        if self.backend() != Backend::Sqlite {
            return Ok(0);
        }
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
        let rows = stmt
            .query_map([], |_| Ok(()))?
            .collect::<crate::db::Result<Vec<()>>>()?;
        Ok(rows.len() as u64)
    }
}

/// The page cache of a bulk load's connection, in MiB ([`Store::bulk_session`]).
pub const BULK_CACHE_MIB: u64 = 512;

impl Snapshot {
    /// How many records of `kind` there were.
    pub fn count(&self, kind: RecordKind) -> Result<u64> {
        count(&self.conn, kind)
    }

    /// The record of `kind` with this key, as it was.
    pub fn existing(&self, kind: RecordKind, key: [i64; 2]) -> Result<Option<Record>> {
        existing(&self.conn, kind, key)
    }

    /// The id the enterprise with this credit code had, if there was one.
    pub fn enterprise_by_credit_code(&self, code: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached("SELECT id FROM enterprises WHERE credit_code = ?1")?
            .query_row([code], |r| r.get(0))
            .optional()?)
    }
}

fn count(conn: &Connection, kind: RecordKind) -> Result<u64> {
    Ok(conn.query_row(
        &format!("SELECT count(*) FROM {}", kind.as_str()),
        [],
        |r| r.get(0),
    )?)
}

fn existing(conn: &Connection, kind: RecordKind, key: [i64; 2]) -> Result<Option<Record>> {
    let select = select(kind);
    Ok(conn
        .prepare_cached(&select.by_key)?
        .query_row(select.params(&key), |r| (select.map)(conn, r))
        .optional()?)
}
