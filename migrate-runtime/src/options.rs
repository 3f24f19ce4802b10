//! How the executor runs: table names, transaction mode and lock timeout.

use std::time::Duration;

use crate::{Error, Result};

/// How migrations are grouped into transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TransactionMode {
    /// One transaction per migration (the default): a migration's SQL and its version-table
    /// change commit together, and a failure keeps every earlier migration applied.
    #[default]
    PerMigration,
    /// One transaction around the whole run: a failure rolls every migration of the run back.
    ///
    /// Needs transactional DDL, so it is available on SQLite and PostgreSQL and refused on
    /// MySQL/MariaDB ([`Error::TransactionModeUnsupported`]), where DDL commits implicitly
    /// and the promise could not be kept. A migration with
    /// [`is_transactional() == false`](crate::Migration::is_transactional) splits the run:
    /// everything before it commits, it runs alone, and a new transaction starts after it.
    ///
    /// On PostgreSQL one transaction holds a lock on every table and index it creates or
    /// alters until it commits. A run over thousands of them can exhaust the server's lock
    /// table ("out of shared memory", hint "increase max_locks_per_transaction"; the default
    /// of 64 gives room for roughly 5,000 such objects per transaction on a server with
    /// 100 connections): raise `max_locks_per_transaction` or use
    /// [`PerMigration`](Self::PerMigration) for such a run.
    ///
    /// The version and history tables are written once, just before the transaction
    /// commits, with what every step of it recorded (the same rows as in `PerMigration`).
    All,
}

/// Settings of a [`Migrator`](crate::Migrator).
///
/// ```
/// use migrate_runtime::{Options, TransactionMode};
///
/// let options = Options::default()
///     .with_version_table("app_version")
///     .with_transaction_mode(TransactionMode::All);
/// assert_eq!(options.version_table, "app_version");
/// assert_eq!(options.history_table, "migrate_history");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// The table holding one row per applied head (`version_num`), like Alembic's
    /// `alembic_version`. Default `migrate_version`. May be schema-qualified (`app.version`).
    pub version_table: String,
    /// The append-only table recording every migration run. Default `migrate_history`.
    pub history_table: String,
    /// How migrations are grouped into transactions. Default [`TransactionMode::PerMigration`].
    pub transaction_mode: TransactionMode,
    /// How long to wait for another runner's lock (PostgreSQL advisory lock, MySQL
    /// `GET_LOCK`, the SQLite file's exclusive lock, or in WAL mode its write lock)
    /// before failing with [`Error::LockTimeout`]. Default 60 seconds.
    ///
    /// On SQLite in a rollback-journal mode another run also keeps the version table
    /// from being read; that first read waits as long as the connection's own
    /// `busy_timeout` allows (30 seconds on connections [`AnyConnection::open`] made)
    /// before the runner queues for the lock.
    ///
    /// [`AnyConnection::open`]: crate::AnyConnection::open
    pub lock_timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            version_table: "migrate_version".into(),
            history_table: "migrate_history".into(),
            transaction_mode: TransactionMode::PerMigration,
            lock_timeout: Duration::from_secs(60),
        }
    }
}

impl Options {
    /// Sets the version table's name.
    pub fn with_version_table(mut self, name: impl Into<String>) -> Self {
        self.version_table = name.into();
        self
    }

    /// Sets the history table's name.
    pub fn with_history_table(mut self, name: impl Into<String>) -> Self {
        self.history_table = name.into();
        self
    }

    /// Sets the transaction mode.
    pub fn with_transaction_mode(mut self, mode: TransactionMode) -> Self {
        self.transaction_mode = mode;
        self
    }

    /// Sets the lock timeout.
    pub fn with_lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// Checks both table names, so that they can be quoted into SQL safely.
    pub(crate) fn validate(&self) -> Result<()> {
        for name in [&self.version_table, &self.history_table] {
            validate_table_name(name)?;
        }
        if self.version_table == self.history_table {
            return Err(Error::InvalidTableName {
                name: self.history_table.clone(),
                reason: "the version and history tables must differ",
            });
        }
        Ok(())
    }
}

/// One or two dot-separated parts of ASCII letters, digits and `_`, not starting with a
/// digit. Strict on purpose: the name is spliced into SQL (quoted), never bound.
fn validate_table_name(name: &str) -> Result<()> {
    let bad = |reason| Error::InvalidTableName {
        name: name.to_owned(),
        reason,
    };
    let parts: Vec<&str> = name.split('.').collect();
    if parts.len() > 2 {
        return Err(bad("expected `table` or `schema.table`"));
    }
    for part in parts {
        if part.is_empty() || part.len() > 63 {
            return Err(bad("each part must be 1 to 63 characters long"));
        }
        if part.starts_with(|c: char| c.is_ascii_digit())
            || !part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(bad(
                "only ASCII letters, digits and `_` are allowed, not starting with a digit",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_are_checked() {
        assert!(Options::default().validate().is_ok());
        for ok in ["v", "app.migrate_version", "_x1"] {
            assert!(validate_table_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a.b.c", "1abc", "x;drop", "a\"b", "a.", "v-1"] {
            assert!(validate_table_name(bad).is_err(), "{bad}");
        }
        let same = Options::default().with_history_table("migrate_version");
        assert!(same.validate().is_err());
    }
}
