//! The typed schema operations where a demanding user takes them: names that are
//! reserved words or need quoting, columns other objects depend on, defaults that only
//! survive when escaped right, composite keys with referential actions. SQLite always,
//! PostgreSQL and MySQL/MariaDB when `MIGRATE_TEST_POSTGRES_URL` /
//! `MIGRATE_TEST_MYSQL_URL` are set.

mod introspect;
mod support;

use migrate_runtime::schema::{
    Action, AlterColumn, Column, ColumnType, Constraint, DefaultValue, Index, Table, Value,
};
use migrate_runtime::{AnyConnection, Backend, Direction, MigrationContext, Result};
use support::{each_backend, id, row_count, table_exists};

/// Runs `f` on a context over `conn` and flushes what it buffered.
fn with_ctx(conn: &mut AnyConnection, f: impl FnOnce(&mut MigrationContext<'_>) -> Result<()>) {
    try_ctx(conn, f).unwrap();
}

/// Runs `f` on a context over `conn`, flushes, and returns what failed.
fn try_ctx(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut MigrationContext<'_>) -> Result<()>,
) -> Result<()> {
    let rev = id("edge");
    let mut ctx = MigrationContext::new(conn, &rev, Direction::Up);
    f(&mut ctx)?;
    ctx.flush()
}

/// Raw SQL through a context (a data change a test makes, or a probe that may fail).
fn sql(conn: &mut AnyConnection, sql: &str) -> Result<()> {
    try_ctx(conn, |ctx| ctx.execute(sql))
}

#[test]
fn reserved_words_mixed_case_spaces_and_quotes_in_names() {
    each_backend(|db| {
        let mut conn = db.connect();
        let (table, user, group, mixed, spaced, quoted) = (
            "order",
            "user",
            "group",
            "UserName",
            "my col",
            "it's \"q\" `b`",
        );
        with_ctx(&mut conn, |ctx| {
            ctx.create_table(
                Table::new("Group Table")
                    .column(Column::new("select", ColumnType::Integer).primary_key()),
            )?;
            ctx.create_table(
                Table::new(table)
                    .column(Column::new(user, ColumnType::Integer).primary_key())
                    .column(Column::new(group, ColumnType::Integer).not_null())
                    .column(Column::new(mixed, ColumnType::Varchar(40)).default("it's"))
                    .column(Column::new(spaced, ColumnType::Integer))
                    .constraint(Constraint::unique("uq order", [group, mixed]))
                    .constraint(Constraint::foreign_key(
                        "fk order group",
                        [group],
                        "Group Table",
                        ["select"],
                    ))
                    .constraint(Constraint::check("ck \"order\"", "1 = 1")),
            )?;
            ctx.bulk_insert("Group Table", ["select"], [[7]])?;
            ctx.bulk_insert(table, [user, group, spaced], [[1, 7, 3]])?;
            ctx.add_column(table, Column::new(quoted, ColumnType::Text))?;
            ctx.create_index(Index::new("ix order", table, [mixed, spaced]))?;
            ctx.alter_column(
                table,
                mixed,
                AlterColumn::new()
                    .ty(ColumnType::Varchar(80))
                    .nullable(false)
                    .default("O'Brien"),
            )?;
            ctx.rename_column(table, spaced, "from")?;
            ctx.drop_index(table, "ix order")?;
            ctx.drop_column(table, quoted)?;
            ctx.rename_table(table, "Order Items")
        });
        assert!(!table_exists(&mut conn, table));
        let info = introspect::table(&mut conn, "Order Items");
        assert_eq!(
            info.column_names(),
            [user, group, mixed, "from"],
            "{db:?}",
            db = db.describe()
        );
        let m = info.column(mixed);
        assert!(!m.nullable, "{m:?}");
        assert!(m.ty.contains("80"), "{m:?}");
        assert!(
            m.default
                .as_deref()
                .is_some_and(|d| d.contains("O''Brien") || d.contains("O'Brien")),
            "{m:?}"
        );
        assert!(!info.indexes.contains_key("ix order"), "{:?}", info.indexes);
        assert_eq!(
            introspect::values(&mut conn, "Order Items", mixed, user),
            [Some("it's".to_owned())]
        );
        assert_eq!(
            introspect::values(&mut conn, "Order Items", "from", user),
            [Some("3".to_owned())]
        );
        with_ctx(&mut conn, |ctx| {
            ctx.drop_table("Order Items")?;
            ctx.drop_table("Group Table")
        });
    });
}

/// PostgreSQL drops a column with every index and constraint over it; SQLite's rebuild
/// does the same. MySQL narrows a multi-column index and refuses a foreign key, a
/// multi-column unique key or check with errors that name neither the column nor a fix.
#[test]
fn dropping_a_column_drops_the_indexes_and_constraints_over_it() {
    each_backend(|db| {
        let mut conn = db.connect();
        with_ctx(&mut conn, |ctx| {
            ctx.create_table(
                Table::new("parent")
                    .column(Column::new("id", ColumnType::Integer))
                    .column(Column::new("k", ColumnType::Integer))
                    .primary_key(["id", "k"]),
            )?;
            ctx.create_table(
                Table::new("child")
                    .column(Column::new("id", ColumnType::Integer).primary_key())
                    .column(Column::new("p", ColumnType::Integer))
                    .column(Column::new("x", ColumnType::Integer))
                    .column(Column::new("y", ColumnType::Integer))
                    .column(Column::new("z", ColumnType::Integer))
                    .column(Column::new("w", ColumnType::Integer))
                    .constraint(Constraint::foreign_key(
                        "fk_child_parent",
                        ["p", "x"],
                        "parent",
                        ["id", "k"],
                    ))
                    .constraint(Constraint::unique("uq_child_xy", ["x", "y"]))
                    .constraint(Constraint::check("ck_child_wx", "w > 0 AND x > 0")),
            )?;
            ctx.create_index(Index::new("ix_child_zw", "child", ["z", "w"]))?;
            ctx.bulk_insert("parent", ["id", "k"], [[1, 1]])?;
            ctx.bulk_insert(
                "child",
                ["id", "p", "x", "y", "z", "w"],
                [[1, 1, 1, 1, 1, 1], [2, 1, 1, 2, 1, 2]],
            )
        });
        with_ctx(&mut conn, |ctx| ctx.drop_column("child", "x"));
        with_ctx(&mut conn, |ctx| ctx.drop_column("child", "z"));
        let info = introspect::table(&mut conn, "child");
        let who = db.describe();
        assert_eq!(info.column_names(), ["id", "p", "y", "w"], "{who}");
        for gone in ["fk_child_parent", "uq_child_xy", "ck_child_wx"] {
            assert!(
                !info.constraints.contains_key(gone),
                "{who}: {gone} kept: {info:?}"
            );
        }
        assert!(info.foreign_keys.is_empty(), "{who}: {info:?}");
        // Not narrowed to `(w)`: gone, as on PostgreSQL.
        assert!(
            !info.indexes.contains_key("ix_child_zw"),
            "{who}: {:?}",
            info.indexes
        );
        assert_eq!(row_count(&mut conn, "child"), 2);
        // The remaining columns are free of the old constraints: `y` repeats.
        sql(
            &mut conn,
            "INSERT INTO child (id, p, y, w) VALUES (3, 9, 1, 0)",
        )
        .unwrap();

        // A column of a composite primary key: refused with the reason, or dropped with
        // the key (PostgreSQL); never left half-done.
        let dropped = try_ctx(&mut conn, |ctx| ctx.drop_column("parent", "k"));
        let info = introspect::table(&mut conn, "parent");
        match (db.backend, dropped) {
            (Backend::Postgres, Ok(())) => assert_eq!(info.column_names(), ["id"]),
            (Backend::Postgres, Err(e)) => panic!("{e}"),
            (_, Ok(())) => panic!("{who}: dropped a primary-key column"),
            (_, Err(e)) => {
                assert!(e.to_string().contains("primary"), "{who}: {e}");
                assert_eq!(info.column_names(), ["id", "k"], "{who}");
            }
        }
    });
}

/// The column another table's foreign key references cannot go: the error says why.
#[test]
fn dropping_a_referenced_column_is_refused_naming_the_foreign_key() {
    each_backend(|db| {
        if db.backend == Backend::Sqlite {
            // SQLite keeps no key a child could need: the rebuild's check refuses rows.
            return;
        }
        let mut conn = db.connect();
        with_ctx(&mut conn, |ctx| {
            ctx.create_table(
                Table::new("parent")
                    .column(Column::new("id", ColumnType::Integer).primary_key())
                    .column(Column::new("code", ColumnType::Integer).not_null())
                    .constraint(Constraint::unique("uq_parent_code", ["code"])),
            )?;
            ctx.create_table(
                Table::new("child")
                    .column(Column::new("id", ColumnType::Integer).primary_key())
                    .column(Column::new("code", ColumnType::Integer))
                    .constraint(Constraint::foreign_key(
                        "fk_child_code",
                        ["code"],
                        "parent",
                        ["code"],
                    )),
            )
        });
        let err = try_ctx(&mut conn, |ctx| ctx.drop_column("parent", "code")).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("fk_child_code") || message.contains("child"),
            "{}: {message}",
            db.describe()
        );
        if db.backend == Backend::Mysql {
            assert!(
                message.contains(r#"ctx.drop_constraint("child", "fk_child_code")"#),
                "{message}"
            );
        }
        let info = introspect::table(&mut conn, "parent");
        assert_eq!(info.column_names(), ["id", "code"]);
        assert!(info.constraints.contains_key("uq_parent_code"), "{info:?}");
    });
}

/// MySQL needs an index for every foreign key: dropping a column of the only index that
/// serves a key that stays leaves the key a plain index on its own columns.
#[test]
fn dropping_a_column_keeps_an_index_for_the_foreign_keys_that_stay() {
    each_backend(|db| {
        let mut conn = db.connect();
        with_ctx(&mut conn, |ctx| {
            ctx.create_table(
                Table::new("owners").column(Column::new("id", ColumnType::Integer).primary_key()),
            )?;
            ctx.create_table(
                Table::new("pets")
                    .column(Column::new("id", ColumnType::Integer).primary_key())
                    .column(Column::new("owner", ColumnType::Integer))
                    .column(Column::new("x", ColumnType::Integer))
                    .column(Column::new("y", ColumnType::Integer))
                    .constraint(Constraint::foreign_key(
                        "fk_pets_owner",
                        ["owner"],
                        "owners",
                        ["id"],
                    )),
            )?;
            // MySQL lets these serve the foreign key in place of its own index.
            ctx.create_index(Index::new("ix_pets_owner_x", "pets", ["owner", "x"]))?;
            ctx.create_index(Index::new("ux_pets_owner_y", "pets", ["owner", "y"]).unique())
        });
        if db.backend == Backend::Mysql {
            // Leave the unique index the only one that serves the key.
            with_ctx(&mut conn, |ctx| ctx.drop_index("pets", "ix_pets_owner_x"))
        }
        with_ctx(&mut conn, |ctx| ctx.drop_column("pets", "y"));
        with_ctx(&mut conn, |ctx| ctx.drop_column("pets", "x"));
        let who = db.describe();
        let info = introspect::table(&mut conn, "pets");
        assert_eq!(info.column_names(), ["id", "owner"], "{who}");
        assert!(
            info.foreign_keys.contains_key("fk_pets_owner"),
            "{who}: {info:?}"
        );
        assert!(
            !info.indexes.contains_key("ix_pets_owner_x"),
            "{who}: {:?}",
            info.indexes
        );
        if db.backend == Backend::Mysql {
            let kept = &info.indexes["ux_pets_owner_y"];
            assert_eq!(
                (kept.columns.as_slice(), kept.unique),
                (&["owner".to_owned()][..], false)
            );
        } else {
            assert!(
                !info.indexes.contains_key("ux_pets_owner_y"),
                "{who}: {:?}",
                info.indexes
            );
        }
        sql(&mut conn, "INSERT INTO owners (id) VALUES (1)").unwrap();
        sql(
            &mut conn,
            "INSERT INTO pets (id, owner) VALUES (1, 1), (2, 1)",
        )
        .unwrap();
    });
}

/// Two foreign keys that stay, served by one index over the dropped column, one using a
/// shorter prefix of it: MySQL keeps one index for both, under the old name (as a plain
/// `DROP COLUMN` narrows it). A key the primary key serves needs no replacement.
#[cfg(feature = "mysql")]
#[test]
fn dropping_a_column_replaces_an_index_once_for_the_foreign_keys_it_serves() {
    each_backend(|db| {
        if db.backend != Backend::Mysql {
            // MySQL alone needs an index for every foreign key.
            return;
        }
        let mut conn = db.connect();
        with_ctx(&mut conn, |ctx| {
            ctx.execute("CREATE TABLE p (id INTEGER PRIMARY KEY, c INTEGER, UNIQUE (id, c))")?;
            // The shorter key sorts first by name.
            ctx.execute(
                "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, c INTEGER, b INTEGER, \
                 KEY idx (a, c, b), \
                 CONSTRAINT fk1 FOREIGN KEY (a) REFERENCES p (id), \
                 CONSTRAINT fk2 FOREIGN KEY (a, c) REFERENCES p (id, c))",
            )?;
            ctx.execute(
                "CREATE TABLE u (id INTEGER PRIMARY KEY, a INTEGER, KEY ix (id, a), \
                 CONSTRAINT fku FOREIGN KEY (id) REFERENCES p (id))",
            )
        });
        with_ctx(&mut conn, |ctx| ctx.drop_column("t", "b"));
        with_ctx(&mut conn, |ctx| ctx.drop_column("u", "a"));
        let t = introspect::table(&mut conn, "t");
        assert_eq!(t.column_names(), ["id", "a", "c"]);
        assert!(t.foreign_keys.contains_key("fk1"), "{t:?}");
        assert!(t.foreign_keys.contains_key("fk2"), "{t:?}");
        assert_eq!(
            t.indexes.keys().map(String::as_str).collect::<Vec<_>>(),
            ["idx"],
            "{t:?}"
        );
        assert_eq!(t.indexes["idx"].columns, ["a", "c"]);
        let u = introspect::table(&mut conn, "u");
        assert_eq!(u.column_names(), ["id"]);
        assert!(u.foreign_keys.contains_key("fku"), "{u:?}");
        assert!(u.indexes.is_empty(), "{u:?}");
    });
}

/// InnoDB serves no foreign key with a prefix of a column nor with a FULLTEXT index: the
/// index over the dropped column that does serve it is replaced, as a plain `DROP COLUMN`
/// narrows it, instead of dropped (which MariaDB refuses).
#[cfg(feature = "mysql")]
#[test]
fn dropping_a_column_replaces_an_index_a_prefix_or_full_text_one_cannot_stand_for() {
    each_backend(|db| {
        if db.backend != Backend::Mysql {
            return;
        }
        let mut conn = db.connect();
        with_ctx(&mut conn, |ctx| {
            ctx.execute("CREATE TABLE p (a VARCHAR(50) PRIMARY KEY)")?;
            ctx.execute(
                "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(50), b INT, \
                 KEY ix_ab (a, b), KEY ix_pre (a(10)), \
                 CONSTRAINT fk_a FOREIGN KEY (a) REFERENCES p (a))",
            )?;
            ctx.execute(
                "CREATE TABLE f (id INT PRIMARY KEY, a VARCHAR(50), b INT, \
                 KEY ix_ab (a, b), FULLTEXT KEY ft (a), \
                 CONSTRAINT fk_fa FOREIGN KEY (a) REFERENCES p (a))",
            )
        });
        for (table, other) in [("t", "ix_pre"), ("f", "ft")] {
            with_ctx(&mut conn, |ctx| ctx.drop_column(table, "b"));
            let info = introspect::table(&mut conn, table);
            assert_eq!(info.column_names(), ["id", "a"], "{info:?}");
            assert_eq!(info.foreign_keys.len(), 1, "{info:?}");
            assert_eq!(info.indexes["ix_ab"].columns, ["a"], "{info:?}");
            assert!(info.indexes.contains_key(other), "{info:?}");
        }
        sql(&mut conn, "INSERT INTO p (a) VALUES ('x')").unwrap();
        sql(&mut conn, "INSERT INTO t (id, a) VALUES (1, 'x')").unwrap();
        assert!(sql(&mut conn, "INSERT INTO t (id, a) VALUES (2, 'y')").is_err());
    });
}

/// A table referencing itself through the dropped column: the key goes with the column,
/// and the index on the referenced side is narrowed rather than dropped, since MariaDB
/// checks the statement's dropped indexes against the keys as they were before it.
#[cfg(feature = "mysql")]
#[test]
fn dropping_a_column_of_a_self_reference_keeps_the_referenced_index_for_the_statement() {
    each_backend(|db| {
        if db.backend != Backend::Mysql {
            return;
        }
        let mut conn = db.connect();
        with_ctx(&mut conn, |ctx| {
            ctx.execute(
                "CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT, KEY ix_ab (a, b), \
                 CONSTRAINT fk_self FOREIGN KEY (b) REFERENCES t (a))",
            )
        });
        with_ctx(&mut conn, |ctx| ctx.drop_column("t", "b"));
        let t = introspect::table(&mut conn, "t");
        assert_eq!(t.column_names(), ["id", "a"], "{t:?}");
        assert!(t.foreign_keys.is_empty(), "{t:?}");
    });
}

/// A foreign key of another table needs an index on the referenced side too: one over the
/// dropped column that alone serves it is replaced (as a plain `DROP COLUMN` narrows it),
/// instead of dropped (which MariaDB refuses).
#[cfg(feature = "mysql")]
#[test]
fn dropping_a_column_keeps_an_index_for_the_foreign_keys_referencing_the_table() {
    each_backend(|db| {
        if db.backend != Backend::Mysql {
            return;
        }
        let mut conn = db.connect();
        with_ctx(&mut conn, |ctx| {
            ctx.execute(
                "CREATE TABLE p (id INT PRIMARY KEY, a INT, c INT, b INT, \
                 KEY ix_ab (a, b), KEY ix_cab (c, a, b))",
            )?;
            ctx.execute(
                "CREATE TABLE ch (id INT PRIMARY KEY, x INT, y INT, \
                 CONSTRAINT fk_x FOREIGN KEY (x) REFERENCES p (a), \
                 CONSTRAINT fk_yx FOREIGN KEY (y, x) REFERENCES p (c, a))",
            )
        });
        with_ctx(&mut conn, |ctx| ctx.drop_column("p", "b"));
        let p = introspect::table(&mut conn, "p");
        assert_eq!(p.column_names(), ["id", "a", "c"], "{p:?}");
        assert_eq!(p.indexes["ix_ab"].columns, ["a"], "{p:?}");
        assert_eq!(p.indexes["ix_cab"].columns, ["c", "a"], "{p:?}");
        let ch = introspect::table(&mut conn, "ch");
        assert_eq!(ch.foreign_keys.len(), 2, "{ch:?}");
        sql(&mut conn, "INSERT INTO p (id, a, c) VALUES (1, 10, 20)").unwrap();
        sql(&mut conn, "INSERT INTO ch (id, x, y) VALUES (1, 10, 20)").unwrap();
        assert!(sql(&mut conn, "INSERT INTO ch (id, x) VALUES (2, 11)").is_err());
    });
}

#[test]
fn changing_the_type_while_dropping_the_default_drops_it_first() {
    each_backend(|db| {
        let mut conn = db.connect();
        with_ctx(&mut conn, |ctx| {
            ctx.create_table(
                Table::new("counters")
                    .column(Column::new("id", ColumnType::Integer).primary_key())
                    .column(Column::new("n", ColumnType::Integer).default(0)),
            )?;
            ctx.bulk_insert("counters", ["id", "n"], [[1, 1]])?;
            // PostgreSQL cannot cast the default `0` to a boolean.
            ctx.alter_column(
                "counters",
                "n",
                AlterColumn::new().ty(ColumnType::Boolean).drop_default(),
            )?;
            ctx.execute("INSERT INTO counters (id) VALUES (2)")
        });
        let n = introspect::table(&mut conn, "counters").column("n").clone();
        assert!(
            n.default.is_none() || n.default.as_deref() == Some("NULL"),
            "{n:?}"
        );
        let stored = introspect::values(&mut conn, "counters", "n", "id");
        assert!(stored[0].is_some() && stored[1].is_none(), "{stored:?}");
    });
}

#[test]
fn defaults_of_every_kind_survive_a_change_of_the_column() {
    each_backend(|db| {
        let mut conn = db.connect();
        let texts = ["it's", "C:\\temp\\new", "line\nbreak", "\\", "%_\"x\""];
        let mut table = Table::new("defaults")
            .column(Column::new("id", ColumnType::Integer).primary_key())
            .column(Column::new("i", ColumnType::Integer).default(-7))
            .column(Column::new("f", ColumnType::Double).default(1.5))
            .column(Column::new("b", ColumnType::Boolean).default(true))
            .column(Column::new("nul", ColumnType::Integer).default(Value::Null))
            .column(
                Column::new("ts", ColumnType::Timestamp).default(DefaultValue::CurrentTimestamp),
            );
        for (n, t) in texts.iter().enumerate() {
            table = table.column(Column::new(format!("t{n}"), ColumnType::Varchar(40)).default(*t));
        }
        // Restated in a session that reads literals the other way (MySQL and PostgreSQL),
        // each column changed once: its default must mean what it meant.
        let setting = match db.backend {
            Backend::Postgres => "SET standard_conforming_strings = off",
            Backend::Mysql => "SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')",
            _ => "SELECT 1",
        };
        with_ctx(&mut conn, |ctx| ctx.create_table(table));
        with_ctx(&mut conn, |ctx| {
            ctx.execute(setting)?;
            for c in ["i", "f", "b", "nul", "ts"] {
                ctx.alter_column("defaults", c, AlterColumn::new().nullable(false))?;
            }
            for n in 0..texts.len() {
                ctx.alter_column(
                    "defaults",
                    &format!("t{n}"),
                    AlterColumn::new().ty(ColumnType::Varchar(60)),
                )?;
            }
            ctx.execute("INSERT INTO defaults (id, nul) VALUES (1, 0)")
        });
        let who = db.describe();
        for (n, t) in texts.iter().enumerate() {
            let stored = introspect::values(&mut conn, "defaults", &format!("t{n}"), "id");
            assert_eq!(stored, [Some((*t).to_owned())], "{who}: t{n}");
        }
        let one = |conn: &mut AnyConnection, c: &str| {
            introspect::values(conn, "defaults", c, "id")[0]
                .clone()
                .unwrap_or_default()
        };
        assert_eq!(one(&mut conn, "i"), "-7", "{who}");
        assert!(one(&mut conn, "f").starts_with("1.5"), "{who}");
        assert!(
            ["1", "true", "t"].contains(&one(&mut conn, "b").as_str()),
            "{who}"
        );
        assert!(!one(&mut conn, "ts").is_empty(), "{who}");
    });
}

#[test]
fn composite_foreign_keys_cascade_deletes_and_key_updates() {
    each_backend(|db| {
        let mut conn = db.connect();
        if db.backend == Backend::Sqlite {
            sql(&mut conn, "PRAGMA foreign_keys = ON").unwrap();
        }
        with_ctx(&mut conn, |ctx| {
            ctx.create_table(
                Table::new("tenant_users")
                    .column(Column::new("tenant", ColumnType::Integer))
                    .column(Column::new("login", ColumnType::Varchar(40)))
                    .primary_key(["tenant", "login"]),
            )?;
            ctx.create_table(
                Table::new("sessions")
                    .column(Column::new("id", ColumnType::Integer).primary_key())
                    .column(Column::new("tenant", ColumnType::Integer).not_null())
                    .column(Column::new("login", ColumnType::Varchar(40)))
                    .constraint(
                        Constraint::foreign_key(
                            "fk_sessions_user",
                            ["tenant", "login"],
                            "tenant_users",
                            ["tenant", "login"],
                        )
                        .on_delete(Action::Cascade)
                        .on_update(Action::Cascade),
                    ),
            )?;
            ctx.bulk_insert(
                "tenant_users",
                ["tenant", "login"],
                [[Value::Int(1), "ann".into()], [Value::Int(1), "bob".into()]],
            )?;
            ctx.bulk_insert(
                "sessions",
                ["id", "tenant", "login"],
                [
                    [Value::Int(1), Value::Int(1), "ann".into()],
                    [Value::Int(2), Value::Int(1), "bob".into()],
                ],
            )
        });
        let who = db.describe();
        let orphan = sql(
            &mut conn,
            "INSERT INTO sessions (id, tenant, login) VALUES (3, 2, 'ann')",
        );
        assert!(
            orphan.is_err(),
            "{who}: the composite key lets an orphan in"
        );
        sql(
            &mut conn,
            "UPDATE tenant_users SET login = 'anne' WHERE login = 'ann'",
        )
        .unwrap();
        assert_eq!(
            introspect::values(&mut conn, "sessions", "login", "id"),
            [Some("anne".to_owned()), Some("bob".to_owned())],
            "{who}"
        );
        sql(&mut conn, "DELETE FROM tenant_users WHERE login = 'bob'").unwrap();
        assert_eq!(row_count(&mut conn, "sessions"), 1, "{who}");
    });
}

#[test]
fn renaming_columns_and_tables_keeps_the_keys_and_indexes_over_them() {
    each_backend(|db| {
        let mut conn = db.connect();
        with_ctx(&mut conn, |ctx| {
            ctx.create_table(
                Table::new("owners").column(Column::new("id", ColumnType::Integer).primary_key()),
            )?;
            ctx.create_table(
                Table::new("pets")
                    .column(Column::new("id", ColumnType::Integer).primary_key())
                    .column(Column::new("owner_id", ColumnType::Integer))
                    .column(Column::new("name", ColumnType::Varchar(20)))
                    .constraint(Constraint::foreign_key(
                        "fk_pets_owner",
                        ["owner_id"],
                        "owners",
                        ["id"],
                    ))
                    .constraint(Constraint::check("ck_pets_name", "name <> ''")),
            )?;
            ctx.create_index(
                Index::new("ix_pets_owner_name", "pets", ["owner_id", "name"]).unique(),
            )?;
            ctx.bulk_insert("owners", ["id"], [[1]])?;
            ctx.bulk_insert(
                "pets",
                ["id", "owner_id", "name"],
                [[Value::Int(1), Value::Int(1), "rex".into()]],
            )
        });
        if db.backend == Backend::Sqlite {
            sql(&mut conn, "PRAGMA foreign_keys = ON").unwrap();
        }
        with_ctx(&mut conn, |ctx| {
            ctx.rename_column("owners", "id", "owner_key")?;
            ctx.rename_column("pets", "owner_id", "owner")?;
            ctx.rename_column("pets", "name", "label")?;
            ctx.rename_table("owners", "people")
        });
        let who = db.describe();
        let info = introspect::table(&mut conn, "pets");
        assert_eq!(info.column_names(), ["id", "owner", "label"], "{who}");
        let ix = &info.indexes["ix_pets_owner_name"];
        assert_eq!(ix.columns, ["owner", "label"], "{who}");
        assert!(ix.unique, "{who}");
        for (what, insert) in [
            (
                "foreign key",
                "INSERT INTO pets (id, owner, label) VALUES (2, 9, 'x')",
            ),
            (
                "unique index",
                "INSERT INTO pets (id, owner, label) VALUES (2, 1, 'rex')",
            ),
            (
                "check",
                "INSERT INTO pets (id, owner, label) VALUES (2, 1, '')",
            ),
        ] {
            assert!(
                sql(&mut conn, insert).is_err(),
                "{who}: the {what} lets a bad row in"
            );
        }
        sql(
            &mut conn,
            "INSERT INTO pets (id, owner, label) VALUES (2, 1, 'tom')",
        )
        .unwrap();
    });
}

/// A misspelt column: the error says there is no such column, wherever it is caught.
#[test]
fn altering_a_missing_column_says_it_is_missing() {
    each_backend(|db| {
        let mut conn = db.connect();
        with_ctx(&mut conn, |ctx| {
            ctx.create_table(
                Table::new("people")
                    .column(Column::new("id", ColumnType::Integer).primary_key())
                    .column(Column::new("name", ColumnType::Varchar(20))),
            )
        });
        for change in [
            AlterColumn::new().nullable(false),
            AlterColumn::new().ty(ColumnType::Text),
        ] {
            let err = try_ctx(&mut conn, |ctx| ctx.alter_column("people", "nmae", change))
                .unwrap_err()
                .to_string();
            let who = db.describe();
            assert!(err.contains("nmae"), "{who}: {err}");
            assert!(
                err.contains("no column") || err.contains("does not exist"),
                "{who}: {err}"
            );
            assert!(!err.contains("offline"), "{who}: {err}");
        }
    });
}

/// MySQL's column names ignore case: a column named in another case is the same column,
/// and restating it keeps its own name and what it was.
#[cfg(feature = "mysql")]
#[test]
fn a_mysql_column_named_in_another_case_keeps_its_name_and_type() {
    each_backend(|db| {
        if db.backend != Backend::Mysql {
            return;
        }
        let mut conn = db.connect();
        with_ctx(&mut conn, |ctx| {
            ctx.create_table(
                Table::new("people")
                    .column(Column::new("id", ColumnType::Integer).primary_key())
                    .column(Column::new("UserName", ColumnType::Varchar(20)).default("anon")),
            )
        });
        with_ctx(&mut conn, |ctx| {
            ctx.alter_column("people", "username", AlterColumn::new().nullable(false))?;
            // Restated from what the first change left, not from the shape before it.
            ctx.alter_column(
                "people",
                "USERNAME",
                AlterColumn::new().ty(ColumnType::Varchar(30)),
            )
        });
        let info = introspect::table(&mut conn, "people");
        assert_eq!(info.column_names(), ["id", "UserName"]);
        let c = info.column("UserName");
        assert!(!c.nullable && c.ty == "varchar(30)", "{c:?}");
        assert!(
            c.default.as_deref().is_some_and(|d| d.contains("anon")),
            "{c:?}"
        );
    });
}

/// A name is one identifier: a dot does not qualify it. A migration works in another
/// PostgreSQL schema through `search_path`, as the README says, and the run's own
/// bookkeeping stays where it was.
#[cfg(feature = "postgres")]
#[test]
fn a_dotted_name_is_one_name_and_search_path_reaches_another_schema() {
    each_backend(|db| {
        if db.backend != Backend::Postgres {
            return;
        }
        let mut conn = db.connect();
        let first = support::custom("a", &[], |ctx| {
            ctx.create_table(
                Table::new("app.users").column(Column::new("id", ColumnType::Integer)),
            )?;
            ctx.execute("CREATE SCHEMA app; SET LOCAL search_path TO app, public")?;
            ctx.create_table(
                Table::new("users").column(Column::new("id", ColumnType::Integer).primary_key()),
            )?;
            ctx.bulk_insert("users", ["id"], [[1]])
        });
        let second = support::custom("b", &["a"], |ctx| {
            ctx.execute("SET LOCAL search_path TO app, public")?;
            ctx.add_column("users", Column::new("email", ColumnType::Text))
        });
        let migrator = migrate_runtime::Migrator::new(
            migrate_runtime::MigrationSet::new(vec![first, second]).unwrap(),
        );
        migrator.upgrade(&mut conn, "head").unwrap();
        assert!(table_exists(&mut conn, "app.users"), "the dotted name");
        assert_eq!(row_count(&mut conn, "\"app.users\""), 0);
        assert_eq!(row_count(&mut conn, "app.users"), 1);
        sql(
            &mut conn,
            "INSERT INTO app.users (id, email) VALUES (2, 'x')",
        )
        .unwrap();
        let mut other = db.connect();
        assert_eq!(migrator.current(&mut other).unwrap(), [id("b")]);
    });
}

/// MySQL restates a column to change its nullability: every kind of column keeps its
/// type, default, `ON UPDATE` and character set, a foreign key's column included.
#[cfg(feature = "mysql")]
#[test]
fn a_mysql_restatement_keeps_what_each_kind_of_column_was() {
    each_backend(|db| {
        if db.backend != Backend::Mysql {
            return;
        }
        let mut conn = db.connect();
        with_ctx(&mut conn, |ctx| {
            ctx.execute("CREATE TABLE owners (id INT UNSIGNED PRIMARY KEY)")?;
            ctx.execute(
                "CREATE TABLE kinds (id INT PRIMARY KEY,
                   ts DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
                   e ENUM('x', 'y\\\\z') CHARACTER SET latin1 COLLATE latin1_bin DEFAULT 'y\\\\z',
                   n INT(6) UNSIGNED ZEROFILL DEFAULT 42,
                   d DECIMAL(7, 2) DEFAULT 1.50,
                   b BIT(1) DEFAULT b'1',
                   g CHAR(36) DEFAULT (uuid()),
                   owner INT UNSIGNED,
                   CONSTRAINT fk_kinds_owner FOREIGN KEY (owner) REFERENCES owners (id))",
            )
        });
        let before = introspect::table(&mut conn, "kinds");
        with_ctx(&mut conn, |ctx| {
            ctx.execute("INSERT INTO owners (id) VALUES (1)")?;
            ctx.execute("INSERT INTO kinds (id, owner) VALUES (1, 1)")?;
            for c in ["ts", "e", "n", "d", "b", "g", "owner"] {
                ctx.alter_column("kinds", c, AlterColumn::new().nullable(false))?;
            }
            Ok(())
        });
        let after = introspect::table(&mut conn, "kinds");
        for (old, new) in before.columns.iter().zip(&after.columns).skip(1) {
            assert_eq!(old.ty, new.ty, "{}", old.name);
            // `DEFAULT NULL` goes with the nulls.
            if old.default.as_deref() != Some("NULL") {
                assert_eq!(old.default, new.default, "{}", old.name);
            }
            assert!(!new.nullable, "{new:?}");
        }
        assert!(
            after.foreign_keys.contains_key("fk_kinds_owner"),
            "{after:?}"
        );
        let show = |conn: &mut AnyConnection| {
            #[derive(diesel::QueryableByName)]
            struct Create {
                #[diesel(sql_type = diesel::sql_types::Text, column_name = "Create Table")]
                sql: String,
            }
            diesel::RunQueryDsl::get_result::<Create>(
                diesel::sql_query("SHOW CREATE TABLE kinds"),
                conn,
            )
            .unwrap()
            .sql
        };
        let sql = show(&mut conn);
        for kept in [
            "ON UPDATE current_timestamp(6)",
            "CHARACTER SET latin1 COLLATE latin1_bin",
        ] {
            assert!(sql.contains(kept), "lost `{kept}`:\n{sql}");
        }
        assert_eq!(
            introspect::values(&mut conn, "kinds", "e", "id"),
            [Some("y\\z".to_owned())]
        );
    });
}

/// A type change PostgreSQL cannot apply as asked: the error says which column and what
/// to write instead, in this API's words, and the column stays as it was.
#[test]
fn a_type_change_postgres_refuses_says_what_to_write() {
    each_backend(|db| {
        let mut conn = db.connect();
        with_ctx(&mut conn, |ctx| {
            ctx.create_table(
                Table::new("counters")
                    .column(Column::new("id", ColumnType::Integer).primary_key())
                    .column(Column::new("n", ColumnType::Integer).not_null().default(0))
                    .column(Column::new("code", ColumnType::Text)),
            )?;
            ctx.bulk_insert(
                "counters",
                ["id", "n", "code"],
                [[Value::Int(1), Value::Int(1), "12".into()]],
            )
        });
        let to_bool = try_ctx(&mut conn, |ctx| {
            ctx.alter_column("counters", "n", AlterColumn::new().ty(ColumnType::Boolean))
        });
        let to_custom = try_ctx(&mut conn, |ctx| {
            ctx.alter_column(
                "counters",
                "code",
                AlterColumn::new().ty(ColumnType::custom("INTEGER")),
            )
        });
        if db.backend != Backend::Postgres {
            to_bool.unwrap();
            to_custom.unwrap();
            return;
        }
        let err = to_bool.unwrap_err().to_string();
        assert!(
            err.contains("`counters.n`") && err.contains("AlterColumn::drop_default"),
            "{err}"
        );
        let err = to_custom.unwrap_err().to_string();
        assert!(
            err.contains("`counters.code`") && err.contains("USING"),
            "{err}"
        );
        assert!(err.contains("ctx.execute"), "{err}");
        let info = introspect::table(&mut conn, "counters");
        assert_eq!(info.column("n").ty, "integer");
        assert_eq!(info.column("code").ty, "text");
    });
}

/// MySQL restates a text column's character set and collation when a change leaves
/// them, and takes the new ones a custom type names.
#[cfg(feature = "mysql")]
#[test]
fn a_mysql_custom_type_may_change_the_character_set() {
    each_backend(|db| {
        if db.backend != Backend::Mysql {
            return;
        }
        let mut conn = db.connect();
        with_ctx(&mut conn, |ctx| {
            ctx.execute(
                "CREATE TABLE words (id INT PRIMARY KEY, \
                 w VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL, \
                 c VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin)",
            )
        });
        with_ctx(&mut conn, |ctx| {
            ctx.alter_column(
                "words",
                "w",
                AlterColumn::new().ty(ColumnType::custom(
                    "VARCHAR(20) CHARACTER SET ascii COLLATE ascii_general_ci",
                )),
            )?;
            ctx.alter_column(
                "words",
                "c",
                AlterColumn::new().ty(ColumnType::custom("VARCHAR(20) COLLATE utf8mb4_unicode_ci")),
            )
        });
        #[derive(diesel::QueryableByName)]
        struct Collation {
            #[diesel(sql_type = diesel::sql_types::Text)]
            name: String,
            #[diesel(sql_type = diesel::sql_types::Text)]
            collation: String,
        }
        let found: Vec<Collation> = diesel::RunQueryDsl::load(
            diesel::sql_query(
                "SELECT CAST(COLUMN_NAME AS CHAR) AS name, CAST(COLLATION_NAME AS CHAR) AS collation \
                 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() \
                 AND TABLE_NAME = 'words' AND COLUMN_NAME IN ('w', 'c') ORDER BY COLUMN_NAME",
            ),
            &mut conn,
        )
        .unwrap();
        let found: Vec<(&str, &str)> = found
            .iter()
            .map(|c| (c.name.as_str(), c.collation.as_str()))
            .collect();
        assert_eq!(
            found,
            [("c", "utf8mb4_unicode_ci"), ("w", "ascii_general_ci")]
        );
        let info = introspect::table(&mut conn, "words");
        assert!(!info.column("w").nullable, "the nullability was restated");
    });
}

/// A MySQL `DATETIME ... ON UPDATE CURRENT_TIMESTAMP` column turned into text: the
/// auto-update goes (text cannot hold it) and the stored values stay.
#[cfg(feature = "mysql")]
#[test]
fn a_mysql_auto_updated_column_may_become_text() {
    each_backend(|db| {
        if db.backend != Backend::Mysql {
            return;
        }
        let mut conn = db.connect();
        with_ctx(&mut conn, |ctx| {
            ctx.execute(
                "CREATE TABLE events (id INT PRIMARY KEY, \
                 upd DATETIME DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP)",
            )?;
            ctx.execute("INSERT INTO events (id, upd) VALUES (1, '2024-05-06 07:08:09')")
        });
        with_ctx(&mut conn, |ctx| {
            ctx.alter_column(
                "events",
                "upd",
                AlterColumn::new()
                    .ty(ColumnType::Varchar(40))
                    .drop_default(),
            )
        });
        let info = introspect::table(&mut conn, "events");
        assert_eq!(info.column("upd").ty, "varchar(40)");
        assert_eq!(
            introspect::values(&mut conn, "events", "upd", "id"),
            [Some("2024-05-06 07:08:09".to_owned())]
        );
    });
}

#[cfg(feature = "mysql")]
#[derive(diesel::QueryableByName)]
struct Hex {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    hex: Option<String>,
}

/// The bytes of `table.column` in the row `id`, in upper-case hex.
#[cfg(feature = "mysql")]
fn hex_of(conn: &mut AnyConnection, table: &str, column: &str, id: i32) -> Option<String> {
    use diesel::RunQueryDsl;
    diesel::sql_query(format!(
        "SELECT HEX(`{column}`) AS hex FROM `{table}` WHERE id = {id}"
    ))
    .get_result::<Hex>(conn)
    .unwrap()
    .hex
}

#[cfg(feature = "mysql")]
fn upper_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// The columns of [`mysql_text_and_blob_defaults_keep_their_bytes`], with the bytes each
/// default must give: TEXT-family columns with texts MariaDB would read escapes in, a
/// JSON column and a BLOB with a bytes default.
#[cfg(feature = "mysql")]
fn text_default_columns() -> Vec<(Column, Vec<u8>)> {
    let texts = [
        "it's \\ new",
        "C:\\temp\\new",
        "line\nbreak\ttab",
        "50% of _x_",
        "\u{e9}t\u{e9} \u{2603} \u{1f600}",
        "\\'\"\\\\",
    ];
    let mut out: Vec<(Column, Vec<u8>)> = texts
        .iter()
        .enumerate()
        .map(|(n, t)| {
            let column = Column::new(format!("t{n}"), ColumnType::Text).default(*t);
            (column, t.as_bytes().to_vec())
        })
        .collect();
    for ty in ["TINYTEXT", "MEDIUMTEXT", "LONGTEXT"] {
        let name = ty.to_ascii_lowercase();
        let column = Column::new(name, ColumnType::custom(ty)).default("a\\nb 'q'");
        out.push((column, b"a\\nb 'q'".to_vec()));
    }
    let doc = r#"{"path": "C:\\temp"}"#;
    out.push((
        Column::new("doc", ColumnType::Json).default(doc),
        doc.as_bytes().to_vec(),
    ));
    let raw = vec![0u8, 0xff, b'\\', b'\'', b'n'];
    out.push((
        Column::new("raw", ColumnType::Binary).default(raw.clone()),
        raw.clone(),
    ));
    out.push((
        Column::new("small_raw", ColumnType::custom("BLOB")).default(raw.clone()),
        raw,
    ));
    out
}

/// The operations of [`mysql_text_and_blob_defaults_keep_their_bytes`] that state a
/// default: a table, an added column and a changed default.
#[cfg(feature = "mysql")]
fn create_text_defaults(ctx: &mut MigrationContext<'_>) -> Result<()> {
    let mut table =
        Table::new("notes").column(Column::new("id", ColumnType::Integer).primary_key());
    for (column, _) in text_default_columns() {
        table = table.column(column);
    }
    ctx.create_table(table)?;
    ctx.add_column(
        "notes",
        Column::new("added", ColumnType::Text).default("x\\'y"),
    )?;
    ctx.add_column("notes", Column::new("changed", ColumnType::Text))?;
    ctx.alter_column(
        "notes",
        "changed",
        AlterColumn::new().default("D:\\data\\n"),
    )
}

/// Each column's default must give the bytes it was given, in row `id`.
#[cfg(feature = "mysql")]
fn assert_text_defaults(conn: &mut AnyConnection, id: i32, when: &str) {
    let mut expected: Vec<(String, Vec<u8>)> = text_default_columns()
        .into_iter()
        .map(|(c, bytes)| (c.name, bytes))
        .collect();
    expected.push(("added".into(), b"x\\'y".to_vec()));
    expected.push(("changed".into(), b"D:\\data\\n".to_vec()));
    for (column, bytes) in expected {
        assert_eq!(
            hex_of(conn, "notes", &column, id),
            Some(upper_hex(&bytes)),
            "{when}: default of `{column}`"
        );
    }
}

/// MariaDB keeps the default of a TEXT or BLOB column as SQL text it parses again (and
/// MySQL 8 takes only an expression there): every literal default of such a column, with
/// backslashes, quotes, control characters, `%` and non-ASCII text, gives its bytes back,
/// online, after the column is restated from what `information_schema` says (in a session
/// with `NO_BACKSLASH_ESCAPES` too), and from an offline script run by the `mariadb` client.
#[cfg(feature = "mysql")]
#[test]
fn mysql_text_and_blob_defaults_keep_their_bytes() {
    each_backend(|db| {
        if db.backend != Backend::Mysql {
            return;
        }
        let mut conn = db.connect();
        with_ctx(&mut conn, create_text_defaults);
        sql(&mut conn, "INSERT INTO notes (id) VALUES (1)").unwrap();
        assert_text_defaults(&mut conn, 1, "created online");

        let mut names: Vec<String> = text_default_columns()
            .into_iter()
            .map(|(c, _)| c.name)
            .collect();
        names.extend(["added".into(), "changed".into()]);
        with_ctx(&mut conn, |ctx| {
            for (n, name) in names.iter().enumerate() {
                if n % 2 == 1 {
                    ctx.execute(
                        "SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')",
                    )?;
                } else {
                    ctx.execute(
                        "SET SESSION sql_mode = REPLACE(@@sql_mode, 'NO_BACKSLASH_ESCAPES', '')",
                    )?;
                }
                ctx.alter_column("notes", name, AlterColumn::new().nullable(false))?;
            }
            Ok(())
        });
        sql(&mut conn, "INSERT INTO notes (id) VALUES (2)").unwrap();
        assert_text_defaults(&mut conn, 2, "restated online");
        let info = introspect::table(&mut conn, "notes");
        assert!(!info.column("t0").nullable, "{:?}", info.column("t0"));

        // Offline: the same operations, then a restatement of each column from the
        // shapes the script tracked.
        let offline = support::TestDb::fresh_like(db);
        let migrations = migrate_runtime::MigrationSet::new(vec![
            support::custom("a", &[], create_text_defaults),
            support::custom("b", &["a"], |ctx| {
                for (column, _) in text_default_columns() {
                    ctx.alter_column("notes", &column.name, AlterColumn::new().nullable(false))?;
                }
                Ok(())
            }),
        ])
        .unwrap();
        let script = migrate_runtime::Migrator::new(migrations)
            .upgrade_sql(Backend::Mysql, None, "head")
            .unwrap();
        assert!(script.contains("(CONVERT(X'"), "{script}");
        support::run_with_client(&offline, &script);
        let mut conn = offline.connect();
        sql(&mut conn, "INSERT INTO notes (id) VALUES (3)").unwrap();
        assert_text_defaults(&mut conn, 3, "offline script");
    });
}

/// `SHOW CREATE TABLE` of `table`, in the session's character set (a binary default's
/// bytes are not UTF-8).
#[cfg(feature = "mysql")]
fn show_create(conn: &mut AnyConnection, table: &str) -> String {
    #[derive(diesel::QueryableByName)]
    struct Create {
        #[diesel(sql_type = diesel::sql_types::Binary, column_name = "Create Table")]
        sql: Vec<u8>,
    }
    let create = diesel::RunQueryDsl::get_result::<Create>(
        diesel::sql_query(format!("SHOW CREATE TABLE `{table}`")),
        conn,
    )
    .unwrap();
    String::from_utf8_lossy(&create.sql).into_owned()
}

/// MariaDB's `information_schema` is utf8mb3: a character beyond U+FFFF in a CHAR or
/// VARCHAR default, or a BINARY or VARBINARY default's bytes, read there as `?`. A
/// restatement of the column (to change its nullability) writes the exact default all
/// the same, typed or raw, in either `sql_mode`, and a column `CHECK` keeps its text.
/// A default that cannot be read whole, or an ENUM or SET whose values read as `?`, is
/// refused, naming the column and the way out, rather than restated otherwise; stated in
/// the change, it is restated exactly. A generated column is refused as ever.
#[cfg(feature = "mysql")]
#[test]
fn mariadb_restatements_keep_what_information_schema_damages() {
    each_backend(|db| {
        if db.backend != Backend::Mysql {
            return;
        }
        let mut conn = db.connect();
        let bytes = vec![0u8, 0xff, b'\\', b'\'', 0x80];
        let smiley = "\u{1f600} a?";
        with_ctx(&mut conn, |ctx| {
            ctx.create_table(
                Table::new("marks")
                    .column(Column::new("id", ColumnType::Integer).primary_key())
                    .column(Column::new("v", ColumnType::Varchar(20)).default(smiley))
                    .column(
                        Column::new("vb", ColumnType::custom("VARBINARY(9)"))
                            .default(bytes.clone()),
                    )
                    .column(Column::new("bs", ColumnType::Varchar(20)).default("\\ \u{1f600}")),
            )?;
            ctx.execute(
                "ALTER TABLE marks ADD COLUMN c CHAR(4) DEFAULT _utf8mb4 X'F09F9880', \
                 ADD COLUMN bn BINARY(3) DEFAULT X'00FF27', \
                 ADD COLUMN l VARCHAR(5) CHARACTER SET latin1 DEFAULT _utf8mb4 X'C3A9', \
                 ADD COLUMN q VARCHAR(9) DEFAULT 'why?' COMMENT 'c \u{1f600}', \
                 ADD COLUMN k INT CHECK (k <> octet_length('\u{1f600}'))",
            )
        });
        sql(&mut conn, "INSERT INTO marks (id) VALUES (1)").unwrap();
        let expected = [
            ("v", smiley.as_bytes().to_vec()),
            ("vb", bytes.clone()),
            ("bs", "\\ \u{1f600}".as_bytes().to_vec()),
            ("c", "\u{1f600}".as_bytes().to_vec()),
            ("bn", vec![0, 0xff, b'\'']),
            ("l", vec![0xe9]),
            ("q", b"why?".to_vec()),
        ];
        for (column, bytes) in &expected {
            assert_eq!(
                hex_of(&mut conn, "marks", column, 1),
                Some(upper_hex(bytes)),
                "created: default of `{column}`"
            );
        }
        let check_before = show_create(&mut conn, "marks");
        assert!(check_before.contains('\u{1f600}'), "{check_before}");
        with_ctx(&mut conn, |ctx| {
            for (n, column) in ["v", "vb", "bs", "c", "bn", "l", "q", "k"]
                .into_iter()
                .enumerate()
            {
                let mode = if n % 2 == 1 {
                    "SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')"
                } else {
                    "SET SESSION sql_mode = REPLACE(@@sql_mode, 'NO_BACKSLASH_ESCAPES', '')"
                };
                ctx.execute(mode)?;
                ctx.alter_column("marks", column, AlterColumn::new().nullable(column == "k"))?;
            }
            Ok(())
        });
        sql(
            &mut conn,
            "SET SESSION sql_mode = REPLACE(@@sql_mode, 'NO_BACKSLASH_ESCAPES', '')",
        )
        .unwrap();
        sql(&mut conn, "INSERT INTO marks (id) VALUES (2)").unwrap();
        for (column, bytes) in &expected {
            assert_eq!(
                hex_of(&mut conn, "marks", column, 2),
                Some(upper_hex(bytes)),
                "restated: default of `{column}`"
            );
        }
        let info = introspect::table(&mut conn, "marks");
        assert!(!info.column("v").nullable, "{:?}", info.column("v"));
        // MariaDB keeps a comment in utf8mb3 from the start: restated as it was.
        let kept = [
            "CHECK (`k` <> octet_length('\u{1f600}'))",
            "DEFAULT 'why?' COMMENT 'c ?'",
        ];
        let after = show_create(&mut conn, "marks");
        for kept in kept {
            assert!(check_before.contains(kept), "{check_before}");
            assert!(after.contains(kept), "{after}");
        }

        // A default that cannot be read whole (here: the temporary table it is read
        // from cannot be made) is restated only when the change states it.
        sql(
            &mut conn,
            "CREATE TEMPORARY TABLE migrate_default_probe (taken INT)",
        )
        .unwrap();
        let err = try_ctx(&mut conn, |ctx| {
            ctx.alter_column("marks", "v", AlterColumn::new().nullable(true))
        })
        .unwrap_err()
        .to_string();
        for part in ["`marks.v`", "'? a?'", "AlterColumn::existing_default"] {
            assert!(err.contains(part), "{err}");
        }
        with_ctx(&mut conn, |ctx| {
            ctx.alter_column(
                "marks",
                "v",
                AlterColumn::new()
                    .nullable(true)
                    .existing_default(Some(DefaultValue::Value(Value::Text(smiley.into())))),
            )
        });
        sql(&mut conn, "DROP TEMPORARY TABLE migrate_default_probe").unwrap();
        sql(&mut conn, "INSERT INTO marks (id) VALUES (3)").unwrap();
        assert_eq!(
            hex_of(&mut conn, "marks", "v", 3),
            Some(upper_hex(smiley.as_bytes()))
        );

        // ENUM and SET values are only in the type, which reads as `?` too.
        sql(
            &mut conn,
            "CREATE TABLE picks (id INT PRIMARY KEY, \
             e ENUM('a\u{1f600}', 'b') DEFAULT 'a\u{1f600}', \
             s SET('x\u{1f600}', 'y') DEFAULT 'x\u{1f600},y', \
             g VARCHAR(9) AS (CONCAT(e, '\u{1f600}')) VIRTUAL)",
        )
        .unwrap();
        sql(&mut conn, "INSERT INTO picks (id) VALUES (1)").unwrap();
        for (column, ty) in [
            ("e", "ENUM('a\u{1f600}', 'b')"),
            ("s", "SET('x\u{1f600}', 'y')"),
        ] {
            let err = try_ctx(&mut conn, |ctx| {
                ctx.alter_column("picks", column, AlterColumn::new().nullable(false))
            })
            .unwrap_err()
            .to_string();
            for part in [
                format!("`picks.{column}`"),
                "U+FFFF".into(),
                "AlterColumn::existing_type".into(),
            ] {
                assert!(err.contains(&part), "{err}");
            }
            with_ctx(&mut conn, |ctx| {
                ctx.alter_column(
                    "picks",
                    column,
                    AlterColumn::new()
                        .nullable(false)
                        .existing_type(ColumnType::custom(ty)),
                )
            });
        }
        let err = try_ctx(&mut conn, |ctx| {
            ctx.alter_column("picks", "g", AlterColumn::new().nullable(true))
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("generated column"), "{err}");
        sql(&mut conn, "INSERT INTO picks (id) VALUES (2)").unwrap();
        for id in [1, 2] {
            assert_eq!(
                hex_of(&mut conn, "picks", "e", id),
                Some(upper_hex("a\u{1f600}".as_bytes()))
            );
            assert_eq!(
                hex_of(&mut conn, "picks", "s", id),
                Some(upper_hex("x\u{1f600},y".as_bytes()))
            );
        }
        let info = introspect::table(&mut conn, "picks");
        assert!(!info.column("s").nullable, "{:?}", info.column("s"));
    });
}

/// An ENUM or SET whose values hold a real `?` reads as such in MariaDB's
/// `information_schema` as one holding a character beyond U+FFFF does: the values as the
/// column gives them tell them apart, so the first is restated as read and only the
/// second (even with a real `?` beside it) is refused.
#[cfg(feature = "mysql")]
#[test]
fn mariadb_restates_an_enum_or_set_whose_question_marks_are_real() {
    each_backend(|db| {
        if db.backend != Backend::Mysql {
            return;
        }
        let mut conn = db.connect();
        sql(
            &mut conn,
            "CREATE TABLE q (id INT PRIMARY KEY, \
             e ENUM('yes?', 'no', 'it''s?') CHARACTER SET utf8mb4 DEFAULT 'yes?', \
             s SET('a?', 'b\\\\?', 'c') CHARACTER SET utf8mb4 DEFAULT 'a?,c', \
             m ENUM('x\u{1f600}?', 'y?') CHARACTER SET utf8mb4 DEFAULT 'y?')",
        )
        .unwrap();
        let before = show_create(&mut conn, "q");
        with_ctx(&mut conn, |ctx| {
            ctx.alter_column("q", "e", AlterColumn::new().nullable(false))?;
            ctx.alter_column("q", "s", AlterColumn::new().nullable(false))
        });
        let after = show_create(&mut conn, "q");
        for kept in [
            "`e` enum('yes?','no','it''s?') NOT NULL DEFAULT 'yes?'",
            "`s` set('a?','b\\\\?','c') NOT NULL DEFAULT 'a?,c'",
        ] {
            assert!(after.contains(kept), "{before}\n{after}");
        }
        let err = try_ctx(&mut conn, |ctx| {
            ctx.alter_column("q", "m", AlterColumn::new().nullable(false))
        })
        .unwrap_err()
        .to_string();
        for part in ["`q.m`", "U+FFFF", "AlterColumn::existing_type"] {
            assert!(err.contains(part), "{err}");
        }
        assert_eq!(show_create(&mut conn, "q"), after);
        sql(&mut conn, "INSERT INTO q (id) VALUES (1)").unwrap();
        assert_eq!(hex_of(&mut conn, "q", "e", 1), Some(upper_hex(b"yes?")));
        assert_eq!(hex_of(&mut conn, "q", "s", 1), Some(upper_hex(b"a?,c")));
    });
}

/// Every table of the database as its catalog describes it, and the version table's rows.
type Schema = (
    std::collections::BTreeMap<String, introspect::TableInfo>,
    Vec<String>,
);

/// A migration step as a plain function.
type Step = fn(&mut MigrationContext<'_>) -> Result<()>;

/// Runs migration `a` (`setup`) then `b` (`up`, reverted by `down`) through the executor:
/// upgrade to `a`, to `b`, downgrade to `a`, upgrade to `b` again, each of which must
/// succeed. The schema after each of the four.
fn round_trip(db: &support::TestDb, setup: Step, up: Step, down: Step) -> [Schema; 4] {
    use migrate_runtime::{Migration, MigrationFn, MigrationSet, Migrator};
    let migrator = Migrator::new(
        MigrationSet::new(vec![
            Migration::new(id("a"), MigrationFn::new(setup)),
            Migration::new(id("b"), MigrationFn::new(up))
                .with_revises([id("a")])
                .with_downgrade(MigrationFn::new(down)),
        ])
        .unwrap(),
    );
    let who = db.describe();
    let mut conn = db.connect();
    let mut stage = |run: &dyn Fn(&mut AnyConnection) -> Result<migrate_runtime::Report>,
                     what: &str| {
        run(&mut conn).unwrap_or_else(|e| panic!("{who}: {what}: {e}"));
        introspect::database(&mut conn)
    };
    [
        stage(&|c| migrator.upgrade(c, "a"), "upgrade to a"),
        stage(&|c| migrator.upgrade(c, "b"), "upgrade to b"),
        stage(&|c| migrator.downgrade(c, "a"), "downgrade to a"),
        stage(&|c| migrator.upgrade(c, "b"), "upgrade to b again"),
    ]
}

/// The names and columns of the indexes of `table` in `schema`.
fn indexes_of(schema: &Schema, table: &str) -> Vec<(String, Vec<String>)> {
    schema.0[table]
        .indexes
        .iter()
        .map(|(name, index)| (name.clone(), index.columns.clone()))
        .collect()
}

/// An index as [`indexes_of`] lists it.
fn ix(name: &str, columns: &[&str]) -> (String, Vec<String>) {
    (
        name.to_owned(),
        columns.iter().map(|c| (*c).to_owned()).collect(),
    )
}

/// Tables with foreign keys on one column, on two (with a one-column key sharing its first
/// column) and on the table itself, for the index round trips.
fn create_keyed_tables(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.create_table(
        Table::new("users").column(Column::new("id", ColumnType::Integer).primary_key()),
    )?;
    ctx.create_table(
        Table::new("orders")
            .column(Column::new("id", ColumnType::Integer).primary_key())
            .column(Column::new("user_id", ColumnType::Integer))
            .column(Column::new("status", ColumnType::Varchar(20)))
            .constraint(Constraint::foreign_key(
                "fk_orders_user",
                ["user_id"],
                "users",
                ["id"],
            )),
    )?;
    ctx.create_table(
        Table::new("parts")
            .column(Column::new("a", ColumnType::Integer))
            .column(Column::new("b", ColumnType::Integer))
            .primary_key(["a", "b"]),
    )?;
    ctx.create_table(
        Table::new("lines")
            .column(Column::new("id", ColumnType::Integer).primary_key())
            .column(Column::new("x", ColumnType::Integer))
            .column(Column::new("y", ColumnType::Integer))
            .column(Column::new("z", ColumnType::Integer))
            .constraint(Constraint::foreign_key(
                "fk_lines_part",
                ["x", "y"],
                "parts",
                ["a", "b"],
            ))
            .constraint(Constraint::foreign_key(
                "fk_lines_user",
                ["x"],
                "users",
                ["id"],
            )),
    )?;
    ctx.create_table(
        Table::new("nodes")
            .column(Column::new("id", ColumnType::Integer).primary_key())
            .column(Column::new("parent", ColumnType::Integer))
            .column(Column::new("rank", ColumnType::Integer))
            .constraint(Constraint::foreign_key(
                "fk_nodes_parent",
                ["parent"],
                "nodes",
                ["id"],
            )),
    )
}

/// MySQL silently drops the index it made for a foreign key when an index starting with
/// the key's columns is created: dropping that index again (a downgrade) adds back, in
/// the same statement, an index on the key's columns named after the key, as MySQL made
/// it, instead of being refused. The downgrade gives the schema back, on every backend,
/// for a one-column key, a composite one (whose index serves a one-column key too) and a
/// reference of a table to itself. Upgraded again, MySQL keeps that index beside the new
/// one, since it drops only an index it made itself (and re-adding the key in the
/// statement, for MySQL to make it, is refused: the key's name is taken until the
/// statement ends); elsewhere the schema is as after the first upgrade.
#[test]
fn dropping_the_index_a_foreign_key_relied_on_restores_the_key_s_own() {
    each_backend(|db| {
        let stages = round_trip(
            db,
            create_keyed_tables,
            |ctx| {
                ctx.create_index(Index::new(
                    "ix_orders_user_status",
                    "orders",
                    ["user_id", "status"],
                ))?;
                ctx.create_index(Index::new("ix_lines_xyz", "lines", ["x", "y", "z"]))?;
                ctx.create_index(Index::new(
                    "ix_nodes_parent_rank",
                    "nodes",
                    ["parent", "rank"],
                ))
            },
            |ctx| {
                ctx.drop_index("orders", "ix_orders_user_status")?;
                ctx.drop_index("lines", "ix_lines_xyz")?;
                ctx.drop_index("nodes", "ix_nodes_parent_rank")
            },
        );
        let who = db.describe();
        assert_eq!(stages[2], stages[0], "{who}: downgraded");
        let mut again = stages[1].clone();
        if db.backend == Backend::Mysql {
            // MySQL drops only an index it made itself when another comes to serve the
            // key: the one added back stays beside the new one.
            for (table, key, columns) in [
                ("orders", "fk_orders_user", &["user_id"][..]),
                ("lines", "fk_lines_part", &["x", "y"]),
                ("nodes", "fk_nodes_parent", &["parent"]),
            ] {
                let (name, columns) = ix(key, columns);
                let index = stages[0].0[table].indexes[&name].clone();
                assert_eq!(index.columns, columns);
                again.0.get_mut(table).unwrap().indexes.insert(name, index);
            }
        }
        assert_eq!(stages[3], again, "{who}: upgraded again");
        if db.backend == Backend::Mysql {
            // The case at hand: the keys' own indexes went when the new ones came.
            assert_eq!(
                indexes_of(&stages[0], "orders"),
                [ix("fk_orders_user", &["user_id"])]
            );
            assert_eq!(
                indexes_of(&stages[1], "orders"),
                [ix("ix_orders_user_status", &["user_id", "status"])]
            );
            assert_eq!(
                indexes_of(&stages[0], "lines"),
                [ix("fk_lines_part", &["x", "y"])]
            );
            assert_eq!(
                indexes_of(&stages[1], "lines"),
                [ix("ix_lines_xyz", &["x", "y", "z"])]
            );
            assert_eq!(
                indexes_of(&stages[0], "nodes"),
                [ix("fk_nodes_parent", &["parent"])]
            );
        }
        let mut conn = db.connect();
        for (table, probe) in [
            ("orders", "INSERT INTO orders (id, user_id) VALUES (1, 9)"),
            ("lines", "INSERT INTO lines (id, x, y) VALUES (1, 9, 9)"),
            ("nodes", "INSERT INTO nodes (id, parent) VALUES (1, 9)"),
        ] {
            assert_eq!(
                stages[3].0[table].foreign_keys.len(),
                stages[0].0[table].foreign_keys.len()
            );
            if db.backend != Backend::Sqlite {
                // SQLite checks the keys at the end of a migration, not of a statement.
                assert!(sql(&mut conn, probe).is_err(), "{who}: {table} unchecked");
            }
        }
    });
}

/// Another index that still serves the foreign key (a unique one here, and a longer one
/// for the composite key) means no index is added when the one created is dropped.
#[test]
fn dropping_an_index_adds_none_while_another_serves_the_foreign_key() {
    each_backend(|db| {
        let stages = round_trip(
            db,
            |ctx| {
                create_keyed_tables(ctx)?;
                ctx.add_constraint(
                    "orders",
                    Constraint::unique("uq_orders_user_id", ["user_id", "id"]),
                )?;
                ctx.create_index(Index::new("ix_lines_xyid", "lines", ["x", "y", "id"]))
            },
            |ctx| {
                ctx.create_index(Index::new(
                    "ix_orders_user_status",
                    "orders",
                    ["user_id", "status"],
                ))?;
                ctx.create_index(Index::new("ix_lines_xyz", "lines", ["x", "y", "z"]))
            },
            |ctx| {
                ctx.drop_index("orders", "ix_orders_user_status")?;
                ctx.drop_index("lines", "ix_lines_xyz")
            },
        );
        let who = db.describe();
        assert_eq!(stages[2], stages[0], "{who}: downgraded");
        assert_eq!(stages[3], stages[1], "{who}: upgraded again");
        if db.backend == Backend::Mysql {
            // MySQL made no index of its own for the keys, or dropped it: none comes back.
            assert_eq!(
                indexes_of(&stages[2], "orders"),
                [ix("uq_orders_user_id", &["user_id", "id"])]
            );
            assert_eq!(
                indexes_of(&stages[2], "lines"),
                [ix("ix_lines_xyid", &["x", "y", "id"])]
            );
        }
    });
}

/// A foreign key of another table needs an index on the referenced columns too (MySQL
/// takes one that is not unique): dropping the only one adds, in the same statement, an
/// index on them named after the key. Created again, the dropped index stands beside it,
/// and dropping it once more adds nothing.
#[cfg(feature = "mysql")]
#[test]
fn dropping_the_index_a_referencing_key_relied_on_keeps_one_for_it() {
    each_backend(|db| {
        if db.backend != Backend::Mysql {
            // PostgreSQL and SQLite reference only unique keys, which drop_index leaves.
            return;
        }
        let stages = round_trip(
            db,
            |ctx| {
                ctx.create_table(
                    Table::new("codes")
                        .column(Column::new("id", ColumnType::Integer).primary_key())
                        .column(Column::new("code", ColumnType::Integer))
                        .column(Column::new("x", ColumnType::Integer)),
                )?;
                ctx.create_index(Index::new("ix_codes_code_x", "codes", ["code", "x"]))?;
                ctx.create_table(
                    Table::new("items")
                        .column(Column::new("id", ColumnType::Integer).primary_key())
                        .column(Column::new("code", ColumnType::Integer))
                        .constraint(Constraint::foreign_key(
                            "fk_items_code",
                            ["code"],
                            "codes",
                            ["code"],
                        )),
                )
            },
            |ctx| ctx.drop_index("codes", "ix_codes_code_x"),
            |ctx| ctx.create_index(Index::new("ix_codes_code_x", "codes", ["code", "x"])),
        );
        assert_eq!(
            indexes_of(&stages[0], "codes"),
            [ix("ix_codes_code_x", &["code", "x"])]
        );
        assert_eq!(
            indexes_of(&stages[1], "codes"),
            [ix("fk_items_code", &["code"])]
        );
        assert_eq!(
            indexes_of(&stages[2], "codes"),
            [
                ix("fk_items_code", &["code"]),
                ix("ix_codes_code_x", &["code", "x"])
            ]
        );
        assert_eq!(stages[3], stages[1], "upgraded again");
        assert_eq!(stages[3].0["items"], stages[0].0["items"]);
        let mut conn = db.connect();
        sql(&mut conn, "INSERT INTO codes (id, code) VALUES (1, 10)").unwrap();
        sql(&mut conn, "INSERT INTO items (id, code) VALUES (1, 10)").unwrap();
        assert!(sql(&mut conn, "INSERT INTO items (id, code) VALUES (2, 11)").is_err());
    });
}

/// MySQL makes an index for a foreign key no index serves, and keeps it when the key is
/// dropped: dropping the key drops that index too (named like the key, exactly its
/// columns, not unique), so adding a key and dropping it again gives the schema back. An
/// index named like the key that is unique, or that another key needs, stays.
#[test]
fn dropping_a_foreign_key_drops_the_index_mysql_made_for_it() {
    each_backend(|db| {
        let stages = round_trip(
            db,
            |ctx| {
                ctx.create_table(
                    Table::new("users")
                        .column(Column::new("id", ColumnType::Integer).primary_key()),
                )?;
                ctx.create_table(
                    Table::new("orders")
                        .column(Column::new("id", ColumnType::Integer).primary_key())
                        .column(Column::new("user_id", ColumnType::Integer))
                        .column(Column::new("other", ColumnType::Integer)),
                )?;
                ctx.create_index(Index::new("fk_orders_other", "orders", ["other"]).unique())
            },
            |ctx| {
                ctx.add_constraint(
                    "orders",
                    Constraint::foreign_key("fk_orders_user", ["user_id"], "users", ["id"]),
                )?;
                ctx.add_constraint(
                    "orders",
                    Constraint::foreign_key("fk_orders_other", ["other"], "users", ["id"]),
                )
            },
            |ctx| {
                ctx.drop_constraint("orders", "fk_orders_other")?;
                ctx.drop_constraint("orders", "fk_orders_user")
            },
        );
        let who = db.describe();
        assert_eq!(stages[2], stages[0], "{who}: downgraded");
        assert_eq!(stages[3], stages[1], "{who}: upgraded again");
        if db.backend == Backend::Mysql {
            assert_eq!(
                indexes_of(&stages[1], "orders"),
                [
                    ix("fk_orders_other", &["other"]),
                    ix("fk_orders_user", &["user_id"])
                ]
            );
        }
        assert_eq!(stages[1].0["orders"].foreign_keys.len(), 2, "{who}");
        assert!(stages[2].0["orders"].foreign_keys.is_empty(), "{who}");
    });
}

/// The index MySQL made for one foreign key serves another on the same columns: dropping
/// the first key leaves the index to the second (MySQL would refuse to drop it).
#[cfg(feature = "mysql")]
#[test]
fn dropping_a_foreign_key_keeps_its_index_while_another_key_needs_it() {
    each_backend(|db| {
        if db.backend != Backend::Mysql {
            return;
        }
        let mut conn = db.connect();
        with_ctx(&mut conn, |ctx| {
            ctx.create_table(
                Table::new("users").column(Column::new("id", ColumnType::Integer).primary_key()),
            )?;
            ctx.create_table(
                Table::new("teams").column(Column::new("id", ColumnType::Integer).primary_key()),
            )?;
            ctx.create_table(
                Table::new("members")
                    .column(Column::new("id", ColumnType::Integer).primary_key())
                    .column(Column::new("x", ColumnType::Integer))
                    .constraint(Constraint::foreign_key(
                        "fk_members_user",
                        ["x"],
                        "users",
                        ["id"],
                    ))
                    .constraint(Constraint::foreign_key(
                        "fk_members_team",
                        ["x"],
                        "teams",
                        ["id"],
                    )),
            )
        });
        let before = introspect::table(&mut conn, "members");
        let (name, _) = before.indexes.iter().next().unwrap();
        let (made_for, other) = if name == "fk_members_user" {
            ("fk_members_user", "fk_members_team")
        } else {
            ("fk_members_team", "fk_members_user")
        };
        assert_eq!(
            before.indexes.keys().collect::<Vec<_>>(),
            [made_for],
            "{before:?}"
        );
        with_ctx(&mut conn, |ctx| ctx.drop_constraint("members", made_for));
        let after = introspect::table(&mut conn, "members");
        assert_eq!(after.indexes, before.indexes);
        assert_eq!(after.foreign_keys.keys().collect::<Vec<_>>(), [other]);
        // With the other key gone too, nothing needs it, but it is not named like that
        // key: it stays, as MySQL leaves it.
        with_ctx(&mut conn, |ctx| ctx.drop_constraint("members", other));
        let last = introspect::table(&mut conn, "members");
        assert!(last.foreign_keys.is_empty(), "{last:?}");
        assert_eq!(last.indexes, before.indexes);
    });
}
