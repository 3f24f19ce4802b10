//! Graph queries, target resolution and the wording of every error.

mod common;

use common::{id, rev};
use migrate_core::{Graph, GraphError, PlanError, RevisionId};

/// ae1027a6acf0 (core) -> ae1f00000000 -> 27c6a30d7c24 ----------> mmmm00000000 -> core2
///                                   \-> 27c6b00000aa (side) -> bbbb00000001 -/
/// plus an independent line other0000001 (data) -> other0000002 depending on 27c6a30d7c24.
fn graph() -> Graph {
    Graph::new(vec![
        rev("ae1027a6acf0", &[], &[], &["core"]),
        rev("ae1f00000000", &["ae1027a6acf0"], &[], &[]),
        rev("27c6a30d7c24", &["ae1f00000000"], &[], &[]),
        rev("27c6b00000aa", &["ae1f00000000"], &[], &["side"]),
        rev("bbbb00000001", &["27c6b00000aa"], &[], &[]),
        rev("mmmm00000000", &["27c6a30d7c24", "bbbb00000001"], &[], &[]),
        rev("core2", &["mmmm00000000"], &[], &[]),
        rev("other0000001", &[], &[], &["data"]),
        rev("other0000002", &["other0000001"], &["27c6a30d7c24"], &[]),
    ])
    .unwrap()
}

fn names(v: Vec<&RevisionId>) -> Vec<String> {
    v.into_iter().map(|r| r.to_string()).collect()
}

fn resolved(g: &Graph, t: &str) -> Vec<String> {
    g.resolve(t)
        .unwrap_or_else(|e| panic!("{t}: {e}"))
        .into_iter()
        .map(|r| r.to_string())
        .collect()
}

fn error(g: &Graph, t: &str) -> PlanError {
    g.resolve(t).unwrap_err()
}

#[test]
fn queries() {
    let g = graph();
    assert_eq!(g.len(), 9);
    assert_eq!(names(g.heads()), ["core2", "other0000002"]);
    assert_eq!(names(g.real_heads()), ["core2", "other0000002"]);
    assert_eq!(names(g.bases()), ["ae1027a6acf0", "other0000001"]);
    assert!(g.is_branch_point("ae1f00000000"));
    assert!(!g.is_branch_point("27c6a30d7c24"));
    assert!(g.is_merge_point("mmmm00000000"));
    assert!(!g.is_merge_point("nope"));
    assert_eq!(
        names(g.children("ae1f00000000")),
        ["27c6a30d7c24", "27c6b00000aa"]
    );
    assert_eq!(g.labelled("side").map(|r| r.as_str()), Some("27c6b00000aa"));
    assert_eq!(g.get("core2").unwrap().down_revisions, [id("mmmm00000000")]);
    assert!(g.get("core").is_none(), "get takes exact ids only");
    let topo = names(g.topological());
    assert_eq!(topo.len(), 9);
    for r in g.revisions() {
        let at = topo.iter().position(|x| x == r.id.as_str()).unwrap();
        for p in r.down_revisions.iter().chain(&r.depends_on) {
            assert!(topo.iter().position(|x| x == p.as_str()).unwrap() < at);
        }
    }
    assert_eq!(
        names(g.ancestors("other0000002")),
        [
            "ae1027a6acf0",
            "other0000001",
            "ae1f00000000",
            "27c6a30d7c24"
        ]
    );
    assert_eq!(
        names(g.descendants("27c6a30d7c24")),
        ["other0000002", "mmmm00000000", "core2"]
    );
    assert!(g.is_ancestor("ae1027a6acf0", "other0000002"));
    assert!(!g.is_ancestor("other0000002", "ae1027a6acf0"));
    assert!(!g.is_ancestor("core2", "core2"));
}

#[test]
fn a_dependency_only_revision_is_a_head_but_not_a_real_head() {
    let g = Graph::new(vec![rev("a1", &[], &[], &[]), rev("b1", &[], &["a1"], &[])]).unwrap();
    assert_eq!(names(g.heads()), ["a1", "b1"]);
    assert_eq!(names(g.real_heads()), ["b1"]);
    assert_eq!(names(g.bases()), ["a1", "b1"]);
    assert!(matches!(error(&g, "head"), PlanError::MultipleHeads { .. }));
    assert_eq!(resolved(&g, "heads"), ["b1"]);
}

#[test]
fn absolute_targets() {
    let g = graph();
    assert_eq!(resolved(&g, "ae1027a6acf0"), ["ae1027a6acf0"]);
    assert_eq!(resolved(&g, "ae10"), ["ae1027a6acf0"]);
    assert_eq!(resolved(&g, "27c6a"), ["27c6a30d7c24"]);
    assert_eq!(
        resolved(&g, "b"),
        ["bbbb00000001"],
        "any prefix length when unique"
    );
    assert_eq!(resolved(&g, "heads"), ["core2", "other0000002"]);
    assert_eq!(resolved(&g, "base"), Vec::<String>::new());
    assert_eq!(resolved(&g, "side"), ["27c6b00000aa"]);
    assert_eq!(resolved(&g, "core@head"), ["core2"]);
    assert_eq!(resolved(&g, "side@head"), ["core2"]);
    assert_eq!(resolved(&g, "data@head"), ["other0000002"]);
    assert_eq!(resolved(&g, "data@heads"), ["other0000002"]);
    assert_eq!(resolved(&g, "data@base"), Vec::<String>::new());
    assert_eq!(resolved(&g, "core@27c6a"), ["27c6a30d7c24"]);
    assert_eq!(
        resolved(&g, "side@27c6"),
        ["27c6b00000aa"],
        "the label narrows a prefix"
    );
    assert_eq!(
        resolved(&g, "27c6b00000aa@head"),
        ["core2"],
        "an id works as a label"
    );
    assert_eq!(resolved(&g, "ae1f@head"), ["core2"], "so does a prefix");
}

#[test]
fn relative_targets() {
    let g = graph();
    assert_eq!(resolved(&g, "ae1027a6acf0+1"), ["ae1f00000000"]);
    assert_eq!(resolved(&g, "ae10+1"), ["ae1f00000000"]);
    assert_eq!(resolved(&g, "core2-1"), ["mmmm00000000"]);
    assert_eq!(
        resolved(&g, "side@ae1f+1"),
        ["27c6b00000aa"],
        "the label picks the child"
    );
    assert_eq!(resolved(&g, "side@bbbb-2"), ["ae1f00000000"]);
    assert_eq!(
        resolved(&g, "ae1027a6acf0-1"),
        Vec::<String>::new(),
        "one below base is base"
    );
    assert_eq!(resolved(&g, "core2+0"), ["core2"]);
    assert!(matches!(error(&g, "core2+1"), PlanError::PastHead { .. }));
    assert!(matches!(error(&g, "ae10-2"), PlanError::BelowBase { .. }));
    assert!(matches!(
        error(&g, "+1"),
        PlanError::RelativeNeedsCurrent { .. }
    ));
    assert!(matches!(
        error(&g, "core@-1"),
        PlanError::RelativeNeedsCurrent { .. }
    ));
    assert_eq!(
        error(&g, "ae1f+1").to_string(),
        "relative target `ae1f+1` is ambiguous: `ae1f00000000` has several children: 27c6a30d7c24, 27c6b00000aa; name a revision or narrow it with `label@`"
    );
    assert_eq!(
        error(&g, "mmmm-1").to_string(),
        "relative target `mmmm-1` is ambiguous: `mmmm00000000` merges 27c6a30d7c24, bbbb00000001; name the revision to go to instead (a branch label cannot choose here)"
    );
    assert_eq!(
        error(&g, "base+1").to_string(),
        "relative target `base+1` is ambiguous: there are several bases: ae1027a6acf0, other0000001; name a revision or narrow it with `label@`"
    );
    assert_eq!(resolved(&g, "data@base+1"), ["other0000001"]);
    assert_eq!(
        error(&g, "ae10+99999999999999999999").to_string(),
        "relative step in `ae10+99999999999999999999` is too large"
    );
}

#[test]
fn resolution_errors_name_the_problem_and_the_fix() {
    let g = graph();
    assert_eq!(
        error(&g, "").to_string(),
        "the target is empty; name a revision, `head`, `heads` or `base`"
    );
    assert_eq!(
        error(&g, "zzz").to_string(),
        "no revision matches `zzz`; give a revision id, a unique prefix of one, a branch label, `head`, `heads` or `base`"
    );
    assert_eq!(
        error(&g, "ae1").to_string(),
        "ambiguous revision prefix `ae1`: matches ae1027a6acf0, ae1f00000000; give more characters"
    );
    assert_eq!(
        error(&g, "27c6").to_string(),
        "ambiguous revision prefix `27c6`: matches 27c6a30d7c24, 27c6b00000aa; give more characters"
    );
    assert_eq!(
        error(&g, "head").to_string(),
        "multiple heads are present for `head` (core2, other0000002); name one, e.g. `core2` or `label@head`, or use `heads` for all of them"
    );
    assert_eq!(
        error(&g, "nolabel@head").to_string(),
        "no branch label or revision matches `nolabel` in `nolabel@head`"
    );
    assert_eq!(
        error(&g, "data@core2").to_string(),
        "revision `core2` is not on branch `data`; drop the `data@` or name a revision of that branch"
    );
    // Keys of three characters or fewer are never matched by prefix (Alembic's rule).
    let short = Graph::new(vec![
        rev("abc", &[], &[], &[]),
        rev("abd", &["abc"], &[], &[]),
    ])
    .unwrap();
    assert!(matches!(error(&short, "ab"), PlanError::NoMatch { .. }));
    assert_eq!(resolved(&short, "abc"), ["abc"]);
    // A prefix matching many lists three and says there are more.
    let many = Graph::new(
        (0..5)
            .map(|i| rev(&format!("abcd{i}"), &[], &[], &[]))
            .collect(),
    )
    .unwrap();
    assert_eq!(
        error(&many, "abcd").to_string(),
        "ambiguous revision prefix `abcd`: matches abcd0, abcd1, abcd2, ...; give more characters"
    );
}

#[test]
fn planning_error_messages() {
    let g = graph();
    let current = [id("core2"), id("other0000002")];
    let e = g.plan_upgrade(&current, "+1").unwrap_err();
    assert_eq!(
        e.to_string(),
        "relative target `+1` is ambiguous: the applied heads are (core2, other0000002); use `label@+1` or `REV+1`"
    );
    let e = g.plan_upgrade(&current, "-1").unwrap_err();
    assert_eq!(
        e.to_string(),
        "relative target `-1` cannot be used with upgrade; use downgrade instead"
    );
    let e = g.plan_downgrade(&current, "+1").unwrap_err();
    assert_eq!(
        e.to_string(),
        "relative target `+1` cannot be used with downgrade; use upgrade instead"
    );
    let e = g.plan_downgrade(&[], "-1").unwrap_err();
    assert_eq!(
        e.to_string(),
        "relative target `-1` needs an applied revision, but none is applied"
    );
    let e = g.plan_upgrade(&[], "core2+1").unwrap_err();
    assert_eq!(
        e.to_string(),
        "relative target `core2+1` goes past the head; use `head`, `heads` or a smaller step"
    );
    let e = g.plan_downgrade(&[id("27c6a30d7c24")], "side").unwrap_err();
    assert_eq!(
        e.to_string(),
        "revision `27c6b00000aa` is not applied below the current heads (27c6a30d7c24): cannot downgrade to it"
    );
    let e = g.plan_stamp(&[], "+1").unwrap_err();
    assert_eq!(
        e.to_string(),
        "relative target `+1` depends on the applied revisions; plan an upgrade or downgrade instead"
    );
    // At a merge point both parents are on the label's line: a walk down cannot be
    // narrowed by the label the target already gives.
    let e = g
        .plan_downgrade(&[id("mmmm00000000"), id("other0000002")], "core@-1")
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "relative target `core@-1` is ambiguous: `mmmm00000000` merges 27c6a30d7c24, bbbb00000001; name the revision to go to instead (a branch label cannot choose here)"
    );
    // Nor a walk up whose label keeps several children.
    let e = g
        .plan_upgrade(&[id("ae1027a6acf0")], "core@+2")
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "relative target `core@+2` is ambiguous: `ae1f00000000` has several children: 27c6a30d7c24, 27c6b00000aa; name the revision to go to instead (a branch label cannot choose here)"
    );
    // `label@-1` with the label's line applied but not a row of its own.
    let plan = g.plan_downgrade(&current, "data@-1").unwrap();
    assert_eq!(plan.steps.len(), 1);
    assert_eq!(plan.steps[0].revision, "other0000002");
    // Upgrading a branch with nothing of it applied starts from its base.
    let plan = g.plan_upgrade(&[id("core2")], "data@+1").unwrap();
    assert_eq!(plan.steps.len(), 1);
    assert_eq!(plan.steps[0].revision, "other0000001");
}

#[test]
fn graph_errors_list_every_problem_by_id() {
    let revs = vec![
        rev("a", &[], &[], &["x"]),
        rev("a", &[], &[], &[]),
        rev("b", &["a", "zz"], &["a"], &["x", "a"]),
        rev("c", &["d"], &[], &[]),
        rev("d", &["c"], &[], &[]),
        rev("e", &["e"], &[], &[]),
    ];
    let errs = Graph::new(revs.clone()).unwrap_err();
    assert!(!errs.errors().is_empty());
    assert_eq!(
        errs.to_string(),
        [
            "revision `a` is declared more than once; give each migration its own id",
            "revision `b` lists unknown revision `zz` in `revises`; declare it, fix the id, or \
             link the crate that declares it (`use the_crate as _;`)",
            "revision `b` names `a` more than once in `revises`/`depends_on`; remove the repeat",
            "revision `e` names itself in `revises`",
            "revisions form a cycle through `revises`/`depends_on`: c -> d -> c",
            "branch label `x` is used by both `a` and `b`; labels must be unique",
            "branch label `a` of revision `b` is also a revision id; rename the label",
        ]
        .join("\n")
    );
    let cycle = errs
        .errors()
        .iter()
        .find(|e| matches!(e, GraphError::Cycle { .. }))
        .unwrap();
    assert_eq!(
        cycle.message(&revs),
        "revisions form a cycle through `revises`/`depends_on`: c -> d -> c"
    );
    let boxed: Box<dyn std::error::Error> = Box::new(errs);
    assert!(boxed.to_string().contains("zz"));
}

#[test]
fn dependency_normalisation_matches_alembic() {
    // c depends on a, and so does its parent b: for c the dependency is implied, so
    // upgrading c from b moves b's row instead of merging.
    let g = Graph::new(vec![
        rev("a0", &[], &[], &[]),
        rev("x0", &[], &[], &[]),
        rev("b0", &["x0"], &["a0"], &[]),
        rev("c0", &["b0"], &["a0"], &[]),
    ])
    .unwrap();
    let plan = g.plan_upgrade(&[id("b0")], "c0").unwrap();
    assert_eq!(plan.steps.len(), 1);
    assert_eq!(plan.steps[0].delete_versions(), [id("b0")]);
    assert_eq!(plan.steps[0].insert_versions(), [id("c0")]);
    let plan = g.plan_upgrade(&[], "heads").unwrap();
    assert_eq!(plan.versions_after(&[]), [id("c0")]);
}

#[test]
fn graphs_and_plans_can_be_shared_across_threads() {
    fn shared<T: Send + Sync + Clone + std::fmt::Debug>() {}
    shared::<Graph>();
    shared::<migrate_core::Plan>();
    shared::<PlanError>();
    let g = graph();
    let copy = g.clone();
    std::thread::spawn(move || copy.plan_upgrade(&[], "heads").unwrap())
        .join()
        .unwrap();
    assert_eq!(names(g.heads()), ["core2", "other0000002"]);
}
