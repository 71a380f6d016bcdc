//! Lawful business monitoring use cases (WP034 3.3, 5.1-5.5), shared by the JSON API and the web
//! interface: authorise by the Cedar policies, then let the store apply the domain rule and
//! write the change with its audit event. Every view of a case's personal information is logged
//! with who, when and why.

pub mod api;
pub mod guide;
pub mod ui;

use custodian_authz::{Action, Resource};
use custodian_domain::monitoring::{CaseRules, Extraction, Stage, Step};
use custodian_store::monitoring::{
    CaseFilter, CaseStepRecord, Exclusion, MonitoringCase, MonitoringCounts, NewRound, Round,
};
use custodian_store::{Actor, AuditEntry, AuditEvent};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;

/// The Cedar resource of a case: the person selected and the DMI assigned.
pub fn case_resource(c: &MonitoringCase) -> Resource {
    Resource::MonitoringCase { id: c.id, subject: Some(c.person_id), dmi: c.state.dmi }
}

/// What PSD enters to create a round.
#[derive(Debug, Clone)]
pub struct RoundInput {
    pub name: String,
    pub areas: Vec<String>,
    pub sample_size: u32,
    pub commitment: String,
    pub deferral_days: Option<u32>,
}

impl RoundInput {
    /// The store's input, with the default deferral rule where none is given.
    pub fn to_new_round(&self) -> NewRound {
        let rules = self.deferral_days.map_or_else(CaseRules::default, |deferral_days| CaseRules { deferral_days });
        NewRound {
            name: self.name.clone(),
            areas: self.areas.clone(),
            sample_size: self.sample_size,
            commitment: self.commitment.clone(),
            rules,
        }
    }
}

/// Create a round and freeze its population (WP034 5.4). PSD only (3.3).
pub async fn create_round(state: &AppState, user: &CurrentUser, input: &RoundInput) -> Result<Round, AppError> {
    state.require(user, Action::MonitoringRoundsManage, &Resource::System)?;
    if input.deferral_days.is_some_and(|d| d > 90) {
        return Err(AppError::invalid(
            "deferral_days",
            "a deferral window of more than 90 days defeats the purpose of a random check",
        ));
    }
    Ok(state.store().monitoring_create_round(&input.to_new_round(), user.actor.at(state.now())).await?)
}

/// Leave a person out of an open round's draw, with the reason (WP034 5.4).
pub async fn exclude(
    state: &AppState,
    user: &CurrentUser,
    round: Uuid,
    staff_number: &str,
    reason: &str,
) -> Result<Round, AppError> {
    state.require(user, Action::MonitoringRoundsManage, &Resource::System)?;
    Ok(state.store().monitoring_exclude(round, staff_number, reason, user.actor.at(state.now())).await?)
}

/// Make the draw with the public beacon and the revealed secret (WP034 5.4).
pub async fn draw(
    state: &AppState,
    user: &CurrentUser,
    round: Uuid,
    beacon: &str,
    secret: &str,
) -> Result<Round, AppError> {
    state.require(user, Action::MonitoringRoundsManage, &Resource::System)?;
    // Hashing the whole frozen population is CPU-heavy: off the async workers.
    let (store, beacon, secret, actor, now) =
        (state.store().clone(), beacon.to_string(), secret.to_string(), user.actor.clone(), state.now());
    state.offload(async move { Ok(store.monitoring_draw(round, &beacon, &secret, actor.at(now)).await?) }).await
}

pub async fn rounds(state: &AppState, user: &CurrentUser) -> Result<Vec<Round>, AppError> {
    state.require(user, Action::MonitoringRoundsView, &Resource::System)?;
    Ok(state.store().monitoring_rounds().await?)
}

/// A round, with its exclusions for those who may see who was in and out of the draw
/// (`monitoring.rounds.bundle`: PSD and the auditor; `None` for a DMI, who sees only the cases
/// assigned to them). Exclusion reasons can be personal (absence, say), so showing them is
/// logged (WP034 5.3).
pub async fn round(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
) -> Result<(Round, Option<Vec<Exclusion>>), AppError> {
    state.require(user, Action::MonitoringRoundsView, &Resource::System)?;
    let r = state
        .store()
        .monitoring_round(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("No monitoring round with id {id}.")))?;
    if !state.allows(user, Action::MonitoringRoundsBundle, &Resource::System) {
        return Ok((r, None));
    }
    let exclusions = state.store().monitoring_exclusions(id).await?;
    if !exclusions.is_empty() {
        let why = format!(
            "{} viewing the round's exclusions",
            decided_by(state, user, Action::MonitoringRoundsBundle, &Resource::System)
        );
        state
            .log_view(
                user,
                AuditEntry::new("monitoring.round.view", format!("monitoring_round:{id}"))
                    .clause("5.3")
                    .justification(why),
            )
            .await?;
    }
    Ok((r, Some(exclusions)))
}

/// The verification bundle of a drawn round (WP034 5.4: anyone given it can re-run the draw).
/// It names everyone selected and in reserve, so only PSD and the auditor see it
/// (`monitoring.rounds.bundle`), and every view is logged (5.3).
pub async fn bundle(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
) -> Result<custodian_domain::monitoring::Bundle, AppError> {
    state.require(user, Action::MonitoringRoundsBundle, &Resource::System)?;
    if state.store().monitoring_round(id).await?.is_none() {
        return Err(AppError::NotFound(format!("No monitoring round with id {id}.")));
    }
    let b = state.store().monitoring_bundle(id).await?;
    let why = format!(
        "{} viewing the round's verification bundle (everyone selected and in reserve)",
        decided_by(state, user, Action::MonitoringRoundsBundle, &Resource::System)
    );
    state
        .log_view(
            user,
            AuditEntry::new("monitoring.bundle.view", format!("monitoring_round:{id}"))
                .clause("5.4")
                .justification(why),
        )
        .await?;
    Ok(b)
}

fn decided_by(state: &AppState, user: &CurrentUser, action: Action, resource: &Resource) -> String {
    let d = state.authz().decide(&user.principal, action, resource);
    format!("access under policy {}", d.policies.join(", "))
}

/// Open failure-to-provide referrals for cases past their hand-over deadline (WP034 5.5). Run
/// before cases are shown, so no overdue case is ever displayed without its referral.
pub async fn sweep(state: &AppState) -> Result<usize, AppError> {
    Ok(state.store().monitoring_sweep(Actor::system().at(state.now())).await?)
}

/// The cases the user may see: all for PSD, those assigned to a DMI, a person's own (WP034 3.3,
/// 5.3). The list shows names, so it is logged.
pub async fn cases(
    state: &AppState,
    user: &CurrentUser,
    round: Option<Uuid>,
    stage: Option<Stage>,
) -> Result<Vec<MonitoringCase>, AppError> {
    sweep(state).await?;
    let all = state.allows(user, Action::MonitoringRoundsManage, &Resource::System);
    let filter = CaseFilter { round_id: round, stage, dmi_or_person: if all { None } else { Some(user.id()) } };
    let mut list = state.store().monitoring_cases(&filter).await?;
    list.retain(|c| state.allows(user, Action::MonitoringCasesView, &case_resource(c)));
    if !list.is_empty() {
        let ids: Vec<Uuid> = list.iter().map(|c| c.id).collect();
        state
            .log_view(
                user,
                AuditEntry::new("monitoring.case.list", "monitoring_cases")
                    .clause("5.3")
                    .justification("list of monitoring cases")
                    .detail(serde_json::json!({"cases": ids})),
            )
            .await?;
    }
    Ok(list)
}

/// One case, if the user may see it; the view is logged with who, when and why (WP034 5.3).
/// `purpose` is the reason the user gives, added to the policy that allowed the view.
pub async fn view_case(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    purpose: Option<&str>,
) -> Result<MonitoringCase, AppError> {
    sweep(state).await?;
    let c = load_case(state, id).await?;
    let resource = case_resource(&c);
    let decision = state.authz().decide(&user.principal, Action::MonitoringCasesView, &resource);
    if !(decision.allowed && user.scope_allows(Action::MonitoringCasesView)) {
        state.metrics().denied.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        return Err(AppError::Forbidden("You do not have permission to view this monitoring case.".into()));
    }
    let policy = format!("access under policy {}", decision.policies.join(", "));
    let why = match purpose.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => format!("{p} ({policy})"),
        None => policy,
    };
    state
        .log_view(
            user,
            AuditEntry::new("monitoring.case.view", format!("monitoring_case:{id}")).clause("5.3").justification(why),
        )
        .await?;
    Ok(c)
}

/// The signed-in person's own open cases (WP034 5.4), for their home page and navigation: what
/// they are asked to do. Reading one's own case is not a view of someone else's personal data,
/// so it is not logged (the case page, which shows its record, is).
pub async fn my_open_cases(state: &AppState, user: &CurrentUser) -> Result<Vec<MonitoringCase>, AppError> {
    let filter = CaseFilter { dmi_or_person: Some(user.id()), ..CaseFilter::default() };
    let mut list = state.store().monitoring_cases(&filter).await?;
    list.retain(|c| {
        c.person_id == user.id()
            && !c.state.stage.is_closed()
            && state.allows(user, Action::MonitoringCasesView, &case_resource(c))
    });
    Ok(list)
}

/// The person selected asks for another date (WP034 5.4: consulted on availability): the case's
/// one deferral, to a time within the round's published window, with the reason. Only the person
/// (and PSD) may answer for the case (`monitoring.cases.respond`); the step is audited with its
/// clause like every other.
pub async fn request_deferral(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    to: OffsetDateTime,
    reason: &str,
) -> Result<MonitoringCase, AppError> {
    take_step(state, user, id, StepInput::Defer { to, reason: reason.to_string() }).await
}

async fn load_case(state: &AppState, id: Uuid) -> Result<MonitoringCase, AppError> {
    state
        .store()
        .monitoring_case(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("No monitoring case with id {id}.")))
}

/// The full record of a case for the custody report and the JSON export: the case, its signed
/// steps and their audit events. Viewing it is logged.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CaseRecord {
    pub case: MonitoringCase,
    pub steps: Vec<CaseStepRecord>,
    /// Every audit event about the case, with its Merkle leaf hash (prove with `custodian audit
    /// prove EVENT_ID`).
    pub audit_events: Vec<AuditEvent>,
    #[serde(with = "time::serde::rfc3339")]
    pub generated_at: OffsetDateTime,
    pub generated_by: String,
}

/// The record behind the custody report and export (WP034 5.4).
pub async fn case_record(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    purpose: &str,
) -> Result<CaseRecord, AppError> {
    let case = view_case(state, user, id, Some(purpose)).await?;
    let steps = state.store().monitoring_case_steps(id).await?;
    let audit_events = state.store().audit_page(Some(&format!("monitoring_case:{id}")), None, 1, 1000).await?.items;
    Ok(CaseRecord {
        case,
        steps,
        audit_events,
        generated_at: state.now(),
        generated_by: {
            // Who generated it, in words, and how: in the browser or with an API token.
            let who = crate::web::display::person(&user.person.name, &user.person.staff_number);
            if user.actor.label.starts_with("token:") { format!("{who}, using an API token") } else { who }
        },
    })
}

/// A step as a person enters it: staff numbers and asset tags rather than ids.
#[derive(Debug, Clone)]
pub enum StepInput {
    ProposeSlot {
        slot: OffsetDateTime,
    },
    Accept,
    Defer {
        to: OffsetDateTime,
        reason: String,
    },
    Refuse {
        reason: String,
    },
    AssignDmi {
        staff_number: String,
    },
    Mandate {
        deadline: OffsetDateTime,
    },
    HandOver {
        asset_tags: Vec<String>,
        full_access_confirmed: bool,
        handed_by: Option<String>,
    },
    Download {
        tool: String,
        tool_version: String,
        extractions: Vec<(String, String)>,
        started: OffsetDateTime,
        ended: OffsetDateTime,
    },
    Examine {
        concerns: Option<String>,
    },
    Return {
        received_by: Option<String>,
    },
    FailureToProvide,
    Withdraw {
        reason: String,
    },
}

async fn device_id(state: &AppState, tag: &str) -> Result<Uuid, AppError> {
    let tag = tag.trim();
    Ok(state
        .store()
        .device_by_asset_tag(tag)
        .await?
        .ok_or_else(|| AppError::invalid("devices", format!("no device has asset tag {tag}")))?
        .id)
}

async fn resolve(state: &AppState, user: &CurrentUser, c: &MonitoringCase, input: StepInput) -> Result<Step, AppError> {
    Ok(match input {
        StepInput::ProposeSlot { slot } => Step::ProposeSlot { slot },
        StepInput::Accept => Step::Accept,
        StepInput::Defer { to, reason } => Step::Defer { to, reason },
        StepInput::Refuse { reason } => Step::Refuse { reason },
        StepInput::AssignDmi { staff_number } => {
            let sn = staff_number.trim();
            let p = state
                .store()
                .person_by_staff_number(sn)
                .await?
                .ok_or_else(|| AppError::invalid("staff_number", format!("No person has staff number {sn}")))?;
            Step::AssignDmi { dmi: p.id }
        }
        StepInput::Mandate { deadline } => Step::Mandate { deadline, devices: Vec::new() },
        StepInput::HandOver { asset_tags, full_access_confirmed, handed_by } => {
            let mut devices = Vec::with_capacity(asset_tags.len());
            for t in &asset_tags {
                devices.push(device_id(state, t).await?);
            }
            let handed_by = handed_by
                .map(|h| h.trim().to_string())
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| c.staff_number.clone());
            Step::HandOver { devices, full_access_confirmed, handed_by, received_by: user.id() }
        }
        StepInput::Download { tool, tool_version, extractions, started, ended } => {
            let mut out = Vec::with_capacity(extractions.len());
            for (tag, sha256) in extractions {
                out.push(Extraction {
                    device: device_id(state, &tag).await?,
                    sha256: sha256.trim().to_ascii_lowercase(),
                });
            }
            Step::Download {
                tool: tool.trim().to_string(),
                tool_version: tool_version.trim().to_string(),
                extractions: out,
                started,
                ended,
            }
        }
        StepInput::Examine { concerns } => Step::Examine { concerns },
        StepInput::Return { received_by } => Step::Return {
            received_by: received_by
                .map(|h| h.trim().to_string())
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| c.staff_number.clone()),
        },
        StepInput::FailureToProvide => Step::FailureToProvide,
        StepInput::Withdraw { reason } => Step::Withdraw { reason },
    })
}

/// The permission a step needs: custody steps are the assigned DMI's, answers on availability
/// the person's own, everything else PSD's (WP034 5.4).
pub fn action_for(step: &Step) -> Action {
    if step.is_custody() {
        Action::MonitoringCasesCustody
    } else if step.is_response() {
        Action::MonitoringCasesRespond
    } else {
        Action::MonitoringCasesManage
    }
}

/// Take a step on a case, signed by the user (WP034 5.4, 5.5).
pub async fn take_step(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    input: StepInput,
) -> Result<MonitoringCase, AppError> {
    let c = load_case(state, id).await?;
    let step = resolve(state, user, &c, input).await?;
    state.require(user, action_for(&step), &case_resource(&c))?;
    Ok(state.store().monitoring_step(id, &step, user.actor.at(state.now())).await?)
}

/// Round progress by stage, overdue steps and referrals opened.
pub async fn dashboard(state: &AppState, user: &CurrentUser) -> Result<MonitoringCounts, AppError> {
    state.require(user, Action::MonitoringRoundsView, &Resource::System)?;
    sweep(state).await?;
    Ok(state.store().monitoring_counts(state.now()).await?)
}

// ---- the printable custody report -----------------------------------------------------------

/// One row of the custody report.
#[derive(Debug, Clone)]
struct ReportStep {
    at: String,
    step: String,
    actor: String,
    clause: String,
    details: Vec<(String, String)>,
    audit_seq: i64,
    leaf_hash: String,
}

#[derive(Debug, Clone)]
struct ReportView {
    round_name: String,
    case_id: String,
    person_name: String,
    staff_number: String,
    business_area: String,
    stage: String,
    dmi: String,
    devices: String,
    deadline: String,
    referrals: String,
    clause_54: String,
    clause_55: String,
    generated_at: String,
    generated_by: String,
    steps: Vec<ReportStep>,
}

#[derive(askama::Template)]
#[template(path = "monitoring/monitoring_report.html")]
struct ReportPage {
    r: ReportView,
}

/// A moment of the report in words on London's clocks, to the second (custody is timed).
fn rfc3339(t: OffsetDateTime) -> String {
    crate::web::display::time_words_seconds(t)
}

/// A step's details as (label, words), leaving out identifiers and nested records.
fn flatten(v: &serde_json::Value) -> Vec<(String, String)> {
    match v {
        serde_json::Value::Object(m) => m
            .iter()
            .filter(|(k, _)| k.as_str() != "step" && k.as_str() != "id" && !k.ends_with("_id"))
            .filter_map(|(k, v)| {
                let words = match v {
                    serde_json::Value::Array(a) if a.is_empty() => Some("none".into()),
                    other => crate::web::display::value_words(other),
                };
                words.map(|w| (crate::web::form_errors::humanise(k), w))
            })
            .collect(),
        serde_json::Value::Null => Vec::new(),
        other => crate::web::display::value_words(other).map(|w| vec![("Value".into(), w)]).unwrap_or_default(),
    }
}

/// Render the printable custody report (WP034 5.4): HTML-escaped by the template engine.
pub fn render_report(rec: &CaseRecord) -> Result<String, askama::Error> {
    use askama::Template;
    let c = &rec.case;
    let clause = |id: &str| custodian_domain::policy::clause(id).map(|c| c.text().into_owned()).unwrap_or_default();
    let leaf =
        |seq: i64| rec.audit_events.iter().find(|e| e.seq == seq).map(|e| e.leaf_hash.clone()).unwrap_or_default();
    let r = ReportView {
        round_name: c.round_name.clone(),
        // The case's reference: the random end of its identifier, enough to match a printout.
        case_id: c.id.simple().to_string().chars().skip(20).collect(),
        person_name: c.person_name.clone(),
        staff_number: c.staff_number.clone(),
        business_area: c.business_area.clone(),
        stage: c.state.stage.label().to_string(),
        dmi: match (&c.dmi_name, &c.dmi_staff_number) {
            (Some(n), Some(s)) => format!("{n} ({s})"),
            _ => "not yet assigned".into(),
        },
        devices: if c.device_tags.is_empty() { "none yet (no notice issued)".into() } else { c.device_tags.join(", ") },
        deadline: c.state.deadline.map_or_else(|| "none".to_string(), rfc3339),
        referrals: if c.referrals.is_empty() {
            "none".into()
        } else {
            c.referrals
                .iter()
                .map(|x| format!("{}: {} ({})", x.kind.label(), x.summary, rfc3339(x.opened_at)))
                .collect::<Vec<_>>()
                .join("; ")
        },
        clause_54: clause("5.4"),
        clause_55: clause("5.5"),
        generated_at: rfc3339(rec.generated_at),
        generated_by: rec.generated_by.clone(),
        steps: rec
            .steps
            .iter()
            .map(|s| ReportStep {
                at: rfc3339(s.at),
                step: custodian_domain::monitoring::Step::label_of(&s.step)
                    .map_or_else(|| crate::web::form_errors::humanise(&s.step), str::to_string),
                actor: match &s.signed_by {
                    // How it was signed matters to custody: in the browser, or with an API token.
                    Some(p) if s.actor.starts_with("token:") => format!("{p}, using an API token"),
                    Some(p) => p.clone(),
                    None => crate::web::display::actor(&s.actor, |_| None),
                },
                clause: s.clause.clone(),
                details: flatten(&s.detail),
                audit_seq: s.audit_seq,
                leaf_hash: leaf(s.audit_seq),
            })
            .collect(),
    };
    ReportPage { r }.render()
}
