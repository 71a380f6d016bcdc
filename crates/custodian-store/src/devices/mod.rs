//! Devices: the register of devices, their allocations and status history.

use custodian_domain::devices::mdm::{MdmSource, MdmState};
use custodian_domain::devices::{DeviceStatus, DeviceType};
use custodian_domain::imports::{AmapiDevice, DeviceRow, IntuneDevice, RowError};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{ImportSummary, Page, Progress, Result, Store, Write};

impl Store {
    pub async fn device(&self, id: Uuid) -> Result<Option<Device>> {
        on_read!(self, devices::device_by_id(id))
    }
    pub async fn device_by_asset_tag(&self, tag: &str) -> Result<Option<Device>> {
        on_read!(self, devices::device_by_asset_tag(tag))
    }
    pub async fn devices(&self, f: &DeviceFilter, page: i64, per_page: i64) -> Result<Page<Device>> {
        self.devices_after(f, None, page, per_page).await
    }
    /// A page of devices in asset-tag order: after the asset tag `after` (a keyset cursor, the
    /// last tag of the previous page) when given, else page number `page`. An unfiltered list's
    /// total comes from a count cached for at most [`cache::TTL`](crate::cache::TTL) and cleared
    /// by every device this process creates.
    pub async fn devices_after(
        &self,
        f: &DeviceFilter,
        after: Option<&str>,
        page: i64,
        per_page: i64,
    ) -> Result<Page<Device>> {
        let unfiltered = f.status.is_none()
            && f.device_type.is_none()
            && f.holder_id.is_none()
            && f.q.as_deref().is_none_or(|q| q.trim().is_empty());
        let total = if unfiltered {
            match self.caches.device_count() {
                Some(n) => Some(n),
                None => {
                    let n = on_read!(self, devices::device_count())?;
                    self.caches.set_device_count(n);
                    Some(n)
                }
            }
        } else {
            None
        };
        let needle = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()).map(str::to_lowercase);
        match needle {
            // LIKE wildcards keep their meaning through the database.
            Some(needle) if !needle.contains(['%', '_']) => {
                let index = self.device_index().await?;
                let q = crate::search::Query {
                    needle: &needle,
                    status: f.status,
                    device_type: f.device_type,
                    holder_id: f.holder_id,
                };
                let offset = usize::try_from((page - 1).max(0).saturating_mul(per_page)).unwrap_or(usize::MAX);
                let hits = index.search(&q, after, offset, usize::try_from(per_page).unwrap_or(0));
                let mut items = on_read!(self, devices::devices_by_ids(hits.page.as_slice()))?;
                // The index's order (byte-wise asset tags), whatever the database's collation.
                items.sort_by_key(|d| hits.page.iter().position(|id| *id == d.id));
                Ok(Page { items, total: hits.total, page, per_page })
            }
            _ => on_read!(self, devices::devices_list(f, after, page, per_page, total)),
        }
    }

    /// Load the device search index now (at start-up), so the first search does not wait for
    /// it. Returns the number of devices indexed.
    pub async fn warm_device_search(&self) -> Result<usize> {
        Ok(self.device_index().await?.len())
    }

    /// The device search index at the database's current revision, reloaded if it moved.
    async fn device_index(&self) -> Result<std::sync::Arc<crate::search::Index>> {
        let rev = on_read!(self, devices::device_search_rev())?;
        if let Some(i) = self.search.at(rev) {
            return Ok(i);
        }
        let _one = self.search.reload_lock().lock().await;
        // Another task may have reloaded while this one waited.
        let rev = on_read!(self, devices::device_search_rev())?;
        if let Some(i) = self.search.at(rev) {
            return Ok(i);
        }
        let rows = on_read!(self, devices::device_search_rows())?;
        let started = std::time::Instant::now();
        let index = std::sync::Arc::new(crate::search::Index::new(rev, rows));
        tracing::debug!(rev, devices = index.len(), took = ?started.elapsed(), "device search index loaded");
        self.search.set(index.clone());
        Ok(index)
    }
    pub async fn device_history(&self, id: Uuid) -> Result<Vec<DeviceEvent>> {
        on_read!(self, devices::device_history(id))
    }
    pub async fn allocations(&self, id: Uuid) -> Result<Vec<Allocation>> {
        on_read!(self, devices::allocations(id))
    }
    pub async fn create_device(&self, row: &DeviceRow, w: Write<'_>) -> Result<Device> {
        let r = on_write!(self, devices::create_device(row, w));
        self.caches.forget_device_count();
        r
    }
    pub async fn import_devices(
        &self,
        rows: &[DeviceRow],
        w: Write<'_>,
        sha256: &str,
        progress: Progress<'_>,
    ) -> Result<ImportSummary> {
        let r = on_write!(self, devices::import_devices(rows, w, sha256, progress));
        self.caches.forget_device_count();
        r
    }
    /// The rows of a register import whose `allocated_from` the stored allocation history
    /// refuses (in the future, or overlapping another allocation), naming line and field.
    pub async fn device_import_start_problems(
        &self,
        rows: &[DeviceRow],
        now: OffsetDateTime,
    ) -> Result<Vec<custodian_domain::imports::RowError>> {
        on_read!(self, devices::import_start_problems(rows, now))
    }
    /// The people (by staff number) and devices (by asset tag, with their holder) that a
    /// register import's rows name, for its checks; a few queries whatever the file's size.
    pub async fn register_refs(&self, staff_numbers: &[&str], asset_tags: &[&str]) -> Result<RegisterRefs> {
        on_read!(self, devices::register_refs(staff_numbers, asset_tags))
    }
    /// Correct an allocation's start and/or end (Digital Services, WP034 4.1), audited with the
    /// reason and the dates before and after. Re-attribute the usage afterwards
    /// ([`Store::reattribute_usage`]) over the period returned.
    pub async fn correct_allocation(
        &self,
        allocation: Uuid,
        start: Option<OffsetDateTime>,
        end: Option<OffsetDateTime>,
        reason: &str,
        w: Write<'_>,
    ) -> Result<crate::AllocationCorrected> {
        on_write!(self, devices::correct_allocation(allocation, start, end, reason, w))
    }
    /// Apply an Intune export; `warnings` are the parser's, kept in the summary and the audit event.
    /// With `register_new`, devices the register does not know are registered and allocated to
    /// their primary user from `enrolledDateTime` (the summary's `allocations_started`; the caller
    /// re-attributes their usage); without it they are reported as unmatched.
    pub async fn import_intune(
        &self,
        items: &[IntuneDevice],
        warnings: &[RowError],
        register_new: bool,
        w: Write<'_>,
        sha256: &str,
        progress: Progress<'_>,
    ) -> Result<ImportSummary> {
        let r = on_write!(self, devices::import_intune(items, warnings, register_new, w, sha256, progress));
        self.caches.forget_device_count();
        r
    }
    /// The devices of an Intune export that `register_new` would register but may not, each
    /// naming its line and field: an `enrolledDateTime` in the future, or a primary user who is
    /// the importer (nobody starts their own allocation, WP034 4.1). The import checks again
    /// inside its transaction; this lets a whole file's problems be listed.
    pub async fn intune_registration_problems(&self, items: &[IntuneDevice], w: Write<'_>) -> Result<Vec<RowError>> {
        on_read!(self, devices::intune_registration_problems(items, w))
    }
    /// Apply an Android Management API export (WP034 4.7); `warnings` are the parser's.
    pub async fn import_amapi(
        &self,
        items: &[AmapiDevice],
        warnings: &[RowError],
        w: Write<'_>,
        sha256: &str,
        progress: Progress<'_>,
    ) -> Result<ImportSummary> {
        on_write!(self, devices_mdm::import_amapi(items, warnings, w, sha256, progress))
    }
    /// The latest state the device's MDM reported, if any export has matched it.
    pub async fn device_mdm(&self, id: Uuid) -> Result<Option<DeviceMdm>> {
        on_read!(self, devices_mdm::device_mdm(id))
    }
    pub async fn allocate(&self, device: Uuid, person: Uuid, reason: &str, w: Write<'_>) -> Result<Device> {
        on_write!(self, devices::allocate(device, person, reason, w))
    }
    pub async fn transition(&self, device: Uuid, to: DeviceStatus, reason: &str, w: Write<'_>) -> Result<Device> {
        on_write!(self, devices::transition(device, to, reason, w))
    }
    pub async fn confirm_receipt(&self, device: Uuid, person: Uuid, w: Write<'_>) -> Result<Device> {
        on_write!(self, devices::confirm_receipt(device, person, w))
    }
    pub async fn report_loss(
        &self,
        device: Uuid,
        person: Uuid,
        stolen: bool,
        circumstances: &str,
        w: Write<'_>,
    ) -> Result<(Device, Uuid)> {
        on_write!(self, devices::report_loss(device, person, stolen, circumstances, w))
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct Device {
    pub id: Uuid,
    pub asset_tag: String,
    #[sqlx(try_from = "String")]
    pub device_type: DeviceType,
    pub make: String,
    pub model: String,
    pub serial: Option<String>,
    pub imei: Option<String>,
    pub phone_number: Option<String>,
    pub os: Option<String>,
    pub mdm_id: Option<String>,
    pub mdm_user: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub mdm_last_sync: Option<OffsetDateTime>,
    #[sqlx(try_from = "String")]
    pub status: DeviceStatus,
    pub holder_id: Option<Uuid>,
    #[sqlx(rename = "holder_staff")]
    pub holder_staff_number: Option<String>,
    pub holder_name: Option<String>,
    #[sqlx(rename = "holder_lm")]
    pub holder_line_manager_id: Option<Uuid>,
    /// When the current holder confirmed receipt (WP034 4.1, 4.7); None if not yet.
    #[serde(with = "time::serde::rfc3339::option")]
    pub receipt_confirmed_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// The latest state a device's MDM reported (WP034 4.7), as recorded by an import.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct DeviceMdm {
    pub device_id: Uuid,
    #[sqlx(try_from = "String")]
    pub source: MdmSource,
    /// The MDM's id for the device (Intune device id, AMAPI resource name).
    pub mdm_ref: String,
    pub compliance: Option<String>,
    pub jailbroken: Option<bool>,
    pub encrypted: Option<bool>,
    pub management_state: Option<String>,
    pub posture: Option<String>,
    #[sqlx(try_from = "crate::row::JsonText<Vec<String>>")]
    pub noncompliance: Vec<String>,
    /// The MDM's own time of the device's last check-in.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_sync: Option<OffsetDateTime>,
    /// When Custodian first recorded this state.
    #[serde(with = "time::serde::rfc3339")]
    pub as_of: OffsetDateTime,
    /// The SHA-256 of the export that reported it.
    pub file_sha256: String,
}

impl DeviceMdm {
    /// The state, as the rules read it.
    pub fn state(&self) -> MdmState {
        MdmState {
            source: self.source,
            mdm_ref: self.mdm_ref.clone(),
            compliance: self.compliance.clone(),
            jailbroken: self.jailbroken,
            encrypted: self.encrypted,
            management_state: self.management_state.clone(),
            posture: self.posture.clone(),
            noncompliance: self.noncompliance.clone(),
            last_sync: self.last_sync,
        }
    }
}

/// One line of a device's history.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct DeviceEvent {
    pub id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor: String,
    pub event: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    #[sqlx(rename = "staff_number")]
    pub person_staff_number: Option<String>,
    #[sqlx(rename = "name")]
    pub person_name: Option<String>,
    pub reason: String,
    pub clause: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct Allocation {
    pub id: Uuid,
    pub person_id: Uuid,
    pub staff_number: String,
    #[sqlx(rename = "name")]
    pub person_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub allocated_at: OffsetDateTime,
    pub allocated_by: String,
    pub reason: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub receipt_confirmed_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub ended_at: Option<OffsetDateTime>,
    pub end_reason: Option<String>,
}

/// The stored people and devices a register import's rows name ([`Store::register_refs`]).
#[derive(Debug, Clone, Default)]
pub struct RegisterRefs {
    /// Person id by staff number.
    pub people: std::collections::HashMap<String, Uuid>,
    /// Device id and current holder by asset tag.
    pub devices: std::collections::HashMap<String, (Uuid, Option<Uuid>)>,
}

/// What a correction of an allocation's dates changed: the device, and the instants whose
/// attribution may differ (from the earlier start to the later end; open when either is open).
#[derive(Debug, Clone)]
pub struct AllocationCorrected {
    pub device: Device,
    pub from_us: i64,
    pub to_us: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct DeviceFilter {
    pub status: Option<DeviceStatus>,
    pub device_type: Option<DeviceType>,
    /// Matches asset tag, serial, IMEI, phone number, make/model or holder name.
    pub q: Option<String>,
    pub holder_id: Option<Uuid>,
}
