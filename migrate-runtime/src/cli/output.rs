//! Output styles: `--format text|json`, terminal colours, and the JSON shape of a revision
//! shared by `history`, `heads`, `branches`, `current` and `show`.

use std::io::IsTerminal as _;

use clap::ValueEnum;
use serde_json::{Value, json};

use crate::{HistoryEntry, Migration, MigrationSet, RevisionId};

/// The `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    /// For people.
    #[default]
    Text,
    /// For programs: one JSON document on stdout.
    Json,
}

/// Prints `value` as pretty JSON.
pub(crate) fn print_json(value: &Value) {
    // `Value`'s Display cannot fail; pretty output keeps diffs of saved output readable.
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    outln!("{text}");
}

/// ANSI colours, on only when stdout is a terminal and `NO_COLOR` is unset or empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Style {
    enabled: bool,
}

impl Style {
    /// Colours for stdout, per the environment.
    pub(crate) fn detect() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self {
            enabled: !no_color && std::io::stdout().is_terminal(),
        }
    }

    /// A fixed choice (tests).
    #[cfg(test)]
    pub(crate) fn new(enabled: bool) -> Self {
        Self { enabled }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.enabled && !text.is_empty() {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    /// A revision id: yellow, like a commit id.
    pub(crate) fn id(self, text: &str) -> String {
        self.paint("33", text)
    }

    /// `(head)` and `(current)`: bold green.
    pub(crate) fn strong(self, text: &str) -> String {
        self.paint("1;32", text)
    }

    /// Other markers: cyan.
    pub(crate) fn marker(self, text: &str) -> String {
        self.paint("36", text)
    }

    /// Graph lines and details: dim.
    pub(crate) fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }
}

/// What the database says, for the `current` and `applied` parts of the JSON and markers.
#[derive(Debug, Default)]
pub(crate) struct DatabaseState {
    /// The version table's rows; `None` when no database was reachable.
    pub(crate) current: Option<Vec<RevisionId>>,
    /// The history table's rows, oldest first (empty without a database).
    pub(crate) history: Vec<HistoryEntry>,
}

impl DatabaseState {
    /// Whether `id` is one of the version table's rows (`None`: unknown).
    pub(crate) fn is_current(&self, id: &RevisionId) -> Option<bool> {
        self.current.as_ref().map(|rows| rows.contains(id))
    }

    /// The history rows of `id`, oldest first.
    pub(crate) fn entries<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a HistoryEntry> {
        self.history.iter().filter(move |e| e.revision == id)
    }
}

/// A revision as JSON: its declaration, graph markers and, when a database was read,
/// whether it is current and its history rows.
pub(crate) fn revision_json(
    set: &MigrationSet,
    migration: &Migration,
    db: &DatabaseState,
) -> Value {
    let graph = set.graph();
    let id = migration.id();
    let revision = migration.revision();
    let strings = |ids: &[RevisionId]| ids.iter().map(|i| i.to_string()).collect::<Vec<_>>();
    let history: Option<Vec<Value>> = db.current.as_ref().map(|_| {
        db.entries(id.as_str())
            .map(|e| {
                json!({
                    "direction": e.direction.to_string(),
                    "status": e.status.as_str(),
                    "started_at": e.started_at,
                    "finished_at": e.finished_at,
                    "duration_ms": e.duration.map(|d| d.as_secs_f64() * 1000.0),
                    "checksum": e.checksum,
                    "error": e.error,
                })
            })
            .collect()
    });
    json!({
        "id": id.as_str(),
        "message": migration.message(),
        "parents": strings(&revision.down_revisions),
        "children": graph.children(id.as_str()).iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        "depends_on": strings(&revision.depends_on),
        "branch_labels": revision.branch_labels,
        "head": graph.heads().contains(&id),
        "branch_point": graph.is_branch_point(id.as_str()),
        "merge_point": graph.is_merge_point(id.as_str()),
        "reversible": migration.downgrade().is_some(),
        "transactional": migration.is_transactional(),
        "source": migration.source(),
        "checksum": migration.checksum(),
        "current": db.is_current(id),
        "history": history,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_only_when_enabled() {
        assert_eq!(Style::new(false).id("abc"), "abc");
        assert_eq!(Style::new(true).id("abc"), "\x1b[33mabc\x1b[0m");
        assert_eq!(Style::new(true).strong(""), "");
    }
}
