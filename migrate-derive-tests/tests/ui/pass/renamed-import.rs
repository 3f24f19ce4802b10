//! `#[migration]` imported under another name is still read by the compile-time check, so a
//! reference to it resolves.

use migrate_runtime::MigrationSet;
use migrate_runtime::migration as define;
use migrate_runtime::prelude::{MigrationContext, Result};

#[define(revision = "0001_create_users", irreversible)]
fn create_users(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
}

#[define(revision = "0002_add_email", revises = "0001_create_users", irreversible)]
fn add_email(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE users ADD COLUMN email TEXT")
}

fn main() {
    let set = MigrationSet::registered().expect("the chain is valid");
    let email = set.get("0002_add_email").expect("registered");
    assert_eq!(email.revision().down_revisions[0].as_str(), "0001_create_users");
}
