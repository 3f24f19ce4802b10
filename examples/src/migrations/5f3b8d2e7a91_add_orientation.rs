//! Adds `orientation` so the front end can filter portrait clips without computing it from
//! the resolution on every query.

use migrate_runtime::prelude::*;

/// Add orientation column to videos
#[migration(revision = "5f3b8d2e7a91", revises = "0a7e4c2d9b16", downgrade = drop_orientation)]
fn add_orientation(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.add_column(
        "videos",
        Column::new("orientation", ColumnType::Varchar(16)),
    )
}

fn drop_orientation(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.drop_column("videos", "orientation")
}
