//! Offline scripts against online runs, a differential test: one chain of migrations using
//! the typed schema operations broadly (and raw SQL, a branch and its merge, a
//! non-transactional step) is applied online to one database and, as the scripts of
//! `upgrade_sql`/`downgrade_sql`, through the backend's own client (`sqlite3`, `psql`,
//! `mariadb`) to another; the two must then be the same, as the backend's own dump tool
//! (`sqlite3 .dump`, `pg_dump`, `mariadb-dump`) prints them, with the same version rows and
//! history, and an online run must agree with the scripted database. In one script and in
//! ranges (`start:end`), up and down, in both transaction modes.
//!
//! SQLite always; PostgreSQL and MariaDB when `MIGRATE_TEST_POSTGRES_URL` /
//! `MIGRATE_TEST_MYSQL_URL` are set. A backend whose client or dump tool is not installed
//! is skipped with a `skipped:` line saying which.

mod support;

use std::io::Write as _;
use std::process::{Command, Stdio};

use diesel::RunQueryDsl;
use diesel::sql_types::{Nullable, Text};
use migrate_runtime::schema::{
    Action, AlterColumn, Column, ColumnType, Constraint, DefaultValue, Index, Table,
};
use migrate_runtime::testing::ScratchDatabase;
use migrate_runtime::{
    AnyConnection, Backend, Migration, MigrationContext, MigrationFn, MigrationSet, Migrator,
    Options, Result, TransactionMode,
};
use support::{TestDb, id};

/// A migration with its downgrade.
fn step(
    rev: &str,
    parents: &[&str],
    up: impl Fn(&mut MigrationContext<'_>) -> Result<()> + Send + Sync + 'static,
    down: impl Fn(&mut MigrationContext<'_>) -> Result<()> + Send + Sync + 'static,
) -> Migration {
    Migration::new(id(rev), MigrationFn::new(up))
        .with_revises(parents.iter().map(|p| id(p)))
        .with_message(format!("step {rev}"))
        .with_checksum(format!("sum_{rev}"))
        .with_downgrade(MigrationFn::new(down))
}

/// The chain: 1 -> 2 -> 3 -> {4 (label `tags`), 5} -> 6 (merge) -> 7 (non-transactional)
/// -> 8 -> 9 -> 10 (procedures, functions and triggers in raw SQL).
fn set() -> MigrationSet {
    let authors_books = step(
        "0001_authors",
        &[],
        |ctx| {
            ctx.create_table(
                Table::new("authors")
                    .column(
                        Column::new("id", ColumnType::BigInt)
                            .primary_key()
                            .auto_increment(),
                    )
                    .column(Column::new("name", ColumnType::Varchar(100)).not_null())
                    .column(Column::new("email", ColumnType::Varchar(255)))
                    .column(
                        Column::new("active", ColumnType::Boolean)
                            .not_null()
                            .default(true),
                    )
                    .column(Column::new("score", ColumnType::Double).default(1.5))
                    .column(
                        Column::new("created_at", ColumnType::Timestamp)
                            .not_null()
                            .default(DefaultValue::CurrentTimestamp),
                    )
                    .constraint(Constraint::unique("uq_authors_email", ["email"])),
            )?;
            ctx.create_table(
                Table::new("books")
                    .column(
                        Column::new("id", ColumnType::Integer)
                            .primary_key()
                            .auto_increment(),
                    )
                    .column(Column::new("author_id", ColumnType::BigInt).not_null())
                    .column(Column::new("title", ColumnType::Varchar(120)).not_null())
                    .column(
                        Column::new(
                            "price",
                            ColumnType::Numeric {
                                precision: 10,
                                scale: 2,
                            },
                        )
                        .default(0),
                    )
                    .column(Column::new("published", ColumnType::Date))
                    .column(Column::new("isbn", ColumnType::Uuid))
                    .column(Column::new("meta", ColumnType::Json))
                    .column(Column::new("cover", ColumnType::Binary))
                    .column(Column::new("rating", ColumnType::SmallInt).default(3))
                    .column(Column::new("note", ColumnType::Text).default("it's new"))
                    .column(Column::new("path", ColumnType::Varchar(20)).default("C:\\ it's"))
                    .constraint(
                        Constraint::foreign_key(
                            "fk_books_author",
                            ["author_id"],
                            "authors",
                            ["id"],
                        )
                        .on_delete(Action::Cascade),
                    )
                    .constraint(Constraint::check(
                        "ck_books_rating",
                        "rating BETWEEN 0 AND 5",
                    )),
            )?;
            ctx.create_index(Index::new("ix_books_title", "books", ["title"]))?;
            if ctx.backend() != Backend::Mysql {
                ctx.create_index(
                    Index::new("ix_books_rated", "books", ["author_id", "rating"])
                        .filter("rating > 3"),
                )?;
            }
            ctx.bulk_insert(
                "authors",
                ["name", "email"],
                [["Ann", "ann@example.com"], ["Bob", "bob@example.com"]],
            )
        },
        |ctx| {
            ctx.drop_table("books")?;
            ctx.drop_table("authors")
        },
    );
    let columns = step(
        "0002_columns",
        &["0001_authors"],
        |ctx| {
            ctx.add_column("authors", Column::new("bio", ColumnType::Text))?;
            ctx.add_column(
                "books",
                Column::new("pages", ColumnType::Integer)
                    .not_null()
                    .default(0),
            )?;
            ctx.create_index(
                Index::new("ix_books_author_title", "books", ["title", "author_id"]).unique(),
            )?;
            ctx.execute("INSERT INTO books (author_id, title, rating) VALUES (1, 'Raw', 4)")
        },
        |ctx| {
            ctx.execute("DELETE FROM books WHERE title = 'Raw'")?;
            ctx.drop_index("books", "ix_books_author_title")?;
            ctx.drop_column("books", "pages")?;
            ctx.drop_column("authors", "bio")
        },
    );
    let alter = step(
        "0003_alter",
        &["0002_columns"],
        |ctx| {
            ctx.rename_column("authors", "bio", "biography")?;
            ctx.alter_column(
                "books",
                "pages",
                AlterColumn::new()
                    .ty(ColumnType::BigInt)
                    .nullable(true)
                    .default(10),
            )?;
            ctx.alter_column("authors", "name", AlterColumn::new().default("anon"))?;
            ctx.alter_column("authors", "score", AlterColumn::new().ty(ColumnType::Float))
        },
        |ctx| {
            ctx.alter_column(
                "authors",
                "score",
                AlterColumn::new().ty(ColumnType::Double),
            )?;
            ctx.alter_column("authors", "name", AlterColumn::new().drop_default())?;
            ctx.alter_column(
                "books",
                "pages",
                AlterColumn::new()
                    .ty(ColumnType::Integer)
                    .nullable(false)
                    .default(0),
            )?;
            ctx.rename_column("authors", "biography", "bio")
        },
    );
    let tags = step(
        "0004_tags",
        &["0003_alter"],
        |ctx| {
            ctx.create_table(
                Table::new("tags")
                    .column(Column::new("book_id", ColumnType::Integer).not_null())
                    .column(Column::new("tag", ColumnType::Varchar(40)).not_null())
                    .column(Column::new(
                        "weight",
                        ColumnType::Numeric {
                            precision: 5,
                            scale: 2,
                        },
                    ))
                    .primary_key(["book_id", "tag"])
                    .constraint(
                        Constraint::foreign_key("fk_tags_book", ["book_id"], "books", ["id"])
                            .on_delete(Action::Cascade)
                            .on_update(Action::Restrict),
                    ),
            )
        },
        |ctx| ctx.drop_table("tags"),
    )
    .with_branch_labels(["tags".to_owned()]);
    let writers = step(
        "0005_writers",
        &["0003_alter"],
        |ctx| {
            ctx.rename_table("authors", "writers")?;
            ctx.add_constraint(
                "writers",
                Constraint::check("ck_writers_name", "name <> ''"),
            )?;
            ctx.drop_constraint("books", "ck_books_rating")
        },
        |ctx| {
            ctx.add_constraint(
                "books",
                Constraint::check("ck_books_rating", "rating BETWEEN 0 AND 5"),
            )?;
            ctx.drop_constraint("writers", "ck_writers_name")?;
            ctx.rename_table("writers", "authors")
        },
    );
    let merge = step(
        "0006_merge",
        &["0004_tags", "0005_writers"],
        |ctx| {
            ctx.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")?;
            ctx.drop_column("books", "cover")?;
            ctx.create_index(Index::new("ix_tags_tag", "tags", ["tag"]))
        },
        |ctx| {
            ctx.drop_index("tags", "ix_tags_tag")?;
            ctx.add_column("books", Column::new("cover", ColumnType::Binary))?;
            ctx.execute("DROP TABLE notes")
        },
    );
    let cleanup = step(
        "0007_cleanup",
        &["0006_merge"],
        |ctx| {
            ctx.drop_index("books", "ix_books_title")?;
            ctx.alter_column(
                "books",
                "title",
                AlterColumn::new().ty(ColumnType::Varchar(200)),
            )?;
            ctx.add_column(
                "writers",
                Column::new("nick", ColumnType::Varchar(30))
                    .not_null()
                    .default("x"),
            )?;
            ctx.alter_column("writers", "email", AlterColumn::new().nullable(false))?;
            if ctx.backend() == Backend::Postgres {
                // Refused inside a transaction: the script must run it outside one.
                ctx.execute("CREATE INDEX CONCURRENTLY ix_books_published ON books (published)")?;
            }
            Ok(())
        },
        |ctx| {
            if ctx.backend() == Backend::Postgres {
                ctx.execute("DROP INDEX CONCURRENTLY ix_books_published")?;
            }
            ctx.alter_column("writers", "email", AlterColumn::new().nullable(true))?;
            ctx.drop_column("writers", "nick")?;
            ctx.alter_column(
                "books",
                "title",
                AlterColumn::new().ty(ColumnType::Varchar(120)),
            )?;
            ctx.create_index(Index::new("ix_books_title", "books", ["title"]))
        },
    )
    .with_transactional(false);
    let more = step(
        "0008_more",
        &["0007_cleanup"],
        |ctx| {
            ctx.add_column("books", Column::new("editor_id", ColumnType::BigInt))?;
            ctx.add_constraint(
                "books",
                Constraint::foreign_key("fk_books_editor", ["editor_id"], "writers", ["id"])
                    .on_delete(Action::SetNull),
            )?;
            ctx.add_column(
                "writers",
                Column::new(
                    "tagline",
                    ColumnType::per_backend("TEXT", "VARCHAR(50)", "VARCHAR(50)"),
                ),
            )?;
            // `notes` was created by raw SQL: SQLite cannot rebuild it offline (see the
            // README), MySQL needs its current type.
            if ctx.backend() != Backend::Sqlite {
                ctx.alter_column(
                    "notes",
                    "body",
                    AlterColumn::new()
                        .nullable(false)
                        .existing_type(ColumnType::Text),
                )?;
            }
            ctx.create_index(Index::new("ix_writers_email", "writers", ["email"]).unique())?;
            let book_key: &[&str] = if ctx.backend() == Backend::Sqlite {
                &[] // `REFERENCES books`: its primary key
            } else {
                &["id"]
            };
            ctx.create_table(
                Table::new("reviews")
                    .column(Column::new("id", ColumnType::Integer).primary_key())
                    .column(Column::new("book_id", ColumnType::Integer))
                    .column(Column::new(
                        "stars",
                        ColumnType::per_backend("REAL", "DOUBLE PRECISION", "DOUBLE"),
                    ))
                    .column(
                        Column::new("body", ColumnType::Varchar(200))
                            .default(DefaultValue::Expression("(lower('X'))".into())),
                    )
                    .column(
                        Column::new("at", ColumnType::TimestampTz)
                            .not_null()
                            .default(DefaultValue::CurrentTimestamp),
                    )
                    .column(Column::new("flag", ColumnType::Boolean).default(false))
                    .constraint(Constraint::unique("uq_reviews_book_id", ["book_id", "id"]))
                    .constraint(Constraint::check("ck_reviews_stars", "stars >= 0"))
                    .constraint(
                        Constraint::foreign_key(
                            "fk_reviews_book",
                            ["book_id"],
                            "books",
                            book_key.iter().copied(),
                        )
                        .on_update(Action::Cascade)
                        .on_delete(Action::SetNull),
                    ),
            )?;
            ctx.create_index(
                Index::new("ix_reviews_stars", "reviews", ["stars", "book_id"]).unique(),
            )
        },
        |ctx| {
            ctx.drop_table("reviews")?;
            ctx.drop_index("writers", "ix_writers_email")?;
            if ctx.backend() != Backend::Sqlite {
                ctx.alter_column(
                    "notes",
                    "body",
                    AlterColumn::new()
                        .nullable(true)
                        .existing_type(ColumnType::Text),
                )?;
            }
            ctx.drop_column("writers", "tagline")?;
            ctx.drop_constraint("books", "fk_books_editor")?;
            ctx.drop_column("books", "editor_id")
        },
    );
    let restate = step(
        "0009_restate",
        &["0008_more"],
        |ctx| {
            // MySQL restates these columns: online from `information_schema`, offline from
            // the typed operations (a renamed column, a backslash default, a
            // `CURRENT_TIMESTAMP` default, a boolean default).
            ctx.alter_column(
                "writers",
                "biography",
                AlterColumn::new().ty(ColumnType::Varchar(500)),
            )?;
            ctx.alter_column("books", "path", AlterColumn::new().nullable(false))?;
            ctx.alter_column("writers", "created_at", AlterColumn::new().nullable(true))?;
            ctx.alter_column("writers", "active", AlterColumn::new().nullable(true))?;
            ctx.alter_column("reviews", "body", AlterColumn::new().nullable(false))?;
            ctx.alter_column("reviews", "flag", AlterColumn::new().default(true))?;
            ctx.add_column("books", Column::new("scan", ColumnType::Binary))?;
            ctx.bulk_insert(
                "books",
                ["author_id", "title", "scan", "note", "price", "meta"],
                [[
                    migrate_runtime::schema::Value::Int(2),
                    "Zoë \\n 'q'".into(),
                    vec![0u8, 0x5c, 0x27, 0xff].into(),
                    migrate_runtime::schema::Value::Null,
                    12.25.into(),
                    r#"{"a": "b\\c"}"#.into(),
                ]],
            )
        },
        |ctx| {
            ctx.execute("DELETE FROM books WHERE author_id = 2")?;
            ctx.drop_column("books", "scan")?;
            ctx.alter_column("reviews", "flag", AlterColumn::new().default(false))?;
            ctx.alter_column("reviews", "body", AlterColumn::new().nullable(true))?;
            ctx.alter_column("writers", "active", AlterColumn::new().nullable(false))?;
            ctx.alter_column("writers", "created_at", AlterColumn::new().nullable(false))?;
            ctx.alter_column("books", "path", AlterColumn::new().nullable(true))?;
            ctx.alter_column(
                "writers",
                "biography",
                AlterColumn::new().ty(ColumnType::Text),
            )
        },
    );
    let routines = step(
        "0010_routines",
        &["0009_restate"],
        |ctx| {
            let sql = match ctx.backend() {
                Backend::Sqlite => SQLITE_ROUTINES,
                Backend::Postgres => POSTGRES_ROUTINES,
                _ => MYSQL_ROUTINES,
            };
            ctx.execute(sql)
        },
        |ctx| {
            ctx.execute(match ctx.backend() {
                Backend::Sqlite => "DROP TRIGGER counters_note; DROP TABLE counters",
                Backend::Postgres => {
                    "DROP TABLE counters; DROP FUNCTION counters_note(); \
                     DROP PROCEDURE fill_counters(INT); DROP FUNCTION double_it(INT)"
                }
                _ => {
                    "DROP TRIGGER counters_note; DROP PROCEDURE fill_counters;\n\
                     DROP TABLE counters"
                }
            })
        },
    );
    MigrationSet::new(vec![
        authors_books,
        columns,
        alter,
        tags,
        writers,
        merge,
        cleanup,
        more,
        restate,
        routines,
    ])
    .unwrap()
}

/// Several statements in one `ctx.execute`, among them compound ones whose bodies hold `;`:
/// a procedure with `WHILE`, `IF` and a nested `BEGIN` (and `//` in a string, so its
/// script needs another `DELIMITER`), a trigger, then calls that fill the table. The
/// comments stay in the procedure's body only with `mariadb --comments` (see the README).
const MYSQL_ROUTINES: &str = r"CREATE TABLE counters (id INT PRIMARY KEY, n INT NOT NULL, note VARCHAR(40));
CREATE PROCEDURE fill_counters(IN upto INT)
fill: BEGIN
  DECLARE i INT DEFAULT 1;
  WHILE i <= upto DO
    IF i % 2 = 0 THEN
      BEGIN # even rows; END IF
        INSERT INTO counters (id, n, note) VALUES (i, i * 10, 'even; //');
      END;
    ELSE
      -- odd rows; END WHILE
      INSERT INTO counters (id, n, note) VALUES (i, i, 'odd \'quoted\' END IF;');
    END IF;
    SET i = i + 1;
  END WHILE;
END fill;
CREATE TRIGGER counters_note BEFORE INSERT ON counters FOR EACH ROW
BEGIN
  IF NEW.note IS NULL THEN SET NEW.note = CASE WHEN NEW.n > 0 THEN 'some' ELSE 'none' END; END IF;
  SET NEW.n = NEW.n + 1;
END;
CALL fill_counters(4);
INSERT INTO counters (id, n) VALUES (10, 0), (11, 3)";

/// The same on PostgreSQL: PL/pgSQL in dollar quotes, a `BEGIN ATOMIC` body (that `psql`
/// splits by itself).
const POSTGRES_ROUTINES: &str = r"CREATE TABLE counters (id INT PRIMARY KEY, n INT NOT NULL, note VARCHAR(40));
CREATE FUNCTION counters_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.note IS NULL THEN NEW.note := CASE WHEN NEW.n > 0 THEN 'some' ELSE 'none' END; END IF;
  NEW.n := NEW.n + 1;
  RETURN NEW;
END $$;
CREATE TRIGGER counters_note BEFORE INSERT ON counters FOR EACH ROW EXECUTE FUNCTION counters_note();
CREATE PROCEDURE fill_counters(upto INT) LANGUAGE plpgsql AS $body$
DECLARE i INT := 1;
BEGIN
  WHILE i <= upto LOOP
    IF i % 2 = 0 THEN
      BEGIN
        INSERT INTO counters (id, n, note) VALUES (i, i * 10, 'even; //');
      END;
    ELSE
      INSERT INTO counters (id, n, note) VALUES (i, i, 'odd ''quoted'' END IF;');
    END IF;
    i := i + 1;
  END LOOP;
END $body$;
CREATE FUNCTION double_it(x INT) RETURNS INT LANGUAGE sql BEGIN ATOMIC SELECT x * 2; END;
CALL fill_counters(4);
INSERT INTO counters (id, n) VALUES (10, double_it(0)), (11, double_it(3) - 3)";

/// The same on SQLite: a trigger body with a `CASE ... END` (that `sqlite3` splits by
/// itself).
const SQLITE_ROUTINES: &str = r"CREATE TABLE counters (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, note TEXT);
CREATE TRIGGER counters_note AFTER INSERT ON counters FOR EACH ROW WHEN NEW.note IS NULL
BEGIN
  UPDATE counters SET note = CASE WHEN NEW.n > 0 THEN 'some; //' ELSE 'none' END WHERE id = NEW.id;
  UPDATE counters SET n = n + 1 WHERE id = NEW.id;
END;
INSERT INTO counters (id, n, note) VALUES (1, 1, 'odd ''quoted'' END;'), (2, 20, 'even; //');
INSERT INTO counters (id, n) VALUES (10, 0), (11, 3)";

/// Whether `program` runs; prints a `skipped:` line (on the process's standard error, which
/// the test harness does not capture) when it does not.
fn installed(program: &str, backend: Backend) -> bool {
    let ok = Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        let _ = writeln!(
            std::io::stderr(),
            "skipped: the {backend} offline-script differential tests: `{program}` is not installed"
        );
    }
    ok
}

/// Two fresh databases on `backend`, or `None` (with a `skipped:` line) when its server is
/// not configured or its tools are not installed.
fn pair(backend: Backend) -> Option<(TestDb, TestDb)> {
    let tools: &[&str] = match backend {
        Backend::Sqlite => &["sqlite3"],
        Backend::Postgres => &["psql", "pg_dump"],
        _ => &["mariadb", "mariadb-dump"],
    };
    let first = match backend {
        #[cfg(feature = "sqlite")]
        Backend::Sqlite => TestDb::sqlite(),
        _ => {
            let var = if backend == Backend::Postgres {
                support::POSTGRES_VAR
            } else {
                support::MYSQL_VAR
            };
            let db = ScratchDatabase::from_env(var).unwrap_or_else(|e| {
                panic!("cannot create a {backend} test database ({var}): {e}")
            })?;
            TestDb::from_scratch(db)
        }
    };
    if !tools.iter().all(|tool| installed(tool, backend)) {
        return None;
    }
    let second = TestDb::fresh_like(&first);
    Some((first, second))
}

/// Runs `program` with `args` and gives its standard output; panics with its error output.
fn output(mut command: Command) -> String {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        out.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `text` with every date and time (`2026-01-31 12:34:56.789`, also with a `T`) replaced by
/// `<time>`: rows get the time they were inserted at as their `CURRENT_TIMESTAMP` default.
fn mask_times(text: &str) -> String {
    const SHAPE: &[u8] = b"dddd-dd-dd?dd:dd:dd";
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let fits = bytes.len() - i >= SHAPE.len()
            && SHAPE.iter().zip(&bytes[i..]).all(|(s, b)| match s {
                b'd' => b.is_ascii_digit(),
                b'?' => *b == b' ' || *b == b'T',
                _ => s == b,
            });
        if fits {
            out.push_str("<time>");
            i += SHAPE.len();
            if bytes.get(i) == Some(&b'.') {
                i += 1;
                while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
            }
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// The schema and the data of the user tables (not the history, whose times differ), as
/// the backend's own dump tool prints them, times masked.
fn dump(db: &TestDb) -> String {
    mask_times(&dump_raw(db))
}

fn dump_raw(db: &TestDb) -> String {
    let url = url::Url::parse(db.url()).unwrap();
    match db.backend {
        Backend::Sqlite => {
            let path = migrate_runtime::DatabaseUrl::parse(db.url())
                .unwrap()
                .sqlite_path()
                .to_owned();
            let mut c = Command::new("sqlite3");
            c.arg(&path).arg(".dump");
            // Statements sorted: the order of `sqlite_master` is not part of the schema,
            // and after a rebuild it is the order the indexes were re-created in, which
            // offline follows the script's typed operations and online the database.
            let mut statements: Vec<String> = Vec::new();
            let mut current = String::new();
            for line in output(c).lines() {
                current.push_str(line);
                current.push('\n');
                if line.ends_with(';') {
                    statements.push(std::mem::take(&mut current));
                }
            }
            statements.push(current);
            statements.retain(|s| !s.starts_with("INSERT INTO migrate_history"));
            statements.sort();
            statements.concat()
        }
        Backend::Postgres => {
            let mut c = Command::new("pg_dump");
            c.args([
                "--no-owner",
                "--no-privileges",
                "--exclude-table-data=migrate_history",
                "-d",
                db.url(),
            ]);
            output(c)
                .lines()
                // The history's id sequence counts history rows, compared apart; the
                // `\\restrict` key of pg_dump 15.14 and later is random.
                .filter(|l| !l.contains("migrate_history_id_seq', ") && !l.contains("restrict "))
                .collect::<Vec<_>>()
                .join("\n")
        }
        _ => {
            let name = url.path().trim_start_matches('/').to_owned();
            let mut c = Command::new("mariadb-dump");
            c.arg(format!("--host={}", url.host_str().unwrap_or("127.0.0.1")))
                .arg(format!("--port={}", url.port().unwrap_or(3306)))
                .arg(format!("--user={}", url.username()));
            if let Some(password) = url.password() {
                c.arg(format!("--password={password}"));
            }
            c.args([
                // Procedures and functions too (triggers come with their tables).
                "--routines",
                "--skip-comments",
                "--skip-dump-date",
                "--skip-extended-insert",
                "--hex-blob",
            ])
            .arg(format!("--ignore-table-data={name}.migrate_history"))
            .arg(&name);
            output(c)
                .lines()
                .map(|l| {
                    // The history's AUTO_INCREMENT counts history rows, compared apart.
                    if l.contains("AUTO_INCREMENT=") && l.starts_with(") ENGINE") {
                        l.split(' ')
                            .filter(|w| !w.starts_with("AUTO_INCREMENT="))
                            .collect::<Vec<_>>()
                            .join(" ")
                    } else {
                        l.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
        }
    }
}

#[derive(diesel::QueryableByName, Debug, PartialEq)]
struct HistoryRow {
    #[diesel(sql_type = Text)]
    revision: String,
    #[diesel(sql_type = Text)]
    direction: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Nullable<Text>)]
    checksum: Option<String>,
}

/// The history's rows without their times, oldest first; those of finished migrations.
fn history(conn: &mut AnyConnection) -> Vec<HistoryRow> {
    diesel::sql_query(
        "SELECT revision, direction, status, checksum FROM migrate_history ORDER BY id",
    )
    .load(conn)
    .unwrap()
}

/// Line by line, the first lines where `a` and `b` differ, for a failure message.
fn diff(a: &str, b: &str) -> String {
    let (a, b): (Vec<_>, Vec<_>) = (a.lines().collect(), b.lines().collect());
    let mut out = String::new();
    let mut shown = 0;
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(i), b.get(i));
        if x != y {
            out.push_str(&format!(
                "line {}:\n  online:  {}\n  offline: {}\n",
                i + 1,
                x.unwrap_or(&"<none>"),
                y.unwrap_or(&"<none>")
            ));
            shown += 1;
            if shown == 12 {
                break;
            }
        }
    }
    out
}

/// Asserts that the online database and the scripted one are the same: dump, version rows,
/// history; `script` is the last script applied, for the failure message.
fn assert_same(what: &str, migrator: &Migrator, online: &TestDb, offline: &TestDb, script: &str) {
    let (a, b) = (dump(online), dump(offline));
    assert!(
        a == b,
        "{} {what}: the offline script's database differs from the online run's:\n{}\n\
         --- online dump ---\n{a}\n--- last script ---\n{script}",
        online.describe(),
        diff(&a, &b)
    );
    let (mut a, mut b) = (online.connect(), offline.connect());
    assert_eq!(
        migrator.current(&mut a).unwrap(),
        migrator.current(&mut b).unwrap(),
        "{} {what}: version rows",
        online.describe()
    );
    // Online runs on MySQL write a `running` row first and finish it; a script writes the
    // finished row alone. Either way one row per migration that ran.
    assert_eq!(
        history(&mut a),
        history(&mut b),
        "{} {what}: history",
        online.describe()
    );
}

/// An online run on the scripted database finds it where the script left it: `check` is
/// clean at the heads, and an upgrade to the heads runs nothing.
fn assert_online_agrees(migrator: &Migrator, offline: &TestDb) {
    let mut conn = offline.connect();
    let report = migrator.check(&mut conn).unwrap();
    assert!(report.is_clean(), "{}: {report:?}", offline.describe());
    let run = migrator.upgrade(&mut conn, "heads").unwrap();
    assert!(run.steps.is_empty(), "{}: {run:?}", offline.describe());
}

fn modes(backend: Backend) -> Vec<TransactionMode> {
    if backend == Backend::Mysql {
        vec![TransactionMode::PerMigration]
    } else {
        vec![TransactionMode::PerMigration, TransactionMode::All]
    }
}

fn migrator(mode: TransactionMode) -> Migrator {
    Migrator::new(set()).with_options(Options::default().with_transaction_mode(mode))
}

/// Upgrade to the heads and downgrade to base, one script each.
fn whole_range(backend: Backend) {
    for mode in modes(backend) {
        let Some((online, offline)) = pair(backend) else {
            return;
        };
        let migrator = migrator(mode);
        migrator.upgrade(&mut online.connect(), "heads").unwrap();
        let script = migrator.upgrade_sql(backend, None, "heads").unwrap();
        support::run_with_client(&offline, &script);
        assert_same(
            &format!("{mode:?} upgrade heads"),
            &migrator,
            &online,
            &offline,
            &script,
        );
        assert_online_agrees(&migrator, &offline);
        // The comparison covers the routines: the dumps hold them and what they wrote.
        let schema = dump(&offline);
        let routines: &[&str] = match backend {
            Backend::Sqlite => &["TRIGGER counters_note", "'some; //'"],
            _ => &["TRIGGER", "counters_note", "PROCEDURE", "fill_counters"],
        };
        for routine in routines.iter().chain(&["quoted", "even; //"]) {
            assert!(
                schema.contains(routine),
                "{backend}: no {routine}:\n{schema}"
            );
        }

        migrator.downgrade(&mut online.connect(), "base").unwrap();
        let script = migrator
            .downgrade_sql(backend, "0010_routines", "base")
            .unwrap();
        support::run_with_client(&offline, &script);
        assert_same(
            &format!("{mode:?} downgrade base"),
            &migrator,
            &online,
            &offline,
            &script,
        );
    }
}

/// Upgrade and downgrade in ranges: each script starts where the previous one stopped,
/// through the branch and its merge.
fn ranges(backend: Backend) {
    for mode in modes(backend) {
        let Some((online, offline)) = pair(backend) else {
            return;
        };
        let migrator = migrator(mode);
        let upgrades = [
            (None, "0002_columns"),
            (Some("0002_columns"), "0004_tags"),
            (Some("0004_tags"), "heads"),
        ];
        for (start, target) in upgrades {
            migrator.upgrade(&mut online.connect(), target).unwrap();
            let script = migrator.upgrade_sql(backend, start, target).unwrap();
            support::run_with_client(&offline, &script);
            assert_same(
                &format!("{mode:?} upgrade {start:?}:{target}"),
                &migrator,
                &online,
                &offline,
                &script,
            );
        }
        assert_online_agrees(&migrator, &offline);
        let downgrades = [
            ("0010_routines", "0006_merge"),
            // Through the merge: both branches.
            ("0006_merge", "0002_columns"),
            ("0002_columns", "base"),
        ];
        for (start, target) in downgrades {
            migrator.downgrade(&mut online.connect(), target).unwrap();
            let script = migrator.downgrade_sql(backend, start, target).unwrap();
            support::run_with_client(&offline, &script);
            assert_same(
                &format!("{mode:?} downgrade {start}:{target}"),
                &migrator,
                &online,
                &offline,
                &script,
            );
        }
    }
}

#[cfg(feature = "sqlite")]
#[test]
fn sqlite_scripts_equal_online_runs() {
    whole_range(Backend::Sqlite);
    ranges(Backend::Sqlite);
}

#[cfg(feature = "postgres")]
#[test]
fn postgres_scripts_equal_online_runs() {
    whole_range(Backend::Postgres);
    ranges(Backend::Postgres);
}

#[cfg(feature = "mysql")]
#[test]
fn mysql_scripts_equal_online_runs() {
    whole_range(Backend::Mysql);
    ranges(Backend::Mysql);
}

/// A SQLite migration leaving a row whose parent is gone fails online (the executor checks
/// every foreign key before the migration commits); its script must fail there too, not
/// record the migration over the dangling row.
#[cfg(feature = "sqlite")]
#[test]
fn sqlite_scripts_refuse_foreign_key_violations_as_online_runs_do() {
    let set = MigrationSet::new(vec![
        step(
            "a",
            &[],
            |ctx| {
                ctx.create_table(
                    Table::new("parent")
                        .column(Column::new("id", ColumnType::Integer).primary_key()),
                )?;
                ctx.create_table(
                    Table::new("child")
                        .column(Column::new("parent_id", ColumnType::Integer))
                        .constraint(Constraint::foreign_key(
                            "fk_child_parent",
                            ["parent_id"],
                            "parent",
                            ["id"],
                        )),
                )?;
                ctx.execute("INSERT INTO parent (id) VALUES (1)")?;
                ctx.execute("INSERT INTO child (parent_id) VALUES (1)")
            },
            |ctx| {
                ctx.drop_table("child")?;
                ctx.drop_table("parent")
            },
        ),
        step(
            "b",
            &["a"],
            |ctx| ctx.execute("DELETE FROM parent"),
            |_| Ok(()),
        ),
    ])
    .unwrap();
    for mode in modes(Backend::Sqlite) {
        let Some((online, offline)) = pair(Backend::Sqlite) else {
            return;
        };
        let migrator =
            Migrator::new(set.clone()).with_options(Options::default().with_transaction_mode(mode));
        let err = migrator.upgrade(&mut online.connect(), "b").unwrap_err();
        assert!(err.to_string().contains("foreign key"), "{err}");

        let script = migrator.upgrade_sql(Backend::Sqlite, None, "b").unwrap();
        let path = migrate_runtime::DatabaseUrl::parse(offline.url())
            .unwrap()
            .sqlite_path()
            .to_owned();
        let mut client = Command::new("sqlite3")
            .args(["-bail", &path])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        client
            .stdin
            .take()
            .unwrap()
            .write_all(script.as_bytes())
            .unwrap();
        let out = client.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && stderr.contains("foreign key"),
            "{mode:?}: the script applied a migration that leaves a dangling row: {stderr}\n{script}"
        );
        let mut conn = offline.connect();
        assert_eq!(
            support::count_where(&mut conn, "migrate_version", "version_num = 'b'"),
            0,
            "{mode:?}: {script}"
        );
        // Per migration `a` stays; in one transaction everything is rolled back, as online.
        let exists = support::table_exists(&mut online.connect(), "parent");
        assert_eq!(exists, mode == TransactionMode::PerMigration);
        assert_eq!(
            support::table_exists(&mut conn, "parent"),
            exists,
            "{mode:?}"
        );
        if exists {
            assert_eq!(
                support::row_count(&mut conn, "parent"),
                1,
                "{mode:?}: {script}"
            );
        }
        assert_eq!(
            migrator.current(&mut conn).unwrap(),
            migrator.current(&mut online.connect()).unwrap(),
            "{mode:?}"
        );
    }
}
