//! The crate's one error type.

use std::time::Duration;

use crate::{Direction, HistoryEntry, RevisionId};

/// Shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while building, planning or applying migrations.
///
/// Its `Debug` is its message followed by the causes the message does not already hold,
/// as a test returning `Result<(), Error>` or a `main` returning it prints the error with
/// `Debug`: the user reads the problem and the fix rather than the enum's fields. Match on
/// the variants to tell them apart in code.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A SQL statement failed. The message carries the database's detail and hint lines
    /// where it sent any (PostgreSQL's "HINT: You might need to increase
    /// max_locks_per_transaction", say), since they often name the fix.
    #[error("{}", database_message(.0))]
    Database(#[from] diesel::result::Error),
    /// A connection could not be opened.
    #[error(transparent)]
    Connection(#[from] diesel::ConnectionError),
    /// The URL's backend is not compiled in.
    #[error("{0} support is not compiled in; enable the `{feature}` feature of migrate-runtime", feature = .0.feature())]
    BackendDisabled(crate::Backend),
    /// The database URL could not be understood. The URL in the message is redacted.
    #[error("invalid database URL `{url}`: {reason}")]
    InvalidUrl {
        /// The redacted URL.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The database URL sets a connection option that the client library refuses
    /// (`?sslmode=bogus`, `?connect_timeout=soon`, an option libpq does not know, a MySQL
    /// `?ssl_mode=` it does not know), or that diesel's MySQL connection would silently
    /// ignore (`?sslmode=require` on a `mysql://` URL), or an `ssl_mode` that MariaDB
    /// Connector/C, when the build links it, cannot honour (`?ssl_mode=verify_identity`):
    /// a mistake in the configuration, found before any server is reached. The URL in the
    /// message is redacted.
    #[error("invalid connection option `{option}` in the database URL `{url}`: {reason}")]
    InvalidConnectionOption {
        /// The redacted URL.
        url: String,
        /// The option, as the URL's query names it.
        option: String,
        /// What the client library says of it.
        reason: String,
    },
    /// A migration function reported a failure of its own.
    #[error("{0}")]
    Message(String),
    /// A migration function's own error of any type, kept with its source chain
    /// ([`Error::other`]).
    #[error(transparent)]
    Other(Box<dyn std::error::Error + Send + Sync>),
    /// A migration registered by `#[migration]` has an invalid id.
    #[error("invalid revision id in {location}: {error}")]
    InvalidId {
        /// Where: the migration's `file:line`.
        location: String,
        /// Why the id is invalid.
        error: migrate_core::IdError,
    },
    /// A version-table row is no valid revision id: written by hand or by another tool.
    #[error(
        "the version table lists `{row}`, which is no valid revision id ({error}); if the row \
         is stale, `stamp --purge` the revision the schema is at (it replaces every row)"
    )]
    InvalidVersionRow {
        /// The row as stored.
        row: String,
        /// Why it is not an id.
        error: migrate_core::IdError,
    },
    /// The migrations do not form a valid revision graph.
    #[error(transparent)]
    Graph(#[from] migrate_core::GraphErrors),
    /// The target could not be resolved or planned against the database's state.
    #[error(transparent)]
    Plan(#[from] migrate_core::PlanError),
    /// A migration failed: its SQL, or an error it returned.
    #[error("{direction} of `{revision}` failed: {source}")]
    Migration {
        /// The revision that failed.
        revision: RevisionId,
        /// Whether it was being applied or reverted.
        direction: Direction,
        /// The migration's message, to name it for humans.
        message: String,
        /// The database's error, or the one the migration returned.
        source: Box<Error>,
    },
    /// A migration function panicked.
    #[error("{direction} of `{revision}` panicked: {message}")]
    Panic {
        /// The revision that panicked.
        revision: RevisionId,
        /// Whether it was being applied or reverted.
        direction: Direction,
        /// The panic's payload, when it was a string.
        message: String,
    },
    /// A downgrade would pass through a migration without a downgrade step. Refused before
    /// anything runs.
    #[error(
        "cannot downgrade `{revision}`: the migration is irreversible (it has no downgrade); nothing was run"
    )]
    Irreversible {
        /// The irreversible revision.
        revision: RevisionId,
    },
    /// An earlier run stopped in a migration that could not be rolled back (MySQL, or a
    /// non-transactional migration). Nothing runs until a human has looked.
    #[error("{}", interrupted_message(.entries, .history_table, *.backend))]
    Interrupted {
        /// The unresolved `Running`/`Failed` history rows.
        entries: Vec<HistoryEntry>,
        /// The history table, for the message's inspection hint.
        history_table: String,
        /// The backend the rows were found on: what else a `running` row can mean
        /// depends on it.
        backend: crate::Backend,
    },
    /// The backend cannot honour the requested transaction mode. The message names the
    /// mode both as the CLI flag and as the API value, since both reach it.
    #[error(
        "one transaction for the whole run (`--transaction all`, `TransactionMode::All`) needs transactional DDL, which {backend} does not have (DDL commits implicitly); use one transaction per migration (`--transaction per-migration`, `TransactionMode::PerMigration`)"
    )]
    TransactionModeUnsupported {
        /// The backend.
        backend: crate::Backend,
    },
    /// An offline upgrade script from START to TARGET would go down: TARGET is below START.
    /// Refused rather than printing a script that runs nothing.
    #[error(
        "`upgrade {start}:{target}` runs nothing: `{target}` is below `{start}`; swap the two, \
         or use `downgrade {start}:{target}`"
    )]
    BackwardsRange {
        /// Where the script starts.
        start: String,
        /// Where it was asked to end.
        target: String,
    },
    /// A configured table name cannot be used.
    #[error("invalid table name `{name}`: {reason}")]
    InvalidTableName {
        /// The name.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The run was asked to stop ([`Migrator::stop_on`](crate::Migrator::stop_on)) and
    /// did, between two migrations: the one running when it was asked finished first. In
    /// `TransactionMode::All` a stop asked during the run's last migration stops it too,
    /// before its transaction commits (`after_last`).
    #[error(
        "the run stopped on request {} the {direction} of `{revision}`{}{}",
        if *after_last { "after" } else { "before" },
        if *after_last {
            ", its last migration, before its transaction committed"
        } else {
            ""
        },
        if *rolled_back {
            "; its transaction was rolled back"
        } else {
            ": the migrations before it are committed"
        }
    )]
    Stopped {
        /// The migration that would have run next; with `after_last`, the last migration
        /// of the run, which ran but did not commit.
        revision: RevisionId,
        /// Whether it would have been (or was) applied or reverted.
        direction: Direction,
        /// Whether the run's transaction (`TransactionMode::All`) was rolled back, taking
        /// the migrations it had run with it.
        rolled_back: bool,
        /// Whether the stop was asked during the run's last migration, so that only the
        /// commit of the run's transaction (`TransactionMode::All`) was left, and was not
        /// made. (In the other mode such a run has nothing left to stop: its last
        /// migration commits and the run returns its report.)
        after_last: bool,
    },
    /// A run, stamp or acceptance was asked of a connection inside a transaction that
    /// diesel's transaction manager knows of (`conn.transaction(..)`, a test transaction).
    /// Refused before anything is read or written: migrate begins, commits and rolls back
    /// its own transactions, which would end the application's too (on PostgreSQL a
    /// step's commit would commit it, a failure would roll it back; SQLite cannot begin a
    /// transaction inside one).
    #[error(
        "the connection is inside a transaction: `{operation}` commits each step itself, \
         which would commit or roll back the application's transaction too; call it outside \
         the application's transaction (not within `conn.transaction(..)` or a test \
         transaction); nothing was changed"
    )]
    TransactionOpen {
        /// The refused call: `upgrade`, `downgrade`, `stamp`, `stamp_purge` or
        /// `accept_changes`.
        operation: &'static str,
    },
    /// Another runner held the migration lock for too long.
    #[error("timed out after {waited:?} waiting for {what}; is another migration running?")]
    LockTimeout {
        /// How long we waited.
        waited: Duration,
        /// Which lock.
        what: String,
    },
    /// The version table did not hold a row the plan expected to replace.
    #[error(
        "the version table changed during the run: revision `{revision}` was expected and is missing; another tool or a manual edit changed it"
    )]
    VersionTableChanged {
        /// The missing row.
        revision: String,
    },
    /// The version table exists but has no `version_num` column: another tool's table of
    /// the same name (sqlalchemy-migrate also calls its table `migrate_version`).
    #[error(
        "the table {table} exists but is not a migrate version table (it has no column \
         `version_num`; another tool's?); give migrate a table of its own: `version_table = \
         \"...\"` in migrate.toml, or `Options::version_table`"
    )]
    ForeignVersionTable {
        /// The table, quoted as in SQL.
        table: String,
    },
    /// A bookkeeping table named without a schema is in (or would be created in) a schema,
    /// or MySQL database, whose name holds a `?`: the run pins its bookkeeping to that
    /// schema by name, and the bookkeeping statements take a `?` for a bound value. The
    /// run stops before it changes anything.
    #[error(
        "the table `{table}` resolves to the schema `{schema}`, whose name holds a `?`, \
         which the bookkeeping statements cannot name; name the tables with another \
         schema: `version_table = \"app.migrate_version\"` and `history_table = \
         \"app.migrate_history\"` in migrate.toml, or `Options::with_version_table` and \
         `Options::with_history_table`"
    )]
    UnnamableSchema {
        /// The schema (MySQL: database) as the server names it.
        schema: String,
        /// The table, as configured.
        table: String,
    },
    /// The CLI's configuration file (`migrate.toml`) could not be read or understood.
    #[error("invalid configuration in `{path}`: {reason}")]
    Config {
        /// The file, or the setting, at fault.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// An authoring command would have overwritten a file. Nothing was written.
    #[error("refusing to overwrite `{path}`: it already exists")]
    FileExists {
        /// The existing file.
        path: String,
    },
    /// A new revision needs one parent and the graph has several heads.
    #[error(
        "the revision graph has {} heads ({}); pass `--head` with the one to build on, or join them first with `merge heads -m MESSAGE`",
        .heads.len(),
        join_ids(.heads)
    )]
    MultipleHeads {
        /// The heads.
        heads: Vec<RevisionId>,
    },
    /// A migration file template could not be used.
    #[error("invalid template `{path}`: {reason}")]
    Template {
        /// The template file, or `built-in`.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A CLI command declined to act; the message says why and what to do instead.
    #[error("{0}")]
    Refused(String),
    /// The CLI has no database to use: none is configured, and the default (the SQLite file
    /// `migrate.sqlite3`) needs the `sqlite` feature, which this build leaves out.
    #[error(
        "no database is configured (and this build has no SQLite support for the default \
         `migrate.sqlite3`); set one with `--database-url URL`, the `DATABASE_URL` \
         environment variable (or a line `DATABASE_URL=...` in the project's .env), or \
         `database_url = \"...\"` in migrate.toml"
    )]
    NoDatabase,
    /// A file or folder could not be read or written.
    #[error("cannot {action} `{path}`: {source}")]
    Io {
        /// `read`, `write`, `create`, ...
        action: &'static str,
        /// The path.
        path: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A name cannot be used as an SQL identifier.
    #[error("invalid identifier {name:?}: {reason}")]
    InvalidIdentifier {
        /// The name.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A schema operation cannot be rendered: the backend cannot express it, or it does
    /// not fit the table it changes.
    #[error("{0}")]
    Schema(String),
    /// A transactional migration's raw SQL ([`crate::MigrationContext::execute`]) holds a
    /// statement that begins, commits or rolls back a transaction (SQLite, PostgreSQL).
    /// Refused before any of that SQL runs.
    #[error(
        "`{statement}` in `{revision}`: a transactional migration runs in a transaction of \
         migrate's, together with its version-table update, and must not begin, commit or roll \
         back one itself (a failure after a `COMMIT` would leave it half applied and \
         unrecorded); remove the statement, or declare the migration `transactional = false` \
         to manage its transactions itself; none of this SQL was run"
    )]
    TransactionControl {
        /// The migration.
        revision: RevisionId,
        /// The statement, as written (whitespace collapsed, at most ten words).
        statement: String,
    },
    /// A transactional migration ended the transaction migrate ran it in (a `COMMIT`,
    /// `ROLLBACK` or `END` sent through [`crate::MigrationContext::connection`], which
    /// [`Error::TransactionControl`] cannot see), found when it returned. What it did up to
    /// there is committed and its version was not recorded; the history table records it
    /// as failed, so later runs refuse until `stamp` resolves it.
    #[error(
        "{direction} of `{revision}` ended the transaction migrate ran it in with a `COMMIT`, \
         `ROLLBACK` or `END` of its own (sent through `ctx.connection()`){outcome}; what it did \
         before that is committed and its version is not recorded, so it is marked failed in \
         `{history_table}`, which blocks later runs: {advice}; in the migration, remove the \
         statement or declare it `transactional = false`",
        outcome = .cause.as_deref().map(|c| format!(", then failed: {c}")).unwrap_or_default(),
        advice = crate::error::interrupted_advice(.history_table)
    )]
    TransactionEnded {
        /// The migration.
        revision: RevisionId,
        /// Whether it was being applied or reverted.
        direction: crate::Direction,
        /// The migration's own error, when it failed after ending the transaction.
        cause: Option<String>,
        /// The history table, as the advice names it.
        history_table: String,
    },
    /// Offline (`--sql`), a migration asked for the live connection.
    #[error(
        "`{revision}` needs a live database connection (typed diesel queries) and cannot be rendered as SQL; \
         give it an offline fallback: `if ctx.is_offline() {{ return ctx.execute(\"...\"); }}`"
    )]
    NeedsConnection {
        /// The migration.
        revision: RevisionId,
    },
}

impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let message = self.to_string();
        f.write_str(&message)?;
        for cause in self.causes_beyond(&message) {
            write!(f, "\n  caused by: {cause}")?;
        }
        Ok(())
    }
}

impl Error {
    /// The messages of this error's causes, outermost first, leaving out those `message`
    /// (this error's) already contains: thiserror's `transparent` and `{0}` messages
    /// include their cause.
    pub(crate) fn causes_beyond(&self, message: &str) -> Vec<String> {
        let mut causes = Vec::new();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            let text = cause.to_string();
            if !message.contains(&text) {
                causes.push(text);
            }
            source = cause.source();
        }
        causes
    }
}

fn join_ids(ids: &[RevisionId]) -> String {
    ids.iter()
        .map(RevisionId::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

fn interrupted_message(
    entries: &[HistoryEntry],
    history_table: &str,
    backend: crate::Backend,
) -> String {
    use std::fmt::Write;
    let mut out = String::from(
        "an earlier run did not finish cleanly, so the database may hold a partly applied migration:",
    );
    for e in entries {
        let _ = match e.status {
            crate::HistoryStatus::Running => write!(
                out,
                "\n  - {} of `{}` started at {} and never finished: its process died or lost its \
                 connection{}",
                e.direction,
                e.revision,
                e.started_at,
                // Only there can a live run leave its `running` row visible to another:
                // elsewhere the run's lock keeps the second one waiting until it ends.
                if backend == crate::Backend::Sqlite {
                    " (if the database is in WAL mode, whose runners take the write lock step \
                     by step, it may instead be another run still going: let that one end first)"
                } else {
                    ""
                }
            ),
            _ => write!(
                out,
                "\n  - {} of `{}` started at {} and failed: {}",
                e.direction,
                e.revision,
                e.started_at,
                e.error.as_deref().unwrap_or("no error recorded")
            ),
        };
    }
    let _ = write!(out, "\n{}", interrupted_advice(history_table));
    out
}

/// What to do about a migration that could not be rolled back.
pub(crate) fn interrupted_advice(history_table: &str) -> String {
    format!(
        "inspect the schema and `SELECT * FROM {history_table} ORDER BY id`; finish or undo \
         the migration by hand, then run `stamp <revision>` with the revision the schema now \
         matches (that records the stamp and clears this state)"
    )
}

impl Error {
    /// An error carrying a free-form message, for migration functions to return.
    pub fn msg(message: impl Into<String>) -> Self {
        Self::Message(message.into())
    }

    /// Any other error, for migration functions: `"250".parse::<i64>().map_err(Error::other)?`.
    /// Its message and source chain are kept.
    pub fn other(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Other(error.into())
    }

    /// Whether the error is the caller's input: a bad URL, target, table name, graph or
    /// plan (the CLI exits with 2), rather than a failed migration or database error (1).
    pub fn is_input_error(&self) -> bool {
        matches!(
            self,
            Error::BackendDisabled(_)
                | Error::InvalidUrl { .. }
                | Error::InvalidConnectionOption { .. }
                | Error::InvalidId { .. }
                | Error::InvalidVersionRow { .. }
                | Error::BackwardsRange { .. }
                | Error::Graph(_)
                | Error::Plan(_)
                | Error::Irreversible { .. }
                | Error::TransactionModeUnsupported { .. }
                | Error::TransactionOpen { .. }
                | Error::InvalidTableName { .. }
                | Error::Config { .. }
                | Error::FileExists { .. }
                | Error::MultipleHeads { .. }
                | Error::Template { .. }
                | Error::Refused(_)
                | Error::NoDatabase
                | Error::NeedsConnection { .. }
        )
    }
}

/// `err` with the detail and hint the database attached to it, if any.
fn database_message(err: &diesel::result::Error) -> String {
    let mut message = err.to_string();
    if let diesel::result::Error::DatabaseError(_, info) = err {
        for (label, extra) in [("detail", info.details()), ("hint", info.hint())] {
            if let Some(extra) = extra.map(str::trim).filter(|e| !e.is_empty()) {
                message.push_str(&format!(" ({label}: {extra})"));
            }
        }
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_the_message_that_names_the_fix() {
        // What `fn test() -> migrate_runtime::Result<()>` prints when it fails.
        let disabled = format!("{:?}", Error::BackendDisabled(crate::Backend::Mysql));
        assert_eq!(
            disabled,
            "MySQL support is not compiled in; enable the `mysql` feature of migrate-runtime"
        );
        let failed = Error::Migration {
            revision: RevisionId::new("0002_email").unwrap(),
            direction: Direction::Up,
            message: "email".into(),
            source: Box::new(Error::msg("no such table: users")),
        };
        assert_eq!(
            format!("{failed:?}"),
            "upgrade of `0002_email` failed: no such table: users"
        );
        let ended = Error::TransactionEnded {
            revision: RevisionId::new("0002_backfill").unwrap(),
            direction: Direction::Up,
            cause: Some("relation \"t\" does not exist".into()),
            history_table: "migrate_history".into(),
        };
        assert_eq!(
            ended.to_string(),
            "upgrade of `0002_backfill` ended the transaction migrate ran it in with a `COMMIT`, \
             `ROLLBACK` or `END` of its own (sent through `ctx.connection()`), then failed: \
             relation \"t\" does not exist; what it did before that is committed and its version \
             is not recorded, so it is marked failed in `migrate_history`, which blocks later \
             runs: inspect the schema and `SELECT * FROM migrate_history ORDER BY id`; finish or \
             undo the migration by hand, then run `stamp <revision>` with the revision the \
             schema now matches (that records the stamp and clears this state); in the \
             migration, remove the statement or declare it `transactional = false`"
        );
        let refused = Error::TransactionControl {
            revision: RevisionId::new("0002_backfill").unwrap(),
            statement: "COMMIT AND CHAIN".into(),
        };
        assert_eq!(
            refused.to_string(),
            "`COMMIT AND CHAIN` in `0002_backfill`: a transactional migration runs in a \
             transaction of migrate's, together with its version-table update, and must not \
             begin, commit or roll back one itself (a failure after a `COMMIT` would leave it \
             half applied and unrecorded); remove the statement, or declare the migration \
             `transactional = false` to manage its transactions itself; none of this SQL was run"
        );
        let io = Error::Io {
            action: "read",
            path: "migrate.toml".into(),
            source: std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied here"),
        };
        let debug = format!("{io:?}");
        assert!(debug.starts_with(&io.to_string()), "{debug}");
        assert!(debug.contains("denied here"), "{debug}");
    }

    #[test]
    fn an_unfinished_run_is_explained_for_its_own_backend() {
        let interrupted = |backend| {
            Error::Interrupted {
                entries: vec![HistoryEntry {
                    id: 1,
                    revision: "s0019_unique".to_owned(),
                    direction: Direction::Up,
                    checksum: None,
                    started_at: "2026-01-01 00:00:00".to_owned(),
                    finished_at: None,
                    duration: None,
                    status: crate::HistoryStatus::Running,
                    error: None,
                }],
                history_table: "migrate_history".to_owned(),
                backend,
            }
            .to_string()
        };
        let died = "upgrade of `s0019_unique` started at 2026-01-01 00:00:00 and never \
                    finished: its process died or lost its connection";
        for backend in [crate::Backend::Postgres, crate::Backend::Mysql] {
            let message = interrupted(backend);
            assert!(message.contains(&format!("{died}\n")), "{message}");
            assert!(!message.contains("SQLite"), "{message}");
            assert!(!message.contains("WAL"), "{message}");
        }
        let sqlite = interrupted(crate::Backend::Sqlite);
        assert!(
            sqlite.contains(&format!("{died} (if the database is in WAL mode, ")),
            "{sqlite}"
        );
        assert!(sqlite.contains("let that one end first)\n"), "{sqlite}");
    }
}
