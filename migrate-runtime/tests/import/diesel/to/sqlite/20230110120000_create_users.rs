//! create users

use migrate_runtime::prelude::*;

/// create users
#[migration(revision = "20230110120000_create_users", downgrade = downgrade)]
pub(crate) fn upgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/2023-01-10-120000_create_users/up.sql`, verbatim
    ctx.execute(r"-- Your SQL goes here
CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  name TEXT NOT NULL
);
CREATE INDEX users_name_idx ON users (name);
-- Names are stored trimmed.
CREATE TRIGGER users_trim_name AFTER UPDATE OF name ON users
BEGIN
  UPDATE users SET name = trim(NEW.name) WHERE id = NEW.id AND NEW.name <> trim(NEW.name);
END;
")
}

pub(crate) fn downgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/2023-01-10-120000_create_users/down.sql`, verbatim
    ctx.execute(r"-- This file should undo anything in `up.sql`
DROP TABLE users;
")
}
