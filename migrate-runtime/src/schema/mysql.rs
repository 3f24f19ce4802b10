//! MySQL and MariaDB spellings: types, literals and column alterations, which restate
//! the whole column.

use std::fmt::Write as _;

use super::model::{AlterColumn, Column, ColumnType, CustomType, Value};
use super::render::Renderer;
use crate::{Error, Result};

/// The MySQL name of `ty`.
pub(super) fn type_sql(ty: &ColumnType) -> String {
    match ty {
        ColumnType::SmallInt => "SMALLINT".into(),
        ColumnType::Integer => "INT".into(),
        ColumnType::BigInt => "BIGINT".into(),
        ColumnType::Boolean => "BOOLEAN".into(),
        ColumnType::Text => "TEXT".into(),
        ColumnType::Varchar(n) => format!("VARCHAR({n})"),
        ColumnType::Float => "FLOAT".into(),
        ColumnType::Double => "DOUBLE".into(),
        ColumnType::Numeric { precision, scale } => format!("DECIMAL({precision}, {scale})"),
        ColumnType::Date => "DATE".into(),
        ColumnType::Time => "TIME".into(),
        // `TIMESTAMP` has implicit defaults, auto-update and a 2038 limit on MySQL.
        ColumnType::Timestamp | ColumnType::TimestampTz => "DATETIME".into(),
        ColumnType::Uuid => "CHAR(36)".into(),
        ColumnType::Json => "JSON".into(),
        ColumnType::Binary => "LONGBLOB".into(),
        ColumnType::Custom(c) => spelling(c).to_owned(),
    }
}

/// A default alone changes in place; a type or nullability change restates the column
/// with `MODIFY COLUMN`, which needs its current type, nullability and default: from the
/// change's `existing_*` hints, else from `known` (the column as tracked in this run).
pub(super) fn alter_column(
    r: &Renderer,
    table: &str,
    column: &str,
    change: &AlterColumn,
    known: Option<&Column>,
) -> Result<Vec<String>> {
    let table_sql = r.ident(table)?;
    if change.ty.is_none() && change.nullable.is_none() {
        // The type decides how a literal default is written; offline, of a column the
        // script did not create, only `existing_type` tells it.
        let ty = change.existing_type.as_ref().or(known.map(|c| &c.ty));
        return Ok(match &change.default {
            Some(Some(default)) => vec![format!(
                "ALTER TABLE {table_sql} ALTER COLUMN {} SET DEFAULT {}",
                r.ident(column)?,
                r.default(default, ty)?
            )],
            Some(None) => vec![format!(
                "ALTER TABLE {table_sql} ALTER COLUMN {} DROP DEFAULT",
                r.ident(column)?
            )],
            None => Vec::new(),
        });
    }
    let missing = |what: &str| {
        Error::Schema(format!(
            "MySQL restates a column to alter it, and the current {what} of `{table}.{column}` \
             is unknown (offline, it was not created by a typed operation of the script): pass \
             `AlterColumn::existing_{what}`"
        ))
    };
    let ty = match (&change.ty, &change.existing_type, known) {
        (Some(ty), _, _) | (None, Some(ty), _) => ty.clone(),
        (None, None, Some(c)) => c.ty.clone(),
        _ => return Err(missing("type")),
    };
    let nullable = match (change.nullable, change.existing_nullable, known) {
        (Some(n), _, _) | (None, Some(n), _) => n,
        (None, None, Some(c)) => c.nullable,
        _ => return Err(missing("nullable")),
    };
    let default = match (&change.default, &change.existing_default, known) {
        (Some(d), _, _) | (None, Some(d), _) => d.clone(),
        (None, None, Some(c)) => c.default.clone(),
        (None, None, None) => None,
    };
    // What `MODIFY` would reset that the model has no words for: repeated after the type
    // (a column `CHECK` only parses last).
    let kept = known.map(|c| &c.mysql).cloned().unwrap_or_default();
    if kept.generated {
        return Err(Error::Schema(format!(
            "`{table}.{column}` is a generated column: restating it (MySQL's `MODIFY \
             COLUMN`) could lose its expression; alter it with raw SQL (`ctx.execute`)"
        )));
    }
    // MariaDB's `information_schema` is utf8mb3, where a character beyond U+FFFF reads
    // as `?`: what may have lost one is not restated as read.
    if let Some(read) = &kept.inexact_type
        && change.ty.is_none()
        && change.existing_type.is_none()
    {
        return Err(Error::Schema(format!(
            "cannot restate `{table}.{column}` (MySQL's `MODIFY COLUMN`) exactly: its type \
             reads as `{read}` in MariaDB's `information_schema`, which turns characters \
             beyond U+FFFF into `?`, so its values may not be those of the column; pass \
             the column's exact type (`AlterColumn::existing_type(ColumnType::custom(\"...\"))`) \
             or alter it with raw SQL (`ctx.execute`)"
        )));
    }
    if let Some((read, why)) = &kept.inexact_default
        && change.default.is_none()
        && change.existing_default.is_none()
    {
        return Err(Error::Schema(format!(
            "cannot restate `{table}.{column}` (MySQL's `MODIFY COLUMN`) exactly: its default \
             reads as `{read}` in MariaDB's `information_schema`, which turns characters \
             beyond U+FFFF and bytes that are not UTF-8 into `?`, and reading it from a \
             temporary table failed ({why}); pass the default \
             (`AlterColumn::existing_default` or `AlterColumn::default`) or alter the column \
             with raw SQL (`ctx.execute`)"
        )));
    }
    if let Some(read) = &kept.inexact_check {
        return Err(Error::Schema(format!(
            "cannot restate `{table}.{column}` (MySQL's `MODIFY COLUMN`) exactly: its \
             `CHECK ({read})` reads so in MariaDB's `information_schema`, which turns \
             characters beyond U+FFFF into `?`, and `SHOW CREATE TABLE` did not tell its \
             text for sure; alter the column with raw SQL (`ctx.execute`), restating the check"
        )));
    }
    let mut attributes = String::new();
    // A new type naming its own character set or collation says what it wants.
    let own_charset = match &change.ty {
        Some(ColumnType::Custom(c)) => {
            let sql = spelling(c);
            ["CHARACTER", "CHARSET", "COLLATE"]
                .iter()
                .any(|kw| super::parse::has_keyword(sql, kw))
        }
        _ => false,
    };
    if let Some((charset, collation)) = &kept.charset
        && is_text(&ty)
        && !own_charset
    {
        let _ = write!(attributes, " CHARACTER SET {charset} COLLATE {collation}");
    }
    // Only a date-and-time column takes `ON UPDATE`: one turned into anything else
    // loses it, which MySQL would otherwise refuse as an invalid clause.
    if let Some(on_update) = &kept.on_update
        && is_date_time(&ty)
    {
        let _ = write!(attributes, " ON UPDATE {on_update}");
    }
    if kept.invisible {
        attributes.push_str(" INVISIBLE");
    }
    if let Some(comment) = &kept.comment {
        let _ = write!(attributes, " COMMENT {comment}");
    }
    let ty = if attributes.is_empty() {
        ty
    } else {
        ColumnType::custom(format!("{}{attributes}", type_sql(&ty)))
    };
    // Under the column's own name: `MODIFY` renames a column named in another case.
    let mut restated = Column::new(known.map_or(column, |c| c.name.as_str()), ty);
    restated.nullable = nullable;
    restated.default = default;
    restated.auto_increment = known.is_some_and(|c| c.auto_increment);
    restated.mysql = kept.clone();
    let mut def = r.column_def(&restated)?;
    if let Some(check) = &kept.check {
        let _ = write!(def, " CHECK ({check})");
    }
    Ok(vec![format!("ALTER TABLE {table_sql} MODIFY COLUMN {def}")])
}

/// What refuses to lose a column on MySQL and MariaDB, read from `information_schema`
/// before the column is dropped: the foreign keys and indexes over it with other columns
/// (MySQL narrows an index to the remaining columns, refuses a multi-column unique one
/// and any foreign key) and the table's checks reading it. Dropped in the statement
/// dropping the column, as PostgreSQL does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ColumnDependents {
    /// The foreign keys whose columns include it.
    pub(crate) foreign_keys: Vec<String>,
    /// The indexes (not the primary key) over it.
    pub(crate) indexes: Vec<String>,
    /// The table-level checks reading it.
    pub(crate) checks: Vec<String>,
    /// Indexes of `indexes` that a remaining foreign key needs (MySQL refuses to drop
    /// them), re-created as plain indexes on the key's columns: name and columns. A key
    /// of another table referencing this one needs one on its referenced columns.
    pub(crate) replacements: Vec<(String, Vec<String>)>,
}

/// `ALTER TABLE ... DROP COLUMN`, dropping first, in the same statement (MySQL commits
/// each statement: one leaves nothing half-done), what `deps` lists.
pub(super) fn drop_column(
    r: &Renderer,
    table: &str,
    column: &str,
    deps: Option<&ColumnDependents>,
) -> Result<Vec<String>> {
    let mut clauses = Vec::new();
    if let Some(deps) = deps {
        for name in &deps.foreign_keys {
            clauses.push(format!("DROP FOREIGN KEY {}", r.ident(name)?));
        }
        for name in &deps.indexes {
            clauses.push(format!("DROP INDEX {}", r.ident(name)?));
        }
        for (name, columns) in &deps.replacements {
            clauses.push(add_index(r, name, columns)?);
        }
        for name in &deps.checks {
            clauses.push(format!("DROP CONSTRAINT {}", r.ident(name)?));
        }
    }
    clauses.push(format!("DROP COLUMN {}", r.ident(column)?));
    Ok(vec![format!(
        "ALTER TABLE {} {}",
        r.ident(table)?,
        clauses.join(", ")
    )])
}

/// What dropping an index needs on MySQL and MariaDB, read from `information_schema`
/// before it is dropped: InnoDB refuses to drop the last index serving a foreign key
/// (one starting with the key's columns, on the referencing and on the referenced side),
/// and MySQL silently drops the index it created for a key when another one serving it
/// is created, so the index a migration created may be the last one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct IndexDependents {
    /// Plain indexes added in the statement dropping the index, one for each foreign key
    /// only it serves: name (the key's, as MySQL names the index it creates for one) and
    /// the key's columns.
    pub(crate) replacements: Vec<(String, Vec<String>)>,
}

/// `DROP INDEX`, adding in the same statement (MySQL commits each statement) the
/// indexes `deps` lists, so that every foreign key keeps an index.
pub(super) fn drop_index(
    r: &Renderer,
    table: &str,
    name: &str,
    deps: Option<&IndexDependents>,
) -> Result<Vec<String>> {
    let replacements = deps.map_or(&[][..], |d| &d.replacements[..]);
    if replacements.is_empty() {
        return Ok(vec![format!(
            "DROP INDEX {} ON {}",
            r.ident(name)?,
            r.ident(table)?
        )]);
    }
    let mut clauses = vec![format!("DROP INDEX {}", r.ident(name)?)];
    for (index, columns) in replacements {
        clauses.push(add_index(r, index, columns)?);
    }
    Ok(vec![format!(
        "ALTER TABLE {} {}",
        r.ident(table)?,
        clauses.join(", ")
    )])
}

/// What dropping a foreign key needs on MySQL and MariaDB to leave its table as it was
/// before the key was added: MySQL creates an index for a key that no index serves, and
/// keeps it when the key is dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ConstraintDependents {
    /// The index MySQL created for the key, dropped with it: named like the key, not
    /// unique, exactly the key's columns, and serving no other key that has no other.
    pub(crate) index: Option<String>,
}

/// `ALTER TABLE ... DROP CONSTRAINT`, dropping in the same statement the index `deps`
/// names.
pub(super) fn drop_constraint(
    r: &Renderer,
    table: &str,
    name: &str,
    deps: Option<&ConstraintDependents>,
) -> Result<Vec<String>> {
    let table_sql = r.ident(table)?;
    Ok(vec![match deps.and_then(|d| d.index.as_deref()) {
        Some(index) => format!(
            "ALTER TABLE {table_sql} DROP FOREIGN KEY {}, DROP INDEX {}",
            r.ident(name)?,
            r.ident(index)?
        ),
        None => format!("ALTER TABLE {table_sql} DROP CONSTRAINT {}", r.ident(name)?),
    }])
}

/// `ADD INDEX name (columns)`, a clause of `ALTER TABLE`.
fn add_index(r: &Renderer, name: &str, columns: &[String]) -> Result<String> {
    let columns = columns
        .iter()
        .map(|c| r.ident(c))
        .collect::<Result<Vec<_>>>()?;
    Ok(format!(
        "ADD INDEX {} ({})",
        r.ident(name)?,
        columns.join(", ")
    ))
}

/// Whether a literal default of a column of type `ty` must be written as an expression:
/// TEXT, BLOB and JSON columns (and their tiny, medium and long kin). MySQL 8 takes no
/// other default there, and MariaDB stores such a default as SQL text that it parses
/// again, reading the backslashes of a `_utf8mb4 X'...'` literal's value as escapes.
pub(super) fn takes_expression_default(ty: &ColumnType) -> bool {
    match ty {
        ColumnType::Text | ColumnType::Json | ColumnType::Binary => true,
        ColumnType::Custom(c) => {
            let sql = spelling(c).trim_start();
            let word: String = sql
                .chars()
                .take_while(char::is_ascii_alphabetic)
                .collect::<String>()
                .to_ascii_lowercase();
            // MariaDB's `LONG` and `LONG VARBINARY` are MEDIUMTEXT and MEDIUMBLOB.
            matches!(
                word.as_str(),
                "tinytext"
                    | "text"
                    | "mediumtext"
                    | "longtext"
                    | "tinyblob"
                    | "blob"
                    | "mediumblob"
                    | "longblob"
                    | "json"
                    | "long"
            )
        }
        _ => false,
    }
}

/// A literal default of a TEXT, BLOB or JSON column (see [`takes_expression_default`]):
/// the literal in parentheses, and a text holding a backslash or anything but ASCII as
/// `(CONVERT(X'...' USING utf8mb4))`, which MariaDB keeps as it is and reports in
/// `information_schema` (whose text is utf8mb3) without losing a four-byte character.
/// `NULL` stays bare, as MySQL takes it there.
pub(super) fn literal_default(r: &Renderer, v: &Value) -> Result<String> {
    let literal = r.literal(v)?;
    Ok(match v {
        Value::Null => literal,
        Value::Text(s) if s.contains('\\') || !s.is_ascii() => {
            let hex: String = s.bytes().map(|b| format!("{b:02X}")).collect();
            format!("(CONVERT(X'{hex}' USING utf8mb4))")
        }
        _ => format!("({literal})"),
    })
}

/// Whether `ty` is `DATETIME` or `TIMESTAMP`, the types `ON UPDATE` applies to.
fn is_date_time(ty: &ColumnType) -> bool {
    match ty {
        ColumnType::Timestamp | ColumnType::TimestampTz => true,
        ColumnType::Custom(c) => {
            let sql = spelling(c).to_ascii_lowercase();
            sql.starts_with("datetime") || sql.starts_with("timestamp")
        }
        _ => false,
    }
}

/// A custom type's MySQL spelling.
fn spelling(c: &CustomType) -> &str {
    c.mysql.as_deref().unwrap_or(&c.default)
}

/// Whether `ty` holds text, so that a character set applies to it.
fn is_text(ty: &ColumnType) -> bool {
    match ty {
        ColumnType::Text | ColumnType::Varchar(_) => true,
        ColumnType::Custom(c) => {
            let sql = spelling(c).to_ascii_lowercase();
            ["char", "text", "enum", "set("]
                .iter()
                .any(|t| sql.contains(t))
        }
        _ => false,
    }
}
