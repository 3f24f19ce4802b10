//! Builders shared by the integration tests.

use migrate_core::{Revision, RevisionId};

/// `s` as a revision id; panics on an invalid one.
pub fn id(s: &str) -> RevisionId {
    RevisionId::new(s).unwrap()
}

/// A revision with its parents, `depends_on` and branch labels.
pub fn rev(name: &str, parents: &[&str], deps: &[&str], labels: &[&str]) -> Revision {
    Revision {
        id: id(name),
        down_revisions: parents.iter().map(|p| id(p)).collect(),
        depends_on: deps.iter().map(|p| id(p)).collect(),
        branch_labels: labels.iter().map(|l| l.to_string()).collect(),
    }
}
