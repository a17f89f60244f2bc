//! `GET /api/v1/regions/{code}/opportunities`.

use crate::core::api::*;

use axum::extract::{Path, RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};

use crate::core::auth::Viewer;
use crate::core::AppState;
use chainatlas_app::diagnostics::DiagnosticsQuery;
use chainatlas_app::opportunities::{
    self as opp, IndustryBoardsDto, OpportunitiesDto, MAX_NEW_BOARDS,
};
use chainatlas_app::view::parse_region_text;
use chainatlas_auth::Permission;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/regions/{code}/opportunities", get(opportunities))
        .route(
            "/regions/{code}/industry-opportunities",
            get(industry_opportunities),
        )
}

/// What both endpoints are asked: the region of the path, the level and measure, the peer
/// group (the region always in it) and how many new boards.
struct Asked {
    region: chainatlas_model::RegionCode,
    level: chainatlas_analysis::Level,
    measure: chainatlas_analysis::Measure,
    peers: Vec<chainatlas_model::RegionCode>,
    top: usize,
}

fn asked(
    code: &str,
    raw: Option<&str>,
) -> Result<(DiagnosticsQuery, Asked), chainatlas_app::AppError> {
    let q = DiagnosticsQuery::parse(raw, false);
    let region = parse_region_text(Some(code))?.ok_or_else(|| {
        chainatlas_app::AppError::parameter(chainatlas_app::text!(
            "缺少地区代码",
            "the region code is missing"
        ))
    })?;
    let (level, measure) = opp::level_and_measure(&q)?;
    let peers = opp::peer_group(&opp::peers(&q)?, region, level);
    let top = q.count("top", 20, MAX_NEW_BOARDS as u32)?;
    Ok((
        q,
        Asked {
            region,
            level,
            measure,
            peers,
            top,
        },
    ))
}

#[utoipa::path(get, path = "/api/v1/regions/{code}/opportunities", tag = "diagnostics",
    params(("code" = String, Path, pattern = r"^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])[0-9]{4}$", description = "6-digit division code of the region"),
        ("level" = Option<String>, Query, description = "The regions compared: county, city (default) or province"),
        ("measure" = Option<String>, Query, description = "What a region does in a node: output (default), enterprises or employees"),
        ("peers" = Option<Vec<String>>, Query, explode = true, description = "The regions compared (division codes, repeated or separated by commas; at most 500); default all regions of the level"),
        ("top" = Option<u32>, Query, minimum = 0, maximum = 200, description = "New boards listed; default 20")),
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "The nodes the region lacks by feasibility (relatedness, input readiness, market pull), with PCI, COG and reasons; its long boards; its ECI", body = OpportunitiesDto),
        (status = 400, description = "Malformed parameter", body = ErrorBody),
        (status = 403, description = "Role may not run analyses (enterprise accounts)", body = ErrorBody),
        (status = 404, description = "Unknown region, or no enterprise in it", body = ErrorBody)))]
pub(crate) async fn opportunities(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<OpportunitiesDto> {
    viewer.require(Permission::Analyse)?;
    let caches = state.app.caches.clone();
    let dto = state
        .read(move |store| {
            let (_, a) = asked(&code, raw.as_deref())?;
            caches.opportunities(store, a.level, a.measure, &a.peers, a.region, a.top)
        })
        .await?;
    Ok(Json(std::sync::Arc::unwrap_or_clone(dto)))
}

#[utoipa::path(get, path = "/api/v1/regions/{code}/industry-opportunities", tag = "diagnostics",
    params(("code" = String, Path, pattern = r"^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])[0-9]{4}$", description = "6-digit division code of the region"),
        ("level" = Option<String>, Query, description = "The regions compared: county, city (default) or province"),
        ("measure" = Option<String>, Query, description = "What a region does in an industry class: output (default), enterprises or employees"),
        ("peers" = Option<Vec<String>>, Query, explode = true, description = "The regions compared (division codes, repeated or separated by commas; at most 500); default all regions of the level"),
        ("digits" = Option<u8>, Query, minimum = 2, maximum = 4, description = "Digits of the GB/T 4754-2017 code compared: 2 (division), 3 (group) or 4 (class, default)"),
        ("top" = Option<u32>, Query, minimum = 0, maximum = 200, description = "New boards listed; default 20")),
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "The national industry classes the region lacks, by relatedness, with PCI and COG; its long boards; its ECI; how many enterprises have a code", body = IndustryBoardsDto),
        (status = 400, description = "Malformed parameter", body = ErrorBody),
        (status = 403, description = "Role may not run analyses (enterprise accounts)", body = ErrorBody),
        (status = 404, description = "Unknown region, or no enterprise with an industry code in it", body = ErrorBody)))]
pub(crate) async fn industry_opportunities(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<IndustryBoardsDto> {
    viewer.require(Permission::Analyse)?;
    let caches = state.app.caches.clone();
    let dto = state
        .read(move |store| {
            let (q, a) = asked(&code, raw.as_deref())?;
            let digits = q.text("digits")?.map_or(Ok(4), opp::digits)?;
            let graph = caches.graph(store)?;
            opp::industry_boards(
                store, &graph, a.region, a.level, a.measure, &a.peers, digits, a.top,
            )
        })
        .await?;
    Ok(Json(dto))
}
