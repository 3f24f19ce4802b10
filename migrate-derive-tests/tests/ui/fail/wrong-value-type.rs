use migrate_runtime::prelude::*;

#[migration(revision = 1975, revises = 5, transactional = "no", branch_labels = [accounts], downgrade = "drop_email")]
fn add_email(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE users ADD COLUMN email TEXT")
}

fn main() {}
