//! Migrating on the application's own connection: a diesel connection of any backend, or
//! one checked out of an r2d2 pool, is lent to the migrator and comes back usable, with
//! its session, so no second connection is opened.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::Connection as _;
use diesel::RunQueryDsl as _;
use diesel::connection::{SimpleConnection, TransactionManager as _};
use migrate_runtime::{
    AnyConnection, Backend, Error, Event, LendConnection, MigrationSet, Migrator, Options,
};
use support::{
    applied_count, chain, count_query, counter_root, each_backend, ids, row_count, table_exists,
    table_migration,
};

/// Upgrades, inspects and downgrades on `conn`, checking after each call that the
/// connection is still the application's and still works.
fn round_trip<C: LendConnection + SimpleConnection>(conn: &mut C, what: &str) {
    let migrator = Migrator::new(chain("a", &["b"]));
    let report = migrator.upgrade(conn, "head").unwrap();
    assert_eq!(report.steps.len(), 2, "{what}");
    // The application goes on using its connection directly.
    conn.batch_execute("INSERT INTO applied (revision) VALUES ('by the app')")
        .unwrap();
    assert_eq!(conn.lend(|c| applied_count(c, "by the app")), 1, "{what}");
    assert!(conn.lend(|c| table_exists(c, "t_b")), "{what}");
    assert_eq!(ids(&migrator.current(conn).unwrap()), ["b"], "{what}");
    assert_eq!(migrator.history(conn).unwrap().len(), 2, "{what}");
    assert!(migrator.check(conn).unwrap().is_clean(), "{what}");
    assert_eq!(
        migrator.stamp(conn, "a").unwrap(),
        [support::id("a")],
        "{what}"
    );
    assert_eq!(migrator.stamp_purge(conn, "b").unwrap(), [support::id("b")]);
    assert!(migrator.accept_changes(conn).unwrap().is_empty(), "{what}");
    migrator.downgrade(conn, "base").unwrap();
    assert!(!conn.lend(|c| table_exists(c, "t_b")), "{what}");
    conn.batch_execute("CREATE TABLE after_the_run (id INTEGER)")
        .unwrap();
}

#[test]
fn a_diesel_connection_of_each_backend_is_lent_and_comes_back() {
    each_backend(|db| {
        let url = db.scratch().url();
        match db.backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite => round_trip(
                &mut diesel::SqliteConnection::establish(url.sqlite_path()).unwrap(),
                &db.describe(),
            ),
            #[cfg(feature = "postgres")]
            Backend::Postgres => round_trip(
                &mut diesel::PgConnection::establish(url.as_str()).unwrap(),
                "PostgreSQL",
            ),
            #[cfg(feature = "mysql")]
            Backend::Mysql => round_trip(
                &mut diesel::MysqlConnection::establish(url.as_str()).unwrap(),
                "MySQL",
            ),
            other => panic!("{other} is not compiled in"),
        }
    });
}

#[cfg(feature = "sqlite")]
#[test]
fn an_in_memory_sqlite_database_is_migrated_on_the_connection_holding_it() {
    // A second connection to `:memory:` would be another, empty database: only the
    // application's own connection can be migrated.
    let mut conn = diesel::SqliteConnection::establish(":memory:").unwrap();
    round_trip(&mut conn, "SQLite in memory");
    conn.batch_execute("INSERT INTO after_the_run (id) VALUES (1)")
        .unwrap();
}

#[cfg(feature = "sqlite")]
#[test]
fn a_panic_while_lent_propagates_and_leaves_the_connection_in_place() {
    let mut conn = diesel::SqliteConnection::establish(":memory:").unwrap();
    conn.batch_execute("CREATE TABLE kept (id INTEGER)")
        .unwrap();
    // The executor turns a migration's panic into an error; a panicking event listener is
    // the application's own code and unwinds.
    let migrator = Migrator::new(chain("a", &[])).on_event(|_| panic!("listener failed"));
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        migrator.upgrade(&mut conn, "head")
    }))
    .unwrap_err();
    assert_eq!(panic.downcast_ref::<&str>(), Some(&"listener failed"));
    // Same connection, same in-memory database.
    conn.batch_execute("INSERT INTO kept (id) VALUES (1)")
        .unwrap();

    let failing = Migrator::new(
        migrate_runtime::MigrationSet::new(vec![support::custom("p", &[], |_| panic!("boom"))])
            .unwrap(),
    );
    let err = failing.upgrade(&mut conn, "head").unwrap_err();
    assert!(err.to_string().contains("boom"), "{err}");
    conn.batch_execute("INSERT INTO kept (id) VALUES (2)")
        .unwrap();
}

/// Inside a transaction of the application's, on a fresh database: the calls that write
/// are refused before anything is read or written, the reads run, and the application's
/// transaction goes on and commits what it did.
fn inside_a_transaction<C: LendConnection + diesel::Connection>(conn: &mut C, what: &str) {
    let migrator = Migrator::new(chain("a", &["b"]));
    conn.batch_execute("CREATE TABLE app (id INTEGER)").unwrap();
    conn.transaction::<_, diesel::result::Error, _>(|c| {
        c.batch_execute("INSERT INTO app (id) VALUES (1)")?;
        let refused = [
            ("upgrade", migrator.upgrade(c, "head").map(drop)),
            ("downgrade", migrator.downgrade(c, "base").map(drop)),
            ("stamp", migrator.stamp(c, "head").map(drop)),
            ("stamp_purge", migrator.stamp_purge(c, "head").map(drop)),
            ("accept_changes", migrator.accept_changes(c).map(drop)),
        ];
        for (call, outcome) in refused {
            let err = outcome.expect_err(call);
            assert!(
                matches!(err, Error::TransactionOpen { operation } if operation == call),
                "{what}: {call}: {err:?}"
            );
            assert!(err.is_input_error(), "{what}");
            let text = err.to_string();
            assert!(
                text.starts_with("the connection is inside a transaction: `")
                    && text.contains("call it outside the application's transaction"),
                "{what}: {text}"
            );
        }
        // The reads meet no bookkeeping tables: on PostgreSQL such a failed read inside a
        // transaction would abort it, were it not given a savepoint.
        assert!(migrator.current(c).unwrap().is_empty(), "{what}");
        assert!(migrator.history(c).unwrap().is_empty(), "{what}");
        assert_eq!(migrator.check(c).unwrap().pending.len(), 2, "{what}");
        assert!(!c.lend(|c| table_exists(c, "migrate_version")), "{what}");
        c.batch_execute("INSERT INTO app (id) VALUES (2)")?;
        Ok(())
    })
    .unwrap();
    assert_eq!(conn.lend(|c| row_count(c, "app")), 2, "{what}");
    assert!(!conn.lend(|c| table_exists(c, "t_a")), "{what}");

    // Outside it, the same connection migrates; inside one, it reads the result.
    assert_eq!(migrator.upgrade(conn, "head").unwrap().steps.len(), 2);
    conn.transaction::<_, diesel::result::Error, _>(|c| {
        assert_eq!(ids(&migrator.current(c).unwrap()), ["b"], "{what}");
        assert!(migrator.check(c).unwrap().is_clean(), "{what}");
        c.batch_execute("INSERT INTO app (id) VALUES (3)")
    })
    .unwrap();
    // A test transaction (never committed) is one too.
    conn.begin_test_transaction().unwrap();
    let err = migrator.downgrade(conn, "base").unwrap_err();
    assert!(
        matches!(
            err,
            Error::TransactionOpen {
                operation: "downgrade"
            }
        ),
        "{what}: {err:?}"
    );
    assert!(conn.lend(|c| table_exists(c, "t_b")), "{what}");
}

#[test]
fn a_connection_inside_the_applications_transaction_is_refused_for_writes() {
    each_backend(|db| {
        let what = db.describe();
        let url = db.scratch().url();
        match db.backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite => inside_a_transaction(
                &mut diesel::SqliteConnection::establish(url.sqlite_path()).unwrap(),
                &what,
            ),
            #[cfg(feature = "postgres")]
            Backend::Postgres => inside_a_transaction(
                &mut diesel::PgConnection::establish(url.as_str()).unwrap(),
                &what,
            ),
            #[cfg(feature = "mysql")]
            Backend::Mysql => inside_a_transaction(
                &mut diesel::MysqlConnection::establish(url.as_str()).unwrap(),
                &what,
            ),
            other => panic!("{other} is not compiled in"),
        }
    });
}

#[derive(diesel::QueryableByName)]
struct ForeignKeys {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    foreign_keys: i32,
}

#[derive(diesel::QueryableByName)]
struct BusyTimeout {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    timeout: i64,
}

#[derive(diesel::QueryableByName)]
struct LockingMode {
    #[diesel(sql_type = diesel::sql_types::Text)]
    locking_mode: String,
}

/// Whether a run's lock on the database is held, seen from `observer`, another connection
/// (on SQLite with no busy timeout): PostgreSQL's advisory lock held by the session `pid`,
/// MySQL's named lock, the SQLite file's lock (a write fails at once). `None` on SQLite in
/// WAL mode, where a run holds no lock between its steps.
fn run_lock_held(
    (backend, wal): (Backend, bool),
    observer: &mut AnyConnection,
    pid: i64,
) -> Option<bool> {
    match backend {
        Backend::Sqlite if wal => None,
        Backend::Sqlite => Some(
            observer
                .batch_execute("CREATE TABLE IF NOT EXISTS probe (id INTEGER); DELETE FROM probe")
                .is_err(),
        ),
        Backend::Postgres => Some(
            count_query(
                observer,
                &format!(
                    "SELECT COUNT(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = {pid}"
                ),
            ) > 0,
        ),
        _ => Some(
            count_query(
                observer,
                "SELECT CAST(IS_FREE_LOCK(CONCAT('migrate:', \
                 SHA1(CONCAT(DATABASE(), '.', 'migrate_version')))) AS SIGNED) AS n",
            ) == 0,
        ),
    }
}

#[test]
fn a_panic_of_the_listener_leaves_no_lock_setting_or_running_row_behind() {
    each_backend(|db| {
        let what = db.describe();
        let kind = (db.backend, db.wal);
        let mut conn = db.connect();
        // Settings the run changes and must put back.
        if db.backend == Backend::Sqlite {
            conn.batch_execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 1234")
                .unwrap();
        }
        let pid = match db.backend {
            Backend::Postgres => count_query(&mut conn, "SELECT pg_backend_pid()::bigint AS n"),
            _ => 0,
        };
        let mut observer = db.connect();
        if db.backend == Backend::Sqlite {
            observer.batch_execute("PRAGMA busy_timeout = 0").unwrap();
        }
        let observer = Arc::new(Mutex::new(observer));
        // `b` is not transactional: `a`'s commit already writes its `running` row, which
        // must not outlive the panic (later runs would refuse, naming `b`).
        let set = || {
            MigrationSet::new(vec![
                counter_root("a"),
                table_migration("b", &["a"]).with_transactional(false),
            ])
            .unwrap()
        };
        let held_during: Arc<Mutex<Option<Option<bool>>>> = Arc::default();
        let migrator = Migrator::new(set()).on_event({
            let (observer, held_during) = (observer.clone(), held_during.clone());
            move |event| {
                if let Event::Finished { migration, .. } = event
                    && migration.id().as_str() == "a"
                {
                    let held = run_lock_held(kind, &mut observer.lock().unwrap(), pid);
                    *held_during.lock().unwrap() = Some(held);
                    panic!("listener failed");
                }
            }
        });
        let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            migrator.upgrade(&mut conn, "head")
        }))
        .unwrap_err();
        assert_eq!(panic.downcast_ref::<&str>(), Some(&"listener failed"));

        // The lock was held when the listener panicked, and is free now.
        let held_during = (*held_during.lock().unwrap()).expect("the listener ran");
        let held_after = run_lock_held(kind, &mut observer.lock().unwrap(), pid);
        if !db.wal {
            assert_eq!(held_during, Some(true), "{what}");
        }
        assert_ne!(
            held_after,
            Some(true),
            "{what}: the lock outlived the panic"
        );
        let depth = AnyConnection::transaction_manager_status_mut(&mut conn)
            .transaction_depth()
            .unwrap();
        assert_eq!(depth, None, "{what}: a transaction outlived the panic");
        match db.backend {
            Backend::Sqlite => {
                let fk = diesel::sql_query("PRAGMA foreign_keys")
                    .get_result::<ForeignKeys>(&mut conn)
                    .unwrap();
                assert_eq!(fk.foreign_keys, 1, "{what}: foreign keys stayed off");
                let busy = diesel::sql_query("PRAGMA busy_timeout")
                    .get_result::<BusyTimeout>(&mut conn)
                    .unwrap();
                assert_eq!(busy.timeout, 1234, "{what}");
                let mode = diesel::sql_query("PRAGMA locking_mode")
                    .get_result::<LockingMode>(&mut conn)
                    .unwrap();
                assert_eq!(mode.locking_mode, "normal", "{what}");
                // Another connection writes at once.
                observer
                    .lock()
                    .unwrap()
                    .batch_execute("CREATE TABLE after_the_panic (id INTEGER)")
                    .unwrap();
            }
            Backend::Mysql => assert_eq!(
                count_query(&mut conn, "SELECT CAST(@@autocommit AS SIGNED) AS n"),
                1,
                "{what}: autocommit stayed off"
            ),
            _ => {}
        }

        // `a` committed before its `Finished` event; the next run applies `b` alone.
        let report = Migrator::new(set())
            .with_options(Options::default().with_lock_timeout(Duration::from_secs(5)))
            .upgrade(&mut *observer.lock().unwrap(), "head")
            .unwrap();
        assert_eq!(ids(&report.current), ["b"], "{what}");
        let ran: Vec<&str> = report.steps.iter().map(|s| s.revision.as_str()).collect();
        assert_eq!(ran, ["b"], "{what}");
    });
}

#[cfg(feature = "r2d2")]
mod pooled {
    #[cfg(feature = "postgres")]
    use diesel::r2d2::CustomizeConnection;
    use diesel::r2d2::{ConnectionManager, Pool, R2D2Connection};

    use super::*;

    /// A pool of one connection, so that every checkout is the same session.
    fn pool<C: R2D2Connection + Send + 'static>(url: &str) -> Pool<ConnectionManager<C>> {
        Pool::builder()
            .max_size(1)
            .build(ConnectionManager::new(url))
            .unwrap()
    }

    fn migrate_pool<C>(pool: &Pool<ConnectionManager<C>>, what: &str)
    where
        C: LendConnection + R2D2Connection + Send + 'static,
    {
        let migrator = Migrator::new(chain("a", &["b"]));
        // As checked out, without `&mut *`.
        let report = migrator.upgrade(&mut pool.get().unwrap(), "heads").unwrap();
        assert_eq!(report.steps.len(), 2, "{what}");
        let mut conn = pool.get().unwrap();
        assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["b"], "{what}");
        assert!(conn.lend(|c| table_exists(c, "t_b")), "{what}");
        // The pool still considers it a healthy connection.
        assert!(!conn.is_broken(), "{what}");
        drop(conn);
        assert_eq!(pool.state().connections, 1, "{what}");
    }

    #[test]
    fn a_connection_checked_out_of_an_r2d2_pool_is_lent() {
        each_backend(|db| {
            let url = db.scratch().url();
            match db.backend {
                #[cfg(feature = "sqlite")]
                Backend::Sqlite => migrate_pool(
                    &pool::<diesel::SqliteConnection>(url.sqlite_path()),
                    &db.describe(),
                ),
                #[cfg(feature = "postgres")]
                Backend::Postgres => {
                    migrate_pool(&pool::<diesel::PgConnection>(url.as_str()), "PostgreSQL")
                }
                #[cfg(feature = "mysql")]
                Backend::Mysql => {
                    migrate_pool(&pool::<diesel::MysqlConnection>(url.as_str()), "MySQL")
                }
                other => panic!("{other} is not compiled in"),
            }
        });
    }

    /// Sets every pooled connection's `search_path` to the schema `app`.
    #[cfg(feature = "postgres")]
    #[derive(Debug)]
    struct AppSchema;

    #[cfg(feature = "postgres")]
    impl CustomizeConnection<diesel::PgConnection, diesel::r2d2::Error> for AppSchema {
        fn on_acquire(&self, conn: &mut diesel::PgConnection) -> Result<(), diesel::r2d2::Error> {
            conn.batch_execute("SET search_path TO app")
                .map_err(diesel::r2d2::Error::QueryError)
        }
    }

    #[cfg(feature = "postgres")]
    #[test]
    fn a_pooled_postgres_session_keeps_its_settings_for_the_run() {
        let Some(db) =
            migrate_runtime::testing::ScratchDatabase::from_env(support::POSTGRES_VAR).unwrap()
        else {
            return;
        };
        let mut admin = db.connect().unwrap();
        admin.batch_execute("CREATE SCHEMA app").unwrap();
        let pool = Pool::builder()
            .max_size(1)
            .connection_customizer(Box::new(AppSchema))
            .build(ConnectionManager::<diesel::PgConnection>::new(
                db.url().as_str(),
            ))
            .unwrap();
        let migrator = Migrator::new(chain("a", &["b"]));
        migrator.upgrade(&mut pool.get().unwrap(), "head").unwrap();
        // The tables, the version table included, are where the pool's session put them:
        // a connection opened from the URL would have used `public`.
        assert!(!table_exists(&mut admin, "t_b"));
        admin.batch_execute("SET search_path TO app").unwrap();
        assert!(table_exists(&mut admin, "t_b"));
        assert!(table_exists(&mut admin, "migrate_version"));
    }
}
