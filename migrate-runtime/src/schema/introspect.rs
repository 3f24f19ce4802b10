//! Reads a SQLite table's shape from the database, for rebuilds: columns from
//! `pragma_table_info`, constraints from the `CREATE TABLE` statement, indexes from
//! `sqlite_master` and `pragma_index_info`, and the triggers and views naming the table
//! from `sqlite_master`.

use diesel::sql_types::{Integer, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl};

use super::model::{Column, ColumnType, DefaultValue, Table};
use super::shape::{Dependent, DependentKind, KnownIndex, TableShape};
use crate::{AnyConnection, Error, Result};

#[derive(QueryableByName)]
struct SqlRow {
    #[diesel(sql_type = Nullable<Text>)]
    sql: Option<String>,
}

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text, column_name = "type")]
    ty: String,
    #[diesel(sql_type = Integer)]
    notnull: i32,
    #[diesel(sql_type = Nullable<Text>)]
    dflt_value: Option<String>,
    #[diesel(sql_type = Integer)]
    pk: i32,
}

#[derive(QueryableByName)]
struct IndexRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    sql: String,
}

#[derive(QueryableByName)]
struct ObjectRow {
    #[diesel(sql_type = Text, column_name = "type")]
    kind: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    tbl_name: String,
    #[diesel(sql_type = Text)]
    sql: String,
}

#[derive(QueryableByName)]
struct NameRow {
    #[diesel(sql_type = Nullable<Text>)]
    name: Option<String>,
}

/// [`table_shape`] for a rebuild, which re-creates the table from what the shape holds:
/// refused, rather than losing it, for a table declaring what a shape cannot hold.
pub(crate) fn shape_for_rebuild(conn: &mut AnyConnection, table: &str) -> Result<TableShape> {
    let create = create_sql(conn, table)?;
    let unkept = |what: &str| {
        Error::Schema(format!(
            "table `{table}` has {what}, which the table rebuild SQLite needs for this \
             change would not keep; make the change with raw SQL instead (`ctx.execute`: \
             create the new table, copy the rows, drop the old one, rename the new one)"
        ))
    };
    if let Some(what) = super::parse::unkept_by_rebuild(&create) {
        return Err(unkept(what));
    }
    let generated = diesel::sql_query(
        "SELECT name FROM pragma_table_xinfo(?) WHERE hidden IN (2, 3) ORDER BY cid",
    )
    .bind::<Text, _>(table)
    .load::<NameRow>(conn)?;
    if let Some(column) = generated.into_iter().find_map(|r| r.name) {
        return Err(unkept(&format!("the generated column `{column}`")));
    }
    shape_of(conn, table, &create)
}

/// The `CREATE TABLE` statement of `table`.
fn create_sql(conn: &mut AnyConnection, table: &str) -> Result<String> {
    let found =
        diesel::sql_query("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?")
            .bind::<Text, _>(table)
            .load::<SqlRow>(conn)?
            .into_iter()
            .next()
            .and_then(|r| r.sql);
    if let Some(sql) = found {
        return Ok(sql);
    }
    // SQLite's names ignore ASCII case, but the rebuild re-creates the table under the
    // name it is given: rather than renaming `Users` to `users` on the way, ask for it.
    let other = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE",
    )
    .bind::<Text, _>(table)
    .load::<NameRow>(conn)?
    .into_iter()
    .find_map(|r| r.name);
    Err(Error::Schema(match other {
        Some(stored) => format!(
            "no table `{table}` to alter: the table is named `{stored}`; write its name as \
             it was created (a rebuild re-creates the table under the name it is given)"
        ),
        None => format!("no table `{table}` to alter"),
    }))
}

/// A default as `pragma_table_info` reports it, as a `DEFAULT` clause takes it: the
/// pragma drops the parentheses of `DEFAULT (datetime('now'))`, without which a function
/// call is no valid default.
fn default_sql(reported: String) -> String {
    let call = reported.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && reported.contains('(');
    if call {
        format!("({reported})")
    } else {
        reported
    }
}

/// The current shape of `table`.
pub(crate) fn table_shape(conn: &mut AnyConnection, table: &str) -> Result<TableShape> {
    let create = create_sql(conn, table)?;
    shape_of(conn, table, &create)
}

/// The shape of `table`, created by the statement `create`.
fn shape_of(conn: &mut AnyConnection, table: &str, create: &str) -> Result<TableShape> {
    let rows = diesel::sql_query(
        "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid",
    )
    .bind::<Text, _>(table)
    .load::<ColumnRow>(conn)?;
    let mut pk: Vec<(i32, String)> = rows
        .iter()
        .filter(|r| r.pk > 0)
        .map(|r| (r.pk, r.name.clone()))
        .collect();
    pk.sort();
    let single_pk = pk.len() == 1;
    // `AUTOINCREMENT` is only allowed on the `INTEGER PRIMARY KEY`, so the keyword in the
    // statement (not in a string or a name) says which column has it.
    let autoincrement = super::parse::has_keyword(create, "AUTOINCREMENT");
    let columns = rows
        .into_iter()
        .map(|r| {
            let primary_key = single_pk && r.pk == 1;
            // The rowid's alias never holds NULL; any other primary-key column SQLite lets
            // hold NULL unless declared NOT NULL (a historical quirk), and rows may rely on
            // it, so the rebuilt table must not refuse them.
            let rowid = primary_key && r.ty.eq_ignore_ascii_case("INTEGER");
            Column {
                name: r.name,
                ty: ColumnType::custom(r.ty),
                nullable: r.notnull == 0 && !rowid,
                default: r
                    .dflt_value
                    .map(|d| DefaultValue::Expression(default_sql(d))),
                primary_key,
                auto_increment: primary_key && autoincrement,
                mysql: Default::default(),
            }
        })
        .collect();

    let mut indexes = Vec::new();
    let rows = diesel::sql_query(
        "SELECT name, sql FROM sqlite_master \
         WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY rowid",
    )
    .bind::<Text, _>(table)
    .load::<IndexRow>(conn)?;
    for row in rows {
        let columns = diesel::sql_query("SELECT name FROM pragma_index_info(?) ORDER BY seqno")
            .bind::<Text, _>(&row.name)
            .load::<NameRow>(conn)?
            .into_iter()
            .filter_map(|r| r.name)
            .collect();
        indexes.push(KnownIndex::Verbatim {
            name: row.name,
            columns,
            sql: row.sql,
        });
    }

    Ok(TableShape {
        table: Table {
            name: table.to_owned(),
            columns,
            primary_key: if single_pk {
                Vec::new()
            } else {
                pk.into_iter().map(|(_, n)| n).collect()
            },
            constraints: super::parse::constraints(create),
        },
        indexes,
        dependents: dependents(conn, table)?,
    })
}

/// The views naming `table`, directly or through other views, and the triggers on or
/// naming the table or one of those views, in creation order.
fn dependents(conn: &mut AnyConnection, table: &str) -> Result<Vec<Dependent>> {
    let rows = diesel::sql_query(
        "SELECT type, name, tbl_name, sql FROM sqlite_master \
         WHERE type IN ('view', 'trigger') AND sql IS NOT NULL ORDER BY rowid",
    )
    .load::<ObjectRow>(conn)?;
    // A view over a view over the table breaks the rename as surely as one over the table.
    let mut named = vec![table.to_owned()];
    let mut views = vec![false; rows.len()];
    loop {
        let before = named.len();
        for (row, is_dependent) in rows.iter().zip(&mut views) {
            if row.kind == "view"
                && !*is_dependent
                && named.iter().any(|n| super::parse::mentions(&row.sql, n))
            {
                *is_dependent = true;
                named.push(row.name.clone());
            }
        }
        if named.len() == before {
            break;
        }
    }
    Ok(rows
        .into_iter()
        .zip(views)
        .filter_map(|(row, is_view)| {
            let kind = if is_view {
                DependentKind::View
            } else if row.kind == "trigger"
                && named.iter().any(|n| {
                    row.tbl_name.eq_ignore_ascii_case(n) || super::parse::mentions(&row.sql, n)
                })
            {
                DependentKind::Trigger
            } else {
                return None;
            };
            Some(Dependent {
                kind,
                name: row.name,
                on: row.tbl_name,
                sql: row.sql,
            })
        })
        .collect())
}
