use migrate_runtime::prelude::*;

#[migration(revision = "ae1027a6acf0", irreversible)]
fn create_users(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
}

// MySQL's version table compares ids without case: this one could not be told apart.
#[migration(revision = "AE1027A6ACF0", revises = "ae1027a6acf0", irreversible)]
fn add_email(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE users ADD COLUMN email TEXT")
}

fn main() {}
