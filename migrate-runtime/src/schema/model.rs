//! The operation model: tables, columns, types, values, indexes and constraints as data.

/// A portable column type, rendered to each backend's own type name.
///
/// | type | SQLite | PostgreSQL | MySQL / MariaDB |
/// | --- | --- | --- | --- |
/// | `SmallInt` | `SMALLINT` | `SMALLINT` | `SMALLINT` |
/// | `Integer` | `INTEGER` | `INTEGER` | `INT` |
/// | `BigInt` | `BIGINT` | `BIGINT` | `BIGINT` |
/// | `Boolean` | `BOOLEAN` | `BOOLEAN` | `BOOLEAN` |
/// | `Text` | `TEXT` | `TEXT` | `TEXT` |
/// | `Varchar(n)` | `VARCHAR(n)` | `VARCHAR(n)` | `VARCHAR(n)` |
/// | `Float` | `REAL` | `REAL` | `FLOAT` |
/// | `Double` | `DOUBLE` | `DOUBLE PRECISION` | `DOUBLE` |
/// | `Numeric(p, s)` | `NUMERIC(p, s)` | `NUMERIC(p, s)` | `DECIMAL(p, s)` |
/// | `Date` | `DATE` | `DATE` | `DATE` |
/// | `Time` | `TIME` | `TIME` | `TIME` |
/// | `Timestamp` | `TIMESTAMP` | `TIMESTAMP` | `DATETIME` |
/// | `TimestampTz` | `TIMESTAMPTZ` | `TIMESTAMP WITH TIME ZONE` | `DATETIME` (store UTC) |
/// | `Uuid` | `CHAR(36)` | `UUID` | `CHAR(36)` |
/// | `Json` | `TEXT` | `JSONB` | `JSON` |
/// | `Binary` | `BLOB` | `BYTEA` | `LONGBLOB` |
///
/// [`ColumnType::Custom`] is the escape hatch for a backend-specific type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ColumnType {
    /// 16-bit integer.
    SmallInt,
    /// 32-bit integer.
    Integer,
    /// 64-bit integer.
    BigInt,
    /// Boolean.
    Boolean,
    /// Unbounded text.
    Text,
    /// Text of at most `n` characters.
    Varchar(u32),
    /// Single-precision floating point.
    Float,
    /// Double-precision floating point.
    Double,
    /// Exact decimal with `precision` digits, `scale` of them after the point.
    Numeric {
        /// Total digits.
        precision: u32,
        /// Digits after the decimal point.
        scale: u32,
    },
    /// Calendar date.
    Date,
    /// Time of day.
    Time,
    /// Date and time without time zone.
    Timestamp,
    /// Date and time with time zone (an instant).
    TimestampTz,
    /// UUID.
    Uuid,
    /// JSON document.
    Json,
    /// Byte string.
    Binary,
    /// A type written in SQL, per backend; see [`CustomType`].
    Custom(Box<CustomType>),
}

impl ColumnType {
    /// A type spelled `sql` on every backend (trusted SQL, rendered as is).
    pub fn custom(sql: impl Into<String>) -> Self {
        ColumnType::Custom(Box::new(CustomType {
            default: sql.into(),
            sqlite: None,
            postgres: None,
            mysql: None,
        }))
    }

    /// A type spelled differently per backend (trusted SQL, rendered as is).
    pub fn per_backend(
        sqlite: impl Into<String>,
        postgres: impl Into<String>,
        mysql: impl Into<String>,
    ) -> Self {
        let sqlite = sqlite.into();
        ColumnType::Custom(Box::new(CustomType {
            default: sqlite.clone(),
            sqlite: Some(sqlite),
            postgres: Some(postgres.into()),
            mysql: Some(mysql.into()),
        }))
    }
}

/// The SQL of a backend-specific type. The strings are trusted SQL written by the
/// migration's author, spliced into DDL as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomType {
    /// The spelling used where no backend-specific one is given.
    pub default: String,
    /// The SQLite spelling.
    pub sqlite: Option<String>,
    /// The PostgreSQL spelling.
    pub postgres: Option<String>,
    /// The MySQL / MariaDB spelling.
    pub mysql: Option<String>,
}

/// A literal value: a server default or a cell of a bulk insert. Always rendered as an
/// escaped literal, never spliced.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// `NULL`.
    Null,
    /// A boolean (`TRUE`/`FALSE`, `1`/`0` on SQLite).
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A finite floating-point number.
    Float(f64),
    /// Text (also for dates, times, UUIDs and JSON, which the database converts).
    Text(String),
    /// Bytes.
    Bytes(Vec<u8>),
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Int(v.into())
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Bytes(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// A column's server default.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum DefaultValue {
    /// A literal, escaped for the backend. On MySQL, of a TEXT, BLOB or JSON column, it
    /// is written as an expression in parentheses, as MySQL 8 requires there.
    Value(Value),
    /// The current date and time (`CURRENT_TIMESTAMP`).
    CurrentTimestamp,
    /// Trusted SQL rendered as is after `DEFAULT`. SQLite and MySQL want a non-literal
    /// expression in parentheses: `"(lower('X'))"`.
    Expression(String),
}

impl<T: Into<Value>> From<T> for DefaultValue {
    fn from(v: T) -> Self {
        DefaultValue::Value(v.into())
    }
}

/// One column of a table.
///
/// ```
/// use migrate_runtime::schema::{Column, ColumnType};
///
/// let id = Column::new("id", ColumnType::BigInt).primary_key().auto_increment();
/// let email = Column::new("email", ColumnType::Varchar(255)).not_null().default("");
/// # let _ = (id, email);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The name.
    pub name: String,
    /// The type.
    pub ty: ColumnType,
    /// Whether `NULL` is allowed (default `true`; primary-key columns are never null).
    pub nullable: bool,
    /// The server default.
    pub default: Option<DefaultValue>,
    /// Whether this column alone is the primary key.
    pub primary_key: bool,
    /// Whether the database generates increasing values (an integer primary key).
    pub auto_increment: bool,
    /// What MySQL's `MODIFY COLUMN` resets, read from the database to be restated.
    pub(crate) mysql: MysqlAttributes,
}

/// The properties of a MySQL/MariaDB column that `MODIFY COLUMN` resets unless it repeats
/// them, and that the typed model has no words for. Read from `information_schema`
/// (online only); empty for a column described in code.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct MysqlAttributes {
    /// `CHARACTER SET x COLLATE y`, for a text column.
    pub(crate) charset: Option<(String, String)>,
    /// The `ON UPDATE` expression.
    pub(crate) on_update: Option<String>,
    /// MariaDB's and MySQL 8's `INVISIBLE`.
    pub(crate) invisible: bool,
    /// The comment, when not empty, as the SQL literal of the session that read it.
    pub(crate) comment: Option<String>,
    /// MariaDB's column-level `CHECK` (a table-level one survives `MODIFY`).
    pub(crate) check: Option<String>,
    /// A generated column: no restatement can keep its expression safely.
    pub(crate) generated: bool,
    /// The default as MariaDB's utf8mb3 `information_schema` reads it, when it may have
    /// lost characters there and could not be read whole, with why: restated only with
    /// a default the change states.
    pub(crate) inexact_default: Option<(String, String)>,
    /// The type as MariaDB's utf8mb3 `information_schema` reads it, when it is an ENUM
    /// or SET whose values may have lost characters there: restated only with a type
    /// the change states.
    pub(crate) inexact_type: Option<String>,
    /// The column `CHECK` as `information_schema` reads it, when it may have lost
    /// characters and `SHOW CREATE TABLE` did not give it whole: never restated.
    pub(crate) inexact_check: Option<String>,
}

impl Column {
    /// A nullable column without default.
    pub fn new(name: impl Into<String>, ty: ColumnType) -> Self {
        Self {
            name: name.into(),
            ty,
            nullable: true,
            default: None,
            primary_key: false,
            auto_increment: false,
            mysql: MysqlAttributes::default(),
        }
    }

    /// Disallows `NULL`.
    pub fn not_null(mut self) -> Self {
        self.nullable = false;
        self
    }

    /// Sets the server default.
    pub fn default(mut self, default: impl Into<DefaultValue>) -> Self {
        self.default = Some(default.into());
        self
    }

    /// Makes this column the table's primary key (and not null).
    pub fn primary_key(mut self) -> Self {
        self.primary_key = true;
        self.nullable = false;
        self
    }

    /// Lets the database generate its values: `AUTOINCREMENT` (SQLite, which needs the
    /// column to be the `INTEGER PRIMARY KEY`), `GENERATED BY DEFAULT AS IDENTITY`
    /// (PostgreSQL), `AUTO_INCREMENT` (MySQL).
    pub fn auto_increment(mut self) -> Self {
        self.auto_increment = true;
        self
    }
}

/// What a foreign key does when the referenced row is deleted or its key updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// `NO ACTION` (the default).
    NoAction,
    /// `RESTRICT`.
    Restrict,
    /// `CASCADE`.
    Cascade,
    /// `SET NULL`.
    SetNull,
    /// `SET DEFAULT`.
    SetDefault,
}

impl Action {
    /// The SQL words.
    pub fn as_sql(self) -> &'static str {
        match self {
            Action::NoAction => "NO ACTION",
            Action::Restrict => "RESTRICT",
            Action::Cascade => "CASCADE",
            Action::SetNull => "SET NULL",
            Action::SetDefault => "SET DEFAULT",
        }
    }

    /// Parses the SQL words (`CASCADE`, `set null`, ...), as [`Action::as_sql`] writes them.
    pub fn from_sql(words: &str) -> Option<Self> {
        Some(match words.to_ascii_uppercase().as_str() {
            "NO ACTION" => Action::NoAction,
            "RESTRICT" => Action::Restrict,
            "CASCADE" => Action::Cascade,
            "SET NULL" => Action::SetNull,
            "SET DEFAULT" => Action::SetDefault,
            _ => return None,
        })
    }
}

/// A foreign key from `columns` to `ref_columns` of `ref_table`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKey {
    /// The referencing columns.
    pub columns: Vec<String>,
    /// The referenced table.
    pub ref_table: String,
    /// The referenced columns.
    pub ref_columns: Vec<String>,
    /// `ON DELETE`, when not the default.
    pub on_delete: Option<Action>,
    /// `ON UPDATE`, when not the default.
    pub on_update: Option<Action>,
}

/// A table constraint; the name is optional only for constraints read from SQLite
/// tables created without one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    /// The constraint's name.
    pub name: Option<String>,
    /// What it constrains.
    pub kind: ConstraintKind,
}

/// The kinds of constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConstraintKind {
    /// The columns' values are unique together.
    Unique(Vec<String>),
    /// A foreign key.
    ForeignKey(ForeignKey),
    /// A trusted SQL boolean expression every row satisfies.
    Check(String),
}

impl Constraint {
    /// `UNIQUE (columns)`.
    pub fn unique<S: Into<String>>(
        name: impl Into<String>,
        columns: impl IntoIterator<Item = S>,
    ) -> Self {
        Self {
            name: Some(name.into()),
            kind: ConstraintKind::Unique(columns.into_iter().map(Into::into).collect()),
        }
    }

    /// `FOREIGN KEY (columns) REFERENCES ref_table (ref_columns)`; add actions with
    /// [`Constraint::on_delete`] and [`Constraint::on_update`].
    pub fn foreign_key<S: Into<String>, R: Into<String>>(
        name: impl Into<String>,
        columns: impl IntoIterator<Item = S>,
        ref_table: impl Into<String>,
        ref_columns: impl IntoIterator<Item = R>,
    ) -> Self {
        Self {
            name: Some(name.into()),
            kind: ConstraintKind::ForeignKey(ForeignKey {
                columns: columns.into_iter().map(Into::into).collect(),
                ref_table: ref_table.into(),
                ref_columns: ref_columns.into_iter().map(Into::into).collect(),
                on_delete: None,
                on_update: None,
            }),
        }
    }

    /// `CHECK (expression)`; the expression is trusted SQL.
    pub fn check(name: impl Into<String>, expression: impl Into<String>) -> Self {
        Self {
            name: Some(name.into()),
            kind: ConstraintKind::Check(expression.into()),
        }
    }

    /// Sets a foreign key's `ON DELETE` action (no effect on other kinds).
    pub fn on_delete(mut self, action: Action) -> Self {
        if let ConstraintKind::ForeignKey(fk) = &mut self.kind {
            fk.on_delete = Some(action);
        }
        self
    }

    /// Sets a foreign key's `ON UPDATE` action (no effect on other kinds).
    pub fn on_update(mut self, action: Action) -> Self {
        if let ConstraintKind::ForeignKey(fk) = &mut self.kind {
            fk.on_update = Some(action);
        }
        self
    }

    /// The columns of this table the constraint mentions (none for a check).
    pub(crate) fn columns(&self) -> &[String] {
        match &self.kind {
            ConstraintKind::Unique(c) => c,
            ConstraintKind::ForeignKey(fk) => &fk.columns,
            ConstraintKind::Check(_) => &[],
        }
    }
}

/// A table to create.
///
/// ```
/// use migrate_runtime::schema::{Action, Column, ColumnType, Constraint, Table};
///
/// let posts = Table::new("posts")
///     .column(Column::new("id", ColumnType::BigInt).primary_key().auto_increment())
///     .column(Column::new("author_id", ColumnType::BigInt).not_null())
///     .column(Column::new("slug", ColumnType::Varchar(120)).not_null())
///     .constraint(Constraint::unique("uq_posts_slug", ["slug"]))
///     .constraint(
///         Constraint::foreign_key("fk_posts_author", ["author_id"], "users", ["id"])
///             .on_delete(Action::Cascade),
///     );
/// # let _ = posts;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The name.
    pub name: String,
    /// The columns, in order.
    pub columns: Vec<Column>,
    /// A composite primary key (use [`Column::primary_key`] for a single column).
    pub primary_key: Vec<String>,
    /// Unique, foreign-key and check constraints.
    pub constraints: Vec<Constraint>,
}

impl Table {
    /// A table with no columns yet.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            columns: Vec::new(),
            primary_key: Vec::new(),
            constraints: Vec::new(),
        }
    }

    /// Appends a column.
    pub fn column(mut self, column: Column) -> Self {
        self.columns.push(column);
        self
    }

    /// Sets a composite primary key over `columns` (which become not null).
    pub fn primary_key<S: Into<String>>(mut self, columns: impl IntoIterator<Item = S>) -> Self {
        self.primary_key = columns.into_iter().map(Into::into).collect();
        for column in &mut self.columns {
            if self.primary_key.contains(&column.name) {
                column.nullable = false;
            }
        }
        self
    }

    /// Adds a constraint.
    pub fn constraint(mut self, constraint: Constraint) -> Self {
        self.constraints.push(constraint);
        self
    }

    /// The primary key's columns, whether declared on the table or on one column.
    pub(crate) fn primary_key_columns(&self) -> Vec<String> {
        if !self.primary_key.is_empty() {
            return self.primary_key.clone();
        }
        self.columns
            .iter()
            .filter(|c| c.primary_key)
            .map(|c| c.name.clone())
            .collect()
    }
}

/// An index to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    /// The index's name.
    pub name: String,
    /// The indexed table.
    pub table: String,
    /// The indexed columns, in order.
    pub columns: Vec<String>,
    /// Whether the indexed values are unique.
    pub unique: bool,
    /// A partial index's trusted SQL predicate (SQLite and PostgreSQL).
    pub filter: Option<String>,
}

impl Index {
    /// A plain index.
    pub fn new<S: Into<String>>(
        name: impl Into<String>,
        table: impl Into<String>,
        columns: impl IntoIterator<Item = S>,
    ) -> Self {
        Self {
            name: name.into(),
            table: table.into(),
            columns: columns.into_iter().map(Into::into).collect(),
            unique: false,
            filter: None,
        }
    }

    /// Makes the index unique.
    pub fn unique(mut self) -> Self {
        self.unique = true;
        self
    }

    /// Makes the index partial: only rows satisfying `predicate` (trusted SQL) are indexed.
    pub fn filter(mut self, predicate: impl Into<String>) -> Self {
        self.filter = Some(predicate.into());
        self
    }
}

/// Changes to one column; unset fields stay as they are.
///
/// MySQL can only change a column's type or nullability by restating the whole column, so
/// there the renderer needs its current type, nullability and default: given as
/// [`AlterColumn::existing_type`] and friends (as Alembic's `existing_type=`), else read
/// from `information_schema` online, else, offline, tracked from the typed operations of
/// the script that created the column.
///
/// SQLite rebuilds the table instead. Online the rebuild re-creates the table's triggers
/// and the views naming it; offline (`--sql`) it cannot know them, since only raw SQL
/// creates them: drop them before the change and re-create them after it (see
/// [`crate::MigrationContext`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlterColumn {
    /// The new type.
    pub ty: Option<ColumnType>,
    /// The new nullability.
    pub nullable: Option<bool>,
    /// The new default: `Some(None)` drops it.
    pub default: Option<Option<DefaultValue>>,
    /// The current type, for MySQL.
    pub existing_type: Option<ColumnType>,
    /// The current nullability, for MySQL.
    pub existing_nullable: Option<bool>,
    /// The current default, for MySQL.
    pub existing_default: Option<Option<DefaultValue>>,
}

impl AlterColumn {
    /// No change yet.
    pub fn new() -> Self {
        <Self as Default>::default()
    }

    /// Changes the type.
    pub fn ty(mut self, ty: ColumnType) -> Self {
        self.ty = Some(ty);
        self
    }

    /// Changes the nullability.
    pub fn nullable(mut self, nullable: bool) -> Self {
        self.nullable = Some(nullable);
        self
    }

    /// Sets a new default.
    pub fn default(mut self, default: impl Into<DefaultValue>) -> Self {
        self.default = Some(Some(default.into()));
        self
    }

    /// Drops the default.
    pub fn drop_default(mut self) -> Self {
        self.default = Some(None);
        self
    }

    /// States the current type (MySQL needs it when it cannot be tracked).
    pub fn existing_type(mut self, ty: ColumnType) -> Self {
        self.existing_type = Some(ty);
        self
    }

    /// States the current nullability (MySQL).
    pub fn existing_nullable(mut self, nullable: bool) -> Self {
        self.existing_nullable = Some(nullable);
        self
    }

    /// States the current default (MySQL); `None` for no default.
    pub fn existing_default(mut self, default: Option<DefaultValue>) -> Self {
        self.existing_default = Some(default);
        self
    }
}

/// One schema operation. Built by the [`MigrationContext`](crate::MigrationContext)
/// methods; rendered by [`Renderer`](super::Renderer).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Operation {
    /// `CREATE TABLE`.
    CreateTable(Table),
    /// `DROP TABLE`.
    DropTable(String),
    /// Renames a table.
    RenameTable {
        /// The current name.
        from: String,
        /// The new name.
        to: String,
    },
    /// Adds a column.
    AddColumn {
        /// The table.
        table: String,
        /// The column.
        column: Column,
    },
    /// Drops a column (and, like PostgreSQL, any index on it).
    DropColumn {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// Renames a column.
    RenameColumn {
        /// The table.
        table: String,
        /// The current name.
        from: String,
        /// The new name.
        to: String,
    },
    /// Changes a column's type, nullability or default.
    AlterColumn {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The changes.
        change: AlterColumn,
    },
    /// `CREATE INDEX`.
    CreateIndex(Index),
    /// `DROP INDEX`.
    DropIndex {
        /// The index's table (MySQL drops indexes through their table).
        table: String,
        /// The index.
        name: String,
    },
    /// Adds a named constraint.
    AddConstraint {
        /// The table.
        table: String,
        /// The constraint.
        constraint: Constraint,
    },
    /// Drops a constraint by name.
    DropConstraint {
        /// The table.
        table: String,
        /// The constraint's name.
        name: String,
    },
    /// Inserts rows; values are rendered as escaped literals.
    BulkInsert {
        /// The table.
        table: String,
        /// The columns every row gives, in order.
        columns: Vec<String>,
        /// The rows.
        rows: Vec<Vec<Value>>,
    },
    /// Trusted raw SQL, one or more statements.
    Execute(String),
}

impl Operation {
    /// The table the operation changes, if it changes exactly one existing table.
    pub fn table(&self) -> Option<&str> {
        match self {
            Operation::AddColumn { table, .. }
            | Operation::DropColumn { table, .. }
            | Operation::RenameColumn { table, .. }
            | Operation::AlterColumn { table, .. }
            | Operation::DropIndex { table, .. }
            | Operation::AddConstraint { table, .. }
            | Operation::DropConstraint { table, .. }
            | Operation::BulkInsert { table, .. } => Some(table),
            Operation::CreateIndex(index) => Some(&index.table),
            Operation::CreateTable(t) => Some(&t.name),
            Operation::DropTable(t) => Some(t),
            Operation::RenameTable { from, .. } => Some(from),
            Operation::Execute(_) => None,
        }
    }
}
