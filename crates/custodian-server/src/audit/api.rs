//! The audit API: the log, newest first, its verification, and what lets someone outside check it
//! (RFC 6962 / RFC 9162, C2SP): the verifier key, consistency proofs between tree sizes, and
//! inclusion proofs for one event.

use crate::api::{CsrfHeader, JsonIn};
use crate::routing::Routes;
use axum::Json;
use axum::extract::{Path, Query, State};
use custodian_authz::{Action, Resource};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::api::dto::ts;
use crate::api::dto::*;
use crate::auth::CurrentUser;
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;
use custodian_store as s;
use serde::Serialize;
use utoipa::ToSchema;

pub fn routes() -> Routes {
    Routes::new()
        .routes(routes!(audit_events))
        .routes(routes!(audit_verify, audit_verify_against))
        .routes(routes!(audit_key))
        .routes(routes!(audit_consistency))
        .routes(routes!(audit_inclusion))
}

/// The key that signs the log's checkpoints, in the C2SP note verifier format, for anyone who
/// signs in: it is public by design.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditKeyOut {
    /// `<name>+<key id, 8 hex>+<base64(0x01 || Ed25519 public key)>` (C2SP signed-note).
    pub verifier_key: String,
    pub key_name: String,
    /// The origin line of every checkpoint of this log.
    pub origin: String,
    /// The 32-byte Ed25519 public key, hex.
    pub public_key: String,
    /// `SHA256:` and the first 16 bytes of the SHA-256 of the public key, hex.
    pub fingerprint: String,
}

/// The verifier key of this log's checkpoints (C2SP note verifier format).
#[utoipa::path(get, path = "/audit/key", tag = "audit", responses((status = 200, body = AuditKeyOut), (status = 401, body = Problem)))]
async fn audit_key(State(state): State<AppState>, _user: CurrentUser) -> ApiResult<Json<AuditKeyOut>> {
    Ok(Json(key_out(&state)))
}

/// The verifier key as the API, the page and `custodian audit key` show it.
pub fn key_out(state: &AppState) -> AuditKeyOut {
    let origin = state.store().origin().to_string();
    let key_name = crate::auth::keys::key_name(&origin);
    let public = state.audit_key().verifying_key();
    AuditKeyOut {
        verifier_key: custodian_domain::audit::verifier_key_text(&key_name, &public),
        key_name,
        origin,
        public_key: hex::encode(public.as_bytes()),
        fingerprint: s::key_fingerprint(&public),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ConsistencyQuery {
    /// The size of the older tree (e.g. a checkpoint kept elsewhere).
    old_size: Option<String>,
    /// The size of the newer tree; the current size when absent.
    new_size: Option<String>,
}

/// An RFC 9162 consistency proof (hashes in hex).
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsistencyOut {
    pub old_size: u64,
    pub new_size: u64,
    pub old_root: String,
    pub new_root: String,
    pub proof: Vec<String>,
}

fn size_param(field: &str, v: Option<&str>) -> Result<Option<u64>, AppError> {
    v.filter(|t| !t.trim().is_empty())
        .map(|t| t.trim().parse::<u64>().map_err(|_| AppError::invalid(field, format!("{t:?} is not a whole number"))))
        .transpose()
}

/// An RFC 9162 (section 2.1.4) consistency proof between the tree of `old_size` events and the
/// tree of `new_size` (now, when absent): proves the log was only appended to in between.
#[utoipa::path(get, path = "/audit/consistency", tag = "audit", params(ConsistencyQuery), responses((status = 200, body = ConsistencyOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn audit_consistency(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ConsistencyQuery>,
) -> ApiResult<Json<ConsistencyOut>> {
    state.require(&user, Action::AuditRead, &Resource::System)?;
    let old_size =
        size_param("old_size", q.old_size.as_deref())?.ok_or_else(|| AppError::invalid("old_size", "is required"))?;
    let new_size = size_param("new_size", q.new_size.as_deref())?;
    let p = state.store().audit_consistency(old_size, new_size).await?;
    Ok(Json(ConsistencyOut {
        old_size: p.old_size,
        new_size: p.new_size,
        old_root: p.old_root,
        new_root: p.new_root,
        proof: p.proof,
    }))
}

/// An RFC 9162 inclusion proof of one event in the current tree (hashes in hex).
#[derive(Debug, Serialize, ToSchema)]
pub struct InclusionOut {
    pub event_id: Uuid,
    /// The event's leaf index (its seq).
    pub index: u64,
    pub tree_size: u64,
    pub leaf_hash: String,
    pub root: String,
    pub proof: Vec<String>,
    /// The event's canonical bytes, hex: the leaf hash is SHA-256(0x00 || these bytes).
    pub canonical_event: String,
}

/// The inclusion proof of an audit event, so its record can be checked against a signed
/// checkpoint. For auditors (audit read), and for the person the event is about
/// (subject `person:<their staff number>`), who may check the record of their own case.
#[utoipa::path(get, path = "/audit/events/{id}/proof", tag = "audit", params(("id" = Uuid, Path, description = "The audit event's id")), responses((status = 200, body = InclusionOut), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn audit_inclusion(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<InclusionOut>> {
    if !state.allows(&user, Action::AuditRead, &Resource::System) {
        // Least privilege: only an event whose subject is the person asking, and only through a
        // session or a token that may read the audit log.
        let own = format!("person:{}", user.person.staff_number);
        let subject = state.store().audit_event_subject(id).await?;
        if !user.scope_allows(Action::AuditRead) || subject.as_deref() != Some(own.as_str()) {
            state.require(&user, Action::AuditRead, &Resource::System)?;
        }
    }
    let p = state.store().audit_prove(id).await?;
    Ok(Json(InclusionOut {
        event_id: p.event_id,
        index: p.index,
        tree_size: p.tree_size,
        leaf_hash: p.leaf_hash,
        root: p.root,
        proof: p.proof,
        canonical_event: p.canonical_event,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    subject: Option<String>,
    actor: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/audit/events", tag = "audit", params(AuditQuery), responses((status = 200, body = AuditPage), (status = 403, body = Problem)))]
async fn audit_events(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    state.require(&user, Action::AuditRead, &Resource::System)?;
    let (page, per_page) = Paging { page: q.page, per_page: q.per_page }.resolve();
    let p = state
        .store()
        .audit_page(
            q.subject.as_deref().filter(|s| !s.is_empty()),
            q.actor.as_deref().filter(|s| !s.is_empty()),
            page,
            per_page,
        )
        .await?;
    Ok(Json(AuditPage { items: p.items.iter().map(AuditEventOut::from).collect(), total: p.total, page, per_page }))
}

/// Recompute the audit tree and check every signed checkpoint.
#[utoipa::path(get, path = "/audit/verify", tag = "audit", responses((status = 200, body = VerifyOut), (status = 403, body = Problem)))]
async fn audit_verify(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<VerifyOut>> {
    let r = crate::heavy::audit_verify(&state, &user, Vec::new()).await?;
    Ok(Json(VerifyOut::from(r)))
}

/// The most checkpoints one request may send, and the longest note.
const MAX_SAVED: usize = 1_000;
const MAX_NOTE_BYTES: usize = 16 * 1024;

/// Checkpoints kept outside the database, to check against the log.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyAgainstIn {
    /// Signed checkpoint notes (C2SP signed-note text, as the checkpoint sinks write them), at
    /// most 1,000, each at most 16 KiB.
    pub checkpoints: Vec<String>,
}

/// `custodian audit verify --against` over the API: recompute the log and check every stored
/// checkpoint, then each checkpoint given (its signature by this log's key, its origin, and an
/// RFC 9162 consistency proof from its size to the log), so truncation or rewriting since it was
/// signed shows. The first problem names the checkpoint by its position (`checkpoints/3`).
#[utoipa::path(post, path = "/audit/verify", tag = "audit", request_body = VerifyAgainstIn, responses((status = 200, body = VerifyOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn audit_verify_against(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    JsonIn(body): JsonIn<VerifyAgainstIn>,
) -> ApiResult<Json<VerifyOut>> {
    if body.checkpoints.is_empty() {
        return Err(AppError::invalid("checkpoints", "give at least one signed checkpoint").into());
    }
    if body.checkpoints.len() > MAX_SAVED {
        return Err(AppError::invalid("checkpoints", format!("at most {MAX_SAVED} checkpoints at once")).into());
    }
    let mut saved = Vec::with_capacity(body.checkpoints.len());
    for (i, note) in body.checkpoints.into_iter().enumerate() {
        if note.len() > MAX_NOTE_BYTES {
            return Err(
                AppError::invalid(&format!("checkpoints/{i}"), "is longer than 16 KiB: not a checkpoint").into()
            );
        }
        saved.push(s::SavedCheckpoint { label: format!("checkpoints/{i}"), note });
    }
    let r = crate::heavy::audit_verify(&state, &user, saved).await?;
    Ok(Json(VerifyOut::from(r)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventOut {
    pub seq: i64,
    pub id: Uuid,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub clause: Option<String>,
    pub justification: Option<String>,
    pub before_digest: Option<String>,
    pub after_digest: Option<String>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub leaf_hash: String,
}

impl From<&s::AuditEvent> for AuditEventOut {
    fn from(e: &s::AuditEvent) -> Self {
        Self {
            seq: e.seq,
            id: e.id,
            at: ts(e.at),
            actor: e.actor.clone(),
            action: e.action.clone(),
            subject: e.subject.clone(),
            clause: e.clause.clone(),
            justification: e.justification.clone(),
            before_digest: e.before_digest.clone(),
            after_digest: e.after_digest.clone(),
            detail: e.detail.clone(),
            leaf_hash: e.leaf_hash.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyOut {
    pub events: u64,
    pub root: String,
    pub checkpoints_checked: usize,
    /// Checkpoints given in the request found consistent with the log.
    pub saved_checked: usize,
    pub intact: bool,
    pub problem: Option<String>,
}

impl From<crate::heavy::Verification> for VerifyOut {
    fn from(r: crate::heavy::Verification) -> Self {
        Self {
            events: r.events,
            root: r.root,
            checkpoints_checked: r.checkpoints_checked,
            saved_checked: r.saved_checked,
            intact: r.problem.is_none(),
            problem: r.problem,
        }
    }
}
crate::api::dto::page_type!(AuditPage, AuditEventOut);
