//! MySQL and MariaDB: no transactional DDL (every DDL statement commits implicitly), and a
//! named lock through `GET_LOCK`. Named locks are server-wide, so the name includes the
//! current database.

use std::time::Duration;

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

/// The lock name: at most 64 characters whatever the database and table names are.
const LOCK_NAME: &str = "CONCAT('migrate:', SHA1(CONCAT(COALESCE(DATABASE(), ''), '.', ?)))";

impl Dialect for Mysql {
    fn placeholder(&self, _n: usize) -> String {
        "?".into()
    }

    fn transactional_ddl(&self) -> bool {
        false
    }

    fn session_lock(&self) -> bool {
        true
    }

    fn create_version_table(&self, table: &str) -> String {
        crate::offline::version_table_ddl(crate::Backend::Mysql, table)
    }

    fn create_history_table(&self, table: &str) -> String {
        crate::offline::history_table_ddl(crate::Backend::Mysql, table)
    }

    fn is_missing_table(&self, err: &diesel::result::Error) -> bool {
        let text = super::error_text(err);
        text.starts_with("Table ") && text.ends_with("doesn't exist")
    }

    fn lock(&self, conn: &mut AnyConnection, key: &str, timeout: Duration) -> Result<Lock> {
        let got = diesel::sql_query(format!(
            "SELECT CAST(GET_LOCK({LOCK_NAME}, ?) AS SIGNED) AS ok"
        ))
        .bind::<Text, _>(key)
        // Whole seconds, rounded up so that a short timeout still waits.
        .bind::<BigInt, _>(
            i64::try_from(timeout.as_secs() + u64::from(timeout.subsec_nanos() > 0))
                .unwrap_or(i64::MAX),
        )
        .get_result::<LockResult>(conn)?;
        match got.ok {
            Some(1) => Ok(Lock::default()),
            _ => Err(Error::LockTimeout {
                waited: timeout,
                what: format!("the MySQL named lock for `{key}` (GET_LOCK)"),
            }),
        }
    }

    fn unlock(&self, conn: &mut AnyConnection, key: &str, _lock: Lock) -> Result<()> {
        diesel::sql_query(format!(
            "SELECT CAST(RELEASE_LOCK({LOCK_NAME}) AS SIGNED) AS ok"
        ))
        .bind::<Text, _>(key)
        .get_result::<LockResult>(conn)?;
        Ok(())
    }
}
