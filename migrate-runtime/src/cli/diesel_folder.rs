//! A diesel_cli migrations folder read with diesel_migrations' own rules, the revisions
//! `import diesel` makes of it, and the revision `stamp --from-diesel` records for what
//! diesel's `__diesel_schema_migrations` table says was applied.
//!
//! diesel_migrations 2.3 (`migrations_internals`, `file_based_migrations.rs`) reads a
//! folder so: every subfolder is a migration, except one whose name starts with `.` and an
//! empty one; files beside them (`.keep`) are ignored. A migration must hold `up.sql`, or
//! the whole folder is refused. Its version, which `__diesel_schema_migrations.version`
//! records, is the folder's name up to its first `_`, without `-`s
//! (`2024-01-02-030405_create_users` is `20240102030405`; newer diesel_cli versions add a
//! `-0000` subversion: `2024-01-02-030405-0000_create_users` is `202401020304050000`), and
//! pending migrations run in the order of their versions compared as strings. `up.sql` and
//! `down.sql` each run as one batch (`batch_execute`). An empty `up.sql` is refused when it
//! runs; `down.sql` is optional, and without one, or with an empty one, diesel cannot revert
//! the migration. `metadata.toml` may say `run_in_transaction = false`; a `metadata.toml`
//! without that key reads as `false` too (serde's default for a `bool`), while one diesel
//! cannot parse is silently ignored (the migration runs in a transaction), unknown keys
//! included. The import refuses the latter two, since a typo there changes how the
//! migration runs.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use super::template::{self, NewRevision, Sql};
use crate::{Backend, Graph, RevisionId};

/// The table in which diesel records the versions it applied. Never written here.
pub(crate) const DIESEL_TABLE: &str = "__diesel_schema_migrations";

/// One migration of a diesel folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DieselMigration {
    /// Its folder.
    pub(crate) path: PathBuf,
    /// The folder's name, which diesel prints (`2024-01-02-030405_create_users`).
    pub(crate) name: String,
    /// What `__diesel_schema_migrations.version` records for it.
    pub(crate) version: String,
    /// `up.sql`.
    pub(crate) up: String,
    /// `down.sql`, unless it is missing or empty: diesel cannot revert the migration then.
    pub(crate) down: Option<String>,
    /// Whether diesel runs it in a transaction (`metadata.toml`).
    pub(crate) run_in_transaction: bool,
    /// `metadata.toml` exists but does not set `run_in_transaction`, which diesel reads as
    /// `false`: worth a note, as that is rarely what its author meant.
    pub(crate) metadata_without_key: bool,
}

impl DieselMigration {
    /// The revision's message: the folder's name after the version, its `_`s as spaces
    /// (`create users`), or the whole name when nothing follows the version.
    pub(crate) fn message(&self) -> String {
        let words = self.words();
        if words.is_empty() {
            self.name.clone()
        } else {
            words
        }
    }

    /// The folder's name after the version, its `_`s as spaces.
    fn words(&self) -> String {
        let rest = self.name.split_once('_').map_or("", |(_, rest)| rest);
        template::one_line(&rest.replace('_', " "))
    }

    /// The revision id: the version, then `_` and the message's slug as far as the id's
    /// 64 bytes allow (`20240102030405_create_users`), so that both diesel's version and
    /// the name can be read from it. `None` when the version cannot start an id.
    pub(crate) fn revision_id(&self) -> Option<RevisionId> {
        let version = RevisionId::new(&self.version).ok()?;
        let room = migrate_core::MAX_ID_LEN.saturating_sub(self.version.len() + 1);
        let mut slug = String::new();
        let words = self.words();
        if !words.is_empty() {
            for word in template::slug(&words).split('_') {
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
            return Some(version);
        }
        RevisionId::new(&format!("{}_{slug}", self.version)).ok()
    }
}

/// Why a diesel folder cannot be imported: every problem found, one line each, naming
/// the path and the fix.
pub(crate) type Problems = Vec<String>;

/// Reads the diesel migrations folder `dir`, in diesel's order. `shown` prints a path as
/// messages show it. Every problem is reported at once.
pub(crate) fn read(
    dir: &Path,
    shown: &dyn Fn(&Path) -> String,
) -> Result<Vec<DieselMigration>, Problems> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => return Err(vec![format!("cannot list `{}`: {err}", shown(dir))]),
    };
    let mut folders: Vec<(String, PathBuf)> = Vec::new();
    let mut problems = Problems::new();
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                problems.push(format!("cannot list `{}`: {err}", shown(dir)));
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        // As diesel: files and hidden entries are no migrations, nor is an empty folder.
        if name.starts_with('.') || !path.is_dir() {
            continue;
        }
        match std::fs::read_dir(&path) {
            Ok(mut inner) => {
                if inner.next().is_some() {
                    folders.push((name, path));
                }
            }
            Err(err) => problems.push(format!("cannot list `{}`: {err}", shown(&path))),
        }
    }
    let mut migrations = Vec::new();
    for (name, path) in folders {
        match migration(&name, &path, shown) {
            Ok(migration) => migrations.push(migration),
            Err(mut more) => problems.append(&mut more),
        }
    }
    // diesel sorts by version, as strings.
    migrations
        .sort_by(|a: &DieselMigration, b| a.version.cmp(&b.version).then(a.name.cmp(&b.name)));
    for pair in migrations.windows(2) {
        if pair[0].version == pair[1].version {
            problems.push(format!(
                "`{}` and `{}` have the same version `{}`, so diesel runs only one of them; give \
                 one of them another version (the folder name up to its first `_`)",
                shown(&pair[0].path),
                shown(&pair[1].path),
                pair[0].version
            ));
        }
    }
    let mut ids: BTreeMap<String, &DieselMigration> = BTreeMap::new();
    for migration in &migrations {
        let Some(id) = migration.revision_id() else {
            continue;
        };
        // MySQL's version table compares ids without case.
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
    if problems.is_empty() {
        Ok(migrations)
    } else {
        Err(problems)
    }
}

/// Reads the migration in the folder `path` named `name`.
fn migration(
    name: &str,
    path: &Path,
    shown: &dyn Fn(&Path) -> String,
) -> Result<DieselMigration, Problems> {
    let mut problems = Problems::new();
    let version = name.split('_').next().unwrap_or("").replace('-', "");
    let valid_version = !version.is_empty()
        && version.len() <= migrate_core::MAX_ID_LEN
        && version.chars().all(|c| c.is_ascii_alphanumeric());
    if !valid_version {
        problems.push(format!(
            "the version of `{}` is `{version}` (its name up to the first `_`, without `-`s), \
             which cannot start a revision id: use 1 to {} ASCII letters and digits, such as \
             diesel_cli's `2024-01-02-030405` (if diesel applied it, change \
             `{DIESEL_TABLE}.version` to match the new name)",
            shown(path),
            migrate_core::MAX_ID_LEN
        ));
    }
    let read = |file: &str, problems: &mut Problems| -> Option<String> {
        let file = path.join(file);
        match std::fs::read_to_string(&file) {
            Ok(text) => Some(text),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
            Err(err) => {
                problems.push(format!("cannot read `{}`: {err}", shown(&file)));
                None
            }
        }
    };
    let up = if path.join("up.sql").exists() {
        read("up.sql", &mut problems)
    } else {
        problems.push(format!(
            "`{}` has no `up.sql`, so diesel refuses the whole folder; add the migration's \
             `up.sql`, or move that folder out of the migrations folder",
            shown(path)
        ));
        None
    };
    if up.as_deref() == Some("") {
        problems.push(format!(
            "`{}` is empty, and diesel refuses to run an empty migration; write its SQL, or \
             remove the migration's folder",
            shown(&path.join("up.sql"))
        ));
    }
    let down = read("down.sql", &mut problems).filter(|text| !text.is_empty());
    let (run_in_transaction, metadata_without_key) = match read("metadata.toml", &mut problems) {
        None => (true, false),
        Some(text) => match metadata(&text) {
            Ok(Some(run)) => (run, false),
            Ok(None) => (false, true),
            Err(reason) => {
                problems.push(format!(
                    "`{}`: {reason}",
                    shown(&path.join("metadata.toml"))
                ));
                (true, false)
            }
        },
    };
    match up {
        Some(up) if problems.is_empty() => Ok(DieselMigration {
            path: path.to_path_buf(),
            name: name.to_owned(),
            version,
            up,
            down,
            run_in_transaction,
            metadata_without_key,
        }),
        _ => Err(problems),
    }
}

/// The `run_in_transaction` of a `metadata.toml`, `None` when it does not say.
fn metadata(text: &str) -> Result<Option<bool>, String> {
    let table: toml::Table = text.parse().map_err(|err: toml::de::Error| {
        format!(
            "cannot parse it ({}); diesel would ignore the file and run the migration in a \
             transaction: fix it, or delete it for that",
            err.message().trim_end()
        )
    })?;
    let mut run = None;
    for (key, value) in &table {
        match (key.as_str(), value) {
            ("run_in_transaction", toml::Value::Boolean(b)) => run = Some(*b),
            ("run_in_transaction", other) => {
                return Err(format!(
                    "`run_in_transaction` is {} `{other}`, expected `true` or `false`",
                    other.type_str()
                ));
            }
            (key, _) => {
                return Err(format!(
                    "unknown key `{key}`: diesel reads only `run_in_transaction` (and ignores \
                     the whole file when it finds another); remove it"
                ));
            }
        }
    }
    Ok(run)
}

/// Whether `sql` holds no statement as any backend reads it (comments and whitespace
/// only).
fn no_statement(sql: &str) -> bool {
    [Backend::Sqlite, Backend::Postgres, Backend::Mysql]
        .into_iter()
        .all(|backend| crate::schema::parse::split(sql, backend).is_empty())
}

/// The revisions of `migrations` (in diesel's order, as [`read`] returns them), each
/// revising the one before; the first is a root. `shown` prints the path of an SQL file
/// for the comment above its SQL.
pub(crate) fn revisions(
    migrations: &[DieselMigration],
    shown: &dyn Fn(&Path) -> String,
) -> Vec<NewRevision> {
    let mut out: Vec<NewRevision> = Vec::with_capacity(migrations.len());
    for migration in migrations {
        let sql = |file: &str, text: &str| Sql {
            origin: shown(&migration.path.join(file)),
            text: text.to_owned(),
            empty: no_statement(text),
        };
        let id = migration
            .revision_id()
            .expect("`read` refuses a version that cannot start an id");
        out.push(NewRevision {
            id,
            message: migration.message(),
            revises: out.last().map(|r| r.id.clone()).into_iter().collect(),
            depends_on: Vec::new(),
            external: Vec::new(),
            branch_labels: Vec::new(),
            irreversible: migration.down.is_none(),
            transactional: migration.run_in_transaction,
            upgrade_sql: Some(sql("up.sql", &migration.up)),
            downgrade_sql: migration.down.as_deref().map(|down| sql("down.sql", down)),
        });
    }
    out
}

/// What diesel applied of a folder's migrations, from its table's versions.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Applied<'a> {
    /// The last applied migration in diesel's order: the revision to stamp.
    pub(crate) newest: Option<&'a DieselMigration>,
    /// How many of the folder's migrations diesel applied.
    pub(crate) count: usize,
    /// Migrations before `newest` that diesel did not apply (diesel applies pending
    /// migrations whatever their order): stamping `newest` would be wrong.
    pub(crate) missing: Vec<&'a DieselMigration>,
    /// Versions the table records that no migration of the folder has.
    pub(crate) unknown: Vec<String>,
}

/// Compares the folder's `migrations` (in diesel's order) with the `applied` versions.
pub(crate) fn applied<'a>(migrations: &'a [DieselMigration], applied: &[String]) -> Applied<'a> {
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

/// The revision imported from the diesel migration of `version`: the one whose id is the
/// version, or starts with it and `_`. `Err` lists several.
fn imported<'g>(
    graph: &'g Graph,
    version: &str,
) -> Result<Option<&'g RevisionId>, Vec<&'g RevisionId>> {
    let found: Vec<&RevisionId> = graph
        .revisions()
        .iter()
        .map(|r| &r.id)
        .filter(|id| {
            id.as_str()
                .strip_prefix(version)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('_'))
        })
        .collect();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        _ => Err(found),
    }
}

/// The revision `stamp --from-diesel` records for the `applied` versions of diesel's table:
/// the imported revision of the last of them, provided every one has an imported revision
/// and they are exactly that revision and its ancestors (so that the stamp records as
/// applied only what diesel applied). `None` when diesel applied nothing. `Err` says why
/// stamping would be wrong, and what to do.
pub(crate) fn stamp_target(
    graph: &Graph,
    applied: &[String],
) -> Result<Option<RevisionId>, String> {
    let mut revisions: Vec<&RevisionId> = Vec::new();
    let mut unknown = Vec::new();
    for version in applied {
        match imported(graph, version) {
            Ok(Some(id)) => revisions.push(id),
            Ok(None) => unknown.push(format!("`{version}`")),
            Err(several) => {
                return Err(format!(
                    "the diesel version `{version}` matches several revisions ({}); stamp the \
                     right one by hand: `stamp REV`",
                    super::format::join(several.iter().map(|id| format!("`{id}`")))
                ));
            }
        }
    }
    if !unknown.is_empty() {
        return Err(format!(
            "diesel applied {} ({}), but no revision of this binary was imported from {}: \
             import the diesel migrations (`import diesel`), rebuild, and stamp again",
            if unknown.len() == 1 {
                "a migration"
            } else {
                "migrations"
            },
            unknown.join(", "),
            if unknown.len() == 1 { "it" } else { "them" },
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
                "the revisions of what diesel applied ({}) are not on one line of the graph, so \
                 no single revision stands for them; stamp them by hand: `stamp REV`",
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
            "diesel applied `{newest}` but not {} before it, so stamping `{newest}` would record \
             {} as applied although {} SQL never ran; apply {} first (`diesel migration run` \
             applies every pending one), then stamp",
            super::format::join(missing.iter().map(|id| format!("`{id}`"))),
            if missing.len() == 1 { "it" } else { "them" },
            if missing.len() == 1 { "its" } else { "their" },
            if missing.len() == 1 { "it" } else { "them" },
        ));
    }
    Ok(Some(newest.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(path: &Path) -> String {
        path.file_name().map_or_else(
            || path.display().to_string(),
            |name| name.to_string_lossy().into_owned(),
        )
    }

    /// A folder with `files`: (relative path, contents).
    fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    fn read_ok(files: &[(&str, &str)]) -> Vec<DieselMigration> {
        let dir = folder(files);
        read(dir.path(), &shown).unwrap()
    }

    fn read_err(files: &[(&str, &str)]) -> String {
        let dir = folder(files);
        read(dir.path(), &shown).unwrap_err().join("\n")
    }

    #[test]
    fn versions_and_order_follow_diesel() {
        let migrations = read_ok(&[
            (
                "2024-01-02-030405_create_users/up.sql",
                "CREATE TABLE users (id INT);",
            ),
            (
                "2024-01-02-030405_create_users/down.sql",
                "DROP TABLE users;",
            ),
            ("00000000000000_diesel_initial_setup/up.sql", "SELECT 1;"),
            (
                "2024-03-01-000000-0000_add_email/up.sql",
                "ALTER TABLE users ADD email TEXT;",
            ),
            ("20231231235959_older/up.sql", "SELECT 1;"),
            // Not migrations: files, hidden and empty folders.
            (".keep", ""),
            ("README.md", "notes"),
            (".git/up.sql", "SELECT 1;"),
        ]);
        let got: Vec<(&str, &str)> = migrations
            .iter()
            .map(|m| (m.version.as_str(), m.name.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("00000000000000", "00000000000000_diesel_initial_setup"),
                ("20231231235959", "20231231235959_older"),
                ("20240102030405", "2024-01-02-030405_create_users"),
                ("202403010000000000", "2024-03-01-000000-0000_add_email"),
            ]
        );
        let ids: Vec<String> = migrations
            .iter()
            .map(|m| m.revision_id().unwrap().to_string())
            .collect();
        assert_eq!(
            ids,
            [
                "00000000000000_diesel_initial_setup",
                "20231231235959_older",
                "20240102030405_create_users",
                "202403010000000000_add_email",
            ]
        );
        assert_eq!(migrations[2].message(), "create users");
        assert_eq!(migrations[2].down.as_deref(), Some("DROP TABLE users;"));
        assert_eq!(migrations[3].down, None);
        assert!(migrations.iter().all(|m| m.run_in_transaction));
    }

    #[test]
    fn an_empty_folder_is_skipped_as_diesel_does() {
        let dir = folder(&[("2024-01-01-000000_a/up.sql", "SELECT 1;")]);
        std::fs::create_dir(dir.path().join("2024-01-02-000000_empty")).unwrap();
        let migrations = read(dir.path(), &shown).unwrap();
        assert_eq!(migrations.len(), 1);
    }

    #[test]
    fn ids_stay_within_64_bytes_and_names_without_words_keep_the_version() {
        let long = "2024-01-02-030405_add_a_very_long_column_name_to_the_table_of_videos_and_more";
        let migrations = read_ok(&[
            (&format!("{long}/up.sql"), "SELECT 1;"),
            ("20240101000000/up.sql", "SELECT 1;"),
            ("20240101000001_/up.sql", "SELECT 1;"),
        ]);
        let ids: Vec<String> = migrations
            .iter()
            .map(|m| m.revision_id().unwrap().to_string())
            .collect();
        assert_eq!(ids[0], "20240101000000");
        assert_eq!(ids[1], "20240101000001");
        assert!(ids[2].len() <= 64, "{}", ids[2]);
        assert_eq!(
            ids[2],
            "20240102030405_add_a_very_long_column_name_to_the_table"
        );
        assert_eq!(migrations[0].message(), "20240101000000");
    }

    #[test]
    fn down_sql_missing_or_empty_is_irreversible_and_metadata_sets_transactions() {
        let migrations = read_ok(&[
            ("2024-01-01-000000_none/up.sql", "SELECT 1;"),
            ("2024-01-02-000000_empty/up.sql", "SELECT 1;"),
            ("2024-01-02-000000_empty/down.sql", ""),
            ("2024-01-03-000000_comment/up.sql", "SELECT 1;"),
            (
                "2024-01-03-000000_comment/down.sql",
                "-- This file should undo anything in `up.sql`\n",
            ),
            ("2024-01-04-000000_concurrently/up.sql", "SELECT 1;"),
            (
                "2024-01-04-000000_concurrently/metadata.toml",
                "run_in_transaction = false\n",
            ),
            ("2024-01-05-000000_in_tx/up.sql", "SELECT 1;"),
            (
                "2024-01-05-000000_in_tx/metadata.toml",
                "# explicit\nrun_in_transaction = true\n",
            ),
            ("2024-01-06-000000_no_key/up.sql", "SELECT 1;"),
            ("2024-01-06-000000_no_key/metadata.toml", "# nothing\n"),
        ]);
        let revisions = revisions(&migrations, &shown);
        let flags: Vec<(bool, bool)> = revisions
            .iter()
            .map(|r| (r.irreversible, r.transactional))
            .collect();
        assert_eq!(
            flags,
            [
                (true, true),
                (true, true),
                (false, true),
                (true, false),
                (true, true),
                // diesel reads a metadata.toml without the key as `false`.
                (true, false),
            ]
        );
        assert!(migrations[5].metadata_without_key);
        // The comment-only down.sql runs nothing (MySQL refuses an empty query).
        assert!(revisions[2].downgrade_sql.as_ref().unwrap().empty);
        assert!(!revisions[2].upgrade_sql.as_ref().unwrap().empty);
        // A chain in diesel's order, from a root.
        assert!(revisions[0].revises.is_empty());
        for pair in revisions.windows(2) {
            assert_eq!(pair[1].revises, [pair[0].id.clone()]);
        }
    }

    #[test]
    fn bad_folders_name_every_problem_and_its_fix() {
        let err = read_err(&[
            ("2024-01-01-000000_no_up/down.sql", "SELECT 1;"),
            ("2024-01-02-000000_empty_up/up.sql", ""),
            ("2024-01-03-000000_bad_toml/up.sql", "SELECT 1;"),
            (
                "2024-01-03-000000_bad_toml/metadata.toml",
                "run_in_transaction = \n",
            ),
            ("2024-01-04-000000_typo/up.sql", "SELECT 1;"),
            (
                "2024-01-04-000000_typo/metadata.toml",
                "run_in_transation = false\n",
            ),
            ("2024-01-05-000000_string/up.sql", "SELECT 1;"),
            (
                "2024-01-05-000000_string/metadata.toml",
                "run_in_transaction = \"no\"\n",
            ),
            ("v1.2_dotted/up.sql", "SELECT 1;"),
            ("2024-01-06-000000_a/up.sql", "SELECT 1;"),
            ("20240106000000_b/up.sql", "SELECT 1;"),
        ]);
        for expected in [
            "`2024-01-01-000000_no_up` has no `up.sql`, so diesel refuses the whole folder; add",
            "`up.sql` is empty, and diesel refuses to run an empty migration; write its SQL, or",
            "`metadata.toml`: cannot parse it (",
            "`metadata.toml`: unknown key `run_in_transation`: diesel reads only \
             `run_in_transaction`",
            "`metadata.toml`: `run_in_transaction` is string `\"no\"`, expected `true` or `false`",
            "the version of `v1.2_dotted` is `v1.2`",
            "`2024-01-06-000000_a` and `20240106000000_b` have the same version `20240106000000`",
        ] {
            assert!(err.contains(expected), "{expected}\nnot in:\n{err}");
        }
    }

    #[test]
    fn sql_becomes_a_raw_string_with_enough_hashes() {
        assert_eq!(template::rust_literal("SELECT 1"), "r#\"SELECT 1\"#");
        assert_eq!(
            template::rust_literal("SELECT '\"#' AS x"),
            "r##\"SELECT '\"#' AS x\"##"
        );
        assert_eq!(template::rust_literal("a\r\nb"), "\"a\\r\\nb\"");
    }

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
    fn what_diesel_applied_is_compared_in_diesel_order() {
        let migrations = read_ok(&[
            ("00000000000000_diesel_initial_setup/up.sql", "SELECT 1;"),
            ("2024-01-01-000000_a/up.sql", "SELECT 1;"),
            ("2024-01-02-000000_b/up.sql", "SELECT 1;"),
            ("2024-01-03-000000_c/up.sql", "SELECT 1;"),
        ]);
        let prefix = applied(
            &migrations,
            &versions(&["20240101000000", "00000000000000"]),
        );
        assert_eq!(prefix.newest.unwrap().name, "2024-01-01-000000_a");
        assert_eq!(prefix.count, 2);
        assert!(prefix.missing.is_empty() && prefix.unknown.is_empty());
        let gap = applied(
            &migrations,
            &versions(&["00000000000000", "20240102000000", "1999"]),
        );
        assert_eq!(gap.newest.unwrap().name, "2024-01-02-000000_b");
        assert_eq!(gap.missing.len(), 1);
        assert_eq!(gap.missing[0].name, "2024-01-01-000000_a");
        assert_eq!(gap.unknown, ["1999"]);
        assert_eq!(applied(&migrations, &[]), Applied::default());
    }

    #[test]
    fn stamp_from_diesel_refuses_gaps_and_unknown_versions() {
        let graph = chain(&[
            "00000000000000_diesel_initial_setup",
            "20240101000000_a",
            "20240102000000_b",
            "5f1c2d3e4a5b",
        ]);
        assert_eq!(
            stamp_target(&graph, &versions(&["20240101000000", "00000000000000"])).unwrap(),
            Some(RevisionId::new("20240101000000_a").unwrap())
        );
        assert_eq!(stamp_target(&graph, &[]).unwrap(), None);
        let gap =
            stamp_target(&graph, &versions(&["00000000000000", "20240102000000"])).unwrap_err();
        assert!(
            gap.starts_with(
                "diesel applied `20240102000000_b` but not `20240101000000_a` before it, so \
                 stamping `20240102000000_b` would record it as applied"
            ),
            "{gap}"
        );
        let unknown =
            stamp_target(&graph, &versions(&["20240101000000", "20250101000000"])).unwrap_err();
        assert!(
            unknown.starts_with("diesel applied a migration (`20250101000000`), but no revision"),
            "{unknown}"
        );
        // A version is a whole part of the id: `2024` is not `20240101000000_a`'s.
        assert!(stamp_target(&graph, &versions(&["2024"])).is_err());
    }
}
