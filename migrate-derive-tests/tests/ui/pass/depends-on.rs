use migrate_runtime::prelude::*;

#[migration(revision = "0001_users", irreversible)]
fn users(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

#[migration(revision = "0001_tags", branch_labels = ["tagging"], irreversible)]
fn tags(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

#[migration(revision = "0002_posts", revises = "0001_users", depends_on = ["0001_tags"], irreversible)]
fn posts(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

/// A dependency may name a branch label, as in Alembic: the revision carrying it.
#[migration(revision = "0003_comments", revises = "0002_posts", depends_on = ["tagging"], irreversible)]
fn comments(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

fn main() {
    let set = migrate_runtime::MigrationSet::registered().unwrap();
    let posts = set.get("0002_posts").unwrap().revision();
    assert_eq!(posts.down_revisions, ["0001_users"]);
    assert_eq!(posts.depends_on, ["0001_tags"]);
    assert_eq!(set.migrations().len(), 4);
    assert!(set.graph().is_ancestor("0001_tags", "0003_comments"));
}
