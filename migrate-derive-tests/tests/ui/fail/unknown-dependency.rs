use migrate_runtime::prelude::*;

#[migration(revision = "0001_create_users", irreversible)]
fn create_users(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
}

#[migration(
    revision = "0002_create_posts",
    depends_on = ["0001_create_users", "0001_create_tags"],
    irreversible
)]
fn create_posts(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE TABLE posts (id INTEGER PRIMARY KEY)")
}

fn main() {}
