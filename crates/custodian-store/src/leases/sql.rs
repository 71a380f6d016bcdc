//! The job leases' SQL, written once and compiled for each backend (see `backend.rs`). Each
//! function is ONE statement: an upsert whose `WHERE` decides who wins, so no advisory lock, no
//! `SELECT ... FOR UPDATE SKIP LOCKED` and no stored procedure is needed (CockroachDB, YugabyteDB
//! and Citus run it as it is). Leases are not changes of record: they write no audit event.

use super::DB;
use crate::Result;
use sqlx::Pool;

/// The upsert of [`try_lease`] (binds: job, holder, expires_us, now_us; returns the holder if won).
pub const TRY_LEASE: &str = "INSERT INTO job_leases (job, holder, expires_us, last_tick, runs, updated_us) VALUES ($1, $2, $3, 0, 0, $4) \
     ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, expires_us = excluded.expires_us, \
     updated_us = excluded.updated_us \
     WHERE job_leases.expires_us <= excluded.updated_us OR job_leases.holder = excluded.holder \
     RETURNING holder";

/// Take or renew the lease on `job` until `expires_us`: won if nobody holds it, it has expired,
/// or `holder` already holds it.
pub async fn try_lease(pool: &Pool<DB>, job: &str, holder: &str, expires_us: i64, now_us: i64) -> Result<bool> {
    let won: Option<(String,)> =
        sqlx::query_as(TRY_LEASE).bind(job).bind(holder).bind(expires_us).bind(now_us).fetch_optional(pool).await?;
    Ok(won.is_some())
}

/// Claim tick `tick` of `job` for `holder`: won only if the row's last tick done is below `tick`
/// and no other holder's lease is still running. The winner's row counts the run.
pub async fn claim_tick(
    pool: &Pool<DB>,
    job: &str,
    holder: &str,
    tick: i64,
    expires_us: i64,
    now_us: i64,
) -> Result<Option<i64>> {
    let won: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO job_leases (job, holder, expires_us, last_tick, runs, updated_us) VALUES ($1, $2, $3, $4, 1, $5) \
         ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, expires_us = excluded.expires_us, \
         last_tick = excluded.last_tick, runs = job_leases.runs + 1, updated_us = excluded.updated_us \
         WHERE job_leases.last_tick < excluded.last_tick \
         AND (job_leases.expires_us <= excluded.updated_us OR job_leases.holder = excluded.holder) \
         RETURNING runs",
    )
    .bind(job)
    .bind(holder)
    .bind(expires_us)
    .bind(tick)
    .bind(now_us)
    .fetch_optional(pool)
    .await?;
    Ok(won.map(|(r,)| r))
}

/// Give a lease back early (the job finished), so another server need not wait for it to expire.
pub async fn release(pool: &Pool<DB>, job: &str, holder: &str, now_us: i64) -> Result<()> {
    sqlx::query("UPDATE job_leases SET expires_us = $3, updated_us = $3 WHERE job = $1 AND holder = $2")
        .bind(job)
        .bind(holder)
        .bind(now_us)
        .execute(pool)
        .await?;
    Ok(())
}

/// Every job's row, by name.
pub async fn all(pool: &Pool<DB>) -> Result<Vec<(String, String, i64, i64, i64)>> {
    Ok(sqlx::query_as("SELECT job, holder, expires_us, last_tick, runs FROM job_leases ORDER BY job")
        .fetch_all(pool)
        .await?)
}
