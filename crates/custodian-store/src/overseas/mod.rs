//! Overseas-use requests on the approval chain (WP034 4.2), streaming exceptions (4.6) and the
//! usage import history (4.1) in the store.
//!
//! A person asks to use devices they hold overseas: countries, dates and purpose. The request
//! keeps its window in `overseas_windows` with status `requested` and opens an approval request
//! (kind `overseas_use`, subject `overseas:<window id>`) in the same transaction, decided by the
//! person's line manager (fixed when the request is made), Digital Services and the Force Vetting
//! Unit, in any order. The chain's effect (`EFFECT` in `overseas/sql.rs`) makes the
//! window `approved` when the last of the three approves, `rejected` on any rejection, and the
//! withdrawal hook makes it `withdrawn`, each with a `usage.overseas.*` audit event under 4.2 in
//! the deciding transaction. Only approved windows silence `usage.roaming` and are exported for
//! the MDM (see `usage_register` and `overseas::windows(Some("approved"))`).

use custodian_domain::approvals::RequestStatus;
use custodian_domain::usage::OverseasWindow;
use serde::Serialize;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::row::{CommaList, IsoDate};
use crate::{Result, Store, StoreError, Write};

/// The kind of approval request an overseas-use request opens.
pub const OVERSEAS_KIND: &str = "overseas_use";

/// What a person asks for.
#[derive(Debug, Clone)]
pub struct NewOverseasRequest {
    pub person: Uuid,
    /// Devices the person holds now (at least one).
    pub devices: Vec<Uuid>,
    /// ISO 3166-1 alpha-2 codes, upper case.
    pub countries: Vec<String>,
    pub from: Date,
    /// Inclusive.
    pub to: Date,
    pub purpose: String,
}

/// An overseas-use window with its request's state, for lists and pages.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OverseasItem {
    pub id: Uuid,
    pub person_id: Uuid,
    pub person_name: String,
    pub staff_number: String,
    /// The line manager fixed when the request was made (None for windows recorded by the CLI).
    pub line_manager_id: Option<Uuid>,
    pub line_manager_name: Option<String>,
    #[sqlx(try_from = "CommaList<Uuid>")]
    pub devices: Vec<Uuid>,
    /// The asset tags of `devices`, in the same order.
    #[sqlx(skip)]
    pub device_tags: Vec<String>,
    #[sqlx(try_from = "CommaList<String>")]
    pub countries: Vec<String>,
    #[sqlx(rename = "from_date", try_from = "IsoDate")]
    pub from: Date,
    #[sqlx(rename = "to_date", try_from = "IsoDate")]
    pub to: Date,
    pub purpose: String,
    /// requested, approved, rejected or withdrawn.
    pub status: String,
    /// The approval request's id for requests; the reference given for windows recorded by the CLI.
    pub approval_ref: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
}

impl OverseasItem {
    /// The approval request's id, when the window was requested through the chain.
    pub fn approval_id(&self) -> Option<Uuid> {
        Uuid::parse_str(&self.approval_ref).ok()
    }
}

/// Which windows to list.
#[derive(Debug, Clone, Default)]
pub struct OverseasFilter {
    /// Only this person's windows.
    pub person: Option<Uuid>,
    /// Only windows whose fixed line manager is this person.
    pub line_manager: Option<Uuid>,
    /// Only windows with this status.
    pub status: Option<String>,
}

/// A recorded streaming exception (WP034 4.6).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StreamingExceptionItem {
    pub id: Uuid,
    pub person_id: Uuid,
    pub person_name: String,
    pub staff_number: String,
    pub line_manager_id: Option<Uuid>,
    pub reason: String,
    pub approver_id: Uuid,
    pub approver_name: String,
    pub from_us: i64,
    pub expires_us: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// An overseas-use window as recorded.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OverseasRecord {
    #[sqlx(flatten, try_from = "WindowColumns")]
    pub window: OverseasWindow,
    pub staff_number: String,
    pub purpose: String,
    pub status: String,
    pub approval_ref: String,
}

/// The columns of a stored overseas window that make a [`OverseasWindow`].
#[derive(sqlx::FromRow)]
pub(crate) struct WindowColumns {
    id: Uuid,
    person_id: Uuid,
    #[sqlx(try_from = "CommaList<Uuid>")]
    devices: Vec<Uuid>,
    #[sqlx(try_from = "CommaList<String>")]
    countries: Vec<String>,
    #[sqlx(try_from = "IsoDate")]
    from_date: Date,
    #[sqlx(try_from = "IsoDate")]
    to_date: Date,
}

impl From<WindowColumns> for OverseasWindow {
    fn from(c: WindowColumns) -> Self {
        OverseasWindow {
            id: c.id,
            person: c.person_id,
            devices: c.devices,
            countries: c.countries,
            from: c.from_date,
            to: c.to_date,
        }
    }
}

/// ISO 3166-1 alpha-2 shape: two ASCII capitals.
pub fn valid_country(c: &str) -> bool {
    c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())
}

impl Store {
    /// Request overseas use (WP034 4.2): the window (status `requested`) and its approval request
    /// (line manager, Digital Services, Force Vetting Unit; all of them, any order), in one
    /// transaction with the audit events. Returns (window id, approval request id).
    pub async fn overseas_request(&self, r: &NewOverseasRequest, w: Write<'_>) -> Result<(Uuid, Uuid)> {
        if r.devices.is_empty() {
            return Err(StoreError::Invalid("devices: choose at least one device you hold".into()));
        }
        if r.countries.is_empty() || !r.countries.iter().all(|c| valid_country(c)) {
            return Err(StoreError::Invalid("countries: give ISO 3166-1 alpha-2 codes such as FR".into()));
        }
        if r.from > r.to {
            return Err(StoreError::Invalid("to: the window ends before it starts".into()));
        }
        if r.purpose.trim().is_empty() {
            return Err(StoreError::Invalid("purpose: say why the device is needed overseas".into()));
        }
        on_write!(self, overseas::request(r, w))
    }

    /// Overseas-use windows matching `f`, newest first.
    pub async fn overseas_list(&self, f: &OverseasFilter) -> Result<Vec<OverseasItem>> {
        on_read!(self, overseas::list(f))
    }

    pub async fn overseas_item(&self, id: Uuid) -> Result<Option<OverseasItem>> {
        on_read!(self, overseas::item(id))
    }

    /// Every recorded streaming exception, newest first.
    pub async fn streaming_exceptions(&self) -> Result<Vec<StreamingExceptionItem>> {
        on_read!(self, overseas::streaming_exceptions_list())
    }

    /// Overseas-use windows (all, or those with `status`).
    pub async fn overseas_windows(&self, status: Option<&str>) -> Result<Vec<OverseasRecord>> {
        on_read!(self, overseas::windows(status))
    }

    /// Record an approved overseas-use window (WP034 4.2).
    pub async fn record_overseas_window(
        &self,
        window: &OverseasWindow,
        purpose: &str,
        approval_ref: &str,
        w: Write<'_>,
    ) -> Result<()> {
        if window.countries.is_empty()
            || window.countries.iter().any(|c| c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return Err(StoreError::Invalid("countries: give ISO 3166-1 alpha-2 codes such as FR".into()));
        }
        if window.from > window.to {
            return Err(StoreError::Invalid("to: the window ends before it starts".into()));
        }
        if purpose.trim().is_empty() {
            return Err(StoreError::Invalid("purpose: say why the device is needed overseas".into()));
        }
        on_write!(self, overseas::record_window(window, purpose, approval_ref, w))
    }

    /// Record a policing-purpose exception for streaming video (WP034 4.6).
    pub async fn record_streaming_exception(
        &self,
        person: Uuid,
        reason: &str,
        approver: Uuid,
        from_us: i64,
        expires_us: i64,
        w: Write<'_>,
    ) -> Result<Uuid> {
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid("reason: name the policing purpose".into()));
        }
        if from_us >= expires_us {
            return Err(StoreError::Invalid("expires: the exception must end after it starts".into()));
        }
        let id = Uuid::now_v7();
        on_write!(self, overseas::record_streaming_exception(id, person, reason, approver, from_us, expires_us, w))?;
        Ok(id)
    }
}

/// The window status an approval request's status gives.
pub fn window_status(s: RequestStatus) -> &'static str {
    match s {
        RequestStatus::Pending => "requested",
        RequestStatus::Approved => "approved",
        RequestStatus::Rejected => "rejected",
        RequestStatus::Withdrawn => "withdrawn",
    }
}
