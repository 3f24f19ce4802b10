//! create users

use migrate_runtime::prelude::*;

/// create users
#[migration(revision = "20260110120000_create_users", downgrade = downgrade)]
pub(crate) fn upgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/20260110120000_create_users.up.sql`, verbatim
    ctx.execute(r"CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL);
CREATE INDEX users_name_idx ON users (name);
")
}

pub(crate) fn downgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/20260110120000_create_users.down.sql`, verbatim
    ctx.execute(r"DROP TABLE users;
")
}
