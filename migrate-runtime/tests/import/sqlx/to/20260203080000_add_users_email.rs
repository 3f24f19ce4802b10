//! add users email

use migrate_runtime::prelude::*;

/// add users email
#[migration(revision = "20260203080000_add_users_email", revises = "20260110120000_create_users", irreversible)]
pub(crate) fn upgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/20260203080000_add_users_email.sql`, verbatim
    ctx.execute(r"-- Add migration script here
ALTER TABLE users ADD COLUMN email VARCHAR(255);
")
}
