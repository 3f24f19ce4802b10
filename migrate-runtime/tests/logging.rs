//! The events a run logs through `tracing`, as an application that migrates on start sees
//! them.
//!
//! Alone in its test binary: `tracing` caches per call site whether anyone listens, and a
//! test running migrations on another thread without a subscriber can race that cache
//! against the subscriber installed here, losing its events.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use migrate_runtime::{AnyConnection, DatabaseUrl, Migrator};
use support::chain;

fn memory() -> AnyConnection {
    AnyConnection::open(&DatabaseUrl::parse(":memory:").unwrap()).unwrap()
}

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
    let mut conn = memory();
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
}
