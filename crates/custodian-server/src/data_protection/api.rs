//! Data protection (WP034 3.4, 5.5; UK GDPR, DPA 2018) under /api/v1: the retention status, legal
//! holds and the subject access export.

use crate::routing::Routes;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use custodian_domain::data_protection::export::Form;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::routes;
use uuid::Uuid;

use crate::api::{CsrfHeader, JsonIn};
use crate::auth::CurrentUser;
use crate::data_protection as uc;
use crate::error::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> Routes {
    Routes::documented(DataProtectionApi::openapi())
        .routes(routes!(retention))
        .routes(routes!(holds, place))
        .routes(routes!(release))
        .routes(routes!(export))
}

/// The data-protection part of the OpenAPI document: its schemas, which `routes()` starts from and adds its operations to.
#[derive(OpenApi)]
#[openapi(components(schemas(RetentionOut, HoldOut, HoldIn, ReleaseIn)))]
pub struct DataProtectionApi;

fn ts(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// One record type of the retention schedule and its numbers now.
#[derive(Debug, Serialize, ToSchema)]
pub struct RetentionOut {
    pub id: String,
    pub title: String,
    /// delete, review or keep
    pub action: String,
    /// e.g. "13 months"
    pub keep: String,
    pub clause: String,
    /// Records older than this are past their period (absent when kept).
    pub cutoff: Option<String>,
    pub count: i64,
    pub oldest: Option<String>,
    pub due: i64,
    pub held: i64,
}

/// Each record type with its count, oldest record and how many are due (Data Protection
/// Officer, Digital Services).
#[utoipa::path(get, path = "/data-protection/retention", tag = "data_protection", responses((status = 200, body = [RetentionOut]), (status = 403, body = Problem)))]
async fn retention(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Vec<RetentionOut>>> {
    let rows = uc::status(&state, &user).await?;
    Ok(Json(
        rows.into_iter()
            .map(|s| RetentionOut {
                id: s.id,
                title: s.title,
                action: s.action.to_string(),
                keep: s.keep,
                clause: s.clause,
                cutoff: s.cutoff.map(ts),
                count: s.numbers.count,
                oldest: s.numbers.oldest.map(ts),
                due: s.numbers.due,
                held: s.numbers.held,
            })
            .collect(),
    ))
}

/// A legal hold.
#[derive(Debug, Serialize, ToSchema)]
pub struct HoldOut {
    pub id: Uuid,
    /// person or case
    pub scope: String,
    /// person:ID, finding:ID, case:ID or post:ID
    pub subject: String,
    pub staff_number: Option<String>,
    pub reason: String,
    pub review_on: String,
    pub created_at: String,
    pub created_by: String,
    pub released_at: Option<String>,
    pub released_by: Option<String>,
    pub release_reason: Option<String>,
}

impl From<custodian_store::data_protection::LegalHold> for HoldOut {
    fn from(h: custodian_store::data_protection::LegalHold) -> Self {
        Self {
            id: h.id,
            scope: h.scope,
            subject: h.subject,
            staff_number: h.staff_number,
            reason: h.reason,
            review_on: h.review_on.to_string(),
            created_at: ts(h.created_at),
            created_by: h.created_by,
            released_at: h.released_at.map(ts),
            released_by: h.released_by,
            release_reason: h.release_reason,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HoldsQuery {
    /// Include released holds (default false).
    pub all: Option<bool>,
}

/// Legal holds, open ones first (Professional Standards, Data Protection Officer).
#[utoipa::path(get, path = "/data-protection/holds", tag = "data_protection", params(HoldsQuery), responses((status = 200, body = [HoldOut]), (status = 403, body = Problem)))]
async fn holds(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<HoldsQuery>,
) -> ApiResult<Json<Vec<HoldOut>>> {
    Ok(Json(uc::holds(&state, &user, q.all.unwrap_or(false)).await?.into_iter().map(HoldOut::from).collect()))
}

/// A legal hold to place: a person (staff number) or a case, never both.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldIn {
    pub staff_number: Option<String>,
    /// finding:ID, case:ID (a monitoring case) or post:ID
    pub case: Option<String>,
    pub reason: String,
    /// YYYY-MM-DD, within two years.
    pub review_on: String,
}

/// Place a legal hold: the records stop being deleted until it is released (Professional
/// Standards; WP034 5.5).
#[utoipa::path(post, path = "/data-protection/holds", tag = "data_protection", request_body = HoldIn, responses((status = 201, body = HoldOut), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn place(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    JsonIn(b): JsonIn<HoldIn>,
) -> ApiResult<(StatusCode, Json<HoldOut>)> {
    let f = uc::HoldForm {
        staff_number: b.staff_number.unwrap_or_default(),
        case: b.case.unwrap_or_default(),
        reason: b.reason,
        review_on: b.review_on,
    };
    let id = uc::place_hold(&state, &user, &f).await?;
    let h = state.store().holds(false).await?.into_iter().find(|h| h.id == id);
    let h = h.ok_or_else(|| crate::error::AppError::NotFound(format!("hold {id}")))?;
    Ok((StatusCode::CREATED, Json(HoldOut::from(h))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseIn {
    pub reason: String,
}

/// Release a legal hold, saying why (Professional Standards).
#[utoipa::path(post, path = "/data-protection/holds/{id}/release", tag = "data_protection", params(("id" = Uuid, Path)), request_body = ReleaseIn, responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn release(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
    JsonIn(b): JsonIn<ReleaseIn>,
) -> ApiResult<StatusCode> {
    uc::release_hold(&state, &user, id, &b.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// The subject access request's reference and reason (recorded in the audit log).
    pub reason: String,
    /// json (default) or html
    pub form: Option<String>,
}

/// Everything held about one person as JSON (or HTML), written in full before it is sent, other
/// people shown by their roles (Data Protection Officer; UK GDPR Art. 15). Audited before
/// anything is read.
#[utoipa::path(get, path = "/data-protection/people/{staff_number}/export", tag = "data_protection", params(("staff_number" = String, Path), ExportQuery), responses((status = 200, content_type = "application/json", body = String), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem), (status = 500, body = Problem)))]
async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(staff_number): Path<String>,
    Query(q): Query<ExportQuery>,
) -> ApiResult<Response> {
    let form = match q.form.as_deref() {
        None | Some("json") => Form::Json,
        Some("html") => Form::Html,
        Some(other) => {
            return Err(crate::error::AppError::invalid("form", format!("{other:?} is not json or html")).into());
        }
    };
    let p = uc::begin_export(&state, &user, &staff_number, &q.reason, form).await?;
    Ok(super::ui::download_export(&state, p, form).await?)
}
