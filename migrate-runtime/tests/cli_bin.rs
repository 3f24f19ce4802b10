//! The `migrate` binary itself, which links no migration.

#![cfg(feature = "cli")]

#[test]
fn a_binary_without_migrations_says_how_to_link_them() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_migrate"))
            .current_dir(dir.path())
            .env_remove("DATABASE_URL")
            .args(["--database-url", "sqlite://app.db"])
            .args(args)
            .output()
            .unwrap()
    };
    let current = run(&["current"]);
    let err = String::from_utf8_lossy(&current.stderr);
    assert!(
        err.contains("no migration registered") && err.contains("use the_crate as _;"),
        "{err}"
    );
    // Commands that need no migrations say nothing of the kind.
    let config = run(&["config"]);
    assert!(config.status.success());
    assert!(!String::from_utf8_lossy(&config.stderr).contains("no migration"));
}
