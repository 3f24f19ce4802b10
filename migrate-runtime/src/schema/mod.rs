//! Schema operations: a typed model of DDL and data operations, rendered to SQL for each
//! backend (one file per dialect), with SQLite table rebuilds where SQLite cannot alter in
//! place. Pure: the [`MigrationContext`](crate::MigrationContext) executes what
//! [`Renderer`] returns, or appends it to an offline script.
//!
//! Names are always quoted for the dialect and values always rendered as escaped
//! literals. The only SQL taken verbatim is what the API names as SQL: check
//! expressions, partial-index predicates, [`DefaultValue::Expression`],
//! [`ColumnType::Custom`] and [`Operation::Execute`], all written by the migration's
//! author.
//!
//! Limits:
//! - Names are single identifiers (no `schema.table`); PostgreSQL and MySQL refuse names
//!   longer than they keep rather than truncating them.
//! - A SQLite rebuild re-creates the table's columns, primary key, unique, check and
//!   foreign-key constraints and indexes; triggers and views that name the table are not
//!   re-created (SQLite refuses the rename while a view names a dropped table). In a
//!   migration marked `transactional = false` the rebuild's statements are not atomic.
//! - Offline, a rebuild (SQLite) or a column restatement (MySQL) knows a table only from
//!   the typed operations of the migrations from `base` to the end of the script; a table
//!   created or changed with raw SQL is not tracked.

mod model;
mod mysql;
mod postgres;
mod rebuild;
mod render;
mod shape;
mod sqlite;

#[cfg(feature = "sqlite")]
pub(crate) mod introspect;
#[cfg(feature = "mysql")]
pub(crate) mod introspect_mysql;
#[cfg(any(feature = "sqlite", test))]
mod parse;

pub use model::{
    Action, AlterColumn, Column, ColumnType, Constraint, ConstraintKind, CustomType, DefaultValue,
    ForeignKey, Index, Operation, Table, Value,
};
pub use render::Renderer;
pub use shape::{Catalog, KnownIndex, TableShape};

/// Reads the current shape of a SQLite table (columns, constraints, indexes): what a
/// rebuild starts from.
#[cfg(feature = "sqlite")]
pub fn sqlite_table_shape(
    conn: &mut crate::AnyConnection,
    table: &str,
) -> crate::Result<TableShape> {
    introspect::table_shape(conn, table)
}

#[cfg(test)]
mod tests;
