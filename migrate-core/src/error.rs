//! Errors of graph construction ([`GraphErrors`]) and of target resolution and planning
//! ([`PlanError`]).

use std::fmt;

use crate::{GraphError, RefKind, Revision, RevisionId};

/// Every structural problem found while building a [`Graph`](crate::Graph).
///
/// `Display` prints one problem per line, naming revisions by id. The second field keeps the
/// declared ids so that the index-based [`GraphError`]s can be rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphErrors(pub Vec<GraphError>, Vec<RevisionId>);

impl GraphErrors {
    pub(crate) fn new(errors: Vec<GraphError>, revisions: &[Revision]) -> Self {
        Self(errors, revisions.iter().map(|r| r.id.clone()).collect())
    }

    /// The problems, in the order [`check`](crate::check) reports them.
    pub fn errors(&self) -> &[GraphError] {
        &self.0
    }

    /// One message per problem, naming revisions by id.
    pub fn messages(&self) -> Vec<String> {
        self.0.iter().map(|e| describe(e, &self.1)).collect()
    }
}

impl fmt::Display for GraphErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, message) in self.messages().iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            f.write_str(message)?;
        }
        Ok(())
    }
}

impl std::error::Error for GraphErrors {}

impl GraphError {
    /// A message naming the revisions involved, given the checked declarations (the indices
    /// in `self` point into `revisions`).
    pub fn message(&self, revisions: &[Revision]) -> String {
        let ids: Vec<RevisionId> = revisions.iter().map(|r| r.id.clone()).collect();
        describe(self, &ids)
    }
}

fn describe(error: &GraphError, ids: &[RevisionId]) -> String {
    let id = |i: usize| ids.get(i).map_or("?", RevisionId::as_str);
    let list = |kind: RefKind| match kind {
        RefKind::Revises => "revises",
        RefKind::DependsOn => "depends_on",
    };
    match error {
        GraphError::DuplicateRevision { id: dup, .. } => {
            format!("revision `{dup}` is declared more than once; give each migration its own id")
        }
        GraphError::CaseClash { first, second } => format!(
            "revisions `{}` and `{}` differ only in case, which MySQL's version table cannot \
             tell apart; rename one of them",
            id(*first),
            id(*second)
        ),
        GraphError::UnknownRevision {
            from,
            kind,
            id: missing,
            ..
        } => {
            // Never the declaration's own id: naming itself is an error of its own.
            let known: Vec<&str> = (ids.iter().enumerate())
                .filter(|&(i, _)| i != *from)
                .map(|(_, k)| k.as_str())
                .collect();
            let hint = crate::suggest::closest(missing.as_str(), &known)
                .or_else(|| crate::suggest::completion(missing.as_str(), &known))
                .map_or_else(
                    || {
                        "declare it, fix the id, or link the crate that declares it (`use \
                         the_crate as _;`)"
                            .to_owned()
                    },
                    |known| format!("did you mean `{known}`?"),
                );
            // `depends_on` also takes branch labels.
            let what = match kind {
                RefKind::Revises => "revision",
                RefKind::DependsOn => "revision or branch label",
            };
            format!(
                "revision `{}` lists unknown {what} `{missing}` in `{}`; {hint}",
                id(*from),
                list(*kind)
            )
        }
        GraphError::RepeatedReference {
            from,
            kind,
            id: repeated,
            ..
        } => {
            let from = id(*from);
            if repeated.as_str() == from {
                format!("revision `{from}` names itself in `{}`", list(*kind))
            } else {
                format!(
                    "revision `{from}` names `{repeated}` more than once in `revises`/`depends_on`; remove the repeat"
                )
            }
        }
        GraphError::Cycle { members } => {
            let mut path: Vec<&str> = members.iter().map(|&m| id(m)).collect();
            if let Some(&first) = path.first() {
                path.push(first);
            }
            format!(
                "revisions form a cycle through `revises`/`depends_on`: {}",
                path.join(" -> ")
            )
        }
        GraphError::DuplicateBranchLabel {
            label,
            first,
            second,
        } => {
            if id(*first) == label {
                format!(
                    "branch label `{label}` of revision `{}` is also a revision id; rename the label",
                    id(*second)
                )
            } else {
                format!(
                    "branch label `{label}` is used by both `{}` and `{}`; labels must be unique",
                    id(*first),
                    id(*second)
                )
            }
        }
    }
}

fn join(ids: &[RevisionId]) -> String {
    ids.iter()
        .map(RevisionId::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why a target could not be resolved or a plan could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// The target is empty.
    #[error("the target is empty; name a revision, `head`, `heads` or `base`")]
    EmptyTarget,
    /// No revision id, unique prefix or branch label matches.
    #[error(
        "no revision matches `{target}`; give a revision id, a unique prefix of one, a branch label, `head`, `heads` or `base`"
    )]
    NoMatch {
        /// The unmatched text.
        target: String,
    },
    /// A prefix matches several revisions (or branch labels).
    #[error("ambiguous revision prefix `{prefix}`: matches {}{}; give more characters", .matches.join(", "), if *.more { ", ..." } else { "" })]
    AmbiguousPrefix {
        /// The prefix.
        prefix: String,
        /// The first few matching ids or labels.
        matches: Vec<String>,
        /// Whether more matched than are listed.
        more: bool,
    },
    /// The part before `@` names no branch label or revision.
    #[error("no branch label or revision matches `{label}` in `{target}`")]
    NoSuchBranch {
        /// The label as written.
        label: String,
        /// The whole target.
        target: String,
    },
    /// `label@rev` names a revision that is not on the branch.
    #[error(
        "revision `{revision}` is not on branch `{label}`; drop the `{label}@` or name a revision of that branch"
    )]
    NotOnBranch {
        /// The revision.
        revision: RevisionId,
        /// The branch label as written.
        label: String,
    },
    /// `head` (or `label@head`) is ambiguous.
    #[error("multiple heads are present for `{target}` ({}); name one, e.g. `{}` or `label@head`, or use `heads` for all of them", join(.heads), .heads.first().map_or("", |h| h.as_str()))]
    MultipleHeads {
        /// The target as written.
        target: String,
        /// The candidate heads.
        heads: Vec<RevisionId>,
    },
    /// A relative target walks below the bases.
    #[error("relative target `{target}` goes below base; use `base` or a smaller step")]
    BelowBase {
        /// The target as written.
        target: String,
    },
    /// A relative target walks past a head.
    #[error("relative target `{target}` goes past the head; use `head`, `heads` or a smaller step")]
    PastHead {
        /// The target as written.
        target: String,
    },
    /// A relative step is not representable.
    #[error("relative step in `{target}` is too large")]
    StepTooLarge {
        /// The target as written.
        target: String,
    },
    /// `+0` or `-0` relative to the applied revisions: a move of no step.
    #[error(
        "relative target `{target}` moves no step; give a number of steps such as `+1` or `-1`"
    )]
    ZeroSteps {
        /// The target as written.
        target: String,
    },
    /// A relative walk meets a branch point (walking up) or a merge point or several
    /// heads (walking down) and cannot choose.
    #[error(
        "relative target `{target}` is ambiguous: {at} {}; {}",
        join(.options),
        if *.label_narrows {
            "name a revision or narrow it with `label@`"
        } else {
            "name the revision to go to instead (a branch label cannot choose here)"
        }
    )]
    AmbiguousWalk {
        /// The target as written.
        target: String,
        /// Where the walk forks, e.g. "`ab12` has several children".
        at: String,
        /// The alternatives.
        options: Vec<RevisionId>,
        /// Whether `label@` would choose: only on a walk up that no label narrows yet. A
        /// walk down follows every parent whatever the label, and a label already given
        /// leaves these alternatives.
        label_narrows: bool,
    },
    /// A target relative to the current heads (`+N`, `-N`) is used while several heads are
    /// applied, or none on the named branch.
    #[error("relative target `{target}` is ambiguous: the applied heads are ({}); use `label@{target}` or `REV{target}`", join(.current))]
    AmbiguousCurrent {
        /// The target as written.
        target: String,
        /// The applied heads considered.
        current: Vec<RevisionId>,
    },
    /// `-N` with an empty version table.
    #[error("relative target `{target}` needs an applied revision, but none is applied")]
    NothingApplied {
        /// The target as written.
        target: String,
    },
    /// A relative target moves the wrong way for the command (`upgrade -1`, `downgrade +1`).
    #[error("relative target `{target}` cannot be used with {command}; use {other} instead", other = if *.command == "upgrade" { "downgrade" } else { "upgrade" })]
    WrongDirection {
        /// The target as written.
        target: String,
        /// `upgrade` or `downgrade`.
        command: &'static str,
    },
    /// A target relative to the applied heads where no applied heads are known.
    #[error(
        "relative target `{target}` depends on the applied revisions; plan an upgrade or downgrade instead"
    )]
    RelativeNeedsCurrent {
        /// The target as written.
        target: String,
    },
    /// Downgrade to a revision that is not applied below the current heads.
    #[error(
        "revision `{target}` is not applied below the current heads ({}): cannot downgrade to it",
        if .current.is_empty() { "none: nothing is applied".to_owned() } else { join(.current) }
    )]
    NotAncestor {
        /// The resolved target.
        target: RevisionId,
        /// The applied heads.
        current: Vec<RevisionId>,
    },
    /// `label@...` downgrade where the label selects nothing to downgrade.
    #[error(
        "`{target}` is not a valid downgrade target from the current heads: branch `{label}` has nothing to downgrade there"
    )]
    NotOnBranchForDowngrade {
        /// The target as written.
        target: String,
        /// The branch label.
        label: String,
    },
    /// Upgrade targets where one is an ancestor of another.
    #[error(
        "target `{target}` names both `{ancestor}` and its descendant `{descendant}`; name only the descendant"
    )]
    OverlappingTargets {
        /// The target as written.
        target: String,
        /// The ancestor.
        ancestor: RevisionId,
        /// Its descendant, also a target.
        descendant: RevisionId,
    },
    /// The version table lists a revision and one of its descendants.
    #[error(
        "the version table lists both `{ancestor}` and its descendant `{descendant}`; \
         `stamp --purge` the revisions the schema is at to repair it (it replaces every row)"
    )]
    OverlappingCurrent {
        /// The ancestor row.
        ancestor: RevisionId,
        /// The descendant row.
        descendant: RevisionId,
    },
    /// The version table lists an id that is not a known revision.
    #[error(
        "the version table lists `{id}`, which is not a known revision; is this the right \
         migration set for this database, with every crate holding migrations linked (`use \
         the_crate as _;`)? If the row is stale, `stamp --purge` the revision the schema is \
         at (it replaces every row)"
    )]
    UnknownCurrent {
        /// The unknown row.
        id: RevisionId,
    },
    /// The version table lists an id twice.
    #[error(
        "the version table lists `{id}` more than once; `stamp` the intended heads to repair it"
    )]
    DuplicateCurrent {
        /// The repeated row.
        id: RevisionId,
    },
    /// Applying the plan would leave the version table inconsistent (Alembic fails half-way
    /// here); nothing is planned.
    #[error("cannot {direction} `{revision}` from version table ({}): {reason}; `stamp` the intended heads first", join(.current))]
    Inconsistent {
        /// The step that cannot be recorded.
        revision: RevisionId,
        /// `upgrade`, `downgrade` or `stamp`.
        direction: &'static str,
        /// The version table before that step.
        current: Vec<RevisionId>,
        /// What goes wrong.
        reason: String,
    },
}
