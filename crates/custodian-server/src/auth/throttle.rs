//! Sign-in throttling: failed attempts per account and address, with doubling delays.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use time::{Duration, OffsetDateTime};

/// Failed attempts a pair of account and client address makes before any delay.
pub const FREE_FAILURES: u32 = 5;
/// The first delay once those are used up; each further failure doubles it, up to the window.
pub const FIRST_DELAY_SECONDS: i64 = 30;

/// Why an attempt is refused now, and until when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    /// `pair` (this account from this address), `account` (the ceiling across all addresses)
    /// or `address` (the ceiling across all accounts from one address).
    pub scope: &'static str,
    /// Failures counted in that scope.
    pub failures: u32,
    pub until: OffsetDateTime,
}

/// Counts failed attempts (sign-ins, or current passwords on a password change) in a sliding
/// window, so that one person cannot lock another out (WP034 9.1):
///
/// - per account **and** client address: [`FREE_FAILURES`] failures, then a delay of
///   [`FIRST_DELAY_SECONDS`] doubling with each further failure, at most the window; a success
///   from that address clears it;
/// - per account across every address: a much higher ceiling (`max_account`), against guessing
///   from many addresses;
/// - per address across every account: `max_address`, against password spraying.
///
/// The counts are in memory, per server process.
pub struct Throttle {
    window: Duration,
    max_account: u32,
    max_address: u32,
    failures: Mutex<HashMap<String, VecDeque<OffsetDateTime>>>,
}

impl Throttle {
    pub fn new(window_minutes: i64, max_account: u32, max_address: u32) -> Self {
        Self {
            window: Duration::minutes(window_minutes),
            max_account,
            max_address,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(account: &str, address: &str) -> [String; 3] {
        [format!("p:{account}\u{0}{address}"), format!("a:{account}"), format!("i:{address}")]
    }

    /// The failures still in the window for a key, oldest first.
    fn recent(
        map: &mut HashMap<String, VecDeque<OffsetDateTime>>,
        key: &str,
        since: OffsetDateTime,
    ) -> Vec<OffsetDateTime> {
        let Some(q) = map.get_mut(key) else { return Vec::new() };
        while q.front().is_some_and(|t| *t < since) {
            q.pop_front();
        }
        if q.is_empty() {
            map.remove(key);
            return Vec::new();
        }
        q.iter().copied().collect()
    }

    /// The delay a pair with `n` failures, the last at `last`, waits.
    fn pair_until(&self, n: u32, last: OffsetDateTime) -> Option<OffsetDateTime> {
        if n < FREE_FAILURES {
            return None;
        }
        let doublings = (n - FREE_FAILURES).min(20);
        let delay = Duration::seconds(FIRST_DELAY_SECONDS.saturating_mul(1 << doublings)).min(self.window);
        Some(last + delay)
    }

    /// Whether another attempt is allowed now; if not, which limit refuses it and until when.
    pub fn check(&self, account: &str, address: &str, now: OffsetDateTime) -> Result<(), Throttled> {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let since = now - self.window;
        let [pair, acc, addr] = Self::keys(account, address);
        let p = Self::recent(&mut map, &pair, since);
        if let (Some(last), n) = (p.last(), p.len() as u32)
            && let Some(until) = self.pair_until(n, *last)
            && now < until
        {
            return Err(Throttled { scope: "pair", failures: n, until });
        }
        for (key, max, scope) in [(acc, self.max_account, "account"), (addr, self.max_address, "address")] {
            let f = Self::recent(&mut map, &key, since);
            if f.len() as u32 >= max
                && let Some(first) = f.first()
            {
                return Err(Throttled { scope, failures: f.len() as u32, until: *first + self.window });
            }
        }
        Ok(())
    }

    /// Whether another attempt is allowed now.
    pub fn allowed(&self, account: &str, address: &str, now: OffsetDateTime) -> bool {
        self.check(account, address, now).is_ok()
    }

    /// Count a failure; returns the limit it brings into force, if any (for the audit log).
    pub fn fail(&self, account: &str, address: &str, now: OffsetDateTime) -> Option<Throttled> {
        {
            let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
            if map.len() > 100_000 {
                let since = now - self.window;
                map.retain(|_, q| q.back().is_some_and(|t| *t >= since));
            }
            for key in Self::keys(account, address) {
                map.entry(key).or_default().push_back(now);
            }
        }
        self.check(account, address, now).err()
    }

    /// A correct password from this address: its pair starts again. The ceilings stay, so a
    /// success cannot be used to reset guessing from elsewhere.
    pub fn succeed(&self, account: &str, address: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let [pair, _, _] = Self::keys(account, address);
        map.remove(&pair);
    }
}

/// At most `max` events per key in a sliding window (in memory, per server process): used where
/// each request writes a row before anyone is known, such as starting a sign-in with the
/// identity provider, so that one address cannot fill the table.
pub struct RateLimit {
    window: Duration,
    max: usize,
    events: Mutex<HashMap<String, VecDeque<OffsetDateTime>>>,
}

impl RateLimit {
    pub fn new(window: Duration, max: usize) -> Self {
        Self { window, max, events: Mutex::new(HashMap::new()) }
    }

    /// Count an event for `key` now, unless the key has used up its window: then `Err` with the
    /// time the oldest counted event leaves the window.
    pub fn take(&self, key: &str, now: OffsetDateTime) -> Result<(), OffsetDateTime> {
        let mut map = self.events.lock().unwrap_or_else(|p| p.into_inner());
        let since = now - self.window;
        if map.len() > 100_000 {
            map.retain(|_, q| q.back().is_some_and(|t| *t >= since));
        }
        let q = map.entry(key.to_string()).or_default();
        while q.front().is_some_and(|t| *t < since) {
            q.pop_front();
        }
        if q.len() >= self.max {
            return Err(q.front().map_or(now, |first| *first + self.window));
        }
        q.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod rate_limit_tests {
    use super::*;

    #[test]
    fn a_key_gets_max_events_per_window_and_others_are_not_affected() {
        let limit = RateLimit::new(Duration::minutes(10), 3);
        let t0 = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        for i in 0..3 {
            assert!(limit.take("10.0.0.1", t0 + Duration::seconds(i)).is_ok());
        }
        assert_eq!(limit.take("10.0.0.1", t0 + Duration::seconds(5)), Err(t0 + Duration::minutes(10)));
        assert!(limit.take("10.0.0.2", t0 + Duration::seconds(5)).is_ok(), "another address is not limited");
        // The first event leaves the window: one more is allowed, then refused again.
        let later = t0 + Duration::minutes(10) + Duration::seconds(1);
        assert!(limit.take("10.0.0.1", later).is_ok());
        assert!(limit.take("10.0.0.1", later).is_err());
    }
}
