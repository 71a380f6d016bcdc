//! The policy API: WP034's clauses by id.

use crate::routing::{Routes, get};
use axum::Json;
use axum::extract::{Path, State};
use custodian_authz::{Action, Resource};

use crate::auth::CurrentUser;
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;
use serde::Serialize;
use utoipa::ToSchema;

pub fn routes() -> Routes {
    Routes::new().route("/policy/clauses/{id}", get(policy_clause))
}

/// A clause of WP034, by id (e.g. `4.8`, `6.3b`).
#[utoipa::path(get, path = "/policy/clauses/{id}", tag = "policy", params(("id" = String, Path)), responses((status = 200, body = ClauseOut), (status = 404, body = Problem)))]
async fn policy_clause(
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
