//! The migrate CLI with a migrations folder that holds, besides its migrations, a helper file
//! and a file whose only migration a `#[cfg]` leaves out: `tests/unbuilt.rs` runs it.

migrate_runtime::migrations!("migrations");

fn main() -> std::process::ExitCode {
    migrate_runtime::cli::main()
}
