//! PostgreSQL: transactional DDL, and a session-level advisory lock whose key is derived
//! from the version table's name (advisory locks are scoped to the current database).

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::sql_types::Integer;
use diesel::{QueryableByName, RunQueryDsl};

use super::{Dialect, Lock};
use crate::{AnyConnection, Error, Result};

#[derive(QueryableByName)]
struct LockResult {
    #[diesel(sql_type = Integer)]
    ok: i32,
}

/// The PostgreSQL dialect.
pub(crate) struct Postgres;

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
        timeout: Duration,
        waiting: &mut dyn FnMut(&str),
    ) -> Result<Lock> {
        // Polling `pg_try_advisory_lock` honours our timeout without touching the
        // session's `lock_timeout`, which belongs to the application.
        let sql = format!(
            "SELECT CASE WHEN pg_try_advisory_lock({}) THEN 1 ELSE 0 END AS ok",
            lock_key(key)
        );
        let what = || format!("the PostgreSQL advisory lock for `{key}`");
        let deadline = Instant::now() + timeout;
        let mut pause = Duration::from_millis(5);
        let mut first = true;
        loop {
            if diesel::sql_query(&sql).get_result::<LockResult>(conn)?.ok == 1 {
                return Ok(Lock {
                    held_for_run: true,
                    ..Lock::default()
                });
            }
            if std::mem::take(&mut first) {
                waiting(&what());
            }
            if Instant::now() >= deadline {
                return Err(Error::LockTimeout {
                    waited: timeout,
                    what: what(),
                });
            }
            std::thread::sleep(pause.min(deadline.saturating_duration_since(Instant::now())));
            pause = (pause * 2).min(Duration::from_millis(100));
        }
    }

    fn unlock(&self, conn: &mut AnyConnection, key: &str, _lock: Lock) -> Result<()> {
        conn.batch_execute(&format!("SELECT pg_advisory_unlock({})", lock_key(key)))?;
        Ok(())
    }
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
