use migrate_runtime::prelude::*;

#[cfg(unix)]
#[migration(revision = "0001_users", branch_labels = ["accounts"], irreversible)]
fn create_users(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
}
