//! The web interface: server-rendered pages with GOV.UK Frontend and MOJ patterns, htmx for
//! partial updates, every core form working without JavaScript. Each page shows the words of
//! the WP034 clauses it acts under. This module is the page shell (layout, navigation, errors,
//! CSRF); the pages themselves live with their areas (`crate::<area>::ui`).

pub mod chart;
pub mod csrf;
pub mod date_input;
pub mod display;
pub mod error;
pub mod form_errors;
/// The small HTML reader the one form pattern edits pages with (also read by the tests).
pub mod html;
pub mod layout;
pub mod nav;

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

pub use error::{UiError, UiResult, error_page};
pub use layout::{ClauseView, IncidentBanner, Layout, clause_view, layout, render, with_incident};
pub(crate) use layout::{fmt_time, page};
pub use nav::NavItem;

/// Pages answer an unauthenticated visitor by sending them to sign in.
pub(crate) async fn redirect_unauthenticated(res: Response) -> Response {
    let problem = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if res.status() == StatusCode::UNAUTHORIZED && problem {
        return axum::response::Redirect::to("/sign-in").into_response();
    }
    res
}

/// Whether the request came from htmx (which wants a fragment, not a whole page).
pub(crate) fn is_htmx(h: &HeaderMap) -> bool {
    h.contains_key("hx-request")
}

/// One option of a select, radios or checkboxes.
pub(crate) struct Choice {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

/// Percent-encode a query parameter's value for a link.
pub(crate) fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
