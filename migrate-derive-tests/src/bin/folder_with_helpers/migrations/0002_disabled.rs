// Left out of every build, as a migration for a backend feature the build does not enable.
#[cfg(any())]
use migrate_runtime::prelude::*;

/// Add an audit table.
#[cfg(any())]
#[migration(revision = "0002_disabled", revises = "0001_users", irreversible)]
pub(crate) fn upgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE TABLE audit (id INTEGER PRIMARY KEY)")
}
