//! create posts

use migrate_runtime::prelude::*;

/// create posts
#[migration(revision = "4_create_posts", revises = "3_index_users_email", irreversible)]
pub(crate) fn upgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/U4__create_posts.sql`, verbatim
    ctx.execute(r"CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, title VARCHAR(200) NOT NULL);
")
}
