#![cfg(windows)]
//! The same migration for another platform: the whole file is left out elsewhere.

use migrate_runtime::prelude::*;

#[migration(revision = "0001_users", branch_labels = ["accounts"], irreversible)]
fn create_users(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, sid TEXT)")
}
