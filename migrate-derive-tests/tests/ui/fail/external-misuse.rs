use migrate_runtime::prelude::*;

#[migration(revision = "0001_users", irreversible)]
fn create_users(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
}

// `0001_users` is right here, where the compile-time check sees it.
#[migration(revision = "0002_email", revises = "0001_users", external = ["0001_users"], irreversible)]
fn add_email(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE users ADD COLUMN email TEXT")
}

// `external` vouches only for references the migration makes.
#[migration(revision = "0003_name", revises = "0002_email", external = ["plugin_0001"], irreversible)]
fn add_name(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE users ADD COLUMN name TEXT")
}

fn main() {}
