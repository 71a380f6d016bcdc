//! The comments' workflow under /api/v1 (WP034 6.7, 8.2): wellbeing cases, Resolution Centre
//! referrals and their outcome, Corporate Communications' advice and actions, and the reply
//! queues. Each answers with the same permissions as its page.

use crate::routing::Routes;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use custodian_store::comments::workflow::{ActionRecord, Referral, ReplyItem, StrandCount, WellbeingCase};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::routes;
use uuid::Uuid;

use crate::api::{CsrfHeader, JsonIn};
use crate::auth::CurrentUser;
use crate::comments::workflow as uc;
use crate::error::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> Routes {
    Routes::documented(CommentsWorkflowApi::openapi())
        .routes(routes!(wellbeing))
        .routes(routes!(wellbeing_close))
        .routes(routes!(referrals))
        .routes(routes!(referral_outcome))
        .routes(routes!(act))
        .routes(routes!(replies))
        .routes(routes!(reply_sent))
}

/// The comments workflow part of the OpenAPI document: its schemas, which `routes()` starts from and adds its operations to.
#[derive(OpenApi)]
#[openapi(components(schemas(CloseIn, OutcomeIn, ActIn, SentIn, ReferralsOut)))]
pub struct CommentsWorkflowApi;

/// Close a wellbeing case with the support given.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseIn {
    pub support: String,
}

/// The Resolution Centre's outcome of a referral.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeIn {
    /// crime_recorded, no_crime or advice
    pub outcome: String,
    /// Required with crime_recorded, refused otherwise.
    #[serde(default)]
    pub crime_reference: Option<String>,
    #[serde(default)]
    pub note: String,
}

/// Corporate Communications' advice and the action taken on a comment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActIn {
    /// none, hide, delete, reply or report_platform
    pub action: String,
    pub advice: String,
}

/// A reply marked sent, with the text sent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SentIn {
    pub reply: String,
}

/// The referrals and their counts per month (UTC) and strand.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralsOut {
    #[schema(value_type = Vec<Object>)]
    pub referrals: Vec<Referral>,
    #[schema(value_type = Vec<Object>)]
    pub counts: Vec<StrandCount>,
}

/// The wellbeing cases of the people the caller line-manages (WP034 8.2).
#[utoipa::path(get, path = "/comments/wellbeing", tag = "posts",
    responses((status = 200, body = [Object]), (status = 403, body = Problem)))]
async fn wellbeing(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Vec<WellbeingCase>>> {
    Ok(Json(uc::wellbeing_list(&state, &user).await?))
}

/// Record the support given and close a wellbeing case: the affected person's line manager only.
#[utoipa::path(post, path = "/comments/wellbeing/{id}/close", tag = "posts", params(("id" = Uuid, Path)), request_body = CloseIn,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn wellbeing_close(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
    JsonIn(b): JsonIn<CloseIn>,
) -> ApiResult<StatusCode> {
    uc::wellbeing_close(&state, &user, id, &b.support).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The Resolution Centre referrals, undecided first, with the counts per month and strand.
#[utoipa::path(get, path = "/comments/referrals", tag = "posts",
    responses((status = 200, body = ReferralsOut), (status = 403, body = Problem)))]
async fn referrals(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<ReferralsOut>> {
    let (referrals, counts) = uc::referrals(&state, &user).await?;
    Ok(Json(ReferralsOut { referrals, counts }))
}

/// Record the outcome of a referral (once): the Resolution Centre only.
#[utoipa::path(post, path = "/comments/referrals/{id}/outcome", tag = "posts", params(("id" = Uuid, Path)), request_body = OutcomeIn,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn referral_outcome(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
    JsonIn(b): JsonIn<OutcomeIn>,
) -> ApiResult<StatusCode> {
    uc::referral_decide(&state, &user, id, &b.outcome, b.crime_reference.as_deref(), &b.note).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Record Corporate Communications' advice and the action taken on a comment; its evidence is
/// kept first (in the same transaction) if it was not already.
#[utoipa::path(post, path = "/comments/{id}/actions", tag = "posts", params(("id" = Uuid, Path)), request_body = ActIn,
    responses((status = 201, body = Object), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn act(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
    JsonIn(b): JsonIn<ActIn>,
) -> ApiResult<(StatusCode, Json<ActionRecord>)> {
    Ok((StatusCode::CREATED, Json(uc::act(&state, &user, id, &b.action, &b.advice).await?)))
}

/// The reply queue of the accounts the caller manages or is authorised to use (every account
/// for Corporate Communications), waiting replies first by due time.
#[utoipa::path(get, path = "/comments/replies", tag = "posts",
    responses((status = 200, body = [Object]), (status = 403, body = Problem)))]
async fn replies(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Vec<ReplyItem>>> {
    Ok(Json(uc::replies(&state, &user, false).await?))
}

/// Mark a reply sent (once), with the text sent.
#[utoipa::path(post, path = "/comments/replies/{id}/sent", tag = "posts", params(("id" = Uuid, Path)), request_body = SentIn,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn reply_sent(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
    JsonIn(b): JsonIn<SentIn>,
) -> ApiResult<StatusCode> {
    uc::reply_sent(&state, &user, id, &b.reply).await?;
    Ok(StatusCode::NO_CONTENT)
}
