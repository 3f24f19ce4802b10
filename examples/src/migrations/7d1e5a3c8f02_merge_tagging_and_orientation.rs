//! Joins the `tagging` branch back with the main line. A merge revision changes no schema;
//! it exists so that the graph has a single head again.

use migrate_runtime::prelude::*;

/// Merge tagging and orientation
#[migration(
    revision = "7d1e5a3c8f02",
    revises = ["ae7d52c1f948", "6a4c0e9f2b83"],
    downgrade = unmerge
)]
fn merge(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

fn unmerge(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}
