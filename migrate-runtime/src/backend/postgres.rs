//! PostgreSQL: transactional DDL, and a session-level advisory lock whose key is derived
//! from the version table's name (advisory locks are scoped to the current database).

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::sql_types::{BigInt, Integer, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl};

use super::{Dialect, Lock};
use crate::{AnyConnection, Error, Result};

#[derive(QueryableByName)]
struct LockResult {
    #[diesel(sql_type = Integer)]
    ok: i32,
    #[diesel(sql_type = Nullable<Text>)]
    version_schema: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    history_schema: Option<String>,
    #[diesel(sql_type = Text)]
    search_path: String,
    #[diesel(sql_type = BigInt)]
    session: i64,
}

/// The session holding an advisory lock, as `pg_stat_activity` shows it.
#[derive(QueryableByName)]
struct Holder {
    #[diesel(sql_type = Integer)]
    pid: i32,
    #[diesel(sql_type = Nullable<Text>)]
    application: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    client: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    state: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    since: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    query: Option<String>,
}

/// The PostgreSQL dialect.
pub(crate) struct Postgres;

/// An expression giving the schema that `table` (validated, as configured) resolves to
/// under the session's `search_path`: the schema of the table it names, when one exists,
/// else the one a `CREATE TABLE` would create it in (`current_schema()`, `NULL` when no
/// schema of the path exists); `NULL` for a name that gives its schema.
fn schema_of(table: &str) -> String {
    if table.contains('.') {
        return "NULL::text".to_owned();
    }
    // Quoted, as the bookkeeping statements quote it: the case is kept. The name is
    // validated to letters, digits and `_`, so it is safe inside the literal.
    format!(
        "COALESCE((SELECT n.nspname::text FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.oid = pg_catalog.to_regclass('\"{table}\"')), \
         pg_catalog.current_schema()::text)"
    )
}

/// The advisory lock key of a version table.
fn lock_key(key: &str) -> i64 {
    // Reinterpreting the bits is the point: any stable 64-bit value is a valid key.
    fnv1a(format!("migrate:{key}").as_bytes()) as i64
}

impl Dialect for Postgres {
    fn transactional_ddl(&self) -> bool {
        true
    }

    fn create_version_table(&self, table: &str) -> String {
        crate::offline::version_table_ddl(crate::Backend::Postgres, table)
    }

    fn create_history_table(&self, table: &str) -> String {
        crate::offline::history_table_ddl(crate::Backend::Postgres, table)
    }

    fn last_insert_id(&self) -> &'static str {
        "SELECT lastval() AS id"
    }

    fn is_missing_table(&self, err: &diesel::result::Error) -> bool {
        let text = super::error_text(err);
        text.starts_with("relation ") && text.ends_with("does not exist")
    }

    fn lock(
        &self,
        conn: &mut AnyConnection,
        key: &str,
        [version, history]: [&str; 2],
        timeout: Duration,
        waiting: &mut dyn FnMut(&str),
    ) -> Result<Lock> {
        // Polling `pg_try_advisory_lock` honours our timeout without touching the
        // session's `lock_timeout`, which belongs to the application. The same statement
        // reads where the bookkeeping tables are and the `search_path` that found them:
        // a migration may change the path (`SET LOCAL search_path TO app` is how typed
        // operations reach another schema), and the run's bookkeeping, written after the
        // migration's code, must still go to the tables it read. And the session's
        // backend process, which the CLI cancels the statement of on a second signal.
        let sql = format!(
            "SELECT CASE WHEN pg_try_advisory_lock({}) THEN 1 ELSE 0 END AS ok, \
             {} AS version_schema, {} AS history_schema, \
             pg_catalog.current_setting('search_path') AS search_path, \
             CAST(pg_catalog.pg_backend_pid() AS BIGINT) AS session",
            lock_key(key),
            schema_of(version),
            schema_of(history),
        );
        // Who holds it, read when the wait starts and again when it ends: the session of a
        // run whose process was killed keeps the lock until the statement it was executing
        // ends (the server notices a lost client only then), and nothing else says which
        // session to wait for or to end.
        let what = |conn: &mut AnyConnection| {
            let mut what = format!("the PostgreSQL advisory lock for `{key}`");
            if let Some(holder) = lock_holder(conn, key) {
                what.push_str(&format!(", held by {holder}"));
            }
            what
        };
        let deadline = Instant::now() + timeout;
        let mut pause = Duration::from_millis(5);
        let mut first = true;
        loop {
            let got = diesel::sql_query(&sql).get_result::<LockResult>(conn)?;
            if got.ok == 1 {
                return Ok(Lock {
                    held_for_run: true,
                    schemas: [got.version_schema, got.history_schema],
                    search_path: Some(got.search_path),
                    session: Some(got.session),
                    ..Lock::default()
                });
            }
            if std::mem::take(&mut first) {
                waiting(&what(conn));
            }
            if Instant::now() >= deadline {
                return Err(Error::LockTimeout {
                    waited: timeout,
                    what: what(conn),
                });
            }
            std::thread::sleep(pause.min(deadline.saturating_duration_since(Instant::now())));
            pause = (pause * 2).min(Duration::from_millis(100));
        }
    }

    fn unlock(&self, conn: &mut AnyConnection, key: &str, lock: Lock) -> Result<()> {
        let unlock = format!("SELECT pg_advisory_unlock({})", lock_key(key));
        match lock.search_path {
            // The path as the run found it, in the same round trip: a migration's
            // session-wide `SET search_path` ends with the run, as it would with a
            // connection of its own, and the next run on this connection (a pool's) finds
            // the tables where this one did. Outside any transaction, so for the session.
            Some(path) => {
                diesel::sql_query(format!(
                    "{unlock}, pg_catalog.set_config('search_path', $1, false)"
                ))
                .bind::<Text, _>(path)
                .execute(conn)?;
            }
            None => conn.batch_execute(&unlock)?,
        }
        Ok(())
    }
}

/// The session holding the advisory lock of `key`, for people: `session 4242 (psql, from
/// 10.0.0.7, active since 2024-05-01T12:00:00Z: `CREATE INDEX ...`)`. `None` when it
/// cannot be read (or was just released). A bigint advisory key shows in `pg_locks` as its
/// high half in `classid` and its low half in `objid`, with `objsubid` 1.
fn lock_holder(conn: &mut AnyConnection, key: &str) -> Option<String> {
    let key = lock_key(key) as u64;
    let holder = diesel::sql_query(
        "SELECT a.pid, NULLIF(a.application_name, '') AS application, \
         COALESCE(host(a.client_addr), 'a local socket') AS client, a.state, \
         to_char(a.state_change AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS since, \
         left(a.query, 100) AS query \
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
         WHERE l.locktype = 'advisory' AND l.granted AND l.database = \
         (SELECT oid FROM pg_database WHERE datname = current_database()) \
         AND l.classid::bigint = $1 AND l.objid::bigint = $2 AND l.objsubid = 1 \
         AND l.pid <> pg_backend_pid() LIMIT 1",
    )
    .bind::<BigInt, _>((key >> 32) as i64)
    .bind::<BigInt, _>((key & 0xffff_ffff) as i64)
    .get_result::<Holder>(conn)
    .ok()?;
    let mut about = Vec::new();
    if let Some(application) = holder.application {
        about.push(application);
    }
    if let Some(client) = holder.client {
        about.push(format!("from {client}"));
    }
    if let (Some(state), Some(since)) = (holder.state, holder.since) {
        about.push(format!("{state} since {since}"));
    }
    Some(super::describe_holder(
        format!("session {}", holder.pid),
        &about,
        holder.query.as_deref(),
    ))
}

/// A 64-bit FNV-1a hash: a stable lock key across processes, versions and platforms
/// (std's hashers are neither).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_reference_vectors() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
