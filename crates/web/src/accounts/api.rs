//! The JSON API under `/api/v1/`, its wire types and its OpenAPI document. Money is
//! sent as integer fen (`*_fen`), codes as strings, so that no client rounds anything.

use crate::core::api::*;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

use crate::core::auth::Viewer;
use crate::core::error::AppError;
use crate::core::AppState;
use chainatlas_auth::Permission;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route("/audit", get(audit))
}

#[derive(Serialize, ToSchema)]
pub struct MeDto {
    /// The user's id (what `handler_id`, `officials` and the supervisor list name).
    pub id: i64,
    pub username: String,
    /// admin, analyst or enterprise.
    pub role: String,
    pub enterprise_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditEntryDto {
    pub id: i64,
    /// Unix seconds, UTC.
    pub at: i64,
    pub actor: String,
    pub user_id: Option<i64>,
    pub address: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// JSON of the record before the change.
    pub before: Option<String>,
    /// JSON of the record after the change.
    pub after: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditPageDto {
    pub total: u64,
    pub limit: u32,
    pub offset: u32,
    pub items: Vec<AuditEntryDto>,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "Who is asking", body = MeDto)))]
pub(crate) async fn me(viewer: Viewer) -> ApiResult<MeDto> {
    let p = viewer
        .viewer
        .principal
        .ok_or_else(|| AppError::internal("the guard let an anonymous request through"))?;
    Ok(Json(MeDto {
        id: p.user_id,
        username: p.username,
        role: p.role.as_str().into(),
        enterprise_id: p.enterprise.map(|e| e.0),
    }))
}

/// Runs a diagnostics request for an analyst: parse, load the cached graph, analyse.
#[utoipa::path(get, path = "/api/v1/audit", tag = "accounts",
    params(("limit" = Option<u32>, Query, minimum = 0, maximum = 500, description = "At most 500; default 50"),
        ("offset" = Option<u32>, Query, minimum = 0, maximum = 2147483647, description = "Rows to skip")),
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "The audit log, newest first", body = AuditPageDto),
        (status = 400, description = "Malformed parameter", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody)))]
pub(crate) async fn audit(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(params): Params<ListQuery>,
) -> ApiResult<AuditPageDto> {
    viewer.require(Permission::ManageUsers)?;
    let (limit, offset) = params.paging()?;
    let log = state
        .read(move |store| Ok(store.audit_log(limit, offset)?))
        .await?;
    Ok(Json(AuditPageDto {
        total: log.total,
        limit,
        offset,
        items: log
            .items
            .into_iter()
            .map(|e| AuditEntryDto {
                id: e.id,
                at: e.actor.at,
                actor: e.actor.name,
                user_id: e.actor.user_id,
                address: e.actor.address,
                action: e.change.action,
                entity: e.change.entity,
                entity_id: e.change.entity_id,
                before: e.change.before,
                after: e.change.after,
            })
            .collect(),
    }))
}
