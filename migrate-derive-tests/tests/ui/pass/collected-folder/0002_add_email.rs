use migrate_runtime::prelude::*;

#[migration(revision = "0a1b2c3d4e5f", revises = "ae1027a6acf0", irreversible)]
fn add_email(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE users ADD COLUMN email TEXT")
}
