//! add users email

use migrate_runtime::prelude::*;

/// add users email
#[migration(revision = "202502030800000000_add_users_email", revises = "20250110120000_create_users", downgrade = downgrade)]
pub(crate) fn upgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/2025-02-03-080000-0000_add_users_email/up.sql`, verbatim
    ctx.execute(r"-- Your SQL goes here
ALTER TABLE users ADD COLUMN email VARCHAR(255);
")
}

pub(crate) fn downgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/2025-02-03-080000-0000_add_users_email/down.sql`, verbatim
    ctx.execute(r"-- This file should undo anything in `up.sql`
ALTER TABLE users DROP COLUMN email;
")
}
