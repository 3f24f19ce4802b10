use migrate_runtime::prelude::*;

#[migration(revision = "0001_users", irreversible)]
fn users(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

#[migration(revision = "0002_posts", revises = ["0001_users", "0001_users"], irreversible)]
fn posts(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

#[migration(revision = "0003_tags", revises = "0002_posts", depends_on = ["0002_posts"], irreversible)]
fn tags(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

#[migration(revision = "0004_self", revises = "0004_self", irreversible)]
fn itself(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

fn main() {}
