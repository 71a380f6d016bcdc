//! The e-mail outbox's SQL, written once and compiled for each backend (see `backend.rs`).
//!
//! `enqueue` runs inside the transaction of the notification it e-mails (called by
//! `approvals::notify`, the one function that writes notifications), so the e-mail is committed
//! with the change that caused it, or not at all. The sender's functions are single statements
//! (claims are one `UPDATE ... RETURNING` whose `WHERE` decides who wins), so two servers never
//! hold a row at once and no advisory lock is needed. Sending is not a change of record: marking
//! rows sent or retried writes no audit event (the outbox row is the record).

use super::audit::Record;
use super::{DB, Tx, begin_write, micros};
use crate::email::*;
use crate::*;
use custodian_domain::email::{self as domain, Delivery};
use serde_json::json;
use sqlx::Pool;
use time::OffsetDateTime;
use uuid::Uuid;

const OUTBOX_COLUMNS: &str = "id, notification_id, person_id, to_address, delivery, kind, subject, body, link, status, \
    created_us, next_attempt_us, attempts, lease_holder, lease_until_us, last_error, sent_us, message_id";

/// Write the e-mail a notification owes, in the notification's transaction: to the person's
/// address as it is now, by their chosen delivery (or at once for kinds that cannot wait).
/// Nobody who has left is e-mailed.
#[allow(clippy::too_many_arguments)]
pub async fn enqueue(
    tx: &mut Tx<'_>,
    notification: Uuid,
    person: Uuid,
    kind: &str,
    title: &str,
    body: &str,
    link: Option<&str>,
    now: OffsetDateTime,
) -> Result<()> {
    if !crate::email::outbox_on() {
        return Ok(());
    }
    // One statement: the person's address and choice are read as the row is written, and
    // nothing is written for someone who has left (or has no address).
    let forced = domain::always_immediate(kind);
    sqlx::query(
        "INSERT INTO email_outbox (id, notification_id, person_id, to_address, delivery, kind, subject, body, link, \
         status, created_us, next_attempt_us, attempts) \
         SELECT $1, $2, p.id, p.email, CASE WHEN $3 THEN 'immediate' ELSE COALESCE(e.delivery, 'immediate') END, \
         $4, $5, $6, $7, 'pending', $8, $8, 0 \
         FROM people p LEFT JOIN email_preferences e ON e.person_id = p.id \
         WHERE p.id = $9 AND p.status = 'active' AND p.email <> ''",
    )
    .bind(Uuid::now_v7())
    .bind(notification)
    .bind(forced)
    .bind(kind)
    .bind(title)
    .bind(body)
    .bind(link)
    .bind(micros(now))
    .bind(person)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn preference(pool: &Pool<DB>, person: Uuid) -> Result<Delivery> {
    let d: Option<String> = sqlx::query_scalar("SELECT delivery FROM email_preferences WHERE person_id = $1")
        .bind(person)
        .fetch_optional(pool)
        .await?;
    Ok(d.and_then(|d| d.parse().ok()).unwrap_or_default())
}

/// Set a person's delivery, with its audit event in the same transaction; false if it was
/// already so (nothing written).
pub async fn set_preference(
    pool: &Pool<DB>,
    person: Uuid,
    delivery: Delivery,
    Write { actor, now }: Write<'_>,
) -> Result<bool> {
    let mut tx = begin_write(pool).await?;
    let before: Option<String> = sqlx::query_scalar("SELECT delivery FROM email_preferences WHERE person_id = $1")
        .bind(person)
        .fetch_optional(&mut *tx)
        .await?;
    let before = before.and_then(|d| d.parse::<Delivery>().ok()).unwrap_or_default();
    if before == delivery {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO email_preferences (person_id, delivery, updated_us) VALUES ($1, $2, $3) \
         ON CONFLICT (person_id) DO UPDATE SET delivery = excluded.delivery, updated_us = excluded.updated_us",
    )
    .bind(person)
    .bind(delivery.as_str())
    .bind(micros(now))
    .execute(&mut *tx)
    .await?;
    let staff: String =
        sqlx::query_scalar("SELECT staff_number FROM people WHERE id = $1").bind(person).fetch_one(&mut *tx).await?;
    AuditEntry::new("email.preference", format!("person:{staff}"))
        .before(json!({"delivery": before.as_str()}))
        .after(json!({"delivery": delivery.as_str()}))
        .detail(json!({"from": before.as_str(), "to": delivery.as_str()}))
        .record(&mut tx, actor, now)
        .await?;
    tx.commit().await?;
    Ok(true)
}

/// Lease up to `limit` immediate rows due at `now_us` to `holder` until `until_us`.
pub async fn claim_immediate(
    pool: &Pool<DB>,
    holder: &str,
    now_us: i64,
    until_us: i64,
    limit: i64,
) -> Result<Vec<OutboxRow>> {
    let sql = format!(
        "UPDATE email_outbox SET lease_holder = $1, lease_until_us = $2, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM email_outbox WHERE status = 'pending' AND delivery = 'immediate' \
           AND next_attempt_us <= $3 AND (lease_until_us IS NULL OR lease_until_us <= $3) ORDER BY id LIMIT $4) \
         AND status = 'pending' AND (lease_until_us IS NULL OR lease_until_us <= $3) \
         RETURNING {OUTBOX_COLUMNS}"
    );
    let mut rows: Vec<OutboxRow> =
        sqlx::query_as(&sql).bind(holder).bind(until_us).bind(now_us).bind(limit).fetch_all(pool).await?;
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

/// People with digest rows made before `cutoff_us` and due at `now_us`.
pub async fn digest_people(pool: &Pool<DB>, cutoff_us: i64, now_us: i64, limit: i64) -> Result<Vec<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT person_id FROM email_outbox WHERE status = 'pending' AND delivery = 'digest' \
         AND created_us < $1 AND next_attempt_us <= $2 AND (lease_until_us IS NULL OR lease_until_us <= $2) \
         ORDER BY person_id LIMIT $3",
    )
    .bind(cutoff_us)
    .bind(now_us)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// Lease every digest row of `person` made before `cutoff_us` and due at `now_us`.
pub async fn claim_digest(
    pool: &Pool<DB>,
    person: Uuid,
    holder: &str,
    cutoff_us: i64,
    now_us: i64,
    until_us: i64,
) -> Result<Vec<OutboxRow>> {
    let sql = format!(
        "UPDATE email_outbox SET lease_holder = $1, lease_until_us = $2, attempts = attempts + 1 \
         WHERE person_id = $3 AND status = 'pending' AND delivery = 'digest' AND created_us < $4 \
         AND next_attempt_us <= $5 AND (lease_until_us IS NULL OR lease_until_us <= $5) \
         RETURNING {OUTBOX_COLUMNS}"
    );
    let mut rows: Vec<OutboxRow> = sqlx::query_as(&sql)
        .bind(holder)
        .bind(until_us)
        .bind(person)
        .bind(cutoff_us)
        .bind(now_us)
        .fetch_all(pool)
        .await?;
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

/// The rows went out in the e-mail `message_id` (the server answered 250): mark them sent and
/// let go of their lease. Only rows still pending are marked (a row is sent once in the record).
pub async fn mark_sent(pool: &Pool<DB>, ids: &[Uuid], message_id: &str, now_us: i64) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    for id in ids {
        sqlx::query(
            "UPDATE email_outbox SET status = 'sent', sent_us = $1, message_id = $2, lease_until_us = NULL, \
             last_error = NULL WHERE id = $3 AND status = 'pending'",
        )
        .bind(now_us)
        .bind(message_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Sending failed: try again from `retry_at_us`, or never (`None`: the server refused it for
/// good, e.g. no such mailbox), keeping the error.
pub async fn mark_failed(pool: &Pool<DB>, ids: &[Uuid], error: &str, retry_at_us: Option<i64>) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    for id in ids {
        sqlx::query(
            "UPDATE email_outbox SET status = CASE WHEN $1 IS NULL THEN 'failed' ELSE 'pending' END, \
             next_attempt_us = COALESCE($1, next_attempt_us), lease_until_us = NULL, last_error = $2 \
             WHERE id = $3 AND status = 'pending'",
        )
        .bind(retry_at_us)
        .bind(error)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The outbox, newest first (for operators and tests).
pub async fn outbox(pool: &Pool<DB>, limit: i64) -> Result<Vec<OutboxRow>> {
    let sql = format!("SELECT {OUTBOX_COLUMNS} FROM email_outbox ORDER BY id DESC LIMIT $1");
    Ok(sqlx::query_as(&sql).bind(limit).fetch_all(pool).await?)
}
