//! Starts the `tagging` branch: free-form tags and the link table between videos and tags.
//!
//! The feature was developed alongside the orientation work, so it forks from the codec
//! index and is joined back by the merge revision `7d1e5a3c8f02`.

use migrate_runtime::prelude::*;

/// Create tags and video_tags
#[migration(
    revision = "d81f4b2a6c30",
    revises = "0a7e4c2d9b16",
    branch_labels = ["tagging"],
    downgrade = drop_tags
)]
fn create_tags(ctx: &mut MigrationContext<'_>) -> Result<()> {
    let id = match ctx.backend() {
        Backend::Sqlite => "id INTEGER PRIMARY KEY AUTOINCREMENT",
        Backend::Postgres => "id BIGSERIAL PRIMARY KEY",
        _ => "id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY",
    };
    ctx.execute(&format!(
        "CREATE TABLE tags (
            {id},
            name VARCHAR(64) NOT NULL,
            CONSTRAINT uq_tags_name UNIQUE (name)
        )"
    ))?;
    // Table-level FOREIGN KEY clauses: MySQL silently ignores the inline `REFERENCES` form.
    ctx.execute(
        "CREATE TABLE video_tags (
            video_id BIGINT NOT NULL,
            tag_id BIGINT NOT NULL,
            PRIMARY KEY (video_id, tag_id),
            CONSTRAINT fk_video_tags_video FOREIGN KEY (video_id)
                REFERENCES videos (id) ON DELETE CASCADE,
            CONSTRAINT fk_video_tags_tag FOREIGN KEY (tag_id)
                REFERENCES tags (id) ON DELETE CASCADE
        )",
    )
}

fn drop_tags(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("DROP TABLE video_tags")?;
    ctx.execute("DROP TABLE tags")
}
