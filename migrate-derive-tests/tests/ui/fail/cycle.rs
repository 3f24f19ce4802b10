use migrate_runtime::prelude::*;

#[migration(revision = "a1", revises = "c3", irreversible)]
fn first(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

#[migration(revision = "b2", revises = "a1", irreversible)]
fn second(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

#[migration(revision = "c3", depends_on = ["b2"], irreversible)]
fn third(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

fn main() {}
