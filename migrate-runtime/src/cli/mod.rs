//! The `migrate` command-line interface (clap), embeddable in your own binary.
//!
//! The shortest embedding is a `main.rs` that links the crate holding the migrations:
//!
//! ```no_run
//! fn main() -> std::process::ExitCode {
//!     migrate_runtime::cli::main()
//! }
//! ```
//!
//! To nest the commands in a larger CLI, use [`Cli`] as a subcommand (or flatten it) and call
//! [`Cli::run`] with the migrations, or [`Cli::run_with`] to pass the application's database
//! URL and [`Options`] in code (a standalone binary does the same with [`main_with`], which
//! also takes the application's name and version for `--version`):
//!
//! ```no_run
//! use clap::Parser;
//!
//! #[derive(Parser)]
//! enum App {
//!     /// Database migrations.
//!     Db(migrate_runtime::cli::Cli),
//!     /// Start the server.
//!     Serve,
//! }
//!
//! fn main() -> std::process::ExitCode {
//!     match App::parse() {
//!         App::Db(cli) => {
//!             // The application's own setting, unless `--database-url` overrides it.
//!             let mut options = migrate_runtime::cli::CliOptions::new();
//!             if let Ok(url) = std::env::var("MYAPP_DATABASE_URL") {
//!                 options = options.database_url(url);
//!             }
//!             match migrate_runtime::MigrationSet::registered() {
//!                 Ok(set) => cli.run_with(set, options),
//!                 Err(err) => migrate_runtime::cli::report(&err),
//!             }
//!         }
//!         App::Serve => std::process::ExitCode::SUCCESS,
//!     }
//! }
//! ```
//!
//! The table names and transaction mode come from `migrate.toml`, found from the current
//! directory upwards, unless the application passes its [`Options`] in
//! [`CliOptions::options`]: one that sets them in code for its migrate-on-start passes the
//! same here, or its `db` commands use other tables.
//!
//! Exit codes: 0 on success, 1 when a migration failed or `check` found a problem, 2 for bad
//! input (unknown target, ambiguous prefix, bad URL, bad flags), 130 or 143 for an `upgrade`
//! or `downgrade` that SIGINT or SIGTERM stopped between two migrations (or that one
//! reached during its last migration, which then completed the run), or whose statement in
//! progress a second one cancelled.
//!
//! Signals: [`main`] and [`main_with`], which own the process, handle SIGINT and SIGTERM
//! during `upgrade` and `downgrade` (Unix only): the first stops the run once the current
//! migration is done; on PostgreSQL and MySQL a second cancels the statement the run's
//! connection is executing (from another connection), so that the migration fails and rolls
//! back now, and a third ends the process at once; on SQLite the second ends the process at
//! once. [`Cli::run_with`] and [`Cli::run`] leave the application's signal handling alone
//! unless it asks for this with [`CliOptions::handle_signals`].
//!
//! Every command file holds its arguments and a `run` that formats what the library
//! decides; nothing here plans or writes SQL.

/// `println!` that ignores a closed stdout (`video-catalog history | head`): the output is
/// a courtesy, and a panic in the progress callback would abort a run between migrations.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `print!` that ignores a closed stdout; see `outln!`.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($arg)*);
    }};
}

mod branches;
mod check;
mod completions;
mod config;
mod current;
mod database;
mod diesel_folder;
mod downgrade;
mod foreign;
mod format;
mod heads;
mod history;
mod import;
mod init;
mod interrupt;
mod lanes;
mod merge;
mod output;
mod refinery_folder;
mod revision;
mod show;
mod sqlx_folder;
mod stamp;
mod template;
mod upgrade;

use std::borrow::Cow;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

pub use branches::BranchesArgs;
pub use check::CheckArgs;
pub use completions::CompletionsArgs;
pub use config::ConfigArgs;
pub use current::CurrentArgs;
pub use downgrade::DowngradeArgs;
pub use foreign::MigrationTool;
pub use heads::HeadsArgs;
pub use history::{HistoryArgs, RevRange};
pub use import::{DieselArgs, ImportArgs, ImportSource, ToolArgs};
pub use init::InitArgs;
pub use merge::MergeArgs;
pub use revision::RevisionArgs;
pub use show::ShowArgs;
pub use stamp::StampArgs;
pub use upgrade::{OfflineArgs, SqlDialect, Transaction, UpgradeArgs};

use clap::{Args, Parser, Subcommand};

use crate::{
    Backend, Direction, Error, Event, MigrationSet, Migrator, Options, Result, RevisionId,
};
use config::{Origin, Settings};
use database::Target;

/// Exit code for a failed migration, a database error or problems found by `check`.
const EXIT_FAILURE: u8 = 1;
/// Exit code for bad input: unknown target, ambiguous prefix, bad URL (clap uses it too).
const EXIT_USAGE: u8 = 2;

/// Runs the CLI on every migration linked into the binary and returns the exit code.
///
/// Parses `std::env::args`, collects the migrations with [`MigrationSet::registered`] and
/// runs the command. It owns the process: SIGINT and SIGTERM stop an `upgrade` or
/// `downgrade` between two migrations (see [`CliOptions::handle_signals`]).
pub fn main() -> ExitCode {
    main_with(CliOptions::new())
}

/// [`main`] with settings from the application: its name and version for `--help` and
/// `--version`, and its database URL and [`Options`] (see [`CliOptions`]).
///
/// Like [`main`], it owns the process: SIGINT and SIGTERM stop an `upgrade` or `downgrade`
/// between two migrations, unless the options say `handle_signals(false)`.
///
/// ```no_run
/// use migrate_runtime::cli::CliOptions;
///
/// fn main() -> std::process::ExitCode {
///     // The application's own configuration, however it reads it.
///     let database_url = std::env::var("MYAPP_DATABASE_URL").unwrap_or("myapp.db".into());
///     migrate_runtime::cli::main_with(
///         CliOptions::new()
///             .name("myapp-migrate")
///             .version(env!("CARGO_PKG_VERSION"))
///             .database_url(database_url),
///     )
/// }
/// ```
pub fn main_with(options: CliOptions) -> ExitCode {
    use clap::FromArgMatches as _;

    let options = options.owning_the_process();
    let cli = match Cli::from_arg_matches(&command(&options).get_matches()) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    match MigrationSet::registered() {
        Ok(set) => cli.run_with(set, options),
        Err(err) => report(&err),
    }
}

/// The clap command of [`main_with`]: [`Cli`]'s, under the application's name and version.
fn command(options: &CliOptions) -> clap::Command {
    use clap::CommandFactory as _;

    let mut command = Cli::command();
    if let Some(name) = options.name {
        command = command.name(name);
    }
    if let Some(version) = options.version {
        command = command.version(version);
    }
    command
}

/// What an application embedding the CLI sets in code rather than leaving to
/// `DATABASE_URL` and `migrate.toml`; see [`Cli::run_with`] and [`main_with`].
///
/// ```
/// use migrate_runtime::cli::CliOptions;
/// use migrate_runtime::Options;
///
/// let options = CliOptions::new()
///     .database_url("postgres://app@db.internal/app")
///     .options(Options::default().with_version_table("app_version"));
/// # let _ = options;
/// ```
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct CliOptions {
    database_url: Option<String>,
    options: Option<Options>,
    name: Option<&'static str>,
    version: Option<&'static str>,
    /// `None`: on in [`main_with`], off in [`Cli::run_with`].
    handle_signals: Option<bool>,
}

/// The database URL with its password redacted, as everywhere else.
impl std::fmt::Debug for CliOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CliOptions")
            .field(
                "database_url",
                &self.database_url.as_deref().map(crate::connection::redact),
            )
            .field("options", &self.options)
            .field("name", &self.name)
            .field("version", &self.version)
            .field("handle_signals", &self.handle_signals)
            .finish()
    }
}

impl CliOptions {
    /// Nothing set: the CLI reads its settings as the `migrate` binary does.
    pub fn new() -> Self {
        Self::default()
    }

    /// The database, from the application's own configuration. `--database-url` still
    /// overrides it; it overrides `DATABASE_URL`, `.env` and `database_url` in
    /// `migrate.toml`. `config` and `-v` show it as coming "from the application", with
    /// its password redacted.
    pub fn database_url(mut self, url: impl Into<String>) -> Self {
        self.database_url = Some(url.into());
        self
    }

    /// The executor options the application migrates with on start (table names,
    /// transaction mode, lock timeout), so that the commands use the same tables. They
    /// replace those of `migrate.toml`; `--transaction` still overrides the mode.
    pub fn options(mut self, options: Options) -> Self {
        self.options = Some(options);
        self
    }

    /// The program name `--version` and `--help` show ([`main_with`] only; a CLI nested
    /// in the application's own parser takes its name from there).
    pub fn name(mut self, name: &'static str) -> Self {
        self.name = Some(name);
        self
    }

    /// The version `--version` prints ([`main_with`] only), such as the application's
    /// `env!("CARGO_PKG_VERSION")`; by default it is migrate-runtime's.
    pub fn version(mut self, version: &'static str) -> Self {
        self.version = Some(version);
        self
    }

    /// Whether SIGINT (Ctrl-C) and SIGTERM during `upgrade` and `downgrade` stop the run
    /// once the current migration is done (exit code 130 or 143) instead of ending the
    /// process in the middle of a migration. A second signal cancels the statement in
    /// progress on PostgreSQL and MySQL, from a connection of its own (the run then fails
    /// as usual, and exits 130 or 143), and a third ends the process at once; on SQLite
    /// the second ends it. To know whom to cancel, the CLI reads the server session of the
    /// run's connection (one query) when such a run begins. Unix only; elsewhere signals
    /// keep their default action.
    ///
    /// On by default in [`main`] and [`main_with`], which own the process; off in
    /// [`Cli::run_with`] and [`Cli::run`], so that an application nesting the CLI in its
    /// own keeps its signal handling. Turn it on there only when the process exits after
    /// the command: the handlers, once the first run has installed them, stay for the life
    /// of the process, and outside a run they end it as the signal's default action does,
    /// even when the application has a handler of its own (a graceful shutdown) or
    /// inherited the signal ignored.
    pub fn handle_signals(mut self, on: bool) -> Self {
        self.handle_signals = Some(on);
        self
    }

    /// The options of a CLI that owns the process ([`main_with`]): signals handled unless
    /// the application said otherwise.
    fn owning_the_process(mut self) -> Self {
        self.handle_signals.get_or_insert(true);
        self
    }
}

/// The `migrate` command line: global options and one subcommand.
#[derive(Debug, Parser)]
#[command(
    name = "migrate",
    version,
    about = "Alembic-style schema migrations: apply, revert and inspect revisions",
    long_about = None,
    after_help = "Targets: `head`, `heads`, `base`, a revision id or unique prefix, a branch \
                  label, `label@head`, or relative steps such as `+1`, `-2` and `head-1`."
)]
pub struct Cli {
    /// Options shared by every subcommand.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Options accepted before or after any subcommand.
#[derive(Clone, Default, Args)]
pub struct GlobalArgs {
    /// Database URL (sqlite://PATH, postgres://..., mysql://...). Default: `DATABASE_URL`
    /// (also read from `.env` in the project root), else `database_url` in migrate.toml,
    /// else the SQLite file `migrate.sqlite3` in the project root (the folder holding
    /// migrate.toml).
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Print more: the effective settings (on stderr) and each command's details.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

/// The database URL with its password redacted, as everywhere else.
impl std::fmt::Debug for GlobalArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GlobalArgs")
            .field(
                "database_url",
                &self.database_url.as_deref().map(crate::connection::redact),
            )
            .field("verbose", &self.verbose)
            .finish()
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
#[non_exhaustive]
pub enum Command {
    /// Apply migrations up to a target (default `head`).
    Upgrade(UpgradeArgs),
    /// Revert migrations down to a target (`base` reverts everything).
    Downgrade(DowngradeArgs),
    /// Show the revisions the database is at.
    Current(CurrentArgs),
    /// List the revisions, newest first.
    ///
    /// With a database, the revisions it is at are marked `(current)`. One that does not
    /// answer (server down, backend not compiled in, no access to the tables) costs only
    /// the markers: a warning goes to stderr and the exit code stays 0. A malformed URL or
    /// a broken migrate.toml exits with 2, as for every command.
    History(HistoryArgs),
    /// List the head revisions (the tips of the graph).
    Heads(HeadsArgs),
    /// List the branch points and the branches leaving them.
    Branches(BranchesArgs),
    /// Show everything about one revision.
    Show(ShowArgs),
    /// Set the database's version table to a target without running any migration.
    Stamp(StampArgs),
    /// Check the revision graph and, when a database is configured, its state.
    Check(CheckArgs),
    /// Scaffold migrations into the cargo package here: migrations folder, migrate.toml,
    /// `migrations!` line, build.rs, xtask and its cargo alias. Overwrites nothing.
    Init(InitArgs),
    /// Write a new migration file revising the current head.
    Revision(RevisionArgs),
    /// Write a merge revision joining several heads (`merge heads -m ...`).
    Merge(MergeArgs),
    /// Write migrations from another tool's: `import diesel [DIR]` for a diesel_cli
    /// migrations folder, `import sqlx [DIR]`, `import refinery [DIR]`.
    Import(ImportArgs),
    /// Show the effective settings and where each came from (flag, the application,
    /// environment, .env, migrate.toml or default).
    Config(ConfigArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
}

impl Cli {
    /// Runs the parsed command against `set` and returns the process exit code. Errors are
    /// printed to stderr as `error: ...`. Signals are left alone (see
    /// [`CliOptions::handle_signals`]).
    pub fn run(self, set: MigrationSet) -> ExitCode {
        self.run_with(set, CliOptions::new())
    }

    /// [`Cli::run`] with the database URL and options the application sets in code (see
    /// [`CliOptions`]), for a CLI nested in the application's own.
    ///
    /// It installs no signal handler unless the options say
    /// [`handle_signals(true)`](CliOptions::handle_signals): an application that goes on
    /// after the command (to serve, with its own graceful shutdown) keeps its handling of
    /// SIGINT and SIGTERM, and a signal during `upgrade` or `downgrade` then does what the
    /// application's handling does (by default, end the process in the middle of a
    /// migration, which the database rolls back as after a crash).
    ///
    /// ```no_run
    /// use clap::Parser;
    /// use migrate_runtime::cli::{Cli, CliOptions};
    /// use migrate_runtime::{MigrationSet, Options};
    ///
    /// #[derive(Parser)]
    /// #[command(version)]
    /// enum App {
    ///     /// Database migrations.
    ///     Migrate(Cli),
    ///     /// Start the server.
    ///     Serve,
    /// }
    ///
    /// fn main() -> std::process::ExitCode {
    ///     let database_url = "postgres://app@db.internal/app"; // the application's config
    ///     let options = Options::default().with_version_table("app_version");
    ///     match App::parse() {
    ///         App::Migrate(cli) => match MigrationSet::registered() {
    ///             Ok(set) => cli.run_with(
    ///                 set,
    ///                 CliOptions::new().database_url(database_url).options(options),
    ///             ),
    ///             Err(err) => migrate_runtime::cli::report(&err),
    ///         },
    ///         App::Serve => std::process::ExitCode::SUCCESS,
    ///     }
    /// }
    /// ```
    pub fn run_with(self, set: MigrationSet, options: CliOptions) -> ExitCode {
        self.command.run(Session::new(set, options, self.global))
    }
}

impl Command {
    /// Runs the command in `session` and returns the process exit code.
    fn run(self, session: Session) -> ExitCode {
        if session.global.verbose
            && !matches!(
                self,
                Command::Config(_) | Command::Init(_) | Command::Completions(_)
            )
        {
            match session.settings() {
                Ok(settings) => eprint!("{}", settings.describe()),
                Err(err) => return session.report(&err),
            }
        }
        // An empty set is almost always a crate of migrations that was never linked: say
        // so before a run does nothing, or finds revisions it does not know.
        if session.set.migrations().is_empty()
            && matches!(
                self,
                Command::Upgrade(_)
                    | Command::Downgrade(_)
                    | Command::Current(_)
                    | Command::Stamp(_)
                    | Command::Check(_)
            )
        {
            eprintln!(
                "warning: this binary has no migration registered; a crate holding migrations \
                 is linked only when the binary names it: add `use the_crate as _;` (the \
                 `migrate` binary installed for `init` links none: run your project's own \
                 CLI, `cargo xtask migrate ...`)"
            );
        }
        let outcome = match self {
            Command::Upgrade(args) => args.run(&session),
            Command::Downgrade(args) => args.run(&session),
            Command::Current(args) => args.run(&session),
            Command::History(args) => args.run(&session),
            Command::Heads(args) => args.run(&session),
            Command::Branches(args) => args.run(&session),
            Command::Show(args) => args.run(&session),
            Command::Stamp(args) => args.run(&session),
            Command::Check(args) => args.run(&session),
            Command::Config(args) => args.run(&session),
            Command::Revision(args) => args.run(&session),
            Command::Merge(args) => args.run(&session),
            Command::Import(args) => args.run(&session),
            Command::Init(args) => args.run(&session),
            Command::Completions(args) => args.run(&session),
        };
        match outcome {
            Ok(Status::Success) => ExitCode::SUCCESS,
            Ok(Status::Problems) => ExitCode::from(EXIT_FAILURE),
            Ok(Status::Stopped) => ExitCode::from(interrupt::exit_code()),
            Err(err) => session.report(&err),
        }
    }
}

/// Prints `err` to stderr as `error: ...` (with its causes and a hint when one applies) and
/// returns the matching exit code: 2 for bad input, 1 otherwise.
pub fn report(err: &Error) -> ExitCode {
    report_on(err, &Advice::default())
}

/// What a session knows of its database, for the hints of [`report_on`].
#[derive(Default)]
struct Advice {
    /// The database's backend, for advice that depends on it.
    backend: Option<Backend>,
    /// Where the database URL came from, so that a connection error names the setting to fix.
    url_origin: Option<Origin>,
}

/// [`report`], with the hints for what is known of the database.
fn report_on(err: &Error, advice: &Advice) -> ExitCode {
    for line in report_lines(err, advice) {
        eprintln!("{line}");
    }
    ExitCode::from(if err.is_input_error() {
        EXIT_USAGE
    } else {
        EXIT_FAILURE
    })
}

/// The lines [`report_on`] prints.
fn report_lines(err: &Error, advice: &Advice) -> Vec<String> {
    // libpq ends its messages with a newline, which would leave a blank line before the hint.
    let message = err.to_string().trim_end().to_owned();
    let mut lines = vec![format!("error: {message}")];
    for cause in err.causes_beyond(&message) {
        lines.push(format!("  caused by: {cause}"));
    }
    if let Some(hint) = hint(err, advice) {
        lines.push(format!("hint: {hint}"));
    }
    lines
}

/// The end of an `upgrade` or `downgrade` that `err` stopped. When a migration failed (or
/// panicked), or a signal stopped the run, reports it as [`report`] does, then says where
/// the database stopped: the migrations printed before may be committed or rolled back,
/// depending on the transaction mode and the backend. Exit code 1, or 128 plus the signal's
/// number when a signal stopped the run or had the statement in progress cancelled. Any
/// other error is returned, unless a signal had the statement in progress cancelled: then
/// it is reported here too, with that note and exit code.
pub(crate) fn failed_run(
    err: Error,
    session: &Session,
    migrator: &Migrator,
    conn: &mut crate::AnyConnection,
) -> Result<Status> {
    if let Error::Interrupted { entries, .. } = &err {
        // Refused because of an earlier run: the way out, in the two clear cases.
        session.report(&err);
        // Unreadable rows leave the general advice alone: a choice needs the rows.
        let current = migrator.current(conn).ok();
        for choice in entries
            .iter()
            .filter_map(|entry| format::stamp_choices(migrator.set(), current.as_deref()?, entry))
        {
            eprintln!("note: {choice}");
        }
        return Ok(Status::Problems);
    }
    // A run failing after a second signal had its statement in progress cancelled failed
    // because of it (most likely: the cancel is sent from another thread, and may also
    // meet one of the executor's own statements).
    let cancelled = session
        .handles_signals()
        .then(interrupt::cancelled)
        .flatten()
        .filter(|_| !matches!(err, Error::Stopped { .. }));
    let cancel_note = |signal: &str| {
        eprintln!("note: the statement in progress was cancelled because of the second {signal}");
    };
    if !matches!(
        err,
        Error::Migration { .. } | Error::Panic { .. } | Error::Stopped { .. }
    ) {
        let Some(signal) = cancelled else {
            return Err(err);
        };
        session.report(&err);
        cancel_note(signal);
        return Ok(Status::Stopped);
    }
    let stopped = matches!(err, Error::Stopped { .. });
    session.report(&err);
    let finished = session
        .finished
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    for note in stopped_notes(migrator, conn, &finished, stopped) {
        eprintln!("note: {note}");
    }
    if let Some(signal) = cancelled {
        cancel_note(signal);
    }
    Ok(if stopped || cancelled.is_some() {
        Status::Stopped
    } else {
        Status::Problems
    })
}

/// The end of an `upgrade` or `downgrade` that returned its `report` although `signal`
/// asked it to stop: the stop came during its last migration, which committed (one
/// transaction per migration; in one transaction for the run the stop rolls it back, an
/// error), so the run is complete. Says so after the report, so that the exit code of a
/// stopped run (128 plus the signal's number, as for any stop) does not suggest that
/// something is left to run.
pub(crate) fn completed_despite_stop(signal: &str, report: &crate::Report) -> Status {
    eprintln!(
        "note: {signal} came during the last migration of the run, which committed: the run \
         is complete, the database is at {}",
        format::revisions_or_base(&report.current)
    );
    Status::Stopped
}

/// What `failed_run` says after the error: where the database stopped and, when the failed
/// migration could not be rolled back, what the next run will refuse. Both are read from
/// the database again, which may not answer any more (the failure may have been the lost
/// connection itself): then the note says so instead of staying silent. `stopped`: the run
/// was stopped on request rather than by a failure.
fn stopped_notes(
    migrator: &Migrator,
    conn: &mut crate::AnyConnection,
    finished: &[(RevisionId, Direction)],
    stopped: bool,
) -> Vec<String> {
    let rows = match migrator.current(conn) {
        Ok(rows) => rows,
        Err(err) => {
            return vec![format!(
                "cannot read where the database stopped ({err}); a migration may be left \
                 half-applied: run `check` before anything else"
            )];
        }
    };
    let mut notes = vec![format!(
        "the database is now at {}",
        format::revisions_or_base(&rows)
    )];
    // With one transaction for the run, the migrations printed as done before the failure
    // were undone with it: the lines above them do not say so.
    let graph = migrator.set().graph();
    let applied = |id: &RevisionId| {
        rows.iter()
            .any(|row| row == id || graph.is_ancestor(id.as_str(), row.as_str()))
    };
    let undone: Vec<&RevisionId> = finished
        .iter()
        .filter(|(id, direction)| applied(id) != (*direction == Direction::Up))
        .map(|(id, _)| id)
        .collect();
    if !undone.is_empty() {
        notes.push(format!(
            "rolled back {}, although printed above as done: {}",
            if stopped {
                "when the run stopped"
            } else {
                "with the failed migration"
            },
            format::join(undone)
        ));
    }
    // MySQL commits DDL as it goes, and a `transactional = false` migration runs outside any
    // transaction: say now what the next run would refuse to start over.
    if let Ok(check) = migrator.check(conn) {
        let current = migrator.current(conn).ok();
        for entry in &check.interrupted {
            notes.push(format!(
                "the {} of `{}` could not be rolled back: what it did before failing stays in \
                 the database, and later runs refuse to start until it is resolved: {}",
                entry.direction,
                entry.revision,
                crate::error::interrupted_advice(&migrator.options().history_table)
            ));
            notes.extend(
                current
                    .as_deref()
                    .and_then(|rows| format::stamp_choices(migrator.set(), rows, entry)),
            );
        }
    }
    notes
}

/// Advice for errors whose fix is a CLI setting rather than something in the message.
fn hint(err: &Error, advice: &Advice) -> Option<Cow<'static, str>> {
    let backend = advice.backend;
    Some(Cow::Borrowed(match err {
        Error::Connection(err) => {
            return Some(connection_hint(
                &err.to_string(),
                advice.url_origin.as_ref(),
            ));
        }
        // Leaving out a refused TLS mode would give up TLS: not offered as a fix.
        Error::InvalidConnectionOption { option, .. }
            if ["sslmode", "ssl_mode"].contains(&option.to_ascii_lowercase().as_str()) =>
        {
            return Some(url_origin_hint(
                &format!(
                    "fix the URL's `{option}` option as the error says (without it, nothing \
                     makes sure that the connection is encrypted)"
                ),
                advice.url_origin.as_ref(),
            ));
        }
        Error::InvalidConnectionOption { option, .. } => {
            return Some(url_origin_hint(
                &format!("fix or remove the URL's `{option}` option"),
                advice.url_origin.as_ref(),
            ));
        }
        Error::Migration { source, .. } => return hint(source, advice),
        Error::Database(err) => database_hint(&crate::backend::error_text(err))?,
        _ => static_hint(err, backend)?,
    }))
}

/// What to do about a database that could not be reached (the server's message `text`
/// says why), and where to fix its URL: the setting it came from, when known.
fn connection_hint(text: &str, origin: Option<&Origin>) -> Cow<'static, str> {
    let what = if (text.contains("database \"") && text.contains("does not exist"))
        || text.contains("Unknown database")
    {
        "create the database first (PostgreSQL: `createdb NAME`, MySQL: `CREATE DATABASE \
         NAME`), or point the URL at an existing one"
    } else if text.contains("password authentication failed")
        || text.contains("Access denied for user")
    {
        "check the user name and password in the URL, and that this user may connect to that \
         database"
    } else if text.contains("did not encrypt the connection") {
        // A MySQL `ssl_mode=required` connection the server did not encrypt (MariaDB
        // Connector/C, `connection/mysql_tls.rs`).
        "enable TLS on the database server, or point the URL at one that has it"
    } else {
        "check the URL"
    };
    url_origin_hint(what, origin)
}

/// `what` to do about the database URL, and where to do it: the setting the URL came
/// from (`origin`), when known.
fn url_origin_hint(what: &str, origin: Option<&Origin>) -> Cow<'static, str> {
    match origin {
        Some(Origin::Default) => Cow::Borrowed(
            "no database URL is set, so the SQLite file migrate.sqlite3 is used: pass \
             --database-url, or set DATABASE_URL (also read from .env) or `database_url` in \
             migrate.toml",
        ),
        Some(Origin::App) => Cow::Owned(format!(
            "{what}; the URL is the one the application passes in `CliOptions::database_url` \
             (--database-url or DATABASE_URL override it)"
        )),
        Some(origin) => Cow::Owned(format!(
            "{what}; the URL is taken {origin} (`config` shows every setting and where it \
             comes from)"
        )),
        None => Cow::Owned(format!(
            "{what}: --database-url, DATABASE_URL (also read from .env) or `database_url` in \
             migrate.toml (`config` shows which one is used); without any the SQLite file \
             migrate.sqlite3 is used"
        )),
    }
}

/// The hints that depend on the error and the backend alone.
fn static_hint(err: &Error, backend: Option<Backend>) -> Option<&'static str> {
    match err {
        Error::InvalidUrl { .. } => Some(
            "pass --database-url or set DATABASE_URL to sqlite://PATH, \
             postgres://USER@HOST/DB or mysql://USER@HOST/DB",
        ),
        Error::TransactionModeUnsupported { .. } => Some(
            "the mode comes from `--transaction`, else `transaction_mode` in migrate.toml \
                 (`config` shows which); pass `--transaction per-migration`",
        ),
        Error::Stopped { .. } => Some("run the same command again to go on from there"),
        Error::LockTimeout { .. } => Some(match backend {
            Some(Backend::Sqlite) => {
                "wait for the other run to end, then try again; a killed run's lock goes with \
                 its process, so if no run is going on, another connection holds the SQLite \
                 database (a program with a transaction open on the file)"
            }
            Some(Backend::Postgres) => {
                "wait for the other run to end, then try again; if its process was killed, \
                 its server session keeps the lock until the statement it was executing ends \
                 (the server notices the lost client only then): wait for that, or end the \
                 session with `SELECT pg_terminate_backend(<session>)`"
            }
            Some(Backend::Mysql) => {
                "wait for the other run to end, then try again; if its process was killed, \
                 its server session keeps the lock until the statement it was executing ends \
                 (the server notices the lost client only then): wait for that, or end the \
                 session with `KILL <connection>`"
            }
            _ => {
                "wait for the other run to end, then try again; on PostgreSQL and MySQL, the \
                 server session of a killed run keeps the lock until the statement it was \
                 executing ends: wait for that, or end the session (PostgreSQL: \
                 `SELECT pg_terminate_backend(<session>)`, MySQL: `KILL <connection>`)"
            }
        }),
        Error::Irreversible { .. } => Some(
            "downgrade to that revision or above it; or, if the database may keep its changes, \
             move the version table below it without running anything with `stamp REV`",
        ),
        _ => None,
    }
}

/// Advice for database errors whose text names no object, file or fix.
fn database_hint(text: &str) -> Option<&'static str> {
    if text.contains("readonly database") {
        Some(
            "the SQLite file, or the directory holding it (SQLite writes its journal there), \
             is not writable by this user",
        )
    } else if text.contains("file is not a database") {
        Some("the file the database URL names is not a SQLite database; check the path")
    } else if text.contains("database is locked") {
        Some(
            "another connection holds the SQLite database: a migration run keeps it for the \
             whole run; try again when that ends",
        )
    } else if text.starts_with("permission denied for schema") {
        Some(
            "this PostgreSQL user may not create tables in that schema; migrate creates its \
             version and history tables on the first run: grant it CREATE on the schema, or \
             run the first migration as the schema's owner",
        )
    } else if text.starts_with("permission denied for table")
        || text.contains("command denied to user")
    {
        Some(
            "the database user lacks a privilege on that table: grant it (`GRANT SELECT, \
             INSERT, UPDATE, DELETE ON <table> TO <user>`), or run migrations as a user that \
             owns it; every run reads and writes migrate's version and history tables",
        )
    } else {
        None
    }
}

/// How a command that did not fail ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// Exit code 0.
    Success,
    /// Exit code 1: the command ran and found problems (`check`), or a migration failed
    /// and has been reported.
    Problems,
    /// Exit code 128 plus the signal's number: a signal stopped the run between two
    /// migrations, or (a second one) had the statement of the migration in progress
    /// cancelled, which has been reported.
    Stopped,
}

/// What every command works with: the migrations and the global options.
pub(crate) struct Session {
    set: MigrationSet,
    /// What the embedding application set in code.
    app: CliOptions,
    global: GlobalArgs,
    /// Loaded on first use, so that commands needing no settings do not read any file.
    settings: std::cell::OnceCell<Settings>,
    /// The migrations a run of this session has finished (and printed), in order: after a
    /// failure, the ones the rollback undid are named.
    finished: Finished,
}

/// See [`Session::finished`](Session).
type Finished = Arc<Mutex<Vec<(RevisionId, Direction)>>>;

impl Session {
    fn new(set: MigrationSet, app: CliOptions, global: GlobalArgs) -> Self {
        Self {
            set,
            app,
            global,
            settings: std::cell::OnceCell::new(),
            finished: Arc::default(),
        }
    }

    /// The migrations.
    pub(crate) fn set(&self) -> &MigrationSet {
        &self.set
    }

    /// Whether `--verbose` was given.
    pub(crate) fn verbose(&self) -> bool {
        self.global.verbose
    }

    /// The effective settings (flags, environment, `.env`, `migrate.toml`, defaults).
    pub(crate) fn settings(&self) -> Result<&Settings> {
        if let Some(settings) = self.settings.get() {
            return Ok(settings);
        }
        let loaded = Settings::load(self.global.database_url.as_deref(), &self.app)?;
        Ok(self.settings.get_or_init(|| loaded))
    }

    /// The database the command should use.
    pub(crate) fn database(&self) -> Result<Target> {
        self.settings()?.database()
    }

    /// What is known of the database, once the settings have been read and name one.
    fn advice(&self) -> Advice {
        let target = self.settings.get().and_then(|s| s.database().ok());
        Advice {
            backend: target.as_ref().map(|t| t.url.backend()),
            url_origin: target.map(|t| t.source),
        }
    }

    /// [`report`], with the advice for this session's database.
    pub(crate) fn report(&self, err: &Error) -> ExitCode {
        report_on(err, &self.advice())
    }

    /// Whether this session's runs handle SIGINT and SIGTERM
    /// ([`CliOptions::handle_signals`]).
    fn handles_signals(&self) -> bool {
        self.app.handle_signals.unwrap_or(false)
    }

    /// Begins an `upgrade` or `downgrade` on `url`: until the returned run is dropped, and
    /// once a migration has started, SIGINT and SIGTERM stop the returned migrator between
    /// two migrations, and on a server a second one cancels its statement in progress,
    /// when the session handles them. Begun before the command prints the database, so
    /// that a signal after that line meets the run's handling (the interrupt tests rely on
    /// it).
    pub(crate) fn interruptible(
        &self,
        migrator: Migrator,
        url: &crate::DatabaseUrl,
    ) -> (interrupt::Run, Migrator) {
        let run = interrupt::Run::new(self.handles_signals());
        let migrator = run.interruptible(migrator, url);
        (run, migrator)
    }

    /// A migrator over the migrations with `options`, printing one line per migration run.
    /// The table names always come from the settings: no command chooses them. A
    /// `migrate.toml` that cannot be read or understood is an error, not a reason to fall
    /// back to the default table names, which would be the wrong tables.
    pub(crate) fn migrator(&self, mut options: Options) -> Result<Migrator> {
        let configured = self.settings()?.options();
        options.version_table = configured.version_table;
        options.history_table = configured.history_table;
        options.lock_timeout = configured.lock_timeout;
        let finished = Arc::clone(&self.finished);
        let signals = self.handles_signals();
        Ok(Migrator::new(self.set.clone())
            .with_options(options)
            .on_event(move |event| match event {
                // Outside an `upgrade` or `downgrade`, this does nothing.
                Event::Started { .. } => {
                    if signals {
                        interrupt::started();
                    }
                }
                Event::Finished {
                    migration,
                    direction,
                    duration,
                } => {
                    outln!("{}", format::applied_line(migration, *direction, *duration));
                    finished
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .push((migration.id().clone(), *direction));
                }
                // On stderr: a progress remark, not part of the run's report.
                Event::Waiting { lock, timeout } => eprintln!(
                    "waiting for another migration run to release {lock} (at most {})",
                    humantime::format_duration(*timeout)
                ),
            }))
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn embeds_flattened_or_as_a_subcommand() {
        #[derive(Parser)]
        #[command(name = "app")]
        struct Flattened {
            #[command(flatten)]
            migrate: Cli,
        }
        Flattened::command().debug_assert();
        assert_eq!(Flattened::command().get_name(), "app");
        let parsed = Flattened::try_parse_from(["app", "heads", "-v"]).unwrap();
        assert!(matches!(parsed.migrate.command, Command::Heads(_)));

        #[derive(Parser)]
        #[command(name = "app")]
        enum Nested {
            /// Database migrations.
            Db(Cli),
            /// Something else.
            Serve,
        }
        Nested::command().debug_assert();
        let parsed =
            Nested::try_parse_from(["app", "db", "--database-url", "x.db", "upgrade"]).unwrap();
        let Nested::Db(cli) = parsed else {
            panic!("expected the db subcommand");
        };
        assert_eq!(cli.global.database_url.as_deref(), Some("x.db"));
        assert!(matches!(cli.command, Command::Upgrade(_)));
    }

    #[test]
    fn the_application_names_the_program_and_its_version() {
        let default = command(&CliOptions::new());
        assert_eq!(
            default.render_version(),
            format!("migrate {}\n", env!("CARGO_PKG_VERSION"))
        );
        let mut app = command(&CliOptions::new().name("myapp").version("3.1.4"));
        app.clone().debug_assert();
        assert_eq!(app.render_version(), "myapp 3.1.4\n");
        assert!(app.render_help().to_string().contains("Usage: myapp"));
        let matches = app
            .try_get_matches_from(["myapp", "--version"])
            .unwrap_err();
        assert_eq!(matches.kind(), clap::error::ErrorKind::DisplayVersion);
    }

    /// One migration, `a1`, doing nothing.
    fn one_migration() -> MigrationSet {
        MigrationSet::new(vec![crate::Migration::new(
            crate::RevisionId::new("a1").unwrap(),
            crate::MigrationFn::new(|_| Ok(())),
        )])
        .unwrap()
    }

    /// A session whose settings are resolved as in `dir`, without a `migrate.toml`, a
    /// `.env` or `DATABASE_URL`: what the test sees does not depend on where it runs.
    fn session_in(dir: &std::path::Path, set: MigrationSet, app: CliOptions) -> Session {
        let session = Session::new(set, app.clone(), GlobalArgs::default());
        let settings = Settings::resolve(config::Sources {
            cwd: dir.to_path_buf(),
            app,
            ..config::Sources::default()
        })
        .unwrap();
        session.settings.set(settings).unwrap();
        session
    }

    /// Runs `args` (without the program name) in `session`.
    #[cfg(feature = "sqlite")]
    fn run_in(session: Session, args: &[&str]) -> ExitCode {
        let cli = Cli::try_parse_from(std::iter::once(&"myapp").chain(args)).unwrap();
        cli.command.run(session)
    }

    #[cfg(feature = "sqlite")]
    #[test]
    fn the_application_url_and_options_reach_the_commands() {
        use diesel::RunQueryDsl as _;

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.db");
        let url = format!("sqlite://{}", path.display());
        let options = CliOptions::new()
            .database_url(&url)
            .options(Options::default().with_version_table("app_version"));
        let session = || session_in(dir.path(), one_migration(), options.clone());
        assert_eq!(run_in(session(), &["upgrade"]), ExitCode::SUCCESS);

        let mut conn =
            crate::AnyConnection::open(&crate::DatabaseUrl::parse(&url).unwrap()).unwrap();
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            version_num: String,
        }
        let rows: Vec<Row> = diesel::sql_query("SELECT version_num FROM app_version")
            .load(&mut conn)
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].version_num, "a1");
        // `check` reads the same table: a clean database, exit code 0.
        assert_eq!(run_in(session(), &["check"]), ExitCode::SUCCESS);
        // Without the options it would read `migrate_version`, find nothing applied, and fail.
        let plain = session_in(
            dir.path(),
            one_migration(),
            CliOptions::new().database_url(&url),
        );
        assert_eq!(run_in(plain, &["check"]), ExitCode::from(EXIT_FAILURE));
    }

    #[test]
    fn only_a_cli_owning_the_process_handles_signals_unless_told_otherwise() {
        let handles = |options: CliOptions| {
            Session::new(one_migration(), options, GlobalArgs::default()).handles_signals()
        };
        // `Cli::run_with`, `Cli::run`.
        assert!(!handles(CliOptions::new()));
        assert!(handles(CliOptions::new().handle_signals(true)));
        // `main_with`, `main`.
        assert!(handles(CliOptions::new().owning_the_process()));
        assert!(!handles(
            CliOptions::new().handle_signals(false).owning_the_process()
        ));
    }

    #[test]
    fn debug_output_redacts_the_database_url() {
        let options = CliOptions::new()
            .database_url("postgres://app:s3cret@db/app")
            .name("myapp");
        let text = format!("{options:?}");
        assert!(
            text.contains("postgres://app:***@db/app") && text.contains("myapp"),
            "{text}"
        );
        assert!(!text.contains("s3cret"), "{text}");
        let cli = Cli::try_parse_from([
            "migrate",
            "--database-url",
            "mysql://root:s3cret@db/x",
            "current",
        ])
        .unwrap();
        let text = format!("{cli:?}");
        assert!(text.contains("mysql://root:***@db/x"), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
    }

    #[test]
    fn a_connection_error_says_what_to_do_about_a_missing_database_or_credentials() {
        let lines = |text: &str| {
            report_lines(
                &Error::Connection(diesel::ConnectionError::BadConnection(text.into())),
                &Advice::default(),
            )
        };
        // The servers' own words, as libpq and the MariaDB client report them.
        let missing = lines(
            "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  database \
             \"app\" does not exist\n",
        );
        assert_eq!(missing.len(), 2, "{missing:?}");
        assert!(missing[0].ends_with("does not exist"), "{missing:?}");
        assert!(missing[1].contains("createdb NAME"), "{missing:?}");
        let unknown = lines("Unknown database 'app'");
        assert!(unknown[1].contains("CREATE DATABASE NAME"), "{unknown:?}");
        for denied in [
            "Access denied for user 'app'@'127.0.0.1' (using password: YES)",
            "connection to server at \"db\", port 5432 failed: FATAL:  password \
             authentication failed for user \"app\"",
        ] {
            let lines = lines(denied);
            assert!(lines[1].contains("user name and password"), "{lines:?}");
        }
        let refused = lines("connection to server at \"db\", port 1 failed: Connection refused");
        assert!(
            refused[1].contains("config` shows which one"),
            "{refused:?}"
        );
    }

    #[test]
    fn a_range_outside_sql_says_that_only_sql_takes_it() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("app.db").display());
        let session = session_in(
            dir.path(),
            one_migration(),
            CliOptions::new().database_url(&url),
        );
        let parse = |args: &[&str]| {
            Cli::try_parse_from(std::iter::once("myapp").chain(args.iter().copied()))
                .unwrap()
                .command
        };
        let Command::Upgrade(up) = parse(&["upgrade", "a1:head"]) else {
            unreachable!("parsed `upgrade`");
        };
        let err = up.run(&session).unwrap_err();
        assert!(err.is_input_error(), "{err}");
        assert!(
            err.to_string().contains("only `upgrade --sql` takes")
                && err.to_string().ends_with("`upgrade head`"),
            "{err}"
        );
        let Command::Downgrade(down) = parse(&["downgrade", "a1:base"]) else {
            unreachable!("parsed `downgrade`");
        };
        let err = down.run(&session).unwrap_err();
        assert!(err.to_string().ends_with("`downgrade base`"), "{err}");
        // Refused before connecting: no database file was created.
        assert!(!dir.path().join("app.db").exists());
    }

    #[cfg(feature = "sqlite")]
    #[test]
    fn stamp_refuses_an_empty_target_and_leaves_the_version_table() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("app.db").display());
        let session = || {
            session_in(
                dir.path(),
                one_migration(),
                CliOptions::new().database_url(&url),
            )
        };
        let run = |args: &[&str]| {
            let cli = Cli::try_parse_from(std::iter::once("myapp").chain(args.iter().copied()));
            cli.unwrap().command.run(session())
        };
        assert_eq!(run(&["upgrade"]), ExitCode::SUCCESS);
        for args in [&["stamp", ""][..], &["stamp", "--purge", " "]] {
            let Command::Stamp(stamp) =
                Cli::try_parse_from(std::iter::once("myapp").chain(args.iter().copied()))
                    .unwrap()
                    .command
            else {
                unreachable!("parsed `stamp`");
            };
            let err = stamp.run(&session()).unwrap_err();
            assert!(
                matches!(err, Error::Plan(migrate_core::PlanError::EmptyTarget)),
                "{err:?}"
            );
            assert!(err.is_input_error());
        }
        let set = one_migration();
        let head = set.graph().heads()[0].clone();
        let mut conn =
            crate::AnyConnection::open(&crate::DatabaseUrl::parse(&url).unwrap()).unwrap();
        let current = crate::Migrator::new(set).current(&mut conn).unwrap();
        assert_eq!(current, vec![head]);
    }

    #[cfg(feature = "sqlite")]
    #[test]
    fn a_lock_timeout_gets_the_advice_of_its_backend() {
        use diesel::connection::SimpleConnection as _;

        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("app.db").display());
        // Another connection writing: the run's exclusive lock of the file waits for it.
        let mut other =
            crate::AnyConnection::open(&crate::DatabaseUrl::parse(&url).unwrap()).unwrap();
        other
            .batch_execute("CREATE TABLE t (x INTEGER); BEGIN IMMEDIATE; INSERT INTO t VALUES (1)")
            .unwrap();
        let options = CliOptions::new()
            .database_url(&url)
            .options(Options::default().with_lock_timeout(std::time::Duration::from_millis(50)));
        let session = session_in(dir.path(), one_migration(), options);
        let Command::Upgrade(args) = Cli::try_parse_from(["myapp", "upgrade"]).unwrap().command
        else {
            unreachable!("parsed `upgrade`");
        };
        let err = args.run(&session).unwrap_err();
        assert!(matches!(err, Error::LockTimeout { .. }), "{err:?}");
        let lines = report_lines(&err, &session.advice());
        let advice = lines.last().unwrap();
        assert!(
            advice.starts_with("hint: ") && advice.contains("another connection holds the SQLite"),
            "{lines:?}"
        );
        for server in ["server", "pg_terminate_backend", "KILL"] {
            assert!(!advice.contains(server), "{lines:?}");
        }
        // On a server, the way to end the session holding the lock.
        for (backend, fix) in [
            (Backend::Postgres, "pg_terminate_backend(<session>)"),
            (Backend::Mysql, "KILL <connection>"),
        ] {
            let advice = hint(
                &err,
                &Advice {
                    backend: Some(backend),
                    url_origin: None,
                },
            )
            .unwrap();
            assert!(
                advice.contains("server session") && advice.contains(fix),
                "{advice}"
            );
        }
        // Without a known backend (`report`), both, each named.
        let advice = hint(&err, &Advice::default()).unwrap();
        assert!(advice.contains("on PostgreSQL and MySQL"), "{advice}");
    }

    #[test]
    fn a_connection_error_names_the_setting_its_url_came_from() {
        let err = Error::Connection(diesel::ConnectionError::BadConnection(
            "connection refused".into(),
        ));
        let advice = |url_origin| {
            hint(
                &err,
                &Advice {
                    backend: None,
                    url_origin,
                },
            )
            .unwrap()
            .into_owned()
        };
        let app = advice(Some(Origin::App));
        assert!(app.contains("CliOptions::database_url"), "{app}");
        let env = advice(Some(Origin::Env(config::URL_VAR)));
        assert!(
            env.starts_with("check the URL; the URL is taken from DATABASE_URL"),
            "{env}"
        );
        let file = advice(Some(Origin::File("/p/migrate.toml".into())));
        assert!(
            file.contains("the URL is taken from /p/migrate.toml"),
            "{file}"
        );
        let default = advice(Some(Origin::Default));
        assert!(default.contains("no database URL is set"), "{default}");
        // Without a session (`report`): every place a URL may come from.
        let unknown = advice(None);
        assert!(
            unknown.contains("--database-url") && unknown.contains("migrate.toml"),
            "{unknown}"
        );
    }

    #[cfg(feature = "postgres")]
    #[test]
    fn a_session_reports_where_the_url_it_could_not_reach_came_from() {
        let dir = tempfile::tempdir().unwrap();
        // Port 1: nothing listens there, the connection is refused at once.
        let options = CliOptions::new().database_url("postgres://app:s3cret@127.0.0.1:1/app");
        let session = session_in(dir.path(), one_migration(), options);
        let Command::Upgrade(args) = Cli::try_parse_from(["myapp", "upgrade"]).unwrap().command
        else {
            unreachable!("parsed `upgrade`");
        };
        let err = args.run(&session).unwrap_err();
        assert!(matches!(err, Error::Connection(_)), "{err:?}");
        let lines = report_lines(&err, &session.advice());
        assert!(
            lines.last().unwrap().contains("CliOptions::database_url"),
            "{lines:?}"
        );
        assert!(!lines.concat().contains("s3cret"), "{lines:?}");
    }

    #[test]
    fn targets_may_start_with_a_dash() {
        let cli = Cli::try_parse_from(["migrate", "downgrade", "-1"]).unwrap();
        assert!(matches!(cli.command, Command::Downgrade(_)));
    }

    #[cfg(feature = "sqlite")]
    #[test]
    fn after_a_failure_a_database_that_cannot_be_read_gets_a_note_too() {
        use diesel::connection::SimpleConnection as _;

        let noop = || crate::MigrationFn::new(|_| Ok(()));
        let id = |s: &str| crate::RevisionId::new(s).unwrap();
        let set = MigrationSet::new(vec![crate::Migration::new(id("a1"), noop())]).unwrap();
        let migrator = Migrator::new(set);
        let url = crate::DatabaseUrl::parse("sqlite://:memory:").unwrap();
        let mut conn = crate::AnyConnection::open(&url).unwrap();
        migrator.upgrade(&mut conn, "head").unwrap();
        let notes = stopped_notes(&migrator, &mut conn, &[], false);
        assert_eq!(notes, ["the database is now at a1"]);
        // Printed as applied, yet not applied: undone by the rollback of the run.
        let notes = stopped_notes(&migrator, &mut conn, &[(id("a1"), Direction::Down)], false);
        assert_eq!(
            notes[1],
            "rolled back with the failed migration, although printed above as done: a1"
        );
        // The version table cannot be read any more (the lost connection of a real failure).
        conn.batch_execute("DROP TABLE migrate_version; CREATE TABLE migrate_version (x INT)")
            .unwrap();
        let notes = stopped_notes(&migrator, &mut conn, &[], false);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].starts_with("cannot read where the database stopped")
                && notes[0].contains("run `check`"),
            "{notes:?}"
        );
    }

    #[test]
    fn database_errors_without_a_fix_get_one() {
        for text in [
            "attempt to write a readonly database",
            "file is not a database",
            "database is locked",
            "permission denied for schema public",
            "permission denied for table migrate_version",
            "INSERT command denied to user 'app'@'localhost' for table `test`.`migrate_history`",
        ] {
            assert!(database_hint(text).is_some(), "{text}");
        }
        assert_eq!(database_hint("syntax error"), None);
        // Through a failed migration too.
        let failed = Error::Migration {
            revision: crate::RevisionId::new("a1").unwrap(),
            direction: Direction::Down,
            message: String::new(),
            source: Box::new(Error::Database(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::Unknown,
                Box::new("attempt to write a readonly database".to_owned()),
            ))),
        };
        assert!(hint(&failed, &Advice::default()).is_some_and(|h| h.contains("not writable")));
    }

    #[test]
    fn database_url_is_global() {
        let cli =
            Cli::try_parse_from(["migrate", "current", "--database-url", "sqlite://x.db"]).unwrap();
        assert_eq!(cli.global.database_url.as_deref(), Some("sqlite://x.db"));
    }
}
