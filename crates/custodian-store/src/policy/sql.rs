//! The policy SQL, written once and compiled for each backend (see `backend.rs`): `DB` and the
//! helpers come from the backend module this file is mounted in.
//!
//! Policy versions, their clauses and document history (WP034 10, 11).

use super::audit;
use super::{DB, begin_write};
#[allow(unused_imports)]
use crate::*;
use custodian_domain::policy::Policy;
use serde_json::json;
use sqlx::Pool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::policy::{PolicyClause, PolicyHistoryRow, PolicyImport, PolicyVersion, policy_sha256};

const VERSION_COLUMNS: &str = "id, reference, version, status, title, owner, directorate, approval_body, adopted_on, \
     next_review_on, sha256, based_on_id, approval_request_id, created_by, created_at";

fn iso(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Record a published version as the version in force (see `Store::policy_import`).
pub async fn import(
    pool: &Pool<DB>,
    policy: &Policy,
    approval_body: Option<&str>,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<PolicyImport> {
    let sha = policy_sha256(policy);
    let version = i64::from(policy.version);
    let mut tx = begin_write(pool).await?;
    let same: Option<PolicyVersion> =
        sqlx::query_as(&format!("SELECT {VERSION_COLUMNS} FROM policy_versions WHERE reference = $1 AND version = $2"))
            .bind(&policy.reference)
            .bind(version)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some(existing) = same {
        if existing.sha256 == sha {
            return Ok(PolicyImport::Unchanged(existing));
        }
        return Err(StoreError::Conflict(format!(
            "{} version {} was imported before with a different text; a changed policy needs a new version number",
            policy.reference, policy.version
        )));
    }
    let newer: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(version) FROM policy_versions WHERE reference = $1 AND status = 'adopted' AND version > $2",
    )
    .bind(&policy.reference)
    .bind(version)
    .fetch_one(&mut *tx)
    .await?;
    if let Some(newer) = newer {
        return Err(StoreError::Conflict(format!(
            "{} version {newer} is already in force; version {} is older",
            policy.reference, policy.version
        )));
    }
    let previous: Option<(Uuid, i64)> =
        sqlx::query_as("SELECT id, version FROM policy_versions WHERE reference = $1 AND status = 'adopted'")
            .bind(&policy.reference)
            .fetch_optional(&mut *tx)
            .await?;
    sqlx::query("UPDATE policy_versions SET status = 'superseded' WHERE reference = $1 AND status = 'adopted'")
        .bind(&policy.reference)
        .execute(&mut *tx)
        .await?;
    let id = Uuid::now_v7();
    let body = serde_json::to_string(policy).map_err(|e| StoreError::Invalid(e.to_string()))?;
    sqlx::query(
        "INSERT INTO policy_versions (id, reference, version, status, title, owner, directorate, approval_body, \
         adopted_on, next_review_on, body, sha256, based_on_id, approval_request_id, created_by_id, created_by, created_at) \
         VALUES ($1, $2, $3, 'adopted', $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, $13, $14, $15)",
    )
    .bind(id)
    .bind(&policy.reference)
    .bind(version)
    .bind(&policy.title)
    .bind(&policy.business_area)
    .bind(&policy.directorate)
    .bind(approval_body)
    .bind(iso(policy.initial_implementation_date))
    .bind(iso(policy.next_review_date))
    .bind(&body)
    .bind(&sha)
    .bind(previous.map(|(p, _)| p))
    .bind(actor.person_id)
    .bind(&actor.label)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    for (n, clause) in policy.clauses.iter().enumerate() {
        let items = serde_json::to_string(&clause.items).map_err(|e| StoreError::Invalid(e.to_string()))?;
        sqlx::query(
            "INSERT INTO policy_clauses (version_id, clause_id, position, section_id, text, items) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(&clause.id)
        .bind(n as i64)
        .bind(&clause.section)
        .bind(&clause.text)
        .bind(&items)
        .execute(&mut *tx)
        .await?;
    }
    for (n, row) in policy.history.iter().enumerate() {
        sqlx::query(
            "INSERT INTO policy_history (version_id, position, date_label, author, amendment, approval) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(n as i64)
        .bind(&row.date)
        .bind(&row.author)
        .bind(&row.amendment)
        .bind(&row.approval)
        .execute(&mut *tx)
        .await?;
    }
    audit::audit(
        &mut tx,
        actor,
        now,
        AuditEntry::new("policy.import", format!("policy:{} v{}", policy.reference, policy.version))
            .clause("10.1")
            .detail(json!({
                "sha256": sha,
                "clauses": policy.clauses.len(),
                "history_rows": policy.history.len(),
                "next_review_on": iso(policy.next_review_date),
                "superseded": previous.map(|(_, v)| v),
            })),
    )
    .await?;
    let out = sqlx::query_as(&format!("SELECT {VERSION_COLUMNS} FROM policy_versions WHERE id = $1"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(PolicyImport::Imported(out))
}

/// The adopted version, if any.
pub async fn in_force(pool: &Pool<DB>, reference: &str) -> Result<Option<PolicyVersion>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {VERSION_COLUMNS} FROM policy_versions WHERE reference = $1 AND status = 'adopted' \
         ORDER BY version DESC LIMIT 1"
    ))
    .bind(reference)
    .fetch_optional(pool)
    .await?)
}

/// Every version, newest first.
pub async fn versions(pool: &Pool<DB>, reference: &str) -> Result<Vec<PolicyVersion>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {VERSION_COLUMNS} FROM policy_versions WHERE reference = $1 ORDER BY version DESC"
    ))
    .bind(reference)
    .fetch_all(pool)
    .await?)
}

/// One version by id.
pub async fn version(pool: &Pool<DB>, id: Uuid) -> Result<Option<PolicyVersion>> {
    Ok(sqlx::query_as(&format!("SELECT {VERSION_COLUMNS} FROM policy_versions WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?)
}

/// A version's clauses in document order.
pub async fn clauses(pool: &Pool<DB>, version_id: Uuid) -> Result<Vec<PolicyClause>> {
    Ok(sqlx::query_as(
        "SELECT clause_id, position, section_id, text, items FROM policy_clauses WHERE version_id = $1 ORDER BY position",
    )
    .bind(version_id)
    .fetch_all(pool)
    .await?)
}

/// A version's document-history rows, oldest first.
pub async fn history(pool: &Pool<DB>, version_id: Uuid) -> Result<Vec<PolicyHistoryRow>> {
    Ok(sqlx::query_as(
        "SELECT position, date_label, author, amendment, approval FROM policy_history WHERE version_id = $1 \
         ORDER BY position",
    )
    .bind(version_id)
    .fetch_all(pool)
    .await?)
}
