//! The web interface: server-rendered pages with GOV.UK Frontend and MOJ patterns, htmx for
//! partial updates, every core form working without JavaScript. Each page shows the words of
//! the WP034 clauses it acts under.

mod account;
mod approvals;
mod apps;
mod chart;
mod monitoring;
mod overseas;
mod pages;
mod posts;
mod screening;

use crate::routing::{Routes, get, post};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use custodian_authz::{Action, Resource};

use crate::auth::CurrentUser;
use crate::error::FieldProblem;
use crate::state::AppState;

pub fn routes() -> Routes {
    use pages::*;
    Routes::new()
        .route("/", get(home))
        .route("/sign-in", get(sign_in_form).post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/my-devices", get(my_devices))
        .route("/my-devices/{id}/confirm", post(confirm_receipt))
        .route("/my-devices/{id}/report-loss", post(report_loss))
        .route("/devices", get(devices).post(create_device))
        .route("/devices/new", get(new_device))
        .route("/devices/{id}", get(device))
        .route("/devices/{id}/allocate", post(allocate))
        .route("/devices/{id}/transition", post(transition))
        .route("/people", get(people))
        .route("/people/{id}", get(person))
        .route("/imports", get(imports_page))
        .route("/imports/{kind}", post(import_upload))
        .route("/findings", get(findings))
        .route("/findings/{id}", get(finding))
        .route("/findings/{id}/review", post(review))
        .route("/audit", get(audit))
        .route("/audit/verify", post(audit_verify))
        .route("/policy", get(policy))
        .route("/account", get(account::account))
        .route("/account/password", post(account::change_password))
        .merge(monitoring::routes())
        .merge(screening::routes())
        .merge(approvals::routes())
        .merge(posts::routes())
        .merge(overseas::routes())
        .merge(apps::routes())
        .layer(axum::middleware::map_response(redirect_unauthenticated))
}

/// Pages answer an unauthenticated visitor by sending them to sign in.
async fn redirect_unauthenticated(res: Response) -> Response {
    let problem = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if res.status() == StatusCode::UNAUTHORIZED && problem {
        return axum::response::Redirect::to("/sign-in").into_response();
    }
    res
}

/// One link in the primary navigation.
#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: String,
    pub label: String,
    pub current: bool,
}

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

/// A moment as every page shows it: "28 Nov 2026, 09:15 UTC".
pub(crate) fn fmt_time(t: time::OffsetDateTime) -> String {
    t.format(time::macros::format_description!("[day] [month repr:short] [year], [hour]:[minute] UTC"))
        .unwrap_or_default()
}

pub fn clause_view(id: &str) -> ClauseView {
    match custodian_domain::policy::clause(id) {
        Some(c) => ClauseView { id: c.id().to_string(), title: c.title().to_string(), text: c.text().into_owned() },
        None => ClauseView { id: id.into(), title: String::new(), text: "(clause not found in WP034)".into() },
    }
}

pub fn layout(state: &AppState, user: Option<&CurrentUser>, title: &str, path: &str) -> Layout {
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
    Layout {
        title: title.into(),
        user_name: user.map(|u| u.person.name.clone()),
        csrf_token: user.map(|u| u.csrf().to_string()).unwrap_or_default(),
        nav,
        subnav,
        incident: if user.is_some() { INCIDENT.try_with(Clone::clone).ok().flatten() } else { None },
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
            type Target = crate::ui::Layout;
            fn deref(&self) -> &Self::Target {
                &self.layout
            }
        }
    };
}
pub(crate) use page;

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
            (Some(l), Some(f)) => format!("Line {l}, {f}"),
            (Some(l), None) => format!("Line {l}"),
            (None, Some(f)) => f.clone(),
            (None, None) => String::new(),
        }
    }
}
