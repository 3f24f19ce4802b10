use migrate_runtime::prelude::*;

struct Migrations;

impl Migrations {
    #[migration(revision = "0001_create_users", irreversible)]
    fn create_users(ctx: &mut MigrationContext<'_>) -> Result<()> {
        ctx.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
    }
}

trait Schema {
    #[migration(revision = "0002_create_posts", revises = "0001_create_users", irreversible)]
    fn create_posts(ctx: &mut MigrationContext<'_>) -> Result<()> {
        ctx.execute("CREATE TABLE posts (id INTEGER PRIMARY KEY)")
    }
}

fn main() {}
