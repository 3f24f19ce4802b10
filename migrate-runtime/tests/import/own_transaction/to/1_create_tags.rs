//! create tags

use migrate_runtime::prelude::*;

/// create tags
#[migration(revision = "1_create_tags", irreversible, transactional = false)]
pub(crate) fn upgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/1_create_tags.sql`, verbatim
    ctx.execute(r"-- Commits itself, as a file from yas does: sqlx's transaction ends at its COMMIT.
BEGIN;
CREATE TABLE tags (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);
INSERT INTO tags (id, name) VALUES (1, 'rust');
COMMIT;
")
}
