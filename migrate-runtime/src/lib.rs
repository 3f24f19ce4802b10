//! Alembic-style schema migrations for Rust.
//!
//! Migrations are plain functions marked with [`#[migration]`](macro@migration). They are
//! collected into a [`MigrationSet`], validated as a revision graph, planned against the
//! database's version table and applied through diesel.

mod backend;
mod connection;
mod context;
mod error;
mod executor;
mod migration;
mod options;
mod store;
mod time;

#[doc(hidden)]
pub mod __private;
#[cfg(feature = "cli")]
pub mod cli;

pub use connection::{AnyConnection, Backend, DatabaseUrl};
pub use context::MigrationContext;
pub use error::{Error, Result};
pub use executor::{AppliedStep, CheckReport, ChecksumChange, Event, Migrator, Report};
pub use migrate_core::{Direction, IdError, Revision, RevisionId};
pub use migrate_macros::{migration, migrations};
pub use migration::{Migration, MigrationFn, MigrationSet};
pub use options::{Options, TransactionMode};
pub use store::{HistoryEntry, HistoryStatus};

/// Everything a migration file needs: `use migrate_runtime::prelude::*;`.
pub mod prelude {
    pub use crate::{Backend, MigrationContext, Result, migration};
}
