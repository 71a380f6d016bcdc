//! The audit log page and its verification.

use crate::routing::{Routes, get, post};

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use custodian_authz::{Action, Resource};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::UiResult;
use crate::web::csrf::{CsrfForm, CsrfOnly};
use crate::web::{Layout, fmt_time, layout, page, percent, render};
pub fn routes() -> Routes {
    Routes::new().route("/audit", get(audit)).route("/audit/verify", post(audit_verify))
}

// ----- Audit and policy ----------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    pub(crate) subject: Option<String>,
    pub(crate) page: Option<i64>,
}

pub(crate) struct AuditRowView {
    pub(crate) seq: i64,
    pub(crate) at: String,
    pub(crate) actor: String,
    pub(crate) action: String,
    pub(crate) subject: String,
    pub(crate) clause: String,
    pub(crate) justification: String,
}

#[derive(Template)]
#[template(path = "audit/audit.html")]
pub(crate) struct AuditPageView {
    pub(crate) layout: Layout,
    pub(crate) rows: Vec<AuditRowView>,
    pub(crate) subject: String,
    pub(crate) total: i64,
    pub(crate) page: i64,
    pub(crate) pages: i64,
    pub(crate) prev_href: Option<String>,
    pub(crate) next_href: Option<String>,
    pub(crate) verify: Option<VerifyView>,
    pub(crate) can_verify: bool,
    /// The checkpoints' verifier key (C2SP note verifier format), for checking them elsewhere.
    pub(crate) verifier_key: String,
}
page!(AuditPageView);

pub(crate) struct VerifyView {
    pub(crate) intact: bool,
    pub(crate) events: u64,
    pub(crate) root: String,
    pub(crate) checkpoints: usize,
    pub(crate) problem: String,
}

pub(crate) async fn audit_page(
    state: &AppState,
    user: &CurrentUser,
    q: AuditQuery,
    verify: Option<VerifyView>,
) -> Result<Response, AppError> {
    state.require(user, Action::AuditRead, &Resource::System)?;
    let page = q.page.unwrap_or(1).max(1);
    let subject = q.subject.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    // A staff number or an asset tag on its own finds that person's or device's events.
    let subject = match subject {
        Some(s) if !s.contains(':') => {
            if state.store().person_by_staff_number(&s.to_ascii_uppercase()).await?.is_some() {
                Some(format!("person:{}", s.to_ascii_uppercase()))
            } else if state.store().device_by_asset_tag(&s.to_ascii_uppercase()).await?.is_some() {
                Some(format!("device:{}", s.to_ascii_uppercase()))
            } else {
                Some(s)
            }
        }
        other => other,
    };
    let p = state.store().audit_page(subject.as_deref(), None, page, 50).await?;
    let pages = p.pages();
    let href = |n: i64| format!("/audit?subject={}&page={n}", percent(subject.as_deref().unwrap_or("")));
    let actors =
        crate::web::display::actors_in_words(state, &p.items.iter().map(|e| e.actor.clone()).collect::<Vec<_>>()).await;
    // People named as subjects, in words like the actors.
    let subjects: Vec<String> = p.items.iter().map(|e| e.subject.clone()).collect();
    let names: std::collections::HashMap<String, String> = subjects
        .iter()
        .cloned()
        .zip(crate::web::display::actors_in_words(state, &subjects).await)
        .filter(|(s, _)| s.starts_with("person:"))
        .collect();
    Ok(render(&AuditPageView {
        layout: layout(state, Some(user), "Audit log", "/audit"),
        rows: p
            .items
            .iter()
            .zip(actors)
            .map(|(e, actor)| AuditRowView {
                seq: e.seq,
                at: fmt_time(e.at),
                actor,
                action: crate::web::form_errors::humanise(&e.action),
                subject: subject_words(&e.subject, &names),
                clause: e.clause.clone().unwrap_or_default(),
                justification: e.justification.clone().unwrap_or_default(),
            })
            .collect(),
        subject: subject.clone().unwrap_or_default(),
        total: p.total,
        page,
        pages,
        prev_href: (page > 1).then(|| href(page - 1)),
        next_href: (page < pages).then(|| href(page + 1)),
        verify,
        can_verify: state.allows(user, Action::AuditVerify, &Resource::System),
        verifier_key: super::api::key_out(state).verifier_key,
    }))
}

pub async fn audit(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AuditQuery>,
) -> UiResult<Response> {
    Ok(audit_page(&state, &user, q, None).await?)
}

pub async fn audit_verify(
    State(state): State<AppState>,
    user: CurrentUser,
    _: CsrfForm<CsrfOnly>,
) -> UiResult<Response> {
    let r = crate::heavy::audit_verify(&state, &user, Vec::new()).await?;
    let v = VerifyView {
        intact: r.problem.is_none(),
        events: r.events,
        root: r.root,
        checkpoints: r.checkpoints_checked,
        problem: r.problem.unwrap_or_default(),
    };
    Ok(audit_page(&state, &user, AuditQuery::default(), Some(v)).await?)
}

/// An audit subject in words: a person by name and staff number, a device by asset tag, a
/// record of another kind by its kind ("Finding") rather than its identifier.
fn subject_words(subject: &str, people: &std::collections::HashMap<String, String>) -> String {
    if let Some(n) = people.get(subject) {
        return n.clone();
    }
    match subject.split_once(':') {
        Some(("device", tag)) => format!("Device {tag}"),
        Some((kind, id)) if uuid::Uuid::parse_str(id).is_ok() => crate::web::form_errors::humanise(kind),
        Some((kind, rest)) => format!("{} {rest}", crate::web::form_errors::humanise(kind)),
        None => crate::web::form_errors::humanise(subject),
    }
}
