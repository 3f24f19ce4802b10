use migrate_runtime::prelude::*;

#[migration(revision = "0002_add_email", revises = "0001_create_users", downgrade = drop_emails)]
fn add_email(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE users ADD COLUMN email TEXT")
}

fn drop_email(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE users DROP COLUMN email")
}
