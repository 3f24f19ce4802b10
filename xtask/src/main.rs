//! Development tasks, run as `cargo xtask <task>` (the alias lives in `.cargo/config.toml`).
//!
//! `cargo xtask migrate <args>` runs the example application's CLI. Rust migrations must be
//! compiled into the binary that runs them, so this task builds and runs `video-catalog`
//! with the backend feature matching the database URL instead of linking any migration
//! itself: xtask stays free of diesel and of the client libraries.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// Exit code for a bad xtask invocation, like clap's.
const EXIT_USAGE: u8 = 2;

/// The package whose binary `migrate` runs.
const EXAMPLE_PACKAGE: &str = "video-catalog";

const HELP: &str = "\
usage: cargo xtask <task> [args...]

tasks:
  migrate <args...>  run the example application's migrate CLI (package video-catalog)
                     from the workspace root, built with the backend feature matching
                     the database URL (--database-url, else DATABASE_URL, else .env,
                     else the SQLite file migrate.sqlite3), e.g.
                       cargo xtask migrate upgrade head
                       DATABASE_URL=postgres://postgres@127.0.0.1/app cargo xtask migrate current
                     `cargo xtask migrate --help` lists the CLI's commands
  bench <args...>    run the benchmark suite (cargo run --release -p migrate-bench) and
                     write BENCHMARKS.md; `cargo xtask bench --help` lists its options,
                     e.g. `--postgres-bundled` (PostgreSQL also with libpq compiled in)
  help               print this message
";

/// The tasks.
#[derive(Debug, PartialEq, Eq)]
enum Task {
    /// `migrate <args...>`.
    Migrate(Vec<String>),
    /// `bench <args...>`.
    Bench(Vec<String>),
    /// `help`, `--help` or `-h`.
    Help,
}

impl Task {
    /// Parses the arguments after `cargo xtask`.
    fn parse(mut args: Vec<String>) -> Result<Self, String> {
        if args.is_empty() {
            return Err("no task given".into());
        }
        let task = args.remove(0);
        match task.as_str() {
            "migrate" => Ok(Task::Migrate(args)),
            "bench" => Ok(Task::Bench(args)),
            "help" | "--help" | "-h" => Ok(Task::Help),
            other => Err(format!("unknown task `{other}`")),
        }
    }
}

/// The database backends, named by the example's cargo features.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
    Mysql,
}

impl Backend {
    /// The backend a database URL names. A cheap scheme check: the CLI validates the URL.
    fn of_url(url: &str) -> Self {
        let lower = url.trim().to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Backend::Postgres
        } else if lower.starts_with("mysql://") || lower.starts_with("mariadb://") {
            Backend::Mysql
        } else {
            Backend::Sqlite
        }
    }

    /// The `video-catalog` feature enabling this backend.
    fn feature(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::Mysql => "mysql",
        }
    }
}

/// The workspace root: the parent of this crate's manifest directory.
fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// The `--database-url` value among the CLI arguments, in either `--flag value` or
/// `--flag=value` form.
fn url_flag(args: &[String]) -> Option<String> {
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--" {
            break;
        }
        if arg == "--database-url" {
            return iter.next().cloned();
        }
        if let Some(value) = arg.strip_prefix("--database-url=") {
            return Some(value.to_owned());
        }
    }
    None
}

/// The value assigned to `key` in the text of a `.env` file (`KEY=value`, optional `export`
/// and quotes) or of `migrate.toml` (`key = "value"`).
fn assignment(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        let value = line.strip_prefix(key)?.trim_start().strip_prefix('=')?;
        let value = value.trim();
        let unquoted = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(value);
        Some(unquoted.to_owned())
    })
}

/// Replaces each `${VAR}` of `value` with `lookup(VAR)` (empty when unknown), as the CLI
/// does for `database_url` in `migrate.toml`.
fn interpolate(value: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push_str(&lookup(&rest[start + 2..start + len]).unwrap_or_default());
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// The database URL the CLI will use, found the same way the CLI finds it: flag,
/// `DATABASE_URL`, `.env`, then `database_url` in `migrate.toml`. `None` means the default
/// SQLite file.
fn database_url(args: &[String], root: &Path) -> Option<String> {
    // The CLI runs in `root` and reads `.env` and `migrate.toml` from there.
    let dotenv = std::fs::read_to_string(root.join(".env")).unwrap_or_default();
    let env = |name: &str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .or_else(|| assignment(&dotenv, name))
    };
    url_flag(args).or_else(|| env("DATABASE_URL")).or_else(|| {
        let config = std::fs::read_to_string(root.join("migrate.toml")).ok()?;
        Some(interpolate(&assignment(&config, "database_url")?, env))
    })
}

/// Builds and runs the example's CLI with `args`, returning its exit code.
fn migrate(args: &[String]) -> ExitCode {
    let root = project_root();
    let backend = database_url(args, &root)
        .map(|url| Backend::of_url(&url))
        .unwrap_or(Backend::Sqlite);
    cargo_run(
        &root,
        &[
            "--package",
            EXAMPLE_PACKAGE,
            "--no-default-features",
            "--features",
            backend.feature(),
        ],
        args,
    )
}

/// Runs the benchmark suite, optimized, from the workspace root.
fn bench(args: &[String]) -> ExitCode {
    cargo_run(
        &project_root(),
        &["--release", "--package", "migrate-bench"],
        args,
    )
}

/// `cargo run --quiet <cargo_args> -- <args>` in `root`, forwarding the exit code.
fn cargo_run(root: &Path, cargo_args: &[&str], args: &[String]) -> ExitCode {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args(["run", "--quiet"])
        .args(cargo_args)
        .arg("--")
        .args(args)
        .status();
    match status {
        // A signal leaves no code; report it as a failure.
        Ok(status) => ExitCode::from(status.code().map_or(1, |code| code.clamp(0, 255) as u8)),
        Err(err) => {
            eprintln!("error: could not run cargo: {err}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    match Task::parse(std::env::args().skip(1).collect()) {
        Ok(Task::Migrate(args)) => migrate(&args),
        Ok(Task::Bench(args)) => bench(&args),
        Ok(Task::Help) => {
            print!("{HELP}");
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("error: {problem}\n\n{HELP}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_tasks() {
        assert_eq!(
            Task::parse(strings(&["migrate", "upgrade", "head"])),
            Ok(Task::Migrate(strings(&["upgrade", "head"])))
        );
        assert_eq!(Task::parse(strings(&["help"])), Ok(Task::Help));
        assert_eq!(
            Task::parse(strings(&["bench", "--n", "100"])),
            Ok(Task::Bench(strings(&["--n", "100"])))
        );
        assert!(Task::parse(strings(&["deploy"])).is_err());
        assert!(Task::parse(Vec::new()).is_err());
    }

    #[test]
    fn picks_the_backend_from_the_scheme() {
        assert_eq!(Backend::of_url("postgres://u@h/db"), Backend::Postgres);
        assert_eq!(Backend::of_url("PostgreSQL://u@h/db"), Backend::Postgres);
        assert_eq!(Backend::of_url("mysql://root@h/test"), Backend::Mysql);
        assert_eq!(Backend::of_url("mariadb://root@h/test"), Backend::Mysql);
        assert_eq!(Backend::of_url("sqlite://app.db"), Backend::Sqlite);
        assert_eq!(Backend::of_url("app.sqlite3"), Backend::Sqlite);
    }

    #[test]
    fn finds_the_url_flag_in_both_forms() {
        let spaced = strings(&["upgrade", "--database-url", "mysql://x", "head"]);
        assert_eq!(url_flag(&spaced).as_deref(), Some("mysql://x"));
        let joined = strings(&["--database-url=postgres://y", "current"]);
        assert_eq!(url_flag(&joined).as_deref(), Some("postgres://y"));
        assert_eq!(url_flag(&strings(&["current"])), None);
    }

    #[test]
    fn reads_assignments_from_dotenv_and_migrate_toml_text() {
        let text = "# local settings\nOTHER=1\nexport DATABASE_URL=\"postgres://a@b/c\"\n";
        assert_eq!(
            assignment(text, "DATABASE_URL").as_deref(),
            Some("postgres://a@b/c")
        );
        assert_eq!(
            assignment("DATABASE_URL = 'mysql://r@h/t'", "DATABASE_URL").as_deref(),
            Some("mysql://r@h/t")
        );
        assert_eq!(assignment("DATABASE_URLS=x", "DATABASE_URL"), None);
        let toml = "migrations = \"src/migrations\"\ndatabase_url = \"${SCHEME}://app@db/${DB}\"\n";
        let value = assignment(toml, "database_url").unwrap();
        let lookup = |name: &str| match name {
            "SCHEME" => Some("postgres".to_owned()),
            _ => None,
        };
        assert_eq!(interpolate(&value, lookup), "postgres://app@db/");
    }

    #[test]
    fn project_root_is_the_workspace() {
        assert!(project_root().join("Cargo.toml").exists());
        assert!(project_root().join("examples").is_dir());
    }
}
