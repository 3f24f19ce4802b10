//! What `import` and `stamp --from` share across the tools they adopt (diesel_cli, sqlx,
//! refinery): a migration as a folder reader returns it, the revisions rendered from a
//! tool's migrations, its history table read as versions, and the one rule for the revision
//! to stamp. The per-tool readers are `diesel_folder.rs`, `sqlx_folder.rs` and
//! `refinery_folder.rs`.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::template::{self, NewRevision, Sql};
use crate::{Backend, Graph, RevisionId};

/// A migration tool whose migrations `import` reads, and whose history table
/// `stamp --from` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[non_exhaustive]
pub enum MigrationTool {
    /// diesel_cli: `migrations/<version>_<name>/up.sql`, `__diesel_schema_migrations`.
    Diesel,
    /// sqlx-cli and `sqlx::migrate!`: `migrations/<VERSION>_<DESCRIPTION>.sql`,
    /// `_sqlx_migrations`.
    Sqlx,
    /// refinery: `migrations/V<n>__<name>.sql`, `refinery_schema_history`.
    Refinery,
}

impl MigrationTool {
    /// The tool's name as the command line spells it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            MigrationTool::Diesel => "diesel",
            MigrationTool::Sqlx => "sqlx",
            MigrationTool::Refinery => "refinery",
        }
    }

    /// The table in which the tool records what it applied, unless configured otherwise.
    pub(crate) fn default_table(self) -> &'static str {
        match self {
            MigrationTool::Diesel => "__diesel_schema_migrations",
            MigrationTool::Sqlx => "_sqlx_migrations",
            MigrationTool::Refinery => "refinery_schema_history",
        }
    }

    /// The command that applies every pending migration with the tool.
    pub(crate) fn run_command(self) -> &'static str {
        match self {
            MigrationTool::Diesel => "`diesel migration run`",
            MigrationTool::Sqlx => "`sqlx migrate run`",
            MigrationTool::Refinery => "`refinery migrate`, or the application's runner",
        }
    }

    /// What one migration is in the tool's folder, for "holds no migration".
    pub(crate) fn migration_shape(self) -> &'static str {
        match self {
            MigrationTool::Diesel => "a folder with an `up.sql`",
            MigrationTool::Sqlx => "a `<VERSION>_<DESCRIPTION>.sql` file",
            MigrationTool::Refinery => "a `V<n>__<name>.sql` file",
        }
    }

    /// Whether the tool's versions are integers (sqlx's `i64`, refinery's `i32` or `i64`),
    /// compared as numbers; diesel's are strings.
    fn numeric(self) -> bool {
        !matches!(self, MigrationTool::Diesel)
    }

    /// The query reading the history table `table` on `backend`: every version as text,
    /// and `n` for a row the tool marks as failed (sqlx's `success = false`), else `y`.
    pub(crate) fn history_query(self, table: &str, backend: Backend) -> String {
        let version = if !self.numeric() {
            "version".to_owned()
        } else if backend == Backend::Mysql {
            "CAST(version AS CHAR)".to_owned()
        } else {
            "CAST(version AS TEXT)".to_owned()
        };
        let ok = if self == MigrationTool::Sqlx {
            "CASE WHEN success THEN 'y' ELSE 'n' END"
        } else {
            "'y'"
        };
        format!("SELECT {version} AS version, {ok} AS ok FROM {table}")
    }

    /// The query reading sqlx's `table` on `backend`: every version as text and its
    /// `checksum` in hexadecimal.
    pub(crate) fn checksum_query(table: &str, backend: Backend) -> String {
        let (version, hex) = match backend {
            Backend::Postgres => ("CAST(version AS TEXT)", "encode(checksum, 'hex')"),
            Backend::Mysql => ("CAST(version AS CHAR)", "HEX(checksum)"),
            _ => ("CAST(version AS TEXT)", "hex(checksum)"),
        };
        format!("SELECT {version} AS version, {hex} AS checksum FROM {table}")
    }

    /// Sorts versions in the tool's order.
    pub(crate) fn sort(self, versions: &mut [String]) {
        if self.numeric() {
            versions.sort_by_key(|v| v.parse::<i64>().unwrap_or(i64::MAX));
        } else {
            versions.sort();
        }
    }

    /// Whether the revision `id` was imported from the migration of `version`: the id's
    /// part before its first `_` is the version (for integer versions, the same number,
    /// so that `0001_create_users` is version 1).
    fn imported_from(self, id: &str, version: &str) -> bool {
        let start = id.split_once('_').map_or(id, |(start, _)| start);
        if self.numeric() {
            start.bytes().all(|b| b.is_ascii_digit())
                && start
                    .parse::<i64>()
                    .is_ok_and(|n| version.parse::<i64>() == Ok(n))
        } else {
            start == version
        }
    }
}

impl std::fmt::Display for MigrationTool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether `part` is one identifier as the tools put it into SQL: letters, digits and `_`
/// not starting with a digit, or any text without control characters in `"` (PostgreSQL,
/// SQLite) or `` ` `` (MySQL) quotes that it does not hold itself.
pub(crate) fn identifier(part: &str) -> bool {
    let plain = part
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let quoted = ['"', '`'].into_iter().any(|q| {
        part.len() > 2
            && part.starts_with(q)
            && part.ends_with(q)
            && part[1..part.len() - 1]
                .chars()
                .all(|c| c != q && !c.is_control())
    });
    plain || quoted
}

/// A history table name from the command line or sqlx.toml's `table-name`: `name` or
/// `schema.name`, each part an [`identifier`], since it goes into SQL as it is (as the
/// tools themselves put it, quotes included).
pub(crate) fn table_arg(name: &str) -> Result<String, String> {
    let parts: Vec<&str> = name.split('.').collect();
    if parts.len() <= 2 && parts.iter().all(|p| identifier(p)) {
        Ok(name.to_owned())
    } else {
        Err(format!(
            "`{name}` is not a table name this reads: use letters, digits and `_`, optionally \
             after `schema.`, such as `app_migrations` or `meta.app_migrations`, or quote a \
             part as the database does (`\"App Migrations\"`, MySQL's `` `app-migrations` ``)"
        ))
    }
}

/// One migration of another tool's folder, as a reader returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Foreign {
    /// Its folder (diesel) or file, for messages.
    pub(crate) path: PathBuf,
    /// Its name as the tool shows it (`2024-01-02-030405_create_users`, `V3__add_email`).
    pub(crate) name: String,
    /// What the tool's history table records for it (integers in decimal).
    pub(crate) version: String,
    /// How the revision id starts: the version as the file name writes it (`0001`).
    pub(crate) id_start: String,
    /// Its words (`create users`), empty when the name has none.
    pub(crate) words: String,
    /// The file the upgrade runs, and its SQL.
    pub(crate) up: (PathBuf, String),
    /// The file the downgrade runs, and its SQL; `None` when the tool cannot revert it.
    pub(crate) down: Option<(PathBuf, String)>,
    /// Whether the tool runs it in a transaction.
    pub(crate) transactional: bool,
    /// Whether its down file holds only comments (`-- Not reversible`): diesel's is
    /// imported irreversible, sqlx's as a downgrade that runs nothing, as each tool reads it.
    pub(crate) comment_only_down: bool,
    /// Lines the import prints under its revision (why irreversible, why not transactional).
    pub(crate) notes: Vec<String>,
}

impl Foreign {
    /// The revision's message: the words of its name, or `(no description)` without any
    /// (sqlx's `6_.sql`), which the file is then named after (`6_no_description.rs`).
    pub(crate) fn message(&self) -> String {
        if self.words.is_empty() {
            "(no description)".to_owned()
        } else {
            self.words.clone()
        }
    }

    /// The revision id: the version as the name writes it, then `_` and the slug of the
    /// words as far as the id's 64 bytes allow (`20240102030405_create_users`), so that both
    /// the tool's version and the name can be read from it. `None` when the version cannot
    /// start an id.
    pub(crate) fn revision_id(&self) -> Option<RevisionId> {
        let start = RevisionId::new(&self.id_start).ok()?;
        let room = migrate_core::MAX_ID_LEN.saturating_sub(self.id_start.len() + 1);
        let mut slug = String::new();
        if !self.words.is_empty() {
            for word in template::slug(&self.words).split('_') {
                let extra = usize::from(!slug.is_empty());
                if slug.len() + extra + word.len() > room {
                    break;
                }
                if extra == 1 {
                    slug.push('_');
                }
                slug.push_str(word);
            }
        }
        if slug.is_empty() {
            return Some(start);
        }
        RevisionId::new(&format!("{}_{slug}", self.id_start)).ok()
    }
}

/// How to have `tool` apply the migrations it skipped (`one` or several) before one it
/// applied, for a warning or a refusal that goes on ", then ...". diesel and sqlx apply them
/// on their next run. refinery does so for an unversioned (`U`) one only: a versioned one
/// below the last it applied makes its default `abort_missing` refuse to migrate at all,
/// and is skipped for good with that off (`verify_migrations`, `refinery_core/src/traits/
/// mod.rs`); renamed unversioned with the same version (so the same imported revision), it
/// is applied. `versioned` names the skipped refinery `V` files when known (`import`);
/// `None` (`stamp --from`, which knows only revisions) says it for any.
pub(crate) fn apply_first(tool: MigrationTool, one: bool, versioned: Option<&[String]>) -> String {
    let them = if one { "it" } else { "them" };
    let apply = format!(
        "apply {them} first ({} applies every pending one)",
        tool.run_command()
    );
    if tool != MigrationTool::Refinery {
        return apply;
    }
    let never = "refinery never applies a versioned migration with a version below the last \
                 one it applied, as its default `abort_missing` refuses to migrate while there \
                 is one, and with that off skips it for good";
    match versioned {
        None => format!(
            "rename any versioned one unversioned, keeping its version (`V<n>__<name>.sql` to \
             `U<n>__<name>.sql`: {never}), {apply}"
        ),
        Some([]) => apply,
        Some(names) => format!(
            "rename {} (unversioned, with the same version: {never}), {apply}",
            super::format::join(
                names
                    .iter()
                    .map(|n| format!("`{n}` to `U{}`", n.strip_prefix('V').unwrap_or(n)))
            ),
        ),
    }
}

/// Marks `transactional = false`, with a note, each transactional migration whose up or
/// down file begins, commits or rolls back a transaction itself (`BEGIN; ... COMMIT;`).
/// The tools run such a file in their transaction all the same: on PostgreSQL and MySQL its
/// `COMMIT` ends the transaction they opened, so it runs outside one in effect; on SQLite it
/// fails (a `BEGIN` inside a transaction is refused, and so is the tool's `COMMIT` after the
/// file's), so it cannot have run there unless marked to run without one. Migrate refuses
/// transaction control in a transactional migration (`MigrationContext::execute`), so it is
/// imported as one that manages its own. The import does not know the backend: the note
/// says both. Only a statement that PostgreSQL, SQLite and MySQL all read as
/// transaction control counts, since a folder is written for one of them.
pub(crate) fn mark_own_transactions(
    tool: MigrationTool,
    migrations: &mut [Foreign],
    shown: &dyn Fn(&Path) -> String,
) {
    for migration in migrations.iter_mut().filter(|m| m.transactional) {
        let found = std::iter::once(&migration.up)
            .chain(migration.down.as_ref())
            .find_map(|(path, sql)| {
                let found = |backend| crate::schema::parse::transaction_control(sql, backend);
                // A trigger's `BEGIN ... END` is a body to one backend's reading and a
                // statement to another's: only a statement all three read counts.
                let statement = found(Backend::Postgres)?;
                (found(Backend::Sqlite).is_some() && found(Backend::Mysql).is_some())
                    .then_some((path, statement))
            });
        if let Some((path, statement)) = found {
            let note = format!(
                "transactional = false: `{}` runs `{statement}` itself, inside the transaction \
                 {tool} runs it in: on PostgreSQL and MySQL that ends {tool}'s transaction, so \
                 the file ran outside one in effect, while on SQLite {tool} fails on it (SQLite \
                 refuses a `BEGIN` inside a transaction, and {tool}'s own `COMMIT` after the \
                 file's); migrate refuses transaction control in a transactional migration, so \
                 it runs outside one",
                shown(path)
            );
            migration.transactional = false;
            migration.notes.push(note);
        }
    }
}

/// Why a folder cannot be imported: every problem found, one line each, naming the path
/// and the fix.
pub(crate) type Problems = Vec<String>;

/// The checks every reader makes once its `migrations` are sorted: one migration per
/// version, and one revision id per migration (MySQL's version table compares ids without
/// case). Appends to `problems`.
pub(crate) fn check_versions_and_ids(
    tool: MigrationTool,
    migrations: &[Foreign],
    shown: &dyn Fn(&Path) -> String,
    problems: &mut Problems,
) {
    for pair in migrations.windows(2) {
        if pair[0].version == pair[1].version {
            problems.push(format!(
                "`{}` and `{}` have the same version `{}`, which {tool} refuses or runs only \
                 once; give one of them another version",
                shown(&pair[0].path),
                shown(&pair[1].path),
                pair[0].version
            ));
        }
    }
    let mut ids: BTreeMap<String, &Foreign> = BTreeMap::new();
    for migration in migrations {
        let Some(id) = migration.revision_id() else {
            continue;
        };
        if let Some(other) = ids.insert(id.as_str().to_ascii_lowercase(), migration)
            && other.version != migration.version
        {
            problems.push(format!(
                "`{}` and `{}` would both become revision `{id}`; rename one of them",
                shown(&other.path),
                shown(&migration.path)
            ));
        }
    }
}

/// Whether `sql` holds no statement (comments and whitespace only) as one of the backends
/// reads it: `--` and `/* */` comments everywhere, `#` ones as MySQL reads them. A folder is
/// written for one backend, and a file that another backend would read as statements (`#`
/// lines, say) is one its own backend would run as nothing, or refuse.
pub(crate) fn no_statement(sql: &str) -> bool {
    [Backend::Sqlite, Backend::Postgres, Backend::Mysql]
        .into_iter()
        .any(|backend| crate::schema::parse::split(sql, backend).is_empty())
}

/// The revisions of `migrations` (in the tool's order, as its reader returns them), each
/// revising the one before; the first is a root. `shown` prints the path of an SQL file
/// for the comment above its SQL.
pub(crate) fn revisions(
    migrations: &[Foreign],
    shown: &dyn Fn(&Path) -> String,
) -> Vec<NewRevision> {
    let mut out: Vec<NewRevision> = Vec::with_capacity(migrations.len());
    for migration in migrations {
        let sql = |(path, text): &(PathBuf, String)| Sql {
            origin: shown(path),
            text: text.clone(),
            empty: no_statement(text),
            before: None,
        };
        let id = migration
            .revision_id()
            .expect("readers refuse a version that cannot start an id");
        out.push(NewRevision {
            id,
            message: migration.message(),
            revises: out.last().map(|r| r.id.clone()).into_iter().collect(),
            depends_on: Vec::new(),
            external: Vec::new(),
            branch_labels: Vec::new(),
            irreversible: migration.down.is_none(),
            transactional: migration.transactional,
            upgrade_sql: Some(sql(&migration.up)),
            downgrade_sql: migration.down.as_ref().map(sql),
        });
    }
    out
}

/// What a tool's history table records.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct History {
    /// The versions of its rows, in the tool's order.
    pub(crate) versions: Vec<String>,
    /// The versions of rows the tool marks as failed part way (sqlx's `success = false`).
    pub(crate) failed: Vec<String>,
}

impl History {
    /// The history of the rows (version, whether the tool marks it as succeeded).
    pub(crate) fn new(tool: MigrationTool, rows: Vec<(String, bool)>) -> History {
        let mut history = History::default();
        for (version, ok) in rows {
            if !ok {
                history.failed.push(version.clone());
            }
            history.versions.push(version);
        }
        tool.sort(&mut history.versions);
        tool.sort(&mut history.failed);
        history
    }

    /// Why no stamp can be advised while the tool marks a migration as failed part way:
    /// the database holds part of its changes. `None` when none is.
    pub(crate) fn failed_reason(&self, tool: MigrationTool, table: &str) -> Option<String> {
        let first = self.failed.first()?;
        Some(format!(
            "{table} marks version {} as failed part way (`success = false`): the database \
             holds part of what {} did, which no revision stands for ({tool} itself refuses \
             to run until it is repaired); finish or undo {} by hand, delete {} row{} from \
             {table}, run {} so that it applies cleanly, then try again",
            super::format::join(self.failed.iter().map(|v| format!("`{v}`"))),
            if self.failed.len() == 1 { "it" } else { "they" },
            if self.failed.len() == 1 {
                format!("migration {first}")
            } else {
                "those migrations".to_owned()
            },
            if self.failed.len() == 1 {
                "its"
            } else {
                "their"
            },
            if self.failed.len() == 1 { "" } else { "s" },
            tool.run_command(),
        ))
    }
}

/// The sqlx migrations whose file changed since sqlx applied it: `checksums` (version,
/// hexadecimal) records the SHA-384 of its file as sqlx read it, which sqlx compares to
/// refuse a changed file. The schema then holds what the old file did, not what the
/// imported revision runs.
pub(crate) fn edited_since_applied<'a>(
    migrations: &'a [Foreign],
    checksums: &[(String, String)],
    ignored_chars: &std::collections::BTreeSet<char>,
) -> Vec<&'a Foreign> {
    use sha2::Digest as _;
    migrations
        .iter()
        .filter(|m| {
            checksums.iter().any(|(version, recorded)| {
                *version == m.version && {
                    // sqlx hashes the file without sqlx.toml's `ignored-chars`.
                    let hashed: String =
                        m.up.1
                            .chars()
                            .filter(|c| !ignored_chars.contains(c))
                            .collect();
                    let now: String = sha2::Sha384::digest(hashed.as_bytes())
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect();
                    !recorded.eq_ignore_ascii_case(&now)
                }
            })
        })
        .collect()
}

/// What a tool applied of a folder's migrations, from its table's versions.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Applied<'a> {
    /// The last applied migration in the tool's order: the revision to stamp.
    pub(crate) newest: Option<&'a Foreign>,
    /// How many of the folder's migrations the tool applied.
    pub(crate) count: usize,
    /// Migrations before `newest` that the tool did not apply (diesel and sqlx apply
    /// pending migrations whatever their order, refinery its unversioned ones): stamping
    /// `newest` would be wrong.
    pub(crate) missing: Vec<&'a Foreign>,
    /// Versions the table records that no migration of the folder has.
    pub(crate) unknown: Vec<String>,
}

/// Compares the folder's `migrations` (in the tool's order) with the `applied` versions.
pub(crate) fn applied<'a>(migrations: &'a [Foreign], applied: &[String]) -> Applied<'a> {
    let applied_set: HashSet<&str> = applied.iter().map(String::as_str).collect();
    let known: HashSet<&str> = migrations.iter().map(|m| m.version.as_str()).collect();
    let newest = migrations
        .iter()
        .rposition(|m| applied_set.contains(m.version.as_str()));
    Applied {
        newest: newest.map(|at| &migrations[at]),
        count: migrations
            .iter()
            .filter(|m| applied_set.contains(m.version.as_str()))
            .count(),
        missing: newest.map_or_else(Vec::new, |at| {
            migrations[..at]
                .iter()
                .filter(|m| !applied_set.contains(m.version.as_str()))
                .collect()
        }),
        unknown: applied
            .iter()
            .filter(|v| !known.contains(v.as_str()))
            .cloned()
            .collect(),
    }
}

/// The revision imported from the migration of `version`. `Err` lists several.
fn imported<'g>(
    tool: MigrationTool,
    graph: &'g Graph,
    version: &str,
) -> Result<Option<&'g RevisionId>, Vec<&'g RevisionId>> {
    let found: Vec<&RevisionId> = graph
        .revisions()
        .iter()
        .map(|r| &r.id)
        .filter(|id| tool.imported_from(id.as_str(), version))
        .collect();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        _ => Err(found),
    }
}

/// The revision `stamp --from TOOL` records for the `applied` versions of the tool's
/// table: the imported revision of the last of them, provided every one has an imported
/// revision and they are exactly that revision and its ancestors (so that the stamp records
/// as applied only what the tool applied). `None` when the tool applied nothing. `Err` says
/// why stamping would be wrong, and what to do.
pub(crate) fn stamp_target(
    tool: MigrationTool,
    graph: &Graph,
    applied: &[String],
) -> Result<Option<RevisionId>, String> {
    let mut revisions: Vec<&RevisionId> = Vec::new();
    let mut unknown = Vec::new();
    for version in applied {
        match imported(tool, graph, version) {
            Ok(Some(id)) => revisions.push(id),
            Ok(None) => unknown.push(format!("`{version}`")),
            Err(several) => {
                return Err(format!(
                    "the {tool} version `{version}` matches several revisions ({}); stamp the \
                     right one by hand: `stamp REV`",
                    super::format::join(several.iter().map(|id| format!("`{id}`")))
                ));
            }
        }
    }
    if !unknown.is_empty() {
        let one = unknown.len() == 1;
        // What the known versions alone stand for: the stamp to make by hand when the
        // unknown ones are gone from the folder for good.
        let known: Vec<String> = applied
            .iter()
            .filter(|v| matches!(imported(tool, graph, v), Ok(Some(_))))
            .cloned()
            .collect();
        let by_hand = match stamp_target(tool, graph, &known) {
            Ok(Some(id)) => format!(
                "stamp what else {tool} applied by hand, `stamp {id}`, and check that the \
                 schema needs nothing of {}",
                if one { "it" } else { "them" }
            ),
            _ => "stamp the revision the schema matches by hand: `stamp REV`".to_owned(),
        };
        return Err(format!(
            "{tool} applied {} ({}), but no revision of this binary was imported from {}: if \
             {} file{} still in the {tool} folder (added since the import), `import {tool}` \
             again, rebuild, and stamp again; if {} removed from the folder, {by_hand}",
            if one { "a migration" } else { "migrations" },
            unknown.join(", "),
            if one { "it" } else { "them" },
            if one { "its" } else { "their" },
            if one { " is" } else { "s are" },
            if one { "it was" } else { "they were" },
        ));
    }
    let Some(newest) = revisions.iter().copied().find(|r| {
        revisions
            .iter()
            .all(|o| o == r || graph.is_ancestor(o.as_str(), r.as_str()))
    }) else {
        return if revisions.is_empty() {
            Ok(None)
        } else {
            Err(format!(
                "the revisions of what {tool} applied ({}) are not on one line of the graph, \
                 so no single revision stands for them; stamp them by hand: `stamp REV`",
                super::format::join(revisions.iter().map(|id| format!("`{id}`")))
            ))
        };
    };
    let mut missing: Vec<&RevisionId> = graph
        .ancestors(newest.as_str())
        .into_iter()
        .filter(|a| !revisions.contains(a))
        .collect();
    missing.sort_by_key(|id| graph.position(id.as_str()));
    if !missing.is_empty() {
        return Err(format!(
            "{tool} applied `{newest}` but not {} before it, so stamping `{newest}` would \
             record {} as applied although {} SQL never ran; {}, then stamp",
            super::format::join(missing.iter().map(|id| format!("`{id}`"))),
            if missing.len() == 1 { "it" } else { "them" },
            if missing.len() == 1 { "its" } else { "their" },
            apply_first(tool, missing.len() == 1, None),
        ));
    }
    Ok(Some(newest.clone()))
}

/// What migrate's own tables say about stamping `target`, the revision another tool's table
/// stands for: `stamp --from` runs on every deploy (`stamp --from sqlx && upgrade head`), so
/// it must never take the version table backwards, nor record again what migrate reverted.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Recorded {
    /// Migrate records nothing of `target` or its ancestors beyond what its version table
    /// holds, all below `target`: the tool applied the rest, so stamp.
    Stamp,
    /// The version table holds `target` or this descendant of it: nothing to stamp.
    Already(RevisionId),
    /// Migrate reverted these revisions, which `target` needs, with a downgrade that ran
    /// their SQL (the last run of it), whether migrate had applied or stamped them: the
    /// tool's table is out of date, and stamping would record as applied what the database
    /// no longer holds. A stamp that took them back changed no schema: that is [`Stamp`].
    ///
    /// [`Stamp`]: Recorded::Stamp
    Reverted(Vec<RevisionId>),
    /// The version table holds these revisions, neither `target`'s ancestors nor its
    /// descendants: migrate took the database elsewhere.
    Elsewhere(Vec<RevisionId>),
}

/// [`Recorded`] for stamping `target` on a database whose version table holds `current`
/// and whose history table `history`.
pub(crate) fn recorded(
    graph: &Graph,
    target: &RevisionId,
    current: &[RevisionId],
    history: &[crate::HistoryEntry],
) -> Recorded {
    if let Some(already) = current
        .iter()
        .find(|c| *c == target || graph.is_ancestor(target.as_str(), c.as_str()))
    {
        return Recorded::Already(already.clone());
    }
    let elsewhere: Vec<RevisionId> = current
        .iter()
        .filter(|c| !graph.is_ancestor(c.as_str(), target.as_str()))
        .cloned()
        .collect();
    if !elsewhere.is_empty() {
        return Recorded::Elsewhere(elsewhere);
    }
    // What the stamp would add: the target and its ancestors not already applied.
    let applied: HashSet<&str> = current
        .iter()
        .flat_map(|c| {
            std::iter::once(c.as_str()).chain(
                graph
                    .ancestors(c.as_str())
                    .into_iter()
                    .map(RevisionId::as_str),
            )
        })
        .collect();
    let mut added: Vec<&RevisionId> = graph
        .ancestors(target.as_str())
        .into_iter()
        .chain(std::iter::once(target))
        .filter(|id| !applied.contains(id.as_str()))
        .collect();
    added.sort_by_key(|id| graph.position(id.as_str()));
    // Only a run that succeeded changed the schema: a failed one applied nothing, and a
    // stamp (`stamp base`, `stamp --purge` after a stamp) only moved the version table. So
    // a revision is reverted when the last run of its SQL was a downgrade.
    let reverted: Vec<RevisionId> = added
        .into_iter()
        .filter(|id| {
            history
                .iter()
                .filter(|e| {
                    e.revision == id.as_str() && e.status == crate::HistoryStatus::Succeeded
                })
                .max_by_key(|e| e.id)
                .is_some_and(|e| e.direction == crate::Direction::Down)
        })
        .cloned()
        .collect();
    if reverted.is_empty() {
        Recorded::Stamp
    } else {
        Recorded::Reverted(reverted)
    }
}

/// What to do about a database another tool migrated that migrate has not adopted: for the
/// first tool whose history table (at its default name, or sqlx.toml's `sqlx_table`) has rows, the advice to `stamp
/// --from` it (after `import`ing its migrations, when this binary has none of them), unless
/// migrate already records what the tool applied, or applied it and reverted it since (an
/// adopted database downgraded: stamping would record reverted migrations as applied), as
/// [`recorded`] says from the version table's `current` rows and the `history` table. `None`
/// when no such table has rows, or it cannot be read. One query per tool: for `check` and
/// after a failed `upgrade`, never on a run that succeeds.
pub(crate) fn adoption_advice(
    conn: &mut crate::AnyConnection,
    graph: &Graph,
    current: &[RevisionId],
    history: &[crate::HistoryEntry],
    sqlx_table: Option<&str>,
) -> Option<String> {
    let backend = conn.backend();
    [
        MigrationTool::Diesel,
        MigrationTool::Sqlx,
        MigrationTool::Refinery,
    ]
    .into_iter()
    .find_map(|tool| {
        let table = match (tool, sqlx_table) {
            (MigrationTool::Sqlx, Some(table)) => table,
            _ => tool.default_table(),
        };
        let query = tool.history_query(table, backend);
        let rows = crate::store::foreign_history(conn, &query).ok()??;
        advice(
            tool,
            table,
            &History::new(tool, rows).versions,
            graph,
            current,
            history,
        )
    })
}

/// [`adoption_advice`] for the `versions` that `tool`'s table records.
fn advice(
    tool: MigrationTool,
    table: &str,
    versions: &[String],
    graph: &Graph,
    current: &[RevisionId],
    history: &[crate::HistoryEntry],
) -> Option<String> {
    let last = versions.last()?;
    let what = format!(
        "{tool} migrated this database ({table} records {} migration{}, the last `{last}`)",
        versions.len(),
        if versions.len() == 1 { "" } else { "s" }
    );
    match stamp_target(tool, graph, versions) {
        Ok(None) => None,
        Ok(Some(target)) => match recorded(graph, &target, current, history) {
            Recorded::Stamp => Some(format!(
                "{what}, and migrate has not recorded that: run `stamp --from {tool}`, which \
                 records {target} as applied without running anything, then `upgrade head` \
                 applies only what {tool} did not"
            )),
            Recorded::Already(_) | Recorded::Reverted(_) | Recorded::Elsewhere(_) => None,
        },
        Err(_)
            if !versions
                .iter()
                .any(|v| matches!(imported(tool, graph, v), Ok(Some(_)) | Err(_))) =>
        {
            Some(format!(
                "{what}, and no revision of this binary was imported from its migrations: run \
                 `import {tool}`, rebuild, then `stamp --from {tool}` before `upgrade head`, so \
                 that migrate records what {tool} applied instead of applying it again"
            ))
        }
        Err(reason) => Some(format!(
            "{what}, and migrate has not recorded that, but `stamp --from {tool}` would refuse: \
             {reason}"
        )),
    }
}

/// Lists the entries of `dir` as (file name, path), every unreadable one a problem.
pub(crate) fn entries(
    dir: &Path,
    shown: &dyn Fn(&Path) -> String,
    problems: &mut Problems,
) -> Vec<(String, PathBuf)> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            problems.push(format!("cannot list `{}`: {err}", shown(dir)));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => out.push((
                entry.file_name().to_string_lossy().into_owned(),
                entry.path(),
            )),
            Err(err) => problems.push(format!("cannot list `{}`: {err}", shown(dir))),
        }
    }
    out.sort();
    out
}

/// The `paths` as a message lists them: `a.sql`, `b.sql`.
pub(crate) fn join_paths<'a>(
    paths: impl Iterator<Item = &'a Path>,
    shown: &dyn Fn(&Path) -> String,
) -> String {
    super::format::join(paths.map(|p| format!("`{}`", shown(p))))
}

/// Reads the file `path`, a failure a problem.
pub(crate) fn read_text(
    path: &Path,
    shown: &dyn Fn(&Path) -> String,
    problems: &mut Problems,
) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(err) => {
            problems.push(format!("cannot read `{}`: {err}", shown(path)));
            None
        }
    }
}

/// What the unit tests of the folder readers share.
#[cfg(test)]
pub(crate) mod test_folders {
    use std::path::Path;

    /// A path as the readers' messages show it in these tests: its file name.
    pub(crate) fn shown(path: &Path) -> String {
        path.file_name().map_or_else(
            || path.display().to_string(),
            |name| name.to_string_lossy().into_owned(),
        )
    }

    /// A temporary folder with `files`: (relative path, contents).
    pub(crate) fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Direction;

    fn chain(ids: &[&str]) -> Graph {
        let revisions = ids
            .iter()
            .enumerate()
            .map(|(at, id)| {
                let mut r = migrate_core::Revision::root(RevisionId::new(id).unwrap());
                if at > 0 {
                    r.down_revisions.push(RevisionId::new(ids[at - 1]).unwrap());
                }
                r
            })
            .collect();
        Graph::new(revisions).unwrap()
    }

    fn versions(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn stamp_from_diesel_refuses_gaps_and_unknown_versions() {
        let graph = chain(&[
            "00000000000000_diesel_initial_setup",
            "20240101000000_a",
            "20240102000000_b",
            "5f1c2d3e4a5b",
        ]);
        let diesel = MigrationTool::Diesel;
        assert_eq!(
            stamp_target(
                diesel,
                &graph,
                &versions(&["20240101000000", "00000000000000"])
            )
            .unwrap(),
            Some(RevisionId::new("20240101000000_a").unwrap())
        );
        assert_eq!(stamp_target(diesel, &graph, &[]).unwrap(), None);
        let gap = stamp_target(
            diesel,
            &graph,
            &versions(&["00000000000000", "20240102000000"]),
        )
        .unwrap_err();
        assert!(
            gap.starts_with(
                "diesel applied `20240102000000_b` but not `20240101000000_a` before it, so \
                 stamping `20240102000000_b` would record it as applied"
            ),
            "{gap}"
        );
        let unknown = stamp_target(
            diesel,
            &graph,
            &versions(&["00000000000000", "20240101000000", "20250101000000"]),
        )
        .unwrap_err();
        assert!(
            unknown.starts_with("diesel applied a migration (`20250101000000`), but no revision")
                && unknown.ends_with(
                    "if it was removed from the folder, stamp what else diesel applied by \
                     hand, `stamp 20240101000000_a`, and check that the schema needs nothing \
                     of it"
                ),
            "{unknown}"
        );
        // A version is a whole part of the id: `2024` is not `20240101000000_a`'s.
        assert!(stamp_target(diesel, &graph, &versions(&["2024"])).is_err());
    }

    #[test]
    fn integer_versions_match_ids_as_numbers() {
        let graph = chain(&["0001_create_users", "0002_add_email", "20_later"]);
        for tool in [MigrationTool::Sqlx, MigrationTool::Refinery] {
            assert_eq!(
                stamp_target(tool, &graph, &versions(&["1", "2"])).unwrap(),
                Some(RevisionId::new("0002_add_email").unwrap())
            );
            let gap = stamp_target(tool, &graph, &versions(&["1", "20"])).unwrap_err();
            assert!(gap.contains("but not `0002_add_email` before it"), "{gap}");
            // `2` is not `20`, nor `0002` `20`.
            assert!(stamp_target(tool, &graph, &versions(&["200"])).is_err());
        }
        // diesel's versions are strings: `1` is not `0001`.
        assert!(stamp_target(MigrationTool::Diesel, &graph, &versions(&["1"])).is_err());
    }

    #[test]
    fn a_failed_row_is_named_with_the_repair() {
        let history = History::new(
            MigrationTool::Sqlx,
            vec![
                ("10".into(), true),
                ("9".into(), true),
                ("11".into(), false),
            ],
        );
        assert_eq!(history.versions, ["9", "10", "11"]);
        let reason = history
            .failed_reason(MigrationTool::Sqlx, "_sqlx_migrations")
            .unwrap();
        assert!(
            reason.starts_with(
                "_sqlx_migrations marks version `11` as failed part way (`success = false`)"
            ) && reason.contains("delete its row from _sqlx_migrations, run `sqlx migrate run`"),
            "{reason}"
        );
        assert_eq!(
            History::new(MigrationTool::Sqlx, vec![("1".into(), true)])
                .failed_reason(MigrationTool::Sqlx, "t"),
            None
        );
    }

    #[test]
    fn adoption_advice_names_the_stamp_or_the_import_first() {
        let graph = chain(&[
            "00000000000000_diesel_initial_setup",
            "20240101000000_a",
            "20240102000000_b",
        ]);
        let diesel = MigrationTool::Diesel;
        let applied = versions(&["00000000000000", "20240101000000"]);
        let id = |s: &str| RevisionId::new(s).unwrap();
        // The advice for this database, with migrate's history recording `recorded`.
        let with_recorded = |recorded: &[RevisionId]| {
            advice(
                diesel,
                diesel.default_table(),
                &applied,
                &graph,
                recorded,
                &[],
            )
        };
        let stamp = with_recorded(&[]).unwrap();
        assert!(
            stamp.starts_with(
                "diesel migrated this database (__diesel_schema_migrations records 2 \
                 migrations, the last `20240101000000`), and migrate has not recorded that: \
                 run `stamp --from diesel`, which records 20240101000000_a"
            ),
            "{stamp}"
        );
        // An upgrade that applied the first imported migration before failing: still.
        let partly = [id("00000000000000_diesel_initial_setup")];
        assert_eq!(with_recorded(&partly), Some(stamp));
        // Stamped (or further): nothing to say.
        assert_eq!(with_recorded(&[id("20240101000000_a")]), None);
        assert_eq!(with_recorded(&[id("20240102000000_b")]), None);
        assert_eq!(
            advice(diesel, diesel.default_table(), &[], &graph, &[], &[]),
            None
        );
        // Nothing imported yet.
        let own = chain(&["5f1c2d3e4a5b"]);
        let import = advice(diesel, diesel.default_table(), &applied, &own, &[], &[]).unwrap();
        assert!(
            import.contains("run `import diesel`, rebuild, then `stamp --from diesel` before"),
            "{import}"
        );
        // A gap: the stamp's own refusal, named.
        let gap = advice(
            diesel,
            diesel.default_table(),
            &versions(&["20240102000000"]),
            &graph,
            &[],
            &[],
        )
        .unwrap();
        assert!(
            gap.contains("but `stamp --from diesel` would refuse: diesel applied"),
            "{gap}"
        );
    }

    #[test]
    fn table_names_are_identifiers_plain_or_quoted() {
        for good in [
            "app_migrations",
            "meta.app_migrations",
            "\"quoted\"",
            "\"My Schema\".\"_sqlx migrations\"",
            "`app-migrations`",
        ] {
            assert!(table_arg(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "a b",
            "x; DROP TABLE users",
            "a.b.c",
            "\"a\"b\"",
            "\"\"",
            "`a\nb`",
            "1abc",
        ] {
            assert!(table_arg(bad).is_err(), "{bad}");
        }
    }

    fn row(
        revision: &str,
        direction: Direction,
        status: crate::HistoryStatus,
    ) -> crate::HistoryEntry {
        crate::HistoryEntry {
            id: 1,
            revision: revision.to_owned(),
            direction,
            checksum: None,
            started_at: "2026-01-01 00:00:00".to_owned(),
            finished_at: None,
            duration: None,
            status,
            error: None,
        }
    }

    #[test]
    fn a_stamp_from_a_tool_never_takes_migrate_back() {
        use crate::HistoryStatus::{Failed, Stamped, Succeeded};
        let graph = chain(&["1_a", "2_b", "3_c", "4_d"]);
        let id = |s: &str| RevisionId::new(s).unwrap();
        let target = id("2_b");
        assert_eq!(recorded(&graph, &target, &[], &[]), Recorded::Stamp);
        // Already there, or further.
        assert_eq!(
            recorded(&graph, &target, &[id("2_b")], &[]),
            Recorded::Already(id("2_b"))
        );
        assert_eq!(
            recorded(&graph, &target, &[id("4_d")], &[]),
            Recorded::Already(id("4_d"))
        );
        // Below: the tool applied the rest after migrate adopted the database.
        let adopted = [row("1_a", Direction::Up, Stamped)];
        assert_eq!(
            recorded(&graph, &target, &[id("1_a")], &adopted),
            Recorded::Stamp
        );
        // Below because migrate reverted what it had applied: not stamped again.
        let downgraded = [
            row("2_b", Direction::Up, Stamped),
            row("3_c", Direction::Up, Succeeded),
            row("3_c", Direction::Down, Succeeded),
            row("2_b", Direction::Down, Succeeded),
        ];
        assert_eq!(
            recorded(&graph, &target, &[id("1_a")], &downgraded),
            Recorded::Reverted(vec![id("2_b")])
        );
        assert_eq!(
            recorded(&graph, &target, &[], &downgraded),
            Recorded::Reverted(vec![id("2_b")])
        );
        // A failed upgrade applied nothing of `2_b`: still to stamp.
        let failed = [
            row("1_a", Direction::Up, Succeeded),
            row("2_b", Direction::Up, Failed),
        ];
        assert_eq!(
            recorded(&graph, &target, &[id("1_a")], &failed),
            Recorded::Stamp
        );
        // A stamp taken back by a stamp changed no schema: stamped again.
        let numbered = |rows: Vec<crate::HistoryEntry>| -> Vec<crate::HistoryEntry> {
            rows.into_iter()
                .zip(1..)
                .map(|(row, n)| crate::HistoryEntry { id: n, ..row })
                .collect()
        };
        let unstamped = numbered(vec![
            row("2_b", Direction::Up, Stamped),
            row("2_b", Direction::Down, Stamped),
        ]);
        assert_eq!(recorded(&graph, &target, &[], &unstamped), Recorded::Stamp);
        // Applied by migrate, then stamped down: the schema still holds it.
        let applied_then_unstamped = numbered(vec![
            row("2_b", Direction::Up, Succeeded),
            row("2_b", Direction::Down, Stamped),
        ]);
        assert_eq!(
            recorded(&graph, &target, &[], &applied_then_unstamped),
            Recorded::Stamp
        );
        // Reverted by a downgrade, then stamped up and down: the schema lacks it.
        let reverted_then_stamped = numbered(vec![
            row("2_b", Direction::Up, Stamped),
            row("2_b", Direction::Down, Succeeded),
            row("2_b", Direction::Up, Stamped),
            row("2_b", Direction::Down, Stamped),
        ]);
        assert_eq!(
            recorded(&graph, &target, &[], &reverted_then_stamped),
            Recorded::Reverted(vec![id("2_b")])
        );
        // Reverted, then applied again by migrate and stamped down: it holds it again.
        let reapplied = numbered(vec![
            row("2_b", Direction::Up, Succeeded),
            row("2_b", Direction::Down, Succeeded),
            row("2_b", Direction::Up, Succeeded),
            row("2_b", Direction::Down, Stamped),
        ]);
        assert_eq!(recorded(&graph, &target, &[], &reapplied), Recorded::Stamp);
        // A row off the line.
        let forked = chain(&["1_a", "2_b"]);
        let mut revisions: Vec<migrate_core::Revision> = forked.revisions().to_vec();
        let mut other = migrate_core::Revision::root(id("9_z"));
        other.down_revisions.push(id("1_a"));
        revisions.push(other);
        let forked = Graph::new(revisions).unwrap();
        assert_eq!(
            recorded(&forked, &target, &[id("9_z")], &[]),
            Recorded::Elsewhere(vec![id("9_z")])
        );
        // And the advice follows: none once reverted.
        let applied = versions(&["1", "2"]);
        assert!(
            advice(
                MigrationTool::Sqlx,
                "_sqlx_migrations",
                &applied,
                &graph,
                &[],
                &[]
            )
            .is_some()
        );
        assert_eq!(
            advice(
                MigrationTool::Sqlx,
                "_sqlx_migrations",
                &applied,
                &graph,
                &[],
                &downgraded
            ),
            None
        );
    }
}
