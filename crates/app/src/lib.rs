//! The Chain Atlas use cases, without HTTP: what the web app and the CLI both do. Loading
//! and caching per store generation (`cache`), the diagnostics as wire types with names
//! resolved (`diagnostics`), the listing index and matches (`matchmaking`, `listings`),
//! docking events (`events`), and the parameter rules they share (`view`). Every operation
//! takes the [`Viewer`] it acts for and checks what its role may do with
//! `chainatlas-auth`; nothing here knows about requests, cookies or status codes.

pub mod accounts;
pub mod assessments;
pub mod atlas;
pub mod blocking;
pub mod cache;
pub mod clock;
pub mod diagnostics;
pub mod editing;
mod error;
pub mod events;
pub mod format;
pub mod imports;
pub mod listings;
pub mod matchmaking;
pub mod opportunities;
pub mod problems;
pub mod resolution;
pub mod search;
pub mod services;
pub mod view;
mod viewer;

use std::sync::{Arc, Mutex};

use chainatlas_store::Store;

pub use chainatlas_model::{text, Explain, Lang, Text};
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{AppError, ErrorCode};
pub use viewer::Viewer;

use matchmaking::Matchmaker;

/// What the use cases share across requests: caches keyed by the store's generation, the
/// listing index, and the clock.
pub struct App {
    pub caches: Arc<cache::Caches>,
    /// The listing index, opened on first use.
    matchmaker: Mutex<Option<Arc<Matchmaker>>>,
    pub clock: Arc<dyn Clock>,
    /// Imports from the browser and the API, running and recent.
    pub imports: imports::Imports,
    /// Possible duplicate enterprises, per facts generation.
    pub duplicates: Arc<resolution::Duplicates>,
}

impl Default for App {
    fn default() -> Self {
        App::with_clock(Arc::new(SystemClock))
    }
}

impl App {
    pub fn with_clock(clock: Arc<dyn Clock>) -> App {
        App {
            caches: Arc::default(),
            matchmaker: Mutex::new(None),
            clock,
            imports: imports::Imports::default(),
            duplicates: Arc::default(),
        }
    }

    /// The listing index, opened (and rebuilt if need be) on first use, and brought up
    /// to the database on every use.
    pub fn matchmaker(&self, store: &Store) -> Result<Arc<Matchmaker>, AppError> {
        let mut slot = self.matchmaker.lock().unwrap_or_else(|e| e.into_inner());
        match slot.as_ref() {
            Some(m) => {
                let m = m.clone();
                drop(slot);
                if let Some(r) = m.sync(store)? {
                    eprintln!(
                        "listing index was {}: rebuilt {} listings in {:.1?}",
                        r.why, r.listings, r.took
                    );
                }
                Ok(m)
            }
            None => {
                let (m, rebuilt) = Matchmaker::open(store)?;
                if let Some(r) = rebuilt {
                    eprintln!(
                        "listing index was {}: rebuilt {} listings in {:.1?}",
                        r.why, r.listings, r.took
                    );
                }
                let m = Arc::new(m);
                *slot = Some(m.clone());
                Ok(m)
            }
        }
    }

    /// Computes the whole-atlas aggregates and opens the listing index ahead of the first
    /// visitor.
    pub fn warm_up(&self, store: &Store) -> Result<(), AppError> {
        // The supply graph first (diagnostics and chain maps wait for it; from its
        // snapshot it takes a second), then the listing index: a missing or stale one is
        // rebuilt now, not on the first search.
        self.caches.graph(store)?;
        self.matchmaker(store)?;
        self.caches.overview(store)?;
        self.caches.chain_summaries(store, None)?;
        self.caches.match_atlas(store)?;
        Ok(())
    }
}
