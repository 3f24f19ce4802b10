use migrate_runtime::prelude::*;

/// Add a name column.
#[migration(revision = "1975ea83b712", revises = "0a1b2c3d4e5f", irreversible)]
fn add_name(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE users ADD COLUMN name TEXT")
}
