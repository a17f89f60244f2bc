//! The listings API: search, read, create, replace, close and reopen listings, and rank a
//! listing's counterparts. Rules in [`chainatlas_app::listings`].

use crate::core::api::*;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chainatlas_model::ListingStatus;

use crate::core::api::ErrorBody;
use crate::core::auth::Viewer;
use crate::core::error::ApiError;
use crate::core::AppState;
use chainatlas_app::listings::{
    self, ListingDto, ListingInput, ListingPageDto, MatchParams, MatchesDto, SearchParams,
    SearchQuery,
};
use chainatlas_app::matchmaking::MatchDto;
use chainatlas_app::view;

type ApiResult<T> = Result<Json<T>, ApiError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/listings", get(search_listings).post(create_listing))
        .route("/listings/{id}", get(get_listing).put(update_listing))
        .route("/listings/{id}/close", post(close_listing))
        .route("/listings/{id}/reopen", post(reopen_listing))
        .route("/listings/{id}/matches", get(listing_matches))
}

#[utoipa::path(get, path = "/api/v1/listings", tag = "matchmaking",
    params(
        ("q" = Option<String>, Query, description = "Words, Chinese or English; model numbers welcome"),
        ("side" = Option<String>, Query, pattern = "^(demand|supply)?$"),
        ("kind" = Option<String>, Query, pattern = "^(product|equipment|technology|capacity|service)?$"),
        ("chain" = Option<String>, Query, description = "Chain code"),
        ("node" = Option<i64>, Query, minimum = 1),
        ("region" = Option<RegionParam>, Query, description = "Division code: listings in this region"),
        ("status" = Option<String>, Query, pattern = "^(open|closed)?$"),
        ("valid" = Option<bool>, Query, description = "Only listings still valid today"),
        ("enterprise" = Option<i64>, Query, minimum = 1),
        ("limit" = Option<u32>, Query, minimum = 0, maximum = 100),
        ("offset" = Option<u32>, Query, minimum = 0, maximum = 100000)),
    responses((status = 200, description = "Listings, best text match first (newest first without words)", body = ListingPageDto),
        (status = 400, description = "Malformed parameter", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 404, description = "Unknown chain or region", body = ErrorBody)))]
pub(crate) async fn search_listings(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(params): Params<SearchParams>,
) -> ApiResult<ListingPageDto> {
    let today = state.clock.today();
    let q = SearchQuery::parse(&params)?;
    let principal = viewer.principal.clone();
    let st = state.clone();
    let page = state
        .read(move |store| {
            if let Some(r) = q.region {
                view::known_region(store, r)?;
            }
            let (items, total) = listings::search(&st, store, &q)?;
            Ok(ListingPageDto {
                total,
                limit: q.limit,
                offset: q.offset,
                items: items
                    .iter()
                    .map(|l| ListingDto::for_viewer(l, principal.as_ref(), today))
                    .collect(),
            })
        })
        .await?;
    Ok(Json(page))
}

#[utoipa::path(get, path = "/api/v1/listings/{id}", tag = "matchmaking",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "The listing", body = ListingDto),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 404, description = "No such listing", body = ErrorBody)))]
pub(crate) async fn get_listing(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<ListingDto> {
    let id = view::parse_id("listing", &id)?;
    let l = state
        .read(move |store| listings::listing(store, id))
        .await?;
    Ok(Json(ListingDto::for_viewer(
        &l,
        viewer.principal.as_ref(),
        state.clock.today(),
    )))
}

#[utoipa::path(post, path = "/api/v1/listings", tag = "matchmaking",
    request_body = ListingInput,
    responses((status = 201, description = "Created", body = ListingDto),
        (status = 400, description = "Invalid listing: every problem, field by field", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "Not allowed to publish for this enterprise", body = ErrorBody)))]
pub(crate) async fn create_listing(
    State(state): State<AppState>,
    viewer: Viewer,
    payload: Result<Json<ListingInput>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<ListingDto>), ApiError> {
    let input = body(payload)?;
    let st = state.clone();
    let v = viewer.clone();
    let l = state
        .write(move |store| listings::create(&st, store, &v, &input))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ListingDto::for_viewer(
            &l,
            viewer.principal.as_ref(),
            state.clock.today(),
        )),
    ))
}

#[utoipa::path(put, path = "/api/v1/listings/{id}", tag = "matchmaking",
    params(("id" = i64, Path, minimum = 1)),
    request_body = ListingInput,
    responses((status = 200, description = "Replaced (the status stays)", body = ListingDto),
        (status = 400, description = "Invalid listing", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "Not the listing's enterprise or staff", body = ErrorBody),
        (status = 404, description = "No such listing", body = ErrorBody)))]
pub(crate) async fn update_listing(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    payload: Result<Json<ListingInput>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<ListingDto> {
    let id = view::parse_id("listing", &id)?;
    let input = body(payload)?;
    let st = state.clone();
    let v = viewer.clone();
    let l = state
        .write(move |store| listings::update(&st, store, &v, id, &input))
        .await?;
    Ok(Json(ListingDto::for_viewer(
        &l,
        viewer.principal.as_ref(),
        state.clock.today(),
    )))
}

async fn set_status(
    state: AppState,
    viewer: Viewer,
    id: String,
    status: ListingStatus,
) -> ApiResult<ListingDto> {
    let id = view::parse_id("listing", &id)?;
    let st = state.clone();
    let v = viewer.clone();
    let l = state
        .write(move |store| listings::set_status(&st, store, &v, id, status))
        .await?;
    Ok(Json(ListingDto::for_viewer(
        &l,
        viewer.principal.as_ref(),
        state.clock.today(),
    )))
}

#[utoipa::path(post, path = "/api/v1/listings/{id}/close", tag = "matchmaking",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "Closed: no longer matched", body = ListingDto),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "Not the listing's enterprise or staff", body = ErrorBody),
        (status = 404, description = "No such listing", body = ErrorBody)))]
pub(crate) async fn close_listing(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<ListingDto> {
    set_status(state, viewer, id, ListingStatus::Closed).await
}

#[utoipa::path(post, path = "/api/v1/listings/{id}/reopen", tag = "matchmaking",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "Open again", body = ListingDto),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "Not the listing's enterprise or staff", body = ErrorBody),
        (status = 404, description = "No such listing", body = ErrorBody)))]
pub(crate) async fn reopen_listing(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<ListingDto> {
    set_status(state, viewer, id, ListingStatus::Open).await
}

#[utoipa::path(get, path = "/api/v1/listings/{id}/matches", tag = "matchmaking",
    params(("id" = i64, Path, minimum = 1),
        ("top" = Option<u32>, Query, minimum = 1, maximum = 100, description = "How many (default 20)"),
        ("weights" = Option<String>, Query, pattern = r"^(\s*((text|node|region|tags|quantity|price|validity|description_weight|max_terms|candidates)\s*=\s*[0-9]+(\.[0-9]+)?|(same_city|same_province|elsewhere)\s*=\s*(0(\.[0-9]+)?|1(\.0+)?)|title_boost\s*=\s*3(\.0+)?)\s*(,\s*((text|node|region|tags|quantity|price|validity|description_weight|max_terms|candidates)\s*=\s*[0-9]+(\.[0-9]+)?|(same_city|same_province|elsewhere)\s*=\s*(0(\.[0-9]+)?|1(\.0+)?)|title_boost\s*=\s*3(\.0+)?)\s*)*)?$", description = "Score settings such as `region=0.3,elsewhere=0` (docs/matching.md); region values are at most 1, and the database's index counts titles 3 times (`title_boost`)")),
    responses((status = 200, description = "Counterparts, best first, with score parts and reasons", body = MatchesDto),
        (status = 400, description = "Malformed parameter", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 404, description = "No such listing", body = ErrorBody)))]
pub(crate) async fn listing_matches(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Params(params): Params<MatchParams>,
) -> ApiResult<MatchesDto> {
    let id = view::parse_id("listing", &id)?;
    let top = params.top()?;
    let weights = params.weights();
    let st = state.clone();
    let matches: Vec<MatchDto> = state
        .read(move |store| {
            let l = listings::listing(store, id)?;
            listings::matches(&st, store, &l, viewer.principal.as_ref(), top, &weights)
        })
        .await?;
    Ok(Json(MatchesDto {
        listing_id: id,
        matches,
    }))
}
