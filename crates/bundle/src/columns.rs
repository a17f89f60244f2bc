//! The columns of each bundle file, and the mapping between records and rows of text.
//! One table drives the reader, the writer and the documentation test.

use chainatlas_model::{
    text, Agreement, AgreementId, Chain, ChainId, ChainNode, Enterprise, EnterpriseId,
    EnterpriseNode, Event, EventId, Explain, Listing, ListingId, Meeting, MeetingId,
    MeetingRequest, NodeId, NodeInput, Participant, ParticipantId, Record, RecordKind, Region,
    RequestId, SlotGrid, SupplyRelation, SupplyRelationId, Text,
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
            (CellType::Text, "tags" | "other_names") => 1_000,
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
) -> Vec<(usize, Text)> {
    let mut problems = Vec::new();
    for (i, column) in columns.iter().enumerate() {
        let Some(cell) = positions.get(i).and_then(|&p| cells.get(p)) else {
            continue;
        };
        if let Some(error) = cell.strip_prefix(crate::source::EXCEL_ERROR) {
            problems.push((
                i,
                text!(
                    "是 Excel 错误值 {error}：请改正公式或直接填写数值",
                    "holds the Excel error {error}: correct the formula or type the value"
                ),
            ));
        } else if cell.contains('\0') {
            problems.push((
                i,
                text!(
                    "含有 NUL 字符，文本中不允许出现",
                    "holds a NUL character, which no text may contain"
                ),
            ));
        } else {
            let chars = cell.chars().count();
            let max = column.max_chars();
            if chars > max {
                problems.push((
                    i,
                    text!(
                        "长 {chars} 个字符，最多 {max} 个",
                        "is {chars} characters long, expected at most {max}"
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
    col(
        "id",
        I,
        false,
        "integer id; empty: the enterprise with this credit code, or a new one",
    ),
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
    col(
        "other_names",
        T,
        false,
        "other names it is known by (short names, former names), separated by ;",
    ),
    col("address", T, false, "registered address"),
    col("phone", T, false, "contact telephone"),
    col(
        "legal_representative",
        T,
        false,
        "legal representative (法定代表人)",
    ),
    col(
        "industry_code",
        T,
        false,
        "national industry code (GB/T 4754-2017): a division, group or class, 2 to 4 digits",
    ),
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

const EVENTS: &[Column] = &[
    col("id", I, true, "integer id"),
    col("name", T, true, "name of the docking event"),
    col("venue", T, false, "where it is held"),
    col("starts_on", T, true, "first day, YYYY-MM-DD"),
    col("days", I, true, "number of days, 1 to 7"),
    col(
        "day_start",
        T,
        true,
        "time the first slot of a day starts, HH:MM",
    ),
    col(
        "slot_minutes",
        I,
        true,
        "minutes per meeting slot, 5 to 240",
    ),
    col("slots_per_day", I, true, "slots a day, breaks included"),
    col(
        "breaks",
        T,
        false,
        "slots of a day without meetings, numbered from 1, e.g. 7,8",
    ),
    col("tables", I, true, "number of meeting tables"),
    col(
        "groups",
        T,
        true,
        "participant groups separated by ;, e.g. 采购方;供应方",
    ),
    col(
        "may_meet",
        T,
        false,
        "pairs of groups whose members may meet, a:b separated by ;; empty: anyone",
    ),
    col(
        "chain_ids",
        T,
        false,
        "ids of the chains in focus, separated by ;",
    ),
    col(
        "node_ids",
        T,
        false,
        "ids of the chain nodes in focus, separated by ;",
    ),
    col(
        "request_cap",
        I,
        true,
        "most live requests one participant may send",
    ),
    col(
        "meeting_cap",
        I,
        true,
        "most meetings one participant takes",
    ),
    col(
        "request_days",
        I,
        true,
        "days an unanswered request stays open",
    ),
];
const PARTICIPANTS: &[Column] = &[
    col("id", I, true, "integer id"),
    col("event_id", I, true, "id of the event"),
    col("enterprise_id", I, true, "id of the registered enterprise"),
    col("group", T, true, "one of the event's groups"),
    col("people", T, false, "who comes: names and roles"),
    col(
        "available",
        T,
        false,
        "meeting slots the participant can attend, from 1, e.g. 1-6,9; empty: all; none: no slot",
    ),
    col(
        "max_meetings",
        I,
        false,
        "own cap on meetings; empty: the event's",
    ),
    col(
        "listing_ids",
        T,
        false,
        "ids of the listings brought, separated by ;",
    ),
];
const MEETING_REQUESTS: &[Column] = &[
    col("id", I, true, "integer id"),
    col("event_id", I, true, "id of the event"),
    col("from_id", I, true, "participant who asks"),
    col("to_id", I, true, "participant asked, not the sender"),
    col("priority", I, true, "1 (highest) to 5"),
    col("origin", T, true, "manual or recommended"),
    col(
        "status",
        T,
        true,
        "pending, accepted, declined, not_interested, expired or cancelled",
    ),
    col("message", T, false, "the sender's note"),
    col("created_on", T, true, "day sent, YYYY-MM-DD"),
    col(
        "expires_on",
        T,
        true,
        "last day it may be answered, YYYY-MM-DD",
    ),
    col("answered_on", T, false, "day answered, YYYY-MM-DD"),
];
const MEETINGS: &[Column] = &[
    col("id", I, true, "integer id"),
    col("event_id", I, true, "id of the event"),
    col("request_id", I, false, "the request it answers"),
    col("a_id", I, true, "one participant"),
    col("b_id", I, true, "the other participant"),
    col(
        "slot",
        I,
        true,
        "meeting slot of the event, numbered from 1",
    ),
    col("table_no", I, true, "table, numbered from 1"),
    col(
        "published",
        I,
        true,
        "1 when participants can see it, else 0",
    ),
    col("status", T, true, "scheduled, held, no_show or cancelled"),
];
const AGREEMENTS: &[Column] = &[
    col("id", I, true, "integer id"),
    col("title", T, true, "what the project is"),
    col("buyer_id", I, true, "id of the buying enterprise"),
    col(
        "supplier_id",
        I,
        true,
        "id of the supplying enterprise, not the buyer",
    ),
    col("chain_id", I, false, "chain it strengthens"),
    col("node_id", I, false, "chain node it is about"),
    col("value", M, true, "value of the project, yuan"),
    col("status", T, true, "intended, signed, started or completed"),
    col(
        "intended_on",
        T,
        false,
        "day of the letter of intent, YYYY-MM-DD",
    ),
    col("signed_on", T, false, "day signed; required from signed on"),
    col(
        "started_on",
        T,
        false,
        "day work started; required from started on",
    ),
    col(
        "completed_on",
        T,
        false,
        "day completed; required when completed",
    ),
    col("event_id", I, false, "event where it was agreed"),
    col("meeting_id", I, false, "meeting where it was agreed"),
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
        RecordKind::Event => EVENTS,
        RecordKind::Participant => PARTICIPANTS,
        RecordKind::MeetingRequest => MEETING_REQUESTS,
        RecordKind::Meeting => MEETINGS,
        RecordKind::Agreement => AGREEMENTS,
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
            e.other_names.join(";"),
            e.address.clone(),
            e.phone.clone(),
            e.legal_representative.clone(),
            e.industry.map_or(String::new(), |c| c.to_string()),
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
        Record::Event(e) => vec![
            e.id.to_string(),
            e.name.clone(),
            e.venue.clone(),
            e.starts_on.to_string(),
            e.grid.days.to_string(),
            chainatlas_model::clock(e.grid.day_start),
            e.grid.slot_minutes.to_string(),
            e.grid.slots_per_day.to_string(),
            chainatlas_model::format_slots(
                &e.grid
                    .breaks
                    .iter()
                    .map(|&b| usize::from(b))
                    .collect::<Vec<_>>(),
            ),
            e.tables.to_string(),
            e.groups.join(";"),
            e.may_meet
                .iter()
                .map(|(a, b)| format!("{a}:{b}"))
                .collect::<Vec<_>>()
                .join(";"),
            ids(e.chains.iter().map(|c| c.0)),
            ids(e.nodes.iter().map(|n| n.0)),
            e.request_cap.to_string(),
            e.meeting_cap.to_string(),
            e.request_days.to_string(),
        ],
        Record::Participant(p) => vec![
            p.id.to_string(),
            p.event.to_string(),
            p.enterprise.to_string(),
            p.group.clone(),
            p.people.clone(),
            match &p.available {
                None => String::new(),
                Some(slots) if slots.is_empty() => NO_SLOT.to_string(),
                Some(slots) => chainatlas_model::format_slots(slots),
            },
            opt(p.max_meetings),
            ids(p.listings.iter().map(|l| l.0)),
        ],
        Record::MeetingRequest(r) => vec![
            r.id.to_string(),
            r.event.to_string(),
            r.from.to_string(),
            r.to.to_string(),
            r.priority.to_string(),
            r.origin.to_string(),
            r.status.to_string(),
            r.message.clone(),
            r.created_on.to_string(),
            r.expires_on.to_string(),
            opt(r.answered_on),
        ],
        Record::Meeting(m) => vec![
            m.id.to_string(),
            m.event.to_string(),
            opt(m.request),
            m.a.to_string(),
            m.b.to_string(),
            (m.slot + 1).to_string(),
            m.table.to_string(),
            u8::from(m.published).to_string(),
            m.status.to_string(),
        ],
        Record::Agreement(a) => vec![
            a.id.to_string(),
            a.title.clone(),
            a.buyer.to_string(),
            a.supplier.to_string(),
            opt(a.chain),
            opt(a.node),
            a.value.to_string(),
            a.status.to_string(),
            opt(a.intended_on),
            opt(a.signed_on),
            opt(a.started_on),
            opt(a.completed_on),
            opt(a.event),
            opt(a.meeting),
        ],
    }
}

/// A participant's `available` cell when it can attend no slot at all.
const NO_SLOT: &str = "none";

/// Ids separated by `;`.
fn ids(ids: impl Iterator<Item = i64>) -> String {
    ids.map(|i| i.to_string()).collect::<Vec<_>>().join(";")
}

/// Reads the cells of one row, by column name, collecting a message per bad cell.
pub(crate) struct RowReader<'a> {
    pub cells: &'a [String],
    /// For each column of the kind, its index in the file's header.
    pub positions: &'a [usize],
    pub columns: &'static [Column],
    pub problems: Vec<(usize, Text)>,
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
    pub fn fail(&mut self, name: &str, message: Text) {
        let index = self.index_of(name);
        self.problems.push((index, message));
    }

    /// A required value, parsed by its type's own parser; `expected` says what in Chinese
    /// and English.
    pub fn get<V: std::str::FromStr>(&mut self, name: &str, expected: (&str, &str)) -> Option<V>
    where
        V::Err: Explain,
    {
        let raw = self.raw(name).to_string();
        if raw.is_empty() {
            let (zh, en) = expected;
            self.fail(name, text!("为空，应填写{zh}", "is empty, expected {en}"));
            return None;
        }
        match raw.parse() {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(name, e.explain());
                None
            }
        }
    }

    /// An optional value: empty is `None`.
    pub fn optional<V: std::str::FromStr>(&mut self, name: &str) -> Option<Option<V>>
    where
        V::Err: Explain,
    {
        let raw = self.raw(name).to_string();
        if raw.is_empty() {
            return Some(None);
        }
        match raw.parse() {
            Ok(v) => Some(Some(v)),
            Err(e) => {
                self.fail(name, e.explain());
                None
            }
        }
    }

    /// An integer id or count.
    pub fn integer<V: std::str::FromStr>(&mut self, name: &str) -> Option<V> {
        let raw = self.raw(name).to_string();
        if raw.is_empty() {
            self.fail(
                name,
                text!("为空，应填写整数", "is empty, expected a whole number"),
            );
            return None;
        }
        match raw.parse() {
            Ok(v) => Some(v),
            Err(_) => {
                self.fail(name, not_a_whole_number(&raw));
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

    /// A whole number within `range`.
    pub fn bounded<V>(&mut self, name: &str, range: std::ops::RangeInclusive<V>) -> Option<V>
    where
        V: std::str::FromStr + PartialOrd + std::fmt::Display,
    {
        let value: V = self.integer(name)?;
        if range.contains(&value) {
            return Some(value);
        }
        let (lo, hi) = (range.start(), range.end());
        self.fail(
            name,
            text!(
                "为 {value}，应在 {lo} 到 {hi} 之间",
                "is {value}, expected {lo} to {hi}"
            ),
        );
        None
    }

    /// Ids separated by `;` (or `,`), each a whole number.
    pub fn id_list(&mut self, name: &str) -> Option<Vec<i64>> {
        let raw = self.raw(name).to_string();
        let mut out = Vec::new();
        for part in raw.split([';', ',', '；', '，']).map(str::trim) {
            if part.is_empty() {
                continue;
            }
            match part.parse::<i64>() {
                Ok(id) if id > 0 => out.push(id),
                _ => {
                    self.fail(name, not_a_whole_number(part));
                    return None;
                }
            }
        }
        Some(out)
    }

    /// A non-negative amount of money.
    pub fn money(&mut self, name: &str) -> Option<chainatlas_model::Money> {
        let value: chainatlas_model::Money = self.get(
            name,
            (
                "以元计的金额，如 1250000 或 35.50",
                "an amount in yuan such as 1250000 or 35.50",
            ),
        )?;
        if value.is_negative() {
            self.fail(
                name,
                text!(
                    "为 {value}，金额不能为负",
                    "is {value}, expected an amount that is not negative"
                ),
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
            self.fail(name, text!("为空，应填写文字", "is empty, expected text"));
            return None;
        }
        Some(text)
    }

    /// A short code: lowercase ASCII letters, digits and '-'.
    pub fn code(&mut self, name: &str) -> Option<String> {
        let code = self.required_text(name)?;
        if code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            Some(code)
        } else {
            self.fail(
                name,
                text!(
                    "“{code}”不是代码：应由小写字母、数字和“-”组成",
                    "'{code}' is not a code: expected lowercase letters, digits and '-'"
                ),
            );
            None
        }
    }

    /// Every problem of `problems` (each starting with its field's name) on `name`.
    fn fail_all(&mut self, name: &str, problems: Vec<Text>) -> bool {
        let ok = problems.is_empty();
        for p in problems {
            self.fail(name, p);
        }
        ok
    }
}

fn not_a_whole_number(raw: &str) -> Text {
    text!(
        "“{raw}”不是整数（应只含数字，不能为负）",
        "'{raw}' is not a whole number (expected digits only, not negative)"
    )
}

const DIVISION_CODE: (&str, &str) = ("6 位行政区划代码", "a 6-digit division code");
const DATE: (&str, &str) = ("日期 YYYY-MM-DD", "a date YYYY-MM-DD");

/// Decodes one row into a record. `None` when any cell is wrong; the reasons are left
/// in `reader.problems`.
pub(crate) fn decode(kind: RecordKind, r: &mut RowReader<'_>) -> Option<Record> {
    match kind {
        RecordKind::Region => {
            let code: Option<chainatlas_model::RegionCode> = r.get("code", DIVISION_CODE);
            let name_zh = r.required_text("name_zh");
            let name_en = r.text("name_en");
            let parent = r.optional("parent_code");
            let level: Option<chainatlas_model::RegionLevel> = r.get(
                "level",
                ("province、city 或 district", "province, city or district"),
            );
            let (code, parent, level) = (code?, parent?, level?);
            if code.level() != level {
                let actual = code.level();
                r.fail(
                    "level",
                    text!(
                        "为 {level}，但代码 {code} 是 {actual} 级",
                        "is {level}, but code {code} is a {actual}"
                    ),
                );
            }
            if let Some(parent) = parent {
                if Some(parent) != code.implied_parent() {
                    let message = match code.implied_parent() {
                        Some(p) => text!("为 {parent}，应为 {p}", "is {parent}, expected {p}"),
                        None => text!(
                            "为 {parent}，省级区划没有上级，应留空",
                            "is {parent}, expected empty, since a province has no parent"
                        ),
                    };
                    r.fail("parent_code", message);
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
            let segment = r.get(
                "segment",
                (
                    "upstream、midstream 或 downstream",
                    "upstream, midstream or downstream",
                ),
            );
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
                    text!(
                        "为 {output}，与 input_node_id 相同：环节不能是自己的投入",
                        "is {output}, the same as input_node_id: a node is not its own input"
                    ),
                );
                return None;
            }
            Some(Record::NodeInput(NodeInput { input, output }))
        }
        RecordKind::Enterprise => {
            let id = r.integer("id").map(EnterpriseId);
            let credit_code = r.get(
                "credit_code",
                (
                    "18 位统一社会信用代码",
                    "an 18-character unified social credit code",
                ),
            );
            let name_zh = r.required_text("name_zh");
            let name_en = r.text("name_en");
            let region = r.get("region_code", DIVISION_CODE);
            let size = r.get(
                "size",
                (
                    "large、medium、small 或 micro",
                    "large, medium, small or micro",
                ),
            );
            let tags = r.optional("tags").map(Option::unwrap_or_default);
            let revenue = r.money("revenue");
            let employees = r.integer("employees");
            let source = r.text("source");
            let other_names = chainatlas_model::split_tags(&r.text("other_names"));
            let (address, phone) = (r.text("address"), r.text("phone"));
            let legal_representative = r.text("legal_representative");
            let industry = r.optional("industry_code");
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
                other_names,
                address,
                phone,
                legal_representative,
                industry: industry?,
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
                    text!(
                        "为 {capacity}，应不小于产值 {output}",
                        "is {capacity}, expected at least the output {output}"
                    ),
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
                    text!(
                        "为 {buyer}，与 supplier_id 相同：企业不能向自己供货",
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
            let side = r.get("side", ("demand 或 supply", "demand or supply"));
            let kind = r.get(
                "kind",
                (
                    "product、equipment、technology、capacity 或 service",
                    "product, equipment, technology, capacity or service",
                ),
            );
            let node = r.optional_integer("node_id").map(|n| n.map(NodeId));
            let title = r.required_text("title");
            let description = r.text("description");
            let quantity = r.optional_integer("quantity");
            let unit = r.text("unit");
            let price = r.optional_money("price");
            let region = r.get("region_code", DIVISION_CODE);
            let valid_until = r.optional("valid_until");
            let status = r.get("status", ("open 或 closed", "open or closed"));
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
        RecordKind::Event => decode_event(r).map(Record::Event),
        RecordKind::Participant => {
            let id = r.integer("id").map(ParticipantId);
            let event = r.integer("event_id").map(EventId);
            let enterprise = r.integer("enterprise_id").map(EnterpriseId);
            let group = r.required_text("group");
            let people = r.text("people");
            // Slot numbers are checked against the event's grid with the references.
            let raw = r.text("available");
            let available = if raw.is_empty() {
                Some(None)
            } else if raw.eq_ignore_ascii_case(NO_SLOT) {
                Some(Some(Vec::new()))
            } else {
                match chainatlas_model::parse_slots(&raw, chainatlas_model::MAX_EVENT_SLOTS) {
                    Ok(slots) => Some(Some(slots)),
                    Err(e) => {
                        r.fail("available", e);
                        None
                    }
                }
            };
            let max_meetings = r.optional_integer("max_meetings");
            let listings = r.id_list("listing_ids");
            Some(Record::Participant(Participant {
                id: id?,
                event: event?,
                enterprise: enterprise?,
                group: group?,
                people,
                available: available?,
                max_meetings: max_meetings?,
                listings: listings?.into_iter().map(ListingId).collect(),
            }))
        }
        RecordKind::MeetingRequest => {
            let id = r.integer("id").map(RequestId);
            let event = r.integer("event_id").map(EventId);
            let from = r.integer("from_id").map(ParticipantId);
            let to = r.integer("to_id").map(ParticipantId);
            let priority = r.bounded("priority", 1u8..=5);
            let origin = r.get("origin", ("manual 或 recommended", "manual or recommended"));
            let status = r.get(
                "status",
                (
                    "pending、accepted、declined、not_interested、expired 或 cancelled",
                    "pending, accepted, declined, not_interested, expired or cancelled",
                ),
            );
            let message = r.text("message");
            let created_on = r.get("created_on", DATE);
            let expires_on = r.get("expires_on", DATE);
            let answered_on = r.optional("answered_on");
            let (from, to) = (from?, to?);
            if from == to {
                r.fail(
                    "to_id",
                    text!(
                        "为 {to}，与 from_id 相同：不能邀约自己",
                        "is {to}, the same as from_id: a participant does not ask itself"
                    ),
                );
                return None;
            }
            Some(Record::MeetingRequest(MeetingRequest {
                id: id?,
                event: event?,
                from,
                to,
                priority: priority?,
                origin: origin?,
                status: status?,
                message,
                created_on: created_on?,
                expires_on: expires_on?,
                answered_on: answered_on?,
            }))
        }
        RecordKind::Meeting => {
            let id = r.integer("id").map(MeetingId);
            let event = r.integer("event_id").map(EventId);
            let request = r.optional_integer("request_id").map(|x| x.map(RequestId));
            let a = r.integer("a_id").map(ParticipantId);
            let b = r.integer("b_id").map(ParticipantId);
            let slot = r.bounded("slot", 1usize..=chainatlas_model::MAX_EVENT_SLOTS);
            let table = r.bounded("table_no", 1u32..=u32::MAX);
            let published = r.bounded("published", 0u8..=1);
            let status = r.get(
                "status",
                (
                    "scheduled、held、no_show 或 cancelled",
                    "scheduled, held, no_show or cancelled",
                ),
            );
            let (a, b) = (a?, b?);
            if a == b {
                r.fail(
                    "b_id",
                    text!(
                        "为 {b}，与 a_id 相同：洽谈需要两方",
                        "is {b}, the same as a_id: a meeting needs two participants"
                    ),
                );
                return None;
            }
            Some(Record::Meeting(Meeting {
                id: id?,
                event: event?,
                request: request?,
                a,
                b,
                slot: slot? - 1,
                table: table?,
                published: published? == 1,
                status: status?,
            }))
        }
        RecordKind::Agreement => {
            let id = r.integer("id").map(AgreementId);
            let title = r.required_text("title");
            let buyer = r.integer("buyer_id").map(EnterpriseId);
            let supplier = r.integer("supplier_id").map(EnterpriseId);
            let chain = r.optional_integer("chain_id").map(|x| x.map(ChainId));
            let node = r.optional_integer("node_id").map(|x| x.map(NodeId));
            let value = r.money("value");
            let status = r.get(
                "status",
                (
                    "intended、signed、started 或 completed",
                    "intended, signed, started or completed",
                ),
            );
            let intended_on = r.optional("intended_on");
            let signed_on = r.optional("signed_on");
            let started_on = r.optional("started_on");
            let completed_on = r.optional("completed_on");
            let event = r.optional_integer("event_id").map(|x| x.map(EventId));
            let meeting = r.optional_integer("meeting_id").map(|x| x.map(MeetingId));
            let agreement = Agreement {
                id: id?,
                title: title?,
                buyer: buyer?,
                supplier: supplier?,
                chain: chain?,
                node: node?,
                value: value?,
                status: status?,
                intended_on: intended_on?,
                signed_on: signed_on?,
                started_on: started_on?,
                completed_on: completed_on?,
                event: event?,
                meeting: meeting?,
            };
            // The model names the field at the start of each problem.
            for problem in agreement.problems() {
                let field = problem.en.split(':').next().unwrap_or("status").to_string();
                let field = if r.columns.iter().any(|c| c.name == field) {
                    field
                } else {
                    "status".to_string()
                };
                r.fail(&field, problem);
            }
            r.problems
                .is_empty()
                .then_some(Record::Agreement(agreement))
        }
    }
}

fn decode_event(r: &mut RowReader<'_>) -> Option<Event> {
    let id = r.integer("id").map(EventId);
    let name = r.required_text("name");
    let venue = r.text("venue");
    let starts_on = r.get("starts_on", DATE);
    let days = r.integer("days");
    let raw_start = r.text("day_start");
    let day_start = chainatlas_model::parse_clock(&raw_start);
    if day_start.is_none() {
        r.fail(
            "day_start",
            text!(
                "“{raw_start}”不是时刻：应为 HH:MM，如 09:00",
                "'{raw_start}' is not a time of day: expected HH:MM, such as 09:00"
            ),
        );
    }
    let slot_minutes = r.integer("slot_minutes");
    let slots_per_day: Option<u8> = r.integer("slots_per_day");
    let breaks = match slots_per_day {
        Some(n) => match chainatlas_model::parse_slots(&r.text("breaks"), usize::from(n)) {
            Ok(b) => Some(b.into_iter().map(|b| b as u8).collect()),
            Err(e) => {
                r.fail("breaks", e);
                None
            }
        },
        None => None,
    };
    let tables = r.bounded("tables", 1u32..=10_000);
    let groups: Option<Vec<String>> = r.required_text("groups").map(|g| {
        g.split([';', '；'])
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .map(String::from)
            .collect()
    });
    if let Some(groups) = &groups {
        for (i, g) in groups.iter().enumerate() {
            if groups[..i].contains(g) {
                r.fail("groups", text!("“{g}”出现了两次", "'{g}' is listed twice"));
            }
        }
    }
    let mut may_meet = Vec::new();
    for pair in r.text("may_meet").split([';', '；']).map(str::trim) {
        if pair.is_empty() {
            continue;
        }
        match pair.split_once([':', '：']) {
            Some((a, b))
                if groups.as_ref().is_some_and(|g| {
                    g.iter().any(|x| x == a.trim()) && g.iter().any(|x| x == b.trim())
                }) =>
            {
                may_meet.push((a.trim().to_string(), b.trim().to_string()))
            }
            _ => r.fail(
                "may_meet",
                text!(
                    "“{pair}”不是两个分组的组合：应为 采购方:供应方 这样、用 groups 中的名称",
                    "'{pair}' is not a pair of groups: expected a:b with names from groups"
                ),
            ),
        }
    }
    let chains = r.id_list("chain_ids");
    let nodes = r.id_list("node_ids");
    let request_cap = r.bounded("request_cap", 1u32..=u32::MAX);
    let meeting_cap = r.bounded("meeting_cap", 1u32..=u32::MAX);
    let request_days = r.bounded("request_days", 1u32..=u32::MAX);
    let grid = SlotGrid {
        days: days?,
        day_start: day_start?,
        slot_minutes: slot_minutes?,
        slots_per_day: slots_per_day?,
        breaks: breaks?,
    };
    let grid_problems = grid.problems();
    if !r.fail_all("slots_per_day", grid_problems) {
        return None;
    }
    if !r.problems.is_empty() {
        return None;
    }
    Some(Event {
        id: id?,
        name: name?,
        venue,
        starts_on: starts_on?,
        grid,
        tables: tables?,
        groups: groups?,
        may_meet,
        chains: chains?.into_iter().map(ChainId).collect(),
        nodes: nodes?.into_iter().map(NodeId).collect(),
        request_cap: request_cap?,
        meeting_cap: meeting_cap?,
        request_days: request_days?,
    })
}
