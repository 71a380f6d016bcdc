//! Usage compliance in the store (WP034 4.1, 4.2, 4.5, 4.6, 4.9, 4.12): the bulk import of carrier
//! billing and web gateway files, and the approvals the rules consult.
//!
//! An import streams: one thread parses and applies the rules, another writes batches, so memory
//! does not grow with the file. Each batch commits in one transaction together with its audit
//! event (`usage.import.batch`), so a killed import loses no committed row and the re-run skips
//! what is already there (records are keyed by feed and the supplier's record id). The run ends
//! with the findings (grouped per person, rule and Europe/London day) and one `usage.import`
//! event carrying the file's SHA-256 and the counts.
//!
//! On SQLite the batches go through `rusqlite` with prepared multi-row inserts: sqlx's SQLite
//! driver costs about ten microseconds a row, too slow for billing files of millions of rows. The
//! writer commits without waiting for the disk and leaves checkpoints to a thread of their own;
//! SQLite flushes the log to disk before the run reports anything (see `sqlite_writer`).
//! PostgreSQL takes each batch as one `INSERT … SELECT FROM UNNEST(…)`.
//!
//! WP034 4.5 (more than 1 GiB of carrier data on one device in a day) is judged on
//! `usage_cellular_days`, the day totals, counting only the records stored; the records behind a
//! day over the limit are read forward from the lowest `seq` counted in its total. PostgreSQL adds
//! to the totals in each batch's own statement. SQLite sums the run in memory and adds it at the
//! end (sooner for files touching very many device-days), moving a mark that says which records
//! the totals count; a killed run's records above the mark are counted by the next import before it
//! starts. Imports into one SQLite database take turns, holding a lock file beside it.

mod reattribute;

pub use reattribute::{ReattributeScope, Reattribution, ReattributionPlan, StoredRecord};

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::sync::Arc;

use compact_str::CompactString;
use custodian_domain::usage::{
    self as usage, Evaluator, Feed, FeedReader, Profile, Register, Rejected, UsagePack, Verdict,
};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::backend::{postgres, sqlite};
use crate::{Actor, AuditEntry, Db, NewFinding, Result, Store, StoreError, Write};

/// Rows per committed batch.
pub const BATCH_ROWS: usize = 25_000;
/// Rows per INSERT statement on SQLite (at most 13 parameters each, well under SQLite's limit).
const SQLITE_ROWS_PER_STATEMENT: usize = 256;

/// The outcome of one import run.
#[derive(Debug, Clone, Serialize)]
pub struct UsageImport {
    pub run_id: Uuid,
    pub feed: Feed,
    /// Data rows read (not counting the header).
    pub rows: u64,
    /// Rows stored by this run.
    pub imported: u64,
    /// Valid rows already stored (same feed and record id).
    pub duplicates: u64,
    /// Rows refused, with line and reason; they were not stored.
    pub rejected: Vec<Rejected>,
    pub file_sha256: String,
    pub findings_opened: u64,
    pub findings_updated: u64,
    pub pack_version: u32,
    /// Records of a registered device from before its first allocation: nobody held it then by
    /// the register, so they are unattributed. Import the register with `allocated_from`
    /// (WP034 4.1) and they are attributed again.
    pub before_first_allocation: u64,
}

/// One usage import run, as its `usage.import` audit event recorded it.
#[derive(Debug, Clone, Serialize)]
pub struct UsageImportRun {
    pub run: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor: String,
    pub detail: serde_json::Value,
}

/// One record ready to store (its text inline when short, as the reader gave it).
struct Row {
    record_id: CompactString,
    start_us: i64,
    day: i32,
    device_id: Option<Uuid>,
    person_id: Option<Uuid>,
    subject: CompactString,
    event: &'static str,
    outgoing: bool,
    duration_s: i64,
    party: CompactString,
    bytes: i64,
    place: CompactString,
    category: CompactString,
    tethered: bool,
    account: CompactString,
}

struct Batch {
    rows: Vec<Row>,
    first_line: u64,
    last_line: u64,
    /// Non-tethered carrier data per (day, device) in `rows` (WP034 4.5), sorted: what the batch
    /// adds to `usage_cellular_days` when every row is new.
    days: Vec<(i32, Uuid, i64)>,
    /// Each attributed person's rows: `rows[start..end]` (see [`Batch::grouped`]).
    people: Vec<(Uuid, usize, usize)>,
}

impl Batch {
    fn new() -> Self {
        Batch {
            rows: Vec::with_capacity(BATCH_ROWS),
            first_line: 0,
            last_line: 0,
            days: Vec::new(),
            people: Vec::new(),
        }
    }

    /// Sum the batch's non-tethered carrier data per day and device (done by the parsing thread,
    /// so the writer only stores the totals).
    fn with_day_totals(mut self) -> Self {
        let mut t: HashMap<(i32, Uuid), i64> = HashMap::new();
        for r in &self.rows {
            if let (Some(d), "data", false) = (r.device_id, r.event, r.tethered) {
                *t.entry((r.day, d)).or_default() += r.bytes;
            }
        }
        let mut days: Vec<(i32, Uuid, i64)> = t.into_iter().map(|((day, d), b)| (day, d, b)).collect();
        days.sort_unstable();
        self.days = days;
        self.grouped()
    }

    /// Put each person's rows next to each other (in the order the file gave them), so that the
    /// records a batch stores for one person take consecutive `seq` values and one span of
    /// `usage_person_spans` finds them all (subject access, UK GDPR Art. 15). Each row is moved
    /// once; unattributed rows come last.
    fn grouped(mut self) -> Self {
        let mut slot: HashMap<Uuid, usize> = HashMap::new();
        let mut groups: Vec<(Uuid, Vec<Row>)> = Vec::new();
        let mut rest: Vec<Row> = Vec::new();
        for r in self.rows.drain(..) {
            match r.person_id {
                Some(p) => {
                    let i = *slot.entry(p).or_insert_with(|| {
                        groups.push((p, Vec::new()));
                        groups.len() - 1
                    });
                    groups[i].1.push(r);
                }
                None => rest.push(r),
            }
        }
        for (p, g) in groups {
            let start = self.rows.len();
            self.rows.extend(g);
            self.people.push((p, start, self.rows.len()));
        }
        self.rows.extend(rest);
        self
    }

    /// The `seq` range holding each person's records once the batch is stored with `seq` values
    /// `before + 1 ..= last`, its rows inserted in order. When all rows were new the ranges are
    /// exact; when some were already stored (and so took no `seq`), each range is widened by that
    /// many on the low side, which still holds every record of that person the batch stored.
    fn person_spans(&self, before: i64, last: i64) -> Vec<(i64, Uuid, i64)> {
        let skipped = self.rows.len() as i64 - (last - before);
        self.people
            .iter()
            .filter_map(|&(p, start, end)| {
                let first = (before + 1 + start as i64 - skipped.max(0)).max(before + 1);
                let upto = (before + end as i64).min(last);
                (first <= upto).then_some((first, p, upto))
            })
            .collect()
    }
}

/// The breaches of one rule by one person (or unattributed device) on one day.
struct Group {
    rule: &'static custodian_domain::findings::Rule,
    person: Option<Uuid>,
    device: Option<Uuid>,
    subject: String,
    day: i32,
    records: Vec<String>,
    examples: Vec<Value>,
}

struct Parsed {
    rows: u64,
    before_first_allocation: u64,
    rejected: Vec<Rejected>,
    sha256: String,
    groups: HashMap<String, Group>,
    cellular: HashSet<(Uuid, i32)>,
}

/// Hashes everything read through it.
struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

fn at_rfc3339(us: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

impl Parsed {
    fn note(&mut self, v: &Verdict, register: &Register, record_id: &str, subject: &str, start_us: i64, limit: usize) {
        let device = v.attribution.device.map(|d| register.devices[d as usize].id);
        if let (Some(d), None) = (v.attribution.device, v.attribution.person)
            && register.devices[d as usize].before_first_allocation(start_us)
        {
            self.before_first_allocation += 1;
        }
        for h in &v.hits {
            let key = usage::finding_key(h.rule, v.attribution.person, subject, v.attribution.day);
            let g = self.groups.entry(key).or_insert_with(|| Group {
                rule: h.rule,
                person: v.attribution.person,
                device,
                subject: subject.to_string(),
                day: v.attribution.day,
                records: Vec::new(),
                examples: Vec::new(),
            });
            g.records.push(record_id.to_string());
            if g.examples.len() < limit {
                g.examples.push(json!({"record_id": record_id, "at": at_rfc3339(start_us), "what": h.what}));
            }
        }
        if let (Some(d), Some(_)) = (device, v.cellular_bytes) {
            self.cellular.insert((d, v.attribution.day));
        }
    }
}

/// Parse and evaluate the whole file, sending batches of rows to the writer.
fn parse_and_evaluate(
    feed: Feed,
    input: Box<dyn Read + Send>,
    profile: Option<Profile>,
    pack: &UsagePack,
    register: &Register,
    out: tokio::sync::mpsc::Sender<Batch>,
    progress: &(dyn Fn(u64) + Send + Sync),
) -> Result<Parsed> {
    let mut reader = HashingReader { inner: input, hasher: Sha256::new() };
    let mut parsed = Parsed {
        rows: 0,
        before_first_allocation: 0,
        rejected: Vec::new(),
        sha256: String::new(),
        groups: HashMap::new(),
        cellular: HashSet::new(),
    };
    let ev = Evaluator::new(pack, register);
    let limit = pack.rules.evidence_examples;
    {
        let mut fr = FeedReader::new(&mut reader, feed, profile.as_ref())
            .map_err(|e| StoreError::invalid_line(e.line, None, e.reason))?;
        let mut batch = Batch::new();
        loop {
            // A row the reader could not read is counted and rejected, whatever the feed.
            let next = match feed {
                Feed::Carrier => fr.next_carrier().map(|r| {
                    r.map(|r| {
                        let v = ev.carrier(&r);
                        parsed.note(&v, register, &r.record_id, &r.msisdn, r.start_us, limit);
                        let party = if r.event == usage::Event::Divert { r.forwarded_to } else { r.other_party };
                        (
                            Row {
                                device_id: v.attribution.device.map(|d| register.devices[d as usize].id),
                                person_id: v.attribution.person,
                                day: v.attribution.day,
                                record_id: r.record_id,
                                start_us: r.start_us,
                                subject: r.msisdn,
                                event: r.event.as_str(),
                                outgoing: r.outgoing,
                                duration_s: r.duration_s,
                                party,
                                bytes: r.bytes,
                                place: r.roaming_country,
                                category: CompactString::default(),
                                tethered: r.tethered,
                                account: CompactString::default(),
                            },
                            r.line,
                        )
                    })
                }),
                Feed::Web => fr.next_web().map(|r| {
                    r.map(|r| {
                        let v = ev.web(&r);
                        parsed.note(&v, register, &r.record_id, &r.device, r.start_us, limit);
                        (
                            Row {
                                device_id: v.attribution.device.map(|d| register.devices[d as usize].id),
                                person_id: v.attribution.person,
                                day: v.attribution.day,
                                record_id: r.record_id,
                                start_us: r.start_us,
                                subject: r.device,
                                event: "web",
                                outgoing: true,
                                duration_s: 0,
                                party: r.domain,
                                bytes: r.bytes,
                                place: if r.wifi { "wifi".into() } else { "cellular".into() },
                                category: r.category,
                                tethered: r.tethered,
                                account: r.user,
                            },
                            r.line,
                        )
                    })
                }),
            };
            let Some(next) = next else { break };
            parsed.rows += 1;
            let (row, line) = match next {
                Err(e) => {
                    parsed.rejected.push(e);
                    continue;
                }
                Ok(row) => row,
            };
            if batch.rows.is_empty() {
                batch.first_line = line;
            }
            batch.last_line = line;
            batch.rows.push(row);
            if batch.rows.len() >= BATCH_ROWS {
                let full = std::mem::replace(&mut batch, Batch::new()).with_day_totals();
                if out.blocking_send(full).is_err() {
                    return Err(StoreError::Internal("the database writer stopped".into()));
                }
            }
            if parsed.rows.is_multiple_of(8192) {
                progress(parsed.rows);
            }
        }
        if !batch.rows.is_empty() && out.blocking_send(batch.with_day_totals()).is_err() {
            return Err(StoreError::Internal("the database writer stopped".into()));
        }
    }
    progress(parsed.rows);
    // Hash whatever the CSV reader left unread (nothing, normally).
    std::io::copy(&mut reader, &mut std::io::sink())
        .map_err(|e| StoreError::Invalid(format!("reading the file: {e}")))?;
    parsed.sha256 = hex::encode(reader.hasher.finalize());
    Ok(parsed)
}

fn batch_entry(run_id: Uuid, feed: Feed, b: &Batch, imported: u64) -> AuditEntry {
    AuditEntry::new("usage.import.batch", format!("usage_import:{run_id}")).clause("4.1").detail(json!({
        "feed": feed.as_str(),
        "lines": [b.first_line, b.last_line],
        "rows": b.rows.len(),
        "imported": imported,
    }))
}

// ---------------------------------------------------------------------------------------------
// SQLite: rusqlite writer

fn rq(e: rusqlite::Error) -> StoreError {
    StoreError::Internal(format!("database error: {e}"))
}

/// The multi-row insert of `n` records. The feed, and the columns a feed always leaves the same
/// (a carrier record has no category or account; a web record is an outgoing `web` event with no
/// duration), are constants of the statement (fixed words, never input), which saves binding them
/// on every row.
///
/// `INSERT OR IGNORE` skips a record already stored (same feed and record id) as `ON CONFLICT DO
/// NOTHING` would, and it is what spares SQLite a statement journal: with any constraint that may
/// abort the statement (the CHECKs, NOT NULL), SQLite copies every page a multi-row statement
/// changes into a journal first so it could undo the statement alone, which cost a fifth of the
/// writer's time. The other constraints cannot fail here: the feed and event are fixed words of
/// the CHECK lists, and every NOT NULL column is bound from a value that is never null.
fn insert_sql(feed: Feed, n: usize) -> String {
    let mut s = String::from(
        "INSERT OR IGNORE INTO usage_records (feed, record_id, start_us, day, device_id, person_id, subject, event, outgoing, \
         duration_s, party, bytes, place, category, tethered, account) VALUES ",
    );
    let row = match feed {
        Feed::Carrier => "('carrier',?,?,?,?,?,?,?,?,?,?,?,?,'',?,'')",
        Feed::Web => "('web',?,?,?,?,?,?,'web',1,0,?,?,?,?,?,?)",
    };
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        s.push_str(row);
    }
    s
}

/// Parameters bound per row by [`sqlite_insert`].
fn params_per_row(feed: Feed) -> usize {
    match feed {
        Feed::Carrier => 13,
        Feed::Web => 12,
    }
}

fn sqlite_insert(stmt: &mut rusqlite::CachedStatement<'_>, feed: Feed, rows: &[Row]) -> Result<u64> {
    let mut i = 1;
    for r in rows {
        stmt.raw_bind_parameter(i, r.record_id.as_str()).map_err(rq)?;
        stmt.raw_bind_parameter(i + 1, r.start_us).map_err(rq)?;
        stmt.raw_bind_parameter(i + 2, r.day).map_err(rq)?;
        stmt.raw_bind_parameter(i + 3, r.device_id.as_ref().map(|u| &u.as_bytes()[..])).map_err(rq)?;
        stmt.raw_bind_parameter(i + 4, r.person_id.as_ref().map(|u| &u.as_bytes()[..])).map_err(rq)?;
        stmt.raw_bind_parameter(i + 5, r.subject.as_str()).map_err(rq)?;
        match feed {
            Feed::Carrier => {
                stmt.raw_bind_parameter(i + 6, r.event).map_err(rq)?;
                stmt.raw_bind_parameter(i + 7, r.outgoing).map_err(rq)?;
                stmt.raw_bind_parameter(i + 8, r.duration_s).map_err(rq)?;
                stmt.raw_bind_parameter(i + 9, r.party.as_str()).map_err(rq)?;
                stmt.raw_bind_parameter(i + 10, r.bytes).map_err(rq)?;
                stmt.raw_bind_parameter(i + 11, r.place.as_str()).map_err(rq)?;
                stmt.raw_bind_parameter(i + 12, r.tethered).map_err(rq)?;
            }
            Feed::Web => {
                stmt.raw_bind_parameter(i + 6, r.party.as_str()).map_err(rq)?;
                stmt.raw_bind_parameter(i + 7, r.bytes).map_err(rq)?;
                stmt.raw_bind_parameter(i + 8, r.place.as_str()).map_err(rq)?;
                stmt.raw_bind_parameter(i + 9, r.category.as_str()).map_err(rq)?;
                stmt.raw_bind_parameter(i + 10, r.tethered).map_err(rq)?;
                stmt.raw_bind_parameter(i + 11, r.account.as_str()).map_err(rq)?;
            }
        }
        i += params_per_row(feed);
    }
    Ok(stmt.raw_execute().map_err(rq)? as u64)
}

/// Day totals added per statement (4 parameters each).
const SQLITE_DAYS_PER_STATEMENT: usize = 128;

/// Device-days held in memory before they are added to `usage_cellular_days` mid-run (about
/// 12 MB), so memory stays flat however many device-days a file touches.
const PENDING_DAYS_MAX: usize = 262_144;

/// Non-tethered carrier data per (day, device) among the records stored after `seq` ?1: what
/// the day totals lack for them (WP034 4.5).
const DAYS_AFTER_SEQ: &str = "SELECT day, device_id, SUM(bytes), MIN(seq) FROM usage_records \
     WHERE seq > ?1 AND event = 'data' AND NOT tethered AND device_id IS NOT NULL GROUP BY day, device_id";

/// Adds to a day total that is already there.
const DAYS_UPSERT: &str = " ON CONFLICT (day, device_id) DO UPDATE SET bytes = bytes + excluded.bytes, first_seq = MIN(first_seq, excluded.first_seq)";

fn days_sql(n: usize) -> String {
    let mut s = String::from("INSERT INTO usage_cellular_days (day, device_id, bytes, first_seq) VALUES ");
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        s.push_str("(?,?,?,?)");
    }
    s.push_str(DAYS_UPSERT);
    s
}

/// Non-tethered carrier data (WP034 4.5) this run stored and has not yet added to
/// `usage_cellular_days`: (day, device) -> (bytes, lowest `seq` of a record counted).
#[derive(Default)]
struct PendingDays(HashMap<DayKey, (i64, i64)>);

/// A Europe/London day and a device.
type DayKey = (i32, Uuid);

impl PendingDays {
    fn add(&mut self, day: i32, device: Uuid, bytes: i64, seq: i64) {
        let e = self.0.entry((day, device)).or_insert((0, seq));
        e.0 += bytes;
        e.1 = e.1.min(seq);
    }

    /// Count a committed batch: every record stored by it has a `seq` above `before` (no other run
    /// stores records meanwhile: see [`sqlite_import_lock`]). When all its rows were new, its own sums are added; when some were already stored, the stored new
    /// records are summed in SQL instead.
    fn note_batch(&mut self, conn: &rusqlite::Connection, b: &Batch, inserted: u64, before: i64) -> Result<()> {
        if inserted == 0 {
            return Ok(());
        }
        if inserted == b.rows.len() as u64 {
            for (day, device, bytes) in &b.days {
                self.add(*day, *device, *bytes, before + 1);
            }
            return Ok(());
        }
        let mut st = conn.prepare_cached(DAYS_AFTER_SEQ).map_err(rq)?;
        let mut rows = st.query([before]).map_err(rq)?;
        while let Some(r) = rows.next().map_err(rq)? {
            let device = Uuid::from_slice(&r.get::<_, Vec<u8>>(1).map_err(rq)?)
                .map_err(|e| StoreError::Internal(format!("a stored device id: {e}")))?;
            self.add(r.get(0).map_err(rq)?, device, r.get(2).map_err(rq)?, r.get(3).map_err(rq)?);
        }
        Ok(())
    }

    /// Add the pending totals to `usage_cellular_days` and move the mark to the newest record, in
    /// one transaction.
    fn flush(&mut self, conn: &mut rusqlite::Connection) -> Result<()> {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(rq)?;
        let mut days: Vec<_> = self.0.drain().collect();
        days.sort_unstable_by_key(|(k, _)| *k);
        let bind = |st: &mut rusqlite::CachedStatement<'_>, days: &[(DayKey, (i64, i64))]| -> Result<()> {
            for (k, ((day, device), (bytes, seq))) in days.iter().enumerate() {
                let i = k * 4 + 1;
                st.raw_bind_parameter(i, *day).map_err(rq)?;
                st.raw_bind_parameter(i + 1, &device.as_bytes()[..]).map_err(rq)?;
                st.raw_bind_parameter(i + 2, *bytes).map_err(rq)?;
                st.raw_bind_parameter(i + 3, *seq).map_err(rq)?;
            }
            st.raw_execute().map_err(rq)?;
            Ok(())
        };
        let mut chunks = days.chunks_exact(SQLITE_DAYS_PER_STATEMENT);
        {
            let mut full = tx.prepare_cached(&days_sql(SQLITE_DAYS_PER_STATEMENT)).map_err(rq)?;
            for c in chunks.by_ref() {
                bind(&mut full, c)?;
            }
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            bind(&mut tx.prepare_cached(&days_sql(rest.len())).map_err(rq)?, rest)?;
        }
        tx.execute(
            "UPDATE usage_totals_mark SET seq = (SELECT COALESCE(MAX(seq), 0) FROM usage_records) WHERE id = 1",
            [],
        )
        .map_err(rq)?;
        tx.commit().map_err(rq)
    }
}

/// Count the records a killed run stored but never added to the day totals (those above the
/// mark), so the totals are whole before this run adds to them.
fn sqlite_totals_catch_up(conn: &mut rusqlite::Connection) -> Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(rq)?;
    let (mark, max): (i64, i64) = tx
        .query_row(
            "SELECT (SELECT seq FROM usage_totals_mark WHERE id = 1), (SELECT COALESCE(MAX(seq), 0) FROM usage_records)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(rq)?;
    if max > mark {
        tx.execute(
            &format!(
                "INSERT INTO usage_cellular_days (day, device_id, bytes, first_seq) {DAYS_AFTER_SEQ}{DAYS_UPSERT}"
            ),
            [mark],
        )
        .map_err(rq)?;
        tx.execute("UPDATE usage_totals_mark SET seq = ?1 WHERE id = 1", [max]).map_err(rq)?;
        tracing::info!(records = max - mark, "usage import: day totals caught up after an interrupted run");
    }
    tx.commit().map_err(rq)
}

/// Take the database's import lock (a file beside it, `…-usage-import.lock`), waiting while
/// another import holds it. The operating system releases it when the holder exits, however it
/// exits, so a killed import never leaves it taken.
fn sqlite_import_lock(path: &std::path::Path) -> Result<std::fs::File> {
    let mut name = path.as_os_str().to_owned();
    name.push("-usage-import.lock");
    let f = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&name).map_err(|e| {
        StoreError::Internal(format!("opening the import lock {}: {e}", std::path::Path::new(&name).display()))
    })?;
    match f.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            tracing::info!("another usage import into this database is running: waiting for it to finish");
            f.lock().map_err(|e| {
                StoreError::Internal(format!("taking the import lock {}: {e}", std::path::Path::new(&name).display()))
            })?;
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(StoreError::Internal(format!(
                "taking the import lock {}: {e}",
                std::path::Path::new(&name).display()
            )));
        }
    }
    Ok(f)
}

/// Append one event to the audit tree inside a rusqlite transaction: the same record, leaf and
/// chain as `ops::audit`, so `custodian audit verify` checks bulk imports like everything else.
fn sqlite_audit(tx: &rusqlite::Transaction<'_>, actor: &Actor, now: OffsetDateTime, e: AuditEntry) -> Result<()> {
    let (size, frontier_bytes, prev_chain): (i64, Vec<u8>, Vec<u8>) =
        tx.query_row(crate::backend::sqlite::LOCK_HEAD, [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).map_err(rq)?;
    let mut log = crate::AuditAppender::from_head(size, &frontier_bytes, &prev_chain)?;
    // The chain stored with the last event; a missing last event is left to `audit verify`.
    let last_chain: Option<Option<Vec<u8>>> = match size {
        0 => Some(None),
        _ => match tx.query_row("SELECT chain FROM audit_events WHERE seq = ?1", [size - 1], |r| r.get(0)) {
            Ok(c) => Some(Some(c)),
            Err(rusqlite::Error::QueryReturnedNoRows) => None,
            Err(e) => return Err(rq(e)),
        },
    };
    if let Some(last) = last_chain {
        log.check_last_chain(last.as_deref())?;
    }
    // Batch events carry no before/after record, so need no digest key.
    let (record, leaf, chain) = log.push(actor, now, e, None)?;
    tx.execute(
        &crate::audit::event_insert_one(),
        rusqlite::params![
            size,
            &record.id.as_bytes()[..],
            record.at_us,
            record.actor,
            record.action,
            record.subject,
            record.clause,
            record.justification,
            record.before_digest,
            record.after_digest,
            record.detail,
            &leaf[..],
            &chain[..],
        ],
    )
    .map_err(rq)?;
    for (block, hash) in &log.completed {
        tx.execute(crate::audit::SUBTREE_INSERT, rusqlite::params![block.level, block.index as i64, &hash[..]])
            .map_err(rq)?;
    }
    tx.execute(crate::audit::HEAD_UPDATE, rusqlite::params![log.size, log.frontier.to_bytes(), &chain[..]])
        .map_err(rq)?;
    Ok(())
}

/// Copies the import's WAL frames into the database file on its own thread and connection, so
/// the writer does not stop for every checkpoint (SQLite would otherwise run one inside a
/// commit). SQLite can only start the log again from the beginning once a checkpoint has caught up
/// before a write transaction begins, so every [`SYNC_EVERY`] batches the writer waits for the
/// checkpoint to catch up: the log then stays near that many batches long instead of growing with
/// the file.
struct Checkpointer {
    nudge: Option<std::sync::mpsc::SyncSender<Option<std::sync::mpsc::SyncSender<()>>>>,
    thread: Option<std::thread::JoinHandle<Result<()>>>,
}

/// Batches between the writer's waits for the checkpoint (about 50 MB of log for carrier rows).
const SYNC_EVERY: u64 = 8;

impl Checkpointer {
    fn start(path: &std::path::Path) -> Result<Self> {
        let conn = rusqlite::Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| StoreError::Internal(format!("opening {}: {e}", path.display())))?;
        conn.busy_timeout(std::time::Duration::from_secs(30)).map_err(rq)?;
        let (nudge, rx) = std::sync::mpsc::sync_channel::<Option<std::sync::mpsc::SyncSender<()>>>(1);
        let thread = std::thread::Builder::new()
            .name("usage-checkpoint".into())
            .spawn(move || {
                // One more checkpoint after the writer is done.
                loop {
                    let msg = rx.recv();
                    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())).map_err(rq)?;
                    match msg {
                        Ok(Some(done)) => {
                            let _ = done.send(());
                        }
                        Ok(None) => {}
                        Err(_) => return Ok(()),
                    }
                }
            })
            .map_err(|e| StoreError::Internal(format!("starting the checkpoint thread: {e}")))?;
        Ok(Checkpointer { nudge: Some(nudge), thread: Some(thread) })
    }

    /// Ask for a checkpoint; if one is already waiting to run, this one is folded into it.
    fn nudge(&self) {
        if let Some(n) = &self.nudge {
            let _ = n.try_send(None);
        }
    }

    /// Wait until a checkpoint that started after this call has finished.
    fn catch_up(&self) {
        if let Some(n) = &self.nudge {
            let (done, wait) = std::sync::mpsc::sync_channel(1);
            if n.send(Some(done)).is_ok() {
                let _ = wait.recv();
            }
        }
    }

    fn finish(mut self) -> Result<()> {
        drop(self.nudge.take());
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err(StoreError::Internal("the checkpoint thread panicked".into())),
            None => Ok(()),
        }
    }
}

/// Write the batches on one connection. Durability: each batch commits with its audit event, so a
/// killed process (kill -9) keeps every committed batch, as the operating system holds what was
/// written. The batches commit without waiting for the disk (`synchronous = NORMAL`); the run's
/// last transaction waits for it (`synchronous = FULL`, which syncs the whole log), and so does
/// the `usage.import` event written before the import reports anything, so a power cut can only
/// take batches the run has not reported, which the re-run then stores. Everything goes through
/// SQLite: the database's own files are never opened outside it.
fn sqlite_writer(
    path: &std::path::Path,
    feed: Feed,
    run_id: Uuid,
    actor: &Actor,
    now: OffsetDateTime,
    mut rx: tokio::sync::mpsc::Receiver<Batch>,
) -> Result<u64> {
    let mut conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| StoreError::Internal(format!("opening {}: {e}", path.display())))?;
    conn.busy_timeout(std::time::Duration::from_secs(30)).map_err(rq)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0; \
         PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;",
    )
    .map_err(rq)?;
    conn.set_prepared_statement_cache_capacity(8);
    let _lock = sqlite_import_lock(path)?;
    sqlite_totals_catch_up(&mut conn)?;
    let mut pending = PendingDays::default();
    let checkpointer = Checkpointer::start(path)?;
    let full_sql = insert_sql(feed, SQLITE_ROWS_PER_STATEMENT);
    let mut imported = 0u64;
    let mut batches = 0u64;
    while let Some(b) = rx.blocking_recv() {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(rq)?;
        let before: i64 =
            tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM usage_records", [], |r| r.get(0)).map_err(rq)?;
        let mut n = 0u64;
        {
            let mut chunks = b.rows.chunks_exact(SQLITE_ROWS_PER_STATEMENT);
            let mut full = tx.prepare_cached(&full_sql).map_err(rq)?;
            for c in chunks.by_ref() {
                n += sqlite_insert(&mut full, feed, c)?;
            }
            let rest = chunks.remainder();
            if !rest.is_empty() {
                let mut st = tx.prepare_cached(&insert_sql(feed, rest.len())).map_err(rq)?;
                n += sqlite_insert(&mut st, feed, rest)?;
            }
        }
        if n > 0 {
            // Where the deletion job will look for these records (`usage_spans`): the rows this
            // batch stored took the `seq` values after `before` (the import lock keeps other
            // writers out), and none starts before the batch's earliest record.
            let min_start = b.rows.iter().map(|r| r.start_us).min().unwrap_or(0);
            tx.execute(
                "INSERT INTO usage_spans (first_seq, last_seq, min_start_us) \
                 SELECT ?1, MAX(seq), ?2 FROM usage_records",
                rusqlite::params![before + 1, min_start],
            )
            .map_err(rq)?;
            // Where a subject access export will find each person's records
            // (`usage_person_spans`), and that this range's writer recorded them.
            let last: i64 = tx.query_row("SELECT MAX(seq) FROM usage_records", [], |r| r.get(0)).map_err(rq)?;
            tx.execute(
                "INSERT INTO usage_person_cover (first_seq, last_seq) VALUES (?1, ?2) \
                 ON CONFLICT (first_seq) DO UPDATE SET last_seq = MAX(last_seq, excluded.last_seq)",
                rusqlite::params![before + 1, last],
            )
            .map_err(rq)?;
            let mut st = tx
                .prepare_cached(
                    "INSERT INTO usage_person_spans (first_seq, person_id, last_seq) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (first_seq, person_id) DO UPDATE SET last_seq = MAX(last_seq, excluded.last_seq)",
                )
                .map_err(rq)?;
            for (first, person, upto) in b.person_spans(before, last) {
                st.execute(rusqlite::params![first, &person.as_bytes()[..], upto]).map_err(rq)?;
            }
        }
        sqlite_audit(&tx, actor, now, batch_entry(run_id, feed, &b, n))?;
        tx.commit().map_err(rq)?;
        pending.note_batch(&conn, &b, n, before)?;
        if pending.0.len() >= PENDING_DAYS_MAX {
            pending.flush(&mut conn)?;
        }
        batches += 1;
        if batches.is_multiple_of(SYNC_EVERY) {
            checkpointer.catch_up();
        } else {
            checkpointer.nudge();
        }
        imported += n;
    }
    // The run's last transaction commits with `synchronous = FULL`: SQLite then syncs the log
    // file, which makes every batch before it durable too (they are in the same file, or already
    // copied into the database by a checkpoint that synced it). The files are never opened here:
    // a process that opens and closes a database file outside SQLite drops every lock SQLite holds
    // on it (POSIX locks belong to the process), and another process may then delete the log of a
    // database still in use.
    conn.execute_batch("PRAGMA synchronous = FULL").map_err(rq)?;
    pending.flush(&mut conn)?;
    checkpointer.finish()?;
    Ok(imported)
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: one UNNEST insert per batch

async fn pg_write_batch(
    pool: &sqlx::PgPool,
    feed: Feed,
    run_id: Uuid,
    b: &Batch,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<u64> {
    let rows = &b.rows;
    let mut tx = pool.begin().await?;
    // The new records and their day totals (WP034 4.5) in one statement: the totals count exactly
    // the rows this batch stored, in (day, device) order so concurrent imports lock totals rows in
    // the same order.
    let n: i64 = sqlx::query_scalar(
        "WITH ins AS ( \
           INSERT INTO usage_records (feed, record_id, start_us, day, device_id, person_id, subject, event, outgoing, \
           duration_s, party, bytes, place, category, tethered, account) \
           SELECT $1::text, u.* FROM UNNEST($2::text[], $3::int8[], $4::int4[], $5::uuid[], $6::uuid[], $7::text[], $8::text[], \
           $9::bool[], $10::int8[], $11::text[], $12::int8[], $13::text[], $14::text[], $15::bool[], $16::text[]) AS u \
           ON CONFLICT (feed, record_id) DO NOTHING \
           RETURNING seq, day, device_id, person_id, bytes, event, tethered, start_us), \
         spans AS ( \
           INSERT INTO usage_spans (first_seq, last_seq, min_start_us) \
           SELECT MIN(seq), MAX(seq), MIN(start_us) FROM ins HAVING COUNT(*) > 0 \
           RETURNING 1), \
         cover AS ( \
           INSERT INTO usage_person_cover (first_seq, last_seq) \
           SELECT MIN(seq), MAX(seq) FROM ins HAVING COUNT(*) > 0 \
           ON CONFLICT (first_seq) DO UPDATE SET last_seq = GREATEST(usage_person_cover.last_seq, excluded.last_seq) \
           RETURNING 1), \
         people AS ( \
           INSERT INTO usage_person_spans (first_seq, person_id, last_seq) \
           SELECT MIN(seq), person_id, MAX(seq) FROM ins WHERE person_id IS NOT NULL GROUP BY person_id \
           ON CONFLICT (first_seq, person_id) DO UPDATE \
           SET last_seq = GREATEST(usage_person_spans.last_seq, excluded.last_seq) \
           RETURNING 1), \
         days AS ( \
           INSERT INTO usage_cellular_days (day, device_id, bytes, first_seq) \
           SELECT day, device_id, SUM(bytes), MIN(seq) FROM ins \
           WHERE event = 'data' AND NOT tethered AND device_id IS NOT NULL GROUP BY day, device_id ORDER BY day, device_id \
           ON CONFLICT (day, device_id) DO UPDATE SET bytes = usage_cellular_days.bytes + excluded.bytes, \
           first_seq = LEAST(usage_cellular_days.first_seq, excluded.first_seq) \
           RETURNING 1) \
         SELECT COUNT(*) FROM ins",
    )
    .bind(feed.as_str())
    .bind(rows.iter().map(|r| r.record_id.as_str()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.start_us).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.day).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.device_id).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.person_id).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.subject.as_str()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.event).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.outgoing).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.duration_s).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.party.as_str()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.bytes).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.place.as_str()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.category.as_str()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.tethered).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.account.as_str()).collect::<Vec<_>>())
    .fetch_one(&mut *tx)
    .await?;
    let n = n as u64;
    postgres::audit::audit(&mut tx, actor, now, batch_entry(run_id, feed, b, n)).await?;
    tx.commit().await?;
    Ok(n)
}

/// One team's out-of-hours figures (WP034 4.11): aggregates only.
#[derive(Debug, Clone, Serialize)]
pub struct TeamOutOfHours {
    pub manager_id: Uuid,
    pub manager: String,
    pub staff_number: String,
    pub business_area: String,
    /// The manager's active reports.
    pub team_size: i64,
    /// The months with any call or message from the manager to the team, oldest first.
    pub months: Vec<custodian_domain::usage::TeamMonth>,
}

impl Store {
    /// The last `limit` usage import runs (their `usage.import` audit events), newest first.
    /// Per team of at least `hours.min_team` people (in `business_area`, or every area), the
    /// calls and messages their manager made from force devices to their force devices between
    /// `from_us` and `to_us`, per London month, and how many outside working hours (WP034 4.11).
    /// Aggregates only: no call leaves the store.
    pub async fn usage_out_of_hours(
        &self,
        hours: &custodian_domain::usage::WorkingHours,
        business_area: Option<Uuid>,
        from_us: i64,
        to_us: i64,
    ) -> Result<Vec<TeamOutOfHours>> {
        on_read!(self, usage::out_of_hours(hours, business_area, from_us, to_us))
    }
    pub async fn usage_import_runs(&self, limit: i64) -> Result<Vec<UsageImportRun>> {
        on_read!(self, usage::import_runs(limit))
    }

    /// The register, allocation history and approvals as the usage rules see them.
    pub async fn usage_register(&self) -> Result<Register> {
        on_read!(self, usage::register())
    }

    /// Import a carrier or web gateway file (see the module documentation for the guarantees).
    /// A wrong header refuses the whole file (`Invalid`, nothing stored); bad rows are listed in
    /// `rejected` while the good rows are stored.
    pub async fn import_usage(
        &self,
        feed: Feed,
        input: Box<dyn Read + Send>,
        profile: Option<Profile>,
        pack: Arc<UsagePack>,
        Write { actor, now }: Write<'_>,
        progress: Arc<dyn Fn(u64) + Send + Sync>,
    ) -> Result<UsageImport> {
        let register = Arc::new(self.usage_register().await?);
        let run_id = Uuid::now_v7();
        let (tx, rx) = tokio::sync::mpsc::channel::<Batch>(2);
        let parser = {
            let (pack, register) = (pack.clone(), register.clone());
            tokio::task::spawn_blocking(move || {
                parse_and_evaluate(feed, input, profile, &pack, &register, tx, &*progress)
            })
        };
        let written: Result<u64> = match &self.db {
            Db::Sqlite { .. } => {
                let path = self.sqlite_path.clone().ok_or_else(|| StoreError::Internal("no SQLite path".into()))?;
                let actor = actor.clone();
                tokio::task::spawn_blocking(move || sqlite_writer(&path, feed, run_id, &actor, now, rx))
                    .await
                    .map_err(|e| StoreError::Internal(format!("the database writer failed: {e}")))?
            }
            Db::Postgres(p) => {
                let mut rx = rx;
                let mut n = 0;
                let mut res = Ok(());
                while let Some(b) = rx.recv().await {
                    // One transaction per batch, run again on a serialization failure or deadlock
                    // like every other write (see `retry.rs`).
                    match crate::retry::retrying(|| pg_write_batch(p, feed, run_id, &b, actor, now)).await {
                        Ok(k) => n += k,
                        Err(e) => {
                            res = Err(e);
                            break;
                        }
                    }
                }
                drop(rx);
                res.map(|()| n)
            }
        };
        let parsed = parser.await.map_err(|e| StoreError::Internal(format!("the parser failed: {e}")))?;
        let imported = written?;
        let parsed = parsed?;
        let valid = parsed.rows - parsed.rejected.len() as u64;

        // Findings: the groups seen in the file, and device-days whose stored data is over the limit.
        let mut findings: Vec<NewFinding> = parsed.groups.into_values().map(|g| group_finding(feed, g)).collect();
        let limit = pack.rules.cellular_data_daily_bytes;
        let (lo, hi) = parsed.cellular.iter().fold((i32::MAX, i32::MIN), |(lo, hi), (_, d)| (lo.min(*d), hi.max(*d)));
        let over = if parsed.cellular.is_empty() {
            Vec::new()
        } else {
            on_read!(self, usage::cellular_over(lo, hi, i64::try_from(limit).unwrap_or(i64::MAX)))?
        };
        // Only device-days this file touched: others were judged when their records came in.
        let over: Vec<(Uuid, i32, i64, i64)> =
            over.into_iter().filter(|(d, day, _, _)| parsed.cellular.contains(&(*d, *day))).collect();
        let wanted: HashSet<(Uuid, i32)> = over.iter().map(|(d, day, _, _)| (*d, *day)).collect();
        let from_seq = over.iter().map(|o| o.3).min().unwrap_or(0);
        let mut records = on_read!(self, usage::cellular_records(&wanted, from_seq))?;
        for (device, day, total, _) in over {
            let mut recs = records.remove(&(device, day)).unwrap_or_default();
            recs.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
            let mut by_person: HashMap<Option<Uuid>, Group> = HashMap::new();
            for (rid, start, bytes, person) in recs {
                let g = by_person.entry(person).or_insert_with(|| Group {
                    rule: &usage::CELLULAR_DATA,
                    person,
                    device: Some(device),
                    subject: device.to_string(),
                    day,
                    records: Vec::new(),
                    examples: Vec::new(),
                });
                if g.examples.len() < pack.rules.evidence_examples {
                    g.examples
                        .push(json!({"record_id": rid, "at": at_rfc3339(start), "what": usage::bytes_label(bytes.unsigned_abs())}));
                }
                g.records.push(rid);
            }
            for g in by_person.into_values() {
                let mut f = group_finding(feed, g);
                f.evidence["total_bytes"] = json!(total);
                f.evidence["limit_bytes"] = json!(limit);
                findings.push(f);
            }
        }
        findings.sort_by(|a, b| a.dedupe_key.cmp(&b.dedupe_key));
        let (opened, updated) =
            on_write!(self, usage::upsert_usage_findings(findings.as_slice(), Write { actor, now }))?;
        let report = UsageImport {
            run_id,
            feed,
            rows: parsed.rows,
            imported,
            duplicates: valid - imported,
            rejected: parsed.rejected,
            file_sha256: parsed.sha256,
            findings_opened: opened,
            findings_updated: updated,
            pack_version: pack.version,
            before_first_allocation: parsed.before_first_allocation,
        };
        let entry = AuditEntry::new("usage.import", format!("usage_import:{run_id}")).clause("4.1").detail(json!({
            "feed": feed.as_str(),
            "file_sha256": report.file_sha256,
            "rows": report.rows,
            "imported": report.imported,
            "duplicates": report.duplicates,
            "rejected": report.rejected.len(),
            "findings_opened": opened,
            "findings_updated": updated,
            "pack_version": pack.version,
            "before_first_allocation": report.before_first_allocation,
        }));
        let entries = vec![entry];
        on_write!(self, audit::append_many(Write { actor, now }, entries))?;
        Ok(report)
    }

    /// Findings of `rule` about `person` opened in the 90 days up to `now`, and their records
    /// (WP034 4.10b: the frequency of use).
    pub async fn usage_frequency(&self, person: Uuid, rule: &str, now: OffsetDateTime) -> Result<(u64, u64)> {
        on_read!(self, usage::frequency(person, rule, now))
    }
}

fn group_finding(feed: Feed, g: Group) -> NewFinding {
    let key = usage::finding_key(g.rule, g.person, &g.subject, g.day);
    // Built field by field: `json!` would serialise a copy of every example and drop the originals.
    let mut evidence = serde_json::Map::new();
    evidence.insert("feed".into(), Value::from(feed.as_str()));
    evidence.insert("day".into(), Value::from(usage::day_date(g.day).to_string()));
    evidence.insert("subject".into(), Value::from(g.subject));
    evidence.insert("count".into(), Value::from(g.records.len()));
    evidence.insert("examples".into(), Value::Array(g.examples));
    let evidence = Value::Object(evidence);
    NewFinding {
        rule: g.rule,
        dedupe_key: key,
        person_id: g.person,
        device_id: g.device,
        summary: sqlite::usage::finding_summary(g.rule, g.records.len(), &evidence),
        evidence,
        records: g.records,
    }
}

/// The runs of consecutive values among `seqs`, as (first, last), in order.
pub(crate) fn seq_runs(seqs: &[i64]) -> Vec<(i64, i64)> {
    let mut sorted = seqs.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut runs: Vec<(i64, i64)> = Vec::new();
    for s in sorted {
        match runs.last_mut() {
            Some((_, last)) if *last + 1 == s => *last = s,
            _ => runs.push((s, s)),
        }
    }
    runs
}

#[cfg(test)]
mod person_span_tests {
    use super::*;

    fn row(person: Option<Uuid>, id: &str) -> Row {
        Row {
            record_id: id.into(),
            start_us: 0,
            day: 0,
            device_id: None,
            person_id: person,
            subject: CompactString::default(),
            event: "call",
            outgoing: true,
            duration_s: 0,
            party: CompactString::default(),
            bytes: 0,
            place: CompactString::default(),
            category: CompactString::default(),
            tethered: false,
            account: CompactString::default(),
        }
    }

    #[test]
    fn runs_of_consecutive_seq() {
        assert_eq!(seq_runs(&[7, 3, 4, 5, 9, 10, 4]), vec![(3, 5), (7, 7), (9, 10)]);
        assert!(seq_runs(&[]).is_empty());
    }

    /// Each person's rows end up next to each other, in file order, unattributed rows last; the
    /// spans hold every record of the person however many rows were already stored.
    #[test]
    fn a_batch_groups_each_persons_rows_and_spans_hold_them() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let mut batch = Batch::new();
        for (i, p) in [Some(a), None, Some(b), Some(a), Some(b), Some(a)].into_iter().enumerate() {
            batch.rows.push(row(p, &format!("r{i}")));
        }
        let batch = batch.with_day_totals();
        let order: Vec<&str> = batch.rows.iter().map(|r| r.record_id.as_str()).collect();
        assert_eq!(order, ["r0", "r3", "r5", "r2", "r4", "r1"]);
        // All new: seq 101..=106, exact ranges.
        assert_eq!(batch.person_spans(100, 106), vec![(101, a, 103), (104, b, 105)]);
        // Two rows already stored (so only four took a seq, 101..=104): every range still holds
        // whichever of its rows were stored.
        assert_eq!(batch.person_spans(100, 104), vec![(101, a, 103), (102, b, 104)]);
    }
}
