//! Approval chains and notifications under /api/v1: the approvals a person may decide, their own
//! requests, one request with its steps and timeline, decisions, withdrawal, deputies, overdue
//! steps, and each person's notifications (WP034 4.8 and the routes built on the same chain).

use crate::routing::Routes;
use axum::Json;
use axum::extract::{Path, Query, State};
use custodian_store::approvals::{
    ApprovalEvent, ApprovalRequest, ApprovalStep, DelegationRecord, Notification, OverdueStep, ToDecide,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::routes;
use uuid::Uuid;

use crate::api::{CsrfHeader, JsonIn};
use crate::approvals as uc;
use crate::auth::CurrentUser;
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;

pub fn routes() -> Routes {
    Routes::documented(ApprovalsApi::openapi())
        .routes(routes!(list_notifications))
        .routes(routes!(read_all))
        .routes(routes!(read_one))
        .routes(routes!(to_decide))
        .routes(routes!(mine))
        .routes(routes!(overdue))
        .routes(routes!(delegations, delegate))
        .routes(routes!(revoke))
        .routes(routes!(get_request))
        .routes(routes!(decide))
        .routes(routes!(withdraw))
}

/// The approvals part of the OpenAPI document: its schemas, which `routes()` starts from and adds its operations to.
#[derive(OpenApi)]
#[openapi(components(schemas(
    NotificationOut,
    NotificationsOut,
    ApprovalOut,
    StepOut,
    TimelineOut,
    ToDecideOut,
    OverdueOut,
    DecideIn,
    DecisionOut,
    DelegationIn,
    DelegationOut,
    CountOut
)))]
pub struct ApprovalsApi;

fn ts(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

fn parse_ts(field: &str, v: &str) -> Result<OffsetDateTime, AppError> {
    OffsetDateTime::parse(v.trim(), &time::format_description::well_known::Rfc3339)
        .map_err(|_| AppError::invalid(field, "Give an RFC 3339 date and time, e.g. 2026-12-01T09:00:00Z"))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationOut {
    pub id: Uuid,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub created_at: String,
    pub read_at: Option<String>,
}

impl From<&Notification> for NotificationOut {
    fn from(n: &Notification) -> Self {
        Self {
            id: n.id,
            kind: n.kind.clone(),
            title: n.title.clone(),
            body: n.body.clone(),
            link: n.link.clone(),
            created_at: ts(n.created_at),
            read_at: n.read_at.map(ts),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationsOut {
    pub unread: i64,
    pub items: Vec<NotificationOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountOut {
    pub count: u64,
}

/// One step: the clause it enforces, its decider, service level and decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct StepOut {
    pub key: String,
    pub clause: String,
    /// The named decider's name, or the role.
    pub decider: String,
    pub sla_days: u32,
    /// waiting, pending, approved or rejected
    pub status: String,
    pub opened_at: Option<String>,
    pub due_at: Option<String>,
    pub overdue: bool,
    pub decided_by: Option<String>,
    pub on_behalf_of: Option<Uuid>,
    pub decided_at: Option<String>,
    pub reasons: Option<String>,
}

impl StepOut {
    pub(crate) fn new(s: &ApprovalStep, now: OffsetDateTime) -> Self {
        Self {
            key: s.key.clone(),
            clause: s.clause.clone(),
            decider: s.decider_label.clone(),
            sla_days: s.sla_days,
            status: s.status.as_str().into(),
            opened_at: s.opened_at.map(ts),
            due_at: s.due_at.map(ts),
            overdue: s.is_overdue(now),
            decided_by: s.decided_by_name.clone(),
            on_behalf_of: s.on_behalf_of,
            decided_at: s.decided_at.map(ts),
            reasons: s.reasons.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineOut {
    pub at: String,
    /// requested, approved, rejected, withdrawn, restarted or overdue
    pub event: String,
    pub actor: Option<String>,
    pub step: Option<String>,
    pub clause: Option<String>,
    pub on_behalf_of: Option<String>,
    pub reasons: Option<String>,
    pub revision: u32,
}

impl From<&ApprovalEvent> for TimelineOut {
    fn from(e: &ApprovalEvent) -> Self {
        Self {
            at: ts(e.at),
            event: e.event.clone(),
            actor: e.actor_name.clone(),
            step: e.step_key.clone(),
            clause: e.clause.clone(),
            on_behalf_of: e.on_behalf_of_name.clone(),
            reasons: e.reasons.clone(),
            revision: e.revision,
        }
    }
}

/// An approval request.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApprovalOut {
    pub id: Uuid,
    /// The feature: app, overseas_use, social_post...
    pub kind: String,
    pub subject: String,
    pub title: String,
    pub link: String,
    pub requester: String,
    /// sequential or all_of
    pub order: String,
    /// pending, approved, rejected or withdrawn
    pub status: String,
    pub revision: u32,
    pub created_at: String,
    pub closed_at: Option<String>,
    pub steps: Vec<StepOut>,
    /// Only on a single request's page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<TimelineOut>>,
    /// Step keys the caller may decide now (single request only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_decide: Option<Vec<String>>,
}

impl ApprovalOut {
    fn new(r: &ApprovalRequest, now: OffsetDateTime) -> Self {
        Self {
            id: r.id,
            kind: r.kind.clone(),
            subject: r.subject.clone(),
            title: r.title.clone(),
            link: r.link.clone(),
            requester: r.requester_name.clone(),
            order: r.order.as_str().into(),
            status: r.status.as_str().into(),
            revision: r.revision,
            created_at: ts(r.created_at),
            closed_at: r.closed_at.map(ts),
            steps: r.steps.iter().map(|s| StepOut::new(s, now)).collect(),
            timeline: None,
            can_decide: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ToDecideOut {
    pub request: ApprovalOut,
    /// The steps the caller may decide.
    pub steps: Vec<String>,
    pub overdue: bool,
}

impl ToDecideOut {
    fn new(t: &ToDecide, now: OffsetDateTime) -> Self {
        Self { request: ApprovalOut::new(&t.request, now), steps: t.steps.clone(), overdue: t.overdue }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OverdueOut {
    pub request_id: Uuid,
    pub title: String,
    pub link: String,
    pub step: String,
    pub clause: String,
    pub decider: String,
    pub due_at: String,
}

impl From<&OverdueStep> for OverdueOut {
    fn from(o: &OverdueStep) -> Self {
        Self {
            request_id: o.request_id,
            title: o.title.clone(),
            link: o.link.clone(),
            step: o.step_key.clone(),
            clause: o.clause.clone(),
            decider: o.decider_label.clone(),
            due_at: ts(o.due_at),
        }
    }
}

/// A decision on one step.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideIn {
    /// The step's key (`hod`, `digital_services`...).
    pub step: String,
    /// approve or reject
    pub verdict: String,
    /// Required to reject.
    pub reasons: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionOut {
    /// step_approved, approved or rejected
    pub outcome: String,
    pub request: ApprovalOut,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DelegationIn {
    /// The deputy's staff number.
    pub deputy: String,
    /// RFC 3339.
    pub starts_at: String,
    /// RFC 3339, after `starts_at`.
    pub ends_at: String,
    /// The absence.
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DelegationOut {
    pub id: Uuid,
    pub person: String,
    pub deputy: String,
    pub starts_at: String,
    pub ends_at: String,
    pub reason: String,
    pub revoked_at: Option<String>,
}

impl From<&DelegationRecord> for DelegationOut {
    fn from(d: &DelegationRecord) -> Self {
        Self {
            id: d.id,
            person: d.person_name.clone(),
            deputy: d.deputy_name.clone(),
            starts_at: ts(d.starts_at),
            ends_at: ts(d.ends_at),
            reason: d.reason.clone(),
            revoked_at: d.revoked_at.map(ts),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LimitQuery {
    /// At most this many (default 50, at most 500).
    pub limit: Option<i64>,
}

/// The caller's notifications, newest first, with the unread count.
#[utoipa::path(get, path = "/notifications", tag = "approvals", params(LimitQuery), responses((status = 200, body = NotificationsOut)))]
async fn list_notifications(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<LimitQuery>,
) -> ApiResult<Json<NotificationsOut>> {
    let (items, unread) = uc::notifications(&state, &user, q.limit.unwrap_or(50)).await?;
    Ok(Json(NotificationsOut { unread, items: items.iter().map(NotificationOut::from).collect() }))
}

/// Mark all the caller's notifications read.
#[utoipa::path(post, path = "/notifications/read-all", tag = "approvals", responses((status = 200, body = CountOut)))]
async fn read_all(State(state): State<AppState>, CsrfHeader(user): CsrfHeader) -> ApiResult<Json<CountOut>> {
    Ok(Json(CountOut { count: uc::mark_read(&state, &user, None).await? }))
}

/// Mark one of the caller's notifications read.
#[utoipa::path(post, path = "/notifications/{id}/read", tag = "approvals", params(("id" = Uuid, Path)), responses((status = 200, body = CountOut)))]
async fn read_one(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<CountOut>> {
    Ok(Json(CountOut { count: uc::mark_read(&state, &user, Some(id)).await? }))
}

/// The requests the caller may decide now (in person, through a role, or as a deputy), overdue first.
#[utoipa::path(get, path = "/approvals/to-decide", tag = "approvals", responses((status = 200, body = [ToDecideOut])))]
async fn to_decide(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Vec<ToDecideOut>>> {
    let now = state.now();
    Ok(Json(uc::to_decide(&state, &user).await?.iter().map(|t| ToDecideOut::new(t, now)).collect()))
}

/// The caller's own requests, newest first.
#[utoipa::path(get, path = "/approvals/mine", tag = "approvals", responses((status = 200, body = [ApprovalOut])))]
async fn mine(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Vec<ApprovalOut>>> {
    let now = state.now();
    Ok(Json(uc::mine(&state, &user).await?.iter().map(|r| ApprovalOut::new(r, now)).collect()))
}

/// Every pending step past its service level (Digital Services, administrators).
#[utoipa::path(get, path = "/approvals/overdue", tag = "approvals", responses((status = 200, body = [OverdueOut]), (status = 403, body = Problem)))]
async fn overdue(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Vec<OverdueOut>>> {
    Ok(Json(uc::overdue(&state, &user).await?.iter().map(OverdueOut::from).collect()))
}

/// One request with its steps, its timeline and the steps the caller may decide.
#[utoipa::path(get, path = "/approvals/{id}", tag = "approvals", params(("id" = Uuid, Path)), responses((status = 200, body = ApprovalOut), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_request(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<ApprovalOut>> {
    let v = uc::view(&state, &user, id).await?;
    let mut out = ApprovalOut::new(&v.request, state.now());
    out.timeline = Some(v.timeline.iter().map(TimelineOut::from).collect());
    out.can_decide = Some(v.can_decide);
    Ok(Json(out))
}

/// Decide one step: approve, or reject with reasons (WP034 4.8 for apps; each step names its clause).
#[utoipa::path(post, path = "/approvals/{id}/decide", tag = "approvals", params(("id" = Uuid, Path)), request_body = DecideIn, responses((status = 200, body = DecisionOut), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn decide(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
    JsonIn(b): JsonIn<DecideIn>,
) -> ApiResult<Json<DecisionOut>> {
    let d = uc::decide(
        &state,
        &user,
        id,
        uc::Decision { step: &b.step, verdict: &b.verdict, reasons: b.reasons.as_deref() },
    )
    .await?;
    let outcome = match d.outcome {
        custodian_domain::approvals::Outcome::StepApproved { .. } => "step_approved",
        custodian_domain::approvals::Outcome::Approved => "approved",
        custodian_domain::approvals::Outcome::Rejected => "rejected",
    };
    Ok(Json(DecisionOut { outcome: outcome.into(), request: ApprovalOut::new(&d.request, state.now()) }))
}

/// The requester withdraws a request before a final decision.
#[utoipa::path(post, path = "/approvals/{id}/withdraw", tag = "approvals", params(("id" = Uuid, Path)), responses((status = 200, body = ApprovalOut), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn withdraw(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<ApprovalOut>> {
    let r = uc::withdraw(&state, &user, id).await?;
    Ok(Json(ApprovalOut::new(&r, state.now())))
}

/// The caller's deputies, and the people the caller deputises for.
#[utoipa::path(get, path = "/approvals/delegations", tag = "approvals", responses((status = 200, body = [DelegationOut])))]
async fn delegations(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Vec<DelegationOut>>> {
    Ok(Json(uc::delegations(&state, &user).await?.iter().map(DelegationOut::from).collect()))
}

/// Name a deputy to decide the caller's steps for a period (WP034 4.8: absences).
#[utoipa::path(post, path = "/approvals/delegations", tag = "approvals", request_body = DelegationIn, responses((status = 200, body = Uuid), (status = 422, body = Problem)))]
async fn delegate(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    JsonIn(b): JsonIn<DelegationIn>,
) -> ApiResult<Json<Uuid>> {
    // Who may delegate is settled before the dates are read, so a refusal never depends on input.
    state.require(&user, custodian_authz::Action::ApprovalsDelegate, &custodian_authz::Resource::System)?;
    let starts = parse_ts("starts_at", &b.starts_at)?;
    let ends = parse_ts("ends_at", &b.ends_at)?;
    Ok(Json(uc::delegate(&state, &user, &b.deputy, starts, ends, &b.reason).await?))
}

/// End one of the caller's delegations.
#[utoipa::path(post, path = "/approvals/delegations/{id}/revoke", tag = "approvals", params(("id" = Uuid, Path)), responses((status = 200, body = CountOut), (status = 404, body = Problem)))]
async fn revoke(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<CountOut>> {
    uc::revoke_delegation(&state, &user, id).await?;
    Ok(Json(CountOut { count: 1 }))
}

impl ApprovalOut {
    /// A request with its timeline and the steps the viewer may decide (for features that show
    /// their request, such as overseas use).
    pub fn with_timeline(v: &crate::approvals::RequestView, now: OffsetDateTime) -> Self {
        let mut out = Self::new(&v.request, now);
        out.timeline = Some(v.timeline.iter().map(TimelineOut::from).collect());
        out.can_decide = Some(v.can_decide.clone());
        out
    }
}
