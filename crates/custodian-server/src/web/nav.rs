//! The navigation: at most [`MAX_TOP_LEVEL`] top-level items, each a section of pages; inside a
//! section of more than one page the person may use, a sub navigation links its pages.
//!
//! What a person sees is what they may use: every page is listed only when the same Cedar check
//! its route makes allows it, and the two areas every officer is permitted but few act in (posts
//! and approvals) only when there is something there for them (an account of their team, a post
//! of theirs, a step to decide, a request of their own, a deciding role or a deputy).

use custodian_authz::{Action, Resource};
use custodian_domain::people::Role;

use axum::extract::FromRequestParts;
use axum::response::Response;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::state::AppState;

/// The most top-level items anyone sees: one row on a desktop, one "Menu" on a phone.
pub const MAX_TOP_LEVEL: usize = 6;

/// Roles that decide a step of an approval chain by role (WP034 4.8, 4.11, 6.2), and the Head of
/// Department, who decides by name: they see Approvals even with nothing waiting, to name a deputy.
const DECIDING_ROLES: [Role; 5] =
    [Role::HeadOfDepartment, Role::DigitalServices, Role::Vetting, Role::CorporateComms, Role::Sio];

/// What the navigation needs to know about the signed-in person beyond their permissions, read
/// once per page request by [`with_nav_facts`].
#[derive(Debug, Clone, Default)]
pub struct NavFacts {
    /// Their own open monitoring case (WP034 5.4), when they do not see the monitoring pages.
    pub open_case: Option<Uuid>,
    /// They have something in Posts: an account of their team, or a post they wrote or edited.
    pub posts: bool,
    /// They have something in Approvals: a step to decide, a request of their own, a deputy.
    pub approvals: bool,
}

tokio::task_local! {
    static FACTS: NavFacts;
}

/// Middleware on the pages: signs the request in once (the handler reuses it) and reads what
/// [`navigation`] (synchronous) needs. Anonymous requests and htmx fragments pass through.
pub async fn with_nav_facts(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let (mut parts, body) = req.into_parts();
    let fragment = parts.headers.contains_key("hx-request") && !parts.headers.contains_key("hx-boosted");
    let facts = match CurrentUser::from_request_parts(&mut parts, &state).await {
        Ok(u) if !fragment => facts(&state, &u).await,
        _ => NavFacts::default(),
    };
    FACTS.scope(facts, next.run(axum::extract::Request::from_parts(parts, body))).await
}

async fn facts(state: &AppState, u: &CurrentUser) -> NavFacts {
    let warn =
        |what: &str, e: &dyn std::fmt::Display| tracing::warn!(error = %e, "reading {what} for the navigation failed");
    let store = state.store();
    let open_case = if state.allows(u, Action::MonitoringRoundsView, &Resource::System) {
        None
    } else {
        store.monitoring_open_case_of(u.id()).await.unwrap_or_else(|e| {
            warn("the person's open monitoring case", &e);
            None
        })
    };
    let posts = state.allows(u, Action::PostsView, &Resource::System)
        && ([Action::PostsViewAll, Action::PostsViewDrafts, Action::PostsAccounts, Action::ScreeningPackView]
            .into_iter()
            .any(|a| state.allows(u, a, &Resource::System))
            || match store.posts_accounts().await {
                Ok(a) => a.iter().any(|a| a.owning_team == u.person.business_area),
                Err(e) => {
                    warn("the posts accounts", &e);
                    false
                }
            }
            || match store
                .posts_list(&custodian_store::posts::PostFilter {
                    visible_to: Some((u.id(), u.person.business_area.clone())),
                    drafts_only_of: None,
                    state: None,
                })
                .await
            {
                Ok(p) => !p.is_empty(),
                Err(e) => {
                    warn("the person's posts", &e);
                    false
                }
            });
    let approvals = state.allows(u, Action::ApprovalsDecide, &Resource::System)
        && (state.allows(u, Action::ApprovalsOverview, &Resource::System)
            || DECIDING_ROLES.iter().any(|r| u.principal.roles.contains(r))
            || store.approvals_to_decide(u.id(), state.now()).await.is_ok_and(|v| !v.is_empty())
            || store.approvals_requested_by(u.id()).await.is_ok_and(|v| !v.is_empty())
            || store.delegations_of(u.id()).await.is_ok_and(|v| v.iter().any(|d| d.revoked_at.is_none())));
    NavFacts { open_case, posts, approvals }
}

/// One link in the navigation.
#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: String,
    pub label: String,
    pub current: bool,
}

/// A top-level item: its label and the pages it holds (the first the person may use is where
/// the item links), and further paths that belong to it without a link of their own.
struct Section {
    label: &'static str,
    pages: Vec<(String, &'static str)>,
    also: &'static [&'static str],
}

/// Whether `path` is `href` or a page beneath it.
fn under(path: &str, href: &str) -> bool {
    if href == "/" {
        return path == "/";
    }
    path == href || path.strip_prefix(href).is_some_and(|rest| rest.starts_with(['/', '?']))
}

/// The top-level navigation for `user` on the page at `path`, and the sub navigation of the
/// section it is in (empty unless that section has two or more pages the user may use).
pub fn navigation(state: &AppState, user: Option<&CurrentUser>, path: &str) -> (Vec<NavItem>, Vec<NavItem>) {
    let Some(u) = user else { return (Vec::new(), Vec::new()) };
    let facts = FACTS.try_with(Clone::clone).unwrap_or_default();
    let may = |a: Action| state.allows(u, a, &Resource::System);
    let page = |ok: bool, href: &str, label: &'static str| ok.then(|| (href.to_string(), label));

    let mut sections = vec![
        // WP034 2.3, 7.3, 8.1: what the policy asks of each person (declaring notifiable
        // associations, reporting to Professional Standards), and the assessors' queues from
        // those pages; the overdue acknowledgements of a line manager's people.
        Section {
            label: "Home",
            pages: [
                Some(("/".to_string(), "Home")),
                page(may(Action::DeclarationsMake), "/declarations", "Declarations"),
                page(may(Action::PsdReportsMake), "/psd-reports", "Report to PSD"),
            ]
            .into_iter()
            .flatten()
            .collect(),
            also: &["/policy/overdue", "/policy/record", "/profile-check"],
        },
        // WP034 4.1, 4.2, 4.7, 4.8: the devices a person holds and what they may put on them or
        // take abroad; the register for those who keep it.
        Section {
            label: "Devices",
            pages: [
                page(may(Action::DevicesList), "/devices", "Register"),
                page(may(Action::MyDevicesView), "/my-devices", "My devices"),
                page(may(Action::AppsCatalogueView), "/apps", "Apps"),
                page(may(Action::OverseasRequest) || may(Action::OverseasWindowsView), "/overseas", "Overseas"),
            ]
            .into_iter()
            .flatten()
            .collect(),
            also: &[],
        },
        // WP034 1.2, 4.1, 4.6: the people register and the files that keep the registers.
        Section {
            label: if may(Action::PeopleList) { "People" } else { "Imports" },
            pages: [
                page(may(Action::PeopleList), "/people", "People"),
                page(may(Action::DevicesImport) || may(Action::PeopleImport), "/imports", "Imports"),
                page(may(Action::UsageImport), "/usage/imports", "Usage files"),
                page(may(Action::StreamingExceptionsViewAll), "/usage/streaming-exceptions", "Streaming"),
            ]
            .into_iter()
            .flatten()
            .collect(),
            // WP034 4.11: the out-of-hours contact chart, linked from the people page so the
            // section stays one row on a phone.
            also: &["/usage/out-of-hours"],
        },
        // WP034 3.3, 4.10, 5.x: what monitoring found, the rounds, and the log that records it.
        Section {
            label: "Findings",
            pages: [
                page(may(Action::FindingsList), "/findings", "Findings"),
                page(may(Action::MonitoringRoundsView), "/monitoring", "Monitoring"),
                page(may(Action::AuditRead), "/audit", "Audit log"),
                page(
                    may(Action::RetentionView) || may(Action::HoldsView) || may(Action::SubjectAccessExport),
                    "/data-protection",
                    "Data protection",
                ),
            ]
            .into_iter()
            .flatten()
            .collect(),
            also: &[],
        },
        // WP034 6.3-6.8, 8.2: departmental posts, the screening pack they are checked against, and the
        // public's comments on them.
        Section {
            label: "Posts",
            pages: [
                page(facts.posts, "/posts", "Posts"),
                page(facts.posts || may(Action::SocialAccountsViewAll), "/accounts", "Accounts"),
                page(facts.posts && may(Action::ScreeningPackView), "/screening/pack", "Screening"),
                // WP034 6.7, 6.8, 8.2: public comments on the force's channels, one item so the
                // section fits one row on a phone. Corporate Communications land on every comment
                // (which links the reply queues, referrals and the out-of-hours rota); a team on
                // its reply queue (6.7); the Resolution Centre on its referrals (8.2).
                if may(Action::CommentsViewAll) {
                    Some(("/comments".to_string(), "Comments"))
                } else if facts.posts {
                    Some(("/comments/replies".to_string(), "Replies"))
                } else if may(Action::CommentsReferralsView) {
                    Some(("/comments/referrals".to_string(), "Referrals"))
                } else {
                    None
                },
            ]
            .into_iter()
            .flatten()
            .collect(),
            // The credential vault (WP034 6.6) is reached from the accounts page.
            also: &["/screening", "/vault"],
        },
        Section {
            label: "Approvals",
            pages: page(facts.approvals, "/approvals", "Approvals").into_iter().collect(),
            also: &["/notifications"],
        },
    ];
    sections.retain(|s| !s.pages.is_empty());
    // WP034 5.4: the person selected for monitoring reaches their case from every page; a
    // top-level item while there is room, else a page of Findings.
    if let Some(case) = facts.open_case {
        let href = format!("/monitoring/cases/{case}");
        if sections.len() < MAX_TOP_LEVEL {
            sections.push(Section { label: "Monitoring", pages: vec![(href, "Monitoring")], also: &["/monitoring"] });
        } else if let Some(f) = sections.iter_mut().find(|s| s.label == "Findings") {
            f.pages.push((href, "Your monitoring case"));
        }
    }
    debug_assert!(sections.len() <= MAX_TOP_LEVEL, "{} top-level items", sections.len());

    let mut nav = Vec::new();
    let mut subnav = Vec::new();
    for s in sections {
        let inside_page = s.pages.iter().any(|(h, _)| under(path, h));
        let inside = inside_page || s.also.iter().any(|h| under(path, h));
        // The home page itself carries no sub navigation: its heading stays near the top (the
        // pages Home groups are linked from its body instead).
        if inside && s.pages.len() > 1 && path != "/" {
            // The longest matching href is the current page (/posts/setup is in Posts, not Home).
            let best = s.pages.iter().filter(|(h, _)| under(path, h)).map(|(h, _)| h.len()).max();
            subnav = s
                .pages
                .iter()
                .map(|(h, l)| NavItem {
                    href: h.clone(),
                    label: (*l).into(),
                    current: under(path, h) && Some(h.len()) == best,
                })
                .collect();
        }
        nav.push(NavItem { href: s.pages[0].0.clone(), label: s.label.into(), current: inside });
    }
    (nav, subnav)
}
