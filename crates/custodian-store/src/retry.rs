//! Retrying a transaction that lost a race it could not have avoided: PostgreSQL's (and the
//! distributed engines') serialization failure (SQLSTATE 40001) and deadlock (40P01), and SQLite's
//! `SQLITE_BUSY_SNAPSHOT` (a read snapshot that went stale before its first write; the busy
//! timeout does not cover it, while plain `SQLITE_BUSY` already waits out the busy timeout).
//!
//! The one place this happens is the store's dispatch: `on_write!` runs every area's writing SQL
//! function through [`retrying`], and each of those functions opens, fills and commits its own
//! transaction, so a retry runs the whole transaction again from `BEGIN`. `on_read!` retries
//! reads on PostgreSQL the same way (PostgreSQL's read-only snapshots never fail so, but
//! CockroachDB restarts a read that meets an uncertain write with 40001). `on_write_once!` is for
//! the one write that acts outside the database inside its transaction, and `on_read_once!` for
//! the reads that stream rows into a callback: neither may run twice. An error of any other kind,
//! or the last attempt's, is returned as it is.

use std::future::Future;
use std::time::Duration;

use crate::StoreError;

/// How often and how patiently to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// The backoff before the second attempt; it doubles before each later one.
    pub base: Duration,
    /// The longest backoff.
    pub max: Duration,
}

impl RetryPolicy {
    /// Five attempts, backing off about 10, 20, 40 and 80 ms (with jitter): a conflicting
    /// transaction is normally done well within that.
    pub const DEFAULT: RetryPolicy =
        RetryPolicy { attempts: 5, base: Duration::from_millis(10), max: Duration::from_millis(500) };

    /// The wait before attempt `attempt + 1` (`attempt` counts from 1): the exponential step,
    /// capped, of which a random half is kept ("equal jitter"), so that two transactions that
    /// collided do not collide again at the same instant.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let step = self.base.saturating_mul(1u32 << attempt.saturating_sub(1).min(20)).min(self.max);
        let half = step / 2;
        let jitter = rand::Rng::gen_range(&mut rand::thread_rng(), 0..=half.as_micros() as u64);
        half + Duration::from_micros(jitter)
    }
}

/// An argument of a retried call, made afresh for each attempt: a clone of an owned value, a
/// copy of a reference (the blanket impl covers `&T` as well, whose clone is the reference).
pub trait Again {
    fn again(&self) -> Self;
}

impl<T: Clone> Again for T {
    fn again(&self) -> Self {
        self.clone()
    }
}

/// SQLSTATE 40001 (`serialization_failure`) and 40P01 (`deadlock_detected`); SQLite's extended
/// result code 517 (`SQLITE_BUSY_SNAPSHOT`).
pub const RETRYABLE_CODES: [&str; 3] = ["40001", "40P01", "517"];

/// Whether a database error code names a failure that running the transaction again can cure.
pub fn is_retryable_code(code: &str) -> bool {
    RETRYABLE_CODES.contains(&code)
}

impl StoreError {
    /// A serialization failure or deadlock (see [`RETRYABLE_CODES`]): the transaction was rolled
    /// back through no fault of its own and may simply be run again.
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::Database(db)) => db.code().is_some_and(|c| is_retryable_code(&c)),
            _ => false,
        }
    }
}

/// Run `attempt` (one whole transaction) until it succeeds, fails with an error that is not
/// retryable, or has failed `policy.attempts` times, sleeping [`RetryPolicy::backoff`] between.
pub async fn retry_with<T, F, Fut>(policy: RetryPolicy, mut attempt: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, StoreError>>,
{
    let mut n = 1;
    loop {
        match attempt().await {
            Err(e) if e.is_retryable() && n < policy.attempts => {
                let wait = policy.backoff(n);
                tracing::info!(attempt = n, wait_ms = wait.as_millis() as u64, error = %e, "transaction conflict: retrying");
                tokio::time::sleep(wait).await;
                n += 1;
            }
            other => return other,
        }
    }
}

/// [`retry_with`] the default policy: what the store's dispatch uses.
pub async fn retrying<T, F, Fut>(attempt: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, StoreError>>,
{
    retry_with(RetryPolicy::DEFAULT, attempt).await
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::borrow::Cow;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// A database error with a given code, as a driver would report it.
    #[derive(Debug)]
    struct Coded(&'static str);
    impl std::fmt::Display for Coded {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "error with code {}", self.0)
        }
    }
    impl std::error::Error for Coded {}
    impl sqlx::error::DatabaseError for Coded {
        fn message(&self) -> &str {
            "coded"
        }
        fn code(&self) -> Option<Cow<'_, str>> {
            Some(Cow::Borrowed(self.0))
        }
        fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
            self
        }
        fn kind(&self) -> sqlx::error::ErrorKind {
            sqlx::error::ErrorKind::Other
        }
    }

    fn coded(code: &'static str) -> StoreError {
        StoreError::from_sqlx(sqlx::Error::Database(Box::new(Coded(code))))
    }

    const FAST: RetryPolicy =
        RetryPolicy { attempts: 5, base: Duration::from_millis(1), max: Duration::from_millis(4) };

    #[test]
    fn serialization_failures_and_deadlocks_are_retryable_and_nothing_else_is() {
        for c in ["40001", "40P01", "517"] {
            assert!(coded(c).is_retryable(), "{c}");
        }
        // Unique violation, check violation, undefined table, SQLITE_BUSY (the busy timeout
        // already waited), SQLITE_CONSTRAINT: a retry cannot cure them.
        for c in ["23505", "23514", "42P01", "5", "19", "40002", "4000"] {
            assert!(!coded(c).is_retryable(), "{c}");
        }
        assert!(!StoreError::Conflict("x".into()).is_retryable());
        assert!(!StoreError::Database(sqlx::Error::PoolTimedOut).is_retryable());
    }

    #[test]
    fn the_backoff_doubles_up_to_its_cap_and_keeps_a_random_half() {
        let p = RetryPolicy { attempts: 9, base: Duration::from_millis(10), max: Duration::from_millis(100) };
        for attempt in 1..=8u32 {
            let step = (10u64 << (attempt - 1)).min(100);
            for _ in 0..50 {
                let b = p.backoff(attempt).as_micros() as u64;
                assert!(b >= step * 500 && b <= step * 1000, "attempt {attempt}: {b} µs for a step of {step} ms");
            }
        }
        // The jitter is random: fifty draws are not all the same.
        let draws: std::collections::BTreeSet<_> = (0..50).map(|_| p.backoff(3)).collect();
        assert!(draws.len() > 1);
    }

    #[tokio::test]
    async fn a_transaction_that_fails_twice_with_40001_then_succeeds_is_run_three_times() {
        let calls = AtomicU32::new(0);
        let out = retry_with(FAST, || async {
            match calls.fetch_add(1, Ordering::SeqCst) {
                0 => Err(coded("40001")),
                1 => Err(coded("40P01")),
                n => Ok(n),
            }
        })
        .await
        .unwrap();
        assert_eq!(out, 2);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn retries_are_bounded_and_the_last_error_is_returned() {
        let calls = AtomicU32::new(0);
        let e = retry_with(FAST, || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err::<(), _>(coded("40001"))
        })
        .await
        .unwrap_err();
        assert!(e.is_retryable());
        assert_eq!(calls.load(Ordering::SeqCst), 5);
    }

    #[tokio::test]
    async fn other_errors_are_not_retried() {
        let calls = AtomicU32::new(0);
        let e = retry_with(FAST, || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err::<(), _>(coded("23505"))
        })
        .await
        .unwrap_err();
        assert!(e.to_string().contains("23505") && !e.is_retryable(), "{e}");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
