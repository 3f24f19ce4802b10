//! Runs the pure graph operations once on a generated history, stopping after the one
//! named, so that an instruction counter (`valgrind --tool=callgrind`) can tell each
//! operation's work apart by difference and show how it grows with the history:
//!
//! ```sh
//! cargo build --release -p migrate-bench --example graph_work
//! for n in 1000 10000 100000; do for op in generate build upgrade downgrade; do
//!   valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/graph_work $n $op 2>&1 | grep Collected
//! done; done
//! ```
//!
//! `build` minus `generate` is building and validating the graph, `upgrade` minus `build`
//! planning base → heads, `downgrade` minus `upgrade` planning heads → base (with the
//! version rows at heads read off the upgrade plan). Instruction
//! counts do not depend on caches or on the machine's load, so where the time per revision
//! grows with the history and the instructions per revision do not, the difference is
//! memory, not the algorithm.

use std::hint::black_box;
use std::process::ExitCode;

use migrate_bench::pure;
use migrate_core::Graph;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [n, op] = args.as_slice() else {
        eprintln!("usage: graph_work N (generate|build|upgrade|downgrade)");
        return ExitCode::from(2);
    };
    let Ok(n) = n.parse::<usize>() else {
        eprintln!("error: N must be a number of revisions, not `{n}`");
        return ExitCode::from(2);
    };
    let stages = ["generate", "build", "upgrade", "downgrade"];
    let Some(last) = stages.iter().position(|s| s == op) else {
        eprintln!("error: unknown operation `{op}`; expected one of {stages:?}");
        return ExitCode::from(2);
    };
    let revisions = pure::history(n);
    if last == 0 {
        black_box(revisions);
        return ExitCode::SUCCESS;
    }
    let graph = Graph::new(revisions).expect("generated histories are valid");
    if last == 1 {
        black_box(graph);
        return ExitCode::SUCCESS;
    }
    let up = graph.plan_upgrade(&[], "heads").expect("plannable");
    if last == 2 {
        black_box(up);
        return ExitCode::SUCCESS;
    }
    let heads = up.versions_after(&[]);
    black_box(graph.plan_downgrade(&heads, "base").expect("plannable"));
    ExitCode::SUCCESS
}
