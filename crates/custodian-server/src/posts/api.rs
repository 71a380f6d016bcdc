//! The social media posts API under /api/v1 (WP034 6.3-6.8): accounts, the SIO of each
//! operation or reference, screening, posts and their approvals, and major incidents.

use crate::routing::Routes;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use custodian_domain::posts::{Attachment, PostState};
use custodian_store::posts::{Account, Incident, InvestigationSio, Post, PostStep};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::routes;
use uuid::Uuid;

use crate::api::{CsrfHeader, JsonIn, parse_opt};
use crate::auth::CurrentUser;
use crate::error::{ApiResult, AppError, Problem};
use crate::posts::{self as uc, PostDraft};
use crate::state::AppState;

pub fn routes() -> Routes {
    Routes::documented(PostsApi::openapi())
        .routes(routes!(list_posts, create_post))
        .routes(routes!(screen))
        .routes(routes!(list_accounts, create_account))
        .routes(routes!(list_sios, set_sio))
        .routes(routes!(incident, declare))
        .routes(routes!(end_incident))
        .routes(routes!(get_post, edit_post))
        .routes(routes!(submit))
        .routes(routes!(override_warnings))
        .routes(routes!(approve))
        .routes(routes!(send_back))
}

#[derive(OpenApi)]
#[openapi(components(schemas(
    PostIn,
    AttachmentIn,
    PostOut,
    PostEditorOut,
    PostStepOut,
    ScreenIn,
    ScreenOut,
    AccountIn,
    AccountOut,
    SioIn,
    SioOut,
    IncidentIn,
    IncidentEndIn,
    IncidentOut,
    ReasonIn,
    ApproveIn
)))]
pub struct PostsApi;

fn ts(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

fn parse_ts(field: &str, v: &Option<String>) -> Result<Option<OffsetDateTime>, AppError> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .map(Some)
            .map_err(|_| AppError::invalid(field, format!("{s:?} is not an RFC 3339 time like 2026-12-01T09:30:00Z"))),
    }
}

// ---- shapes -------------------------------------------------------------------------------

/// A file attached to a post and its rights declaration (WP034 6.3c).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentIn {
    pub name: String,
    /// force_owned, licensed, permission or public_domain.
    pub rights: String,
    /// The rights holder, required for licensed and permission.
    #[serde(default)]
    pub holder: String,
}

/// A post or a new version of one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostIn {
    pub account_id: Uuid,
    pub text: String,
    #[serde(default)]
    pub attachments: Vec<AttachmentIn>,
    /// When to publish (RFC 3339); as soon as approved when absent.
    pub scheduled_for: Option<String>,
}

impl PostIn {
    fn draft(self) -> Result<PostDraft, AppError> {
        let mut attachments = Vec::with_capacity(self.attachments.len());
        for (i, a) in self.attachments.into_iter().enumerate() {
            let rights = custodian_domain::posts::Rights::parse(&a.rights).ok_or_else(|| {
                AppError::invalid(
                    &format!("attachments[{i}].rights"),
                    "declare the rights: force_owned, licensed, permission or public_domain (WP034 6.3c)",
                )
            })?;
            attachments.push(Attachment { name: a.name, rights, holder: a.holder });
        }
        Ok(PostDraft {
            account_id: self.account_id,
            body: self.text,
            attachments,
            scheduled_for: parse_ts("scheduled_for", &self.scheduled_for)?,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountOut {
    pub id: Uuid,
    pub platform: String,
    pub handle: String,
    pub owning_team: String,
    pub comms_approval: bool,
    pub corporate: bool,
}

impl From<&Account> for AccountOut {
    fn from(a: &Account) -> Self {
        Self {
            id: a.id,
            platform: a.platform.as_str().into(),
            handle: a.handle.clone(),
            owning_team: a.owning_team.clone(),
            comms_approval: a.comms_approval,
            corporate: a.corporate,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PostStepOut {
    pub at: String,
    pub actor: String,
    pub step: String,
    pub clause: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub audit_seq: i64,
}

impl From<&PostStep> for PostStepOut {
    fn from(s: &PostStep) -> Self {
        Self {
            at: ts(s.at),
            actor: s.actor.clone(),
            step: s.step.clone(),
            clause: s.clause.clone(),
            detail: s.detail.clone(),
            audit_seq: s.audit_seq,
        }
    }
}

/// A post with its screening, route and approvals.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostOut {
    pub id: Uuid,
    pub account: AccountOut,
    pub author: String,
    /// Who saved each version, oldest first (WP034 6.3: none of them may approve the post).
    pub editors: Vec<PostEditorOut>,
    pub text: String,
    /// The attachments with their declared rights: name, rights, holder.
    #[schema(value_type = Vec<Object>)]
    pub attachments: serde_json::Value,
    pub scheduled_for: Option<String>,
    /// draft, pending_sio, pending_comms, scheduled, held or published.
    pub state: String,
    pub version: i64,
    pub pack_version: String,
    pub verdict: String,
    /// The findings of this version: category, clause, severity, start, end, match, explanation.
    #[schema(value_type = Vec<Object>)]
    pub findings: serde_json::Value,
    pub needs_sio: bool,
    /// The SIO recorded for the investigation named, when known.
    pub sio: Option<String>,
    pub needs_comms: bool,
    pub reapproval: bool,
    pub sio_approved_by: Option<String>,
    pub comms_approved_by: Option<String>,
    /// The post's request on the approval chain (GET /api/v1/approvals/{id} for its steps).
    pub approval_id: Option<Uuid>,
    pub warnings_overridden: bool,
    pub override_reason: Option<String>,
    pub published_at: Option<String>,
    pub published_ref: Option<String>,
    pub last_error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<PostStepOut>>,
}

impl From<&Post> for PostOut {
    fn from(p: &Post) -> Self {
        Self {
            id: p.id,
            account: AccountOut::from(&p.account),
            author: format!("{} ({})", p.author_name, p.author_staff_number),
            editors: p
                .editors
                .iter()
                .map(|e| PostEditorOut {
                    version: e.version,
                    person_id: e.person_id,
                    name: e.name.clone(),
                    staff_number: e.staff_number.clone(),
                    saved_at: ts(e.saved_at),
                })
                .collect(),
            text: p.body.clone(),
            attachments: serde_json::to_value(&p.attachments).unwrap_or_default(),
            scheduled_for: p.scheduled_for.map(ts),
            state: p.state.as_str().into(),
            version: p.version,
            pack_version: p.pack_version.clone(),
            verdict: p.verdict.clone(),
            findings: p.findings.clone(),
            needs_sio: p.needs_sio,
            sio: p.sio_name.clone(),
            needs_comms: p.needs_comms,
            reapproval: p.reapproval,
            sio_approved_by: p.sio_approved_by.clone(),
            comms_approved_by: p.comms_approved_by.clone(),
            approval_id: p.approval_id,
            warnings_overridden: p.overridden,
            override_reason: p.override_reason.clone(),
            published_at: p.published_at.map(ts),
            published_ref: p.published_ref.clone(),
            last_error: p.last_error.clone(),
            steps: None,
        }
    }
}

/// Who saved one version of a post.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostEditorOut {
    pub version: i64,
    pub person_id: Uuid,
    pub name: String,
    pub staff_number: String,
    pub saved_at: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreenIn {
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScreenOut {
    pub verdict: String,
    pub approver: Option<String>,
    pub pack_version: String,
    #[schema(value_type = Vec<Object>)]
    pub findings: serde_json::Value,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountIn {
    pub platform: String,
    pub handle: String,
    pub owning_team: String,
    /// The staff number of the team manager who answers for the account (WP034 6.7).
    pub team_manager: String,
    #[serde(default)]
    pub comms_approval: bool,
    #[serde(default)]
    pub corporate: bool,
    /// The account's https:// address.
    #[serde(default)]
    pub url: Option<String>,
    /// The profile text (bio), checked for signposting to 999 and 101 (WP034 6.7).
    #[serde(default)]
    pub profile: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SioIn {
    /// operation or reference.
    pub kind: String,
    /// "Operation Kestrel" or "23/123456/24".
    pub label: String,
    pub sio_staff_number: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SioOut {
    pub kind: String,
    pub label: String,
    pub key: String,
    pub sio: String,
    pub sio_staff_number: String,
}

impl From<&InvestigationSio> for SioOut {
    fn from(s: &InvestigationSio) -> Self {
        Self {
            kind: s.kind.clone(),
            label: s.label.clone(),
            key: s.key.clone(),
            sio: s.sio_name.clone(),
            sio_staff_number: s.sio_staff_number.clone(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentIn {
    pub name: String,
    pub reason: String,
    /// Guidance shown to departmental account holders.
    pub guidance: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentEndIn {
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentOut {
    pub id: Uuid,
    pub name: String,
    pub reason: String,
    pub guidance: String,
    pub declared_at: String,
    pub declared_by: String,
    pub ended_at: Option<String>,
    pub end_reason: Option<String>,
    /// Posts held (on declaring) or released for re-approval (on ending).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub posts: Option<usize>,
}

impl IncidentOut {
    fn new(i: &Incident, posts: Option<usize>) -> Self {
        Self {
            id: i.id,
            name: i.name.clone(),
            reason: i.reason.clone(),
            guidance: i.guidance.clone(),
            declared_at: ts(i.declared_at),
            declared_by: i.declared_by.clone(),
            ended_at: i.ended_at.map(ts),
            end_reason: i.end_reason.clone(),
            posts,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonIn {
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveIn {
    /// sio or comms.
    #[serde(rename = "as")]
    pub as_: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PostsQuery {
    /// Only posts in this state.
    pub state: Option<String>,
}

// ---- handlers -------------------------------------------------------------------------------

/// Posts the caller may see: approvers see all, others their own and their team's (WP034 6.7).
#[utoipa::path(get, path = "/posts", tag = "posts", params(PostsQuery), responses((status = 200, body = [PostOut]), (status = 422, body = Problem)))]
async fn list_posts(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<PostsQuery>,
) -> ApiResult<Json<Vec<PostOut>>> {
    let st = parse_opt("state", &q.state, PostState::parse)?;
    Ok(Json(uc::list(&state, &user, st).await?.iter().map(PostOut::from).collect()))
}

/// Draft a post: screened at once, findings kept with the pack's version (WP034 6.3).
#[utoipa::path(post, path = "/posts", tag = "posts", request_body = PostIn, responses((status = 201, body = PostOut), (status = 422, body = Problem)))]
async fn create_post(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    JsonIn(b): JsonIn<PostIn>,
) -> ApiResult<(StatusCode, Json<PostOut>)> {
    let p = uc::save(&state, &user, None, &b.draft()?).await?;
    Ok((StatusCode::CREATED, Json(PostOut::from(&p))))
}

/// Screen a text without saving it (the editor's highlighting uses the same engine).
#[utoipa::path(post, path = "/posts/screen", tag = "posts", request_body = ScreenIn, responses((status = 200, body = ScreenOut)))]
async fn screen(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    JsonIn(b): JsonIn<ScreenIn>,
) -> ApiResult<Json<ScreenOut>> {
    state.require(&user, custodian_authz::Action::PostsDraft, &custodian_authz::Resource::System)?;
    let (s, pack_version) = uc::screen(&state, &b.text).await?;
    Ok(Json(ScreenOut {
        verdict: s.verdict.as_str().into(),
        approver: s.approver.map(|a| a.as_str().to_string()),
        pack_version,
        findings: serde_json::to_value(&s.findings).map_err(|e| AppError::Internal(e.into()))?,
    }))
}

/// The force's social media accounts.
#[utoipa::path(get, path = "/posts/accounts", tag = "posts", responses((status = 200, body = [AccountOut])))]
async fn list_accounts(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Vec<AccountOut>>> {
    Ok(Json(uc::accounts(&state, &user).await?.iter().map(AccountOut::from).collect()))
}

/// Corporate Communications set up an account in the register themselves, active at once, with
/// its team manager (WP034 6.6: they approve and set up every departmental account; audited as
/// `social_account.set_up`). A team asks for one with `POST /accounts` instead.
#[utoipa::path(post, path = "/posts/accounts", tag = "posts", request_body = AccountIn, responses((status = 201, body = AccountOut), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_account(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    JsonIn(b): JsonIn<AccountIn>,
) -> ApiResult<(StatusCode, Json<AccountOut>)> {
    let a = uc::SetUpForm {
        platform: b.platform,
        handle: b.handle,
        owning_team: b.owning_team,
        team_manager: b.team_manager,
        comms_approval: b.comms_approval,
        corporate: b.corporate,
        url: b.url.unwrap_or_default(),
        profile: b.profile.unwrap_or_default(),
    };
    Ok((StatusCode::CREATED, Json(AccountOut::from(&uc::create_account(&state, &user, &a).await?))))
}

/// The SIO recorded for each operation and reference (WP034 6.3e).
#[utoipa::path(get, path = "/posts/investigations", tag = "posts", responses((status = 200, body = [SioOut])))]
async fn list_sios(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Vec<SioOut>>> {
    Ok(Json(uc::sios(&state, &user).await?.iter().map(SioOut::from).collect()))
}

/// Record the SIO of an operation or reference (SIOs only).
#[utoipa::path(post, path = "/posts/investigations", tag = "posts", request_body = SioIn, responses((status = 201, body = SioOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn set_sio(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    JsonIn(b): JsonIn<SioIn>,
) -> ApiResult<(StatusCode, Json<SioOut>)> {
    let s = uc::set_sio(&state, &user, &b.kind, &b.label, &b.sio_staff_number).await?;
    Ok((StatusCode::CREATED, Json(SioOut::from(&s))))
}

/// The major incident in force, if any (null when none).
#[utoipa::path(get, path = "/posts/incident", tag = "posts", responses((status = 200, body = Option<IncidentOut>)))]
async fn incident(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Option<IncidentOut>>> {
    state.require(&user, custodian_authz::Action::PostsView, &custodian_authz::Resource::System)?;
    Ok(Json(uc::active_incident(&state).await?.as_ref().map(|i| IncidentOut::new(i, None))))
}

/// Declare a major incident: every departmental account's scheduled posts are held at once
/// (WP034 6.8, Corporate Communications only).
#[utoipa::path(post, path = "/posts/incident", tag = "posts", request_body = IncidentIn, responses((status = 201, body = IncidentOut), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn declare(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    JsonIn(b): JsonIn<IncidentIn>,
) -> ApiResult<(StatusCode, Json<IncidentOut>)> {
    let (i, held) = uc::declare(&state, &user, &b.name, &b.reason, &b.guidance).await?;
    Ok((StatusCode::CREATED, Json(IncidentOut::new(&i, Some(held)))))
}

/// End the major incident with a reason; held posts go back for approval (WP034 6.8).
#[utoipa::path(post, path = "/posts/incident/end", tag = "posts", request_body = IncidentEndIn, responses((status = 200, body = IncidentOut), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn end_incident(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    JsonIn(b): JsonIn<IncidentEndIn>,
) -> ApiResult<Json<IncidentOut>> {
    let (i, released) = uc::end_incident(&state, &user, &b.reason).await?;
    Ok(Json(IncidentOut::new(&i, Some(released))))
}

/// One post with its record of steps.
#[utoipa::path(get, path = "/posts/{id}", tag = "posts", params(("id" = Uuid, Path)), responses((status = 200, body = PostOut), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_post(State(state): State<AppState>, user: CurrentUser, Path(id): Path<Uuid>) -> ApiResult<Json<PostOut>> {
    let (p, steps) = uc::get(&state, &user, id).await?;
    let mut out = PostOut::from(&p);
    out.steps = Some(steps.iter().map(PostStepOut::from).collect());
    Ok(Json(out))
}

/// Save a new version: screened again; any approval given restarts (WP034 6.3).
#[utoipa::path(put, path = "/posts/{id}", tag = "posts", params(("id" = Uuid, Path)), request_body = PostIn, responses((status = 200, body = PostOut), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn edit_post(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
    JsonIn(b): JsonIn<PostIn>,
) -> ApiResult<Json<PostOut>> {
    Ok(Json(PostOut::from(&uc::save(&state, &user, Some(id), &b.draft()?).await?)))
}

/// Submit a draft for approval: refused while a blocking finding or an unreviewed warning
/// remains; routed to the SIO for investigation details (6.3e).
#[utoipa::path(post, path = "/posts/{id}/submit", tag = "posts", params(("id" = Uuid, Path)), responses((status = 200, body = PostOut), (status = 409, body = Problem)))]
async fn submit(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<PostOut>> {
    Ok(Json(PostOut::from(&uc::submit(&state, &user, id).await?)))
}

/// Override the warnings of this version, with a reason (Corporate Communications; never a
/// blocking finding).
#[utoipa::path(post, path = "/posts/{id}/override", tag = "posts", params(("id" = Uuid, Path)), request_body = ReasonIn, responses((status = 200, body = PostOut), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn override_warnings(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
    JsonIn(b): JsonIn<ReasonIn>,
) -> ApiResult<Json<PostOut>> {
    Ok(Json(PostOut::from(&uc::override_warnings(&state, &user, id, &b.reason).await?)))
}

/// Approve as the SIO (6.3e) or for Corporate Communications (6.4). Never one's own post.
#[utoipa::path(post, path = "/posts/{id}/approve", tag = "posts", params(("id" = Uuid, Path)), request_body = ApproveIn, responses((status = 200, body = PostOut), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn approve(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
    JsonIn(b): JsonIn<ApproveIn>,
) -> ApiResult<Json<PostOut>> {
    decide(state, user, id, uc::DecisionKind::Approve, Some(&b.as_), None).await
}

/// Approve or return, the same for both endpoints (and the pages, through [`uc::decide`]).
async fn decide(
    state: AppState,
    user: CurrentUser,
    id: Uuid,
    kind: uc::DecisionKind,
    as_: Option<&str>,
    reason: Option<&str>,
) -> ApiResult<Json<PostOut>> {
    Ok(Json(PostOut::from(&uc::decide(&state, &user, id, kind, as_, reason).await?)))
}

/// Send a post back to its author with a reason.
#[utoipa::path(post, path = "/posts/{id}/return", tag = "posts", params(("id" = Uuid, Path)), request_body = ReasonIn, responses((status = 200, body = PostOut), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn send_back(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
    JsonIn(b): JsonIn<ReasonIn>,
) -> ApiResult<Json<PostOut>> {
    decide(state, user, id, uc::DecisionKind::Return, None, Some(&b.reason)).await
}
