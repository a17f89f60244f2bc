//! Exporting the atlas as a bundle.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chainatlas_model::RecordKind;
use chainatlas_store::{Store, StoreError};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

use crate::columns::{columns, encode, CellType};
use crate::Progress;

/// The most data rows one worksheet holds (Excel's 1,048,576 rows less the header).
const MAX_SHEET_ROWS: u64 = 1_048_575;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportSummary {
    pub exported: Vec<(RecordKind, u64)>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{kind} has {rows} rows, more than the {MAX_SHEET_ROWS} an .xlsx sheet holds: export to a folder of CSV files instead")]
    TooManyRows { kind: RecordKind, rows: u64 },
    #[error("cannot write workbook {path}: {message}")]
    Workbook { path: PathBuf, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Writes the whole atlas to `path`: an `.xlsx` workbook when the name ends so,
/// otherwise a folder of CSV files (created if missing). Files appear only once
/// complete, so a failed export never leaves a half-written bundle in place of a good one.
pub fn export(
    store: &Store,
    path: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<ExportSummary, ExportError> {
    let is_xlsx = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if is_xlsx {
        export_workbook(store, path, progress)
    } else {
        export_folder(store, path, progress)
    }
}

/// A UTF-8 byte order mark: it costs three bytes and makes Excel open Chinese text
/// correctly instead of guessing a legacy code page. The importer skips it.
const BOM: &[u8] = b"\xEF\xBB\xBF";

fn export_folder(
    store: &Store,
    dir: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<ExportSummary, ExportError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ExportError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut summary = ExportSummary::default();
    let mut written = Vec::new();
    let mut records = 0u64;
    for &kind in RecordKind::ALL {
        let final_path = dir.join(format!("{}.csv", kind.as_str()));
        let partial = dir.join(format!(".{}.csv.partial", kind.as_str()));
        let file = File::create(&partial).map_err(io(&partial))?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        out.write_all(BOM).map_err(io(&partial))?;
        let mut csv = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(out);
        let csv_error = |e: csv::Error| ExportError::Io {
            path: partial.clone(),
            source: e.into(),
        };
        csv.write_record(columns(kind).iter().map(|c| c.name))
            .map_err(csv_error)?;
        let mut rows = 0u64;
        store.for_each_record(kind, |record| {
            csv.write_record(crate::csv_safe::row(&encode(&record)).map(|c| c.into_owned()))
                .map_err(csv_error)?;
            rows += 1;
            if rows.is_multiple_of(65_536) {
                progress(Progress {
                    kind,
                    records: records + rows,
                    bytes: None,
                });
            }
            Ok::<_, ExportError>(())
        })?;
        let out = csv.into_inner().map_err(|e| ExportError::Io {
            path: partial.clone(),
            source: e.into_error(),
        })?;
        out.into_inner()
            .map_err(|e| ExportError::Io {
                path: partial.clone(),
                source: e.into_error(),
            })?
            .sync_all()
            .map_err(io(&partial))?;
        records += rows;
        progress(Progress {
            kind,
            records,
            bytes: None,
        });
        written.push((partial, final_path));
        summary.exported.push((kind, rows));
    }
    for (partial, final_path) in written {
        std::fs::rename(&partial, &final_path).map_err(io(&final_path))?;
    }
    Ok(summary)
}

fn export_workbook(
    store: &Store,
    path: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<ExportSummary, ExportError> {
    let counts = store.counts()?;
    for &kind in RecordKind::ALL {
        if counts.get(kind) > MAX_SHEET_ROWS {
            return Err(ExportError::TooManyRows {
                kind,
                rows: counts.get(kind),
            });
        }
    }
    let xlsx_error = |e: rust_xlsxwriter::XlsxError| ExportError::Workbook {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut workbook = Workbook::new();
    // A fixed creation date keeps the file reproducible: the same atlas, the same bytes.
    let epoch = ExcelDateTime::from_ymd(2000, 1, 1).map_err(xlsx_error)?;
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&epoch));
    let bold = Format::new().set_bold();
    let mut summary = ExportSummary::default();
    let mut records = 0u64;
    for &kind in RecordKind::ALL {
        let sheet = workbook.add_worksheet();
        sheet.set_name(kind.as_str()).map_err(xlsx_error)?;
        let cols = columns(kind);
        for (c, col) in cols.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, col.name, &bold)
                .map_err(xlsx_error)?;
        }
        let mut row = 0u32;
        store.for_each_record(kind, |record| {
            row += 1;
            for (c, (text, col)) in encode(&record).iter().zip(cols).enumerate() {
                if text.is_empty() {
                    continue;
                }
                let c = c as u16;
                match col.cell {
                    // Ids, codes and amounts as numbers, so that Excel can sort and sum them.
                    CellType::Integer | CellType::Money => {
                        let number: f64 = text.parse().expect("canonical numbers parse");
                        sheet.write_number(row, c, number).map_err(xlsx_error)?;
                    }
                    CellType::Text => {
                        sheet.write_string(row, c, text).map_err(xlsx_error)?;
                    }
                }
            }
            Ok::<_, ExportError>(())
        })?;
        records += row as u64;
        progress(Progress {
            kind,
            records,
            bytes: None,
        });
        summary.exported.push((kind, row as u64));
    }
    let partial = path.with_extension("xlsx.partial");
    workbook.save(&partial).map_err(xlsx_error)?;
    std::fs::rename(&partial, path).map_err(|source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(summary)
}
