use migrate_runtime::prelude::*;

#[migration(revision = "1975ea83b712", downgrade = drop_email)]
fn add_email(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE users ADD COLUMN email TEXT")
}

async fn drop_email(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE users DROP COLUMN email")
}

fn main() {}
