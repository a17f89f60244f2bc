//! What every handler shares: the database pool, the use cases' state, the sign-in
//! throttle and its keys, and how cookies are marked.

use std::sync::Arc;

use chainatlas_store::{Pool, Store};

use crate::core::error::AppError;

/// Password checks that may run at once; more sign-ins wait their turn. Bounds the
/// memory and CPU a burst of sign-ins can take (argon2id: 19 MiB each).
pub const PASSWORD_CHECKS_AT_ONCE: usize = 4;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub(crate) pool: Arc<Pool>,
    /// The use cases' shared state: caches, the listing index, the clock.
    pub(crate) app: Arc<chainatlas_app::App>,
    pub(crate) throttle: Arc<chainatlas_auth::Throttle>,
    /// Signs the device cookies that let a known browser past others' failures.
    pub(crate) device_key: Arc<chainatlas_auth::DeviceKey>,
    /// Password checks running at once (argon2id takes 19 MiB and a core's time each).
    pub(crate) hashing: Arc<tokio::sync::Semaphore>,
    /// Mark session cookies `Secure` (when served over TLS, directly or behind a proxy).
    pub(crate) secure_cookies: bool,
}

/// The use cases take the app's state as `&App`; a handler passes `&state`.
impl std::ops::Deref for AppState {
    type Target = chainatlas_app::App;
    fn deref(&self) -> &chainatlas_app::App {
        &self.app
    }
}

impl AppState {
    pub fn new(pool: Pool) -> AppState {
        AppState {
            pool: Arc::new(pool),
            app: Arc::default(),
            throttle: Arc::default(),
            device_key: Arc::default(),
            hashing: Arc::new(tokio::sync::Semaphore::new(PASSWORD_CHECKS_AT_ONCE)),
            secure_cookies: false,
        }
    }

    /// The same state with another clock (tests set "now").
    pub fn with_clock(mut self, clock: Arc<dyn chainatlas_app::Clock>) -> AppState {
        self.app = Arc::new(chainatlas_app::App::with_clock(clock));
        self
    }

    pub fn with_secure_cookies(mut self, secure: bool) -> AppState {
        self.secure_cookies = secure;
        self
    }

    /// Computes the whole-atlas aggregates ahead of the first visitor.
    pub async fn warm_up(&self) -> Result<(), String> {
        let app = self.app.clone();
        self.read(move |store| app.warm_up(store))
            .await
            .map_err(|e| e.to_string())
    }

    /// Reminds handlers of appeals' deadlines and escalates overdue ones, as the system.
    pub async fn escalate(&self) -> Result<(), String> {
        let at = self.app.clock.now_unix();
        self.write(move |store| {
            let system = chainatlas_store::Actor::local("system", at);
            chainatlas_app::services::escalate(store, &system).map(|_| ())
        })
        .await
        .map_err(|e| e.to_string())
    }

    /// Runs a blocking store query on the blocking thread pool.
    pub(crate) async fn read<T, F>(&self, query: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, AppError> + Send + 'static,
    {
        self.write(move |store| query(store)).await
    }

    /// Runs a blocking store write on the blocking thread pool.
    pub(crate) async fn write<T, F>(&self, change: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, AppError> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut store = pool.get().map_err(AppError::from)?;
            change(&mut store)
        })
        .await
        .map_err(|e| AppError::internal(format!("store task failed: {e}")))?
    }
}
