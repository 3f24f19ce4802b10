//! Indexes videos by codec for the "transcode everything still in MPEG-2" jobs.
//!
//! Runs outside a transaction: on PostgreSQL the index is built `CONCURRENTLY` so that a
//! large, live `videos` table stays writable meanwhile, and PostgreSQL refuses
//! `CREATE INDEX CONCURRENTLY` inside a transaction block.

use migrate_runtime::prelude::*;

/// Index videos by codec
#[migration(
    revision = "0a7e4c2d9b16",
    revises = "ae3c1d9e7a05",
    downgrade = drop_codec_index,
    transactional = false
)]
fn index_videos_codec(ctx: &mut MigrationContext<'_>) -> Result<()> {
    match ctx.backend() {
        // The escape hatch: raw SQL where a backend offers what the typed API does not.
        Backend::Postgres => {
            ctx.execute("CREATE INDEX CONCURRENTLY ix_videos_codec ON videos (codec)")
        }
        _ => ctx.create_index(Index::new("ix_videos_codec", "videos", ["codec"])),
    }
}

fn drop_codec_index(ctx: &mut MigrationContext<'_>) -> Result<()> {
    match ctx.backend() {
        Backend::Postgres => ctx.execute("DROP INDEX CONCURRENTLY ix_videos_codec"),
        _ => ctx.drop_index("videos", "ix_videos_codec"),
    }
}
