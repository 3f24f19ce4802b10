//! index users email

use migrate_runtime::prelude::*;

/// index users email
#[migration(revision = "202303010000000000_index_users_email", revises = "202302250000000000_seed_admin", downgrade = downgrade, transactional = false)]
pub(crate) fn upgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/2023-03-01-000000-0000_index_users_email/up.sql`, verbatim
    ctx.execute(r"-- Your SQL goes here
CREATE INDEX users_email_idx ON users (email);
-- VACUUM cannot run inside a transaction.
VACUUM;
")
}

pub(crate) fn downgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/2023-03-01-000000-0000_index_users_email/down.sql`, verbatim
    ctx.execute(r"-- This file should undo anything in `up.sql`
DROP INDEX users_email_idx;
")
}
