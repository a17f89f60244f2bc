//! Where bundle rows come from: a folder of CSV files or the sheets of a workbook. Both
//! yield rows of text cells, so that validation is one code path.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx};
use chainatlas_model::{Date, RecordKind};

use crate::ImportError;

/// One row of text cells and its 1-based line or row number.
pub(crate) struct Row {
    pub number: u64,
    pub cells: Vec<String>,
}

/// The rows of one entity.
pub(crate) trait Table {
    /// How to name this table in a message: `enterprises.csv` or `sheet enterprises`.
    fn label(&self) -> &str;
    fn is_workbook(&self) -> bool;
    fn header(&self) -> &[String];
    /// The next data row; `Err` is a message about the row that could not be read.
    fn next_row(&mut self) -> Option<Result<Row, (u64, String)>>;
    /// Bytes consumed so far, for progress.
    fn bytes_read(&self) -> u64;
}

/// A bundle on disk.
pub(crate) enum Source {
    Folder(PathBuf),
    Workbook {
        path: PathBuf,
        workbook: Box<Xlsx<BufReader<File>>>,
    },
}

impl Source {
    pub fn open(path: &Path) -> Result<Source, ImportError> {
        let io = |source| ImportError::Io {
            path: path.to_path_buf(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        if meta.is_dir() {
            return Ok(Source::Folder(path.to_path_buf()));
        }
        let is_xlsx = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
        if !is_xlsx {
            return Err(ImportError::NotABundle(path.to_path_buf()));
        }
        let workbook: Xlsx<_> =
            calamine::open_workbook(path).map_err(|e: calamine::XlsxError| {
                ImportError::Workbook {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                }
            })?;
        Ok(Source::Workbook {
            path: path.to_path_buf(),
            workbook: Box::new(workbook),
        })
    }

    /// Names in the bundle that are not an entity: reported, since a misspelt file name
    /// would otherwise be silently skipped.
    pub fn unknown_parts(&self) -> Result<Vec<String>, ImportError> {
        let known = |name: &str| RecordKind::ALL.iter().any(|k| k.as_str() == name);
        match self {
            Source::Folder(dir) => {
                let entries = std::fs::read_dir(dir).map_err(|source| ImportError::Io {
                    path: dir.clone(),
                    source,
                })?;
                let mut unknown = Vec::new();
                for entry in entries {
                    let entry = entry.map_err(|source| ImportError::Io {
                        path: dir.clone(),
                        source,
                    })?;
                    let name = entry.file_name().to_string_lossy().into_owned();
                    if let Some(stem) = name.strip_suffix(".csv") {
                        if !known(stem) {
                            unknown.push(name);
                        }
                    }
                }
                unknown.sort();
                Ok(unknown)
            }
            Source::Workbook { workbook, .. } => Ok(workbook
                .sheet_names()
                .into_iter()
                .filter(|s| !known(s))
                .map(|s| format!("sheet {s}"))
                .collect()),
        }
    }

    /// Total size in bytes of the CSV files, for a progress bar; `None` for workbooks.
    pub fn total_bytes(&self) -> Option<u64> {
        match self {
            Source::Folder(dir) => Some(
                RecordKind::ALL
                    .iter()
                    .filter_map(|k| std::fs::metadata(dir.join(format!("{}.csv", k.as_str()))).ok())
                    .map(|m| m.len())
                    .sum(),
            ),
            Source::Workbook { .. } => None,
        }
    }

    /// The table of one entity, or `None` when the bundle does not have it.
    pub fn table(&mut self, kind: RecordKind) -> Result<Option<Box<dyn Table>>, ImportError> {
        match self {
            Source::Folder(dir) => {
                let path = dir.join(format!("{}.csv", kind.as_str()));
                if !path.exists() {
                    return Ok(None);
                }
                Ok(Some(Box::new(CsvTable::open(&path)?)))
            }
            Source::Workbook { path, workbook } => {
                if !workbook.sheet_names().iter().any(|s| s == kind.as_str()) {
                    return Ok(None);
                }
                let range =
                    workbook
                        .worksheet_range(kind.as_str())
                        .map_err(|e| ImportError::Workbook {
                            path: path.clone(),
                            message: e.to_string(),
                        })?;
                Ok(Some(Box::new(SheetTable::new(
                    format!("sheet {}", kind.as_str()),
                    range,
                ))))
            }
        }
    }
}

pub(crate) struct CsvTable {
    label: String,
    reader: csv::Reader<BufReader<File>>,
    header: Vec<String>,
    record: csv::StringRecord,
}

impl CsvTable {
    pub(crate) fn open(path: &Path) -> Result<CsvTable, ImportError> {
        let label = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let file = File::open(path).map_err(|source| ImportError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(BufReader::with_capacity(1 << 20, file));
        let header = match reader.headers() {
            Ok(h) => h
                .iter()
                .map(|s| s.trim_start_matches('\u{feff}').trim().to_string())
                .collect(),
            Err(e) => {
                return Err(ImportError::Invalid {
                    problems: vec![crate::Problem {
                        location: crate::Location {
                            file: label,
                            row: 1,
                            column: None,
                            column_letter: None,
                        },
                        message: csv_message(&e),
                    }],
                    omitted: 0,
                })
            }
        };
        Ok(CsvTable {
            label,
            reader,
            header,
            record: csv::StringRecord::new(),
        })
    }
}

fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => {
            "is not UTF-8 text: save the file as \"CSV UTF-8\" (in Excel: Save As → CSV UTF-8)"
                .to_string()
        }
        _ => format!("cannot be read as CSV: {e}"),
    }
}

impl Table for CsvTable {
    fn label(&self) -> &str {
        &self.label
    }

    fn is_workbook(&self) -> bool {
        false
    }

    fn header(&self) -> &[String] {
        &self.header
    }

    fn next_row(&mut self) -> Option<Result<Row, (u64, String)>> {
        match self.reader.read_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => {
                let number = self.record.position().map_or(0, |p| p.line());
                Some(Ok(Row {
                    number,
                    cells: self
                        .record
                        .iter()
                        .map(|c| crate::csv_safe::unescape(c).to_string())
                        .collect(),
                }))
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                let message = csv_message(&e);
                // A broken record cannot be resynchronised reliably; stop reading this file.
                self.record.clear();
                Some(Err((line, message)))
            }
        }
    }

    fn bytes_read(&self) -> u64 {
        self.reader.position().byte()
    }
}

pub(crate) struct SheetTable {
    label: String,
    header: Vec<String>,
    rows: std::vec::IntoIter<Row>,
}

impl SheetTable {
    pub(crate) fn new(label: String, range: calamine::Range<Data>) -> SheetTable {
        let first_row = range.start().map_or(0, |(row, _)| row as u64);
        let first_col = range.start().map_or(0, |(_, col)| col as usize);
        let mut rows = range.rows().enumerate().map(|(i, cells)| Row {
            number: first_row + i as u64 + 1,
            // Cells left of the used range are empty; keep column letters true.
            cells: std::iter::repeat_n(String::new(), first_col)
                .chain(cells.iter().map(cell_text))
                .collect(),
        });
        let header = rows
            .next()
            .map(|r| r.cells.into_iter().map(|c| c.trim().to_string()).collect())
            .unwrap_or_default();
        let rows: Vec<Row> = rows
            .filter(|r| r.cells.iter().any(|c| !c.is_empty()))
            .collect();
        SheetTable {
            label,
            header,
            rows: rows.into_iter(),
        }
    }
}

/// A workbook cell as the text a CSV file would hold. Excel keeps every number as a
/// float; whole numbers print without a fraction, others with the shortest exact
/// decimal, which the money parser then checks for at most two decimals.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => format!("{f}"),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => {
            // Excel's serial day 25569 is 1970-01-01.
            let days = d.as_f64().floor() as i64 - 25_569;
            Date::from_days_since_epoch(days).to_string()
        }
        Data::Error(e) => format!("#ERROR {e:?}"),
    }
}

impl Table for SheetTable {
    fn label(&self) -> &str {
        &self.label
    }

    fn is_workbook(&self) -> bool {
        true
    }

    fn header(&self) -> &[String] {
        &self.header
    }

    fn next_row(&mut self) -> Option<Result<Row, (u64, String)>> {
        self.rows.next().map(Ok)
    }

    fn bytes_read(&self) -> u64 {
        0
    }
}
