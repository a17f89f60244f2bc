//! Enterprise services: responsible officials (包联), visits, appeals with every step
//! they took, supervisors, in-app notifications and calendar files. Every write is one
//! transaction with its audit entry, committed as activity so that caches of atlas facts
//! survive it. Which moves are allowed is the model's rule ([`chainatlas_model::services`]);
//! this module makes sure two of them never land on the same state.

use crate::db::{params, Connection, OptionalExtension, Row};
use chainatlas_model::services::{Appeal, AppealCategory, AppealState, Attachment, Visit};
use chainatlas_model::{ChainId, Date, EnterpriseId, NodeId, Text};

use crate::audit::{json_object, Actor, Change, Json};
use crate::writer::InsertError;
use crate::{Result, Store};

fn parsed<T>(row: &Row<'_>, idx: usize) -> crate::db::Result<T>
where
    T: std::str::FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    crate::rows::parsed(row, idx)
}

fn opt_parsed<T>(row: &Row<'_>, idx: usize) -> crate::db::Result<Option<T>>
where
    T: std::str::FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    match row.get::<Option<String>>(idx)? {
        None => Ok(None),
        Some(_) => parsed(row, idx).map(Some),
    }
}

fn day(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// One step of an appeal, as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppealStep {
    pub at: i64,
    pub user_id: Option<i64>,
    pub actor: String,
    /// `submit`, a [`chainatlas_model::services::Move`], `remind` or `escalate`.
    pub step: String,
    pub from: Option<AppealState>,
    pub to: AppealState,
    pub note: String,
}

/// A message to one user inside the app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    pub id: i64,
    pub user_id: i64,
    pub at: i64,
    pub appeal: Option<i64>,
    pub text: Text,
    pub read_at: Option<i64>,
}

/// Which appeals to list. Empty fields do not filter.
#[derive(Clone, Debug, Default)]
pub struct AppealFilter {
    pub enterprise: Option<EnterpriseId>,
    pub states: Vec<AppealState>,
    pub handler: Option<i64>,
    pub category: Option<AppealCategory>,
    pub chain: Option<ChainId>,
    pub node: Option<NodeId>,
    /// Enterprises whose region code is in this range (a province, a city).
    pub regions: Option<(u32, u32)>,
    /// Submitted at or after / before (Unix seconds).
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// Soonest deadline first (the reply's until replied, then the resolution's; none
    /// last) instead of newest first.
    pub by_due: bool,
    /// [`Store::for_each_appeal`]: the latest first instead of the oldest.
    pub newest_first: bool,
    pub limit: u32,
    pub offset: u32,
}

/// Which visits to list. Empty fields do not filter.
#[derive(Clone, Debug, Default)]
pub struct VisitFilter {
    pub enterprise: Option<EnterpriseId>,
    pub official: Option<i64>,
    /// Planned or made on these days, inclusive.
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub limit: u32,
}

/// An enterprise with the official responsible for it (if any) and its last visit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unvisited {
    pub enterprise: EnterpriseId,
    pub name: String,
    pub region: u32,
    pub official: Option<i64>,
    pub last_visit: Option<Date>,
}

const APPEAL_COLUMNS: &str = "id, enterprise_id, category, channel, chain_id, node_id, title, description, visit_id, state,
     submitted_at, accepted_on, reply_due, resolve_due, department, handler_id, reply, replied_on, closed_on,
     satisfaction, escalation, reopened";

fn appeal(row: &Row<'_>) -> crate::db::Result<Appeal> {
    Ok(Appeal {
        id: row.get(0)?,
        enterprise: EnterpriseId(row.get(1)?),
        category: parsed(row, 2)?,
        channel: parsed(row, 3)?,
        chain: row.get::<Option<i64>>(4)?.map(ChainId),
        node: row.get::<Option<i64>>(5)?.map(NodeId),
        title: row.get(6)?,
        description: row.get(7)?,
        attachments: Vec::new(),
        visit: row.get(8)?,
        state: parsed(row, 9)?,
        submitted_at: row.get(10)?,
        accepted_on: opt_parsed(row, 11)?,
        reply_due: opt_parsed(row, 12)?,
        resolve_due: opt_parsed(row, 13)?,
        department: row.get(14)?,
        handler: row.get(15)?,
        reply: row.get(16)?,
        replied_on: opt_parsed(row, 17)?,
        closed_on: opt_parsed(row, 18)?,
        satisfaction: row.get(19)?,
        escalation: row.get(20)?,
        reopened: row.get(21)?,
    })
}

fn appeal_json(a: &Appeal) -> String {
    let opt = |d: Option<Date>| d.map_or(Json::Null, |d| Json::Owned(d.to_string()));
    json_object(&[
        ("enterprise_id", Json::Int(a.enterprise.0)),
        ("category", Json::Str(a.category.as_str())),
        ("state", Json::Str(a.state.as_str())),
        ("title", Json::Str(&a.title)),
        ("reply_due", opt(a.reply_due)),
        ("resolve_due", opt(a.resolve_due)),
        ("department", Json::Str(&a.department)),
        ("handler_id", a.handler.map_or(Json::Null, Json::Int)),
        (
            "satisfaction",
            a.satisfaction.map_or(Json::Null, |s| Json::Int(s.into())),
        ),
        ("escalation", Json::Int(a.escalation.into())),
    ])
}

fn visit(row: &Row<'_>) -> crate::db::Result<Visit> {
    Ok(Visit {
        id: row.get(0)?,
        enterprise: EnterpriseId(row.get(1)?),
        planned_on: parsed(row, 2)?,
        visited_on: opt_parsed(row, 3)?,
        officials: Vec::new(),
        purpose: row.get(4)?,
        findings: row.get(5)?,
        finding: opt_parsed(row, 6)?,
    })
}

const VISIT_COLUMNS: &str = "id, enterprise_id, planned_on, visited_on, purpose, findings, finding";

fn visit_json(v: &Visit) -> String {
    let officials = v
        .officials
        .iter()
        .map(|o| o.to_string())
        .collect::<Vec<_>>()
        .join(",");
    json_object(&[
        ("enterprise_id", Json::Int(v.enterprise.0)),
        ("planned_on", Json::Owned(v.planned_on.to_string())),
        (
            "visited_on",
            v.visited_on
                .map_or(Json::Null, |d| Json::Owned(d.to_string())),
        ),
        ("officials", Json::Owned(officials)),
        ("purpose", Json::Str(&v.purpose)),
        ("findings", Json::Str(&v.findings)),
        (
            "finding",
            v.finding.map_or(Json::Null, |c| Json::Str(c.as_str())),
        ),
    ])
}

fn with_officials(conn: &Connection, visits: &mut [Visit]) -> crate::db::Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT user_id FROM visit_officials WHERE visit_id = ?1 ORDER BY user_id",
    )?;
    for v in visits {
        v.officials = stmt
            .query_map([v.id], |r| r.get(0))?
            .collect::<crate::db::Result<_>>()?;
    }
    Ok(())
}

fn with_attachments(conn: &Connection, appeals: &mut [Appeal]) -> crate::db::Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, bytes, media_type FROM appeal_attachments WHERE appeal_id = ?1 ORDER BY position",
    )?;
    for a in appeals {
        a.attachments = stmt
            .query_map([a.id], |r| {
                Ok(Attachment {
                    name: r.get(0)?,
                    bytes: r.get::<i64>(1)? as u64,
                    media_type: r.get(2)?,
                })
            })?
            .collect::<crate::db::Result<_>>()?;
    }
    Ok(())
}

fn insert_notifications(
    tx: &Connection,
    at: i64,
    appeal: Option<i64>,
    notify: &[(i64, Text)],
) -> crate::db::Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO notifications (user_id, at, appeal_id, zh, en) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (user, text) in notify {
        stmt.execute(params![user, at, appeal, text.zh, text.en])?;
    }
    Ok(())
}

/// Inserts an appeal's row as it stands (every column but its attachments); answers
/// the id the database gives it.
fn insert_appeal_row(tx: &Connection, a: &Appeal) -> crate::db::Result<i64> {
    tx.prepare_cached(
        "INSERT INTO appeals (enterprise_id, category, channel, chain_id, node_id, title, description, visit_id,
           state, submitted_at, accepted_on, reply_due, resolve_due, department, handler_id, reply, replied_on,
           closed_on, satisfaction, escalation, reopened)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)
         RETURNING id",
    )?
    .query_row(
        params![
            a.enterprise.0,
            a.category.as_str(),
            a.channel.as_str(),
            a.chain.map(|c| c.0),
            a.node.map(|n| n.0),
            a.title,
            a.description,
            a.visit,
            a.state.as_str(),
            a.submitted_at,
            day(a.accepted_on),
            day(a.reply_due),
            day(a.resolve_due),
            a.department,
            a.handler,
            a.reply,
            day(a.replied_on),
            day(a.closed_on),
            a.satisfaction,
            a.escalation,
            a.reopened
        ],
        |r| r.get(0),
    )
}

fn insert_step(
    tx: &Connection,
    actor: &Actor,
    id: i64,
    step: &str,
    from: Option<AppealState>,
    to: AppealState,
    note: &str,
) -> crate::db::Result<()> {
    let step = AppealStep {
        at: actor.at,
        user_id: actor.user_id,
        actor: actor.name.clone(),
        step: step.to_string(),
        from,
        to,
        note: note.to_string(),
    };
    insert_history_step(tx, id, &step)
}

fn insert_history_step(tx: &Connection, id: i64, s: &AppealStep) -> crate::db::Result<()> {
    tx.prepare_cached(
        "INSERT INTO appeal_steps (appeal_id, at, user_id, actor, step, from_state, to_state, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        id,
        s.at,
        s.user_id,
        s.actor,
        s.step,
        s.from.map(|f| f.as_str()),
        s.to.as_str(),
        s.note
    ])?;
    Ok(())
}

/// Rows for one table gathered and written [`Batch::SIZE`] at a time with
/// [`Connection::copy_in`]. A batch made [`Batch::with_ids`] hands each new row the id
/// the database assigns ([`Batch::push_new`]).
struct Batch<'a> {
    tx: &'a Connection,
    table: &'static str,
    columns: Vec<String>,
    rows: Vec<Vec<crate::db::Value>>,
    /// Ids drawn from the table's identity sequence and not used yet, largest first
    /// (PostgreSQL, with ids).
    ids: Vec<i64>,
    with_ids: bool,
}

impl<'a> Batch<'a> {
    const SIZE: usize = 10_000;

    fn new(tx: &'a Connection, table: &'static str, columns: &str) -> Batch<'a> {
        Batch {
            tx,
            table,
            columns: columns.split(',').map(|c| c.trim().to_string()).collect(),
            rows: Vec::with_capacity(Batch::SIZE),
            ids: Vec::new(),
            with_ids: false,
        }
    }

    /// A batch whose rows get the ids the database assigns: on PostgreSQL drawn from the
    /// identity's sequence a batch at a time, then written by `COPY` with them; on
    /// SQLite inserted at once, `RETURNING id` (as fast there, and the rows follow).
    fn with_ids(tx: &'a Connection, table: &'static str, columns: &str) -> Batch<'a> {
        let mut batch = Batch::new(tx, table, columns);
        batch.with_ids = true;
        if tx.backend() == crate::db::Backend::Postgres {
            batch.columns.insert(0, "id".to_string());
        }
        batch
    }

    /// Writes `row` (without its id) and answers the id the database gave it.
    fn push_new(&mut self, mut row: Vec<crate::db::Value>) -> crate::db::Result<i64> {
        debug_assert!(self.with_ids);
        if self.tx.backend() == crate::db::Backend::Sqlite {
            let marks: Vec<String> = (1..=row.len()).map(|i| format!("?{i}")).collect();
            return self
                .tx
                .prepare_cached(&format!(
                    "INSERT INTO {} ({}) VALUES ({}) RETURNING id",
                    self.table,
                    self.columns.join(", "),
                    marks.join(", ")
                ))?
                .query_row(crate::db::params_from_iter(row), |r| r.get(0));
        }
        if self.ids.is_empty() {
            let mut ids: Vec<i64> = self
                .tx
                .prepare(&format!(
                    "SELECT nextval(pg_get_serial_sequence('{}', 'id')) FROM generate_series(1, ?1)",
                    self.table
                ))?
                .query_map([Batch::SIZE as i64], |r| r.get(0))?
                .collect::<crate::db::Result<_>>()?;
            ids.sort_unstable_by(|a, b| b.cmp(a));
            self.ids = ids;
        }
        let id = self.ids.pop().expect("ids were just drawn");
        row.insert(0, crate::db::Value::Integer(id));
        self.push(row)?;
        Ok(id)
    }

    fn push(&mut self, row: Vec<crate::db::Value>) -> crate::db::Result<()> {
        self.rows.push(row);
        if self.rows.len() >= Batch::SIZE {
            self.tx.copy_in(self.table, &self.columns, &self.rows)?;
            self.rows.clear();
        }
        Ok(())
    }

    fn finish(self) -> crate::db::Result<()> {
        if !self.rows.is_empty() {
            self.tx.copy_in(self.table, &self.columns, &self.rows)?;
        }
        Ok(())
    }
}

/// A region code range as SQL bounds: everything when `None`.
fn region_bounds(range: Option<(u32, u32)>) -> (i64, i64) {
    range.map_or((0, i64::MAX), |(a, b)| (a.into(), b.into()))
}

/// The `FROM … WHERE` of appeals within `filter` (enterprises joined as `e`), with its
/// nine parameters.
fn appeal_where(filter: &AppealFilter) -> (String, Vec<crate::db::Value>) {
    // The states are the vocabulary's own words, never the caller's text: written in the
    // query so that the state index serves an inbox.
    let states = match filter.states.as_slice() {
        [] => String::new(),
        states => {
            let list = states
                .iter()
                .map(|s| format!("'{}'", s.as_str()))
                .collect::<Vec<_>>()
                .join(", ");
            format!("AND a.state IN ({list})")
        }
    };
    let (lo, hi) = region_bounds(filter.regions);
    // Without a region the appeals drive the loop (each finds its enterprise by key), so
    // an ordered or stopped scan streams instead of sorting a province's appeals first.
    // (SQLite keeps a CROSS JOIN's order; PostgreSQL plans both alike.)
    let join = if filter.regions.is_some() {
        "JOIN enterprises e ON e.id = a.enterprise_id"
    } else {
        "CROSS JOIN enterprises e"
    };
    let base = format!(
        "FROM appeals a {join}
             WHERE e.id = a.enterprise_id
               AND (a.enterprise_id = ?1 OR ?1 IS NULL)
               {states}
               AND (a.handler_id = ?2 OR ?2 IS NULL)
               AND (a.category = ?3 OR ?3 IS NULL)
               AND (a.chain_id = ?4 OR ?4 IS NULL)
               AND (a.node_id = ?5 OR ?5 IS NULL)
               AND e.region_code BETWEEN ?6 AND ?7
               AND (a.submitted_at >= ?8 OR ?8 IS NULL)
               AND (a.submitted_at < ?9 OR ?9 IS NULL)"
    );
    let args: Vec<crate::db::Value> = vec![
        filter.enterprise.map(|e| e.0).into(),
        filter.handler.into(),
        filter.category.map(|c| c.as_str().to_string()).into(),
        filter.chain.map(|c| c.0).into(),
        filter.node.map(|n| n.0).into(),
        lo.into(),
        hi.into(),
        filter.since.into(),
        filter.until.into(),
    ];
    (base, args)
}

impl Store {
    /// The official responsible for `enterprise` now, if anyone.
    pub fn official_of(&self, enterprise: EnterpriseId) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT user_id FROM official_assignments WHERE enterprise_id = ?1 ORDER BY id DESC LIMIT 1",
                [enterprise.0],
                |r| r.get::<Option<i64>>(0),
            )
            .optional()?
            .flatten())
    }

    /// Makes `official` (a user id, or nobody) responsible for `enterprise` from now on;
    /// earlier assignments stay as history.
    pub fn assign_official(
        &mut self,
        actor: &Actor,
        enterprise: EnterpriseId,
        official: Option<i64>,
    ) -> Result<(), InsertError> {
        let before = self.official_of(enterprise)?;
        let writer = self.writer()?;
        writer.tx().execute(
            "INSERT INTO official_assignments (enterprise_id, user_id, since_at) VALUES (?1, ?2, ?3)",
            params![enterprise.0, official, actor.at],
        )?;
        let json = |o: Option<i64>| json_object(&[("official", o.map_or(Json::Null, Json::Int))]);
        let change = Change::new("assign", "enterprise_official", enterprise.0)
            .before(json(before))
            .after(json(official));
        writer.commit_activity(actor, &change)?;
        Ok(())
    }

    /// The enterprises in `regions` (a code range; all when `None`) with no visit made
    /// between `from` and `to` inclusive, those with a responsible official first, then
    /// by id, at most `limit`; with the total count.
    pub fn unvisited(
        &self,
        regions: Option<(u32, u32)>,
        official: Option<i64>,
        from: Date,
        to: Date,
        limit: u32,
    ) -> Result<(Vec<Unvisited>, u64)> {
        let (lo, hi) = region_bounds(regions);
        // One pass: the visited set and each enterprise's latest assignment are built
        // once, and the count rides along as a window.
        // Without a region every enterprise is read in table order (no index range to
        // follow); the window keeps only ids, and names are read for the rows shown.
        let region = if regions.is_some() {
            "AND e.region_code BETWEEN ?1 AND ?2"
        } else {
            "AND ?1 <= ?2"
        };
        let mut stmt = self.conn.prepare(&format!(
            "WITH latest AS (SELECT enterprise_id, MAX(id) AS id FROM official_assignments GROUP BY enterprise_id)
             SELECT t.id, e.name_zh, e.region_code, t.user_id,
               (SELECT MAX(visited_on) FROM visits v WHERE v.enterprise_id = t.id AND v.visited_on IS NOT NULL),
               t.total
             FROM (SELECT e.id, o.user_id, count(*) OVER () AS total
                   FROM enterprises e
                   LEFT JOIN latest l ON l.enterprise_id = e.id LEFT JOIN official_assignments o ON o.id = l.id
                   WHERE (o.user_id = ?5 OR ?5 IS NULL) {region}
                     AND e.id NOT IN (SELECT enterprise_id FROM visits WHERE visited_on BETWEEN ?3 AND ?4)
                   ORDER BY o.user_id IS NULL, e.id LIMIT ?6) t
             JOIN enterprises e ON e.id = t.id
             ORDER BY t.user_id IS NULL, t.id"
        ))?;
        let mut total = 0i64;
        let rows = stmt
            .query_map(
                params![lo, hi, from.to_string(), to.to_string(), official, limit],
                |r| {
                    total = r.get(5)?;
                    Ok(Unvisited {
                        enterprise: EnterpriseId(r.get(0)?),
                        name: r.get(1)?,
                        region: r.get(2)?,
                        official: r.get(3)?,
                        last_visit: opt_parsed(r, 4)?,
                    })
                },
            )?
            .collect::<crate::db::Result<Vec<_>>>()?;
        Ok((rows, total as u64))
    }

    pub fn visit(&self, id: i64) -> Result<Option<Visit>> {
        let v = self
            .conn
            .query_row(
                &format!("SELECT {VISIT_COLUMNS} FROM visits WHERE id = ?1"),
                [id],
                visit,
            )
            .optional()?;
        let mut one: Vec<Visit> = v.into_iter().collect();
        with_officials(&self.conn, &mut one)?;
        Ok(one.pop())
    }

    /// Visits by planned day (latest first), within `filter`.
    pub fn visits(&self, filter: &VisitFilter) -> Result<Vec<Visit>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {VISIT_COLUMNS} FROM visits v
             WHERE (enterprise_id = ?1 OR ?1 IS NULL)
               AND (CAST(?2 AS BIGINT) IS NULL OR EXISTS (SELECT 1 FROM visit_officials o WHERE o.visit_id = v.id AND o.user_id = ?2))
               AND (planned_on BETWEEN COALESCE(?3, '0000-01-01') AND COALESCE(?4, '9999-12-31')
                    OR visited_on BETWEEN COALESCE(?3, '0000-01-01') AND COALESCE(?4, '9999-12-31'))
             ORDER BY COALESCE(visited_on, planned_on) DESC, id DESC LIMIT ?5"
        ))?;
        let mut visits: Vec<Visit> = stmt
            .query_map(
                params![
                    filter.enterprise.map(|e| e.0),
                    filter.official,
                    day(filter.from),
                    day(filter.to),
                    filter.limit
                ],
                visit,
            )?
            .collect::<crate::db::Result<_>>()?;
        with_officials(&self.conn, &mut visits)?;
        Ok(visits)
    }

    /// Records a visit (its id is the database's) or changes one (`Some(id)`).
    pub fn save_visit(
        &mut self,
        actor: &Actor,
        id: Option<i64>,
        v: &Visit,
    ) -> Result<i64, InsertError> {
        let before = match id {
            Some(id) => Some(
                self.visit(id)?
                    .ok_or_else(|| InsertError::Rejected(format!("there is no visit {id}")))?,
            ),
            None => None,
        };
        let writer = self.writer()?;
        let tx = writer.tx();
        let args = params![
            v.enterprise.0,
            v.planned_on.to_string(),
            day(v.visited_on),
            v.purpose,
            v.findings,
            v.finding.map(|c| c.as_str()),
            actor.at
        ];
        let id = match id {
            None => tx.query_row(
                "INSERT INTO visits (enterprise_id, planned_on, visited_on, purpose, findings, finding, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
                args,
                |r| r.get(0),
            )?,
            Some(id) => {
                tx.execute(
                    "UPDATE visits SET enterprise_id = ?1, planned_on = ?2, visited_on = ?3, purpose = ?4,
                     findings = ?5, finding = ?6 WHERE id = ?7",
                    params![
                        v.enterprise.0,
                        v.planned_on.to_string(),
                        day(v.visited_on),
                        v.purpose,
                        v.findings,
                        v.finding.map(|c| c.as_str()),
                        id
                    ],
                )?;
                tx.execute("DELETE FROM visit_officials WHERE visit_id = ?1", [id])?;
                id
            }
        };
        let mut stmt =
            tx.prepare_cached("INSERT INTO visit_officials (visit_id, user_id) VALUES (?1, ?2)")?;
        for o in &v.officials {
            stmt.execute(params![id, o])?;
        }
        drop(stmt);
        let mut change = Change::new(
            if before.is_some() { "update" } else { "create" },
            "visit",
            id,
        )
        .after(visit_json(v));
        if let Some(b) = &before {
            change = change.before(visit_json(b));
        }
        writer.commit_activity(actor, &change)?;
        Ok(id)
    }

    pub fn appeal(&self, id: i64) -> Result<Option<Appeal>> {
        let a = self
            .conn
            .query_row(
                &format!("SELECT {APPEAL_COLUMNS} FROM appeals WHERE id = ?1"),
                [id],
                appeal,
            )
            .optional()?;
        let mut one: Vec<Appeal> = a.into_iter().collect();
        with_attachments(&self.conn, &mut one)?;
        Ok(one.pop())
    }

    /// Appeals within `filter`, newest first (or soonest deadline first), with the number
    /// of all that match.
    pub fn appeals(&self, filter: &AppealFilter) -> Result<(Vec<Appeal>, u64)> {
        let (base, mut args) = appeal_where(filter);
        let total: i64 = self.conn.query_row(
            &format!("SELECT count(*) {base}"),
            crate::db::params_from_iter(&args),
            |r| r.get(0),
        )?;
        let columns = APPEAL_COLUMNS
            .split(',')
            .map(|c| format!("a.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        args.extend([
            i64::from(filter.limit).into(),
            i64::from(filter.offset).into(),
        ]);
        let order = if filter.by_due {
            "COALESCE(CASE WHEN a.state IN ('replied', 'closed', 'declined') THEN a.resolve_due ELSE a.reply_due END,
               '9999-12-31'), a.id"
        } else {
            "a.submitted_at DESC, a.id DESC"
        };
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {columns} {base} ORDER BY {order} LIMIT ?10 OFFSET ?11"
        ))?;
        let mut rows: Vec<Appeal> = stmt
            .query_map(crate::db::params_from_iter(&args), appeal)?
            .collect::<crate::db::Result<_>>()?;
        with_attachments(&self.conn, &mut rows)?;
        Ok((rows, total as u64))
    }

    /// Calls `f` with every appeal within `filter` (its limit and offset ignored) and
    /// the region code of its enterprise, in id order (or the latest first), one row at a
    /// time, until `f` answers `false`.
    pub fn for_each_appeal(
        &self,
        filter: &AppealFilter,
        mut f: impl FnMut(Appeal, u32) -> bool,
    ) -> Result<()> {
        let (base, args) = appeal_where(filter);
        let columns = APPEAL_COLUMNS
            .split(',')
            .map(|c| format!("a.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let order = if filter.newest_first { "DESC" } else { "" };
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {columns}, e.region_code {base} ORDER BY a.id {order}"
        ))?;
        let mut rows = stmt.query(crate::db::params_from_iter(&args))?;
        while let Some(row) = rows.next()? {
            if !f(appeal(&row)?, row.get(22)?) {
                break;
            }
        }
        Ok(())
    }

    /// The difficulties found on visits made between `from` and `to` (inclusive) to
    /// enterprises in `regions`: (category, region code, day).
    pub fn visit_findings(
        &self,
        regions: Option<(u32, u32)>,
        from: Option<Date>,
        to: Option<Date>,
    ) -> Result<Vec<(AppealCategory, u32, Date)>> {
        let (lo, hi) = region_bounds(regions);
        let mut stmt = self.conn.prepare(
            "SELECT v.finding, e.region_code, v.visited_on FROM visits v JOIN enterprises e ON e.id = v.enterprise_id
             WHERE v.finding IS NOT NULL AND v.visited_on IS NOT NULL AND e.region_code BETWEEN ?1 AND ?2
               AND (v.visited_on >= ?3 OR ?3 IS NULL) AND (v.visited_on <= ?4 OR ?4 IS NULL)
             ORDER BY v.id",
        )?;
        let rows = stmt
            .query_map(params![lo, hi, day(from), day(to)], |r| {
                Ok((parsed(r, 0)?, r.get(1)?, parsed(r, 2)?))
            })?
            .collect::<crate::db::Result<_>>()?;
        Ok(rows)
    }

    /// Every appeal still open, oldest first: what reminders and escalation look at.
    pub fn open_appeals(&self) -> Result<Vec<Appeal>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {APPEAL_COLUMNS} FROM appeals WHERE state NOT IN ('closed', 'declined') ORDER BY id"
        ))?;
        let rows = stmt
            .query_map([], appeal)?
            .collect::<crate::db::Result<_>>()?;
        Ok(rows)
    }

    /// Records a new appeal as submitted, with its first step and the notifications
    /// it sends; its id is the database's.
    pub fn create_appeal(
        &mut self,
        actor: &Actor,
        a: &Appeal,
        notify: &[(i64, Text)],
    ) -> Result<i64, InsertError> {
        let writer = self.writer()?;
        let tx = writer.tx();
        let id = insert_appeal_row(tx, a)?;
        let mut stmt = tx.prepare_cached(
            "INSERT INTO appeal_attachments (appeal_id, position, name, bytes, media_type) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for (i, f) in a.attachments.iter().enumerate() {
            stmt.execute(params![id, i as i64, f.name, f.bytes as i64, f.media_type])?;
        }
        drop(stmt);
        insert_step(tx, actor, id, "submit", None, a.state, "")?;
        insert_notifications(tx, actor.at, Some(id), notify)?;
        let change = Change::new("create", "appeal", id).after(appeal_json(a));
        writer.commit_activity(actor, &change)?;
        Ok(id)
    }

    /// Writes an appeal's new standing `after` reached by `step` from `from`, with the
    /// step and its notifications, all or nothing. Refused when the appeal is no longer
    /// in state `from` (someone else moved it first), so no two moves build on one state.
    pub fn save_appeal_step(
        &mut self,
        actor: &Actor,
        from: AppealState,
        after: &Appeal,
        step: &str,
        note: &str,
        notify: &[(i64, Text)],
    ) -> Result<(), InsertError> {
        let before = self
            .appeal(after.id)?
            .ok_or_else(|| InsertError::Rejected(format!("there is no appeal {}", after.id)))?;
        let writer = self.writer()?;
        let tx = writer.tx();
        let changed = tx.execute(
            "UPDATE appeals SET state = ?2, accepted_on = ?3, reply_due = ?4, resolve_due = ?5, department = ?6,
               handler_id = ?7, reply = ?8, replied_on = ?9, closed_on = ?10, satisfaction = ?11, escalation = ?12,
               reopened = ?13
             WHERE id = ?1 AND state = ?14",
            params![
                after.id,
                after.state.as_str(),
                day(after.accepted_on),
                day(after.reply_due),
                day(after.resolve_due),
                after.department,
                after.handler,
                after.reply,
                day(after.replied_on),
                day(after.closed_on),
                after.satisfaction,
                after.escalation,
                after.reopened,
                from.as_str()
            ],
        )?;
        if changed == 0 {
            return Err(InsertError::Rejected(format!(
                "appeal {} is no longer {}: it was {} meanwhile",
                after.id, from, before.state
            )));
        }
        insert_step(tx, actor, after.id, step, Some(from), after.state, note)?;
        insert_notifications(tx, actor.at, Some(after.id), notify)?;
        let change = Change::new(step, "appeal", after.id)
            .before(appeal_json(&before))
            .after(appeal_json(after));
        writer.commit_activity(actor, &change)?;
        Ok(())
    }

    /// Every step of an appeal, in order.
    pub fn appeal_steps(&self, id: i64) -> Result<Vec<AppealStep>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT at, user_id, actor, step, from_state, to_state, note FROM appeal_steps
             WHERE appeal_id = ?1 ORDER BY id",
        )?;
        let rows = stmt
            .query_map([id], |r| {
                Ok(AppealStep {
                    at: r.get(0)?,
                    user_id: r.get(1)?,
                    actor: r.get(2)?,
                    step: r.get(3)?,
                    from: opt_parsed(r, 4)?,
                    to: parsed(r, 5)?,
                    note: r.get(6)?,
                })
            })?
            .collect::<crate::db::Result<_>>()?;
        Ok(rows)
    }

    /// The users escalations go to: the supervisor list, or every enabled admin when
    /// the list is empty.
    pub fn supervisors(&self) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.user_id FROM supervisors s JOIN users u ON u.id = s.user_id WHERE u.disabled = 0
             UNION ALL
             SELECT id FROM users WHERE role = 'admin' AND disabled = 0 AND NOT EXISTS (SELECT 1 FROM supervisors)
             ORDER BY 1",
        )?;
        let rows = stmt
            .query_map([], |r| r.get(0))?
            .collect::<crate::db::Result<_>>()?;
        Ok(rows)
    }

    /// The supervisor list as set (empty: every admin supervises).
    pub fn supervisor_list(&self) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT user_id FROM supervisors ORDER BY user_id")?;
        let rows = stmt
            .query_map([], |r| r.get(0))?
            .collect::<crate::db::Result<_>>()?;
        Ok(rows)
    }

    pub fn set_supervisors(&mut self, actor: &Actor, users: &[i64]) -> Result<(), InsertError> {
        let before = self.supervisor_list()?;
        let writer = self.writer()?;
        let tx = writer.tx();
        tx.execute("DELETE FROM supervisors", [])?;
        let mut stmt = tx.prepare_cached(
            "INSERT INTO supervisors (user_id) VALUES (?1) ON CONFLICT DO NOTHING",
        )?;
        for u in users {
            stmt.execute([u])?;
        }
        drop(stmt);
        let list = |l: &[i64]| {
            let ids = l.iter().map(|u| u.to_string()).collect::<Vec<_>>();
            json_object(&[("users", Json::Owned(ids.join(",")))])
        };
        let change = Change::new("update", "supervisors", 0)
            .before(list(&before))
            .after(list(users));
        writer.commit_activity(actor, &change)?;
        Ok(())
    }

    /// A user's notifications, newest first, and how many are unread.
    pub fn notifications(&self, user: i64, limit: u32) -> Result<(Vec<Notification>, u64)> {
        let unread: i64 = self.conn.query_row(
            "SELECT count(*) FROM notifications WHERE user_id = ?1 AND read_at IS NULL",
            [user],
            |r| r.get(0),
        )?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, user_id, at, appeal_id, zh, en, read_at FROM notifications
             WHERE user_id = ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = stmt
            .query_map(params![user, limit], |r| {
                Ok(Notification {
                    id: r.get(0)?,
                    user_id: r.get(1)?,
                    at: r.get(2)?,
                    appeal: r.get(3)?,
                    text: Text::new(r.get::<String>(4)?, r.get::<String>(5)?),
                    read_at: r.get(6)?,
                })
            })?
            .collect::<crate::db::Result<_>>()?;
        Ok((rows, unread as u64))
    }

    /// Marks a user's notification (or all of them, `None`) read; answers how many
    /// changed. Not audited: reading changes nothing anyone saved.
    pub fn mark_read(&mut self, user: i64, id: Option<i64>, at: i64) -> Result<u64> {
        let n = self.conn.execute(
            "UPDATE notifications SET read_at = ?3 WHERE user_id = ?1 AND (id = ?2 OR ?2 IS NULL) AND read_at IS NULL",
            params![user, id, at],
        )?;
        Ok(n as u64)
    }

    /// The calendar files admins loaded, in order.
    pub fn calendar_files(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT text FROM calendar_files ORDER BY id")?;
        let rows = stmt
            .query_map([], |r| r.get(0))?
            .collect::<crate::db::Result<_>>()?;
        Ok(rows)
    }

    /// Keeps a calendar file (checked by the caller) to apply over the built-in calendar.
    pub fn add_calendar_file(&mut self, actor: &Actor, text: &str) -> Result<i64, InsertError> {
        let writer = self.writer()?;
        let id: i64 = writer.tx().query_row(
            "INSERT INTO calendar_files (loaded_at, text) VALUES (?1, ?2) RETURNING id",
            params![actor.at, text],
            |r| r.get(0),
        )?;
        let lines = text.lines().count() as i64;
        let change = Change::new("create", "calendar_file", id)
            .after(json_object(&[("lines", Json::Int(lines))]));
        writer.commit_activity(actor, &change)?;
        Ok(id)
    }
}

/// A self-assessment as stored: its answers are read by
/// [`chainatlas_model::assessment::Answers::from_stored`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredAssessment {
    pub id: i64,
    pub enterprise: EnterpriseId,
    pub questionnaire: String,
    pub taken_at: i64,
    pub answers: String,
}

fn stored_assessment(row: &Row<'_>) -> crate::db::Result<StoredAssessment> {
    Ok(StoredAssessment {
        id: row.get(0)?,
        enterprise: EnterpriseId(row.get(1)?),
        questionnaire: row.get(2)?,
        taken_at: row.get(3)?,
        answers: row.get(4)?,
    })
}

const ASSESSMENT_COLUMNS: &str = "a.id, a.enterprise_id, a.questionnaire, a.taken_at, a.answers";

impl Store {
    /// Records an assessment; its id is the database's.
    pub fn save_assessment(
        &mut self,
        actor: &Actor,
        a: &StoredAssessment,
    ) -> Result<i64, InsertError> {
        let writer = self.writer()?;
        let id: i64 = writer.tx().query_row(
            "INSERT INTO assessments (enterprise_id, questionnaire, taken_at, answers) VALUES (?1, ?2, ?3, ?4) RETURNING id",
            params![a.enterprise.0, a.questionnaire, a.taken_at, a.answers],
            |r| r.get(0),
        )?;
        let change = Change::new("create", "assessment", id).after(json_object(&[
            ("enterprise_id", Json::Int(a.enterprise.0)),
            ("questionnaire", Json::Str(&a.questionnaire)),
            ("answers", Json::Str(&a.answers)),
        ]));
        writer.commit_activity(actor, &change)?;
        Ok(id)
    }

    pub fn assessment(&self, id: i64) -> Result<Option<StoredAssessment>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {ASSESSMENT_COLUMNS} FROM assessments a WHERE a.id = ?1"),
                [id],
                stored_assessment,
            )
            .optional()?)
    }

    /// Assessments of `enterprise` (all when `None`), newest first, at most `limit`.
    pub fn assessments(
        &self,
        enterprise: Option<EnterpriseId>,
        limit: u32,
    ) -> Result<Vec<StoredAssessment>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ASSESSMENT_COLUMNS} FROM assessments a WHERE (a.enterprise_id = ?1 OR ?1 IS NULL)
             ORDER BY a.taken_at DESC, a.id DESC LIMIT ?2"
        ))?;
        let rows = stmt
            .query_map(params![enterprise.map(|e| e.0), limit], stored_assessment)?
            .collect::<crate::db::Result<_>>()?;
        Ok(rows)
    }

    /// Calls `f` with every enterprise's latest assessment, for enterprises in `regions`
    /// and, given a chain, in one of its nodes; one row at a time.
    pub fn for_each_latest_assessment(
        &self,
        regions: Option<(u32, u32)>,
        chain: Option<ChainId>,
        mut f: impl FnMut(StoredAssessment),
    ) -> Result<()> {
        let (lo, hi) = region_bounds(regions);
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ASSESSMENT_COLUMNS} FROM assessments a JOIN enterprises e ON e.id = a.enterprise_id
             WHERE a.id = (SELECT MAX(b.id) FROM assessments b WHERE b.enterprise_id = a.enterprise_id)
               AND e.region_code BETWEEN ?1 AND ?2
               AND (CAST(?3 AS BIGINT) IS NULL OR EXISTS (SELECT 1 FROM enterprise_nodes x JOIN chain_nodes n ON n.id = x.node_id
                                          WHERE x.enterprise_id = e.id AND n.chain_id = ?3))
             ORDER BY a.id"
        ))?;
        let mut rows = stmt.query(params![lo, hi, chain.map(|c| c.0)])?;
        while let Some(row) = rows.next()? {
            f(stored_assessment(&row)?);
        }
        Ok(())
    }
}

/// An enterprise, its region code, its size as stored, and its nodes with their chains.
pub type FirmRow = (EnterpriseId, u32, String, Vec<(NodeId, ChainId)>);

/// Enterprise services written at once (the demo generator): assignments, visits,
/// appeals with their histories, assessments.
#[derive(Clone, Debug, Default)]
pub struct ServicesData {
    /// (enterprise, official, since).
    pub assignments: Vec<(EnterpriseId, i64, i64)>,
    pub visits: Vec<Visit>,
    pub appeals: Vec<(Appeal, Vec<AppealStep>)>,
    pub assessments: Vec<StoredAssessment>,
}

impl Store {
    /// Writes `data` in one transaction with one audit entry; ids are the database's.
    pub fn insert_services(
        &mut self,
        actor: &Actor,
        data: &ServicesData,
    ) -> Result<(), InsertError> {
        let writer = self.writer()?;
        let tx = writer.tx();
        // Written in batches (`COPY` on PostgreSQL, prepared inserts on SQLite); the
        // visits' and appeals' ids, which their officials and steps refer to, are the
        // database's (`Batch::push_new`).
        let row = |values: &[&dyn crate::db::ToSql]| -> Vec<crate::db::Value> {
            values.iter().map(|v| crate::db::owned(*v)).collect()
        };
        let mut assignments = Batch::new(
            tx,
            "official_assignments",
            "enterprise_id, user_id, since_at",
        );
        for (e, u, since) in &data.assignments {
            assignments.push(row(&[&e.0, u, since]))?;
        }
        assignments.finish()?;
        let mut visits = Batch::with_ids(
            tx,
            "visits",
            "enterprise_id, planned_on, visited_on, purpose, findings, finding, created_at",
        );
        let mut officials = Batch::new(tx, "visit_officials", "visit_id, user_id");
        for v in &data.visits {
            let id = visits.push_new(row(&[
                &v.enterprise.0,
                &v.planned_on.to_string(),
                &day(v.visited_on),
                &v.purpose,
                &v.findings,
                &v.finding.map(|c| c.as_str()),
                &actor.at,
            ]))?;
            for o in &v.officials {
                officials.push(row(&[&id, o]))?;
            }
        }
        visits.finish()?;
        officials.finish()?;
        let mut appeals = Batch::with_ids(
            tx,
            "appeals",
            "enterprise_id, category, channel, chain_id, node_id, title, description, visit_id,
             state, submitted_at, accepted_on, reply_due, resolve_due, department, handler_id, reply,
             replied_on, closed_on, satisfaction, escalation, reopened",
        );
        let mut steps = Batch::new(
            tx,
            "appeal_steps",
            "appeal_id, at, user_id, actor, step, from_state, to_state, note",
        );
        for (a, history) in &data.appeals {
            let id = appeals.push_new(row(&[
                &a.enterprise.0,
                &a.category.as_str(),
                &a.channel.as_str(),
                &a.chain.map(|c| c.0),
                &a.node.map(|n| n.0),
                &a.title,
                &a.description,
                &a.visit,
                &a.state.as_str(),
                &a.submitted_at,
                &day(a.accepted_on),
                &day(a.reply_due),
                &day(a.resolve_due),
                &a.department,
                &a.handler,
                &a.reply,
                &day(a.replied_on),
                &day(a.closed_on),
                &a.satisfaction,
                &a.escalation,
                &a.reopened,
            ]))?;
            for s in history {
                steps.push(row(&[
                    &id,
                    &s.at,
                    &s.user_id,
                    &s.actor,
                    &s.step,
                    &s.from.map(|f| f.as_str()),
                    &s.to.as_str(),
                    &s.note,
                ]))?;
            }
        }
        appeals.finish()?;
        steps.finish()?;
        let mut assessments = Batch::new(
            tx,
            "assessments",
            "enterprise_id, questionnaire, taken_at, answers",
        );
        for a in &data.assessments {
            assessments.push(row(&[
                &a.enterprise.0,
                &a.questionnaire,
                &a.taken_at,
                &a.answers,
            ]))?;
        }
        assessments.finish()?;
        let count = |n: usize| Json::Int(n as i64);
        let change = Change::new("demo", "services", 0).after(json_object(&[
            ("assignments", count(data.assignments.len())),
            ("visits", count(data.visits.len())),
            ("appeals", count(data.appeals.len())),
            ("assessments", count(data.assessments.len())),
        ]));
        writer.commit_activity(actor, &change)?;
        Ok(())
    }

    /// Every enterprise with its region, size and nodes (with their chains), in id order,
    /// for the demo generator.
    pub fn firms(&self) -> Result<Vec<FirmRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT e.id, e.region_code, e.size, x.node_id, n.chain_id FROM enterprises e
             LEFT JOIN enterprise_nodes x ON x.enterprise_id = e.id LEFT JOIN chain_nodes n ON n.id = x.node_id
             ORDER BY e.id, x.node_id",
        )?;
        let mut rows = stmt.query([])?;
        let mut out: Vec<FirmRow> = Vec::new();
        while let Some(r) = rows.next()? {
            let id = EnterpriseId(r.get(0)?);
            if out.last().is_none_or(|l| l.0 != id) {
                out.push((id, r.get(1)?, r.get(2)?, Vec::new()));
            }
            if let (Some(n), Some(c)) = (r.get::<Option<i64>>(3)?, r.get::<Option<i64>>(4)?) {
                out.last_mut()
                    .expect("pushed")
                    .3
                    .push((NodeId(n), ChainId(c)));
            }
        }
        Ok(out)
    }
}
