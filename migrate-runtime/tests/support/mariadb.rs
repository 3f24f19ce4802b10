//! A MariaDB server of a test's own, for what the shared test server cannot show (its own
//! TLS certificates, `lower_case_table_names`): a data directory installed in a temporary
//! directory and `mariadbd` on a Unix socket there, without grant tables.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use migrate_runtime::{AnyConnection, DatabaseUrl};

/// The running server; killed when dropped.
pub struct OwnServer {
    dir: tempfile::TempDir,
    server: Child,
}

impl OwnServer {
    /// Installs a data directory in `dir` (which may hold the test's files already, such as
    /// certificates) and starts `mariadbd` there with `args` besides its own (data directory,
    /// socket, pid file and error log in `dir`, `--skip-grant-tables`), returning once it
    /// answers on its socket. Says why and returns `None` when the MariaDB server's programs
    /// are not installed (the test server may be another machine's).
    pub fn start(dir: tempfile::TempDir, args: &[String]) -> Option<Self> {
        let data = dir.path().join("data");
        let user = String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout)
            .unwrap()
            .trim()
            .to_owned();
        let install = Command::new("mariadb-install-db")
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .args(["--skip-test-db", "--auth-root-authentication-method=normal"])
            .arg(format!("--user={user}"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output();
        let install = match install {
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                println!("skipped: mariadb-install-db is not installed here");
                return None;
            }
            other => other.unwrap(),
        };
        assert!(
            install.status.success(),
            "mariadb-install-db failed: {}",
            String::from_utf8_lossy(&install.stderr)
        );
        let binary = [
            "/usr/sbin/mariadbd",
            "/usr/bin/mariadbd",
            "/usr/local/bin/mariadbd",
        ]
        .into_iter()
        .find(|path| Path::new(path).exists())
        .unwrap_or("mariadbd");
        let file = |name: &str| dir.path().join(name).display().to_string();
        let server = Command::new(binary)
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--socket={}", file("sock")))
            .arg(format!("--pid-file={}", file("pid")))
            .arg(format!("--log-error={}", file("error.log")))
            .arg("--skip-grant-tables")
            .args(args)
            .arg(format!("--user={user}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut this = Self { dir, server };
        let log_file = this.path("error.log");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while AnyConnection::open(&this.socket_url("mysql")).is_err() {
            let log = || std::fs::read_to_string(&log_file).unwrap_or_default();
            assert!(
                this.server.try_wait().unwrap().is_none(),
                "mariadbd ended: {}",
                log()
            );
            assert!(
                std::time::Instant::now() < deadline,
                "mariadbd did not start: {}",
                log()
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Some(this)
    }

    /// The file `name` in the server's directory (`sock`, `error.log`, the test's own).
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A URL of `database` over the server's Unix socket, as `root` without TLS.
    pub fn socket_url(&self, database: &str) -> DatabaseUrl {
        DatabaseUrl::parse(&format!(
            "mysql://root@localhost/{database}?unix_socket={}",
            self.path("sock").display()
        ))
        .unwrap()
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}
