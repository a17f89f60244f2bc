//! Tables of values of any shape, read by column header: a long table of locations ×
//! products (`location,product,value`), an input–output table (`row,col,value`), or a
//! wide sheet (row names in the first column, column names in the header). One
//! CSV file or the first sheet of an `.xlsx` workbook, streamed row by row, so that a
//! table of millions of rows costs only what the caller keeps of it. Every bad cell is
//! reported with its file, row and column; the caller keeps nothing when any is.

use std::path::Path;

use chainatlas_model::{text, Text};

use crate::match_list::open_table;
use crate::{column_letter, ImportError, Location, Problem};

/// Problems listed before the rest are only counted.
const MAX_PROBLEMS: usize = 100;

/// The problems of a read: the first [`MAX_PROBLEMS`], and how many more.
#[derive(Default)]
struct Problems {
    list: Vec<Problem>,
    omitted: u64,
}

impl Problems {
    fn report(&mut self, problem: Problem) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(problem);
        } else {
            self.omitted += 1;
        }
    }

    fn result(self, rows: u64) -> Result<u64, ImportError> {
        if self.list.is_empty() {
            Ok(rows)
        } else {
            Err(ImportError::Invalid {
                problems: self.list,
                omitted: self.omitted,
            })
        }
    }
}

/// A column the caller reads, found by its header (case aside).
#[derive(Clone, Debug)]
pub struct Wanted {
    pub name: String,
    /// A number (thousands separators allowed); an empty cell is `None`.
    pub number: bool,
    pub required: bool,
}

impl Wanted {
    pub fn text(name: &str) -> Wanted {
        Wanted {
            name: name.into(),
            number: false,
            required: true,
        }
    }

    pub fn number(name: &str) -> Wanted {
        Wanted {
            name: name.into(),
            number: true,
            required: true,
        }
    }

    pub fn optional(mut self) -> Wanted {
        self.required = false;
        self
    }
}

/// One row: the wanted columns' cells (empty where an optional column is absent) and,
/// for number columns, their values.
pub struct ValueRow<'a> {
    /// The row's number in the file (the header is row 1).
    pub number: u64,
    pub cells: &'a [String],
    pub numbers: &'a [Option<f64>],
}

fn parse_number(cell: &str) -> Option<f64> {
    let plain: String = cell.chars().filter(|c| *c != ',' && *c != '，').collect();
    plain.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Reads `path`, calling `each` for every row; `each` may refuse a row with a message,
/// reported at that row. Returns the number of rows, or every problem found.
pub fn read_values(
    path: &Path,
    wanted: &[Wanted],
    mut each: impl FnMut(ValueRow) -> Result<(), Text>,
) -> Result<u64, ImportError> {
    let mut table = open_table(path)?;
    let label = table.label().to_string();
    let workbook = table.is_workbook();
    let header = table.header().to_vec();
    let mut problems = Vec::new();
    let positions: Vec<Option<usize>> = wanted
        .iter()
        .map(|w| {
            let at = header
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(&w.name));
            if at.is_none() && w.required {
                let (name, found) = (&w.name, header.join(", "));
                problems.push(Problem {
                    location: Location::row(&label, 1),
                    message: text!(
                        "缺少列“{name}”（表头为：{found}）",
                        "missing column '{name}' (the header is: {found})"
                    ),
                });
            }
            at
        })
        .collect();
    if !problems.is_empty() {
        return Err(ImportError::Invalid {
            problems,
            omitted: 0,
        });
    }
    let at = |row: u64, w: usize| Location {
        file: label.clone(),
        row,
        column: Some(wanted[w].name.clone()),
        column_letter: positions[w].filter(|_| workbook).map(column_letter),
    };
    let mut problems = Problems {
        list: problems,
        omitted: 0,
    };
    let mut cells = vec![String::new(); wanted.len()];
    let mut numbers = vec![None; wanted.len()];
    let mut rows = 0;
    while let Some(row) = table.next_row() {
        let row = match row {
            Ok(row) => row,
            Err((line, message)) => {
                problems.report(Problem {
                    location: Location::row(&label, line),
                    message,
                });
                break;
            }
        };
        rows += 1;
        let mut bad = false;
        for (w, position) in positions.iter().enumerate() {
            let cell = position
                .and_then(|p| row.cells.get(p))
                .map_or("", |c| c.trim());
            cells[w].clear();
            cells[w].push_str(cell);
            numbers[w] = None;
            if wanted[w].number && !cell.is_empty() {
                match parse_number(cell) {
                    Some(v) => numbers[w] = Some(v),
                    None => {
                        bad = true;
                        problems.report(Problem {
                            location: at(row.number, w),
                            message: not_a_number(cell),
                        });
                    }
                }
            }
        }
        if bad {
            continue;
        }
        if let Err(message) = each(ValueRow {
            number: row.number,
            cells: &cells,
            numbers: &numbers,
        }) {
            problems.report(Problem {
                location: Location::row(&label, row.number),
                message,
            });
        }
    }
    problems.result(rows)
}

fn not_a_number(cell: &str) -> Text {
    text!("“{cell}”不是数字", "'{cell}' is not a number")
}

/// Reads a wide sheet: the header names the columns (its first cell, a corner label, is
/// ignored), the first cell of each row names the row, and every other cell is a number
/// (empty: `None`). Calls `each(row name, column name, value)` for every cell, in order;
/// `each` may refuse a cell with a message, reported at it. Returns the number of rows,
/// or every problem found.
pub fn read_wide(
    path: &Path,
    mut each: impl FnMut(&str, &str, Option<f64>) -> Result<(), Text>,
) -> Result<u64, ImportError> {
    let mut table = open_table(path)?;
    let label = table.label().to_string();
    let workbook = table.is_workbook();
    let header: Vec<String> = table
        .header()
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut problems = Problems::default();
    if header.len() < 2 {
        problems.report(Problem {
            location: Location::row(&label, 1),
            message: text!(
                "宽表的表头应为：第一格任意，其后为各列名称",
                "a wide sheet's header is a corner cell, then the name of each column"
            ),
        });
        return problems.result(0);
    }
    let mut rows = 0;
    while let Some(row) = table.next_row() {
        let row = match row {
            Ok(row) => row,
            Err((line, message)) => {
                problems.report(Problem {
                    location: Location::row(&label, line),
                    message,
                });
                break;
            }
        };
        rows += 1;
        let name = row.cells.first().map_or("", |c| c.trim());
        if name.is_empty() {
            problems.report(Problem {
                location: Location {
                    file: label.clone(),
                    row: row.number,
                    column: Some(header[0].clone()),
                    column_letter: workbook.then(|| column_letter(0)),
                },
                message: text!("行名称为空", "the row has no name"),
            });
            continue;
        }
        for (c, column) in header.iter().enumerate().skip(1) {
            let cell = row.cells.get(c).map_or("", |c| c.trim());
            let at = || Location {
                file: label.clone(),
                row: row.number,
                column: Some(column.clone()),
                column_letter: workbook.then(|| column_letter(c)),
            };
            let value = if cell.is_empty() {
                None
            } else {
                match parse_number(cell) {
                    Some(v) => Some(v),
                    None => {
                        problems.report(Problem {
                            location: at(),
                            message: not_a_number(cell),
                        });
                        continue;
                    }
                }
            };
            if let Err(message) = each(name, column, value) {
                problems.report(Problem {
                    location: at(),
                    message,
                });
            }
        }
    }
    problems.result(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_cell_and_refused_row_is_reported_where_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(
            &path,
            "Location,product,value\na,x,1\nb,x,abc\nc,y,\"1,234.5\"\nd,y,-1\n",
        )
        .unwrap();
        let mut seen = Vec::new();
        let err = read_values(
            &path,
            &[
                Wanted::text("location"),
                Wanted::text("product"),
                Wanted::number("value"),
            ],
            |row| {
                let v = row.numbers[2].unwrap();
                if v < 0.0 {
                    return Err(text!("负数", "negative"));
                }
                seen.push((row.cells[0].clone(), v));
                Ok(())
            },
        )
        .unwrap_err();
        assert_eq!(seen, [("a".to_string(), 1.0), ("c".to_string(), 1234.5)]);
        let ImportError::Invalid { problems, .. } = err else {
            panic!("{err}")
        };
        let shown: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert!(
            shown[0].contains("line 3") && shown[0].contains("value") && shown[0].contains("abc"),
            "{shown:?}"
        );
        assert!(
            shown[1].contains("line 5") && shown[1].contains("negative"),
            "{shown:?}"
        );
    }

    #[test]
    fn a_missing_column_names_the_header_found() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, "where,what\na,x\n").unwrap();
        let err = read_values(&path, &[Wanted::number("value")], |_| Ok(())).unwrap_err();
        assert!(
            err_text(&err).contains("missing column 'value' (the header is: where, what)"),
            "{}",
            err_text(&err)
        );
    }

    fn err_text(err: &ImportError) -> String {
        match err {
            ImportError::Invalid { problems, .. } => {
                problems.iter().map(|p| p.to_string()).collect()
            }
            e => e.to_string(),
        }
    }
}
