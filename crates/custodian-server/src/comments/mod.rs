//! Public comments on the force's social media channels (WP034 6.7, 8.2) in the server: intake
//! (`custodian comments import FILE.jsonl` and the signed webhook `POST /api/v1/comments`),
//! triage at intake with the comment pack (`custodian-comments`), and the evidence pack.
//!
//! * A comment is `{"id","platform","account","post","author","author_name","url","text",
//!   "created_at"}`; `account` is a handle of the register on that platform. A missing or empty
//!   field, an oversize text, a bad time or an account the register does not hold is refused
//!   naming the field (and the line, for a file). A comment already stored (same platform and
//!   id) is stored once.
//! * The webhook is signed per source (`[comment_sources]` in the settings: source name to
//!   secret): `X-Custodian-Source`, `X-Custodian-Timestamp` (Unix seconds) and
//!   `X-Custodian-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`. A delivery
//!   more than [`WINDOW_SECONDS`] from the server's clock is refused, and so is a comment id
//!   already received (a replay).
//! * Evidence first (8.2): a labelled comment's snapshot is kept at intake, in the same
//!   transaction; any comment's on request. Viewing an evidence pack is an audited read.
//! * Who sees comments: Corporate Communications, every comment (`comments.view_all`, 8.2:
//!   they are alerted to every labelled comment on any departmental channel).

pub mod api;
pub mod ui;
pub mod workflow;
pub mod workflow_api;
pub mod workflow_ui;

use std::sync::OnceLock;

use custodian_authz::{Action, Resource};
use custodian_comments::{Engine, StaffIndex};
use custodian_domain::imports::RowError;
use custodian_domain::posts::Platform;
use custodian_store::comments::{Comment, CommentFilter, CommentLabel, Evidence, Intake, IntakeSummary, NewComment};
use custodian_store::{Actor, AuditEntry, Store};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::{AppError, FieldProblem};
use crate::state::AppState;
pub use crate::state::staff::{STAFF_CACHE_MAX_AGE, StaffCache, staff_index};

/// The longest comment text taken, in characters (longer than any platform allows).
pub const MAX_TEXT_CHARS: usize = 10_000;
/// The longest of any other field, in characters.
pub const MAX_FIELD_CHARS: usize = 2_000;
/// How far a webhook delivery's timestamp may be from the server's clock.
pub const WINDOW_SECONDS: i64 = 300;
/// The fields of a comment, in the order errors name them.
pub const FIELDS: [&str; 9] =
    ["id", "platform", "account", "post", "author", "author_name", "url", "text", "created_at"];

/// The triage engine of the shipped pack, compiled once.
pub fn engine() -> Result<&'static Engine, AppError> {
    static ENGINE: OnceLock<Result<Engine, String>> = OnceLock::new();
    ENGINE
        .get_or_init(|| Engine::builtin().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the comment pack does not load: {e}")))
}

/// Read one comment (a JSON object) into a triaged [`NewComment`], or the problems with it,
/// each naming its field and `line`. `staff`: the people register's names.
pub fn parse_comment(
    engine: &Engine,
    staff: Option<&StaffIndex>,
    line: u64,
    v: &Value,
    source: &str,
) -> Result<NewComment, Vec<RowError>> {
    let err = |field: &str, message: String| RowError { line, field: Some(field.into()), message };
    let Some(obj) = v.as_object() else {
        return Err(vec![RowError { line, field: None, message: "expected a JSON object".into() }]);
    };
    let mut errors = Vec::new();
    let mut get = |field: &str| -> String {
        match obj.get(field) {
            None | Some(Value::Null) => {
                errors.push(err(field, "is missing".into()));
                String::new()
            }
            Some(Value::String(s)) if s.trim().is_empty() => {
                errors.push(err(field, "is empty".into()));
                String::new()
            }
            Some(Value::String(s)) => {
                let max = if field == "text" { MAX_TEXT_CHARS } else { MAX_FIELD_CHARS };
                let n = s.chars().count();
                if n > max {
                    errors.push(err(field, format!("is {n} characters long; at most {max} are taken")));
                }
                s.clone()
            }
            Some(Value::Number(n)) if field == "id" || field == "post" => n.to_string(),
            Some(_) => {
                errors.push(err(field, "must be a string".into()));
                String::new()
            }
        }
    };
    let [id, platform, account, post, author, author_name, url, text, created_at] = FIELDS.map(&mut get);
    let platform_v = if platform.is_empty() {
        None
    } else {
        let p = Platform::parse(&platform);
        if p.is_none() {
            let all: Vec<&str> = Platform::ALL.iter().map(|p| p.as_str()).collect();
            errors.push(err("platform", format!("{platform:?} is not one of {}", all.join(", "))));
        }
        p
    };
    let posted_at = if created_at.is_empty() {
        None
    } else {
        let t = OffsetDateTime::parse(created_at.trim(), &time::format_description::well_known::Rfc3339).ok();
        if t.is_none() {
            errors.push(err("created_at", format!("{created_at:?} is not an RFC 3339 time (2026-12-04T09:30:00Z)")));
        }
        t
    };
    if !(url.is_empty() || url.starts_with("https://") || url.starts_with("http://")) {
        errors.push(err("url", "must be an http(s) address".into()));
    }
    let (Some(platform), Some(posted_at)) = (platform_v, posted_at) else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let t = engine.triage_with_staff(&text, staff);
    let labels = t
        .labels
        .iter()
        .map(|l| CommentLabel {
            comment_id: Uuid::nil(),
            label: l.label.to_string(),
            span_start: l.start as i64,
            span_end: l.end as i64,
            matched: l.matched.clone(),
            explanation: l.explanation.clone(),
            clause: l.clause.clone(),
        })
        .collect();
    Ok(NewComment {
        line,
        platform,
        external_id: id.trim().to_string(),
        account: account.trim().trim_start_matches('@').to_string(),
        post,
        author: author.trim().to_string(),
        author_name,
        url,
        text,
        posted_at,
        source: source.to_string(),
        labels,
        routes: serde_json::to_value(&t.route).unwrap_or(Value::Null),
        pack_version: engine.version().to_string(),
    })
}

/// Read a JSON-lines file of comments; every bad line is named (blank lines are skipped).
pub fn parse_jsonl(
    engine: &Engine,
    staff: Option<&StaffIndex>,
    bytes: &[u8],
    source: &str,
) -> Result<Vec<NewComment>, Vec<RowError>> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| vec![RowError { line: 1, field: None, message: format!("the file is not UTF-8: {e}") }])?;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i as u64 + 1;
        if raw.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(raw) {
            Ok(v) => match parse_comment(engine, staff, line, &v, source) {
                Ok(c) => out.push(c),
                Err(e) => errors.extend(e),
            },
            Err(e) => errors.push(RowError { line, field: None, message: format!("not JSON: {e}") }),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

fn rejected(errors: Vec<RowError>) -> AppError {
    let detail = match errors.as_slice() {
        [e] => format!("{}: {}", e.field.as_deref().unwrap_or("line"), e.message),
        _ => format!("{} problems; nothing was stored.", errors.len()),
    };
    AppError::Invalid { detail, errors: errors.into_iter().map(FieldProblem::from).collect() }
}

/// Store triaged comments, all or nothing.
pub async fn intake(
    store: &Store,
    items: &[NewComment],
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<Vec<Intake>, AppError> {
    match store.comments_intake(items, actor.at(now)).await? {
        Ok(v) => Ok(v),
        Err(errors) => Err(rejected(errors)),
    }
}

/// `custodian comments import FILE.jsonl`: parse, triage and store, all or nothing.
pub async fn import(
    store: &Store,
    actor: &Actor,
    now: OffsetDateTime,
    bytes: &[u8],
) -> Result<IntakeSummary, AppError> {
    let staff = staff_index(store).await?;
    let items = parse_jsonl(engine()?, Some(&staff), bytes, "import").map_err(rejected)?;
    let done = intake(store, &items, actor, now).await?;
    let mut s = IntakeSummary { lines: items.len(), ..IntakeSummary::default() };
    for (c, r) in items.iter().zip(&done) {
        match r {
            Intake::Stored(_) => {
                s.stored += 1;
                if !c.labels.is_empty() {
                    s.labelled += 1;
                    s.evidence_kept += 1;
                }
            }
            Intake::Duplicate(_) => s.duplicates += 1,
        }
    }
    Ok(s)
}

/// HMAC-SHA256 keyed with a source's secret.
#[allow(clippy::expect_used)] // HMAC accepts a key of any length: new_from_slice cannot fail.
fn hmac_with(secret: &str) -> Hmac<Sha256> {
    <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length")
}

/// The HMAC-SHA256 signature of a delivery, as the `X-Custodian-Signature` header carries it.
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac = hmac_with(secret);
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Check a webhook delivery's source, timestamp and signature (in constant time). Returns the
/// source's name.
pub fn verify(
    state: &AppState,
    source: Option<&str>,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
) -> Result<String, AppError> {
    let refuse = |m: &str| AppError::Forbidden(format!("{m}; the comment was not stored"));
    let source =
        source.map(str::trim).filter(|s| !s.is_empty()).ok_or_else(|| refuse("X-Custodian-Source is missing"))?;
    let Some(secret) = state.settings().comment_sources.get(source) else {
        return Err(refuse("X-Custodian-Source names no configured comment source"));
    };
    let ts = timestamp.map(str::trim).ok_or_else(|| refuse("X-Custodian-Timestamp is missing"))?;
    let t: i64 = ts.parse().map_err(|_| refuse("X-Custodian-Timestamp must be Unix seconds"))?;
    if (state.now().unix_timestamp() - t).abs() > WINDOW_SECONDS {
        return Err(refuse("X-Custodian-Timestamp is outside the five-minute window (a replay or a wrong clock)"));
    }
    let sig = signature.map(str::trim).ok_or_else(|| refuse("X-Custodian-Signature is missing"))?;
    let hexsig = sig.strip_prefix("sha256=").ok_or_else(|| refuse("X-Custodian-Signature must be sha256=<hex>"))?;
    let given = hex::decode(hexsig).map_err(|_| refuse("X-Custodian-Signature must be sha256=<hex>"))?;
    let mut mac = hmac_with(secret);
    mac.update(ts.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&given).map_err(|_| refuse("X-Custodian-Signature does not match the body"))?;
    Ok(source.to_string())
}

/// A verified webhook delivery: one comment, refused if its id was received before.
pub async fn receive(state: &AppState, source: &str, body: &[u8]) -> Result<(Uuid, Comment), AppError> {
    let v: Value = serde_json::from_slice(body).map_err(|e| AppError::invalid("body", e.to_string()))?;
    let staff = state.comment_staff().get(state.store()).await?;
    let c = parse_comment(engine()?, Some(&*staff), 1, &v, source).map_err(|errors| {
        let errors: Vec<FieldProblem> = errors
            .into_iter()
            .map(|e| FieldProblem { field: e.field.map(|f| format!("/{f}")), line: None, message: e.message })
            .collect();
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field.as_deref().unwrap_or("body"), e.message))
            .collect::<Vec<_>>()
            .join("; ");
        AppError::Invalid { detail, errors }
    })?;
    let actor = Actor { person_id: None, label: format!("source:{source}") };
    let done = match state.store().comments_intake(std::slice::from_ref(&c), actor.at(state.now())).await? {
        Ok(v) => v,
        Err(errors) => {
            let errors: Vec<FieldProblem> = errors
                .into_iter()
                .map(|e| FieldProblem { field: e.field.map(|f| format!("/{f}")), line: None, message: e.message })
                .collect();
            let detail = errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; ");
            return Err(AppError::Invalid { detail, errors });
        }
    };
    match done.first() {
        Some(Intake::Stored(id)) => {
            let (comment, _) =
                state.store().comment(*id).await?.ok_or_else(|| AppError::NotFound(format!("No comment {id}.")))?;
            Ok((*id, comment))
        }
        _ => Err(AppError::Conflict(format!(
            "id: comment {} on {} was received before; it is stored once",
            c.external_id,
            c.platform.as_str()
        ))),
    }
}

fn sees_all(state: &AppState, user: &CurrentUser) -> bool {
    state.allows(user, Action::CommentsViewAll, &Resource::System)
}

/// The labelled comments on every channel (Corporate Communications, WP034 8.2).
pub async fn list(state: &AppState, user: &CurrentUser, label: Option<&str>) -> Result<Vec<Comment>, AppError> {
    state.require(user, Action::CommentsViewAll, &Resource::System)?;
    let label = match label.map(str::trim).filter(|l| !l.is_empty()) {
        None => None,
        Some(l) if custodian_comments::LABELS.contains(&l) => Some(l.to_string()),
        Some(l) => return Err(AppError::invalid("label", format!("{l:?} is not a label of the comment pack"))),
    };
    Ok(state.store().comments(&CommentFilter { labelled: true, label, ..CommentFilter::default() }).await?)
}

/// One comment with its evidence snapshot; viewing it is an audited read (WP034 8.2).
pub async fn view(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<(Comment, Option<Evidence>), AppError> {
    state.require(user, Action::CommentsViewAll, &Resource::System)?;
    let (c, e) = state.store().comment(id).await?.ok_or_else(|| AppError::NotFound(format!("No comment {id}.")))?;
    state.log_view(user, AuditEntry::new("comment.evidence_viewed", format!("comment:{id}")).clause("8.2")).await?;
    debug_assert!(sees_all(state, user));
    Ok((c, e))
}

/// Keep a comment's evidence snapshot now (once).
pub async fn keep_evidence(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<Evidence, AppError> {
    state.require(user, Action::CommentsAct, &Resource::System)?;
    Ok(state.store().comment_keep_evidence(id, user.actor.at(state.now())).await?)
}

/// Every comment of one author with its evidence: the per-author pack (audited read).
pub async fn author_pack(
    state: &AppState,
    user: &CurrentUser,
    platform: &str,
    author: &str,
) -> Result<Vec<(Comment, Option<Evidence>)>, AppError> {
    state.require(user, Action::CommentsViewAll, &Resource::System)?;
    let p = Platform::parse(platform)
        .ok_or_else(|| AppError::invalid("platform", format!("{platform:?} is not a platform")))?;
    let rows = state.store().comment_author_evidence(p, author).await?;
    if rows.is_empty() {
        return Err(AppError::NotFound(format!("No comments by {author} on {}.", p.as_str())));
    }
    state
        .log_view(
            user,
            AuditEntry::new("comment.author_evidence_viewed", format!("comment_author:{}:{author}", p.as_str()))
                .clause("8.2"),
        )
        .await?;
    Ok(rows)
}

/// The JSON evidence pack of one comment: the comment, its labels, and the snapshot with the
/// record exactly as hashed and whether it still matches its hash.
pub fn pack_json(c: &Comment, e: Option<&Evidence>) -> Value {
    serde_json::json!({
        "policy": "WP034 8.2",
        "comment": {
            "platform": c.platform.as_str(),
            "id": c.external_id,
            "account": c.account_handle,
            "owning_team": c.owning_team,
            "post": c.post,
            "author": c.author,
            "author_name": c.author_name,
            "url": c.url,
            "text": c.body,
            "created_at": ts(c.posted_at),
            "received_at": ts(c.received_at),
            "source": c.source,
            "pack_version": c.pack_version,
            "labels": c.labels,
        },
        "evidence": e.map(|e| serde_json::json!({
            "record": e.record,
            "sha256": e.sha256,
            "taken_at": ts(e.taken_at),
            "taken_by": e.taken_by,
            "intact": e.intact(),
        })),
    })
}

pub fn ts(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}
