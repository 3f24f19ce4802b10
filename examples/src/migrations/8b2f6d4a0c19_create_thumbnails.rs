//! Creates `thumbnails`: poster frames extracted from each video, several sizes per video.

use migrate_runtime::prelude::*;

/// Create thumbnails table
#[migration(revision = "8b2f6d4a0c19", revises = "7d1e5a3c8f02", downgrade = drop_thumbnails)]
fn create_thumbnails(ctx: &mut MigrationContext<'_>) -> Result<()> {
    let id = match ctx.backend() {
        Backend::Sqlite => "id INTEGER PRIMARY KEY AUTOINCREMENT",
        Backend::Postgres => "id BIGSERIAL PRIMARY KEY",
        _ => "id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY",
    };
    ctx.execute(&format!(
        "CREATE TABLE thumbnails (
            {id},
            video_id BIGINT NOT NULL,
            offset_ms BIGINT NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            path VARCHAR(512) NOT NULL,
            created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
            CONSTRAINT fk_thumbnails_video FOREIGN KEY (video_id)
                REFERENCES videos (id) ON DELETE CASCADE
        )"
    ))?;
    ctx.execute("CREATE INDEX ix_thumbnails_video_id ON thumbnails (video_id)")
}

fn drop_thumbnails(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // Dropping the table drops its indexes on every backend.
    ctx.execute("DROP TABLE thumbnails")
}
