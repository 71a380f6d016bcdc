//! Declarations of notifiable associations and reports to Professional Standards (WP034 7.2,
//! 7.3, 8.1): the use cases behind the pages and the API. Need-to-know is decided here: a
//! declaration is the declarant's and its assessors' (the Force Vetting Unit; Professional
//! Standards for the categories the pack sends them), and every assessor's view is logged with its
//! reason; a report is Professional Standards' and its reporter's, and the reporter is shown to
//! nobody but Professional Standards.

pub mod api;
pub mod ui;

use custodian_authz::{Action, Resource};
use custodian_domain::declarations::{self as d, Declaration, Outcome, ReportedThing, Triage};
use custodian_domain::people::Role;
use custodian_store::declarations::{DeclarationRow, NewEvidence, NewReport, ReportRow};
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;

fn field(e: custodian_domain::FieldError) -> AppError {
    AppError::invalid(&e.field, e.message)
}

/// Make a declaration (`None`: nothing to declare).
pub async fn declare(
    state: &AppState,
    user: &CurrentUser,
    decl: Option<&Declaration>,
) -> Result<DeclarationRow, AppError> {
    state.require(user, Action::DeclarationsMake, &Resource::System)?;
    let (decl, psd) = match decl {
        Some(x) => {
            let v = d::validate_declaration(x).map_err(field)?;
            let psd = d::category(&v.category).is_some_and(|c| c.psd);
            (Some(v), psd)
        }
        None => (None, false),
    };
    Ok(state.store().declaration_make(user.id(), decl.as_ref(), psd, user.actor.at(state.now())).await?)
}

/// The signed-in person's own declarations.
pub async fn mine(state: &AppState, user: &CurrentUser) -> Result<Vec<DeclarationRow>, AppError> {
    state.require(user, Action::DeclarationsMake, &Resource::System)?;
    Ok(state.store().declarations_of(user.id()).await?)
}

/// Whether the user assesses this declaration: the Force Vetting Unit every one, Professional
/// Standards those whose category sends it to them; never one's own.
pub fn assesses(state: &AppState, user: &CurrentUser, row: &DeclarationRow) -> bool {
    row.person_id != user.id()
        && state.allows(user, Action::DeclarationsAssess, &Resource::System)
        && (user.principal.roles.contains(&Role::Vetting)
            || (user.principal.roles.contains(&Role::Psd) && row.psd_required))
}

/// The declarations waiting for the user's assessment (and the latest assessed).
pub async fn queue(state: &AppState, user: &CurrentUser) -> Result<Vec<DeclarationRow>, AppError> {
    state.require(user, Action::DeclarationsAssess, &Resource::System)?;
    let psd_only = !user.principal.roles.contains(&Role::Vetting);
    Ok(state.store().declarations_queue(psd_only, 20).await?)
}

/// What a viewer may see of a declaration.
pub enum Seen {
    /// The declarant's own.
    Own(DeclarationRow),
    /// An assessor's, whose view (and reason) has been logged.
    Assessor(DeclarationRow),
    /// An assessor who has not yet given a reason: nothing is shown.
    NeedsReason,
}

/// One declaration, for its declarant or an assessor who gives a reason (logged); anyone else
/// is refused (403), line managers and Heads of Department included.
pub async fn view(state: &AppState, user: &CurrentUser, id: Uuid, reason: Option<&str>) -> Result<Seen, AppError> {
    let refused = || {
        AppError::Forbidden("Only the person who made a declaration and its assessors may see it (WP034 7.3).".into())
    };
    let row = state.store().declaration(id).await?;
    let Some(row) = row else {
        // Nobody learns whether a declaration exists unless they could assess it.
        return if state.allows(user, Action::DeclarationsAssess, &Resource::System) {
            Err(AppError::NotFound(format!("No declaration {id}.")))
        } else {
            Err(refused())
        };
    };
    if row.person_id == user.id() {
        state.require(user, Action::DeclarationsMake, &Resource::System)?;
        return Ok(Seen::Own(row));
    }
    if !assesses(state, user, &row) {
        return Err(refused());
    }
    let reason = reason.map(str::trim).unwrap_or("");
    if reason.is_empty() {
        return Ok(Seen::NeedsReason);
    }
    if reason.chars().count() > 500 {
        return Err(AppError::invalid("reason", "Keep the reason under 500 characters"));
    }
    state.store().declaration_viewed(id, reason, user.actor.at(state.now())).await?;
    Ok(Seen::Assessor(row))
}

/// Record an assessment.
pub async fn assess(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    outcome: &str,
    conditions: &str,
) -> Result<DeclarationRow, AppError> {
    state.require(user, Action::DeclarationsAssess, &Resource::System)?;
    let row =
        state.store().declaration(id).await?.ok_or_else(|| AppError::NotFound(format!("No declaration {id}.")))?;
    if row.person_id == user.id() {
        return Err(AppError::Conflict("Nobody assesses their own declaration.".into()));
    }
    if !assesses(state, user, &row) {
        return Err(AppError::Forbidden("This declaration's category is assessed by the Force Vetting Unit.".into()));
    }
    let outcome: Outcome =
        outcome.trim().parse().map_err(|_| AppError::invalid("outcome", "Choose the outcome of the assessment"))?;
    let conditions = d::validate_assessment(outcome, conditions).map_err(field)?;
    Ok(state
        .store()
        .declaration_assess(id, outcome, conditions.as_deref(), user.id(), user.actor.at(state.now()))
        .await?)
}

/// Start the annual re-declaration.
pub async fn start_campaign(
    state: &AppState,
    user: &CurrentUser,
    due_on: time::Date,
) -> Result<(custodian_store::policy::Campaign, u64), AppError> {
    state.require(user, Action::DeclarationsCampaign, &Resource::System)?;
    let title = format!("Annual declaration of notifiable associations {}", state.now().year());
    Ok(state
        .store()
        .declaration_campaign_create(crate::policy::REFERENCE, &title, due_on, user.actor.at(state.now()))
        .await?)
}

/// A report as a form or the API gives it, before checking.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    pub anonymous: bool,
    pub platform: String,
    pub what: String,
    pub subject: String,
    pub description: String,
}

/// Make a report to Professional Standards with its evidence files (each checked).
pub async fn report(
    state: &AppState,
    user: &CurrentUser,
    input: &ReportInput,
    files: Vec<(String, Vec<u8>)>,
) -> Result<ReportRow, AppError> {
    state.require(user, Action::PsdReportsMake, &Resource::System)?;
    let platform = input.platform.trim();
    if platform.is_empty() {
        return Err(AppError::invalid("platform", "Say where the activity is, such as WhatsApp or Facebook"));
    }
    let what: ReportedThing =
        input.what.trim().parse().map_err(|_| AppError::invalid("what", "Choose what you are reporting"))?;
    let description = input.description.trim();
    if description.is_empty() {
        return Err(AppError::invalid("description", "Describe what you saw and when"));
    }
    for (name, v, max) in
        [("platform", platform, 200), ("subject", input.subject.trim(), 500), ("description", description, 10_000)]
    {
        if v.chars().count() > max {
            return Err(AppError::invalid(name, format!("Keep this under {max} characters")));
        }
    }
    if files.len() > 10 {
        return Err(AppError::invalid("evidence", "Attach at most 10 files"));
    }
    let mut evidence = Vec::new();
    for (name, bytes) in files {
        let name = name.rsplit(['/', '\\']).next().unwrap_or("evidence").chars().take(200).collect::<String>();
        let name = if name.trim().is_empty() { "evidence".to_owned() } else { name };
        let media_type = d::check_evidence(&name, &bytes).map_err(field)?;
        evidence.push(NewEvidence { file_name: name, media_type, bytes });
    }
    let subject = Some(input.subject.trim()).filter(|s| !s.is_empty()).map(str::to_owned);
    let r = NewReport {
        anonymous: input.anonymous,
        platform: platform.to_owned(),
        what,
        subject,
        description: description.to_owned(),
    };
    Ok(state.store().report_create(user.id(), &r, &evidence, user.actor.at(state.now())).await?)
}

/// The signed-in person's own reports.
pub async fn my_reports(state: &AppState, user: &CurrentUser) -> Result<Vec<ReportRow>, AppError> {
    state.require(user, Action::PsdReportsMake, &Resource::System)?;
    Ok(state.store().reports_of(user.id()).await?)
}

/// Every open report (Professional Standards).
pub async fn report_queue(state: &AppState, user: &CurrentUser, open_only: bool) -> Result<Vec<ReportRow>, AppError> {
    state.require(user, Action::PsdReportsTriage, &Resource::System)?;
    Ok(state.store().reports(open_only).await?)
}

/// What a viewer may see of a report.
pub enum ReportSeen {
    /// Professional Standards: everything, the reporter included (the view is logged).
    Psd(ReportRow),
    /// The reporter: their own report's status.
    Reporter(ReportRow),
}

/// One report, for Professional Standards or its reporter; anyone else is refused.
pub async fn report_view(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<ReportSeen, AppError> {
    let psd = state.allows(user, Action::PsdReportsTriage, &Resource::System);
    let refused =
        || AppError::Forbidden("Only Professional Standards and the person who made a report may see it.".into());
    let Some(row) = state.store().report(id).await? else {
        return if psd { Err(AppError::NotFound(format!("No report {id}."))) } else { Err(refused()) };
    };
    if psd {
        state.store().report_viewed(id, user.actor.at(state.now())).await?;
        return Ok(ReportSeen::Psd(row));
    }
    if row.reporter_id == user.id() && state.allows(user, Action::PsdReportsMake, &Resource::System) {
        return Ok(ReportSeen::Reporter(row));
    }
    Err(refused())
}

/// Triage a report (WP034 8.1).
pub async fn triage(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    outcome: &str,
    note: &str,
) -> Result<ReportRow, AppError> {
    state.require(user, Action::PsdReportsTriage, &Resource::System)?;
    let t: Triage =
        outcome.trim().parse().map_err(|_| AppError::invalid("outcome", "Choose the outcome of the triage"))?;
    let note = note.trim();
    if note.chars().count() > 5000 {
        return Err(AppError::invalid("note", "Keep the note under 5000 characters"));
    }
    Ok(state.store().report_triage(id, t, Some(note).filter(|n| !n.is_empty()), user.actor.at(state.now())).await?)
}

/// Close a report under conduct assessment.
pub async fn close(state: &AppState, user: &CurrentUser, id: Uuid, note: &str) -> Result<ReportRow, AppError> {
    state.require(user, Action::PsdReportsTriage, &Resource::System)?;
    let note = note.trim();
    if note.is_empty() {
        return Err(AppError::invalid("note", "Say how the conduct assessment ended"));
    }
    Ok(state.store().report_close(id, note, user.actor.at(state.now())).await?)
}

// ----- The personal-profile check (WP034 7.1, 7.2) ---------------------------------------------

/// The longest text checked: a long profile or post, with room to spare.
pub const PROFILE_CHECK_MAX_CHARS: usize = 20_000;

/// The personal pack compiled into this build.
fn personal_engine() -> Result<&'static custodian_screening::personal::PersonalEngine, AppError> {
    use custodian_screening::personal::PersonalEngine;
    static ENGINE: std::sync::OnceLock<Result<PersonalEngine, String>> = std::sync::OnceLock::new();
    ENGINE
        .get_or_init(|| PersonalEngine::builtin().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the personal pack: {e}")))
}

/// A check and, when the person asked to keep it, the kept record's id.
pub struct ProfileChecked {
    pub check: custodian_screening::personal::PersonalCheck,
    pub kept: Option<Uuid>,
}

/// Check the text of one's own profile or a draft personal post. Advice for the person alone,
/// never a finding; nothing is kept (and no audit event is written) unless `keep`, and then no
/// audit event carries the text.
pub async fn profile_check(
    state: &AppState,
    user: &CurrentUser,
    text: &str,
    keep: bool,
) -> Result<ProfileChecked, AppError> {
    state.require(user, Action::ProfileCheck, &Resource::System)?;
    if text.trim().is_empty() {
        return Err(AppError::invalid("text", "Paste the text of your profile or post to check"));
    }
    if text.chars().count() > PROFILE_CHECK_MAX_CHARS {
        return Err(AppError::invalid(
            "text",
            format!("The text is longer than {PROFILE_CHECK_MAX_CHARS} characters: check it in parts"),
        ));
    }
    let engine = personal_engine()?;
    let screening = state.screener().current();
    let owned = text.to_owned();
    let check = state.offload_sync(move || engine.check(&owned, &screening.engine)).await?;
    let kept = if keep {
        let mut categories: Vec<String> = check.advice.iter().map(|a| a.category.to_owned()).collect();
        categories.dedup();
        let k = custodian_store::declarations::NewKeptCheck {
            text: text.to_owned(),
            advice: serde_json::to_string(&check.advice).map_err(|e| AppError::Internal(e.into()))?,
            categories,
            pack_version: check.pack_version.clone(),
        };
        Some(state.store().personal_check_keep(user.id(), &k, user.actor.at(state.now())).await?)
    } else {
        None
    };
    Ok(ProfileChecked { check, kept })
}

/// The person's own kept checks.
pub async fn kept_checks(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Vec<custodian_store::declarations::KeptCheck>, AppError> {
    state.require(user, Action::ProfileCheck, &Resource::System)?;
    Ok(state.store().personal_checks_of(user.id()).await?)
}

/// Delete one of the person's own kept checks.
pub async fn delete_kept_check(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<(), AppError> {
    state.require(user, Action::ProfileCheck, &Resource::System)?;
    if state.store().personal_check_delete(id, user.id(), user.actor.at(state.now())).await? {
        Ok(())
    } else {
        Err(AppError::NotFound("You have no kept check with that id.".into()))
    }
}
