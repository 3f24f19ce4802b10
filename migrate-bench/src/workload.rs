//! The benchmark's migrations: N tables of three columns with an index on one of them, as
//! runtime-built migrate migrations, as diesel_migrations SQL folders and as plain SQL
//! scripts for the database CLIs. All three run exactly the same statements.

use std::fmt::Write as _;
use std::path::Path;

use migrate_runtime::{Migration, MigrationContext, MigrationFn, MigrationSet, RevisionId};

/// The upgrade SQL of migration `i`: valid on SQLite, PostgreSQL and MariaDB alike.
pub fn up_sql(i: usize) -> String {
    format!(
        "CREATE TABLE bench_{i:05} (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100) NOT NULL, \
         created_at BIGINT NOT NULL);\nCREATE INDEX ix_bench_{i:05}_name ON bench_{i:05} (name);"
    )
}

/// The downgrade SQL of migration `i`.
pub fn down_sql(i: usize) -> String {
    format!("DROP TABLE bench_{i:05};")
}

/// The revision id of migration `i`.
pub fn revision(i: usize) -> RevisionId {
    RevisionId::new(&format!("r{i:05}")).expect("r + digits is a valid id")
}

/// The migration number `i` of a revision id made by [`revision`].
fn index_of(id: &RevisionId) -> usize {
    id.as_str()[1..]
        .parse()
        .expect("the bench's ids are r + digits")
}

/// Upgrade step of every bench migration: the SQL is written when the step runs, as in an
/// application's migration function, whose statements are code and cost nothing until it
/// is called.
fn up(ctx: &mut MigrationContext<'_>) -> migrate_runtime::Result<()> {
    let i = index_of(ctx.revision());
    ctx.execute(&up_sql(i))
}

/// Downgrade step of every bench migration.
fn down(ctx: &mut MigrationContext<'_>) -> migrate_runtime::Result<()> {
    let i = index_of(ctx.revision());
    ctx.execute(&down_sql(i))
}

/// A chain of `n` reversible migrations, built at runtime as an application's registry
/// would hand them to the migrator: plain functions and a static message, as
/// `#[migration]` registers them; only the ids are made here, one allocation each (an
/// application's are string literals).
pub fn migration_set(n: usize) -> migrate_runtime::Result<MigrationSet> {
    let mut migrations = Vec::with_capacity(n);
    let mut parent: Option<RevisionId> = None;
    let mut text = String::new();
    for i in 0..n {
        text.clear();
        write!(text, "r{i:05}").expect("writing to a String cannot fail");
        let id = RevisionId::new(&text).expect("r + digits is a valid id");
        let m = Migration::new(id.clone(), MigrationFn::from_fn(up))
            .with_message("create one bench table")
            .with_downgrade(MigrationFn::from_fn(down));
        migrations.push(match parent.replace(id) {
            Some(p) => m.with_revises([p]),
            None => m,
        });
    }
    MigrationSet::new(migrations)
}

/// Writes the `n` migrations as diesel_migrations folders (`<version>_bench_<i>/up.sql`,
/// `down.sql`) into `dir`, which must exist.
pub fn write_diesel_folders(dir: &Path, n: usize) -> std::io::Result<()> {
    for i in 0..n {
        let sub = dir.join(format!("{i:06}_bench_{i:05}"));
        std::fs::create_dir_all(&sub)?;
        std::fs::write(sub.join("up.sql"), up_sql(i))?;
        std::fs::write(sub.join("down.sql"), down_sql(i))?;
    }
    Ok(())
}

/// The transaction layout of a CLI script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `BEGIN; <migration>; COMMIT;` for each migration.
    PerMigration,
    /// One `BEGIN; ... COMMIT;` around everything.
    Single,
}

/// A SQL script applying (`up`) or reverting every migration, for the database's CLI.
pub fn script(n: usize, up: bool, layout: Layout) -> String {
    let mut out = String::with_capacity(n * 200);
    if layout == Layout::Single {
        out.push_str("BEGIN;\n");
    }
    let order: Box<dyn Iterator<Item = usize>> = if up {
        Box::new(0..n)
    } else {
        Box::new((0..n).rev())
    };
    for i in order {
        let sql = if up { up_sql(i) } else { down_sql(i) };
        if layout == Layout::PerMigration {
            let _ = writeln!(out, "BEGIN;\n{sql}\nCOMMIT;");
        } else {
            let _ = writeln!(out, "{sql}");
        }
    }
    if layout == Layout::Single {
        out.push_str("COMMIT;\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_bracket_the_same_statements() {
        let per = script(3, true, Layout::PerMigration);
        assert_eq!(per.matches("BEGIN;").count(), 3);
        assert_eq!(per.matches("CREATE INDEX").count(), 3);
        let single = script(3, false, Layout::Single);
        assert_eq!(single.matches("BEGIN;").count(), 1);
        let first_drop = single.find("bench_00002").unwrap();
        assert!(
            first_drop < single.find("bench_00000").unwrap(),
            "downgrade runs newest first"
        );
    }

    #[test]
    fn the_set_is_one_chain() {
        let set = migration_set(4).unwrap();
        assert_eq!(set.graph().heads(), vec!["r00003"]);
        assert_eq!(
            set.get("r00002").unwrap().revision().down_revisions,
            [revision(1)]
        );
        assert_eq!(index_of(&revision(1234)), 1234);
        assert!(set.migrations().iter().all(|m| m.downgrade().is_some()));
    }
}
