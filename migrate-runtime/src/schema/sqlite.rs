//! SQLite spellings: types, literals, and which operations need a table rebuild.

use super::model::{ColumnType, Operation};

/// The SQLite name of `ty`.
pub(super) fn type_sql(ty: &ColumnType) -> String {
    match ty {
        ColumnType::SmallInt => "SMALLINT".into(),
        ColumnType::Integer => "INTEGER".into(),
        ColumnType::BigInt => "BIGINT".into(),
        ColumnType::Boolean => "BOOLEAN".into(),
        ColumnType::Text => "TEXT".into(),
        ColumnType::Varchar(n) => format!("VARCHAR({n})"),
        ColumnType::Float => "REAL".into(),
        ColumnType::Double => "DOUBLE".into(),
        ColumnType::Numeric { precision, scale } => format!("NUMERIC({precision}, {scale})"),
        ColumnType::Date => "DATE".into(),
        ColumnType::Time => "TIME".into(),
        ColumnType::Timestamp => "TIMESTAMP".into(),
        ColumnType::TimestampTz => "TIMESTAMPTZ".into(),
        ColumnType::Uuid => "CHAR(36)".into(),
        // `JSON` would get NUMERIC affinity and turn '123' into an integer.
        ColumnType::Json => "TEXT".into(),
        ColumnType::Binary => "BLOB".into(),
        ColumnType::Custom(c) => c.sqlite.clone().unwrap_or_else(|| c.default.clone()),
    }
}

/// Whether SQLite can apply `op` in place (`ALTER TABLE` supports only renames and
/// simple column additions), as opposed to rebuilding the table. `DROP COLUMN` is always
/// rebuilt: in-place it needs SQLite 3.35 and fails on indexed or constrained columns.
pub(super) fn in_place(op: &Operation) -> bool {
    match op {
        Operation::AddColumn { column, .. } => {
            let constant_default =
                matches!(column.default, None | Some(super::DefaultValue::Value(_)));
            !column.primary_key
                && !column.auto_increment
                && constant_default
                && (column.nullable || column.default.is_some())
        }
        Operation::AlterColumn { .. }
        | Operation::DropColumn { .. }
        | Operation::AddConstraint { .. }
        | Operation::DropConstraint { .. } => false,
        _ => true,
    }
}
