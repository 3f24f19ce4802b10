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
    let set = migrate_runtime::MigrationSet::registered().unwrap();
    let labels: Vec<_> = set
        .migrations()
        .iter()
        .map(|m| (m.id().as_str(), m.revision().branch_labels.clone()))
        .collect();
    assert_eq!(
        labels,
        [
            ("0001_accounts", vec!["accounts".to_owned()]),
            (
                "0001_billing",
                vec!["billing".to_owned(), "invoices".to_owned()]
            ),
        ]
    );
}
