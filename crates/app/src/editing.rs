//! Editing the atlas one record at a time: chains, nodes, node inputs, enterprises, an
//! enterprise's nodes and supply relations, created, changed and deleted through forms or
//! the API. A form's fields are a bundle row's columns, read by the import's own parsers
//! and reference checks (`chainatlas_bundle::edit`), after what people type is made
//! plain: a picker's `name #id` becomes the id, `株洲市 430200` the code, `1,200万` yuan.
//! Every change is one transaction with its audit entry (the record before and after,
//! column by column); a delete that would orphan something is refused, naming it.

use chainatlas_auth::{Permission, Role};
use chainatlas_bundle::edit::{self, FieldProblem};
use chainatlas_bundle::{columns, CellType};
use chainatlas_model::{text, EnterpriseId, Money, Record, RecordKind, Text};
use chainatlas_store::{Change, InsertError, Store};

use crate::problems::picked_id;
use crate::{AppError, ErrorCode, Viewer};

/// What a form or a JSON body sent: each field as typed; a field sent more than once
/// (the tag check boxes) holds its values joined by `;`.
#[derive(Clone, Debug, Default)]
pub struct RecordForm {
    fields: Vec<(String, String)>,
}

/// The most characters of all of a form's fields together, and the most fields.
pub const MAX_FORM_CHARS: usize = 20_000;
pub const MAX_FORM_FIELDS: usize = 64;

impl RecordForm {
    pub fn new(fields: Vec<(String, String)>) -> Result<RecordForm, AppError> {
        let chars: usize = fields
            .iter()
            .map(|(k, v)| k.len() + v.chars().count())
            .sum();
        if fields.len() > MAX_FORM_FIELDS || chars > MAX_FORM_CHARS {
            return Err(AppError::new(
                ErrorCode::TooLarge,
                text!(
                    "表单过长：最多 {MAX_FORM_FIELDS} 个字段、共 {MAX_FORM_CHARS} 个字符",
                    "the form is too long: at most {MAX_FORM_FIELDS} fields and {MAX_FORM_CHARS} characters in all"
                ),
            ));
        }
        Ok(RecordForm { fields })
    }

    /// What the field `name` holds, its values joined by `;` when sent more than once.
    pub fn get(&self, name: &str) -> String {
        self.fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect::<Vec<_>>()
            .join(";")
    }

    /// A record's fields as a form shows them: ids plain, amounts in 万元.
    pub fn of(record: &Record) -> RecordForm {
        let kind = record.kind();
        let fields = edit::fields(record)
            .into_iter()
            .map(|(name, cell)| {
                let shown = match column_type(kind, name) {
                    CellType::Money => cell
                        .parse::<Money>()
                        .map(|m| format!("{}万", crate::format::wan_exact(m)))
                        .unwrap_or(cell),
                    _ => cell,
                };
                (name.to_string(), shown)
            })
            .collect();
        RecordForm { fields }
    }
}

fn column_type(kind: RecordKind, name: &str) -> CellType {
    columns(kind)
        .iter()
        .find(|c| c.name == name)
        .map_or(CellType::Text, |c| c.cell)
}

/// Whether `kind` can be edited one record at a time.
pub fn editable(kind: RecordKind) -> Result<(), AppError> {
    if edit::EDITABLE.contains(&kind) {
        Ok(())
    } else {
        Err(AppError::parameter(text!(
            "{kind} 不能逐条编辑：请用导入",
            "{kind} cannot be edited one at a time: use an import"
        )))
    }
}

/// The key of a record as its page or path names it: `12`, or `3-7` for a pair.
pub fn parse_key(kind: RecordKind, raw: &str) -> Result<[i64; 2], AppError> {
    let bad = || {
        AppError::parameter(text!(
            "“{raw}”不是记录编号：应为整数，或以“-”相连的两个整数",
            "'{raw}' is not a record key: expected a whole number, or two joined by '-'"
        ))
    };
    let pair = !edit::assigns_id(kind);
    let parts: Vec<&str> = raw.split('-').collect();
    let number = |s: &str| s.parse::<i64>().ok().filter(|n| *n > 0);
    match (pair, parts.as_slice()) {
        (false, [a]) => Ok([number(a).ok_or_else(bad)?, 0]),
        (true, [a, b]) => Ok([number(a).ok_or_else(bad)?, number(b).ok_or_else(bad)?]),
        _ => Err(bad()),
    }
}

/// A record's key as a path names it.
pub fn key_text(kind: RecordKind, key: [i64; 2]) -> String {
    if edit::assigns_id(kind) {
        key[0].to_string()
    } else {
        format!("{}-{}", key[0], key[1])
    }
}

/// The record of `kind` with this key.
pub fn load(store: &Store, kind: RecordKind, key: [i64; 2]) -> Result<Record, AppError> {
    editable(kind)?;
    store
        .snapshot()?
        .existing(kind, key)?
        .ok_or_else(|| not_found(kind, key))
}

/// Creates a record; the database assigns a chain's, node's, enterprise's or relation's
/// id. Analysts and admins only.
pub fn create(
    store: &mut Store,
    viewer: &Viewer,
    kind: RecordKind,
    form: &RecordForm,
) -> Result<[i64; 2], AppError> {
    editable(kind)?;
    viewer.require(Permission::Analyse)?;
    let mut record = read(kind, form)?;
    let mut writer = store.writer()?;
    refuse_missing(edit::missing_references(&writer, &record)?)?;
    let key = writer.create(&record).map_err(|e| write_error(kind, e))?;
    set_key(&mut record, key);
    let change = Change::new("create", entity(kind), key_text(kind, key)).after(json(&record));
    writer.commit(&viewer.actor(), &change)?;
    Ok(key)
}

/// Changes the record with `key` to what the form holds. Analysts and admins change any;
/// an enterprise user changes its own enterprise's profile, all but its credit code.
pub fn update(
    store: &mut Store,
    viewer: &Viewer,
    kind: RecordKind,
    key: [i64; 2],
    form: &RecordForm,
) -> Result<Record, AppError> {
    editable(kind)?;
    let own_profile =
        kind == RecordKind::Enterprise && may_edit_profile(viewer, EnterpriseId(key[0]));
    if !own_profile {
        viewer.require(Permission::Analyse)?;
    }
    let mut record = read(kind, form)?;
    if edit::assigns_id(kind) {
        set_key(&mut record, key);
    } else if record.key() != key {
        return Err(invalid(vec![FieldProblem {
            column: columns(kind)[1].name,
            message: text!(
                "不能更改：要连接其他记录，请删除这条后新建",
                "cannot change: to join other records, delete this one and create another"
            ),
        }]));
    }
    let mut writer = store.writer()?;
    let old = writer
        .record(kind, key)?
        .ok_or_else(|| not_found(kind, key))?;
    if let (Record::Enterprise(old), Record::Enterprise(new)) = (&old, &record) {
        if !viewer.may(Permission::Analyse) && old.credit_code != new.credit_code {
            return Err(invalid(vec![FieldProblem {
                column: "credit_code",
                message: text!(
                    "只能由产业链工作人员更改：请联系产业链办公室",
                    "only the chain office may change it: please contact them"
                ),
            }]));
        }
    }
    if old == record {
        return Ok(record);
    }
    refuse_missing(edit::missing_references(&writer, &record)?)?;
    writer.replace(&record).map_err(|e| write_error(kind, e))?;
    let change = Change::new("update", entity(kind), key_text(kind, key))
        .before(json(&old))
        .after(json(&record));
    writer.commit(&viewer.actor(), &change)?;
    Ok(record)
}

/// Deletes the record with `key`, unless something refers to it: then each kind of
/// reference is named (how many, and the first five). Analysts and admins only.
pub fn delete(
    store: &mut Store,
    viewer: &Viewer,
    kind: RecordKind,
    key: [i64; 2],
) -> Result<(), AppError> {
    editable(kind)?;
    viewer.require(Permission::Analyse)?;
    let mut writer = store.writer()?;
    let old = writer
        .record(kind, key)?
        .ok_or_else(|| not_found(kind, key))?;
    let references = writer.references_to(kind, key)?;
    if !references.is_empty() {
        let what = label(kind);
        let (zh, en) = (
            what.get(chainatlas_model::Lang::Zh),
            what.get(chainatlas_model::Lang::En),
        );
        let id = key_text(kind, key);
        let head = text!(
            "{zh}（{id}）仍被引用，没有删除",
            "the {en} ({id}) is still referred to and was not deleted"
        );
        let mut all = vec![head];
        all.extend(references);
        return Err(AppError::new(ErrorCode::RecordInUse, Text::join(&all)));
    }
    writer.delete(kind, key)?;
    let change = Change::new("delete", entity(kind), key_text(kind, key)).before(json(&old));
    writer.commit(&viewer.actor(), &change)?;
    Ok(())
}

/// Whether the viewer may read the record as its form shows it (private figures
/// included): analysts and admins, and an enterprise user its own profile.
pub fn may_read(viewer: &Viewer, kind: RecordKind, key: [i64; 2]) -> Result<(), AppError> {
    if kind == RecordKind::Enterprise && may_edit_profile(viewer, EnterpriseId(key[0])) {
        return Ok(());
    }
    viewer.require(Permission::Analyse)
}

/// Whether the viewer is an enterprise user acting for this enterprise.
pub fn may_edit_profile(viewer: &Viewer, enterprise: EnterpriseId) -> bool {
    viewer.principal.as_ref().is_some_and(|p| {
        p.may(Permission::Analyse)
            || (p.role == Role::Enterprise && p.enterprise == Some(enterprise))
    })
}

/// One record of a kind, in words: 企业 / enterprise.
pub fn label(kind: RecordKind) -> Text {
    let (zh, en) = match kind {
        RecordKind::Chain => ("产业链", "chain"),
        RecordKind::ChainNode => ("环节", "chain node"),
        RecordKind::NodeInput => ("环节投入关系", "node input"),
        RecordKind::Enterprise => ("企业", "enterprise"),
        RecordKind::EnterpriseNode => ("企业所在环节", "enterprise's node"),
        RecordKind::SupplyRelation => ("供应关系", "supply relation"),
        other => return other.label(),
    };
    Text::new(zh, en)
}

/// The audit log's name for a kind.
fn entity(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Chain => "chain",
        RecordKind::ChainNode => "chain_node",
        RecordKind::NodeInput => "node_input",
        RecordKind::Enterprise => "enterprise",
        RecordKind::EnterpriseNode => "enterprise_node",
        RecordKind::SupplyRelation => "supply_relation",
        other => other.as_str(),
    }
}

/// Reads a form into a record, every problem named by its field.
fn read(kind: RecordKind, form: &RecordForm) -> Result<Record, AppError> {
    let mut early = Vec::new();
    let record = edit::decode_fields(kind, |name| {
        let raw = form.get(name);
        match plain(kind, name, &raw) {
            Ok(value) => value,
            Err(message) => {
                early.push(FieldProblem {
                    column: columns(kind)
                        .iter()
                        .find(|c| c.name == name)
                        .map_or("", |c| c.name),
                    message,
                });
                String::new()
            }
        }
    });
    // A field made plain with a problem of its own is reported once, with that problem.
    match record {
        Ok(record) if early.is_empty() => Ok(record),
        Ok(_) => Err(invalid(early)),
        Err(mut problems) => {
            problems.retain(|p| !early.iter().any(|e| e.column == p.column));
            early.extend(problems);
            let order = |c: &str| columns(kind).iter().position(|x| x.name == c);
            early.sort_by_key(|p| order(p.column));
            Err(invalid(early))
        }
    }
}

/// What a person typed, as a bundle cell: a picker's `name #id` becomes the id, a region
/// as a picker sends it its code, an amount as people write it yuan.
fn plain(kind: RecordKind, name: &str, raw: &str) -> Result<String, Text> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(String::new());
    }
    if name == "region_code" {
        return match crate::view::parse_region_text(Some(raw)) {
            Ok(Some(code)) => Ok(code.to_string()),
            Ok(None) => Ok(String::new()),
            Err(e) => Err(strip_field(e.message())),
        };
    }
    if name.ends_with("_id") {
        return Ok(picked_id(raw).to_string());
    }
    if column_type(kind, name) == CellType::Money {
        return match Money::parse_written(raw) {
            Ok(m) => Ok(m.to_string()),
            Err(e) => Err(chainatlas_model::Explain::explain(&e)),
        };
    }
    Ok(raw.to_string())
}

/// `region：“x”不是地区…` without its field name: the form puts it beside the field.
fn strip_field(message: &Text) -> Text {
    let zh = message.get(chainatlas_model::Lang::Zh);
    let en = message.get(chainatlas_model::Lang::En);
    Text::new(
        zh.split_once('：').map_or(zh, |(_, m)| m),
        en.split_once(": ").map_or(en, |(_, m)| m),
    )
}

fn set_key(record: &mut Record, key: [i64; 2]) {
    match record {
        Record::Chain(c) => c.id.0 = key[0],
        Record::ChainNode(n) => n.id.0 = key[0],
        Record::Enterprise(e) => e.id.0 = key[0],
        Record::SupplyRelation(s) => s.id.0 = key[0],
        _ => {}
    }
}

/// A record as the audit log keeps it: a JSON object of its bundle columns.
fn json(record: &Record) -> String {
    let map: serde_json::Map<String, serde_json::Value> = edit::fields(record)
        .into_iter()
        .map(|(k, v)| (k.to_string(), serde_json::Value::String(v)))
        .collect();
    serde_json::Value::Object(map).to_string()
}

fn refuse_missing(problems: Vec<FieldProblem>) -> Result<(), AppError> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(invalid(problems))
    }
}

/// A column as a form labels it: 统一社会信用代码 / Unified social credit code.
pub fn field_label(name: &str) -> Text {
    let (zh, en) = match name {
        "id" => ("编号", "Id"),
        "code" => ("代码", "Code"),
        "name_zh" => ("中文名称", "Chinese name"),
        "name_en" => ("英文名称", "English name"),
        "chain_id" => ("所属产业链", "Chain"),
        "segment" => ("链段", "Segment"),
        "input_node_id" => ("投入环节（被采购）", "Input node (bought)"),
        "output_node_id" => ("产出环节（采购方）", "Output node (buys)"),
        "credit_code" => ("统一社会信用代码", "Unified social credit code"),
        "region_code" => ("所在地区", "Region"),
        "size" => ("企业规模", "Size"),
        "tags" => ("标签", "Tags"),
        "revenue" => ("年营业收入", "Annual revenue"),
        "employees" => ("从业人数", "Employees"),
        "source" => ("数据来源", "Source"),
        "other_names" => (
            "别名（简称、曾用名，用 ; 分隔）",
            "Other names (short, former; separated by ;)",
        ),
        "address" => ("地址", "Address"),
        "phone" => ("电话", "Phone"),
        "legal_representative" => ("法定代表人", "Legal representative"),
        "industry_code" => (
            "国民经济行业代码（GB/T 4754-2017，2–4 位）",
            "National industry code (GB/T 4754-2017, 2–4 digits)",
        ),
        "enterprise_id" => ("企业", "Enterprise"),
        "node_id" => ("环节", "Chain node"),
        "output" => ("年产值", "Annual output"),
        "capacity" => ("年产能（按产值）", "Annual capacity (value)"),
        "supplier_id" => ("供货企业", "Supplier"),
        "buyer_id" => ("采购企业", "Buyer"),
        "annual_value" => ("年交易额", "Annual value"),
        other => (other, other),
    };
    Text::new(zh, en)
}

/// The refusal of a form: every problem, each after its field's label and column
/// (`统一社会信用代码（credit_code）：…`).
pub fn invalid(problems: Vec<FieldProblem>) -> AppError {
    let texts: Vec<Text> = problems
        .iter()
        .map(|p| {
            let label = field_label(p.column);
            let column = p.column;
            let (zh, en) = (
                label.get(chainatlas_model::Lang::Zh),
                label.get(chainatlas_model::Lang::En),
            );
            p.message
                .after(&text!("{zh}（{column}）", "{en} ({column})"))
        })
        .collect();
    AppError::new(ErrorCode::InvalidRecord, Text::join(&texts))
}

fn write_error(kind: RecordKind, e: InsertError) -> AppError {
    match e {
        InsertError::Store(s) => AppError::from(s),
        InsertError::Duplicate { columns } => {
            let what = label(kind);
            let (zh, en) = (
                what.get(chainatlas_model::Lang::Zh),
                what.get(chainatlas_model::Lang::En),
            );
            let column = columns.split(", ").next().unwrap_or("id").to_string();
            let column: &'static str = chainatlas_bundle::columns(kind)
                .iter()
                .find(|c| c.name == column)
                .map_or("id", |c| c.name);
            invalid(vec![FieldProblem {
                column,
                message: text!(
                    "已有相同{columns}的{zh}",
                    "another {en} has the same {columns}"
                ),
            }])
        }
        other => AppError::new(
            ErrorCode::InvalidRecord,
            chainatlas_model::Explain::explain(&other),
        ),
    }
}

fn not_found(kind: RecordKind, key: [i64; 2]) -> AppError {
    let id = key_text(kind, key);
    match kind {
        RecordKind::Enterprise => crate::view::enterprise_not_found(key[0]),
        RecordKind::Chain => AppError::new(
            ErrorCode::ChainNotFound,
            text!("没有编号为 {id} 的产业链", "no chain with id {id}"),
        ),
        RecordKind::ChainNode => AppError::new(
            ErrorCode::NodeNotFound,
            text!("没有编号为 {id} 的环节", "no chain node with id {id}"),
        ),
        _ => {
            let what = label(kind);
            let (zh, en) = (
                what.get(chainatlas_model::Lang::Zh),
                what.get(chainatlas_model::Lang::En),
            );
            AppError::new(
                ErrorCode::RecordNotFound,
                text!("没有编号为 {id} 的{zh}", "no {en} with key {id}"),
            )
        }
    }
}
