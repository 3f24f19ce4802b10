use migrate_runtime::prelude::*;

#[migration(revision = "0001_users", irreversible)]
fn users(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

#[migration(revision = "0001_tags", irreversible)]
fn tags(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

#[migration(revision = "0002_posts", revises = "0001_users", depends_on = ["0001_tags"], irreversible)]
fn posts(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

fn main() {
    let set = migrate_runtime::MigrationSet::registered().unwrap();
    let posts = set.get("0002_posts").unwrap().revision();
    assert_eq!(posts.down_revisions, ["0001_users"]);
    assert_eq!(posts.depends_on, ["0001_tags"]);
    assert_eq!(set.migrations().len(), 3);
}
