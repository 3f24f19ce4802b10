//! The measured operations, each run in a child process of its own: migrate's `Migrator`,
//! and diesel_migrations' `FileBasedMigrations` on the same migrations.

use std::path::Path;

use diesel::Connection;
use diesel::migration::MigrationSource;
use diesel_migrations::{FileBasedMigrations, MigrationHarness};
use migrate_runtime::{AnyConnection, DatabaseUrl, Migrator, Options, TransactionMode};

use crate::BoxError;

/// What a measured run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Empty database to head, one transaction per migration.
    Upgrade,
    /// Empty database to head in one transaction.
    UpgradeAll,
    /// `upgrade head` on a database already at head.
    Noop,
    /// Head to base, one transaction per migration.
    Downgrade,
}

impl Op {
    /// Every operation, in the order a run performs them.
    pub const ALL: [Op; 4] = [Op::Upgrade, Op::UpgradeAll, Op::Noop, Op::Downgrade];

    /// The name used on the command line and in the report.
    pub fn name(self) -> &'static str {
        match self {
            Op::Upgrade => "upgrade",
            Op::UpgradeAll => "upgrade-all",
            Op::Noop => "noop",
            Op::Downgrade => "downgrade",
        }
    }

    /// The operation called `name`.
    pub fn parse(name: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.name() == name)
    }
}

/// Applies `op` with migrate's migrator to `url`, on a chain of `n` generated migrations.
/// The migrations are built here, inside the measured process, as an application's
/// registry would be at start.
pub fn migrate(url: &str, n: usize, op: Op) -> Result<(), BoxError> {
    let set = crate::workload::migration_set(n)?;
    let mode = if op == Op::UpgradeAll {
        TransactionMode::All
    } else {
        TransactionMode::PerMigration
    };
    let migrator = Migrator::new(set).with_options(Options::default().with_transaction_mode(mode));
    let mut conn = AnyConnection::open(&DatabaseUrl::parse(url)?)?;
    let report = match op {
        Op::Downgrade => migrator.downgrade(&mut conn, "base")?,
        _ => migrator.upgrade(&mut conn, "head")?,
    };
    let expected = if op == Op::Noop { 0 } else { n };
    if report.steps.len() != expected {
        return Err(format!(
            "migrate ran {} steps for {}, expected {expected}",
            report.steps.len(),
            op.name()
        )
        .into());
    }
    Ok(())
}

/// Applies `op` with diesel_migrations to `url`, reading the SQL folders in `dir`.
/// `UpgradeAll` wraps diesel's run in one outer transaction (its per-migration
/// transactions become savepoints).
pub fn diesel(url: &str, dir: &Path, op: Op) -> Result<(), BoxError> {
    let parsed = DatabaseUrl::parse(url)?;
    match parsed.backend() {
        #[cfg(feature = "sqlite")]
        migrate_runtime::Backend::Sqlite => diesel_run(
            &mut diesel::SqliteConnection::establish(parsed.sqlite_path())?,
            dir,
            op,
        ),
        #[cfg(feature = "postgres")]
        migrate_runtime::Backend::Postgres => {
            diesel_run(&mut diesel::PgConnection::establish(url)?, dir, op)
        }
        #[cfg(feature = "mysql")]
        migrate_runtime::Backend::Mysql => {
            diesel_run(&mut diesel::MysqlConnection::establish(url)?, dir, op)
        }
        #[allow(
            unreachable_patterns,
            reason = "reachable when a backend feature is off"
        )]
        other => Err(format!("this build has no {other} support").into()),
    }
}

fn diesel_run<C>(conn: &mut C, dir: &Path, op: Op) -> Result<(), BoxError>
where
    C: Connection + MigrationHarness<C::Backend>,
    FileBasedMigrations: MigrationSource<C::Backend>,
{
    let migrations = FileBasedMigrations::from_path(dir)?;
    let count = match op {
        Op::Upgrade | Op::Noop => conn.run_pending_migrations(migrations)?.len(),
        Op::UpgradeAll => conn.transaction(|conn| {
            conn.run_pending_migrations(migrations)
                .map(|done| done.len())
                .map_err(diesel::result::Error::QueryBuilderError)
        })?,
        Op::Downgrade => conn.revert_all_migrations(migrations)?.len(),
    };
    if op == Op::Noop && count != 0 {
        return Err(
            format!("diesel_migrations ran {count} migrations on a database at head").into(),
        );
    }
    Ok(())
}

/// The no-op floor inside this same binary: open one connection to `url` and read the
/// version table once, as migrate's no-op does, with nothing else. Process start and
/// library loading cost the same as in [`migrate`], so the difference is migrate's own.
pub fn connect_and_query(url: &str) -> Result<(), BoxError> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        #[allow(dead_code, reason = "loaded to match migrate's query, never read")]
        version_num: String,
    }
    let mut conn = AnyConnection::open(&DatabaseUrl::parse(url)?)?;
    let rows: Vec<Row> = diesel::RunQueryDsl::load(
        diesel::sql_query("SELECT version_num FROM migrate_version"),
        &mut conn,
    )?;
    if rows.is_empty() {
        return Err("the version table is empty".into());
    }
    Ok(())
}

/// The peak resident set size of this process in KiB (`VmHWM`), if the platform says.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}
