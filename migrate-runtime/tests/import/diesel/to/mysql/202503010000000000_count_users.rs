//! count users

use migrate_runtime::prelude::*;

/// count users
#[migration(revision = "202503010000000000_count_users", revises = "202502250000000000_seed_admin", downgrade = downgrade, transactional = false)]
pub(crate) fn upgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/2025-03-01-000000-0000_count_users/up.sql`, verbatim
    ctx.execute(r"-- Your SQL goes here
CREATE INDEX users_email_idx ON users (email);
CREATE PROCEDURE count_users(OUT total INT)
BEGIN
  SELECT COUNT(*) INTO total FROM users;
END;
")
}

pub(crate) fn downgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/2025-03-01-000000-0000_count_users/down.sql`, verbatim
    ctx.execute(r"-- This file should undo anything in `up.sql`
DROP PROCEDURE count_users;
DROP INDEX users_email_idx ON users;
")
}
