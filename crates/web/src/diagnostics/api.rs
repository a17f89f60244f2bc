//! The JSON API under `/api/v1/`, its wire types and its OpenAPI document. Money is
//! sent as integer fen (`*_fen`), codes as strings, so that no client rounds anything.

use crate::core::api::*;

use axum::extract::{Path, RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};

use crate::core::auth::Viewer;
use crate::core::error::AppError;
use crate::core::AppState;
use chainatlas_app::diagnostics;
use chainatlas_app::view::MAX_LIMIT;
use chainatlas_auth::Permission;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/chains/{code}/diagnosis", get(diagnosis))
        .route("/chains/{code}/disruption", get(disruption))
        .route("/chains/{code}/chokepoints", get(chokepoints))
        .route("/chains/{code}/attraction", get(attraction))
}

pub(crate) async fn analyse<T: Send + 'static>(
    state: &AppState,
    viewer: &Viewer,
    raw: Option<String>,
    run: impl FnOnce(
            &chainatlas_store::Store,
            &chainatlas_app::cache::Caches,
            &diagnostics::DiagnosticsQuery,
        ) -> Result<T, AppError>
        + Send
        + 'static,
) -> ApiResult<T> {
    viewer.require(Permission::Analyse)?;
    let caches = state.app.caches.clone();
    let result = state
        .read(move |store| {
            let query = diagnostics::DiagnosticsQuery::parse(raw.as_deref(), false);
            run(store, &caches, &query)
        })
        .await?;
    Ok(Json(result))
}

#[utoipa::path(get, path = "/api/v1/chains/{code}/diagnosis", tag = "diagnostics",
    params(("code" = String, Path, description = "Chain code, e.g. rail"),
        ("region" = String, Query, pattern = r"^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])[0-9]{4}$", description = "6-digit division code of a province, city or district"),
        ("weak_below" = Option<f64>, Query, minimum = 0, description = "Location quotient below which a node is weak; default 0.5"),
        ("strong_from" = Option<f64>, Query, minimum = 0, description = "Location quotient from which a node is strong; default 1.5"),
        ("limit" = Option<u32>, Query, minimum = 0, maximum = 500, description = "Rows of each enterprise list; default 20")),
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "Node coverage, short boards, supporting rates and dependencies", body = diagnostics::DiagnosisDto),
        (status = 400, description = "Malformed or missing parameter", body = ErrorBody),
        (status = 403, description = "Role may not run analyses (enterprise accounts)", body = ErrorBody),
        (status = 404, description = "Unknown chain or region", body = ErrorBody)))]
pub(crate) async fn diagnosis(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<diagnostics::DiagnosisDto> {
    let today = viewer.today();
    analyse(&state, &viewer, raw, move |store, caches, q| {
        let region = q.required_region()?;
        let (thresholds, limit) = (q.thresholds()?, q.count("limit", 20, MAX_LIMIT)?);
        let graph = caches.graph(store)?;
        diagnostics::diagnosis(store, &graph, &code, region, thresholds, limit, today)
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/chains/{code}/disruption", tag = "diagnostics",
    params(("code" = String, Path, description = "Chain code, e.g. rail"),
        ("enterprise" = Option<Vec<i64>>, Query, explode = true, description = "Enterprise ids to remove (repeat the key or separate with commas)"),
        ("region" = Option<Vec<RegionCodeParam>>, Query, explode = true, description = "Division codes whose enterprises to remove"),
        ("node" = Option<Vec<i64>>, Query, explode = true, description = "Node ids of the chain to remove"),
        ("fraction" = Option<f64>, Query, minimum = 0, exclusive_minimum = 0, maximum = 1, description = "Share of the selected capacity removed; default 1"),
        ("limit" = Option<u32>, Query, minimum = 0, maximum = 500, description = "Rows of the enterprise and alternative lists; default 20")),
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "The loss, where it fell, how far it travelled, and alternatives; removing nothing loses nothing", body = diagnostics::DisruptionDto),
        (status = 400, description = "Malformed parameter", body = ErrorBody),
        (status = 403, description = "Role may not run analyses (enterprise accounts)", body = ErrorBody),
        (status = 404, description = "Unknown chain, node, region or enterprise", body = ErrorBody)))]
pub(crate) async fn disruption(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<diagnostics::DisruptionDto> {
    analyse(&state, &viewer, raw, move |store, caches, q| {
        let (shock, limit) = (q.shock()?, q.count("limit", 20, MAX_LIMIT)?);
        let graph = caches.graph(store)?;
        diagnostics::disruption(store, &graph, &code, &shock, limit)
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/chains/{code}/chokepoints", tag = "diagnostics",
    params(("code" = String, Path, description = "Chain code, e.g. rail"),
        ("region" = Option<String>, Query, pattern = r"^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])[0-9]{4}$", description = "Only candidates in this region; leave out for all"),
        ("top" = Option<u32>, Query, minimum = 0, maximum = 500, description = "Enterprises to rank; default 20")),
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "Enterprises and nodes whose failure alone loses the most output downstream", body = diagnostics::ChokepointsDto),
        (status = 400, description = "Malformed parameter", body = ErrorBody),
        (status = 403, description = "Role may not run analyses (enterprise accounts)", body = ErrorBody),
        (status = 404, description = "Unknown chain or region", body = ErrorBody)))]
pub(crate) async fn chokepoints(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<diagnostics::ChokepointsDto> {
    analyse(&state, &viewer, raw, move |store, caches, q| {
        let (region, top) = (q.region()?, q.count("top", 20, MAX_LIMIT)?);
        let ranking = caches.chokepoints(store, &code, region, top)?;
        Ok(std::sync::Arc::unwrap_or_clone(ranking))
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/chains/{code}/attraction", tag = "diagnostics",
    params(("code" = String, Path, description = "Chain code, e.g. rail"),
        ("region" = String, Query, pattern = r"^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])[0-9]{4}$", description = "6-digit division code"),
        ("weak_below" = Option<f64>, Query, minimum = 0, description = "As for the diagnosis"),
        ("strong_from" = Option<f64>, Query, minimum = 0, description = "As for the diagnosis"),
        ("limit" = Option<u32>, Query, minimum = 0, maximum = 500, description = "Targets per short board; default 10")),
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "For each short board, outside enterprises that could fill it, with reasons", body = diagnostics::AttractionDto),
        (status = 400, description = "Malformed or missing parameter", body = ErrorBody),
        (status = 403, description = "Role may not run analyses (enterprise accounts)", body = ErrorBody),
        (status = 404, description = "Unknown chain or region", body = ErrorBody)))]
pub(crate) async fn attraction(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<diagnostics::AttractionDto> {
    analyse(&state, &viewer, raw, move |store, caches, q| {
        let region = q.required_region()?;
        let (thresholds, limit) = (q.thresholds()?, q.count("limit", 10, MAX_LIMIT)?);
        let graph = caches.graph(store)?;
        diagnostics::attraction(store, &graph, &code, region, thresholds, limit)
    })
    .await
}
