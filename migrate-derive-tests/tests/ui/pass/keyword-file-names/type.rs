use migrate_runtime::prelude::*;

#[migration(revision = "0002_types", revises = "0001_generated", irreversible)]
fn create_types(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE TABLE types (id INTEGER PRIMARY KEY)")
}
