//! Approval chains: the reusable mechanism behind every "someone must agree first" route of
//! WP034 — unlisted apps (4.8: Head of Department, then Digital Services), overseas use of a
//! device (line manager, Digital Services and the Force Vetting Unit, in any order), social media
//! accounts and posts (SIO, then Corporate Communications).
//!
//! This module is a pure state machine: no I/O, time passed in. The store keeps requests in
//! generic tables and calls [`Request::decide`], [`Request::withdraw`] and [`Request::restart`]
//! inside the feature's own transaction (see `custodian_store::approvals`).
//!
//! # Defining a chain
//!
//! A feature describes its route as a [`ChainSpec`]: an [`Order`] and its [`StepSpec`]s. Each
//! step names the WP034 clause it enforces and who decides it, resolved **when the request is
//! made** ([`Decider::Person`] — e.g. the requester's Head of Department at that moment, who stays
//! the decider if the requester later changes business area — or [`Decider::Role`], anyone holding
//! the role), with a service level in working days (default [`DEFAULT_SLA_DAYS`], Monday to
//! Friday).
//!
//! ```
//! use custodian_domain::approvals::{ChainSpec, Decider, Order, StepSpec};
//! use custodian_domain::people::Role;
//! # let hod = uuid::Uuid::from_u128(7);
//! let spec = ChainSpec::new(Order::Sequential, vec![
//!     StepSpec::new("hod", "4.8", Decider::Person(hod)),
//!     StepSpec::new("digital_services", "4.8", Decider::Role(Role::DigitalServices)),
//! ]);
//! assert!(spec.validate().is_ok());
//! ```
//!
//! # Rules enforced here
//!
//! * **Every required decision**: a request is approved only when every step is approved; in a
//!   [`Order::Sequential`] chain only the first pending step can be decided, in [`Order::AllOf`]
//!   any pending step can.
//! * **Any rejection ends the request**; rejection needs reasons. Rejected and withdrawn requests
//!   are terminal.
//! * **The requester may withdraw** while no final decision has been made.
//! * **Nobody decides their own request**, not even as someone's deputy, and nobody decides the
//!   same request twice (in person or for someone else).
//! * **Nobody approves their own work** (separation of duties): the feature names the people
//!   who made the subject as it stands ([`Request::excluded`]: for a post, everyone who wrote
//!   or edited its words or overrode its warnings) and none of them decides this revision, in
//!   person or as a deputy, nor may a deputy decide for them.
//! * **Deputies**: a [`Delegation`] names a deputy for a person over a period; while it runs the
//!   deputy may decide the steps that person decides, and the decision records both.
//! * **Restart**: when the subject is edited (a post's text, say) every step goes back to pending
//!   and the service levels start again; earlier decisions stay in the history.
//! * **Service levels**: each step is due a number of working days after it became decidable;
//!   [`Request::overdue_steps`] lists the pending steps past due.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime, Weekday};
use uuid::Uuid;

use crate::people::Role;

/// The service level of a step when the feature gives none: 5 working days.
pub const DEFAULT_SLA_DAYS: u32 = 5;

/// Who decides a step, fixed when the request is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum Decider {
    /// A named person (a Head of Department, a line manager, an SIO), or their deputy.
    Person(Uuid),
    /// Anyone holding the role (Digital Services, the Force Vetting Unit, ...).
    Role(Role),
}

crate::str_enum! {
    /// Whether steps are decided one after the other or all at once in any order.
    pub enum Order {
        /// Each step becomes decidable when the one before it is approved.
        Sequential = "sequential",
        /// Every step is decidable from the start; all must approve.
        AllOf = "all_of",
    }
}

/// One step of a chain as a feature defines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepSpec {
    /// A short key, unique in the chain (`hod`, `digital_services`, `fvu`...).
    pub key: String,
    /// The WP034 clause this step enforces (`4.8`).
    pub clause: String,
    pub decider: Decider,
    /// Working days (Monday to Friday) the decider has once the step is decidable.
    pub sla_days: u32,
}

impl StepSpec {
    /// A step with the default service level.
    pub fn new(key: &str, clause: &str, decider: Decider) -> Self {
        Self { key: key.into(), clause: clause.into(), decider, sla_days: DEFAULT_SLA_DAYS }
    }
    /// The same step with another service level.
    pub fn sla(mut self, days: u32) -> Self {
        self.sla_days = days;
        self
    }
}

/// A feature's route: its order and steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainSpec {
    pub order: Order,
    pub steps: Vec<StepSpec>,
}

impl ChainSpec {
    pub fn new(order: Order, steps: Vec<StepSpec>) -> Self {
        Self { order, steps }
    }

    /// At least one step, keys non-empty and unique, clauses given.
    pub fn validate(&self) -> Result<(), ApprovalError> {
        if self.steps.is_empty() {
            return Err(ApprovalError::BadChain("a chain needs at least one step".into()));
        }
        for (i, s) in self.steps.iter().enumerate() {
            if s.key.trim().is_empty() || s.clause.trim().is_empty() {
                return Err(ApprovalError::BadChain(format!("step {} needs a key and a clause", i + 1)));
            }
            if self.steps[..i].iter().any(|o| o.key == s.key) {
                return Err(ApprovalError::BadChain(format!("step key {:?} is used twice", s.key)));
            }
        }
        Ok(())
    }
}

crate::str_enum! {
    /// Where a request stands.
    pub enum RequestStatus {
        Pending = "pending",
        Approved = "approved",
        Rejected = "rejected",
        Withdrawn = "withdrawn",
    }
}

impl RequestStatus {
    /// Rejected and withdrawn requests never change again.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Rejected | Self::Withdrawn)
    }
}

crate::str_enum! {
    /// Where one step stands.
    pub enum StepStatus {
        /// Not yet decidable (a later step of a sequential chain).
        Waiting = "waiting",
        /// Decidable now.
        Pending = "pending",
        Approved = "approved",
        Rejected = "rejected",
    }
}

crate::str_enum! {
    parse: own;
    /// A decision on a step.
    pub enum Verdict {
        Approve = "approve",
        Reject = "reject",
    }
}

impl Verdict {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "approve" | "approved" => Some(Self::Approve),
            "reject" | "rejected" => Some(Self::Reject),
            _ => None,
        }
    }
}

/// One step of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub key: String,
    pub clause: String,
    pub decider: Decider,
    pub sla_days: u32,
    pub status: StepStatus,
    /// When the step became decidable (None while waiting).
    pub opened_at: Option<OffsetDateTime>,
    /// `opened_at` plus the service level in working days.
    pub due_at: Option<OffsetDateTime>,
    /// Who decided, and for whom when deputising.
    pub decided_by: Option<Uuid>,
    pub on_behalf_of: Option<Uuid>,
    pub decided_at: Option<OffsetDateTime>,
    pub reasons: Option<String>,
}

impl Step {
    fn open(&mut self, now: OffsetDateTime) {
        self.status = StepStatus::Pending;
        self.opened_at = Some(now);
        self.due_at = Some(add_working_days(now, self.sla_days));
    }

    /// Pending and past its due time.
    pub fn is_overdue(&self, now: OffsetDateTime) -> bool {
        self.status == StepStatus::Pending && self.due_at.is_some_and(|d| now > d)
    }
}

/// An approval request: who asked, the chain's order and its steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub requester: Uuid,
    pub order: Order,
    pub status: RequestStatus,
    /// Incremented by each [`Request::restart`].
    pub revision: u32,
    pub steps: Vec<Step>,
    /// People who may not decide this revision besides the requester: those who made the
    /// subject as it now stands (separation of duties). Set by the feature.
    #[serde(default)]
    pub excluded: Vec<Uuid>,
}

/// A deputy named by a person for a period (WP034 4.8: a Head of Department's absences).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delegation {
    /// The person who delegates.
    pub from: Uuid,
    /// Their deputy.
    pub to: Uuid,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
}

impl Delegation {
    /// Whether the delegation runs at `now` (start inclusive, end exclusive).
    pub fn covers(&self, now: OffsetDateTime) -> bool {
        self.starts_at <= now && now < self.ends_at
    }
}

/// Who is trying to decide: the person, their roles, and the people they deputise for now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deciding {
    pub person: Uuid,
    pub roles: Vec<Role>,
    /// People whose running delegation names this person as deputy.
    pub deputy_for: Vec<Uuid>,
}

impl Deciding {
    /// `person` with `roles`, deputising for whoever `delegations` name at `now`.
    pub fn new(person: Uuid, roles: Vec<Role>, delegations: &[Delegation], now: OffsetDateTime) -> Self {
        let deputy_for = delegations
            .iter()
            .filter(|d| d.to == person && d.from != person && d.covers(now))
            .map(|d| d.from)
            .collect();
        Self { person, roles, deputy_for }
    }

    /// Whether this person may decide a step with this decider, and for whom (Some(p) when
    /// deputising for p).
    pub fn capacity(&self, decider: &Decider) -> Option<Option<Uuid>> {
        match decider {
            Decider::Person(p) if *p == self.person => Some(None),
            Decider::Person(p) if self.deputy_for.contains(p) => Some(Some(*p)),
            Decider::Person(_) => None,
            Decider::Role(r) if self.roles.contains(r) => Some(None),
            Decider::Role(_) => None,
        }
    }
}

/// Why an action on a request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalError {
    #[error("the chain is not valid: {0}")]
    BadChain(String),
    #[error("the request is already {}", .0.as_str())]
    Closed(RequestStatus),
    #[error("there is no step {0:?} in this request")]
    NoSuchStep(String),
    #[error("step {key:?} cannot be decided now (it is {})", .status.as_str())]
    NotDecidable { key: String, status: StepStatus },
    #[error("nobody may decide their own request")]
    OwnRequest,
    #[error(
        "you wrote or changed what is to be approved (or overrode its warnings): someone else must decide it (separation of duties)"
    )]
    OwnWork,
    #[error("you have already decided this request; each step needs a different person")]
    AlreadyDecided,
    #[error("you are not the decider of step {0:?} (nor their deputy)")]
    NotDecider(String),
    #[error("a rejection needs reasons")]
    ReasonsRequired,
    #[error("only the requester can withdraw a request")]
    NotRequester,
}

/// What a decision did, so the store can notify people and run the feature's effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// The step was approved and the request still waits on `next` (steps now decidable, by key).
    StepApproved { next: Vec<String> },
    /// Every step is approved: the feature's effect (a grant, a publication...) runs now.
    Approved,
    /// A step was rejected: the request is over.
    Rejected,
}

impl Request {
    /// A new pending request following `spec`; the first step (sequential) or every step
    /// (all-of) is decidable from `now`.
    pub fn new(requester: Uuid, spec: &ChainSpec, now: OffsetDateTime) -> Result<Self, ApprovalError> {
        spec.validate()?;
        let steps = spec
            .steps
            .iter()
            .map(|s| Step {
                key: s.key.clone(),
                clause: s.clause.clone(),
                decider: s.decider,
                sla_days: s.sla_days,
                status: StepStatus::Waiting,
                opened_at: None,
                due_at: None,
                decided_by: None,
                on_behalf_of: None,
                decided_at: None,
                reasons: None,
            })
            .collect();
        let mut r =
            Self { requester, order: spec.order, status: RequestStatus::Pending, revision: 0, steps, excluded: vec![] };
        r.open_steps(now);
        Ok(r)
    }

    fn open_steps(&mut self, now: OffsetDateTime) {
        match self.order {
            Order::AllOf => self.steps.iter_mut().for_each(|s| s.open(now)),
            Order::Sequential => {
                if let Some(s) = self.steps.first_mut() {
                    s.open(now)
                }
            }
        }
    }

    /// The step with this key.
    pub fn step(&self, key: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.key == key)
    }

    /// The steps decidable now.
    pub fn pending_steps(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| s.status == StepStatus::Pending)
    }

    /// Pending steps past their due time.
    pub fn overdue_steps(&self, now: OffsetDateTime) -> Vec<&Step> {
        if self.status != RequestStatus::Pending {
            return vec![];
        }
        self.steps.iter().filter(|s| s.is_overdue(now)).collect()
    }

    /// The keys of the pending steps `who` may decide now (empty for the requester, and for
    /// someone who has already decided this request).
    pub fn decidable_by(&self, who: &Deciding) -> Vec<String> {
        if self.status != RequestStatus::Pending
            || who.person == self.requester
            || self.excluded.contains(&who.person)
            || self.has_decided(who.person)
        {
            return vec![];
        }
        self.pending_steps()
            .filter(|s| match who.capacity(&s.decider) {
                Some(Some(p)) => p != self.requester && !self.excluded.contains(&p) && !self.has_decided(p),
                Some(None) => true,
                None => false,
            })
            .map(|s| s.key.clone())
            .collect()
    }

    fn has_decided(&self, person: Uuid) -> bool {
        self.steps.iter().any(|s| s.decided_by == Some(person) || s.on_behalf_of == Some(person))
    }

    /// Decide step `key`. A rejection needs reasons and ends the request.
    pub fn decide(
        &mut self,
        key: &str,
        who: &Deciding,
        verdict: Verdict,
        reasons: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<Outcome, ApprovalError> {
        if self.status != RequestStatus::Pending {
            return Err(ApprovalError::Closed(self.status));
        }
        if who.person == self.requester {
            return Err(ApprovalError::OwnRequest);
        }
        let idx = self.steps.iter().position(|s| s.key == key).ok_or_else(|| ApprovalError::NoSuchStep(key.into()))?;
        let step = &self.steps[idx];
        if step.status != StepStatus::Pending {
            return Err(ApprovalError::NotDecidable { key: key.into(), status: step.status });
        }
        let on_behalf_of = who.capacity(&step.decider).ok_or_else(|| ApprovalError::NotDecider(key.into()))?;
        if on_behalf_of == Some(self.requester) {
            return Err(ApprovalError::OwnRequest);
        }
        if self.excluded.contains(&who.person) || on_behalf_of.is_some_and(|p| self.excluded.contains(&p)) {
            return Err(ApprovalError::OwnWork);
        }
        if self.has_decided(who.person) || on_behalf_of.is_some_and(|p| self.has_decided(p)) {
            return Err(ApprovalError::AlreadyDecided);
        }
        let reasons = reasons.map(str::trim).filter(|r| !r.is_empty());
        if verdict == Verdict::Reject && reasons.is_none() {
            return Err(ApprovalError::ReasonsRequired);
        }
        let step = &mut self.steps[idx];
        step.status = match verdict {
            Verdict::Approve => StepStatus::Approved,
            Verdict::Reject => StepStatus::Rejected,
        };
        step.decided_by = Some(who.person);
        step.on_behalf_of = on_behalf_of;
        step.decided_at = Some(now);
        step.reasons = reasons.map(String::from);
        if verdict == Verdict::Reject {
            self.status = RequestStatus::Rejected;
            return Ok(Outcome::Rejected);
        }
        if self.steps.iter().all(|s| s.status == StepStatus::Approved) {
            self.status = RequestStatus::Approved;
            return Ok(Outcome::Approved);
        }
        let mut next = vec![];
        if self.order == Order::Sequential
            && let Some(s) = self.steps.iter_mut().find(|s| s.status == StepStatus::Waiting)
        {
            s.open(now);
            next.push(s.key.clone());
        }
        Ok(Outcome::StepApproved { next })
    }

    /// The requester withdraws the request before a final decision.
    pub fn withdraw(&mut self, who: Uuid) -> Result<(), ApprovalError> {
        if self.status != RequestStatus::Pending {
            return Err(ApprovalError::Closed(self.status));
        }
        if who != self.requester {
            return Err(ApprovalError::NotRequester);
        }
        self.status = RequestStatus::Withdrawn;
        Ok(())
    }

    /// The subject was edited: every step goes back to pending (or waiting) with fresh service
    /// levels, and the request is pending again. Refused once rejected or withdrawn.
    pub fn restart(&mut self, now: OffsetDateTime) -> Result<(), ApprovalError> {
        if self.status.is_terminal() {
            return Err(ApprovalError::Closed(self.status));
        }
        for s in &mut self.steps {
            s.status = StepStatus::Waiting;
            s.opened_at = None;
            s.due_at = None;
            s.decided_by = None;
            s.on_behalf_of = None;
            s.decided_at = None;
            s.reasons = None;
        }
        self.status = RequestStatus::Pending;
        self.revision += 1;
        self.open_steps(now);
        Ok(())
    }
}

/// `days` working days (Monday to Friday) after `from`, at the same time of day. A start on a
/// weekend counts from the following Monday. Bank holidays are not counted out.
pub fn add_working_days(from: OffsetDateTime, days: u32) -> OffsetDateTime {
    let mut t = from;
    while is_weekend(t.weekday()) {
        t += Duration::days(1);
    }
    for _ in 0..days {
        t += Duration::days(1);
        while is_weekend(t.weekday()) {
            t += Duration::days(1);
        }
    }
    t
}

fn is_weekend(d: Weekday) -> bool {
    matches!(d, Weekday::Saturday | Weekday::Sunday)
}

/// An approval step's key in words, for pages, notifications and e-mails: `line_manager` is
/// "Line manager", `hod` "Head of Department", a role's key its label (`digital_services` is
/// "Digital Services"), and any other key its words with the first capitalised.
pub fn step_label(key: &str) -> String {
    match key {
        "line_manager" => "Line manager".into(),
        "hod" => "Head of Department".into(),
        "fvu" => "Force Vetting Unit".into(),
        "sio" => "Senior Investigating Officer".into(),
        "comms" => "Corporate Communications".into(),
        k => Role::parse(k).map_or_else(
            || {
                let words = k.replace(['_', '-', '.'], " ");
                let mut c = words.trim().chars();
                c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
            },
            |r| r.label().to_string(),
        ),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn step_keys_read_as_words() {
        assert_eq!(super::step_label("hod"), "Head of Department");
        assert_eq!(super::step_label("digital_services"), "Digital Services");
        assert_eq!(super::step_label("line_manager"), "Line manager");
        assert_eq!(super::step_label("fvu"), "Force Vetting Unit");
        assert_eq!(super::step_label("records_owner"), "Records owner");
        // Words already are words.
        assert_eq!(super::step_label("Head of Department"), "Head of Department");
    }

    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    const REQ: Uuid = Uuid::from_u128(1);
    const HOD: Uuid = Uuid::from_u128(2);
    const DS: Uuid = Uuid::from_u128(3);
    const DEPUTY: Uuid = Uuid::from_u128(4);
    const FVU: Uuid = Uuid::from_u128(5);
    const NOW: OffsetDateTime = datetime!(2026-11-23 09:00 UTC); // a Monday

    fn apps_chain() -> ChainSpec {
        ChainSpec::new(
            Order::Sequential,
            vec![
                StepSpec::new("hod", "4.8", Decider::Person(HOD)),
                StepSpec::new("digital_services", "4.8", Decider::Role(Role::DigitalServices)),
            ],
        )
    }

    fn person(p: Uuid) -> Deciding {
        Deciding { person: p, roles: vec![], deputy_for: vec![] }
    }

    fn ds(p: Uuid) -> Deciding {
        Deciding { person: p, roles: vec![Role::DigitalServices], deputy_for: vec![] }
    }

    #[test]
    fn a_sequential_chain_is_approved_after_the_head_of_department_then_digital_services() {
        let mut r = Request::new(REQ, &apps_chain(), NOW).unwrap();
        assert_eq!(r.steps[1].status, StepStatus::Waiting);
        assert_eq!(
            r.decide("digital_services", &ds(DS), Verdict::Approve, None, NOW),
            Err(ApprovalError::NotDecidable { key: "digital_services".into(), status: StepStatus::Waiting })
        );
        let later = NOW + Duration::days(2);
        assert_eq!(
            r.decide("hod", &person(HOD), Verdict::Approve, None, NOW).unwrap(),
            Outcome::StepApproved { next: vec!["digital_services".into()] }
        );
        let _ = later;
        assert_eq!(
            r.decide("digital_services", &ds(DS), Verdict::Approve, Some("ok"), NOW).unwrap(),
            Outcome::Approved
        );
        assert_eq!(r.status, RequestStatus::Approved);
    }

    #[test]
    fn an_all_of_chain_takes_decisions_in_any_order_and_any_rejection_ends_it() {
        let spec = ChainSpec::new(
            Order::AllOf,
            vec![
                StepSpec::new("line_manager", "4.11", Decider::Person(HOD)),
                StepSpec::new("digital_services", "4.11", Decider::Role(Role::DigitalServices)),
                StepSpec::new("fvu", "4.11", Decider::Role(Role::Vetting)),
            ],
        );
        let mut r = Request::new(REQ, &spec, NOW).unwrap();
        assert_eq!(r.pending_steps().count(), 3);
        let fvu = Deciding { person: FVU, roles: vec![Role::Vetting], deputy_for: vec![] };
        assert_eq!(r.decide("fvu", &fvu, Verdict::Approve, None, NOW).unwrap(), Outcome::StepApproved { next: vec![] });
        assert_eq!(
            r.decide("digital_services", &ds(DS), Verdict::Reject, None, NOW),
            Err(ApprovalError::ReasonsRequired)
        );
        assert_eq!(
            r.decide("digital_services", &ds(DS), Verdict::Reject, Some("no need"), NOW).unwrap(),
            Outcome::Rejected
        );
        assert_eq!(
            r.decide("line_manager", &person(HOD), Verdict::Approve, None, NOW),
            Err(ApprovalError::Closed(RequestStatus::Rejected))
        );
    }

    #[test]
    fn nobody_decides_their_own_request_even_as_a_deputy_or_holding_the_role() {
        let mut r = Request::new(REQ, &apps_chain(), NOW).unwrap();
        let me = Deciding { person: REQ, roles: vec![Role::DigitalServices], deputy_for: vec![HOD] };
        assert_eq!(r.decide("hod", &me, Verdict::Approve, None, NOW), Err(ApprovalError::OwnRequest));
        assert!(r.decidable_by(&me).is_empty());
        // A Head of Department's own request cannot be decided by their deputy on their behalf.
        let mut own = Request::new(HOD, &apps_chain(), NOW).unwrap();
        let dep = Deciding { person: DEPUTY, roles: vec![], deputy_for: vec![HOD] };
        assert_eq!(own.decide("hod", &dep, Verdict::Approve, None, NOW), Err(ApprovalError::OwnRequest));
    }

    #[test]
    fn nobody_excluded_for_making_the_subject_decides_it_in_person_or_through_a_deputy() {
        let mut r = Request::new(REQ, &apps_chain(), NOW).unwrap();
        r.excluded = vec![HOD];
        // The Head of Department edited what is to be approved: neither they nor their deputy
        // decide it.
        assert_eq!(r.decide("hod", &person(HOD), Verdict::Approve, None, NOW), Err(ApprovalError::OwnWork));
        assert!(r.decidable_by(&person(HOD)).is_empty());
        let dep = Deciding { person: DEPUTY, roles: vec![], deputy_for: vec![HOD] };
        assert_eq!(r.decide("hod", &dep, Verdict::Approve, None, NOW), Err(ApprovalError::OwnWork));
        assert!(r.decidable_by(&dep).is_empty());
        // An excluded Digital Services member cannot take the role's step either.
        let mut r = Request::new(REQ, &apps_chain(), NOW).unwrap();
        r.excluded = vec![DS];
        r.decide("hod", &person(HOD), Verdict::Approve, None, NOW).unwrap();
        assert_eq!(r.decide("digital_services", &ds(DS), Verdict::Approve, None, NOW), Err(ApprovalError::OwnWork));
        assert!(r.decidable_by(&ds(DS)).is_empty());
        assert_eq!(r.decidable_by(&ds(FVU)), vec!["digital_services".to_string()]);
        r.decide("digital_services", &ds(FVU), Verdict::Approve, None, NOW).unwrap();
        assert_eq!(r.status, RequestStatus::Approved);
    }

    #[test]
    fn a_deputy_decides_for_the_head_of_department_during_the_delegation_only() {
        let d = Delegation { from: HOD, to: DEPUTY, starts_at: NOW, ends_at: NOW + Duration::days(7) };
        let before = Deciding::new(DEPUTY, vec![], std::slice::from_ref(&d), NOW - Duration::hours(1));
        let during = Deciding::new(DEPUTY, vec![], std::slice::from_ref(&d), NOW + Duration::days(1));
        let mut r = Request::new(REQ, &apps_chain(), NOW).unwrap();
        assert_eq!(r.decide("hod", &before, Verdict::Approve, None, NOW), Err(ApprovalError::NotDecider("hod".into())));
        r.decide("hod", &during, Verdict::Approve, None, NOW).unwrap();
        assert_eq!(r.steps[0].decided_by, Some(DEPUTY));
        assert_eq!(r.steps[0].on_behalf_of, Some(HOD));
    }

    #[test]
    fn a_person_holding_two_roles_decides_only_one_step() {
        let spec = ChainSpec::new(
            Order::AllOf,
            vec![
                StepSpec::new("digital_services", "4.11", Decider::Role(Role::DigitalServices)),
                StepSpec::new("fvu", "4.11", Decider::Role(Role::Vetting)),
            ],
        );
        let both = Deciding { person: DS, roles: vec![Role::DigitalServices, Role::Vetting], deputy_for: vec![] };
        let mut r = Request::new(REQ, &spec, NOW).unwrap();
        r.decide("digital_services", &both, Verdict::Approve, None, NOW).unwrap();
        assert_eq!(r.decide("fvu", &both, Verdict::Approve, None, NOW), Err(ApprovalError::AlreadyDecided));
        assert!(r.decidable_by(&both).is_empty());
    }

    #[test]
    fn withdrawal_is_for_the_requester_before_a_final_decision() {
        let mut r = Request::new(REQ, &apps_chain(), NOW).unwrap();
        assert_eq!(r.withdraw(HOD), Err(ApprovalError::NotRequester));
        r.withdraw(REQ).unwrap();
        assert_eq!(r.status, RequestStatus::Withdrawn);
        assert_eq!(r.restart(NOW), Err(ApprovalError::Closed(RequestStatus::Withdrawn)));
    }

    #[test]
    fn restart_puts_every_step_back_and_the_same_people_decide_again() {
        let spec = ChainSpec::new(
            Order::Sequential,
            vec![
                StepSpec::new("sio", "6.2", Decider::Person(HOD)),
                StepSpec::new("corporate_comms", "6.2", Decider::Role(Role::CorporateComms)),
            ],
        );
        let mut r = Request::new(REQ, &spec, NOW).unwrap();
        r.decide("sio", &person(HOD), Verdict::Approve, None, NOW).unwrap();
        let later = NOW + Duration::days(3);
        r.restart(later).unwrap();
        assert_eq!(r.revision, 1);
        assert_eq!(r.steps[0].status, StepStatus::Pending);
        assert_eq!(r.steps[0].opened_at, Some(later));
        assert_eq!(r.steps[1].status, StepStatus::Waiting);
        r.decide("sio", &person(HOD), Verdict::Approve, None, later).unwrap();
    }

    #[test]
    fn working_days_skip_weekends() {
        // Monday + 5 working days = next Monday; Friday + 1 = Monday; Saturday + 0 = Monday.
        assert_eq!(add_working_days(NOW, 5), datetime!(2026-11-30 09:00 UTC));
        assert_eq!(add_working_days(datetime!(2026-11-27 17:00 UTC), 1), datetime!(2026-11-30 17:00 UTC));
        assert_eq!(add_working_days(datetime!(2026-11-28 10:00 UTC), 0), datetime!(2026-11-30 10:00 UTC));
        assert_eq!(add_working_days(datetime!(2026-11-28 10:00 UTC), 5), datetime!(2026-12-07 10:00 UTC));
    }

    #[test]
    fn a_step_is_overdue_only_while_pending_past_its_due_time() {
        let mut r = Request::new(REQ, &apps_chain(), NOW).unwrap();
        assert!(r.overdue_steps(datetime!(2026-11-30 09:00 UTC)).is_empty());
        assert_eq!(r.overdue_steps(datetime!(2026-11-30 09:01 UTC)).len(), 1);
        r.withdraw(REQ).unwrap();
        assert!(r.overdue_steps(datetime!(2026-12-30 09:00 UTC)).is_empty());
    }

    #[test]
    fn a_chain_needs_steps_with_distinct_keys() {
        assert!(ChainSpec::new(Order::Sequential, vec![]).validate().is_err());
        let dup = ChainSpec::new(
            Order::AllOf,
            vec![StepSpec::new("a", "4.8", Decider::Person(HOD)), StepSpec::new("a", "4.8", Decider::Person(DS))],
        );
        assert!(matches!(Request::new(REQ, &dup, NOW), Err(ApprovalError::BadChain(_))));
    }

    #[derive(Debug, Clone)]
    enum Act {
        Decide { who: usize, step: usize, approve: bool, reasons: bool },
        Withdraw { who: usize },
        Restart,
    }

    /// People: 0 requester, 1 HoD, 2 and 3 Digital Services, 4 deputy of HoD, 5 the requester's
    /// own deputy-for (the requester deputises for 1), 6 a bystander.
    fn cast(i: usize, now: OffsetDateTime) -> Deciding {
        let p = Uuid::from_u128(100 + i as u128);
        let hod = Uuid::from_u128(101);
        let delegations = [
            Delegation { from: hod, to: Uuid::from_u128(104), starts_at: now, ends_at: now + Duration::days(1) },
            Delegation { from: hod, to: Uuid::from_u128(100), starts_at: now, ends_at: now + Duration::days(1) },
        ];
        let roles = match i {
            0 | 2 | 3 => vec![Role::DigitalServices, Role::Vetting],
            1 => vec![Role::HeadOfDepartment],
            _ => vec![],
        };
        Deciding::new(p, roles, &delegations, now)
    }

    fn act() -> impl Strategy<Value = Act> {
        prop_oneof![
            6 => (0usize..7, 0usize..3, any::<bool>(), any::<bool>())
                .prop_map(|(who, step, approve, reasons)| Act::Decide { who, step, approve, reasons }),
            1 => (0usize..7).prop_map(|who| Act::Withdraw { who }),
            1 => Just(Act::Restart),
        ]
    }

    fn spec(all_of: bool) -> ChainSpec {
        let hod = Uuid::from_u128(101);
        ChainSpec::new(
            if all_of { Order::AllOf } else { Order::Sequential },
            vec![
                StepSpec::new("hod", "4.8", Decider::Person(hod)),
                StepSpec::new("digital_services", "4.8", Decider::Role(Role::DigitalServices)),
                StepSpec::new("fvu", "4.8", Decider::Role(Role::Vetting)),
            ],
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn no_sequence_of_actions_approves_without_every_decision_or_lets_the_requester_decide(
            all_of in any::<bool>(),
            acts in proptest::collection::vec(act(), 0..24),
        ) {
            let requester = Uuid::from_u128(100);
            let mut r = Request::new(requester, &spec(all_of), NOW).unwrap();
            let mut now = NOW;
            for a in acts {
                now += Duration::minutes(7);
                let before = r.clone();
                let result = match &a {
                    Act::Decide { who, step, approve, reasons } => {
                        let key = r.steps[*step].key.clone();
                        let v = if *approve { Verdict::Approve } else { Verdict::Reject };
                        r.decide(&key, &cast(*who, NOW), v, reasons.then_some("because"), now).map(|_| ())
                    }
                    Act::Withdraw { who } => r.withdraw(Uuid::from_u128(100 + *who as u128)),
                    Act::Restart => r.restart(now),
                };
                // A refused action changes nothing.
                if result.is_err() {
                    prop_assert_eq!(&r, &before);
                }
                // Rejection and withdrawal are terminal.
                if before.status.is_terminal() {
                    prop_assert!(result.is_err());
                    prop_assert_eq!(r.status, before.status);
                }
                // The requester never decides, in person or as a deputy.
                for s in &r.steps {
                    prop_assert_ne!(s.decided_by, Some(requester));
                    prop_assert_ne!(s.on_behalf_of, Some(requester));
                }
                // Approved only with every step approved, each by a different person entitled to it.
                if r.status == RequestStatus::Approved {
                    prop_assert!(r.steps.iter().all(|s| s.status == StepStatus::Approved));
                    let mut deciders: Vec<_> = r.steps.iter().map(|s| s.decided_by.unwrap()).collect();
                    deciders.sort();
                    deciders.dedup();
                    prop_assert_eq!(deciders.len(), r.steps.len());
                    let hod_step = &r.steps[0];
                    prop_assert!(hod_step.decided_by == Some(Uuid::from_u128(101))
                        || hod_step.on_behalf_of == Some(Uuid::from_u128(101)));
                }
                // A rejected request has a rejected step with reasons.
                if r.status == RequestStatus::Rejected {
                    prop_assert!(r.steps.iter().any(|s| s.status == StepStatus::Rejected && s.reasons.is_some()));
                }
                // Sequential: no step is decided while an earlier one is not approved.
                if !all_of {
                    for (i, s) in r.steps.iter().enumerate() {
                        if s.status != StepStatus::Waiting {
                            prop_assert!(r.steps[..i].iter().all(|e| e.status == StepStatus::Approved));
                        }
                    }
                }
            }
        }
    }
}
