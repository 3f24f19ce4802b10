//! `import <diesel|sqlx|refinery> [DIR]`: write one migration file per migration of
//! another tool's folder (diesel_cli's `up.sql`/`down.sql`/`metadata.toml`, sqlx's
//! `<VERSION>_<DESCRIPTION>.sql`, refinery's `V<n>__<name>.sql`) into the migrations
//! folder, chained in that tool's order, and, when the database has the tool's history
//! table, say which revision to `stamp` once the binary is rebuilt with them.
//!
//! The import writes every file or none, and starts a new history: it refuses a migrations
//! folder that already holds other migrations. Run again, it writes only what is missing
//! (a migration added since, at the end of the tool's order; one added with a version that
//! sorts before an imported one is refused, as it would start a second head) and refuses to
//! change a file it wrote before. The per-tool readers are `diesel_folder.rs`, `sqlx_folder.rs` and
//! `refinery_folder.rs`; what they share, `foreign.rs`.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::config::Settings;
use super::foreign::{self, Foreign, History, MigrationTool};
use super::revision::{self, Folder};
use super::template::NewRevision;
use super::{Session, Status};
use super::{diesel_folder, refinery_folder, sqlx_folder};
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
    /// Import an sqlx migrations folder: one migration file per sqlx migration (its
    /// `.sql`, or `.up.sql` and `.down.sql`, verbatim), chained in version order; with a
    /// database that sqlx migrated, say which revision to `stamp` after rebuilding.
    Sqlx(ToolArgs),
    /// Import a refinery migrations folder: one irreversible migration file per
    /// `V<n>__<name>.sql` (verbatim), chained in version order; with a database that
    /// refinery migrated, say which revision to `stamp` after rebuilding.
    Refinery(ToolArgs),
}

/// Arguments of `import diesel`.
#[derive(Debug, Clone, Args)]
pub struct DieselArgs {
    /// The diesel migrations folder. Default: the `dir` of `[migrations_directory]` in the
    /// project root's diesel.toml, else `migrations` in the project root.
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Arguments of `import sqlx` and `import refinery`.
#[derive(Debug, Clone, Args)]
pub struct ToolArgs {
    /// The migrations folder. Default: `migrations` in the project root.
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// The tool's history table, when configured to another than its default
    /// (`_sqlx_migrations`, `refinery_schema_history`); read only.
    #[arg(long, value_name = "NAME", value_parser = foreign::table_arg)]
    pub table: Option<String>,
}

impl ImportArgs {
    pub(crate) fn run(self, session: &Session) -> Result<Status> {
        match self.source {
            ImportSource::Diesel(args) => import(session, MigrationTool::Diesel, args.dir, None),
            ImportSource::Sqlx(args) => import(session, MigrationTool::Sqlx, args.dir, args.table),
            ImportSource::Refinery(args) => {
                import(session, MigrationTool::Refinery, args.dir, args.table)
            }
        }
    }
}

/// Reads the `tool`'s folder `dir` with its reader, printing the files it skips.
fn read(
    tool: MigrationTool,
    dir: &Path,
    shown: &dyn Fn(&Path) -> String,
) -> std::result::Result<Vec<Foreign>, foreign::Problems> {
    let mut warnings = Vec::new();
    let read = match tool {
        MigrationTool::Diesel => diesel_folder::read(dir, shown),
        MigrationTool::Sqlx => sqlx_folder::read(dir, shown),
        MigrationTool::Refinery => refinery_folder::read(dir, shown, &mut warnings),
    };
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
    let mut migrations = read?;
    foreign::mark_own_transactions(tool, &mut migrations, shown);
    Ok(migrations)
}

fn import(
    session: &Session,
    tool: MigrationTool,
    dir: Option<PathBuf>,
    table: Option<String>,
) -> Result<Status> {
    let settings = session.settings()?;
    // sqlx.toml, as diesel.toml is read for diesel: the folder, the table, and what sqlx
    // does besides running the files.
    let sqlx = if tool == MigrationTool::Sqlx {
        Some(sqlx_folder::config(settings)?)
    } else {
        None
    };
    let (dir, whence) = match (tool, dir, &sqlx) {
        (MigrationTool::Diesel, dir, _) => diesel_dir(settings, dir.as_deref())?,
        (_, Some(dir), _) => (
            settings.cwd.join(dir),
            "given on the command line".to_owned(),
        ),
        (_, None, Some(sqlx)) => (sqlx.dir.clone(), sqlx.whence.clone()),
        (_, None, None) => (
            settings.root.join("migrations"),
            "the default: `migrations` in the project root".to_owned(),
        ),
    };
    let table = table
        .or_else(|| sqlx.as_ref().and_then(|c| c.table.clone()))
        .unwrap_or_else(|| tool.default_table().to_owned());
    let shown = |path: &Path| settings.display_path(path);
    if !dir.is_dir() {
        return Err(Error::Refused(format!(
            "the {tool} migrations folder `{}` ({whence}) does not exist; pass its path: \
             `import {tool} DIR`",
            shown(&dir)
        )));
    }
    let mut migrations = read(tool, &dir, &shown).map_err(|problems| {
        Error::Refused(format!(
            "cannot import `{}`, nothing was written:\n  {}",
            shown(&dir),
            problems.join("\n  ")
        ))
    })?;
    if migrations.is_empty() {
        return Err(Error::Refused(format!(
            "`{}` ({whence}) holds no {tool} migration ({}): nothing to import; pass the \
             folder that does: `import {tool} DIR`",
            shown(&dir),
            tool.migration_shape()
        )));
    }
    // A malformed URL is bad input: refused before anything is written. Without a
    // database the import writes the files and has no stamp to advise.
    let database = match session.database() {
        Ok(database) => Some(database),
        Err(Error::NoDatabase) => None,
        Err(err) => return Err(err),
    };
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
    let schemas = sqlx.as_ref().map_or(&[][..], |c| &c.create_schemas[..]);
    if !schemas.is_empty() {
        migrations[0].notes.push(format!(
            "creates {} first (`CREATE SCHEMA IF NOT EXISTS`), as sqlx does before it migrates \
             for `create-schemas` in sqlx.toml",
            super::format::join(schemas.iter().map(|s| format!("schema `{s}`")))
        ));
    }
    let mut revisions = foreign::revisions(&migrations, &from_root);
    if let Some(up) = revisions[0].upgrade_sql.as_mut()
        && !schemas.is_empty()
    {
        up.before = Some((
            "sqlx.toml's `create-schemas`: sqlx creates them before it migrates".to_owned(),
            schemas
                .iter()
                .map(|s| format!("CREATE SCHEMA IF NOT EXISTS {s}"))
                .collect(),
        ));
    }
    let mut files: Vec<(String, String)> = Vec::with_capacity(revisions.len());
    for revision in &revisions {
        files.push((revision.file_name(), revision::render(settings, revision)?));
    }
    let missing = missing_files(tool, settings, &folder, &files, &migrations, &shown)?;
    outln!(
        "importing {} from `{}` ({whence})",
        count(migrations.len(), &format!("{tool} migration")),
        shown(&dir)
    );
    if tool == MigrationTool::Refinery {
        outln!("refinery has no down migrations: every one is imported irreversible");
    }
    if missing.is_empty() {
        outln!(
            // Files edited since are named in the note above: "unchanged" would deny it.
            "nothing to write: every one is already in `{}`",
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
    comment_only_note(tool, &migrations);
    if let Some(database) = database.filter(super::database::Target::exists) {
        let ignored = sqlx.map(|c| c.ignored_chars).unwrap_or_default();
        advise(tool, &table, &database, &migrations, &revisions, &ignored);
    }
    Ok(Status::Success)
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

/// The indexes of `files` (name, text) that the migrations folder lacks; one that exists
/// with other contents (edited since) is left as it is, named in a note. Refuses when the
/// folder holds other migrations and something is missing: the import starts a history of
/// its own, and appends only to itself. Refuses too a missing one that sorts before a file
/// already there which does not revise it (a migration of `migrations` added since with an
/// older version): its revision would start a second head.
fn missing_files(
    tool: MigrationTool,
    settings: &Settings,
    folder: &Folder,
    files: &[(String, String)],
    migrations: &[Foreign],
    shown: &dyn Fn(&Path) -> String,
) -> Result<Vec<usize>> {
    let mut missing = Vec::new();
    // Per file: whether it is there, and as the import writes it.
    let mut found: Vec<Option<bool>> = Vec::with_capacity(files.len());
    for (at, (name, text)) in files.iter().enumerate() {
        let path = folder.path().join(name);
        match std::fs::read_to_string(&path) {
            Ok(existing) => found.push(Some(existing == *text)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                found.push(None);
                missing.push(at);
            }
            Err(source) => {
                return Err(Error::Io {
                    action: "read",
                    path: settings.display_path(&path),
                    source,
                });
            }
        }
    }
    refuse_late(tool, files, &found, migrations, shown)?;
    let changed: Vec<String> = found
        .iter()
        .zip(files)
        .filter(|(found, _)| **found == Some(false))
        .map(|(_, (name, _))| format!("`{}`", settings.display_path(&folder.path().join(name))))
        .collect();
    if !changed.is_empty() {
        // Editing an imported file is normal (to fix its SQL, say): it is the user's now.
        let one = changed.len() == 1;
        outln!(
            "note: {} already {} and {} from what the import writes (edited since an earlier \
             import, or written from another template): left as {} {}",
            super::format::join(&changed),
            if one { "exists" } else { "exist" },
            if one { "differs" } else { "differ" },
            if one { "it" } else { "they" },
            if one { "is" } else { "are" },
        );
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
             a history of its own from {tool}'s first migration; nothing was written: import \
             into an empty folder (`migrations` in migrate.toml){}",
            settings.display_path(folder.path()),
            others.join(", "),
            if missing[0] > 0 {
                format!(
                    ", or, for a {tool} migration added since the import (`{first}`), write it \
                     as a new revision (`revision -m ...`) with its SQL"
                )
            } else {
                String::new()
            }
        )));
    }
    Ok(missing)
}

/// Refuses the missing files (`found[at]` is `None`) that sort before one already there
/// (`Some(as_written)`), unless the next file there is exactly what the import writes, which
/// then revises the missing one: an imported file removed since, written again as it was.
/// Otherwise the missing migration was added to the tool's folder after the import with a
/// version that sorts before one imported: its revision would revise the one before it, beside
/// the file already revising that one, and the graph would have two heads.
fn refuse_late(
    tool: MigrationTool,
    files: &[(String, String)],
    found: &[Option<bool>],
    migrations: &[Foreign],
    shown: &dyn Fn(&Path) -> String,
) -> Result<()> {
    let Some(last) = found.iter().rposition(Option::is_some) else {
        return Ok(());
    };
    let late: Vec<usize> = (0..last)
        .filter(|&at| found[at].is_none())
        .filter(|&at| {
            let next = (at + 1..=last).find(|&n| found[n].is_some());
            next.is_some_and(|n| found[n] != Some(true))
        })
        .collect();
    let Some(&first) = late.first() else {
        return Ok(());
    };
    let one = late.len() == 1;
    let after = (first + 1..=last)
        .find(|&n| found[n].is_some())
        .unwrap_or(last);
    Err(Error::Refused(format!(
        "{tool} migration{} {} {} not imported and {} before `{}`, which an earlier import \
         wrote (`{}`): imported now, {} would start a second head beside it, so nothing was \
         written; give {} a version after `{}` (the last imported one's), so that the import \
         appends {}, or write {} as a new revision on the current head (`revision -m ...`) \
         with {} SQL",
        if one { "" } else { "s" },
        super::format::join(
            late.iter()
                .map(|&at| format!("`{}`", shown(&migrations[at].path)))
        ),
        if one { "is" } else { "are" },
        if one { "sorts" } else { "sort" },
        migrations[after].name,
        files[after].0,
        if one {
            "its revision"
        } else {
            "their revisions"
        },
        if one { "it" } else { "them" },
        migrations[last].version,
        if one { "it" } else { "them" },
        if one { "it" } else { "them" },
        if one { "its" } else { "their" },
    )))
}

/// Creates the `missing` files, in order, printing each; on a failure removes those it
/// created, so that the import writes all of them or none.
fn write_all(
    settings: &Settings,
    folder: &Folder,
    files: &[(String, String)],
    missing: &[usize],
    revisions: &[NewRevision],
    migrations: &[Foreign],
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
        for note in &migration.notes {
            outln!("  {note}");
        }
    }
    Ok(())
}

/// Says what `tool` applied to the database and which revision to stamp after the
/// rebuild. Reads the tool's history `table` only; a database that cannot be read costs
/// only this advice (a warning).
fn advise(
    tool: MigrationTool,
    table: &str,
    database: &super::database::Target,
    migrations: &[Foreign],
    revisions: &[NewRevision],
    ignored_chars: &std::collections::BTreeSet<char>,
) {
    outln!("database: {database}");
    let rows = database.connect().and_then(|mut conn| {
        let query = tool.history_query(table, conn.backend());
        crate::store::foreign_history(&mut conn, &query)
    });
    let history = match rows {
        Ok(Some(rows)) => History::new(tool, rows),
        Ok(None) => {
            outln!(
                "no {table} table there: {tool} never migrated this database, so `upgrade \
                 head` applies every imported migration"
            );
            return;
        }
        Err(err) => {
            eprintln!(
                "warning: cannot read what {tool} applied to the database ({}); run `import \
                 {tool}` again when it answers, or `stamp --from {tool}` after rebuilding",
                err.to_string().trim_end()
            );
            return;
        }
    };
    if let Some(reason) = history.failed_reason(tool, table) {
        eprintln!("warning: no stamp to advise: {reason}");
        return;
    }
    if tool == MigrationTool::Sqlx
        && let Ok(mut conn) = database.connect()
    {
        warn_edited(&mut conn, table, migrations, ignored_chars, "stamping");
    }
    let applied = foreign::applied(migrations, &history.versions);
    for version in &applied.unknown {
        eprintln!(
            "warning: {table} records version `{version}` as applied, but no migration of the \
             folder has that version (removed or renamed since?): what it did is in the \
             database but in no imported revision, and `stamp --from {tool}` refuses until \
             {table} and the folder agree: stamp by hand (`stamp REV`)"
        );
    }
    let Some(newest) = applied.newest else {
        outln!("{tool} applied none of these migrations there: `upgrade head` applies every one");
        return;
    };
    if !applied.missing.is_empty() {
        let names: Vec<String> = applied
            .missing
            .iter()
            .map(|m| format!("`{}`", m.name))
            .collect();
        let one = names.len() == 1;
        // refinery applies a late unversioned (`U`) migration, never a versioned one.
        let versioned: Vec<String> = applied
            .missing
            .iter()
            .filter(|m| tool == MigrationTool::Refinery && m.name.starts_with('V'))
            .filter_map(|m| m.path.file_name())
            .map(|name| name.to_string_lossy().into_owned())
            .collect();
        eprintln!(
            "warning: {tool} applied `{}` but not {}, which {} before it: stamping its revision \
             would record {} as applied although {} SQL never ran there; {}, then run `import \
             {tool}` again for the revision to stamp",
            newest.name,
            names.join(", "),
            if one { "comes" } else { "come" },
            if one { "it" } else { "them" },
            if one { "its" } else { "their" },
            foreign::apply_first(tool, one, Some(&versioned)),
        );
        return;
    }
    let at = migrations
        .iter()
        .position(|m| std::ptr::eq(m, newest))
        .unwrap_or_default();
    let rest = migrations.len() - applied.count;
    // `stamp --from` refuses a version no revision stands for: then only the plain stamp.
    let or_from = if applied.unknown.is_empty() {
        format!(
            " (or run `stamp --from {tool}{}`, which reads {table} for it)",
            if table == tool.default_table() {
                String::new()
            } else {
                format!(" --table {table}")
            }
        )
    } else {
        String::new()
    };
    outln!(
        "{tool} applied {} of the {} there, up to `{}`; after rebuilding, record that without \
         running anything{or_from}:",
        applied.count,
        count(migrations.len(), "migration"),
        newest.name,
    );
    outln!("  stamp {}", revisions[at].id);
    outln!(
        "then `upgrade head` applies {}; {table} is left as it is",
        if rest == 0 {
            "nothing (all are applied)".to_owned()
        } else {
            format!("the other {rest}")
        }
    );
}

/// Warns of the sqlx `migrations` whose file changed since sqlx applied it (sqlx itself
/// refuses to run then): the database holds what the old file did; `before` is what to
/// compare it before (`stamping`). A table that cannot be read for it costs only this
/// warning.
pub(crate) fn warn_edited(
    conn: &mut crate::AnyConnection,
    table: &str,
    migrations: &[Foreign],
    ignored_chars: &std::collections::BTreeSet<char>,
    before: &str,
) {
    let query = MigrationTool::checksum_query(table, conn.backend());
    let Ok(Some(rows)) = crate::store::foreign_checksums(conn, &query) else {
        return;
    };
    let edited = foreign::edited_since_applied(migrations, &rows, ignored_chars);
    if edited.is_empty() {
        return;
    }
    let one = edited.len() == 1;
    eprintln!(
        "warning: {} changed since sqlx applied {} ({table} records another checksum, and \
         sqlx refuses to run until {} restored): the database holds what the applied version \
         did, which the imported {} may not match; compare {} with what was applied (version \
         control has it) {before}",
        super::format::join(edited.iter().map(|m| format!("`{}`", m.name))),
        if one { "it" } else { "them" },
        if one { "it is" } else { "they are" },
        if one { "revision" } else { "revisions" },
        if one { "it" } else { "them" },
    );
}

/// Names the migrations whose down file holds only comments, which a reader of the
/// generated files would otherwise take for a downgrade: diesel's are imported irreversible
/// (what diesel users write for "not reversible"), sqlx's as a downgrade that runs nothing.
fn comment_only_note(tool: MigrationTool, migrations: &[Foreign]) {
    let names: Vec<String> = migrations
        .iter()
        .filter(|m| m.comment_only_down)
        .map(|m| format!("`{}`", m.name))
        .collect();
    if names.is_empty() {
        return;
    }
    let one = names.len() == 1;
    let names = super::format::join(&names);
    if tool == MigrationTool::Diesel {
        outln!(
            "note: the down.sql of {names} {} only comments, which diesel cannot revert on \
             PostgreSQL or MySQL: imported irreversible (write a downgrade function in {} \
             to revert {})",
            if one { "holds" } else { "hold" },
            if one { "its file" } else { "their files" },
            if one { "it" } else { "them" },
        );
    } else {
        outln!(
            "note: the downgrade of {names} runs nothing: {} `.down.sql` {} only comments, \
             which sqlx reverts as nothing; write the SQL that undoes {} in the imported \
             {} if it matters",
            if one { "its" } else { "their" },
            if one { "holds" } else { "hold" },
            if one { "it" } else { "them" },
            if one { "file" } else { "files" },
        );
    }
}

/// `3 migrations`, `1 file`.
fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}
