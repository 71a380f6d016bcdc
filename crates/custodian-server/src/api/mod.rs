//! The JSON API under /api/v1: bearer tokens (or a browser session), RFC 9457 problem+json
//! errors, pagination, and an OpenAPI 3.1 document generated from this code.

pub mod contract;
pub mod dto;

use crate::routing::{Routes, get};
use axum::Json;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use utoipa::OpenApi;

use crate::error::{AppError, Problem};
use dto::ImportOut;

use crate::audit::api::{AuditEventOut, AuditPage, VerifyOut};
use crate::devices::api::{
    AllocateIn, DeviceEventOut, DeviceIn, DeviceOut, DevicePage, MdmStateOut, ReportLossIn, TransitionIn,
};
use crate::findings::api::{FindingOut, FindingPage, ReviewIn};
use crate::imports::api::ImportResult;
use crate::people::api::{PersonOut, PersonPage};
use crate::policy::api::ClauseOut;

pub fn routes() -> Routes {
    Routes::new()
        .route("/openapi.json", get(openapi_json))
        .merge(crate::people::api::routes())
        .merge(crate::devices::api::routes())
        .merge(crate::imports::api::routes())
        .merge(crate::findings::api::routes())
        .merge(crate::audit::api::routes())
        .merge(crate::policy::api::routes())
        .merge(crate::monitoring::api::routes())
        .merge(crate::screening::api::routes())
        .merge(crate::approvals::api::routes())
        .merge(crate::posts::api::routes())
        .merge(crate::overseas::api::routes())
        .merge(crate::usage::api::routes())
        .merge(crate::apps::api::routes())
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
    paths(crate::people::api::me,
          crate::people::api::list_people,
          crate::people::api::get_person,
          crate::people::api::personal_numbers,
          crate::devices::api::list_devices,
          crate::devices::api::create_device,
          crate::devices::api::get_device,
          crate::devices::api::device_history,
          crate::devices::api::allocate,
          crate::devices::api::transition,
          crate::devices::api::correct_allocation,
          crate::devices::api::confirm_receipt,
          crate::devices::api::report_loss,
          crate::imports::api::import_people,
          crate::imports::api::import_devices,
          crate::imports::api::import_intune,
          crate::imports::api::import_amapi,
          crate::findings::api::list_findings,
          crate::findings::api::get_finding,
          crate::findings::api::review_finding,
          crate::audit::api::audit_events,
          crate::audit::api::audit_verify,
          crate::policy::api::policy_clause),
    components(schemas(Problem, PersonOut, DeviceOut, MdmStateOut, DeviceEventOut, FindingOut, AuditEventOut, PersonPage, DevicePage, FindingPage, AuditPage,
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
        .merge_from(crate::monitoring::api::MonitoringApi::openapi())
        .merge_from(crate::screening::api::ScreeningApi::openapi())
        .merge_from(crate::approvals::api::ApprovalsApi::openapi())
        .merge_from(crate::posts::api::PostsApi::openapi())
        .merge_from(crate::overseas::api::OverseasApi::openapi())
        .merge_from(crate::usage::api::UsageApi::openapi())
        .merge_from(crate::apps::api::AppsApi::openapi())
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

pub(crate) fn parse_opt<T>(
    field: &str,
    v: &Option<String>,
    f: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, AppError> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => f(s).map(Some).ok_or_else(|| AppError::invalid(field, format!("{s:?} is not a recognised value"))),
    }
}

pub(crate) fn csrf_header(h: &HeaderMap) -> Option<&str> {
    h.get("x-csrf-token").and_then(|v| v.to_str().ok())
}
