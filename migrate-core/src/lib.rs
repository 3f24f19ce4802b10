//! Revision graph logic shared by `migrate-macros` (compile-time chain checks) and
//! `migrate-runtime` (validation, target resolution and planning).
//!
//! Everything here is pure: it takes revision declarations and returns data. No I/O,
//! no database, so the same code runs inside the compiler and inside the final binary.

mod check;
pub mod descriptor;
mod error;
mod graph;
mod id;
mod plan;
pub mod suggest;
mod target;
pub mod testing;

pub use check::{GraphError, RefKind, check};
pub use error::{GraphErrors, PlanError};
pub use graph::Graph;
pub use id::{IdError, MAX_ID_LEN, RevisionId};
pub use plan::{Plan, Step};

/// One node of the revision graph, as declared by `#[migration(...)]` or built at runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// The revision's own id.
    pub id: RevisionId,
    /// Parents (`revises`): empty for a root, several for a merge point.
    pub down_revisions: Vec<RevisionId>,
    /// Revisions that must be applied first without being parents (`depends_on`): ids, or
    /// branch labels standing for the revision that carries them.
    pub depends_on: Vec<RevisionId>,
    /// Branch labels (`branch_labels`).
    pub branch_labels: Vec<String>,
}

impl Revision {
    /// A root revision with no parents, dependencies or labels.
    pub fn root(id: RevisionId) -> Self {
        Self {
            id,
            down_revisions: Vec::new(),
            depends_on: Vec::new(),
            branch_labels: Vec::new(),
        }
    }
}

/// Whether a migration is being applied or reverted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Applying a migration (`upgrade`).
    Up,
    /// Reverting a migration (`downgrade`).
    Down,
}

impl Direction {
    /// `upgrade` or `downgrade`, as the history table and messages spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Up => "upgrade",
            Direction::Down => "downgrade",
        }
    }
}

impl std::fmt::Display for Direction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
