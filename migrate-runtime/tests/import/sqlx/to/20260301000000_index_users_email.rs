//! index users email

use migrate_runtime::prelude::*;

/// index users email
#[migration(revision = "20260301000000_index_users_email", revises = "20260203080000_add_users_email", irreversible, transactional = false)]
pub(crate) fn upgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/20260301000000_index_users_email.sql`, verbatim
    ctx.execute(r"-- no-transaction
CREATE INDEX users_email_idx ON users (email);
")
}
