//! Data migration: derives `orientation` from the resolution of the videos already in the
//! catalogue, with typed diesel queries that run unchanged on every backend.
//!
//! Typed queries need a live connection, so for `--sql` scripts the migration gives the
//! same change as SQL (an offline fallback).

use diesel::prelude::*;
use migrate_runtime::prelude::*;

use crate::schema::videos;

/// Backfill orientation from resolution
#[migration(revision = "6a4c0e9f2b83", revises = "5f3b8d2e7a91", downgrade = clear_orientation)]
fn backfill_orientation(ctx: &mut MigrationContext<'_>) -> Result<()> {
    if ctx.is_offline() {
        return ctx.execute(
            "UPDATE videos SET orientation = CASE \
                 WHEN width > height THEN 'landscape' \
                 WHEN width < height THEN 'portrait' \
                 ELSE 'square' END \
             WHERE width IS NOT NULL AND height IS NOT NULL",
        );
    }
    let conn = ctx.connection()?;
    diesel::update(videos::table.filter(videos::width.gt(videos::height)))
        .set(videos::orientation.eq("landscape"))
        .execute(conn)?;
    diesel::update(videos::table.filter(videos::width.lt(videos::height)))
        .set(videos::orientation.eq("portrait"))
        .execute(conn)?;
    diesel::update(videos::table.filter(videos::width.eq(videos::height)))
        .set(videos::orientation.eq("square"))
        .execute(conn)?;
    Ok(())
}

fn clear_orientation(ctx: &mut MigrationContext<'_>) -> Result<()> {
    if ctx.is_offline() {
        return ctx.execute("UPDATE videos SET orientation = NULL");
    }
    diesel::update(videos::table)
        .set(videos::orientation.eq(None::<String>))
        .execute(ctx.connection()?)?;
    Ok(())
}
