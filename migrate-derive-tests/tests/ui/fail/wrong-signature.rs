use migrate_runtime::prelude::*;

#[migration(revision = "0001_no_args", irreversible)]
fn no_args() -> Result<()> {
    Ok(())
}

#[migration(revision = "0002_two_args", revises = "0001_no_args", irreversible)]
fn two_args(ctx: &mut MigrationContext<'_>, table: &str) -> Result<()> {
    ctx.execute(table)
}

#[migration(revision = "0003_by_value", revises = "0002_two_args", irreversible)]
fn by_value(ctx: MigrationContext<'_>) -> Result<()> {
    drop(ctx);
    Ok(())
}

#[migration(revision = "0004_no_result", revises = "0003_by_value", irreversible)]
fn no_result(ctx: &mut MigrationContext<'_>) {
    let _ = ctx;
}

#[migration(revision = "0005_wrong_result", revises = "0004_no_result", irreversible)]
fn wrong_result(_ctx: &mut MigrationContext<'_>) -> bool {
    true
}

#[migration(revision = "0006_wrong_error", revises = "0005_wrong_result", irreversible)]
fn wrong_error(_ctx: &mut MigrationContext<'_>) -> std::result::Result<(), String> {
    Ok(())
}

fn main() {}
