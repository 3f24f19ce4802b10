use migrate_runtime::prelude::*;

#[migration(revision = "0001_create_users", downgrade = drop_users)]
fn create_users(_ctx: &mut MigrationContext<'_>) -> std::result::Result<(), String> {
    Ok(())
}

fn drop_users(ctx: &mut MigrationContext<'_>) {
    let _ = ctx.execute("DROP TABLE users");
}
