//! add users email

use migrate_runtime::prelude::*;

/// add users email
#[migration(revision = "2_add_users_email", revises = "1_create_users", irreversible)]
pub(crate) fn upgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/V2__add_users_email.sql`, verbatim
    ctx.execute(r"ALTER TABLE users ADD COLUMN email VARCHAR(255);
")
}
