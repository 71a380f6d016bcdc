//! Declarations of notifiable associations and reports to Professional Standards (WP034 7.2,
//! 7.3, 8.1). Need-to-know: the store returns a declaration to whoever asks; the server lets only
//! the declarant and its assessors (the Force Vetting Unit, and Professional Standards where the
//! category requires) ask, and writes every assessor's view as an audit event with its reason
//! ([`Store::declaration_viewed`]). A report is returned only to Professional Standards and to
//! its reporter (the server's check); the reporter is always recorded, whatever the report says
//! about anonymity to colleagues.

use custodian_domain::declarations::{Declaration, Outcome, ReportedThing, Triage};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Result, Store, Write};

/// One declaration, with its declarant's name and staff number.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DeclarationRow {
    pub id: Uuid,
    pub person_id: Uuid,
    pub name: String,
    pub staff_number: String,
    /// association or nothing_to_declare.
    pub kind: String,
    pub platform: Option<String>,
    pub counterpart: Option<String>,
    pub nature: Option<String>,
    pub category: Option<String>,
    pub psd_required: bool,
    /// submitted or assessed.
    pub status: String,
    pub outcome: Option<String>,
    pub conditions: Option<String>,
    pub assessed_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub assessed_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A report to Professional Standards, with its reporter (for PSD and the reporter only).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ReportRow {
    pub id: Uuid,
    pub reporter_id: Uuid,
    pub reporter_name: String,
    pub reporter_staff_number: String,
    pub anonymous: bool,
    pub platform: String,
    pub what: String,
    pub subject: Option<String>,
    pub description: String,
    /// received, triaged or closed.
    pub status: String,
    pub outcome: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
}

/// An evidence file's record (its bytes are read apart).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EvidenceRow {
    pub id: Uuid,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    #[serde(with = "time::serde::rfc3339")]
    pub added_at: OffsetDateTime,
}

/// One step of a report's timeline.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ReportEvent {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor: String,
    pub event: String,
    pub outcome: Option<String>,
    pub note: Option<String>,
}

/// A new report as the reporter gives it.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub anonymous: bool,
    pub platform: String,
    pub what: ReportedThing,
    /// Who or what is reported (a colleague, a group's name), if the reporter says.
    pub subject: Option<String>,
    pub description: String,
}

/// An evidence file, already type-checked (`custodian_domain::declarations::check_evidence`).
#[derive(Debug, Clone)]
pub struct NewEvidence {
    pub file_name: String,
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
}

/// A personal-profile check the person asked to keep (WP034 7.1, 7.2).
#[derive(Debug, Clone)]
pub struct NewKeptCheck {
    pub text: String,
    /// The advice as JSON.
    pub advice: String,
    /// The advice's categories, for the audit event (never the text).
    pub categories: Vec<String>,
    pub pack_version: String,
}

/// A kept check, for the person who kept it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct KeptCheck {
    pub id: Uuid,
    pub text: String,
    /// The advice as JSON.
    pub advice: String,
    pub pack_version: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl Store {
    /// Keep a personal-profile check for `person` (only when they ask).
    pub async fn personal_check_keep(&self, person: Uuid, k: &NewKeptCheck, w: Write<'_>) -> Result<Uuid> {
        on_write!(self, declarations::personal_check_keep(person, k, w))
    }
    /// A person's kept checks, newest first.
    pub async fn personal_checks_of(&self, person: Uuid) -> Result<Vec<KeptCheck>> {
        on_read!(self, declarations::personal_checks_of(person))
    }
    /// Delete one of a person's kept checks; `false` if they have none with that id.
    pub async fn personal_check_delete(&self, id: Uuid, person: Uuid, w: Write<'_>) -> Result<bool> {
        on_write!(self, declarations::personal_check_delete(id, person, w))
    }
    /// Record a declaration (`None`: nothing to declare) by `person`, and complete their open
    /// re-declaration campaigns. `psd_required` comes from the category's entry in the pack.
    pub async fn declaration_make(
        &self,
        person: Uuid,
        d: Option<&Declaration>,
        psd_required: bool,
        w: Write<'_>,
    ) -> Result<DeclarationRow> {
        on_write!(self, declarations::make(person, d, psd_required, w))
    }
    /// A person's own declarations, newest first.
    pub async fn declarations_of(&self, person: Uuid) -> Result<Vec<DeclarationRow>> {
        on_read!(self, declarations::of_person(person))
    }
    /// The declarations of associations waiting for assessment (`psd_only`: those whose category
    /// Professional Standards assess), oldest first, and the last `recent` assessed.
    pub async fn declarations_queue(&self, psd_only: bool, recent: i64) -> Result<Vec<DeclarationRow>> {
        on_read!(self, declarations::queue(psd_only, recent))
    }
    /// One declaration.
    pub async fn declaration(&self, id: Uuid) -> Result<Option<DeclarationRow>> {
        on_read!(self, declarations::one(id))
    }
    /// Record an assessor's view of a declaration and their reason (an audit event).
    pub async fn declaration_viewed(&self, id: Uuid, reason: &str, w: Write<'_>) -> Result<()> {
        on_write!(self, declarations::viewed(id, reason, w))
    }
    /// Record the assessment of a declaration, once; nobody assesses their own.
    pub async fn declaration_assess(
        &self,
        id: Uuid,
        outcome: Outcome,
        conditions: Option<&str>,
        assessor: Uuid,
        w: Write<'_>,
    ) -> Result<DeclarationRow> {
        on_write!(self, declarations::assess(id, outcome, conditions, assessor, w))
    }
    /// Start the annual re-declaration (a campaign of kind `declaration` on the version in force
    /// of `reference`, clause 7.3): everyone active is enrolled; a declaration or "nothing to
    /// declare" completes it.
    pub async fn declaration_campaign_create(
        &self,
        reference: &str,
        title: &str,
        due_on: time::Date,
        w: Write<'_>,
    ) -> Result<(crate::policy::Campaign, u64)> {
        on_write!(self, declarations::campaign_create(reference, title, due_on, w))
    }
    /// Record a report to Professional Standards with its evidence files.
    pub async fn report_create(
        &self,
        reporter: Uuid,
        r: &NewReport,
        evidence: &[NewEvidence],
        w: Write<'_>,
    ) -> Result<ReportRow> {
        on_write!(self, declarations::report_create(reporter, r, evidence, w))
    }
    /// One report.
    pub async fn report(&self, id: Uuid) -> Result<Option<ReportRow>> {
        on_read!(self, declarations::report(id))
    }
    /// Every report (`open_only`: received or triaged), newest first.
    pub async fn reports(&self, open_only: bool) -> Result<Vec<ReportRow>> {
        on_read!(self, declarations::reports(open_only))
    }
    /// A reporter's own reports, newest first.
    pub async fn reports_of(&self, reporter: Uuid) -> Result<Vec<ReportRow>> {
        on_read!(self, declarations::reports_of(reporter))
    }
    /// A report's evidence files.
    pub async fn report_evidence(&self, report: Uuid) -> Result<Vec<EvidenceRow>> {
        on_read!(self, declarations::evidence(report))
    }
    /// One evidence file's record and bytes.
    pub async fn report_evidence_file(&self, report: Uuid, file: Uuid) -> Result<Option<(EvidenceRow, Vec<u8>)>> {
        on_read!(self, declarations::evidence_file(report, file))
    }
    /// A report's timeline, oldest first.
    pub async fn report_events(&self, report: Uuid) -> Result<Vec<ReportEvent>> {
        on_read!(self, declarations::events(report))
    }
    /// Record Professional Standards' view of a report (an audit event).
    pub async fn report_viewed(&self, id: Uuid, w: Write<'_>) -> Result<()> {
        on_write!(self, declarations::report_viewed(id, w))
    }
    /// Triage a received report (WP034 8.1): no action or management action close it; a
    /// conduct assessment leaves it open (triaged) until PSD close it.
    pub async fn report_triage(&self, id: Uuid, triage: Triage, note: Option<&str>, w: Write<'_>) -> Result<ReportRow> {
        on_write!(self, declarations::triage(id, triage, note, w))
    }
    /// Close a report under conduct assessment, with a note.
    pub async fn report_close(&self, id: Uuid, note: &str, w: Write<'_>) -> Result<ReportRow> {
        on_write!(self, declarations::close(id, note, w))
    }
}
