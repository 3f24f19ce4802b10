use migrate_runtime::prelude::*;

#[migration(revision = "1975ea83b712", branch_labels = ["accounts"], irreversible)]
fn create_users(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
}

// An id given by its prefix: the whole id is suggested.
#[migration(revision = "0002_add_email", revises = "1975ea", irreversible)]
fn add_email(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE users ADD COLUMN email TEXT")
}

// A branch label where an id belongs (`depends_on` would take it): the labelled revision's
// id is suggested.
#[migration(revision = "0003_add_name", revises = "accounts", irreversible)]
fn add_name(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE users ADD COLUMN name TEXT")
}

// The only id close to the mistyped parent is the migration's own: never suggested.
#[migration(revision = "0004_add_phone", revises = "0004_add_phones", irreversible)]
fn add_phone(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE users ADD COLUMN phone TEXT")
}

fn main() {}
