use migrate_runtime::prelude::*;

#[migration(revision = "1975ea83b712", irreversible)]
fn add_email<T: Default>(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE users ADD COLUMN email TEXT")
}

#[migration(revision = "2b1ae8b4c3d0", revises = "1975ea83b712", irreversible)]
fn add_name<'a>(ctx: &mut MigrationContext<'a>) -> Result<()>
where
    'a: 'static,
{
    ctx.execute("ALTER TABLE users ADD COLUMN name TEXT")
}

fn main() {}
