//! Items the `#[migration]` expansion reaches through `::migrate_runtime::__private`.
//! Not public API: the names and shapes here may change in any release.

pub use inventory;

use crate::{MigrationContext, Result};

/// The signature every upgrade and downgrade function has.
pub type MigrationFnPtr = for<'a, 'b> fn(&'a mut MigrationContext<'b>) -> Result<()>;

/// What one `#[migration]` expansion registers, in a form that can live in a `static`.
#[derive(Debug)]
pub struct StaticMigration {
    /// `revision = "..."`.
    pub revision: &'static str,
    /// `revises = ...`, empty for a root.
    pub down_revisions: &'static [&'static str],
    /// `depends_on = [...]`.
    pub depends_on: &'static [&'static str],
    /// `branch_labels = [...]`.
    pub branch_labels: &'static [&'static str],
    /// `message = "..."`, else the doc comment, else empty.
    pub message: &'static str,
    /// The attributed function.
    pub upgrade: MigrationFnPtr,
    /// `downgrade = path`; `None` for `irreversible`.
    pub downgrade: Option<MigrationFnPtr>,
    /// `transactional = false` clears it.
    pub transactional: bool,
    /// Hex digest of the upgrade and downgrade bodies' tokens.
    pub checksum: &'static str,
    /// `file!()` of the migration.
    pub file: &'static str,
    /// `line!()` of the migration.
    pub line: u32,
    /// `module_path!()` of the migration.
    pub module_path: &'static str,
}

/// What `inventory` collects: the migration of one `#[migration]` outside a folder collected
/// by `migrations!`, or every migration of such a folder. One registration per folder keeps
/// the per-migration cost of a build at one constant: each `inventory::submit!` is a static,
/// a constructor function and a linker-section entry for the compiler to build.
#[derive(Debug)]
pub struct Registration(pub &'static [StaticMigration]);

inventory::collect!(Registration);

/// What a folder's `#[migration]` that failed to expand leaves for `migrations!` to name in
/// place of its functions, so that its errors are not followed by a "cannot find" one. The
/// build fails anyway.
pub const FAILED: (MigrationFnPtr, MigrationFnPtr) = (failed, failed);

fn failed(_: &mut MigrationContext<'_>) -> Result<()> {
    // Never linked into a binary: the expansion that names `FAILED` also emits errors.
    Ok(())
}

/// Every migration registered in the final binary, in no particular order.
pub fn registered() -> impl Iterator<Item = &'static StaticMigration> {
    inventory::iter::<Registration>
        .into_iter()
        .flat_map(|registration| registration.0)
}
