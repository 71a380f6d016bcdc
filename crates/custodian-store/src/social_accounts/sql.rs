//! The social media account register's SQL, written once and compiled for each backend (see
//! `backend.rs`): `DB` and the helpers come from the backend module this file is mounted in.
//!
//! WP034 6.1, 6.4, 6.6, 6.7 and 9.1: every write opens one transaction that carries the change
//! and its audit events (see `crate::social_accounts` for the design).

use std::collections::{HashMap, HashSet};

use super::{DB, Tx, begin_write, chunk_rows};
use super::{approvals, audit::Record};
use crate::approvals::{Decided, NewApproval};
use crate::social_accounts::*;
#[allow(unused_imports)]
use crate::*;
use custodian_domain::approvals::{ChainSpec, Decider, Order, RequestStatus, StepSpec};
use custodian_domain::findings::Rule;
use custodian_domain::imports::RowError;
use custodian_domain::people::Role;
use custodian_domain::social_accounts::{
    self as domain, APPROVAL_KIND, AccountRow, AccountStatus, EndedReason, RegisterParams, SOCIAL_DORMANT,
    SOCIAL_RECERTIFICATION_OVERDUE, SOCIAL_ROTATE_CREDENTIALS, SOCIAL_SIGNPOSTING,
};
use serde_json::{Value, json};
use sqlx::Pool;
use time::OffsetDateTime;
use uuid::Uuid;

const ACCOUNT_SELECT: &str = "SELECT a.id, a.platform, a.handle, a.url, a.owning_team, a.team_manager_id, \
    tm.name AS team_manager_name, tm.staff_number AS team_manager_staff_number, a.corporate, a.comms_approval, a.status, \
    a.purpose, a.audience, a.profile, a.last_post_at, a.recertified_at, a.active_since, a.approval_id, a.created_at, \
    a.created_by, a.closed_at, a.closed_reason, \
    (SELECT COUNT(*) FROM social_account_tasks t WHERE t.account_id = a.id AND t.status = 'open') AS open_tasks \
    FROM social_accounts a LEFT JOIN people tm ON tm.id = a.team_manager_id";

const USER_SELECT: &str = "SELECT u.id, u.account_id, u.person_id, p.name, p.staff_number, b.name AS business_area, \
    u.authorised_from, u.authorised_to, u.authorised_by, u.ended_reason, u.ended_by \
    FROM social_account_users u JOIN people p ON p.id = u.person_id JOIN business_areas b ON b.id = p.business_area_id";

const TASK_SELECT: &str = "SELECT id, account_id, rule, clause, assignee, summary, status, opened_at, done_at, done_by, \
    outcome FROM social_account_tasks";

fn subject(id: Uuid) -> String {
    format!("social_account:{id}")
}

fn link(id: Uuid) -> String {
    format!("/accounts/{id}")
}

fn name_of(a: &RegisterAccount) -> String {
    format!("{} {}", a.platform.as_str(), a.handle)
}

async fn load(tx: &mut Tx<'_>, id: Uuid) -> Result<RegisterAccount> {
    let sql = format!("{ACCOUNT_SELECT} WHERE a.id = $1");
    sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("social media account {id}")))
}

/// An account people may use (active or dormant), or a conflict naming its status.
async fn in_use(tx: &mut Tx<'_>, id: Uuid) -> Result<RegisterAccount> {
    let a = load(tx, id).await?;
    if !a.status.in_use() {
        return Err(StoreError::Conflict(format!(
            "{} is {}: only an active or dormant account has authorised users",
            name_of(&a),
            a.status.label().to_lowercase()
        )));
    }
    Ok(a)
}

/// An active person's id and staff number, or an error naming `field`.
async fn active_person(tx: &mut Tx<'_>, id: Uuid, field: &str) -> Result<String> {
    let row: Option<(String, String)> = sqlx::query_as("SELECT staff_number, status FROM people WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    match row {
        None => Err(StoreError::Invalid(format!("{field}: there is no such person"))),
        Some((sn, status)) if status != "active" => {
            Err(StoreError::Invalid(format!("{field}: {sn} has left the force")))
        }
        Some((sn, _)) => Ok(sn),
    }
}

// ---- tasks ----------------------------------------------------------------------------------

fn open_key(account: Uuid, rule: &Rule) -> String {
    format!("{account}:{}", rule.id)
}

/// Raise `rule` on the account unless it is already open, with its audit event and notifications
/// to whom it is for. Returns whether a task was raised.
async fn raise(
    tx: &mut Tx<'_>,
    a: &RegisterAccount,
    rule: &Rule,
    summary: &str,
    detail: Value,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<bool> {
    let key = open_key(a.id, rule);
    let open: Option<Uuid> = sqlx::query_scalar("SELECT id FROM social_account_tasks WHERE open_key = $1")
        .bind(&key)
        .fetch_optional(&mut **tx)
        .await?;
    if open.is_some() {
        return Ok(false);
    }
    let id = Uuid::now_v7();
    let assignee = domain::assignee(rule);
    sqlx::query(
        "INSERT INTO social_account_tasks (id, account_id, rule, clause, assignee, summary, detail, status, open_key, opened_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9)",
    )
    .bind(id)
    .bind(a.id)
    .bind(rule.id)
    .bind(rule.clause)
    .bind(assignee.as_str())
    .bind(summary)
    .bind(detail.to_string())
    .bind(&key)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    AuditEntry::new("social_account.task_raised", subject(a.id))
        .clause(rule.clause)
        .detail(
            json!({"task": id, "rule": rule.id, "assignee": assignee.as_str(), "summary": summary, "detail": detail}),
        )
        .record(tx, actor, now)
        .await?;
    notify_task(tx, a, rule, summary, now).await?;
    Ok(true)
}

/// Tell whom a task is for: the team manager, Corporate Communications, or both.
async fn notify_task(
    tx: &mut Tx<'_>,
    a: &RegisterAccount,
    rule: &Rule,
    summary: &str,
    now: OffsetDateTime,
) -> Result<()> {
    let title = format!("{}: {}", rule.title, name_of(a));
    let body = format!("{summary} (WP034 {}).", rule.clause);
    let l = link(a.id);
    let s = subject(a.id);
    let assignee = domain::assignee(rule);
    let mut told: Option<Uuid> = None;
    if assignee != domain::Assignee::CorporateComms
        && let Some(tm) = a.team_manager_id
    {
        approvals::notify(tx, tm, rule.id, &title, &body, Some(&l), Some(&s), now).await?;
        told = Some(tm);
    }
    if assignee != domain::Assignee::TeamManager {
        approvals::notify_decider(
            tx,
            &Decider::Role(Role::CorporateComms),
            told.unwrap_or(Uuid::nil()),
            rule.id,
            &title,
            &body,
            Some(&l),
            Some(&s),
            now,
        )
        .await?;
    }
    Ok(())
}

/// Close the open task of `rule` on the account, if any, with its outcome and audit event.
async fn settle(
    tx: &mut Tx<'_>,
    account: Uuid,
    rule: &Rule,
    outcome: &str,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<bool> {
    let id: Option<Uuid> = sqlx::query_scalar(
        "UPDATE social_account_tasks SET status = 'done', open_key = NULL, done_at = $2, done_by = $3, \
         outcome = $4 WHERE open_key = $1 RETURNING id",
    )
    .bind(open_key(account, rule))
    .bind(now)
    .bind(&actor.label)
    .bind(outcome)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(task) = id {
        AuditEntry::new("social_account.task_done", subject(account))
            .clause(rule.clause)
            .detail(json!({"task": task, "rule": rule.id, "outcome": outcome}))
            .record(tx, actor, now)
            .await?;
    }
    Ok(id.is_some())
}

/// The account's password changed in the credential vault (WP034 9.1): close its open
/// `social.rotate_credentials` task, if any, with its audit event, in the vault's transaction.
/// Returns whether a task was closed.
pub async fn credentials_changed(tx: &mut Tx<'_>, account: Uuid, actor: &Actor, now: OffsetDateTime) -> Result<bool> {
    settle(tx, account, &SOCIAL_ROTATE_CREDENTIALS, "the password was changed in the credential vault", actor, now)
        .await
}

/// Check the profile's signposting (WP034 6.7): raise the task when it lacks any, close it when
/// it has all.
async fn check_signposting(tx: &mut Tx<'_>, a: &RegisterAccount, actor: &Actor, now: OffsetDateTime) -> Result<()> {
    let missing = domain::missing_signposting(&a.profile);
    if missing.is_empty() {
        settle(tx, a.id, &SOCIAL_SIGNPOSTING, "the profile signposts 999 and 101 or online reporting", actor, now)
            .await?;
    } else {
        let lacks: Vec<&str> = missing.iter().map(|m| m.label()).collect();
        let summary = format!("The profile does not point to {}", lacks.join(", nor to "));
        raise(tx, a, &SOCIAL_SIGNPOSTING, &summary, json!({"missing": missing}), actor, now).await?;
    }
    Ok(())
}

// ---- request and set-up ---------------------------------------------------------------------

/// A handle is held by an account that is requested, active, dormant or closed; a refused or
/// withdrawn request holds none. Conflict when `platform`/`handle` is held.
async fn handle_free(tx: &mut Tx<'_>, platform: &str, handle: &str) -> Result<()> {
    let taken: Option<String> = sqlx::query_scalar(
        "SELECT status FROM social_accounts WHERE platform = $1 AND handle = $2 AND status NOT IN ('refused', 'withdrawn')",
    )
    .bind(platform)
    .bind(handle)
    .fetch_optional(&mut **tx)
    .await?;
    match taken {
        Some(status) => {
            Err(StoreError::Conflict(format!("handle: {platform} {handle} is already in the register ({status})")))
        }
        None => Ok(()),
    }
}

/// Request an account (WP034 6.6): requested, audited, on the approval chain to Corporate
/// Communications.
pub async fn request(pool: &Pool<DB>, r: &AccountRequest, Write { actor, now }: Write<'_>) -> Result<(Uuid, Uuid)> {
    let requester =
        actor.person_id.ok_or_else(|| StoreError::Invalid("only a person can request an account".into()))?;
    let handle = domain::normalise_handle(&r.handle);
    if handle.is_empty() {
        return Err(StoreError::Invalid("handle: give the handle you propose".into()));
    }
    if r.purpose.trim().is_empty() {
        return Err(StoreError::Invalid("purpose: say what the account is for (WP034 6.4)".into()));
    }
    if r.audience.trim().is_empty() {
        return Err(StoreError::Invalid("audience: say who the account is for (WP034 6.4)".into()));
    }
    if r.owning_team.trim().is_empty() {
        return Err(StoreError::Invalid("owning_team: name the team that will run the account (WP034 6.7)".into()));
    }
    let mut tx = begin_write(pool).await?;
    active_person(&mut tx, r.team_manager, "team_manager").await?;
    // A handle is held by an account that is requested, active, dormant or closed; a refused or
    // withdrawn request holds none (migration 0042's partial unique index says the same, and
    // refuses the second of two requests that race for one handle). The earlier requests keep
    // their rows, real handles, approvals and audit events, and are listed on the new one's page.
    handle_free(&mut tx, r.platform.as_str(), &handle).await?;
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO social_accounts (id, platform, handle, owning_team, comms_approval, corporate, created_at, created_by, \
         team_manager_id, status, purpose, audience) VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8, 'requested', $9, $10)",
    )
    .bind(id)
    .bind(r.platform.as_str())
    .bind(&handle)
    .bind(r.owning_team.trim())
    .bind(i64::from(r.corporate))
    .bind(now)
    .bind(&actor.label)
    .bind(r.team_manager)
    .bind(r.purpose.trim())
    .bind(r.audience.trim())
    .execute(&mut *tx)
    .await?;
    let after = json!({"platform": r.platform.as_str(), "handle": handle, "owning_team": r.owning_team.trim(),
        "team_manager": r.team_manager, "corporate": r.corporate, "purpose": r.purpose.trim(), "audience": r.audience.trim(),
        "status": "requested"});
    AuditEntry::new("social_account.request", subject(id))
        .clause("6.6")
        .after(after)
        .record(&mut tx, actor, now)
        .await?;
    let spec = ChainSpec::new(
        Order::Sequential,
        vec![StepSpec::new("corporate_comms", "6.6", Decider::Role(Role::CorporateComms))],
    );
    let approval = approvals::open(
        &mut tx,
        &NewApproval {
            kind: APPROVAL_KIND.into(),
            subject: subject(id),
            title: format!("New social media account: {} {handle} for {}", r.platform.as_str(), r.owning_team.trim()),
            link: link(id),
            requester,
            spec,
        },
        actor,
        now,
    )
    .await?;
    sqlx::query("UPDATE social_accounts SET approval_id = $1 WHERE id = $2")
        .bind(approval)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok((id, approval))
}

/// Corporate Communications set up an account themselves (WP034 6.6): checked as a request is,
/// then active at once, with its audit event naming 6.6 and the signposting checked (6.7).
pub async fn set_up(pool: &Pool<DB>, s: &SetUp, Write { actor, now }: Write<'_>) -> Result<Uuid> {
    let handle = domain::normalise_handle(&s.handle);
    if handle.is_empty() {
        return Err(StoreError::Invalid("handle: give the account's handle".into()));
    }
    let team = s.owning_team.trim();
    if team.is_empty() {
        return Err(StoreError::Invalid("owning_team: name the team that runs the account (WP034 6.7)".into()));
    }
    let (url, profile) = (s.url.trim(), s.profile.trim());
    domain::check_url(url).map_err(|m| StoreError::Invalid(format!("url: {m}")))?;
    let mut tx = begin_write(pool).await?;
    let tm = active_person(&mut tx, s.team_manager, "team_manager").await?;
    handle_free(&mut tx, s.platform.as_str(), &handle).await?;
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO social_accounts (id, platform, handle, owning_team, comms_approval, corporate, created_at, created_by, \
         team_manager_id, status, url, profile, active_since) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, $11, $7)",
    )
    .bind(id)
    .bind(s.platform.as_str())
    .bind(&handle)
    .bind(team)
    .bind(i64::from(s.comms_approval))
    .bind(i64::from(s.corporate))
    .bind(now)
    .bind(&actor.label)
    .bind(s.team_manager)
    .bind(url)
    .bind(profile)
    .execute(&mut *tx)
    .await?;
    let after = json!({"platform": s.platform.as_str(), "handle": handle, "owning_team": team,
        "team_manager": format!("person:{tm}"), "comms_approval": s.comms_approval, "corporate": s.corporate,
        "url": url, "profile": profile, "status": "active"});
    AuditEntry::new("social_account.set_up", subject(id))
        .clause("6.6")
        .after(after)
        .detail(json!({"by": "Corporate Communications, without a request"}))
        .record(&mut tx, actor, now)
        .await?;
    let a = load(&mut tx, id).await?;
    check_signposting(&mut tx, &a, actor, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// Put a requested account in line with its approval request (WP034 6.6), in the deciding or
/// withdrawing transaction: active once approved, refused or withdrawn otherwise (a request that
/// never became an account: it keeps its row and handle but holds the handle no longer).
pub async fn follow(
    tx: &mut Tx<'_>,
    r: &crate::approvals::ApprovalRequest,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<()> {
    if r.status == RequestStatus::Pending {
        return Ok(());
    }
    let id = r
        .subject
        .strip_prefix("social_account:")
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| super::people::bad("social account subject", &r.subject))?;
    let (status, reason, action) = match r.status {
        RequestStatus::Approved => ("active", None, "social_account.approve"),
        RequestStatus::Rejected => {
            ("refused", Some("request refused by Corporate Communications"), "social_account.reject")
        }
        _ => ("withdrawn", Some("request withdrawn"), "social_account.withdraw"),
    };
    let res = sqlx::query(
        "UPDATE social_accounts SET status = $1, active_since = CASE WHEN $1 = 'active' THEN $2 ELSE active_since END, \
         closed_at = CASE WHEN $1 = 'active' THEN closed_at ELSE $2 END, closed_reason = $3 \
         WHERE id = $4 AND status = 'requested'",
    )
    .bind(status)
    .bind(now)
    .bind(reason)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    if res.rows_affected() == 0 {
        return Err(StoreError::Conflict(format!("social media account {id} is no longer waiting for approval")));
    }
    AuditEntry::new(action, subject(id))
        .clause("6.6")
        .before(json!({"status": "requested"}))
        .after(json!({"status": status, "approval": r.id, "reason": reason}))
        .record(tx, actor, now)
        .await?;
    if status == "active" {
        // Set up: the profile is checked from the start (6.7).
        let a = load(tx, id).await?;
        check_signposting(tx, &a, actor, now).await?;
    }
    Ok(())
}

approval_effect!(
    /// A decided account request moves its account (see [`approvals::Effect`]).
    kind: APPROVAL_KIND,
    run: |tx, d, actor, now| follow(tx, &d.request, actor, now)
);

// ---- reading --------------------------------------------------------------------------------

pub async fn list(pool: &Pool<DB>, f: &AccountFilter) -> Result<Vec<RegisterAccount>> {
    let sql = format!(
        "{ACCOUNT_SELECT} WHERE ($1 IS NULL OR a.status = $1) AND ($2 IS NULL OR a.platform = $2) \
         AND ($3 IS NULL OR a.owning_team = $3) \
         AND ($4 IS NULL OR a.team_manager_id = $4 OR a.owning_team = $5 OR EXISTS (SELECT 1 FROM social_account_users u \
              WHERE u.account_id = a.id AND u.person_id = $4 AND u.authorised_to IS NULL)) \
         AND ($6 = 0 OR EXISTS (SELECT 1 FROM social_account_tasks t WHERE t.account_id = a.id AND t.status = 'open')) \
         ORDER BY a.owning_team, a.platform, a.handle"
    );
    Ok(sqlx::query_as(&sql)
        .bind(f.status.map(|s| s.as_str()))
        .bind(f.platform.map(|p| p.as_str()))
        .bind(f.team.as_deref())
        .bind(f.visible_to)
        .bind(f.team_of.as_deref().unwrap_or(""))
        .bind(i64::from(f.with_tasks))
        .fetch_all(pool)
        .await?)
}

pub async fn detail(pool: &Pool<DB>, id: Uuid) -> Result<Option<AccountDetail>> {
    let mut tx = super::begin_read(pool).await?;
    let sql = format!("{ACCOUNT_SELECT} WHERE a.id = $1");
    let Some(account) = sqlx::query_as::<_, RegisterAccount>(&sql).bind(id).fetch_optional(&mut *tx).await? else {
        return Ok(None);
    };
    let sql = format!(
        "{USER_SELECT} WHERE u.account_id = $1 ORDER BY CASE WHEN u.authorised_to IS NULL THEN 0 ELSE 1 END, p.name, u.authorised_from"
    );
    let users = sqlx::query_as(&sql).bind(id).fetch_all(&mut *tx).await?;
    let sql = format!(
        "{TASK_SELECT} WHERE account_id = $1 ORDER BY CASE WHEN status = 'open' THEN 0 ELSE 1 END, opened_at DESC, id DESC"
    );
    let tasks = sqlx::query_as(&sql).bind(id).fetch_all(&mut *tx).await?;
    // Earlier requests for the same platform and handle that were refused or withdrawn (6.6).
    let sql = format!(
        "{ACCOUNT_SELECT} WHERE a.platform = $1 AND a.handle = $2 AND a.id <> $3 AND a.status IN ('refused', 'withdrawn') \
         ORDER BY a.created_at DESC, a.id DESC"
    );
    let earlier_requests =
        sqlx::query_as(&sql).bind(account.platform.as_str()).bind(&account.handle).bind(id).fetch_all(&mut *tx).await?;
    tx.commit().await?;
    Ok(Some(AccountDetail { account, users, tasks, earlier_requests }))
}

// ---- authorised users -----------------------------------------------------------------------

pub async fn authorise(pool: &Pool<DB>, account: Uuid, person: Uuid, Write { actor, now }: Write<'_>) -> Result<()> {
    if actor.person_id == Some(person) {
        return Err(StoreError::Invalid(
            "person: nobody authorises themselves; ask Corporate Communications or the team manager".into(),
        ));
    }
    let mut tx = begin_write(pool).await?;
    let a = in_use(&mut tx, account).await?;
    let sn = active_person(&mut tx, person, "person").await?;
    let open: Option<Uuid> = sqlx::query_scalar(
        "SELECT id FROM social_account_users WHERE account_id = $1 AND person_id = $2 AND authorised_to IS NULL",
    )
    .bind(account)
    .bind(person)
    .fetch_optional(&mut *tx)
    .await?;
    if open.is_some() {
        return Err(StoreError::Conflict(format!("person: {sn} is already authorised to use {}", name_of(&a))));
    }
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO social_account_users (id, account_id, person_id, authorised_from, authorised_by) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(account)
    .bind(person)
    .bind(now)
    .bind(&actor.label)
    .execute(&mut *tx)
    .await?;
    AuditEntry::new("social_account.authorise", subject(account))
        .clause("6.7")
        .after(json!({"authorisation": id, "person": format!("person:{sn}")}))
        .record(&mut tx, actor, now)
        .await?;
    Ok(tx.commit().await?)
}

pub async fn deauthorise(
    pool: &Pool<DB>,
    account: Uuid,
    authorisation: Uuid,
    Write { actor, now }: Write<'_>,
) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    let a = load(&mut tx, account).await?;
    let person: Option<Uuid> = sqlx::query_scalar(
        "UPDATE social_account_users SET authorised_to = $1, ended_reason = 'removed', ended_by = $2 \
         WHERE id = $3 AND account_id = $4 AND authorised_to IS NULL RETURNING person_id",
    )
    .bind(now)
    .bind(&actor.label)
    .bind(authorisation)
    .bind(account)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(person) = person else {
        return Err(StoreError::NotFound(format!("current authorisation {authorisation} on {}", name_of(&a))));
    };
    let sn: String =
        sqlx::query_scalar("SELECT staff_number FROM people WHERE id = $1").bind(person).fetch_one(&mut *tx).await?;
    AuditEntry::new("social_account.authorisation_ended", subject(account))
        .clause("6.7")
        .detail(json!({"authorisation": authorisation, "person": format!("person:{sn}"), "reason": "removed"}))
        .record(&mut tx, actor, now)
        .await?;
    let summary = format!("{sn} is no longer authorised but may know the log-in details");
    raise(&mut tx, &a, &SOCIAL_ROTATE_CREDENTIALS, &summary, json!({"people": [sn], "reason": "removed"}), actor, now)
        .await?;
    Ok(tx.commit().await?)
}

pub async fn recertify(pool: &Pool<DB>, account: Uuid, Write { actor, now }: Write<'_>) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    let a = in_use(&mut tx, account).await?;
    let current: Vec<String> = sqlx::query_scalar(
        "SELECT p.staff_number FROM social_account_users u JOIN people p ON p.id = u.person_id \
         WHERE u.account_id = $1 AND u.authorised_to IS NULL ORDER BY p.staff_number",
    )
    .bind(account)
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query("UPDATE social_accounts SET recertified_at = $1 WHERE id = $2")
        .bind(now)
        .bind(account)
        .execute(&mut *tx)
        .await?;
    AuditEntry::new("social_account.recertify", subject(account))
        .clause("6.7")
        .before(json!({"recertified_at": a.recertified_at.map(|t| t.unix_timestamp())}))
        .after(json!({"authorised_users": current}))
        .record(&mut tx, actor, now)
        .await?;
    settle(&mut tx, account, &SOCIAL_RECERTIFICATION_OVERDUE, "re-certified by the team manager", actor, now).await?;
    Ok(tx.commit().await?)
}

pub async fn update_profile(
    pool: &Pool<DB>,
    account: Uuid,
    profile: &str,
    url: &str,
    Write { actor, now }: Write<'_>,
) -> Result<()> {
    domain::check_url(url).map_err(|m| StoreError::Invalid(format!("url: {m}")))?;
    let mut tx = begin_write(pool).await?;
    let before = load(&mut tx, account).await?;
    if before.status == AccountStatus::Closed {
        return Err(StoreError::Conflict(format!("{} is closed", name_of(&before))));
    }
    let (profile, url) = (profile.trim(), url.trim());
    if before.profile == profile && before.url == url {
        return Ok(());
    }
    sqlx::query("UPDATE social_accounts SET profile = $1, url = $2 WHERE id = $3")
        .bind(profile)
        .bind(url)
        .bind(account)
        .execute(&mut *tx)
        .await?;
    AuditEntry::new("social_account.profile", subject(account))
        .clause("6.7")
        .before(json!({"profile": before.profile, "url": before.url}))
        .after(json!({"profile": profile, "url": url}))
        .record(&mut tx, actor, now)
        .await?;
    let after = load(&mut tx, account).await?;
    check_signposting(&mut tx, &after, actor, now).await?;
    Ok(tx.commit().await?)
}

/// Set the account's last post to `at` if later, reviving a dormant account (WP034 6.1), in the
/// caller's transaction (the publisher calls it in the one that marks a post published).
pub async fn posted(
    tx: &mut Tx<'_>,
    account: Uuid,
    at: OffsetDateTime,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<()> {
    sqlx::query(
        "UPDATE social_accounts SET last_post_at = $1 WHERE id = $2 AND (last_post_at IS NULL OR last_post_at < $1)",
    )
    .bind(at)
    .bind(account)
    .execute(&mut **tx)
    .await?;
    let revived = sqlx::query("UPDATE social_accounts SET status = 'active' WHERE id = $1 AND status = 'dormant'")
        .bind(account)
        .execute(&mut **tx)
        .await?;
    if revived.rows_affected() > 0 {
        AuditEntry::new("social_account.revive", subject(account))
            .clause("6.1")
            .before(json!({"status": "dormant"}))
            .after(json!({"status": "active"}))
            .record(tx, actor, now)
            .await?;
    }
    settle(tx, account, &SOCIAL_DORMANT, "a post was made", actor, now).await?;
    Ok(())
}

pub async fn record_post(
    pool: &Pool<DB>,
    account: Uuid,
    at: OffsetDateTime,
    Write { actor, now }: Write<'_>,
) -> Result<()> {
    if at > now {
        return Err(StoreError::Invalid("at: a post cannot be recorded in the future".into()));
    }
    let mut tx = begin_write(pool).await?;
    in_use(&mut tx, account).await?;
    AuditEntry::new("social_account.post_recorded", subject(account))
        .clause("6.1")
        .after(json!({"at": at.unix_timestamp()}))
        .record(&mut tx, actor, now)
        .await?;
    posted(&mut tx, account, at, actor, now).await?;
    Ok(tx.commit().await?)
}

pub async fn close(pool: &Pool<DB>, account: Uuid, reason: &str, Write { actor, now }: Write<'_>) -> Result<()> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::Invalid("reason: say why the account closes".into()));
    }
    let mut tx = begin_write(pool).await?;
    let a = load(&mut tx, account).await?;
    if !a.status.in_use() {
        return Err(StoreError::Conflict(format!("{} is {}", name_of(&a), a.status.label().to_lowercase())));
    }
    sqlx::query("UPDATE social_accounts SET status = 'closed', closed_at = $1, closed_reason = $2 WHERE id = $3")
        .bind(now)
        .bind(reason)
        .bind(account)
        .execute(&mut *tx)
        .await?;
    let ended: Vec<Uuid> = sqlx::query_scalar(
        "UPDATE social_account_users SET authorised_to = $1, ended_reason = 'account_closed', ended_by = $2 \
         WHERE account_id = $3 AND authorised_to IS NULL RETURNING id",
    )
    .bind(now)
    .bind(&actor.label)
    .bind(account)
    .fetch_all(&mut *tx)
    .await?;
    AuditEntry::new("social_account.close", subject(account))
        .clause("6.6")
        .justification(reason)
        .before(json!({"status": a.status.as_str()}))
        .after(json!({"status": "closed", "authorisations_ended": ended}))
        .record(&mut tx, actor, now)
        .await?;
    for rule in domain::SOCIAL_RULES {
        settle(&mut tx, account, rule, "account closed", actor, now).await?;
    }
    Ok(tx.commit().await?)
}

pub async fn task_done(
    pool: &Pool<DB>,
    account: Uuid,
    task: Uuid,
    outcome: &str,
    Write { actor, now }: Write<'_>,
) -> Result<()> {
    let outcome = outcome.trim();
    if outcome.is_empty() {
        return Err(StoreError::Invalid("outcome: say what was done".into()));
    }
    let mut tx = begin_write(pool).await?;
    let rule: Option<(String, String)> =
        sqlx::query_as("SELECT rule, status FROM social_account_tasks WHERE id = $1 AND account_id = $2")
            .bind(task)
            .bind(account)
            .fetch_optional(&mut *tx)
            .await?;
    match rule {
        None => return Err(StoreError::NotFound(format!("task {task}"))),
        Some((_, status)) if status != "open" => return Err(StoreError::Conflict("this task is already done".into())),
        Some((rule, _)) if rule != SOCIAL_ROTATE_CREDENTIALS.id => {
            return Err(StoreError::Conflict(format!(
                "a {rule} task closes by itself when its cause goes (re-certify, fix the profile, or post)"
            )));
        }
        Some(_) => {}
    }
    settle(&mut tx, account, &SOCIAL_ROTATE_CREDENTIALS, outcome, actor, now).await?;
    Ok(tx.commit().await?)
}

/// Raise what is due: re-certification (6.7) on active and dormant accounts, dormancy (6.1) on
/// active ones, each once while open.
pub async fn sweep(pool: &Pool<DB>, params: RegisterParams, Write { actor, now }: Write<'_>) -> Result<SweepSummary> {
    let mut tx = begin_write(pool).await?;
    let sql = format!("{ACCOUNT_SELECT} WHERE a.status IN ('active', 'dormant')");
    let accounts: Vec<RegisterAccount> = sqlx::query_as(&sql).fetch_all(&mut *tx).await?;
    let mut sum = SweepSummary::default();
    for a in &accounts {
        let due = domain::recertification_due(a.certified_since(), params.recertify_every_days);
        if now > due {
            let summary = format!(
                "The list of authorised users was due for re-certification on {} (every {} days)",
                due.date(),
                params.recertify_every_days
            );
            let detail = json!({"due": due.unix_timestamp(), "every_days": params.recertify_every_days});
            if raise(&mut tx, a, &SOCIAL_RECERTIFICATION_OVERDUE, &summary, detail, actor, now).await? {
                sum.recertification_overdue += 1;
            }
        }
        if a.status == AccountStatus::Active && domain::is_dormant(a.posted_since(), now, params.dormant_after_days) {
            sqlx::query("UPDATE social_accounts SET status = 'dormant' WHERE id = $1 AND status = 'active'")
                .bind(a.id)
                .execute(&mut *tx)
                .await?;
            AuditEntry::new("social_account.dormant", subject(a.id))
                .clause("6.1")
                .before(json!({"status": "active"}))
                .after(json!({"status": "dormant", "posted_since": a.posted_since().unix_timestamp()}))
                .record(&mut tx, actor, now)
                .await?;
            let summary = format!(
                "No post since {} (more than {} days): revive the account or close it",
                a.posted_since().date(),
                params.dormant_after_days
            );
            let detail =
                json!({"posted_since": a.posted_since().unix_timestamp(), "after_days": params.dormant_after_days});
            if raise(&mut tx, a, &SOCIAL_DORMANT, &summary, detail, actor, now).await? {
                sum.dormant += 1;
            }
        }
    }
    tx.commit().await?;
    Ok(sum)
}

// ---- movers and leavers ---------------------------------------------------------------------

/// A person the people import ends authorisations for: a leaver, or a mover with the name of
/// their new business area (authorisations on accounts of that team stay).
pub struct Ending<'a> {
    pub person: Uuid,
    pub staff_number: &'a str,
    pub reason: EndedReason,
    pub new_team: Option<&'a str>,
}

/// End the authorisations of leavers and movers in the people import's transaction (WP034 6.7,
/// 9.1): each open authorisation ends with `left` or `moved`, and every account one of them
/// could use gets a `social.rotate_credentials` task for Corporate Communications (one open task
/// per account: a second leaver adds to the audit trail, not a second task). Returns the audit
/// events for the caller to append with its own. One query per chunk of people when none of them
/// is an authorised user, so a large import costs next to nothing.
pub async fn end_for_people(tx: &mut Tx<'_>, people: &[Ending<'_>], now: OffsetDateTime) -> Result<Vec<AuditEntry>> {
    let by_id: HashMap<Uuid, &Ending> = people.iter().map(|e| (e.person, e)).collect();
    // (authorisation, account, person, owning team)
    let mut open: Vec<(Uuid, Uuid, Uuid, String)> = Vec::new();
    for chunk in people.chunks(chunk_rows(1).saturating_sub(1).max(1)) {
        let mut q = sqlx::QueryBuilder::<DB>::new(
            "SELECT u.id, u.account_id, u.person_id, a.owning_team FROM social_account_users u \
             JOIN social_accounts a ON a.id = u.account_id WHERE u.authorised_to IS NULL AND u.person_id IN (",
        );
        let mut list = q.separated(", ");
        for e in chunk {
            list.push_bind(e.person);
        }
        q.push(")");
        open.extend(q.build_query_as::<(Uuid, Uuid, Uuid, String)>().persistent(false).fetch_all(&mut **tx).await?);
    }
    let ending: Vec<(Uuid, Uuid, &Ending)> = open
        .iter()
        .filter_map(|(id, account, person, team)| {
            let e = by_id.get(person)?;
            (e.reason != EndedReason::Moved || e.new_team != Some(team.as_str())).then_some((*id, *account, *e))
        })
        .collect();
    if ending.is_empty() {
        return Ok(Vec::new());
    }
    for reason in [EndedReason::Left, EndedReason::Moved] {
        let ids: Vec<Uuid> = ending.iter().filter(|(_, _, e)| e.reason == reason).map(|(id, _, _)| *id).collect();
        for chunk in ids.chunks(chunk_rows(1).saturating_sub(3).max(1)) {
            let mut q = sqlx::QueryBuilder::<DB>::new("UPDATE social_account_users SET authorised_to = ");
            q.push_bind(now).push(", ended_reason = ").push_bind(reason.as_str());
            q.push(", ended_by = 'import:people' WHERE authorised_to IS NULL AND id IN (");
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            q.push(")");
            q.build().persistent(false).execute(&mut **tx).await?;
        }
    }
    let mut events = Vec::new();
    let mut by_account: Vec<(Uuid, Vec<(&str, EndedReason)>)> = Vec::new();
    for (id, account, e) in &ending {
        events.push(AuditEntry::new("social_account.authorisation_ended", subject(*account)).clause("6.7").detail(
            json!({
                "authorisation": id, "person": format!("person:{}", e.staff_number), "reason": e.reason.as_str(),
                "by": "import",
            }),
        ));
        match by_account.iter_mut().find(|(a, _)| a == account) {
            Some((_, v)) => v.push((e.staff_number, e.reason)),
            None => by_account.push((*account, vec![(e.staff_number, e.reason)])),
        }
    }
    // The rotation tasks: one open task per account.
    let keys: Vec<String> = by_account.iter().map(|(a, _)| open_key(*a, &SOCIAL_ROTATE_CREDENTIALS)).collect();
    let mut already: HashSet<String> = HashSet::new();
    for chunk in keys.chunks(chunk_rows(1).saturating_sub(1).max(1)) {
        let mut q = sqlx::QueryBuilder::<DB>::new("SELECT open_key FROM social_account_tasks WHERE open_key IN (");
        let mut list = q.separated(", ");
        for k in chunk {
            list.push_bind(k.as_str());
        }
        q.push(")");
        already.extend(q.build_query_scalar::<String>().persistent(false).fetch_all(&mut **tx).await?);
    }
    let assignee = domain::assignee(&SOCIAL_ROTATE_CREDENTIALS);
    let mut new_tasks: Vec<(Uuid, Uuid, String, String, String)> = Vec::new();
    for ((account, who), key) in by_account.iter().zip(keys) {
        let names: Vec<String> = who.iter().map(|(sn, r)| format!("{sn} ({})", r.label().to_lowercase())).collect();
        let summary = format!("Change the log-in details: {} could use the account", names.join(", "));
        let detail = json!({"people": who.iter().map(|(sn, r)| json!({"person": sn, "reason": r.as_str()})).collect::<Vec<_>>()});
        if already.contains(&key) {
            events.push(
                AuditEntry::new("social_account.task_raised", subject(*account))
                    .clause(SOCIAL_ROTATE_CREDENTIALS.clause)
                    .detail(json!({"rule": SOCIAL_ROTATE_CREDENTIALS.id, "already_open": true, "summary": summary, "detail": detail})),
            );
            continue;
        }
        let task = Uuid::now_v7();
        events.push(AuditEntry::new("social_account.task_raised", subject(*account)).clause(SOCIAL_ROTATE_CREDENTIALS.clause).detail(
            json!({"task": task, "rule": SOCIAL_ROTATE_CREDENTIALS.id, "assignee": assignee.as_str(), "summary": summary, "detail": detail}),
        ));
        new_tasks.push((task, *account, key, summary, detail.to_string()));
    }
    for chunk in new_tasks.chunks(chunk_rows(10)) {
        let mut q = sqlx::QueryBuilder::<DB>::new(
            "INSERT INTO social_account_tasks (id, account_id, rule, clause, assignee, summary, detail, status, open_key, opened_at) ",
        );
        q.push_values(chunk, |mut b, (task, account, key, summary, detail)| {
            b.push_bind(*task)
                .push_bind(*account)
                .push_bind(SOCIAL_ROTATE_CREDENTIALS.id)
                .push_bind(SOCIAL_ROTATE_CREDENTIALS.clause)
                .push_bind(assignee.as_str())
                .push_bind(summary.as_str())
                .push_bind(detail.as_str())
                .push_bind("open")
                .push_bind(key.as_str())
                .push_bind(now);
        });
        q.build().persistent(false).execute(&mut **tx).await?;
    }
    // Corporate Communications are told of each new task (few: only accounts a leaver could use).
    for (_, account, _, summary, _) in &new_tasks {
        let a = load(tx, *account).await?;
        notify_task(tx, &a, &SOCIAL_ROTATE_CREDENTIALS, summary, now).await?;
    }
    Ok(events)
}

// ---- import ---------------------------------------------------------------------------------

/// Import accounts, all or nothing (see `Store::social_import`).
pub async fn import(
    pool: &Pool<DB>,
    rows: &[AccountRow],
    Write { actor, now }: Write<'_>,
) -> Result<std::result::Result<AccountImportSummary, Vec<RowError>>> {
    let mut tx = begin_write(pool).await?;
    // Everyone the file names, in one query per chunk.
    let mut wanted: Vec<&str> = rows
        .iter()
        .flat_map(|r| std::iter::once(r.team_manager.as_str()).chain(r.authorised_users.iter().map(String::as_str)))
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut people: HashMap<String, (Uuid, String)> = HashMap::new();
    for chunk in wanted.chunks(chunk_rows(1).saturating_sub(1).max(1)) {
        let mut q =
            sqlx::QueryBuilder::<DB>::new("SELECT staff_number, id, status FROM people WHERE staff_number IN (");
        let mut list = q.separated(", ");
        for sn in chunk {
            list.push_bind(*sn);
        }
        q.push(")");
        for (sn, id, status) in
            q.build_query_as::<(String, Uuid, String)>().persistent(false).fetch_all(&mut *tx).await?
        {
            people.insert(sn, (id, status));
        }
    }
    let mut errors = Vec::new();
    let mut check = |line: u64, field: &str, sn: &str| -> Option<Uuid> {
        match people.get(sn) {
            None => {
                errors.push(RowError {
                    line,
                    field: Some(field.into()),
                    message: format!("no person with staff number {sn}"),
                });
                None
            }
            Some((_, status)) if status != "active" => {
                errors.push(RowError { line, field: Some(field.into()), message: format!("{sn} has left the force") });
                None
            }
            Some((id, _)) => Some(*id),
        }
    };
    let mut resolved: Vec<(Uuid, Vec<(Uuid, &str)>)> = Vec::with_capacity(rows.len());
    for r in rows {
        let tm = check(r.line, "team_manager", &r.team_manager);
        let users: Vec<(Uuid, &str)> = r
            .authorised_users
            .iter()
            .filter_map(|sn| check(r.line, "authorised_users", sn).map(|id| (id, sn.as_str())))
            .collect();
        resolved.push((tm.unwrap_or(Uuid::nil()), users));
    }
    // The account that holds the handle: a refused or withdrawn request never became one.
    let sql = format!(
        "{ACCOUNT_SELECT} WHERE a.platform = $1 AND a.handle = $2 AND a.status NOT IN ('refused', 'withdrawn')"
    );
    let mut existing: Vec<Option<RegisterAccount>> = Vec::with_capacity(rows.len());
    for r in rows {
        let a: Option<RegisterAccount> =
            sqlx::query_as(&sql).bind(r.platform.as_str()).bind(&r.handle).fetch_optional(&mut *tx).await?;
        if let Some(a) = &a
            && !a.status.in_use()
        {
            errors.push(RowError {
                line: r.line,
                field: Some("handle".into()),
                message: format!(
                    "{} is {} in the register; the import changes only active and dormant accounts",
                    name_of(a),
                    a.status.as_str()
                ),
            });
        }
        existing.push(a);
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Ok(Err(errors));
    }
    let mut sum = AccountImportSummary { rows: rows.len(), ..Default::default() };
    for ((r, (tm, users)), before) in rows.iter().zip(&resolved).zip(existing) {
        let snapshot = json!({"platform": r.platform.as_str(), "handle": r.handle, "url": r.url, "owning_team": r.team,
            "team_manager": r.team_manager, "kind": r.kind.as_str(), "profile": r.profile});
        let id = match &before {
            None => {
                let id = Uuid::now_v7();
                sqlx::query(
                    "INSERT INTO social_accounts (id, platform, handle, owning_team, comms_approval, corporate, created_at, \
                     created_by, team_manager_id, status, url, profile, active_since) \
                     VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8, 'active', $9, $10, $6)",
                )
                .bind(id)
                .bind(r.platform.as_str())
                .bind(&r.handle)
                .bind(&r.team)
                .bind(i64::from(r.kind.is_corporate()))
                .bind(now)
                .bind(&actor.label)
                .bind(*tm)
                .bind(&r.url)
                .bind(&r.profile)
                .execute(&mut *tx)
                .await
                .map_err(|e| super::people::line_err(r.line, e))?;
                AuditEntry::new("social_account.create", subject(id))
                    .clause("6.6")
                    .after(snapshot)
                    .detail(json!({"by": "import", "line": r.line}))
                    .record(&mut tx, actor, now)
                    .await?;
                sum.created += 1;
                id
            }
            Some(a) => {
                let was = json!({"platform": a.platform.as_str(), "handle": a.handle, "url": a.url, "owning_team": a.owning_team,
                    "team_manager": a.team_manager_staff_number, "kind": domain::AccountKind::from_corporate(a.corporate).as_str(),
                    "profile": a.profile});
                if was != snapshot {
                    sqlx::query(
                        "UPDATE social_accounts SET owning_team = $1, corporate = $2, team_manager_id = $3, url = $4, profile = $5 WHERE id = $6",
                    )
                    .bind(&r.team)
                    .bind(i64::from(r.kind.is_corporate()))
                    .bind(*tm)
                    .bind(&r.url)
                    .bind(&r.profile)
                    .bind(a.id)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| super::people::line_err(r.line, e))?;
                    AuditEntry::new("social_account.update", subject(a.id))
                        .clause("6.7")
                        .before(was)
                        .after(snapshot)
                        .detail(json!({"by": "import", "line": r.line}))
                        .record(&mut tx, actor, now)
                        .await?;
                    sum.updated += 1;
                } else {
                    sum.unchanged += 1;
                }
                a.id
            }
        };
        // The file's list is the account's list (6.7): add who is missing, end who is not listed.
        let current: Vec<(Uuid, Uuid, String)> = sqlx::query_as(
            "SELECT u.id, u.person_id, p.staff_number FROM social_account_users u JOIN people p ON p.id = u.person_id \
             WHERE u.account_id = $1 AND u.authorised_to IS NULL",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        let mut removed: Vec<String> = Vec::new();
        for (auth, person, sn) in &current {
            if !users.iter().any(|(p, _)| p == person) {
                sqlx::query(
                    "UPDATE social_account_users SET authorised_to = $1, ended_reason = 'removed', ended_by = $2 WHERE id = $3",
                )
                .bind(now)
                .bind(&actor.label)
                .bind(*auth)
                .execute(&mut *tx)
                .await?;
                AuditEntry::new("social_account.authorisation_ended", subject(id)).clause("6.7").detail(json!({
                        "authorisation": auth, "person": format!("person:{sn}"), "reason": "removed", "by": "import", "line": r.line,
                    })).record(&mut tx, actor, now)
                .await?;
                removed.push(sn.clone());
                sum.users_ended += 1;
            }
        }
        for (person, sn) in users {
            if current.iter().any(|(_, p, _)| p == person) {
                continue;
            }
            let auth = Uuid::now_v7();
            sqlx::query(
                "INSERT INTO social_account_users (id, account_id, person_id, authorised_from, authorised_by) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(auth)
            .bind(id)
            .bind(*person)
            .bind(now)
            .bind(&actor.label)
            .execute(&mut *tx)
            .await?;
            AuditEntry::new("social_account.authorise", subject(id))
                .clause("6.7")
                .after(json!({"authorisation": auth, "person": format!("person:{sn}"), "by": "import", "line": r.line}))
                .record(&mut tx, actor, now)
                .await?;
            sum.users_added += 1;
        }
        let a = load(&mut tx, id).await?;
        if !removed.is_empty() {
            let summary = format!("{} no longer authorised but may know the log-in details", removed.join(", "));
            raise(
                &mut tx,
                &a,
                &SOCIAL_ROTATE_CREDENTIALS,
                &summary,
                json!({"people": removed, "reason": "removed"}),
                actor,
                now,
            )
            .await?;
        }
        if before.as_ref().is_none_or(|b| b.profile != a.profile) {
            check_signposting(&mut tx, &a, actor, now).await?;
        }
    }
    if sum.created + sum.updated + sum.users_added + sum.users_ended > 0 {
        AuditEntry::new("import.social_accounts", "import:social_accounts")
            .clause("6.7")
            .detail(json!(sum))
            .record(&mut tx, actor, now)
            .await?;
    }
    tx.commit().await?;
    Ok(Ok(sum))
}
