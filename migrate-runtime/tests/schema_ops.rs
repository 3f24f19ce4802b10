//! The typed schema operations against real databases, checked by reading the catalog
//! back: SQLite always, PostgreSQL and MySQL/MariaDB when `MIGRATE_TEST_POSTGRES_URL` /
//! `MIGRATE_TEST_MYSQL_URL` are set.

mod introspect;
mod support;

use migrate_runtime::schema::{
    Action, AlterColumn, Column, ColumnType, Constraint, DefaultValue, Index, Table, Value,
};
use migrate_runtime::{
    AnyConnection, Backend, Direction, MigrationContext, MigrationSet, Migrator, Result,
};
use support::{custom, each_backend, id, row_count, table_exists};

/// Runs `f` on a context over `conn` and flushes what it buffered.
fn with_ctx(conn: &mut AnyConnection, f: impl FnOnce(&mut MigrationContext<'_>) -> Result<()>) {
    let rev = id("direct");
    let mut ctx = MigrationContext::new(conn, &rev, Direction::Up);
    f(&mut ctx).unwrap();
    ctx.flush().unwrap();
}

fn authors() -> Table {
    Table::new("authors")
        .column(
            Column::new("id", ColumnType::BigInt)
                .primary_key()
                .auto_increment(),
        )
        .column(Column::new("name", ColumnType::Varchar(100)).not_null())
        .column(
            Column::new("active", ColumnType::Boolean)
                .not_null()
                .default(true),
        )
        .constraint(Constraint::unique("uq_authors_name", ["name"]))
}

fn books() -> Table {
    Table::new("books")
        .column(Column::new("author_id", ColumnType::BigInt))
        .column(Column::new("isbn", ColumnType::Varchar(13)))
        .column(Column::new("pages", ColumnType::Integer).default(1))
        .primary_key(["author_id", "isbn"])
        .constraint(
            Constraint::foreign_key("fk_books_author", ["author_id"], "authors", ["id"])
                .on_delete(Action::Cascade)
                .on_update(Action::NoAction),
        )
        .constraint(Constraint::check("ck_books_pages", "pages > 0"))
}

#[test]
fn create_table_with_every_kind_of_constraint() {
    each_backend(|db| {
        let mut conn = db.connect();
        with_ctx(&mut conn, |ctx| {
            ctx.create_table(authors())?;
            ctx.create_table(books())
        });
        let a = introspect::table(&mut conn, "authors");
        assert_eq!(a.column_names(), ["id", "name", "active"]);
        assert!(!a.column("name").nullable);
        assert!(
            a.column("name").ty.contains("var"),
            "{:?}",
            a.column("name")
        );
        assert!(a.column("active").default.is_some(), "{a:#?}");
        assert_eq!(
            a.constraints.get("uq_authors_name").map(String::as_str),
            Some("UNIQUE")
        );

        let b = introspect::table(&mut conn, "books");
        assert!(!b.column("author_id").nullable && !b.column("isbn").nullable);
        assert!(b.column("pages").nullable);
        assert_eq!(
            b.constraints.get("fk_books_author").map(String::as_str),
            Some("FOREIGN KEY")
        );
        assert_eq!(
            b.constraints.get("ck_books_pages").map(String::as_str),
            Some("CHECK")
        );
        assert_eq!(
            b.foreign_keys["fk_books_author"],
            ("CASCADE".to_owned(), "NO ACTION".to_owned())
        );

        // The constraints hold.
        with_ctx(&mut conn, |ctx| {
            ctx.bulk_insert("authors", ["name"], [["Le Guin"], ["Tolkien"]])
        });
        let dup = MigrationContext::new(&mut conn, &id("x"), Direction::Up)
            .execute("INSERT INTO authors (name) VALUES ('Tolkien')");
        assert!(dup.is_err(), "the unique constraint lets a duplicate in");
        let bad = MigrationContext::new(&mut conn, &id("x"), Direction::Up)
            .execute("INSERT INTO books (author_id, isbn, pages) VALUES (1, 'x', 0)");
        assert!(bad.is_err(), "the check constraint lets pages = 0 in");
        // The auto-increment key generated 1 and 2.
        assert_eq!(
            introspect::values(&mut conn, "authors", "id", "id"),
            [Some("1".to_owned()), Some("2".to_owned())]
        );
    });
}

#[test]
fn every_portable_type_maps_to_the_backend_type() {
    each_backend(|db| {
        let mut conn = db.connect();
        let types = [
            ("small", ColumnType::SmallInt),
            ("int", ColumnType::Integer),
            ("big", ColumnType::BigInt),
            ("flag", ColumnType::Boolean),
            ("body", ColumnType::Text),
            ("code", ColumnType::Varchar(12)),
            ("ratio", ColumnType::Float),
            ("precise", ColumnType::Double),
            (
                "money",
                ColumnType::Numeric {
                    precision: 12,
                    scale: 4,
                },
            ),
            ("day", ColumnType::Date),
            ("at", ColumnType::Time),
            ("stamp", ColumnType::Timestamp),
            ("instant", ColumnType::TimestampTz),
            ("uid", ColumnType::Uuid),
            ("doc", ColumnType::Json),
            ("data", ColumnType::Binary),
            (
                "custom",
                ColumnType::per_backend("TEXT", "INET", "TINYTEXT"),
            ),
        ];
        let mut table = Table::new("every_type");
        for (name, ty) in types.iter().cloned() {
            table = table.column(Column::new(name, ty));
        }
        with_ctx(&mut conn, |ctx| ctx.create_table(table));
        let info = introspect::table(&mut conn, "every_type");
        let expected: [&str; 17] = match db.backend {
            Backend::Sqlite => [
                "smallint",
                "integer",
                "bigint",
                "boolean",
                "text",
                "varchar(12)",
                "real",
                "double",
                "numeric(12, 4)",
                "date",
                "time",
                "timestamp",
                "timestamptz",
                "char(36)",
                "text",
                "blob",
                "text",
            ],
            Backend::Postgres => [
                "smallint",
                "integer",
                "bigint",
                "boolean",
                "text",
                "character varying(12)",
                "real",
                "double precision",
                "numeric(12,4)",
                "date",
                "time without time zone",
                "timestamp without time zone",
                "timestamp with time zone",
                "uuid",
                "jsonb",
                "bytea",
                "inet",
            ],
            _ => [
                "smallint(6)",
                "int(11)",
                "bigint(20)",
                "tinyint(1)",
                "text",
                "varchar(12)",
                "float",
                "double",
                "decimal(12,4)",
                "date",
                "time",
                "datetime",
                "datetime",
                "char(36)",
                "longtext",
                "longblob",
                "tinytext",
            ],
        };
        let actual: Vec<&str> = info.columns.iter().map(|c| c.ty.as_str()).collect();
        assert_eq!(actual, expected, "{}", db.backend);
    });
}

#[test]
fn column_operations() {
    each_backend(|db| {
        let mut conn = db.connect();
        with_ctx(&mut conn, |ctx| {
            ctx.create_table(authors())?;
            ctx.bulk_insert("authors", ["name"], [["Le Guin"], ["Tolkien"]])
        });
        with_ctx(&mut conn, |ctx| {
            ctx.add_column(
                "authors",
                Column::new("country", ColumnType::Varchar(2))
                    .not_null()
                    .default("GB"),
            )?;
            ctx.add_column("authors", Column::new("bio", ColumnType::Text))?;
            ctx.rename_column("authors", "bio", "biography")
        });
        let info = introspect::table(&mut conn, "authors");
        assert_eq!(
            info.column_names(),
            ["id", "name", "active", "country", "biography"]
        );
        assert!(!info.column("country").nullable);
        assert!(
            info.column("country")
                .default
                .as_deref()
                .unwrap()
                .contains("GB")
        );
        assert_eq!(
            introspect::values(&mut conn, "authors", "country", "id"),
            [Some("GB".to_owned()), Some("GB".to_owned())]
        );

        with_ctx(&mut conn, |ctx| {
            ctx.alter_column(
                "authors",
                "name",
                AlterColumn::new().ty(ColumnType::Text).nullable(true),
            )?;
            ctx.alter_column("authors", "country", AlterColumn::new().drop_default())?;
            ctx.alter_column("authors", "active", AlterColumn::new().nullable(true))?;
            ctx.alter_column(
                "authors",
                "biography",
                AlterColumn::new().default("unknown"),
            )
        });
        let info = introspect::table(&mut conn, "authors");
        assert_eq!(info.column("name").ty, "text");
        assert!(info.column("name").nullable);
        let country_default = info.column("country").default.clone();
        assert!(
            country_default.is_none() || country_default.as_deref() == Some("NULL"),
            "{country_default:?}"
        );
        assert!(
            info.column("biography")
                .default
                .as_deref()
                .unwrap()
                .contains("unknown")
        );
        // Only the nullability changed: type and default were restated as they were.
        let active = info.column("active");
        assert!(active.nullable, "{active:?}");
        assert!(active.default.is_some(), "{active:?}");
        assert!(
            ["boolean", "tinyint(1)"].contains(&active.ty.as_str()),
            "{active:?}"
        );
        // The rows survived, whatever the backend did to alter the columns.
        assert_eq!(row_count(&mut conn, "authors"), 2);
        assert_eq!(
            introspect::values(&mut conn, "authors", "name", "id"),
            [Some("Le Guin".to_owned()), Some("Tolkien".to_owned())]
        );

        with_ctx(&mut conn, |ctx| {
            ctx.drop_column("authors", "biography")?;
            ctx.rename_table("authors", "writers")
        });
        assert!(!table_exists(&mut conn, "authors"));
        let info = introspect::table(&mut conn, "writers");
        assert_eq!(info.column_names(), ["id", "name", "active", "country"]);
        with_ctx(&mut conn, |ctx| ctx.drop_table("writers"));
        assert!(!table_exists(&mut conn, "writers"));
    });
}

#[test]
fn index_and_constraint_operations() {
    each_backend(|db| {
        let mut conn = db.connect();
        with_ctx(&mut conn, |ctx| {
            ctx.create_table(authors())?;
            ctx.create_table(
                Table::new("books")
                    .column(
                        Column::new("id", ColumnType::BigInt)
                            .primary_key()
                            .auto_increment(),
                    )
                    .column(Column::new("author_id", ColumnType::BigInt).not_null())
                    .column(Column::new("title", ColumnType::Varchar(200)).not_null())
                    .column(Column::new("year", ColumnType::Integer)),
            )?;
            ctx.create_index(Index::new(
                "ix_books_author_year",
                "books",
                ["author_id", "year"],
            ))?;
            ctx.create_index(Index::new("ux_books_title", "books", ["title"]).unique())?;
            if ctx.backend() != Backend::Mysql {
                ctx.create_index(
                    Index::new("ix_books_recent", "books", ["year"]).filter("year > 2000"),
                )?;
            }
            ctx.add_constraint(
                "books",
                Constraint::foreign_key("fk_books_author", ["author_id"], "authors", ["id"])
                    .on_delete(Action::Restrict)
                    .on_update(Action::Cascade),
            )?;
            ctx.add_constraint("books", Constraint::check("ck_books_year", "year > 0"))?;
            ctx.add_constraint(
                "books",
                Constraint::unique("uq_books_author_title", ["author_id", "title"]),
            )
        });
        let info = introspect::table(&mut conn, "books");
        let ix = &info.indexes["ix_books_author_year"];
        assert_eq!(ix.columns, ["author_id", "year"]);
        assert!(!ix.unique);
        assert!(info.indexes["ux_books_title"].unique);
        if db.backend == Backend::Postgres {
            assert_eq!(
                info.indexes["ix_books_recent"].filter.as_deref(),
                Some("(year > 2000)")
            );
        }
        if db.backend == Backend::Sqlite {
            assert!(info.indexes.contains_key("ix_books_recent"));
        }
        for (name, kind) in [
            ("fk_books_author", "FOREIGN KEY"),
            ("ck_books_year", "CHECK"),
            ("uq_books_author_title", "UNIQUE"),
        ] {
            assert_eq!(
                info.constraints.get(name).map(String::as_str),
                Some(kind),
                "{info:#?}"
            );
        }
        assert_eq!(
            info.foreign_keys["fk_books_author"],
            ("RESTRICT".to_owned(), "CASCADE".to_owned())
        );
        // The indexes survived the SQLite rebuilds the constraints caused.
        assert_eq!(
            info.indexes
                .keys()
                .filter(|k| !k.starts_with("sqlite_autoindex"))
                .count(),
            match db.backend {
                Backend::Sqlite => 3,
                // Plus the unique constraint's index; MySQL's foreign key reuses the
                // index that starts with its column.
                Backend::Postgres => 4,
                _ => 3,
            },
            "{:#?}",
            info.indexes
        );

        with_ctx(&mut conn, |ctx| {
            ctx.drop_constraint("books", "ck_books_year")?;
            ctx.drop_constraint("books", "uq_books_author_title")?;
            ctx.drop_index("books", "ux_books_title")
        });
        let info = introspect::table(&mut conn, "books");
        assert!(!info.constraints.contains_key("ck_books_year"));
        assert!(!info.constraints.contains_key("uq_books_author_title"));
        assert!(!info.indexes.contains_key("ux_books_title"));
        assert!(info.indexes.contains_key("ix_books_author_year"));
        assert!(info.constraints.contains_key("fk_books_author"));
    });
}

#[test]
fn bulk_insert_binds_every_kind_of_value() {
    each_backend(|db| {
        let mut conn = db.connect();
        with_ctx(&mut conn, |ctx| {
            ctx.create_table(
                Table::new("seed")
                    .column(Column::new("id", ColumnType::Integer).primary_key())
                    .column(Column::new("label", ColumnType::Text))
                    .column(Column::new("flag", ColumnType::Boolean))
                    .column(Column::new("ratio", ColumnType::Double))
                    .column(Column::new("data", ColumnType::Binary)),
            )?;
            ctx.bulk_insert(
                "seed",
                ["id", "label", "flag", "ratio", "data"],
                [
                    vec![
                        Value::Int(1),
                        "plain".into(),
                        true.into(),
                        0.5.into(),
                        Value::Bytes(vec![1, 2]),
                    ],
                    vec![
                        Value::Int(2),
                        Value::Null,
                        false.into(),
                        Value::Null,
                        Value::Null,
                    ],
                ],
            )
        });
        assert_eq!(row_count(&mut conn, "seed"), 2);
        assert_eq!(
            introspect::values(&mut conn, "seed", "label", "id"),
            [Some("plain".to_owned()), None]
        );
        let ratio = introspect::values(&mut conn, "seed", "ratio", "id");
        assert_eq!(
            ratio[0].as_deref().map(|s| s.parse::<f64>().unwrap()),
            Some(0.5)
        );
    });
}

#[test]
fn injection_through_names_and_values_is_harmless() {
    each_backend(|db| {
        let mut conn = db.connect();
        with_ctx(&mut conn, |ctx| {
            ctx.create_table(
                Table::new("victim").column(Column::new("id", ColumnType::Integer).primary_key()),
            )
        });
        // Quotes of every dialect, statement separators and comments.
        let evil_table = "t\"; DROP TABLE victim; --`";
        let evil_column = "c`); DROP TABLE victim; -- \"";
        let evil_index = "ix'\"`; DROP TABLE victim";
        let evil_constraint = "ck\"`) OR 1=1; --";
        let evil_values = [
            "'); DROP TABLE victim; --",
            "\\'); DROP TABLE victim; --",
            "\\",
            "\"`'",
        ];
        with_ctx(&mut conn, |ctx| {
            ctx.create_table(
                Table::new(evil_table)
                    .column(Column::new("id", ColumnType::Integer).primary_key())
                    .column(Column::new(evil_column, ColumnType::Varchar(100))),
            )?;
            ctx.create_index(Index::new(evil_index, evil_table, [evil_column]))?;
            ctx.add_constraint(
                evil_table,
                Constraint::unique(evil_constraint, [evil_column]),
            )?;
            ctx.bulk_insert(
                evil_table,
                ["id", evil_column],
                evil_values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| vec![Value::Int(i as i64), Value::from(*v)]),
            )
        });
        assert!(table_exists(&mut conn, "victim"));
        assert!(table_exists(&mut conn, evil_table));
        let info = introspect::table(&mut conn, evil_table);
        assert_eq!(info.column_names(), ["id", evil_column]);
        assert!(info.indexes.contains_key(evil_index), "{:#?}", info.indexes);
        assert!(
            info.constraints.contains_key(evil_constraint),
            "{:#?}",
            info.constraints
        );
        let stored = introspect::values(&mut conn, evil_table, evil_column, "id");
        let expected: Vec<Option<String>> =
            evil_values.iter().map(|v| Some((*v).to_owned())).collect();
        assert_eq!(stored, expected);
        with_ctx(&mut conn, |ctx| {
            ctx.drop_index(evil_table, evil_index)?;
            ctx.drop_table(evil_table)
        });
        assert!(!table_exists(&mut conn, evil_table));
        assert!(table_exists(&mut conn, "victim"));
    });
}

#[test]
fn narrowing_a_column_never_cuts_its_values() {
    each_backend(|db| {
        let mut conn = db.connect();
        let long = "a name of thirty-odd characters";
        with_ctx(&mut conn, |ctx| {
            ctx.create_table(
                Table::new("people")
                    .column(Column::new("id", ColumnType::Integer).primary_key())
                    .column(Column::new("name", ColumnType::Varchar(255))),
            )?;
            ctx.bulk_insert(
                "people",
                ["id", "name"],
                [[Value::Int(1), Value::from(long)]],
            )
        });
        let rev = id("narrow");
        let mut ctx = MigrationContext::new(&mut conn, &rev, Direction::Up);
        let narrowed = ctx
            .alter_column(
                "people",
                "name",
                AlterColumn::new().ty(ColumnType::Varchar(10)),
            )
            .and_then(|()| ctx.flush());
        drop(ctx);
        // PostgreSQL and MySQL refuse (an explicit cast would cut the value); SQLite
        // does not enforce lengths and keeps it as it is.
        assert_eq!(
            narrowed.is_ok(),
            db.backend == Backend::Sqlite,
            "{narrowed:?}"
        );
        let stored = introspect::values(&mut conn, "people", "name", "id");
        assert_eq!(stored, [Some(long.to_owned())]);
    });
}

#[test]
fn a_column_changed_by_raw_sql_is_read_again_before_it_is_restated() {
    each_backend(|db| {
        // Only MySQL restates a column from what it knows of it.
        if db.backend != Backend::Mysql {
            return;
        }
        let mut conn = db.connect();
        with_ctx(&mut conn, |ctx| {
            ctx.create_table(
                Table::new("people")
                    .column(Column::new("id", ColumnType::Integer).primary_key())
                    .column(Column::new("name", ColumnType::Varchar(20))),
            )?;
            ctx.execute("ALTER TABLE people MODIFY name VARCHAR(20) NOT NULL DEFAULT 'anon'")?;
            ctx.alter_column(
                "people",
                "name",
                AlterColumn::new().ty(ColumnType::Varchar(40)),
            )
        });
        let info = introspect::table(&mut conn, "people");
        let name = info.columns.iter().find(|c| c.name == "name").unwrap();
        assert!(!name.nullable, "{name:?}");
        assert!(
            name.default.as_deref().is_some_and(|d| d.contains("anon")),
            "{name:?}"
        );
    });
}

#[cfg(feature = "mysql")]
#[test]
fn restating_a_mysql_column_keeps_what_modify_would_reset() {
    each_backend(|db| {
        if db.backend != Backend::Mysql {
            return;
        }
        let mut conn = db.connect();
        let show = |conn: &mut AnyConnection| {
            #[derive(diesel::QueryableByName)]
            struct Create {
                #[diesel(sql_type = diesel::sql_types::Text, column_name = "Create Table")]
                sql: String,
            }
            diesel::RunQueryDsl::get_result::<Create>(
                diesel::sql_query("SHOW CREATE TABLE people"),
                conn,
            )
            .unwrap()
            .sql
        };
        with_ctx(&mut conn, |ctx| {
            ctx.execute(
                "CREATE TABLE people (id INT PRIMARY KEY,
                   name VARCHAR(50) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL \
                     DEFAULT 'anon' COMMENT 'the name, C:\\\\temp',
                   upd TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
                   secret INT INVISIBLE DEFAULT 3,
                   code VARCHAR(10) CHECK (code <> 'bad'),
                   twice INT AS (id * 2) VIRTUAL) DEFAULT CHARSET = latin1",
            )?;
            ctx.execute("INSERT INTO people (id, name, code) VALUES (1, 'ünïcødé ☃', 'ok')")
        });
        with_ctx(&mut conn, |ctx| {
            ctx.alter_column(
                "people",
                "name",
                AlterColumn::new().ty(ColumnType::Varchar(100)),
            )?;
            ctx.alter_column("people", "upd", AlterColumn::new().nullable(false))?;
            ctx.alter_column("people", "secret", AlterColumn::new().nullable(false))?;
            ctx.alter_column(
                "people",
                "code",
                AlterColumn::new().ty(ColumnType::Varchar(20)),
            )
        });
        let sql = show(&mut conn);
        for kept in [
            "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
            "COMMENT 'the name, C:\\\\temp'",
            "varchar(100)",
            "ON UPDATE current_timestamp()",
            "INVISIBLE",
            "CHECK (`code` <> 'bad')",
            "varchar(20)",
        ] {
            assert!(sql.contains(kept), "lost `{kept}`:\n{sql}");
        }
        let stored = introspect::values(&mut conn, "people", "name", "id");
        assert_eq!(stored, [Some("ünïcødé ☃".to_owned())]);
        // A generated column is refused, not restated without its expression.
        let rev = id("generated");
        let mut ctx = MigrationContext::new(&mut conn, &rev, Direction::Up);
        let err = ctx
            .alter_column("people", "twice", AlterColumn::new().nullable(false))
            .and_then(|()| ctx.flush())
            .unwrap_err();
        assert!(err.to_string().contains("generated column"), "{err}");
        drop(ctx);
        assert!(show(&mut conn).contains("GENERATED ALWAYS AS"));
    });
}

#[test]
fn a_new_type_with_a_new_default_replaces_the_old_default_first() {
    each_backend(|db| {
        let mut conn = db.connect();
        with_ctx(&mut conn, |ctx| {
            ctx.create_table(
                Table::new("flags")
                    .column(Column::new("id", ColumnType::Integer).primary_key())
                    .column(
                        Column::new("flag", ColumnType::Boolean)
                            .not_null()
                            .default(false),
                    ),
            )?;
            // PostgreSQL cannot cast the old default `false` to an integer.
            ctx.alter_column(
                "flags",
                "flag",
                AlterColumn::new().ty(ColumnType::Integer).default(0),
            )?;
            ctx.execute("INSERT INTO flags (id) VALUES (1)")
        });
        let stored = introspect::values(&mut conn, "flags", "flag", "id");
        assert_eq!(stored, [Some("0".to_owned())]);
    });
}

#[test]
fn literals_mean_the_same_whatever_the_session_settings() {
    each_backend(|db| {
        let mut conn = db.connect();
        // The settings under which a backslash is no escape (PostgreSQL) or always is
        // not (MySQL): a literal written for the other reading ended a string early, or
        // stored its backslashes doubled.
        let setting = match db.backend {
            Backend::Postgres => "SET standard_conforming_strings = off",
            Backend::Mysql => "SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')",
            _ => "SELECT 1",
        };
        let values = [
            "C:\\temp",
            "x\\'); DROP TABLE victim; --",
            "\\",
            "plain 'quoted'",
        ];
        for session in ["", setting] {
            with_ctx(&mut conn, |ctx| {
                if !session.is_empty() {
                    ctx.execute(session)?;
                }
                ctx.create_table(
                    Table::new("victim")
                        .column(Column::new("id", ColumnType::Integer).primary_key())
                        .column(Column::new("v", ColumnType::Varchar(100)).default("a\\b")),
                )?;
                ctx.bulk_insert(
                    "victim",
                    ["id", "v"],
                    values
                        .iter()
                        .enumerate()
                        .map(|(i, v)| vec![Value::Int(i as i64), Value::from(*v)]),
                )?;
                ctx.execute("INSERT INTO victim (id) VALUES (100)")
            });
            assert!(table_exists(&mut conn, "victim"), "{session}");
            let stored = introspect::values(&mut conn, "victim", "v", "id");
            let mut expected: Vec<Option<String>> =
                values.iter().map(|v| Some((*v).to_owned())).collect();
            expected.push(Some("a\\b".to_owned()));
            assert_eq!(stored, expected, "{session}");
            with_ctx(&mut conn, |ctx| ctx.drop_table("victim"));
        }
    });
}

/// Runs typed operations through the executor, in a migration, and reverts them.
#[test]
fn typed_migrations_upgrade_and_downgrade() {
    each_backend(|db| {
        let mut conn = db.connect();
        let up = custom("a", &[], |ctx| {
            ctx.create_table(authors())?;
            ctx.bulk_insert("authors", ["name"], [["admin"]])
        })
        .with_downgrade(migrate_runtime::MigrationFn::new(|ctx| {
            ctx.drop_table("authors")
        }));
        let migrator = Migrator::new(MigrationSet::new(vec![up]).unwrap());
        migrator.upgrade(&mut conn, "head").unwrap();
        assert_eq!(row_count(&mut conn, "authors"), 1);
        migrator.downgrade(&mut conn, "base").unwrap();
        assert!(!table_exists(&mut conn, "authors"));
        let _ = DefaultValue::CurrentTimestamp;
    });
}
