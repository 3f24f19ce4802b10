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
    fn lock(
        &self,
        conn: &mut AnyConnection,
        key: &str,
        timeout: Duration,
        waiting: &mut dyn FnMut(&str),
    ) -> Result<Lock>;

    /// Releases what [`Dialect::lock`] took, and puts back the session settings it changed.
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
}
