//! The pure parts measured by criterion and by the suite's summary table: building and
//! validating a branchy revision graph, resolving targets, planning upgrade and downgrade.

use std::hint::black_box;
use std::time::{Duration, Instant};

use migrate_core::testing::{History, Shape};
use migrate_core::{Graph, Revision, RevisionId};

/// The seed of every generated history, so that all runs measure the same graph.
pub const SEED: u64 = 2024;

/// A history of `n` revisions with forks, merges, extra bases, dependencies and labels.
pub fn history(n: usize) -> Vec<Revision> {
    History::new(Shape::branchy(n), SEED).generate()
}

/// The targets resolved by the benchmarks: every head, a branch label, a unique id prefix
/// and a relative step from a label.
pub fn targets(graph: &Graph) -> Vec<String> {
    let mut targets = vec!["heads".to_owned()];
    let labelled = graph
        .revisions()
        .iter()
        .rev()
        .find_map(|r| r.branch_labels.first().cloned());
    if let Some(label) = labelled {
        targets.push(format!("{label}@head"));
    }
    let middle = &graph.revisions()[graph.len() / 2].id;
    targets.push(middle.as_str()[..8].to_owned());
    targets
}

/// The version-table rows of a database upgraded to `heads`.
pub fn at_heads(graph: &Graph) -> Vec<RevisionId> {
    graph
        .plan_upgrade(&[], "heads")
        .expect("generated histories are plannable")
        .versions_after(&[])
}

/// One measurement of each pure operation on a graph of `n` revisions.
#[derive(Debug, Clone, Copy)]
pub struct PureTimes {
    /// `Graph::new` (structural checks, indexing, topological order).
    pub build: Duration,
    /// Resolving every target of [`targets`].
    pub resolve: Duration,
    /// `plan_upgrade` from an empty database to `heads`.
    pub plan_upgrade: Duration,
    /// `plan_downgrade` from every head to `base`.
    pub plan_downgrade: Duration,
}

/// Times each operation once on `revisions` (which `build` consumes a copy of).
pub fn measure(revisions: &[Revision]) -> PureTimes {
    let input = revisions.to_vec();
    let start = Instant::now();
    let graph = black_box(Graph::new(input).expect("generated histories are valid"));
    let build = start.elapsed();

    let targets = targets(&graph);
    let start = Instant::now();
    for target in &targets {
        black_box(graph.resolve(target).expect("targets resolve"));
    }
    let resolve = start.elapsed();

    let start = Instant::now();
    let up = black_box(graph.plan_upgrade(&[], "heads").expect("plannable"));
    let plan_upgrade = start.elapsed();
    assert_eq!(up.steps.len(), graph.len());

    let heads = at_heads(&graph);
    let start = Instant::now();
    let down = black_box(graph.plan_downgrade(&heads, "base").expect("plannable"));
    let plan_downgrade = start.elapsed();
    assert_eq!(down.steps.len(), graph.len());
    PureTimes {
        build,
        resolve,
        plan_upgrade,
        plan_downgrade,
    }
}
