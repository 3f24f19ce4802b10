//! `current [-v]`: the revisions recorded in the database's version table.

use clap::Args;

use super::{Session, Status, format};
use crate::{Options, Result};

/// Arguments of `current`.
#[derive(Debug, Clone, Args)]
pub struct CurrentArgs {}

impl CurrentArgs {
    pub(crate) fn run(self, session: &Session) -> Result<Status> {
        let database = session.database()?;
        if !database.exists() {
            // Opening the default SQLite file would create it; report the truth instead.
            outln!("<base> (no database yet: {})", database.url);
            return Ok(Status::Success);
        }
        let mut conn = database.connect()?;
        let rows = session.migrator(Options::default()).current(&mut conn)?;
        if session.verbose() {
            outln!("database: {database}");
        }
        if rows.is_empty() {
            outln!("<base> (no migration applied)");
        }
        let set = session.set();
        for id in &rows {
            match set.get(id.as_str()) {
                Some(migration) => {
                    outln!("{}{}", id, format::markers(set, id));
                    if session.verbose() {
                        out!("{}", format::details(set, migration, "    "));
                    }
                }
                None => outln!("{id} (unknown to this binary: its migration is missing)"),
            }
        }
        Ok(Status::Success)
    }
}
