//! The JSON API under /api/v1: bearer tokens (or a browser session), RFC 9457 problem+json
//! errors, pagination. This module holds what every area's `api.rs` shares (the JSON and CSRF
//! extractors, the DTOs, the contract) and names no area, so the areas can import it; the
//! routes are put together in [`crate::api_routes`] and the OpenAPI document in
//! [`crate::openapi`].

pub mod contract;
pub mod dto;

use axum::Json;
use axum::body::Bytes;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;

/// Axum's own refusals (a path or query parameter of the wrong type, a method the path does not
/// answer) are plain text; the API answers every error as problem+json, as documented.
pub(crate) async fn problem_for_rejections(res: axum::response::Response) -> axum::response::Response {
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

/// The signed-in user of a state-changing API or htmx request, held to the session's CSRF token
/// in the `X-CSRF-Token` header before the handler runs (a 403 when it is missing or wrong;
/// bearer tokens carry no ambient credentials and need none).
pub struct CsrfHeader(pub CurrentUser);

impl FromRequestParts<AppState> for CsrfHeader {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        user.check_csrf(csrf_header(&parts.headers))?;
        Ok(CsrfHeader(user))
    }
}
