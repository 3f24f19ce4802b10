//! Alembic-style schema migrations for Rust.
//!
//! Migrations are plain functions marked with [`#[migration]`](macro@migration). They are
//! collected into a [`MigrationSet`], validated as a revision graph, planned against the
//! database's version table and applied through diesel.

mod connection;
mod context;
mod error;
mod migration;

#[doc(hidden)]
pub mod __private;

pub use connection::{AnyConnection, Backend, DatabaseUrl};
pub use context::MigrationContext;
pub use error::{Error, Result};
pub use migrate_core::{Direction, IdError, Revision, RevisionId};
pub use migrate_macros::{migration, migrations};
pub use migration::{Migration, MigrationFn, MigrationSet};

/// Everything a migration file needs: `use migrate_runtime::prelude::*;`.
pub mod prelude {
    pub use crate::{Backend, MigrationContext, Result, migration};
}
