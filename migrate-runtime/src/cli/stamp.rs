//! `stamp [--purge] TARGET`: set the version table without running any migration; `stamp
//! --from <diesel|sqlx|refinery>` takes the target from that tool's history table.

use clap::Args;

use super::foreign::{self, History, MigrationTool, Recorded};
use super::{Session, Status, format};
use crate::{Error, Options, Result};

/// Arguments of `stamp`.
#[derive(Debug, Clone, Args)]
pub struct StampArgs {
    /// The revisions to record: `head`, `heads`, `base`, a revision id or prefix, ...
    #[arg(allow_negative_numbers = true, required_unless_present = "from")]
    pub target: Option<String>,
    /// Delete every row of the version table first, whatever it holds, then stamp TARGET
    /// as on a fresh database: the repair for rows no migration declares, or a revision
    /// listed with its own descendant.
    #[arg(long)]
    pub purge: bool,
    /// Record the revision that `import TOOL` made of the last migration that tool
    /// applied, read from its history table (`__diesel_schema_migrations`,
    /// `_sqlx_migrations`, `refinery_schema_history`), which stays as it is. Refused when
    /// the tool applied migrations out of order, one that was not imported, or (sqlx) one
    /// that failed part way. Changes nothing (exit 0) when migrate already records that
    /// revision or a later one, or applied it and reverted it since: safe on every deploy.
    #[arg(long, value_name = "TOOL", conflicts_with = "target")]
    pub from: Option<MigrationTool>,
    /// With `--from sqlx` or `--from refinery`: the tool's history table, when configured to
    /// another than its default.
    #[arg(long, value_name = "NAME", requires = "from", value_parser = foreign::table_arg)]
    pub table: Option<String>,
}

impl StampArgs {
    pub(crate) fn run(self, session: &Session) -> Result<Status> {
        // The planner reads an empty target as `base`, as Alembic does; on the command line
        // it is an unset variable (`stamp "$REV"`), and stamping base would empty the table.
        let target = self.target.unwrap_or_default();
        if self.from.is_none() && target.trim().is_empty() {
            return Err(migrate_core::PlanError::EmptyTarget.into());
        }
        let from = match (self.from, self.table) {
            (Some(MigrationTool::Diesel), Some(_)) => {
                return Err(Error::Refused(
                    "diesel's history table is always __diesel_schema_migrations: drop `--table`"
                        .to_owned(),
                ));
            }
            (Some(tool), table) => Some((
                tool,
                match table {
                    Some(table) => table,
                    None => configured_table(session, tool)?,
                },
            )),
            (None, _) => None,
        };
        let database = session.database()?;
        outln!("database: {database}");
        let migrator = session.migrator(Options::default())?;
        if from.is_none() {
            migrator.preflight_stamp(&target)?;
        }
        if let Some((tool, table)) = &from
            && !database.exists()
        {
            // Opening it would create an empty SQLite file.
            return Err(Error::Refused(format!(
                "there is no database at {}: nothing to stamp from {table}; point \
                 --database-url (or DATABASE_URL) at the database {tool} migrated",
                database.url
            )));
        }
        let mut conn = database.connect()?;
        let target = if let Some((tool, table)) = &from {
            let query = tool.history_query(table, conn.backend());
            let Some(rows) = crate::store::foreign_history(&mut conn, &query)? else {
                return Err(Error::Refused(format!(
                    "the database has no {table} table: {tool} never migrated it, so there is \
                     nothing to stamp from; `upgrade head` applies every migration"
                )));
            };
            let history = History::new(*tool, rows);
            if let Some(reason) = history.failed_reason(*tool, table) {
                return Err(Error::Refused(format!("nothing stamped: {reason}")));
            }
            if *tool == MigrationTool::Sqlx {
                warn_edited(session, &mut conn, table);
            }
            let versions = &history.versions;
            match foreign::stamp_target(*tool, migrator.set().graph(), versions)
                .map_err(Error::Refused)?
            {
                Some(id) => {
                    outln!(
                        "{tool} applied {} (the last `{}`): {id} stands for {}",
                        if versions.len() == 1 {
                            "1 migration".to_owned()
                        } else {
                            format!("{} migrations", versions.len())
                        },
                        versions.last().map_or("", String::as_str),
                        if versions.len() == 1 { "it" } else { "them" },
                    );
                    let current = migrator.current(&mut conn)?;
                    let history = migrator.history(&mut conn)?;
                    match foreign::recorded(migrator.set().graph(), &id, &current, &history) {
                        Recorded::Stamp => {}
                        Recorded::Already(row) => {
                            if row == id {
                                outln!("migrate already records {id}: nothing to stamp");
                            } else {
                                outln!(
                                    "migrate already records {row}, which comes after {id}: \
                                     nothing stamped (a stamp from {table} never takes the \
                                     version table back)"
                                );
                            }
                            return Ok(Status::Success);
                        }
                        Recorded::Reverted(ids) => {
                            let one = ids.len() == 1;
                            outln!(
                                "migrate applied {} and has reverted {} since, which {table} \
                                 still records as applied: nothing stamped, so that {} not \
                                 recorded again; `upgrade head` applies {} again",
                                format::join(ids.iter().map(|id| format!("`{id}`"))),
                                if one { "it" } else { "them" },
                                if one { "it is" } else { "they are" },
                                if one { "it" } else { "them" },
                            );
                            return Ok(Status::Success);
                        }
                        Recorded::Elsewhere(rows) => {
                            return Err(Error::Refused(format!(
                                "nothing stamped: migrate's version table records {}, which \
                                 {} not {id} nor one of its ancestors or descendants, so \
                                 migrate has taken this database another way since {tool}; \
                                 see `history`, and stamp the revision the schema matches by \
                                 hand: `stamp REV` (`stamp --purge REV` replaces every row)",
                                format::join(rows.iter().map(|id| format!("`{id}`"))),
                                if rows.len() == 1 { "is" } else { "are" },
                            )));
                        }
                    }
                    if !current.is_empty() {
                        outln!(
                            "migrate records {}, below {id}: {tool} applied the rest since",
                            format::join(current.iter().map(|id| format!("`{id}`")))
                        );
                    }
                    outln!("stamping {id}");
                    id.to_string()
                }
                None => {
                    outln!(
                        "{table} is empty: {tool} applied nothing, so there is nothing to stamp"
                    );
                    return Ok(Status::Success);
                }
            }
        } else {
            target
        };
        let rows = if self.purge {
            migrator.stamp_purge(&mut conn, &target)?
        } else {
            migrator.stamp(&mut conn, &target)?
        };
        outln!(
            "stamped {} without running any migration",
            format::revisions_or_base(&rows)
        );
        Ok(Status::Success)
    }
}

/// Warns, as `import sqlx` does, of the migrations of the sqlx folder whose file changed
/// since sqlx applied it, when the folder is there to read (a deployed binary may run
/// without its sources: then nothing is said).
fn warn_edited(session: &Session, conn: &mut crate::AnyConnection, table: &str) {
    let Ok(settings) = session.settings() else {
        return;
    };
    let Ok(config) = super::sqlx_folder::config(settings) else {
        return;
    };
    let shown = |path: &std::path::Path| settings.display_path(path);
    if let Ok(migrations) = super::sqlx_folder::read(&config.dir, &shown) {
        super::import::warn_edited(
            conn,
            table,
            &migrations,
            &config.ignored_chars,
            "before relying on this stamp",
        );
    }
}

/// The history table of `tool` when `--table` is not given: sqlx.toml's `table-name` for
/// sqlx (a file sqlx would refuse is refused), else the tool's default.
pub(crate) fn configured_table(session: &Session, tool: MigrationTool) -> Result<String> {
    if tool == MigrationTool::Sqlx
        && let Some(table) = super::sqlx_folder::config(session.settings()?)?.table
    {
        return Ok(table);
    }
    Ok(tool.default_table().to_owned())
}
