//! The SQL of the comments' routing and workflow, written once and compiled for each backend
//! (see `backend.rs` and `crate::comments::workflow` for the design). WP034 6.7, 6.8, 8.2: every
//! write is one transaction with its audit events and notifications.

use std::collections::BTreeMap;

use super::comments::{evidence_of, load, snapshot};
use super::{DB, Tx, begin_read, begin_write};
use super::{approvals, audit::Record};
use crate::comments::workflow::*;
use crate::comments::{Comment, Evidence};
#[allow(unused_imports)]
use crate::*;
use custodian_domain::approvals::{Decider, add_working_days};
use custodian_domain::comments::{CommentAction, Named, ReferralOutcome, WorkflowPack, label_words, people_named};
use custodian_domain::people::Role;
use serde_json::{Value, json};
use sqlx::Pool;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// The labels that put a comment in the reply queue, most urgent first (WP034 6.7).
const REPLY_LABELS: [&str; 4] = ["emergency", "crime_report", "complaint", "question"];

const CASE_SELECT: &str = "SELECT w.id, w.comment_id, w.person_id, p.name AS person_name, \
    p.staff_number AS person_staff_number, p.line_manager_id, w.matched, w.status, w.opened_at, w.due_at, w.support, \
    w.closed_at, w.closed_by, c.body, a.handle AS account_handle, c.platform \
    FROM comment_wellbeing_cases w JOIN people p ON p.id = w.person_id JOIN comments c ON c.id = w.comment_id \
    JOIN social_accounts a ON a.id = c.account_id";

const REFERRAL_SELECT: &str = "SELECT r.id, r.comment_id, r.evidence_id, e.sha256, r.referred_at, r.outcome, \
    r.crime_reference, r.note, r.decided_at, r.decided_by, c.body, c.author_name, a.handle AS account_handle, c.platform \
    FROM comment_referrals r JOIN comment_evidence e ON e.id = r.evidence_id JOIN comments c ON c.id = r.comment_id \
    JOIN social_accounts a ON a.id = c.account_id";

const REPLY_SELECT: &str = "SELECT q.id, q.comment_id, q.account_id, a.handle AS account_handle, a.platform, \
    a.owning_team, q.label, q.due_at, q.suggested, q.status, q.sent_at, q.sent_by, q.reply, c.body, c.author_name, \
    c.url, c.received_at FROM comment_replies q JOIN comments c ON c.id = q.comment_id \
    JOIN social_accounts a ON a.id = q.account_id";

const SHIFT_SELECT: &str = "SELECT s.id, s.person_id, p.name AS person_name, p.staff_number, s.starts_at, s.ends_at, \
    s.handover FROM comms_rota s JOIN people p ON p.id = s.person_id";

const ACTION_SELECT: &str =
    "SELECT id, comment_id, evidence_id, action, advice, acted_at, acted_by FROM comment_actions";

fn subject(id: Uuid) -> String {
    format!("comment:{id}")
}

fn first_words(text: &str, n: usize) -> String {
    let t: String = text.chars().take(n).collect();
    if t.len() < text.len() { format!("{t}...") } else { t }
}

/// When a reply is due: the service level the triage pack gave the reply-queue route (minutes
/// or working days), one working day when the routes carry none.
fn reply_due(c: &Comment, now: OffsetDateTime) -> (OffsetDateTime, Vec<String>) {
    let routes: Value = serde_json::from_str(&c.routes).unwrap_or(Value::Null);
    let route = routes.as_array().and_then(|rs| rs.iter().find(|r| r["route"] == "reply_queue"));
    let replies: Vec<String> = route
        .and_then(|r| r["replies"].as_array())
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let level = route.map(|r| &r["service_level"]);
    let due = match level {
        Some(l) if l["minutes"].is_u64() => now + Duration::minutes(l["minutes"].as_i64().unwrap_or(15)),
        Some(l) if l["working_days"].is_u64() => {
            add_working_days(now, u32::try_from(l["working_days"].as_u64().unwrap_or(1)).unwrap_or(1))
        }
        _ => add_working_days(now, 1),
    };
    (due, replies)
}

/// The staff numbers the triage found on the line manager's wellbeing route, each with what
/// named them ("surname Hughes").
fn triaged_staff(c: &Comment) -> Vec<(String, String)> {
    let routes: Value = serde_json::from_str(&c.routes).unwrap_or(Value::Null);
    let Some(route) = routes.as_array().and_then(|rs| rs.iter().find(|r| r["route"] == "line_manager_wellbeing"))
    else {
        return Vec::new();
    };
    route["staff"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| {
                    let sn = s["staff_number"].as_str()?;
                    let how = s["how"].as_str().unwrap_or("name");
                    let m = s["match"].as_str().unwrap_or("");
                    Some((sn.to_string(), format!("{how} {m}")))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Route one labelled comment whose evidence was just kept, in the intake's transaction.
pub(crate) async fn route(
    tx: &mut Tx<'_>,
    c: &Comment,
    evidence: &Evidence,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<()> {
    let pack = WorkflowPack::builtin();
    let labels: Vec<&str> = c.labels.iter().map(|l| l.label.as_str()).collect();
    if labels.is_empty() {
        return Ok(());
    }
    let link = format!("/comments/{}", c.id);
    let s = subject(c.id);
    let account = format!("{} {}", c.platform.as_str(), c.account_handle);
    let excerpt = first_words(&c.body, 120);
    let label_list = labels.iter().map(|l| label_words(l)).collect::<Vec<_>>().join(", ");

    // WP034 8.2: the account holder alerts Corporate Communications, who advise.
    approvals::notify_decider(
        tx,
        &Decider::Role(Role::CorporateComms),
        Uuid::nil(),
        "comment.labelled",
        &format!("Comment on {account}: {label_list}"),
        &format!("\"{excerpt}\" was labelled {label_list}; its evidence is kept. Record your advice and the action taken (WP034 8.2)."),
        Some(&link),
        Some(&s),
        now,
    )
    .await?;

    // WP034 8.2: wellbeing first, for the named officer or member of staff.
    if pack.wellbeing_applies(&labels) {
        let rows: Vec<(Uuid, String, String, Option<Uuid>)> =
            sqlx::query_as("SELECT id, name, staff_number, line_manager_id FROM people WHERE status = 'active'")
                .fetch_all(&mut **tx)
                .await?;
        let register: Vec<Named> = rows
            .iter()
            .map(|(id, name, sn, _)| Named { id: *id, name: name.clone(), staff_number: sn.clone() })
            .collect();
        // The people the triage found with the register's names (surname, given name, collar
        // number, a misspelt surname), and those named as the workflow reads names.
        let mut named = people_named(&c.body, &register);
        for (sn, matched) in triaged_staff(c) {
            if let Some(row) = rows.iter().find(|r| r.2.eq_ignore_ascii_case(&sn))
                && !named.iter().any(|(id, _)| *id == row.0)
            {
                named.push((row.0, matched));
            }
        }
        for (person, matched) in named {
            let manager = rows.iter().find(|r| r.0 == person).and_then(|r| r.3);
            let Some(manager) = manager else {
                AuditEntry::new("comment.wellbeing_unassigned", s.clone())
                    .clause("8.2")
                    .detail(json!({"person": person, "matched": matched}))
                    .record(tx, actor, now)
                    .await?;
                approvals::notify_decider(
                    tx,
                    &Decider::Role(Role::CorporateComms),
                    Uuid::nil(),
                    "comment.wellbeing_unassigned",
                    "A comment names someone with no line manager recorded",
                    &format!("A comment on {account} names {matched}, who has no line manager in the register: arrange wellbeing support (WP034 8.2)."),
                    Some(&link),
                    Some(&s),
                    now,
                )
                .await?;
                continue;
            };
            let id = Uuid::now_v7();
            let due = add_working_days(now, pack.wellbeing.due_working_days);
            sqlx::query(
                "INSERT INTO comment_wellbeing_cases (id, comment_id, person_id, manager_id, matched, status, opened_at, due_at) \
                 VALUES ($1, $2, $3, $4, $5, 'open', $6, $7)",
            )
            .bind(id)
            .bind(c.id)
            .bind(person)
            .bind(manager)
            .bind(&matched)
            .bind(now)
            .bind(due)
            .execute(&mut **tx)
            .await?;
            AuditEntry::new("comment.wellbeing_opened", format!("comment_wellbeing:{id}"))
                .clause("8.2")
                .detail(json!({"comment": c.id, "person": person, "line_manager": manager, "matched": matched,
                           "labels": labels, "due_at": due.unix_timestamp()}))
                .record(tx, actor, now)
                .await?;
            let case_link = format!("/comments/wellbeing/{id}");
            approvals::notify(
                tx,
                manager,
                "comment.wellbeing",
                "Wellbeing: a public comment aimed at one of your team",
                &format!("A comment on {account} labelled {label_list} names {matched}. Offer wellbeing support and record it (WP034 8.2)."),
                Some(&case_link),
                Some(&format!("comment_wellbeing:{id}")),
                now,
            )
            .await?;
            approvals::notify(
                tx,
                person,
                "comment.wellbeing_told",
                "A public comment about you",
                &format!("A comment on {account} appears to be aimed at you. Its evidence is kept and your line manager has been asked to offer you support (WP034 8.2)."),
                None,
                Some(&format!("comment_wellbeing:{id}")),
                now,
            )
            .await?;
        }
    }

    // WP034 8.2: possible hate crime or malicious communications to the Resolution Centre.
    if pack.referral_applies(&labels) {
        let id = Uuid::now_v7();
        sqlx::query("INSERT INTO comment_referrals (id, comment_id, evidence_id, referred_at) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(c.id)
            .bind(evidence.id)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        let strands: Vec<&str> =
            labels.iter().copied().filter(|l| pack.referral.labels.iter().any(|x| x.as_str() == *l)).collect();
        AuditEntry::new("comment.referred", format!("comment_referral:{id}"))
            .clause("8.2")
            .detail(json!({"comment": c.id, "evidence": evidence.id, "sha256": evidence.sha256, "strands": strands}))
            .record(tx, actor, now)
            .await?;
        approvals::notify_decider(
            tx,
            &Decider::Role(Role::ResolutionCentre),
            Uuid::nil(),
            "comment.referral",
            &format!(
                "Referral: comment on {account} ({})",
                strands.iter().map(|l| label_words(l)).collect::<Vec<_>>().join(", ")
            ),
            "A public comment may be a hate crime or a malicious communication. Its evidence pack is attached to the referral; record the outcome (WP034 8.2).",
            Some(&format!("/comments/referrals/{id}")),
            Some(&format!("comment_referral:{id}")),
            now,
        )
        .await?;
    }

    // WP034 6.7: the owning team answers questions, comments and concerns.
    if let Some(label) = REPLY_LABELS.iter().find(|l| labels.contains(l)) {
        let (due, replies) = reply_due(c, now);
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO comment_replies (id, comment_id, account_id, label, due_at, suggested, status) \
             VALUES ($1, $2, $3, $4, $5, $6, 'waiting')",
        )
        .bind(id)
        .bind(c.id)
        .bind(c.account_id)
        .bind(*label)
        .bind(due)
        .bind(serde_json::to_string(&replies).unwrap_or_else(|_| "[]".into()))
        .execute(&mut **tx)
        .await?;
        AuditEntry::new("comment.reply_queued", subject(c.id))
            .clause("6.7")
            .detail(json!({"reply": id, "label": label, "account": account, "due_at": due.unix_timestamp()}))
            .record(tx, actor, now)
            .await?;
        if let Some(tm) = c.team_manager_id {
            approvals::notify(
                tx,
                tm,
                "comment.reply_due",
                &format!("Reply due on {account}"),
                &format!(
                    "A {} needs a reply on {account} by the service level (WP034 6.7): \"{excerpt}\"",
                    label_words(label).to_lowercase()
                ),
                Some("/comments/replies"),
                Some(&s),
                now,
            )
            .await?;
        }
    }

    // WP034 6.8: outside office hours, the person on call.
    if pack.out_of_hours_applies(&labels) && !pack.in_office_hours(now) {
        let on_call = on_call_tx(tx, now).await?;
        match on_call {
            Some(shift) => {
                approvals::notify(
                    tx,
                    shift.person_id,
                    "comment.out_of_hours",
                    &format!("Out of hours: {label_list} on {account}"),
                    &format!("You are on call. \"{excerpt}\" needs urgent advice (WP034 6.8)."),
                    Some(&link),
                    Some(&s),
                    now,
                )
                .await?;
                AuditEntry::new("comment.on_call_alerted", s.clone())
                    .clause("6.8")
                    .detail(json!({"person": shift.person_id, "shift": shift.id, "labels": labels}))
                    .record(tx, actor, now)
                    .await?;
            }
            None => {
                AuditEntry::new("comment.on_call_missing", s.clone())
                    .clause("6.8")
                    .detail(json!({"labels": labels}))
                    .record(tx, actor, now)
                    .await?;
            }
        }
    }
    Ok(())
}

pub async fn wellbeing_cases(pool: &Pool<DB>, manager: Uuid) -> Result<Vec<WellbeingCase>> {
    let sql = format!("{CASE_SELECT} WHERE p.line_manager_id = $1 ORDER BY w.status DESC, w.due_at, w.id");
    let rows: Vec<WellbeingCase> = sqlx::query_as(&sql).bind(manager).fetch_all(pool).await?;
    Ok(rows)
}

pub async fn wellbeing_case(pool: &Pool<DB>, id: Uuid) -> Result<Option<WellbeingCase>> {
    let sql = format!("{CASE_SELECT} WHERE w.id = $1");
    let row: Option<WellbeingCase> = sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?;
    Ok(row)
}

pub async fn wellbeing_close(pool: &Pool<DB>, id: Uuid, support: &str, Write { actor, now }: Write<'_>) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    let done = sqlx::query(
        "UPDATE comment_wellbeing_cases SET status = 'closed', support = $2, closed_at = $3, closed_by = $4 \
         WHERE id = $1 AND status = 'open'",
    )
    .bind(id)
    .bind(support)
    .bind(now)
    .bind(&actor.label)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if done == 0 {
        return Err(StoreError::Conflict(format!("wellbeing case {id} is closed already")));
    }
    AuditEntry::new("comment.wellbeing_closed", format!("comment_wellbeing:{id}"))
        .clause("8.2")
        .detail(json!({"support": support}))
        .record(&mut tx, actor, now)
        .await?;
    tx.commit().await?;
    Ok(())
}

async fn strands_of(tx: &mut Tx<'_>, comment: Uuid) -> Result<Vec<String>> {
    let pack = WorkflowPack::builtin();
    let labels: Vec<String> =
        sqlx::query_scalar("SELECT label FROM comment_labels WHERE comment_id = $1 ORDER BY label")
            .bind(comment)
            .fetch_all(&mut **tx)
            .await?;
    Ok(labels.into_iter().filter(|l| pack.referral.labels.contains(l)).collect())
}

pub async fn referrals(pool: &Pool<DB>) -> Result<Vec<Referral>> {
    let mut tx = begin_read(pool).await?;
    let sql = format!(
        "{REFERRAL_SELECT} ORDER BY CASE WHEN r.outcome IS NULL THEN 0 ELSE 1 END, r.referred_at DESC, r.id LIMIT 500"
    );
    let mut rows: Vec<Referral> = sqlx::query_as(&sql).fetch_all(&mut *tx).await?;
    for r in &mut rows {
        r.strands = strands_of(&mut tx, r.comment_id).await?;
    }
    tx.commit().await?;
    Ok(rows)
}

pub async fn referral(pool: &Pool<DB>, id: Uuid) -> Result<Option<(Referral, Comment, Evidence)>> {
    let mut tx = begin_read(pool).await?;
    let sql = format!("{REFERRAL_SELECT} WHERE r.id = $1");
    let Some(mut r) = sqlx::query_as::<_, Referral>(&sql).bind(id).fetch_optional(&mut *tx).await? else {
        return Ok(None);
    };
    r.strands = strands_of(&mut tx, r.comment_id).await?;
    let c = load(&mut tx, r.comment_id).await?;
    let e = evidence_of(&mut tx, r.comment_id).await?;
    tx.commit().await?;
    Ok(match (c, e) {
        (Some(c), Some(e)) => Some((r, c, e)),
        _ => None,
    })
}

pub async fn referral_decide(
    pool: &Pool<DB>,
    id: Uuid,
    outcome: ReferralOutcome,
    crime_reference: Option<&str>,
    note: &str,
    Write { actor, now }: Write<'_>,
) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    let done = sqlx::query(
        "UPDATE comment_referrals SET outcome = $2, crime_reference = $3, note = $4, decided_at = $5, decided_by = $6 \
         WHERE id = $1 AND outcome IS NULL",
    )
    .bind(id)
    .bind(outcome.as_str())
    .bind(crime_reference)
    .bind(note)
    .bind(now)
    .bind(&actor.label)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if done == 0 {
        let exists: Option<Uuid> = sqlx::query_scalar("SELECT id FROM comment_referrals WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        return Err(match exists {
            None => StoreError::NotFound(format!("referral {id}")),
            Some(_) => StoreError::Conflict(format!("referral {id} is decided already")),
        });
    }
    AuditEntry::new("comment.referral_decided", format!("comment_referral:{id}"))
        .clause("8.2")
        .detail(json!({"outcome": outcome.as_str(), "crime_reference": crime_reference, "note": note}))
        .record(&mut tx, actor, now)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn referral_counts(pool: &Pool<DB>) -> Result<Vec<StrandCount>> {
    let mut tx = begin_read(pool).await?;
    let rows: Vec<(OffsetDateTime, String)> = sqlx::query_as(
        "SELECT r.referred_at, l.label FROM comment_referrals r JOIN comment_labels l ON l.comment_id = r.comment_id",
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let pack = WorkflowPack::builtin();
    let mut counts: BTreeMap<(String, String), i64> = BTreeMap::new();
    for (at, label) in rows {
        if !pack.referral.labels.contains(&label) {
            continue;
        }
        let at = at.to_offset(time::UtcOffset::UTC);
        let month = format!("{:04}-{:02}", at.year(), u8::from(at.month()));
        *counts.entry((month, label)).or_default() += 1;
    }
    Ok(counts.into_iter().map(|((month, label), count)| StrandCount { month, label, count }).collect())
}

pub async fn act(
    pool: &Pool<DB>,
    comment: Uuid,
    action: CommentAction,
    advice: &str,
    Write { actor, now }: Write<'_>,
) -> Result<ActionRecord> {
    let mut tx = begin_write(pool).await?;
    let Some(c) = load(&mut tx, comment).await? else {
        return Err(StoreError::NotFound(format!("comment {comment}")));
    };
    // Evidence first (WP034 8.2): kept in this transaction when there is none yet.
    let evidence = match evidence_of(&mut tx, comment).await? {
        Some(e) => e,
        None => snapshot(&mut tx, &c, actor, now).await?,
    };
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO comment_actions (id, comment_id, evidence_id, action, advice, acted_at, acted_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(comment)
    .bind(evidence.id)
    .bind(action.as_str())
    .bind(advice)
    .bind(now)
    .bind(&actor.label)
    .execute(&mut *tx)
    .await?;
    AuditEntry::new("comment.action_recorded", subject(comment))
        .clause("8.2")
        .detail(
            json!({"action": action.as_str(), "advice": advice, "evidence": evidence.id, "sha256": evidence.sha256}),
        )
        .record(&mut tx, actor, now)
        .await?;
    tx.commit().await?;
    Ok(ActionRecord {
        id,
        comment_id: comment,
        evidence_id: evidence.id,
        action: action.as_str().into(),
        advice: advice.into(),
        acted_at: now,
        acted_by: actor.label.clone(),
    })
}

pub async fn actions_of(pool: &Pool<DB>, comment: Uuid) -> Result<Vec<ActionRecord>> {
    let sql = format!("{ACTION_SELECT} WHERE comment_id = $1 ORDER BY acted_at, id");
    let rows: Vec<ActionRecord> = sqlx::query_as(&sql).bind(comment).fetch_all(pool).await?;
    Ok(rows)
}

/// Accounts `person` manages or is authorised to use now.
const WORKS: &str = "(a.team_manager_id = $1 OR EXISTS (SELECT 1 FROM social_account_users u \
    WHERE u.account_id = a.id AND u.person_id = $1 AND u.authorised_to IS NULL))";

pub async fn replies(pool: &Pool<DB>, f: &ReplyFilter) -> Result<Vec<ReplyItem>> {
    let mut conds = Vec::new();
    if f.person.is_some() {
        conds.push(WORKS.to_string());
    }
    if f.waiting {
        conds.push("q.status = 'waiting'".into());
    }
    let filter = if conds.is_empty() { String::new() } else { format!(" WHERE {}", conds.join(" AND ")) };
    let sql = format!(
        "{REPLY_SELECT}{filter} ORDER BY CASE WHEN q.status = 'waiting' THEN 0 ELSE 1 END, q.due_at, q.id LIMIT 500"
    );
    let mut q = sqlx::query_as::<_, ReplyItem>(&sql);
    if let Some(p) = f.person {
        q = q.bind(p);
    }
    Ok(q.fetch_all(pool).await?)
}

pub async fn reply(pool: &Pool<DB>, id: Uuid) -> Result<Option<ReplyItem>> {
    let sql = format!("{REPLY_SELECT} WHERE q.id = $1");
    let row: Option<ReplyItem> = sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?;
    Ok(row)
}

pub async fn works_account(pool: &Pool<DB>, person: Uuid, account: Uuid) -> Result<bool> {
    let mut tx = begin_read(pool).await?;
    let sql = format!("SELECT COUNT(*) FROM social_accounts a WHERE a.id = $2 AND {WORKS}");
    let n: i64 = sqlx::query_scalar(&sql).bind(person).bind(account).fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok(n > 0)
}

pub async fn reply_mark_sent(pool: &Pool<DB>, id: Uuid, reply: &str, Write { actor, now }: Write<'_>) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    let row: Option<(Uuid, String, OffsetDateTime)> =
        sqlx::query_as("SELECT comment_id, status, due_at FROM comment_replies WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((comment, status, due)) = row else {
        return Err(StoreError::NotFound(format!("reply {id}")));
    };
    if status != "waiting" {
        return Err(StoreError::Conflict(format!("the reply to comment {comment} is marked sent already")));
    }
    sqlx::query("UPDATE comment_replies SET status = 'sent', sent_at = $2, sent_by = $3, reply = $4 WHERE id = $1")
        .bind(id)
        .bind(now)
        .bind(&actor.label)
        .bind(reply)
        .execute(&mut *tx)
        .await?;
    AuditEntry::new("comment.reply_sent", subject(comment))
        .clause("6.7")
        .detail(json!({"reply": id, "text": reply, "late": now > due}))
        .record(&mut tx, actor, now)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn rota(pool: &Pool<DB>, from: OffsetDateTime) -> Result<Vec<RotaShift>> {
    let sql = format!("{SHIFT_SELECT} WHERE s.ends_at > $1 ORDER BY s.starts_at, s.id LIMIT 200");
    let rows: Vec<RotaShift> = sqlx::query_as(&sql).bind(from.to_offset(time::UtcOffset::UTC)).fetch_all(pool).await?;
    Ok(rows)
}

async fn on_call_tx(tx: &mut Tx<'_>, at: OffsetDateTime) -> Result<Option<RotaShift>> {
    let sql = format!(
        "{SHIFT_SELECT} WHERE s.starts_at <= $1 AND s.ends_at > $1 AND p.status = 'active' \
         ORDER BY s.starts_at DESC, s.id DESC LIMIT 1"
    );
    Ok(sqlx::query_as(&sql).bind(at.to_offset(time::UtcOffset::UTC)).fetch_optional(&mut **tx).await?)
}

pub async fn on_call(pool: &Pool<DB>, at: OffsetDateTime) -> Result<Option<RotaShift>> {
    let mut tx = begin_read(pool).await?;
    let s = on_call_tx(&mut tx, at).await?;
    tx.commit().await?;
    Ok(s)
}

pub async fn rota_add(pool: &Pool<DB>, s: &NewShift, Write { actor, now }: Write<'_>) -> Result<Uuid> {
    let mut tx = begin_write(pool).await?;
    let cc: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM person_roles r JOIN people p ON p.id = r.person_id \
         WHERE r.person_id = $1 AND r.role = 'corporate_comms' AND p.status = 'active'",
    )
    .bind(s.person)
    .fetch_one(&mut *tx)
    .await?;
    if cc == 0 {
        return Err(StoreError::Invalid(
            "person: the rota is Corporate Communications' (WP034 6.8); this person does not hold that role".into(),
        ));
    }
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO comms_rota (id, person_id, starts_at, ends_at, handover, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(s.person)
    .bind(s.starts_at.to_offset(time::UtcOffset::UTC))
    .bind(s.ends_at.to_offset(time::UtcOffset::UTC))
    .bind(&s.handover)
    .bind(now)
    .bind(&actor.label)
    .execute(&mut *tx)
    .await?;
    AuditEntry::new("comment.rota_shift_added", format!("comms_rota:{id}"))
        .clause("6.8")
        .detail(json!({
            "person": s.person, "starts_at": s.starts_at.unix_timestamp(), "ends_at": s.ends_at.unix_timestamp(),
            "handover": s.handover
        }))
        .record(&mut tx, actor, now)
        .await?;
    tx.commit().await?;
    Ok(id)
}
