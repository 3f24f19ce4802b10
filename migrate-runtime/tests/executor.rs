//! The executor against real databases: every test body runs on SQLite, and on PostgreSQL
//! and MySQL/MariaDB when `MIGRATE_TEST_POSTGRES_URL` / `MIGRATE_TEST_MYSQL_URL` are set.

mod support;

use std::sync::{Arc, Barrier, Mutex};

use diesel::Connection;
use diesel::connection::InstrumentationEvent;
use migrate_runtime::{
    Backend, Direction, Error, HistoryStatus, Migration, MigrationContext, MigrationFn,
    MigrationSet, Migrator, Options, TransactionMode,
};
use support::{
    applied_count, chain, count_where, counter_root, custom, each_backend, id, ids, row_count,
    table_exists, table_migration,
};

fn is_rfc3339_utc(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 24
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'.'
        && s.ends_with('Z')
}

#[test]
fn upgrade_to_head_applies_everything_and_records_it() {
    each_backend(|db| {
        let mut conn = db.connect();
        let migrator = Migrator::new(chain("a", &["b", "c"]));
        assert!(migrator.current(&mut conn).unwrap().is_empty());

        let report = migrator.upgrade(&mut conn, "head").unwrap();
        let steps: Vec<_> = report
            .steps
            .iter()
            .map(|s| (s.revision.as_str(), s.direction))
            .collect();
        assert_eq!(
            steps,
            [
                ("a", Direction::Up),
                ("b", Direction::Up),
                ("c", Direction::Up)
            ]
        );
        assert_eq!(report.steps[1].message, "create t_b");
        assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["c"]);
        assert!(table_exists(&mut conn, "t_b") && table_exists(&mut conn, "t_c"));
        assert_eq!(row_count(&mut conn, "migrate_version"), 1);

        let history = migrator.history(&mut conn).unwrap();
        assert_eq!(history.len(), 3, "{history:?}");
        for (entry, rev) in history.iter().zip(["a", "b", "c"]) {
            assert_eq!(entry.revision, rev);
            assert_eq!(entry.direction, Direction::Up);
            assert_eq!(entry.status, HistoryStatus::Succeeded);
            assert_eq!(
                entry.checksum.as_deref(),
                Some(format!("sum_{rev}").as_str())
            );
            assert!(is_rfc3339_utc(&entry.started_at), "{}", entry.started_at);
            let finished = entry.finished_at.as_deref().unwrap();
            assert!(is_rfc3339_utc(finished) && finished >= entry.started_at.as_str());
            assert!(entry.duration.is_some());
            assert_eq!(entry.error, None);
        }
        assert!(history.windows(2).all(|w| w[0].id < w[1].id));
    });
}

#[test]
fn partial_upgrade_stops_at_the_target_and_resumes() {
    each_backend(|db| {
        let mut conn = db.connect();
        let migrator = Migrator::new(chain("a", &["b", "c", "d"]));
        let report = migrator.upgrade(&mut conn, "b").unwrap();
        assert_eq!(report.steps.len(), 2);
        assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["b"]);
        assert!(!table_exists(&mut conn, "t_c"));

        let report = migrator.upgrade(&mut conn, "+1").unwrap();
        assert_eq!(report.steps.len(), 1);
        assert_eq!(report.steps[0].revision, "c");

        let report = migrator.upgrade(&mut conn, "head").unwrap();
        assert_eq!(report.steps.len(), 1);
        assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["d"]);
        for rev in ["a", "b", "c", "d"] {
            let expected = if rev == "a" { 0 } else { 1 };
            assert_eq!(applied_count(&mut conn, rev), expected, "{rev}");
        }
    });
}

/// a ─┬─ l1 ── l2   (branch label `left`)
///    └─ r1         (branch label `right`)
fn branched() -> MigrationSet {
    MigrationSet::new(vec![
        counter_root("a"),
        table_migration("l1", &["a"]).with_branch_labels(["left".to_owned()]),
        table_migration("l2", &["l1"]),
        table_migration("r1", &["a"]).with_branch_labels(["right".to_owned()]),
    ])
    .unwrap()
}

#[test]
fn branches_upgrade_and_downgrade_independently() {
    each_backend(|db| {
        let mut conn = db.connect();
        let migrator = Migrator::new(branched());

        migrator.upgrade(&mut conn, "left@head").unwrap();
        assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["l2"]);
        assert!(!table_exists(&mut conn, "t_r1"));

        let report = migrator.upgrade(&mut conn, "heads").unwrap();
        assert_eq!(
            ids(&report
                .steps
                .iter()
                .map(|s| s.revision.clone())
                .collect::<Vec<_>>()),
            ["r1"]
        );
        assert_eq!(ids(&report.current), ["l2", "r1"]);
        assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["l2", "r1"]);
        assert_eq!(row_count(&mut conn, "migrate_version"), 2);

        // Reverting one branch leaves the other alone.
        let report = migrator.downgrade(&mut conn, "left@-1").unwrap();
        assert_eq!(report.steps.len(), 1);
        assert_eq!(report.steps[0].revision, "l2");
        assert_eq!(ids(&report.current), ["l1", "r1"]);
        assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["l1", "r1"]);
        assert!(!table_exists(&mut conn, "t_l2") && table_exists(&mut conn, "t_r1"));

        migrator.downgrade(&mut conn, "base").unwrap();
        assert!(migrator.current(&mut conn).unwrap().is_empty());
        assert!(!table_exists(&mut conn, "applied"));
    });
}

#[test]
fn downgrade_partially_and_to_base() {
    each_backend(|db| {
        let mut conn = db.connect();
        let migrator = Migrator::new(chain("a", &["b", "c"]));
        migrator.upgrade(&mut conn, "head").unwrap();

        let report = migrator.downgrade(&mut conn, "a").unwrap();
        let steps: Vec<_> = report
            .steps
            .iter()
            .map(|s| (s.revision.as_str(), s.direction))
            .collect();
        assert_eq!(steps, [("c", Direction::Down), ("b", Direction::Down)]);
        assert_eq!(ids(&report.current), ["a"]);
        assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["a"]);
        assert!(!table_exists(&mut conn, "t_b") && table_exists(&mut conn, "applied"));

        assert!(
            migrator
                .downgrade(&mut conn, "base")
                .unwrap()
                .current
                .is_empty()
        );
        assert!(migrator.current(&mut conn).unwrap().is_empty());
        assert_eq!(row_count(&mut conn, "migrate_version"), 0);
        let history = migrator.history(&mut conn).unwrap();
        let downs: Vec<_> = history
            .iter()
            .filter(|e| e.direction == Direction::Down)
            .map(|e| e.revision.as_str())
            .collect();
        assert_eq!(downs, ["c", "b", "a"]);

        // Already at base: nothing to do.
        assert!(
            migrator
                .downgrade(&mut conn, "base")
                .unwrap()
                .steps
                .is_empty()
        );
    });
}

#[test]
fn stamp_sets_the_version_table_without_running_anything() {
    each_backend(|db| {
        let mut conn = db.connect();
        let migrator = Migrator::new(chain("a", &["b", "c"]));
        let rows = migrator.stamp(&mut conn, "b").unwrap();
        assert_eq!(ids(&rows), ["b"]);
        assert!(!table_exists(&mut conn, "applied"), "stamp ran a migration");
        let history = migrator.history(&mut conn).unwrap();
        assert!(!history.is_empty());
        assert!(history.iter().all(|e| e.status == HistoryStatus::Stamped));

        // Only `c` is left to run; it needs `applied`, which stamping did not create.
        conn.batch_execute_compat("CREATE TABLE applied (revision VARCHAR(64) NOT NULL)");
        let report = migrator.upgrade(&mut conn, "head").unwrap();
        assert_eq!(ids(&[report.steps[0].revision.clone()]), ["c"]);
        assert_eq!(report.steps.len(), 1);

        assert!(migrator.stamp(&mut conn, "base").unwrap().is_empty());
        assert!(migrator.current(&mut conn).unwrap().is_empty());
        assert!(table_exists(&mut conn, "t_c"), "stamp base ran a downgrade");
    });
}

#[test]
fn a_purging_stamp_repairs_rows_no_run_leaves_behind() {
    each_backend(|db| {
        let mut conn = db.connect();
        let migrator = Migrator::new(chain("a", &["b", "c"]));
        migrator.upgrade(&mut conn, "b").unwrap();
        let version_rows =
            |conn: &mut migrate_runtime::AnyConnection| row_count(conn, "migrate_version");
        // A revision listed with its own descendant: every plan refuses the table, and
        // planning a downgrade on it would revert two revisions for `-1`.
        conn.batch_execute_compat("INSERT INTO migrate_version (version_num) VALUES ('a')");
        for target in ["-1", "base"] {
            let err = migrator.downgrade(&mut conn, target).unwrap_err();
            assert!(err.to_string().contains("stamp --purge"), "{err}");
        }
        assert_eq!(
            version_rows(&mut conn),
            2,
            "a refused downgrade changed the table"
        );
        assert!(table_exists(&mut conn, "t_b"), "a refused downgrade ran");
        assert_eq!(ids(&migrator.stamp_purge(&mut conn, "b").unwrap()), ["b"]);
        migrator.downgrade(&mut conn, "-1").unwrap();
        assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["a"]);

        // A row no migration declares, then one that is no id at all.
        for stale in ["deadbeef0000", "not an id!"] {
            conn.batch_execute_compat(&format!(
                "INSERT INTO migrate_version (version_num) VALUES ('{stale}')"
            ));
            let err = migrator.stamp(&mut conn, "a").unwrap_err();
            assert!(err.to_string().contains("stamp --purge"), "{err}");
            assert_eq!(ids(&migrator.stamp_purge(&mut conn, "a").unwrap()), ["a"]);
            let history = migrator.history(&mut conn).unwrap();
            let last = history.last().unwrap();
            assert_eq!(
                (last.revision.as_str(), last.direction, last.status),
                (stale, Direction::Down, HistoryStatus::Stamped),
                "the purged row is recorded"
            );
        }
        // A bad target is refused before anything is deleted.
        assert!(migrator.stamp_purge(&mut conn, "nonexistent").is_err());
        assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["a"]);
        assert!(migrator.stamp_purge(&mut conn, "base").unwrap().is_empty());
        assert_eq!(version_rows(&mut conn), 0);
    });
}

#[test]
fn another_tools_version_table_is_named_not_used() {
    each_backend(|db| {
        let mut conn = db.connect();
        // sqlalchemy-migrate's table of the same name.
        conn.batch_execute_compat(
            "CREATE TABLE migrate_version (repository_id VARCHAR(250) NOT NULL PRIMARY KEY, \
             repository_path TEXT, version INTEGER)",
        );
        conn.batch_execute_compat("INSERT INTO migrate_version VALUES ('repo', '/x', 7)");
        let migrator = Migrator::new(chain("a", &["b"]));
        for err in [
            migrator.upgrade(&mut conn, "head").unwrap_err(),
            migrator.current(&mut conn).unwrap_err(),
            migrator.stamp(&mut conn, "a").unwrap_err(),
        ] {
            assert!(matches!(err, Error::ForeignVersionTable { .. }), "{err}");
            assert!(err.to_string().contains("version_table"), "{err}");
        }
        assert!(!table_exists(&mut conn, "applied"), "a migration ran");
        assert_eq!(row_count(&mut conn, "migrate_version"), 1);
    });
}

/// `batch_execute` without importing the trait in every test.
trait BatchCompat {
    fn batch_execute_compat(&mut self, sql: &str);
}

impl BatchCompat for migrate_runtime::AnyConnection {
    fn batch_execute_compat(&mut self, sql: &str) {
        diesel::connection::SimpleConnection::batch_execute(self, sql).unwrap();
    }
}

fn failing_sql(rev: &str, parent: &str) -> Migration {
    let table = format!("t_{rev}");
    custom(rev, &[parent], move |ctx| {
        ctx.execute(&format!("CREATE TABLE {table} (id INTEGER PRIMARY KEY)"))?;
        ctx.execute("INSERT INTO applied (revision) VALUES ('before the error')")?;
        ctx.execute("INSERT INTO no_such_table (x) VALUES (1)")
    })
}

#[test]
fn a_failing_migration_is_rolled_back_and_stops_the_run() {
    each_backend(|db| {
        let mut conn = db.connect();
        let set = MigrationSet::new(vec![
            counter_root("a"),
            table_migration("b", &["a"]),
            failing_sql("c", "b"),
            table_migration("d", &["c"]),
        ])
        .unwrap();
        let migrator = Migrator::new(set);
        let err = migrator.upgrade(&mut conn, "head").unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(&err, Error::Migration { revision, direction: Direction::Up, .. } if *revision == "c"),
            "{err:?}"
        );
        assert!(text.starts_with("upgrade of `c` failed: "), "{text}");
        assert!(
            text.contains("no_such_table"),
            "the database's message: {text}"
        );
        assert!(!err.is_input_error());

        // Earlier migrations stay applied and recorded; the failing one left no version row.
        assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["b"]);
        assert!(table_exists(&mut conn, "t_b"));
        assert!(!table_exists(&mut conn, "t_d"));
        // Its data change was rolled back, on MySQL too: the `CREATE TABLE` before it
        // committed implicitly, but with autocommit off for the run the statements after
        // it formed a new transaction, which the failure rolled back.
        assert_eq!(applied_count(&mut conn, "before the error"), 0);
        let history = migrator.history(&mut conn).unwrap();
        let succeeded: Vec<_> = history
            .iter()
            .filter(|e| e.status == HistoryStatus::Succeeded)
            .map(|e| e.revision.as_str())
            .collect();
        assert_eq!(succeeded, ["a", "b"]);

        if db.backend == Backend::Mysql {
            // DDL commits implicitly: the table stays, and the failure is recorded and
            // blocks the next run until someone resolves it.
            assert!(table_exists(&mut conn, "t_c"));
            let failed = history.last().unwrap();
            assert_eq!(
                (failed.revision.as_str(), failed.status),
                ("c", HistoryStatus::Failed)
            );
            assert!(failed.error.as_deref().unwrap().contains("no_such_table"));
            let again = migrator.upgrade(&mut conn, "head").unwrap_err();
            assert!(matches!(again, Error::Interrupted { .. }), "{again:?}");
        } else {
            assert!(!table_exists(&mut conn, "t_c"));
            assert_eq!(
                history.len(),
                2,
                "a rolled-back failure leaves no row: {history:?}"
            );
            // Fixed code then applies cleanly.
            let fixed = Migrator::new(chain("a", &["b", "c", "d"]));
            assert_eq!(fixed.upgrade(&mut conn, "head").unwrap().steps.len(), 2);
        }
    });
}

#[test]
fn an_error_returned_by_a_migration_names_revision_and_step() {
    each_backend(|db| {
        let mut conn = db.connect();
        let set = MigrationSet::new(vec![
            counter_root("a"),
            custom("b", &["a"], |ctx| {
                ctx.execute("INSERT INTO applied (revision) VALUES ('b')")?;
                Err(migrate_runtime::Error::msg("refusing: bad data"))
            }),
        ])
        .unwrap();
        let migrator = Migrator::new(set);
        let err = migrator.upgrade(&mut conn, "head").unwrap_err();
        assert_eq!(err.to_string(), "upgrade of `b` failed: refusing: bad data");
        assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["a"]);
        assert_eq!(applied_count(&mut conn, "b"), 0);
    });
}

#[test]
fn a_panicking_migration_is_rolled_back_and_reported() {
    each_backend(|db| {
        let mut conn = db.connect();
        let set = MigrationSet::new(vec![
            counter_root("a"),
            custom("b", &["a"], |ctx| {
                ctx.execute("INSERT INTO applied (revision) VALUES ('b')")?;
                // A panic inside the migration's own transaction leaves it open; the
                // executor must still roll everything back.
                ctx.connection()?
                    .transaction::<(), migrate_runtime::Error, _>(|conn| {
                        diesel::connection::SimpleConnection::batch_execute(
                            conn,
                            "INSERT INTO applied (revision) VALUES ('b')",
                        )?;
                        panic!("kaboom in b")
                    })
            }),
        ])
        .unwrap();
        let migrator = Migrator::new(set);
        let err = migrator.upgrade(&mut conn, "head").unwrap_err();
        assert!(
            matches!(&err, Error::Panic { revision, direction: Direction::Up, message } if *revision == "b" && message == "kaboom in b"),
            "{err:?}"
        );
        assert_eq!(err.to_string(), "upgrade of `b` panicked: kaboom in b");
        // The connection is usable and nothing of `b` remains.
        assert_eq!(applied_count(&mut conn, "b"), 0);
        assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["a"]);
    });
}

#[test]
fn downgrade_through_an_irreversible_migration_is_refused_before_running() {
    each_backend(|db| {
        let mut conn = db.connect();
        let set = MigrationSet::new(vec![
            counter_root("a"),
            Migration::new(
                id("b"),
                MigrationFn::new(|ctx| ctx.execute("CREATE TABLE t_b (id INTEGER PRIMARY KEY)")),
            )
            .with_revises([id("a")]),
            table_migration("c", &["b"]),
        ])
        .unwrap();
        let migrator = Migrator::new(set);
        migrator.upgrade(&mut conn, "head").unwrap();
        let err = migrator.downgrade(&mut conn, "base").unwrap_err();
        assert!(
            matches!(&err, Error::Irreversible { revision } if *revision == "b"),
            "{err:?}"
        );
        assert!(err.is_input_error());
        // `c` comes before `b` on the way down and was not reverted either.
        assert!(table_exists(&mut conn, "t_c"));
        assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["c"]);
        let history = migrator.history(&mut conn).unwrap();
        assert!(history.iter().all(|e| e.direction == Direction::Up));
        // Down to just above the irreversible one is fine.
        migrator.downgrade(&mut conn, "b").unwrap();
        assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["b"]);
    });
}

#[test]
fn transaction_mode_all_is_all_or_nothing_and_refused_on_mysql() {
    each_backend(|db| {
        let mut conn = db.connect();
        let set = MigrationSet::new(vec![
            counter_root("a"),
            table_migration("b", &["a"]),
            failing_sql("c", "b"),
        ])
        .unwrap();
        let options = Options::default().with_transaction_mode(TransactionMode::All);
        let migrator = Migrator::new(set).with_options(options.clone());
        let err = migrator.upgrade(&mut conn, "head").unwrap_err();
        if db.backend == Backend::Mysql {
            assert!(
                matches!(
                    err,
                    Error::TransactionModeUnsupported {
                        backend: Backend::Mysql
                    }
                ),
                "{err:?}"
            );
            assert!(err.to_string().contains("PerMigration"), "{err}");
            assert!(
                !table_exists(&mut conn, "migrate_version"),
                "refused after doing work"
            );
            return;
        }
        assert!(matches!(&err, Error::Migration { revision, .. } if *revision == "c"));
        assert!(migrator.current(&mut conn).unwrap().is_empty());
        assert!(!table_exists(&mut conn, "applied") && !table_exists(&mut conn, "t_b"));
        assert!(migrator.history(&mut conn).unwrap().is_empty());

        let ok = Migrator::new(chain("a", &["b", "c"])).with_options(options);
        assert_eq!(ok.upgrade(&mut conn, "head").unwrap().steps.len(), 3);
        assert_eq!(ids(&ok.current(&mut conn).unwrap()), ["c"]);
        assert_eq!(ok.history(&mut conn).unwrap().len(), 3);
    });
}

/// The bookkeeping statements a connection runs from now on: every write to the version
/// or history table, by kind (`INSERT INTO "migrate_history"`, ...).
fn record_bookkeeping_writes(conn: &mut migrate_runtime::AnyConnection) -> Arc<Mutex<Vec<String>>> {
    let writes = Arc::new(Mutex::new(Vec::new()));
    let seen = writes.clone();
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            let sql = query.to_string();
            let write = ["INSERT", "UPDATE", "DELETE", "WITH"]
                .iter()
                .any(|verb| sql.starts_with(verb));
            if write && sql.contains("migrate_") {
                let table = if sql.contains("migrate_history") {
                    "history"
                } else {
                    "version"
                };
                let verb = sql.split_whitespace().next().unwrap_or_default();
                seen.lock().unwrap().push(format!("{verb} {table}"));
            }
        }
    });
    writes
}

#[test]
fn an_all_run_writes_its_bookkeeping_at_commit_in_a_few_statements() {
    each_backend(|db| {
        if db.backend == Backend::Mysql {
            // `All` is refused there (see above).
            return;
        }
        let mut conn = db.connect();
        let revs: Vec<String> = (1..250).map(|i| format!("s{i:03}")).collect();
        let names: Vec<&str> = revs.iter().map(String::as_str).collect();
        let migrator = Migrator::new(chain("a", &names))
            .with_options(Options::default().with_transaction_mode(TransactionMode::All));
        let writes = record_bookkeeping_writes(&mut conn);
        let report = migrator.upgrade(&mut conn, "head").unwrap();
        assert_eq!(report.steps.len(), 250);
        // 250 history rows in three statements of at most 100, and the one version row.
        assert_eq!(
            *writes.lock().unwrap(),
            [
                "INSERT version",
                "INSERT history",
                "INSERT history",
                "INSERT history"
            ]
        );
        assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["s249"]);
        let history = migrator.history(&mut conn).unwrap();
        let order: Vec<&str> = history.iter().map(|e| e.revision.as_str()).collect();
        let expected: Vec<&str> = std::iter::once("a").chain(names.iter().copied()).collect();
        assert_eq!(
            order, expected,
            "history rows follow the order the steps ran in"
        );
        assert!(history.windows(2).all(|w| w[0].id < w[1].id));
        for entry in &history {
            assert_eq!(entry.status, HistoryStatus::Succeeded);
            assert_eq!(entry.direction, Direction::Up);
            assert_eq!(
                entry.checksum.as_deref(),
                Some(format!("sum_{}", entry.revision).as_str())
            );
            let finished = entry.finished_at.as_deref().unwrap();
            assert!(is_rfc3339_utc(&entry.started_at) && is_rfc3339_utc(finished));
            assert!(entry.started_at.as_str() <= finished && entry.duration.is_some());
        }
        assert_eq!(applied_count(&mut conn, "s249"), 1);
    });
}

#[test]
fn an_all_run_writes_the_net_version_change_of_merges_and_downgrades() {
    each_backend(|db| {
        if db.backend == Backend::Mysql {
            return;
        }
        let mut conn = db.connect();
        let set = MigrationSet::new(vec![
            counter_root("a"),
            table_migration("x", &[]),
            table_migration("m", &["a", "x"]),
            table_migration("n", &["m"]),
        ])
        .unwrap();
        let all = Options::default().with_transaction_mode(TransactionMode::All);
        let migrator = Migrator::new(set).with_options(all);
        // Two rows that the run below replaces with one.
        migrator.upgrade(&mut conn, "a").unwrap();
        migrator.upgrade(&mut conn, "x").unwrap();
        assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["a", "x"]);

        let writes = record_bookkeeping_writes(&mut conn);
        assert_eq!(migrator.upgrade(&mut conn, "heads").unwrap().steps.len(), 2);
        assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["n"]);
        // `a` and `x` replaced by `n`; `m`, inserted and deleted again, never written.
        assert_eq!(
            *writes.lock().unwrap(),
            [
                "DELETE version",
                "DELETE version",
                "INSERT version",
                "INSERT history"
            ]
        );

        writes.lock().unwrap().clear();
        assert_eq!(
            migrator.downgrade(&mut conn, "base").unwrap().steps.len(),
            4
        );
        assert!(migrator.current(&mut conn).unwrap().is_empty());
        assert_eq!(
            *writes.lock().unwrap(),
            ["DELETE version", "INSERT history"]
        );
        assert!(!table_exists(&mut conn, "t_x") && !table_exists(&mut conn, "applied"));
        let history = migrator.history(&mut conn).unwrap();
        let rows: Vec<(&str, Direction)> = history
            .iter()
            .map(|e| (e.revision.as_str(), e.direction))
            .collect();
        let (up, down) = (Direction::Up, Direction::Down);
        assert_eq!(&rows[..4], [("a", up), ("x", up), ("m", up), ("n", up)]);
        assert_eq!(rows.len(), 8);
        assert!(rows[4..].iter().all(|&(_, d)| d == down));
        assert_eq!(rows[4], ("n", down));
        assert_eq!(rows[5], ("m", down));
    });
}

fn non_transactional(rev: &str, parent: &str, fail: bool) -> Migration {
    let table = format!("t_{rev}");
    custom(rev, &[parent], move |ctx| {
        ctx.execute(&format!("CREATE TABLE {table} (id INTEGER PRIMARY KEY)"))?;
        if fail {
            ctx.execute("INSERT INTO no_such_table (x) VALUES (1)")?;
        }
        Ok(())
    })
    .with_transactional(false)
}

#[test]
fn non_transactional_migrations_run_alone_and_record_their_outcome() {
    each_backend(|db| {
        let mut conn = db.connect();
        let set = MigrationSet::new(vec![
            counter_root("a"),
            non_transactional("b", "a", false),
            table_migration("c", &["b"]),
        ])
        .unwrap();
        let migrator = Migrator::new(set.clone());
        migrator.upgrade(&mut conn, "head").unwrap();
        assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["c"]);
        let history = migrator.history(&mut conn).unwrap();
        assert_eq!(history.len(), 3);
        assert!(history.iter().all(|e| e.status == HistoryStatus::Succeeded));

        if db.backend != Backend::Mysql {
            // In `All` mode the non-transactional migration splits the run: what came
            // before it is committed, what fails after it is rolled back.
            let mut conn = db.connect();
            migrator.downgrade(&mut conn, "base").unwrap();
            let split = Migrator::new(
                MigrationSet::new(vec![
                    counter_root("a"),
                    non_transactional("b", "a", false),
                    failing_sql("c", "b"),
                ])
                .unwrap(),
            )
            .with_options(Options::default().with_transaction_mode(TransactionMode::All));
            conn.batch_execute_compat("DROP TABLE t_b");
            split.upgrade(&mut conn, "head").unwrap_err();
            assert_eq!(ids(&split.current(&mut conn).unwrap()), ["b"]);
            assert!(table_exists(&mut conn, "applied") && !table_exists(&mut conn, "t_c"));
        }
    });
}

#[test]
fn an_interrupted_run_blocks_until_stamped() {
    each_backend(|db| {
        let mut conn = db.connect();
        let set = MigrationSet::new(vec![
            counter_root("a"),
            non_transactional("b", "a", true),
            table_migration("c", &["b"]),
        ])
        .unwrap();
        let migrator = Migrator::new(set);
        let err = migrator.upgrade(&mut conn, "head").unwrap_err();
        assert!(matches!(&err, Error::Migration { revision, .. } if *revision == "b"));
        // Not transactional: its table stays, and the failure is on record.
        assert!(table_exists(&mut conn, "t_b"));
        let failed = migrator.history(&mut conn).unwrap().pop().unwrap();
        assert_eq!(
            (failed.revision.as_str(), failed.status),
            ("b", HistoryStatus::Failed)
        );
        assert!(failed.finished_at.is_some());
        assert!(failed.error.unwrap().contains("no_such_table"));

        let err = migrator.upgrade(&mut conn, "head").unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, Error::Interrupted { .. }), "{err:?}");
        assert!(text.contains("upgrade of `b` started at "), "{text}");
        assert!(text.contains("and failed: "), "{text}");
        assert!(!text.contains("failed: upgrade of"), "cause only: {text}");
        assert!(text.contains("partly applied"), "{text}");
        assert!(text.contains("SELECT * FROM migrate_history"), "{text}");
        assert!(text.contains("stamp"), "{text}");
        assert_eq!(migrator.check(&mut conn).unwrap().interrupted.len(), 1);

        // The operator finished `b` by hand; stamping records it and clears the state.
        assert_eq!(ids(&migrator.stamp(&mut conn, "b").unwrap()), ["b"]);
        assert!(migrator.check(&mut conn).unwrap().interrupted.is_empty());
        let history = migrator.history(&mut conn).unwrap();
        let rows: Vec<_> = history
            .iter()
            .map(|e| (e.revision.as_str(), e.direction, e.status))
            .collect();
        assert_eq!(
            rows,
            [
                ("a", Direction::Up, HistoryStatus::Succeeded),
                ("b", Direction::Up, HistoryStatus::Resolved),
                ("b", Direction::Up, HistoryStatus::Stamped),
            ]
        );
        assert!(
            history[1]
                .error
                .as_deref()
                .unwrap()
                .contains("no_such_table")
        );
        let report = migrator.upgrade(&mut conn, "head").unwrap();
        assert_eq!(report.steps.len(), 1);
        assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["c"]);
    });
}

#[test]
fn a_crashed_run_left_running_is_refused() {
    each_backend(|db| {
        let mut conn = db.connect();
        // On SQLite in WAL mode a `running` row may belong to a live runner inside a
        // non-transactional migration, so a runner waits for it up to the lock timeout
        // before refusing.
        let migrator = Migrator::new(chain("a", &["b"])).with_options(
            Options::default().with_lock_timeout(std::time::Duration::from_millis(300)),
        );
        migrator.upgrade(&mut conn, "a").unwrap();
        // What a process killed inside a MySQL migration leaves behind.
        conn.batch_execute_compat(
            "INSERT INTO migrate_history (revision, direction, status, started_at) \
             VALUES ('b', 'upgrade', 'running', '2024-01-01T00:00:00.000Z')",
        );
        let err = migrator.upgrade(&mut conn, "head").unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("upgrade of `b` started at 2024-01-01T00:00:00.000Z and never finished"),
            "{text}"
        );
        // What else the row can mean is said for the backend the run is on only.
        assert_eq!(
            text.contains("WAL mode"),
            conn.backend() == Backend::Sqlite,
            "{text}"
        );
        assert!(
            !text.contains("SQLite") || conn.backend() == Backend::Sqlite,
            "{text}"
        );
        assert!(!table_exists(&mut conn, "t_b"));
        // Stamping the revision the schema matches (here: still `a`) clears it.
        migrator.stamp(&mut conn, "a").unwrap();
        let history = migrator.history(&mut conn).unwrap();
        let tail: Vec<_> = history[history.len() - 2..]
            .iter()
            .map(|e| (e.revision.as_str(), e.status))
            .collect();
        assert_eq!(
            tail,
            [
                ("b", HistoryStatus::Resolved),
                ("a", HistoryStatus::Stamped)
            ]
        );
        assert_eq!(
            history[history.len() - 2].finished_at,
            None,
            "it never finished"
        );
        migrator.upgrade(&mut conn, "head").unwrap();
        assert!(table_exists(&mut conn, "t_b"));
    });
}

#[test]
fn concurrent_runners_apply_each_migration_once() {
    const THREADS: usize = 4;
    each_backend(|db| {
        let revs = ["b", "c", "d", "e", "f"];
        let migrator = Migrator::new(chain("a", &revs));
        let barrier = Arc::new(Barrier::new(THREADS));
        let results: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..THREADS)
                .map(|_| {
                    let (migrator, barrier) = (&migrator, barrier.clone());
                    scope.spawn(move || {
                        let mut conn = db.connect();
                        barrier.wait();
                        migrator.upgrade(&mut conn, "head")
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut applied_steps = 0;
        for result in results {
            let report = result.unwrap();
            // Whoever did the work, every runner ends knowing where the database is.
            assert_eq!(ids(&report.current), ["f"]);
            applied_steps += report.steps.len();
        }
        assert_eq!(applied_steps, revs.len() + 1, "each step ran exactly once");
        let mut conn = db.connect();
        for rev in revs {
            assert_eq!(applied_count(&mut conn, rev), 1, "{rev}");
        }
        assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["f"]);
        assert_eq!(migrator.history(&mut conn).unwrap().len(), revs.len() + 1);
    });
}

/// Runners that reach the SQLite file lock together queue on it: none holds part of it
/// while it waits (a shared lock kept while waiting for the exclusive one would make two
/// runners wait for each other until both time out). Rounds, because a round needs two
/// runners in the lock at once to go wrong.
#[cfg(feature = "sqlite")]
#[test]
fn sqlite_runners_racing_for_the_file_lock_all_finish() {
    const THREADS: usize = 4;
    for round in 0..15 {
        let db = support::TestDb::sqlite();
        let migrator = Migrator::new(chain("a", &["b"]))
            .with_options(Options::default().with_lock_timeout(std::time::Duration::from_secs(5)));
        let barrier = Barrier::new(THREADS);
        std::thread::scope(|scope| {
            let runners: Vec<_> = (0..THREADS)
                .map(|_| {
                    scope.spawn(|| {
                        let mut conn = db.connect();
                        barrier.wait();
                        migrator.upgrade(&mut conn, "head")
                    })
                })
                .collect();
            let applied: usize = runners
                .into_iter()
                .map(|runner| {
                    let report = runner.join().unwrap();
                    report
                        .unwrap_or_else(|err| panic!("round {round}: {err}"))
                        .steps
                        .len()
                })
                .sum();
            assert_eq!(applied, 2, "round {round}");
        });
    }
}

#[cfg(feature = "sqlite")]
#[test]
fn a_sqlite_runner_notices_a_commit_made_between_its_steps() {
    each_backend(|db| {
        if db.backend != Backend::Sqlite || !db.wal {
            // Elsewhere the run holds a lock until it ends: no other runner commits
            // meanwhile (see `a_sqlite_run_holds_the_file_until_it_ends`).
            return;
        }
        let url = db.url().to_owned();
        let other = Migrator::new(chain("a", &["b", "c"]));
        let migrator = Migrator::new(chain("a", &["b", "c"])).on_event(move |event| {
            if let migrate_runtime::Event::Finished { migration, .. } = event
                && migration.id() == "a"
            {
                // Between two steps this runner holds no lock: another one applies `b`.
                let report = other.upgrade_url(&url, "b").unwrap();
                assert_eq!(report.steps.len(), 1);
            }
        });
        let mut conn = db.connect();
        let report = migrator.upgrade(&mut conn, "head").unwrap();
        let steps: Vec<_> = report.steps.iter().map(|s| s.revision.as_str()).collect();
        assert_eq!(steps, ["a", "c"], "`b` was applied by the other runner");
        assert_eq!(ids(&report.current), ["c"]);
        for rev in ["b", "c"] {
            assert_eq!(applied_count(&mut conn, rev), 1, "{rev}");
        }
        assert_eq!(migrator.history(&mut conn).unwrap().len(), 3);
    });
}

#[cfg(feature = "sqlite")]
#[test]
fn a_sqlite_run_holds_the_file_until_it_ends() {
    let locking_mode =
        |conn: &mut migrate_runtime::AnyConnection| sqlite_locking_mode(conn, "main");
    each_backend(|db| {
        if db.backend != Backend::Sqlite || db.wal {
            // WAL mode: see `a_sqlite_runner_notices_a_commit_made_between_its_steps`.
            return;
        }
        let path = migrate_runtime::DatabaseUrl::parse(db.url())
            .unwrap()
            .sqlite_path()
            .to_owned();
        let journal = std::path::PathBuf::from(format!("{path}-journal"));
        // Reads the database from another connection that does not wait.
        let read_from_elsewhere = move || read_sqlite_without_waiting(std::path::Path::new(&path));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (s, read) = (seen.clone(), read_from_elsewhere.clone());
        let migrator = Migrator::new(chain("a", &["b", "c"])).on_event(move |event| {
            if let migrate_runtime::Event::Finished { migration, .. } = event {
                // Between two steps, when a run on WAL would hold no lock.
                s.lock().unwrap().push((migration.id().to_string(), read()));
            }
        });
        let mut conn = db.connect();
        assert_eq!(locking_mode(&mut conn), "normal");
        assert_eq!(migrator.upgrade(&mut conn, "head").unwrap().steps.len(), 3);
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 3);
        for (revision, read) in seen {
            let err = read.expect_err(&revision);
            assert!(err.contains("database is locked"), "{revision}: {err}");
        }
        // Once the run is over: the file is free, the caller's connection is back in
        // normal locking mode, and the rollback journal the run kept is gone.
        read_from_elsewhere().unwrap();
        assert_eq!(locking_mode(&mut conn), "normal");
        assert!(!journal.exists(), "{} is left behind", journal.display());
        // A failed run lets go too.
        let failing = Migrator::new(
            MigrationSet::new(vec![custom("x", &[], |ctx| {
                ctx.execute("CREATE TABLE t_x (id INTEGER PRIMARY KEY)")?;
                ctx.execute("SELECT * FROM no_such_table")
            })])
            .unwrap(),
        )
        .with_options(Options::default().with_version_table("other_version"));
        failing.upgrade(&mut conn, "head").unwrap_err();
        read_from_elsewhere().unwrap();
        assert_eq!(locking_mode(&mut conn), "normal");
        // A caller that holds the file exclusively already keeps doing so.
        conn.batch_execute_compat("PRAGMA locking_mode = EXCLUSIVE");
        migrator.downgrade(&mut conn, "base").unwrap();
        assert_eq!(locking_mode(&mut conn), "exclusive");
        let err = read_from_elsewhere().unwrap_err();
        assert!(err.contains("database is locked"), "{err}");
    });
}

#[test]
fn upgrade_url_migrates_on_start() {
    each_backend(|db| {
        let migrator = Migrator::new(chain("a", &["b"]));
        assert_eq!(
            migrator.upgrade_url(db.url(), "head").unwrap().steps.len(),
            2
        );
        assert!(
            migrator
                .upgrade_url(db.url(), "head")
                .unwrap()
                .steps
                .is_empty()
        );
    });
}

#[test]
fn check_reports_pending_unknown_changed_and_clean() {
    each_backend(|db| {
        let mut conn = db.connect();
        let migrator = Migrator::new(chain("a", &["b", "c"]));
        let report = migrator.check(&mut conn).unwrap();
        assert_eq!(ids(&report.pending), ["a", "b", "c"]);
        assert!(!report.is_clean());
        assert!(
            !table_exists(&mut conn, "migrate_version"),
            "check created tables"
        );

        migrator.upgrade(&mut conn, "b").unwrap();
        assert_eq!(ids(&migrator.check(&mut conn).unwrap().pending), ["c"]);
        migrator.upgrade(&mut conn, "head").unwrap();
        let report = migrator.check(&mut conn).unwrap();
        assert!(report.is_clean(), "{report:?}");

        // The code of `b` changed since it was applied.
        let edited = MigrationSet::new(
            chain("a", &["b", "c"])
                .migrations()
                .iter()
                .map(|m| {
                    if m.id() == "b" {
                        m.clone().with_checksum("sum_b_edited")
                    } else {
                        m.clone()
                    }
                })
                .collect(),
        )
        .unwrap();
        let report = Migrator::new(edited.clone()).check(&mut conn).unwrap();
        assert_eq!(report.changed.len(), 1, "{report:?}");
        assert_eq!(report.changed[0].revision, "b");
        assert_eq!(report.changed[0].recorded, "sum_b");
        assert_eq!(report.changed[0].current, "sum_b_edited");
        // Accepted, the edit is what the history compares with; nothing ran or moved.
        let edited = Migrator::new(edited);
        assert_eq!(ids(&edited.accept_changes(&mut conn).unwrap()), ["b"]);
        assert!(edited.check(&mut conn).unwrap().is_clean());
        assert_eq!(ids(&edited.current(&mut conn).unwrap()), ["c"]);
        assert!(edited.accept_changes(&mut conn).unwrap().is_empty());
        let back = migrator.check(&mut conn).unwrap();
        assert_eq!(back.changed.len(), 1, "{back:?}");
        assert_eq!(back.changed[0].recorded, "sum_b_edited");
        migrator.accept_changes(&mut conn).unwrap();
        // A stamp says the schema matches the code: it records the code's checksum.
        edited.stamp(&mut conn, "b").unwrap();
        assert_eq!(edited.check(&mut conn).unwrap().changed.len(), 0);
        assert_eq!(migrator.check(&mut conn).unwrap().changed.len(), 1);
        migrator.stamp(&mut conn, "c").unwrap();
        migrator.accept_changes(&mut conn).unwrap();

        // A row the code does not know (a newer binary applied it).
        conn.batch_execute_compat("INSERT INTO migrate_version (version_num) VALUES ('zz_newer')");
        let report = migrator.check(&mut conn).unwrap();
        assert_eq!(report.unknown, ["zz_newer"]);
        assert!(!report.is_clean());
    });
}

#[test]
fn already_at_head_is_one_query_and_no_ddl() {
    each_backend(|db| {
        let migrator = Migrator::new(chain("a", &["b"]));
        migrator.upgrade(&mut db.connect(), "head").unwrap();

        let mut conn = db.connect();
        let queries = Arc::new(Mutex::new(Vec::<String>::new()));
        let seen = queries.clone();
        conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::StartQuery { query, .. } = event {
                seen.lock().unwrap().push(query.to_string());
            }
        });
        let report = migrator.upgrade(&mut conn, "head").unwrap();
        assert!(report.steps.is_empty());
        // Where the database is comes with the report, from that one query: the CLI's
        // "nothing to do: already at b" needs no second one.
        assert_eq!(ids(&report.current), ["b"]);
        let seen = queries.lock().unwrap().clone();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert!(seen[0].starts_with("SELECT version_num FROM"), "{seen:?}");

        // A fresh database with nothing to apply: the failed read is the only query, and
        // nothing is created.
        let empty = Migrator::new(MigrationSet::new(Vec::new()).unwrap());
        let fresh = support::TestDb::fresh_like(db);
        let mut conn = fresh.connect();
        let queries = Arc::new(Mutex::new(0usize));
        let seen = queries.clone();
        conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::StartQuery { .. } = event {
                *seen.lock().unwrap() += 1;
            }
        });
        let report = empty.upgrade(&mut conn, "heads").unwrap();
        assert!(report.steps.is_empty() && report.current.is_empty());
        assert_eq!(*queries.lock().unwrap(), 1);
        assert!(!table_exists(&mut conn, "migrate_version"));
    });
}

#[test]
fn events_report_each_migration() {
    each_backend(|db| {
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        let migrator = Migrator::new(chain("a", &["b"])).on_event(move |event| {
            let line = match event {
                migrate_runtime::Event::Started {
                    migration,
                    direction,
                } => format!("start {direction} {}", migration.id()),
                migrate_runtime::Event::Finished {
                    migration,
                    direction,
                    ..
                } => format!("done {direction} {}", migration.id()),
                _ => "other".into(),
            };
            sink.lock().unwrap().push(line);
        });
        migrator.upgrade(&mut db.connect(), "head").unwrap();
        assert_eq!(
            *events.lock().unwrap(),
            [
                "start upgrade a",
                "done upgrade a",
                "start upgrade b",
                "done upgrade b"
            ]
        );
    });
}

#[test]
fn custom_table_names_are_used() {
    each_backend(|db| {
        let mut conn = db.connect();
        let options = Options::default()
            .with_version_table("app_versions")
            .with_history_table("app_history");
        let migrator = Migrator::new(chain("a", &["b"])).with_options(options);
        migrator.upgrade(&mut conn, "head").unwrap();
        assert!(table_exists(&mut conn, "app_versions") && table_exists(&mut conn, "app_history"));
        assert!(!table_exists(&mut conn, "migrate_version"));
        assert_eq!(row_count(&mut conn, "app_history"), 2);

        let bad = Migrator::new(chain("a", &["b"]))
            .with_options(Options::default().with_version_table("v; DROP TABLE x"));
        let err = bad.upgrade(&mut conn, "head").unwrap_err();
        assert!(err.is_input_error(), "{err:?}");
    });
}

#[test]
fn migrations_receive_their_context() {
    each_backend(|db| {
        let backend = db.backend;
        let set = MigrationSet::new(vec![custom(
            "a",
            &[],
            move |ctx: &mut MigrationContext<'_>| {
                assert_eq!(ctx.backend(), backend);
                assert_eq!(ctx.revision(), "a");
                assert_eq!(ctx.direction(), Direction::Up);
                Ok(())
            },
        )])
        .unwrap();
        Migrator::new(set)
            .upgrade(&mut db.connect(), "head")
            .unwrap();
    });
}

#[test]
fn a_runner_waiting_too_long_for_the_lock_gives_up() {
    each_backend(|db| {
        let started = Arc::new(Barrier::new(2));
        let release = Arc::new(Barrier::new(2));
        let (s, r) = (started.clone(), release.clone());
        let slow = MigrationSet::new(vec![custom("a", &[], move |ctx| {
            ctx.execute("CREATE TABLE t_a (id INTEGER PRIMARY KEY)")?;
            s.wait();
            r.wait();
            Ok(())
        })])
        .unwrap();
        std::thread::scope(|scope| {
            let holder = scope.spawn(|| Migrator::new(slow).upgrade(&mut db.connect(), "head"));
            started.wait();
            let waits = Arc::new(Mutex::new(Vec::new()));
            let seen = waits.clone();
            let impatient = Migrator::new(chain("a", &[]))
                .with_options(
                    Options::default().with_lock_timeout(std::time::Duration::from_millis(300)),
                )
                .on_event(move |event| {
                    if let migrate_runtime::Event::Waiting { lock, timeout } = event {
                        seen.lock().unwrap().push((lock.to_string(), *timeout));
                    }
                });
            let mut conn = db.connect();
            if db.backend == Backend::Sqlite {
                // The holder's lock also keeps the version table from being read: that
                // read waits for the connection's busy timeout, then the runner queues
                // for the lock (see `Options::lock_timeout`).
                conn.batch_execute_compat("PRAGMA busy_timeout = 100");
            }
            let err = impatient.upgrade(&mut conn, "head").unwrap_err();
            release.wait();
            assert!(matches!(err, Error::LockTimeout { .. }), "{err:?}");
            assert!(
                err.to_string().contains("another migration running"),
                "{err}"
            );
            // The servers' runners say once that they wait, before waiting; SQLite's
            // waits inside its busy timeout.
            let waits = waits.lock().unwrap().clone();
            if db.backend == Backend::Sqlite {
                assert!(waits.is_empty(), "{waits:?}");
            } else {
                assert_eq!(waits.len(), 1, "{waits:?}");
                assert!(
                    waits[0].0.contains("lock for `migrate_version`"),
                    "{waits:?}"
                );
                assert_eq!(waits[0].1, std::time::Duration::from_millis(300));
            }
            assert_eq!(holder.join().unwrap().unwrap().steps.len(), 1);
        });
        assert_eq!(
            ids(&Migrator::new(chain("a", &[]))
                .current(&mut db.connect())
                .unwrap()),
            ["a"]
        );
    });
}

#[test]
fn generated_branchy_histories_upgrade_and_downgrade_in_full() {
    use migrate_core::testing::{History, Shape};
    each_backend(|db| {
        let revisions = History::new(Shape::branchy(40), 11).generate();
        // Each migration touches the tables of its parents and dependencies, so a wrong
        // order fails on the database itself.
        let migrations: Vec<Migration> = revisions
            .iter()
            .map(|rev| {
                let table = format!("t_{}", rev.id);
                let needs: Vec<String> = rev
                    .down_revisions
                    .iter()
                    .chain(&rev.depends_on)
                    .map(|p| format!("t_{p}"))
                    .collect();
                let drop = table.clone();
                Migration::new(
                    rev.id.clone(),
                    MigrationFn::new(move |ctx| {
                        for need in &needs {
                            ctx.execute(&format!("DELETE FROM {need} WHERE id < 0"))?;
                        }
                        ctx.execute(&format!("CREATE TABLE {table} (id INTEGER PRIMARY KEY)"))
                    }),
                )
                .with_revises(rev.down_revisions.clone())
                .with_depends_on(rev.depends_on.clone())
                .with_branch_labels(rev.branch_labels.clone())
                .with_downgrade(MigrationFn::new(move |ctx| {
                    ctx.execute(&format!("DROP TABLE {drop}"))
                }))
            })
            .collect();
        let set = MigrationSet::new(migrations).unwrap();
        let mut heads: Vec<String> = set.graph().heads().iter().map(|h| h.to_string()).collect();
        heads.sort();
        let migrator = Migrator::new(set);
        let mut conn = db.connect();

        let report = migrator.upgrade(&mut conn, "heads").unwrap();
        assert_eq!(report.steps.len(), revisions.len());
        let current: Vec<String> = migrator
            .current(&mut conn)
            .unwrap()
            .iter()
            .map(|id| id.to_string())
            .collect();
        assert_eq!(current, heads);
        assert!(
            revisions
                .iter()
                .all(|rev| table_exists(&mut conn, &format!("t_{}", rev.id)))
        );

        let report = migrator.downgrade(&mut conn, "base").unwrap();
        assert_eq!(report.steps.len(), revisions.len());
        assert!(migrator.current(&mut conn).unwrap().is_empty());
        assert!(
            revisions
                .iter()
                .all(|rev| !table_exists(&mut conn, &format!("t_{}", rev.id)))
        );
    });
}

#[test]
fn a_failed_first_run_leaves_no_bookkeeping_tables_where_ddl_is_transactional() {
    each_backend(|db| {
        let mut conn = db.connect();
        // The first migration fails: say, the URL named another application's database.
        let set = MigrationSet::new(vec![custom("a", &[], |ctx| {
            ctx.execute("CREATE TABLE t_a (id INTEGER PRIMARY KEY)")?;
            ctx.execute("INSERT INTO no_such_table (x) VALUES (1)")
        })])
        .unwrap();
        for mode in [TransactionMode::PerMigration, TransactionMode::All] {
            if db.backend == Backend::Mysql && mode == TransactionMode::All {
                continue;
            }
            let migrator = Migrator::new(set.clone())
                .with_options(Options::default().with_transaction_mode(mode));
            migrator.upgrade(&mut conn, "head").unwrap_err();
            let tables = ["t_a", "migrate_version", "migrate_history"]
                .map(|table| table_exists(&mut conn, table));
            if db.backend == Backend::Mysql {
                // DDL commits implicitly: `t_a` stays, and so does the record saying so.
                assert_eq!(tables, [true, true, true]);
                let history = migrator.history(&mut conn).unwrap();
                assert_eq!(history.len(), 1);
                assert_eq!(history[0].status, HistoryStatus::Failed);
            } else {
                assert_eq!(tables, [false, false, false], "{mode:?}");
            }
        }
    });
}

#[test]
fn a_run_asked_to_stop_finishes_the_current_migration_and_stops() {
    use std::sync::atomic::{AtomicBool, Ordering};
    each_backend(|db| {
        let mut conn = db.connect();
        let flag = Arc::new(AtomicBool::new(true));
        let migrator = |b_sets_flag: bool| {
            let set_flag = Arc::clone(&flag);
            let b = custom("b", &["a"], move |ctx| {
                ctx.execute("CREATE TABLE t_b (id INTEGER PRIMARY KEY)")?;
                if b_sets_flag {
                    set_flag.store(true, Ordering::SeqCst);
                }
                Ok(())
            });
            let set = MigrationSet::new(vec![counter_root("a"), b, table_migration("c", &["b"])])
                .unwrap();
            Migrator::new(set).stop_on(Arc::clone(&flag))
        };
        // Set before the run: nothing runs, not even the bookkeeping tables' creation
        // (except on MySQL, whose DDL cannot wait for a transaction).
        let err = migrator(false).upgrade(&mut conn, "head").unwrap_err();
        assert!(
            matches!(&err, Error::Stopped { revision, direction: Direction::Up, rolled_back: false, after_last: false } if *revision == "a"),
            "{err:?}"
        );
        assert!(!err.is_input_error());
        assert_eq!(
            table_exists(&mut conn, "migrate_version"),
            db.backend == Backend::Mysql
        );
        // Set while `b` runs: `b` commits, `c` does not run.
        flag.store(false, Ordering::SeqCst);
        let err = migrator(true).upgrade(&mut conn, "head").unwrap_err();
        assert_eq!(
            err.to_string(),
            "the run stopped on request before the upgrade of `c`: the migrations before it \
             are committed"
        );
        assert_eq!(ids(&migrator(false).current(&mut conn).unwrap()), ["b"]);
        assert!(table_exists(&mut conn, "t_b") && !table_exists(&mut conn, "t_c"));
        // On MySQL `c`'s `running` row was written with `b`'s commit; it went again.
        let history = migrator(false).history(&mut conn).unwrap();
        assert_eq!(history.len(), 2, "{history:?}");
        assert!(
            migrator(false)
                .check(&mut conn)
                .unwrap()
                .interrupted
                .is_empty()
        );
        flag.store(false, Ordering::SeqCst);
        assert_eq!(
            migrator(false)
                .upgrade(&mut conn, "head")
                .unwrap()
                .steps
                .len(),
            1
        );

        if db.backend != Backend::Mysql {
            // In one transaction for the run, stopping rolls the run back.
            migrator(false).downgrade(&mut conn, "a").unwrap();
            conn.batch_execute_compat("DROP TABLE t_b"); // `custom` downgrades do nothing
            let all = migrator(true)
                .with_options(Options::default().with_transaction_mode(TransactionMode::All));
            let err = all.upgrade(&mut conn, "head").unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::Stopped {
                        rolled_back: true,
                        ..
                    }
                ),
                "{err:?}"
            );
            assert_eq!(ids(&all.current(&mut conn).unwrap()), ["a"]);
            assert!(!table_exists(&mut conn, "t_b"));
        }
    });
}

/// A stop asked during the last migration of a run: with one transaction per migration
/// that migration commits and the run, complete, returns its report (the flag stays set);
/// with one transaction for the run, the run's commit is not made: it is rolled back and
/// says so. Both directions, with runs of two migrations (`c` last up, `b` last down).
#[test]
fn a_stop_asked_during_the_last_migration() {
    use std::sync::atomic::{AtomicBool, Ordering};
    each_backend(|db| {
        let mut conn = db.connect();
        let flag = Arc::new(AtomicBool::new(false));
        // Whether `c`'s upgrade and `b`'s downgrade set the flag.
        let armed = Arc::new(AtomicBool::new(false));
        let step = |sql: &'static str, sets_flag: bool| {
            let (flag, armed) = (Arc::clone(&flag), Arc::clone(&armed));
            MigrationFn::new(move |ctx: &mut MigrationContext<'_>| {
                ctx.execute(sql)?;
                if sets_flag && armed.load(Ordering::SeqCst) {
                    flag.store(true, Ordering::SeqCst);
                }
                Ok(())
            })
        };
        let b = Migration::new(
            id("b"),
            step("CREATE TABLE t_b (id INTEGER PRIMARY KEY)", false),
        )
        .with_revises([id("a")])
        .with_downgrade(step("DROP TABLE t_b", true));
        let c = Migration::new(
            id("c"),
            step("CREATE TABLE t_c (id INTEGER PRIMARY KEY)", true),
        )
        .with_revises([id("b")])
        .with_downgrade(step("DROP TABLE t_c", false));
        let set = MigrationSet::new(vec![counter_root("a"), b, c]).unwrap();
        let migrator = |mode: TransactionMode| {
            Migrator::new(set.clone())
                .with_options(Options::default().with_transaction_mode(mode))
                .stop_on(Arc::clone(&flag))
        };
        let per_migration = migrator(TransactionMode::PerMigration);
        let state = |conn: &mut _| {
            let current = per_migration.current(conn).unwrap();
            (
                ids(&current).join(","),
                table_exists(conn, "t_b"),
                table_exists(conn, "t_c"),
            )
        };
        let arm = |on: bool| {
            flag.store(false, Ordering::SeqCst);
            armed.store(on, Ordering::SeqCst);
        };

        // One transaction per migration: the run completes.
        arm(true);
        let report = per_migration.upgrade(&mut conn, "head").unwrap();
        assert_eq!(report.steps.len(), 3, "{report}");
        assert!(
            flag.load(Ordering::SeqCst),
            "`c` ran without setting the flag"
        );
        assert_eq!(state(&mut conn), ("c".to_owned(), true, true));
        arm(true);
        let report = per_migration.downgrade(&mut conn, "a").unwrap();
        assert_eq!(
            report.to_string(),
            "reverted 2 migrations, c to b; now at a"
        );
        assert!(flag.load(Ordering::SeqCst));
        assert_eq!(state(&mut conn), ("a".to_owned(), false, false));
        let check = per_migration.check(&mut conn).unwrap();
        assert!(check.interrupted.is_empty(), "{:?}", check.interrupted);
        let history = per_migration.history(&mut conn).unwrap();
        assert_eq!(history.len(), 5, "{history:?}");
        assert!(
            history
                .iter()
                .all(|entry| entry.status == HistoryStatus::Succeeded),
            "{history:?}"
        );
        if db.backend == Backend::Mysql {
            return; // No run in one transaction there.
        }

        // One transaction for the run: rolled back, upgrade and downgrade alike.
        let all = migrator(TransactionMode::All);
        arm(true);
        let err = all.upgrade(&mut conn, "head").unwrap_err();
        assert!(
            matches!(
                &err,
                Error::Stopped {
                    revision,
                    direction: Direction::Up,
                    rolled_back: true,
                    after_last: true,
                } if *revision == "c"
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "the run stopped on request after the upgrade of `c`, its last migration, before \
             its transaction committed; its transaction was rolled back"
        );
        assert_eq!(state(&mut conn), ("a".to_owned(), false, false));
        assert_eq!(all.history(&mut conn).unwrap().len(), 5);
        arm(false);
        all.upgrade(&mut conn, "head").unwrap();
        arm(true);
        let err = all.downgrade(&mut conn, "a").unwrap_err();
        assert!(
            matches!(
                &err,
                Error::Stopped {
                    revision,
                    direction: Direction::Down,
                    rolled_back: true,
                    after_last: true,
                } if *revision == "b"
            ),
            "{err:?}"
        );
        assert_eq!(state(&mut conn), ("c".to_owned(), true, true));
        assert_eq!(all.history(&mut conn).unwrap().len(), 7);
        // Not asked to stop, the same runs commit.
        arm(false);
        all.downgrade(&mut conn, "a").unwrap();
        assert_eq!(state(&mut conn), ("a".to_owned(), false, false));
    });
}

/// In one transaction for the run, a `transactional = false` migration commits the run
/// before it and itself: a stop asked during it stops the run before the next migration
/// with nothing to roll back, and the error says that what ran is committed.
#[test]
fn a_stop_after_a_non_transactional_migration_of_a_run_in_one_transaction_rolls_nothing_back() {
    use std::sync::atomic::{AtomicBool, Ordering};
    each_backend(|db| {
        if db.backend == Backend::Mysql {
            return; // No run in one transaction there.
        }
        let mut conn = db.connect();
        let flag = Arc::new(AtomicBool::new(false));
        let stops = Arc::clone(&flag);
        let b = Migration::new(
            id("b"),
            MigrationFn::new(move |ctx: &mut MigrationContext<'_>| {
                ctx.execute("CREATE TABLE t_b (id INTEGER PRIMARY KEY)")?;
                stops.store(true, Ordering::SeqCst);
                Ok(())
            }),
        )
        .with_revises([id("a")])
        .with_transactional(false);
        let c = Migration::new(
            id("c"),
            MigrationFn::new(|ctx: &mut MigrationContext<'_>| {
                ctx.execute("CREATE TABLE t_c (id INTEGER PRIMARY KEY)")
            }),
        )
        .with_revises([id("b")]);
        let migrator = Migrator::new(MigrationSet::new(vec![counter_root("a"), b, c]).unwrap())
            .with_options(Options::default().with_transaction_mode(TransactionMode::All))
            .stop_on(Arc::clone(&flag));
        let err = migrator.upgrade(&mut conn, "head").unwrap_err();
        assert!(
            matches!(
                &err,
                Error::Stopped {
                    revision,
                    direction: Direction::Up,
                    rolled_back: false,
                    after_last: false,
                } if *revision == "c"
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "the run stopped on request before the upgrade of `c`: the migrations before it \
             are committed"
        );
        assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["b"]);
        assert!(table_exists(&mut conn, "t_b"));
        assert!(!table_exists(&mut conn, "t_c"));
    });
}

#[test]
fn a_refused_stamp_creates_no_table() {
    each_backend(|db| {
        let mut conn = db.connect();
        let migrator = Migrator::new(chain("a", &["b", "c"]));
        for target in ["+1", "b+3", "-1", "zzz"] {
            let err = migrator.stamp(&mut conn, target).unwrap_err();
            assert!(err.is_input_error(), "{target}: {err:?}");
            for table in ["migrate_version", "migrate_history"] {
                assert!(
                    !table_exists(&mut conn, table),
                    "`stamp {target}` created {table}"
                );
            }
        }
    });
}

/// A version table in an attached database (`aux.migrate_version`): the run locks that
/// database's file, and lets it go.
#[cfg(feature = "sqlite")]
#[test]
fn a_sqlite_version_table_in_an_attached_database_is_locked_there() {
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("main.sqlite3");
    let aux = dir.path().join("aux.sqlite3");
    let mut conn =
        migrate_runtime::AnyConnection::open(&migrate_runtime::DatabaseUrl::sqlite_file(&main))
            .unwrap();
    conn.batch_execute_compat(&format!("ATTACH DATABASE '{}' AS aux", aux.display()));
    let aux_file = aux.clone();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let migrator = Migrator::new(chain("a", &["b"]))
        .with_options(
            Options::default()
                .with_version_table("aux.migrate_version")
                .with_history_table("aux.migrate_history"),
        )
        .on_event(move |event| {
            if let migrate_runtime::Event::Finished { .. } = event {
                s.lock()
                    .unwrap()
                    .push(read_sqlite_without_waiting(&aux_file));
            }
        });
    assert_eq!(migrator.upgrade(&mut conn, "head").unwrap().steps.len(), 2);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    for read in seen {
        assert!(read.unwrap_err().contains("database is locked"));
    }
    assert_eq!(sqlite_locking_mode(&mut conn, "aux"), "normal");
    // Free again: another connection reads the version table without waiting.
    let mut other =
        migrate_runtime::AnyConnection::open(&migrate_runtime::DatabaseUrl::sqlite_file(&aux))
            .unwrap();
    other.batch_execute_compat("PRAGMA busy_timeout = 0");
    assert_eq!(
        ids(&Migrator::new(chain("a", &["b"]))
            .current(&mut other)
            .unwrap()),
        ["b"]
    );
}

/// The `locking_mode` of the SQLite database `schema` on `conn`.
#[cfg(feature = "sqlite")]
fn sqlite_locking_mode(conn: &mut migrate_runtime::AnyConnection, schema: &str) -> String {
    #[derive(diesel::QueryableByName)]
    struct Mode {
        #[diesel(sql_type = diesel::sql_types::Text)]
        locking_mode: String,
    }
    let query = diesel::sql_query(format!("PRAGMA {schema}.locking_mode"));
    diesel::RunQueryDsl::get_result::<Mode>(query, conn)
        .unwrap()
        .locking_mode
}

/// Reads the SQLite file at `path` from a new connection that does not wait for locks:
/// the error says "database is locked" while another connection holds it.
#[cfg(feature = "sqlite")]
fn read_sqlite_without_waiting(path: &std::path::Path) -> Result<usize, String> {
    let url = migrate_runtime::DatabaseUrl::sqlite_file(path);
    let mut other = migrate_runtime::AnyConnection::open(&url).unwrap();
    other.batch_execute_compat("PRAGMA busy_timeout = 0");
    diesel::RunQueryDsl::execute(diesel::sql_query("SELECT 1 FROM sqlite_schema"), &mut other)
        .map_err(|err| err.to_string())
}

#[cfg(feature = "sqlite")]
#[test]
fn sqlite_runs_leave_the_callers_busy_timeout_alone() {
    #[derive(diesel::QueryableByName)]
    struct Timeout {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        timeout: i64,
    }
    let busy_timeout = |conn: &mut migrate_runtime::AnyConnection| {
        diesel::RunQueryDsl::get_result::<Timeout>(diesel::sql_query("PRAGMA busy_timeout"), conn)
            .unwrap()
            .timeout
    };
    let dir = tempfile::tempdir().unwrap();
    let url = migrate_runtime::DatabaseUrl::sqlite_file(&dir.path().join("busy.sqlite3"));
    let mut conn = migrate_runtime::AnyConnection::open(&url).unwrap();
    conn.batch_execute_compat("PRAGMA busy_timeout = 1234");
    let migrator = Migrator::new(chain("a", &["b"]))
        .with_options(Options::default().with_lock_timeout(std::time::Duration::from_secs(7)));
    migrator.upgrade(&mut conn, "a").unwrap();
    assert_eq!(busy_timeout(&mut conn), 1234, "after upgrade");
    migrator.stamp(&mut conn, "a").unwrap();
    assert_eq!(busy_timeout(&mut conn), 1234, "after stamp");
    migrator.downgrade(&mut conn, "base").unwrap();
    assert_eq!(busy_timeout(&mut conn), 1234, "after downgrade");
    // A refused run restores it too.
    migrator.upgrade(&mut conn, "head").unwrap();
    conn.batch_execute_compat("DELETE FROM migrate_version");
    conn.batch_execute_compat("INSERT INTO migrate_version (version_num) VALUES ('a')");
    migrator.upgrade(&mut conn, "head").unwrap_err();
    assert_eq!(busy_timeout(&mut conn), 1234, "after a failed run");
}

/// On SQLite the bookkeeping tables are laid out so that a step writes one page of each:
/// a `WITHOUT ROWID` version table, and history ids without `AUTOINCREMENT` (which writes
/// `sqlite_sequence` at every insert). Tables of the earlier layout, `CREATE TABLE IF NOT
/// EXISTS` keeps as they are, so they must go on working.
#[cfg(feature = "sqlite")]
#[test]
fn sqlite_bookkeeping_tables_touch_few_pages_and_the_earlier_layout_still_works() {
    let dir = tempfile::tempdir().unwrap();
    let migrator = Migrator::new(chain("a", &["b", "c"]));
    let open = |name: &str| {
        let url = migrate_runtime::DatabaseUrl::sqlite_file(&dir.path().join(name));
        migrate_runtime::AnyConnection::open(&url).unwrap()
    };

    let mut fresh = open("fresh.sqlite3");
    migrator.upgrade(&mut fresh, "head").unwrap();
    assert_eq!(
        count_where(
            &mut fresh,
            "sqlite_master",
            "name = 'migrate_version' AND sql LIKE '%WITHOUT ROWID'"
        ),
        1
    );
    assert!(!table_exists(&mut fresh, "sqlite_sequence"));

    let mut earlier = open("earlier.sqlite3");
    earlier.batch_execute_compat(
        "CREATE TABLE migrate_version (version_num VARCHAR(64) NOT NULL PRIMARY KEY);
         CREATE TABLE migrate_history (id INTEGER PRIMARY KEY AUTOINCREMENT, \
         revision VARCHAR(64) NOT NULL, direction VARCHAR(16) NOT NULL, checksum TEXT, \
         status VARCHAR(16) NOT NULL, started_at VARCHAR(40) NOT NULL, \
         finished_at VARCHAR(40), duration_us BIGINT, error TEXT);",
    );
    migrator.upgrade(&mut earlier, "head").unwrap();
    migrator.downgrade(&mut earlier, "a").unwrap();
    assert_eq!(ids(&migrator.current(&mut earlier).unwrap()), ["a"]);
    let history = migrator.history(&mut earlier).unwrap();
    let steps: Vec<_> = history
        .iter()
        .map(|entry| (entry.revision.as_str(), entry.direction))
        .collect();
    assert_eq!(
        steps,
        [
            ("a", Direction::Up),
            ("b", Direction::Up),
            ("c", Direction::Up),
            ("c", Direction::Down),
            ("b", Direction::Down),
        ]
    );
    assert_eq!(
        count_where(&mut earlier, "sqlite_sequence", "name = 'migrate_history'"),
        1,
        "the earlier layout's sequence is still the one numbering the rows"
    );
}

#[test]
fn transaction_mode_all_reads_the_version_table_once_under_the_lock() {
    each_backend(|db| {
        if db.backend == Backend::Mysql {
            return;
        }
        let mut conn = db.connect();
        let reads = Arc::new(Mutex::new(0usize));
        let seen = reads.clone();
        conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::StartQuery { query, .. } = event
                && query.to_string().starts_with("SELECT version_num FROM")
            {
                *seen.lock().unwrap() += 1;
            }
        });
        let migrator = Migrator::new(chain("a", &["b", "c", "d"]))
            .with_options(Options::default().with_transaction_mode(TransactionMode::All));
        assert_eq!(migrator.upgrade(&mut conn, "head").unwrap().steps.len(), 4);
        // One read to plan before locking, one under the lock.
        assert_eq!(*reads.lock().unwrap(), 2);
        assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["d"]);
    });
}

#[test]
fn stamping_the_parent_of_a_failed_migration_records_what_was_stamped() {
    each_backend(|db| {
        let mut conn = db.connect();
        let failing = Migrator::new(
            MigrationSet::new(vec![counter_root("a"), non_transactional("b", "a", true)]).unwrap(),
        );
        failing.upgrade(&mut conn, "head").unwrap_err();
        // The operator undoes what `b` left behind and stamps the revision the schema
        // matches again: `a`, where the version table already is.
        conn.batch_execute_compat("DROP TABLE t_b");
        assert_eq!(ids(&failing.stamp(&mut conn, "a").unwrap()), ["a"]);

        let history = failing.history(&mut conn).unwrap();
        let rows: Vec<_> = history
            .iter()
            .map(|e| (e.revision.as_str(), e.direction, e.status))
            .collect();
        // `b` was never applied nor stamped: its failed row is marked resolved (error
        // kept), and the stamp is recorded for `a`, the revision it confirmed.
        assert_eq!(
            rows,
            [
                ("a", Direction::Up, HistoryStatus::Succeeded),
                ("b", Direction::Up, HistoryStatus::Resolved),
                ("a", Direction::Up, HistoryStatus::Stamped),
            ]
        );
        assert!(
            history[1]
                .error
                .as_deref()
                .unwrap()
                .contains("no_such_table")
        );
        assert!(failing.check(&mut conn).unwrap().interrupted.is_empty());

        // Fixed code then applies `b`, whose history reads: resolved, then succeeded.
        let fixed = Migrator::new(
            MigrationSet::new(vec![counter_root("a"), non_transactional("b", "a", false)]).unwrap(),
        );
        assert_eq!(fixed.upgrade(&mut conn, "head").unwrap().steps.len(), 1);
        let last = fixed.history(&mut conn).unwrap().pop().unwrap();
        assert_eq!(
            (last.revision.as_str(), last.status),
            ("b", HistoryStatus::Succeeded)
        );
    });
}

/// The statements a run sends, as diesel's instrumentation sees them.
fn record_queries(conn: &mut migrate_runtime::AnyConnection) -> Arc<Mutex<Vec<String>>> {
    let queries = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = queries.clone();
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            seen.lock().unwrap().push(query.to_string());
        }
    });
    queries
}

#[test]
fn each_migration_costs_few_statements_and_on_mysql_one_extra_commit() {
    each_backend(|db| {
        let mut conn = db.connect();
        let migrator = Migrator::new(chain("a", &["b", "c", "d"]));
        migrator.upgrade(&mut conn, "a").unwrap();
        let queries = record_queries(&mut conn);
        assert_eq!(migrator.upgrade(&mut conn, "head").unwrap().steps.len(), 3);
        let seen = queries.lock().unwrap().clone();
        let count = |prefix: &str| seen.iter().filter(|q| q.starts_with(prefix)).count();
        // The run names its tables with the schema (or database) it found them in.
        let history_inserts = seen
            .iter()
            .filter(|q| q.starts_with("INSERT INTO ") && q.contains("migrate_history"))
            .count();
        match db.backend {
            Backend::Postgres => {
                // Per migration: its SQL (two statements here), one bookkeeping statement
                // (version row and history row together), and the commit, which also
                // begins the next migration's transaction.
                assert_eq!(count("CREATE TABLE t_"), 3, "{seen:#?}");
                assert_eq!(count("WITH d AS (DELETE FROM"), 3, "{seen:#?}");
                assert_eq!(count("COMMIT; BEGIN"), 2, "{seen:#?}");
                assert_eq!(count("COMMIT"), 3, "{seen:#?}");
                assert_eq!(count("BEGIN"), 1, "{seen:#?}");
                assert_eq!(count("UPDATE"), 0, "{seen:#?}");
                assert_eq!(history_inserts, 0, "{seen:#?}");
            }
            Backend::Mysql => {
                // Every migration needs a `running` row committed before it runs; the
                // next one's is committed with this one's bookkeeping, so past the first
                // claim each migration adds one commit to those of its DDL.
                assert_eq!(history_inserts, 3, "{seen:#?}");
                assert_eq!(count("COMMIT"), 4, "{seen:#?}");
                assert_eq!(count("SET autocommit = 0"), 1, "{seen:#?}");
                assert_eq!(count("SET autocommit = 1"), 1, "{seen:#?}");
            }
            _ if !db.wal => {
                // SQLite in a rollback-journal mode holds the file for the run, so it goes
                // like PostgreSQL: the version table is read once under the lock, and
                // each commit begins the next migration's transaction.
                assert_eq!(count("BEGIN EXCLUSIVE"), 1, "{seen:#?}");
                assert_eq!(
                    count("PRAGMA main.locking_mode = EXCLUSIVE; COMMIT"),
                    1,
                    "{seen:#?}"
                );
                assert_eq!(count("BEGIN IMMEDIATE"), 1, "{seen:#?}");
                assert_eq!(count("COMMIT; BEGIN"), 2, "{seen:#?}");
                assert_eq!(count("COMMIT"), 3, "{seen:#?}");
                assert_eq!(count("SELECT version_num FROM"), 2, "{seen:#?}");
                assert_eq!(count("PRAGMA data_version"), 0, "{seen:#?}");
                assert_eq!(count("PRAGMA main.locking_mode = NORMAL"), 1, "{seen:#?}");
            }
            _ => {
                // SQLite in WAL mode keeps its statements. Every step transaction (and one more to
                // find the plan done; the first also makes sure the bookkeeping tables
                // exist) checks that no other connection committed since the last one;
                // only the first reads the version table, after the read that planned the
                // run.
                assert_eq!(count("BEGIN IMMEDIATE"), 4, "{seen:#?}");
                assert_eq!(count("COMMIT"), 4, "{seen:#?}");
                assert_eq!(count("PRAGMA data_version"), 4, "{seen:#?}");
                assert_eq!(count("SELECT version_num FROM"), 2, "{seen:#?}");
            }
        }
        let history = migrator.history(&mut conn).unwrap();
        assert_eq!(history.len(), 4);
        assert!(
            history
                .iter()
                .all(|e| e.status == HistoryStatus::Succeeded && e.finished_at.is_some())
        );
        assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["d"]);

        // And back down: the same shape.
        let queries = record_queries(&mut conn);
        assert_eq!(migrator.downgrade(&mut conn, "a").unwrap().steps.len(), 3);
        let seen = queries.lock().unwrap().clone();
        if db.backend == Backend::Postgres {
            let commits = seen.iter().filter(|q| q.starts_with("COMMIT")).count();
            assert_eq!(commits, 3, "{seen:#?}");
        }
        assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["a"]);
        assert_eq!(migrator.history(&mut conn).unwrap().len(), 7);
    });
}

#[test]
fn bookkeeping_statements_are_prepared_once_per_connection_not_once_per_step() {
    each_backend(|db| {
        let mut conn = db.connect();
        let migrator = Migrator::new(chain("a", &["b", "c", "d", "e"]));
        let cached = Arc::new(Mutex::new(Vec::<String>::new()));
        let seen = cached.clone();
        conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::CacheQuery { sql, .. } = event {
                seen.lock().unwrap().push(sql.to_owned());
            }
        });
        migrator.upgrade(&mut conn, "a").unwrap();
        // Then four steps of the same shape, up and then down.
        assert_eq!(migrator.upgrade(&mut conn, "head").unwrap().steps.len(), 4);
        assert_eq!(migrator.downgrade(&mut conn, "a").unwrap().steps.len(), 4);
        let cached = cached.lock().unwrap().clone();
        let history = cached
            .iter()
            .filter(|sql| sql.contains("INSERT INTO") && sql.contains("migrate_history"))
            .count();
        // One history statement per shape, however many steps used it. PostgreSQL writes
        // the version change in the same statement: one shape for the first step (a row
        // inserted), one for the eight others, up or down (a row replaced).
        let shapes = if db.backend == Backend::Postgres {
            2
        } else {
            1
        };
        assert_eq!(history, shapes, "{cached:#?}");
        let mut unique = cached.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), cached.len(), "prepared twice: {cached:#?}");
        // The statements stay prepared on the connection: PostgreSQL lists them.
        if db.backend == Backend::Postgres {
            let prepared = count_where(
                &mut conn,
                "pg_prepared_statements",
                "statement LIKE '%migrate_history%'",
            );
            assert_eq!(prepared, 2);
        }
    });
}

#[test]
fn a_version_table_changed_during_a_run_is_detected() {
    each_backend(|db| {
        let mut conn = db.connect();
        let set = MigrationSet::new(vec![
            counter_root("a"),
            custom("b", &["a"], |ctx| {
                ctx.execute("CREATE TABLE t_b (id INTEGER PRIMARY KEY)")?;
                // Another tool moves the version table under the run's feet.
                ctx.execute("UPDATE migrate_version SET version_num = 'zz' WHERE version_num = 'a'")
            }),
            table_migration("c", &["b"]),
        ])
        .unwrap();
        let migrator = Migrator::new(set);
        let err = migrator.upgrade(&mut conn, "head").unwrap_err();
        assert!(
            matches!(&err, Error::VersionTableChanged { revision } if revision == "a"),
            "{err:?}"
        );
        assert!(err.to_string().contains("`a` was expected"), "{err}");
        // The hand edit was rolled back with the step, and nothing after it ran.
        assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["a"]);
        assert!(!table_exists(&mut conn, "t_c"));
        let history = migrator.history(&mut conn).unwrap();
        if db.backend == Backend::Mysql {
            // The DDL committed; the `running` row of `b` says so and blocks.
            assert!(table_exists(&mut conn, "t_b"));
            let last = history.last().unwrap();
            assert_eq!(
                (last.revision.as_str(), last.status),
                ("b", HistoryStatus::Running)
            );
            let again = migrator.upgrade(&mut conn, "head").unwrap_err();
            assert!(matches!(again, Error::Interrupted { .. }), "{again:?}");
        } else {
            assert!(!table_exists(&mut conn, "t_b"));
            assert_eq!(history.len(), 1, "{history:?}");
        }
    });
}

#[test]
fn while_a_migration_runs_its_running_row_is_already_committed() {
    each_backend(|db| {
        // What a crash inside `c` would leave: seen while `c` runs, from another
        // connection or, where the run holds the SQLite file, in a copy of it. On MySQL every migration has a `running` row, committed together with the
        // previous migration's bookkeeping; elsewhere only a non-transactional one.
        let inside = Arc::new(Barrier::new(2));
        let resume = Arc::new(Barrier::new(2));
        let (i, r) = (inside.clone(), resume.clone());
        let c = custom("c", &["b"], move |ctx| {
            ctx.execute("CREATE TABLE t_c (id INTEGER PRIMARY KEY)")?;
            i.wait();
            r.wait();
            Ok(())
        })
        .with_transactional(db.backend == Backend::Mysql);
        let set =
            MigrationSet::new(vec![counter_root("a"), table_migration("b", &["a"]), c]).unwrap();
        let migrator = Migrator::new(set);
        std::thread::scope(|scope| {
            let runner = scope.spawn(|| migrator.upgrade(&mut db.connect(), "head"));
            inside.wait();
            let (_dir, mut other) = db.crash_image();
            let history = Migrator::new(chain("a", &["b"]))
                .history(&mut other)
                .unwrap();
            let rows: Vec<_> = history
                .iter()
                .map(|e| (e.revision.as_str(), e.status))
                .collect();
            resume.wait();
            assert_eq!(runner.join().unwrap().unwrap().steps.len(), 3);
            assert_eq!(
                rows,
                [
                    ("a", HistoryStatus::Succeeded),
                    ("b", HistoryStatus::Succeeded),
                    ("c", HistoryStatus::Running)
                ]
            );
        });
        let history = migrator.history(&mut db.connect()).unwrap();
        assert_eq!(history.len(), 3);
        assert!(
            history
                .iter()
                .all(|e| e.status == HistoryStatus::Succeeded && e.duration.is_some())
        );
    });
}

#[cfg(feature = "postgres")]
#[test]
fn a_database_error_carries_the_hint_the_database_sent() {
    each_backend(|db| {
        if db.backend != Backend::Postgres {
            // SQLite and MySQL send no hints.
            return;
        }
        let mut conn = db.connect();
        let set = MigrationSet::new(vec![custom("a", &[], |ctx| {
            ctx.execute("SELECT no_such_function(1)")?;
            Ok(())
        })])
        .unwrap();
        let err = Migrator::new(set)
            .upgrade(&mut conn, "head")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("upgrade of `a` failed: function no_such_function(integer) does not exist (hint: No function matches"),
            "{err}"
        );
    });
}

#[cfg(feature = "sqlite")]
#[test]
fn an_applications_own_connection_and_errors_go_through() {
    use diesel::Connection as _;
    // The application's SQLite connection, lent to the migrator and taken back.
    let own = diesel::SqliteConnection::establish(":memory:").unwrap();
    let mut conn: migrate_runtime::AnyConnection = own.into();
    Migrator::new(chain("a", &["b"]))
        .upgrade(&mut conn, "head")
        .unwrap();
    let migrate_runtime::AnyConnection::Sqlite(mut own) = conn else {
        panic!("the variant it went in as");
    };
    diesel::connection::SimpleConnection::batch_execute(&mut own, "SELECT * FROM t_b").unwrap();

    // Any error type, through `Error::other`, keeps its message.
    let failing = MigrationSet::new(vec![custom("a", &[], |_| {
        let cents: i64 = "2.50".parse().map_err(Error::other)?;
        Err(Error::msg(format!("unreachable {cents}")))
    })])
    .unwrap();
    let err = Migrator::new(failing)
        .upgrade(
            &mut migrate_runtime::AnyConnection::from(
                diesel::SqliteConnection::establish(":memory:").unwrap(),
            ),
            "head",
        )
        .unwrap_err();
    assert!(err.to_string().contains("invalid digit"), "{err}");
}

diesel::table! {
    /// The table of the typed data migration below.
    people (id) {
        /// Surrogate key.
        id -> Integer,
        /// An address.
        email -> Text,
    }
}

/// A row of `people` for a multi-row insert.
#[derive(diesel::Insertable)]
#[diesel(table_name = people)]
struct NewPerson {
    email: String,
}

/// What `MigrationContext::connection` documents, on every backend: typed single-row
/// inserts, updates, selects and `sql_query` on the `AnyConnection`, and a multi-row insert
/// (with `RETURNING` on PostgreSQL) on the backend's own connection.
#[test]
fn typed_data_migrations_run_on_the_any_connection_and_the_backends_own() {
    use diesel::prelude::*;
    use migrate_runtime::AnyConnection;
    use migrate_runtime::schema::{Column, ColumnType, Table};
    each_backend(|db| {
        let mut conn = db.connect();
        let returned = Arc::new(Mutex::new(Vec::<i32>::new()));
        #[cfg(feature = "postgres")]
        let seen = Arc::clone(&returned);
        let set = MigrationSet::new(vec![custom("people", &[], move |ctx| {
            ctx.create_table(
                Table::new("people")
                    .column(
                        Column::new("id", ColumnType::Integer)
                            .primary_key()
                            .auto_increment(),
                    )
                    .column(Column::new("email", ColumnType::Varchar(100)).not_null()),
            )?;
            let conn = ctx.connection()?;
            diesel::insert_into(people::table)
                .values(people::email.eq("ROOT@example.com"))
                .execute(conn)?;
            diesel::update(people::table.filter(people::email.eq("ROOT@example.com")))
                .set(people::email.eq("root@example.com"))
                .execute(conn)?;
            diesel::sql_query("DELETE FROM people WHERE email LIKE '%.invalid'").execute(conn)?;
            let rows: Vec<NewPerson> = (1..=3)
                .map(|n| NewPerson {
                    email: format!("user{n}@example.com"),
                })
                .collect();
            match ctx.connection()? {
                #[cfg(feature = "postgres")]
                AnyConnection::Postgres(pg) => {
                    let ids: Vec<i32> = diesel::insert_into(people::table)
                        .values(&rows)
                        .returning(people::id)
                        .get_results(pg)?;
                    seen.lock().unwrap().extend(ids);
                }
                #[cfg(feature = "sqlite")]
                AnyConnection::Sqlite(sqlite) => {
                    diesel::insert_into(people::table)
                        .values(&rows)
                        .execute(sqlite)?;
                }
                #[cfg(feature = "mysql")]
                AnyConnection::Mysql(mysql) => {
                    diesel::insert_into(people::table)
                        .values(&rows)
                        .execute(mysql)?;
                }
                conn => {
                    for row in &rows {
                        diesel::insert_into(people::table)
                            .values(row)
                            .execute(conn)?;
                    }
                }
            }
            Ok(())
        })])
        .unwrap();
        Migrator::new(set).upgrade(&mut conn, "head").unwrap();
        let emails: Vec<String> = people::table
            .select(people::email)
            .order(people::id)
            .load(&mut conn)
            .unwrap();
        assert_eq!(
            emails,
            [
                "root@example.com",
                "user1@example.com",
                "user2@example.com",
                "user3@example.com"
            ]
        );
        let returned = returned.lock().unwrap().clone();
        if conn.backend() == Backend::Postgres {
            assert_eq!(returned, [2, 3, 4]);
        } else {
            assert!(returned.is_empty());
        }
    });
}
