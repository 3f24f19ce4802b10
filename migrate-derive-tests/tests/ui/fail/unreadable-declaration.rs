//! A reference to a migration the compile-time check cannot read (written by a
//! `macro_rules!`) says so, and how to make it readable or leave it to the runtime check.

use migrate_runtime::prelude::*;

macro_rules! create_table {
    ($id:literal, $name:ident, $sql:literal) => {
        #[migration(revision = $id, irreversible)]
        fn $name(ctx: &mut MigrationContext<'_>) -> Result<()> {
            ctx.execute($sql)
        }
    };
}

create_table!("0001_create_users", create_users, "CREATE TABLE users (id INTEGER PRIMARY KEY)");

#[migration(revision = "0002_add_email", revises = "0001_create_users", irreversible)]
fn add_email(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE users ADD COLUMN email TEXT")
}

fn main() {}
