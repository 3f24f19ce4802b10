//! `migrations!` registers every migration of its folder exactly once (top-level ones with
//! the folder, those in inline modules by themselves, `#[cfg]`-disabled ones not at all),
//! and a `#[migration]` outside any collected folder still registers itself.

use migrate_runtime::__private::registered;
use migrate_runtime::prelude::*;

migrate_runtime::migrations!("folder-registers-once");

/// Standalone, in a file `migrations!` does not collect.
#[migration(revision = "standalone", irreversible)]
fn standalone(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("SELECT 1")
}

fn main() {
    let mut found: Vec<_> = registered()
        .map(|m| {
            // Without the crate name, which trybuild chooses.
            let module = m.module_path.split_once("::").map_or("", |(_, rest)| rest);
            (m.revision, module, m.message)
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("0001_create_users", "m0001_create_users", ""),
            ("0001_nested", "m0001_create_users::nested", ""),
            ("0002_add_email", "m0002_add_email", "Add an email column."),
            (
                "standalone",
                "",
                "Standalone, in a file `migrations!` does not collect."
            ),
        ]
    );
    let users = registered()
        .find(|m| m.revision == "0001_create_users")
        .unwrap();
    assert!(users.downgrade.is_some());
    assert_eq!(users.checksum.len(), 64);
    assert!(
        users.file.ends_with("0001_create_users.rs"),
        "{}",
        users.file
    );
    let set = migrate_runtime::MigrationSet::registered().unwrap();
    assert_eq!(set.migrations().len(), 4);
}
