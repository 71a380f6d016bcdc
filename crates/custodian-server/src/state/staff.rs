//! The people register's names for comment triage (WP034 8.2), and the copy the webhook keeps
//! between comments. Part of the application state, so it lives here rather than in the comments
//! area (which imports the state: kept there, the state, the comments area and `auth` formed an
//! import circle through it). The comments area re-exports it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use custodian_comments::{StaffIndex, StaffMember};
use custodian_store::Store;

use crate::error::AppError;

/// The people register's names as the triage reads them (WP034 8.2: abuse of an identifiable
/// officer or member of staff): given name the first word of the name, family name the last,
/// the staff number as their number. Read from the database on every call, so a change another
/// process makes to the register is seen by the next triage (the import's path: one read per
/// file). The webhook, one comment a call, goes through [`StaffCache`].
pub async fn staff_index(store: &Store) -> Result<StaffIndex, AppError> {
    let rows = store.staff_names().await?;
    Ok(StaffIndex::new(rows.into_iter().map(|(sn, name)| staff_member(sn, &name)).collect()))
}

/// How long a cached staff index is used at most, even when the register's signature has not
/// changed (a change stamped by a server whose clock is behind the latest stamp is seen then).
pub const STAFF_CACHE_MAX_AGE: Duration = Duration::from_secs(60);

/// The staff index the webhook triages with (WP034 8.2), kept between comments. Before each use
/// the register's signature (`Store::people_signature`: how many people, the latest
/// `updated_at`) is read, one small query, and the index is rebuilt only when it changed or is
/// older than [`STAFF_CACHE_MAX_AGE`]. The signature is in the database, so a person added or
/// renamed by the CLI or by another server is seen by the next comment here.
#[derive(Default)]
pub struct StaffCache {
    held: Mutex<Option<HeldStaff>>,
    loads: AtomicU64,
}

struct HeldStaff {
    signature: (i64, Option<String>),
    at: Instant,
    index: Arc<StaffIndex>,
}

impl StaffCache {
    /// The register's names, rebuilt only when the register changed since the last build.
    pub async fn get(&self, store: &Store) -> Result<Arc<StaffIndex>, AppError> {
        // The signature is read before the names: a change between the two reads leaves a
        // newer index under an older signature, which the next call replaces.
        let signature = store.people_signature().await?;
        if let Ok(held) = self.held.lock()
            && let Some(h) = held.as_ref()
            && h.signature == signature
            && h.at.elapsed() < STAFF_CACHE_MAX_AGE
        {
            return Ok(h.index.clone());
        }
        let index = Arc::new(staff_index(store).await?);
        self.loads.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut held) = self.held.lock() {
            *held = Some(HeldStaff { signature, at: Instant::now(), index: index.clone() });
        }
        Ok(index)
    }

    /// How many times the index was built from the register (for tests and metrics).
    pub fn loads(&self) -> u64 {
        self.loads.load(Ordering::Relaxed)
    }
}

fn staff_member(staff_number: String, name: &str) -> StaffMember {
    let words: Vec<&str> = name.split_whitespace().collect();
    let (given, family) = match words.as_slice() {
        [] => ("", ""),
        [one] => ("", *one),
        [first, .., last] => (*first, *last),
    };
    StaffMember {
        given_name: given.to_string(),
        family_name: family.to_string(),
        rank: String::new(),
        collar_number: staff_number.clone(),
        staff_number,
    }
}
