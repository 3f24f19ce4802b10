//! Deterministic generators of revision histories for tests and benchmarks.
//!
//! ```
//! use migrate_core::{Graph, testing::{History, Shape}};
//! let revisions = History::new(Shape::branchy(500), 7).generate();
//! let graph = Graph::new(revisions).unwrap();
//! assert_eq!(graph.len(), 500);
//! ```
//!
//! Histories are built in creation order (parents before children) from a seed, so the
//! same seed always gives the same revisions, ids and labels.

use std::collections::HashSet;

use crate::{Revision, RevisionId};

/// How a generated history looks: percentages are per new revision.
///
/// Dependencies always point at a head of another line that nothing depends on yet, so
/// every generated history can be upgraded and downgraded in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// Number of revisions.
    pub revisions: usize,
    /// Chance that a revision forks from an older, non-head revision.
    pub branch_percent: u32,
    /// Chance that a revision merges two (sometimes three) open heads.
    pub merge_percent: u32,
    /// Chance that a revision starts a new, independent base.
    pub root_percent: u32,
    /// Chance that a revision also `depends_on` the head of another line.
    pub depends_percent: u32,
    /// Chance that a new base or fork gets a branch label.
    pub label_percent: u32,
    /// Above this many open heads, revisions merge instead of forking.
    pub max_heads: usize,
}

impl Shape {
    /// A single line of `n` revisions.
    pub fn chain(n: usize) -> Self {
        Shape {
            revisions: n,
            branch_percent: 0,
            merge_percent: 0,
            root_percent: 0,
            depends_percent: 0,
            label_percent: 0,
            max_heads: 1,
        }
    }

    /// A history with frequent forks, merges, a few extra bases, dependencies across
    /// lines and labelled branches.
    pub fn branchy(n: usize) -> Self {
        Shape {
            revisions: n,
            branch_percent: 8,
            merge_percent: 6,
            root_percent: 1,
            depends_percent: 3,
            label_percent: 50,
            max_heads: 8,
        }
    }
}

/// A seeded history generator.
#[derive(Debug, Clone)]
pub struct History {
    shape: Shape,
    seed: u64,
}

impl History {
    /// A generator for `shape` seeded with `seed`.
    pub fn new(shape: Shape, seed: u64) -> Self {
        History { shape, seed }
    }

    /// The revisions, parents before children.
    pub fn generate(&self) -> Vec<Revision> {
        let s = &self.shape;
        let mut rng = Rng(self.seed ^ 0x9e37_79b9_7f4a_7c15);
        let mut used = HashSet::new();
        let mut revs: Vec<Revision> = Vec::with_capacity(s.revisions);
        let mut open: Vec<usize> = Vec::new();
        let mut labels = 0usize;
        let mut depended = vec![false; s.revisions];
        for i in 0..s.revisions {
            let id = loop {
                let candidate = format!("{:012x}", rng.next() >> 16);
                if used.insert(candidate.clone()) {
                    break RevisionId::new(&candidate).expect("hex ids are valid");
                }
            };
            let roll = rng.below(100) as u32;
            let mut parents: Vec<usize> = Vec::new();
            let mut labelled = false;
            let must_merge = open.len() > s.max_heads.max(1);
            if i == 0 || (!must_merge && roll < s.root_percent) {
                labelled = true;
            } else if mergeable(&open, &depended) >= 2
                && (must_merge || roll < s.root_percent + s.merge_percent)
            {
                // A head something depends on may be an ancestor of another head, and
                // merging a revision with its own ancestor is not a history people write.
                let count = if mergeable(&open, &depended) >= 3 && rng.below(4) == 0 {
                    3
                } else {
                    2
                };
                while parents.len() < count {
                    let k = rng.below(open.len());
                    if !depended[open[k]] {
                        parents.push(open.swap_remove(k));
                    }
                }
            } else if roll < s.root_percent + s.merge_percent + s.branch_percent {
                let p = rng.below(i);
                if let Some(k) = open.iter().position(|&o| o == p) {
                    open.swap_remove(k);
                } else {
                    labelled = true;
                }
                parents.push(p);
            } else {
                let k = rng.below(open.len());
                parents.push(open.swap_remove(k));
            }
            let mut depends_on = Vec::new();
            if !open.is_empty() && rng.below(100) < s.depends_percent as usize {
                // Only heads nothing depends on yet: a dependency that is already an
                // ancestor through another path makes Alembic's version-table
                // bookkeeping fail, and generated histories should be plannable.
                let q = open[rng.below(open.len())];
                if !depended[q] {
                    depended[q] = true;
                    depends_on.push(revs[q].id.clone());
                }
            }
            let mut branch_labels = Vec::new();
            if labelled && rng.below(100) < s.label_percent as usize {
                labels += 1;
                branch_labels.push(format!("branch{labels}"));
            }
            revs.push(Revision {
                id,
                down_revisions: parents.iter().map(|&p| revs[p].id.clone()).collect(),
                depends_on,
                branch_labels,
            });
            open.push(i);
        }
        revs
    }
}

fn mergeable(open: &[usize], depended: &[bool]) -> usize {
    open.iter().filter(|&&o| !depended[o]).count()
}

/// A chain of `n` revisions with readable ids `r0`, `r1`, ...
pub fn chain(n: usize) -> Vec<Revision> {
    let ids: Vec<RevisionId> = (0..n)
        .map(|i| RevisionId::new(&format!("r{i}")).expect("valid id"))
        .collect();
    ids.iter()
        .enumerate()
        .map(|(i, id)| Revision {
            id: id.clone(),
            down_revisions: if i == 0 {
                Vec::new()
            } else {
                vec![ids[i - 1].clone()]
            },
            depends_on: Vec::new(),
            branch_labels: Vec::new(),
        })
        .collect()
}

/// SplitMix64: small, fast and good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}
