//! Re-attribution (WP034 4.1, 4.2): when a device's allocation history changes (a register import
//! with `allocated_from`, or Digital Services correcting an allocation's dates), the stored usage
//! records of that device and period are attributed again by the new history. Records whose
//! holder changed get it stored; open usage findings that held them for someone else (most often
//! `usage.unattributed`) lose them, and are closed with the outcome `reattributed` when none is
//! left; the records are judged again by the usage rules ([`Evaluator`]), so findings open for the
//! right person under the same keys a fresh import would have used. Records that lose their holder
//! become `usage.unattributed`. Day totals are per device and do not change.
//!
//! Idempotent: a second run finds no record whose holder differs and writes nothing, not even an
//! audit event. The writes go in one transaction with one `usage.reattribute` event.

use std::collections::{HashMap, HashSet};

use compact_str::CompactString;
use custodian_domain::usage::{self as usage, CarrierRecord, Evaluator, Event, Feed, UsagePack, WebRecord};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::{Group, at_rfc3339, group_finding};
use crate::{NewFinding, Result, Store, Write};

/// One stored usage record, as `usage_records` keeps it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredRecord {
    pub seq: i64,
    pub feed: String,
    pub record_id: String,
    pub start_us: i64,
    pub day: i32,
    pub device_id: Option<Uuid>,
    pub person_id: Option<Uuid>,
    pub subject: String,
    pub event: String,
    pub outgoing: bool,
    pub duration_s: i64,
    pub party: String,
    pub bytes: i64,
    pub place: String,
    pub category: String,
    pub tethered: bool,
    pub account: String,
}

/// Which records to attribute again: these devices (all when `None`), and records starting in
/// `[from_us, to_us)` where given.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReattributeScope {
    pub devices: Option<Vec<Uuid>>,
    pub from_us: Option<i64>,
    pub to_us: Option<i64>,
}

/// What one re-attribution changed.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Reattribution {
    /// Records read in the scope.
    pub records_examined: u64,
    /// Records whose holder changed.
    pub records_reattributed: u64,
    /// Open findings closed as `reattributed` (every record of theirs now has another holder).
    pub findings_closed: u64,
    /// Open findings that lost some of their records to another holder.
    pub findings_trimmed: u64,
    /// Findings opened for the records' new holders (or as unattributed).
    pub findings_opened: u64,
    /// Open findings the records were added to.
    pub findings_updated: u64,
}

/// The writes of one re-attribution, worked out before its transaction.
pub struct ReattributionPlan {
    /// The records' new holder, and their `seq`s.
    pub by_person: Vec<(Option<Uuid>, Vec<i64>)>,
    /// Record id -> new holder, for the records whose holder changed.
    pub moved: HashMap<String, Option<Uuid>>,
    /// The devices of those records (their findings are the ones to look at).
    pub devices: Vec<Uuid>,
    /// The findings the records raise now.
    pub findings: Vec<NewFinding>,
    pub examined: u64,
    pub scope: serde_json::Value,
}

/// A changed record, with what the rules found.
struct Changed {
    record: StoredRecord,
    feed: Feed,
    person: Option<Uuid>,
    verdict: usage::Verdict,
}

fn judge(ev: &Evaluator<'_>, r: &StoredRecord) -> Option<(Feed, usage::Verdict)> {
    let feed = Feed::parse(&r.feed)?;
    let v = match feed {
        Feed::Carrier => {
            let event: Event = r.event.parse().ok()?;
            let (other_party, forwarded_to) = if event == Event::Divert {
                (CompactString::default(), CompactString::from(r.party.as_str()))
            } else {
                (CompactString::from(r.party.as_str()), CompactString::default())
            };
            let party_number = CarrierRecord::judged_number(event, &other_party, &forwarded_to);
            ev.carrier(&CarrierRecord {
                line: 0,
                record_id: r.record_id.as_str().into(),
                msisdn: r.subject.as_str().into(),
                event,
                outgoing: r.outgoing,
                start_us: r.start_us,
                duration_s: r.duration_s,
                other_party,
                bytes: r.bytes,
                roaming_country: r.place.as_str().into(),
                tethered: r.tethered,
                party_number,
                forwarded_to,
            })
        }
        Feed::Web => ev.web(&WebRecord {
            line: 0,
            record_id: r.record_id.as_str().into(),
            device: r.subject.as_str().into(),
            user: r.account.as_str().into(),
            start_us: r.start_us,
            domain: r.party.as_str().into(),
            category: r.category.as_str().into(),
            bytes: r.bytes,
            wifi: r.place == "wifi",
            tethered: r.tethered,
        }),
    };
    Some((feed, v))
}

/// The record, judged, if its holder by the current history differs from the stored one. Only the
/// holder is attributed again: a record stays on the device it was stored on.
fn changed_record(ev: &Evaluator<'_>, register: &usage::Register, r: StoredRecord) -> Option<Changed> {
    let (feed, v) = judge(ev, &r)?;
    let device = v.attribution.device.map(|d| register.devices[d as usize].id);
    if device != r.device_id || v.attribution.person == r.person_id {
        return None;
    }
    Some(Changed { person: v.attribution.person, feed, verdict: v, record: r })
}

fn uuid_col(v: Option<Vec<u8>>) -> Option<Uuid> {
    v.and_then(|b| Uuid::from_slice(&b).ok())
}

/// The records in `scope` whose holder changed, read from SQLite with rusqlite (read-only).
fn sqlite_changed(
    path: &std::path::Path,
    scope: &ReattributeScope,
    pack: &UsagePack,
    register: &usage::Register,
) -> Result<(u64, Vec<Changed>)> {
    use super::rq;
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(rq)?;
    conn.busy_timeout(std::time::Duration::from_secs(30)).map_err(rq)?;
    let mut sql = String::from(
        "SELECT seq, feed, record_id, start_us, day, device_id, person_id, subject, event, outgoing, duration_s, party, \
         bytes, place, category, tethered, account FROM usage_records WHERE device_id IS NOT NULL AND start_us >= ?1 AND start_us < ?2",
    );
    if let Some(ds) = &scope.devices {
        if ds.is_empty() {
            return Ok((0, Vec::new()));
        }
        // Ids, never input text: written into the statement as literals.
        let list = ds.iter().map(|u| format!("X'{}'", hex::encode(u.as_bytes()))).collect::<Vec<_>>().join(",");
        sql.push_str(&format!(" AND device_id IN ({list})"));
    }
    let ev = Evaluator::new(pack, register);
    let mut st = conn.prepare(&sql).map_err(rq)?;
    let mut rows = st.query([scope.from_us.unwrap_or(i64::MIN), scope.to_us.unwrap_or(i64::MAX)]).map_err(rq)?;
    let (mut examined, mut changed) = (0u64, Vec::new());
    while let Some(r) = rows.next().map_err(rq)? {
        examined += 1;
        let rec = StoredRecord {
            seq: r.get(0).map_err(rq)?,
            feed: r.get(1).map_err(rq)?,
            record_id: r.get(2).map_err(rq)?,
            start_us: r.get(3).map_err(rq)?,
            day: r.get(4).map_err(rq)?,
            device_id: uuid_col(r.get(5).map_err(rq)?),
            person_id: uuid_col(r.get(6).map_err(rq)?),
            subject: r.get(7).map_err(rq)?,
            event: r.get(8).map_err(rq)?,
            outgoing: r.get(9).map_err(rq)?,
            duration_s: r.get(10).map_err(rq)?,
            party: r.get(11).map_err(rq)?,
            bytes: r.get(12).map_err(rq)?,
            place: r.get(13).map_err(rq)?,
            category: r.get(14).map_err(rq)?,
            tethered: r.get(15).map_err(rq)?,
            account: r.get(16).map_err(rq)?,
        };
        if let Some(c) = changed_record(&ev, register, rec) {
            changed.push(c);
        }
    }
    Ok((examined, changed))
}

impl Store {
    /// The stored holder of each carrier record named, in order (`None` when unknown or unheld).
    pub async fn usage_record_holders(&self, record_ids: &[&str]) -> Result<Vec<Option<Uuid>>> {
        on_read!(self, usage::record_holders(record_ids))
    }

    /// How many audit events of this action the log holds (such as `usage.reattribute`).
    pub async fn audit_events_by_action(&self, action: &str) -> Result<usize> {
        Ok(usize::try_from(on_read!(self, usage::audit_action_count(action))?).unwrap_or(0))
    }

    /// Attribute the stored usage records in `scope` again by the current allocation history,
    /// and bring the usage findings in line (see the module documentation).
    pub async fn reattribute_usage(
        &self,
        scope: &ReattributeScope,
        pack: &UsagePack,
        w: Write<'_>,
    ) -> Result<Reattribution> {
        let register = std::sync::Arc::new(self.usage_register().await?);
        let (examined, changed) = match &self.db {
            // SQLite: read on a connection of rusqlite's (sqlx's driver costs microseconds a row).
            crate::Db::Sqlite { .. } => {
                let path =
                    self.sqlite_path.clone().ok_or_else(|| crate::StoreError::Internal("no SQLite path".into()))?;
                let (register, pack, scope) = (register.clone(), std::sync::Arc::new(pack.clone()), scope.clone());
                tokio::task::spawn_blocking(move || sqlite_changed(&path, &scope, &pack, &register))
                    .await
                    .map_err(|e| crate::StoreError::Internal(format!("the re-attribution reader failed: {e}")))??
            }
            crate::Db::Postgres(_) => {
                let ev = Evaluator::new(pack, &register);
                let mut changed: Vec<Changed> = Vec::new();
                let examined = {
                    let mut f = |r: StoredRecord| {
                        if let Some(c) = changed_record(&ev, &register, r) {
                            changed.push(c);
                        }
                    };
                    on_read_once!(
                        self,
                        usage::stored_records(scope.devices.as_deref(), scope.from_us, scope.to_us, &mut f)
                    )?
                };
                (examined, changed)
            }
        };
        let mut out = Reattribution { records_examined: examined, ..Default::default() };
        if changed.is_empty() {
            return Ok(out);
        }
        out.records_reattributed = changed.len() as u64;

        let limit = pack.rules.evidence_examples;
        let mut by_person: HashMap<Option<Uuid>, Vec<i64>> = HashMap::new();
        let mut moved: HashMap<String, Option<Uuid>> = HashMap::new();
        let mut devices: HashSet<Uuid> = HashSet::new();
        let mut groups: HashMap<(Feed, String), Group> = HashMap::new();
        // Non-tethered carrier data now held by someone else, per device-day (WP034 4.5).
        let mut cellular: HashMap<(Uuid, i32), Vec<&Changed>> = HashMap::new();
        for c in &changed {
            let r = &c.record;
            by_person.entry(c.person).or_default().push(r.seq);
            moved.insert(r.record_id.clone(), c.person);
            let device = r.device_id;
            if let Some(d) = device {
                devices.insert(d);
            }
            for h in &c.verdict.hits {
                let key = usage::finding_key(h.rule, c.person, &r.subject, c.verdict.attribution.day);
                let g = groups.entry((c.feed, key)).or_insert_with(|| Group {
                    rule: h.rule,
                    person: c.person,
                    device,
                    subject: r.subject.clone(),
                    day: c.verdict.attribution.day,
                    records: Vec::new(),
                    examples: Vec::new(),
                });
                g.records.push(r.record_id.clone());
                if g.examples.len() < limit {
                    g.examples.push(json!({"record_id": r.record_id, "at": at_rfc3339(r.start_us), "what": h.what}));
                }
            }
            if let (Some(d), Some(_)) = (device, c.verdict.cellular_bytes) {
                cellular.entry((d, c.verdict.attribution.day)).or_default().push(c);
            }
        }
        let mut findings: Vec<NewFinding> = groups.into_iter().map(|((feed, _), g)| group_finding(feed, g)).collect();
        if !cellular.is_empty() {
            let daily = pack.rules.cellular_data_daily_bytes;
            let (lo, hi) = cellular.keys().fold((i32::MAX, i32::MIN), |(lo, hi), (_, d)| (lo.min(*d), hi.max(*d)));
            let over = on_read!(self, usage::cellular_over(lo, hi, i64::try_from(daily).unwrap_or(i64::MAX)))?;
            for (device, day, total, _) in over {
                let Some(recs) = cellular.get_mut(&(device, day)) else { continue };
                recs.sort_by(|a, b| {
                    (a.record.start_us, &a.record.record_id).cmp(&(b.record.start_us, &b.record.record_id))
                });
                let mut by: HashMap<Option<Uuid>, Group> = HashMap::new();
                for c in recs.iter() {
                    let g = by.entry(c.person).or_insert_with(|| Group {
                        rule: &usage::CELLULAR_DATA,
                        person: c.person,
                        device: Some(device),
                        subject: device.to_string(),
                        day,
                        records: Vec::new(),
                        examples: Vec::new(),
                    });
                    if g.examples.len() < limit {
                        g.examples.push(json!({"record_id": c.record.record_id, "at": at_rfc3339(c.record.start_us),
                            "what": usage::bytes_label(c.record.bytes.unsigned_abs())}));
                    }
                    g.records.push(c.record.record_id.clone());
                }
                for g in by.into_values() {
                    let mut f = group_finding(Feed::Carrier, g);
                    f.evidence["total_bytes"] = json!(total);
                    f.evidence["limit_bytes"] = json!(daily);
                    findings.push(f);
                }
            }
        }
        findings.sort_by(|a, b| a.dedupe_key.cmp(&b.dedupe_key));
        let mut by_person: Vec<(Option<Uuid>, Vec<i64>)> = by_person.into_iter().collect();
        by_person.sort_by_key(|(p, _)| *p);
        let mut devices: Vec<Uuid> = devices.into_iter().collect();
        devices.sort();
        let plan = ReattributionPlan {
            by_person,
            moved,
            devices,
            findings,
            examined,
            scope: serde_json::to_value(scope).unwrap_or_default(),
        };
        let (closed, trimmed, opened, updated) = on_write!(self, usage::apply_reattribution(&plan, w))?;
        out.findings_closed = closed;
        out.findings_trimmed = trimmed;
        out.findings_opened = opened;
        out.findings_updated = updated;
        Ok(out)
    }
}
