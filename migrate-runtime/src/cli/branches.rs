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
            outln!("no branch points: the history is linear");
        }
        Ok(Status::Success)
    }
}
