//! The policy SQL, written once and compiled for each backend (see `backend.rs`): `DB` and the
//! helpers come from the backend module this file is mounted in.
//!
//! Policy versions, their clauses and document history (WP034 10, 11).

use super::{DB, Tx, begin_write};
use super::{approvals, audit::Record};
use crate::approvals::{Decided, NewApproval};
#[allow(unused_imports)]
use crate::*;
use custodian_domain::approvals::{ChainSpec, Decider, Order, RequestStatus, StepSpec};
use custodian_domain::people::Role;
use custodian_domain::policy::Policy;
use serde_json::json;
use sqlx::Pool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::policy::{PolicyClause, PolicyHistoryRow, PolicyImport, PolicyVersion, policy_sha256};

const VERSION_COLUMNS: &str = "id, reference, version, status, title, owner, directorate, approval_body, adopted_on, \
     next_review_on, sha256, based_on_id, approval_request_id, created_by_id, created_by, created_at";

fn iso(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Record a published version as the version in force (see `Store::policy_import`).
pub async fn import(
    pool: &Pool<DB>,
    policy: &Policy,
    approval_body: Option<&str>,
    Write { actor, now }: Write<'_>,
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
    AuditEntry::new("policy.import", format!("policy:{} v{}", policy.reference, policy.version))
        .clause("10.1")
        .detail(json!({
            "sha256": sha,
            "clauses": policy.clauses.len(),
            "history_rows": policy.history.len(),
            "next_review_on": iso(policy.next_review_date),
            "superseded": previous.map(|(_, v)| v),
        }))
        .record(&mut tx, actor, now)
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

async fn version_tx(tx: &mut Tx<'_>, id: Uuid) -> Result<PolicyVersion> {
    sqlx::query_as(&format!("SELECT {VERSION_COLUMNS} FROM policy_versions WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("no policy version {id}")))
}

/// Draft the next version from the one in force: the same cover, clauses and history, to edit.
pub async fn draft(pool: &Pool<DB>, reference: &str, Write { actor, now }: Write<'_>) -> Result<PolicyVersion> {
    let mut tx = begin_write(pool).await?;
    let open: Option<i64> = sqlx::query_scalar(
        "SELECT version FROM policy_versions WHERE reference = $1 AND status IN ('draft', 'consultation', 'consulted')",
    )
    .bind(reference)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(v) = open {
        return Err(StoreError::Conflict(format!(
            "{reference} version {v} is already being drafted; finish or withdraw it first"
        )));
    }
    let base: PolicyVersion = sqlx::query_as(&format!(
        "SELECT {VERSION_COLUMNS} FROM policy_versions WHERE reference = $1 AND status = 'adopted'"
    ))
    .bind(reference)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| {
        StoreError::Conflict(format!(
            "no version of {reference} is recorded; import its text first (custodian policy import)"
        ))
    })?;
    let next: i64 =
        sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(version) FROM policy_versions WHERE reference = $1")
            .bind(reference)
            .fetch_one(&mut *tx)
            .await?
            .unwrap_or(base.version);
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO policy_versions (id, reference, version, status, title, owner, directorate, approval_body, \
         adopted_on, next_review_on, body, sha256, based_on_id, approval_request_id, created_by_id, created_by, created_at) \
         SELECT $1, reference, $2, 'draft', title, owner, directorate, NULL, NULL, next_review_on, body, '', id, NULL, $3, $4, $5 \
         FROM policy_versions WHERE id = $6",
    )
    .bind(id)
    .bind(next + 1)
    .bind(actor.person_id)
    .bind(&actor.label)
    .bind(now)
    .bind(base.id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO policy_clauses (version_id, clause_id, position, section_id, text, items) \
         SELECT $1, clause_id, position, section_id, text, items FROM policy_clauses WHERE version_id = $2",
    )
    .bind(id)
    .bind(base.id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO policy_history (version_id, position, date_label, author, amendment, approval) \
         SELECT $1, position, date_label, author, amendment, approval FROM policy_history WHERE version_id = $2",
    )
    .bind(id)
    .bind(base.id)
    .execute(&mut *tx)
    .await?;
    AuditEntry::new("policy.draft", format!("policy_version:{id}"))
        .clause("10.1")
        .detail(json!({"reference": reference, "version": next + 1, "based_on": base.version}))
        .record(&mut tx, actor, now)
        .await?;
    let out = version_tx(&mut tx, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// Set a clause's words in a draft (a new clause id adds it at the end of its section's
/// numbering); `None` removes the clause.
pub async fn edit_clause(
    pool: &Pool<DB>,
    version_id: Uuid,
    clause: &crate::policy::ClauseEdit,
    Write { actor, now }: Write<'_>,
) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    let v = version_tx(&mut tx, version_id).await?;
    if v.status != "draft" {
        return Err(StoreError::Conflict(format!(
            "version {} is {}; only a draft's clauses can be changed",
            v.version, v.status
        )));
    }
    let before: Option<(String, String)> =
        sqlx::query_as("SELECT text, items FROM policy_clauses WHERE version_id = $1 AND clause_id = $2")
            .bind(version_id)
            .bind(&clause.clause_id)
            .fetch_optional(&mut *tx)
            .await?;
    match (&clause.text, &before) {
        (None, None) => {
            return Err(StoreError::Invalid(format!(
                "clause: version {} has no clause {}",
                v.version, clause.clause_id
            )));
        }
        (None, Some(_)) => {
            sqlx::query("DELETE FROM policy_clauses WHERE version_id = $1 AND clause_id = $2")
                .bind(version_id)
                .bind(&clause.clause_id)
                .execute(&mut *tx)
                .await?;
        }
        (Some(text), Some(_)) => {
            sqlx::query("UPDATE policy_clauses SET text = $1, items = $2 WHERE version_id = $3 AND clause_id = $4")
                .bind(text)
                .bind(&clause.items)
                .bind(version_id)
                .bind(&clause.clause_id)
                .execute(&mut *tx)
                .await?;
        }
        (Some(text), None) => {
            let major = clause.clause_id.split('.').next().unwrap_or_default();
            let section = format!("{major}.0");
            let number = |s: &str| s.split('.').next().and_then(|m| m.parse::<u32>().ok()).unwrap_or(u32::MAX);
            let placed: Vec<(i64, String)> =
                sqlx::query_as("SELECT position, section_id FROM policy_clauses WHERE version_id = $1")
                    .bind(version_id)
                    .fetch_all(&mut *tx)
                    .await?;
            // Sections compare by number (10.0 comes after 9.0).
            let last = placed.iter().filter(|(_, s)| number(s) <= number(major)).map(|(p, _)| *p).max();
            // Positions are spaced by whole numbers; a new clause goes after its section's last
            // clause and the ones after it move along by one.
            let at = last.map_or(0, |p| p + 1);
            sqlx::query("UPDATE policy_clauses SET position = position + 1 WHERE version_id = $1 AND position >= $2")
                .bind(version_id)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO policy_clauses (version_id, clause_id, position, section_id, text, items) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(version_id)
            .bind(&clause.clause_id)
            .bind(at)
            .bind(&section)
            .bind(text)
            .bind(&clause.items)
            .execute(&mut *tx)
            .await?;
        }
    }
    AuditEntry::new("policy.clause.edit", format!("policy_version:{version_id}"))
            .clause("10.1")
            .before(json!({"clause": clause.clause_id, "text": before.as_ref().map(|b| &b.0), "items": before.as_ref().map(|b| &b.1)}))
            .after(json!({"clause": clause.clause_id, "text": clause.text, "items": clause.items})).record(&mut tx, actor, now)
    .await?;
    Ok(tx.commit().await?)
}

/// The approval request kind of a policy consultation.
pub const KIND: &str = "policy_version";

/// Send a draft to consultation (WP034 10.2): Corporate Communications, Digital Services and
/// Professional Standards each approve, in any order; whoever drafted or sent it decides none.
pub async fn consult(
    pool: &Pool<DB>,
    version_id: Uuid,
    requester: Uuid,
    Write { actor, now }: Write<'_>,
) -> Result<PolicyVersion> {
    let mut tx = begin_write(pool).await?;
    let v = version_tx(&mut tx, version_id).await?;
    if v.status != "draft" {
        return Err(StoreError::Conflict(format!(
            "version {} is {}; only a draft goes to consultation",
            v.version, v.status
        )));
    }
    let spec = ChainSpec::new(
        Order::AllOf,
        vec![
            StepSpec::new("corporate_comms", "10.2", Decider::Role(Role::CorporateComms)),
            StepSpec::new("digital_services", "10.2", Decider::Role(Role::DigitalServices)),
            StepSpec::new("psd", "10.2", Decider::Role(Role::Psd)),
        ],
    );
    let subject = format!("policy_version:{version_id}");
    let request = approvals::open(
        &mut tx,
        &NewApproval {
            kind: KIND.into(),
            subject: subject.clone(),
            title: format!("{} version {}: consultation", v.reference, v.version),
            link: format!("/policy/versions/{version_id}"),
            requester,
            spec,
        },
        actor,
        now,
    )
    .await?;
    let mut makers = vec![requester];
    makers.extend(v.created_by_id);
    approvals::exclude_tx(&mut tx, request, &makers, "drafted the version or sent it to consultation").await?;
    sqlx::query("UPDATE policy_versions SET status = 'consultation', approval_request_id = $1 WHERE id = $2")
        .bind(request)
        .bind(version_id)
        .execute(&mut *tx)
        .await?;
    AuditEntry::new("policy.consult", subject)
        .clause("10.2")
        .detail(json!({"approval_request": request}))
        .record(&mut tx, actor, now)
        .await?;
    let out = version_tx(&mut tx, version_id).await?;
    tx.commit().await?;
    Ok(out)
}

approval_effect!(
    /// A decided consultation moves its version: every consultee approved, 'consulted'; a
    /// rejection sends it back to 'draft'; a withdrawal too.
    kind: KIND,
    run: |tx, d, actor, now| effect(tx, d, actor, now)
);

async fn effect(tx: &mut Tx<'_>, d: &Decided, actor: &Actor, now: OffsetDateTime) -> Result<()> {
    let status = match d.request.status {
        RequestStatus::Approved => "consulted",
        RequestStatus::Rejected | RequestStatus::Withdrawn => "draft",
        RequestStatus::Pending => return Ok(()),
    };
    let done = sqlx::query(
        "UPDATE policy_versions SET status = $1 WHERE approval_request_id = $2 AND status = 'consultation'",
    )
    .bind(status)
    .bind(d.request.id)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() > 0 {
        AuditEntry::new("policy.consultation.end", d.request.subject.clone())
            .clause("10.2")
            .detail(json!({"outcome": d.request.status.as_str(), "status": status}))
            .record(tx, actor, now)
            .await?;
    }
    Ok(())
}

/// Adopt a consulted version: it becomes the version in force, with the body that approved it
/// and the date, a row in its document history, and the version before is superseded (and stays
/// readable).
pub async fn adopt(
    pool: &Pool<DB>,
    version_id: Uuid,
    a: &crate::policy::Adoption,
    Write { actor, now }: Write<'_>,
) -> Result<PolicyVersion> {
    let mut tx = begin_write(pool).await?;
    let v = version_tx(&mut tx, version_id).await?;
    if v.status != "consulted" {
        return Err(StoreError::Conflict(format!(
            "version {} is {}; it can be adopted once every consultee has approved it",
            v.version, v.status
        )));
    }
    let previous: Option<(Uuid, i64)> =
        sqlx::query_as("SELECT id, version FROM policy_versions WHERE reference = $1 AND status = 'adopted'")
            .bind(&v.reference)
            .fetch_optional(&mut *tx)
            .await?;
    sqlx::query("UPDATE policy_versions SET status = 'superseded' WHERE reference = $1 AND status = 'adopted'")
        .bind(&v.reference)
        .execute(&mut *tx)
        .await?;
    let clauses: Vec<PolicyClause> = sqlx::query_as(
        "SELECT clause_id, position, section_id, text, items FROM policy_clauses WHERE version_id = $1 ORDER BY position",
    )
    .bind(version_id)
    .fetch_all(&mut *tx)
    .await?;
    let digest = {
        use sha2::{Digest, Sha256};
        let json = serde_json::to_string(&clauses).unwrap_or_default();
        hex::encode(Sha256::digest(json.as_bytes()))
    };
    sqlx::query(
        "UPDATE policy_versions SET status = 'adopted', approval_body = $1, adopted_on = $2, next_review_on = $3, \
         sha256 = $4 WHERE id = $5",
    )
    .bind(&a.approval_body)
    .bind(iso(a.adopted_on))
    .bind(iso(a.next_review_on))
    .bind(&digest)
    .bind(version_id)
    .execute(&mut *tx)
    .await?;
    let position: Option<i64> = sqlx::query_scalar("SELECT MAX(position) FROM policy_history WHERE version_id = $1")
        .bind(version_id)
        .fetch_one(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO policy_history (version_id, position, date_label, author, amendment, approval) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(version_id)
    .bind(position.map_or(0, |p| p + 1))
    .bind(format!("{} {}", a.adopted_on.month(), a.adopted_on.year()))
    .bind(&a.author)
    .bind(&a.amendment)
    .bind(format!(
        "{} {:02}/{:02}/{}",
        a.approval_body,
        a.adopted_on.day(),
        u8::from(a.adopted_on.month()),
        a.adopted_on.year()
    ))
    .execute(&mut *tx)
    .await?;
    AuditEntry::new("policy.adopt", format!("policy_version:{version_id}"))
        .clause("10.1")
        .detail(json!({
            "reference": v.reference,
            "version": v.version,
            "approval_body": a.approval_body,
            "adopted_on": iso(a.adopted_on),
            "next_review_on": iso(a.next_review_on),
            "superseded": previous.map(|(_, n)| n),
            "sha256": digest,
        }))
        .record(&mut tx, actor, now)
        .await?;
    if let Some(c) = &a.campaign {
        let campaign = crate::policy::NewCampaign { version_id, ..c.clone() };
        super::policy_campaigns::create_tx(&mut tx, &campaign, actor, now).await?;
    }
    let out = version_tx(&mut tx, version_id).await?;
    tx.commit().await?;
    Ok(out)
}
