use migrate_runtime::__private::registered;
use migrate_runtime::prelude::*;

#[migration(revision = "root", irreversible)]
fn base(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

#[migration(revision = "left", revises = "root", irreversible)]
fn left(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

#[migration(revision = "right", revises = "root", irreversible)]
fn right(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

#[migration(revision = "merged", revises = ["left", "right"], irreversible)]
fn merged(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

fn main() {
    let merged = registered().find(|m| m.revision == "merged").unwrap();
    assert_eq!(merged.down_revisions, ["left", "right"]);
    assert_eq!(registered().count(), 4);
}
