//! `/api/v1/resolutions` (enterprise lists resolved against the atlas: upload, map,
//! review, commit, undo), `/api/v1/duplicates` and `/api/v1/merges`.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::core::api::{body, ApiResult, ErrorBody, Params};
use crate::core::auth::Viewer;
use crate::core::error::{request_lang, ApiError};
use crate::core::AppState;
use chainatlas_app::resolution::{
    self as res, DuplicatePair, ListSummary, ListView, MergeView, RowFilter,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/resolutions", post(upload).get(lists))
        .route("/resolutions/{id}", get(list))
        .route("/resolutions/{id}/mapping", post(map))
        .route("/resolutions/{id}/rows", post(choose_all))
        .route("/resolutions/{id}/rows/{row}", post(choose))
        .route("/resolutions/{id}/commit", post(commit))
        .route("/resolutions/{id}/undo", post(undo))
        .route("/duplicates", get(duplicates))
        .route("/merges", post(merge))
        .route("/merges/{id}", get(merge_view))
        .route("/merges/{id}/undo", post(undo_merge))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub(crate) struct UploadParams {
    /// The file's name; `.xlsx` or `.csv` (the content decides: a zip is a workbook).
    name: Option<String>,
}

/// The list's file as stored: a workbook when its bytes are a zip, else CSV.
fn named_upload(dir: &tempfile::TempDir) -> Result<std::path::PathBuf, ApiError> {
    use std::io::Read;
    let upload = chainatlas_app::imports::upload_file(dir.path());
    let mut magic = [0u8; 4];
    let n = std::fs::File::open(&upload)
        .and_then(|mut f| f.read(&mut magic))
        .map_err(|e| {
            ApiError::from(chainatlas_app::AppError::internal(format!(
                "cannot read the upload: {e}"
            )))
        })?;
    let name = if n == 4 && magic == *b"PK\x03\x04" {
        "list.xlsx"
    } else {
        "list.csv"
    };
    let path = dir.path().join(name);
    std::fs::rename(&upload, &path).map_err(|e| {
        ApiError::from(chainatlas_app::AppError::internal(format!(
            "cannot keep the upload: {e}"
        )))
    })?;
    Ok(path)
}

#[utoipa::path(post, path = "/api/v1/resolutions", tag = "resolution",
    params(UploadParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "An .xlsx workbook (its first sheet) or a UTF-8 .csv file, the header on the first row; at most 20,000 rows"),
    responses((status = 201, description = "Kept, columns recognised, not resolved yet", body = ListView),
        (status = 403, description = "Analysts and admins only", body = ErrorBody),
        (status = 422, description = "Not a readable list, or over 20,000 rows: the problem located", body = ErrorBody)))]
pub(crate) async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Params(params): Params<UploadParams>,
    body: Body,
) -> Result<(StatusCode, Json<ListView>), ApiError> {
    viewer.require(chainatlas_auth::Permission::Analyse)?;
    let dir = crate::core::upload::receive(body).await?;
    let path = named_upload(&dir)?;
    let name: String = params
        .name
        .unwrap_or_else(|| "list.xlsx".into())
        .chars()
        .take(200)
        .collect();
    let lang = request_lang(&headers);
    let view = state
        .write(move |store| {
            let id = res::upload(store, &viewer, &path, &name)?;
            drop(dir);
            res::view(store, &viewer, id, lang, &RowFilter::default())
        })
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, path = "/api/v1/resolutions", tag = "resolution",
    responses((status = 200, description = "The last 50 lists, newest first", body = Vec<ListSummary>),
        (status = 403, description = "Analysts and admins only", body = ErrorBody)))]
pub(crate) async fn lists(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
) -> ApiResult<Vec<ListSummary>> {
    let lang = request_lang(&headers);
    Ok(Json(
        state
            .read(move |store| res::lists(store, &viewer, lang))
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/resolutions/{id}", tag = "resolution",
    params(("id" = i64, Path), RowFilter),
    responses((status = 200, description = "The list: mapping, counts, and the rows asked for with their proposals, candidates side by side, choices and outcomes", body = ListView),
        (status = 404, description = "No such list", body = ErrorBody)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Params(filter): Params<RowFilter>,
) -> ApiResult<ListView> {
    let lang = request_lang(&headers);
    Ok(Json(
        state
            .read(move |store| res::view(store, &viewer, id, lang, &filter))
            .await?,
    ))
}

/// The columns to read each field from.
#[derive(Deserialize, ToSchema)]
pub struct MappingBody {
    /// Field → the header as written (a list for `region` and `other_names`). Fields not
    /// given are recognised by their header.
    #[serde(default)]
    pub mapping: BTreeMap<String, OneOrMany>,
}

#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[utoipa::path(post, path = "/api/v1/resolutions/{id}/mapping", tag = "resolution",
    params(("id" = i64, Path)),
    request_body(content = MappingBody),
    responses((status = 200, description = "Every row resolved against the atlas: match, review or new (earlier choices cleared)", body = ListView),
        (status = 409, description = "Already committed", body = ErrorBody),
        (status = 422, description = "A row cannot be read under this mapping (each named)", body = ErrorBody)))]
pub(crate) async fn map(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<i64>,
    payload: Result<Json<MappingBody>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<ListView> {
    let lang = request_lang(&headers);
    let chosen: Vec<(String, String)> = body(payload)?
        .mapping
        .into_iter()
        .flat_map(|(field, columns)| {
            let columns = match columns {
                OneOrMany::One(c) => vec![c],
                OneOrMany::Many(cs) => cs,
            };
            columns.into_iter().map(move |c| (field.clone(), c))
        })
        .collect();
    Ok(Json(
        state
            .write(move |store| {
                res::propose(store, &viewer, id, &chosen)?;
                res::view(store, &viewer, id, lang, &RowFilter::default())
            })
            .await?,
    ))
}

/// A reviewer's choice for one row.
#[derive(Deserialize, ToSchema)]
pub struct ChoiceBody {
    /// `confirm` (the proposed enterprise), `reject` (add as new), `choose` (with
    /// `enterprise`), `skip`, or `proposed` (back to the proposal).
    pub choice: String,
    pub enterprise: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct Done {
    pub ok: bool,
    /// Fields an undo left as they are, because they were changed since.
    pub kept: Vec<String>,
}

#[utoipa::path(post, path = "/api/v1/resolutions/{id}/rows/{row}", tag = "resolution",
    params(("id" = i64, Path), ("row" = u64, Path, description = "The row number in the file")),
    request_body(content = ChoiceBody),
    responses((status = 200, description = "Recorded", body = Done),
        (status = 404, description = "No such list, row or enterprise", body = ErrorBody),
        (status = 409, description = "Not in review (committed or undone)", body = ErrorBody)))]
pub(crate) async fn choose(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, row)): Path<(i64, u64)>,
    payload: Result<Json<ChoiceBody>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<Done> {
    let ChoiceBody { choice, enterprise } = body(payload)?;
    let enterprise = enterprise.map(|e| e.to_string()).unwrap_or_default();
    state
        .write(move |store| res::choose(store, &viewer, id, row, &choice, &enterprise))
        .await?;
    Ok(Json(Done {
        ok: true,
        kept: Vec::new(),
    }))
}

/// One choice for many rows.
#[derive(Deserialize, ToSchema)]
pub struct ChoiceAllBody {
    /// The rows: those proposed as `match`, `review` or `new`, or `undecided` (review
    /// rows nobody has decided).
    pub decision: String,
    /// `confirm`, `reject`, `skip` or `proposed`.
    pub choice: String,
}

#[derive(Serialize, ToSchema)]
pub struct Chosen {
    /// Rows given the choice.
    pub count: u64,
}

#[utoipa::path(post, path = "/api/v1/resolutions/{id}/rows", tag = "resolution",
    params(("id" = i64, Path)),
    request_body(content = ChoiceAllBody),
    responses((status = 200, description = "Recorded for every such row", body = Chosen),
        (status = 400, description = "Unknown rows or choice", body = ErrorBody),
        (status = 409, description = "Not in review", body = ErrorBody)))]
pub(crate) async fn choose_all(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    payload: Result<Json<ChoiceAllBody>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<Chosen> {
    let ChoiceAllBody { decision, choice } = body(payload)?;
    let count = state
        .write(move |store| res::choose_all(store, &viewer, id, &decision, &choice))
        .await?;
    Ok(Json(Chosen { count }))
}

#[utoipa::path(post, path = "/api/v1/resolutions/{id}/commit", tag = "resolution",
    params(("id" = i64, Path)),
    responses((status = 200, description = "Committed: enterprises enriched and added, all at once", body = ListView),
        (status = 409, description = "Not in review, or rows that cannot be carried out (each named); nothing written", body = ErrorBody)))]
pub(crate) async fn commit(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> ApiResult<ListView> {
    let lang = request_lang(&headers);
    Ok(Json(
        state
            .write(move |store| {
                res::commit(store, &viewer, id)?;
                res::view(store, &viewer, id, lang, &RowFilter::default())
            })
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/resolutions/{id}/undo", tag = "resolution",
    params(("id" = i64, Path)),
    responses((status = 200, description = "Undone: added enterprises deleted, filled fields put back", body = Done),
        (status = 409, description = "Not committed, or an added enterprise is referred to now (named); nothing changed", body = ErrorBody)))]
pub(crate) async fn undo(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> ApiResult<Done> {
    let lang = request_lang(&headers);
    let kept = state
        .write(move |store| res::undo(store, &viewer, id))
        .await?;
    Ok(Json(Done {
        ok: true,
        kept: kept.iter().map(|t| t.get(lang).to_string()).collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/duplicates", tag = "resolution",
    responses((status = 200, description = "Pairs of enterprises that look like one, surest first (at most 200)", body = Vec<DuplicatePair>),
        (status = 403, description = "Analysts and admins only", body = ErrorBody)))]
pub(crate) async fn duplicates(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
) -> ApiResult<Vec<DuplicatePair>> {
    let lang = request_lang(&headers);
    let cache = state.app.duplicates.clone();
    let pairs = state
        .read(move |store| res::duplicates(store, &cache, &viewer, lang))
        .await?;
    Ok(Json(pairs.as_ref().clone()))
}

#[derive(Deserialize, ToSchema)]
pub struct MergeBody {
    /// The enterprise kept.
    pub survivor: i64,
    /// The enterprise merged into it and deleted.
    pub merged: i64,
}

#[utoipa::path(post, path = "/api/v1/merges", tag = "resolution",
    request_body(content = MergeBody),
    responses((status = 201, description = "Merged; everything moved is recorded", body = MergeView),
        (status = 404, description = "No such enterprise", body = ErrorBody),
        (status = 409, description = "Refused (the same enterprise, or both in one event): nothing changed", body = ErrorBody)))]
pub(crate) async fn merge(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    payload: Result<Json<MergeBody>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<MergeView>), ApiError> {
    let lang = request_lang(&headers);
    let MergeBody { survivor, merged } = body(payload)?;
    let view = state
        .write(move |store| {
            let id = res::merge(store, &viewer, &survivor.to_string(), &merged.to_string())?;
            res::merge_view(store, &viewer, id, lang)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, path = "/api/v1/merges/{id}", tag = "resolution",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The merge and what it moved", body = MergeView),
        (status = 404, description = "No such merge", body = ErrorBody)))]
pub(crate) async fn merge_view(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> ApiResult<MergeView> {
    let lang = request_lang(&headers);
    Ok(Json(
        state
            .read(move |store| res::merge_view(store, &viewer, id, lang))
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/merges/{id}/undo", tag = "resolution",
    params(("id" = i64, Path)),
    responses((status = 200, description = "Undone: the merged enterprise is back with its id, its records returned", body = MergeView),
        (status = 409, description = "Already undone, or its id or credit code taken since: nothing changed", body = ErrorBody)))]
pub(crate) async fn undo_merge(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> ApiResult<MergeView> {
    let lang = request_lang(&headers);
    Ok(Json(
        state
            .write(move |store| {
                res::undo_merge(store, &viewer, id)?;
                res::merge_view(store, &viewer, id, lang)
            })
            .await?,
    ))
}
