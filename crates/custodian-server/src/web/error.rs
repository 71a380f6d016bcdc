//! The web interface's errors: [`UiError`] renders an [`AppError`] as an accessible page with an
//! error summary (or a redirect to sign in).

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::layout::{Layout, page, render};
use super::nav::NavItem;
use crate::error::{AppError, FieldProblem};

pub use crate::error::UiError;

impl IntoResponse for UiError {
    fn into_response(self) -> Response {
        if matches!(self.0, AppError::Unauthenticated) {
            return axum::response::Redirect::to("/sign-in").into_response();
        }
        let status = self.0.status();
        // Problems a form's page can show beside the form (see `form_errors`).
        let refused = match &self.0 {
            AppError::Invalid { errors, .. } => Some(errors.clone()),
            AppError::Conflict(m) => Some(vec![FieldProblem { field: None, line: None, message: m.clone() }]),
            _ => None,
        };
        let mut res = error_page(
            status,
            self.0.title(),
            &self.0.public_detail(),
            match &self.0 {
                AppError::Invalid { errors, .. } => errors.clone(),
                _ => Vec::new(),
            },
        );
        if let Some(problems) = refused {
            res.extensions_mut().insert(Refused(problems));
        }
        if let AppError::RateLimited { retry_after_seconds, .. } = &self.0
            && let Ok(v) = axum::http::HeaderValue::from_str(&retry_after_seconds.to_string())
        {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
        }
        // For the page shell: the pages' middleware renders it again inside the signed-in
        // person's navigation (see `form_errors::keep_forms_on_page`).
        if status != StatusCode::INTERNAL_SERVER_ERROR {
            res.extensions_mut().insert(Shown {
                status,
                heading: self.0.title().to_string(),
                detail: self.0.public_detail(),
                errors: match &self.0 {
                    AppError::Invalid { errors, .. } => errors.clone(),
                    _ => Vec::new(),
                },
            });
        }
        res
    }
}

/// The problems of a refused form, put on the web error's response for
/// `form_errors::keep_forms_on_page`.
#[derive(Debug, Clone)]
pub struct Refused(pub Vec<FieldProblem>);

/// An error page's content, kept on its response so that it can be shown again with the whole
/// page shell (navigation, Sign out) of the person who met it.
#[derive(Debug, Clone)]
pub struct Shown {
    pub status: StatusCode,
    pub heading: String,
    pub detail: String,
    pub errors: Vec<FieldProblem>,
}

impl Shown {
    /// The error page with the person's layout.
    pub fn render(self, layout: Layout) -> Response {
        let page = ErrorPage {
            layout: Layout { title: self.heading.clone(), ..layout },
            status: self.status.as_u16(),
            heading: self.heading,
            detail: self.detail,
            errors: self.errors,
        };
        let mut res = render(&page);
        *res.status_mut() = self.status;
        res
    }
}

pub type UiResult<T> = Result<T, UiError>;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    status: u16,
    heading: String,
    detail: String,
    errors: Vec<FieldProblem>,
}
page!(ErrorPage);

/// An error as an accessible page with an error summary.
pub fn error_page(status: StatusCode, heading: &str, detail: &str, errors: Vec<FieldProblem>) -> Response {
    let page = ErrorPage {
        layout: Layout {
            title: heading.into(),
            user_name: None,
            csrf_token: String::new(),
            nav: vec![NavItem { href: "/".into(), label: "Home".into(), current: false }],
            subnav: vec![],
            incident: None,
            incident_open: false,
        },
        status: status.as_u16(),
        heading: heading.into(),
        detail: detail.into(),
        errors,
    };
    let mut res = render(&page);
    *res.status_mut() = status;
    res
}

impl FieldProblem {
    /// "line 3, imei" or "imei", for error summaries.
    pub fn place(&self) -> String {
        match (&self.line, &self.field) {
            (Some(l), Some(f)) => format!("Line {l}, {}", crate::error::humanise(f)),
            (Some(l), None) => format!("Line {l}"),
            (None, Some(f)) if f.starts_with('/') => f.clone(),
            (None, Some(f)) => crate::error::humanise(f),
            (None, None) => String::new(),
        }
    }
}

/// The problems to show beside a form: those of invalid input, or a conflict as one problem;
/// any other error is the whole page's.
pub(crate) fn problems(e: AppError) -> Result<Vec<FieldProblem>, AppError> {
    match e {
        AppError::Invalid { errors, .. } => Ok(errors),
        AppError::Conflict(m) => Ok(vec![FieldProblem { field: None, line: None, message: m }]),
        other => Err(other),
    }
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundPage {
    layout: Layout,
}
page!(NotFoundPage);

/// The answer to a path nothing routes: GOV.UK's "Page not found" inside the page shell of the
/// person who asked (their navigation and Sign out when signed in), or a problem document under
/// /api/.
pub async fn not_found(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    req: axum::extract::Request,
) -> Response {
    if req.uri().path().starts_with("/api/") {
        return crate::error::ApiError(AppError::NotFound("Nothing is found at this address.".into())).into_response();
    }
    let (mut parts, _) = req.into_parts();
    let user = <crate::auth::CurrentUser as axum::extract::FromRequestParts<_>>::from_request_parts(&mut parts, &state)
        .await
        .ok();
    let page = NotFoundPage { layout: super::layout(&state, user.as_ref(), "Page not found", parts.uri.path()) };
    let mut res = render(&page);
    *res.status_mut() = StatusCode::NOT_FOUND;
    res
}
