//! Imports: what an import did, and the progress callback of long imports.

use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ImportSummary {
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub findings_opened: usize,
    /// Rows not applied, with line and reason (for example an unknown device in an MDM export).
    pub unmatched: Vec<custodian_domain::imports::RowError>,
    /// Changes a people import ignored (role changes the importer may not make, with
    /// `ignore_roles`), with line and field; the rest of each such row was applied.
    pub ignored: Vec<custodian_domain::imports::RowError>,
    /// Findings closed by this import because it shows their device healthy again (MDM exports).
    pub findings_closed: usize,
    /// What the parser accepted with a change or a caveat (a dropped phone number, a partial
    /// export imported anyway), with line and field; also in the import's audit event.
    pub warnings: Vec<custodian_domain::imports::RowError>,
    /// Allocations this import started, as (device, start): an Intune import with
    /// `register_new` allocates the devices it registers. The caller re-attributes their usage.
    #[serde(skip)]
    pub allocations_started: Vec<(uuid::Uuid, time::OffsetDateTime)>,
}

pub type Progress<'a> = &'a (dyn Fn(u64) + Send + Sync);

/// A progress callback that ignores progress.
pub fn no_progress(_: u64) {}
