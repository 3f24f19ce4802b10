//! seed admin

use migrate_runtime::prelude::*;

/// seed admin
#[migration(revision = "202302250000000000_seed_admin", revises = "202302200930000000_backfill_emails", irreversible)]
pub(crate) fn upgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/2023-02-25-000000-0000_seed_admin/up.sql`, verbatim
    ctx.execute(r"-- Your SQL goes here
INSERT INTO users (name, email) VALUES ('admin', 'admin@example.org');
")
}
