use migrate_runtime::prelude::*;

#[migration(revision = "ae1027a6acf0", irreversible)]
fn create_users(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
}

// The parent id is mistyped (last two digits swapped).
#[migration(revision = "1975ea83b712", revises = "ae1027a6ac0f", irreversible)]
fn add_email(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE users ADD COLUMN email TEXT")
}

// A merge point naming one known and one unknown parent.
#[migration(revision = "2b1ae8b4c3d0", revises = ["1975ea83b712", "0003_nowhere"], irreversible)]
fn merge(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

fn main() {}
