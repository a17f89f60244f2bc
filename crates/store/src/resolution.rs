//! Entity resolution's records: enterprise lists uploaded to be resolved against the
//! atlas (every row, its proposal, the reviewer's choice and, once committed, what it
//! did), and merges of duplicate enterprises (what moved, what was removed). Both keep
//! what they need to be undone, and each write is one transaction with one audit entry.

use crate::db::{params, Connection, OptionalExtension, Row};
use chainatlas_model::{text, Enterprise, EnterpriseId, Text};

use crate::audit::{self, json_object, Actor, Change, Json};
use crate::{Result, Store, StoreError};

/// Cells and lists are stored joined by this character (Unit Separator), which no list
/// cell holds: [`Store::create_resolution`] takes it out.
const SEP: char = '\u{1f}';

/// The enterprise fields resolution fills in (and an undo puts back), in order.
pub const ENRICHED_FIELDS: [&str; 5] = [
    "name_en",
    "other_names",
    "address",
    "phone",
    "legal_representative",
];

/// How a message names each of [`ENRICHED_FIELDS`]: in Chinese, in English.
const ENRICHED_LABELS: [(&str, &str); 5] = [
    ("英文名称", "English name"),
    ("别名", "other names"),
    ("地址", "address"),
    ("电话", "phone"),
    ("法定代表人", "legal representative"),
];

/// An enterprise's [`ENRICHED_FIELDS`], other names joined by `;`.
pub fn enriched_fields(e: &Enterprise) -> [String; 5] {
    [
        e.name_en.clone(),
        e.other_names.join(";"),
        e.address.clone(),
        e.phone.clone(),
        e.legal_representative.clone(),
    ]
}

fn join(cells: &[String]) -> String {
    let mut out = String::new();
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(SEP);
        }
        out.extend(c.chars().filter(|&ch| ch != SEP));
    }
    out
}

fn split(stored: &str) -> Vec<String> {
    if stored.is_empty() {
        return Vec::new();
    }
    stored.split(SEP).map(str::to_string).collect()
}

/// Where a list is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListStatus {
    /// Read, columns not mapped yet.
    Uploaded,
    /// Proposals made; choices can be changed.
    Review,
    Committed,
    Undone,
}

impl ListStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ListStatus::Uploaded => "uploaded",
            ListStatus::Review => "review",
            ListStatus::Committed => "committed",
            ListStatus::Undone => "undone",
        }
    }

    fn parse(s: &str) -> ListStatus {
        match s {
            "review" => ListStatus::Review,
            "committed" => ListStatus::Committed,
            "undone" => ListStatus::Undone,
            _ => ListStatus::Uploaded,
        }
    }
}

/// What the reviewer chose for a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    /// Nothing yet: a match is taken, a review row is skipped, a new row is added.
    Proposed,
    /// The proposed enterprise is the row's.
    Confirm,
    /// It is not: the row is a new enterprise.
    Reject,
    /// Another enterprise (`chosen`) is the row's.
    Choose,
    /// Leave the row out.
    Skip,
}

impl Choice {
    pub fn as_str(self) -> &'static str {
        match self {
            Choice::Proposed => "proposed",
            Choice::Confirm => "confirm",
            Choice::Reject => "reject",
            Choice::Choose => "choose",
            Choice::Skip => "skip",
        }
    }

    pub fn parse(s: &str) -> Option<Choice> {
        Some(match s {
            "proposed" => Choice::Proposed,
            "confirm" => Choice::Confirm,
            "reject" => Choice::Reject,
            "choose" => Choice::Choose,
            "skip" => Choice::Skip,
            _ => return None,
        })
    }
}

/// An uploaded list.
#[derive(Clone, Debug, PartialEq)]
pub struct ListHead {
    pub id: i64,
    pub file_name: String,
    pub created_at: i64,
    pub created_by: String,
    pub header: Vec<String>,
    /// (field, column as written in the header), as chosen when the proposals were made.
    pub mapping: Vec<(String, String)>,
    pub status: ListStatus,
    pub committed_at: Option<i64>,
    pub undone_at: Option<i64>,
    pub rows: u64,
}

/// A proposal for one row, as the resolver made it.
#[derive(Clone, Debug, PartialEq)]
pub struct Proposal {
    pub row: u64,
    /// `match`, `review` or `new`.
    pub decision: &'static str,
    pub candidate: Option<EnterpriseId>,
    pub confidence: f64,
    /// The candidates with their reasons, as the application writes them (JSON).
    pub candidates: String,
}

/// One row of a list with its proposal, choice and outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct ListRow {
    pub row: u64,
    pub cells: Vec<String>,
    pub decision: Option<String>,
    pub candidate: Option<EnterpriseId>,
    pub confidence: Option<f64>,
    pub candidates: String,
    pub choice: Choice,
    pub chosen: Option<EnterpriseId>,
    /// `enriched`, `added`, `unchanged` or `skipped`, once committed.
    pub outcome: Option<String>,
    pub enterprise: Option<EnterpriseId>,
    /// Enriched: the [`ENRICHED_FIELDS`] before and as written.
    pub before: Vec<String>,
    pub after: Vec<String>,
}

/// What committing one row does.
#[derive(Clone, Debug, PartialEq)]
pub enum RowPlan {
    /// Write these [`ENRICHED_FIELDS`] on the enterprise.
    Enrich {
        row: u64,
        enterprise: EnterpriseId,
        fields: [String; 5],
    },
    /// The enterprise already holds everything the row says.
    Unchanged {
        row: u64,
        enterprise: EnterpriseId,
    },
    /// A new enterprise (its id is the database's).
    Add {
        row: u64,
        enterprise: Box<Enterprise>,
    },
    Skip {
        row: u64,
    },
}

/// Why a list or merge write was refused. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ResolutionError {
    #[error("not found")]
    NotFound,
    /// The list is not in a state that allows it (its state now).
    #[error("the list is {0}")]
    State(&'static str),
    /// Located problems, in both languages.
    #[error("refused")]
    Refused(Vec<Text>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<crate::db::Error> for ResolutionError {
    fn from(e: crate::db::Error) -> Self {
        ResolutionError::Store(e.into())
    }
}

const LIST_COLUMNS: &str = "r.id, r.file_name, r.created_at, r.created_by, r.header, r.mapping, r.status, r.committed_at, r.undone_at,
     (SELECT count(*) FROM resolution_rows x WHERE x.resolution_id = r.id)";

fn list_head(row: &Row<'_>) -> crate::db::Result<ListHead> {
    let mapping: String = row.get(5)?;
    Ok(ListHead {
        id: row.get(0)?,
        file_name: row.get(1)?,
        created_at: row.get(2)?,
        created_by: row.get(3)?,
        header: split(&row.get::<String>(4)?),
        mapping: split(&mapping)
            .into_iter()
            .filter_map(|pair| {
                let (f, c) = pair.split_once('=')?;
                Some((f.to_string(), c.to_string()))
            })
            .collect(),
        status: ListStatus::parse(&row.get::<String>(6)?),
        committed_at: row.get(7)?,
        undone_at: row.get(8)?,
        rows: row.get(9)?,
    })
}

fn list_row(row: &Row<'_>) -> crate::db::Result<ListRow> {
    let id = |at: usize| -> crate::db::Result<Option<EnterpriseId>> {
        Ok(row.get::<Option<i64>>(at)?.map(EnterpriseId))
    };
    Ok(ListRow {
        row: row.get(0)?,
        cells: split(&row.get::<String>(1)?),
        decision: row.get(2)?,
        candidate: id(3)?,
        confidence: row.get(4)?,
        candidates: row.get(5)?,
        choice: Choice::parse(&row.get::<String>(6)?).unwrap_or(Choice::Proposed),
        chosen: id(7)?,
        outcome: row.get(8)?,
        enterprise: id(9)?,
        before: split(&row.get::<Option<String>>(10)?.unwrap_or_default()),
        after: split(&row.get::<Option<String>>(11)?.unwrap_or_default()),
    })
}

fn status_of(conn: &Connection, id: i64) -> Result<ListStatus, ResolutionError> {
    conn.query_row("SELECT status FROM resolutions WHERE id = ?1", [id], |r| {
        r.get::<String>(0)
    })
    .optional()?
    .map(|s| ListStatus::parse(&s))
    .ok_or(ResolutionError::NotFound)
}

fn bump_facts(conn: &Connection) -> crate::db::Result<()> {
    conn.execute(
        "UPDATE atlas_generation SET generation = generation + 1 WHERE id = 1",
        [],
    )?;
    Ok(())
}

impl Store {
    /// Keeps an uploaded list: its header and every row's cells (row numbers as in the
    /// file). The database assigns its number.
    pub fn create_resolution(
        &mut self,
        actor: &Actor,
        file_name: &str,
        header: &[String],
        rows: &[(u64, Vec<String>)],
    ) -> Result<i64> {
        self.exclusive(|s| {
            let id: i64 = s.conn.query_row(
                "INSERT INTO resolutions (file_name, created_at, created_by, header, status)
                 VALUES (?1, ?2, ?3, ?4, 'uploaded') RETURNING id",
                params![file_name, actor.at, actor.name, join(header)],
                |r| r.get(0),
            )?;
            let mut insert = s.conn.prepare_cached(
                "INSERT INTO resolution_rows (resolution_id, row, cells) VALUES (?1, ?2, ?3)",
            )?;
            for (row, cells) in rows {
                insert.execute(params![id, row, join(cells)])?;
            }
            let summary = json_object(&[
                ("file_name", Json::Str(file_name)),
                ("rows", Json::Int(rows.len() as i64)),
            ]);
            audit::record(
                &s.conn,
                actor,
                &Change::new("upload", "resolution", id).after(summary),
            )?;
            Ok(id)
        })
    }

    pub fn resolution(&self, id: i64) -> Result<Option<ListHead>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {LIST_COLUMNS} FROM resolutions r WHERE r.id = ?1"
            ))?
            .query_row([id], list_head)
            .optional()?)
    }

    /// The newest lists first.
    pub fn resolutions(&self, limit: u32) -> Result<Vec<ListHead>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {LIST_COLUMNS} FROM resolutions r ORDER BY r.id DESC LIMIT ?1"
        ))?;
        let heads = stmt
            .query_map([limit], list_head)?
            .collect::<crate::db::Result<_>>()?;
        Ok(heads)
    }

    /// Every row of a list in file order.
    pub fn resolution_rows(&self, id: i64) -> Result<Vec<ListRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT row, cells, decision, candidate_id, confidence, candidates, choice, chosen_id,
                    outcome, enterprise_id, before, after
             FROM resolution_rows WHERE resolution_id = ?1 ORDER BY row",
        )?;
        let rows = stmt
            .query_map([id], list_row)?
            .collect::<crate::db::Result<_>>()?;
        Ok(rows)
    }

    /// Records the mapping and a proposal for every row, clearing earlier choices. Only
    /// before the list is committed.
    pub fn save_proposals(
        &mut self,
        actor: &Actor,
        id: i64,
        mapping: &[(String, String)],
        proposals: &[Proposal],
    ) -> Result<(), ResolutionError> {
        self.exclusive(|s| {
            match status_of(&s.conn, id)? {
                ListStatus::Uploaded | ListStatus::Review => {}
                other => return Err(ResolutionError::State(other.as_str())),
            }
            let pairs: Vec<String> = mapping.iter().map(|(f, c)| format!("{f}={c}")).collect();
            s.conn.execute(
                "UPDATE resolutions SET mapping = ?2, status = 'review' WHERE id = ?1",
                params![id, join(&pairs)],
            )?;
            s.conn.execute(
                "UPDATE resolution_rows SET decision = NULL, candidate_id = NULL, confidence = NULL,
                 candidates = '', choice = 'proposed', chosen_id = NULL WHERE resolution_id = ?1",
                [id],
            )?;
            let mut update = s.conn.prepare_cached(
                "UPDATE resolution_rows SET decision = ?3, candidate_id = ?4, confidence = ?5, candidates = ?6
                 WHERE resolution_id = ?1 AND row = ?2",
            )?;
            for p in proposals {
                update.execute(params![
                    id,
                    p.row,
                    p.decision,
                    p.candidate.map(|e| e.0),
                    p.confidence,
                    p.candidates
                ])?;
            }
            let mapping_json: Vec<(&str, Json<'_>)> = mapping
                .iter()
                .map(|(f, c)| (f.as_str(), Json::Str(c)))
                .collect();
            audit::record(
                &s.conn,
                actor,
                &Change::new("map", "resolution", id).after(json_object(&mapping_json)),
            )?;
            Ok(())
        })
    }

    /// Records the reviewer's choice for one row (`chosen`: the enterprise for
    /// [`Choice::Choose`]). Only while the list is in review.
    pub fn choose(
        &mut self,
        actor: &Actor,
        id: i64,
        row: u64,
        choice: Choice,
        chosen: Option<EnterpriseId>,
    ) -> Result<(), ResolutionError> {
        self.exclusive(|s| {
            match status_of(&s.conn, id)? {
                ListStatus::Review => {}
                other => return Err(ResolutionError::State(other.as_str())),
            }
            let chosen = chosen.filter(|_| choice == Choice::Choose).map(|e| e.0);
            let changed = s.conn.execute(
                "UPDATE resolution_rows SET choice = ?3, chosen_id = ?4 WHERE resolution_id = ?1 AND row = ?2",
                params![id, row, choice.as_str(), chosen],
            )?;
            if changed == 0 {
                return Err(ResolutionError::NotFound);
            }
            let after = json_object(&[
                ("row", Json::Int(row as i64)),
                ("choice", Json::Str(choice.as_str())),
                ("enterprise", chosen.map_or(Json::Null, Json::Int)),
            ]);
            audit::record(
                &s.conn,
                actor,
                &Change::new("choose", "resolution", id).after(after),
            )?;
            Ok(())
        })
    }

    /// Records one choice for every row with the proposal `decision` (`match`, `review`,
    /// `new`, or `undecided`: review rows nobody decided) in one write; returns how many.
    pub fn choose_all(
        &mut self,
        actor: &Actor,
        id: i64,
        decision: &str,
        choice: Choice,
    ) -> Result<u64, ResolutionError> {
        self.exclusive(|s| {
            match status_of(&s.conn, id)? {
                ListStatus::Review => {}
                other => return Err(ResolutionError::State(other.as_str())),
            }
            if !matches!(decision, "match" | "review" | "new" | "undecided") {
                return Err(ResolutionError::NotFound);
            }
            // `undecided` is no decision a row holds: the review rows nobody decided.
            let changed = s.conn.execute(
                "UPDATE resolution_rows SET choice = ?3, chosen_id = NULL
                 WHERE resolution_id = ?1 AND (decision = ?2
                   OR (?2 = 'undecided' AND decision = 'review' AND choice = 'proposed'))",
                params![id, decision, choice.as_str()],
            )? as u64;
            let after = json_object(&[
                ("rows", Json::Str(decision)),
                ("choice", Json::Str(choice.as_str())),
                ("count", Json::Int(changed as i64)),
            ]);
            audit::record(
                &s.conn,
                actor,
                &Change::new("choose_all", "resolution", id).after(after),
            )?;
            Ok(changed)
        })
    }

    /// Carries out a list's plan in one transaction: enterprises enriched, added, rows
    /// skipped; each row's outcome kept so that [`Store::undo_resolution`] can reverse
    /// it. Refused, with nothing written, unless the list is in review; a new
    /// enterprise the database refuses (a credit code taken) names its row.
    pub fn commit_resolution(
        &mut self,
        actor: &Actor,
        id: i64,
        plan: &[RowPlan],
    ) -> Result<(), ResolutionError> {
        self.exclusive(|s| {
            match status_of(&s.conn, id)? {
                ListStatus::Review => {}
                other => return Err(ResolutionError::State(other.as_str())),
            }
            let conn = &s.conn;
            let mut outcome = conn.prepare_cached(
                "UPDATE resolution_rows SET outcome = ?3, enterprise_id = ?4, before = ?5, after = ?6
                 WHERE resolution_id = ?1 AND row = ?2",
            )?;
            let mut problems = Vec::new();
            let (mut enriched, mut added, mut skipped) = (0i64, 0i64, 0i64);
            for step in plan {
                match step {
                    RowPlan::Enrich {
                        row,
                        enterprise,
                        fields,
                    } => {
                        let Some(current) = enterprise_fields(conn, *enterprise)? else {
                            problems.push(text!(
                                "第 {row} 行：企业 {enterprise} 已不存在",
                                "row {row}: enterprise {enterprise} no longer exists"
                            ));
                            continue;
                        };
                        set_enterprise_fields(conn, *enterprise, fields)?;
                        outcome.execute(params![
                            id,
                            row,
                            "enriched",
                            enterprise.0,
                            join(&current),
                            join(fields)
                        ])?;
                        enriched += 1;
                    }
                    RowPlan::Unchanged { row, enterprise } => {
                        outcome.execute(params![
                            id,
                            row,
                            "unchanged",
                            enterprise.0,
                            None::<String>,
                            None::<String>
                        ])?;
                    }
                    RowPlan::Add { row, enterprise } => {
                        let inserted = conn
                            .prepare_cached(&format!(
                                "{} RETURNING id",
                                crate::writer::create_enterprise_sql()
                            ))?
                            .query_row(crate::writer::enterprise_params(None, enterprise), |r| {
                                r.get::<i64>(0)
                            });
                        match inserted {
                            Ok(new_id) => {
                                outcome.execute(params![
                                    id,
                                    row,
                                    "added",
                                    new_id,
                                    None::<String>,
                                    None::<String>
                                ])?;
                                added += 1;
                            }
                            Err(e) => {
                                let code = enterprise.credit_code.as_str();
                                let why = if e.to_string().contains("credit_code") {
                                    text!(
                                        "统一社会信用代码 {code} 已属于另一家企业：请改为与该企业匹配，或跳过此行",
                                        "credit code {code} already belongs to another enterprise: match the row to it, or skip the row"
                                    )
                                } else {
                                    let e = e.to_string();
                                    text!("数据库拒绝了新企业：{e}", "the database refused the new enterprise: {e}")
                                };
                                let (zh, en) = (&why.zh, &why.en);
                                problems.push(text!("第 {row} 行：{zh}", "row {row}: {en}"));
                            }
                        }
                    }
                    RowPlan::Skip { row } => {
                        outcome.execute(params![
                            id,
                            row,
                            "skipped",
                            None::<i64>,
                            None::<String>,
                            None::<String>
                        ])?;
                        skipped += 1;
                    }
                }
            }
            if !problems.is_empty() {
                return Err(ResolutionError::Refused(problems));
            }
            conn.execute(
                "UPDATE resolutions SET status = 'committed', committed_at = ?2 WHERE id = ?1",
                params![id, actor.at],
            )?;
            let after = json_object(&[
                ("enriched", Json::Int(enriched)),
                ("added", Json::Int(added)),
                ("skipped", Json::Int(skipped)),
            ]);
            audit::record(
                conn,
                actor,
                &Change::new("commit", "resolution", id).after(after),
            )?;
            bump_facts(conn)?;
            Ok(())
        })
    }

    /// Reverses a committed list: the enterprises it added are deleted (refused, naming
    /// them, while anything refers to one), the fields it wrote are put back where they
    /// still hold what it wrote. Returns the fields left as they are because someone
    /// changed them since.
    pub fn undo_resolution(
        &mut self,
        actor: &Actor,
        id: i64,
    ) -> Result<Vec<Text>, ResolutionError> {
        self.exclusive(|s| {
            match status_of(&s.conn, id)? {
                ListStatus::Committed => {}
                other => return Err(ResolutionError::State(other.as_str())),
            }
            let rows = s.resolution_rows(id)?;
            let mut problems = Vec::new();
            let mut kept = Vec::new();
            // Last row first: a later row enriching the same enterprise wrote over an
            // earlier one's fields.
            for r in rows.iter().rev() {
                let (Some(outcome), Some(enterprise)) = (r.outcome.as_deref(), r.enterprise) else {
                    continue;
                };
                let row = r.row;
                match outcome {
                    "added" => {
                        let refs = crate::editing::references_to(
                            &s.conn,
                            chainatlas_model::RecordKind::Enterprise,
                            [enterprise.0, 0],
                        )?;
                        if !refs.is_empty() {
                            let (zh, en): (Vec<&str>, Vec<&str>) =
                                refs.iter().map(|t| (t.zh.as_str(), t.en.as_str())).unzip();
                            let (zh, en) = (zh.join("；"), en.join("; "));
                            problems.push(text!(
                                "第 {row} 行新增的企业 {enterprise} 不能删除：{zh}",
                                "the enterprise {enterprise} row {row} added cannot be deleted: {en}"
                            ));
                            continue;
                        }
                        s.conn
                            .execute("DELETE FROM enterprises WHERE id = ?1", [enterprise.0])?;
                    }
                    "enriched" => {
                        let Some(current) = enterprise_fields(&s.conn, enterprise)? else {
                            continue;
                        };
                        let mut restored = current.clone();
                        for (i, (zh, en)) in ENRICHED_LABELS.iter().enumerate() {
                            let (before, after) = (
                                r.before.get(i).cloned().unwrap_or_default(),
                                r.after.get(i).cloned().unwrap_or_default(),
                            );
                            if current[i] == after {
                                restored[i] = before;
                            } else if before != after {
                                kept.push(text!(
                                    "第 {row} 行：企业 {enterprise} 的{zh}此后已被修改，保留现值",
                                    "row {row}: enterprise {enterprise}'s {en} was changed since; kept as it is"
                                ));
                            }
                        }
                        set_enterprise_fields(&s.conn, enterprise, &restored)?;
                    }
                    _ => {}
                }
            }
            if !problems.is_empty() {
                return Err(ResolutionError::Refused(problems));
            }
            s.conn.execute(
                "UPDATE resolutions SET status = 'undone', undone_at = ?2 WHERE id = ?1",
                params![id, actor.at],
            )?;
            audit::record(&s.conn, actor, &Change::new("undo", "resolution", id))?;
            bump_facts(&s.conn)?;
            Ok(kept)
        })
    }
}

fn enterprise_fields(
    conn: &Connection,
    id: EnterpriseId,
) -> crate::db::Result<Option<[String; 5]>> {
    conn.prepare_cached(
        "SELECT name_en, other_names, address, phone, legal_representative FROM enterprises WHERE id = ?1",
    )?
    .query_row([id.0], |r| {
        Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?])
    })
    .optional()
}

fn set_enterprise_fields(
    conn: &Connection,
    id: EnterpriseId,
    f: &[String],
) -> crate::db::Result<()> {
    conn.prepare_cached(
        "UPDATE enterprises SET name_en = ?2, other_names = ?3, address = ?4, phone = ?5,
         legal_representative = ?6 WHERE id = ?1",
    )?
    .execute(params![id.0, f[0], f[1], f[2], f[3], f[4]])?;
    Ok(())
}

// ---- merges ----

/// A merge of two enterprises.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeHead {
    pub id: i64,
    pub survivor: EnterpriseId,
    pub merged: EnterpriseId,
    /// The merged enterprise's names as they were.
    pub merged_name: String,
    pub merged_credit_code: String,
    pub at: i64,
    pub actor: String,
    pub undone_at: Option<i64>,
    /// Rows moved to the survivor, by table.
    pub moved: Vec<(String, u64)>,
    /// Rows removed: enterprise nodes the survivor already had, relations between the two.
    pub removed_nodes: u64,
    pub removed_relations: u64,
}

/// Every column that names an enterprise, besides `enterprise_nodes` (keyed by its pair).
const ENTERPRISE_COLUMNS_ELSEWHERE: [(&str, &str); 11] = [
    ("supply_relations", "supplier_id"),
    ("supply_relations", "buyer_id"),
    ("listings", "enterprise_id"),
    ("event_participants", "enterprise_id"),
    ("agreements", "buyer_id"),
    ("agreements", "supplier_id"),
    ("users", "enterprise_id"),
    ("appeals", "enterprise_id"),
    ("visits", "enterprise_id"),
    ("official_assignments", "enterprise_id"),
    ("assessments", "enterprise_id"),
];

/// The survivor's [`ENRICHED_FIELDS`] after taking in `merged`: the merged enterprise's
/// names become other names; empty fields are filled.
pub fn merged_fields(survivor: &Enterprise, merged: &Enterprise) -> [String; 5] {
    let mut names = survivor.other_names.clone();
    for n in std::iter::once(&merged.name_zh).chain(&merged.other_names) {
        let n = n.replace(';', "");
        if !n.is_empty() && n != survivor.name_zh && !names.contains(&n) {
            names.push(n);
        }
    }
    let fill = |mine: &str, theirs: &str| if mine.is_empty() { theirs } else { mine }.to_string();
    [
        fill(&survivor.name_en, &merged.name_en),
        names.join(";"),
        fill(&survivor.address, &merged.address),
        fill(&survivor.phone, &merged.phone),
        fill(&survivor.legal_representative, &merged.legal_representative),
    ]
}

impl Store {
    /// Merges `merged` into `survivor` in one transaction: every row naming the merged
    /// enterprise names the survivor instead (its nodes, supply relations, listings,
    /// event participations, agreements, users); a node both were in keeps the
    /// survivor's figures and a relation between the two is removed; the survivor takes
    /// the merged one's names as other names and fills its empty fields; the merged
    /// enterprise is deleted. Everything moved or removed is recorded for
    /// [`Store::undo_merge`]. Refused when both take part in the same event.
    pub fn merge_enterprises(
        &mut self,
        actor: &Actor,
        survivor: EnterpriseId,
        merged: EnterpriseId,
    ) -> Result<i64, ResolutionError> {
        self.exclusive(|s| {
            if survivor == merged {
                return Err(ResolutionError::Refused(vec![text!(
                    "不能把企业与它自己合并",
                    "an enterprise cannot be merged with itself"
                )]));
            }
            let (Some(keep), Some(drop)) = (s.enterprise(survivor)?, s.enterprise(merged)?) else {
                return Err(ResolutionError::NotFound);
            };
            let conn = &s.conn;
            let shared: Vec<String> = conn
                .prepare(
                    "SELECT e.name FROM event_participants a JOIN event_participants b ON a.event_id = b.event_id
                     JOIN events e ON e.id = a.event_id WHERE a.enterprise_id = ?1 AND b.enterprise_id = ?2 ORDER BY e.id",
                )?
                .query_map([merged.0, survivor.0], |r| r.get(0))?
                .collect::<crate::db::Result<_>>()?;
            if !shared.is_empty() {
                let (zh, en) = (shared.join("、"), shared.join(", "));
                return Err(ResolutionError::Refused(vec![text!(
                    "两家企业都报名了对接会 {zh}：请先取消其中一家的报名",
                    "both enterprises take part in {en}: withdraw one of them first"
                )]));
            }
            let before = enriched_fields(&keep);
            let after = merged_fields(&keep, &drop);
            let id: i64 = conn.query_row(
                "INSERT INTO merges (survivor_id, merged_id, at, actor, survivor_before, survivor_after,
                   credit_code, name_zh, name_en, region_code, size, tags, revenue_fen, employees, source,
                   other_names, address, phone, legal_representative, industry_code)
                 SELECT ?1, id, ?3, ?4, ?5, ?6, credit_code, name_zh, name_en, region_code, size, tags,
                   revenue_fen, employees, source, other_names, address, phone, legal_representative,
                   industry_code
                 FROM enterprises WHERE id = ?2 RETURNING id",
                params![survivor.0, merged.0, actor.at, actor.name, join(&before), join(&after)],
                |r| r.get(0),
            )?;
            // Relations between the two would join the survivor to itself.
            conn.execute(
                "INSERT INTO merge_removed_relations (merge_id, id, supplier_id, buyer_id, node_id, annual_value_fen)
                 SELECT ?1, id, supplier_id, buyer_id, node_id, annual_value_fen FROM supply_relations
                 WHERE (supplier_id = ?2 AND buyer_id = ?3) OR (supplier_id = ?3 AND buyer_id = ?2)",
                params![id, merged.0, survivor.0],
            )?;
            conn.execute(
                "DELETE FROM supply_relations WHERE id IN (SELECT id FROM merge_removed_relations WHERE merge_id = ?1)",
                [id],
            )?;
            // Nodes the survivor is in already keep the survivor's figures.
            conn.execute(
                "INSERT INTO merge_removed_nodes (merge_id, node_id, output_fen, capacity_fen)
                 SELECT ?1, node_id, output_fen, capacity_fen FROM enterprise_nodes m WHERE m.enterprise_id = ?2
                 AND EXISTS (SELECT 1 FROM enterprise_nodes k WHERE k.enterprise_id = ?3 AND k.node_id = m.node_id)",
                params![id, merged.0, survivor.0],
            )?;
            conn.execute(
                "DELETE FROM enterprise_nodes WHERE enterprise_id = ?2
                 AND node_id IN (SELECT node_id FROM merge_removed_nodes WHERE merge_id = ?1)",
                params![id, merged.0],
            )?;
            conn.execute(
                "INSERT INTO merge_moves (merge_id, tbl, col, row_id)
                 SELECT ?1, 'enterprise_nodes', 'enterprise_id', node_id FROM enterprise_nodes WHERE enterprise_id = ?2",
                params![id, merged.0],
            )?;
            conn.execute(
                "UPDATE enterprise_nodes SET enterprise_id = ?2 WHERE enterprise_id = ?1",
                params![merged.0, survivor.0],
            )?;
            for (table, column) in ENTERPRISE_COLUMNS_ELSEWHERE {
                conn.execute(
                    &format!(
                        "INSERT INTO merge_moves (merge_id, tbl, col, row_id)
                         SELECT ?1, '{table}', '{column}', id FROM {table} WHERE {column} = ?2"
                    ),
                    params![id, merged.0],
                )?;
                conn.execute(
                    &format!("UPDATE {table} SET {column} = ?2 WHERE {column} = ?1"),
                    params![merged.0, survivor.0],
                )?;
            }
            set_enterprise_fields(conn, survivor, &after)?;
            conn.execute("DELETE FROM enterprises WHERE id = ?1", [merged.0])?;
            let summary = json_object(&[
                ("survivor", Json::Int(survivor.0)),
                ("merged", Json::Int(merged.0)),
                ("merged_name", Json::Str(&drop.name_zh)),
                ("merged_credit_code", Json::Str(drop.credit_code.as_str())),
            ]);
            audit::record(conn, actor, &Change::new("merge", "enterprise", survivor.0).after(summary))?;
            bump_facts(conn)?;
            Ok(id)
        })
    }

    pub fn merge(&self, id: i64) -> Result<Option<MergeHead>> {
        let head = self
            .conn
            .query_row(
                "SELECT id, survivor_id, merged_id, name_zh, credit_code, at, actor, undone_at,
                   (SELECT count(*) FROM merge_removed_nodes WHERE merge_id = m.id),
                   (SELECT count(*) FROM merge_removed_relations WHERE merge_id = m.id)
                 FROM merges m WHERE id = ?1",
                [id],
                |r| {
                    Ok(MergeHead {
                        id: r.get(0)?,
                        survivor: EnterpriseId(r.get(1)?),
                        merged: EnterpriseId(r.get(2)?),
                        merged_name: r.get(3)?,
                        merged_credit_code: r.get(4)?,
                        at: r.get(5)?,
                        actor: r.get(6)?,
                        undone_at: r.get(7)?,
                        moved: Vec::new(),
                        removed_nodes: r.get(8)?,
                        removed_relations: r.get(9)?,
                    })
                },
            )
            .optional()?;
        let Some(mut head) = head else {
            return Ok(None);
        };
        head.moved = self
            .conn
            .prepare("SELECT tbl, count(*) FROM merge_moves WHERE merge_id = ?1 GROUP BY tbl ORDER BY tbl")?
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<crate::db::Result<_>>()?;
        Ok(Some(head))
    }

    /// Reverses a merge: the merged enterprise comes back with its id and fields, the rows
    /// moved go back to it, the rows removed are put back, and the survivor's fields the
    /// merge wrote get their old values where they still hold what it wrote. Refused,
    /// naming why, when its id or credit code has been taken since.
    pub fn undo_merge(&mut self, actor: &Actor, id: i64) -> Result<(), ResolutionError> {
        self.exclusive(|s| {
            let Some(head) = s.merge(id)? else {
                return Err(ResolutionError::NotFound);
            };
            if head.undone_at.is_some() {
                return Err(ResolutionError::State("undone"));
            }
            let conn = &s.conn;
            let (merged, survivor) = (head.merged, head.survivor);
            let taken: Option<String> = conn
                .query_row(
                    "SELECT name_zh FROM enterprises WHERE id = ?1 OR credit_code = ?2",
                    params![merged.0, head.merged_credit_code],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(other) = taken {
                let code = &head.merged_credit_code;
                return Err(ResolutionError::Refused(vec![text!(
                    "企业编号 {merged} 或统一社会信用代码 {code} 已被“{other}”使用，不能恢复",
                    "enterprise id {merged} or credit code {code} is now used by '{other}'; it cannot be put back"
                )]));
            }
            if !s.enterprise_exists(survivor)? {
                return Err(ResolutionError::Refused(vec![text!(
                    "保留的企业 {survivor} 已被删除，不能撤销",
                    "the surviving enterprise {survivor} has been deleted; the merge cannot be undone"
                )]));
            }
            conn.execute(
                "INSERT INTO enterprises (id, credit_code, name_zh, name_en, region_code, size, tags, revenue_fen,
                   employees, source, other_names, address, phone, legal_representative, industry_code)
                 SELECT merged_id, credit_code, name_zh, name_en, region_code, size, tags, revenue_fen,
                   employees, source, other_names, address, phone, legal_representative, industry_code
                 FROM merges WHERE id = ?1",
                [id],
            )?;
            conn.execute(
                "UPDATE enterprise_nodes SET enterprise_id = ?2 WHERE enterprise_id = ?3
                 AND node_id IN (SELECT row_id FROM merge_moves WHERE merge_id = ?1 AND tbl = 'enterprise_nodes')",
                params![id, merged.0, survivor.0],
            )?;
            for (table, column) in ENTERPRISE_COLUMNS_ELSEWHERE {
                conn.execute(
                    &format!(
                        "UPDATE {table} SET {column} = ?2 WHERE {column} = ?3 AND id IN
                         (SELECT row_id FROM merge_moves WHERE merge_id = ?1 AND tbl = '{table}' AND col = '{column}')"
                    ),
                    params![id, merged.0, survivor.0],
                )?;
            }
            let restore = conn.execute(
                "INSERT INTO enterprise_nodes (enterprise_id, node_id, output_fen, capacity_fen)
                 SELECT ?2, node_id, output_fen, capacity_fen FROM merge_removed_nodes WHERE merge_id = ?1",
                params![id, merged.0],
            );
            let restore = restore.and_then(|_| {
                conn.execute(
                    "INSERT INTO supply_relations (id, supplier_id, buyer_id, node_id, annual_value_fen)
                     SELECT CASE WHEN EXISTS (SELECT 1 FROM supply_relations s WHERE s.id = r.id) THEN NULL ELSE r.id END,
                       supplier_id, buyer_id, node_id, annual_value_fen
                     FROM merge_removed_relations r WHERE merge_id = ?1",
                    [id],
                )
            });
            if let Err(e) = restore {
                let e = e.to_string();
                return Err(ResolutionError::Refused(vec![text!(
                    "合并时移除的环节或供应关系无法恢复（其环节可能已被删除）：{e}",
                    "a node or supply relation the merge removed cannot be put back (its node may have been deleted): {e}"
                )]));
            }
            let (was, wrote): (String, String) = conn.query_row(
                "SELECT survivor_before, survivor_after FROM merges WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let was: Vec<&str> = was.split(SEP).collect();
            let wrote: Vec<&str> = wrote.split(SEP).collect();
            if let Some(current) = enterprise_fields(conn, survivor)? {
                let restored: Vec<String> = (0..ENRICHED_FIELDS.len())
                    .map(|i| {
                        if current[i] == wrote[i] {
                            was[i].to_string()
                        } else {
                            current[i].clone()
                        }
                    })
                    .collect();
                set_enterprise_fields(conn, survivor, &restored)?;
            }
            conn.execute(
                "UPDATE merges SET undone_at = ?2 WHERE id = ?1",
                params![id, actor.at],
            )?;
            let summary = json_object(&[
                ("merge", Json::Int(id)),
                ("survivor", Json::Int(survivor.0)),
                ("merged", Json::Int(merged.0)),
            ]);
            audit::record(conn, actor, &Change::new("undo_merge", "enterprise", merged.0).after(summary))?;
            bump_facts(conn)?;
            Ok(())
        })
    }
}
