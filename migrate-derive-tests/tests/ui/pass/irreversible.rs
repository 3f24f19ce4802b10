use migrate_runtime::prelude::*;

#[migration(revision = "1975ea83b712", message = "drop legacy table", irreversible)]
fn drop_legacy(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("DROP TABLE legacy")
}

fn main() {
    let set = migrate_runtime::MigrationSet::registered().unwrap();
    let only = set.migrations();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0].id(), "1975ea83b712");
    assert!(only[0].downgrade().is_none());
    assert_eq!(only[0].checksum().unwrap().len(), 64);
}
