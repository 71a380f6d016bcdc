//! The posts SQL, written once and compiled for each backend (see `backend.rs`): `DB` and the
//! helpers come from the backend module this file is mounted in.
//!
//! Social media posts (WP034 6.3-6.8): every write opens one transaction that carries the
//! change, the post's signed step and its audit event.

use super::{Conn, DB, Tx, begin_write};
use super::{approvals, audit::Record};
use crate::approvals::{Decided, NewApproval};
use crate::posts::*;
#[allow(unused_imports)]
use crate::*;
use custodian_domain::approvals::{
    ApprovalError, Outcome as ChainOutcome, RequestStatus as ChainStatus, StepStatus as ChainStep,
    Verdict as ChainVerdict,
};
use custodian_domain::posts as domain;
use serde_json::{Value, json};
use sqlx::Pool;
use time::OffsetDateTime;
use uuid::Uuid;

const ACCOUNT_SELECT: &str =
    "SELECT id, platform, handle, owning_team, comms_approval, corporate, created_at, created_by FROM social_accounts";

const POST_SELECT: &str = "SELECT p.id, p.account_id, p.author_id, p.body, p.attachments, p.scheduled_for, p.state, \
    p.version, p.pack_version, p.verdict, p.findings, p.blocks, p.warnings, p.investigation, p.comms_found, p.needs_sio, p.sio_id, p.needs_comms, \
    p.reapproval, p.override_reason, p.override_version, p.publish_attempts, p.last_error, p.published_at, \
    p.published_ref, p.created_at, p.updated_at, p.approval_id, \
    a.platform, a.handle, a.owning_team, a.comms_approval, a.corporate, a.created_at AS a_created_at, \
    a.created_by AS a_created_by, au.name AS author_name, au.staff_number AS author_sn, \
    (SELECT x.name FROM people x WHERE x.id = p.sio_id) AS sio_name, \
    (SELECT x.name || ' (' || x.staff_number || ')' FROM approval_steps s JOIN people x ON x.id = s.decided_by \
     WHERE s.request_id = p.approval_id AND s.step_key = 'sio' AND s.status = 'approved') AS sio_by, \
    (SELECT x.name || ' (' || x.staff_number || ')' FROM approval_steps s JOIN people x ON x.id = s.decided_by \
     WHERE s.request_id = p.approval_id AND s.step_key = 'corporate_comms' AND s.status = 'approved') AS comms_by, \
    (SELECT x.name || ' (' || x.staff_number || ')' FROM people x WHERE x.id = p.override_by) AS override_name \
    FROM posts p JOIN social_accounts a ON a.id = p.account_id JOIN people au ON au.id = p.author_id";

fn is_pg() -> bool {
    <DB as sqlx::Database>::NAME == "PostgreSQL"
}

/// Read the pause inside a transaction. On PostgreSQL the row is share-locked: declaring an
/// incident (which updates it) waits until this transaction ends, and this waits for a
/// declaration in progress, so a post cannot be published or scheduled as the pause begins.
/// SQLite's single writer connection orders the two anyway.
async fn paused(tx: &mut Tx<'_>) -> Result<Option<Uuid>> {
    let sql = if is_pg() {
        "SELECT incident_id FROM post_pause WHERE id = 1 FOR SHARE"
    } else {
        "SELECT incident_id FROM post_pause WHERE id = 1"
    };
    Ok(sqlx::query_scalar(sql).fetch_one(&mut **tx).await?)
}

/// Lock a post's row for the rest of the transaction (PostgreSQL; SQLite has one writer).
async fn lock(tx: &mut Tx<'_>, id: Uuid) -> Result<()> {
    let sql =
        if is_pg() { "SELECT id FROM posts WHERE id = $1 FOR UPDATE" } else { "SELECT id FROM posts WHERE id = $1" };
    let found: Option<Uuid> = sqlx::query_scalar(sql).bind(id).fetch_optional(&mut **tx).await?;
    found.map(|_| ()).ok_or_else(|| StoreError::NotFound(format!("post {id}")))
}

async fn tx_post(tx: &mut Tx<'_>, id: Uuid) -> Result<Post> {
    let sql = format!("{POST_SELECT} WHERE p.id = $1");
    let row: Option<Post> = sqlx::query_as(&sql).bind(id).fetch_optional(&mut **tx).await?;
    let mut posts = vec![row.ok_or_else(|| StoreError::NotFound(format!("post {id}")))?];
    load_editors(tx, &mut posts).await?;
    posts.pop().ok_or_else(|| StoreError::NotFound(format!("post {id}")))
}

/// Fill in who saved each version of these posts, in one query.
async fn load_editors(conn: &mut Conn, posts: &mut [Post]) -> Result<()> {
    if posts.is_empty() {
        return Ok(());
    }
    let marks: Vec<String> = (1..=posts.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT v.post_id, v.version, v.editor_id, x.name, x.staff_number, v.saved_at FROM post_versions v \
         JOIN people x ON x.id = v.editor_id WHERE v.post_id IN ({}) ORDER BY v.post_id, v.version",
        marks.join(", ")
    );
    #[derive(sqlx::FromRow)]
    struct EditorRow {
        post_id: Uuid,
        #[sqlx(flatten)]
        editor: PostEditor,
    }
    let mut q = sqlx::query_as::<_, EditorRow>(&sql);
    for p in posts.iter() {
        q = q.bind(p.id);
    }
    for r in q.fetch_all(&mut *conn).await? {
        if let Some(p) = posts.iter_mut().find(|p| p.id == r.post_id) {
            p.editors.push(r.editor);
        }
    }
    Ok(())
}

/// Record who saved a version of a post.
async fn record_version(tx: &mut Tx<'_>, post: Uuid, editor: Uuid, now: OffsetDateTime) -> Result<()> {
    sqlx::query(
        "INSERT INTO post_versions (post_id, version, editor_id, saved_at) SELECT id, version, $2, $3 FROM posts WHERE id = $1",
    )
    .bind(post)
    .bind(editor)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The people who may not approve a post as it stands (WP034 6.3, separation of duties):
/// everyone who wrote or edited any version of its words, and whoever overrode the warnings
/// of this version.
fn makers(p: &Post, overrider: Option<Uuid>) -> Vec<Uuid> {
    let mut people: Vec<Uuid> = p.editors.iter().map(|e| e.person_id).collect();
    people.push(p.author_id);
    people.extend(overrider);
    people.sort();
    people.dedup();
    people
}

fn snapshot(p: &Post) -> Value {
    json!({"state": p.state.as_str(), "version": p.version, "verdict": p.verdict, "account": p.account.id,
           "scheduled_for": p.scheduled_for.map(|t| t.unix_timestamp())})
}

/// A post's fields as $1-$13, in the order both the insert and the edit of a post use them: id,
/// account, body, attachments (JSON), schedule, pack version, verdict, findings (JSON), blocks,
/// warnings, the time, investigation and comms flags.
fn bind_fields<'q>(
    q: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>,
    id: Uuid,
    input: &'q PostInput,
    attachments: &'q str,
    now: OffsetDateTime,
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>> {
    let s = &input.screened;
    q.bind(id)
        .bind(input.account_id)
        .bind(input.body.as_str())
        .bind(attachments)
        .bind(input.scheduled_for)
        .bind(s.pack_version.as_str())
        .bind(s.verdict.as_str())
        .bind(s.findings.to_string())
        .bind(i64::from(s.gate.blocks))
        .bind(i64::from(s.gate.warnings))
        .bind(now)
        .bind(i64::from(s.gate.investigation))
        .bind(i64::from(s.gate.comms))
}

/// Record a step on a post: its audit event and its line in the post's record.
#[allow(clippy::too_many_arguments)]
async fn record_step(
    tx: &mut Tx<'_>,
    post: Uuid,
    actor: &Actor,
    now: OffsetDateTime,
    step: &str,
    clause: &str,
    justification: Option<&str>,
    before: Option<Value>,
    after: Option<Value>,
    detail: Value,
) -> Result<()> {
    let mut entry =
        AuditEntry::new(&format!("post.{step}"), format!("post:{post}")).clause(clause).detail(detail.clone());
    if let Some(j) = justification {
        entry = entry.justification(j);
    }
    if let Some(b) = before {
        entry = entry.before(b);
    }
    if let Some(a) = after {
        entry = entry.after(a);
    }
    let seq = entry.record(tx, actor, now).await?;
    sqlx::query(
        "INSERT INTO post_steps (id, post_id, at, actor, step, clause, detail, audit_seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(Uuid::now_v7())
    .bind(post)
    .bind(now)
    .bind(&actor.label)
    .bind(step)
    .bind(clause)
    .bind(detail.to_string())
    .bind(seq)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn refused(e: domain::Refusal) -> StoreError {
    match e {
        domain::Refusal::OwnPost | domain::Refusal::OwnWords | domain::Refusal::WrongSio(_) => {
            StoreError::Invalid(format!("approver: {e}"))
        }
        domain::Refusal::NoReason => StoreError::Invalid("reason: give a reason".into()),
        _ => StoreError::Conflict(e.to_string()),
    }
}

fn person(actor: &Actor) -> Result<Uuid> {
    actor.person_id.ok_or_else(|| StoreError::Invalid("only a person can do this".into()))
}

// ---- accounts and investigations ------------------------------------------------------------

pub async fn account(pool: &Pool<DB>, id: Uuid) -> Result<Option<Account>> {
    let sql = format!("{ACCOUNT_SELECT} WHERE id = $1");
    Ok(sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?)
}

pub async fn accounts(pool: &Pool<DB>) -> Result<Vec<Account>> {
    // The accounts posts may go out from (WP034 6.6): set up and not closed.
    let sql = format!("{ACCOUNT_SELECT} WHERE status IN ('active', 'dormant') ORDER BY owning_team, platform, handle");
    Ok(sqlx::query_as(&sql).fetch_all(pool).await?)
}

const SIO_SELECT: &str = "SELECT s.id, s.kind, s.key, s.label, s.sio_id, p.name, p.staff_number \
    FROM investigation_sios s JOIN people p ON p.id = s.sio_id";

pub async fn set_sio(
    pool: &Pool<DB>,
    kind: &str,
    label: &str,
    sio_staff_number: &str,
    Write { actor, now }: Write<'_>,
) -> Result<InvestigationSio> {
    if kind != "operation" && kind != "reference" {
        return Err(StoreError::Invalid("kind: choose operation or reference".into()));
    }
    let key = domain::investigation_key(label);
    if key.is_empty() {
        return Err(StoreError::Invalid("label: name the operation or give the reference".into()));
    }
    let mut tx = begin_write(pool).await?;
    let sio: Option<(Uuid, String)> = sqlx::query_as(
        "SELECT p.id, p.status FROM people p JOIN person_roles r ON r.person_id = p.id AND r.role = 'sio' WHERE p.staff_number = $1",
    )
    .bind(sio_staff_number.trim())
    .fetch_optional(&mut *tx)
    .await?;
    let sio = match sio {
        Some((id, status)) if status == "active" => id,
        Some(_) => return Err(StoreError::Invalid(format!("sio: {sio_staff_number} has left the force"))),
        None => {
            return Err(StoreError::Invalid(format!(
                "sio: {sio_staff_number} is not a Senior Investigating Officer in the register"
            )));
        }
    };
    sqlx::query("DELETE FROM investigation_sios WHERE kind = $1 AND key = $2")
        .bind(kind)
        .bind(&key)
        .execute(&mut *tx)
        .await?;
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO investigation_sios (id, kind, key, label, sio_id, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(kind)
    .bind(&key)
    .bind(label.trim())
    .bind(sio)
    .bind(now)
    .bind(&actor.label)
    .execute(&mut *tx)
    .await?;
    let after = json!({"kind": kind, "label": label.trim(), "sio": sio_staff_number.trim()});
    AuditEntry::new("investigation.sio", format!("investigation:{kind}:{key}"))
        .clause("6.3e")
        .after(after.clone())
        .detail(after)
        .record(&mut tx, actor, now)
        .await?;
    let sql = format!("{SIO_SELECT} WHERE s.id = $1");
    let out = sqlx::query_as(&sql).bind(id).fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok(out)
}

pub async fn sios(pool: &Pool<DB>) -> Result<Vec<InvestigationSio>> {
    let sql = format!("{SIO_SELECT} ORDER BY s.kind, s.key");
    Ok(sqlx::query_as(&sql).fetch_all(pool).await?)
}

// ---- posts ----------------------------------------------------------------------------------

pub async fn save(
    pool: &Pool<DB>,
    id: Option<Uuid>,
    input: &PostInput,
    author: Uuid,
    Write { actor, now }: Write<'_>,
) -> Result<Post> {
    if input.body.trim().is_empty() {
        return Err(StoreError::Invalid("body: write the post".into()));
    }
    domain::check_attachments(&input.attachments).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let attachments = serde_json::to_string(&input.attachments).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let s = &input.screened;
    let mut tx = begin_write(pool).await?;
    let account: Option<(String, String)> =
        sqlx::query_as("SELECT status, platform || ' ' || handle FROM social_accounts WHERE id = $1")
            .bind(input.account_id)
            .fetch_optional(&mut *tx)
            .await?;
    match account {
        None => return Err(StoreError::Invalid(format!("account_id: there is no account {}", input.account_id))),
        // Posts go out only from an account Corporate Communications set up and nobody closed
        // (WP034 6.6): not from a request, nor a refused, withdrawn or closed one.
        Some((status, name)) if status != "active" && status != "dormant" => {
            return Err(StoreError::Invalid(format!(
                "account_id: {name} is {status}; posts go out only from an active or dormant account (WP034 6.6)"
            )));
        }
        Some(_) => {}
    }
    let detail = json!({"version_pack": s.pack_version, "verdict": s.verdict, "findings": s.findings,
                        "attachments": input.attachments});
    let post_id = match id {
        None => {
            let id = Uuid::now_v7();
            bind_fields(
                sqlx::query(
                    "INSERT INTO posts (id, account_id, author_id, body, attachments, scheduled_for, state, version, pack_version, \
                     verdict, findings, blocks, warnings, investigation, comms_found, needs_sio, sio_id, needs_comms, reapproval, \
                     publish_attempts, created_at, updated_at) \
                     VALUES ($1, $2, $14, $3, $4, $5, 'draft', 1, $6, $7, $8, $9, $10, $12, $13, 0, NULL, 0, 0, 0, $11, $11)",
                ),
                id,
                input,
                &attachments,
                now,
            )
            .bind(author)
            .execute(&mut *tx)
            .await?;
            record_version(&mut tx, id, author, now).await?;
            let after = snapshot(&tx_post(&mut tx, id).await?);
            record_step(&mut tx, id, actor, now, "create", "6.3", None, None, Some(after), detail).await?;
            id
        }
        Some(id) => {
            lock(&mut tx, id).await?;
            let before = tx_post(&mut tx, id).await?;
            if !before.state.editable() {
                return Err(StoreError::Conflict("a published post cannot be changed".into()));
            }
            let restarted = before.state != domain::PostState::Draft
                || before.sio_approved_by.is_some()
                || before.comms_approved_by.is_some();
            // A new version: back to draft, approvals and overrides cleared (they were for the
            // words they saw); a post held by an incident keeps needing re-approval.
            bind_fields(
                sqlx::query(
                    "UPDATE posts SET account_id = $2, body = $3, attachments = $4, scheduled_for = $5, state = 'draft', \
                     version = version + 1, pack_version = $6, verdict = $7, findings = $8, blocks = $9, warnings = $10, \
                     investigation = $12, comms_found = $13, override_reason = NULL, override_by = NULL, \
                     override_version = NULL, reapproval = CASE WHEN state = 'held' THEN 1 ELSE reapproval END, updated_at = $11 \
                     WHERE id = $1",
                ),
                id,
                input,
                &attachments,
                now,
            )
            .execute(&mut *tx)
            .await?;
            record_version(&mut tx, id, author, now).await?;
            // The approvals given were for the words they saw: the post's approval request goes
            // back to its first step (kept for the next submission when the route is unchanged).
            if restarted && let Some(aid) = before.approval_id {
                let req = approvals::load_tx(&mut tx, aid).await?;
                if matches!(req.status, ChainStatus::Pending | ChainStatus::Approved) {
                    let why = format!("the post was edited (version {})", before.version + 1);
                    approvals::restart_tx(&mut tx, aid, &why, actor, now).await?;
                }
            }
            let after = tx_post(&mut tx, id).await?;
            let mut detail = detail;
            detail["approval_restarted"] = json!(restarted);
            record_step(
                &mut tx,
                id,
                actor,
                now,
                "edit",
                "6.3",
                None,
                Some(snapshot(&before)),
                Some(snapshot(&after)),
                detail,
            )
            .await?;
            id
        }
    };
    let out = tx_post(&mut tx, post_id).await?;
    tx.commit().await?;
    Ok(out)
}

/// The SIO recorded for the first investigation named that has one.
async fn recorded_sio(tx: &mut Tx<'_>, named: &[(String, String)]) -> Result<Option<Uuid>> {
    for (kind, key) in named {
        let found: Option<Uuid> = sqlx::query_scalar(
            "SELECT s.sio_id FROM investigation_sios s JOIN people p ON p.id = s.sio_id \
             WHERE s.kind = $1 AND s.key = $2 AND p.status = 'active'",
        )
        .bind(kind)
        .bind(key)
        .fetch_optional(&mut **tx)
        .await?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

/// The investigations a post names, from its stored findings.
fn named(p: &Post) -> Vec<(String, String)> {
    p.findings
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| {
                    let kind = match f.get("category").and_then(Value::as_str)? {
                        "investigation.operation" => "operation",
                        "investigation.reference" => "reference",
                        _ => return None,
                    };
                    Some((kind.to_string(), domain::investigation_key(f.get("match").and_then(Value::as_str)?)))
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn move_to(tx: &mut Tx<'_>, id: Uuid, to: domain::PostState, now: OffsetDateTime) -> Result<()> {
    sqlx::query("UPDATE posts SET state = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(to.as_str())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The subject of a post's approval requests: `post:<id>/approval/<n>`, one per route opened.
fn approval_subject(post: Uuid, n: i64) -> String {
    format!("post:{post}/approval/{n}")
}

/// The post an approval request is about, from its subject.
fn subject_post(subject: &str) -> Option<Uuid> {
    subject.strip_prefix("post:")?.split('/').next()?.parse().ok()
}

/// Put a post's route on the approval chain, in the caller's transaction: keep its request when
/// it is open (restarted after an edit) and follows the same steps, else withdraw an open one
/// and open a new request (requested by the author). Returns the request now in force, if the
/// route needs one.
async fn open_chain(
    tx: &mut Tx<'_>,
    p: &Post,
    route: domain::Route,
    sio: Option<Uuid>,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<Option<Uuid>> {
    let spec = domain::chain_spec(route, sio);
    if let Some(aid) = p.approval_id {
        let req = approvals::load_tx(tx, aid).await?;
        if req.status == ChainStatus::Pending {
            let steps: Vec<(String, custodian_domain::approvals::Decider)> =
                req.steps.iter().map(|s| (s.key.clone(), s.decider)).collect();
            let untouched = req.steps.iter().all(|s| matches!(s.status, ChainStep::Pending | ChainStep::Waiting));
            if untouched && spec.as_ref().is_some_and(|spec| domain::same_route(spec, &steps)) {
                exclude_makers(tx, p, aid).await?;
                return Ok(Some(aid));
            }
            approvals::withdraw_tx(tx, aid, req.requester_id, actor, now).await?;
        }
    }
    let Some(spec) = spec else { return Ok(None) };
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM approval_requests WHERE kind = 'social_post' AND link = $1")
        .bind(format!("/posts/{}", p.id))
        .fetch_one(&mut **tx)
        .await?;
    let excerpt: String = p.body.chars().take(60).collect();
    let ellipsis = if p.body.chars().count() > 60 { "…" } else { "" };
    let aid = approvals::open(
        tx,
        &NewApproval {
            kind: "social_post".into(),
            subject: approval_subject(p.id, n + 1),
            title: format!("Post on {} {}: \"{excerpt}{ellipsis}\"", p.account.platform.as_str(), p.account.handle),
            link: format!("/posts/{}", p.id),
            requester: p.author_id,
            spec,
        },
        actor,
        now,
    )
    .await?;
    exclude_makers(tx, p, aid).await?;
    Ok(Some(aid))
}

/// Nobody who made the post as it stands decides its approval request.
async fn exclude_makers(tx: &mut Tx<'_>, p: &Post, aid: Uuid) -> Result<()> {
    let overrider: Option<Uuid> =
        sqlx::query_scalar("SELECT override_by FROM posts WHERE id = $1 AND override_version = version")
            .bind(p.id)
            .fetch_optional(&mut **tx)
            .await?
            .flatten();
    let why = format!("wrote or edited version {} of the post, or overrode its warnings (WP034 6.3)", p.version);
    approvals::exclude_tx(tx, aid, &makers(p, overrider), &why).await
}

pub async fn submit(pool: &Pool<DB>, id: Uuid, Write { actor, now }: Write<'_>) -> Result<Post> {
    let mut tx = begin_write(pool).await?;
    let paused = paused(&mut tx).await?.is_some();
    lock(&mut tx, id).await?;
    let before = tx_post(&mut tx, id).await?;
    domain::check_submit(before.state, before.gate, before.overridden).map_err(refused)?;
    let route = domain::route(before.gate, before.account.comms_approval, before.reapproval);
    let sio = if route.sio { recorded_sio(&mut tx, &named(&before)).await? } else { None };
    let to = domain::next_state(route, false, false, paused && !before.account.corporate);
    let approval = open_chain(&mut tx, &before, route, sio, actor, now).await?;
    sqlx::query(
        "UPDATE posts SET needs_sio = $2, sio_id = $3, needs_comms = $4, state = $5, updated_at = $6, approval_id = $7 WHERE id = $1",
    )
    .bind(id)
    .bind(i64::from(route.sio))
    .bind(sio)
    .bind(i64::from(route.comms))
    .bind(to.as_str())
    .bind(now)
    .bind(approval)
    .execute(&mut *tx)
    .await?;
    let after = tx_post(&mut tx, id).await?;
    let clause = if route.sio { "6.3e" } else { "6.3" };
    let detail = json!({"route": {"sio": route.sio, "comms": route.comms}, "sio": after.sio_name, "to": to.as_str(),
                        "overridden_warnings": before.overridden, "approval_request": approval});
    record_step(
        &mut tx,
        id,
        actor,
        now,
        "submit",
        clause,
        None,
        Some(snapshot(&before)),
        Some(snapshot(&after)),
        detail,
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn override_chain(pool: &Pool<DB>, id: Uuid, reason: &str, Write { actor, now }: Write<'_>) -> Result<Post> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(refused(domain::Refusal::NoReason));
    }
    let by = person(actor)?;
    let mut tx = begin_write(pool).await?;
    lock(&mut tx, id).await?;
    let before = tx_post(&mut tx, id).await?;
    if before.gate.blocks > 0 {
        return Err(refused(domain::Refusal::OverrideBlock));
    }
    if before.gate.warnings == 0 {
        return Err(StoreError::Conflict("there are no warnings to override".into()));
    }
    if before.state != domain::PostState::Draft {
        return Err(StoreError::Conflict("warnings are overridden on a draft, before it is submitted".into()));
    }
    sqlx::query("UPDATE posts SET override_reason = $2, override_by = $3, override_version = version, updated_at = $4 WHERE id = $1")
        .bind(id)
        .bind(reason)
        .bind(by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let after = tx_post(&mut tx, id).await?;
    let detail = json!({"version": before.version, "warnings": before.gate.warnings});
    record_step(&mut tx, id, actor, now, "override", "6.3", Some(reason), None, None, detail).await?;
    tx.commit().await?;
    Ok(after)
}

/// The chain's refusal of a decision on a post, in the post's words.
fn chain_refused(e: ApprovalError, p: &Post, kind: domain::Approval) -> StoreError {
    match e {
        ApprovalError::OwnRequest => refused(domain::Refusal::OwnPost),
        ApprovalError::OwnWork => refused(domain::Refusal::OwnWords),
        ApprovalError::NotDecider(_) if kind == domain::Approval::Sio && p.sio_name.is_some() => {
            refused(domain::Refusal::WrongSio(p.sio_name.clone().unwrap_or_default()))
        }
        ApprovalError::NotDecider(_) => StoreError::Invalid(format!("approver: {e}")),
        ApprovalError::AlreadyDecided => StoreError::Invalid(
            "approver: you have already decided this post; the next step needs another person".into(),
        ),
        ApprovalError::ReasonsRequired => refused(domain::Refusal::NoReason),
        _ => StoreError::Conflict(e.to_string()),
    }
}

/// Decide the step `kind` of a post's approval request in the caller's transaction, with the
/// post's own checks first (it waits for that approval) and the chain's refusals in the post's
/// words, then move the post.
async fn decide(
    tx: &mut Tx<'_>,
    id: Uuid,
    kind: domain::Approval,
    verdict: ChainVerdict,
    reasons: Option<&str>,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<Post> {
    let by = person(actor)?;
    let paused = paused(tx).await?.is_some();
    lock(tx, id).await?;
    let before = tx_post(tx, id).await?;
    if before.state != kind.waiting_state() {
        return Err(refused(domain::Refusal::NotWaiting(before.state.label())));
    }
    let aid = before
        .approval_id
        .ok_or_else(|| StoreError::Conflict("this post has no approval request: submit it again".into()))?;
    let req = approvals::load_tx(tx, aid).await?;
    let who = approvals::deciding(tx, by, now).await?;
    req.to_domain()
        .decide(kind.step_key(), &who, verdict, reasons, now)
        .map_err(|e| chain_refused(e, &before, kind))?;
    let d = approvals::decide_tx(tx, aid, kind.step_key(), by, verdict, reasons, actor, now).await?;
    apply_decision(tx, &before, &d, kind, paused, actor, now).await
}

/// Move a post after a decision on its approval request (in the deciding transaction): a
/// rejection returns it to its author as a draft; an approval moves it to the next step still
/// missing, or to scheduled (held while a major incident pauses a departmental account).
async fn apply_decision(
    tx: &mut Tx<'_>,
    before: &Post,
    d: &Decided,
    kind: domain::Approval,
    paused: bool,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<Post> {
    let id = before.id;
    let step = d.request.steps.iter().find(|s| s.key == kind.step_key());
    if d.outcome == ChainOutcome::Rejected {
        move_to(tx, id, domain::PostState::Draft, now).await?;
        let after = tx_post(tx, id).await?;
        let reason = step.and_then(|s| s.reasons.clone()).unwrap_or_default();
        record_step(
            tx,
            id,
            actor,
            now,
            "return",
            kind.clause(),
            Some(&reason),
            Some(snapshot(before)),
            Some(snapshot(&after)),
            json!({"from": before.state.as_str(), "approval_request": d.request.id}),
        )
        .await?;
        return Ok(after);
    }
    let done =
        |k: domain::Approval| d.request.steps.iter().any(|s| s.key == k.step_key() && s.status == ChainStep::Approved);
    let route = domain::Route { sio: before.needs_sio, comms: before.needs_comms };
    let to = domain::next_state(
        route,
        done(domain::Approval::Sio),
        done(domain::Approval::Comms),
        paused && !before.account.corporate,
    );
    move_to(tx, id, to, now).await?;
    if to == domain::PostState::Scheduled {
        sqlx::query("UPDATE posts SET reapproval = 0 WHERE id = $1").bind(id).execute(&mut **tx).await?;
    }
    let after = tx_post(tx, id).await?;
    let detail = json!({"approval": kind.as_str(), "version": before.version, "to": to.as_str(), "approval_request": d.request.id,
                        "on_behalf_of": step.and_then(|s| s.on_behalf_of)});
    record_step(
        tx,
        id,
        actor,
        now,
        &format!("approve_{}", kind.as_str()),
        kind.clause(),
        None,
        Some(snapshot(before)),
        Some(snapshot(&after)),
        detail,
    )
    .await?;
    Ok(after)
}

/// The effect of a decision on a post's request made through the generic approvals page or
/// API (`approval_effects`): the same move as deciding on the post, refused when the post is
/// not waiting for that step (a draft being changed, say) so the decision rolls back.
pub async fn chain_effect(tx: &mut Tx<'_>, d: &Decided, actor: &Actor, now: OffsetDateTime) -> Result<()> {
    let id = subject_post(&d.request.subject)
        .ok_or_else(|| StoreError::Invalid(format!("approval subject {:?} names no post", d.request.subject)))?;
    let paused = paused(tx).await?.is_some();
    lock(tx, id).await?;
    let before = tx_post(tx, id).await?;
    if before.approval_id != Some(d.request.id) {
        return Err(StoreError::Conflict("this request is no longer the post's current one".into()));
    }
    let kind = match before.state {
        domain::PostState::PendingSio => domain::Approval::Sio,
        domain::PostState::PendingComms => domain::Approval::Comms,
        s => {
            return Err(StoreError::Conflict(format!(
                "the post is {}: it can be decided once it is submitted again",
                s.label()
            )));
        }
    };
    let decided = d
        .request
        .steps
        .iter()
        .any(|s| s.key == kind.step_key() && matches!(s.status, ChainStep::Approved | ChainStep::Rejected));
    if !decided {
        return Err(StoreError::Conflict(format!("the post waits for the {} step", kind.step_key())));
    }
    apply_decision(tx, &before, d, kind, paused, actor, now).await.map(|_| ())
}

pub async fn approve(
    pool: &Pool<DB>,
    id: Uuid,
    kind: domain::Approval,
    Write { actor, now }: Write<'_>,
) -> Result<Post> {
    let mut tx = begin_write(pool).await?;
    let after = decide(&mut tx, id, kind, ChainVerdict::Approve, None, actor, now).await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn return_to_author(
    pool: &Pool<DB>,
    id: Uuid,
    reason: &str,
    Write { actor, now }: Write<'_>,
) -> Result<Post> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(refused(domain::Refusal::NoReason));
    }
    let mut tx = begin_write(pool).await?;
    lock(&mut tx, id).await?;
    let before = tx_post(&mut tx, id).await?;
    let after = match before.state {
        domain::PostState::PendingSio => {
            decide(&mut tx, id, domain::Approval::Sio, ChainVerdict::Reject, Some(reason), actor, now).await?
        }
        domain::PostState::PendingComms => {
            decide(&mut tx, id, domain::Approval::Comms, ChainVerdict::Reject, Some(reason), actor, now).await?
        }
        // Held by an incident after every approval: nothing is left to decide on the chain.
        domain::PostState::Held => {
            move_to(&mut tx, id, domain::PostState::Draft, now).await?;
            let after = tx_post(&mut tx, id).await?;
            record_step(
                &mut tx,
                id,
                actor,
                now,
                "return",
                "6.8",
                Some(reason),
                Some(snapshot(&before)),
                Some(snapshot(&after)),
                json!({"from": before.state.as_str()}),
            )
            .await?;
            after
        }
        s => {
            return Err(StoreError::Conflict(format!(
                "only a post waiting for approval can be returned; this one is {}",
                s.label()
            )));
        }
    };
    tx.commit().await?;
    Ok(after)
}

pub async fn list(pool: &Pool<DB>, f: &PostFilter) -> Result<Vec<Post>> {
    let mut sql = format!("{POST_SELECT} WHERE 1 = 1");
    let mut n = 0;
    const EDITED_BY_1: &str = "EXISTS (SELECT 1 FROM post_versions v WHERE v.post_id = p.id AND v.editor_id = $1)";
    if f.visible_to.is_some() {
        sql.push_str(&format!(
            " AND (p.author_id = $1 OR {EDITED_BY_1} OR (p.state <> 'draft' AND a.owning_team = $2))"
        ));
        n = 2;
    } else if f.drafts_only_of.is_some() {
        sql.push_str(&format!(" AND (p.state <> 'draft' OR p.author_id = $1 OR {EDITED_BY_1})"));
        n = 1;
    }
    if f.state.is_some() {
        sql.push_str(&format!(" AND p.state = ${}", n + 1));
    }
    sql.push_str(" ORDER BY p.updated_at DESC, p.id DESC LIMIT 500");
    let mut q = sqlx::query_as(&sql);
    if let Some((person, team)) = &f.visible_to {
        q = q.bind(*person).bind(team.clone());
    } else if let Some(person) = f.drafts_only_of {
        q = q.bind(person);
    }
    if let Some(s) = f.state {
        q = q.bind(s.as_str());
    }
    let mut conn = pool.acquire().await?;
    let mut posts: Vec<Post> = q.fetch_all(&mut *conn).await?;
    load_editors(&mut conn, &mut posts).await?;
    Ok(posts)
}

pub async fn get(pool: &Pool<DB>, id: Uuid) -> Result<Option<Post>> {
    let sql = format!("{POST_SELECT} WHERE p.id = $1");
    let mut conn = pool.acquire().await?;
    let row: Option<Post> = sqlx::query_as(&sql).bind(id).fetch_optional(&mut *conn).await?;
    let Some(row) = row else { return Ok(None) };
    let mut posts = vec![row];
    load_editors(&mut conn, &mut posts).await?;
    Ok(posts.pop())
}

pub async fn steps(pool: &Pool<DB>, id: Uuid) -> Result<Vec<PostStep>> {
    Ok(sqlx::query_as(
        "SELECT at, actor, step, clause, detail, audit_seq FROM post_steps WHERE post_id = $1 ORDER BY audit_seq",
    )
    .bind(id)
    .fetch_all(pool)
    .await?)
}

pub async fn due(pool: &Pool<DB>, now: OffsetDateTime) -> Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT id FROM posts WHERE state = 'scheduled' AND (scheduled_for IS NULL OR scheduled_for <= $1) \
         ORDER BY scheduled_for, id LIMIT 100",
    )
    .bind(now)
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)
}

pub async fn publish<F, Fut>(
    pool: &Pool<DB>,
    id: Uuid,
    Write { actor, now }: Write<'_>,
    send: F,
) -> Result<PublishOutcome>
where
    F: FnOnce(Post) -> Fut,
    Fut: std::future::Future<Output = std::result::Result<String, String>>,
{
    let mut tx = begin_write(pool).await?;
    let paused = paused(&mut tx).await?;
    lock(&mut tx, id).await?;
    let post = tx_post(&mut tx, id).await?;
    if post.state != domain::PostState::Scheduled {
        return Ok(PublishOutcome::Skipped(format!("the post is {}", post.state.label())));
    }
    if paused.is_some() && !post.account.corporate {
        return Ok(PublishOutcome::Skipped("a major incident pauses departmental posts (WP034 6.8)".into()));
    }
    if post.scheduled_for.is_some_and(|t| t > now) {
        return Ok(PublishOutcome::Skipped("not due yet".into()));
    }
    let version = post.version;
    let before = snapshot(&post);
    match send(post).await {
        Ok(reference) => {
            sqlx::query(
                "UPDATE posts SET state = 'published', published_at = $2, published_ref = $3, publish_attempts = publish_attempts + 1, \
                 last_error = NULL, updated_at = $2 WHERE id = $1",
            )
            .bind(id)
            .bind(now)
            .bind(&reference)
            .execute(&mut *tx)
            .await?;
            let after = tx_post(&mut tx, id).await?;
            record_step(
                &mut tx,
                id,
                actor,
                now,
                "publish",
                "6.4",
                None,
                Some(before),
                Some(snapshot(&after)),
                json!({"reference": reference, "version": version}),
            )
            .await?;
            // The account's last post (WP034 6.1: a dormant account revives).
            super::social_accounts::posted(&mut tx, after.account.id, now, actor, now).await?;
            tx.commit().await?;
            Ok(PublishOutcome::Published(Box::new(after)))
        }
        Err(error) => {
            tx.rollback().await?;
            let mut tx = begin_write(pool).await?;
            sqlx::query("UPDATE posts SET publish_attempts = publish_attempts + 1, last_error = $2 WHERE id = $1")
                .bind(id)
                .bind(&error)
                .execute(&mut *tx)
                .await?;
            record_step(
                &mut tx,
                id,
                actor,
                now,
                "publish_failed",
                "6.4",
                None,
                None,
                None,
                json!({"error": error, "version": version}),
            )
            .await?;
            tx.commit().await?;
            Ok(PublishOutcome::Failed(error))
        }
    }
}

// ---- major incidents ------------------------------------------------------------------------

const INCIDENT_SELECT: &str =
    "SELECT id, name, reason, guidance, declared_at, declared_by, ended_at, ended_by, end_reason FROM incidents";

async fn tx_incident(tx: &mut Tx<'_>, id: Uuid) -> Result<Incident> {
    let sql = format!("{INCIDENT_SELECT} WHERE id = $1");
    Ok(sqlx::query_as(&sql).bind(id).fetch_one(&mut **tx).await?)
}

pub async fn declare_incident(
    pool: &Pool<DB>,
    name: &str,
    reason: &str,
    guidance: &str,
    Write { actor, now }: Write<'_>,
) -> Result<(Incident, usize)> {
    for (field, v) in [("name", name), ("reason", reason), ("guidance", guidance)] {
        if v.trim().is_empty() {
            return Err(StoreError::Invalid(format!("{field}: required to declare a major incident (WP034 6.8)")));
        }
    }
    let id = Uuid::now_v7();
    let mut tx = begin_write(pool).await?;
    sqlx::query(
        "INSERT INTO incidents (id, name, reason, guidance, declared_at, declared_by) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(name.trim())
    .bind(reason.trim())
    .bind(guidance.trim())
    .bind(now)
    .bind(&actor.label)
    .execute(&mut *tx)
    .await?;
    // Takes the pause row's lock: waits for any publication in progress to finish.
    let set = sqlx::query("UPDATE post_pause SET incident_id = $1 WHERE id = 1 AND incident_id IS NULL")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if set.rows_affected() != 1 {
        return Err(StoreError::Conflict("a major incident is already declared: end it first".into()));
    }
    let held: Vec<Uuid> = sqlx::query_scalar(
        "SELECT p.id FROM posts p JOIN social_accounts a ON a.id = p.account_id WHERE p.state = 'scheduled' AND a.corporate = 0 \
         ORDER BY p.id",
    )
    .fetch_all(&mut *tx)
    .await?;
    for post in &held {
        lock(&mut tx, *post).await?;
        let moved = sqlx::query(
            "UPDATE posts SET state = 'held', reapproval = 1, updated_at = $2 WHERE id = $1 AND state = 'scheduled'",
        )
        .bind(*post)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() == 1 {
            record_step(
                &mut tx,
                *post,
                actor,
                now,
                "hold",
                "6.8",
                Some(reason.trim()),
                None,
                None,
                json!({"incident": id, "incident_name": name.trim()}),
            )
            .await?;
        }
    }
    let detail = json!({"name": name.trim(), "guidance": guidance.trim(), "held": held.len()});
    AuditEntry::new("incident.declare", format!("incident:{id}"))
        .clause("6.8")
        .justification(reason.trim())
        .detail(detail)
        .record(&mut tx, actor, now)
        .await?;
    let incident = tx_incident(&mut tx, id).await?;
    tx.commit().await?;
    Ok((incident, held.len()))
}

pub async fn end_incident(pool: &Pool<DB>, reason: &str, Write { actor, now }: Write<'_>) -> Result<(Incident, usize)> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::Invalid("reason: give the reason the incident is over (WP034 6.8)".into()));
    }
    let mut tx = begin_write(pool).await?;
    let Some(id) = paused(&mut tx).await? else {
        return Err(StoreError::Conflict("no major incident is in force".into()));
    };
    sqlx::query("UPDATE post_pause SET incident_id = NULL WHERE id = 1").execute(&mut *tx).await?;
    sqlx::query("UPDATE incidents SET ended_at = $2, ended_by = $3, end_reason = $4 WHERE id = $1")
        .bind(id)
        .bind(now)
        .bind(&actor.label)
        .bind(reason)
        .execute(&mut *tx)
        .await?;
    // Held posts need approving again before they go: back to the start of their route, with
    // Corporate Communications added.
    let held: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM posts WHERE state = 'held' ORDER BY id").fetch_all(&mut *tx).await?;
    for post in &held {
        lock(&mut tx, *post).await?;
        let p = tx_post(&mut tx, *post).await?;
        let to = if p.needs_sio { domain::PostState::PendingSio } else { domain::PostState::PendingComms };
        let route = domain::Route { sio: p.needs_sio, comms: true };
        let approval = open_chain(&mut tx, &p, route, p.sio_id, actor, now).await?;
        sqlx::query("UPDATE posts SET state = $2, needs_comms = 1, reapproval = 1, updated_at = $3, approval_id = $4 WHERE id = $1")
        .bind(*post)
        .bind(to.as_str())
        .bind(now)
        .bind(approval)
        .execute(&mut *tx)
        .await?;
        record_step(
            &mut tx,
            *post,
            actor,
            now,
            "release",
            "6.8",
            Some(reason),
            None,
            None,
            json!({"incident": id, "to": to.as_str(), "approval_request": approval}),
        )
        .await?;
    }
    AuditEntry::new("incident.end", format!("incident:{id}"))
        .clause("6.8")
        .justification(reason)
        .detail(json!({"released": held.len()}))
        .record(&mut tx, actor, now)
        .await?;
    let incident = tx_incident(&mut tx, id).await?;
    tx.commit().await?;
    Ok((incident, held.len()))
}

pub async fn active_incident(pool: &Pool<DB>) -> Result<Option<Incident>> {
    let sql = format!("{INCIDENT_SELECT} WHERE id = (SELECT incident_id FROM post_pause WHERE id = 1)");
    Ok(sqlx::query_as(&sql).fetch_optional(pool).await?)
}

pub async fn incidents(pool: &Pool<DB>) -> Result<Vec<Incident>> {
    let sql = format!("{INCIDENT_SELECT} ORDER BY declared_at DESC LIMIT 50");
    Ok(sqlx::query_as(&sql).fetch_all(pool).await?)
}

approval_effect!(
    /// A post moves on (or back to its author) with the decision of its approval request (see
    /// [`approvals::Effect`]).
    kind: "social_post",
    run: |tx, d, actor, now| chain_effect(tx, d, actor, now)
);
