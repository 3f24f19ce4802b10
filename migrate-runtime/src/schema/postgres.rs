//! PostgreSQL spellings: types, literals and column alterations.

use super::model::{AlterColumn, ColumnType};
use super::render::Renderer;
use crate::Result;

/// The PostgreSQL name of `ty`.
pub(super) fn type_sql(ty: &ColumnType) -> String {
    match ty {
        ColumnType::SmallInt => "SMALLINT".into(),
        ColumnType::Integer => "INTEGER".into(),
        ColumnType::BigInt => "BIGINT".into(),
        ColumnType::Boolean => "BOOLEAN".into(),
        ColumnType::Text => "TEXT".into(),
        ColumnType::Varchar(n) => format!("VARCHAR({n})"),
        ColumnType::Float => "REAL".into(),
        ColumnType::Double => "DOUBLE PRECISION".into(),
        ColumnType::Numeric { precision, scale } => format!("NUMERIC({precision}, {scale})"),
        ColumnType::Date => "DATE".into(),
        ColumnType::Time => "TIME".into(),
        ColumnType::Timestamp => "TIMESTAMP".into(),
        ColumnType::TimestampTz => "TIMESTAMP WITH TIME ZONE".into(),
        ColumnType::Uuid => "UUID".into(),
        ColumnType::Json => "JSONB".into(),
        ColumnType::Binary => "BYTEA".into(),
        ColumnType::Custom(c) => c.postgres.clone().unwrap_or_else(|| c.default.clone()),
    }
}

/// `ALTER TABLE ... ALTER COLUMN` statements, one per changed property.
pub(super) fn alter_column(
    r: &Renderer,
    table: &str,
    column: &str,
    change: &AlterColumn,
) -> Result<Vec<String>> {
    let prefix = format!(
        "ALTER TABLE {} ALTER COLUMN {}",
        r.ident(table)?,
        r.ident(column)?
    );
    let mut out = Vec::new();
    // A new type with a new default, or with the default dropped: the old default goes
    // first, or PostgreSQL tries to cast it to the new type (a `false` to an integer) and
    // fails.
    let default_first = change.ty.is_some() && change.default.is_some();
    if default_first {
        out.push(format!("{prefix} DROP DEFAULT"));
    }
    if let Some(ty) = &change.ty {
        let sql = type_sql(ty);
        // `USING` converts existing values where no implicit cast exists (text to integer).
        // Not to a string type: there an explicit cast cuts a value to the new length,
        // where the assignment cast PostgreSQL applies without `USING` refuses it. Every
        // type has an assignment cast to text, so none is needed. A custom type gets none
        // either: its length is unknown, and PostgreSQL's error names the `USING` to write.
        let using = match ty {
            ColumnType::Text | ColumnType::Varchar(_) | ColumnType::Custom(_) => String::new(),
            _ => format!(" USING {}::{sql}", r.ident(column)?),
        };
        out.push(format!("{prefix} TYPE {sql}{using}"));
    }
    if let Some(nullable) = change.nullable {
        out.push(format!(
            "{prefix} {} NOT NULL",
            if nullable { "DROP" } else { "SET" }
        ));
    }
    match &change.default {
        Some(Some(default)) => out.push(format!(
            "{prefix} SET DEFAULT {}",
            r.default(default, None)?
        )),
        Some(None) if !default_first => out.push(format!("{prefix} DROP DEFAULT")),
        Some(None) => {}
        None => {}
    }
    Ok(out)
}
