//! All-or-nothing writes of atlas records.

use crate::db::{Backend, Connection, ErrorKind, OptionalExtension, Transaction, Value, ValueRef};
use chainatlas_model::{Enterprise, EnterpriseId, Listing, ListingId, Record, RecordKind};

use crate::audit::{Actor, Change};
use crate::{Result, StoreError};

/// Why one record could not be written. The store is the last line of defence: callers
/// (bundle import, the demo generator) validate first, and the store's constraints catch
/// what only the database can know, such as a key already present.
#[derive(Debug, thiserror::Error)]
pub enum InsertError {
    /// A unique key (`id`, `credit_code`, `code`, a pair of node ids) is taken.
    #[error("duplicate {columns}: a record with this value already exists")]
    Duplicate { columns: String },
    /// Another database rule (reference, check) refused the record.
    #[error("rejected by the database: {0}")]
    Rejected(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl chainatlas_model::Explain for InsertError {
    fn explain(&self) -> chainatlas_model::Text {
        use chainatlas_model::text;
        match self {
            InsertError::Duplicate { columns } => text!(
                "{columns} 重复：已有记录使用这个值",
                "duplicate {columns}: a record with this value already exists"
            ),
            InsertError::Rejected(rule) => {
                text!(
                    "数据库拒绝了这条记录：{rule}",
                    "rejected by the database: {rule}"
                )
            }
            InsertError::Store(_) => text!("数据库出错", "database error"),
        }
    }
}

impl From<crate::db::Error> for InsertError {
    fn from(e: crate::db::Error) -> Self {
        match e.kind() {
            ErrorKind::Unique { columns } => InsertError::Duplicate {
                columns: columns.clone(),
            },
            ErrorKind::Reference | ErrorKind::Check => {
                InsertError::Rejected(e.message().to_string())
            }
            _ => InsertError::Store(e.into()),
        }
    }
}

/// An open write transaction. Commit with [`Writer::commit`]; dropping it rolls back.
/// Inside [`crate::Store::exclusive`], a savepoint of its transaction.
pub struct Writer<'a> {
    tx: Transaction<'a>,
    /// Rows waiting for `COPY` ([`Writer::bulk_load`] on PostgreSQL), per plain table.
    pending: Option<Pending>,
    /// The graph's change log set aside by [`Writer::bulk_load`], back at commit.
    graph_log: Option<crate::graph::GraphLogPause>,
    /// Secondary indexes of empty tables a bulk load dropped, made again at commit.
    deferred_indexes: Vec<String>,
}

/// A bulk load's rows not yet written, per table of [`PLAIN`].
#[derive(Default)]
struct Pending {
    /// Per table of [`PLAIN`]: each row's tag and values.
    rows: Vec<Vec<(u64, Vec<Value>)>>,
    count: usize,
    listings: bool,
    /// Rows the database refused, with their tags.
    refused: Vec<(u64, InsertError)>,
}

/// Rows a bulk load writes per `COPY` round.
const BULK_BATCH: usize = 20_000;

/// The plain records' tables and columns, in dependency order; the first column of each
/// is the record's key as a bundle gives it.
const PLAIN: [(&str, &str); 7] = [
    ("chains", "id, code, name_zh, name_en"),
    (
        "chain_nodes",
        "id, chain_id, code, name_zh, name_en, segment",
    ),
    ("node_inputs", "input_node_id, output_node_id"),
    ("enterprises", crate::rows::ENTERPRISE_COLUMNS),
    (
        "enterprise_nodes",
        "enterprise_id, node_id, output_fen, capacity_fen",
    ),
    (
        "supply_relations",
        "id, supplier_id, buyer_id, node_id, annual_value_fen",
    ),
    ("listings", crate::rows::LISTING_COLUMNS),
];

/// A plain record as its table's position in [`PLAIN`] and its values in column order;
/// `None` for the others (regions are upserts, events have lists).
fn plain_row(record: &Record) -> Option<(usize, Vec<Value>)> {
    Some(match record {
        Record::Chain(c) => (
            0,
            vec![
                c.id.0.into(),
                c.code.clone().into(),
                c.name_zh.clone().into(),
                c.name_en.clone().into(),
            ],
        ),
        Record::ChainNode(n) => (
            1,
            vec![
                n.id.0.into(),
                n.chain.0.into(),
                n.code.clone().into(),
                n.name_zh.clone().into(),
                n.name_en.clone().into(),
                n.segment.as_str().into(),
            ],
        ),
        Record::NodeInput(i) => (2, vec![i.input.0.into(), i.output.0.into()]),
        Record::Enterprise(e) => (3, enterprise_params(Some(e.id.0), e).to_vec()),
        Record::EnterpriseNode(en) => (
            4,
            vec![
                en.enterprise.0.into(),
                en.node.0.into(),
                en.output.fen().into(),
                en.capacity.fen().into(),
            ],
        ),
        Record::SupplyRelation(r) => (
            5,
            vec![
                r.id.0.into(),
                r.supplier.0.into(),
                r.buyer.0.into(),
                r.node.0.into(),
                r.annual_value.fen().into(),
            ],
        ),
        Record::Listing(l) => (6, listing_params(l).to_vec()),
        _ => return None,
    })
}

/// `INSERT INTO` the plain table at `table` in [`PLAIN`], all its columns.
fn plain_insert(table: usize) -> &'static str {
    static SQL: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    &SQL.get_or_init(|| {
        PLAIN
            .iter()
            .map(|(name, columns)| {
                let n = columns.split(',').count();
                let marks: Vec<String> = (1..=n).map(|i| format!("?{i}")).collect();
                format!(
                    "INSERT INTO {name} ({columns}) VALUES ({})",
                    marks.join(", ")
                )
            })
            .collect()
    })[table]
}

impl<'a> Writer<'a> {
    pub(crate) fn begin(conn: &'a mut Connection) -> Result<Writer<'a>> {
        // The write lock is taken now: a write never starts on a snapshot that another
        // writer has moved past.
        let tx = conn.transaction()?;
        // References are checked at commit, so records may arrive in any order within
        // one write (a city before its province). SQLite resets this at transaction end;
        // PostgreSQL's foreign keys are declared deferrable, deferred.
        tx.execute_batch(match tx.backend() {
            Backend::Sqlite => "PRAGMA defer_foreign_keys = ON",
            Backend::Postgres => "SET CONSTRAINTS ALL DEFERRED",
        })?;
        Ok(Writer {
            tx,
            pending: None,
            graph_log: None,
            deferred_indexes: Vec::new(),
        })
    }

    /// Switches this writer to bulk loading: plain records (chains, nodes, enterprises,
    /// their units and relations, listings) are gathered and, on PostgreSQL, written with
    /// `COPY` in rounds of 20,000 rows, tables in dependency order, references checked as
    /// rows land. A round the database refuses is undone (a savepoint) and written again
    /// row by row, so each refused row is found; [`Writer::refused`] hands them back with
    /// the tag each was inserted with ([`Writer::insert_at`]). The listing log is not
    /// written row by row but emptied at commit, so every listing index rebuilds. On
    /// SQLite prepared inserts are as fast, and refusals come at once. On both, the supply
    /// graph's change log is not written row by row either: at commit it tells every
    /// graph to load whole.
    pub fn bulk_load(&mut self) -> Result<()> {
        if self.graph_log.is_none() {
            self.graph_log = Some(crate::graph::GraphLogPause::pause(&self.tx)?);
        }
        if self.tx.backend() == Backend::Sqlite {
            self.defer_indexes()?;
        }
        if self.tx.backend() == Backend::Postgres {
            self.tx.execute_batch("SET LOCAL chainatlas.bulk = 'on'")?;
            self.pending = Some(Pending {
                rows: vec![Vec::new(); PLAIN.len()],
                ..Pending::default()
            });
        }
        Ok(())
    }

    /// Drops the secondary indexes of the plain tables that are empty, to be built once
    /// at commit from the sorted rows instead of growing one random insert at a time (a
    /// province's relations carry three). SQLite only: its readers keep their snapshot's
    /// schema, where PostgreSQL would lock the table against them until commit. Indexes
    /// that enforce uniqueness stay, so a duplicate is still refused at its row.
    fn defer_indexes(&mut self) -> Result<()> {
        for (table, _) in PLAIN {
            let empty: bool = self.tx.query_row(
                &format!("SELECT NOT EXISTS (SELECT 1 FROM {table})"),
                [],
                |r| r.get(0),
            )?;
            if !empty {
                continue;
            }
            let mut stmt = self.tx.prepare(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1
                 AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name",
            )?;
            let found: Vec<(String, String)> = stmt
                .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<crate::db::Result<_>>()?;
            for (name, sql) in found {
                self.tx.execute_batch(&format!("DROP INDEX {name}"))?;
                self.deferred_indexes.push(sql);
            }
        }
        Ok(())
    }

    /// Writes the rows a bulk load gathered, in dependency order; the rows of a refused
    /// round go one by one, and those refused are kept for [`Writer::refused`].
    fn flush(&mut self) -> Result<(), InsertError> {
        let Some(pending) = self.pending.as_mut() else {
            return Ok(());
        };
        let tx = &self.tx;
        for (table, rows) in pending.rows.iter_mut().enumerate() {
            if rows.is_empty() {
                continue;
            }
            let (name, columns) = PLAIN[table];
            let columns: Vec<String> = columns.split(',').map(|c| c.trim().to_string()).collect();
            pending.listings |= name == "listings";
            let (tags, values): (Vec<u64>, Vec<Vec<Value>>) =
                std::mem::take(rows).into_iter().unzip();
            // References are checked as the round lands (PostgreSQL would otherwise hold a
            // deferred check per row until commit); when earlier writes of this
            // transaction still owe a deferred check, the round waits for commit too.
            tx.execute_batch("SAVEPOINT round")?;
            let immediate = tx.execute_batch("SET CONSTRAINTS ALL IMMEDIATE").is_ok();
            if !immediate {
                tx.execute_batch("ROLLBACK TO SAVEPOINT round")?;
            }
            match tx.copy_in(name, &columns, &values) {
                Ok(()) => tx.execute_batch("RELEASE SAVEPOINT round")?,
                Err(_) => {
                    tx.execute_batch("ROLLBACK TO SAVEPOINT round; RELEASE SAVEPOINT round")?;
                    for (tag, row) in tags.into_iter().zip(values) {
                        let one = tx.guarded(|| -> Result<(), InsertError> {
                            tx.prepare_cached(plain_insert(table))?
                                .execute(crate::db::params_from_iter(row))?;
                            Ok(())
                        });
                        if let Err(e) = one {
                            pending.refused.push((tag, e));
                        }
                    }
                }
            }
            if immediate {
                tx.execute_batch("SET CONSTRAINTS ALL DEFERRED")?;
            }
        }
        pending.count = 0;
        Ok(())
    }

    /// Inserts one record in bulk mode with a tag of the caller's (an import's row
    /// number), by which a refusal found later is reported; outside bulk mode, or for a
    /// record that is not plain, at once, like [`Writer::insert`].
    pub fn insert_at(&mut self, record: &Record, tag: u64) -> Result<(), InsertError> {
        if let Some(pending) = self.pending.as_mut() {
            if let Some((table, values)) = plain_row(record) {
                pending.rows[table].push((tag, values));
                pending.count += 1;
                if pending.count >= BULK_BATCH {
                    self.flush()?;
                }
                return Ok(());
            }
            // A region or an event row may refer to what is gathered: write that first.
            self.flush()?;
        }
        let tx = &self.tx;
        tx.guarded(|| Self::insert_in(tx, record))
    }

    /// Writes what a bulk load gathered and hands back the rows the database refused,
    /// with their tags, in the order they were inserted.
    pub fn refused(&mut self) -> Result<Vec<(u64, InsertError)>, InsertError> {
        self.flush()?;
        Ok(self
            .pending
            .as_mut()
            .map(|p| std::mem::take(&mut p.refused))
            .unwrap_or_default())
    }

    /// The open transaction, for the store's own modules.
    pub(crate) fn tx(&self) -> &Connection {
        &self.tx
    }

    /// Removes every event, with its participants, requests, meetings and agreements.
    pub fn clear_events(&mut self) -> Result<()> {
        self.tx.execute_batch(
            "DELETE FROM agreements; DELETE FROM meetings; DELETE FROM meeting_requests;
             DELETE FROM event_participant_listings; DELETE FROM event_participant_slots;
             DELETE FROM event_participants; DELETE FROM event_may_meet;
             DELETE FROM event_groups; DELETE FROM event_chains; DELETE FROM event_nodes;
             DELETE FROM events;",
        )?;
        Ok(())
    }

    /// Removes every enterprise service record: notifications, appeals with their steps
    /// and attachments, visits, responsible officials and assessments (the demo's
    /// `--replace`, which starts the atlas again).
    pub fn clear_services(&mut self) -> Result<()> {
        self.tx.execute_batch(
            "DELETE FROM notifications; DELETE FROM appeal_steps; DELETE FROM appeal_attachments;
             DELETE FROM appeals; DELETE FROM visit_officials; DELETE FROM visits;
             DELETE FROM official_assignments; DELETE FROM assessments;",
        )?;
        Ok(())
    }

    /// Removes every atlas record, for imports that replace the whole atlas. Regions stay:
    /// they are China's divisions, built in (`chainatlas_model::divisions`), which a
    /// bundle may rename but not remove.
    pub fn clear_all(&mut self) -> Result<()> {
        // Every graph loads whole after this: no need to log ten million deletes.
        if self.graph_log.is_none() {
            self.graph_log = Some(crate::graph::GraphLogPause::pause(&self.tx)?);
        }
        self.clear_events()?;
        for kind in RecordKind::ALL
            .iter()
            .rev()
            .filter(|k| **k != RecordKind::Region)
        {
            self.tx
                .execute(&format!("DELETE FROM {}", kind.as_str()), [])?;
        }
        Ok(())
    }

    /// Inserts one record.
    pub fn insert(&mut self, record: &Record) -> Result<(), InsertError> {
        self.insert_at(record, 0)
    }

    fn insert_in(tx: &Connection, record: &Record) -> Result<(), InsertError> {
        match record {
            Record::Region(r) => {
                // Every division is built in: a region of a bundle adds one or renames it.
                tx.prepare_cached(
                    "INSERT INTO regions (code, name_zh, name_en, parent_code, level) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en,
                         parent_code = excluded.parent_code, level = excluded.level
                     WHERE (regions.name_zh, regions.name_en, regions.parent_code, regions.level) IS DISTINCT FROM (excluded.name_zh, excluded.name_en, excluded.parent_code, excluded.level)",
                )?
                .execute(crate::rows::region_values(r))?;
            }
            Record::Chain(_)
            | Record::ChainNode(_)
            | Record::NodeInput(_)
            | Record::Enterprise(_)
            | Record::EnterpriseNode(_)
            | Record::SupplyRelation(_)
            | Record::Listing(_) => {
                let (table, values) = plain_row(record).expect("a plain record");
                tx.prepare_cached(plain_insert(table))?
                    .execute(crate::db::params_from_iter(values))?;
            }
            Record::Event(e) => {
                crate::events::insert_event(tx, Some(e.id), e)?;
            }
            Record::Participant(p) => crate::events::insert_participant(tx, p)?,
            Record::MeetingRequest(r) => {
                crate::events::insert_request(tx, Some(r.id), r)?;
            }
            Record::Meeting(m) => {
                crate::events::insert_meeting(tx, m.event, Some(m.id), m)?;
            }
            Record::Agreement(a) => {
                crate::events::insert_agreement(tx, Some(a.id), a)?;
            }
        }
        Ok(())
    }

    /// Inserts a new enterprise with the id the database assigns (`e.id` is not read).
    pub fn create_enterprise(&mut self, e: &Enterprise) -> Result<EnterpriseId, InsertError> {
        let tx = &self.tx;
        let id = tx.guarded(|| {
            Ok::<_, InsertError>(
                tx.prepare_cached(&format!("{} RETURNING id", create_enterprise_sql()))?
                    .query_row(enterprise_params(None, e), |r| r.get(0))?,
            )
        })?;
        Ok(EnterpriseId(id))
    }

    /// The listing with this id as this transaction sees it.
    pub(crate) fn listing(&self, id: ListingId) -> Result<Option<Listing>> {
        Ok(self
            .tx
            .prepare_cached(&format!(
                "SELECT {} FROM listings WHERE id = ?1",
                crate::rows::LISTING_COLUMNS
            ))?
            .query_row([id.0], crate::rows::listing)
            .optional()?)
    }

    /// Inserts a new listing with the id the database assigns (`l.id` is not read).
    pub(crate) fn create_listing(&mut self, l: &Listing) -> Result<ListingId, InsertError> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO listings (enterprise_id, side, kind, node_id, title, description, quantity, unit, price_fen, region_code, valid_until, status, tags)
             VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) RETURNING id",
        )?;
        let id = stmt.query_row(listing_params(l), |r| r.get(0))?;
        Ok(ListingId(id))
    }

    /// Replaces the listing that has `l`'s id, all but its enterprise.
    pub(crate) fn update_listing(&mut self, l: &Listing) -> Result<(), InsertError> {
        execute_listing(
            &self.tx,
            "UPDATE listings SET side = ?3, kind = ?4, node_id = ?5, title = ?6,
             description = ?7, quantity = ?8, unit = ?9, price_fen = ?10, region_code = ?11,
             valid_until = ?12, status = ?13, tags = ?14 WHERE id = ?1 AND enterprise_id = ?2",
            l,
        )
    }

    /// What users and events still refer to that this write removed (a replacing
    /// import): (bundle file, what refers to which missing record), at most 50.
    pub fn orphaned_references(&self) -> Result<Vec<(&'static str, chainatlas_model::Text)>> {
        // (file, Chinese, English, FROM … WHERE … ORDER BY …); each message keeps ?1 for
        // the missing record and ?2 for what refers to it.
        const CHECKS: &[(&str, &str, &str, &str)] = &[
            ("enterprises.csv", "企业 {1} 不在数据包中，但用户“{2}”代表该企业：请保留该企业，或先停用该用户",
             "enterprise {1} is not in the bundle, but user '{2}' acts for it: keep the enterprise or disable the user first",
             "SELECT enterprise_id, username FROM users u WHERE enterprise_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM enterprises e WHERE e.id = u.enterprise_id) ORDER BY username"),
            ("enterprises.csv", "企业 {1} 不在数据包中，但它报名了对接会 {2}：请保留该企业",
             "enterprise {1} is not in the bundle, but it is registered for event {2}: keep the enterprise",
             "SELECT enterprise_id, event_id FROM event_participants p WHERE NOT EXISTS (SELECT 1 FROM enterprises e WHERE e.id = p.enterprise_id) ORDER BY id"),
            ("enterprises.csv", "企业 {1} 不在数据包中，但合作项目 {2} 提到了它：请保留该企业",
             "enterprise {1} is not in the bundle, but agreement {2} names it: keep the enterprise",
             "SELECT x, id FROM (SELECT id, buyer_id AS x FROM agreements UNION ALL SELECT id, supplier_id FROM agreements) a WHERE NOT EXISTS (SELECT 1 FROM enterprises e WHERE e.id = a.x) ORDER BY id"),
            ("enterprises.csv", "企业 {1} 不在数据包中，但诉求 {2} 是它提出的：请保留该企业",
             "enterprise {1} is not in the bundle, but appeal {2} is its own: keep the enterprise",
             "SELECT enterprise_id, id FROM appeals a WHERE NOT EXISTS (SELECT 1 FROM enterprises e WHERE e.id = a.enterprise_id) ORDER BY id"),
            ("enterprises.csv", "企业 {1} 不在数据包中，但走访记录 {2} 记的是它：请保留该企业",
             "enterprise {1} is not in the bundle, but visit {2} was to it: keep the enterprise",
             "SELECT enterprise_id, id FROM visits v WHERE NOT EXISTS (SELECT 1 FROM enterprises e WHERE e.id = v.enterprise_id) ORDER BY id"),
            ("enterprises.csv", "企业 {1} 不在数据包中，但它有包联干部记录 {2}：请保留该企业",
             "enterprise {1} is not in the bundle, but it has responsible-official record {2}: keep the enterprise",
             "SELECT enterprise_id, id FROM official_assignments o WHERE NOT EXISTS (SELECT 1 FROM enterprises e WHERE e.id = o.enterprise_id) ORDER BY id"),
            ("enterprises.csv", "企业 {1} 不在数据包中，但自评估 {2} 是它做的：请保留该企业",
             "enterprise {1} is not in the bundle, but assessment {2} is its own: keep the enterprise",
             "SELECT enterprise_id, id FROM assessments a WHERE NOT EXISTS (SELECT 1 FROM enterprises e WHERE e.id = a.enterprise_id) ORDER BY id"),
            ("chain_nodes.csv", "环节 {1} 不在数据包中，但诉求 {2} 提到了它：请保留该环节",
             "chain node {1} is not in the bundle, but appeal {2} names it: keep the node",
             "SELECT node_id, id FROM appeals a WHERE node_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM chain_nodes n WHERE n.id = a.node_id) ORDER BY id"),
            ("chains.csv", "产业链 {1} 不在数据包中，但诉求 {2} 提到了它：请保留该产业链",
             "chain {1} is not in the bundle, but appeal {2} names it: keep the chain",
             "SELECT chain_id, id FROM appeals a WHERE chain_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM chains c WHERE c.id = a.chain_id) ORDER BY id"),
            ("listings.csv", "供需信息 {1} 不在数据包中，但参会企业 {2} 带着它参会：请保留该信息",
             "listing {1} is not in the bundle, but participant {2} brings it to an event: keep the listing",
             "SELECT listing_id, participant_id FROM event_participant_listings p WHERE NOT EXISTS (SELECT 1 FROM listings l WHERE l.id = p.listing_id) ORDER BY participant_id"),
            ("chain_nodes.csv", "环节 {1} 不在数据包中，但合作项目 {2} 提到了它：请保留该环节",
             "chain node {1} is not in the bundle, but agreement {2} names it: keep the node",
             "SELECT node_id, id FROM agreements a WHERE node_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM chain_nodes n WHERE n.id = a.node_id) ORDER BY id"),
            ("chains.csv", "产业链 {1} 不在数据包中，但合作项目 {2} 提到了它：请保留该产业链",
             "chain {1} is not in the bundle, but agreement {2} names it: keep the chain",
             "SELECT chain_id, id FROM agreements a WHERE chain_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM chains c WHERE c.id = a.chain_id) ORDER BY id"),
            ("chains.csv", "产业链 {1} 不在数据包中，但对接会 {2} 以它为主题：请保留该产业链",
             "chain {1} is not in the bundle, but event {2} is about it: keep the chain",
             "SELECT chain_id, event_id FROM event_chains x WHERE NOT EXISTS (SELECT 1 FROM chains c WHERE c.id = x.chain_id) ORDER BY event_id"),
            ("chain_nodes.csv", "环节 {1} 不在数据包中，但对接会 {2} 以它为主题：请保留该环节",
             "chain node {1} is not in the bundle, but event {2} is about it: keep the node",
             "SELECT node_id, event_id FROM event_nodes x WHERE NOT EXISTS (SELECT 1 FROM chain_nodes n WHERE n.id = x.node_id) ORDER BY event_id"),
        ];
        let mut out = Vec::new();
        for (file, zh, en, sql) in CHECKS {
            let mut stmt = self.tx.prepare(&format!("{sql} LIMIT 50"))?;
            let found: Vec<(String, String)> = stmt
                .query_map([], |r| {
                    let text = |i: usize| -> crate::db::Result<String> {
                        Ok(match r.get_ref(i)? {
                            ValueRef::Integer(n) => n.to_string(),
                            ValueRef::Text(t) => t.to_string(),
                            _ => String::new(),
                        })
                    };
                    Ok((text(0)?, text(1)?))
                })?
                .collect::<crate::db::Result<_>>()?;
            out.extend(found.into_iter().map(|(a, b)| {
                let fill = |t: &str| t.replace("{1}", &a).replace("{2}", &b);
                (*file, chainatlas_model::Text::new(fill(zh), fill(en)))
            }));
        }
        out.truncate(50);
        Ok(out)
    }

    /// Makes every insert of this writer durable and visible, at once, with the audit
    /// entry that says who made the change and what it was.
    pub fn commit(self, actor: &Actor, change: &Change) -> Result<()> {
        self.finish(
            actor,
            change,
            "UPDATE atlas_generation SET generation = generation + 1 WHERE id = 1",
        )
    }

    /// Commits a write of activity only (listings): it moves the generation but not the
    /// facts generation ([`crate::Store::facts_generation`]).
    pub(crate) fn commit_activity(self, actor: &Actor, change: &Change) -> Result<()> {
        self.finish(
            actor,
            change,
            "UPDATE atlas_generation SET generation = generation + 1,
             activity_commits = activity_commits + 1 WHERE id = 1",
        )
    }

    fn finish(mut self, actor: &Actor, change: &Change, bump: &str) -> Result<()> {
        let refused = self.refused().map_err(|e| match e {
            InsertError::Store(e) => e,
            other => StoreError::Sql(crate::db::Error::other(other.to_string())),
        })?;
        if let Some((_, first)) = refused.into_iter().next() {
            // A bulk write commits whole or not at all.
            return Err(StoreError::Sql(crate::db::Error::other(first.to_string())));
        }
        if self.pending.as_ref().is_some_and(|p| p.listings) {
            // Listings written in bulk are not in the log: empty it, so every index
            // that follows the listings starts again from all of them.
            self.tx.execute_batch(
                "UPDATE listing_revision SET revision = revision + 1 WHERE id = 1;
                 DELETE FROM listing_changes;",
            )?;
        }
        if let Some(paused) = self.graph_log.take() {
            paused.resume(&self.tx)?;
        }
        for sql in std::mem::take(&mut self.deferred_indexes) {
            self.tx.execute_batch(&sql)?;
        }
        crate::graph::prune_graph_log(&self.tx)?;
        crate::audit::record(&self.tx, actor, change)?;
        self.tx.execute(bump, [])?;
        if self.tx.backend() == Backend::Postgres {
            // Records may arrive with their ids (a bundle): the identity sequences must
            // move past them, or the next id the database assigns would be taken.
            self.tx.execute_batch("SELECT chainatlas_sync_ids()")?;
        }
        self.tx.commit()?;
        Ok(())
    }
}

/// An enterprise's insert without the id: the database assigns it.
pub(crate) fn create_enterprise_sql() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| crate::db::insert_sql("enterprises", crate::rows::ENTERPRISE_COLUMNS, false))
}

/// An enterprise's values in `ENTERPRISE_COLUMNS` order; without an id the database
/// picks one.
pub(crate) fn enterprise_params(id: Option<i64>, e: &Enterprise) -> [Value; 15] {
    [
        id.into(),
        e.credit_code.as_str().to_string().into(),
        e.name_zh.clone().into(),
        e.name_en.clone().into(),
        i64::from(e.region.value()).into(),
        e.size.as_str().to_string().into(),
        i64::from(e.tags.bits()).into(),
        e.revenue.fen().into(),
        i64::from(e.employees).into(),
        e.source.clone().into(),
        e.other_names.join(";").into(),
        e.address.clone().into(),
        e.phone.clone().into(),
        e.legal_representative.clone().into(),
        e.industry.map_or(String::new(), |c| c.to_string()).into(),
    ]
}

/// Runs an insert or update whose parameters ?1…?14 are a listing's columns in order.
fn execute_listing(tx: &Connection, sql: &str, l: &Listing) -> Result<(), InsertError> {
    tx.prepare_cached(sql)?.execute(listing_params(l))?;
    Ok(())
}

/// A listing's columns in order, as parameters ?1…?14.
fn listing_params(l: &Listing) -> [Value; 14] {
    [
        l.id.0.into(),
        l.enterprise.0.into(),
        l.side.as_str().to_string().into(),
        l.kind.as_str().to_string().into(),
        l.node.map(|n| n.0).into(),
        l.title.clone().into(),
        l.description.clone().into(),
        l.quantity.map(|q| q as i64).into(),
        l.unit.clone().into(),
        l.price.map(|p| p.fen()).into(),
        i64::from(l.region.value()).into(),
        l.valid_until.map(|d| d.to_string()).into(),
        l.status.as_str().to_string().into(),
        l.tags.join(";").into(),
    ]
}
