//! The "Overseas use" pages (WP034 4.2): the request form, one's requests with the approval
//! chain's timeline, the windows a viewer may see, and the MDM export as CSV; the streaming
//! exceptions page (4.6); and the usage imports page for Digital Services (4.1): upload a carrier
//! or web gateway CSV and see every run. Every form works without JavaScript.

use std::collections::HashMap;

use crate::forms::Form;
use crate::routing::{Routes, get, post};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use custodian_authz::{Action, Resource};
use custodian_store::overseas::OverseasItem;
use time::OffsetDateTime;
use uuid::Uuid;

use super::approvals::{EventView, StepView, step_views, timeline_views};
use super::{ClauseView, Layout, clause_view, fmt_time, layout, page, render};
use crate::auth::CurrentUser;
use crate::error::{AppError, FieldProblem, UiResult};
use crate::overseas as uc;
use crate::state::AppState;

pub fn routes() -> Routes {
    Routes::new()
        .route("/overseas", get(overseas).post(create))
        .route("/overseas/export.csv", get(export_csv))
        .route("/overseas/{id}", get(window))
        .route("/overseas/{id}/decide", post(decide))
        .route("/overseas/{id}/withdraw", post(withdraw))
        .route("/usage/streaming-exceptions", get(exceptions).post(create_exception))
        .route("/usage/imports", get(imports))
        .route(
            "/usage/imports/{feed}",
            post(upload).layer(axum::extract::DefaultBodyLimit::max(uc::USAGE_UPLOAD_LIMIT)),
        )
}

fn fmt_us(us: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000).map(fmt_time).unwrap_or_default()
}

fn status_class(s: &str) -> &'static str {
    match s {
        "approved" => "govuk-tag--green",
        "rejected" => "govuk-tag--red",
        "withdrawn" => "govuk-tag--grey",
        _ => "govuk-tag--blue",
    }
}

fn problems(e: AppError) -> Result<Vec<FieldProblem>, AppError> {
    match e {
        AppError::Invalid { errors, .. } => Ok(errors),
        AppError::Conflict(m) => Ok(vec![FieldProblem { field: None, line: None, message: m }]),
        other => Err(other),
    }
}

// ----- Overseas use --------------------------------------------------------------------------

struct WindowRow {
    id: Uuid,
    person: String,
    line_manager: String,
    devices: String,
    countries: String,
    from: String,
    to: String,
    purpose: String,
    status: String,
    status_class: String,
}

impl From<&OverseasItem> for WindowRow {
    fn from(w: &OverseasItem) -> Self {
        Self {
            id: w.id,
            person: format!("{} ({})", w.person_name, w.staff_number),
            line_manager: w.line_manager_name.clone().unwrap_or_else(|| "—".into()),
            devices: if w.device_tags.is_empty() { "every device held".into() } else { w.device_tags.join(", ") },
            countries: w.countries.join(", "),
            from: w.from.to_string(),
            to: w.to.to_string(),
            purpose: w.purpose.clone(),
            status: w.status.clone(),
            status_class: status_class(&w.status).into(),
        }
    }
}

struct DeviceChoice {
    tag: String,
    label: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "overseas.html")]
struct OverseasPage {
    layout: Layout,
    c42: ClauseView,
    errors: Vec<FieldProblem>,
    devices: Vec<DeviceChoice>,
    countries: String,
    from: String,
    to: String,
    purpose: String,
    mine: Vec<WindowRow>,
    others: Vec<WindowRow>,
    sees_all: bool,
    can_export: bool,
    status: String,
}
page!(OverseasPage);

#[derive(Default, serde::Deserialize)]
struct WindowsQuery {
    status: Option<String>,
}

async fn overseas_page(
    state: &AppState,
    user: &CurrentUser,
    form: &uc::RequestForm,
    status: Option<&str>,
    errors: Vec<FieldProblem>,
) -> Result<Response, AppError> {
    let mine = uc::mine(state, user).await?;
    let others = uc::windows(state, user, status).await?;
    let held = state
        .store()
        .devices(&custodian_store::DeviceFilter { holder_id: Some(user.id()), ..Default::default() }, 1, 500)
        .await?
        .items;
    let page = OverseasPage {
        layout: layout(state, Some(user), "Overseas use", "/overseas"),
        c42: clause_view("4.2"),
        devices: held
            .iter()
            .map(|d| DeviceChoice {
                tag: d.asset_tag.clone(),
                label: format!("{} · {} {}", d.asset_tag, d.make, d.model),
                checked: form.devices.iter().any(|t| t == &d.asset_tag),
            })
            .collect(),
        countries: form.countries.join(", "),
        from: form.from.clone(),
        to: form.to.clone(),
        purpose: form.purpose.clone(),
        mine: mine.iter().map(WindowRow::from).collect(),
        others: others.iter().filter(|w| w.person_id != user.id()).map(WindowRow::from).collect(),
        sees_all: state.allows(user, Action::OverseasWindowsView, &Resource::System),
        can_export: state.allows(user, Action::OverseasExport, &Resource::System),
        status: status.unwrap_or("").into(),
        errors,
    };
    let bad = !page.errors.is_empty();
    let mut res = render(&page);
    if bad {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn overseas(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<WindowsQuery>,
) -> UiResult<Response> {
    let status = q.status.as_deref().filter(|s| !s.is_empty());
    Ok(overseas_page(&state, &user, &uc::RequestForm::default(), status, vec![]).await?)
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<Vec<(String, String)>>,
) -> UiResult<Response> {
    let get = |k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    user.check_csrf(Some(&get("csrf_token")))?;
    let form = uc::RequestForm {
        devices: f.iter().filter(|(n, _)| n == "devices").map(|(_, v)| v.clone()).collect(),
        countries: vec![get("countries")],
        from: get("from"),
        to: get("to"),
        purpose: get("purpose"),
    };
    match uc::request(&state, &user, &form).await {
        Ok((id, _)) => Ok(Redirect::to(&format!("/overseas/{id}")).into_response()),
        Err(e) => {
            let errors = problems(e)?;
            Ok(overseas_page(&state, &user, &form, None, errors).await?)
        }
    }
}

async fn export_csv(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    let rows = uc::export(&state, &user).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"overseas-windows.csv\""),
        ],
        uc::export_csv(&rows),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "overseas_window.html")]
struct WindowPage {
    layout: Layout,
    c42: ClauseView,
    w: WindowRow,
    approval_id: Option<Uuid>,
    steps: Vec<StepView>,
    timeline: Vec<EventView>,
    can_decide: bool,
    can_withdraw: bool,
    errors: Vec<FieldProblem>,
}
page!(WindowPage);

async fn window_page(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    errors: Vec<FieldProblem>,
) -> Result<Response, AppError> {
    let v = uc::view(state, user, id).await?;
    let (steps, timeline, can_decide, can_withdraw) = match &v.approval {
        Some(a) => (
            step_views(&a.request.steps, &a.can_decide, state.now()),
            timeline_views(&a.timeline, "made the request", "changed the request"),
            !a.can_decide.is_empty(),
            a.can_withdraw,
        ),
        None => (vec![], vec![], false, false),
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::CONFLICT };
    let mut res = render(&WindowPage {
        layout: layout(state, Some(user), "Overseas use", "/overseas"),
        c42: clause_view("4.2"),
        approval_id: v.item.approval_id(),
        w: WindowRow::from(&v.item),
        steps,
        timeline,
        can_decide,
        can_withdraw,
        errors,
    });
    *res.status_mut() = status;
    Ok(res)
}

async fn window(State(state): State<AppState>, user: CurrentUser, Path(id): Path<Uuid>) -> UiResult<Response> {
    Ok(window_page(&state, &user, id, vec![]).await?)
}

/// A decider records their step on the window's own page (WP034 4.2: the line manager, Digital
/// Services and the Force Vetting Unit). The decision goes through the shared approval chain, as on
/// /approvals, so the window is approved in the same transaction as the last approval.
async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Form(f): Form<HashMap<String, String>>,
) -> UiResult<Response> {
    user.check_csrf(f.get("csrf_token").map(String::as_str))?;
    let field = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    let decided = match uc::view(&state, &user, id).await?.item.approval_id() {
        Some(approval) => {
            crate::approvals::decide(&state, &user, approval, field("step"), field("verdict"), Some(field("reasons")))
                .await
                .map(drop)
        }
        None => Err(AppError::Conflict(
            "This window was recorded as approved outside Custodian: there is nothing to decide.".into(),
        )),
    };
    back_to_window(&state, &user, id, decided).await
}

/// After a step taken on a window's page: back to the page, or the page again with what was wrong.
async fn back_to_window(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    done: Result<(), AppError>,
) -> UiResult<Response> {
    match done {
        Ok(()) => Ok(Redirect::to(&format!("/overseas/{id}")).into_response()),
        Err(e) => {
            let errors = problems(e)?;
            Ok(window_page(state, user, id, errors).await?)
        }
    }
}

async fn withdraw(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Form(f): Form<HashMap<String, String>>,
) -> UiResult<Response> {
    user.check_csrf(f.get("csrf_token").map(String::as_str))?;
    let withdrawn = uc::withdraw(&state, &user, id).await.map(drop);
    back_to_window(&state, &user, id, withdrawn).await
}

// ----- Streaming exceptions ------------------------------------------------------------------

struct ExceptionRow {
    person: String,
    reason: String,
    approver: String,
    from: String,
    expires: String,
}

struct ReportChoice {
    staff_number: String,
    label: String,
}

#[derive(Template)]
#[template(path = "streaming_exceptions.html")]
struct ExceptionsPage {
    layout: Layout,
    c46: ClauseView,
    rows: Vec<ExceptionRow>,
    reports: Vec<ReportChoice>,
    errors: Vec<FieldProblem>,
    reason: String,
    until: String,
}
page!(ExceptionsPage);

async fn exceptions_page(
    state: &AppState,
    user: &CurrentUser,
    reason: &str,
    until: &str,
    errors: Vec<FieldProblem>,
) -> Result<Response, AppError> {
    let rows = uc::streaming_exceptions(state, user).await?;
    let reports = state.store().direct_reports(user.id()).await?;
    let bad = !errors.is_empty();
    let mut res = render(&ExceptionsPage {
        layout: layout(state, Some(user), "Streaming exceptions", "/usage/streaming-exceptions"),
        c46: clause_view("4.6"),
        rows: rows
            .iter()
            .map(|e| ExceptionRow {
                person: format!("{} ({})", e.person_name, e.staff_number),
                reason: e.reason.clone(),
                approver: e.approver_name.clone(),
                from: fmt_us(e.from_us),
                expires: fmt_us(e.expires_us),
            })
            .collect(),
        reports: reports
            .iter()
            .filter(|p| p.status == custodian_domain::people::PersonStatus::Active)
            .map(|p| ReportChoice {
                staff_number: p.staff_number.clone(),
                label: format!("{} ({})", p.name, p.staff_number),
            })
            .collect(),
        errors,
        reason: reason.into(),
        until: until.into(),
    });
    if bad {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn exceptions(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    Ok(exceptions_page(&state, &user, "", "", vec![]).await?)
}

async fn create_exception(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<HashMap<String, String>>,
) -> UiResult<Response> {
    user.check_csrf(f.get("csrf_token").map(String::as_str))?;
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    match uc::record_streaming_exception(&state, &user, &get("staff_number"), &get("reason"), &get("until")).await {
        Ok(_) => Ok(Redirect::to("/usage/streaming-exceptions").into_response()),
        Err(e) => {
            let errors = problems(e)?;
            Ok(exceptions_page(&state, &user, &get("reason"), &get("until"), errors).await?)
        }
    }
}

// ----- Usage imports -------------------------------------------------------------------------

struct RunRow {
    at: String,
    actor: String,
    feed: String,
    rows: String,
    imported: String,
    duplicates: String,
    rejected: String,
    findings: String,
    sha256: String,
}

struct ResultView {
    feed: String,
    rows: u64,
    imported: u64,
    duplicates: u64,
    findings_opened: u64,
    findings_updated: u64,
    rejected: Vec<String>,
}

#[derive(Template)]
#[template(path = "usage_imports.html")]
struct ImportsPage {
    layout: Layout,
    c41: ClauseView,
    /// Other suppliers' layouts in the usage pack, per feed.
    carrier_profiles: Vec<String>,
    web_profiles: Vec<String>,
    runs: Vec<RunRow>,
    result: Option<ResultView>,
    errors: Vec<FieldProblem>,
}
page!(ImportsPage);

async fn imports_page(
    state: &AppState,
    user: &CurrentUser,
    result: Option<ResultView>,
    errors: Vec<FieldProblem>,
) -> Result<Response, AppError> {
    let runs = uc::import_runs(state, user).await?;
    let n = |v: &serde_json::Value, k: &str| {
        v.get(k).map(|x| x.to_string().trim_matches('"').to_string()).unwrap_or_default()
    };
    let bad = !errors.is_empty();
    let mut res = render(&ImportsPage {
        layout: layout(state, Some(user), "Usage imports", "/usage/imports"),
        c41: clause_view("4.1"),
        carrier_profiles: uc::import_profiles(custodian_domain::usage::Feed::Carrier),
        web_profiles: uc::import_profiles(custodian_domain::usage::Feed::Web),
        runs: runs
            .iter()
            .map(|r| RunRow {
                at: fmt_time(r.at),
                actor: r.actor.clone(),
                feed: n(&r.detail, "feed"),
                rows: n(&r.detail, "rows"),
                imported: n(&r.detail, "imported"),
                duplicates: n(&r.detail, "duplicates"),
                rejected: n(&r.detail, "rejected"),
                findings: n(&r.detail, "findings_opened"),
                sha256: n(&r.detail, "file_sha256"),
            })
            .collect(),
        result,
        errors,
    });
    if bad {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn imports(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    Ok(imports_page(&state, &user, None, vec![]).await?)
}

async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(feed): Path<String>,
    mut mp: Multipart,
) -> UiResult<Response> {
    let mut csrf = None;
    let mut profile: Option<String> = None;
    let mut file: Option<uc::Spooled> = None;
    while let Some(mut field) = mp.next_field().await.map_err(|e| AppError::invalid("file", e.body_text()))? {
        match field.name() {
            Some("csrf_token") => {
                csrf = Some(field.text().await.map_err(|e| AppError::invalid("csrf_token", e.body_text()))?)
            }
            Some("profile") => {
                profile = Some(field.text().await.map_err(|e| AppError::invalid("profile", e.body_text()))?)
            }
            Some("file") => {
                // Refuse before receiving the file when the form's token is already known to be wrong.
                if csrf.is_some() {
                    user.check_csrf(csrf.as_deref())?;
                }
                let mut spool = uc::Spool::new()?;
                while let Some(chunk) = field.chunk().await.map_err(|e| AppError::invalid("file", e.body_text()))? {
                    spool.push(&chunk).await?;
                }
                file = Some(spool.finish().await?);
            }
            _ => {}
        }
    }
    user.check_csrf(csrf.as_deref())?;
    let file = match file {
        Some(f) => f,
        None => uc::Spooled { len: 0, reader: Box::new(std::io::empty()) },
    };
    match uc::import_usage(&state, &user, &feed, profile.as_deref(), file).await {
        Ok(r) => {
            let view = ResultView {
                feed: r.feed.as_str().into(),
                rows: r.rows,
                imported: r.imported,
                duplicates: r.duplicates,
                findings_opened: r.findings_opened,
                findings_updated: r.findings_updated,
                rejected: r
                    .rejected
                    .iter()
                    .map(|e| {
                        format!(
                            "Line {}{}: {}",
                            e.line,
                            e.record_id.as_deref().map(|i| format!(" ({i})")).unwrap_or_default(),
                            e.reason
                        )
                    })
                    .collect(),
            };
            Ok(imports_page(&state, &user, Some(view), vec![]).await?)
        }
        Err(e) => {
            let errors = problems(e)?;
            Ok(imports_page(&state, &user, None, errors).await?)
        }
    }
}
