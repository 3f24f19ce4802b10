//! Creates the `videos` table, one row per video file in the catalogue.

use migrate_runtime::prelude::*;

/// Create the videos table
#[migration(revision = "1975ea83b712", downgrade = drop_videos)]
fn create_videos(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // Each backend spells an auto-incrementing 64-bit key differently.
    let id = match ctx.backend() {
        Backend::Sqlite => "id INTEGER PRIMARY KEY AUTOINCREMENT",
        Backend::Postgres => "id BIGSERIAL PRIMARY KEY",
        _ => "id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY",
    };
    // `path` is VARCHAR(512) rather than longer because MySQL caps an InnoDB index key at
    // 3072 bytes (768 characters of utf8mb4).
    ctx.execute(&format!(
        "CREATE TABLE videos (
            {id},
            file_name VARCHAR(255) NOT NULL,
            path VARCHAR(512) NOT NULL,
            size_bytes BIGINT NOT NULL,
            duration_ms BIGINT NOT NULL,
            created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
            updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
            CONSTRAINT uq_videos_path UNIQUE (path)
        )"
    ))
}

fn drop_videos(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("DROP TABLE videos")
}
