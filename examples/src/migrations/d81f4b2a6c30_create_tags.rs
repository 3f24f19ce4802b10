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
    ctx.create_table(
        Table::new("tags")
            .column(
                Column::new("id", ColumnType::BigInt)
                    .primary_key()
                    .auto_increment(),
            )
            .column(Column::new("name", ColumnType::Varchar(64)).not_null())
            .constraint(Constraint::unique("uq_tags_name", ["name"])),
    )?;
    ctx.create_table(
        Table::new("video_tags")
            .column(Column::new("video_id", ColumnType::BigInt))
            .column(Column::new("tag_id", ColumnType::BigInt))
            .primary_key(["video_id", "tag_id"])
            .constraint(
                Constraint::foreign_key("fk_video_tags_video", ["video_id"], "videos", ["id"])
                    .on_delete(Action::Cascade),
            )
            .constraint(
                Constraint::foreign_key("fk_video_tags_tag", ["tag_id"], "tags", ["id"])
                    .on_delete(Action::Cascade),
            ),
    )
}

fn drop_tags(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.drop_table("video_tags")?;
    ctx.drop_table("tags")
}
