//! Table shapes: what the renderer knows about existing tables (columns, constraints,
//! indexes, and on SQLite the triggers and views that name them), tracked from the
//! operations it rendered or read from a SQLite database.

use std::collections::BTreeMap;

use super::model::{ConstraintKind, ForeignKey, Index, Operation, Table};

/// An index as known: built by a typed operation, or read from the database as SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KnownIndex {
    /// Created through the typed API in this run.
    Model(Index),
    /// Read from the database: its `CREATE INDEX` statement, re-run as is.
    Verbatim {
        /// The index's name.
        name: String,
        /// The indexed columns (empty for expression indexes).
        columns: Vec<String>,
        /// The `CREATE INDEX` statement.
        sql: String,
    },
}

impl KnownIndex {
    /// The index's name.
    pub fn name(&self) -> &str {
        match self {
            KnownIndex::Model(i) => &i.name,
            KnownIndex::Verbatim { name, .. } => name,
        }
    }

    /// The indexed columns.
    pub fn columns(&self) -> &[String] {
        match self {
            KnownIndex::Model(i) => &i.columns,
            KnownIndex::Verbatim { columns, .. } => columns,
        }
    }

    /// Whether the index reads `column`: as an indexed column, in an indexed expression
    /// (`lower(email)`) or in a partial index's predicate.
    pub(crate) fn uses(&self, column: &str) -> bool {
        self.columns().iter().any(|c| c == column)
            || match self {
                KnownIndex::Model(i) => i
                    .filter
                    .as_deref()
                    .is_some_and(|f| super::parse::expression_mentions(f, column)),
                KnownIndex::Verbatim { sql, .. } => super::parse::index_mentions(sql, column),
            }
    }
}

/// What kind of schema object a [`Dependent`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DependentKind {
    /// A view.
    View,
    /// A trigger.
    Trigger,
}

/// A SQLite trigger or view that names a table (directly or through another view), read
/// from `sqlite_master`. A rebuild drops the table, which takes the table's triggers with
/// it, and renames the new table into place, which SQLite refuses while a view or
/// trigger names a missing table: so the rebuild drops these first and re-creates them
/// verbatim after the rename.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependent {
    /// A view or a trigger.
    pub kind: DependentKind,
    /// Its name.
    pub name: String,
    /// The table or view a trigger is on; a view's own name.
    pub on: String,
    /// The `CREATE VIEW` or `CREATE TRIGGER` statement, re-run as is.
    pub sql: String,
}

/// One table's shape.
#[derive(Debug, Clone, PartialEq)]
pub struct TableShape {
    /// Columns, primary key and constraints.
    pub table: Table,
    /// The table's indexes, except those its constraints create implicitly.
    pub indexes: Vec<KnownIndex>,
    /// SQLite: the triggers and views naming the table, in creation order, as read from
    /// the database. Empty for a shape tracked from typed operations (offline), which
    /// cannot see objects created with raw SQL. Their SQL is as read: SQLite rewrites it
    /// when a table or column is renamed in place, so read the shape again after one.
    pub dependents: Vec<Dependent>,
}

/// The shapes of the tables a renderer knows.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    tables: BTreeMap<String, TableShape>,
}

impl Catalog {
    /// The shape of `table`, if known.
    pub fn get(&self, table: &str) -> Option<&TableShape> {
        self.tables.get(table)
    }

    /// Records (or replaces) a shape.
    pub fn insert(&mut self, shape: TableShape) {
        self.tables.insert(shape.table.name.clone(), shape);
    }

    /// Follows an operation rendered in place. Tables changed by raw SQL are not
    /// tracked: their shape is whatever it was before.
    pub(super) fn apply(&mut self, op: &Operation) {
        match op {
            Operation::CreateTable(table) => self.insert(TableShape {
                table: table.clone(),
                indexes: Vec::new(),
                dependents: Vec::new(),
            }),
            Operation::DropTable(name) => {
                self.tables.remove(name);
            }
            Operation::RenameTable { from, to } => {
                if let Some(mut shape) = self.tables.remove(from) {
                    shape.table.name = to.clone();
                    for index in &mut shape.indexes {
                        if let KnownIndex::Model(i) = index {
                            i.table = to.clone();
                        }
                    }
                    self.insert(shape);
                }
                // SQLite rewrites the references of other tables too.
                for fk in self.foreign_keys_mut() {
                    if fk.ref_table == *from {
                        fk.ref_table = to.clone();
                    }
                }
            }
            Operation::RenameColumn { table, from, to } => {
                if let Some(shape) = self.tables.get_mut(table) {
                    apply_to_shape(shape, op);
                }
                for fk in self.foreign_keys_mut() {
                    if fk.ref_table == *table {
                        for c in fk.ref_columns.iter_mut().filter(|c| *c == from) {
                            *c = to.clone();
                        }
                    }
                }
            }
            _ => {
                if let Some(table) = op.table()
                    && let Some(shape) = self.tables.get_mut(table)
                {
                    apply_to_shape(shape, op);
                }
            }
        }
    }
}

impl Catalog {
    /// Every foreign key of every known table.
    fn foreign_keys_mut(&mut self) -> impl Iterator<Item = &mut ForeignKey> {
        self.tables
            .values_mut()
            .flat_map(|shape| shape.table.constraints.iter_mut())
            .filter_map(|c| match &mut c.kind {
                ConstraintKind::ForeignKey(fk) => Some(fk),
                _ => None,
            })
    }
}

/// Applies a column, index or constraint operation to a shape. Used for in-place
/// changes and, by the SQLite rebuild, to compute the new shape.
pub(super) fn apply_to_shape(shape: &mut TableShape, op: &Operation) {
    let table = &mut shape.table;
    match op {
        Operation::AddColumn { column, .. } => table.columns.push(column.clone()),
        Operation::DropColumn { column, .. } => {
            table.columns.retain(|c| &c.name != column);
            // Like PostgreSQL: constraints and indexes on the column go with it.
            table.constraints.retain(|c| match &c.kind {
                ConstraintKind::Check(expr) => !super::parse::expression_mentions(expr, column),
                _ => !c.columns().contains(column),
            });
            shape.indexes.retain(|i| !i.uses(column));
        }
        Operation::RenameColumn { from, to, .. } => {
            let rename = |c: &mut String| {
                if c == from {
                    *c = to.clone();
                }
            };
            table.columns.iter_mut().for_each(|c| rename(&mut c.name));
            table.primary_key.iter_mut().for_each(rename);
            for constraint in &mut table.constraints {
                match &mut constraint.kind {
                    ConstraintKind::Unique(cols) => cols.iter_mut().for_each(rename),
                    ConstraintKind::ForeignKey(fk) => fk.columns.iter_mut().for_each(rename),
                    ConstraintKind::Check(expr) => {
                        *expr = super::parse::rename_in_expression(expr, from, to);
                    }
                }
            }
            for index in &mut shape.indexes {
                match index {
                    KnownIndex::Model(i) => {
                        i.columns.iter_mut().for_each(rename);
                        if let Some(filter) = &mut i.filter {
                            *filter = super::parse::rename_in_expression(filter, from, to);
                        }
                    }
                    KnownIndex::Verbatim { columns, .. } => columns.iter_mut().for_each(rename),
                }
            }
        }
        Operation::AlterColumn { column, change, .. } => {
            // MySQL (and SQLite) take a column named in another case as the same column.
            let at = table
                .columns
                .iter()
                .position(|c| &c.name == column)
                .or_else(|| {
                    table
                        .columns
                        .iter()
                        .position(|c| c.name.eq_ignore_ascii_case(column))
                });
            if let Some(c) = at.map(|at| &mut table.columns[at]) {
                if let Some(ty) = &change.ty {
                    c.ty = ty.clone();
                }
                if let Some(nullable) = change.nullable {
                    c.nullable = nullable;
                }
                if let Some(default) = &change.default {
                    c.default = default.clone();
                }
            }
        }
        Operation::CreateIndex(index) => shape.indexes.push(KnownIndex::Model(index.clone())),
        Operation::DropIndex { name, .. } => shape.indexes.retain(|i| i.name() != name),
        Operation::AddConstraint { constraint, .. } => table.constraints.push(constraint.clone()),
        Operation::DropConstraint { name, .. } => table
            .constraints
            .retain(|c| c.name.as_deref() != Some(name)),
        _ => {}
    }
}
