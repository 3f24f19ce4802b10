//! backfill emails

use migrate_runtime::prelude::*;

/// backfill emails
#[migration(revision = "202302200930000000_backfill_emails", revises = "202302030800000000_add_users_email", irreversible)]
pub(crate) fn upgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/2023-02-20-093000-0000_backfill_emails/up.sql`, verbatim
    ctx.execute(r"-- Your SQL goes here
UPDATE users SET email = name || '@example.org' WHERE email IS NULL;
")
}
