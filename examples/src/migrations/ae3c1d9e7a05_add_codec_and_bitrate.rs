//! Adds the video codec and the average bitrate, both reported by the prober.

use migrate_runtime::prelude::*;

/// Add codec and bitrate columns to videos
#[migration(revision = "ae3c1d9e7a05", revises = "2b6f0c81d4a9", downgrade = drop_codec_and_bitrate)]
fn add_codec_and_bitrate(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE videos ADD COLUMN codec VARCHAR(32)")?;
    ctx.execute("ALTER TABLE videos ADD COLUMN bitrate_kbps INTEGER")
}

fn drop_codec_and_bitrate(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE videos DROP COLUMN bitrate_kbps")?;
    ctx.execute("ALTER TABLE videos DROP COLUMN codec")
}
