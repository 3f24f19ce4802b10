//! SQLite table rebuilds through the executor: rows, indexes and foreign keys survive,
//! with foreign-key enforcement on and a dependent table whose rows would cascade.

mod introspect;
mod support;

use diesel::connection::SimpleConnection;
use migrate_runtime::schema::{Action, AlterColumn, Column, ColumnType, Constraint, Index, Table};
use migrate_runtime::{AnyConnection, DatabaseUrl, MigrationFn, MigrationSet, Migrator};
use support::{custom, id, row_count};

fn open(dir: &tempfile::TempDir) -> AnyConnection {
    let url = DatabaseUrl::sqlite_file(&dir.path().join("rebuild.sqlite3"));
    let mut conn = AnyConnection::open(&url).unwrap();
    conn.batch_execute("PRAGMA foreign_keys = ON").unwrap();
    conn
}

fn schema() -> migrate_runtime::Migration {
    custom("a", &[], |ctx| {
        ctx.create_table(
            Table::new("authors")
                .column(
                    Column::new("id", ColumnType::BigInt)
                        .primary_key()
                        .auto_increment(),
                )
                .column(Column::new("name", ColumnType::Varchar(100)).not_null())
                .column(Column::new("rating", ColumnType::Integer)),
        )?;
        ctx.create_index(Index::new("ix_authors_name", "authors", ["name"]))?;
        ctx.create_index(
            Index::new("ix_authors_rated", "authors", ["rating"]).filter("rating IS NOT NULL"),
        )?;
        ctx.create_table(
            Table::new("books")
                .column(
                    Column::new("id", ColumnType::BigInt)
                        .primary_key()
                        .auto_increment(),
                )
                .column(Column::new("author_id", ColumnType::BigInt).not_null())
                .column(Column::new("title", ColumnType::Text).not_null())
                .constraint(
                    Constraint::foreign_key("fk_books_author", ["author_id"], "authors", ["id"])
                        .on_delete(Action::Cascade),
                ),
        )?;
        ctx.execute(
            "INSERT INTO authors (name, rating) VALUES ('Le Guin', 5), ('Tolkien', NULL), ('Pratchett', 4);
             INSERT INTO books (author_id, title) VALUES (1, 'Earthsea'), (2, 'The Hobbit'), (3, 'Mort'), (3, 'Guards! Guards!')",
        )
    })
}

#[test]
fn rebuilding_a_referenced_table_keeps_rows_indexes_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    let rebuild = custom("b", &["a"], |ctx| {
        // Four operations on `authors`, one rebuild.
        ctx.alter_column("authors", "name", AlterColumn::new().ty(ColumnType::Text))?;
        ctx.alter_column(
            "authors",
            "rating",
            AlterColumn::new()
                .nullable(false)
                .default(0)
                .ty(ColumnType::SmallInt),
        )?;
        ctx.add_constraint("authors", Constraint::unique("uq_authors_name", ["name"]))?;
        ctx.add_constraint(
            "authors",
            Constraint::check("ck_authors_rating", "rating BETWEEN 0 AND 5"),
        )?;
        Ok(())
    });
    let migrator = Migrator::new(MigrationSet::new(vec![schema()]).unwrap());
    migrator.upgrade(&mut conn, "head").unwrap();
    // Tolkien's NULL rating would break the new NOT NULL; fill it first, as a real
    // migration would.
    conn.batch_execute("UPDATE authors SET rating = 3 WHERE rating IS NULL")
        .unwrap();
    let migrator = Migrator::new(MigrationSet::new(vec![schema(), rebuild]).unwrap());
    migrator.upgrade(&mut conn, "head").unwrap();

    assert_eq!(row_count(&mut conn, "authors"), 3);
    assert_eq!(
        row_count(&mut conn, "books"),
        4,
        "the rebuild cascaded into books"
    );
    let info = introspect::table(&mut conn, "authors");
    assert_eq!(info.column("name").ty, "text");
    assert_eq!(info.column("rating").ty, "smallint");
    assert!(!info.column("rating").nullable);
    assert_eq!(info.column("rating").default.as_deref(), Some("0"));
    assert!(info.indexes.contains_key("ix_authors_name"));
    assert!(info.indexes.contains_key("ix_authors_rated"));
    assert_eq!(
        info.constraints.get("uq_authors_name").map(String::as_str),
        Some("UNIQUE")
    );
    assert_eq!(
        info.constraints
            .get("ck_authors_rating")
            .map(String::as_str),
        Some("CHECK")
    );
    assert_eq!(
        introspect::values(&mut conn, "authors", "name", "id"),
        [
            Some("Le Guin".into()),
            Some("Tolkien".into()),
            Some("Pratchett".into())
        ]
    );
    // The AUTOINCREMENT sequence carried over: a new author gets id 4.
    conn.batch_execute("INSERT INTO authors (name) VALUES ('Jemisin')")
        .unwrap();
    assert_eq!(
        introspect::values(&mut conn, "authors", "id", "id").last(),
        Some(&Some("4".into()))
    );
    // Enforcement is back on, and the foreign key still points at the rebuilt table.
    let orphan = conn.batch_execute("INSERT INTO books (author_id, title) VALUES (99, 'x')");
    assert!(orphan.is_err(), "foreign keys are no longer enforced");
    conn.batch_execute("DELETE FROM authors WHERE id = 3")
        .unwrap();
    assert_eq!(
        row_count(&mut conn, "books"),
        2,
        "ON DELETE CASCADE no longer works"
    );

    // And the downgrade-free path back: dropping a column is a rebuild too.
    let drop = custom("c", &["b"], |ctx| ctx.drop_column("authors", "rating"));
    let migrator = Migrator::new(
        MigrationSet::new(vec![schema(), custom("b", &["a"], |_| Ok(())), drop]).unwrap(),
    );
    migrator.upgrade(&mut conn, "head").unwrap();
    let info = introspect::table(&mut conn, "authors");
    assert_eq!(info.column_names(), ["id", "name"]);
    assert!(
        !info.indexes.contains_key("ix_authors_rated"),
        "index on a dropped column kept"
    );
    assert!(info.indexes.contains_key("ix_authors_name"));
    assert!(!info.constraints.contains_key("ck_authors_rating"));
    assert_eq!(row_count(&mut conn, "books"), 2);
}

#[test]
fn a_rebuild_that_breaks_a_foreign_key_fails_and_rolls_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    let migrator = Migrator::new(MigrationSet::new(vec![schema()]).unwrap());
    migrator.upgrade(&mut conn, "head").unwrap();
    // A data change inside the migration that leaves books without their author: with
    // enforcement suspended for the rebuild, the check before commit must catch it.
    let bad = custom("b", &["a"], |ctx| {
        ctx.alter_column("authors", "rating", AlterColumn::new().default(1))?;
        ctx.execute("DELETE FROM authors WHERE id = 1")
    })
    .with_downgrade(MigrationFn::new(|_| Ok(())));
    let migrator = Migrator::new(MigrationSet::new(vec![schema(), bad]).unwrap());
    let err = migrator.upgrade(&mut conn, "head").unwrap_err();
    assert!(err.to_string().contains("foreign key violation"), "{err}");
    assert_eq!(row_count(&mut conn, "authors"), 3);
    let info = introspect::table(&mut conn, "authors");
    assert_eq!(info.column("rating").default, None);
    assert_eq!(
        migrator.current(&mut conn).unwrap(),
        [id("a")],
        "the failed migration was recorded"
    );
}

#[test]
fn a_rename_before_a_rebuild_is_seen_by_the_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    let rename_then_alter = custom("b", &["a"], |ctx| {
        // The index on `name` follows the rename in place; the rebuild that follows must
        // re-create it with the new name.
        ctx.rename_column("authors", "name", "full_name")?;
        ctx.alter_column(
            "authors",
            "full_name",
            AlterColumn::new().ty(ColumnType::Varchar(200)),
        )?;
        ctx.drop_column("authors", "rating")
    });
    let migrator = Migrator::new(MigrationSet::new(vec![schema(), rename_then_alter]).unwrap());
    migrator.upgrade(&mut conn, "head").unwrap();
    let info = introspect::table(&mut conn, "authors");
    assert_eq!(info.column_names(), ["id", "full_name"]);
    assert_eq!(info.column("full_name").ty, "varchar(200)");
    assert_eq!(info.indexes["ix_authors_name"].columns, ["full_name"]);
    assert_eq!(row_count(&mut conn, "books"), 4);

    // The same migrations rendered offline and run by sqlite3 give the same schema.
    let script = migrator
        .upgrade_sql(migrate_runtime::Backend::Sqlite, None, "head")
        .unwrap();
    let offline = dir.path().join("offline.sqlite3");
    let mut child = std::process::Command::new("sqlite3")
        .arg("-bail")
        .arg(&offline)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("sqlite3 is installed");
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), script.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success(), "{script}");
    let mut offline = AnyConnection::open(&DatabaseUrl::sqlite_file(&offline)).unwrap();
    assert_eq!(
        introspect::database(&mut offline),
        introspect::database(&mut conn)
    );
}

#[test]
fn rebuilds_keep_dependent_rows_in_a_single_transaction_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    let rebuild = custom("b", &["a"], |ctx| {
        ctx.alter_column("authors", "name", AlterColumn::new().ty(ColumnType::Text))
    });
    let migrator = Migrator::new(MigrationSet::new(vec![schema(), rebuild]).unwrap()).with_options(
        migrate_runtime::Options::default()
            .with_transaction_mode(migrate_runtime::TransactionMode::All),
    );
    migrator.upgrade(&mut conn, "head").unwrap();
    assert_eq!(row_count(&mut conn, "books"), 4);
    assert_eq!(
        introspect::table(&mut conn, "authors").column("name").ty,
        "text"
    );
    let orphan = conn.batch_execute("INSERT INTO books (author_id, title) VALUES (99, 'x')");
    assert!(orphan.is_err(), "foreign keys are no longer enforced");
}

/// A table with rows, an index, audit triggers, a view, a view over the view, and a
/// trigger on another table that writes to it.
fn audited() -> migrate_runtime::Migration {
    custom("a", &[], |ctx| {
        ctx.create_table(
            Table::new("items")
                .column(
                    Column::new("id", ColumnType::BigInt)
                        .primary_key()
                        .auto_increment(),
                )
                .column(Column::new("name", ColumnType::Varchar(100)).not_null())
                .column(Column::new("qty", ColumnType::Integer))
                .column(Column::new("note", ColumnType::Text)),
        )?;
        ctx.create_index(Index::new("ix_items_name", "items", ["name"]))?;
        ctx.create_table(
            Table::new("audit")
                .column(Column::new("item_id", ColumnType::BigInt).not_null())
                .column(Column::new("change", ColumnType::Text).not_null()),
        )?;
        ctx.create_table(
            Table::new("orders")
                .column(Column::new("item_id", ColumnType::BigInt).not_null())
                .column(Column::new("qty", ColumnType::Integer).not_null()),
        )?;
        ctx.execute(
            "CREATE TRIGGER trg_items_insert AFTER INSERT ON items BEGIN
                 INSERT INTO audit (item_id, change) VALUES (new.id, 'insert');
             END;
             CREATE TRIGGER trg_items_update AFTER UPDATE OF qty ON items BEGIN
                 INSERT INTO audit (item_id, change) VALUES (new.id, 'qty ' || old.qty || ' -> ' || new.qty);
             END;
             CREATE VIEW in_stock AS SELECT id, name, qty FROM items WHERE qty > 0;
             CREATE VIEW in_stock_names AS SELECT name FROM in_stock;
             CREATE TRIGGER trg_orders_take AFTER INSERT ON orders BEGIN
                 UPDATE items SET qty = qty - new.qty WHERE id = new.item_id;
             END;
             INSERT INTO items (name, qty, note) VALUES ('bolt', 10, 'm6'), ('nut', 0, NULL), ('washer', 3, 'steel');",
        )
    })
}

/// The views' and triggers' names and SQL, as `sqlite_master` has them.
fn views_and_triggers(conn: &mut AnyConnection) -> Vec<(Option<String>, Option<String>)> {
    let names = introspect::values(conn, "sqlite_master", "name", "name");
    let sql = introspect::values(conn, "sqlite_master", "sql", "name");
    let kinds = introspect::values(conn, "sqlite_master", "type", "name");
    names
        .into_iter()
        .zip(sql)
        .zip(kinds)
        .filter(|(_, kind)| matches!(kind.as_deref(), Some("view" | "trigger")))
        .map(|(pair, _)| pair)
        .collect()
}

#[test]
fn rebuilds_keep_triggers_and_views() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    let migrator = Migrator::new(MigrationSet::new(vec![audited()]).unwrap());
    migrator.upgrade(&mut conn, "head").unwrap();
    let before = views_and_triggers(&mut conn);
    assert_eq!(before.len(), 5);
    assert_eq!(row_count(&mut conn, "audit"), 3);

    // Two column changes and a column drop: one rebuild of `items`.
    let rebuild = custom("b", &["a"], |ctx| {
        ctx.alter_column("items", "name", AlterColumn::new().ty(ColumnType::Text))?;
        ctx.alter_column(
            "items",
            "qty",
            AlterColumn::new()
                .ty(ColumnType::BigInt)
                .nullable(false)
                .default(0),
        )?;
        ctx.drop_column("items", "note")
    });
    let migrator = Migrator::new(MigrationSet::new(vec![audited(), rebuild]).unwrap());
    migrator.upgrade(&mut conn, "head").unwrap();

    let info = introspect::table(&mut conn, "items");
    assert_eq!(info.column_names(), ["id", "name", "qty"]);
    assert_eq!(info.column("name").ty, "text");
    assert_eq!(info.column("qty").ty, "bigint");
    assert!(!info.column("qty").nullable);
    assert!(info.indexes.contains_key("ix_items_name"));
    assert_eq!(
        introspect::values(&mut conn, "items", "name", "id"),
        [
            Some("bolt".into()),
            Some("nut".into()),
            Some("washer".into())
        ]
    );
    assert_eq!(
        views_and_triggers(&mut conn),
        before,
        "views and triggers not re-created verbatim"
    );
    assert_eq!(
        row_count(&mut conn, "audit"),
        3,
        "the rebuild fired triggers"
    );

    // The views answer with the right rows.
    assert_eq!(
        introspect::values(&mut conn, "in_stock", "name", "id"),
        [Some("bolt".into()), Some("washer".into())]
    );
    assert_eq!(
        introspect::values(&mut conn, "in_stock_names", "name", "name"),
        [Some("bolt".into()), Some("washer".into())]
    );
    // The table's triggers fire, and so does the other table's trigger that writes to it.
    conn.batch_execute("INSERT INTO items (name, qty) VALUES ('rivet', 5)")
        .unwrap();
    conn.batch_execute("INSERT INTO orders (item_id, qty) VALUES (1, 4)")
        .unwrap();
    assert_eq!(
        introspect::values(&mut conn, "audit", "change", "rowid")[3..],
        [Some("insert".into()), Some("qty 10 -> 6".into())]
    );
    assert_eq!(
        introspect::values(&mut conn, "in_stock", "qty", "id"),
        [Some("6".into()), Some("3".into()), Some("5".into())]
    );
    // Nothing left the schema broken: another rename of any table passes SQLite's check
    // of every view and trigger.
    conn.batch_execute("ALTER TABLE orders RENAME TO purchases")
        .unwrap();
}

#[test]
fn dropping_a_column_a_view_names_fails_naming_the_view_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir);
    let with_view = |rev: &'static str, parents: &'static [&'static str]| {
        custom(rev, parents, |ctx| {
            ctx.execute("CREATE VIEW noted AS SELECT id, note FROM items WHERE note IS NOT NULL")
        })
    };
    let migrator =
        Migrator::new(MigrationSet::new(vec![audited(), with_view("b", &["a"])]).unwrap());
    migrator.upgrade(&mut conn, "head").unwrap();
    let before = views_and_triggers(&mut conn);

    let drop = custom("c", &["b"], |ctx| ctx.drop_column("items", "note"));
    let migrator =
        Migrator::new(MigrationSet::new(vec![audited(), with_view("b", &["a"]), drop]).unwrap());
    let err = migrator.upgrade(&mut conn, "head").unwrap_err().to_string();
    assert!(
        err.contains("view `noted` names column `note`"),
        "the error does not name the view: {err}"
    );
    assert!(
        err.contains(r#"DROP VIEW "noted""#),
        "the error gives no fix: {err}"
    );
    assert_eq!(migrator.current(&mut conn).unwrap(), [id("b")]);
    assert_eq!(
        introspect::table(&mut conn, "items").column_names(),
        ["id", "name", "qty", "note"]
    );
    assert_eq!(views_and_triggers(&mut conn), before);

    // The advice works: drop the view, drop the column, re-create the view without it.
    let fixed = custom("c", &["b"], |ctx| {
        ctx.execute("DROP VIEW noted")?;
        ctx.drop_column("items", "note")?;
        ctx.execute("CREATE VIEW noted AS SELECT id, name FROM items")
    });
    let migrator =
        Migrator::new(MigrationSet::new(vec![audited(), with_view("b", &["a"]), fixed]).unwrap());
    migrator.upgrade(&mut conn, "head").unwrap();
    assert_eq!(
        introspect::table(&mut conn, "items").column_names(),
        ["id", "name", "qty"]
    );
    assert_eq!(row_count(&mut conn, "noted"), 3);
    assert_eq!(row_count(&mut conn, "in_stock_names"), 2);
}

/// Runs `setup` (raw SQL) as migration `a`, then `change` as `b`; the error of `b`, if any.
fn raw_then(
    dir: &tempfile::TempDir,
    setup: &'static str,
    change: impl Fn(&mut migrate_runtime::MigrationContext<'_>) -> migrate_runtime::Result<()>
    + Send
    + Sync
    + 'static,
) -> (AnyConnection, Option<migrate_runtime::Error>) {
    let mut conn = open(dir);
    let set = MigrationSet::new(vec![
        custom("a", &[], move |ctx| ctx.execute(setup)),
        custom("b", &["a"], change),
    ])
    .unwrap();
    let err = Migrator::new(set).upgrade(&mut conn, "head").err();
    (conn, err)
}

fn create_sql(conn: &mut AnyConnection, table: &str) -> String {
    #[derive(diesel::QueryableByName)]
    struct Sql {
        #[diesel(sql_type = diesel::sql_types::Text)]
        sql: String,
    }
    diesel::RunQueryDsl::get_result::<Sql>(
        diesel::sql_query(format!(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '{table}'"
        )),
        conn,
    )
    .unwrap()
    .sql
}

fn touch(ctx: &mut migrate_runtime::MigrationContext<'_>) -> migrate_runtime::Result<()> {
    ctx.alter_column("t", "note", AlterColumn::new().default("touched"))
}

#[test]
fn a_rebuild_continues_the_autoincrement_counter() {
    let dir = tempfile::tempdir().unwrap();
    let (mut conn, err) = raw_then(
        &dir,
        "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, note TEXT);
         INSERT INTO t (note) VALUES ('1'), ('2'), ('3'), ('4'), ('5');
         DELETE FROM t WHERE id > 3",
        touch,
    );
    assert!(err.is_none(), "{err:?}");
    conn.batch_execute("INSERT INTO t (note) VALUES ('new')")
        .unwrap();
    // Ids 4 and 5 were handed out once: AUTOINCREMENT never gives them again.
    assert_eq!(row_count(&mut conn, "t WHERE id = 6"), 1);
    assert_eq!(row_count(&mut conn, "t WHERE id IN (4, 5)"), 0);
}

#[test]
fn the_word_autoincrement_in_a_string_makes_no_column_autoincrement() {
    let dir = tempfile::tempdir().unwrap();
    let (mut conn, err) = raw_then(
        &dir,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT DEFAULT 'no AUTOINCREMENT here')",
        touch,
    );
    assert!(err.is_none(), "{err:?}");
    assert!(!create_sql(&mut conn, "t").contains("AUTOINCREMENT"));
}

#[test]
fn dropping_a_column_keeps_checks_that_only_seem_to_name_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut conn, err) = raw_then(
        &dir,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, status TEXT, note TEXT, length INTEGER,
           CONSTRAINT ck_status CHECK (status <> 'note'),
           CONSTRAINT ck_long CHECK (length(status) > 0),
           CONSTRAINT ck_note CHECK (note <> ''));
         INSERT INTO t (status, note, length) VALUES ('ok', 'x', 2)",
        |ctx| {
            ctx.drop_column("t", "note")?;
            ctx.drop_column("t", "length")
        },
    );
    assert!(err.is_none(), "{err:?}");
    let sql = create_sql(&mut conn, "t");
    // `note` inside a string and `length` called as a function are not the columns.
    assert!(
        sql.contains("ck_status") && sql.contains("ck_long"),
        "{sql}"
    );
    // The check that reads the dropped column goes with it, as on PostgreSQL.
    assert!(!sql.contains("ck_note"), "{sql}");
}

#[test]
fn a_column_dropped_and_added_again_starts_afresh() {
    let dir = tempfile::tempdir().unwrap();
    let (mut conn, err) = raw_then(
        &dir,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, status TEXT, note TEXT);
         INSERT INTO t (status) VALUES ('old')",
        |ctx| {
            ctx.drop_column("t", "status")?;
            ctx.add_column(
                "t",
                Column::new("status", ColumnType::Varchar(20))
                    .not_null()
                    .default("new"),
            )
        },
    );
    assert!(err.is_none(), "{err:?}");
    assert_eq!(row_count(&mut conn, "t WHERE status = 'new'"), 1);
}

#[test]
fn a_rebuild_refuses_tables_whose_definition_it_would_not_keep() {
    for (setup, what) in [
        (
            "CREATE TABLE t (a INTEGER, note TEXT, PRIMARY KEY (a)) WITHOUT ROWID",
            "WITHOUT ROWID",
        ),
        ("CREATE TABLE t (a INTEGER, note TEXT) STRICT", "STRICT"),
        (
            "CREATE TABLE t (a INTEGER, name TEXT COLLATE NOCASE UNIQUE, note TEXT)",
            "COLLATE",
        ),
        (
            "CREATE TABLE p (id INTEGER PRIMARY KEY);
             CREATE TABLE t (a INTEGER REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED, note TEXT)",
            "DEFERRABLE",
        ),
        (
            "CREATE TABLE t (a INTEGER UNIQUE ON CONFLICT REPLACE, note TEXT)",
            "ON CONFLICT",
        ),
        (
            "CREATE TABLE t (a INTEGER, b INTEGER GENERATED ALWAYS AS (a * 2) VIRTUAL, note TEXT)",
            "generated column `b`",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (mut conn, err) = raw_then(&dir, setup, touch);
        let err = err.unwrap_or_else(|| panic!("{what}: the rebuild ran"));
        let text = err.to_string();
        assert!(
            text.contains(what) && text.contains("would not keep"),
            "{text}"
        );
        assert_eq!(
            create_sql(&mut conn, "t"),
            setup.rsplit(';').next().unwrap().trim(),
            "{what}"
        );
    }
}

#[test]
fn a_rebuild_keeps_what_sqlite_reports_in_its_own_spelling() {
    let dir = tempfile::tempdir().unwrap();
    let (mut conn, err) = raw_then(
        &dir,
        "CREATE TABLE parent (id INTEGER PRIMARY KEY);
         CREATE TABLE t (a INTEGER REFERENCES parent, created TEXT DEFAULT (datetime('now')),
           note TEXT);
         INSERT INTO parent VALUES (1); INSERT INTO t (a) VALUES (1)",
        touch,
    );
    assert!(err.is_none(), "{err:?}");
    let sql = create_sql(&mut conn, "t");
    // `REFERENCES parent` (its primary key) and a default that calls a function.
    assert!(
        sql.contains("REFERENCES \"parent\"") && !sql.contains("()"),
        "{sql}"
    );
    assert!(sql.contains("(datetime('now'))"), "{sql}");
    assert_eq!(row_count(&mut conn, "t WHERE created IS NOT NULL"), 1);
}

#[test]
fn dropping_a_key_another_table_references_fails_with_enforcement_off() {
    let dir = tempfile::tempdir().unwrap();
    let setup =
        "CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT, CONSTRAINT uq_code UNIQUE (code))";
    let mut conn = open(&dir);
    conn.batch_execute("PRAGMA foreign_keys = OFF").unwrap();
    let set = MigrationSet::new(vec![
        custom("a", &[], move |ctx| {
            ctx.execute(setup)?;
            ctx.execute(
                "CREATE TABLE child (id INTEGER PRIMARY KEY, pcode TEXT REFERENCES parent (code));
                 INSERT INTO parent VALUES (1, 'a'); INSERT INTO child (pcode) VALUES ('a')",
            )
        }),
        custom("b", &["a"], |ctx| ctx.drop_constraint("parent", "uq_code")),
    ])
    .unwrap();
    let err = Migrator::new(set).upgrade(&mut conn, "head").unwrap_err();
    assert!(err.to_string().contains("child"), "{err}");
    // Rolled back: the key `child` references is still unique.
    assert_eq!(create_sql(&mut conn, "parent"), setup);
}

#[test]
fn a_text_primary_key_keeps_its_null_rows() {
    // SQLite lets a primary key other than the rowid's alias hold NULL unless it is
    // declared NOT NULL; the rebuilt table must take the rows the old one held.
    let dir = tempfile::tempdir().unwrap();
    let (mut conn, err) = raw_then(
        &dir,
        "CREATE TABLE t (code TEXT PRIMARY KEY, note TEXT);
         INSERT INTO t VALUES (NULL, 'legacy'), ('a', 'b')",
        touch,
    );
    assert!(err.is_none(), "{err:?}");
    assert_eq!(row_count(&mut conn, "t WHERE code IS NULL"), 1);
    let sql = create_sql(&mut conn, "t");
    assert!(!sql.contains("NOT NULL"), "{sql}");
    assert!(sql.contains("DEFAULT 'touched'"), "{sql}");
}

#[test]
fn dropping_a_column_takes_the_indexes_that_read_it() {
    // As on PostgreSQL: an index on an expression of the column, or filtered by it, goes
    // with it; the others are re-created.
    let dir = tempfile::tempdir().unwrap();
    let (mut conn, err) = raw_then(
        &dir,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT, deleted TEXT, note TEXT);
         CREATE INDEX ix_lower_email ON t (lower(email));
         CREATE INDEX ix_live_note ON t (note) WHERE deleted IS NULL;
         CREATE INDEX ix_note ON t (note COLLATE NOCASE);
         INSERT INTO t (email, note) VALUES ('A@x', 'n')",
        |ctx| {
            ctx.drop_column("t", "email")?;
            ctx.drop_column("t", "deleted")
        },
    );
    assert!(err.is_none(), "{err:?}");
    let info = introspect::table(&mut conn, "t");
    assert_eq!(info.column_names(), ["id", "note"]);
    assert_eq!(
        info.indexes.keys().map(String::as_str).collect::<Vec<_>>(),
        ["ix_note"]
    );
    assert_eq!(row_count(&mut conn, "t WHERE note = 'N'"), 0);
    assert_eq!(row_count(&mut conn, "t WHERE note = 'n'"), 1);
}

#[test]
fn a_table_named_in_another_case_is_refused_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let setup = "CREATE TABLE Users (id INTEGER PRIMARY KEY, note TEXT)";
    let (mut conn, err) = raw_then(&dir, setup, |ctx| {
        ctx.alter_column("users", "note", AlterColumn::new().default("x"))
    });
    let err = err.expect("the rebuild must not rename `Users` to `users`");
    assert!(
        err.to_string()
            .contains("no table `users` to alter: the table is named `Users`"),
        "{err}"
    );
    assert_eq!(create_sql(&mut conn, "Users"), setup);
}
