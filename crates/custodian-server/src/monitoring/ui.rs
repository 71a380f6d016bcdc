//! Lawful business monitoring pages (WP034 3.3, 5.3-5.5): PSD's dashboard and rounds, the draw,
//! and each case with the steps its viewer may take. Every form posts to the same use cases as
//! the API and works without JavaScript.

use std::collections::BTreeMap;

use crate::routing::{Routes, get, post};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use custodian_authz::{Action, Resource};
use custodian_domain::monitoring::Stage;
use custodian_store::monitoring::{MonitoringCase, Round};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::error::FieldProblem;
use crate::monitoring::guide::{self, Guidance};
use crate::monitoring::{self as uc, StepInput, case_resource};
use crate::state::AppState;
use crate::web::UiResult;
use crate::web::csrf::CsrfForm;
use crate::web::date_input::{DateField, Parts, When, parse_moment};
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
        .route("/monitoring/cases/{id}/defer", get(defer_page).post(defer))
}

/// A `datetime-local` field, read as UTC (the form says so).
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
        stage_chart: chart::Bars {
            title: "Cases by stage",
            label_heading: "Stage",
            value_heading: "Cases",
            empty: "No monitoring cases in this period: no round has been drawn yet.",
        }
        .render(&stage_rows),
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
    /// The exclusion's person chooser offers the people of the round's areas (`round:ID`).
    among: String,
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
        among: format!("round:{id}"),
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
    let among = crate::people::Among::Round(id);
    let sn =
        crate::people::chosen_staff_number(&state, &user, "staff_number", "the person", &f.staff_number, among, true)
            .await?;
    uc::exclude(&state, &user, id, &sn, &f.reason).await?;
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
    /// The viewer is the person selected: the page leads with what they must do, in words.
    is_subject: bool,
    guide: Option<Guidance>,
}
page!(CasePage);

impl CasePage {
    fn may(&self, step: &str) -> bool {
        self.can.contains(&step)
    }

    /// A step form's moment: the GOV.UK date input with a time on London's clocks, its ids
    /// starting `step-{name}` (the person's own card may have a field of the same name).
    fn moment(&self, name: &str, legend: &str) -> DateField {
        DateField::moment(name, legend, "").with_id(&format!("step-{name}"))
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
    let is_subject = c.person_id == user.id();
    let mut row = case_row(&c, now);
    row.deadline = c.state.deadline.map(guide::in_words).unwrap_or_default();
    Ok(render(&CasePage {
        layout: layout(
            &state,
            Some(&user),
            &if is_subject { "Your device check".to_string() } else { format!("Monitoring case: {}", c.staff_number) },
            "/monitoring",
        ),
        round_id: c.round_id,
        slot: c.state.slot.map(guide::in_words).unwrap_or_default(),
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
            .map(|r| (r.kind.label().to_string(), r.summary.clone(), guide::in_words(r.opened_at)))
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
                // A step's own record: its times in words, not as stored.
                details: step_words(&s.detail)
                    .unwrap_or_else(|| crate::web::display::details_words(&s.detail, &["step"])),
            })
            .collect(),
        can: offered(&state, &user, &c),
        c: row,
        c54: clause_view("5.4"),
        c55: clause_view("5.5"),
        c53: clause_view("5.3"),
        guide: if is_subject { guide::guidance(&c, now) } else { None },
        is_subject,
    }))
}

/// A step's stored detail in words, where it is a step the domain knows: times in Europe/London
/// in words rather than stored tuples, people's answers as given.
fn step_words(detail: &serde_json::Value) -> Option<String> {
    use custodian_domain::monitoring::Step;
    let step: Step = serde_json::from_value(detail.clone()).ok()?;
    Some(match step {
        Step::ProposeSlot { slot } => format!("time proposed: {}", guide::in_words(slot)),
        Step::Accept => "time accepted".into(),
        Step::Defer { to, reason } => format!("moved to {} because: {reason}", guide::in_words(to)),
        Step::Refuse { reason } => format!("declined because: {reason}"),
        Step::Mandate { deadline, devices } => {
            format!("hand over by {} ({} device{})", guide::in_words(deadline), devices.len(), plural(devices.len()))
        }
        Step::Download { tool, tool_version, extractions, started, ended } => format!(
            "{tool} {tool_version}, {} extraction{}, from {} to {}",
            extractions.len(),
            plural(extractions.len()),
            guide::in_words(started),
            guide::in_words(ended)
        ),
        Step::Examine { concerns: None } => "no concerns".into(),
        Step::Examine { concerns: Some(c) } => format!("concerns: {c}"),
        Step::Withdraw { reason } => format!("withdrawn because: {reason}"),
        Step::FailureToProvide => "devices not handed over by the deadline".into(),
        Step::AssignDmi { .. } | Step::HandOver { .. } | Step::Return { .. } => return None,
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

// ----- Asking for another date (WP034 5.4) -----------------------------------------------------

#[derive(Template)]
#[template(path = "monitoring/monitoring_defer.html")]
struct DeferPage {
    layout: Layout,
    case_id: Uuid,
    round_name: String,
    current: String,
    help: String,
    can_defer: bool,
    to: DateField,
    reason: String,
    reason_error: String,
    errors: Vec<FieldProblem>,
    c54: ClauseView,
}
page!(DeferPage);

/// The deferral form: the new moment `to` (`to-day`, `to-month`, `to-year`, `to-time`, London
/// time) and the `reason`.
#[derive(Default)]
pub struct DeferForm {
    to: Parts,
    reason: String,
}

/// The person's own case, for the deferral page and form: viewing it needs the right to answer
/// for the case (the person selected, or PSD).
async fn case_to_answer(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<MonitoringCase, AppError> {
    let c = state
        .store()
        .monitoring_case(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("No monitoring case with id {id}.")))?;
    state.require(user, Action::MonitoringCasesRespond, &case_resource(&c))?;
    Ok(c)
}

fn defer_view(
    state: &AppState,
    user: &CurrentUser,
    c: &MonitoringCase,
    form: DeferForm,
    errors: Vec<FieldProblem>,
) -> Response {
    let g = guide::guidance(c, state.now());
    let can_defer = g.as_ref().is_some_and(|g| g.can_defer);
    // Without the form on the page, an error names no field to link to.
    let errors: Vec<FieldProblem> = errors
        .into_iter()
        .map(|mut e| {
            if !can_defer {
                e.field = None;
            }
            e
        })
        .collect();
    let error_for = |f: &str| {
        errors.iter().filter(|e| e.field.as_deref() == Some(f)).map(|e| e.message.clone()).collect::<Vec<_>>().join(" ")
    };
    let page = DeferPage {
        layout: layout(state, Some(user), "Ask for another date", "/monitoring"),
        case_id: c.id,
        round_name: c.round_name.clone(),
        current: c.state.slot.map(guide::in_words).unwrap_or_else(|| "not yet proposed".into()),
        help: g.as_ref().map(|g| g.defer_help.clone()).unwrap_or_else(|| "This case is over.".into()),
        can_defer,
        to: DateField::moment(
            "to",
            "New date and time",
            &defer_hint(g.as_ref().and_then(|g| g.defer_latest.as_deref())),
        )
        .filled(&form.to, &errors),
        reason: form.reason,
        reason_error: error_for("reason"),
        errors,
        c54: clause_view("5.4"),
    };
    let status = if page.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    (status, render(&page)).into_response()
}

/// The deferral page: what was proposed, the latest date allowed, and the form.
pub async fn defer_page(State(state): State<AppState>, user: CurrentUser, Path(id): Path<Uuid>) -> UiResult<Response> {
    let c = case_to_answer(&state, &user, id).await?;
    Ok(defer_view(&state, &user, &c, DeferForm::default(), Vec::new()))
}

/// Ask for another date: the case's one deferral (WP034 5.4), audited as the case's `defer`
/// step. Bad input re-renders the page with the error summary and what was typed.
pub async fn defer(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> UiResult<Response> {
    let c = case_to_answer(&state, &user, id).await?;
    let f = DeferForm {
        to: Parts::read(&pairs, "to"),
        reason: pairs.iter().find(|(k, _)| k == "reason").map(|(_, v)| v.clone()).unwrap_or_default(),
    };
    let mut errors: Vec<FieldProblem> = Vec::new();
    let problem =
        |field: &str, message: &str| FieldProblem { field: Some(field.into()), line: None, message: message.into() };
    let to = if f.to.is_empty() {
        errors.push(problem("to-day", "Enter the date and time you can hand over your devices"));
        None
    } else {
        parse_moment("to", "The new date", &f.to, When::Future, state.now()).map_err(|p| errors.push(p.into())).ok()
    };
    if f.reason.trim().is_empty() {
        errors.push(problem("reason", "Say why the time proposed is not possible"));
    }
    let Some(to) = to.filter(|_| errors.is_empty()) else {
        return Ok(defer_view(&state, &user, &c, f, errors));
    };
    match uc::request_deferral(&state, &user, id, to, &f.reason).await {
        Ok(_) => Ok(Redirect::to(&format!("/monitoring/cases/{id}")).into_response()),
        Err(AppError::Invalid { errors, .. }) => {
            let errors = errors
                .into_iter()
                .map(|mut e| {
                    if e.field.as_deref() != Some("reason") {
                        e.field = Some("to-day".into());
                    }
                    e
                })
                .collect();
            Ok(defer_view(&state, &user, &c, f, errors))
        }
        Err(AppError::Conflict(m)) => Ok(defer_view(&state, &user, &c, f, vec![problem("to-day", &m)])),
        Err(e) => Err(e.into()),
    }
}

/// The deferral field's hint: the latest moment allowed, and that times are UK time.
fn defer_hint(latest: Option<&str>) -> String {
    match latest {
        Some(l) => format!("No later than {l}. For example, 27 3 2027 and 2:30pm (UK time)."),
        None => "For example, 27 3 2027 and 2:30pm (UK time).".into(),
    }
}

/// One form for every step of a monitoring case (WP034 5.3 to 5.6): `step` names it, the other
/// fields are the step's, so each is optional here and required by its step.
pub struct StepForm {
    step: Option<String>,
    reason: Option<String>,
    staff_number: Option<String>,
    devices: Option<String>,
    full_access_confirmed: Option<String>,
    handed_by: Option<String>,
    tool: Option<String>,
    tool_version: Option<String>,
    extractions: Option<String>,
    outcome: Option<String>,
    summary: Option<String>,
    received_by: Option<String>,
}

impl StepForm {
    fn read(pairs: &[(String, String)]) -> Self {
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        StepForm {
            step: get("step"),
            reason: get("reason"),
            staff_number: get("staff_number"),
            devices: get("devices"),
            full_access_confirmed: get("full_access_confirmed"),
            handed_by: get("handed_by"),
            tool: get("tool"),
            tool_version: get("tool_version"),
            extractions: get("extractions"),
            outcome: get("outcome"),
            summary: get("summary"),
            received_by: get("received_by"),
        }
    }
}

/// One form for every step: `step` names it, the other fields are the step's. Moments are typed
/// in the GOV.UK date input on London's clocks (`slot-day`, …, `slot-time`).
pub async fn take_step(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> UiResult<Response> {
    let f = StepForm::read(&pairs);
    let now = state.now();
    let parse_local = |name: &str, label: &str| -> Result<OffsetDateTime, AppError> {
        Ok(parse_moment(name, label, &Parts::read(&pairs, name), When::Any, now)?)
    };
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    // The choosers take a name, a suggestion ("Name (A1018)") or a staff number.
    use crate::people::{Among, chosen_staff_number};
    let dmi = Among::Role(custodian_domain::people::Role::Dmi);
    let (staff_number, handed_by, received_by) = match f.step.as_deref() {
        Some("assign_dmi") => (
            chosen_staff_number(
                &state,
                &user,
                "staff_number",
                "the Digital Media Investigator",
                &text(&f.staff_number),
                dmi,
                true,
            )
            .await?,
            String::new(),
            String::new(),
        ),
        Some("hand_over") => (
            String::new(),
            chosen_staff_number(
                &state,
                &user,
                "handed_by",
                "who handed them over",
                &text(&f.handed_by),
                Among::Visible,
                false,
            )
            .await?,
            String::new(),
        ),
        Some("return") => (
            String::new(),
            String::new(),
            chosen_staff_number(
                &state,
                &user,
                "received_by",
                "who received them",
                &text(&f.received_by),
                Among::Visible,
                false,
            )
            .await?,
        ),
        _ => Default::default(),
    };
    let some = |s: String| (!s.is_empty()).then_some(s);
    let input =
        match f.step.as_deref().unwrap_or("") {
            "propose_slot" => StepInput::ProposeSlot { slot: parse_local("slot", "The slot")? },
            "accept" => StepInput::Accept,
            "defer" => StepInput::Defer { to: parse_local("to", "The new slot")?, reason: text(&f.reason) },
            "refuse" => StepInput::Refuse { reason: text(&f.reason) },
            "assign_dmi" => StepInput::AssignDmi { staff_number },
            "mandate" => StepInput::Mandate { deadline: parse_local("deadline", "The deadline")? },
            "hand_over" => StepInput::HandOver {
                asset_tags: text(&f.devices)
                    .split([',', '\n', ' '])
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
                    .collect(),
                full_access_confirmed: f.full_access_confirmed.as_ref().is_some_and(|v| v == "yes"),
                handed_by: some(handed_by),
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
                    started: parse_local("started", "The start")?,
                    ended: parse_local("ended", "The end")?,
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
            "return" => StepInput::Return { received_by: some(received_by) },
            "withdraw" => StepInput::Withdraw { reason: text(&f.reason) },
            other => return Err(AppError::invalid("step", format!("{other:?} is not a step")).into()),
        };
    uc::take_step(&state, &user, id, input).await?;
    Ok(Redirect::to(&format!("/monitoring/cases/{id}")).into_response())
}
