//! The JSON API under /api/v1: bearer tokens (or a browser session), RFC 9457 problem+json
//! errors, pagination, and an OpenAPI 3.1 document generated from this code.

pub mod approvals;
pub mod apps;
pub mod contract;
pub mod dto;
pub mod monitoring;
pub mod overseas;
pub mod posts;
pub mod screening;

use crate::routing::{Routes, get, post};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use custodian_authz::{Action, Resource};
use custodian_domain::devices::{DeviceStatus, DeviceType};
use custodian_domain::findings::FindingStatus;
use custodian_domain::people::PersonStatus;
use custodian_store::{DeviceFilter, FindingFilter, PersonFilter};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;
use crate::usecases as uc;
use dto::*;

pub fn routes() -> Routes {
    Routes::new()
        .route("/openapi.json", get(openapi_json))
        .route("/me", get(me))
        .route("/people", get(list_people))
        .route("/people/{id}", get(get_person))
        .route("/people/{id}/personal-numbers", get(personal_numbers))
        .route("/devices", get(list_devices).post(create_device))
        .route("/devices/{id}", get(get_device))
        .route("/devices/{id}/history", get(device_history))
        .route("/devices/{id}/allocate", post(allocate))
        .route("/devices/{id}/transition", post(transition))
        .route("/devices/{id}/confirm-receipt", post(confirm_receipt))
        .route("/devices/{id}/report-loss", post(report_loss))
        .route("/imports/people", post(import_people))
        .route("/imports/devices", post(import_devices))
        .route("/imports/intune", post(import_intune))
        .route("/findings", get(list_findings))
        .route("/findings/{id}", get(get_finding))
        .route("/findings/{id}/review", post(review_finding))
        .route("/audit/events", get(audit_events))
        .route("/audit/verify", get(audit_verify))
        .route("/policy/clauses/{id}", get(policy_clause))
        .merge(monitoring::routes())
        .merge(screening::routes())
        .merge(approvals::routes())
        .merge(posts::routes())
        .merge(overseas::routes())
        .merge(apps::routes())
        .layer(axum::middleware::map_response(problem_for_rejections))
}

/// Axum's own refusals (a path or query parameter of the wrong type, a method the path does not
/// answer) are plain text; the API answers every error as problem+json, as documented.
async fn problem_for_rejections(res: axum::response::Response) -> axum::response::Response {
    use axum::response::IntoResponse;
    let status = res.status();
    if !matches!(status, StatusCode::BAD_REQUEST | StatusCode::METHOD_NOT_ALLOWED | StatusCode::UNSUPPORTED_MEDIA_TYPE)
        || res
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .is_some_and(|c| c.as_bytes().starts_with(b"application/problem+json"))
    {
        return res;
    }
    let (parts, body) = res.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let detail = if text.trim().is_empty() {
        status.canonical_reason().unwrap_or("Bad request").to_string()
    } else {
        text.trim().to_string()
    };
    let problem = crate::error::Problem {
        kind: "about:blank".into(),
        title: status.canonical_reason().unwrap_or("Bad request").into(),
        status: status.as_u16(),
        detail,
        errors: Vec::new(),
    };
    let mut out = (status, Json(problem)).into_response();
    out.headers_mut()
        .insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/problem+json"));
    if let Some(allow) = parts.headers.get(axum::http::header::ALLOW) {
        out.headers_mut().insert(axum::http::header::ALLOW, allow.clone());
    }
    out
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Custodian API", description = "Custodian runs Warwickshire Police's Mobile Devices and Social Media Policy (WP034). Every operation names the clause it enforces.", version = "1"),
    paths(me, list_people, get_person, personal_numbers, list_devices, create_device, get_device, device_history, allocate, transition, confirm_receipt, report_loss,
          import_people, import_devices, import_intune, list_findings, get_finding, review_finding, audit_events, audit_verify, policy_clause),
    components(schemas(Problem, PersonOut, DeviceOut, DeviceEventOut, FindingOut, AuditEventOut, PersonPage, DevicePage, FindingPage, AuditPage,
                        AllocateIn, TransitionIn, ReportLossIn, ReviewIn, DeviceIn, ImportOut, ImportResult, VerifyOut, ClauseOut)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;
impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        openapi.servers = Some(vec![utoipa::openapi::Server::new("/api/v1")]);
    }
}

/// The OpenAPI document (3.1), completed by [`contract::complete`].
pub fn openapi() -> serde_json::Value {
    let mut doc = serde_json::to_value(generated()).unwrap_or_default();
    contract::complete(&mut doc);
    doc
}

/// The document as the annotations generate it.
pub fn generated() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
        .merge_from(monitoring::MonitoringApi::openapi())
        .merge_from(screening::ScreeningApi::openapi())
        .merge_from(approvals::ApprovalsApi::openapi())
        .merge_from(posts::PostsApi::openapi())
        .merge_from(overseas::OverseasApi::openapi())
        .merge_from(apps::AppsApi::openapi())
}

async fn openapi_json() -> Json<serde_json::Value> {
    Json(openapi())
}

/// A JSON body extractor whose errors are problem+json naming the JSON pointer or field.
pub struct JsonIn<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for JsonIn<T> {
    type Rejection = crate::error::ApiError;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(crate::forms::body_rejection)?;
        // Read the document first, so every string in it is checked for control characters
        // (a 422 naming its JSON pointer) before any field is used.
        let doc: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| AppError::invalid("body", e.to_string()))?;
        crate::forms::check_json_text(&doc)?;
        serde_path_to_error::deserialize(doc).map(JsonIn).map_err(|e| {
            let pointer = format!("/{}", e.path().to_string().replace('.', "/").trim_start_matches('.'));
            let inner = e.into_inner();
            let field = if pointer == "/" || pointer == "/." { "body".to_string() } else { pointer };
            crate::error::ApiError(AppError::invalid(&field, inner.to_string()))
        })
    }
}

fn parse_opt<T>(field: &str, v: &Option<String>, f: impl Fn(&str) -> Option<T>) -> Result<Option<T>, AppError> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => f(s).map(Some).ok_or_else(|| AppError::invalid(field, format!("{s:?} is not a recognised value"))),
    }
}

/// The signed-in person.
#[utoipa::path(get, path = "/me", tag = "people", responses((status = 200, body = PersonOut), (status = 401, body = Problem)))]
async fn me(user: CurrentUser) -> Json<PersonOut> {
    Json(PersonOut::from(&user.person))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PeopleQuery {
    q: Option<String>,
    business_area: Option<String>,
    /// active or leaver
    status: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

/// People and their business areas (WP034 4.1).
#[utoipa::path(get, path = "/people", tag = "people", params(PeopleQuery), responses((status = 200, body = PersonPage), (status = 403, body = Problem)))]
async fn list_people(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<PeopleQuery>,
) -> ApiResult<Json<PersonPage>> {
    let (page, per_page) = Paging { page: q.page, per_page: q.per_page }.resolve();
    let f = PersonFilter {
        q: q.q,
        business_area: q.business_area,
        status: parse_opt("status", &q.status, PersonStatus::parse)?,
    };
    let p = uc::list_people(&state, &user, f, page, per_page).await?;
    Ok(Json(PersonPage { items: p.items.iter().map(PersonOut::from).collect(), total: p.total, page, per_page }))
}

/// One person.
#[utoipa::path(get, path = "/people/{id}", tag = "people", params(("id" = Uuid, Path)), responses((status = 200, body = PersonOut), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_person(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<PersonOut>> {
    let (p, _) = uc::view_person(&state, &user, id, None).await?;
    Ok(Json(PersonOut::from(&p)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PersonalNumbersQuery {
    /// Why you need them (at least ten characters and two words); recorded in the audit log.
    /// Not needed for your own record.
    reason: Option<String>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
struct PersonalNumbersOut {
    staff_number: String,
    /// Declared personal phone numbers, E.164.
    personal_phones: Vec<String>,
}

/// A person's declared personal phone numbers (WP034 4.12): shown only with a real reason,
/// which is logged (`person.view_personal_numbers`); a missing or thin reason is a 422 naming
/// `reason`.
#[utoipa::path(get, path = "/people/{id}/personal-numbers", tag = "people", params(("id" = Uuid, Path), PersonalNumbersQuery), responses((status = 200, body = PersonalNumbersOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn personal_numbers(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Query(q): Query<PersonalNumbersQuery>,
) -> ApiResult<Json<PersonalNumbersOut>> {
    let reason = q.reason.as_deref().unwrap_or("");
    let (p, sensitive) = uc::view_person(&state, &user, id, Some(reason)).await?;
    if !sensitive {
        return Err(AppError::invalid("reason", "Give the reason you need to see them").into());
    }
    Ok(Json(PersonalNumbersOut { staff_number: p.staff_number.clone(), personal_phones: p.personal_phones }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DeviceQuery {
    /// Device status, e.g. allocated
    status: Option<String>,
    /// laptop, tablet, phone, radio or other
    #[serde(rename = "type")]
    #[param(rename = "type")]
    device_type: Option<String>,
    /// Search asset tag, serial, IMEI, phone number, make, model or holder
    q: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
    /// Keyset cursor: the last asset tag of the previous page (its `next_after`). Faster than
    /// `page` for deep pages; when given, `page` is ignored.
    after: Option<String>,
}

/// The device register (WP034 1.2, 4.1).
#[utoipa::path(get, path = "/devices", tag = "devices", params(DeviceQuery), responses((status = 200, body = DevicePage), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_devices(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<DeviceQuery>,
) -> ApiResult<Json<DevicePage>> {
    state.require(&user, Action::DevicesList, &Resource::System)?;
    let (page, per_page) = Paging { page: q.page, per_page: q.per_page }.resolve();
    let f = DeviceFilter {
        status: parse_opt("status", &q.status, DeviceStatus::parse)?,
        device_type: parse_opt("type", &q.device_type, DeviceType::parse)?,
        q: q.q,
        holder_id: None,
    };
    let after = q.after.as_deref().map(str::trim).filter(|a| !a.is_empty()).map(str::to_ascii_uppercase);
    let p = state.store().devices_after(&f, after.as_deref(), page, per_page).await?;
    let next_after = if p.items.len() as i64 == per_page { p.items.last().map(|d| d.asset_tag.clone()) } else { None };
    Ok(Json(DevicePage {
        items: p.items.iter().map(DeviceOut::from).collect(),
        total: p.total,
        page,
        per_page,
        next_after,
    }))
}

/// Register a device (WP034 1.2). It starts in stock.
#[utoipa::path(post, path = "/devices", tag = "devices", request_body = DeviceIn, responses((status = 201, body = DeviceOut), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_device(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    JsonIn(d): JsonIn<DeviceIn>,
) -> ApiResult<(StatusCode, Json<DeviceOut>)> {
    user.check_csrf(csrf_header(&headers))?;
    state.require(&user, Action::DevicesCreate, &Resource::System)?;
    let row = crate::forms::device_row(
        &d.asset_tag,
        &d.device_type,
        &d.make,
        &d.model,
        d.serial.as_deref(),
        d.imei.as_deref(),
        d.phone_number.as_deref(),
        d.os.as_deref(),
    )?;
    let dev = state.store().create_device(&row, &user.actor, state.now()).await?;
    Ok((StatusCode::CREATED, Json(DeviceOut::from(&dev))))
}

/// One device.
#[utoipa::path(get, path = "/devices/{id}", tag = "devices", params(("id" = Uuid, Path)), responses((status = 200, body = DeviceOut), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_device(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<DeviceOut>> {
    Ok(Json(DeviceOut::from(&uc::view_device(&state, &user, id).await?)))
}

/// A device's full history: allocations, returns, losses, repairs, examinations.
#[utoipa::path(get, path = "/devices/{id}/history", tag = "devices", params(("id" = Uuid, Path)), responses((status = 200, body = [DeviceEventOut]), (status = 403, body = Problem)))]
async fn device_history(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Vec<DeviceEventOut>>> {
    uc::view_device(&state, &user, id).await?;
    Ok(Json(state.store().device_history(id).await?.iter().map(DeviceEventOut::from).collect()))
}

fn csrf_header(h: &HeaderMap) -> Option<&str> {
    h.get("x-csrf-token").and_then(|v| v.to_str().ok())
}

/// Allocate a device to one named person (WP034 4.1).
#[utoipa::path(post, path = "/devices/{id}/allocate", tag = "devices", params(("id" = Uuid, Path)), request_body = AllocateIn, responses((status = 200, body = DeviceOut), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn allocate(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    JsonIn(b): JsonIn<AllocateIn>,
) -> ApiResult<Json<DeviceOut>> {
    user.check_csrf(csrf_header(&headers))?;
    Ok(Json(DeviceOut::from(&uc::allocate(&state, &user, id, &b.staff_number, &b.reason).await?)))
}

/// Record a return, loss, theft, damage, repair, examination or retirement (WP034 4.7, 5.4).
#[utoipa::path(post, path = "/devices/{id}/transition", tag = "devices", params(("id" = Uuid, Path)), request_body = TransitionIn, responses((status = 200, body = DeviceOut), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn transition(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    JsonIn(b): JsonIn<TransitionIn>,
) -> ApiResult<Json<DeviceOut>> {
    user.check_csrf(csrf_header(&headers))?;
    Ok(Json(DeviceOut::from(&uc::transition(&state, &user, id, &b.status, &b.reason).await?)))
}

/// The holder confirms receipt and accepts responsibility (WP034 4.1, 4.7).
#[utoipa::path(post, path = "/devices/{id}/confirm-receipt", tag = "devices", params(("id" = Uuid, Path)), responses((status = 200, body = DeviceOut), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn confirm_receipt(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<DeviceOut>> {
    user.check_csrf(csrf_header(&headers))?;
    Ok(Json(DeviceOut::from(&uc::confirm_receipt(&state, &user, id).await?)))
}

/// The holder reports the device lost or stolen; Digital Services are alerted (WP034 4.7).
#[utoipa::path(post, path = "/devices/{id}/report-loss", tag = "devices", params(("id" = Uuid, Path)), request_body = ReportLossIn, responses((status = 200, body = DeviceOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn report_loss(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    JsonIn(b): JsonIn<ReportLossIn>,
) -> ApiResult<Json<DeviceOut>> {
    user.check_csrf(csrf_header(&headers))?;
    Ok(Json(DeviceOut::from(&uc::report_loss(&state, &user, id, b.stolen, &b.circumstances).await?)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ImportQuery {
    /// Import the valid rows and list the invalid ones, instead of rejecting the file.
    skip_invalid: Option<bool>,
    /// People import only: ignore role changes the caller may not make (only an administrator
    /// changes roles, and nobody their own) instead of rejecting their rows; they are listed
    /// in `ignored`.
    ignore_roles: Option<bool>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
struct ImportResult {
    #[serde(flatten)]
    summary: ImportOut,
    skipped: Vec<crate::error::FieldProblem>,
    /// Changes not applied in rows that were otherwise imported (role changes under `ignore_roles`).
    ignored: Vec<crate::error::FieldProblem>,
}

fn import_result(mut o: uc::ImportOutcome) -> Json<ImportResult> {
    let ignored = std::mem::take(&mut o.summary.ignored);
    Json(ImportResult {
        summary: ImportOut::from(o.summary),
        skipped: o.skipped.into_iter().map(crate::error::FieldProblem::from).collect(),
        ignored: ignored.into_iter().map(crate::error::FieldProblem::from).collect(),
    })
}

/// Import people from an HR export (CSV body, columns
/// `staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones`).
/// Only an administrator changes roles, and nobody their own roles, line manager or status
/// (WP034 4.1): such rows are rejected with their line and field, or with `ignore_roles` the
/// role changes are ignored and listed.
#[utoipa::path(post, path = "/imports/people", tag = "imports", params(ImportQuery), request_body(content = serde_json::Value, content_type = "text/csv", description = "A CSV file; rows the server cannot read are refused, or listed and skipped with skip_invalid."), responses((status = 200, body = ImportResult), (status = 422, body = Problem)))]
async fn import_people(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> ApiResult<Json<ImportResult>> {
    user.check_csrf(csrf_header(&headers))?;
    Ok(import_result(
        crate::heavy::import(
            &state,
            &user,
            crate::heavy::RegisterImport::People,
            body,
            q.skip_invalid.unwrap_or(false),
            q.ignore_roles.unwrap_or(false),
        )
        .await?,
    ))
}

/// Import the device register (CSV body, columns
/// `asset_tag,type,make,model,serial,imei,phone_number,os,status,allocated_to`).
#[utoipa::path(post, path = "/imports/devices", tag = "imports", params(ImportQuery), request_body(content = serde_json::Value, content_type = "text/csv", description = "A CSV file; rows the server cannot read are refused, or listed and skipped with skip_invalid."), responses((status = 200, body = ImportResult), (status = 422, body = Problem)))]
async fn import_devices(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> ApiResult<Json<ImportResult>> {
    user.check_csrf(csrf_header(&headers))?;
    state.require(&user, Action::DevicesImport, &Resource::System)?;
    Ok(import_result(
        crate::heavy::import(
            &state,
            &user,
            crate::heavy::RegisterImport::Devices,
            body,
            q.skip_invalid.unwrap_or(false),
            false,
        )
        .await?,
    ))
}

/// Apply a Microsoft Intune `managedDevices` export (a JSON array or a Graph page); raises
/// WP034 4.1 findings where the signed-in user is not the holder.
#[utoipa::path(post, path = "/imports/intune", tag = "imports", params(ImportQuery), request_body(content = serde_json::Value, content_type = "application/json", description = "A JSON array of managedDevices, or a Graph page of them; entries the server cannot read are refused, or listed and skipped with skip_invalid."), responses((status = 200, body = ImportResult), (status = 422, body = Problem)))]
async fn import_intune(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> ApiResult<Json<ImportResult>> {
    user.check_csrf(csrf_header(&headers))?;
    state.require(&user, Action::DevicesImport, &Resource::System)?;
    Ok(import_result(
        crate::heavy::import(
            &state,
            &user,
            crate::heavy::RegisterImport::Intune,
            body,
            q.skip_invalid.unwrap_or(false),
            false,
        )
        .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct FindingQuery {
    /// open, under_review or closed
    status: Option<String>,
    rule: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

/// Findings the caller may see (WP034 4.10).
#[utoipa::path(get, path = "/findings", tag = "findings", params(FindingQuery), responses((status = 200, body = FindingPage)))]
async fn list_findings(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<FindingQuery>,
) -> ApiResult<Json<FindingPage>> {
    let (page, per_page) = Paging { page: q.page, per_page: q.per_page }.resolve();
    let f = FindingFilter {
        status: parse_opt("status", &q.status, FindingStatus::parse)?,
        rule: q.rule.filter(|r| !r.is_empty()),
        ..FindingFilter::default()
    };
    let p = uc::list_findings(&state, &user, f, page, per_page).await?;
    Ok(Json(FindingPage { items: p.items.iter().map(FindingOut::from).collect(), total: p.total, page, per_page }))
}

/// One finding, with its clause's words. The view is logged.
#[utoipa::path(get, path = "/findings/{id}", tag = "findings", params(("id" = Uuid, Path)), responses((status = 200, body = FindingOut), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_finding(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<FindingOut>> {
    Ok(Json(FindingOut::from(&uc::view_finding(&state, &user, id).await?)))
}

/// Review a finding: take it under review, or close it with an outcome and reasons (WP034 4.10).
#[utoipa::path(post, path = "/findings/{id}/review", tag = "findings", params(("id" = Uuid, Path)), request_body = ReviewIn, responses((status = 200, body = FindingOut), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn review_finding(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    JsonIn(b): JsonIn<ReviewIn>,
) -> ApiResult<Json<FindingOut>> {
    user.check_csrf(csrf_header(&headers))?;
    Ok(Json(FindingOut::from(
        &uc::review(&state, &user, id, &b.status, b.outcome.as_deref(), b.reasons.as_deref()).await?,
    )))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    subject: Option<String>,
    actor: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/audit/events", tag = "audit", params(AuditQuery), responses((status = 200, body = AuditPage), (status = 403, body = Problem)))]
async fn audit_events(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    state.require(&user, Action::AuditRead, &Resource::System)?;
    let (page, per_page) = Paging { page: q.page, per_page: q.per_page }.resolve();
    let p = state
        .store()
        .audit_page(
            q.subject.as_deref().filter(|s| !s.is_empty()),
            q.actor.as_deref().filter(|s| !s.is_empty()),
            page,
            per_page,
        )
        .await?;
    Ok(Json(AuditPage { items: p.items.iter().map(AuditEventOut::from).collect(), total: p.total, page, per_page }))
}

/// Recompute the audit tree and check every signed checkpoint.
#[utoipa::path(get, path = "/audit/verify", tag = "audit", responses((status = 200, body = VerifyOut), (status = 403, body = Problem)))]
async fn audit_verify(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<VerifyOut>> {
    let r = crate::heavy::audit_verify(&state, &user).await?;
    Ok(Json(VerifyOut {
        events: r.events,
        root: r.root,
        checkpoints_checked: r.checkpoints_checked,
        intact: r.problem.is_none(),
        problem: r.problem,
    }))
}

/// A clause of WP034, by id (e.g. `4.8`, `6.3b`).
#[utoipa::path(get, path = "/policy/clauses/{id}", tag = "policy", params(("id" = String, Path)), responses((status = 200, body = ClauseOut), (status = 404, body = Problem)))]
async fn policy_clause(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ClauseOut>> {
    state.require(&user, Action::PolicyRead, &Resource::System)?;
    let c =
        custodian_domain::policy::clause(&id).ok_or_else(|| AppError::NotFound(format!("WP034 has no clause {id}")))?;
    Ok(Json(ClauseOut { id: c.id().to_string(), title: c.title().to_string(), text: c.text().into_owned() }))
}
