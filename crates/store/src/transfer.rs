//! Moving a whole database from one backend to the other (`chainatlas migrate`): every
//! table, accounts and audit log included, in one transaction of the target, verified
//! table by table by row counts and checksums read back from the target.

use crate::db::{Connection, Value, ValueRef};
use crate::{Result, Store, StoreError};

/// Every table, in an order where each comes after what it refers to. Schema versions
/// are not copied: each database keeps its own.
pub(crate) const TABLES: &[&str] = &[
    "regions",
    "chains",
    "chain_nodes",
    "node_inputs",
    "enterprises",
    "enterprise_nodes",
    "supply_relations",
    "listings",
    "listing_changes",
    "listing_revision",
    "graph_changes",
    "atlas_generation",
    "users",
    "sessions",
    "api_tokens",
    "audit_log",
    "events",
    "event_groups",
    "event_may_meet",
    "event_chains",
    "event_nodes",
    "event_participants",
    "event_participant_slots",
    "event_participant_listings",
    "meeting_requests",
    "meetings",
    "agreements",
    "resolutions",
    "resolution_rows",
    "merges",
    "merge_moves",
    "merge_removed_nodes",
    "merge_removed_relations",
    "official_assignments",
    "visits",
    "visit_officials",
    "appeals",
    "appeal_attachments",
    "appeal_steps",
    "supervisors",
    "notifications",
    "calendar_files",
    "assessments",
];

/// Rows written per batch (one `COPY` on PostgreSQL).
const BATCH: usize = 10_000;

/// One table as moved: its rows and their checksum, the same on both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopy {
    pub table: &'static str,
    pub rows: u64,
    /// Order-independent: the wrapping sum of each row's FNV-1a hash over its values.
    pub checksum: u64,
}

/// Why a database could not be moved.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error("the target database already holds data ({0}); move into a new, empty database")]
    TargetNotEmpty(String),
    #[error("{table}: the target holds {found_rows} rows (checksum {found:016x}) where the source holds {rows} (checksum {expected:016x}); nothing was kept")]
    Mismatch {
        table: &'static str,
        rows: u64,
        found_rows: u64,
        expected: u64,
        found: u64,
    },
    #[error("the source and the target are at schema versions {0} and {1}")]
    Versions(i64, i64),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<crate::db::Error> for TransferError {
    fn from(e: crate::db::Error) -> Self {
        TransferError::Store(e.into())
    }
}

impl Store {
    /// Copies everything in this database into `target`, a new one (no atlas data, no
    /// accounts), in one transaction of the target; each table's rows and checksum are
    /// read back from the target before it commits, and any difference keeps nothing.
    /// `progress` hears each table as it is done.
    pub fn copy_into(
        &self,
        target: &mut Store,
        mut progress: impl FnMut(&TableCopy),
    ) -> std::result::Result<Vec<TableCopy>, TransferError> {
        let (from, to) = (self.schema_version()?, target.schema_version()?);
        if from != to {
            return Err(TransferError::Versions(from, to));
        }
        if !target.is_empty()? || !target.users()?.is_empty() {
            return Err(TransferError::TargetNotEmpty(crate::display_location(
                target.path(),
            )));
        }
        // The source is read as of one moment.
        let source = self.conn.read_transaction()?;
        let tx = target.conn.transaction()?;
        // Tables come in dependency order (regions parents first), so references are
        // checked as rows arrive: PostgreSQL would hold every deferred check in memory.
        // The listing log is the source's, so the trigger that writes it rests meanwhile
        // (on SQLite it finds no revision row to move while the copy runs).
        let postgres = tx.backend() == crate::db::Backend::Postgres;
        if postgres {
            tx.execute_batch("ALTER TABLE listings DISABLE TRIGGER listings_revision")?;
        }
        // The graph's change log is the source's too; its triggers stand aside.
        let mut graph_log = Some(crate::graph::GraphLogPause::pause(&tx)?);
        // What a new database holds of its own: the built-in divisions and the counters'
        // rows. The source's take their place.
        for table in ["regions", "atlas_generation", "listing_revision"] {
            tx.execute_batch(&format!("DELETE FROM {table}"))?;
        }
        let mut copies = Vec::with_capacity(TABLES.len());
        for &table in TABLES {
            if table == "listing_changes" {
                // Copying the listings moved the target's listing log; the source's replaces it.
                tx.execute_batch("DELETE FROM listing_changes")?;
            }
            if table == "graph_changes" {
                // The triggers are back, and the source's log replaces the row they leave.
                if let Some(paused) = graph_log.take() {
                    paused.restore(&tx)?;
                }
                tx.execute_batch("DELETE FROM graph_changes")?;
            }
            let copy = copy_table(&source, &tx, table)?;
            progress(&copy);
            copies.push(copy);
        }
        for copy in &copies {
            let (rows, checksum) = table_checksum(&tx, copy.table)?;
            if (rows, checksum) != (copy.rows, copy.checksum) {
                return Err(TransferError::Mismatch {
                    table: copy.table,
                    rows: copy.rows,
                    found_rows: rows,
                    expected: copy.checksum,
                    found: checksum,
                });
            }
        }
        if postgres {
            tx.execute_batch(
                "ALTER TABLE listings ENABLE TRIGGER listings_revision;
                 SELECT chainatlas_sync_ids();",
            )?;
        }
        tx.commit()?;
        drop(source);
        Ok(copies)
    }

    /// Each table's rows and checksum, as [`Store::copy_into`] compares them.
    pub fn checksums(&self) -> Result<Vec<TableCopy>> {
        let tx = self.conn.read_transaction()?;
        TABLES
            .iter()
            .map(|&table| {
                let (rows, checksum) = table_checksum(&tx, table)?;
                Ok(TableCopy {
                    table,
                    rows,
                    checksum,
                })
            })
            .collect()
    }
}

/// The columns both sides share, in the target's order.
fn columns(conn: &Connection, table: &str) -> crate::db::Result<Vec<String>> {
    conn.column_names(&format!("SELECT * FROM {table} LIMIT 0"))
}

fn copy_table(
    source: &Connection,
    target: &Connection,
    table: &'static str,
) -> std::result::Result<TableCopy, TransferError> {
    let names = columns(target, table)?;
    // A region's parent has the smaller code: parents arrive first.
    let order = if table == "regions" {
        " ORDER BY code"
    } else {
        ""
    };
    let select = format!("SELECT {} FROM {table}{order}", names.join(", "));
    let (mut rows, mut checksum) = (0u64, 0u64);
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(BATCH);
    source.for_each_row(&select, |row| {
        let values = (0..names.len())
            .map(|i| row.get::<Value>(i))
            .collect::<crate::db::Result<Vec<_>>>()?;
        checksum = checksum.wrapping_add(row_hash(&values));
        rows += 1;
        batch.push(values);
        if batch.len() == BATCH {
            target.copy_in(table, &names, &batch)?;
            batch.clear();
        }
        Ok(())
    })?;
    target.copy_in(table, &names, &batch)?;
    Ok(TableCopy {
        table,
        rows,
        checksum,
    })
}

fn table_checksum(conn: &Connection, table: &str) -> crate::db::Result<(u64, u64)> {
    let names = columns(conn, table)?;
    let (mut rows, mut checksum) = (0u64, 0u64);
    conn.for_each_row(
        &format!("SELECT {} FROM {table}", names.join(", ")),
        |row| {
            let values = (0..names.len())
                .map(|i| row.get::<Value>(i))
                .collect::<crate::db::Result<Vec<_>>>()?;
            checksum = checksum.wrapping_add(row_hash(&values));
            rows += 1;
            Ok(())
        },
    )?;
    Ok((rows, checksum))
}

/// FNV-1a over each value's kind and bytes: the same row gives the same number on either
/// backend.
fn row_hash(values: &[Value]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    };
    for value in values {
        match crate::db::ToSql::value_ref(value) {
            ValueRef::Null => eat(&[0]),
            ValueRef::Integer(n) => {
                eat(&[1]);
                eat(&n.to_le_bytes());
            }
            ValueRef::Real(f) => {
                eat(&[2]);
                eat(&f.to_bits().to_le_bytes());
            }
            ValueRef::Text(t) => {
                eat(&[3]);
                eat(&(t.len() as u64).to_le_bytes());
                eat(t.as_bytes());
            }
            ValueRef::Blob(b) => {
                eat(&[4]);
                eat(&(b.len() as u64).to_le_bytes());
                eat(b);
            }
        }
    }
    h
}
