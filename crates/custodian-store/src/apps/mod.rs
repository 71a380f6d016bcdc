//! Approved apps in the store (WP034 4.8, 6.5): the catalogue and its grants, the device
//! inventories from the MDM, the set-based evaluation that keeps one `apps.unapproved` finding per
//! device and app in step with them, and requests for unlisted apps through the approval chain
//! (Head of Department of the requester's business area, then Digital Services).
//!
//! The evaluation ([`Store::apps_evaluate`]) is one SQL statement over the installed apps of
//! held devices whose package is not approved for everyone (installs of apps approved for all
//! staff are never read), written into a temporary table, then three small differences against the
//! open findings: new findings, findings re-opened in place (same dedupe key), findings closed
//! because the app is gone or a grant now covers it. Only the changes are written, each with its
//! audit event, so a re-evaluation that changes nothing writes nothing but its summary event.

use custodian_domain::approvals::Verdict;
use custodian_domain::apps::{Audience, CatalogueRow, Category, ExportApp, InventoryRow, Platform};
use custodian_domain::people::Role;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::approvals::{ApprovalEvent, ApprovalRequest};
use crate::{ImportSummary, Progress, Result, Store, Write};

/// A grant as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct GrantRecord {
    pub id: Uuid,
    pub app_id: Uuid,
    #[sqlx(flatten, try_from = "AudienceColumns")]
    pub audience: Audience,
    /// For a person grant, the person's name.
    pub person_name: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    pub request_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

impl GrantRecord {
    /// Not revoked and not expired at `now`.
    pub fn live(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| now < e)
    }
    /// `all`, `role:dmi`, `area:...`, or `person:A1017`.
    pub fn audience_text(&self) -> String {
        self.audience.as_text()
    }
}

/// An app of the catalogue (or an unlisted app first named in a request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AppRecord {
    pub id: Uuid,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub platform: Platform,
    pub package_id: String,
    pub publisher: String,
    #[sqlx(try_from = "String")]
    pub category: Category,
    pub store_url: Option<String>,
    pub listed: bool,
    /// WP034 6.5 applies (a direct-messaging app); follows from `category`, set after the row is read.
    #[sqlx(skip)]
    pub direct_messaging: bool,
    /// Read after the app's row.
    #[sqlx(skip)]
    pub grants: Vec<GrantRecord>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl AppRecord {
    /// The app read from its row, with its grants.
    pub(crate) fn with_grants(mut self, grants: Vec<GrantRecord>) -> Self {
        self.direct_messaging = self.category.is_direct_messaging();
        self.grants = grants;
        self
    }
}

/// The audience columns of a stored grant: `scope` (`all`, `role`, `area`, `person`) and the
/// column that scope reads.
#[derive(sqlx::FromRow)]
pub(crate) struct AudienceColumns {
    scope: String,
    role: Option<String>,
    business_area: Option<String>,
    staff_number: Option<String>,
}

/// A stored grant whose audience does not read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BadAudience {
    #[error("{0:?} is not a grant scope (expected one of: all, role, area, person)")]
    Scope(String),
    #[error(transparent)]
    Role(#[from] custodian_domain::UnknownValue),
}

impl TryFrom<AudienceColumns> for Audience {
    type Error = BadAudience;

    fn try_from(c: AudienceColumns) -> std::result::Result<Self, BadAudience> {
        Ok(match c.scope.as_str() {
            "all" => Audience::All,
            "role" => Audience::Role(c.role.unwrap_or_default().parse::<Role>()?),
            "area" => Audience::Area(c.business_area.unwrap_or_default()),
            "person" => Audience::Person(c.staff_number.unwrap_or_default()),
            _ => return Err(BadAudience::Scope(c.scope)),
        })
    }
}

/// An app to add to the catalogue by hand.
#[derive(Debug, Clone)]
pub struct NewApp {
    pub name: String,
    pub platform: Platform,
    pub package_id: String,
    pub publisher: String,
    pub category: Category,
    pub store_url: Option<String>,
}

/// What one evaluation changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct EvalSummary {
    /// Installed apps on held devices not approved for the holder, now.
    pub unapproved: usize,
    pub opened: usize,
    pub reopened: usize,
    pub closed: usize,
}

/// An app seen on devices that is not in the catalogue, for Digital Services to review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnlistedSeen {
    pub package_id: String,
    pub app_name: Option<String>,
    pub devices: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen: OffsetDateTime,
}

/// One installed app on a device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Install {
    pub package_id: String,
    pub app_name: Option<String>,
    pub version: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub seen_at: OffsetDateTime,
}

/// The app a request names.
#[derive(Debug, Clone)]
pub enum RequestedApp {
    /// A catalogue entry (listed or not).
    Existing(Uuid),
    /// A new entry, recorded unlisted with its store link.
    New(NewApp),
}

/// A request for an app (WP034 4.8 a-b).
#[derive(Debug, Clone)]
pub struct NewAppRequest {
    pub requester: Uuid,
    pub app: RequestedApp,
    /// Devices held by the requester.
    pub devices: Vec<Uuid>,
    pub business_need: String,
}

/// Whom Digital Services' approval grants the app to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GrantTo {
    /// The requester (the default).
    #[default]
    Requester,
    /// Everyone holding a role.
    Role(Role),
}

/// A request for an app with its approval and timeline.
#[derive(Debug, Clone, Serialize)]
pub struct AppRequestRecord {
    pub id: Uuid,
    pub requester_id: Uuid,
    pub requester_name: String,
    pub business_area: Option<String>,
    pub app: AppRecord,
    /// Asset tags of the devices named.
    pub devices: Vec<String>,
    pub device_ids: Vec<Uuid>,
    pub business_need: String,
    pub grant_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub approval: ApprovalRequest,
    pub timeline: Vec<ApprovalEvent>,
}

impl Store {
    /// Load the catalogue CSV: apps upserted by platform and package id and listed; each row's
    /// `allowed_for` replaces that app's catalogue grants (grants made by requests stay). Then a
    /// full evaluation, all in one transaction.
    pub async fn apps_import_catalogue(
        &self,
        rows: &[CatalogueRow],
        w: Write<'_>,
        file_sha256: &str,
    ) -> Result<(ImportSummary, EvalSummary)> {
        on_write!(self, apps::import_catalogue(rows, w, file_sha256))
    }

    /// Add or update one app by hand (listed).
    pub async fn app_upsert(&self, a: &NewApp, w: Write<'_>) -> Result<Uuid> {
        on_write!(self, apps::upsert(a, w))
    }

    /// Every app with its grants, listed first, by name.
    pub async fn apps(&self) -> Result<Vec<AppRecord>> {
        on_read!(self, apps::list())
    }

    pub async fn app(&self, id: Uuid) -> Result<Option<AppRecord>> {
        on_read!(self, apps::get(id))
    }

    /// Grant an app to an audience (a person by staff number), optionally until `expires_at`;
    /// the app's findings are re-evaluated in the same transaction.
    pub async fn app_grant(
        &self,
        app: Uuid,
        audience: &Audience,
        expires_at: Option<OffsetDateTime>,
        w: Write<'_>,
    ) -> Result<(Uuid, EvalSummary)> {
        on_write!(self, apps::grant(app, audience, expires_at, w))
    }

    /// Revoke a grant; the app's findings are re-evaluated in the same transaction.
    pub async fn app_grant_revoke(&self, grant: Uuid, reason: &str, w: Write<'_>) -> Result<EvalSummary> {
        on_write!(self, apps::grant_revoke(grant, reason, w))
    }

    /// Import a device inventory: each device named replaces its installed apps; unknown
    /// devices are reported with their line; then a full evaluation. One transaction.
    pub async fn apps_import_inventory(
        &self,
        rows: &[InventoryRow],
        w: Write<'_>,
        file_sha256: &str,
        progress: Progress<'_>,
    ) -> Result<(ImportSummary, EvalSummary)> {
        on_write!(self, apps::import_inventory(rows, w, file_sha256, progress))
    }

    /// Re-evaluate every installed app on every held device (WP034 4.8).
    pub async fn apps_evaluate(&self, w: Write<'_>) -> Result<EvalSummary> {
        on_write!(self, apps::evaluate(w))
    }

    /// The same evaluation as one SQL query, read only: the number of installed apps not
    /// approved for their device's holder (for the benchmark's side-by-side).
    pub async fn apps_unapproved_count_one_query(&self, now: OffsetDateTime) -> Result<i64> {
        on_read!(self, apps::unapproved_count_one_query(now))
    }

    /// Grants that expired since the last sweep: mark them and re-evaluate their apps, so
    /// findings re-open for devices that still have the app. Returns what changed.
    pub async fn apps_sweep_expired(&self, now: OffsetDateTime) -> Result<EvalSummary> {
        on_write!(self, apps::sweep_expired(now))
    }

    /// Apps seen on devices that are not in the catalogue.
    pub async fn apps_unlisted_seen(&self) -> Result<Vec<UnlistedSeen>> {
        on_read!(self, apps::unlisted_seen())
    }

    /// What the MDM last saw on a device.
    pub async fn apps_installed(&self, device: Uuid) -> Result<Vec<Install>> {
        on_read!(self, apps::installed(device))
    }

    /// The apps approved for everyone holding `role` (grants to all staff or to the role), for
    /// the MDM export.
    pub async fn apps_for_role(&self, role: Role, now: OffsetDateTime) -> Result<Vec<ExportApp>> {
        on_read!(self, apps::for_role(role, now))
    }

    /// Request an app: the request, and its approval (the Head of Department of the
    /// requester's business area now, then Digital Services), in one transaction.
    pub async fn app_request(&self, r: &NewAppRequest, w: Write<'_>) -> Result<Uuid> {
        on_write!(self, apps::request_create(r, w))
    }

    pub async fn app_request_get(&self, id: Uuid) -> Result<Option<AppRequestRecord>> {
        on_read!(self, apps::request_get(id))
    }

    /// The requests `person` made, newest first.
    pub async fn app_requests_of(&self, person: Uuid) -> Result<Vec<AppRequestRecord>> {
        on_read!(self, apps::requests_of(person))
    }

    /// Decide a step of an app request; Digital Services' approval grants the app (to the
    /// requester or a role, optionally expiring) and closes the findings it covers, all in the
    /// deciding transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn app_request_decide(
        &self,
        id: Uuid,
        step: &str,
        person: Uuid,
        verdict: Verdict,
        reasons: Option<&str>,
        grant_to: GrantTo,
        expires_at: Option<OffsetDateTime>,
        w: Write<'_>,
    ) -> Result<AppRequestRecord> {
        on_write!(self, apps::request_decide(id, step, person, verdict, reasons, grant_to, expires_at, w))
    }
}
