//! The API's JSON shapes, kept apart from storage records so the contract is stable and
//! described in the OpenAPI document.

use custodian_store as s;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

fn ts(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// Paging query: `page` from 1, `per_page` up to 500 (default 50).
#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

impl Paging {
    /// The page (from 1) and page size (1 to 500). A page past the last answers no items; one
    /// so far that its offset would not fit a 64-bit integer is read as the farthest that does.
    pub fn resolve(&self) -> (i64, i64) {
        let per_page = self.per_page.unwrap_or(50).clamp(1, 500);
        (self.page.unwrap_or(1).clamp(1, i64::MAX / per_page), per_page)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonOut {
    pub id: Uuid,
    pub staff_number: String,
    pub name: String,
    pub email: String,
    /// officer, staff or volunteer
    pub kind: String,
    pub business_area: String,
    pub line_manager: Option<String>,
    pub roles: Vec<String>,
    /// active or leaver
    pub status: String,
    pub head_of_department: bool,
}

impl From<&s::Person> for PersonOut {
    fn from(p: &s::Person) -> Self {
        Self {
            id: p.id,
            staff_number: p.staff_number.clone(),
            name: p.name.clone(),
            email: p.email.clone(),
            kind: p.kind.as_str().into(),
            business_area: p.business_area.clone(),
            line_manager: p.line_manager_staff_number.clone(),
            roles: p.roles.iter().map(|r| r.as_str().to_string()).collect(),
            status: p.status.as_str().into(),
            head_of_department: p.is_head_of_department,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceOut {
    pub id: Uuid,
    pub asset_tag: String,
    /// laptop, tablet, phone, radio or other
    #[serde(rename = "type")]
    pub device_type: String,
    pub make: String,
    pub model: String,
    pub serial: Option<String>,
    pub imei: Option<String>,
    /// E.164
    pub phone_number: Option<String>,
    pub os: Option<String>,
    pub mdm_id: Option<String>,
    /// in_stock, allocated, returned, lost, stolen, damaged, in_repair, in_examination, retired
    pub status: String,
    /// Staff number of the holder (WP034 4.1), when allocated.
    pub holder: Option<String>,
    pub holder_name: Option<String>,
    /// RFC 3339; when the holder confirmed receipt.
    pub receipt_confirmed_at: Option<String>,
    pub updated_at: String,
}

impl From<&s::Device> for DeviceOut {
    fn from(d: &s::Device) -> Self {
        Self {
            id: d.id,
            asset_tag: d.asset_tag.clone(),
            device_type: d.device_type.as_str().into(),
            make: d.make.clone(),
            model: d.model.clone(),
            serial: d.serial.clone(),
            imei: d.imei.clone(),
            phone_number: d.phone_number.clone(),
            os: d.os.clone(),
            mdm_id: d.mdm_id.clone(),
            status: d.status.as_str().into(),
            holder: d.holder_staff_number.clone(),
            holder_name: d.holder_name.clone(),
            receipt_confirmed_at: d.receipt_confirmed_at.map(ts),
            updated_at: ts(d.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceEventOut {
    pub at: String,
    pub actor: String,
    pub event: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub person: Option<String>,
    pub reason: String,
    /// The WP034 clause the step rests on.
    pub clause: String,
}

impl From<&s::DeviceEvent> for DeviceEventOut {
    fn from(e: &s::DeviceEvent) -> Self {
        Self {
            at: ts(e.at),
            actor: e.actor.clone(),
            event: e.event.clone(),
            from_status: e.from_status.clone(),
            to_status: e.to_status.clone(),
            person: e.person_staff_number.clone(),
            reason: e.reason.clone(),
            clause: e.clause.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingOut {
    pub id: Uuid,
    pub rule: String,
    /// The WP034 clause the finding rests on, and its words.
    pub clause: String,
    pub clause_text: String,
    pub person: Option<String>,
    pub device: Option<String>,
    pub summary: String,
    #[schema(value_type = Object)]
    pub evidence: serde_json::Value,
    pub records: Vec<String>,
    pub severity: String,
    pub status: String,
    pub outcome: Option<String>,
    pub reasons: Option<String>,
    pub opened_at: String,
    pub closed_at: Option<String>,
}

impl From<&s::Finding> for FindingOut {
    fn from(f: &s::Finding) -> Self {
        Self {
            id: f.id,
            rule: f.rule.clone(),
            clause: f.clause.clone(),
            clause_text: custodian_domain::policy::clause(&f.clause).map(|c| c.text().into_owned()).unwrap_or_default(),
            person: f.person_staff_number.clone(),
            device: f.device_asset_tag.clone(),
            summary: f.summary.clone(),
            evidence: f.evidence.clone(),
            records: f.records.clone(),
            severity: f.severity.as_str().into(),
            status: f.status.as_str().into(),
            outcome: f.outcome.map(|o| o.as_str().to_string()),
            reasons: f.reasons.clone(),
            opened_at: ts(f.opened_at),
            closed_at: f.closed_at.map(ts),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventOut {
    pub seq: i64,
    pub id: Uuid,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub clause: Option<String>,
    pub justification: Option<String>,
    pub before_digest: Option<String>,
    pub after_digest: Option<String>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub leaf_hash: String,
}

impl From<&s::AuditEvent> for AuditEventOut {
    fn from(e: &s::AuditEvent) -> Self {
        Self {
            seq: e.seq,
            id: e.id,
            at: ts(e.at),
            actor: e.actor.clone(),
            action: e.action.clone(),
            subject: e.subject.clone(),
            clause: e.clause.clone(),
            justification: e.justification.clone(),
            before_digest: e.before_digest.clone(),
            after_digest: e.after_digest.clone(),
            detail: e.detail.clone(),
            leaf_hash: e.leaf_hash.clone(),
        }
    }
}

macro_rules! page_type {
    ($name:ident, $item:ty) => {
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
            pub total: i64,
            pub page: i64,
            pub per_page: i64,
        }
    };
}
page_type!(PersonPage, PersonOut);

/// A page of devices. Pass `next_after` back as `after` for the next page (keyset paging);
/// `page` numbers work too.
#[derive(Debug, Serialize, ToSchema)]
pub struct DevicePage {
    pub items: Vec<DeviceOut>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// The last asset tag on this page when the page is full (there may be more), else null.
    pub next_after: Option<String>,
}
page_type!(FindingPage, FindingOut);
page_type!(AuditPage, AuditEventOut);

#[derive(Debug, Deserialize, ToSchema)]
pub struct AllocateIn {
    /// Staff number of the person who will hold the device.
    pub staff_number: String,
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TransitionIn {
    /// returned, lost, stolen, damaged, in_repair, in_examination, in_stock or retired
    pub status: String,
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReportLossIn {
    pub stolen: bool,
    pub circumstances: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewIn {
    /// under_review or closed
    pub status: String,
    /// no_action, advice_given, referred_to_psd or false_positive (to close)
    pub outcome: Option<String>,
    pub reasons: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DeviceIn {
    pub asset_tag: String,
    #[serde(rename = "type")]
    pub device_type: String,
    pub make: String,
    pub model: String,
    pub serial: Option<String>,
    pub imei: Option<String>,
    pub phone_number: Option<String>,
    pub os: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportOut {
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub findings_opened: usize,
    pub unmatched: Vec<crate::error::FieldProblem>,
}

impl From<s::ImportSummary> for ImportOut {
    fn from(s: s::ImportSummary) -> Self {
        Self {
            rows: s.rows,
            created: s.created,
            updated: s.updated,
            unchanged: s.unchanged,
            findings_opened: s.findings_opened,
            unmatched: s.unmatched.into_iter().map(crate::error::FieldProblem::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyOut {
    pub events: u64,
    pub root: String,
    pub checkpoints_checked: usize,
    pub intact: bool,
    pub problem: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClauseOut {
    pub id: String,
    pub title: String,
    pub text: String,
}
