//! End-to-end tests of the `video-catalog` binary: every command and exit code on SQLite
//! files, and the main flow on PostgreSQL and MariaDB when `MIGRATE_TEST_POSTGRES_URL` and
//! `MIGRATE_TEST_MYSQL_URL` are set (each test in a database of its own, dropped after).

use assert_cmd::Command;
use assert_cmd::assert::Assert;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use migrate_runtime::testing::ScratchDatabase;
use migrate_runtime::{AnyConnection, DatabaseUrl};
#[cfg(feature = "sqlite")]
use predicates::prelude::*;
use tempfile::TempDir;
use video_catalog::schema::{video_tags, videos};

/// The single head of the example's graph (irreversible).
const HEAD: &str = "9c3a7e1f5d20";
/// The last revision before [`HEAD`]; everything up to it can be downgraded.
const BEFORE_HEAD: &str = "8b2f6d4a0c19";
/// The branch point.
const BRANCH_POINT: &str = "0a7e4c2d9b16";
/// The merge point.
const MERGE_POINT: &str = "7d1e5a3c8f02";
/// Every revision of the example.
const ALL: [&str; 11] = [
    "1975ea83b712",
    "2b6f0c81d4a9",
    "ae3c1d9e7a05",
    "0a7e4c2d9b16",
    "d81f4b2a6c30",
    "5f3b8d2e7a91",
    "6a4c0e9f2b83",
    "ae7d52c1f948",
    "7d1e5a3c8f02",
    "8b2f6d4a0c19",
    "9c3a7e1f5d20",
];

/// One database for one test and a scratch directory to run the binary in (so that no
/// `.env` or `migrate.sqlite3` of the checkout leaks in).
struct Catalog {
    dir: TempDir,
    url: String,
    /// On a server: the database created for this test, dropped with it.
    #[cfg_attr(
        not(any(feature = "postgres", feature = "mysql")),
        allow(dead_code, reason = "held: dropping it drops the database")
    )]
    server: Option<ScratchDatabase>,
}

fn connect(url: &str) -> migrate_runtime::Result<AnyConnection> {
    AnyConnection::open(&DatabaseUrl::parse(url)?)
}

impl Catalog {
    /// A fresh SQLite file in a temporary directory.
    fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("catalog.sqlite3").display());
        Self {
            dir,
            url,
            server: None,
        }
    }

    /// A fresh database on the server named by `var`, or `None` when the variable is unset
    /// ([`ScratchDatabase::from_env`] says so). Panics when it is set but the server cannot
    /// be used, its backend not compiled in included.
    #[cfg(any(feature = "postgres", feature = "mysql"))]
    fn server(var: &str) -> Option<Self> {
        let db = ScratchDatabase::from_env(var)
            .unwrap_or_else(|e| panic!("cannot create a test database ({var}): {e}"))?;
        Some(Self {
            dir: tempfile::tempdir().unwrap(),
            url: db.url().as_str().to_owned(),
            server: Some(db),
        })
    }

    /// The binary, run in the scratch directory with no `DATABASE_URL`.
    fn bare(&self) -> Command {
        let mut cmd = Command::cargo_bin("video-catalog").unwrap();
        cmd.current_dir(self.dir.path()).env_remove("DATABASE_URL");
        cmd
    }

    /// The binary with `--database-url` pointing at this test's database.
    fn run(&self, args: &[&str]) -> Assert {
        self.bare()
            .arg("--database-url")
            .arg(&self.url)
            .args(args)
            .assert()
    }

    fn sql(&self, sql: &str) {
        connect(&self.url).unwrap().batch_execute(sql).unwrap();
    }

    fn conn(&self) -> AnyConnection {
        connect(&self.url).unwrap()
    }
}

fn stdout(assert: &Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

fn stderr(assert: &Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

/// The line of `text` mentioning `id`, or a panic showing `text`.
fn line_of<'a>(text: &'a str, id: &str) -> &'a str {
    text.lines()
        .find(|line| line.contains(id))
        .unwrap_or_else(|| panic!("no line mentions {id} in:\n{text}"))
}

/// Seeds three videos of different shapes and mixed-case codecs before the orientation
/// backfill, runs to the head and checks what the data migrations made of them.
fn data_migrations_backfill(catalog: &Catalog) {
    catalog.run(&["upgrade", "5f3b8d2e7a91"]).success();
    catalog.sql(
        "INSERT INTO videos (file_name, path, size_bytes, duration_ms, width, height, codec)
         VALUES ('wide.mp4', '/v/wide.mp4', 1000, 60000, 1920, 1080, 'H264'),
                ('tall.mp4', '/v/tall.mp4', 2000, 15000, 1080, 1920, 'HEVC'),
                ('cube.webm', '/v/cube.webm', 3000, 5000, 512, 512, 'vp9')",
    );
    catalog.run(&["upgrade", "head"]).success();
    let mut conn = catalog.conn();
    let orientations: Vec<Option<String>> = videos::table
        .select(videos::orientation)
        .order(videos::path)
        .load(&mut conn)
        .unwrap();
    let expected = ["square", "portrait", "landscape"].map(|s| Some(s.to_owned()));
    assert_eq!(orientations, expected);
    let tagged: i64 = video_tags::table.count().get_result(&mut conn).unwrap();
    assert_eq!(tagged, 3, "one orientation tag per video");
}

/// The flow every backend must support: upgrade, current, no-op upgrade, check, refusal to
/// downgrade through the irreversible head, stamp, full downgrade, check with pending work.
fn main_flow(catalog: &Catalog) {
    let up = catalog.run(&["upgrade", "head"]).success();
    let out = stdout(&up);
    for id in ALL {
        assert!(line_of(&out, id).starts_with("upgrade"), "{out}");
    }
    let current = catalog.run(&["current"]).success();
    assert!(
        stdout(&current).contains(&format!("{HEAD} (head)")),
        "{}",
        stdout(&current)
    );

    let again = catalog.run(&["upgrade", "head"]).success();
    assert!(
        stdout(&again).contains("nothing to do"),
        "{}",
        stdout(&again)
    );
    assert!(!stdout(&again).contains("below"), "{}", stdout(&again));
    // An upgrade never goes down (as in Alembic), and says where the way down is.
    for target in ["base", BRANCH_POINT] {
        let below = catalog.run(&["upgrade", target]).success();
        assert!(
            stdout(&below).contains(&format!("which is below: `downgrade {target}` goes there")),
            "{}",
            stdout(&below)
        );
    }

    let check = catalog.run(&["check"]).success();
    assert!(
        stdout(&check).contains("database: ok"),
        "{}",
        stdout(&check)
    );

    let refused = catalog.run(&["downgrade", "base"]).failure();
    assert!(stderr(&refused).contains(HEAD), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("irreversible"),
        "{}",
        stderr(&refused)
    );
    let still = catalog.run(&["current"]).success();
    assert!(stdout(&still).contains(HEAD), "refusal must run nothing");

    let stamp = catalog.run(&["stamp", BEFORE_HEAD]).success();
    assert!(!stdout(&stamp).contains("upgrade "), "{}", stdout(&stamp));

    let down = catalog.run(&["downgrade", "base"]).success();
    let out = stdout(&down);
    for id in ALL.iter().filter(|id| **id != HEAD) {
        assert!(line_of(&out, id).starts_with("downgrade"), "{out}");
    }
    let current = catalog.run(&["current"]).success();
    assert!(stdout(&current).contains("<base>"), "{}", stdout(&current));

    let pending = catalog.run(&["check"]).code(1);
    assert!(stdout(&pending).contains("pending"), "{}", stdout(&pending));

    // Everything reverted cleanly: the schema can be built again from scratch.
    data_migrations_backfill(catalog);
}

// ---------------------------------------------------------------------------------------
// SQLite: every command and exit code.

#[cfg(feature = "sqlite")]
#[test]
fn sqlite_main_flow() {
    main_flow(&Catalog::sqlite());
}

#[cfg(feature = "sqlite")]
#[test]
fn upgrade_prints_the_database_and_one_line_per_migration() {
    let catalog = Catalog::sqlite();
    let up = catalog.run(&["upgrade"]).success();
    let out = stdout(&up);
    assert!(out.contains(&format!("database: {}", catalog.url)), "{out}");
    let line = line_of(&out, "1975ea83b712");
    assert!(line.contains("Create the videos table"), "{line}");
    assert!(line.ends_with(')'), "duration at the end: {line}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("upgrade ")).count(),
        ALL.len(),
        "{out}"
    );
}

/// The line a run ends with is its `Report`'s, as the library displays it (the same run
/// through `Migrator` on another database), with the target when there was nothing to do.
#[cfg(feature = "sqlite")]
#[test]
fn the_summary_line_is_the_reports() {
    let catalog = Catalog::sqlite();
    let library = Catalog::sqlite();
    let migrator =
        migrate_runtime::Migrator::new(migrate_runtime::MigrationSet::registered().unwrap());
    let last_line = |assert: &Assert| stdout(assert).lines().last().map(str::to_owned);

    let up = catalog.run(&["upgrade", MERGE_POINT]).success();
    let report = migrator.upgrade(&mut library.conn(), MERGE_POINT).unwrap();
    assert!(report.steps.len() > 1, "{report}");
    assert_eq!(last_line(&up), Some(report.to_string()));
    assert!(report.to_string().starts_with("applied "), "{report}");

    let down = catalog.run(&["downgrade", "base"]).success();
    let report = migrator.downgrade(&mut library.conn(), "base").unwrap();
    assert_eq!(last_line(&down), Some(report.to_string()));
    assert!(report.to_string().ends_with("; now at <base>"), "{report}");

    let again = catalog.run(&["downgrade", "base"]).success();
    let report = migrator.downgrade(&mut library.conn(), "base").unwrap();
    assert_eq!(
        last_line(&again),
        Some(format!("{report} (target `base`)")),
        "{report}"
    );
}

#[cfg(feature = "sqlite")]
#[test]
fn upgrade_to_a_prefix_and_relative_steps() {
    let catalog = Catalog::sqlite();
    catalog.run(&["upgrade", "2b6f"]).success();
    let current = catalog.run(&["current"]).success();
    assert!(stdout(&current).contains("2b6f0c81d4a9"));
    catalog.run(&["upgrade", "+1"]).success();
    let current = catalog.run(&["current"]).success();
    assert!(
        stdout(&current).contains("ae3c1d9e7a05"),
        "{}",
        stdout(&current)
    );
    let down = catalog.run(&["downgrade", "-1"]).success();
    assert!(line_of(&stdout(&down), "ae3c1d9e7a05").starts_with("downgrade"));
}

#[cfg(feature = "sqlite")]
#[test]
fn upgrade_in_one_transaction() {
    let catalog = Catalog::sqlite();
    catalog
        .run(&["upgrade", "head", "--transaction", "all"])
        .success();
    let current = catalog.run(&["current"]).success();
    assert!(stdout(&current).contains(HEAD));

    // A downgrade takes the same flag (the head itself is irreversible: start below it).
    let catalog = Catalog::sqlite();
    catalog.run(&["upgrade", MERGE_POINT]).success();
    catalog
        .run(&["downgrade", "base", "--transaction", "all"])
        .success();
    let current = catalog.run(&["current"]).success();
    assert!(stdout(&current).contains("<base>"), "{}", stdout(&current));
}

#[cfg(feature = "sqlite")]
#[test]
fn data_migration_backfills_on_sqlite() {
    data_migrations_backfill(&Catalog::sqlite());
}

#[cfg(feature = "sqlite")]
#[test]
fn default_database_is_migrate_sqlite3_in_the_current_directory() {
    let catalog = Catalog::sqlite();
    let up = catalog.bare().args(["upgrade", "head"]).assert().success();
    assert!(catalog.dir.path().join("migrate.sqlite3").exists());
    assert!(stdout(&up).contains("migrate.sqlite3"), "{}", stdout(&up));
    assert!(stdout(&up).contains("default"), "{}", stdout(&up));
}

#[cfg(feature = "sqlite")]
#[test]
fn database_url_comes_from_the_environment_then_dotenv() {
    let catalog = Catalog::sqlite();
    let from_env = catalog.dir.path().join("env.sqlite3");
    catalog
        .bare()
        .env("DATABASE_URL", format!("sqlite://{}", from_env.display()))
        .args(["upgrade", "1975ea83b712"])
        .assert()
        .success()
        .stdout(predicate::str::contains("from DATABASE_URL"));
    assert!(from_env.exists());

    let from_dotenv = catalog.dir.path().join("dotenv.sqlite3");
    std::fs::write(
        catalog.dir.path().join(".env"),
        format!("DATABASE_URL=sqlite://{}\n", from_dotenv.display()),
    )
    .unwrap();
    catalog.bare().args(["stamp", "head"]).assert().success();
    assert!(from_dotenv.exists(), ".env must be read");
    assert!(!catalog.dir.path().join("migrate.sqlite3").exists());
}

#[cfg(feature = "sqlite")]
#[test]
fn stamp_records_without_running() {
    let catalog = Catalog::sqlite();
    let stamp = catalog.run(&["stamp", "head"]).success();
    assert!(stdout(&stamp).contains(HEAD), "{}", stdout(&stamp));
    assert!(!stdout(&stamp).contains("upgrade "), "{}", stdout(&stamp));
    let current = catalog.run(&["current"]).success();
    assert!(stdout(&current).contains(HEAD));
    // Nothing ran: the videos table does not exist.
    let mut conn = catalog.conn();
    assert!(videos::table.count().get_result::<i64>(&mut conn).is_err());
    catalog.run(&["stamp", "base"]).success();
    let current = catalog.run(&["current"]).success();
    assert!(stdout(&current).contains("<base>"), "{}", stdout(&current));
}

#[cfg(feature = "sqlite")]
#[test]
fn current_verbose_shows_details() {
    let catalog = Catalog::sqlite();
    catalog.run(&["upgrade", MERGE_POINT]).success();
    let current = catalog.run(&["current", "-v"]).success();
    let out = stdout(&current);
    assert!(out.contains(MERGE_POINT), "{out}");
    assert!(out.contains("Merge tagging and orientation"), "{out}");
    assert!(out.contains("checksum:"), "{out}");
    assert!(
        out.contains("7d1e5a3c8f02_merge_tagging_and_orientation.rs"),
        "{out}"
    );
}

#[test]
fn current_on_a_new_database_is_base() {
    let catalog = Catalog::sqlite();
    let current = catalog.run(&["current"]).success();
    assert!(stdout(&current).contains("<base>"), "{}", stdout(&current));
}

#[test]
fn unknown_target_exits_2_with_a_helpful_message() {
    let catalog = Catalog::sqlite();
    let bad = catalog.run(&["upgrade", "fedcba987654"]).code(2);
    let err = stderr(&bad);
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("fedcba987654"), "{err}");
    // Nothing was created for a target that does not exist.
    let current = catalog.run(&["current"]).success();
    assert!(stdout(&current).contains("<base>"));
}

#[test]
fn ambiguous_prefix_exits_2() {
    let catalog = Catalog::sqlite();
    // `ae3c1d9e7a05` and `ae7d52c1f948` share `ae`.
    let bad = catalog.run(&["upgrade", "ae"]).code(2);
    assert!(stderr(&bad).contains("ae3c1d9e7a05"), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("ae7d52c1f948"), "{}", stderr(&bad));
    catalog.run(&["show", "ae"]).code(2);
}

#[test]
fn bad_url_exits_2() {
    let catalog = Catalog::sqlite();
    let bad = catalog
        .bare()
        .args(["--database-url", "redis://cache:6379", "upgrade"])
        .assert()
        .code(2);
    assert!(
        stderr(&bad).contains("error: invalid database URL"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn bad_flags_exit_2() {
    let catalog = Catalog::sqlite();
    catalog
        .run(&["upgrade", "--transaction", "sometimes"])
        .code(2);
    catalog.run(&["downgrade"]).code(2);
    catalog.run(&["frobnicate"]).code(2);
}

#[test]
fn passwords_are_never_printed() {
    let catalog = Catalog::sqlite();
    for url in [
        "postgres://app:s3cr3t-pw@127.0.0.1:1/catalog",
        "mysql://app:s3cr3t-pw@127.0.0.1:1/catalog",
        // A port the `url` crate rejects: the URL is malformed, its password still secret.
        "postgres://app:s3cr3t-pw@db:99999/catalog",
        "mysql://app:s3cr3t-pw@db:99999/catalog",
        // libpq reads `?password=` too.
        "postgres://postgres@127.0.0.1:1/catalog?password=s3cr3t-pw",
        "postgres://postgres@127.0.0.1:1/catalog?sslmode=disable&Password=s3cr3t-pw",
        // libpq quotes the token it cannot percent-decode, here the password.
        "postgres://postgres:s3cr3t%pw@127.0.0.1:5432/catalog",
        // Not URLs at all: a mistyped scheme, and libpq's keyword string.
        "postgres//app:s3cr3t-pw@127.0.0.1:1/catalog",
        "host=127.0.0.1 port=1 user=app password=s3cr3t-pw dbname=catalog",
        // An unencoded `@`: libpq would end the password at the first one and quote the
        // rest as a host name, so the URL is refused before it gets there.
        "postgres://app:pw@s3cr3t-pw@127.0.0.1:1/catalog",
        // No user part, and an `@` in the query before the password parameter.
        "postgres://127.0.0.1:1/catalog?application_name=a@b&password=s3cr3t-pw",
    ] {
        for args in [
            &["upgrade", "head"][..],
            &["current"],
            &["-v", "current"],
            &["stamp", "head"],
            &["check"],
        ] {
            let out = catalog
                .bare()
                .args(["--database-url", url])
                .args(args)
                .assert()
                .failure();
            let all = format!("{}{}", stdout(&out), stderr(&out));
            assert!(
                !all.contains("s3cr3t"),
                "{url} {args:?} leaked the password:\n{all}"
            );
            assert!(all.contains("error:"), "{all}");
        }
        // Commands that report the database without failing on it, unless the URL itself
        // is malformed (bad input: `show` refuses it, as `history` does).
        let malformed = migrate_runtime::DatabaseUrl::parse(url).is_err();
        for args in [&["config"][..], &["show", HEAD], &["-v", "heads"]] {
            let assert = catalog
                .bare()
                .args(["--database-url", url])
                .args(args)
                .assert();
            let out = if malformed && args[0] == "show" {
                assert.code(2)
            } else {
                assert.success()
            };
            let all = format!("{}{}", stdout(&out), stderr(&out));
            assert!(
                !all.contains("s3cr3t"),
                "{url} {args:?} leaked the password:\n{all}"
            );
        }
    }
}

#[cfg(feature = "sqlite")]
#[test]
fn failing_migration_exits_1_and_names_it() {
    let catalog = Catalog::sqlite();
    catalog.run(&["upgrade", BRANCH_POINT]).success();
    // The `tagging` branch creates `tags`; a table of that name already exists.
    catalog.sql("CREATE TABLE tags (id INTEGER PRIMARY KEY)");
    let failed = catalog.run(&["upgrade", "head"]).code(1);
    let err = stderr(&failed);
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("d81f4b2a6c30"), "{err}");
    let current = catalog.run(&["current"]).success();
    assert!(!stdout(&current).contains(HEAD), "{}", stdout(&current));
    // After the error, a note says where the database stopped: what `current` says.
    let note = err
        .lines()
        .find_map(|line| line.strip_prefix("note: the database is now at "))
        .unwrap_or_else(|| panic!("no note on where the database stopped:\n{err}"));
    let current = stdout(&current);
    let ids: Vec<&str> = current
        .split(|c: char| !c.is_ascii_hexdigit())
        .filter(|word| word.len() == 12)
        .collect();
    assert!(!ids.is_empty(), "{current}");
    for id in ids {
        assert!(note.contains(id), "note `{note}` lacks {id}");
    }
    assert!(!err.contains("rolled back with"), "{err}");

    // In one transaction, the migrations printed before the failure are undone with it,
    // and a note says which.
    let all = Catalog::sqlite();
    all.run(&["upgrade", BRANCH_POINT]).success();
    all.sql("CREATE TABLE tags (id INTEGER PRIMARY KEY)");
    let failed = all
        .run(&["upgrade", "head", "--transaction", "all"])
        .code(1);
    let (out, err) = (stdout(&failed), stderr(&failed));
    // The main line runs before the `tagging` branch: printed, then rolled back.
    assert!(
        line_of(&out, "6a4c0e9f2b83").starts_with("upgrade"),
        "{out}"
    );
    let undone = err
        .lines()
        .find_map(|line| {
            line.strip_prefix(
                "note: rolled back with the failed migration, although printed above as done: ",
            )
        })
        .unwrap_or_else(|| panic!("no note on the undone migrations:\n{err}"));
    assert!(undone.contains("6a4c0e9f2b83"), "{undone}");
    assert!(
        !undone.contains("d81f4b2a6c30"),
        "the failed one was never printed: {undone}"
    );
    assert!(
        err.contains(&format!("note: the database is now at {BRANCH_POINT}")),
        "{err}"
    );
}

#[cfg(feature = "sqlite")]
#[test]
fn an_unknown_flag_is_not_taken_for_a_target() {
    let catalog = Catalog::sqlite();
    for args in [
        &["upgrade", "--dry-run"][..],
        &["downgrade", "--force"],
        &["stamp", "--force"],
        &["show", "--json"],
    ] {
        let out = catalog.run(args).code(2);
        let err = stderr(&out);
        assert!(
            err.contains(&format!("unexpected argument '{}'", args[1])),
            "{err}"
        );
        assert!(!err.contains("no revision matches"), "{err}");
    }
    let out = catalog.run(&["upgrade", "--transation", "all"]).code(2);
    assert!(stderr(&out).contains("--transaction"), "{}", stderr(&out));
    // Relative targets still read as targets.
    catalog.run(&["upgrade", "+2"]).success();
    catalog.run(&["downgrade", "-1"]).success();
    let current = catalog.run(&["current"]).success();
    assert!(
        stdout(&current).contains("1975ea83b712"),
        "{}",
        stdout(&current)
    );
}

#[cfg(feature = "sqlite")]
#[test]
fn downgrade_through_the_irreversible_migration_is_refused() {
    let catalog = Catalog::sqlite();
    catalog.run(&["upgrade", "head"]).success();
    let refused = catalog.run(&["downgrade", BEFORE_HEAD]).code(2);
    let err = stderr(&refused);
    assert!(err.contains("irreversible"), "{err}");
    assert!(
        err.contains(
            "hint: downgrade to that revision or above it; or, if the database may keep its \
             changes, move the version table below it without running anything with `stamp REV`"
        ),
        "{err}"
    );
    // The way out the hint gives: stamp, then the reversible rest downgrades.
    catalog.run(&["stamp", BEFORE_HEAD]).success();
    catalog.run(&["downgrade", "-1"]).success();
}

#[cfg(feature = "sqlite")]
#[test]
fn graph_commands_need_no_database() {
    let catalog = Catalog::sqlite();
    // An unreachable server must not matter to commands that only read the graph.
    for args in [
        &["history"][..],
        &["history", "-v"],
        &["heads"],
        &["heads", "-v"],
        &["branches"],
        &["show", HEAD],
    ] {
        catalog
            .bare()
            .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
            .args(args)
            .assert()
            .success();
        catalog.bare().args(args).assert().success();
    }
    // Without any configuration these read the default file only if it exists.
    let current = catalog.bare().arg("current").assert().success();
    assert!(
        stdout(&current).contains("<base> (no database yet"),
        "{}",
        stdout(&current)
    );
    catalog.bare().arg("check").assert().success();
    assert!(
        !catalog.dir.path().join("migrate.sqlite3").exists(),
        "read-only commands must not create the default database"
    );
    // Nor a configured SQLite file that is not there (a mistyped path, say).
    for args in [
        &["current"][..],
        &["check"],
        &["history", "-v"],
        &["show", HEAD],
    ] {
        let out = catalog
            .bare()
            .args(["--database-url", "sqlite://fresh.db"])
            .args(args)
            .assert();
        // `check` reports every migration pending there, a problem.
        let out = if args[0] == "check" {
            out.code(1)
        } else {
            out.success()
        };
        if args[0] == "current" {
            assert!(
                stdout(&out).contains("<base> (no database yet: sqlite://fresh.db"),
                "{}",
                stdout(&out)
            );
        }
    }
    assert!(
        !catalog.dir.path().join("fresh.db").exists(),
        "read-only commands must not create a configured SQLite file"
    );
    // A file in a missing directory: the error names the path and the directory.
    let out = catalog
        .bare()
        .args(["--database-url", "sqlite://no-such-dir/app.db", "upgrade"])
        .assert()
        .code(1);
    assert!(
        stderr(&out).contains("`no-such-dir/app.db` is in the directory `no-such-dir`"),
        "{}",
        stderr(&out)
    );
    // A file that is no SQLite database: SQLite's bare message gets a hint, and the file
    // is left as it was.
    let notes = catalog.dir.path().join("notes.db");
    std::fs::write(&notes, "hello, not a database\n").unwrap();
    for args in [&["current"][..], &["upgrade"]] {
        let out = catalog
            .bare()
            .args(["--database-url", "sqlite://notes.db"])
            .args(args)
            .assert()
            .code(1);
        assert!(
            stderr(&out).contains("hint: the file the database URL names is not a SQLite database"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert_eq!(
        std::fs::read_to_string(&notes).unwrap(),
        "hello, not a database\n"
    );
}

#[test]
fn history_says_why_it_has_no_current_markers() {
    let catalog = Catalog::sqlite();
    // Nothing configured and no default file: nothing to say, where SQLite's default file
    // would be the database; without SQLite, that no database is configured.
    let quiet = catalog.bare().arg("history").assert().success();
    if cfg!(feature = "sqlite") {
        assert_eq!(stderr(&quiet), "");
    } else {
        assert!(
            stderr(&quiet)
                .starts_with("warning: no `(current)` markers: no database is configured"),
            "{}",
            stderr(&quiet)
        );
    }
    // A configured database that does not answer: the graph, and one redacted warning.
    for url in [
        "postgres://u:s3cr3t-pw@127.0.0.1:1/nodb",
        "postgres://postgres:s3cr3t-pw@127.0.0.1:5432/migrate_no_such_db",
        "mysql://root:s3cr3t-pw@127.0.0.1:1/nodb",
    ] {
        for format in ["text", "json"] {
            let out = catalog
                .bare()
                .args(["history", "--format", format, "--database-url", url])
                .assert()
                .success();
            let err = stderr(&out);
            assert!(
                err.starts_with("warning: no `(current)` markers: ") && err.lines().count() == 1,
                "{url}: {err}"
            );
            assert!(!err.contains("s3cr3t"), "{err}");
            assert!(stdout(&out).contains(HEAD), "{}", stdout(&out));
            assert!(!stdout(&out).contains("(current)"), "{}", stdout(&out));
        }
    }
    // So does a default file that is not a database.
    std::fs::write(catalog.dir.path().join("migrate.sqlite3"), "not a database").unwrap();
    let corrupt = catalog.bare().arg("history").assert().success();
    assert!(
        stderr(&corrupt).starts_with("warning: no `(current)` markers: "),
        "{}",
        stderr(&corrupt)
    );
    // A URL that cannot be a database is a typo to fix, as for every command.
    let malformed = catalog
        .bare()
        .args(["history", "--database-url", "foo"])
        .assert()
        .code(2);
    assert!(
        stderr(&malformed).contains("invalid database URL `foo`"),
        "{}",
        stderr(&malformed)
    );
    catalog
        .bare()
        .env("DATABASE_URL", "postgres://u:s3cr3t-pw@db:99999/x")
        .arg("history")
        .assert()
        .code(2);
}

#[test]
fn history_is_newest_first_with_markers() {
    let catalog = Catalog::sqlite();
    let history = catalog.bare().arg("history").assert().success();
    let out = stdout(&history);
    let position = |id: &str| {
        out.find(&format!(" {id} "))
            .unwrap_or_else(|| panic!("{id} missing:\n{out}"))
    };
    assert!(position(HEAD) < position(MERGE_POINT), "{out}");
    assert!(position(MERGE_POINT) < position(BRANCH_POINT), "{out}");
    assert!(
        line_of(&out, "1975ea83b712").starts_with("* 1975ea83b712 Create the videos table"),
        "{out}"
    );
    assert!(line_of(&out, HEAD).contains("(head)"), "{out}");
    assert!(
        line_of(&out, BRANCH_POINT).contains("(branchpoint)"),
        "{out}"
    );
    assert!(line_of(&out, MERGE_POINT).contains("(mergepoint)"), "{out}");
    assert!(line_of(&out, "d81f4b2a6c30").contains("(tagging)"), "{out}");
    assert_eq!(out.lines().filter(|l| l.contains('*')).count(), ALL.len());
}

#[test]
fn history_verbose_and_range() {
    let catalog = Catalog::sqlite();
    let verbose = catalog.bare().args(["history", "-v"]).assert().success();
    let out = stdout(&verbose);
    assert_eq!(out.matches("checksum:").count(), ALL.len(), "{out}");
    assert!(out.contains("source:"), "{out}");
    assert!(out.contains("depends on: 6a4c0e9f2b83"), "{out}");

    let range = catalog
        .bare()
        .args(["history", "-r", &format!("{BRANCH_POINT}:{MERGE_POINT}")])
        .assert()
        .success();
    let out = stdout(&range);
    for inside in [BRANCH_POINT, "d81f4b2a6c30", "6a4c0e9f2b83", MERGE_POINT] {
        assert!(
            out.contains(&format!(" {inside} ")),
            "{inside} missing:\n{out}"
        );
    }
    for outside in ["1975ea83b712", BEFORE_HEAD, HEAD] {
        assert!(
            !out.contains(&format!(" {outside} ")),
            "{outside} present:\n{out}"
        );
    }
    catalog
        .bare()
        .args(["history", "-r", "nonsense"])
        .assert()
        .code(2);

    // A range that lists nothing is a mistake, not an empty history.
    let backwards = catalog
        .bare()
        .args(["history", "-r", &format!("{MERGE_POINT}:{BRANCH_POINT}")])
        .assert()
        .code(2);
    let err = stderr(&backwards);
    assert!(
        err.contains(&format!(
            "write the lower end first: `-r {BRANCH_POINT}:{MERGE_POINT}`"
        )),
        "{err}"
    );
    assert!(stdout(&backwards).is_empty());
    // The two lines leaving the branch point: neither is above the other.
    let apart = catalog
        .bare()
        .args(["history", "-r", "d81f4b2a6c30:5f3b8d2e7a91"])
        .assert()
        .code(2);
    assert!(
        stderr(&apart).contains("separate branches"),
        "{}",
        stderr(&apart)
    );
    let below_all = catalog
        .bare()
        .args(["history", "-r", "base:base"])
        .assert()
        .code(2);
    assert!(
        stderr(&below_all).contains("below every revision"),
        "{}",
        stderr(&below_all)
    );
}

#[test]
fn heads_and_branches() {
    let catalog = Catalog::sqlite();
    let heads = catalog.bare().arg("heads").assert().success();
    assert_eq!(stdout(&heads).trim(), format!("{HEAD} (head)"));
    let verbose = catalog.bare().args(["heads", "-v"]).assert().success();
    assert!(
        stdout(&verbose).contains("Lowercase codec names"),
        "{}",
        stdout(&verbose)
    );
    assert!(
        stdout(&verbose).contains("irreversible"),
        "{}",
        stdout(&verbose)
    );

    let branches = catalog.bare().arg("branches").assert().success();
    let out = stdout(&branches);
    assert!(
        line_of(&out, BRANCH_POINT).contains("(branchpoint)"),
        "{out}"
    );
    assert!(out.contains("-> d81f4b2a6c30"), "{out}");
    assert!(out.contains("-> 5f3b8d2e7a91"), "{out}");
}

#[cfg(feature = "sqlite")]
#[test]
fn show_with_and_without_a_database() {
    let catalog = Catalog::sqlite();
    let offline = catalog.bare().args(["show", "7d1e"]).assert().success();
    let out = stdout(&offline);
    assert!(out.contains(&format!("revision:   {MERGE_POINT}")), "{out}");
    assert!(out.contains("(mergepoint)"), "{out}");
    assert!(out.contains("ae7d52c1f948, 6a4c0e9f2b83"), "{out}");
    assert!(out.contains(&format!("children:   {BEFORE_HEAD}")), "{out}");
    assert!(out.contains("applied:    unknown"), "{out}");

    let tagging = catalog.run(&["show", "tagging"]).success();
    assert!(
        stdout(&tagging).contains("revision:   d81f4b2a6c30"),
        "{}",
        stdout(&tagging)
    );

    catalog.run(&["upgrade", BRANCH_POINT]).success();
    let applied = catalog.run(&["show", "2b6f0c81d4a9"]).success();
    assert!(
        stdout(&applied).contains("applied:    yes"),
        "{}",
        stdout(&applied)
    );
    let pending = catalog.run(&["show", MERGE_POINT]).success();
    assert!(
        stdout(&pending).contains("applied:    no"),
        "{}",
        stdout(&pending)
    );

    catalog.run(&["show", "fedcba987654"]).code(2);
}

#[cfg(feature = "sqlite")]
#[test]
fn check_reports_every_problem() {
    let catalog = Catalog::sqlite();
    let graph_only = catalog.bare().arg("check").assert().success();
    assert!(
        stdout(&graph_only).contains("graph: ok"),
        "{}",
        stdout(&graph_only)
    );
    assert!(
        stdout(&graph_only).contains("not checked"),
        "{}",
        stdout(&graph_only)
    );

    // A configured file that does not exist yet: everything is pending, and nothing is
    // created.
    let missing = catalog.run(&["check"]).code(1);
    let out = stdout(&missing);
    assert!(out.contains("does not exist yet"), "{out}");
    assert_eq!(out.matches("pending: ").count(), ALL.len(), "{out}");
    assert!(!catalog.dir.path().join("catalog.sqlite3").exists());

    catalog.run(&["upgrade", "head"]).success();
    catalog.run(&["check"]).success();

    // An applied migration whose code changed since (as recorded), then accepted.
    catalog.sql("UPDATE migrate_history SET checksum = 'before' WHERE revision = '1975ea83b712'");
    let changed = catalog.run(&["check"]).code(1);
    assert!(
        stdout(&changed).contains("changed: 1975ea83b712")
            && stdout(&changed).contains("check --accept-changes"),
        "{}",
        stdout(&changed)
    );
    let accepted = catalog.run(&["check", "--accept-changes"]).success();
    assert!(
        stdout(&accepted).contains("accepted: the current code of 1975ea83b712"),
        "{}",
        stdout(&accepted)
    );
    catalog.run(&["check"]).success();

    catalog.sql("INSERT INTO migrate_version (version_num) VALUES ('0badc0ffee00')");
    let unknown = catalog.run(&["check"]).code(1);
    assert!(
        stdout(&unknown).contains("unknown: 0badc0ffee00"),
        "{}",
        stdout(&unknown)
    );
}

#[test]
fn help_lists_every_command() {
    let catalog = Catalog::sqlite();
    let help = catalog.bare().arg("--help").assert().success();
    let out = stdout(&help);
    for command in [
        "upgrade",
        "downgrade",
        "current",
        "history",
        "heads",
        "branches",
        "show",
        "stamp",
        "check",
    ] {
        assert!(out.contains(command), "{command} missing:\n{out}");
    }
    assert!(out.contains("--database-url"), "{out}");
}

// ---------------------------------------------------------------------------------------
// PostgreSQL and MariaDB: the main flow, when a server is configured.

#[cfg(feature = "postgres")]
#[test]
fn postgres_main_flow() {
    if let Some(catalog) = Catalog::server("MIGRATE_TEST_POSTGRES_URL") {
        main_flow(&catalog);
        assert!(catalog.server.is_some());
    }
}

#[cfg(feature = "mysql")]
#[test]
fn mysql_main_flow() {
    if let Some(catalog) = Catalog::server("MIGRATE_TEST_MYSQL_URL") {
        // MySQL commits DDL implicitly: one transaction for the run cannot be honoured.
        let refused = catalog.run(&["upgrade", "--transaction", "all"]).code(2);
        let error = stderr(&refused);
        assert!(
            error.lines().next().is_some_and(|line| {
                line.starts_with("error: ")
                    && line.contains("`--transaction per-migration`")
                    && line.contains("`TransactionMode::PerMigration`")
            }),
            "{error}"
        );
        main_flow(&catalog);
        assert!(catalog.server.is_some());

        // The mode from migrate.toml reaches both directions, and the hint says where it
        // came from.
        std::fs::write(
            catalog.dir.path().join("migrate.toml"),
            "transaction_mode = \"all\"\n",
        )
        .unwrap();
        for args in [&["upgrade", "head"][..], &["downgrade", "base"]] {
            let refused = catalog.run(args).code(2);
            let error = stderr(&refused);
            assert!(
                error.contains("`transaction_mode` in migrate.toml"),
                "{args:?}: {error}"
            );
        }
    }
}

#[cfg(any(feature = "postgres", feature = "mysql"))]
#[test]
fn server_failing_migration_exits_1() {
    for var in [
        #[cfg(feature = "postgres")]
        "MIGRATE_TEST_POSTGRES_URL",
        #[cfg(feature = "mysql")]
        "MIGRATE_TEST_MYSQL_URL",
    ] {
        let Some(catalog) = Catalog::server(var) else {
            continue;
        };
        catalog.run(&["upgrade", BRANCH_POINT]).success();
        catalog.sql("CREATE TABLE tags (id INTEGER PRIMARY KEY)");
        let failed = catalog.run(&["upgrade", "head"]).code(1);
        let err = stderr(&failed);
        assert!(err.contains("d81f4b2a6c30"), "{err}");
        assert!(err.contains("note: the database is now at "), "{err}");
        // Only MySQL keeps what the failed migration did; the note says so at once.
        assert_eq!(
            err.contains("note: the upgrade of `d81f4b2a6c30` could not be rolled back"),
            var == "MIGRATE_TEST_MYSQL_URL",
            "{err}"
        );
        // The main line ran before the `tagging` branch and stays applied.
        let current = catalog.run(&["current"]).success();
        assert!(
            stdout(&current).contains("6a4c0e9f2b83"),
            "{}",
            stdout(&current)
        );
        catalog.sql("DROP TABLE tags");
        if var == "MIGRATE_TEST_MYSQL_URL" {
            // DDL commits implicitly on MySQL, so the failure is recorded and blocks runs
            // until someone has looked and stamped.
            let check = catalog.run(&["check"]).code(1);
            assert!(stdout(&check).contains("interrupted: upgrade d81f4b2a6c30"));
            let blocked = catalog.run(&["upgrade", "head"]).code(1);
            assert!(stderr(&blocked).contains("stamp"), "{}", stderr(&blocked));
            catalog.run(&["stamp", "6a4c0e9f2b83"]).success();
        }
        catalog.run(&["upgrade", "head"]).success();
        catalog.run(&["check"]).success();
    }
}

#[cfg(feature = "sqlite")]
#[test]
fn a_closed_stdout_does_not_interrupt_a_run() {
    let catalog = Catalog::sqlite();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("video-catalog"))
        .current_dir(catalog.dir.path())
        .args(["--database-url", &catalog.url, "upgrade", "head"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Like `video-catalog upgrade | head -0`: every progress line hits a closed pipe.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let current = catalog.run(&["current"]).success();
    assert!(stdout(&current).contains(HEAD), "{}", stdout(&current));
}

// ---------------------------------------------------------------------------------------
// Concurrent runners: several processes racing `upgrade head` on one database.

/// Starts `RUNNERS` processes of the binary at once on `catalog`'s database; each must
/// succeed, every migration must be applied exactly once, and all must end at head.
fn concurrent_processes_apply_each_migration_once(catalog: &Catalog) {
    const RUNNERS: usize = 4;
    let binary = assert_cmd::cargo::cargo_bin("video-catalog");
    let children: Vec<_> = (0..RUNNERS)
        .map(|_| {
            std::process::Command::new(&binary)
                .current_dir(catalog.dir.path())
                .env_remove("DATABASE_URL")
                .args(["--database-url", &catalog.url, "upgrade", "head"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("start a runner")
        })
        .collect();
    let mut applied_lines = 0;
    for child in children {
        let output = child.wait_with_output().unwrap();
        let out = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "a runner failed: {}\n{out}",
            String::from_utf8_lossy(&output.stderr)
        );
        applied_lines += out.lines().filter(|l| l.starts_with("upgrade ")).count();
    }
    // Between them the runners printed each migration once.
    assert_eq!(applied_lines, ALL.len());

    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        revision: String,
    }
    let mut conn = catalog.conn();
    let mut applied: Vec<String> = diesel::sql_query(
        "SELECT revision FROM migrate_history WHERE direction = 'upgrade' ORDER BY revision",
    )
    .load::<Row>(&mut conn)
    .unwrap()
    .into_iter()
    .map(|r| r.revision)
    .collect();
    applied.sort();
    let mut expected: Vec<String> = ALL.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(applied, expected, "each migration recorded exactly once");
    let current = catalog.run(&["current"]).success();
    assert!(stdout(&current).contains(HEAD), "{}", stdout(&current));
}

#[cfg(feature = "sqlite")]
#[test]
fn concurrent_processes_on_sqlite() {
    concurrent_processes_apply_each_migration_once(&Catalog::sqlite());
}

#[cfg(feature = "postgres")]
#[test]
fn concurrent_processes_on_postgres() {
    if let Some(catalog) = Catalog::server("MIGRATE_TEST_POSTGRES_URL") {
        concurrent_processes_apply_each_migration_once(&catalog);
    }
}

#[cfg(feature = "mysql")]
#[test]
fn concurrent_processes_on_mysql() {
    if let Some(catalog) = Catalog::server("MIGRATE_TEST_MYSQL_URL") {
        concurrent_processes_apply_each_migration_once(&catalog);
    }
}

#[test]
fn bad_targets_leave_no_database_behind() {
    let catalog = Catalog::sqlite();
    for args in [
        &["upgrade", "hed"][..],
        &["downgrade", "zzzz"],
        &["stamp", "nolabel@head"],
        &["stamp", "+1"],
    ] {
        let refused = catalog.bare().args(args).assert().code(2);
        assert!(stderr(&refused).contains("error:"), "{}", stderr(&refused));
    }
    assert!(
        !catalog.dir.path().join("migrate.sqlite3").exists(),
        "a refused command created the default SQLite file"
    );
}
