//! Which database the CLI talks to: `--database-url`, else `DATABASE_URL` (from the
//! environment, then the project's `.env`), else `database_url` in `migrate.toml`, else the
//! embedded SQLite file `migrate.sqlite3` in the project root. The resolution itself lives
//! in [`super::config`].

use std::fmt;
use std::path::Path;

use super::config::Origin;
use crate::{AnyConnection, Backend, DatabaseUrl, Result};

/// A resolved database URL and where it came from.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// The URL; its `Display` redacts the password.
    pub(crate) url: DatabaseUrl,
    /// Where it came from, so messages can say which setting to fix.
    pub(crate) source: Origin,
}

impl Target {
    /// Whether there is a database to look at without creating one: a server's, an
    /// in-memory SQLite one, or a SQLite file that exists. Read-only commands use this so
    /// that they neither fail nor leave an empty SQLite file behind (`migrate.sqlite3`, or
    /// a mistyped path) when there is no database yet.
    pub(crate) fn exists(&self) -> bool {
        if self.url.backend() != Backend::Sqlite {
            return true;
        }
        let path = self.url.sqlite_path();
        // SQLite URI filenames: `file:PATH?mode=ro`, `file::memory:`, `?mode=memory`.
        let (file, query) = match path.strip_prefix("file:") {
            Some(uri) => uri.split_once('?').unwrap_or((uri, "")),
            None => (path, ""),
        };
        file.is_empty()
            || file == ":memory:"
            || query.split('&').any(|pair| pair == "mode=memory")
            || Path::new(file).exists()
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
