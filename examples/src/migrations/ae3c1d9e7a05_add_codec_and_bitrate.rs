//! Adds the video codec and the average bitrate, both reported by the prober.

use migrate_runtime::prelude::*;

/// Add codec and bitrate columns to videos
#[migration(revision = "ae3c1d9e7a05", revises = "2b6f0c81d4a9", downgrade = drop_codec_and_bitrate)]
fn add_codec_and_bitrate(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.add_column("videos", Column::new("codec", ColumnType::Varchar(32)))?;
    ctx.add_column("videos", Column::new("bitrate_kbps", ColumnType::Integer))
}

fn drop_codec_and_bitrate(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.drop_column("videos", "bitrate_kbps")?;
    ctx.drop_column("videos", "codec")
}
