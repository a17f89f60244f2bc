//! `GET /healthz`: for load balancers and monitoring. It answers without sign-in, asks
//! the database one question, and says nothing a visitor could use: which backend, the
//! schema version and the atlas generation (which lets an operator see that two servers
//! on one database agree).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::core::state::AppState;

#[derive(Serialize)]
struct Health {
    status: &'static str,
    database: &'static str,
    schema_version: i64,
    generation: u64,
}

/// 200 with the database's state when it answers; 503 when it does not.
pub(crate) async fn healthz(State(state): State<AppState>) -> Response {
    let answer = state
        .read(|store| {
            let database = match store.backend() {
                chainatlas_store::db::Backend::Sqlite => "sqlite",
                chainatlas_store::db::Backend::Postgres => "postgresql",
            };
            Ok(Health {
                status: "ok",
                database,
                schema_version: store.schema_version()?,
                generation: store.generation()?,
            })
        })
        .await;
    match answer {
        Ok(health) => Json(health).into_response(),
        Err(e) => {
            eprintln!("health check: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "unavailable" })),
            )
                .into_response()
        }
    }
}
