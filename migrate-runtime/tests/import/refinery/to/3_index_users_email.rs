//! index users email

use migrate_runtime::prelude::*;

/// index users email
#[migration(revision = "3_index_users_email", revises = "2_add_users_email", irreversible, transactional = false)]
pub(crate) fn upgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/more/V3__index_users_email.sql`, verbatim
    ctx.execute(r"-- refinery:noTransaction
CREATE INDEX users_email_idx ON users (email);
")
}
