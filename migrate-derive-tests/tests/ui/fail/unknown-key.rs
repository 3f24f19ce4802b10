use migrate_runtime::prelude::*;

#[migration(revison = "1975ea83b712", revision = "1975ea83b712", irreversible, down_revision = "x")]
fn add_email(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE users ADD COLUMN email TEXT")
}

fn main() {}
