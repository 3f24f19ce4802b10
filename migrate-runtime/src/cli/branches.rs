//! `branches [--format json]`: the branch points and the branches that leave them. Needs no
//! database.

use clap::Args;
use serde_json::{Value, json};

use super::output::{self, DatabaseState, Format};
use super::{Session, Status, format};
use crate::Result;

/// Arguments of `branches`.
#[derive(Debug, Clone, Args)]
pub struct BranchesArgs {
    /// `text` or `json` (`[{"branch_point": ..., "branches": [...]}]`).
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

impl BranchesArgs {
    pub(crate) fn run(self, session: &Session) -> Result<Status> {
        let set = session.set();
        let graph = set.graph();
        if self.format == Format::Json {
            let db = DatabaseState::default();
            let points: Vec<Value> = graph
                .topological()
                .into_iter()
                .rev()
                .filter(|id| graph.is_branch_point(id.as_str()))
                .filter_map(|id| set.get(id.as_str()))
                .map(|point| {
                    let branches: Vec<Value> = graph
                        .children(point.id().as_str())
                        .iter()
                        .filter_map(|child| set.get(child.as_str()))
                        .map(|child| output::revision_json(set, child, &db))
                        .collect();
                    json!({
                        "branch_point": output::revision_json(set, point, &db),
                        "branches": branches,
                    })
                })
                .collect();
            output::print_json(&Value::Array(points));
            return Ok(Status::Success);
        }
        let mut any = false;
        for id in graph.topological().into_iter().rev() {
            if !graph.is_branch_point(id.as_str()) {
                continue;
            }
            any = true;
            let Some(migration) = set.get(id.as_str()) else {
                continue;
            };
            outln!("{}", format::summary_line(set, migration));
            for child in graph.children(id.as_str()) {
                if let Some(child) = set.get(child.as_str()) {
                    outln!("    -> {}", format::short_line(set, child));
                }
            }
        }
        if !any {
            outln!("{}", no_branch_points(graph));
        }
        Ok(Status::Success)
    }
}

/// What `branches` says of a graph without branch points: one line, or lines that start
/// apart (one per crate, say), which branch from no revision.
fn no_branch_points(graph: &crate::Graph) -> String {
    let (bases, heads) = (graph.bases(), graph.heads());
    if bases.len() > 1 {
        format!(
            "no branch points: {} separate lines, from the bases {} to the heads {}",
            bases.len(),
            format::join(bases),
            format::join(heads)
        )
    } else {
        "no branch points: the history is linear".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Graph, Revision, RevisionId};

    #[test]
    fn separate_lines_are_not_called_linear() {
        let id = |s: &str| RevisionId::new(s).unwrap();
        let child = |s: &str, parent: &str| {
            let mut r = Revision::root(id(s));
            r.down_revisions.push(id(parent));
            r
        };
        let linear = Graph::new(vec![Revision::root(id("a1")), child("a2", "a1")]).unwrap();
        assert_eq!(
            no_branch_points(&linear),
            "no branch points: the history is linear"
        );
        let apart = Graph::new(vec![
            Revision::root(id("a1")),
            child("a2", "a1"),
            Revision::root(id("b1")),
        ])
        .unwrap();
        assert_eq!(
            no_branch_points(&apart),
            "no branch points: 2 separate lines, from the bases a1, b1 to the heads a2, b1"
        );
    }
}
