//! `downgrade TARGET [--transaction MODE]`: revert migrations down to a target.

use clap::Args;

use super::upgrade::{
    OfflineArgs, Transaction, refuse_online_range, split_range, transaction_mode,
};
use super::{Session, Status};
use crate::{Direction, Error, Options, Result};

/// Arguments of `downgrade`.
#[derive(Debug, Clone, Args)]
pub struct DowngradeArgs {
    /// Where to go: `base`, a revision id or prefix, `-N`, `label@-N`.
    #[arg(allow_negative_numbers = true)]
    pub target: String,
    /// How to group migrations into transactions (default: `transaction_mode` in
    /// migrate.toml, else `per-migration`).
    #[arg(long, value_enum)]
    pub transaction: Option<Transaction>,
    /// Offline mode: print the SQL script instead of running it.
    #[command(flatten)]
    pub offline: OfflineArgs,
}

impl DowngradeArgs {
    pub(crate) fn run(self, session: &Session) -> Result<Status> {
        let mode = transaction_mode(self.transaction, session)?;
        let migrator = session.migrator(Options::default().with_transaction_mode(mode))?;
        if self.offline.sql {
            let backend = self.offline.backend(session)?;
            let (Some(start), end) = split_range(&self.target) else {
                return Err(Error::Refused(format!(
                    "downgrade --sql needs `START:TARGET`, such as `<revision the database is \
                     at>:{}`: without a database there is no current revision to start from",
                    self.target
                )));
            };
            out!("{}", migrator.downgrade_sql(backend, start, end)?);
            return Ok(Status::Success);
        }
        refuse_online_range(&self.target, "downgrade")?;
        let database = session.database()?;
        // From its first migration to its end, Ctrl-C and SIGTERM stop the run between
        // two migrations (when the session handles them), and on a server a second one
        // cancels the statement in progress.
        let (run, migrator) = session.interruptible(migrator, &database.url);
        outln!("database: {database}");
        migrator.preflight(Direction::Down, &self.target)?;
        let mut conn = database.connect()?;
        let report = match migrator.downgrade(&mut conn, &self.target) {
            Ok(report) => report,
            Err(err) => return super::failed_run(err, session, &migrator, &mut conn),
        };
        // The report's own line (`Report`'s `Display`), and the target when there was
        // nothing to do.
        if report.steps.is_empty() {
            outln!("{report} (target `{}`)", self.target);
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
