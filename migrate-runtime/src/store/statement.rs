//! [`Statement`]: raw SQL with bound values that the connection may keep prepared.

use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Nullable, Text, Untyped};
use diesel::{QueryResult, RunQueryDsl};

use crate::AnyConnection;

/// The backend of [`AnyConnection`].
type Db = <AnyConnection as diesel::Connection>::Backend;

/// A value bound to one `?` of a [`Statement`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bind<'a> {
    /// `TEXT NOT NULL`.
    Text(&'a str),
    /// Nullable `TEXT`.
    NullableText(Option<&'a str>),
    /// `BIGINT NOT NULL`.
    BigInt(i64),
    /// Nullable `BIGINT`.
    NullableBigInt(Option<i64>),
}

/// Raw SQL with `?` markers and one bound value per marker.
///
/// `diesel::sql_query` opts out of diesel's prepared-statement cache. A `Statement` does
/// not: the connection keeps it prepared, keyed by its text and bind types. The
/// bookkeeping statements of a run have the same text at every step (every value is
/// bound, the table names are validated and fixed for the run), so PostgreSQL parses and
/// plans each of them once per connection instead of once per migration, and MySQL saves
/// the round trips that prepare and close a statement. The text must not contain `?`
/// other than the markers: the table names spliced in are validated to letters, digits,
/// `_` and `.`.
#[derive(Debug, Clone)]
pub(crate) struct Statement<'a> {
    sql: String,
    binds: Vec<Bind<'a>>,
}

impl<'a> Statement<'a> {
    /// `sql` with `binds`, in marker order.
    pub(crate) fn new(sql: String, binds: Vec<Bind<'a>>) -> Self {
        debug_assert_eq!(
            sql.matches('?').count(),
            binds.len(),
            "one bound value per `?` in {sql}"
        );
        Self { sql, binds }
    }
}

impl QueryFragment<Db> for Statement<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Db>) -> QueryResult<()> {
        let mut pieces = self.sql.split('?');
        // `split` yields at least one piece, the text before the first marker.
        out.push_sql(pieces.next().unwrap_or_default());
        let mut binds = self.binds.iter();
        for piece in pieces {
            let Some(bind) = binds.next() else {
                return Err(mismatch(&self.sql));
            };
            // The backend writes its own placeholder (`$n` on PostgreSQL, `?` elsewhere).
            match bind {
                Bind::Text(v) => out.push_bind_param::<Text, _>(v)?,
                Bind::NullableText(v) => out.push_bind_param::<Nullable<Text>, _>(v)?,
                Bind::BigInt(v) => out.push_bind_param::<BigInt, _>(v)?,
                Bind::NullableBigInt(v) => out.push_bind_param::<Nullable<BigInt>, _>(v)?,
            }
            out.push_sql(piece);
        }
        if binds.next().is_some() {
            return Err(mismatch(&self.sql));
        }
        Ok(())
    }
}

fn mismatch(sql: &str) -> diesel::result::Error {
    diesel::result::Error::QueryBuilderError(
        format!("internal error: bound values do not match the markers of `{sql}`").into(),
    )
}

/// The text varies, so there is no static id: the cache keys the statement by its text.
impl QueryId for Statement<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

/// Rows come back untyped, read by name (`QueryableByName`), as with `sql_query`.
impl Query for Statement<'_> {
    type SqlType = Untyped;
}

impl RunQueryDsl<AnyConnection> for Statement<'_> {}
