use migrate_runtime::prelude::*;

#[migration(revision = "add-email", irreversible)]
fn dashes(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

#[migration(revision = "head", irreversible)]
fn reserved(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

#[migration(revision = "", irreversible)]
fn empty(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

#[migration(revision = "0004_ok", revises = ["0003 with spaces"], irreversible)]
fn bad_parent(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

fn main() {}
