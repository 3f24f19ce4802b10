//! `upgrade [TARGET]`: apply migrations up to a target.

use clap::{Args, ValueEnum};

use super::{Session, Status};
use crate::{Backend, Direction, Options, Result, TransactionMode};

/// Arguments of `upgrade`.
#[derive(Debug, Clone, Args)]
pub struct UpgradeArgs {
    /// Where to go: `head`, `heads`, a revision id or prefix, `label@head`, `+N`.
    #[arg(default_value = "head", allow_negative_numbers = true)]
    pub target: String,
    /// How to group migrations into transactions (default: `transaction_mode` in
    /// migrate.toml, else `per-migration`).
    #[arg(long, value_enum)]
    pub transaction: Option<Transaction>,
    /// Offline mode: print the SQL script instead of running it.
    #[command(flatten)]
    pub offline: OfflineArgs,
}

/// The transaction mode of a run: `--transaction`, else the setting (migrate.toml or the
/// default).
pub(crate) fn transaction_mode(
    flag: Option<Transaction>,
    session: &Session,
) -> Result<TransactionMode> {
    Ok(match flag {
        Some(transaction) => transaction.into(),
        None => session.settings()?.transaction_mode.value,
    })
}

/// `--sql` and `--dialect`, shared by `upgrade` and `downgrade`.
#[derive(Debug, Clone, Default, Args)]
pub struct OfflineArgs {
    /// Print the SQL script of the run without connecting (Alembic's offline mode). The
    /// target may be `START:END` to render from a revision other than `base` (required for
    /// `downgrade`, since there is no database to read the current revision from).
    #[arg(long)]
    pub sql: bool,
    /// The SQL dialect of `--sql` (default: the database URL's).
    #[arg(long, value_enum, requires = "sql")]
    pub dialect: Option<SqlDialect>,
}

/// The `--dialect` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SqlDialect {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL and MariaDB.
    Mysql,
}

impl OfflineArgs {
    /// The backend to render for: `--dialect`, else the configured database URL's.
    pub(crate) fn backend(&self, session: &Session) -> Result<Backend> {
        Ok(match self.dialect {
            Some(SqlDialect::Sqlite) => Backend::Sqlite,
            Some(SqlDialect::Postgres) => Backend::Postgres,
            Some(SqlDialect::Mysql) => Backend::Mysql,
            None => match session.database() {
                Ok(database) => database.url.backend(),
                Err(crate::Error::NoDatabase) => {
                    return Err(crate::Error::Refused(
                        "no database is configured to take the SQL dialect from (and this \
                         build has no SQLite support for the default `migrate.sqlite3`); pass \
                         `--dialect sqlite|postgres|mysql`, or configure the database with \
                         `--database-url URL`, `DATABASE_URL` or `database_url` in migrate.toml"
                            .to_owned(),
                    ));
                }
                Err(err) => return Err(err),
            },
        })
    }
}

/// Refuses a `START:END` target outside `--sql`, where the run starts from the database's
/// own revisions: read as a revision, it would be reported as unknown.
pub(crate) fn refuse_online_range(target: &str, command: &str) -> Result<()> {
    match split_range(target) {
        (Some(_), end) => Err(crate::Error::Refused(format!(
            "`{target}` is a START:END range, which only `{command} --sql` takes (a script \
             starts from START); a run starts where the database is: `{command} {end}`"
        ))),
        (None, _) => Ok(()),
    }
}

/// Splits `START:END`; no colon means no start.
pub(crate) fn split_range(target: &str) -> (Option<&str>, &str) {
    match target.split_once(':') {
        Some((start, end)) => (Some(start), end),
        None => (None, target),
    }
}

/// The `--transaction` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Transaction {
    /// One transaction per migration: a failure keeps the earlier migrations applied.
    PerMigration,
    /// One transaction for the whole run (SQLite and PostgreSQL only): a failure rolls back
    /// every migration of the run, except those before a `transactional = false` migration,
    /// which is run outside any transaction and so commits what came before it.
    All,
}

impl From<Transaction> for TransactionMode {
    fn from(value: Transaction) -> Self {
        match value {
            Transaction::PerMigration => TransactionMode::PerMigration,
            Transaction::All => TransactionMode::All,
        }
    }
}

impl UpgradeArgs {
    pub(crate) fn run(self, session: &Session) -> Result<Status> {
        let mode = transaction_mode(self.transaction, session)?;
        let migrator = session.migrator(Options::default().with_transaction_mode(mode))?;
        super::check::warn_unbuilt(session);
        if self.offline.sql {
            let backend = self.offline.backend(session)?;
            let (start, end) = split_range(&self.target);
            out!("{}", migrator.upgrade_sql(backend, start, end)?);
            return Ok(Status::Success);
        }
        refuse_online_range(&self.target, "upgrade")?;
        let database = session.database()?;
        // From its first migration to its end, Ctrl-C and SIGTERM stop the run between
        // two migrations (when the session handles them), and on a server a second one
        // cancels the statement in progress.
        let (run, migrator) = session.interruptible(migrator, &database.url);
        outln!("database: {database}");
        migrator.preflight(Direction::Up, &self.target)?;
        if session.set().migrations().is_empty() && !database.exists() {
            // Nothing to apply (the warning above says why): creating an empty SQLite file
            // would leave a database behind where the user expected migrations.
            outln!("nothing to do; no database created");
            return Ok(Status::Success);
        }
        let mut conn = database.connect()?;
        let report = match migrator.upgrade(&mut conn, &self.target) {
            Ok(report) => report,
            Err(err) => {
                let status = super::failed_run(err, session, &migrator, &mut conn)?;
                // Applying another tool's migrations again fails on the objects they made
                // ("relation users already exists"): the way out is a stamp. Looked for only
                // now, so that a run that succeeds costs no query for it.
                if status == Status::Problems
                    && let Ok(current) = migrator.current(&mut conn)
                    && let Ok(history) = migrator.history(&mut conn)
                    && let Some(advice) = super::foreign::adoption_advice(
                        &mut conn,
                        migrator.set().graph(),
                        &current,
                        &history,
                        super::check::sqlx_table(session).as_deref(),
                    )
                {
                    eprintln!("note: {advice}");
                }
                return Ok(status);
            }
        };
        // The report's own line (`Report`'s `Display`), and the target when there was
        // nothing to do.
        if report.steps.is_empty() {
            // As in Alembic, an upgrade never goes down; say so when the target is below.
            let below = session
                .set()
                .graph()
                .plan_downgrade(&report.current, &self.target)
                .is_ok_and(|down| !down.is_empty());
            outln!(
                "{report} (target `{}`{})",
                self.target,
                if below {
                    format!(", which is below: `downgrade {}` goes there", self.target)
                } else {
                    String::new()
                }
            );
        } else {
            outln!("{report}");
            // Stopped during its last migration, the run had nothing left to stop.
            if let Some(signal) = run.stopped_by() {
                return Ok(super::completed_despite_stop(signal, &report));
            }
        }
        Ok(Status::Success)
    }
}
