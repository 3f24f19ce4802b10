//! The `migrate` binary itself, which links no migration.

use std::path::Path;
use std::process::{Command, Output};

/// Runs the `migrate` binary in `dir` on the SQLite file `app.db` there, whatever
/// `DATABASE_URL` the test runs under.
fn migrate(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_migrate"))
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .args(["--database-url", "sqlite://app.db"])
        .args(args)
        .output()
        .unwrap()
}

/// A migration file, as `revision` writes one.
#[cfg(feature = "sqlite")]
const NEW_MIGRATION: &str = "use migrate_runtime::prelude::*;

/// Create users
#[migration(revision = \"0001_users\", irreversible)]
pub(crate) fn upgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute(super::helpers::CREATE_USERS)
}
";

/// A helper module of the migrations folder: it declares no migration, though its
/// comments and strings name the attribute.
#[cfg(feature = "sqlite")]
const HELPER: &str = "//! Shared by the migrations; `#[migration]` functions use it.

/// For `#[migration(revision = \"0001_users\", irreversible)]`.
pub(crate) const CREATE_USERS: &str = \"CREATE TABLE users (id INTEGER PRIMARY KEY)\";
";

#[test]
fn a_binary_without_migrations_says_how_to_link_them() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| migrate(dir.path(), args);
    let current = run(&["current"]);
    let err = String::from_utf8_lossy(&current.stderr);
    assert!(
        err.contains("no migration registered")
            && err.contains("use the_crate as _;")
            && err.contains("cargo xtask migrate"),
        "{err}"
    );
    // Commands that need no migrations say nothing of the kind.
    let config = run(&["config"]);
    assert!(config.status.success());
    assert!(!String::from_utf8_lossy(&config.stderr).contains("no migration"));
}

#[cfg(feature = "sqlite")]
#[test]
fn a_migration_file_the_binary_was_built_without_fails_check_and_names_build_rs() {
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("src/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    std::fs::write(migrations.join("0001_users.rs"), NEW_MIGRATION).unwrap();
    // A helper module the migrations share: no migration of its own, so not one the
    // binary lacks, although this binary (as one whose migrations are declared one by one,
    // without `migrations!`) has no list of the folder's files.
    std::fs::write(migrations.join("helpers.rs"), HELPER).unwrap();
    let run = |args: &[&str]| migrate(dir.path(), args);
    let check = run(&["check"]);
    let out = String::from_utf8_lossy(&check.stdout);
    assert_eq!(check.status.code(), Some(1), "{out}");
    assert!(!out.contains("helpers.rs"), "{out}");
    assert!(
        out.contains("unbuilt: `0001_users.rs` in ")
            && out.contains("not compiled into this binary")
            && out.contains("cargo::rerun-if-changed=src/migrations"),
        "{out}"
    );
    let upgrade = run(&["upgrade"]);
    let err = String::from_utf8_lossy(&upgrade.stderr);
    assert!(
        err.contains("warning: `0001_users.rs`") && err.contains("build.rs"),
        "{err}"
    );
    // With nothing to apply, the run leaves no empty database file behind.
    assert!(upgrade.status.success(), "{err}");
    assert!(!dir.path().join("app.db").exists());
    // Once the binary knows every migration, `check` has nothing to say about the folder,
    // its helper included.
    std::fs::remove_file(migrations.join("0001_users.rs")).unwrap();
    let check = std::process::Command::new(env!("CARGO_BIN_EXE_migrate"))
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .arg("check")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "{out}");
    assert!(out.starts_with("graph: ok (no revisions)\n"), "{out}");
}

/// An option of the URL that the client library refuses is a configuration mistake, as a
/// malformed URL is: exit code 2, the option named, the password not shown, no database
/// touched (the libraries refuse before connecting).
#[test]
fn a_bad_connection_option_exits_2_naming_the_option() {
    let mut cases = Vec::new();
    if cfg!(feature = "postgres") {
        cases.push((
            "postgres://app:s3cret@127.0.0.1:5432/app?sslmode=bogus",
            "invalid connection option `sslmode` in the database URL \
             `postgres://app:***@127.0.0.1:5432/app?sslmode=bogus`: invalid sslmode value: \"bogus\"",
            "sslmode",
        ));
    }
    if cfg!(feature = "mysql") {
        cases.push((
            "mysql://root:s3cret@127.0.0.1:3306/test?ssl_mode=bogus",
            "invalid connection option `ssl_mode` in the database URL \
             `mysql://root:***@127.0.0.1:3306/test?ssl_mode=bogus`: unknown ssl_mode; use one of",
            "ssl_mode",
        ));
        // diesel reads option names as written: `SSL_MODE` would be ignored.
        cases.push((
            "mysql://root:s3cret@127.0.0.1:3306/test?SSL_MODE=required",
            "invalid connection option `SSL_MODE` in the database URL \
             `mysql://root:***@127.0.0.1:3306/test?SSL_MODE=required`: the MySQL client does \
             not know this option",
            "SSL_MODE",
        ));
        // MariaDB Connector/C cannot be asked to check the server's host name: refused
        // before connecting rather than connecting without TLS.
        #[cfg(feature = "mysql")]
        if !migrate_runtime::__private::MYSQL_CLIENT_HONOURS_SSL_MODE {
            cases.push((
                "mysql://root:s3cret@127.0.0.1:3306/test?ssl_mode=verify_identity&ssl_ca=ca.pem",
                "invalid connection option `ssl_mode` in the database URL \
                 `mysql://root:***@127.0.0.1:3306/test?ssl_mode=verify_identity&ssl_ca=ca.pem`: \
                 this build's MySQL client library is MariaDB Connector/C, which diesel cannot \
                 ask for `ssl_mode`: it never checks the server's certificate against its host \
                 name",
                "ssl_mode",
            ));
        }
    }
    if cases.is_empty() {
        println!("skipped: neither the postgres nor the mysql feature is enabled");
    }
    let dir = tempfile::tempdir().unwrap();
    for (url, message, option) in cases {
        for command in [&["current"][..], &["upgrade"], &["check"]] {
            let out = Command::new(env!("CARGO_BIN_EXE_migrate"))
                .current_dir(dir.path())
                .env_remove("DATABASE_URL")
                .args(["--database-url", url])
                .args(command)
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{command:?}: {err}");
            assert!(err.contains(&format!("error: {message}")), "{err}");
            // Leaving out a TLS mode is no fix for one that was refused: the hint does not
            // suggest it.
            let fix = if ["sslmode", "ssl_mode"].contains(&option.to_ascii_lowercase().as_str()) {
                format!(
                    "hint: fix the URL's `{option}` option as the error says (without it, \
                     nothing makes sure that the connection is encrypted); the URL is taken \
                     from --database-url"
                )
            } else {
                format!(
                    "hint: fix or remove the URL's `{option}` option; the URL is taken from \
                     --database-url"
                )
            };
            assert!(err.contains(&fix), "{err}");
            assert!(!err.contains("s3cret"), "{err}");
        }
    }
}

/// With MariaDB Connector/C, `ssl_mode=required&ssl_ca=...` reaching a server without TLS
/// (the one of `MIGRATE_TEST_MYSQL_URL`) fails with exit code 1 and a hint about the
/// server, whose TLS is what is missing, not about the URL.
#[cfg(feature = "mysql")]
#[test]
fn a_mysql_server_that_does_not_encrypt_a_required_connection_is_named_in_the_hint() {
    if migrate_runtime::__private::MYSQL_CLIENT_HONOURS_SSL_MODE {
        println!("skipped: this build's MySQL client library honours ssl_mode");
        return;
    }
    let Ok(base) = std::env::var("MIGRATE_TEST_MYSQL_URL") else {
        println!("skipped: MIGRATE_TEST_MYSQL_URL is not set");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, "").unwrap();
    let mut url = url::Url::parse(&base).unwrap();
    url.query_pairs_mut()
        .clear()
        .append_pair("ssl_mode", "required")
        .append_pair("ssl_ca", &ca.display().to_string());
    let out = Command::new(env!("CARGO_BIN_EXE_migrate"))
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .args(["--database-url", url.as_str(), "current"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    if err.contains("TLS/SSL error") {
        println!("skipped: the server of MIGRATE_TEST_MYSQL_URL has TLS: {err}");
        return;
    }
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("did not encrypt the connection"), "{err}");
    assert!(
        err.contains(
            "hint: enable TLS on the database server, or point the URL at one that has it; \
             the URL is taken from --database-url"
        ),
        "{err}"
    );
}
