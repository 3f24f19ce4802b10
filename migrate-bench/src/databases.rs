//! The backends as the suite drives them: a fresh database per measured sequence, and the
//! database's own command-line client for the floors.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use diesel::connection::SimpleConnection;
use diesel::{Connection, MysqlConnection, PgConnection, RunQueryDsl};

use crate::BoxError;

/// A backend under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// SQLite files, driven by `sqlite3`.
    Sqlite,
    /// PostgreSQL, driven by `psql`.
    Postgres,
    /// The same PostgreSQL server, measured with children that link libpq statically
    /// (migrate-runtime's `postgres-bundled` feature); floors still from `psql`.
    PostgresBundled,
    /// MariaDB (or MySQL), driven by `mariadb`.
    Mysql,
}

impl Kind {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Sqlite => "sqlite",
            Kind::Postgres => "postgres",
            Kind::PostgresBundled => "postgres-bundled",
            Kind::Mysql => "mysql",
        }
    }

    /// The name used in the report.
    pub fn title(self) -> &'static str {
        match self {
            Kind::Sqlite => "SQLite",
            Kind::Postgres => "PostgreSQL",
            Kind::PostgresBundled => "PostgreSQL, bundled libpq",
            Kind::Mysql => "MariaDB",
        }
    }

    /// The backend called `name` (`mariadb` is accepted for `mysql`).
    pub fn parse(name: &str) -> Option<Kind> {
        match name {
            "sqlite" => Some(Kind::Sqlite),
            "postgres" | "postgresql" => Some(Kind::Postgres),
            "postgres-bundled" => Some(Kind::PostgresBundled),
            "mysql" | "mariadb" => Some(Kind::Mysql),
            _ => None,
        }
    }

    /// The client whose runs are the floors.
    pub fn cli(self) -> &'static str {
        match self {
            Kind::Sqlite => "sqlite3",
            Kind::Postgres | Kind::PostgresBundled => "psql",
            Kind::Mysql => "mariadb",
        }
    }
}

/// The administrative side of a backend: where fresh databases come from.
pub enum Server {
    /// SQLite: files in a scratch folder.
    Sqlite {
        /// The folder holding the files.
        dir: PathBuf,
    },
    /// PostgreSQL: `CREATE DATABASE` through an administrative connection.
    Postgres {
        /// [`Kind::Postgres`] or [`Kind::PostgresBundled`]: which children measure it.
        kind: Kind,
        /// The URL the administrative connection uses; databases are created beside it.
        admin_url: url::Url,
        /// The administrative connection.
        conn: Box<PgConnection>,
    },
    /// MariaDB: `CREATE DATABASE` through an administrative connection.
    Mysql {
        /// The URL the administrative connection uses.
        admin_url: url::Url,
        /// The administrative connection.
        conn: Box<MysqlConnection>,
    },
}

#[derive(diesel::QueryableByName)]
struct VersionRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    v: String,
}

impl Server {
    /// Connects to the server of `kind` (`url` is ignored for SQLite, whose files go to
    /// `scratch`).
    pub fn connect(kind: Kind, url: &str, scratch: &Path) -> Result<Server, BoxError> {
        Ok(match kind {
            Kind::Sqlite => {
                let dir = scratch.join("sqlite");
                std::fs::create_dir_all(&dir)?;
                Server::Sqlite { dir }
            }
            Kind::Postgres | Kind::PostgresBundled => Server::Postgres {
                kind,
                admin_url: url::Url::parse(url)?,
                conn: Box::new(PgConnection::establish(url)?),
            },
            Kind::Mysql => Server::Mysql {
                admin_url: url::Url::parse(url)?,
                conn: Box::new(MysqlConnection::establish(url)?),
            },
        })
    }

    /// The backend.
    pub fn kind(&self) -> Kind {
        match self {
            Server::Sqlite { .. } => Kind::Sqlite,
            Server::Postgres { kind, .. } => *kind,
            Server::Mysql { .. } => Kind::Mysql,
        }
    }

    /// The server's version string.
    pub fn version(&mut self) -> Result<String, BoxError> {
        let sql = match self {
            Server::Sqlite { .. } => return cli_version("sqlite3"),
            Server::Postgres { .. } => "SELECT version() AS v",
            Server::Mysql { .. } => "SELECT version() AS v",
        };
        let row: VersionRow = match self {
            Server::Postgres { conn, .. } => diesel::sql_query(sql).get_result(conn.as_mut())?,
            Server::Mysql { conn, .. } => diesel::sql_query(sql).get_result(conn.as_mut())?,
            Server::Sqlite { .. } => unreachable!("returned above"),
        };
        Ok(row.v)
    }

    /// Creates an empty database called `name` (dropping any leftover) and returns its URL.
    pub fn create(&mut self, name: &str) -> Result<String, BoxError> {
        self.drop(name)?;
        match self {
            Server::Sqlite { dir } => Ok(dir
                .join(format!("{name}.sqlite3"))
                .to_string_lossy()
                .into_owned()),
            Server::Postgres {
                admin_url, conn, ..
            } => {
                conn.batch_execute(&format!("CREATE DATABASE \"{name}\""))?;
                Ok(beside(admin_url, name))
            }
            Server::Mysql { admin_url, conn } => {
                conn.batch_execute(&format!("CREATE DATABASE `{name}`"))?;
                Ok(beside(admin_url, name))
            }
        }
    }

    /// Drops the database called `name`, if there is one.
    pub fn drop(&mut self, name: &str) -> Result<(), BoxError> {
        match self {
            Server::Sqlite { dir } => {
                for suffix in ["", "-journal", "-wal", "-shm"] {
                    let path = dir.join(format!("{name}.sqlite3{suffix}"));
                    if path.exists() {
                        std::fs::remove_file(path)?;
                    }
                }
            }
            Server::Postgres { conn, .. } => {
                conn.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))?
            }
            Server::Mysql { conn, .. } => {
                conn.batch_execute(&format!("DROP DATABASE IF EXISTS `{name}`"))?
            }
        }
        Ok(())
    }

    /// The client running the SQL script at `script` against the database at `url`.
    pub fn cli_script(&self, url: &str, script: &Path) -> Result<Command, BoxError> {
        let mut cmd = Command::new(self.kind().cli());
        match self {
            Server::Sqlite { .. } => {
                cmd.arg("-bail").arg(url).stdin(File::open(script)?);
            }
            Server::Postgres { .. } => {
                cmd.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f"])
                    .arg(script);
            }
            Server::Mysql { .. } => {
                mysql_args(&mut cmd, url)?;
                cmd.stdin(File::open(script)?);
            }
        }
        Ok(cmd)
    }

    /// The client opening one connection to `url` and running the one query `sql`.
    pub fn cli_query(&self, url: &str, sql: &str) -> Result<Command, BoxError> {
        let mut cmd = Command::new(self.kind().cli());
        match self {
            Server::Sqlite { .. } => {
                cmd.args(["-bail", url, sql]);
            }
            Server::Postgres { .. } => {
                cmd.args([
                    "-X",
                    "-q",
                    "-A",
                    "-t",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-d",
                    url,
                    "-c",
                    sql,
                ]);
            }
            Server::Mysql { .. } => {
                mysql_args(&mut cmd, url)?;
                cmd.args(["-e", sql]);
            }
        }
        cmd.stdin(Stdio::null());
        Ok(cmd)
    }
}

/// The URL of database `name` on the server of `admin`.
fn beside(admin: &url::Url, name: &str) -> String {
    let mut url = admin.clone();
    url.set_path(&format!("/{name}"));
    url.to_string()
}

/// `mariadb` arguments reaching the database of a `mysql://` URL over TCP.
fn mysql_args(cmd: &mut Command, url: &str) -> Result<(), BoxError> {
    let url = url::Url::parse(url)?;
    cmd.arg("--protocol=TCP")
        .arg(format!("--host={}", url.host_str().unwrap_or("127.0.0.1")))
        .arg(format!("--port={}", url.port().unwrap_or(3306)))
        .arg(format!("--user={}", url.username()));
    if let Some(password) = url.password() {
        cmd.arg(format!("--password={password}"));
    }
    cmd.arg(url.path().trim_start_matches('/'));
    Ok(())
}

/// The first line of `<tool> --version`.
pub fn cli_version(tool: &str) -> Result<String, BoxError> {
    let out = Command::new(tool).arg("--version").output()?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned())
}
