//! The context a migration function receives: typed schema operations, raw SQL, the live
//! connection for typed data migrations, and what is being run. Online it executes what
//! it renders; offline (`--sql`) it appends it to a script.

use diesel::connection::SimpleConnection;

use crate::schema::{AlterColumn, Column, Constraint, Index, Operation, Renderer, Table, Value};
use crate::{AnyConnection, Backend, Direction, Error, Result, RevisionId};

/// Where rendered statements go.
enum Sink<'a> {
    /// Executed on the connection.
    Online {
        conn: &'a mut AnyConnection,
        renderer: Renderer,
    },
    /// Appended to a script; the renderer lives as long as the script, so that it knows
    /// the tables earlier migrations of the script created.
    Offline {
        renderer: &'a mut Renderer,
        statements: &'a mut Vec<String>,
    },
}

/// What a migration function works with: typed schema operations rendered for the
/// backend, raw SQL, the live diesel connection for typed data migrations, and the
/// backend it runs on.
///
/// ```
/// use migrate_runtime::prelude::*;
///
/// fn create_users(ctx: &mut MigrationContext<'_>) -> Result<()> {
///     ctx.create_table(
///         Table::new("users")
///             .column(Column::new("id", ColumnType::BigInt).primary_key().auto_increment())
///             .column(Column::new("email", ColumnType::Varchar(255)).not_null())
///             .constraint(Constraint::unique("uq_users_email", ["email"])),
///     )?;
///     ctx.bulk_insert("users", ["email"], [[Value::from("admin@example.com")]])
/// }
/// ```
///
/// On SQLite, operations SQLite cannot do in place (altering a column, adding or dropping
/// a constraint, dropping a column) rebuild the table; consecutive operations on one table
/// are buffered and rebuilt once, when an operation on another table, raw SQL,
/// [`MigrationContext::connection`] or the end of the migration flushes them.
///
/// Online, a rebuild re-creates the table's triggers and the views naming it verbatim, and
/// refuses to drop a column one of them names. Offline (`--sql`) it cannot know triggers
/// or views (only raw SQL creates them): the script loses the table's triggers and fails
/// at the rename when a view names the table. Drop them with [`MigrationContext::execute`]
/// before such a change and re-create them after it.
pub struct MigrationContext<'a> {
    sink: Sink<'a>,
    backend: Backend,
    revision: &'a RevisionId,
    direction: Direction,
    /// SQLite: operations on one table waiting to be rendered together.
    pending: Vec<Operation>,
    /// Whether the migration runs inside a transaction of migrate's, together with its
    /// version-table update, which its raw SQL must not end (see
    /// [`MigrationContext::execute`]).
    in_migrate_transaction: bool,
    /// Whether [`MigrationContext::connection`] was called: SQL the context did not see
    /// may have run.
    lent: bool,
}

impl<'a> MigrationContext<'a> {
    /// A context running `revision` in `direction` on `conn`. The executor builds these;
    /// code that builds its own calls [`MigrationContext::flush`] at the end, since on
    /// SQLite operations wait in a buffer for the rest of their table's batch.
    pub fn new(
        conn: &'a mut AnyConnection,
        revision: &'a RevisionId,
        direction: Direction,
    ) -> Self {
        let backend = conn.backend();
        Self {
            sink: Sink::Online {
                conn,
                renderer: Renderer::new(backend),
            },
            backend,
            revision,
            direction,
            pending: Vec::new(),
            in_migrate_transaction: false,
            lent: false,
        }
    }

    /// Marks the context as running inside the transaction migrate opened for a
    /// transactional migration (where DDL is transactional: not on MySQL), so that
    /// [`MigrationContext::execute`] refuses SQL that would end it.
    pub(crate) fn in_migrate_transaction(mut self, yes: bool) -> Self {
        self.in_migrate_transaction = yes && self.backend != Backend::Mysql;
        self
    }

    /// A context rendering `revision` into `statements` instead of running it.
    pub(crate) fn offline(
        renderer: &'a mut Renderer,
        statements: &'a mut Vec<String>,
        revision: &'a RevisionId,
        direction: Direction,
    ) -> Self {
        Self {
            backend: renderer.backend(),
            sink: Sink::Offline {
                renderer,
                statements,
            },
            revision,
            direction,
            pending: Vec::new(),
            in_migrate_transaction: false,
            lent: false,
        }
    }

    /// Runs one or more SQL statements separated by `;` (offline: appends them).
    ///
    /// A transactional migration (the default) runs in a transaction of migrate's,
    /// together with its version-table update, so on SQLite and PostgreSQL its SQL must
    /// not begin, commit or roll back a transaction itself: a `COMMIT` would commit the
    /// migration's first half unrecorded, and a failure after it would leave it half
    /// applied. Such SQL (`BEGIN`, `START TRANSACTION`, `COMMIT`, `END`, `ROLLBACK`,
    /// PostgreSQL's `ABORT` and `PREPARE TRANSACTION`, as statements of their own) is
    /// refused with [`Error::TransactionControl`] before any of it runs; declare the
    /// migration `transactional = false` to manage its transactions itself. Statements
    /// inside others are not: function bodies in dollar quotes or `BEGIN ATOMIC ... END`,
    /// trigger bodies, strings, quoted names and comments. MySQL is not checked: it
    /// commits DDL implicitly anyway, and a run records each migration as `running`
    /// before it starts, so a `COMMIT` there cannot hide a half-applied migration.
    ///
    #[cfg_attr(feature = "sqlite", doc = "```")]
    #[cfg_attr(not(feature = "sqlite"), doc = "```no_run")]
    /// # use migrate_runtime::{AnyConnection, DatabaseUrl, Error, Migration, MigrationFn, MigrationSet, Migrator, RevisionId};
    /// let backfill = Migration::new(
    ///     RevisionId::new("0001_backfill")?,
    ///     MigrationFn::new(|ctx| ctx.execute("CREATE TABLE t (a INT); COMMIT; INSERT INTO t VALUES (1)")),
    /// );
    /// let migrator = Migrator::new(MigrationSet::new(vec![backfill])?);
    /// let mut conn = AnyConnection::open(&DatabaseUrl::parse(":memory:")?)?;
    /// let err = migrator.upgrade(&mut conn, "head").unwrap_err();
    /// assert!(err.to_string().contains("`COMMIT` in `0001_backfill`"), "{err}");
    /// assert!(migrator.current(&mut conn)?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn execute(&mut self, sql: &str) -> Result<()> {
        if self.in_migrate_transaction
            && let Some(statement) = crate::schema::parse::transaction_control(sql, self.backend)
        {
            return Err(Error::TransactionControl {
                revision: self.revision.clone(),
                statement,
            });
        }
        self.flush()?;
        match &mut self.sink {
            Sink::Online { conn, renderer } => {
                // The SQL may change any table: what the renderer knew is stale.
                renderer.forget();
                conn.batch_execute(sql)?;
            }
            Sink::Offline { statements, .. } => {
                statements.push(sql.trim().trim_end_matches(';').to_owned());
            }
        }
        Ok(())
    }

    /// The live diesel connection, for typed queries (`diesel::insert_into(...)`, ...).
    ///
    /// What is sent through it is not checked for transaction control as
    /// [`MigrationContext::execute`]'s SQL is. In a transactional migration on SQLite and
    /// PostgreSQL, a `COMMIT`, `ROLLBACK` or `END` sent through it ends the transaction
    /// migrate runs the migration in: the run finds that from diesel's own transaction
    /// state, without a query, and stops with [`Error::TransactionEnded`], recording the
    /// migration as failed so that later runs refuse until `stamp` resolves it (what it
    /// did before the `COMMIT` stays committed). PostgreSQL is checked when the migration
    /// returns; SQLite when a statement of it fails after the `COMMIT`, else at the step's
    /// commit, which in `--transaction all` is the run's last (there the commit fails
    /// without naming a migration). Unseen everywhere: a `COMMIT` followed by a `BEGIN`
    /// in the same batch (`batch_execute("COMMIT; BEGIN")`), and on SQLite in separate
    /// calls too, which leaves diesel's state as it was. Manage transactions in a
    /// `transactional = false` migration instead. (On SQLite a failed `INSERT OR
    /// ROLLBACK` or `RAISE(ROLLBACK)` ends the transaction too, rolling all of it back:
    /// in a migration that never asked for the connection that is an ordinary failure.)
    ///
    /// Offline (`--sql`) there is none: this returns [`Error::NeedsConnection`], so that
    /// `ctx.connection()?` stops the script naming the migration. Check
    /// [`MigrationContext::is_offline`] first to give an SQL fallback.
    ///
    /// It is an [`AnyConnection`], diesel's `MultiConnection` over every backend the build
    /// enables, so a query compiles on it only where all of them support it. Selects
    /// (`load`, `first`, `get_result` of a select), single-row inserts, updates, deletes and
    /// `sql_query` do. A multi-row insert (`insert_into(t).values(&rows)`) does not, with
    /// any set of backends, and neither does `RETURNING` (`.returning(..)`, `get_result` of
    /// an insert) once SQLite or MySQL is in the build: it may compile in a crate that
    /// enables only `postgres`, and break when another crate of the build enables another
    /// backend, since cargo features are additive. For those, match the variant and use
    /// the backend's own diesel connection. The data-migration crate needs `diesel` among
    /// its own dependencies (same version as migrate-runtime's, 2.3): diesel's macros expand to
    /// `diesel::` paths. Import our `Column` and `Table` by name next to the two preludes,
    /// since diesel's prelude has traits of those names.
    ///
    #[cfg_attr(feature = "sqlite", doc = "```")]
    #[cfg_attr(not(feature = "sqlite"), doc = "```ignore")]
    /// use diesel::prelude::*;
    /// use migrate_runtime::prelude::*;
    /// use migrate_runtime::AnyConnection;
    /// // Named, they take precedence over the `Column` and `Table` traits of diesel's prelude.
    /// use migrate_runtime::schema::{Column, Table};
    ///
    /// diesel::table! {
    ///     users (id) {
    ///         id -> Integer,
    ///         email -> Text,
    ///     }
    /// }
    ///
    /// #[derive(Insertable)]
    /// #[diesel(table_name = users)]
    /// struct NewUser {
    ///     email: String,
    /// }
    ///
    /// fn import_users(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ///     ctx.create_table(
    ///         Table::new("users")
    ///             .column(Column::new("id", ColumnType::Integer).primary_key().auto_increment())
    ///             .column(Column::new("email", ColumnType::Text).not_null()),
    ///     )?;
    ///     // On the `AnyConnection`: one row, an update, a select, raw SQL.
    ///     let conn = ctx.connection()?;
    ///     diesel::insert_into(users::table)
    ///         .values(users::email.eq("ROOT@example.com"))
    ///         .execute(conn)?;
    ///     diesel::update(users::table.filter(users::email.eq("ROOT@example.com")))
    ///         .set(users::email.eq("root@example.com"))
    ///         .execute(conn)?;
    ///     let root: String = users::table.select(users::email).first(conn)?;
    ///     assert_eq!(root, "root@example.com");
    ///     diesel::sql_query("DELETE FROM users WHERE email LIKE '%.invalid'").execute(conn)?;
    ///
    ///     // Many rows in one INSERT, and RETURNING: on the backend's own connection. An arm
    ///     // per backend the build enables (in your crate, `#[cfg]` on your own feature that
    ///     // enables migrate-runtime's, or no `#[cfg]` where the crate always enables it);
    ///     // `AnyConnection` is `#[non_exhaustive]`, so the last arm is required, and here it
    ///     // inserts row by row, which works on every backend.
    ///     let rows: Vec<NewUser> = (1..=3)
    ///         .map(|n| NewUser { email: format!("user{n}@example.com") })
    ///         .collect();
    ///     match ctx.connection()? {
    ///         #[cfg(feature = "postgres")]
    ///         AnyConnection::Postgres(pg) => {
    ///             let ids: Vec<i32> = diesel::insert_into(users::table)
    ///                 .values(&rows)
    ///                 .returning(users::id)
    ///                 .get_results(pg)?;
    ///             assert_eq!(ids.len(), rows.len());
    ///         }
    ///         #[cfg(feature = "sqlite")]
    ///         AnyConnection::Sqlite(sqlite) => {
    ///             diesel::insert_into(users::table).values(&rows).execute(sqlite)?;
    ///         }
    ///         conn => {
    ///             for row in &rows {
    ///                 diesel::insert_into(users::table).values(row).execute(conn)?;
    ///             }
    ///         }
    ///     }
    ///     Ok(())
    /// }
    /// # use migrate_runtime::{Migration, MigrationFn, MigrationSet, Migrator, RevisionId};
    /// # let set = MigrationSet::new(vec![Migration::new(
    /// #     RevisionId::new("0001_import_users")?,
    /// #     MigrationFn::new(import_users),
    /// # )])?;
    /// # let mut conn = diesel::SqliteConnection::establish(":memory:")?;
    /// # Migrator::new(set).upgrade(&mut conn, "head")?;
    /// # assert_eq!(users::table.count().get_result::<i64>(&mut conn)?, 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// A multi-row insert on the `AnyConnection` itself does not compile:
    ///
    /// ```compile_fail,E0277
    /// # use diesel::prelude::*;
    /// # use migrate_runtime::prelude::*;
    /// # diesel::table! { users (id) { id -> Integer, email -> Text, } }
    /// fn seed(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ///     let rows = vec![users::email.eq("a@example.com"), users::email.eq("b@example.com")];
    ///     diesel::insert_into(users::table).values(&rows).execute(ctx.connection()?)?;
    ///     Ok(())
    /// }
    /// ```
    pub fn connection(&mut self) -> Result<&mut AnyConnection> {
        self.flush()?;
        match &mut self.sink {
            Sink::Online { conn, renderer } => {
                // What is done through the connection is unknown to the renderer.
                renderer.forget();
                self.lent = true;
                Ok(conn)
            }
            Sink::Offline { .. } => Err(Error::NeedsConnection {
                revision: self.revision.clone(),
            }),
        }
    }

    /// Whether the migration asked for the live connection.
    pub(crate) fn connection_lent(&self) -> bool {
        self.lent
    }

    /// Whether the migration is being rendered as SQL (`--sql`) rather than run. A
    /// migration that needs the connection branches on this to give an SQL fallback.
    pub fn is_offline(&self) -> bool {
        matches!(self.sink, Sink::Offline { .. })
    }

    /// The backend the migration runs on (offline: the dialect rendered for).
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The revision being run.
    pub fn revision(&self) -> &RevisionId {
        self.revision
    }

    /// Whether the migration is being applied or reverted.
    pub fn direction(&self) -> Direction {
        self.direction
    }

    /// Creates a table.
    pub fn create_table(&mut self, table: Table) -> Result<()> {
        self.operation(Operation::CreateTable(table))
    }

    /// Drops a table (and its indexes).
    pub fn drop_table(&mut self, name: &str) -> Result<()> {
        self.operation(Operation::DropTable(name.to_owned()))
    }

    /// Renames a table.
    pub fn rename_table(&mut self, from: &str, to: &str) -> Result<()> {
        self.operation(Operation::RenameTable {
            from: from.to_owned(),
            to: to.to_owned(),
        })
    }

    /// Adds a column. A `NOT NULL` column needs a default when the table has rows.
    pub fn add_column(&mut self, table: &str, column: Column) -> Result<()> {
        self.operation(Operation::AddColumn {
            table: table.to_owned(),
            column,
        })
    }

    /// Drops a column, with the indexes and constraints on it. On SQLite this rebuilds the
    /// table: see the [type's docs](MigrationContext) for its triggers and views.
    ///
    /// On MySQL the foreign keys, indexes and checks over the column are read from
    /// `information_schema` and dropped in the same statement (MySQL itself refuses a
    /// foreign key or a multi-column check or unique index, and narrows other indexes to
    /// their remaining columns); a foreign key that stays keeps a plain index on its own
    /// columns, which MySQL requires. A column another table's foreign key references, or
    /// one of a composite primary key, is refused, naming what to drop first. Offline
    /// (`--sql`) the script drops the column alone: drop what MySQL would refuse to lose
    /// first.
    pub fn drop_column(&mut self, table: &str, column: &str) -> Result<()> {
        self.operation(Operation::DropColumn {
            table: table.to_owned(),
            column: column.to_owned(),
        })
    }

    /// Renames a column.
    pub fn rename_column(&mut self, table: &str, from: &str, to: &str) -> Result<()> {
        self.operation(Operation::RenameColumn {
            table: table.to_owned(),
            from: from.to_owned(),
            to: to.to_owned(),
        })
    }

    /// Changes a column's type, nullability or default. On SQLite this rebuilds the table:
    /// see the [type's docs](MigrationContext) for its triggers and views.
    pub fn alter_column(&mut self, table: &str, column: &str, change: AlterColumn) -> Result<()> {
        self.operation(Operation::AlterColumn {
            table: table.to_owned(),
            column: column.to_owned(),
            change,
        })
    }

    /// Creates an index.
    pub fn create_index(&mut self, index: Index) -> Result<()> {
        self.operation(Operation::CreateIndex(index))
    }

    /// Drops index `name` of `table`.
    ///
    /// On MySQL, which needs an index starting with the columns of each foreign key (of
    /// the table, and of every key referencing it) and refuses to drop the last one, the
    /// table's indexes and keys are read from `information_schema` and, in the same
    /// statement, a plain index on the columns of each key only this index served is
    /// added, named after the key as MySQL names the index it makes for one. MySQL
    /// silently drops its own index for a key when [`create_index`](Self::create_index)
    /// adds one serving the key, so dropping the index an upgrade created gives the schema
    /// back; the index added stays if an index serving the key is created again. Offline
    /// (`--sql`) the script drops the index alone: add what a key needs first.
    pub fn drop_index(&mut self, table: &str, name: &str) -> Result<()> {
        self.operation(Operation::DropIndex {
            table: table.to_owned(),
            name: name.to_owned(),
        })
    }

    /// Adds a named unique, foreign-key or check constraint. On SQLite this rebuilds the
    /// table: see the [type's docs](MigrationContext) for its triggers and views.
    pub fn add_constraint(&mut self, table: &str, constraint: Constraint) -> Result<()> {
        self.operation(Operation::AddConstraint {
            table: table.to_owned(),
            constraint,
        })
    }

    /// Drops constraint `name` of `table`. On SQLite this rebuilds the table: see the
    /// [type's docs](MigrationContext) for its triggers and views.
    ///
    /// On MySQL, dropping a foreign key also drops the index MySQL made for it when the
    /// key was added (read from `information_schema`: the index named like the key, over
    /// exactly its columns, not unique) in the same statement, unless another key still
    /// needs it, so that it undoes [`add_constraint`](Self::add_constraint). MySQL does
    /// not record which index it made: one created by hand under the key's name, over
    /// exactly its columns, goes too. Offline (`--sql`) the script drops the key alone
    /// and the index stays, as MySQL leaves it.
    pub fn drop_constraint(&mut self, table: &str, name: &str) -> Result<()> {
        self.operation(Operation::DropConstraint {
            table: table.to_owned(),
            name: name.to_owned(),
        })
    }

    /// Inserts rows (seed data). Every value is rendered as an escaped literal.
    pub fn bulk_insert<C, R, V>(
        &mut self,
        table: &str,
        columns: impl IntoIterator<Item = C>,
        rows: impl IntoIterator<Item = R>,
    ) -> Result<()>
    where
        C: Into<String>,
        R: IntoIterator<Item = V>,
        V: Into<Value>,
    {
        self.operation(Operation::BulkInsert {
            table: table.to_owned(),
            columns: columns.into_iter().map(Into::into).collect(),
            rows: rows
                .into_iter()
                .map(|row| row.into_iter().map(Into::into).collect())
                .collect(),
        })
    }

    /// Runs (or buffers, on SQLite) one operation.
    pub fn operation(&mut self, op: Operation) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return self.run(&[op]);
        }
        let batchable = matches!(
            op,
            Operation::AddColumn { .. }
                | Operation::DropColumn { .. }
                | Operation::RenameColumn { .. }
                | Operation::AlterColumn { .. }
                | Operation::CreateIndex(_)
                | Operation::DropIndex { .. }
                | Operation::AddConstraint { .. }
                | Operation::DropConstraint { .. }
        );
        let same_table = self.pending.first().and_then(Operation::table) == op.table();
        if !batchable || !same_table {
            self.flush()?;
        }
        if batchable {
            self.pending.push(op);
            Ok(())
        } else {
            self.run(&[op])
        }
    }

    /// Renders and runs the operations buffered for a SQLite rebuild now, instead of at
    /// the next operation on another table, raw SQL, connection access or the end of the
    /// migration.
    pub fn flush(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let ops = std::mem::take(&mut self.pending);
        self.run(&ops)
    }

    fn run(&mut self, ops: &[Operation]) -> Result<()> {
        match &mut self.sink {
            Sink::Online { conn, renderer } => {
                // Segment by segment: a rebuild reads the table as the statements before
                // it left it (a column renamed in place, say).
                for range in renderer.segments(ops) {
                    let ops = &ops[range];
                    #[cfg(feature = "sqlite")]
                    if let Some(table) = renderer.rebuild_table(ops) {
                        renderer.learn(crate::schema::introspect::shape_for_rebuild(conn, table)?);
                    }
                    #[cfg(feature = "mysql")]
                    for op in ops {
                        if let Operation::AlterColumn { table, column, .. } = op
                            && renderer.backend() == Backend::Mysql
                            && !renderer.knows_column(table, column)
                        {
                            renderer
                                .learn(crate::schema::introspect_mysql::table_shape(conn, table)?);
                            // Else the restatement would ask for the `existing_*` hints
                            // of an offline script.
                            if !renderer.knows_column(table, column) {
                                return Err(Error::Schema(format!(
                                    "no column `{column}` in table `{table}` to alter"
                                )));
                            }
                        }
                        if let Operation::DropColumn { table, column } = op
                            && renderer.backend() == Backend::Mysql
                        {
                            let deps = crate::schema::introspect_mysql::column_dependents(
                                conn, table, column,
                            )?;
                            renderer.learn_column_dependents(table, column, deps);
                        }
                        if renderer.backend() == Backend::Mysql {
                            match op {
                                Operation::DropIndex { table, name } => {
                                    let deps = crate::schema::introspect_mysql::index_dependents(
                                        conn, table, name,
                                    )?;
                                    renderer.learn_index_dependents(table, name, deps);
                                }
                                Operation::DropConstraint { table, name } => {
                                    let deps =
                                        crate::schema::introspect_mysql::constraint_dependents(
                                            conn, table, name,
                                        )?;
                                    renderer.learn_constraint_dependents(table, name, deps);
                                }
                                _ => {}
                            }
                        }
                    }
                    for sql in renderer.render(ops)? {
                        conn.batch_execute(&sql)
                            .map_err(|e| explain_type_change(ops, e))?;
                    }
                    #[cfg(feature = "sqlite")]
                    if let Some(table) = renderer.rebuild_table(ops) {
                        check_foreign_keys(conn, Some(table))?;
                    }
                }
            }
            Sink::Offline {
                renderer,
                statements,
            } => statements.extend(renderer.render(ops)?),
        }
        Ok(())
    }

    /// Called by the executor when the migration function returned: runs what is still
    /// buffered, and on SQLite, when the executor suspended foreign-key enforcement,
    /// checks every foreign key.
    pub(crate) fn finish(mut self, check_all_foreign_keys: bool) -> Result<()> {
        self.flush()?;
        #[cfg(feature = "sqlite")]
        if let Sink::Online { conn, .. } = &mut self.sink
            && check_all_foreign_keys
        {
            check_foreign_keys(conn, None)?;
        }
        let _ = check_all_foreign_keys;
        Ok(())
    }
}

/// PostgreSQL's refusal to convert a column to a new type, with what to do about it in
/// this API: its own hint names a `USING` clause or a default no [`AlterColumn`] change
/// can write. Other errors pass unchanged, and so do these from a server whose messages
/// are not in English (diesel gives no SQLSTATE to match instead).
fn explain_type_change(ops: &[Operation], err: diesel::result::Error) -> Error {
    let [
        Operation::AlterColumn {
            table,
            column,
            change,
        },
    ] = ops
    else {
        return err.into();
    };
    let Some(ty) = &change.ty else {
        return err.into();
    };
    let message = err.to_string();
    if !message.contains("cannot be cast automatically") {
        return err.into();
    }
    let fix = if message.starts_with("default for column") {
        "give the new default in the same change (`AlterColumn::default`) or drop it \
         (`AlterColumn::drop_default`)"
    } else if matches!(ty, crate::schema::ColumnType::Custom(_)) {
        "a custom type is converted without `USING`: convert the column with raw SQL \
         (`ctx.execute(\"ALTER TABLE ... ALTER COLUMN ... TYPE ... USING ...\")`)"
    } else {
        return err.into();
    };
    Error::Schema(format!(
        "cannot change the type of `{table}.{column}`: {}; {fix}",
        Error::from(err)
    ))
}

#[cfg(feature = "sqlite")]
#[derive(diesel::QueryableByName)]
struct Violation {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    rowid: Option<i64>,
    #[diesel(sql_type = diesel::sql_types::Text)]
    parent: String,
}

/// SQLite: fails when a row of `table` (of any table when `None`) references a missing
/// parent row.
#[cfg(feature = "sqlite")]
fn check_foreign_keys(conn: &mut AnyConnection, table: Option<&str>) -> Result<()> {
    use diesel::RunQueryDsl;
    if conn.backend() != Backend::Sqlite {
        return Ok(());
    }
    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    let check = |conn: &mut AnyConnection, t: &str| {
        diesel::sql_query(format!(
            "PRAGMA foreign_key_check(\"{}\")",
            t.replace('"', "\"\"")
        ))
        .load::<Violation>(conn)
    };
    let violations = match table {
        // The rebuilt table's own references, and those of the tables referencing it:
        // a key they reference may be gone (a dropped unique constraint), which SQLite
        // reports only when the referencing table is checked.
        Some(t) => {
            let mut found = check(conn, t)?;
            let referencing = diesel::sql_query(
                "SELECT DISTINCT m.name AS name FROM sqlite_master m, \
                 pragma_foreign_key_list(m.name) f \
                 WHERE m.type = 'table' AND f.\"table\" = ? COLLATE NOCASE AND m.name <> ?",
            )
            .bind::<diesel::sql_types::Text, _>(t)
            .bind::<diesel::sql_types::Text, _>(t)
            .load::<Name>(conn)?;
            for other in referencing {
                found.extend(check(conn, &other.name)?);
            }
            found
        }
        None => diesel::sql_query("PRAGMA foreign_key_check").load::<Violation>(conn)?,
    };
    if let Some(v) = violations.first() {
        return Err(Error::Schema(format!(
            "foreign key violation: row {} of `{}` references a missing row of `{}` ({} violation{} in all)",
            v.rowid.map_or_else(|| "?".to_owned(), |r| r.to_string()),
            v.table,
            v.parent,
            violations.len(),
            if violations.len() == 1 { "" } else { "s" }
        )));
    }
    Ok(())
}
