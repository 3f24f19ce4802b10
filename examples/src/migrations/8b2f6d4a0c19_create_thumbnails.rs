//! Creates `thumbnails`: poster frames extracted from each video, several sizes per video.

use migrate_runtime::prelude::*;

/// Create thumbnails table
#[migration(revision = "8b2f6d4a0c19", revises = "7d1e5a3c8f02", downgrade = drop_thumbnails)]
fn create_thumbnails(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.create_table(
        Table::new("thumbnails")
            .column(
                Column::new("id", ColumnType::BigInt)
                    .primary_key()
                    .auto_increment(),
            )
            .column(Column::new("video_id", ColumnType::BigInt).not_null())
            .column(Column::new("offset_ms", ColumnType::BigInt).not_null())
            .column(Column::new("width", ColumnType::Integer).not_null())
            .column(Column::new("height", ColumnType::Integer).not_null())
            .column(Column::new("path", ColumnType::Varchar(512)).not_null())
            .column(
                Column::new("created_at", ColumnType::Timestamp)
                    .not_null()
                    .default(DefaultValue::CurrentTimestamp),
            )
            .constraint(
                Constraint::foreign_key("fk_thumbnails_video", ["video_id"], "videos", ["id"])
                    .on_delete(Action::Cascade),
            ),
    )?;
    ctx.create_index(Index::new(
        "ix_thumbnails_video_id",
        "thumbnails",
        ["video_id"],
    ))
}

fn drop_thumbnails(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // Dropping the table drops its indexes on every backend.
    ctx.drop_table("thumbnails")
}
