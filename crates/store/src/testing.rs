//! A new, empty database for each test, on the backend the run asks for: an SQLite file in
//! a temporary directory, or, when `CHAINATLAS_TEST_POSTGRES` holds a server's URL, a
//! schema of its own on that server (dropped afterwards). The same tests thereby run as
//! contract tests of both backends; `.ci/run` runs them once on each.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The variable naming the PostgreSQL server tests use.
pub const POSTGRES_VARIABLE: &str = "CHAINATLAS_TEST_POSTGRES";

/// A test's database; gone when dropped.
pub struct TestDatabase {
    location: PathBuf,
    _dir: tempfile::TempDir,
    postgres: Option<(String, String)>, // (server URL, schema)
}

impl TestDatabase {
    /// A new database: `name` is the SQLite file's name (`a.db`), kept for tests that
    /// look at files beside it.
    pub fn new(name: &str) -> TestDatabase {
        let dir = tempfile::tempdir().expect("a temporary directory");
        match std::env::var(POSTGRES_VARIABLE) {
            Ok(server) if !server.is_empty() => {
                static NEXT: AtomicU64 = AtomicU64::new(0);
                let schema = format!(
                    "t{}_{}_{}",
                    std::process::id(),
                    NEXT.fetch_add(1, Ordering::Relaxed),
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.subsec_nanos())
                );
                admin(&server, format!("CREATE SCHEMA {schema}"))
                    .unwrap_or_else(|e| panic!("{POSTGRES_VARIABLE}={server}: {e}"));
                let separator = if server.contains('?') { '&' } else { '?' };
                let location = format!("{server}{separator}options=-c%20search_path%3D{schema}");
                TestDatabase {
                    location: PathBuf::from(location),
                    _dir: dir,
                    postgres: Some((server, schema)),
                }
            }
            _ => TestDatabase {
                location: dir.path().join(name),
                _dir: dir,
                postgres: None,
            },
        }
    }

    /// Where the store opens: a file's path or a `postgres://` URL.
    pub fn location(&self) -> &Path {
        &self.location
    }

    /// A directory of the test's own, for files beside the database.
    pub fn dir(&self) -> &Path {
        self._dir.path()
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((server, schema)) = &self.postgres {
            let _ = admin(server, format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

/// Runs `sql` on the server, from a thread of its own (tests may run inside an async
/// runtime, where the synchronous client cannot).
fn admin(server: &str, sql: String) -> Result<(), String> {
    let server = server.to_string();
    std::thread::spawn(move || {
        let mut client =
            postgres::Client::connect(&server, postgres::NoTls).map_err(|e| e.to_string())?;
        client.batch_execute(&sql).map_err(|e| e.to_string())
    })
    .join()
    .map_err(|_| "the database thread panicked".to_string())?
}
