use migrate_runtime::prelude::*;

#[migration(revision = "0001_users", downgrade = create_users)]
fn create_users(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
}

fn main() {}
