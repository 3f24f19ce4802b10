//! `check`: validate the revision graph and, when a database is configured, compare it with
//! the code. Exits with 1 on any problem.

use clap::Args;

use super::{Session, Status, format};
use crate::{Options, Result};

/// Arguments of `check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {}

impl CheckArgs {
    pub(crate) fn run(self, session: &Session) -> Result<Status> {
        let set = session.set();
        // The set was validated when it was built, so reaching this line means the graph
        // is sound.
        outln!(
            "graph: ok ({} revisions, heads: {})",
            set.migrations().len(),
            format::join(set.graph().heads())
        );
        let database = session.database()?;
        if !database.exists() {
            outln!(
                "database: not checked (no database configured; set --database-url or DATABASE_URL)"
            );
            return Ok(Status::Success);
        }
        outln!("database: {database}");
        let mut conn = database.connect()?;
        let report = session.migrator(Options::default())?.check(&mut conn)?;
        for id in &report.pending {
            let message = set
                .get(id.as_str())
                .map(|m| m.message())
                .unwrap_or_default();
            outln!("pending: {id} {message}");
        }
        for id in &report.unknown {
            outln!(
                "unknown: {id} is recorded in the database but no migration has that id \
                 (was it deleted or renamed, or is this binary out of date?)"
            );
        }
        for change in &report.changed {
            outln!(
                "changed: {} was applied with checksum {} but its code now has checksum {}",
                change.revision,
                change.recorded,
                change.current
            );
        }
        for entry in &report.interrupted {
            outln!(
                "interrupted: {} {} started at {} did not finish ({}){}",
                entry.direction,
                entry.revision,
                entry.started_at,
                entry.status,
                entry
                    .error
                    .as_deref()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            );
        }
        if report.is_clean() {
            outln!("database: ok (up to date)");
            Ok(Status::Success)
        } else {
            outln!("check failed: see the lines above");
            Ok(Status::Problems)
        }
    }
}
