use migrate_runtime::__private::registered;
use migrate_runtime::prelude::*;

#[migration(revision = "1975ea83b712", message = "drop legacy table", irreversible)]
fn drop_legacy(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("DROP TABLE legacy")
}

fn main() {
    let only: Vec<_> = registered().collect();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0].revision, "1975ea83b712");
    assert!(only[0].downgrade.is_none());
    assert_eq!(only[0].checksum.len(), 64);
}
