//! Approvals and notifications pages: the approvals a person may decide (overdue first), their
//! own requests, one request with its steps, each step's clause in WP034's words, the decision
//! form and the timeline; deputies; and each person's notifications, whose unread count the
//! header shows. Every form works without JavaScript.

use crate::routing::{Routes, get, post};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use custodian_authz::{Action, Resource};
use custodian_domain::approvals::StepStatus;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::approvals as uc;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::UiResult;
use crate::web::csrf::{CsrfForm, CsrfOnly};
use crate::web::date_input::{DateField, Parts, When, parse_moment};
use crate::web::{ClauseView, Layout, clause_view, fmt_time, layout, page, render};

pub fn routes() -> Routes {
    Routes::new()
        .route("/notifications", get(notifications))
        .route("/notifications/count", get(count))
        .route("/notifications/read-all", post(read_all))
        .route("/notifications/{id}/read", post(read_one))
        .route("/approvals", get(approvals))
        .route("/approvals/delegations", post(delegate))
        .route("/approvals/delegations/{id}/revoke", post(revoke))
        .route("/approvals/{id}", get(request))
        .route("/approvals/{id}/decide", post(decide))
        .route("/approvals/{id}/withdraw", post(withdraw))
}

/// A decision on one step of an approval chain, from this module's request page and from every
/// feature's page that shows its chain (overseas use): approve, or reject with reasons.
#[derive(serde::Deserialize)]
pub(crate) struct DecisionForm {
    #[serde(default)]
    pub(crate) step: String,
    #[serde(default)]
    pub(crate) verdict: String,
    pub(crate) reasons: Option<String>,
}

impl DecisionForm {
    pub(crate) fn decision(&self) -> uc::Decision<'_> {
        uc::Decision { step: &self.step, verdict: &self.verdict, reasons: self.reasons.as_deref() }
    }
}

// ----- Notifications -------------------------------------------------------------------------

struct NotificationView {
    id: Uuid,
    title: String,
    body: String,
    link: Option<String>,
    at: String,
    unread: bool,
}

#[derive(Template)]
#[template(path = "approvals/notifications.html")]
struct NotificationsPage {
    layout: Layout,
    unread: i64,
    items: Vec<NotificationView>,
}
page!(NotificationsPage);

async fn notifications(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    let (items, unread) = uc::notifications(&state, &user, 200).await?;
    Ok(render(&NotificationsPage {
        layout: layout(&state, Some(&user), "Notifications", "/notifications"),
        unread,
        items: items
            .iter()
            .map(|n| NotificationView {
                id: n.id,
                title: n.title.clone(),
                body: crate::web::display::steps_in_text(&n.body),
                link: n.link.clone(),
                at: fmt_time(n.created_at),
                unread: n.read_at.is_none(),
            })
            .collect(),
    }))
}

/// The header's unread count (an htmx fragment; the header's link works without it).
async fn count(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    let n = uc::unread(&state, &user).await?;
    let html = if n > 0 {
        format!(
            "Notifications <strong class=\"moj-notification-badge\" id=\"unread-count\">{n}<span class=\"govuk-visually-hidden\"> unread</span></strong>"
        )
    } else {
        "Notifications".to_string()
    };
    Ok(axum::response::Html(html).into_response())
}

async fn read_all(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(_): CsrfForm<CsrfOnly>,
) -> UiResult<Response> {
    uc::mark_read(&state, &user, None).await?;
    Ok(Redirect::to("/notifications").into_response())
}

async fn read_one(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(_): CsrfForm<CsrfOnly>,
) -> UiResult<Response> {
    uc::mark_read(&state, &user, Some(id)).await?;
    Ok(Redirect::to("/notifications").into_response())
}

// ----- Approvals -----------------------------------------------------------------------------

struct RequestRow {
    id: Uuid,
    title: String,
    requester: String,
    status: String,
    steps: String,
    created: String,
    overdue: bool,
}

struct OverdueRow {
    id: Uuid,
    title: String,
    step: String,
    clause: String,
    decider: String,
    due: String,
}

struct DelegationRow {
    id: Uuid,
    person: String,
    deputy: String,
    period: String,
    reason: String,
    mine: bool,
    active: bool,
}

#[derive(Template)]
#[template(path = "approvals/approvals.html")]
struct ApprovalsPage {
    layout: Layout,
    to_decide: Vec<RequestRow>,
    mine: Vec<RequestRow>,
    overdue: Option<Vec<OverdueRow>>,
    delegations: Vec<DelegationRow>,
    starts: DateField,
    ends: DateField,
}
page!(ApprovalsPage);

fn steps_summary(r: &custodian_store::approvals::ApprovalRequest) -> String {
    r.steps
        .iter()
        .map(|s| {
            format!(
                "{} ({}): {}",
                crate::web::display::step_label(&s.key),
                s.decider_label,
                crate::web::form_errors::humanise(s.status.as_str()).to_lowercase()
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

async fn approvals(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    let now = state.now();
    let to_decide = uc::to_decide(&state, &user)
        .await?
        .into_iter()
        .map(|t| RequestRow {
            id: t.request.id,
            title: t.request.title.clone(),
            requester: t.request.requester_name.clone(),
            status: t.request.status.as_str().into(),
            steps: t.steps.iter().map(|k| crate::web::display::step_label(k)).collect::<Vec<_>>().join(", "),
            created: fmt_time(t.request.created_at),
            overdue: t.overdue,
        })
        .collect();
    let mine = uc::mine(&state, &user)
        .await?
        .into_iter()
        .map(|r| RequestRow {
            id: r.id,
            title: r.title.clone(),
            requester: r.requester_name.clone(),
            status: r.status.as_str().into(),
            steps: steps_summary(&r),
            created: fmt_time(r.created_at),
            overdue: !r.overdue_steps(now).is_empty(),
        })
        .collect();
    let overdue = if state.allows(&user, Action::ApprovalsOverview, &Resource::System) {
        Some(
            uc::overdue(&state, &user)
                .await?
                .into_iter()
                .map(|o| OverdueRow {
                    id: o.request_id,
                    title: o.title,
                    step: crate::web::display::step_label(&o.step_key),
                    clause: o.clause,
                    decider: o.decider_label,
                    due: fmt_time(o.due_at),
                })
                .collect(),
        )
    } else {
        None
    };
    let delegations = uc::delegations(&state, &user)
        .await?
        .into_iter()
        .map(|d| DelegationRow {
            id: d.id,
            mine: d.person_id == user.id(),
            active: d.revoked_at.is_none() && d.starts_at <= now && now < d.ends_at,
            person: d.person_name,
            deputy: d.deputy_name,
            period: format!("{} to {}", fmt_time(d.starts_at), fmt_time(d.ends_at)),
            reason: d.reason,
        })
        .collect();
    Ok(render(&ApprovalsPage {
        layout: layout(&state, Some(&user), "Approvals", "/approvals"),
        to_decide,
        mine,
        overdue,
        delegations,
        starts: DateField::moment("starts_at", "From", ""),
        ends: DateField::moment("ends_at", "Until", ""),
    }))
}

async fn delegate(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<Vec<(String, String)>>,
) -> UiResult<Response> {
    // Who may delegate is settled before the dates are read, so a refusal never depends on input.
    state.require(&user, custodian_authz::Action::ApprovalsDelegate, &custodian_authz::Resource::System)?;
    let get = |k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let now = state.now();
    let mut errors: Vec<crate::error::FieldProblem> = Vec::new();
    let deputy = match crate::people::chosen(&state, &user, "deputy", "your deputy", &get("deputy")).await {
        Ok(p) => Some(p),
        Err(e) => {
            errors.extend(crate::web::error::problems(e)?);
            None
        }
    };
    let mut moment = |name: &str, label: &str| {
        parse_moment(name, label, &Parts::read(&f, name), When::Any, now).map_err(|p| errors.push(p.into())).ok()
    };
    let starts = moment("starts_at", "The start");
    let ends = moment("ends_at", "The end");
    let (Some(deputy), Some(starts), Some(ends)) = (deputy, starts, ends) else {
        return Err(AppError::Invalid { detail: "The deputy's details have problems".into(), errors }.into());
    };
    uc::delegate(&state, &user, &deputy.staff_number, starts, ends, &get("reason")).await.map_err(|e| match e {
        // The use case names the whole moment: point at its first box.
        AppError::Invalid { detail, mut errors } => {
            for p in &mut errors {
                if let Some(f) = p.field.as_mut().filter(|f| *f == "starts_at" || *f == "ends_at") {
                    f.push_str("-day");
                }
            }
            AppError::Invalid { detail, errors }
        }
        e => e,
    })?;
    Ok(Redirect::to("/approvals").into_response())
}

async fn revoke(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(_): CsrfForm<CsrfOnly>,
) -> UiResult<Response> {
    uc::revoke_delegation(&state, &user, id).await?;
    Ok(Redirect::to("/approvals").into_response())
}

/// One step of an approval chain as every page with a chain shows it (this module's request page,
/// app requests, overseas use): who decides, under which clause, its state, when it is due and
/// who decided it with their reasons.
pub(crate) struct StepView {
    pub key: String,
    label: String,
    pub clause: ClauseView,
    pub decider: String,
    pub sla_days: u32,
    pub status: String,
    pub status_class: &'static str,
    pub due: String,
    pub overdue: bool,
    pub decided: String,
    pub reasons: String,
    /// Whether the viewer may decide this step now.
    pub can_decide: bool,
}

/// The clauses a chain's steps act under, each once, in the order of the steps: the page shows
/// them in one folded "WP034" element after the steps rather than in every step.
pub(crate) fn step_clauses<'a>(first: Option<&'a ClauseView>, steps: &'a [StepView]) -> Vec<&'a ClauseView> {
    let mut out: Vec<&ClauseView> = Vec::new();
    for c in first.into_iter().chain(steps.iter().map(|s| &s.clause)) {
        if !out.iter().any(|o| o.id == c.id) {
            out.push(c);
        }
    }
    out
}

/// One line of a request's timeline.
pub(crate) struct EventView {
    pub at: String,
    pub text: String,
    pub reasons: String,
}

/// The steps of a chain for a page; `can_decide` holds the keys the viewer may decide now.
pub(crate) fn step_views(
    steps: &[custodian_store::approvals::ApprovalStep],
    can_decide: &[String],
    now: OffsetDateTime,
) -> Vec<StepView> {
    steps
        .iter()
        .map(|s| StepView {
            key: s.key.clone(),
            label: crate::web::display::step_label(&s.key),
            clause: clause_view(&s.clause),
            decider: s.decider_label.clone(),
            sla_days: s.sla_days,
            status: s.status.as_str().into(),
            status_class: step_class(s.status),
            due: s.due_at.map(fmt_time).unwrap_or_default(),
            overdue: s.is_overdue(now),
            decided: match (&s.decided_by_name, s.decided_at) {
                (Some(n), Some(at)) => {
                    format!("{n}{} on {}", if s.on_behalf_of.is_some() { " (as deputy)" } else { "" }, fmt_time(at))
                }
                _ => String::new(),
            },
            reasons: s.reasons.clone().unwrap_or_default(),
            can_decide: can_decide.contains(&s.key),
        })
        .collect()
}

/// A request's timeline for a page; `requested` and `changed` are the feature's words for making
/// the request and editing its subject (see [`timeline_text`]).
pub(crate) fn timeline_views(
    events: &[custodian_store::approvals::ApprovalEvent],
    requested: &str,
    changed: &str,
) -> Vec<EventView> {
    events
        .iter()
        .map(|e| EventView {
            at: fmt_time(e.at),
            text: timeline_text(e, requested, changed),
            reasons: e.reasons.clone().unwrap_or_default(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "approvals/approval.html")]
struct RequestPage {
    layout: Layout,
    id: Uuid,
    title: String,
    kind: String,
    link: String,
    requester: String,
    status: String,
    order: String,
    steps: Vec<StepView>,
    timeline: Vec<EventView>,
    can_withdraw: bool,
}
page!(RequestPage);

impl RequestPage {
    fn clauses(&self) -> Vec<&ClauseView> {
        step_clauses(None, &self.steps)
    }
}

fn step_class(s: StepStatus) -> &'static str {
    match s {
        StepStatus::Waiting => "govuk-tag--grey",
        StepStatus::Pending => "govuk-tag--blue",
        StepStatus::Approved => "govuk-tag--green",
        StepStatus::Rejected => "govuk-tag--red",
    }
}

async fn request(State(state): State<AppState>, user: CurrentUser, Path(id): Path<Uuid>) -> UiResult<Response> {
    let now = state.now();
    let v = uc::view(&state, &user, id).await?;
    let r = &v.request;
    let steps = step_views(&r.steps, &v.can_decide, now);
    let timeline = timeline_views(&v.timeline, "made the request", "changed the subject");
    Ok(render(&RequestPage {
        layout: layout(&state, Some(&user), &r.title, "/approvals"),
        id: r.id,
        title: r.title.clone(),
        kind: r.kind.clone(),
        link: r.link.clone(),
        requester: r.requester_name.clone(),
        status: r.status.as_str().into(),
        order: match r.order {
            custodian_domain::approvals::Order::Sequential => "one after the other".into(),
            custodian_domain::approvals::Order::AllOf => "all of them, in any order".into(),
        },
        steps,
        timeline,
        can_withdraw: v.can_withdraw,
    }))
}

async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<DecisionForm>,
) -> UiResult<Response> {
    uc::decide(&state, &user, id, f.decision()).await?;
    Ok(Redirect::to(&format!("/approvals/{id}")).into_response())
}

async fn withdraw(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(_): CsrfForm<CsrfOnly>,
) -> UiResult<Response> {
    uc::withdraw(&state, &user, id).await?;
    Ok(Redirect::to(&format!("/approvals/{id}")).into_response())
}

/// One line of a request's timeline, as every feature's page shows it: who did what to which
/// step, under which clause, and for whom when a deputy acted. `requested` and `changed` are the
/// feature's words for making the request and editing its subject ("requested the app").
pub(crate) fn timeline_text(e: &custodian_store::approvals::ApprovalEvent, requested: &str, changed: &str) -> String {
    let who = e.actor_name.clone().unwrap_or_else(|| "Custodian".into());
    let step = e.step_key.as_ref().map(|k| format!(" step {}", k.replace('_', " "))).unwrap_or_default();
    let clause = e.clause.as_ref().map(|c| format!(" (WP034 {c})")).unwrap_or_default();
    let deputy = e.on_behalf_of_name.as_ref().map(|n| format!(" for {n}")).unwrap_or_default();
    match e.event.as_str() {
        "requested" => format!("{who} {requested}"),
        "approved" => format!("{who} approved{step}{clause}{deputy}"),
        "rejected" => format!("{who} rejected{step}{clause}{deputy}"),
        "withdrawn" => format!("{who} withdrew the request"),
        "restarted" => format!("{who} {changed}; every step starts again"),
        "overdue" => format!("{step} passed its service level{clause}").trim_start().to_string(),
        other => format!("{who}: {other}{step}"),
    }
}
