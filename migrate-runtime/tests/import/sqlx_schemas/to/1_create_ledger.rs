//! create ledger

use migrate_runtime::prelude::*;

/// create ledger
#[migration(revision = "1_create_ledger", irreversible)]
pub(crate) fn upgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // sqlx.toml's `create-schemas`: sqlx creates them before it migrates
    ctx.execute(r"CREATE SCHEMA IF NOT EXISTS migrate_sqlx_accounts")?;
    // `ledger/1_create_ledger.sql`, verbatim
    ctx.execute(r"CREATE TABLE migrate_sqlx_accounts.ledger (id INTEGER PRIMARY KEY, cents BIGINT NOT NULL);
")
}
