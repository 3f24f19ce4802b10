//! Offline SQL scripts (`--sql`): the statements a run would execute, rendered for a
//! dialect without a database, with the bookkeeping tables and the transaction
//! boundaries of the run's transaction mode. Also the one definition of the bookkeeping
//! tables' DDL, which the online dialects use too.

use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::backend::quote_table;
use crate::executor::panic_message;
use crate::schema::parse::split;
use crate::schema::{Renderer, Value};
use crate::{
    Backend, Direction, Error, Migration, MigrationContext, Migrator, Result, RevisionId,
    TransactionMode,
};

/// `CREATE TABLE IF NOT EXISTS` of the version table (`table` is quoted).
///
/// On SQLite the table is `WITHOUT ROWID`: its rows live in the primary key's B-tree
/// alone, so a step's version change writes one page instead of a table page and an
/// index page.
pub(crate) fn version_table_ddl(backend: Backend, table: &str) -> String {
    let options = match backend {
        Backend::Sqlite => " WITHOUT ROWID",
        _ => "",
    };
    format!(
        "CREATE TABLE IF NOT EXISTS {table} (\
         version_num VARCHAR(64) NOT NULL PRIMARY KEY){options}"
    )
}

/// `CREATE TABLE IF NOT EXISTS` of the history table (`table` is quoted).
pub(crate) fn history_table_ddl(backend: Backend, table: &str) -> String {
    // On SQLite a plain `INTEGER PRIMARY KEY` is the rowid, numbered from the largest one
    // in the table. `AUTOINCREMENT` would also keep the ids of deleted rows from coming
    // back, at the cost of a `sqlite_sequence` page written by every step; the history is
    // append-only, so it is not used.
    let id = match backend {
        Backend::Sqlite => "id INTEGER PRIMARY KEY",
        Backend::Postgres => "id BIGSERIAL PRIMARY KEY",
        _ => "id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY",
    };
    format!(
        "CREATE TABLE IF NOT EXISTS {table} (\
         {id}, \
         revision VARCHAR(64) NOT NULL, \
         direction VARCHAR(16) NOT NULL, \
         checksum TEXT, \
         status VARCHAR(16) NOT NULL, \
         started_at VARCHAR(40) NOT NULL, \
         finished_at VARCHAR(40), \
         duration_us BIGINT, \
         error TEXT)"
    )
}

/// SQLite: a temporary table that refuses a non-zero count, for [`FOREIGN_KEY_CHECK`].
/// Online, with enforcement suspended for the run, the executor checks every foreign key
/// before each migration commits; a script has no `if`, so a failed `CHECK` fails the
/// `INSERT`, naming what to run. Only that statement is undone: the script must be run with
/// `sqlite3 -bail` (as the README says) to stop there, or the `COMMIT` after it commits
/// the migration anyway.
const FOREIGN_KEY_CHECK_TABLE: &str = "CREATE TEMP TABLE IF NOT EXISTS \"_migrate_foreign_key_check\" (\
     violations INTEGER CONSTRAINT \"foreign key violation: PRAGMA foreign_key_check lists the rows\" \
     CHECK (violations = 0))";

/// SQLite: fails when a row of any table references a missing parent row, after each
/// migration's statements (see [`FOREIGN_KEY_CHECK_TABLE`]).
const FOREIGN_KEY_CHECK: &str = "INSERT INTO temp.\"_migrate_foreign_key_check\" \
     SELECT COUNT(*) FROM pragma_foreign_key_check";

/// The current UTC time as RFC 3339 text with milliseconds, like the executor writes it,
/// computed by the database when the script runs.
fn now_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        Backend::Postgres => {
            "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
        }
        _ => "CONCAT(SUBSTRING(DATE_FORMAT(UTC_TIMESTAMP(3), '%Y-%m-%dT%H:%i:%s.%f'), 1, 23), 'Z')",
    }
}

/// A script being written: the text and what renders its statements.
struct Script {
    backend: Backend,
    renderer: Renderer,
    out: String,
}

impl Script {
    fn statement(&mut self, sql: &str) {
        self.terminated(sql, ";");
    }

    /// `sql` followed by `terminator`.
    fn terminated(&mut self, sql: &str, terminator: &str) {
        // Raw SQL may end in a line comment (`-- note`, MySQL's `# note`), which would
        // swallow a terminator on the same line and join the statement with the next one;
        // there the terminator goes on a line of its own. (A `--` inside a literal costs
        // only a line break.)
        let last_line = sql.lines().next_back().unwrap_or_default();
        let separator = if last_line.contains("--") || last_line.contains('#') {
            "\n"
        } else {
            ""
        };
        let _ = writeln!(self.out, "{sql}{separator}{terminator}");
    }

    /// A migration's SQL: one or more statements (`ctx.execute` takes several). `sqlite3`
    /// and `psql` split them as the server does, trigger and function bodies included.
    /// The `mariadb`/`mysql` client splits at every `;` outside strings and comments, so
    /// on MySQL each top-level statement is written alone, and one whose compound body
    /// holds `;`s (`CREATE PROCEDURE p() BEGIN ...; END`) between `DELIMITER` lines.
    fn migration_sql(&mut self, sql: &str) {
        if self.backend != Backend::Mysql {
            return self.statement(sql);
        }
        for statement in split(sql, Backend::Mysql) {
            if statement.compound {
                let delimiter = delimiter_for(statement.text);
                let _ = writeln!(self.out, "DELIMITER {delimiter}");
                self.terminated(statement.text, &delimiter);
                let _ = writeln!(self.out, "DELIMITER ;");
            } else {
                self.statement(statement.text);
            }
        }
    }

    fn comment(&mut self, text: &str) {
        for line in text.lines() {
            let _ = writeln!(self.out, "-- {line}");
        }
    }

    /// Whether transaction statements mean anything: MySQL commits DDL implicitly, so
    /// its scripts, like its online runs, cannot roll a migration back.
    fn transactional(&self) -> bool {
        self.backend != Backend::Mysql
    }

    fn begin(&mut self) {
        if self.transactional() {
            self.statement("BEGIN");
        }
    }

    fn commit(&mut self) {
        if self.transactional() {
            self.statement("COMMIT");
        }
    }

    fn literal(&self, text: &str) -> Result<String> {
        self.renderer.literal(&Value::Text(text.to_owned()))
    }
}

/// A `DELIMITER` for the MySQL client that `sql` does not hold: `//`, else `$$`, else
/// `$$1$$`, `$$2$$`, ...
fn delimiter_for(sql: &str) -> String {
    if let Some(short) = ["//", "$$"].into_iter().find(|d| !sql.contains(d)) {
        return short.to_owned();
    }
    let mut n = 1_u64;
    loop {
        let delimiter = format!("$${n}$$");
        if !sql.contains(&delimiter) {
            return delimiter;
        }
        n += 1;
    }
}

/// Which way a script goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Upgrade,
    Downgrade,
}

impl Migrator {
    /// The SQL script that upgrading from `start` (a target: `base`, a revision, ...;
    /// `None` for `base`) to `target` runs on `backend`, rendered without a database:
    /// what `upgrade START:TARGET --sql` prints.
    ///
    /// Fails with [`Error::NeedsConnection`] naming the first migration that asks for the
    /// live connection without an offline fallback.
    ///
    /// ```
    /// use migrate_runtime::{Backend, Migration, MigrationFn, MigrationSet, Migrator, RevisionId};
    /// use migrate_runtime::schema::{Column, ColumnType, Table};
    ///
    /// let create = Migration::new(
    ///     RevisionId::new("0001")?,
    ///     MigrationFn::new(|ctx| {
    ///         ctx.create_table(Table::new("users").column(Column::new("id", ColumnType::BigInt).primary_key()))
    ///     }),
    /// );
    /// let migrator = Migrator::new(MigrationSet::new(vec![create])?);
    /// let sql = migrator.upgrade_sql(Backend::Postgres, None, "head")?;
    /// assert!(sql.contains(r#"CREATE TABLE "users""#));
    /// assert!(sql.contains("INSERT INTO \"migrate_version\" (version_num) VALUES ('0001');"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn upgrade_sql(
        &self,
        backend: Backend,
        start: Option<&str>,
        target: &str,
    ) -> Result<String> {
        self.script(backend, Kind::Upgrade, start.unwrap_or("base"), target)
    }

    /// The SQL script that downgrading from `start` (there is no database to read it
    /// from) to `target` runs on `backend`: what `downgrade START:TARGET --sql` prints.
    pub fn downgrade_sql(&self, backend: Backend, start: &str, target: &str) -> Result<String> {
        self.script(backend, Kind::Downgrade, start, target)
    }

    fn script(&self, backend: Backend, kind: Kind, start: &str, target: &str) -> Result<String> {
        let options = self.options();
        options.validate()?;
        let all = options.transaction_mode == TransactionMode::All;
        if all && backend == Backend::Mysql {
            return Err(Error::TransactionModeUnsupported { backend });
        }
        let graph = self.set().graph();
        let current = if start == "base" {
            Vec::new()
        } else {
            graph.plan_stamp(&[], start)?
        };
        let plan = match kind {
            Kind::Upgrade => graph.plan_upgrade(&current, target)?,
            Kind::Downgrade => graph.plan_downgrade(&current, target)?,
        };
        // Nothing to run may be right (`head:head`), unless a downgrade would run something:
        // then the range was written the wrong way round. (A downgrade towards a revision
        // above its start is refused by the planner already.)
        if kind == Kind::Upgrade
            && plan.steps.is_empty()
            && graph
                .plan_downgrade(&current, target)
                .is_ok_and(|down| !down.steps.is_empty())
        {
            return Err(Error::BackwardsRange {
                start: start.to_owned(),
                target: target.to_owned(),
            });
        }
        self.refuse_irreversible(&plan.steps)?;

        let mut script = Script {
            backend,
            renderer: Renderer::new(backend),
            out: String::new(),
        };
        let version = quote_table(backend, &options.version_table);
        let history = quote_table(backend, &options.history_table);
        script.comment(&format!(
            "migrate: {} {start} -> {target} on {backend}, transaction mode {}\n\
             generated offline; apply it to a database at `{start}`",
            match kind {
                Kind::Upgrade => "upgrade",
                Kind::Downgrade => "downgrade",
            },
            if all { "all" } else { "per-migration" },
        ));
        if backend == Backend::Sqlite {
            script.comment(
                "table rebuilds drop and re-create tables: keep foreign-key actions from firing",
            );
            script.statement("PRAGMA foreign_keys = OFF");
            script.comment(
                "as a run does, stop at a migration that leaves a row whose parent is gone",
            );
            script.statement(FOREIGN_KEY_CHECK_TABLE);
        }
        if backend == Backend::Mysql {
            // The script is UTF-8. A client reading it in its own default character set
            // (utf8mb3 or latin1) would garble text beyond it, and the procedures and
            // triggers it creates would keep that character set, where a run's are utf8mb4.
            script.comment("read the script as UTF-8, as a run's connection does");
            script.statement("SET NAMES utf8mb4");
        }
        script.out.push('\n');
        if !current.is_empty() {
            self.learn_shapes(&mut script, &current);
        }
        script.statement(&version_table_ddl(backend, &version));
        script.statement(&history_table_ddl(backend, &history));
        if all {
            script.begin();
        }
        for step in &plan.steps {
            let migration = self.set().get(step.revision.as_str()).ok_or_else(|| {
                Error::VersionTableChanged {
                    revision: step.revision.to_string(),
                }
            })?;
            self.render_step(&mut script, step, migration, all, &version, &history)?;
        }
        if all {
            script.commit();
        }
        Ok(script.out)
    }

    /// Renders the upgrade from `base` to `start` and throws the SQL away, so that the
    /// renderer knows the shape of the tables the script starts with (SQLite rebuilds
    /// need it). Best effort: a migration that cannot be rendered stops the learning
    /// there, and only a later rebuild of a table it would have shaped fails.
    fn learn_shapes(&self, script: &mut Script, start: &[RevisionId]) {
        let mut applied: Vec<RevisionId> = Vec::new();
        for head in start {
            let Ok(plan) = self.set().graph().plan_upgrade(&applied, head.as_str()) else {
                return;
            };
            for step in &plan.steps {
                if !self.learn_step(script, step) {
                    return;
                }
                applied.retain(|id| !step.delete_versions().contains(id));
                applied.extend(step.insert_versions().iter().cloned());
            }
        }
    }

    /// Renders one upgrade step into the void; whether it rendered.
    fn learn_step(&self, script: &mut Script, step: &migrate_core::Step) -> bool {
        {
            let Some(migration) = self.set().get(step.revision.as_str()) else {
                return false;
            };
            let mut discarded = Vec::new();
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                let mut ctx = MigrationContext::offline(
                    &mut script.renderer,
                    &mut discarded,
                    &step.revision,
                    Direction::Up,
                );
                migration.upgrade().call(&mut ctx)?;
                ctx.finish(false)
            }));
            matches!(outcome, Ok(Ok(())))
        }
    }

    fn render_step(
        &self,
        script: &mut Script,
        step: &migrate_core::Step,
        migration: &Migration,
        all: bool,
        version: &str,
        history: &str,
    ) -> Result<()> {
        let direction = step.direction;
        // The migration's own edge, as Alembic prints it: its parents to it when applied,
        // the reverse when reverted (`<base>` for a root), whatever rows the version table
        // swaps (none are deleted below a branch point, say).
        let parents = &migration.revision().down_revisions;
        let parents = if parents.is_empty() {
            "<base>".to_owned()
        } else {
            parents
                .iter()
                .map(RevisionId::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (from, to) = match direction {
            Direction::Up => (parents.as_str(), step.revision.as_str()),
            Direction::Down => (step.revision.as_str(), parents.as_str()),
        };
        script.out.push('\n');
        script.comment(&format!(
            "Running {direction} {from} -> {to}: {}",
            migration.message()
        ));
        let function = match direction {
            Direction::Up => migration.upgrade(),
            Direction::Down => migration.downgrade().ok_or_else(|| Error::Irreversible {
                revision: step.revision.clone(),
            })?,
        };
        let transactional = migration.is_transactional();
        match (all, transactional) {
            (false, true) => script.begin(),
            // A non-transactional migration runs alone, between the run's transactions.
            (true, false) => script.commit(),
            _ => {}
        }

        let mut statements = Vec::new();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let mut ctx = MigrationContext::offline(
                &mut script.renderer,
                &mut statements,
                &step.revision,
                direction,
            )
            .in_migrate_transaction(transactional);
            function.call(&mut ctx)?;
            ctx.finish(false)
        }));
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(err @ Error::NeedsConnection { .. })) => return Err(err),
            Ok(Err(err)) => {
                return Err(Error::Migration {
                    revision: step.revision.clone(),
                    direction,
                    message: migration.message().to_owned(),
                    source: Box::new(err),
                });
            }
            Err(payload) => {
                return Err(Error::Panic {
                    revision: step.revision.clone(),
                    direction,
                    message: panic_message(payload.as_ref()),
                });
            }
        }
        for sql in &statements {
            script.migration_sql(sql);
        }
        if script.backend == Backend::Sqlite {
            script.statement(FOREIGN_KEY_CHECK);
        }

        for id in step.delete_versions() {
            let sql = format!(
                "DELETE FROM {version} WHERE version_num = {}",
                script.literal(id.as_str())?
            );
            script.statement(&sql);
        }
        for id in step.insert_versions() {
            let sql = format!(
                "INSERT INTO {version} (version_num) VALUES ({})",
                script.literal(id.as_str())?
            );
            script.statement(&sql);
        }
        let now = now_sql(script.backend);
        let checksum = match migration.checksum() {
            Some(sum) => script.literal(sum)?,
            None => "NULL".into(),
        };
        let sql = format!(
            "INSERT INTO {history} (revision, direction, checksum, status, started_at, \
             finished_at, duration_us, error) VALUES ({}, {}, {checksum}, 'succeeded', {now}, \
             {now}, NULL, NULL)",
            script.literal(step.revision.as_str())?,
            script.literal(&direction.to_string())?,
        );
        script.statement(&sql);
        match (all, transactional) {
            (false, true) => script.commit(),
            (true, false) => script.begin(),
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mysql_delimiter_is_not_in_the_statement() {
        assert_eq!(delimiter_for("BEGIN SELECT 1; END"), "//");
        assert_eq!(delimiter_for("BEGIN SELECT '//'; END"), "$$");
        assert_eq!(delimiter_for("BEGIN SELECT '// $$ $$1$$'; END"), "$$2$$");
    }
}
