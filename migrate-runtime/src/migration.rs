//! Migration descriptors, built by `#[migration]` or at runtime, and the set of them.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use migrate_core::{Graph, Revision, RevisionId};

use crate::__private::StaticMigration;
use crate::{Error, MigrationContext, Result};

/// The closure behind a [`MigrationFn`].
type DynMigrationFn = dyn Fn(&mut MigrationContext<'_>) -> Result<()> + Send + Sync;

/// An upgrade or downgrade step: a function pointer or a closure.
#[derive(Clone)]
pub struct MigrationFn(Arc<DynMigrationFn>);

impl MigrationFn {
    /// Wraps a function or closure.
    pub fn new(
        f: impl Fn(&mut MigrationContext<'_>) -> Result<()> + Send + Sync + 'static,
    ) -> Self {
        Self(Arc::new(f))
    }

    /// Runs the step.
    pub fn call(&self, ctx: &mut MigrationContext<'_>) -> Result<()> {
        (self.0)(ctx)
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
    message: String,
    upgrade: MigrationFn,
    downgrade: Option<MigrationFn>,
    transactional: bool,
    checksum: Option<String>,
    source: Option<String>,
}

impl Migration {
    /// A root migration with no downgrade (irreversible) and no message.
    pub fn new(id: RevisionId, upgrade: MigrationFn) -> Self {
        Self {
            revision: Revision::root(id),
            message: String::new(),
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

    /// Sets the message.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
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

    /// Sets the checksum recorded when the migration is applied.
    pub fn with_checksum(mut self, checksum: impl Into<String>) -> Self {
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
        let ids = |list: &[&str]| {
            list.iter()
                .map(|s| RevisionId::new(s))
                .collect::<Result<Vec<_>, _>>()
        };
        let upgrade = m.upgrade;
        Ok(Self {
            revision: Revision {
                id: RevisionId::new(m.revision)?,
                down_revisions: ids(m.down_revisions)?,
                depends_on: ids(m.depends_on)?,
                branch_labels: m.branch_labels.iter().map(|s| s.to_string()).collect(),
            },
            message: m.message.to_owned(),
            upgrade: MigrationFn::new(upgrade),
            downgrade: m.downgrade.map(MigrationFn::new),
            transactional: m.transactional,
            checksum: Some(m.checksum.to_owned()),
            source: Some(format!("{}:{}", m.file, m.line)),
        })
    }
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
    graph: Graph,
    index: HashMap<RevisionId, usize>,
}

impl MigrationSet {
    /// Validates `migrations` as a revision graph ([`Error::Graph`] lists every problem).
    pub fn new(migrations: Vec<Migration>) -> Result<Self> {
        let graph = Graph::new(migrations.iter().map(|m| m.revision.clone()).collect())?;
        let index = migrations
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id().clone(), i))
            .collect();
        Ok(Self {
            migrations,
            graph,
            index,
        })
    }

    /// Every `#[migration]` linked into the binary, sorted by revision id (the linker's
    /// order is unspecified).
    pub fn registered() -> Result<Self> {
        let mut migrations = crate::__private::registered()
            .map(|m| {
                Migration::from_static(m).map_err(|error| Error::InvalidId {
                    location: format!("the migration at {}:{}", m.file, m.line),
                    error,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        migrations.sort_by(|a, b| a.id().cmp(b.id()));
        Self::new(migrations)
    }

    /// The revision graph: heads, bases, target resolution and planning.
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// The migration with revision id `id`.
    pub fn get(&self, id: &str) -> Option<&Migration> {
        self.index.get(id).map(|&i| &self.migrations[i])
    }

    /// The migrations in the set, in the order given.
    pub fn migrations(&self) -> &[Migration] {
        &self.migrations
    }
}
