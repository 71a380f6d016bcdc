//! The layout every page shares: title, signed-in user, CSRF token, navigation and the
//! major-incident banner; rendering a page and the small formatting helpers pages share.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::nav::NavItem;
use crate::auth::CurrentUser;
use crate::state::AppState;

/// What every page's layout needs.
#[derive(Debug, Clone)]
pub struct Layout {
    pub title: String,
    pub user_name: Option<String>,
    pub csrf_token: String,
    pub nav: Vec<NavItem>,
    /// The pages of the current section, when it has more than one (MoJ sub navigation).
    pub subnav: Vec<NavItem>,
    /// The major incident in force, shown with its guidance on every page to signed-in users
    /// (WP034 6.8: departmental account holders must know their posts are paused).
    pub incident: Option<IncidentBanner>,
    /// The incident's guidance is shown open on the posts pages, folded elsewhere (a phone
    /// then sees the page's heading, not a screen of guidance that is not about it).
    pub incident_open: bool,
}

/// The major-incident banner of the base layout (WP034 6.8).
#[derive(Debug, Clone)]
pub struct IncidentBanner {
    pub name: String,
    pub guidance: String,
    pub since: String,
}

tokio::task_local! {
    /// The incident in force for the request being handled, read once by [`with_incident`].
    static INCIDENT: Option<IncidentBanner>;
}

/// Middleware on the pages: read the major incident in force once per page request, so that
/// [`layout`] (synchronous, called by every page) can show its banner and guidance.
pub async fn with_incident(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if req.method() != axum::http::Method::GET {
        return next.run(req).await;
    }
    let banner = match state.store().posts_active_incident().await {
        Ok(i) => i.map(|i| IncidentBanner { since: fmt_time(i.declared_at), name: i.name, guidance: i.guidance }),
        Err(e) => {
            tracing::warn!(error = %e, "reading the major incident in force failed");
            None
        }
    };
    INCIDENT.scope(banner, next.run(req)).await
}

/// A WP034 clause to show beside an action or finding.
#[derive(Debug, Clone)]
pub struct ClauseView {
    pub id: String,
    pub title: String,
    pub text: String,
}

/// A moment as every page shows it: on London's clocks, in words ("3 December 2026 at 2:05pm").
pub(crate) fn fmt_time(t: time::OffsetDateTime) -> String {
    super::display::time_words(t)
}

pub fn clause_view(id: &str) -> ClauseView {
    match custodian_domain::policy::clause(id) {
        Some(c) => ClauseView { id: c.id().to_string(), title: c.title().to_string(), text: c.text().into_owned() },
        None => ClauseView { id: id.into(), title: String::new(), text: "(clause not found in WP034)".into() },
    }
}

pub fn layout(state: &AppState, user: Option<&CurrentUser>, title: &str, path: &str) -> Layout {
    let (nav, subnav) = super::nav::navigation(state, user, path);
    Layout {
        title: title.into(),
        user_name: user.map(|u| u.person.name.clone()),
        csrf_token: user.map(|u| u.csrf().to_string()).unwrap_or_default(),
        nav,
        subnav,
        incident: if user.is_some() { INCIDENT.try_with(Clone::clone).ok().flatten() } else { None },
        incident_open: path == "/posts" || path.starts_with("/posts/"),
    }
}

/// Render a template, turning a rendering failure into a logged 500 rather than a panic.
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side.").into_response()
        }
    }
}

macro_rules! page {
    ($name:ident) => {
        impl std::ops::Deref for $name {
            type Target = crate::web::Layout;
            fn deref(&self) -> &Self::Target {
                &self.layout
            }
        }
    };
}
pub(crate) use page;
