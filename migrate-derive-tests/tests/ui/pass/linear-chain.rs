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
    let set = migrate_runtime::MigrationSet::registered().unwrap();
    let found: Vec<_> = set
        .migrations()
        .iter()
        .map(|m| {
            let parents: Vec<_> = m.revision().down_revisions.iter().map(|p| p.as_str()).collect();
            (m.id().as_str(), parents, m.message(), m.downgrade().is_some())
        })
        .collect();
    assert_eq!(
        found,
        [
            ("1975ea83b712", vec!["ae1027a6acf0"], "add email to users", true),
            ("ae1027a6acf0", vec![], "create users", true),
        ]
    );
    for m in set.migrations() {
        let checksum = m.checksum().unwrap();
        assert_eq!(checksum.len(), 64);
        assert!(checksum.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(m.is_transactional());
        let source = m.source().unwrap();
        let (file, line) = source.rsplit_once(':').unwrap();
        assert!(file.ends_with("linear-chain.rs"), "{source}");
        assert!(line.parse::<u32>().unwrap() > 0, "{source}");
    }
    let checksums: Vec<_> = set.migrations().iter().map(|m| m.checksum()).collect();
    assert_ne!(checksums[0], checksums[1]);
}
