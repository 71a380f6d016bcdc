//! The state machine of each selected person's case, from consultation to the device's return.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

crate::str_enum! {
    parse: trimmed;
    /// Where a selected person's case is (WP034 5.4). `Withdrawn` ends a case by a reasoned
    /// decision, which calls the area's next reserve.
    pub enum Stage {
        Selected = "selected",
        Consulted = "consulted",
        Mandated = "mandated",
        HandedOver = "handed_over",
        Downloaded = "downloaded",
        Examined = "examined",
        Returned = "returned",
        Withdrawn = "withdrawn",
    }
}

impl Stage {
    pub const ALL: [Stage; 8] = [
        Self::Selected,
        Self::Consulted,
        Self::Mandated,
        Self::HandedOver,
        Self::Downloaded,
        Self::Examined,
        Self::Returned,
        Self::Withdrawn,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Self::Selected => "Selected",
            Self::Consulted => "Consulted on availability",
            Self::Mandated => "Notice issued",
            Self::HandedOver => "Devices handed over",
            Self::Downloaded => "Downloaded",
            Self::Examined => "Examined",
            Self::Returned => "Devices returned",
            Self::Withdrawn => "Withdrawn (reserve called)",
        }
    }
    /// Whether the case is over.
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Returned | Self::Withdrawn)
    }
    /// Whether the force holds the person's devices.
    pub fn holds_devices(self) -> bool {
        matches!(self, Self::HandedOver | Self::Downloaded | Self::Examined)
    }
}

/// The facts about a case that its rules look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseState {
    pub stage: Stage,
    /// The hand-over slot PSD proposed (or the deferred one).
    pub slot: Option<OffsetDateTime>,
    /// The slot first proposed: a deferral is measured from it.
    pub first_slot: Option<OffsetDateTime>,
    /// Whether the one deferral has been used.
    pub deferred: bool,
    /// The Digital Media Investigator the case is assigned to.
    pub dmi: Option<Uuid>,
    /// The hand-over deadline set by the notice.
    pub deadline: Option<OffsetDateTime>,
    /// The devices the notice requires (every force device the person holds).
    pub devices: Vec<Uuid>,
    pub handed_over_at: Option<OffsetDateTime>,
    /// Whether a failure-to-provide referral is open (WP034 5.5).
    pub failure_referred: bool,
}

impl CaseState {
    /// A case as the draw creates it.
    pub fn selected() -> Self {
        Self {
            stage: Stage::Selected,
            slot: None,
            first_slot: None,
            deferred: false,
            dmi: None,
            deadline: None,
            devices: Vec::new(),
            handed_over_at: None,
            failure_referred: false,
        }
    }
}

/// The rule parameters a round publishes with its cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRules {
    /// How far past the first proposed slot the one deferral may go (WP034 5.4: consulted on
    /// availability).
    pub deferral_days: u32,
}

impl Default for CaseRules {
    fn default() -> Self {
        Self { deferral_days: 14 }
    }
}

/// One download of one device: its extraction's SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extraction {
    pub device: Uuid,
    /// Lowercase hex SHA-256 of the extraction image.
    pub sha256: String,
}

/// A step on a case. Each names the clause it carries out ([`Step::clause`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// PSD proposes when the devices are to be handed over.
    ProposeSlot { slot: OffsetDateTime },
    /// The person accepts the proposed slot.
    Accept,
    /// The person is unavailable: the slot moves once, to no later than the round's deferral
    /// window after the first proposed slot.
    Defer { to: OffsetDateTime, reason: String },
    /// The person declines the slot; they must say why. The notice may still follow.
    Refuse { reason: String },
    /// PSD assigns the Digital Media Investigator.
    AssignDmi { dmi: Uuid },
    /// The notice: hand over every force device with full access and password protection
    /// removed by the deadline.
    Mandate { deadline: OffsetDateTime, devices: Vec<Uuid> },
    /// The receipt: every device named in the notice, full access and passcode removal
    /// confirmed, who handed them and which DMI received them.
    HandOver { devices: Vec<Uuid>, full_access_confirmed: bool, handed_by: String, received_by: Uuid },
    /// The DMI's download: tool, version, one extraction hash per device, start and end.
    Download {
        tool: String,
        tool_version: String,
        extractions: Vec<Extraction>,
        started: OffsetDateTime,
        ended: OffsetDateTime,
    },
    /// The examination: no concerns (`None`), or concerns with a summary, which opens a conduct
    /// assessment referral.
    Examine { concerns: Option<String> },
    /// The devices go back to the person.
    Return { received_by: String },
    /// The devices were not handed over by the deadline: a conduct assessment referral.
    FailureToProvide,
    /// A recorded, reasoned decision to end the case and call the area's next reserve.
    Withdraw { reason: String },
}

impl Step {
    /// The step's name, as stored and audited (`monitoring.case.<name>`).
    pub fn name(&self) -> &'static str {
        match self {
            Self::ProposeSlot { .. } => "propose_slot",
            Self::Accept => "accept",
            Self::Defer { .. } => "defer",
            Self::Refuse { .. } => "refuse",
            Self::AssignDmi { .. } => "assign_dmi",
            Self::Mandate { .. } => "mandate",
            Self::HandOver { .. } => "hand_over",
            Self::Download { .. } => "download",
            Self::Examine { .. } => "examine",
            Self::Return { .. } => "return",
            Self::FailureToProvide => "failure_to_provide",
            Self::Withdraw { .. } => "withdraw",
        }
    }

    /// A recorded step's name (see [`Step::name`], and `selected` for the draw) in words, as
    /// pages and the custody report show it.
    pub fn label_of(name: &str) -> Option<&'static str> {
        Some(match name {
            "selected" => "Selected for monitoring",
            "propose_slot" => "Hand-over slot proposed",
            "accept" => "Slot accepted",
            "defer" => "Slot deferred",
            "refuse" => "Slot declined",
            "assign_dmi" => "Digital Media Investigator assigned",
            "mandate" => "Notice issued",
            "hand_over" => "Devices handed over",
            "download" => "Devices downloaded",
            "examine" => "Examination recorded",
            "return" => "Devices returned",
            "failure_to_provide" => "Devices not handed over by the deadline",
            "withdraw" => "Case withdrawn",
            _ => return None,
        })
    }

    /// The WP034 clause the step carries out: consultation, notice, hand-over, download and
    /// return are 5.4; concerns and failure to provide are assessed under 5.5.
    pub fn clause(&self) -> &'static str {
        match self {
            Self::Examine { concerns: Some(_) } | Self::FailureToProvide => "5.5",
            _ => "5.4",
        }
    }

    /// Whether the step is a custody step (a device changes hands or is worked on) that the
    /// DMI signs.
    pub fn is_custody(&self) -> bool {
        matches!(self, Self::HandOver { .. } | Self::Download { .. } | Self::Examine { .. } | Self::Return { .. })
    }

    /// Whether the step is the selected person's answer on availability.
    pub fn is_response(&self) -> bool {
        matches!(self, Self::Accept | Self::Defer { .. } | Self::Refuse { .. })
    }
}

crate::str_enum! {
    /// The kinds of conduct assessment referral a case opens (WP034 5.5).
    pub enum ReferralKind {
        FailureToProvide = "failure_to_provide",
        ConcernsIdentified = "concerns_identified",
    }
}

impl ReferralKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::FailureToProvide => "Failure to provide the device",
            Self::ConcernsIdentified => "Concerns identified from the download",
        }
    }
}

/// What the store must do besides saving the new state, in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Record these devices as in examination (WP034 5.4).
    DevicesToExamination(Vec<Uuid>),
    /// Give these devices back to the case's person (allocated again).
    DevicesReturned(Vec<Uuid>),
    /// Open a conduct assessment referral (WP034 5.5).
    OpenReferral { kind: ReferralKind, summary: String },
    /// Open a case for the area's next reserve.
    CallNextReserve,
}

/// A step's outcome: the new state and what else must happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub state: CaseState,
    pub effects: Vec<Effect>,
}

/// Why a step was refused. Messages cite the clause and name the field to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("a case that is {} cannot take the step {step:?}", .stage.label().to_lowercase())]
    WrongStage { stage: Stage, step: &'static str },
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
}

/// People enter download times to the minute, so they are compared with the recorded hand-over
/// and the clock to within this much.
pub const TIME_TOLERANCE: Duration = Duration::minutes(1);

fn invalid(field: &'static str, message: impl Into<String>) -> CaseError {
    CaseError::Invalid { field, message: message.into() }
}

fn need_reason(field: &'static str, reason: &str, why: &str) -> Result<(), CaseError> {
    if reason.trim().is_empty() { Err(invalid(field, why)) } else { Ok(()) }
}

fn same_devices(a: &[Uuid], b: &[Uuid]) -> bool {
    let a: HashSet<&Uuid> = a.iter().collect();
    let b: HashSet<&Uuid> = b.iter().collect();
    a == b
}

/// Apply `step` to a case at time `now` under the round's `rules`. Pure: the store persists
/// the returned state and carries out the effects in one transaction with the audit event.
pub fn apply(state: &CaseState, step: &Step, rules: &CaseRules, now: OffsetDateTime) -> Result<Transition, CaseError> {
    use Stage::*;
    let wrong = || CaseError::WrongStage { stage: state.stage, step: step.name() };
    let mut next = state.clone();
    let mut effects = Vec::new();
    match step {
        Step::ProposeSlot { slot } => {
            if !matches!(state.stage, Selected) {
                return Err(wrong());
            }
            if *slot <= now {
                return Err(invalid("slot", "propose a time in the future"));
            }
            next.slot = Some(*slot);
            next.first_slot = Some(state.first_slot.unwrap_or(*slot));
        }
        Step::Accept => {
            if !matches!(state.stage, Selected) {
                return Err(wrong());
            }
            if state.slot.is_none() {
                return Err(invalid("slot", "there is no proposed slot to accept yet"));
            }
            next.stage = Consulted;
        }
        Step::Defer { to, reason } => {
            if !matches!(state.stage, Selected | Consulted) {
                return Err(wrong());
            }
            if state.deferred {
                return Err(invalid("to", "the one deferral the rule allows has been used (WP034 5.4)"));
            }
            let (Some(slot), Some(first)) = (state.slot, state.first_slot) else {
                return Err(invalid("to", "there is no proposed slot to defer yet"));
            };
            need_reason("reason", reason, "say why the slot is not possible")?;
            let latest = first + Duration::days(i64::from(rules.deferral_days));
            if *to <= slot {
                return Err(invalid("to", "a deferral moves the slot to a later time"));
            }
            if *to > latest {
                return Err(invalid(
                    "to",
                    format!(
                        "the rule allows a deferral of at most {} days after the first proposed slot",
                        rules.deferral_days
                    ),
                ));
            }
            next.slot = Some(*to);
            next.deferred = true;
            next.stage = Consulted;
        }
        Step::Refuse { reason } => {
            if !matches!(state.stage, Selected) {
                return Err(wrong());
            }
            need_reason("reason", reason, "a refusal needs a reason (WP034 5.4)")?;
            next.stage = Consulted;
        }
        Step::AssignDmi { dmi } => {
            if state.stage.is_closed() || state.stage.holds_devices() {
                return Err(wrong());
            }
            next.dmi = Some(*dmi);
        }
        Step::Mandate { deadline, devices } => {
            if !matches!(state.stage, Consulted) {
                return Err(wrong());
            }
            if *deadline <= now {
                return Err(invalid("deadline", "the deadline must be in the future"));
            }
            if devices.is_empty() {
                return Err(invalid("devices", "the person holds no allocated force device to hand over"));
            }
            next.stage = Mandated;
            next.deadline = Some(*deadline);
            next.devices = devices.clone();
        }
        Step::HandOver { devices, full_access_confirmed, handed_by, received_by } => {
            if !matches!(state.stage, Mandated) {
                return Err(wrong());
            }
            if !full_access_confirmed {
                return Err(invalid(
                    "full_access_confirmed",
                    "confirm the devices were handed over with full access and password protection removed (WP034 5.4)",
                ));
            }
            if handed_by.trim().is_empty() {
                return Err(invalid("handed_by", "say who handed the devices over"));
            }
            if !same_devices(devices, &state.devices) {
                return Err(invalid(
                    "devices",
                    "the notice requires every force device it names to be handed over, and only those",
                ));
            }
            next.stage = HandedOver;
            next.dmi = Some(*received_by);
            next.handed_over_at = Some(now);
            effects.push(Effect::DevicesToExamination(state.devices.clone()));
        }
        Step::Download { tool, tool_version, extractions, started, ended } => {
            if !matches!(state.stage, HandedOver) {
                return Err(wrong());
            }
            if tool.trim().is_empty() {
                return Err(invalid("tool", "name the extraction tool"));
            }
            if tool_version.trim().is_empty() {
                return Err(invalid("tool_version", "give the tool's version"));
            }
            if started > ended {
                return Err(invalid("ended", "the download cannot end before it started"));
            }
            if *ended > now + TIME_TOLERANCE {
                return Err(invalid("ended", "the download cannot end in the future"));
            }
            if state.handed_over_at.is_some_and(|h| *started < h - TIME_TOLERANCE) {
                return Err(invalid("started", "the download cannot start before the devices were handed over"));
            }
            for e in extractions {
                if e.sha256.len() != 64 || !e.sha256.chars().all(|c| c.is_ascii_hexdigit()) {
                    return Err(invalid(
                        "extractions",
                        format!("the SHA-256 for device {} is not 64 hexadecimal characters", e.device),
                    ));
                }
            }
            let got: Vec<Uuid> = extractions.iter().map(|e| e.device).collect();
            if got.len() != state.devices.len() || !same_devices(&got, &state.devices) {
                return Err(invalid("extractions", "give one extraction SHA-256 for each device handed over"));
            }
            next.stage = Downloaded;
        }
        Step::Examine { concerns } => {
            if !matches!(state.stage, Downloaded) {
                return Err(wrong());
            }
            if let Some(summary) = concerns {
                need_reason("concerns", summary, "summarise the concerns identified (WP034 5.5)")?;
                effects.push(Effect::OpenReferral {
                    kind: ReferralKind::ConcernsIdentified,
                    summary: summary.trim().to_string(),
                });
            }
            next.stage = Examined;
        }
        Step::Return { received_by } => {
            if !matches!(state.stage, Examined) {
                return Err(wrong());
            }
            if received_by.trim().is_empty() {
                return Err(invalid("received_by", "say who received the devices back"));
            }
            next.stage = Returned;
            effects.push(Effect::DevicesReturned(state.devices.clone()));
        }
        Step::FailureToProvide => {
            if !matches!(state.stage, Mandated) {
                return Err(wrong());
            }
            let Some(deadline) = state.deadline else { return Err(wrong()) };
            if now <= deadline {
                return Err(invalid(
                    "deadline",
                    "failure to provide can only be recorded after the hand-over deadline (WP034 5.5)",
                ));
            }
            if state.failure_referred {
                return Err(invalid("deadline", "a failure-to-provide referral is already open"));
            }
            next.failure_referred = true;
            effects.push(Effect::OpenReferral {
                kind: ReferralKind::FailureToProvide,
                summary: format!("Devices not handed over by the deadline of {}", deadline.date()),
            });
        }
        Step::Withdraw { reason } => {
            if !matches!(state.stage, Selected | Consulted | Mandated) {
                return Err(wrong());
            }
            need_reason("reason", reason, "record the reason for calling the next reserve (WP034 5.4)")?;
            next.stage = Withdrawn;
            effects.push(Effect::CallNextReserve);
        }
    }
    Ok(Transition { state: next, effects })
}

/// Whether a mandated case is past its hand-over deadline without a referral yet: the sweep
/// that opens failure-to-provide referrals looks for these (WP034 5.5).
pub fn overdue(state: &CaseState, now: OffsetDateTime) -> bool {
    state.stage == Stage::Mandated && !state.failure_referred && state.deadline.is_some_and(|d| now > d)
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;
    // ---- the case state machine ------------------------------------------------------------

    const T0: OffsetDateTime = datetime!(2026-03-02 09:00 UTC);

    fn rules() -> CaseRules {
        CaseRules { deferral_days: 7 }
    }

    fn dev(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn step(s: &CaseState, st: Step, now: OffsetDateTime) -> Result<Transition, CaseError> {
        apply(s, &st, &rules(), now)
    }

    fn run(steps: &[(Step, OffsetDateTime)]) -> Result<(CaseState, Vec<Effect>), CaseError> {
        let mut s = CaseState::selected();
        let mut effects = Vec::new();
        for (st, at) in steps {
            let t = step(&s, st.clone(), *at)?;
            s = t.state;
            effects.extend(t.effects);
        }
        Ok((s, effects))
    }

    fn to_mandated() -> Vec<(Step, OffsetDateTime)> {
        vec![
            (Step::ProposeSlot { slot: T0 + Duration::days(3) }, T0),
            (Step::Accept, T0 + Duration::hours(1)),
            (
                Step::Mandate { deadline: T0 + Duration::days(3), devices: vec![dev(1), dev(2)] },
                T0 + Duration::hours(2),
            ),
        ]
    }

    fn hand_over(at: OffsetDateTime) -> (Step, OffsetDateTime) {
        (
            Step::HandOver {
                devices: vec![dev(2), dev(1)],
                full_access_confirmed: true,
                handed_by: "A1017".into(),
                received_by: dev(99),
            },
            at,
        )
    }

    fn download(at: OffsetDateTime) -> (Step, OffsetDateTime) {
        let extractions = vec![
            Extraction { device: dev(1), sha256: "a".repeat(64) },
            Extraction { device: dev(2), sha256: "b".repeat(64) },
        ];
        (
            Step::Download {
                tool: "Cellebrite UFED".into(),
                tool_version: "7.69".into(),
                extractions,
                started: at - Duration::hours(2),
                ended: at,
            },
            at,
        )
    }

    #[test]
    fn a_case_runs_from_selection_to_return_moving_the_devices() {
        let mut steps = to_mandated();
        steps.push(hand_over(T0 + Duration::days(2)));
        steps.push(download(T0 + Duration::days(3)));
        steps.push((Step::Examine { concerns: None }, T0 + Duration::days(4)));
        steps.push((Step::Return { received_by: "A1017".into() }, T0 + Duration::days(4)));
        let (s, effects) = run(&steps).unwrap();
        assert_eq!(s.stage, Stage::Returned);
        assert_eq!(s.dmi, Some(dev(99)), "the receiving DMI holds the case");
        assert_eq!(
            effects,
            vec![Effect::DevicesToExamination(vec![dev(1), dev(2)]), Effect::DevicesReturned(vec![dev(1), dev(2)])]
        );
    }

    #[test]
    fn no_download_before_hand_over_and_no_return_before_download() {
        let (mandated, _) = run(&to_mandated()).unwrap();
        let (st, at) = download(T0 + Duration::days(2));
        assert!(matches!(step(&mandated, st, at), Err(CaseError::WrongStage { .. })));
        let (handed, _) = run(&[to_mandated(), vec![hand_over(T0 + Duration::days(1))]].concat()).unwrap();
        assert!(matches!(
            step(&handed, Step::Return { received_by: "A1017".into() }, T0 + Duration::days(2)),
            Err(CaseError::WrongStage { .. })
        ));
        assert!(matches!(
            step(&handed, Step::Examine { concerns: None }, T0 + Duration::days(2)),
            Err(CaseError::WrongStage { .. })
        ));
    }

    #[test]
    fn failure_to_provide_only_after_the_deadline_and_only_once() {
        let (s, _) = run(&to_mandated()).unwrap();
        let deadline = T0 + Duration::days(3);
        assert!(!overdue(&s, deadline));
        assert!(matches!(
            step(&s, Step::FailureToProvide, deadline),
            Err(CaseError::Invalid { field: "deadline", .. })
        ));
        assert!(overdue(&s, deadline + Duration::seconds(1)));
        let t = step(&s, Step::FailureToProvide, deadline + Duration::seconds(1)).unwrap();
        assert!(matches!(t.effects[..], [Effect::OpenReferral { kind: ReferralKind::FailureToProvide, .. }]));
        assert!(!overdue(&t.state, deadline + Duration::days(1)));
        assert!(step(&t.state, Step::FailureToProvide, deadline + Duration::days(1)).is_err());
        // A late hand-over is still received; the referral stands.
        let late = step(&t.state, hand_over(deadline + Duration::days(1)).0, deadline + Duration::days(1)).unwrap();
        assert!(late.state.failure_referred);
        // Before a notice there is no deadline to miss.
        assert!(step(&CaseState::selected(), Step::FailureToProvide, deadline + Duration::days(9)).is_err());
    }

    #[test]
    fn one_deferral_within_the_window_and_refusals_need_a_reason() {
        let proposed = run(&[(Step::ProposeSlot { slot: T0 + Duration::days(3) }, T0)]).unwrap().0;
        let too_far = Step::Defer { to: T0 + Duration::days(11), reason: "leave".into() };
        assert!(matches!(step(&proposed, too_far, T0), Err(CaseError::Invalid { field: "to", .. })));
        let no_reason = Step::Defer { to: T0 + Duration::days(9), reason: " ".into() };
        assert!(matches!(step(&proposed, no_reason, T0), Err(CaseError::Invalid { field: "reason", .. })));
        let deferred = step(&proposed, Step::Defer { to: T0 + Duration::days(10), reason: "annual leave".into() }, T0)
            .unwrap()
            .state;
        assert_eq!(deferred.stage, Stage::Consulted);
        assert_eq!(deferred.slot, Some(T0 + Duration::days(10)));
        let again = Step::Defer { to: T0 + Duration::days(10) + Duration::hours(1), reason: "still away".into() };
        assert!(matches!(step(&deferred, again, T0), Err(CaseError::Invalid { field: "to", .. })));
        assert!(matches!(
            step(&proposed, Step::Refuse { reason: "".into() }, T0),
            Err(CaseError::Invalid { field: "reason", .. })
        ));
        assert_eq!(
            step(&proposed, Step::Refuse { reason: "on nights".into() }, T0).unwrap().state.stage,
            Stage::Consulted
        );
        assert!(step(&CaseState::selected(), Step::Accept, T0).is_err(), "nothing to accept before a slot is proposed");
    }

    #[test]
    fn the_hand_over_needs_every_device_and_full_access() {
        let (s, _) = run(&to_mandated()).unwrap();
        let partial = Step::HandOver {
            devices: vec![dev(1)],
            full_access_confirmed: true,
            handed_by: "A1017".into(),
            received_by: dev(99),
        };
        assert!(matches!(step(&s, partial, T0), Err(CaseError::Invalid { field: "devices", .. })));
        let locked = Step::HandOver {
            devices: vec![dev(1), dev(2)],
            full_access_confirmed: false,
            handed_by: "A1017".into(),
            received_by: dev(99),
        };
        assert!(matches!(step(&s, locked, T0), Err(CaseError::Invalid { field: "full_access_confirmed", .. })));
    }

    #[test]
    fn concerns_open_a_conduct_referral_and_need_a_summary() {
        let (s, _) =
            run(&[to_mandated(), vec![hand_over(T0 + Duration::days(1)), download(T0 + Duration::days(2))]].concat())
                .unwrap();
        assert!(step(&s, Step::Examine { concerns: Some("  ".into()) }, T0 + Duration::days(3)).is_err());
        let t = step(&s, Step::Examine { concerns: Some("Offensive images shared".into()) }, T0 + Duration::days(3))
            .unwrap();
        assert_eq!(
            t.effects,
            vec![Effect::OpenReferral {
                kind: ReferralKind::ConcernsIdentified,
                summary: "Offensive images shared".into()
            }]
        );
        assert_eq!(Step::Examine { concerns: Some("x".into()) }.clause(), "5.5");
    }

    #[test]
    fn every_step_cites_a_clause_in_the_policy() {
        let steps = [
            Step::Accept,
            Step::FailureToProvide,
            Step::Examine { concerns: None },
            Step::Withdraw { reason: "r".into() },
        ];
        for s in steps {
            assert!(crate::policy::clause(s.clause()).is_some(), "{}", s.name());
        }
    }

    fn any_step() -> impl Strategy<Value = (Step, i64)> {
        let t = |d: i64| T0 + Duration::hours(d);
        prop_oneof![
            (1i64..200).prop_map(move |h| Step::ProposeSlot { slot: t(h) }),
            Just(Step::Accept),
            (1i64..400, any::<bool>()).prop_map(move |(h, r)| Step::Defer {
                to: t(h),
                reason: if r { "away".into() } else { String::new() }
            }),
            any::<bool>().prop_map(|r| Step::Refuse { reason: if r { "nights".into() } else { String::new() } }),
            Just(Step::AssignDmi { dmi: Uuid::from_u128(99) }),
            (1i64..200).prop_map(move |h| Step::Mandate { deadline: t(h), devices: vec![Uuid::from_u128(1)] }),
            any::<bool>().prop_map(|ok| Step::HandOver {
                devices: vec![Uuid::from_u128(1)],
                full_access_confirmed: ok,
                handed_by: "A1".into(),
                received_by: Uuid::from_u128(99)
            }),
            (0i64..50).prop_map(move |h| Step::Download {
                tool: "t".into(),
                tool_version: "1".into(),
                extractions: vec![Extraction { device: Uuid::from_u128(1), sha256: "c".repeat(64) }],
                started: t(h),
                ended: t(h + 1),
            }),
            prop::option::of(Just("summary".to_string())).prop_map(|concerns| Step::Examine { concerns }),
            Just(Step::Return { received_by: "A1".into() }),
            Just(Step::FailureToProvide),
            Just(Step::Withdraw { reason: "long-term sick".into() }),
        ]
        .prop_flat_map(|s| (Just(s), 0i64..400))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn random_step_sequences_never_break_the_case_rules(steps in prop::collection::vec(any_step(), 1..40)) {
            let mut s = CaseState::selected();
            let mut history: Vec<Stage> = vec![s.stage];
            let mut held = false;
            let mut now = T0;
            for (st, dt) in steps {
                now += Duration::hours(dt);
                let Ok(t) = apply(&s, &st, &rules(), now) else { continue };
                for e in &t.effects {
                    match e {
                        Effect::DevicesToExamination(_) => { prop_assert!(!held); held = true; }
                        Effect::DevicesReturned(_) => { prop_assert!(held); held = false; }
                        Effect::OpenReferral { kind: ReferralKind::FailureToProvide, .. } => {
                            prop_assert!(s.deadline.is_some_and(|d| now > d), "failure to provide only after the deadline");
                        }
                        _ => {}
                    }
                }
                match t.state.stage {
                    Stage::Downloaded if s.stage != Stage::Downloaded => prop_assert!(history.contains(&Stage::HandedOver)),
                    Stage::Returned if s.stage != Stage::Returned => prop_assert!(history.contains(&Stage::Downloaded) && history.contains(&Stage::Examined)),
                    Stage::HandedOver if s.stage != Stage::HandedOver => prop_assert!(history.contains(&Stage::Mandated)),
                    Stage::Mandated if s.stage != Stage::Mandated => prop_assert!(history.contains(&Stage::Consulted)),
                    _ => {}
                }
                if s.deferred { prop_assert!(t.state.deferred); }
                prop_assert!(!(s.deferred && matches!(st, Step::Defer { .. })), "only one deferral");
                prop_assert_eq!(held, t.state.stage.holds_devices());
                prop_assert!(!s.stage.is_closed(), "a closed case takes no steps");
                s = t.state;
                history.push(s.stage);
            }
        }
    }
}
