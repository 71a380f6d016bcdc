//! The devices' MDM SQL, written once and compiled for each backend (see `backend.rs`): `DB` and
//! the helpers come from the backend module this file is mounted in.
//!
//! The latest state each device's MDM (Intune, Android Management API) reports, and the WP034
//! 4.7 findings a state opens, or closes by itself when a later export shows the device healthy.

use super::{DB, DbRow, Tx, begin_write};
use super::{audit::Record, devices, findings};
use crate::devices::DeviceMdm;
use crate::{Actor, AuditEntry, Device, ImportSummary, NewFinding, Progress, Result, Write};
use custodian_domain::devices::mdm::{self, DevicesPack, MdmState, Verdict};
use custodian_domain::imports::{AmapiDevice, RowError};
use serde_json::{Value, json};
use sqlx::Pool;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

const MDM_SELECT: &str = "SELECT device_id, source, mdm_ref, compliance, jailbroken, encrypted, management_state, posture, \
    noncompliance, last_sync, as_of, file_sha256 FROM device_mdm";

fn rfc3339(t: Option<OffsetDateTime>) -> Option<String> {
    t.and_then(|t| t.format(&Rfc3339).ok())
}

fn mdm_from_row(r: &DbRow) -> Result<DeviceMdm> {
    crate::row::read(r)
}

/// The latest MDM state recorded for a device, if any.
pub async fn device_mdm(pool: &Pool<DB>, device: Uuid) -> Result<Option<DeviceMdm>> {
    let sql = format!("{MDM_SELECT} WHERE device_id = $1");
    sqlx::query(&sql).bind(device).fetch_optional(pool).await?.as_ref().map(mdm_from_row).transpose()
}

async fn tx_device_mdm(tx: &mut Tx<'_>, device: Uuid) -> Result<Option<DeviceMdm>> {
    let sql = format!("{MDM_SELECT} WHERE device_id = $1");
    sqlx::query(&sql).bind(device).fetch_optional(&mut **tx).await?.as_ref().map(mdm_from_row).transpose()
}

fn state_json(s: &MdmState) -> Value {
    json!({
        "source": s.source.as_str(), "mdm_ref": s.mdm_ref, "compliance": s.compliance, "jailbroken": s.jailbroken,
        "encrypted": s.encrypted, "management_state": s.management_state, "posture": s.posture,
        "noncompliance": s.noncompliance, "last_sync": rfc3339(s.last_sync),
    })
}

/// Record `st` (from the export with SHA-256 `sha`) as the device's latest MDM state, and open
/// or close its WP034 4.7 findings: a rule the state breaks opens a finding unless one is open
/// for the device already; a rule the state shows healthy closes the open one, as `resolved`,
/// audited. A state older than the one stored (an earlier export imported late) changes
/// nothing. Returns whether the stored state changed.
pub async fn apply_state(
    tx: &mut Tx<'_>,
    d: &Device,
    st: &MdmState,
    sha: &str,
    actor: &Actor,
    now: OffsetDateTime,
    sum: &mut ImportSummary,
) -> Result<bool> {
    let before = tx_device_mdm(tx, d.id).await?;
    if let Some(b) = &before
        && let (Some(stored), Some(incoming)) = (b.last_sync, st.last_sync)
        && incoming < stored
    {
        return Ok(false);
    }
    let changed = before.as_ref().is_none_or(|b| b.state() != *st);
    if changed {
        sqlx::query(
            "INSERT INTO device_mdm (device_id, source, mdm_ref, compliance, jailbroken, encrypted, management_state, posture, noncompliance, last_sync, as_of, file_sha256) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             ON CONFLICT (device_id) DO UPDATE SET source = excluded.source, mdm_ref = excluded.mdm_ref, compliance = excluded.compliance, \
             jailbroken = excluded.jailbroken, encrypted = excluded.encrypted, management_state = excluded.management_state, \
             posture = excluded.posture, noncompliance = excluded.noncompliance, last_sync = excluded.last_sync, as_of = excluded.as_of, \
             file_sha256 = excluded.file_sha256",
        )
        .bind(d.id)
        .bind(st.source.as_str())
        .bind(&st.mdm_ref)
        .bind(&st.compliance)
        .bind(st.jailbroken)
        .bind(st.encrypted)
        .bind(&st.management_state)
        .bind(&st.posture)
        .bind(serde_json::to_string(&st.noncompliance).unwrap_or_else(|_| "[]".into()))
        .bind(st.last_sync)
        .bind(now)
        .bind(sha)
        .execute(&mut **tx)
        .await?;
        AuditEntry::new("device.mdm_state", format!("device:{}", d.asset_tag))
            .clause("4.7")
            .before(before.as_ref().map(|b| state_json(&b.state())).unwrap_or(Value::Null))
            .after(state_json(st))
            .detail(json!({"sha256": sha}))
            .record(tx, actor, now)
            .await?;
    }
    let pack = DevicesPack::shipped();
    for (rule, verdict) in mdm::assess(st, now, &pack.mdm) {
        let open = sqlx::query("SELECT id, status FROM findings WHERE rule = $1 AND device_id = $2 AND status <> 'closed' ORDER BY opened_at LIMIT 1")
            .bind(rule.id)
            .bind(d.id)
            .fetch_optional(&mut **tx)
            .await?;
        let open: Option<(Uuid, String)> = open.as_ref().map(crate::row::read).transpose()?;
        match (verdict, open) {
            (Verdict::Breaks(reason), None) => {
                let f = NewFinding {
                    rule,
                    dedupe_key: format!("{}:{}:{}", rule.id, d.id, sha),
                    person_id: d.holder_id,
                    device_id: Some(d.id),
                    summary: format!("{}: {reason}", d.asset_tag),
                    evidence: json!({
                        "asset_tag": d.asset_tag, "holder_staff_number": d.holder_staff_number,
                        "export": {"source": st.source.as_str(), "sha256": sha, "imported_at": rfc3339(Some(now))},
                        "mdm": state_json(st), "reason": reason,
                        "policy_pack": {"version": pack.version, "stale_after_days": pack.mdm.stale_after_days},
                    }),
                    records: vec![format!("{}:{}", st.source.as_str(), st.mdm_ref)],
                };
                if findings::tx_raise(tx, &f, actor, now).await?.is_some() {
                    sum.findings_opened += 1;
                }
            }
            (Verdict::Healthy(reason), Some((id, status))) => {
                let reasons = format!(
                    "Resolved by a later {} export (SHA-256 {sha}, imported {}): {reason}.",
                    st.source.label(),
                    rfc3339(Some(now)).unwrap_or_default()
                );
                findings::tx_resolve(tx, id, &status, rule.clause, &reasons, actor, now).await?;
                sum.findings_closed += 1;
            }
            _ => {}
        }
    }
    Ok(changed)
}

/// Apply an Android Management API export: match devices by the resource name stored from an
/// earlier export, serial number or IMEI, record each one's MDM state and open or close its
/// WP034 4.7 findings. Devices the register does not know are reported, not dropped. One audit
/// event for the import, with the parser's warnings.
pub async fn import_amapi(
    pool: &Pool<DB>,
    items: &[AmapiDevice],
    warnings: &[RowError],
    Write { actor, now }: Write<'_>,
    file_sha256: &str,
    progress: Progress<'_>,
) -> Result<ImportSummary> {
    let mut tx = begin_write(pool).await?;
    let mut sum = ImportSummary { rows: items.len(), warnings: warnings.to_vec(), ..ImportSummary::default() };
    for (i, it) in items.iter().enumerate() {
        progress(i as u64 + 1);
        let id: Option<Uuid> = sqlx::query_scalar(
            "SELECT d.id FROM devices d LEFT JOIN device_mdm m ON m.device_id = d.id \
             WHERE (m.source = 'amapi' AND m.mdm_ref = $1) OR d.mdm_id = $1 OR ($2 IS NOT NULL AND d.serial = $2) OR ($3 IS NOT NULL AND d.imei = $3) \
             ORDER BY CASE WHEN m.mdm_ref = $1 THEN 0 ELSE 1 END LIMIT 1",
        )
        .bind(&it.name)
        .bind(&it.serial_number)
        .bind(&it.imei)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else {
            sum.unmatched.push(RowError {
                line: it.index as u64 + 1,
                field: None,
                message: format!("device {} matches no registered device by name, serial or IMEI", it.name),
            });
            continue;
        };
        let d = devices::tx_device(&mut tx, id).await?;
        if apply_state(&mut tx, &d, &MdmState::from(it), file_sha256, actor, now, &mut sum).await? {
            sum.updated += 1;
        } else {
            sum.unchanged += 1;
        }
    }
    AuditEntry::new("import.amapi", "import:amapi").clause("4.7").detail(json!({
        "sha256": file_sha256, "rows": sum.rows, "updated": sum.updated, "unchanged": sum.unchanged,
        "unmatched": sum.unmatched.len(), "findings_opened": sum.findings_opened, "findings_closed": sum.findings_closed,
        "warnings": sum.warnings,
    })).record(&mut tx, actor, now).await?;
    tx.commit().await?;
    Ok(sum)
}
