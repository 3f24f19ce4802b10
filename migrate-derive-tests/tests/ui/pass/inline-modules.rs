//! Migrations in several inline modules of one file reference each other.

use migrate_runtime::{Backend, MigrationSet, Migrator};

#[path = "support/registered.rs"]
mod support;
use support::*;

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
    let set = MigrationSet::registered().unwrap();
    assert_eq!(
        registered(&set),
        [
            ("0001_users", vec![], "inline-modules.rs:12"),
            ("0002_posts", vec!["0001_users"], "inline-modules.rs:26"),
            ("0003_comments", vec!["0002_posts"], "inline-modules.rs:36"),
        ]
    );
    // Each module's `up` and `down`, though they share their names.
    let migrator = Migrator::new(set);
    let sql = upgrade_sql(&migrator, Some("0001_users"), "0002_posts");
    assert!(sql.contains("CREATE TABLE posts") && !sql.contains("users ("), "{sql}");
    let sql = upgrade_sql(&migrator, Some("0002_posts"), "0003_comments");
    assert!(sql.contains("CREATE TABLE comments"), "{sql}");
    let sql = migrator
        .downgrade_sql(Backend::Sqlite, "0002_posts", "0001_users")
        .unwrap();
    assert!(sql.contains("DROP TABLE posts"), "{sql}");
}
