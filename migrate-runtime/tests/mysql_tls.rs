//! A MySQL URL that asks for TLS gets an encrypted connection or an error, never a
//! connection without TLS, whichever client library the build links: diesel cannot hand
//! `ssl_mode` to MariaDB Connector/C, which would ignore it. On the server named by
//! `MIGRATE_TEST_MYSQL_URL` (without TLS; skipped without it) and on a MariaDB server of
//! the test's own with TLS (skipped where `mariadbd` or `openssl` is not installed).

#![cfg(feature = "mysql")]

mod support;

use std::path::PathBuf;
use std::process::{Command, Stdio};

use diesel::RunQueryDsl;
use diesel::connection::SimpleConnection;
use migrate_runtime::__private::MYSQL_CLIENT_HONOURS_SSL_MODE;
use migrate_runtime::{AnyConnection, DatabaseUrl, Error, MigrationSet, Migrator};
use support::mariadb::OwnServer;
use support::{MYSQL_VAR, count_query, counter_root, ids, table_exists, table_migration};

#[derive(diesel::QueryableByName)]
struct Status {
    #[diesel(sql_type = diesel::sql_types::Text)]
    #[diesel(column_name = Value)]
    value: String,
}

/// The cipher of `conn`'s TLS session as the server reports it, empty without TLS.
fn cipher(conn: &mut AnyConnection) -> String {
    let rows: Vec<Status> = diesel::sql_query("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
        .load(conn)
        .unwrap();
    rows.into_iter().next().unwrap().value
}

/// `AnyConnection::open(url)`'s error, after checking that it does not show the password
/// `s3cret`.
fn open_error(url: &str) -> Error {
    let url = DatabaseUrl::parse(url).unwrap();
    let err = match AnyConnection::open(&url) {
        Ok(mut conn) => panic!(
            "{url} connected, with the TLS cipher {:?}",
            cipher(&mut conn)
        ),
        Err(err) => err,
    };
    assert!(!err.to_string().contains("s3cret"), "{err}");
    err
}

/// Checks that `err` refuses `ssl_mode` as bad input, saying why and what else to write.
fn assert_refused_ssl_mode(err: &Error, says: &str) {
    assert!(
        matches!(err, Error::InvalidConnectionOption { option, .. } if option == "ssl_mode"),
        "{err:?}"
    );
    assert!(err.is_input_error());
    let text = err.to_string();
    assert!(text.contains("MariaDB Connector/C"), "{text}");
    assert!(text.contains(says), "{text}");
}

/// The test server has no TLS (`have_ssl` is `DISABLED`): every URL that asks for TLS
/// fails to connect. With MariaDB Connector/C, diesel's `ssl_mode` would reach nothing
/// and each of these connected unencrypted.
#[test]
fn a_url_requiring_tls_does_not_connect_to_a_server_without_it() {
    let Some(base) = std::env::var_os(MYSQL_VAR) else {
        println!("skipped: {MYSQL_VAR} is not set");
        return;
    };
    let base = base.into_string().unwrap();
    let base = DatabaseUrl::parse(&base).unwrap();
    let mut admin = AnyConnection::open(&base).unwrap();
    if !cipher(&mut admin).is_empty()
        || count_query(
            &mut admin,
            "SELECT COUNT(*) AS n FROM information_schema.GLOBAL_VARIABLES \
             WHERE VARIABLE_NAME = 'HAVE_SSL' AND VARIABLE_VALUE = 'YES'",
        ) != 0
    {
        println!("skipped: the server of {MYSQL_VAR} has TLS");
        return;
    }
    // The server's host, port and user, with TLS options of each test.
    let mut url = url::Url::parse(base.as_str()).unwrap();
    url.set_query(None);
    let with = |query: &str| format!("{url}?{query}");
    let tls_ca = tempfile::NamedTempFile::new().unwrap();
    let ca = tls_ca.path().display();
    for query in [
        "ssl_mode=required".to_owned(),
        "ssl_mode=REQUIRED&ssl_mode=required".to_owned(),
        format!("ssl_mode=verify_ca&ssl_ca={ca}"),
        format!("ssl_mode=verify_identity&ssl_ca={ca}"),
    ] {
        let err = open_error(&with(&query));
        if MYSQL_CLIENT_HONOURS_SSL_MODE {
            assert!(matches!(err, Error::Connection(_)), "{query}: {err:?}");
        } else {
            assert_refused_ssl_mode(&err, "ssl_ca=PATH");
        }
    }
    // With a CA, Connector/C asks for TLS, but goes on without it when the server offers
    // none: migrate checks the session and closes it.
    let err = open_error(&with(&format!("ssl_mode=required&ssl_ca={ca}")));
    assert!(matches!(err, Error::Connection(_)), "{err:?}");
    assert!(!err.is_input_error());
    if !MYSQL_CLIENT_HONOURS_SSL_MODE {
        let text = err.to_string();
        assert!(
            text.contains("did not encrypt the connection, which `ssl_mode=required` asks for"),
            "{text}"
        );
        assert!(text.contains("enable TLS on the server"), "{text}");
    }
    // What asks for no TLS connects as before.
    let mut plain =
        AnyConnection::open(&DatabaseUrl::parse(&with("ssl_mode=disabled")).unwrap()).unwrap();
    assert_eq!(cipher(&mut plain), "");
}

/// A MariaDB server of the test's own with TLS on 127.0.0.1, its certificate (for
/// `localhost`) signed by a CA made for the test, and a second CA that signed nothing.
struct TlsServer {
    server: OwnServer,
    port: u16,
}

impl TlsServer {
    /// Starts it, or says why it cannot and returns `None` when the MariaDB server's
    /// programs or `openssl` are not installed.
    fn start() -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let openssl = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(dir.path())
                .stdin(Stdio::null())
                .output();
            match out {
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => false,
                other => {
                    let out = other.unwrap();
                    assert!(
                        out.status.success(),
                        "openssl {args:?}: {}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                    true
                }
            }
        };
        let ca = |name: &str| {
            openssl(&[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                &format!("/CN=migrate test {name}"),
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.pem"),
            ])
        };
        if !ca("ca") {
            println!("skipped: openssl is not installed here");
            return None;
        }
        ca("other-ca");
        openssl(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ]);
        openssl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-out",
            "server.pem",
        ]);

        // A port free a moment ago; another process taking it in between fails the start.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let file = |name: &str| dir.path().join(name).display().to_string();
        let args = [
            "--bind-address=127.0.0.1".to_owned(),
            format!("--port={port}"),
            format!("--ssl-ca={}", file("ca.pem")),
            format!("--ssl-cert={}", file("server.pem")),
            format!("--ssl-key={}", file("server.key")),
        ];
        let server = OwnServer::start(dir, &args)?;
        Some(Self { server, port })
    }

    /// The file `name` in the server's directory (`ca.pem`, `other-ca.pem`, ...).
    fn path(&self, name: &str) -> PathBuf {
        self.server.path(name)
    }

    /// A URL of database `mysql` over the server's Unix socket, without TLS.
    fn admin_url(&self) -> DatabaseUrl {
        self.server.socket_url("mysql")
    }

    /// A URL of `database` over TCP, with `query` (and a password the server, run
    /// without grant tables, does not check).
    fn url(&self, database: &str, query: &str) -> String {
        format!(
            "mysql://root:s3cret@127.0.0.1:{}/{database}?{query}",
            self.port
        )
    }
}

/// The connections the server has accepted since it started, attempts that failed
/// included.
fn connections(admin: &mut AnyConnection) -> i64 {
    count_query(
        admin,
        "SELECT CAST(VARIABLE_VALUE AS SIGNED) AS n FROM information_schema.GLOBAL_STATUS \
         WHERE VARIABLE_NAME = 'CONNECTIONS'",
    )
}

/// With MariaDB Connector/C, `ssl_mode=required` with `ssl_ca` (or a client certificate)
/// gets TLS, the certificate checked against the CA, and migrations run over it; the modes
/// it cannot honour are refused before the server sees a connection.
#[test]
fn a_url_requiring_tls_gets_an_encrypted_connection_or_is_refused_before_connecting() {
    let Some(server) = TlsServer::start() else {
        return;
    };
    let mut admin = AnyConnection::open(&server.admin_url()).unwrap();
    admin.batch_execute("CREATE DATABASE app").unwrap();
    let ca = server.path("ca.pem").display().to_string();

    let required = server.url("app", &format!("ssl_mode=required&ssl_ca={ca}"));
    let mut conn = AnyConnection::open(&DatabaseUrl::parse(&required).unwrap()).unwrap();
    assert_ne!(cipher(&mut conn), "", "{required}");
    let migrator = Migrator::new(
        MigrationSet::new(vec![counter_root("a"), table_migration("b", &["a"])]).unwrap(),
    );
    let report = migrator.upgrade(&mut conn, "head").unwrap();
    assert_eq!(report.steps.len(), 2);
    assert_eq!(ids(&migrator.current(&mut conn).unwrap()), ["b"]);
    assert!(table_exists(&mut conn, "t_b"));
    // The connection is still the encrypted one the run was given.
    assert_ne!(cipher(&mut conn), "");

    if MYSQL_CLIENT_HONOURS_SSL_MODE {
        println!("skipped the rest: this build's MySQL client library honours every ssl_mode");
        return;
    }
    // A client certificate turns TLS on as well, without a CA to check the server's.
    let cert = format!(
        "ssl_mode=required&ssl_cert={}&ssl_key={}",
        server.path("server.pem").display(),
        server.path("server.key").display()
    );
    let mut conn =
        AnyConnection::open(&DatabaseUrl::parse(&server.url("app", &cert)).unwrap()).unwrap();
    assert_ne!(cipher(&mut conn), "");
    // `preferred` with a CA uses the TLS the server offers.
    let preferred = server.url("app", &format!("ssl_mode=preferred&ssl_ca={ca}"));
    let mut conn = AnyConnection::open(&DatabaseUrl::parse(&preferred).unwrap()).unwrap();
    assert_ne!(cipher(&mut conn), "");
    // The options besides `ssl_mode` still reach the connection: here the Unix socket.
    let socket = format!(
        "mysql://root@localhost/app?ssl_mode=disabled&unix_socket={}",
        server.path("sock").display()
    );
    let mut conn = AnyConnection::open(&DatabaseUrl::parse(&socket).unwrap()).unwrap();
    assert_eq!(cipher(&mut conn), "");
    assert_eq!(
        count_query(&mut conn, "SELECT CAST(@@port AS SIGNED) AS n"),
        i64::from(server.port)
    );
    // Given a CA, Connector/C checks the server's certificate against it.
    let other = server.path("other-ca.pem").display().to_string();
    let err = open_error(&server.url("app", &format!("ssl_mode=required&ssl_ca={other}")));
    assert!(matches!(err, Error::Connection(_)), "{err:?}");
    assert!(err.to_string().contains("certificate"), "{err}");

    let before = connections(&mut admin);
    for (query, says) in [
        ("ssl_mode=required".to_owned(), "would connect unencrypted"),
        ("ssl_mode=preferred".to_owned(), "would never use TLS"),
        (
            format!("ssl_mode=verify_ca&ssl_ca={ca}"),
            "cannot be told to refuse a server",
        ),
        (format!("ssl_mode=verify_identity&ssl_ca={ca}"), "host name"),
        (
            format!("ssl_mode=disabled&ssl_ca={ca}"),
            "drop those options",
        ),
    ] {
        assert_refused_ssl_mode(&open_error(&server.url("app", &query)), says);
    }
    // Connector/C takes an empty path for a file to use TLS with: `disabled` would try TLS
    // and fail on a file named "", and `preferred` would not be "without TLS" as the
    // refusal above says.
    for query in [
        "ssl_mode=disabled&ssl_ca=",
        "ssl_ca=",
        "ssl_mode=preferred&ssl_cert=&ssl_key=",
        "ssl_mode=required&ssl_ca=&ssl_ca=",
    ] {
        let err = open_error(&server.url("app", query));
        assert!(
            matches!(&err, Error::InvalidConnectionOption { option, .. }
                if option == "ssl_ca" || option == "ssl_cert"),
            "{query}: {err:?}"
        );
        assert!(err.is_input_error());
        assert!(err.to_string().contains("an empty path"), "{err}");
    }
    assert_eq!(
        connections(&mut admin),
        before,
        "a refused URL reached the server"
    );
}
