//! backfill emails

use migrate_runtime::prelude::*;

/// backfill emails
#[migration(revision = "202502200930000000_backfill_emails", revises = "202502030800000000_add_users_email", irreversible)]
pub(crate) fn upgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/2025-02-20-093000-0000_backfill_emails/up.sql`, verbatim
    ctx.execute(r"-- Your SQL goes here
UPDATE users SET email = CONCAT(name, '@example.org') WHERE email IS NULL;
")
}
