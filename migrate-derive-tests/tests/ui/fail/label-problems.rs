use migrate_runtime::prelude::*;

#[migration(revision = "0001_accounts", branch_labels = ["accounts", "accounts"], irreversible)]
fn accounts(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

#[migration(revision = "0002_billing", branch_labels = ["billing@head", "head"], irreversible)]
fn billing(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

fn main() {}
