//! MySQL and MariaDB spellings: types, literals and column alterations, which restate
//! the whole column.

use super::model::{AlterColumn, Column, ColumnType};
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
        ColumnType::Custom(c) => c.mysql.clone().unwrap_or_else(|| c.default.clone()),
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
        return Ok(match &change.default {
            Some(Some(default)) => vec![format!(
                "ALTER TABLE {table_sql} ALTER COLUMN {} SET DEFAULT {}",
                r.ident(column)?,
                r.default(default)?
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
    let mut restated = Column::new(column, ty);
    restated.nullable = nullable;
    restated.default = default;
    restated.auto_increment = known.is_some_and(|c| c.auto_increment);
    Ok(vec![format!(
        "ALTER TABLE {table_sql} MODIFY COLUMN {}",
        r.column_def(&restated)?
    )])
}
