//! `import diesel` and `stamp --from-diesel`, end to end.
//!
//! `import_diesel/from/<backend>/` holds a diesel_cli migrations folder as a project on
//! that backend has one (PostgreSQL's starts with diesel's initial setup; a migration without
//! `down.sql`; one with `run_in_transaction = false`). The `migrate` binary imports each,
//! and what it writes must be exactly `import_diesel/to/<backend>/` (after a deliberate
//! change, rewrite those with `MIGRATE_BLESS=1` and read the diff as a user would). This
//! test binary compiles those files (`migrations!`) and runs them up and down on every
//! backend, and on databases that diesel_migrations migrated first, adopted with the
//! `stamp` the import advises or `stamp --from-diesel`.

#![cfg(feature = "cli")]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use clap::Parser as _;
use migrate_runtime::cli::{Cli, CliOptions};
use migrate_runtime::{AnyConnection, Backend, Error, MigrationSet, Migrator};
use support::{TestDb, count_query, each_backend, id, table_exists};

mod imported_sqlite {
    migrate_runtime::migrations!("import_diesel/to/sqlite");
}
mod imported_postgres {
    migrate_runtime::migrations!("import_diesel/to/postgres");
}
mod imported_mysql {
    migrate_runtime::migrations!("import_diesel/to/mysql");
}

/// The folder of this test's data.
fn data(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/import_diesel")
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

/// The imported migrations of one fixture (this binary links all three).
fn imported_set(backend: Backend) -> MigrationSet {
    let folder = format!("import_diesel/to/{}/", name(backend));
    let migrations = MigrationSet::registered()
        .unwrap()
        .migrations()
        .iter()
        .filter(|m| m.source().is_some_and(|s| s.contains(&folder)))
        .cloned()
        .collect();
    MigrationSet::new(migrations).unwrap()
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
    // A file the import wrote, edited since: not overwritten, not even for the others.
    refused(
        &|dir| {
            assert!(migrate(dir, &["import", "diesel"]).status.success());
            let edited = dir.join("src/migrations/20230110120000_create_users.rs");
            std::fs::write(&edited, "// mine\n").unwrap();
            std::fs::remove_file(
                dir.join("src/migrations/202303010000000000_index_users_email.rs"),
            )
            .unwrap();
        },
        import,
        &[
            "error: `src/migrations/20230110120000_create_users.rs` already exists and differs \
           from what the import writes",
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
        // Down to the irreversible backfill: the last migration's down.sql runs.
        let backfill = ids
            .iter()
            .find(|i| i.ends_with("_backfill_emails"))
            .unwrap();
        migrator.downgrade(&mut conn, backfill).unwrap();
        assert_eq!(
            objects(db, &mut conn, &["users_email_idx"]),
            0,
            "{}",
            db.describe()
        );
        // No down.sql: diesel could not revert it, nor can migrate.
        let err = migrator.downgrade(&mut conn, "base").unwrap_err();
        assert!(matches!(err, Error::Irreversible { .. }), "{err}");
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
        // `stamp --from-diesel`, in a CLI with the imported migrations, does the same.
        let cli = Cli::try_parse_from(["migrate", "stamp", "--from-diesel"]).unwrap();
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

/// diesel applies pending migrations whatever their order: one added with an older
/// version than applied ones leaves a gap, and stamping would record it as applied.
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
    let cli = Cli::try_parse_from(["migrate", "stamp", "--from-diesel"]).unwrap();
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
#[test]
fn stamp_from_diesel_refuses_a_database_diesel_never_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let out = migrate(dir.path(), &["stamp", "--from-diesel"]);
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
        &["--database-url", db.url(), "stamp", "--from-diesel"],
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
