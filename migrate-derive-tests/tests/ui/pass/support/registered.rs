//! What the pass cases read back from the registry (included with `#[path]`).

use migrate_runtime::{Backend, MigrationSet, Migrator};

/// `(id, parents, source)` of each registered migration, in id order; `source` is the file
/// name and line, without the folder.
pub fn registered(set: &MigrationSet) -> Vec<(&str, Vec<&str>, &str)> {
    set.migrations()
        .iter()
        .map(|m| {
            let parents = m.revision().down_revisions.iter().map(|p| p.as_str()).collect();
            let source = m.source().unwrap();
            let name = source.rsplit(['/', '\\']).next().unwrap();
            (m.id().as_str(), parents, name)
        })
        .collect()
}

/// The SQL the step from `start` to `id` runs on SQLite: it shows that the function
/// registered for `id` is the one declared with it.
pub fn upgrade_sql(migrator: &Migrator, start: Option<&str>, id: &str) -> String {
    migrator.upgrade_sql(Backend::Sqlite, start, id).unwrap()
}
