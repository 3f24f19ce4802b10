//! The results of a run and their rendering: `BENCHMARKS.md`, the SVG plot and a CSV of
//! every sample.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::Command;
use std::time::Duration;

use crate::child::Op;
use crate::databases::Kind;
use crate::plot::{Panel, Series};
use crate::pure::PureTimes;
use crate::stats::Summary;

/// Who ran a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tool {
    /// migrate's `Migrator`.
    Migrate,
    /// The database's own CLI running the bare SQL.
    Floor,
    /// diesel_migrations' `FileBasedMigrations`.
    Diesel,
    /// The bench binary opening one connection and reading the version table.
    Connect,
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::Migrate => "migrate",
            Tool::Floor => "floor",
            Tool::Diesel => "diesel_migrations",
            Tool::Connect => "connect",
        }
    }
}

/// Every sample of one figure, in round order.
#[derive(Debug, Clone, Default)]
pub struct Samples {
    /// Wall time of each round, in seconds.
    pub seconds: Vec<f64>,
    /// Peak RSS of each round in KiB, where the process reported it.
    pub rss_kib: Vec<u64>,
}

type Key = (u8, usize, u8, Tool);

fn key(kind: Kind, n: usize, op: Op, tool: Tool) -> Key {
    (kind as u8, n, op as u8, tool)
}

/// The samples of a run, by backend, N, operation and tool.
#[derive(Debug, Clone, Default)]
pub struct Results {
    samples: BTreeMap<Key, Samples>,
    labels: BTreeMap<Key, (Kind, Op)>,
    failures: BTreeMap<Key, String>,
}

impl Results {
    /// Records one sample.
    pub fn record(
        &mut self,
        kind: Kind,
        n: usize,
        op: Op,
        tool: Tool,
        seconds: f64,
        rss: Option<u64>,
    ) {
        let k = key(kind, n, op, tool);
        self.labels.insert(k, (kind, op));
        let s = self.samples.entry(k).or_default();
        s.seconds.push(seconds);
        s.rss_kib.extend(rss);
    }

    /// Records that one figure could not be taken at all, with the tool's own error line.
    pub fn fail(&mut self, kind: Kind, n: usize, op: Op, tool: Tool, error: String) {
        let k = key(kind, n, op, tool);
        self.labels.insert(k, (kind, op));
        self.failures.entry(k).or_insert(error);
    }

    /// The figures of one operation that failed, as `tool: error` lines.
    pub fn failures(&self, kind: Kind, n: usize, op: Op) -> Vec<String> {
        [Tool::Migrate, Tool::Floor, Tool::Diesel, Tool::Connect]
            .into_iter()
            .filter_map(|tool| {
                let error = self.failures.get(&key(kind, n, op, tool))?;
                Some(format!("{}: {error}", tool.name()))
            })
            .collect()
    }

    /// The samples of one figure.
    pub fn get(&self, kind: Kind, n: usize, op: Op, tool: Tool) -> Option<&Samples> {
        self.samples.get(&key(kind, n, op, tool))
    }

    /// The time summary of one figure.
    pub fn time(&self, kind: Kind, n: usize, op: Op, tool: Tool) -> Option<Summary> {
        Summary::of(&self.get(kind, n, op, tool)?.seconds)
    }

    /// The paired ratio of `tool` to `base` for one operation, round by round.
    pub fn ratio(&self, kind: Kind, n: usize, op: Op, tool: Tool, base: Tool) -> Option<Summary> {
        let a = self.get(kind, n, op, tool)?;
        let b = self.get(kind, n, op, base)?;
        Summary::of_ratios(&a.seconds, &b.seconds)
    }

    /// The largest peak RSS of one figure, in KiB.
    pub fn peak_rss(&self, kind: Kind, n: usize, op: Op, tool: Tool) -> Option<u64> {
        self.get(kind, n, op, tool)?.rss_kib.iter().copied().max()
    }

    /// Every sample as CSV: `backend,n,operation,tool,round,seconds,peak_rss_kib`.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("backend,n,operation,tool,round,seconds,peak_rss_kib\n");
        for (k, s) in &self.samples {
            let (kind, op) = self.labels[k];
            for (round, secs) in s.seconds.iter().enumerate() {
                let rss = s.rss_kib.get(round).map(u64::to_string).unwrap_or_default();
                let _ = writeln!(
                    out,
                    "{},{},{},{},{round},{secs:.6},{rss}",
                    kind.name(),
                    k.1,
                    op.name(),
                    k.3.name()
                );
            }
        }
        out
    }
}

/// Where and how the run happened.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    /// The suite's arguments.
    pub args: Vec<String>,
    /// UTC date and time at the start.
    pub date: String,
    /// The commit measured.
    pub commit: String,
    /// Paths of the measured crates with uncommitted changes at the start.
    pub dirty: usize,
    /// CPU model.
    pub cpu: String,
    /// Logical cores.
    pub cores: usize,
    /// Memory.
    pub memory: String,
    /// Kernel release.
    pub kernel: String,
    /// `rustc -V`.
    pub rustc: String,
    /// `/proc/loadavg` at the start.
    pub load_before: String,
    /// `/proc/loadavg` at the end.
    pub load_after: String,
    /// Wall time of the whole run.
    pub duration: Duration,
    /// Where the SQLite files were.
    pub sqlite_dir: String,
    /// Per backend: title, server version, CLI version.
    pub versions: Vec<(String, String, String)>,
}

fn command_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

impl Meta {
    /// Collects the machine's description and the load now.
    pub fn collect(args: Vec<String>) -> Meta {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let field = |text: &str, name: &str| {
            text.lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
                .unwrap_or_else(|| "unknown".into())
        };
        let memory = field(&meminfo, "MemTotal")
            .trim_end_matches(" kB")
            .parse::<u64>()
            .map(|kib| format!("{:.1} GiB", kib as f64 / 1024.0 / 1024.0))
            .unwrap_or_else(|_| "unknown".into());
        Meta {
            args,
            date: command_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
            commit: command_line("git", &["rev-parse", "--short", "HEAD"]),
            // Uncommitted changes to the measured crates make the commit alone a lie.
            dirty: command_line(
                "git",
                &[
                    "status",
                    "--porcelain",
                    "--",
                    "migrate-core",
                    "migrate-runtime",
                    "migrate-macros",
                    "migrate-bench/src",
                ],
            )
            .lines()
            .count(),
            cpu: field(&cpuinfo, "model name"),
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            memory,
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|s| s.trim().to_owned())
                .unwrap_or_default(),
            rustc: command_line("rustc", &["-V"]),
            load_before: loadavg(),
            ..Meta::default()
        }
    }

    /// Records the end of the run.
    pub fn finish(&mut self, duration: Duration) {
        self.load_after = loadavg();
        self.duration = duration;
    }
}

/// Median timings of the pure graph operations for one size.
#[derive(Debug, Clone, Copy)]
pub struct PureRow {
    /// Revisions.
    pub n: usize,
    /// Median of each operation.
    pub median: PureTimes,
}

impl PureRow {
    /// Measures `iterations` times on a branchy history of `n` revisions.
    pub fn measure(n: usize, iterations: usize) -> PureRow {
        let revisions = crate::pure::history(n);
        crate::pure::measure(&revisions);
        let runs: Vec<PureTimes> = (0..iterations)
            .map(|_| crate::pure::measure(&revisions))
            .collect();
        let med = |f: fn(&PureTimes) -> Duration| {
            let secs: Vec<f64> = runs.iter().map(|r| f(r).as_secs_f64()).collect();
            Duration::from_secs_f64(Summary::of(&secs).map_or(0.0, |s| s.median))
        };
        PureRow {
            n,
            median: PureTimes {
                build: med(|r| r.build),
                resolve: med(|r| r.resolve),
                plan_upgrade: med(|r| r.plan_upgrade),
                plan_downgrade: med(|r| r.plan_downgrade),
            },
        }
    }

    /// Build plus the upgrade plan: what `upgrade heads` pays before it touches the database.
    pub fn build_and_plan(&self) -> Duration {
        self.median.build + self.median.plan_upgrade
    }

    /// Build plus both plans.
    pub fn total(&self) -> Duration {
        self.median.build + self.median.plan_upgrade + self.median.plan_downgrade
    }
}

/// Build times of the two generated crates under one profile.
#[derive(Debug, Clone)]
pub struct CompileRow {
    /// Migrations in each crate.
    pub n: usize,
    /// How both crates build proc macros.
    pub profile: crate::compile::MacroProfile,
    /// Seconds per build with `#[migration]`.
    pub with: Vec<f64>,
    /// Seconds per build without it.
    pub without: Vec<f64>,
}

/// `1.23 s` or `45.6 ms`.
fn secs(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 0.01 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{:.2} ms", s * 1e3)
    }
}

fn time_cell(s: Option<Summary>) -> String {
    match s {
        Some(s) => format!("{} [{}–{}]", secs(s.median), secs(s.min), secs(s.max)),
        None => "–".into(),
    }
}

fn ratio_cell(s: Option<Summary>) -> String {
    match s {
        Some(s) => format!("**{:.2}** [{:.2}–{:.2}]", s.median, s.min, s.max),
        None => "–".into(),
    }
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or("–".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
}

fn dur(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us >= 1000.0 {
        format!("{:.2} ms", us / 1e3)
    } else {
        format!("{us:.0} µs")
    }
}

const MYSQL_NA: &str = "n/a: MariaDB commits every DDL statement implicitly, so no \
                        transaction can span the run (migrate refuses `TransactionMode::All` \
                        there with `TransactionModeUnsupported`)";

fn op_title(op: Op) -> &'static str {
    match op {
        Op::Upgrade => "upgrade base → head, one transaction per migration",
        Op::UpgradeAll => "upgrade base → head, one transaction for the run",
        Op::Noop => "no-op `upgrade head` at head",
        Op::Downgrade => "downgrade head → base, one transaction per migration",
    }
}

fn floor_title(kind: Kind, op: Op) -> String {
    let cli = kind.cli();
    match op {
        Op::Upgrade => format!("`{cli}`, script with BEGIN/COMMIT around each migration"),
        Op::UpgradeAll => format!("`{cli}`, script in one BEGIN/COMMIT"),
        Op::Noop => format!("`{cli}`: one connection, `SELECT version_num FROM migrate_version`"),
        Op::Downgrade => format!("`{cli}`, DROP script with BEGIN/COMMIT around each migration"),
    }
}

/// The SVG: upgrade time against N, one panel per backend.
pub fn plot(results: &Results, kinds: &[Kind]) -> String {
    let ns: Vec<usize> = {
        let mut ns: Vec<usize> = results.samples.keys().map(|k| k.1).collect();
        ns.sort_unstable();
        ns.dedup();
        ns
    };
    let panels: Vec<Panel> = kinds
        .iter()
        .map(|&kind| {
            let lines = [
                ("migrate, txn per migration", Op::Upgrade, Tool::Migrate),
                ("diesel_migrations", Op::Upgrade, Tool::Diesel),
                ("floor: CLI, txn per migration", Op::Upgrade, Tool::Floor),
                ("migrate, one txn", Op::UpgradeAll, Tool::Migrate),
                ("diesel_migrations, one txn", Op::UpgradeAll, Tool::Diesel),
                ("floor: CLI, one txn", Op::UpgradeAll, Tool::Floor),
            ];
            let series = lines
                .iter()
                .filter_map(|&(label, op, tool)| {
                    let points: Vec<(f64, f64)> = ns
                        .iter()
                        .filter_map(|&n| {
                            results
                                .time(kind, n, op, tool)
                                .map(|s| (n as f64, s.median))
                        })
                        .collect();
                    (!points.is_empty()).then(|| Series {
                        label: label.into(),
                        points,
                    })
                })
                .collect();
            Panel {
                title: format!("{}: upgrade base → head", kind.title()),
                series,
            }
        })
        .collect();
    crate::plot::render(
        "Median wall time against N (log-log), from `cargo xtask bench`",
        &panels,
    )
}

/// One target and whether the run met it.
struct Target {
    name: String,
    measured: String,
    met: Option<bool>,
}

fn targets(
    results: &Results,
    kinds: &[Kind],
    ns: &[usize],
    pure: &[PureRow],
    compile: &[CompileRow],
) -> Vec<Target> {
    let n = if ns.contains(&1000) {
        1000
    } else {
        *ns.last().expect("at least one N")
    };
    let mut out = Vec::new();
    let mut ratio_target =
        |name: String, kind: Kind, op: Op, base: Tool, limit: f64, strict: bool| {
            let r = results.ratio(kind, n, op, Tool::Migrate, base);
            out.push(Target {
                name,
                measured: r.map_or("not measured".into(), |r| {
                    format!("{:.2}x [{:.2}–{:.2}]", r.median, r.min, r.max)
                }),
                met: r.map(|r| {
                    if strict {
                        r.median < limit
                    } else {
                        r.median <= limit
                    }
                }),
            });
        };
    if kinds.contains(&Kind::Sqlite) {
        ratio_target(
            format!("SQLite, N={n}, txn per migration ≤ 1.00x the per-migration floor"),
            Kind::Sqlite,
            Op::Upgrade,
            Tool::Floor,
            1.0,
            false,
        );
        ratio_target(
            format!("SQLite, N={n}, txn per migration faster than diesel_migrations"),
            Kind::Sqlite,
            Op::Upgrade,
            Tool::Diesel,
            1.0,
            true,
        );
        ratio_target(
            format!("SQLite, N={n}, one txn ≤ 1.3x the single-transaction floor"),
            Kind::Sqlite,
            Op::UpgradeAll,
            Tool::Floor,
            1.3,
            false,
        );
    }
    if kinds.contains(&Kind::Postgres) {
        ratio_target(
            format!("PostgreSQL, N={n}, upgrade (txn per migration) ≤ 1.02x the floor"),
            Kind::Postgres,
            Op::Upgrade,
            Tool::Floor,
            1.02,
            false,
        );
        ratio_target(
            format!("PostgreSQL, N={n}, upgrade (one txn) ≤ 1.02x the floor"),
            Kind::Postgres,
            Op::UpgradeAll,
            Tool::Floor,
            1.02,
            false,
        );
        ratio_target(
            format!("PostgreSQL, N={n}, downgrade ≤ 1.2x the floor"),
            Kind::Postgres,
            Op::Downgrade,
            Tool::Floor,
            1.2,
            false,
        );
    }
    for &kind in kinds {
        ratio_target(
            format!(
                "{}, N={n}, no-op at head ≤ 1.2x one connection + one query (`{}`)",
                kind.title(),
                kind.cli()
            ),
            kind,
            Op::Noop,
            Tool::Floor,
            1.2,
            false,
        );
        ratio_target(
            format!(
                "{}, N={n}, no-op at head ≤ 1.2x one connection + one query (stricter: the bench binary itself, same libraries loaded)",
                kind.title()
            ),
            kind,
            Op::Noop,
            Tool::Connect,
            1.2,
            false,
        );
    }
    // One row per backend: the client library, not migrate, decides most of the figure, so a
    // maximum over backends would hide which application meets the target.
    for &kind in kinds {
        let peak = Op::ALL
            .into_iter()
            .filter_map(|op| results.peak_rss(kind, 1000, op, Tool::Migrate))
            .max();
        let Some(peak) = peak else { continue };
        let baseline = results.peak_rss(kind, 1000, Op::Noop, Tool::Connect);
        out.push(Target {
            name: format!(
                "{}: peak memory < 10 MiB for 1,000 migrations (peak RSS of the whole process, largest of every operation)",
                kind.title()
            ),
            measured: format!(
                "{} (the same binary connecting and running one query: {})",
                mib(Some(peak)),
                mib(baseline)
            ),
            met: Some(peak < 10 * 1024),
        });
    }
    let ten_k = pure.iter().find(|r| r.n == 10_000);
    out.push(Target {
        name: "10,000-revision branchy graph: build + validate + plan (base → heads) < 5 ms".into(),
        measured: ten_k.map_or("not measured".into(), |r| dur(r.build_and_plan())),
        met: ten_k.map(|r| r.build_and_plan() < Duration::from_millis(5)),
    });
    out.push(Target {
        name:
            "10,000-revision branchy graph, stricter: build + validate + plan upgrade + plan downgrade < 5 ms"
                .into(),
        measured: ten_k.map_or("not measured".into(), |r| dur(r.total())),
        met: ten_k.map(|r| r.total() < Duration::from_millis(5)),
    });
    for c in compile {
        let ratio = Summary::of_ratios(&c.with, &c.without);
        out.push(Target {
            name: format!(
                "{} `#[migration]` functions compile in ≤ 1.5x the time without the attribute ({})",
                c.n,
                c.profile.describe()
            ),
            measured: ratio.map_or("not measured".into(), |r| {
                format!("{:.2}x [{:.2}–{:.2}]", r.median, r.min, r.max)
            }),
            met: ratio.map(|r| r.median <= 1.5),
        });
    }
    if compile.is_empty() {
        out.push(Target {
            name: "1000 `#[migration]` functions compile in ≤ 1.5x the time without the attribute"
                .into(),
            measured: "not measured".into(),
            met: None,
        });
    }
    out
}

/// The plot's file name, in the results folder.
pub const PLOT_FILE: &str = "time-vs-n.svg";
/// The raw samples' file name, in the results folder.
pub const RAW_FILE: &str = "raw.csv";

/// The whole `BENCHMARKS.md`. `results_dir` is the folder of the plot and the raw samples,
/// relative to the report.
#[allow(
    clippy::too_many_arguments,
    reason = "one call site assembling the report"
)]
pub fn markdown(
    meta: &Meta,
    results: &Results,
    kinds: &[Kind],
    ns: &[usize],
    pure: &[PureRow],
    compile: &[CompileRow],
    results_dir: &str,
    notes: &str,
) -> String {
    let mut md = String::new();
    let runs = results
        .samples
        .values()
        .map(|s| s.seconds.len())
        .max()
        .unwrap_or(0);
    let args = meta.args.join(" ");
    let _ = writeln!(md, "# Benchmarks\n");
    let _ = writeln!(
        md,
        "Generated by `cargo xtask bench{}{args}` (the `migrate-bench` crate) on {}, commit \
         `{}`. Everything below the *Analysis* heading is written by hand in \
         `migrate-bench/NOTES.md`; the rest is regenerated by every run.{}\n",
        if args.is_empty() { "" } else { " " },
        meta.date,
        meta.commit,
        if meta.dirty > 0 {
            format!(
                " The working tree had uncommitted changes in {} paths of the measured \
                 crates (other work in progress).",
                meta.dirty
            )
        } else {
            String::new()
        }
    );

    let _ = writeln!(md, "## Targets\n");
    let _ = writeln!(
        md,
        "Ratios are medians of the per-round ratios (min–max in brackets), measured in this one run.\n"
    );
    let _ = writeln!(md, "| target | measured | met? |\n|---|---|---|");
    for t in targets(results, kinds, ns, pure, compile) {
        let met = match t.met {
            Some(true) => "**met**",
            Some(false) => "**missed**",
            None => "not measured",
        };
        let _ = writeln!(md, "| {} | {} | {met} |", t.name, t.measured);
    }

    let _ = writeln!(md, "\n## Machine and run\n");
    let _ = writeln!(
        md,
        "- CPU: {} ({} logical cores), memory {}, Linux {}",
        meta.cpu, meta.cores, meta.memory, meta.kernel
    );
    let _ = writeln!(md, "- {}", meta.rustc);
    for (title, server, cli) in &meta.versions {
        let _ = writeln!(md, "- {title}: server `{server}`; client `{cli}`");
    }
    let _ = writeln!(
        md,
        "- Load average (1, 5, 15 min) at the start: {}; at the end: {}. The machine is shared \
         (2 cores, other builds running), which is why every figure is a median over rounds \
         and every comparison a ratio of figures taken back to back in the same round.",
        meta.load_before, meta.load_after
    );
    if !meta.sqlite_dir.is_empty() {
        let _ = writeln!(
            md,
            "- SQLite files in `{}` (pass `--sqlite-dir` to measure another file system; on this VM's disk one `fsync` varied tenfold between identical runs, which drowns every other cost).",
            meta.sqlite_dir
        );
    }
    let _ = writeln!(
        md,
        "- Whole run: {:.0} s; {runs} measured rounds per figure after the warm-up.",
        meta.duration.as_secs_f64()
    );

    let _ = writeln!(md, "\n## How to reproduce\n");
    let _ = writeln!(
        md,
        "```sh\n# PostgreSQL and MariaDB reachable (URLs below are the defaults), sqlite3, psql and\n\
         # mariadb on PATH; writes BENCHMARKS.md and migrate-bench/results/\n\
         cargo xtask bench\n\
         cargo xtask bench --n 100,1000,5000 --runs 5          # with the 5,000 point\n\
         cargo xtask bench --backends sqlite --compile-runs 0  # quick, SQLite only\n\
         MIGRATE_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres \\\n  \
         MIGRATE_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test cargo xtask bench\n\
         cargo bench -p migrate-bench                          # criterion: graph build, resolve, plan\n```\n"
    );
    let _ = writeln!(
        md,
        "`cargo xtask bench` runs `cargo run --release -p migrate-bench -- <args>`. Each \
         figure is one child process: the bench binary re-executed in a sub-mode (migrate or \
         diesel_migrations) or the database's CLI, timed from spawn to exit, so every figure \
         pays one process start and one connection. The migrate and diesel_migrations \
         children report their peak RSS (`VmHWM`). Each round uses fresh databases \
         (`CREATE DATABASE`, or a new SQLite file in the temp folder) and rotates the order \
         of the tools; each no-op figure runs five times per round, interleaved with its floors, \
         and the round keeps the median. migrate, diesel_migrations and the in-binary floor \
         run from a build of this crate with only the measured backend's feature, as an \
         application of that backend would link. Every N runs the same SQL: each migration creates a table of three \
         columns and an index on one of them; its downgrade drops the table. migrate's \
         migrations are built at runtime with `Migration::new` in the measured process, as \
         `#[migration]` registers them: two plain functions, upgrade and downgrade, that \
         format their SQL when they run (as an application's migration function holds its \
         statements as code); \
         diesel_migrations reads the same SQL from `up.sql`/`down.sql` folders with \
         `FileBasedMigrations`; the floors feed the bare SQL (no bookkeeping) to the CLI. \
         Raw samples: `{results_dir}/{RAW_FILE}`.\n"
    );

    let _ = writeln!(md, "## End to end\n");
    let _ = writeln!(
        md,
        "Times: median [min–max] wall time. Ratios: median [min–max] of per-round ratios; below 1 means migrate was faster.\n"
    );
    let _ = writeln!(md, "![time against N]({results_dir}/{PLOT_FILE})\n");
    for &kind in kinds {
        for &n in ns {
            let _ = writeln!(md, "### {}, N = {n}\n", kind.title());
            let _ = writeln!(
                md,
                "| figure | migrate | floor | diesel_migrations | migrate / floor | migrate / diesel | peak RSS migrate | peak RSS diesel |\n|---|---|---|---|---|---|---|---|"
            );
            for op in Op::ALL {
                if kind == Kind::Mysql && op == Op::UpgradeAll {
                    let _ = writeln!(md, "| {} | {MYSQL_NA} | | | | | | |", op_title(op));
                    continue;
                }
                let failures = results.failures(kind, n, op);
                if !failures.is_empty() {
                    let _ = writeln!(
                        md,
                        "| {} | not measured at this N, it failed: {} | | | | | | |",
                        op_title(op),
                        failures.join("; ").replace('|', "\\|")
                    );
                    continue;
                }
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} | {} | {} | {} |",
                    op_title(op),
                    time_cell(results.time(kind, n, op, Tool::Migrate)),
                    time_cell(results.time(kind, n, op, Tool::Floor)),
                    time_cell(results.time(kind, n, op, Tool::Diesel)),
                    ratio_cell(results.ratio(kind, n, op, Tool::Migrate, Tool::Floor)),
                    ratio_cell(results.ratio(kind, n, op, Tool::Migrate, Tool::Diesel)),
                    mib(results.peak_rss(kind, n, op, Tool::Migrate)),
                    mib(results.peak_rss(kind, n, op, Tool::Diesel)),
                );
            }
            let _ = writeln!(
                md,
                "| ↳ no-op against the bench binary itself opening one connection and running the same query | {} | {} | | {} | | {} | |",
                time_cell(results.time(kind, n, Op::Noop, Tool::Migrate)),
                time_cell(results.time(kind, n, Op::Noop, Tool::Connect)),
                ratio_cell(results.ratio(kind, n, Op::Noop, Tool::Migrate, Tool::Connect)),
                mib(results.peak_rss(kind, n, Op::Noop, Tool::Connect)),
            );
            let _ = writeln!(
                md,
                "\nFloors: {}.\n",
                Op::ALL
                    .iter()
                    .filter(|&&op| kind != Kind::Mysql || op != Op::UpgradeAll)
                    .map(|&op| format!("{} — {}", op.name(), floor_title(kind, op)))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        }
    }

    if !pure.is_empty() {
        let _ = writeln!(md, "## Revision graph (pure, in process)\n");
        let _ = writeln!(
            md,
            "Branchy generated histories (`migrate_core::testing::Shape::branchy`, seed {}): forks, merges, extra bases, cross-branch dependencies and labels. Median of 21 runs (5 at 100k). `criterion` measures the same operations: `cargo bench -p migrate-bench`.\n",
            crate::pure::SEED
        );
        let _ = writeln!(
            md,
            "| revisions | build + validate | resolve 3 targets | plan upgrade base → heads | plan downgrade heads → base | build + both plans | per revision |\n|---|---|---|---|---|---|---|"
        );
        for r in pure {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {:.0} ns |",
                r.n,
                dur(r.median.build),
                dur(r.median.resolve),
                dur(r.median.plan_upgrade),
                dur(r.median.plan_downgrade),
                dur(r.total()),
                r.total().as_secs_f64() * 1e9 / r.n as f64
            );
        }
        let _ = writeln!(
            md,
            "\nA constant *per revision* column across sizes is what linear growth looks like.\n"
        );
    }

    if let Some(first) = compile.first() {
        let _ = writeln!(md, "## Compile cost\n");
        let _ = writeln!(
            md,
            "Two generated crates with the same {} migration functions (one file each, an upgrade and a downgrade), built with `cargo build` (`CARGO_INCREMENTAL=0`, dependencies already built; each build recompiles the whole crate). *With*: `#[migration(...)]` on each upgrade, collected by `migrations!(\"migrations\")`, the functions `pub(crate)` as `revision` writes them. *Without*: the same functions, `pub`, in `#[path]` modules. Each pair is built under each profile below, all four builds alternating round by round; the ratio is paired by round.\n",
            first.n
        );
        let _ = writeln!(
            md,
            "| profile | with `#[migration]` | without | ratio |\n|---|---|---|---|"
        );
        for c in compile {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                c.profile.describe(),
                time_cell(Summary::of(&c.with)),
                time_cell(Summary::of(&c.without)),
                ratio_cell(Summary::of_ratios(&c.with, &c.without))
            );
        }
        md.push('\n');
    }

    if !notes.trim().is_empty() {
        let _ = writeln!(md, "## Analysis\n");
        md.push_str(notes.trim_start_matches("# Analysis").trim_start());
        if !md.ends_with('\n') {
            md.push('\n');
        }
    }
    md
}
