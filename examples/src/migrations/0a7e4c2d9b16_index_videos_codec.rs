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
        Backend::Postgres => {
            ctx.execute("CREATE INDEX CONCURRENTLY ix_videos_codec ON videos (codec)")
        }
        _ => ctx.execute("CREATE INDEX ix_videos_codec ON videos (codec)"),
    }
}

fn drop_codec_index(ctx: &mut MigrationContext<'_>) -> Result<()> {
    match ctx.backend() {
        Backend::Postgres => ctx.execute("DROP INDEX CONCURRENTLY ix_videos_codec"),
        // MySQL indexes belong to their table and are dropped through it.
        Backend::Mysql => ctx.execute("DROP INDEX ix_videos_codec ON videos"),
        _ => ctx.execute("DROP INDEX ix_videos_codec"),
    }
}
