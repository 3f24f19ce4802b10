//! A migration that changes where unqualified names resolve (PostgreSQL's `search_path`,
//! MySQL's `USE`) does not move the run's bookkeeping: the version and history rows go to
//! the tables the run found when it started, and the connection is handed back with the
//! path (or database) it had. Runs on the servers named by `MIGRATE_TEST_POSTGRES_URL`
//! and `MIGRATE_TEST_MYSQL_URL`; skipped without them.

#![cfg(any(feature = "postgres", feature = "mysql"))]

mod support;

use diesel::RunQueryDsl;
use diesel::connection::SimpleConnection;
use diesel::sql_types::Text;
use migrate_runtime::schema::{Column, ColumnType, Table};
use migrate_runtime::testing::ScratchDatabase;
use migrate_runtime::{
    AnyConnection, DatabaseUrl, Migration, MigrationContext, MigrationFn, MigrationSet, Migrator,
    Options,
};
#[cfg(feature = "postgres")]
use migrate_runtime::{HistoryStatus, TransactionMode};
#[cfg(feature = "postgres")]
use support::POSTGRES_VAR;
#[cfg(feature = "mysql")]
use support::{MYSQL_VAR, count_query};
use support::{TestDb, id, ids};

/// A fresh database on the server named by `var`, or `None` (the test is skipped) when
/// the variable is not set.
fn server(var: &str) -> Option<TestDb> {
    ScratchDatabase::from_env(var)
        .unwrap_or_else(|e| panic!("cannot create a test database from {var}: {e}"))
        .map(TestDb::from_scratch)
}

/// A migration that runs `sql` and then creates the typed table `t_<rev>`, which lands in
/// whatever schema `sql` made current.
fn typed_after(rev: &str, parent: Option<&str>, sql: &str) -> Migration {
    let table = format!("t_{rev}");
    let message = format!("{sql}, then {table}");
    let sql = sql.to_owned();
    Migration::new(
        id(rev),
        MigrationFn::new(move |ctx: &mut MigrationContext<'_>| {
            ctx.execute(&sql)?;
            ctx.create_table(
                Table::new(table.as_str()).column(Column::new("id", ColumnType::Integer)),
            )
        }),
    )
    .with_revises(parent.map(id))
    .with_message(message)
    .with_checksum(format!("sum_{rev}"))
}

#[derive(diesel::QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

/// The PostgreSQL schemas holding a table called `table`, sorted.
#[cfg(feature = "postgres")]
fn schemas_of(conn: &mut AnyConnection, table: &str) -> Vec<String> {
    diesel::sql_query(
        "SELECT table_schema AS name FROM information_schema.tables \
         WHERE table_name = $1 ORDER BY table_schema",
    )
    .bind::<Text, _>(table)
    .load::<Name>(conn)
    .unwrap()
    .into_iter()
    .map(|row| row.name)
    .collect()
}

#[cfg(feature = "postgres")]
fn search_path(conn: &mut AnyConnection) -> String {
    diesel::sql_query("SELECT current_setting('search_path') AS name")
        .get_result::<Name>(conn)
        .unwrap()
        .name
}

#[cfg(feature = "postgres")]
fn in_mode(migrator: Migrator, mode: TransactionMode) -> Migrator {
    migrator.with_options(Options::default().with_transaction_mode(mode))
}

#[cfg(feature = "postgres")]
#[test]
fn a_migration_setting_a_local_search_path_keeps_the_bookkeeping_where_it_was() {
    for mode in [TransactionMode::PerMigration, TransactionMode::All] {
        let Some(db) = server(POSTGRES_VAR) else {
            return;
        };
        let mut conn = db.connect();
        conn.batch_execute("CREATE SCHEMA app").unwrap();
        let local = "SET LOCAL search_path TO app";
        // First run: the bookkeeping tables do not exist yet, and are created inside the
        // first migration's transaction, after it has moved the path.
        let first = MigrationSet::new(vec![
            typed_after("a", None, local),
            typed_after("b", Some("a"), local),
        ])
        .unwrap();
        let report = in_mode(Migrator::new(first), mode)
            .upgrade(&mut conn, "head")
            .unwrap_or_else(|e| panic!("{mode:?}: {e}"));
        assert_eq!(report.steps.len(), 2, "{mode:?}");
        // A later run, on tables that exist.
        let set = MigrationSet::new(vec![
            typed_after("a", None, local),
            typed_after("b", Some("a"), local),
            typed_after("c", Some("b"), local),
        ])
        .unwrap();
        let migrator = in_mode(Migrator::new(set), mode);
        assert_eq!(migrator.upgrade(&mut conn, "head").unwrap().steps.len(), 1);

        assert_eq!(schemas_of(&mut conn, "t_a"), ["app"], "{mode:?}");
        assert_eq!(schemas_of(&mut conn, "t_c"), ["app"], "{mode:?}");
        for table in ["migrate_version", "migrate_history"] {
            assert_eq!(
                schemas_of(&mut conn, table),
                ["public"],
                "{mode:?}: {table}"
            );
        }
        assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["c"]);
        let history = migrator.history(&mut conn).unwrap();
        assert_eq!(history.len(), 3, "{mode:?}: {history:?}");
        assert!(
            history
                .iter()
                .all(|entry| entry.status == HistoryStatus::Succeeded)
        );
    }
}

/// The worse case: the schema the migration moves to has bookkeeping tables of its own
/// (another application's). They must not be written.
#[cfg(feature = "postgres")]
#[test]
fn a_schema_with_its_own_version_table_is_left_alone() {
    for mode in [TransactionMode::PerMigration, TransactionMode::All] {
        let Some(db) = server(POSTGRES_VAR) else {
            return;
        };
        let mut conn = db.connect();
        conn.batch_execute("CREATE SCHEMA app").unwrap();
        let theirs =
            Migrator::new(MigrationSet::new(vec![typed_after("x", None, "SELECT 1")]).unwrap())
                .with_options(
                    Options::default()
                        .with_version_table("app.migrate_version")
                        .with_history_table("app.migrate_history"),
                );
        theirs.upgrade(&mut conn, "head").unwrap();

        let local = "SET LOCAL search_path TO app";
        let ours = MigrationSet::new(vec![
            typed_after("a", None, local),
            typed_after("b", Some("a"), local),
        ])
        .unwrap();
        let ours = in_mode(Migrator::new(ours), mode);
        ours.upgrade(&mut conn, "a").unwrap();
        ours.upgrade(&mut conn, "head").unwrap();

        assert_eq!(ids(&ours.current(&mut conn).unwrap()), ["b"], "{mode:?}");
        assert_eq!(ours.history(&mut conn).unwrap().len(), 2, "{mode:?}");
        assert_eq!(ids(&theirs.current(&mut conn).unwrap()), ["x"], "{mode:?}");
        assert_eq!(theirs.history(&mut conn).unwrap().len(), 1, "{mode:?}");
    }
}

/// A session-wide `SET search_path` lasts for the rest of the run (the next migration's
/// typed table lands in `app` too), but not past it: the bookkeeping stays in `public`
/// and the connection comes back with the path it had, so the next run on it (a pool's)
/// reads the same tables.
#[cfg(feature = "postgres")]
#[test]
fn a_session_wide_search_path_moves_neither_the_bookkeeping_nor_the_next_run() {
    for mode in [TransactionMode::PerMigration, TransactionMode::All] {
        let Some(db) = server(POSTGRES_VAR) else {
            return;
        };
        let mut conn = db.connect();
        conn.batch_execute("CREATE SCHEMA app").unwrap();
        let before = search_path(&mut conn);
        let set = MigrationSet::new(vec![
            typed_after("a", None, "SELECT 1"),
            typed_after("b", Some("a"), "SET search_path TO app"),
            typed_after("c", Some("b"), "SELECT 1"),
            typed_after("d", Some("c"), "SELECT 1"),
        ])
        .unwrap();
        let migrator = in_mode(Migrator::new(set), mode);
        assert_eq!(migrator.upgrade(&mut conn, "c").unwrap().steps.len(), 3);
        assert_eq!(search_path(&mut conn), before, "{mode:?}");
        assert_eq!(schemas_of(&mut conn, "t_a"), ["public"], "{mode:?}");
        assert_eq!(schemas_of(&mut conn, "t_c"), ["app"], "{mode:?}");
        assert_eq!(
            ids(&migrator.current(&mut conn).unwrap()),
            ["c"],
            "{mode:?}"
        );

        // The next run on the same connection finds the tables where the first left them.
        assert_eq!(migrator.upgrade(&mut conn, "head").unwrap().steps.len(), 1);
        assert_eq!(schemas_of(&mut conn, "t_d"), ["public"], "{mode:?}");
        for table in ["migrate_version", "migrate_history"] {
            assert_eq!(
                schemas_of(&mut conn, table),
                ["public"],
                "{mode:?}: {table}"
            );
        }
        assert_eq!(
            ids(&migrator.current(&mut conn).unwrap()),
            ["d"],
            "{mode:?}"
        );
        assert_eq!(migrator.history(&mut conn).unwrap().len(), 4, "{mode:?}");
    }
}

/// A schema chosen for the connection (`?options=-csearch_path%3Dapp`) is where a first
/// run creates the bookkeeping tables and where later runs find them, even when a
/// migration moves the path elsewhere.
#[cfg(feature = "postgres")]
#[test]
fn a_connection_search_path_chooses_the_schema_of_the_bookkeeping() {
    let Some(db) = server(POSTGRES_VAR) else {
        return;
    };
    db.connect()
        .batch_execute("CREATE SCHEMA app; CREATE SCHEMA other")
        .unwrap();
    let url = DatabaseUrl::parse(&format!("{}?options=-csearch_path%3Dapp", db.url())).unwrap();
    let mut conn = AnyConnection::open(&url).unwrap();
    let elsewhere = "SET LOCAL search_path TO other";
    let set = MigrationSet::new(vec![
        typed_after("a", None, "SELECT 1"),
        typed_after("b", Some("a"), elsewhere),
    ])
    .unwrap();
    let migrator = Migrator::new(set);
    migrator.upgrade(&mut conn, "a").unwrap();
    migrator.upgrade(&mut conn, "head").unwrap();
    assert_eq!(schemas_of(&mut conn, "t_a"), ["app"]);
    assert_eq!(schemas_of(&mut conn, "t_b"), ["other"]);
    for table in ["migrate_version", "migrate_history"] {
        assert_eq!(schemas_of(&mut conn, table), ["app"], "{table}");
    }
    assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["b"]);
}

/// MySQL's counterpart: a migration's `USE` of another database moves neither the run's
/// bookkeeping nor the connection's database after the run, and the run's named lock
/// (whose name holds the current database) is released.
#[cfg(feature = "mysql")]
#[test]
fn a_mysql_migration_using_another_database_keeps_the_bookkeeping_where_it_was() {
    let Some(db) = server(MYSQL_VAR) else {
        return;
    };
    let other = TestDb::fresh_like(&db);
    let other_name = other.scratch().name().unwrap().to_owned();
    let home = db.scratch().name().unwrap().to_owned();
    let set = MigrationSet::new(vec![
        typed_after("a", None, "SELECT 1"),
        typed_after("b", Some("a"), &format!("USE `{other_name}`")),
        typed_after("c", Some("b"), "SELECT 1"),
    ])
    .unwrap();
    let migrator = Migrator::new(set)
        .with_options(Options::default().with_lock_timeout(std::time::Duration::from_secs(1)));
    let mut conn = db.connect();
    migrator.upgrade(&mut conn, "b").unwrap();
    let current = diesel::sql_query("SELECT DATABASE() AS name")
        .get_result::<Name>(&mut conn)
        .unwrap()
        .name;
    assert_eq!(current, home);
    assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["b"]);
    migrator.upgrade(&mut conn, "head").unwrap();
    assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["c"]);
    assert_eq!(migrator.history(&mut conn).unwrap().len(), 3);
    let count = |conn: &mut AnyConnection, schema: &str, table: &str| {
        count_query(
            conn,
            &format!(
                "SELECT COUNT(*) AS n FROM information_schema.tables \
                 WHERE table_schema = '{schema}' AND table_name = '{table}'"
            ),
        )
    };
    assert_eq!(count(&mut conn, &other_name, "t_b"), 1);
    assert_eq!(count(&mut conn, &other_name, "migrate_version"), 0);
    assert_eq!(count(&mut conn, &home, "migrate_version"), 1);
    // The lock was released: another connection, still open, takes it at once.
    let mut second = db.connect();
    assert_eq!(ids(&migrator.stamp(&mut second, "head").unwrap()), ["c"]);
}

/// The name of `db`'s database, and the URL of its server with no database selected.
#[cfg(feature = "mysql")]
fn without_database(db: &TestDb) -> (String, DatabaseUrl) {
    let home = db.scratch().name().unwrap().to_owned();
    let server_url = db
        .url()
        .strip_suffix(&format!("/{home}"))
        .unwrap_or_else(|| panic!("the scratch URL ends with its database"));
    let url = DatabaseUrl::parse(server_url).unwrap();
    (home, url)
}

/// A connection with no database selected, whose migration runs `USE`: the run's named
/// lock is still released (its name is the one taken, not one computed from the database
/// selected at the end).
#[cfg(feature = "mysql")]
#[test]
fn a_mysql_run_started_without_a_database_releases_its_lock_after_a_use() {
    let Some(db) = server(MYSQL_VAR) else {
        return;
    };
    let (home, url) = without_database(&db);
    let set = MigrationSet::new(vec![typed_after("a", None, &format!("USE `{home}`"))]).unwrap();
    let migrator = Migrator::new(set).with_options(
        Options::default()
            .with_version_table(format!("{home}.migrate_version"))
            .with_history_table(format!("{home}.migrate_history"))
            .with_lock_timeout(std::time::Duration::from_secs(1)),
    );
    let mut conn = AnyConnection::open(&url).unwrap();
    migrator.upgrade(&mut conn, "head").unwrap();
    assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["a"]);
    // Another connection, while the first stays open, takes the lock at once.
    let mut second = AnyConnection::open(&url).unwrap();
    assert_eq!(ids(&migrator.stamp(&mut second, "head").unwrap()), ["a"]);
}

/// Two runners of one version table take one lock, whether one names the table with its
/// database and the other's connection selected that database, or not: the lock is the
/// table's, not the connection's.
#[cfg(feature = "mysql")]
#[test]
fn mysql_runners_of_one_version_table_share_the_lock_however_they_name_it() {
    let Some(db) = server(MYSQL_VAR) else {
        return;
    };
    let (home, server_url) = without_database(&db);
    // A migration touching no table: the connection with no database could not name one.
    let set =
        || MigrationSet::new(vec![Migration::new(id("a"), MigrationFn::new(|_| Ok(())))]).unwrap();
    let short = std::time::Duration::from_millis(200);
    // A runner on the database, naming the table alone, holds the lock...
    let mut holder = db.connect();
    #[derive(diesel::QueryableByName)]
    struct Got {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        ok: i64,
    }
    let got = diesel::sql_query(format!(
        "SELECT CAST(GET_LOCK(CONCAT('migrate:', SHA1('{home}.migrate_version')), 0) AS SIGNED) AS ok"
    ))
    .get_result::<Got>(&mut holder)
    .unwrap();
    assert_eq!(got.ok, 1);
    // ... so one connected to no database, naming it with its database, waits for it.
    let qualified = Migrator::new(set()).with_options(
        Options::default()
            .with_version_table(format!("{home}.migrate_version"))
            .with_history_table(format!("{home}.migrate_history"))
            .with_lock_timeout(short),
    );
    let mut elsewhere = AnyConnection::open(&server_url).unwrap();
    let err = qualified.upgrade(&mut elsewhere, "head").unwrap_err();
    assert!(
        matches!(err, migrate_runtime::Error::LockTimeout { .. }),
        "{err}"
    );
    // And so does one on the database naming the table alone.
    let plain = Migrator::new(set()).with_options(Options::default().with_lock_timeout(short));
    let err = plain.upgrade(&mut db.connect(), "head").unwrap_err();
    assert!(
        matches!(err, migrate_runtime::Error::LockTimeout { .. }),
        "{err}"
    );
    holder.batch_execute("DO RELEASE_ALL_LOCKS()").unwrap();
    qualified.upgrade(&mut elsewhere, "head").unwrap();
    assert_eq!(ids(&plain.current(&mut db.connect()).unwrap()), ["a"]);
}

/// A schema whose name holds a `?` cannot be named in the bookkeeping statements (a `?`
/// marks a bound value): the run refuses it before it changes anything, rather than
/// leaving the bookkeeping free to move with a migration's `search_path`.
#[cfg(feature = "postgres")]
#[test]
fn a_schema_named_with_a_question_mark_is_refused_before_the_run_changes_anything() {
    let Some(db) = server(POSTGRES_VAR) else {
        return;
    };
    let mut conn = db.connect();
    conn.batch_execute(r#"CREATE SCHEMA "what?"; CREATE SCHEMA other; SET search_path TO "what?""#)
        .unwrap();
    let set = MigrationSet::new(vec![typed_after(
        "a",
        None,
        "SET LOCAL search_path TO other",
    )])
    .unwrap();
    let migrator = Migrator::new(set);
    let err = migrator.upgrade(&mut conn, "head").unwrap_err();
    let message = err.to_string();
    for part in [
        "`what?`",
        "`migrate_version`",
        "Options::with_version_table",
    ] {
        assert!(message.contains(part), "{part}: {message}");
    }
    for table in ["migrate_version", "migrate_history", "t_a"] {
        assert!(schemas_of(&mut conn, table).is_empty(), "{table}");
    }
    assert_eq!(search_path(&mut conn), r#""what?""#);
    // Named with their schema, the tables need no lookup and the run goes ahead.
    let migrator = migrator.with_options(
        Options::default()
            .with_version_table("other.migrate_version")
            .with_history_table("other.migrate_history"),
    );
    migrator.upgrade(&mut conn, "head").unwrap();
    assert_eq!(schemas_of(&mut conn, "migrate_version"), ["other"]);
    assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["a"]);
}

/// Whether a runner of the version table `other_table`, on `other_url`, waits for the lock
/// of a run of `table` on `url` (the database's own server) that is inside its migration:
/// whether the two take the same named lock. Each runner's history table is its version
/// table's name followed by `_history`. When they do not, the second runner goes
/// ahead meanwhile (its migration does nothing); either way the first one then finishes.
#[cfg(feature = "mysql")]
fn shares_the_lock(
    url: &DatabaseUrl,
    table: &str,
    other_url: &DatabaseUrl,
    other_table: &str,
) -> bool {
    use std::sync::mpsc;
    use std::sync::{Arc, Mutex};

    let options = |table: &str| {
        Options::default()
            .with_version_table(table)
            .with_history_table(format!("{table}_history"))
            .with_lock_timeout(std::time::Duration::from_millis(300))
    };
    let (entered, inside) = mpsc::channel::<()>();
    let (release, wait) = mpsc::channel::<()>();
    let (entered, wait) = (Mutex::new(entered), Arc::new(Mutex::new(wait)));
    let blocking = Migration::new(
        id("a"),
        MigrationFn::new(move |_: &mut MigrationContext<'_>| {
            entered.lock().unwrap().send(()).unwrap();
            wait.lock().unwrap().recv().unwrap();
            Ok(())
        }),
    );
    let holder =
        Migrator::new(MigrationSet::new(vec![blocking]).unwrap()).with_options(options(table));
    let mut holding = AnyConnection::open(url).unwrap();
    let run =
        std::thread::spawn(move || holder.upgrade(&mut holding, "head").map(|r| r.steps.len()));
    inside.recv().unwrap();
    let other = Migrator::new(
        MigrationSet::new(vec![Migration::new(id("a"), MigrationFn::new(|_| Ok(())))]).unwrap(),
    )
    .with_options(options(other_table));
    let outcome = other.upgrade(&mut AnyConnection::open(other_url).unwrap(), "head");
    release.send(()).unwrap();
    assert_eq!(run.join().unwrap().unwrap(), 1);
    match outcome {
        Err(migrate_runtime::Error::LockTimeout { .. }) => true,
        Ok(report) => {
            assert_eq!(report.steps.len(), 1);
            false
        }
        Err(err) => panic!("neither waited nor ran: {err}"),
    }
}

/// The server's `lower_case_table_names`.
#[cfg(feature = "mysql")]
fn lower_case_table_names(conn: &mut AnyConnection) -> i64 {
    count_query(conn, "SELECT CAST(@@lower_case_table_names AS SIGNED) AS n")
}

/// Where the server compares table names with their case (`lower_case_table_names = 0`,
/// the Linux default), `Migrate_Version` and `migrate_version` are two tables, and their
/// runners take two locks; the lock's name is the one computed before the server's
/// setting was consulted, so runners of older versions share it. Elsewhere the two are
/// one table and share one lock (see
/// [`mysql_runners_of_one_table_share_the_lock_whatever_the_case_of_its_name`]).
#[cfg(feature = "mysql")]
#[test]
fn mysql_lock_names_keep_the_case_where_table_names_do() {
    let Some(db) = server(MYSQL_VAR) else {
        return;
    };
    let url = DatabaseUrl::parse(db.url()).unwrap();
    let mut conn = db.connect();
    let case_blind = lower_case_table_names(&mut conn) != 0;
    assert_eq!(
        shares_the_lock(&url, "Migrate_Version", &url, "migrate_version"),
        case_blind
    );
    if case_blind {
        return;
    }
    // The name is `migrate:` and the SHA-1 of `database.table`, as written.
    let home = db.scratch().name().unwrap().to_owned();
    #[derive(diesel::QueryableByName)]
    struct Got {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        ok: i64,
    }
    let got = diesel::sql_query(format!(
        "SELECT CAST(GET_LOCK(CONCAT('migrate:', SHA1('{home}.Migrate_Version')), 0) AS SIGNED) AS ok"
    ))
    .get_result::<Got>(&mut conn)
    .unwrap();
    assert_eq!(got.ok, 1);
    let waiting = Migrator::new(
        MigrationSet::new(vec![Migration::new(id("a"), MigrationFn::new(|_| Ok(())))]).unwrap(),
    )
    .with_options(
        Options::default()
            .with_version_table("Migrate_Version")
            .with_history_table("Migrate_Version_history")
            .with_lock_timeout(std::time::Duration::from_millis(200)),
    );
    let mut other = db.connect();
    // At `a` already, an upgrade would take no lock: a stamp takes it.
    let err = waiting.stamp(&mut other, "a").unwrap_err();
    assert!(
        matches!(err, migrate_runtime::Error::LockTimeout { .. }),
        "{err}"
    );
}

/// A MariaDB server of the test's own, with `lower_case_table_names = 1` (the Windows
/// default; 2, macOS's, compares names the same way), in a temporary directory, on a Unix
/// socket only, without grant tables; killed when dropped.
#[cfg(feature = "mysql")]
struct CaseBlindServer(support::mariadb::OwnServer);

#[cfg(feature = "mysql")]
impl CaseBlindServer {
    /// Starts it, or says why it cannot and returns `None` when the MariaDB server's
    /// programs are not installed (the test server may be another machine's).
    fn start() -> Option<Self> {
        let args = [
            "--skip-networking".to_owned(),
            "--lower-case-table-names=1".to_owned(),
        ];
        support::mariadb::OwnServer::start(tempfile::tempdir().unwrap(), &args).map(Self)
    }

    /// The URL of `database` on this server.
    fn url(&self, database: &str) -> DatabaseUrl {
        self.0.socket_url(database)
    }
}

/// Where the server compares table names without their case (`lower_case_table_names` 1
/// or 2, the Windows and macOS defaults), `app.migrate_version`, `APP.MIGRATE_VERSION` and
/// `Migrate_Version` in a connection to database `App` are one table: their runners take
/// one lock, so that the second waits instead of running the same migrations at once.
/// On a MariaDB server of the test's own, started with `lower_case_table_names = 1`.
#[cfg(feature = "mysql")]
#[test]
fn mysql_runners_of_one_table_share_the_lock_whatever_the_case_of_its_name() {
    if std::env::var_os(MYSQL_VAR).is_none() {
        println!("skipped: {MYSQL_VAR} is not set");
        return;
    }
    let Some(server) = CaseBlindServer::start() else {
        return;
    };
    let mut admin = AnyConnection::open(&server.url("mysql")).unwrap();
    assert_eq!(lower_case_table_names(&mut admin), 1);
    // A database per case, since a run that applied `a` leaves nothing to lock for.
    admin
        .batch_execute("CREATE DATABASE app; CREATE DATABASE other")
        .unwrap();
    let app = server.url("app");
    assert!(shares_the_lock(
        &app,
        "migrate_version",
        &app,
        "APP.MIGRATE_VERSION"
    ));
    assert!(shares_the_lock(
        &server.url("other"),
        "other.migrate_version",
        &server.url("Other"),
        "Migrate_Version"
    ));
    // They were one table all along: the first run applied `a`, the second found it done.
    let migrator = Migrator::new(
        MigrationSet::new(vec![Migration::new(id("a"), MigrationFn::new(|_| Ok(())))]).unwrap(),
    )
    .with_options(
        Options::default()
            .with_version_table("MIGRATE_VERSION")
            .with_history_table("MIGRATE_VERSION_HISTORY"),
    );
    for database in ["APP", "OTHER"] {
        let mut conn = AnyConnection::open(&server.url(database)).unwrap();
        assert_eq!(
            ids(&migrator.current(&mut conn).unwrap()),
            ["a"],
            "{database}"
        );
        assert_eq!(migrator.history(&mut conn).unwrap().len(), 1, "{database}");
    }
}
