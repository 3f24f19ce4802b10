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
/// could not be rolled back, for the two clear cases (all of it done, none of it done):
/// `if all of the upgrade of `b` is in the schema, `stamp b`; if none of it is, `stamp a``.
/// `None` for a migration the code no longer has, or a merge point (whose parents go back
/// together: the general advice covers it).
pub(crate) fn stamp_choices(set: &MigrationSet, entry: &crate::HistoryEntry) -> Option<String> {
    let migration = set.get(&entry.revision)?;
    let parent = match migration.revision().down_revisions.as_slice() {
        [] => "base".to_owned(),
        [parent] => parent.to_string(),
        _ => return None,
    };
    let revision = &entry.revision;
    Some(match entry.direction {
        Direction::Up => format!(
            "if all of the upgrade of `{revision}` is in the schema, `stamp {revision}`; if \
             none of it is, `stamp {parent}`"
        ),
        Direction::Down => format!(
            "if all of the downgrade of `{revision}` is in the schema, `stamp {parent}`; if \
             none of it is, `stamp {revision}`"
        ),
    })
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
        assert_eq!(
            stamp_choices(&set, &entry("b", Direction::Up)).unwrap(),
            "if all of the upgrade of `b` is in the schema, `stamp b`; if none of it is, \
             `stamp a`"
        );
        assert_eq!(
            stamp_choices(&set, &entry("b", Direction::Down)).unwrap(),
            "if all of the downgrade of `b` is in the schema, `stamp a`; if none of it is, \
             `stamp b`"
        );
        assert!(
            stamp_choices(&set, &entry("a", Direction::Up))
                .unwrap()
                .ends_with("`stamp base`")
        );
        // A merge point's parents, and a revision the code no longer has: no such advice.
        assert_eq!(stamp_choices(&set, &entry("m", Direction::Up)), None);
        assert_eq!(stamp_choices(&set, &entry("gone", Direction::Up)), None);
    }
}
