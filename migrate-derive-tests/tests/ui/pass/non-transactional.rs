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
    let set = migrate_runtime::MigrationSet::registered().unwrap();
    let found: Vec<_> = set
        .migrations()
        .iter()
        .map(|m| (m.id().as_str(), m.is_transactional()))
        .collect();
    assert_eq!(found, [("0001_users", true), ("0002_index", false)]);
}
