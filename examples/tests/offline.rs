//! Offline scripts equal online runs: `upgrade --sql` and `downgrade START:END --sql` of the
//! example's migrations, piped into `sqlite3`, `psql` and `mariadb`, leave the same schema
//! and version table as the same commands run online. SQLite always; PostgreSQL and
//! MariaDB when `MIGRATE_TEST_POSTGRES_URL` / `MIGRATE_TEST_MYSQL_URL` are set.

#[path = "../../migrate-runtime/tests/introspect/mod.rs"]
mod introspect;

use std::io::Write as _;
use std::process::{Command as Process, Stdio};

use assert_cmd::Command;
use migrate_runtime::testing::ScratchDatabase;
use migrate_runtime::{AnyConnection, Backend, DatabaseUrl};

/// The last revision before the irreversible head.
const BEFORE_HEAD: &str = "8b2f6d4a0c19";

fn connect(url: &str) -> AnyConnection {
    AnyConnection::open(&DatabaseUrl::parse(url).unwrap()).unwrap()
}

/// A fresh database, dropped at the end.
struct Db {
    url: String,
    backend: Backend,
    /// On a server: the database created for this test, dropped with it.
    _server: Option<ScratchDatabase>,
    dir: tempfile::TempDir,
}

impl Db {
    /// A fresh database on `backend`: a SQLite file, or a database on the server of the
    /// backend's variable, `None` when it is unset ([`ScratchDatabase::from_env`] says so).
    fn new(backend: Backend) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let var = match backend {
            Backend::Sqlite => {
                let url = format!("sqlite://{}", dir.path().join("db.sqlite3").display());
                return Some(Self {
                    url,
                    backend,
                    _server: None,
                    dir,
                });
            }
            Backend::Postgres => "MIGRATE_TEST_POSTGRES_URL",
            _ => "MIGRATE_TEST_MYSQL_URL",
        };
        let db = ScratchDatabase::from_env(var)
            .unwrap_or_else(|e| panic!("cannot create a {backend} test database ({var}): {e}"))?;
        Some(Self {
            url: db.url().as_str().to_owned(),
            backend,
            _server: Some(db),
            dir,
        })
    }

    /// Runs the example's CLI against this database.
    fn cli(&self, args: &[&str]) {
        Command::cargo_bin("video-catalog")
            .unwrap()
            .current_dir(self.dir.path())
            .env_remove("DATABASE_URL")
            .arg("--database-url")
            .arg(&self.url)
            .args(args)
            .assert()
            .success();
    }

    /// Pipes `script` into the backend's own command-line client.
    fn apply(&self, script: &str) {
        let mut cmd = match self.backend {
            Backend::Sqlite => {
                let mut c = Process::new("sqlite3");
                c.args([
                    "-bail",
                    DatabaseUrl::parse(&self.url).unwrap().sqlite_path(),
                ]);
                c
            }
            Backend::Postgres => {
                let mut c = Process::new("psql");
                c.args(["-q", "-v", "ON_ERROR_STOP=1", "-d", &self.url]);
                // `IF NOT EXISTS` notices are not errors.
                c.env("PGOPTIONS", "--client-min-messages=warning");
                c
            }
            _ => {
                let url = url::Url::parse(&self.url).unwrap();
                let mut c = Process::new("mariadb");
                c.arg(format!("--host={}", url.host_str().unwrap()))
                    .arg(format!("--port={}", url.port().unwrap_or(3306)))
                    .arg(format!("--user={}", url.username()))
                    .arg(url.path().trim_start_matches('/'));
                if let Some(password) = url.password() {
                    c.arg(format!("--password={password}"));
                }
                c
            }
        };
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run the {} client: {e}", self.backend));
        child
            .stdin
            .take()
            .unwrap()
            .write_all(script.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "the {} client failed on the script:\n{}\n--- script ---\n{script}",
            self.backend,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The script the CLI prints, without a database.
fn script(dialect: &str, args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("video-catalog")
        .unwrap()
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .args(args)
        .args(["--sql", "--dialect", dialect])
        .assert()
        .success();
    // No database was created: offline means offline.
    assert!(!dir.path().join("migrate.sqlite3").exists());
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

fn offline_equals_online(backend: Backend) {
    let (Some(online), Some(offline)) = (Db::new(backend), Db::new(backend)) else {
        return;
    };
    let dialect = backend.feature();

    online.cli(&["upgrade", "head"]);
    offline.apply(&script(dialect, &["upgrade", "head"]));
    let expected = introspect::database(&mut connect(&online.url));
    assert_eq!(expected.1, ["9c3a7e1f5d20"]);
    assert!(expected.0.contains_key("video_tags"));
    assert_eq!(introspect::database(&mut connect(&offline.url)), expected);
    // The seed rows of the typed bulk insert, and history rows for every migration.
    let mut conn = connect(&offline.url);
    assert_eq!(
        introspect::values(&mut conn, "tags", "name", "name"),
        ["landscape", "portrait", "square"].map(|s| Some(s.to_owned()))
    );
    assert_eq!(
        introspect::values(&mut conn, "migrate_history", "status", "id").len(),
        11
    );
}

fn offline_downgrade_equals_online(backend: Backend) {
    let (Some(online), Some(offline)) = (Db::new(backend), Db::new(backend)) else {
        return;
    };
    let dialect = backend.feature();
    online.cli(&["upgrade", BEFORE_HEAD]);
    online.cli(&["downgrade", "1975ea83b712"]);
    // Two scripts: up to BEFORE_HEAD, then a START:END downgrade (the one that drops
    // columns, a table rebuild on SQLite whose shape the renderer learns offline).
    offline.apply(&script(dialect, &["upgrade", BEFORE_HEAD]));
    offline.apply(&script(
        dialect,
        &["downgrade", &format!("{BEFORE_HEAD}:1975ea83b712")],
    ));
    let expected = introspect::database(&mut connect(&online.url));
    assert_eq!(expected.1, ["1975ea83b712"]);
    assert_eq!(introspect::database(&mut connect(&offline.url)), expected);
}

#[cfg(feature = "sqlite")]
#[test]
fn sqlite_offline_script_equals_online_run() {
    offline_equals_online(Backend::Sqlite);
    offline_downgrade_equals_online(Backend::Sqlite);
}

#[cfg(feature = "postgres")]
#[test]
fn postgres_offline_script_equals_online_run() {
    offline_equals_online(Backend::Postgres);
    offline_downgrade_equals_online(Backend::Postgres);
}

#[cfg(feature = "mysql")]
#[test]
fn mysql_offline_script_equals_online_run() {
    offline_equals_online(Backend::Mysql);
    offline_downgrade_equals_online(Backend::Mysql);
}

#[test]
fn a_typed_migration_without_fallback_names_itself() {
    // The example's backfill has a fallback; a range starting after it shows a script
    // from a revision, and the error path is covered by the runtime's tests.
    let sql = script("postgres", &["upgrade", "5f3b8d2e7a91:6a4c0e9f2b83"]);
    assert!(sql.contains("UPDATE videos SET orientation"), "{sql}");
    assert!(sql.contains("BEGIN;") && sql.contains("COMMIT;"));
    assert!(!sql.contains("CREATE TABLE \"videos\""), "{sql}");
}

#[test]
fn sql_flags_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::cargo_bin("video-catalog")
            .unwrap()
            .current_dir(dir.path())
            .env_remove("DATABASE_URL")
            .args(args)
            .assert()
    };
    // `--dialect` alone is a usage error.
    run(&["upgrade", "head", "--dialect", "postgres"]).code(2);
    // A downgrade script needs the revision to start from.
    let out = run(&["downgrade", "base", "--sql", "--dialect", "sqlite"]).code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("START:TARGET"), "{stderr}");
    // A range written the wrong way round is refused, not printed as an empty script
    // (a downgrade's planner refuses it already); an empty range is an empty script.
    for (args, says) in [
        (
            &["upgrade", "9c3a7e1f5d20:0a7e4c2d9b16"][..],
            "runs nothing",
        ),
        (
            &["downgrade", "0a7e4c2d9b16:9c3a7e1f5d20"],
            "not applied below",
        ),
    ] {
        let out = run(&[args, &["--sql", "--dialect", "sqlite"]].concat()).code(2);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(stderr.contains(says), "{stderr}");
    }
    run(&[
        "upgrade",
        "9c3a7e1f5d20:9c3a7e1f5d20",
        "--sql",
        "--dialect",
        "sqlite",
    ])
    .success();
    // An unknown start is reported like an unknown target.
    run(&["upgrade", "nope:head", "--sql", "--dialect", "sqlite"]).code(2);
    // MySQL cannot run a script in one transaction; the error line itself says what to use
    // in the CLI and in the API, not only the hint below it.
    let out = run(&[
        "upgrade",
        "head",
        "--sql",
        "--dialect",
        "mysql",
        "--transaction",
        "all",
    ])
    .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    let error = stderr.lines().next().unwrap_or_default();
    assert!(
        error.starts_with("error: ")
            && error.contains("`--transaction per-migration`")
            && error.contains("`TransactionMode::PerMigration`"),
        "{stderr}"
    );
    assert!(!dir.path().join("migrate.sqlite3").exists());
}

#[test]
fn each_step_of_a_script_is_headed_by_its_own_edge() {
    // From the branch point, the first step revises it even though its row stays in the
    // version table for the other branch.
    let up = script("sqlite", &["upgrade", "0a7e4c2d9b16:head"]);
    assert!(
        up.contains("-- Running upgrade 0a7e4c2d9b16 -> d81f4b2a6c30: "),
        "{up}"
    );
    let from_base = script("sqlite", &["upgrade", "head"]);
    assert!(
        from_base.contains("-- Running upgrade <base> -> 1975ea83b712: "),
        "{from_base}"
    );
    let down = script("sqlite", &["downgrade", "8b2f6d4a0c19:7d1e5a3c8f02"]);
    assert!(
        down.contains("-- Running downgrade 8b2f6d4a0c19 -> 7d1e5a3c8f02: "),
        "{down}"
    );
}
