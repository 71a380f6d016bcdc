//! Approved apps under /api/v1 (WP034 4.8, 6.5): the catalogue and its grants, the inventory and
//! catalogue imports, the unlisted apps seen, the MDM export, and requests for apps with their
//! approval steps and timeline. Direct-messaging apps carry the 6.5 warning in every answer.

use crate::routing::Routes;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use custodian_store::apps::{AppRecord, AppRequestRecord, EvalSummary, GrantRecord, UnlistedSeen};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::routes;
use uuid::Uuid;

use crate::api::{CsrfHeader, JsonIn};
use crate::approvals::api::{StepOut, TimelineOut};
use crate::apps as uc;
use crate::auth::CurrentUser;
use crate::error::{ApiResult, AppError, FieldProblem, Problem};
use crate::state::AppState;

pub fn routes() -> Routes {
    Routes::documented(AppsApi::openapi())
        .routes(routes!(list_apps, create_app))
        .routes(routes!(unlisted))
        .routes(routes!(export))
        .routes(routes!(import_catalogue))
        .routes(routes!(my_requests, create_request))
        .routes(routes!(get_request))
        .routes(routes!(decide))
        .routes(routes!(withdraw))
        .routes(routes!(revoke_grant))
        .routes(routes!(get_app))
        .routes(routes!(create_grant))
        .routes(routes!(import_inventory))
}

/// The apps part of the OpenAPI document: its schemas, which `routes()` starts from and adds its operations to.
#[derive(OpenApi)]
#[openapi(components(schemas(
    AppOut,
    GrantOut,
    AppIn,
    GrantIn,
    RevokeIn,
    EvalOut,
    UnlistedOut,
    AppsImportOut,
    AppRequestIn,
    AppRequestOut,
    AppDecideIn,
    GrantCreatedOut
)))]
pub struct AppsApi;

fn ts(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

fn parse_ts(field: &str, v: Option<&str>) -> Result<Option<OffsetDateTime>, AppError> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339)
            .map(Some)
            .map_err(|_| AppError::invalid(field, "Give an RFC 3339 date and time, e.g. 2027-03-31T23:59:59Z")),
    }
}

/// A grant: who may have the app (`all`, `role:ROLE`, `area:NAME`, `person:STAFF_NUMBER`).
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantOut {
    pub id: Uuid,
    pub allowed_for: String,
    pub person_name: Option<String>,
    pub expires_at: Option<String>,
    /// Not revoked and not expired.
    pub live: bool,
    /// The approval request that made it, if any.
    pub request_id: Option<Uuid>,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

impl GrantOut {
    fn new(g: &GrantRecord, now: OffsetDateTime) -> Self {
        Self {
            id: g.id,
            allowed_for: g.audience_text(),
            person_name: g.person_name.clone(),
            expires_at: g.expires_at.map(ts),
            live: g.live(now),
            request_id: g.request_id,
            created_at: ts(g.created_at),
            revoked_at: g.revoked_at.map(ts),
        }
    }
}

/// An app of the catalogue (WP034 4.8).
#[derive(Debug, Serialize, ToSchema)]
pub struct AppOut {
    pub id: Uuid,
    pub name: String,
    /// android, ios or windows
    pub platform: String,
    pub package_id: String,
    pub publisher: String,
    /// messaging, social, productivity, navigation, camera_evidence or other
    pub category: String,
    pub store_url: Option<String>,
    /// In the catalogue (false: first named in a request, not yet approved).
    pub listed: bool,
    /// WP034 6.5's rule, for direct-messaging apps.
    pub warning: Option<String>,
    pub grants: Vec<GrantOut>,
}

impl AppOut {
    fn new(a: &AppRecord, now: OffsetDateTime) -> Self {
        Self {
            id: a.id,
            name: a.name.clone(),
            platform: a.platform.as_str().into(),
            package_id: a.package_id.clone(),
            publisher: a.publisher.clone(),
            category: a.category.as_str().into(),
            store_url: a.store_url.clone(),
            listed: a.listed,
            warning: a.direct_messaging.then(|| custodian_domain::apps::DIRECT_MESSAGING_WARNING.to_string()),
            grants: a.grants.iter().map(|g| GrantOut::new(g, now)).collect(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppIn {
    pub name: String,
    pub platform: String,
    pub package_id: String,
    pub publisher: String,
    pub category: String,
    pub store_url: Option<String>,
}

impl AppIn {
    fn fields(&self) -> uc::AppFields {
        uc::AppFields {
            name: self.name.clone(),
            platform: self.platform.clone(),
            package_id: self.package_id.clone(),
            publisher: self.publisher.clone(),
            category: self.category.clone(),
            store_url: self.store_url.clone(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantIn {
    /// `all`, `role:ROLE`, `area:BUSINESS AREA` or `person:STAFF_NUMBER`.
    pub allowed_for: String,
    /// RFC 3339; none for no expiry.
    pub expires_at: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeIn {
    pub reason: String,
}

/// What a re-evaluation of the 4.8 findings changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvalOut {
    pub unapproved: usize,
    pub opened: usize,
    pub reopened: usize,
    pub closed: usize,
}

impl From<EvalSummary> for EvalOut {
    fn from(e: EvalSummary) -> Self {
        Self { unapproved: e.unapproved, opened: e.opened, reopened: e.reopened, closed: e.closed }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GrantCreatedOut {
    pub id: Uuid,
    pub evaluation: EvalOut,
}

/// An app seen on devices that is not in the catalogue.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnlistedOut {
    pub package_id: String,
    pub app_name: Option<String>,
    pub devices: i64,
    pub last_seen: String,
}

impl From<&UnlistedSeen> for UnlistedOut {
    fn from(u: &UnlistedSeen) -> Self {
        Self {
            package_id: u.package_id.clone(),
            app_name: u.app_name.clone(),
            devices: u.devices,
            last_seen: ts(u.last_seen),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AppsImportOut {
    #[serde(flatten)]
    pub summary: crate::api::dto::ImportOut,
    pub skipped: Vec<FieldProblem>,
    pub evaluation: EvalOut,
}

fn import_out(o: uc::AppsImportOutcome) -> Json<AppsImportOut> {
    Json(AppsImportOut {
        summary: crate::api::dto::ImportOut::from(o.import.summary),
        skipped: o.import.skipped.into_iter().map(FieldProblem::from).collect(),
        evaluation: o.evaluation.into(),
    })
}

/// A request for an app: a catalogue app (`app_id`) or a new one (`new_app`, with its store link).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppRequestIn {
    pub app_id: Option<Uuid>,
    pub new_app: Option<AppIn>,
    /// Devices allocated to the requester.
    pub devices: Vec<Uuid>,
    pub business_need: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AppRequestOut {
    pub id: Uuid,
    pub approval_id: Uuid,
    pub requester: String,
    /// The requester's business area when the request was made.
    pub business_area: Option<String>,
    pub app: AppOut,
    pub devices: Vec<String>,
    pub business_need: String,
    /// pending, approved, rejected or withdrawn
    pub status: String,
    pub grant_id: Option<Uuid>,
    pub created_at: String,
    pub steps: Vec<StepOut>,
    pub timeline: Vec<TimelineOut>,
    /// Step keys the caller may decide now (single request only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_decide: Option<Vec<String>>,
}

impl AppRequestOut {
    fn new(r: &AppRequestRecord, now: OffsetDateTime) -> Self {
        Self {
            id: r.id,
            approval_id: r.approval.id,
            requester: r.requester_name.clone(),
            business_area: r.business_area.clone(),
            app: AppOut::new(&r.app, now),
            devices: r.devices.clone(),
            business_need: r.business_need.clone(),
            status: r.approval.status.as_str().into(),
            grant_id: r.grant_id,
            created_at: ts(r.created_at),
            steps: r.approval.steps.iter().map(|s| StepOut::new(s, now)).collect(),
            timeline: r.timeline.iter().map(TimelineOut::from).collect(),
            can_decide: None,
        }
    }
}

/// A decision on one step; Digital Services' approval grants the app.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppDecideIn {
    /// head_of_department or digital_services
    pub step: String,
    /// approve or reject
    pub verdict: String,
    /// Required to reject.
    pub reasons: Option<String>,
    /// On Digital Services' approval: `requester` (default) or a role to grant the app to.
    pub grant_to: Option<String>,
    /// On Digital Services' approval: RFC 3339 expiry of the grant; none for no expiry.
    pub expires_at: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    pub role: String,
    /// amapi (default) or csv
    pub format: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SkipQuery {
    /// Import the valid rows and list the invalid ones, instead of rejecting the file.
    pub skip_invalid: Option<bool>,
}

/// The catalogue: every app with its grants, direct-messaging apps with WP034 6.5's warning.
#[utoipa::path(get, path = "/apps", tag = "apps", responses((status = 200, body = [AppOut])))]
async fn list_apps(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Vec<AppOut>>> {
    let now = state.now();
    Ok(Json(uc::catalogue(&state, &user).await?.iter().map(|a| AppOut::new(a, now)).collect()))
}

/// Add an app to the catalogue, or update it (Digital Services, WP034 4.8).
#[utoipa::path(post, path = "/apps", tag = "apps", request_body = AppIn, responses((status = 200, body = AppOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_app(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    JsonIn(b): JsonIn<AppIn>,
) -> ApiResult<Json<AppOut>> {
    let id = uc::add_app(&state, &user, &b.fields()).await?;
    Ok(Json(AppOut::new(&uc::app(&state, &user, id).await?, state.now())))
}

/// One app with its grants.
#[utoipa::path(get, path = "/apps/{id}", tag = "apps", params(("id" = Uuid, Path)), responses((status = 200, body = AppOut), (status = 404, body = Problem)))]
async fn get_app(State(state): State<AppState>, user: CurrentUser, Path(id): Path<Uuid>) -> ApiResult<Json<AppOut>> {
    Ok(Json(AppOut::new(&uc::app(&state, &user, id).await?, state.now())))
}

/// Grant an app to everyone, a role, a business area or a person, optionally until an expiry;
/// the app's 4.8 findings are re-evaluated at once.
#[utoipa::path(post, path = "/apps/{id}/grants", tag = "apps", params(("id" = Uuid, Path)), request_body = GrantIn, responses((status = 200, body = GrantCreatedOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_grant(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
    JsonIn(b): JsonIn<GrantIn>,
) -> ApiResult<Json<GrantCreatedOut>> {
    let expires = parse_ts("expires_at", b.expires_at.as_deref())?;
    let (gid, eval) = uc::grant(&state, &user, id, &b.allowed_for, expires).await?;
    Ok(Json(GrantCreatedOut { id: gid, evaluation: eval.into() }))
}

/// Revoke a grant; the app's 4.8 findings are re-evaluated at once.
#[utoipa::path(post, path = "/apps/grants/{id}/revoke", tag = "apps", params(("id" = Uuid, Path)), request_body = RevokeIn, responses((status = 200, body = EvalOut), (status = 404, body = Problem)))]
async fn revoke_grant(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
    JsonIn(b): JsonIn<RevokeIn>,
) -> ApiResult<Json<EvalOut>> {
    Ok(Json(uc::revoke_grant(&state, &user, id, &b.reason).await?.into()))
}

/// Apps seen on devices that are not in the catalogue, most widespread first (Digital Services).
#[utoipa::path(get, path = "/apps/unlisted", tag = "apps", responses((status = 200, body = [UnlistedOut]), (status = 403, body = Problem)))]
async fn unlisted(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Vec<UnlistedOut>>> {
    Ok(Json(uc::unlisted(&state, &user).await?.iter().map(UnlistedOut::from).collect()))
}

/// A role's approved apps for the MDM: an Android Management API policy fragment (`amapi`) or CSV.
#[utoipa::path(get, path = "/apps/export", tag = "apps", params(ExportQuery), responses((status = 200, description = "The approved apps: an Android Management API policy fragment, or CSV", content((serde_json::Value = "application/json"), (String = "text/csv"))), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn export(State(state): State<AppState>, user: CurrentUser, Query(q): Query<ExportQuery>) -> ApiResult<Response> {
    let format = q.format.unwrap_or_else(|| "amapi".into());
    let body = uc::export_as(&state, &user, &q.role, &format).await?;
    let ct = if format.trim() == "csv" { "text/csv; charset=utf-8" } else { "application/json" };
    Ok(([(header::CONTENT_TYPE, ct)], body).into_response())
}

/// Load the catalogue CSV (`name,platform,package_id,publisher,category,allowed_for`).
#[utoipa::path(post, path = "/apps/import-catalogue", tag = "apps", params(SkipQuery), request_body(content = serde_json::Value, content_type = "text/csv", description = "A CSV file; rows the server cannot read are refused, or listed and skipped with skip_invalid."), responses((status = 200, body = AppsImportOut), (status = 422, body = Problem)))]
async fn import_catalogue(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Query(q): Query<SkipQuery>,
    body: Bytes,
) -> ApiResult<Json<AppsImportOut>> {
    Ok(import_out(uc::import_catalogue_as(&state, &user, &body, q.skip_invalid.unwrap_or(false)).await?))
}

/// Import an installed-apps inventory: CSV `device,app_id,version,seen_at` (device = asset tag or
/// IMEI) or a Microsoft Graph detectedApps / managed-device JSON export. Unknown devices are
/// listed in `unmatched` with their line.
#[utoipa::path(post, path = "/imports/apps", tag = "imports", params(SkipQuery), request_body(content = serde_json::Value, content_type = "text/csv", description = "A CSV file; rows the server cannot read are refused, or listed and skipped with skip_invalid."), responses((status = 200, body = AppsImportOut), (status = 422, body = Problem)))]
async fn import_inventory(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Query(q): Query<SkipQuery>,
    body: Bytes,
) -> ApiResult<Json<AppsImportOut>> {
    Ok(import_out(uc::import_inventory_as(&state, &user, &body, q.skip_invalid.unwrap_or(false)).await?))
}

/// The caller's app requests, newest first, each with its steps and timeline.
#[utoipa::path(get, path = "/apps/requests", tag = "apps", responses((status = 200, body = [AppRequestOut])))]
async fn my_requests(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Vec<AppRequestOut>>> {
    let now = state.now();
    let mut out = vec![];
    for r in uc::my_requests(&state, &user).await? {
        let full = state.store().app_request_get(r.id).await?.unwrap_or(r);
        out.push(AppRequestOut::new(&full, now));
    }
    Ok(Json(out))
}

/// Request an app for one's device(s), with the business need (WP034 4.8): the Head of
/// Department of the requester's business area decides first, then Digital Services.
#[utoipa::path(post, path = "/apps/requests", tag = "apps", request_body = AppRequestIn, responses((status = 200, body = AppRequestOut), (status = 422, body = Problem)))]
async fn create_request(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    JsonIn(b): JsonIn<AppRequestIn>,
) -> ApiResult<Json<AppRequestOut>> {
    let f = uc::RequestFields {
        app_id: b.app_id,
        new_app: b.new_app.as_ref().map(AppIn::fields),
        devices: b.devices.clone(),
        business_need: b.business_need.clone(),
    };
    let id = uc::request(&state, &user, &f).await?;
    let v = uc::view_request(&state, &user, id).await?;
    Ok(Json(AppRequestOut::new(&v.request, state.now())))
}

/// One app request with its steps, timeline and the steps the caller may decide.
#[utoipa::path(get, path = "/apps/requests/{id}", tag = "apps", params(("id" = Uuid, Path)), responses((status = 200, body = AppRequestOut), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_request(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<AppRequestOut>> {
    let v = uc::view_request(&state, &user, id).await?;
    let mut out = AppRequestOut::new(&v.request, state.now());
    out.can_decide = Some(v.can_decide);
    Ok(Json(out))
}

/// Decide a step: approve, or reject with reasons. Digital Services' approval grants the app
/// (to the requester or a role, optionally expiring) and closes the 4.8 findings it covers.
#[utoipa::path(post, path = "/apps/requests/{id}/decide", tag = "apps", params(("id" = Uuid, Path)), request_body = AppDecideIn, responses((status = 200, body = AppRequestOut), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn decide(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
    JsonIn(b): JsonIn<AppDecideIn>,
) -> ApiResult<Json<AppRequestOut>> {
    let expires = parse_ts("expires_at", b.expires_at.as_deref())?;
    let d = crate::approvals::Decision { step: &b.step, verdict: &b.verdict, reasons: b.reasons.as_deref() };
    let r = uc::decide(&state, &user, id, d, b.grant_to.as_deref(), expires).await?;
    Ok(Json(AppRequestOut::new(&r, state.now())))
}

/// The requester withdraws the request before a final decision.
#[utoipa::path(post, path = "/apps/requests/{id}/withdraw", tag = "apps", params(("id" = Uuid, Path)), responses((status = 200, body = AppRequestOut), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn withdraw(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<AppRequestOut>> {
    let r = uc::withdraw(&state, &user, id).await?;
    Ok(Json(AppRequestOut::new(&r, state.now())))
}
