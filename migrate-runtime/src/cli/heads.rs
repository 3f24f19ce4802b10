//! `heads [-v]`: the tips of the revision graph. Needs no database.

use clap::Args;

use super::{Session, Status, format};
use crate::Result;

/// Arguments of `heads`.
#[derive(Debug, Clone, Args)]
pub struct HeadsArgs {}

impl HeadsArgs {
    pub(crate) fn run(self, session: &Session) -> Result<Status> {
        let set = session.set();
        for id in set.graph().heads() {
            outln!("{}{}", id, format::markers(set, id));
            if session.verbose()
                && let Some(migration) = set.get(id.as_str())
            {
                out!("{}", format::details(set, migration, "    "));
            }
        }
        Ok(Status::Success)
    }
}
