//! SQLite: transactional DDL, and locking through the database file itself. There is no
//! session lock: every write transaction is `BEGIN IMMEDIATE` under a busy timeout, so
//! runners queue on the write lock and each re-reads the version table once it has it.
//! The caller's own `busy_timeout` is restored when the run ends.

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection};

use super::{Dialect, Lock};
use crate::{AnyConnection, Result};

/// The SQLite dialect.
pub(crate) struct Sqlite;

impl Dialect for Sqlite {
    fn transactional_ddl(&self) -> bool {
        true
    }

    fn session_lock(&self) -> bool {
        false
    }

    fn create_version_table(&self, table: &str) -> String {
        crate::offline::version_table_ddl(crate::Backend::Sqlite, table)
    }

    fn create_history_table(&self, table: &str) -> String {
        crate::offline::history_table_ddl(crate::Backend::Sqlite, table)
    }

    fn last_insert_id(&self) -> &'static str {
        "SELECT last_insert_rowid() AS id"
    }

    fn is_missing_table(&self, err: &diesel::result::Error) -> bool {
        super::error_text(err).contains("no such table")
    }

    fn is_lock_timeout(&self, err: &diesel::result::Error) -> bool {
        super::error_text(err).contains("database is locked")
    }

    fn lock(&self, conn: &mut AnyConnection, _key: &str, timeout: Duration) -> Result<Lock> {
        #[derive(diesel::QueryableByName)]
        struct BusyTimeout {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            timeout: i64,
        }
        // Not a lock: makes every later `BEGIN IMMEDIATE` wait for the write lock instead
        // of failing at once with "database is locked". The connection may be the
        // application's, so its own timeout is put back by `unlock`.
        let previous = diesel::RunQueryDsl::get_result::<BusyTimeout>(
            diesel::sql_query("PRAGMA busy_timeout"),
            conn,
        )?
        .timeout;
        conn.batch_execute(&format!("PRAGMA busy_timeout = {}", timeout.as_millis()))?;
        Ok(Lock {
            busy_timeout: Some(previous),
            ..Lock::default()
        })
    }

    fn unlock(&self, conn: &mut AnyConnection, _key: &str, lock: Lock) -> Result<()> {
        if let Some(previous) = lock.busy_timeout {
            conn.batch_execute(&format!("PRAGMA busy_timeout = {previous}"))?;
        }
        Ok(())
    }

    fn suspend_foreign_keys(&self, conn: &mut AnyConnection) -> Result<bool> {
        #[derive(diesel::QueryableByName)]
        struct Enabled {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            foreign_keys: i32,
        }
        let on = diesel::RunQueryDsl::get_result::<Enabled>(
            diesel::sql_query("PRAGMA foreign_keys"),
            conn,
        )?
        .foreign_keys
            == 1;
        if on {
            conn.batch_execute("PRAGMA foreign_keys = OFF")?;
        }
        Ok(on)
    }

    fn resume_foreign_keys(&self, conn: &mut AnyConnection) -> Result<()> {
        conn.batch_execute("PRAGMA foreign_keys = ON")?;
        Ok(())
    }

    fn begin_write(&self, conn: &mut AnyConnection) -> diesel::QueryResult<()> {
        match conn {
            // Through diesel's transaction manager, so that a migration's own
            // `conn.transaction(..)` nests as a savepoint.
            AnyConnection::Sqlite(inner) => {
                AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")
            }
            #[allow(unreachable_patterns, reason = "reachable with other backends enabled")]
            other => {
                <AnyConnection as diesel::connection::TransactionManager<_>>::begin_transaction(
                    other,
                )
            }
        }
    }
}
