use migrate_runtime::prelude::*;

// A misspelled `irreversible` is named as such, and not reported missing on top of it.
#[migration(revision = "0001_users", irreversable)]
fn create_users(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
}

#[migration(revision = "0002_email", revises = "0001_users", Downgrade = drop_email)]
fn add_email(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE users ADD COLUMN email TEXT")
}

fn drop_email(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE users DROP COLUMN email")
}

fn main() {}
