//! Reading and writing the bookkeeping tables: the version table (one row per applied
//! head) and the append-only history table. All SQL is raw because the table names are
//! configurable; values are always bound, names are validated and quoted.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl};

use crate::backend::{Dialect, dialect, qualified_table};
use crate::{AnyConnection, Backend, Direction, Options, Result, RevisionId};

mod statement;

use statement::{Bind, Statement};

/// The outcome recorded in a history row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HistoryStatus {
    /// Started and not finished: the process died, or (MySQL, non-transactional
    /// migrations) it is still running elsewhere.
    Running,
    /// Applied or reverted and committed.
    Succeeded,
    /// Failed without a full rollback (MySQL, non-transactional migrations): the migration
    /// may be partly applied. Failures that were rolled back leave no row.
    Failed,
    /// Written by `stamp`: the version table was set without running anything. One row
    /// per revision stamped: added as a version row (`upgrade`), or removed and not below
    /// an added one (`downgrade`); a stamp that changed nothing records the revisions it
    /// confirmed (`upgrade`).
    Stamped,
    /// A `Running` or `Failed` row that a later `stamp` resolved (an operator repaired the
    /// schema by hand and stamped the revision it matched). The row is updated in place
    /// and keeps its error; it no longer blocks runs. The stamp itself is in `Stamped`
    /// rows written at the same time.
    Resolved,
}

impl HistoryStatus {
    /// The word stored in the `status` column.
    pub fn as_str(self) -> &'static str {
        match self {
            HistoryStatus::Running => "running",
            HistoryStatus::Succeeded => "succeeded",
            HistoryStatus::Failed => "failed",
            HistoryStatus::Stamped => "stamped",
            HistoryStatus::Resolved => "resolved",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "running" => HistoryStatus::Running,
            "succeeded" => HistoryStatus::Succeeded,
            "failed" => HistoryStatus::Failed,
            "stamped" => HistoryStatus::Stamped,
            "resolved" => HistoryStatus::Resolved,
            _ => return None,
        })
    }
}

impl std::fmt::Display for HistoryStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of the history table.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HistoryEntry {
    /// The row's id: increasing in the order rows were written.
    pub id: i64,
    /// The revision, as stored (it may name a revision the code no longer has).
    pub revision: String,
    /// Whether it was applied or reverted.
    pub direction: Direction,
    /// The migration's checksum when it ran, if it had one.
    pub checksum: Option<String>,
    /// When it started, RFC 3339 UTC (`2024-05-01T12:00:00.000Z`).
    pub started_at: String,
    /// When it finished, RFC 3339 UTC; `None` while running.
    pub finished_at: Option<String>,
    /// How long it ran; `None` while running.
    pub duration: Option<Duration>,
    /// The outcome.
    pub status: HistoryStatus,
    /// The error of a failed run.
    pub error: Option<String>,
}

#[cfg(feature = "cli")]
#[derive(QueryableByName)]
struct ForeignHistoryRow {
    #[diesel(sql_type = Text)]
    version: String,
    #[diesel(sql_type = Text)]
    ok: String,
}

#[cfg(feature = "cli")]
#[derive(QueryableByName)]
struct ForeignChecksumRow {
    #[diesel(sql_type = Text)]
    version: String,
    #[diesel(sql_type = Nullable<Text>)]
    checksum: Option<String>,
}

/// The (version, checksum in hexadecimal) rows that `query` reads from another tool's
/// history table (sqlx's); `None` when there is no such table. One query, read only.
#[cfg(feature = "cli")]
pub(crate) fn foreign_checksums(
    conn: &mut AnyConnection,
    query: &str,
) -> Result<Option<Vec<(String, String)>>> {
    match diesel::sql_query(query).load::<ForeignChecksumRow>(conn) {
        Ok(rows) => Ok(Some(
            rows.into_iter()
                .filter_map(|r| Some((r.version, r.checksum?)))
                .collect(),
        )),
        Err(e) if dialect(conn).is_missing_table(&e) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The rows of another tool's history table (diesel_cli's, sqlx's, refinery's) that
/// `query` reads as `version` and `ok` (`y` when the tool marks it as succeeded), as the
/// session's `search_path`, or current database, finds the table; `None` when there is no
/// such table. One query, outside any transaction. The table is only ever read: a team may
/// go back to the tool.
#[cfg(feature = "cli")]
pub(crate) fn foreign_history(
    conn: &mut AnyConnection,
    query: &str,
) -> Result<Option<Vec<(String, bool)>>> {
    match diesel::sql_query(query).load::<ForeignHistoryRow>(conn) {
        Ok(rows) => Ok(Some(
            rows.into_iter().map(|r| (r.version, r.ok == "y")).collect(),
        )),
        Err(e) if dialect(conn).is_missing_table(&e) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[derive(QueryableByName)]
struct VersionRow {
    #[diesel(sql_type = Text)]
    version_num: String,
}

#[derive(QueryableByName)]
struct HistoryRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    revision: String,
    #[diesel(sql_type = Text)]
    direction: String,
    #[diesel(sql_type = Nullable<Text>)]
    checksum: Option<String>,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Text)]
    started_at: String,
    #[diesel(sql_type = Nullable<Text>)]
    finished_at: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    duration_us: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    error: Option<String>,
}

#[derive(QueryableByName)]
struct DataVersionRow {
    #[diesel(sql_type = BigInt)]
    data_version: i64,
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = Nullable<BigInt>)]
    id: Option<i64>,
}

impl HistoryRow {
    fn into_entry(self) -> HistoryEntry {
        HistoryEntry {
            id: self.id,
            revision: self.revision,
            direction: if self.direction == "downgrade" {
                Direction::Down
            } else {
                Direction::Up
            },
            checksum: self.checksum,
            started_at: self.started_at,
            finished_at: self.finished_at,
            duration: self
                .duration_us
                .map(|us| Duration::from_micros(u64::try_from(us).unwrap_or(0))),
            // An unknown word can only come from a newer version or a hand edit; treating
            // it as failed makes the run stop and a human look.
            status: HistoryStatus::parse(&self.status).unwrap_or(HistoryStatus::Failed),
            error: self.error,
        }
    }
}

/// What a new history row holds.
pub(crate) struct NewHistory<'a> {
    pub revision: &'a str,
    pub direction: Direction,
    pub checksum: Option<&'a str>,
    pub status: HistoryStatus,
    pub started_at: &'a str,
    pub finished_at: Option<&'a str>,
    pub duration: Option<Duration>,
    pub error: Option<&'a str>,
}

impl<'a> NewHistory<'a> {
    /// The row of a revision stamped (or accepted) at `now`, without running anything.
    pub(crate) fn stamped(
        revision: &'a str,
        direction: Direction,
        checksum: Option<&'a str>,
        now: &'a str,
    ) -> Self {
        NewHistory {
            revision,
            direction,
            checksum,
            status: HistoryStatus::Stamped,
            started_at: now,
            finished_at: Some(now),
            duration: Some(Duration::ZERO),
            error: None,
        }
    }
}

/// History rows per statement in [`Store::record_steps`]: 800 bound values, under the 999
/// of SQLite builds older than 3.32 (PostgreSQL takes 65,535).
pub(crate) const HISTORY_ROWS_PER_INSERT: usize = 100;

/// The bookkeeping of a step that succeeded inside a transaction still open, held back
/// by an `All` run until just before that transaction commits ([`Store::record_steps`]).
#[derive(Debug)]
pub(crate) struct StepRecord<'m> {
    /// The step, with its version change.
    pub step: migrate_core::Step,
    /// The migration's checksum.
    pub checksum: Option<&'m str>,
    /// When the step started and finished (RFC 3339), and how long it ran.
    pub started_at: String,
    pub finished_at: String,
    pub duration: Duration,
}

impl StepRecord<'_> {
    /// The step's `succeeded` history row.
    fn history(&self) -> NewHistory<'_> {
        NewHistory {
            revision: self.step.revision.as_str(),
            direction: self.step.direction,
            checksum: self.checksum,
            status: HistoryStatus::Succeeded,
            started_at: &self.started_at,
            finished_at: Some(&self.finished_at),
            duration: Some(self.duration),
            error: None,
        }
    }
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// The column list of a history row, in the order of [`history_binds`].
const HISTORY_COLUMNS: &str =
    "revision, direction, checksum, status, started_at, finished_at, duration_us, error";

/// A history row's eight values, in the order of [`HISTORY_COLUMNS`].
fn history_binds<'a>(row: &NewHistory<'a>) -> [Bind<'a>; 8] {
    [
        Bind::Text(row.revision),
        Bind::Text(row.direction.as_str()),
        Bind::NullableText(row.checksum),
        Bind::Text(row.status.as_str()),
        Bind::Text(row.started_at),
        Bind::NullableText(row.finished_at),
        Bind::NullableBigInt(row.duration.map(micros)),
        Bind::NullableText(row.error),
    ]
}

/// The bookkeeping tables of one connection, with their quoted names.
pub(crate) struct Store {
    pub dialect: &'static dyn Dialect,
    version: String,
    history: String,
    /// Whether this run has created the tables (or found them) already; see
    /// [`Store::ensure_tables`].
    ensured: std::cell::Cell<bool>,
}

impl Store {
    /// The tables named by `options` on `conn`'s backend, as the session's `search_path`
    /// (or current database) finds them at each statement: for reads outside a run's
    /// lock. `options` must be validated.
    pub fn new(conn: &AnyConnection, options: &Options) -> Self {
        Self::in_schemas(conn, options, &[None, None])
    }

    /// The tables named by `options`, each named without a schema taken as in the schema
    /// the run's lock found it in ([`crate::backend::Lock::schemas`]): the run's
    /// bookkeeping then goes to the tables it read, whatever a migration does to the
    /// session's `search_path` (or `USE`), and a first run creates them in the schema
    /// that was current when it started. `options` must be validated.
    pub fn in_schemas(
        conn: &AnyConnection,
        options: &Options,
        [version, history]: &[Option<String>; 2],
    ) -> Self {
        let backend = conn.backend();
        Self {
            dialect: dialect(conn),
            version: qualified_table(backend, version.as_deref(), &options.version_table),
            history: qualified_table(backend, history.as_deref(), &options.history_table),
            ensured: std::cell::Cell::new(false),
        }
    }

    /// Creates both tables if they do not exist, once per run: called at the start of the
    /// run's first write (inside its transaction where DDL is transactional, so that a
    /// first run that fails or is killed leaves no empty tables behind).
    pub fn ensure_tables(&self, conn: &mut AnyConnection) -> Result<()> {
        if !self.ensured.get() {
            self.create_tables(conn)?;
            self.ensured.set(true);
        }
        Ok(())
    }

    /// Forgets that the tables were ensured: the transaction that created them was rolled
    /// back.
    pub fn forget_tables(&self) {
        self.ensured.set(false);
    }

    /// Deletes history row `id`: a `running` row written ahead for a migration that the
    /// run then did not start (it stopped on request first).
    pub fn delete_history(&self, conn: &mut AnyConnection, id: i64) -> Result<()> {
        Statement::new(
            format!("DELETE FROM {} WHERE id = ?", self.history),
            vec![Bind::BigInt(id)],
        )
        .execute(conn)?;
        Ok(())
    }

    /// Runs `query`, a read of a table that may not exist. On PostgreSQL an error inside a
    /// transaction aborts it, so a read inside the application's transaction (a read-only
    /// call such as `Migrator::current` may run in one) that could meet a missing table
    /// gets a savepoint of its own, rolled back to on error: the application's transaction
    /// goes on. A run's own reads come after [`Store::ensure_tables`] and need none.
    fn read<T>(
        &self,
        conn: &mut AnyConnection,
        query: impl FnOnce(&mut AnyConnection) -> diesel::QueryResult<T>,
    ) -> diesel::QueryResult<T> {
        use diesel::Connection as _;
        use diesel::connection::TransactionManager as _;
        let in_transaction = matches!(
            AnyConnection::transaction_manager_status_mut(conn).transaction_depth(),
            Ok(Some(_))
        );
        if in_transaction && !self.ensured.get() && conn.backend() == Backend::Postgres {
            conn.transaction(query)
        } else {
            query(conn)
        }
    }

    /// Creates both tables if they do not exist.
    pub fn create_tables(&self, conn: &mut AnyConnection) -> Result<()> {
        conn.batch_execute(&self.dialect.create_version_table(&self.version))?;
        conn.batch_execute(&self.dialect.create_history_table(&self.history))?;
        Ok(())
    }

    /// The version table's rows, sorted; `None` when the table does not exist. One query.
    pub fn versions(&self, conn: &mut AnyConnection) -> Result<Option<Vec<String>>> {
        let rows = self.read(conn, |conn| {
            diesel::sql_query(format!("SELECT version_num FROM {}", self.version))
                .load::<VersionRow>(conn)
        });
        match rows {
            Ok(rows) => {
                let mut ids: Vec<String> = rows.into_iter().map(|r| r.version_num).collect();
                ids.sort();
                Ok(Some(ids))
            }
            Err(e) if self.dialect.is_missing_table(&e) => Ok(None),
            // SQLite `no such column`, PostgreSQL `column ... does not exist`, MySQL
            // `Unknown column`: each names the column.
            Err(e) if crate::backend::error_text(&e).contains("version_num") => {
                Err(crate::Error::ForeignVersionTable {
                    table: self.version.clone(),
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// SQLite's `PRAGMA data_version`, to be read inside a write transaction: it differs
    /// from the value read in an earlier transaction of this connection exactly when
    /// another connection has committed to the database in between (this connection's own
    /// commits leave it as it is). `None` on the other backends, whose runners hold a
    /// session lock instead. SQLite prepares it again after every schema change, as it
    /// does any statement, but it reads no table: cheaper than reading the version table.
    pub fn data_version(&self, conn: &mut AnyConnection) -> Result<Option<i64>> {
        if conn.backend() != Backend::Sqlite {
            return Ok(None);
        }
        let row = Statement::new("PRAGMA data_version".to_owned(), Vec::new())
            .get_result::<DataVersionRow>(conn)?;
        Ok(Some(row.data_version))
    }

    /// Deletes every row of the version table (`stamp --purge`).
    pub fn clear_versions(&self, conn: &mut AnyConnection) -> Result<()> {
        Statement::new(format!("DELETE FROM {}", self.version), Vec::new()).execute(conn)?;
        Ok(())
    }

    /// Removes `delete` and adds `insert` to the version table. A row to delete that is
    /// not there means someone else changed the table under our feet.
    pub fn apply_delta(
        &self,
        conn: &mut AnyConnection,
        delete: &[RevisionId],
        insert: &[RevisionId],
    ) -> Result<()> {
        if let ([old], [new]) = (delete, insert) {
            // The common step (a revision replacing its parent as the head): one statement
            // instead of two.
            let n = Statement::new(
                format!(
                    "UPDATE {} SET version_num = ? WHERE version_num = ?",
                    self.version
                ),
                vec![Bind::Text(new.as_str()), Bind::Text(old.as_str())],
            )
            .execute(conn)?;
            if n != 1 {
                return Err(crate::Error::VersionTableChanged {
                    revision: old.to_string(),
                });
            }
            return Ok(());
        }
        for id in delete {
            let n = Statement::new(
                format!("DELETE FROM {} WHERE version_num = ?", self.version),
                vec![Bind::Text(id.as_str())],
            )
            .execute(conn)?;
            if n != 1 {
                return Err(crate::Error::VersionTableChanged {
                    revision: id.to_string(),
                });
            }
        }
        for id in insert {
            Statement::new(
                format!("INSERT INTO {} (version_num) VALUES (?)", self.version),
                vec![Bind::Text(id.as_str())],
            )
            .execute(conn)?;
        }
        Ok(())
    }

    /// Applies a step's version delta and appends its history row, with the same check as
    /// [`Store::apply_delta`]. On PostgreSQL this is one statement, one round trip: the
    /// version change runs in data-modifying CTEs and the history row is inserted only
    /// from the row the `DELETE` returned, so an affected-row count of 0 means the row to
    /// replace was missing. Elsewhere (and for a step replacing several rows, where the
    /// count could not name the missing one) it is [`Store::apply_delta`] then
    /// [`Store::insert_history`]. Every value is bound, so the statement's text is the
    /// same at every step of the same shape and stays prepared.
    pub fn record_step(
        &self,
        conn: &mut AnyConnection,
        delete: &[RevisionId],
        insert: &[RevisionId],
        row: &NewHistory<'_>,
    ) -> Result<()> {
        if conn.backend() != Backend::Postgres || delete.len() > 1 {
            self.apply_delta(conn, delete, insert)?;
            return self.insert_history(conn, row);
        }
        // The markers in text order: the CTEs' ids first, then the history row.
        let mut binds = Vec::with_capacity(delete.len() + insert.len() + 8);
        let mut ctes = Vec::new();
        if let [old] = delete {
            ctes.push(format!(
                "d AS (DELETE FROM {} WHERE version_num = ? RETURNING 1)",
                self.version
            ));
            binds.push(Bind::Text(old.as_str()));
        }
        if !insert.is_empty() {
            ctes.push(format!(
                "i AS (INSERT INTO {} (version_num) VALUES {})",
                self.version,
                vec!["(?)"; insert.len()].join(", ")
            ));
            binds.extend(insert.iter().map(|id| Bind::Text(id.as_str())));
        }
        let with = if ctes.is_empty() {
            String::new()
        } else {
            format!("WITH {} ", ctes.join(", "))
        };
        let from = if delete.is_empty() { "" } else { " FROM d" };
        binds.extend(history_binds(row));
        let n = Statement::new(
            format!(
                "{with}INSERT INTO {} ({HISTORY_COLUMNS}) SELECT ?, ?, ?, ?, ?, ?, ?, ?{from}",
                self.history
            ),
            binds,
        )
        .execute(conn)?;
        match delete {
            [old] if n != 1 => Err(crate::Error::VersionTableChanged {
                revision: old.to_string(),
            }),
            _ => Ok(()),
        }
    }

    /// Writes the bookkeeping of steps that succeeded inside one open transaction (an
    /// `All` run): their net version change, checked as [`Store::apply_delta`] checks one
    /// step's, then their history rows in step order, [`HISTORY_ROWS_PER_INSERT`] to a
    /// statement. A run of N steps thus makes a handful of statements instead of N, and
    /// the tables read the same once the transaction commits as if each step had written
    /// its own rows.
    pub fn record_steps(&self, conn: &mut AnyConnection, steps: &[StepRecord<'_>]) -> Result<()> {
        if steps.is_empty() {
            return Ok(());
        }
        // Rows the run removed that were there before it, and rows it added that are
        // still there. Both stay small (rows are heads), so the scans are short.
        let mut removed: Vec<&RevisionId> = Vec::new();
        let mut added: Vec<&RevisionId> = Vec::new();
        for record in steps {
            for id in record.step.delete_versions() {
                match added.iter().position(|a| *a == id) {
                    Some(k) => {
                        added.swap_remove(k);
                    }
                    None => removed.push(id),
                }
            }
            for id in record.step.insert_versions() {
                match removed.iter().position(|r| *r == id) {
                    Some(k) => {
                        removed.swap_remove(k);
                    }
                    None => added.push(id),
                }
            }
        }
        let owned = |ids: Vec<&RevisionId>| ids.into_iter().cloned().collect::<Vec<_>>();
        self.apply_delta(conn, &owned(removed), &owned(added))?;
        for chunk in steps.chunks(HISTORY_ROWS_PER_INSERT) {
            let rows: Vec<NewHistory<'_>> = chunk.iter().map(StepRecord::history).collect();
            self.insert_history_rows(conn, &rows)?;
        }
        Ok(())
    }

    /// Appends a history row.
    pub fn insert_history(&self, conn: &mut AnyConnection, row: &NewHistory<'_>) -> Result<()> {
        self.insert_history_rows(conn, std::slice::from_ref(row))
    }

    /// Appends history rows, in order, in one statement.
    fn insert_history_rows(&self, conn: &mut AnyConnection, rows: &[NewHistory<'_>]) -> Result<()> {
        let binds = rows.iter().flat_map(history_binds).collect();
        let values = vec!["(?, ?, ?, ?, ?, ?, ?, ?)"; rows.len()].join(", ");
        Statement::new(
            format!(
                "INSERT INTO {} ({HISTORY_COLUMNS}) VALUES {values}",
                self.history
            ),
            binds,
        )
        .execute(conn)?;
        Ok(())
    }

    /// Appends a history row and returns its id, for [`Store::finish_history`].
    pub fn insert_history_returning_id(
        &self,
        conn: &mut AnyConnection,
        row: &NewHistory<'_>,
    ) -> Result<i64> {
        self.insert_history(conn, row)?;
        // The session's own last insert: `MAX(id)` filtered by revision, the portable
        // alternative, scans the unindexed history table once per step.
        let id = Statement::new(self.dialect.last_insert_id().to_owned(), Vec::new())
            .get_result::<IdRow>(conn)?;
        Ok(id.id.unwrap_or_default())
    }

    /// Records the end of the run that history row `id` started.
    pub fn finish_history(
        &self,
        conn: &mut AnyConnection,
        id: i64,
        status: HistoryStatus,
        duration: Duration,
        error: Option<&str>,
    ) -> Result<()> {
        let now = crate::time::now();
        Statement::new(
            format!(
                "UPDATE {} SET status = ?, finished_at = ?, duration_us = ?, error = ? \
                 WHERE id = ?",
                self.history
            ),
            vec![
                Bind::Text(status.as_str()),
                Bind::Text(&now),
                Bind::BigInt(micros(duration)),
                Bind::NullableText(error),
                Bind::BigInt(id),
            ],
        )
        .execute(conn)?;
        Ok(())
    }

    /// Marks history row `id` (an interrupted run) as resolved by a stamp.
    pub fn resolve_history(&self, conn: &mut AnyConnection, id: i64) -> Result<()> {
        Statement::new(
            format!("UPDATE {} SET status = ? WHERE id = ?", self.history),
            vec![
                Bind::Text(HistoryStatus::Resolved.as_str()),
                Bind::BigInt(id),
            ],
        )
        .execute(conn)?;
        Ok(())
    }

    /// Every history row, oldest first; empty when the table does not exist.
    pub fn history(&self, conn: &mut AnyConnection) -> Result<Vec<HistoryEntry>> {
        self.load_history(conn, "")
    }

    /// `Running` and `Failed` rows not followed by a later row of the same revision: runs
    /// that may have left a migration partly applied and that nobody has resolved yet.
    pub fn interrupted(&self, conn: &mut AnyConnection) -> Result<Vec<HistoryEntry>> {
        self.load_history(
            conn,
            &format!(
                "WHERE h.status IN ('running', 'failed') AND NOT EXISTS \
                 (SELECT 1 FROM {} later WHERE later.revision = h.revision AND later.id > h.id)",
                self.history
            ),
        )
    }

    fn load_history(&self, conn: &mut AnyConnection, filter: &str) -> Result<Vec<HistoryEntry>> {
        let rows = self.read(conn, |conn| {
            diesel::sql_query(format!(
                "SELECT h.id, h.revision, h.direction, h.checksum, h.status, h.started_at, \
                 h.finished_at, h.duration_us, h.error FROM {} h {filter} ORDER BY h.id",
                self.history
            ))
            .load::<HistoryRow>(conn)
        });
        match rows {
            Ok(rows) => Ok(rows.into_iter().map(HistoryRow::into_entry).collect()),
            Err(e) if self.dialect.is_missing_table(&e) => Ok(Vec::new()),
            Err(e) => Err(e.into()),
        }
    }
}
