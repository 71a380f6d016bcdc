//! Overseas use (WP034 4.2), streaming exceptions (4.6) and usage imports (4.1) under /api/v1.
//! Decisions on an overseas request go through `/approvals/{id}/decide` like every approval.

use crate::routing::{Routes, get, post};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use custodian_authz::{Action, Resource};
use custodian_store::overseas::{OverseasItem, StreamingExceptionItem};
use custodian_store::usage::{UsageImport, UsageImportRun};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;

use super::approvals::ApprovalOut;
use super::{JsonIn, csrf_header};
use crate::auth::CurrentUser;
use crate::error::{ApiResult, AppError, Problem};
use crate::overseas as uc;
use crate::state::AppState;

pub fn routes() -> Routes {
    Routes::new()
        .route("/overseas/requests", post(create_request))
        .route("/overseas/mine", get(mine))
        .route("/overseas/windows", get(windows))
        .route("/overseas/export", get(export))
        .route("/overseas/{id}", get(get_window))
        .route("/overseas/{id}/withdraw", post(withdraw))
        .route("/usage/streaming-exceptions", get(list_exceptions).post(create_exception))
        .route("/usage/imports", get(import_runs))
        .route("/usage/imports/{feed}", post(import_usage))
}

/// The overseas and usage part of the OpenAPI document, merged into the API's.
#[derive(OpenApi)]
#[openapi(
    paths(
        create_request,
        mine,
        windows,
        export,
        get_window,
        withdraw,
        list_exceptions,
        create_exception,
        import_runs,
        import_usage
    ),
    components(schemas(
        OverseasIn,
        OverseasCreated,
        WindowOut,
        StreamingExceptionIn,
        StreamingExceptionOut,
        ImportRunOut,
        UsageImportOut,
        RejectedOut
    ))
)]
pub struct OverseasApi;

fn ts(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

fn ts_us(us: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000).map(ts).unwrap_or_default()
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
    user: CurrentUser,
    headers: HeaderMap,
    JsonIn(b): JsonIn<OverseasIn>,
) -> ApiResult<(StatusCode, Json<OverseasCreated>)> {
    user.check_csrf(csrf_header(&headers))?;
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
    let rows = uc::export(&state, &user).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"overseas-windows.csv\""),
        ],
        uc::export_csv(&rows),
    )
        .into_response())
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
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<WindowOut>> {
    user.check_csrf(csrf_header(&headers))?;
    uc::withdraw(&state, &user, id).await?;
    let v = uc::view(&state, &user, id).await?;
    Ok(Json(WindowOut::from(&v.item)))
}

/// A policing-purpose exception for streaming video (WP034 4.6).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StreamingExceptionIn {
    /// The person it covers (the caller must be their line manager).
    pub staff_number: String,
    /// The specific policing purpose.
    pub reason: String,
    /// Last day covered, YYYY-MM-DD (inclusive).
    pub until: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StreamingExceptionOut {
    pub id: Uuid,
    pub person: String,
    pub staff_number: String,
    pub reason: String,
    pub approver: String,
    pub from: String,
    pub expires: String,
    pub created_at: String,
}

impl From<&StreamingExceptionItem> for StreamingExceptionOut {
    fn from(e: &StreamingExceptionItem) -> Self {
        Self {
            id: e.id,
            person: e.person_name.clone(),
            staff_number: e.staff_number.clone(),
            reason: e.reason.clone(),
            approver: e.approver_name.clone(),
            from: ts_us(e.from_us),
            expires: ts_us(e.expires_us),
            created_at: ts(e.created_at),
        }
    }
}

/// Streaming exceptions the caller may see (every one for Digital Services; otherwise their own,
/// those they approved and those about the people they manage).
#[utoipa::path(get, path = "/usage/streaming-exceptions", tag = "usage", responses((status = 200, body = [StreamingExceptionOut])))]
async fn list_exceptions(
    State(state): State<AppState>,
    user: CurrentUser,
) -> ApiResult<Json<Vec<StreamingExceptionOut>>> {
    Ok(Json(uc::streaming_exceptions(&state, &user).await?.iter().map(StreamingExceptionOut::from).collect()))
}

/// Record a streaming exception as the person's line manager (WP034 4.6): who, why, approver
/// (the caller), expiry.
#[utoipa::path(post, path = "/usage/streaming-exceptions", tag = "usage", request_body = StreamingExceptionIn, responses((status = 201, body = Uuid), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_exception(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    JsonIn(b): JsonIn<StreamingExceptionIn>,
) -> ApiResult<(StatusCode, Json<Uuid>)> {
    user.check_csrf(csrf_header(&headers))?;
    let id = uc::record_streaming_exception(&state, &user, &b.staff_number, &b.reason, &b.until).await?;
    Ok((StatusCode::CREATED, Json(id)))
}

/// One usage import run.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportRunOut {
    pub run: String,
    pub at: String,
    pub actor: String,
    /// feed, file_sha256, rows, imported, duplicates, rejected, findings_opened, findings_updated, pack_version
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

impl From<&UsageImportRun> for ImportRunOut {
    fn from(r: &UsageImportRun) -> Self {
        Self { run: r.run.clone(), at: ts(r.at), actor: r.actor.clone(), detail: r.detail.clone() }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RejectedOut {
    pub line: u64,
    pub record_id: Option<String>,
    pub reason: String,
}

/// The outcome of one usage import.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsageImportOut {
    pub run_id: Uuid,
    pub feed: String,
    pub rows: u64,
    pub imported: u64,
    pub duplicates: u64,
    pub rejected: Vec<RejectedOut>,
    pub file_sha256: String,
    pub findings_opened: u64,
    pub findings_updated: u64,
}

impl From<&UsageImport> for UsageImportOut {
    fn from(r: &UsageImport) -> Self {
        Self {
            run_id: r.run_id,
            feed: r.feed.as_str().into(),
            rows: r.rows,
            imported: r.imported,
            duplicates: r.duplicates,
            rejected: r
                .rejected
                .iter()
                .map(|e| RejectedOut { line: e.line, record_id: e.record_id.clone(), reason: e.reason.clone() })
                .collect(),
            file_sha256: r.file_sha256.clone(),
            findings_opened: r.findings_opened,
            findings_updated: r.findings_updated,
        }
    }
}

/// The last usage import runs (from their audit events), newest first (Digital Services).
#[utoipa::path(get, path = "/usage/imports", tag = "usage", responses((status = 200, body = [ImportRunOut]), (status = 403, body = Problem)))]
async fn import_runs(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Vec<ImportRunOut>>> {
    Ok(Json(uc::import_runs(&state, &user).await?.iter().map(ImportRunOut::from).collect()))
}

/// The layout of an uploaded usage file.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct ImportQuery {
    /// Another supplier's layout from the usage pack (column names, date format); absent means
    /// the standard layout.
    profile: Option<String>,
}

/// Import a carrier (`carrier`) or web gateway (`web`) CSV file (WP034 4.1): idempotent, bad
/// rows listed with line and reason while the good rows are stored, the run audited with the
/// file's SHA-256.
#[utoipa::path(post, path = "/usage/imports/{feed}", tag = "usage", params(("feed" = String, Path), ImportQuery), request_body(content = serde_json::Value, content_type = "text/csv", description = "A CSV file; rows the server cannot read are refused, or listed and skipped with skip_invalid."), responses((status = 200, body = UsageImportOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn import_usage(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(feed): Path<String>,
    Query(q): Query<ImportQuery>,
    body: axum::body::Body,
) -> ApiResult<Json<UsageImportOut>> {
    use futures_util::StreamExt;
    user.check_csrf(csrf_header(&headers))?;
    state.require(&user, Action::UsageImport, &Resource::System)?;
    let mut spool = uc::Spool::new()?;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| AppError::invalid("body", format!("the upload did not arrive whole: {e}")))?;
        spool.push(&chunk).await?;
    }
    let r = uc::import_usage(&state, &user, &feed, q.profile.as_deref(), spool.finish().await?).await?;
    Ok(Json(UsageImportOut::from(&r)))
}
