//! Overseas use (WP034 4.2) under /api/v1.
//! Decisions on an overseas request go through `/approvals/{id}/decide` like every approval.

use crate::routing::Routes;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use custodian_store::overseas::OverseasItem;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::routes;
use uuid::Uuid;

use crate::api::{CsrfHeader, JsonIn};
use crate::approvals::api::ApprovalOut;
use crate::auth::CurrentUser;
use crate::error::{ApiResult, Problem};
use crate::overseas as uc;
use crate::state::AppState;

pub fn routes() -> Routes {
    Routes::documented(OverseasApi::openapi())
        .routes(routes!(create_request))
        .routes(routes!(mine))
        .routes(routes!(windows))
        .routes(routes!(export))
        .routes(routes!(get_window))
        .routes(routes!(withdraw))
}

/// The overseas part of the OpenAPI document: its schemas, which `routes()` starts from and adds its operations to.
#[derive(OpenApi)]
#[openapi(components(schemas(OverseasIn, OverseasCreated, WindowOut)))]
pub struct OverseasApi;

fn ts(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// A request for overseas use of devices one holds (WP034 4.2).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverseasIn {
    /// Asset tags of devices allocated to the caller.
    pub devices: Vec<String>,
    /// ISO 3166-1 alpha-2 codes, e.g. ["FR", "BE"].
    pub countries: Vec<String>,
    /// First day, YYYY-MM-DD.
    pub from: String,
    /// Last day (inclusive), YYYY-MM-DD.
    pub to: String,
    pub purpose: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OverseasCreated {
    pub id: Uuid,
    pub approval_id: Uuid,
    /// requested
    pub status: String,
}

/// An overseas-use window and where its request stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct WindowOut {
    pub id: Uuid,
    pub person: String,
    pub staff_number: String,
    pub line_manager: Option<String>,
    /// Asset tags.
    pub devices: Vec<String>,
    pub countries: Vec<String>,
    pub from: String,
    pub to: String,
    pub purpose: String,
    /// requested, approved, rejected or withdrawn; only approved windows silence usage.roaming
    pub status: String,
    /// The approval request's id (absent for windows recorded by an administrator).
    pub approval_id: Option<Uuid>,
    pub created_at: String,
    pub decided_at: Option<String>,
    /// The approval request with its steps and timeline (single window only, when visible).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval: Option<ApprovalOut>,
}

impl From<&OverseasItem> for WindowOut {
    fn from(w: &OverseasItem) -> Self {
        Self {
            id: w.id,
            person: w.person_name.clone(),
            staff_number: w.staff_number.clone(),
            line_manager: w.line_manager_name.clone(),
            devices: w.device_tags.clone(),
            countries: w.countries.clone(),
            from: w.from.to_string(),
            to: w.to.to_string(),
            purpose: w.purpose.clone(),
            status: w.status.clone(),
            approval_id: w.approval_id(),
            created_at: ts(w.created_at),
            decided_at: w.decided_at.map(ts),
            approval: None,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WindowsQuery {
    /// requested, approved, rejected or withdrawn
    pub status: Option<String>,
}

/// Request overseas use: opens an approval request for the caller's line manager, Digital
/// Services and the Force Vetting Unit, who must all approve, in any order (WP034 4.2).
#[utoipa::path(post, path = "/overseas/requests", tag = "usage", request_body = OverseasIn, responses((status = 201, body = OverseasCreated), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_request(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    JsonIn(b): JsonIn<OverseasIn>,
) -> ApiResult<(StatusCode, Json<OverseasCreated>)> {
    let form =
        uc::RequestForm { devices: b.devices, countries: b.countries, from: b.from, to: b.to, purpose: b.purpose };
    let (id, approval_id) = uc::request(&state, &user, &form).await?;
    Ok((StatusCode::CREATED, Json(OverseasCreated { id, approval_id, status: "requested".into() })))
}

/// The caller's own overseas requests and windows, newest first.
#[utoipa::path(get, path = "/overseas/mine", tag = "usage", responses((status = 200, body = [WindowOut])))]
async fn mine(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Vec<WindowOut>>> {
    Ok(Json(uc::mine(&state, &user).await?.iter().map(WindowOut::from).collect()))
}

/// The windows the caller may see: every one for Digital Services and the Force Vetting Unit; a
/// line manager's reports' requests; one's own.
#[utoipa::path(get, path = "/overseas/windows", tag = "usage", params(WindowsQuery), responses((status = 200, body = [WindowOut]), (status = 422, body = Problem)))]
async fn windows(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<WindowsQuery>,
) -> ApiResult<Json<Vec<WindowOut>>> {
    let status = q.status.as_deref().map(str::trim).filter(|s| !s.is_empty());
    Ok(Json(uc::windows(&state, &user, status).await?.iter().map(WindowOut::from).collect()))
}

/// The approved windows for the MDM as CSV: `device,mdm_id,staff_number,countries,from,to`
/// (the same as `custodian overseas export`).
#[utoipa::path(get, path = "/overseas/export", tag = "usage", responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = Problem)))]
async fn export(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Response> {
    Ok(uc::export_download(&state, &user).await?)
}

/// One window with its approval request and timeline.
#[utoipa::path(get, path = "/overseas/{id}", tag = "usage", params(("id" = Uuid, Path)), responses((status = 200, body = WindowOut), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_window(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<WindowOut>> {
    let v = uc::view(&state, &user, id).await?;
    let mut out = WindowOut::from(&v.item);
    out.approval = v.approval.map(|a| ApprovalOut::with_timeline(&a, state.now()));
    Ok(Json(out))
}

/// The requester withdraws their overseas request before a final decision.
#[utoipa::path(post, path = "/overseas/{id}/withdraw", tag = "usage", params(("id" = Uuid, Path)), responses((status = 200, body = WindowOut), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn withdraw(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<WindowOut>> {
    uc::withdraw(&state, &user, id).await?;
    let v = uc::view(&state, &user, id).await?;
    Ok(Json(WindowOut::from(&v.item)))
}
