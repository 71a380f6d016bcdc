//! The two backends. Every area's SQL is written once, in `<area>/sql.rs`, and compiled twice as
//! a real module: once inside [`sqlite`] and once inside [`postgres`], each of which defines the
//! `DB` type and the few helpers whose SQL differs between the backends. `use super::{DB, ...}`
//! in a `sql.rs` reaches the items of the backend module it is compiled in; `super::audit` and
//! the like reach the other areas compiled for the same backend.
//!
//! The public methods of [`crate::Store`] dispatch to one of the two copies with [`on_read!`] and
//! [`on_write!`].

use time::OffsetDateTime;

/// Microseconds since the Unix epoch.
pub(crate) fn micros(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000) as i64
}

/// Rows per multi-row statement of `columns` parameters each, under a backend's `max_binds`.
pub(crate) fn rows_per_statement(max_binds: usize, columns: usize) -> usize {
    (max_binds / columns.max(1)).max(1)
}

/// Mount every area's `sql.rs` inside the backend module this is expanded in (the paths are
/// relative to `src/`, the directory the `#[path = "."]` on the backend module names).
macro_rules! areas {
    () => {
        #[path = "accounts/sql.rs"]
        pub mod accounts;
        #[path = "approvals/sql.rs"]
        pub mod approvals;
        #[path = "apps/sql.rs"]
        pub mod apps;
        #[path = "audit/sql.rs"]
        pub mod audit;
        #[path = "chunked.rs"]
        pub mod chunked;
        #[path = "comments/sql.rs"]
        pub mod comments;
        #[path = "comments/workflow_sql.rs"]
        pub mod comments_workflow;
        #[path = "dashboard/sql.rs"]
        pub mod dashboard;
        #[path = "data_protection/sql.rs"]
        pub mod data_protection;
        #[path = "data_protection/export_sql.rs"]
        pub mod data_protection_export;
        #[path = "declarations/sql.rs"]
        pub mod declarations;
        #[path = "devices/sql.rs"]
        pub mod devices;
        #[path = "devices/mdm_sql.rs"]
        pub mod devices_mdm;
        #[path = "email/sql.rs"]
        pub mod email;
        #[path = "findings/sql.rs"]
        pub mod findings;
        #[path = "leases/sql.rs"]
        pub mod leases;
        #[path = "monitoring/sql.rs"]
        pub mod monitoring;
        #[path = "overseas/sql.rs"]
        pub mod overseas;
        #[path = "people/sql.rs"]
        pub mod people;
        #[path = "policy/sql.rs"]
        pub mod policy;
        #[path = "policy/campaign_sql.rs"]
        pub mod policy_campaigns;
        #[path = "posts/sql.rs"]
        pub mod posts;
        #[path = "screening/sql.rs"]
        pub mod screening;
        #[path = "social_accounts/sql.rs"]
        pub mod social_accounts;
        #[path = "usage/sql.rs"]
        pub mod usage;
        #[path = "vault/sql.rs"]
        pub mod vault;
    };
}

/// What both backend modules define the same way from their `DB` and `MAX_BINDS`, and every
/// area's `sql.rs` mounted inside them.
macro_rules! backend_common {
    () => {
        pub(crate) use super::micros;

        /// Rows per multi-row statement of `columns` parameters each.
        pub fn chunk_rows(columns: usize) -> usize {
            super::rows_per_statement(MAX_BINDS, columns)
        }

        pub type Tx<'a> = sqlx::Transaction<'a, DB>;
        pub type DbRow = <DB as sqlx::Database>::Row;
        pub type Conn = <DB as sqlx::Database>::Connection;

        areas!();
    };
}

/// A feature's `EFFECT` (see `approvals::Effect`, in an area's `sql.rs`): what deciding a request
/// of `kind` does to the feature's own record inside the deciding transaction, written as the
/// body of an `async` step taking the transaction, the decision, the actor and the time.
macro_rules! approval_effect {
    ($(#[$doc:meta])* kind: $kind:expr, run: |$tx:ident, $d:ident, $actor:ident, $now:ident| $body:expr $(,)?) => {
        $(#[$doc])*
        pub const EFFECT: approvals::Effect = approvals::Effect { kind: $kind, run: run_effect };

        fn run_effect<'a>(
            $tx: &'a mut Tx<'_>,
            $d: &'a Decided,
            $actor: &'a Actor,
            $now: OffsetDateTime,
        ) -> approvals::EffectFuture<'a> {
            Box::pin($body)
        }
    };
}

/// The SQL compiled for SQLite.
// The same files are compiled once per backend, on purpose.
#[allow(clippy::duplicate_mod)]
#[path = "."]
pub(crate) mod sqlite {
    use sqlx::Pool;
    use uuid::Uuid;

    pub type DB = sqlx::Sqlite;
    backend_common!();

    /// SQLite takes the write lock with the first write; the single writer connection orders them.
    pub const LOCK_HEAD: &str = "SELECT size, frontier, chain FROM audit_head WHERE id = 1";
    /// Appended to a SELECT that must lock the rows it reads until the commit: nothing here, as
    /// `BEGIN IMMEDIATE` already holds the database's one write lock.
    pub const ROW_LOCK: &str = "";
    /// The column type of ids in temporary tables (apps evaluation).
    pub const UUID_SQL: &str = "BLOB";
    /// For a transaction that rewrites a large part of a table (re-attribution): a page cache
    /// large enough that SQLite does not write the same pages out again and again, and the
    /// default to go back to before it commits.
    pub const BULK_CACHE: Option<(&str, &str)> = Some(("PRAGMA cache_size = -131072", "PRAGMA cache_size = -2000"));
    /// The most parameters one statement may bind (SQLite's `SQLITE_MAX_VARIABLE_NUMBER`).
    pub const MAX_BINDS: usize = 32_766;

    /// Begin a write transaction. `BEGIN IMMEDIATE` takes SQLite's write lock at once, waiting up
    /// to the busy timeout: the writer pool is not the only writer (the bulk usage import writes on
    /// a connection of its own), and a deferred transaction that reads before it writes fails at
    /// once with "database is locked" if another connection committed in between.
    pub async fn begin_write(pool: &Pool<DB>) -> Result<Tx<'static>, sqlx::Error> {
        pool.begin_with("BEGIN IMMEDIATE").await
    }

    /// Begin a read transaction: under WAL, every read in it sees the one snapshot its first read
    /// took.
    pub async fn begin_read(pool: &Pool<DB>) -> Result<Tx<'static>, sqlx::Error> {
        pool.begin().await
    }

    /// An id written into SQL text (for a list of ids the query can filter on).
    pub fn uuid_literal(u: &Uuid) -> String {
        format!("X'{}'", hex::encode(u.as_bytes()))
    }
}

/// The SQL compiled for PostgreSQL.
// The same files are compiled once per backend, on purpose.
#[allow(clippy::duplicate_mod)]
#[path = "."]
pub(crate) mod postgres {
    use sqlx::Pool;
    use uuid::Uuid;

    pub type DB = sqlx::Postgres;
    backend_common!();

    /// The row lock orders concurrent appends to the audit tree.
    pub const LOCK_HEAD: &str = "SELECT size, frontier, chain FROM audit_head WHERE id = 1 FOR UPDATE";
    /// Appended to a SELECT that must lock the rows it reads until the commit (so that a count
    /// and the insert that depends on it are not raced by another transaction). NO KEY: inserts
    /// that only refer to the row (foreign keys take KEY SHARE) are not held up.
    pub const ROW_LOCK: &str = " FOR NO KEY UPDATE";
    /// The column type of ids in temporary tables (apps evaluation).
    pub const UUID_SQL: &str = "UUID";
    /// PostgreSQL's buffer cache is the server's: nothing to set per transaction.
    pub const BULK_CACHE: Option<(&str, &str)> = None;
    /// The most parameters one statement may bind (the protocol's 16-bit count).
    pub const MAX_BINDS: usize = 65_535;

    /// Begin a write transaction (row locks order PostgreSQL's writers).
    pub async fn begin_write(pool: &Pool<DB>) -> Result<Tx<'static>, sqlx::Error> {
        pool.begin().await
    }

    /// Begin a read transaction in which every read sees one snapshot.
    pub async fn begin_read(pool: &Pool<DB>) -> Result<Tx<'static>, sqlx::Error> {
        pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").await
    }

    /// An id written into SQL text (for a list of ids the query can filter on).
    pub fn uuid_literal(u: &Uuid) -> String {
        format!("'{u}'::uuid")
    }
}

/// Dispatch a call to the backend's copy of an area's SQL on the reading pool:
/// `on_read!(self, people::by_id(id))` runs `backend::sqlite::people::by_id(read_pool, id)` or
/// `backend::postgres::people::by_id(pool, id)`. On PostgreSQL a read that fails with a
/// serialization failure or deadlock runs again (see `retry.rs`): PostgreSQL's own read-only
/// snapshots never do, but the distributed engines (CockroachDB restarts a read that meets an
/// uncertain write with SQLSTATE 40001) do. Each attempt gets its own copy of every argument, as
/// in [`on_write!`]. SQLite's readers never conflict, so their reads run once. A read that streams
/// rows into a callback, which a second attempt would feed twice, uses [`on_read_once!`].
macro_rules! on_read {
    ($self:expr, $area:ident :: $f:ident ( $($arg:expr),* $(,)? )) => {
        match &$self.db {
            $crate::Db::Sqlite { read, .. } => $crate::backend::sqlite::$area::$f(read, $($arg),*).await,
            $crate::Db::Postgres(p) => {
                $crate::retry::retrying(|| {
                    $crate::backend::postgres::$area::$f(p, $($crate::retry::Again::again(&$arg)),*)
                })
                .await
            }
        }
    };
}

/// [`on_read!`] without the retry, for a read that streams rows into a callback (a second
/// attempt would feed the callback the rows it already had).
macro_rules! on_read_once {
    ($self:expr, $area:ident :: $f:ident ( $($arg:expr),* $(,)? )) => {
        match &$self.db {
            $crate::Db::Sqlite { read, .. } => $crate::backend::sqlite::$area::$f(read, $($arg),*).await,
            $crate::Db::Postgres(p) => $crate::backend::postgres::$area::$f(p, $($arg),*).await,
        }
    };
}

/// [`on_read!`] on the writing pool, as one whole transaction that runs again if it fails with a
/// serialization failure or deadlock (see `retry.rs`): each attempt gets its own copy of every
/// argument ([`crate::retry::Again`]), so an owned argument is cloned, a reference copied.
macro_rules! on_write {
    ($self:expr, $area:ident :: $f:ident ( $($arg:expr),* $(,)? )) => {{
        let db: &$crate::Db = &$self.db;
        $crate::retry::retrying(|| match db {
            $crate::Db::Sqlite { write, .. } => ::futures_util::future::Either::Left(
                $crate::backend::sqlite::$area::$f(write, $($crate::retry::Again::again(&$arg)),*),
            ),
            $crate::Db::Postgres(p) => ::futures_util::future::Either::Right(
                $crate::backend::postgres::$area::$f(p, $($crate::retry::Again::again(&$arg)),*),
            ),
        })
        .await
    }};
}

/// [`on_write!`] without the retry, for the one write that cannot be run twice: it does
/// something outside the database inside its transaction (publishing a post to a platform).
macro_rules! on_write_once {
    ($self:expr, $area:ident :: $f:ident ( $($arg:expr),* $(,)? )) => {
        match &$self.db {
            $crate::Db::Sqlite { write, .. } => $crate::backend::sqlite::$area::$f(write, $($arg),*).await,
            $crate::Db::Postgres(p) => $crate::backend::postgres::$area::$f(p, $($arg),*).await,
        }
    };
}
