//! Procedural macros of migrate: `#[migration]` and `migrations!`.
//!
//! Use them through `migrate_runtime`, which re-exports both; the generated code names
//! `::migrate_runtime::__private` only.
//!
//! The pipeline, one private module per stage: `args` parses the attribute, `item` checks the
//! function, `lex` and `scan` read the neighbouring migrations from disk, `scope`
//! caches them once per process with the revision graph they form and its findings,
//! `chain` reports the findings that concern the expanding migration, `checksum`
//! fingerprints the code and `expand` emits the registration; `collect` implements
//! `migrations!`.

extern crate proc_macro;

mod args;
mod chain;
mod checksum;
mod collect;
mod errors;
mod expand;
mod item;
mod lex;
mod scan;
mod scope;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{LazyLock, Mutex, PoisonError};

use proc_macro::TokenStream;

use crate::chain::Origin;

/// Declares a migration: the function it is attached to applies it.
///
/// ```text
/// use migrate_runtime::prelude::*;
///
/// /// Add an email column.
/// #[migration(revision = "1975ea83b712", revises = "ae1027a6acf0", downgrade = drop_email)]
/// fn add_email(ctx: &mut MigrationContext<'_>) -> Result<()> {
///     ctx.execute("ALTER TABLE users ADD COLUMN email TEXT")
/// }
///
/// fn drop_email(ctx: &mut MigrationContext<'_>) -> Result<()> {
///     ctx.execute("ALTER TABLE users DROP COLUMN email")
/// }
/// ```
///
/// # Arguments
///
/// - `revision = "..."` (required): the id, ASCII letters, digits and `_`, at most 64
///   characters, not `head`, `heads`, `base` or `current`. Alembic's 12-hex ids
///   (`"1975ea83b712"`) and readable ids (`"0003_add_email"`) both work.
/// - `revises = "..."` or `revises = ["...", "..."]`: the parent, or the parents of a merge
///   point. Omitted for a root.
/// - `depends_on = ["..."]`: revisions to apply first without being parents, by id or, as in
///   Alembic, by branch label (the revision carrying it).
/// - `branch_labels = ["..."]`: names for the branch starting here.
/// - `message = "..."`: the description; defaults to the first paragraph of the doc comment.
/// - `downgrade = path` or `irreversible`: exactly one of them. `downgrade` names the function
///   that reverts the migration (same signature); `irreversible` says there is none.
/// - `transactional = false`: run outside a transaction (default `true`).
/// - `external = ["..."]`: ids among `revises` and `depends_on` that are declared outside
///   the scope these checks read (another crate's migrations, or a folder this one's
///   [`migrations!`] does not collect). The compile-time check leaves them to the runtime
///   one, which sees every migration linked into the binary.
///
/// The function must be `fn name(ctx: &mut MigrationContext<'_>) -> Result<()>`: not
/// `async`, generic, `const`, `unsafe` or `extern`.
///
/// # Compile-time chain checks
///
/// The expansion reads the migrations around it from disk: every file of the folder collected
/// by [`migrations!`] that holds this migration's file, or else this migration's own file. It
/// then reports, on this migration's tokens, a duplicate id (both declarations error), a
/// `revises` id or a `depends_on` id or branch label that no migration declares, a reference
/// listed twice, a cycle and a clashing branch label. Migrations spread over several files
/// must therefore be collected with `migrations!` for references between files to resolve; a
/// reference beyond that (to another crate) is listed in `external`.
///
/// # Checksum
///
/// The registration records a SHA-256 over the tokens of the function's signature and body,
/// and of the downgrade function's when it is defined in the same file. Formatting and
/// comments (doc comments included) do not change it; any change of code does.
#[proc_macro_attribute]
pub fn migration(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::migration(args.into(), item.into(), &call_site()).into()
}

/// Includes every migration file of a folder: `migrations!("migrations");`.
///
/// The path is relative to the folder of the file containing the invocation, like
/// `include_str!`. Each `*.rs` file of the folder (not its subfolders; `mod.rs` excepted)
/// becomes a private module named after its stem, prefixed with `m` when the stem starts with
/// a digit: `0003_add_email.rs` becomes `mod m0003_add_email`. There is no list to maintain:
/// a file dropped into the folder is part of the next build, and the folder becomes the scope
/// of its migrations' chain checks (see [`macro@migration`]). A `*.rs` file in a subfolder
/// (at any depth) that declares migrations is a compile error naming it, since it would be
/// left out of the build: move it into the folder itself. Subfolders may hold helper modules
/// and other files, and a subfolder a collected file loads as a module (`mod shared;` loads
/// `shared/mod.rs`) is compiled as that module, so its migrations register themselves.
///
/// # Rebuilding when files are added or removed
///
/// Cargo rebuilds the crate when an included file is edited, but it does not watch the
/// folder itself. Give the crate a build script that does, so that adding or removing a
/// migration file rebuilds it:
///
/// ```text
/// // build.rs
/// fn main() {
///     println!("cargo::rerun-if-changed=src/migrations");
/// }
/// ```
///
/// Cargo then compares the modification times of the folder's entries with the previous
/// build and re-runs the build script, and so recompiles the crate, when one is added,
/// removed or edited. The binary keeps the names of the files it was built with (helpers
/// included), so the CLI's `check` names a file added since and `upgrade` warns of it.
///
/// # Compile time
///
/// The folder is registered once: one string describing every migration, built from the
/// scan, and one array of their functions. Each `#[migration]` in it skips the checks the
/// folder's scan has already passed. When the upgrade function and the downgrade function
/// are both `pub(crate)` (or `pub`, or `pub(super)`) and written at the top level of the
/// file, the array names them and the attribute adds nothing to the file; otherwise the
/// attribute adds a constant holding them, which the compiler type-checks as a body of its
/// own. `revision` writes `pub(crate)` functions. Debug builds compile proc macros
/// unoptimized; with many migrations, an optimized macro shortens them further:
///
/// ```toml
/// [profile.dev.build-override]
/// opt-level = 3
/// ```
#[proc_macro]
pub fn migrations(input: TokenStream) -> TokenStream {
    collect::migrations(input.into(), &call_site()).into()
}

/// The file the macro is invoked in, absolute, in its canonical folder, when the compiler
/// says which.
///
/// Each folder is canonicalized once per process: the compiler names a folder's thousand
/// files with the same folder, and a canonicalization is a system call per path component.
/// The file's own name is kept, as `migrations!` lists it.
fn call_site() -> Origin {
    static FOLDERS: LazyLock<Mutex<HashMap<PathBuf, Option<PathBuf>>>> =
        LazyLock::new(Mutex::default);
    let file = proc_macro::Span::call_site()
        .local_file()
        .map(|path| match std::env::current_dir() {
            // rustc reports paths relative to its working directory.
            Ok(cwd) if path.is_relative() => cwd.join(path),
            _ => path,
        })
        .and_then(|path: PathBuf| {
            let (dir, name) = (path.parent()?, path.file_name()?);
            let mut folders = FOLDERS.lock().unwrap_or_else(PoisonError::into_inner);
            let canonical = folders
                .entry(dir.to_owned())
                .or_insert_with(|| dir.canonicalize().ok());
            Some(canonical.as_ref()?.join(name))
        });
    Origin { file }
}
