//! `GET /api/v1/search?q=`: enterprises, chains, nodes, listings and events at once.

use crate::core::api::*;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use crate::core::AppState;
use chainatlas_app::search::{self, SearchResults};

pub fn routes() -> Router<AppState> {
    Router::new().route("/search", get(search_all))
}

/// `?q=`: the words to find.
#[derive(Deserialize)]
pub(crate) struct SearchQueryParams {
    q: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/search", tag = "search",
    params(("q" = String, Query, max_length = 100, description = "Words: an enterprise's full name, Chinese abbreviation (characters in order: 马钢), English name or credit code; a chain, node, listing or event name")),
    responses((status = 200, description = "Up to 10 hits of each kind, enterprises first, best first", body = SearchResults),
        (status = 400, description = "Malformed parameter", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody)))]
pub(crate) async fn search_all(
    State(state): State<AppState>,
    Params(params): Params<SearchQueryParams>,
) -> ApiResult<SearchResults> {
    let q = params.q.unwrap_or_default();
    let app = state.app.clone();
    let results = state
        .read(move |store| search::search(&app, store, &q))
        .await?;
    Ok(Json(results))
}
