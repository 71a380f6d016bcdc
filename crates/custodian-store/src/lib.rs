//! Custodian's storage: one [`Store`] over SQLite (the embedded default) and PostgreSQL
//! (production), chosen by the URL scheme. Every state change commits together with its audit
//! event, so a change whose event cannot be written does not happen (WP034 principle: nothing is
//! lost or hidden).
//!
//! The operations are written once, in `ops.rs`, and compiled for each backend with its own
//! `DB` type; the two migration folders carry the same file names.

mod cache;
mod model;
mod search;

pub use model::*;

use std::path::PathBuf;
use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

/// Errors at the storage boundary. Constraint violations become `Conflict` or `Invalid` so the
/// server can answer 409/422 rather than 500.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    #[error(
        "refusing to create a new database at {0}: it does not exist (run with --demo, or `custodian migrate --create`)"
    )]
    MissingDatabase(PathBuf),
    #[error("unsupported database URL {0:?}: use sqlite:PATH or postgres://...")]
    BadUrl(String),
    #[error("audit log: {0}")]
    Audit(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Map named constraint violations to user-facing conflicts.
    fn from_sqlx(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            let msg = db.message().to_string();
            if db.is_unique_violation() {
                let what = if msg.contains("allocations") || msg.contains("one_current_holder") {
                    "the device already has a holder (WP034 4.1: one named person at a time)".to_string()
                } else {
                    format!("a record with the same unique value already exists ({msg})")
                };
                return Self::Conflict(what);
            }
            if db.is_foreign_key_violation() {
                return Self::Invalid(format!("refers to a record that does not exist ({msg})"));
            }
            if db.is_check_violation() {
                return Self::Invalid(format!("violates a rule of the register ({msg})"));
            }
        }
        Self::Database(e)
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// How to open the database.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Create a missing SQLite file. Off by default so a mistyped path is refused, not silently
    /// replaced by an empty register.
    pub create_if_missing: bool,
    /// Maximum pooled connections (PostgreSQL, and SQLite readers).
    pub max_connections: Option<u32>,
}

#[derive(Clone)]
enum Db {
    /// `path` is the database file, for bulk readers that bypass sqlx (see audit_read.rs).
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
        path: PathBuf,
    },
    Postgres(PgPool),
}

/// The storage handle: cheap to clone, shared by the server and the CLI.
#[derive(Clone)]
pub struct Store {
    db: Db,
    /// Name used as the origin line of audit checkpoints.
    origin: String,
    caches: std::sync::Arc<cache::Caches>,
    /// The in-memory device search index (see `search.rs`).
    search: std::sync::Arc<search::DeviceSearch>,
    /// The SQLite file, for the bulk usage import's own connection.
    sqlite_path: Option<PathBuf>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print connection strings: they can carry passwords.
        f.debug_struct("Store").field("backend", &self.backend()).finish()
    }
}

impl Store {
    /// Open (and migrate) the database named by `url`: `sqlite:PATH` / `sqlite://PATH` or
    /// `postgres://...` / `postgresql://...`.
    pub async fn open(url: &str, opts: &OpenOptions) -> Result<Self> {
        let store = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let co = PgConnectOptions::from_str(url).map_err(|_| StoreError::BadUrl(redact(url)))?;
            let pool =
                PgPoolOptions::new().max_connections(opts.max_connections.unwrap_or(16)).connect_with(co).await?;
            Store {
                db: Db::Postgres(pool),
                origin: "custodian".into(),
                caches: Default::default(),
                search: Default::default(),
                sqlite_path: None,
            }
        } else if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            let path = PathBuf::from(path);
            if !opts.create_if_missing && !path.exists() {
                return Err(StoreError::MissingDatabase(path));
            }
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                files::create_private_dir(dir)
                    .map_err(|e| StoreError::Invalid(format!("cannot create {}: {e}", dir.display())))?;
            }
            // The database holds personal data: 0600, created so before SQLite opens it (its WAL
            // and shared-memory files take the database file's mode).
            files::prepare_sqlite_file(&path, opts.create_if_missing)
                .map_err(|e| StoreError::Invalid(format!("cannot create {}: {e}", path.display())))?;
            let base = SqliteConnectOptions::new()
                .filename(&path)
                .create_if_missing(opts.create_if_missing)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(std::time::Duration::from_secs(10));
            // One writer connection serialises writes (SQLite allows one writer at a time, and
            // the audit tree needs a total order); readers run in parallel under WAL.
            let write = SqlitePoolOptions::new().max_connections(1).connect_with(base.clone()).await?;
            let read = SqlitePoolOptions::new()
                .max_connections(opts.max_connections.unwrap_or(8))
                .connect_with(base.read_only(true))
                .await?;
            Store {
                db: Db::Sqlite { read, write, path: path.clone() },
                origin: "custodian".into(),
                caches: Default::default(),
                search: Default::default(),
                sqlite_path: Some(path),
            }
        } else {
            return Err(StoreError::BadUrl(redact(url)));
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Set the origin name used in signed checkpoints (normally the deployment's host name).
    pub fn with_origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = origin.into();
        self
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// "sqlite" or "postgres".
    pub fn backend(&self) -> &'static str {
        match self.db {
            Db::Sqlite { .. } => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Apply the embedded migrations for this backend.
    pub async fn migrate(&self) -> Result<()> {
        match &self.db {
            Db::Sqlite { write, .. } => {
                sqlx::migrate!("./migrations/sqlite").run(write).await?;
            }
            Db::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    /// Check the database answers (for /readyz).
    pub async fn ping(&self) -> Result<()> {
        match &self.db {
            Db::Sqlite { read, .. } => sqlx::query("SELECT 1").execute(read).await.map(|_| ())?,
            Db::Postgres(p) => sqlx::query("SELECT 1").execute(p).await.map(|_| ())?,
        }
        Ok(())
    }

    /// Write a consistent copy of an SQLite database to `dest` with `VACUUM INTO`.
    pub async fn backup_sqlite(&self, dest: &std::path::Path) -> Result<()> {
        match &self.db {
            Db::Sqlite { write, .. } => {
                if dest.exists() {
                    return Err(StoreError::Conflict(format!("{} already exists", dest.display())));
                }
                sqlx::query("VACUUM INTO $1").bind(dest.to_string_lossy().to_string()).execute(write).await?;
                Ok(())
            }
            Db::Postgres(_) => Err(StoreError::Invalid("use pg_dump to back up PostgreSQL".into())),
        }
    }

    /// Close all connections (graceful shutdown).
    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite { read, write, .. } => {
                read.close().await;
                write.close().await;
            }
            Db::Postgres(p) => p.close().await,
        }
    }
}

/// Hide any password in a database URL before it is printed.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Dispatch a call to the backend module: `on_read!(self, f(args))` runs `sqlite_ops::f(pool, args)`
/// or `pg_ops::f(pool, args)` on the reading pool; `on_write!` on the writing pool.
macro_rules! on_read {
    ($self:expr, $f:ident ( $($arg:expr),* )) => {
        match &$self.db {
            Db::Sqlite { read, .. } => sqlite_ops::$f(read, $($arg),*).await,
            Db::Postgres(p) => pg_ops::$f(p, $($arg),*).await,
        }
    };
}
macro_rules! on_write {
    ($self:expr, $f:ident ( $($arg:expr),* )) => {
        match &$self.db {
            Db::Sqlite { write, .. } => sqlite_ops::$f(write, $($arg),*).await,
            Db::Postgres(p) => pg_ops::$f(p, $($arg),*).await,
        }
    };
}

mod sqlite_ops {
    //! Operations compiled for SQLite.
    type DB = sqlx::Sqlite;
    /// SQLite takes the write lock with the first write; the single writer connection orders them.
    const LOCK_HEAD: &str = "SELECT size, frontier, chain FROM audit_head WHERE id = 1";
    /// Begin a write transaction. `BEGIN IMMEDIATE` takes SQLite's write lock at once, waiting up
    /// to the busy timeout: the writer pool is not the only writer (the bulk usage import writes on
    /// a connection of its own), and a deferred transaction that reads before it writes fails at
    /// once with "database is locked" if another connection committed in between.
    async fn begin_write(pool: &Pool<DB>) -> std::result::Result<sqlx::Transaction<'static, DB>, sqlx::Error> {
        pool.begin_with("BEGIN IMMEDIATE").await
    }
    /// Begin a read transaction: under WAL, every read in it sees the one snapshot its first read
    /// took.
    async fn begin_read(pool: &Pool<DB>) -> std::result::Result<sqlx::Transaction<'static, DB>, sqlx::Error> {
        pool.begin().await
    }
    /// An id written into SQL text (for a list of ids the query can filter on).
    fn uuid_literal(u: &Uuid) -> String {
        format!("X'{}'", hex::encode(u.as_bytes()))
    }
    include!("ops.rs");
    include!("monitoring_ops.rs");
    include!("screening_ops.rs");
    include!("approvals_ops.rs");
    include!("posts_ops.rs");
    include!("usage_ops.rs");
    include!("overseas_ops.rs");
    /// The column type of ids in temporary tables (apps evaluation).
    const UUID_SQL: &str = "BLOB";
    include!("apps_ops.rs");
}

mod pg_ops {
    //! Operations compiled for PostgreSQL.
    type DB = sqlx::Postgres;
    /// The row lock orders concurrent appends to the audit tree.
    const LOCK_HEAD: &str = "SELECT size, frontier, chain FROM audit_head WHERE id = 1 FOR UPDATE";
    /// Begin a write transaction (row locks order PostgreSQL's writers).
    async fn begin_write(pool: &Pool<DB>) -> std::result::Result<sqlx::Transaction<'static, DB>, sqlx::Error> {
        pool.begin().await
    }
    /// Begin a read transaction in which every read sees one snapshot.
    async fn begin_read(pool: &Pool<DB>) -> std::result::Result<sqlx::Transaction<'static, DB>, sqlx::Error> {
        pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").await
    }
    /// An id written into SQL text (for a list of ids the query can filter on).
    fn uuid_literal(u: &Uuid) -> String {
        format!("'{u}'::uuid")
    }
    include!("ops.rs");
    include!("monitoring_ops.rs");
    include!("screening_ops.rs");
    include!("approvals_ops.rs");
    include!("posts_ops.rs");
    include!("usage_ops.rs");
    include!("overseas_ops.rs");
    /// The column type of ids in temporary tables (apps evaluation).
    const UUID_SQL: &str = "UUID";
    include!("apps_ops.rs");
}

mod api;
pub mod approvals_api;
pub mod apps_api;
mod audit_read;
pub mod files;
pub mod monitoring_api;
pub mod overseas_api;
pub mod posts_api;
pub mod screening_api;
pub mod usage_api;
