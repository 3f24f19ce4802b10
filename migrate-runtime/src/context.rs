//! The context a migration function receives: the live connection and what is being run.

use diesel::connection::SimpleConnection;

use crate::{AnyConnection, Backend, Direction, Result, RevisionId};

/// What a migration function works with: raw SQL, the live diesel connection for typed
/// data migrations, and the backend it runs on.
pub struct MigrationContext<'a> {
    conn: &'a mut AnyConnection,
    revision: &'a RevisionId,
    direction: Direction,
}

impl<'a> MigrationContext<'a> {
    /// A context running `revision` in `direction` on `conn`.
    pub fn new(
        conn: &'a mut AnyConnection,
        revision: &'a RevisionId,
        direction: Direction,
    ) -> Self {
        Self {
            conn,
            revision,
            direction,
        }
    }

    /// Runs one or more SQL statements separated by `;`.
    pub fn execute(&mut self, sql: &str) -> Result<()> {
        self.conn.batch_execute(sql)?;
        Ok(())
    }

    /// The live diesel connection, for typed queries (`diesel::insert_into(...)`, ...).
    pub fn connection(&mut self) -> &mut AnyConnection {
        self.conn
    }

    /// The backend the migration runs on.
    pub fn backend(&self) -> Backend {
        self.conn.backend()
    }

    /// The revision being run.
    pub fn revision(&self) -> &RevisionId {
        self.revision
    }

    /// Whether the migration is being applied or reverted.
    pub fn direction(&self) -> Direction {
        self.direction
    }
}
