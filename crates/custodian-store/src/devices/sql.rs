//! The devices SQL, written once and compiled for each backend (see `backend.rs`): `DB` and the
//! helpers come from the backend module this file is mounted in.
//!
//! Devices, allocations and their history; the device imports.

use super::audit::Record;
use super::{DB, DbRow, Tx, begin_read, begin_write, chunk_rows, micros};
use super::{audit, chunked, findings, people};
use crate::{
    Actor, Allocation, AllocationCorrected, AuditEntry, Device, DeviceEvent, DeviceFilter, ImportSummary, NewFinding,
    Page, Progress, RegisterRefs, Result, StoreError, Write, no_progress,
};
use custodian_domain::devices as domain;
use custodian_domain::devices::{DeviceStatus, DeviceType};
use custodian_domain::devices::{HistoryError, Span};
use custodian_domain::imports::{DeviceRow, IntuneDevice, RowError, intune_asset_tags, intune_device_type};
use custodian_domain::people::PersonStatus;
use serde_json::{Value, json};
use sqlx::Pool;
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

const DEVICE_SELECT: &str = "SELECT d.id, d.asset_tag, d.device_type, d.make, d.model, d.serial, d.imei, d.phone_number, \
    d.os, d.mdm_id, d.mdm_user, d.mdm_last_sync, d.status, d.holder_id, d.updated_at, h.staff_number AS holder_staff, \
    h.name AS holder_name, h.line_manager_id AS holder_lm, a.receipt_confirmed_at \
    FROM devices d LEFT JOIN people h ON h.id = d.holder_id \
    LEFT JOIN allocations a ON a.device_id = d.id AND a.ended_at IS NULL";

fn device_from_row(r: &DbRow) -> Result<Device> {
    crate::row::read(r)
}

pub fn device_snapshot(d: &Device) -> Value {
    view_snapshot(&RegisterView {
        asset_tag: &d.asset_tag,
        device_type: d.device_type,
        make: &d.make,
        model: &d.model,
        serial: d.serial.as_deref(),
        imei: d.imei.as_deref(),
        phone_number: d.phone_number.as_deref(),
        os: d.os.as_deref(),
        status: d.status,
        holder: d.holder_staff_number.as_deref(),
    })
}

pub async fn device_by_id(pool: &Pool<DB>, id: Uuid) -> Result<Option<Device>> {
    let sql = format!("{DEVICE_SELECT} WHERE d.id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(pool).await?.as_ref().map(device_from_row).transpose()
}

pub async fn device_by_asset_tag(pool: &Pool<DB>, tag: &str) -> Result<Option<Device>> {
    let sql = format!("{DEVICE_SELECT} WHERE d.asset_tag = $1");
    sqlx::query(&sql)
        .bind(tag.trim().to_ascii_uppercase())
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(device_from_row)
        .transpose()
}

pub async fn tx_device(tx: &mut Tx<'_>, id: Uuid) -> Result<Device> {
    let sql = format!("{DEVICE_SELECT} WHERE d.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(&mut **tx).await?;
    row.as_ref().map(device_from_row).transpose()?.ok_or_else(|| StoreError::NotFound(format!("device {id}")))
}

/// One page of devices in asset-tag order. `after` is a keyset cursor (the last asset tag of the
/// previous page); without it, `page` is found by walking the asset-tag index alone (a deferred
/// join), so only the rows shown are joined to holders and allocations. `total` is the count
/// to report when the caller already knows it (an unfiltered list's cached count).
pub async fn devices_list(
    pool: &Pool<DB>,
    f: &DeviceFilter,
    after: Option<&str>,
    page: i64,
    per_page: i64,
    total: Option<i64>,
) -> Result<Page<Device>> {
    // Only the filters given become SQL conditions, so the planner can use the indexes on
    // status, holder and asset tag (a generic "$1 IS NULL OR ..." form defeats them).
    let q = people::like(&f.q);
    let mut conds: Vec<String> = Vec::new();
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    if f.status.is_some() {
        conds.push(format!("d.status = {}", next()));
    }
    if f.device_type.is_some() {
        conds.push(format!("d.device_type = {}", next()));
    }
    if f.holder_id.is_some() {
        conds.push(format!("d.holder_id = {}", next()));
    }
    if q.is_some() {
        let p = next();
        conds.push(format!(
            "(lower(d.asset_tag) LIKE {p} OR lower(d.serial) LIKE {p} OR d.imei LIKE {p} OR d.phone_number LIKE {p} \
             OR lower(d.make) LIKE {p} OR lower(d.model) LIKE {p} OR lower(h.name) LIKE {p} OR lower(h.staff_number) LIKE {p})"
        ));
    }
    let cond = if conds.is_empty() { String::new() } else { format!("WHERE {}", conds.join(" AND ")) };
    let join = if q.is_some() { "LEFT JOIN people h ON h.id = d.holder_id" } else { "" };
    let (start, limit, offset) = (next(), next(), next());
    let and = if conds.is_empty() { "WHERE" } else { "AND" };
    // Where the page starts: after the cursor, or the asset tag at the offset, found on the
    // asset-tag index (and the filters) without joining every skipped row.
    let (start_cond, outer_offset) = if after.is_some() {
        (format!("{cond} {and} d.asset_tag > {start}"), format!(" OFFSET {offset}"))
    } else if q.is_some() {
        // A search is narrow already; walking its matches twice would cost more than it saves.
        (format!("{cond} {and} {start} IS NULL"), format!(" OFFSET {offset}"))
    } else {
        let sub = format!(
            "{cond} {and} d.asset_tag >= (SELECT d.asset_tag FROM devices d {join} {cond} {and} {start} IS NULL \
             ORDER BY d.asset_tag LIMIT 1 OFFSET {offset})"
        );
        (sub, String::new())
    };
    macro_rules! bind_filters {
        ($query:expr) => {{
            let mut query = $query;
            if let Some(s) = f.status {
                query = query.bind(s.as_str());
            }
            if let Some(t) = f.device_type {
                query = query.bind(t.as_str());
            }
            if let Some(h) = f.holder_id {
                query = query.bind(h);
            }
            if let Some(q) = &q {
                query = query.bind(q.clone());
            }
            query
        }};
    }
    let total: i64 = match total {
        Some(t) => t,
        None => {
            let count_sql = format!("SELECT COUNT(*) FROM devices d {join} {cond}");
            bind_filters!(sqlx::query_scalar(&count_sql)).fetch_one(pool).await?
        }
    };
    // The offset subquery repeats the filters, so they are bound twice (same numbers in SQL).
    let page_sql = format!("{DEVICE_SELECT} {start_cond} ORDER BY d.asset_tag LIMIT {limit}{outer_offset}");
    let offset_rows = if after.is_some() { 0 } else { (page - 1).max(0).saturating_mul(per_page) };
    let rows =
        bind_filters!(sqlx::query(&page_sql)).bind(after).bind(per_page).bind(offset_rows).fetch_all(pool).await?;
    let items = rows.iter().map(device_from_row).collect::<Result<Vec<_>>>()?;
    Ok(Page { items, total, page, per_page })
}

/// Mark the device search index stale (see `search.rs`), in the same transaction as a write that
/// changes what a search or its filters see: a device's fields, status or holder, or a holder's
/// name. Every server reloads its in-memory copy on its next search.
pub async fn search_sync(tx: &mut Tx<'_>) -> Result<()> {
    sqlx::query("UPDATE device_search_rev SET rev = rev + 1 WHERE id = 1").execute(&mut **tx).await?;
    Ok(())
}

/// The search index's revision (see [`search_sync`]).
pub async fn device_search_rev(pool: &Pool<DB>) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT rev FROM device_search_rev WHERE id = 1").fetch_one(pool).await?)
}

/// Every device as the search index holds it, in asset-tag order: id, asset tag, status, type,
/// holder, and the searchable fields (asset tag, serial, IMEI, phone number, make, model,
/// holder's name and staff number).
pub async fn device_search_rows(pool: &Pool<DB>) -> Result<Vec<crate::search::SearchRow>> {
    let rows = sqlx::query(
        "SELECT d.id, d.asset_tag, d.status, d.device_type, d.holder_id, d.serial, d.imei, d.phone_number, d.make, d.model, \
         h.name AS holder_name, h.staff_number AS holder_staff FROM devices d LEFT JOIN people h ON h.id = d.holder_id \
         ORDER BY d.asset_tag",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let r: SearchColumns = crate::row::read(r)?;
            Ok(crate::search::SearchRow {
                id: r.id,
                fields: [
                    r.asset_tag.clone(),
                    r.serial.unwrap_or_default(),
                    r.imei.unwrap_or_default(),
                    r.phone_number.unwrap_or_default(),
                    r.make.unwrap_or_default(),
                    r.model.unwrap_or_default(),
                    r.holder_name.unwrap_or_default(),
                    r.holder_staff.unwrap_or_default(),
                ],
                asset_tag: r.asset_tag,
                status: r.status,
                device_type: r.device_type,
                holder_id: r.holder_id,
            })
        })
        .collect()
}

/// A device as the search index reads it (see [`device_search_rows`]).
#[derive(sqlx::FromRow)]
struct SearchColumns {
    id: Uuid,
    asset_tag: String,
    #[sqlx(try_from = "String")]
    status: DeviceStatus,
    #[sqlx(try_from = "String")]
    device_type: DeviceType,
    holder_id: Option<Uuid>,
    serial: Option<String>,
    imei: Option<String>,
    phone_number: Option<String>,
    make: Option<String>,
    model: Option<String>,
    holder_name: Option<String>,
    holder_staff: Option<String>,
}

/// The devices with these ids, in asset-tag order.
pub async fn devices_by_ids(pool: &Pool<DB>, ids: &[Uuid]) -> Result<Vec<Device>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!("{DEVICE_SELECT} WHERE d.id IN ({}) ORDER BY d.asset_tag", marks.join(", "));
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(pool).await?.iter().map(device_from_row).collect()
}

pub async fn device_history(pool: &Pool<DB>, id: Uuid) -> Result<Vec<DeviceEvent>> {
    let rows = sqlx::query(
        "SELECT e.id, e.at, e.actor, e.event, e.from_status, e.to_status, e.reason, e.clause, p.staff_number, p.name \
         FROM device_events e LEFT JOIN people p ON p.id = e.person_id WHERE e.device_id = $1 ORDER BY e.at DESC, e.id DESC",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(crate::row::read).collect()
}

pub async fn allocations(pool: &Pool<DB>, device: Uuid) -> Result<Vec<Allocation>> {
    let rows = sqlx::query(
        "SELECT a.id, a.person_id, p.staff_number, p.name, a.allocated_at, a.allocated_by, a.reason, a.receipt_confirmed_at, \
         a.ended_at, a.end_reason FROM allocations a JOIN people p ON p.id = a.person_id WHERE a.device_id = $1 ORDER BY a.allocated_at DESC",
    )
    .bind(device)
    .fetch_all(pool)
    .await?;
    rows.iter().map(crate::row::read).collect()
}

#[allow(clippy::too_many_arguments)]
pub async fn device_event(
    tx: &mut Tx<'_>,
    device: Uuid,
    now: OffsetDateTime,
    actor: &Actor,
    event: &str,
    from: Option<DeviceStatus>,
    to: Option<DeviceStatus>,
    person: Option<Uuid>,
    reason: &str,
    clause: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO device_events (id, device_id, at, actor, event, from_status, to_status, person_id, reason, clause) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(Uuid::now_v7())
        .bind(device)
        .bind(now)
        .bind(&actor.label)
        .bind(event)
        .bind(from.map(|s| s.as_str()))
        .bind(to.map(|s| s.as_str()))
        .bind(person)
        .bind(reason)
        .bind(clause)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn end_allocation(tx: &mut Tx<'_>, device: Uuid, now: OffsetDateTime, actor: &Actor, reason: &str) -> Result<()> {
    sqlx::query("UPDATE allocations SET ended_at = $1, ended_by = $2, end_reason = $3 WHERE device_id = $4 AND ended_at IS NULL")
        .bind(now)
        .bind(&actor.label)
        .bind(reason)
        .bind(device)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn start_allocation(
    tx: &mut Tx<'_>,
    device: Uuid,
    person: Uuid,
    now: OffsetDateTime,
    actor: &Actor,
    reason: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO allocations (id, device_id, person_id, allocated_at, allocated_by, reason) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(Uuid::now_v7())
        .bind(device)
        .bind(person)
        .bind(now)
        .bind(&actor.label)
        .bind(reason)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn set_status(
    tx: &mut Tx<'_>,
    device: Uuid,
    to: DeviceStatus,
    holder: Option<Uuid>,
    now: OffsetDateTime,
) -> Result<()> {
    sqlx::query("UPDATE devices SET status = $1, holder_id = $2, updated_at = $3 WHERE id = $4")
        .bind(to.as_str())
        .bind(holder)
        .bind(now)
        .bind(device)
        .execute(&mut **tx)
        .await?;
    search_sync(tx).await
}

#[derive(sqlx::FromRow)]
struct StaffStatus {
    staff_number: String,
    #[sqlx(try_from = "String")]
    status: PersonStatus,
}

pub async fn active_person(tx: &mut Tx<'_>, id: Uuid) -> Result<(String, PersonStatus)> {
    let row =
        sqlx::query("SELECT staff_number, status FROM people WHERE id = $1").bind(id).fetch_optional(&mut **tx).await?;
    let row = row.ok_or_else(|| StoreError::NotFound(format!("person {id}")))?;
    let row: StaffStatus = crate::row::read(&row)?;
    Ok((row.staff_number, row.status))
}

/// Allocate a device to one named person (WP034 4.1).
pub async fn allocate(
    pool: &Pool<DB>,
    device: Uuid,
    person: Uuid,
    reason: &str,
    Write { actor, now }: Write<'_>,
) -> Result<Device> {
    let mut tx = begin_write(pool).await?;
    let before = tx_device(&mut tx, device).await?;
    domain::check_transition(before.status, DeviceStatus::Allocated, true)
        .map_err(|e| StoreError::Conflict(e.to_string()))?;
    let (_, status) = active_person(&mut tx, person).await?;
    if status != PersonStatus::Active {
        return Err(StoreError::Conflict("devices can only be allocated to active personnel (WP034 4.1)".into()));
    }
    let after = allocate_tx(&mut tx, &before, person, reason, "4.1", actor, now).await?;
    tx.commit().await?;
    Ok(after)
}

/// Allocate the device `before` describes to `person` under `clause` (the transition already
/// checked): its status and holder, the allocation, the device's event and the audit event.
pub async fn allocate_tx(
    tx: &mut Tx<'_>,
    before: &Device,
    person: Uuid,
    reason: &str,
    clause: &str,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<Device> {
    let device = before.id;
    set_status(tx, device, DeviceStatus::Allocated, Some(person), now).await?;
    start_allocation(tx, device, person, now, actor, reason).await?;
    device_event(
        tx,
        device,
        now,
        actor,
        "allocated",
        Some(before.status),
        Some(DeviceStatus::Allocated),
        Some(person),
        reason,
        clause,
    )
    .await?;
    audit_change(tx, "device.allocate", before, clause, reason, actor, now).await
}

/// The audit event of a change to the device `before` describes (its state before and after,
/// the clause and the reason), and the device as it is now.
async fn audit_change(
    tx: &mut Tx<'_>,
    action: &str,
    before: &Device,
    clause: &str,
    reason: &str,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<Device> {
    let after = tx_device(tx, before.id).await?;
    AuditEntry::new(action, format!("device:{}", before.asset_tag))
        .clause(clause)
        .justification(reason)
        .before(device_snapshot(before))
        .after(device_snapshot(&after))
        .record(tx, actor, now)
        .await?;
    Ok(after)
}

/// Move a device to another state: returned, lost, stolen, damaged, in repair, in examination,
/// in stock or retired (WP034 4.7, 5.4). Leaving `allocated` ends the current allocation.
pub async fn transition(
    pool: &Pool<DB>,
    device: Uuid,
    to: DeviceStatus,
    reason: &str,
    Write { actor, now }: Write<'_>,
) -> Result<Device> {
    let mut tx = begin_write(pool).await?;
    let d = tx_transition(&mut tx, device, to, reason, actor, now, "transition").await?;
    tx.commit().await?;
    Ok(d)
}

pub async fn tx_transition(
    tx: &mut Tx<'_>,
    device: Uuid,
    to: DeviceStatus,
    reason: &str,
    actor: &Actor,
    now: OffsetDateTime,
    how: &str,
) -> Result<Device> {
    if reason.trim().is_empty() {
        return Err(StoreError::invalid("reason", "give a reason for the change"));
    }
    let before = tx_device(tx, device).await?;
    domain::check_transition(before.status, to, false).map_err(|e| StoreError::Conflict(e.to_string()))?;
    if before.status == DeviceStatus::Allocated {
        end_allocation(tx, device, now, actor, reason).await?;
    }
    set_status(tx, device, to, None, now).await?;
    let clause = domain::clause_for(to);
    device_event(tx, device, now, actor, to.as_str(), Some(before.status), Some(to), before.holder_id, reason, clause)
        .await?;
    audit_change(tx, &format!("device.{how}"), &before, clause, reason, actor, now).await
}

/// The holder confirms receipt, accepting responsibility for the device (WP034 4.1, 4.7).
pub async fn confirm_receipt(
    pool: &Pool<DB>,
    device: Uuid,
    person: Uuid,
    Write { actor, now }: Write<'_>,
) -> Result<Device> {
    let mut tx = begin_write(pool).await?;
    let d = tx_device(&mut tx, device).await?;
    if d.holder_id != Some(person) {
        return Err(StoreError::Conflict("only the device's holder can confirm receipt".into()));
    }
    if d.receipt_confirmed_at.is_some() {
        return Err(StoreError::Conflict("receipt is already confirmed".into()));
    }
    sqlx::query("UPDATE allocations SET receipt_confirmed_at = $1 WHERE device_id = $2 AND ended_at IS NULL")
        .bind(now)
        .bind(device)
        .execute(&mut *tx)
        .await?;
    let reason = "Holder confirmed receipt and accepted responsibility for the device's use and care";
    device_event(&mut tx, device, now, actor, "receipt_confirmed", None, None, Some(person), reason, "4.7").await?;
    AuditEntry::new("device.confirm_receipt", format!("device:{}", d.asset_tag))
        .clause("4.1")
        .record(&mut tx, actor, now)
        .await?;
    let after = tx_device(&mut tx, device).await?;
    tx.commit().await?;
    Ok(after)
}

/// The holder reports their device lost or stolen (WP034 4.7); Digital Services are alerted by
/// a finding routed to them.
pub async fn report_loss(
    pool: &Pool<DB>,
    device: Uuid,
    person: Uuid,
    stolen: bool,
    circumstances: &str,
    Write { actor, now }: Write<'_>,
) -> Result<(Device, Uuid)> {
    let mut tx = begin_write(pool).await?;
    let d = tx_device(&mut tx, device).await?;
    if d.holder_id != Some(person) {
        return Err(StoreError::Conflict("only the device's holder can report it lost or stolen".into()));
    }
    let to = if stolen { DeviceStatus::Stolen } else { DeviceStatus::Lost };
    let after = tx_transition(&mut tx, device, to, circumstances, actor, now, "report_loss").await?;
    let f = NewFinding {
        rule: &custodian_domain::findings::DEVICE_LOST_OR_STOLEN,
        dedupe_key: format!("{}:{}:{}", custodian_domain::findings::DEVICE_LOST_OR_STOLEN.id, device, micros(now)),
        person_id: Some(person),
        device_id: Some(device),
        summary: format!(
            "{} reported {} by {}",
            d.asset_tag,
            to.label().to_lowercase(),
            d.holder_name.clone().unwrap_or_default()
        ),
        evidence: json!({"reported_at": now.unix_timestamp(), "status": to.as_str(), "circumstances": circumstances, "imei": d.imei, "phone_number": d.phone_number}),
        records: vec![format!("device:{}", d.asset_tag)],
    };
    let id = findings::tx_raise(&mut tx, &f, actor, now).await?.unwrap_or_default();
    tx.commit().await?;
    Ok((after, id))
}

/// Upsert devices by asset tag in one transaction. New devices take any status; a stored device
/// may only move by a permitted transition. `allocated_to` re-allocates when it names someone else.
///
/// The register is read once (devices, people's staff numbers, allocations: one query each),
/// every row is planned in memory in file order with the checks a row-at-a-time write would meet
/// (holder known, unique serial, IMEI and phone number, permitted transition, allocation history),
/// and the changes go out as multi-row statements. Devices, allocations, history events and audit
/// events come out as applying the rows one at a time in file order would leave them.
pub async fn import_devices(
    pool: &Pool<DB>,
    rows: &[DeviceRow],
    Write { actor, now }: Write<'_>,
    file_sha256: &str,
    progress: Progress<'_>,
) -> Result<ImportSummary> {
    let mut tx = begin_write(pool).await?;
    let mut sum = ImportSummary { rows: rows.len(), ..ImportSummary::default() };
    let reg = DeviceRegister::load(&mut tx).await?;
    let mut uniq = Unique::of(&reg.devices);
    let mut seen_tags: HashMap<&str, u64> = HashMap::new();
    let mut w = Writes::default();
    let reason = "Register import";
    for (i, r) in rows.iter().enumerate() {
        progress(i as u64 + 1);
        if let Some(first) = seen_tags.insert(&r.asset_tag, r.line) {
            return Err(StoreError::invalid_line(
                r.line,
                Some("asset_tag"),
                format!("{} already appears on line {first}", r.asset_tag),
            ));
        }
        let holder: Option<Uuid> = match &r.allocated_to {
            Some(sn) => Some(*reg.staff.get(sn.as_str()).ok_or_else(|| {
                StoreError::invalid_line(r.line, Some("allocated_to"), format!("no person with staff number {sn}"))
            })?),
            None => None,
        };
        let after = view_snapshot(&RegisterView::of_row(r, reg.staff_of(holder)));
        match reg.by_tag.get(r.asset_tag.as_str()).map(|i| &reg.devices[*i]) {
            None => {
                let id = Uuid::now_v7();
                uniq.claim(id, None, r)?;
                if let Some(h) = holder {
                    if let Some(from) = r.allocated_from {
                        domain::check_span(micros(from), None, &[], micros(now)).map_err(|e| start_error(r.line, e))?;
                    }
                    w.starts.push((Uuid::now_v7(), id, h, r.allocated_from.unwrap_or(now)));
                }
                w.event(id, "registered", None, Some(r.status), holder, reason, "1.2");
                w.audits.push(
                    AuditEntry::new("device.create", format!("device:{}", r.asset_tag)).clause("1.2").after(after),
                );
                w.inserts.push((id, r, holder));
                sum.created += 1;
            }
            Some(before) => {
                let id = before.id;
                uniq.claim(id, Some(before), r)?;
                let holder_changes = before.holder_id != holder;
                // WP034 4.1: a row with allocated_from says since when its holder has held it.
                let plan = match (holder, r.allocated_from) {
                    (Some(h), Some(from)) => Some(
                        domain::plan_start(
                            reg.spans.get(&id).map_or(&[][..], Vec::as_slice),
                            h,
                            micros(from),
                            micros(now),
                        )
                        .map_err(|e| start_error(r.line, e))?,
                    ),
                    _ => None,
                };
                let handover_at = match plan {
                    Some(domain::StartPlan::Handover(_)) => r.allocated_from.unwrap_or(now),
                    _ => now,
                };
                let mut history_changed = false;
                if let (Some(domain::StartPlan::MoveEarlier(aid)), false, true) =
                    (plan, holder_changes, before.status == r.status)
                    && let Some(from) = r.allocated_from
                {
                    let old = reg.starts.get(&aid).copied().unwrap_or(from);
                    w.moves.push((aid, from));
                    let text = format!("Register import: allocated from {}", rfc3339(from));
                    w.event(id, "allocation_corrected", None, None, before.holder_id, &text, "4.1");
                    let holder_sn = reg.staff_of(before.holder_id);
                    w.audits.push(
                        AuditEntry::new("device.allocation_correct", format!("device:{}", before.asset_tag))
                            .clause("4.1")
                            .justification(&text)
                            .before(json!({"allocation": aid, "holder": holder_sn, "allocated_at": rfc3339(old)}))
                            .after(json!({"allocation": aid, "holder": holder_sn, "allocated_at": rfc3339(from)})),
                    );
                    history_changed = true;
                }
                if before.status != r.status || holder_changes {
                    // Moving between two holders goes through "returned" so history shows both.
                    if before.status == DeviceStatus::Allocated && r.status == DeviceStatus::Allocated {
                        w.ends.push((id, handover_at));
                        w.event(
                            id,
                            "returned",
                            Some(DeviceStatus::Allocated),
                            Some(DeviceStatus::Returned),
                            before.holder_id,
                            reason,
                            "1.2",
                        );
                    } else {
                        domain::check_transition(before.status, r.status, holder.is_some())
                            .map_err(|e| StoreError::invalid_line(r.line, Some("status"), e.to_string()))?;
                        if before.status == DeviceStatus::Allocated {
                            w.ends.push((id, handover_at));
                        }
                    }
                    if let Some(h) = holder {
                        w.starts.push((Uuid::now_v7(), id, h, r.allocated_from.unwrap_or(now)));
                    }
                    w.event(
                        id,
                        r.status.as_str(),
                        Some(before.status),
                        Some(r.status),
                        holder.or(before.holder_id),
                        reason,
                        domain::clause_for(r.status),
                    );
                }
                let b = view_snapshot(&before.view(reg.staff_of(before.holder_id)));
                if b == after && !history_changed {
                    sum.unchanged += 1;
                } else {
                    w.updates.push((id, r, holder));
                    w.audits.push(
                        AuditEntry::new("device.update", format!("device:{}", r.asset_tag))
                            .clause("1.2")
                            .before(b)
                            .after(after),
                    );
                    sum.updated += 1;
                }
            }
        }
    }
    w.write(&mut tx, actor, now).await?;
    if sum.created + sum.updated > 0 {
        search_sync(&mut tx).await?;
        w.audits.push(AuditEntry::new("import.devices", "import:devices").detail(json!({
            "sha256": file_sha256, "rows": sum.rows, "created": sum.created, "updated": sum.updated, "unchanged": sum.unchanged
        })));
    }
    audit::audit_batch(&mut tx, actor, now, std::mem::take(&mut w.audits)).await?;
    tx.commit().await?;
    Ok(sum)
}

/// A device's register fields, as the audit log's snapshot shows them ([`device_snapshot`]).
struct RegisterView<'a> {
    asset_tag: &'a str,
    device_type: DeviceType,
    make: &'a str,
    model: &'a str,
    serial: Option<&'a str>,
    imei: Option<&'a str>,
    phone_number: Option<&'a str>,
    os: Option<&'a str>,
    status: DeviceStatus,
    holder: Option<&'a str>,
}

impl<'a> RegisterView<'a> {
    /// The device as an import row leaves it, held by `holder` (a staff number).
    fn of_row(r: &'a DeviceRow, holder: Option<&'a str>) -> Self {
        Self {
            asset_tag: &r.asset_tag,
            device_type: r.device_type,
            make: &r.make,
            model: &r.model,
            serial: r.serial.as_deref(),
            imei: r.imei.as_deref(),
            phone_number: r.phone_number.as_deref(),
            os: r.os.as_deref(),
            status: r.status,
            holder,
        }
    }
}

fn view_snapshot(d: &RegisterView) -> Value {
    json!({
        "asset_tag": d.asset_tag, "type": d.device_type.as_str(), "make": d.make, "model": d.model,
        "serial": d.serial, "imei": d.imei, "phone_number": d.phone_number, "os": d.os,
        "status": d.status.as_str(), "holder": d.holder,
    })
}

/// A device as stored when an import starts.
#[derive(sqlx::FromRow)]
struct StoredDevice {
    id: Uuid,
    asset_tag: String,
    #[sqlx(try_from = "String")]
    device_type: DeviceType,
    make: String,
    model: String,
    serial: Option<String>,
    imei: Option<String>,
    phone_number: Option<String>,
    os: Option<String>,
    #[sqlx(try_from = "String")]
    status: DeviceStatus,
    holder_id: Option<Uuid>,
}

impl StoredDevice {
    fn view<'a>(&'a self, holder: Option<&'a str>) -> RegisterView<'a> {
        RegisterView {
            asset_tag: &self.asset_tag,
            device_type: self.device_type,
            make: &self.make,
            model: &self.model,
            serial: self.serial.as_deref(),
            imei: self.imei.as_deref(),
            phone_number: self.phone_number.as_deref(),
            os: self.os.as_deref(),
            status: self.status,
            holder,
        }
    }
}

/// The device register as an import sees it: devices by asset tag, people's staff numbers, and
/// every device's allocation history. One query per table.
struct DeviceRegister {
    devices: Vec<StoredDevice>,
    by_tag: HashMap<String, usize>,
    staff: HashMap<String, Uuid>,
    staff_by_id: HashMap<Uuid, String>,
    spans: HashMap<Uuid, Vec<Span>>,
    /// Each allocation's start as stored (for the audit of a start moved earlier).
    starts: HashMap<Uuid, OffsetDateTime>,
}

impl DeviceRegister {
    async fn load(tx: &mut Tx<'_>) -> Result<Self> {
        let mut devices: Vec<StoredDevice> = Vec::new();
        for r in sqlx::query("SELECT id, asset_tag, device_type, make, model, serial, imei, phone_number, os, status, holder_id FROM devices")
            .fetch_all(&mut **tx)
            .await?
        {
            devices.push(crate::row::read(&r)?);
        }
        let by_tag = devices.iter().enumerate().map(|(i, d)| (d.asset_tag.clone(), i)).collect();
        let (mut staff, mut staff_by_id) = (HashMap::new(), HashMap::new());
        let rows: Vec<(Uuid, String)> =
            sqlx::query_as("SELECT id, staff_number FROM people").fetch_all(&mut **tx).await?;
        for (id, sn) in rows {
            staff.insert(sn.clone(), id);
            staff_by_id.insert(id, sn);
        }
        let rows: Vec<SpanColumns> =
            sqlx::query_as("SELECT id, device_id, person_id, allocated_at, ended_at FROM allocations")
                .fetch_all(&mut **tx)
                .await?;
        let starts: HashMap<Uuid, OffsetDateTime> = rows.iter().map(|r| (r.id, r.allocated_at)).collect();
        let spans = SpanColumns::by_device(rows);
        Ok(Self { devices, by_tag, staff, staff_by_id, spans, starts })
    }

    fn staff_of(&self, id: Option<Uuid>) -> Option<&str> {
        id.and_then(|id| self.staff_by_id.get(&id)).map(String::as_str)
    }
}

/// The unique identifiers of the register (serial, IMEI, phone number) and the device holding
/// each, kept up to date row by row so a clash names its line and field.
struct Unique {
    by_field: [HashMap<String, (Uuid, String)>; 3],
}

impl Unique {
    const FIELDS: [&'static str; 3] = ["serial", "imei", "phone_number"];

    fn of(devices: &[StoredDevice]) -> Self {
        let mut by_field: [HashMap<String, (Uuid, String)>; 3] = Default::default();
        for d in devices {
            for (map, v) in by_field.iter_mut().zip([&d.serial, &d.imei, &d.phone_number]) {
                if let Some(v) = v {
                    map.insert(v.clone(), (d.id, d.asset_tag.clone()));
                }
            }
        }
        Self { by_field }
    }

    /// Device `id` (stored as `before`, or new) takes the row's identifiers.
    fn claim(&mut self, id: Uuid, before: Option<&StoredDevice>, r: &DeviceRow) -> Result<()> {
        let new = [&r.serial, &r.imei, &r.phone_number];
        let old = before.map(|b| [&b.serial, &b.imei, &b.phone_number]);
        for (k, map) in self.by_field.iter_mut().enumerate() {
            let old_v = old.and_then(|o| o[k].as_ref());
            if new[k].as_ref() == old_v {
                continue;
            }
            if let Some(v) = new[k]
                && let Some((other, tag)) = map.get(v)
                && *other != id
            {
                return Err(StoreError::Conflict(format!(
                    "line {}: {}: {v} is already recorded for device {tag}",
                    r.line,
                    Self::FIELDS[k]
                )));
            }
            if let Some(o) = old_v {
                map.remove(o);
            }
            if let Some(v) = new[k] {
                map.insert(v.clone(), (id, r.asset_tag.clone()));
            }
        }
        Ok(())
    }
}

/// One history event of a device, to be written.
struct NewEvent {
    id: Uuid,
    device: Uuid,
    event: String,
    from: Option<DeviceStatus>,
    to: Option<DeviceStatus>,
    person: Option<Uuid>,
    reason: String,
    clause: &'static str,
}

/// What a device import writes, planned in file order.
#[derive(Default)]
struct Writes<'a> {
    inserts: Vec<(Uuid, &'a DeviceRow, Option<Uuid>)>,
    updates: Vec<(Uuid, &'a DeviceRow, Option<Uuid>)>,
    /// Allocations whose start moves earlier: (allocation, new start).
    moves: Vec<(Uuid, OffsetDateTime)>,
    /// Devices whose current allocation ends: (device, end).
    ends: Vec<(Uuid, OffsetDateTime)>,
    /// New allocations: (id, device, person, start).
    starts: Vec<(Uuid, Uuid, Uuid, OffsetDateTime)>,
    events: Vec<NewEvent>,
    audits: Vec<AuditEntry>,
}

impl Writes<'_> {
    #[allow(clippy::too_many_arguments)]
    fn event(
        &mut self,
        device: Uuid,
        event: &str,
        from: Option<DeviceStatus>,
        to: Option<DeviceStatus>,
        person: Option<Uuid>,
        reason: &str,
        clause: &'static str,
    ) {
        self.events.push(NewEvent {
            id: Uuid::now_v7(),
            device,
            event: event.to_string(),
            from,
            to,
            person,
            reason: reason.to_string(),
            clause,
        });
    }

    /// Write everything but the audit events, in multi-row statements: stored devices first (so
    /// an identifier one gives up is free for a new one), then new devices, allocations (ended
    /// before new ones start: one holder at a time) and history.
    async fn write(&self, tx: &mut Tx<'_>, actor: &Actor, now: OffsetDateTime) -> Result<()> {
        for chunk in self.updates.chunks(chunk_rows(11)) {
            let mut q = sqlx::QueryBuilder::<DB>::new(
                "UPDATE devices SET device_type = v.column2, make = v.column3, model = v.column4, serial = v.column5, \
                 imei = v.column6, phone_number = v.column7, os = v.column8, status = v.column9, holder_id = v.column10, \
                 updated_at = v.column11 FROM (",
            );
            q.push_values(chunk, |mut b, (id, r, holder)| {
                b.push_bind(*id)
                    .push_bind(r.device_type.as_str())
                    .push_bind(&r.make)
                    .push_bind(&r.model)
                    .push_bind(&r.serial)
                    .push_bind(&r.imei)
                    .push_bind(&r.phone_number)
                    .push_bind(&r.os)
                    .push_bind(r.status.as_str())
                    .push_bind(*holder)
                    .push_bind(now);
            });
            q.push(") AS v WHERE devices.id = v.column1");
            q.build()
                .persistent(false)
                .execute(&mut **tx)
                .await
                .map_err(|e| people::chunk_err(chunk.iter().map(|(_, r, _)| r.line), e))?;
        }
        for chunk in self.inserts.chunks(chunk_rows(13)) {
            let mut q = sqlx::QueryBuilder::<DB>::new(
                "INSERT INTO devices (id, asset_tag, device_type, make, model, serial, imei, phone_number, os, status, holder_id, created_at, updated_at) ",
            );
            q.push_values(chunk, |mut b, (id, r, holder)| {
                b.push_bind(*id)
                    .push_bind(&r.asset_tag)
                    .push_bind(r.device_type.as_str())
                    .push_bind(&r.make)
                    .push_bind(&r.model)
                    .push_bind(&r.serial)
                    .push_bind(&r.imei)
                    .push_bind(&r.phone_number)
                    .push_bind(&r.os)
                    .push_bind(r.status.as_str())
                    .push_bind(*holder)
                    .push_bind(now)
                    .push_bind(now);
            });
            q.build()
                .persistent(false)
                .execute(&mut **tx)
                .await
                .map_err(|e| people::chunk_err(chunk.iter().map(|(_, r, _)| r.line), e))?;
        }
        for chunk in self.moves.chunks(chunk_rows(2)) {
            let mut q = sqlx::QueryBuilder::<DB>::new("UPDATE allocations SET allocated_at = v.column2 FROM (");
            q.push_values(chunk, |mut b, (id, from)| {
                b.push_bind(*id).push_bind(*from);
            });
            q.push(") AS v WHERE allocations.id = v.column1");
            q.build().persistent(false).execute(&mut **tx).await?;
        }
        for chunk in self.ends.chunks(chunk_rows(4)) {
            let mut q = sqlx::QueryBuilder::<DB>::new(
                "UPDATE allocations SET ended_at = v.column2, ended_by = v.column3, end_reason = v.column4 FROM (",
            );
            q.push_values(chunk, |mut b, (device, at)| {
                b.push_bind(*device).push_bind(*at).push_bind(&actor.label).push_bind("Register import");
            });
            q.push(") AS v WHERE allocations.device_id = v.column1 AND allocations.ended_at IS NULL");
            q.build().persistent(false).execute(&mut **tx).await?;
        }
        for chunk in self.starts.chunks(chunk_rows(6)) {
            let mut q = sqlx::QueryBuilder::<DB>::new(
                "INSERT INTO allocations (id, device_id, person_id, allocated_at, allocated_by, reason) ",
            );
            q.push_values(chunk, |mut b, (id, device, person, at)| {
                b.push_bind(*id)
                    .push_bind(*device)
                    .push_bind(*person)
                    .push_bind(*at)
                    .push_bind(&actor.label)
                    .push_bind("Register import");
            });
            q.build().persistent(false).execute(&mut **tx).await?;
        }
        for chunk in self.events.chunks(chunk_rows(10)) {
            let mut q = sqlx::QueryBuilder::<DB>::new(
                "INSERT INTO device_events (id, device_id, at, actor, event, from_status, to_status, person_id, reason, clause) ",
            );
            q.push_values(chunk, |mut b, e| {
                b.push_bind(e.id)
                    .push_bind(e.device)
                    .push_bind(now)
                    .push_bind(&actor.label)
                    .push_bind(&e.event)
                    .push_bind(e.from.map(|s| s.as_str()))
                    .push_bind(e.to.map(|s| s.as_str()))
                    .push_bind(e.person)
                    .push_bind(&e.reason)
                    .push_bind(e.clause);
            });
            q.build().persistent(false).execute(&mut **tx).await?;
        }
        Ok(())
    }
}

/// Register one device (Digital Services, WP034 1.2).
pub async fn create_device(pool: &Pool<DB>, r: &DeviceRow, Write { actor, now }: Write<'_>) -> Result<Device> {
    let exists: Option<Uuid> = sqlx::query_scalar("SELECT id FROM devices WHERE asset_tag = $1")
        .bind(&r.asset_tag)
        .fetch_optional(pool)
        .await?;
    if exists.is_some() {
        return Err(StoreError::Conflict(format!("asset_tag: {} is already registered", r.asset_tag)));
    }
    import_devices(pool, std::slice::from_ref(r), actor.at(now), "", &no_progress).await?;
    device_by_asset_tag(pool, &r.asset_tag).await?.ok_or_else(|| StoreError::NotFound(r.asset_tag.clone()))
}

/// Apply a Microsoft Intune (Graph managedDevices) export: match devices by MDM id, serial or
/// IMEI, record the MDM facts, and raise a WP034 4.1 finding where the signed-in user is not the
/// allocated holder. Devices the register does not know are reported, not dropped; with
/// `register_new` they are registered ([`tx_register_intune`]). A known device never allocated
/// whose primary user is a known person is reported, not allocated: the register is Digital
/// Services' record (WP034 4.1).
pub async fn import_intune(
    pool: &Pool<DB>,
    items: &[IntuneDevice],
    warnings: &[RowError],
    register_new: bool,
    Write { actor, now }: Write<'_>,
    file_sha256: &str,
    progress: Progress<'_>,
) -> Result<ImportSummary> {
    let mut tx = begin_write(pool).await?;
    let mut sum = ImportSummary { rows: items.len(), warnings: warnings.to_vec(), ..ImportSummary::default() };
    // Devices matched, and whether the loop counted them unchanged, for the WP034 4.7 pass.
    let mut matched: Vec<(Uuid, &IntuneDevice, bool)> = Vec::new();
    for (i, it) in items.iter().enumerate() {
        progress(i as u64 + 1);
        let id = tx_intune_match(&mut tx, it).await?;
        let Some(id) = id else {
            if register_new {
                let id = tx_register_intune(&mut tx, it, actor, now, &mut sum).await?;
                sum.created += 1;
                matched.push((id, it, false));
                continue;
            }
            sum.unmatched.push(RowError {
                line: it.index as u64 + 1,
                field: None,
                message: format!(
                    "device {} ({}) matches no registered device by id, serial or IMEI",
                    it.id,
                    it.device_name.clone().unwrap_or_default()
                ),
            });
            continue;
        };
        let before = tx_device(&mut tx, id).await?;
        let os = match (&it.operating_system, &it.os_version) {
            (Some(o), Some(v)) => Some(format!("{o} {v}")),
            (Some(o), None) => Some(o.clone()),
            _ => before.os.clone(),
        };
        // Both databases keep microseconds; Graph gives seven fractional digits.
        let last_sync = it.last_sync.map(custodian_domain::devices::mdm::to_micros);
        let changed = before.mdm_id.as_deref() != Some(it.id.as_str())
            || before.mdm_user != it.user_principal_name
            || before.mdm_last_sync != last_sync
            || before.os != os;
        if changed {
            sqlx::query("UPDATE devices SET mdm_id = $1, mdm_user = $2, mdm_last_sync = $3, os = $4, updated_at = $5 WHERE id = $6")
                .bind(&it.id)
                .bind(&it.user_principal_name)
                .bind(last_sync)
                .bind(&os)
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(|e| people::line_err(it.index as u64 + 1, e))?;
            AuditEntry::new("device.mdm_sync", format!("device:{}", before.asset_tag))
                .clause("1.2")
                .detail(json!({"mdm_id": it.id, "user_principal_name": it.user_principal_name, "os": os}))
                .record(&mut tx, actor, now)
                .await?;
            sum.updated += 1;
        } else {
            sum.unchanged += 1;
        }
        matched.push((id, it, !changed));
        if before.holder_id.is_none()
            && let Some(w) = tx_never_allocated(&mut tx, &before, it).await?
        {
            sum.warnings.push(w);
        }
        // WP034 4.1: whoever uses a force device must do so with their own credentials.
        if let (Some(upn), Some(holder)) = (&it.user_principal_name, before.holder_id) {
            let holder_email: String =
                sqlx::query_scalar("SELECT email FROM people WHERE id = $1").bind(holder).fetch_one(&mut *tx).await?;
            if !upn.eq_ignore_ascii_case(&holder_email) {
                let signed_in: Option<String> = sqlx::query_scalar("SELECT staff_number FROM people WHERE email = $1")
                    .bind(upn)
                    .fetch_optional(&mut *tx)
                    .await?;
                let f = NewFinding {
                    rule: &custodian_domain::findings::DEVICE_USER_MISMATCH,
                    dedupe_key: format!(
                        "{}:{}:{}:{}",
                        custodian_domain::findings::DEVICE_USER_MISMATCH.id,
                        id,
                        holder,
                        upn
                    ),
                    person_id: Some(holder),
                    device_id: Some(id),
                    summary: format!(
                        "{} is allocated to {} but signed in to Intune as {upn}",
                        before.asset_tag,
                        before.holder_name.clone().unwrap_or_default()
                    ),
                    evidence: json!({
                        "source": "intune", "intune_device_id": it.id, "device_name": it.device_name,
                        "user_principal_name": upn, "signed_in_staff_number": signed_in,
                        "holder_email": holder_email, "holder_staff_number": before.holder_staff_number,
                        "last_sync": it.last_sync.and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok()),
                    }),
                    records: vec![format!("intune:{}", it.id)],
                };
                if findings::tx_raise(&mut tx, &f, actor, now).await?.is_some() {
                    sum.findings_opened += 1;
                }
            }
        }
    }
    // WP034 4.7: the device's integrity, compliance and check-ins, after every 4.1 finding.
    for (id, it, counted_unchanged) in matched {
        let d = tx_device(&mut tx, id).await?;
        let state = custodian_domain::devices::mdm::MdmState::from(it);
        if super::devices_mdm::apply_state(&mut tx, &d, &state, file_sha256, actor, now, &mut sum).await?
            && counted_unchanged
        {
            sum.unchanged -= 1;
            sum.updated += 1;
        }
    }
    AuditEntry::new("import.intune", "import:intune").detail(json!({
        "sha256": file_sha256, "rows": sum.rows, "register_new": register_new, "created": sum.created,
        "allocated": sum.allocations_started.len(), "updated": sum.updated, "unchanged": sum.unchanged,
        "unmatched": sum.unmatched.len(), "findings_opened": sum.findings_opened, "findings_closed": sum.findings_closed,
        "warnings": sum.warnings,
    })).record(&mut tx, actor, now).await?;
    tx.commit().await?;
    Ok(sum)
}

/// The registered device an Intune device is: the one with its MDM id, else its serial or IMEI.
async fn tx_intune_match(tx: &mut Tx<'_>, it: &IntuneDevice) -> Result<Option<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM devices WHERE mdm_id = $1 OR ($2 IS NOT NULL AND serial = $2) OR ($3 IS NOT NULL AND imei = $3) \
         ORDER BY CASE WHEN mdm_id = $1 THEN 0 ELSE 1 END LIMIT 1",
    )
    .bind(&it.id)
    .bind(&it.serial_number)
    .bind(&it.imei)
    .fetch_optional(&mut **tx)
    .await?)
}

/// A person as an Intune primary user: id, staff number, name, whether active.
async fn tx_person_by_upn(tx: &mut Tx<'_>, upn: &str) -> Result<Option<(Uuid, String, String, bool)>> {
    let row = sqlx::query("SELECT id, staff_number, name, status FROM people WHERE email = $1")
        .bind(upn)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|r| {
        let (id, staff_number, name, status): (Uuid, String, String, String) = crate::row::read(&r)?;
        Ok((id, staff_number, name, status == PersonStatus::Active.as_str()))
    })
    .transpose()
}

/// Why a device Intune knows and the register does not may not be registered by `actor`
/// (`register_new`), naming line and field: an enrolment in the future, or the importer as its
/// primary user (nobody starts their own allocation, WP034 4.1).
async fn tx_registration_problem(
    tx: &mut Tx<'_>,
    it: &IntuneDevice,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<Option<RowError>> {
    let line = it.index as u64 + 1;
    if let Some(from) = it.enrolled
        && let Err(e) = domain::check_span(micros(from), None, &[], micros(now))
    {
        return Ok(Some(RowError {
            line,
            field: Some(format!("{}/enrolledDateTime", it.pointer)),
            message: e.to_string(),
        }));
    }
    if let (Some(me), Some(upn)) = (actor.person_id, &it.user_principal_name)
        && tx_person_by_upn(tx, upn).await?.is_some_and(|p| p.0 == me)
    {
        return Ok(Some(RowError {
            line,
            field: Some(format!("{}/userPrincipalName", it.pointer)),
            message:
                "registering this device would start an allocation of your own: another member of Digital Services \
                      must import it (WP034 4.1)"
                    .into(),
        }));
    }
    Ok(None)
}

/// See [`crate::Store::intune_registration_problems`].
pub async fn intune_registration_problems(
    pool: &Pool<DB>,
    items: &[IntuneDevice],
    Write { actor, now }: Write<'_>,
) -> Result<Vec<RowError>> {
    let mut tx = begin_read(pool).await?;
    let mut out = Vec::new();
    for it in items {
        if tx_intune_match(&mut tx, it).await?.is_none()
            && let Some(p) = tx_registration_problem(&mut tx, it, actor, now).await?
        {
            out.push(p);
        }
    }
    tx.rollback().await?;
    Ok(out)
}

/// Register a device Intune knows and the register does not (`register_new`, WP034 1.2), from
/// the export's fields: the first free asset tag of [`intune_asset_tags`], the type from its
/// operating system and model, its serial, IMEI, phone number (dropped with a warning when
/// another device has it), make, model and OS. It is allocated (WP034 4.1) to the active person
/// whose e-mail is its primary user, from `enrolledDateTime` (else now); a primary user who is
/// nobody, or a leaver, leaves it in stock with a warning naming the line and field.
async fn tx_register_intune(
    tx: &mut Tx<'_>,
    it: &IntuneDevice,
    actor: &Actor,
    now: OffsetDateTime,
    sum: &mut ImportSummary,
) -> Result<Uuid> {
    let line = it.index as u64 + 1;
    let field = |member: &str| format!("{}/{member}", it.pointer);
    if let Some(p) = tx_registration_problem(tx, it, actor, now).await? {
        return Err(StoreError::invalid_line(line, Some(&p.field.unwrap_or_default()), p.message));
    }
    let mut tag = None;
    for candidate in intune_asset_tags(it.device_name.as_deref(), &it.id) {
        let taken: Option<Uuid> = sqlx::query_scalar("SELECT id FROM devices WHERE asset_tag = $1")
            .bind(&candidate)
            .fetch_optional(&mut **tx)
            .await?;
        if taken.is_none() {
            tag = Some(candidate);
            break;
        }
    }
    let tag = tag.ok_or_else(|| {
        StoreError::invalid_line(
            line,
            Some(&field("deviceName")),
            format!("no free asset tag for Intune device {}", it.id),
        )
    })?;
    let mut phone = it.phone_number.clone();
    if let Some(p) = &phone {
        let other: Option<String> = sqlx::query_scalar("SELECT asset_tag FROM devices WHERE phone_number = $1")
            .bind(p)
            .fetch_optional(&mut **tx)
            .await?;
        if let Some(other) = other {
            sum.warnings.push(RowError {
                line,
                field: Some(field("phoneNumber")),
                message: format!("{p} is the number of {other} in the register; {tag} is registered without it"),
            });
            phone = None;
        }
    }
    let holder = match &it.user_principal_name {
        None => None,
        Some(upn) => match tx_person_by_upn(tx, upn).await? {
            Some((id, _, _, true)) => Some(id),
            Some((_, sn, _, false)) => {
                sum.warnings.push(RowError {
                    line,
                    field: Some(field("userPrincipalName")),
                    message: format!("{upn} is {sn}, who has left: {tag} is registered unallocated (WP034 4.1)"),
                });
                None
            }
            None => {
                sum.warnings.push(RowError { line, field: Some(field("userPrincipalName")), message: format!("no person has the e-mail {upn}: {tag} is registered unallocated; allocate it on its device page (WP034 4.1)") });
                None
            }
        },
    };
    let status = if holder.is_some() { DeviceStatus::Allocated } else { DeviceStatus::InStock };
    let os = match (&it.operating_system, &it.os_version) {
        (Some(o), Some(v)) => Some(format!("{o} {v}")),
        (o, _) => o.clone(),
    };
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO devices (id, asset_tag, device_type, make, model, serial, imei, phone_number, os, mdm_id, mdm_user, mdm_last_sync, \
                 status, holder_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)")
        .bind(id)
        .bind(&tag)
        .bind(intune_device_type(it.operating_system.as_deref(), it.model.as_deref()).as_str())
        .bind(it.manufacturer.as_deref().unwrap_or("Unknown"))
        .bind(it.model.as_deref().unwrap_or("Unknown"))
        .bind(&it.serial_number)
        .bind(&it.imei)
        .bind(&phone)
        .bind(&os)
        .bind(&it.id)
        .bind(&it.user_principal_name)
        .bind(it.last_sync.map(custodian_domain::devices::mdm::to_micros))
        .bind(status.as_str())
        .bind(holder)
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(|e| people::line_err(line, e))?;
    search_sync(tx).await?;
    let registered = format!("Intune import: registered from Intune device {}", it.id);
    device_event(tx, id, now, actor, "registered", None, Some(status), holder, &registered, "1.2").await?;
    let after = tx_device(tx, id).await?;
    AuditEntry::new("device.create", format!("device:{tag}"))
        .clause("1.2")
        .after(device_snapshot(&after))
        .detail(json!({"source": "intune", "intune_device_id": it.id, "device_name": it.device_name, "line": line}))
        .record(tx, actor, now)
        .await?;
    if let Some(h) = holder {
        let from = it.enrolled.unwrap_or(now);
        let reason = format!(
            "Intune import: primary user {}, allocated from {} ({})",
            it.user_principal_name.as_deref().unwrap_or_default(),
            rfc3339(from),
            if it.enrolled.is_some() { "enrolledDateTime" } else { "no enrolledDateTime: the time of import" }
        );
        start_allocation(tx, id, h, from, actor, &reason).await?;
        device_event(tx, id, now, actor, "allocated", None, Some(DeviceStatus::Allocated), Some(h), &reason, "4.1")
            .await?;
        AuditEntry::new("device.allocate", format!("device:{tag}"))
            .clause("4.1")
            .justification(&reason)
            .after(json!({"holder": after.holder_staff_number, "allocated_at": rfc3339(from)}))
            .record(tx, actor, now)
            .await?;
        sum.allocations_started.push((id, from));
    }
    Ok(id)
}

/// A warning when a known device that has never been allocated is used, by Intune's account, by
/// a known person: Custodian does not allocate it from Intune (the register is Digital
/// Services' record, WP034 4.1), but says so, naming the line and field.
async fn tx_never_allocated(tx: &mut Tx<'_>, before: &Device, it: &IntuneDevice) -> Result<Option<RowError>> {
    let Some(upn) = &it.user_principal_name else { return Ok(None) };
    let allocations: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM allocations WHERE device_id = $1")
        .bind(before.id)
        .fetch_one(&mut **tx)
        .await?;
    if allocations > 0 {
        return Ok(None);
    }
    let Some((_, sn, name, _)) = tx_person_by_upn(tx, upn).await? else { return Ok(None) };
    Ok(Some(RowError {
        line: it.index as u64 + 1,
        field: Some(format!("{}/userPrincipalName", it.pointer)),
        message: format!(
            "{} has never been allocated, and Intune's primary user is {name} ({sn}): not allocated from Intune, as the register \
             is Digital Services' record; allocate it on its device page, or import the register with allocated_to and \
             allocated_from (WP034 4.1)",
            before.asset_tag
        ),
    }))
}

/// How many devices there are (the unfiltered list's total).
pub async fn device_count(pool: &Pool<DB>) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM devices").fetch_one(pool).await?)
}

// ---------------------------------------------------------------------------------------------
// Allocation history (WP034 4.1): starts from the register import, and corrections of dates.

fn start_error(line: u64, e: HistoryError) -> StoreError {
    StoreError::invalid_line(line, Some("allocated_from"), e.to_string())
}

/// An allocation as the overlap checks read it (`device_id` where the query selects it).
#[derive(sqlx::FromRow)]
struct SpanColumns {
    id: Uuid,
    #[sqlx(default)]
    device_id: Uuid,
    person_id: Uuid,
    allocated_at: OffsetDateTime,
    ended_at: Option<OffsetDateTime>,
}

impl SpanColumns {
    fn span(&self) -> Span {
        Span {
            id: self.id,
            person: self.person_id,
            from_us: micros(self.allocated_at),
            to_us: self.ended_at.map(micros),
        }
    }

    /// The spans of each device, in order of start.
    fn by_device(rows: Vec<SpanColumns>) -> HashMap<Uuid, Vec<Span>> {
        let mut out: HashMap<Uuid, Vec<Span>> = HashMap::new();
        for r in &rows {
            out.entry(r.device_id).or_default().push(r.span());
        }
        for s in out.values_mut() {
            s.sort_by_key(|s| s.from_us);
        }
        out
    }
}

/// The device's recorded allocations, as the overlap checks see them.
async fn tx_spans(tx: &mut Tx<'_>, device: Uuid) -> Result<Vec<Span>> {
    let rows = sqlx::query(
        "SELECT id, person_id, allocated_at, ended_at FROM allocations WHERE device_id = $1 ORDER BY allocated_at",
    )
    .bind(device)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter().map(|r| crate::row::read::<_, SpanColumns>(r).map(|s| s.span())).collect()
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// The rows of a register import whose `allocated_from` the stored history refuses (in the
/// future, or overlapping another allocation), each naming its line and `allocated_from`. The
/// import checks again inside its transaction; this lets a whole file's problems be listed.
/// The devices, people and histories the rows name are read in a few chunked queries.
pub async fn import_start_problems(pool: &Pool<DB>, rows: &[DeviceRow], now: OffsetDateTime) -> Result<Vec<RowError>> {
    let started: Vec<(&DeviceRow, &str, OffsetDateTime)> =
        rows.iter().filter_map(|r| Some((r, r.allocated_to.as_ref()?.as_str(), r.allocated_from?))).collect();
    if started.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = begin_read(pool).await?;
    let tags: Vec<&str> = started.iter().map(|(r, _, _)| r.asset_tag.as_str()).collect();
    let staff: Vec<&str> = started.iter().map(|(_, sn, _)| *sn).collect();
    let devices = ids_by(&mut tx, "devices", "asset_tag", &tags).await?;
    let people = ids_by(&mut tx, "people", "staff_number", &staff).await?;
    let device_ids: Vec<Uuid> = devices.values().copied().collect();
    let spans = spans_of(&mut tx, &device_ids).await?;
    tx.rollback().await?;
    let mut out = Vec::new();
    for (r, sn, from) in started {
        let device_spans = devices.get(&r.asset_tag).and_then(|d| spans.get(d)).map_or(&[][..], Vec::as_slice);
        let person = people.get(sn).copied().unwrap_or_default();
        if let Err(e) = domain::plan_start(device_spans, person, micros(from), micros(now)) {
            out.push(RowError { line: r.line, field: Some("allocated_from".into()), message: e.to_string() });
        }
    }
    Ok(out)
}

/// The ids of the rows of `table` whose `column` (a unique text column) is one of `values`,
/// by value: one query per chunk of values.
async fn ids_by(tx: &mut Tx<'_>, table: &str, column: &str, values: &[&str]) -> Result<HashMap<String, Uuid>> {
    let mut values = values.to_vec();
    values.sort_unstable();
    values.dedup();
    let head = format!("SELECT {column}, id FROM {table} WHERE {column} IN (");
    let rows: Vec<(String, Uuid)> = chunked::fetch_in(tx, &head, &values).await?;
    Ok(rows.into_iter().collect())
}

/// The recorded allocations of each of `devices`, in order of start.
async fn spans_of(tx: &mut Tx<'_>, devices: &[Uuid]) -> Result<HashMap<Uuid, Vec<Span>>> {
    let rows: Vec<SpanColumns> = chunked::fetch_in(
        tx,
        "SELECT id, device_id, person_id, allocated_at, ended_at FROM allocations WHERE device_id IN (",
        devices,
    )
    .await?;
    Ok(SpanColumns::by_device(rows))
}

/// What a register import's checks need to know of the people and devices its rows name, read
/// in a few chunked queries: people's ids by staff number, and each device's id and holder by
/// asset tag. Names that are not stored are absent.
pub async fn register_refs(pool: &Pool<DB>, staff_numbers: &[&str], asset_tags: &[&str]) -> Result<RegisterRefs> {
    let mut tx = begin_read(pool).await?;
    let people = ids_by(&mut tx, "people", "staff_number", staff_numbers).await?;
    let mut tags = asset_tags.to_vec();
    tags.sort_unstable();
    tags.dedup();
    let rows: Vec<(String, Uuid, Option<Uuid>)> =
        chunked::fetch_in(&mut tx, "SELECT asset_tag, id, holder_id FROM devices WHERE asset_tag IN (", &tags).await?;
    let devices = rows.into_iter().map(|(tag, id, holder)| (tag, (id, holder))).collect();
    tx.rollback().await?;
    Ok(RegisterRefs { people, devices })
}

/// Digital Services correct an allocation's start and/or end (WP034 4.1), with a reason; the
/// corrected span may not overlap another allocation of the device, start or end in the future,
/// or end before it starts. An open allocation's end is set by returning the device, not here.
pub async fn correct_allocation(
    pool: &Pool<DB>,
    allocation: Uuid,
    start: Option<OffsetDateTime>,
    end: Option<OffsetDateTime>,
    reason: &str,
    Write { actor, now }: Write<'_>,
) -> Result<AllocationCorrected> {
    let mut tx = begin_write(pool).await?;
    let row = sqlx::query("SELECT device_id, person_id, allocated_at, ended_at FROM allocations WHERE id = $1")
        .bind(allocation)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("allocation {allocation}")))?;
    let (device, person, old_from, old_to): (Uuid, Uuid, OffsetDateTime, Option<OffsetDateTime>) =
        crate::row::read(&row)?;
    if end.is_some() && old_to.is_none() {
        return Err(StoreError::invalid("ended_at", "this allocation is current; return the device to end it"));
    }
    let new_from = start.unwrap_or(old_from);
    let new_to = end.or(old_to);
    if new_from == old_from && new_to == old_to {
        return Err(StoreError::invalid("allocated_at", "give a start or end that differs from the recorded one"));
    }
    let others: Vec<Span> = tx_spans(&mut tx, device).await?.into_iter().filter(|s| s.id != allocation).collect();
    let field = if start.is_some() && new_from != old_from { "allocated_at" } else { "ended_at" };
    domain::check_span(micros(new_from), new_to.map(micros), &others, micros(now))
        .map_err(|e| StoreError::invalid(field, e.to_string()))?;
    sqlx::query("UPDATE allocations SET allocated_at = $1, ended_at = $2 WHERE id = $3")
        .bind(new_from)
        .bind(new_to)
        .bind(allocation)
        .execute(&mut *tx)
        .await?;
    let d = tx_device(&mut tx, device).await?;
    let text = format!(
        "Allocation dates corrected: {} to {} (was {} to {}). {reason}",
        rfc3339(new_from),
        new_to.map_or_else(|| "now".to_string(), rfc3339),
        rfc3339(old_from),
        old_to.map_or_else(|| "now".to_string(), rfc3339)
    );
    device_event(&mut tx, device, now, actor, "allocation_corrected", None, None, Some(person), &text, "4.1").await?;
    AuditEntry::new("device.allocation_correct", format!("device:{}", d.asset_tag))
        .clause("4.1")
        .justification(reason)
        .before(json!({"allocation": allocation, "allocated_at": rfc3339(old_from), "ended_at": old_to.map(rfc3339)}))
        .after(json!({"allocation": allocation, "allocated_at": rfc3339(new_from), "ended_at": new_to.map(rfc3339)}))
        .record(&mut tx, actor, now)
        .await?;
    tx.commit().await?;
    let from_us = micros(new_from.min(old_from));
    let to_us = match (new_to, old_to) {
        (Some(a), Some(b)) => Some(micros(a.max(b))),
        _ => None,
    };
    Ok(AllocationCorrected { device: d, from_us, to_us })
}
