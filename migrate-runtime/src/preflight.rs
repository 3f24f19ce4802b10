//! Target checks that need no database, so that bad input is refused before a connection
//! is opened (opening a SQLite URL creates the file: a typo must not leave one behind).

use migrate_core::PlanError;

use crate::{Direction, Migrator, Result, RevisionId};

impl Migrator {
    /// Refuses `target` when it is wrong whatever the database holds: empty, naming no
    /// revision or label, an ambiguous prefix, `head` with several heads, or a relative
    /// step in the wrong direction. Targets whose validity depends on the applied revisions
    /// (`-1`, downgrade to a revision that is not applied) pass here and are checked when the
    /// run plans against the version table.
    ///
    /// ```
    /// # use migrate_runtime::{Direction, Migration, MigrationFn, MigrationSet, Migrator, RevisionId};
    /// let set = MigrationSet::new(vec![Migration::new(
    ///     RevisionId::new("0001_users")?,
    ///     MigrationFn::new(|ctx| ctx.execute("CREATE TABLE users (id INTEGER)")),
    /// )])?;
    /// let migrator = Migrator::new(set);
    /// assert!(migrator.preflight(Direction::Up, "head").is_ok());
    /// assert!(migrator.preflight(Direction::Up, "hed").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn preflight(&self, direction: Direction, target: &str) -> Result<()> {
        let graph = self.set().graph();
        // Plan against a database holding nothing (upgrade) or everything (downgrade):
        // the errors below mean the same against any database.
        let everything: Vec<RevisionId> = graph.real_heads().into_iter().cloned().collect();
        let outcome = match direction {
            Direction::Up => graph.plan_upgrade(&[], target).map(drop),
            Direction::Down => graph.plan_downgrade(&everything, target).map(drop),
        };
        always_wrong(outcome)
    }

    /// Like [`preflight`](Self::preflight), for `stamp`: also refuses relative targets,
    /// which a stamp never accepts.
    pub fn preflight_stamp(&self, target: &str) -> Result<()> {
        always_wrong(self.set().graph().plan_stamp(&[], target).map(drop))
    }
}

/// The error of `outcome` when it means the same against any database, else `Ok`.
fn always_wrong(outcome: Result<(), PlanError>) -> Result<()> {
    match outcome {
        Err(
            err @ (PlanError::EmptyTarget
            | PlanError::NoMatch { .. }
            | PlanError::AmbiguousPrefix { .. }
            | PlanError::NoSuchBranch { .. }
            | PlanError::MultipleHeads { .. }
            | PlanError::WrongDirection { .. }
            | PlanError::RelativeNeedsCurrent { .. }),
        ) => Err(err.into()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Migration, MigrationFn, MigrationSet};

    fn migrator() -> Migrator {
        let noop = || MigrationFn::new(|_| Ok(()));
        let id = |s: &str| RevisionId::new(s).unwrap();
        let set = MigrationSet::new(vec![
            Migration::new(id("ae1027a6acf0"), noop()),
            Migration::new(id("ae1f00000000"), noop()).with_revises([id("ae1027a6acf0")]),
            Migration::new(id("b0b000000000"), noop()).with_revises([id("ae1027a6acf0")]),
        ])
        .unwrap();
        Migrator::new(set)
    }

    #[test]
    fn refuses_what_is_wrong_for_every_database() {
        let m = migrator();
        for (direction, target) in [
            (Direction::Up, ""),
            (Direction::Up, "zzzz"),
            (Direction::Up, "ae1"),
            (Direction::Up, "head"),
            (Direction::Up, "nolabel@head"),
            (Direction::Down, "zzzz"),
            (Direction::Down, "ae1"),
        ] {
            let err = m.preflight(direction, target).unwrap_err();
            assert!(err.is_input_error(), "{direction} {target}: {err}");
        }
    }

    #[test]
    fn stamp_refuses_relative_and_unknown_targets() {
        let m = migrator();
        for target in ["+1", "-1", "b0b000000000+1", "zzzz", "ae1"] {
            let err = m.preflight_stamp(target).unwrap_err();
            assert!(err.is_input_error(), "{target}: {err}");
        }
        for target in ["heads", "base", "b0b000000000", "ae1027a6acf0"] {
            assert!(m.preflight_stamp(target).is_ok(), "{target}");
        }
    }

    #[test]
    fn lets_state_dependent_targets_through() {
        let m = migrator();
        for (direction, target) in [
            (Direction::Up, "heads"),
            (Direction::Up, "+1"),
            (Direction::Up, "b0b000000000"),
            (Direction::Down, "base"),
            (Direction::Down, "-1"),
            (Direction::Down, "ae1027a6acf0"),
        ] {
            assert!(
                m.preflight(direction, target).is_ok(),
                "{direction} {target}"
            );
        }
    }
}
