//! The validated, indexed revision graph: heads, bases, branch and merge points,
//! ancestry and a deterministic topological order.
//!
//! Internally every revision is an index into the declaration order; all traversals are
//! iterative so that histories of any depth are safe.

use std::collections::HashMap;
use std::rc::Rc;

use crate::error::GraphErrors;
use crate::{Revision, RevisionId, check};

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
    index: HashMap<RevisionId, usize>,
    labels: HashMap<String, usize>,
    /// Every id and label with its revision, sorted by key, for prefix lookups.
    keys: Vec<(Box<str>, usize)>,
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
    topo: Vec<usize>,
}

impl Graph {
    /// Validates `revisions` with [`check`] and indexes them. Linear in the number of
    /// revisions and references (plus the dependency normalisation, proportional to the
    /// number of dependencies at merge points and dependants).
    pub fn new(revisions: Vec<Revision>) -> Result<Graph, GraphErrors> {
        let errors = check(&revisions);
        if !errors.is_empty() {
            return Err(GraphErrors::new(errors, &revisions));
        }
        let n = revisions.len();
        let index: HashMap<RevisionId, usize> = revisions
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        let mut labels = HashMap::new();
        let mut keys: Vec<(Box<str>, usize)> = Vec::with_capacity(n);
        for (i, r) in revisions.iter().enumerate() {
            keys.push((r.id.as_str().into(), i));
            for label in &r.branch_labels {
                labels.insert(label.clone(), i);
                keys.push((label.as_str().into(), i));
            }
        }
        keys.sort_unstable();

        // `check` guarantees every reference resolves.
        let resolve =
            |ids: &[RevisionId]| -> Vec<usize> { ids.iter().map(|id| index[id]).collect() };
        let parents: Vec<Vec<usize>> = revisions
            .iter()
            .map(|r| resolve(&r.down_revisions))
            .collect();
        let deps: Vec<Vec<usize>> = revisions.iter().map(|r| resolve(&r.depends_on)).collect();

        let mut children = vec![Vec::new(); n];
        for (i, ps) in parents.iter().enumerate() {
            for &p in ps {
                children[p].push(i);
            }
        }

        let topo = kahn(&parents, &deps);

        let down = normalize(&topo, &parents, &deps);
        let mut up = vec![Vec::new(); n];
        for (i, ds) in down.iter().enumerate() {
            for &d in ds {
                up[d].push(i);
            }
        }
        let mut level = vec![0u32; n];
        for &i in &topo {
            level[i] = down[i].iter().map(|&d| level[d] + 1).max().unwrap_or(0);
        }

        let heads = (0..n).filter(|&i| children[i].is_empty()).collect();
        let real_heads = (0..n).filter(|&i| up[i].is_empty()).collect();
        let bases = (0..n).filter(|&i| parents[i].is_empty()).collect();
        Ok(Graph {
            revisions,
            index,
            labels,
            keys,
            parents: Adjacency::new(&parents),
            children: Adjacency::new(&children),
            down: Adjacency::new(&down),
            up: Adjacency::new(&up),
            level,
            heads,
            real_heads,
            bases,
            topo,
        })
    }

    /// The revisions, in the order given to [`Graph::new`].
    pub fn revisions(&self) -> &[Revision] {
        &self.revisions
    }

    /// The revision with exactly this id.
    pub fn get(&self, id: &str) -> Option<&Revision> {
        self.index.get(id).map(|&i| &self.revisions[i])
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
        self.index
            .get(id)
            .is_some_and(|&i| self.children[i].len() > 1)
    }

    /// Whether this revision `revises` more than one revision.
    pub fn is_merge_point(&self, id: &str) -> bool {
        self.index
            .get(id)
            .is_some_and(|&i| self.parents[i].len() > 1)
    }

    /// The revisions that `revise` this one, in declaration order.
    pub fn children(&self, id: &str) -> Vec<&RevisionId> {
        self.index
            .get(id)
            .map_or_else(Vec::new, |&i| self.ids(&self.children[i]))
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
        let Some(&i) = self.index.get(id) else {
            return Vec::new();
        };
        let mut seen = self.reach(&self.down[i], &self.down);
        seen[i] = false;
        self.in_topological_order(&seen)
    }

    /// Every revision that needs `id` (children and dependants, transitively), in
    /// topological order. Empty for an unknown id.
    pub fn descendants(&self, id: &str) -> Vec<&RevisionId> {
        let Some(&i) = self.index.get(id) else {
            return Vec::new();
        };
        let mut seen = self.reach(&self.up[i], &self.up);
        seen[i] = false;
        self.in_topological_order(&seen)
    }

    /// Whether `ancestor` must be applied before `descendant` (strictly).
    pub fn is_ancestor(&self, ancestor: &str, descendant: &str) -> bool {
        match (self.index.get(ancestor), self.index.get(descendant)) {
            (Some(&a), Some(&d)) => a != d && self.reach(&self.down[d], &self.down)[a],
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
        self.index.get(id).copied()
    }

    /// Exact lookup of an id or a branch label (Alembic keeps both in one map).
    pub(crate) fn exact(&self, key: &str) -> Option<usize> {
        self.index
            .get(key)
            .or_else(|| self.labels.get(key))
            .copied()
    }

    /// Ids and labels longer than three characters that start with `prefix`, in key order
    /// (Alembic never prefix-matches keys of three characters or fewer).
    pub(crate) fn prefixed(&self, prefix: &str) -> Vec<(&str, usize)> {
        let start = self.keys.partition_point(|(k, _)| &**k < prefix);
        self.keys[start..]
            .iter()
            .take_while(|(k, _)| k.starts_with(prefix))
            .filter(|(k, _)| k.len() > 3)
            .map(|(k, i)| (&**k, *i))
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
fn kahn(parents: &[Vec<usize>], deps: &[Vec<usize>]) -> Vec<usize> {
    let n = parents.len();
    let mut waiting: Vec<usize> = (0..n).map(|i| parents[i].len() + deps[i].len()).collect();
    let mut dependants = vec![Vec::new(); n];
    for i in 0..n {
        for &p in parents[i].iter().chain(&deps[i]) {
            dependants[p].push(i);
        }
    }
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
fn normalize(topo: &[usize], parents: &[Vec<usize>], deps: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = parents.len();
    let any_deps = deps.iter().any(|d| !d.is_empty());
    let mut down: Vec<Vec<usize>> = parents.to_vec();
    if !any_deps {
        return down;
    }
    // Sorted dependency ids declared by strict `revises` ancestors.
    let mut inherited: Vec<Option<Rc<Vec<usize>>>> = vec![None; n];
    for &i in topo {
        let mut acc: Option<Rc<Vec<usize>>> = None;
        for &p in &parents[i] {
            let from_parent = with_own(&inherited[p], &deps[p]);
            acc = union(acc, from_parent);
        }
        for &d in &deps[i] {
            let implied = acc
                .as_ref()
                .is_some_and(|set| set.binary_search(&d).is_ok());
            if !implied && !down[i].contains(&d) {
                down[i].push(d);
            }
        }
        inherited[i] = acc;
    }
    down
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

/// Adjacency lists packed into one array (compressed sparse rows): the planner's
/// searches walk them in tight loops, and one contiguous block keeps them in cache.
#[derive(Debug, Clone)]
pub(crate) struct Adjacency {
    offsets: Vec<usize>,
    targets: Vec<usize>,
}

impl Adjacency {
    fn new(lists: &[Vec<usize>]) -> Self {
        let mut offsets = Vec::with_capacity(lists.len() + 1);
        let mut targets = Vec::with_capacity(lists.iter().map(Vec::len).sum());
        offsets.push(0);
        for list in lists {
            targets.extend_from_slice(list);
            offsets.push(targets.len());
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
