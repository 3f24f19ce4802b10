//! Adds the frame size, filled in by the media prober after upload.

use migrate_runtime::prelude::*;

/// Add resolution columns to videos
#[migration(revision = "2b6f0c81d4a9", revises = "1975ea83b712", downgrade = drop_resolution)]
fn add_resolution(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
    ctx.execute("ALTER TABLE videos ADD COLUMN width INTEGER")?;
    ctx.execute("ALTER TABLE videos ADD COLUMN height INTEGER")
}

fn drop_resolution(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE videos DROP COLUMN height")?;
    ctx.execute("ALTER TABLE videos DROP COLUMN width")
}
