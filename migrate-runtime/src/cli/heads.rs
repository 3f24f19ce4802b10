//! `heads [-v] [--format json]`: the tips of the revision graph. Needs no database.

use clap::Args;
use serde_json::Value;

use super::output::{self, DatabaseState, Format};
use super::{Session, Status, format};
use crate::Result;

/// Arguments of `heads`.
#[derive(Debug, Clone, Args)]
pub struct HeadsArgs {
    /// `text` or `json` (the heads as revision objects). `heads` reads no database, so
    /// each object's `current` and `history` are null (unknown); `current` and `history`
    /// fill them in.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

impl HeadsArgs {
    pub(crate) fn run(self, session: &Session) -> Result<Status> {
        let set = session.set();
        let heads = set.graph().heads();
        if self.format == Format::Json {
            let db = DatabaseState::default();
            output::print_json(&Value::Array(
                heads
                    .iter()
                    .filter_map(|id| set.get(id.as_str()))
                    .map(|m| output::revision_json(set, m, &db))
                    .collect(),
            ));
            return Ok(Status::Success);
        }
        for id in heads {
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
