//! The end-to-end suite: for each backend and N, rounds of fresh databases on which
//! migrate, diesel_migrations and the database's CLI run the same migrations, each in a
//! child process; then the graph timings, the compile cost, and the report.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use crate::child::Op;
use crate::databases::{Kind, Server};
use crate::{BoxError, compile, report, workload};

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
  --compile-runs R      builds per crate for the compile-cost figure, 0 to skip (default 9)
  --compile-n N         migrations in the compile-cost crates (default 1000)
  --sqlite-dir DIR      where the SQLite files go (default /dev/shm when it exists, so that
                        the figures measure the tools rather than this disk's fsync)
  --single-binary       run every child from this binary (all three client libraries
                        loaded) instead of one build per backend; faster to start, but
                        process start and memory then include the other backends' libraries
  --postgres-bundled    also measure PostgreSQL through a child built with libpq compiled in
                        (migrate-runtime's `postgres-bundled` feature), reported as one more
                        backend beside the default build against the system's libpq
  --no-pure             skip the graph timings
  --compile-only        only the compile-cost builds: print each build time and the median
                        ratio, write no report
  --out PATH            the report (default BENCHMARKS.md in the workspace root); the plot
                        and the raw samples go to migrate-bench/results for the default, and
                        to <name>-results beside any other report
";

/// The parsed command line.
#[derive(Debug, Clone)]
struct Config {
    ns: Vec<usize>,
    runs: usize,
    warmup: usize,
    backends: Vec<Kind>,
    postgres_url: String,
    mysql_url: String,
    compile_runs: usize,
    compile_n: usize,
    pure: bool,
    compile_only: bool,
    single_binary: bool,
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
            compile_runs: 9,
            compile_n: 1000,
            pure: true,
            compile_only: false,
            single_binary: false,
            sqlite_dir: if Path::new("/dev/shm").is_dir() {
                PathBuf::from("/dev/shm")
            } else {
                std::env::temp_dir()
            },
            out: workspace_root().join("BENCHMARKS.md"),
            args: args.clone(),
        };
        let mut postgres_bundled = false;
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
                "--postgres-bundled" => postgres_bundled = true,
                "--compile-only" => config.compile_only = true,
                "--single-binary" => config.single_binary = true,
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
        if postgres_bundled && !config.backends.contains(&Kind::PostgresBundled) {
            config.backends.push(Kind::PostgresBundled);
        }
        if config.single_binary && config.backends.contains(&Kind::PostgresBundled) {
            return Err(
                "the bundled-libpq figures need a child built with `postgres-bundled`; \
                 drop `--single-binary` or `--postgres-bundled`"
                    .into(),
            );
        }
        Ok(config)
    }
}

/// The suite's entry point: parses `args`, runs, writes the report.
pub fn main(args: Vec<String>) -> ExitCode {
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
    let result = if config.compile_only {
        compile_only(&config)
    } else {
        run(&config)
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The binary whose children measure `kind`: this same crate built with only that
/// backend's feature (so that process start and peak memory are those of an application
/// linking one client library; `postgres-bundled` links libpq statically), or this binary
/// with `--single-binary`.
fn child_binary(config: &Config, kind: Kind) -> Result<PathBuf, BoxError> {
    if config.single_binary {
        return Ok(std::env::current_exe()?);
    }
    let target = target_base(&workspace_root()).join("migrate-bench-children");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!("building the {} child binary (once)", kind.title());
    let status = Command::new(cargo)
        .current_dir(workspace_root())
        .args([
            "build",
            "--quiet",
            "--release",
            "--package",
            "migrate-bench",
            "--bin",
        ])
        .arg("migrate-bench")
        .args(["--no-default-features", "--features", kind.name()])
        .env("CARGO_TARGET_DIR", &target)
        .status()?;
    if !status.success() {
        return Err(format!("building the {} child binary failed", kind.title()).into());
    }
    // Each build replaces `release/migrate-bench`; keep one copy per backend.
    let copy = target.join(format!("migrate-bench-{}", kind.name()));
    std::fs::copy(target.join("release").join("migrate-bench"), &copy)?;
    Ok(copy)
}

/// `CARGO_TARGET_DIR`, else the workspace's `target`.
fn target_base(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
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

fn child_cmd(binary: &Path, tool: &str, url: &str, arg: &str, op: Op) -> Result<Command, BoxError> {
    let mut cmd = Command::new(binary);
    cmd.args(["child", tool, url, arg, op.name()]);
    Ok(cmd)
}

/// How many times each round runs each no-op figure; the round keeps the median.
const NOOP_REPEATS: usize = 5;

/// The median time of `samples`, with the largest peak memory among them.
fn median_sample(samples: Vec<(f64, Option<u64>)>) -> (f64, Option<u64>) {
    let times: Vec<f64> = samples.iter().map(|s| s.0).collect();
    let rss = samples.iter().filter_map(|s| s.1).max();
    (
        crate::stats::Summary::of(&times).map_or(0.0, |s| s.median),
        rss,
    )
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
    /// The figures the sequence takes.
    fn figures(self) -> &'static [(report::Tool, Op)] {
        use report::Tool;
        match self {
            Sequence::Migrate => &[
                (Tool::Migrate, Op::Upgrade),
                (Tool::Migrate, Op::Noop),
                (Tool::Floor, Op::Noop),
                (Tool::Connect, Op::Noop),
                (Tool::Migrate, Op::Downgrade),
            ],
            Sequence::MigrateAll => &[(Tool::Migrate, Op::UpgradeAll)],
            Sequence::Diesel => &[
                (Tool::Diesel, Op::Upgrade),
                (Tool::Diesel, Op::Noop),
                (Tool::Diesel, Op::Downgrade),
            ],
            Sequence::DieselAll => &[(Tool::Diesel, Op::UpgradeAll)],
            Sequence::Floor => &[(Tool::Floor, Op::Upgrade), (Tool::Floor, Op::Downgrade)],
            Sequence::FloorAll => &[(Tool::Floor, Op::UpgradeAll)],
        }
    }

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

/// The lines of a failed tool's output that say why: its error lines and any hint.
fn error_summary(output: &str) -> String {
    let lines: Vec<&str> = output
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| {
            let lower = l.to_ascii_lowercase();
            lower.contains("error") || lower.starts_with("hint")
        })
        .collect();
    let text = if lines.is_empty() {
        output
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or(output)
            .trim()
            .to_owned()
    } else {
        lines.join(" ")
    };
    text.chars().take(300).collect()
}

/// Runs one sequence, recording its figures when `keep`. The outer error is the
/// harness's own (a database it cannot create or drop) and ends the run; the inner one is a
/// measured tool that failed, which the caller records as a figure that cannot be taken.
fn sequence(
    server: &mut Server,
    children: &Path,
    inputs: &Inputs,
    seq: Sequence,
    results: &mut report::Results,
    keep: bool,
) -> Result<Result<(), String>, BoxError> {
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
                let op = Op::Upgrade;
                let m = timed(
                    &mut child_cmd(children, "migrate", &url, &ns, op)?,
                    "migrate",
                )?;
                figures.push((Tool::Migrate, op, m));
                // A no-op takes milliseconds, where one scheduling hiccup of a shared
                // machine shows; each round takes the median of several, interleaved.
                let query = "SELECT version_num FROM migrate_version";
                let mut noop: [Vec<(f64, Option<u64>)>; 3] = Default::default();
                for _ in 0..NOOP_REPEATS {
                    noop[0].push(timed(
                        &mut child_cmd(children, "migrate", &url, &ns, Op::Noop)?,
                        "migrate",
                    )?);
                    noop[1].push(timed(&mut server.cli_query(&url, query)?, kind.cli())?);
                    noop[2].push(timed(
                        &mut child_cmd(children, "connect", &url, "-", Op::Noop)?,
                        "connect",
                    )?);
                }
                for (tool, samples) in [Tool::Migrate, Tool::Floor, Tool::Connect]
                    .into_iter()
                    .zip(noop)
                {
                    figures.push((tool, Op::Noop, median_sample(samples)));
                }
                let op = Op::Downgrade;
                let m = timed(
                    &mut child_cmd(children, "migrate", &url, &ns, op)?,
                    "migrate",
                )?;
                figures.push((Tool::Migrate, op, m));
            }
            Sequence::MigrateAll => {
                let op = Op::UpgradeAll;
                let m = timed(
                    &mut child_cmd(children, "migrate", &url, &ns, op)?,
                    "migrate",
                )?;
                figures.push((Tool::Migrate, op, m));
            }
            Sequence::Diesel | Sequence::DieselAll => {
                let ops: &[Op] = if seq == Sequence::Diesel {
                    &[Op::Upgrade, Op::Noop, Op::Downgrade]
                } else {
                    &[Op::UpgradeAll]
                };
                for &op in ops {
                    if op == Op::Noop {
                        let samples = (0..NOOP_REPEATS)
                            .map(|_| {
                                timed(
                                    &mut child_cmd(children, "diesel", &url, &diesel_dir, op)?,
                                    "diesel_migrations",
                                )
                            })
                            .collect::<Result<Vec<_>, BoxError>>()?;
                        figures.push((Tool::Diesel, op, median_sample(samples)));
                        continue;
                    }
                    let d = timed(
                        &mut child_cmd(children, "diesel", &url, &diesel_dir, op)?,
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
    if let Err(err) = outcome {
        return Ok(Err(error_summary(&err.to_string())));
    }
    if keep {
        for (tool, op, (seconds, rss)) in figures {
            results.record(kind, n, op, tool, seconds, rss);
        }
    }
    Ok(Ok(()))
}

fn run(config: &Config) -> Result<(), BoxError> {
    let root = workspace_root();
    let scratch = std::env::temp_dir().join(format!("migrate-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let mut meta = report::Meta::collect(config.args.clone());
    let mut results = report::Results::default();
    let started = Instant::now();

    // The in-process figures first, before the database phases leave their servers with
    // background work (autovacuum, the purge of thousands of dropped tables).
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
        compile_cost(&root, config)?
    } else {
        Vec::new()
    };

    for &kind in &config.backends {
        let url = match kind {
            Kind::Sqlite => "",
            Kind::Postgres | Kind::PostgresBundled => &config.postgres_url,
            Kind::Mysql => &config.mysql_url,
        };
        let children = child_binary(config, kind)?;
        let sqlite_scratch = config
            .sqlite_dir
            .join(format!("migrate-bench-{}", std::process::id()));
        let mut server = Server::connect(kind, url, &sqlite_scratch)?;
        meta.versions.push((
            kind.title().to_owned(),
            server.version()?,
            crate::databases::cli_version(kind.cli())?,
        ));
        for &n in &config.ns {
            let inputs = Inputs::write(&scratch, n)?;
            let sequences: Vec<Sequence> = SEQUENCES
                .into_iter()
                .filter(|s| kind != Kind::Mysql || !s.needs_transactional_ddl())
                .collect();
            // Sequences that failed at this N (PostgreSQL runs out of lock slots creating
            // 5,000 tables in one transaction, say): recorded once, not run again.
            let mut failed: Vec<Sequence> = Vec::new();
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
                    if failed.contains(&seq) {
                        continue;
                    }
                    if let Err(error) =
                        sequence(&mut server, &children, &inputs, seq, &mut results, keep)?
                    {
                        eprintln!(
                            "[{:>6.1}s] {} N={n}: {seq:?} failed, reported as not measured: {error}",
                            started.elapsed().as_secs_f64(),
                            kind.title(),
                        );
                        for &(tool, op) in seq.figures() {
                            results.fail(kind, n, op, tool, error.clone());
                        }
                        failed.push(seq);
                    }
                }
            }
        }
        if kind == Kind::Sqlite {
            let _ = std::fs::remove_dir_all(&sqlite_scratch);
            meta.sqlite_dir = config.sqlite_dir.display().to_string();
        }
    }

    meta.finish(started.elapsed());
    let results_rel = results_dir(&root, &config.out);
    let results_dir = config
        .out
        .parent()
        .unwrap_or(Path::new(""))
        .join(&results_rel);
    std::fs::create_dir_all(&results_dir)?;
    let svg = results_dir.join(report::PLOT_FILE);
    std::fs::write(&svg, report::plot(&results, &config.backends))?;
    std::fs::write(results_dir.join(report::RAW_FILE), results.to_csv())?;
    let notes = std::fs::read_to_string(root.join("migrate-bench/NOTES.md")).unwrap_or_default();
    let text = report::markdown(
        &meta,
        &results,
        &config.backends,
        &config.ns,
        &pure_rows,
        &compile,
        &results_rel,
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

/// The folder of the plot and the raw samples, relative to the report at `out`: the
/// committed `migrate-bench/results` for the committed report, and `<name>-results` beside
/// any other, so that a trial run with `--out` leaves the committed files alone.
fn results_dir(root: &Path, out: &Path) -> String {
    if std::path::absolute(out).is_ok_and(|out| out == root.join("BENCHMARKS.md")) {
        return "migrate-bench/results".into();
    }
    let stem = out
        .file_stem()
        .map_or("benchmarks".into(), |stem| stem.to_string_lossy());
    format!("{stem}-results")
}

/// `--compile-only`: the compile-cost builds alone, printed instead of reported.
fn compile_only(config: &Config) -> Result<(), BoxError> {
    if config.compile_runs == 0 {
        return Err("`--compile-only` needs `--compile-runs` of at least 1".into());
    }
    let median = |v: &[f64]| crate::stats::Summary::of(v).map_or(f64::NAN, |s| s.median);
    for row in compile_cost(&workspace_root(), config)? {
        println!("{}:", row.profile.describe());
        println!("  with:    {:.3?}", row.with);
        println!("  without: {:.3?}", row.without);
        let (with, without) = (median(&row.with), median(&row.without));
        let ratio = crate::stats::Summary::of_ratios(&row.with, &row.without)
            .map_or(f64::NAN, |s| s.median);
        println!(
            "  median with {with:.3} s, without {without:.3} s, paired ratio {ratio:.2}x (n = {})",
            row.n
        );
    }
    Ok(())
}

/// Builds the two generated crates under each [`compile::MacroProfile`], all four
/// alternating round by round, and returns their build times, one row per profile.
fn compile_cost(root: &Path, config: &Config) -> Result<Vec<report::CompileRow>, BoxError> {
    let dir = target_base(root).join("migrate-bench-compile");
    let runtime = root.join("migrate-runtime");
    let lock = root.join("Cargo.lock");
    let target = dir.join("target");
    let mut crates = Vec::new();
    for profile in compile::MacroProfile::ALL {
        let write = |variant| {
            compile::write_crate(&dir, variant, profile, config.compile_n, &runtime, &lock)
        };
        let with = write(compile::Variant::WithAttribute)?;
        let without = write(compile::Variant::WithoutAttribute)?;
        // Warm-up: builds the dependencies once per profile, and each crate once.
        compile::build(&with, &target)?;
        compile::build(&without, &target)?;
        crates.push((with, without));
    }
    let mut rows: Vec<report::CompileRow> = compile::MacroProfile::ALL
        .into_iter()
        .map(|profile| report::CompileRow {
            n: config.compile_n,
            profile,
            with: Vec::new(),
            without: Vec::new(),
        })
        .collect();
    for _ in 0..config.compile_runs {
        for (row, (with, without)) in rows.iter_mut().zip(&crates) {
            row.without.push(compile::build(without, &target)?);
            row.with.push(compile::build(with, &target)?);
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_tool_is_summarized_by_its_error_and_hint_lines() {
        let psql = "psql failed (exit status: 3):\nCREATE TABLE\n\
                    psql:/tmp/up-single.sql:9001: ERROR:  out of shared memory\n\
                    HINT:  You might need to increase max_locks_per_transaction.\n";
        assert_eq!(
            error_summary(psql),
            "psql:/tmp/up-single.sql:9001: ERROR:  out of shared memory \
             HINT:  You might need to increase max_locks_per_transaction."
        );
        let quiet = "migrate failed (exit status: 1):\nsomething broke\n\n";
        assert_eq!(error_summary(quiet), "something broke");
    }

    fn parse(args: &[&str]) -> Result<Config, String> {
        Config::parse(args.iter().map(|a| a.to_string()).collect())
    }

    #[test]
    fn postgres_bundled_adds_one_backend_after_the_others() {
        let config = parse(&["--postgres-bundled", "--backends", "postgres"]).unwrap();
        assert_eq!(config.backends, [Kind::Postgres, Kind::PostgresBundled]);
        let config = parse(&["--backends", "postgres-bundled", "--postgres-bundled"]).unwrap();
        assert_eq!(config.backends, [Kind::PostgresBundled]);
        assert!(
            !parse(&[])
                .unwrap()
                .backends
                .contains(&Kind::PostgresBundled)
        );
    }

    #[test]
    fn only_the_committed_report_writes_the_committed_plot_and_samples() {
        let root = workspace_root();
        let default = parse(&[]).unwrap().out;
        assert_eq!(results_dir(&root, &default), "migrate-bench/results");
        assert_eq!(
            results_dir(&root, Path::new("/tmp/trial.md")),
            "trial-results"
        );
        assert_eq!(
            results_dir(&root, &root.join("migrate-bench/BENCHMARKS.md")),
            "BENCHMARKS-results"
        );
    }

    #[test]
    fn postgres_bundled_needs_its_own_child_build() {
        let err = parse(&["--postgres-bundled", "--single-binary"]).unwrap_err();
        assert!(err.contains("--single-binary"), "{err}");
    }
}
