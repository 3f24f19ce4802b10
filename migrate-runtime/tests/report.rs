//! What an application that migrates on start gets to show: the run's report as text, and
//! the events it logs through `tracing`.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use migrate_runtime::{AnyConnection, DatabaseUrl, Migrator};
use support::chain;

fn memory() -> AnyConnection {
    AnyConnection::open(&DatabaseUrl::parse(":memory:").unwrap()).unwrap()
}

#[test]
fn a_report_reads_as_one_line_or_one_line_per_step() {
    let mut conn = memory();
    let migrator = Migrator::new(chain("a", &["b", "c"]));
    let report = migrator.upgrade(&mut conn, "head").unwrap();
    assert_eq!(report.to_string(), "applied 3 migrations, a to c; now at c");
    let lines: Vec<String> = format!("{report:#}").lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(
        lines[1].starts_with("upgrade   b  create t_b  ("),
        "{lines:?}"
    );
    assert_eq!(lines[1], report.steps[1].to_string());
    assert_eq!(lines[3], report.to_string());

    let down = migrator.downgrade(&mut conn, "a").unwrap();
    assert_eq!(down.to_string(), "reverted 2 migrations, c to b; now at a");
    assert!(
        down.steps[0]
            .to_string()
            .starts_with("downgrade c  create t_c  (")
    );
    let down = migrator.downgrade(&mut conn, "base").unwrap();
    assert_eq!(down.to_string(), "reverted 1 migration, a; now at <base>");
    let nothing = migrator.downgrade(&mut conn, "base").unwrap();
    assert_eq!(nothing.to_string(), "nothing to do; at <base>");
    assert_eq!(format!("{nothing:#}"), "nothing to do; at <base>");
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
