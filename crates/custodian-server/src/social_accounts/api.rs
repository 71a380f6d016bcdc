//! The social media account register (WP034 6.6, 6.7) under /api/v1. Decisions on an account
//! request go through `/approvals/{id}/decide` like every approval.

use crate::routing::Routes;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use custodian_store::social_accounts::{AccountFilter, AuthorisedUser, RegisterAccount};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::routes;
use uuid::Uuid;

use crate::api::{CsrfHeader, JsonIn};
use crate::auth::CurrentUser;
use crate::error::{ApiResult, Problem};
use crate::social_accounts as uc;
use crate::state::AppState;

pub fn routes() -> Routes {
    Routes::documented(SocialAccountsApi::openapi()).routes(routes!(list, request)).routes(routes!(get_account))
}

/// The accounts part of the OpenAPI document: its schemas, which `routes()` starts from and adds its operations to.
#[derive(OpenApi)]
#[openapi(components(schemas(
    AccountRequestIn,
    AccountRequested,
    RegisterAccountOut,
    AuthorisedUserOut,
    AccountTaskOut,
    EarlierRequestOut
)))]
pub struct SocialAccountsApi;

fn ts(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// A request for a new departmental account (WP034 6.4, 6.6).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountRequestIn {
    /// x, facebook, instagram, nextdoor, linkedin, tiktok, youtube, threads, bluesky or other
    pub platform: String,
    /// The proposed handle (a leading @ is dropped).
    pub handle: String,
    pub purpose: String,
    pub audience: String,
    /// The team that will run it; the caller's business area when absent.
    #[serde(default)]
    pub owning_team: Option<String>,
    /// The team manager's staff number; the caller when absent.
    #[serde(default)]
    pub team_manager: Option<String>,
    /// corporate or departmental (the default)
    #[serde(default)]
    pub kind: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountRequested {
    pub id: Uuid,
    pub approval_id: Uuid,
    /// requested
    pub status: String,
}

/// One authorisation to use an account, current or ended (WP034 6.7).
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorisedUserOut {
    pub id: Uuid,
    pub staff_number: String,
    pub name: String,
    pub authorised_from: String,
    pub authorised_to: Option<String>,
    pub authorised_by: String,
    /// left, moved, removed or account_closed
    pub ended_reason: Option<String>,
}

impl From<&AuthorisedUser> for AuthorisedUserOut {
    fn from(u: &AuthorisedUser) -> Self {
        Self {
            id: u.id,
            staff_number: u.staff_number.clone(),
            name: u.name.clone(),
            authorised_from: ts(u.authorised_from),
            authorised_to: u.authorised_to.map(ts),
            authorised_by: u.authorised_by.clone(),
            ended_reason: u.ended_reason.clone(),
        }
    }
}

/// A task the register raised on an account.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountTaskOut {
    pub id: Uuid,
    /// social.recertification_overdue, social.rotate_credentials, social.signposting or social.dormant
    pub rule: String,
    pub clause: String,
    /// team_manager, corporate_comms or both
    pub assignee: String,
    pub summary: String,
    /// open or done
    pub status: String,
    pub opened_at: String,
    pub done_at: Option<String>,
    pub outcome: Option<String>,
}

/// An account in the register.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterAccountOut {
    pub id: Uuid,
    pub platform: String,
    pub handle: String,
    pub url: String,
    pub owning_team: String,
    /// The team manager's staff number.
    pub team_manager: Option<String>,
    /// corporate or departmental
    pub kind: String,
    /// requested, active, dormant, closed, refused or withdrawn
    pub status: String,
    pub profile: String,
    pub last_post_at: Option<String>,
    pub recertified_at: Option<String>,
    pub approval_id: Option<Uuid>,
    pub created_at: String,
    pub open_tasks: i64,
    /// The authorised users, current and past (single account only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorised_users: Option<Vec<AuthorisedUserOut>>,
    /// The tasks, open first (single account only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tasks: Option<Vec<AccountTaskOut>>,
    /// Earlier requests for the same platform and handle that were refused or withdrawn, newest
    /// first (single account only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub earlier_requests: Option<Vec<EarlierRequestOut>>,
}

/// An earlier request for an account's platform and handle, refused or withdrawn (WP034 6.6).
#[derive(Debug, Serialize, ToSchema)]
pub struct EarlierRequestOut {
    pub id: Uuid,
    /// refused or withdrawn
    pub status: String,
    pub owning_team: String,
    pub purpose: String,
    pub requested_at: String,
    pub requested_by: String,
    pub decided_at: Option<String>,
    pub reason: Option<String>,
    pub approval_id: Option<Uuid>,
}

impl From<&RegisterAccount> for RegisterAccountOut {
    fn from(a: &RegisterAccount) -> Self {
        Self {
            id: a.id,
            platform: a.platform.as_str().into(),
            handle: a.handle.clone(),
            url: a.url.clone(),
            owning_team: a.owning_team.clone(),
            team_manager: a.team_manager_staff_number.clone(),
            kind: custodian_domain::social_accounts::AccountKind::from_corporate(a.corporate).as_str().into(),
            status: a.status.as_str().into(),
            profile: a.profile.clone(),
            last_post_at: a.last_post_at.map(ts),
            recertified_at: a.recertified_at.map(ts),
            approval_id: a.approval_id,
            created_at: ts(a.created_at),
            open_tasks: a.open_tasks,
            authorised_users: None,
            tasks: None,
            earlier_requests: None,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// requested, active, dormant, closed, refused or withdrawn
    pub status: Option<String>,
    pub platform: Option<String>,
    /// The owning team, exactly.
    pub team: Option<String>,
    /// Only accounts with an open task.
    pub with_tasks: Option<bool>,
}

/// The accounts the caller may see: every one for Corporate Communications and the auditor;
/// otherwise those the caller manages, is authorised to use or whose team runs them.
#[utoipa::path(get, path = "/accounts", tag = "posts", params(ListQuery), responses((status = 200, body = [RegisterAccountOut]), (status = 422, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<RegisterAccountOut>>> {
    let f = AccountFilter {
        status: uc::parse_status(q.status.as_deref())?,
        platform: uc::parse_platform(q.platform.as_deref())?,
        team: q.team.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()),
        with_tasks: q.with_tasks.unwrap_or(false),
        ..Default::default()
    };
    Ok(Json(uc::list(&state, &user, f).await?.iter().map(RegisterAccountOut::from).collect()))
}

/// Request an account: recorded as requested and sent to Corporate Communications, who approve
/// and set up every departmental account (WP034 6.6).
#[utoipa::path(post, path = "/accounts", tag = "posts", request_body = AccountRequestIn, responses((status = 201, body = AccountRequested), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn request(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    JsonIn(b): JsonIn<AccountRequestIn>,
) -> ApiResult<(StatusCode, Json<AccountRequested>)> {
    let form = uc::RequestForm {
        platform: b.platform,
        handle: b.handle,
        purpose: b.purpose,
        audience: b.audience,
        owning_team: b.owning_team.unwrap_or_default(),
        team_manager: b.team_manager.unwrap_or_default(),
        kind: b.kind.unwrap_or_default(),
    };
    let (id, approval_id) = uc::request(&state, &user, &form).await?;
    Ok((StatusCode::CREATED, Json(AccountRequested { id, approval_id, status: "requested".into() })))
}

/// One account with its authorised users (current and past) and its tasks.
#[utoipa::path(get, path = "/accounts/{id}", tag = "posts", params(("id" = Uuid, Path)), responses((status = 200, body = RegisterAccountOut), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_account(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<RegisterAccountOut>> {
    let v = uc::view(&state, &user, id).await?;
    let mut out = RegisterAccountOut::from(&v.detail.account);
    out.authorised_users = Some(v.detail.users.iter().map(AuthorisedUserOut::from).collect());
    out.tasks = Some(
        v.detail
            .tasks
            .iter()
            .map(|t| AccountTaskOut {
                id: t.id,
                rule: t.rule.clone(),
                clause: t.clause.clone(),
                assignee: t.assignee.clone(),
                summary: t.summary.clone(),
                status: t.status.clone(),
                opened_at: ts(t.opened_at),
                done_at: t.done_at.map(ts),
                outcome: t.outcome.clone(),
            })
            .collect(),
    );
    out.earlier_requests = Some(
        v.detail
            .earlier_requests
            .iter()
            .map(|e| EarlierRequestOut {
                id: e.id,
                status: e.status.as_str().into(),
                owning_team: e.owning_team.clone(),
                purpose: e.purpose.clone(),
                requested_at: ts(e.created_at),
                requested_by: e.created_by.clone(),
                decided_at: e.closed_at.map(ts),
                reason: e.closed_reason.clone(),
                approval_id: e.approval_id,
            })
            .collect(),
    );
    Ok(Json(out))
}
