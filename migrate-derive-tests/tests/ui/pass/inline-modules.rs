//! Migrations in several inline modules of one file reference each other.

use migrate_runtime::{Backend, MigrationSet, Migrator};

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


/// `(id, parents, source)` of each registered migration, in id order; `source` is the file
/// name and line, without the folder.
fn registered(set: &MigrationSet) -> Vec<(&str, Vec<&str>, &str)> {
    set.migrations()
        .iter()
        .map(|m| {
            let parents = m.revision().down_revisions.iter().map(|p| p.as_str()).collect();
            let source = m.source().unwrap();
            let name = source.rsplit(['/', '\\']).next().unwrap();
            (m.id().as_str(), parents, name)
        })
        .collect()
}

/// The SQL the step from `start` to `id` runs: the function registered for `id` is the one
/// declared with it.
fn upgrade_sql(migrator: &Migrator, start: Option<&str>, id: &str) -> String {
    migrator.upgrade_sql(Backend::Sqlite, start, id).unwrap()
}

fn main() {
    let set = MigrationSet::registered().unwrap();
    assert_eq!(
        registered(&set),
        [
            ("0001_users", vec![], "inline-modules.rs:8"),
            ("0002_posts", vec!["0001_users"], "inline-modules.rs:22"),
            ("0003_comments", vec!["0002_posts"], "inline-modules.rs:32"),
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
