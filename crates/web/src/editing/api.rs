//! `/api/v1/records/{kind}`: create, read, replace and delete one atlas record. The body is
//! a JSON object of the kind's bundle columns (docs/data-format.md), each a string or a
//! number; amounts may be written as people write them (`"1200万"`).

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

use super::kind_of;
use crate::core::api::{body, ApiResult, ErrorBody};
use crate::core::auth::Viewer;
use crate::core::error::{ApiError, AppError, ErrorCode};
use crate::core::AppState;
use chainatlas_app::editing::{self, RecordForm};
use chainatlas_model::{Record, RecordKind};

pub fn routes() -> Router<AppState> {
    Router::new().route("/records/{kind}", post(create)).route(
        "/records/{kind}/{key}",
        axum::routing::get(read).put(update).delete(delete),
    )
}

/// One record: its kind (the bundle file), its key as paths name it (`12`, or `3-7` for
/// a pair), and its columns as an export writes them (amounts in yuan).
#[derive(Serialize, ToSchema)]
pub struct RecordDto {
    pub kind: String,
    pub key: String,
    pub fields: BTreeMap<String, String>,
}

impl RecordDto {
    fn of(record: &Record) -> RecordDto {
        let kind = record.kind();
        RecordDto {
            kind: kind.as_str().to_string(),
            key: editing::key_text(kind, record.key()),
            fields: chainatlas_bundle::edit::fields(record)
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        }
    }
}

/// A JSON object's fields as a form's: strings as they are, numbers written out, a list
/// joined by `;`.
fn form_of(object: serde_json::Map<String, serde_json::Value>) -> Result<RecordForm, AppError> {
    use serde_json::Value;
    let mut fields = Vec::new();
    for (name, value) in object {
        let text = match value {
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            Value::Null => String::new(),
            Value::Array(items) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(";"),
            other => {
                return Err(AppError::new(
                    ErrorCode::InvalidBody,
                    chainatlas_app::text!(
                        "{name}：应为文字或数字，收到 {other}",
                        "{name}: expected text or a number, got {other}"
                    ),
                ))
            }
        };
        fields.push((name, text));
    }
    RecordForm::new(fields)
}

fn parse(kind: &str, key: &str) -> Result<(RecordKind, [i64; 2]), AppError> {
    let kind = kind_of(kind)?;
    Ok((kind, editing::parse_key(kind, key)?))
}

type Object = serde_json::Map<String, serde_json::Value>;

#[utoipa::path(post, path = "/api/v1/records/{kind}", tag = "editing",
    params(("kind" = String, Path, description = "chains, chain_nodes, node_inputs, enterprises, enterprise_nodes or supply_relations")),
    request_body(content = Object, description = "The kind's bundle columns; no id for chains, nodes, enterprises and relations (the database assigns it)"),
    responses((status = 201, description = "Created", body = RecordDto),
        (status = 400, description = "Invalid record: every field named, as an import names it", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "Not an analyst or admin", body = ErrorBody)))]
pub(crate) async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(kind): Path<String>,
    payload: Result<Json<Object>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<RecordDto>), ApiError> {
    let kind = kind_of(&kind)?;
    let form = form_of(body(payload)?)?;
    let record = state
        .write(move |store| {
            let key = editing::create(store, &viewer, kind, &form)?;
            editing::load(store, kind, key)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(RecordDto::of(&record))))
}

#[utoipa::path(get, path = "/api/v1/records/{kind}/{key}", tag = "editing",
    params(("kind" = String, Path), ("key" = String, Path, description = "id, or two ids joined by '-' for node inputs and enterprise nodes")),
    responses((status = 200, description = "The record, as a form edits it", body = RecordDto),
        (status = 403, description = "Not an analyst or admin, nor the enterprise itself", body = ErrorBody),
        (status = 404, description = "No such record", body = ErrorBody)))]
pub(crate) async fn read(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((kind, key)): Path<(String, String)>,
) -> ApiResult<RecordDto> {
    let (kind, key) = parse(&kind, &key)?;
    let record = state
        .read(move |store| {
            editing::may_read(&viewer, kind, key)?;
            editing::load(store, kind, key)
        })
        .await?;
    Ok(Json(RecordDto::of(&record)))
}

#[utoipa::path(put, path = "/api/v1/records/{kind}/{key}", tag = "editing",
    params(("kind" = String, Path), ("key" = String, Path)),
    request_body(content = Object, description = "Every column of the record; its key stays"),
    responses((status = 200, description = "Replaced", body = RecordDto),
        (status = 400, description = "Invalid record", body = ErrorBody),
        (status = 403, description = "Not allowed", body = ErrorBody),
        (status = 404, description = "No such record", body = ErrorBody)))]
pub(crate) async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((kind, key)): Path<(String, String)>,
    payload: Result<Json<Object>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<RecordDto> {
    let (kind, key) = parse(&kind, &key)?;
    let form = form_of(body(payload)?)?;
    let record = state
        .write(move |store| editing::update(store, &viewer, kind, key, &form))
        .await?;
    Ok(Json(RecordDto::of(&record)))
}

#[utoipa::path(delete, path = "/api/v1/records/{kind}/{key}", tag = "editing",
    params(("kind" = String, Path), ("key" = String, Path)),
    responses((status = 204, description = "Deleted"),
        (status = 403, description = "Not an analyst or admin", body = ErrorBody),
        (status = 404, description = "No such record", body = ErrorBody),
        (status = 409, description = "Still referred to: each reference named (record_in_use)", body = ErrorBody)))]
pub(crate) async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((kind, key)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (kind, key) = parse(&kind, &key)?;
    state
        .write(move |store| editing::delete(store, &viewer, kind, key))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
