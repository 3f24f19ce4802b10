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
//!   foreign-key constraints and indexes. Online it also drops the views naming the table
//!   (directly or through other views) and the triggers naming it, and re-creates them
//!   and the table's own triggers verbatim after the rename; it refuses to drop a column
//!   that one of them names, saying which. Online it refuses to rebuild a table declaring
//!   what it would not keep (`WITHOUT ROWID`, `STRICT`, `COLLATE`, `DEFERRABLE`,
//!   `ON CONFLICT`, generated columns). In a migration marked `transactional = false`
//!   the rebuild's statements are not atomic.
//! - Offline, a rebuild (SQLite) or a column restatement (MySQL) knows a table only from
//!   the typed operations of the migrations from `base` to the end of the script; a table
//!   created or changed with raw SQL is not tracked. Triggers and views are only ever
//!   created with raw SQL, so an offline SQLite rebuild does not know them: running the
//!   script loses the table's triggers, and fails at the rename when a view names the
//!   table. Drop them before such a change and re-create them after, with `execute`.

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
pub(crate) mod parse;

pub use model::{
    Action, AlterColumn, Column, ColumnType, Constraint, ConstraintKind, CustomType, DefaultValue,
    ForeignKey, Index, Operation, Table, Value,
};
pub use render::Renderer;
pub use shape::{Catalog, Dependent, DependentKind, KnownIndex, TableShape};

/// Reads the current shape of a SQLite table (columns, constraints, indexes, and the
/// triggers and views naming it): what a rebuild starts from.
#[cfg(feature = "sqlite")]
pub fn sqlite_table_shape(
    conn: &mut crate::AnyConnection,
    table: &str,
) -> crate::Result<TableShape> {
    introspect::table_shape(conn, table)
}

#[cfg(test)]
mod tests;
