//! Migrations written by a `macro_rules!`: the values arrive as `literal`, `path` and `expr`
//! fragments, wrapped in invisible groups.

use migrate_runtime::MigrationSet;
use migrate_runtime::prelude::*;

macro_rules! table_migration {
    ($id:literal, $parent:expr, $labels:expr, $up:ident, $down:path, $table:literal) => {
        #[migration(revision = $id, revises = $parent, branch_labels = $labels, downgrade = $down)]
        fn $up(ctx: &mut MigrationContext<'_>) -> Result<()> {
            ctx.execute(concat!("CREATE TABLE ", $table, " (id INTEGER PRIMARY KEY)"))
        }
    };
}

#[migration(revision = "0001_base", irreversible)]
fn base(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

table_migration!("0002_users", "0001_base", ["users"], create_users, self::drop_users, "users");

fn drop_users(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("DROP TABLE users")
}

fn main() {
    let set = MigrationSet::registered().expect("the chain is valid");
    let users = set.get("0002_users").expect("registered by the macro");
    assert_eq!(users.revision().down_revisions[0].as_str(), "0001_base");
    assert_eq!(users.revision().branch_labels, ["users"]);
    assert!(users.downgrade().is_some());
}
