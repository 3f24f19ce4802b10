//! A migration outside a collected folder (as another crate's would be) revising one
//! inside it: `external` leaves that reference to the check the runtime makes.

use migrate_runtime::MigrationSet;
use migrate_runtime::prelude::*;

migrate_runtime::migrations!("external-folder");

#[migration(
    revision = "0002_inline",
    revises = "0001_folder",
    external = ["0001_folder"],
    irreversible
)]
fn add_email(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE users ADD COLUMN email TEXT")
}

fn main() {
    let set = MigrationSet::registered().expect("the chain is whole at runtime");
    assert_eq!(set.graph().heads(), vec!["0002_inline"]);
    let inline = set.get("0002_inline").unwrap();
    assert_eq!(inline.revision().down_revisions[0].as_str(), "0001_folder");
}
