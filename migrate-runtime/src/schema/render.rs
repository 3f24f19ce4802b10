//! The renderer: operations in, SQL statements out, for one backend. Pure: it tracks the
//! shape of the tables it has seen so that SQLite rebuilds and MySQL column restatements
//! know the current columns, but it never touches a database.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::model::{
    Column, ColumnType, Constraint, ConstraintKind, DefaultValue, Index, Operation, Table, Value,
};
use super::shape::{Catalog, KnownIndex, TableShape};
use super::{mysql, postgres, rebuild, sqlite};
use crate::{Backend, Error, Result};

/// How many rows one `INSERT` of a bulk insert carries.
const ROWS_PER_INSERT: usize = 500;

/// Renders operations to SQL for one backend.
///
/// ```
/// use migrate_runtime::Backend;
/// use migrate_runtime::schema::{Column, ColumnType, Operation, Renderer};
///
/// let mut renderer = Renderer::new(Backend::Postgres);
/// let sql = renderer.render(&[Operation::AddColumn {
///     table: "users".into(),
///     column: Column::new("email", ColumnType::Varchar(255)),
/// }])?;
/// assert_eq!(sql, [r#"ALTER TABLE "users" ADD COLUMN "email" VARCHAR(255)"#]);
/// # Ok::<(), migrate_runtime::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Renderer {
    backend: Backend,
    catalog: Catalog,
    /// MySQL: what a `DROP COLUMN` about to be rendered must drop with the column, by
    /// table and column, as read from the database (online only).
    column_dependents: BTreeMap<(String, String), mysql::ColumnDependents>,
    /// MySQL: what a `DROP INDEX` about to be rendered must add, by table and index, as
    /// read from the database (online only).
    index_dependents: BTreeMap<(String, String), mysql::IndexDependents>,
    /// MySQL: what a `DROP CONSTRAINT` about to be rendered must drop with it, by table
    /// and constraint, as read from the database (online only).
    constraint_dependents: BTreeMap<(String, String), mysql::ConstraintDependents>,
}

impl Renderer {
    /// A renderer for `backend` that knows no table yet.
    pub fn new(backend: Backend) -> Self {
        Self {
            backend,
            catalog: Catalog::default(),
            column_dependents: BTreeMap::new(),
            index_dependents: BTreeMap::new(),
            constraint_dependents: BTreeMap::new(),
        }
    }

    /// The backend rendered for.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The tables whose shape is known.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Records a table's current shape (read from the database), replacing what was known.
    pub fn learn(&mut self, shape: TableShape) {
        self.catalog.insert(shape);
    }

    /// Forgets every shape: online, after raw SQL or direct connection access, which may
    /// have changed any table, what the database says is read again when needed.
    pub fn forget(&mut self) {
        self.catalog = Catalog::default();
        self.column_dependents.clear();
        self.index_dependents.clear();
        self.constraint_dependents.clear();
    }

    /// MySQL: records what must be dropped with `table.column` when the next
    /// [`Operation::DropColumn`] of it is rendered (read from the database).
    #[cfg(feature = "mysql")]
    pub(crate) fn learn_column_dependents(
        &mut self,
        table: &str,
        column: &str,
        dependents: mysql::ColumnDependents,
    ) {
        self.column_dependents
            .insert((table.to_owned(), column.to_owned()), dependents);
    }

    /// MySQL: records what must be added when the next [`Operation::DropIndex`] of
    /// `table`'s index `name` is rendered (read from the database).
    #[cfg(feature = "mysql")]
    pub(crate) fn learn_index_dependents(
        &mut self,
        table: &str,
        name: &str,
        dependents: mysql::IndexDependents,
    ) {
        self.index_dependents
            .insert((table.to_owned(), name.to_owned()), dependents);
    }

    /// MySQL: records what must be dropped with `table`'s constraint `name` when the
    /// next [`Operation::DropConstraint`] of it is rendered (read from the database).
    #[cfg(feature = "mysql")]
    pub(crate) fn learn_constraint_dependents(
        &mut self,
        table: &str,
        name: &str,
        dependents: mysql::ConstraintDependents,
    ) {
        self.constraint_dependents
            .insert((table.to_owned(), name.to_owned()), dependents);
    }

    /// Whether the shape of `table` with a column `column` is known (on MySQL, whose
    /// column names ignore case, under any case).
    pub fn knows_column(&self, table: &str, column: &str) -> bool {
        self.known_column(table, column).is_some()
    }

    /// The known column `column` of `table`; on MySQL matched ignoring case, as MySQL
    /// matches column names.
    fn known_column(&self, table: &str, column: &str) -> Option<&Column> {
        let same = |name: &str| match self.backend {
            Backend::Mysql => name.eq_ignore_ascii_case(column),
            _ => name == column,
        };
        self.catalog
            .get(table)?
            .table
            .columns
            .iter()
            .find(|c| same(&c.name))
    }

    /// On SQLite, the table whose current shape [`Renderer::render`] needs for `ops`
    /// (they include a rebuild); `None` when no rebuild is needed.
    pub fn rebuild_table<'o>(&self, ops: &'o [Operation]) -> Option<&'o str> {
        if self.backend != Backend::Sqlite {
            return None;
        }
        ops.iter().find(|op| !sqlite::in_place(op))?.table()
    }

    /// Renders `ops` in order. On SQLite, consecutive operations on one table that
    /// SQLite cannot apply in place are rendered as a single table rebuild, which needs
    /// the table's shape (created earlier through this renderer, or [`Renderer::learn`]ed).
    pub fn render(&mut self, ops: &[Operation]) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for range in self.segments(ops) {
            out.extend(self.render_segment(&ops[range])?);
        }
        Ok(out)
    }

    /// How [`Renderer::render`] groups `ops`: one operation rendered in place, or, on
    /// SQLite, one table rebuild taking every following operation on the same table it
    /// can fold in (a rename or a data operation ends it). Online, each rebuild segment
    /// needs the table's shape as it is after the segments before it.
    pub fn segments(&self, ops: &[Operation]) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < ops.len() {
            let mut end = i + 1;
            if self.backend == Backend::Sqlite && !sqlite::in_place(&ops[i]) {
                let table = ops[i].table();
                while end < ops.len() && ops[end].table() == table && rebuild::foldable(&ops[end]) {
                    end += 1;
                }
            }
            out.push(i..end);
            i = end;
        }
        out
    }

    /// Renders one segment of [`Renderer::segments`].
    fn render_segment(&mut self, ops: &[Operation]) -> Result<Vec<String>> {
        let first = &ops[0];
        if self.backend == Backend::Sqlite && !sqlite::in_place(first) {
            let table = first.table().unwrap_or_default().to_owned();
            let shape = self.catalog.get(&table).ok_or_else(|| {
                Error::Schema(format!(
                    "SQLite cannot alter table `{table}` in place and its shape is unknown, \
                     so it cannot be rebuilt; offline, only tables created by typed \
                     operations earlier in the same script can be rebuilt"
                ))
            })?;
            let (shape, sql) = rebuild::rebuild(self, shape, ops)?;
            self.catalog.insert(shape);
            return Ok(sql);
        }
        let sql = self.render_one(first)?;
        self.catalog.apply(first);
        match first {
            Operation::DropColumn { table, column } => {
                self.column_dependents
                    .remove(&(table.clone(), column.clone()));
            }
            Operation::DropIndex { table, name } => {
                self.index_dependents.remove(&(table.clone(), name.clone()));
            }
            Operation::DropConstraint { table, name } => {
                self.constraint_dependents
                    .remove(&(table.clone(), name.clone()));
            }
            _ => {}
        }
        Ok(sql)
    }

    fn render_one(&self, op: &Operation) -> Result<Vec<String>> {
        let b = self.backend;
        Ok(match op {
            Operation::CreateTable(table) => vec![self.create_table(table, &table.name)?],
            Operation::DropTable(name) => vec![format!("DROP TABLE {}", self.ident(name)?)],
            Operation::RenameTable { from, to } => vec![format!(
                "ALTER TABLE {} RENAME TO {}",
                self.ident(from)?,
                self.ident(to)?
            )],
            Operation::AddColumn { table, column } => vec![format!(
                "ALTER TABLE {} ADD COLUMN {}",
                self.ident(table)?,
                self.column_def(column)?
            )],
            Operation::DropColumn { table, column } if b == Backend::Mysql => {
                let deps = self.column_dependents.get(&(table.clone(), column.clone()));
                mysql::drop_column(self, table, column, deps)?
            }
            Operation::DropColumn { table, column } => vec![format!(
                "ALTER TABLE {} DROP COLUMN {}",
                self.ident(table)?,
                self.ident(column)?
            )],
            Operation::RenameColumn { table, from, to } => vec![format!(
                "ALTER TABLE {} RENAME COLUMN {} TO {}",
                self.ident(table)?,
                self.ident(from)?,
                self.ident(to)?
            )],
            Operation::AlterColumn {
                table,
                column,
                change,
            } => match b {
                Backend::Postgres => postgres::alter_column(self, table, column, change)?,
                _ => {
                    let known = self.known_column(table, column);
                    mysql::alter_column(self, table, column, change, known)?
                }
            },
            Operation::CreateIndex(index) => vec![self.create_index(index)?],
            Operation::DropIndex { table, name } => match b {
                Backend::Mysql => {
                    let deps = self.index_dependents.get(&(table.clone(), name.clone()));
                    mysql::drop_index(self, table, name, deps)?
                }
                _ => vec![format!("DROP INDEX {}", self.ident(name)?)],
            },
            Operation::AddConstraint { table, constraint } => vec![format!(
                "ALTER TABLE {} ADD {}",
                self.ident(table)?,
                self.constraint(constraint)?
            )],
            Operation::DropConstraint { table, name } if b == Backend::Mysql => {
                let deps = self
                    .constraint_dependents
                    .get(&(table.clone(), name.clone()));
                mysql::drop_constraint(self, table, name, deps)?
            }
            Operation::DropConstraint { table, name } => vec![format!(
                "ALTER TABLE {} DROP CONSTRAINT {}",
                self.ident(table)?,
                self.ident(name)?
            )],
            Operation::BulkInsert {
                table,
                columns,
                rows,
            } => self.bulk_insert(table, columns, rows)?,
            Operation::Execute(sql) => vec![sql.trim().trim_end_matches(';').to_owned()],
        })
    }

    /// `CREATE TABLE name (...)` for `table`'s columns and constraints.
    pub(super) fn create_table(&self, table: &Table, name: &str) -> Result<String> {
        let mut parts = Vec::new();
        let pk = table.primary_key_columns();
        if pk.is_empty() && table.columns.iter().any(|c| c.auto_increment) {
            return Err(Error::Schema(format!(
                "auto-increment column in `{}` must be its primary key",
                table.name
            )));
        }
        let inline_pk = pk.len() == 1 && table.primary_key.is_empty();
        for column in &table.columns {
            let mut column = column.clone();
            column.primary_key = inline_pk && pk[0] == column.name;
            parts.push(self.column_def(&column)?);
        }
        if !inline_pk && !pk.is_empty() {
            parts.push(format!("PRIMARY KEY ({})", self.idents(&pk)?));
        }
        for constraint in &table.constraints {
            parts.push(self.constraint(constraint)?);
        }
        if parts.is_empty() {
            return Err(Error::Schema(format!(
                "table `{}` has no columns",
                table.name
            )));
        }
        Ok(format!(
            "CREATE TABLE {} (\n    {}\n)",
            self.ident(name)?,
            parts.join(",\n    ")
        ))
    }

    /// One column's definition: name, type, nullability, default, inline primary key.
    pub(super) fn column_def(&self, c: &Column) -> Result<String> {
        let name = self.ident(&c.name)?;
        if c.auto_increment {
            if !c.primary_key && self.backend != Backend::Mysql {
                return Err(Error::Schema(format!(
                    "auto-increment column `{}` must be the primary key",
                    c.name
                )));
            }
            return Ok(match self.backend {
                // Only `INTEGER PRIMARY KEY` aliases the 64-bit rowid.
                Backend::Sqlite => format!("{name} INTEGER PRIMARY KEY AUTOINCREMENT"),
                Backend::Postgres => format!(
                    "{name} {} GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
                    self.type_sql(&c.ty)
                ),
                _ => format!(
                    "{name} {} NOT NULL AUTO_INCREMENT{}",
                    self.type_sql(&c.ty),
                    if c.primary_key { " PRIMARY KEY" } else { "" }
                ),
            });
        }
        let mut out = format!("{name} {}", self.type_sql(&c.ty));
        if !c.nullable {
            out.push_str(" NOT NULL");
        }
        if let Some(default) = &c.default {
            let _ = write!(out, " DEFAULT {}", self.default(default, Some(&c.ty))?);
        }
        if c.primary_key {
            out.push_str(" PRIMARY KEY");
        }
        Ok(out)
    }

    /// A table constraint clause (`CONSTRAINT name UNIQUE (...)`, ...).
    pub(super) fn constraint(&self, c: &Constraint) -> Result<String> {
        let mut out = String::new();
        if let Some(name) = &c.name {
            let _ = write!(out, "CONSTRAINT {} ", self.ident(name)?);
        }
        match &c.kind {
            ConstraintKind::Unique(columns) => {
                let _ = write!(out, "UNIQUE ({})", self.idents(columns)?);
            }
            ConstraintKind::Check(expr) => {
                let _ = write!(out, "CHECK ({expr})");
            }
            ConstraintKind::ForeignKey(fk) => {
                let _ = write!(
                    out,
                    "FOREIGN KEY ({}) REFERENCES {}",
                    self.idents(&fk.columns)?,
                    self.ident(&fk.ref_table)?,
                );
                // SQLite's `REFERENCES parent` (no list) means its primary key.
                if !fk.ref_columns.is_empty() {
                    let _ = write!(out, " ({})", self.idents(&fk.ref_columns)?);
                }
                if let Some(action) = fk.on_delete {
                    let _ = write!(out, " ON DELETE {}", action.as_sql());
                }
                if let Some(action) = fk.on_update {
                    let _ = write!(out, " ON UPDATE {}", action.as_sql());
                }
            }
        }
        Ok(out)
    }

    /// `CREATE [UNIQUE] INDEX name ON table (columns) [WHERE predicate]`.
    pub(super) fn create_index(&self, index: &Index) -> Result<String> {
        let mut out = format!(
            "CREATE {}INDEX {} ON {} ({})",
            if index.unique { "UNIQUE " } else { "" },
            self.ident(&index.name)?,
            self.ident(&index.table)?,
            self.idents(&index.columns)?
        );
        if let Some(filter) = &index.filter {
            if self.backend == Backend::Mysql {
                return Err(Error::Schema(format!(
                    "MySQL has no partial indexes; index `{}` has a WHERE clause",
                    index.name
                )));
            }
            let _ = write!(out, " WHERE {filter}");
        }
        Ok(out)
    }

    /// Re-creates an index known from a shape.
    pub(super) fn known_index(&self, index: &KnownIndex) -> Result<String> {
        match index {
            KnownIndex::Model(index) => self.create_index(index),
            KnownIndex::Verbatim { sql, .. } => Ok(sql.clone()),
        }
    }

    fn bulk_insert(
        &self,
        table: &str,
        columns: &[String],
        rows: &[Vec<Value>],
    ) -> Result<Vec<String>> {
        let head = format!(
            "INSERT INTO {} ({}) VALUES",
            self.ident(table)?,
            self.idents(columns)?
        );
        let mut out = Vec::new();
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut sql = head.clone();
            for (n, row) in chunk.iter().enumerate() {
                if row.len() != columns.len() {
                    return Err(Error::Schema(format!(
                        "bulk insert into `{table}`: a row has {} values for {} columns",
                        row.len(),
                        columns.len()
                    )));
                }
                let values = row
                    .iter()
                    .map(|v| self.literal(v))
                    .collect::<Result<Vec<_>>>()?;
                let _ = write!(
                    sql,
                    "{}\n    ({})",
                    if n == 0 { "" } else { "," },
                    values.join(", ")
                );
            }
            out.push(sql);
        }
        Ok(out)
    }

    /// The backend's name of `ty`.
    pub(super) fn type_sql(&self, ty: &ColumnType) -> String {
        match self.backend {
            Backend::Sqlite => sqlite::type_sql(ty),
            Backend::Postgres => postgres::type_sql(ty),
            _ => mysql::type_sql(ty),
        }
    }

    /// A default value's SQL for a column of type `ty` (when known). On MySQL a literal
    /// default of a TEXT, BLOB or JSON column is written as an expression: see
    /// [`mysql::literal_default`].
    pub(super) fn default(&self, d: &DefaultValue, ty: Option<&ColumnType>) -> Result<String> {
        Ok(match d {
            DefaultValue::Value(v)
                if self.backend == Backend::Mysql
                    && ty.is_some_and(mysql::takes_expression_default) =>
            {
                mysql::literal_default(self, v)?
            }
            DefaultValue::Value(v) => self.literal(v)?,
            DefaultValue::CurrentTimestamp => "CURRENT_TIMESTAMP".into(),
            DefaultValue::Expression(sql) => sql.clone(),
        })
    }

    /// An escaped literal whose meaning does not depend on the session: quotes doubled,
    /// and a text holding a backslash written so that no setting reads it as an escape
    /// (PostgreSQL `E'...'` with the backslash doubled, whatever
    /// `standard_conforming_strings` says; MySQL `_utf8mb4 X'...'`, whether or not
    /// `sql_mode` has `NO_BACKSLASH_ESCAPES`). A default of a MySQL TEXT, BLOB or JSON
    /// column is written otherwise, as an expression: `(CONVERT(X'...' USING utf8mb4))`.
    pub fn literal(&self, v: &Value) -> Result<String> {
        Ok(match v {
            Value::Null => "NULL".into(),
            Value::Bool(b) => match (self.backend, b) {
                (Backend::Sqlite, true) => "1".into(),
                (Backend::Sqlite, false) => "0".into(),
                (_, true) => "TRUE".into(),
                (_, false) => "FALSE".into(),
            },
            Value::Int(i) => i.to_string(),
            Value::Float(f) if f.is_finite() => format!("{f:?}"),
            Value::Float(f) => {
                return Err(Error::Schema(format!("the float {f} has no SQL literal")));
            }
            Value::Text(s) => {
                if s.contains('\0') {
                    return Err(Error::Schema(
                        "text values cannot contain NUL characters".into(),
                    ));
                }
                let quoted = s.replace('\'', "''");
                match self.backend {
                    _ if !s.contains('\\') => format!("'{quoted}'"),
                    Backend::Postgres => format!("E'{}'", quoted.replace('\\', "\\\\")),
                    Backend::Mysql => {
                        let hex: String = s.bytes().map(|b| format!("{b:02X}")).collect();
                        format!("_utf8mb4 X'{hex}'")
                    }
                    // SQLite has no escapes in literals.
                    _ => format!("'{quoted}'"),
                }
            }
            Value::Bytes(bytes) => {
                let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                match self.backend {
                    Backend::Postgres => format!("decode('{hex}', 'hex')"),
                    _ => format!("X'{hex}'"),
                }
            }
        })
    }

    /// A quoted identifier. Quote characters inside the name are doubled, so no name can
    /// end the quoting; empty names, NUL characters and names longer than the backend
    /// keeps (PostgreSQL would silently truncate them) are refused.
    pub fn ident(&self, name: &str) -> Result<String> {
        let (quote, max) = match self.backend {
            Backend::Mysql => ('`', 64),
            Backend::Postgres => ('"', 63),
            _ => ('"', usize::MAX),
        };
        let bad = |reason| Error::InvalidIdentifier {
            name: name.to_owned(),
            reason,
        };
        if name.is_empty() {
            return Err(bad("it is empty"));
        }
        if name.contains('\0') {
            return Err(bad("it contains a NUL character"));
        }
        // MySQL counts characters, PostgreSQL bytes.
        let length = match self.backend {
            Backend::Mysql => name.chars().count(),
            _ => name.len(),
        };
        if length > max {
            return Err(bad("it is longer than the backend allows"));
        }
        let doubled = name.replace(quote, &format!("{quote}{quote}"));
        Ok(format!("{quote}{doubled}{quote}"))
    }

    fn idents(&self, names: &[String]) -> Result<String> {
        Ok(names
            .iter()
            .map(|n| self.ident(n))
            .collect::<Result<Vec<_>>>()?
            .join(", "))
    }
}
