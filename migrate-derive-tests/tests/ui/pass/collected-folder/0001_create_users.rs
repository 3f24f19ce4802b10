use migrate_runtime::prelude::*;

#[migration(revision = "ae1027a6acf0", downgrade = drop_users)]
fn create_users(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
}

fn drop_users(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("DROP TABLE users")
}
