//! Short-lived in-process caches for the hottest reads: the unfiltered device count and the
//! people behind API tokens. Each entry lives at most [`TTL`]; writes made through this [`Store`]
//! clear the entries they affect at once, so only a write from another process (the CLI) can be
//! seen late, by at most the TTL. Whether a token is valid (revoked, expired, holder a leaver) is
//! never cached: it is read from the database on every request.
//!
//! [`Store`]: crate::Store

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use uuid::Uuid;

use crate::Person;

/// How long a cached entry may be used.
pub const TTL: Duration = Duration::from_secs(2);

#[derive(Default)]
pub(crate) struct Caches {
    device_count: Mutex<Option<(Instant, i64)>>,
    people: Mutex<HashMap<Uuid, (Instant, Person)>>,
}

impl Caches {
    pub fn device_count(&self) -> Option<i64> {
        let g = self.device_count.lock().ok()?;
        g.filter(|(at, _)| at.elapsed() < TTL).map(|(_, n)| n)
    }
    pub fn set_device_count(&self, n: i64) {
        if let Ok(mut g) = self.device_count.lock() {
            *g = Some((Instant::now(), n));
        }
    }
    pub fn forget_device_count(&self) {
        if let Ok(mut g) = self.device_count.lock() {
            *g = None;
        }
    }
    pub fn person(&self, id: Uuid) -> Option<Person> {
        let g = self.people.lock().ok()?;
        g.get(&id).filter(|(at, _)| at.elapsed() < TTL).map(|(_, p)| p.clone())
    }
    pub fn set_person(&self, p: &Person) {
        if let Ok(mut g) = self.people.lock() {
            if g.len() > 10_000 {
                g.retain(|_, (at, _)| at.elapsed() < TTL);
            }
            g.insert(p.id, (Instant::now(), p.clone()));
        }
    }
    pub fn forget_people(&self) {
        if let Ok(mut g) = self.people.lock() {
            g.clear();
        }
    }
}
