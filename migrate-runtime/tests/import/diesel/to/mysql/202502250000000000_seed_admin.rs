//! seed admin

use migrate_runtime::prelude::*;

/// seed admin
#[migration(revision = "202502250000000000_seed_admin", revises = "202502200930000000_backfill_emails", irreversible)]
pub(crate) fn upgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/2025-02-25-000000-0000_seed_admin/up.sql`, verbatim
    ctx.execute(r"-- Your SQL goes here
INSERT INTO users (name, email) VALUES ('admin', 'admin@example.org');
")
}
