use migrate_runtime::prelude::*;

#[migration(revises = "ae1027a6acf0", irreversible)]
fn add_email(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE users ADD COLUMN email TEXT")
}

fn main() {}
