//! Migrations that replace each other under exclusive `#[cfg]`s share a revision id: one
//! per platform here, as one per backend feature in an application. Only the compiled one
//! is registered, in a folder collected by `migrations!` as in a single file.

use migrate_runtime::MigrationSet;
use migrate_runtime::prelude::*;

#[path = "support/registered.rs"]
mod support;
use support::*;

migrate_runtime::migrations!("cfg-alternatives");

#[cfg(unix)]
#[migration(revision = "0900_settings", irreversible)]
fn create_settings(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE TABLE settings (id INTEGER PRIMARY KEY)")
}

#[cfg(not(unix))]
#[migration(revision = "0900_settings", irreversible)]
fn create_settings_elsewhere(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE TABLE settings (id INTEGER PRIMARY KEY, registry TEXT)")
}

fn main() {
    let set = MigrationSet::registered().unwrap();
    assert_eq!(
        registered(&set),
        [
            ("0001_users", vec![], "0001_users.rs:4"),
            ("0002_posts", vec!["0001_users"], "0002_posts.rs:3"),
            ("0003_audit", vec!["0002_posts"], "0003_audit.rs:4"),
            ("0900_settings", vec![], "cfg-alternatives.rs:15"),
        ]
    );
    let labels = &set.get("0001_users").unwrap().revision().branch_labels;
    assert_eq!(labels, &["accounts"]);
    let migrator = migrate_runtime::Migrator::new(set);
    let audit = upgrade_sql(&migrator, Some("0002_posts"), "0003_audit");
    assert!(audit.contains("CREATE TABLE audit (id INTEGER PRIMARY KEY)"), "{audit}");
}
