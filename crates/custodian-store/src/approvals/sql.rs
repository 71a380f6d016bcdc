//! The approvals SQL, written once and compiled for each backend (see `backend.rs`): `DB` and the
//! helpers come from the backend module this file is mounted in.
//!
//! Approval chains and notifications. The `*_tx` functions and `open`, `notify`,
//! `notify_decider` take the caller's transaction so a feature opens or decides a request
//! together with its own change and audit events (see `crate::approvals` for the guide).

use super::{Conn, DB, Tx, begin_write};
use super::{apps, audit::Record, email, overseas, policy, posts, social_accounts};
use crate::approvals::*;
#[allow(unused_imports)]
use crate::*;
use custodian_domain::approvals::{self as domain, Decider, Deciding, RequestStatus, StepStatus, Verdict};
use custodian_domain::people::Role;
use serde_json::json;
use sqlx::Pool;
use time::OffsetDateTime;
use uuid::Uuid;

const REQUEST_SELECT: &str = "SELECT r.id, r.kind, r.subject, r.title, r.link, r.requester_id, p.name AS requester_name, \
    r.chain_order, r.status, r.revision, r.created_at, r.updated_at, r.closed_at \
    FROM approval_requests r JOIN people p ON p.id = r.requester_id";

const STEP_SELECT: &str = "SELECT s.position, s.step_key, s.clause, s.decider_person_id, dp.name AS decider_name, \
    s.decider_role, s.sla_days, s.status, s.opened_at, s.due_at, s.decided_by, db.name AS decided_by_name, s.on_behalf_of, \
    s.decided_at, s.reasons FROM approval_steps s LEFT JOIN people dp ON dp.id = s.decider_person_id \
    LEFT JOIN people db ON db.id = s.decided_by";

fn conflict(e: domain::ApprovalError) -> StoreError {
    match e {
        domain::ApprovalError::ReasonsRequired => StoreError::Invalid("reasons: a rejection needs reasons".into()),
        domain::ApprovalError::NoSuchStep(_) => StoreError::NotFound(e.to_string()),
        domain::ApprovalError::BadChain(_) => StoreError::Invalid(e.to_string()),
        _ => StoreError::Conflict(e.to_string()),
    }
}

async fn steps(conn: &mut Conn, id: Uuid) -> Result<Vec<ApprovalStep>> {
    let sql = format!("{STEP_SELECT} WHERE s.request_id = $1 ORDER BY s.position");
    Ok(sqlx::query_as(&sql).bind(id).fetch_all(&mut *conn).await?)
}

/// A request read from its row, with its steps and exclusions.
async fn with_steps(conn: &mut Conn, mut r: ApprovalRequest) -> Result<ApprovalRequest> {
    r.steps = steps(conn, r.id).await?;
    r.excluded =
        sqlx::query_scalar("SELECT person_id FROM approval_exclusions WHERE request_id = $1 ORDER BY person_id")
            .bind(r.id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(r)
}

/// Name the people who may not decide the request's current revision besides its requester
/// (separation of duties: whoever made the subject as it now stands), replacing the list; in
/// the caller's transaction. `reason` says why, for the record.
pub async fn exclude_tx(tx: &mut Tx<'_>, id: Uuid, people: &[Uuid], reason: &str) -> Result<()> {
    sqlx::query("DELETE FROM approval_exclusions WHERE request_id = $1").bind(id).execute(&mut **tx).await?;
    let mut people = people.to_vec();
    people.sort();
    people.dedup();
    for p in people {
        sqlx::query("INSERT INTO approval_exclusions (request_id, person_id, reason) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(p)
            .bind(reason)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

pub async fn load(conn: &mut Conn, id: Uuid) -> Result<Option<ApprovalRequest>> {
    let sql = format!("{REQUEST_SELECT} WHERE r.id = $1");
    match sqlx::query_as(&sql).bind(id).fetch_optional(&mut *conn).await? {
        Some(r) => Ok(Some(with_steps(conn, r).await?)),
        None => Ok(None),
    }
}

/// Load a request inside a transaction.
pub async fn load_tx(tx: &mut Tx<'_>, id: Uuid) -> Result<ApprovalRequest> {
    load(tx, id).await?.ok_or_else(|| StoreError::NotFound(format!("approval request {id}")))
}

pub async fn by_id(pool: &Pool<DB>, id: Uuid) -> Result<Option<ApprovalRequest>> {
    let mut conn = pool.acquire().await?;
    load(&mut conn, id).await
}

pub async fn by_subject(pool: &Pool<DB>, subject: &str) -> Result<Option<ApprovalRequest>> {
    let mut conn = pool.acquire().await?;
    let id: Option<Uuid> = sqlx::query_scalar("SELECT id FROM approval_requests WHERE subject = $1")
        .bind(subject)
        .fetch_optional(&mut *conn)
        .await?;
    match id {
        Some(id) => load(&mut conn, id).await,
        None => Ok(None),
    }
}

fn subject(id: Uuid) -> String {
    format!("approval:{id}")
}

/// Write the domain request's state back to the request's rows.
async fn save(tx: &mut Tx<'_>, id: Uuid, r: &domain::Request, now: OffsetDateTime) -> Result<()> {
    let closed = if r.status == RequestStatus::Pending { None } else { Some(now) };
    sqlx::query(
        "UPDATE approval_requests SET status = $1, revision = $2, updated_at = $3, closed_at = $4 WHERE id = $5",
    )
    .bind(r.status.as_str())
    .bind(i64::from(r.revision))
    .bind(now)
    .bind(closed)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    for s in &r.steps {
        sqlx::query(
            "UPDATE approval_steps SET status = $1, opened_at = $2, due_at = $3, decided_by = $4, on_behalf_of = $5, \
             decided_at = $6, reasons = $7, overdue_notified_at = CASE WHEN opened_at = $2 THEN overdue_notified_at ELSE NULL END \
             WHERE request_id = $8 AND step_key = $9",
        )
        .bind(s.status.as_str())
        .bind(s.opened_at)
        .bind(s.due_at)
        .bind(s.decided_by)
        .bind(s.on_behalf_of)
        .bind(s.decided_at)
        .bind(&s.reasons)
        .bind(id)
        .bind(&s.key)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn event(
    tx: &mut Tx<'_>,
    request: Uuid,
    revision: u32,
    now: OffsetDateTime,
    actor: Option<Uuid>,
    event: &str,
    step: Option<&domain::Step>,
    reasons: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO approval_events (id, request_id, revision, at, actor_id, event, step_key, clause, on_behalf_of, reasons) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(Uuid::now_v7())
    .bind(request)
    .bind(i64::from(revision))
    .bind(now)
    .bind(actor)
    .bind(event)
    .bind(step.map(|s| s.key.as_str()))
    .bind(step.map(|s| s.clause.as_str()))
    .bind(step.and_then(|s| s.on_behalf_of))
    .bind(reasons)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Tell one person something, in the caller's transaction: the in-app notification and the
/// e-mail it owes (`email::enqueue`, by the person's chosen delivery). Every notification is
/// written here and nowhere else (`tests/it/email.rs` checks), so none goes without its e-mail.
#[allow(clippy::too_many_arguments)]
pub async fn notify(
    tx: &mut Tx<'_>,
    person: Uuid,
    kind: &str,
    title: &str,
    body: &str,
    link: Option<&str>,
    subject: Option<&str>,
    now: OffsetDateTime,
) -> Result<()> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO notifications (id, person_id, kind, title, body, link, subject, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(person)
    .bind(kind)
    .bind(title)
    .bind(body)
    .bind(link)
    .bind(subject)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    // The e-mail it owes, committed with it (see docs/email.md).
    email::enqueue(tx, id, person, kind, title, body, link, now).await
}

/// The people who may decide for `decider` at `now`: the named person and their running deputies,
/// or every active holder of the role.
async fn decider_people(tx: &mut Tx<'_>, decider: &Decider, now: OffsetDateTime) -> Result<Vec<Uuid>> {
    match decider {
        Decider::Person(p) => {
            let rows: Vec<(Uuid, OffsetDateTime, OffsetDateTime)> = sqlx::query_as(
                "SELECT deputy_id, starts_at, ends_at FROM approval_delegations WHERE person_id = $1 AND revoked_at IS NULL",
            )
            .bind(p)
            .fetch_all(&mut **tx)
            .await?;
            let mut out = vec![*p];
            out.extend(rows.into_iter().filter(|(_, s, e)| *s <= now && now < *e).map(|(d, _, _)| d));
            Ok(out)
        }
        Decider::Role(role) => sqlx::query_scalar(
            "SELECT r.person_id FROM person_roles r JOIN people p ON p.id = r.person_id WHERE r.role = $1 AND p.status = 'active' ORDER BY p.staff_number",
        )
        .bind(role.as_str())
        .fetch_all(&mut **tx)
        .await
        .map_err(StoreError::from),
    }
}

/// Notify whoever may decide a step (not the requester), in the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub async fn notify_decider(
    tx: &mut Tx<'_>,
    decider: &Decider,
    requester: Uuid,
    kind: &str,
    title: &str,
    body: &str,
    link: Option<&str>,
    subject: Option<&str>,
    now: OffsetDateTime,
) -> Result<()> {
    for p in decider_people(tx, decider, now).await? {
        if p != requester {
            notify(tx, p, kind, title, body, link, subject, now).await?;
        }
    }
    Ok(())
}

/// Notify whoever may decide `decider` about the request `r` (its requester, link and subject),
/// in the caller's transaction.
async fn notify_about(
    tx: &mut Tx<'_>,
    r: &ApprovalRequest,
    decider: &Decider,
    kind: &str,
    title: &str,
    body: &str,
    now: OffsetDateTime,
) -> Result<()> {
    notify_decider(tx, decider, r.requester_id, kind, title, body, Some(&r.link), Some(&r.subject), now).await
}

/// Open an approval request in the caller's transaction: its rows, the timeline's first line,
/// the audit event, and notifications to the deciders of the steps decidable now.
pub async fn open(tx: &mut Tx<'_>, n: &NewApproval, actor: &Actor, now: OffsetDateTime) -> Result<Uuid> {
    let r = domain::Request::new(n.requester, &n.spec, now).map_err(conflict)?;
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO approval_requests (id, kind, subject, title, link, requester_id, chain_order, status, revision, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $9)",
    )
    .bind(id)
    .bind(&n.kind)
    .bind(&n.subject)
    .bind(&n.title)
    .bind(&n.link)
    .bind(n.requester)
    .bind(r.order.as_str())
    .bind(r.status.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    for (i, s) in r.steps.iter().enumerate() {
        let (person, role) = match s.decider {
            Decider::Person(p) => (Some(p), None),
            Decider::Role(role) => (None, Some(role.as_str())),
        };
        sqlx::query(
            "INSERT INTO approval_steps (request_id, position, step_key, clause, decider_person_id, decider_role, sla_days, status, opened_at, due_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id)
        .bind(i as i64)
        .bind(&s.key)
        .bind(&s.clause)
        .bind(person)
        .bind(role)
        .bind(i64::from(s.sla_days))
        .bind(s.status.as_str())
        .bind(s.opened_at)
        .bind(s.due_at)
        .execute(&mut **tx)
        .await?;
    }
    event(tx, id, 0, now, actor.person_id, "requested", None, None).await?;
    let clause = r.steps[0].clause.clone();
    AuditEntry::new("approval.request", subject(id)).clause(&clause).after(json!({
            "kind": n.kind, "subject": n.subject, "title": n.title, "order": r.order.as_str(),
            "steps": r.steps.iter().map(|s| json!({"key": s.key, "clause": s.clause, "decider": s.decider, "sla_days": s.sla_days})).collect::<Vec<_>>(),
        })).record(tx, actor, now)
    .await?;
    for s in r.steps.iter().filter(|s| s.status == StepStatus::Pending) {
        let body =
            format!("A request waits for your decision (step {}, WP034 {}).", domain::step_label(&s.key), s.clause);
        notify_decider(
            tx,
            &s.decider,
            n.requester,
            "approval.to_decide",
            &n.title,
            &body,
            Some(&n.link),
            Some(&n.subject),
            now,
        )
        .await?;
    }
    Ok(id)
}

pub async fn open_standalone(pool: &Pool<DB>, n: &NewApproval, Write { actor, now }: Write<'_>) -> Result<Uuid> {
    let mut tx = begin_write(pool).await?;
    let id = open(&mut tx, n, actor, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// Take the request's row lock (PostgreSQL) before reading it, so two deciders are ordered.
async fn lock(tx: &mut Tx<'_>, id: Uuid) -> Result<ApprovalRequest> {
    sqlx::query("UPDATE approval_requests SET updated_at = updated_at WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    load_tx(tx, id).await
}

/// Who `person` is as a decider at `now`: their roles and the people they deputise for.
pub async fn deciding(conn: &mut Conn, person: Uuid, now: OffsetDateTime) -> Result<Deciding> {
    let roles: Vec<String> = sqlx::query_scalar("SELECT role FROM person_roles WHERE person_id = $1")
        .bind(person)
        .fetch_all(&mut *conn)
        .await?;
    let rows: Vec<(Uuid, OffsetDateTime, OffsetDateTime)> = sqlx::query_as(
        "SELECT person_id, starts_at, ends_at FROM approval_delegations WHERE deputy_id = $1 AND revoked_at IS NULL",
    )
    .bind(person)
    .fetch_all(&mut *conn)
    .await?;
    let delegations: Vec<domain::Delegation> = rows
        .into_iter()
        .map(|(from, starts_at, ends_at)| domain::Delegation { from, to: person, starts_at, ends_at })
        .collect();
    Ok(Deciding::new(person, roles.iter().filter_map(|r| Role::parse(r)).collect(), &delegations, now))
}

/// Decide a step in the caller's transaction: the domain's checks, the rows, the timeline, the
/// audit event naming the step's clause, notifications to the requester and to the next
/// deciders. The feature's effect is the caller's (see [`Decided::outcome`]).
#[allow(clippy::too_many_arguments)]
pub async fn decide_tx(
    tx: &mut Tx<'_>,
    id: Uuid,
    step: &str,
    person: Uuid,
    verdict: Verdict,
    reasons: Option<&str>,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<Decided> {
    let before = lock(tx, id).await?;
    // Separation of duties, whatever the feature: whoever made what the request asks to approve
    // (wrote or edited a post, overrode its warnings) never decides it.
    if before.status == RequestStatus::Pending && before.excluded.contains(&person) {
        return Err(StoreError::Conflict(
            "someone who made what this request asks to approve cannot decide it (separation of duties)".into(),
        ));
    }
    let who = deciding(tx, person, now).await?;
    let mut r = before.to_domain();
    let outcome = r.decide(step, &who, verdict, reasons, now).map_err(conflict)?;
    save(tx, id, &r, now).await?;
    let s = r.step(step).cloned().ok_or_else(|| StoreError::NotFound(format!("step {step}")))?;
    event(tx, id, r.revision, now, Some(person), s.status.as_str(), Some(&s), s.reasons.as_deref()).await?;
    let action = match verdict {
        Verdict::Approve => "approval.approve",
        Verdict::Reject => "approval.reject",
    };
    let mut entry = AuditEntry::new(action, subject(id)).clause(&s.clause).after(json!({
        "step": s.key, "verdict": verdict.as_str(), "on_behalf_of": s.on_behalf_of, "request_status": r.status.as_str(),
        "subject": before.subject, "revision": r.revision,
    }));
    if let Some(reasons) = &s.reasons {
        entry = entry.justification(reasons);
    }
    entry.record(tx, actor, now).await?;
    let (title, body) = match &outcome {
        domain::Outcome::Approved => (
            "Request approved",
            format!(
                "{}: approved at the last step ({}, WP034 {}).",
                before.title,
                domain::step_label(&s.key),
                s.clause
            ),
        ),
        domain::Outcome::Rejected => (
            "Request rejected",
            format!(
                "{}: rejected at step {} (WP034 {}): {}",
                before.title,
                domain::step_label(&s.key),
                s.clause,
                s.reasons.as_deref().unwrap_or("")
            ),
        ),
        domain::Outcome::StepApproved { .. } => (
            "Step approved",
            format!("{}: step {} approved (WP034 {}).", before.title, domain::step_label(&s.key), s.clause),
        ),
    };
    notify(
        tx,
        before.requester_id,
        &format!("approval.{}", s.status.as_str()),
        title,
        &body,
        Some(&before.link),
        Some(&before.subject),
        now,
    )
    .await?;
    if let domain::Outcome::StepApproved { next } = &outcome {
        for k in next {
            if let Some(n) = r.step(k) {
                let body = format!(
                    "A request waits for your decision (step {}, WP034 {}).",
                    domain::step_label(&n.key),
                    n.clause
                );
                notify_about(tx, &before, &n.decider, "approval.to_decide", &before.title, &body, now).await?;
            }
        }
    }
    let request = load_tx(tx, id).await?;
    Ok(Decided { request, outcome })
}

/// The effect of a decision for each feature, run in the deciding transaction by
/// [`approval_decide`]. Add an arm for your `kind`.
/// The future an [`Effect`] returns.
pub type EffectFuture<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<()>> + Send + 'a>>;

/// What deciding a request of one `kind` does to the feature's own record, inside the deciding
/// transaction. Each feature defines its `EFFECT` in its own `sql.rs`; [`EFFECTS`] lists them.
pub struct Effect {
    pub kind: &'static str,
    pub run: for<'a, 'b> fn(&'a mut Tx<'b>, &'a Decided, &'a Actor, OffsetDateTime) -> EffectFuture<'a>,
}

/// The features whose decided requests change their records, keyed by request kind. Kinds not
/// listed (a standalone request) have no effect.
const EFFECTS: &[&Effect] =
    &[&overseas::EFFECT, &posts::EFFECT, &apps::EFFECT, &policy::EFFECT, &social_accounts::EFFECT];

async fn effects(tx: &mut Tx<'_>, d: &Decided, actor: &Actor, now: OffsetDateTime) -> Result<()> {
    match EFFECTS.iter().find(|e| e.kind == d.request.kind) {
        Some(effect) => (effect.run)(tx, d, actor, now).await,
        None => Ok(()),
    }
}

pub async fn decide(
    pool: &Pool<DB>,
    id: Uuid,
    step: &str,
    person: Uuid,
    verdict: Verdict,
    reasons: Option<&str>,
    Write { actor, now }: Write<'_>,
) -> Result<Decided> {
    let mut tx = begin_write(pool).await?;
    let mut d = decide_tx(&mut tx, id, step, person, verdict, reasons, actor, now).await?;
    effects(&mut tx, &d, actor, now).await?;
    d.request = load_tx(&mut tx, id).await?;
    tx.commit().await?;
    Ok(d)
}

/// The requester withdraws, in the caller's transaction; the deciders of pending steps are told.
pub async fn withdraw_tx(
    tx: &mut Tx<'_>,
    id: Uuid,
    person: Uuid,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<ApprovalRequest> {
    let before = lock(tx, id).await?;
    let mut r = before.to_domain();
    r.withdraw(person).map_err(conflict)?;
    save(tx, id, &r, now).await?;
    event(tx, id, r.revision, now, Some(person), "withdrawn", None, None).await?;
    let clause = before.steps.first().map(|s| s.clause.clone()).unwrap_or_default();
    AuditEntry::new("approval.withdraw", subject(id))
        .clause(&clause)
        .before(json!({"status": before.status.as_str()}))
        .after(json!({"status": "withdrawn", "subject": before.subject}))
        .record(tx, actor, now)
        .await?;
    for s in before.steps.iter().filter(|s| s.status == StepStatus::Pending) {
        let body = format!("{} was withdrawn by the requester; no decision is needed.", before.title);
        notify_about(tx, &before, &s.decider, "approval.withdrawn", "Request withdrawn", &body, now).await?;
    }
    load_tx(tx, id).await
}

pub async fn withdraw(
    pool: &Pool<DB>,
    id: Uuid,
    person: Uuid,
    Write { actor, now }: Write<'_>,
) -> Result<ApprovalRequest> {
    let mut tx = begin_write(pool).await?;
    let r = withdraw_tx(&mut tx, id, person, actor, now).await?;
    // The feature's record follows a withdrawal too (an arm per `kind`, like `approval_effects`).
    if r.kind == crate::overseas::OVERSEAS_KIND {
        overseas::follow(&mut tx, &r, actor, now).await?;
    }
    if r.kind == custodian_domain::social_accounts::APPROVAL_KIND {
        social_accounts::follow(&mut tx, &r, actor, now).await?;
    }
    tx.commit().await?;
    Ok(r)
}

/// The subject was edited: every step back to pending (or waiting), in the caller's transaction.
pub async fn restart_tx(
    tx: &mut Tx<'_>,
    id: Uuid,
    reason: &str,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<ApprovalRequest> {
    let before = lock(tx, id).await?;
    let mut r = before.to_domain();
    r.restart(now).map_err(conflict)?;
    save(tx, id, &r, now).await?;
    event(tx, id, r.revision, now, actor.person_id, "restarted", None, Some(reason)).await?;
    let clause = before.steps.first().map(|s| s.clause.clone()).unwrap_or_default();
    AuditEntry::new("approval.restart", subject(id))
        .clause(&clause)
        .justification(reason)
        .before(json!({"status": before.status.as_str(), "revision": before.revision}))
        .after(json!({"status": r.status.as_str(), "revision": r.revision}))
        .record(tx, actor, now)
        .await?;
    for s in r.steps.iter().filter(|s| s.status == StepStatus::Pending) {
        let body = format!(
            "{} changed ({reason}); it needs your decision again (step {}, WP034 {}).",
            before.title,
            domain::step_label(&s.key),
            s.clause
        );
        notify_about(tx, &before, &s.decider, "approval.to_decide", &before.title, &body, now).await?;
    }
    load_tx(tx, id).await
}

pub async fn restart(
    pool: &Pool<DB>,
    id: Uuid,
    reason: &str,
    Write { actor, now }: Write<'_>,
) -> Result<ApprovalRequest> {
    let mut tx = begin_write(pool).await?;
    let r = restart_tx(&mut tx, id, reason, actor, now).await?;
    tx.commit().await?;
    Ok(r)
}

pub async fn timeline(pool: &Pool<DB>, id: Uuid) -> Result<Vec<ApprovalEvent>> {
    Ok(sqlx::query_as(
        "SELECT e.revision, e.at, e.actor_id, a.name AS actor_name, e.event, e.step_key, e.clause, e.on_behalf_of, \
         o.name AS on_behalf_of_name, e.reasons FROM approval_events e LEFT JOIN people a ON a.id = e.actor_id \
         LEFT JOIN people o ON o.id = e.on_behalf_of WHERE e.request_id = $1 ORDER BY e.at, e.id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?)
}

pub async fn to_decide(pool: &Pool<DB>, person: Uuid, now: OffsetDateTime) -> Result<Vec<ToDecide>> {
    let mut conn = pool.acquire().await?;
    let who = deciding(&mut conn, person, now).await?;
    let mut ids: Vec<Uuid> = sqlx::query_scalar(
        "SELECT DISTINCT s.request_id FROM approval_steps s JOIN approval_requests r ON r.id = s.request_id \
         WHERE r.status = 'pending' AND s.status = 'pending' AND (s.decider_person_id = $1 OR s.decider_role IN \
         (SELECT role FROM person_roles WHERE person_id = $1) OR s.decider_person_id IN \
         (SELECT person_id FROM approval_delegations WHERE deputy_id = $1 AND revoked_at IS NULL))",
    )
    .bind(person)
    .fetch_all(&mut *conn)
    .await?;
    ids.sort();
    let mut out = vec![];
    for id in ids {
        let Some(req) = load(&mut conn, id).await? else { continue };
        let steps = req.to_domain().decidable_by(&who);
        if steps.is_empty() {
            continue;
        }
        let overdue = req.steps.iter().any(|s| steps.contains(&s.key) && s.is_overdue(now));
        out.push(ToDecide { request: req, steps, overdue });
    }
    out.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(a.request.created_at.cmp(&b.request.created_at)));
    Ok(out)
}

pub async fn requested_by(pool: &Pool<DB>, person: Uuid) -> Result<Vec<ApprovalRequest>> {
    let sql = format!("{REQUEST_SELECT} WHERE r.requester_id = $1 ORDER BY r.created_at DESC, r.id DESC");
    let rows: Vec<ApprovalRequest> = sqlx::query_as(&sql).bind(person).fetch_all(pool).await?;
    let mut conn = pool.acquire().await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(with_steps(&mut conn, r).await?);
    }
    Ok(out)
}

async fn pending_steps(
    conn: &mut Conn,
) -> Result<Vec<(Uuid, String, String, ApprovalStep, Uuid, Option<OffsetDateTime>)>> {
    // Pending requests are few at any time: read each one's steps.
    let reqs: Vec<(Uuid, String, String, Uuid)> = sqlx::query_as(
        "SELECT id, title, link, requester_id FROM approval_requests WHERE status = 'pending' ORDER BY created_at",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out = vec![];
    for (id, title, link, requester) in reqs {
        let notified: Vec<(String, Option<OffsetDateTime>)> =
            sqlx::query_as("SELECT step_key, overdue_notified_at FROM approval_steps WHERE request_id = $1")
                .bind(id)
                .fetch_all(&mut *conn)
                .await?;
        for s in steps(conn, id).await? {
            if s.status == StepStatus::Pending {
                let n = notified.iter().find(|(k, _)| *k == s.key).and_then(|(_, n)| *n);
                out.push((id, title.clone(), link.clone(), s, requester, n));
            }
        }
    }
    Ok(out)
}

pub async fn overdue(pool: &Pool<DB>, now: OffsetDateTime) -> Result<Vec<OverdueStep>> {
    let mut conn = pool.acquire().await?;
    Ok(pending_steps(&mut conn)
        .await?
        .into_iter()
        .filter(|(_, _, _, s, _, _)| s.is_overdue(now))
        .map(|(request_id, title, link, s, _, _)| OverdueStep {
            request_id,
            title,
            link,
            due_at: s.due_at.unwrap_or(now),
            step_key: s.key,
            clause: s.clause,
            decider_label: s.decider_label,
        })
        .collect())
}

pub async fn flag_overdue(pool: &Pool<DB>, now: OffsetDateTime) -> Result<usize> {
    let mut tx = begin_write(pool).await?;
    let steps = pending_steps(&mut tx).await?;
    let mut n = 0;
    for (id, title, link, s, requester, notified) in steps {
        if !s.is_overdue(now) || notified.is_some() {
            continue;
        }
        n += 1;
        sqlx::query("UPDATE approval_steps SET overdue_notified_at = $1 WHERE request_id = $2 AND step_key = $3")
            .bind(now)
            .bind(id)
            .bind(&s.key)
            .execute(&mut *tx)
            .await?;
        let revision: i64 = sqlx::query_scalar("SELECT revision FROM approval_requests WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        // The overdue event names the step, never a past decision on it.
        let dom =
            domain::Step { decided_by: None, on_behalf_of: None, decided_at: None, reasons: None, ..s.to_domain() };
        event(&mut tx, id, u32::try_from(revision).unwrap_or(0), now, None, "overdue", Some(&dom), None).await?;
        AuditEntry::new("approval.overdue", subject(id))
            .clause(&s.clause)
            .detail(json!({"step": s.key, "due_at": s.due_at.map(|d| d.unix_timestamp())}))
            .record(&mut tx, &Actor::system(), now)
            .await?;
        let body = format!(
            "{title}: step {} (WP034 {}) is past its service level of {} working days.",
            domain::step_label(&s.key),
            s.clause,
            s.sla_days
        );
        notify_decider(
            &mut tx,
            &s.decider,
            requester,
            "approval.overdue",
            "Decision overdue",
            &body,
            Some(&link),
            None,
            now,
        )
        .await?;
        notify(&mut tx, requester, "approval.overdue", "Decision overdue", &body, Some(&link), None, now).await?;
    }
    tx.commit().await?;
    Ok(n)
}

pub async fn delegation_create(
    pool: &Pool<DB>,
    person: Uuid,
    deputy: Uuid,
    starts_at: OffsetDateTime,
    ends_at: OffsetDateTime,
    reason: &str,
    Write { actor, now }: Write<'_>,
) -> Result<Uuid> {
    if person == deputy {
        return Err(StoreError::Invalid("deputy: nobody can be their own deputy".into()));
    }
    if ends_at <= starts_at {
        return Err(StoreError::Invalid("ends_at: the delegation must end after it starts".into()));
    }
    if reason.trim().is_empty() {
        return Err(StoreError::Invalid("reason: say why a deputy is needed (an absence)".into()));
    }
    let mut tx = begin_write(pool).await?;
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO approval_delegations (id, person_id, deputy_id, starts_at, ends_at, reason, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(person)
    .bind(deputy)
    .bind(starts_at)
    .bind(ends_at)
    .bind(reason.trim())
    .bind(now)
    .bind(&actor.label)
    .execute(&mut *tx)
    .await?;
    AuditEntry::new("approval.delegate", format!("delegation:{id}")).clause("4.8").justification(reason.trim())
        .after(json!({"person": person, "deputy": deputy, "starts_at": starts_at.unix_timestamp(), "ends_at": ends_at.unix_timestamp()})).record(&mut tx, actor, now).await?;
    notify(
        &mut tx,
        deputy,
        "approval.deputy",
        "You are a deputy",
        &format!("You may decide approvals for a colleague until {}: {}", ends_at.date(), reason.trim()),
        Some("/approvals"),
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn delegation_revoke(pool: &Pool<DB>, id: Uuid, person: Uuid, Write { actor, now }: Write<'_>) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    let res = sqlx::query(
        "UPDATE approval_delegations SET revoked_at = $1 WHERE id = $2 AND person_id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .bind(person)
    .execute(&mut *tx)
    .await?;
    if res.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("delegation {id}")));
    }
    AuditEntry::new("approval.delegation_revoke", format!("delegation:{id}"))
        .clause("4.8")
        .record(&mut tx, actor, now)
        .await?;
    Ok(tx.commit().await?)
}

pub async fn delegations_of(pool: &Pool<DB>, person: Uuid) -> Result<Vec<DelegationRecord>> {
    Ok(sqlx::query_as(
        "SELECT d.id, d.person_id, p.name AS person_name, d.deputy_id, q.name AS deputy_name, d.starts_at, d.ends_at, d.reason, d.revoked_at \
         FROM approval_delegations d JOIN people p ON p.id = d.person_id JOIN people q ON q.id = d.deputy_id \
         WHERE d.person_id = $1 OR d.deputy_id = $1 ORDER BY d.starts_at DESC, d.id",
    )
    .bind(person)
    .fetch_all(pool)
    .await?)
}

pub async fn notifications_for(pool: &Pool<DB>, person: Uuid, limit: i64) -> Result<Vec<Notification>> {
    Ok(sqlx::query_as(
        "SELECT id, person_id, kind, title, body, link, subject, created_at, read_at FROM notifications WHERE person_id = $1 \
         ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(person)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

pub async fn notifications_unread(pool: &Pool<DB>, person: Uuid) -> Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE person_id = $1 AND read_at IS NULL")
        .bind(person)
        .fetch_one(pool)
        .await
        .map_err(StoreError::from)
}

pub async fn notifications_mark_read(
    pool: &Pool<DB>,
    person: Uuid,
    id: Option<Uuid>,
    Write { actor, now }: Write<'_>,
) -> Result<u64> {
    let mut tx = begin_write(pool).await?;
    let res = sqlx::query(
        "UPDATE notifications SET read_at = $1 WHERE person_id = $2 AND read_at IS NULL AND ($3 IS NULL OR id = $3)",
    )
    .bind(now)
    .bind(person)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let n = res.rows_affected();
    if n > 0 {
        AuditEntry::new("notification.read", format!("person:{person}"))
            .detail(json!({"notification": id, "count": n}))
            .record(&mut tx, actor, now)
            .await?;
    }
    tx.commit().await?;
    Ok(n)
}
