//! The Chain Atlas web app and JSON API: HTTP routes, HTML pages, wire types and the
//! OpenAPI document. It reads through `chainatlas-store` and never sees SQL.

// What every feature shares; it imports no feature.
mod core;
// One folder per feature, each with its API routes and pages. A feature imports only
// `core` and `chainatlas-app`, never another feature (tests/architecture.rs checks it).
mod accounts;
mod atlas;
mod diagnostics;
mod editing;
mod events;
mod imports;
mod listings;
mod opportunities;
mod resolution;
mod search;
mod services;
// Like the router below, the OpenAPI document names every feature.
mod openapi;

use core::{assets, auth};

use axum::Router;
use chainatlas_store::Pool;

pub use auth::{SESSION_COOKIE, SESSION_SECONDS};
pub use core::api::BODY_LIMIT;
pub use core::state::AppState;

pub use chainatlas_app::{AppError, Lang};
pub use openapi::openapi_json;

/// The whole application: pages, API and embedded assets.
/// Every request passes, outermost first: the security headers, the body size limit,
/// the language of JSON errors (`core::error::localize`), and `auth::guard`
/// (authentication, access control, CSRF). No route is reachable
/// around them.
/// This is the one place that names every feature.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/openapi.json", axum::routing::get(openapi::openapi))
        .merge(atlas::api::routes())
        .merge(diagnostics::api::routes())
        .merge(listings::api::routes())
        .merge(events::api::routes())
        .merge(accounts::api::routes())
        .merge(accounts::users::api_routes())
        .merge(search::api::routes())
        .merge(imports::api::routes())
        .merge(editing::api::routes())
        .merge(resolution::api::routes())
        .merge(opportunities::api::routes())
        .merge(services::api::routes())
        .fallback(core::api::api_not_found);
    Router::new()
        .merge(atlas::pages::routes())
        .merge(diagnostics::pages::routes())
        .merge(listings::pages::routes())
        .merge(events::pages::routes())
        .merge(accounts::pages::routes())
        .merge(accounts::users::page_routes())
        .merge(search::pages::routes())
        .merge(imports::pages::routes())
        .merge(editing::pages::routes())
        .merge(resolution::pages::routes())
        .merge(opportunities::pages::routes())
        .merge(services::pages::routes())
        .route("/healthz", axum::routing::get(core::health::healthz))
        .route(
            "/lang/{lang}",
            axum::routing::get(core::layout::switch_language),
        )
        .nest("/api/v1", api)
        .merge(assets::routes())
        .fallback(core::layout::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::guard,
        ))
        .layer(axum::middleware::from_fn(core::error::localize))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(auth::security_headers))
        .with_state(state)
}

/// Serves until Ctrl-C (or SIGTERM), then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    pool: Pool,
    secure_cookies: bool,
) -> std::io::Result<()> {
    let state = AppState::new(pool).with_secure_cookies(secure_cookies);
    let warming = state.clone();
    tokio::spawn(async move {
        if let Err(e) = warming.warm_up().await {
            eprintln!("warming the caches failed: {e}");
        }
        use chainatlas_app::cache::GraphRefresh;
        match warming.caches.graph_refresh() {
            Some(GraphRefresh::Loaded { millis }) => {
                eprintln!("supply graph loaded from the database in {millis} ms")
            }
            Some(GraphRefresh::FromSnapshot { changed, millis }) => eprintln!(
                "supply graph read from its snapshot, {changed} changed enterprises applied, in {millis} ms"
            ),
            _ => {}
        }
    });
    let escalating = state.clone();
    tokio::spawn(async move {
        // Reminders and escalation of appeals' deadlines: now, then every ten minutes.
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            tick.tick().await;
            if let Err(e) = escalating.escalate().await {
                eprintln!("escalating overdue appeals failed: {e}");
            }
        }
    });
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
