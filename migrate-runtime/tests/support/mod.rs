//! Test databases on every backend: SQLite always, PostgreSQL and MySQL when their URL
//! variables are set. Each test gets a fresh database of its own and drops it at the end,
//! so tests run in parallel.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use diesel::RunQueryDsl;
use diesel::sql_types::{BigInt, Text};
use migrate_runtime::testing::ScratchDatabase;
use migrate_runtime::{
    AnyConnection, Backend, Migration, MigrationContext, MigrationFn, MigrationSet, Result,
    RevisionId,
};

#[cfg(feature = "mysql")]
pub mod mariadb;

/// The variable naming the PostgreSQL server for the tests.
pub const POSTGRES_VAR: &str = "MIGRATE_TEST_POSTGRES_URL";
/// The variable naming the MySQL/MariaDB server for the tests.
pub const MYSQL_VAR: &str = "MIGRATE_TEST_MYSQL_URL";

/// A fresh database on one backend, dropped when this goes out of scope.
pub struct TestDb {
    pub backend: Backend,
    /// SQLite: whether the database is in WAL mode (else the default rollback journal).
    pub wal: bool,
    db: ScratchDatabase,
}

impl TestDb {
    /// The URL of the fresh database.
    pub fn url(&self) -> &str {
        self.db.url().as_str()
    }

    /// A new connection to the fresh database.
    pub fn connect(&self) -> AnyConnection {
        self.db
            .connect()
            .unwrap_or_else(|e| panic!("cannot connect to the {} test database: {e}", self.backend))
    }

    /// The scratch database behind this one.
    pub fn scratch(&self) -> &ScratchDatabase {
        &self.db
    }

    /// Another fresh database on the same backend and server.
    pub fn fresh_like(other: &TestDb) -> Self {
        Self::new(other.backend, other.db.fresh_like()).with_wal(other.wal)
    }

    /// The test database behind a scratch database made by the caller (a server's, say,
    /// from [`ScratchDatabase::from_env`]).
    pub fn from_scratch(db: ScratchDatabase) -> Self {
        Self::new(db.backend(), Ok(db))
    }

    /// A fresh SQLite database in the default rollback-journal mode.
    #[cfg(feature = "sqlite")]
    pub fn sqlite() -> Self {
        Self::new(Backend::Sqlite, ScratchDatabase::sqlite())
    }

    /// A connection to what a crash at this moment would leave of the database. On
    /// SQLite a copy of the file and of its journal or WAL (opening the copy recovers
    /// from them), made even while a run holds the file's lock: SQLite locks bind only
    /// SQLite connections. Elsewhere a new connection, which sees what is committed. The
    /// directory holds the copy; keep it while the connection is in use.
    pub fn crash_image(&self) -> (Option<tempfile::TempDir>, AnyConnection) {
        if self.backend != Backend::Sqlite {
            return (None, self.connect());
        }
        let url = migrate_runtime::DatabaseUrl::parse(self.url()).unwrap();
        let original = std::path::Path::new(url.sqlite_path());
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("crash.sqlite3");
        for suffix in ["", "-journal", "-wal"] {
            let from = format!("{}{suffix}", original.display());
            if std::path::Path::new(&from).exists() {
                std::fs::copy(&from, format!("{}{suffix}", copy.display())).unwrap();
            }
        }
        let conn = AnyConnection::open(&migrate_runtime::DatabaseUrl::sqlite_file(&copy)).unwrap();
        (Some(dir), conn)
    }

    /// What the database is, as a test's failure message names it.
    pub fn describe(&self) -> String {
        match (self.backend, self.wal) {
            (Backend::Sqlite, true) => "SQLite (WAL)".to_owned(),
            (Backend::Sqlite, false) => "SQLite (rollback journal)".to_owned(),
            (backend, _) => backend.to_string(),
        }
    }

    fn new(backend: Backend, db: Result<ScratchDatabase>) -> Self {
        let db = db.unwrap_or_else(|e| panic!("cannot create a {backend} test database: {e}"));
        Self {
            backend,
            wal: false,
            db,
        }
    }

    /// Switches a SQLite database to WAL mode, which the file keeps.
    fn with_wal(mut self, wal: bool) -> Self {
        if wal {
            let mut conn = self.connect();
            let mode: Vec<Mode> = diesel::sql_query("PRAGMA journal_mode = WAL")
                .load(&mut conn)
                .unwrap();
            assert_eq!(mode[0].journal_mode, "wal");
            self.wal = true;
        }
        self
    }
}

#[derive(diesel::QueryableByName)]
struct Mode {
    #[diesel(sql_type = Text)]
    journal_mode: String,
}

/// Runs `body` on each backend compiled in: on a fresh SQLite database in each journal
/// mode the executor treats apart (the default rollback journal, where a run locks the file
/// for its duration, and WAL, where runners queue step by step), then on fresh PostgreSQL
/// and MySQL databases when their variables are set ([`ScratchDatabase::from_env`] prints
/// why a backend is skipped). A backend left out of the build is not tried, whatever its
/// variable says: the tests of a single-backend build run on that backend alone.
pub fn each_backend(body: impl Fn(&TestDb)) {
    #[cfg(feature = "sqlite")]
    for wal in [false, true] {
        body(&TestDb::new(Backend::Sqlite, ScratchDatabase::sqlite()).with_wal(wal));
    }
    for &(var, backend) in SERVERS {
        if let Some(db) = server(var, backend) {
            body(&db);
        }
    }
}

/// Runs `body` once, on the first backend [`each_backend`] would try: SQLite when it is
/// compiled in, else the first server compiled in whose variable is set. For tests of what
/// does not depend on the backend (a report's text, signal handling), so that a build with
/// one backend runs them too.
pub fn one_backend(body: impl FnOnce(&TestDb)) {
    #[cfg(feature = "sqlite")]
    body(&TestDb::sqlite());
    #[cfg(not(feature = "sqlite"))]
    if let Some(db) = SERVERS
        .iter()
        .find_map(|&(var, backend)| server(var, backend))
    {
        body(&db);
    }
}

/// A fresh database on the `backend` server that `var` names, or `None` when `var` is unset
/// (see [`ScratchDatabase::from_env`]).
fn server(var: &str, backend: Backend) -> Option<TestDb> {
    let db = ScratchDatabase::from_env(var)
        .unwrap_or_else(|e| panic!("cannot create a {backend} test database from {var}: {e}"))?;
    assert_eq!(
        db.backend(),
        backend,
        "{var} names a {} server",
        db.backend()
    );
    Some(TestDb::new(backend, Ok(db)))
}

/// The server backends compiled in, with the variable naming each one's test server.
const SERVERS: &[(&str, Backend)] = &[
    #[cfg(feature = "postgres")]
    (POSTGRES_VAR, Backend::Postgres),
    #[cfg(feature = "mysql")]
    (MYSQL_VAR, Backend::Mysql),
];

/// A revision id.
pub fn id(s: &str) -> RevisionId {
    RevisionId::new(s).unwrap()
}

/// `CREATE TABLE t_<rev>` up, `DROP TABLE t_<rev>` down, plus one row in `applied` so a
/// test can count how often each migration ran. The first migration of a set creates
/// `applied` (see [`counter_root`]).
pub fn table_migration(rev: &str, parents: &[&str]) -> Migration {
    let up_rev = rev.to_owned();
    let down_rev = rev.to_owned();
    Migration::new(
        id(rev),
        MigrationFn::new(move |ctx: &mut MigrationContext<'_>| {
            ctx.execute(&format!("CREATE TABLE t_{up_rev} (id INTEGER PRIMARY KEY)"))?;
            ctx.execute(&format!(
                "INSERT INTO applied (revision) VALUES ('{up_rev}')"
            ))
        }),
    )
    .with_revises(parents.iter().map(|p| id(p)))
    .with_message(format!("create t_{rev}"))
    .with_checksum(format!("sum_{rev}"))
    .with_downgrade(MigrationFn::new(move |ctx: &mut MigrationContext<'_>| {
        ctx.execute(&format!("DROP TABLE t_{down_rev}"))
    }))
}

/// The root that creates the `applied` counter table (and drops it on downgrade).
pub fn counter_root(rev: &str) -> Migration {
    Migration::new(
        id(rev),
        MigrationFn::new(|ctx: &mut MigrationContext<'_>| {
            ctx.execute("CREATE TABLE applied (revision VARCHAR(64) NOT NULL)")
        }),
    )
    .with_message("create the counter table")
    .with_checksum(format!("sum_{rev}"))
    .with_downgrade(MigrationFn::new(|ctx: &mut MigrationContext<'_>| {
        ctx.execute("DROP TABLE applied")
    }))
}

/// A migration running `up` (a closure) with a no-op downgrade.
pub fn custom(
    rev: &str,
    parents: &[&str],
    up: impl Fn(&mut MigrationContext<'_>) -> Result<()> + Send + Sync + 'static,
) -> Migration {
    Migration::new(id(rev), MigrationFn::new(up))
        .with_revises(parents.iter().map(|p| id(p)))
        .with_message(format!("custom {rev}"))
        .with_downgrade(MigrationFn::new(|_| Ok(())))
}

/// `root` (counter table) then a linear chain of table migrations.
pub fn chain(root: &str, revs: &[&str]) -> MigrationSet {
    let mut migrations = vec![counter_root(root)];
    let mut parent = root;
    for rev in revs {
        migrations.push(table_migration(rev, &[parent]));
        parent = rev;
    }
    MigrationSet::new(migrations).unwrap()
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The `n` column of a query counting something.
pub fn count_query(conn: &mut AnyConnection, sql: &str) -> i64 {
    diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n
}

/// Whether table `name` exists in the test database.
pub fn table_exists(conn: &mut AnyConnection, name: &str) -> bool {
    let sql = match conn.backend() {
        Backend::Sqlite => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?"
        }
        Backend::Postgres => {
            "SELECT COUNT(*) AS n FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = $1"
        }
        _ => {
            "SELECT COUNT(*) AS n FROM information_schema.tables \
             WHERE table_schema = DATABASE() AND table_name = ?"
        }
    };
    diesel::sql_query(sql)
        .bind::<Text, _>(name)
        .get_result::<Count>(conn)
        .unwrap()
        .n
        == 1
}

/// How many times migration `rev` inserted its row into `applied`.
pub fn applied_count(conn: &mut AnyConnection, rev: &str) -> i64 {
    let sql = match conn.backend() {
        Backend::Postgres => "SELECT COUNT(*) AS n FROM applied WHERE revision = $1",
        _ => "SELECT COUNT(*) AS n FROM applied WHERE revision = ?",
    };
    diesel::sql_query(sql)
        .bind::<Text, _>(rev)
        .get_result::<Count>(conn)
        .unwrap()
        .n
}

/// The number of rows of `table`.
pub fn row_count(conn: &mut AnyConnection, table: &str) -> i64 {
    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
        .get_result::<Count>(conn)
        .unwrap()
        .n
}

/// Revision ids as strings, for comparing with `current()`.
pub fn ids(list: &[RevisionId]) -> Vec<&str> {
    list.iter().map(RevisionId::as_str).collect()
}

/// Pipes `script` into the backend's command-line client (`sqlite3`, `psql`, `mariadb`)
/// connected to `db`, stopping at the first error; panics with the client's output when
/// it fails. What an operator does with an offline (`--sql`) script.
pub fn run_with_client(db: &TestDb, script: &str) {
    use std::process::{Command, Stdio};
    let url = url::Url::parse(db.url()).unwrap();
    let mut command = match db.backend {
        Backend::Sqlite => {
            let mut c = Command::new("sqlite3");
            c.arg("-bail").arg(url.path());
            c
        }
        Backend::Postgres => {
            let mut c = Command::new("psql");
            c.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db.url()]);
            c
        }
        _ => {
            let mut c = Command::new("mariadb");
            // Keep comments, in the bodies of procedures too, as the README advises.
            c.arg("--comments")
                .arg(format!("--host={}", url.host_str().unwrap_or("127.0.0.1")))
                .arg(format!("--port={}", url.port().unwrap_or(3306)))
                .arg(format!("--user={}", url.username()));
            if let Some(password) = url.password() {
                c.arg(format!("--password={password}"));
            }
            c.arg(url.path().trim_start_matches('/'));
            c
        }
    };
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start the {} client: {e}", db.backend));
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), script.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "the {} client failed: {}\n{script}",
        db.backend,
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The number of rows of `table` matching the SQL condition `condition`.
pub fn count_where(conn: &mut AnyConnection, table: &str, condition: &str) -> i64 {
    diesel::sql_query(format!(
        "SELECT COUNT(*) AS n FROM {table} WHERE {condition}"
    ))
    .get_result::<Count>(conn)
    .unwrap()
    .n
}
