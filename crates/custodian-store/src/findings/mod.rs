//! Findings: what the rules raised, and their review.

use custodian_domain::findings::{Consideration, FindingStatus, Outcome, Severity};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::row::{JsonText, OptText};
use crate::{Page, Result, Store, Write};

impl Store {
    pub async fn raise(&self, f: &NewFinding, w: Write<'_>) -> Result<Option<Uuid>> {
        on_write!(self, findings::raise(f, w))
    }
    pub async fn finding(&self, id: Uuid) -> Result<Option<Finding>> {
        on_read!(self, findings::finding_by_id(id))
    }
    pub async fn findings(&self, f: &FindingFilter, page: i64, per_page: i64) -> Result<Page<Finding>> {
        on_read!(self, findings::findings_page(f, page, per_page))
    }
    pub async fn findings_scan<F>(&self, f: F) -> Result<()>
    where
        F: FnMut(Finding) -> Result<()> + Send,
    {
        on_read_once!(self, findings::findings_scan(f))
    }
    /// Review a finding (WP034 4.10): its new status, the outcome and reasons, and the
    /// considerations of 4.10 the reviewer weighed; kept in its history and audited.
    #[allow(clippy::too_many_arguments)]
    pub async fn review_finding(
        &self,
        id: Uuid,
        to: FindingStatus,
        outcome: Option<Outcome>,
        reasons: Option<&str>,
        considerations: &[Consideration],
        reviewer: Uuid,
        w: Write<'_>,
    ) -> Result<Finding> {
        on_write!(self, findings::review_finding(id, to, outcome, reasons, considerations, reviewer, w))
    }
    /// A finding's reviews, oldest first, with their reviewers' names.
    pub async fn finding_reviews(&self, id: Uuid) -> Result<Vec<FindingReview>> {
        on_read!(self, findings::reviews_of(id))
    }
}

/// A finding as stored, with its person's and device's names (read as the columns of
/// `FINDING_SELECT`).
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct Finding {
    pub id: Uuid,
    pub rule: String,
    pub clause: String,
    pub person_id: Option<Uuid>,
    pub person_staff_number: Option<String>,
    pub person_name: Option<String>,
    pub person_line_manager_id: Option<Uuid>,
    pub device_id: Option<Uuid>,
    pub device_asset_tag: Option<String>,
    pub summary: String,
    #[sqlx(try_from = "JsonText<serde_json::Value>")]
    pub evidence: serde_json::Value,
    #[sqlx(try_from = "JsonText<Vec<String>>")]
    pub records: Vec<String>,
    #[sqlx(try_from = "String")]
    pub severity: Severity,
    #[sqlx(try_from = "String")]
    pub status: FindingStatus,
    #[sqlx(try_from = "OptText<Outcome>")]
    pub outcome: Option<Outcome>,
    pub reviewer_id: Option<Uuid>,
    pub reasons: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub opened_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
}

/// One review of a finding (WP034 4.10), as its history shows it.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct FindingReview {
    pub id: Uuid,
    pub reviewer_id: Uuid,
    pub reviewer_name: String,
    pub reviewer_staff_number: String,
    #[sqlx(try_from = "String")]
    pub status: FindingStatus,
    #[sqlx(try_from = "OptText<Outcome>")]
    pub outcome: Option<Outcome>,
    pub reasons: Option<String>,
    #[sqlx(try_from = "JsonText<Vec<Consideration>>")]
    pub considerations: Vec<Consideration>,
    #[serde(with = "time::serde::rfc3339")]
    pub reviewed_at: OffsetDateTime,
}

/// A finding to raise. `dedupe_key` makes raising idempotent: the same key never opens twice.
#[derive(Debug, Clone)]
pub struct NewFinding {
    pub rule: &'static custodian_domain::findings::Rule,
    pub dedupe_key: String,
    pub person_id: Option<Uuid>,
    pub device_id: Option<Uuid>,
    pub summary: String,
    pub evidence: serde_json::Value,
    pub records: Vec<String>,
}

/// Filters for lists; `None` means any.

#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    pub status: Option<FindingStatus>,
    pub rule: Option<String>,
    pub person_id: Option<Uuid>,
    pub device_id: Option<Uuid>,
    /// Restrict to findings this person may see: their own, their reports', or all when None.
    pub visible_to: Option<Visibility>,
}

/// Need-to-know filter for finding lists (the permission policy decides per finding; this
/// narrows the query to the candidates).
#[derive(Debug, Clone)]
pub struct Visibility {
    pub person_id: Uuid,
    /// Sees every finding (Digital Services, PSD, auditors).
    pub all: bool,
}
