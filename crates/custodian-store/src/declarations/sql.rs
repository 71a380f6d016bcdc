//! The declarations' and reports' SQL (WP034 7.3, 8.1), written once and compiled for each
//! backend (see `backend.rs`).

use super::audit::Record;
use super::{DB, begin_write};
#[allow(unused_imports)]
use crate::*;
use custodian_domain::declarations::{Declaration, Outcome, Triage};
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::Pool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::declarations::{DeclarationRow, EvidenceRow, NewEvidence, NewReport, ReportEvent, ReportRow};

const DECLARATION: &str = "SELECT d.id, d.person_id, p.name, p.staff_number, d.kind, d.platform, d.counterpart, \
     d.nature, d.category, d.psd_required, d.status, d.outcome, d.conditions, d.assessed_by, d.assessed_at, \
     d.created_at FROM association_declarations d JOIN people p ON p.id = d.person_id";

const REPORT: &str = "SELECT r.id, r.reporter_id, p.name AS reporter_name, p.staff_number AS reporter_staff_number, \
     r.anonymous, r.platform, r.what, r.subject, r.description, r.status, r.outcome, r.created_at, r.closed_at \
     FROM psd_reports r JOIN people p ON p.id = r.reporter_id";

/// A declaration (or "nothing to declare"), completing the person's open re-declarations.
pub async fn make(
    pool: &Pool<DB>,
    person: Uuid,
    d: Option<&Declaration>,
    psd_required: bool,
    Write { actor, now }: Write<'_>,
) -> Result<DeclarationRow> {
    let mut tx = begin_write(pool).await?;
    let id = Uuid::now_v7();
    let campaign: Option<Uuid> = sqlx::query_scalar(
        "SELECT a.campaign_id FROM policy_acknowledgements a JOIN policy_campaigns c ON c.id = a.campaign_id \
         WHERE a.person_id = $1 AND a.acknowledged_at IS NULL AND c.kind = 'declaration' AND c.status = 'open' \
         ORDER BY c.created_at LIMIT 1",
    )
    .bind(person)
    .fetch_optional(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO association_declarations (id, person_id, kind, platform, counterpart, nature, category, \
         psd_required, campaign_id, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'submitted', $10)",
    )
    .bind(id)
    .bind(person)
    .bind(if d.is_some() { "association" } else { "nothing_to_declare" })
    .bind(d.map(|d| d.platform.as_str()))
    .bind(d.map(|d| d.counterpart.as_str()))
    .bind(d.map(|d| d.nature.as_str()))
    .bind(d.map(|d| d.category.as_str()))
    .bind(d.is_some() && psd_required)
    .bind(campaign)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let completed = sqlx::query(
        "UPDATE policy_acknowledgements SET acknowledged_at = $1 WHERE person_id = $2 AND acknowledged_at IS NULL \
         AND campaign_id IN (SELECT id FROM policy_campaigns WHERE kind = 'declaration' AND status = 'open')",
    )
    .bind(now)
    .bind(person)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    // The audit event says what kind of declaration was made and where it went, never whom it
    // names: the audit log is read by auditors, who are not assessors.
    AuditEntry::new("declaration.make", format!("declaration:{id}"))
        .clause("7.3")
        .detail(json!({
            "person": person,
            "kind": if d.is_some() { "association" } else { "nothing_to_declare" },
            "category": d.map(|d| d.category.clone()),
            "psd_required": d.is_some() && psd_required,
            "campaigns_completed": completed,
        }))
        .record(&mut tx, actor, now)
        .await?;
    let row = sqlx::query_as(&format!("{DECLARATION} WHERE d.id = $1")).bind(id).fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn of_person(pool: &Pool<DB>, person: Uuid) -> Result<Vec<DeclarationRow>> {
    Ok(sqlx::query_as(&format!("{DECLARATION} WHERE d.person_id = $1 ORDER BY d.created_at DESC"))
        .bind(person)
        .fetch_all(pool)
        .await?)
}

pub async fn queue(pool: &Pool<DB>, psd_only: bool, recent: i64) -> Result<Vec<DeclarationRow>> {
    let psd = if psd_only { " AND d.psd_required = TRUE" } else { "" };
    let mut waiting: Vec<DeclarationRow> = sqlx::query_as(&format!(
        "{DECLARATION} WHERE d.kind = 'association' AND d.status = 'submitted'{psd} ORDER BY d.created_at"
    ))
    .fetch_all(pool)
    .await?;
    let done: Vec<DeclarationRow> = sqlx::query_as(&format!(
        "{DECLARATION} WHERE d.kind = 'association' AND d.status = 'assessed'{psd} ORDER BY d.assessed_at DESC LIMIT $1"
    ))
    .bind(recent)
    .fetch_all(pool)
    .await?;
    waiting.extend(done);
    Ok(waiting)
}

pub async fn one(pool: &Pool<DB>, id: Uuid) -> Result<Option<DeclarationRow>> {
    Ok(sqlx::query_as(&format!("{DECLARATION} WHERE d.id = $1")).bind(id).fetch_optional(pool).await?)
}

pub async fn viewed(pool: &Pool<DB>, id: Uuid, reason: &str, Write { actor, now }: Write<'_>) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    AuditEntry::new("declaration.view", format!("declaration:{id}"))
        .clause("7.3")
        .detail(json!({"reason": reason}))
        .record(&mut tx, actor, now)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn assess(
    pool: &Pool<DB>,
    id: Uuid,
    outcome: Outcome,
    conditions: Option<&str>,
    assessor: Uuid,
    Write { actor, now }: Write<'_>,
) -> Result<DeclarationRow> {
    let mut tx = begin_write(pool).await?;
    let current: Option<(Uuid, String, String)> =
        sqlx::query_as("SELECT person_id, kind, status FROM association_declarations WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((person, kind, status)) = current else {
        return Err(StoreError::NotFound(format!("no declaration {id}")));
    };
    if person == assessor {
        return Err(StoreError::Conflict("nobody assesses their own declaration".into()));
    }
    if kind != "association" {
        return Err(StoreError::Conflict("\"nothing to declare\" has nothing to assess".into()));
    }
    if status != "submitted" {
        return Err(StoreError::Conflict("this declaration has already been assessed".into()));
    }
    sqlx::query(
        "UPDATE association_declarations SET status = 'assessed', outcome = $1, conditions = $2, \
         assessed_by_id = $3, assessed_by = $4, assessed_at = $5 WHERE id = $6 AND status = 'submitted'",
    )
    .bind(outcome.as_str())
    .bind(conditions)
    .bind(assessor)
    .bind(&actor.label)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    AuditEntry::new("declaration.assess", format!("declaration:{id}"))
        .clause("7.3")
        .before(json!({"status": "submitted"}))
        .after(json!({"status": "assessed", "outcome": outcome.as_str(), "conditions": conditions.is_some()}))
        .record(&mut tx, actor, now)
        .await?;
    let row = sqlx::query_as(&format!("{DECLARATION} WHERE d.id = $1")).bind(id).fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn campaign_create(
    pool: &Pool<DB>,
    reference: &str,
    title: &str,
    due_on: time::Date,
    Write { actor, now }: Write<'_>,
) -> Result<(crate::policy::Campaign, u64)> {
    let mut tx = begin_write(pool).await?;
    let version: Option<Uuid> = sqlx::query_scalar(
        "SELECT id FROM policy_versions WHERE reference = $1 AND status = 'adopted' ORDER BY version DESC LIMIT 1",
    )
    .bind(reference)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(version_id) = version else {
        return Err(StoreError::Conflict(format!(
            "no version of {reference} is recorded as in force: import the policy first"
        )));
    };
    if due_on <= now.date() {
        return Err(StoreError::Invalid("due_on: the date must be in the future".into()));
    }
    let c = crate::policy::NewCampaign {
        version_id,
        title: title.to_owned(),
        clauses: vec!["7.3-2".into()],
        areas: Vec::new(),
        roles: Vec::new(),
        due_on,
    };
    let (campaign, enrolled) = super::policy_campaigns::create_tx(&mut tx, &c, actor, now).await?;
    sqlx::query("UPDATE policy_campaigns SET kind = 'declaration' WHERE id = $1")
        .bind(campaign.id)
        .execute(&mut *tx)
        .await?;
    let campaign = crate::policy::Campaign { kind: "declaration".into(), ..campaign };
    tx.commit().await?;
    Ok((campaign, enrolled))
}

async fn event(
    tx: &mut super::Tx<'_>,
    report: Uuid,
    event: &str,
    outcome: Option<&str>,
    note: Option<&str>,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO psd_report_events (id, report_id, at, actor, event, outcome, note) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(Uuid::now_v7())
    .bind(report)
    .bind(now)
    .bind(&actor.label)
    .bind(event)
    .bind(outcome)
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn report_create(
    pool: &Pool<DB>,
    reporter: Uuid,
    r: &NewReport,
    evidence: &[NewEvidence],
    Write { actor, now }: Write<'_>,
) -> Result<ReportRow> {
    let mut tx = begin_write(pool).await?;
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO psd_reports (id, reporter_id, anonymous, platform, what, subject, description, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'received', $8)",
    )
    .bind(id)
    .bind(reporter)
    .bind(r.anonymous)
    .bind(&r.platform)
    .bind(r.what.as_str())
    .bind(r.subject.as_deref())
    .bind(&r.description)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    event(&mut tx, id, "received", None, None, actor, now).await?;
    let mut files = Vec::new();
    for e in evidence {
        let sha = hex::encode(Sha256::digest(&e.bytes));
        let size = i64::try_from(e.bytes.len()).map_err(|_| StoreError::Invalid("evidence: too large".into()))?;
        sqlx::query(
            "INSERT INTO psd_report_evidence (id, report_id, file_name, media_type, size_bytes, sha256, content, added_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(Uuid::now_v7())
        .bind(id)
        .bind(&e.file_name)
        .bind(e.media_type)
        .bind(size)
        .bind(&sha)
        .bind(&e.bytes)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        event(
            &mut tx,
            id,
            "evidence",
            None,
            Some(&format!("{} ({size} bytes, SHA-256 {sha})", e.file_name)),
            actor,
            now,
        )
        .await?;
        files.push(json!({"sha256": sha, "size": size, "type": e.media_type}));
    }
    AuditEntry::new("psd_report.create", format!("psd_report:{id}"))
        .clause("7.3")
        .detail(json!({"what": r.what.as_str(), "anonymous": r.anonymous, "evidence": files}))
        .record(&mut tx, actor, now)
        .await?;
    let row = sqlx::query_as(&format!("{REPORT} WHERE r.id = $1")).bind(id).fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn report(pool: &Pool<DB>, id: Uuid) -> Result<Option<ReportRow>> {
    Ok(sqlx::query_as(&format!("{REPORT} WHERE r.id = $1")).bind(id).fetch_optional(pool).await?)
}

pub async fn reports(pool: &Pool<DB>, open_only: bool) -> Result<Vec<ReportRow>> {
    let filter = if open_only { " WHERE r.status <> 'closed'" } else { "" };
    Ok(sqlx::query_as(&format!("{REPORT}{filter} ORDER BY r.created_at DESC")).fetch_all(pool).await?)
}

pub async fn reports_of(pool: &Pool<DB>, reporter: Uuid) -> Result<Vec<ReportRow>> {
    Ok(sqlx::query_as(&format!("{REPORT} WHERE r.reporter_id = $1 ORDER BY r.created_at DESC"))
        .bind(reporter)
        .fetch_all(pool)
        .await?)
}

const EVIDENCE: &str = "SELECT id, file_name, media_type, size_bytes, sha256, added_at FROM psd_report_evidence";

pub async fn evidence(pool: &Pool<DB>, report: Uuid) -> Result<Vec<EvidenceRow>> {
    Ok(sqlx::query_as(&format!("{EVIDENCE} WHERE report_id = $1 ORDER BY added_at, file_name"))
        .bind(report)
        .fetch_all(pool)
        .await?)
}

pub async fn evidence_file(pool: &Pool<DB>, report: Uuid, file: Uuid) -> Result<Option<(EvidenceRow, Vec<u8>)>> {
    let row: Option<EvidenceRow> = sqlx::query_as(&format!("{EVIDENCE} WHERE report_id = $1 AND id = $2"))
        .bind(report)
        .bind(file)
        .fetch_optional(pool)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let bytes: Vec<u8> =
        sqlx::query_scalar("SELECT content FROM psd_report_evidence WHERE id = $1").bind(file).fetch_one(pool).await?;
    Ok(Some((row, bytes)))
}

pub async fn events(pool: &Pool<DB>, report: Uuid) -> Result<Vec<ReportEvent>> {
    Ok(sqlx::query_as(
        "SELECT at, actor, event, outcome, note FROM psd_report_events WHERE report_id = $1 ORDER BY at, id",
    )
    .bind(report)
    .fetch_all(pool)
    .await?)
}

pub async fn report_viewed(pool: &Pool<DB>, id: Uuid, Write { actor, now }: Write<'_>) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    AuditEntry::new("psd_report.view", format!("psd_report:{id}")).clause("8.1").record(&mut tx, actor, now).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn triage(
    pool: &Pool<DB>,
    id: Uuid,
    triage: Triage,
    note: Option<&str>,
    Write { actor, now }: Write<'_>,
) -> Result<ReportRow> {
    let mut tx = begin_write(pool).await?;
    let status: Option<(String, Uuid)> = sqlx::query_as("SELECT status, reporter_id FROM psd_reports WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some((status, reporter)) = status else { return Err(StoreError::NotFound(format!("no report {id}"))) };
    if actor.person_id == Some(reporter) {
        return Err(StoreError::Conflict("nobody triages their own report".into()));
    }
    if status != "received" {
        return Err(StoreError::Conflict("this report has already been triaged".into()));
    }
    let (new_status, closed) = match triage {
        Triage::ConductAssessment => ("triaged", None),
        Triage::NoAction | Triage::ManagementAction => ("closed", Some(now)),
    };
    sqlx::query(
        "UPDATE psd_reports SET status = $1, outcome = $2, closed_at = $3 WHERE id = $4 AND status = 'received'",
    )
    .bind(new_status)
    .bind(triage.as_str())
    .bind(closed)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    event(&mut tx, id, "triaged", Some(triage.as_str()), note, actor, now).await?;
    if closed.is_some() {
        event(&mut tx, id, "closed", Some(triage.as_str()), None, actor, now).await?;
    }
    AuditEntry::new("psd_report.triage", format!("psd_report:{id}"))
        .clause("8.1")
        .before(json!({"status": "received"}))
        .after(json!({"status": new_status, "outcome": triage.as_str()}))
        .record(&mut tx, actor, now)
        .await?;
    let row = sqlx::query_as(&format!("{REPORT} WHERE r.id = $1")).bind(id).fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn close(pool: &Pool<DB>, id: Uuid, note: &str, Write { actor, now }: Write<'_>) -> Result<ReportRow> {
    let mut tx = begin_write(pool).await?;
    let done =
        sqlx::query("UPDATE psd_reports SET status = 'closed', closed_at = $1 WHERE id = $2 AND status = 'triaged'")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if done == 0 {
        let exists: Option<String> = sqlx::query_scalar("SELECT status FROM psd_reports WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        return Err(match exists {
            None => StoreError::NotFound(format!("no report {id}")),
            Some(s) => {
                StoreError::Conflict(format!("only a report under conduct assessment is closed this way (it is {s})"))
            }
        });
    }
    event(&mut tx, id, "closed", Some("conduct_assessment"), Some(note), actor, now).await?;
    AuditEntry::new("psd_report.close", format!("psd_report:{id}"))
        .clause("8.1")
        .before(json!({"status": "triaged"}))
        .after(json!({"status": "closed"}))
        .record(&mut tx, actor, now)
        .await?;
    let row = sqlx::query_as(&format!("{REPORT} WHERE r.id = $1")).bind(id).fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok(row)
}

// ----- Personal-profile checks a person chose to keep (WP034 7.1, 7.2) ------------------------

/// Keep a check: its text and advice, for the person alone. The audit event names the person
/// and the categories of advice, never the text.
pub async fn personal_check_keep(
    pool: &Pool<DB>,
    person: Uuid,
    k: &crate::declarations::NewKeptCheck,
    Write { actor, now }: Write<'_>,
) -> Result<Uuid> {
    let mut tx = begin_write(pool).await?;
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO personal_checks (id, person_id, text, advice, pack_version, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(person)
    .bind(&k.text)
    .bind(&k.advice)
    .bind(&k.pack_version)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    AuditEntry::new("profile.check.keep", format!("personal_check:{id}"))
        .clause("7.2")
        .detail(json!({"person": person, "categories": k.categories, "pack_version": k.pack_version}))
        .record(&mut tx, actor, now)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// A person's kept checks, newest first.
pub async fn personal_checks_of(pool: &Pool<DB>, person: Uuid) -> Result<Vec<crate::declarations::KeptCheck>> {
    Ok(sqlx::query_as(
        "SELECT id, text, advice, pack_version, created_at FROM personal_checks WHERE person_id = $1 \
         ORDER BY created_at DESC, id DESC",
    )
    .bind(person)
    .fetch_all(pool)
    .await?)
}

/// Delete one of a person's kept checks; `false` if they have no such check.
pub async fn personal_check_delete(
    pool: &Pool<DB>,
    id: Uuid,
    person: Uuid,
    Write { actor, now }: Write<'_>,
) -> Result<bool> {
    let mut tx = begin_write(pool).await?;
    let n = sqlx::query("DELETE FROM personal_checks WHERE id = $1 AND person_id = $2")
        .bind(id)
        .bind(person)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Ok(false);
    }
    AuditEntry::new("profile.check.delete", format!("personal_check:{id}"))
        .clause("7.2")
        .detail(json!({"person": person}))
        .record(&mut tx, actor, now)
        .await?;
    tx.commit().await?;
    Ok(true)
}
