//! The validated, indexed revision graph: heads, bases, branch and merge points,
//! ancestry and a deterministic topological order.
//!
//! Internally every revision is an index into the declaration order; all traversals are
//! iterative so that histories of any depth are safe.

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::OnceLock;

use crate::check::{Analysis, analyse};
use crate::error::GraphErrors;
use crate::{Revision, RevisionId};

/// An immutable, validated revision graph.
///
/// Build it once with [`Graph::new`]; every query and plan afterwards is pure.
///
/// ```
/// use migrate_core::{Graph, Revision, RevisionId};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let a = Revision::root(RevisionId::new("a1")?);
/// let mut b = Revision::root(RevisionId::new("b2")?);
/// b.down_revisions.push(a.id.clone());
/// let graph = Graph::new(vec![a, b])?;
/// assert_eq!(graph.heads(), vec!["b2"]);
/// let plan = graph.plan_upgrade(&[], "head")?;
/// assert_eq!(plan.steps.len(), 2);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Graph {
    revisions: Vec<Revision>,
    index: IdIndex,
    labels: HashMap<String, usize>,
    /// Every id and label, sorted, for prefix lookups: `(revision, label position)`, the
    /// position being `NO_LABEL` for the id itself.
    /// Built on the first prefix lookup: most targets are exact ids, labels or keywords.
    keys: OnceLock<Vec<(u32, u32)>>,
    /// Versioned parents (`revises`).
    pub(crate) parents: Adjacency,
    /// Versioned children.
    pub(crate) children: Adjacency,
    /// Parents followed by the dependencies not already implied by an ancestor's
    /// dependencies (Alembic's `_normalized_down_revisions`).
    pub(crate) down: Adjacency,
    /// Reverse of `down`, ascending.
    pub(crate) up: Adjacency,
    /// Longest path from a base along `down`: an ancestor always has a smaller level.
    pub(crate) level: Vec<u32>,
    heads: Vec<usize>,
    real_heads: Vec<usize>,
    bases: Vec<usize>,
    pub(crate) topo: Vec<usize>,
    /// Position of each revision in `topo`.
    pub(crate) rank: Vec<u32>,
}

impl Graph {
    /// Validates `revisions` with [`check`](crate::check) and indexes them. Linear in the number of
    /// revisions and references (plus the dependency normalisation, proportional to the
    /// number of dependencies at merge points and dependants).
    pub fn new(revisions: Vec<Revision>) -> Result<Graph, GraphErrors> {
        let Analysis {
            errors,
            index,
            parents,
            deps,
        } = analyse(&revisions);
        if !errors.is_empty() {
            return Err(GraphErrors::new(errors, &revisions));
        }
        let n = revisions.len();
        let mut labels = HashMap::new();
        for (i, r) in revisions.iter().enumerate() {
            for label in &r.branch_labels {
                labels.insert(label.clone(), i);
            }
        }

        // Without errors, every reference resolved: `parents` and `deps` are complete.
        let children = parents.reversed();
        let topo = kahn(&parents, &deps);
        let down = normalize(&topo, &parents, &deps);
        let up = down.reversed();
        let mut level = vec![0u32; n];
        for &i in &topo {
            level[i] = down[i].iter().map(|&d| level[d] + 1).max().unwrap_or(0);
        }
        let mut rank = vec![0u32; n];
        for (r, &x) in topo.iter().enumerate() {
            rank[x] = r as u32;
        }

        let heads = (0..n).filter(|&i| children[i].is_empty()).collect();
        let real_heads = (0..n).filter(|&i| up[i].is_empty()).collect();
        let bases = (0..n).filter(|&i| parents[i].is_empty()).collect();
        Ok(Graph {
            revisions,
            index,
            labels,
            keys: OnceLock::new(),
            parents,
            children,
            down,
            up,
            level,
            heads,
            real_heads,
            bases,
            topo,
            rank,
        })
    }

    /// The revisions, in the order given to [`Graph::new`].
    pub fn revisions(&self) -> &[Revision] {
        &self.revisions
    }

    /// The revision with exactly this id.
    pub fn get(&self, id: &str) -> Option<&Revision> {
        self.index_of(id).map(|i| &self.revisions[i])
    }

    /// The position of the revision with exactly this id in [`Graph::revisions`].
    pub fn position(&self, id: &str) -> Option<usize> {
        self.index_of(id)
    }

    /// The number of revisions.
    pub fn len(&self) -> usize {
        self.revisions.len()
    }

    /// Whether the graph has no revisions.
    pub fn is_empty(&self) -> bool {
        self.revisions.is_empty()
    }

    /// Revisions that no other revision `revises`, in declaration order. A revision that
    /// another one only `depends_on` is still a head (as in Alembic's `heads`).
    pub fn heads(&self) -> Vec<&RevisionId> {
        self.ids(&self.heads)
    }

    /// Heads that no revision depends on either: what `heads` upgrades to.
    pub fn real_heads(&self) -> Vec<&RevisionId> {
        self.ids(&self.real_heads)
    }

    /// Revisions without parents, in declaration order (they may still have dependencies).
    pub fn bases(&self) -> Vec<&RevisionId> {
        self.ids(&self.bases)
    }

    /// Whether more than one revision `revises` this one.
    pub fn is_branch_point(&self, id: &str) -> bool {
        self.index_of(id)
            .is_some_and(|i| self.children[i].len() > 1)
    }

    /// Whether this revision `revises` more than one revision.
    pub fn is_merge_point(&self, id: &str) -> bool {
        self.index_of(id).is_some_and(|i| self.parents[i].len() > 1)
    }

    /// The revisions that `revise` this one, in declaration order.
    pub fn children(&self, id: &str) -> Vec<&RevisionId> {
        self.index_of(id)
            .map_or_else(Vec::new, |i| self.ids(&self.children[i]))
    }

    /// The revision carrying a branch label.
    pub fn labelled(&self, label: &str) -> Option<&RevisionId> {
        self.labels.get(label).map(|&i| &self.revisions[i].id)
    }

    /// Every revision, parents and dependencies before their dependants, bases first.
    /// Ties are broken by declaration order, so the result is deterministic.
    pub fn topological(&self) -> Vec<&RevisionId> {
        self.ids(&self.topo)
    }

    /// Every revision that must be applied before `id` (parents and dependencies,
    /// transitively), in topological order. Empty for an unknown id.
    pub fn ancestors(&self, id: &str) -> Vec<&RevisionId> {
        let Some(i) = self.index_of(id) else {
            return Vec::new();
        };
        let mut seen = self.reach(&self.down[i], &self.down);
        seen[i] = false;
        self.in_topological_order(&seen)
    }

    /// Every revision that needs `id` (children and dependants, transitively), in
    /// topological order. Empty for an unknown id.
    pub fn descendants(&self, id: &str) -> Vec<&RevisionId> {
        let Some(i) = self.index_of(id) else {
            return Vec::new();
        };
        let mut seen = self.reach(&self.up[i], &self.up);
        seen[i] = false;
        self.in_topological_order(&seen)
    }

    /// Whether `ancestor` must be applied before `descendant` (strictly).
    pub fn is_ancestor(&self, ancestor: &str, descendant: &str) -> bool {
        match (self.index_of(ancestor), self.index_of(descendant)) {
            (Some(a), Some(d)) => a != d && self.reach(&self.down[d], &self.down)[a],
            _ => false,
        }
    }

    /// The revisions from `lower` up to `upper`, both ends included, in topological order:
    /// those that are one of `upper` or an ancestor of one, and one of `lower` or a
    /// descendant of one (`history -r LOWER:UPPER`). An empty `lower` starts at the bases;
    /// unknown ids are ignored.
    pub fn between(&self, lower: &[RevisionId], upper: &[RevisionId]) -> Vec<&RevisionId> {
        let indices = |ids: &[RevisionId]| -> Vec<usize> {
            ids.iter()
                .filter_map(|id| self.index_of(id.as_str()))
                .collect()
        };
        let mut set = self.ancestors_of(&indices(upper));
        if !lower.is_empty() {
            for (s, d) in set.iter_mut().zip(self.descendants_of(&indices(lower))) {
                *s &= d;
            }
        }
        self.in_topological_order(&set)
    }

    fn in_topological_order(&self, set: &[bool]) -> Vec<&RevisionId> {
        self.topo
            .iter()
            .filter(|&&i| set[i])
            .map(|&i| &self.revisions[i].id)
            .collect()
    }

    pub(crate) fn ids(&self, idx: &[usize]) -> Vec<&RevisionId> {
        idx.iter().map(|&i| &self.revisions[i].id).collect()
    }

    pub(crate) fn owned_ids(&self, idx: &[usize]) -> Vec<RevisionId> {
        idx.iter().map(|&i| self.revisions[i].id.clone()).collect()
    }

    pub(crate) fn id(&self, i: usize) -> &RevisionId {
        &self.revisions[i].id
    }

    pub(crate) fn index_of(&self, id: &str) -> Option<usize> {
        self.index.get(&self.revisions, id)
    }

    /// Exact lookup of an id or a branch label (Alembic keeps both in one map).
    pub(crate) fn exact(&self, key: &str) -> Option<usize> {
        self.index_of(key).or_else(|| self.labels.get(key).copied())
    }

    /// Ids and labels longer than three characters that start with `prefix`, in key order
    /// (Alembic never prefix-matches keys of three characters or fewer).
    pub(crate) fn prefixed(&self, prefix: &str) -> Vec<(&str, usize)> {
        let keys = self.keys.get_or_init(|| {
            let mut keys: Vec<(u32, u32)> = Vec::with_capacity(self.revisions.len());
            for (i, r) in self.revisions.iter().enumerate() {
                keys.push((i as u32, NO_LABEL));
                keys.extend((0..r.branch_labels.len()).map(|k| (i as u32, k as u32)));
            }
            keys.sort_unstable_by(|a, b| {
                key_str(&self.revisions, *a).cmp(key_str(&self.revisions, *b))
            });
            keys
        });
        let key = |k: &(u32, u32)| key_str(&self.revisions, *k);
        let start = keys.partition_point(|k| key(k) < prefix);
        keys[start..]
            .iter()
            .map(|k| (key(k), k.0 as usize))
            .take_while(|(k, _)| k.starts_with(prefix))
            .filter(|(k, _)| k.len() > 3)
            .collect()
    }

    pub(crate) fn heads_idx(&self) -> &[usize] {
        &self.heads
    }

    pub(crate) fn real_heads_idx(&self) -> &[usize] {
        &self.real_heads
    }

    pub(crate) fn bases_idx(&self) -> &[usize] {
        &self.bases
    }

    /// Everything reachable from `starts` along `edges`, the starts included.
    pub(crate) fn reach(&self, starts: &[usize], edges: &Adjacency) -> Vec<bool> {
        let mut seen = vec![false; self.revisions.len()];
        let mut stack: Vec<usize> = Vec::new();
        for &s in starts {
            if !seen[s] {
                seen[s] = true;
                stack.push(s);
            }
        }
        while let Some(x) = stack.pop() {
            for &y in &edges[x] {
                if !seen[y] {
                    seen[y] = true;
                    stack.push(y);
                }
            }
        }
        seen
    }

    /// Ancestors (with dependencies) of `starts`, the starts included.
    pub(crate) fn ancestors_of(&self, starts: &[usize]) -> Vec<bool> {
        self.reach(starts, &self.down)
    }

    /// Descendants (with dependants) of `starts`, the starts included.
    pub(crate) fn descendants_of(&self, starts: &[usize]) -> Vec<bool> {
        self.reach(starts, &self.up)
    }

    /// Revisions sharing a line with any of `against`: their ancestors and descendants,
    /// along `revises` only or also along `depends_on` (Alembic's `_shares_lineage`).
    pub(crate) fn lineage(&self, against: &[usize], with_deps: bool) -> Vec<bool> {
        let (downs, ups) = if with_deps {
            (&self.down, &self.up)
        } else {
            (&self.parents, &self.children)
        };
        let mut set = self.reach(against, downs);
        for (s, d) in set.iter_mut().zip(self.reach(against, ups)) {
            *s |= d;
        }
        set
    }
}

/// Kahn's algorithm over parents and dependencies, seeded in declaration order: a
/// deterministic topological order, bases first.
fn kahn(parents: &Adjacency, deps: &Adjacency) -> Vec<usize> {
    let n = parents.len();
    let mut waiting: Vec<usize> = (0..n).map(|i| parents[i].len() + deps[i].len()).collect();
    let dependants = Adjacency::from_fn(n, |_, _| {}).merged_reverse(parents, deps);
    let mut order: Vec<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
    let mut next = 0;
    while next < order.len() {
        let x = order[next];
        next += 1;
        for &c in &dependants[x] {
            waiting[c] -= 1;
            if waiting[c] == 0 {
                order.push(c);
            }
        }
    }
    debug_assert_eq!(order.len(), n, "check() rejects cycles");
    order
}

/// Alembic's dependency normalisation: a revision's dependency is dropped from its
/// `down` list when one of its `revises` ancestors already depends on it.
///
/// The set of dependencies inherited from ancestors is shared between a revision and its
/// single parent when nothing is added, so a plain chain costs nothing; new sets are built
/// only below merge points and dependants.
fn normalize(topo: &[usize], parents: &Adjacency, deps: &Adjacency) -> Adjacency {
    let n = parents.len();
    // Whether each dependency entry survives normalisation, aligned with `deps`.
    let mut keep = vec![true; deps.targets.len()];
    // Only a revision that two or more revisions depend on can be implied by an
    // ancestor's dependency: the sets below follow those alone, so histories whose
    // dependencies are all distinct skip the work.
    let mut dependants = vec![0u32; n];
    for &d in &deps.targets {
        dependants[d] += 1;
    }
    let shared = |d: &usize| dependants[*d] > 1;
    if deps.targets.iter().any(shared) {
        // Sorted shared dependencies declared by strict `revises` ancestors.
        let mut inherited: Vec<Option<Rc<Vec<usize>>>> = vec![None; n];
        let mut own = Vec::new();
        for &i in topo {
            let mut acc: Option<Rc<Vec<usize>>> = None;
            for &p in &parents[i] {
                own.clear();
                own.extend(deps[p].iter().copied().filter(shared));
                let from_parent = with_own(&inherited[p], &own);
                acc = union(acc, from_parent);
            }
            for k in deps.range(i) {
                let d = deps.targets[k];
                let implied = acc
                    .as_ref()
                    .is_some_and(|set| set.binary_search(&d).is_ok());
                keep[k] = !implied && !parents[i].contains(&d);
            }
            inherited[i] = acc;
        }
    } else {
        for i in 0..n {
            for k in deps.range(i) {
                keep[k] = !parents[i].contains(&deps.targets[k]);
            }
        }
    }
    Adjacency::from_fn(n, |i, out| {
        out.extend_from_slice(&parents[i]);
        out.extend(deps.range(i).filter(|&k| keep[k]).map(|k| deps.targets[k]));
    })
}

fn with_own(set: &Option<Rc<Vec<usize>>>, own: &[usize]) -> Option<Rc<Vec<usize>>> {
    if own.is_empty() {
        return set.clone();
    }
    let mut own = own.to_vec();
    own.sort_unstable();
    union(set.clone(), Some(Rc::new(own)))
}

fn union(a: Option<Rc<Vec<usize>>>, b: Option<Rc<Vec<usize>>>) -> Option<Rc<Vec<usize>>> {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(a), Some(b)) => {
            if Rc::ptr_eq(&a, &b) {
                return Some(a);
            }
            let mut out = Vec::with_capacity(a.len() + b.len());
            let (mut i, mut j) = (0, 0);
            while i < a.len() && j < b.len() {
                match a[i].cmp(&b[j]) {
                    std::cmp::Ordering::Less => {
                        out.push(a[i]);
                        i += 1;
                    }
                    std::cmp::Ordering::Greater => {
                        out.push(b[j]);
                        j += 1;
                    }
                    std::cmp::Ordering::Equal => {
                        out.push(a[i]);
                        i += 1;
                        j += 1;
                    }
                }
            }
            out.extend_from_slice(&a[i..]);
            out.extend_from_slice(&b[j..]);
            if out.len() == a.len() {
                Some(a)
            } else if out.len() == b.len() {
                Some(b)
            } else {
                Some(Rc::new(out))
            }
        }
    }
}

/// Marks a key that is a revision id rather than one of its labels.
const NO_LABEL: u32 = u32::MAX;

fn key_str(revisions: &[Revision], (rev, label): (u32, u32)) -> &str {
    let r = &revisions[rev as usize];
    if label == NO_LABEL {
        r.id.as_str()
    } else {
        &r.branch_labels[label as usize]
    }
}

/// Id to declaration index: an open-addressing table of indices that compares against
/// the revisions themselves, so building it copies no strings. Each slot keeps the high
/// half of the hash beside the index, so a probe rarely touches a revision it does not
/// want.
#[derive(Debug, Clone)]
pub(crate) struct IdIndex {
    slots: Vec<(u32, u32)>,
}

impl IdIndex {
    const EMPTY: u32 = u32::MAX;

    /// Indexes `revisions`, calling `duplicate(first, second)` for each id declared again
    /// (the first declaration stays indexed).
    pub(crate) fn new(revisions: &[Revision], mut duplicate: impl FnMut(usize, usize)) -> Self {
        let size = (revisions.len() * 2).next_power_of_two().max(8);
        let mut slots = vec![(Self::EMPTY, 0); size];
        for (i, r) in revisions.iter().enumerate() {
            let h = hash(r.id.as_str());
            let tag = (h >> 32) as u32;
            let mut at = h as usize & (size - 1);
            loop {
                let (slot, slot_tag) = slots[at];
                if slot == Self::EMPTY {
                    slots[at] = (i as u32, tag);
                    break;
                }
                if slot_tag == tag && revisions[slot as usize].id == r.id {
                    duplicate(slot as usize, i);
                    break;
                }
                at = (at + 1) & (size - 1);
            }
        }
        IdIndex { slots }
    }

    pub(crate) fn get(&self, revisions: &[Revision], id: &str) -> Option<usize> {
        let mask = self.slots.len() - 1;
        let h = hash(id);
        let tag = (h >> 32) as u32;
        let mut at = h as usize & mask;
        loop {
            let (slot, slot_tag) = self.slots[at];
            if slot == Self::EMPTY {
                return None;
            }
            if slot_tag == tag && revisions[slot as usize].id.as_str() == id {
                return Some(slot as usize);
            }
            at = (at + 1) & mask;
        }
    }
}

/// A fast, non-cryptographic string hash (ids are not attacker-controlled).
fn hash(s: &str) -> u64 {
    let mix = |h: u64, word: u64| (h.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    let mut h: u64 = s.len() as u64;
    let mut chunks = s.as_bytes().chunks_exact(8);
    for chunk in &mut chunks {
        h = mix(h, u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
    }
    // The tail, zero-padded, without a call to `memcpy` for a few bytes.
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let word = tail
            .iter()
            .rev()
            .fold(0u64, |word, &b| word << 8 | u64::from(b));
        h = mix(h, word);
    }
    h ^ (h >> 29)
}

/// Adjacency lists packed into one array (compressed sparse rows): the planner's
/// searches walk them in tight loops, and one contiguous block keeps them in cache.
#[derive(Debug, Clone)]
pub(crate) struct Adjacency {
    offsets: Vec<usize>,
    targets: Vec<usize>,
}

impl Adjacency {
    /// Lists for nodes `0..n`, node `i`'s filled in by `fill(i, list)`.
    pub(crate) fn from_fn(n: usize, mut fill: impl FnMut(usize, &mut Vec<usize>)) -> Self {
        let mut offsets = Vec::with_capacity(n + 1);
        let mut targets = Vec::new();
        offsets.push(0);
        for i in 0..n {
            fill(i, &mut targets);
            offsets.push(targets.len());
        }
        Adjacency { offsets, targets }
    }

    /// Lists already packed: node `i`'s is `targets[offsets[i]..offsets[i + 1]]`.
    pub(crate) fn from_parts(offsets: Vec<usize>, targets: Vec<usize>) -> Self {
        debug_assert_eq!(offsets.last(), Some(&targets.len()));
        Adjacency { offsets, targets }
    }

    pub(crate) fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    fn range(&self, i: usize) -> std::ops::Range<usize> {
        self.offsets[i]..self.offsets[i + 1]
    }

    /// The reverse graph; each list is in ascending order.
    fn reversed(&self) -> Self {
        Self::reverse_of(self.len(), &[self])
    }

    /// The reverse of the union of `a` and `b` (same node count as `self`).
    fn merged_reverse(&self, a: &Adjacency, b: &Adjacency) -> Self {
        Self::reverse_of(self.len(), &[a, b])
    }

    fn reverse_of(n: usize, graphs: &[&Adjacency]) -> Self {
        let mut count = vec![0usize; n + 1];
        for g in graphs {
            for &t in &g.targets {
                count[t + 1] += 1;
            }
        }
        for i in 0..n {
            count[i + 1] += count[i];
        }
        let offsets = count.clone();
        let mut fill = count;
        let mut targets = vec![0usize; offsets[n]];
        // Sources in ascending order: each graph's part of a reversed list is sorted.
        for g in graphs {
            for source in 0..n {
                for &t in &g[source] {
                    targets[fill[t]] = source;
                    fill[t] += 1;
                }
            }
        }
        Adjacency { offsets, targets }
    }
}

impl std::ops::Index<usize> for Adjacency {
    type Output = [usize];

    fn index(&self, i: usize) -> &[usize] {
        &self.targets[self.offsets[i]..self.offsets[i + 1]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn between_is_inclusive_and_open_at_the_base() {
        let graph = Graph::new(crate::testing::chain(5)).unwrap();
        let id = |s: &str| RevisionId::new(s).unwrap();
        let names = |ids: Vec<&RevisionId>| ids.iter().map(|i| i.to_string()).collect::<Vec<_>>();
        assert_eq!(
            names(graph.between(&[id("r1")], &[id("r3")])),
            ["r1", "r2", "r3"]
        );
        assert_eq!(names(graph.between(&[], &[id("r1")])), ["r0", "r1"]);
        assert!(graph.between(&[id("r3")], &[id("r1")]).is_empty());
    }
}
