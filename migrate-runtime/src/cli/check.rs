//! `check`: validate the revision graph and, when a database is configured, compare it with
//! the code. Exits with 1 on any problem.

use clap::Args;

use super::config::Origin;
use super::revision::{Folder, UNBUILT_FIX};
use super::{Session, Status, format};
use crate::{HistoryStatus, Options, Result};

/// Arguments of `check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Accept the current code of applied migrations reported as changed (an edit that
    /// leaves the schema as it was: a comment, an offline fallback), then check.
    #[arg(long)]
    pub accept_changes: bool,
}

impl CheckArgs {
    pub(crate) fn run(self, session: &Session) -> Result<Status> {
        let set = session.set();
        // The set was validated when it was built, so reaching this line means the graph
        // is sound.
        let heads = set.graph().heads();
        match (set.migrations().len(), heads.len()) {
            (0, _) => outln!("graph: ok (no revisions)"),
            (count, heads_count) => outln!(
                "graph: ok ({count} revision{}, head{}: {})",
                if count == 1 { "" } else { "s" },
                if heads_count == 1 { "" } else { "s" },
                format::join(heads)
            ),
        }
        let unbuilt = unbuilt_files(session)?;
        let database = session.database()?;
        if !database.exists() {
            if database.source == Origin::Default {
                outln!(
                    "database: not checked (none configured, and the default {} does not \
                     exist; set --database-url or DATABASE_URL)",
                    database.url
                );
                return Ok(if unbuilt {
                    outln!("check failed: see the lines above");
                    Status::Problems
                } else {
                    Status::Success
                });
            }
            // A configured SQLite file that is not there yet: everything is pending, which
            // is what `upgrade` would create it for.
            outln!("database: {database} does not exist yet");
            for id in set.graph().topological() {
                let message = set
                    .get(id.as_str())
                    .map(|m| m.message())
                    .unwrap_or_default();
                outln!("pending: {id} {message}");
            }
            outln!("check failed: see the lines above");
            return Ok(Status::Problems);
        }
        outln!("database: {database}");
        let mut conn = database.connect()?;
        let migrator = session.migrator(Options::default())?;
        if self.accept_changes {
            for id in migrator.accept_changes(&mut conn)? {
                outln!("accepted: the current code of {id}");
            }
        }
        let report = migrator.check(&mut conn)?;
        let current = if report.interrupted.is_empty() {
            None
        } else {
            migrator.current(&mut conn).ok()
        };
        for id in &report.pending {
            let message = set
                .get(id.as_str())
                .map(|m| m.message())
                .unwrap_or_default();
            outln!("pending: {id} {message}");
        }
        // Pending migrations on a database another tool migrated: `upgrade` would apply
        // them again, unless they are stamped first.
        if !report.pending.is_empty()
            && let Ok(rows) = migrator.current(&mut conn)
            && let Ok(history) = migrator.history(&mut conn)
            && let Some(advice) = super::foreign::adoption_advice(
                &mut conn,
                set.graph(),
                &rows,
                &history,
                sqlx_table(session).as_deref(),
            )
        {
            outln!("hint: {advice}");
        }
        for id in &report.unknown {
            outln!(
                "unknown: {id} is recorded in the database but no migration has that id \
                 (was it deleted or renamed, or is this binary out of date? `stamp --purge` \
                 replaces a stale row)"
            );
        }
        for change in &report.changed {
            outln!(
                "changed: {} was applied with checksum {} but its code now has checksum {} \
                 (`check --accept-changes` accepts an edit that leaves the schema as it was)",
                change.revision,
                change.recorded,
                change.current
            );
        }
        for entry in &report.interrupted {
            // `check` takes no lock: a row still marked running may belong to a run going
            // on right now.
            let why = match (&entry.status, entry.error.as_deref()) {
                (HistoryStatus::Running, _) => {
                    "running: a run in progress now, or one whose process died".to_owned()
                }
                (status, Some(error)) => format!("{status}: {error}"),
                (status, None) => status.to_string(),
            };
            outln!(
                "interrupted: {} {} started at {} did not finish ({why})",
                entry.direction,
                entry.revision,
                entry.started_at,
            );
            let choice = current
                .as_deref()
                .and_then(|rows| super::format::stamp_choices(session.set(), rows, entry));
            if let Some(choice) = choice {
                outln!("  to resolve it: {choice}");
            }
        }
        if report.is_clean() && !unbuilt {
            outln!("database: ok (up to date)");
            Ok(Status::Success)
        } else {
            outln!("check failed: see the lines above");
            Ok(Status::Problems)
        }
    }
}

/// Prints an `unbuilt:` line when the configured migrations folder has files this binary was
/// built without (a build that does not watch the folder leaves them out, and the database
/// then looks up to date), and says whether it did.
fn unbuilt_files(session: &Session) -> Result<bool> {
    let settings = session.settings()?;
    if !settings.migrations.value.is_dir() {
        // An application's binary deployed without its sources.
        return Ok(false);
    }
    let folder = Folder::open(settings, session.set())?;
    if folder.unbuilt().is_empty() {
        return Ok(false);
    }
    outln!("unbuilt: {}; {UNBUILT_FIX}", folder.describe_unbuilt());
    Ok(true)
}

/// Warns on stderr, for `upgrade`, that the migrations folder has files this binary was
/// built without: the run cannot apply them. Says nothing when the folder cannot be read.
pub(crate) fn warn_unbuilt(session: &Session) {
    let Ok(settings) = session.settings() else {
        return;
    };
    if !settings.migrations.value.is_dir() {
        return;
    }
    if let Ok(folder) = Folder::open(settings, session.set())
        && !folder.unbuilt().is_empty()
    {
        eprintln!(
            "warning: {}, so this run cannot apply {}; {UNBUILT_FIX}",
            folder.describe_unbuilt(),
            if folder.unbuilt().len() == 1 {
                "it"
            } else {
                "them"
            }
        );
    }
}

/// sqlx.toml's `table-name`, for the hint to stamp: `None` without one, or when it cannot be
/// read (the hint is advice; `stamp --from sqlx` itself names the problem).
pub(crate) fn sqlx_table(session: &Session) -> Option<String> {
    let settings = session.settings().ok()?;
    super::sqlx_folder::config(settings).ok()?.table
}
