//! `show REV [--format json]`: everything about one revision, and whether it is applied
//! when a database is configured.

use clap::Args;
use serde_json::{Value, json};

use super::output::{self, DatabaseState, Format};
use super::{Session, Status, format};
use crate::{Error, Options, Result, RevisionId};

/// Arguments of `show`.
#[derive(Debug, Clone, Args)]
pub struct ShowArgs {
    /// A revision id, a unique prefix of one, a branch label, `head` or `heads`.
    #[arg(allow_negative_numbers = true)]
    pub revision: String,
    /// `text` or `json` (an array of revision objects, each with `applied`: true, false or
    /// null when no database answered).
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

impl ShowArgs {
    pub(crate) fn run(self, session: &Session) -> Result<Status> {
        let set = session.set();
        let ids = set.graph().resolve(&self.revision)?;
        if ids.is_empty() && self.format == Format::Text {
            outln!(
                "`{}` is the base: the state before any migration",
                self.revision
            );
            return Ok(Status::Success);
        }
        let pending = pending(session)?;
        if self.format == Format::Json {
            let db = DatabaseState::default();
            let revisions: Vec<Value> = ids
                .iter()
                .filter_map(|id| set.get(id.as_str()))
                .map(|migration| {
                    let mut value = output::revision_json(set, migration, &db);
                    value["applied"] = match &pending {
                        Applied::Pending(_, pending) => json!(!pending.contains(migration.id())),
                        _ => Value::Null,
                    };
                    value
                })
                .collect();
            output::print_json(&Value::Array(revisions));
            return Ok(Status::Success);
        }
        for (i, id) in ids.iter().enumerate() {
            let Some(migration) = set.get(id.as_str()) else {
                continue;
            };
            if i > 0 {
                outln!();
            }
            outln!("revision:   {}{}", id, format::markers(set, id));
            out!("{}", format::details(set, migration, ""));
            match &pending {
                Applied::NoDatabase => outln!("applied:    unknown (no database configured)"),
                Applied::Unreachable(reason) => outln!("applied:    unknown ({reason})"),
                Applied::Pending(url, pending) if pending.contains(id) => {
                    outln!("applied:    no ({url})");
                }
                Applied::Pending(url, _) => outln!("applied:    yes ({url})"),
            }
        }
        Ok(Status::Success)
    }
}

/// What the database says about applied revisions.
enum Applied {
    /// No database is configured.
    NoDatabase,
    /// One is configured but could not be read; the reason.
    Unreachable(String),
    /// The redacted URL and the revisions an upgrade would still apply.
    Pending(String, Vec<RevisionId>),
}

/// Asks the database, when there is one, which revisions are still pending. The graph part
/// of `show` is complete without a database, so an unreachable database only costs the
/// `applied` line; a malformed URL or a broken `migrate.toml` is bad input, refused as
/// `history` refuses it.
fn pending(session: &Session) -> Result<Applied> {
    let database = match session.database() {
        Ok(database) if database.exists() => database,
        Ok(_) => return Ok(Applied::NoDatabase),
        Err(err @ (Error::BackendDisabled(_) | Error::NoDatabase)) => {
            return Ok(Applied::Unreachable(err.to_string()));
        }
        Err(err) => return Err(err),
    };
    let migrator = session.migrator(Options::default())?;
    let report = database
        .connect()
        .and_then(|mut conn| migrator.check(&mut conn));
    match report {
        Ok(report) => Ok(Applied::Pending(database.url.to_string(), report.pending)),
        Err(err @ Error::InvalidTableName { .. }) => Err(err),
        Err(err) => Ok(Applied::Unreachable(format!("{}: {err}", database.url))),
    }
}
