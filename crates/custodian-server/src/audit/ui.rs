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
    let subject = q.subject.clone().filter(|s| !s.is_empty());
    let p = state.store().audit_page(subject.as_deref(), None, page, 50).await?;
    let pages = p.pages();
    let href = |n: i64| format!("/audit?subject={}&page={n}", percent(subject.as_deref().unwrap_or("")));
    Ok(render(&AuditPageView {
        layout: layout(state, Some(user), "Audit log", "/audit"),
        rows: p
            .items
            .iter()
            .map(|e| AuditRowView {
                seq: e.seq,
                at: fmt_time(e.at),
                actor: e.actor.clone(),
                action: e.action.clone(),
                subject: e.subject.clone(),
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
    let r = crate::heavy::audit_verify(&state, &user).await?;
    let v = VerifyView {
        intact: r.problem.is_none(),
        events: r.events,
        root: r.root,
        checkpoints: r.checkpoints_checked,
        problem: r.problem.unwrap_or_default(),
    };
    Ok(audit_page(&state, &user, AuditQuery::default(), Some(v)).await?)
}
