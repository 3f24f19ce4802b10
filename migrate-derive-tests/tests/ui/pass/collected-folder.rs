//! A folder collected by `migrations!`, whose file names start with digits; the files
//! reference each other across files.

use migrate_runtime::__private::registered;

migrate_runtime::migrations!("collected-folder");

fn main() {
    let mut found: Vec<_> = registered()
        .map(|m| {
            // Without the crate name, which trybuild chooses.
            let module = m.module_path.split_once("::").map_or("", |(_, rest)| rest);
            (m.revision, m.down_revisions, module)
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("0a1b2c3d4e5f", &["ae1027a6acf0"][..], "m0002_add_email"),
            ("1975ea83b712", &["0a1b2c3d4e5f"][..], "m1975ea83b712_add_name"),
            ("ae1027a6acf0", &[][..], "m0001_create_users"),
        ]
    );
    for m in registered() {
        assert_eq!(m.checksum.len(), 64);
    }
}
