//! The lawful business monitoring API under /api/v1/monitoring (WP034 3.3, 5.1-5.5): rounds, the
//! verifiable draw and its bundle, each selected person's case and its signed custody steps, a
//! printable custody report and a JSON export per case, and the programme's dashboard.

use crate::routing::Routes;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse};
use custodian_domain::monitoring::{self as lbm, Stage};
use custodian_store::monitoring::{CaseStepRecord, Exclusion, MonitoringCase, Referral, Round};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::routes;
use uuid::Uuid;

use crate::api::{CsrfHeader, JsonIn, parse_opt};
use crate::auth::CurrentUser;
use crate::error::{ApiResult, AppError, Problem};
use crate::monitoring::{self as uc, StepInput};
use crate::state::AppState;

pub fn routes() -> Routes {
    Routes::documented(MonitoringApi::openapi())
        .routes(routes!(list_rounds, create_round))
        .routes(routes!(get_round))
        .routes(routes!(exclude))
        .routes(routes!(draw))
        .routes(routes!(bundle))
        .routes(routes!(list_cases))
        .routes(routes!(get_case))
        .routes(routes!(case_steps, take_step))
        .routes(routes!(custody_report))
        .routes(routes!(export_case))
        .routes(routes!(dashboard))
        .routes(routes!(sample_size))
}

/// The monitoring part of the OpenAPI document: its schemas, which `routes()` starts from and adds its operations to.
#[derive(OpenApi)]
#[openapi(components(schemas(
    RoundIn,
    RoundOut,
    RoundAreaOut,
    ExclusionIn,
    ExclusionOut,
    DrawIn,
    CaseOut,
    ReferralOut,
    CaseStepOut,
    StepIn,
    ExtractionIn,
    ExamOutcome,
    DashboardOut,
    SampleSizeOut
)))]
pub struct MonitoringApi;

fn ts(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

fn clause_text(id: &str) -> String {
    custodian_domain::policy::clause(id).map(|c| c.text().into_owned()).unwrap_or_default()
}

// ---- shapes -------------------------------------------------------------------------------

/// A new round (WP034 5.4).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoundIn {
    pub name: String,
    /// Business areas in scope; none means every area with someone holding a device.
    #[serde(default)]
    pub areas: Vec<String>,
    /// People selected per area (k).
    pub sample_size: u32,
    /// Hex SHA-256 of PSD's secret, revealed at the draw.
    pub commitment: String,
    /// How many days after the first proposed slot the one deferral may reach (default 14).
    pub deferral_days: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoundAreaOut {
    pub business_area: String,
    pub sample_size: u32,
    pub population: i64,
    pub excluded: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExclusionOut {
    pub staff_number: String,
    pub business_area: String,
    pub reason: String,
    pub at: String,
    pub by: String,
}

impl From<&Exclusion> for ExclusionOut {
    fn from(e: &Exclusion) -> Self {
        Self {
            staff_number: e.staff_number.clone(),
            business_area: e.business_area.clone(),
            reason: e.reason.clone(),
            at: ts(e.at),
            by: e.by.clone(),
        }
    }
}

/// A round, its frozen population by area and, once drawn, the draw's public values.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoundOut {
    pub id: Uuid,
    pub name: String,
    /// open or drawn
    pub status: String,
    pub commitment: String,
    pub deferral_days: u32,
    pub beacon: Option<String>,
    pub secret: Option<String>,
    pub seed: Option<String>,
    pub population_hash: Option<String>,
    pub population: i64,
    pub excluded: i64,
    pub areas: Vec<RoundAreaOut>,
    pub created_at: String,
    pub created_by: String,
    pub drawn_at: Option<String>,
    /// Listed on the round's own page only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclusions: Option<Vec<ExclusionOut>>,
}

impl From<&Round> for RoundOut {
    fn from(r: &Round) -> Self {
        Self {
            id: r.id,
            name: r.name.clone(),
            status: r.status.as_str().into(),
            commitment: r.commitment.clone(),
            deferral_days: r.rules.deferral_days,
            beacon: r.beacon.clone(),
            secret: r.secret.clone(),
            seed: r.seed.clone(),
            population_hash: r.population_hash.clone(),
            population: r.population(),
            excluded: r.excluded(),
            areas: r
                .areas
                .iter()
                .map(|a| RoundAreaOut {
                    business_area: a.business_area.clone(),
                    sample_size: a.sample_size,
                    population: a.population,
                    excluded: a.excluded,
                })
                .collect(),
            created_at: ts(r.created_at),
            created_by: r.created_by.clone(),
            drawn_at: r.drawn_at.map(ts),
            exclusions: None,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExclusionIn {
    pub staff_number: String,
    /// Why the person is left out (long-term absence, say).
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrawIn {
    /// The public random value chosen after the round was created (drand, NIST beacon, lottery).
    pub beacon: String,
    /// The secret whose SHA-256 is the round's commitment.
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralOut {
    pub id: Uuid,
    /// failure_to_provide or concerns_identified
    pub kind: String,
    pub clause: String,
    pub summary: String,
    pub opened_at: String,
    pub opened_by: String,
}

impl From<&Referral> for ReferralOut {
    fn from(r: &Referral) -> Self {
        Self {
            id: r.id,
            kind: r.kind.as_str().into(),
            clause: r.clause.clone(),
            summary: r.summary.clone(),
            opened_at: ts(r.opened_at),
            opened_by: r.opened_by.clone(),
        }
    }
}

/// A selected person's case.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseOut {
    pub id: Uuid,
    pub round_id: Uuid,
    pub round_name: String,
    pub staff_number: String,
    pub name: String,
    pub business_area: String,
    /// Position in the area's draw order (0 first).
    pub draw_rank: i64,
    /// selected, consulted, mandated, handed_over, downloaded, examined, returned or withdrawn
    pub stage: String,
    pub stage_label: String,
    /// WP034 5.4, the procedure the case follows, in its own words.
    pub clause_text: String,
    pub slot: Option<String>,
    pub deferred: bool,
    pub deferral_days: u32,
    pub dmi: Option<String>,
    pub deadline: Option<String>,
    /// Asset tags of the devices the notice requires.
    pub devices: Vec<String>,
    pub handed_over_at: Option<String>,
    pub overdue: bool,
    pub referrals: Vec<ReferralOut>,
    pub updated_at: String,
}

impl CaseOut {
    fn new(c: &MonitoringCase, now: OffsetDateTime) -> Self {
        Self {
            id: c.id,
            round_id: c.round_id,
            round_name: c.round_name.clone(),
            staff_number: c.staff_number.clone(),
            name: c.person_name.clone(),
            business_area: c.business_area.clone(),
            draw_rank: c.draw_rank,
            stage: c.state.stage.as_str().into(),
            stage_label: c.state.stage.label().into(),
            clause_text: clause_text("5.4"),
            slot: c.state.slot.map(ts),
            deferred: c.state.deferred,
            deferral_days: c.rules.deferral_days,
            dmi: c.dmi_staff_number.clone(),
            deadline: c.state.deadline.map(ts),
            devices: c.device_tags.clone(),
            handed_over_at: c.state.handed_over_at.map(ts),
            overdue: c.state.stage == Stage::Mandated && c.state.deadline.is_some_and(|d| now > d),
            referrals: c.referrals.iter().map(ReferralOut::from).collect(),
            updated_at: ts(c.updated_at),
        }
    }
}

/// One signed step of a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseStepOut {
    pub at: String,
    /// Who signed it, as the audit log records it.
    pub actor: String,
    /// The person behind the actor: "Name (STAFF_NUMBER)".
    pub signed_by: Option<String>,
    pub step: String,
    pub clause: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    /// Its event in the tamper-evident audit log.
    pub audit_seq: i64,
}

impl From<&CaseStepRecord> for CaseStepOut {
    fn from(s: &CaseStepRecord) -> Self {
        Self {
            at: ts(s.at),
            actor: s.actor.clone(),
            signed_by: s.signed_by.clone(),
            step: s.step.clone(),
            clause: s.clause.clone(),
            detail: s.detail.clone(),
            audit_seq: s.audit_seq,
        }
    }
}

/// One device's extraction.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtractionIn {
    pub asset_tag: String,
    /// Hex SHA-256 of the extraction image.
    pub sha256: String,
}

/// What the examination found (WP034 5.5).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExamOutcome {
    NoConcerns,
    ConcernsIdentified,
}

/// A step on a case, named by `step` (WP034 5.4, 5.5). Times are RFC 3339.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "step", rename_all = "snake_case", deny_unknown_fields)]
pub enum StepIn {
    /// PSD proposes the hand-over slot.
    ProposeSlot {
        #[serde(with = "time::serde::rfc3339")]
        #[schema(value_type = String, format = DateTime)]
        slot: OffsetDateTime,
    },
    /// The person accepts the slot.
    Accept,
    /// The person defers once, within the round's deferral window, saying why.
    Defer {
        #[serde(with = "time::serde::rfc3339")]
        #[schema(value_type = String, format = DateTime)]
        to: OffsetDateTime,
        reason: String,
    },
    /// The person declines the slot, saying why.
    Refuse { reason: String },
    /// PSD assigns the Digital Media Investigator.
    AssignDmi { staff_number: String },
    /// PSD issues the notice: every force device, full access, passcode removed, by the deadline.
    Mandate {
        #[serde(with = "time::serde::rfc3339")]
        #[schema(value_type = String, format = DateTime)]
        deadline: OffsetDateTime,
    },
    /// The assigned DMI records receipt of the devices.
    HandOver {
        devices: Vec<String>,
        full_access_confirmed: bool,
        /// Staff number of who handed them over (default: the person selected).
        handed_by: Option<String>,
    },
    /// The DMI records the download.
    Download {
        tool: String,
        tool_version: String,
        extractions: Vec<ExtractionIn>,
        #[serde(with = "time::serde::rfc3339")]
        #[schema(value_type = String, format = DateTime)]
        started: OffsetDateTime,
        #[serde(with = "time::serde::rfc3339")]
        #[schema(value_type = String, format = DateTime)]
        ended: OffsetDateTime,
    },
    /// The DMI records the examination; concerns open a conduct assessment referral.
    Examine { outcome: ExamOutcome, summary: Option<String> },
    /// The DMI returns the devices.
    Return { received_by: Option<String> },
    /// PSD records that the devices were not provided by the deadline.
    FailureToProvide,
    /// PSD ends the case with a reason and calls the area's next reserve.
    Withdraw { reason: String },
}

impl StepIn {
    fn into_input(self) -> Result<StepInput, AppError> {
        Ok(match self {
            Self::ProposeSlot { slot } => StepInput::ProposeSlot { slot },
            Self::Accept => StepInput::Accept,
            Self::Defer { to, reason } => StepInput::Defer { to, reason },
            Self::Refuse { reason } => StepInput::Refuse { reason },
            Self::AssignDmi { staff_number } => StepInput::AssignDmi { staff_number },
            Self::Mandate { deadline } => StepInput::Mandate { deadline },
            Self::HandOver { devices, full_access_confirmed, handed_by } => {
                StepInput::HandOver { asset_tags: devices, full_access_confirmed, handed_by }
            }
            Self::Download { tool, tool_version, extractions, started, ended } => StepInput::Download {
                tool,
                tool_version,
                extractions: extractions.into_iter().map(|e| (e.asset_tag, e.sha256)).collect(),
                started,
                ended,
            },
            Self::Examine { outcome: ExamOutcome::NoConcerns, .. } => StepInput::Examine { concerns: None },
            Self::Examine { outcome: ExamOutcome::ConcernsIdentified, summary } => {
                let summary = summary.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
                StepInput::Examine {
                    concerns: Some(summary.ok_or_else(|| {
                        AppError::invalid("summary", "summarise the concerns identified (WP034 5.5)")
                    })?),
                }
            }
            Self::Return { received_by } => StepInput::Return { received_by },
            Self::FailureToProvide => StepInput::FailureToProvide,
            Self::Withdraw { reason } => StepInput::Withdraw { reason },
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardOut {
    /// Cases per stage, every stage listed.
    #[schema(value_type = Object)]
    pub by_stage: serde_json::Value,
    /// Mandated cases past their hand-over deadline.
    pub overdue: i64,
    /// Conduct assessment referrals opened, by kind (WP034 5.5).
    #[schema(value_type = Object)]
    pub referrals: serde_json::Value,
    pub rounds: Vec<RoundOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SampleSizeOut {
    pub rate: f64,
    pub confidence: f64,
    /// The smallest n with (1 - rate)^n <= 1 - confidence.
    pub sample_size: u64,
    /// ln α / ln(1 − p), before rounding up.
    pub formula: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    pub round: Option<Uuid>,
    /// A stage, e.g. mandated
    pub stage: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PurposeQuery {
    /// Why you are looking at the case; recorded with the view (WP034 5.3).
    pub purpose: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SampleSizeQuery {
    /// The misuse rate to detect, e.g. 0.05.
    pub rate: f64,
    /// The confidence wanted, e.g. 0.95.
    pub confidence: f64,
}

// ---- handlers -------------------------------------------------------------------------------

/// Monitoring rounds, newest first (WP034 3.3).
#[utoipa::path(get, path = "/monitoring/rounds", tag = "monitoring", responses((status = 200, body = [RoundOut]), (status = 403, body = Problem)))]
async fn list_rounds(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Vec<RoundOut>>> {
    Ok(Json(uc::rounds(&state, &user).await?.iter().map(RoundOut::from).collect()))
}

/// Create a round and freeze its population: every active person in scope holding an allocated
/// device (WP034 5.4).
#[utoipa::path(post, path = "/monitoring/rounds", tag = "monitoring", request_body = RoundIn, responses((status = 201, body = RoundOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_round(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    JsonIn(b): JsonIn<RoundIn>,
) -> ApiResult<(StatusCode, Json<RoundOut>)> {
    let input = uc::RoundInput {
        name: b.name,
        areas: b.areas,
        sample_size: b.sample_size,
        commitment: b.commitment,
        deferral_days: b.deferral_days,
    };
    let r = uc::create_round(&state, &user, &input).await?;
    Ok((StatusCode::CREATED, Json(RoundOut::from(&r))))
}

/// One round with its exclusions (the view is logged).
#[utoipa::path(get, path = "/monitoring/rounds/{id}", tag = "monitoring", params(("id" = Uuid, Path)), responses((status = 200, body = RoundOut), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_round(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<RoundOut>> {
    let (r, ex) = uc::round(&state, &user, id).await?;
    let mut out = RoundOut::from(&r);
    out.exclusions = ex.map(|ex| ex.iter().map(ExclusionOut::from).collect());
    Ok(Json(out))
}

/// Leave a person out of the draw with a reason; before the draw only (WP034 5.4).
#[utoipa::path(post, path = "/monitoring/rounds/{id}/exclusions", tag = "monitoring", params(("id" = Uuid, Path)), request_body = ExclusionIn, responses((status = 200, body = RoundOut), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn exclude(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
    JsonIn(b): JsonIn<ExclusionIn>,
) -> ApiResult<Json<RoundOut>> {
    Ok(Json(RoundOut::from(&uc::exclude(&state, &user, id, &b.staff_number, &b.reason).await?)))
}

/// Make the draw with the public beacon and the secret that opens the commitment (WP034 5.4).
#[utoipa::path(post, path = "/monitoring/rounds/{id}/draw", tag = "monitoring", params(("id" = Uuid, Path)), request_body = DrawIn, responses((status = 200, body = RoundOut), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn draw(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
    JsonIn(b): JsonIn<DrawIn>,
) -> ApiResult<Json<RoundOut>> {
    Ok(Json(RoundOut::from(&uc::draw(&state, &user, id, &b.beacon, &b.secret).await?)))
}

/// The verification bundle: re-run it with `custodian monitoring verify`, or in any language.
#[utoipa::path(get, path = "/monitoring/rounds/{id}/bundle", tag = "monitoring", params(("id" = Uuid, Path)), responses((status = 200, body = Object), (status = 409, body = Problem)))]
async fn bundle(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<lbm::Bundle>> {
    Ok(Json(uc::bundle(&state, &user, id).await?))
}

/// Cases the caller may see: all for PSD, assigned ones for a DMI, one's own (WP034 3.3, 5.3).
#[utoipa::path(get, path = "/monitoring/cases", tag = "monitoring", params(CaseQuery), responses((status = 200, body = [CaseOut])))]
async fn list_cases(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<CaseQuery>,
) -> ApiResult<Json<Vec<CaseOut>>> {
    let stage = parse_opt("stage", &q.stage, Stage::parse)?;
    let now = state.now();
    Ok(Json(uc::cases(&state, &user, q.round, stage).await?.iter().map(|c| CaseOut::new(c, now)).collect()))
}

/// One case (the view is logged with who, when and why).
#[utoipa::path(get, path = "/monitoring/cases/{id}", tag = "monitoring", params(("id" = Uuid, Path), PurposeQuery), responses((status = 200, body = CaseOut), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_case(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Query(q): Query<PurposeQuery>,
) -> ApiResult<Json<CaseOut>> {
    let c = uc::view_case(&state, &user, id, q.purpose.as_deref()).await?;
    Ok(Json(CaseOut::new(&c, state.now())))
}

/// A case's signed steps, oldest first.
#[utoipa::path(get, path = "/monitoring/cases/{id}/steps", tag = "monitoring", params(("id" = Uuid, Path), PurposeQuery), responses((status = 200, body = [CaseStepOut]), (status = 403, body = Problem)))]
async fn case_steps(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Query(q): Query<PurposeQuery>,
) -> ApiResult<Json<Vec<CaseStepOut>>> {
    uc::view_case(&state, &user, id, q.purpose.as_deref()).await?;
    Ok(Json(state.store().monitoring_case_steps(id).await?.iter().map(CaseStepOut::from).collect()))
}

/// Take a step on a case, signed by the caller (WP034 5.4, 5.5).
#[utoipa::path(post, path = "/monitoring/cases/{id}/steps", tag = "monitoring", params(("id" = Uuid, Path)), request_body = StepIn, responses((status = 200, body = CaseOut), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn take_step(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
    JsonIn(b): JsonIn<StepIn>,
) -> ApiResult<Json<CaseOut>> {
    let c = uc::take_step(&state, &user, id, b.into_input()?).await?;
    Ok(Json(CaseOut::new(&c, state.now())))
}

/// The printable custody report (HTML): every signed step with its audit event.
#[utoipa::path(get, path = "/monitoring/cases/{id}/report", tag = "monitoring", params(("id" = Uuid, Path), PurposeQuery), responses((status = 200, content_type = "text/html", body = String), (status = 403, body = Problem)))]
async fn custody_report(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Query(q): Query<PurposeQuery>,
) -> ApiResult<impl IntoResponse> {
    let purpose = q.purpose.unwrap_or_else(|| "custody report".into());
    let rec = uc::case_record(&state, &user, id, &purpose).await?;
    let html = uc::render_report(&rec)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("rendering the custody report: {e}")))?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Html(html)))
}

/// The case's full record as JSON: the case, its signed steps and their audit events.
#[utoipa::path(get, path = "/monitoring/cases/{id}/export", tag = "monitoring", params(("id" = Uuid, Path), PurposeQuery), responses((status = 200, body = Object), (status = 403, body = Problem)))]
async fn export_case(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Query(q): Query<PurposeQuery>,
) -> ApiResult<impl IntoResponse> {
    let purpose = q.purpose.unwrap_or_else(|| "case export".into());
    let rec = uc::case_record(&state, &user, id, &purpose).await?;
    let disposition = format!("attachment; filename=\"monitoring-case-{id}.json\"");
    Ok(([(header::CONTENT_DISPOSITION, disposition), (header::CACHE_CONTROL, "no-store".to_string())], Json(rec)))
}

/// Round progress by stage, overdue steps and referrals opened.
#[utoipa::path(get, path = "/monitoring/dashboard", tag = "monitoring", responses((status = 200, body = DashboardOut), (status = 403, body = Problem)))]
async fn dashboard(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<DashboardOut>> {
    let counts = uc::dashboard(&state, &user).await?;
    let rounds = uc::rounds(&state, &user).await?;
    let obj = |v: &[(String, i64)]| {
        serde_json::Value::Object(v.iter().map(|(k, n)| (k.clone(), serde_json::Value::from(*n))).collect())
    };
    Ok(Json(DashboardOut {
        by_stage: obj(&counts.by_stage),
        overdue: counts.overdue,
        referrals: obj(&counts.referrals),
        rounds: rounds.iter().map(RoundOut::from).collect(),
    }))
}

/// The sample needed to find misuse at `rate` with `confidence`: n ≥ ln α / ln(1 − p).
#[utoipa::path(get, path = "/monitoring/sample-size", tag = "monitoring", params(SampleSizeQuery), responses((status = 200, body = SampleSizeOut), (status = 422, body = Problem)))]
async fn sample_size(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<SampleSizeQuery>,
) -> ApiResult<Json<SampleSizeOut>> {
    state.require(&user, custodian_authz::Action::MonitoringRoundsView, &custodian_authz::Resource::System)?;
    let n = lbm::sample_size(q.rate, q.confidence).map_err(|e| {
        let (field, message) = e
            .to_string()
            .split_once(": ")
            .map(|(f, m)| (f.to_string(), m.to_string()))
            .unwrap_or(("rate".into(), e.to_string()));
        AppError::invalid(&field, message)
    })?;
    Ok(Json(SampleSizeOut {
        rate: q.rate,
        confidence: q.confidence,
        sample_size: n,
        formula: format!(
            "ln({:.6}) / ln({:.6}) = {:.3}",
            1.0 - q.confidence,
            1.0 - q.rate,
            (1.0 - q.confidence).ln() / (1.0 - q.rate).ln()
        ),
    }))
}
