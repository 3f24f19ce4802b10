//! Reads a MySQL/MariaDB table's columns from `information_schema`, so that altering a
//! column can restate what the change leaves as it is (MySQL's `MODIFY COLUMN` resets
//! every property it does not repeat).

use diesel::sql_types::{BigInt, Binary, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl};

use super::model::{Column, ColumnType, DefaultValue, MysqlAttributes, Table, Value};
use super::mysql::{ColumnDependents, ConstraintDependents, IndexDependents};
use super::shape::TableShape;
use crate::{AnyConnection, Error, Result};

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    ty: String,
    #[diesel(sql_type = Text)]
    nullable: String,
    #[diesel(sql_type = Nullable<Text>)]
    dflt: Option<String>,
    #[diesel(sql_type = Text)]
    extra: String,
    #[diesel(sql_type = Nullable<Text>)]
    charset: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    collation: Option<String>,
    #[diesel(sql_type = Text)]
    comment: String,
}

#[derive(QueryableByName)]
struct CheckRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    clause: String,
}

#[derive(QueryableByName)]
struct ExactDefaultRow {
    #[diesel(sql_type = Nullable<Text>)]
    raw: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    text: Option<String>,
}

#[derive(QueryableByName)]
struct CreateRow {
    #[diesel(sql_type = Binary, column_name = "Create Table")]
    sql: Vec<u8>,
}

#[derive(QueryableByName)]
struct VersionRow {
    #[diesel(sql_type = Text)]
    version: String,
}

/// The columns of `table` (no constraints or indexes: MySQL alters those in place).
pub(crate) fn table_shape(conn: &mut AnyConnection, table: &str) -> Result<TableShape> {
    let mariadb = diesel::sql_query("SELECT VERSION() AS version")
        .get_result::<VersionRow>(conn)?
        .version
        .contains("MariaDB");
    let rows = diesel::sql_query(
        "SELECT CAST(COLUMN_NAME AS CHAR) AS name, CAST(COLUMN_TYPE AS CHAR) AS ty, \
         CAST(IS_NULLABLE AS CHAR) AS nullable, CAST(COLUMN_DEFAULT AS CHAR) AS dflt, \
         CAST(EXTRA AS CHAR) AS extra, CAST(CHARACTER_SET_NAME AS CHAR) AS charset, \
         CAST(COLLATION_NAME AS CHAR) AS collation, CAST(COLUMN_COMMENT AS CHAR) AS comment \
         FROM information_schema.COLUMNS \
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
    )
    .bind::<Text, _>(table)
    .load::<ColumnRow>(conn)?;
    if rows.is_empty() {
        return Err(Error::Schema(format!("no table `{table}` to alter")));
    }
    // MariaDB keeps a column's own `CHECK` apart from the table's, and `MODIFY` drops it.
    let checks = if mariadb {
        diesel::sql_query(
            "SELECT CAST(CONSTRAINT_NAME AS CHAR) AS name, CAST(CHECK_CLAUSE AS CHAR) AS clause \
             FROM information_schema.CHECK_CONSTRAINTS \
             WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = ? AND LEVEL = 'Column'",
        )
        .bind::<Text, _>(table)
        .load::<CheckRow>(conn)?
    } else {
        Vec::new()
    };
    // A comment is restated as this session reads literals: backslashes are escapes
    // unless `sql_mode` says otherwise (MySQL takes no hex literal as a comment).
    let escapes = !diesel::sql_query("SELECT @@SESSION.sql_mode AS version")
        .get_result::<VersionRow>(conn)?
        .version
        .to_ascii_uppercase()
        .contains("NO_BACKSLASH_ESCAPES");
    // MariaDB's `information_schema` is utf8mb3: a character beyond U+FFFF reads as `?`
    // there, and so do the bytes of a binary default that are not UTF-8. Whatever may
    // have been damaged is read again where it is whole, or refused when altered.
    let create = if mariadb && checks.iter().any(|c| c.clause.contains('?')) {
        let sql = diesel::sql_query(format!("SHOW CREATE TABLE {}", quote(table)))
            .get_result::<CreateRow>(conn)?
            .sql;
        Some(String::from_utf8_lossy(&sql).into_owned())
    } else {
        None
    };
    let mut columns = Vec::with_capacity(rows.len());
    for r in rows {
        let extra = r.extra.to_ascii_lowercase();
        let ty = r.ty.to_ascii_lowercase();
        let binary = ty.starts_with("binary") || ty.starts_with("varbinary");
        // Why the default as read may not be the column's, when it could not be read
        // whole: the restatement then needs it stated.
        let mut inexact_default = None;
        // MariaDB reports defaults as SQL (`'text'`, `NULL`, `current_timestamp()`);
        // MySQL reports the bare value, and flags expressions as DEFAULT_GENERATED.
        let default = match r.dflt {
            None => None,
            Some(d) if mariadb && d.eq_ignore_ascii_case("NULL") => None,
            // A literal that may have lost characters or bytes (or holds a NUL, which
            // only an escape writes): its value as the column gives it.
            Some(d)
                if mariadb
                    && d.starts_with('\'')
                    && (binary || d.contains('?') || d.contains("\\0")) =>
            {
                match exact_default(conn, table, &r.name, binary) {
                    Ok(value) => Some(DefaultValue::Value(value)),
                    Err(e) => {
                        inexact_default = Some((d.clone(), e.to_string()));
                        Some(DefaultValue::Expression(d))
                    }
                }
            }
            // MariaDB writes a text default with backslash escapes whatever the
            // session's `sql_mode`: restated as read, it would gain backslashes in a
            // session with `NO_BACKSLASH_ESCAPES`. Its value is rendered afresh.
            Some(d) if mariadb && let Some(text) = mariadb_text_literal(&d) => {
                Some(DefaultValue::Value(Value::Text(text)))
            }
            // What the renderer writes as a TEXT or BLOB column's default, read as
            // its value, so that a restatement under another type writes it afresh.
            Some(d) if mariadb && let Some(value) = mariadb_hex_literal(&d) => {
                Some(DefaultValue::Value(value))
            }
            Some(d) if mariadb || extra.contains("default_generated") => {
                Some(DefaultValue::Expression(d))
            }
            Some(d) => Some(DefaultValue::Value(Value::Text(d))),
        };
        // `EXTRA` as MySQL and MariaDB write it: `on update CURRENT_TIMESTAMP`,
        // `on update current_timestamp()`, `INVISIBLE`, `VIRTUAL GENERATED`, ...
        let on_update = extra.find("on update ").map(|at| {
            let rest = &r.extra[at + "on update ".len()..];
            rest.split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned()
        });
        // The values of an ENUM or SET are in its type (`SHOW CREATE TABLE` writes them
        // with `?` too): one that reads with a `?` in a character set holding characters
        // beyond U+FFFF may not be what the column holds, unless the values as the
        // column gives them hold a real `?` for every one read.
        let wide = r.charset.as_deref().is_some_and(|c| {
            let c = c.to_ascii_lowercase();
            c == "utf8mb4" || c.starts_with("utf16") || c == "utf32"
        });
        let inexact_type = (mariadb
            && wide
            && (ty.starts_with("enum(") || ty.starts_with("set("))
            && r.ty.contains('?')
            && !type_marks_are_real(conn, table, &r.name, &r.ty))
        .then(|| r.ty.clone());
        let mut check = checks
            .iter()
            .find(|c| c.name == r.name)
            .map(|c| c.clause.clone());
        let mut inexact_check = None;
        if let (Some(clause), Some(create)) = (&check, &create)
            && clause.contains('?')
        {
            match whole_check(create, clause) {
                Some(whole) => check = Some(whole),
                None => inexact_check = Some(clause.clone()),
            }
        }
        let mysql = MysqlAttributes {
            charset: r.charset.zip(r.collation),
            on_update,
            invisible: extra.contains("invisible"),
            comment: Some(r.comment).filter(|c| !c.is_empty()).map(|c| {
                let quoted = c.replace('\'', "''");
                if escapes {
                    format!("'{}'", quoted.replace('\\', "\\\\"))
                } else {
                    format!("'{quoted}'")
                }
            }),
            check,
            generated: extra.contains("generated") && !extra.contains("default_generated"),
            inexact_default,
            inexact_type,
            inexact_check,
        };
        columns.push(Column {
            name: r.name,
            ty: ColumnType::custom(r.ty),
            nullable: r.nullable == "YES",
            default,
            primary_key: false,
            auto_increment: extra.contains("auto_increment"),
            mysql,
        });
    }
    Ok(TableShape {
        table: Table {
            name: table.to_owned(),
            columns,
            primary_key: Vec::new(),
            constraints: Vec::new(),
        },
        indexes: Vec::new(),
        dependents: Vec::new(),
    })
}

/// `name` as a MySQL identifier.
fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// The default of `table.column` as the column gives it: the bytes of a binary column,
/// else its text (the column's own bytes when that text holds a NUL, which no text
/// literal holds). Read from a row inserted with the default into a temporary copy of
/// the column: `DEFAULT()` needs a row of the table, and gives `NULL` for a NOT NULL
/// column in the row of nulls an outer join makes.
fn exact_default(
    conn: &mut AnyConnection,
    table: &str,
    column: &str,
    binary: bool,
) -> Result<Value> {
    let probe = quote("migrate_default_probe");
    let column_sql = quote(column);
    diesel::sql_query(format!(
        "CREATE TEMPORARY TABLE {probe} SELECT {column_sql} FROM {} LIMIT 0",
        quote(table)
    ))
    .execute(conn)?;
    let read = diesel::sql_query(format!("INSERT INTO {probe} () VALUES ()"))
        .execute(conn)
        .and_then(|_| {
            diesel::sql_query(format!(
                "SELECT HEX({column_sql}) AS raw, \
                 HEX(CONVERT({column_sql} USING utf8mb4)) AS text FROM {probe}"
            ))
            .get_result::<ExactDefaultRow>(conn)
        });
    let dropped = diesel::sql_query(format!("DROP TEMPORARY TABLE {probe}")).execute(conn);
    let row = read?;
    dropped?;
    let unhex = |hex: Option<String>| -> Option<Vec<u8>> {
        let hex = hex?;
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
            .collect()
    };
    let text = unhex(row.text)
        .and_then(|b| String::from_utf8(b).ok())
        .filter(|t| !binary && !t.contains('\0'));
    match (text, unhex(row.raw)) {
        (Some(text), _) => Ok(Value::Text(text)),
        (None, Some(raw)) => Ok(Value::Bytes(raw)),
        (None, None) => Err(Error::Schema(
            "the row inserted with it read back as NULL".into(),
        )),
    }
}

/// Whether every `?` of `ty`, the type of the ENUM or SET column `table.column` as
/// `information_schema` reads it, is a `?` of its values: the values as the column gives
/// them, read from a temporary copy of the column with a row for each, hold as many `?`
/// and no character beyond U+FFFF. `false` when they cannot be read.
fn type_marks_are_real(conn: &mut AnyConnection, table: &str, column: &str, ty: &str) -> bool {
    #[derive(QueryableByName)]
    struct HexRow {
        #[diesel(sql_type = Nullable<Text>)]
        text: Option<String>,
    }
    let set = ty.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("set("));
    let Some(count) = value_count(ty).filter(|&n| n > 0 && (!set || n <= 64)) else {
        return false;
    };
    // A SET member is chosen by its bit, an ENUM value by its position.
    let rows: Vec<String> = (0..count)
        .map(|i| {
            if set {
                format!("({})", 1u64 << i)
            } else {
                format!("({})", i + 1)
            }
        })
        .collect();
    let probe = quote("migrate_type_probe");
    let column_sql = quote(column);
    if diesel::sql_query(format!(
        "CREATE TEMPORARY TABLE {probe} SELECT {column_sql} FROM {} LIMIT 0",
        quote(table)
    ))
    .execute(conn)
    .is_err()
    {
        return false;
    }
    let read = diesel::sql_query(format!(
        "INSERT INTO {probe} ({column_sql}) VALUES {}",
        rows.join(", ")
    ))
    .execute(conn)
    .and_then(|_| {
        diesel::sql_query(format!(
            "SELECT HEX(CONVERT({column_sql} USING utf8mb4)) AS text FROM {probe}"
        ))
        .load::<HexRow>(conn)
    });
    let dropped = diesel::sql_query(format!("DROP TEMPORARY TABLE {probe}")).execute(conn);
    let (Ok(read), Ok(_)) = (read, dropped) else {
        return false;
    };
    let mut marks = 0;
    for row in &read {
        let Some(value) = row
            .text
            .as_deref()
            .and_then(|hex| {
                (0..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
                    .collect::<Option<Vec<u8>>>()
            })
            .and_then(|bytes| String::from_utf8(bytes).ok())
        else {
            return false;
        };
        if value.chars().any(|c| u32::from(c) > 0xFFFF) {
            return false;
        }
        marks += value.matches('?').count();
    }
    read.len() == count && marks == ty.matches('?').count()
}

/// The number of values of an ENUM or SET type as `information_schema` writes it
/// (`enum('a','it''s','b\\c')`); `None` when it is not one.
fn value_count(ty: &str) -> Option<usize> {
    let open = ty.find('(')?;
    let mut chars = ty[open + 1..].chars();
    let mut count = 0;
    loop {
        if chars.next()? != '\'' {
            return None;
        }
        loop {
            match chars.next()? {
                '\\' => {
                    chars.next()?;
                }
                '\'' => {
                    let mut rest = chars.clone();
                    if rest.next() == Some('\'') {
                        chars = rest;
                    } else {
                        break;
                    }
                }
                _ => {}
            }
        }
        count += 1;
        match chars.next()? {
            ',' => {}
            ')' => return chars.next().is_none().then_some(count),
            _ => return None,
        }
    }
}

/// The column `CHECK` of `create` (a `SHOW CREATE TABLE`, which keeps every character)
/// that reads as `damaged` in `information_schema`, where a character beyond U+FFFF is
/// `?` or `????`; `None` unless exactly one text fits.
fn whole_check(create: &str, damaged: &str) -> Option<String> {
    let as_read = |whole: &str, mark: &str| -> String {
        whole
            .chars()
            .map(|c| {
                if u32::from(c) > 0xFFFF {
                    mark.to_owned()
                } else {
                    c.to_string()
                }
            })
            .collect()
    };
    let mut found: Vec<&str> = Vec::new();
    for (at, _) in create.match_indices(" CHECK (") {
        let rest = &create[at + " CHECK (".len()..];
        for (end, _) in rest.match_indices(')') {
            let whole = &rest[..end];
            if (as_read(whole, "????") == damaged || as_read(whole, "?") == damaged)
                && !found.contains(&whole)
            {
                found.push(whole);
            }
        }
    }
    match found.as_slice() {
        [one] => Some((*one).to_owned()),
        _ => None,
    }
}

#[derive(QueryableByName)]
struct ForeignKeyColumnRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    column: String,
}

#[derive(QueryableByName)]
struct ReferenceColumnRow {
    /// The referencing table's schema, table and constraint name, as one key.
    #[diesel(sql_type = Text)]
    key: String,
    /// The constraint's name.
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    column: String,
}

/// A key part of an index as a dropped column's plan needs it.
#[derive(Debug, Clone)]
struct KeyPart {
    /// The column it indexes, `None` for a functional key part.
    column: Option<String>,
    /// Whether it can serve a foreign key: InnoDB takes neither a prefix of a column nor
    /// a part of a FULLTEXT, SPATIAL or (MariaDB's long unique) HASH index as the index
    /// of a foreign key.
    whole: bool,
}

/// An index: its name (`PRIMARY` for the primary key) and its key parts in order.
type IndexParts = (String, Vec<KeyPart>);

/// What must go with `table.column` for MySQL to drop it: see [`ColumnDependents`]. A
/// column of a composite primary key is refused (MySQL would narrow the key, or refuse
/// with an error naming no key), as on SQLite.
pub(crate) fn column_dependents(
    conn: &mut AnyConnection,
    table: &str,
    column: &str,
) -> Result<ColumnDependents> {
    let mariadb = diesel::sql_query("SELECT VERSION() AS version")
        .get_result::<VersionRow>(conn)?
        .version
        .contains("MariaDB");
    let same = |a: &str| a.eq_ignore_ascii_case(column);
    // Dropping the key the reference needs would fail naming only the index.
    let referencing = diesel::sql_query(
        "SELECT CAST(CONSTRAINT_NAME AS CHAR) AS name, CAST(TABLE_NAME AS CHAR) AS clause \
         FROM information_schema.KEY_COLUMN_USAGE \
         WHERE REFERENCED_TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME = ? \
         AND REFERENCED_COLUMN_NAME = ? ORDER BY TABLE_NAME, CONSTRAINT_NAME",
    )
    .bind::<Text, _>(table)
    .bind::<Text, _>(column)
    .load::<CheckRow>(conn)?;
    if let Some(fk) = referencing.first() {
        return Err(Error::Schema(format!(
            "cannot drop column `{table}.{column}`: foreign key `{}` of table `{}` references \
             it; drop that constraint first (`ctx.drop_constraint(\"{}\", \"{}\")`)",
            fk.name, fk.clause, fk.clause, fk.name
        )));
    }
    let keys = table_keys(conn, table)?;
    let primary: Vec<&str> = keys
        .indexes
        .iter()
        .filter(|(name, _)| name == "PRIMARY")
        .flat_map(|(_, parts)| parts.iter().filter_map(|p| p.column.as_deref()))
        .collect();
    if primary.len() > 1 && primary.iter().any(|c| same(c)) {
        return Err(Error::Schema(format!(
            "cannot drop column `{table}.{column}`: it is part of the primary key ({}); \
             replace the primary key first (`ctx.execute(\"ALTER TABLE ... DROP PRIMARY KEY, \
             ADD PRIMARY KEY (...)\")`)",
            primary.join(", ")
        )));
    }
    let mut deps = key_dependents(column, keys.indexes, keys.foreign_keys, keys.referenced);
    // A MariaDB column-level check goes with its column; MySQL has none.
    let checks_sql = if mariadb {
        "SELECT CAST(CONSTRAINT_NAME AS CHAR) AS name, CAST(CHECK_CLAUSE AS CHAR) AS clause \
         FROM information_schema.CHECK_CONSTRAINTS \
         WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = ? AND LEVEL = 'Table'"
    } else {
        "SELECT CAST(cc.CONSTRAINT_NAME AS CHAR) AS name, CAST(cc.CHECK_CLAUSE AS CHAR) AS clause \
         FROM information_schema.CHECK_CONSTRAINTS cc \
         JOIN information_schema.TABLE_CONSTRAINTS tc \
         ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME \
         WHERE cc.CONSTRAINT_SCHEMA = DATABASE() AND tc.TABLE_NAME = ? \
         AND tc.CONSTRAINT_TYPE = 'CHECK'"
    };
    deps.checks = diesel::sql_query(checks_sql)
        .bind::<Text, _>(table)
        .load::<CheckRow>(conn)?
        .into_iter()
        .filter(|c| super::parse::expression_mentions(&c.clause, column))
        .map(|c| c.name)
        .collect();
    Ok(deps)
}

/// What MySQL needs to drop index `name` of `table` (see [`IndexDependents`]): read
/// from `information_schema`. Nothing when the table has no such index (MySQL then
/// refuses the drop, naming it).
pub(crate) fn index_dependents(
    conn: &mut AnyConnection,
    table: &str,
    name: &str,
) -> Result<IndexDependents> {
    let keys = table_keys(conn, table)?;
    Ok(index_key_dependents(name, keys))
}

/// What MySQL needs to drop foreign key `name` of `table` and leave the table as it was
/// before the key was added (see [`ConstraintDependents`]): read from
/// `information_schema`. Nothing when `name` is no foreign key of the table.
pub(crate) fn constraint_dependents(
    conn: &mut AnyConnection,
    table: &str,
    name: &str,
) -> Result<ConstraintDependents> {
    let keys = table_keys(conn, table)?;
    Ok(constraint_key_dependents(name, keys))
}

/// A table's keys as the plans of [`key_dependents`] and [`index_key_dependents`] need them.
#[derive(Debug, Clone, Default)]
struct TableKeys {
    /// Its indexes, the primary key included (`PRIMARY`), in name order.
    indexes: Vec<IndexParts>,
    /// The names of its unique indexes (the primary key included).
    unique: Vec<String>,
    /// Its foreign keys: name and columns in order.
    foreign_keys: Vec<(String, Vec<String>)>,
    /// The foreign keys referencing it (its own too): name and referenced columns in the
    /// key's order. InnoDB needs an index starting with them on this side as well.
    referenced: Vec<(String, Vec<String>)>,
}

#[derive(QueryableByName)]
struct KeyIndexRow {
    #[diesel(sql_type = Text)]
    name: String,
    /// `NULL` for a functional key part (MySQL 8: an expression).
    #[diesel(sql_type = Nullable<Text>)]
    column: Option<String>,
    /// 1 when the part indexes the whole column in a B-tree, 0 for a prefix of it or a
    /// part of a FULLTEXT, SPATIAL or (MariaDB's long unique) HASH index.
    #[diesel(sql_type = BigInt)]
    whole: i64,
    #[diesel(sql_type = BigInt)]
    unique: i64,
}

/// Reads the indexes, foreign keys and references of `table` (three queries).
fn table_keys(conn: &mut AnyConnection, table: &str) -> Result<TableKeys> {
    let mut keys = TableKeys::default();
    for row in diesel::sql_query(
        "SELECT CAST(INDEX_NAME AS CHAR) AS name, CAST(COLUMN_NAME AS CHAR) AS `column`, \
         CAST(SUB_PART IS NULL AND INDEX_TYPE = 'BTREE' AS SIGNED) AS whole, \
         CAST(NON_UNIQUE = 0 AS SIGNED) AS `unique` \
         FROM information_schema.STATISTICS \
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY INDEX_NAME, SEQ_IN_INDEX",
    )
    .bind::<Text, _>(table)
    .load::<KeyIndexRow>(conn)?
    {
        let part = KeyPart {
            column: row.column,
            whole: row.whole != 0,
        };
        match keys.indexes.last_mut() {
            Some((name, parts)) if *name == row.name => parts.push(part),
            _ => {
                if row.unique != 0 {
                    keys.unique.push(row.name.clone());
                }
                keys.indexes.push((row.name, vec![part]));
            }
        }
    }
    for row in diesel::sql_query(
        "SELECT CAST(CONSTRAINT_NAME AS CHAR) AS name, CAST(COLUMN_NAME AS CHAR) AS `column` \
         FROM information_schema.KEY_COLUMN_USAGE \
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? \
         AND REFERENCED_TABLE_NAME IS NOT NULL ORDER BY CONSTRAINT_NAME, ORDINAL_POSITION",
    )
    .bind::<Text, _>(table)
    .load::<ForeignKeyColumnRow>(conn)?
    {
        match keys.foreign_keys.last_mut() {
            Some((name, columns)) if *name == row.name => columns.push(row.column),
            _ => keys.foreign_keys.push((row.name, vec![row.column])),
        }
    }
    let mut last_key = None;
    for row in diesel::sql_query(
        "SELECT CAST(CONCAT_WS(CHAR(0), TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME) AS CHAR) \
         AS `key`, CAST(CONSTRAINT_NAME AS CHAR) AS name, \
         CAST(REFERENCED_COLUMN_NAME AS CHAR) AS `column` \
         FROM information_schema.KEY_COLUMN_USAGE \
         WHERE REFERENCED_TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME = ? \
         ORDER BY TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION",
    )
    .bind::<Text, _>(table)
    .load::<ReferenceColumnRow>(conn)?
    {
        match keys.referenced.last_mut() {
            Some((_, columns)) if last_key.as_ref() == Some(&row.key) => columns.push(row.column),
            _ => {
                last_key = Some(row.key);
                keys.referenced.push((row.name, vec![row.column]));
            }
        }
    }
    Ok(keys)
}

/// The foreign keys, indexes and replacement indexes of [`ColumnDependents`] for
/// dropping `column`, given the table's indexes (the primary key included), its foreign
/// keys with their columns in order, and the foreign keys referencing it with their
/// referenced columns in order (none of them `column`; the table's own references to
/// itself too).
fn key_dependents(
    column: &str,
    indexes: Vec<IndexParts>,
    foreign_keys: Vec<(String, Vec<String>)>,
    referenced: Vec<(String, Vec<String>)>,
) -> ColumnDependents {
    let same = |a: &str| a.eq_ignore_ascii_case(column);
    let mut deps = ColumnDependents::default();
    let (lost, kept): (Vec<_>, Vec<_>) = foreign_keys
        .into_iter()
        .partition(|(_, columns)| columns.iter().any(|c| same(c)));
    deps.foreign_keys = lost.into_iter().map(|(name, _)| name).collect();
    // The keys that stay need an index on this table starting with their columns: the
    // table's own on the referencing side, and every key referencing it on the referenced
    // side. A reference of the table to itself dropped in the same statement counts too:
    // MariaDB checks the indexes a statement drops against the keys as they were before it.
    let kept: Vec<(String, Vec<String>)> = kept.into_iter().chain(referenced).collect();
    // An index with the column as a plain key part goes whole, as on PostgreSQL. One whose
    // only mention of it is inside an expression is left to MySQL, which refuses the drop.
    // The primary key serves foreign keys like any index, but is never dropped here (a
    // single-column one over the column goes with it, and serves no key that stays).
    let (over, others): (Vec<_>, Vec<_>) = indexes
        .into_iter()
        .partition(|(_, parts)| parts.iter().filter_map(|p| p.column.as_deref()).any(same));
    let over: Vec<_> = over
        .into_iter()
        .filter(|(name, _)| name != "PRIMARY")
        .collect();
    deps.indexes = over.iter().map(|(name, _)| name.clone()).collect();
    // The replacement of a dropped index keeps the old name.
    deps.replacements = unserved_keys(&over, &others, kept)
        .into_iter()
        .map(|unserved| (unserved.index, unserved.columns))
        .collect();
    deps
}

/// A foreign key that only dropped indexes serve: see [`unserved_keys`].
#[derive(Debug, Clone, PartialEq, Eq)]
struct UnservedKey {
    /// The first dropped index that serves it.
    index: String,
    /// The key's name.
    key: String,
    /// The columns a replacement index needs: the key's, in its order.
    columns: Vec<String>,
}

/// The keys of `keys` (name and columns on this table in order) that an index of
/// `dropped` serves and none of `others` does: MySQL will not drop the last index
/// starting with a foreign key's columns, so each needs a plain index on its columns.
/// Longest first: a shorter key served by such a replacement needs none of its own,
/// instead of getting a second index under the same name.
fn unserved_keys(
    dropped: &[IndexParts],
    others: &[IndexParts],
    mut keys: Vec<(String, Vec<String>)>,
) -> Vec<UnservedKey> {
    keys.sort_by_key(|(_, columns)| std::cmp::Reverse(columns.len()));
    let mut out: Vec<UnservedKey> = Vec::new();
    for (key, fk_columns) in keys {
        let served = |(_, parts): &IndexParts| {
            starts_with(
                parts
                    .iter()
                    .map(|p| p.column.as_deref().filter(|_| p.whole)),
                &fk_columns,
            )
        };
        if others.iter().any(served)
            || out
                .iter()
                .any(|u| starts_with(u.columns.iter().map(|c| Some(c.as_str())), &fk_columns))
        {
            continue;
        }
        if let Some((name, _)) = dropped.iter().find(|i| served(i)) {
            out.push(UnservedKey {
                index: name.clone(),
                key,
                columns: fk_columns,
            });
        }
    }
    out
}

/// [`IndexDependents`] of dropping index `name` given `keys`: an index on its columns for
/// each foreign key (of the table, or referencing it) that only this index serves,
/// named after the key as MySQL names the index it creates for one (with `_2`, `_3`, ...
/// when another index of the table has that name).
fn index_key_dependents(name: &str, keys: TableKeys) -> IndexDependents {
    let same = |a: &str| a.eq_ignore_ascii_case(name);
    let (dropped, others): (Vec<_>, Vec<_>) = keys
        .indexes
        .into_iter()
        .partition(|(index, _)| same(index) && index != "PRIMARY");
    let all_keys = keys
        .foreign_keys
        .into_iter()
        .chain(keys.referenced)
        .collect();
    let mut replacements: Vec<(String, Vec<String>)> = Vec::new();
    for unserved in unserved_keys(&dropped, &others, all_keys) {
        let taken = |candidate: &str| {
            others
                .iter()
                .map(|(n, _)| n.as_str())
                .chain(replacements.iter().map(|(n, _)| n.as_str()))
                .any(|n| n.eq_ignore_ascii_case(candidate))
        };
        let mut candidate = unserved.key.clone();
        let mut n = 2;
        while taken(&candidate) {
            candidate = format!("{}_{n}", unserved.key);
            n += 1;
        }
        replacements.push((candidate, unserved.columns));
    }
    IndexDependents { replacements }
}

/// [`ConstraintDependents`] of dropping constraint `name` given `keys`: the index named
/// like it when it is a foreign key whose index is the one MySQL created for it (same
/// name, not unique, exactly the key's whole columns in order) and no other key needs it.
fn constraint_key_dependents(name: &str, keys: TableKeys) -> ConstraintDependents {
    let same = |a: &str| a.eq_ignore_ascii_case(name);
    let Some((fk_name, fk_columns)) = keys.foreign_keys.iter().find(|(n, _)| same(n)) else {
        return ConstraintDependents::default();
    };
    let (own, others): (Vec<_>, Vec<_>) = keys
        .indexes
        .into_iter()
        .partition(|(index, _)| same(index) && index != "PRIMARY");
    let auto = own.first().is_some_and(|(index, parts)| {
        !keys.unique.contains(index)
            && parts.len() == fk_columns.len()
            && starts_with(
                parts
                    .iter()
                    .map(|p| p.column.as_deref().filter(|_| p.whole)),
                fk_columns,
            )
    });
    if !auto {
        return ConstraintDependents::default();
    }
    // The keys that stay: the table's others, and every key referencing it (a reference
    // of the table to itself is both: the dropped one goes).
    let staying: Vec<(String, Vec<String>)> = keys
        .foreign_keys
        .iter()
        .filter(|(n, _)| n != fk_name)
        .cloned()
        .chain(keys.referenced.into_iter().filter(|(n, _)| n != fk_name))
        .collect();
    if !unserved_keys(&own, &others, staying).is_empty() {
        return ConstraintDependents::default();
    }
    ConstraintDependents {
        index: own.into_iter().next().map(|(index, _)| index),
    }
}

/// Whether the key parts `parts` start with `columns` (a part that serves no key, `None`,
/// is no column): an index that serves a foreign key on `columns`.
fn starts_with<'a>(parts: impl IntoIterator<Item = Option<&'a str>>, columns: &[String]) -> bool {
    let mut parts = parts.into_iter();
    columns.iter().all(|c| {
        parts
            .next()
            .flatten()
            .is_some_and(|p| p.eq_ignore_ascii_case(c))
    })
}

/// The value of `sql` when it is one text literal as MariaDB writes a default in
/// `information_schema` (`'it''s C:\\temp'`: quotes doubled, backslash escapes); `None`
/// for anything else (a number, an expression), and for a text holding a NUL, which no
/// literal the renderer writes can hold.
fn mariadb_text_literal(sql: &str) -> Option<String> {
    let inner = sql.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                // Only a doubled quote may stand inside the literal.
                if chars.next() != Some('\'') {
                    return None;
                }
                out.push('\'');
            }
            '\\' => out.push(match chars.next()? {
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                'b' => '\u{8}',
                'Z' => '\u{1a}',
                '0' => return None,
                other => other,
            }),
            c => out.push(c),
        }
    }
    Some(out)
}

/// The value of `sql` when it is a hex literal as MariaDB writes the default of a TEXT or
/// BLOB column the renderer wrote: `X'00ff'` (bytes) or `convert(X'615c62' using
/// utf8mb4)` (a text, when the bytes are UTF-8 without NUL); `None` for anything else.
fn mariadb_hex_literal(sql: &str) -> Option<Value> {
    let (hex, text) = match sql.strip_prefix("convert(") {
        Some(rest) => (rest.strip_suffix(" using utf8mb4)")?, true),
        None => (sql, false),
    };
    let hex = hex
        .strip_prefix(['X', 'x'])?
        .strip_prefix('\'')?
        .strip_suffix('\'')?;
    if hex.len() % 2 != 0 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16))
        .collect::<std::result::Result<_, _>>()
        .ok()?;
    if !text {
        return Some(Value::Bytes(bytes));
    }
    String::from_utf8(bytes)
        .ok()
        .filter(|s| !s.contains('\0'))
        .map(Value::Text)
}

#[cfg(test)]
mod tests {
    use super::{
        IndexParts, KeyPart, TableKeys, constraint_key_dependents, index_key_dependents,
        key_dependents, mariadb_hex_literal, mariadb_text_literal, value_count, whole_check,
    };
    use crate::schema::Value;
    use crate::schema::mysql::{ColumnDependents, ConstraintDependents, IndexDependents};

    /// A B-tree index whose key parts are column names, `col(10)` for a prefix of one, or
    /// `(expr)` for a functional one.
    fn index(name: &str, parts: &[&str]) -> IndexParts {
        let parts = parts
            .iter()
            .map(|p| match p.split_once('(') {
                Some(("", _)) => KeyPart {
                    column: None,
                    whole: true,
                },
                Some((column, _)) => KeyPart {
                    column: Some(column.to_owned()),
                    whole: false,
                },
                None => KeyPart {
                    column: Some((*p).to_owned()),
                    whole: true,
                },
            })
            .collect();
        (name.to_owned(), parts)
    }

    /// A FULLTEXT (or SPATIAL) index over `columns`.
    fn full_text(name: &str, columns: &[&str]) -> IndexParts {
        let (name, mut parts) = index(name, columns);
        for part in &mut parts {
            part.whole = false;
        }
        (name, parts)
    }

    fn fk(name: &str, columns: &[&str]) -> (String, Vec<String>) {
        (
            name.to_owned(),
            columns.iter().map(|c| (*c).to_owned()).collect(),
        )
    }

    fn replacement(name: &str, columns: &[&str]) -> (String, Vec<String>) {
        fk(name, columns)
    }

    #[test]
    fn a_functional_index_goes_only_with_a_plain_part_over_the_column() {
        let deps = key_dependents(
            "b",
            vec![
                index("PRIMARY", &["id"]),
                index("fx_lower_a", &["(lower(a))"]),
                index("fx_a_b", &["(a + 1)", "b"]),
                index("ix_a_b", &["a", "b"]),
            ],
            vec![fk("fk_a", &["a"])],
            Vec::new(),
        );
        assert_eq!(
            deps,
            ColumnDependents {
                indexes: vec!["fx_a_b".into(), "ix_a_b".into()],
                // An index starting with an expression serves no foreign key.
                replacements: vec![replacement("ix_a_b", &["a"])],
                ..ColumnDependents::default()
            }
        );
    }

    #[test]
    fn a_prefix_or_full_text_index_serves_no_foreign_key() {
        for other in [
            index("ix_pre", &["a(10)"]),
            index("ix_pre_b", &["a(10)", "c"]),
            full_text("ft", &["a"]),
        ] {
            let deps = key_dependents(
                "b",
                vec![
                    index("PRIMARY", &["id"]),
                    index("ix_ab", &["a", "b"]),
                    other.clone(),
                ],
                vec![fk("fk_a", &["a"])],
                Vec::new(),
            );
            assert_eq!(deps.indexes, ["ix_ab"], "{other:?}");
            assert_eq!(
                deps.replacements,
                [replacement("ix_ab", &["a"])],
                "{other:?}"
            );
        }
        // A prefix of a later part does not keep the leading ones from serving.
        let deps = key_dependents(
            "b",
            vec![index("ix_ab", &["a", "b"]), index("ix_ac", &["a", "c(5)"])],
            vec![fk("fk_a", &["a"])],
            Vec::new(),
        );
        assert!(deps.replacements.is_empty(), "{deps:?}");
    }

    #[test]
    fn a_key_referencing_the_table_keeps_an_index_on_its_referenced_columns() {
        // `c.x` references `p.a`, which only `ix_ab` serves.
        let deps = key_dependents(
            "b",
            vec![index("PRIMARY", &["id"]), index("ix_ab", &["a", "b"])],
            Vec::new(),
            vec![fk("fk_c_x", &["a"])],
        );
        assert_eq!(deps.indexes, ["ix_ab"]);
        assert_eq!(deps.replacements, [replacement("ix_ab", &["a"])]);
        // One replacement serves the table's own key and a referencing key alike.
        let deps = key_dependents(
            "b",
            vec![index("PRIMARY", &["id"]), index("ix_acb", &["a", "c", "b"])],
            vec![fk("fk_a", &["a"])],
            vec![fk("fk_c_xy", &["a", "c"])],
        );
        assert_eq!(deps.replacements, [replacement("ix_acb", &["a", "c"])]);
        // A key the primary key serves needs none; a reference of the table to itself
        // that goes with the column still does, for the statement that drops it.
        let deps = key_dependents(
            "b",
            vec![index("PRIMARY", &["id"]), index("ix_ab", &["a", "b"])],
            vec![fk("fk_self", &["b"])],
            vec![fk("fk_self", &["id"]), fk("fk_c_x", &["a"])],
        );
        assert_eq!(deps.foreign_keys, ["fk_self"]);
        assert_eq!(deps.indexes, ["ix_ab"]);
        assert_eq!(deps.replacements, [replacement("ix_ab", &["a"])]);
    }

    #[test]
    fn foreign_keys_sharing_an_index_get_one_replacement() {
        let deps = key_dependents(
            "b",
            vec![index("PRIMARY", &["id"]), index("idx", &["a", "c", "b"])],
            vec![fk("fk1", &["a"]), fk("fk2", &["a", "c"])],
            Vec::new(),
        );
        assert_eq!(deps.indexes, ["idx"]);
        assert_eq!(deps.replacements, [replacement("idx", &["a", "c"])]);
    }

    #[test]
    fn a_foreign_key_the_primary_key_serves_needs_no_replacement() {
        let deps = key_dependents(
            "a",
            vec![index("PRIMARY", &["id"]), index("ix", &["id", "a"])],
            vec![fk("fk_id", &["id"])],
            Vec::new(),
        );
        assert_eq!(deps.indexes, ["ix"]);
        assert!(deps.replacements.is_empty(), "{deps:?}");
        // The single-column primary key over the dropped column goes with it, not here.
        let deps = key_dependents(
            "id",
            vec![index("PRIMARY", &["id"])],
            Vec::new(),
            Vec::new(),
        );
        assert!(deps.indexes.is_empty(), "{deps:?}");
    }

    #[test]
    fn dropping_the_last_index_of_a_foreign_key_adds_one_named_after_it() {
        let keys = TableKeys {
            indexes: vec![
                index("PRIMARY", &["id"]),
                index("ix_uxs", &["u", "x", "s"]),
                index("ix_pre", &["r(5)"]),
                index("ix_rs", &["r", "s"]),
                // Taken by an index that serves nothing of this: the key's name gets `_2`.
                index("fk_r", &["s"]),
            ],
            unique: Vec::new(),
            foreign_keys: vec![
                fk("fk_u", &["u"]),
                fk("fk_ux", &["u", "x"]),
                fk("fk_id", &["id"]),
            ],
            // A key of another table on `r`, which only `ix_rs` serves.
            referenced: vec![fk("fk_r", &["r"])],
        };
        // Longest first: one index serves both keys on `u`.
        assert_eq!(
            index_key_dependents("IX_UXS", keys.clone()),
            IndexDependents {
                replacements: vec![replacement("fk_ux", &["u", "x"])],
            }
        );
        // A prefix serves no key.
        assert_eq!(
            index_key_dependents("ix_rs", keys.clone()).replacements,
            [replacement("fk_r_2", &["r"])]
        );
        // An index no key relies on, the primary key, or one that does not exist: nothing.
        for name in ["ix_pre", "PRIMARY", "nope"] {
            assert_eq!(
                index_key_dependents(name, keys.clone()),
                IndexDependents::default(),
                "{name}"
            );
        }
        // Another index serving the key: nothing to add.
        let mut served = keys;
        served.indexes.push(index("ix_u", &["u", "x"]));
        assert!(
            index_key_dependents("ix_uxs", served)
                .replacements
                .is_empty()
        );
    }

    #[test]
    fn dropping_a_foreign_key_drops_only_the_index_mysql_made_for_it() {
        let keys = |indexes: Vec<IndexParts>, foreign_keys, referenced| TableKeys {
            indexes,
            unique: vec!["PRIMARY".into(), "uq".into()],
            foreign_keys,
            referenced,
        };
        let made = ConstraintDependents {
            index: Some("fk_a".into()),
        };
        let plain = ConstraintDependents::default();
        let a = || vec![fk("fk_a", &["a"])];
        assert_eq!(
            constraint_key_dependents("FK_A", keys(vec![index("fk_a", &["a"])], a(), Vec::new())),
            made
        );
        for (why, indexes) in [
            ("more columns", vec![index("fk_a", &["a", "b"])]),
            ("a prefix", vec![index("fk_a", &["a(5)"])]),
            ("another name", vec![index("ix_a", &["a"])]),
        ] {
            assert_eq!(
                constraint_key_dependents("fk_a", keys(indexes, a(), Vec::new())),
                plain,
                "{why}"
            );
        }
        // Unique: a constraint of its own, named like the key.
        let mut unique = keys(vec![index("fk_a", &["a"])], a(), Vec::new());
        unique.unique.push("fk_a".into());
        assert_eq!(constraint_key_dependents("fk_a", unique), plain);
        // Not a foreign key at all.
        assert_eq!(
            constraint_key_dependents(
                "uq",
                keys(vec![index("uq", &["a"])], Vec::new(), Vec::new())
            ),
            plain
        );
        // Another key of the table, or one referencing it, needs it: it stays; unless
        // another index serves that key too.
        let needed = |foreign_keys, referenced, extra: Option<IndexParts>| {
            let mut indexes = vec![index("fk_a", &["a"])];
            indexes.extend(extra);
            constraint_key_dependents("fk_a", keys(indexes, foreign_keys, referenced))
        };
        let both = vec![fk("fk_a", &["a"]), fk("fk_a2", &["a"])];
        assert_eq!(needed(both.clone(), Vec::new(), None), plain);
        assert_eq!(needed(a(), vec![fk("fk_c", &["a"])], None), plain);
        assert_eq!(
            needed(both, Vec::new(), Some(index("ix_ab", &["a", "b"]))),
            made
        );
        // A reference of the table to itself goes with the key.
        assert_eq!(needed(a(), vec![fk("fk_a", &["a"])], None), made);
    }

    #[test]
    fn mariadb_hex_defaults_are_read_as_their_value() {
        assert_eq!(
            mariadb_hex_literal("convert(X'69742773205c0ac3a9' using utf8mb4)"),
            Some(Value::Text("it's \\\n\u{e9}".into()))
        );
        assert_eq!(
            mariadb_hex_literal("X'00ff5c'"),
            Some(Value::Bytes(vec![0, 0xff, 0x5c]))
        );
        assert_eq!(mariadb_hex_literal("X''"), Some(Value::Bytes(Vec::new())));
        for other in [
            "convert(X'00' using utf8mb4)",
            "convert(X'ff' using utf8mb4)",
            "convert(X'61' using latin1)",
            "X'0'",
            "X'zz'",
            "'X''00'''",
            "concat(X'61',X'62')",
            "lower('X')",
        ] {
            assert_eq!(mariadb_hex_literal(other), None, "{other}");
        }
    }

    #[test]
    fn a_check_that_lost_characters_is_found_whole_in_show_create_table() {
        let create = "CREATE TABLE `t` (\n  `c` varchar(9) DEFAULT 'x CHECK (a)' \
                      CHECK (`c` <> '\u{1f600}(?)'),\n  `d` int(11) DEFAULT NULL \
                      CHECK (`d` <> octet_length('\u{1f600}\u{1f601}'))\n)";
        assert_eq!(
            whole_check(create, "`c` <> '????(?)'").as_deref(),
            Some("`c` <> '\u{1f600}(?)'")
        );
        assert_eq!(
            whole_check(create, "`d` <> octet_length('??')").as_deref(),
            Some("`d` <> octet_length('\u{1f600}\u{1f601}')")
        );
        // Nothing fits, or two different texts do: not for sure.
        assert_eq!(whole_check(create, "`c` <> '?'"), None);
        let twice = " CHECK (`a` = '\u{1f600}') CHECK (`a` = '\u{1f601}')";
        assert_eq!(whole_check(twice, "`a` = '????'"), None);
    }

    #[test]
    fn enum_and_set_values_are_counted_as_information_schema_writes_them() {
        assert_eq!(value_count("enum('a','b')"), Some(2));
        assert_eq!(value_count("set('x?','y')"), Some(2));
        assert_eq!(
            value_count(r"enum('it''s','a\\b','c,d','x)','''','\'')"),
            Some(6)
        );
        assert_eq!(value_count("enum('')"), Some(1));
        for not_one in [
            "enum(",
            "enum()",
            "enum('a'",
            "enum('a',)",
            "enum('a')x",
            "int",
        ] {
            assert_eq!(value_count(not_one), None, "{not_one}");
        }
    }

    #[test]
    fn mariadb_text_defaults_are_read_as_their_value() {
        assert_eq!(
            mariadb_text_literal(r"'it''s C:\\temp\n'").as_deref(),
            Some("it's C:\\temp\n")
        );
        assert_eq!(mariadb_text_literal("''").as_deref(), Some(""));
        for not_one_literal in ["5", "current_timestamp()", "'a' || 'b'", "'a'b'", r"'\0'"] {
            assert_eq!(
                mariadb_text_literal(not_one_literal),
                None,
                "{not_one_literal}"
            );
        }
    }
}
