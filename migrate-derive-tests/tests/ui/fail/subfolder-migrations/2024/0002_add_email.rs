use migrate_runtime::prelude::*;

#[migration(revision = "0002_add_email", revises = "0001_create_users", irreversible)]
fn add_email(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE users ADD COLUMN email TEXT")
}
