//! Which database the CLI talks to: `--database-url`, else `DATABASE_URL` (`.env` loaded
//! first), else the embedded SQLite file `migrate.sqlite3` in the current directory.

use std::fmt;
use std::path::Path;

use crate::{AnyConnection, DatabaseUrl, Result};

/// The SQLite file used when no URL is configured.
pub(crate) const DEFAULT_SQLITE_FILE: &str = "migrate.sqlite3";

/// The environment variable holding the database URL.
pub(crate) const ENV_VAR: &str = "DATABASE_URL";

/// Where the database URL came from, so messages can say which setting to fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// `--database-url`.
    Flag,
    /// `DATABASE_URL`, from the environment or `.env`.
    Env,
    /// Nothing configured: the default SQLite file.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::Flag => "from --database-url",
            Source::Env => "from DATABASE_URL",
            Source::Default => "default; set --database-url or DATABASE_URL to change it",
        })
    }
}

/// A resolved database URL and where it came from.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// The URL; its `Display` redacts the password.
    pub(crate) url: DatabaseUrl,
    /// Where it came from.
    pub(crate) source: Source,
}

impl Target {
    /// Resolves the URL from the flag, the environment (after loading `.env` from the
    /// current directory) or the default SQLite file, in that order.
    pub(crate) fn resolve(flag: Option<&str>) -> Result<Self> {
        if let Some(raw) = flag {
            return Ok(Self {
                url: DatabaseUrl::parse(raw)?,
                source: Source::Flag,
            });
        }
        // Only the current directory's `.env`, not its parents': the default SQLite file is
        // also relative to the current directory, and the two should agree. Variables already
        // set in the environment win over the file.
        let _ = dotenvy::from_path(".env");
        match std::env::var(ENV_VAR) {
            Ok(raw) if !raw.trim().is_empty() => Ok(Self {
                url: DatabaseUrl::parse(raw.trim())?,
                source: Source::Env,
            }),
            _ => Ok(Self {
                url: DatabaseUrl::sqlite_file(Path::new(DEFAULT_SQLITE_FILE)),
                source: Source::Default,
            }),
        }
    }

    /// Whether there is a database to look at without creating one: a configured URL, or
    /// the default SQLite file when it already exists. Read-only commands use this so that
    /// they neither fail nor leave an empty `migrate.sqlite3` behind when nothing is set up.
    pub(crate) fn exists(&self) -> bool {
        self.source != Source::Default || Path::new(DEFAULT_SQLITE_FILE).exists()
    }

    /// Opens a connection.
    pub(crate) fn connect(&self) -> Result<AnyConnection> {
        AnyConnection::open(&self.url)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.url, self.source)
    }
}
