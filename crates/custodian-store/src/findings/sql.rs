//! The findings SQL, written once and compiled for each backend (see `backend.rs`): `DB` and the
//! helpers come from the backend module this file is mounted in.
//!
//! Findings: raising and reviewing them.

use super::audit::Record;
use super::{DB, DbRow, LOCK_HEAD, Tx, begin_write};
#[allow(unused_imports)]
use crate::*;
use custodian_domain::findings as domain;
use custodian_domain::findings::{Consideration, FindingStatus, Outcome};
use serde_json::json;
use sqlx::{FromRow, Pool};
use time::OffsetDateTime;
use uuid::Uuid;

pub async fn tx_raise(tx: &mut Tx<'_>, f: &NewFinding, actor: &Actor, now: OffsetDateTime) -> Result<Option<Uuid>> {
    let id = Uuid::now_v7();
    let res = sqlx::query(
        "INSERT INTO findings (id, rule, clause, dedupe_key, person_id, device_id, summary, evidence, records, severity, status, opened_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', $11, $11) ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(id)
    .bind(f.rule.id)
    .bind(f.rule.clause)
    .bind(&f.dedupe_key)
    .bind(f.person_id)
    .bind(f.device_id)
    .bind(&f.summary)
    .bind(f.evidence.to_string())
    .bind(serde_json::to_string(&f.records).unwrap_or_else(|_| "[]".into()))
    .bind(f.rule.severity.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    if res.rows_affected() == 0 {
        return Ok(None);
    }
    AuditEntry::new("finding.open", format!("finding:{id}"))
        .clause(f.rule.clause)
        .after(json!({"rule": f.rule.id, "summary": f.summary, "records": f.records}))
        .record(tx, actor, now)
        .await?;
    Ok(Some(id))
}

/// Close a finding by itself (outcome `resolved`, no reviewer): a later record shows the rule
/// no longer broken. `status` is the status it had; `reasons` say which record. Audited as
/// `finding.resolve` under the rule's clause.
pub async fn tx_resolve(
    tx: &mut Tx<'_>,
    id: Uuid,
    status: &str,
    clause: &str,
    reasons: &str,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<()> {
    sqlx::query("UPDATE findings SET status = 'closed', outcome = $1, reasons = $2, updated_at = $3, closed_at = $3 WHERE id = $4 AND status <> 'closed'")
        .bind(Outcome::Resolved.as_str())
        .bind(reasons)
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    AuditEntry::new("finding.resolve", format!("finding:{id}"))
        .clause(clause)
        .justification(reasons)
        .before(json!({"status": status}))
        .after(json!({"status": FindingStatus::Closed.as_str(), "outcome": Outcome::Resolved.as_str()}))
        .record(tx, actor, now)
        .await?;
    Ok(())
}

pub async fn raise(pool: &Pool<DB>, f: &NewFinding, Write { actor, now }: Write<'_>) -> Result<Option<Uuid>> {
    let mut tx = begin_write(pool).await?;
    let id = tx_raise(&mut tx, f, actor, now).await?;
    tx.commit().await?;
    Ok(id)
}

const FINDING_SELECT: &str = "SELECT f.id, f.rule, f.clause, f.person_id, p.staff_number AS person_staff_number, \
    p.name AS person_name, p.line_manager_id AS person_line_manager_id, f.device_id, d.asset_tag AS device_asset_tag, f.summary, f.evidence, f.records, f.severity, f.status, f.outcome, \
    f.reviewer_id, f.reasons, f.opened_at, f.updated_at, f.closed_at \
    FROM findings f LEFT JOIN people p ON p.id = f.person_id LEFT JOIN devices d ON d.id = f.device_id";

fn finding_from_row(r: &DbRow) -> Result<Finding> {
    Ok(Finding::from_row(r)?)
}

pub async fn finding_by_id(pool: &Pool<DB>, id: Uuid) -> Result<Option<Finding>> {
    let sql = format!("{FINDING_SELECT} WHERE f.id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(pool).await?.as_ref().map(finding_from_row).transpose()
}

pub async fn findings_page(pool: &Pool<DB>, f: &FindingFilter, page: i64, per_page: i64) -> Result<Page<Finding>> {
    let (vis_all, vis_person) = match &f.visible_to {
        None => (true, None),
        Some(v) => (v.all, Some(v.person_id)),
    };
    // A line manager sees the findings about their people, except those for Digital Services
    // only (the rule ids are constants of the catalogue, not input).
    let ds_only = domain::DIGITAL_SERVICES_ONLY
        .iter()
        .map(|id| format!("'{}'", id.replace('\'', "")))
        .collect::<Vec<_>>()
        .join(", ");
    let cond = format!(
        "WHERE ($1 IS NULL OR f.status = $1) AND ($2 IS NULL OR f.rule = $2) AND ($3 IS NULL OR f.person_id = $3) \
        AND ($4 IS NULL OR f.device_id = $4) AND ($5 = 1 OR f.person_id = $6 OR (p.line_manager_id = $6 AND f.rule NOT IN ({ds_only})))"
    );
    let status = f.status.map(|s| s.as_str());
    let all: i64 = if vis_all { 1 } else { 0 };
    // The filter's parameters, $1 to $6 of both the count and the page.
    macro_rules! bind_filter {
        ($q:expr) => {
            $q.bind(status).bind(&f.rule).bind(f.person_id).bind(f.device_id).bind(all).bind(vis_person)
        };
    }
    let count_sql = format!("SELECT COUNT(*) FROM findings f LEFT JOIN people p ON p.id = f.person_id {cond}");
    let total: i64 = bind_filter!(sqlx::query_scalar(&count_sql)).fetch_one(pool).await?;
    let page_sql = format!("{FINDING_SELECT} {cond} ORDER BY f.opened_at DESC, f.id DESC LIMIT $7 OFFSET $8");
    let rows = bind_filter!(sqlx::query(&page_sql))
        .bind(per_page)
        .bind((page - 1).max(0).saturating_mul(per_page))
        .fetch_all(pool)
        .await?;
    let items = rows.iter().map(finding_from_row).collect::<Result<Vec<_>>>()?;
    Ok(Page { items, total, page, per_page })
}

/// Stream all findings in opening order (for `custodian findings export`).
pub async fn findings_scan<F>(pool: &Pool<DB>, mut f: F) -> Result<()>
where
    F: FnMut(Finding) -> Result<()> + Send,
{
    use futures_util::StreamExt;
    let sql = format!("{FINDING_SELECT} ORDER BY f.opened_at, f.id");
    let mut rows = sqlx::query(&sql).fetch(pool);
    while let Some(row) = rows.next().await {
        f(finding_from_row(&row?)?)?;
    }
    Ok(())
}

/// A reviewer moves a finding on (WP034 4.10: people decide, case by case).
#[allow(clippy::too_many_arguments)]
pub async fn review_finding(
    pool: &Pool<DB>,
    id: Uuid,
    to: FindingStatus,
    outcome: Option<Outcome>,
    reasons: Option<&str>,
    considerations: &[Consideration],
    reviewer: Uuid,
    Write { actor, now }: Write<'_>,
) -> Result<Finding> {
    let mut tx = begin_write(pool).await?;
    // The status is checked on what this read sees, so take the audit head's lock (which every
    // audited write takes) first: reviewers at the same moment take turns, and a finding is
    // closed once (PostgreSQL; SQLite's write transaction holds the write lock from its start).
    sqlx::query(LOCK_HEAD).fetch_one(&mut *tx).await?;
    let sql = format!("{FINDING_SELECT} WHERE f.id = $1");
    let before = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .as_ref()
        .map(finding_from_row)
        .transpose()?
        .ok_or_else(|| StoreError::NotFound(format!("finding {id}")))?;
    domain::check_review(before.status, to, reasons, before.person_id == Some(reviewer))
        .map_err(|e| StoreError::Conflict(e.to_string()))?;
    if to == FindingStatus::Closed && outcome.is_none() {
        return Err(StoreError::Invalid("outcome: choose an outcome to close the finding".into()));
    }
    let outcome = if to == FindingStatus::Closed { outcome } else { None };
    let closed_at = if to == FindingStatus::Closed { Some(now) } else { None };
    sqlx::query("UPDATE findings SET status = $1, outcome = $2, reasons = $3, reviewer_id = $4, updated_at = $5, closed_at = $6 WHERE id = $7")
        .bind(to.as_str())
        .bind(outcome.map(|o| o.as_str()))
        .bind(reasons)
        .bind(reviewer)
        .bind(now)
        .bind(closed_at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let considered: Vec<&str> = considerations.iter().map(|c| c.as_str()).collect();
    sqlx::query("INSERT INTO finding_reviews (id, finding_id, reviewer_id, status, outcome, reasons, considerations, reviewed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(Uuid::now_v7())
        .bind(id)
        .bind(reviewer)
        .bind(to.as_str())
        .bind(outcome.map(|o| o.as_str()))
        .bind(reasons)
        .bind(json!(considered).to_string())
        .bind(now)
        .execute(&mut *tx)
        .await?;
    AuditEntry::new("finding.review", format!("finding:{id}"))
        .clause("4.10")
        .justification(reasons.unwrap_or(""))
        .before(json!({"status": before.status.as_str(), "outcome": before.outcome.map(|o| o.as_str())}))
        .after(json!({"status": to.as_str(), "outcome": outcome.map(|o| o.as_str()), "considerations": considered}))
        .detail(json!({"considerations": considered}))
        .record(&mut tx, actor, now)
        .await?;
    let after = sqlx::query(&sql).bind(id).fetch_one(&mut *tx).await?;
    let after = finding_from_row(&after)?;
    tx.commit().await?;
    Ok(after)
}

pub async fn reviews_of(pool: &Pool<DB>, id: Uuid) -> Result<Vec<FindingReview>> {
    let rows = sqlx::query(
        "SELECT r.id, r.reviewer_id, p.name AS reviewer_name, p.staff_number AS reviewer_staff_number, r.status, \
         r.outcome, r.reasons, r.considerations, r.reviewed_at FROM finding_reviews r JOIN people p ON p.id = r.reviewer_id \
         WHERE r.finding_id = $1 ORDER BY r.reviewed_at, r.id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| Ok(FindingReview::from_row(r)?)).collect()
}
