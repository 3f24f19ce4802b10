//! `import diesel [DIR]`: write one migration file per diesel_cli migration (`up.sql`,
//! `down.sql`, `metadata.toml`) into the migrations folder, chained in diesel's order, and,
//! when the database has diesel's `__diesel_schema_migrations` table, say which revision to
//! `stamp` once the binary is rebuilt with them.
//!
//! The import writes every file or none, and starts a new history: it refuses a migrations
//! folder that already holds other migrations. Run again, it writes only what is missing
//! (a diesel migration added since, at the end of diesel's order) and refuses to change a
//! file it wrote before.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::config::Settings;
use super::diesel_folder::{self, DIESEL_TABLE, DieselMigration};
use super::revision::{self, Folder};
use super::template::NewRevision;
use super::{Session, Status};
use crate::{Error, Result};

/// Arguments of `import`.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// Where the migrations come from.
    #[command(subcommand)]
    pub source: ImportSource,
}

/// The tools `import` reads migrations from.
#[derive(Debug, Clone, Subcommand)]
#[non_exhaustive]
pub enum ImportSource {
    /// Import a diesel_cli migrations folder: one migration file per diesel migration
    /// (its up.sql and down.sql verbatim), chained in diesel's order; with a database that
    /// diesel migrated, say which revision to `stamp` after rebuilding.
    Diesel(DieselArgs),
}

/// Arguments of `import diesel`.
#[derive(Debug, Clone, Args)]
pub struct DieselArgs {
    /// The diesel migrations folder. Default: the `dir` of `[migrations_directory]` in the
    /// project root's diesel.toml, else `migrations` in the project root.
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

impl ImportArgs {
    pub(crate) fn run(self, session: &Session) -> Result<Status> {
        match self.source {
            ImportSource::Diesel(args) => args.run(session),
        }
    }
}

impl DieselArgs {
    fn run(self, session: &Session) -> Result<Status> {
        let settings = session.settings()?;
        let (dir, whence) = diesel_dir(settings, self.dir.as_deref())?;
        let shown = |path: &Path| settings.display_path(path);
        if !dir.is_dir() {
            return Err(Error::Refused(format!(
                "the diesel migrations folder `{}` ({whence}) does not exist; pass its path: \
                 `import diesel DIR`",
                shown(&dir)
            )));
        }
        let migrations = diesel_folder::read(&dir, &shown).map_err(|problems| {
            Error::Refused(format!(
                "cannot import `{}`, nothing was written:\n  {}",
                shown(&dir),
                problems.join("\n  ")
            ))
        })?;
        if migrations.is_empty() {
            return Err(Error::Refused(format!(
                "`{}` ({whence}) holds no diesel migration (a folder with an `up.sql`): \
                 nothing to import; pass the folder that does: `import diesel DIR`",
                shown(&dir)
            )));
        }
        // A malformed URL is bad input: refused before anything is written.
        let database = session.database()?;
        let folder = Folder::open(settings, session.set())?;
        // The files name where their SQL comes from relative to the project root, so that
        // an import run from elsewhere writes the same text (and finds its files unchanged).
        let root = settings
            .root
            .canonicalize()
            .unwrap_or_else(|_| settings.root.clone());
        let from_root = |path: &Path| {
            let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
            path.strip_prefix(&root)
                .unwrap_or(&path)
                .display()
                .to_string()
        };
        let revisions = diesel_folder::revisions(&migrations, &from_root);
        let mut files: Vec<(String, String)> = Vec::with_capacity(revisions.len());
        for revision in &revisions {
            files.push((revision.file_name(), revision::render(settings, revision)?));
        }
        let missing = missing_files(settings, &folder, &files)?;
        outln!(
            "importing {} diesel migrations from `{}` ({whence})",
            migrations.len(),
            shown(&dir)
        );
        if missing.is_empty() {
            outln!(
                "nothing to write: every one is already in `{}`, unchanged",
                shown(folder.path())
            );
        } else {
            write_all(settings, &folder, &files, &missing, &revisions, &migrations)?;
            outln!(
                "imported {} into `{}`{}; rebuild so that the binary has them (`cargo xtask \
                 migrate ...` does)",
                count(missing.len(), "migration"),
                shown(folder.path()),
                if missing.len() < files.len() {
                    format!(" ({} already there)", files.len() - missing.len())
                } else {
                    String::new()
                }
            );
        }
        if database.exists() {
            advise(&database, &migrations, &revisions);
        }
        Ok(Status::Success)
    }
}

/// The diesel migrations folder and where that choice comes from: `dir` (relative to the
/// current directory), else diesel.toml's `[migrations_directory] dir` (relative to
/// diesel.toml), else `migrations` in the project root, as diesel_cli finds it.
fn diesel_dir(settings: &Settings, dir: Option<&Path>) -> Result<(PathBuf, String)> {
    if let Some(dir) = dir {
        return Ok((settings.cwd.join(dir), "given on the command line".into()));
    }
    let config = settings.root.join("diesel.toml");
    let shown = settings.display_path(&config);
    let refused = |reason: String| {
        Error::Refused(format!(
            "cannot read `{shown}`: {reason}; fix it, or pass the migrations folder: \
             `import diesel DIR`"
        ))
    };
    let text = match std::fs::read_to_string(&config) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Ok((
                settings.root.join("migrations"),
                "the default: `migrations` in the project root".into(),
            ));
        }
        Err(err) => return Err(refused(err.to_string())),
    };
    let table: toml::Table = text
        .parse()
        .map_err(|err: toml::de::Error| refused(err.message().trim_end().to_owned()))?;
    match table.get("migrations_directory").map(|m| m.get("dir")) {
        None => Ok((
            settings.root.join("migrations"),
            format!("the default: `{shown}` names no `[migrations_directory]`"),
        )),
        Some(Some(toml::Value::String(dir))) => Ok((
            settings.root.join(dir),
            format!("`[migrations_directory]` in `{shown}`"),
        )),
        Some(_) => Err(refused(
            "`[migrations_directory]` needs `dir = \"PATH\"`".to_owned(),
        )),
    }
}

/// The indexes of `files` (name, text) that the migrations folder lacks. Refuses when one
/// exists with other contents, or when the folder holds other migrations and something
/// is missing: the import starts a history of its own, and appends only to itself.
fn missing_files(
    settings: &Settings,
    folder: &Folder,
    files: &[(String, String)],
) -> Result<Vec<usize>> {
    let mut missing = Vec::new();
    let mut changed = Vec::new();
    for (at, (name, text)) in files.iter().enumerate() {
        let path = folder.path().join(name);
        match std::fs::read_to_string(&path) {
            Ok(existing) if existing == *text => {}
            Ok(_) => changed.push(format!("`{}`", settings.display_path(&path))),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => missing.push(at),
            Err(source) => {
                return Err(Error::Io {
                    action: "read",
                    path: settings.display_path(&path),
                    source,
                });
            }
        }
    }
    if !changed.is_empty() {
        return Err(Error::Refused(format!(
            "{} already {} and {} from what the import writes (edited since an earlier import, \
             or written from another template); nothing was written: move {} away to import \
             again",
            changed.join(", "),
            if changed.len() == 1 {
                "exists"
            } else {
                "exist"
            },
            if changed.len() == 1 {
                "differs"
            } else {
                "differ"
            },
            if changed.len() == 1 { "it" } else { "them" },
        )));
    }
    if missing.is_empty() {
        return Ok(missing);
    }
    let others: Vec<String> = folder
        .files()
        .iter()
        .filter(|name| !files.iter().any(|(ours, _)| ours == *name))
        .filter(|name| {
            std::fs::read_to_string(folder.path().join(name))
                .map_or(true, |text| revision::declares_migration(&text))
        })
        .map(|name| format!("`{name}`"))
        .collect();
    if !others.is_empty() {
        let first = &files[missing[0]].0;
        return Err(Error::Refused(format!(
            "the migrations folder `{}` already holds migrations ({}), and the import starts \
             a history of its own from diesel's first migration; nothing was written: import \
             into an empty folder (`migrations` in migrate.toml){}",
            settings.display_path(folder.path()),
            others.join(", "),
            if missing[0] > 0 {
                format!(
                    ", or, for a diesel migration added since the import (`{first}`), write it \
                     as a new revision (`revision -m ...`) with its SQL"
                )
            } else {
                String::new()
            }
        )));
    }
    Ok(missing)
}

/// Creates the `missing` files, in order, printing each; on a failure removes those it
/// created, so that the import writes all of them or none.
fn write_all(
    settings: &Settings,
    folder: &Folder,
    files: &[(String, String)],
    missing: &[usize],
    revisions: &[NewRevision],
    migrations: &[DieselMigration],
) -> Result<()> {
    let mut created: Vec<PathBuf> = Vec::new();
    for &at in missing {
        let (name, text) = &files[at];
        match folder.create(settings, name, text) {
            Ok(path) => created.push(path),
            Err(err) => {
                for path in &created {
                    let _ = std::fs::remove_file(path);
                }
                if !created.is_empty() {
                    eprintln!(
                        "note: removed the {} created before the failure",
                        count(created.len(), "file")
                    );
                }
                return Err(err);
            }
        }
        let (revision, migration) = (&revisions[at], &migrations[at]);
        outln!(
            "  revision {}, revises {}",
            revision.id,
            super::format::revisions_or_base(&revision.revises)
        );
        if revision.irreversible {
            outln!("  irreversible: no down.sql, or an empty one, which diesel cannot revert");
        }
        if migration.metadata_without_key {
            outln!(
                "  transactional = false: its metadata.toml does not set `run_in_transaction`, \
                 which diesel reads as false"
            );
        } else if !revision.transactional {
            outln!("  transactional = false: `run_in_transaction = false` in its metadata.toml");
        }
    }
    Ok(())
}

/// Says what diesel applied to the database and which revision to stamp after the
/// rebuild. Reads `__diesel_schema_migrations` only; a database that cannot be read costs
/// only this advice (a warning).
fn advise(
    database: &super::database::Target,
    migrations: &[DieselMigration],
    revisions: &[NewRevision],
) {
    outln!("database: {database}");
    let versions = database
        .connect()
        .and_then(|mut conn| crate::store::diesel_versions(&mut conn));
    let versions = match versions {
        Ok(Some(versions)) => versions,
        Ok(None) => {
            outln!(
                "no {DIESEL_TABLE} table there: diesel never migrated this database, so \
                 `upgrade head` applies every imported migration"
            );
            return;
        }
        Err(err) => {
            eprintln!(
                "warning: cannot read what diesel applied to the database ({}); run `import \
                 diesel` again when it answers, or `stamp --from-diesel` after rebuilding",
                err.to_string().trim_end()
            );
            return;
        }
    };
    let applied = diesel_folder::applied(migrations, &versions);
    for version in &applied.unknown {
        eprintln!(
            "warning: {DIESEL_TABLE} records version `{version}` as applied, but no migration \
             of the folder has that version (removed or renamed since?): what it did is in the \
             database but in no imported revision"
        );
    }
    let Some(newest) = applied.newest else {
        outln!("diesel applied none of these migrations there: `upgrade head` applies every one");
        return;
    };
    if !applied.missing.is_empty() {
        let names: Vec<String> = applied
            .missing
            .iter()
            .map(|m| format!("`{}`", m.name))
            .collect();
        eprintln!(
            "warning: diesel applied `{}` but not {}, which {} before it: stamping its revision \
             would record {} as applied although {} SQL never ran there; apply {} first \
             (`diesel migration run` applies every pending one), then run `import diesel` \
             again for the revision to stamp",
            newest.name,
            names.join(", "),
            if names.len() == 1 { "comes" } else { "come" },
            if names.len() == 1 { "it" } else { "them" },
            if names.len() == 1 { "its" } else { "their" },
            if names.len() == 1 { "it" } else { "them" },
        );
        return;
    }
    let at = migrations
        .iter()
        .position(|m| std::ptr::eq(m, newest))
        .unwrap_or_default();
    let rest = migrations.len() - applied.count;
    outln!(
        "diesel applied {} of the {} there, up to `{}`; after rebuilding, record that without \
         running anything (or run `stamp --from-diesel`, which reads {DIESEL_TABLE} for it):",
        applied.count,
        count(migrations.len(), "migration"),
        newest.name
    );
    outln!("  stamp {}", revisions[at].id);
    outln!(
        "then `upgrade head` applies {}; {DIESEL_TABLE} is left as it is",
        if rest == 0 {
            "nothing (all are applied)".to_owned()
        } else {
            format!("the other {rest}")
        }
    );
}

/// `3 migrations`, `1 file`.
fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}
