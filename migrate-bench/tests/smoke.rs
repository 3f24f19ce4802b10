//! Smoke test of the suite's measured operations on a small SQLite database: the same
//! code the benchmark children run, at N = 5, so that `cargo test` stays fast.

use migrate_bench::child::{self, Op};
use migrate_bench::workload;

#[test]
fn migrate_and_diesel_apply_revert_and_skip_the_same_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let n = 5;

    let db = dir.path().join("migrate.sqlite3");
    let url = db.to_string_lossy().into_owned();
    child::migrate(&url, n, Op::Upgrade).unwrap();
    child::migrate(&url, n, Op::Noop).unwrap();
    child::connect_and_query(&url).unwrap();
    let tables = |path: &std::path::Path| {
        let out = std::process::Command::new("sqlite3")
            .arg(path)
            .arg("SELECT count(*) FROM sqlite_master WHERE name LIKE 'bench%' OR name LIKE 'ix_bench%'")
            .output();
        out.ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    if let Some(count) = tables(&db) {
        // Each migration creates one table and one index.
        assert_eq!(count, (2 * n).to_string());
    }
    child::migrate(&url, n, Op::Downgrade).unwrap();
    if let Some(count) = tables(&db) {
        assert_eq!(count, "0");
    }
    child::migrate(&url, n, Op::UpgradeAll).unwrap();

    let folders = dir.path().join("diesel");
    std::fs::create_dir(&folders).unwrap();
    workload::write_diesel_folders(&folders, n).unwrap();
    let db = dir.path().join("diesel.sqlite3");
    let url = db.to_string_lossy().into_owned();
    child::diesel(&url, &folders, Op::Upgrade).unwrap();
    child::diesel(&url, &folders, Op::Noop).unwrap();
    if let Some(count) = tables(&db) {
        assert_eq!(count, (2 * n).to_string());
    }
    child::diesel(&url, &folders, Op::Downgrade).unwrap();
    child::diesel(&url, &folders, Op::UpgradeAll).unwrap();
    assert!(child::peak_rss_kib().is_some_and(|kib| kib > 0));
}
