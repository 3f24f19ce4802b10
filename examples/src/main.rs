//! `video-catalog`: the migrate CLI with the catalogue's migrations compiled in.

// Linking the library is what registers its migrations with the binary.
use video_catalog as _;

fn main() -> std::process::ExitCode {
    migrate_runtime::cli::main()
}
