//! Replays the cases recorded from Alembic itself by `tests/alembic_oracle/oracle.py` and
//! compares step order, per-step version-table changes, final rows and refusals.

use std::collections::BTreeSet;

use migrate_core::{Direction, Graph, PlanError, Revision, RevisionId};
use serde_json::Value;

fn ids(v: &Value) -> Vec<RevisionId> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|s| RevisionId::new(s.as_str().expect("string")).expect("valid id"))
        .collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|s| s.as_str().expect("string").to_owned())
        .collect()
}

fn set(ids: &[RevisionId]) -> BTreeSet<String> {
    ids.iter().map(|i| i.to_string()).collect()
}

fn render(plan: &migrate_core::Plan) -> Vec<String> {
    plan.steps
        .iter()
        .map(|s| {
            let mut del = s.delete_versions().to_vec();
            let mut ins = s.insert_versions().to_vec();
            del.sort();
            ins.sort();
            format!(
                "{} {} -{} +{}",
                s.revision,
                if s.direction == Direction::Up {
                    "up"
                } else {
                    "down"
                },
                del.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(","),
                ins.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(",")
            )
        })
        .collect()
}

/// Alembic's step lines list deleted and inserted rows in declaration order; ours are
/// compared as sets, so sort both sides the same way.
fn normalize(line: &str) -> String {
    let mut parts: Vec<String> = line.split(' ').map(str::to_owned).collect();
    for part in parts.iter_mut().skip(2) {
        let (sign, rest) = part.split_at(1);
        let mut items: Vec<&str> = rest.split(',').filter(|s| !s.is_empty()).collect();
        items.sort_unstable();
        *part = format!("{sign}{}", items.join(","));
    }
    parts.join(" ")
}

/// Documented differences: stamping a relative target is refused (Alembic resolves `-1`
/// against the script heads when the table is empty and fails otherwise).
fn deliberate_refusal(op: &str, target: &str) -> bool {
    op == "stamp" && target.contains(['+', '-'])
}

#[test]
fn matches_alembic() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/alembic_oracle/fixtures.json"
    ))
    .expect("fixtures present");
    let data: Value = serde_json::from_str(&text).expect("valid json");
    let mut failures = Vec::new();
    let mut total = 0;
    for g in data["graphs"].as_array().expect("graphs") {
        let name = g["name"].as_str().expect("name");
        let revisions: Vec<Revision> = g["revisions"]
            .as_array()
            .expect("revisions")
            .iter()
            .map(|r| Revision {
                id: RevisionId::new(r[0].as_str().expect("id")).expect("valid id"),
                down_revisions: ids(&r[1]),
                depends_on: ids(&r[2]),
                branch_labels: strings(&r[3]),
            })
            .collect();
        let graph = Graph::new(revisions).expect("fixture graphs are valid");
        for case in g["cases"].as_array().expect("cases") {
            total += 1;
            let op = case["op"].as_str().expect("op");
            let target = case["target"].as_str().expect("target");
            let current = ids(&case["current"]);
            let expected_error = case.get("error").map(|e| {
                format!(
                    "{}: {}",
                    e.as_str().unwrap_or(""),
                    case["message"].as_str().unwrap_or("")
                )
            });
            let (got_steps, got_rows): (Option<Vec<String>>, Result<Vec<RevisionId>, PlanError>) =
                match op {
                    "stamp" => (None, graph.plan_stamp(&current, target)),
                    "upgrade" | "downgrade" => {
                        let plan = if op == "upgrade" {
                            graph.plan_upgrade(&current, target)
                        } else {
                            graph.plan_downgrade(&current, target)
                        };
                        match plan {
                            Ok(p) => (Some(render(&p)), Ok(p.versions_after(&current))),
                            Err(e) => (None, Err(e)),
                        }
                    }
                    other => panic!("unknown op {other}"),
                };
            let context = format!("{name}: {op} {target:?} from {current:?}");
            match (&expected_error, &got_rows) {
                (Some(err), Err(e)) => {
                    if std::env::var("SHOW_ERRORS").is_ok() {
                        let variant = format!("{e:?}");
                        let variant = variant.split([' ', '{', '(']).next().unwrap_or("");
                        println!("ERRMAP {op} | {} | {variant}", err.chars().take(45).collect::<String>());
                    }
                }
                (None, Err(e)) if deliberate_refusal(op, target) => {
                    let _ = e;
                }
                (Some(err), Ok(rows)) => failures.push(format!(
                    "{context}: alembic refuses ({err}) but we give rows {rows:?} steps {got_steps:?}"
                )),
                (None, Err(e)) => failures.push(format!(
                    "{context}: alembic gives {:?} but we refuse: {e}",
                    case.get("steps").or(case.get("rows"))
                )),
                (None, Ok(rows)) => {
                    let want_rows: Vec<RevisionId> = ids(&case["rows"]);
                    if set(rows) != set(&want_rows) {
                        failures.push(format!(
                            "{context}: rows {rows:?}, alembic {want_rows:?}"
                        ));
                    }
                    if let (Some(steps), Some(want)) = (&got_steps, case.get("steps")) {
                        let want: Vec<String> = strings(want).iter().map(|s| normalize(s)).collect();
                        if *steps != want {
                            failures.push(format!(
                                "{context}:\n  ours    {steps:?}\n  alembic {want:?}"
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(total > 10_000, "fixtures hold {total} cases");
    assert!(
        failures.is_empty(),
        "{} of {total} cases differ from Alembic:\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
