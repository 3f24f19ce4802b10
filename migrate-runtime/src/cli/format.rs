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

/// Which revision to stamp after a run of `entry`'s migration was interrupted where it
/// could not be rolled back, for the two clear cases (all of it done, none of it done),
/// from the version-table rows `current` (which the interrupted step did not change):
/// `if all of the upgrade of `b` is in the schema, `stamp b`; if none of it is, `stamp a``.
///
/// Each command is checked against the graph: it must leave exactly the rows the step
/// would have left (all) or `current` (none), other branches' rows included; a plain
/// `stamp` cannot always drop a row, so `stamp --purge` is offered where it does. `None`
/// when the code no longer has the migration, or when no single stamp command restores
/// one of the two cases (the general advice covers those).
pub(crate) fn stamp_choices(
    set: &MigrationSet,
    current: &[RevisionId],
    entry: &crate::HistoryEntry,
) -> Option<String> {
    let graph = set.graph();
    let step = graph
        .plan_step(current, &entry.revision, entry.direction)
        .ok()?;
    let done = migrate_core::Plan { steps: vec![step] }.versions_after(current);
    // Where several stamps give the same rows, name the step's own revision or its
    // parents (the rows on either side of it), not the head of another branch.
    let own = graph.get(&entry.revision).map(|revision| {
        std::iter::once(&revision.id)
            .chain(&revision.down_revisions)
            .collect::<Vec<_>>()
    });
    let own = own.unwrap_or_default();
    let all = stamp_to(set, current, &done, &own)?;
    let none = stamp_to(set, current, current, &own)?;
    Some(format!(
        "if all of the {} of `{}` is in the schema, {all}; if none of it is, {none}",
        entry.direction, entry.revision
    ))
}

/// The `stamp` command that turns the version-table rows `current` into exactly `rows`,
/// naming one of `preferred` when one of them does.
fn stamp_to(
    set: &MigrationSet,
    current: &[RevisionId],
    rows: &[RevisionId],
    preferred: &[&RevisionId],
) -> Option<String> {
    let graph = set.graph();
    let gives = |from: &[RevisionId], target: &str| {
        graph.plan_stamp(from, target).is_ok_and(|after| {
            after.len() == rows.len() && after.iter().all(|row| rows.contains(row))
        })
    };
    let targets = preferred
        .iter()
        .filter(|id| rows.contains(id))
        .map(|id| id.as_str())
        .chain(rows.iter().map(RevisionId::as_str))
        .chain(["base"]);
    if let Some(target) = targets.clone().find(|target| gives(current, target)) {
        return Some(format!("`stamp {target}`"));
    }
    // Emptied first, the table takes one target as a fresh database would.
    let target = match rows {
        [] => "base",
        [one] => one.as_str(),
        _ => return None,
    };
    gives(&[], target).then(|| format!("`stamp --purge {target}`"))
}

/// `a, b, c`.
pub(crate) fn join<T: std::fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
    items
        .into_iter()
        .map(|item| item.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) use crate::executor::revisions_or_base;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{HistoryEntry, HistoryStatus, MigrationFn};

    #[test]
    fn stamp_choices_name_the_revision_and_its_parent() {
        let id = |s: &str| RevisionId::new(s).unwrap();
        let noop = || MigrationFn::new(|_| Ok(()));
        let set = MigrationSet::new(vec![
            Migration::new(id("a"), noop()),
            Migration::new(id("b"), noop()).with_revises([id("a")]),
            Migration::new(id("c"), noop()).with_revises([id("a")]),
            Migration::new(id("m"), noop()).with_revises([id("b"), id("c")]),
            Migration::new(id("d"), noop()).with_revises([id("c")]),
        ])
        .unwrap();
        let entry = |revision: &str, direction| HistoryEntry {
            id: 1,
            revision: revision.to_owned(),
            direction,
            checksum: None,
            started_at: String::new(),
            finished_at: None,
            duration: None,
            status: HistoryStatus::Running,
            error: None,
        };
        let rows = |ids: &[&str]| ids.iter().map(|s| id(s)).collect::<Vec<_>>();
        // A straight line: the revision or its parent.
        assert_eq!(
            stamp_choices(&set, &rows(&["a"]), &entry("b", Direction::Up)).unwrap(),
            "if all of the upgrade of `b` is in the schema, `stamp b`; if none of it is, \
             `stamp a`"
        );
        assert_eq!(
            stamp_choices(&set, &rows(&["b"]), &entry("b", Direction::Down)).unwrap(),
            "if all of the downgrade of `b` is in the schema, `stamp a`; if none of it is, \
             `stamp b`"
        );
        assert!(
            stamp_choices(&set, &[], &entry("a", Direction::Up))
                .unwrap()
                .ends_with("if none of it is, `stamp base`")
        );
        // Another branch applied: `c` must stay a row whichever case holds. `stamp a`
        // would move it onto `a` (and a later upgrade run `c` again).
        assert_eq!(
            stamp_choices(&set, &rows(&["c"]), &entry("b", Direction::Up)).unwrap(),
            "if all of the upgrade of `b` is in the schema, `stamp b`; if none of it is, \
             `stamp c`"
        );
        // Only a purge drops `b` and keeps `c`.
        assert_eq!(
            stamp_choices(&set, &rows(&["b", "c"]), &entry("b", Direction::Down)).unwrap(),
            "if all of the downgrade of `b` is in the schema, `stamp --purge c`; if none of \
             it is, `stamp b`"
        );
        // A merge point: `stamp b` keeps both rows (`c` is on another line).
        assert_eq!(
            stamp_choices(&set, &rows(&["b", "c"]), &entry("m", Direction::Up)).unwrap(),
            "if all of the upgrade of `m` is in the schema, `stamp m`; if none of it is, \
             `stamp b`"
        );
        // Two branches applied, the step on the second: `stamp b` would leave the same
        // rows, but the advice names the step's own parent.
        assert_eq!(
            stamp_choices(&set, &rows(&["b", "c"]), &entry("d", Direction::Up)).unwrap(),
            "if all of the upgrade of `d` is in the schema, `stamp d`; if none of it is, \
             `stamp c`"
        );
        assert_eq!(
            stamp_choices(&set, &rows(&["b", "d"]), &entry("d", Direction::Down)).unwrap(),
            "if all of the downgrade of `d` is in the schema, `stamp c`; if none of it is, \
             `stamp d`"
        );
        // A revision the code no longer has, or a step that cannot follow the rows.
        assert_eq!(
            stamp_choices(&set, &[], &entry("gone", Direction::Up)),
            None
        );
        assert_eq!(
            stamp_choices(&set, &rows(&["a"]), &entry("a", Direction::Up)),
            None
        );
    }
}
