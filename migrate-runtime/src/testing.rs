//! Scratch databases for tests that run migrations against a real database (feature
//! `testing`).
//!
//! A [`ScratchDatabase`] is a database of its own for one test: a SQLite file in a new
//! temporary directory, or a new, uniquely named database on a PostgreSQL or MySQL/MariaDB
//! server, created through an administrative URL and dropped again when the value goes out
//! of scope. Tests that each take one can run in parallel against the same server.
//!
#![cfg_attr(feature = "sqlite", doc = "```")]
#![cfg_attr(not(feature = "sqlite"), doc = "```no_run")]
//! use migrate_runtime::testing::ScratchDatabase;
//! use migrate_runtime::{Migration, MigrationFn, MigrationSet, Migrator, RevisionId};
//!
//! let db = ScratchDatabase::sqlite()?;
//! let set = MigrationSet::new(vec![Migration::new(
//!     RevisionId::new("0001_create_users")?,
//!     MigrationFn::new(|ctx| ctx.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")),
//! )])?;
//! let report = Migrator::new(set).upgrade(&mut db.connect()?, "head")?;
//! assert_eq!(report.steps.len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! On a server, point it at a database the test user may connect to and whose server lets
//! it create databases, e.g. `ScratchDatabase::on_server("postgres://postgres@localhost/postgres")`.
//! A suite that runs on a server only where one is configured takes that URL from an
//! environment variable with [`ScratchDatabase::from_env`], which says when it skips:
//!
//! ```
//! use migrate_runtime::testing::ScratchDatabase;
//!
//! // Unset here: prints `skipped: ...` and gives `None`.
//! let Some(db) = ScratchDatabase::from_env("MY_APP_TEST_POSTGRES_URL")? else {
//!     return Ok(());
//! };
//! let _conn = db.connect()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::io::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use diesel::connection::SimpleConnection;

use crate::{AnyConnection, Backend, DatabaseUrl, Error, Result};

/// A database created for one test and removed when this is dropped.
pub struct ScratchDatabase {
    url: DatabaseUrl,
    place: Place,
}

/// Where the database lives, and so how it is removed.
enum Place {
    /// A SQLite file in a temporary directory, removed with it: held, never read.
    File(#[allow(dead_code, reason = "dropping it removes the directory")] tempfile::TempDir),
    /// A database on a server, dropped through the administrative URL.
    Server { admin: DatabaseUrl, name: String },
}

impl ScratchDatabase {
    /// A new SQLite database file in a new temporary directory.
    pub fn sqlite() -> Result<Self> {
        let dir = tempfile::tempdir().map_err(|source| Error::Io {
            action: "create a temporary directory in",
            path: std::env::temp_dir().display().to_string(),
            source,
        })?;
        Ok(Self {
            url: DatabaseUrl::sqlite_file(&dir.path().join("scratch.sqlite3")),
            place: Place::File(dir),
        })
    }

    /// A new database on the PostgreSQL or MySQL/MariaDB server of `admin_url`, created with
    /// `CREATE DATABASE` over a connection to `admin_url`. Its name is unique to this
    /// process and call (`migrate_scratch_<pid>_<random>_<n>`: processes of two machines or
    /// containers sharing a server may have the same pid), so it never meets another
    /// test's database. A SQLite URL gives [`ScratchDatabase::sqlite`].
    pub fn on_server(admin_url: &str) -> Result<Self> {
        let admin = DatabaseUrl::parse(admin_url)?;
        if admin.backend() == Backend::Sqlite {
            return Self::sqlite();
        }
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        // Random per process: std seeds each `RandomState` from the operating system.
        static PROCESS: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
        let process = PROCESS.get_or_init(|| {
            use std::hash::{BuildHasher, Hasher};
            std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish() as u32
        });
        let name = format!(
            "migrate_scratch_{}_{process:08x}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut conn = AnyConnection::open(&admin)?;
        conn.batch_execute(&format!("CREATE DATABASE {name}"))?;
        let mut url = url::Url::parse(admin.as_str()).map_err(|e| Error::InvalidUrl {
            url: admin.to_string(),
            reason: e.to_string(),
        })?;
        url.set_path(&format!("/{name}"));
        Ok(Self {
            url: DatabaseUrl::parse(url.as_str())?,
            place: Place::Server { admin, name },
        })
    }

    /// A new database on the server whose administrative URL is in the environment variable
    /// `var` (see [`ScratchDatabase::on_server`]), for tests that need a server and run only
    /// where one is configured.
    ///
    /// When `var` is unset or empty this gives `Ok(None)` and prints a `skipped:` line saying
    /// so, once per variable and process, on the process's standard error itself: the test
    /// harness captures `eprintln!` and hides it for passing tests, so a suite that skipped
    /// would look like one that ran. A set variable is never a reason to skip: a URL whose
    /// backend this build of migrate-runtime leaves out is [`Error::BackendDisabled`], and an
    /// unreachable server is an error too.
    pub fn from_env(var: &str) -> Result<Option<Self>> {
        match configured(var, std::env::var(var).ok()) {
            Some(url) => Self::on_server(&url).map(Some),
            None => Ok(None),
        }
    }

    /// Another new database of the same kind: on the same server, or another SQLite file.
    pub fn fresh_like(&self) -> Result<Self> {
        match &self.place {
            Place::File(_) => Self::sqlite(),
            Place::Server { admin, .. } => Self::on_server(admin.as_str()),
        }
    }

    /// The database's URL. Its `Display` hides the password.
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// The database's backend.
    pub fn backend(&self) -> Backend {
        self.url.backend()
    }

    /// The name of the database on its server; `None` for SQLite.
    pub fn name(&self) -> Option<&str> {
        match &self.place {
            Place::File(_) => None,
            Place::Server { name, .. } => Some(name),
        }
    }

    /// A new connection to the database.
    pub fn connect(&self) -> Result<AnyConnection> {
        AnyConnection::open(&self.url)
    }

    /// Drops the database now, reporting a failure that dropping the value would only print.
    pub fn remove(mut self) -> Result<()> {
        self.remove_now()
    }

    fn remove_now(&mut self) -> Result<()> {
        let Place::Server { admin, name } = &mut self.place else {
            return Ok(());
        };
        if name.is_empty() {
            return Ok(());
        }
        let sql = match admin.backend() {
            // FORCE: a connection the test leaked would otherwise keep the database alive.
            Backend::Postgres => format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            _ => format!("DROP DATABASE IF EXISTS {name}"),
        };
        AnyConnection::open(admin)?.batch_execute(&sql)?;
        name.clear();
        Ok(())
    }
}

/// `value`, the content of `var`, when it names something; else `None`, after announcing
/// the skip (once per variable).
fn configured(var: &str, value: Option<String>) -> Option<String> {
    if let Some(url) = value.filter(|url| !url.trim().is_empty()) {
        return Some(url);
    }
    static ANNOUNCED: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let mut announced = ANNOUNCED.lock().unwrap_or_else(|e| e.into_inner());
    if !announced.iter().any(|v| v == var) {
        announced.push(var.to_owned());
        let _ = writeln!(
            std::io::stderr(),
            "\nskipped: {var} is not set, so the tests that need its server did not run; set it \
             to the URL of a database on that server from which databases can be created\n"
        );
    }
    None
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        if let Err(err) = self.remove_now()
            && let Some(name) = self.name()
        {
            eprintln!("warning: could not drop scratch database {name}: {err}");
        }
    }
}

impl std::fmt::Debug for ScratchDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScratchDatabase")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_suite_skips_only_when_its_variable_is_unset_or_empty() {
        let var = "MIGRATE_TEST_NEVER_SET_URL";
        assert_eq!(configured(var, None), None);
        assert_eq!(configured(var, Some(String::new())), None);
        assert_eq!(configured(var, Some("  ".into())), None);
        assert_eq!(
            configured(var, Some("postgres://x".into())).as_deref(),
            Some("postgres://x")
        );
        assert!(ScratchDatabase::from_env(var).unwrap().is_none());
    }

    #[cfg(not(all(feature = "postgres", feature = "mysql")))]
    #[test]
    fn a_set_variable_whose_backend_is_compiled_out_is_an_error_not_a_skip() {
        let url = if cfg!(feature = "postgres") {
            "mysql://root@127.0.0.1:3306/test"
        } else {
            "postgres://postgres@127.0.0.1:5432/postgres"
        };
        let err = ScratchDatabase::on_server(url).unwrap_err();
        assert!(matches!(err, Error::BackendDisabled(_)), "{err}");
    }
}
