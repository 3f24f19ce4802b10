//! A migrating process interrupted in the middle of a run: killed (SIGKILL), or sent
//! SIGINT (Ctrl-C) or SIGTERM, at a known point of a migration, on every backend (SQLite
//! always, PostgreSQL and MySQL/MariaDB when their variables are set). The scenarios are in
//! `interrupt/unix.rs`.
//!
//! A custom harness (`harness = false`), because the child must return the CLI's exit code
//! from `main`. Unix only: the tests send signals with `kill`, and the CLI handles signals
//! only on Unix.

#[cfg(unix)]
mod support;
#[cfg(unix)]
#[path = "interrupt/unix.rs"]
mod unix;

#[cfg(unix)]
fn main() -> std::process::ExitCode {
    unix::main()
}

#[cfg(not(unix))]
fn main() {
    println!(
        "interrupt tests skipped: they send SIGINT, SIGTERM and SIGKILL to a child process, \
         and the CLI handles signals on Unix only"
    );
}
