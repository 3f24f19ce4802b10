//! Planning semantics on small graphs, most of them ported from Alembic's
//! `test_version_traversal.py` (same shapes and expectations, readable ids).

mod common;

use common::{id, rev};
use migrate_core::{Direction, Graph, Plan, PlanError, RevisionId};

fn ids(list: &[&str]) -> Vec<RevisionId> {
    list.iter().map(|s| id(s)).collect()
}

/// `+name` for an upgrade step, `-name` for a downgrade step.
fn steps(plan: &Plan) -> Vec<String> {
    plan.steps
        .iter()
        .map(|s| match s.direction {
            Direction::Up => format!("+{}", s.revision),
            Direction::Down => format!("-{}", s.revision),
        })
        .collect()
}

fn sorted(mut v: Vec<RevisionId>) -> Vec<String> {
    v.sort();
    v.into_iter().map(|r| r.to_string()).collect()
}

fn up(g: &Graph, current: &[&str], target: &str) -> (Vec<String>, Vec<String>) {
    let plan = g.plan_upgrade(&ids(current), target).unwrap();
    (steps(&plan), sorted(plan.versions_after(&ids(current))))
}

fn down(g: &Graph, current: &[&str], target: &str) -> (Vec<String>, Vec<String>) {
    let plan = g.plan_downgrade(&ids(current), target).unwrap();
    (steps(&plan), sorted(plan.versions_after(&ids(current))))
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

/// a -> b -> c1 -> d1 (c1branch), b -> c2 -> d2 (c2branch).
fn branched() -> Graph {
    Graph::new(vec![
        rev("a", &[], &[], &[]),
        rev("b", &["a"], &[], &[]),
        rev("c1", &["b"], &[], &["c1branch"]),
        rev("d1", &["c1"], &[], &[]),
        rev("c2", &["b"], &[], &["c2branch"]),
        rev("d2", &["c2"], &[], &[]),
    ])
    .unwrap()
}

#[test]
fn linear_upgrade_and_downgrade_with_relative_steps() {
    let g = Graph::new(migrate_core::testing::chain(5)).unwrap();
    assert_eq!(
        up(&g, &[], "head"),
        (s(&["+r0", "+r1", "+r2", "+r3", "+r4"]), s(&["r4"]))
    );
    assert_eq!(up(&g, &[], "+2"), (s(&["+r0", "+r1"]), s(&["r1"])));
    assert_eq!(up(&g, &["r1"], "+2"), (s(&["+r2", "+r3"]), s(&["r3"])));
    assert_eq!(
        up(&g, &["r1"], "r1+3"),
        (s(&["+r2", "+r3", "+r4"]), s(&["r4"]))
    );
    assert_eq!(up(&g, &["r1"], "r4-1"), (s(&["+r2", "+r3"]), s(&["r3"])));
    assert_eq!(down(&g, &["r4"], "-2"), (s(&["-r4", "-r3"]), s(&["r2"])));
    assert_eq!(
        down(&g, &["r4"], "r1"),
        (s(&["-r4", "-r3", "-r2"]), s(&["r1"]))
    );
    assert_eq!(
        down(&g, &["r2"], "base"),
        (s(&["-r2", "-r1", "-r0"]), s(&[]))
    );
    assert_eq!(down(&g, &["r2"], "-3"), (s(&["-r2", "-r1", "-r0"]), s(&[])));
    // Already there: nothing to do.
    assert_eq!(up(&g, &["r4"], "head"), (s(&[]), s(&["r4"])));
    assert_eq!(up(&g, &["r4"], "r2"), (s(&[]), s(&["r4"])));
    assert_eq!(down(&g, &["r2"], "r2"), (s(&[]), s(&["r2"])));
}

#[test]
fn each_step_moves_one_row() {
    let g = Graph::new(migrate_core::testing::chain(3)).unwrap();
    let plan = g.plan_upgrade(&[], "heads").unwrap();
    let deltas: Vec<(Vec<RevisionId>, Vec<RevisionId>)> = plan
        .steps
        .iter()
        .map(|s| (s.delete_versions().to_vec(), s.insert_versions().to_vec()))
        .collect();
    assert_eq!(
        deltas,
        vec![
            (ids(&[]), ids(&["r0"])),
            (ids(&["r0"]), ids(&["r1"])),
            (ids(&["r1"]), ids(&["r2"])),
        ]
    );
    let plan = g.plan_downgrade(&ids(&["r2"]), "base").unwrap();
    assert_eq!(plan.steps[0].delete_versions(), ids(&["r2"]));
    assert_eq!(plan.steps[0].insert_versions(), ids(&["r1"]));
    assert_eq!(plan.steps[2].delete_versions(), ids(&["r0"]));
    assert!(plan.steps[2].insert_versions().is_empty());
}

#[test]
fn relative_targets_refuse_to_leave_the_history() {
    let g = Graph::new(migrate_core::testing::chain(3)).unwrap();
    let err = |r: Result<Plan, PlanError>| r.unwrap_err();
    assert!(matches!(
        err(g.plan_upgrade(&ids(&["r1"]), "+5")),
        PlanError::PastHead { .. }
    ));
    assert!(matches!(
        err(g.plan_downgrade(&ids(&["r1"]), "-3")),
        PlanError::BelowBase { .. }
    ));
    assert!(matches!(
        err(g.plan_upgrade(&ids(&["r1"]), "-1")),
        PlanError::WrongDirection {
            command: "upgrade",
            ..
        }
    ));
    assert!(matches!(
        err(g.plan_downgrade(&ids(&["r1"]), "+1")),
        PlanError::WrongDirection {
            command: "downgrade",
            ..
        }
    ));
    assert!(matches!(
        err(g.plan_downgrade(&[], "-1")),
        PlanError::NothingApplied { .. }
    ));
    // A move of no step is neither direction; from a revision it is that revision.
    for (upgrade, target) in [(true, "+0"), (false, "-0"), (true, "-0"), (false, "+0")] {
        let planned = if upgrade {
            g.plan_upgrade(&ids(&["r1"]), target)
        } else {
            g.plan_downgrade(&ids(&["r1"]), target)
        };
        let zero = err(planned);
        assert!(matches!(zero, PlanError::ZeroSteps { .. }), "{zero:?}");
        assert!(zero.to_string().contains("moves no step"), "{zero}");
    }
    assert!(g.plan_upgrade(&ids(&["r1"]), "r2+0").unwrap().steps.len() == 1);
    // Downgrading to what is not applied says so, with nothing applied too.
    let none = err(g.plan_downgrade(&[], "r1"));
    assert_eq!(
        none.to_string(),
        "revision `r1` is not applied below the current heads (none: nothing is applied): \
         cannot downgrade to it"
    );
    assert!(matches!(
        err(g.plan_upgrade(&[], "r0-2")),
        PlanError::BelowBase { .. }
    ));
    assert_eq!(
        g.plan_downgrade(&ids(&["r1"]), "-3")
            .unwrap_err()
            .to_string(),
        "relative target `-3` goes below base; use `base` or a smaller step"
    );
}

#[test]
fn branched_upgrades_follow_alembic() {
    let g = branched();
    assert_eq!(up(&g, &["b"], "d1"), (s(&["+c1", "+d1"]), s(&["d1"])));
    assert_eq!(
        up(&g, &["a"], "heads"),
        (s(&["+b", "+c2", "+d2", "+c1", "+d1"]), s(&["d1", "d2"]))
    );
    assert_eq!(up(&g, &["b"], "c2branch@head-1"), (s(&["+c2"]), s(&["c2"])));
    assert_eq!(
        up(&g, &["d1"], "c2branch@head"),
        (s(&["+c2", "+d2"]), s(&["d1", "d2"]))
    );
    assert_eq!(up(&g, &["b"], "c1branch@+1"), (s(&["+c1"]), s(&["c1"])));
    // `head` is ambiguous here; the message lists the heads and the ways out.
    let e = g.plan_upgrade(&[], "head").unwrap_err();
    assert_eq!(
        e.to_string(),
        "multiple heads are present for `head` (d1, d2); name one, e.g. `d1` or `label@head`, or use `heads` for all of them"
    );
    let e = g.plan_upgrade(&ids(&["d1", "d2"]), "+1").unwrap_err();
    assert!(matches!(e, PlanError::AmbiguousCurrent { .. }), "{e}");
    let e = g.plan_upgrade(&ids(&["b"]), "+1").unwrap_err();
    assert_eq!(
        e.to_string(),
        "relative target `+1` is ambiguous: `b` has several children: c1, c2; name a revision or narrow it with `label@`"
    );
}

#[test]
fn branched_downgrades_follow_alembic() {
    let g = branched();
    assert_eq!(
        down(&g, &["d1", "d2"], "a"),
        (s(&["-d1", "-c1", "-d2", "-c2", "-b"]), s(&["a"]))
    );
    assert_eq!(
        down(&g, &["d2", "d1"], "base+2"),
        (s(&["-d1", "-c1", "-d2", "-c2"]), s(&["b"]))
    );
    assert_eq!(
        down(&g, &["d2", "d1"], "c2branch@base+2"),
        (s(&["-d2", "-c2"]), s(&["d1"]))
    );
    assert_eq!(
        down(&g, &["d2", "d1"], "c2"),
        (s(&["-d2"]), s(&["c2", "d1"]))
    );
    assert_eq!(
        down(&g, &["d2", "d1"], "c2branch@base+3"),
        (s(&["-d2"]), s(&["c2", "d1"]))
    );
    // `-1` walks down the first row's line.
    assert_eq!(
        down(&g, &["d2", "d1"], "-1"),
        (s(&["-d2"]), s(&["c2", "d1"]))
    );
    assert_eq!(down(&g, &["c2", "d1"], "-1"), (s(&["-c2"]), s(&["d1"])));
    assert_eq!(
        down(&g, &["d1", "d2"], "-1"),
        (s(&["-d1"]), s(&["c1", "d2"]))
    );
    assert_eq!(
        down(&g, &["d1", "d2"], "c1branch@-1"),
        (s(&["-d1"]), s(&["c1", "d2"]))
    );
    assert_eq!(
        down(&g, &["d2", "c1"], "d2-1"),
        (s(&["-d2"]), s(&["c1", "c2"]))
    );
    // With a single base, Alembic does not narrow `label@base`: everything goes.
    assert_eq!(
        down(&g, &["d1", "d2"], "c1branch@base"),
        (s(&["-d1", "-c1", "-d2", "-c2", "-b", "-a"]), s(&[]))
    );
    // Not applied below the current heads.
    let e = g.plan_downgrade(&ids(&["d1"]), "c2").unwrap_err();
    assert_eq!(
        e.to_string(),
        "revision `c2` is not applied below the current heads (d1): cannot downgrade to it"
    );
}

#[test]
fn branched_stamps_follow_alembic() {
    let g = branched();
    let stamp = |cur: &[&str], t: &str| sorted(g.plan_stamp(&ids(cur), t).unwrap());
    assert_eq!(stamp(&["d1", "c2"], "b"), s(&["b"]));
    assert_eq!(stamp(&["d1", "c2"], "c1branch@base"), s(&["c2"]));
    assert_eq!(stamp(&["d1", "c2"], "c2branch@head"), s(&["d1", "d2"]));
    assert_eq!(stamp(&["d1", "c2"], "base"), s(&[]));
    assert_eq!(stamp(&["d1", "c2"], ""), s(&[]));
    assert_eq!(stamp(&[], "heads"), s(&["d1", "d2"]));
    assert_eq!(stamp(&["b"], "heads"), s(&["d1", "d2"]));
    // c2 is on no line of the table: it becomes a new branch row.
    assert_eq!(stamp(&["d1"], "c2"), s(&["c2", "d1"]));
    assert_eq!(stamp(&["d1", "d2"], "c2"), s(&["c2", "d1"]));
    assert_eq!(stamp(&["d1"], "d1"), s(&["d1"]));
    assert!(matches!(
        g.plan_stamp(&ids(&["d1"]), "head").unwrap_err(),
        PlanError::MultipleHeads { .. }
    ));
    assert!(matches!(
        g.plan_stamp(&ids(&["d1"]), "-1").unwrap_err(),
        PlanError::RelativeNeedsCurrent { .. }
    ));
}

/// a1 -> b1 -> c1 and a2 -> b2 -> c2, merged by d1; c2 also continues to d2.
#[test]
fn branch_from_merge_point() {
    let g = Graph::new(vec![
        rev("a1", &[], &[], &[]),
        rev("b1", &["a1"], &[], &[]),
        rev("c1", &["b1"], &[], &[]),
        rev("a2", &[], &[], &[]),
        rev("b2", &["a2"], &[], &[]),
        rev("c2", &["b2"], &[], &[]),
        rev("d1", &["c1", "c2"], &[], &[]),
        rev("d2", &["c2"], &[], &[]),
    ])
    .unwrap();
    assert!(g.is_merge_point("d1"));
    assert!(g.is_branch_point("c2"));
    assert_eq!(up(&g, &["c1", "c2"], "d1"), (s(&["+d1"]), s(&["d1"])));
    assert_eq!(up(&g, &["d1"], "d2"), (s(&["+d2"]), s(&["d1", "d2"])));
    let merge = g.plan_upgrade(&ids(&["c1", "c2"]), "d1").unwrap();
    assert_eq!(
        sorted(merge.steps[0].delete_versions().to_vec()),
        s(&["c1", "c2"])
    );
    assert_eq!(merge.steps[0].insert_versions(), ids(&["d1"]));
    // With c2 still needed by the d2 row, the merge only replaces c1.
    let merge = g.plan_upgrade(&ids(&["c1", "d2"]), "d1").unwrap();
    assert_eq!(steps(&merge), s(&["+d1"]));
    assert_eq!(merge.steps[0].delete_versions(), ids(&["c1"]));
    // Splitting the merge again restores both rows.
    let split = g.plan_downgrade(&ids(&["d1"]), "-1").unwrap_err();
    assert!(matches!(split, PlanError::AmbiguousWalk { .. }), "{split}");
    // Downgrading to one parent of a merge only reverts the merge: both parents stay.
    assert_eq!(down(&g, &["d1"], "c1"), (s(&["-d1"]), s(&["c1", "c2"])));
    let unmerge = g.plan_downgrade(&ids(&["d1", "d2"]), "c2").unwrap();
    assert_eq!(steps(&unmerge), s(&["-d1", "-d2"]));
    assert_eq!(unmerge.steps[0].delete_versions(), ids(&["d1"]));
    assert_eq!(unmerge.steps[0].insert_versions(), ids(&["c1"]));
    assert_eq!(
        sorted(unmerge.versions_after(&ids(&["d1", "d2"]))),
        s(&["c1", "c2"])
    );
}

/// Dependencies across branches: c2 depends on c1 (the `lib1` line).
fn depends_on_branch() -> Graph {
    Graph::new(vec![
        rev("a1", &[], &[], &["lib1"]),
        rev("b1", &["a1"], &[], &[]),
        rev("c1", &["b1"], &[], &[]),
        rev("a2", &[], &[], &[]),
        rev("b2", &["a2"], &[], &[]),
        rev("c2", &["b2"], &["c1"], &[]),
        rev("d1", &["c1"], &[], &[]),
        rev("e1", &["d1"], &[], &[]),
        rev("f1", &["e1"], &[], &[]),
    ])
    .unwrap()
}

#[test]
fn dependencies_are_applied_first_and_reverted_last() {
    let g = depends_on_branch();
    let (order, rows) = up(&g, &[], "c2");
    let pos = |r: &str| order.iter().position(|x| x == &format!("+{r}")).unwrap();
    assert!(pos("c1") < pos("c2") && pos("b2") < pos("c2"));
    assert_eq!(order.len(), 6);
    assert_eq!(rows, s(&["c2"]), "the dependency's row is absorbed");
    // Downgrading the dependency's line first reverts its dependant.
    let (order, rows) = down(&g, &["c2", "d1"], "b1");
    assert!(order.contains(&"-c2".to_string()));
    assert!(order.iter().position(|x| x == "-c2") < order.iter().position(|x| x == "-c1"));
    assert_eq!(rows, s(&["b1", "b2"]));
    // Alembic: downgrading d1 leaves c2 as the only row (c1 is implied by it).
    assert_eq!(down(&g, &["c2", "d1"], "c1"), (s(&["-d1"]), s(&["c2"])));
    // Alembic: stamping b1 from e1 + c2 collapses to b1.
    assert_eq!(
        sorted(g.plan_stamp(&ids(&["e1", "c2"]), "b1").unwrap()),
        s(&["b1"])
    );
    // `heads` upgrades to heads nothing depends on; `head` sees two heads.
    assert_eq!(g.real_heads(), vec!["c2", "f1"]);
    assert_eq!(
        up(&g, &["c2"], "lib1@head"),
        (s(&["+d1", "+e1", "+f1"]), s(&["c2", "f1"]))
    );
}

/// Three bases merged, and an unrelated revision depending on one branch of each merge.
#[test]
fn multi_merge_with_dependencies_downgrade_keeps_what_is_needed() {
    let g = Graph::new(vec![
        rev("a1", &[], &[], &[]),
        rev("a2", &[], &[], &[]),
        rev("a3", &[], &[], &[]),
        rev("amerge", &["a1", "a2", "a3"], &[], &[]),
        rev("b1", &[], &[], &[]),
        rev("b2", &[], &[], &[]),
        rev("bmerge", &["b1", "b2"], &[], &[]),
        rev("c1", &[], &[], &[]),
        rev("c2", &[], &[], &[]),
        rev("c3", &[], &[], &[]),
        rev("cmerge", &["c1", "c2", "c3"], &[], &[]),
        rev("d1", &[], &["a3", "b2", "c1"], &[]),
    ])
    .unwrap();
    let heads = ["amerge", "bmerge", "cmerge", "d1"];
    let (order, rows) = down(&g, &heads, "b2");
    assert_eq!(order, s(&["-bmerge"]));
    assert_eq!(rows, s(&["amerge", "b1", "cmerge", "d1"]));
    let (order, rows) = up(&g, &[], "heads");
    assert_eq!(order.len(), 12);
    assert_eq!(rows, s(&["amerge", "bmerge", "cmerge", "d1"]));
}

#[test]
fn refuses_plans_that_would_corrupt_the_version_table() {
    // r depends on q, which is also reachable through y -> x -> q: Alembic deletes a row
    // that is not there half-way through the upgrade.
    let g = Graph::new(vec![
        rev("aaaa", &[], &[], &[]),
        rev("qqqq", &[], &[], &[]),
        rev("xxxx", &["aaaa"], &["qqqq"], &[]),
        rev("yyyy", &[], &["xxxx"], &[]),
        rev("cccc", &[], &[], &[]),
        rev("rrrr", &["yyyy", "cccc"], &["qqqq"], &[]),
    ])
    .unwrap();
    let e = g.plan_upgrade(&[], "heads").unwrap_err();
    assert!(
        matches!(
            e,
            PlanError::Inconsistent {
                direction: "upgrade",
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("`rrrr`"), "{e}");
}

#[test]
fn version_table_rows_are_validated() {
    let g = branched();
    assert_eq!(
        g.plan_upgrade(&ids(&["zz"]), "heads")
            .unwrap_err()
            .to_string(),
        "the version table lists `zz`, which is not a known revision; is this the right \
         migration set for this database, with every crate holding migrations linked (`use \
         the_crate as _;`)? If the row is stale, `stamp --purge` the revision the schema is \
         at (it replaces every row)"
    );
    assert!(matches!(
        g.plan_upgrade(&ids(&["b", "b"]), "heads").unwrap_err(),
        PlanError::DuplicateCurrent { .. }
    ));
    assert_eq!(
        g.plan_upgrade(&ids(&["b", "d1"]), "heads")
            .unwrap_err()
            .to_string(),
        "the version table lists both `b` and its descendant `d1`; `stamp --purge` the \
         revisions the schema is at to repair it (it replaces every row)"
    );
    // A downgrade refuses the same table: planned on it, `-1` reverted two revisions.
    for target in ["-1", "base", "b", "c1branch@-1"] {
        assert!(
            matches!(
                g.plan_downgrade(&ids(&["b", "d1"]), target).unwrap_err(),
                PlanError::OverlappingCurrent { .. }
            ),
            "{target}"
        );
    }
}
