use migrate_runtime::prelude::*;

#[migration(revision = "0002_posts", revises = "0001_users", irreversible)]
fn create_posts(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE TABLE posts (id INTEGER PRIMARY KEY)")
}
