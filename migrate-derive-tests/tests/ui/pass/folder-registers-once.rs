//! `migrations!` registers every migration of its folder exactly once (top-level ones with
//! the folder, those in inline modules by themselves, `#[cfg]`-disabled ones not at all),
//! and a `#[migration]` outside any collected folder still registers itself.

use migrate_runtime::{MigrationSet, Migrator};

#[path = "support/registered.rs"]
mod support;
use support::*;
use migrate_runtime::prelude::*;

migrate_runtime::migrations!("folder-registers-once");

/// Standalone, in a file `migrations!` does not collect.
#[migration(revision = "standalone", irreversible)]
fn standalone(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("SELECT 1")
}

fn main() {
    let set = MigrationSet::registered().unwrap();
    assert_eq!(
        registered(&set),
        [
            ("0001_create_users", vec![], "0001_create_users.rs:3"),
            ("0001_nested", vec!["0001_create_users"], "0001_create_users.rs:38"),
            ("0002_add_email", vec!["0001_create_users"], "0002_add_email.rs:4"),
            ("standalone", vec![], "folder-registers-once.rs:15"),
        ]
    );
    let message = |id| set.get(id).unwrap().message();
    assert_eq!(message("0002_add_email"), "Add an email column.");
    assert_eq!(
        message("standalone"),
        "Standalone, in a file `migrations!` does not collect."
    );
    let users = set.get("0001_create_users").unwrap();
    assert!(users.downgrade().is_some());
    assert_eq!(users.checksum().unwrap().len(), 64);
    let migrator = Migrator::new(set);
    let sql = upgrade_sql(&migrator, Some("0001_create_users"), "0002_add_email");
    assert!(sql.contains("ADD COLUMN email") && !sql.contains("CREATE TABLE users"), "{sql}");
}
