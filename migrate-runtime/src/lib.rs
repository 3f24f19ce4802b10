//! Alembic-style schema migrations for Rust.
//!
//! Migrations are plain functions marked with [`#[migration]`](macro@migration). They are
//! collected into a [`MigrationSet`], validated as a revision graph, planned against the
//! database's version table and applied through diesel by a [`Migrator`].
//!
//! # Writing migrations
//!
//! One function per revision. `downgrade` names the function that reverts it
//! (`irreversible` says there is none); a later migration names its parent with
//! `revises = "0001_create_users"`, and `migrations!("migrations")` collects a folder of
//! them so that the macro can check the chain across files:
//!
//! ```
//! use migrate_runtime::prelude::*;
//!
//! /// Create the users table
//! #[migration(revision = "0001_create_users", downgrade = drop_users)]
//! fn create_users(ctx: &mut MigrationContext<'_>) -> Result<()> {
//!     ctx.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
//! }
//!
//! fn drop_users(ctx: &mut MigrationContext<'_>) -> Result<()> {
//!     ctx.execute("DROP TABLE users")
//! }
//! # fn main() -> Result<()> {
//! # let set = migrate_runtime::MigrationSet::registered()?;
//! # assert_eq!(set.migrations().len(), 1);
//! # assert_eq!(set.migrations()[0].message(), "Create the users table");
//! # Ok(())
//! # }
//! ```
//!
//! [`MigrationSet::registered`] collects every such migration linked into the binary.
//!
//! # Migrating on start
//!
//! An application applies what is pending when it starts, with [`Migrator::upgrade_url`] or,
//! on a connection it already has, [`Migrator::upgrade`]. Runners are locked against each
//! other, so several instances starting at once apply each migration exactly once. When
//! the database is already at head this costs one query. Migrations can also be built at
//! runtime, as here:
//!
#![cfg_attr(feature = "sqlite", doc = "```")]
#![cfg_attr(not(feature = "sqlite"), doc = "```no_run")]
//! use migrate_runtime::{
//!     AnyConnection, DatabaseUrl, Migration, MigrationFn, MigrationSet, Migrator, RevisionId,
//! };
//!
//! let create_users = Migration::new(
//!     RevisionId::new("0001_create_users")?,
//!     MigrationFn::new(|ctx| ctx.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")),
//! )
//! .with_message("create users")
//! .with_downgrade(MigrationFn::new(|ctx| ctx.execute("DROP TABLE users")));
//! let add_email = Migration::new(
//!     RevisionId::new("0002_add_email")?,
//!     MigrationFn::new(|ctx| ctx.execute("ALTER TABLE users ADD COLUMN email TEXT")),
//! )
//! .with_revises([RevisionId::new("0001_create_users")?]);
//!
//! // In an application: `MigrationSet::registered()?` for the `#[migration]` functions.
//! let migrator = Migrator::new(MigrationSet::new(vec![create_users, add_email])?);
//!
//! let mut conn = AnyConnection::open(&DatabaseUrl::parse("sqlite::memory:")?)?;
//! let report = migrator.upgrade(&mut conn, "head")?;
//! assert_eq!(report.steps.len(), 2);
//! assert_eq!(migrator.current(&mut conn)?, [RevisionId::new("0002_add_email")?]);
//!
//! // Already at head: nothing runs.
//! assert!(migrator.upgrade(&mut conn, "head")?.steps.is_empty());
//!
//! // Or let the migrator connect: `migrator.upgrade_url(&database_url, "head")?`.
//! assert_eq!(migrator.upgrade_url(":memory:", "head")?.steps.len(), 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Schema operations and offline SQL
//!
//! Besides raw SQL, the [`MigrationContext`] has typed operations (`create_table`,
//! `add_column`, `alter_column`, `create_index`, `add_constraint`, `bulk_insert`, ...; see
//! [`schema`]) rendered for the backend they run on, with automatic table rebuilds on
//! SQLite. [`Migrator::upgrade_sql`] and [`Migrator::downgrade_sql`] render a run as an SQL
//! script for a dialect without a database (the CLI's `--sql`):
//!
//! ```
//! use migrate_runtime::prelude::*;
//! use migrate_runtime::{Migration, MigrationFn, MigrationSet, Migrator, RevisionId};
//!
//! let create = Migration::new(
//!     RevisionId::new("0001_create_users")?,
//!     MigrationFn::new(|ctx| {
//!         ctx.create_table(
//!             Table::new("users")
//!                 .column(Column::new("id", ColumnType::BigInt).primary_key().auto_increment())
//!                 .column(Column::new("email", ColumnType::Varchar(255)).not_null()),
//!         )
//!     }),
//! );
//! let migrator = Migrator::new(MigrationSet::new(vec![create])?);
//! let sql = migrator.upgrade_sql(Backend::Mysql, None, "head")?;
//! assert!(sql.contains("`id` BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Transactions and failures
//!
//! By default each migration runs in its own transaction together with its version-table
//! change; a failing migration (SQL error, `Err`, or panic) is rolled back, stops the run,
//! and leaves the earlier ones applied. [`TransactionMode::All`] wraps the whole run in
//! one transaction on SQLite and PostgreSQL. MySQL commits DDL implicitly, so there a
//! failure can leave a migration partly applied: it is recorded in the history table, and
//! later runs refuse with [`Error::Interrupted`] until the schema is repaired and
//! [`Migrator::stamp`]ed. Migrations marked `transactional = false` run outside any
//! transaction on every backend and are tracked the same way.
//!
//! # Bookkeeping tables
//!
//! `migrate_version` holds one row per applied head (`version_num`), like Alembic's
//! `alembic_version`; `migrate_history` records every run with its checksum, timestamps
//! (RFC 3339 UTC text), duration, status and error. Both are created on first use and can
//! be renamed through [`Options`].

// `AnyConnection` needs a variant to exist: say so once, before the compiler's own errors
// about an empty connection type.
#[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
compile_error!(
    "migrate-runtime needs at least one backend feature: enable `sqlite`, `postgres` or \
     `mysql` (with `default-features = false`, name the backend the application uses)"
);

mod backend;
mod connection;
mod context;
mod error;
mod executor;
mod migration;
mod offline;
mod options;
mod preflight;
mod store;
mod time;

#[doc(hidden)]
pub mod __private;
#[cfg(feature = "cli")]
pub mod cli;
pub mod schema;
#[cfg(feature = "testing")]
pub mod testing;

pub use connection::{AnyConnection, Backend, DatabaseUrl, LendConnection};
pub use context::MigrationContext;
/// The diesel this crate is built on: typed queries in data migrations
/// (`ctx.connection()?`) need its version, which this re-export always is.
pub use diesel;
pub use error::{Error, Result};
pub use executor::{AppliedStep, CheckReport, ChecksumChange, Event, Migrator, Report};
pub use migrate_core::{Direction, Graph, GraphErrors, IdError, PlanError, Revision, RevisionId};
pub use migrate_macros::{migration, migrations};
pub use migration::{Migration, MigrationFn, MigrationSet};
pub use options::{Options, TransactionMode};
pub use store::{HistoryEntry, HistoryStatus};

/// Everything a migration file needs: `use migrate_runtime::prelude::*;`.
///
/// Next to `use diesel::prelude::*;`, whose `Column` and `Table` are traits, also import
/// `use migrate_runtime::schema::{Column, Table};`: a named import takes precedence over both
/// globs, where otherwise `Column::new` fails with "expected a type, found a trait".
pub mod prelude {
    pub use crate::schema::{
        Action, AlterColumn, Column, ColumnType, Constraint, DefaultValue, Index, Table, Value,
    };
    pub use crate::{Backend, Error, MigrationContext, Result, migration};
}
