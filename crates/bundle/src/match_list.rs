//! Match lists: the two spreadsheets an organiser brings to a docking event (what buyers
//! need, what suppliers offer), read without importing them. One CSV file or the first
//! sheet of an `.xlsx` workbook; columns `id,title,description` required, `node`,
//! `region`, `quantity`, `unit`, `budget`/`price`, `tags` optional, others ignored.
//! Every bad cell is reported with its file, row and column; a list with any problem is
//! refused as a whole.

use std::collections::HashSet;
use std::path::Path;

use chainatlas_model::{Money, RegionCode};

use crate::columns::{CellType, Column, RowReader};
use crate::source::{CsvTable, SheetTable, Table};
use crate::{column_letter, ImportError, Location, Problem};

/// One row of a match list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListRow {
    pub id: String,
    pub title: String,
    pub description: String,
    /// A chain node code (compared as written, case and spaces aside).
    pub node: Option<String>,
    pub region: Option<RegionCode>,
    pub quantity: Option<u64>,
    pub unit: String,
    /// The `budget` column, or else the `price` column.
    pub price: Option<Money>,
    pub tags: Vec<String>,
}

const fn col(name: &'static str, cell: CellType, required: bool, doc: &'static str) -> Column {
    Column {
        name,
        cell,
        required,
        doc,
    }
}

/// The columns of a match list.
pub static MATCH_LIST_COLUMNS: &[Column] = &[
    col(
        "id",
        CellType::Text,
        true,
        "the row's identifier, unique in the list",
    ),
    col("title", CellType::Text, true, "what is needed or offered"),
    col(
        "description",
        CellType::Text,
        true,
        "details; the cells may be empty",
    ),
    col(
        "node",
        CellType::Text,
        false,
        "chain node code, e.g. nev-battery-cell",
    ),
    col("region", CellType::Integer, false, "6-digit division code"),
    col(
        "quantity",
        CellType::Integer,
        false,
        "whole number of units",
    ),
    col("unit", CellType::Text, false, "unit of the quantity"),
    col("budget", CellType::Money, false, "budget of a demand, yuan"),
    col(
        "price",
        CellType::Money,
        false,
        "asking price of a supply, yuan",
    ),
    col(
        "tags",
        CellType::Text,
        false,
        "qualifications required or held, separated by ;",
    ),
];

pub(crate) fn open_table(path: &Path) -> Result<Box<dyn Table>, ImportError> {
    if !path.exists() {
        return Err(ImportError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        });
    }
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("csv") => Ok(Box::new(CsvTable::open(path)?)),
        Some("xlsx") => {
            use calamine::Reader;
            crate::source::check_workbook_size(path)?;
            let mut workbook: calamine::Xlsx<_> =
                calamine::open_workbook(path).map_err(|e: calamine::XlsxError| {
                    ImportError::Workbook {
                        path: path.to_path_buf(),
                        message: chainatlas_model::Text::same(e.to_string()),
                    }
                })?;
            let name =
                workbook
                    .sheet_names()
                    .first()
                    .cloned()
                    .ok_or_else(|| ImportError::Workbook {
                        path: path.to_path_buf(),
                        message: chainatlas_model::text!(
                            "工作簿中没有工作表",
                            "the workbook has no sheet"
                        ),
                    })?;
            let file = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Ok(Box::new(SheetTable::read(
                &mut workbook,
                path,
                &name,
                format!("{file} sheet {name}"),
            )?))
        }
        _ => Err(ImportError::NotAList(path.to_path_buf())),
    }
}

/// Reads a match list, or reports every problem in it.
pub fn read_match_list(path: &Path) -> Result<Vec<ListRow>, ImportError> {
    let mut table = open_table(path)?;
    let label = table.label().to_string();
    let workbook = table.is_workbook();
    let header = table.header().to_vec();
    let cols = MATCH_LIST_COLUMNS;
    let mut problems = Vec::new();
    let mut positions = Vec::with_capacity(cols.len());
    for c in cols {
        match header.iter().position(|h| h.eq_ignore_ascii_case(c.name)) {
            Some(i) => positions.push(i),
            None if c.required => problems.push(Problem {
                location: Location::row(&label, 1),
                message: {
                    let name = c.name;
                    chainatlas_model::text!(
                        "缺少列“{name}”：匹配清单需要 id、title 和 description（可选：node、region、quantity、unit、budget、price、tags）",
                        "missing column '{name}': a match list needs id, title and description (optional: node, region, quantity, unit, budget, price, tags)"
                    )
                },
            }),
            None => positions.push(usize::MAX),
        }
    }
    if !problems.is_empty() {
        return Err(ImportError::Invalid {
            problems,
            omitted: 0,
        });
    }
    let at = |row: u64, column: usize| Location {
        file: label.clone(),
        row,
        column: Some(cols[column].name.to_string()),
        column_letter: workbook.then(|| column_letter(positions[column])),
    };
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    while let Some(row) = table.next_row() {
        let row = match row {
            Ok(row) => row,
            Err((line, message)) => {
                problems.push(Problem {
                    location: Location::row(&label, line),
                    message,
                });
                break;
            }
        };
        let bad_cells = crate::columns::cell_problems(cols, &positions, &row.cells);
        if !bad_cells.is_empty() {
            problems.extend(bad_cells.into_iter().map(|(column, message)| Problem {
                location: at(row.number, column),
                message,
            }));
            continue;
        }
        let mut r = RowReader {
            cells: &row.cells,
            positions: &positions,
            columns: cols,
            problems: Vec::new(),
        };
        let id = r.required_text("id");
        if let Some(id) = &id {
            if !seen.insert(id.clone()) {
                r.fail(
                    "id",
                    chainatlas_model::text!(
                        "“{id}”在清单中出现了两次",
                        "'{id}' appears twice in this list"
                    ),
                );
            }
        }
        let title = r.required_text("title");
        let description = r.text("description");
        let node = Some(r.text("node")).filter(|n| !n.is_empty());
        let region = r.optional::<RegionCode>("region");
        let quantity = r.optional_integer::<u64>("quantity");
        let unit = r.text("unit");
        let budget = r.optional_money("budget");
        let price = r.optional_money("price");
        let tags = chainatlas_model::split_tags(&r.text("tags"));
        let bad = std::mem::take(&mut r.problems);
        if bad.is_empty() {
            rows.push(ListRow {
                id: id.unwrap_or_default(),
                title: title.unwrap_or_default(),
                description,
                node,
                region: region.flatten(),
                quantity: quantity.flatten(),
                unit,
                price: budget.flatten().or(price.flatten()),
                tags,
            });
        }
        problems.extend(bad.into_iter().map(|(column, message)| Problem {
            location: at(row.number, column),
            message,
        }));
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(ImportError::Invalid {
            problems,
            omitted: 0,
        })
    }
}
