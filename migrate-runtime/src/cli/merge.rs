//! `merge REV... -m MESSAGE` (or `merge heads`): write a merge revision whose `revises`
//! lists the given revisions, joining their branches into one head.

use clap::Args;

use super::revision::{Folder, labels};
use super::template::{self, NewRevision};
use super::{Session, Status};
use crate::{Error, Result, RevisionId};

/// Arguments of `merge`.
#[derive(Debug, Clone, Args)]
pub struct MergeArgs {
    /// The revisions to join: ids, prefixes, labels, or `heads` for every head.
    #[arg(required = true, num_args = 1.., value_name = "REV")]
    pub revisions: Vec<String>,
    /// The message of the merge revision.
    #[arg(short, long, value_parser = template::message_arg)]
    pub message: String,
    /// Use this id instead of a fresh random 12-hex one.
    #[arg(long, value_name = "ID")]
    pub rev_id: Option<String>,
    /// A branch label for the merge revision (repeatable).
    #[arg(long, value_name = "LABEL")]
    pub branch_label: Vec<String>,
}

impl MergeArgs {
    pub(crate) fn run(self, session: &Session) -> Result<Status> {
        let set = session.set();
        let graph = set.graph();
        let settings = session.settings()?;
        let folder = Folder::open(settings, set)?;
        // Merging what the binary does not know would leave a head behind.
        folder.refuse_unbuilt("")?;
        let mut revises: Vec<RevisionId> = Vec::new();
        for target in &self.revisions {
            for id in graph.resolve(target)? {
                if !revises.contains(&id) {
                    revises.push(id);
                }
            }
        }
        if revises.len() < 2 {
            return Err(Error::Refused(format!(
                "nothing to merge: {} {} a single revision ({}); a merge joins two or more \
                 heads",
                self.revisions
                    .iter()
                    .map(|r| format!("`{r}`"))
                    .collect::<Vec<_>>()
                    .join(" "),
                if self.revisions.len() == 1 {
                    "names"
                } else {
                    "name"
                },
                super::format::revisions_or_base(&revises)
            )));
        }
        for a in &revises {
            for b in &revises {
                if graph.is_ancestor(a.as_str(), b.as_str()) {
                    return Err(Error::Refused(format!(
                        "`{a}` is an ancestor of `{b}`: they are on one branch, so there is \
                         nothing to merge"
                    )));
                }
            }
        }
        let revision = NewRevision {
            id: folder.new_id(self.rev_id.as_deref())?,
            message: template::one_line(&self.message),
            external: folder.external(&revises),
            revises,
            depends_on: Vec::new(),
            branch_labels: labels(set, &self.branch_label)?,
            irreversible: false,
            transactional: true,
            upgrade_sql: None,
            downgrade_sql: None,
        };
        folder.write(settings, &revision)?;
        Ok(Status::Success)
    }
}
