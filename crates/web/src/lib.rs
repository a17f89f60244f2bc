//! The Chain Atlas web app and JSON API: HTTP routes, HTML pages, wire types and the
//! OpenAPI document. It reads through `chainatlas-store` and never sees SQL.

mod api;
mod assets;
mod cache;
mod error;
mod i18n;
mod pages;
mod view;

use std::sync::Arc;

use axum::Router;
use chainatlas_store::{Pool, Store, StoreError};

pub use api::openapi_json;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pool: Arc<Pool>,
    caches: Arc<cache::Caches>,
}

impl AppState {
    pub fn new(pool: Pool) -> AppState {
        AppState {
            pool: Arc::new(pool),
            caches: Arc::default(),
        }
    }

    /// Computes the whole-atlas aggregates ahead of the first visitor.
    pub async fn warm_up(&self) -> Result<(), String> {
        let caches = self.caches.clone();
        self.read(move |store| {
            caches.overview(store)?;
            caches.chain_summaries(store, None)?;
            Ok(())
        })
        .await
        .map_err(|e| e.public_message())
    }

    /// Runs a blocking store query on the blocking thread pool.
    async fn read<T, F>(&self, query: F) -> Result<T, error::AppError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, error::AppError> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let store = pool.get().map_err(error::AppError::from)?;
            query(&store)
        })
        .await
        .map_err(|e| error::AppError::Internal(format!("query task failed: {e}")))?
    }
}

impl From<StoreError> for error::AppError {
    fn from(e: StoreError) -> Self {
        error::AppError::Internal(e.to_string())
    }
}

/// The whole application: pages, API and embedded assets.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(pages::routes())
        .nest("/api/v1", api::routes())
        .merge(assets::routes())
        .fallback(pages::not_found)
        .with_state(state)
}

/// Serves until Ctrl-C (or SIGTERM), then finishes the requests in flight.
pub async fn serve(listener: tokio::net::TcpListener, pool: Pool) -> std::io::Result<()> {
    let state = AppState::new(pool);
    let warming = state.clone();
    tokio::spawn(async move {
        if let Err(e) = warming.warm_up().await {
            eprintln!("warming the caches failed: {e}");
        }
    });
    axum::serve(listener, router(state))
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
