//! The pages: "Declare an association" for everyone (with "nothing to declare" for the annual
//! re-declaration), the assessors' queue and assessment page; "Report to Professional
//! Standards" with evidence files, Professional Standards' queue and triage. All work without
//! JavaScript and at 390 px; they are pages of the Home section.

use crate::routing::{Routes, get, post};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use custodian_authz::{Action, Resource};
use custodian_domain::declarations::{self as d, Outcome, ReportedThing, Triage};
use custodian_store::declarations::{DeclarationRow, ReportRow};
use serde::Deserialize;
use uuid::Uuid;

use super::{ReportInput, ReportSeen, Seen};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::UiResult;
use crate::web::csrf::CsrfForm;
use crate::web::date_input::{DateField, Parts, When, parse_date};
use crate::web::display::{person, time_words};
use crate::web::{ClauseView, Layout, clause_view, layout, page, render};

/// The largest report form accepted: ten evidence files at the limit, and the text.
pub const REPORT_BODY_LIMIT: usize = 10 * d::MAX_EVIDENCE_BYTES + 64 * 1024;

pub fn routes() -> Routes {
    Routes::new()
        .route("/declarations", get(declarations).post(declare))
        .route("/declarations/queue", get(queue))
        .route("/declarations/campaigns", post(start_campaign))
        .route("/declarations/{id}", get(declaration))
        .route("/declarations/{id}/assess", post(assess))
        .route(
            "/psd-reports",
            get(reports).post(create_report).layer(axum::extract::DefaultBodyLimit::max(REPORT_BODY_LIMIT)),
        )
        .route("/psd-reports/queue", get(report_queue))
        .route("/psd-reports/{id}", get(report))
        .route("/psd-reports/{id}/triage", post(triage))
        .route("/psd-reports/{id}/close", post(close))
        .route("/psd-reports/{id}/evidence/{file}", get(evidence))
        .route("/profile-check", get(profile_check_page).post(profile_check))
        .route("/profile-check/{id}/delete", post(delete_kept_check))
}

fn category_label(id: Option<&str>) -> String {
    id.map(|c| d::category(c).map(|c| c.label.clone()).unwrap_or_else(|| c.to_owned())).unwrap_or_default()
}

fn outcome_label(o: Option<&str>) -> String {
    o.and_then(|o| o.parse::<Outcome>().ok()).map(|o| o.label().to_owned()).unwrap_or_default()
}

fn status_words(r: &DeclarationRow) -> String {
    match (r.kind.as_str(), r.status.as_str()) {
        ("nothing_to_declare", _) => "Nothing to declare".into(),
        (_, "assessed") => format!("Assessed: {}", outcome_label(r.outcome.as_deref())),
        _ => "Waiting for assessment".into(),
    }
}

pub(crate) struct DeclRow {
    pub(crate) id: Uuid,
    pub(crate) who: String,
    pub(crate) platform: String,
    pub(crate) counterpart: String,
    pub(crate) category: String,
    pub(crate) psd: bool,
    pub(crate) made: String,
    pub(crate) status: String,
    pub(crate) nothing: bool,
}

impl From<&DeclarationRow> for DeclRow {
    fn from(r: &DeclarationRow) -> Self {
        DeclRow {
            id: r.id,
            who: person(&r.name, &r.staff_number),
            platform: r.platform.clone().unwrap_or_default(),
            counterpart: r.counterpart.clone().unwrap_or_default(),
            category: category_label(r.category.as_deref()),
            psd: r.psd_required,
            made: time_words(r.created_at),
            status: status_words(r),
            nothing: r.kind == "nothing_to_declare",
        }
    }
}

pub(crate) struct Choice {
    pub(crate) id: String,
    pub(crate) label: String,
}

#[derive(Template)]
#[template(path = "declarations/declarations.html")]
pub(crate) struct DeclarationsPage {
    pub(crate) layout: Layout,
    pub(crate) categories: &'static [d::Category],
    pub(crate) mine: Vec<DeclRow>,
    /// An open re-declaration the person has not made: its title and date.
    pub(crate) due: Option<(String, String)>,
    pub(crate) assessor: bool,
    pub(crate) can_campaign: bool,
    pub(crate) due_on: DateField,
    pub(crate) c72: ClauseView,
    pub(crate) c73: ClauseView,
}
page!(DeclarationsPage);

async fn declarations(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    let mine = super::mine(&state, &user).await?;
    let due = state
        .store()
        .policy_acknowledgements_of(user.id())
        .await?
        .into_iter()
        .find(|a| a.acknowledged_at.is_none() && a.clauses.contains("7.3-2"))
        .map(|a| {
            let when = custodian_domain::policy::text::iso_date(&a.due_on)
                .map(crate::web::display::date_words)
                .unwrap_or(a.due_on.clone());
            (a.title, when)
        });
    Ok(render(&DeclarationsPage {
        layout: layout(&state, Some(&user), "Declare an association", "/declarations"),
        categories: d::categories(),
        mine: mine.iter().map(DeclRow::from).collect(),
        due,
        assessor: state.allows(&user, Action::DeclarationsAssess, &Resource::System),
        can_campaign: state.allows(&user, Action::DeclarationsCampaign, &Resource::System),
        due_on: DateField::date("due_on", "Declarations due by", "For example, 31 3 2027"),
        c72: clause_view("7.2"),
        c73: clause_view("7.3-2"),
    }))
}

#[derive(Deserialize)]
pub struct DeclareForm {
    #[serde(default)]
    nothing: String,
    #[serde(default)]
    platform: String,
    #[serde(default)]
    counterpart: String,
    #[serde(default)]
    nature: String,
    #[serde(default)]
    category: String,
    /// The re-declaration campaign page the form was sent from, to go back to.
    #[serde(default)]
    campaign: String,
}

async fn declare(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<DeclareForm>,
) -> UiResult<Response> {
    let decl = (f.nothing != "yes").then_some(d::Declaration {
        platform: f.platform,
        counterpart: f.counterpart,
        nature: f.nature,
        category: f.category,
    });
    super::declare(&state, &user, decl.as_ref()).await?;
    match f.campaign.trim().parse::<Uuid>() {
        Ok(c) => Ok(Redirect::to(&format!("/policy/campaigns/{c}")).into_response()),
        Err(_) => Ok(Redirect::to("/declarations").into_response()),
    }
}

#[derive(Deserialize)]
pub struct CampaignForm {
    #[serde(default, rename = "due_on-day")]
    day: String,
    #[serde(default, rename = "due_on-month")]
    month: String,
    #[serde(default, rename = "due_on-year")]
    year: String,
}

async fn start_campaign(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<CampaignForm>,
) -> UiResult<Response> {
    state.require(&user, Action::DeclarationsCampaign, &Resource::System)?;
    let parts = Parts { day: f.day, month: f.month, year: f.year, time: String::new(), whole: String::new() };
    let due = parse_date("due_on", "The date declarations are due", &parts, When::Future, state.now().date())
        .map_err(AppError::from)?;
    super::start_campaign(&state, &user, due).await?;
    Ok(Redirect::to("/declarations").into_response())
}

#[derive(Template)]
#[template(path = "declarations/queue.html")]
pub(crate) struct QueuePage {
    pub(crate) layout: Layout,
    pub(crate) waiting: Vec<DeclRow>,
    pub(crate) done: Vec<DeclRow>,
    pub(crate) psd_only: bool,
    pub(crate) c73: ClauseView,
}
page!(QueuePage);

async fn queue(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    let rows = super::queue(&state, &user).await?;
    let (waiting, done): (Vec<_>, Vec<_>) = rows.iter().partition(|r| r.status == "submitted");
    Ok(render(&QueuePage {
        layout: layout(&state, Some(&user), "Declarations to assess", "/declarations"),
        waiting: waiting.into_iter().map(DeclRow::from).collect(),
        done: done.into_iter().map(DeclRow::from).collect(),
        psd_only: !user.principal.roles.contains(&custodian_domain::people::Role::Vetting),
        c73: clause_view("7.3-2"),
    }))
}

#[derive(Template)]
#[template(path = "declarations/declaration.html")]
pub(crate) struct DeclarationPage {
    pub(crate) layout: Layout,
    pub(crate) id: Uuid,
    /// Nothing is shown until the assessor says why they are looking.
    pub(crate) needs_reason: bool,
    pub(crate) own: bool,
    pub(crate) can_assess: bool,
    pub(crate) row: Option<DeclRow>,
    pub(crate) nature: String,
    pub(crate) conditions: String,
    pub(crate) assessed_by: String,
    pub(crate) assessed_at: String,
    pub(crate) outcomes: Vec<Choice>,
    pub(crate) c73: ClauseView,
}
page!(DeclarationPage);

#[derive(Deserialize)]
pub struct ReasonQuery {
    #[serde(default)]
    reason: Option<String>,
}

async fn declaration(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Query(q): Query<ReasonQuery>,
) -> UiResult<Response> {
    let seen = super::view(&state, &user, id, q.reason.as_deref()).await?;
    let (row, own, needs_reason) = match seen {
        Seen::Own(r) => (Some(r), true, false),
        Seen::Assessor(r) => (Some(r), false, false),
        Seen::NeedsReason => (None, false, true),
    };
    let assessed_by = match row.as_ref().and_then(|r| r.assessed_by.clone()) {
        Some(label) => {
            let sn = label.strip_prefix("person:").unwrap_or(&label).to_owned();
            match state.store().person_by_staff_number(&sn).await? {
                Some(p) => person(&p.name, &p.staff_number),
                None => sn,
            }
        }
        None => String::new(),
    };
    Ok(render(&DeclarationPage {
        layout: layout(&state, Some(&user), "Declaration", "/declarations"),
        id,
        needs_reason,
        own,
        can_assess: row.as_ref().is_some_and(|r| !own && r.status == "submitted" && r.kind == "association"),
        nature: row.as_ref().and_then(|r| r.nature.clone()).unwrap_or_default(),
        conditions: row.as_ref().and_then(|r| r.conditions.clone()).unwrap_or_default(),
        assessed_at: row.as_ref().and_then(|r| r.assessed_at).map(time_words).unwrap_or_default(),
        assessed_by,
        row: row.as_ref().map(DeclRow::from),
        outcomes: Outcome::ALL.iter().map(|o| Choice { id: o.as_str().into(), label: o.label().into() }).collect(),
        c73: clause_view("7.3-2"),
    }))
}

#[derive(Deserialize)]
pub struct AssessForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    conditions: String,
}

async fn assess(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<AssessForm>,
) -> UiResult<Response> {
    super::assess(&state, &user, id, &f.outcome, &f.conditions).await?;
    Ok(Redirect::to("/declarations/queue").into_response())
}

// ----- Reports to Professional Standards (WP034 7.3, 8.1) ------------------------------------

fn triage_label(o: Option<&str>) -> String {
    o.and_then(|o| o.parse::<Triage>().ok()).map(|t| t.label().to_owned()).unwrap_or_default()
}

fn report_status(r: &ReportRow) -> String {
    match r.status.as_str() {
        "received" => "Received: waiting for triage".into(),
        "triaged" => format!("Triaged: {}", triage_label(r.outcome.as_deref())),
        _ => format!("Closed: {}", triage_label(r.outcome.as_deref())),
    }
}

pub(crate) struct ReportView {
    pub(crate) id: Uuid,
    pub(crate) reporter: String,
    pub(crate) anonymous: bool,
    pub(crate) platform: String,
    pub(crate) what: String,
    pub(crate) subject: String,
    pub(crate) made: String,
    pub(crate) status: String,
}

impl From<&ReportRow> for ReportView {
    fn from(r: &ReportRow) -> Self {
        ReportView {
            id: r.id,
            reporter: person(&r.reporter_name, &r.reporter_staff_number),
            anonymous: r.anonymous,
            platform: r.platform.clone(),
            what: r.what.parse::<ReportedThing>().map(|w| w.label().to_owned()).unwrap_or_default(),
            subject: r.subject.clone().unwrap_or_default(),
            made: time_words(r.created_at),
            status: report_status(r),
        }
    }
}

#[derive(Template)]
#[template(path = "declarations/reports.html")]
pub(crate) struct ReportsPage {
    pub(crate) layout: Layout,
    pub(crate) whats: Vec<Choice>,
    pub(crate) mine: Vec<ReportView>,
    pub(crate) psd: bool,
    pub(crate) c73: ClauseView,
    pub(crate) c81: ClauseView,
}
page!(ReportsPage);

async fn reports(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    let mine = super::my_reports(&state, &user).await?;
    Ok(render(&ReportsPage {
        layout: layout(&state, Some(&user), "Report to Professional Standards", "/psd-reports"),
        whats: ReportedThing::ALL.iter().map(|w| Choice { id: w.as_str().into(), label: w.label().into() }).collect(),
        mine: mine.iter().map(ReportView::from).collect(),
        psd: state.allows(&user, Action::PsdReportsTriage, &Resource::System),
        c73: clause_view("7.3"),
        c81: clause_view("8.1"),
    }))
}

async fn create_report(State(state): State<AppState>, user: CurrentUser, mut mp: Multipart) -> UiResult<Response> {
    let mut csrf = None;
    let mut input = ReportInput::default();
    let mut files = Vec::new();
    let bad = |e: axum::extract::multipart::MultipartError| AppError::invalid("evidence", e.body_text());
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_owned();
        match name.as_str() {
            "evidence" => {
                if csrf.is_some() {
                    user.check_csrf(csrf.as_deref())?;
                }
                let file_name = field.file_name().unwrap_or("evidence").to_owned();
                let bytes = field.bytes().await.map_err(bad)?;
                // A file input left empty sends a part with no name and no bytes.
                if !bytes.is_empty() || !file_name.is_empty() {
                    files.push((file_name, bytes.to_vec()));
                }
            }
            _ => {
                let v = field.text().await.map_err(|e| AppError::invalid(&name, e.body_text()))?;
                match name.as_str() {
                    "csrf_token" => csrf = Some(v),
                    "anonymous" => input.anonymous = v == "yes",
                    "platform" => input.platform = v,
                    "what" => input.what = v,
                    "subject" => input.subject = v,
                    "description" => input.description = v,
                    _ => {}
                }
            }
        }
    }
    user.check_csrf(csrf.as_deref())?;
    let files = files.into_iter().filter(|(n, b)| !(b.is_empty() && n.is_empty())).collect();
    super::report(&state, &user, &input, files).await?;
    Ok(Redirect::to("/psd-reports").into_response())
}

#[derive(Template)]
#[template(path = "declarations/report_queue.html")]
pub(crate) struct ReportQueuePage {
    pub(crate) layout: Layout,
    pub(crate) rows: Vec<ReportView>,
    pub(crate) all: bool,
    pub(crate) c81: ClauseView,
}
page!(ReportQueuePage);

#[derive(Deserialize)]
pub struct AllQuery {
    #[serde(default)]
    all: Option<String>,
}

async fn report_queue(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AllQuery>,
) -> UiResult<Response> {
    let all = q.all.as_deref() == Some("yes");
    let rows = super::report_queue(&state, &user, !all).await?;
    Ok(render(&ReportQueuePage {
        layout: layout(&state, Some(&user), "Reports to Professional Standards", "/psd-reports"),
        rows: rows.iter().map(ReportView::from).collect(),
        all,
        c81: clause_view("8.1"),
    }))
}

pub(crate) struct EventRow {
    pub(crate) at: String,
    pub(crate) who: String,
    pub(crate) what: String,
    pub(crate) note: String,
}

pub(crate) struct FileRow {
    pub(crate) id: Uuid,
    pub(crate) name: String,
    pub(crate) media_type: String,
    pub(crate) size: String,
    pub(crate) sha256: String,
}

#[derive(Template)]
#[template(path = "declarations/report.html")]
pub(crate) struct ReportPage {
    pub(crate) layout: Layout,
    pub(crate) r: ReportView,
    pub(crate) psd: bool,
    pub(crate) description: String,
    pub(crate) received: bool,
    pub(crate) triaged: bool,
    pub(crate) files: Vec<FileRow>,
    pub(crate) events: Vec<EventRow>,
    pub(crate) triages: Vec<Choice>,
    pub(crate) c81: ClauseView,
}
page!(ReportPage);

async fn report(State(state): State<AppState>, user: CurrentUser, Path(id): Path<Uuid>) -> UiResult<Response> {
    let (row, psd) = match super::report_view(&state, &user, id).await? {
        ReportSeen::Psd(r) => (r, true),
        ReportSeen::Reporter(r) => (r, false),
    };
    let (files, events) = if psd {
        let store = state.store();
        let files = store
            .report_evidence(id)
            .await?
            .into_iter()
            .map(|f| FileRow {
                id: f.id,
                name: f.file_name,
                media_type: f.media_type,
                size: format!("{:.1} KB", f.size_bytes as f64 / 1024.0),
                sha256: f.sha256,
            })
            .collect();
        let mut events = Vec::new();
        for e in store.report_events(id).await? {
            let sn = e.actor.strip_prefix("person:").unwrap_or(&e.actor).to_owned();
            let who = match store.person_by_staff_number(&sn).await? {
                Some(p) => person(&p.name, &p.staff_number),
                None => "Custodian".into(),
            };
            let what = match e.event.as_str() {
                "received" => "Report received".to_owned(),
                "evidence" => "Evidence added".to_owned(),
                "triaged" => format!("Triaged: {}", triage_label(e.outcome.as_deref())),
                "closed" => "Closed".to_owned(),
                other => other.to_owned(),
            };
            events.push(EventRow { at: time_words(e.at), who, what, note: e.note.unwrap_or_default() });
        }
        (files, events)
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(render(&ReportPage {
        layout: layout(&state, Some(&user), "Report to Professional Standards", "/psd-reports"),
        psd,
        description: if psd { row.description.clone() } else { String::new() },
        received: row.status == "received",
        triaged: row.status == "triaged",
        r: ReportView::from(&row),
        files,
        events,
        triages: Triage::ALL.iter().map(|t| Choice { id: t.as_str().into(), label: t.label().into() }).collect(),
        c81: clause_view("8.1"),
    }))
}

#[derive(Deserialize)]
pub struct TriageForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    note: String,
}

async fn triage(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<TriageForm>,
) -> UiResult<Response> {
    super::triage(&state, &user, id, &f.outcome, &f.note).await?;
    Ok(Redirect::to(&format!("/psd-reports/{id}")).into_response())
}

async fn close(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<TriageForm>,
) -> UiResult<Response> {
    super::close(&state, &user, id, &f.note).await?;
    Ok(Redirect::to(&format!("/psd-reports/{id}")).into_response())
}

async fn evidence(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, file)): Path<(Uuid, Uuid)>,
) -> UiResult<Response> {
    state.require(&user, Action::PsdReportsTriage, &Resource::System)?;
    let (f, bytes) = state
        .store()
        .report_evidence_file(id, file)
        .await?
        .ok_or_else(|| AppError::NotFound("No such evidence file.".into()))?;
    state.store().report_viewed(id, user.actor.at(state.now())).await?;
    let name: String =
        f.file_name.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')).collect();
    Ok((
        [
            (header::CONTENT_TYPE, f.media_type),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::HeaderName::from_static("x-content-type-options"), "nosniff".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

// ----- The personal-profile check (WP034 7.1, 7.2) ---------------------------------------------

pub(crate) struct AdviceRow {
    pub(crate) label: &'static str,
    pub(crate) matched: String,
    pub(crate) explanation: String,
    pub(crate) clause: String,
}

pub(crate) struct CheckResult {
    pub(crate) advice: Vec<AdviceRow>,
    pub(crate) disclaimer: bool,
    pub(crate) kept: bool,
}

pub(crate) struct KeptRow {
    pub(crate) id: Uuid,
    pub(crate) made: String,
    pub(crate) excerpt: String,
    pub(crate) advice: usize,
}

#[derive(Template)]
#[template(path = "declarations/profile_check.html")]
pub(crate) struct ProfileCheckPage {
    pub(crate) layout: Layout,
    pub(crate) text: String,
    pub(crate) result: Option<CheckResult>,
    pub(crate) kept: Vec<KeptRow>,
    pub(crate) max_chars: usize,
    pub(crate) c71: ClauseView,
    pub(crate) c72: ClauseView,
}
page!(ProfileCheckPage);

async fn profile_check_render(
    state: &AppState,
    user: &CurrentUser,
    text: String,
    result: Option<CheckResult>,
) -> Result<Response, AppError> {
    let kept = super::kept_checks(state, user)
        .await?
        .into_iter()
        .map(|k| {
            let advice: Vec<serde_json::Value> = serde_json::from_str(&k.advice).unwrap_or_default();
            let mut excerpt: String = k.text.chars().take(80).collect();
            if k.text.chars().count() > 80 {
                excerpt.push('…');
            }
            KeptRow { id: k.id, made: time_words(k.created_at), excerpt, advice: advice.len() }
        })
        .collect();
    Ok(render(&ProfileCheckPage {
        layout: layout(state, Some(user), "Check your profile or a personal post", "/profile-check"),
        text,
        result,
        kept,
        max_chars: super::PROFILE_CHECK_MAX_CHARS,
        c71: clause_view("7.1"),
        c72: clause_view("7.2"),
    }))
}

async fn profile_check_page(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    state.require(&user, Action::ProfileCheck, &Resource::System)?;
    Ok(profile_check_render(&state, &user, String::new(), None).await?)
}

#[derive(Deserialize)]
pub struct NoFields {}

#[derive(Deserialize)]
pub struct ProfileCheckForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    keep: String,
}

/// The check's answer is this page, rendered for the person: nothing is kept unless they ticked
/// "keep", and the text is not written to any log.
async fn profile_check(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<ProfileCheckForm>,
) -> UiResult<Response> {
    let done = super::profile_check(&state, &user, &f.text, f.keep == "yes").await?;
    let result = CheckResult {
        advice: done
            .check
            .advice
            .into_iter()
            .map(|a| AdviceRow { label: a.label, matched: a.matched, explanation: a.explanation, clause: a.clause })
            .collect(),
        disclaimer: done.check.disclaimer,
        kept: done.kept.is_some(),
    };
    Ok(profile_check_render(&state, &user, f.text, Some(result)).await?)
}

async fn delete_kept_check(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> UiResult<Response> {
    super::delete_kept_check(&state, &user, id).await?;
    Ok(Redirect::to("/profile-check").into_response())
}
