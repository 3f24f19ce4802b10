//! `migrate-bench`: the end-to-end benchmark suite behind `cargo xtask bench`. See
//! `BENCHMARKS.md` at the repository root for what it measures and the last results.
//!
//! Built with a single backend feature, the binary only serves as the suite's child
//! process for that backend (`child ...`).

use std::path::Path;
use std::process::ExitCode;

use migrate_bench::BoxError;
use migrate_bench::child::{self, Op};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("child") {
        return match run_child(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("error: {err}");
                ExitCode::FAILURE
            }
        };
    }
    #[cfg(all(feature = "sqlite", feature = "postgres", feature = "mysql"))]
    return migrate_bench::suite::main(args);
    #[cfg(not(all(feature = "sqlite", feature = "postgres", feature = "mysql")))]
    {
        eprintln!("error: this build has one backend and only runs `child` processes");
        ExitCode::from(2)
    }
}

/// `child migrate <url> <n> <op>`, `child diesel <url> <dir> <op>` and
/// `child connect <url> - noop`: one measured run, reporting its peak memory on stdout.
fn run_child(args: &[String]) -> Result<(), BoxError> {
    let [tool, url, arg, op] = args else {
        return Err("usage: child (migrate URL N | diesel URL DIR | connect URL -) OP".into());
    };
    let op = Op::parse(op).ok_or_else(|| format!("unknown operation `{op}`"))?;
    match tool.as_str() {
        "migrate" => child::migrate(url, arg.parse()?, op)?,
        "diesel" => child::diesel(url, Path::new(arg), op)?,
        "connect" => child::connect_and_query(url)?,
        other => return Err(format!("unknown tool `{other}`").into()),
    }
    println!("peak_rss_kib={}", child::peak_rss_kib().unwrap_or(0));
    Ok(())
}
