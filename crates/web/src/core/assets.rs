//! Static assets, embedded in the binary: the app works with no network at all.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::core::AppState;

/// (name, content type, bytes)
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "echarts.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/vendor/echarts.min.js"),
    ),
    (
        "chainmap.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/chainmap.js"),
    ),
    (
        "diagnostics.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/diagnostics.js"),
    ),
    (
        "events.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/events.js"),
    ),
    (
        "dashboard.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/dashboard.js"),
    ),
    (
        "picker.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/picker.js"),
    ),
    (
        "imports.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/imports.js"),
    ),
    (
        "upload.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/upload.js"),
    ),
    (
        "lists.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/lists.js"),
    ),
    (
        "opportunities.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/opportunities.js"),
    ),
    (
        "services.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/services.js"),
    ),
    (
        "print.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/print.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/app.css"),
    ),
];

pub fn routes() -> Router<AppState> {
    Router::new().route("/assets/{name}", get(asset))
}

async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            *bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}
