//! The screening pack pages (WP034 6.3, 6.5): the pack in force and its history, and changing
//! it in two steps: check a proposed pack against the one in force, then put it into effect
//! with a reason. The forms work without JavaScript.

use crate::routing::{Routes, get, post};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use custodian_authz::{Action, Resource};
use custodian_screening::review::ChangeReport;
use custodian_store::screening::PackVersion;
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::error::{AppError, FieldProblem};
use crate::screening as uc;
use crate::state::AppState;
use crate::web::UiResult;
use crate::web::csrf::CsrfForm;
use crate::web::{ClauseView, Layout, clause_view, fmt_time, layout, page, render};

pub fn routes() -> Routes {
    Routes::new()
        .route("/screening/pack", get(overview).post(activate))
        .route("/screening/pack/check", post(check))
        .route("/screening/pack/versions/{version}", get(one_version))
}

struct VersionRow {
    version: String,
    when: String,
    author: String,
    reason: String,
    rules: i64,
    examples: i64,
}

impl From<&PackVersion> for VersionRow {
    fn from(v: &PackVersion) -> Self {
        Self {
            version: v.version.clone(),
            when: fmt_time(v.created_at),
            author: v.author.clone(),
            reason: v.reason.clone(),
            rules: v.rules,
            examples: v.examples,
        }
    }
}

#[derive(Template)]
#[template(path = "screening/screening_pack.html")]
struct PackPage {
    layout: Layout,
    version: String,
    sha256: String,
    built_in: bool,
    rules: usize,
    examples: usize,
    history: Vec<VersionRow>,
    can_manage: bool,
    body: String,
    errors: Vec<FieldProblem>,
    activated: Option<String>,
    c63: ClauseView,
    c65: ClauseView,
}
page!(PackPage);

#[derive(Deserialize)]
pub struct OverviewQuery {
    activated: Option<String>,
}

async fn pack_page(
    state: &AppState,
    user: &CurrentUser,
    body: Option<String>,
    errors: Vec<FieldProblem>,
    activated: Option<String>,
) -> Result<Response, AppError> {
    let (current, history) = uc::overview(state, user).await?;
    let body = match body {
        Some(b) => b,
        None => match current.seq {
            Some(_) => history.iter().find(|v| Some(v.seq) == current.seq).map(|v| v.body.clone()).unwrap_or_default(),
            None => custodian_screening::Pack::builtin_text().to_string(),
        },
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut res = render(&PackPage {
        layout: layout(state, Some(user), "Screening pack", "/screening/pack"),
        version: current.version().to_string(),
        sha256: current.sha256.clone(),
        built_in: current.seq.is_none(),
        rules: current.pack.rules.len(),
        examples: current.pack.examples.len(),
        history: history.iter().map(VersionRow::from).collect(),
        can_manage: state.allows(user, Action::ScreeningPackManage, &Resource::System),
        body,
        errors,
        activated,
        c63: clause_view("6.3"),
        c65: clause_view("6.5"),
    });
    *res.status_mut() = status;
    Ok(res)
}

async fn overview(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<OverviewQuery>,
) -> UiResult<Response> {
    Ok(pack_page(&state, &user, None, Vec::new(), q.activated).await?)
}

#[derive(Deserialize)]
pub struct CheckForm {
    #[serde(default)]
    body: String,
}

struct ScoreRow {
    category: &'static str,
    gold: usize,
    before_precision: String,
    before_recall: String,
    after_precision: String,
    after_recall: String,
    worse: bool,
}

struct DifferenceRow {
    source: String,
    text: String,
    before: String,
    after: String,
}

#[derive(Template)]
#[template(path = "screening/screening_check.html")]
struct CheckPage {
    layout: Layout,
    report: ChangeReport,
    scores: Vec<ScoreRow>,
    differences: Vec<DifferenceRow>,
    regressions: usize,
    body: String,
    errors: Vec<FieldProblem>,
    c63: ClauseView,
}
page!(CheckPage);

fn outcome_text(o: &custodian_screening::review::Outcome) -> String {
    let mut s = o.verdict.replace('_', " ");
    if let Some(a) = o.approver {
        s.push_str(&format!(" ({})", a.replace('_', " ")));
    }
    if !o.categories.is_empty() {
        s.push_str(": ");
        s.push_str(&o.categories.join(", "));
    }
    s
}

fn check_page(
    state: &AppState,
    user: &CurrentUser,
    report: ChangeReport,
    body: String,
    errors: Vec<FieldProblem>,
) -> Response {
    let scores = report
        .scores
        .iter()
        .filter(|s| s.before.gold > 0 || s.before.predicted > 0 || s.after.predicted > 0)
        .map(|s| ScoreRow {
            category: s.category,
            gold: s.before.gold,
            before_precision: format!("{:.2}", s.before.precision()),
            before_recall: format!("{:.2}", s.before.recall()),
            after_precision: format!("{:.2}", s.after.precision()),
            after_recall: format!("{:.2}", s.after.recall()),
            worse: s.is_worse(),
        })
        .collect();
    let differences = report
        .differences
        .iter()
        .map(|d| DifferenceRow {
            source: d.source.clone(),
            text: d.text.clone(),
            before: outcome_text(&d.before),
            after: outcome_text(&d.after),
        })
        .collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut res = render(&CheckPage {
        layout: layout(state, Some(user), "Check a screening pack change", "/screening/pack"),
        regressions: report.regressions().len(),
        report,
        scores,
        differences,
        body,
        errors,
        c63: clause_view("6.3"),
    });
    *res.status_mut() = status;
    res
}

async fn check(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<CheckForm>,
) -> UiResult<Response> {
    match uc::check(&state, &user, &f.body).await {
        Ok(report) => Ok(check_page(&state, &user, report, f.body, Vec::new())),
        Err(AppError::Invalid { errors, .. }) => Ok(pack_page(&state, &user, Some(f.body), errors, None).await?),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ActivateForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    reason: String,
}

async fn activate(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<ActivateForm>,
) -> UiResult<Response> {
    match uc::activate(&state, &user, &f.body, &f.reason).await {
        Ok(v) => {
            let query = serde_urlencoded::to_string([("activated", &v.version)]).unwrap_or_default();
            Ok(Redirect::to(&format!("/screening/pack?{query}")).into_response())
        }
        Err(AppError::Invalid { errors, .. }) if errors.iter().any(|e| e.field.as_deref() == Some("reason")) => {
            // The pack passed its checks; show the report again with the reason asked for.
            let report = uc::check(&state, &user, &f.body).await?;
            Ok(check_page(&state, &user, report, f.body, errors))
        }
        Err(AppError::Invalid { errors, .. }) => Ok(pack_page(&state, &user, Some(f.body), errors, None).await?),
        Err(AppError::Conflict(message)) => {
            let errors = vec![FieldProblem { field: Some("body".into()), line: None, message }];
            Ok(pack_page(&state, &user, Some(f.body), errors, None).await?)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "screening/screening_version.html")]
struct VersionPage {
    layout: Layout,
    v: VersionRow,
    sha256: String,
    body: String,
}
page!(VersionPage);

async fn one_version(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(version): Path<String>,
) -> UiResult<Response> {
    let v = uc::version(&state, &user, &version).await?;
    Ok(render(&VersionPage {
        layout: layout(&state, Some(&user), &format!("Screening pack {}", v.version), "/screening/pack"),
        v: VersionRow::from(&v),
        sha256: v.sha256.clone(),
        body: v.body,
    }))
}
