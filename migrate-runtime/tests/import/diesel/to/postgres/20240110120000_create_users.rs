//! create users

use migrate_runtime::prelude::*;

/// create users
#[migration(revision = "20240110120000_create_users", revises = "00000000000000_diesel_initial_setup", downgrade = downgrade)]
pub(crate) fn upgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/2024-01-10-120000_create_users/up.sql`, verbatim
    ctx.execute(r"-- Your SQL goes here
CREATE TABLE users (
  id SERIAL PRIMARY KEY,
  name VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT NOW(),
  updated_at TIMESTAMP NOT NULL DEFAULT NOW()
);
CREATE INDEX users_name_idx ON users (name);
SELECT diesel_manage_updated_at('users');
")
}

pub(crate) fn downgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/2024-01-10-120000_create_users/down.sql`, verbatim
    ctx.execute(r"-- This file should undo anything in `up.sql`
DROP TABLE users;
")
}
