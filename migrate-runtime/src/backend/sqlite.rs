//! SQLite: transactional DDL, and locking through the database file itself. In a
//! rollback-journal mode (SQLite's default) a run holds the file's exclusive lock from
//! start to end (`locking_mode = EXCLUSIVE`), so runners queue on it as on the other
//! backends' session locks. In WAL mode, where that lock would shut out the readers WAL
//! is chosen for, every write transaction is `BEGIN IMMEDIATE` instead, so runners queue
//! on the write lock of each step. The caller's own `busy_timeout` and locking mode are
//! restored when the run ends.

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

    fn lock(
        &self,
        conn: &mut AnyConnection,
        key: &str,
        // Unqualified names resolve to `temp`, then `main`, then the attached databases in
        // order: SQLite has no search path for a migration to change.
        _tables: [&str; 2],
        timeout: Duration,
        _waiting: &mut dyn FnMut(&str),
    ) -> Result<Lock> {
        // Makes taking the file lock (and, in WAL mode, every later `BEGIN IMMEDIATE`)
        // wait for it instead of failing at once with "database is locked". The
        // connection may be the application's, so its own timeout is put back by `unlock`.
        #[derive(diesel::QueryableByName)]
        struct BusyTimeout {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            timeout: i64,
        }
        let previous = diesel::RunQueryDsl::get_result::<BusyTimeout>(
            diesel::sql_query("PRAGMA busy_timeout"),
            conn,
        )?
        .timeout;
        conn.batch_execute(&format!("PRAGMA busy_timeout = {}", timeout.as_millis()))?;
        let mut lock = Lock {
            busy_timeout: Some(previous),
            ..Lock::default()
        };
        match self.lock_file(conn, key, &mut lock) {
            Ok(()) => Ok(lock),
            Err(err) => {
                let _ = self.unlock(conn, key, lock);
                Err(if self.is_lock_timeout(&err) {
                    crate::Error::LockTimeout {
                        waited: timeout,
                        what: "the SQLite database file".into(),
                    }
                } else {
                    err.into()
                })
            }
        }
    }

    fn unlock(&self, conn: &mut AnyConnection, _key: &str, lock: Lock) -> Result<()> {
        // SQLite lets go of an exclusive lock at the first access in normal mode.
        let released = match &lock.exclusive_schema {
            Some(schema) => conn.batch_execute(&format!(
                "PRAGMA {schema}.locking_mode = NORMAL; \
                 SELECT 1 FROM {schema}.sqlite_schema LIMIT 1"
            )),
            None => Ok(()),
        };
        if let Some(previous) = lock.busy_timeout {
            conn.batch_execute(&format!("PRAGMA busy_timeout = {previous}"))?;
        }
        released?;
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

impl Sqlite {
    /// In a rollback-journal mode, takes the exclusive lock of the file holding the
    /// version table and sets its locking mode so that SQLite keeps it until `unlock`.
    fn lock_file(
        &self,
        conn: &mut AnyConnection,
        key: &str,
        lock: &mut Lock,
    ) -> diesel::QueryResult<()> {
        #[derive(diesel::QueryableByName)]
        struct JournalMode {
            #[diesel(sql_type = diesel::sql_types::Text)]
            journal_mode: String,
        }
        #[derive(diesel::QueryableByName)]
        struct LockingMode {
            #[diesel(sql_type = diesel::sql_types::Text)]
            locking_mode: String,
        }
        // The database file holding the version table (`aux.migrate_version` lives in
        // the attached database `aux`).
        let schema = match key.rsplit_once('.') {
            Some((schema, _)) => format!("\"{schema}\""),
            None => "main".to_owned(),
        };
        let journal = diesel::RunQueryDsl::get_result::<JournalMode>(
            diesel::sql_query(format!("PRAGMA {schema}.journal_mode")),
            conn,
        )?
        .journal_mode;
        if journal.eq_ignore_ascii_case("wal") {
            // WAL readers never wait for a writer, and an exclusive lock would shut them
            // out for the whole run (and cannot be had while any other connection has the
            // file open): runners queue on each step's write lock instead.
            return Ok(());
        }
        // In a rollback-journal mode, where every commit already shuts readers out, the
        // run keeps the file locked from here to `unlock`: other runners (and readers)
        // wait, and SQLite skips the per-transaction file locking, change-counter check
        // and journal creation and deletion (about half of a step's system calls).
        let mode = diesel::RunQueryDsl::get_result::<LockingMode>(
            diesel::sql_query(format!("PRAGMA {schema}.locking_mode")),
            conn,
        )?
        .locking_mode;
        // The lock is taken in normal mode, where a runner that waits for it holds none
        // meanwhile; in exclusive mode a waiting runner would keep the shared lock it got
        // on the way, and two of them would wait for each other until they time out. Set
        // while the lock is held, exclusive mode keeps it past the commit.
        conn.batch_execute("BEGIN EXCLUSIVE")?;
        let mut keep = String::new();
        if !mode.eq_ignore_ascii_case("exclusive") {
            keep = format!("PRAGMA {schema}.locking_mode = EXCLUSIVE; ");
            // Recorded before it is set, so that `unlock` sets it back whatever fails next.
            lock.exclusive_schema = Some(schema);
        }
        if let Err(err) = conn.batch_execute(&format!("{keep}COMMIT")) {
            let _ = conn.batch_execute("ROLLBACK");
            return Err(err);
        }
        lock.held_for_run = true;
        Ok(())
    }
}
