//! `testing::ScratchDatabase`: each one is a database of its own, on the backend and server
//! it was made like, and it is gone once dropped or removed.

mod support;

use diesel::RunQueryDsl;
use diesel::connection::SimpleConnection;
use diesel::sql_types::BigInt;
use migrate_runtime::testing::ScratchDatabase;
use migrate_runtime::{AnyConnection, Backend};
use support::*;

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Whether the server `conn` is connected to has a database called `name`.
fn server_has(conn: &mut AnyConnection, backend: Backend, name: &str) -> bool {
    let sql = match backend {
        Backend::Postgres => {
            format!("SELECT COUNT(*) AS n FROM pg_database WHERE datname = '{name}'")
        }
        _ => format!(
            "SELECT COUNT(*) AS n FROM information_schema.schemata WHERE schema_name = '{name}'"
        ),
    };
    diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n == 1
}

#[test]
fn a_scratch_database_is_its_own_and_is_gone_once_dropped() {
    each_backend(|db| {
        let other = db.scratch().fresh_like().unwrap();
        assert_eq!(other.backend(), db.backend);
        assert_ne!(other.url().as_str(), db.url());
        other
            .connect()
            .unwrap()
            .batch_execute("CREATE TABLE only_here (id INTEGER PRIMARY KEY)")
            .unwrap();
        assert!(table_exists(&mut other.connect().unwrap(), "only_here"));
        assert!(!table_exists(&mut db.connect(), "only_here"));

        match other.name().map(str::to_owned) {
            None => {
                assert_eq!(db.backend, Backend::Sqlite);
                let file = other.url().sqlite_path().to_owned();
                assert!(std::path::Path::new(&file).exists());
                drop(other);
                assert!(!std::path::Path::new(&file).exists(), "{file} left behind");
            }
            Some(name) => {
                // `migrate_scratch_<pid>_<random>_<n>`: the pid alone is not unique
                // across machines sharing a server.
                let parts: Vec<&str> = name.split('_').collect();
                assert_eq!(parts.len(), 5, "{name}");
                assert_eq!(parts[2], std::process::id().to_string(), "{name}");
                assert_eq!(parts[3].len(), 8, "{name}");
                let mut conn = db.connect();
                assert!(server_has(&mut conn, db.backend, &name));
                // Even with a connection still open (PostgreSQL needs `WITH (FORCE)`).
                let leaked = other.connect().unwrap();
                drop(other);
                assert!(
                    !server_has(&mut conn, db.backend, &name),
                    "{name} left behind"
                );
                drop(leaked);
            }
        }
    });
}

#[test]
fn remove_reports_and_then_dropping_does_nothing_more() {
    each_backend(|db| {
        let other = db.scratch().fresh_like().unwrap();
        let name = other.name().map(str::to_owned);
        other.remove().unwrap();
        if let Some(name) = name {
            assert!(!server_has(&mut db.connect(), db.backend, &name));
        }
    });
}

#[cfg(feature = "sqlite")]
#[test]
fn on_server_with_a_sqlite_url_gives_a_scratch_file() {
    let db = ScratchDatabase::on_server("sqlite://ignored.sqlite3").unwrap();
    assert_eq!(db.backend(), Backend::Sqlite);
    assert!(db.name().is_none());
    assert!(db.url().sqlite_path().ends_with("scratch.sqlite3"));
    assert!(!std::path::Path::new("ignored.sqlite3").exists());
}

#[test]
fn a_server_that_cannot_be_reached_is_an_error_not_a_panic() {
    // Port 9 (discard) on the loopback: nothing listens there.
    let err = ScratchDatabase::on_server("postgres://nobody:hunter2@127.0.0.1:9/postgres");
    let message = err.unwrap_err().to_string();
    assert!(!message.contains("hunter2"), "{message}");
}
