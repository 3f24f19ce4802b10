use migrate_runtime::prelude::*;

#[migration(revision = "0001_accounts", branch_labels = ["accounts"], irreversible)]
fn accounts(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

#[migration(revision = "0001_billing", branch_labels = ["accounts"], irreversible)]
fn billing(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

// A label must not be a revision id either.
#[migration(revision = "0001_audit", branch_labels = ["0001_accounts"], irreversible)]
fn audit(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

fn main() {}
