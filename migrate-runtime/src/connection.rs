//! Database URLs, backend detection and the connection enum that migrations receive.

use std::fmt;

use diesel::Connection;

use crate::{Error, Result};

#[cfg(feature = "mysql")]
mod mysql_tls;
#[cfg(feature = "mysql")]
pub use mysql_tls::CLIENT_HONOURS_SSL_MODE as MYSQL_CLIENT_HONOURS_SSL_MODE;

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

/// An application's own connection, for [`Migrator`](crate::Migrator): take it back out
/// by matching the variant.
#[cfg(feature = "sqlite")]
impl From<diesel::SqliteConnection> for AnyConnection {
    fn from(conn: diesel::SqliteConnection) -> Self {
        AnyConnection::Sqlite(conn)
    }
}

/// An application's own connection, for [`Migrator`](crate::Migrator): take it back out
/// by matching the variant.
#[cfg(feature = "postgres")]
impl From<diesel::PgConnection> for AnyConnection {
    fn from(conn: diesel::PgConnection) -> Self {
        AnyConnection::Postgres(conn)
    }
}

/// An application's own connection, for [`Migrator`](crate::Migrator): take it back out
/// by matching the variant.
#[cfg(feature = "mysql")]
impl From<diesel::MysqlConnection> for AnyConnection {
    fn from(conn: diesel::MysqlConnection) -> Self {
        AnyConnection::Mysql(conn)
    }
}

/// A connection a [`Migrator`](crate::Migrator) can run on: an [`AnyConnection`], or one of
/// diesel's own connections that the application already holds (a connection taken from a
/// pool derefs to one: pass `&mut *pooled`, or with the `r2d2` feature `&mut pooled`).
///
/// A migration sees the connection as an [`AnyConnection`] (`ctx.connection()`), so a
/// diesel connection is moved into one for the call and back out afterwards: the
/// application keeps its connection, with its session settings (a pool's customizer, a
/// `search_path`), and no second connection is opened. A run, a stamp and
/// `accept_changes` commit their own transactions, so they refuse a connection inside one
/// of the application's ([`Error::TransactionOpen`]); `current`, `history` and `check`
/// only read, and may run inside one.
///
#[cfg_attr(feature = "sqlite", doc = "```")]
#[cfg_attr(not(feature = "sqlite"), doc = "```ignore")]
/// use diesel::Connection as _;
/// use migrate_runtime::{Migration, MigrationFn, MigrationSet, Migrator, RevisionId};
///
/// let create = Migration::new(
///     RevisionId::new("0001_create_users")?,
///     MigrationFn::new(|ctx| ctx.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")),
/// );
/// let migrator = Migrator::new(MigrationSet::new(vec![create])?);
/// // The application's own connection (or `&mut *pool.get()?`).
/// let mut conn = diesel::SqliteConnection::establish(":memory:")?;
/// assert_eq!(migrator.upgrade(&mut conn, "head")?.steps.len(), 1);
/// assert_eq!(migrator.current(&mut conn)?, [RevisionId::new("0001_create_users")?]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is no connection migrate can run on",
    label = "expected an `AnyConnection` or a diesel connection of an enabled backend",
    note = "a pooled connection derefs to one: pass `&mut *conn`, or enable migrate-runtime's \
            `r2d2` feature for diesel's r2d2 pools"
)]
pub trait LendConnection {
    /// Calls `f` with this connection as an [`AnyConnection`] and returns what it returns.
    ///
    /// A panic in `f` propagates once the connection is back in place. Should `f` replace
    /// the [`AnyConnection`] it is lent with one of another backend, there is no
    /// connection of this type to give back and the process aborts; with one of the same
    /// backend (a migration doing `*ctx.connection()? = AnyConnection::open(..)?`), that
    /// connection is what the application gets back, without its session, and its own is
    /// closed.
    fn lend<T>(&mut self, f: impl FnOnce(&mut AnyConnection) -> T) -> T;
}

impl LendConnection for AnyConnection {
    fn lend<T>(&mut self, f: impl FnOnce(&mut AnyConnection) -> T) -> T {
        f(self)
    }
}

/// Implements [`LendConnection`] for one of diesel's connections: moved into its variant
/// for the call, and back out.
macro_rules! lend_diesel_connection {
    ($feature:literal, $conn:ty, $variant:ident) => {
        /// Lent as [`AnyConnection`]'s variant for the call, and taken back after it.
        #[cfg(feature = $feature)]
        impl LendConnection for $conn {
            fn lend<T>(&mut self, f: impl FnOnce(&mut AnyConnection) -> T) -> T {
                // The value is moved out of `self` for the call; `replace_with` aborts if
                // the closure unwinds (there would be nothing to put back), so a panic of
                // `f` is caught, the connection restored, and the panic resumed after.
                let outcome = replace_with::replace_with_or_abort_and_return(self, |conn| {
                    let mut any = AnyConnection::$variant(conn);
                    let outcome =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&mut any)));
                    match any {
                        AnyConnection::$variant(conn) => (outcome, conn),
                        #[allow(
                            unreachable_patterns,
                            reason = "reachable when another backend is enabled"
                        )]
                        other => panic!(
                            "the {} connection lent to migrate was replaced with a {} one, \
                             which cannot be given back",
                            Backend::$variant,
                            other.backend()
                        ),
                    }
                });
                outcome.unwrap_or_else(|payload| std::panic::resume_unwind(payload))
            }
        }
    };
}

lend_diesel_connection!("sqlite", diesel::SqliteConnection, Sqlite);
lend_diesel_connection!("postgres", diesel::PgConnection, Postgres);
lend_diesel_connection!("mysql", diesel::MysqlConnection, Mysql);

/// A connection checked out of diesel's r2d2 pool, lent as the connection it holds.
#[cfg(feature = "r2d2")]
impl<C> LendConnection for diesel::r2d2::PooledConnection<diesel::r2d2::ConnectionManager<C>>
where
    C: LendConnection + diesel::r2d2::R2D2Connection + Send + 'static,
{
    fn lend<T>(&mut self, f: impl FnOnce(&mut AnyConnection) -> T) -> T {
        (**self).lend(f)
    }
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
            Error::Connection(err) if url.backend() == Backend::Sqlite => {
                Error::Connection(sqlite_open_error(err, url.sqlite_path()))
            }
            Error::Connection(err) => option_error(without_password(err, url), url),
            other => other,
        })
    }

    fn establish(url: &DatabaseUrl) -> Result<Self> {
        if url.backend() == Backend::Mysql {
            unknown_mysql_option(url)?;
        }
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
            Backend::Mysql => Ok(AnyConnection::Mysql(mysql_tls::establish(url)?)),
            #[allow(
                unreachable_patterns,
                reason = "reachable when a backend feature is off"
            )]
            other => Err(Error::BackendDisabled(other)),
        }
    }
}

/// SQLite's "unable to open database file" with the path, and the reason when it is a
/// missing directory (SQLite creates the file, not its folder).
fn sqlite_open_error(err: diesel::ConnectionError, path: &str) -> diesel::ConnectionError {
    let file = std::path::Path::new(path);
    let missing_dir = (!path.starts_with("file:"))
        .then(|| file.parent())
        .flatten()
        .filter(|dir| !dir.as_os_str().is_empty() && !dir.exists());
    // Any text ending in `.db` is taken for a SQLite path, a mistyped URL included.
    let shown = redact(path);
    let text = match missing_dir {
        Some(dir) => format!(
            "{err}: `{shown}` is in the directory `{}`, which does not exist; create it or fix \
             the path",
            redact(&dir.display().to_string())
        ),
        None => format!("{err} (`{shown}`)"),
    };
    diesel::ConnectionError::BadConnection(text)
}

/// `err` (redacted) as [`Error::InvalidConnectionOption`] when the client library refused
/// an option of `url`'s query, before reaching any server: a configuration mistake, which
/// the CLI reports with exit code 2, as a malformed URL. Any other error as
/// [`Error::Connection`].
fn option_error(err: diesel::ConnectionError, url: &DatabaseUrl) -> Error {
    let text = err.to_string();
    let text = text.trim_end();
    match rejected_option(url.backend(), text) {
        Some(option) => {
            let reason = if url.backend() == Backend::Mysql && option == "ssl_mode" {
                // diesel's own message says no more than "unknown ssl_mode".
                format!("{text}; use one of {MYSQL_SSL_MODES}")
            } else {
                text.to_owned()
            };
            Error::InvalidConnectionOption {
                url: url.to_string(),
                option,
                reason,
            }
        }
        None => Error::Connection(err),
    }
}

/// The query options of a MySQL URL that diesel's `MysqlConnection` reads. It ignores any
/// other without a word, so that `?sslmode=require` (libpq's spelling) would connect
/// without TLS.
const MYSQL_OPTIONS: [&str; 5] = ["ssl_mode", "ssl_ca", "ssl_cert", "ssl_key", "unix_socket"];

/// Refuses, as [`Error::InvalidConnectionOption`], a query option of the MySQL `url` that
/// diesel would silently ignore: the user asked for something (TLS, most likely) that the
/// connection would not do.
fn unknown_mysql_option(url: &DatabaseUrl) -> Result<()> {
    let Ok(parsed) = url::Url::parse(url.as_str()) else {
        // `DatabaseUrl::parse` has refused what the `url` crate cannot read.
        return Ok(());
    };
    let Some((option, _)) = parsed
        .query_pairs()
        .find(|(key, _)| !MYSQL_OPTIONS.contains(&key.as_ref()))
    else {
        return Ok(());
    };
    let known = MYSQL_OPTIONS.map(|o| format!("`{o}`")).join(", ");
    let spelled = option.to_ascii_lowercase().replace('-', "_");
    let hint = match spelled.as_str() {
        known if MYSQL_OPTIONS.contains(&known) => {
            format!("; option names are lower case with `_`: write `{known}=`")
        }
        "sslmode" | "ssl" | "tls" => mysql_tls_hint(),
        "sslrootcert" | "sslca" | "ssl_root_cert" => "; for the CA file write `ssl_ca=`".into(),
        "sslcert" => "; for the client certificate write `ssl_cert=`".into(),
        "sslkey" => "; for the client key write `ssl_key=`".into(),
        "socket" | "host" => "; for a Unix socket write `unix_socket=`".into(),
        _ => String::new(),
    };
    Err(Error::InvalidConnectionOption {
        url: url.to_string(),
        option: option.into_owned(),
        reason: format!(
            "the MySQL client does not know this option and would ignore it; the options it \
             knows are {known}{hint}"
        ),
    })
}

/// What to write for TLS on a MySQL URL, with the client library this build links.
fn mysql_tls_hint() -> String {
    #[cfg(feature = "mysql")]
    return mysql_tls::tls_hint();
    #[cfg(not(feature = "mysql"))]
    format!("; for TLS write `ssl_mode=` with one of {MYSQL_SSL_MODES}")
}

/// The values of a MySQL URL's `ssl_mode` that diesel accepts (in any case).
const MYSQL_SSL_MODES: &str = "`disabled`, `preferred`, `required`, `verify_ca`, `verify_identity`";

/// The URL option that a connection error of `backend` (its message, `text`) says is
/// wrong, if it says so: libpq's `invalid sslmode value: "bogus"`, `invalid integer value
/// "soon" for connection option "connect_timeout"`, `invalid URI query parameter:
/// "sslmod"`, `sslmode value "require" invalid when SSL support is not compiled in`, and
/// diesel's MySQL `unknown ssl_mode`.
fn rejected_option(backend: Backend, text: &str) -> Option<String> {
    /// The text between `start` and the next `end` after it.
    fn between<'t>(text: &'t str, start: &str, end: &str) -> Option<&'t str> {
        let rest = &text[text.find(start)? + start.len()..];
        Some(&rest[..rest.find(end)?])
    }
    let word = |name: &str| {
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let option = match backend {
        Backend::Postgres => between(text, "invalid URI query parameter: \"", "\"")
            .or_else(|| between(text, "invalid connection option \"", "\""))
            .or_else(|| between(text, "for connection option \"", "\""))
            .or_else(|| {
                // `invalid sslmode value: "bogus"`, and so for every option with a fixed
                // set of values (`gssencmode`, `target_session_attrs`, ...).
                between(text, "invalid ", " value: \"")
                    .map(|name| name.rsplit(' ').next().unwrap_or(name))
            })
            .or_else(|| {
                // `sslmode value "require" invalid when SSL support is not compiled in`.
                let name = between(text, "", " value \"")?;
                text.contains("invalid when")
                    .then(|| name.rsplit([' ', ':']).next().unwrap_or(name))
            })
            .or_else(|| text.contains("invalid port number").then_some("port")),
        Backend::Mysql => (text == "unknown ssl_mode").then_some("ssl_mode"),
        Backend::Sqlite => None,
    }?;
    word(option).then(|| option.to_owned())
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
            let reason = if raw.contains('=') && !raw.contains("://") {
                "unknown scheme: a keyword string such as libpq's `host=... dbname=...` is not \
                 accepted; write a URL: sqlite://PATH, postgres://USER@HOST/DB or \
                 mysql://USER@HOST/DB"
            } else {
                "unknown scheme; use sqlite://PATH, postgres://USER@HOST/DB or mysql://USER@HOST/DB"
            };
            return Err(Error::InvalidUrl {
                url: redact(raw),
                reason: reason.into(),
            });
        };
        if backend != Backend::Sqlite {
            let credentials = credentials(raw).map_or("", |range| &raw[range]);
            let unencoded = |chars: &[char]| credentials.contains(chars);
            match url::Url::parse(raw) {
                // libpq reads `postgres://user@/db?host=/run/postgresql` (a Unix socket,
                // or libpq's default host) as psql does.
                Ok(_) | Err(url::ParseError::EmptyHost) if backend == Backend::Postgres => {}
                Ok(_) => {}
                Err(e) if unencoded(&['/', '?', '#', '@']) => {
                    return Err(Error::InvalidUrl {
                        url: redact(raw),
                        reason: format!("{e}: {ENCODE_HINT}"),
                    });
                }
                Err(e) => {
                    return Err(Error::InvalidUrl {
                        url: redact(raw),
                        reason: e.to_string(),
                    });
                }
            }
            // libpq ends the password at the first `@`, the `url` crate (and so MySQL) at
            // the last: refuse what the two would read differently.
            if backend == Backend::Postgres && unencoded(&['@']) {
                return Err(Error::InvalidUrl {
                    url: redact(raw),
                    reason: format!(
                        "the user name or password holds an `@`, which libpq reads as its \
                         end: {ENCODE_HINT}"
                    ),
                });
            }
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

/// How to write the characters that end a URL's user name or password.
const ENCODE_HINT: &str = "percent-encode `@`, `/`, `?`, `#` and `:` in the user name and \
                           password (`%40`, `%2F`, `%3F`, `%23`, `%3A`)";

/// The user name and password of a URL with a scheme (`user:password`), if it has any.
///
/// The userinfo ends at the last `@` before the query, else at the last `@` at all: a
/// password may hold an unencoded `@`, `?` or `/`, and hiding too much is the safe mistake.
fn credentials(raw: &str) -> Option<std::ops::Range<usize>> {
    let start = raw.find("://")? + "://".len();
    let rest = &raw[start..];
    let before_query = &rest[..rest.find('?').unwrap_or(rest.len())];
    let at = match before_query.rfind('@') {
        Some(at) => at,
        // An `@` only after a `?`: the `?` is in a password (`user:pa?ss@host`) when a `:`
        // comes before any `/`, else the `@` is in the query (`host/db?name=a@b`).
        None => {
            let at = rest.rfind('@')?;
            let colon = rest[..at].find(':')?;
            if rest[..colon].contains('/') {
                return None;
            }
            at
        }
    };
    Some(start..start + at)
}

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

/// The byte ranges of `raw` that hold a password, in order, none empty: the userinfo's
/// (see [`credentials`]) and the query's `password` parameters.
fn secret_ranges(raw: &str) -> Vec<std::ops::Range<usize>> {
    let lower = raw.to_ascii_lowercase();
    // SQLite paths hold no credentials, and a `:` or `@` in a file name is no password.
    if lower.starts_with("sqlite:") || lower.starts_with("file:") {
        return Vec::new();
    }
    let Some(scheme_end) = raw.find("://") else {
        return schemeless_secret_ranges(raw);
    };
    let mut ranges = Vec::new();
    let credentials = credentials(raw);
    if let Some(userinfo) = credentials.clone()
        && let Some(colon) = raw[userinfo.clone()].find(':')
        && userinfo.start + colon + 1 < userinfo.end
    {
        ranges.push(userinfo.start + colon + 1..userinfo.end);
    }
    let host = credentials.map_or(scheme_end + "://".len(), |userinfo| userinfo.end + 1);
    // Every `key=value` after the host, split at each `?` and `&`: the whole tail is the
    // query (a `#` in a password value is not a fragment), and splitting at every `?` too
    // keeps a `?` or `@` in an earlier value from hiding a later parameter.
    let mut pair_start = host;
    for pair in raw[host..].split(['?', '&']) {
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
    ranges
}

/// [`secret_ranges`] of text that is no URL with a scheme but may still hold a password,
/// as a mistyped URL (`postgres//user:pw@host/db`) or a keyword string
/// (`host=db password=pw`) does.
fn schemeless_secret_ranges(raw: &str) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    // `user:password@host`: from the first `:` after a `//` (else after the start) to the
    // last `@`. A password may hold `/`, `?` or `@`, and text that is no URL may as well be
    // hidden too generously.
    if let Some(at) = raw.rfind('@') {
        let start = raw[..at].find("//").map_or(0, |slashes| slashes + 2);
        if let Some(colon) = raw[start..at].find(':')
            && start + colon + 1 < at
        {
            ranges.push(start + colon + 1..at);
        }
    }
    // `password=value` and `password = 'quoted value'`, any case, `sslpassword` too.
    let lower = raw.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find("password") {
        let key_end = from + found + "password".len();
        from = key_end;
        let after = &raw[key_end..];
        let Some(eq) = after.trim_start().strip_prefix('=') else {
            continue;
        };
        let value = eq.trim_start();
        let value_start = raw.len() - value.len();
        let value_len = if let Some(quoted) = value.strip_prefix('\'') {
            // Up to the closing quote (a backslash escapes the next character).
            let mut escaped = false;
            quoted
                .char_indices()
                .find(|&(_, c)| {
                    let end = !escaped && c == '\'';
                    escaped = !escaped && c == '\\';
                    end
                })
                .map_or(value.len(), |(i, _)| i + 2)
        } else {
            value.find(char::is_whitespace).unwrap_or(value.len())
        };
        if value_len > 0 {
            ranges.push(value_start..value_start + value_len);
        }
        from = value_start + value_len;
    }
    ranges.sort_by_key(|range| range.start);
    // Overlapping ranges (a keyword string with an `@` in it) are merged.
    let mut merged: Vec<std::ops::Range<usize>> = Vec::new();
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
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
    fn names_the_option_of_a_client_librarys_message() {
        let pg = |text: &str| rejected_option(Backend::Postgres, text);
        assert_eq!(
            pg("invalid sslmode value: \"bogus\"").as_deref(),
            Some("sslmode")
        );
        assert_eq!(
            pg("invalid target_session_attrs value: \"x\"").as_deref(),
            Some("target_session_attrs")
        );
        assert_eq!(
            pg(
                "connection to server at \"db\", port 5432 failed: invalid integer value \
                \"soon\" for connection option \"connect_timeout\""
            )
            .as_deref(),
            Some("connect_timeout")
        );
        assert_eq!(
            pg("invalid URI query parameter: \"sslmod\"").as_deref(),
            Some("sslmod")
        );
        assert_eq!(
            pg("sslmode value \"require\" invalid when SSL support is not compiled in").as_deref(),
            Some("sslmode")
        );
        // Failures to reach or enter the server are not the URL's options.
        assert_eq!(pg("password authentication failed for user \"app\""), None);
        assert_eq!(
            pg("connection to server at \"127.0.0.1\", port 1 failed: Connection refused"),
            None
        );
        let my = |text: &str| rejected_option(Backend::Mysql, text);
        assert_eq!(my("unknown ssl_mode").as_deref(), Some("ssl_mode"));
        assert_eq!(my("Access denied for user 'root'@'localhost'"), None);
    }

    /// The client libraries refuse these options before they reach any server: the error
    /// names the option, not the password, and counts as bad input.
    /// The message of the error `AnyConnection::open` gives for `url`, after checking that
    /// it is an input error refusing `option` and does not repeat the password `s3cret`.
    #[cfg(any(feature = "postgres", feature = "mysql"))]
    fn refused_option(url: &str, option: &str) -> String {
        let url = DatabaseUrl::parse(url).unwrap();
        let err = AnyConnection::open(&url).map(|_| ()).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidConnectionOption { option: o, .. } if o == option),
            "{err:?}"
        );
        assert!(err.is_input_error());
        let text = err.to_string();
        assert!(!text.contains("s3cret"), "{text}");
        text
    }

    #[cfg(feature = "postgres")]
    #[test]
    fn a_bad_postgres_option_is_an_input_error_naming_it() {
        for (query, option) in [
            ("sslmode=bogus", "sslmode"),
            ("connect_timeout=soon", "connect_timeout"),
            ("sslmod=require", "sslmod"),
        ] {
            let text = refused_option(
                &format!("postgres://app:s3cret@127.0.0.1:1/app?{query}"),
                option,
            );
            assert!(
                text.starts_with(&format!(
                    "invalid connection option `{option}` in the database \
                     URL `postgres://app:***@127.0.0.1:1/app?{query}`: "
                )),
                "{text}"
            );
        }
    }

    #[cfg(feature = "mysql")]
    #[test]
    fn a_bad_mysql_ssl_mode_is_an_input_error_naming_it_and_the_values() {
        let text = refused_option(
            "mysql://root:s3cret@127.0.0.1:1/test?ssl_mode=bogus",
            "ssl_mode",
        );
        assert!(text.contains("`verify_identity`"), "{text}");
    }

    /// diesel's MySQL connection ignores an option it does not know: a URL asking for TLS
    /// in libpq's spelling would connect without it. It is refused before any server is
    /// reached (port 1 here), naming the option and the spelling to use.
    #[cfg(feature = "mysql")]
    #[test]
    fn a_mysql_option_diesel_would_ignore_is_an_input_error_naming_it() {
        for (query, option, hint) in [
            ("sslmode=require", "sslmode", "for TLS write `ssl_mode="),
            (
                "ssl_mode=required&sslrootcert=ca.pem",
                "sslrootcert",
                "write `ssl_ca=`",
            ),
            ("bogus=1", "bogus", "the options it knows are `ssl_mode`"),
            // diesel reads option names as written: another case or a `-` is ignored.
            (
                "SSL_MODE=required&ssl_ca=ca.pem",
                "SSL_MODE",
                "option names are lower case with `_`: write `ssl_mode=`",
            ),
            (
                "ssl_mode=required&ssl-ca=ca.pem",
                "ssl-ca",
                "option names are lower case with `_`: write `ssl_ca=`",
            ),
        ] {
            let text = refused_option(
                &format!("mysql://root:s3cret@127.0.0.1:1/test?{query}"),
                option,
            );
            assert!(text.contains(hint), "{text}");
        }
        // The spelling for TLS that works with this build's client library.
        let text = refused_option(
            "mysql://root:s3cret@127.0.0.1:1/test?sslmode=require",
            "sslmode",
        );
        let works = if mysql_tls::CLIENT_HONOURS_SSL_MODE {
            "with one of `disabled`"
        } else {
            "`ssl_mode=required&ssl_ca=PATH`"
        };
        assert!(text.contains(works), "{text}");
        // The options diesel reads are let through to the connection (which finds no
        // server on port 1).
        let url = DatabaseUrl::parse(
            "mysql://root@127.0.0.1:1/test?ssl_mode=disabled&unix_socket=/nonexistent.sock",
        )
        .unwrap();
        let err = AnyConnection::open(&url).map(|_| ()).unwrap_err();
        assert!(matches!(err, Error::Connection(_)), "{err:?}");
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

    #[cfg(feature = "sqlite")]
    #[test]
    fn a_sqlite_file_that_cannot_be_opened_is_named_with_its_missing_directory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no-such-dir/app.db");
        let url = DatabaseUrl::sqlite_file(&path);
        let Err(err) = AnyConnection::open(&url) else {
            panic!("SQLite created a file in a missing directory");
        };
        let text = err.to_string();
        assert!(text.contains(&path.display().to_string()), "{text}");
        assert!(text.contains("which does not exist"), "{text}");
        assert!(!path.parent().unwrap().exists());
    }

    #[test]
    fn redacts_passwords_in_text_that_is_no_url() {
        let cases = [
            (
                "postgres//nobody:S3cretPW@127.0.0.1/walk_pg",
                "postgres//nobody:***@127.0.0.1/walk_pg",
            ),
            ("postgres:nobody:pw@db/x", "postgres:***@db/x"),
            (
                "host=127.0.0.1 user=nobody password=S3cretPW dbname=walk_pg",
                "host=127.0.0.1 user=nobody password=*** dbname=walk_pg",
            ),
            (
                "host=db PASSWORD = 'it\\'s secret' sslpassword=k3y",
                "host=db PASSWORD = *** sslpassword=***",
            ),
            ("data/app@2.db", "data/app@2.db"),
            ("postgres//app:pa/ss@db/x", "postgres//app:***@db/x"),
            (
                "postgres//app:pw@db/x?application_name=a@b",
                "postgres//app:***@b",
            ),
            (
                "host=/tmp password=s3cretPW dbname=app.db",
                "host=/tmp password=*** dbname=app.db",
            ),
        ];
        for (raw, redacted) in cases {
            assert_eq!(redact(raw), redacted, "{raw}");
            let err = DatabaseUrl::parse(raw).err().map(|e| e.to_string());
            assert!(
                !err.unwrap_or_default().contains("ecret"),
                "{raw}: the parse error repeats the password"
            );
        }
        let err = DatabaseUrl::parse("host=db user=u password=S3cretPW").unwrap_err();
        assert!(err.to_string().contains("keyword string"), "{err}");
    }

    #[test]
    fn refuses_credentials_that_libpq_would_split_elsewhere() {
        let err = DatabaseUrl::parse("postgres://postgres:hunter@2topsecret@127.0.0.1/x")
            .unwrap_err()
            .to_string();
        assert!(err.contains("libpq reads as its end"), "{err}");
        assert!(err.contains("%40"), "{err}");
        assert!(
            !err.contains("hunter") && !err.contains("2topsecret"),
            "{err}"
        );
        // The `url` crate splits MySQL URLs at the last `@`, as the redaction does.
        assert!(DatabaseUrl::parse("mysql://root:hunter@2top@127.0.0.1/x").is_ok());
        // An unencoded `/` breaks the URL; the error says how to write it.
        let err = DatabaseUrl::parse("postgres://app:s3/cret@db/x")
            .unwrap_err()
            .to_string();
        assert!(err.contains("percent-encode"), "{err}");
        assert!(!err.contains("cret"), "{err}");
    }

    #[test]
    fn an_at_sign_in_the_query_hides_no_password_parameter() {
        let raw = "postgres://db.example/app?user=alice@corp&password=s3cret";
        assert_eq!(
            redact(raw),
            "postgres://db.example/app?user=alice@corp&password=***"
        );
        let url = DatabaseUrl::parse(raw).unwrap();
        assert!(!url.to_string().contains("s3cret"), "{url}");
        // Nor is such an `@` taken for one in a password.
        assert!(DatabaseUrl::parse("postgres://h/db?a=x@y&b=z@w").is_ok());
        // A `?` in a password still ends at the last `@`.
        assert_eq!(
            redact("postgres://app:pa?ss@db/x"),
            "postgres://app:***@db/x"
        );
    }

    #[test]
    fn accepts_libpq_urls_without_a_host() {
        for raw in [
            "postgresql://postgres@/walk_pg?host=/var/run/postgresql",
            "postgres:///walk_pg?host=/var/run/postgresql",
            "postgres:///db",
        ] {
            assert_eq!(
                DatabaseUrl::parse(raw).unwrap().backend(),
                Backend::Postgres
            );
        }
        assert!(DatabaseUrl::parse("mysql://root@/x").is_err());
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
