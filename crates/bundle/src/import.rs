//! Importing a bundle: validate every row, write all or nothing.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chainatlas_model::{Record, RecordKind};
use chainatlas_store::{Actor, Change, InsertError, Store, StoreError, Writer};

use crate::columns::{cell_problems, columns, decode, RowReader};
use crate::source::{Source, Table};
use crate::{column_letter, Location, Problem, Progress};

#[derive(Clone, Copy, Debug)]
pub struct ImportOptions {
    /// Replace everything in the database with the bundle (still all or nothing).
    pub replace: bool,
    /// Stop listing problems after this many; the rest are only counted.
    pub max_problems: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            replace: false,
            max_problems: 1000,
        }
    }
}

/// What an import wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Records imported per kind, in dependency order; kinds the bundle lacks are absent.
    pub imported: Vec<(RecordKind, u64)>,
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
    Workbook { path: PathBuf, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Keys seen so far (in the database and earlier in the bundle), to check references
/// and duplicates with a message that names the column. Supply relations and listings
/// are not kept here: the database's own key constraint reports their duplicates, which
/// keeps memory flat for the largest files.
#[derive(Default)]
struct Known {
    regions: HashSet<u32>,
    /// Regions of this bundle: the database's are China's divisions, which a bundle's row
    /// renames, so only a second row of the same code is a duplicate.
    bundle_regions: HashSet<u32>,
    chains: HashSet<i64>,
    nodes: HashSet<i64>,
    enterprises: HashSet<i64>,
}

impl Known {
    fn from_store(store: &Store) -> Result<Known, StoreError> {
        Ok(Known {
            regions: store
                .keys(RecordKind::Region)?
                .into_iter()
                .map(|k| k as u32)
                .collect(),
            bundle_regions: HashSet::new(),
            chains: store.keys(RecordKind::Chain)?.into_iter().collect(),
            nodes: store.keys(RecordKind::ChainNode)?.into_iter().collect(),
            enterprises: store.keys(RecordKind::Enterprise)?.into_iter().collect(),
        })
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
            location: Location {
                file: part,
                row: 1,
                column: None,
                column_letter: None,
            },
            message: format!("is not part of a bundle: expected one of {expected}"),
        });
    }
    let mut known = if options.replace {
        Known::default()
    } else {
        Known::from_store(store)?
    };
    let total_bytes = source.total_bytes();
    let mut writer = store.writer()?;
    if options.replace {
        writer.clear_all()?;
    }
    let mut summary = ImportSummary::default();
    let mut records = 0u64;
    let mut bytes_done = 0u64;
    for &kind in RecordKind::ALL {
        let Some(mut table) = source.table(kind)? else {
            continue;
        };
        let before = records;
        import_table(
            kind,
            table.as_mut(),
            &mut writer,
            &mut known,
            &mut problems,
            &mut |n, bytes| {
                records = before + n;
                progress(Progress {
                    kind,
                    records,
                    bytes: total_bytes.map(|t| (bytes_done + bytes, t)),
                });
            },
        )?;
        bytes_done += table.bytes_read();
        summary.imported.push((kind, records - before));
    }
    for (file, message) in writer.orphaned_references()? {
        problems.push(Problem {
            location: Location {
                file: file.into(),
                row: 1,
                column: None,
                column_letter: None,
            },
            message,
        });
    }
    if !problems.is_empty() {
        return Err(ImportError::Invalid {
            problems: problems.list,
            omitted: problems.omitted,
        });
    }
    let total: u64 = summary.imported.iter().map(|(_, n)| n).sum();
    let change = Change::new("import", "bundle", path.display()).after(format!(
        "{{\"records\":{total},\"replace\":{}}}",
        options.replace
    ));
    writer.commit(actor, &change)?;
    Ok(summary)
}

fn import_table(
    kind: RecordKind,
    table: &mut dyn Table,
    writer: &mut Writer<'_>,
    known: &mut Known,
    problems: &mut Problems,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(), ImportError> {
    let label = table.label().to_string();
    let workbook = table.is_workbook();
    let cols = columns(kind);
    let Some(positions) = header_positions(kind, table.header(), &label, problems) else {
        return Ok(());
    };
    let header_len = table.header().len();
    let at = |row: u64, column: Option<usize>| Location {
        file: label.clone(),
        row,
        column: column.map(|c| cols[c].name.to_string()),
        column_letter: column
            .filter(|&c| workbook && positions[c] != usize::MAX)
            .map(|c| column_letter(positions[c])),
    };
    let mut rows = 0u64;
    let mut pending_parents = Vec::new();
    while let Some(row) = table.next_row() {
        let row = match row {
            Ok(row) => row,
            Err((line, message)) => {
                problems.push(Problem {
                    location: at(line, None),
                    message,
                });
                break;
            }
        };
        rows += 1;
        if rows.is_multiple_of(65_536) {
            progress(rows, table.bytes_read());
        }
        if !workbook && row.cells.len() != header_len {
            problems.push(Problem {
                location: at(row.number, None),
                message: format!(
                    "has {} fields, expected {header_len} as in the header",
                    row.cells.len()
                ),
            });
            continue;
        }
        let bad_cells = cell_problems(cols, &positions, &row.cells);
        if !bad_cells.is_empty() {
            for (column, message) in bad_cells {
                problems.push(Problem {
                    location: at(row.number, Some(column)),
                    message,
                });
            }
            continue;
        }
        let mut reader = RowReader {
            cells: &row.cells,
            positions: &positions,
            columns: cols,
            problems: Vec::new(),
        };
        let key_problem = register_key(kind, &mut reader, known);
        let record = decode(kind, &mut reader);
        let mut row_problems = reader.problems;
        row_problems.extend(key_problem);
        if let Some(record) = &record {
            row_problems.extend(check_references(
                record,
                known,
                &mut pending_parents,
                row.number,
            ));
        }
        if !row_problems.is_empty() {
            for (column, message) in row_problems {
                problems.push(Problem {
                    location: at(row.number, Some(column)),
                    message,
                });
            }
            continue;
        }
        let record = record.expect("decoded when there are no problems");
        match writer.insert(&record) {
            Ok(()) => {}
            Err(InsertError::Duplicate { columns: dup }) => {
                let column = cols.iter().position(|c| dup.starts_with(c.name));
                problems.push(Problem {
                    location: at(row.number, column),
                    message: format!(
                        "duplicate {dup}: an earlier row or the database already has this value"
                    ),
                });
            }
            Err(InsertError::Rejected(message)) => {
                problems.push(Problem {
                    location: at(row.number, None),
                    message: format!("rejected: {message}"),
                });
            }
            Err(InsertError::Store(e)) => return Err(e.into()),
        }
    }
    // Regions may list a child before its parent; parents are checked once all are known.
    for (row, parent) in pending_parents {
        if !known.regions.contains(&parent) {
            let column = cols.iter().position(|c| c.name == "parent_code");
            problems.push(Problem {
                location: at(row, column),
                message: format!("unknown region {parent:06}: not in this bundle or the database"),
            });
        }
    }
    progress(rows, table.bytes_read());
    Ok(())
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
    let expected = || cols.iter().map(|c| c.name).collect::<Vec<_>>().join(",");
    let mut ok = true;
    let mut report = |column: Option<usize>, message: String| {
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
                format!("unexpected column '{name}': the columns are {}", expected()),
            );
        } else if header[..i].contains(name) {
            report(Some(i), format!("column '{name}' appears twice"));
        }
    }
    let mut positions = Vec::with_capacity(cols.len());
    for col in cols {
        match header.iter().position(|h| h == col.name) {
            Some(i) => positions.push(i),
            None if col.required => {
                report(
                    None,
                    format!(
                        "missing column '{}': the columns are {}",
                        col.name,
                        expected()
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
/// when the key was seen before.
fn register_key(
    kind: RecordKind,
    reader: &mut RowReader<'_>,
    known: &mut Known,
) -> Option<(usize, String)> {
    let (column, fresh) = match kind {
        RecordKind::Region => {
            let code: u32 = reader.cells.get(reader.positions[0])?.trim().parse().ok()?;
            known.regions.insert(code);
            (0, known.bundle_regions.insert(code))
        }
        RecordKind::Chain | RecordKind::ChainNode | RecordKind::Enterprise => {
            let id: i64 = reader.cells.get(reader.positions[0])?.trim().parse().ok()?;
            let set = match kind {
                RecordKind::Chain => &mut known.chains,
                RecordKind::ChainNode => &mut known.nodes,
                _ => &mut known.enterprises,
            };
            (0, set.insert(id))
        }
        _ => return None,
    };
    (!fresh).then(|| {
        let name = reader.columns[column].name;
        (
            column,
            format!("duplicate {name}: an earlier row or the database already has this value"),
        )
    })
}

/// Checks that every id a record refers to exists. Returns (column index, message).
fn check_references(
    record: &Record,
    known: &Known,
    pending_parents: &mut Vec<(u64, u32)>,
    row: u64,
) -> Vec<(usize, String)> {
    let mut problems = Vec::new();
    let cols = columns(record.kind());
    let index = |name: &str| {
        cols.iter()
            .position(|c| c.name == name)
            .expect("known column")
    };
    let mut require = |ok: bool, column: &str, what: &str, value: String| {
        if !ok {
            problems.push((
                index(column),
                format!("unknown {what} {value}: not in this bundle or the database"),
            ));
        }
    };
    match record {
        Record::Region(r) => {
            if let Some(parent) = r.parent {
                pending_parents.push((row, parent.value()));
            }
        }
        Record::Chain(_) => {}
        Record::ChainNode(n) => require(
            known.chains.contains(&n.chain.0),
            "chain_id",
            "chain",
            n.chain.to_string(),
        ),
        Record::NodeInput(i) => {
            require(
                known.nodes.contains(&i.input.0),
                "input_node_id",
                "node",
                i.input.to_string(),
            );
            require(
                known.nodes.contains(&i.output.0),
                "output_node_id",
                "node",
                i.output.to_string(),
            );
        }
        Record::Enterprise(e) => require(
            known.regions.contains(&e.region.value()),
            "region_code",
            "region",
            e.region.to_string(),
        ),
        Record::EnterpriseNode(en) => {
            require(
                known.enterprises.contains(&en.enterprise.0),
                "enterprise_id",
                "enterprise",
                en.enterprise.to_string(),
            );
            require(
                known.nodes.contains(&en.node.0),
                "node_id",
                "node",
                en.node.to_string(),
            );
        }
        Record::SupplyRelation(s) => {
            require(
                known.enterprises.contains(&s.supplier.0),
                "supplier_id",
                "enterprise",
                s.supplier.to_string(),
            );
            require(
                known.enterprises.contains(&s.buyer.0),
                "buyer_id",
                "enterprise",
                s.buyer.to_string(),
            );
            require(
                known.nodes.contains(&s.node.0),
                "node_id",
                "node",
                s.node.to_string(),
            );
        }
        Record::Listing(l) => {
            require(
                known.enterprises.contains(&l.enterprise.0),
                "enterprise_id",
                "enterprise",
                l.enterprise.to_string(),
            );
            if let Some(node) = l.node {
                require(
                    known.nodes.contains(&node.0),
                    "node_id",
                    "node",
                    node.to_string(),
                );
            }
            require(
                known.regions.contains(&l.region.value()),
                "region_code",
                "region",
                l.region.to_string(),
            );
        }
    }
    problems
}
