//! Plain tables to spreadsheets: one `.xlsx` workbook with a sheet per table, or one
//! UTF-8 CSV (with a byte order mark, so Excel reads Chinese right) whose first column
//! names the table. For reports and match sheets, not for bundles. CSV cells pass
//! through [`crate::csv_safe`], so no cell reads as a formula.

use rust_xlsxwriter::Workbook;

/// One table: a sheet name, a header row and rows of cells. Cells that parse as numbers
/// are written as numbers in a workbook, amounts with thousands separators (`15,000.0`,
/// as pages show 万元) and shares (`12.5%`) as numbers shown the same way.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A cell that reads as a number: codes with leading zeros stay text.
fn number(cell: &str) -> Option<Number> {
    let leading_zero = cell.starts_with('0') && cell.len() > 1 && !cell.starts_with("0.");
    if let Some(n) = cell
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && !leading_zero)
    {
        return Some(Number::Plain(n));
    }
    if let Some(n) = cell.strip_suffix('%').and_then(|c| c.parse::<f64>().ok()) {
        return n.is_finite().then_some(Number::Percent(n / 100.0));
    }
    grouped(cell).map(Number::Grouped)
}

/// A cell that reads as a number, and how the page wrote it.
#[derive(Debug, PartialEq)]
enum Number {
    Plain(f64),
    /// `1,234.5`
    Grouped(f64),
    /// `12.5%`, kept as 0.125 shown as a percentage.
    Percent(f64),
}

/// `-1,234,567.8`: a number with thousands separators, as pages write 万元.
fn grouped(cell: &str) -> Option<f64> {
    chainatlas_model::ungroup_thousands(cell)?
        .parse::<f64>()
        .ok()
}

/// The tables as an `.xlsx` workbook.
pub fn to_xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, String> {
    let mut book = Workbook::new();
    let separated = rust_xlsxwriter::Format::new().set_num_format("#,##0.0");
    let percent = rust_xlsxwriter::Format::new().set_num_format("0.0%");
    for s in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(&s.name).map_err(|e| e.to_string())?;
        for (c, h) in s.header.iter().enumerate() {
            sheet
                .write_string(0, c as u16, h)
                .map_err(|e| e.to_string())?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                let written = match number(cell) {
                    Some(Number::Plain(n)) => sheet.write_number(r, c, n),
                    Some(Number::Grouped(n)) => sheet.write_number_with_format(r, c, n, &separated),
                    Some(Number::Percent(n)) => sheet.write_number_with_format(r, c, n, &percent),
                    None => sheet.write_string(r, c, cell),
                };
                written.map_err(|e| e.to_string())?;
            }
        }
    }
    book.save_to_buffer().map_err(|e| e.to_string())
}

/// The tables as one CSV: a `table` column first, each table's header row before its rows.
pub fn to_csv(sheets: &[Sheet]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(&mut out);
        for s in sheets {
            let mut header = vec!["table".to_string()];
            header.extend(s.header.iter().cloned());
            w.write_record(crate::csv_safe::row(&header).map(|c| c.into_owned()))
                .expect("writing to memory");
            for row in &s.rows {
                let mut cells = vec![s.name.clone()];
                cells.extend(row.iter().cloned());
                w.write_record(crate::csv_safe::row(&cells).map(|c| c.into_owned()))
                    .expect("writing to memory");
            }
        }
        w.flush().expect("writing to memory");
    }
    out
}

/// Writes `sheets` to `path` (`.xlsx` or CSV by the name), beside it first and renamed,
/// so that a failure never leaves half a file.
pub fn write(path: &std::path::Path, sheets: &[Sheet]) -> std::io::Result<()> {
    let xlsx = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let bytes = if xlsx {
        to_xlsx(sheets).map_err(std::io::Error::other)?
    } else {
        to_csv(sheets)
    };
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    std::fs::write(&partial, bytes)?;
    std::fs::rename(&partial, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_with_thousands_separators_are_numbers() {
        assert_eq!(number("15,000.0"), Some(Number::Grouped(15_000.0)));
        assert_eq!(number("-1,234,567.8"), Some(Number::Grouped(-1_234_567.8)));
        assert_eq!(number("430200"), Some(Number::Plain(430_200.0)));
        assert_eq!(number("12.5%"), Some(Number::Percent(0.125)));
        for text in [
            "0430",
            "1,23",
            "12,345,67",
            ",123",
            "1,234a",
            "株洲, 1,000",
            "—",
            "%",
            "x%",
        ] {
            assert_eq!(number(text), None, "{text}");
        }
    }
}
