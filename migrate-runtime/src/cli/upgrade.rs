//! `upgrade [TARGET]`: apply migrations up to a target.

use clap::{Args, ValueEnum};

use super::{Session, Status, format};
use crate::{Direction, Options, Result, TransactionMode};

/// Arguments of `upgrade`.
#[derive(Debug, Clone, Args)]
pub struct UpgradeArgs {
    /// Where to go: `head`, `heads`, a revision id or prefix, `label@head`, `+N`.
    #[arg(default_value = "head", allow_hyphen_values = true)]
    pub target: String,
    /// How to group migrations into transactions (default: `transaction_mode` in
    /// migrate.toml, else `per-migration`).
    #[arg(long, value_enum)]
    pub transaction: Option<Transaction>,
}

/// The `--transaction` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Transaction {
    /// One transaction per migration: a failure keeps the earlier migrations applied.
    PerMigration,
    /// One transaction for the whole run: a failure rolls back every migration of the run
    /// (SQLite and PostgreSQL only).
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
        let database = session.database()?;
        outln!("database: {database}");
        let mode = match self.transaction {
            Some(transaction) => transaction.into(),
            None => session.settings()?.transaction_mode.value,
        };
        let migrator = session.migrator(Options::default().with_transaction_mode(mode));
        migrator.preflight(Direction::Up, &self.target)?;
        let mut conn = database.connect()?;
        let report = migrator.upgrade(&mut conn, &self.target)?;
        if report.steps.is_empty() {
            let current = migrator.current(&mut conn)?;
            outln!(
                "nothing to do: already at {} (target `{}`)",
                format::revisions_or_base(&current),
                self.target
            );
        } else {
            let current = migrator.current(&mut conn)?;
            outln!(
                "upgraded {} migration{}; now at {}",
                report.steps.len(),
                if report.steps.len() == 1 { "" } else { "s" },
                format::revisions_or_base(&current)
            );
        }
        Ok(Status::Success)
    }
}
