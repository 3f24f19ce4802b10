//! `migrate-bench`: the end-to-end benchmark suite behind `cargo xtask bench`. See
//! `BENCHMARKS.md` at the repository root for what it measures and the last results.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use migrate_bench::child::{self, Op};
use migrate_bench::databases::{Kind, Server};
use migrate_bench::{BoxError, compile, report, workload};

const USAGE: &str = "\
usage: migrate-bench [options]        (cargo xtask bench [options])

options:
  --n LIST              migration counts, comma-separated (default 100,1000; add 5000 for the
                        large point)
  --runs R              measured rounds after the warm-up round (default 5)
  --warmup W            warm-up rounds, discarded (default 1)
  --backends LIST       sqlite,postgres,mysql (default all three)
  --postgres-url URL    administrative PostgreSQL URL (default $MIGRATE_TEST_POSTGRES_URL or
                        postgres://postgres@127.0.0.1:5432/postgres)
  --mysql-url URL       administrative MariaDB/MySQL URL (default $MIGRATE_TEST_MYSQL_URL or
                        mysql://root@127.0.0.1:3306/test)
  --compile-runs R      builds per crate for the compile-cost figure, 0 to skip (default 3)
  --compile-n N         migrations in the compile-cost crates (default 1000)
  --sqlite-dir DIR      where the SQLite files go (default /dev/shm when it exists, so that
                        the figures measure the tools rather than this disk's fsync)
  --no-pure             skip the graph timings
  --out PATH            the report (default BENCHMARKS.md in the workspace root)
";

/// The parsed command line.
#[derive(Debug, Clone)]
pub struct Config {
    ns: Vec<usize>,
    runs: usize,
    warmup: usize,
    backends: Vec<Kind>,
    postgres_url: String,
    mysql_url: String,
    compile_runs: usize,
    compile_n: usize,
    pure: bool,
    sqlite_dir: PathBuf,
    out: PathBuf,
    args: Vec<String>,
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("migrate-bench lives one level below the workspace root")
        .to_path_buf()
}

impl Config {
    fn parse(args: Vec<String>) -> Result<Config, String> {
        let env_or = |var: &str, default: &str| {
            std::env::var(var)
                .ok()
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| default.to_owned())
        };
        let mut config = Config {
            ns: vec![100, 1000],
            runs: 5,
            warmup: 1,
            backends: vec![Kind::Sqlite, Kind::Postgres, Kind::Mysql],
            postgres_url: env_or(
                "MIGRATE_TEST_POSTGRES_URL",
                "postgres://postgres@127.0.0.1:5432/postgres",
            ),
            mysql_url: env_or("MIGRATE_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/test"),
            compile_runs: 3,
            compile_n: 1000,
            pure: true,
            sqlite_dir: if Path::new("/dev/shm").is_dir() {
                PathBuf::from("/dev/shm")
            } else {
                std::env::temp_dir()
            },
            out: workspace_root().join("BENCHMARKS.md"),
            args: args.clone(),
        };
        let mut iter = args.into_iter();
        let number = |v: Option<String>, flag: &str| -> Result<usize, String> {
            v.and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("`{flag}` needs a number"))
        };
        while let Some(arg) = iter.next() {
            match arg.as_str() {
                "--n" => {
                    let list = iter.next().ok_or("`--n` needs a list")?;
                    config.ns = list
                        .split(',')
                        .map(|s| s.trim().parse().map_err(|_| format!("bad count `{s}`")))
                        .collect::<Result<_, _>>()?;
                    config.ns.sort_unstable();
                    config.ns.dedup();
                }
                "--runs" => config.runs = number(iter.next(), "--runs")?.max(1),
                "--warmup" => config.warmup = number(iter.next(), "--warmup")?,
                "--backends" => {
                    let list = iter.next().ok_or("`--backends` needs a list")?;
                    config.backends = list
                        .split(',')
                        .map(|s| Kind::parse(s.trim()).ok_or(format!("unknown backend `{s}`")))
                        .collect::<Result<_, _>>()?;
                }
                "--postgres-url" => {
                    config.postgres_url = iter.next().ok_or("`--postgres-url` needs a URL")?
                }
                "--mysql-url" => {
                    config.mysql_url = iter.next().ok_or("`--mysql-url` needs a URL")?
                }
                "--compile-runs" => config.compile_runs = number(iter.next(), "--compile-runs")?,
                "--compile-n" => config.compile_n = number(iter.next(), "--compile-n")?.max(2),
                "--no-pure" => config.pure = false,
                "--sqlite-dir" => {
                    config.sqlite_dir = iter.next().ok_or("`--sqlite-dir` needs a folder")?.into()
                }
                "--out" => config.out = iter.next().ok_or("`--out` needs a path")?.into(),
                other => return Err(format!("unknown option `{other}`")),
            }
        }
        if config.ns.is_empty() {
            return Err("`--n` needs at least one count".into());
        }
        Ok(config)
    }
}

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
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let config = match Config::parse(args) {
        Ok(config) => config,
        Err(problem) => {
            eprintln!("error: {problem}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// `child migrate <url> <n> <op>` and `child diesel <url> <dir> <op>`: one measured run,
/// reporting its peak memory on stdout.
fn run_child(args: &[String]) -> Result<(), BoxError> {
    let [tool, url, arg, op] = args else {
        return Err("usage: child (migrate URL N | diesel URL DIR) OP".into());
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

/// Runs `cmd`, returning its wall time in seconds and the peak memory it reported.
fn timed(cmd: &mut Command, what: &str) -> Result<(f64, Option<u64>), BoxError> {
    let start = Instant::now();
    let out = cmd.output()?;
    let seconds = start.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!(
            "{what} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let rss = String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("peak_rss_kib="))
        .and_then(|v| v.trim().parse().ok());
    Ok((seconds, rss))
}

fn child_cmd(tool: &str, url: &str, arg: &str, op: Op) -> Result<Command, BoxError> {
    let mut cmd = Command::new(std::env::current_exe()?);
    cmd.args(["child", tool, url, arg, op.name()]);
    Ok(cmd)
}

/// One measured sequence: a fresh database and the figures taken on it in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sequence {
    /// migrate upgrade, no-op, the floor's no-op query, downgrade.
    Migrate,
    /// migrate upgrade in one transaction.
    MigrateAll,
    /// diesel_migrations upgrade, no-op, revert all.
    Diesel,
    /// diesel_migrations upgrade inside one outer transaction.
    DieselAll,
    /// The CLI's per-migration upgrade and downgrade scripts.
    Floor,
    /// The CLI's single-transaction upgrade script.
    FloorAll,
}

const SEQUENCES: [Sequence; 6] = [
    Sequence::Migrate,
    Sequence::Floor,
    Sequence::Diesel,
    Sequence::MigrateAll,
    Sequence::FloorAll,
    Sequence::DieselAll,
];

impl Sequence {
    /// Whether the sequence needs transactional DDL.
    fn needs_transactional_ddl(self) -> bool {
        matches!(
            self,
            Sequence::MigrateAll | Sequence::DieselAll | Sequence::FloorAll
        )
    }
}

/// The files one N needs: diesel's folders and the CLI scripts.
struct Inputs {
    n: usize,
    diesel_dir: PathBuf,
    up_per: PathBuf,
    up_single: PathBuf,
    down_per: PathBuf,
}

impl Inputs {
    fn write(scratch: &Path, n: usize) -> Result<Inputs, BoxError> {
        let dir = scratch.join(format!("n{n}"));
        let diesel_dir = dir.join("diesel");
        std::fs::create_dir_all(&diesel_dir)?;
        workload::write_diesel_folders(&diesel_dir, n)?;
        let write = |name: &str, text: String| -> Result<PathBuf, BoxError> {
            let path = dir.join(name);
            std::fs::write(&path, text)?;
            Ok(path)
        };
        Ok(Inputs {
            n,
            diesel_dir,
            up_per: write(
                "up-per.sql",
                workload::script(n, true, workload::Layout::PerMigration),
            )?,
            up_single: write(
                "up-single.sql",
                workload::script(n, true, workload::Layout::Single),
            )?,
            down_per: write(
                "down-per.sql",
                workload::script(n, false, workload::Layout::PerMigration),
            )?,
        })
    }
}

/// Runs one sequence, recording its figures when `keep`.
fn sequence(
    server: &mut Server,
    inputs: &Inputs,
    seq: Sequence,
    results: &mut report::Results,
    keep: bool,
) -> Result<(), BoxError> {
    use report::Tool;
    let kind = server.kind();
    let n = inputs.n;
    let db = format!("migrate_bench_{}", std::process::id());
    let url = server.create(&db)?;
    let ns = n.to_string();
    let diesel_dir = inputs.diesel_dir.to_string_lossy().into_owned();
    let mut figures: Vec<(Tool, Op, (f64, Option<u64>))> = Vec::new();
    let outcome = (|| -> Result<(), BoxError> {
        match seq {
            Sequence::Migrate => {
                for op in [Op::Upgrade, Op::Noop] {
                    let m = timed(&mut child_cmd("migrate", &url, &ns, op)?, "migrate")?;
                    figures.push((Tool::Migrate, op, m));
                }
                let query = "SELECT version_num FROM migrate_version";
                let f = timed(&mut server.cli_query(&url, query)?, kind.cli())?;
                figures.push((Tool::Floor, Op::Noop, f));
                let c = timed(&mut child_cmd("connect", &url, "-", Op::Noop)?, "connect")?;
                figures.push((Tool::Connect, Op::Noop, c));
                let op = Op::Downgrade;
                let m = timed(&mut child_cmd("migrate", &url, &ns, op)?, "migrate")?;
                figures.push((Tool::Migrate, op, m));
            }
            Sequence::MigrateAll => {
                let op = Op::UpgradeAll;
                let m = timed(&mut child_cmd("migrate", &url, &ns, op)?, "migrate")?;
                figures.push((Tool::Migrate, op, m));
            }
            Sequence::Diesel | Sequence::DieselAll => {
                let ops: &[Op] = if seq == Sequence::Diesel {
                    &[Op::Upgrade, Op::Noop, Op::Downgrade]
                } else {
                    &[Op::UpgradeAll]
                };
                for &op in ops {
                    let d = timed(
                        &mut child_cmd("diesel", &url, &diesel_dir, op)?,
                        "diesel_migrations",
                    )?;
                    figures.push((Tool::Diesel, op, d));
                }
            }
            Sequence::Floor => {
                let up = timed(&mut server.cli_script(&url, &inputs.up_per)?, kind.cli())?;
                figures.push((Tool::Floor, Op::Upgrade, up));
                let down = timed(&mut server.cli_script(&url, &inputs.down_per)?, kind.cli())?;
                figures.push((Tool::Floor, Op::Downgrade, down));
            }
            Sequence::FloorAll => {
                let up = timed(&mut server.cli_script(&url, &inputs.up_single)?, kind.cli())?;
                figures.push((Tool::Floor, Op::UpgradeAll, up));
            }
        }
        Ok(())
    })();
    server.drop(&db)?;
    outcome?;
    if keep {
        for (tool, op, (seconds, rss)) in figures {
            results.record(kind, n, op, tool, seconds, rss);
        }
    }
    Ok(())
}

fn run(config: &Config) -> Result<(), BoxError> {
    let root = workspace_root();
    let scratch = std::env::temp_dir().join(format!("migrate-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let mut meta = report::Meta::collect(config.args.clone());
    let mut results = report::Results::default();
    let started = Instant::now();

    for &kind in &config.backends {
        let url = match kind {
            Kind::Sqlite => "",
            Kind::Postgres => &config.postgres_url,
            Kind::Mysql => &config.mysql_url,
        };
        let sqlite_scratch = config
            .sqlite_dir
            .join(format!("migrate-bench-{}", std::process::id()));
        let mut server = Server::connect(kind, url, &sqlite_scratch)?;
        meta.versions.push((
            kind.title().to_owned(),
            server.version()?,
            migrate_bench::databases::cli_version(kind.cli())?,
        ));
        for &n in &config.ns {
            let inputs = Inputs::write(&scratch, n)?;
            let sequences: Vec<Sequence> = SEQUENCES
                .into_iter()
                .filter(|s| kind != Kind::Mysql || !s.needs_transactional_ddl())
                .collect();
            for round in 0..config.warmup + config.runs {
                let keep = round >= config.warmup;
                eprintln!(
                    "[{:>6.1}s] {} N={n} round {}/{}{}",
                    started.elapsed().as_secs_f64(),
                    kind.title(),
                    round + 1,
                    config.warmup + config.runs,
                    if keep { "" } else { " (warm-up)" }
                );
                // Rotating the order spreads slow moments of a shared machine over every
                // tool instead of always hitting the same one.
                for i in 0..sequences.len() {
                    let seq = sequences[(i + round) % sequences.len()];
                    sequence(&mut server, &inputs, seq, &mut results, keep)?;
                }
            }
        }
        if kind == Kind::Sqlite {
            let _ = std::fs::remove_dir_all(&sqlite_scratch);
            meta.sqlite_dir = config.sqlite_dir.display().to_string();
        }
    }

    let pure_rows = if config.pure {
        eprintln!("[{:>6.1}s] graph timings", started.elapsed().as_secs_f64());
        [1_000, 10_000, 100_000]
            .into_iter()
            .map(|n| report::PureRow::measure(n, if n >= 100_000 { 5 } else { 21 }))
            .collect()
    } else {
        Vec::new()
    };

    let compile = if config.compile_runs > 0 {
        eprintln!("[{:>6.1}s] compile cost", started.elapsed().as_secs_f64());
        Some(compile_cost(&root, config)?)
    } else {
        None
    };

    meta.finish(started.elapsed());
    let svg_rel = "migrate-bench/results/time-vs-n.svg";
    let svg = root.join(svg_rel);
    std::fs::create_dir_all(svg.parent().expect("has a parent"))?;
    std::fs::write(&svg, report::plot(&results, &config.backends))?;
    std::fs::write(root.join("migrate-bench/results/raw.csv"), results.to_csv())?;
    let notes = std::fs::read_to_string(root.join("migrate-bench/NOTES.md")).unwrap_or_default();
    let text = report::markdown(
        &meta,
        &results,
        &config.backends,
        &config.ns,
        &pure_rows,
        compile.as_ref(),
        svg_rel,
        &notes,
    );
    std::fs::write(&config.out, text)?;
    let _ = std::fs::remove_dir_all(&scratch);
    eprintln!(
        "[{:>6.1}s] wrote {} and {}",
        started.elapsed().as_secs_f64(),
        config.out.display(),
        svg.display()
    );
    Ok(())
}

/// Builds the two generated crates, alternating, and returns their build times.
fn compile_cost(root: &Path, config: &Config) -> Result<report::CompileRow, BoxError> {
    let target_base = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let dir = target_base.join("migrate-bench-compile");
    let runtime = root.join("migrate-runtime");
    let lock = root.join("Cargo.lock");
    let target = dir.join("target");
    let with = compile::write_crate(
        &dir,
        compile::Variant::WithAttribute,
        config.compile_n,
        &runtime,
        &lock,
    )?;
    let without = compile::write_crate(
        &dir,
        compile::Variant::WithoutAttribute,
        config.compile_n,
        &runtime,
        &lock,
    )?;
    // Warm-up: builds the dependencies once, and each crate once.
    compile::build(&with, &target)?;
    compile::build(&without, &target)?;
    let mut row = report::CompileRow {
        n: config.compile_n,
        with: Vec::new(),
        without: Vec::new(),
    };
    for _ in 0..config.compile_runs {
        row.without.push(compile::build(&without, &target)?);
        row.with.push(compile::build(&with, &target)?);
    }
    Ok(row)
}
