//! The policy API: WP034's clauses by id.

use crate::routing::Routes;
use axum::Json;
use axum::extract::{Path, State};
use custodian_authz::{Action, Resource};
use utoipa_axum::routes;

use crate::auth::CurrentUser;
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;
use serde::Serialize;
use utoipa::ToSchema;

pub fn routes() -> Routes {
    Routes::new().routes(routes!(policy_clause)).routes(routes!(policy_status))
}

/// A clause of WP034, by id (e.g. `4.8`, `6.3b`).
#[utoipa::path(get, path = "/policy/clauses/{id}", tag = "policy", params(("id" = String, Path)), responses((status = 200, body = ClauseOut), (status = 404, body = Problem)))]
pub(crate) async fn policy_clause(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ClauseOut>> {
    state.require(&user, Action::PolicyRead, &Resource::System)?;
    let c =
        custodian_domain::policy::clause(&id).ok_or_else(|| AppError::NotFound(format!("WP034 has no clause {id}")))?;
    Ok(Json(ClauseOut { id: c.id().to_string(), title: c.title().to_string(), text: c.text().into_owned() }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClauseOut {
    pub id: String,
    pub title: String,
    pub text: String,
}

/// The version of WP034 in force, its owner and whether its review is overdue (WP034 10, 11).
#[utoipa::path(get, path = "/policy/status", tag = "policy", responses((status = 200, body = PolicyStatusOut)))]
pub(crate) async fn policy_status(
    State(state): State<AppState>,
    user: CurrentUser,
) -> ApiResult<Json<PolicyStatusOut>> {
    state.require(&user, Action::PolicyRead, &Resource::System)?;
    let s = super::status(&state).await?;
    let d = s.next_review;
    Ok(Json(PolicyStatusOut {
        reference: s.reference,
        version: s.version,
        title: s.title,
        owner: s.owner,
        next_review_date: format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()),
        review_overdue: s.overdue,
        status: s.line,
        recorded: s.recorded,
    }))
}

/// The policy in force and its review.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyStatusOut {
    pub reference: String,
    pub version: i64,
    pub title: String,
    /// The business area that owns the policy.
    pub owner: String,
    /// YYYY-MM-DD.
    pub next_review_date: String,
    pub review_overdue: bool,
    /// "review overdue since 16 March 2026" or "next review due ...".
    pub status: String,
    /// Whether the text has been imported (otherwise the built-in version's cover applies).
    pub recorded: bool,
}
