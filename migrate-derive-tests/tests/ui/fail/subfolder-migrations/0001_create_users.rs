use migrate_runtime::prelude::*;

#[migration(revision = "0001_create_users", irreversible)]
fn create_users(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
}
