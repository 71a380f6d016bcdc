//! The home page: what needs the signed-in person's attention, and the register at a glance.

use crate::routing::{Routes, get};

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use custodian_authz::{Action, Resource};
use custodian_domain::devices::DeviceStatus;
use custodian_domain::findings::FindingStatus;
use custodian_store::{DeviceFilter, FindingFilter};

use crate::auth::CurrentUser;
use crate::state::AppState;
use crate::web::UiResult;
use crate::web::{Layout, chart, layout, page, render};
pub fn routes() -> Routes {
    Routes::new().route("/", get(home))
}

// ----- Home ----------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "home/home.html")]
pub(crate) struct HomePage {
    pub(crate) layout: Layout,
    pub(crate) first_name: String,
    pub(crate) roles: Vec<String>,
    pub(crate) my_devices: usize,
    pub(crate) awaiting_receipt: usize,
    pub(crate) my_open_findings: i64,
    pub(crate) team_open_findings: i64,
    pub(crate) register: Option<Register>,
    pub(crate) review_due: bool,
    /// For the business area that owns the policy: "WP034: review overdue since 16 March 2026".
    pub(crate) owner_review: Option<String>,
    /// Approvals waiting for this person, how many past due, and (for those who oversee the
    /// route) every overdue step.
    pub(crate) approvals_waiting: usize,
    pub(crate) approvals_waiting_overdue: usize,
    pub(crate) approvals_overdue_all: Option<usize>,
    /// The person's own open monitoring case and what it asks of them (WP034 5.4).
    pub(crate) monitoring: Option<(uuid::Uuid, crate::monitoring::guide::Guidance)>,
}
page!(HomePage);

pub(crate) struct Register {
    pub(crate) total: i64,
    pub(crate) allocated: i64,
    pub(crate) lost_or_stolen: i64,
    pub(crate) open_findings: i64,
    pub(crate) awaiting_receipt: i64,
    pub(crate) status_chart: String,
    pub(crate) findings_chart: String,
}

pub async fn home(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    let store = state.store();
    let mine = store.devices(&DeviceFilter { holder_id: Some(user.id()), ..DeviceFilter::default() }, 1, 100).await?;
    let awaiting = mine.items.iter().filter(|d| d.receipt_confirmed_at.is_none()).count();
    let my_findings = store
        .findings(
            &FindingFilter {
                person_id: Some(user.id()),
                status: Some(FindingStatus::Open),
                ..FindingFilter::default()
            },
            1,
            1,
        )
        .await?
        .total;
    let visible = crate::findings::list_findings(
        &state,
        &user,
        FindingFilter { status: Some(FindingStatus::Open), ..FindingFilter::default() },
        1,
        1,
    )
    .await?
    .total;
    let register = if state.allows(&user, Action::DevicesList, &Resource::System) {
        let c = store.counts(None).await?;
        let get = |k: &str| c.devices_by_status.iter().find(|(s, _)| s == k).map(|(_, n)| *n).unwrap_or(0);
        let status_rows: Vec<(String, i64)> =
            DeviceStatus::ALL.iter().map(|s| (s.label().to_string(), get(s.as_str()))).collect();
        // Rules by their titles, as the findings list names them.
        let findings_rows: Vec<(String, i64)> = c
            .findings_open_by_rule
            .iter()
            .map(|(id, n)| {
                (custodian_domain::findings::rule(id).map(|r| r.title.to_string()).unwrap_or_else(|| id.clone()), *n)
            })
            .collect();
        Some(Register {
            total: c.devices_by_status.iter().map(|(_, n)| n).sum(),
            allocated: get("allocated"),
            lost_or_stolen: get("lost") + get("stolen"),
            open_findings: c.findings_by_status.iter().filter(|(s, _)| s != "closed").map(|(_, n)| n).sum(),
            awaiting_receipt: c.awaiting_receipt,
            status_chart: chart::Bars {
                title: "Devices by status",
                label_heading: "Status",
                value_heading: "Devices",
                empty: "No devices in the register yet.",
            }
            .render(&status_rows),
            findings_chart: chart::Bars {
                title: "Open findings by rule",
                label_heading: "Rule",
                value_heading: "Open findings",
                empty: "No open findings.",
            }
            .render(&findings_rows),
        })
    } else {
        None
    };
    let waiting = crate::approvals::to_decide(&state, &user).await.unwrap_or_default();
    let approvals_overdue_all = if state.allows(&user, Action::ApprovalsOverview, &Resource::System) {
        Some(crate::approvals::overdue(&state, &user).await?.len())
    } else {
        None
    };
    let now = state.now();
    let monitoring = crate::monitoring::my_open_cases(&state, &user)
        .await?
        .iter()
        .find_map(|c| crate::monitoring::guide::guidance(c, now).map(|g| (c.id, g)));
    let policy_status = crate::policy::status(&state).await?;
    let owner_review = (policy_status.overdue && crate::policy::is_owner(&user, &policy_status))
        .then(|| format!("{} version {}: {}", policy_status.reference, policy_status.version, policy_status.line));
    Ok(render(&HomePage {
        approvals_waiting: waiting.len(),
        approvals_waiting_overdue: waiting.iter().filter(|t| t.overdue).count(),
        approvals_overdue_all,
        layout: layout(&state, Some(&user), "Home", "/"),
        first_name: user.person.name.split_whitespace().next().unwrap_or("").to_string(),
        roles: user.person.roles.iter().map(|r| r.label().to_string()).collect(),
        my_devices: mine.items.len(),
        awaiting_receipt: awaiting,
        my_open_findings: my_findings,
        team_open_findings: visible,
        register,
        review_due: policy_status.overdue,
        owner_review,
        monitoring,
    }))
}
