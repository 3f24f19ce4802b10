use migrate_runtime::__private::registered;
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
    let posts = registered().find(|m| m.revision == "0002_posts").unwrap();
    assert_eq!(posts.down_revisions, ["0001_users"]);
    assert_eq!(posts.depends_on, ["0001_tags"]);
    assert_eq!(registered().count(), 3);
}
