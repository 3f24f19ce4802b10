//! `check` and `upgrade` of a binary whose migrations folder holds a helper file and a file
//! whose only migration a `#[cfg]` leaves out (`src/bin/folder_with_helpers`): `migrations!`
//! compiled both, so neither is a file the binary was built without.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The folder the binary was built from.
fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/bin/folder_with_helpers/migrations")
}

/// Runs the fixture's CLI in `dir`, on the SQLite file `app.db` there.
fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_folder_with_helpers"))
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .args(["--database-url", "sqlite://app.db"])
        .args(args)
        .output()
        .unwrap()
}

/// `upgrade`, then `check`'s exit code and output; `upgrade` must warn of nothing.
fn upgrade_and_check(dir: &Path) -> (Option<i32>, String) {
    let upgrade = run(dir, &["upgrade"]);
    let err = String::from_utf8_lossy(&upgrade.stderr);
    assert!(upgrade.status.success(), "{err}");
    assert!(!err.contains("warning"), "{err}");
    let check = run(dir, &["check"]);
    let out = String::from_utf8_lossy(&check.stdout).into_owned();
    (check.status.code(), out)
}

#[test]
fn helpers_and_cfg_disabled_files_of_the_built_folder_are_not_unbuilt() {
    let dir = tempfile::tempdir().unwrap();
    // Single quotes: a TOML literal string, whatever the path holds.
    let config = format!("migrations = '{}'\n", fixture().display());
    std::fs::write(dir.path().join("migrate.toml"), config).unwrap();
    let (code, out) = upgrade_and_check(dir.path());
    assert_eq!(code, Some(0), "{out}");
    assert!(!out.contains("unbuilt"), "{out}");
}

#[test]
fn in_a_copy_of_the_folder_only_a_file_added_since_the_build_is_unbuilt() {
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("src/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    for entry in std::fs::read_dir(fixture()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, migrations.join(path.file_name().unwrap())).unwrap();
    }
    let (code, out) = upgrade_and_check(dir.path());
    assert_eq!(code, Some(0), "{out}");
    assert!(!out.contains("unbuilt"), "{out}");

    std::fs::write(
        migrations.join("0003_posts.rs"),
        "use migrate_runtime::prelude::*;\n\n/// Create posts\n\
         #[migration(revision = \"0003_posts\", revises = \"0001_users\", irreversible)]\n\
         pub(crate) fn upgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {\n    \
         ctx.execute(\"CREATE TABLE posts (id INTEGER PRIMARY KEY)\")\n}\n",
    )
    .unwrap();
    // A new helper is no migration the binary lacks.
    std::fs::write(
        migrations.join("more_helpers.rs"),
        "pub(crate) const POSTS: &str = \"posts\";\n",
    )
    .unwrap();
    let check = run(dir.path(), &["check"]);
    let out = String::from_utf8_lossy(&check.stdout);
    assert_eq!(check.status.code(), Some(1), "{out}");
    let expected = format!(
        "unbuilt: `0003_posts.rs` in `{}` is not compiled into this binary;",
        migrations.display()
    );
    assert!(out.contains(&expected), "{out}");
    assert!(!out.contains("more_helpers.rs"), "{out}");
}
