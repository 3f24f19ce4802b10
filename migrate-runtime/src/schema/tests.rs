//! Golden SQL of the renderer, per dialect (insta snapshots in `snapshots/`).

use super::*;
use crate::Backend;

const BACKENDS: [Backend; 3] = [Backend::Sqlite, Backend::Postgres, Backend::Mysql];

fn name(backend: Backend) -> &'static str {
    backend.feature()
}

/// Renders `ops` for `backend` into one script-like text.
fn script(backend: Backend, ops: &[Operation]) -> String {
    let mut r = Renderer::new(backend);
    match r.render(ops) {
        Ok(sql) => sql.iter().map(|s| format!("{s};\n")).collect(),
        Err(e) => format!("error: {e}\n"),
    }
}

fn users() -> Table {
    Table::new("users")
        .column(
            Column::new("id", ColumnType::BigInt)
                .primary_key()
                .auto_increment(),
        )
        .column(Column::new("email", ColumnType::Varchar(255)).not_null())
        .column(
            Column::new("active", ColumnType::Boolean)
                .not_null()
                .default(true),
        )
        .column(Column::new(
            "score",
            ColumnType::Numeric {
                precision: 10,
                scale: 2,
            },
        ))
        .column(
            Column::new("created_at", ColumnType::TimestampTz)
                .default(DefaultValue::CurrentTimestamp),
        )
        .constraint(Constraint::unique("uq_users_email", ["email"]))
        .constraint(Constraint::check("ck_users_score", "score >= 0"))
}

fn every_type() -> Table {
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
        ("blob", ColumnType::Binary),
        (
            "custom",
            ColumnType::per_backend("TEXT", "CITEXT", "VARCHAR(20)"),
        ),
    ];
    let mut t = Table::new("every_type");
    for (name, ty) in types {
        t = t.column(Column::new(name, ty));
    }
    t
}

#[test]
fn create_table_golden() {
    for b in BACKENDS {
        let posts = Table::new("post_tags")
            .column(Column::new("post_id", ColumnType::BigInt))
            .column(Column::new("tag", ColumnType::Varchar(40)))
            .primary_key(["post_id", "tag"])
            .constraint(
                Constraint::foreign_key("fk_post_tags_post", ["post_id"], "posts", ["id"])
                    .on_delete(Action::Cascade)
                    .on_update(Action::Restrict),
            );
        let ops = [
            Operation::CreateTable(users()),
            Operation::CreateTable(every_type()),
            Operation::CreateTable(posts),
        ];
        insta::assert_snapshot!(format!("create_table_{}", name(b)), script(b, &ops));
    }
}

#[test]
fn column_index_and_constraint_operations_golden() {
    for b in BACKENDS {
        let ops = [
            Operation::AddColumn {
                table: "users".into(),
                column: Column::new("nickname", ColumnType::Text).default("it's"),
            },
            Operation::RenameColumn {
                table: "users".into(),
                from: "nickname".into(),
                to: "handle".into(),
            },
            Operation::AlterColumn {
                table: "users".into(),
                column: "score".into(),
                change: AlterColumn::new()
                    .ty(ColumnType::Double)
                    .nullable(false)
                    .default(0),
            },
            Operation::AlterColumn {
                table: "users".into(),
                column: "handle".into(),
                change: AlterColumn::new().drop_default(),
            },
            Operation::CreateIndex(Index::new(
                "ix_users_active_email",
                "users",
                ["active", "email"],
            )),
            Operation::CreateIndex(Index::new("ux_users_handle", "users", ["handle"]).unique()),
            Operation::AddConstraint {
                table: "users".into(),
                constraint: Constraint::check("ck_users_handle", "length(handle) > 2"),
            },
            Operation::DropConstraint {
                table: "users".into(),
                name: "ck_users_score".into(),
            },
            Operation::DropIndex {
                table: "users".into(),
                name: "ix_users_active_email".into(),
            },
            Operation::DropColumn {
                table: "users".into(),
                column: "handle".into(),
            },
            Operation::RenameTable {
                from: "users".into(),
                to: "accounts".into(),
            },
            Operation::DropTable("accounts".into()),
        ];
        let mut all = vec![Operation::CreateTable(users())];
        all.extend(ops);
        insta::assert_snapshot!(format!("alterations_{}", name(b)), script(b, &all));
    }
}

/// MySQL writes a literal default of a TEXT, BLOB or JSON column as an expression (MySQL 8
/// takes nothing else there; MariaDB would read a backslash in `_utf8mb4 X'...'` as an
/// escape), in every statement that states a default; the other backends are unchanged.
#[test]
fn text_and_blob_defaults_golden() {
    let medium = || ColumnType::per_backend("TEXT", "TEXT", "MEDIUMTEXT");
    let notes = Table::new("notes")
        .column(Column::new("id", ColumnType::BigInt).primary_key())
        .column(Column::new("body", ColumnType::Text).default("it's \\ new"))
        .column(Column::new("plain", ColumnType::Text).default("50% off"))
        .column(Column::new("accented", ColumnType::Text).default("caf\u{e9}"))
        .column(Column::new("long_body", medium()).default("a\\nb"))
        .column(Column::new("doc", ColumnType::Json).default("{}"))
        .column(Column::new("raw", ColumnType::Binary).default(vec![0u8, 0xff, b'\\']))
        .column(Column::new("count_text", ColumnType::Text).default(5))
        .column(Column::new("maybe", ColumnType::Text).default(Value::Null))
        .column(Column::new("code", ColumnType::Varchar(20)).default("a\\b"));
    for b in BACKENDS {
        let ops = [
            Operation::CreateTable(notes.clone()),
            Operation::AddColumn {
                table: "notes".into(),
                column: Column::new("extra", ColumnType::per_backend("TEXT", "TEXT", "LONGTEXT"))
                    .default("x\\'y"),
            },
            Operation::AlterColumn {
                table: "notes".into(),
                column: "plain".into(),
                change: AlterColumn::new().default("C:\\temp"),
            },
            Operation::AlterColumn {
                table: "notes".into(),
                column: "body".into(),
                change: AlterColumn::new().nullable(false),
            },
            // Restated under the new type: a VARCHAR takes the literal again.
            Operation::AlterColumn {
                table: "notes".into(),
                column: "long_body".into(),
                change: AlterColumn::new().ty(ColumnType::Varchar(40)),
            },
        ];
        insta::assert_snapshot!(format!("text_defaults_{}", name(b)), script(b, &ops));
    }
}

#[test]
fn mysql_default_only_change_takes_the_existing_type() {
    let op = |change: AlterColumn| Operation::AlterColumn {
        table: "t".into(),
        column: "c".into(),
        change: change.default("a\\b"),
    };
    assert_eq!(
        script(Backend::Mysql, &[op(AlterColumn::new())]),
        "ALTER TABLE `t` ALTER COLUMN `c` SET DEFAULT _utf8mb4 X'615C62';\n"
    );
    assert_eq!(
        script(
            Backend::Mysql,
            &[op(
                AlterColumn::new().existing_type(ColumnType::custom("tinytext"))
            )]
        ),
        "ALTER TABLE `t` ALTER COLUMN `c` SET DEFAULT (CONVERT(X'615C62' USING utf8mb4));\n"
    );
}

#[test]
fn partial_index_golden() {
    for b in BACKENDS {
        let ops = [Operation::CreateIndex(
            Index::new("ix_users_active", "users", ["email"]).filter("active"),
        )];
        insta::assert_snapshot!(format!("partial_index_{}", name(b)), script(b, &ops));
    }
}

#[test]
fn bulk_insert_golden() {
    for b in BACKENDS {
        let ops = [Operation::BulkInsert {
            table: "users".into(),
            columns: vec![
                "email".into(),
                "active".into(),
                "score".into(),
                "avatar".into(),
            ],
            rows: vec![
                vec![
                    "admin@example.com".into(),
                    true.into(),
                    1.5.into(),
                    Value::Null,
                ],
                vec![
                    "o'hara\\'); DROP TABLE users; --".into(),
                    false.into(),
                    Value::Int(-3),
                    Value::Bytes(vec![0, 0xff, 0x27]),
                ],
            ],
        }];
        insta::assert_snapshot!(format!("bulk_insert_{}", name(b)), script(b, &ops));
    }
}

#[test]
fn identifiers_cannot_escape_their_quotes() {
    for b in BACKENDS {
        let evil = "x\"; DROP TABLE users; --`";
        let ops = [
            Operation::CreateTable(
                Table::new(evil)
                    .column(Column::new(evil, ColumnType::Text))
                    .constraint(Constraint::unique(evil, [evil])),
            ),
            Operation::CreateIndex(Index::new(evil, evil, [evil])),
        ];
        insta::assert_snapshot!(format!("injection_{}", name(b)), script(b, &ops));
        let r = Renderer::new(b);
        assert!(r.ident("").is_err());
        assert!(r.ident("a\0b").is_err());
    }
    assert!(
        Renderer::new(Backend::Postgres)
            .ident(&"x".repeat(64))
            .is_err()
    );
    // PostgreSQL counts bytes, MySQL characters (64).
    assert!(
        Renderer::new(Backend::Postgres)
            .ident(&"é".repeat(40))
            .is_err()
    );
    assert!(Renderer::new(Backend::Mysql).ident(&"é".repeat(64)).is_ok());
    assert!(
        Renderer::new(Backend::Mysql)
            .ident(&"é".repeat(65))
            .is_err()
    );
}

#[test]
fn sqlite_rebuilds_batch_consecutive_operations_on_one_table() {
    let ops = [
        Operation::CreateTable(users()),
        Operation::CreateIndex(Index::new("ix_users_score", "users", ["score"])),
        Operation::AlterColumn {
            table: "users".into(),
            column: "email".into(),
            change: AlterColumn::new().ty(ColumnType::Text).nullable(true),
        },
        Operation::AddConstraint {
            table: "users".into(),
            constraint: Constraint::check("ck_users_email", "email LIKE '%@%'"),
        },
        Operation::DropColumn {
            table: "users".into(),
            column: "score".into(),
        },
        Operation::AddColumn {
            table: "users".into(),
            column: Column::new("role", ColumnType::Varchar(16))
                .not_null()
                .default("member"),
        },
        Operation::DropConstraint {
            table: "users".into(),
            name: "uq_users_email".into(),
        },
    ];
    let out = script(Backend::Sqlite, &ops);
    assert_eq!(out.matches("DROP TABLE").count(), 1, "{out}");
    insta::assert_snapshot!("sqlite_rebuild", out);
}

#[test]
fn sqlite_rebuild_drops_and_recreates_views_and_triggers() {
    let dependent = |kind, name: &str, on: &str, sql: &str| Dependent {
        kind,
        name: name.into(),
        on: on.into(),
        sql: sql.into(),
    };
    let mut r = Renderer::new(Backend::Sqlite);
    r.learn(TableShape {
        table: users(),
        indexes: Vec::new(),
        dependents: vec![
            dependent(
                DependentKind::Trigger,
                "trg_users_audit",
                "users",
                "CREATE TRIGGER trg_users_audit AFTER UPDATE ON users BEGIN SELECT 1; END",
            ),
            dependent(
                DependentKind::View,
                "active",
                "active",
                "CREATE VIEW active AS SELECT id, email FROM users",
            ),
            dependent(
                DependentKind::View,
                "active_emails",
                "active",
                "CREATE VIEW active_emails AS SELECT email FROM active",
            ),
            dependent(
                DependentKind::Trigger,
                "trg_active_insert",
                "active",
                "CREATE TRIGGER trg_active_insert INSTEAD OF INSERT ON active BEGIN \
                 INSERT INTO users (email) VALUES (new.email); END",
            ),
            dependent(
                DependentKind::Trigger,
                "trg_orders_touch",
                "orders",
                "CREATE TRIGGER trg_orders_touch AFTER INSERT ON orders BEGIN \
                 UPDATE users SET score = score + 1; END",
            ),
        ],
    });
    let sql = r
        .render(&[Operation::AlterColumn {
            table: "users".into(),
            column: "email".into(),
            change: AlterColumn::new().ty(ColumnType::Text),
        }])
        .unwrap();
    let out: String = sql.iter().map(|s| format!("{s};\n")).collect();
    // The table's and the view's triggers go with them; only the other table's trigger
    // is dropped explicitly.
    assert_eq!(out.matches("DROP TRIGGER").count(), 1, "{out}");
    insta::assert_snapshot!("sqlite_rebuild_dependents", out);

    // A dropped column that a view or trigger names is refused, naming it.
    let err = r
        .render(&[Operation::DropColumn {
            table: "users".into(),
            column: "score".into(),
        }])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("trigger `trg_orders_touch` names column `score`"),
        "{err}"
    );
}

#[test]
fn sqlite_rebuild_of_an_unknown_table_is_refused_with_its_name() {
    let out = script(
        Backend::Sqlite,
        &[Operation::DropColumn {
            table: "legacy".into(),
            column: "x".into(),
        }],
    );
    assert!(out.contains("`legacy`"), "{out}");
}

#[test]
fn mysql_alter_column_needs_the_current_column() {
    let change = AlterColumn::new().nullable(false);
    let op = Operation::AlterColumn {
        table: "t".into(),
        column: "c".into(),
        change: change.clone(),
    };
    assert!(script(Backend::Mysql, &[op]).contains("existing_type"));
    let op = Operation::AlterColumn {
        table: "t".into(),
        column: "c".into(),
        change: change
            .existing_type(ColumnType::Integer)
            .existing_default(Some(7.into())),
    };
    assert_eq!(
        script(Backend::Mysql, &[op]),
        "ALTER TABLE `t` MODIFY COLUMN `c` INT NOT NULL DEFAULT 7;\n"
    );
}

/// Online, MySQL's drop of an index or a foreign key carries, in the same statement, what
/// was read for it; offline nothing is read and the drop is the plain one.
#[cfg(feature = "mysql")]
#[test]
fn mysql_drops_carry_what_was_read_for_them() {
    use super::mysql::{ConstraintDependents, IndexDependents};
    let drop_index = Operation::DropIndex {
        table: "orders".into(),
        name: "ix_orders_user_status".into(),
    };
    let drop_fk = Operation::DropConstraint {
        table: "orders".into(),
        name: "fk_orders_user".into(),
    };
    let mut r = Renderer::new(Backend::Mysql);
    r.learn_index_dependents(
        "orders",
        "ix_orders_user_status",
        IndexDependents {
            replacements: vec![("fk_orders_user".into(), vec!["user_id".into()])],
        },
    );
    r.learn_constraint_dependents(
        "orders",
        "fk_orders_user",
        ConstraintDependents {
            index: Some("fk_orders_user".into()),
        },
    );
    assert_eq!(
        r.render(&[drop_index.clone(), drop_fk.clone()]).unwrap(),
        [
            "ALTER TABLE `orders` DROP INDEX `ix_orders_user_status`, \
             ADD INDEX `fk_orders_user` (`user_id`)",
            "ALTER TABLE `orders` DROP FOREIGN KEY `fk_orders_user`, DROP INDEX `fk_orders_user`",
        ]
    );
    // What was read serves one drop: the next one (and an offline script) is plain.
    let plain = [
        "DROP INDEX `ix_orders_user_status` ON `orders`",
        "ALTER TABLE `orders` DROP CONSTRAINT `fk_orders_user`",
    ];
    assert_eq!(
        r.render(&[drop_index.clone(), drop_fk.clone()]).unwrap(),
        plain
    );
    assert_eq!(
        Renderer::new(Backend::Mysql)
            .render(&[drop_index, drop_fk])
            .unwrap(),
        plain
    );
}
