//! Declarations of notifiable associations and reports to Professional Standards (WP034 7.3,
//! 8.1) under /api/v1. Evidence files are sent with the report form (multipart) on the pages;
//! the API takes reports without files.

use crate::routing::Routes;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use custodian_store::declarations::{DeclarationRow, ReportRow};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::routes;
use uuid::Uuid;

use super::{ReportInput, ReportSeen, Seen};
use crate::api::{CsrfHeader, JsonIn};
use crate::auth::CurrentUser;
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;

pub fn routes() -> Routes {
    Routes::documented(DeclarationsApi::openapi())
        .routes(routes!(list_mine, create))
        .routes(routes!(categories))
        .routes(routes!(queue))
        .routes(routes!(get_one))
        .routes(routes!(assess))
        .routes(routes!(my_reports, create_report))
        .routes(routes!(report_queue))
        .routes(routes!(get_report))
        .routes(routes!(triage))
        .routes(routes!(profile_check))
}

/// The declarations part of the OpenAPI document: its schemas, which `routes()` starts from and adds its operations to.
#[derive(OpenApi)]
#[openapi(components(schemas(
    DeclarationIn,
    DeclarationOut,
    CategoryOut,
    AssessmentIn,
    ReportIn,
    ReportOut,
    TriageIn,
    ProfileCheckIn,
    ProfileCheckOut,
    AdviceOut
)))]
pub struct DeclarationsApi;

fn ts(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// A declaration of an online association (WP034 7.3), or `nothing_to_declare: true`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclarationIn {
    #[serde(default)]
    pub nothing_to_declare: bool,
    #[serde(default)]
    pub platform: String,
    /// Who, or which group.
    #[serde(default)]
    pub counterpart: String,
    /// The nature of the link.
    #[serde(default)]
    pub nature: String,
    /// A category id from `/declarations/categories`.
    #[serde(default)]
    pub category: String,
}

/// A declaration as its declarant or an assessor sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeclarationOut {
    pub id: Uuid,
    pub name: String,
    pub staff_number: String,
    /// association or nothing_to_declare
    pub kind: String,
    pub platform: Option<String>,
    pub counterpart: Option<String>,
    pub nature: Option<String>,
    pub category: Option<String>,
    /// Whether Professional Standards assess it too.
    pub psd_required: bool,
    /// submitted or assessed
    pub status: String,
    /// no_concern, conditions or vetting_review
    pub outcome: Option<String>,
    pub conditions: Option<String>,
    pub assessed_at: Option<String>,
    pub created_at: String,
}

impl From<&DeclarationRow> for DeclarationOut {
    fn from(r: &DeclarationRow) -> Self {
        DeclarationOut {
            id: r.id,
            name: r.name.clone(),
            staff_number: r.staff_number.clone(),
            kind: r.kind.clone(),
            platform: r.platform.clone(),
            counterpart: r.counterpart.clone(),
            nature: r.nature.clone(),
            category: r.category.clone(),
            psd_required: r.psd_required,
            status: r.status.clone(),
            outcome: r.outcome.clone(),
            conditions: r.conditions.clone(),
            assessed_at: r.assessed_at.map(ts),
            created_at: ts(r.created_at),
        }
    }
}

/// A Notifiable Associations category (the policy pack's).
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryOut {
    pub id: String,
    pub label: String,
    /// Whether Professional Standards assess declarations of this category too.
    pub psd: bool,
}

/// An assessment of a declaration.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentIn {
    /// no_concern, conditions or vetting_review
    pub outcome: String,
    /// Required when the outcome is `conditions`.
    #[serde(default)]
    pub conditions: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReasonQuery {
    /// Why an assessor opens the declaration (required of assessors; recorded in the audit log).
    pub reason: Option<String>,
}

/// The caller's own declarations, newest first.
#[utoipa::path(get, path = "/declarations", tag = "declarations", responses((status = 200, body = [DeclarationOut])))]
async fn list_mine(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Vec<DeclarationOut>>> {
    Ok(Json(super::mine(&state, &user).await?.iter().map(DeclarationOut::from).collect()))
}

/// Declare an online association in a Notifiable Associations category, or that there is
/// nothing to declare (WP034 7.3); it goes to the Force Vetting Unit (and Professional Standards
/// where the category requires).
#[utoipa::path(post, path = "/declarations", tag = "declarations", request_body = DeclarationIn, responses((status = 201, body = DeclarationOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    JsonIn(b): JsonIn<DeclarationIn>,
) -> ApiResult<(StatusCode, Json<DeclarationOut>)> {
    let decl = (!b.nothing_to_declare).then_some(custodian_domain::declarations::Declaration {
        platform: b.platform,
        counterpart: b.counterpart,
        nature: b.nature,
        category: b.category,
    });
    let row = super::declare(&state, &user, decl.as_ref()).await?;
    Ok((StatusCode::CREATED, Json(DeclarationOut::from(&row))))
}

/// The Notifiable Associations categories and which go to Professional Standards.
#[utoipa::path(get, path = "/declarations/categories", tag = "declarations", responses((status = 200, body = [CategoryOut])))]
async fn categories(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Vec<CategoryOut>>> {
    state.require(&user, custodian_authz::Action::DeclarationsMake, &custodian_authz::Resource::System)?;
    Ok(Json(
        custodian_domain::declarations::categories()
            .iter()
            .map(|c| CategoryOut { id: c.id.clone(), label: c.label.clone(), psd: c.psd })
            .collect(),
    ))
}

/// The declarations waiting for the caller's assessment, then the latest assessed: every one
/// for the Force Vetting Unit, the categories that need them for Professional Standards.
#[utoipa::path(get, path = "/declarations/queue", tag = "declarations", responses((status = 200, body = [DeclarationOut]), (status = 403, body = Problem)))]
async fn queue(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Vec<DeclarationOut>>> {
    Ok(Json(super::queue(&state, &user).await?.iter().map(DeclarationOut::from).collect()))
}

/// One declaration: for its declarant, or an assessor who gives a `reason` (recorded in the
/// audit log); anyone else is refused (403).
#[utoipa::path(get, path = "/declarations/{id}", tag = "declarations", params(("id" = Uuid, Path), ReasonQuery), responses((status = 200, body = DeclarationOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn get_one(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Query(q): Query<ReasonQuery>,
) -> ApiResult<Json<DeclarationOut>> {
    match super::view(&state, &user, id, q.reason.as_deref()).await? {
        Seen::Own(r) | Seen::Assessor(r) => Ok(Json(DeclarationOut::from(&r))),
        Seen::NeedsReason => {
            Err(AppError::invalid("reason", "Say why you are opening this declaration (it is recorded)").into())
        }
    }
}

/// Record the assessment of a declaration (once; never one's own).
#[utoipa::path(post, path = "/declarations/{id}/assessment", tag = "declarations", params(("id" = Uuid, Path)), request_body = AssessmentIn, responses((status = 200, body = DeclarationOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn assess(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
    JsonIn(b): JsonIn<AssessmentIn>,
) -> ApiResult<Json<DeclarationOut>> {
    let row = super::assess(&state, &user, id, &b.outcome, &b.conditions).await?;
    Ok(Json(DeclarationOut::from(&row)))
}

/// A report of inappropriate social media activity to Professional Standards (WP034 7.3).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportIn {
    /// Keep the reporter's name from colleagues (Professional Standards always see it).
    #[serde(default)]
    pub anonymous: bool,
    pub platform: String,
    /// group_chat, post, profile or other
    pub what: String,
    /// Who or which group, if the reporter says.
    #[serde(default)]
    pub subject: String,
    pub description: String,
}

/// A report: the reporter's fields are present only for Professional Standards.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportOut {
    pub id: Uuid,
    /// received, triaged or closed
    pub status: String,
    /// no_action, management_action or conduct_assessment
    pub outcome: Option<String>,
    pub platform: String,
    pub what: String,
    pub anonymous: bool,
    pub created_at: String,
    pub closed_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reporter: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reporter_staff_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

fn report_out(r: &ReportRow, psd: bool) -> ReportOut {
    ReportOut {
        id: r.id,
        status: r.status.clone(),
        outcome: r.outcome.clone(),
        platform: r.platform.clone(),
        what: r.what.clone(),
        anonymous: r.anonymous,
        created_at: ts(r.created_at),
        closed_at: r.closed_at.map(ts),
        reporter: psd.then(|| r.reporter_name.clone()),
        reporter_staff_number: psd.then(|| r.reporter_staff_number.clone()),
        subject: if psd { r.subject.clone() } else { None },
        description: psd.then(|| r.description.clone()),
    }
}

/// A triage of a report (WP034 8.1).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TriageIn {
    /// no_action, management_action or conduct_assessment
    pub outcome: String,
    #[serde(default)]
    pub note: String,
}

/// The caller's own reports and where each stands.
#[utoipa::path(get, path = "/psd-reports", tag = "declarations", responses((status = 200, body = [ReportOut])))]
async fn my_reports(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Vec<ReportOut>>> {
    Ok(Json(super::my_reports(&state, &user).await?.iter().map(|r| report_out(r, false)).collect()))
}

/// Report inappropriate social media activity to Professional Standards (WP034 7.3, 8.1).
#[utoipa::path(post, path = "/psd-reports", tag = "declarations", request_body = ReportIn, responses((status = 201, body = ReportOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_report(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    JsonIn(b): JsonIn<ReportIn>,
) -> ApiResult<(StatusCode, Json<ReportOut>)> {
    let input = ReportInput {
        anonymous: b.anonymous,
        platform: b.platform,
        what: b.what,
        subject: b.subject,
        description: b.description,
    };
    let row = super::report(&state, &user, &input, Vec::new()).await?;
    Ok((StatusCode::CREATED, Json(report_out(&row, false))))
}

/// Every open report, with its reporter (Professional Standards only).
#[utoipa::path(get, path = "/psd-reports/queue", tag = "declarations", responses((status = 200, body = [ReportOut]), (status = 403, body = Problem)))]
async fn report_queue(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Vec<ReportOut>>> {
    Ok(Json(super::report_queue(&state, &user, true).await?.iter().map(|r| report_out(r, true)).collect()))
}

/// One report: everything for Professional Standards (the view is logged), its status for the
/// reporter; anyone else is refused.
#[utoipa::path(get, path = "/psd-reports/{id}", tag = "declarations", params(("id" = Uuid, Path)), responses((status = 200, body = ReportOut), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_report(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<ReportOut>> {
    Ok(Json(match super::report_view(&state, &user, id).await? {
        ReportSeen::Psd(r) => report_out(&r, true),
        ReportSeen::Reporter(r) => report_out(&r, false),
    }))
}

/// Triage a received report: no action, management action (both close it) or a conduct
/// assessment (WP034 8.1).
#[utoipa::path(post, path = "/psd-reports/{id}/triage", tag = "declarations", params(("id" = Uuid, Path)), request_body = TriageIn, responses((status = 200, body = ReportOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn triage(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
    JsonIn(b): JsonIn<TriageIn>,
) -> ApiResult<Json<ReportOut>> {
    let row = super::triage(&state, &user, id, &b.outcome, &b.note).await?;
    Ok(Json(report_out(&row, true)))
}

/// The text of one's own public profile or a draft personal post, to check (WP034 7.1, 7.2).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileCheckIn {
    /// At most 20,000 characters.
    pub text: String,
    /// Keep the text and its advice for yourself (nothing is kept otherwise).
    #[serde(default)]
    pub keep: bool,
}

/// One piece of advice.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdviceOut {
    /// clearance, role, association, address or operational
    pub category: String,
    pub label: String,
    /// The WP034 clause (7.1 or 7.2).
    pub clause: String,
    /// Byte offsets into the text as sent.
    pub start: usize,
    pub end: usize,
    #[serde(rename = "match")]
    pub matched: String,
    pub explanation: String,
}

/// The check: advice for the person, never a finding.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileCheckOut {
    pub pack_version: String,
    /// Whether the text says the person speaks on their own behalf (7.2).
    pub disclaimer: bool,
    pub advice: Vec<AdviceOut>,
    /// The kept check's id, when `keep` was asked.
    pub kept_id: Option<Uuid>,
}

/// Check the text of your own public profile or a draft personal post for what WP034 7.1 and 7.2
/// ask you not to share: a vetting or clearance level (yours or anyone's), your role and access to
/// information, your link with the force without saying you speak for yourself, home address
/// details and operational details. Advice only, never a finding: nothing is kept unless `keep`.
#[utoipa::path(post, path = "/profile-check", tag = "declarations", request_body = ProfileCheckIn, responses((status = 200, body = ProfileCheckOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn profile_check(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    JsonIn(b): JsonIn<ProfileCheckIn>,
) -> ApiResult<Json<ProfileCheckOut>> {
    let done = super::profile_check(&state, &user, &b.text, b.keep).await?;
    Ok(Json(ProfileCheckOut {
        pack_version: done.check.pack_version,
        disclaimer: done.check.disclaimer,
        advice: done
            .check
            .advice
            .into_iter()
            .map(|a| AdviceOut {
                category: a.category.to_owned(),
                label: a.label.to_owned(),
                clause: a.clause,
                start: a.start,
                end: a.end,
                matched: a.matched,
                explanation: a.explanation,
            })
            .collect(),
        kept_id: done.kept,
    }))
}
