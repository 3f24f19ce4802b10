use migrate_runtime::prelude::*;

#[migration(revision = "1975ea83b712", message = "add email", message = "add email column", irreversible)]
fn add_email(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE users ADD COLUMN email TEXT")
}

fn main() {}
