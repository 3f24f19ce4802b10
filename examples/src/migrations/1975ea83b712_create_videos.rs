//! Creates the `videos` table, one row per video file in the catalogue.

use migrate_runtime::prelude::*;

/// Create the videos table
#[migration(revision = "1975ea83b712", downgrade = drop_videos)]
fn create_videos(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `path` is VARCHAR(512) rather than longer because MySQL caps an InnoDB index key at
    // 3072 bytes (768 characters of utf8mb4).
    ctx.create_table(
        Table::new("videos")
            .column(
                Column::new("id", ColumnType::BigInt)
                    .primary_key()
                    .auto_increment(),
            )
            .column(Column::new("file_name", ColumnType::Varchar(255)).not_null())
            .column(Column::new("path", ColumnType::Varchar(512)).not_null())
            .column(Column::new("size_bytes", ColumnType::BigInt).not_null())
            .column(Column::new("duration_ms", ColumnType::BigInt).not_null())
            .column(
                Column::new("created_at", ColumnType::Timestamp)
                    .not_null()
                    .default(DefaultValue::CurrentTimestamp),
            )
            .column(
                Column::new("updated_at", ColumnType::Timestamp)
                    .not_null()
                    .default(DefaultValue::CurrentTimestamp),
            )
            .constraint(Constraint::unique("uq_videos_path", ["path"])),
    )
}

fn drop_videos(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.drop_table("videos")
}
