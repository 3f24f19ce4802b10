//! A diesel_cli migrations folder read with diesel_migrations' own rules, for `import
//! diesel` (what it shares with the other tools is in `foreign.rs`).
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
//! without that key reads as `false` too (serde's default for a `bool`), other keys are
//! skipped (so a misspelt key reads as `false`), while one diesel cannot parse, or whose
//! `run_in_transaction` is no boolean, is silently ignored (the migration runs in a
//! transaction). The import refuses unknown keys and files diesel ignores, since a typo
//! there changes how the migration runs.

use std::path::Path;

use super::foreign::{self, Foreign, MigrationTool, Problems};
use super::template;

/// Reads the diesel migrations folder `dir`, in diesel's order. `shown` prints a path as
/// messages show it. Every problem is reported at once.
pub(crate) fn read(dir: &Path, shown: &dyn Fn(&Path) -> String) -> Result<Vec<Foreign>, Problems> {
    let mut problems = Problems::new();
    let mut migrations = Vec::new();
    for (name, path) in foreign::entries(dir, shown, &mut problems) {
        // As diesel: files and hidden entries are no migrations, nor is an empty folder.
        if name.starts_with('.') || !path.is_dir() {
            continue;
        }
        match std::fs::read_dir(&path) {
            Ok(mut inner) => {
                if inner.next().is_none() {
                    continue;
                }
            }
            Err(err) => {
                problems.push(format!("cannot list `{}`: {err}", shown(&path)));
                continue;
            }
        }
        match migration(&name, &path, shown) {
            Ok(migration) => migrations.push(migration),
            Err(mut more) => problems.append(&mut more),
        }
    }
    // diesel sorts by version, as strings.
    migrations.sort_by(|a: &Foreign, b| a.version.cmp(&b.version).then(a.name.cmp(&b.name)));
    foreign::check_versions_and_ids(MigrationTool::Diesel, &migrations, shown, &mut problems);
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
) -> Result<Foreign, Problems> {
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
             `__diesel_schema_migrations.version` to match the new name)",
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
    let mut notes = Vec::new();
    if up
        .as_deref()
        .is_some_and(|up| !up.is_empty() && foreign::no_statement(up))
    {
        // diesel sends it as it is: PostgreSQL and MySQL refuse an empty query, SQLite runs
        // nothing; the import runs nothing on every backend.
        notes.push(
            "its upgrade runs nothing: up.sql holds only comments (diesel runs it as nothing on \
             SQLite, and fails on it on PostgreSQL and MySQL: an empty query)"
                .into(),
        );
    }
    let down = read("down.sql", &mut problems).filter(|text| !text.is_empty());
    // diesel's revert fails on it on PostgreSQL ("Received an empty query") and MySQL
    // (`Query was empty`): what its users write for "not reversible".
    let comment_only_down = down.as_deref().is_some_and(foreign::no_statement);
    if comment_only_down {
        notes.push(
            "irreversible: its down.sql holds only comments, which diesel fails to revert on \
             PostgreSQL and MySQL (an empty query)"
                .into(),
        );
    } else if down.is_none() {
        notes.push("irreversible: no down.sql, or an empty one, which diesel cannot revert".into());
    }
    let down = down.filter(|_| !comment_only_down);
    let transactional = match read("metadata.toml", &mut problems) {
        None => true,
        Some(text) => match metadata(&text) {
            Ok(Some(run)) => {
                if !run {
                    notes.push(
                        "transactional = false: `run_in_transaction = false` in its metadata.toml"
                            .into(),
                    );
                }
                run
            }
            Ok(None) => {
                // Rarely what its author meant: worth a note.
                notes.push(
                    "transactional = false: its metadata.toml does not set \
                     `run_in_transaction`, which diesel reads as false"
                        .into(),
                );
                false
            }
            Err(reason) => {
                problems.push(format!(
                    "`{}`: {reason}",
                    shown(&path.join("metadata.toml"))
                ));
                true
            }
        },
    };
    let words = template::one_line(
        &name
            .split_once('_')
            .map_or("", |(_, rest)| rest)
            .replace('_', " "),
    );
    match up {
        Some(up) if problems.is_empty() => Ok(Foreign {
            path: path.to_path_buf(),
            name: name.to_owned(),
            id_start: version.clone(),
            version,
            words,
            up: (path.join("up.sql"), up),
            down: down.map(|down| (path.join("down.sql"), down)),
            transactional,
            comment_only_down,
            notes,
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
                    "unknown key `{key}`: diesel reads only `run_in_transaction` and skips \
                     any other key, so a misspelt one leaves it unset, which diesel reads as \
                     false (no transaction); remove it, or spell it `run_in_transaction`"
                ));
            }
        }
    }
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::foreign::test_folders::{folder, shown};
    use crate::cli::foreign::{Applied, applied, revisions};

    fn read_ok(files: &[(&str, &str)]) -> Vec<Foreign> {
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
        assert_eq!(
            migrations[2].down.as_ref().map(|(_, sql)| sql.as_str()),
            Some("DROP TABLE users;")
        );
        assert_eq!(migrations[3].down, None);
        assert!(migrations.iter().all(|m| m.transactional));
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
        // Its message says there is none (and names the file: `..._no_description.rs`).
        assert_eq!(migrations[0].message(), "(no description)");
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
                // A down.sql of comments only is diesel's "not reversible".
                (true, true),
                (true, false),
                (true, true),
                // diesel reads a metadata.toml without the key as `false`.
                (true, false),
            ]
        );
        assert!(migrations[5].notes[1].contains("does not set `run_in_transaction`"));
        assert!(migrations[2].comment_only_down && revisions[2].downgrade_sql.is_none());
        assert!(
            migrations[2].notes[0].starts_with("irreversible: its down.sql holds only comments"),
            "{:?}",
            migrations[2].notes
        );
        assert!(!revisions[2].upgrade_sql.as_ref().unwrap().empty);
        // A chain in diesel's order, from a root.
        assert!(revisions[0].revises.is_empty());
        for pair in revisions.windows(2) {
            assert_eq!(pair[1].revises, [pair[0].id.clone()]);
        }
    }

    #[test]
    fn comments_of_every_form_are_no_statement() {
        let migrations = read_ok(&[
            ("2024-01-01-000000_dash/up.sql", "SELECT 1;"),
            ("2024-01-01-000000_dash/down.sql", "-- Not reversible\n\n"),
            ("2024-01-02-000000_block/up.sql", "SELECT 1;"),
            (
                "2024-01-02-000000_block/down.sql",
                "/* intentionally\n   left blank */\n",
            ),
            (
                "2024-01-03-000000_hash/up.sql",
                "# MySQL comments only\n# here\n",
            ),
            ("2024-01-03-000000_hash/down.sql", "# nothing to undo\n"),
            ("2024-01-04-000000_real/up.sql", "SELECT 1;"),
            (
                "2024-01-04-000000_real/down.sql",
                "-- undo\n/* the table */ DROP TABLE t;\n",
            ),
        ]);
        let only: Vec<bool> = migrations.iter().map(|m| m.comment_only_down).collect();
        assert_eq!(only, [true, true, true, false]);
        assert!(migrations[..3].iter().all(|m| m.down.is_none()));
        // An up.sql of `#` comments runs nothing, with a note saying so.
        let revisions = revisions(&migrations, &shown);
        assert!(revisions[2].upgrade_sql.as_ref().unwrap().empty);
        assert!(!revisions[3].upgrade_sql.as_ref().unwrap().empty);
        assert!(
            migrations[2].notes[0].starts_with("its upgrade runs nothing: up.sql holds only"),
            "{:?}",
            migrations[2].notes
        );
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
             `run_in_transaction` and skips any other key, so a misspelt one leaves it unset, \
             which diesel reads as false (no transaction)",
            "`metadata.toml`: `run_in_transaction` is string `\"no\"`, expected `true` or `false`",
            "the version of `v1.2_dotted` is `v1.2`",
            "`2024-01-06-000000_a` and `20240106000000_b` have the same version `20240106000000`",
        ] {
            assert!(err.contains(expected), "{expected}\nnot in:\n{err}");
        }
    }

    #[test]
    fn sql_becomes_a_raw_string_with_the_fewest_hashes() {
        assert_eq!(template::rust_literal("SELECT 1"), "r\"SELECT 1\"");
        assert_eq!(
            template::rust_literal("SELECT \"id\" FROM t"),
            "r#\"SELECT \"id\" FROM t\"#"
        );
        assert_eq!(
            template::rust_literal("SELECT '\"#' AS x"),
            "r##\"SELECT '\"#' AS x\"##"
        );
        assert_eq!(template::rust_literal("a\r\nb"), "\"a\\r\\nb\"");
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
}
