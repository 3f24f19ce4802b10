//! Text shared by several commands: the one-line summary of a revision, its markers and
//! its verbose details.

use std::fmt::Write as _;
use std::time::Duration;

use crate::{Direction, Migration, MigrationSet, RevisionId};

/// The progress line printed when a migration finished: direction, id, message, duration.
pub(crate) fn applied_line(
    migration: &Migration,
    direction: Direction,
    duration: Duration,
) -> String {
    let mut line = String::new();
    let _ = crate::executor::step_line(
        &mut line,
        direction,
        migration.id(),
        migration.message(),
        duration,
    );
    line
}

/// ` (head) (branchpoint) (mergepoint) (label)` for `id`, as applicable.
pub(crate) fn markers(set: &MigrationSet, id: &RevisionId) -> String {
    let graph = set.graph();
    let mut out = String::new();
    if graph.heads().contains(&id) {
        out.push_str(" (head)");
    }
    if graph.is_branch_point(id.as_str()) {
        out.push_str(" (branchpoint)");
    }
    if graph.is_merge_point(id.as_str()) {
        out.push_str(" (mergepoint)");
    }
    if let Some(migration) = set.get(id.as_str()) {
        for label in &migration.revision().branch_labels {
            let _ = write!(out, " ({label})");
        }
    }
    out
}

/// `id (markers), message`.
pub(crate) fn short_line(set: &MigrationSet, migration: &Migration) -> String {
    let mut line = format!("{}{}", migration.id(), markers(set, migration.id()));
    if !migration.message().is_empty() {
        let _ = write!(line, ", {}", migration.message());
    }
    line
}

/// `parents -> id (markers), message`, Alembic's history line.
pub(crate) fn summary_line(set: &MigrationSet, migration: &Migration) -> String {
    let parents = &migration.revision().down_revisions;
    let from = match parents.as_slice() {
        [] => "<base>".to_owned(),
        [one] => one.to_string(),
        many => format!("({})", join(many)),
    };
    let mut line = format!(
        "{from} -> {}{}",
        migration.id(),
        markers(set, migration.id())
    );
    if !migration.message().is_empty() {
        let _ = write!(line, ", {}", migration.message());
    }
    line
}

/// The verbose block of a revision: one `key: value` line each, indented by `indent`.
pub(crate) fn details(set: &MigrationSet, migration: &Migration, indent: &str) -> String {
    let revision = migration.revision();
    let mut out = String::new();
    let mut field = |key: &str, value: &str| {
        if !value.is_empty() {
            let _ = writeln!(out, "{indent}{key:<11} {value}");
        }
    };
    field("message:", migration.message());
    field("parents:", &join(&revision.down_revisions));
    field(
        "children:",
        &join(set.graph().children(migration.id().as_str())),
    );
    field("depends on:", &join(&revision.depends_on));
    field("labels:", &revision.branch_labels.join(", "));
    field("source:", migration.source().unwrap_or_default());
    field("checksum:", migration.checksum().unwrap_or_default());
    if migration.downgrade().is_none() {
        field("reversible:", "no (irreversible)");
    }
    if !migration.is_transactional() {
        field("transaction:", "none (runs outside a transaction)");
    }
    out
}

/// `a, b, c`.
pub(crate) fn join<T: std::fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
    items
        .into_iter()
        .map(|item| item.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `a, b` for version-table rows, `<base>` when there are none.
pub(crate) fn revisions_or_base(rows: &[RevisionId]) -> String {
    if rows.is_empty() {
        "<base>".to_owned()
    } else {
        join(rows)
    }
}
