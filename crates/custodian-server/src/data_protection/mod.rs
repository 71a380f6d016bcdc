//! Data protection (WP034 3.4, 5.3, 5.5; UK GDPR, DPA 2018) in the server: the retention status
//! for the Data Protection Officer and Digital Services, legal holds placed by Professional
//! Standards, subject access exports for the Data Protection Officer, and the deletion job that
//! runs once per tick across every server (`ops::Job::Retention`).

pub mod api;
pub mod record;
pub mod ui;

use custodian_authz::{Action, Resource};
use custodian_domain::data_protection::{Schedule, check_hold, export, parse_case_ref};
use custodian_store::AuditEntry;
use custodian_store::data_protection::{EXPORT_SECTIONS, LegalHold, NewHold, RetentionStatus, RunReport};
use serde_json::json;
use time::Date;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;

/// The schedule in force (compiled in from `policy-pack/retention.toml`).
pub fn schedule() -> &'static Schedule {
    Schedule::builtin()
}

/// Each record type with its count, oldest record and how many are due.
pub async fn status(state: &AppState, user: &CurrentUser) -> Result<Vec<RetentionStatus>, AppError> {
    state.require(user, Action::RetentionView, &Resource::System)?;
    Ok(state.store().retention_status(schedule(), state.now()).await?)
}

/// Legal holds (open first).
pub async fn holds(state: &AppState, user: &CurrentUser, include_released: bool) -> Result<Vec<LegalHold>, AppError> {
    state.require(user, Action::HoldsView, &Resource::System)?;
    Ok(state.store().holds(include_released).await?)
}

/// What PSD fills in to place a hold: a staff number or a case reference, a reason and a
/// review date.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct HoldForm {
    #[serde(default)]
    pub staff_number: String,
    #[serde(default)]
    pub case: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub review_on: String,
}

/// Place a legal hold (WP034 5.5): PSD only.
pub async fn place_hold(state: &AppState, user: &CurrentUser, f: &HoldForm) -> Result<Uuid, AppError> {
    state.require(user, Action::HoldsManage, &Resource::System)?;
    let (sn, case) = (f.staff_number.trim(), f.case.trim());
    let (person, case) = match (sn.is_empty(), case.is_empty()) {
        (false, true) => {
            let sn = custodian_domain::people::staff_number_in(sn);
            let p = state
                .store()
                .person_by_staff_number(&sn.to_ascii_uppercase())
                .await?
                .ok_or_else(|| AppError::invalid("staff_number", format!("No person with staff number {sn}")))?;
            (Some(p.id), None)
        }
        (true, false) => (None, Some(parse_case_ref(case).map_err(|m| AppError::invalid("case", m))?)),
        _ => {
            return Err(AppError::invalid("staff_number", "Give either a staff number or a case, not both or neither"));
        }
    };
    let review_on = crate::overseas::parse_day("review_on", &f.review_on)?;
    check_hold(&f.reason, review_on, state.now().date()).map_err(|m| match m.split_once(": ") {
        Some((field, msg)) => AppError::invalid(field, msg),
        None => AppError::invalid("reason", m),
    })?;
    let h = NewHold { person, case, reason: f.reason.trim().to_string(), review_on };
    Ok(state.store().hold_place(&h, &user.actor, state.now()).await?)
}

/// Release a legal hold, with the reason: PSD only.
pub async fn release_hold(state: &AppState, user: &CurrentUser, id: Uuid, reason: &str) -> Result<(), AppError> {
    state.require(user, Action::HoldsManage, &Resource::System)?;
    if reason.trim().chars().count() < 10 {
        return Err(AppError::invalid("reason", "Say why the hold can end (at least 10 characters)"));
    }
    Ok(state.store().hold_release(id, reason, &user.actor, state.now()).await?)
}

/// Check a subject access export may go ahead, and audit it (before anything is read): the
/// person's id, with the request reference the DPO gave.
pub async fn begin_export(
    state: &AppState,
    user: &CurrentUser,
    staff_number: &str,
    reason: &str,
    form: export::Form,
) -> Result<custodian_store::Person, AppError> {
    state.require(user, Action::SubjectAccessExport, &Resource::System)?;
    let reason = custodian_domain::validate::access_reason(reason).map_err(|m| AppError::invalid("reason", m))?;
    let p = state
        .store()
        .person_by_staff_number(&staff_number.trim().to_ascii_uppercase())
        .await?
        .ok_or_else(|| AppError::NotFound(format!("No person with staff number {}.", staff_number.trim())))?;
    state.log_view(user, export_event(&p.staff_number, &reason, form)).await?;
    Ok(p)
}

/// The audit event of a subject access export (UK GDPR Art. 15; WP034 3.4).
pub fn export_event(staff_number: &str, reason: &str, form: export::Form) -> AuditEntry {
    AuditEntry::new("data_protection.subject_access.export", format!("person:{staff_number}"))
        .clause("3.4")
        .justification(reason)
        .detail(json!({"form": if form == export::Form::Json { "json" } else { "html" }}))
}

/// What heads every export: who it is about, when it was made, what is redacted and withheld.
fn export_meta(staff_number: &str, generated_at: time::OffsetDateTime) -> anyhow::Result<serde_json::Value> {
    Ok(json!({
        "staff_number": staff_number,
        "generated_at": generated_at.format(&time::format_description::well_known::Rfc3339)?,
        "redaction": "Other people are shown by their roles, never by name or staff number.",
        "withheld": "Legal holds on the person are not listed (DPA 2018 Sch. 2 para 2: crime and taxation).",
    }))
}

/// The export written, record by record, to a [`std::io::Write`]. A struct, not a closure: the
/// download handler's future holds it across the export's awaits, and must stay `Send`.
struct WriterSink<W: std::io::Write> {
    writer: export::ExportWriter<W>,
}

impl<W: std::io::Write + Send> custodian_store::data_protection::ExportSink for WriterSink<W> {
    fn record(&mut self, section: &'static str, v: serde_json::Value) -> custodian_store::Result<()> {
        self.writer
            .record(section, &v)
            .map_err(|e| custodian_store::StoreError::Internal(format!("writing the export: {e}")))
    }
}

/// Write the export of person `id` to `w` (JSON or HTML), record by record; the writer back with
/// the records per section.
pub async fn write_export<W: std::io::Write + Send>(
    store: &custodian_store::Store,
    id: Uuid,
    staff_number: &str,
    form: export::Form,
    generated_at: time::OffsetDateTime,
    w: W,
) -> anyhow::Result<(W, Vec<(&'static str, u64)>)> {
    let meta = export_meta(staff_number, generated_at)?;
    let mut sink = WriterSink { writer: export::ExportWriter::new(w, form, EXPORT_SECTIONS, &meta)? };
    if !store.subject_access_to(id, &mut sink).await? {
        anyhow::bail!("no person {id}");
    }
    Ok(sink.writer.finish()?)
}

/// The size of the chunks a spooled export is written and sent in.
pub const EXPORT_CHUNK: usize = 64 * 1024;

/// A subject access export written in full to an unnamed temporary file (gone from the disk's
/// directory from the start, and freed when closed), rewound, ready to send.
pub struct SpooledExport {
    pub file: std::fs::File,
    /// Its length in bytes (the download's `Content-Length`).
    pub len: u64,
    /// Records per section.
    pub counts: Vec<(&'static str, u64)>,
}

/// Write the export of person `id` to an unnamed temporary file. The export's read transaction
/// has ended when this returns, so a client that then reads the file slowly, or stops, holds no
/// database snapshot (no PostgreSQL xmin that keeps vacuum from removing dead rows, no SQLite
/// read mark that keeps the WAL from being checkpointed). A failure leaves no file behind.
pub async fn spool_export(
    store: &custodian_store::Store,
    id: Uuid,
    staff_number: &str,
    form: export::Form,
    generated_at: time::OffsetDateTime,
) -> anyhow::Result<SpooledExport> {
    use std::io::Seek;
    let file = tempfile::tempfile().map_err(|e| anyhow::anyhow!("a temporary file for the export: {e}"))?;
    let w = std::io::BufWriter::with_capacity(EXPORT_CHUNK, file);
    let (w, counts) = write_export(store, id, staff_number, form, generated_at, w).await?;
    let mut file = w.into_inner().map_err(|e| anyhow::anyhow!("writing the export: {}", e.error()))?;
    let len = file.stream_position()?;
    file.rewind()?;
    Ok(SpooledExport { file, len, counts })
}

/// Run the deletion job now (one tick's work, or `custodian retention run`).
pub async fn run(state: &AppState, dry_run: bool) -> anyhow::Result<RunReport> {
    Ok(state.store().retention_run(schedule(), state.now(), &custodian_store::Actor::system(), dry_run, &[]).await?)
}

/// Parse a date typed in a form (YYYY-MM-DD).
pub fn parse_date(field: &str, v: &str) -> Result<Date, AppError> {
    crate::overseas::parse_day(field, v)
}
