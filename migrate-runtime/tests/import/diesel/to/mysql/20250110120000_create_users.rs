//! create users

use migrate_runtime::prelude::*;

/// create users
#[migration(revision = "20250110120000_create_users", downgrade = downgrade)]
pub(crate) fn upgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/2025-01-10-120000_create_users/up.sql`, verbatim
    ctx.execute(r"-- Your SQL goes here
CREATE TABLE users (
  id INTEGER AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX users_name_idx ON users (name);
")
}

pub(crate) fn downgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/2025-01-10-120000_create_users/down.sql`, verbatim
    ctx.execute(r"-- This file should undo anything in `up.sql`
DROP TABLE users;
")
}
