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
        let Some(uri) = path.strip_prefix("file:") else {
            return path.is_empty() || path == ":memory:" || Path::new(path).exists();
        };
        // A SQLite URI filename: only the plain form `file:PATH?query` is read here; one
        // with an authority (`file://host/...`), an escape or a fragment is left to SQLite.
        let (file, query) = uri.split_once('?').unwrap_or((uri, ""));
        file.starts_with("//")
            || file.contains(['%', '#'])
            || file.is_empty()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn exists(url: &str) -> bool {
        Target {
            url: DatabaseUrl::parse(url).unwrap(),
            source: Origin::Flag("--database-url"),
        }
        .exists()
    }

    #[test]
    fn exists_reads_plain_sqlite_paths_and_leaves_other_uris_to_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("app.db");
        std::fs::write(&file, b"").unwrap();
        let path = file.display().to_string();
        let missing = dir.path().join("missing.db").display().to_string();
        assert!(exists(&format!("sqlite://{path}")));
        assert!(exists(&format!("file:{path}?mode=ro")));
        assert!(!exists(&format!("sqlite://{missing}")));
        assert!(!exists(&format!("file:{missing}?mode=ro")));
        // In memory, or a URI form read by SQLite alone: there is something to open.
        for url in [
            ":memory:",
            "file::memory:",
            "file:cache?mode=memory&cache=shared",
            "file://localhost/nowhere/app.db",
            "file:my%20app.db",
        ] {
            assert!(exists(url), "{url}");
        }
        assert!(exists("postgres://u@h/db"));
    }
}
