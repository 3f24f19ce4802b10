//! `current [-v] [--format json]`: the revisions recorded in the database's version table.

use clap::Args;
use serde_json::{Value, json};

use super::output::{self, DatabaseState, Format};
use super::{Session, Status, format};
use crate::{Options, Result, RevisionId};

/// Arguments of `current`.
#[derive(Debug, Clone, Args)]
pub struct CurrentArgs {
    /// `text` or `json` (`{"database": ..., "revisions": [...]}`, the URL redacted).
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

impl CurrentArgs {
    pub(crate) fn run(self, session: &Session) -> Result<Status> {
        let database = session.database()?;
        let rows: Vec<RevisionId> = if database.exists() {
            let mut conn = database.connect()?;
            session.migrator(Options::default())?.current(&mut conn)?
        } else {
            // Opening the default SQLite file would create it; report the truth instead.
            if self.format == Format::Text {
                outln!("<base> (no database yet: {})", database.url);
                return Ok(Status::Success);
            }
            Vec::new()
        };
        let set = session.set();
        if self.format == Format::Json {
            let db = DatabaseState {
                current: Some(rows.clone()),
                history: Vec::new(),
            };
            let revisions: Vec<Value> = rows
                .iter()
                .map(|id| match set.get(id.as_str()) {
                    Some(migration) => output::revision_json(set, migration, &db),
                    None => json!({ "id": id.as_str(), "unknown": true }),
                })
                .collect();
            output::print_json(&json!({
                "database": database.url.to_string(),
                "exists": database.exists(),
                "revisions": revisions,
            }));
            return Ok(Status::Success);
        }
        if session.verbose() {
            outln!("database: {database}");
        }
        if rows.is_empty() {
            outln!("<base> (no migration applied)");
        }
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
