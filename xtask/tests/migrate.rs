//! `cargo xtask migrate` end to end: builds the example's binary for SQLite and runs it,
//! forwarding the exit code.

use std::process::Command;

fn xtask() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    // The URL comes from the flag below; a developer's environment must not redirect it.
    cmd.env_remove("DATABASE_URL");
    cmd
}

#[test]
fn help_lists_the_tasks() {
    let out = xtask().arg("help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("migrate <args...>"), "{text}");
    assert_eq!(
        xtask().arg("deploy").output().unwrap().status.code(),
        Some(2)
    );
}

#[test]
fn migrate_runs_the_example_and_forwards_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("xtask.sqlite3").display());

    let up = xtask()
        .args(["migrate", "--database-url", &url, "upgrade", "head"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&up.stdout);
    assert!(
        up.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&up.stderr)
    );
    assert!(stdout.contains("upgrade   1975ea83b712"), "{stdout}");
    assert!(stdout.contains("now at 9c3a7e1f5d20"), "{stdout}");

    let bad = xtask()
        .args(["migrate", "--database-url", &url, "upgrade", "fedcba987654"])
        .output()
        .unwrap();
    assert_eq!(
        bad.status.code(),
        Some(2),
        "the CLI's exit code is forwarded"
    );
}
