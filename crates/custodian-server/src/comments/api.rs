//! Public comments (WP034 6.7, 8.2) under /api/v1: the signed webhook a comment source
//! delivers comments to, and the evidence packs (JSON) of a comment and of an author.

use crate::routing::Routes;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::comments as uc;
use crate::error::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> Routes {
    Routes::documented(CommentsApi::openapi())
        .routes(routes!(receive))
        .routes(routes!(evidence))
        .routes(routes!(author_evidence))
        .merge(super::workflow_api::routes())
}

/// The comments part of the OpenAPI document: its schemas, which `routes()` starts from and adds its operations to.
#[derive(OpenApi)]
#[openapi(components(schemas(CommentIn, CommentReceived, LabelOut)))]
pub struct CommentsApi;

/// One public comment, as a comment source delivers it. Every field is required.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CommentIn {
    /// The platform's id of the comment.
    pub id: String,
    /// x, facebook, instagram, nextdoor, linkedin, tiktok, youtube, threads, bluesky or other
    pub platform: String,
    /// The handle of the force account in the register the comment was made on.
    pub account: String,
    /// The platform's id of the force post it answers.
    pub post: String,
    /// The platform's id of the author.
    pub author: String,
    /// The author's display name.
    pub author_name: String,
    pub url: String,
    /// At most 10,000 characters.
    pub text: String,
    /// RFC 3339.
    pub created_at: String,
}

/// A label the comment pack gave, with the span (UTF-8 byte offsets) that gave it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LabelOut {
    pub label: String,
    pub start: i64,
    pub end: i64,
    #[serde(rename = "match")]
    pub matched: String,
    pub explanation: String,
    pub clause: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommentReceived {
    pub id: Uuid,
    pub labels: Vec<LabelOut>,
    pub pack_version: String,
    /// Whether the evidence snapshot was kept at intake (every labelled comment's is).
    pub evidence_kept: bool,
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// Receive one comment from a comment source (WP034 6.7, 8.2). Not signed in: the delivery
/// is signed. `X-Custodian-Source` names the source, `X-Custodian-Timestamp` is the Unix time
/// of the delivery (within five minutes of the server's clock), and `X-Custodian-Signature` is
/// `sha256=` and the hex HMAC-SHA256, with the source's secret, of the timestamp, a full stop
/// and the raw body. A comment already received (same platform and id) is refused (409).
#[utoipa::path(post, path = "/comments", tag = "posts", request_body = CommentIn,
    params(
        ("X-Custodian-Source" = String, Header, description = "The comment source's name"),
        ("X-Custodian-Timestamp" = String, Header, description = "Unix seconds"),
        ("X-Custodian-Signature" = String, Header, description = "sha256=<hex HMAC-SHA256 of timestamp.body>"),
    ),
    security(()),
    responses((status = 201, body = CommentReceived), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<CommentReceived>)> {
    let source = uc::verify(
        &state,
        header(&headers, "x-custodian-source"),
        header(&headers, "x-custodian-timestamp"),
        header(&headers, "x-custodian-signature"),
        &body,
    )?;
    let (id, c) = uc::receive(&state, &source, &body).await?;
    let out = CommentReceived {
        id,
        evidence_kept: !c.labels.is_empty(),
        pack_version: c.pack_version.clone(),
        labels: c
            .labels
            .iter()
            .map(|l| LabelOut {
                label: l.label.clone(),
                start: l.span_start,
                end: l.span_end,
                matched: l.matched.clone(),
                explanation: l.explanation.clone(),
                clause: l.clause.clone(),
            })
            .collect(),
    };
    Ok((StatusCode::CREATED, Json(out)))
}

/// The evidence pack of one comment (WP034 8.2): the comment, its labels, and the snapshot's
/// record exactly as hashed with its SHA-256. An audited read.
#[utoipa::path(get, path = "/comments/{id}/evidence", tag = "posts", params(("id" = Uuid, Path)),
    responses((status = 200, body = Object), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn evidence(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<serde_json::Value>> {
    let (c, e) = uc::view(&state, &user, id).await?;
    Ok(Json(uc::pack_json(&c, e.as_ref())))
}

/// The evidence pack of every comment of one author on one platform (WP034 8.2), oldest first.
#[utoipa::path(get, path = "/comments/authors/{platform}/{author}/evidence", tag = "posts",
    params(("platform" = String, Path), ("author" = String, Path)),
    responses((status = 200, body = Object), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn author_evidence(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((platform, author)): Path<(String, String)>,
) -> ApiResult<Json<serde_json::Value>> {
    let rows = uc::author_pack(&state, &user, &platform, &author).await?;
    let items: Vec<serde_json::Value> = rows.iter().map(|(c, e)| uc::pack_json(c, e.as_ref())).collect();
    Ok(Json(serde_json::json!({"policy": "WP034 8.2", "platform": platform, "author": author, "comments": items})))
}
