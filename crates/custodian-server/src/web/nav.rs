//! The primary navigation and, inside a section of two pages, its sub navigation.

use custodian_authz::{Action, Resource};

use axum::extract::FromRequestParts;
use axum::response::Response;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::state::AppState;

tokio::task_local! {
    /// The signed-in person's own open monitoring case, read once per page request by
    /// [`with_open_case`], so that [`navigation`] (synchronous) can link to it.
    static OPEN_CASE: Option<Uuid>;
}

/// Middleware on the pages: a person selected for monitoring (WP034 5.4) who does not otherwise
/// see the monitoring pages gets a "Monitoring" link to their case while it is open. Signs the
/// request in once (the handler reuses it); anonymous requests pass through untouched.
pub async fn with_open_case(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let (mut parts, body) = req.into_parts();
    let case = match CurrentUser::from_request_parts(&mut parts, &state).await {
        Ok(u) if !state.allows(&u, Action::MonitoringRoundsView, &Resource::System) => {
            match state.store().monitoring_open_case_of(u.id()).await {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "reading the person's open monitoring case failed");
                    None
                }
            }
        }
        _ => None,
    };
    OPEN_CASE.scope(case, next.run(axum::extract::Request::from_parts(parts, body))).await
}

/// One link in the primary navigation.
#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: String,
    pub label: String,
    pub current: bool,
}

/// The primary navigation for `user` on the page at `path`, and the sub navigation of the
/// section it is in (empty unless that section has two pages the user may see).
pub fn navigation(state: &AppState, user: Option<&CurrentUser>, path: &str) -> (Vec<NavItem>, Vec<NavItem>) {
    let mut nav = Vec::new();
    let mut subnav = Vec::new();
    if let Some(u) = user {
        let item = |href: &str, label: &str, current: bool| NavItem { href: href.into(), label: label.into(), current };
        let mut add = |href: &str, label: &str| {
            let current = if href == "/" { path == "/" } else { path.starts_with(href) };
            nav.push(item(href, label, current));
        };
        // A section of two pages is one item; inside it, a sub navigation links the two.
        let mut section = |nav: &mut Vec<NavItem>,
                           (first, first_label, first_ok): (&str, &str, bool),
                           (second, second_label, second_ok): (&str, &str, bool),
                           label: &str| {
            let inside = path.starts_with(first) || path.starts_with(second);
            match (first_ok, second_ok) {
                (true, true) => {
                    nav.push(item(first, label, inside));
                    if inside {
                        subnav = vec![
                            item(first, first_label, path.starts_with(first)),
                            item(second, second_label, path.starts_with(second)),
                        ];
                    }
                }
                (true, false) => nav.push(item(first, label, inside)),
                (false, true) => nav.push(item(second, second_label, inside)),
                (false, false) => {}
            }
        };
        add("/", "Home");
        add("/my-devices", "My devices");
        if state.allows(u, Action::DevicesList, &Resource::System) {
            add("/devices", "Devices");
        }
        if state.allows(u, Action::PeopleList, &Resource::System) {
            add("/people", "People");
        }
        add("/findings", "Findings");
        let register_imports = state.allows(u, Action::DevicesImport, &Resource::System)
            || state.allows(u, Action::PeopleImport, &Resource::System);
        let usage_imports = state.allows(u, Action::UsageImport, &Resource::System);
        section(
            &mut nav,
            ("/imports", "People and devices", register_imports),
            ("/usage/imports", "Usage files", usage_imports),
            "Imports",
        );
        if state.allows(u, Action::MonitoringRoundsView, &Resource::System) {
            nav.push(item("/monitoring", "Monitoring", path.starts_with("/monitoring")));
        } else if let Some(case) = OPEN_CASE.try_with(|c| *c).ok().flatten() {
            nav.push(item(&format!("/monitoring/cases/{case}"), "Monitoring", path.starts_with("/monitoring")));
        }
        let posts = state.allows(u, Action::PostsView, &Resource::System);
        let pack = state.allows(u, Action::ScreeningPackView, &Resource::System);
        section(&mut nav, ("/posts", "Posts", posts), ("/screening/pack", "Screening pack", pack), "Posts");
        let mut add = |href: &str, label: &str| nav.push(item(href, label, path.starts_with(href)));
        if state.allows(u, Action::AuditRead, &Resource::System) {
            add("/audit", "Audit log");
        }
        add("/approvals", "Approvals");
        add("/apps", "Apps");
        add("/policy", "Policy");
        if state.allows(u, Action::OverseasRequest, &Resource::System) {
            add("/overseas", "Overseas use");
        }
    }
    (nav, subnav)
}
