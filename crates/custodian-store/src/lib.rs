//! Custodian's storage: one [`Store`] over SQLite (the embedded default) and PostgreSQL
//! (production), chosen by the URL scheme. Every state change commits together with its audit
//! event, so a change whose event cannot be written does not happen (WP034 principle: nothing is
//! lost or hidden).
//!
//! Each area (people, devices, findings, ...) is a module: `<area>/mod.rs` holds its records and
//! the public methods of [`Store`], `<area>/sql.rs` its SQL, written once and compiled for each
//! backend with its own `DB` type (see `backend.rs`); the two migration folders carry the same
//! file names.

#[macro_use]
mod backend;
mod cache;
mod error;
pub mod retry;
mod row;
mod search;

pub mod accounts;
pub mod approvals;
pub mod apps;
pub mod audit;
mod audit_read;
pub mod comments;
pub mod dashboard;
pub mod data_protection;
pub mod declarations;
pub mod devices;
pub mod email;
pub mod files;
pub mod findings;
pub mod imports;
pub mod leases;
pub mod migrations;
pub mod monitoring;
pub mod overseas;
pub mod people;
pub mod policy;
pub mod posts;
pub mod screening;
pub mod social_accounts;
pub mod usage;
pub mod vault;

pub use accounts::{ApiToken, OidcLogin, OidcOutcome, OidcRefusal, OidcSignIn, SessionRecord};
pub use audit::{
    Actor, AuditEntry, AuditEvent, AuditKey, ConsistencyProof, InclusionProof, KeyBinding, SavedCheckpoint,
    SignedCheckpoint, VerifyReport, Write, describe_key, key_fingerprint, note_signers,
};
pub(crate) use audit::{AuditAppender, AuditSnapshot};
pub use dashboard::Counts;
pub use devices::{Allocation, AllocationCorrected, Device, DeviceEvent, DeviceFilter, DeviceMdm, RegisterRefs};
pub use error::{Result, StoreError, invalid_text};
pub use findings::{Finding, FindingFilter, FindingReview, NewFinding, Visibility};
pub use imports::{ImportSummary, Progress, no_progress};
pub use leases::JobLease;
pub use people::{BusinessArea, Person, PersonFilter};

use std::path::PathBuf;
use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

/// How to open the database.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Create a missing SQLite file. Off by default so a mistyped path is refused, not silently
    /// replaced by an empty register.
    pub create_if_missing: bool,
    /// Maximum pooled connections (PostgreSQL, and SQLite readers).
    pub max_connections: Option<u32>,
}

/// A page of results.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> i64 {
        if self.per_page <= 0 { 1 } else { ((self.total + self.per_page - 1) / self.per_page).max(1) }
    }
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
        } else if url.starts_with("sqlite:") {
            let (path, create) = sqlite_url(url)?;
            let mut opts = opts.clone();
            if let Some(c) = create {
                opts.create_if_missing = c;
            }
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
                migrations::sqlite().await?.run(write).await?;
            }
            Db::Postgres(p) => migrations::postgres().await?.run(p).await?,
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

    /// Write a consistent copy of an SQLite database to `dest` with `VACUUM INTO`. The copy holds
    /// personal data: it is created empty with mode 0600 first (`VACUUM INTO` fills an empty
    /// file), so it is never readable by others, even while it is written.
    pub async fn backup_sqlite(&self, dest: &std::path::Path) -> Result<()> {
        match &self.db {
            Db::Sqlite { write, .. } => {
                if dest.exists() {
                    return Err(StoreError::Conflict(format!("{} already exists", dest.display())));
                }
                files::prepare_sqlite_file(dest, true)
                    .map_err(|e| StoreError::Invalid(format!("cannot create {}: {e}", dest.display())))?;
                if let Err(e) =
                    sqlx::query("VACUUM INTO $1").bind(dest.to_string_lossy().to_string()).execute(write).await
                {
                    // Never leave a half-written or empty copy that could pass for a backup.
                    let _ = std::fs::remove_file(dest);
                    return Err(e.into());
                }
                Ok(())
            }
            Db::Postgres(_) => Err(StoreError::Invalid("use pg_dump to back up PostgreSQL".into())),
        }
    }

    /// Close all connections (graceful shutdown, and the end of every command). On SQLite the
    /// log is first copied into the database and emptied (`wal_checkpoint(TRUNCATE)`), so the
    /// database file alone is then a whole database (a copy of it opens with every row).
    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite { read, write, path } => {
                read.close().await;
                if !write.is_closed()
                    && let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(write).await
                {
                    tracing::warn!(error = %e, path = %path.display(), "the closing checkpoint failed");
                }
                write.close().await;
            }
            Db::Postgres(p) => p.close().await,
        }
    }
}

/// Whether the database `url` names holds no tables yet (a restore's target must be empty): an
/// SQLite file that does not exist or is empty, or a PostgreSQL database whose current schema has
/// no tables. Opens no [`Store`], so nothing is migrated.
pub async fn database_is_empty(url: &str) -> Result<bool> {
    use sqlx::Connection;
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let co = PgConnectOptions::from_str(url).map_err(|_| StoreError::BadUrl(redact(url)))?;
        let mut c = sqlx::PgConnection::connect_with(&co).await?;
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()")
                .fetch_one(&mut c)
                .await?;
        c.close().await?;
        Ok(n == 0)
    } else if url.starts_with("sqlite:") {
        let (path, _) = sqlite_url(url)?;
        Ok(std::fs::metadata(&path).map(|m| m.len() == 0).unwrap_or(true))
    } else {
        Err(StoreError::BadUrl(redact(url)))
    }
}

/// The SQLite URL forms Custodian reads, for messages.
pub const SQLITE_URL_FORMS: &str = "sqlite:PATH, sqlite://PATH or sqlite:///ABSOLUTE/PATH, optionally followed by ?mode=rw (the file must exist) or ?mode=rwc (create it)";

/// The path of a `sqlite:` URL and what its `mode` says about creating the file (`None`: the
/// command decides). Query parameters other than `mode=rw` and `mode=rwc` are refused rather
/// than becoming part of the file name: Custodian writes (no `ro`), to a file (no `memory`).
pub fn sqlite_url(url: &str) -> Result<(String, Option<bool>)> {
    let bad =
        |why: String| StoreError::Invalid(format!("unsupported database URL {url:?}: {why}; use {SQLITE_URL_FORMS}"));
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| bad("not a sqlite: URL".into()))?;
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    if path.is_empty() {
        return Err(bad("it names no file".into()));
    }
    let mut create = None;
    for pair in query.into_iter().flat_map(|q| q.split('&')).filter(|p| !p.is_empty()) {
        create = Some(match pair {
            "mode=rw" => false,
            "mode=rwc" => true,
            other => return Err(bad(format!("the parameter {other:?} is not supported"))),
        });
    }
    Ok((path.to_string(), create))
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod url_tests {
    use super::*;

    #[test]
    fn sqlite_urls_with_a_mode_are_understood_and_other_parameters_refused() {
        assert_eq!(sqlite_url("sqlite:data/custodian.db").unwrap(), ("data/custodian.db".into(), None));
        assert_eq!(sqlite_url("sqlite://x.db").unwrap(), ("x.db".into(), None));
        assert_eq!(sqlite_url("sqlite:///srv/x.db").unwrap(), ("/srv/x.db".into(), None));
        assert_eq!(sqlite_url("sqlite:///x.db?mode=rwc").unwrap(), ("/x.db".into(), Some(true)));
        assert_eq!(sqlite_url("sqlite://x.db?mode=rw").unwrap(), ("x.db".into(), Some(false)));
        for bad in [
            "sqlite://x.db?mode=ro",
            "sqlite:x.db?mode=memory",
            "sqlite:x.db?cache=shared",
            "sqlite:?mode=rwc",
            "sqlite:",
        ] {
            let e = sqlite_url(bad).unwrap_err().to_string();
            assert!(e.contains("?mode=rwc") && e.contains("sqlite:PATH"), "{bad}: {e}");
        }
    }
}
