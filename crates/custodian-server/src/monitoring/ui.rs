//! Lawful business monitoring pages (WP034 3.3, 5.3-5.5): PSD's dashboard and rounds, the draw,
//! and each case with the steps its viewer may take. Every form posts to the same use cases as
//! the API and works without JavaScript.

use std::collections::BTreeMap;

use crate::routing::{Routes, get, post};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use custodian_authz::{Action, Resource};
use custodian_domain::monitoring::Stage;
use custodian_store::monitoring::{MonitoringCase, Round};
use serde::Deserialize;
use time::{OffsetDateTime, PrimitiveDateTime};
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::monitoring::{self as uc, StepInput, case_resource};
use crate::state::AppState;
use crate::web::UiResult;
use crate::web::csrf::CsrfForm;
use crate::web::{ClauseView, Layout, chart, clause_view, fmt_time, layout, page, render};

pub fn routes() -> Routes {
    Routes::new()
        .route("/monitoring", get(dashboard))
        .route("/monitoring/rounds", post(create_round))
        .route("/monitoring/rounds/{id}", get(round))
        .route("/monitoring/rounds/{id}/exclusions", post(exclude))
        .route("/monitoring/rounds/{id}/draw", post(draw))
        .route("/monitoring/cases/{id}", get(case))
        .route("/monitoring/cases/{id}/steps", post(take_step))
}

/// A `datetime-local` field, read as UTC (the form says so).
fn parse_local(field: &'static str, v: Option<&String>) -> Result<OffsetDateTime, AppError> {
    let v = v
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| AppError::invalid(field, "Enter a date and time"))?;
    let minutes = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let seconds = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    PrimitiveDateTime::parse(v, minutes)
        .or_else(|_| PrimitiveDateTime::parse(v, seconds))
        .map(PrimitiveDateTime::assume_utc)
        .map_err(|_| AppError::invalid(field, "Enter a date and time like 2026-03-02T09:30"))
}

fn stage_class(s: Stage) -> &'static str {
    match s {
        Stage::Selected | Stage::Consulted => "govuk-tag--blue",
        Stage::Mandated => "govuk-tag--yellow",
        Stage::HandedOver | Stage::Downloaded | Stage::Examined => "govuk-tag--purple",
        Stage::Returned => "govuk-tag--green",
        Stage::Withdrawn => "govuk-tag--grey",
    }
}

struct CaseRow {
    id: Uuid,
    round_name: String,
    person: String,
    business_area: String,
    stage: String,
    stage_class: String,
    deadline: String,
    overdue: bool,
    referrals: usize,
}

fn case_row(c: &MonitoringCase, now: OffsetDateTime) -> CaseRow {
    CaseRow {
        id: c.id,
        round_name: c.round_name.clone(),
        person: format!("{} ({})", c.person_name, c.staff_number),
        business_area: c.business_area.clone(),
        stage: c.state.stage.label().into(),
        stage_class: stage_class(c.state.stage).into(),
        deadline: c.state.deadline.map(fmt_time).unwrap_or_default(),
        overdue: c.state.stage == Stage::Mandated && c.state.deadline.is_some_and(|d| now > d),
        referrals: c.referrals.len(),
    }
}

struct RoundRow {
    id: Uuid,
    name: String,
    status: String,
    population: i64,
    excluded: i64,
    created: String,
}

fn round_row(r: &Round) -> RoundRow {
    RoundRow {
        id: r.id,
        name: r.name.clone(),
        status: r.status.as_str().into(),
        population: r.population(),
        excluded: r.excluded(),
        created: fmt_time(r.created_at),
    }
}

struct AreaChoice {
    name: String,
    people: i64,
}

// ----- Dashboard -----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "monitoring/monitoring.html")]
struct DashboardPage {
    layout: Layout,
    can_view_rounds: bool,
    can_manage: bool,
    rounds: Vec<RoundRow>,
    cases: Vec<CaseRow>,
    stage_chart: String,
    stage_rows: Vec<(String, i64)>,
    overdue: i64,
    referrals: Vec<(String, i64)>,
    areas: Vec<AreaChoice>,
    c33: ClauseView,
    c54: ClauseView,
}
page!(DashboardPage);

/// The programme at a glance: round progress by stage, overdue steps and referrals (with a
/// chart), rounds, and the cases the viewer may see.
pub async fn dashboard(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    let can_view_rounds = state.allows(&user, Action::MonitoringRoundsView, &Resource::System);
    let can_manage = state.allows(&user, Action::MonitoringRoundsManage, &Resource::System);
    let now = state.now();
    let cases = uc::cases(&state, &user, None, None).await?;
    let (rounds, stage_rows, overdue, referrals) = if can_view_rounds {
        let counts = uc::dashboard(&state, &user).await?;
        let rows: Vec<(String, i64)> = counts
            .by_stage
            .iter()
            .map(|(s, n)| (Stage::parse(s).map_or_else(|| s.clone(), |s| s.label().to_string()), *n))
            .collect();
        let refs = counts
            .referrals
            .iter()
            .map(|(k, n)| {
                (
                    custodian_domain::monitoring::ReferralKind::parse(k)
                        .map_or_else(|| k.clone(), |k| k.label().to_string()),
                    *n,
                )
            })
            .collect();
        (uc::rounds(&state, &user).await?, rows, counts.overdue, refs)
    } else {
        (Vec::new(), Vec::new(), 0, Vec::new())
    };
    let areas = if can_manage {
        state
            .store()
            .business_areas()
            .await?
            .into_iter()
            .map(|a| AreaChoice { name: a.name, people: a.people })
            .collect()
    } else {
        Vec::new()
    };
    Ok(render(&DashboardPage {
        layout: layout(&state, Some(&user), "Monitoring", "/monitoring"),
        can_view_rounds,
        can_manage,
        rounds: rounds.iter().map(round_row).collect(),
        cases: cases.iter().map(|c| case_row(c, now)).collect(),
        stage_chart: chart::bars("Cases by stage", &stage_rows),
        stage_rows,
        overdue,
        referrals,
        areas,
        c33: clause_view("3.3"),
        c54: clause_view("5.4"),
    }))
}

/// A field's value when it holds more than white space.
fn given(v: &Option<String>) -> Option<&String> {
    v.as_ref().filter(|v| !v.trim().is_empty())
}

/// A new monitoring round (WP034 5.3, 5.4): its name, the business areas to sample (checkboxes
/// named `area_N`), how many people per area, the commitment shown to them and the deferral
/// allowed.
#[derive(Deserialize)]
pub struct RoundForm {
    #[serde(default)]
    name: String,
    sample_size: Option<String>,
    deferral_days: Option<String>,
    #[serde(default)]
    commitment: String,
    /// The ticked `area_N` checkboxes, among the form's other fields.
    #[serde(flatten)]
    rest: BTreeMap<String, String>,
}

/// Create a round from the dashboard's form; areas are checkboxes named `area_N`.
pub async fn create_round(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<RoundForm>,
) -> UiResult<Response> {
    let mut areas: Vec<(usize, String)> = f
        .rest
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("area_").and_then(|n| n.parse().ok()).map(|n: usize| (n, v.clone())))
        .collect();
    areas.sort();
    let sample_size = given(&f.sample_size)
        .map(|v| v.trim().parse::<u32>())
        .transpose()
        .map_err(|_| AppError::invalid("sample_size", "Enter a whole number of people per area"))?
        .ok_or_else(|| AppError::invalid("sample_size", "Enter how many people to select per area"))?;
    let deferral_days = given(&f.deferral_days)
        .map(|v| v.trim().parse::<u32>())
        .transpose()
        .map_err(|_| AppError::invalid("deferral_days", "Enter a whole number of days"))?;
    let input = uc::RoundInput {
        name: f.name,
        areas: areas.into_iter().map(|(_, a)| a).collect(),
        sample_size,
        commitment: f.commitment,
        deferral_days,
    };
    let r = uc::create_round(&state, &user, &input).await?;
    Ok(Redirect::to(&format!("/monitoring/rounds/{}", r.id)).into_response())
}

// ----- A round -------------------------------------------------------------------------------

struct Selection {
    area: String,
    sample_size: u32,
    selected: String,
    reserve: String,
}

#[derive(Template)]
#[template(path = "monitoring/monitoring_round.html")]
struct RoundPage {
    layout: Layout,
    r: RoundRow,
    commitment: String,
    deferral_days: u32,
    open: bool,
    can_manage: bool,
    /// Sees who was selected and excluded, and the bundle (PSD and the auditor, not a DMI).
    can_bundle: bool,
    beacon: String,
    secret: String,
    seed: String,
    population_hash: String,
    drawn: String,
    areas: Vec<AreaLine>,
    exclusions: Vec<(String, String, String, String)>,
    selections: Vec<Selection>,
    cases: Vec<CaseRow>,
    c54: ClauseView,
}
page!(RoundPage);

struct AreaLine {
    name: String,
    sample_size: u32,
    population: i64,
    excluded: i64,
}

pub async fn round(State(state): State<AppState>, user: CurrentUser, Path(id): Path<Uuid>) -> UiResult<Response> {
    let (r, exclusions) = uc::round(&state, &user, id).await?;
    let now = state.now();
    let can_bundle = state.allows(&user, Action::MonitoringRoundsBundle, &Resource::System);
    let exclusions = exclusions.unwrap_or_default();
    let selections = if r.seed.is_some() && can_bundle {
        let b = uc::bundle(&state, &user, id).await?;
        b.sample_sizes
            .iter()
            .map(|(area, k)| Selection {
                area: area.clone(),
                sample_size: *k,
                selected: b.selected.get(area).map(|v| v.join(", ")).unwrap_or_default(),
                reserve: b.reserve.get(area).map(|v| v.join(", ")).unwrap_or_default(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let cases = if r.seed.is_some() { uc::cases(&state, &user, Some(id), None).await? } else { Vec::new() };
    Ok(render(&RoundPage {
        layout: layout(&state, Some(&user), &r.name, "/monitoring"),
        r: round_row(&r),
        commitment: r.commitment.clone(),
        deferral_days: r.rules.deferral_days,
        open: r.seed.is_none(),
        can_manage: state.allows(&user, Action::MonitoringRoundsManage, &Resource::System),
        can_bundle,
        beacon: r.beacon.clone().unwrap_or_default(),
        secret: r.secret.clone().unwrap_or_default(),
        seed: r.seed.clone().unwrap_or_default(),
        population_hash: r.population_hash.clone().unwrap_or_default(),
        drawn: r.drawn_at.map(fmt_time).unwrap_or_default(),
        areas: r
            .areas
            .iter()
            .map(|a| AreaLine {
                name: a.business_area.clone(),
                sample_size: a.sample_size,
                population: a.population,
                excluded: a.excluded,
            })
            .collect(),
        exclusions: exclusions
            .iter()
            .map(|e| (e.staff_number.clone(), e.business_area.clone(), e.reason.clone(), fmt_time(e.at)))
            .collect(),
        selections,
        cases: cases.iter().map(|c| case_row(c, now)).collect(),
        c54: clause_view("5.4"),
    }))
}

#[derive(Deserialize)]
pub struct ExclusionForm {
    staff_number: String,
    reason: String,
}

pub async fn exclude(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<ExclusionForm>,
) -> UiResult<Response> {
    uc::exclude(&state, &user, id, &f.staff_number, &f.reason).await?;
    Ok(Redirect::to(&format!("/monitoring/rounds/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct DrawForm {
    beacon: String,
    secret: String,
}

pub async fn draw(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<DrawForm>,
) -> UiResult<Response> {
    uc::draw(&state, &user, id, &f.beacon, &f.secret).await?;
    Ok(Redirect::to(&format!("/monitoring/rounds/{id}")).into_response())
}

// ----- A case --------------------------------------------------------------------------------

struct StepRow {
    at: String,
    step: String,
    signed_by: String,
    clause: String,
    details: String,
}

#[derive(Template)]
#[template(path = "monitoring/monitoring_case.html")]
struct CasePage {
    layout: Layout,
    c: CaseRow,
    round_id: Uuid,
    slot: String,
    deferred: bool,
    deferral_days: u32,
    dmi: String,
    devices: Vec<String>,
    referrals: Vec<(String, String, String)>,
    steps: Vec<StepRow>,
    /// The steps this viewer may take now, by name.
    can: Vec<&'static str>,
    c54: ClauseView,
    c55: ClauseView,
    c53: ClauseView,
}
page!(CasePage);

impl CasePage {
    fn may(&self, step: &str) -> bool {
        self.can.contains(&step)
    }
}

/// Which step forms to offer: those the stage allows and the policies permit this viewer.
fn offered(state: &AppState, user: &CurrentUser, c: &MonitoringCase) -> Vec<&'static str> {
    let r = case_resource(c);
    let manage = state.allows(user, Action::MonitoringCasesManage, &r);
    let respond = state.allows(user, Action::MonitoringCasesRespond, &r);
    let custody = state.allows(user, Action::MonitoringCasesCustody, &r);
    let s = &c.state;
    let mut out = Vec::new();
    let mut offer = |ok: bool, name: &'static str| {
        if ok {
            out.push(name);
        }
    };
    offer(manage && s.stage == Stage::Selected, "propose_slot");
    offer(respond && s.stage == Stage::Selected && s.slot.is_some(), "accept");
    offer(respond && matches!(s.stage, Stage::Selected | Stage::Consulted) && s.slot.is_some() && !s.deferred, "defer");
    offer(respond && s.stage == Stage::Selected, "refuse");
    offer(manage && !s.stage.is_closed() && !s.stage.holds_devices(), "assign_dmi");
    offer(manage && s.stage == Stage::Consulted, "mandate");
    offer(custody && s.stage == Stage::Mandated, "hand_over");
    offer(custody && s.stage == Stage::HandedOver, "download");
    offer(custody && s.stage == Stage::Downloaded, "examine");
    offer(custody && s.stage == Stage::Examined, "return");
    offer(manage && matches!(s.stage, Stage::Selected | Stage::Consulted | Stage::Mandated), "withdraw");
    out
}

#[derive(Deserialize, Default)]
pub struct CaseQuery {
    purpose: Option<String>,
}

pub async fn case(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Query(q): Query<CaseQuery>,
) -> UiResult<Response> {
    let c = uc::view_case(&state, &user, id, q.purpose.as_deref().or(Some("case page"))).await?;
    let steps = state.store().monitoring_case_steps(id).await?;
    let now = state.now();
    let signers = crate::web::display::actors_in_words(
        &state,
        &steps.iter().map(|s| s.signed_by.clone().unwrap_or_else(|| s.actor.clone())).collect::<Vec<_>>(),
    )
    .await;
    Ok(render(&CasePage {
        layout: layout(&state, Some(&user), &format!("Monitoring case: {}", c.staff_number), "/monitoring"),
        round_id: c.round_id,
        slot: c.state.slot.map(fmt_time).unwrap_or_default(),
        deferred: c.state.deferred,
        deferral_days: c.rules.deferral_days,
        dmi: match (&c.dmi_name, &c.dmi_staff_number) {
            (Some(n), Some(s)) => format!("{n} ({s})"),
            _ => String::new(),
        },
        devices: c.device_tags.clone(),
        referrals: c
            .referrals
            .iter()
            .map(|r| (r.kind.label().to_string(), r.summary.clone(), fmt_time(r.opened_at)))
            .collect(),
        steps: steps
            .iter()
            .zip(signers)
            .map(|(s, signed_by)| StepRow {
                at: fmt_time(s.at),
                step: custodian_domain::monitoring::Step::label_of(&s.step)
                    .map_or_else(|| crate::web::form_errors::humanise(&s.step), str::to_string),
                signed_by,
                clause: s.clause.clone(),
                details: crate::web::display::details_words(&s.detail, &["step"]),
            })
            .collect(),
        can: offered(&state, &user, &c),
        c: case_row(&c, now),
        c54: clause_view("5.4"),
        c55: clause_view("5.5"),
        c53: clause_view("5.3"),
    }))
}

/// One form for every step of a monitoring case (WP034 5.3 to 5.6): `step` names it, the other
/// fields are the step's, so each is optional here and required by its step.
#[derive(Deserialize)]
pub struct StepForm {
    step: Option<String>,
    slot: Option<String>,
    to: Option<String>,
    reason: Option<String>,
    staff_number: Option<String>,
    deadline: Option<String>,
    devices: Option<String>,
    full_access_confirmed: Option<String>,
    handed_by: Option<String>,
    tool: Option<String>,
    tool_version: Option<String>,
    extractions: Option<String>,
    started: Option<String>,
    ended: Option<String>,
    outcome: Option<String>,
    summary: Option<String>,
    received_by: Option<String>,
}

/// One form for every step: `step` names it, the other fields are the step's.
pub async fn take_step(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<StepForm>,
) -> UiResult<Response> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let input =
        match f.step.as_deref().unwrap_or("") {
            "propose_slot" => StepInput::ProposeSlot { slot: parse_local("slot", f.slot.as_ref())? },
            "accept" => StepInput::Accept,
            "defer" => StepInput::Defer { to: parse_local("to", f.to.as_ref())?, reason: text(&f.reason) },
            "refuse" => StepInput::Refuse { reason: text(&f.reason) },
            "assign_dmi" => StepInput::AssignDmi { staff_number: text(&f.staff_number) },
            "mandate" => StepInput::Mandate { deadline: parse_local("deadline", f.deadline.as_ref())? },
            "hand_over" => StepInput::HandOver {
                asset_tags: text(&f.devices)
                    .split([',', '\n', ' '])
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
                    .collect(),
                full_access_confirmed: f.full_access_confirmed.as_ref().is_some_and(|v| v == "yes"),
                handed_by: given(&f.handed_by).cloned(),
            },
            "download" => {
                let mut extractions = Vec::new();
                for line in text(&f.extractions).lines().map(str::trim).filter(|l| !l.is_empty()) {
                    let (tag, sha) = line.split_once([' ', ',', '\t']).ok_or_else(|| {
                        AppError::invalid("extractions", "Give one line per device: asset tag, then the SHA-256")
                    })?;
                    extractions.push((tag.trim().to_string(), sha.trim().to_string()));
                }
                StepInput::Download {
                    tool: text(&f.tool),
                    tool_version: text(&f.tool_version),
                    extractions,
                    started: parse_local("started", f.started.as_ref())?,
                    ended: parse_local("ended", f.ended.as_ref())?,
                }
            }
            "examine" => match f.outcome.as_deref() {
                Some("no_concerns") => StepInput::Examine { concerns: None },
                Some("concerns_identified") => StepInput::Examine {
                    concerns: Some(given(&f.summary).cloned().ok_or_else(|| {
                        AppError::invalid("summary", "Summarise the concerns identified (WP034 5.5)")
                    })?),
                },
                _ => return Err(AppError::invalid("outcome", "Choose whether concerns were identified").into()),
            },
            "return" => StepInput::Return { received_by: given(&f.received_by).cloned() },
            "withdraw" => StepInput::Withdraw { reason: text(&f.reason) },
            other => return Err(AppError::invalid("step", format!("{other:?} is not a step")).into()),
        };
    uc::take_step(&state, &user, id, input).await?;
    Ok(Redirect::to(&format!("/monitoring/cases/{id}")).into_response())
}
