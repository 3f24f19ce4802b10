//! Times graph building and planning on generated branchy histories (`Shape::branchy`,
//! the seed `migrate-bench` uses), to check that cost grows linearly with their size.
//!
//! `cargo run --release -p migrate-core --example probe -- [SIZE...]` prints the best of
//! 20 runs (5 from 100,000 revisions on) of each stage per size; plans are dropped inside
//! the timing, as in a criterion `iter`. Wall-clock times on a shared machine wander, so
//! `--once SIZE` builds and plans once and exits, a workload whose instructions
//! callgrind counts the same on every run:
//!
//! ```text
//! valgrind --tool=callgrind --toggle-collect='migrate_core::graph::Graph::new' \
//!     --toggle-collect='*plan_upgrade' --toggle-collect='*plan_downgrade' \
//!     target/release/examples/probe --once 10000
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant};

use migrate_core::testing::{History, Shape};
use migrate_core::{Graph, RevisionId, check};

fn best(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--once") {
        let n = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10_000);
        let revisions = History::new(Shape::branchy(n), 2024).generate();
        let graph = Graph::new(revisions).expect("valid");
        let up = graph.plan_upgrade(&[], "heads").expect("plannable");
        let heads = up.versions_after(&[]);
        let down = graph.plan_downgrade(&heads, "base").expect("plannable");
        black_box((up, down));
        return;
    }
    let sizes: Vec<usize> = if args.is_empty() {
        vec![1_000, 10_000, 100_000]
    } else {
        args.iter().map(|s| s.parse().expect("a size")).collect()
    };
    println!(
        "{:>8} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "n", "check", "build", "upgrade", "downgrade", "total"
    );
    for n in sizes {
        let revisions = History::new(Shape::branchy(n), 2024).generate();
        let runs = if n >= 100_000 { 5 } else { 20 };
        let check_time = best(runs, || {
            black_box(check(black_box(&revisions)));
        });
        // The input is cloned outside the timed part, as criterion's batched setup does.
        let build = (0..runs)
            .map(|_| {
                let input = revisions.clone();
                let start = Instant::now();
                black_box(Graph::new(input).expect("valid"));
                start.elapsed()
            })
            .min()
            .unwrap_or_default();
        let graph = Graph::new(revisions.clone()).expect("valid");
        let up = best(runs, || {
            black_box(graph.plan_upgrade(&[], "heads").expect("plannable"));
        });
        let heads: Vec<RevisionId> = graph
            .plan_upgrade(&[], "heads")
            .expect("plannable")
            .versions_after(&[]);
        let down = best(runs, || {
            black_box(graph.plan_downgrade(&heads, "base").expect("plannable"));
        });
        println!(
            "{n:>8} {:>10.3?} {:>10.3?} {:>10.3?} {:>10.3?} {:>10.3?}",
            check_time,
            build,
            up,
            down,
            build + up + down
        );
    }
}
