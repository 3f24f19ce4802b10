//! Offline scripts (`upgrade_sql`/`downgrade_sql`) without a database: transaction
//! boundaries per mode and dialect, migrations that need a connection, and ranges.

mod support;

use diesel::RunQueryDsl;
use migrate_runtime::schema::{Column, ColumnType, Table};
use migrate_runtime::{
    Backend, Error, Migration, MigrationFn, MigrationSet, Migrator, Options, TransactionMode,
};
use support::{custom, id};

fn set() -> MigrationSet {
    MigrationSet::new(vec![
        custom("a", &[], |ctx| {
            ctx.create_table(
                Table::new("users").column(Column::new("id", ColumnType::BigInt).primary_key()),
            )
        }),
        custom("b", &["a"], |ctx| {
            ctx.add_column("users", Column::new("email", ColumnType::Text))
        }),
        Migration::new(id("c"), MigrationFn::new(|ctx| ctx.execute("SELECT 1")))
            .with_revises([id("b")])
            .with_transactional(false),
    ])
    .unwrap()
}

#[test]
fn per_migration_scripts_wrap_each_transactional_migration() {
    let sql = Migrator::new(set())
        .upgrade_sql(Backend::Postgres, None, "head")
        .unwrap();
    // a and b each in their own transaction; c (non-transactional) in none.
    assert_eq!(sql.matches("BEGIN;").count(), 2, "{sql}");
    assert_eq!(sql.matches("COMMIT;").count(), 2, "{sql}");
    let c = sql.find("-- Running upgrade b -> c").unwrap();
    assert!(sql.contains("-- Running upgrade <base> -> a"), "{sql}");
    assert!(!sql[c..].contains("BEGIN;"), "{sql}");
    assert!(sql.contains(r#"ALTER TABLE "users" ADD COLUMN "email" TEXT;"#));
    assert!(sql.contains(r#"INSERT INTO "migrate_version" (version_num) VALUES ('a');"#));
    assert!(sql.contains(r#"DELETE FROM "migrate_version" WHERE version_num = 'a';"#));
}

#[test]
fn all_mode_scripts_use_one_transaction_split_by_non_transactional_migrations() {
    let migrator = Migrator::new(set())
        .with_options(Options::default().with_transaction_mode(TransactionMode::All));
    let sql = migrator.upgrade_sql(Backend::Sqlite, None, "head").unwrap();
    // BEGIN (a, b) COMMIT, c alone, BEGIN COMMIT.
    assert_eq!(sql.matches("BEGIN;").count(), 2, "{sql}");
    assert_eq!(sql.matches("COMMIT;").count(), 2, "{sql}");
    assert!(sql.contains("PRAGMA foreign_keys = OFF;"));
    let err = migrator
        .upgrade_sql(Backend::Mysql, None, "head")
        .unwrap_err();
    assert!(
        matches!(err, Error::TransactionModeUnsupported { .. }),
        "{err}"
    );
}

#[test]
fn mysql_scripts_have_no_transaction_statements() {
    let sql = Migrator::new(set())
        .upgrade_sql(Backend::Mysql, None, "head")
        .unwrap();
    assert!(!sql.contains("BEGIN") && !sql.contains("COMMIT"), "{sql}");
    assert!(sql.contains("ALTER TABLE `users` ADD COLUMN `email` TEXT;"));
}

#[test]
fn a_migration_needing_the_connection_is_named_unless_it_has_a_fallback() {
    let typed = |fallback: bool| {
        custom("d", &["c"], move |ctx| {
            if fallback && ctx.is_offline() {
                return ctx.execute("DELETE FROM users");
            }
            diesel::sql_query("DELETE FROM users").execute(ctx.connection()?)?;
            Ok(())
        })
    };
    let mut migrations = set().migrations().to_vec();
    migrations.push(typed(false));
    let migrator = Migrator::new(MigrationSet::new(migrations).unwrap());
    let err = migrator
        .upgrade_sql(Backend::Postgres, None, "head")
        .unwrap_err();
    assert!(
        matches!(&err, Error::NeedsConnection { revision } if *revision == "d"),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("`d` needs a live database connection"),
        "{err}"
    );
    assert!(err.is_input_error());

    let mut migrations = set().migrations().to_vec();
    migrations.push(typed(true));
    let migrator = Migrator::new(MigrationSet::new(migrations).unwrap());
    let sql = migrator
        .upgrade_sql(Backend::Postgres, Some("c"), "head")
        .unwrap();
    assert!(sql.contains("DELETE FROM users;"), "{sql}");
    assert!(
        !sql.contains("CREATE TABLE \"users\""),
        "a range renders only its steps"
    );
}

#[test]
fn downgrade_scripts_need_a_start_and_refuse_irreversible_steps() {
    let sql = Migrator::new(set())
        .downgrade_sql(Backend::Sqlite, "b", "base")
        .unwrap();
    // Dropping the column added by b... is done by its no-op downgrade here; the version
    // rows go away in order.
    let b = sql
        .find("DELETE FROM \"migrate_version\" WHERE version_num = 'b'")
        .unwrap();
    let a = sql
        .find("DELETE FROM \"migrate_version\" WHERE version_num = 'a'")
        .unwrap();
    assert!(b < a, "{sql}");
    let err = Migrator::new(set())
        .downgrade_sql(Backend::Sqlite, "c", "base")
        .unwrap_err();
    assert!(matches!(err, Error::Irreversible { .. }), "{err}");
}

#[test]
fn raw_sql_ending_in_a_line_comment_keeps_its_terminator() {
    support::each_backend(|db| {
        let set = MigrationSet::new(vec![
            custom("a", &[], |ctx| ctx.execute("CREATE TABLE t (x INTEGER)")),
            custom("b", &["a"], |ctx| {
                ctx.execute("INSERT INTO t (x) VALUES (1) -- the first row")?;
                ctx.execute("UPDATE t SET x = 2; -- a terminator before the comment")?;
                ctx.execute("UPDATE t SET x = x + 1 -- note")?;
                if ctx.backend() == Backend::Mysql {
                    // MySQL's other line comment.
                    ctx.execute("UPDATE t SET x = x + 1 # note")?;
                }
                Ok(())
            }),
        ])
        .unwrap();
        let sql = Migrator::new(set)
            .upgrade_sql(db.backend, None, "head")
            .unwrap();
        support::run_with_client(db, &sql);
        let mut conn = db.connect();
        let expected = if db.backend == Backend::Mysql { 4 } else { 3 };
        let condition = format!("x = {expected}");
        assert_eq!(support::count_where(&mut conn, "t", &condition), 1, "{sql}");
        assert_eq!(
            support::count_where(&mut conn, "migrate_version", "version_num = 'b'"),
            1,
            "{sql}"
        );
    });
}

#[cfg(feature = "sqlite")]
#[test]
fn offline_sqlite_rebuilds_follow_earlier_renames() {
    use migrate_runtime::schema::{AlterColumn, Constraint, Index};
    let db = support::TestDb::sqlite();
    let set = MigrationSet::new(vec![
        custom("a", &[], |ctx| {
            ctx.create_table(
                Table::new("parent")
                    .column(Column::new("id", ColumnType::Integer).primary_key())
                    .column(Column::new("code", ColumnType::Varchar(10)).not_null())
                    .constraint(Constraint::unique("uq_parent_code", ["code"])),
            )?;
            ctx.create_table(
                Table::new("child")
                    .column(Column::new("id", ColumnType::Integer).primary_key())
                    .column(Column::new("pcode", ColumnType::Varchar(10)))
                    .column(Column::new("qty", ColumnType::Integer))
                    .constraint(Constraint::foreign_key(
                        "fk_child_parent",
                        ["pcode"],
                        "parent",
                        ["code"],
                    ))
                    .constraint(Constraint::check("ck_qty", "qty > 0")),
            )?;
            ctx.create_index(Index::new("ix_child_qty", "child", ["qty"]).filter("qty > 1"))
        }),
        custom("b", &["a"], |ctx| {
            ctx.rename_column("parent", "code", "ref")?;
            ctx.rename_table("parent", "folks")?;
            ctx.rename_column("child", "qty", "quantity")
        }),
        // Rebuilt offline from the tracked shape: it must name the new names.
        custom("c", &["b"], |ctx| {
            ctx.alter_column("child", "pcode", AlterColumn::new().default("none"))
        }),
    ])
    .unwrap();
    let sql = Migrator::new(set)
        .upgrade_sql(Backend::Sqlite, None, "head")
        .unwrap();
    support::run_with_client(&db, &sql);
    let mut conn = db.connect();
    #[derive(diesel::QueryableByName)]
    struct Sql {
        #[diesel(sql_type = diesel::sql_types::Text)]
        sql: String,
    }
    let child = diesel::sql_query("SELECT sql FROM sqlite_master WHERE name = 'child'")
        .get_result::<Sql>(&mut conn)
        .unwrap()
        .sql;
    assert!(child.contains(r#"REFERENCES "folks" ("ref")"#), "{child}");
    assert!(child.contains(r#"CHECK ("quantity" > 0)"#), "{child}");
    let index = diesel::sql_query("SELECT sql FROM sqlite_master WHERE name = 'ix_child_qty'")
        .get_result::<Sql>(&mut conn)
        .unwrap()
        .sql;
    assert!(index.contains(r#""quantity" > 1"#), "{index}");
}

#[test]
fn a_panicking_migration_names_itself_offline_too() {
    let mut migrations = set().migrations().to_vec();
    migrations.push(custom("d", &["c"], |_| panic!("kaboom offline")));
    let migrator = Migrator::new(MigrationSet::new(migrations).unwrap())
        .with_options(Options::default().with_version_table("app.versions"));
    let err = migrator
        .upgrade_sql(Backend::Mysql, Some("c"), "head")
        .unwrap_err();
    assert_eq!(err.to_string(), "upgrade of `d` panicked: kaboom offline");
    let sql = migrator
        .upgrade_sql(Backend::Mysql, Some("b"), "c")
        .unwrap();
    assert!(
        sql.contains("INSERT INTO `app`.`versions` (version_num) VALUES ('c');"),
        "{sql}"
    );
}
