//! MySQL and MariaDB: no transactional DDL (every DDL statement commits implicitly), and a
//! named lock through `GET_LOCK`. Named locks are server-wide, so the name includes the
//! current database.
//!
//! While it holds the lock a run turns `autocommit` off. A migration's DDL commits
//! implicitly and would leave the session in autocommit, so that every bookkeeping
//! statement after it committed on its own; with autocommit off they open a transaction
//! that the executor commits once, together with the next migration's `running` row. Writes
//! outside a diesel transaction are committed with [`Dialect::commit_loose`]; `unlock`
//! turns autocommit back on (which commits anything left) before releasing the lock.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl};

use super::{Dialect, Lock};
use crate::{AnyConnection, Error, Result};

/// The MySQL dialect.
pub(crate) struct Mysql;

#[derive(QueryableByName)]
struct LockResult {
    #[diesel(sql_type = Nullable<BigInt>)]
    ok: Option<i64>,
}

#[derive(QueryableByName)]
struct LockAndAutocommit {
    #[diesel(sql_type = Nullable<BigInt>)]
    ok: Option<i64>,
    #[diesel(sql_type = BigInt)]
    autocommit: i64,
    #[diesel(sql_type = Nullable<Text>)]
    db: Option<String>,
    /// The lock's name, as the statement computed it.
    #[diesel(sql_type = Text)]
    name: String,
    /// The session's `CONNECTION_ID()`, see [`Lock::session`].
    #[diesel(sql_type = BigInt)]
    session: i64,
}

/// The connection holding a named lock, as the process list shows it.
#[derive(QueryableByName)]
struct Holder {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Nullable<Text>)]
    user_host: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    command: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    seconds: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    query: Option<String>,
}

/// The connection holding the lock named `name`, for people: `connection 42 (app@10.0.0.7,
/// Query for 12 s: `ALTER TABLE ...`)`. `None` when it cannot be read (or was just released).
/// The session of a run whose process was killed keeps the lock until the statement it was
/// executing ends, and nothing else says which connection to wait for or to end.
fn lock_holder(conn: &mut AnyConnection, name: &str) -> Option<String> {
    let holder = diesel::sql_query(
        "SELECT CAST(p.ID AS SIGNED) AS id, CONCAT(p.USER, '@', p.HOST) AS user_host, \
         p.COMMAND AS command, CAST(p.TIME AS SIGNED) AS seconds, \
         LEFT(p.INFO, 100) AS query \
         FROM information_schema.PROCESSLIST p WHERE p.ID = IS_USED_LOCK(?)",
    )
    .bind::<Text, _>(name)
    .get_result::<Holder>(conn)
    .ok()?;
    let mut about = Vec::new();
    if let Some(user_host) = holder.user_host {
        about.push(user_host);
    }
    if let (Some(command), Some(seconds)) = (holder.command, holder.seconds) {
        about.push(format!("{command} for {seconds} s"));
    }
    Some(super::describe_holder(
        format!("connection {}", holder.id),
        &about,
        holder.query.as_deref(),
    ))
}

/// The name of the lock of the version table `key` (bound at the `?`): a hash of the
/// table's full name, `database.table`, so that every runner of one version table takes the
/// same lock whether it names the database or its connection selected it, and at most 64
/// characters whatever the names are. Where the server compares table and database names
/// without case (`lower_case_table_names` 1 or 2, the Windows and macOS defaults),
/// `App.migrate_version` and `app.MIGRATE_VERSION` are one table, so the full name is hashed
/// in lower case there; elsewhere as written, as before, since the case then tells tables
/// apart. It is computed once, by the statement taking the lock, and kept in [`Lock::name`]
/// for the release: a migration's `USE` changes `DATABASE()`, and with no database
/// selected at the start nothing can select "none" again.
fn lock_name(key: &str) -> String {
    let qualified = if key.contains('.') {
        // Typed as text: MySQL 8 fixes a parameter's type when it prepares the statement.
        "CAST(? AS CHAR)"
    } else {
        "CONCAT(COALESCE(DATABASE(), ''), '.', ?)"
    };
    format!(
        "(SELECT CONCAT('migrate:', SHA1(CASE WHEN @@lower_case_table_names = 0 \
         THEN k.qualified ELSE LOWER(k.qualified) END)) AS name \
         FROM (SELECT {qualified} AS qualified) AS k)"
    )
}

impl Dialect for Mysql {
    fn transactional_ddl(&self) -> bool {
        false
    }

    fn create_version_table(&self, table: &str) -> String {
        crate::offline::version_table_ddl(crate::Backend::Mysql, table)
    }

    fn create_history_table(&self, table: &str) -> String {
        crate::offline::history_table_ddl(crate::Backend::Mysql, table)
    }

    fn last_insert_id(&self) -> &'static str {
        "SELECT CAST(LAST_INSERT_ID() AS SIGNED) AS id"
    }

    fn is_missing_table(&self, err: &diesel::result::Error) -> bool {
        let text = super::error_text(err);
        text.starts_with("Table ") && text.ends_with("doesn't exist")
    }

    fn lock(
        &self,
        conn: &mut AnyConnection,
        key: &str,
        [version, history]: [&str; 2],
        timeout: Duration,
        waiting: &mut dyn FnMut(&str),
    ) -> Result<Lock> {
        let what = |conn: &mut AnyConnection, name: &str| {
            let mut what = format!("the MySQL named lock for `{key}` (GET_LOCK)");
            if let Some(holder) = lock_holder(conn, name) {
                what.push_str(&format!(", held by {holder}"));
            }
            what
        };
        // The current database comes with the lock: an unqualified name means a table of
        // it, and a migration may `USE` another one, after which the run's bookkeeping must
        // still go to the tables it read. So does the lock's name, computed by the
        // statement taking it (no round trip of its own), for the release, and the
        // connection id, which the CLI cancels the statement of on a second signal.
        const SELECT: &str = "SELECT CAST(GET_LOCK(n.name, ?) AS SIGNED) AS ok, \
             CAST(@@autocommit AS SIGNED) AS autocommit, DATABASE() AS db, n.name AS name, \
             CAST(CONNECTION_ID() AS SIGNED) AS session";
        // At once first, so that a wait can be announced before it starts.
        let name = lock_name(key);
        let mut got = diesel::sql_query(format!("{SELECT} FROM {name} AS n"))
            .bind::<BigInt, _>(0)
            .bind::<Text, _>(key)
            .get_result::<LockAndAutocommit>(conn)?;
        if got.ok != Some(1) {
            waiting(&what(conn, &got.name));
            // Whole seconds, rounded up so that a short timeout still waits.
            let seconds = i64::try_from(timeout.as_secs() + u64::from(timeout.subsec_nanos() > 0))
                .unwrap_or(i64::MAX);
            // Typed as text: MySQL 8 fixes a parameter's type when it prepares the statement.
            got = diesel::sql_query(format!(
                "{SELECT} FROM (SELECT CAST(? AS CHAR) AS name) AS n"
            ))
            .bind::<BigInt, _>(seconds)
            .bind::<Text, _>(&got.name)
            .get_result::<LockAndAutocommit>(conn)?;
        }
        let name = got.name.clone();
        match got.ok {
            Some(1) => {
                let autocommit_was_on = got.autocommit == 1;
                if autocommit_was_on && let Err(err) = conn.batch_execute("SET autocommit = 0") {
                    let taken = Lock {
                        name: Some(name),
                        ..Lock::default()
                    };
                    let _ = self.unlock(conn, key, taken);
                    return Err(err.into());
                }
                let schema = |table: &str| got.db.clone().filter(|_| !table.contains('.'));
                Ok(Lock {
                    held_for_run: true,
                    autocommit_was_on,
                    schemas: [schema(version), schema(history)],
                    database: got.db.clone(),
                    name: Some(name),
                    session: Some(got.session),
                    ..Lock::default()
                })
            }
            _ => Err(Error::LockTimeout {
                waited: timeout,
                what: what(conn, &name),
            }),
        }
    }

    fn unlock(&self, conn: &mut AnyConnection, _key: &str, lock: Lock) -> Result<()> {
        // Before the release, so that whatever it commits is written under the lock: the
        // database the run found, selected again in the same round trip (a migration's
        // `USE` ends with the run, as it would with a connection of its own). The release
        // names the lock as taken, whether or not this succeeds.
        let mut restore = Vec::new();
        if lock.autocommit_was_on {
            restore.push("SET autocommit = 1".to_owned());
        }
        if let Some(db) = &lock.database {
            restore.push(format!(
                "USE {}",
                super::quote_ident(crate::Backend::Mysql, db)
            ));
        }
        let restored = if restore.is_empty() {
            Ok(())
        } else {
            conn.batch_execute(&restore.join("; "))
        };
        // 0 or NULL would mean the lock was no longer ours: nothing left to release.
        if let Some(name) = &lock.name {
            let _released = diesel::sql_query("SELECT CAST(RELEASE_LOCK(?) AS SIGNED) AS ok")
                .bind::<Text, _>(name)
                .get_result::<LockResult>(conn)?
                .ok;
        }
        restored?;
        Ok(())
    }

    fn commit_loose(&self, conn: &mut AnyConnection) -> Result<()> {
        conn.batch_execute("COMMIT")?;
        Ok(())
    }
}
