//! Migration descriptors, built by `#[migration]` or at runtime, and the set of them.

use std::borrow::Cow;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use migrate_core::descriptor::{Descriptor, FILE_SEPARATOR};
use migrate_core::{Graph, Revision, RevisionId};

use crate::__private::{Folder, MigrationFnPtr, Registration, StaticMigration};
use crate::{Error, MigrationContext, Result};

/// The closure behind a [`MigrationFn`].
type DynMigrationFn = dyn Fn(&mut MigrationContext<'_>) -> Result<()> + Send + Sync;

/// An upgrade or downgrade step: a function pointer or a closure.
#[derive(Clone)]
pub struct MigrationFn(Step);

/// What a [`MigrationFn`] calls.
#[derive(Clone)]
enum Step {
    /// A plain function: what `#[migration]` registers, kept without an allocation.
    Fn(MigrationFnPtr),
    /// A closure, shared by every clone.
    Closure(Arc<DynMigrationFn>),
}

impl MigrationFn {
    /// Wraps a function or closure. A closure that captures nothing is allocated like any
    /// other; plain functions can use [`MigrationFn::from_fn`], which allocates nothing.
    pub fn new(
        f: impl Fn(&mut MigrationContext<'_>) -> Result<()> + Send + Sync + 'static,
    ) -> Self {
        Self(Step::Closure(Arc::new(f)))
    }

    /// Wraps a plain function, without allocating.
    ///
    /// ```
    /// use migrate_runtime::{MigrationContext, MigrationFn, Result};
    ///
    /// fn create_users(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ///     ctx.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
    /// }
    ///
    /// let step = MigrationFn::from_fn(create_users);
    /// # let _ = step;
    /// ```
    pub const fn from_fn(f: for<'a, 'b> fn(&'a mut MigrationContext<'b>) -> Result<()>) -> Self {
        Self(Step::Fn(f))
    }

    /// Runs the step.
    pub fn call(&self, ctx: &mut MigrationContext<'_>) -> Result<()> {
        match &self.0 {
            Step::Fn(f) => f(ctx),
            Step::Closure(f) => f(ctx),
        }
    }
}

impl fmt::Debug for MigrationFn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MigrationFn")
    }
}

/// One migration: its place in the revision graph and the code that applies and reverts it.
///
/// `#[migration]` builds these at compile time; tools, tests and benchmarks build them at
/// runtime with [`Migration::new`] and the `with_*` methods.
#[derive(Debug, Clone)]
pub struct Migration {
    revision: Revision,
    // Borrowed when static, as every `#[migration]`'s strings are: a set of thousands of
    // migrations is built at every application start.
    message: Cow<'static, str>,
    upgrade: MigrationFn,
    downgrade: Option<MigrationFn>,
    transactional: bool,
    checksum: Option<Cow<'static, str>>,
    source: Option<String>,
}

impl Migration {
    /// A root migration with no downgrade (irreversible) and no message.
    pub fn new(id: RevisionId, upgrade: MigrationFn) -> Self {
        Self {
            revision: Revision::root(id),
            message: Cow::Borrowed(""),
            upgrade,
            downgrade: None,
            transactional: true,
            checksum: None,
            source: None,
        }
    }

    /// Sets the parents (`revises`).
    pub fn with_revises(mut self, parents: impl IntoIterator<Item = RevisionId>) -> Self {
        self.revision.down_revisions = parents.into_iter().collect();
        self
    }

    /// Sets `depends_on`.
    pub fn with_depends_on(mut self, deps: impl IntoIterator<Item = RevisionId>) -> Self {
        self.revision.depends_on = deps.into_iter().collect();
        self
    }

    /// Sets the branch labels.
    pub fn with_branch_labels(mut self, labels: impl IntoIterator<Item = String>) -> Self {
        self.revision.branch_labels = labels.into_iter().collect();
        self
    }

    /// Sets the message: a `&'static str` is kept without a copy.
    pub fn with_message(mut self, message: impl Into<Cow<'static, str>>) -> Self {
        self.message = message.into();
        self
    }

    /// Sets the downgrade step, making the migration reversible.
    pub fn with_downgrade(mut self, downgrade: MigrationFn) -> Self {
        self.downgrade = Some(downgrade);
        self
    }

    /// Runs the migration outside any transaction when `false`.
    pub fn with_transactional(mut self, transactional: bool) -> Self {
        self.transactional = transactional;
        self
    }

    /// Sets the checksum recorded when the migration is applied: a `&'static str` is kept
    /// without a copy.
    pub fn with_checksum(mut self, checksum: impl Into<Cow<'static, str>>) -> Self {
        self.checksum = Some(checksum.into());
        self
    }

    /// The migration's node in the revision graph.
    pub fn revision(&self) -> &Revision {
        &self.revision
    }

    /// The revision id.
    pub fn id(&self) -> &RevisionId {
        &self.revision.id
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The upgrade step.
    pub fn upgrade(&self) -> &MigrationFn {
        &self.upgrade
    }

    /// The downgrade step, `None` when irreversible.
    pub fn downgrade(&self) -> Option<&MigrationFn> {
        self.downgrade.as_ref()
    }

    /// Whether the migration runs inside a transaction.
    pub fn is_transactional(&self) -> bool {
        self.transactional
    }

    /// The checksum of the migration's code, when known.
    pub fn checksum(&self) -> Option<&str> {
        self.checksum.as_deref()
    }

    /// Where the migration is defined (`file:line`), when known.
    pub fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    /// Converts a compile-time registration. Its ids were validated by the macro; an id
    /// that still fails validation is reported by [`MigrationSet`] construction.
    pub(crate) fn from_static(m: &'static StaticMigration) -> Result<Self, migrate_core::IdError> {
        Self::from_parts(
            &Descriptor {
                revision: m.revision,
                revises: m.down_revisions.to_vec(),
                depends_on: m.depends_on.to_vec(),
                branch_labels: m.branch_labels.to_vec(),
                message: m.message,
                reversible: m.downgrade.is_some(),
                transactional: m.transactional,
                checksum: m.checksum,
                file: m.file,
                line: m.line,
            },
            m.upgrade,
            m.downgrade,
            m.file,
        )
    }

    /// Converts a descriptor and its functions; `file` is where it is defined. The
    /// descriptor's strings live in the binary, so its message and checksum are kept, not
    /// copied (ids are shared on the heap: see [`RevisionId`]).
    fn from_parts(
        d: &Descriptor<'static>,
        upgrade: MigrationFnPtr,
        downgrade: Option<MigrationFnPtr>,
        file: &str,
    ) -> Result<Self, migrate_core::IdError> {
        let ids = |list: &[&str]| {
            list.iter()
                .map(|s| RevisionId::new(s))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(Self {
            revision: Revision {
                id: RevisionId::new(d.revision)?,
                down_revisions: ids(&d.revises)?,
                depends_on: ids(&d.depends_on)?,
                branch_labels: d.branch_labels.iter().map(|s| s.to_string()).collect(),
            },
            message: Cow::Borrowed(d.message),
            upgrade: MigrationFn::from_fn(upgrade),
            downgrade: downgrade.map(MigrationFn::from_fn),
            transactional: d.transactional,
            checksum: Some(Cow::Borrowed(d.checksum)),
            source: Some(format!("{file}:{}", d.line)),
        })
    }
}

/// Appends the migrations a compile-time registration describes to `out`, and the folder
/// it comes from, if any, to `folders`.
fn push_registered(
    registration: &'static Registration,
    out: &mut Vec<Migration>,
    folders: &mut Vec<CompiledFolder>,
) -> Result<()> {
    let invalid = |file: &str, line: u32, error| Error::InvalidId {
        location: format!("the migration at {file}:{line}"),
        error,
    };
    match registration {
        Registration::Static(list) => {
            for m in *list {
                out.push(Migration::from_static(m).map_err(|e| invalid(m.file, m.line, e))?);
            }
        }
        Registration::Folder(Folder {
            dir,
            data,
            steps,
            files,
        }) => {
            folders.push(CompiledFolder { dir, files });
            let mut steps = steps.iter();
            for d in Descriptor::decode_all(data) {
                let d = d.map_err(|e| Error::Message(e.to_string()))?;
                let Some(&(upgrade, downgrade)) = steps.next() else {
                    return Err(mismatch(dir, "more descriptors than functions"));
                };
                let file = Path::new(dir).join(d.file);
                let file = file.to_string_lossy();
                let downgrade = d.reversible.then_some(downgrade);
                let migration = Migration::from_parts(&d, upgrade, downgrade, &file)
                    .map_err(|e| invalid(&file, d.line, e))?;
                out.push(migration);
            }
            if steps.next().is_some() {
                return Err(mismatch(dir, "more functions than descriptors"));
            }
        }
    }
    Ok(())
}

/// A folder registration whose two halves do not match: a macro and a runtime of different
/// versions.
fn mismatch(dir: &str, what: &str) -> Error {
    Error::Message(format!(
        "the migrations registered for {dir} have {what}: `migrate-macros` and \
         `migrate-runtime` come from different versions; depend on `migrate-runtime` alone"
    ))
}

/// A validated collection of migrations: the input of the planner and the executor.
///
/// ```
/// use migrate_runtime::{Migration, MigrationFn, MigrationSet, RevisionId};
///
/// let create = Migration::new(
///     RevisionId::new("0001_create_users")?,
///     MigrationFn::new(|ctx| ctx.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")),
/// );
/// let set = MigrationSet::new(vec![create])?;
/// assert!(set.get("0001_create_users").is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct MigrationSet {
    migrations: Vec<Migration>,
    /// Built from the migrations' revisions in the same order, so that a revision's
    /// position in the graph is its migration's position here.
    graph: Graph,
    /// The folders `migrations!` compiled into the binary, for a set of registered
    /// migrations; empty otherwise.
    #[cfg_attr(
        not(feature = "cli"),
        allow(dead_code, reason = "read by the CLI's check")
    )]
    folders: Vec<CompiledFolder>,
}

/// A folder `migrations!` compiled into the binary: what the CLI compares the migrations
/// folder with to find files added since the build.
#[derive(Debug, Clone, Copy)]
#[cfg_attr(
    not(feature = "cli"),
    allow(dead_code, reason = "read by the CLI's check")
)]
pub(crate) struct CompiledFolder {
    /// Its canonical path on the machine that built the binary.
    pub(crate) dir: &'static str,
    /// Its files, separated by [`FILE_SEPARATOR`].
    files: &'static str,
}

#[cfg_attr(
    not(feature = "cli"),
    allow(dead_code, reason = "read by the CLI's check")
)]
impl CompiledFolder {
    /// The name of every file compiled from the folder: migrations, files whose migrations
    /// `#[cfg]`s leave out, helpers.
    pub(crate) fn files(&self) -> impl Iterator<Item = &'static str> {
        self.files
            .split(FILE_SEPARATOR)
            .filter(|name| !name.is_empty())
    }
}

impl MigrationSet {
    /// Validates `migrations` as a revision graph ([`Error::Graph`] lists every problem).
    pub fn new(migrations: Vec<Migration>) -> Result<Self> {
        let graph = Graph::new(migrations.iter().map(|m| m.revision.clone()).collect())?;
        Ok(Self {
            migrations,
            graph,
            folders: Vec::new(),
        })
    }

    /// Every `#[migration]` linked into the binary, sorted by revision id (the linker's
    /// order is unspecified).
    ///
    /// A crate is linked only when the binary names it: one whose migrations the binary
    /// needs but whose items it never uses must be named once, `use accounts as _;`, or
    /// its migrations are missing from the set.
    pub fn registered() -> Result<Self> {
        let mut migrations = Vec::new();
        let mut folders = Vec::new();
        for registration in crate::__private::registered() {
            push_registered(registration, &mut migrations, &mut folders)?;
        }
        migrations.sort_by(|a, b| a.id().cmp(b.id()));
        Ok(Self {
            folders,
            ..Self::new(migrations)?
        })
    }

    /// The revision graph: heads, bases, target resolution and planning.
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// The migration with revision id `id`.
    pub fn get(&self, id: &str) -> Option<&Migration> {
        self.graph.position(id).map(|i| &self.migrations[i])
    }

    /// The migrations in the set, in the order given.
    pub fn migrations(&self) -> &[Migration] {
        &self.migrations
    }

    /// The folders `migrations!` compiled into the binary, when the set is
    /// [`MigrationSet::registered`]'s, in no particular order; a folder may appear more
    /// than once (its migrations under `#[cfg]`s are registered apart).
    #[cfg_attr(
        not(feature = "cli"),
        allow(dead_code, reason = "read by the CLI's check")
    )]
    pub(crate) fn compiled_folders(&self) -> &[CompiledFolder] {
        &self.folders
    }
}

#[cfg(all(test, feature = "cli"))]
impl MigrationSet {
    /// This set as if `migrations!` had compiled the folders `(dir, files)` into the binary.
    pub(crate) fn with_compiled_folders(
        mut self,
        folders: &[(&'static str, &'static str)],
    ) -> Self {
        self.folders = folders
            .iter()
            .map(|&(dir, files)| CompiledFolder { dir, files })
            .collect();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::__private::{IRREVERSIBLE, Steps};

    fn up(_: &mut MigrationContext<'_>) -> Result<()> {
        Ok(())
    }

    fn folder(descriptors: &[Descriptor<'_>], steps: usize) -> &'static Registration {
        let mut data = String::new();
        for d in descriptors {
            d.encode(&mut data);
        }
        let steps: Vec<Steps> = vec![(up, IRREVERSIBLE); steps];
        Box::leak(Box::new(Registration::Folder(Folder {
            dir: "/app/migrations",
            data: Box::leak(data.into_boxed_str()),
            steps: Box::leak(steps.into_boxed_slice()),
            files: "0001_users.rs/helpers.rs",
        })))
    }

    fn descriptor(revision: &str, reversible: bool) -> Descriptor<'_> {
        Descriptor {
            revision,
            reversible,
            transactional: true,
            checksum: "c0ffee",
            file: "0001_users.rs",
            line: 3,
            ..Descriptor::default()
        }
    }

    #[test]
    fn get_finds_each_migration_by_exact_id_in_the_order_given() {
        let id = |s: &str| RevisionId::new(s).unwrap();
        let set = MigrationSet::new(vec![
            Migration::new(id("0002_b"), MigrationFn::new(up)).with_revises([id("0001_a")]),
            Migration::new(id("0001_a"), MigrationFn::new(up)).with_message("first"),
            Migration::new(id("0003_c"), MigrationFn::new(up)).with_revises([id("0002_b")]),
        ])
        .unwrap();
        for (i, m) in set.migrations().iter().enumerate() {
            assert_eq!(set.get(m.id().as_str()).map(Migration::id), Some(m.id()));
            assert_eq!(set.graph().position(m.id().as_str()), Some(i));
        }
        assert_eq!(set.get("0001_a").unwrap().message(), "first");
        assert!(set.get("0001").is_none(), "a prefix is not an exact id");
        assert!(set.get("0004_d").is_none());
    }

    #[test]
    fn a_folder_registration_becomes_its_migrations() {
        let second = Descriptor {
            revises: vec!["0001_users"],
            ..descriptor("0002_posts", false)
        };
        let (mut out, mut folders) = (Vec::new(), Vec::new());
        push_registered(
            folder(&[descriptor("0001_users", true), second], 2),
            &mut out,
            &mut folders,
        )
        .unwrap();
        // The folder's files, helpers included, come along.
        assert_eq!(folders.len(), 1);
        assert_eq!(folders[0].dir, "/app/migrations");
        assert_eq!(
            folders[0].files().collect::<Vec<_>>(),
            ["0001_users.rs", "helpers.rs"]
        );
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].id(), "0001_users");
        assert!(out[0].downgrade().is_some());
        assert_eq!(out[0].checksum(), Some("c0ffee"));
        let source = out[0].source().unwrap().replace('\\', "/");
        assert_eq!(source, "/app/migrations/0001_users.rs:3");
        assert_eq!(out[1].revision().down_revisions, ["0001_users"]);
        // `IRREVERSIBLE` in the steps is not a downgrade.
        assert!(out[1].downgrade().is_none());
    }

    #[test]
    fn a_folder_registration_that_does_not_add_up_is_refused() {
        let one = [descriptor("0001_users", true)];
        for steps in [0, 2] {
            let err =
                push_registered(folder(&one, steps), &mut Vec::new(), &mut Vec::new()).unwrap_err();
            assert!(err.to_string().contains("different versions"), "{err}");
        }
        let bad = descriptor("not an id", true);
        let err = push_registered(folder(&[bad], 1), &mut Vec::new(), &mut Vec::new()).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("/app/migrations/0001_users.rs:3")
                && message.contains("invalid revision id"),
            "{message}"
        );
    }
}
