//! Which database the CLI talks to: `--database-url`, else `DATABASE_URL` (from the
//! environment, then the project's `.env`), else `database_url` in `migrate.toml`, else the
//! embedded SQLite file `migrate.sqlite3` in the project root. The resolution itself lives
//! in [`super::config`].

use std::fmt;
use std::path::Path;

use super::config::Origin;
use crate::{AnyConnection, DatabaseUrl, Result};

/// A resolved database URL and where it came from.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// The URL; its `Display` redacts the password.
    pub(crate) url: DatabaseUrl,
    /// Where it came from, so messages can say which setting to fix.
    pub(crate) source: Origin,
}

impl Target {
    /// Whether there is a database to look at without creating one: a configured URL, or
    /// the default SQLite file when it already exists. Read-only commands use this so that
    /// they neither fail nor leave an empty `migrate.sqlite3` behind when nothing is set up.
    pub(crate) fn exists(&self) -> bool {
        self.source != Origin::Default || Path::new(self.url.sqlite_path()).exists()
    }

    /// Opens a connection.
    pub(crate) fn connect(&self) -> Result<AnyConnection> {
        AnyConnection::open(&self.url)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Origin::Default => write!(
                f,
                "{} (default; set --database-url, DATABASE_URL or `database_url` in migrate.toml to change it)",
                self.url
            ),
            source => write!(f, "{} ({source})", self.url),
        }
    }
}
