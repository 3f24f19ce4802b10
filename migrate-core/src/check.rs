//! Structural checks of a set of revision declarations: duplicate ids, references to
//! unknown revisions, cycles and clashing branch labels.
//!
//! Errors carry indices into the checked slice so that the macro can put each error's span
//! on the offending token, and the runtime can name the offending migrations.

use std::collections::HashMap;

use crate::graph::{Adjacency, IdIndex};
use crate::{Revision, RevisionId};

/// Which list of a declaration a reference comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefKind {
    /// `revises = ...`
    Revises,
    /// `depends_on = [...]`
    DependsOn,
}

impl RefKind {
    /// The attribute key that holds this kind of reference.
    pub fn key(self) -> &'static str {
        match self {
            RefKind::Revises => "revises",
            RefKind::DependsOn => "depends_on",
        }
    }
}

/// One structural problem of a revision set.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GraphError {
    /// Two declarations share an id. `first < second`.
    DuplicateRevision {
        /// The shared id.
        id: RevisionId,
        /// Index of the first declaration.
        first: usize,
        /// Index of the later declaration.
        second: usize,
    },
    /// Two ids differ only in ASCII case (`ae10` and `AE10`). MySQL's default collation
    /// compares the version table's ids without case, so it could not tell them apart.
    /// `first < second`.
    CaseClash {
        /// Index of the first declaration.
        first: usize,
        /// Index of the later declaration.
        second: usize,
    },
    /// A `revises` or `depends_on` entry names no declared revision.
    UnknownRevision {
        /// Index of the declaration holding the reference.
        from: usize,
        /// Which list the reference is in.
        kind: RefKind,
        /// Position of the reference within that list.
        position: usize,
        /// The id that was not found.
        id: RevisionId,
    },
    /// The same revision appears twice in one `revises` or `depends_on` list, or a revision
    /// names itself.
    RepeatedReference {
        /// Index of the declaration holding the reference.
        from: usize,
        /// Which list the reference is in.
        kind: RefKind,
        /// Position of the repeated (or self-) reference within that list.
        position: usize,
        /// The repeated id.
        id: RevisionId,
    },
    /// The references (parents and dependencies) form a cycle. `members` lists the
    /// declarations on the cycle in order: each one references the next, and the last
    /// references the first.
    Cycle {
        /// Declaration indices along the cycle.
        members: Vec<usize>,
    },
    /// Two declarations use the same branch label, or a label equals a revision id.
    DuplicateBranchLabel {
        /// The label.
        label: String,
        /// Index of the first declaration using it (or the revision with that id).
        first: usize,
        /// Index of the later declaration using it.
        second: usize,
    },
}

/// Pushes a [`GraphError::CaseClash`] for each id that equals an earlier one but for ASCII
/// case. Only ids with an upper-case letter can clash with another, so a history of
/// lower-case ids (Alembic's hex ids, `0003_add_email`) costs one scan of its ids.
fn case_clashes(revs: &[Revision], index: &IdIndex, errors: &mut Vec<GraphError>) {
    let mut folded: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, rev) in revs.iter().enumerate() {
        let id = rev.id.as_str();
        // Without a short cut, so that the compiler checks the bytes in parallel.
        let upper = id
            .bytes()
            .fold(false, |found, b| found | b.is_ascii_uppercase());
        if !upper {
            continue;
        }
        let lower = id.to_ascii_lowercase();
        // A lower-case twin declared anywhere, or an earlier id folding to the same.
        let twin = index
            .get(revs, &lower)
            .into_iter()
            .chain(folded.get(&lower).copied());
        for other in twin {
            if revs[other].id != rev.id {
                let (first, second) = (other.min(i), other.max(i));
                let clash = GraphError::CaseClash { first, second };
                if !errors.contains(&clash) {
                    errors.push(clash);
                }
            }
        }
        folded.entry(lower).or_insert(i);
    }
}

/// Every structural problem of `revs`, in declaration order. Empty when the set is sound.
///
/// Runs in time linear in the number of declarations and references.
pub fn check(revs: &[Revision]) -> Vec<GraphError> {
    analyse(revs).errors
}

/// What [`check`] finds, plus the id index and the resolved references it builds on the
/// way, so that [`Graph::new`](crate::Graph::new) resolves every id only once.
pub(crate) struct Analysis {
    pub(crate) errors: Vec<GraphError>,
    pub(crate) index: IdIndex,
    /// Resolved `revises` entries; unknown and repeated ones are left out.
    pub(crate) parents: Adjacency,
    /// Resolved `depends_on` entries; unknown and repeated ones are left out.
    pub(crate) deps: Adjacency,
}

pub(crate) fn analyse(revs: &[Revision]) -> Analysis {
    let mut errors = Vec::new();
    let index = IdIndex::new(revs, |first, second| {
        errors.push(GraphError::DuplicateRevision {
            id: revs[second].id.clone(),
            first,
            second,
        });
    });

    case_clashes(revs, &index, &mut errors);

    // Branch labels, the first declaration of each: a `depends_on` entry may name one, as
    // in Alembic. Clashes are reported below, after the references.
    let mut labels: HashMap<&str, usize> = HashMap::new();
    let mut label_errors = Vec::new();
    for (i, rev) in revs.iter().enumerate() {
        for label in &rev.branch_labels {
            let first = labels
                .get(label.as_str())
                .copied()
                .or_else(|| index.get(revs, label.as_str()));
            match first {
                Some(first) => label_errors.push(GraphError::DuplicateBranchLabel {
                    label: label.clone(),
                    first,
                    second: i,
                }),
                None => {
                    labels.insert(label, i);
                }
            }
        }
    }

    let mut resolve = |i: usize, kind: RefKind, out: &mut Vec<usize>| {
        let rev = &revs[i];
        let list = match kind {
            RefKind::Revises => &rev.down_revisions,
            RefKind::DependsOn => &rev.depends_on,
        };
        for (position, id) in list.iter().enumerate() {
            let by_id = index.get(revs, id.as_str());
            let by_label = match (by_id, kind) {
                (None, RefKind::DependsOn) => labels.get(id.as_str()).copied(),
                _ => None,
            };
            // A label can name what the lists already hold under its id (or the
            // declaration itself): the same repeat as writing the id twice.
            let holds = |list: &[RevisionId], target: usize| {
                list.iter().any(|other| {
                    other != id && resolves_to(revs, &index, &labels, other) == Some(target)
                })
            };
            let repeated = *id == rev.id
                || list[..position].contains(id)
                || (kind == RefKind::DependsOn && rev.down_revisions.contains(id))
                || by_label.is_some_and(|target| {
                    target == i
                        || holds(&rev.down_revisions, target)
                        || holds(&rev.depends_on[..position], target)
                });
            if repeated {
                errors.push(GraphError::RepeatedReference {
                    from: i,
                    kind,
                    position,
                    id: id.clone(),
                });
                continue;
            }
            match by_id.or(by_label) {
                Some(target) => out.push(target),
                None => errors.push(GraphError::UnknownRevision {
                    from: i,
                    kind,
                    position,
                    id: id.clone(),
                }),
            }
        }
    };
    // Both lists of one declaration are resolved before the next declaration's, so the
    // errors come out in declaration order.
    let mut deps_targets = Vec::new();
    let mut deps_offsets = Vec::with_capacity(revs.len() + 1);
    deps_offsets.push(0);
    let parents = Adjacency::from_fn(revs.len(), |i, out| {
        resolve(i, RefKind::Revises, out);
        resolve(i, RefKind::DependsOn, &mut deps_targets);
        deps_offsets.push(deps_targets.len());
    });
    let deps = Adjacency::from_parts(deps_offsets, deps_targets);

    errors.extend(find_cycles(&parents, &deps));
    errors.extend(label_errors);
    Analysis {
        errors,
        index,
        parents,
        deps,
    }
}

/// The declaration a reference names: an id, else (as Alembic resolves `depends_on`) a
/// branch label.
fn resolves_to(
    revs: &[Revision],
    index: &IdIndex,
    labels: &HashMap<&str, usize>,
    id: &RevisionId,
) -> Option<usize> {
    index
        .get(revs, id.as_str())
        .or_else(|| labels.get(id.as_str()).copied())
}

/// One cycle per strongly connected component that has one, found by an iterative
/// depth-first search (no recursion, so deep histories cannot overflow the stack).
fn find_cycles(parents: &Adjacency, deps: &Adjacency) -> Vec<GraphError> {
    // A node's references: its parents, then its dependencies.
    let edge = |node: usize, k: usize| {
        let p = &parents[node];
        p.get(k).or_else(|| deps[node].get(k - p.len())).copied()
    };
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        OnStack,
        Done,
    }
    let mut state = vec![State::New; parents.len()];
    let mut cycles = Vec::new();
    // (node, next edge to follow), reused across starts: most starts find their
    // references already done and pop at once.
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for start in 0..parents.len() {
        if state[start] != State::New {
            continue;
        }
        stack.push((start, 0));
        state[start] = State::OnStack;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(target) = edge(node, *next) {
                *next += 1;
                match state[target] {
                    State::New => {
                        state[target] = State::OnStack;
                        stack.push((target, 0));
                    }
                    State::OnStack => {
                        let from = stack.iter().position(|&(n, _)| n == target).unwrap_or(0);
                        cycles.push(GraphError::Cycle {
                            members: stack[from..].iter().map(|&(n, _)| n).collect(),
                        });
                    }
                    State::Done => {}
                }
            } else {
                state[node] = State::Done;
                stack.pop();
            }
        }
    }
    cycles
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rev(id: &str, parents: &[&str], deps: &[&str]) -> Revision {
        Revision {
            id: RevisionId::new(id).unwrap(),
            down_revisions: parents
                .iter()
                .map(|p| RevisionId::new(p).unwrap())
                .collect(),
            depends_on: deps.iter().map(|p| RevisionId::new(p).unwrap()).collect(),
            branch_labels: Vec::new(),
        }
    }

    #[test]
    fn sound_graph_with_branches_merges_and_dependencies() {
        let revs = [
            rev("a", &[], &[]),
            rev("b", &["a"], &[]),
            rev("c", &["a"], &[]),
            rev("d", &["b", "c"], &[]),
            rev("x", &[], &["b"]),
        ];
        assert_eq!(check(&revs), vec![]);
    }

    #[test]
    fn reports_duplicates_unknown_references_and_repeats() {
        let revs = [
            rev("a", &[], &[]),
            rev("a", &[], &[]),
            rev("b", &["a", "zz"], &["a"]),
            rev("c", &["b", "b"], &["yy"]),
        ];
        let errors = check(&revs);
        assert_eq!(
            errors,
            vec![
                GraphError::DuplicateRevision {
                    id: RevisionId::new("a").unwrap(),
                    first: 0,
                    second: 1
                },
                GraphError::UnknownRevision {
                    from: 2,
                    kind: RefKind::Revises,
                    position: 1,
                    id: RevisionId::new("zz").unwrap()
                },
                GraphError::RepeatedReference {
                    from: 2,
                    kind: RefKind::DependsOn,
                    position: 0,
                    id: RevisionId::new("a").unwrap()
                },
                GraphError::RepeatedReference {
                    from: 3,
                    kind: RefKind::Revises,
                    position: 1,
                    id: RevisionId::new("b").unwrap()
                },
                GraphError::UnknownRevision {
                    from: 3,
                    kind: RefKind::DependsOn,
                    position: 0,
                    id: RevisionId::new("yy").unwrap()
                },
            ]
        );
    }

    #[test]
    fn ids_differing_only_in_case_clash_once_per_pair() {
        let revs = vec![
            rev("ABc", &[], &[]),
            rev("abc", &["ABc"], &[]),
            rev("AbC", &["abc"], &[]),
            rev("ae1027a6acf0", &[], &[]),
            rev("Other_ID", &[], &[]),
        ];
        assert_eq!(
            check(&revs),
            vec![
                GraphError::CaseClash {
                    first: 0,
                    second: 1
                },
                GraphError::CaseClash {
                    first: 1,
                    second: 2
                },
                GraphError::CaseClash {
                    first: 0,
                    second: 2
                },
            ]
        );
        let message = crate::GraphErrors::new(check(&revs)[..1].to_vec(), &revs).to_string();
        assert!(
            message.contains("`ABc` and `abc` differ only in case"),
            "{message}"
        );
        // Exact duplicates stay duplicates, not case clashes.
        let dup = check(&[rev("Ab", &[], &[]), rev("Ab", &[], &[])]);
        assert!(
            matches!(dup[..], [GraphError::DuplicateRevision { .. }]),
            "{dup:?}"
        );
    }

    #[test]
    fn finds_cycles_through_parents_and_dependencies() {
        let revs = [
            rev("a", &["c"], &[]),
            rev("b", &["a"], &[]),
            rev("c", &[], &["b"]),
            rev("d", &["d2"], &[]),
            rev("d2", &["d"], &[]),
        ];
        let cycles: Vec<_> = check(&revs);
        assert_eq!(
            cycles,
            vec![
                GraphError::Cycle {
                    members: vec![0, 2, 1]
                },
                GraphError::Cycle {
                    members: vec![3, 4]
                },
            ]
        );
    }

    #[test]
    fn a_deep_chain_does_not_overflow() {
        let ids: Vec<String> = (0..100_000).map(|i| format!("r{i}")).collect();
        let revs: Vec<_> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                if i == 0 {
                    rev(id, &[], &[])
                } else {
                    rev(id, &[&ids[i - 1]], &[])
                }
            })
            .collect();
        assert_eq!(check(&revs), vec![]);
    }

    #[test]
    fn unknown_references_suggest_the_id_meant() {
        let revs = vec![
            rev("acc0001", &[], &[]),
            rev("bil0001", &[], &["acc001"]),
            rev("bil0002", &["bil0001"], &["zzzz"]),
        ];
        let messages = crate::GraphErrors::new(check(&revs), &revs).messages();
        assert_eq!(
            messages,
            [
                "revision `bil0001` lists unknown revision or branch label `acc001` in \
                 `depends_on`; did you mean `acc0001`?",
                "revision `bil0002` lists unknown revision or branch label `zzzz` in \
                 `depends_on`; declare it, fix the id, or link the crate that declares it \
                 (`use the_crate as _;`)",
            ]
        );
    }

    #[test]
    fn depends_on_may_name_a_branch_label() {
        let labelled = |id: &str, parents: &[&str], deps: &[&str], label: &str| {
            let mut r = rev(id, parents, deps);
            r.branch_labels = vec![label.into()];
            r
        };
        let revs = [
            labelled("a", &[], &[], "lib"),
            labelled("b", &["a"], &[], "feature"),
            rev("x", &[], &["lib"]),
            // Each names a revision its lists already hold, once as a label.
            rev("y", &["a"], &["lib"]),
            rev("z", &[], &["b", "feature"]),
            labelled("w", &[], &["own"], "own"),
            // Labels are not parents: `revises` takes ids only, as in Alembic.
            rev("v", &["lib"], &[]),
        ];
        let repeated = |from: usize, position: usize, id: &str| GraphError::RepeatedReference {
            from,
            kind: RefKind::DependsOn,
            position,
            id: RevisionId::new(id).unwrap(),
        };
        assert_eq!(
            check(&revs),
            vec![
                repeated(3, 0, "lib"),
                repeated(4, 1, "feature"),
                repeated(5, 0, "own"),
                GraphError::UnknownRevision {
                    from: 6,
                    kind: RefKind::Revises,
                    position: 0,
                    id: RevisionId::new("lib").unwrap()
                },
            ]
        );
        // Resolved, the label is an edge like an id: `x` needs `a`.
        let graph = crate::Graph::new(revs[..3].to_vec()).unwrap();
        assert!(graph.is_ancestor("a", "x"));
        let plan = graph.plan_upgrade(&[], "x").unwrap();
        let order: Vec<&str> = plan.steps.iter().map(|s| s.revision.as_str()).collect();
        assert_eq!(order, ["a", "x"]);
    }

    #[test]
    fn branch_labels_must_be_unique() {
        let mut a = rev("a", &[], &[]);
        a.branch_labels = vec!["x".into()];
        let mut b = rev("b", &[], &[]);
        b.branch_labels = vec!["x".into(), "a".into()];
        assert_eq!(
            check(&[a, b]),
            vec![
                GraphError::DuplicateBranchLabel {
                    label: "x".into(),
                    first: 0,
                    second: 1
                },
                GraphError::DuplicateBranchLabel {
                    label: "a".into(),
                    first: 0,
                    second: 1
                },
            ]
        );
    }
}
