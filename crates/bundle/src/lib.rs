//! Bundles: the atlas as one UTF-8 CSV file per entity, or one `.xlsx` workbook with one
//! sheet per entity (format in `docs/data-format.md`).
//!
//! Import validates every row, reports every problem with its file, row and column, and
//! writes nothing unless the whole bundle is valid. It streams: memory grows with the
//! number of keyed records (regions, chains, nodes, enterprises), not with the number of
//! supply relations or listings. Export writes records in key order and canonical form,
//! so export → import → export reproduces the same bytes.

mod columns;
pub mod csv_safe;
pub mod edit;
mod enterprise_list;
mod export;
mod import;
mod match_list;
pub mod sheet;
mod source;
mod template;
pub mod upload;
mod value_table;

use std::fmt;

pub use columns::{columns, CellType, Column};
pub use enterprise_list::{
    enterprise_list_of, guess_mapping, read_enterprise_list, read_list_rows, EnterpriseList, Ids,
    ListColumn, ListRows, ListSource, ENTERPRISE_LIST_COLUMNS, MAX_LIST_ROWS,
};
pub use export::{export, ExportError, ExportSummary};
pub use import::{
    import, preview, ChangedRow, FieldChange, ImportError, ImportOptions, ImportSummary,
    KindChanges, Preview,
};
pub use match_list::{read_match_list, ListRow, MATCH_LIST_COLUMNS};
pub use source::limits;
pub use template::{doc_zh, template, vocabulary};
pub use value_table::{read_values, read_wide, ValueRow, Wanted};

/// The sheet of a workbook that explains the others (the template's); import skips it.
pub const README_SHEET: &str = "说明";

/// Work done so far, for progress bars.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    pub kind: chainatlas_model::RecordKind,
    /// Records read (import) or written (export) so far, over all kinds.
    pub records: u64,
    /// Bytes read so far and in all, when the size is known (CSV import).
    pub bytes: Option<(u64, u64)>,
}

/// Where in a bundle something is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// `enterprises.csv`, or `sheet enterprises` in a workbook.
    pub file: String,
    /// 1-based line (CSV) or row (sheet) number; the header is row 1.
    pub row: u64,
    pub column: Option<String>,
    /// Spreadsheet column letter, when reading a workbook.
    pub column_letter: Option<String>,
}

impl Location {
    /// A whole row (or, at row 1, the header) of `file`.
    pub fn row(file: &str, row: u64) -> Location {
        Location {
            file: file.to_string(),
            row,
            column: None,
            column_letter: None,
        }
    }
}

/// One thing wrong with a bundle, in the user's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub location: Location,
    pub message: chainatlas_model::Text,
}

impl Location {
    /// Where, in both languages: `sheet enterprises row 3, column D (credit_code)` and
    /// `工作表 enterprises 第 3 行，D 列（credit_code）`.
    pub fn text(&self) -> chainatlas_model::Text {
        let file = match self.file.strip_prefix("sheet ") {
            Some(sheet) => format!("工作表 {sheet}"),
            None => format!("文件 {}", self.file),
        };
        let row = self.row;
        let column = match (&self.column, &self.column_letter) {
            (Some(name), Some(letter)) => format!("，{letter} 列（{name}）"),
            (Some(name), None) => format!("，{name} 列"),
            (None, Some(letter)) => format!("，{letter} 列"),
            _ => String::new(),
        };
        chainatlas_model::Text::new(format!("{file} 第 {row} 行{column}"), self.to_string())
    }
}

impl Problem {
    /// Where and what, in both languages.
    pub fn text(&self) -> chainatlas_model::Text {
        self.message.after(&self.location.text())
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let row_word = if self.file.starts_with("sheet ") {
            "row"
        } else {
            "line"
        };
        write!(f, "{} {row_word} {}", self.file, self.row)?;
        match (&self.column, &self.column_letter) {
            (Some(name), Some(letter)) => write!(f, ", column {letter} ({name})"),
            (Some(name), None) => write!(f, ", column {name}"),
            (None, Some(letter)) => write!(f, ", column {letter}"),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// The spreadsheet letter of a 0-based column index: 0 → A, 26 → AA.
pub(crate) fn column_letter(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ascii")
}

#[cfg(test)]
mod tests {
    #[test]
    fn column_letters() {
        assert_eq!(super::column_letter(0), "A");
        assert_eq!(super::column_letter(25), "Z");
        assert_eq!(super::column_letter(26), "AA");
        assert_eq!(super::column_letter(701), "ZZ");
        assert_eq!(super::column_letter(702), "AAA");
    }
}

#[cfg(test)]
mod format_doc {
    use chainatlas_model::RecordKind;

    /// `docs/data-format.md` documents every file and column the code reads and writes.
    #[test]
    fn the_format_document_lists_every_column() {
        let doc = include_str!("../../../docs/data-format.md");
        for &kind in RecordKind::ALL {
            let heading = format!("### `{}.csv`", kind.as_str());
            let section = doc
                .split(&heading)
                .nth(1)
                .unwrap_or_else(|| panic!("no section {heading}"));
            let section = section.split("\n### ").next().unwrap();
            for column in crate::columns(kind) {
                let required = if column.required { "yes" } else { "no" };
                let row = format!("| `{}` | {} | {} |", column.name, required, column.doc);
                assert!(section.contains(&row), "{heading} lacks the row: {row}");
            }
        }
        let section = doc
            .split("## Match lists")
            .nth(1)
            .expect("a section on match lists");
        for column in crate::MATCH_LIST_COLUMNS {
            let required = if column.required { "yes" } else { "no" };
            let row = format!("| `{}` | {} | {} |", column.name, required, column.doc);
            assert!(section.contains(&row), "match lists lack the row: {row}");
        }
    }
}
