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
    let set = migrate_runtime::MigrationSet::registered().unwrap();
    let merged = set.get("merged").unwrap().revision();
    assert_eq!(merged.down_revisions, ["left", "right"]);
    assert_eq!(set.migrations().len(), 4);
}
