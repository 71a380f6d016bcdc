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
    state.store().log_view(&user.actor, state.now(), export_event(&p.staff_number, &reason, form)).await?;
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

/// Write the export of person `id` to `w` (JSON or HTML), record by record.
pub async fn write_export<W: std::io::Write + Send>(
    store: &custodian_store::Store,
    id: Uuid,
    staff_number: &str,
    form: export::Form,
    generated_at: time::OffsetDateTime,
    w: W,
) -> anyhow::Result<(W, Vec<(&'static str, u64)>)> {
    let meta = export_meta(staff_number, generated_at)?;
    let mut writer = export::ExportWriter::new(w, form, EXPORT_SECTIONS, &meta)?;
    let found = store
        .subject_access(id, |section, v| {
            writer
                .record(section, &v)
                .map_err(|e| custodian_store::StoreError::Internal(format!("writing the export: {e}")))
        })
        .await?;
    if !found {
        anyhow::bail!("no person {id}");
    }
    Ok(writer.finish()?)
}

/// The size of the chunks a streamed export is sent in.
pub const EXPORT_CHUNK: usize = 64 * 1024;

/// How long a streamed export waits for its reader to take a chunk before it gives up (the
/// export holds a read snapshot open while it waits).
pub const EXPORT_SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// A chunk of a streamed export, or the error that ended it.
pub type ExportChunk = Result<Vec<u8>, std::io::Error>;

/// The export written into a buffer that is handed to a bounded channel in chunks of about
/// [`EXPORT_CHUNK`] bytes; when the channel is full the export waits (backpressure), so a
/// reader slower than the database never makes the export pile up in memory.
struct ChannelSink {
    writer: export::ExportWriter<Vec<u8>>,
    tx: tokio::sync::mpsc::Sender<ExportChunk>,
}

async fn send_chunk(tx: &tokio::sync::mpsc::Sender<ExportChunk>, chunk: Vec<u8>) -> custodian_store::Result<()> {
    match tokio::time::timeout(EXPORT_SEND_TIMEOUT, tx.send(Ok(chunk))).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(custodian_store::StoreError::Internal("the reader of the export went away".into())),
        Err(_) => Err(custodian_store::StoreError::Internal("the reader of the export stopped reading".into())),
    }
}

impl custodian_store::data_protection::ExportSink for ChannelSink {
    fn record(&mut self, section: &'static str, v: serde_json::Value) -> custodian_store::Result<()> {
        self.writer
            .record(section, &v)
            .map_err(|e| custodian_store::StoreError::Internal(format!("writing the export: {e}")))
    }

    fn ready(&mut self) -> impl std::future::Future<Output = custodian_store::Result<()>> + Send {
        let buf = self.writer.get_mut();
        let chunk = (buf.len() >= EXPORT_CHUNK).then(|| std::mem::replace(buf, Vec::with_capacity(EXPORT_CHUNK * 2)));
        let tx = &self.tx;
        async move {
            match chunk {
                Some(c) => send_chunk(tx, c).await,
                None => Ok(()),
            }
        }
    }
}

/// Stream the export of person `id` into `tx` in chunks, waiting whenever the channel is full;
/// the records per section once the last chunk is sent.
pub async fn send_export(
    store: &custodian_store::Store,
    id: Uuid,
    staff_number: &str,
    form: export::Form,
    generated_at: time::OffsetDateTime,
    tx: tokio::sync::mpsc::Sender<ExportChunk>,
) -> anyhow::Result<Vec<(&'static str, u64)>> {
    let meta = export_meta(staff_number, generated_at)?;
    let writer = export::ExportWriter::new(Vec::with_capacity(EXPORT_CHUNK * 2), form, EXPORT_SECTIONS, &meta)?;
    let mut sink = ChannelSink { writer, tx };
    if !store.subject_access_to(id, &mut sink).await? {
        anyhow::bail!("no person {id}");
    }
    let ChannelSink { writer, tx } = sink;
    let (rest, counts) = writer.finish()?;
    if !rest.is_empty() {
        send_chunk(&tx, rest).await?;
    }
    Ok(counts)
}

/// Run the deletion job now (one tick's work, or `custodian retention run`).
pub async fn run(state: &AppState, dry_run: bool) -> anyhow::Result<RunReport> {
    Ok(state.store().retention_run(schedule(), state.now(), &custodian_store::Actor::system(), dry_run, &[]).await?)
}

/// Parse a date typed in a form (YYYY-MM-DD).
pub fn parse_date(field: &str, v: &str) -> Result<Date, AppError> {
    crate::overseas::parse_day(field, v)
}
