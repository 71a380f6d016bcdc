//! Lawful business monitoring in the store (WP034 3.3, 5.1-5.5): the records of rounds, frozen
//! populations, draws, cases, custody steps and conduct referrals, and the public [`Store`]
//! operations over them. Each write commits with its audit event in one transaction.

use custodian_domain::monitoring::{Bundle, CaseRules, CaseState, ReferralKind, Stage, Step};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::row::{Flag, JsonText};
use crate::{Result, Store, Write};

custodian_domain::str_enum! {
    /// Whether a round has been drawn.
    pub enum RoundStatus {
        /// Created: the population is frozen, exclusions may still be recorded.
        Open = "open",
        /// Drawn: the selection is final and cases exist.
        Drawn = "drawn",
    }
}

/// The kinds of in-app notification a case sends the person selected (WP034 5.4): selected by
/// the draw (or called from reserve), a hand-over time proposed, the notice issued.
pub const NOTIFY_SELECTED: &str = "monitoring.selected";
pub const NOTIFY_SLOT: &str = "monitoring.slot";
pub const NOTIFY_NOTICE: &str = "monitoring.notice";

/// A round's or a case's rules as stored (`deferral_days`).
#[derive(sqlx::FromRow)]
pub(crate) struct RulesColumns {
    #[sqlx(try_from = "i64")]
    deferral_days: u32,
}

impl From<RulesColumns> for CaseRules {
    fn from(c: RulesColumns) -> Self {
        CaseRules { deferral_days: c.deferral_days }
    }
}

/// A case's state as stored: its stage, slots, devices (JSON) and flags.
#[derive(sqlx::FromRow)]
pub(crate) struct CaseStateColumns {
    #[sqlx(try_from = "String")]
    stage: Stage,
    slot: Option<OffsetDateTime>,
    first_slot: Option<OffsetDateTime>,
    #[sqlx(try_from = "Flag")]
    deferred: bool,
    dmi_id: Option<Uuid>,
    deadline: Option<OffsetDateTime>,
    #[sqlx(try_from = "JsonText<Vec<Uuid>>")]
    devices: Vec<Uuid>,
    handed_over_at: Option<OffsetDateTime>,
    #[sqlx(try_from = "Flag")]
    failure_referred: bool,
}

impl From<CaseStateColumns> for CaseState {
    fn from(c: CaseStateColumns) -> Self {
        CaseState {
            stage: c.stage,
            slot: c.slot,
            first_slot: c.first_slot,
            deferred: c.deferred,
            dmi: c.dmi_id,
            deadline: c.deadline,
            devices: c.devices,
            handed_over_at: c.handed_over_at,
            failure_referred: c.failure_referred,
        }
    }
}

/// What PSD gives to create a round (WP034 5.4).
#[derive(Debug, Clone)]
pub struct NewRound {
    pub name: String,
    /// Business areas in scope; empty means every area with someone eligible.
    pub areas: Vec<String>,
    /// k: people selected per area.
    pub sample_size: u32,
    /// Hex SHA-256 of PSD's secret.
    pub commitment: String,
    /// The published deferral rule of the round's cases.
    pub rules: CaseRules,
}

/// One business area of a round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RoundArea {
    pub business_area: String,
    #[sqlx(try_from = "i64")]
    pub sample_size: u32,
    /// People in the frozen population, exclusions included.
    pub population: i64,
    pub excluded: i64,
}

/// A monitoring round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Round {
    pub id: Uuid,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub status: RoundStatus,
    pub commitment: String,
    #[sqlx(flatten, try_from = "RulesColumns")]
    pub rules: CaseRules,
    pub beacon: Option<String>,
    /// Revealed at the draw; absent before.
    pub secret: Option<String>,
    pub seed: Option<String>,
    /// The hash of the population drawn from (after exclusions), recorded at the draw.
    pub population_hash: Option<String>,
    /// Read after the round's row.
    #[sqlx(skip)]
    pub areas: Vec<RoundArea>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub drawn_at: Option<OffsetDateTime>,
    pub drawn_by: Option<String>,
}

impl Round {
    /// Everyone frozen into the round, exclusions included.
    pub fn population(&self) -> i64 {
        self.areas.iter().map(|a| a.population).sum()
    }
    pub fn excluded(&self) -> i64 {
        self.areas.iter().map(|a| a.excluded).sum()
    }
}

/// A person left out of a round's draw, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Exclusion {
    pub staff_number: String,
    pub business_area: String,
    pub reason: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub by: String,
}

/// A conduct assessment referral opened by a case (WP034 5.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Referral {
    pub id: Uuid,
    pub case_id: Uuid,
    #[sqlx(try_from = "String")]
    pub kind: ReferralKind,
    pub clause: String,
    pub summary: String,
    #[serde(with = "time::serde::rfc3339")]
    pub opened_at: OffsetDateTime,
    pub opened_by: String,
}

/// One selected (or called reserve) person's case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MonitoringCase {
    pub id: Uuid,
    pub round_id: Uuid,
    pub round_name: String,
    pub person_id: Uuid,
    pub staff_number: String,
    pub person_name: String,
    pub business_area: String,
    /// Position in the area's score order (0 is the lowest score).
    pub draw_rank: i64,
    #[sqlx(flatten, try_from = "CaseStateColumns")]
    pub state: CaseState,
    #[sqlx(flatten, try_from = "RulesColumns")]
    pub rules: CaseRules,
    #[sqlx(rename = "dmi_staff")]
    pub dmi_staff_number: Option<String>,
    pub dmi_name: Option<String>,
    /// Asset tags of the devices in the notice, in the order of `state.devices`.
    #[sqlx(skip)]
    pub device_tags: Vec<String>,
    /// Read after the case's row, with `device_tags`.
    #[sqlx(skip)]
    pub referrals: Vec<Referral>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// One signed step of a case's record.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct CaseStepRecord {
    pub id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who signed the step, as the audit log records it (`person:A1234`, `token:<id>`, `cli`,
    /// `system`).
    pub actor: String,
    /// The person behind the actor, as "Name (STAFF_NUMBER)", when it is a person.
    pub signed_by: Option<String>,
    pub step: String,
    pub clause: String,
    #[sqlx(try_from = "JsonText<serde_json::Value>")]
    pub detail: serde_json::Value,
    /// The step's event in the tamper-evident audit log.
    pub audit_seq: i64,
}

/// Which cases to list; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub round_id: Option<Uuid>,
    pub stage: Option<Stage>,
    /// Cases assigned to this DMI, or about this person (need to know: WP034 3.3, 5.3).
    pub dmi_or_person: Option<Uuid>,
}

/// Counts for the monitoring dashboard.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MonitoringCounts {
    /// Cases per stage, in stage order, zero counts included.
    pub by_stage: Vec<(String, i64)>,
    /// Mandated cases past their hand-over deadline.
    pub overdue: i64,
    /// Referrals opened, by kind.
    pub referrals: Vec<(String, i64)>,
}

impl Store {
    /// Create a round and freeze its population: every active person in scope holding at least
    /// one allocated device (WP034 5.4). Audited with the population's hash.
    pub async fn monitoring_create_round(&self, r: &NewRound, w: Write<'_>) -> Result<Round> {
        on_write!(self, monitoring::create_round(r, w))
    }

    /// Leave a person out of an open round's draw, with the reason (long-term absence, say).
    pub async fn monitoring_exclude(
        &self,
        round: Uuid,
        staff_number: &str,
        reason: &str,
        w: Write<'_>,
    ) -> Result<Round> {
        on_write!(self, monitoring::exclude(round, staff_number, reason, w))
    }

    /// Draw: check the secret opens the commitment, run the published algorithm over the
    /// frozen population, record everything and open a case for each person selected.
    pub async fn monitoring_draw(&self, round: Uuid, beacon: &str, secret: &str, w: Write<'_>) -> Result<Round> {
        on_write!(self, monitoring::draw(round, beacon, secret, w))
    }

    pub async fn monitoring_rounds(&self) -> Result<Vec<Round>> {
        on_read!(self, monitoring::rounds())
    }

    pub async fn monitoring_round(&self, id: Uuid) -> Result<Option<Round>> {
        on_read!(self, monitoring::round_by_id(id))
    }

    pub async fn monitoring_exclusions(&self, round: Uuid) -> Result<Vec<Exclusion>> {
        on_read!(self, monitoring::exclusions(round))
    }

    /// The verification bundle of a drawn round, from what is stored (not re-computed), so
    /// that verifying it checks the record.
    pub async fn monitoring_bundle(&self, round: Uuid) -> Result<Bundle> {
        on_read!(self, monitoring::bundle(round))
    }

    pub async fn monitoring_cases(&self, f: &CaseFilter) -> Result<Vec<MonitoringCase>> {
        on_read!(self, monitoring::cases(f))
    }

    pub async fn monitoring_case(&self, id: Uuid) -> Result<Option<MonitoringCase>> {
        on_read!(self, monitoring::case_by_id(id))
    }

    /// The person's most recent case that is not over (WP034 5.4), if any: what their
    /// navigation links to.
    pub async fn monitoring_open_case_of(&self, person: Uuid) -> Result<Option<Uuid>> {
        on_read!(self, monitoring::open_case_of(person))
    }

    pub async fn monitoring_case_steps(&self, id: Uuid) -> Result<Vec<CaseStepRecord>> {
        on_read!(self, monitoring::case_steps(id))
    }

    /// Take a step on a case: the domain rule decides, then the new state, the signed step,
    /// its effects on the device register and referrals, and the audit event commit together.
    /// A notice (`Mandate`) names every device the person holds at that moment, whatever the
    /// step carries.
    pub async fn monitoring_step(&self, case: Uuid, step: &Step, w: Write<'_>) -> Result<MonitoringCase> {
        on_write!(self, monitoring::step(case, step, w))
    }

    /// Open a failure-to-provide referral for every mandated case past its deadline (WP034
    /// 5.5). Returns how many were opened.
    pub async fn monitoring_sweep(&self, w: Write<'_>) -> Result<usize> {
        on_write!(self, monitoring::sweep(w))
    }

    pub async fn monitoring_counts(&self, now: OffsetDateTime) -> Result<MonitoringCounts> {
        on_read!(self, monitoring::counts(now))
    }
}
