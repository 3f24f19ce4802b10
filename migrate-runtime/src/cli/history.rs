//! `history [-v] [-r START:END] [--format json]`: the revision graph drawn like
//! `git log --graph`, newest first, with `(head)`, `(current)` (when a database is
//! reachable), `(branchpoint)`, `(mergepoint)` and branch labels. A database that does not
//! answer costs a warning and the markers, never the graph.

use std::collections::HashMap;

use clap::Args;
use serde_json::Value;

use super::lanes::{self, Row};
use super::output::{self, DatabaseState, Format, Style};
use super::{Session, Status, format};
use crate::{Error, HistoryStatus, Migration, MigrationSet, Options, Result, RevisionId};

/// Arguments of `history`.
#[derive(Debug, Clone, Args)]
pub struct HistoryArgs {
    /// Only the revisions from START to END, both included (`0a7e:7d1e`, `base:head`); an
    /// empty side means `base` or `heads`.
    #[arg(
        short = 'r',
        long,
        value_name = "START:END",
        allow_hyphen_values = true,
        value_parser = parse_range
    )]
    pub rev_range: Option<RevRange>,
    /// `text` draws the graph; `json` prints the revisions as data, newest first.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// A `START:END` range of targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevRange {
    /// The lower end, a target (`base` when empty).
    pub start: String,
    /// The upper end, a target (`heads` when empty).
    pub end: String,
}

fn parse_range(text: &str) -> std::result::Result<RevRange, String> {
    let (start, end) = text
        .split_once(':')
        .ok_or_else(|| "expected START:END, for example `base:head` or `0a7e:`".to_owned())?;
    let or = |side: &str, default: &str| {
        if side.is_empty() {
            default.to_owned()
        } else {
            side.to_owned()
        }
    };
    Ok(RevRange {
        start: or(start, "base"),
        end: or(end, "heads"),
    })
}

impl HistoryArgs {
    pub(crate) fn run(self, session: &Session) -> Result<Status> {
        let set = session.set();
        let graph = set.graph();
        let ids: Vec<&RevisionId> = match &self.rev_range {
            None => graph.topological(),
            Some(range) => {
                let lower = graph.resolve(&range.start)?;
                let upper = graph.resolve(&range.end)?;
                let ids = graph.between(&lower, &upper);
                if ids.is_empty() {
                    let why = if upper.is_empty() {
                        Empty::Base
                    } else if graph.between(&upper, &lower).is_empty() {
                        Empty::Apart
                    } else {
                        Empty::Backwards
                    };
                    return Err(empty_range(range, why));
                }
                ids
            }
        };
        let migrations: Vec<&Migration> =
            ids.iter().filter_map(|id| set.get(id.as_str())).collect();
        let db = read_database(session)?;
        match self.format {
            Format::Json => {
                let order = newest_first(&migrations);
                output::print_json(&Value::Array(
                    order
                        .iter()
                        .map(|&i| output::revision_json(set, migrations[i], &db))
                        .collect(),
                ));
            }
            Format::Text => {
                let text = render(set, &migrations, &db, session.verbose(), Style::detect());
                out!("{text}");
            }
        }
        Ok(Status::Success)
    }
}

/// Why `-r START:END` lists no revision.
enum Empty {
    /// END resolves to `base`, below every revision.
    Base,
    /// END is below START.
    Backwards,
    /// START and END are on lines that never meet.
    Apart,
}

/// The error for a range that lists nothing: silence would read as an empty history.
fn empty_range(range: &RevRange, why: Empty) -> Error {
    let RevRange { start, end } = range;
    let why = match why {
        Empty::Base => format!("`{end}` is below every revision; end at a revision or `heads`"),
        Empty::Backwards => {
            format!("`{end}` is below `{start}`; write the lower end first: `-r {end}:{start}`")
        }
        Empty::Apart => format!(
            "`{end}` is neither `{start}` nor above it (they are on separate branches); \
             `history` without `-r` shows where each one sits"
        ),
    };
    Error::Refused(format!(
        "`history -r {start}:{end}` lists no revision: {why}"
    ))
}

/// The version and history tables, when a database is configured and answers.
///
/// `history` is complete without a database, so one that does not answer (a server down, a
/// backend not compiled in, unreadable tables) only costs the `(current)` markers, with a
/// one-line warning on stderr. Settings that cannot be used at all (a malformed URL, a
/// broken `migrate.toml`) are an error, as for every other command: only a configuration
/// can produce them, and silence would hide the typo.
pub(crate) fn read_database(session: &Session) -> Result<DatabaseState> {
    let database = match session.database() {
        Ok(database) => database,
        Err(err @ (Error::BackendDisabled(_) | Error::NoDatabase)) => {
            warn(&err.to_string());
            return Ok(DatabaseState::default());
        }
        Err(err) => return Err(err),
    };
    if !database.exists() {
        return Ok(DatabaseState::default());
    }
    let migrator = session.migrator(Options::default())?;
    let current = database.connect().and_then(|mut conn| {
        let current = migrator.current(&mut conn)?;
        Ok((conn, current))
    });
    let (mut conn, current) = match current {
        Ok(read) => read,
        // A table name from migrate.toml that cannot be used is the configuration's fault.
        Err(err @ Error::InvalidTableName { .. }) => return Err(err),
        Err(err) => {
            warn(&format!("cannot read {}: {err}", database.url));
            return Ok(DatabaseState::default());
        }
    };
    // The run details of `-v` are extra: without them the markers still hold.
    let history = migrator.history(&mut conn).unwrap_or_else(|err| {
        warn_history(&format!("cannot read the history table: {err}"));
        Vec::new()
    });
    Ok(DatabaseState {
        current: Some(current),
        history,
    })
}

/// Prints `warning: no (current) markers: REASON` on one line to stderr.
fn warn(reason: &str) {
    warning(&format!("no `(current)` markers: {reason}"));
}

/// Prints `warning: no run details: REASON` on one line to stderr.
fn warn_history(reason: &str) {
    warning(&format!("no run details: {reason}"));
}

/// Prints `warning: TEXT` on one line to stderr. Database errors span lines (libpq adds a
/// hint); the warning must not look like several messages.
fn warning(text: &str) {
    use std::io::Write as _;
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let _ = writeln!(std::io::stderr().lock(), "warning: {text}");
}

/// Parent links among `migrations` (in topological order) as indices.
fn parent_indices(migrations: &[&Migration]) -> Vec<Vec<usize>> {
    let position: HashMap<&str, usize> = migrations
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id().as_str(), i))
        .collect();
    migrations
        .iter()
        .map(|m| {
            m.revision()
                .down_revisions
                .iter()
                .filter_map(|p| position.get(p.as_str()).copied())
                .collect()
        })
        .collect()
}

/// Indices of `migrations` (topological order) in display order.
fn newest_first(migrations: &[&Migration]) -> Vec<usize> {
    lanes::display_order(&parent_indices(migrations))
}

/// The drawn history of `migrations`, given in topological order.
pub(crate) fn render(
    set: &MigrationSet,
    migrations: &[&Migration],
    db: &DatabaseState,
    verbose: bool,
    style: Style,
) -> String {
    let topo_parents = parent_indices(migrations);
    let order = lanes::display_order(&topo_parents);
    let mut row_of = vec![0; order.len()];
    for (row, &i) in order.iter().enumerate() {
        row_of[i] = row;
    }
    let parents: Vec<Vec<usize>> = order
        .iter()
        .map(|&i| topo_parents[i].iter().map(|&p| row_of[p]).collect())
        .collect();
    let mut out = String::new();
    for row in lanes::draw(&parents) {
        match row {
            Row::Edges(edges) => {
                out.push_str(&style.dim(&edges));
                out.push('\n');
            }
            Row::Node {
                node,
                graph,
                padding,
            } => {
                let migration = migrations[order[node]];
                out.push_str(&graph);
                out.push(' ');
                out.push_str(&headline(set, migration, db, style));
                out.push('\n');
                if verbose {
                    for line in details(set, migration, db).lines() {
                        out.push_str(&style.dim(&padding));
                        out.push_str(if padding.is_empty() { "  " } else { "   " });
                        out.push_str(line);
                        out.push('\n');
                    }
                    out.push_str(&style.dim(&padding));
                    out.push('\n');
                }
            }
        }
    }
    out
}

/// `id (head) (current) (branchpoint) (mergepoint) (label) message (depends on ...)`.
fn headline(set: &MigrationSet, migration: &Migration, db: &DatabaseState, style: Style) -> String {
    let graph = set.graph();
    let id = migration.id();
    let revision = migration.revision();
    let mut parts = vec![style.id(id.as_str())];
    if graph.heads().contains(&id) {
        parts.push(style.strong("(head)"));
    }
    if db.is_current(id) == Some(true) {
        parts.push(style.strong("(current)"));
    }
    if graph.is_branch_point(id.as_str()) {
        parts.push(style.marker("(branchpoint)"));
    }
    if graph.is_merge_point(id.as_str()) {
        parts.push(style.marker("(mergepoint)"));
    }
    for label in &revision.branch_labels {
        parts.push(style.marker(&format!("({label})")));
    }
    if !migration.message().is_empty() {
        parts.push(migration.message().to_owned());
    }
    if !revision.depends_on.is_empty() {
        parts.push(style.marker(&format!(
            "(depends on {})",
            format::join(&revision.depends_on)
        )));
    }
    parts.join(" ")
}

/// The verbose block: the declaration's details and, from the history table, every run.
fn details(set: &MigrationSet, migration: &Migration, db: &DatabaseState) -> String {
    let mut out = format::details(set, migration, "");
    if db.current.is_some() {
        let mut any = false;
        for entry in db.entries(migration.id().as_str()) {
            any = true;
            let what = match (entry.status, entry.direction) {
                (HistoryStatus::Stamped, _) => "stamped:",
                (HistoryStatus::Resolved, _) => "resolved:",
                (HistoryStatus::Failed, _) => "failed:",
                (HistoryStatus::Running, _) => "running:",
                (_, crate::Direction::Up) => "applied:",
                (_, crate::Direction::Down) => "reverted:",
            };
            let took = entry
                .duration
                .map(|d| format!(" in {d:.1?}"))
                .unwrap_or_default();
            let error = entry
                .error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default();
            out.push_str(&format!("{what:<11} {}{took}{error}\n", entry.started_at));
        }
        if !any {
            out.push_str("applied:    never\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Migration, MigrationFn};

    #[test]
    fn ranges_default_to_base_and_heads() {
        let range = parse_range(":ae3c").unwrap();
        assert_eq!((range.start.as_str(), range.end.as_str()), ("base", "ae3c"));
        let range = parse_range("1975:").unwrap();
        assert_eq!(
            (range.start.as_str(), range.end.as_str()),
            ("1975", "heads")
        );
        assert!(parse_range("1975").is_err());
    }

    /// `(id, parents, depends_on, labels, message)`.
    type Decl<'a> = (
        &'a str,
        &'a [&'a str],
        &'a [&'a str],
        &'a [&'a str],
        &'a str,
    );

    fn set(decls: &[Decl<'_>]) -> MigrationSet {
        let id = |s: &str| RevisionId::new(s).unwrap();
        MigrationSet::new(
            decls
                .iter()
                .map(|(rev, parents, deps, labels, message)| {
                    Migration::new(id(rev), MigrationFn::new(|_| Ok(())))
                        .with_revises(parents.iter().map(|p| id(p)))
                        .with_depends_on(deps.iter().map(|p| id(p)))
                        .with_branch_labels(labels.iter().map(|l| l.to_string()))
                        .with_message(message.to_string())
                })
                .collect(),
        )
        .unwrap()
    }

    fn drawn(set: &MigrationSet, current: Option<&[&str]>) -> String {
        let migrations: Vec<&Migration> = set
            .graph()
            .topological()
            .iter()
            .filter_map(|id| set.get(id.as_str()))
            .collect();
        let db = DatabaseState {
            current: current.map(|c| c.iter().map(|s| RevisionId::new(s).unwrap()).collect()),
            history: Vec::new(),
        };
        render(set, &migrations, &db, false, Style::new(false))
    }

    #[test]
    fn snapshot_linear_chain() {
        let set = set(&[
            ("a1", &[], &[], &[], "create users"),
            ("b2", &["a1"], &[], &[], "add email"),
            ("c3", &["b2"], &[], &[], "index email"),
        ]);
        insta::assert_snapshot!(drawn(&set, Some(&["b2"])));
    }

    #[test]
    fn snapshot_branch() {
        let set = set(&[
            ("a1", &[], &[], &[], "create users"),
            ("b2", &["a1"], &[], &[], "add email"),
            ("c3", &["a1"], &[], &["audit"], "audit log"),
            ("d4", &["c3"], &[], &[], "audit index"),
        ]);
        insta::assert_snapshot!(drawn(&set, None));
    }

    #[test]
    fn snapshot_merge() {
        let set = set(&[
            ("a1", &[], &[], &[], "create users"),
            ("b2", &["a1"], &[], &[], "add email"),
            ("c3", &["a1"], &[], &[], "audit log"),
            ("d4", &["b2", "c3"], &[], &[], "merge"),
            ("e5", &["d4"], &[], &[], "after the merge"),
        ]);
        insta::assert_snapshot!(drawn(&set, Some(&["d4"])));
    }

    #[test]
    fn snapshot_two_roots() {
        let set = set(&[
            ("a1", &[], &[], &["app"], "create users"),
            ("x1", &[], &[], &["reports"], "create reports"),
            ("a2", &["a1"], &[], &[], "add email"),
            ("x2", &["x1"], &[], &[], "add report owner"),
        ]);
        insta::assert_snapshot!(drawn(&set, Some(&["a2", "x1"])));
    }

    #[test]
    fn snapshot_depends_on() {
        let set = set(&[
            ("a1", &[], &[], &[], "create users"),
            ("b2", &["a1"], &[], &[], "add email"),
            ("x1", &[], &["b2"], &["reports"], "create reports"),
            ("x2", &["x1"], &[], &[], "add report owner"),
        ]);
        insta::assert_snapshot!(drawn(&set, None));
    }

    #[test]
    fn verbose_lines_continue_the_lanes() {
        let set = set(&[
            ("a1", &[], &[], &[], "create users"),
            ("b2", &["a1"], &[], &[], "add email"),
            ("c3", &["a1"], &[], &[], "audit log"),
        ]);
        let migrations: Vec<&Migration> = ["a1", "b2", "c3"]
            .iter()
            .map(|id| set.get(id).unwrap())
            .collect();
        let text = render(
            &set,
            &migrations,
            &DatabaseState::default(),
            true,
            Style::new(false),
        );
        insta::assert_snapshot!(text);
    }

    #[test]
    fn colours_mark_ids_and_markers() {
        let set = set(&[("a1", &[], &[], &[], "create users")]);
        let migrations = vec![set.get("a1").unwrap()];
        let text = render(
            &set,
            &migrations,
            &DatabaseState::default(),
            false,
            Style::new(true),
        );
        assert_eq!(
            text,
            "* \x1b[33ma1\x1b[0m \x1b[1;32m(head)\x1b[0m create users\n"
        );
    }
}
