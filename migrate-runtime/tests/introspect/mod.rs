//! What a database's catalog says about a table, in one shape for every backend: columns
//! (type as the database spells it, nullability, default), indexes and named constraints.
//! The schema tests assert on this, not on "no error".

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::collections::BTreeMap;

use diesel::RunQueryDsl;
use diesel::sql_types::{Nullable, Text};
use migrate_runtime::{AnyConnection, Backend};

#[derive(diesel::QueryableByName, Debug)]
struct Row {
    #[diesel(sql_type = Nullable<Text>)]
    a: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    b: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    d: Option<String>,
}

/// One column as the catalog reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnInfo {
    pub name: String,
    /// Lower case.
    pub ty: String,
    pub nullable: bool,
    pub default: Option<String>,
}

/// One index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexInfo {
    pub columns: Vec<String>,
    pub unique: bool,
    /// A partial index's predicate (PostgreSQL only; SQLite keeps it in the SQL).
    pub filter: Option<String>,
}

/// A table as the catalog reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableInfo {
    pub columns: Vec<ColumnInfo>,
    /// Indexes by name, except those backing the primary key.
    pub indexes: BTreeMap<String, IndexInfo>,
    /// Named constraints: name to kind (`UNIQUE`, `FOREIGN KEY`, `CHECK`).
    pub constraints: BTreeMap<String, String>,
    /// Named foreign keys: name to (`ON DELETE`, `ON UPDATE`) rules, upper case.
    pub foreign_keys: BTreeMap<String, (String, String)>,
}

impl TableInfo {
    pub fn column(&self, name: &str) -> &ColumnInfo {
        self.columns
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no column {name} in {:#?}", self.columns))
    }

    pub fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }
}

fn rows(conn: &mut AnyConnection, sql: &str, table: &str) -> Vec<Row> {
    // The queries use `?`, except PostgreSQL's own, which use `$1`.
    let sql = if conn.backend() == Backend::Postgres {
        sql.replace('?', "$1")
    } else {
        sql.to_owned()
    };
    diesel::sql_query(&sql)
        .bind::<Text, _>(table)
        .load::<Row>(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Describes `table`.
pub fn table(conn: &mut AnyConnection, table: &str) -> TableInfo {
    let backend = conn.backend();
    let column_sql = match backend {
        Backend::Sqlite => {
            "SELECT name AS a, type AS b, CAST(\"notnull\" AS TEXT) AS c, dflt_value AS d \
             FROM pragma_table_info(?) ORDER BY cid"
        }
        Backend::Postgres => {
            "SELECT column_name::text AS a, \
             (CASE WHEN data_type = 'USER-DEFINED' THEN udt_name::text ELSE data_type::text END \
              || COALESCE('(' || character_maximum_length || ')', '') \
              || CASE WHEN data_type = 'numeric' THEN '(' || numeric_precision || ',' || numeric_scale || ')' ELSE '' END) AS b, \
             CASE WHEN is_nullable = 'NO' THEN '1' ELSE '0' END AS c, column_default::text AS d \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position"
        }
        _ => {
            "SELECT COLUMN_NAME AS a, COLUMN_TYPE AS b, \
             CASE WHEN IS_NULLABLE = 'NO' THEN '1' ELSE '0' END AS c, COLUMN_DEFAULT AS d \
             FROM information_schema.COLUMNS \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION"
        }
    };
    let columns = rows(conn, column_sql, table)
        .into_iter()
        .map(|r| ColumnInfo {
            name: r.a.unwrap_or_default(),
            ty: r.b.unwrap_or_default().to_lowercase(),
            nullable: r.c.as_deref() == Some("0"),
            default: r.d,
        })
        .collect();

    let index_sql = match backend {
        Backend::Sqlite => {
            "SELECT il.name AS a, \
             (SELECT group_concat(ii.name, ',') FROM (SELECT name FROM pragma_index_info(il.name) ORDER BY seqno) ii) AS b, \
             CAST(il.\"unique\" AS TEXT) AS c, il.origin AS d \
             FROM pragma_index_list(?) il"
        }
        Backend::Postgres => {
            "SELECT i.relname::text AS a, \
             (SELECT string_agg(att.attname::text, ',' ORDER BY k.ord) \
              FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord) \
              JOIN pg_attribute att ON att.attrelid = t.oid AND att.attnum = k.attnum) AS b, \
             CASE WHEN ix.indisprimary THEN 'pk' WHEN ix.indisunique THEN '1' ELSE '0' END AS c, \
             pg_get_expr(ix.indpred, ix.indrelid) AS d \
             FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid \
             JOIN pg_class i ON i.oid = ix.indexrelid \
             WHERE t.relname = $1 \
             AND t.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())"
        }
        _ => {
            "SELECT INDEX_NAME AS a, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) AS b, \
             CASE WHEN INDEX_NAME = 'PRIMARY' THEN 'pk' WHEN MAX(NON_UNIQUE) = 0 THEN '1' ELSE '0' END AS c, \
             NULL AS d \
             FROM information_schema.STATISTICS \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? GROUP BY INDEX_NAME"
        }
    };
    let indexes = rows(conn, index_sql, table)
        .into_iter()
        .filter(|r| r.c.as_deref() != Some("pk") && r.d.as_deref() != Some("pk"))
        .map(|r| {
            let filter = if backend == Backend::Postgres {
                r.d
            } else {
                None
            };
            (
                r.a.unwrap_or_default(),
                IndexInfo {
                    columns: r
                        .b
                        .unwrap_or_default()
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect(),
                    unique: r.c.as_deref() == Some("1"),
                    filter,
                },
            )
        })
        .collect();

    let constraints = match backend {
        Backend::Sqlite => sqlite_constraints(conn, table),
        Backend::Postgres => rows(
            conn,
            "SELECT constraint_name::text AS a, constraint_type::text AS b, NULL AS c, NULL AS d \
             FROM information_schema.table_constraints \
             WHERE table_schema = current_schema() AND table_name = $1 \
             AND constraint_type <> 'PRIMARY KEY' AND constraint_name NOT LIKE '%_not_null'",
            table,
        )
        .into_iter()
        .map(|r| (r.a.unwrap_or_default(), r.b.unwrap_or_default()))
        .collect(),
        _ => rows(
            conn,
            "SELECT CONSTRAINT_NAME AS a, CONSTRAINT_TYPE AS b, NULL AS c, NULL AS d \
             FROM information_schema.TABLE_CONSTRAINTS \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND CONSTRAINT_TYPE <> 'PRIMARY KEY'",
            table,
        )
        .into_iter()
        .map(|r| (r.a.unwrap_or_default(), r.b.unwrap_or_default()))
        .collect(),
    };
    let foreign_keys = match backend {
        Backend::Sqlite => sqlite_foreign_keys(conn, table),
        Backend::Postgres => rows(
            conn,
            "SELECT tc.constraint_name::text AS a, rc.delete_rule::text AS b, \
             rc.update_rule::text AS c, NULL AS d \
             FROM information_schema.referential_constraints rc \
             JOIN information_schema.table_constraints tc \
             ON tc.constraint_name = rc.constraint_name \
             AND tc.constraint_schema = rc.constraint_schema \
             WHERE tc.table_schema = current_schema() AND tc.table_name = $1",
            table,
        )
        .into_iter()
        .map(fk_row)
        .collect(),
        _ => rows(
            conn,
            "SELECT CONSTRAINT_NAME AS a, DELETE_RULE AS b, UPDATE_RULE AS c, NULL AS d \
             FROM information_schema.REFERENTIAL_CONSTRAINTS \
             WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = ?",
            table,
        )
        .into_iter()
        .map(fk_row)
        .collect(),
    };
    TableInfo {
        columns,
        indexes,
        constraints,
        foreign_keys,
    }
}

fn fk_row(r: Row) -> (String, (String, String)) {
    (
        r.a.unwrap_or_default(),
        (
            r.b.unwrap_or_default().to_uppercase(),
            r.c.unwrap_or_default().to_uppercase(),
        ),
    )
}

#[cfg(feature = "sqlite")]
fn sqlite_foreign_keys(
    conn: &mut AnyConnection,
    table: &str,
) -> BTreeMap<String, (String, String)> {
    use migrate_runtime::schema::{Action, ConstraintKind};
    let shape = migrate_runtime::schema::sqlite_table_shape(conn, table).unwrap();
    let rule = |a: Option<Action>| a.unwrap_or(Action::NoAction).as_sql().to_owned();
    shape
        .table
        .constraints
        .into_iter()
        .filter_map(|c| match c.kind {
            ConstraintKind::ForeignKey(fk) => {
                Some((c.name?, (rule(fk.on_delete), rule(fk.on_update))))
            }
            _ => None,
        })
        .collect()
}

#[cfg(not(feature = "sqlite"))]
fn sqlite_foreign_keys(
    _conn: &mut AnyConnection,
    _table: &str,
) -> BTreeMap<String, (String, String)> {
    unreachable!("SQLite connections need the sqlite feature")
}

#[cfg(feature = "sqlite")]
fn sqlite_constraints(conn: &mut AnyConnection, table: &str) -> BTreeMap<String, String> {
    use migrate_runtime::schema::ConstraintKind;
    let shape = migrate_runtime::schema::sqlite_table_shape(conn, table).unwrap();
    shape
        .table
        .constraints
        .into_iter()
        .filter_map(|c| {
            let kind = match c.kind {
                ConstraintKind::Unique(_) => "UNIQUE",
                ConstraintKind::ForeignKey(_) => "FOREIGN KEY",
                ConstraintKind::Check(_) => "CHECK",
                _ => "OTHER",
            };
            Some((c.name?, kind.to_owned()))
        })
        .collect()
}

#[cfg(not(feature = "sqlite"))]
fn sqlite_constraints(_conn: &mut AnyConnection, _table: &str) -> BTreeMap<String, String> {
    unreachable!("SQLite connections need the sqlite feature")
}

/// The user tables of the database, sorted.
pub fn tables(conn: &mut AnyConnection) -> Vec<String> {
    let sql = match conn.backend() {
        Backend::Sqlite => {
            "SELECT name AS a, NULL AS b, NULL AS c, NULL AS d FROM sqlite_master \
             WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> ? ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name::text AS a, NULL AS b, NULL AS c, NULL AS d \
             FROM information_schema.tables WHERE table_schema = current_schema() \
             AND table_name <> $1 ORDER BY table_name"
        }
        _ => {
            "SELECT TABLE_NAME AS a, NULL AS b, NULL AS c, NULL AS d \
             FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() \
             AND TABLE_NAME <> ? ORDER BY TABLE_NAME"
        }
    };
    rows(conn, sql, "")
        .into_iter()
        .filter_map(|r| r.a)
        .collect()
}

/// Every table with its description, and the version table's rows: what an offline
/// script must reproduce.
pub fn database(conn: &mut AnyConnection) -> (BTreeMap<String, TableInfo>, Vec<String>) {
    let tables = tables(conn)
        .into_iter()
        .map(|t| {
            let info = table(conn, &t);
            (t, info)
        })
        .collect();
    let versions = rows(
        conn,
        "SELECT version_num AS a, NULL AS b, NULL AS c, NULL AS d FROM migrate_version \
         WHERE version_num <> ? ORDER BY version_num",
        "",
    )
    .into_iter()
    .filter_map(|r| r.a)
    .collect();
    (tables, versions)
}

/// One column of every row of `table`, as text, ordered by `order`.
pub fn values(
    conn: &mut AnyConnection,
    table: &str,
    column: &str,
    order: &str,
) -> Vec<Option<String>> {
    let (q, cast) = match conn.backend() {
        Backend::Mysql => ('`', "CHAR"),
        _ => ('"', "TEXT"),
    };
    let sql = format!(
        "SELECT CAST({q}{column}{q} AS {cast}) AS a, NULL AS b, NULL AS c, NULL AS d \
         FROM {q}{table}{q} WHERE 1 = 1 OR '' = ? ORDER BY {q}{order}{q}",
        column = column.replace(q, &format!("{q}{q}")),
        table = table.replace(q, &format!("{q}{q}")),
        order = order.replace(q, &format!("{q}{q}")),
    );
    rows(conn, &sql, "").into_iter().map(|r| r.a).collect()
}
