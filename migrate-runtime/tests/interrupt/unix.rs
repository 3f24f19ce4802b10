//! The interrupt scenarios (Unix only).
//!
//! The process is this test binary itself, started again with [`CHILD_VAR`] set: it then
//! runs the `migrate` CLI on a small set of migrations, one of which prints a marker line
//! and waits for a line on its stdin. The test reads the marker, so it knows where the
//! child is, and then signals it, or lets it go on. No step waits for a length of time.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, ExitCode, ExitStatus, Stdio};
use std::sync::{Condvar, Mutex, mpsc};
use std::time::Duration;

use clap::Parser;
use migrate_runtime::cli::{Cli, CliOptions};
use migrate_runtime::{
    AnyConnection, Backend, Direction, Error, HistoryStatus, Migration, MigrationContext,
    MigrationFn, MigrationSet, Migrator,
};

use crate::support::{self, TestDb, each_backend, id, ids, table_exists, table_migration};

/// Set in the child: what it runs and which of its migrations pauses (see [`child`]).
const CHILD_VAR: &str = "MIGRATE_INTERRUPT_TEST_CHILD";
/// Set in a [`two_runs_child`]: the database URL of its second run.
const SECOND_URL_VAR: &str = "MIGRATE_INTERRUPT_TEST_SECOND_URL";
/// What an [`application_child`] prints once it has migrated and serves.
const SERVING: &str = "migrated; serving until SIGTERM";
/// What an [`application_child`] prints when its own handling of SIGTERM shuts it down.
const SHUTDOWN: &str = "graceful shutdown";
/// What a [`two_runs_child`] prints when its second run has ended.
const SECOND_RUN_ENDED: &str = "the second run ended with";
/// What a [`counting_child`] prints before each statement its connections send.
const STATEMENT: &str = "statement sent: ";
/// The line a paused migration prints before it waits.
const PAUSED: &str = "paused in";
/// A safety net for a child that never prints what the test waits for: the test fails
/// instead of hanging. Nothing is timed by it.
const STUCK: Duration = Duration::from_secs(120);

/// Where the child's migrations pause, and whether `b` is transactional.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pause {
    /// Nowhere: the child runs straight through.
    Nowhere,
    /// In the upgrade of the root `a`, after its DDL: the first run of a fresh database.
    RootUp,
    /// In the upgrade of `b`, after its DDL.
    Up,
    /// In the downgrade of `b`, after its DDL.
    Down,
    /// In the upgrade of `b`, after its DDL, on the server: in a statement waiting for a
    /// lock that the test holds ([`hold_server_lock`]).
    OnServer,
}

impl Pause {
    fn as_str(self) -> &'static str {
        match self {
            Pause::Nowhere => "nowhere",
            Pause::RootUp => "root-up",
            Pause::Up => "up",
            Pause::Down => "down",
            Pause::OnServer => "on-server",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "root-up" => Pause::RootUp,
            "up" => Pause::Up,
            "down" => Pause::Down,
            "on-server" => Pause::OnServer,
            _ => Pause::Nowhere,
        }
    }
}

/// Whether a migration of this process has paused ([`pause_here`]), for a
/// [`two_runs_child`] to wait for.
static PAUSED_ONCE: Mutex<bool> = Mutex::new(false);
static PAUSED_ONCE_CHANGED: Condvar = Condvar::new();

/// Prints the marker for `point` and waits for a line on stdin (or for the end of the
/// process).
fn pause_here(point: &str) {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{PAUSED} {point}").unwrap();
    out.flush().unwrap();
    drop(out);
    *PAUSED_ONCE.lock().unwrap() = true;
    PAUSED_ONCE_CHANGED.notify_all();
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).unwrap();
}

/// `a` (the counter table) -> `b` (table `t_b`) -> `c` (table `t_c`), with `b`
/// transactional or not, pausing where `pause` says. The same ids and checksums whatever
/// the pause, so the test's own runs continue the child's.
fn set(pause: Pause, b_transactional: bool) -> MigrationSet {
    let root_pauses = pause == Pause::RootUp;
    let a = Migration::new(
        id("a"),
        MigrationFn::new(move |ctx: &mut MigrationContext<'_>| {
            ctx.execute("CREATE TABLE applied (revision VARCHAR(64) NOT NULL)")?;
            if root_pauses {
                pause_here("a upgrade");
            }
            Ok(())
        }),
    )
    .with_message("create the counter table")
    .with_checksum("sum_a")
    .with_downgrade(MigrationFn::new(|ctx: &mut MigrationContext<'_>| {
        ctx.execute("DROP TABLE applied")
    }));
    let b = Migration::new(
        id("b"),
        MigrationFn::new(move |ctx: &mut MigrationContext<'_>| {
            ctx.execute("CREATE TABLE t_b (id INTEGER PRIMARY KEY)")?;
            if pause == Pause::Up {
                pause_here("b upgrade");
            }
            if pause == Pause::OnServer {
                println!("{PAUSED} b on the server");
                ctx.execute(&server_wait(ctx.backend()))?;
            }
            Ok(())
        }),
    )
    .with_revises([id("a")])
    .with_message("create t_b")
    .with_checksum("sum_b")
    .with_transactional(b_transactional)
    .with_downgrade(MigrationFn::new(move |ctx: &mut MigrationContext<'_>| {
        ctx.execute("DROP TABLE t_b")?;
        if pause == Pause::Down {
            pause_here("b downgrade");
        }
        Ok(())
    }));
    MigrationSet::new(vec![a, b, table_migration("c", &["b"])]).unwrap()
}

/// A statement that waits for the row lock [`hold_server_lock`] takes. A row lock, because
/// MySQL checks every few seconds whether the client of a `SLEEP` or a `GET_LOCK` is still
/// there, but not that of a statement waiting for a row: like a long `ALTER TABLE`, that one
/// goes on without its client.
fn server_wait(_backend: Backend) -> String {
    "UPDATE held SET x = 1 WHERE id = 1".into()
}

/// Creates table `held` and locks its row, on `conn`, until [`release_server_lock`].
/// Applies `a`, holds the row lock `b` waits for on the server (see [`hold_server_lock`]),
/// and starts `upgrade head`, returning once the server shows its statement waiting: the
/// runner, the connection holding the lock, and one to watch the server with.
fn blocked_on_server(db: &TestDb) -> (Runner, AnyConnection, AnyConnection) {
    migrator(true).upgrade(&mut db.connect(), "a").unwrap();
    let mut test_lock = db.connect();
    hold_server_lock(&mut test_lock);
    let mut runner = Runner::start(db, Pause::OnServer, true, &["upgrade", "head"]);
    runner.wait_for(Pipe::Stdout, "paused in b on the server");
    let mut watch = db.connect();
    let deadline = std::time::Instant::now() + STUCK;
    while !server_is_waiting(&mut watch) {
        assert!(
            std::time::Instant::now() < deadline,
            "the statement never started"
        );
        std::thread::yield_now();
    }
    (runner, test_lock, watch)
}

fn hold_server_lock(conn: &mut AnyConnection) {
    for sql in [
        "CREATE TABLE held (id INTEGER PRIMARY KEY, x INTEGER)",
        "INSERT INTO held (id, x) VALUES (1, 0)",
        "BEGIN",
        "UPDATE held SET x = 2 WHERE id = 1",
    ] {
        diesel::connection::SimpleConnection::batch_execute(conn, sql).unwrap();
    }
}

fn release_server_lock(conn: &mut AnyConnection) {
    diesel::connection::SimpleConnection::batch_execute(conn, "ROLLBACK").unwrap();
}

/// Whether a session of this database is waiting in [`server_wait`]'s statement.
fn server_is_waiting(conn: &mut AnyConnection) -> bool {
    let sql = match conn.backend() {
        Backend::Postgres => {
            "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() \
             AND wait_event_type = 'Lock' AND query LIKE 'UPDATE held SET x = 1%'"
        }
        _ => {
            "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST \
             WHERE DB = DATABASE() AND INFO LIKE 'UPDATE held SET x = 1%'"
        }
    };
    support::count_query(conn, sql) == 1
}

/// The child: `MODE:PAUSE,TRANSACTIONAL` in [`CHILD_VAR`]; the modes are `cli`
/// ([`cli_child`]), `app` ([`application_child`]) and `two-runs` ([`two_runs_child`]).
fn child(spec: &str) -> ExitCode {
    let (mode, rest) = spec.split_once(':').unwrap();
    let (pause, transactional) = rest.split_once(',').unwrap();
    let migrations = set(Pause::parse(pause), transactional == "transactional");
    match mode {
        "cli" => cli_child(migrations),
        "app" => application_child(migrations),
        "two-runs" => two_runs_child(migrations),
        "counting" => counting_child(migrations),
        other => panic!("unknown child mode `{other}`"),
    }
}

/// The arguments the child was given after `--`, parsed as the CLI's.
fn cli_args() -> Cli {
    let args = std::env::args().skip_while(|arg| arg != "--").skip(1);
    Cli::try_parse_from(std::iter::once("migrate".into()).chain(args)).unwrap()
}

/// [`cli_child`], printing on stderr every statement its connections send (as diesel's
/// instrumentation sees them, from the end of the connection's setup), one line each
/// after [`STATEMENT`].
fn counting_child(set: MigrationSet) -> ExitCode {
    use diesel::connection::{Instrumentation, InstrumentationEvent};
    fn print_statements() -> Option<Box<dyn Instrumentation>> {
        Some(Box::new(|event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::StartQuery { query, .. } = event {
                eprintln!("{STATEMENT}{}", query.to_string().replace('\n', " "));
            }
        }))
    }
    diesel::connection::set_default_instrumentation(print_statements).unwrap();
    cli_child(set)
}

/// The CLI owning the process, as `cli::main` runs it: signals handled.
fn cli_child(set: MigrationSet) -> ExitCode {
    cli_args().run_with(set, CliOptions::new().handle_signals(true))
}

/// An application that migrates with `Cli::run_with` and its default options, then serves
/// until SIGTERM, which its own signal handling turns into a graceful shutdown (as tokio's
/// or ctrlc's would).
fn application_child(set: MigrationSet) -> ExitCode {
    let code = cli_args().run_with(set, CliOptions::new());
    if code != ExitCode::SUCCESS {
        return code;
    }
    let mut signals = signal_hook::iterator::Signals::new([signal_hook::consts::SIGTERM]).unwrap();
    println!("{SERVING}");
    let received = signals.forever().next();
    println!("{SHUTDOWN} on signal {received:?}");
    ExitCode::SUCCESS
}

/// Two runs in one process, both handling signals: the first (the arguments, on the
/// test's database) pauses where its set says; once it has, a second run upgrades the
/// database in [`SECOND_URL_VAR`] to its end in another thread. Returns the first run's
/// exit code.
fn two_runs_child(migrations: MigrationSet) -> ExitCode {
    let first = std::thread::spawn(move || cli_child(migrations));
    let mut paused = PAUSED_ONCE.lock().unwrap();
    while !*paused {
        paused = PAUSED_ONCE_CHANGED.wait(paused).unwrap();
    }
    drop(paused);
    let url = std::env::var(SECOND_URL_VAR).unwrap();
    let second = Cli::try_parse_from(["migrate", "--database-url", &url, "upgrade", "head"])
        .unwrap()
        .run_with(
            set(Pause::Nowhere, true),
            CliOptions::new().handle_signals(true),
        );
    println!(
        "{SECOND_RUN_ENDED} success: {}",
        second == ExitCode::SUCCESS
    );
    first.join().unwrap()
}

/// Which pipe a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pipe {
    Stdout,
    Stderr,
}

/// A child process running the CLI, and its output read line by line.
struct Runner {
    /// The child's working directory (empty: no migrate.toml or .env applies).
    _dir: tempfile::TempDir,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<(Pipe, String)>,
    seen: Vec<(Pipe, String)>,
    /// Lines of one pipe received while [`Runner::wait_for`] waited on the other, in order.
    unmatched: Vec<(Pipe, String)>,
}

impl Runner {
    /// Starts `migrate <args>` on `db` with the migrations of [`set`], the CLI owning the
    /// process.
    fn start(db: &TestDb, pause: Pause, b_transactional: bool, args: &[&str]) -> Self {
        Self::start_as("cli", db, pause, b_transactional, args, &[])
    }

    /// Starts the child in `mode` (see [`child`]) with `args` on `db`, and `env`.
    fn start_as(
        mode: &str,
        db: &TestDb,
        pause: Pause,
        b_transactional: bool,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Self {
        let spec = format!(
            "{mode}:{},{}",
            pause.as_str(),
            if b_transactional {
                "transactional"
            } else {
                "non-transactional"
            }
        );
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env(CHILD_VAR, spec)
            .envs(env.iter().copied())
            .env_remove("DATABASE_URL")
            .current_dir(dir.path())
            .arg("--")
            .args(["--database-url", db.url()])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (send, lines) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        for (pipe, reader) in [
            (
                Pipe::Stdout,
                Box::new(stdout) as Box<dyn std::io::Read + Send>,
            ),
            (Pipe::Stderr, Box::new(stderr)),
        ] {
            let send = send.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(reader).lines() {
                    let Ok(line) = line else { break };
                    if send.send((pipe, line)).is_err() {
                        break;
                    }
                }
            });
        }
        Self {
            _dir: dir,
            stdin: child.stdin.take(),
            child,
            lines,
            seen: Vec::new(),
            unmatched: Vec::new(),
        }
    }

    /// Reads the child's output until a line of `pipe` contains `needle`. The two pipes are
    /// read apart, so a line of `pipe` may have arrived while an earlier wait was reading
    /// the other one: those lines are looked at first.
    fn wait_for(&mut self, pipe: Pipe, needle: &str) {
        let earlier = self
            .unmatched
            .iter()
            .position(|line| line.0 == pipe && line.1.contains(needle));
        // This pipe's lines up to the match (or all of them) are read now.
        let mut index = 0;
        self.unmatched.retain(|line| {
            let keep = line.0 != pipe || earlier.is_some_and(|at| index > at);
            index += 1;
            keep
        });
        if earlier.is_some() {
            return;
        }
        loop {
            match self.lines.recv_timeout(STUCK) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.0 != pipe {
                        self.unmatched.push(line);
                    } else if line.1.contains(needle) {
                        return;
                    }
                }
                Err(err) => {
                    // Dropped with the panic, the runner kills the child.
                    panic!(
                        "the child never printed `{needle}` ({err}); it printed:\n{}",
                        self.transcript()
                    );
                }
            }
        }
    }

    /// Lets a paused migration go on.
    fn resume(&mut self) {
        writeln!(self.stdin.as_mut().unwrap(), "go").unwrap();
    }

    /// Sends `signal` (`INT`, `TERM`) to the child.
    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success(), "kill -{signal} failed");
    }

    /// SIGKILL, and the child's end.
    fn kill(mut self) -> Ended {
        self.child.kill().unwrap();
        self.finish()
    }

    /// [`Runner::finish`], failing when the child has not ended within `limit`.
    fn finish_within(mut self, limit: Duration) -> Ended {
        let deadline = std::time::Instant::now() + limit;
        while self.child.try_wait().unwrap().is_none() {
            if std::time::Instant::now() >= deadline {
                // Dropped with the panic, the runner kills the child.
                while let Ok(line) = self.lines.try_recv() {
                    self.seen.push(line);
                }
                panic!(
                    "the child did not end within {limit:?}; it printed:\n{}",
                    self.transcript()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.finish()
    }

    /// Waits for the child to end; collects the rest of its output.
    fn finish(mut self) -> Ended {
        drop(self.stdin.take());
        let status = self.child.wait().unwrap();
        while let Ok(line) = self.lines.recv_timeout(STUCK) {
            self.seen.push(line);
        }
        Ended {
            status,
            transcript: self.transcript(),
        }
    }

    fn transcript(&self) -> String {
        self.seen
            .iter()
            .map(|(pipe, line)| format!("{pipe:?}: {line}\n"))
            .collect()
    }
}

/// A child left behind by a failed assertion would go on migrating (a paused migration
/// resumes when its stdin closes): it is killed.
impl Drop for Runner {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How a child ended.
struct Ended {
    status: ExitStatus,
    transcript: String,
}

impl Ended {
    fn signal(&self) -> Option<i32> {
        std::os::unix::process::ExitStatusExt::signal(&self.status)
    }
}

/// The migrator of the test's own runs: [`set`] without a pause.
fn migrator(b_transactional: bool) -> Migrator {
    Migrator::new(set(Pause::Nowhere, b_transactional))
}

/// Where the version table and the schema stand: the version rows, and which of the
/// three migrations' tables exist.
fn state(db: &TestDb) -> (Vec<String>, [bool; 3]) {
    let mut conn = db.connect();
    let current = migrator(true).current(&mut conn).unwrap();
    let tables = ["applied", "t_b", "t_c"].map(|t| table_exists(&mut conn, t));
    (
        ids(&current).iter().map(|s| s.to_string()).collect(),
        tables,
    )
}

/// The unresolved interrupted runs on record: (revision, direction, status).
fn interrupted(db: &TestDb) -> Vec<(String, Direction, HistoryStatus)> {
    let mut conn = db.connect();
    migrator(true)
        .check(&mut conn)
        .unwrap()
        .interrupted
        .into_iter()
        .map(|e| (e.revision, e.direction, e.status))
        .collect()
}

/// The next run after an interruption that left `revision`'s `direction` unfinished: it
/// refuses, saying what happened and how to go on.
fn assert_next_run_refuses(db: &TestDb, revision: &str, direction: Direction, target: &str) {
    let mut conn = db.connect();
    let run = |conn: &mut _| match direction {
        Direction::Up => migrator(true).upgrade(conn, target),
        Direction::Down => migrator(true).downgrade(conn, target),
    };
    let err = run(&mut conn).unwrap_err();
    assert!(matches!(err, Error::Interrupted { .. }), "{err:?}");
    let text = err.to_string();
    for part in [
        &format!("{direction} of `{revision}` started at "),
        "never finished",
        "stamp <revision>",
    ] {
        assert!(text.contains(part), "`{part}` missing from: {text}");
    }
}

fn each(name: &str, body: impl Fn(&TestDb)) {
    each_backend(|db| {
        eprintln!("  {name}: {}", db.describe());
        body(db);
    });
}

/// Killed inside a transactional migration, before its transaction commits.
fn kill_inside_a_transactional_upgrade() {
    each("kill inside a transactional upgrade", |db| {
        migrator(true).upgrade(&mut db.connect(), "a").unwrap();
        let mut runner = Runner::start(db, Pause::Up, true, &["upgrade", "head"]);
        runner.wait_for(Pipe::Stdout, "paused in b upgrade");
        let ended = runner.kill();
        assert_eq!(ended.signal(), Some(9), "{}", ended.transcript);
        if db.backend == Backend::Mysql {
            // MySQL committed `b`'s DDL implicitly; the `running` row says so.
            assert_eq!(state(db), (vec!["a".into()], [true, true, false]));
            assert_eq!(
                interrupted(db),
                [("b".into(), Direction::Up, HistoryStatus::Running)]
            );
            assert_next_run_refuses(db, "b", Direction::Up, "head");
            // `t_b` is all `b` does: it is applied.
            migrator(true).stamp(&mut db.connect(), "b").unwrap();
        } else {
            // Rolled back: nothing of `b`, no mark, and the lock is free.
            assert_eq!(state(db), (vec!["a".into()], [true, false, false]));
            assert_eq!(interrupted(db), []);
        }
        migrator(true).upgrade(&mut db.connect(), "head").unwrap();
        assert_eq!(state(db), (vec!["c".into()], [true, true, true]));
    });
}

/// Killed inside a `transactional = false` migration, between its DDL and the version
/// row.
fn kill_between_non_transactional_ddl_and_version_row() {
    each("kill between non-transactional DDL and version row", |db| {
        migrator(false).upgrade(&mut db.connect(), "a").unwrap();
        let mut runner = Runner::start(db, Pause::Up, false, &["upgrade", "head"]);
        runner.wait_for(Pipe::Stdout, "paused in b upgrade");
        runner.kill();
        assert_eq!(state(db), (vec!["a".into()], [true, true, false]));
        assert_eq!(
            interrupted(db),
            [("b".into(), Direction::Up, HistoryStatus::Running)]
        );
        // SQLite in WAL mode cannot tell a dead runner from one still inside the migration,
        // and waits for the row as long as for a lock: shortened here.
        let mut conn = db.connect();
        let waits = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = std::sync::Arc::clone(&waits);
        let err = migrator(false)
            .with_options(
                migrate_runtime::Options::default().with_lock_timeout(Duration::from_millis(200)),
            )
            .on_event(move |event| {
                if let migrate_runtime::Event::Waiting { lock, .. } = event {
                    seen.lock().unwrap().push(lock.to_string());
                }
            })
            .upgrade(&mut conn, "head")
            .unwrap_err();
        // It says that it waits, and for what.
        let waits = waits.lock().unwrap().clone();
        if db.wal {
            assert_eq!(waits.len(), 1, "{waits:?}");
            assert!(
                waits[0].contains("where the upgrade of `b` is marked running"),
                "{waits:?}"
            );
        } else {
            assert_eq!(waits, Vec::<String>::new());
        }
        assert!(
            err.to_string().contains("upgrade of `b` started at ")
                && err.to_string().contains("never finished"),
            "{err}"
        );
        migrator(false).stamp(&mut conn, "b").unwrap();
        migrator(false).upgrade(&mut conn, "head").unwrap();
        assert_eq!(state(db), (vec!["c".into()], [true, true, true]));
    });
}

/// Killed inside the first migration of a fresh database, just after the bookkeeping
/// tables were created.
fn kill_during_the_first_run() {
    each("kill during the first run", |db| {
        let mut runner = Runner::start(db, Pause::RootUp, true, &["upgrade", "head"]);
        runner.wait_for(Pipe::Stdout, "paused in a upgrade");
        runner.kill();
        let mut conn = db.connect();
        let bookkeeping =
            ["migrate_version", "migrate_history"].map(|t| table_exists(&mut conn, t));
        if db.backend == Backend::Mysql {
            assert_eq!(state(db), (vec![], [true, false, false]));
            assert_eq!(bookkeeping, [true, true]);
            assert_next_run_refuses(db, "a", Direction::Up, "head");
            migrator(true).stamp(&mut conn, "a").unwrap();
        } else {
            // Nothing at all: not even the bookkeeping tables.
            assert_eq!(state(db), (vec![], [false, false, false]));
            assert_eq!(
                bookkeeping,
                [false, false],
                "bookkeeping tables left behind"
            );
        }
        migrator(true).upgrade(&mut conn, "head").unwrap();
        assert_eq!(state(db), (vec!["c".into()], [true, true, true]));
    });
}

/// Killed inside a downgrade, after its DDL.
fn kill_inside_a_downgrade() {
    each("kill inside a downgrade", |db| {
        migrator(true).upgrade(&mut db.connect(), "head").unwrap();
        let mut runner = Runner::start(db, Pause::Down, true, &["downgrade", "a"]);
        runner.wait_for(Pipe::Stdout, "paused in b downgrade");
        runner.kill();
        if db.backend == Backend::Mysql {
            // `c` was reverted and recorded; `b`'s DROP committed implicitly.
            assert_eq!(state(db), (vec!["b".into()], [true, false, false]));
            assert_next_run_refuses(db, "b", Direction::Down, "a");
            migrator(true).stamp(&mut db.connect(), "a").unwrap();
        } else {
            // `c`'s downgrade committed; `b`'s rolled back.
            assert_eq!(state(db), (vec!["b".into()], [true, true, false]));
            assert_eq!(interrupted(db), []);
            migrator(true).downgrade(&mut db.connect(), "a").unwrap();
        }
        assert_eq!(state(db), (vec!["a".into()], [true, false, false]));
    });
}

/// A runner waiting for the lock while the one holding it is killed: the lock is freed,
/// and the waiting runner goes on (or, on MySQL, stops at the mark the dead one left).
fn a_waiting_runner_takes_over_from_a_killed_one() {
    each("a waiting runner takes over from a killed one", |db| {
        migrator(true).upgrade(&mut db.connect(), "a").unwrap();
        let mut holder = Runner::start(db, Pause::Up, true, &["upgrade", "head"]);
        holder.wait_for(Pipe::Stdout, "paused in b upgrade");
        let mut waiter = Runner::start(db, Pause::Nowhere, true, &["upgrade", "head"]);
        if db.backend != Backend::Sqlite {
            // SQLite waits inside its busy handler, silently.
            waiter.wait_for(Pipe::Stderr, "waiting for another migration run to release");
        }
        holder.kill();
        let ended = waiter.finish();
        if db.backend == Backend::Mysql {
            assert_eq!(ended.status.code(), Some(1), "{}", ended.transcript);
            for line in [
                "upgrade of `b` started at ",
                "note: if all of the upgrade of `b` is in the schema, `stamp b`; if none of it \
                 is, `stamp a`",
            ] {
                assert!(ended.transcript.contains(line), "{}", ended.transcript);
            }
        } else {
            assert!(ended.status.success(), "{}", ended.transcript);
            assert_eq!(state(db), (vec!["c".into()], [true, true, true]));
        }
    });
}

/// Ctrl-C inside a migration: it finishes and commits, the run stops before the next one,
/// says so, and exits with 130; the lock is free and the next run goes on.
fn sigint_stops_after_the_current_migration() {
    each("SIGINT stops after the current migration", |db| {
        migrator(true).upgrade(&mut db.connect(), "a").unwrap();
        let mut runner = Runner::start(db, Pause::Up, true, &["upgrade", "head"]);
        runner.wait_for(Pipe::Stdout, "paused in b upgrade");
        runner.signal("INT");
        runner.wait_for(Pipe::Stderr, "received SIGINT: the run stops once");
        runner.resume();
        let ended = runner.finish();
        let out = &ended.transcript;
        assert_eq!(ended.status.code(), Some(130), "{out}");
        for line in [
            "Stdout: upgrade   b  create t_b  (",
            "Stderr: error: the run stopped on request before the upgrade of `c`: \
             the migrations before it are committed",
            "Stderr: note: the database is now at b",
            "Stderr: hint: run the same command again",
        ] {
            assert!(out.contains(line), "`{line}` missing from:\n{out}");
        }
        assert_eq!(state(db), (vec!["b".into()], [true, true, false]));
        assert_eq!(interrupted(db), []);
        migrator(true).upgrade(&mut db.connect(), "head").unwrap();
        assert_eq!(state(db), (vec!["c".into()], [true, true, true]));
    });
}

/// SIGTERM (a service manager stopping the deployment) inside a non-transactional
/// migration: it finishes and is recorded, leaving nothing for a human to resolve.
fn sigterm_lets_a_non_transactional_migration_finish() {
    each("SIGTERM lets a non-transactional migration finish", |db| {
        migrator(false).upgrade(&mut db.connect(), "a").unwrap();
        let mut runner = Runner::start(db, Pause::Up, false, &["upgrade", "head"]);
        runner.wait_for(Pipe::Stdout, "paused in b upgrade");
        runner.signal("TERM");
        runner.wait_for(Pipe::Stderr, "received SIGTERM: the run stops once");
        runner.resume();
        let ended = runner.finish();
        assert_eq!(ended.status.code(), Some(143), "{}", ended.transcript);
        assert_eq!(state(db), (vec!["b".into()], [true, true, false]));
        assert_eq!(interrupted(db), []);
        let history = migrator(false).history(&mut db.connect()).unwrap();
        assert_eq!(history.len(), 2, "no row left for `c`: {history:?}");
        assert!(history.iter().all(|e| e.status == HistoryStatus::Succeeded));
        migrator(false).upgrade(&mut db.connect(), "head").unwrap();
        assert_eq!(state(db), (vec!["c".into()], [true, true, true]));
    });
}

/// On SQLite a second Ctrl-C ends the process at once: the statement in progress, if any,
/// runs in the process and dies with it.
fn a_second_sigint_quits_at_once() {
    each("a second SIGINT quits at once", |db| {
        if db.backend != Backend::Sqlite {
            return; // There it cancels the statement in progress: see the next two.
        }
        migrator(true).upgrade(&mut db.connect(), "a").unwrap();
        let mut runner = Runner::start(db, Pause::Up, true, &["upgrade", "head"]);
        runner.wait_for(Pipe::Stdout, "paused in b upgrade");
        runner.signal("INT");
        runner.wait_for(Pipe::Stderr, "press Ctrl-C again to quit at once");
        runner.signal("INT");
        let ended = runner.finish();
        assert_eq!(ended.signal(), Some(2), "{}", ended.transcript);
        assert_eq!(state(db), (vec!["a".into()], [true, false, false]));
        assert_eq!(interrupted(db), []);
        migrator(true).upgrade(&mut db.connect(), "head").unwrap();
        assert_eq!(state(db), (vec!["c".into()], [true, true, true]));
    });
}

/// On a server a second Ctrl-C cancels the statement in progress (here there is none: the
/// migration is in its Rust code), and a third one ends the process at once.
fn a_third_sigint_quits_at_once() {
    each("a third SIGINT quits at once", |db| {
        if db.backend == Backend::Sqlite {
            return;
        }
        migrator(true).upgrade(&mut db.connect(), "a").unwrap();
        let mut runner = Runner::start(db, Pause::Up, true, &["upgrade", "head"]);
        runner.wait_for(Pipe::Stdout, "paused in b upgrade");
        runner.signal("INT");
        runner.wait_for(
            Pipe::Stderr,
            "press Ctrl-C again to cancel the statement in progress",
        );
        runner.signal("INT");
        runner.wait_for(
            Pipe::Stderr,
            "received SIGINT again: cancelling the statement",
        );
        runner.signal("INT");
        let ended = runner.finish_within(Duration::from_secs(10));
        assert_eq!(ended.signal(), Some(2), "{}", ended.transcript);
        if db.backend == Backend::Mysql {
            assert_eq!(state(db), (vec!["a".into()], [true, true, false]));
            assert_next_run_refuses(db, "b", Direction::Up, "head");
        } else {
            assert_eq!(state(db), (vec!["a".into()], [true, false, false]));
            assert_eq!(interrupted(db), []);
            migrator(true).upgrade(&mut db.connect(), "head").unwrap();
            assert_eq!(state(db), (vec!["c".into()], [true, true, true]));
        }
    });
}

/// On a server, a second Ctrl-C while the migration waits in a long statement (here for a
/// row lock the test holds, which no client check of the server ends) cancels that
/// statement from another connection: the migration fails now and rolls back, the run's
/// lock is released at once, and the CLI reports the failure, says the statement was
/// cancelled, and exits with 130. Killed instead, the process would leave its session
/// waiting, and holding the lock (see [`kill_during_a_server_side_statement`]).
fn a_second_sigint_cancels_the_statement_in_progress() {
    each("a second SIGINT cancels the statement in progress", |db| {
        if db.backend == Backend::Sqlite {
            return; // In-process: a second signal ends it (see above).
        }
        second_signal_cancels(db, "INT");
    });
}

/// The same with SIGTERM: exit code 143.
fn a_second_sigterm_cancels_the_statement_in_progress() {
    each("a second SIGTERM cancels the statement in progress", |db| {
        if db.backend == Backend::Sqlite {
            return;
        }
        second_signal_cancels(db, "TERM");
    });
}

/// [`a_second_sigint_cancels_the_statement_in_progress`] with `signal` (`INT`, `TERM`).
fn second_signal_cancels(db: &TestDb, signal: &str) {
    let (name, again, code) = match signal {
        "INT" => ("SIGINT", "press Ctrl-C again", 130),
        _ => ("SIGTERM", "send it again", 143),
    };
    let (mut runner, mut test_lock, mut watch) = blocked_on_server(db);
    runner.signal(signal);
    runner.wait_for(
        Pipe::Stderr,
        &format!(
            "received {name}: the run stops once the current migration is done; {again} \
             to cancel the statement in progress"
        ),
    );
    runner.signal(signal);
    let session = match db.backend {
        Backend::Postgres => "of PostgreSQL session ",
        _ => "of MySQL connection ",
    };
    runner.wait_for(Pipe::Stderr, session);
    // The test still holds its row lock: only the cancel can end the statement.
    let ended = runner.finish_within(Duration::from_secs(10));
    let out = &ended.transcript;
    assert_eq!(ended.status.code(), Some(code), "{out}");
    for line in [
        &format!("received {name} again: cancelling the statement in progress "),
        "error: upgrade of `b` failed: ",
        "note: the database is now at a",
        &format!("note: the statement in progress was cancelled because of the second {name}"),
    ] {
        assert!(out.contains(line), "`{line}` missing from:\n{out}");
    }
    assert!(!out.contains("cannot cancel"), "{out}");
    assert!(!server_is_waiting(&mut watch), "the statement goes on");

    // The version table is as before the migration; on PostgreSQL nothing of `b` is
    // left, on MySQL its committed DDL is marked by its failed row.
    if db.backend == Backend::Mysql {
        assert_eq!(state(db), (vec!["a".into()], [true, true, false]));
        assert_eq!(
            interrupted(db),
            [("b".into(), Direction::Up, HistoryStatus::Failed)]
        );
    } else {
        assert_eq!(state(db), (vec!["a".into()], [true, false, false]));
        assert_eq!(interrupted(db), []);
    }

    // The run's lock is free at once: another runner goes ahead without waiting
    // (on MySQL up to the failed row, which it reports).
    let waits = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = std::sync::Arc::clone(&waits);
    let impatient = migrator(true)
        .with_options(
            migrate_runtime::Options::default().with_lock_timeout(Duration::from_millis(200)),
        )
        .on_event(move |event| {
            if let migrate_runtime::Event::Waiting { lock, .. } = event {
                seen.lock().unwrap().push(lock.to_string());
            }
        });
    let mut conn = db.connect();
    if db.backend == Backend::Mysql {
        let err = impatient.upgrade(&mut conn, "head").unwrap_err();
        assert!(matches!(err, Error::Interrupted { .. }), "{err:?}");
        migrator(true).stamp(&mut conn, "b").unwrap();
        impatient.upgrade(&mut conn, "head").unwrap();
    } else {
        impatient.upgrade(&mut conn, "head").unwrap();
    }
    assert_eq!(waits.lock().unwrap().clone(), Vec::<String>::new());
    assert_eq!(state(db), (vec!["c".into()], [true, true, true]));
    release_server_lock(&mut test_lock);
}

/// Ctrl-C in a run with one transaction for all its migrations: the run is rolled back as
/// a whole, and the CLI says that what it printed as done was undone.
fn sigint_rolls_back_a_run_in_one_transaction() {
    each("SIGINT rolls back a run in one transaction", |db| {
        if db.backend == Backend::Mysql {
            return; // No such mode on MySQL.
        }
        migrator(true).upgrade(&mut db.connect(), "a").unwrap();
        let mut runner = Runner::start(
            db,
            Pause::Up,
            true,
            &["upgrade", "head", "--transaction", "all"],
        );
        runner.wait_for(Pipe::Stdout, "paused in b upgrade");
        runner.signal("INT");
        runner.wait_for(Pipe::Stderr, "received SIGINT");
        runner.resume();
        let ended = runner.finish();
        let out = &ended.transcript;
        assert_eq!(ended.status.code(), Some(130), "{out}");
        for line in [
            "before the upgrade of `c`; its transaction was rolled back",
            "note: the database is now at a",
            "note: rolled back when the run stopped, although printed above as done: b",
        ] {
            assert!(out.contains(line), "`{line}` missing from:\n{out}");
        }
        assert_eq!(state(db), (vec!["a".into()], [true, false, false]));
    });
}

/// Runs `migrate <args>` on `db` with the migrations pausing at `pause`, sends `signal`
/// (`INT`, `TERM`) once the pause is reached, lets the migration go on and returns how the
/// child ended; asserts the exit code of a run stopped by that signal.
fn stopped_at_the_pause(db: &TestDb, pause: Pause, signal: &str, args: &[&str]) -> Ended {
    let (name, code) = match signal {
        "INT" => ("SIGINT", 130),
        _ => ("SIGTERM", 143),
    };
    let mut runner = Runner::start(db, pause, true, args);
    let point = match pause {
        Pause::Down => "paused in b downgrade",
        _ => "paused in b upgrade",
    };
    runner.wait_for(Pipe::Stdout, point);
    runner.signal(signal);
    runner.wait_for(
        Pipe::Stderr,
        &format!("received {name}: the run stops once the current migration is done"),
    );
    runner.resume();
    let ended = runner.finish();
    assert_eq!(ended.status.code(), Some(code), "{}", ended.transcript);
    ended
}

/// Asserts that each of `lines` is in `out`, and none of `absent`.
fn assert_transcript(out: &str, lines: &[&str], absent: &[&str]) {
    for line in lines {
        assert!(out.contains(line), "`{line}` missing from:\n{out}");
    }
    for line in absent {
        assert!(!out.contains(line), "`{line}` in:\n{out}");
    }
}

/// A signal during the last migration of a run, one transaction per migration: that
/// migration commits and the run is complete; the CLI prints its report, says that the
/// run is complete, and exits with 130 or 143 as for any stop. Upgrade (SIGINT, `b` the
/// last of `a`, `b`) and downgrade (SIGTERM, `b` the last of `c`, `b`).
fn a_stop_during_the_last_migration_completes_the_run() {
    each("a stop during the last migration completes the run", |db| {
        let ended = stopped_at_the_pause(db, Pause::Up, "INT", &["upgrade", "b"]);
        assert_transcript(
            &ended.transcript,
            &[
                "Stdout: upgrade   b  create t_b  (",
                "Stdout: applied 2 migrations, a to b; now at b",
                "Stderr: note: SIGINT came during the last migration of the run, which \
                 committed: the run is complete, the database is at b",
            ],
            &["error:", "hint:"],
        );
        assert_eq!(state(db), (vec!["b".into()], [true, true, false]));
        assert_eq!(interrupted(db), []);
        let history = migrator(true).history(&mut db.connect()).unwrap();
        assert_eq!(history.len(), 2, "{history:?}");
        assert!(history.iter().all(|e| e.status == HistoryStatus::Succeeded));
        let report = migrator(true).upgrade(&mut db.connect(), "head").unwrap();
        assert_eq!(report.to_string(), "applied 1 migration, c; now at c");

        let ended = stopped_at_the_pause(db, Pause::Down, "TERM", &["downgrade", "a"]);
        assert_transcript(
            &ended.transcript,
            &[
                "Stdout: downgrade b  create t_b  (",
                "Stdout: reverted 2 migrations, c to b; now at a",
                "Stderr: note: SIGTERM came during the last migration of the run, which \
                 committed: the run is complete, the database is at a",
            ],
            &["error:", "hint:"],
        );
        assert_eq!(state(db), (vec!["a".into()], [true, false, false]));
        assert_eq!(interrupted(db), []);
        let report = migrator(true).upgrade(&mut db.connect(), "b").unwrap();
        assert_eq!(report.to_string(), "applied 1 migration, b; now at b");
    });
}

/// A signal during the last migration of a run in one transaction: the run's commit is
/// not made, the run is rolled back as when the signal comes during an earlier migration,
/// and the CLI says so and exits with 130 or 143. Upgrade (SIGINT, from a fresh database:
/// not even the bookkeeping tables stay) and downgrade (SIGTERM).
fn a_stop_during_the_last_migration_rolls_back_a_run_in_one_transaction() {
    each(
        "a stop during the last migration rolls back a run in one transaction",
        |db| {
            if db.backend == Backend::Mysql {
                return; // No such mode on MySQL.
            }
            let ended = stopped_at_the_pause(
                db,
                Pause::Up,
                "INT",
                &["upgrade", "b", "--transaction", "all"],
            );
            assert_transcript(
                &ended.transcript,
                &[
                    "Stdout: upgrade   b  create t_b  (",
                    "Stderr: error: the run stopped on request after the upgrade of `b`, its \
                     last migration, before its transaction committed; its transaction was \
                     rolled back",
                    "Stderr: note: the database is now at <base>",
                    "Stderr: note: rolled back when the run stopped, although printed above as \
                     done: a, b",
                    "Stderr: hint: run the same command again",
                ],
                &["applied 2 migrations", "the run is complete"],
            );
            assert_eq!(state(db), (vec![], [false, false, false]));
            let mut conn = db.connect();
            assert!(!table_exists(&mut conn, "migrate_version"));
            assert!(!table_exists(&mut conn, "migrate_history"));

            migrator(true).upgrade(&mut conn, "head").unwrap();
            let ended = stopped_at_the_pause(
                db,
                Pause::Down,
                "TERM",
                &["downgrade", "a", "--transaction", "all"],
            );
            assert_transcript(
                &ended.transcript,
                &[
                    "Stdout: downgrade b  create t_b  (",
                    "Stderr: error: the run stopped on request after the downgrade of `b`, its \
                     last migration, before its transaction committed; its transaction was \
                     rolled back",
                    "Stderr: note: the database is now at c",
                    "Stderr: note: rolled back when the run stopped, although printed above as \
                     done: c, b",
                ],
                &["reverted 2 migrations", "the run is complete"],
            );
            assert_eq!(state(db), (vec!["c".into()], [true, true, true]));
            let history = migrator(true).history(&mut conn).unwrap();
            assert_eq!(
                history.len(),
                3,
                "only the upgrade is recorded: {history:?}"
            );
        },
    );
}

/// Ctrl-C in a downgrade: the migration being reverted finishes, the next one is not run.
fn sigint_stops_a_downgrade_after_the_current_migration() {
    each(
        "SIGINT stops a downgrade after the current migration",
        |db| {
            migrator(true).upgrade(&mut db.connect(), "head").unwrap();
            let mut runner = Runner::start(db, Pause::Down, true, &["downgrade", "base"]);
            runner.wait_for(Pipe::Stdout, "paused in b downgrade");
            runner.signal("INT");
            runner.wait_for(Pipe::Stderr, "received SIGINT");
            runner.resume();
            let ended = runner.finish();
            let out = &ended.transcript;
            assert_eq!(ended.status.code(), Some(130), "{out}");
            assert!(
                out.contains("the run stopped on request before the downgrade of `a`"),
                "{out}"
            );
            assert_eq!(state(db), (vec!["a".into()], [true, false, false]));
            assert_eq!(interrupted(db), []);
        },
    );
}

/// Killed while the server executes a statement of its migration: the server goes on with
/// the statement (it notices the lost client only when it ends) and keeps the run's lock
/// meanwhile. The next run names the session holding it; once the statement ends the lock
/// is free.
fn kill_during_a_server_side_statement() {
    each("kill during a server-side statement", |db| {
        if db.backend == Backend::Sqlite {
            return; // In-process: the statement dies with the process.
        }
        let (runner, mut test_lock, _watch) = blocked_on_server(db);
        runner.kill();

        let waits = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = std::sync::Arc::clone(&waits);
        let impatient = migrator(true)
            .with_options(
                migrate_runtime::Options::default().with_lock_timeout(Duration::from_millis(200)),
            )
            .on_event(move |event| {
                if let migrate_runtime::Event::Waiting { lock, .. } = event {
                    seen.lock().unwrap().push(lock.to_string());
                }
            });
        let err = impatient.upgrade(&mut db.connect(), "head").unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, Error::LockTimeout { .. }), "{err:?}");
        let holder = match db.backend {
            Backend::Postgres => "held by session ",
            _ => "held by connection ",
        };
        // The statement's first words only: its text may hold data or a password.
        let statement = "`UPDATE held ...`";
        assert!(text.contains(holder) && text.contains(statement), "{text}");
        let waits = waits.lock().unwrap().clone();
        assert!(waits.len() == 1 && waits[0].contains(holder), "{waits:?}");

        // The statement ends; its session finds its client gone and lets the lock go.
        release_server_lock(&mut test_lock);
        let mut conn = db.connect();
        if db.backend == Backend::Mysql {
            assert_next_run_refuses(db, "b", Direction::Up, "head");
            migrator(true).stamp(&mut conn, "b").unwrap();
        }
        migrator(true).upgrade(&mut conn, "head").unwrap();
        assert_eq!(state(db), (vec!["c".into()], [true, true, true]));
    });
}

/// Ctrl-C before any migration of the run has started (here: waiting for another run's
/// lock) ends the process at once, as it always did: there is nothing to finish. The
/// holder keeps the lock until the waiter has ended, so a waiter that took the signal for
/// a stop would wait out its lock timeout and exit with 1 instead.
fn sigint_while_waiting_for_the_lock_quits_at_once() {
    each("SIGINT while waiting for the lock quits at once", |db| {
        // SQLite in WAL mode says that it waits only for another run's `running` row, which
        // a non-transactional migration leaves while it runs; with a transactional one it
        // would wait inside SQLite's busy handler, silently.
        let wal = db.backend == Backend::Sqlite && db.wal;
        let b_transactional = !wal;
        migrator(b_transactional)
            .upgrade(&mut db.connect(), "a")
            .unwrap();
        let mut holder = Runner::start(db, Pause::Up, b_transactional, &["upgrade", "head"]);
        holder.wait_for(Pipe::Stdout, "paused in b upgrade");
        let mut waiter = Runner::start(db, Pause::Nowhere, b_transactional, &["upgrade", "head"]);
        // Printed once the run's signal handling is in place (`Session::interruptible`).
        waiter.wait_for(Pipe::Stdout, "database: ");
        // SQLite in a rollback-journal mode waits for the holder's file lock inside its
        // busy handler and says nothing: there the signal lands between the line above and
        // the first migration (connecting, reading, or in that wait), where it must end the
        // process all the same.
        let announced = db.backend != Backend::Sqlite || wal;
        if announced {
            waiter.wait_for(Pipe::Stderr, "waiting for another migration run to release");
        }
        waiter.signal("INT");
        let ended = waiter.finish();
        assert_eq!(ended.signal(), Some(2), "{}", ended.transcript);
        holder.resume();
        let ended = holder.finish();
        assert!(ended.status.success(), "{}", ended.transcript);
        assert_eq!(state(db), (vec!["c".into()], [true, true, true]));
    });
}

/// `Cli::run_with` without `handle_signals(true)` installs no handler: during the run a
/// signal does what the process's disposition says (here the default: the process ends,
/// and the migration is rolled back), and after it the application's own handling of
/// SIGTERM shuts it down gracefully instead of the CLI's handlers ending it.
fn run_with_leaves_the_applications_signals_alone() {
    support::one_backend(|db| {
        eprintln!(
            "  run_with leaves the application's signals alone: {}",
            db.describe()
        );
        migrator(true).upgrade(&mut db.connect(), "a").unwrap();
        let mut app = Runner::start_as("app", db, Pause::Up, true, &["upgrade", "head"], &[]);
        app.wait_for(Pipe::Stdout, "paused in b upgrade");
        // SIGTERM rather than SIGINT, which a test run in the background may inherit ignored.
        app.signal("TERM");
        let ended = app.finish();
        assert_eq!(ended.signal(), Some(15), "{}", ended.transcript);
        if db.backend == Backend::Mysql {
            // MySQL committed `b`'s DDL implicitly, and `t_b` is all `b` does: stamped, as
            // the next run's refusal would advise.
            assert_eq!(state(db), (vec!["a".into()], [true, true, false]));
            migrator(true).stamp(&mut db.connect(), "b").unwrap();
        } else {
            assert_eq!(state(db), (vec!["a".into()], [true, false, false]));
        }

        let mut app = Runner::start_as("app", db, Pause::Nowhere, true, &["upgrade", "head"], &[]);
        app.wait_for(Pipe::Stdout, SERVING);
        app.signal("TERM");
        app.wait_for(Pipe::Stdout, SHUTDOWN);
        let ended = app.finish();
        assert_eq!(ended.status.code(), Some(0), "{}", ended.transcript);
        assert_eq!(state(db), (vec!["c".into()], [true, true, true]));
    });
}

/// Two runs in one process: the end of the second does not disarm the first, whose
/// Ctrl-C then stops it between two migrations instead of ending the process.
fn the_end_of_a_concurrent_run_leaves_a_run_interruptible() {
    support::one_backend(|db| {
        let second = TestDb::fresh_like(db);
        eprintln!(
            "  the end of a concurrent run leaves a run interruptible: {}",
            db.describe()
        );
        migrator(true).upgrade(&mut db.connect(), "a").unwrap();
        let mut runner = Runner::start_as(
            "two-runs",
            db,
            Pause::Up,
            true,
            &["upgrade", "head"],
            &[(SECOND_URL_VAR, second.url())],
        );
        runner.wait_for(Pipe::Stdout, "paused in b upgrade");
        runner.wait_for(Pipe::Stdout, SECOND_RUN_ENDED);
        runner.signal("INT");
        runner.wait_for(Pipe::Stderr, "received SIGINT: the run stops once");
        runner.resume();
        let ended = runner.finish();
        let out = &ended.transcript;
        assert_eq!(ended.status.code(), Some(130), "{out}");
        assert!(
            out.contains(&format!("{SECOND_RUN_ENDED} success: true")),
            "{out}"
        );
        assert_eq!(state(db), (vec!["b".into()], [true, true, false]));
        assert_eq!(state(&second), (vec!["c".into()], [true, true, true]));
    });
}

/// The statements a [`counting_child`] printed.
fn statements(transcript: &str) -> Vec<&str> {
    transcript
        .lines()
        .filter_map(|line| line.split_once(STATEMENT).map(|(_, sql)| sql))
        .collect()
}

/// The CLI handling signals learns the server session a second signal cancels from the
/// statement taking the run's lock: a run with nothing to do, which takes no lock, sends
/// one statement, the version table's read, as the library's does; a run with migrations
/// sends no statement of its own for it. (The cancel itself is
/// [`a_second_sigint_cancels_the_statement_in_progress`].)
fn the_session_to_cancel_costs_no_statement() {
    each("the session to cancel costs no statement", |db| {
        migrator(true).upgrade(&mut db.connect(), "a").unwrap();
        let runner = Runner::start_as(
            "counting",
            db,
            Pause::Nowhere,
            true,
            &["upgrade", "head"],
            &[],
        );
        let ended = runner.finish();
        let out = &ended.transcript;
        assert_eq!(ended.status.code(), Some(0), "{out}");
        assert_eq!(state(db), (vec!["c".into()], [true, true, true]));
        let sent = statements(out);
        assert!(!sent.is_empty(), "{out}");
        let reading: Vec<&str> = sent
            .iter()
            .copied()
            .filter(|sql| sql.contains("pg_backend_pid") || sql.contains("CONNECTION_ID"))
            .collect();
        match db.backend {
            Backend::Sqlite => assert!(reading.is_empty(), "{out}"),
            _ => {
                // Read by the statement taking the lock (the only one), and by no other.
                assert_eq!(reading.len(), 1, "{out}");
                assert!(
                    reading[0].contains("pg_try_advisory_lock") || reading[0].contains("GET_LOCK"),
                    "{out}"
                );
            }
        }

        // At head: the version table's read, and nothing else.
        let ended = Runner::start_as(
            "counting",
            db,
            Pause::Nowhere,
            true,
            &["upgrade", "head"],
            &[],
        )
        .finish();
        let out = &ended.transcript;
        assert_eq!(ended.status.code(), Some(0), "{out}");
        assert!(out.contains("nothing to do"), "{out}");
        let mut sent = statements(out);
        // The setup of a SQLite connection, part of opening it, not of the run.
        sent.retain(|sql| !sql.starts_with("PRAGMA busy_timeout"));
        assert_eq!(sent.len(), 1, "{out}");
        assert!(sent[0].starts_with("SELECT version_num FROM"), "{out}");
    });
}

/// Every scenario, by name.
const SCENARIOS: &[(&str, fn())] = &[
    (
        "kill_inside_a_transactional_upgrade",
        kill_inside_a_transactional_upgrade,
    ),
    (
        "kill_between_non_transactional_ddl_and_version_row",
        kill_between_non_transactional_ddl_and_version_row,
    ),
    ("kill_during_the_first_run", kill_during_the_first_run),
    ("kill_inside_a_downgrade", kill_inside_a_downgrade),
    (
        "kill_during_a_server_side_statement",
        kill_during_a_server_side_statement,
    ),
    (
        "a_waiting_runner_takes_over_from_a_killed_one",
        a_waiting_runner_takes_over_from_a_killed_one,
    ),
    (
        "sigint_stops_after_the_current_migration",
        sigint_stops_after_the_current_migration,
    ),
    (
        "sigterm_lets_a_non_transactional_migration_finish",
        sigterm_lets_a_non_transactional_migration_finish,
    ),
    (
        "a_second_sigint_quits_at_once",
        a_second_sigint_quits_at_once,
    ),
    ("a_third_sigint_quits_at_once", a_third_sigint_quits_at_once),
    (
        "a_second_sigint_cancels_the_statement_in_progress",
        a_second_sigint_cancels_the_statement_in_progress,
    ),
    (
        "a_second_sigterm_cancels_the_statement_in_progress",
        a_second_sigterm_cancels_the_statement_in_progress,
    ),
    (
        "sigint_while_waiting_for_the_lock_quits_at_once",
        sigint_while_waiting_for_the_lock_quits_at_once,
    ),
    (
        "sigint_rolls_back_a_run_in_one_transaction",
        sigint_rolls_back_a_run_in_one_transaction,
    ),
    (
        "sigint_stops_a_downgrade_after_the_current_migration",
        sigint_stops_a_downgrade_after_the_current_migration,
    ),
    (
        "the_session_to_cancel_costs_no_statement",
        the_session_to_cancel_costs_no_statement,
    ),
    (
        "a_stop_during_the_last_migration_completes_the_run",
        a_stop_during_the_last_migration_completes_the_run,
    ),
    (
        "a_stop_during_the_last_migration_rolls_back_a_run_in_one_transaction",
        a_stop_during_the_last_migration_rolls_back_a_run_in_one_transaction,
    ),
    (
        "run_with_leaves_the_applications_signals_alone",
        run_with_leaves_the_applications_signals_alone,
    ),
    (
        "the_end_of_a_concurrent_run_leaves_a_run_interruptible",
        the_end_of_a_concurrent_run_leaves_a_run_interruptible,
    ),
];

/// The scenarios `args` (libtest's) choose: positional arguments filter by substring, or
/// by name with `--exact`; `--skip` leaves out those it matches the same way; other flags,
/// and the values of those that take one, are ignored.
fn chosen(args: &[String]) -> Vec<(&'static str, fn())> {
    let mut filters: Vec<&str> = Vec::new();
    let mut skips: Vec<&str> = Vec::new();
    let mut exact = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if let Some(skip) = arg.strip_prefix("--skip=") {
            skips.push(skip);
            continue;
        }
        match arg.as_str() {
            "--skip" => skips.extend(args.next().map(String::as_str)),
            "--exact" => exact = true,
            "--test-threads" | "--color" | "--format" | "--logfile" | "--shuffle-seed" | "-Z" => {
                args.next();
            }
            flag if flag.starts_with('-') => {}
            filter => filters.push(filter),
        }
    }
    let matches = |name: &str, pattern: &str| {
        if exact {
            name == pattern
        } else {
            name.contains(pattern)
        }
    };
    SCENARIOS
        .iter()
        .filter(|(name, _)| filters.is_empty() || filters.iter().any(|f| matches(name, f)))
        .filter(|(name, _)| !skips.iter().any(|s| matches(name, s)))
        .copied()
        .collect()
}

pub(crate) fn main() -> ExitCode {
    if let Ok(spec) = std::env::var(CHILD_VAR) {
        return child(&spec);
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--ignored") {
        return ExitCode::SUCCESS; // None is ignored.
    }
    let chosen = chosen(&args);
    if args.iter().any(|a| a == "--list") {
        for (name, _) in chosen {
            println!("{name}: test");
        }
        return ExitCode::SUCCESS;
    }
    let mut failed = Vec::new();
    for (name, scenario) in chosen {
        println!("test {name} ...");
        match std::panic::catch_unwind(scenario) {
            Ok(()) => println!("test {name} ... ok"),
            Err(_) => {
                println!("test {name} ... FAILED");
                failed.push(name);
            }
        }
    }
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        println!("failed: {}", failed.join(", "));
        ExitCode::FAILURE
    }
}
