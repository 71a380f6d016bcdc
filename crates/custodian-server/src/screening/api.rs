//! The screening pack API under /api/v1/screening (WP034 6.3, 6.5): the pack in force, its
//! history, checking a proposed change against it, and putting a change into effect.

use crate::routing::Routes;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use custodian_store::screening::PackVersion;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::routes;

use crate::api::{CsrfHeader, JsonIn};
use crate::auth::CurrentUser;
use crate::error::{ApiResult, Problem};
use crate::screening as uc;
use crate::state::AppState;

pub fn routes() -> Routes {
    Routes::documented(ScreeningApi::openapi())
        .routes(routes!(current, activate))
        .routes(routes!(check))
        .routes(routes!(history))
        .routes(routes!(one_version))
}

/// The screening part of the OpenAPI document: its schemas, which `routes()` starts from and adds its operations to.
#[derive(OpenApi)]
#[openapi(components(schemas(PackOut, PackVersionOut, PackIn, CheckIn)))]
pub struct ScreeningApi;

/// The pack in force.
#[derive(Debug, Serialize, ToSchema)]
pub struct PackOut {
    pub version: String,
    pub sha256: String,
    /// `built_in` until a version has been put into effect, then `stored`.
    pub source: String,
    /// Position in the history of stored versions.
    pub seq: Option<i64>,
    pub rules: usize,
    pub examples: usize,
    /// The pack's TOML text.
    pub body: String,
}

/// One stored version (the body only when asked for one version).
#[derive(Debug, Serialize, ToSchema)]
pub struct PackVersionOut {
    pub seq: i64,
    pub version: String,
    pub sha256: String,
    pub rules: i64,
    pub examples: i64,
    pub reason: String,
    pub author: String,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

impl PackVersionOut {
    fn from(v: PackVersion, with_body: bool) -> Self {
        Self {
            seq: v.seq,
            version: v.version,
            sha256: v.sha256,
            rules: v.rules,
            examples: v.examples,
            reason: v.reason,
            author: v.author,
            created_at: v.created_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
            body: with_body.then_some(v.body),
        }
    }
}

/// A proposed pack to check.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CheckIn {
    /// The whole pack as TOML.
    pub body: String,
}

/// A checked pack to put into effect.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PackIn {
    /// The whole pack as TOML, with a version never used before.
    pub body: String,
    /// Why the pack is changing, for the history and the audit log.
    pub reason: String,
}

/// The screening pack in force (WP034 6.3).
#[utoipa::path(get, path = "/screening/pack", tag = "screening", responses((status = 200, body = PackOut), (status = 403, body = Problem)))]
async fn current(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<PackOut>> {
    let (p, _) = uc::overview(&state, &user).await?;
    Ok(Json(PackOut {
        version: p.version().to_string(),
        sha256: p.sha256.clone(),
        source: if p.seq.is_some() { "stored" } else { "built_in" }.into(),
        seq: p.seq,
        rules: p.pack.rules.len(),
        examples: p.pack.examples.len(),
        body: match p.seq {
            Some(_) => state.store().screening_pack(p.version()).await?.map(|v| v.body).unwrap_or_default(),
            None => custodian_screening::Pack::builtin_text().to_string(),
        },
    }))
}

/// Every version put into effect, newest first.
#[utoipa::path(get, path = "/screening/pack/versions", tag = "screening", responses((status = 200, body = [PackVersionOut]), (status = 403, body = Problem)))]
async fn history(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Vec<PackVersionOut>>> {
    let (_, versions) = uc::overview(&state, &user).await?;
    Ok(Json(versions.into_iter().map(|v| PackVersionOut::from(v, false)).collect()))
}

/// One version put into effect, with its full text.
#[utoipa::path(get, path = "/screening/pack/versions/{version}", tag = "screening", params(("version" = String, Path)), responses((status = 200, body = PackVersionOut), (status = 404, body = Problem)))]
async fn one_version(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(version): Path<String>,
) -> ApiResult<Json<PackVersionOut>> {
    Ok(Json(PackVersionOut::from(uc::version(&state, &user, &version).await?, true)))
}

/// Check a proposed pack: it must parse, compile and pass its saved examples; the answer says
/// what it would change against the pack in force. Nothing is stored.
#[utoipa::path(post, path = "/screening/pack/check", tag = "screening", request_body = CheckIn, responses((status = 200, description = "The change report: rules added, removed and changed, drafts screened differently, corpus scores before and after", body = Object), (status = 422, body = Problem)))]
async fn check(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    JsonIn(b): JsonIn<CheckIn>,
) -> ApiResult<Json<custodian_screening::review::ChangeReport>> {
    Ok(Json(uc::check(&state, &user, &b.body).await?))
}

/// Put a checked pack into effect as the newest version.
#[utoipa::path(post, path = "/screening/pack", tag = "screening", request_body = PackIn, responses((status = 201, body = PackVersionOut), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn activate(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    JsonIn(b): JsonIn<PackIn>,
) -> ApiResult<(StatusCode, Json<PackVersionOut>)> {
    let v = uc::activate(&state, &user, &b.body, &b.reason).await?;
    Ok((StatusCode::CREATED, Json(PackVersionOut::from(v, false))))
}
