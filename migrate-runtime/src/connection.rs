//! Database URLs, backend detection and the connection enum that migrations receive.

use std::fmt;

use diesel::Connection;

use crate::{Error, Result};

/// The database backend a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// SQLite (embedded).
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL or MariaDB.
    Mysql,
}

impl Backend {
    /// The cargo feature of `migrate-runtime` that enables this backend.
    pub fn feature(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::Mysql => "mysql",
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
            Backend::Mysql => "MySQL",
        })
    }
}

/// How long a SQLite connection opened by [`AnyConnection::open`] waits for another
/// connection's lock before failing with "database is locked".
#[cfg(feature = "sqlite")]
const SQLITE_BUSY_TIMEOUT_MS: u32 = 30_000;

/// A live diesel connection to any enabled backend.
///
/// It implements [`diesel::Connection`] through diesel's `MultiConnection`, so typed diesel
/// queries run on it directly; match on the variants for backend-specific code.
#[derive(diesel::MultiConnection)]
#[non_exhaustive]
pub enum AnyConnection {
    /// A SQLite connection.
    #[cfg(feature = "sqlite")]
    Sqlite(diesel::SqliteConnection),
    /// A PostgreSQL connection.
    #[cfg(feature = "postgres")]
    Postgres(diesel::PgConnection),
    /// A MySQL or MariaDB connection.
    #[cfg(feature = "mysql")]
    Mysql(diesel::MysqlConnection),
}

impl AnyConnection {
    /// The backend this connection talks to.
    pub fn backend(&self) -> Backend {
        match self {
            #[cfg(feature = "sqlite")]
            AnyConnection::Sqlite(_) => Backend::Sqlite,
            #[cfg(feature = "postgres")]
            AnyConnection::Postgres(_) => Backend::Postgres,
            #[cfg(feature = "mysql")]
            AnyConnection::Mysql(_) => Backend::Mysql,
        }
    }

    /// Opens a connection for `url`, choosing the backend from its scheme.
    pub fn open(url: &DatabaseUrl) -> Result<Self> {
        match url.backend() {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite => {
                let mut conn = diesel::SqliteConnection::establish(url.sqlite_path())?;
                // Without a busy timeout, a read that meets another process's commit fails
                // at once with "database is locked" instead of waiting a few milliseconds.
                diesel::connection::SimpleConnection::batch_execute(
                    &mut conn,
                    &format!("PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}"),
                )?;
                Ok(AnyConnection::Sqlite(conn))
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres => Ok(AnyConnection::Postgres(diesel::PgConnection::establish(
                url.as_str(),
            )?)),
            #[cfg(feature = "mysql")]
            Backend::Mysql => Ok(AnyConnection::Mysql(diesel::MysqlConnection::establish(
                url.as_str(),
            )?)),
            #[allow(
                unreachable_patterns,
                reason = "reachable when a backend feature is off"
            )]
            other => Err(Error::BackendDisabled(other)),
        }
    }
}

/// A database URL. Its [`Display`](fmt::Display) redacts any password.
///
/// Accepted forms: `sqlite://path`, `sqlite:path`, `file:path`, a bare path ending in
/// `.db`, `.sqlite` or `.sqlite3`, `:memory:`, `postgres://...`, `postgresql://...`,
/// `mysql://...` and `mariadb://...`.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    raw: String,
    backend: Backend,
}

impl DatabaseUrl {
    /// Parses `raw`, detecting the backend from its scheme.
    pub fn parse(raw: &str) -> Result<Self> {
        let lower = raw.to_ascii_lowercase();
        let backend = if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Backend::Postgres
        } else if lower.starts_with("mysql://") {
            Backend::Mysql
        } else if lower.starts_with("mariadb://") {
            return Self::parse(&format!("mysql://{}", &raw["mariadb://".len()..]));
        } else if lower.starts_with("sqlite:")
            || lower.starts_with("file:")
            || lower == ":memory:"
            || [".db", ".sqlite", ".sqlite3"]
                .iter()
                .any(|ext| lower.ends_with(ext))
        {
            Backend::Sqlite
        } else {
            return Err(Error::InvalidUrl {
                url: redact(raw),
                reason: "unknown scheme; use sqlite://PATH, postgres://... or mysql://...".into(),
            });
        };
        if backend != Backend::Sqlite {
            url::Url::parse(raw).map_err(|e| Error::InvalidUrl {
                url: redact(raw),
                reason: e.to_string(),
            })?;
        }
        Ok(Self {
            raw: raw.to_owned(),
            backend,
        })
    }

    /// A SQLite URL for the file at `path`.
    pub fn sqlite_file(path: &std::path::Path) -> Self {
        Self {
            raw: format!("sqlite://{}", path.display()),
            backend: Backend::Sqlite,
        }
    }

    /// The backend named by the URL's scheme.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The full URL, password included. Never print this; print the URL itself instead.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// For SQLite URLs, what diesel's `SqliteConnection::establish` expects.
    pub fn sqlite_path(&self) -> &str {
        let raw = self.raw.as_str();
        raw.strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
            .unwrap_or(raw)
    }
}

impl std::str::FromStr for DatabaseUrl {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.raw))
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", redact(&self.raw))
    }
}

/// Replaces the password of a URL with `***`. Strings that are not URLs pass unchanged.
pub(crate) fn redact(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            // set_password only fails for URLs that cannot have one, which excludes this branch.
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_backend_from_scheme() {
        let cases = [
            ("sqlite://app.db", Backend::Sqlite),
            ("app.sqlite3", Backend::Sqlite),
            (":memory:", Backend::Sqlite),
            ("postgres://u@localhost/db", Backend::Postgres),
            ("postgresql://u@localhost/db", Backend::Postgres),
            ("mysql://root@127.0.0.1/test", Backend::Mysql),
            ("mariadb://root@127.0.0.1/test", Backend::Mysql),
        ];
        for (url, backend) in cases {
            assert_eq!(DatabaseUrl::parse(url).unwrap().backend(), backend, "{url}");
        }
        assert!(DatabaseUrl::parse("redis://x").is_err());
    }

    #[test]
    fn never_displays_the_password() {
        let url = DatabaseUrl::parse("postgres://app:s3cret@db.example/prod").unwrap();
        assert_eq!(url.to_string(), "postgres://app:***@db.example/prod");
        assert!(!format!("{url:?}").contains("s3cret"));
        let err = DatabaseUrl::parse("oracle://app:s3cret@db").unwrap_err();
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }
}
