//! `import <diesel|sqlx|refinery>` and `stamp --from <TOOL>`, end to end.
//!
//! `import/diesel/from/<backend>/` holds a diesel_cli migrations folder as a project on
//! that backend has one (PostgreSQL's starts with diesel's initial setup; a migration without
//! `down.sql`; one with `run_in_transaction = false`). The `migrate` binary imports each,
//! and what it writes must be exactly `import/diesel/to/<backend>/` (after a deliberate
//! change, rewrite those with `MIGRATE_BLESS=1` and read the diff as a user would). This
//! test binary compiles those files (`migrations!`) and runs them up and down on every
//! backend, and on databases that diesel_migrations migrated first, adopted with the
//! `stamp` the import advises or `stamp --from diesel`.
//!
//! `import/sqlx/from/` and `import/refinery/from/` hold one folder each, in SQL that every
//! backend runs, imported to `import/<tool>/to/`. sqlx and refinery are not dependencies:
//! their history tables are made with the DDL their sources use for each backend, and
//! filled as they fill them (see `sqlx_run` and `refinery_run`).

#![cfg(feature = "cli")]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use clap::Parser as _;
use migrate_runtime::cli::{Cli, CliOptions};
use migrate_runtime::{AnyConnection, Backend, Error, MigrationSet, Migrator};
use support::{TestDb, count_query, each_backend, id, table_exists};

mod imported_sqlite {
    migrate_runtime::migrations!("import/diesel/to/sqlite");
}
mod imported_postgres {
    migrate_runtime::migrations!("import/diesel/to/postgres");
}
mod imported_mysql {
    migrate_runtime::migrations!("import/diesel/to/mysql");
}
mod imported_sqlx {
    migrate_runtime::migrations!("import/sqlx/to");
}
mod imported_refinery {
    migrate_runtime::migrations!("import/refinery/to");
}

/// The folder of this test's diesel data.
fn data(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/import/diesel")
        .join(relative)
}

fn name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
        Backend::Mysql => "mysql",
        other => panic!("no fixture for {other}"),
    }
}

/// The ids of a fixture's imported revisions, in diesel's order.
fn imported_ids(backend: Backend) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(data(&format!("to/{}", name(backend))))
        .unwrap()
        .map(|e| {
            let file = e.unwrap().file_name().to_string_lossy().into_owned();
            file.strip_suffix(".rs").unwrap().to_owned()
        })
        .collect();
    ids.sort();
    ids
}

/// The registered migrations whose files are in `folder` (a path under `tests/`): this
/// binary links every fixture's imported files, each fixture a chain of its own.
fn fixture_set(folder: &str) -> MigrationSet {
    let migrations = MigrationSet::registered()
        .unwrap()
        .migrations()
        .iter()
        .filter(|m| m.source().is_some_and(|s| s.contains(folder)))
        .cloned()
        .collect();
    MigrationSet::new(migrations).unwrap()
}

/// The imported migrations of one diesel fixture.
fn imported_set(backend: Backend) -> MigrationSet {
    fixture_set(&format!("import/diesel/to/{}/", name(backend)))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A project holding the diesel folder of `backend` at `migrations/` (diesel_cli's
/// default), a migrate.toml naming `src/migrations`, and that folder, empty.
fn project(backend: Backend) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &data(&format!("from/{}", name(backend))),
        &dir.path().join("migrations"),
    );
    std::fs::create_dir_all(dir.path().join("src/migrations")).unwrap();
    std::fs::write(
        dir.path().join("migrate.toml"),
        "migrations = \"src/migrations\"\n",
    )
    .unwrap();
    dir
}

/// Runs the `migrate` binary in `dir`, without `DATABASE_URL`.
fn migrate(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_migrate"))
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The files of a folder, sorted by name, with their text.
fn files(dir: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&path).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn import_writes_the_reviewed_files_and_a_second_run_writes_nothing() {
    for backend in [Backend::Sqlite, Backend::Postgres, Backend::Mysql] {
        let project = project(backend);
        let out = migrate(project.path(), &["import", "diesel"]);
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{stdout}{}", text(&out.stderr));

        assert!(
            stdout.contains("  irreversible: no down.sql")
                && stdout.contains("  irreversible: its down.sql holds only comments")
                && stdout.contains("_seed_admin` holds only comments, which diesel cannot revert")
                && stdout.contains(
                    "  transactional = false: `run_in_transaction = false` in its metadata.toml"
                ),
            "{stdout}"
        );
        let written = files(&project.path().join("src/migrations"));
        assert!(
            stdout.starts_with(&format!(
                "importing {} diesel migrations from `migrations` (the default: `migrations` in \
                 the project root)\n",
                written.len()
            )),
            "{stdout}"
        );
        let reviewed = data(&format!("to/{}", name(backend)));
        if std::env::var_os("MIGRATE_BLESS").is_some() {
            let _ = std::fs::remove_dir_all(&reviewed);
            std::fs::create_dir_all(&reviewed).unwrap();
            for (file, text) in &written {
                std::fs::write(reviewed.join(file), text).unwrap();
            }
        }
        assert_eq!(
            written,
            files(&reviewed),
            "`import diesel` of `from/{0}` no longer writes `to/{0}`: if that is meant, run \
             with MIGRATE_BLESS=1 and review the diff",
            name(backend)
        );
        // Again, from a subfolder of the project: nothing to write, nothing changed.
        let again = migrate(&project.path().join("src"), &["import", "diesel"]);
        assert!(again.status.success(), "{}", text(&again.stderr));
        assert!(
            text(&again.stdout).contains("nothing to write: every one is already in"),
            "{}",
            text(&again.stdout)
        );
        assert_eq!(files(&project.path().join("src/migrations")), written);
    }
}

/// Bad input: exit code 2, the path and the fix named, nothing written.
#[test]
fn bad_diesel_folders_are_refused_and_nothing_is_written() {
    let refused = |setup: &dyn Fn(&Path), args: &[&str], expected: &[&str]| {
        let project = project(Backend::Sqlite);
        setup(project.path());
        let before = files(&project.path().join("src/migrations"));
        let out = migrate(project.path(), args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}{}", text(&out.stdout));
        for part in expected {
            assert!(stderr.contains(part), "{part}\nnot in:\n{stderr}");
        }
        assert_eq!(files(&project.path().join("src/migrations")), before);
    };
    let import = &["import", "diesel"][..];
    refused(
        &|_| {},
        &["import", "diesel", "elsewhere"],
        &[
            "error: the diesel migrations folder `elsewhere` (given on the command line) does not \
         exist; pass its path: `import diesel DIR`",
        ],
    );
    // A migration without up.sql, an unknown metadata key: every problem at once.
    refused(
        &|dir| {
            let migrations = dir.join("migrations");
            std::fs::remove_file(migrations.join("2023-02-03-080000-0000_add_users_email/up.sql"))
                .unwrap();
            std::fs::write(
                migrations.join("2023-03-01-000000-0000_index_users_email/metadata.toml"),
                "run_in_transaction = false\nrun_on_weekdays = true\n",
            )
            .unwrap();
        },
        import,
        &[
            "error: cannot import `migrations`, nothing was written:\n",
            "  `migrations/2023-02-03-080000-0000_add_users_email` has no `up.sql`, so diesel \
             refuses the whole folder; add the migration's `up.sql`, or move that folder out",
            "  `migrations/2023-03-01-000000-0000_index_users_email/metadata.toml`: unknown key \
             `run_on_weekdays`",
        ],
    );
    refused(
        &|dir| {
            std::fs::write(
                dir.join("migrations/2023-02-03-080000-0000_add_users_email/metadata.toml"),
                "run_in_transaction = fals\n",
            )
            .unwrap();
        },
        import,
        &["`migrations/2023-02-03-080000-0000_add_users_email/metadata.toml`: cannot parse it"],
    );
    // diesel.toml names the folder; a broken one is named.
    refused(
        &|dir| {
            std::fs::write(dir.join("diesel.toml"), "[migrations_directory]\ndir = 3\n").unwrap()
        },
        import,
        &["error: cannot read `diesel.toml`: `[migrations_directory]` needs `dir = \"PATH\"`"],
    );
    refused(
        &|dir| {
            std::fs::write(
                dir.join("diesel.toml"),
                "[print_schema]\nfile = \"src/schema.rs\"\n\n[migrations_directory]\ndir = \"db/migrations\"\n",
            )
            .unwrap();
        },
        import,
        &[
            "error: the diesel migrations folder `db/migrations` (`[migrations_directory]` in \
           `diesel.toml`) does not exist",
        ],
    );
    // A project template without a place for the SQL.
    refused(
        &|dir| {
            std::fs::write(
                dir.join("migrate.toml"),
                "migrations = \"src/migrations\"\ntemplate = \"m.tmpl\"\n",
            )
            .unwrap();
            std::fs::write(
                dir.join("m.tmpl"),
                "#[migration({{arguments}})]\nfn up(_ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }\n",
            )
            .unwrap();
        },
        import,
        &[
            "the template never uses `{{upgrade_body}}`, so the upgrade function would not run \
           the imported SQL",
        ],
    );
    // A folder that already holds migrations: the import starts a history of its own.
    refused(
        &|dir| {
            std::fs::write(
                dir.join("src/migrations/0001_users.rs"),
                "use migrate_runtime::prelude::*;\n#[migration(revision = \"0001_users\", irreversible)]\n\
                 pub(crate) fn upgrade(_ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }\n",
            )
            .unwrap();
        },
        import,
        &[
            "error: the migrations folder `src/migrations` already holds migrations \
           (`0001_users.rs`), and the import starts a history of its own",
        ],
    );
}

/// Runs the first `count` migrations of the diesel folder `dir` with diesel_migrations,
/// as `diesel migration run` would, on `conn`.
fn diesel_run(conn: &mut AnyConnection, dir: &Path, count: usize) {
    use diesel_migrations::{FileBasedMigrations, MigrationHarness};
    let source = FileBasedMigrations::from_path(dir).unwrap();
    for _ in 0..count {
        let done = match conn {
            #[cfg(feature = "sqlite")]
            AnyConnection::Sqlite(c) => c.run_next_migration(source.clone()).map(|_| ()),
            #[cfg(feature = "postgres")]
            AnyConnection::Postgres(c) => c.run_next_migration(source.clone()).map(|_| ()),
            #[cfg(feature = "mysql")]
            AnyConnection::Mysql(c) => c.run_next_migration(source.clone()).map(|_| ()),
            other => panic!("no diesel_migrations run for {}", other.backend()),
        };
        done.unwrap_or_else(|e| panic!("diesel_migrations failed: {e}"));
    }
}

/// The versions in `__diesel_schema_migrations`.
fn diesel_rows(conn: &mut AnyConnection) -> i64 {
    count_query(conn, "SELECT COUNT(*) AS n FROM __diesel_schema_migrations")
}

/// How many of `names` (indexes, triggers, routines) exist.
fn objects(db: &TestDb, conn: &mut AnyConnection, names: &[&str]) -> i64 {
    let list = names
        .iter()
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = match db.backend {
        Backend::Sqlite => {
            format!("SELECT COUNT(*) AS n FROM sqlite_master WHERE name IN ({list})")
        }
        Backend::Postgres => format!(
            "SELECT (SELECT COUNT(*) FROM pg_indexes WHERE indexname IN ({list})) \
             + (SELECT COUNT(*) FROM pg_trigger WHERE tgname IN ({list})) \
             + (SELECT COUNT(*) FROM pg_proc WHERE proname IN ({list})) AS n"
        ),
        _ => format!(
            "SELECT (SELECT COUNT(DISTINCT index_name) FROM information_schema.statistics \
             WHERE table_schema = DATABASE() AND index_name IN ({list})) \
             + (SELECT COUNT(*) FROM information_schema.routines \
             WHERE routine_schema = DATABASE() AND routine_name IN ({list})) AS n"
        ),
    };
    count_query(conn, &sql)
}

/// What each fixture's migrations create, all of which its full upgrade leaves.
fn created(backend: Backend) -> &'static [&'static str] {
    match backend {
        Backend::Sqlite => &["users_name_idx", "users_trim_name", "users_email_idx"],
        Backend::Postgres => &[
            "diesel_manage_updated_at",
            "diesel_set_updated_at",
            "users_name_idx",
            "set_updated_at",
            "users_email_idx",
        ],
        _ => &["users_name_idx", "users_email_idx", "count_users"],
    }
}

#[test]
fn imported_migrations_run_up_and_down_on_every_backend() {
    each_backend(|db| {
        let ids = imported_ids(db.backend);
        let migrator = Migrator::new(imported_set(db.backend));
        let mut conn = db.connect();
        let report = migrator.upgrade(&mut conn, "head").unwrap();
        assert_eq!(report.steps.len(), ids.len(), "{}", db.describe());
        let everything = created(db.backend);
        assert_eq!(
            objects(db, &mut conn, everything),
            everything.len() as i64,
            "{}",
            db.describe()
        );
        // Down to the seed: the last migration's down.sql runs.
        let seed = ids.iter().find(|i| i.ends_with("_seed_admin")).unwrap();
        migrator.downgrade(&mut conn, seed).unwrap();
        assert_eq!(
            objects(db, &mut conn, &["users_email_idx"]),
            0,
            "{}",
            db.describe()
        );
        // The seed's down.sql holds only comments, which diesel fails to revert on
        // PostgreSQL and MySQL: irreversible, not a downgrade that silently does nothing.
        let err = migrator.downgrade(&mut conn, "base").unwrap_err();
        assert!(
            matches!(&err, Error::Irreversible { revision, .. } if revision.as_str() == seed.as_str()),
            "{err}"
        );
        // Past it by hand: the backfill has no down.sql, which diesel could not revert.
        let backfill = ids
            .iter()
            .find(|i| i.ends_with("_backfill_emails"))
            .unwrap();
        migrator.stamp(&mut conn, backfill).unwrap();
        let err = migrator.downgrade(&mut conn, "base").unwrap_err();
        assert!(
            matches!(&err, Error::Irreversible { revision, .. } if revision.as_str() == backfill.as_str()),
            "{err}"
        );
        // Past it by hand, then every other down.sql.
        let add_email = ids
            .iter()
            .find(|i| i.ends_with("_add_users_email"))
            .unwrap();
        migrator.stamp(&mut conn, add_email).unwrap();
        migrator.downgrade(&mut conn, "base").unwrap();
        assert!(!table_exists(&mut conn, "users"), "{}", db.describe());
        assert_eq!(objects(db, &mut conn, everything), 0, "{}", db.describe());
        assert!(migrator.current(&mut conn).unwrap().is_empty());
    });
}

#[test]
fn a_database_diesel_migrated_is_adopted_with_the_advised_stamp() {
    each_backend(|db| {
        let ids = imported_ids(db.backend);
        let diesel_dir = data(&format!("from/{}", name(db.backend)));
        let mut conn = db.connect();
        // diesel ran all but the last migration.
        diesel_run(&mut conn, &diesel_dir, ids.len() - 1);
        let newest = &ids[ids.len() - 2];
        // The import says what to stamp.
        let project = project(db.backend);
        let out = migrate(
            project.path(),
            &["--database-url", db.url(), "import", "diesel"],
        );
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
        assert!(
            stdout.contains(&format!(
                "diesel applied {} of the {} migrations there, up to `",
                ids.len() - 1,
                ids.len()
            )) && stdout.contains(&format!("\n  stamp {newest}\n"))
                && stdout.contains("then `upgrade head` applies the other 1;"),
            "{}: {stdout}",
            db.describe()
        );
        // `stamp --from diesel`, in a CLI with the imported migrations, does the same.
        let cli = Cli::try_parse_from(["migrate", "stamp", "--from", "diesel"]).unwrap();
        let code = cli.run_with(
            imported_set(db.backend),
            CliOptions::new().database_url(db.url()),
        );
        assert_eq!(
            format!("{code:?}"),
            format!("{:?}", std::process::ExitCode::SUCCESS)
        );
        let migrator = Migrator::new(imported_set(db.backend));
        assert_eq!(migrator.current(&mut conn).unwrap(), [id(newest)]);
        // The rest applies, and diesel's table is left as it was.
        let report = migrator.upgrade(&mut conn, "head").unwrap();
        assert_eq!(report.steps.len(), 1, "{}", db.describe());
        let everything = created(db.backend);
        assert_eq!(
            objects(db, &mut conn, everything),
            everything.len() as i64,
            "{}",
            db.describe()
        );
        assert_eq!(diesel_rows(&mut conn), ids.len() as i64 - 1);
    });
}

/// The CLI of [`in_child`]: set by the parent, read by the child.
const CHILD_ARGS: &str = "MIGRATE_IMPORT_TEST_CLI";

/// Runs a CLI holding the migrations that `set` names (`diesel-<backend>` or a tool) with
/// `args` on `url`, in a child process (this test binary, running only
/// `child_runs_the_cli`), so that the test reads its output: the `migrate` binary holds no
/// migration. Returns its stdout, stderr and whether it exited with success.
fn in_child(set: &str, url: &str, args: &[&str]) -> (String, String, bool) {
    in_child_at(Path::new("."), set, url, args)
}

/// [`in_child`] with `dir` as the current directory (a project, whose folders it reads).
fn in_child_at(dir: &Path, set: &str, url: &str, args: &[&str]) -> (String, String, bool) {
    let mut all = vec![set, url];
    all.extend_from_slice(args);
    let out = Command::new(std::env::current_exe().unwrap())
        .current_dir(dir)
        .args([
            "--exact",
            "child_runs_the_cli",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ARGS, all.join("\u{1f}"))
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    let success = stderr.contains(&format!(
        "child exit: {:?}",
        std::process::ExitCode::SUCCESS
    ));
    (text(&out.stdout), stderr, success)
}

/// The child of [`in_child`]; does nothing in a normal run.
#[test]
fn child_runs_the_cli() {
    let Ok(all) = std::env::var(CHILD_ARGS) else {
        return;
    };
    let mut all = all.split('\u{1f}');
    let (set, url) = (all.next().unwrap(), all.next().unwrap());
    let set = match set {
        "diesel-sqlite" => imported_set(Backend::Sqlite),
        "diesel-postgres" => imported_set(Backend::Postgres),
        "diesel-mysql" => imported_set(Backend::Mysql),
        tool => tool_set(tool),
    };
    let cli = Cli::try_parse_from(std::iter::once("migrate").chain(all)).unwrap();
    let code = cli.run_with(set, CliOptions::new().database_url(url));
    eprintln!("child exit: {code:?}");
}

/// On a database diesel migrated, `check` and a failed `upgrade` say to stamp (after
/// importing, when the binary has no imported revision); once stamped, nothing.
#[test]
fn a_database_diesel_migrated_gets_the_advice_to_stamp_before_upgrading() {
    each_backend(|db| {
        let ids = imported_ids(db.backend);
        let mut conn = db.connect();
        diesel_run(
            &mut conn,
            &data(&format!("from/{}", name(db.backend))),
            ids.len() - 1,
        );
        let newest = &ids[ids.len() - 2];
        let set = format!("diesel-{}", name(db.backend));
        let advice = format!(
            "diesel migrated this database (__diesel_schema_migrations records {} migrations, \
             the last `",
            ids.len() - 1
        );
        let stamp = format!("run `stamp --from diesel`, which records {newest} as applied");

        let (stdout, stderr, ok) = in_child(&set, db.url(), &["check"]);
        assert!(!ok, "{stdout}{stderr}");
        assert!(
            stdout.contains(&format!("hint: {advice}")) && stdout.contains(&stamp),
            "{}: {stdout}{stderr}",
            db.describe()
        );
        // A binary without the imported migrations: import them first.
        let (stdout, stderr, _) = in_child("sqlx", db.url(), &["check"]);
        assert!(
            stdout.contains("run `import diesel`, rebuild, then `stamp --from diesel` before"),
            "{}: {stdout}{stderr}",
            db.describe()
        );

        // `upgrade head` first: it fails on what diesel created, and says why.
        let (stdout, stderr, ok) = in_child(&set, db.url(), &["upgrade", "head"]);
        assert!(!ok, "{stdout}{stderr}");
        assert!(
            stderr.contains(&format!("note: {advice}")) && stderr.contains(&stamp),
            "{}: {stdout}{stderr}",
            db.describe()
        );

        // Stamped as advised: the last migration is pending, and nothing more is said.
        let (stdout, stderr, ok) = in_child(&set, db.url(), &["stamp", "--from", "diesel"]);
        assert!(ok, "{stdout}{stderr}");
        let (stdout, stderr, ok) = in_child(&set, db.url(), &["check"]);
        assert!(!ok && stdout.contains("pending: "), "{stdout}{stderr}");
        assert!(!stdout.contains("hint:"), "{}: {stdout}", db.describe());
        let (stdout, stderr, ok) = in_child(&set, db.url(), &["upgrade", "head"]);
        assert!(ok, "{}: {stdout}{stderr}", db.describe());
    });
}

/// diesel applies pending migrations whatever their order: one added with an older
/// version than applied ones leaves a gap, and stamping would record it as applied.
#[cfg(feature = "sqlite")]
#[test]
fn a_gap_in_what_diesel_applied_is_named_and_not_stamped() {
    let db = TestDb::sqlite();
    let mut conn = db.connect();
    // diesel ran the folder before the backfill was added to it.
    let partial = tempfile::tempdir().unwrap();
    copy_dir(&data("from/sqlite"), partial.path());
    std::fs::remove_dir_all(
        partial
            .path()
            .join("2023-02-20-093000-0000_backfill_emails"),
    )
    .unwrap();
    diesel_run(&mut conn, partial.path(), 4);
    let project = project(Backend::Sqlite);
    let out = migrate(
        project.path(),
        &["--database-url", db.url(), "import", "diesel"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains(
            "warning: diesel applied `2023-03-01-000000-0000_index_users_email` but not \
             `2023-02-20-093000-0000_backfill_emails`, which comes before it: stamping its \
             revision would record it as applied although its SQL never ran there"
        ),
        "{}",
        text(&out.stderr)
    );
    assert!(
        !text(&out.stdout).contains("  stamp "),
        "{}",
        text(&out.stdout)
    );
    let cli = Cli::try_parse_from(["migrate", "stamp", "--from", "diesel"]).unwrap();
    let code = cli.run_with(
        imported_set(Backend::Sqlite),
        CliOptions::new().database_url(db.url()),
    );
    assert_eq!(
        format!("{code:?}"),
        format!("{:?}", std::process::ExitCode::from(2))
    );
    let migrator = Migrator::new(imported_set(Backend::Sqlite));
    assert!(migrator.current(&mut conn).unwrap().is_empty());
    assert_eq!(diesel_rows(&mut conn), 4);
}

/// Nothing to stamp from: no database (none is created), or one diesel never migrated.
#[cfg(feature = "sqlite")]
#[test]
fn stamp_from_diesel_refuses_a_database_diesel_never_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let out = migrate(dir.path(), &["stamp", "--from", "diesel"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("error: there is no database at sqlite://migrate.sqlite3"),
        "{}",
        text(&out.stderr)
    );
    assert!(!dir.path().join("migrate.sqlite3").exists());
    let db = TestDb::sqlite();
    // A query makes the scratch file exist, without a diesel table.
    let mut conn = db.connect();
    assert_eq!(count_query(&mut conn, "SELECT 0 AS n"), 0);
    let out = migrate(
        dir.path(),
        &["--database-url", db.url(), "stamp", "--from", "diesel"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains(
            "error: the database has no __diesel_schema_migrations table: diesel never migrated \
             it, so there is nothing to stamp from"
        ),
        "{}",
        text(&out.stderr)
    );
}

// sqlx and refinery.

/// The folder of `tool`'s data (`from`, `to`).
fn tool_data(tool: &str, relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/import")
        .join(tool)
        .join(relative)
}

/// A project holding `tool`'s folder at `migrations/` (the tool's default), a
/// migrate.toml naming `src/migrations`, and that folder, empty.
fn tool_project(tool: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&tool_data(tool, "from"), &dir.path().join("migrations"));
    std::fs::create_dir_all(dir.path().join("src/migrations")).unwrap();
    std::fs::write(
        dir.path().join("migrate.toml"),
        "migrations = \"src/migrations\"\n",
    )
    .unwrap();
    dir
}

/// The imported migrations of `tool`.
fn tool_set(tool: &str) -> MigrationSet {
    fixture_set(&format!("import/{tool}/to/"))
}

/// The ids of `tool`'s imported revisions, in its order (their versions have one width).
fn tool_ids(tool: &str) -> Vec<String> {
    let mut ids: Vec<String> = files(&tool_data(tool, "to"))
        .into_iter()
        .map(|(file, _)| file.strip_suffix(".rs").unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

fn batch(conn: &mut AnyConnection, sql: &str) {
    diesel::connection::SimpleConnection::batch_execute(conn, sql)
        .unwrap_or_else(|e| panic!("{e}: {sql}"));
}

/// Applies the first `count` migrations of the sqlx folder as sqlx 0.8 does on `conn`'s
/// backend (`sqlx-{sqlite,postgres,mysql}/src/migrate.rs`): `_sqlx_migrations` created with
/// that backend's DDL, then for each migration its SQL and its row (`success` TRUE, the
/// SHA-384 of the SQL as `checksum`, `execution_time` -1 and then the time it took; on
/// MySQL the row is written with `success` FALSE before the SQL and set TRUE after).
fn sqlx_run(conn: &mut AnyConnection, count: usize) {
    use sha2::Digest as _;
    let backend = conn.backend();
    batch(
        conn,
        match backend {
            Backend::Sqlite => {
                "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    success BOOLEAN NOT NULL,
    checksum BLOB NOT NULL,
    execution_time BIGINT NOT NULL
);"
            }
            Backend::Postgres => {
                "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
    success BOOLEAN NOT NULL,
    checksum BYTEA NOT NULL,
    execution_time BIGINT NOT NULL
);"
            }
            _ => {
                "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    success BOOLEAN NOT NULL,
    checksum BLOB NOT NULL,
    execution_time BIGINT NOT NULL
);"
            }
        },
    );
    let ups: Vec<(String, String)> = files(&tool_data("sqlx", "from"))
        .into_iter()
        .filter(|(file, _)| file.ends_with(".sql") && !file.ends_with(".down.sql"))
        .collect();
    for (file, sql) in ups.into_iter().take(count) {
        let (version, rest) = file.split_once('_').unwrap();
        let description = rest
            .trim_end_matches(".up.sql")
            .trim_end_matches(".sql")
            .replace('_', " ");
        let hex: String = sha2::Sha384::digest(sql.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let checksum = match backend {
            Backend::Postgres => format!("decode('{hex}', 'hex')"),
            _ => format!("X'{hex}'"),
        };
        let insert = |success: &str| {
            format!(
                "INSERT INTO _sqlx_migrations ( version, description, success, checksum, \
                 execution_time ) VALUES ( {version}, '{description}', {success}, {checksum}, -1 )"
            )
        };
        if backend == Backend::Mysql {
            batch(conn, &insert("FALSE"));
            batch(conn, &sql);
            batch(
                conn,
                &format!("UPDATE _sqlx_migrations SET success = TRUE WHERE version = {version}"),
            );
        } else {
            batch(conn, &sql);
            batch(conn, &insert("TRUE"));
        }
        batch(
            conn,
            &format!(
                "UPDATE _sqlx_migrations SET execution_time = 1843000 WHERE version = {version}"
            ),
        );
    }
}

/// Applies the first `count` migrations of the refinery folder as refinery 0.8 and 0.9 do
/// (`refinery_core/src/traits/{mod,sync}.rs`): `table` created with refinery's DDL (the
/// default `int4` versions), then for each migration its SQL and its row (version, name,
/// `applied_on` in RFC 3339, and the checksum, refinery's SipHash of name, version and SQL,
/// here a fixed number since nothing here reads it).
fn refinery_run(conn: &mut AnyConnection, table: &str, count: usize) {
    batch(
        conn,
        &format!(
            "CREATE TABLE IF NOT EXISTS {table}(
             version int4 PRIMARY KEY,
             name VARCHAR(255),
             applied_on VARCHAR(255),
             checksum VARCHAR(255));"
        ),
    );
    let mut migrations: Vec<(i64, String, String)> = Vec::new();
    for dir in [
        tool_data("refinery", "from"),
        tool_data("refinery", "from/more"),
    ] {
        for (file, path) in std::fs::read_dir(&dir).unwrap().map(|e| {
            let e = e.unwrap();
            (e.file_name().to_string_lossy().into_owned(), e.path())
        }) {
            let Some(stem) = file.strip_suffix(".sql") else {
                continue;
            };
            let (version, name) = stem[1..].split_once("__").unwrap();
            let sql = std::fs::read_to_string(path).unwrap();
            migrations.push((version.parse().unwrap(), name.to_owned(), sql));
        }
    }
    migrations.sort();
    for (version, name, sql) in migrations.into_iter().take(count) {
        batch(conn, &sql);
        batch(
            conn,
            &format!(
                "INSERT INTO {table} (version, name, applied_on, checksum) VALUES ({version}, \
                 '{name}', '2024-05-0{version}T10:00:00.123456789Z', '1317986412867382{version}')"
            ),
        );
    }
}

#[test]
fn sqlx_and_refinery_imports_write_the_reviewed_files() {
    for (tool, notes) in [
        (
            "sqlx",
            &[
                "  irreversible: a simple migration (no `.down.sql`), which sqlx cannot revert\n",
                "  transactional = false: its SQL starts with `-- no-transaction`\n",
            ][..],
        ),
        (
            "refinery",
            &[
                "refinery has no down migrations: every one is imported irreversible\n",
                "  transactional = false: its SQL says `refinery:noTransaction`",
                "  unversioned (U): refinery applies it even after later versions",
            ][..],
        ),
    ] {
        let project = tool_project(tool);
        let out = migrate(project.path(), &["import", tool]);
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert!(out.status.success(), "{stdout}{stderr}");
        assert!(
            stdout.starts_with(&format!(
                "importing 4 {tool} migrations from `migrations` (the default: `migrations` in \
                 the project root)\n"
            )),
            "{stdout}"
        );
        for note in notes {
            assert!(stdout.contains(note), "{note}\nnot in:\n{stdout}");
        }
        if tool == "refinery" {
            assert!(
                stderr.contains(
                    "warning: `migrations/README.md` is not named `V<n>__<name>.sql` (the name of \
                     letters, digits and `_`), so refinery skips it, and so does the import"
                ),
                "{stderr}"
            );
        }
        let written = files(&project.path().join("src/migrations"));
        let reviewed = tool_data(tool, "to");
        if std::env::var_os("MIGRATE_BLESS").is_some() {
            let _ = std::fs::remove_dir_all(&reviewed);
            std::fs::create_dir_all(&reviewed).unwrap();
            for (file, text) in &written {
                std::fs::write(reviewed.join(file), text).unwrap();
            }
        }
        assert_eq!(
            written,
            files(&reviewed),
            "`import {tool}` of `{tool}/from` no longer writes `{tool}/to`: if that is meant, \
             run with MIGRATE_BLESS=1 and review the diff"
        );
        let again = migrate(&project.path().join("src"), &["import", tool]);
        assert!(again.status.success(), "{}", text(&again.stderr));
        assert!(
            text(&again.stdout).contains("nothing to write: every one is already in"),
            "{}",
            text(&again.stdout)
        );
    }
}

/// The objects the sqlx and refinery folders create.
const TOOL_OBJECTS: &[&str] = &["users_name_idx", "users_email_idx"];

#[test]
fn imported_sqlx_and_refinery_migrations_run_up_and_down_on_every_backend() {
    each_backend(|db| {
        let mut conn = db.connect();
        // sqlx: reversible, simple and no-transaction migrations.
        let ids = tool_ids("sqlx");
        let migrator = Migrator::new(tool_set("sqlx"));
        let report = migrator.upgrade(&mut conn, "head").unwrap();
        assert_eq!(report.steps.len(), 4, "{}", db.describe());
        assert!(table_exists(&mut conn, "posts"), "{}", db.describe());
        assert_eq!(objects(db, &mut conn, TOOL_OBJECTS), 2, "{}", db.describe());
        // The last one's `.down.sql` runs; the simple one before it cannot be reverted.
        migrator.downgrade(&mut conn, &ids[2]).unwrap();
        assert!(!table_exists(&mut conn, "posts"), "{}", db.describe());
        let err = migrator.downgrade(&mut conn, "base").unwrap_err();
        assert!(matches!(err, Error::Irreversible { .. }), "{err}");
        migrator.stamp(&mut conn, &ids[0]).unwrap();
        migrator.downgrade(&mut conn, "base").unwrap();
        assert!(!table_exists(&mut conn, "users"), "{}", db.describe());
        // refinery: all irreversible.
        let migrator = Migrator::new(tool_set("refinery"));
        let report = migrator.upgrade(&mut conn, "head").unwrap();
        assert_eq!(report.steps.len(), 4, "{}", db.describe());
        assert!(table_exists(&mut conn, "posts"), "{}", db.describe());
        assert_eq!(objects(db, &mut conn, TOOL_OBJECTS), 2, "{}", db.describe());
        let err = migrator.downgrade(&mut conn, "-1").unwrap_err();
        assert!(matches!(err, Error::Irreversible { .. }), "{err}");
    });
}

/// Runs `stamp --from TOOL [more]` in a CLI with `tool`'s imported migrations; its code.
fn stamp_from(db: &TestDb, tool: &str, more: &[&str]) -> String {
    let mut args = vec!["migrate", "stamp", "--from", tool];
    args.extend_from_slice(more);
    let cli = Cli::try_parse_from(args).unwrap();
    format!(
        "{:?}",
        cli.run_with(tool_set(tool), CliOptions::new().database_url(db.url()))
    )
}

fn success() -> String {
    format!("{:?}", std::process::ExitCode::SUCCESS)
}

#[test]
fn databases_sqlx_and_refinery_migrated_are_adopted_with_the_advised_stamp() {
    each_backend(|db| {
        for tool in ["sqlx", "refinery"] {
            let db = TestDb::fresh_like(db);
            let mut conn = db.connect();
            // The tool ran all but the last migration.
            match tool {
                "sqlx" => sqlx_run(&mut conn, 3),
                _ => refinery_run(&mut conn, "refinery_schema_history", 3),
            }
            let ids = tool_ids(tool);
            let project = tool_project(tool);
            let out = migrate(
                project.path(),
                &["--database-url", db.url(), "import", tool],
            );
            let stdout = text(&out.stdout);
            assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
            assert!(
                stdout.contains(&format!(
                    "{tool} applied 3 of the 4 migrations there, up to `"
                )) && stdout.contains(&format!("(or run `stamp --from {tool}`, which reads"))
                    && stdout.contains(&format!("\n  stamp {}\n", ids[2]))
                    && stdout.contains("then `upgrade head` applies the other 1;"),
                "{}: {stdout}",
                db.describe()
            );
            assert_eq!(stamp_from(&db, tool, &[]), success(), "{}", db.describe());
            let migrator = Migrator::new(tool_set(tool));
            assert_eq!(migrator.current(&mut conn).unwrap(), [id(&ids[2])]);
            let report = migrator.upgrade(&mut conn, "head").unwrap();
            assert_eq!(report.steps.len(), 1, "{}", db.describe());
            assert!(table_exists(&mut conn, "posts"), "{}", db.describe());
            // The tool's table is left as it was.
            let table = if tool == "sqlx" {
                "_sqlx_migrations"
            } else {
                "refinery_schema_history"
            };
            assert_eq!(
                count_query(&mut conn, &format!("SELECT COUNT(*) AS n FROM {table}")),
                3
            );
        }
    });
}

/// sqlx refuses to run when an applied migration's file changed since (its checksum): the
/// import names such a file, whose SQL the database may not hold.
#[test]
fn an_sqlx_migration_edited_since_it_ran_is_named() {
    each_backend(|db| {
        let mut conn = db.connect();
        sqlx_run(&mut conn, 3);
        let import = |edit: bool| {
            let project = tool_project("sqlx");
            if edit {
                let file = project
                    .path()
                    .join("migrations/20260203080000_add_users_email.sql");
                let sql = std::fs::read_to_string(&file).unwrap();
                std::fs::write(&file, format!("{sql}-- edited after it ran\n")).unwrap();
            }
            let out = migrate(
                project.path(),
                &["--database-url", db.url(), "import", "sqlx"],
            );
            assert!(out.status.success(), "{}", text(&out.stderr));
            text(&out.stderr)
        };
        let stderr = import(false);
        assert!(
            !stderr.contains("changed since"),
            "{}: {stderr}",
            db.describe()
        );
        let stderr = import(true);
        assert!(
            stderr.contains(
                "warning: `20260203080000_add_users_email.sql` changed since sqlx applied it \
                 (_sqlx_migrations records another checksum"
            ),
            "{}: {stderr}",
            db.describe()
        );
        assert!(!stderr.contains("create_users"), "{stderr}");
    });
}

/// sqlx on MySQL writes a migration's row with `success` FALSE before its SQL, and DDL
/// commits as it goes: a failure leaves the row, and part of the migration applied.
#[test]
fn a_migration_sqlx_marks_as_failed_blocks_the_stamp() {
    each_backend(|db| {
        let mut conn = db.connect();
        sqlx_run(&mut conn, 2);
        batch(
            &mut conn,
            "INSERT INTO _sqlx_migrations ( version, description, success, checksum, \
             execution_time ) VALUES ( 20260301000000, 'index users email', FALSE, X'00', -1 )"
                .replace(
                    "X'00'",
                    if db.backend == Backend::Postgres {
                        "'\\x00'::bytea"
                    } else {
                        "X'00'"
                    },
                )
                .as_str(),
        );
        let project = tool_project("sqlx");
        let out = migrate(
            project.path(),
            &["--database-url", db.url(), "import", "sqlx"],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains(
                "warning: no stamp to advise: _sqlx_migrations marks version `20260301000000` as \
                 failed part way (`success = false`)"
            ),
            "{}",
            text(&out.stderr)
        );
        assert!(
            !text(&out.stdout).contains("  stamp "),
            "{}",
            text(&out.stdout)
        );
        let code = stamp_from(db, "sqlx", &[]);
        assert_eq!(code, format!("{:?}", std::process::ExitCode::from(2)));
        let migrator = Migrator::new(tool_set("sqlx"));
        assert!(migrator.current(&mut conn).unwrap().is_empty());
    });
}

/// refinery's table under another name (`set_migration_table_name`), and an unversioned
/// migration added after later ones ran: a gap that refinery fills at its next run, and
/// that a stamp must not paper over.
#[cfg(feature = "sqlite")]
#[test]
fn refinery_with_another_table_and_a_late_unversioned_migration() {
    let db = TestDb::sqlite();
    let mut conn = db.connect();
    refinery_run(&mut conn, "app_schema_history", 2);
    // V3 ran, U4 (unversioned, added later) did not: refinery would apply it next.
    batch(&mut conn, "CREATE INDEX users_email_idx ON users (email)");
    batch(
        &mut conn,
        "INSERT INTO app_schema_history (version, name, applied_on, checksum) VALUES \
         (3, 'index_users_email', '2024-05-03T10:00:00Z', '131798641286738203')",
    );
    let project = tool_project("refinery");
    let import = |more: &[&str]| {
        let mut args = vec!["--database-url", db.url(), "import", "refinery"];
        args.extend_from_slice(more);
        migrate(project.path(), &args)
    };
    // The default table is not there.
    let out = import(&[]);
    assert!(
        text(&out.stdout).contains(
            "no refinery_schema_history table there: refinery never \
             migrated this database"
        ),
        "{}",
        text(&out.stdout)
    );
    let out = import(&["--table", "app_schema_history"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(
            "refinery applied 3 of the 4 migrations there, up to `V3__index_users_email`"
        ) && text(&out.stdout).contains("`stamp --from refinery --table app_schema_history`"),
        "{}",
        text(&out.stdout)
    );
    // Now U4 sorts before a later V5 that refinery applied.
    batch(&mut conn, "CREATE TABLE audit (id INTEGER PRIMARY KEY)");
    batch(
        &mut conn,
        "INSERT INTO app_schema_history (version, name, applied_on, checksum) VALUES \
         (5, 'create_audit', '2024-05-05T10:00:00Z', '131798641286738205')",
    );
    std::fs::write(
        project.path().join("migrations/V5__create_audit.sql"),
        "CREATE TABLE audit (id INTEGER PRIMARY KEY);\n",
    )
    .unwrap();
    let out = import(&["--table", "app_schema_history"]);
    assert!(
        text(&out.stderr).contains(
            "warning: refinery applied `V5__create_audit` but not `U4__create_posts`, which comes \
             before it: stamping its revision would record it as applied although its SQL never \
             ran there; apply it first (`refinery migrate`, or the application's runner applies \
             every pending one)"
        ),
        "{}",
        text(&out.stderr)
    );
    // `--table` is refinery's and sqlx's; diesel's table has one name.
    assert_eq!(
        stamp_from(&db, "diesel", &["--table", "app_schema_history"]),
        format!("{:?}", std::process::ExitCode::from(2))
    );
}

/// Bad input: exit code 2, the file and the fix named, nothing written.
#[test]
fn bad_sqlx_and_refinery_folders_are_refused_and_nothing_is_written() {
    let refused = |tool: &str, setup: &dyn Fn(&Path), args: &[&str], expected: &[&str]| {
        let project = tool_project(tool);
        setup(project.path());
        let out = migrate(project.path(), args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}{}", text(&out.stdout));
        for part in expected {
            assert!(stderr.contains(part), "{part}\nnot in:\n{stderr}");
        }
        assert!(files(&project.path().join("src/migrations")).is_empty());
    };
    refused(
        "refinery",
        &|dir| {
            std::fs::write(
                dir.join("migrations/more/V6__seed.rs"),
                "pub fn migration() -> String { String::new() }\n",
            )
            .unwrap();
        },
        &["import", "refinery"],
        &[
            "error: cannot import `migrations`, nothing was written:\n",
            "  `migrations/more/V6__seed.rs` is a Rust migration, whose SQL exists only when \
             refinery runs its `migration()`",
        ],
    );
    refused(
        "sqlx",
        &|dir| {
            std::fs::write(dir.join("migrations/next_add_posts.sql"), "SELECT 1;\n").unwrap();
        },
        &["import", "sqlx"],
        &[
            "`migrations/next_add_posts.sql` is `next` (its name up to the first `_`), which is \
           not an integer, so sqlx refuses the whole folder",
        ],
    );
    refused(
        "sqlx",
        &|_| {},
        &["import", "sqlx", "--table", "x; DROP TABLE users"],
        &["`x; DROP TABLE users` is not a table name this reads"],
    );
    refused(
        "refinery",
        &|_| {},
        &["import", "refinery", "db"],
        &[
            "error: the refinery migrations folder `db` (given on the command line) does not \
           exist; pass its path: `import refinery DIR`",
        ],
    );
}

/// A deploy running `stamp --from sqlx && upgrade head` every time: once migrate has taken
/// the database further, the stamp changes nothing, and after migrate reverted what sqlx
/// had applied, it neither records that again nor hints that it should.
#[test]
fn stamp_from_a_tool_on_every_deploy_never_takes_migrate_back() {
    each_backend(|db| {
        let ids = tool_ids("sqlx");
        let migrator = Migrator::new(tool_set("sqlx"));
        let deploy = |db: &TestDb, conn: &mut AnyConnection| {
            let (stdout, stderr, ok) = in_child("sqlx", db.url(), &["stamp", "--from", "sqlx"]);
            assert!(ok, "{}: {stdout}{stderr}", db.describe());
            let report = migrator.upgrade(conn, "head").unwrap();
            (stdout, report.steps.len())
        };

        // Adopted, then taken to head by migrate.
        let adopted = TestDb::fresh_like(db);
        let mut conn = adopted.connect();
        sqlx_run(&mut conn, 3);
        let (stdout, steps) = deploy(&adopted, &mut conn);
        assert!(stdout.contains(&format!("stamping {}", ids[2])), "{stdout}");
        assert_eq!(steps, 1, "{}", db.describe());
        let (stdout, steps) = deploy(&adopted, &mut conn);
        assert_eq!(steps, 0, "{}: {stdout}", db.describe());
        assert!(
            stdout.contains(&format!(
                "migrate already records {}, which comes after {}: nothing stamped",
                ids[3], ids[2]
            )),
            "{}: {stdout}",
            db.describe()
        );
        assert_eq!(migrator.current(&mut conn).unwrap(), [id(&ids[3])]);

        // Adopted, then reverted by migrate: sqlx's table still records its migration.
        let reverted = TestDb::fresh_like(db);
        let mut conn = reverted.connect();
        sqlx_run(&mut conn, 1);
        assert_eq!(stamp_from(&reverted, "sqlx", &[]), success());
        migrator.downgrade(&mut conn, "base").unwrap();
        assert!(!table_exists(&mut conn, "users"), "{}", db.describe());
        let (stdout, stderr, ok) = in_child("sqlx", reverted.url(), &["check"]);
        assert!(!ok && stdout.contains("pending: "), "{stdout}{stderr}");
        assert!(!stdout.contains("hint:"), "{}: {stdout}", db.describe());
        let (stdout, steps) = deploy(&reverted, &mut conn);
        assert!(
            stdout.contains(&format!(
                "migrate applied `{}` and has reverted it since, which _sqlx_migrations still \
                 records as applied: nothing stamped",
                ids[0]
            )),
            "{}: {stdout}",
            db.describe()
        );
        assert_eq!(steps, 4, "{}", db.describe());
        assert!(table_exists(&mut conn, "posts"), "{}", db.describe());
    });
}

mod imported_own_transaction {
    migrate_runtime::migrations!("import/own_transaction/to");
}

/// A file with its own `BEGIN;` and `COMMIT;` (yas has three), which the tools run as it
/// is: imported `transactional = false` from each tool's folder, with a note, and it runs
/// on every backend.
#[test]
fn a_file_that_commits_itself_is_imported_without_a_transaction() {
    let sql =
        std::fs::read_to_string(tool_data("own_transaction", "from/1_create_tags.sql")).unwrap();
    for (tool, file, shown) in [
        ("sqlx", "1_create_tags.sql", "migrations/1_create_tags.sql"),
        (
            "refinery",
            "V1__create_tags.sql",
            "migrations/V1__create_tags.sql",
        ),
        (
            "diesel",
            "2024-01-01-000000_create_tags/up.sql",
            "migrations/2024-01-01-000000_create_tags/up.sql",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("migrations").join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &sql).unwrap();
        std::fs::create_dir_all(dir.path().join("src/migrations")).unwrap();
        std::fs::write(
            dir.path().join("migrate.toml"),
            "migrations = \"src/migrations\"\n",
        )
        .unwrap();
        let out = migrate(dir.path(), &["import", tool]);
        let stdout = text(&out.stdout);
        assert!(
            out.status.success(),
            "{tool}: {stdout}{}",
            text(&out.stderr)
        );
        assert!(
            stdout.contains(&format!(
                "  transactional = false: `{shown}` runs `BEGIN` itself, inside the transaction \
                 {tool} runs it in: on PostgreSQL and MySQL that ends {tool}'s transaction, so \
                 the file ran outside one in effect, while on SQLite {tool} fails on it (SQLite \
                 refuses a `BEGIN` inside a transaction, and {tool}'s own `COMMIT` after the \
                 file's); migrate refuses transaction control in a transactional migration, so \
                 it runs outside one\n"
            )),
            "{tool}: {stdout}"
        );
        let written = files(&dir.path().join("src/migrations"));
        assert_eq!(written.len(), 1, "{tool}");
        assert!(
            written[0].1.contains(", transactional = false)]"),
            "{tool}: {}",
            written[0].1
        );
        if tool == "sqlx" {
            let reviewed = tool_data("own_transaction", "to");
            if std::env::var_os("MIGRATE_BLESS").is_some() {
                std::fs::write(reviewed.join(&written[0].0), &written[0].1).unwrap();
            }
            assert_eq!(written, files(&reviewed), "re-bless with MIGRATE_BLESS=1");
        }
    }
    each_backend(|db| {
        let mut conn = db.connect();
        let migrator = Migrator::new(fixture_set("import/own_transaction/to/"));
        let report = migrator.upgrade(&mut conn, "head").unwrap();
        assert_eq!(report.steps.len(), 1, "{}", db.describe());
        assert_eq!(
            count_query(&mut conn, "SELECT COUNT(*) AS n FROM tags"),
            1,
            "{}",
            db.describe()
        );
    });
}

/// Editing an imported file is normal (to fix its SQL by hand, say): a later import leaves
/// it as it is, names it, and still writes the missing migrations and advises the stamp.
#[test]
fn an_edited_imported_file_is_left_alone_and_the_rest_imported() {
    each_backend(|db| {
        let mut conn = db.connect();
        sqlx_run(&mut conn, 3);
        let ids = tool_ids("sqlx");
        let project = tool_project("sqlx");
        let import = || {
            let out = migrate(
                project.path(),
                &["--database-url", db.url(), "import", "sqlx"],
            );
            let stdout = text(&out.stdout);
            assert!(
                out.status.success(),
                "{}: {stdout}{}",
                db.describe(),
                text(&out.stderr)
            );
            stdout
        };
        import();
        let folder = project.path().join("src/migrations");
        let edited = folder.join(format!("{}.rs", ids[1]));
        let mine = std::fs::read_to_string(&edited).unwrap().replace(
            "// `migrations/",
            "// Reviewed by hand.\n    // `migrations/",
        );
        std::fs::write(&edited, &mine).unwrap();
        let last = folder.join(format!("{}.rs", ids[3]));
        std::fs::remove_file(&last).unwrap();

        let stdout = import();
        assert!(
            stdout.contains(&format!(
                "note: `src/migrations/{}.rs` already exists and differs from what the import \
                 writes (edited since an earlier import, or written from another template): \
                 left as it is",
                ids[1]
            )),
            "{}: {stdout}",
            db.describe()
        );
        assert!(
            stdout.contains("imported 1 migration into `src/migrations` (3 already there)"),
            "{stdout}"
        );
        assert!(
            stdout.contains(&format!("\n  stamp {}\n", ids[2])),
            "{stdout}"
        );
        assert!(last.exists());
        assert_eq!(std::fs::read_to_string(&edited).unwrap(), mine);
    });
}

/// `stamp --from sqlx` warns of a file changed since sqlx applied it, as `import` does; and
/// a version `_sqlx_migrations` records that no file has gets from both the same advice, a
/// plain stamp, which the refusal of `stamp --from` names.
#[test]
fn stamp_from_sqlx_agrees_with_import_on_edited_and_unknown_migrations() {
    each_backend(|db| {
        let ids = tool_ids("sqlx");
        let mut conn = db.connect();
        sqlx_run(&mut conn, 3);
        let project = tool_project("sqlx");
        let file = project
            .path()
            .join("migrations/20260203080000_add_users_email.sql");
        let sql = std::fs::read_to_string(&file).unwrap();
        std::fs::write(&file, format!("{sql}-- edited after it ran\n")).unwrap();
        let (stdout, stderr, ok) = in_child_at(
            project.path(),
            "sqlx",
            db.url(),
            &["stamp", "--from", "sqlx"],
        );
        assert!(ok, "{}: {stdout}{stderr}", db.describe());
        assert!(
            stderr.contains(
                "warning: `20260203080000_add_users_email.sql` changed since sqlx applied it \
                 (_sqlx_migrations records another checksum"
            ),
            "{}: {stdout}{stderr}",
            db.describe()
        );

        // A version whose file left the folder.
        let other = TestDb::fresh_like(db);
        let mut conn = other.connect();
        sqlx_run(&mut conn, 3);
        batch(
            &mut conn,
            &format!(
                "INSERT INTO _sqlx_migrations ( version, description, success, checksum, \
                 execution_time ) VALUES ( 20260215000000, 'gone', TRUE, {}, -1 )",
                if db.backend == Backend::Postgres {
                    "'\\x00'::bytea"
                } else {
                    "X'00'"
                }
            ),
        );
        let project = tool_project("sqlx");
        let out = migrate(
            project.path(),
            &["--database-url", other.url(), "import", "sqlx"],
        );
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
        assert!(
            stdout.contains(&format!("\n  stamp {}\n", ids[2]))
                && !stdout.contains("stamp --from sqlx"),
            "{}: {stdout}",
            db.describe()
        );
        let (stdout, stderr, ok) = in_child("sqlx", other.url(), &["stamp", "--from", "sqlx"]);
        assert!(!ok, "{stdout}{stderr}");
        assert!(
            stderr.contains("sqlx applied a migration (`20260215000000`), but no revision")
                && stderr.contains(&format!(
                    "if it was removed from the folder, stamp what else sqlx applied by hand, \
                     `stamp {}`",
                    ids[2]
                )),
            "{}: {stderr}",
            db.describe()
        );
    });
}

mod imported_sqlx_schemas {
    migrate_runtime::migrations!("import/sqlx_schemas/to");
}

/// sqlx.toml's `[migrate]` is read as sqlx reads it: the folder (`migrations-dir`), the
/// table (`table-name`, for `import`, `stamp --from sqlx` and the hint) and the characters
/// its checksums leave out (`ignored-chars`: a file checked out with CRLF is unchanged).
#[test]
fn sqlx_toml_gives_the_folder_the_table_and_the_ignored_chars() {
    each_backend(|db| {
        let ids = tool_ids("sqlx");
        let mut conn = db.connect();
        sqlx_run(&mut conn, 3);
        batch(
            &mut conn,
            "ALTER TABLE _sqlx_migrations RENAME TO app_sqlx_migrations",
        );
        let project = tempfile::tempdir().unwrap();
        let folder = project.path().join("db/sqlx");
        copy_dir(&tool_data("sqlx", "from"), &folder);
        let crlf = folder.join("20260203080000_add_users_email.sql");
        let sql = std::fs::read_to_string(&crlf).unwrap();
        std::fs::write(&crlf, sql.replace('\n', "\r\n")).unwrap();
        std::fs::create_dir_all(project.path().join("src/migrations")).unwrap();
        std::fs::write(
            project.path().join("migrate.toml"),
            "migrations = \"src/migrations\"\n",
        )
        .unwrap();
        std::fs::write(
            project.path().join("sqlx.toml"),
            "[migrate]\nmigrations-dir = \"db/sqlx\"\ntable-name = \"app_sqlx_migrations\"\n\
             ignored-chars = [\"\\r\"]\n",
        )
        .unwrap();

        let (stdout, stderr, ok) = in_child_at(project.path(), "sqlx", db.url(), &["check"]);
        assert!(!ok, "{stdout}{stderr}");
        assert!(
            stdout.contains(
                "hint: sqlx migrated this database (app_sqlx_migrations records 3 migrations"
            ),
            "{}: {stdout}{stderr}",
            db.describe()
        );
        let out = migrate(
            project.path(),
            &["--database-url", db.url(), "import", "sqlx"],
        );
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert!(out.status.success(), "{stdout}{stderr}");
        assert!(
            stdout.starts_with(
                "importing 4 sqlx migrations from `db/sqlx` (`migrations-dir` in `sqlx.toml`)\n"
            ) && stdout.contains("sqlx applied 3 of the 4 migrations there")
                && stdout.contains(&format!("\n  stamp {}\n", ids[2])),
            "{}: {stdout}{stderr}",
            db.describe()
        );
        assert!(!stderr.contains("changed since"), "{stderr}");
        let (stdout, stderr, ok) = in_child_at(
            project.path(),
            "sqlx",
            db.url(),
            &["stamp", "--from", "sqlx"],
        );
        assert!(ok, "{}: {stdout}{stderr}", db.describe());
        assert!(!stderr.contains("changed since"), "{stderr}");
        let migrator = Migrator::new(tool_set("sqlx"));
        assert_eq!(migrator.current(&mut conn).unwrap(), [id(&ids[2])]);
    });
}

/// sqlx.toml's `create-schemas`: sqlx creates them before it migrates, and so does the
/// imported root migration, first thing (PostgreSQL and MySQL, whose schemas it creates;
/// on SQLite a schema is an attached database).
#[test]
fn sqlx_toml_create_schemas_are_created_by_the_first_migration() {
    let project = tempfile::tempdir().unwrap();
    let from = tool_data("sqlx_schemas", "from");
    copy_dir(&from, &project.path().join("ledger"));
    std::fs::rename(
        project.path().join("ledger/sqlx.toml"),
        project.path().join("sqlx.toml"),
    )
    .unwrap();
    std::fs::create_dir_all(project.path().join("src/migrations")).unwrap();
    std::fs::write(
        project.path().join("migrate.toml"),
        "migrations = \"src/migrations\"\n",
    )
    .unwrap();
    let out = migrate(project.path(), &["import", "sqlx"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains(
            "  creates schema `migrate_sqlx_accounts` first (`CREATE SCHEMA IF NOT EXISTS`), as \
             sqlx does before it migrates for `create-schemas` in sqlx.toml"
        ),
        "{stdout}"
    );
    let written = files(&project.path().join("src/migrations"));
    let reviewed = tool_data("sqlx_schemas", "to");
    if std::env::var_os("MIGRATE_BLESS").is_some() {
        std::fs::write(reviewed.join(&written[0].0), &written[0].1).unwrap();
    }
    assert_eq!(written, files(&reviewed), "re-bless with MIGRATE_BLESS=1");

    each_backend(|db| {
        if db.backend == Backend::Sqlite {
            return;
        }
        let mut conn = db.connect();
        let migrator = Migrator::new(fixture_set("import/sqlx_schemas/to/"));
        let report = migrator.upgrade(&mut conn, "head");
        let rows = report.as_ref().map(|_| {
            count_query(
                &mut conn,
                "SELECT COUNT(*) AS n FROM migrate_sqlx_accounts.ledger",
            )
        });
        if db.backend == Backend::Mysql {
            // A MySQL schema is a database of the server: not the test's to keep.
            batch(&mut conn, "DROP DATABASE IF EXISTS migrate_sqlx_accounts");
        }
        assert_eq!(rows.unwrap(), 0, "{}", db.describe());
    });
}

/// An sqlx.toml that sqlx would refuse is refused, naming the key; nothing is written.
#[test]
fn a_bad_sqlx_toml_is_refused_and_nothing_is_written() {
    for (toml, reason) in [
        (
            "[migrate]\nmigration-dir = \"db\"\n",
            "`[migrate]` has an unknown key `migration-dir`, expected one of",
        ),
        (
            "[migrate]\ntable-name = \"x; DROP TABLE users\"\n",
            "`table-name`: `x; DROP TABLE users` is not a table name this reads",
        ),
        (
            "[migrate]\nignored-chars = [\"\\r\\n\"]\n",
            "`ignored-chars` in `[migrate]` needs single characters",
        ),
    ] {
        let project = tool_project("sqlx");
        std::fs::write(project.path().join("sqlx.toml"), toml).unwrap();
        let out = migrate(project.path(), &["import", "sqlx"]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("cannot read `sqlx.toml`: ") && stderr.contains(reason),
            "{stderr}"
        );
        assert!(files(&project.path().join("src/migrations")).is_empty());
    }
}

/// Names are transliterated, not cut (`2_añadir_índice.sql` is `2_anadir_indice`), and a
/// migration without a description (`6_.sql`) gets a file name and message saying so.
#[test]
fn non_ascii_and_empty_descriptions_read_well() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("migrations");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("2_añadir_índice.sql"),
        "CREATE TABLE t (a INT);\n",
    )
    .unwrap();
    std::fs::write(folder.join("6_.sql"), "CREATE INDEX t_a ON t (a);\n").unwrap();
    std::fs::create_dir_all(dir.path().join("src/migrations")).unwrap();
    std::fs::write(
        dir.path().join("migrate.toml"),
        "migrations = \"src/migrations\"\n",
    )
    .unwrap();
    let out = migrate(dir.path(), &["import", "sqlx"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written = files(&dir.path().join("src/migrations"));
    let names: Vec<&str> = written.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["2_anadir_indice.rs", "6_no_description.rs"]);
    assert!(
        written[0].1.starts_with("//! añadir índice\n"),
        "{}",
        written[0].1
    );
    assert!(
        written[1].1.starts_with("//! (no description)\n")
            && written[1]
                .1
                .contains("revision = \"6\", revises = \"2_anadir_indice\""),
        "{}",
        written[1].1
    );
}

/// A stamp taken back by a stamp (`stamp base`, or `stamp --purge`) changed no schema: the
/// tool's migrations are still applied, so `stamp --from` stamps them again, rather than
/// leave them for `upgrade head` to run a second time.
#[test]
fn a_stamp_taken_back_by_a_stamp_is_stamped_again() {
    each_backend(|db| {
        let ids = tool_ids("sqlx");
        let migrator = Migrator::new(tool_set("sqlx"));
        let db = TestDb::fresh_like(db);
        let mut conn = db.connect();
        sqlx_run(&mut conn, 2);
        assert_eq!(stamp_from(&db, "sqlx", &[]), success(), "{}", db.describe());
        migrator.stamp(&mut conn, "base").unwrap();
        assert!(migrator.current(&mut conn).unwrap().is_empty());
        assert_eq!(stamp_from(&db, "sqlx", &[]), success(), "{}", db.describe());
        assert_eq!(
            migrator.current(&mut conn).unwrap(),
            [id(&ids[1])],
            "{}",
            db.describe()
        );
        // After a downgrade that ran (reverting what the stamp recorded), stamped back and
        // taken back by a stamp again: the schema lacks it, nothing stamped.
        let db = TestDb::fresh_like(&db);
        let mut conn = db.connect();
        sqlx_run(&mut conn, 1);
        assert_eq!(stamp_from(&db, "sqlx", &[]), success(), "{}", db.describe());
        migrator.downgrade(&mut conn, "base").unwrap();
        migrator.stamp(&mut conn, &ids[0]).unwrap();
        migrator.stamp(&mut conn, "base").unwrap();
        assert_eq!(stamp_from(&db, "sqlx", &[]), success(), "{}", db.describe());
        assert!(
            migrator.current(&mut conn).unwrap().is_empty(),
            "{}",
            db.describe()
        );
    });
}

/// A migration added to the tool's folder after an import, with a version that sorts before
/// one imported: imported, its revision would be a second head beside the imported one that
/// revises its predecessor, so the import refuses it (naming it and the way out) and writes
/// nothing; the imported files, which nobody edited, are not called edited. An imported file
/// removed since is written again as it was, since the one after it still revises it.
#[test]
fn a_late_migration_sorting_before_an_imported_one_is_refused() {
    each_backend(late_migration_is_refused);
}

fn late_migration_is_refused(db: &TestDb) {
    for (tool, late, before, last) in [
        (
            "sqlx",
            "20260201000000_late.sql",
            "20260203080000_add_users_email.sql`, which an earlier import wrote \
             (`20260203080000_add_users_email.rs`)",
            "20260320100000",
        ),
        (
            "diesel",
            "2023-01-20-000000_late/up.sql",
            "2023-02-03-080000-0000_add_users_email`, which an earlier import wrote \
             (`202302030800000000_add_users_email.rs`)",
            "202303010000000000",
        ),
        (
            "refinery",
            "V0__late.sql",
            "V1__create_users`, which an earlier import wrote (`1_create_users.rs`)",
            "4",
        ),
    ] {
        let project = if tool == "diesel" {
            project(Backend::Sqlite)
        } else {
            tool_project(tool)
        };
        let import = || {
            migrate(
                project.path(),
                &["--database-url", db.url(), "import", tool],
            )
        };
        let out = import();
        assert!(out.status.success(), "{tool}: {}", text(&out.stderr));
        let folder = project.path().join("src/migrations");
        let imported = files(&folder);

        let path = project.path().join("migrations").join(late);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "CREATE TABLE late (id INTEGER);\n").unwrap();
        let out = import();
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert_eq!(out.status.code(), Some(2), "{tool}: {stdout}{stderr}");
        let shown = if tool == "diesel" {
            late.trim_end_matches("/up.sql")
        } else {
            late
        };
        for expected in [
            format!(
                "error: {tool} migration `migrations/{shown}` is not imported and sorts before `"
            ),
            before.to_owned(),
            format!(
                "imported now, its revision would start a second head beside it, so nothing was \
                 written; give it a version after `{last}` (the last imported one's), so that \
                 the import appends it, or write it as a new revision on the current head \
                 (`revision -m ...`) with its SQL"
            ),
        ] {
            assert!(
                stderr.contains(&expected),
                "{tool}: {expected}\nnot in:\n{stderr}"
            );
        }
        assert!(!stdout.contains("differ"), "{tool}: {stdout}");
        assert_eq!(files(&folder), imported, "{tool}");
        assert!(
            !table_exists(&mut db.connect(), "late"),
            "{tool}: {}",
            db.describe()
        );

        // Without it, an imported file removed from the middle comes back as it was.
        std::fs::remove_file(&path).unwrap();
        std::fs::remove_file(folder.join(&imported[1].0)).unwrap();
        let out = import();
        let stdout = text(&out.stdout);
        assert!(
            out.status.success(),
            "{tool}: {stdout}{}",
            text(&out.stderr)
        );
        assert!(
            stdout.contains(&format!(
                "imported 1 migration into `src/migrations` ({} already there)",
                imported.len() - 1
            )) && !stdout.contains("differ"),
            "{tool}: {stdout}"
        );
        assert_eq!(files(&folder), imported, "{tool}");
    }
}

/// refinery never applies a versioned migration below the last one it applied (its default
/// `abort_missing` refuses to migrate, and with that off skips it): for one it skipped, the
/// import and `stamp --from refinery` advise renaming it unversioned (with its version, so
/// the same revision) before applying it with refinery, not to apply it as it is.
#[test]
fn a_versioned_refinery_migration_refinery_skipped_is_to_be_renamed_unversioned() {
    each_backend(versioned_refinery_migration_skipped);
}

fn versioned_refinery_migration_skipped(db: &TestDb) {
    let mut conn = db.connect();
    refinery_run(&mut conn, "refinery_schema_history", 3);
    // V2 added to the folder after V3 ran: refinery has no row for it.
    batch(
        &mut conn,
        "DELETE FROM refinery_schema_history WHERE version = 2",
    );
    let project = tool_project("refinery");
    let out = migrate(
        project.path(),
        &["--database-url", db.url(), "import", "refinery"],
    );
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "warning: refinery applied `V3__index_users_email` but not `V2__add_users_email`, \
             which comes before it: stamping its revision would record it as applied although \
             its SQL never ran there; rename `V2__add_users_email.sql` to \
             `U2__add_users_email.sql` (unversioned, with the same version: refinery never \
             applies a versioned migration with a version below the last one it applied, as \
             its default `abort_missing` refuses to migrate while there is one, and with that \
             off skips it for good), apply it first (`refinery migrate`, or the application's \
             runner applies every pending one), then run `import refinery` again"
        ),
        "{stderr}"
    );
    let (_, stderr, ok) = in_child("refinery", db.url(), &["stamp", "--from", "refinery"]);
    assert!(!ok, "{stderr}");
    assert!(
        stderr.contains(
            "refinery applied `3_index_users_email` but not `2_add_users_email` before it, so \
             stamping `3_index_users_email` would record it as applied although its SQL never \
             ran; rename any versioned one unversioned, keeping its version \
             (`V<n>__<name>.sql` to `U<n>__<name>.sql`: refinery never applies"
        ),
        "{stderr}"
    );
}
