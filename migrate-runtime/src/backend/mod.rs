//! What differs between backends: identifier quoting, the bookkeeping
//! tables' DDL, locking against concurrent runners and transactional DDL. One file per
//! backend, each behind its cargo feature.

use std::time::Duration;

use diesel::connection::TransactionManager;

use crate::{AnyConnection, Backend, Result};

#[cfg(feature = "mysql")]
mod mysql;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

/// The server session holding a migration lock, for people: `session 4242 (psql, from
/// 10.0.0.7, active since ...: `CREATE INDEX ...`)`. `what` is the session's kind and id,
/// `about` what the server says of it, `query` the statement it is running, of which only
/// the leading keywords are shown: the text may hold data or a password, and this goes
/// to error messages and logs.
#[cfg(any(feature = "postgres", feature = "mysql"))]
fn describe_holder(what: String, about: &[String], query: Option<&str>) -> String {
    let mut text = what;
    if !about.is_empty() {
        text.push_str(&format!(" ({}", about.join(", ")));
        if let Some(kind) = query.and_then(statement_kind) {
            text.push_str(&format!(": `{kind}`"));
        }
        text.push(')');
    }
    text
}

/// The first two words of `statement` when they are plain words (`CREATE INDEX ...`,
/// `UPDATE accounts ...`, `SELECT ...`), with `...` when more follows; `None` when it
/// starts with anything else.
#[cfg(any(feature = "postgres", feature = "mysql"))]
fn statement_kind(statement: &str) -> Option<String> {
    let plain = |word: &&str| word.chars().all(|c| c.is_ascii_alphabetic() || c == '_');
    let mut words = statement.split_whitespace();
    let kept: Vec<&str> = words.by_ref().take(2).take_while(plain).collect();
    let first = kept.first()?;
    let mut out = first.to_ascii_uppercase();
    if let Some(second) = kept.get(1) {
        out.push(' ');
        out.push_str(second);
    }
    if statement.split_whitespace().count() > kept.len() {
        out.push_str(" ...");
    }
    Some(out)
}

/// The SQL dialect and locking strategy of one backend.
pub(crate) trait Dialect: Sync {
    /// Whether DDL can be rolled back, i.e. whether a failed migration leaves no trace.
    fn transactional_ddl(&self) -> bool;

    /// `CREATE TABLE IF NOT EXISTS` of the version table (`table` is quoted).
    fn create_version_table(&self, table: &str) -> String;

    /// `CREATE TABLE IF NOT EXISTS` of the history table (`table` is quoted).
    fn create_history_table(&self, table: &str) -> String;

    /// A query returning, as `id`, the key that this session's last `INSERT` generated:
    /// exact under concurrent writers and independent of the table's size.
    fn last_insert_id(&self) -> &'static str;

    /// Whether `err` says the queried table does not exist.
    fn is_missing_table(&self, err: &diesel::result::Error) -> bool;

    /// Whether `err` says another connection held a lock for longer than we waited.
    fn is_lock_timeout(&self, _err: &diesel::result::Error) -> bool {
        false
    }

    /// Takes the lock that keeps concurrent runners apart. `key` names the protected
    /// version table. Whether the lock lasts the whole run is [`Lock::held_for_run`].
    /// `waiting` is called once, with the lock's name, when another session holds it and
    /// this one starts to wait (on servers; SQLite waits inside `busy_timeout`).
    ///
    /// `tables` are the version and history tables as configured (validated, unquoted):
    /// on the servers, the statement that takes the lock also says where those named
    /// without a schema are ([`Lock::schemas`]), so that a migration changing the
    /// session's `search_path` (or `USE`) cannot move the run's bookkeeping, at no cost of
    /// a round trip.
    fn lock(
        &self,
        conn: &mut AnyConnection,
        key: &str,
        tables: [&str; 2],
        timeout: Duration,
        waiting: &mut dyn FnMut(&str),
    ) -> Result<Lock>;

    /// Releases what [`Dialect::lock`] took, and puts back the session settings it changed,
    /// and the schema search path (PostgreSQL) or current database (MySQL) it saw, which a
    /// migration may have changed for the session.
    fn unlock(&self, conn: &mut AnyConnection, key: &str, lock: Lock) -> Result<()>;

    /// Turns off foreign-key enforcement for a run when it is on, and says whether it did
    /// (SQLite only, where table rebuilds need it off; see `schema::rebuild`).
    fn suspend_foreign_keys(&self, _conn: &mut AnyConnection) -> Result<bool> {
        Ok(false)
    }

    /// Turns foreign-key enforcement back on after [`Dialect::suspend_foreign_keys`].
    fn resume_foreign_keys(&self, _conn: &mut AnyConnection) -> Result<()> {
        Ok(())
    }

    /// Commits what was written outside any transaction of diesel's. Only MySQL needs it:
    /// its runs hold `autocommit` off (see `mysql.rs`), elsewhere such writes commit alone.
    fn commit_loose(&self, _conn: &mut AnyConnection) -> Result<()> {
        Ok(())
    }

    /// Begins a transaction that will write (SQLite: `BEGIN IMMEDIATE`, so that it takes
    /// the write lock up front instead of failing on upgrade from a read lock).
    fn begin_write(&self, conn: &mut AnyConnection) -> diesel::QueryResult<()> {
        AnyConnection::begin_transaction(conn)
    }
}

/// The lock [`Dialect::lock`] took, and what it changed on the caller's connection, for
/// [`Dialect::unlock`] to restore: the connection belongs to the application, which may
/// have tuned it.
#[derive(Debug, Default)]
pub(crate) struct Lock {
    /// Whether no other runner can write to the version table until [`Dialect::unlock`]:
    /// PostgreSQL's advisory lock, MySQL's named lock, SQLite's exclusive file lock (in a
    /// rollback-journal mode). When `false` (SQLite in WAL mode), every write transaction
    /// is begun with [`Dialect::begin_write`], which serializes runners, and the executor
    /// checks inside each one whether another connection committed since the last (a
    /// `TransactionMode::All` run holds one throughout, so it reads once).
    pub held_for_run: bool,
    /// SQLite: the `busy_timeout` (milliseconds) the connection had before the run.
    #[cfg_attr(
        not(feature = "sqlite"),
        expect(
            dead_code,
            reason = "only the SQLite dialect changes a connection setting"
        )
    )]
    pub busy_timeout: Option<i64>,
    /// SQLite: the schema whose `locking_mode` the lock set to `EXCLUSIVE` (it was
    /// `NORMAL`), to set back and release.
    #[cfg_attr(
        not(feature = "sqlite"),
        expect(
            dead_code,
            reason = "only the SQLite dialect changes a connection setting"
        )
    )]
    pub exclusive_schema: Option<String>,
    /// MySQL: whether the lock turned `autocommit` off (it was on), to turn it back on.
    #[cfg_attr(
        not(feature = "mysql"),
        expect(dead_code, reason = "only the MySQL dialect changes autocommit")
    )]
    pub autocommit_was_on: bool,
    /// For each of the two tables given to [`Dialect::lock`], the schema (PostgreSQL) or
    /// database (MySQL) its unqualified name resolved to when the lock was taken: where the
    /// table is, or, when it does not exist yet, where it will be created (PostgreSQL's
    /// `current_schema()`, MySQL's `DATABASE()`). `None` keeps the name as configured: it
    /// names its schema already, the backend has nothing to resolve (SQLite), or no schema
    /// or database was selected.
    pub schemas: [Option<String>; 2],
    /// PostgreSQL: the session's `search_path` when the lock was taken, set again when it
    /// is released.
    #[cfg_attr(
        not(feature = "postgres"),
        expect(dead_code, reason = "only PostgreSQL has a search path")
    )]
    pub search_path: Option<String>,
    /// MySQL: the current database when the lock was taken, selected again (`USE`) when it
    /// is released.
    #[cfg_attr(
        not(feature = "mysql"),
        expect(dead_code, reason = "only MySQL selects a database with `USE`")
    )]
    pub database: Option<String>,
    /// MySQL: the name of the named lock as taken, to release exactly that one: the name
    /// holds the database current when it was taken, which a migration's `USE` changes.
    #[cfg_attr(
        not(feature = "mysql"),
        expect(dead_code, reason = "only MySQL takes a named lock")
    )]
    pub name: Option<String>,
    /// PostgreSQL and MySQL: the server session of the connection (`pg_backend_pid()`,
    /// `CONNECTION_ID()`), read by the statement taking the lock at no cost of a round
    /// trip, for the CLI's cancel of the statement in progress (`cli/interrupt.rs`).
    pub session: Option<i64>,
}

/// The dialect of `conn`'s backend.
pub(crate) fn dialect(conn: &AnyConnection) -> &'static dyn Dialect {
    match conn {
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(_) => &sqlite::Sqlite,
        #[cfg(feature = "postgres")]
        AnyConnection::Postgres(_) => &postgres::Postgres,
        #[cfg(feature = "mysql")]
        AnyConnection::Mysql(_) => &mysql::Mysql,
    }
}

/// Quotes a validated, possibly schema-qualified table name for `backend`: for the online
/// bookkeeping SQL and the offline scripts alike. Validation (`Options::validate`) allows
/// no quote character, so each part is only wrapped.
pub(crate) fn quote_table(backend: Backend, name: &str) -> String {
    let quote = match backend {
        Backend::Mysql => '`',
        _ => '"',
    };
    name.split('.')
        .map(|part| format!("{quote}{part}{quote}"))
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(all(unix, feature = "cli"))]
/// One integer a query returns, as `n`.
#[derive(diesel::QueryableByName)]
struct Number {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Cancels the statement that server session `session` (a [`Lock::session`]) is executing,
/// from a new connection to `url`: PostgreSQL's `pg_cancel_backend`, MySQL's `KILL QUERY`.
/// The session itself goes on; its statement fails. `Ok(false)` when the server had no
/// such session to signal (it has ended), or the backend has no sessions (SQLite).
#[cfg(all(unix, feature = "cli"))]
pub(crate) fn cancel_statement(url: &crate::DatabaseUrl, session: i64) -> Result<bool> {
    use diesel::RunQueryDsl;
    use diesel::connection::SimpleConnection;
    let sql = match url.backend() {
        Backend::Postgres => format!(
            "SELECT CAST(CASE WHEN pg_cancel_backend({session}) THEN 1 ELSE 0 END AS BIGINT) AS n"
        ),
        Backend::Mysql => format!("KILL QUERY {session}"),
        _ => return Ok(false),
    };
    let mut conn = AnyConnection::open(url)?;
    if url.backend() == Backend::Mysql {
        // An unknown connection id is an error (`Unknown thread id`), not a `false`.
        conn.batch_execute(&sql)?;
        return Ok(true);
    }
    Ok(diesel::sql_query(sql).get_result::<Number>(&mut conn)?.n == 1)
}

/// Quotes one identifier for `backend`, whatever it holds: a schema or database name read
/// from the server, which no validation has seen. The quote character is doubled.
pub(crate) fn quote_ident(backend: Backend, ident: &str) -> String {
    let quote = match backend {
        Backend::Mysql => "`",
        _ => "\"",
    };
    format!("{quote}{}{quote}", ident.replace(quote, &quote.repeat(2)))
}

/// Refuses [`Lock::schemas`] that [`qualified_table`] cannot spell in a bookkeeping
/// statement: one holding a `?`, which the statements take for a bound value. `tables`
/// are the two tables given to [`Dialect::lock`], in order.
pub(crate) fn check_schemas(schemas: &[Option<String>; 2], tables: [&str; 2]) -> Result<()> {
    for (schema, table) in schemas.iter().zip(tables) {
        if let Some(schema) = schema
            && schema.contains('?')
        {
            return Err(crate::Error::UnnamableSchema {
                schema: schema.clone(),
                table: table.to_owned(),
            });
        }
    }
    Ok(())
}

/// `table` (validated, as configured) in `schema` when it names none, quoted for
/// `backend`; see [`Lock::schemas`]. A schema holding a `?` cannot be spelled in a
/// bookkeeping statement, which binds its values at the `?`s of its text: a run refuses
/// one first ([`check_schemas`]).
pub(crate) fn qualified_table(backend: Backend, schema: Option<&str>, table: &str) -> String {
    match schema {
        Some(schema) if !table.contains('.') => {
            format!(
                "{}.{}",
                quote_ident(backend, schema),
                quote_table(backend, table)
            )
        }
        _ => quote_table(backend, table),
    }
}

/// The database's message, for matching backend errors by text where diesel offers no
/// error code.
pub(crate) fn error_text(err: &diesel::result::Error) -> String {
    match err {
        diesel::result::Error::DatabaseError(_, info) => info.message().to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_are_quoted_per_backend_and_part() {
        assert_eq!(quote_table(Backend::Sqlite, "v"), r#""v""#);
        assert_eq!(quote_table(Backend::Postgres, "app.v"), r#""app"."v""#);
        assert_eq!(quote_table(Backend::Mysql, "app.v"), "`app`.`v`");
    }

    #[test]
    fn resolved_schemas_are_quoted_whatever_they_hold() {
        assert_eq!(
            qualified_table(Backend::Postgres, Some("app"), "v"),
            r#""app"."v""#
        );
        assert_eq!(
            qualified_table(Backend::Postgres, Some(r#"my "odd" one"#), "v"),
            r#""my ""odd"" one"."v""#
        );
        assert_eq!(
            qualified_table(Backend::Mysql, Some("a`b"), "v"),
            "`a``b`.`v`"
        );
        // A configured schema wins.
        assert_eq!(
            qualified_table(Backend::Postgres, Some("app"), "aux.v"),
            r#""aux"."v""#
        );
        assert_eq!(qualified_table(Backend::Sqlite, None, "v"), r#""v""#);
    }

    #[test]
    fn a_schema_holding_a_question_mark_is_refused_naming_it_and_its_table() {
        let tables = ["migrate_version", "migrate_history"];
        assert!(check_schemas(&[Some("app".into()), None], tables).is_ok());
        let err = check_schemas(&[Some("app".into()), Some("what?".into())], tables).unwrap_err();
        assert!(
            matches!(&err, crate::Error::UnnamableSchema { schema, table }
                if schema == "what?" && table == "migrate_history"),
            "{err}"
        );
    }
}

#[cfg(all(test, any(feature = "postgres", feature = "mysql")))]
mod holder_tests {
    use super::*;

    #[test]
    fn a_lock_holder_shows_what_it_runs_but_not_its_values() {
        assert_eq!(
            statement_kind("update held SET x = 1 WHERE id = 1").as_deref(),
            Some("UPDATE held ...")
        );
        assert_eq!(statement_kind("VACUUM").as_deref(), Some("VACUUM"));
        assert_eq!(
            statement_kind("ALTER ROLE app PASSWORD 'hunter2'").as_deref(),
            Some("ALTER ROLE ...")
        );
        assert_eq!(
            statement_kind("SELECT 'secret', 1").as_deref(),
            Some("SELECT ...")
        );
        assert_eq!(statement_kind("/* app */ SELECT 1"), None);
        assert_eq!(statement_kind("   "), None);
        let about = ["psql".to_owned(), "from 10.0.0.7".to_owned()];
        assert_eq!(
            describe_holder(
                "session 42".into(),
                &about,
                Some("INSERT INTO keys VALUES ('k')")
            ),
            "session 42 (psql, from 10.0.0.7: `INSERT INTO ...`)"
        );
        assert_eq!(
            describe_holder("connection 7".into(), &[], Some("UPDATE t")),
            "connection 7"
        );
    }
}
