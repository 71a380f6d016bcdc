//! Job leases: how several servers on one database run each background job once per tick
//! (see `docs/scale-out.md`). A lease row per job; the winner of one upsert runs the job.

use std::time::Instant;

use sqlx::Connection;
use time::{Duration, OffsetDateTime};

use crate::backend::micros;
use crate::{Result, Store};

/// One job's lease row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct JobLease {
    pub job: String,
    /// The server that last won it.
    pub holder: String,
    /// Microseconds since the Unix epoch at which the holder's lease ends.
    pub expires_us: i64,
    /// The last tick run (0 if only [`Store::try_lease`] was used).
    pub last_tick: i64,
    /// How many ticks have been run, across every server.
    pub runs: i64,
}

/// One write of [`Store::try_lease_timed`] taken apart, in milliseconds.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default)]
pub struct TimedWrite {
    /// Waiting for a connection of the writer pool: on SQLite the pool's one writer connection,
    /// which a transaction of another writer (the deletion job's batch) holds until it commits.
    pub acquire_ms: f64,
    /// The transaction's `BEGIN`: on SQLite `BEGIN IMMEDIATE`, which takes the database's write
    /// lock (waiting, through the busy handler, for a writer on another connection); on
    /// PostgreSQL nothing is locked yet.
    pub begin_ms: f64,
    /// The upsert itself (on PostgreSQL any row lock wait falls here).
    pub statement_ms: f64,
    /// Its commit: the WAL's sync (SQLite `synchronous = FULL`; PostgreSQL's synchronous commit).
    pub commit_ms: f64,
}

impl TimedWrite {
    pub fn total_ms(&self) -> f64 {
        self.acquire_ms + self.begin_ms + self.statement_ms + self.commit_ms
    }
}

fn since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// [`Store::try_lease_timed`] on one backend: the same upsert as `try_lease`, in a transaction
/// of its own on the writer pool, each step timed.
macro_rules! timed_lease {
    ($pool:expr, $begin:expr, $sql:expr, $job:expr, $holder:expr, $exp:expr, $now:expr) => {{
        let mut w = TimedWrite::default();
        let t = Instant::now();
        let mut conn = $pool.acquire().await?;
        w.acquire_ms = since(t);
        let t = Instant::now();
        let mut tx = conn.begin_with($begin).await?;
        w.begin_ms = since(t);
        let t = Instant::now();
        let _won: Option<(String,)> =
            sqlx::query_as($sql).bind($job).bind($holder).bind($exp).bind($now).fetch_optional(&mut *tx).await?;
        w.statement_ms = since(t);
        let t = Instant::now();
        tx.commit().await?;
        w.commit_ms = since(t);
        Ok(w)
    }};
}

impl Store {
    /// [`Store::try_lease`] as a transaction of its own (`BEGIN IMMEDIATE` on SQLite), each step
    /// timed (see [`TimedWrite`]): for the retention benchmark's probe writer, which tells time
    /// spent waiting for the deletion job's hold on the writer from its own statement and commit.
    /// Not retried.
    #[doc(hidden)]
    pub async fn try_lease_timed(
        &self,
        job: &str,
        holder: &str,
        ttl: Duration,
        now: OffsetDateTime,
    ) -> Result<TimedWrite> {
        let (exp, now) = (micros(now + ttl), micros(now));
        match &self.db {
            crate::Db::Sqlite { write, .. } => {
                timed_lease!(write, "BEGIN IMMEDIATE", crate::backend::sqlite::leases::TRY_LEASE, job, holder, exp, now)
            }
            crate::Db::Postgres(p) => {
                timed_lease!(p, "BEGIN", crate::backend::postgres::leases::TRY_LEASE, job, holder, exp, now)
            }
        }
    }

    /// Take (or renew) the lease on `job` for `ttl`: true if `holder` now holds it (nobody held
    /// it, the last holder's lease had expired, or `holder` held it already).
    pub async fn try_lease(&self, job: &str, holder: &str, ttl: Duration, now: OffsetDateTime) -> Result<bool> {
        let (exp, now) = (micros(now + ttl), micros(now));
        on_write!(self, leases::try_lease(job, holder, exp, now))
    }

    /// Claim tick `tick` of `job` for `holder`, holding the lease for `ttl` while it runs: true
    /// for exactly one caller per tick across every server on the database (the one whose upsert
    /// moved the row's last tick up to `tick`), false if the tick was run already or another
    /// server's run of an earlier tick still holds the lease.
    pub async fn claim_tick(
        &self,
        job: &str,
        holder: &str,
        tick: i64,
        ttl: Duration,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let (exp, now) = (micros(now + ttl), micros(now));
        Ok(on_write!(self, leases::claim_tick(job, holder, tick, exp, now))?.is_some())
    }

    /// Give the lease on `job` back (the run finished).
    pub async fn release_lease(&self, job: &str, holder: &str, now: OffsetDateTime) -> Result<()> {
        let now = micros(now);
        on_write!(self, leases::release(job, holder, now))
    }

    /// Every job's lease row, by name.
    pub async fn job_leases(&self) -> Result<Vec<JobLease>> {
        let rows = on_read!(self, leases::all())?;
        Ok(rows
            .into_iter()
            .map(|(job, holder, expires_us, last_tick, runs)| JobLease { job, holder, expires_us, last_tick, runs })
            .collect())
    }
}
