//! `stamp [--purge] TARGET`: set the version table without running any migration.

use clap::Args;

use super::{Session, Status, format};
use crate::{Options, Result};

/// Arguments of `stamp`.
#[derive(Debug, Clone, Args)]
pub struct StampArgs {
    /// The revisions to record: `head`, `heads`, `base`, a revision id or prefix, ...
    #[arg(allow_negative_numbers = true)]
    pub target: String,
    /// Delete every row of the version table first, whatever it holds, then stamp TARGET
    /// as on a fresh database: the repair for rows no migration declares, or a revision
    /// listed with its own descendant.
    #[arg(long)]
    pub purge: bool,
}

impl StampArgs {
    pub(crate) fn run(self, session: &Session) -> Result<Status> {
        // The planner reads an empty target as `base`, as Alembic does; on the command line
        // it is an unset variable (`stamp "$REV"`), and stamping base would empty the table.
        if self.target.trim().is_empty() {
            return Err(migrate_core::PlanError::EmptyTarget.into());
        }
        let database = session.database()?;
        outln!("database: {database}");
        let migrator = session.migrator(Options::default())?;
        migrator.preflight_stamp(&self.target)?;
        let mut conn = database.connect()?;
        let rows = if self.purge {
            migrator.stamp_purge(&mut conn, &self.target)?
        } else {
            migrator.stamp(&mut conn, &self.target)?
        };
        outln!(
            "stamped {} without running any migration",
            format::revisions_or_base(&rows)
        );
        Ok(Status::Success)
    }
}
