//! Items the `#[migration]` expansion reaches through `::migrate_runtime::__private`.
//! Not public API: the names and shapes here may change in any release.

pub use inventory;

/// Whether this build's MySQL client library honours a URL's `ssl_mode` (MySQL's
/// libmysqlclient) or not (MariaDB Connector/C), for the tests.
#[cfg(feature = "mysql")]
pub use crate::connection::MYSQL_CLIENT_HONOURS_SSL_MODE;

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

/// What `#[migration]` at the top level of a file collected by `migrations!` leaves for
/// it: the upgrade function and the downgrade function ([`IRREVERSIBLE`] when there is none).
pub type Steps = (MigrationFnPtr, MigrationFnPtr);

/// A folder collected by `migrations!`: every migration of it, registered at once.
#[derive(Debug)]
pub struct Folder {
    /// The folder's canonical path; a migration's file is named relative to it.
    pub dir: &'static str,
    /// The migrations' descriptors, in the text form of [`migrate_core::descriptor`].
    pub data: &'static str,
    /// Each migration's functions, in the order of `data`.
    pub steps: &'static [Steps],
    /// The name of every file `migrations!` compiled from the folder, separated by
    /// [`migrate_core::descriptor::FILE_SEPARATOR`]: helper files and files whose
    /// migrations `#[cfg]`s leave out included. Empty in the registrations of migrations
    /// under `#[cfg]`s, which the folder's own registration accompanies.
    pub files: &'static str,
}

/// What `inventory` collects.
///
/// A folder is one registration: each `inventory::submit!` is a static, a constructor
/// function and a linker-section entry for the compiler to build, and each struct literal
/// costs type checking, so a folder's migrations are described by one string and one array
/// of function pointers.
#[derive(Debug)]
pub enum Registration {
    /// The migration of one `#[migration]` outside a folder collected by `migrations!`.
    Static(&'static [StaticMigration]),
    /// The migrations of a folder collected by `migrations!`.
    Folder(Folder),
}

inventory::collect!(Registration);

/// What a folder's `#[migration]` that failed to expand leaves for `migrations!` to name in
/// place of its functions, so that its errors are not followed by a "cannot find" one. The
/// build fails anyway.
pub const FAILED: Steps = (failed, failed);

fn failed(_: &mut MigrationContext<'_>) -> Result<()> {
    // Never linked into a binary: the expansion that names `FAILED` also emits errors.
    Ok(())
}

/// The downgrade in the [`Steps`] of an `irreversible` migration. Never called: the
/// descriptor says the migration has no downgrade.
pub const IRREVERSIBLE: MigrationFnPtr = irreversible;

fn irreversible(_: &mut MigrationContext<'_>) -> Result<()> {
    Err(crate::Error::Message(
        "this migration is irreversible: it has no downgrade".into(),
    ))
}

/// Every registration linked into the final binary, in no particular order.
pub fn registered() -> impl Iterator<Item = &'static Registration> {
    inventory::iter::<Registration>.into_iter()
}
