//! A folder collected by `migrations!`, whose file names start with digits; the files
//! reference each other across files.

use migrate_runtime::{Backend, MigrationSet, Migrator};

#[path = "support/registered.rs"]
mod support;
use support::*;

migrate_runtime::migrations!("collected-folder");

fn main() {
    let set = MigrationSet::registered().unwrap();
    assert_eq!(
        registered(&set),
        [
            ("0a1b2c3d4e5f", vec!["ae1027a6acf0"], "0002_add_email.rs:3"),
            ("1975ea83b712", vec!["0a1b2c3d4e5f"], "1975ea83b712_add_name.rs:4"),
            ("ae1027a6acf0", vec![], "0001_create_users.rs:3"),
        ]
    );
    for m in set.migrations() {
        assert_eq!(m.checksum().unwrap().len(), 64);
    }
    assert_eq!(set.get("1975ea83b712").unwrap().message(), "Add a name column.");
    let migrator = Migrator::new(set);
    let create = upgrade_sql(&migrator, None, "ae1027a6acf0");
    assert!(create.contains("CREATE TABLE users"), "{create}");
    let email = upgrade_sql(&migrator, Some("ae1027a6acf0"), "0a1b2c3d4e5f");
    assert!(email.contains("ADD COLUMN email") && !email.contains("CREATE TABLE users"), "{email}");
    let name = upgrade_sql(&migrator, Some("0a1b2c3d4e5f"), "1975ea83b712");
    assert!(name.contains("ADD COLUMN name") && !name.contains("email"), "{name}");
    let drop = migrator
        .downgrade_sql(Backend::Sqlite, "ae1027a6acf0", "base")
        .unwrap();
    assert!(drop.contains("DROP TABLE users"), "{drop}");
}
