use migrate_runtime::prelude::*;

#[migration(revision = "0001_accounts", branch_labels = ["accounts", "accounts"], irreversible)]
fn accounts(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

#[migration(revision = "0002_billing", branch_labels = ["billing@head", "head"], irreversible)]
fn billing(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

// A label equal to the migration's own id.
#[migration(revision = "audit", branch_labels = ["audit"], irreversible)]
fn audit(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

// A label where an id belongs, its own label included: never suggested to itself.
#[migration(revision = "0003_tags", revises = "tags", branch_labels = ["tags"], irreversible)]
fn tags(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

fn main() {}
