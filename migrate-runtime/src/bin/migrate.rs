//! `migrate`: the CLI with no migrations linked. It scaffolds a project (`init`), prints
//! completions and settings; a project's own binary (its `cargo xtask migrate`) links the
//! migrations and runs the rest.

fn main() -> std::process::ExitCode {
    migrate_runtime::cli::main()
}
