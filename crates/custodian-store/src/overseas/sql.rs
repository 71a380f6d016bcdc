//! The overseas SQL, written once and compiled for each backend (see `backend.rs`): `DB` and the
//! helpers come from the backend module this file is mounted in.
//!
//! Overseas-use requests on the approval chain (WP034 4.2), the recorded overseas windows and
//! the streaming exceptions (4.6). See `crate::overseas` for the design.

use super::{Conn, DB, Tx, begin_write};
use super::{approvals, audit::Record, people};
use crate::approvals::{ApprovalRequest, Decided, NewApproval};
#[allow(unused_imports)]
use crate::*;
use custodian_domain::approvals::RequestStatus;
use custodian_domain::people::Role;
use serde_json::json;
use sqlx::Pool;
use time::OffsetDateTime;
use uuid::Uuid;

const OVERSEAS_SELECT: &str = "SELECT w.id, w.person_id, p.name AS person_name, p.staff_number, w.line_manager_id, \
    lm.name AS line_manager_name, w.devices, w.countries, w.from_date, w.to_date, w.purpose, w.status, w.approval_ref, \
    w.created_at, w.decided_at FROM overseas_windows w JOIN people p ON p.id = w.person_id \
    LEFT JOIN people lm ON lm.id = w.line_manager_id";

/// An overseas request read from its row, with its devices' asset tags (a device's id where it
/// is no longer in the register).
async fn with_tags(conn: &mut Conn, mut item: crate::overseas::OverseasItem) -> Result<crate::overseas::OverseasItem> {
    let mut device_tags = Vec::with_capacity(item.devices.len());
    for d in &item.devices {
        let tag: Option<String> = sqlx::query_scalar("SELECT asset_tag FROM devices WHERE id = $1")
            .bind(d)
            .fetch_optional(&mut *conn)
            .await?;
        device_tags.push(tag.unwrap_or_else(|| d.to_string()));
    }
    item.device_tags = device_tags;
    Ok(item)
}

/// Request overseas use: the window, its audit event and its approval request, in one transaction.
pub async fn request(
    pool: &Pool<DB>,
    r: &crate::overseas::NewOverseasRequest,
    Write { actor, now }: Write<'_>,
) -> Result<(Uuid, Uuid)> {
    use custodian_domain::approvals::{ChainSpec, Decider, Order, StepSpec};
    let mut tx = begin_write(pool).await?;
    let line_manager: Option<Option<Uuid>> =
        sqlx::query_scalar("SELECT line_manager_id FROM people WHERE id = $1 AND status = 'active'")
            .bind(r.person)
            .fetch_optional(&mut *tx)
            .await?;
    let line_manager = match line_manager {
        None => return Err(StoreError::NotFound(format!("active person {}", r.person))),
        Some(None) => {
            return Err(StoreError::Invalid(
                "line_manager: you have no line manager on record; WP034 4.2 needs line management approval".into(),
            ));
        }
        Some(Some(m)) => m,
    };
    let held: Vec<Uuid> =
        sqlx::query_scalar("SELECT device_id FROM allocations WHERE person_id = $1 AND ended_at IS NULL")
            .bind(r.person)
            .fetch_all(&mut *tx)
            .await?;
    if let Some(d) = r.devices.iter().find(|d| !held.contains(d)) {
        return Err(StoreError::Invalid(format!("devices: device {d} is not allocated to you")));
    }
    let id = Uuid::now_v7();
    let devices = r.devices.iter().map(Uuid::to_string).collect::<Vec<_>>().join(",");
    let countries = r.countries.join(",");
    sqlx::query(
        "INSERT INTO overseas_windows (id, person_id, devices, countries, from_date, to_date, purpose, status, approval_ref, \
         created_at, created_by, line_manager_id) VALUES ($1, $2, $3, $4, $5, $6, $7, 'requested', '', $8, $9, $10)",
    )
    .bind(id)
    .bind(r.person)
    .bind(&devices)
    .bind(&countries)
    .bind(r.from.to_string())
    .bind(r.to.to_string())
    .bind(r.purpose.trim())
    .bind(now)
    .bind(&actor.label)
    .bind(line_manager)
    .execute(&mut *tx)
    .await?;
    let subject = format!("overseas:{id}");
    AuditEntry::new("usage.overseas.request", subject.clone())
        .clause("4.2")
        .justification(r.purpose.trim())
        .after(json!({"person": r.person, "devices": devices, "countries": countries, "from": r.from.to_string(),
            "to": r.to.to_string(), "line_manager": line_manager}))
        .record(&mut tx, actor, now)
        .await?;
    let spec = ChainSpec::new(
        Order::AllOf,
        vec![
            StepSpec::new("line_manager", "4.2", Decider::Person(line_manager)),
            StepSpec::new("digital_services", "4.2", Decider::Role(Role::DigitalServices)),
            StepSpec::new("vetting", "4.2", Decider::Role(Role::Vetting)),
        ],
    );
    let approval = approvals::open(
        &mut tx,
        &NewApproval {
            kind: crate::overseas::OVERSEAS_KIND.into(),
            subject,
            title: format!("Overseas use: {} from {} to {}", r.countries.join(", "), r.from, r.to),
            link: format!("/overseas/{id}"),
            requester: r.person,
            spec,
        },
        actor,
        now,
    )
    .await?;
    sqlx::query("UPDATE overseas_windows SET approval_ref = $1 WHERE id = $2")
        .bind(approval.to_string())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok((id, approval))
}

fn window_id(subject: &str) -> Result<Uuid> {
    subject
        .strip_prefix("overseas:")
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| people::bad("overseas subject", subject))
}

/// Put the window in line with its approval request, with the audit event (WP034 4.2), in the
/// deciding (or withdrawing) transaction. Nothing happens while the request is pending.
pub async fn follow(tx: &mut Tx<'_>, r: &ApprovalRequest, actor: &Actor, now: OffsetDateTime) -> Result<()> {
    let status = crate::overseas::window_status(r.status);
    if status == "requested" {
        return Ok(());
    }
    let id = window_id(&r.subject)?;
    let res =
        sqlx::query("UPDATE overseas_windows SET status = $1, decided_at = $2 WHERE id = $3 AND status = 'requested'")
            .bind(status)
            .bind(now)
            .bind(id)
            .execute(&mut **tx)
            .await?;
    if res.rows_affected() == 0 {
        return Err(StoreError::Conflict(format!("overseas window {id} is no longer waiting for approval")));
    }
    let action = match r.status {
        RequestStatus::Approved => "usage.overseas.approve",
        RequestStatus::Rejected => "usage.overseas.reject",
        _ => "usage.overseas.withdraw",
    };
    AuditEntry::new(action, format!("overseas:{id}"))
        .clause("4.2")
        .before(json!({"status": "requested"}))
        .after(json!({"status": status, "approval": r.id}))
        .record(tx, actor, now)
        .await?;
    Ok(())
}

/// The `overseas_use` arm of `approval_effects`.
pub async fn effect(tx: &mut Tx<'_>, d: &Decided, actor: &Actor, now: OffsetDateTime) -> Result<()> {
    follow(tx, &d.request, actor, now).await
}

pub async fn list(pool: &Pool<DB>, f: &crate::overseas::OverseasFilter) -> Result<Vec<crate::overseas::OverseasItem>> {
    let sql = format!(
        "{OVERSEAS_SELECT} WHERE ($1 IS NULL OR w.person_id = $1) AND ($2 IS NULL OR w.line_manager_id = $2) \
         AND ($3 IS NULL OR w.status = $3) ORDER BY w.created_at DESC, w.id DESC"
    );
    let rows: Vec<crate::overseas::OverseasItem> =
        sqlx::query_as(&sql).bind(f.person).bind(f.line_manager).bind(f.status.as_deref()).fetch_all(pool).await?;
    let mut conn = pool.acquire().await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(with_tags(&mut conn, r).await?);
    }
    Ok(out)
}

pub async fn item(pool: &Pool<DB>, id: Uuid) -> Result<Option<crate::overseas::OverseasItem>> {
    let sql = format!("{OVERSEAS_SELECT} WHERE w.id = $1");
    let mut conn = pool.acquire().await?;
    match sqlx::query_as(&sql).bind(id).fetch_optional(&mut *conn).await? {
        Some(r) => Ok(Some(with_tags(&mut conn, r).await?)),
        None => Ok(None),
    }
}

pub async fn streaming_exceptions_list(pool: &Pool<DB>) -> Result<Vec<crate::overseas::StreamingExceptionItem>> {
    Ok(sqlx::query_as(
        "SELECT e.id, e.person_id, p.name AS person_name, p.staff_number, p.line_manager_id, e.reason, e.approver_id, \
         a.name AS approver_name, e.from_us, e.expires_us, e.created_at FROM streaming_exceptions e \
         JOIN people p ON p.id = e.person_id JOIN people a ON a.id = e.approver_id ORDER BY e.created_at DESC, e.id DESC",
    )
    .fetch_all(pool)
    .await?)
}

/// Overseas-use windows, optionally only those with one status, newest first.
pub async fn windows(pool: &Pool<DB>, status: Option<&str>) -> Result<Vec<crate::overseas::OverseasRecord>> {
    Ok(sqlx::query_as(
        "SELECT w.id, w.person_id, p.staff_number, w.devices, w.countries, w.from_date, w.to_date, w.purpose, w.status, w.approval_ref \
         FROM overseas_windows w JOIN people p ON p.id = w.person_id WHERE ($1 IS NULL OR w.status = $1) ORDER BY w.from_date DESC, w.id",
    )
    .bind(status)
    .fetch_all(pool)
    .await?)
}

/// Record an overseas-use window approved by the line manager, Digital Services and the Force
/// Vetting Unit (WP034 4.2), with the reference of that approval.
pub async fn record_window(
    pool: &Pool<DB>,
    w: &custodian_domain::usage::OverseasWindow,
    purpose: &str,
    approval_ref: &str,
    Write { actor, now }: Write<'_>,
) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    let devices = w.devices.iter().map(Uuid::to_string).collect::<Vec<_>>().join(",");
    let countries = w.countries.join(",");
    sqlx::query(
        "INSERT INTO overseas_windows (id, person_id, devices, countries, from_date, to_date, purpose, status, approval_ref, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'approved', $8, $9, $10)",
    )
    .bind(w.id)
    .bind(w.person)
    .bind(&devices)
    .bind(&countries)
    .bind(w.from.to_string())
    .bind(w.to.to_string())
    .bind(purpose)
    .bind(approval_ref)
    .bind(now)
    .bind(&actor.label)
    .execute(&mut *tx)
    .await?;
    AuditEntry::new("usage.overseas.record", format!("overseas:{}", w.id)).clause("4.2")
        .justification(purpose)
        .after(json!({"person": w.person, "devices": devices, "countries": countries, "from": w.from.to_string(), "to": w.to.to_string(), "approval_ref": approval_ref})).record(&mut tx, actor, now).await?;
    Ok(tx.commit().await?)
}

/// Record a policing-purpose exception for streaming (WP034 4.6): who, why, approver, expiry.
#[allow(clippy::too_many_arguments)]
pub async fn record_streaming_exception(
    pool: &Pool<DB>,
    id: Uuid,
    person: Uuid,
    reason: &str,
    approver: Uuid,
    from_us: i64,
    expires_us: i64,
    Write { actor, now }: Write<'_>,
) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    sqlx::query("INSERT INTO streaming_exceptions (id, person_id, reason, approver_id, from_us, expires_us, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(id)
        .bind(person)
        .bind(reason)
        .bind(approver)
        .bind(from_us)
        .bind(expires_us)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    AuditEntry::new("usage.streaming_exception.record", format!("streaming_exception:{id}"))
        .clause("4.6")
        .justification(reason)
        .after(json!({"person": person, "approver": approver, "from_us": from_us, "expires_us": expires_us}))
        .record(&mut tx, actor, now)
        .await?;
    Ok(tx.commit().await?)
}

approval_effect!(
    /// A decided overseas-use request moves its window (see [`approvals::Effect`]).
    kind: crate::overseas::OVERSEAS_KIND,
    run: |tx, d, actor, now| effect(tx, d, actor, now)
);
