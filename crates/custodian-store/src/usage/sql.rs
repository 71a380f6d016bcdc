//! The usage SQL, written once and compiled for each backend (see `backend.rs`): `DB` and the
//! helpers come from the backend module this file is mounted in.
//!
//! Usage compliance: the reads of the register, the day totals, the finding upserts and the
//! import history. The bulk record insert is backend-specific and lives in `crate::usage`.

use super::{BULK_CACHE, DB, LOCK_HEAD, Tx, begin_write, micros, uuid_literal};
use super::{audit, findings, overseas};
use crate::{Actor, AuditEntry, NewFinding, Result, Write};
use custodian_domain::devices::DeviceType;
use custodian_domain::findings::FindingStatus;
use serde_json::{Value, json};
use sqlx::{Pool, Row};
use time::OffsetDateTime;
use uuid::Uuid;

pub async fn register(pool: &Pool<DB>) -> Result<custodian_domain::usage::Register> {
    use custodian_domain::usage::{Holding, OverseasWindow, RegDevice, Register, StreamingException};
    let mut devices: Vec<RegDevice> = Vec::new();
    let mut at: std::collections::HashMap<Uuid, usize> = std::collections::HashMap::new();
    #[derive(sqlx::FromRow)]
    struct DeviceColumns {
        id: Uuid,
        asset_tag: String,
        #[sqlx(try_from = "String")]
        device_type: DeviceType,
        imei: Option<String>,
        phone_number: Option<String>,
        mdm_id: Option<String>,
    }
    let rows: Vec<DeviceColumns> =
        sqlx::query_as("SELECT id, asset_tag, device_type, imei, phone_number, mdm_id FROM devices ORDER BY asset_tag")
            .fetch_all(pool)
            .await?;
    for r in rows {
        at.insert(r.id, devices.len());
        devices.push(RegDevice {
            id: r.id,
            asset_tag: r.asset_tag,
            device_type: r.device_type,
            imei: r.imei,
            phone_number: r.phone_number,
            mdm_id: r.mdm_id,
            holdings: Vec::new(),
        });
    }
    let rows: Vec<(Uuid, Uuid, OffsetDateTime, Option<OffsetDateTime>)> =
        sqlx::query_as("SELECT device_id, person_id, allocated_at, ended_at FROM allocations ORDER BY allocated_at")
            .fetch_all(pool)
            .await?;
    for (d, person, from, to) in rows {
        if let Some(i) = at.get(&d) {
            devices[*i].holdings.push(Holding { person, from_us: micros(from), to_us: to.map(micros) });
        }
    }
    let phones: Vec<(Uuid, String)> =
        sqlx::query_as("SELECT person_id, phone FROM personal_phones").fetch_all(pool).await?;
    let windows =
        overseas::windows(pool, Some("approved")).await?.into_iter().map(|w| w.window).collect::<Vec<OverseasWindow>>();
    let rows: Vec<(Uuid, i64, i64)> =
        sqlx::query_as("SELECT person_id, from_us, expires_us FROM streaming_exceptions").fetch_all(pool).await?;
    let streaming = rows
        .into_iter()
        .map(|(person, from_us, expires_us)| StreamingException { person, from_us, expires_us })
        .collect();
    Ok(Register::new(devices, phones, windows, streaming))
}

/// Device-days between `from_day` and `to_day` whose stored non-tethered carrier data exceeds
/// `limit` bytes (WP034 4.5): (device, day, total bytes, the lowest `seq` counted in the total),
/// one range read of the day totals.
pub async fn cellular_over(
    pool: &Pool<DB>,
    from_day: i32,
    to_day: i32,
    limit: i64,
) -> Result<Vec<(Uuid, i32, i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT device_id, day, bytes, first_seq FROM usage_cellular_days WHERE day >= $1 AND day <= $2 AND bytes > $3 \
         ORDER BY day, device_id",
    )
    .bind(from_day)
    .bind(to_day)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// Data records per (device, day): (record_id, start_us, bytes, person) in the order stored.
type CellularRecords = std::collections::HashMap<(Uuid, i32), Vec<(String, i64, i64, Option<Uuid>)>>;

/// The non-tethered carrier data records of the given device-days, read forward from `from_seq`
/// (the lowest `first_seq` of those days, so every record counted in their totals is at or after
/// it): (device, day) -> [(record_id, start_us, bytes, person)] in the order they were stored.
pub async fn cellular_records(
    pool: &Pool<DB>,
    days: &std::collections::HashSet<(Uuid, i32)>,
    from_seq: i64,
) -> Result<CellularRecords> {
    use futures_util::TryStreamExt;
    let (lo, hi) = days.iter().fold((i32::MAX, i32::MIN), |(lo, hi), (_, d)| (lo.min(*d), hi.max(*d)));
    let mut out = CellularRecords::new();
    if days.is_empty() {
        return Ok(out);
    }
    // The device-days go into the statement as literals (ids and day numbers, never input text),
    // so the database hands over the records of those days only: not the other days of the same
    // devices, which on a bill with many heavy days are most of its data records.
    let pairs: std::collections::BTreeSet<(i32, Uuid)> = days.iter().map(|(d, day)| (*day, *d)).collect();
    let list = pairs.iter().map(|(day, d)| format!("({day},{})", uuid_literal(d))).collect::<Vec<_>>().join(",");
    let sql = format!(
        "SELECT device_id, day, record_id, start_us, bytes, person_id FROM usage_records \
         WHERE seq >= $1 AND day >= $2 AND day <= $3 AND event = 'data' AND NOT tethered \
         AND (day, device_id) IN (VALUES {list}) ORDER BY seq"
    );
    let mut rows = sqlx::query_as::<_, (Uuid, i32, String, i64, i64, Option<Uuid>)>(&sql)
        .bind(from_seq)
        .bind(lo)
        .bind(hi)
        .fetch(pool);
    while let Some((device, day, record_id, start_us, bytes, person)) = rows.try_next().await? {
        let key = (device, day);
        if days.contains(&key) {
            out.entry(key).or_default().push((record_id, start_us, bytes, person));
        }
    }
    Ok(out)
}

/// Open a finding for a group of breaches, or add the group's new records to the open finding with
/// the same key. A closed finding is never reopened or changed: new records for its key open a
/// follow-up finding. Returns (opened, updated).
///
/// Keys that already have a finding go one by one; the rest (most of a new billing file's) are
/// opened together: multi-row inserts and one audit append per few hundred findings.
pub async fn upsert_usage_findings(
    pool: &Pool<DB>,
    fs: &[NewFinding],
    Write { actor, now }: Write<'_>,
) -> Result<(u64, u64)> {
    let mut tx = begin_write(pool).await?;
    // The findings are read, merged and written back: take the audit head's lock (every audited
    // write takes it) before reading them, so two imports adding records to the same finding
    // take turns instead of one overwriting the other's records (PostgreSQL; a SQLite write
    // transaction already holds the database's write lock from its start).
    sqlx::query(LOCK_HEAD).fetch_one(&mut *tx).await?;
    let r = tx_upsert_usage_findings(&mut tx, fs, actor, now).await?;
    tx.commit().await?;
    Ok(r)
}

/// [`upsert_usage_findings`] inside the caller's transaction, which holds the audit head's lock.
pub async fn tx_upsert_usage_findings(
    tx: &mut Tx<'_>,
    fs: &[NewFinding],
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<(u64, u64)> {
    const CHUNK: usize = 256;
    let mut known: std::collections::HashSet<String> = std::collections::HashSet::new();
    for chunk in fs.chunks(CHUNK) {
        let mut q = sqlx::QueryBuilder::<DB>::new("SELECT dedupe_key FROM findings WHERE dedupe_key IN (");
        let mut list = q.separated(", ");
        for f in chunk {
            list.push_bind(f.dedupe_key.clone());
        }
        list.push_unseparated(")");
        let found: Vec<(String,)> = q.build_query_as().fetch_all(&mut **tx).await?;
        known.extend(found.into_iter().map(|(k,)| k));
    }
    let (mut opened, mut updated) = (0, 0);
    let mut fresh: Vec<&NewFinding> = Vec::new();
    let mut later: Vec<&NewFinding> = Vec::new();
    for f in fs {
        if known.contains(&f.dedupe_key) {
            later.push(f);
        } else {
            known.insert(f.dedupe_key.clone());
            fresh.push(f);
        }
    }
    for chunk in fresh.chunks(CHUNK) {
        let ids: Vec<Uuid> = chunk.iter().map(|_| Uuid::now_v7()).collect();
        let mut q = sqlx::QueryBuilder::<DB>::new(
            "INSERT INTO findings (id, rule, clause, dedupe_key, person_id, device_id, summary, evidence, records, severity, status, opened_at, updated_at) ",
        );
        q.push_values(chunk.iter().zip(&ids), |mut b, (f, id)| {
            b.push_bind(*id)
                .push_bind(f.rule.id)
                .push_bind(f.rule.clause)
                .push_bind(f.dedupe_key.clone())
                .push_bind(f.person_id)
                .push_bind(f.device_id)
                .push_bind(f.summary.clone())
                .push_bind(f.evidence.to_string())
                .push_bind(serde_json::to_string(&f.records).unwrap_or_else(|_| "[]".into()))
                .push_bind(f.rule.severity.as_str())
                .push_bind("open")
                .push_bind(now)
                .push_bind(now);
        });
        q.push(" ON CONFLICT (dedupe_key) DO NOTHING RETURNING id");
        let stored: std::collections::HashSet<Uuid> =
            q.build_query_scalar::<Uuid>().fetch_all(&mut **tx).await?.into_iter().collect();
        let mut events = Vec::with_capacity(stored.len());
        for (f, id) in chunk.iter().zip(&ids) {
            if stored.contains(id) {
                events.push(
                    AuditEntry::new("finding.open", format!("finding:{id}"))
                        .clause(f.rule.clause)
                        .after(json!({"rule": f.rule.id, "summary": f.summary, "records": f.records})),
                );
            } else {
                // Opened by someone else since the look-up above: merge into it one by one.
                later.push(f);
            }
        }
        opened += events.len() as u64;
        audit::audit_batch(tx, actor, now, events).await?;
    }
    for f in later {
        let (o, u) = tx_upsert_usage_finding(tx, f, actor, now).await?;
        opened += u64::from(o);
        updated += u64::from(u);
    }
    Ok((opened, updated))
}

async fn tx_upsert_usage_finding(
    tx: &mut Tx<'_>,
    f: &NewFinding,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<(bool, bool)> {
    let mut key = f.dedupe_key.clone();
    for n in 1.. {
        let row: Option<(Uuid, String, String, String)> =
            sqlx::query_as("SELECT id, status, records, evidence FROM findings WHERE dedupe_key = $1")
                .bind(&key)
                .fetch_optional(&mut **tx)
                .await?;
        let Some((id, status, records, evidence)) = row else { break };
        let records: Vec<String> = crate::error::stored_json("records", &records)?;
        let seen: std::collections::HashSet<&str> = records.iter().map(String::as_str).collect();
        let new: Vec<&String> = f.records.iter().filter(|r| !seen.contains(r.as_str())).collect();
        if new.is_empty() {
            return Ok((false, false));
        }
        if status == FindingStatus::Closed.as_str() {
            key = format!("{}#{n}", f.dedupe_key);
            continue;
        }
        let mut all = records.clone();
        all.extend(new.iter().map(|s| (*s).clone()));
        let mut evidence: Value = crate::error::stored_json("evidence", &evidence)?;
        merge_evidence(&mut evidence, &f.evidence, all.len());
        let summary = finding_summary(f.rule, all.len(), &evidence);
        sqlx::query("UPDATE findings SET records = $1, evidence = $2, summary = $3, updated_at = $4 WHERE id = $5")
            .bind(serde_json::to_string(&all).unwrap_or_else(|_| "[]".into()))
            .bind(evidence.to_string())
            .bind(&summary)
            .bind(now)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        audit::audit(
            tx,
            actor,
            now,
            AuditEntry::new("finding.evidence", format!("finding:{id}"))
                .clause(f.rule.clause)
                .after(json!({"rule": f.rule.id, "added": new, "records": all.len()})),
        )
        .await?;
        return Ok((false, true));
    }
    let f = NewFinding { dedupe_key: key, ..f.clone() };
    let opened = findings::tx_raise(tx, &f, actor, now).await?.is_some();
    Ok((opened, false))
}

/// Add the examples of `add` to `into` (up to the pack's limit) and set the count.
fn merge_evidence(into: &mut Value, add: &Value, count: usize) {
    let limit = custodian_domain::usage::UsagePack::shipped().rules.evidence_examples;
    if !into.is_object() {
        *into = add.clone();
    }
    let extra: Vec<Value> = add.get("examples").and_then(Value::as_array).cloned().unwrap_or_default();
    if let Some(ex) = into.get_mut("examples").and_then(Value::as_array_mut) {
        for e in extra {
            if ex.len() >= limit {
                break;
            }
            if !ex.contains(&e) {
                ex.push(e);
            }
        }
    }
    if let Some(total) = add.get("total_bytes") {
        into["total_bytes"] = total.clone();
    }
    into["count"] = json!(count);
}

/// The one-line summary a finding list shows.
pub fn finding_summary(rule: &custodian_domain::findings::Rule, count: usize, evidence: &Value) -> String {
    let day = evidence.get("day").and_then(Value::as_str).unwrap_or("");
    let plural = if count == 1 { "record" } else { "records" };
    format!("{}: {count} {plural} on {day}", rule.title)
}

/// How often this person broke this rule in the 90 days up to `now` (WP034 4.10b): findings and
/// the records they hold.
pub async fn frequency(pool: &Pool<DB>, person: Uuid, rule: &str, now: OffsetDateTime) -> Result<(u64, u64)> {
    let since = now - time::Duration::days(90);
    let rows: Vec<String> =
        sqlx::query_scalar("SELECT records FROM findings WHERE person_id = $1 AND rule = $2 AND opened_at >= $3")
            .bind(person)
            .bind(rule)
            .bind(since)
            .fetch_all(pool)
            .await?;
    let mut records = 0u64;
    for s in &rows {
        records += serde_json::from_str::<Vec<Value>>(s).map(|v| v.len() as u64).unwrap_or(0);
    }
    Ok((rows.len() as u64, records))
}

pub async fn import_runs(pool: &Pool<DB>, limit: i64) -> Result<Vec<crate::usage::UsageImportRun>> {
    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT at_us, actor, subject, detail FROM audit_events WHERE action = 'usage.import' ORDER BY seq DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(at, actor, subject, detail)| {
            Ok(crate::usage::UsageImportRun {
                run: subject.strip_prefix("usage_import:").unwrap_or(&subject).to_string(),
                at: OffsetDateTime::from_unix_timestamp_nanos(i128::from(at) * 1000)
                    .unwrap_or(OffsetDateTime::UNIX_EPOCH),
                actor,
                detail: crate::error::stored_json("detail", &detail)?,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Re-attribution after the allocation history changed (WP034 4.1, 4.2): see `usage/reattribute.rs`.

/// Stream the stored records of these devices (all when `None`) that have a device, with
/// `from_us <= start_us < to_us` where given, to `f`. Returns how many were read.
pub async fn stored_records(
    pool: &Pool<DB>,
    devices: Option<&[Uuid]>,
    from_us: Option<i64>,
    to_us: Option<i64>,
    f: &mut (dyn FnMut(crate::usage::StoredRecord) + Send),
) -> Result<u64> {
    use futures_util::TryStreamExt;
    let mut sql = String::from(
        "SELECT seq, feed, record_id, start_us, day, device_id, person_id, subject, event, outgoing, duration_s, party, \
         bytes, place, category, tethered, account FROM usage_records WHERE device_id IS NOT NULL AND start_us >= $1 AND start_us < $2",
    );
    if let Some(ds) = devices {
        if ds.is_empty() {
            return Ok(0);
        }
        // Ids, never input text: written into the statement as literals.
        let list = ds.iter().map(uuid_literal).collect::<Vec<_>>().join(",");
        sql.push_str(&format!(" AND device_id IN ({list})"));
    }
    let mut rows = sqlx::query_as::<_, crate::usage::StoredRecord>(&sql)
        .bind(from_us.unwrap_or(i64::MIN))
        .bind(to_us.unwrap_or(i64::MAX))
        .fetch(pool);
    let mut n = 0;
    while let Some(r) = rows.try_next().await? {
        n += 1;
        f(r);
    }
    Ok(n)
}

/// Apply a re-attribution in one transaction: the records' new holders, the open usage findings
/// that held records now attributed to someone else (trimmed, or closed as `reattributed` when
/// none is left), the findings the records now raise, and one `usage.reattribute` event with the
/// counts. Returns (closed, trimmed, opened, updated).
pub async fn apply_reattribution(
    pool: &Pool<DB>,
    plan: &crate::usage::ReattributionPlan,
    Write { actor, now }: Write<'_>,
) -> Result<(u64, u64, u64, u64)> {
    const CHUNK: usize = 500;
    let mut tx = begin_write(pool).await?;
    sqlx::query(LOCK_HEAD).fetch_one(&mut *tx).await?;
    if let Some((large, _)) = BULK_CACHE {
        sqlx::query(large).execute(&mut *tx).await?;
    }
    // Up to 10,000 ids a statement: within both databases' limits on bound parameters.
    for (person, seqs) in &plan.by_person {
        for chunk in seqs.chunks(10_000) {
            let mut q = sqlx::QueryBuilder::<DB>::new("UPDATE usage_records SET person_id = ");
            q.push_bind(*person);
            q.push(" WHERE seq IN (");
            let mut list = q.separated(", ");
            for s in chunk {
                list.push_bind(*s);
            }
            list.push_unseparated(")");
            q.build().execute(&mut *tx).await?;
        }
        // Where a subject access export will find these records now (`usage_person_spans`): one
        // span per run of consecutive `seq`.
        if let Some(person) = person {
            let runs = crate::usage::seq_runs(seqs);
            for chunk in runs.chunks(1_000) {
                let mut q =
                    sqlx::QueryBuilder::<DB>::new("INSERT INTO usage_person_spans (first_seq, person_id, last_seq) ");
                q.push_values(chunk, |mut b, (first, last)| {
                    b.push_bind(*first).push_bind(*person).push_bind(*last);
                });
                q.push(
                    " ON CONFLICT (first_seq, person_id) DO UPDATE SET last_seq = CASE \
                     WHEN excluded.last_seq > usage_person_spans.last_seq THEN excluded.last_seq ELSE usage_person_spans.last_seq END",
                );
                q.build().execute(&mut *tx).await?;
            }
        }
    }
    let (mut closed, mut trimmed) = (0u64, 0u64);
    let (mut to_close, mut trimmed_ids): (Vec<Uuid>, Vec<Uuid>) = (Vec::new(), Vec::new());
    let reasons = "Closed by Custodian: the register's allocation history was corrected and these records were attributed again (WP034 4.1)";
    for chunk in plan.devices.chunks(CHUNK) {
        let list = chunk.iter().map(uuid_literal).collect::<Vec<_>>().join(",");
        let rows: Vec<(Uuid, String, Option<Uuid>, String, String)> = sqlx::query_as(&format!(
            "SELECT id, rule, person_id, records, evidence FROM findings WHERE status = 'open' AND rule LIKE 'usage.%' \
             AND device_id IN ({list}) ORDER BY id"
        ))
        .fetch_all(&mut *tx)
        .await?;
        for (id, rule, person, records, evidence) in rows {
            let records: Vec<String> = crate::error::stored_json("records", &records)?;
            let (gone, kept): (Vec<String>, Vec<String>) =
                records.into_iter().partition(|rid| plan.moved.get(rid.as_str()).is_some_and(|p| *p != person));
            if gone.is_empty() {
                continue;
            }
            if kept.is_empty() {
                to_close.push(id);
                closed += 1;
            } else {
                let mut evidence: Value = crate::error::stored_json("evidence", &evidence)?;
                if let Some(ex) = evidence.get_mut("examples").and_then(Value::as_array_mut) {
                    ex.retain(|e| {
                        !e.get("record_id").and_then(Value::as_str).is_some_and(|rid| gone.iter().any(|g| g == rid))
                    });
                }
                evidence["count"] = json!(kept.len());
                let summary = custodian_domain::usage::rule(&rule).map(|ru| finding_summary(ru, kept.len(), &evidence));
                sqlx::query("UPDATE findings SET records = $1, evidence = $2, summary = COALESCE($3, summary), updated_at = $4 WHERE id = $5")
                    .bind(serde_json::to_string(&kept).unwrap_or_else(|_| "[]".into()))
                    .bind(evidence.to_string())
                    .bind(summary)
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                trimmed_ids.push(id);
                trimmed += 1;
            }
        }
    }
    for chunk in to_close.chunks(CHUNK) {
        let mut q = sqlx::QueryBuilder::<DB>::new("UPDATE findings SET status = 'closed', outcome = ");
        q.push_bind(custodian_domain::findings::Outcome::Reattributed.as_str());
        q.push(", reasons = ").push_bind(reasons);
        q.push(", closed_at = ").push_bind(now);
        q.push(", updated_at = ").push_bind(now);
        q.push(" WHERE id IN (");
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        list.push_unseparated(")");
        q.build().execute(&mut *tx).await?;
    }
    let (opened, updated) = tx_upsert_usage_findings(&mut tx, &plan.findings, actor, now).await?;
    audit::audit(
        &mut tx,
        actor,
        now,
        AuditEntry::new("usage.reattribute", "usage:reattribute").clause("4.1").detail(json!({
            "scope": plan.scope,
            "records_examined": plan.examined,
            "records_reattributed": plan.by_person.iter().map(|(_, s)| s.len()).sum::<usize>(),
            "findings_closed": closed,
            "findings_trimmed": trimmed,
            "findings_opened": opened,
            "findings_updated": updated,
            "devices": plan.devices.len(),
            // The closed and trimmed findings carry the outcome, reasons and time themselves; the
            // run's one event names them when there are few, and counts them always.
            "closed": if to_close.len() <= 100 { json!(to_close) } else { json!(null) },
            "trimmed": if trimmed_ids.len() <= 100 { json!(trimmed_ids) } else { json!(null) },
            "clauses": ["4.1", "4.2"],
        })),
    )
    .await?;
    tx.commit().await?;
    if let Some((_, default)) = BULK_CACHE {
        sqlx::query(default).execute(pool).await?;
    }
    Ok((closed, trimmed, opened, updated))
}

/// The stored holder of each carrier record named (`None` for an unknown record or no holder).
pub async fn record_holders(pool: &Pool<DB>, ids: &[&str]) -> Result<Vec<Option<Uuid>>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let p: Option<Option<Uuid>> =
            sqlx::query_scalar("SELECT person_id FROM usage_records WHERE feed = 'carrier' AND record_id = $1")
                .bind(*id)
                .fetch_optional(pool)
                .await?;
        out.push(p.flatten());
    }
    Ok(out)
}

/// How many audit events of this action there are.
pub async fn audit_action_count(pool: &Pool<DB>, action: &str) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = $1").bind(action).fetch_one(pool).await?)
}

// ---------------------------------------------------------------------------------------------
// Out-of-hours expectations (WP034 4.11): per team and month, the share of calls and messages
// from a manager's force devices to their reports' force devices outside working hours. Only
// aggregates leave this function, and only for teams of at least `hours.min_team` people.

pub async fn out_of_hours(
    pool: &Pool<DB>,
    hours: &custodian_domain::usage::WorkingHours,
    business_area: Option<Uuid>,
    from_us: i64,
    to_us: i64,
) -> Result<Vec<crate::usage::TeamOutOfHours>> {
    use custodian_domain::usage::{TeamMonth, london_month};
    use futures_util::TryStreamExt;
    use std::collections::{BTreeMap, HashMap};
    let mut tx = super::begin_read(pool).await?;
    // Teams: a line manager's active reports.
    let mut teams: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for r in
        sqlx::query("SELECT id, line_manager_id FROM people WHERE status = 'active' AND line_manager_id IS NOT NULL")
            .fetch_all(&mut *tx)
            .await?
    {
        let (id, manager): (Uuid, Uuid) = (r.try_get("id")?, r.try_get("line_manager_id")?);
        teams.entry(manager).or_default().push(id);
    }
    teams.retain(|_, people| people.len() >= hours.min_team);
    let mut out: Vec<crate::usage::TeamOutOfHours> = Vec::new();
    let mut index: HashMap<Uuid, usize> = HashMap::new();
    let mut manager_of: HashMap<Uuid, Uuid> = HashMap::new();
    for (manager, people) in &teams {
        let m = sqlx::query(
            "SELECT p.name, p.staff_number, p.business_area_id, b.name AS area FROM people p \
             JOIN business_areas b ON b.id = p.business_area_id WHERE p.id = $1",
        )
        .bind(manager)
        .fetch_one(&mut *tx)
        .await?;
        let area_id: Uuid = m.try_get("business_area_id")?;
        if business_area.is_some_and(|a| a != area_id) {
            continue;
        }
        index.insert(*manager, out.len());
        for p in people {
            manager_of.insert(*p, *manager);
        }
        out.push(crate::usage::TeamOutOfHours {
            manager_id: *manager,
            manager: m.try_get("name")?,
            staff_number: m.try_get("staff_number")?,
            business_area: m.try_get("area")?,
            team_size: people.len() as i64,
            months: Vec::new(),
        });
    }
    if out.is_empty() {
        return Ok(out);
    }
    // The reports' force numbers, with when each was theirs.
    let mut numbers: HashMap<String, Vec<(Uuid, i64, i64)>> = HashMap::new();
    for r in sqlx::query(
        "SELECT d.phone_number, a.person_id, a.allocated_at, a.ended_at FROM allocations a \
         JOIN devices d ON d.id = a.device_id WHERE d.phone_number IS NOT NULL",
    )
    .fetch_all(&mut *tx)
    .await?
    {
        let person: Uuid = r.try_get("person_id")?;
        if !manager_of.contains_key(&person) {
            continue;
        }
        let number: String = r.try_get("phone_number")?;
        let from: OffsetDateTime = r.try_get("allocated_at")?;
        let to: Option<OffsetDateTime> = r.try_get("ended_at")?;
        let Some(e164) = custodian_domain::numbers::e164(&number) else { continue };
        numbers.entry(e164.to_string()).or_default().push((person, micros(from), to.map_or(i64::MAX, micros)));
    }
    // The managers' outgoing calls and messages from their force devices, month by month.
    let mut months: Vec<BTreeMap<time::Date, (u64, u64)>> = vec![BTreeMap::new(); out.len()];
    let mut rows = sqlx::query(
        "SELECT person_id, start_us, party FROM usage_records WHERE feed = 'carrier' AND outgoing \
         AND (event = 'call' OR event = 'sms' OR event = 'mms') AND device_id IS NOT NULL \
         AND person_id IS NOT NULL AND start_us >= $1 AND start_us < $2",
    )
    .bind(from_us)
    .bind(to_us)
    .fetch(&mut *tx);
    while let Some(r) = rows.try_next().await? {
        let caller: Uuid = r.try_get("person_id")?;
        let Some(&at) = index.get(&caller) else { continue };
        let start: i64 = r.try_get("start_us")?;
        let party: String = r.try_get("party")?;
        let Some(e164) = custodian_domain::numbers::e164(&party) else { continue };
        let Some(holders) = numbers.get(e164.as_str()) else { continue };
        let to_report =
            holders.iter().any(|(p, from, to)| *from <= start && start < *to && manager_of.get(p) == Some(&caller));
        if !to_report {
            continue;
        }
        let e = months[at].entry(london_month(start)).or_insert((0, 0));
        e.0 += 1;
        if hours.outside(start) {
            e.1 += 1;
        }
    }
    drop(rows);
    for (team, m) in out.iter_mut().zip(months) {
        team.months = m.into_iter().map(|(month, (total, outside))| TeamMonth { month, total, outside }).collect();
    }
    out.sort_by(|a, b| a.business_area.cmp(&b.business_area).then(a.manager.cmp(&b.manager)));
    Ok(out)
}
