//! The executor: applies the planner's steps to a database under a lock, one transaction
//! per migration (or one for the run), and records every step in the history table.
//!
//! The flow of `upgrade` and `downgrade`:
//! 1. Read the version table and plan (one query; a missing table reads as empty). An empty
//!    plan returns here: no lock, no DDL.
//! 2. Take the runner lock (PostgreSQL advisory lock, MySQL `GET_LOCK`, the SQLite file's
//!    exclusive lock; SQLite in WAL mode serializes each write transaction with
//!    `BEGIN IMMEDIATE` instead). When another SQLite run's lock kept step 1 from reading,
//!    planning waits for this step. The statement taking the lock on PostgreSQL and MySQL
//!    also reads where the bookkeeping tables named without a schema are (or will be
//!    created), and the run names them with that schema from then on: a migration's
//!    `SET search_path` or `USE` cannot move them. Releasing the lock sets the path (or
//!    database) back. The bookkeeping tables are created if needed: on MySQL
//!    here, elsewhere inside the first migration's transaction, so that a first run that
//!    fails or dies leaves no empty tables behind.
//! 3. Re-read the version table, refuse if an unresolved interrupted run is recorded, and
//!    plan again: another runner may have done the work meanwhile.
//! 4. Run each step: the migration's code, the version-table delta and a history row commit
//!    together. Where that cannot be atomic (MySQL's implicit DDL commits, or a migration
//!    marked non-transactional), a `running` history row is committed first and updated to
//!    `succeeded` or `failed` afterwards, so a crash or failure cannot go unnoticed.
//!    Later runs refuse with [`Error::Interrupted`] until `stamp` resolves the row.
//!    Under a session lock the plan cannot change between steps, so a step's commit also
//!    prepares the next step: it writes the next `running` row when one is needed (on
//!    MySQL every step needs one: one durable commit per migration instead of two), or
//!    else begins the next transaction in the same round trip (`COMMIT; BEGIN`). On
//!    PostgreSQL the version-table delta and the history row are one statement, so a
//!    migration costs its own SQL plus two round trips.
//!
//! On SQLite, when foreign-key enforcement is on, the run turns it off (SQLite ignores the
//! switch inside a transaction, and a table rebuild drops the old table, which would fire
//! the `ON DELETE` actions of the tables referencing it) and every migration runs
//! `PRAGMA foreign_key_check` before it commits, so violations still fail the migration;
//! the actions themselves (`CASCADE`, `SET NULL`) do not fire for rows a migration
//! deletes. Enforcement is turned back on when the run ends.
//!
//! SQLite in WAL mode has no lock held for the run: between two steps another runner may
//! take the write lock and move the version table. Each step transaction reads
//! `PRAGMA data_version` (a cheaper statement than the read of the version table), and
//! reads the version table again, and plans again, only when that shows another
//! connection committed since the previous step.
//!
//! A non-transactional migration on SQLite in WAL mode gives up the write lock
//! while it runs, leaving its `running` history row visible. A runner (one transaction per
//! migration) that meets such a row waits for it to finish, polling, and calls the run
//! interrupted only when the row is still `running` after [`Options::lock_timeout`]: a
//! runner that died is then reported that much later than on the other backends.
//!
//! A transactional migration must not end the transaction it runs in (on SQLite and
//! PostgreSQL; on MySQL the `running` row covers it). [`MigrationContext::execute`]
//! refuses raw SQL holding transaction control before it runs; what is sent through
//! `ctx.connection()` is found afterwards from diesel's transaction state, which costs no
//! statement, and the migration is recorded as failed ([`Error::TransactionEnded`]).
//!
//! Known limits: in [`TransactionMode::All`] on SQLite in WAL mode a runner meeting
//! another runner's `running` row stops with [`Error::Interrupted`] instead of waiting. On
//! MySQL every failure blocks later runs, even one InnoDB rolled back completely (a pure
//! data change): the executor cannot tell the two apart.

use std::collections::{BTreeMap, VecDeque};
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use diesel::connection::TransactionManager;

use crate::store::{NewHistory, StepRecord, Store};
use crate::{
    AnyConnection, DatabaseUrl, Direction, Error, HistoryEntry, HistoryStatus, LendConnection,
    Migration, MigrationContext, MigrationSet, Options, Result, RevisionId, TransactionMode,
};

/// Progress of a run, delivered to the callback given to [`Migrator::on_event`].
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// A migration is about to run.
    Started {
        /// The migration.
        migration: &'a Migration,
        /// Whether it is being applied or reverted.
        direction: Direction,
    },
    /// Another runner holds the lock that serialises runs (PostgreSQL, MySQL), or, on
    /// SQLite in WAL mode, another run's migration is marked `running` (a
    /// `transactional = false` one, in progress or left by a run that died): this one
    /// waits for it, at most `timeout`. Sent once, before the wait.
    Waiting {
        /// What the run waits for, named for people, with the session holding it when the
        /// server can tell (`the PostgreSQL advisory lock for `migrate_version`, held by
        /// session 4242 (...)`; on SQLite, the migration marked `running`).
        lock: &'a str,
        /// How long the run waits before it gives up.
        timeout: Duration,
    },
    /// A migration ran and its transaction committed (in [`TransactionMode::All`]: it ran;
    /// the commit comes at the end of the run).
    Finished {
        /// The migration.
        migration: &'a Migration,
        /// Whether it was applied or reverted.
        direction: Direction,
        /// How long its code and bookkeeping took.
        duration: Duration,
    },
}

/// One migration that a run applied or reverted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AppliedStep {
    /// The revision.
    pub revision: RevisionId,
    /// Whether it was applied or reverted.
    pub direction: Direction,
    /// The migration's message.
    pub message: String,
    /// How long it took.
    pub duration: Duration,
}

/// What a run did, in order, and where it left the database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Report {
    /// The steps, in the order they ran; empty when the database was already at the target.
    pub steps: Vec<AppliedStep>,
    /// The version table's rows after the run, sorted, as [`Migrator::current`] would
    /// return them; known without another query (the run's last read and its own changes).
    pub current: Vec<RevisionId>,
}

/// One line, as the CLI prints a finished migration: direction, revision, message and
/// duration (`upgrade   0002_add_email  Add email to users  (1.2ms)`).
impl std::fmt::Display for AppliedStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        step_line(
            f,
            self.direction,
            &self.revision,
            &self.message,
            self.duration,
        )
    }
}

/// A finished migration's line for a log, without an allocation when nobody listens.
struct DisplayStep<'a>(&'a Migration, Direction, Duration);

impl std::fmt::Display for DisplayStep<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let DisplayStep(migration, direction, duration) = *self;
        step_line(f, direction, migration.id(), migration.message(), duration)
    }
}

/// Writes the line of one finished step; shared with the CLI's progress lines.
pub(crate) fn step_line(
    f: &mut impl std::fmt::Write,
    direction: Direction,
    revision: &RevisionId,
    message: &str,
    duration: Duration,
) -> std::fmt::Result {
    // `Direction`'s Display ignores width, so pad the rendered text.
    write!(f, "{:<9} {revision}", direction.to_string())?;
    if !message.is_empty() {
        write!(f, "  {message}")?;
    }
    write!(f, "  ({duration:.1?})")
}

/// One line for a log: how many migrations ran, the first and last of them, and where the
/// database is now (`applied 3 migrations, 0001_create_users to 0003_add_index; now at
/// 0003_add_index`, or `nothing to do; at 0003_add_index`). The alternate form (`{:#}`)
/// puts each step's line (see [`AppliedStep`]) before it.
///
#[cfg_attr(feature = "sqlite", doc = "```")]
#[cfg_attr(not(feature = "sqlite"), doc = "```no_run")]
/// # use migrate_runtime::{AnyConnection, DatabaseUrl, Migration, MigrationFn, MigrationSet, Migrator, RevisionId};
/// # let create = Migration::new(
/// #     RevisionId::new("0001_create_users")?,
/// #     MigrationFn::new(|ctx| ctx.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")),
/// # )
/// # .with_message("Create users");
/// # let migrator = Migrator::new(MigrationSet::new(vec![create])?);
/// # let mut conn = AnyConnection::open(&DatabaseUrl::parse(":memory:")?)?;
/// let report = migrator.upgrade(&mut conn, "heads")?;
/// assert_eq!(
///     report.to_string(),
///     "applied 1 migration, 0001_create_users; now at 0001_create_users"
/// );
/// assert!(format!("{report:#}").starts_with("upgrade   0001_create_users  Create users  ("));
/// let again = migrator.upgrade(&mut conn, "heads")?;
/// assert_eq!(again.to_string(), "nothing to do; at 0001_create_users");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = revisions_or_base(&self.current);
        let (Some(first), Some(last)) = (self.steps.first(), self.steps.last()) else {
            return write!(f, "nothing to do; at {at}");
        };
        if f.alternate() {
            for step in &self.steps {
                writeln!(f, "{step}")?;
            }
        }
        let verb = if self.steps.iter().all(|s| s.direction == Direction::Up) {
            "applied"
        } else if self.steps.iter().all(|s| s.direction == Direction::Down) {
            "reverted"
        } else {
            "ran"
        };
        let n = self.steps.len();
        write!(
            f,
            "{verb} {n} migration{}, {}",
            if n == 1 { "" } else { "s" },
            first.revision
        )?;
        if n > 1 {
            write!(f, " to {}", last.revision)?;
        }
        write!(f, "; now at {at}")
    }
}

/// `a, b` for version-table rows, `<base>` when there are none: how a report, and the CLI,
/// name where the database is.
pub(crate) fn revisions_or_base(rows: &[RevisionId]) -> String {
    if rows.is_empty() {
        "<base>".to_owned()
    } else {
        rows.iter()
            .map(RevisionId::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A recorded checksum that differs from the code's.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChecksumChange {
    /// The revision.
    pub revision: RevisionId,
    /// The checksum recorded when it was applied.
    pub recorded: String,
    /// The checksum of the code now.
    pub current: String,
}

/// How the database compares with the code; see [`Migrator::check`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CheckReport {
    /// Revisions an `upgrade heads` would apply, in order.
    pub pending: Vec<RevisionId>,
    /// Version-table rows no migration of the code has.
    pub unknown: Vec<String>,
    /// Applied migrations whose code changed since.
    pub changed: Vec<ChecksumChange>,
    /// Runs that stopped without a full rollback and that nobody resolved yet.
    pub interrupted: Vec<HistoryEntry>,
}

impl CheckReport {
    /// Whether the database is at the code's heads with nothing unknown, changed or
    /// interrupted.
    pub fn is_clean(&self) -> bool {
        self.pending.is_empty()
            && self.unknown.is_empty()
            && self.changed.is_empty()
            && self.interrupted.is_empty()
    }
}

type Listener = Arc<dyn Fn(&Event<'_>) + Send + Sync>;

/// See [`Migrator::on_session`].
type SessionHook = Arc<dyn Fn(i64) + Send + Sync>;

/// Applies a [`MigrationSet`] to databases.
///
/// Cheap to clone; one `Migrator` can serve many connections and threads.
#[derive(Clone)]
pub struct Migrator {
    set: MigrationSet,
    options: Options,
    listener: Option<Listener>,
    stop: Option<Arc<AtomicBool>>,
    session: Option<SessionHook>,
}

impl std::fmt::Debug for Migrator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Migrator")
            .field("set", &self.set)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// Which way a run goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Upgrade,
    Downgrade,
}

impl Migrator {
    /// A migrator for `set` with default [`Options`].
    pub fn new(set: MigrationSet) -> Self {
        Self {
            set,
            options: Options::default(),
            listener: None,
            stop: None,
            session: None,
        }
    }

    /// Replaces the options.
    pub fn with_options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// Calls `f` as each migration starts and finishes.
    pub fn on_event(mut self, f: impl Fn(&Event<'_>) + Send + Sync + 'static) -> Self {
        self.listener = Some(Arc::new(f));
        self
    }

    /// Stops a run between two migrations once `flag` is set: the migration running then
    /// finishes (commits, or fails and rolls back) and the run returns
    /// [`Error::Stopped`] instead of going on. In [`TransactionMode::All`] the run's
    /// transaction is rolled back, as after a failure, also when the flag is set during
    /// the run's last migration: the run's commit is not made. In
    /// [`TransactionMode::PerMigration`] the last migration commits as any other, and
    /// the run, which has nothing left to stop, returns its report: the flag, still set,
    /// tells the caller that a stop was asked (the CLI exits with 130 or 143 after such a
    /// run, saying that it is complete). A flag already set when a run
    /// starts stops it before its first migration, after it has taken the lock: no
    /// migration runs and the version table stays as it was, but on MySQL, where DDL
    /// commits at once, the bookkeeping tables are created first if they do not exist. A
    /// run with nothing to do returns its report without looking at the flag.
    ///
    /// For a graceful stop on a signal: the CLI sets such a flag on SIGINT and SIGTERM.
    pub fn stop_on(mut self, flag: Arc<AtomicBool>) -> Self {
        self.stop = Some(flag);
        self
    }

    /// Calls `f` with the server session of the run's connection (PostgreSQL's backend
    /// process id, MySQL's connection id) when a run takes its lock, which the statement
    /// taking it reads anyway: the CLI's second signal cancels that session's statement
    /// (`cli/interrupt.rs`). Not called on SQLite, nor by a run with nothing to do, which
    /// takes no lock. Called under the lock, before the first migration starts.
    #[cfg(feature = "cli")]
    pub(crate) fn on_session(mut self, f: impl Fn(i64) + Send + Sync + 'static) -> Self {
        self.session = Some(Arc::new(f));
        self
    }

    /// Whether the run should stop before its next migration.
    fn stop_requested(&self) -> bool {
        self.stop
            .as_ref()
            .is_some_and(|flag| flag.load(Ordering::SeqCst))
    }

    /// The migrations.
    pub fn set(&self) -> &MigrationSet {
        &self.set
    }

    /// The options.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Applies migrations until the database is at `target` (`head`, `heads`, a revision,
    /// a branch label, `+2`, ...). Already there: one query, nothing else.
    ///
    /// `conn` is an [`AnyConnection`] or the application's own diesel connection (see
    /// [`LendConnection`]: `&mut *pool.get()?` runs on a pooled one), outside any
    /// transaction: the run commits each migration itself, so a connection inside
    /// `conn.transaction(..)` or a test transaction is refused with
    /// [`Error::TransactionOpen`] before anything is read. So are [`Migrator::downgrade`],
    /// [`Migrator::stamp`], [`Migrator::stamp_purge`] and [`Migrator::accept_changes`];
    /// [`Migrator::current`], [`Migrator::history`] and [`Migrator::check`] only read and
    /// may run inside a transaction.
    pub fn upgrade(&self, conn: &mut impl LendConnection, target: &str) -> Result<Report> {
        conn.lend(|conn| self.run(conn, Kind::Upgrade, target))
    }

    /// Reverts migrations until the database is at `target` (`base`, a revision, `-1`,
    /// ...). Refused before anything runs when an irreversible migration is in the way.
    pub fn downgrade(&self, conn: &mut impl LendConnection, target: &str) -> Result<Report> {
        conn.lend(|conn| self.run(conn, Kind::Downgrade, target))
    }

    /// Opens `url` and applies migrations up to `target`: what an application that
    /// migrates on start calls.
    pub fn upgrade_url(&self, url: &str, target: &str) -> Result<Report> {
        let url = DatabaseUrl::parse(url)?;
        let mut conn = AnyConnection::open(&url)?;
        self.upgrade(&mut conn, target)
    }

    /// Sets the version table to `target` without running any migration, and returns its
    /// rows afterwards. Also resolves interrupted runs recorded in the history table: after
    /// a failure that could not be rolled back, repair the schema by hand and stamp the
    /// revision it now matches.
    ///
    /// The history records one [`HistoryStatus::Stamped`] row per revision stamped: an
    /// `upgrade` row per version row added, a `downgrade` row per version row removed and
    /// not below an added one, or, when the stamp changes nothing, an `upgrade` row per
    /// revision it confirmed. An `upgrade` row carries the code's checksum: a stamp says the
    /// schema matches this code, so [`Migrator::check`] compares later edits with it. The
    /// interrupted rows it resolves become [`HistoryStatus::Resolved`] in place, keeping
    /// their error.
    pub fn stamp(&self, conn: &mut impl LendConnection, target: &str) -> Result<Vec<RevisionId>> {
        conn.lend(|conn| self.stamp_rows(conn, target, false))
    }

    /// [`Migrator::stamp`] on an empty version table: every row is deleted first, whatever
    /// it holds, and the target is stamped as on a fresh database (Alembic's
    /// `stamp --purge`). The repair for a table no run leaves behind: a row no migration of
    /// this set declares, a row that is no valid id, or a revision listed with its own
    /// descendant. The history records a stamped `downgrade` row per row removed (under
    /// its text as it was) and a stamped `upgrade` row per row added.
    pub fn stamp_purge(
        &self,
        conn: &mut impl LendConnection,
        target: &str,
    ) -> Result<Vec<RevisionId>> {
        conn.lend(|conn| self.stamp_rows(conn, target, true))
    }

    fn stamp_rows(
        &self,
        conn: &mut AnyConnection,
        target: &str,
        purge: bool,
    ) -> Result<Vec<RevisionId>> {
        refuse_transaction(conn, if purge { "stamp_purge" } else { "stamp" })?;
        self.options.validate()?;
        let store = Store::new(conn, &self.options);
        let graph = self.set.graph();
        // Like `run`, plan before locking: a bad target (`+1`, a typo) is refused before
        // the bookkeeping tables are created. Planned again under the lock below.
        if purge {
            graph.plan_stamp(&[], target)?;
        } else if let Some(current) = self.versions_unlocked(conn, &store)? {
            graph.plan_stamp(&current, target)?;
        }
        self.locked(conn, &store, |conn, store, _| {
            let now = crate::time::now();
            self.begin_write(conn, store)?;
            let rows = store.versions(conn)?.unwrap_or_default();
            let (current, purged) = if purge {
                (Vec::new(), rows)
            } else {
                (parse_rows(rows)?, Vec::new())
            };
            let after = graph.plan_stamp(&current, target)?;
            let removed: Vec<RevisionId> = current
                .iter()
                .filter(|id| !after.contains(id))
                .cloned()
                .collect();
            let added: Vec<RevisionId> = after
                .iter()
                .filter(|id| !current.contains(id))
                .cloned()
                .collect();
            if purge {
                store.clear_versions(conn)?;
            }
            store.apply_delta(conn, &removed, &added)?;
            // The interrupted runs the stamp resolves keep their rows, marked resolved: the
            // revision they name was not applied by this stamp (the operator may have
            // undone it and stamped its parent).
            for entry in store.interrupted(conn)? {
                store.resolve_history(conn, entry.id)?;
            }
            // One `stamped` row per revision stamped: each row added, and each row removed
            // that is not below a new one (`a` replaced by its child `b` is still applied,
            // so it gets none). A stamp that changes nothing (resolving a failure, say)
            // records the revisions it confirmed. A purge records every row it deleted
            // that is not stamped again.
            let mut stamped: Vec<(&str, Direction)> = added
                .iter()
                .map(|id| (id.as_str(), Direction::Up))
                .collect();
            stamped.extend(
                removed
                    .iter()
                    .filter(|old| {
                        !after
                            .iter()
                            .any(|new| graph.is_ancestor(old.as_str(), new.as_str()))
                    })
                    .map(|id| (id.as_str(), Direction::Down)),
            );
            stamped.extend(
                purged
                    .iter()
                    .filter(|old| !after.iter().any(|new| new.as_str() == old.as_str()))
                    .map(|old| (old.as_str(), Direction::Down)),
            );
            if added.is_empty() && removed.is_empty() && purged.is_empty() {
                stamped.extend(after.iter().map(|id| (id.as_str(), Direction::Up)));
            }
            for (revision, direction) in stamped {
                // A stamp says the schema matches this code: an `upgrade` row carries the
                // code's checksum, so that `check` takes an edited migration, once stamped,
                // as accepted.
                let checksum = match direction {
                    Direction::Up => self.set.get(revision).and_then(Migration::checksum),
                    Direction::Down => None,
                };
                store.insert_history(
                    conn,
                    &NewHistory::stamped(revision, direction, checksum, &now),
                )?;
            }
            commit(conn)?;
            parse_rows(store.versions(conn)?.unwrap_or_default())
        })
    }

    /// The version table's rows (the applied heads); empty when there is no table.
    pub fn current(&self, conn: &mut impl LendConnection) -> Result<Vec<RevisionId>> {
        conn.lend(|conn| self.current_rows(conn))
    }

    fn current_rows(&self, conn: &mut AnyConnection) -> Result<Vec<RevisionId>> {
        self.options.validate()?;
        let store = Store::new(conn, &self.options);
        parse_rows(store.versions(conn)?.unwrap_or_default())
    }

    /// The history table's rows, oldest first; empty when there is no table.
    pub fn history(&self, conn: &mut impl LendConnection) -> Result<Vec<HistoryEntry>> {
        conn.lend(|conn| self.history_rows(conn))
    }

    fn history_rows(&self, conn: &mut AnyConnection) -> Result<Vec<HistoryEntry>> {
        self.options.validate()?;
        Store::new(conn, &self.options).history(conn)
    }

    /// Compares the database with the code: pending migrations, version rows the code does
    /// not know, applied migrations whose checksum changed, and interrupted runs. Reads
    /// only; creates nothing.
    pub fn check(&self, conn: &mut impl LendConnection) -> Result<CheckReport> {
        conn.lend(|conn| self.check_rows(conn))
    }

    fn check_rows(&self, conn: &mut AnyConnection) -> Result<CheckReport> {
        self.options.validate()?;
        let store = Store::new(conn, &self.options);
        let rows = store.versions(conn)?.unwrap_or_default();
        let (known, unknown): (Vec<String>, Vec<String>) =
            rows.into_iter().partition(|id| self.set.get(id).is_some());
        let known = parse_rows(known)?;
        let pending = self
            .set
            .graph()
            .plan_upgrade(&known, "heads")?
            .steps
            .into_iter()
            .map(|step| step.revision)
            .collect();

        let history = store.history(conn)?;
        // Replaying the history gives the checksum each still-applied revision had when it
        // was applied, or last stamped.
        let mut applied: BTreeMap<&str, Option<&str>> = BTreeMap::new();
        for entry in history
            .iter()
            .filter(|e| matches!(e.status, HistoryStatus::Succeeded | HistoryStatus::Stamped))
        {
            match entry.direction {
                Direction::Up => applied.insert(&entry.revision, entry.checksum.as_deref()),
                Direction::Down => applied.remove(entry.revision.as_str()),
            };
        }
        let changed = applied
            .into_iter()
            .filter_map(|(revision, recorded)| {
                let migration = self.set.get(revision)?;
                let (recorded, current) = (recorded?, migration.checksum()?);
                (recorded != current).then(|| ChecksumChange {
                    revision: migration.id().clone(),
                    recorded: recorded.to_owned(),
                    current: current.to_owned(),
                })
            })
            .collect();

        Ok(CheckReport {
            pending,
            unknown,
            changed,
            interrupted: store.interrupted(conn)?,
        })
    }

    /// Accepts the current code of every applied migration that [`Migrator::check`]
    /// reports as changed (an edit that leaves the schema as the migration left it: a
    /// comment, an offline fallback): records a stamped `upgrade` history row carrying the
    /// code's checksum for each, without touching the version table or running anything.
    /// Returns the revisions accepted.
    pub fn accept_changes(&self, conn: &mut impl LendConnection) -> Result<Vec<RevisionId>> {
        conn.lend(|conn| self.accept_changed(conn))
    }

    fn accept_changed(&self, conn: &mut AnyConnection) -> Result<Vec<RevisionId>> {
        refuse_transaction(conn, "accept_changes")?;
        self.options.validate()?;
        let store = Store::new(conn, &self.options);
        self.locked(conn, &store, |conn, store, _| {
            let changed = self.check(conn)?.changed;
            let now = crate::time::now();
            self.begin_write(conn, store)?;
            for change in &changed {
                store.insert_history(
                    conn,
                    &NewHistory::stamped(
                        change.revision.as_str(),
                        Direction::Up,
                        Some(&change.current),
                        &now,
                    ),
                )?;
            }
            commit(conn)?;
            Ok(changed.into_iter().map(|c| c.revision).collect())
        })
    }

    /// The version table as read before taking the lock, or `None` when another runner's
    /// lock kept it from being read for as long as the connection waits (a SQLite run
    /// holds the file exclusively): the caller then queues for the lock, and reads and
    /// plans under it.
    fn versions_unlocked(
        &self,
        conn: &mut AnyConnection,
        store: &Store,
    ) -> Result<Option<Vec<RevisionId>>> {
        match store.versions(conn) {
            Ok(rows) => Ok(Some(parse_rows(rows.unwrap_or_default())?)),
            Err(Error::Database(err)) if store.dialect.is_lock_timeout(&err) => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// Begins a write transaction; on SQLite in WAL mode this is where runners queue. The
    /// run's first one creates the bookkeeping tables if they do not exist
    /// ([`Store::ensure_tables`]): where DDL is transactional they are then created and
    /// committed together with the first migration (or stamp), so that a first run that
    /// fails, or is killed, leaves nothing behind.
    fn begin_write(&self, conn: &mut AnyConnection, store: &Store) -> Result<()> {
        let dialect = store.dialect;
        dialect.begin_write(conn).map_err(|err| {
            if dialect.is_lock_timeout(&err) {
                Error::LockTimeout {
                    waited: self.options.lock_timeout,
                    what: "the SQLite write lock".into(),
                }
            } else {
                err.into()
            }
        })?;
        store.ensure_tables(conn)
    }

    fn emit(&self, event: Event<'_>) {
        match &event {
            Event::Started {
                migration,
                direction,
            } => tracing::debug!(
                revision = %migration.id(),
                %direction,
                "{direction} of {} started",
                migration.id()
            ),
            Event::Finished {
                migration,
                direction,
                duration,
            } => tracing::info!(
                revision = %migration.id(),
                %direction,
                duration_ms = duration.as_secs_f64() * 1000.0,
                "{}",
                DisplayStep(migration, *direction, *duration)
            ),
            Event::Waiting { lock, timeout } => tracing::info!(
                timeout_s = timeout.as_secs_f64(),
                "waiting for another migration run to release {lock}"
            ),
        }
        if let Some(listener) = &self.listener {
            listener(&event);
        }
    }

    /// [`Migrator::emit`] while `claim`, a `running` history row written ahead for a
    /// migration that has not started, is committed: should the listener or a `tracing`
    /// subscriber panic, the row is deleted before the panic goes on, as when the run stops
    /// there (left, it would make every later run refuse, naming a migration that never
    /// ran).
    fn emit_claimed(
        &self,
        conn: &mut AnyConnection,
        store: &Store,
        event: Event<'_>,
        claim: Option<i64>,
    ) {
        let Some(id) = claim else {
            return self.emit(event);
        };
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| self.emit(event))) {
            rollback_all(conn);
            let _ = store
                .delete_history(conn, id)
                .and_then(|()| store.dialect.commit_loose(conn));
            resume_unwind(payload);
        }
    }

    /// Plans `kind` to `target` from `current`, refusing a downgrade through an
    /// irreversible migration before anything runs.
    fn plan(
        &self,
        kind: Kind,
        current: &[RevisionId],
        target: &str,
    ) -> Result<VecDeque<migrate_core::Step>> {
        let graph = self.set.graph();
        let plan = match kind {
            Kind::Upgrade => graph.plan_upgrade(current, target)?,
            Kind::Downgrade => graph.plan_downgrade(current, target)?,
        };
        self.refuse_irreversible(&plan.steps)?;
        Ok(plan.steps.into())
    }

    /// Refuses `steps` when one reverts a migration without a downgrade, before anything
    /// runs (online and offline).
    pub(crate) fn refuse_irreversible(&self, steps: &[migrate_core::Step]) -> Result<()> {
        for step in steps {
            let reversible = self
                .set
                .get(step.revision.as_str())
                .is_some_and(|m| m.downgrade().is_some());
            if step.direction == Direction::Down && !reversible {
                return Err(Error::Irreversible {
                    revision: step.revision.clone(),
                });
            }
        }
        Ok(())
    }

    /// [`Migrator::run_plan`], and its outcome logged: the report, or the error (a stop
    /// on request at `warn`, anything else at `error`), with the revision and direction
    /// of the migration it names, if any.
    fn run(&self, conn: &mut AnyConnection, kind: Kind, target: &str) -> Result<Report> {
        let outcome = self.run_plan(conn, kind, target);
        match &outcome {
            Ok(report) if report.steps.is_empty() => tracing::debug!(to = target, "{report}"),
            Ok(report) => tracing::info!(to = target, "{report}"),
            Err(err) => {
                let (revision, direction) = match err {
                    Error::Stopped {
                        revision,
                        direction,
                        ..
                    }
                    | Error::Migration {
                        revision,
                        direction,
                        ..
                    }
                    | Error::Panic {
                        revision,
                        direction,
                        ..
                    } => (Some(revision), Some(direction)),
                    Error::Irreversible { revision } => (Some(revision), None),
                    _ => (None, None),
                };
                // Fields that are `None` are left out.
                let revision = revision.map(tracing::field::display);
                let direction = direction.map(tracing::field::display);
                if matches!(err, Error::Stopped { .. }) {
                    tracing::warn!(revision, direction, to = target, "{err}");
                } else {
                    tracing::error!(revision, direction, to = target, "{err}");
                }
            }
        }
        outcome
    }

    fn run_plan(&self, conn: &mut AnyConnection, kind: Kind, target: &str) -> Result<Report> {
        // Before the first read, so that the mistake shows on the first call, not on the
        // first deployment that brings a migration.
        refuse_transaction(
            conn,
            match kind {
                Kind::Upgrade => "upgrade",
                Kind::Downgrade => "downgrade",
            },
        )?;
        self.options.validate()?;
        let store = Store::new(conn, &self.options);
        let all = self.options.transaction_mode == TransactionMode::All;
        if all && !store.dialect.transactional_ddl() {
            return Err(Error::TransactionModeUnsupported {
                backend: conn.backend(),
            });
        }
        // The hot path: one query, and an application already at head goes no further.
        if let Some(current) = self.versions_unlocked(conn, &store)?
            && self.plan(kind, &current, target)?.is_empty()
        {
            return Ok(Report {
                steps: Vec::new(),
                current,
            });
        }
        self.locked(conn, &store, |conn, store, held_for_run| {
            // SQLite rebuilds a table by dropping it, which with foreign keys enforced
            // would fire the `ON DELETE` actions of the tables referencing it; SQLite
            // ignores the switch inside a transaction, so it is turned off around the
            // run, and each migration checks every foreign key before it commits.
            let suspended = store.dialect.suspend_foreign_keys(conn)?;
            let result = catch_unwind(AssertUnwindSafe(|| {
                self.run_locked(conn, store, kind, target, held_for_run, suspended)
            }))
            .unwrap_or_else(|payload| {
                // A listener's (or a `tracing` subscriber's) panic: enforcement comes
                // back on as after an error, before `locked` lets go of the lock.
                if suspended {
                    rollback_all(conn);
                    let _ = store.dialect.resume_foreign_keys(conn);
                }
                resume_unwind(payload)
            });
            if suspended {
                rollback_all(conn);
                store.dialect.resume_foreign_keys(conn)?;
            }
            result
        })
    }

    /// Runs `f` holding the runner lock, with the bookkeeping tables created (on MySQL; on
    /// the other backends by `f`'s first [`Migrator::begin_write`]). `f` gets the store of
    /// the run: the tables named without a schema pinned to the schema they were found in
    /// (or will be created in) when the lock was taken, so that a migration changing the
    /// session's `search_path` (or `USE`) does not move the bookkeeping. Whatever
    /// happens, open transactions are rolled back and the lock is released, and the
    /// session settings the lock changed are put back, with the search path (or database)
    /// the run started with: after an error, and before a panic goes on (a listener's or a
    /// `tracing` subscriber's; a migration's is an error), since an application that
    /// catches it keeps the connection, or its pool hands it out again.
    fn locked<T>(
        &self,
        conn: &mut AnyConnection,
        store: &Store,
        f: impl FnOnce(&mut AnyConnection, &Store, bool) -> Result<T>,
    ) -> Result<T> {
        let key = &self.options.version_table;
        let timeout = self.options.lock_timeout;
        let tables = [
            self.options.version_table.as_str(),
            self.options.history_table.as_str(),
        ];
        let lock = store
            .dialect
            .lock(conn, key, tables, timeout, &mut |lock| {
                self.emit(Event::Waiting { lock, timeout });
            })?;
        // Before anything is written: a schema the statements cannot name would leave the
        // bookkeeping unpinned, free to move with a migration's `search_path` or `USE`.
        if let Err(err) = crate::backend::check_schemas(&lock.schemas, tables) {
            let _ = store.dialect.unlock(conn, key, lock);
            return Err(err);
        }
        let store = &Store::in_schemas(conn, &self.options, &lock.schemas);
        let held_for_run = lock.held_for_run;
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            if let (Some(hook), Some(session)) = (&self.session, lock.session) {
                hook(session);
            }
            // Where DDL commits implicitly (MySQL) the tables are created now, on their
            // own; elsewhere by the run's first write transaction (`begin_write`).
            if !store.dialect.transactional_ddl() {
                store.ensure_tables(conn)?;
            }
            f(conn, store, held_for_run)
        }));
        let result = match outcome {
            Ok(result) => result,
            Err(payload) => {
                rollback_all(conn);
                let _ = store.dialect.unlock(conn, key, lock);
                resume_unwind(payload)
            }
        };
        if result.is_err() {
            rollback_all(conn);
        }
        let unlocked = store.dialect.unlock(conn, key, lock);
        let value = result?;
        unlocked?;
        Ok(value)
    }

    fn run_locked(
        &self,
        conn: &mut AnyConnection,
        store: &Store,
        kind: Kind,
        target: &str,
        held_for_run: bool,
        check_foreign_keys: bool,
    ) -> Result<Report> {
        let all = self.options.transaction_mode == TransactionMode::All;
        // Without a lock held for the run (SQLite in WAL mode), each step runs in its own
        // `BEGIN IMMEDIATE`, where another runner may have moved the version table since
        // the last step.
        let step_transactions = !held_for_run && !all;
        // In those step transactions, the database's data version as of the previous one
        // (`Store::data_version`): unchanged, no other connection has committed since, so
        // the version table holds what this run last wrote and is not read again.
        let mut data_version: Option<i64> = None;
        if all {
            self.begin_write(conn, store)?;
        }
        let mut report = Report::default();
        let mut expected: Option<Vec<String>> = None;
        // Whether the lock was held without a break since the version table was read.
        let mut held_since_read = false;
        let mut plan = VecDeque::new();
        // When this runner first met another SQLite runner's `running` row.
        let mut waiting_since: Option<Instant> = None;
        // What the previous step's commit already did for this one.
        let mut carry = Carry::default();
        // An `All` run's bookkeeping of the steps since its transaction began, written
        // just before that transaction commits (see `Store::record_steps`).
        let mut held: Vec<StepRecord<'_>> = Vec::new();
        loop {
            let mut undisturbed = false;
            if step_transactions {
                self.begin_write(conn, store)?;
                let now = store.data_version(conn)?;
                undisturbed = now.is_some() && now == data_version;
                data_version = now;
            }
            // Under a lock held for the run (PostgreSQL, MySQL, SQLite's exclusive file
            // lock), or SQLite's write lock held for an `All` run, no other runner can move
            // the table between steps, so after the first read the rows are the ones this
            // run wrote: one round trip less per migration. SQLite in WAL mode gives its
            // write lock up between steps (and around a non-transactional migration, even
            // in `All` mode), so it reads again then, unless its data version shows that
            // no other connection committed meanwhile.
            let rows = match expected.take() {
                Some(rows) if held_since_read || undisturbed => {
                    expected = Some(rows.clone());
                    rows
                }
                previous => {
                    expected = previous;
                    held_since_read = held_for_run || all;
                    store.versions(conn)?.unwrap_or_default()
                }
            };
            if expected.as_ref() != Some(&rows) {
                let interrupted = store.interrupted(conn)?;
                let maybe_live = step_transactions
                    && interrupted
                        .iter()
                        .all(|entry| entry.status == HistoryStatus::Running);
                let first_wait = waiting_since.is_none();
                if !interrupted.is_empty()
                    && maybe_live
                    && waiting_since.get_or_insert_with(Instant::now).elapsed()
                        < self.options.lock_timeout
                {
                    // Another runner may be in a non-transactional migration right now
                    // (SQLite cannot tell a live runner from a dead one): let go of the
                    // write lock, and read again shortly.
                    rollback_all(conn);
                    store.forget_tables();
                    if first_wait {
                        // Said once, as for a lock: a silent wait as long as the lock
                        // timeout looks like a hang.
                        let entry = &interrupted[0];
                        self.emit(Event::Waiting {
                            lock: &format!(
                                "the SQLite database, where the {} of `{}` is marked running \
                                 (by a run inside that `transactional = false` migration, or \
                                 by one that died in it)",
                                entry.direction, entry.revision
                            ),
                            timeout: self.options.lock_timeout,
                        });
                    }
                    expected = None;
                    held_since_read = false;
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                }
                if !interrupted.is_empty() {
                    return Err(Error::Interrupted {
                        entries: interrupted,
                        history_table: self.options.history_table.clone(),
                        backend: conn.backend(),
                    });
                }
                plan = self.plan(kind, &parse_rows(rows.clone())?, target)?;
            }
            let Some(step) = plan.pop_front() else {
                if step_transactions {
                    commit(conn)?;
                }
                report.current = parse_rows(rows)?;
                break;
            };
            if self.stop_requested() {
                // What the previous step prepared for this one goes: the transaction begun
                // for it (empty), and the `running` row written for it ahead.
                rollback_all(conn);
                if let Some(id) = carry.claim_id.take() {
                    store.delete_history(conn, id)?;
                    store.dialect.commit_loose(conn)?;
                }
                return Err(Error::Stopped {
                    revision: step.revision,
                    direction: step.direction,
                    // Nothing is held, so nothing was rolled back, when the step before
                    // was `transactional = false`: it committed the run and itself.
                    rolled_back: all && !held.is_empty(),
                    after_last: false,
                });
            }
            let migration =
                self.set
                    .get(step.revision.as_str())
                    .ok_or_else(|| Error::VersionTableChanged {
                        revision: step.revision.to_string(),
                    })?;
            let in_transaction = step_transactions || all || carry.open;
            held_since_read &= held_for_run || migration.is_transactional();
            // Under a session lock the plan cannot change between steps, so this step's
            // commit may prepare the next one (see `Migrator::apply`). SQLite re-plans in
            // every step transaction, and an `All` run commits once.
            let next = (held_for_run && !all)
                .then(|| plan.front())
                .flatten()
                .and_then(|next| Some((self.set.get(next.revision.as_str())?, next)));
            let (duration, next_carry) = self.apply(
                conn,
                store,
                migration,
                &step,
                in_transaction,
                check_foreign_keys,
                carry.claim_id,
                next,
                &mut held,
            )?;
            carry = next_carry;
            report.steps.push(AppliedStep {
                revision: step.revision.clone(),
                direction: step.direction,
                message: migration.message().to_owned(),
                duration,
            });
            expected = Some(after_step(rows, &step));
        }
        if all {
            // A stop asked during the last migration comes before the run's commit: the
            // run is rolled back, as one asked during an earlier migration. Nothing is
            // held when the last migration was `transactional = false`, which committed
            // the run before it and itself: then the run is complete.
            if self.stop_requested()
                && let Some(last) = report.steps.last()
                && !held.is_empty()
            {
                rollback_all(conn);
                return Err(Error::Stopped {
                    revision: last.revision.clone(),
                    direction: last.direction,
                    rolled_back: true,
                    after_last: true,
                });
            }
            store.record_steps(conn, &held)?;
            commit(conn)?;
        }
        Ok(report)
    }

    /// Runs one step. `in_transaction` says whether a transaction is open on entry (the
    /// run's in `All` mode, SQLite's step transaction, or one the previous step's commit
    /// began for this one); on return none is open, except the run's in `All` mode and
    /// one begun for the next step ([`Carry::open`]).
    ///
    /// `claimed` is this step's `running` history row when the previous step's commit
    /// already wrote it. `next` is the step that will run after this one, when the plan
    /// cannot change in between (a session lock, one transaction per step): this step's
    /// final commit then also writes the next step's `running` row if it needs one (one
    /// durable commit per migration fewer on MySQL, where every migration needs one), or
    /// else begins its transaction in the same round trip (`COMMIT; BEGIN`).
    ///
    /// In an `All` run a transactional step's bookkeeping goes to `held` instead of the
    /// tables; whatever is held is written before any commit this step makes.
    #[expect(
        clippy::too_many_arguments,
        reason = "one private call site; the arguments are the step and its surroundings"
    )]
    fn apply<'s>(
        &self,
        conn: &mut AnyConnection,
        store: &Store,
        migration: &'s Migration,
        step: &migrate_core::Step,
        mut in_transaction: bool,
        check_foreign_keys: bool,
        claimed: Option<i64>,
        next: Option<(&Migration, &migrate_core::Step)>,
        held: &mut Vec<StepRecord<'s>>,
    ) -> Result<(Duration, Carry)> {
        let dialect = store.dialect;
        let all = self.options.transaction_mode == TransactionMode::All;
        let direction = step.direction;
        let transactional = migration.is_transactional();
        // When the migration cannot roll back with its bookkeeping, a `running` row is
        // committed first, so that a failure or crash is visible to the next run.
        let claim = !dialect.transactional_ddl() || !transactional;
        let function = step_function(migration, step)?;
        let started_at = crate::time::now();
        let start = Instant::now();
        self.emit_claimed(
            conn,
            store,
            Event::Started {
                migration,
                direction,
            },
            claimed,
        );

        let mut claim_id = claimed;
        if claim && claim_id.is_none() {
            // The held rows first: history ids follow the order the steps ran in. Outside
            // a transaction (a non-transactional migration first in a run), the tables are
            // created here, on their own: the `running` row must outlive a crash.
            store.ensure_tables(conn)?;
            store.record_steps(conn, &std::mem::take(held))?;
            claim_id = Some(store.insert_history_returning_id(
                conn,
                &NewHistory {
                    revision: step.revision.as_str(),
                    direction,
                    checksum: migration.checksum(),
                    status: HistoryStatus::Running,
                    started_at: &started_at,
                    finished_at: None,
                    duration: None,
                    error: None,
                },
            )?);
            if in_transaction {
                // Commits the claim, and in `All` mode everything before this migration:
                // a non-transactional migration runs alone.
                commit(conn)?;
                in_transaction = false;
            } else {
                dialect.commit_loose(conn)?;
            }
        }
        if transactional && !in_transaction {
            self.begin_write(conn, store)?;
            in_transaction = true;
        }

        let (outcome, lent) = call(
            function,
            conn,
            &step.revision,
            direction,
            migration,
            check_foreign_keys,
        );
        // The migration's own SQL may have ended the transaction opened for it: a
        // `COMMIT` sent through `ctx.connection()`, which the check of `ctx.execute` cannot
        // see. Diesel reads libpq's transaction status after every PostgreSQL statement
        // (and SQLite's after a failed batch), so asking it costs no round trip. SQLite
        // also ends the transaction itself at a failed `INSERT OR ROLLBACK` or
        // `RAISE(ROLLBACK)`, which rolls everything back: that is an ordinary failure
        // unless the migration had the connection.
        let may_end = transactional
            && dialect.transactional_ddl()
            && (lent || conn.backend() == crate::Backend::Postgres);
        if may_end && transaction_ended(conn) {
            let cause = outcome.err().map(|err| match err {
                Error::Migration { source, .. } => source.to_string(),
                other => other.to_string(),
            });
            return Err(self.record_ended(
                conn,
                store,
                step,
                migration,
                &started_at,
                start,
                cause,
                false,
            ));
        }
        if let Err(err) = outcome {
            rollback_all(conn);
            if let Some(id) = claim_id {
                // Best effort: the error of the migration matters more than this one, and
                // the `running` row already blocks later runs.
                // The row already names the revision and direction; keep the cause.
                let cause = match &err {
                    Error::Migration { source, .. } => source.to_string(),
                    Error::Panic { message, .. } => format!("panicked: {message}"),
                    other => other.to_string(),
                };
                let _ = store
                    .finish_history(
                        conn,
                        id,
                        HistoryStatus::Failed,
                        start.elapsed(),
                        Some(&cause),
                    )
                    .and_then(|()| dialect.commit_loose(conn));
            }
            return Err(err);
        }

        // On MySQL the migration's DDL may have committed the transaction implicitly; with
        // autocommit off for the run (see `backend/mysql.rs`) what follows is still one
        // transaction, committed below.
        if !in_transaction {
            self.begin_write(conn, store)?;
        }
        let duration = start.elapsed();
        match claim_id {
            Some(id) => {
                store.apply_delta(conn, step.delete_versions(), step.insert_versions())?;
                store.finish_history(conn, id, HistoryStatus::Succeeded, duration, None)?;
            }
            None if all => held.push(StepRecord {
                step: step.clone(),
                checksum: migration.checksum(),
                started_at: started_at.clone(),
                finished_at: crate::time::now(),
                duration,
            }),
            None => store.record_step(
                conn,
                step.delete_versions(),
                step.insert_versions(),
                &NewHistory {
                    revision: step.revision.as_str(),
                    direction,
                    checksum: migration.checksum(),
                    status: HistoryStatus::Succeeded,
                    started_at: &started_at,
                    finished_at: Some(&crate::time::now()),
                    duration: Some(duration),
                    error: None,
                },
            )?,
        }
        let mut carry = Carry::default();
        if !all || !transactional {
            // The next step's `running` row, committed with this step's bookkeeping: a
            // crash from here on still leaves a `running` row behind (this step's, until
            // this commit; the next one's after it).
            let next_claim =
                next.filter(|(next, _)| !dialect.transactional_ddl() || !next.is_transactional());
            if let Some((next, next_step)) = next_claim
                && step_function(next, next_step).is_ok()
            {
                carry.claim_id = Some(store.insert_history_returning_id(
                    conn,
                    &NewHistory {
                        revision: next_step.revision.as_str(),
                        direction: next_step.direction,
                        checksum: next.checksum(),
                        status: HistoryStatus::Running,
                        started_at: &crate::time::now(),
                        finished_at: None,
                        duration: None,
                        error: None,
                    },
                )?);
            }
            let begin_next = !all
                && dialect.transactional_ddl()
                && next.is_some_and(|(next, _)| next.is_transactional());
            // SQLite tells that the migration ended its transaction only here, when the
            // commit finds none (its bookkeeping, and the next step's `running` row, then
            // committed on their own).
            let next_claim = carry.claim_id;
            let ended_at_commit = |conn: &mut AnyConnection, err: Error| {
                let sqlite_ended = may_end
                    && err.to_string().contains("no transaction is active")
                    && transaction_ended(conn);
                if sqlite_ended {
                    if let Some(id) = next_claim {
                        let _ = store.delete_history(conn, id);
                    }
                    self.record_ended(conn, store, step, migration, &started_at, start, None, true)
                } else {
                    err
                }
            };
            if begin_next {
                restart_transaction(conn).map_err(|err| ended_at_commit(conn, err))?;
                carry.open = true;
            } else {
                store.record_steps(conn, &std::mem::take(held))?;
                commit(conn).map_err(|err| ended_at_commit(conn, err))?;
                if all {
                    self.begin_write(conn, store)?;
                }
            }
        }
        self.emit_claimed(
            conn,
            store,
            Event::Finished {
                migration,
                direction,
                duration,
            },
            carry.claim_id,
        );
        Ok((duration, carry))
    }

    /// After a transactional migration ended the transaction migrate ran it in (see
    /// [`Error::TransactionEnded`]): rolls back whatever it began since, and records it as
    /// failed, committed at once, so that later runs refuse until `stamp` resolves it.
    /// `bookkept` says that the step's bookkeeping already committed on its own.
    /// In an `All` run the earlier steps' held bookkeeping is not written: the migration
    /// may have committed their work or rolled it back, which only a person can tell.
    #[expect(
        clippy::too_many_arguments,
        reason = "one private call site; the arguments are the step and its surroundings"
    )]
    fn record_ended(
        &self,
        conn: &mut AnyConnection,
        store: &Store,
        step: &migrate_core::Step,
        migration: &Migration,
        started_at: &str,
        start: Instant,
        cause: Option<String>,
        bookkept: bool,
    ) -> Error {
        use diesel::connection::SimpleConnection;
        // A transaction the migration began after ending migrate's (diesel no longer
        // counts it); without one, PostgreSQL only warns and SQLite's error is ignored.
        let _ = conn.batch_execute("ROLLBACK");
        rollback_all(conn);
        if bookkept {
            // Found at the step's commit (SQLite), after its version-table update had
            // committed on its own: undone, so that the version table does not vouch for
            // a migration that may be partly rolled back, and the failure below blocks.
            let _ = store.apply_delta(conn, step.insert_versions(), step.delete_versions());
        }
        let mut recorded = String::from(
            "ended the transaction migrate ran it in (a COMMIT, ROLLBACK or END of its own)",
        );
        if self.options.transaction_mode == TransactionMode::All {
            recorded.push_str(", with the earlier migrations of its run");
        }
        if let Some(cause) = &cause {
            recorded.push_str(", then failed: ");
            recorded.push_str(cause);
        }
        // Best effort, as after any failure: the error matters more.
        let _ = store
            .insert_history(
                conn,
                &NewHistory {
                    revision: step.revision.as_str(),
                    direction: step.direction,
                    checksum: migration.checksum(),
                    status: HistoryStatus::Failed,
                    started_at,
                    finished_at: Some(&crate::time::now()),
                    duration: Some(start.elapsed()),
                    error: Some(&recorded),
                },
            )
            .and_then(|()| store.dialect.commit_loose(conn));
        Error::TransactionEnded {
            revision: step.revision.clone(),
            direction: step.direction,
            cause,
            history_table: self.options.history_table.clone(),
        }
    }
}

/// Whether no transaction of diesel's is open any more: a transactional migration's own
/// SQL ended the one migrate opened for it. Only diesel's count is read, no statement is
/// sent: on PostgreSQL diesel follows libpq's status after every statement, on SQLite
/// after a failed batch (a later one that succeeded goes unseen until the step's commit).
fn transaction_ended(conn: &mut AnyConnection) -> bool {
    matches!(
        AnyConnection::transaction_manager_status_mut(conn).transaction_depth(),
        Ok(None)
    )
}

/// What a step's final commit prepared for the next step; see [`Migrator::apply`].
#[derive(Debug, Default)]
struct Carry {
    /// The next step's `running` history row, already committed.
    claim_id: Option<i64>,
    /// Whether a transaction is open for the next step.
    open: bool,
}

/// The function a step runs; a downgrade through an irreversible migration is refused.
fn step_function<'m>(
    migration: &'m Migration,
    step: &migrate_core::Step,
) -> Result<&'m crate::MigrationFn> {
    match step.direction {
        Direction::Up => Ok(migration.upgrade()),
        Direction::Down => migration.downgrade().ok_or_else(|| Error::Irreversible {
            revision: step.revision.clone(),
        }),
    }
}

/// Commits the open transaction and begins the next one in a single round trip. Diesel's
/// transaction manager keeps counting one open transaction, which stays true (on
/// PostgreSQL diesel reads the status back from libpq after each statement).
fn restart_transaction(conn: &mut AnyConnection) -> Result<()> {
    use diesel::connection::SimpleConnection;
    conn.batch_execute("COMMIT; BEGIN")?;
    Ok(())
}

/// Calls a migration function, turning an error or a panic into an error naming the
/// revision and the direction; also says whether it asked for the connection
/// ([`MigrationContext::connection`]).
fn call(
    function: &crate::MigrationFn,
    conn: &mut AnyConnection,
    revision: &RevisionId,
    direction: Direction,
    migration: &Migration,
    check_foreign_keys: bool,
) -> (Result<()>, bool) {
    // Whether the migration asked for the connection: after a panic, unknown.
    let mut lent = true;
    // The connection is rolled back after a panic, and nothing else the closure touches
    // outlives the call, so observing broken invariants afterwards is not a concern.
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let mut ctx = MigrationContext::new(conn, revision, direction)
            .in_migrate_transaction(migration.is_transactional());
        let called = function.call(&mut ctx);
        lent = ctx.connection_lent();
        called?;
        // Runs the schema operations the context still buffers (SQLite batches).
        ctx.finish(check_foreign_keys)
    }));
    let outcome = match outcome {
        Ok(Ok(())) => Ok(()),
        Ok(Err(err)) => Err(Error::Migration {
            revision: revision.clone(),
            direction,
            message: migration.message().to_owned(),
            source: Box::new(err),
        }),
        Err(payload) => Err(Error::Panic {
            revision: revision.clone(),
            direction,
            message: panic_message(payload.as_ref()),
        }),
    };
    (outcome, lent)
}

/// The message of a panic caught while running or rendering a migration.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic payload".into())
}

fn commit(conn: &mut AnyConnection) -> Result<()> {
    AnyConnection::commit_transaction(conn)?;
    Ok(())
}

/// Refuses `operation` on a connection inside a transaction of the application's
/// ([`Error::TransactionOpen`]). Only diesel's transaction manager is asked: a `BEGIN`
/// sent as plain SQL goes unseen (and fails the run's own `BEGIN` on SQLite).
fn refuse_transaction(conn: &mut AnyConnection, operation: &'static str) -> Result<()> {
    match AnyConnection::transaction_manager_status_mut(conn).transaction_depth() {
        Ok(Some(_)) => Err(Error::TransactionOpen { operation }),
        // A broken transaction manager (a commit or rollback failed) is diesel's to
        // report: it refuses every transaction, the run's included.
        Ok(None) | Err(_) => Ok(()),
    }
}

/// Rolls back every open transaction level, including ones a panicking migration left
/// open inside its own `conn.transaction(..)`.
fn rollback_all(conn: &mut AnyConnection) {
    while let Ok(Some(_)) = AnyConnection::transaction_manager_status_mut(conn).transaction_depth()
    {
        if AnyConnection::rollback_transaction(conn).is_err() {
            break;
        }
    }
}

/// Version rows as revision ids; a row that is not a valid id was written by hand.
fn parse_rows(rows: Vec<String>) -> Result<Vec<RevisionId>> {
    rows.into_iter()
        .map(|row| RevisionId::new(&row).map_err(|error| Error::InvalidVersionRow { row, error }))
        .collect()
}

/// The version rows after `step`, sorted like [`Store::versions`] returns them.
fn after_step(mut rows: Vec<String>, step: &migrate_core::Step) -> Vec<String> {
    rows.retain(|row| !step.delete_versions().iter().any(|d| d.as_str() == row));
    rows.extend(step.insert_versions().iter().map(|id| id.to_string()));
    rows.sort();
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_messages_are_read_from_str_and_string_payloads() {
        let message = |f: fn()| panic_message(catch_unwind(f).unwrap_err().as_ref());
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        assert_eq!(message(|| panic!("plain")), "plain");
        assert_eq!(message(|| panic!("formatted {}", 1)), "formatted 1");
        assert_eq!(
            message(|| std::panic::panic_any(7_u8)),
            "non-string panic payload"
        );
        std::panic::set_hook(hook);
    }
}
