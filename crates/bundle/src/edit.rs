//! One record at a time, as a form writes it: the cells of a bundle row, read by the same
//! parsers with the same limits and the same reference checks as an import, so that a
//! record a form accepts is one an import would accept, and the other way round.

use chainatlas_model::{text, Record, RecordKind, Text};
use chainatlas_store::{StoreError, Writer};

use crate::columns::{cell_problems, columns, decode, encode, RowReader};

/// The kinds of record a form creates, changes and deletes one at a time.
pub const EDITABLE: &[RecordKind] = &[
    RecordKind::Chain,
    RecordKind::ChainNode,
    RecordKind::NodeInput,
    RecordKind::Enterprise,
    RecordKind::EnterpriseNode,
    RecordKind::SupplyRelation,
];

/// Whether the database gives a new record of this kind its id (its form has no id
/// field); the other editable kinds are keyed by the pair of records they join.
pub fn assigns_id(kind: RecordKind) -> bool {
    matches!(
        kind,
        RecordKind::Chain
            | RecordKind::ChainNode
            | RecordKind::Enterprise
            | RecordKind::SupplyRelation
    )
}

/// What is wrong with one field of a form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldProblem {
    /// The column, as the bundle names it (`credit_code`).
    pub column: &'static str,
    pub message: Text,
}

/// Reads a form's fields (`value(column)` is what the user typed, trimmed or not) into a
/// record of `kind`, as an import reads a row. An id the database assigns may be empty: the
/// record then carries id 0, which [`Writer::create`] does not read.
pub fn decode_fields(
    kind: RecordKind,
    mut value: impl FnMut(&str) -> String,
) -> Result<Record, Vec<FieldProblem>> {
    let cols = columns(kind);
    let mut cells: Vec<String> = cols.iter().map(|c| value(c.name)).collect();
    if assigns_id(kind) && cols[0].name == "id" && cells[0].trim().is_empty() {
        cells[0] = "0".into();
    }
    let positions: Vec<usize> = (0..cols.len()).collect();
    let located = |found: Vec<(usize, Text)>| {
        found
            .into_iter()
            .map(|(i, message)| FieldProblem {
                column: cols[i].name,
                message,
            })
            .collect::<Vec<_>>()
    };
    let bad = cell_problems(cols, &positions, &cells);
    if !bad.is_empty() {
        return Err(located(bad));
    }
    let mut reader = RowReader {
        cells: &cells,
        positions: &positions,
        columns: cols,
        problems: Vec::new(),
    };
    match decode(kind, &mut reader) {
        Some(record) if reader.problems.is_empty() => Ok(record),
        _ => Err(located(reader.problems)),
    }
}

/// A record as (column, cell) pairs, the cells an export writes: what a form shows and
/// what the audit log keeps.
pub fn fields(record: &Record) -> Vec<(&'static str, String)> {
    columns(record.kind())
        .iter()
        .map(|c| c.name)
        .zip(encode(record))
        .collect()
}

/// The records `record` refers to that the transaction does not see, each on its column.
pub fn missing_references(
    writer: &Writer<'_>,
    record: &Record,
) -> Result<Vec<FieldProblem>, StoreError> {
    use RecordKind as K;
    let refs: Vec<(&'static str, RecordKind, i64)> = match record {
        Record::ChainNode(n) => vec![("chain_id", K::Chain, n.chain.0)],
        Record::NodeInput(i) => vec![
            ("input_node_id", K::ChainNode, i.input.0),
            ("output_node_id", K::ChainNode, i.output.0),
        ],
        Record::Enterprise(e) => vec![("region_code", K::Region, i64::from(e.region.value()))],
        Record::EnterpriseNode(en) => vec![
            ("enterprise_id", K::Enterprise, en.enterprise.0),
            ("node_id", K::ChainNode, en.node.0),
        ],
        Record::SupplyRelation(s) => vec![
            ("supplier_id", K::Enterprise, s.supplier.0),
            ("buyer_id", K::Enterprise, s.buyer.0),
            ("node_id", K::ChainNode, s.node.0),
        ],
        _ => Vec::new(),
    };
    let mut problems = Vec::new();
    for (column, kind, id) in refs {
        if !writer.exists(kind, [id, 0])? {
            let message = match kind {
                K::Region => text!(
                    "{id:06} 不是行政区划代码：请从列表中选择地区",
                    "{id:06} is not a division code: pick a region from the list"
                ),
                K::Chain => text!("没有编号为 {id} 的产业链", "no chain with id {id}"),
                K::ChainNode => text!("没有编号为 {id} 的环节", "no chain node with id {id}"),
                _ => text!("没有编号为 {id} 的企业", "no enterprise with id {id}"),
            };
            problems.push(FieldProblem { column, message });
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> String + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
                .unwrap_or_default()
        }
    }

    #[test]
    fn a_form_is_read_with_the_import_s_parsers() {
        let record = decode_fields(
            RecordKind::Enterprise,
            form(&[
                ("credit_code", "91430200MA4L0XXX0X"),
                ("name_zh", "湘江精密部件有限公司"),
                ("region_code", "430200"),
                ("size", "small"),
                ("revenue", "1250000"),
                ("employees", "40"),
            ]),
        );
        let problems = record.expect_err("the credit code's check character is wrong");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].column, "credit_code");

        let record = decode_fields(
            RecordKind::Chain,
            form(&[("code", "new-materials"), ("name_zh", "新材料")]),
        )
        .expect("valid");
        let Record::Chain(chain) = &record else {
            panic!("a chain")
        };
        assert_eq!((chain.id.0, chain.code.as_str()), (0, "new-materials"));
        let fields = fields(&record);
        assert_eq!(fields[1], ("code", "new-materials".to_string()));
    }

    #[test]
    fn every_bad_field_is_named() {
        let problems = decode_fields(
            RecordKind::EnterpriseNode,
            form(&[("enterprise_id", "x"), ("node_id", ""), ("output", "-5")]),
        )
        .expect_err("invalid");
        let columns: Vec<&str> = problems.iter().map(|p| p.column).collect();
        assert_eq!(columns, ["enterprise_id", "node_id", "output", "capacity"]);
        assert!(problems[0].message.zh.contains("不是整数"));
    }
}
