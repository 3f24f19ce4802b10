//! A migration's own transaction control (`BEGIN`, `COMMIT`, `ROLLBACK`, ...) against the
//! transaction migrate runs it in, on every backend: refused in the raw SQL of a
//! transactional migration before it runs, found after it ran when sent through
//! `ctx.connection()`, and left alone in a `transactional = false` migration and inside
//! function, procedure and trigger bodies, strings, quoted names and comments.

mod support;

use diesel::connection::SimpleConnection;
use migrate_runtime::{
    Backend, Error, HistoryStatus, Migration, MigrationSet, Migrator, Options, TransactionMode,
};
use support::{
    TestDb, applied_count, count_query, counter_root, custom, each_backend, ids, run_with_client,
    table_exists,
};

/// Both transaction modes where the backend has them (MySQL has no `All`).
fn modes(db: &TestDb) -> Vec<TransactionMode> {
    match db.backend {
        Backend::Mysql => vec![TransactionMode::PerMigration],
        _ => vec![TransactionMode::PerMigration, TransactionMode::All],
    }
}

fn migrator(migrations: Vec<Migration>, mode: TransactionMode) -> Migrator {
    Migrator::new(MigrationSet::new(migrations).unwrap())
        .with_options(Options::default().with_transaction_mode(mode))
}

/// `b` creates a table, inserts a row, commits with `sql` in the middle of its SQL, and
/// then fails.
fn commit_then_fail(sql: &'static str) -> Migration {
    custom("b", &["a"], move |ctx| {
        ctx.execute("CREATE TABLE t_b (id INTEGER PRIMARY KEY)")?;
        ctx.execute(sql)
    })
}

#[test]
fn transaction_control_in_a_transactional_migrations_sql_is_refused_before_it_runs() {
    each_backend(|db| {
        for mode in modes(db) {
            for (sql, statement) in [
                (
                    "INSERT INTO applied (revision) VALUES ('first half'); COMMIT; \
                     INSERT INTO no_such_table (x) VALUES (1)",
                    "COMMIT",
                ),
                (
                    "INSERT INTO applied (revision) VALUES ('first half');\n  end  transaction;\
                     \nINSERT INTO no_such_table (x) VALUES (1)",
                    "end transaction",
                ),
                (
                    "/* the backfill */ BEGIN; INSERT INTO applied (revision) VALUES ('first half'); \
                     ROLLBACK; INSERT INTO no_such_table (x) VALUES (1)",
                    "BEGIN",
                ),
            ] {
                let db = TestDb::fresh_like(db);
                let mut conn = db.connect();
                let migrator = migrator(vec![counter_root("a"), commit_then_fail(sql)], mode);
                let err = migrator.upgrade(&mut conn, "head").unwrap_err();
                let label = format!("{} {mode:?} {statement}", db.describe());
                if db.backend == Backend::Mysql {
                    // Not checked: MySQL commits DDL anyway, and the `running` row written
                    // before the migration makes the failure visible and blocking.
                    assert!(matches!(err, Error::Migration { .. }), "{label}: {err:?}");
                    let history = migrator.history(&mut conn).unwrap();
                    assert_eq!(
                        history.last().unwrap().status,
                        HistoryStatus::Failed,
                        "{label}"
                    );
                    let again = migrator.upgrade(&mut conn, "head").unwrap_err();
                    assert!(
                        matches!(again, Error::Interrupted { .. }),
                        "{label}: {again:?}"
                    );
                    continue;
                }
                let Error::Migration {
                    revision, source, ..
                } = &err
                else {
                    panic!("{label}: {err:?}");
                };
                assert_eq!(revision.as_str(), "b", "{label}");
                assert!(
                    matches!(&**source, Error::TransactionControl { revision, statement: s }
                        if revision.as_str() == "b" && s == statement),
                    "{label}: {source:?}"
                );
                let text = err.to_string();
                assert!(
                    text.starts_with("upgrade of `b` failed: "),
                    "{label}: {text}"
                );
                assert!(text.contains("`transactional = false`"), "{label}: {text}");
                assert!(text.contains("none of this SQL was run"), "{label}: {text}");
                // Nothing of `b` is left, nor (in `All` mode) of `a`; no failure recorded.
                let expected: &[&str] = match mode {
                    TransactionMode::All => &[],
                    _ => &["a"],
                };
                assert_eq!(
                    ids(&migrator.current(&mut conn).unwrap()),
                    expected,
                    "{label}"
                );
                assert!(!table_exists(&mut conn, "t_b"), "{label}");
                if mode == TransactionMode::All {
                    assert!(!table_exists(&mut conn, "applied"), "{label}");
                } else {
                    assert_eq!(applied_count(&mut conn, "first half"), 0, "{label}");
                }
                let history = migrator.history(&mut conn).unwrap();
                assert!(
                    history.iter().all(|e| e.status == HistoryStatus::Succeeded),
                    "{label}: {history:?}"
                );
                // The fix the error names: the same SQL in a non-transactional migration
                // runs, and its failure is recorded (its first half stays).
                let fixed = self::migrator(
                    vec![
                        counter_root("a"),
                        commit_then_fail(sql).with_transactional(false),
                    ],
                    mode,
                );
                // (SQLite refuses an `END` outside a transaction, PostgreSQL only warns.)
                let err = fixed.upgrade(&mut conn, "head").unwrap_err();
                assert!(matches!(err, Error::Migration { .. }), "{label}: {err:?}");
                assert_eq!(
                    fixed.history(&mut conn).unwrap().last().unwrap().status,
                    HistoryStatus::Failed,
                    "{label}"
                );
            }
        }
    });
}

#[test]
fn a_non_transactional_migration_keeps_its_own_transactions() {
    each_backend(|db| {
        for mode in modes(db) {
            let db = TestDb::fresh_like(db);
            let mut conn = db.connect();
            let begin = match db.backend {
                Backend::Sqlite => "BEGIN IMMEDIATE",
                _ => "START TRANSACTION",
            };
            let sql = format!(
                "{begin}; INSERT INTO applied (revision) VALUES ('rolled back'); ROLLBACK; \
                 BEGIN; INSERT INTO applied (revision) VALUES ('own'); COMMIT"
            );
            let migrator = migrator(
                vec![
                    counter_root("a"),
                    custom("b", &["a"], move |ctx| ctx.execute(&sql)).with_transactional(false),
                    custom("c", &["b"], |ctx| {
                        ctx.execute("INSERT INTO applied (revision) VALUES ('after')")
                    }),
                ],
                mode,
            );
            let label = format!("{} {mode:?}", db.describe());
            assert_eq!(
                migrator.upgrade(&mut conn, "head").unwrap().steps.len(),
                3,
                "{label}"
            );
            assert_eq!(applied_count(&mut conn, "own"), 1, "{label}");
            assert_eq!(applied_count(&mut conn, "rolled back"), 0, "{label}");
            assert_eq!(applied_count(&mut conn, "after"), 1, "{label}");
            assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["c"], "{label}");
            let history = migrator.history(&mut conn).unwrap();
            assert!(
                history.iter().all(|e| e.status == HistoryStatus::Succeeded),
                "{label}: {history:?}"
            );
        }
    });
}

/// SQL whose `BEGIN`, `END`, `COMMIT` and `;` are not statements of their own, per
/// backend; each passes when the migration ran and did what it says.
fn look_alikes(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "CREATE TABLE \"begin\" (\"commit\" INTEGER, note TEXT); -- COMMIT;\n\
             /* ROLLBACK; */\n\
             CREATE TEMP TRIGGER tr AFTER INSERT ON \"begin\" BEGIN\n\
               INSERT INTO applied (revision) VALUES (CASE WHEN new.\"commit\" > 0 THEN 'fired' ELSE 'zero' END);\n\
               UPDATE \"begin\" SET note = 'END; COMMIT' WHERE \"commit\" = new.\"commit\";\n\
             END;\n\
             INSERT INTO \"begin\" (\"commit\") VALUES (1);\n\
             INSERT INTO applied (revision) VALUES ('BEGIN; COMMIT;')"
        }
        Backend::Postgres => {
            "CREATE TABLE \"begin\" (\"commit\" INTEGER, note TEXT); /* nested /* COMMIT; */ ROLLBACK; */\n\
             CREATE FUNCTION fired() RETURNS trigger LANGUAGE plpgsql AS $body$\n\
             BEGIN\n\
               INSERT INTO applied (revision) VALUES ('fired');\n\
               RETURN NEW;\n\
             END\n\
             $body$;\n\
             CREATE TRIGGER tr AFTER INSERT ON \"begin\" FOR EACH ROW EXECUTE FUNCTION fired();\n\
             CREATE FUNCTION sign_of(x INTEGER) RETURNS TEXT LANGUAGE sql BEGIN ATOMIC\n\
               SELECT CASE WHEN x > 0 THEN 'positive' ELSE 'other' END;\n\
             END;\n\
             DO $$ BEGIN PERFORM 1; END $$;\n\
             INSERT INTO \"begin\" (\"commit\", note) VALUES (1, E'it\\'s; COMMIT; ');\n\
             INSERT INTO applied (revision) VALUES (sign_of(1)), ('BEGIN; COMMIT;')"
        }
        _ => {
            "CREATE TABLE `begin` (`commit` INTEGER, note TEXT); -- COMMIT;\n\
             CREATE PROCEDURE record_twice() BEGIN\n\
               INSERT INTO applied (revision) VALUES ('fired');\n\
               IF 1 = 1 THEN INSERT INTO applied (revision) VALUES (CASE WHEN 1 > 0 THEN 'positive' END); END IF;\n\
             END;\n\
             CALL record_twice();\n\
             INSERT INTO `begin` (`commit`, note) VALUES (1, 'it''s; COMMIT; ');\n\
             INSERT INTO applied (revision) VALUES ('BEGIN; COMMIT;')"
        }
    }
}

#[test]
fn function_trigger_and_procedure_bodies_strings_and_comments_are_not_transaction_control() {
    each_backend(|db| {
        for mode in modes(db) {
            let db = TestDb::fresh_like(db);
            let mut conn = db.connect();
            let backend = db.backend;
            let migrator = migrator(
                vec![
                    counter_root("a"),
                    custom("b", &["a"], move |ctx| ctx.execute(look_alikes(backend))),
                ],
                mode,
            );
            let label = format!("{} {mode:?}", db.describe());
            let report = migrator.upgrade(&mut conn, "head");
            assert!(report.is_ok(), "{label}: {report:?}");
            assert_eq!(applied_count(&mut conn, "fired"), 1, "{label}");
            assert_eq!(applied_count(&mut conn, "BEGIN; COMMIT;"), 1, "{label}");
            if backend != Backend::Sqlite {
                assert_eq!(applied_count(&mut conn, "positive"), 1, "{label}");
            }
            assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["b"], "{label}");
        }
    });
}

/// `b` inserts a row and commits it through the connection, which no text check sees,
/// then runs `rest` (failing or not).
fn commit_through_connection(rest: &'static str) -> Migration {
    custom("b", &["a"], move |ctx| {
        ctx.connection()?
            .batch_execute("INSERT INTO applied (revision) VALUES ('first half'); COMMIT")?;
        ctx.execute(rest)
    })
}

#[test]
fn a_commit_through_the_connection_is_found_and_blocks_later_runs() {
    each_backend(|db| {
        for (rest, fails) in [
            ("INSERT INTO no_such_table (x) VALUES (1)", true),
            (
                "INSERT INTO applied (revision) VALUES ('second half')",
                false,
            ),
        ] {
            for mode in modes(db) {
                // On SQLite a migration that succeeds after its `COMMIT` is only found at
                // the step's commit, which an `All` run makes at its end (a known limit).
                if db.backend == Backend::Sqlite && mode == TransactionMode::All && !fails {
                    continue;
                }
                let db = TestDb::fresh_like(db);
                let mut conn = db.connect();
                // `c` needs a `running` row, which a run under a session lock writes with
                // `b`'s commit.
                let c = custom("c", &["b"], |ctx| {
                    ctx.execute("INSERT INTO applied (revision) VALUES ('c')")
                })
                .with_transactional(false);
                let migrator = migrator(
                    vec![counter_root("a"), commit_through_connection(rest), c],
                    mode,
                );
                let label = format!("{} {mode:?} fails={fails}", db.describe());
                let outcome = migrator.upgrade(&mut conn, "head");
                if db.backend == Backend::Mysql {
                    // MySQL: the `running` row committed first already covers it.
                    assert_eq!(outcome.is_err(), fails, "{label}: {outcome:?}");
                    if fails {
                        let again = migrator.upgrade(&mut conn, "head").unwrap_err();
                        assert!(
                            matches!(again, Error::Interrupted { .. }),
                            "{label}: {again:?}"
                        );
                    }
                    continue;
                }
                let err = outcome.unwrap_err();
                assert!(
                    matches!(&err, Error::TransactionEnded { revision, cause, .. }
                        if revision.as_str() == "b"
                            && cause.as_deref().is_some_and(|c| c.contains("no_such_table")) == fails),
                    "{label}: {err:?}"
                );
                let text = err.to_string();
                assert!(text.contains("ctx.connection()"), "{label}: {text}");
                assert!(text.contains("`transactional = false`"), "{label}: {text}");
                assert!(text.contains("stamp"), "{label}: {text}");
                // What it committed stays, and is not hidden: `b` is marked failed, and the
                // next run refuses to go on until someone looks.
                assert_eq!(applied_count(&mut conn, "first half"), 1, "{label}");
                let history = migrator.history(&mut conn).unwrap();
                let last = history.last().unwrap();
                assert_eq!(
                    (last.revision.as_str(), last.status),
                    ("b", HistoryStatus::Failed),
                    "{label}"
                );
                assert!(
                    last.error
                        .as_deref()
                        .unwrap()
                        .contains("ended the transaction"),
                    "{label}: {last:?}"
                );
                assert!(
                    history.iter().all(|e| e.revision.as_str() != "c"),
                    "{label}: {history:?}"
                );
                assert_eq!(applied_count(&mut conn, "c"), 0, "{label}");
                let again = migrator.upgrade(&mut conn, "head").unwrap_err();
                assert!(
                    matches!(again, Error::Interrupted { .. }),
                    "{label}: {again:?}"
                );
                // The connection is usable: stamping resolves it.
                migrator.stamp(&mut conn, "b").unwrap();
                assert_eq!(
                    migrator.upgrade(&mut conn, "head").unwrap().steps.len(),
                    1,
                    "{label}"
                );
                assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["c"], "{label}");
            }
        }
    });
}

#[test]
fn offline_scripts_refuse_transaction_control_in_transactional_migrations() {
    let sql = "INSERT INTO applied (revision) VALUES ('first half'); COMMIT";
    let set = |transactional: bool| {
        migrator(
            vec![
                counter_root("a"),
                custom("b", &["a"], move |ctx| ctx.execute(sql)).with_transactional(transactional),
            ],
            TransactionMode::PerMigration,
        )
    };
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let err = set(true).upgrade_sql(backend, None, "head").unwrap_err();
        assert!(
            matches!(&err, Error::Migration { source, .. }
                if matches!(&**source, Error::TransactionControl { statement, .. } if statement == "COMMIT")),
            "{backend}: {err:?}"
        );
        assert!(
            set(false).upgrade_sql(backend, None, "head").is_ok(),
            "{backend}"
        );
    }
    // MySQL scripts have no transactions of their own to break.
    assert!(set(true).upgrade_sql(Backend::Mysql, None, "head").is_ok());
}

#[test]
fn offline_scripts_with_look_alikes_and_own_transactions_run_in_the_client() {
    each_backend(|db| {
        let backend = db.backend;
        if backend == Backend::Mysql {
            // Not checked there; and the `mariadb` client would need a `DELIMITER` around
            // the procedure body.
            return;
        }
        let begin = match backend {
            Backend::Sqlite => "BEGIN",
            _ => "START TRANSACTION",
        };
        let own = format!("{begin}; INSERT INTO applied (revision) VALUES ('own'); COMMIT");
        for mode in modes(db) {
            let db = TestDb::fresh_like(db);
            let own = own.clone();
            let migrator = migrator(
                vec![
                    counter_root("a"),
                    custom("b", &["a"], move |ctx| ctx.execute(look_alikes(backend))),
                    custom("c", &["b"], move |ctx| ctx.execute(&own)).with_transactional(false),
                ],
                mode,
            );
            let script = migrator.upgrade_sql(backend, None, "head").unwrap();
            run_with_client(&db, &script);
            let mut conn = db.connect();
            let label = format!("{} {mode:?}", db.describe());
            assert_eq!(applied_count(&mut conn, "fired"), 1, "{label}");
            assert_eq!(applied_count(&mut conn, "own"), 1, "{label}");
            assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["c"], "{label}");
            assert_eq!(
                count_query(&mut conn, "SELECT COUNT(*) AS n FROM migrate_history"),
                3,
                "{label}"
            );
        }
    });
}

#[cfg(feature = "sqlite")]
#[test]
fn a_sqlite_statement_rolling_back_its_own_transaction_is_an_ordinary_failure() {
    each_backend(|db| {
        if db.backend != Backend::Sqlite {
            return;
        }
        for mode in modes(db) {
            let db = TestDb::fresh_like(db);
            let mut conn = db.connect();
            // `OR ROLLBACK` ends the transaction at the conflict, as a `ROLLBACK` would,
            // but nothing of the migration stays: no `transactional = false` needed.
            let migrator = migrator(
                vec![
                    counter_root("a"),
                    custom("b", &["a"], |ctx| {
                        ctx.execute(
                            "CREATE TABLE t_b (id INTEGER PRIMARY KEY); \
                             INSERT INTO t_b VALUES (1); INSERT OR ROLLBACK INTO t_b VALUES (1)",
                        )
                    }),
                ],
                mode,
            );
            let label = format!("{} {mode:?}", db.describe());
            let err = migrator.upgrade(&mut conn, "head").unwrap_err();
            assert!(
                matches!(&err, Error::Migration { source, .. } if source.to_string().contains("UNIQUE")),
                "{label}: {err:?}"
            );
            assert!(!table_exists(&mut conn, "t_b"), "{label}");
            let history = migrator.history(&mut conn).unwrap();
            assert!(
                history.iter().all(|e| e.status == HistoryStatus::Succeeded),
                "{label}: {history:?}"
            );
            // Not blocked: the next run tries again (and fails the same way).
            let again = migrator.upgrade(&mut conn, "head").unwrap_err();
            assert!(
                matches!(again, Error::Migration { .. }),
                "{label}: {again:?}"
            );
        }
    });
}
