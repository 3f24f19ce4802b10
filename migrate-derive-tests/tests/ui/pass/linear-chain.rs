use migrate_runtime::__private::registered;
use migrate_runtime::prelude::*;

#[migration(revision = "ae1027a6acf0", message = "create users", downgrade = drop_users)]
fn create_users(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
}

fn drop_users(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("DROP TABLE users")
}

#[migration(revision = "1975ea83b712", revises = "ae1027a6acf0", message = "add email to users", downgrade = drop_email)]
fn add_email(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE users ADD COLUMN email TEXT")
}

fn drop_email(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("ALTER TABLE users DROP COLUMN email")
}

fn main() {
    let mut found: Vec<_> = registered()
        .map(|m| (m.revision, m.down_revisions, m.message, m.downgrade.is_some()))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("1975ea83b712", &["ae1027a6acf0"][..], "add email to users", true),
            ("ae1027a6acf0", &[][..], "create users", true),
        ]
    );
    for m in registered() {
        assert_eq!(m.checksum.len(), 64);
        assert!(m.checksum.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(m.transactional);
        assert!(m.file.ends_with("linear-chain.rs"), "{}", m.file);
        assert!(m.line > 0);
        // The crate root: trybuild names the crate, so only the depth is stable.
        assert!(!m.module_path.contains("::"), "{}", m.module_path);
    }
    let checksums: Vec<_> = registered().map(|m| m.checksum).collect();
    assert_ne!(checksums[0], checksums[1]);
}
