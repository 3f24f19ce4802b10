//! What an application that migrates on start gets to show: the run's report as text (the
//! events it logs through `tracing` are in `logging.rs`).

mod support;

use migrate_runtime::Migrator;
use support::{chain, one_backend};

#[test]
fn a_report_reads_as_one_line_or_one_line_per_step() {
    one_backend(|db| {
        let mut conn = db.connect();
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
    });
}
