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
    ///
    /// A connection error never repeats the URL's password: libpq, for one, quotes the
    /// part of the URL it could not decode, which may be the password itself.
    pub fn open(url: &DatabaseUrl) -> Result<Self> {
        Self::establish(url).map_err(|err| match err {
            Error::Connection(err) => Error::Connection(without_password(err, url)),
            other => other,
        })
    }

    fn establish(url: &DatabaseUrl) -> Result<Self> {
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

/// `err` with every form of `url`'s password replaced by `***`. The variant is kept unless
/// its text had to change and it cannot carry text of its own.
fn without_password(err: diesel::ConnectionError, url: &DatabaseUrl) -> diesel::ConnectionError {
    use diesel::ConnectionError as E;
    let secrets = secrets(url.as_str());
    let scrub = |text: &str| {
        secrets.iter().fold(text.to_owned(), |text, secret| {
            text.replace(secret, REDACTED)
        })
    };
    if secrets.is_empty() || scrub(&err.to_string()) == err.to_string() {
        return err;
    }
    match err {
        E::BadConnection(text) => E::BadConnection(scrub(&text)),
        E::InvalidConnectionUrl(text) => E::InvalidConnectionUrl(scrub(&text)),
        other => E::BadConnection(scrub(&other.to_string())),
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

/// What a redacted password reads as.
const REDACTED: &str = "***";

/// Replaces every password in a URL with `***`: the userinfo's and the value of any
/// `password` query parameter (libpq accepts `?password=`). Works on the text itself, so
/// that URLs the `url` crate rejects (a bad port, an unencoded `/` or `#` in the password)
/// are redacted too. Strings that are not URLs pass unchanged.
pub(crate) fn redact(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut from = 0;
    for range in secret_ranges(raw) {
        out.push_str(&raw[from..range.start]);
        out.push_str(REDACTED);
        from = range.end;
    }
    out.push_str(&raw[from..]);
    out
}

/// The passwords in `raw` as written and percent-decoded, longest first (so that one that
/// contains another is replaced whole), without empty ones.
fn secrets(raw: &str) -> Vec<String> {
    let mut secrets: Vec<String> = secret_ranges(raw)
        .into_iter()
        .flat_map(|range| {
            let written = &raw[range];
            [written.to_owned(), percent_decoded(written)]
        })
        .filter(|secret| !secret.is_empty())
        .collect();
    secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
    secrets.dedup();
    secrets
}

/// The byte ranges of `raw` that hold a password, in order, none empty.
///
/// The userinfo ends at the last `@` before the query, else at the last `@` at all: a
/// password may hold an unencoded `@`, `?` or `/`, and hiding too much is the safe mistake.
fn secret_ranges(raw: &str) -> Vec<std::ops::Range<usize>> {
    let lower = raw.to_ascii_lowercase();
    // SQLite paths hold no credentials, and a `:` or `@` in a file name is no password.
    if lower.starts_with("sqlite:") || lower.starts_with("file:") {
        return Vec::new();
    }
    let Some(scheme_end) = raw.find("://") else {
        return Vec::new();
    };
    let start = scheme_end + "://".len();
    let rest = &raw[start..];
    let before_query = &rest[..rest.find('?').unwrap_or(rest.len())];
    let at = before_query.rfind('@').or_else(|| rest.rfind('@'));
    let mut ranges = Vec::new();
    if let Some(at) = at
        && let Some(colon) = rest[..at].find(':')
        && colon + 1 < at
    {
        ranges.push(start + colon + 1..start + at);
    }
    let host = at.map_or(0, |at| at + 1);
    if let Some(question) = rest[host..].find('?') {
        // The whole tail is the query: a `#` in a password value is not a fragment.
        let mut pair_start = start + host + question + 1;
        for pair in raw[pair_start..].split('&') {
            if let Some((key, value)) = pair.split_once('=') {
                let name = percent_decoded(key).to_ascii_lowercase();
                // `password`, and libpq's `sslpassword` for the client key.
                if name.ends_with("password") && !value.is_empty() {
                    let value_start = pair_start + key.len() + 1;
                    ranges.push(value_start..value_start + value.len());
                }
            }
            pair_start += pair.len() + 1;
        }
    }
    ranges
}

/// `text` with `%XX` escapes decoded (lossily); a `%` not followed by two hex digits stays.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
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

    #[test]
    fn redacts_urls_the_url_crate_rejects() {
        // A port out of range: `url::Url::parse` fails, the password must still go.
        let err = DatabaseUrl::parse("postgres://app:s3cret@db:99999/x").unwrap_err();
        assert!(!err.to_string().contains("s3cret"), "{err}");
        assert!(
            err.to_string().contains("postgres://app:***@db:99999/x"),
            "{err}"
        );
        let cases = [
            (
                "mysql://app:s3cret@db:99999/x",
                "mysql://app:***@db:99999/x",
            ),
            // Unencoded `/`, `#`, `@` and `?` in the password.
            ("postgres://app:s3/cret@db/x", "postgres://app:***@db/x"),
            ("postgres://app:123#s3cret@db/x", "postgres://app:***@db/x"),
            (
                "postgres://app:s3@cret@db/x?a=b",
                "postgres://app:***@db/x?a=b",
            ),
            ("postgres://app:s3?cret@db/x", "postgres://app:***@db/x"),
            ("postgres://app:@db/x", "postgres://app:@db/x"),
            ("postgres://app@db:5432/x", "postgres://app@db:5432/x"),
            (
                "sqlite://dir:with@sign/app.db",
                "sqlite://dir:with@sign/app.db",
            ),
        ];
        for (raw, redacted) in cases {
            assert_eq!(redact(raw), redacted, "{raw}");
        }
    }

    #[test]
    fn redacts_password_query_parameters() {
        let url =
            DatabaseUrl::parse("postgres://postgres@127.0.0.1:5432/db?password=s3cret").unwrap();
        assert_eq!(
            url.to_string(),
            "postgres://postgres@127.0.0.1:5432/db?password=***"
        );
        assert!(!format!("{url:?}").contains("s3cret"));
        let cases = [
            (
                "postgres://u@h/db?sslmode=disable&PassWord=s3cret&application_name=x",
                "postgres://u@h/db?sslmode=disable&PassWord=***&application_name=x",
            ),
            (
                "postgres://u:pw@h/db?pass%77ord=s3cret&sslpassword=k3y",
                "postgres://u:***@h/db?pass%77ord=***&sslpassword=***",
            ),
            ("postgres://u@h/db?password=", "postgres://u@h/db?password="),
            ("postgres://u@h/db?passwords", "postgres://u@h/db?passwords"),
        ];
        for (raw, redacted) in cases {
            assert_eq!(redact(raw), redacted, "{raw}");
        }
    }

    #[test]
    fn connection_errors_lose_the_password_in_every_form() {
        let url = DatabaseUrl::parse("postgres://u:pa%ss@h/db?password=p%40ss").unwrap();
        let err = without_password(
            diesel::ConnectionError::BadConnection(
                "invalid percent-encoded token: \"pa%ss\"; password p@ss rejected".into(),
            ),
            &url,
        );
        assert_eq!(
            err.to_string(),
            "invalid percent-encoded token: \"***\"; password *** rejected"
        );
        // Errors without the password keep their variant and text.
        let untouched = without_password(
            diesel::ConnectionError::InvalidConnectionUrl("bad host".into()),
            &url,
        );
        assert_eq!(
            untouched,
            diesel::ConnectionError::InvalidConnectionUrl("bad host".into())
        );
    }

    #[cfg(feature = "postgres")]
    #[test]
    fn libpq_errors_do_not_repeat_the_password() {
        // libpq refuses the bad escape before connecting and quotes the password.
        let url = DatabaseUrl::parse("postgres://postgres:pa%ss@127.0.0.1:5432/x").unwrap();
        let Err(err) = AnyConnection::open(&url) else {
            panic!("libpq accepted an invalid percent escape");
        };
        assert!(matches!(err, Error::Connection(_)), "{err:?}");
        assert!(!err.to_string().contains("pa%ss"), "{err}");
        assert!(err.to_string().contains("***"), "{err}");
    }
}
