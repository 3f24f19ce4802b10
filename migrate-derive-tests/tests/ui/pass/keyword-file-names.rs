//! Migration files named like keywords: `type` (always reserved) and `gen` (reserved from
//! edition 2024 on, this crate's edition) become modules `m_type` and `m_gen`.

use migrate_runtime::{MigrationSet, Migrator};

#[path = "support/registered.rs"]
mod support;
use support::*;

migrate_runtime::migrations!("keyword-file-names");

fn main() {
    let set = MigrationSet::registered().unwrap();
    assert_eq!(
        registered(&set),
        [
            ("0001_generated", vec![], "gen.rs:3"),
            ("0002_types", vec!["0001_generated"], "type.rs:3"),
        ]
    );
    let migrator = Migrator::new(set);
    let sql = upgrade_sql(&migrator, Some("0001_generated"), "0002_types");
    assert!(sql.contains("CREATE TABLE types"), "{sql}");
}
