//! Migrations in several inline modules of one file reference each other.

use migrate_runtime::__private::registered;

mod users {
    use migrate_runtime::prelude::*;

    #[migration(revision = "0001_users", downgrade = down)]
    fn up(ctx: &mut MigrationContext<'_>) -> Result<()> {
        ctx.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
    }

    fn down(ctx: &mut MigrationContext<'_>) -> Result<()> {
        ctx.execute("DROP TABLE users")
    }
}

mod posts {
    use migrate_runtime::prelude::*;

    // Same function names as in `users`: each module has its own.
    #[migration(revision = "0002_posts", revises = "0001_users", downgrade = self::down)]
    fn up(ctx: &mut MigrationContext<'_>) -> Result<()> {
        ctx.execute("CREATE TABLE posts (id INTEGER PRIMARY KEY)")
    }

    fn down(ctx: &mut MigrationContext<'_>) -> Result<()> {
        ctx.execute("DROP TABLE posts")
    }

    pub mod comments {
        #[migrate_runtime::migration(revision = "0003_comments", revises = "0002_posts", irreversible)]
        fn up(
            ctx: &mut migrate_runtime::MigrationContext<'_>,
        ) -> migrate_runtime::Result<()> {
            ctx.execute("CREATE TABLE comments (id INTEGER PRIMARY KEY)")
        }
    }
}

fn main() {
    let mut found: Vec<_> = registered()
        .map(|m| {
            // Without the crate name, which trybuild chooses.
            let module = m.module_path.split_once("::").map_or("", |(_, rest)| rest);
            (m.revision, m.down_revisions, module)
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("0001_users", &[][..], "users"),
            ("0002_posts", &["0001_users"][..], "posts"),
            ("0003_comments", &["0002_posts"][..], "posts::comments"),
        ]
    );
}
