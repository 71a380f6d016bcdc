//! Approval chains and notifications: the use cases behind the "approvals to decide" list, a
//! request's page with its timeline, decisions, withdrawal, deputies, overdue steps and each
//! person's notifications. The chain itself is `custodian_domain::approvals`; the records and
//! the guide for features are in `custodian_store::approvals`.

pub mod api;
pub mod ui;

use custodian_authz::{Action, Resource};
use custodian_domain::approvals::{self as chain, Deciding, Verdict};
use custodian_store::approvals::{
    ApprovalEvent, ApprovalRequest, Decided, DelegationRecord, Notification, OverdueStep, ToDecide,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;

/// Who the user is as a decider now: their roles and whom they deputise for.
pub async fn deciding(state: &AppState, user: &CurrentUser) -> Result<Deciding, AppError> {
    let now = state.now();
    let delegations: Vec<chain::Delegation> = state
        .store()
        .delegations_of(user.id())
        .await?
        .into_iter()
        .filter(|d| d.revoked_at.is_none())
        .map(|d| chain::Delegation { from: d.person_id, to: d.deputy_id, starts_at: d.starts_at, ends_at: d.ends_at })
        .collect();
    Ok(Deciding::new(user.id(), user.principal.roles.clone(), &delegations, now))
}

/// A request with its timeline, what the viewer may do with it.
pub struct RequestView {
    pub request: ApprovalRequest,
    pub timeline: Vec<ApprovalEvent>,
    /// Step keys the viewer may decide now.
    pub can_decide: Vec<String>,
    pub can_withdraw: bool,
}

/// A request, for its requester, its deciders (present or past, deputies included) and those
/// who oversee the route.
pub async fn view(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<RequestView, AppError> {
    let request =
        state.store().approval(id).await?.ok_or_else(|| AppError::NotFound(format!("No approval request {id}.")))?;
    let who = deciding(state, user).await?;
    let involved = request.requester_id == user.id()
        || request.steps.iter().any(|s| {
            s.decided_by == Some(user.id()) || s.on_behalf_of == Some(user.id()) || who.capacity(&s.decider).is_some()
        })
        || state.allows(user, Action::ApprovalsOverview, &Resource::System);
    if !involved {
        return Err(AppError::Forbidden("Only the requester and the request's deciders can see it.".into()));
    }
    let can_decide = if state.allows(user, Action::ApprovalsDecide, &Resource::System) {
        request.to_domain().decidable_by(&who)
    } else {
        vec![]
    };
    let can_withdraw = request.requester_id == user.id()
        && request.status == chain::RequestStatus::Pending
        && user.scope_allows(Action::ApprovalsDecide);
    let timeline = state.store().approval_timeline(id).await?;
    Ok(RequestView { request, timeline, can_decide, can_withdraw })
}

/// A decision on one step of a chain as the decider gave it (a form or a JSON body): approve, or
/// reject with reasons (WP034 4.8 for apps; each step names its clause).
#[derive(Debug, Clone, Copy)]
pub struct Decision<'a> {
    pub step: &'a str,
    pub verdict: &'a str,
    pub reasons: Option<&'a str>,
}

impl<'a> Decision<'a> {
    /// The verdict, and the reasons trimmed (none when blank); a rejection must give reasons.
    pub(crate) fn verdict(&self) -> Result<(Verdict, Option<&'a str>), AppError> {
        let verdict = Verdict::parse(self.verdict.trim())
            .ok_or_else(|| AppError::invalid("verdict", "Choose approve or reject"))?;
        let reasons = self.reasons.map(str::trim).filter(|r| !r.is_empty());
        if verdict == Verdict::Reject && reasons.is_none() {
            return Err(AppError::invalid("reasons", "Give the reasons for the rejection"));
        }
        Ok((verdict, reasons))
    }

    /// The step must be one of the request's, and nobody decides their own request or one for what
    /// they made (the request's exclusions), whichever feature's chain it is.
    pub(crate) fn check_step(&self, user: &CurrentUser, request: &ApprovalRequest) -> Result<(), AppError> {
        let step = self.step;
        if request.steps.iter().all(|s| s.key != step) {
            return Err(AppError::invalid("step", format!("This request has no step {step:?}")));
        }
        if request.requester_id == user.id() {
            return Err(AppError::Forbidden("Nobody decides their own request.".into()));
        }
        if request.status == chain::RequestStatus::Pending && request.excluded.contains(&user.id()) {
            return Err(AppError::Forbidden(
                "You made what this request asks to approve (you wrote or edited it, or overrode its warnings): someone else must decide it (separation of duties).".into(),
            ));
        }
        Ok(())
    }

    /// While the request is pending, the step must be one the user may decide now.
    pub(crate) fn check_decider(&self, request: &ApprovalRequest, can_decide: &[String]) -> Result<(), AppError> {
        let step = self.step;
        if request.status == chain::RequestStatus::Pending && !can_decide.iter().any(|k| k == step) {
            return Err(AppError::Forbidden(format!(
                "You cannot decide step {step:?} of this request: it is not yours to decide, not yet open, or you have already decided this request."
            )));
        }
        Ok(())
    }
}

/// Decide one step (approve, or reject with reasons). The chain refuses the requester, anyone
/// who is not the step's decider or their deputy, and a second decision by the same person.
pub async fn decide(state: &AppState, user: &CurrentUser, id: Uuid, d: Decision<'_>) -> Result<Decided, AppError> {
    state.require(user, Action::ApprovalsDecide, &Resource::System)?;
    let (verdict, reasons) = d.verdict()?;
    let v = view(state, user, id).await?;
    d.check_step(user, &v.request)?;
    d.check_decider(&v.request, &v.can_decide)?;
    Ok(state.store().approval_decide(id, d.step, user.id(), verdict, reasons, user.actor.at(state.now())).await?)
}

/// The requester withdraws a request before a final decision.
pub async fn withdraw(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<ApprovalRequest, AppError> {
    state.require(user, Action::ApprovalsDecide, &Resource::System)?;
    let r =
        state.store().approval(id).await?.ok_or_else(|| AppError::NotFound(format!("No approval request {id}.")))?;
    if r.requester_id != user.id() {
        return Err(AppError::Forbidden("Only the requester can withdraw a request.".into()));
    }
    Ok(state.store().approval_withdraw(id, user.id(), user.actor.at(state.now())).await?)
}

pub async fn to_decide(state: &AppState, user: &CurrentUser) -> Result<Vec<ToDecide>, AppError> {
    state.require(user, Action::ApprovalsDecide, &Resource::System)?;
    Ok(state.store().approvals_to_decide(user.id(), state.now()).await?)
}

pub async fn mine(state: &AppState, user: &CurrentUser) -> Result<Vec<ApprovalRequest>, AppError> {
    state.require(user, Action::ApprovalsDecide, &Resource::System)?;
    Ok(state.store().approvals_requested_by(user.id()).await?)
}

/// Every pending step past its service level (Digital Services, administrators).
pub async fn overdue(state: &AppState, user: &CurrentUser) -> Result<Vec<OverdueStep>, AppError> {
    state.require(user, Action::ApprovalsOverview, &Resource::System)?;
    Ok(state.store().approvals_overdue(state.now()).await?)
}

/// Name a deputy (by staff number) to decide the user's steps between two times.
pub async fn delegate(
    state: &AppState,
    user: &CurrentUser,
    deputy_staff_number: &str,
    starts_at: OffsetDateTime,
    ends_at: OffsetDateTime,
    reason: &str,
) -> Result<Uuid, AppError> {
    state.require(user, Action::ApprovalsDelegate, &Resource::System)?;
    let sn = deputy_staff_number.trim();
    if sn.is_empty() {
        return Err(AppError::invalid("deputy", "Enter the staff number of your deputy"));
    }
    let deputy = state
        .store()
        .person_by_staff_number(sn)
        .await?
        .ok_or_else(|| AppError::invalid("deputy", format!("No person has staff number {sn}")))?;
    if deputy.id == user.id() {
        return Err(AppError::invalid("deputy", "Name someone other than yourself"));
    }
    crate::forms::check_moment("starts_at", starts_at, state.now())?;
    crate::forms::check_moment("ends_at", ends_at, state.now())?;
    if ends_at <= starts_at {
        return Err(AppError::invalid("ends_at", "The end must be after the start"));
    }
    if reason.trim().is_empty() {
        return Err(AppError::invalid("reason", "Say why a deputy is needed (the absence)"));
    }
    Ok(state
        .store()
        .delegation_create(user.id(), deputy.id, starts_at, ends_at, reason, user.actor.at(state.now()))
        .await?)
}

pub async fn revoke_delegation(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<(), AppError> {
    state.require(user, Action::ApprovalsDelegate, &Resource::System)?;
    Ok(state.store().delegation_revoke(id, user.id(), user.actor.at(state.now())).await?)
}

pub async fn delegations(state: &AppState, user: &CurrentUser) -> Result<Vec<DelegationRecord>, AppError> {
    state.require(user, Action::ApprovalsDelegate, &Resource::System)?;
    Ok(state.store().delegations_of(user.id()).await?)
}

/// The user's notifications, newest first, and how many are unread.
pub async fn notifications(
    state: &AppState,
    user: &CurrentUser,
    limit: i64,
) -> Result<(Vec<Notification>, i64), AppError> {
    state.require(user, Action::NotificationsView, &Resource::System)?;
    let items = state.store().notifications(user.id(), limit.clamp(1, 500)).await?;
    let unread = state.store().notifications_unread(user.id()).await?;
    Ok((items, unread))
}

pub async fn unread(state: &AppState, user: &CurrentUser) -> Result<i64, AppError> {
    state.require(user, Action::NotificationsView, &Resource::System)?;
    Ok(state.store().notifications_unread(user.id()).await?)
}

/// Mark one of the user's notifications (or all of them) read.
/// A change, so it needs `notifications.update` (a `read`-scoped token may not).
pub async fn mark_read(state: &AppState, user: &CurrentUser, id: Option<Uuid>) -> Result<u64, AppError> {
    state.require(user, Action::NotificationsUpdate, &Resource::System)?;
    Ok(state.store().notifications_mark_read(user.id(), id, user.actor.at(state.now())).await?)
}
