//! The forms that create, change and delete one atlas record: `/records/{kind}/new`,
//! `/records/{kind}/{key}` and `/records/{kind}/{key}/delete`. One form serves every
//! editable kind: its fields are the kind's bundle columns, each with a label in the
//! page's language and the widget its values need (a picker for a region, chain, node or
//! enterprise; a list for a closed vocabulary; check boxes for tags).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chainatlas_bundle::edit::assigns_id;
use chainatlas_bundle::{columns, CellType};
use chainatlas_model::{
    ChainId, EnterpriseId, EnterpriseSize, NodeId, Record, RecordKind, RegionCode, Segment, Tag,
};
use chainatlas_store::Store;

use super::kind_of;
use crate::core::auth::Viewer;
use crate::core::error::AppError;
use crate::core::form::PageForm;
use crate::core::i18n::{segment_name, tag_label, Lang, LangTexts, PageLang};
use crate::core::layout::{posted, render, Layout, OrPage, PageError};
use crate::core::AppState;
use chainatlas_app::editing::{self, RecordForm};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/records/{kind}/new", get(new_form).post(create))
        .route("/records/{kind}/{key}", get(edit_form).post(update))
        .route("/records/{kind}/{key}/delete", post(delete))
}

/// One field of the form.
pub struct Field {
    pub name: &'static str,
    pub label: String,
    pub value: String,
    /// text, number, amount, select, tags, picker or fixed (shown, sent, not editable).
    pub widget: &'static str,
    /// For a picker: region, chain, node or enterprise (`assets/picker.js`).
    pub picker: &'static str,
    pub hint: String,
    pub choices: Vec<Choice>,
    pub required: bool,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "editing/record.html")]
struct RecordPage {
    layout: Layout,
    heading: String,
    action: String,
    fields: Vec<Field>,
    error: Option<String>,
    /// Where the delete button posts, on an existing record for those who may delete.
    delete_action: Option<String>,
    save: &'static str,
    delete: &'static str,
    delete_confirm: &'static str,
}

/// A column's label in the page's language.
fn label(lang: Lang, name: &str) -> String {
    editing::field_label(name).get(lang).to_string()
}

/// A reference as a picker shows it, `name #id`, or the value as it is when it does not
/// name a record.
fn referenced(store: &Store, lang: Lang, name: &str, value: &str) -> Result<String, AppError> {
    let Ok(id) = value.trim().parse::<i64>() else {
        return Ok(value.to_string());
    };
    let found = match name {
        "chain_id" => store
            .chain(ChainId(id))?
            .map(|c| lang.pick(&c.name_zh, &c.name_en).to_string()),
        "node_id" | "input_node_id" | "output_node_id" => store
            .node(NodeId(id))?
            .map(|n| lang.pick(&n.name_zh, &n.name_en).to_string()),
        "enterprise_id" | "supplier_id" | "buyer_id" => store
            .enterprise(EnterpriseId(id))?
            .map(|e| lang.pick(&e.name_zh, &e.name_en).to_string()),
        "region_code" => {
            return Ok(match value.parse::<RegionCode>() {
                Ok(code) => store.region(code)?.map_or(value.to_string(), |r| {
                    format!("{} {}", lang.pick(&r.name_zh, &r.name_en), r.code)
                }),
                Err(_) => value.to_string(),
            })
        }
        _ => None,
    };
    Ok(found.map_or(value.to_string(), |n| {
        format!("{} #{id}", n.replace('#', "＃"))
    }))
}

/// The form's fields for `kind`, holding `form`'s values (references shown by name when
/// `names` is set, as for a stored record), with `fixed` columns not editable.
fn fields(
    store: &Store,
    lang: Lang,
    kind: RecordKind,
    form: &RecordForm,
    names: bool,
    fixed: &[&str],
) -> Result<Vec<Field>, AppError> {
    let t = lang.texts();
    let mut out = Vec::new();
    for column in columns(kind) {
        let name = column.name;
        let mut value = form.get(name);
        if name == "id" && assigns_id(kind) {
            if value.is_empty() {
                continue; // a new record: the database assigns it
            }
            out.push(field(lang, name, value, "fixed", column.required));
            continue;
        }
        let picker = match name {
            "region_code" => "region",
            "chain_id" => "chain",
            "enterprise_id" | "supplier_id" | "buyer_id" => "enterprise",
            n if n.ends_with("node_id") => "node",
            _ => "",
        };
        if names && !picker.is_empty() {
            value = referenced(store, lang, name, &value)?;
        }
        let mut f = field(lang, name, value, "text", column.required);
        if fixed.contains(&name) {
            f.widget = "fixed";
        } else if !picker.is_empty() {
            f.widget = "picker";
            f.picker = picker;
            f.hint = match picker {
                "region" => t.region_pick_hint,
                "enterprise" => t.enterprise_hint,
                _ => lang.pick("输入名称或代码", "name or code"),
            }
            .to_string();
        } else if column.cell == CellType::Money {
            f.widget = "amount";
            f.hint = t.amount_hint.to_string();
        } else if column.cell == CellType::Integer {
            f.widget = "number";
        } else if name == "segment" {
            f.widget = "select";
            f.choices = Segment::ALL
                .iter()
                .map(|s| choice(s.as_str(), segment_name(t, *s), &f.value))
                .collect();
        } else if name == "size" {
            f.widget = "select";
            f.choices = EnterpriseSize::ALL
                .iter()
                .map(|s| choice(s.as_str(), s.name(lang), &f.value))
                .collect();
        } else if name == "tags" {
            f.widget = "tags";
            let held: Vec<&str> = f.value.split([';', ',']).map(str::trim).collect();
            f.choices = Tag::ALL
                .iter()
                .map(|tag| Choice {
                    value: tag.as_str().to_string(),
                    label: tag_label(lang, *tag).to_string(),
                    selected: held.contains(&tag.as_str()),
                })
                .collect();
        }
        out.push(f);
    }
    Ok(out)
}

fn field(
    lang: Lang,
    name: &'static str,
    value: String,
    widget: &'static str,
    required: bool,
) -> Field {
    Field {
        name,
        label: label(lang, name),
        value,
        widget,
        picker: "",
        hint: String::new(),
        choices: Vec::new(),
        required,
    }
}

fn choice(value: &str, label: &str, current: &str) -> Choice {
    Choice {
        value: value.to_string(),
        label: label.to_string(),
        selected: value == current,
    }
}

/// The columns of a record that its form shows but does not change: the pair a node
/// input or an enterprise's node joins, and an enterprise's credit code for its own user.
fn fixed_columns(kind: RecordKind, viewer: &Viewer) -> Vec<&'static str> {
    match kind {
        RecordKind::NodeInput => vec!["input_node_id", "output_node_id"],
        RecordKind::EnterpriseNode => vec!["enterprise_id", "node_id"],
        RecordKind::Enterprise if !viewer.may(chainatlas_auth::Permission::Analyse) => {
            vec!["credit_code"]
        }
        _ => Vec::new(),
    }
}

fn heading(lang: Lang, kind: RecordKind, new: bool) -> String {
    let what = editing::label(kind);
    match (lang, new) {
        (Lang::Zh, true) => format!("新建{}", what.zh),
        (Lang::Zh, false) => format!("编辑{}", what.zh),
        (Lang::En, true) => format!("New {}", what.en),
        (Lang::En, false) => format!("Edit {}", what.en),
    }
}

/// Where a saved record is seen: its own page, or the page of what it belongs to.
fn page_of(record: &Record) -> String {
    match record {
        Record::Chain(c) => format!("/chains/{}", c.code),
        Record::ChainNode(n) => format!("/nodes/{}", n.id.0),
        Record::NodeInput(i) => format!("/nodes/{}", i.output.0),
        Record::Enterprise(e) => format!("/enterprises/{}", e.id.0),
        Record::EnterpriseNode(en) => format!("/enterprises/{}", en.enterprise.0),
        Record::SupplyRelation(s) => format!("/enterprises/{}", s.supplier.0),
        _ => "/".to_string(),
    }
}

/// Where to go once a record is deleted: what it belonged to.
fn after_delete(store: &Store, record: &Record) -> Result<String, AppError> {
    Ok(match record {
        Record::Chain(_) => "/chains".to_string(),
        Record::ChainNode(n) => store
            .chain(n.chain)?
            .map_or("/chains".to_string(), |c| format!("/chains/{}", c.code)),
        Record::Enterprise(_) => "/".to_string(),
        other => page_of(other),
    })
}

struct Words {
    save: &'static str,
    delete: &'static str,
    delete_confirm: &'static str,
}

fn words(lang: Lang) -> Words {
    Words {
        save: lang.pick("保存", "Save"),
        delete: lang.pick("删除", "Delete"),
        delete_confirm: lang.pick(
            "确认删除：删除后不能恢复；仍被引用的记录不会被删除",
            "Confirm delete: it cannot be undone; a record still referred to is not deleted",
        ),
    }
}

#[allow(clippy::too_many_arguments)]
fn page(
    store: &Store,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    kind: RecordKind,
    key: Option<[i64; 2]>,
    form: &RecordForm,
    names: bool,
    error: Option<String>,
) -> Result<RecordPage, AppError> {
    let heading = heading(lang, kind, key.is_none());
    let fixed = match key {
        Some(_) => fixed_columns(kind, viewer),
        None => Vec::new(),
    };
    let base = format!("/records/{}", kind.as_str());
    let (action, delete_action) = match key {
        None => (format!("{base}/new"), None),
        Some(key) => {
            let at = format!("{base}/{}", editing::key_text(kind, key));
            let delete = viewer
                .may(chainatlas_auth::Permission::Analyse)
                .then(|| format!("{at}/delete"));
            (at, delete)
        }
    };
    let w = words(lang);
    Ok(RecordPage {
        layout: Layout::new(lang, heading.clone(), uri, viewer),
        heading,
        action,
        fields: fields(store, lang, kind, form, names, &fixed)?,
        error,
        delete_action,
        save: w.save,
        delete: w.delete,
        delete_confirm: w.delete_confirm,
    })
}

async fn new_form(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(kind): Path<String>,
    Query(given): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let kind = kind_of(&kind).or_page(lang, &uri, &viewer)?;
    viewer
        .require(chainatlas_auth::Permission::Analyse)
        .or_page(lang, &uri, &viewer)?;
    // A link may fill in what the new record belongs to (`?node_id=12`).
    let prefill: Vec<(String, String)> = columns(kind)
        .iter()
        .filter_map(|c| given.get(c.name).map(|v| (c.name.to_string(), v.clone())))
        .filter(|(name, _)| name != "id")
        .collect();
    let form = RecordForm::new(prefill).or_page(lang, &uri, &viewer)?;
    let (u, v) = (uri.clone(), viewer.clone());
    let page = state
        .read(move |store| page(store, lang, &u, &v, kind, None, &form, true, None))
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(render(&page))
}

async fn create(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(kind): Path<String>,
    PageForm(sent): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let kind = kind_of(&kind).or_page(lang, &uri, &viewer)?;
    let form = RecordForm::new(sent).or_page(lang, &uri, &viewer)?;
    let (u, v) = (uri.clone(), viewer.clone());
    let result = state
        .write(move |store| {
            let saved = editing::create(store, &v, kind, &form)
                .and_then(|key| editing::load(store, kind, key))
                .map(|record| page_of(&record));
            let again =
                |error: String| page(store, lang, &u, &v, kind, None, &form, false, Some(error));
            posted(saved, lang, false, |next| next.clone(), again)
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(result.into_response())
}

async fn edit_form(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path((kind, key)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let kind = kind_of(&kind).or_page(lang, &uri, &viewer)?;
    let key = editing::parse_key(kind, &key).or_page(lang, &uri, &viewer)?;
    let (u, v) = (uri.clone(), viewer.clone());
    let page = state
        .read(move |store| {
            editing::may_read(&v, kind, key)?;
            let record = editing::load(store, kind, key)?;
            let form = RecordForm::of(&record);
            page(store, lang, &u, &v, kind, Some(key), &form, true, None)
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(render(&page))
}

async fn update(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path((kind, key)): Path<(String, String)>,
    PageForm(sent): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let kind = kind_of(&kind).or_page(lang, &uri, &viewer)?;
    let key = editing::parse_key(kind, &key).or_page(lang, &uri, &viewer)?;
    let form = RecordForm::new(sent).or_page(lang, &uri, &viewer)?;
    let (u, v) = (uri.clone(), viewer.clone());
    let result = state
        .write(move |store| {
            let saved = editing::update(store, &v, kind, key, &form).map(|record| page_of(&record));
            let again = |error: String| {
                page(
                    store,
                    lang,
                    &u,
                    &v,
                    kind,
                    Some(key),
                    &form,
                    false,
                    Some(error),
                )
            };
            posted(saved, lang, false, |next| next.clone(), again)
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(result.into_response())
}

async fn delete(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path((kind, key)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let kind = kind_of(&kind).or_page(lang, &uri, &viewer)?;
    let key = editing::parse_key(kind, &key).or_page(lang, &uri, &viewer)?;
    let (u, v) = (uri.clone(), viewer.clone());
    let result = state
        .write(move |store| {
            let old = editing::load(store, kind, key)?;
            let deleted =
                editing::delete(store, &v, kind, key).and_then(|()| after_delete(store, &old));
            let again = |error: String| {
                let form = RecordForm::of(&old);
                page(
                    store,
                    lang,
                    &u,
                    &v,
                    kind,
                    Some(key),
                    &form,
                    true,
                    Some(error),
                )
            };
            posted(deleted, lang, true, |next| next.clone(), again)
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(result.into_response())
}
