//! The columns of each bundle file, and the mapping between records and rows of text.
//! One table drives the reader, the writer and the documentation test.

use chainatlas_model::{
    Chain, ChainId, ChainNode, Enterprise, EnterpriseId, EnterpriseNode, Listing, ListingId,
    NodeId, NodeInput, Record, RecordKind, Region, SupplyRelation, SupplyRelationId,
};

/// How a column is written to a workbook cell (CSV is always text).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellType {
    Text,
    Integer,
    /// Yuan with up to two decimals.
    Money,
}

/// One column of a bundle file.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    pub name: &'static str,
    pub cell: CellType,
    pub required: bool,
    pub doc: &'static str,
}

impl Column {
    /// The longest cell this column accepts, in characters: a description 4,000, a list
    /// of tags 1,000, other text 200, a number 40.
    pub fn max_chars(&self) -> usize {
        match (self.cell, self.name) {
            (CellType::Text, "description") => 4_000,
            (CellType::Text, "tags") => 1_000,
            (CellType::Text, _) => 200,
            _ => 40,
        }
    }
}

/// What is wrong with the cells of a row that no value parser should see: a workbook's
/// error cell, a NUL byte, a cell longer than its column allows. (column index, message)
pub(crate) fn cell_problems(
    columns: &[Column],
    positions: &[usize],
    cells: &[String],
) -> Vec<(usize, String)> {
    let mut problems = Vec::new();
    for (i, column) in columns.iter().enumerate() {
        let Some(cell) = positions.get(i).and_then(|&p| cells.get(p)) else {
            continue;
        };
        if let Some(error) = cell.strip_prefix(crate::source::EXCEL_ERROR) {
            problems.push((
                i,
                format!("holds the Excel error {error}: correct the formula or type the value"),
            ));
        } else if cell.contains('\0') {
            problems.push((i, "holds a NUL character, which no text may contain".into()));
        } else {
            let chars = cell.chars().count();
            if chars > column.max_chars() {
                problems.push((
                    i,
                    format!(
                        "is {chars} characters long, expected at most {}",
                        column.max_chars()
                    ),
                ));
            }
        }
    }
    problems
}

const fn col(name: &'static str, cell: CellType, required: bool, doc: &'static str) -> Column {
    Column {
        name,
        cell,
        required,
        doc,
    }
}

use CellType::{Integer as I, Money as M, Text as T};

const REGIONS: &[Column] = &[
    col(
        "code",
        I,
        true,
        "6-digit administrative division code, e.g. 430200",
    ),
    col("name_zh", T, true, "Chinese name"),
    col("name_en", T, false, "English name"),
    col(
        "parent_code",
        I,
        false,
        "code of the enclosing region; empty for a province",
    ),
    col(
        "level",
        T,
        true,
        "province, city or district; must agree with the code",
    ),
];
const CHAINS: &[Column] = &[
    col("id", I, true, "integer id"),
    col(
        "code",
        T,
        true,
        "short code of lowercase letters, digits and '-', e.g. nev",
    ),
    col("name_zh", T, true, "Chinese name"),
    col("name_en", T, false, "English name"),
];
const CHAIN_NODES: &[Column] = &[
    col("id", I, true, "integer id"),
    col("chain_id", I, true, "id of the chain"),
    col(
        "code",
        T,
        true,
        "code unique over all chains, e.g. nev-battery-cell",
    ),
    col("name_zh", T, true, "Chinese name"),
    col("name_en", T, false, "English name"),
    col("segment", T, true, "upstream, midstream or downstream"),
];
const NODE_INPUTS: &[Column] = &[
    col(
        "input_node_id",
        I,
        true,
        "the node whose products are bought",
    ),
    col("output_node_id", I, true, "the node that buys them"),
];
const ENTERPRISES: &[Column] = &[
    col("id", I, true, "integer id"),
    col(
        "credit_code",
        T,
        true,
        "18-character unified social credit code (GB 32100), check character validated",
    ),
    col("name_zh", T, true, "Chinese name"),
    col("name_en", T, false, "English name"),
    col(
        "region_code",
        I,
        true,
        "division code of the registered location",
    ),
    col("size", T, true, "large, medium, small or micro"),
    col(
        "tags",
        T,
        false,
        "';'-separated: chain_master, specialized_new, high_tech, listed",
    ),
    col(
        "revenue",
        M,
        true,
        "annual revenue in yuan, up to 2 decimals, not negative",
    ),
    col("employees", I, true, "number of employees"),
    col("source", T, false, "where the record comes from"),
];
const ENTERPRISE_NODES: &[Column] = &[
    col("enterprise_id", I, true, "id of the enterprise"),
    col("node_id", I, true, "id of the chain node"),
    col("output", M, true, "annual output value in the node, yuan"),
    col(
        "capacity",
        M,
        true,
        "annual capacity in value terms, yuan, at least the output",
    ),
];
const SUPPLY_RELATIONS: &[Column] = &[
    col("id", I, true, "integer id"),
    col("supplier_id", I, true, "id of the selling enterprise"),
    col(
        "buyer_id",
        I,
        true,
        "id of the buying enterprise, not the supplier",
    ),
    col("node_id", I, true, "the chain node whose product is sold"),
    col("annual_value", M, true, "annual value, yuan"),
];
const LISTINGS: &[Column] = &[
    col("id", I, true, "integer id"),
    col("enterprise_id", I, true, "id of the publishing enterprise"),
    col("side", T, true, "demand or supply"),
    col(
        "kind",
        T,
        true,
        "product, equipment, technology, capacity or service",
    ),
    col("node_id", I, false, "chain node the listing is about"),
    col("title", T, true, "title, Chinese and/or English"),
    col("description", T, false, "free text"),
    col("quantity", I, false, "whole number of units"),
    col("unit", T, false, "unit of the quantity, e.g. 台, t, sets"),
    col(
        "price",
        M,
        false,
        "budget (demand) or asking price (supply) per unit, yuan",
    ),
    col(
        "region_code",
        I,
        true,
        "division code where it is needed or offered",
    ),
    col(
        "valid_until",
        T,
        false,
        "last day the listing is valid, YYYY-MM-DD",
    ),
    col("status", T, true, "open or closed"),
    col(
        "tags",
        T,
        false,
        "qualifications required (demand) or held (supply), separated by ;",
    ),
];

/// The columns of a bundle file, in the order the writer uses.
pub fn columns(kind: RecordKind) -> &'static [Column] {
    match kind {
        RecordKind::Region => REGIONS,
        RecordKind::Chain => CHAINS,
        RecordKind::ChainNode => CHAIN_NODES,
        RecordKind::NodeInput => NODE_INPUTS,
        RecordKind::Enterprise => ENTERPRISES,
        RecordKind::EnterpriseNode => ENTERPRISE_NODES,
        RecordKind::SupplyRelation => SUPPLY_RELATIONS,
        RecordKind::Listing => LISTINGS,
    }
}

fn opt<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// A record as text cells, in [`columns`] order, in canonical form.
pub(crate) fn encode(record: &Record) -> Vec<String> {
    match record {
        Record::Region(r) => vec![
            r.code.to_string(),
            r.name_zh.clone(),
            r.name_en.clone(),
            opt(r.parent),
            r.level.to_string(),
        ],
        Record::Chain(c) => vec![
            c.id.to_string(),
            c.code.clone(),
            c.name_zh.clone(),
            c.name_en.clone(),
        ],
        Record::ChainNode(n) => vec![
            n.id.to_string(),
            n.chain.to_string(),
            n.code.clone(),
            n.name_zh.clone(),
            n.name_en.clone(),
            n.segment.to_string(),
        ],
        Record::NodeInput(i) => vec![i.input.to_string(), i.output.to_string()],
        Record::Enterprise(e) => vec![
            e.id.to_string(),
            e.credit_code.to_string(),
            e.name_zh.clone(),
            e.name_en.clone(),
            e.region.to_string(),
            e.size.to_string(),
            e.tags.to_string(),
            e.revenue.to_string(),
            e.employees.to_string(),
            e.source.clone(),
        ],
        Record::EnterpriseNode(en) => vec![
            en.enterprise.to_string(),
            en.node.to_string(),
            en.output.to_string(),
            en.capacity.to_string(),
        ],
        Record::SupplyRelation(s) => vec![
            s.id.to_string(),
            s.supplier.to_string(),
            s.buyer.to_string(),
            s.node.to_string(),
            s.annual_value.to_string(),
        ],
        Record::Listing(l) => vec![
            l.id.to_string(),
            l.enterprise.to_string(),
            l.side.to_string(),
            l.kind.to_string(),
            opt(l.node),
            l.title.clone(),
            l.description.clone(),
            opt(l.quantity),
            l.unit.clone(),
            opt(l.price),
            l.region.to_string(),
            opt(l.valid_until),
            l.status.to_string(),
            l.tags.join(";"),
        ],
    }
}

/// Reads the cells of one row, by column name, collecting a message per bad cell.
pub(crate) struct RowReader<'a> {
    pub cells: &'a [String],
    /// For each column of the kind, its index in the file's header.
    pub positions: &'a [usize],
    pub columns: &'static [Column],
    pub problems: Vec<(usize, String)>,
}

impl RowReader<'_> {
    fn index_of(&self, name: &str) -> usize {
        self.columns
            .iter()
            .position(|c| c.name == name)
            .expect("known column")
    }

    fn raw(&self, name: &str) -> &str {
        let at = self.positions[self.index_of(name)];
        self.cells.get(at).map(|s| s.trim()).unwrap_or("")
    }

    /// Records a problem with one cell of this row.
    pub fn fail(&mut self, name: &str, message: String) {
        let index = self.index_of(name);
        self.problems.push((index, message));
    }

    /// A required value, parsed by its type's own parser.
    pub fn get<V: std::str::FromStr>(&mut self, name: &str, expected: &str) -> Option<V>
    where
        V::Err: std::fmt::Display,
    {
        let raw = self.raw(name).to_string();
        if raw.is_empty() {
            self.fail(name, format!("is empty, expected {expected}"));
            return None;
        }
        match raw.parse() {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(name, e.to_string());
                None
            }
        }
    }

    /// An optional value: empty is `None`.
    pub fn optional<V: std::str::FromStr>(&mut self, name: &str) -> Option<Option<V>>
    where
        V::Err: std::fmt::Display,
    {
        let raw = self.raw(name).to_string();
        if raw.is_empty() {
            return Some(None);
        }
        match raw.parse() {
            Ok(v) => Some(Some(v)),
            Err(e) => {
                self.fail(name, e.to_string());
                None
            }
        }
    }

    /// An integer id or count.
    pub fn integer<V: std::str::FromStr>(&mut self, name: &str) -> Option<V> {
        let raw = self.raw(name).to_string();
        if raw.is_empty() {
            self.fail(name, "is empty, expected a whole number".into());
            return None;
        }
        match raw.parse() {
            Ok(v) => Some(v),
            Err(_) => {
                self.fail(
                    name,
                    format!("'{raw}' is not a whole number (expected digits only, not negative)"),
                );
                None
            }
        }
    }

    pub fn optional_integer<V: std::str::FromStr>(&mut self, name: &str) -> Option<Option<V>> {
        if self.raw(name).is_empty() {
            return Some(None);
        }
        self.integer(name).map(Some)
    }

    /// A non-negative amount of money.
    pub fn money(&mut self, name: &str) -> Option<chainatlas_model::Money> {
        let value: chainatlas_model::Money =
            self.get(name, "an amount in yuan such as 1250000 or 35.50")?;
        if value.is_negative() {
            self.fail(
                name,
                format!("is {value}, expected an amount that is not negative"),
            );
            return None;
        }
        Some(value)
    }

    pub fn optional_money(&mut self, name: &str) -> Option<Option<chainatlas_model::Money>> {
        if self.raw(name).is_empty() {
            return Some(None);
        }
        self.money(name).map(Some)
    }

    /// Text that may be empty.
    pub fn text(&mut self, name: &str) -> String {
        self.raw(name).to_string()
    }

    /// Text that must not be empty.
    pub fn required_text(&mut self, name: &str) -> Option<String> {
        let text = self.text(name);
        if text.is_empty() {
            self.fail(name, "is empty, expected text".into());
            return None;
        }
        Some(text)
    }

    /// A short code: lowercase ASCII letters, digits and '-'.
    pub fn code(&mut self, name: &str) -> Option<String> {
        let text = self.required_text(name)?;
        if text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            Some(text)
        } else {
            self.fail(
                name,
                format!("'{text}' is not a code: expected lowercase letters, digits and '-'"),
            );
            None
        }
    }
}

/// Decodes one row into a record. `None` when any cell is wrong; the reasons are left
/// in `reader.problems`.
pub(crate) fn decode(kind: RecordKind, r: &mut RowReader<'_>) -> Option<Record> {
    match kind {
        RecordKind::Region => {
            let code: Option<chainatlas_model::RegionCode> =
                r.get("code", "a 6-digit division code");
            let name_zh = r.required_text("name_zh");
            let name_en = r.text("name_en");
            let parent = r.optional("parent_code");
            let level: Option<chainatlas_model::RegionLevel> =
                r.get("level", "province, city or district");
            let (code, parent, level) = (code?, parent?, level?);
            if code.level() != level {
                r.fail(
                    "level",
                    format!("is {level}, but code {code} is a {}", code.level()),
                );
            }
            if let Some(parent) = parent {
                if Some(parent) != code.implied_parent() {
                    let expected = code
                        .implied_parent()
                        .map_or("empty, since a province has no parent".to_string(), |p| {
                            format!("{p}")
                        });
                    r.fail("parent_code", format!("is {parent}, expected {expected}"));
                }
            }
            if !r.problems.is_empty() {
                return None;
            }
            Some(Record::Region(Region {
                code,
                name_zh: name_zh?,
                name_en,
                parent,
                level,
            }))
        }
        RecordKind::Chain => {
            let id = r.integer("id").map(ChainId);
            let code = r.code("code");
            let name_zh = r.required_text("name_zh");
            let name_en = r.text("name_en");
            Some(Record::Chain(Chain {
                id: id?,
                code: code?,
                name_zh: name_zh?,
                name_en,
            }))
        }
        RecordKind::ChainNode => {
            let id = r.integer("id").map(NodeId);
            let chain = r.integer("chain_id").map(ChainId);
            let code = r.code("code");
            let name_zh = r.required_text("name_zh");
            let name_en = r.text("name_en");
            let segment = r.get("segment", "upstream, midstream or downstream");
            Some(Record::ChainNode(ChainNode {
                id: id?,
                chain: chain?,
                code: code?,
                name_zh: name_zh?,
                name_en,
                segment: segment?,
            }))
        }
        RecordKind::NodeInput => {
            let input = r.integer("input_node_id").map(NodeId);
            let output = r.integer("output_node_id").map(NodeId);
            let (input, output) = (input?, output?);
            if input == output {
                r.fail(
                    "output_node_id",
                    format!("is {output}, the same as input_node_id: a node is not its own input"),
                );
                return None;
            }
            Some(Record::NodeInput(NodeInput { input, output }))
        }
        RecordKind::Enterprise => {
            let id = r.integer("id").map(EnterpriseId);
            let credit_code = r.get("credit_code", "an 18-character unified social credit code");
            let name_zh = r.required_text("name_zh");
            let name_en = r.text("name_en");
            let region = r.get("region_code", "a 6-digit division code");
            let size = r.get("size", "large, medium, small or micro");
            let tags = r.optional("tags").map(Option::unwrap_or_default);
            let revenue = r.money("revenue");
            let employees = r.integer("employees");
            let source = r.text("source");
            Some(Record::Enterprise(Enterprise {
                id: id?,
                credit_code: credit_code?,
                name_zh: name_zh?,
                name_en,
                region: region?,
                size: size?,
                tags: tags?,
                revenue: revenue?,
                employees: employees?,
                source,
            }))
        }
        RecordKind::EnterpriseNode => {
            let enterprise = r.integer("enterprise_id").map(EnterpriseId);
            let node = r.integer("node_id").map(NodeId);
            let output = r.money("output");
            let capacity = r.money("capacity");
            let (output, capacity) = (output?, capacity?);
            if capacity < output {
                r.fail(
                    "capacity",
                    format!("is {capacity}, expected at least the output {output}"),
                );
                return None;
            }
            Some(Record::EnterpriseNode(EnterpriseNode {
                enterprise: enterprise?,
                node: node?,
                output,
                capacity,
            }))
        }
        RecordKind::SupplyRelation => {
            let id = r.integer("id").map(SupplyRelationId);
            let supplier = r.integer("supplier_id").map(EnterpriseId);
            let buyer = r.integer("buyer_id").map(EnterpriseId);
            let node = r.integer("node_id").map(NodeId);
            let annual_value = r.money("annual_value");
            let (supplier, buyer) = (supplier?, buyer?);
            if supplier == buyer {
                r.fail(
                    "buyer_id",
                    format!(
                        "is {buyer}, the same as supplier_id: an enterprise does not supply itself"
                    ),
                );
                return None;
            }
            Some(Record::SupplyRelation(SupplyRelation {
                id: id?,
                supplier,
                buyer,
                node: node?,
                annual_value: annual_value?,
            }))
        }
        RecordKind::Listing => {
            let id = r.integer("id").map(ListingId);
            let enterprise = r.integer("enterprise_id").map(EnterpriseId);
            let side = r.get("side", "demand or supply");
            let kind = r.get(
                "kind",
                "product, equipment, technology, capacity or service",
            );
            let node = r.optional_integer("node_id").map(|n| n.map(NodeId));
            let title = r.required_text("title");
            let description = r.text("description");
            let quantity = r.optional_integer("quantity");
            let unit = r.text("unit");
            let price = r.optional_money("price");
            let region = r.get("region_code", "a 6-digit division code");
            let valid_until = r.optional("valid_until");
            let status = r.get("status", "open or closed");
            Some(Record::Listing(Listing {
                id: id?,
                enterprise: enterprise?,
                side: side?,
                kind: kind?,
                node: node?,
                title: title?,
                description,
                quantity: quantity?,
                unit,
                price: price?,
                region: region?,
                valid_until: valid_until?,
                status: status?,
                tags: chainatlas_model::split_tags(&r.text("tags")),
            }))
        }
    }
}
