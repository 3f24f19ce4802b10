//! An sqlx migrations folder read with sqlx's own rules, for `import sqlx` (what it shares
//! with the other tools is in `foreign.rs`).
//!
//! sqlx 0.8 and 0.9 (`sqlx-core/src/migrate/source.rs`, `migration_type.rs`) read a folder so:
//! only its files, not subfolders; a file whose name splits at its first `_` into
//! `<VERSION>` and a rest ending in `.sql` is a migration, any other file is ignored. The
//! version must parse as an `i64` (else the whole folder is refused); `_sqlx_migrations.version`
//! records it, and migrations run in the order of their versions. A rest ending in `.up.sql`
//! or `.down.sql` is half of a reversible migration, any other `.sql` a simple one, which
//! cannot be reverted. The description is the rest without that suffix, its `_`s as spaces.
//! A file starting with `-- no-transaction` runs outside a transaction. Each file runs as one
//! batch. Pending migrations are applied whatever their order, and a failure on MySQL (whose
//! DDL commits as it goes) leaves a row with `success = false`, which sqlx refuses to run past.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::foreign::{self, Foreign, MigrationTool, Problems};
use super::template;

/// The files of one version: its up (simple or `.up.sql`) and down halves.
#[derive(Default)]
struct Halves {
    up: Vec<(PathBuf, bool)>,
    down: Option<PathBuf>,
    /// The file name as written up to the first `_`, and the description.
    start: String,
    description: String,
}

/// What the `[migrate]` section of the project root's `sqlx.toml` (sqlx 0.9,
/// `sqlx-core/src/config/migrate.rs`) says, as far as adopting sqlx's migrations goes;
/// its defaults without the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SqlxConfig {
    /// The migrations folder: `migrations-dir` (relative to the project root), else
    /// `migrations` there.
    pub(crate) dir: PathBuf,
    /// Where `dir` comes from, for messages.
    pub(crate) whence: String,
    /// `table-name`: sqlx's history table, when not `_sqlx_migrations`.
    pub(crate) table: Option<String>,
    /// `ignored-chars`: characters sqlx leaves out when it hashes a file.
    pub(crate) ignored_chars: BTreeSet<char>,
    /// `create-schemas`: schemas sqlx creates (`CREATE SCHEMA IF NOT EXISTS`) before it
    /// migrates.
    pub(crate) create_schemas: Vec<String>,
}

/// The `[migrate]` keys sqlx 0.9 knows; it refuses any other (`deny_unknown_fields`).
const MIGRATE_KEYS: &[&str] = &[
    "create-schemas",
    "table-name",
    "migrations-dir",
    "ignored-chars",
    "defaults",
];

/// Reads `sqlx.toml` in the project root (sqlx-cli reads it from the current directory,
/// `sqlx::migrate!` from the crate root, which the project root is). A file sqlx would
/// refuse is refused, naming the key and the fix.
pub(crate) fn config(settings: &super::config::Settings) -> crate::Result<SqlxConfig> {
    let path = settings.root.join("sqlx.toml");
    let shown = settings.display_path(&path);
    let mut config = SqlxConfig {
        dir: settings.root.join("migrations"),
        whence: "the default: `migrations` in the project root".to_owned(),
        table: None,
        ignored_chars: BTreeSet::new(),
        create_schemas: Vec::new(),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(config),
        Err(source) => {
            return Err(crate::Error::Io {
                action: "read",
                path: shown,
                source,
            });
        }
    };
    let refused = |reason: String| {
        crate::Error::Refused(format!(
            "cannot read `{shown}`: {reason}; fix it (sqlx would refuse it too), or move it \
             away to use sqlx's defaults"
        ))
    };
    let table: toml::Table = text
        .parse()
        .map_err(|err: toml::de::Error| refused(err.message().trim_end().to_owned()))?;
    let Some(migrate) = table.get("migrate") else {
        return Ok(config);
    };
    let Some(migrate) = migrate.as_table() else {
        return Err(refused("`migrate` is not a `[migrate]` table".to_owned()));
    };
    for key in migrate.keys() {
        if !MIGRATE_KEYS.contains(&key.as_str()) {
            return Err(refused(format!(
                "`[migrate]` has an unknown key `{key}`, expected one of {}",
                super::format::join(MIGRATE_KEYS.iter().map(|k| format!("`{k}`")))
            )));
        }
    }
    let string = |key: &str| -> crate::Result<Option<String>> {
        match migrate.get(key) {
            None => Ok(None),
            Some(toml::Value::String(value)) => Ok(Some(value.clone())),
            Some(_) => Err(refused(format!("`{key}` in `[migrate]` needs a string"))),
        }
    };
    let strings = |key: &str| -> crate::Result<Vec<String>> {
        match migrate.get(key) {
            None => Ok(Vec::new()),
            Some(toml::Value::Array(values)) => values
                .iter()
                .map(|v| {
                    v.as_str().map(str::to_owned).ok_or_else(|| {
                        refused(format!("`{key}` in `[migrate]` needs a list of strings"))
                    })
                })
                .collect(),
            Some(_) => Err(refused(format!(
                "`{key}` in `[migrate]` needs a list of strings"
            ))),
        }
    };
    if let Some(dir) = string("migrations-dir")? {
        config.dir = settings.root.join(dir);
        config.whence = format!("`migrations-dir` in `{shown}`");
    }
    if let Some(name) = string("table-name")? {
        config.table = Some(
            foreign::table_arg(&name)
                .map_err(|reason| refused(format!("`table-name`: {reason}")))?,
        );
    }
    for chars in strings("ignored-chars")? {
        let mut it = chars.chars();
        match (it.next(), it.next()) {
            (Some(c), None) => {
                config.ignored_chars.insert(c);
            }
            _ => {
                return Err(refused(format!(
                    "`ignored-chars` in `[migrate]` needs single characters, not `{chars}`"
                )));
            }
        }
    }
    for schema in strings("create-schemas")? {
        if !foreign::identifier(&schema) {
            return Err(refused(format!(
                "`create-schemas` holds `{schema}`, which is not a schema name this reads: use \
                 letters, digits and `_`, or quote it as the database does"
            )));
        }
        config.create_schemas.push(schema);
    }
    Ok(config)
}

/// Reads the sqlx migrations folder `dir`, in sqlx's order. `shown` prints a path as
/// messages show it. Every problem is reported at once.
pub(crate) fn read(dir: &Path, shown: &dyn Fn(&Path) -> String) -> Result<Vec<Foreign>, Problems> {
    let mut problems = Problems::new();
    let mut versions: BTreeMap<i64, Halves> = BTreeMap::new();
    for (name, path) in foreign::entries(dir, shown, &mut problems) {
        if !path.is_file() {
            continue;
        }
        let Some((start, rest)) = name.split_once('_') else {
            continue;
        };
        if !rest.ends_with(".sql") {
            continue;
        }
        let version = match start.parse::<i64>() {
            Ok(version) if start.bytes().all(|b| b.is_ascii_digit()) => version,
            _ => {
                problems.push(format!(
                    "the version of `{}` is `{start}` (its name up to the first `_`), which is \
                     not an integer, so sqlx refuses the whole folder; name it \
                     `<VERSION>_<DESCRIPTION>.sql`, such as `20240102030405_create_users.sql`, \
                     or move it out of the migrations folder",
                    shown(&path)
                ));
                continue;
            }
        };
        let (description, down, reversible) = if let Some(d) = rest.strip_suffix(".up.sql") {
            (d, false, true)
        } else if let Some(d) = rest.strip_suffix(".down.sql") {
            (d, true, true)
        } else {
            (rest.strip_suffix(".sql").unwrap_or(rest), false, false)
        };
        let halves = versions.entry(version).or_default();
        if down {
            if let Some(other) = &halves.down {
                problems.push(format!(
                    "`{}` and `{}` are both the down migration of version {version}; keep one",
                    shown(other),
                    shown(&path)
                ));
            }
            halves.down = Some(path);
        } else {
            halves.up.push((path, reversible));
        }
        if halves.start.is_empty() || !down {
            halves.start = start.to_owned();
            halves.description = description.replace('_', " ");
        }
    }
    let mut migrations = Vec::new();
    for (version, halves) in versions {
        let (up_path, reversible) = match halves.up.as_slice() {
            [] => {
                let down = halves.down.as_deref().unwrap_or(dir);
                problems.push(format!(
                    "`{}` has no up migration (`{}_{}.up.sql`), so sqlx never applies version \
                     {version} and its down never runs; add the up migration, or remove the file",
                    shown(down),
                    halves.start,
                    halves.description.replace(' ', "_"),
                ));
                continue;
            }
            [one] => one.clone(),
            several => {
                problems.push(format!(
                    "{} have the same version {version}, which sqlx cannot apply twice; give \
                     one of them another version",
                    foreign::join_paths(several.iter().map(|(p, _)| p.as_path()), shown)
                ));
                continue;
            }
        };
        let Some(up) = foreign::read_text(&up_path, shown, &mut problems) else {
            continue;
        };
        let down = match &halves.down {
            Some(path) => foreign::read_text(path, shown, &mut problems).map(|t| (path.clone(), t)),
            None => None,
        };
        let mut notes = Vec::new();
        match (&down, reversible) {
            (None, false) => notes.push(
                "irreversible: a simple migration (no `.down.sql`), which sqlx cannot revert"
                    .to_owned(),
            ),
            (None, true) => notes.push(format!(
                "irreversible: `{}` has no `.down.sql` beside it, so sqlx cannot revert it",
                shown(&up_path)
            )),
            _ => {}
        }
        // sqlx sends it as it is: PostgreSQL and SQLite run nothing (sqlx-cli's `migrate add
        // -r` writes `-- Add down migration script here` there), MySQL refuses an empty
        // query. The downgrade runs nothing, as sqlx's revert does on the first two.
        let comment_only_down = down
            .as_ref()
            .is_some_and(|(_, text)| foreign::no_statement(text));
        if comment_only_down {
            notes.push(
                "its downgrade runs nothing: its `.down.sql` holds only comments, which sqlx \
                 reverts as nothing on PostgreSQL and SQLite (and fails on, on MySQL)"
                    .to_owned(),
            );
        }
        let transactional = !up.starts_with("-- no-transaction");
        if !transactional {
            notes.push("transactional = false: its SQL starts with `-- no-transaction`".to_owned());
        }
        if let Some((path, text)) = &down
            && text.starts_with("-- no-transaction") != up.starts_with("-- no-transaction")
        {
            // migrate runs a migration's downgrade as its upgrade; sqlx reads each file alone.
            problems.push(format!(
                "`{}` and `{}` disagree on `-- no-transaction`, and an imported migration runs \
                 both halves the same way; start both with it, or neither",
                shown(&up_path),
                shown(path)
            ));
        }
        let name = up_path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        migrations.push(Foreign {
            path: up_path.clone(),
            name,
            version: version.to_string(),
            id_start: halves.start.clone(),
            words: template::one_line(&halves.description),
            up: (up_path, up),
            down,
            transactional,
            comment_only_down,
            notes,
        });
    }
    foreign::check_versions_and_ids(MigrationTool::Sqlx, &migrations, shown, &mut problems);
    if problems.is_empty() {
        Ok(migrations)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::foreign::revisions;
    use crate::cli::foreign::test_folders::{folder, shown};

    #[test]
    fn a_comment_only_down_runs_nothing_as_sqlx_reverts_it() {
        let dir = folder(&[
            ("1_a.up.sql", "CREATE TABLE a (id INT);"),
            ("1_a.down.sql", "-- Add down migration script here\n"),
            ("2_b.up.sql", "CREATE TABLE b (id INT);"),
            ("2_b.down.sql", "DROP TABLE b;"),
        ]);
        let migrations = read(dir.path(), &shown).unwrap();
        assert!(migrations[0].comment_only_down && !migrations[1].comment_only_down);
        let revisions = revisions(&migrations, &shown);
        assert!(!revisions[0].irreversible);
        assert!(revisions[0].downgrade_sql.as_ref().unwrap().empty);
        assert!(
            migrations[0].notes[0].starts_with("its downgrade runs nothing"),
            "{:?}",
            migrations[0].notes
        );
    }

    #[test]
    fn versions_order_and_kinds_follow_sqlx() {
        let dir = folder(&[
            (
                "20240102030405_create_users.up.sql",
                "CREATE TABLE users (id INT);",
            ),
            ("20240102030405_create_users.down.sql", "DROP TABLE users;"),
            ("3_seed.sql", "INSERT INTO users VALUES (1);"),
            (
                "20240301000000_index_concurrently.sql",
                "-- no-transaction\nCREATE INDEX CONCURRENTLY x ON users (id);",
            ),
            ("0020_up_only.up.sql", "SELECT 1;\n-- no-transaction\n"),
            // Not migrations: no `_`, not `.sql`, in a subfolder.
            ("README.md", "notes"),
            ("schema.sql", "SELECT 1;"),
            ("1_notes.txt", "notes"),
            ("sub/1_nested.sql", "SELECT 1;"),
        ]);
        let migrations = read(dir.path(), &shown).unwrap();
        let got: Vec<(&str, &str, String)> = migrations
            .iter()
            .map(|m| {
                (
                    m.version.as_str(),
                    m.words.as_str(),
                    m.revision_id().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("3", "seed", "3_seed".to_owned()),
                ("20", "up only", "0020_up_only".to_owned()),
                (
                    "20240102030405",
                    "create users",
                    "20240102030405_create_users".to_owned()
                ),
                (
                    "20240301000000",
                    "index concurrently",
                    "20240301000000_index_concurrently".to_owned()
                ),
            ]
        );
        let revisions = revisions(&migrations, &shown);
        let flags: Vec<(bool, bool)> = revisions
            .iter()
            .map(|r| (r.irreversible, r.transactional))
            .collect();
        assert_eq!(
            flags,
            [(true, true), (true, true), (false, true), (true, false)]
        );
        assert_eq!(
            revisions[2].downgrade_sql.as_ref().unwrap().text,
            "DROP TABLE users;"
        );
        assert!(migrations[0].notes[0].contains("a simple migration"));
        assert!(migrations[1].notes[0].contains("has no `.down.sql` beside it"));
    }

    #[test]
    fn bad_folders_name_every_problem_and_its_fix() {
        let dir = folder(&[
            ("create_users.sql", "SELECT 1;"),
            ("v2_add.sql", "SELECT 1;"),
            ("3_a.sql", "SELECT 1;"),
            ("003_b.sql", "SELECT 1;"),
            ("4_orphan.down.sql", "SELECT 1;"),
            ("5_x.up.sql", "-- no-transaction\nSELECT 1;"),
            ("5_x.down.sql", "SELECT 1;"),
        ]);
        let err = read(dir.path(), &shown).unwrap_err().join("\n");
        for expected in [
            "the version of `create_users.sql` is `create` (its name up to the first `_`), which \
             is not an integer, so sqlx refuses the whole folder",
            "the version of `v2_add.sql` is `v2`",
            "`003_b.sql`, `3_a.sql` have the same version 3",
            "`4_orphan.down.sql` has no up migration (`4_orphan.up.sql`)",
            "`5_x.up.sql` and `5_x.down.sql` disagree on `-- no-transaction`",
        ] {
            assert!(err.contains(expected), "{expected}\nnot in:\n{err}");
        }
    }
}
