//! Job leases: how several servers on one database run each background job once per tick
//! (see `docs/scale-out.md`). A lease row per job; the winner of one upsert runs the job.

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

impl Store {
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
