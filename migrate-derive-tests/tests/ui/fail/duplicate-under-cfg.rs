// The `#[cfg]` on the first migration holds on this platform, so both are compiled.
use migrate_runtime::prelude::*;

#[cfg(unix)]
#[migration(revision = "ae1027a6acf0", irreversible)]
fn create_users(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
}

#[migration(revision = "ae1027a6acf0", irreversible)]
fn create_posts(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE TABLE posts (id INTEGER PRIMARY KEY)")
}

fn main() {}
