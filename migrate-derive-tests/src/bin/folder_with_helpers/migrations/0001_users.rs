use migrate_runtime::prelude::*;

/// Create the users table.
#[migration(revision = "0001_users", downgrade = downgrade)]
pub(crate) fn upgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute(&format!(
        "CREATE TABLE {} (id INTEGER PRIMARY KEY)",
        super::helpers::USERS
    ))
}

pub(crate) fn downgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute(&format!("DROP TABLE {}", super::helpers::USERS))
}
