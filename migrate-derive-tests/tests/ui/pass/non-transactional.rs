use migrate_runtime::__private::registered;
use migrate_runtime::prelude::*;

#[migration(revision = "0001_users", irreversible, transactional = true)]
fn users(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
}

#[migration(revision = "0002_index", revises = "0001_users", transactional = false, irreversible)]
fn index(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE INDEX users_id ON users (id)")
}

fn main() {
    let mut found: Vec<_> = registered().map(|m| (m.revision, m.transactional)).collect();
    found.sort();
    assert_eq!(found, [("0001_users", true), ("0002_index", false)]);
}
