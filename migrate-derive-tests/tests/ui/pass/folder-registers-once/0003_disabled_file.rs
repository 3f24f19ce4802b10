//! A file disabled as a whole.
#![cfg(any())]

use migrate_runtime::prelude::*;

#[migration(
    revision = "0003_disabled_file",
    revises = "0002_add_email",
    irreversible
)]
fn disabled_file(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("SELECT 1")
}
