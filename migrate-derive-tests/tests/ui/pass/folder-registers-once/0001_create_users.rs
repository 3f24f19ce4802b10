use migrate_runtime::prelude::*;

#[migration(revision = "0001_create_users", downgrade = drop_users)]
fn create_users(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
}

fn drop_users(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("DROP TABLE users")
}

// Disabled: neither the migration nor the folder's reference to it exists.
#[cfg(any())]
#[migration(
    revision = "0001_disabled",
    revises = "0001_create_users",
    irreversible
)]
fn disabled(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("SELECT 1")
}

// Disabled through a `#[cfg]` written after the attribute.
#[migration(
    revision = "0001_disabled_after",
    revises = "0001_create_users",
    irreversible
)]
#[cfg(any())]
fn disabled_after(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("SELECT 1")
}

mod nested {
    use migrate_runtime::prelude::*;

    // Not reachable from the folder's registration: registers itself.
    #[migration(revision = "0001_nested", revises = "0001_create_users", irreversible)]
    fn nested(ctx: &mut MigrationContext<'_>) -> Result<()> {
        ctx.execute("SELECT 1")
    }
}
