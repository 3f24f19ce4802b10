use migrate_runtime::__private::registered;
use migrate_runtime::prelude::*;

#[migration(revision = "0001_accounts", branch_labels = ["accounts"], irreversible)]
fn accounts(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

#[migration(revision = "0001_billing", branch_labels = ["billing", "invoices"], irreversible)]
fn billing(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}

fn main() {
    let mut labels: Vec<_> = registered().map(|m| (m.revision, m.branch_labels)).collect();
    labels.sort();
    assert_eq!(
        labels,
        [
            ("0001_accounts", &["accounts"][..]),
            ("0001_billing", &["billing", "invoices"][..]),
        ]
    );
}
