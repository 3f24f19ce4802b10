//! `branches`: the branch points and the branches that leave them. Needs no database.

use clap::Args;

use super::{Session, Status, format};
use crate::Result;

/// Arguments of `branches` (none besides the global ones).
#[derive(Debug, Clone, Args)]
pub struct BranchesArgs {}

impl BranchesArgs {
    pub(crate) fn run(self, session: &Session) -> Result<Status> {
        let set = session.set();
        let graph = set.graph();
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
