//! seed admin

use migrate_runtime::prelude::*;

/// seed admin
#[migration(revision = "202402250000000000_seed_admin", revises = "202402200930000000_backfill_emails", downgrade = downgrade)]
pub(crate) fn upgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/2024-02-25-000000-0000_seed_admin/up.sql`, verbatim
    ctx.execute(r#"-- Your SQL goes here
INSERT INTO users (name, email) VALUES ('admin', 'admin@example.org');
"#)
}

pub(crate) fn downgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/2024-02-25-000000-0000_seed_admin/down.sql` holds no statement, so this runs nothing:
    // -- This file should undo anything in `up.sql`
    let _ = ctx;
    Ok(())
}
