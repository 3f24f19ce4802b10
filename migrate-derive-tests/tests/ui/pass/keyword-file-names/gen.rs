use migrate_runtime::prelude::*;

#[migration(revision = "0001_generated", irreversible)]
fn create_generated(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE TABLE generated (id INTEGER PRIMARY KEY)")
}
