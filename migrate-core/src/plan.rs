//! Upgrade, downgrade and stamp planning: which revisions run, in which order, and how
//! each step changes the version table.
//!
//! The order and the version-table deltas follow Alembic's `_collect_upgrade_revisions`,
//! `_collect_downgrade_revisions`, `_topological_sort`, `HeadMaintainer` and `_stamp_revs`.
//! Where Alembic would fail half-way through (an assertion or a missing row), planning
//! fails up front with [`PlanError::Inconsistent`] instead.

use std::collections::HashMap;

use crate::error::PlanError;
use crate::graph::Graph;
use crate::target::parse_relative;
use crate::{Direction, RevisionId};

type Result<T> = std::result::Result<T, PlanError>;

/// An ordered list of migration steps.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// The steps, in execution order.
    pub steps: Vec<Step>,
}

/// One migration to run, with the version-table change to commit alongside it.
#[derive(Clone, PartialEq, Eq)]
pub struct Step {
    /// The revision whose `upgrade` or `downgrade` runs.
    pub revision: RevisionId,
    /// Which of the two runs.
    pub direction: Direction,
    /// The version-table change; see [`Step::delete_versions`] and
    /// [`Step::insert_versions`].
    delta: Delta,
}

/// A step's version-table change. Almost every step deletes and inserts at most one row
/// (a revision replacing its parent, a new base, a branch removed), and those are kept
/// inline: a plan of N such steps makes no allocation per step. One representation per
/// value, so the derived equality compares the rows.
#[derive(Clone, PartialEq, Eq)]
enum Delta {
    AtMostOne {
        delete: Option<RevisionId>,
        insert: Option<RevisionId>,
    },
    Many {
        delete: Vec<RevisionId>,
        insert: Vec<RevisionId>,
    },
}

impl Delta {
    fn new(
        mut delete: impl ExactSizeIterator<Item = RevisionId>,
        mut insert: impl ExactSizeIterator<Item = RevisionId>,
    ) -> Delta {
        if delete.len() <= 1 && insert.len() <= 1 {
            Delta::AtMostOne {
                delete: delete.next(),
                insert: insert.next(),
            }
        } else {
            Delta::Many {
                delete: delete.collect(),
                insert: insert.collect(),
            }
        }
    }
}

impl Step {
    /// A step of `direction` running `revision`, which deletes the version-table rows
    /// `delete` and inserts the rows `insert` when it commits.
    pub fn new(
        revision: RevisionId,
        direction: Direction,
        delete: Vec<RevisionId>,
        insert: Vec<RevisionId>,
    ) -> Step {
        Step {
            revision,
            direction,
            delta: Delta::new(delete.into_iter(), insert.into_iter()),
        }
    }

    /// Version-table rows to delete when this step commits.
    pub fn delete_versions(&self) -> &[RevisionId] {
        match &self.delta {
            Delta::AtMostOne { delete, .. } => delete.as_slice(),
            Delta::Many { delete, .. } => delete,
        }
    }

    /// Version-table rows to insert when this step commits.
    pub fn insert_versions(&self) -> &[RevisionId] {
        match &self.delta {
            Delta::AtMostOne { insert, .. } => insert.as_slice(),
            Delta::Many { insert, .. } => insert,
        }
    }
}

impl std::fmt::Debug for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Step")
            .field("revision", &self.revision)
            .field("direction", &self.direction)
            .field("delete_versions", &self.delete_versions())
            .field("insert_versions", &self.insert_versions())
            .finish()
    }
}

impl Plan {
    /// Whether there is nothing to run.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The version-table rows after applying every step to `current`: existing rows keep
    /// their order, new rows are appended.
    ///
    /// Linear in the rows and steps: rows sit in slots that a deletion empties, and each
    /// id leads to its slots through a chain (a row may appear twice in `current`, and a
    /// deletion removes every copy), so no step scans the table.
    pub fn versions_after(&self, current: &[RevisionId]) -> Vec<RevisionId> {
        let mut slots: Vec<(Option<&RevisionId>, usize)> = Vec::with_capacity(current.len());
        let mut first: HashMap<&str, usize> = HashMap::with_capacity(current.len());
        fn push<'a>(
            slots: &mut Vec<(Option<&'a RevisionId>, usize)>,
            first: &mut HashMap<&'a str, usize>,
            id: &'a RevisionId,
        ) {
            let next = first.insert(id.as_str(), slots.len()).unwrap_or(END);
            slots.push((Some(id), next));
        }
        for id in current {
            push(&mut slots, &mut first, id);
        }
        for step in &self.steps {
            for id in step.delete_versions() {
                let mut at = first.remove(id.as_str()).unwrap_or(END);
                while at != END {
                    slots[at].0 = None;
                    at = slots[at].1;
                }
            }
            for id in step.insert_versions() {
                push(&mut slots, &mut first, id);
            }
        }
        slots
            .into_iter()
            .filter_map(|(id, _)| id.cloned())
            .collect()
    }
}

impl Graph {
    /// Plans `upgrade TARGET` from the version-table rows `current`.
    ///
    /// Runs every revision needed by the target (its ancestors and dependencies) that is
    /// not yet applied, dependencies before dependants. An already applied target gives an
    /// empty plan.
    pub fn plan_upgrade(&self, current: &[RevisionId], target: &str) -> Result<Plan> {
        if target.is_empty() {
            return Err(PlanError::EmptyTarget);
        }
        let cur = self.current_indices(current)?;
        let targets = self.parse_upgrade_target(&cur, target)?;
        let required = self
            .ancestors_or_overlap(&targets)
            .map_err(|(ancestor, descendant)| PlanError::OverlappingTargets {
                target: target.to_owned(),
                ancestor: self.id(ancestor).clone(),
                descendant: self.id(descendant).clone(),
            })?;
        let applied = self.applied(&cur)?;
        let needs: Vec<bool> = required
            .iter()
            .zip(&applied)
            .map(|(&r, &a)| r && !a)
            .collect();
        let mut order = self.topo_sort(needs, &targets);
        order.reverse();
        Table::new(self, &cur, applied).run(&order, Direction::Up)
    }

    /// Plans `downgrade TARGET` from the version-table rows `current`.
    ///
    /// Reverts every applied revision above the target, dependants before what they
    /// depend on. `label@...` and relative targets narrow the downgrade to one branch as
    /// Alembic does. Downgrading to a revision that is applied but has nothing applied
    /// above it gives an empty plan; to one that is not applied, an error.
    pub fn plan_downgrade(&self, current: &[RevisionId], target: &str) -> Result<Plan> {
        let cur = self.current_indices(current)?;
        // Refused on a table listing a revision and its descendant, as for an upgrade:
        // planning on it would revert more than the target asks (`-1` two steps).
        let applied = self.applied(&cur)?;
        let (label, target_rev) = self.parse_downgrade_target(&cur, target)?;
        let mut roots: Vec<usize> = match target_rev {
            None => self.bases_idx().to_vec(),
            Some(t) => self.children[t].to_vec(),
        };
        if let Some(label) = label.as_deref()
            && roots.len() > 1
        {
            let branch = self.resolve_branch(label, target)?;
            let on_branch = self.reach(&[branch], &self.parents);
            roots.retain(|&r| on_branch[r]);
            if roots.is_empty() {
                return Err(PlanError::NotOnBranchForDowngrade {
                    target: target.to_owned(),
                    label: label.to_owned(),
                });
            }
        }
        let above = self.descendants_of(&roots);
        let drop: Vec<bool> = above.iter().zip(&applied).map(|(&d, &a)| d && a).collect();
        if let Some(t) = target_rev
            && !drop.contains(&true)
            && !cur.contains(&t)
        {
            return Err(PlanError::NotAncestor {
                target: self.id(t).clone(),
                current: self.owned_ids(&cur),
            });
        }
        let order = self.topo_sort(drop, &cur);
        Table::new(self, &cur, applied).run(&order, Direction::Down)
    }

    /// The single step running `revision` in `direction` from the version-table rows
    /// `current`, with the version-table change a run commits alongside it: what the table
    /// would hold had that migration finished (see [`Plan::versions_after`]). Refused, as a
    /// plan's step would be, when the step cannot follow `current` (an upgrade of a
    /// revision already applied, a downgrade of one that is not a row).
    pub fn plan_step(
        &self,
        current: &[RevisionId],
        revision: &str,
        direction: Direction,
    ) -> Result<Step> {
        let cur = self.current_indices(current)?;
        let applied = self.applied(&cur)?;
        let r = self.index_of(revision).ok_or_else(|| PlanError::NoMatch {
            target: revision.to_owned(),
        })?;
        let plan = Table::new(self, &cur, applied).run(&[r], direction)?;
        Ok(plan
            .steps
            .into_iter()
            .next()
            .expect("a plan of one revision has one step"))
    }

    /// The version-table rows after `stamp TARGET` from `current`, without running any
    /// migration. `base` (or an empty target) removes the rows of the lines it names, a
    /// revision replaces the rows on its line (or is added as a new branch), `heads` stamps
    /// every head. Relative targets (`-1`, `REV@+1`, `label@-2`) are refused with
    /// [`PlanError::RelativeNeedsCurrent`]: Alembic resolves some of them, and only against
    /// an empty table, to results that depend on it; a stamp names where the schema is.
    pub fn plan_stamp(&self, current: &[RevisionId], target: &str) -> Result<Vec<RevisionId>> {
        let cur = self.current_indices(current)?;
        let target = if target.is_empty() { "base" } else { target };
        if parse_relative(target)?.is_some() {
            return Err(PlanError::RelativeNeedsCurrent {
                target: target.to_owned(),
            });
        }
        let filtered = self.filter_for_lineage(&cur, target, true, target)?;
        let dests = self.resolve_revisions(target, target)?;
        let mut rows: Vec<usize> = cur.clone();
        let inconsistent =
            |rows: &[usize], revision: usize, reason: String| PlanError::Inconsistent {
                revision: self.id(revision).clone(),
                direction: "stamp",
                current: self.owned_ids(rows),
                reason,
            };
        if dests.is_empty() {
            for &h in &filtered {
                rows.retain(|&r| r != h);
            }
            return Ok(self.owned_ids(&rows));
        }
        for &dest in &dests {
            if filtered.contains(&dest) {
                continue;
            }
            let below = self.descendants_of(&[dest]);
            let above = self.ancestors_of(&[dest]);
            let heads_above = filtered.iter().any(|&h| below[h]);
            let heads_below = filtered.iter().any(|&h| above[h]);
            if heads_above && heads_below {
                return Err(inconsistent(
                    &rows,
                    dest,
                    "the version table has rows both above and below it".to_owned(),
                ));
            }
            let is_row = |rows: &[usize], x: usize| rows.contains(&x);
            let create = if heads_above {
                false
            } else if heads_below {
                filtered.iter().any(|&h| !is_row(&rows, h))
            } else {
                true
            };
            if create && !is_row(&rows, dest) {
                rows.push(dest);
                continue;
            }
            if !heads_above && !heads_below {
                return Err(inconsistent(&rows, dest, "it is already a row".to_owned()));
            }
            // Merge or move the selected rows onto `dest`.
            for &h in &filtered {
                if !is_row(&rows, h) {
                    return Err(inconsistent(
                        &rows,
                        dest,
                        format!("row `{}` was already replaced", self.id(h)),
                    ));
                }
                rows.retain(|&r| r != h);
            }
            if is_row(&rows, dest) {
                return Err(inconsistent(&rows, dest, "it is already a row".to_owned()));
            }
            rows.push(dest);
        }
        Ok(self.owned_ids(&rows))
    }

    fn current_indices(&self, current: &[RevisionId]) -> Result<Vec<usize>> {
        let mut out = Vec::with_capacity(current.len());
        // A table with many rows would make a scan of `out` quadratic.
        let mut seen = vec![false; if current.len() > 16 { self.len() } else { 0 }];
        for id in current {
            let Some(i) = self.index_of(id.as_str()) else {
                return Err(PlanError::UnknownCurrent { id: id.clone() });
            };
            let duplicate = match seen.get_mut(i) {
                Some(s) => std::mem::replace(s, true),
                None => out.contains(&i),
            };
            if duplicate {
                return Err(PlanError::DuplicateCurrent { id: id.clone() });
            }
            out.push(i);
        }
        Ok(out)
    }

    /// The revisions applied under the version-table rows `cur`; an error when one row is
    /// an ancestor of another, which no run leaves behind.
    fn applied(&self, cur: &[usize]) -> Result<Vec<bool>> {
        self.ancestors_or_overlap(cur)
            .map_err(|(ancestor, descendant)| PlanError::OverlappingCurrent {
                ancestor: self.id(ancestor).clone(),
                descendant: self.id(descendant).clone(),
            })
    }

    /// The ancestors of `set` (itself included), or a pair `(ancestor, descendant)` within
    /// `set` when one member is an ancestor of another. One traversal does both.
    fn ancestors_or_overlap(
        &self,
        set: &[usize],
    ) -> std::result::Result<Vec<bool>, (usize, usize)> {
        let starts: Vec<usize> = set
            .iter()
            .flat_map(|&s| self.down[s].iter().copied())
            .collect();
        let mut seen = self.reach(&starts, &self.down);
        if let Some(&ancestor) = set.iter().find(|&&s| seen[s]) {
            let above = self.descendants_of(&[ancestor]);
            let descendant = set
                .iter()
                .copied()
                .find(|&s| s != ancestor && above[s])
                .unwrap_or(ancestor);
            return Err((ancestor, descendant));
        }
        for &s in set {
            seen[s] = true;
        }
        Ok(seen)
    }

    /// Alembic's `_topological_sort`: `todo` ordered from the top (heads first), walking
    /// one line down as far as possible before switching to the line that still needs the
    /// next revision.
    ///
    /// Alembic keeps the ancestor set of every line head and, when the current line
    /// reaches a revision another line still needs, scans the lines in order for the
    /// first one whose ancestors hold it. Here the same answers come from two pieces of
    /// bookkeeping over the revisions not yet emitted:
    ///
    /// - `pending[x]`, how many of them directly need `x`: another line needs `x` exactly
    ///   when this is not zero (every such revision lies below some line head, and a
    ///   line head below `x` would close a cycle);
    /// - the value of `x`, the smallest number of a line whose head is `x` or lies above
    ///   it. Lines are numbered in creation order, and Alembic only ever appends lines,
    ///   so the smallest number is the first line in list order. The line that needs a
    ///   blocked `x` first is then the smallest value among its pending children.
    ///
    /// Values are kept per chain, not per revision: a chain is a run of revisions each
    /// of which is the only pending parent of the one above and has no other pending
    /// child. A line enters a chain only at its top (a line is created at a parent of a
    /// revision with two or more of them, and chains are cut at the initial heads) and
    /// walks down it, so everything still to do on a chain has the same value: its
    /// current top's line, or the smallest value among the top's pending children.
    ///
    /// Values are kept lazily. Every chain not marked stale holds the smaller of its top's
    /// line and its top's children's values; emitting the last revision of a chain marks
    /// the chains below it stale, and before each question only the stale chains ranked
    /// above the blocked revision are recomputed (`refresh`). A line walking down a chain
    /// changes no value and marks nothing.
    ///
    /// The unit tests below check the result against a literal transcription of
    /// Alembic's algorithm on many generated histories.
    pub(crate) fn topo_sort(&self, mut todo: Vec<bool>, heads: &[usize]) -> Vec<usize> {
        let n = self.len();
        let mut pending = vec![0u32; n];
        let mut remaining = 0;
        for x in (0..n).filter(|&x| todo[x]) {
            remaining += 1;
            for &d in &self.down[x] {
                if todo[d] {
                    pending[d] += 1;
                }
            }
        }
        let mut initial: Vec<usize> = heads.iter().copied().filter(|&h| todo[h]).collect();
        initial.sort_unstable();
        initial.dedup();
        // Lines by number: their heads, and their neighbours in Alembic's list (lines are
        // only ever appended, and removed from anywhere).
        let mut head: Vec<usize> = initial;
        let count = head.len() as u32;
        let mut prev: Vec<u32> = (0..count)
            .map(|l| l.checked_sub(1).unwrap_or(NONE))
            .collect();
        let mut next: Vec<u32> = (1..=count)
            .map(|l| if l < count { l } else { NONE })
            .collect();
        let mut last = count.checked_sub(1).unwrap_or(NONE);
        let mut alive = head.len();
        // The line whose head a revision is.
        let mut line_at = vec![NONE; n];
        for (l, &h) in head.iter().enumerate() {
            line_at[h] = l as u32;
        }
        let mut chains = Chains::new(self, &todo, &line_at);
        // Chains whose value may be out of date, by the topological rank of their top.
        let mut stale = RankSet::new(n);
        let mut out = Vec::with_capacity(remaining);
        let mut at: u32 = if alive > 0 { 0 } else { NONE };
        while alive > 0 {
            let candidate = head[at as usize];
            if pending[candidate] > 0 {
                self.refresh(
                    &mut stale,
                    self.rank[candidate],
                    &todo,
                    &line_at,
                    &mut chains,
                );
                at = self.up[candidate]
                    .iter()
                    .filter(|&&z| todo[z])
                    .map(|&z| chains.value(z))
                    .min()
                    .unwrap_or(NONE);
                debug_assert!(at != NONE, "a blocked revision is needed by another line");
                continue;
            }
            if todo[candidate] {
                out.push(candidate);
                todo[candidate] = false;
                for &d in &self.down[candidate] {
                    if todo[d] {
                        pending[d] -= 1;
                    }
                }
            }
            line_at[candidate] = NONE;
            let line = at;
            let chain = chains.of[candidate];
            let below = chains.next[candidate];
            let mut moved_to = None;
            if below != NONE {
                // Down the chain: the line keeps the chain's value.
                let d = below as usize;
                head[line as usize] = d;
                line_at[d] = line;
                chains.top[chain as usize] = below;
                moved_to = Some(d);
            } else {
                chains.top[chain as usize] = NONE;
                for &d in &self.down[candidate] {
                    if !todo[d] || line_at[d] != NONE {
                        continue;
                    }
                    if moved_to.is_none() {
                        head[line as usize] = d;
                        line_at[d] = line;
                        moved_to = Some(d);
                    } else {
                        let l = head.len() as u32;
                        head.push(d);
                        prev.push(last);
                        next.push(NONE);
                        if last != NONE {
                            next[last as usize] = l;
                        }
                        last = l;
                        alive += 1;
                        line_at[d] = l;
                    }
                }
                // The chains below lost a pending child and may have gained a line. The
                // one the line moved to keeps its value (the line now sits on it instead
                // of above it) unless the emitted chain's own value was out of date.
                let was_stale =
                    stale.contains(self.rank[chains.start[chain as usize] as usize] as usize);
                for &d in &self.down[candidate] {
                    if todo[d] && (was_stale || Some(d) != moved_to) {
                        stale.insert(self.rank[d] as usize);
                    }
                }
            }
            if moved_to.is_none() {
                let (p, q) = (prev[line as usize], next[line as usize]);
                if p != NONE {
                    next[p as usize] = q;
                }
                if q != NONE {
                    prev[q as usize] = p;
                } else {
                    last = p;
                }
                alive -= 1;
                // Alembic steps back to the previous line, or stays at the front.
                at = if p != NONE { p } else { q };
            }
        }
        out
    }

    /// Brings every chain ranked above `floor` up to date, which is all a revision of that
    /// rank needs from its children. Stale chains are recomputed highest rank first, so
    /// each one reads final values from the chains above it, and a change is passed down
    /// only to the chains whose value came from the old one. Lower chains stay stale
    /// until a later question reaches them, by which time a line has often walked
    /// through them and they need no work at all.
    fn refresh(
        &self,
        stale: &mut RankSet,
        floor: u32,
        todo: &[bool],
        line_at: &[u32],
        chains: &mut Chains,
    ) {
        while let Some(r) = stale.pop_last_above(floor as usize) {
            let start = self.topo[r];
            let chain = chains.of[start] as usize;
            let top = chains.top[chain];
            if top == NONE {
                continue;
            }
            let top = top as usize;
            let now = self.up[top]
                .iter()
                .filter(|&&z| todo[z])
                .map(|&z| chains.value(z))
                .fold(line_at[top], u32::min);
            let old = chains.value[chain];
            if now == old {
                continue;
            }
            chains.value[chain] = now;
            let bottom = chains.bottom[chain] as usize;
            for &d in &self.down[bottom] {
                if todo[d] && chains.value(d) == old {
                    stale.insert(self.rank[d] as usize);
                }
            }
        }
    }
}

/// The chains of [`Graph::topo_sort`]: runs of revisions to do, each the only pending
/// parent of the one above it, which has no other pending child.
struct Chains {
    /// The chain of each revision to do.
    of: Vec<u32>,
    /// The next revision down the chain, or `NONE` at its bottom.
    next: Vec<u32>,
    /// Per chain: its first revision, its last, its first revision not yet emitted (or
    /// `NONE`), and the value shared by everything still to do on it.
    start: Vec<u32>,
    bottom: Vec<u32>,
    top: Vec<u32>,
    value: Vec<u32>,
}

impl Chains {
    fn new(g: &Graph, todo: &[bool], line_at: &[u32]) -> Self {
        let n = g.len();
        let mut chains = Chains {
            of: vec![NONE; n],
            next: vec![NONE; n],
            start: Vec::new(),
            bottom: Vec::new(),
            top: Vec::new(),
            value: Vec::new(),
        };
        // From the top, so that a revision's children are placed before it.
        for &y in g.topo.iter().rev() {
            if !todo[y] {
                continue;
            }
            // The single pending child `z` continues its chain into `y` when `y` is its
            // only pending parent and no line starts at `y`.
            let mut children = g.up[y].iter().filter(|&&z| todo[z]);
            let only = match (children.next(), children.next()) {
                (Some(&z), None) => Some(z),
                _ => None,
            };
            let joins = only.filter(|&z| {
                line_at[y] == NONE && g.down[z].iter().filter(|&&d| todo[d]).count() == 1
            });
            match joins {
                Some(z) => {
                    let c = chains.of[z];
                    chains.of[y] = c;
                    chains.next[z] = y as u32;
                    chains.bottom[c as usize] = y as u32;
                }
                None => {
                    let value = g.up[y]
                        .iter()
                        .filter(|&&z| todo[z])
                        .map(|&z| chains.value(z))
                        .fold(line_at[y], u32::min);
                    chains.of[y] = chains.start.len() as u32;
                    chains.start.push(y as u32);
                    chains.bottom.push(y as u32);
                    chains.top.push(y as u32);
                    chains.value.push(value);
                }
            }
        }
        chains
    }

    /// The value of a revision still to do.
    fn value(&self, x: usize) -> u32 {
        self.value[self.of[x] as usize]
    }
}

/// A set of numbers below a fixed bound with cheap insertion and removal of the largest:
/// a bitmap, one summary bit per non-empty bitmap word, and one summary bit per non-empty
/// summary word (a handful of words even for millions of numbers, scanned from the end).
struct RankSet {
    leaves: Vec<u64>,
    middle: Vec<u64>,
    top: Vec<u64>,
}

impl RankSet {
    fn new(bound: usize) -> Self {
        let leaves = bound.div_ceil(64).max(1);
        let middle = leaves.div_ceil(64);
        RankSet {
            leaves: vec![0; leaves],
            middle: vec![0; middle],
            top: vec![0; middle.div_ceil(64)],
        }
    }

    fn insert(&mut self, x: usize) {
        let (leaf, middle) = (x / 64, x / 4096);
        let was = self.leaves[leaf];
        self.leaves[leaf] = was | 1 << (x % 64);
        if was == 0 {
            let was = self.middle[middle];
            self.middle[middle] = was | 1 << (leaf % 64);
            if was == 0 {
                self.top[middle / 64] |= 1 << (middle % 64);
            }
        }
    }

    fn contains(&self, x: usize) -> bool {
        self.leaves[x / 64] & 1 << (x % 64) != 0
    }

    /// Removes and returns the largest member if it is above `floor`.
    fn pop_last_above(&mut self, floor: usize) -> Option<usize> {
        let t = self.top.iter().rposition(|&w| w != 0)?;
        let middle = t * 64 + highest(self.top[t]);
        let leaf = middle * 64 + highest(self.middle[middle]);
        let x = leaf * 64 + highest(self.leaves[leaf]);
        if x <= floor {
            return None;
        }
        self.leaves[leaf] &= !(1 << (x % 64));
        if self.leaves[leaf] == 0 {
            self.middle[middle] &= !(1 << (leaf % 64));
            if self.middle[middle] == 0 {
                self.top[t] &= !(1 << (middle % 64));
            }
        }
        Some(x)
    }
}

/// The position of the highest set bit of a non-zero word.
fn highest(word: u64) -> usize {
    63 - word.leading_zeros() as usize
}

/// The end of a chain of version-table slots in [`Plan::versions_after`].
const END: usize = usize::MAX;

/// No line (in `first` and `line_at` of [`Graph::topo_sort`]).
const NONE: u32 = u32::MAX;

/// Reusable visited marks for repeated searches.
struct Search {
    mark: Vec<u32>,
    round: u32,
}

impl Search {
    fn new(n: usize) -> Self {
        Self {
            mark: vec![0; n],
            round: 0,
        }
    }

    fn begin(&mut self) {
        self.round += 1;
    }

    /// Marks `x`; false if it was already marked in this round.
    fn visit(&mut self, x: usize) -> bool {
        if self.mark[x] == self.round {
            false
        } else {
            self.mark[x] = self.round;
            true
        }
    }
}

/// The version table during planning, with the applied set and, for each revision, the
/// number of applied revisions directly needing it. Together they answer Alembic's
/// "is this an ancestor of another row" questions by searching only applied revisions.
struct Table<'g> {
    graph: &'g Graph,
    row: Vec<bool>,
    rows: usize,
    applied: Vec<bool>,
    applied_children: Vec<u32>,
    search: Search,
    /// Scratch buffers reused across steps.
    delete: Vec<usize>,
    insert: Vec<usize>,
    stack: Vec<usize>,
}

impl<'g> Table<'g> {
    fn new(graph: &'g Graph, current: &[usize], applied: Vec<bool>) -> Self {
        let n = graph.len();
        let mut row = vec![false; n];
        for &c in current {
            row[c] = true;
        }
        let mut applied_children = vec![0u32; n];
        for x in (0..n).filter(|&x| applied[x]) {
            for &d in &graph.down[x] {
                applied_children[d] += 1;
            }
        }
        Table {
            graph,
            row,
            rows: current.len(),
            applied,
            applied_children,
            search: Search::new(n),
            delete: Vec::new(),
            insert: Vec::new(),
            stack: Vec::new(),
        }
    }

    fn run(mut self, order: &[usize], direction: Direction) -> Result<Plan> {
        let mut steps = Vec::with_capacity(order.len());
        for &r in order {
            self.delete.clear();
            self.insert.clear();
            match direction {
                Direction::Up => self.upgrade(r)?,
                Direction::Down => self.downgrade(r)?,
            }
            for &d in &self.delete {
                self.row[d] = false;
            }
            for &i in &self.insert {
                self.row[i] = true;
            }
            self.rows = self.rows + self.insert.len() - self.delete.len();
            let g = self.graph;
            steps.push(Step {
                revision: g.id(r).clone(),
                direction,
                delta: Delta::new(
                    self.delete.iter().map(|&d| g.id(d).clone()),
                    self.insert.iter().map(|&i| g.id(i).clone()),
                ),
            });
        }
        Ok(Plan { steps })
    }

    fn error(&self, revision: usize, direction: Direction, reason: String) -> PlanError {
        let rows: Vec<usize> = (0..self.graph.len()).filter(|&i| self.row[i]).collect();
        PlanError::Inconsistent {
            revision: self.graph.id(revision).clone(),
            direction: match direction {
                Direction::Up => "upgrade",
                Direction::Down => "downgrade",
            },
            current: self.graph.owned_ids(&rows),
            reason,
        }
    }

    /// `HeadMaintainer.update_to_step` for an upgrade of `r`: insert a new branch, merge
    /// rows, or move one row up.
    fn upgrade(&mut self, r: usize) -> Result<()> {
        let g = self.graph;
        let down = &g.down[r];
        if self.row[r] {
            return Err(self.error(r, Direction::Up, "it is already a row".to_owned()));
        }
        if let Some(&missing) = down.iter().find(|&&d| !self.applied[d]) {
            return Err(self.error(
                r,
                Direction::Up,
                format!("`{}` is not applied", g.id(missing)),
            ));
        }
        let present = down.iter().filter(|&&d| self.row[d]).count();
        if down.len() > 1 && present > 1 {
            let from: Vec<usize> = if self.rows > present {
                down.iter()
                    .copied()
                    .filter(|&d| !self.below_other_row(d, down))
                    .collect()
            } else {
                down.to_vec()
            };
            if let Some(&gone) = from.iter().find(|&&d| !self.row[d]) {
                return Err(self.error(
                    r,
                    Direction::Up,
                    format!(
                        "merging needs row `{}`, which is not in the table",
                        g.id(gone)
                    ),
                ));
            }
            if from.is_empty() {
                return Err(self.error(r, Direction::Up, "no row to merge".to_owned()));
            }
            self.delete.extend(from);
        } else {
            // A new branch (no parent row) or one row moving up.
            self.delete
                .extend(down.iter().copied().filter(|&d| self.row[d]));
        }
        self.insert.push(r);
        self.applied[r] = true;
        for &d in down {
            self.applied_children[d] += 1;
        }
        Ok(())
    }

    /// `HeadMaintainer.update_to_step` for a downgrade of `r`: delete a branch, split a
    /// merge into rows, or move one row down.
    fn downgrade(&mut self, r: usize) -> Result<()> {
        let g = self.graph;
        let down = &g.down[r];
        if !self.row[r] {
            return Err(self.error(r, Direction::Down, "it is not a row".to_owned()));
        }
        if self.applied_children[r] != 0 {
            return Err(self.error(
                r,
                Direction::Down,
                "a revision needing it is still applied".to_owned(),
            ));
        }
        if !down.is_empty() {
            // `insert` is empty at the start of a step: the rows to insert go straight in.
            for &d in down {
                let stays = if self.rows > 1 {
                    !self.below_other_row_than(d, r)
                } else {
                    !down.iter().any(|&t| t != d && self.strictly_below(d, t))
                };
                if stays {
                    self.insert.push(d);
                }
            }
            if let Some(&dup) = self.insert.iter().find(|&&t| self.row[t]) {
                return Err(self.error(
                    r,
                    Direction::Down,
                    format!("`{}` is already a row", g.id(dup)),
                ));
            }
        }
        self.delete.push(r);
        self.applied[r] = false;
        for &d in down {
            self.applied_children[d] -= 1;
        }
        Ok(())
    }

    /// Whether `x` is (inclusively) an ancestor of a row not in `excluded`. Every ancestor
    /// of a row is applied, so the search climbs through applied revisions only.
    fn below_other_row(&mut self, x: usize, excluded: &[usize]) -> bool {
        let g = self.graph;
        let hit = |t: &Self, y: usize| t.row[y] && !excluded.contains(&y);
        if hit(self, x) {
            return true;
        }
        self.search.begin();
        self.search.visit(x);
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        stack.push(x);
        let mut found = false;
        'climb: while let Some(y) = stack.pop() {
            for &c in &g.up[y] {
                if self.applied[c] && self.search.visit(c) {
                    if hit(self, c) {
                        found = true;
                        break 'climb;
                    }
                    stack.push(c);
                }
            }
        }
        self.stack = stack;
        found
    }

    /// `below_other_row(d, &[r])` for a parent `d` of the revision `r` being downgraded,
    /// which no applied revision needs any more, answered from `d`'s applied children in
    /// most cases instead of climbing to the rows.
    ///
    /// Every applied revision lies below a row (the table starts as the ancestors of its
    /// rows, and each downgrade step keeps it so), and a row reached from a child `y` can
    /// only be `r` if `y` is a strict ancestor of `r`, which needs a lower level. So `d`
    /// is below another row as soon as one applied child other than `r` is not lower
    /// than `r`; with no applied child but `r` (which has none), it is below none.
    fn below_other_row_than(&mut self, d: usize, r: usize) -> bool {
        let g = self.graph;
        if self.row[d] {
            return true;
        }
        if self.applied_children[d] <= 1 {
            // `r` is applied and needs `d`: it is the only one.
            return false;
        }
        let floor = g.level[r];
        if g.up[d]
            .iter()
            .any(|&y| y != r && self.applied[y] && g.level[y] >= floor)
        {
            return true;
        }
        self.below_other_row(d, &[r])
    }

    /// Whether `x` is a strict ancestor of `t`.
    fn strictly_below(&mut self, x: usize, t: usize) -> bool {
        let g = self.graph;
        let floor = g.level[x];
        self.search.begin();
        let mut stack = vec![t];
        while let Some(y) = stack.pop() {
            for &d in &g.down[y] {
                if d == x {
                    return true;
                }
                if g.level[d] > floor && self.search.visit(d) {
                    stack.push(d);
                }
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{History, Shape};

    /// Alembic's `_topological_sort` as written: an ancestor set per line head, and a
    /// scan of the lines in order whenever the current line may have to wait.
    fn alembic_topo_sort(g: &Graph, todo: &[bool], heads: &[usize]) -> Vec<usize> {
        let mut todo = todo.to_vec();
        let ancestors = |h: usize| g.reach(&[h], &g.down);
        let mut lines: Vec<usize> = heads.iter().copied().filter(|&h| todo[h]).collect();
        lines.sort_unstable();
        lines.dedup();
        let mut sets: Vec<Vec<bool>> = lines.iter().map(|&h| ancestors(h)).collect();
        let mut out = Vec::new();
        let mut at = 0;
        while !lines.is_empty() {
            let candidate = lines[at];
            if let Some(j) = (0..lines.len()).find(|&j| j != at && sets[j][candidate]) {
                at = j;
                continue;
            }
            if todo[candidate] {
                out.push(candidate);
                todo[candidate] = false;
            }
            let add: Vec<usize> = g.down[candidate]
                .iter()
                .copied()
                .filter(|&d| todo[d] && !lines.contains(&d))
                .collect();
            if add.is_empty() {
                lines.remove(at);
                sets.remove(at);
                at = at.saturating_sub(1);
            } else {
                lines[at] = add[0];
                sets[at] = ancestors(add[0]);
                for &r in &add[1..] {
                    lines.push(r);
                    sets.push(ancestors(r));
                }
            }
        }
        out
    }

    #[test]
    fn a_step_hands_out_its_rows_whatever_their_number() {
        let id = |s: &str| RevisionId::new(s).unwrap();
        let ids = |list: &[&str]| list.iter().map(|s| id(s)).collect::<Vec<_>>();
        for (del, ins) in [
            (&[][..], &[][..]),
            (&["a"], &[]),
            (&[], &["b"]),
            (&["a"], &["b"]),
            (&["a", "b"], &["c"]),
            (&["a"], &["b", "c"]),
        ] {
            let step = Step::new(id("x"), Direction::Up, ids(del), ids(ins));
            assert_eq!(step.delete_versions(), ids(del));
            assert_eq!(step.insert_versions(), ids(ins));
            assert_eq!(step, step.clone());
            let debug = format!("{step:?}");
            assert!(
                debug.contains(&format!("delete_versions: {:?}", ids(del))),
                "{debug}"
            );
        }
        assert_ne!(
            Step::new(id("x"), Direction::Up, ids(&["a"]), ids(&["b"])),
            Step::new(id("x"), Direction::Up, ids(&["b"]), ids(&["a"]))
        );
    }

    #[test]
    fn the_planner_builds_the_same_steps_as_step_new() {
        let rev = |s: &str, parents: &[&str]| {
            let mut r = crate::Revision::root(RevisionId::new(s).unwrap());
            r.down_revisions = parents
                .iter()
                .map(|p| RevisionId::new(p).unwrap())
                .collect();
            r
        };
        let graph = Graph::new(vec![
            rev("a", &[]),
            rev("b", &["a"]),
            rev("c", &["a"]),
            rev("m", &["b", "c"]),
        ])
        .unwrap();
        let plan = graph.plan_upgrade(&[], "heads").unwrap();
        let merge = plan.steps.last().unwrap();
        let id = |s: &str| RevisionId::new(s).unwrap();
        let mut parents = merge.delete_versions().to_vec();
        parents.sort();
        assert_eq!(parents, [id("b"), id("c")]);
        assert_eq!(
            *merge,
            Step::new(
                id("m"),
                Direction::Up,
                merge.delete_versions().to_vec(),
                vec![id("m")]
            )
        );
        assert_eq!(
            plan.steps[0],
            Step::new(id("a"), Direction::Up, vec![], vec![id("a")])
        );
    }

    #[test]
    fn versions_after_matches_removing_rows_by_id() {
        let id = |s: &str| RevisionId::new(s).unwrap();
        let step = |del: &[&str], ins: &[&str]| {
            Step::new(
                id("x"),
                Direction::Up,
                del.iter().map(|s| id(s)).collect(),
                ins.iter().map(|s| id(s)).collect(),
            )
        };
        let plan = Plan {
            steps: vec![
                step(&["a"], &["b"]),
                step(&["zz"], &["a", "c"]),
                step(&["b", "c"], &["d"]),
                step(&[], &["a"]),
            ],
        };
        let current = [id("a"), id("e"), id("a"), id("f")];
        // The definition, quadratic: each step removes every matching row, then appends.
        let mut expected = current.to_vec();
        for s in &plan.steps {
            expected.retain(|r| !s.delete_versions().contains(r));
            expected.extend(s.insert_versions().iter().cloned());
        }
        assert_eq!(plan.versions_after(&current), expected);
        assert_eq!(
            plan.versions_after(&current),
            [id("e"), id("f"), id("a"), id("d"), id("a")]
        );
    }

    #[test]
    fn topological_sort_matches_alembic_on_generated_histories() {
        let mut compared = 0;
        for seed in 0..24 {
            let shape = if seed % 4 == 3 {
                Shape::chain(200)
            } else {
                Shape::branchy(300 + 50 * seed as usize)
            };
            let g = Graph::new(History::new(shape, seed).generate()).unwrap();
            compared += compare_with_alembic(&g, seed, 12);
        }
        assert_eq!(compared, 24 * 12 * 2);
    }

    /// A property test over history shapes: for each seed, a shape with its own rates of
    /// forks, merges, bases and dependencies and its own limit on open heads, then upgrade
    /// and downgrade sets from that seed's targets and rows.
    #[test]
    fn topological_sort_matches_alembic_on_random_shapes() {
        let mut compared = 0;
        for seed in 0..400u64 {
            let mut rng = seed.wrapping_mul(0x2545_f491_4f6c_dd1d) ^ 0x9e37_79b9;
            let mut roll = |below: u64| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                (rng % below) as u32
            };
            let shape = Shape {
                revisions: 2 + roll(250) as usize,
                branch_percent: roll(30),
                merge_percent: roll(25),
                root_percent: roll(6),
                depends_percent: roll(15),
                label_percent: roll(60),
                max_heads: 1 + roll(12) as usize,
            };
            let g = Graph::new(History::new(shape.clone(), seed).generate())
                .unwrap_or_else(|e| panic!("{shape:?}, seed {seed}: {e}"));
            compared += compare_with_alembic(&g, seed, 6);
        }
        assert_eq!(compared, 400 * 6 * 2);
    }

    /// Compares `topo_sort` with the transcription on `rounds` upgrade and as many
    /// downgrade sets of `g` picked from `seed`; returns the number of comparisons.
    fn compare_with_alembic(g: &Graph, seed: u64, rounds: u64) -> usize {
        let mut compared = 0;
        let n = g.len();
        let pick = |k: u64| (k.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 33) as usize % n;
        for round in 0..rounds {
            let k = seed * 100 + round;
            let targets = [pick(k), pick(k + 7), pick(k + 13)];
            let targets = &targets[..1 + round as usize % 3];
            let current = [pick(k + 3), pick(k + 5)];
            let current = &current[..round as usize % 3];
            // Upgrade: what the targets need and the current rows do not have.
            let applied = g.ancestors_of(current);
            let up: Vec<bool> = g
                .ancestors_of(targets)
                .iter()
                .zip(&applied)
                .map(|(&r, &a)| r && !a)
                .collect();
            assert_eq!(
                g.topo_sort(up.clone(), targets),
                alembic_topo_sort(g, &up, targets),
                "upgrade, seed {seed}, round {round}"
            );
            // Downgrade: what the rows hold above the roots.
            let rows: Vec<usize> = if round % 2 == 0 {
                g.real_heads_idx().to_vec()
            } else {
                targets.to_vec()
            };
            let applied = g.ancestors_of(&rows);
            let roots = if round % 3 == 0 {
                g.bases_idx().to_vec()
            } else {
                g.children[pick(k + 11)].to_vec()
            };
            let down: Vec<bool> = g
                .descendants_of(&roots)
                .iter()
                .zip(&applied)
                .map(|(&d, &a)| d && a)
                .collect();
            assert_eq!(
                g.topo_sort(down.clone(), &rows),
                alembic_topo_sort(g, &down, &rows),
                "downgrade, seed {seed}, round {round}"
            );
            compared += 2;
        }
        compared
    }
}
