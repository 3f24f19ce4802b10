use migrate_runtime::prelude::*;

#[cfg(unix)]
#[migration(revision = "0003_audit", revises = "0002_posts", irreversible)]
fn create_audit(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE TABLE audit (id INTEGER PRIMARY KEY)")
}

#[cfg(not(unix))]
#[migration(revision = "0003_audit", revises = "0002_posts", irreversible)]
fn create_audit(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE TABLE audit (id INTEGER PRIMARY KEY, host TEXT)")
}
