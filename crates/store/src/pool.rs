//! A small pool of connections for the web server: SQLite connections are cheap to keep
//! and costly enough to open (pragmas, schema check) that a request should not pay for it.

use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::Mutex;

use crate::{Result, Store};

/// Hands out [`Store`]s on the same database file, reusing idle ones.
pub struct Pool {
    path: PathBuf,
    idle: Mutex<Vec<Store>>,
    max_idle: usize,
}

impl Pool {
    /// Opens one connection right away, so that a bad path or schema fails at start-up.
    pub fn open(path: impl Into<PathBuf>, max_idle: usize) -> Result<Pool> {
        let path = path.into();
        let first = Store::open(&path)?;
        Ok(Pool {
            path,
            idle: Mutex::new(vec![first]),
            max_idle,
        })
    }

    /// The database file, for work that needs a connection of its own (an import).
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    pub fn get(&self) -> Result<PooledStore<'_>> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let store = match idle {
            Some(store) => store,
            None => Store::open(&self.path)?,
        };
        Ok(PooledStore {
            pool: self,
            store: Some(store),
        })
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
            if idle.len() < self.pool.max_idle {
                idle.push(store);
            }
        }
    }
}
