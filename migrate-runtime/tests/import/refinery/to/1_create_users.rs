//! create users

use migrate_runtime::prelude::*;

/// create users
#[migration(revision = "1_create_users", irreversible)]
pub(crate) fn upgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/V1__create_users.sql`, verbatim
    ctx.execute(r"CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL);
CREATE INDEX users_name_idx ON users (name);
")
}
