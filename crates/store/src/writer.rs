//! All-or-nothing writes of atlas records.

use crate::db::{
    params, Backend, Connection, ErrorKind, OptionalExtension, Transaction, Value, ValueRef,
};
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
        Ok(Writer { tx })
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
        let tx = &self.tx;
        tx.guarded(|| Self::insert_in(tx, record))
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
            Record::Chain(c) => {
                tx.prepare_cached(
                    "INSERT INTO chains (id, code, name_zh, name_en) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![c.id.0, c.code, c.name_zh, c.name_en])?;
            }
            Record::ChainNode(n) => {
                tx.prepare_cached(
                    "INSERT INTO chain_nodes (id, chain_id, code, name_zh, name_en, segment) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![n.id.0, n.chain.0, n.code, n.name_zh, n.name_en, n.segment.as_str()])?;
            }
            Record::NodeInput(i) => {
                tx.prepare_cached(
                    "INSERT INTO node_inputs (input_node_id, output_node_id) VALUES (?1, ?2)",
                )?
                .execute(params![i.input.0, i.output.0])?;
            }
            Record::Enterprise(e) => {
                tx.prepare_cached(INSERT_ENTERPRISE)?
                    .execute(enterprise_params(Some(e.id.0), e))?;
            }
            Record::EnterpriseNode(en) => {
                tx.prepare_cached(
                    "INSERT INTO enterprise_nodes (enterprise_id, node_id, output_fen, capacity_fen) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![en.enterprise.0, en.node.0, en.output.fen(), en.capacity.fen()])?;
            }
            Record::SupplyRelation(s) => {
                tx.prepare_cached(
                    "INSERT INTO supply_relations (id, supplier_id, buyer_id, node_id, annual_value_fen) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![s.id.0, s.supplier.0, s.buyer.0, s.node.0, s.annual_value.fen()])?;
            }
            Record::Listing(l) => {
                execute_listing(
                    tx,
                    "INSERT INTO listings (id, enterprise_id, side, kind, node_id, title, description, quantity, unit, price_fen, region_code, valid_until, status, tags)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                    l,
                )?;
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

    fn finish(self, actor: &Actor, change: &Change, bump: &str) -> Result<()> {
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

/// [`INSERT_ENTERPRISE`] without the id: the database assigns it.
pub(crate) fn create_enterprise_sql() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| crate::db::insert_sql("enterprises", crate::rows::ENTERPRISE_COLUMNS, false))
}

pub(crate) const INSERT_ENTERPRISE: &str = "INSERT INTO enterprises (id, credit_code, name_zh, name_en, region_code, size, tags, revenue_fen, employees, source,
     other_names, address, phone, legal_representative, industry_code)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";

/// An enterprise's columns in [`INSERT_ENTERPRISE`] order; no id: the database picks one.
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
