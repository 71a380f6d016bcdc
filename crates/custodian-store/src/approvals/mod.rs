//! Approval chains and in-app notifications in the store: generic tables for requests, steps,
//! their timeline, deputies (delegations) and notifications, and the [`Store`] operations over
//! them. The state machine is `custodian_domain::approvals`.
//!
//! # Using the chain from a feature
//!
//! A feature (unlisted apps, overseas use, social media posts...) keeps its own record and opens
//! an approval request for it **in the same transaction**, with its own audit events. Its SQL lives
//! in its own `<feature>/sql.rs`, compiled per backend beside `approvals/sql.rs` (see
//! `backend.rs`), so it can call the transaction-level functions of `approvals` directly:
//!
//! ```ignore
//! // in <feature>/sql.rs, compiled once per backend
//! pub async fn request(pool: &Pool<DB>, r: &NewTrip, Write { actor, now }: Write<'_>) -> Result<Uuid> {
//!     let mut tx = pool.begin().await?;
//!     let id = Uuid::now_v7();
//!     sqlx::query("INSERT INTO overseas_trips ...").execute(&mut *tx).await?;
//!     audit::audit(&mut tx, actor, now, AuditEntry::new("overseas.request", format!("overseas_trip:{id}")).clause("4.11")).await?;
//!     let spec = ChainSpec::new(Order::AllOf, vec![
//!         StepSpec::new("line_manager", "4.11", Decider::Person(line_manager)),
//!         StepSpec::new("digital_services", "4.11", Decider::Role(Role::DigitalServices)),
//!         StepSpec::new("fvu", "4.11", Decider::Role(Role::Vetting)),
//!     ]);
//!     approvals::open(&mut tx, &NewApproval {
//!         kind: "overseas_use".into(),
//!         subject: format!("overseas_trip:{id}"),
//!         title: "Overseas use: Spain, 3-10 June".into(),
//!         link: format!("/overseas/{id}"),
//!         requester: me,
//!         spec,
//!     }, actor, now).await?;
//!     tx.commit().await?;
//!     Ok(id)
//! }
//! ```
//!
//! The working overseas-use route (WP034 4.2) is `request` in `overseas/sql.rs`, with its
//! `EFFECT` listed in `approvals::sql::EFFECTS` and its withdrawal hook in `withdraw`.
//!
//! Transaction-level functions in `approvals/sql.rs` (each takes `&mut Tx`): `open`, `load_tx`,
//! `decide_tx`, `withdraw_tx`, `restart_tx` (call it when the
//! subject is edited: every step goes back to pending), `exclude_tx` (name the people
//! who made the subject as it stands, so none of them decides it), `notify` and
//! `notify_decider`.
//!
//! **The effect of a final approval** (a grant, a publication, a permitted trip) is the feature's.
//! Two ways to run it, both in the deciding transaction:
//!
//! 1. define an `EFFECT: approvals::Effect` for your `kind` in your `sql.rs` and list it in
//!    `EFFECTS` in `approvals/sql.rs`; it runs whenever
//!    a decision is made through [`Store::approval_decide`] (the generic "approvals to decide"
//!    page and API use that), with the request and the [`Outcome`];
//! 2. or decide through your own operation: call `decide_tx`, then act on the returned
//!    [`Decided::outcome`] before committing.
//!
//! Social media posts (`posts/sql.rs`, kind `social_post`) use both: the post's own approve
//! and return decide through `decide_tx`, and its `EFFECT` moves the
//! post when the step is decided from the generic page instead.
//!
//! Every decision writes an audit event (`approval.approve` / `approval.reject`) naming the
//! step's clause, a line in the request's timeline, and notifications to the requester and to
//! the deciders of the steps now decidable. Withdrawal, restart and overdue steps do the same.
//! Whether someone may see or act on a request at all is the server's Cedar decision; who may
//! decide which step is the chain's, fixed when the request was made.

use custodian_domain::approvals::{
    self as domain, ChainSpec, Decider, Order, Outcome, RequestStatus, StepStatus, Verdict,
};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Result, Store, Write};

/// What a feature gives to open an approval request.
#[derive(Debug, Clone)]
pub struct NewApproval {
    /// The feature: `app`, `overseas_use`, `social_post`...
    pub kind: String,
    /// The record the request is about, as audit subjects are written (`app_request:<id>`).
    pub subject: String,
    /// One line for lists and notifications.
    pub title: String,
    /// Where the feature shows the subject (`/apps/requests/<id>`).
    pub link: String,
    pub requester: Uuid,
    pub spec: ChainSpec,
}

/// One step as stored, with names for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ApprovalStep {
    pub position: i64,
    #[sqlx(rename = "step_key")]
    pub key: String,
    pub clause: String,
    #[sqlx(flatten, try_from = "DeciderColumns")]
    pub decider: Decider,
    /// The named decider's name, or the role's label.
    #[sqlx(flatten, try_from = "DeciderColumns")]
    pub decider_label: String,
    #[sqlx(try_from = "i64")]
    pub sla_days: u32,
    #[sqlx(try_from = "String")]
    pub status: StepStatus,
    #[serde(with = "time::serde::rfc3339::option")]
    pub opened_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub due_at: Option<OffsetDateTime>,
    pub decided_by: Option<Uuid>,
    pub decided_by_name: Option<String>,
    pub on_behalf_of: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
    pub reasons: Option<String>,
}

impl ApprovalStep {
    /// The domain state machine's view of this step.
    pub fn to_domain(&self) -> domain::Step {
        domain::Step {
            key: self.key.clone(),
            clause: self.clause.clone(),
            decider: self.decider,
            sla_days: self.sla_days,
            status: self.status,
            opened_at: self.opened_at,
            due_at: self.due_at,
            decided_by: self.decided_by,
            on_behalf_of: self.on_behalf_of,
            decided_at: self.decided_at,
            reasons: self.reasons.clone(),
        }
    }

    /// Pending and past its due time.
    pub fn is_overdue(&self, now: OffsetDateTime) -> bool {
        self.status == StepStatus::Pending && self.due_at.is_some_and(|d| now > d)
    }
}

/// The decider columns of a stored step: a named person, or else a role. [`ApprovalStep`] reads
/// them twice, for its `decider` and for its `decider_label` (the person's name or the role's).
#[derive(sqlx::FromRow)]
pub(crate) struct DeciderColumns {
    decider_person_id: Option<Uuid>,
    decider_name: Option<String>,
    decider_role: Option<String>,
}

/// A stored step whose decider is neither a person nor a known role.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BadDecider {
    #[error("the step has no decider")]
    Missing,
    #[error(transparent)]
    Role(#[from] custodian_domain::UnknownValue),
}

impl TryFrom<DeciderColumns> for Decider {
    type Error = BadDecider;

    fn try_from(c: DeciderColumns) -> std::result::Result<Self, BadDecider> {
        match (c.decider_person_id, c.decider_role) {
            (Some(p), _) => Ok(Decider::Person(p)),
            (None, Some(role)) => Ok(Decider::Role(role.parse()?)),
            (None, None) => Err(BadDecider::Missing),
        }
    }
}

impl TryFrom<DeciderColumns> for String {
    type Error = BadDecider;

    fn try_from(c: DeciderColumns) -> std::result::Result<Self, BadDecider> {
        let name = c.decider_name.clone();
        Ok(match Decider::try_from(c)? {
            Decider::Person(_) => name.unwrap_or_default(),
            Decider::Role(role) => role.label().to_string(),
        })
    }
}

/// An approval request with its steps (`steps` and `excluded` are read after the request's row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ApprovalRequest {
    pub id: Uuid,
    pub kind: String,
    pub subject: String,
    pub title: String,
    pub link: String,
    pub requester_id: Uuid,
    pub requester_name: String,
    #[sqlx(rename = "chain_order", try_from = "String")]
    pub order: Order,
    #[sqlx(try_from = "String")]
    pub status: RequestStatus,
    #[sqlx(try_from = "i64")]
    pub revision: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
    #[sqlx(skip)]
    pub steps: Vec<ApprovalStep>,
    /// People who may not decide the current revision besides the requester (separation of
    /// duties: for a post, whoever wrote or edited its words or overrode its warnings).
    #[sqlx(skip)]
    pub excluded: Vec<Uuid>,
}

impl ApprovalRequest {
    /// The domain state machine of this request.
    pub fn to_domain(&self) -> domain::Request {
        domain::Request {
            requester: self.requester_id,
            order: self.order,
            status: self.status,
            revision: self.revision,
            steps: self.steps.iter().map(ApprovalStep::to_domain).collect(),
            excluded: self.excluded.clone(),
        }
    }

    /// Pending steps past their due time.
    pub fn overdue_steps(&self, now: OffsetDateTime) -> Vec<&ApprovalStep> {
        if self.status != RequestStatus::Pending {
            return vec![];
        }
        self.steps.iter().filter(|s| s.is_overdue(now)).collect()
    }
}

/// A line of a request's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ApprovalEvent {
    #[sqlx(try_from = "i64")]
    pub revision: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    /// requested, approved, rejected, withdrawn, restarted, overdue.
    pub event: String,
    pub step_key: Option<String>,
    pub clause: Option<String>,
    pub on_behalf_of: Option<Uuid>,
    pub on_behalf_of_name: Option<String>,
    pub reasons: Option<String>,
}

/// The result of a decision: the request after it and what the decision did.
#[derive(Debug, Clone, Serialize)]
pub struct Decided {
    pub request: ApprovalRequest,
    pub outcome: Outcome,
}

/// A request someone may decide now, with the keys of the steps they may decide.
#[derive(Debug, Clone, Serialize)]
pub struct ToDecide {
    pub request: ApprovalRequest,
    pub steps: Vec<String>,
    /// Whether any of those steps is past due.
    pub overdue: bool,
}

/// A deputy named for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DelegationRecord {
    pub id: Uuid,
    pub person_id: Uuid,
    pub person_name: String,
    pub deputy_id: Uuid,
    pub deputy_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub ends_at: OffsetDateTime,
    pub reason: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

/// An in-app notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Notification {
    pub id: Uuid,
    pub person_id: Uuid,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub subject: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub read_at: Option<OffsetDateTime>,
}

/// A pending step past due, for dashboards.
#[derive(Debug, Clone, Serialize)]
pub struct OverdueStep {
    pub request_id: Uuid,
    pub title: String,
    pub link: String,
    pub step_key: String,
    pub clause: String,
    pub decider_label: String,
    #[serde(with = "time::serde::rfc3339")]
    pub due_at: OffsetDateTime,
}

impl Store {
    /// Open an approval request in its own transaction (features normally call
    /// `approval_open` inside theirs).
    pub async fn approval_open(&self, n: &NewApproval, w: Write<'_>) -> Result<Uuid> {
        on_write!(self, approvals::open_standalone(n, w))
    }

    pub async fn approval(&self, id: Uuid) -> Result<Option<ApprovalRequest>> {
        on_read!(self, approvals::by_id(id))
    }

    pub async fn approval_by_subject(&self, subject: &str) -> Result<Option<ApprovalRequest>> {
        on_read!(self, approvals::by_subject(subject))
    }

    /// Decide a step as `person`, running the feature's effect on final approval
    /// (the `EFFECTS` of `approvals/sql.rs`), all in one transaction.
    pub async fn approval_decide(
        &self,
        id: Uuid,
        step: &str,
        person: Uuid,
        verdict: Verdict,
        reasons: Option<&str>,
        w: Write<'_>,
    ) -> Result<Decided> {
        on_write!(self, approvals::decide(id, step, person, verdict, reasons, w))
    }

    pub async fn approval_withdraw(&self, id: Uuid, person: Uuid, w: Write<'_>) -> Result<ApprovalRequest> {
        on_write!(self, approvals::withdraw(id, person, w))
    }

    /// Every step back to pending (the subject was edited).
    pub async fn approval_restart(&self, id: Uuid, reason: &str, w: Write<'_>) -> Result<ApprovalRequest> {
        on_write!(self, approvals::restart(id, reason, w))
    }

    pub async fn approval_timeline(&self, id: Uuid) -> Result<Vec<ApprovalEvent>> {
        on_read!(self, approvals::timeline(id))
    }

    /// The requests `person` may decide now (in person, through a role, or as a deputy).
    pub async fn approvals_to_decide(&self, person: Uuid, now: OffsetDateTime) -> Result<Vec<ToDecide>> {
        on_read!(self, approvals::to_decide(person, now))
    }

    /// The requests `person` made, newest first.
    pub async fn approvals_requested_by(&self, person: Uuid) -> Result<Vec<ApprovalRequest>> {
        on_read!(self, approvals::requested_by(person))
    }

    /// Every pending step past its service level.
    pub async fn approvals_overdue(&self, now: OffsetDateTime) -> Result<Vec<OverdueStep>> {
        on_read!(self, approvals::overdue(now))
    }

    /// Flag newly overdue steps once: timeline line, audit event, notifications to the decider
    /// and the requester. Returns how many were flagged.
    pub async fn approvals_flag_overdue(&self, now: OffsetDateTime) -> Result<usize> {
        on_write!(self, approvals::flag_overdue(now))
    }

    pub async fn delegation_create(
        &self,
        person: Uuid,
        deputy: Uuid,
        starts_at: OffsetDateTime,
        ends_at: OffsetDateTime,
        reason: &str,
        w: Write<'_>,
    ) -> Result<Uuid> {
        on_write!(self, approvals::delegation_create(person, deputy, starts_at, ends_at, reason, w))
    }

    pub async fn delegation_revoke(&self, id: Uuid, person: Uuid, w: Write<'_>) -> Result<()> {
        on_write!(self, approvals::delegation_revoke(id, person, w))
    }

    /// Delegations naming `person` as the delegator or the deputy.
    pub async fn delegations_of(&self, person: Uuid) -> Result<Vec<DelegationRecord>> {
        on_read!(self, approvals::delegations_of(person))
    }

    pub async fn notifications(&self, person: Uuid, limit: i64) -> Result<Vec<Notification>> {
        on_read!(self, approvals::notifications_for(person, limit))
    }

    pub async fn notifications_unread(&self, person: Uuid) -> Result<i64> {
        on_read!(self, approvals::notifications_unread(person))
    }

    /// Mark one notification (or, with `None`, all) of `person` read. Returns how many changed.
    pub async fn notifications_mark_read(&self, person: Uuid, id: Option<Uuid>, w: Write<'_>) -> Result<u64> {
        on_write!(self, approvals::notifications_mark_read(person, id, w))
    }
}
