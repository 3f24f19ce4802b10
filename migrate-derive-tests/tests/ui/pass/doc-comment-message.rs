use migrate_runtime::prelude::*;

/// Create the users table.
///
/// The message is this first paragraph; the rest is documentation only.
#[migration(revision = "0001_users", irreversible)]
fn users(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
}

/// Ignored: `message` wins over the doc comment.
#[migration(revision = "0002_tags", revises = "0001_users", message = "create tags", irreversible)]
fn tags(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE TABLE tags (id INTEGER PRIMARY KEY)")
}

#[migration(revision = "0003_nothing", revises = "0002_tags", irreversible)]
fn nothing(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

fn main() {
    let set = migrate_runtime::MigrationSet::registered().unwrap();
    let found: Vec<_> = set
        .migrations()
        .iter()
        .map(|m| (m.id().as_str(), m.message()))
        .collect();
    assert_eq!(
        found,
        [
            ("0001_users", "Create the users table."),
            ("0002_tags", "create tags"),
            ("0003_nothing", ""),
        ]
    );
}
