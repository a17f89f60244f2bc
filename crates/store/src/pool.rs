//! A small pool of connections for the web server: connections are cheap to keep and
//! costly enough to open (pragmas, schema check, a server's handshake) that a request
//! should not pay for it. A PostgreSQL server also counts its connections: at most
//! [`POSTGRES_MAX_OPEN`] are open at once, and a request beyond waits for one.

use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::{Condvar, Mutex};

use crate::{Result, Store};

/// The most connections one server opens to a PostgreSQL database.
pub const POSTGRES_MAX_OPEN: usize = 32;

/// Hands out [`Store`]s on the same database, reusing idle ones.
pub struct Pool {
    path: PathBuf,
    idle: Mutex<Idle>,
    /// Signalled when a connection comes back or closes.
    returned: Condvar,
    max_idle: usize,
    max_open: Option<usize>,
}

struct Idle {
    stores: Vec<Store>,
    /// Connections open, idle or lent.
    open: usize,
}

impl Pool {
    /// Opens one connection right away, so that a bad path or schema fails at start-up.
    pub fn open(path: impl Into<PathBuf>, max_idle: usize) -> Result<Pool> {
        let path = path.into();
        let first = Store::open(&path)?;
        let max_open = crate::is_postgres(&path).then_some(POSTGRES_MAX_OPEN.max(max_idle));
        Ok(Pool {
            path,
            idle: Mutex::new(Idle {
                stores: vec![first],
                open: 1,
            }),
            returned: Condvar::new(),
            max_idle,
            max_open,
        })
    }

    /// The database file, for work that needs a connection of its own (an import).
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    pub fn get(&self) -> Result<PooledStore<'_>> {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(store) = idle.stores.pop() {
                return Ok(PooledStore {
                    pool: self,
                    store: Some(store),
                });
            }
            if self.max_open.is_none_or(|max| idle.open < max) {
                break;
            }
            let (again, waited) = self
                .returned
                .wait_timeout(idle, std::time::Duration::from_secs(30))
                .unwrap_or_else(|e| e.into_inner());
            idle = again;
            if waited.timed_out() && idle.stores.is_empty() {
                return Err(crate::StoreError::Sql(crate::db::Error::other(
                    "every database connection has been busy for 30 s",
                )));
            }
        }
        idle.open += 1;
        drop(idle);
        match Store::open(&self.path) {
            Ok(store) => Ok(PooledStore {
                pool: self,
                store: Some(store),
            }),
            Err(e) => {
                self.closed();
                Err(e)
            }
        }
    }

    /// A connection closed: another may open.
    fn closed(&self) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        idle.open -= 1;
        self.returned.notify_one();
    }
}

/// A [`Store`] borrowed from a [`Pool`]; it goes back when dropped.
pub struct PooledStore<'a> {
    pool: &'a Pool,
    store: Option<Store>,
}

impl Deref for PooledStore<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store.as_ref().expect("present until drop")
    }
}

impl DerefMut for PooledStore<'_> {
    fn deref_mut(&mut self) -> &mut Store {
        self.store.as_mut().expect("present until drop")
    }
}

impl Drop for PooledStore<'_> {
    fn drop(&mut self) {
        if let Some(store) = self.store.take() {
            let mut idle = self.pool.idle.lock().unwrap_or_else(|e| e.into_inner());
            if idle.stores.len() < self.pool.max_idle {
                idle.stores.push(store);
            } else {
                idle.open -= 1;
            }
            self.pool.returned.notify_one();
        }
    }
}
