//! Seeds one tag per orientation and tags every video with its orientation.
//!
//! It lives on the `tagging` branch but reads `videos.orientation`, which the other branch
//! fills in, hence `depends_on` the backfill: whichever order the branches are applied in,
//! the backfill runs first.

use diesel::prelude::*;
use migrate_runtime::prelude::*;

use crate::schema::{tags, video_tags};

const ORIENTATIONS: [&str; 3] = ["landscape", "portrait", "square"];

/// Tag videos by orientation
#[migration(
    revision = "ae7d52c1f948",
    revises = "d81f4b2a6c30",
    depends_on = ["6a4c0e9f2b83"],
    downgrade = untag_orientation
)]
fn tag_by_orientation(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // Seed rows through the typed API: values are escaped for the backend, and the same
    // call renders into `--sql` scripts.
    ctx.bulk_insert("tags", ["name"], ORIENTATIONS.map(|name| [name]))?;
    // Raw SQL: the typed API has no INSERT ... SELECT.
    ctx.execute(
        "INSERT INTO video_tags (video_id, tag_id)
         SELECT videos.id, tags.id FROM videos JOIN tags ON tags.name = videos.orientation",
    )
}

fn untag_orientation(ctx: &mut MigrationContext<'_>) -> Result<()> {
    if ctx.is_offline() {
        // The offline fallback of the typed queries below.
        return ctx.execute(
            "DELETE FROM video_tags WHERE tag_id IN
                 (SELECT id FROM tags WHERE name IN ('landscape', 'portrait', 'square'));
             DELETE FROM tags WHERE name IN ('landscape', 'portrait', 'square')",
        );
    }
    let conn = ctx.connection()?;
    let seeded = tags::table
        .filter(tags::name.eq_any(ORIENTATIONS))
        .select(tags::id)
        .load::<i64>(conn)?;
    diesel::delete(video_tags::table.filter(video_tags::tag_id.eq_any(&seeded))).execute(conn)?;
    diesel::delete(tags::table.filter(tags::id.eq_any(&seeded))).execute(conn)?;
    Ok(())
}
