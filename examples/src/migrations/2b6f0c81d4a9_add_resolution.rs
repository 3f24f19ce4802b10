//! Adds the frame size, filled in by the media prober after upload.

use migrate_runtime::prelude::*;

/// Add resolution columns to videos
#[migration(revision = "2b6f0c81d4a9", revises = "1975ea83b712", downgrade = drop_resolution)]
pub(crate) fn add_resolution(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.add_column("videos", Column::new("width", ColumnType::Integer))?;
    ctx.add_column("videos", Column::new("height", ColumnType::Integer))
}

pub(crate) fn drop_resolution(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // On SQLite both drops share one table rebuild.
    ctx.drop_column("videos", "height")?;
    ctx.drop_column("videos", "width")
}
