//! The events a run logs through `tracing`, as an application that migrates on start sees
//! them.
//!
//! Alone in its test binary: `tracing` caches per call site whether anyone listens, and a
//! test running migrations on another thread without a subscriber can race that cache
//! against the subscriber installed here, losing its events.

mod support;

use std::io::Write;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use migrate_runtime::{Error, MigrationSet, Migrator};
use support::{TestDb, chain, counter_root, custom, one_backend};

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn logged(level: tracing::Level, f: impl FnOnce()) -> String {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_ansi(false)
        .without_time()
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, f);
    String::from_utf8(captured.0.lock().unwrap().clone()).unwrap()
}

#[test]
fn a_run_logs_each_migration_and_its_outcome_through_tracing() {
    one_backend(|db| {
        let mut conn = db.connect();
        let migrator = Migrator::new(chain("a", &["b"]));
        let log = logged(tracing::Level::INFO, || {
            migrator.upgrade(&mut conn, "head").unwrap();
        });
        let lines: Vec<&str> = log.lines().collect();
        assert_eq!(lines.len(), 3, "{log}");
        assert!(
            lines[0].starts_with(" INFO")
                && lines[0].contains("upgrade   a  create the counter table  ("),
            "{log}"
        );
        assert!(
            lines[1].contains("revision=b direction=upgrade duration_ms="),
            "{log}"
        );
        assert!(
            lines[2].contains("applied 2 migrations, a to b; now at b to=\"head\""),
            "{log}"
        );

        // Nothing to do: said at debug level only, with no line per migration.
        let quiet = logged(tracing::Level::INFO, || {
            migrator.upgrade(&mut conn, "head").unwrap();
        });
        assert_eq!(quiet, "");
        let debug = logged(tracing::Level::DEBUG, || {
            migrator.upgrade(&mut conn, "head").unwrap();
        });
        assert!(
            debug.contains("DEBUG") && debug.contains("nothing to do; at b"),
            "{debug}"
        );
        let debug = logged(tracing::Level::DEBUG, || {
            migrator.downgrade(&mut conn, "a").unwrap();
        });
        assert!(debug.contains("downgrade of b started"), "{debug}");

        // Failures and stops, in this one test (see the module's doc). A migration that
        // fails: at error level, after the line of the one that committed.
        let failing = Migrator::new(
            MigrationSet::new(vec![
                counter_root("a"),
                custom("f", &["a"], |_| Err(Error::msg("no such thing"))),
            ])
            .unwrap(),
        );
        let other = TestDb::fresh_like(db);
        let mut fresh = other.connect();
        let log = logged(tracing::Level::INFO, || {
            failing.upgrade(&mut fresh, "head").unwrap_err();
        });
        let lines: Vec<&str> = log.lines().collect();
        assert_eq!(lines.len(), 2, "{log}");
        assert!(lines[0].starts_with(" INFO"), "{log}");
        assert!(
            lines[1].starts_with("ERROR")
                && lines[1].contains("upgrade of `f` failed: no such thing")
                && lines[1].contains("revision=f direction=upgrade to=\"head\""),
            "{log}"
        );

        // A stop on request: a warning, naming the migration that did not run.
        let flag = Arc::new(AtomicBool::new(true));
        let stopping = Migrator::new(chain("a", &["b"])).stop_on(flag);
        let other = TestDb::fresh_like(db);
        let mut fresh = other.connect();
        let log = logged(tracing::Level::INFO, || {
            stopping.upgrade(&mut fresh, "head").unwrap_err();
        });
        let lines: Vec<&str> = log.lines().collect();
        assert_eq!(lines.len(), 1, "{log}");
        assert!(
            lines[0].starts_with(" WARN")
                && lines[0].contains("the run stopped on request before the upgrade of `a`")
                && lines[0].contains("revision=a direction=upgrade to=\"head\""),
            "{log}"
        );

        // An error naming no migration: at error level, without the fields.
        let other = TestDb::fresh_like(db);
        let mut fresh = other.connect();
        let log = logged(tracing::Level::INFO, || {
            failing.upgrade(&mut fresh, "nowhere").unwrap_err();
        });
        assert!(
            log.starts_with("ERROR")
                && !log.contains("revision=")
                && log.contains("to=\"nowhere\""),
            "{log}"
        );
    });
}
