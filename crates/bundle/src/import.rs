//! Importing a bundle: validate every row, compare it with the database, write all or
//! nothing. A preview runs the same import and rolls it back.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rustc_hash::FxHashSet;

use chainatlas_model::{text, Explain, Record, RecordKind, Text};
use chainatlas_store::{Actor, Change, InsertError, Snapshot, Store, StoreError, Writer};

use crate::columns::{cell_problems, columns, decode, encode, RowReader};
use crate::source::{Row, Source, Table};
use crate::{column_letter, Location, Problem, Progress};

#[derive(Clone, Copy, Debug)]
pub struct ImportOptions {
    /// Replace everything in the database with the bundle (still all or nothing):
    /// records of the database that the bundle lacks are removed. Without it the import
    /// merges: rows add records or update the record with the same key, and nothing is
    /// removed.
    pub replace: bool,
    /// Stop listing problems after this many; the rest are only counted.
    pub max_problems: usize,
    /// Changed rows shown with their fields, per kind.
    pub samples: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            replace: false,
            max_problems: 1000,
            samples: 5,
        }
    }
}

/// What an import changes (or, previewed, would change) in the records of one kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KindChanges {
    pub kind: RecordKind,
    /// Rows whose key was not in the database.
    pub added: u64,
    /// Rows that update a record of the database.
    pub changed: u64,
    /// Rows equal to the database's record.
    pub unchanged: u64,
    /// Records of the database the bundle lacks (a replacing import only).
    pub removed: u64,
    /// The first changed rows, with their changed fields.
    pub samples: Vec<ChangedRow>,
}

impl KindChanges {
    fn new(kind: RecordKind) -> KindChanges {
        KindChanges {
            kind,
            added: 0,
            changed: 0,
            unchanged: 0,
            removed: 0,
            samples: Vec::new(),
        }
    }

    /// Rows of the bundle of this kind.
    pub fn rows(&self) -> u64 {
        self.added + self.changed + self.unchanged
    }
}

/// A row that changes a record: where it is and what changes, old → new.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangedRow {
    pub location: Location,
    /// The record's key as its columns name it: `id 12`, `enterprise_id 3, node_id 7`.
    pub key: String,
    pub fields: Vec<FieldChange>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    pub column: &'static str,
    pub before: String,
    pub after: String,
}

/// What an import wrote, per kind, in dependency order; kinds neither in the bundle nor
/// removed are absent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub kinds: Vec<KindChanges>,
}

impl ImportSummary {
    /// Rows of the bundle, over all kinds.
    pub fn rows(&self) -> u64 {
        self.kinds.iter().map(KindChanges::rows).sum()
    }

    pub fn get(&self, kind: RecordKind) -> Option<&KindChanges> {
        self.kinds.iter().find(|k| k.kind == kind)
    }
}

/// What an import would do, and every problem that would stop it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Preview {
    pub summary: ImportSummary,
    pub problems: Vec<Problem>,
    /// Problems beyond `max_problems`, counted only.
    pub omitted: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{} problem{} found, nothing was imported", problems.len() as u64 + omitted, if problems.len() as u64 + omitted == 1 { "" } else { "s" })]
    Invalid {
        problems: Vec<Problem>,
        omitted: u64,
    },
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} is neither a folder of CSV files nor an .xlsx workbook")]
    NotABundle(PathBuf),
    #[error("{0} is neither a .csv file nor an .xlsx workbook")]
    NotAList(PathBuf),
    #[error("cannot read workbook {path}: {message}")]
    Workbook { path: PathBuf, message: Text },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Explain for ImportError {
    fn explain(&self) -> Text {
        match self {
            ImportError::Invalid { problems, omitted } => {
                let n = problems.len() as u64 + omitted;
                text!(
                    "发现 {n} 处问题，没有导入任何数据",
                    "{n} problem(s) found, nothing was imported"
                )
            }
            ImportError::Io { source, .. } => {
                text!("无法读取文件：{source}", "cannot read the file: {source}")
            }
            ImportError::NotABundle(_) => text!(
                "不是 CSV 文件夹（.zip）或 .xlsx 工作簿",
                "neither a folder of CSV files (.zip) nor an .xlsx workbook"
            ),
            ImportError::NotAList(_) => text!(
                "不是 .csv 文件或 .xlsx 工作簿",
                "neither a .csv file nor an .xlsx workbook"
            ),
            ImportError::Workbook { message, .. } => {
                message.after(&Text::new("无法读取工作簿", "cannot read the workbook"))
            }
            ImportError::Store(_) => text!("数据库出错", "database error"),
        }
    }
}

/// Keys seen so far (in the database and earlier in the bundle), to check references
/// with a message that names the column. Supply relations and listings are not kept
/// here, which keeps memory flat for the largest files. Events keep what their
/// participants, requests and meetings are checked against. Sets are hashed with
/// FxHash: a province's bundle looks up ids some forty million times.
#[derive(Default)]
struct Known {
    regions: FxHashSet<u32>,
    chains: FxHashSet<i64>,
    nodes: FxHashSet<i64>,
    enterprises: FxHashSet<i64>,
    /// Each event's groups, meeting slots and tables (`None` while its row is invalid).
    events: HashMap<i64, Option<EventShape>>,
    /// Participant, request and meeting ids, each with its event.
    participants: HashMap<i64, i64>,
    requests: HashMap<i64, i64>,
    meetings: HashMap<i64, i64>,
    /// Keys of the bundle's regions, chains, nodes, enterprises and events so far: a
    /// second row with one is a duplicate even when either row has another mistake.
    bundle: HashSet<(RecordKind, i64)>,
}

struct EventShape {
    groups: Vec<String>,
    slots: usize,
    tables: u32,
}

impl EventShape {
    fn of(e: &chainatlas_model::Event) -> EventShape {
        EventShape {
            groups: e.groups.clone(),
            slots: e.grid.slots().len(),
            tables: e.tables,
        }
    }
}

impl Known {
    /// What the database holds: everything when merging; only the built-in regions when
    /// replacing, since every other record must then come from the bundle. Read through
    /// the import's transaction, under its write lock: the database does not check the
    /// references again on SQLite ([`Store::bulk_session`]), so no other write may remove
    /// a record between this read and the commit.
    fn read(store: &Writer<'_>, replace: bool) -> Result<Known, StoreError> {
        let mut known = Known {
            regions: store
                .keys(RecordKind::Region)?
                .into_iter()
                .map(|k| k as u32)
                .collect(),
            ..Known::default()
        };
        if replace {
            return Ok(known);
        }
        known.chains = store.keys(RecordKind::Chain)?.into_iter().collect();
        known.nodes = store.keys(RecordKind::ChainNode)?.into_iter().collect();
        known.enterprises = store.keys(RecordKind::Enterprise)?.into_iter().collect();
        for kind in [
            RecordKind::Event,
            RecordKind::Participant,
            RecordKind::MeetingRequest,
            RecordKind::Meeting,
        ] {
            store.for_each_record(kind, |record| -> Result<(), StoreError> {
                known.add(&record);
                Ok(())
            })?;
        }
        Ok(known)
    }

    /// Notes a valid record that later rows may refer to.
    fn add(&mut self, record: &Record) {
        match record {
            Record::Event(e) => {
                self.events.insert(e.id.0, Some(EventShape::of(e)));
            }
            Record::Participant(p) => {
                self.participants.insert(p.id.0, p.event.0);
            }
            Record::MeetingRequest(r) => {
                self.requests.insert(r.id.0, r.event.0);
            }
            Record::Meeting(m) => {
                self.meetings.insert(m.id.0, m.event.0);
            }
            _ => {}
        }
    }
}

struct Problems {
    list: Vec<Problem>,
    omitted: u64,
    max: usize,
}

impl Problems {
    fn push(&mut self, problem: Problem) {
        if self.list.len() < self.max {
            self.list.push(problem);
        } else {
            self.omitted += 1;
        }
    }

    fn is_empty(&self) -> bool {
        self.list.is_empty() && self.omitted == 0
    }
}

/// Imports the bundle at `path` (a folder of CSV files or an `.xlsx` workbook) into
/// `store`. Either every record is written, or none is and every problem is returned.
/// The import is audited as one change made by `actor`.
pub fn import(
    store: &mut Store,
    path: &Path,
    options: ImportOptions,
    actor: &Actor,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    in_bulk_session(store, |store| {
        import_in(store, path, options, actor, progress)
    })
}

/// Runs `import` with `store`'s connection set up for a bulk load, and sets it back
/// whatever happened.
fn in_bulk_session<T>(
    store: &mut Store,
    import: impl FnOnce(&mut Store) -> Result<T, ImportError>,
) -> Result<T, ImportError> {
    store.bulk_session(true)?;
    let result = import(store);
    let ended = store.bulk_session(false);
    let value = result?;
    ended?;
    Ok(value)
}

fn import_in(
    store: &mut Store,
    path: &Path,
    options: ImportOptions,
    actor: &Actor,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    let (writer, summary, problems) = run(store, path, options, progress)?;
    if !problems.is_empty() {
        return Err(ImportError::Invalid {
            problems: problems.list,
            omitted: problems.omitted,
        });
    }
    let count = |f: fn(&KindChanges) -> u64| summary.kinds.iter().map(f).sum::<u64>();
    let change = Change::new("import", "bundle", path.display()).after(format!(
        "{{\"records\":{},\"added\":{},\"changed\":{},\"removed\":{},\"replace\":{}}}",
        summary.rows(),
        count(|k| k.added),
        count(|k| k.changed),
        count(|k| k.removed),
        options.replace
    ));
    writer.commit(actor, &change)?;
    Ok(summary)
}

/// Runs the import of `path` and rolls it back: what it would change, and every problem
/// that would stop it. The database is not changed.
pub fn preview(
    store: &mut Store,
    path: &Path,
    options: ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Preview, ImportError> {
    // The writer is dropped, and the transaction rolled back, inside the session.
    let (summary, problems) = in_bulk_session(store, |store| {
        let (_writer, summary, problems) = run(store, path, options, progress)?;
        Ok((summary, problems))
    })?;
    Ok(Preview {
        summary,
        problems: problems.list,
        omitted: problems.omitted,
    })
}

/// The import up to its commit: the open transaction, what it changed, what is wrong.
fn run<'s>(
    store: &'s mut Store,
    path: &Path,
    options: ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<(Writer<'s>, ImportSummary, Problems), ImportError> {
    let mut source = Source::open(path)?;
    let mut problems = Problems {
        list: Vec::new(),
        omitted: 0,
        max: options.max_problems.max(1),
    };
    for part in source.unknown_parts()? {
        let expected = RecordKind::ALL
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        problems.push(Problem {
            location: Location::row(&part, 1),
            message: text!(
                "不属于数据包：应为 {expected} 之一",
                "is not part of a bundle: expected one of {expected}"
            ),
        });
    }
    let before = store.snapshot()?;
    let mut old_counts = HashMap::new();
    for &kind in RecordKind::ALL {
        old_counts.insert(kind, before.count(kind)?);
    }
    let total_bytes = source.total_bytes();
    let mut writer = store.writer()?;
    let mut known = Known::read(&writer, options.replace)?;
    // New rows go by COPY on PostgreSQL; refused ones are found again and located.
    writer.bulk_load()?;
    writer.track_keys()?;
    if options.replace {
        writer.clear_all()?;
    }
    let mut summary = ImportSummary::default();
    let mut records = 0u64;
    let mut bytes_done = 0u64;
    for &kind in RecordKind::ALL {
        let mut changes = KindChanges::new(kind);
        if let Some(mut table) = source.table(kind)? {
            let done = records;
            let mut import = TableImport {
                kind,
                writer: &mut writer,
                before: &before,
                has_old: old_counts[&kind] > 0,
                merge: !options.replace || kind == RecordKind::Region,
                known: &mut known,
                problems: &mut problems,
                changes: &mut changes,
                samples: options.samples,
            };
            import.run(table.as_mut(), &mut |n, bytes| {
                records = done + n;
                progress(Progress {
                    kind,
                    records,
                    bytes: total_bytes.map(|t| (bytes_done + bytes, t)),
                });
            })?;
            bytes_done += table.bytes_read();
        }
        if options.replace && kind != RecordKind::Region {
            let matched = changes.changed + changes.unchanged;
            changes.removed = old_counts[&kind].saturating_sub(matched);
        }
        if changes.rows() > 0 || changes.removed > 0 || source.has(kind) {
            summary.kinds.push(changes);
        }
    }
    for (file, message) in writer.orphaned_references()? {
        problems.push(Problem {
            location: Location::row(file, 1),
            message,
        });
    }
    Ok((writer, summary, problems))
}

/// The import of one file or sheet.
struct TableImport<'a, 'w> {
    kind: RecordKind,
    writer: &'a mut Writer<'w>,
    /// The database before the import, to compare rows with.
    before: &'a Snapshot,
    /// Whether the database had records of this kind.
    has_old: bool,
    /// Whether a row with a key the database has updates that record (merging, and
    /// regions always); otherwise the table was emptied first.
    merge: bool,
    known: &'a mut Known,
    problems: &'a mut Problems,
    changes: &'a mut KindChanges,
    samples: usize,
}

impl TableImport<'_, '_> {
    fn run(
        &mut self,
        table: &mut dyn Table,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<(), ImportError> {
        let kind = self.kind;
        let label = table.label().to_string();
        let workbook = table.is_workbook();
        let cols = columns(kind);
        let Some(mut positions) = header_positions(kind, table.header(), &label, self.problems)
        else {
            return Ok(());
        };
        let header_len = table.header().len();
        // An enterprise's id may be left out: the row is matched by its credit code, or
        // the enterprise is new and the database gives it an id. A missing id column reads
        // as a column of empty cells after the last.
        if kind == RecordKind::Enterprise && positions[0] == usize::MAX {
            positions[0] = header_len;
        }
        let at = |row: u64, column: Option<usize>| Location {
            file: label.clone(),
            row,
            column: column.map(|c| cols[c].name.to_string()),
            column_letter: column
                .filter(|&c| workbook && positions[c] < header_len)
                .map(|c| column_letter(positions[c])),
        };
        // A row the database refused, located by its key's column when it is a duplicate.
        let refusal = |problems: &mut Problems, row: u64, e: InsertError| match e {
            InsertError::Duplicate { columns: dup } => {
                let column = cols.iter().position(|c| dup.starts_with(c.name));
                problems.push(Problem {
                    location: at(row, column),
                    message: duplicate(&dup),
                });
                Ok(())
            }
            e @ InsertError::Rejected(_) => {
                problems.push(Problem {
                    location: at(row, None),
                    message: e.explain(),
                });
                Ok(())
            }
            InsertError::Store(e) => Err(ImportError::from(e)),
        };
        let mut rows = 0u64;
        let mut pending_parents = Vec::new();
        // One row read and checked ahead: its references checked, and written.
        let mut one_row = |mut row: Row, checked: Checked| -> Result<(), ImportError> {
            let decoded = match checked {
                Checked::WrongLength => {
                    let (n, expected) = (row.cells.len(), header_len);
                    self.problems.push(Problem {
                        location: at(row.number, None),
                        message: text!(
                            "有 {n} 个字段，应与表头一样为 {expected} 个",
                            "has {n} fields, expected {expected} as in the header"
                        ),
                    });
                    return Ok(());
                }
                Checked::BadCells(bad_cells) => {
                    for (column, message) in bad_cells {
                        self.problems.push(Problem {
                            location: at(row.number, Some(column)),
                            message,
                        });
                    }
                    return Ok(());
                }
                Checked::Cells => None,
                Checked::Decoded(record, problems) => Some((record, problems)),
            };
            // A new enterprise without an id: decoded with the placeholder 0,
            // written with the id the database assigns.
            let mut new_enterprise = false;
            if kind == RecordKind::Enterprise {
                if row.cells.len() <= positions[0] {
                    row.cells.resize(positions[0] + 1, String::new());
                }
                if row.cells[positions[0]].trim().is_empty() {
                    let code = row.cells[positions[1]].trim().to_uppercase();
                    let id = self.before.enterprise_by_credit_code(&code)?;
                    new_enterprise = id.is_none();
                    row.cells[positions[0]] = id.unwrap_or(0).to_string();
                }
            }
            let mut reader = RowReader {
                cells: &row.cells,
                positions: &positions,
                columns: cols,
                problems: Vec::new(),
            };
            let key_problem = if new_enterprise {
                None
            } else {
                register_key(kind, &reader, self.known)
            };
            let (record, mut row_problems) = match decoded {
                Some(decoded) => decoded,
                None => {
                    let record = decode(kind, &mut reader);
                    (record, reader.problems)
                }
            };
            row_problems.extend(key_problem);
            if let Some(record) = &record {
                row_problems.extend(check_references(
                    record,
                    self.known,
                    self.writer,
                    &mut pending_parents,
                    row.number,
                )?);
            }
            if !row_problems.is_empty() {
                for (column, message) in row_problems {
                    self.problems.push(Problem {
                        location: at(row.number, Some(column)),
                        message,
                    });
                }
                return Ok(());
            }
            let record = record.expect("decoded when there are no problems");
            self.known.add(&record);
            let location = at(row.number, None);
            let written = match &record {
                Record::Enterprise(e) if new_enterprise => self.create(e),
                _ => self.write(&record, location),
            };
            if let Err(e) = written {
                refusal(self.problems, row.number, e)?;
            }
            Ok(())
        };
        // A thread of its own reads the rows ahead and checks what needs no database,
        // while this one validates references and writes.
        let reading = &mut *table;
        // The line and message of a row that could not be read, the last one read.
        let unreadable = std::thread::scope(|scope| -> Result<_, ImportError> {
            let (ahead, batches) = std::sync::mpsc::sync_channel(AHEAD_BATCHES);
            let shape = RowShape {
                kind,
                columns: cols,
                positions: &positions,
                header_len,
                workbook,
            };
            scope.spawn(move || read_ahead(reading, shape, ahead));
            for (batch, bytes) in batches {
                for item in batch {
                    let (row, checked) = match item {
                        Ahead::Unreadable(line, message) => return Ok(Some((line, message))),
                        Ahead::Row(row, checked) => (row, checked),
                    };
                    rows += 1;
                    if rows.is_multiple_of(65_536) {
                        progress(rows, bytes);
                    }
                    one_row(row, checked)?;
                }
            }
            Ok(None)
        })?;
        if let Some((line, message)) = unreadable {
            self.problems.push(Problem {
                location: at(line, None),
                message,
            });
        }
        // Rows gathered for a bulk write (PostgreSQL) are refused when their round lands.
        let refused = match self.writer.refused() {
            Ok(refused) => refused,
            Err(e) => return refusal(self.problems, 0, e),
        };
        if !refused.is_empty() {
            let first_of_table = self
                .problems
                .list
                .iter()
                .position(|p| p.location.file == label)
                .unwrap_or(self.problems.list.len());
            for (row, e) in refused {
                refusal(self.problems, row, e)?;
            }
            // In the order of the file's rows, as when each refusal came at once.
            self.problems.list[first_of_table..].sort_by_key(|p| p.location.row);
        }
        // Regions may list a child before its parent; parents are checked once all are known.
        for (row, parent) in pending_parents {
            if !self.known.regions.contains(&parent) {
                let column = cols.iter().position(|c| c.name == "parent_code");
                self.problems.push(Problem {
                    location: at(row, column),
                    message: unknown(&Text::new("行政区划", "region"), format!("{parent:06}")),
                });
            }
        }
        progress(rows, table.bytes_read());
        Ok(())
    }

    /// Adds an enterprise that came without an id, with the id the database assigns.
    fn create(&mut self, e: &chainatlas_model::Enterprise) -> Result<(), InsertError> {
        let id = self.writer.create_enterprise(e)?;
        self.known.enterprises.insert(id.0);
        self.changes.added += 1;
        Ok(())
    }

    /// Writes one valid record, counting what it does to the database's record with the
    /// same key.
    fn write(&mut self, record: &Record, location: Location) -> Result<(), InsertError> {
        let kind = self.kind;
        let key = record.key();
        let old = if self.has_old {
            self.before.existing(kind, key)?
        } else {
            None
        };
        let Some(old) = old else {
            self.writer.insert_at(record, location.row)?;
            self.changes.added += 1;
            return Ok(());
        };
        if self.merge {
            if !self.writer.first_time(kind, key)? {
                let key_columns = key_columns(kind);
                return Err(InsertError::Duplicate {
                    columns: key_columns,
                });
            }
            if old != *record {
                self.writer.replace(record)?;
            }
        } else {
            self.writer.insert(record)?;
        }
        if old == *record {
            self.changes.unchanged += 1;
            return Ok(());
        }
        self.changes.changed += 1;
        if self.changes.samples.len() < self.samples {
            let cols = columns(kind);
            let (before, after) = (encode(&old), encode(record));
            let fields = cols
                .iter()
                .zip(before.into_iter().zip(after))
                .filter(|(_, (b, a))| b != a)
                .map(|(c, (before, after))| FieldChange {
                    column: c.name,
                    before,
                    after,
                })
                .collect();
            let cells = encode(record);
            let key = key_of(kind)
                .iter()
                .zip(&cells)
                .map(|(c, v)| format!("{} {v}", c.name))
                .collect::<Vec<_>>()
                .join(", ");
            self.changes.samples.push(ChangedRow {
                location,
                key,
                fields,
            });
        }
        Ok(())
    }
}

/// The key columns of a kind, as a duplicate names them.
fn key_columns(kind: RecordKind) -> String {
    key_of(kind)
        .iter()
        .map(|c| c.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The columns that hold a record's key: the first of its file, or the first two for
/// the kinds keyed by a pair (node inputs, enterprise nodes).
fn key_of(kind: RecordKind) -> &'static [crate::Column] {
    let pair = matches!(kind, RecordKind::NodeInput | RecordKind::EnterpriseNode);
    &columns(kind)[..if pair { 2 } else { 1 }]
}

fn duplicate(columns: &str) -> Text {
    text!(
        "{columns} 重复：数据包中前面的行或数据库中已有这个值",
        "duplicate {columns}: an earlier row or the database already has this value"
    )
}

fn unknown(what: &Text, value: String) -> Text {
    let (zh, en) = (&what.zh, &what.en);
    text!(
        "未知的{zh} {value}：数据包和数据库中都没有",
        "unknown {en} {value}: not in this bundle or the database"
    )
}

/// Maps each column of `kind` to its index in the file's header; `None` (with problems
/// recorded) when the header is not usable. Optional columns may be left out.
fn header_positions(
    kind: RecordKind,
    header: &[String],
    label: &str,
    problems: &mut Problems,
) -> Option<Vec<usize>> {
    let cols = columns(kind);
    let expected = cols.iter().map(|c| c.name).collect::<Vec<_>>().join(",");
    let mut ok = true;
    let mut report = |column: Option<usize>, message: Text| {
        problems.push(Problem {
            location: Location {
                file: label.to_string(),
                row: 1,
                column: column.map(|c| header[c].clone()),
                column_letter: None,
            },
            message,
        });
        ok = false;
    };
    for (i, name) in header.iter().enumerate() {
        if !cols.iter().any(|c| c.name == name) {
            report(
                Some(i),
                text!(
                    "多出的列“{name}”：应有的列为 {expected}",
                    "unexpected column '{name}': the columns are {expected}"
                ),
            );
        } else if header[..i].contains(name) {
            report(
                Some(i),
                text!("列“{name}”出现了两次", "column '{name}' appears twice"),
            );
        }
    }
    let mut positions = Vec::with_capacity(cols.len());
    for col in cols {
        match header.iter().position(|h| h == col.name) {
            Some(i) => positions.push(i),
            None if col.required => {
                let name = col.name;
                report(
                    None,
                    text!(
                        "缺少列“{name}”：应有的列为 {expected}",
                        "missing column '{name}': the columns are {expected}"
                    ),
                );
            }
            None => positions.push(usize::MAX),
        }
    }
    ok.then_some(positions)
}

/// Records the row's own key before the row is decoded, so that a row with another
/// mistake does not also make every row that refers to it "unknown". Returns a problem
/// when an earlier row of the bundle had the same key; the database's keys are updated,
/// and the keys of the other kinds are the database's to check (its key constraint, or
/// [`Writer::first_time`]).
/// Rows in flight between the reading thread and the writing one: at most this many
/// batches of [`AHEAD_BATCH`] rows wait, so memory stays bounded whatever the file's size.
const AHEAD_BATCHES: usize = 4;
const AHEAD_BATCH: usize = 2048;

/// What the reading thread needs to know of a table to check its rows.
#[derive(Clone, Copy)]
struct RowShape<'a> {
    kind: RecordKind,
    columns: &'static [crate::columns::Column],
    positions: &'a [usize],
    header_len: usize,
    workbook: bool,
}

/// A row read ahead, or the message about a row that could not be read (the last).
// Nearly every item is a decoded row, the large variant: boxing it would only add an
// allocation per row.
#[allow(clippy::large_enum_variant)]
enum Ahead {
    Unreadable(u64, Text),
    Row(Row, Checked),
}

/// What the reading thread found of a row without the database.
#[allow(clippy::large_enum_variant)]
enum Checked {
    /// Not as many fields as the header (a CSV file).
    WrongLength,
    BadCells(Vec<(usize, Text)>),
    /// Every cell well-formed; the record is decoded by the writing thread (an
    /// enterprise, whose id may first come from the database).
    Cells,
    /// Every cell well-formed, and the record decoded with its problems.
    Decoded(Option<Record>, Vec<(usize, Text)>),
}

/// Reads `table` to the end (or to a row it cannot read), checking each row, and sends
/// the rows in batches with the bytes read so far; stops when the receiver is gone.
fn read_ahead(
    table: &mut dyn Table,
    shape: RowShape<'_>,
    ahead: std::sync::mpsc::SyncSender<(Vec<Ahead>, u64)>,
) {
    loop {
        let mut batch = Vec::with_capacity(AHEAD_BATCH);
        let mut end = false;
        while batch.len() < AHEAD_BATCH {
            match table.next_row() {
                None => {
                    end = true;
                    break;
                }
                Some(Err((line, message))) => {
                    batch.push(Ahead::Unreadable(line, message));
                    end = true;
                    break;
                }
                Some(Ok(row)) => {
                    let checked = check_row(shape, &row);
                    batch.push(Ahead::Row(row, checked));
                }
            }
        }
        if ahead.send((batch, table.bytes_read())).is_err() || end {
            return;
        }
    }
}

fn check_row(shape: RowShape<'_>, row: &Row) -> Checked {
    if !shape.workbook && row.cells.len() != shape.header_len {
        return Checked::WrongLength;
    }
    let bad_cells = cell_problems(shape.columns, shape.positions, &row.cells);
    if !bad_cells.is_empty() {
        return Checked::BadCells(bad_cells);
    }
    if shape.kind == RecordKind::Enterprise {
        return Checked::Cells;
    }
    let mut reader = RowReader {
        cells: &row.cells,
        positions: shape.positions,
        columns: shape.columns,
        problems: Vec::new(),
    };
    let record = decode(shape.kind, &mut reader);
    Checked::Decoded(record, reader.problems)
}

fn register_key(
    kind: RecordKind,
    reader: &RowReader<'_>,
    known: &mut Known,
) -> Option<(usize, Text)> {
    let cell = reader.cells.get(reader.positions[0])?;
    let key = cell.trim().parse::<i64>().ok()?;
    match kind {
        RecordKind::Region => {
            known.regions.insert(key as u32);
        }
        RecordKind::Chain => {
            known.chains.insert(key);
        }
        RecordKind::ChainNode => {
            known.nodes.insert(key);
        }
        RecordKind::Enterprise => {
            known.enterprises.insert(key);
        }
        RecordKind::Event => {
            known.events.entry(key).or_insert(None);
        }
        _ => return None,
    }
    let name = reader.columns[0].name;
    (!known.bundle.insert((kind, key))).then(|| (0, duplicate(name)))
}

/// Checks that every id a record refers to exists, and that the records of an event
/// fit it. Returns (column index, message).
fn check_references(
    record: &Record,
    known: &Known,
    writer: &Writer<'_>,
    pending_parents: &mut Vec<(u64, u32)>,
    row: u64,
) -> Result<Vec<(usize, Text)>, StoreError> {
    let mut problems = Vec::new();
    let cols = columns(record.kind());
    let index = |name: &str| {
        cols.iter()
            .position(|c| c.name == name)
            .expect("known column")
    };
    macro_rules! fail {
        ($column:expr, $message:expr $(,)?) => {
            problems.push((index($column), $message))
        };
    }
    macro_rules! require {
        ($ok:expr, $column:expr, $what:expr, $value:expr $(,)?) => {
            if !$ok {
                fail!($column, unknown($what, $value));
            }
        };
    }
    // What a reference names, made only for a message (not for each of millions of rows).
    let enterprise = || Text::new("企业", "enterprise");
    let node = || Text::new("环节", "node");
    let chain = || Text::new("产业链", "chain");
    let region = || Text::new("行政区划", "region");
    let event = || Text::new("对接会", "event");
    let participant = || Text::new("参会企业", "participant");
    match record {
        Record::Region(r) => {
            if let Some(parent) = r.parent {
                pending_parents.push((row, parent.value()));
            }
        }
        Record::Chain(_) => {}
        Record::ChainNode(n) => require!(
            known.chains.contains(&n.chain.0),
            "chain_id",
            &chain(),
            n.chain.to_string(),
        ),
        Record::NodeInput(i) => {
            require!(
                known.nodes.contains(&i.input.0),
                "input_node_id",
                &node(),
                i.input.to_string(),
            );
            require!(
                known.nodes.contains(&i.output.0),
                "output_node_id",
                &node(),
                i.output.to_string(),
            );
        }
        Record::Enterprise(e) => require!(
            known.regions.contains(&e.region.value()),
            "region_code",
            &region(),
            e.region.to_string(),
        ),
        Record::EnterpriseNode(en) => {
            require!(
                known.enterprises.contains(&en.enterprise.0),
                "enterprise_id",
                &enterprise(),
                en.enterprise.to_string(),
            );
            require!(
                known.nodes.contains(&en.node.0),
                "node_id",
                &node(),
                en.node.to_string(),
            );
        }
        Record::SupplyRelation(s) => {
            require!(
                known.enterprises.contains(&s.supplier.0),
                "supplier_id",
                &enterprise(),
                s.supplier.to_string(),
            );
            require!(
                known.enterprises.contains(&s.buyer.0),
                "buyer_id",
                &enterprise(),
                s.buyer.to_string(),
            );
            require!(
                known.nodes.contains(&s.node.0),
                "node_id",
                &node(),
                s.node.to_string(),
            );
        }
        Record::Listing(l) => {
            require!(
                known.enterprises.contains(&l.enterprise.0),
                "enterprise_id",
                &enterprise(),
                l.enterprise.to_string(),
            );
            if let Some(n) = l.node {
                require!(
                    known.nodes.contains(&n.0),
                    "node_id",
                    &node(),
                    n.to_string()
                );
            }
            require!(
                known.regions.contains(&l.region.value()),
                "region_code",
                &region(),
                l.region.to_string(),
            );
        }
        Record::Event(e) => {
            for c in &e.chains {
                require!(
                    known.chains.contains(&c.0),
                    "chain_ids",
                    &chain(),
                    c.to_string()
                );
            }
            for n in &e.nodes {
                require!(
                    known.nodes.contains(&n.0),
                    "node_ids",
                    &node(),
                    n.to_string()
                );
            }
        }
        Record::Participant(p) => {
            require!(
                known.enterprises.contains(&p.enterprise.0),
                "enterprise_id",
                &enterprise(),
                p.enterprise.to_string(),
            );
            match known.events.get(&p.event.0) {
                None => require!(false, "event_id", &event(), p.event.to_string()),
                Some(None) => {}
                Some(Some(shape)) => {
                    if !shape.groups.contains(&p.group) {
                        let (group, groups) = (&p.group, shape.groups.join(";"));
                        fail!(
                            "group",
                            text!(
                                "“{group}”不是该对接会的分组：应为 {groups} 之一",
                                "'{group}' is not a group of the event: expected one of {groups}"
                            ),
                        );
                    }
                    if let Some(&slot) = p.available.iter().flatten().find(|&&s| s >= shape.slots) {
                        let (slot, slots) = (slot + 1, shape.slots);
                        fail!(
                            "available",
                            text!(
                                "第 {slot} 场不存在：该对接会共 {slots} 个洽谈时段",
                                "slot {slot} does not exist: the event has {slots} meeting slots"
                            ),
                        );
                    }
                }
            }
            for l in &p.listings {
                if !writer.exists(RecordKind::Listing, [l.0, 0])? {
                    fail!(
                        "listing_ids",
                        unknown(&Text::new("供需信息", "listing"), l.to_string()),
                    );
                }
            }
        }
        Record::MeetingRequest(r) => {
            let of_event = |p: i64| match known.participants.get(&p) {
                None => Some(unknown(&participant(), p.to_string())),
                Some(&e) if e != r.event.0 => Some(not_of_event(p, r.event.0)),
                _ => None,
            };
            let found = [("from_id", of_event(r.from.0)), ("to_id", of_event(r.to.0))];
            require!(
                known.events.contains_key(&r.event.0),
                "event_id",
                &event(),
                r.event.to_string(),
            );
            for (column, problem) in found {
                if let Some(problem) = problem {
                    fail!(column, problem);
                }
            }
        }
        Record::Meeting(m) => {
            match known.events.get(&m.event.0) {
                None => require!(false, "event_id", &event(), m.event.to_string()),
                Some(None) => {}
                Some(Some(shape)) => {
                    if m.slot >= shape.slots {
                        let (slot, slots) = (m.slot + 1, shape.slots);
                        fail!(
                            "slot",
                            text!(
                                "第 {slot} 场不存在：该对接会共 {slots} 个洽谈时段",
                                "slot {slot} does not exist: the event has {slots} meeting slots"
                            ),
                        );
                    }
                    if m.table > shape.tables {
                        let (table, tables) = (m.table, shape.tables);
                        fail!(
                            "table_no",
                            text!(
                                "第 {table} 桌不存在：该对接会共 {tables} 桌",
                                "table {table} does not exist: the event has {tables} tables"
                            ),
                        );
                    }
                }
            }
            for (column, p) in [("a_id", m.a.0), ("b_id", m.b.0)] {
                match known.participants.get(&p) {
                    None => fail!(column, unknown(&participant(), p.to_string())),
                    Some(&e) if e != m.event.0 => fail!(column, not_of_event(p, m.event.0)),
                    _ => {}
                }
            }
            if let Some(r) = m.request {
                if !known.requests.contains_key(&r.0) {
                    fail!(
                        "request_id",
                        unknown(&Text::new("洽谈邀约", "meeting request"), r.to_string()),
                    );
                }
            }
        }
        Record::Agreement(a) => {
            require!(
                known.enterprises.contains(&a.buyer.0),
                "buyer_id",
                &enterprise(),
                a.buyer.to_string(),
            );
            require!(
                known.enterprises.contains(&a.supplier.0),
                "supplier_id",
                &enterprise(),
                a.supplier.to_string(),
            );
            if let Some(c) = a.chain {
                require!(
                    known.chains.contains(&c.0),
                    "chain_id",
                    &chain(),
                    c.to_string()
                );
            }
            if let Some(n) = a.node {
                require!(
                    known.nodes.contains(&n.0),
                    "node_id",
                    &node(),
                    n.to_string()
                );
            }
            if let Some(e) = a.event {
                require!(
                    known.events.contains_key(&e.0),
                    "event_id",
                    &event(),
                    e.to_string(),
                );
            }
            if let Some(m) = a.meeting {
                require!(
                    known.meetings.contains_key(&m.0),
                    "meeting_id",
                    &Text::new("洽谈", "meeting"),
                    m.to_string(),
                );
            }
        }
    }
    Ok(problems)
}

fn not_of_event(participant: i64, event: i64) -> Text {
    text!(
        "参会企业 {participant} 不属于对接会 {event}",
        "participant {participant} is not registered for event {event}"
    )
}
