//! The chunked `IN (...)` read the imports share, written once and compiled for each backend
//! (see `backend.rs`): a list of any length is read in statements of at most the backend's
//! parameter limit.

use super::{Conn, DB, DbRow, chunk_rows};
use crate::Result;

/// The rows that `head`, a query ending in `IN (`, selects for `values`: one statement per chunk
/// of values, each read as `T` (a `FromRow` record or tuple; a stored value that does not read is
/// `StoreError::Internal` naming its column).
pub async fn fetch_in<'v, T, V>(conn: &mut Conn, head: &str, values: &'v [V]) -> Result<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, DbRow> + Send + Unpin,
    V: 'v + sqlx::Encode<'v, DB> + sqlx::Type<DB> + Copy + Send,
{
    let mut out = Vec::new();
    for chunk in values.chunks(chunk_rows(1)) {
        let mut q = sqlx::QueryBuilder::<DB>::new(head);
        let mut list = q.separated(", ");
        for v in chunk {
            list.push_bind(*v);
        }
        q.push(")");
        out.extend(q.build_query_as::<T>().persistent(false).fetch_all(&mut *conn).await?);
    }
    Ok(out)
}
