//! The audit API: the log, newest first, and its verification.

use crate::routing::{Routes, get};
use axum::Json;
use axum::extract::{Query, State};
use custodian_authz::{Action, Resource};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::api::dto::ts;
use crate::api::dto::*;
use crate::auth::CurrentUser;
use crate::error::{ApiResult, Problem};
use crate::state::AppState;
use custodian_store as s;
use serde::Serialize;
use utoipa::ToSchema;

pub fn routes() -> Routes {
    Routes::new().route("/audit/events", get(audit_events)).route("/audit/verify", get(audit_verify))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    subject: Option<String>,
    actor: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/audit/events", tag = "audit", params(AuditQuery), responses((status = 200, body = AuditPage), (status = 403, body = Problem)))]
async fn audit_events(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    state.require(&user, Action::AuditRead, &Resource::System)?;
    let (page, per_page) = Paging { page: q.page, per_page: q.per_page }.resolve();
    let p = state
        .store()
        .audit_page(
            q.subject.as_deref().filter(|s| !s.is_empty()),
            q.actor.as_deref().filter(|s| !s.is_empty()),
            page,
            per_page,
        )
        .await?;
    Ok(Json(AuditPage { items: p.items.iter().map(AuditEventOut::from).collect(), total: p.total, page, per_page }))
}

/// Recompute the audit tree and check every signed checkpoint.
#[utoipa::path(get, path = "/audit/verify", tag = "audit", responses((status = 200, body = VerifyOut), (status = 403, body = Problem)))]
async fn audit_verify(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<VerifyOut>> {
    let r = crate::heavy::audit_verify(&state, &user).await?;
    Ok(Json(VerifyOut {
        events: r.events,
        root: r.root,
        checkpoints_checked: r.checkpoints_checked,
        intact: r.problem.is_none(),
        problem: r.problem,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventOut {
    pub seq: i64,
    pub id: Uuid,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub clause: Option<String>,
    pub justification: Option<String>,
    pub before_digest: Option<String>,
    pub after_digest: Option<String>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub leaf_hash: String,
}

impl From<&s::AuditEvent> for AuditEventOut {
    fn from(e: &s::AuditEvent) -> Self {
        Self {
            seq: e.seq,
            id: e.id,
            at: ts(e.at),
            actor: e.actor.clone(),
            action: e.action.clone(),
            subject: e.subject.clone(),
            clause: e.clause.clone(),
            justification: e.justification.clone(),
            before_digest: e.before_digest.clone(),
            after_digest: e.after_digest.clone(),
            detail: e.detail.clone(),
            leaf_hash: e.leaf_hash.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyOut {
    pub events: u64,
    pub root: String,
    pub checkpoints_checked: usize,
    pub intact: bool,
    pub problem: Option<String>,
}
crate::api::dto::page_type!(AuditPage, AuditEventOut);
