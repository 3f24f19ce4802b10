//! Large generated histories: results stay consistent at sizes where a quadratic step or a
//! recursive walk would show (timings are printed, not asserted).

use std::collections::HashSet;
use std::time::Instant;

use migrate_core::testing::{self, History, Shape};
use migrate_core::{Direction, Graph, Plan, RevisionId};

/// Applies `plan` step by step, checking after each step that the rows are exactly the
/// applied revisions that nothing applied needs (the heads of the applied set).
fn replay(graph: &Graph, current: &[RevisionId], plan: &Plan) -> Vec<RevisionId> {
    let mut applied: HashSet<String> = HashSet::new();
    for c in current {
        applied.insert(c.to_string());
        for a in graph.ancestors(c.as_str()) {
            applied.insert(a.to_string());
        }
    }
    let mut rows: Vec<RevisionId> = current.to_vec();
    for step in &plan.steps {
        let id = step.revision.to_string();
        let rev = graph.get(&id).expect("planned revision exists");
        let needed = rev.down_revisions.iter().chain(&rev.depends_on);
        match step.direction {
            Direction::Up => {
                for n in needed {
                    assert!(applied.contains(n.as_str()), "{id} before {n}");
                }
                assert!(applied.insert(id.clone()), "{id} applied twice");
            }
            Direction::Down => {
                for d in graph.children(&id) {
                    assert!(!applied.contains(d.as_str()), "{id} reverted before {d}");
                }
                assert!(applied.remove(&id), "{id} reverted but not applied");
            }
        }
        for d in step.delete_versions() {
            let before = rows.len();
            rows.retain(|r| r != d);
            assert_eq!(rows.len() + 1, before, "deleting missing row {d}");
        }
        for i in step.insert_versions() {
            assert!(!rows.contains(i), "inserting existing row {i}");
            rows.push(i.clone());
        }
    }
    // Every applied revision is a row or below one.
    let mut covered: HashSet<String> = HashSet::new();
    for r in &rows {
        covered.insert(r.to_string());
        covered.extend(graph.ancestors(r.as_str()).iter().map(|a| a.to_string()));
    }
    assert_eq!(covered, applied, "rows do not describe the applied set");
    rows
}

#[test]
fn ten_thousand_revisions_round_trip() {
    let revisions = History::new(Shape::branchy(10_000), 42).generate();
    let started = Instant::now();
    let graph = Graph::new(revisions).expect("generated history is valid");
    let built = started.elapsed();
    assert_eq!(graph.len(), 10_000);
    assert!(graph.heads().len() > 1, "branchy history has several heads");
    assert!(graph.revisions().iter().any(|r| !r.depends_on.is_empty()));
    assert!(graph.revisions().iter().any(|r| r.down_revisions.len() > 1));
    assert!(
        graph
            .revisions()
            .iter()
            .any(|r| !r.branch_labels.is_empty())
    );

    let started = Instant::now();
    let up = graph.plan_upgrade(&[], "heads").expect("upgrade plan");
    let planned = started.elapsed();
    assert_eq!(up.steps.len(), 10_000);
    let rows = replay(&graph, &[], &up);
    let mut real: Vec<String> = graph.real_heads().iter().map(|h| h.to_string()).collect();
    let mut got: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
    real.sort();
    got.sort();
    assert_eq!(got, real);
    assert!(graph.plan_upgrade(&rows, "heads").unwrap().is_empty());

    let started = Instant::now();
    let down = graph.plan_downgrade(&rows, "base").expect("downgrade plan");
    let planned_down = started.elapsed();
    assert_eq!(down.steps.len(), 10_000);
    assert!(replay(&graph, &rows, &down).is_empty());
    eprintln!("10k: build {built:?}, upgrade plan {planned:?}, downgrade plan {planned_down:?}");
}

#[test]
fn partial_moves_on_a_large_history_stay_consistent() {
    let graph = Graph::new(History::new(Shape::branchy(3_000), 7).generate()).unwrap();
    let topo: Vec<RevisionId> = graph.topological().into_iter().cloned().collect();
    let mut rows: Vec<RevisionId> = Vec::new();
    for (k, target) in topo.iter().enumerate().step_by(97) {
        let plan = graph.plan_upgrade(&rows, target.as_str()).unwrap();
        rows = replay(&graph, &rows, &plan);
        assert!(
            rows.iter()
                .any(|r| r == target || graph.is_ancestor(target.as_str(), r.as_str())),
            "step {k}: {target} applied"
        );
    }
    for target in topo.iter().rev().step_by(131) {
        if let Ok(plan) = graph.plan_downgrade(&rows, target.as_str()) {
            rows = replay(&graph, &rows, &plan);
            // Its `revises` children are reverted (revisions that only depend on it stay,
            // as in Alembic).
            for child in graph.children(target.as_str()) {
                assert!(
                    !rows
                        .iter()
                        .any(|r| r == child || graph.is_ancestor(child.as_str(), r.as_str())),
                    "{child} above {target} stays applied"
                );
            }
        }
    }
}

#[test]
fn a_hundred_thousand_revision_chain_does_not_overflow() {
    let started = Instant::now();
    let graph = Graph::new(testing::chain(100_000)).unwrap();
    let up = graph.plan_upgrade(&[], "head").unwrap();
    assert_eq!(up.steps.len(), 100_000);
    assert_eq!(up.steps[0].revision, "r0");
    assert_eq!(up.steps[0].insert_versions(), ["r0"]);
    assert_eq!(up.steps[1].delete_versions(), ["r0"]);
    let head = [RevisionId::new("r99999").unwrap()];
    assert_eq!(graph.resolve("r99999-99999").unwrap(), ["r0"]);
    let down = graph.plan_downgrade(&head, "r50000").unwrap();
    assert_eq!(down.steps.len(), 49_999);
    assert_eq!(down.versions_after(&head), ["r50000"]);
    assert_eq!(graph.ancestors("r99999").len(), 99_999);
    eprintln!("100k chain: build + plans {:?}", started.elapsed());
}

#[test]
fn generator_is_deterministic() {
    let a = History::new(Shape::branchy(500), 3).generate();
    let b = History::new(Shape::branchy(500), 3).generate();
    let c = History::new(Shape::branchy(500), 4).generate();
    assert_eq!(a, b);
    assert_ne!(a, c);
    let chain = History::new(Shape::chain(50), 1).generate();
    let graph = Graph::new(chain).unwrap();
    assert_eq!(graph.heads().len(), 1);
    assert_eq!(graph.bases().len(), 1);
}
