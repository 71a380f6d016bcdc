//! Streaming exceptions (WP034 4.6) and usage imports (4.1) under /api/v1.

use crate::routing::Routes;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use custodian_authz::{Action, Resource};
use custodian_store::overseas::StreamingExceptionItem;
use custodian_store::usage::{UsageImport, UsageImportRun};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::routes;
use uuid::Uuid;

use crate::api::{CsrfHeader, JsonIn};
use crate::auth::CurrentUser;
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;
use crate::usage as uc;

pub fn routes() -> Routes {
    Routes::documented(UsageApi::openapi())
        .routes(routes!(list_exceptions, create_exception))
        .routes(routes!(import_runs))
        .routes(routes!(import_usage))
}

/// The usage part of the OpenAPI document: its schemas, which `routes()` starts from and adds its operations to.
#[derive(OpenApi)]
#[openapi(components(schemas(
    StreamingExceptionIn,
    StreamingExceptionOut,
    ImportRunOut,
    UsageImportOut,
    RejectedOut
)))]
pub struct UsageApi;

fn ts(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

fn ts_us(us: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000).map(ts).unwrap_or_default()
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
    CsrfHeader(user): CsrfHeader,
    JsonIn(b): JsonIn<StreamingExceptionIn>,
) -> ApiResult<(StatusCode, Json<Uuid>)> {
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
    /// Records of a registered device from before its first allocation (unattributed): import
    /// the device register with `allocated_from` and they are attributed (WP034 4.1).
    pub before_first_allocation: u64,
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
            before_first_allocation: r.before_first_allocation,
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
    CsrfHeader(user): CsrfHeader,
    Path(feed): Path<String>,
    Query(q): Query<ImportQuery>,
    body: axum::body::Body,
) -> ApiResult<Json<UsageImportOut>> {
    use futures_util::StreamExt;
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
