//! `stamp [--purge] TARGET`: set the version table without running any migration; `stamp
//! --from-diesel` takes the target from diesel_cli's `__diesel_schema_migrations` table.

use clap::Args;

use super::diesel_folder::{self, DIESEL_TABLE};
use super::{Session, Status, format};
use crate::{Error, Options, Result};

/// Arguments of `stamp`.
#[derive(Debug, Clone, Args)]
pub struct StampArgs {
    /// The revisions to record: `head`, `heads`, `base`, a revision id or prefix, ...
    #[arg(allow_negative_numbers = true, required_unless_present = "from_diesel")]
    pub target: Option<String>,
    /// Delete every row of the version table first, whatever it holds, then stamp TARGET
    /// as on a fresh database: the repair for rows no migration declares, or a revision
    /// listed with its own descendant.
    #[arg(long)]
    pub purge: bool,
    /// Record the revision that `import diesel` made of the last migration diesel_cli
    /// applied, read from its `__diesel_schema_migrations` table (which stays as it is).
    /// Refused when diesel applied migrations out of order, or one that was not imported.
    #[arg(long, conflicts_with = "target")]
    pub from_diesel: bool,
}

impl StampArgs {
    pub(crate) fn run(self, session: &Session) -> Result<Status> {
        // The planner reads an empty target as `base`, as Alembic does; on the command line
        // it is an unset variable (`stamp "$REV"`), and stamping base would empty the table.
        let target = self.target.unwrap_or_default();
        if !self.from_diesel && target.trim().is_empty() {
            return Err(migrate_core::PlanError::EmptyTarget.into());
        }
        let database = session.database()?;
        outln!("database: {database}");
        let migrator = session.migrator(Options::default())?;
        if !self.from_diesel {
            migrator.preflight_stamp(&target)?;
        }
        if self.from_diesel && !database.exists() {
            // Opening it would create an empty SQLite file.
            return Err(Error::Refused(format!(
                "there is no database at {}: nothing to stamp from {DIESEL_TABLE}; point \
                 --database-url (or DATABASE_URL) at the database diesel migrated",
                database.url
            )));
        }
        let mut conn = database.connect()?;
        let target = if self.from_diesel {
            let Some(versions) = crate::store::diesel_versions(&mut conn)? else {
                return Err(Error::Refused(format!(
                    "the database has no {DIESEL_TABLE} table: diesel never migrated it, so \
                     there is nothing to stamp from; `upgrade head` applies every migration"
                )));
            };
            match diesel_folder::stamp_target(migrator.set().graph(), &versions)
                .map_err(Error::Refused)?
            {
                Some(id) => {
                    outln!(
                        "diesel applied {} (the last `{}`): stamping {id}",
                        if versions.len() == 1 {
                            "1 migration".to_owned()
                        } else {
                            format!("{} migrations", versions.len())
                        },
                        versions.last().map_or("", String::as_str)
                    );
                    id.to_string()
                }
                None => {
                    outln!(
                        "{DIESEL_TABLE} is empty: diesel applied nothing, so there is nothing \
                         to stamp"
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
