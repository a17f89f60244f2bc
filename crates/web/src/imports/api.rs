//! `POST /api/v1/imports` (the body is the `.xlsx` or `.zip`), `GET /api/v1/imports/{id}`
//! and `POST /api/v1/imports/{id}/commit`.

use crate::core::api::*;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use crate::core::auth::Viewer;
use crate::core::error::request_lang;
use crate::core::error::ApiError;
use crate::core::error::AppError;
use crate::core::AppState;
use chainatlas_app::imports::{ExportFormat, ImportReport, Mode};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/imports", post(start))
        .route("/imports/{id}", get(report))
        .route("/imports/{id}/commit", post(commit))
        .route("/export", get(export))
}

/// `?format=`
#[derive(Deserialize)]
pub(crate) struct ExportParams {
    format: Option<ExportFormat>,
}

#[utoipa::path(get, path = "/api/v1/export", tag = "imports",
    params(("format" = Option<ExportFormat>, Query, description = "xlsx (default): one workbook; zip: the CSV files, for any size")),
    responses((status = 200, description = "The whole database as a bundle: the atlas, listings, events, requests, meetings and agreements; it imports back as it was", content_type = "application/octet-stream"),
        (status = 403, description = "Analysts and admins only: it holds every firm's private figures", body = ErrorBody),
        (status = 413, description = "A table is over a sheet's rows: ask for zip", body = ErrorBody)))]
pub(crate) async fn export(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(params): Params<ExportParams>,
) -> Result<Response, ApiError> {
    let format = params.format.unwrap_or(ExportFormat::Xlsx);
    let who = viewer.viewer.clone();
    let (dir, file) = state
        .read(move |store| chainatlas_app::imports::export_all(store, &who, format))
        .await?;
    let (content_type, name) = match format {
        ExportFormat::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "chainatlas.xlsx",
        ),
        ExportFormat::Zip => ("application/zip", "chainatlas.zip"),
    };
    let body = crate::core::stream_file(dir, file)
        .map_err(|e| AppError::internal(format!("cannot read the export: {e}")))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_string()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// How to import.
#[derive(Deserialize)]
pub(crate) struct ImportParams {
    /// `preview` (the default): check and count, change nothing; `commit`: write.
    mode: Option<Mode>,
    /// Replace the database's records with the bundle's instead of merging.
    replace: Option<bool>,
    /// Answer when the import is done (the default), or at once with its number.
    wait: Option<bool>,
    /// The uploaded file's name, for the report.
    name: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/imports", tag = "imports",
    params(("mode" = Option<Mode>, Query, description = "preview (default): run every check, count added, changed, unchanged and removed rows, roll back; commit: write all or nothing"),
        ("replace" = Option<bool>, Query, description = "true: the database's records the bundle lacks are removed (regions excepted); default false: merge by key"),
        ("wait" = Option<bool>, Query, description = "false: answer 202 at once and poll GET /api/v1/imports/{id}"),
        ("name" = Option<String>, Query, max_length = 200, description = "the file's name, shown in the report")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "An .xlsx workbook, or a .zip of the bundle's CSV files; at most 1 GiB"),
    responses((status = 200, description = "The import's report: changes per kind, every located problem (state refused: nothing was written)", body = ImportReport),
        (status = 202, description = "Started (wait=false)", body = ImportReport),
        (status = 403, description = "Analysts and admins only", body = ErrorBody),
        (status = 409, description = "Another import is running", body = ErrorBody),
        (status = 413, description = "Over 1 GiB", body = ErrorBody),
        (status = 422, description = "Not a workbook or a zip of CSV files", body = ErrorBody)))]
pub(crate) async fn start(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Params(params): Params<ImportParams>,
    body: Body,
) -> Result<Response, ApiError> {
    viewer.require(chainatlas_auth::Permission::Analyse)?;
    let upload = super::receive(body).await?;
    let name: String = params
        .name
        .unwrap_or_else(|| "upload".into())
        .chars()
        .take(200)
        .collect();
    let job = state.imports.start(
        &viewer,
        state.pool.path(),
        upload,
        name,
        params.mode.unwrap_or(Mode::Preview),
        params.replace.unwrap_or(false),
    )?;
    answer(&headers, job, params.wait.unwrap_or(true)).await
}

#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "imports",
    params(("id" = u64, Path, description = "The import's number")),
    responses((status = 200, description = "How far it is, or its report", body = ImportReport),
        (status = 404, description = "Not one of the viewer's last imports", body = ErrorBody)))]
pub(crate) async fn report(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<u64>,
) -> Result<Json<ImportReport>, ApiError> {
    let job = state.imports.get(&viewer, id)?;
    Ok(Json(ImportReport::of(&job, request_lang(&headers))))
}

#[utoipa::path(post, path = "/api/v1/imports/{id}/commit", tag = "imports",
    params(("id" = u64, Path, description = "A finished preview")),
    responses((status = 202, description = "The commit started from the previewed upload", body = ImportReport),
        (status = 404, description = "Not one of the viewer's last imports", body = ErrorBody),
        (status = 409, description = "Still running, already committed, or another import runs", body = ErrorBody)))]
pub(crate) async fn commit(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<u64>,
) -> Result<Response, ApiError> {
    let job = state
        .imports
        .commit_preview(&viewer, state.pool.path(), id)?;
    answer(&headers, job, false).await
}

/// The report when the import is done (`wait`), or at once with 202.
async fn answer(
    headers: &HeaderMap,
    job: std::sync::Arc<chainatlas_app::imports::Job>,
    wait: bool,
) -> Result<Response, ApiError> {
    let lang = request_lang(headers);
    if !wait {
        return Ok((StatusCode::ACCEPTED, Json(ImportReport::of(&job, lang))).into_response());
    }
    while !job.is_done() {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    if let Some(Err(e)) = job.outcome() {
        return Err(e.into());
    }
    Ok(Json(ImportReport::of(&job, lang)).into_response())
}
