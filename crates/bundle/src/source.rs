//! Where bundle rows come from: a folder of CSV files or the sheets of a workbook. Both
//! yield rows of text cells, so that validation is one code path.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx};
use chainatlas_model::{text, Text};
use chainatlas_model::{Date, RecordKind};

use crate::ImportError;

/// One row of text cells and its 1-based line or row number.
pub(crate) struct Row {
    pub number: u64,
    pub cells: Vec<String>,
}

/// The rows of one entity.
pub(crate) trait Table: Send {
    /// How to name this table in a message: `enterprises.csv` or `sheet enterprises`.
    fn label(&self) -> &str;
    fn is_workbook(&self) -> bool;
    fn header(&self) -> &[String];
    /// The next data row; `Err` is a message about the row that could not be read.
    fn next_row(&mut self) -> Option<Result<Row, (u64, Text)>>;
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
        check_workbook_size(path)?;
        let workbook: Xlsx<_> =
            calamine::open_workbook(path).map_err(|e: calamine::XlsxError| {
                ImportError::Workbook {
                    path: path.to_path_buf(),
                    message: Text::same(e.to_string()),
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
                .filter(|s| !known(s) && s != crate::README_SHEET)
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

    /// Whether the bundle has a file or sheet for `kind`.
    pub fn has(&self, kind: RecordKind) -> bool {
        match self {
            Source::Folder(dir) => dir.join(format!("{}.csv", kind.as_str())).exists(),
            Source::Workbook { workbook, .. } => {
                workbook.sheet_names().iter().any(|s| s == kind.as_str())
            }
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
                let table = SheetTable::read(
                    workbook,
                    path,
                    kind.as_str(),
                    format!("sheet {}", kind.as_str()),
                )?;
                Ok(Some(Box::new(table)))
            }
        }
    }
}

pub(crate) struct CsvTable {
    label: String,
    reader: csv::Reader<RecordLimit<BufReader<File>>>,
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
            .from_reader(RecordLimit::new(BufReader::with_capacity(1 << 20, file)));
        let header = match reader.headers() {
            Ok(h) => h
                .iter()
                .map(|s| s.trim_start_matches('\u{feff}').trim().to_string())
                .collect(),
            Err(e) => {
                return Err(ImportError::Invalid {
                    problems: vec![crate::Problem {
                        location: crate::Location::row(&label, 1),
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

fn csv_message(e: &csv::Error) -> Text {
    match e.kind() {
        csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::FileTooLarge => {
            let kib = limits::MAX_RECORD_BYTES >> 10;
            text!(
                "有一条记录超过 {kib} KiB，超出上限（是否缺少换行或右引号？）",
                "a record is longer than {kib} KiB, the most one may be (is a line break or a closing quote missing?)"
            )
        }
        csv::ErrorKind::Utf8 { .. } => text!(
            "不是 UTF-8 文本：请另存为“CSV UTF-8”（Excel 中：另存为 → CSV UTF-8）",
            "is not UTF-8 text: save the file as \"CSV UTF-8\" (in Excel: Save As → CSV UTF-8)"
        ),
        _ => text!("无法按 CSV 读取：{e}", "cannot be read as CSV: {e}"),
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

    fn next_row(&mut self) -> Option<Result<Row, (u64, Text)>> {
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
                let line = e
                    .position()
                    .map_or_else(|| self.reader.get_ref().line(), |p| p.line());
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
    /// Reads sheet `name` cell by cell, keeping its non-empty rows, within the limits:
    /// [`limits::MAX_SHEET_COLUMNS`] columns, [`limits::MAX_SHEET_ROWS`] rows and
    /// [`limits::MAX_SHEET_TEXT_BYTES`] of text. The sheet's declared size is not read: a
    /// one-cell sheet that says it spans `A1:XFD1048576` costs one cell.
    pub(crate) fn read<RS: std::io::Read + std::io::Seek>(
        workbook: &mut Xlsx<RS>,
        path: &Path,
        name: &str,
        label: String,
    ) -> Result<SheetTable, ImportError> {
        let failed = |e: calamine::XlsxError| ImportError::Workbook {
            path: path.to_path_buf(),
            message: Text::same(e.to_string()),
        };
        let over = |row: u32, col: Option<u32>, message: Text| ImportError::Invalid {
            problems: vec![crate::Problem {
                location: crate::Location {
                    file: label.clone(),
                    row: u64::from(row) + 1,
                    column: None,
                    column_letter: col.map(|c| crate::column_letter(c as usize)),
                },
                message,
            }],
            omitted: 0,
        };
        let mut cells = workbook.worksheet_cells_reader(name).map_err(failed)?;
        let mut rows: Vec<Row> = Vec::new();
        let mut current: Option<Row> = None;
        let mut text_bytes = 0usize;
        while let Some(cell) = cells.next_cell().map_err(failed)? {
            let (r, c) = cell.get_position();
            if c as usize >= limits::MAX_SHEET_COLUMNS {
                if matches!(cell.get_value(), calamine::DataRef::Empty) {
                    continue;
                }
                let last = crate::column_letter(limits::MAX_SHEET_COLUMNS - 1);
                return Err(over(r, Some(c), text!(
                    "超出了数据表可用的最后一列（{last}）：请删除表格右侧的内容",
                    "has a value beyond the last column a bundle sheet may use ({last}); delete what is right of the table"
                )));
            }
            if r as usize >= limits::MAX_SHEET_ROWS {
                let max = limits::MAX_SHEET_ROWS;
                return Err(over(
                    r,
                    None,
                    text!(
                        "超出第 {max} 行，即一张工作表的上限：请拆分数据或改用 CSV 文件",
                        "is beyond row {max}, the most a sheet may hold; split the data or use CSV files"
                    ),
                ));
            }
            let text = cell_text(&Data::from(cell.get_value().clone()));
            if text.is_empty() {
                continue;
            }
            text_bytes += text.len();
            if text_bytes > limits::MAX_SHEET_TEXT_BYTES {
                let mib = limits::MAX_SHEET_TEXT_BYTES >> 20;
                return Err(over(r, Some(c), text!(
                    "该工作表的文字超过 {mib} MiB，即一张工作表的上限：请改用 CSV 文件",
                    "the sheet holds more than {mib} MiB of text, the most one sheet may; use CSV files"
                )));
            }
            let number = u64::from(r) + 1;
            if current.as_ref().is_some_and(|row| row.number != number) {
                rows.extend(current.take());
            }
            let row = current.get_or_insert_with(|| Row {
                number,
                cells: Vec::new(),
            });
            if row.cells.len() <= c as usize {
                row.cells.resize(c as usize + 1, String::new());
            }
            row.cells[c as usize] = text;
        }
        rows.extend(current);
        rows.sort_by_key(|r| r.number);
        let mut rows = rows.into_iter();
        let header = rows
            .next()
            .map(|r| r.cells.into_iter().map(|c| c.trim().to_string()).collect())
            .unwrap_or_default();
        Ok(SheetTable {
            label,
            header,
            rows: rows.collect::<Vec<_>>().into_iter(),
        })
    }
}

/// The limits of what a bundle or a list may hold. Each is checked while reading, so
/// memory stays bounded whatever the file says about itself.
pub mod limits {
    /// Bytes of one CSV record (a line, or several lines inside quotes).
    pub const MAX_RECORD_BYTES: usize = 1 << 20;
    /// Columns of a workbook sheet (A to BL); the widest bundle sheet has 14.
    pub const MAX_SHEET_COLUMNS: usize = 64;
    /// Rows of a workbook sheet: Excel's own limit.
    pub const MAX_SHEET_ROWS: usize = 1_048_576;
    /// Text of one workbook sheet kept in memory while it is validated.
    pub const MAX_SHEET_TEXT_BYTES: usize = 512 << 20;
    /// Uncompressed size of all parts of a workbook, as its zip directory declares.
    pub const MAX_WORKBOOK_BYTES: u64 = 2 << 30;
    /// Uncompressed size of a workbook's shared strings, which are read whole.
    pub const MAX_SHARED_STRINGS_BYTES: u64 = 256 << 20;
}

/// Refuses a workbook whose parts would unpack to more than the limits allow (a zip
/// bomb), before anything is unpacked.
pub(crate) fn check_workbook_size(path: &Path) -> Result<(), ImportError> {
    let refuse = |message: Text| ImportError::Workbook {
        path: path.to_path_buf(),
        message,
    };
    let file = File::open(path).map_err(|source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut zip = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| {
        refuse(text!(
            "不是 .xlsx 工作簿（zip 压缩包）：{e}",
            "is not an .xlsx workbook (a zip archive): {e}"
        ))
    })?;
    let mut total = 0u64;
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(|e| {
            refuse(text!(
                "第 {i} 部分无法读取：{e}",
                "part {i} cannot be read: {e}"
            ))
        })?;
        total = total.saturating_add(part.size());
        let shared_strings = part.name().is_ok_and(|n| n.ends_with("sharedStrings.xml"));
        if shared_strings && part.size() > limits::MAX_SHARED_STRINGS_BYTES {
            let (size, max) = (part.size() >> 20, limits::MAX_SHARED_STRINGS_BYTES >> 20);
            return Err(refuse(text!(
                "共享字符串解压后为 {size} MiB，超过上限 {max} MiB：请另存为 CSV 文件",
                "its shared strings unpack to {size} MiB, more than the {max} MiB allowed; save it as CSV files"
            )));
        }
    }
    if total > limits::MAX_WORKBOOK_BYTES {
        let (size, max) = (total >> 20, limits::MAX_WORKBOOK_BYTES >> 20);
        return Err(refuse(text!(
            "解压后为 {size} MiB，超过上限 {max} MiB：请另存为 CSV 文件",
            "it unpacks to {size} MiB, more than the {max} MiB allowed; save it as CSV files"
        )));
    }
    Ok(())
}

/// Counts the bytes of each CSV record as they are read (a quote opens and closes a
/// field; a newline outside quotes ends the record) and fails the read of a record over
/// [`limits::MAX_RECORD_BYTES`], so that a file without line breaks cannot fill memory.
pub(crate) struct RecordLimit<R> {
    inner: R,
    in_quotes: bool,
    record_bytes: usize,
    /// 1-based line being read.
    line: u64,
}

impl<R> RecordLimit<R> {
    fn new(inner: R) -> Self {
        RecordLimit {
            inner,
            in_quotes: false,
            record_bytes: 0,
            line: 1,
        }
    }

    fn line(&self) -> u64 {
        self.line
    }
}

impl<R: std::io::Read> std::io::Read for RecordLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            match b {
                b'"' => self.in_quotes = !self.in_quotes,
                b'\n' => {
                    self.line += 1;
                    if !self.in_quotes {
                        self.record_bytes = 0;
                        continue;
                    }
                }
                _ => {}
            }
            self.record_bytes += 1;
            if self.record_bytes > limits::MAX_RECORD_BYTES {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::FileTooLarge,
                    format!(
                        "a record is longer than {} KiB, the most one may be (is a line break or a closing quote missing?)",
                        limits::MAX_RECORD_BYTES >> 10
                    ),
                ));
            }
        }
        Ok(n)
    }
}

/// How a workbook's error cell (`#REF!`, `#DIV/0!`) reaches validation: this mark and
/// the error. A NUL cannot come from a CSV cell that validation accepts, so the mark is
/// unambiguous.
pub(crate) const EXCEL_ERROR: char = '\u{0}';

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
        // Refused by validation (see `EXCEL_ERROR`), never imported as text.
        Data::Error(e) => format!("{EXCEL_ERROR}{e}"),
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

    fn next_row(&mut self) -> Option<Result<Row, (u64, Text)>> {
        self.rows.next().map(Ok)
    }

    fn bytes_read(&self) -> u64 {
        0
    }
}
