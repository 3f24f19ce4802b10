//! A refinery migrations folder read with refinery's own rules, for `import refinery` (what
//! it shares with the other tools is in `foreign.rs`).
//!
//! refinery 0.8 and 0.9 (`refinery_core/src/util.rs`, `runner.rs`, `traits/mod.rs`) read a
//! folder and its subfolders; a file named `[U|V]<version>__<name>.sql` (the name of word
//! characters) is a migration, any other file is skipped with a warning, and
//! `.rs` files of that name are Rust migrations whose SQL is what their `migration()`
//! returns when refinery runs. The version, which `refinery_schema_history.version` records,
//! is an `i32` (an `i64` with the `int8-versions` feature): a dotted one is refused.
//! Migrations run in the order of their versions, each in a transaction of its own and its
//! history row in the next one (`traits/sync.rs`, `migrate`; `set_grouped(true)` runs them
//! all and their rows in one); refinery has no down migrations. A `V` (versioned) migration with a version below
//! the last applied one is refused, while a `U` (unversioned) one is applied late: both are
//! imported alike, in version order. refinery's releases have no per-migration
//! no-transaction directive; the one proposed for it (`-- refinery:noTransaction`, or
//! `-- +refinery NO TRANSACTION`) is read as `transactional = false`, as its author meant.

use std::path::{Path, PathBuf};

use super::foreign::{self, Foreign, MigrationTool, Problems};
use super::template;

/// Reads the refinery migrations folder `dir` and its subfolders, in refinery's order.
/// `shown` prints a path as messages show it; `warnings` gets the files refinery skips.
/// Every problem is reported at once.
pub(crate) fn read(
    dir: &Path,
    shown: &dyn Fn(&Path) -> String,
    warnings: &mut Vec<String>,
) -> Result<Vec<Foreign>, Problems> {
    let mut problems = Problems::new();
    let mut files = Vec::new();
    walk(dir, shown, &mut problems, &mut files);
    let mut migrations = Vec::new();
    for (name, path) in files {
        let Some(parsed) = parse(&name) else {
            warnings.push(format!(
                "`{}` is not named `V<n>__<name>.sql` (the name of letters, digits and `_`), \
                 so refinery skips it, and so does the import",
                shown(&path)
            ));
            continue;
        };
        if parsed.prefix == '|' {
            problems.push(format!(
                "`{}` starts with `|`, which refinery's file pattern lets through and then \
                 panics on; rename it to start with `V`",
                shown(&path)
            ));
            continue;
        }
        let Some(version) = parsed
            .version
            .parse::<i64>()
            .ok()
            .filter(|_| !parsed.version.contains('.'))
        else {
            problems.push(format!(
                "the version of `{}` is `{}`, which refinery refuses (not an integer); name it \
                 with a whole number, such as `V3__{}.sql`",
                shown(&path),
                parsed.version,
                parsed.name
            ));
            continue;
        };
        if parsed.extension == "rs" {
            problems.push(format!(
                "`{}` is a Rust migration, whose SQL exists only when refinery runs its \
                 `migration()`; the import reads SQL files only: write the SQL it returns into \
                 `{}{}__{}.sql` in its place (or port it by hand into a revision, `revision -m \
                 ...`), then import again",
                shown(&path),
                parsed.prefix,
                parsed.version,
                parsed.name
            ));
            continue;
        }
        let Some(sql) = foreign::read_text(&path, shown, &mut problems) else {
            continue;
        };
        let mut notes = Vec::new();
        if parsed.prefix == 'U' {
            notes.push(
                "unversioned (U): refinery applies it even after later versions; imported in \
                 version order like the others"
                    .to_owned(),
            );
        }
        let transactional = !no_transaction(&sql);
        if !transactional {
            notes.push(
                "transactional = false: its SQL says `refinery:noTransaction` (refinery's \
                 releases ignore that line and run it in a transaction)"
                    .to_owned(),
            );
        }
        migrations.push(Foreign {
            path: path.clone(),
            name: name.strip_suffix(".sql").unwrap_or(&name).to_owned(),
            version: version.to_string(),
            id_start: parsed.version.to_owned(),
            words: template::one_line(&parsed.name.replace('_', " ")),
            up: (path, sql),
            down: None,
            transactional,
            comment_only_down: false,
            notes,
        });
    }
    migrations.sort_by(|a, b| {
        let number = |m: &Foreign| m.version.parse::<i64>().unwrap_or(i64::MAX);
        number(a).cmp(&number(b)).then(a.name.cmp(&b.name))
    });
    foreign::check_versions_and_ids(MigrationTool::Refinery, &migrations, shown, &mut problems);
    if problems.is_empty() {
        Ok(migrations)
    } else {
        Err(problems)
    }
}

/// The files under `dir`, as refinery's walk finds them (symbolic links to folders are not
/// followed).
fn walk(
    dir: &Path,
    shown: &dyn Fn(&Path) -> String,
    problems: &mut Problems,
    files: &mut Vec<(String, PathBuf)>,
) {
    for (name, path) in foreign::entries(dir, shown, problems) {
        let is_dir = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
        if is_dir {
            walk(&path, shown, problems, files);
        } else if path.is_file() {
            files.push((name, path));
        }
    }
}

/// A file name refinery's pattern `^([U|V])(\d+(?:\.\d+)?)__(\w+)\.(rs|sql)$` matches.
struct Parsed<'a> {
    prefix: char,
    version: &'a str,
    name: &'a str,
    extension: &'a str,
}

fn parse(file: &str) -> Option<Parsed<'_>> {
    let prefix = file
        .chars()
        .next()
        .filter(|c| matches!(c, 'U' | 'V' | '|'))?;
    let rest = &file[1..];
    let (stem, extension) = rest.rsplit_once('.')?;
    if extension != "sql" && extension != "rs" {
        return None;
    }
    let (version, name) = stem.split_once("__")?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let version_ok = match version.split_once('.') {
        Some((whole, part)) => digits(whole) && digits(part),
        None => digits(version),
    };
    let word = |c: char| c.is_alphanumeric() || c == '_';
    (version_ok && !name.is_empty() && name.chars().all(word)).then_some(Parsed {
        prefix,
        version,
        name,
        extension,
    })
}

/// Whether a line of `sql` is the proposed no-transaction directive.
fn no_transaction(sql: &str) -> bool {
    sql.lines().any(|line| {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("--") else {
            return false;
        };
        let rest = rest.trim_start_matches('-').trim();
        rest == "refinery:noTransaction" || rest == "+refinery NO TRANSACTION"
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::foreign::revisions;
    use crate::cli::foreign::test_folders::{folder, shown};

    #[test]
    fn versions_order_and_names_follow_refinery() {
        let dir = folder(&[
            ("V2__add_email.sql", "ALTER TABLE users ADD email TEXT;"),
            ("V1__create_users.sql", "CREATE TABLE users (id INT);"),
            ("sub/V10__nested.sql", "SELECT 1;"),
            ("U3__backfill.sql", "UPDATE users SET email = '';"),
            (
                "V004__index.sql",
                "-- refinery:noTransaction\nCREATE INDEX CONCURRENTLY i ON users (email);",
            ),
            ("README.md", "notes"),
            ("V5_single_underscore.sql", "SELECT 1;"),
            ("V6__with-dash.sql", "SELECT 1;"),
        ]);
        let mut warnings = Vec::new();
        let migrations = read(dir.path(), &shown, &mut warnings).unwrap();
        let got: Vec<(&str, String)> = migrations
            .iter()
            .map(|m| (m.version.as_str(), m.revision_id().unwrap().to_string()))
            .collect();
        assert_eq!(
            got,
            [
                ("1", "1_create_users".to_owned()),
                ("2", "2_add_email".to_owned()),
                ("3", "3_backfill".to_owned()),
                ("4", "004_index".to_owned()),
                ("10", "10_nested".to_owned()),
            ]
        );
        assert_eq!(migrations[0].name, "V1__create_users");
        assert_eq!(migrations[0].message(), "create users");
        assert!(migrations[2].notes[0].starts_with("unversioned (U)"));
        let revisions = revisions(&migrations, &shown);
        assert!(revisions.iter().all(|r| r.irreversible));
        let transactional: Vec<bool> = revisions.iter().map(|r| r.transactional).collect();
        assert_eq!(transactional, [true, true, true, false, true]);
        let warnings = warnings.join("\n");
        for skipped in ["README.md", "V5_single_underscore.sql", "V6__with-dash.sql"] {
            assert!(
                warnings.contains(&format!("`{skipped}` is not named")),
                "{warnings}"
            );
        }
    }

    #[test]
    fn bad_folders_name_every_problem_and_its_fix() {
        let dir = folder(&[
            ("V1__create_users.sql", "SELECT 1;"),
            ("V01__again.sql", "SELECT 1;"),
            ("V1.5__dotted.sql", "SELECT 1;"),
            (
                "V2__seed.rs",
                "pub fn migration() -> String { String::new() }",
            ),
            ("|3__pipe.sql", "SELECT 1;"),
        ]);
        let err = read(dir.path(), &shown, &mut Vec::new())
            .unwrap_err()
            .join("\n");
        for expected in [
            "`V01__again.sql` and `V1__create_users.sql` have the same version `1`",
            "the version of `V1.5__dotted.sql` is `1.5`, which refinery refuses (not an integer)",
            "`V2__seed.rs` is a Rust migration, whose SQL exists only when refinery runs its \
             `migration()`; the import reads SQL files only: write the SQL it returns into \
             `V2__seed.sql` in its place",
            "`|3__pipe.sql` starts with `|`",
        ] {
            assert!(err.contains(expected), "{expected}\nnot in:\n{err}");
        }
    }
}
