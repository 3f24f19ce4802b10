//! create posts

use migrate_runtime::prelude::*;

/// create posts
#[migration(revision = "20260320100000_create_posts", revises = "20260301000000_index_users_email", downgrade = downgrade)]
pub(crate) fn upgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/20260320100000_create_posts.up.sql`, verbatim
    ctx.execute(r"CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, title VARCHAR(200) NOT NULL);
")
}

pub(crate) fn downgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/20260320100000_create_posts.down.sql`, verbatim
    ctx.execute(r"DROP TABLE posts;
")
}
