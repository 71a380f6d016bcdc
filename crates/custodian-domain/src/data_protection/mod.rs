//! Data protection (WP034 3.4, 5.3, 6.5; UK GDPR Art. 5(1)(e), DPA 2018 s.39): the retention
//! schedule of `policy-pack/retention.toml`, legal holds, and the redaction rules of a subject
//! access export. Pure logic, no I/O: the store deletes, the server and CLI schedule.

pub mod export;

use serde::{Deserialize, Serialize};
use time::{Date, Month, OffsetDateTime};

/// The retention schedule, compiled in so that it can never go missing at run time.
const RETENTION_TOML: &str = include_str!("../../../../policy-pack/retention.toml");

crate::str_enum! {
    /// What the deletion job does with records of a type once they are past `keep`.
    pub enum RetentionAction {
        /// Deleted by the job (unless under a legal hold).
        Delete = "delete",
        /// Never deleted automatically: counted as due so that a person decides.
        Review = "review",
        /// Kept (not personal data, or part of the tamper-evident log).
        Keep = "keep",
    }
}

/// How long records are kept, counted from the record's `after` moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Keep {
    Days(u32),
    Months(u32),
    Years(u32),
    Indefinitely,
}

impl Keep {
    pub fn parse(s: &str) -> Result<Self, String> {
        let t = s.trim().to_ascii_lowercase();
        if t == "indefinitely" {
            return Ok(Self::Indefinitely);
        }
        let (n, unit) =
            t.split_once(' ').ok_or_else(|| format!("{s:?} is not \"N days|months|years\" or \"indefinitely\""))?;
        let n: u32 = n.trim().parse().map_err(|_| format!("{s:?}: {n:?} is not a whole number"))?;
        if n == 0 || n > 100 * 366 {
            return Err(format!("{s:?}: the number must be between 1 and 36600"));
        }
        match unit.trim().trim_end_matches('s') {
            "day" => Ok(Self::Days(n)),
            "month" => Ok(Self::Months(n)),
            "year" if n <= 100 => Ok(Self::Years(n)),
            _ => Err(format!("{s:?}: the unit must be days, months or years (at most 100 years)")),
        }
    }

    /// The moment before which a record is past its retention at `now` (None: kept indefinitely).
    /// Months and years are calendar months (31 March less one month is 28 or 29 February).
    pub fn cutoff(self, now: OffsetDateTime) -> Option<OffsetDateTime> {
        let months = match self {
            Self::Indefinitely => return None,
            Self::Days(d) => return Some(now - time::Duration::days(d as i64)),
            Self::Months(m) => m,
            Self::Years(y) => y * 12,
        };
        Some(now.replace_date(months_before(now.date(), months)))
    }
}

impl std::fmt::Display for Keep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Days(n) => write!(f, "{n} day{}", if *n == 1 { "" } else { "s" }),
            Self::Months(n) => write!(f, "{n} month{}", if *n == 1 { "" } else { "s" }),
            Self::Years(n) => write!(f, "{n} year{}", if *n == 1 { "" } else { "s" }),
            Self::Indefinitely => f.write_str("indefinitely"),
        }
    }
}

fn months_before(d: Date, months: u32) -> Date {
    let total = d.year() as i64 * 12 + (d.month() as i64 - 1) - months as i64;
    let (year, month0) = (total.div_euclid(12) as i32, total.rem_euclid(12) as u8);
    let month = Month::try_from(month0 + 1).unwrap_or(Month::January);
    let last = month.length(year);
    Date::from_calendar_date(year, month, d.day().min(last)).unwrap_or(d)
}

/// One record type of the schedule.
#[derive(Debug, Clone, Serialize)]
pub struct RecordType {
    /// Stable id, e.g. `usage_records`; names the deletion rule in audit events.
    pub id: String,
    pub title: String,
    /// The tables the type covers.
    pub tables: Vec<String>,
    pub purpose: String,
    /// The WP034 clause the records serve.
    pub clause: String,
    /// The lawful basis (to be confirmed by the force).
    pub lawful_basis: String,
    pub keep: Keep,
    /// The moment `keep` counts from, in words.
    pub after: String,
    pub action: RetentionAction,
    pub reason: String,
    /// Where the records go outside Custodian's pages (exports, webhooks, e-mail).
    pub shared_with: String,
}

impl RecordType {
    /// The cutoff at `now` for a type the job deletes or reviews.
    pub fn cutoff(&self, now: OffsetDateTime) -> Option<OffsetDateTime> {
        match self.action {
            RetentionAction::Keep => None,
            _ => self.keep.cutoff(now),
        }
    }
}

/// The retention schedule.
#[derive(Debug, Clone, Serialize)]
pub struct Schedule {
    pub version: u32,
    /// `proposal` until the force's Data Protection Officer confirms it, then `confirmed`.
    pub status: String,
    /// The most rows one deletion batch may take.
    pub batch_rows: u32,
    pub batch_pause_ms: u32,
    /// How long one deletion batch (its transaction, holding SQLite's one writer or PostgreSQL's
    /// row locks) should take: the job sizes each batch from the last one's time, between
    /// [`BATCH_ROWS_FLOOR`] and `batch_rows` rows.
    pub batch_target_ms: u32,
    /// PostgreSQL: the most write-ahead log the deletion job may write a second, in KiB (0: no
    /// limit). After each batch the job pauses until its WAL, measured by the batch, averages no
    /// more than this (see [`wal_paced_pause_ms`]), so that a long run neither brings on
    /// checkpoints early nor dirties pages faster than the server writes them out.
    pub wal_budget_kib_per_s: u32,
    /// SQLite: the most write-ahead log one deletion batch should write, in KiB (0: no limit).
    /// The batch's commit writes and syncs that much before it lets the one writer go, so the
    /// job sizes each batch by the WAL the last one wrote as it does by its time: the next batch
    /// takes the fewer of the rows [`next_batch_rows`] gives for the time and for the WAL.
    pub batch_wal_kib: u32,
    pub records: Vec<RecordType>,
}

/// The fewest rows a deletion batch is cut to when batches run long (or `batch_rows`, if less).
pub const BATCH_ROWS_FLOOR: u32 = 50;

/// The rows the next deletion batch takes, from the time `took_ms` the last one (`rows` rows)
/// took from its start to its commit's end. Over `target_ms`: cut in proportion, at once (a
/// batch holds SQLite's one writer for all of that time). Well under it (less than half): grow
/// slowly, by a quarter, so that a run of fast batches does not overshoot into one slow one.
/// Between the two: keep the size. Never below `BATCH_ROWS_FLOOR` (or `max`, if less) nor
/// above `max`.
pub fn next_batch_rows(rows: u32, took_ms: f64, target_ms: u32, max: u32) -> u32 {
    let floor = BATCH_ROWS_FLOOR.min(max).max(1);
    let rows = rows.max(1) as f64;
    let target = target_ms as f64;
    let next = if !took_ms.is_finite() || took_ms < 0.0 {
        rows
    } else if took_ms > target {
        rows * target / took_ms
    } else if took_ms < target / 2.0 {
        (rows * 1.25).max(rows + 1.0)
    } else {
        rows
    };
    (next.floor() as u32).clamp(floor, max.max(floor))
}

/// The pause after a deletion batch that wrote `wal_bytes` of write-ahead log and took
/// `took_ms`, in milliseconds: long enough that, counted from the batch's start, the job writes
/// at most `budget_kib_per_s` KiB a second, and never shorter than `min_pause_ms`. A budget of 0
/// sets no limit (the pause is `min_pause_ms`). With `full_page_writes` (PostgreSQL's default)
/// the first change to a page after a checkpoint logs the whole page, so the WAL a batch writes
/// also bounds how many pages it dirties.
pub fn wal_paced_pause_ms(wal_bytes: u64, took_ms: f64, budget_kib_per_s: u32, min_pause_ms: u32) -> f64 {
    let min = min_pause_ms as f64;
    if budget_kib_per_s == 0 {
        return min;
    }
    let took = if took_ms.is_finite() { took_ms.max(0.0) } else { 0.0 };
    let due_ms = wal_bytes as f64 * 1000.0 / (budget_kib_per_s as f64 * 1024.0);
    (due_ms - took).max(min)
}

/// A batch's durable commit (SQLite: its commit, which syncs the WAL; PostgreSQL: the wait until
/// its WAL is on the disk) slower than this, and than [`SLOW_FLUSH_FACTOR`] times the job's
/// usual one, says the disk is under pressure: a commit of the server's own would wait as long.
pub const SLOW_FLUSH_FLOOR_MS: f64 = 20.0;
/// See [`SLOW_FLUSH_FLOOR_MS`].
pub const SLOW_FLUSH_FACTOR: f64 = 4.0;
/// After a slow flush the job pauses this many times the flush's time (at most
/// [`BACKOFF_MAX_MS`]), so that the disk drains what it is writing before the job adds more.
pub const BACKOFF_FACTOR: f64 = 10.0;
/// The longest back-off after one slow flush.
pub const BACKOFF_MAX_MS: f64 = 2_000.0;

/// Whether a flush of `flush_ms` is slow beside the job's usual `usual_ms` (see
/// [`SLOW_FLUSH_FLOOR_MS`]).
pub fn flush_is_slow(flush_ms: f64, usual_ms: f64) -> bool {
    let usual = if usual_ms.is_finite() { usual_ms.max(0.0) } else { 0.0 };
    flush_ms.is_finite() && flush_ms > SLOW_FLUSH_FLOOR_MS.max(SLOW_FLUSH_FACTOR * usual)
}

/// The pause after a batch whose durable commit took `flush_ms` when the job's usual one takes
/// `usual_ms`: `pause_ms` (what the schedule and the WAL budget ask for), or, when the flush was
/// slow ([`flush_is_slow`]), [`BACKOFF_FACTOR`] times the flush (at most [`BACKOFF_MAX_MS`]) if
/// that is longer. The job thus backs off while the disk is slow instead of queueing more writes
/// beside the server's.
pub fn flush_backoff_pause_ms(flush_ms: f64, usual_ms: f64, pause_ms: f64) -> f64 {
    if flush_is_slow(flush_ms, usual_ms) {
        pause_ms.max((flush_ms * BACKOFF_FACTOR).min(BACKOFF_MAX_MS))
    } else {
        pause_ms
    }
}

/// The job's usual flush after one more of `flush_ms`: a moving average over about the last 20
/// batches, into which a slow flush counts only as the slow threshold (one stall does not make the
/// next ones look usual). The first flush measured (`usual_ms` of 0 or less) starts it.
pub fn usual_flush_ms(usual_ms: f64, flush_ms: f64) -> f64 {
    if !flush_ms.is_finite() || flush_ms < 0.0 {
        return usual_ms;
    }
    if !usual_ms.is_finite() || usual_ms <= 0.0 {
        return flush_ms.min(SLOW_FLUSH_FLOOR_MS);
    }
    let counted = flush_ms.min(SLOW_FLUSH_FLOOR_MS.max(SLOW_FLUSH_FACTOR * usual_ms));
    usual_ms + (counted - usual_ms) / 20.0
}

/// `batch_target_ms` when the pack does not set it.
fn default_batch_target_ms() -> u32 {
    25
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchedule {
    version: u32,
    policy: String,
    status: String,
    batch_rows: u32,
    batch_pause_ms: u32,
    #[serde(default = "default_batch_target_ms")]
    batch_target_ms: u32,
    #[serde(default)]
    wal_budget_kib_per_s: u32,
    #[serde(default)]
    batch_wal_kib: u32,
    record: Vec<RawRecord>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecord {
    id: String,
    title: String,
    tables: Vec<String>,
    purpose: String,
    clause: String,
    lawful_basis: String,
    keep: String,
    after: String,
    action: String,
    reason: String,
    shared_with: String,
}

/// The record types whose deletion Custodian knows how to do (the store's SQL for each): a
/// schedule may set their `keep`, or turn them to `review` or `keep`, but `delete` is refused for
/// any other type.
pub const DELETABLE: &[&str] = &[
    "usage_records",
    "usage_day_totals",
    "findings_closed_nfa",
    "monitoring_cases",
    "notifications",
    "email_outbox",
    "sessions",
    "api_tokens",
    "oidc_logins",
    "posts",
    "legal_holds",
    "vault_reveals",
    "personal_checks",
];

/// The record types the store can count as due for `review`.
pub const REVIEWABLE: &[&str] =
    &["findings_referred", "monitoring_referrals", "association_declarations", "psd_reports"];

impl Schedule {
    /// The compiled-in schedule.
    pub fn builtin() -> &'static Schedule {
        static S: std::sync::OnceLock<Schedule> = std::sync::OnceLock::new();
        S.get_or_init(|| {
            // Compiled in and checked by `tests::the_builtin_schedule_loads...`: a failure is a build defect.
            #[allow(clippy::expect_used)]
            Schedule::from_toml(RETENTION_TOML)
                .expect("policy-pack/retention.toml is compiled in and checked by the unit tests")
        })
    }

    /// Parse and check a schedule: the error names the record type and field.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let raw: RawSchedule = toml::from_str(text).map_err(|e| format!("retention pack: {e}"))?;
        if raw.policy != "WP034" {
            return Err(format!("retention pack: policy is {:?}, not \"WP034\"", raw.policy));
        }
        if raw.status != "proposal" && raw.status != "confirmed" {
            return Err(format!("retention pack: status {:?} must be \"proposal\" or \"confirmed\"", raw.status));
        }
        if raw.batch_rows == 0 || raw.batch_rows > 50_000 {
            return Err("retention pack: batch_rows must be between 1 and 50000".into());
        }
        if raw.batch_pause_ms > 10_000 {
            return Err("retention pack: batch_pause_ms must be at most 10000".into());
        }
        if raw.batch_target_ms == 0 || raw.batch_target_ms > 1_000 {
            return Err("retention pack: batch_target_ms must be between 1 and 1000".into());
        }
        if raw.wal_budget_kib_per_s != 0 && raw.wal_budget_kib_per_s < 64 {
            return Err("retention pack: wal_budget_kib_per_s must be 0 (no limit) or at least 64".into());
        }
        if raw.batch_wal_kib != 0 && !(16..=65_536).contains(&raw.batch_wal_kib) {
            return Err("retention pack: batch_wal_kib must be 0 (no limit) or between 16 and 65536".into());
        }
        let mut records = Vec::with_capacity(raw.record.len());
        let mut tables = std::collections::BTreeSet::new();
        let mut ids = std::collections::BTreeSet::new();
        for r in raw.record {
            let at = |field: &str, e: String| format!("retention pack: record {:?}: {field}: {e}", r.id);
            if r.id.is_empty() || !r.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
                return Err(format!("retention pack: record id {:?} must be lower-case letters, digits and _", r.id));
            }
            if !ids.insert(r.id.clone()) {
                return Err(format!("retention pack: record {:?} is listed twice", r.id));
            }
            for t in &r.tables {
                if !tables.insert(t.clone()) {
                    return Err(at("tables", format!("table {t:?} is named by another record type too")));
                }
            }
            if crate::policy::clause(&r.clause).is_none() {
                return Err(at("clause", format!("{:?} is not a WP034 clause", r.clause)));
            }
            for (name, v) in
                [("title", &r.title), ("purpose", &r.purpose), ("lawful_basis", &r.lawful_basis), ("reason", &r.reason)]
            {
                if v.trim().is_empty() {
                    return Err(at(name, "is empty".into()));
                }
            }
            let keep = Keep::parse(&r.keep).map_err(|e| at("keep", e))?;
            let action: RetentionAction =
                r.action.parse().map_err(|e: crate::str_enum::UnknownValue| at("action", e.to_string()))?;
            if action == RetentionAction::Delete && !DELETABLE.contains(&r.id.as_str()) {
                return Err(at(
                    "action",
                    "Custodian cannot delete this record type automatically: use review or keep".into(),
                ));
            }
            if action == RetentionAction::Review
                && !REVIEWABLE.contains(&r.id.as_str())
                && !DELETABLE.contains(&r.id.as_str())
            {
                return Err(at("action", "Custodian cannot count this record type as due: use keep".into()));
            }
            if action != RetentionAction::Keep && keep == Keep::Indefinitely {
                return Err(at("keep", format!("\"indefinitely\" needs action = \"keep\", not {action}")));
            }
            records.push(RecordType {
                id: r.id,
                title: r.title,
                tables: r.tables,
                purpose: r.purpose,
                clause: r.clause,
                lawful_basis: r.lawful_basis,
                keep,
                after: r.after,
                action,
                reason: r.reason,
                shared_with: r.shared_with,
            });
        }
        Ok(Self {
            version: raw.version,
            status: raw.status,
            batch_rows: raw.batch_rows,
            batch_pause_ms: raw.batch_pause_ms,
            batch_target_ms: raw.batch_target_ms,
            wal_budget_kib_per_s: raw.wal_budget_kib_per_s,
            batch_wal_kib: raw.batch_wal_kib,
            records,
        })
    }

    pub fn record(&self, id: &str) -> Option<&RecordType> {
        self.records.iter().find(|r| r.id == id)
    }

    /// The record type that names `table`.
    pub fn for_table(&self, table: &str) -> Option<&RecordType> {
        self.records.iter().find(|r| r.tables.iter().any(|t| t == table))
    }

    /// The tables of `tables` (as read from a migrated database) that no record type names.
    pub fn tables_without_entry<'a>(&self, tables: &'a [String]) -> Vec<&'a str> {
        tables
            .iter()
            .map(String::as_str)
            .filter(|t| !t.starts_with("_sqlx") && !t.starts_with("sqlite_"))
            .filter(|t| self.for_table(t).is_none())
            .collect()
    }
}

crate::str_enum! {
    /// What a legal hold holds.
    pub enum HoldScope {
        /// Every record about one person.
        Person = "person",
        /// One case: a finding, a monitoring case or a post (`finding:ID`, `case:ID`, `post:ID`).
        Case = "case",
    }
}

/// Check a case reference for a hold: `finding:UUID`, `case:UUID` (a monitoring case) or
/// `post:UUID`.
pub fn parse_case_ref(s: &str) -> Result<(String, uuid::Uuid), String> {
    let t = s.trim();
    let (kind, id) = t.split_once(':').ok_or_else(|| format!("{t:?} is not finding:ID, case:ID or post:ID"))?;
    if !matches!(kind, "finding" | "case" | "post") {
        return Err(format!("{t:?}: the kind must be finding, case or post"));
    }
    let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| format!("{t:?}: {id:?} is not an id"))?;
    Ok((kind.to_string(), id))
}

/// Check a hold's reason and review date: a reason of at least 10 characters, a review date
/// after today and within two years (a hold is reviewed, not forgotten).
pub fn check_hold(reason: &str, review_on: Date, today: Date) -> Result<(), String> {
    if reason.trim().chars().count() < 10 {
        return Err("reason: say why the records must be kept (at least 10 characters)".into());
    }
    if review_on <= today {
        return Err("review_on: the review date must be after today".into());
    }
    if review_on > today + time::Duration::days(731) {
        return Err("review_on: review a hold at least every two years".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests;
