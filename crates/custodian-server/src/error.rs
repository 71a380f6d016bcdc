//! One error type for the use cases, mapped to HTTP in exactly one place per surface: RFC 9457
//! problem+json for the API, an HTML page for the web interface. Bad input is a 4xx that names
//! the field or line; only the unexpected becomes a 500, and its detail goes to the log only.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use custodian_store::StoreError;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("sign in to continue")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// Input that fails validation; `errors` name fields (or lines, or JSON pointers).
    #[error("{detail}")]
    Invalid { detail: String, errors: Vec<FieldProblem> },
    #[error("{0}")]
    TooManyRequests(String),
    /// Refused for a rate limit that allows the next attempt after `retry_after_seconds`
    /// (answered with `Retry-After`).
    #[error("{detail}")]
    RateLimited { detail: String, retry_after_seconds: u64 },
    /// A request body over the server's limit.
    #[error("{0}")]
    TooLarge(String),
    /// The server could not answer in time, or is busy with other heavy work.
    #[error("{0}")]
    Unavailable(String),
    #[error("the request's security token is missing or out of date; reload the page and try again")]
    Csrf,
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

/// One problem with one piece of input.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct FieldProblem {
    /// Field name, CSV column or JSON pointer.
    pub field: Option<String>,
    /// 1-based line of an uploaded file, where relevant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    pub message: String,
}

/// A field name as words, for a field that has no label on the page: `staff_number` ->
/// "Staff number".
pub fn humanise(field: &str) -> String {
    let words = field.replace(['_', '-', '.'], " ");
    let mut c = words.trim().chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The web interface's error: an accessible HTML page (or a redirect to sign in), which
/// `web::error` renders. Defined here, below the page shell, so that what rejects a request
/// with it (the form extractor) need not depend on the pages.
#[derive(Debug)]
pub struct UiError(pub AppError);

impl<E: Into<AppError>> From<E> for UiError {
    fn from(e: E) -> Self {
        UiError(e.into())
    }
}

/// A rejected row of an uploaded file, as reported to users.
impl From<custodian_domain::imports::RowError> for FieldProblem {
    fn from(e: custodian_domain::imports::RowError) -> Self {
        FieldProblem { field: e.field, line: Some(e.line), message: e.message }
    }
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        AppError::Invalid {
            detail: format!("{field}: {message}"),
            errors: vec![FieldProblem { field: Some(field.into()), line: None, message }],
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) | Self::Csrf => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests(_) | Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub(crate) fn title(&self) -> &'static str {
        match self {
            Self::Unauthenticated => "Sign in required",
            Self::Forbidden(_) => "Not permitted",
            Self::Csrf => "Security token rejected",
            Self::NotFound(_) => "Not found",
            Self::Conflict(_) => "Conflict",
            Self::Invalid { .. } => "Invalid input",
            Self::TooManyRequests(_) => "Too many attempts",
            Self::RateLimited { .. } => "Too many requests",
            Self::TooLarge(_) => "Too large",
            Self::Unavailable(_) => "Service unavailable",
            Self::Internal(_) => "Something went wrong",
        }
    }

    pub(crate) fn public_detail(&self) -> String {
        match self {
            Self::Internal(e) => {
                // The cause stays in the log; the person sees a reference that finds it there.
                let reference = incident_reference();
                tracing::error!(reference = %reference, error = %format!("{e:#}"), "internal error");
                format!(
                    "Something went wrong on our side. The problem has been logged as {reference}; quote it if you report this."
                )
            }
            other => other.to_string(),
        }
    }
}

/// A short random reference for one internal error, written to the log with its cause and shown to
/// the person who met it, so a report can be matched to the log line (`err-` and 12 hex digits).
fn incident_reference() -> String {
    format!("err-{:012x}", rand::random::<u64>() >> 16)
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(m) => AppError::NotFound(m),
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::Invalid(m) => {
                let (field, message) = match m.split_once(": ") {
                    Some((f, rest)) if !f.contains(' ') || f.starts_with("line ") => {
                        (Some(f.to_string()), rest.to_string())
                    }
                    _ => (None, m.clone()),
                };
                AppError::Invalid { detail: m, errors: vec![FieldProblem { field, line: None, message }] }
            }
            StoreError::InvalidField { field, line, message } => AppError::Invalid {
                detail: custodian_store::invalid_text(line, field.as_deref(), &message),
                errors: vec![FieldProblem { field, line, message }],
            },
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}

/// RFC 9457 problem details.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

/// The API's error: renders as `application/problem+json`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let errors = match &self.0 {
            AppError::Invalid { errors, .. } => errors.clone(),
            _ => Vec::new(),
        };
        let body = Problem {
            kind: "about:blank".into(),
            title: self.0.title().into(),
            status: status.as_u16(),
            detail: self.0.public_detail(),
            errors,
        };
        let mut res = (status, axum::Json(body)).into_response();
        res.headers_mut()
            .insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/problem+json"));
        if let AppError::RateLimited { retry_after_seconds, .. } = &self.0
            && let Ok(v) = axum::http::HeaderValue::from_str(&retry_after_seconds.to_string())
        {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
        }
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(axum::http::header::WWW_AUTHENTICATE, axum::http::HeaderValue::from_static("Bearer"));
        }
        res
    }
}

/// Extractor rejections (for example a missing sign-in) render as problem+json; the web
/// interface's router turns an unauthenticated one into a redirect to the sign-in page.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        ApiError(self).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internal_error_shows_a_reference_and_keeps_its_cause_out_of_the_answer() {
        let e = AppError::from(StoreError::Internal("the import lock at /var/lib/x could not be taken".into()));
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let detail = e.public_detail();
        assert!(!detail.contains("/var/lib/x"), "{detail}");
        let reference = detail.split_whitespace().find(|w| w.starts_with("err-")).expect(&detail);
        let hex = reference.trim_start_matches("err-").trim_end_matches(';');
        assert_eq!(hex.len(), 12, "{detail}");
        assert!(hex.chars().all(|c| c.is_ascii_hexdigit()), "{detail}");
        assert_ne!(detail, e.public_detail(), "each time a new reference");
    }
}
