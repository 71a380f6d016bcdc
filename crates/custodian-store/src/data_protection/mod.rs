//! Data protection (WP034 3.4, 5.3, 6.5; UK GDPR, DPA 2018): legal holds, the retention status
//! of every record type in the schedule (`policy-pack/retention.toml`), and the deletion job.
//!
//! The deletion job deletes in batches: each batch is one short transaction of at most
//! `batch_rows` rows of one record type (children first), with an audit event naming the rule,
//! the record type and the count; between batches it pauses so other writers get the database.
//! Batches are bounded by time as well: each is sized from the last one's time, from its start to
//! its commit's end, to take about `batch_target_ms` (between [`BATCH_ROWS_FLOOR`] rows and
//! `batch_rows`; cut at once when a batch runs over, grown by a quarter when one runs well under:
//! [`next_batch_rows`]), because a batch holds SQLite's one writer (and PostgreSQL's row locks)
//! for as long as it runs, commit included, and the same rows can take ten times longer on a
//! loaded machine or a large database.
//! The audit log is never touched: its events hold keyed digests of what changed, not the
//! content, so deleting a record leaves every event, and `audit verify`, as they were.

use std::time::{Duration, Instant};

use crate::{Actor, Result, Store};
use custodian_domain::data_protection::{
    BATCH_ROWS_FLOOR, RecordType, RetentionAction, Schedule, flush_backoff_pause_ms, flush_is_slow, next_batch_rows,
    usual_flush_ms, wal_paced_pause_ms,
};
use serde::Serialize;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// A new legal hold: a person (`person`) or a case (`case`: kind and id).
#[derive(Debug, Clone)]
pub struct NewHold {
    pub person: Option<Uuid>,
    pub case: Option<(String, Uuid)>,
    pub reason: String,
    pub review_on: Date,
}

/// A legal hold as listed.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct LegalHold {
    pub id: Uuid,
    pub scope: String,
    pub subject: String,
    pub person_id: Option<Uuid>,
    pub staff_number: Option<String>,
    pub person_name: Option<String>,
    pub case_id: Option<Uuid>,
    pub reason: String,
    pub review_on: Date,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub released_at: Option<OffsetDateTime>,
    pub released_by: Option<String>,
    pub release_reason: Option<String>,
}

/// One record type's numbers.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TypeStatus {
    /// Records of the type now.
    pub count: i64,
    /// The oldest record's moment its retention counts from (None if unknown or none).
    #[serde(with = "time::serde::rfc3339::option")]
    pub oldest: Option<OffsetDateTime>,
    /// Past their retention and not held: what the next run deletes (or, for `review`, what a
    /// person must decide on).
    pub due: i64,
    /// Past their retention but under a legal hold.
    pub held: i64,
}

/// A record type of the schedule with its numbers.
#[derive(Debug, Clone, Serialize)]
pub struct RetentionStatus {
    pub id: String,
    pub title: String,
    pub action: RetentionAction,
    pub keep: String,
    pub clause: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub cutoff: Option<OffsetDateTime>,
    #[serde(flatten)]
    pub numbers: TypeStatus,
}

/// What one batch did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BatchOutcome {
    /// Rows deleted, children included.
    pub deleted: u64,
    /// Main-table rows chosen (fewer than the limit: nothing more is due).
    pub selected: u64,
    /// Rows deleted per table.
    pub tables: Vec<(String, u64)>,
    /// Usage records: the last row taken, where the next batch starts.
    pub next_cursor: UsageCursor,
    /// The commit's time (SQLite: the WAL's sync, and a checkpoint when the WAL is due one).
    pub commit_ms: f64,
    /// PostgreSQL: the write-ahead log written while the batch ran, in bytes (0 on SQLite).
    pub wal_bytes: u64,
}

/// Where the usage records' deletion has got to: the last `seq` it took, and the end of the
/// span (`usage_spans`) it is walking. The next batch reads on from there in the span's range of
/// the table's own key, so no index on every record is needed.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct UsageCursor {
    pub seq: i64,
    pub upto: i64,
}

impl Default for UsageCursor {
    fn default() -> Self {
        Self { seq: i64::MIN, upto: i64::MAX }
    }
}

/// What a run did (or, dry, would do) for one record type.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RuleRun {
    pub rule: String,
    pub clause: String,
    /// Due before the run (not held).
    pub due: i64,
    /// Past retention but held.
    pub held: i64,
    /// Due but still referenced by a record kept longer, so skipped.
    pub skipped_referenced: i64,
    /// Rows deleted, children included (0 in a dry run).
    pub deleted: u64,
    /// Batches that deleted something (each one audit event).
    pub batches: u64,
    /// The longest single batch (its transaction), in milliseconds.
    pub longest_batch_ms: f64,
    /// The longest commit of a batch, in milliseconds (part of the batch's time).
    pub longest_commit_ms: f64,
    /// Batches that took more than 100 ms.
    pub batches_over_100ms: u64,
    /// PostgreSQL: the write-ahead log written while the batches ran, in bytes.
    pub wal_bytes: u64,
    /// The time spent pausing between batches, in milliseconds (`batch_pause_ms` and, on
    /// PostgreSQL, the pauses that keep the job within `wal_budget_kib_per_s`).
    pub paused_ms: f64,
    /// Pauses lengthened because a batch's durable commit was slow (see
    /// [`custodian_domain::data_protection::flush_backoff_pause_ms`]).
    pub backoffs: u64,
    /// The longest durable commit of a batch, in milliseconds: SQLite, its commit (the WAL's
    /// sync); PostgreSQL, the wait, after the batch, until its WAL was on the disk.
    pub longest_flush_ms: f64,
    /// SQLite: the most WAL one batch wrote, in KiB, as the side checkpoints measured it (0 if
    /// not measured: it is measured only when `batch_wal_kib` is set).
    pub largest_batch_wal_kib: f64,
}

/// One write transaction of the deletion job, with the side checkpoint (SQLite) or the flush
/// (PostgreSQL) after it and the pause that followed, as a [`RetentionObserver`] sees it.
#[derive(Debug, Clone, Copy)]
pub struct JobWrite {
    /// `batch` (a deletion batch with its audit event) or `spans` (the job's span bookkeeping).
    pub kind: &'static str,
    /// When it began waiting for the writer (UTC).
    pub started: OffsetDateTime,
    /// From then to the end of its commit, in milliseconds.
    pub ms: f64,
    /// Its commit alone, in milliseconds.
    pub commit_ms: f64,
    /// The rows it was allowed (the batch size) and the rows it deleted.
    pub limit: u32,
    pub deleted: u64,
    /// The side checkpoint that followed it, if any (SQLite).
    pub checkpoint: Option<SideCheckpoint>,
    /// PostgreSQL: the wait after the batch until its WAL was on the disk, in milliseconds.
    pub flush_ms: Option<f64>,
    /// The pause after it, in milliseconds, and whether a slow flush lengthened it.
    pub pause_ms: f64,
    pub backoff: bool,
}

/// A passive checkpoint the deletion job ran after a batch (SQLite).
#[derive(Debug, Clone, Copy)]
pub struct SideCheckpoint {
    /// When it began (UTC), and how long it took, in milliseconds.
    pub started: OffsetDateTime,
    pub ms: f64,
    /// The frames in the WAL, and how many of them it copied into the database (all of them:
    /// the next writer starts the WAL again from the beginning), or None if it failed.
    pub frames: Option<(i64, i64)>,
}

/// Sees each write transaction of the deletion job as it ends (the benchmark matches them with
/// slow writes of its own). Called on the job's task: keep it short.
pub trait RetentionObserver: Send + Sync {
    fn job_write(&self, w: &JobWrite);
}

/// How [`Store::retention_run_with`] runs, beyond the schedule.
#[derive(Clone, Copy)]
pub struct RunOptions<'a> {
    /// SQLite: copy the WAL into the database between batches on a connection of the job's own,
    /// with the writer's autocheckpoint off meanwhile (see [`Checkpointer`]). On by default; the
    /// benchmark turns it off to measure the difference.
    pub side_checkpoints: bool,
    /// Told of each write transaction of the job.
    pub observer: Option<&'a dyn RetentionObserver>,
    /// PostgreSQL: the batches' `backend_flush_after`, in KiB (at most 2,048; 0: the server's
    /// setting). See [`DEFAULT_FLUSH_AFTER_KIB`].
    pub flush_after_kib: u32,
}

/// PostgreSQL: the batches push the pages they write out to the disk every this many KiB
/// (`backend_flush_after`, PostgreSQL's own default for the checkpointer's writes), so that they
/// do not pile up in the kernel's page cache and reach the disk all at once beside the server's
/// commits.
pub const DEFAULT_FLUSH_AFTER_KIB: u32 = 256;

impl Default for RunOptions<'_> {
    fn default() -> Self {
        Self { side_checkpoints: true, observer: None, flush_after_kib: DEFAULT_FLUSH_AFTER_KIB }
    }
}

/// What a run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunReport {
    pub dry_run: bool,
    pub rules: Vec<RuleRun>,
}

impl RunReport {
    pub fn deleted(&self) -> u64 {
        self.rules.iter().map(|r| r.deleted).sum()
    }
    pub fn longest_batch_ms(&self) -> f64 {
        self.rules.iter().map(|r| r.longest_batch_ms).fold(0.0, f64::max)
    }
}

impl Store {
    /// Every table of the migrated database, by name.
    pub async fn database_tables(&self) -> Result<Vec<String>> {
        on_read!(self, data_protection::tables())
    }

    /// Place a legal hold (PSD), with its audit event.
    pub async fn hold_place(&self, h: &NewHold, actor: &Actor, now: OffsetDateTime) -> Result<Uuid> {
        on_write!(self, data_protection::hold_create(h, actor, now))
    }

    /// Release a legal hold, with its audit event.
    pub async fn hold_release(&self, id: Uuid, reason: &str, actor: &Actor, now: OffsetDateTime) -> Result<()> {
        on_write!(self, data_protection::hold_release(id, reason, actor, now))
    }

    /// Legal holds: open ones first, by review date.
    pub async fn holds(&self, include_released: bool) -> Result<Vec<LegalHold>> {
        on_read!(self, data_protection::holds(include_released))
    }

    /// Each record type of `schedule` with its count, oldest record and how many are due at `now`.
    pub async fn retention_status(&self, schedule: &Schedule, now: OffsetDateTime) -> Result<Vec<RetentionStatus>> {
        let mut out = Vec::with_capacity(schedule.records.len());
        for r in &schedule.records {
            let cutoff = r.cutoff(now);
            let first = r.tables.first().map(String::as_str);
            let numbers = on_read!(self, data_protection::type_status(r.id.as_str(), first, cutoff))?;
            out.push(RetentionStatus {
                id: r.id.clone(),
                title: r.title.clone(),
                action: r.action,
                keep: r.keep.to_string(),
                clause: r.clause.clone(),
                cutoff,
                numbers,
            });
        }
        Ok(out)
    }

    /// Run the deletion job over `schedule` at `now`: every `delete` type's due, unheld records,
    /// in batches of at most `schedule.batch_rows`, each sized from the last one's time to take
    /// about `batch_target_ms`, with a pause of `batch_pause_ms` between them. A dry
    /// run counts only. Only record types named in `only` when it is not empty.
    pub async fn retention_run(
        &self,
        schedule: &Schedule,
        now: OffsetDateTime,
        actor: &Actor,
        dry_run: bool,
        only: &[String],
    ) -> Result<RunReport> {
        self.retention_run_with(schedule, now, actor, dry_run, only, RunOptions::default()).await
    }

    /// [`Store::retention_run`] with [`RunOptions`] (an observer of the job's transactions).
    pub async fn retention_run_with(
        &self,
        schedule: &Schedule,
        now: OffsetDateTime,
        actor: &Actor,
        dry_run: bool,
        only: &[String],
        opts: RunOptions<'_>,
    ) -> Result<RunReport> {
        let mut report = RunReport { dry_run, rules: Vec::new() };
        for r in schedule.records.iter().filter(|r| r.action == RetentionAction::Delete) {
            if !only.is_empty() && !only.contains(&r.id) {
                continue;
            }
            report.rules.push(self.retention_rule(schedule, r, now, actor, dry_run, opts).await?);
        }
        Ok(report)
    }

    async fn retention_rule(
        &self,
        schedule: &Schedule,
        r: &RecordType,
        now: OffsetDateTime,
        actor: &Actor,
        dry_run: bool,
        opts: RunOptions<'_>,
    ) -> Result<RuleRun> {
        let Some(cutoff) = r.cutoff(now) else {
            return Ok(RuleRun { rule: r.id.clone(), clause: r.clause.clone(), ..RuleRun::default() });
        };
        let usage = r.id == "usage_records";
        // Usage records: the job does not count what is due before it starts, which would read
        // every record of the table (10,000,000 of them take seconds). It reads only the spans
        // (`usage_spans`) to find where due records may be, and counts the held ones through the
        // held people's own spans (`usage_person_spans`). Every due, unheld record the walk finds
        // it deletes, so what was due is what it deleted. A dry run counts as the status does.
        let st = if usage && !dry_run {
            TypeStatus { held: on_read!(self, data_protection::held_usage_count(cutoff))?, ..TypeStatus::default() }
        } else {
            let first = r.tables.first().map(String::as_str);
            on_read!(self, data_protection::type_status(r.id.as_str(), first, Some(cutoff)))?
        };
        let mut run = RuleRun {
            rule: r.id.clone(),
            clause: r.clause.clone(),
            due: st.due,
            held: st.held,
            skipped_referenced: on_read!(self, data_protection::referenced_count(r.id.as_str(), cutoff))?,
            ..RuleRun::default()
        };
        if dry_run || (!usage && st.due == 0) {
            return Ok(run);
        }
        // The WAL file's header is read (outside the driver) only when `batch_wal_kib` asks for
        // batches sized by their WAL; with the shipped schedule (0) the job never opens it.
        let measure_wal = schedule.batch_wal_kib > 0;
        let mut checkpointer =
            if opts.side_checkpoints { self.checkpointer(measure_wal).await } else { Checkpointer::none() };
        // While the job's own connection checkpoints, the writer connection does not: SQLite's
        // autocheckpoint would otherwise run inside whichever commit takes the WAL past 1,000
        // pages (a batch's or the server's), holding the one writer while it copies and syncs.
        let autocheckpoint = if checkpointer.conn.is_some() { self.autocheckpoint_off().await } else { None };
        let walked =
            self.retention_walk(schedule, r, cutoff, now, actor, usage, opts, &mut checkpointer, &mut run).await;
        if let Some(a) = autocheckpoint {
            a.restore().await;
        }
        walked?;
        if usage {
            // Every due, unheld record of the walked spans is gone: that is what was due.
            run.due = run.deleted as i64;
            if run.deleted > 0 {
                on_write!(self, data_protection::prune_person_spans())?;
            }
        }
        Ok(run)
    }

    /// The batches of one record type (see [`Store::retention_run`]).
    #[allow(clippy::too_many_arguments)] // the rule, its cutoff and audit actor, and the run's state
    async fn retention_walk(
        &self,
        schedule: &Schedule,
        r: &RecordType,
        cutoff: OffsetDateTime,
        now: OffsetDateTime,
        actor: &Actor,
        usage: bool,
        opts: RunOptions<'_>,
        checkpointer: &mut Checkpointer,
        run: &mut RuleRun,
    ) -> Result<()> {
        let max = schedule.batch_rows;
        let postgres = matches!(self.db, crate::Db::Postgres(_));
        // Start small: the first batch's time sizes the next ones (aiming at `batch_target_ms`).
        let mut rows = BATCH_ROWS_FLOOR.min(max).max(1);
        // The job's usual durable commit (see `usual_flush_ms`).
        let mut usual_flush = 0.0;
        // Usage records are walked span by span (`usage_spans`): first any records no span
        // covers get spans of their own, then each span holding a due record is walked in its
        // `seq` range and narrowed to what is left. Every other type is one walk in key order.
        let walks: Vec<Option<(i64, i64)>> = if usage {
            let uncovered = on_read!(self, data_protection::uncovered_usage_ranges())?;
            if !uncovered.is_empty() {
                on_write!(self, data_protection::add_usage_spans(uncovered.as_slice()))?;
            }
            on_read!(self, data_protection::due_usage_spans(cutoff))?.into_iter().map(Some).collect()
        } else {
            vec![None]
        };
        for span in walks {
            let mut cursor = match span {
                Some((first, last)) => UsageCursor { seq: first - 1, upto: last },
                None => UsageCursor::default(),
            };
            loop {
                let limit = rows as i64;
                let started = Instant::now();
                let started_at = OffsetDateTime::now_utc();
                let b = on_write!(
                    self,
                    data_protection::delete_batch(
                        r.id.as_str(),
                        r.clause.as_str(),
                        cutoff,
                        limit,
                        cursor,
                        actor,
                        now,
                        opts.flush_after_kib
                    )
                )?;
                let ms = started.elapsed().as_secs_f64() * 1000.0;
                run.longest_batch_ms = run.longest_batch_ms.max(ms);
                run.longest_commit_ms = run.longest_commit_ms.max(b.commit_ms);
                run.batches_over_100ms += u64::from(ms > 100.0);
                run.deleted += b.deleted;
                run.wal_bytes += b.wal_bytes;
                if b.deleted > 0 {
                    run.batches += 1;
                }
                let mut write = JobWrite {
                    kind: "batch",
                    started: started_at,
                    ms,
                    commit_ms: b.commit_ms,
                    limit: rows,
                    deleted: b.deleted,
                    checkpoint: None,
                    flush_ms: None,
                    pause_ms: 0.0,
                    backoff: false,
                };
                cursor = b.next_cursor;
                let more = match r.id.as_str() {
                    "usage_day_totals" => b.deleted > 0,
                    "usage_records" => cursor.seq < cursor.upto,
                    _ => b.selected as i64 >= limit,
                };
                // The batch's durable commit: on SQLite its commit (`synchronous = FULL` syncs
                // the WAL); on PostgreSQL, whose batches commit without waiting for the disk, the
                // wait until the batch's WAL is on it, outside any transaction (no lock held).
                let mut flush_ms = b.commit_ms;
                if postgres && b.deleted > 0 {
                    let f = self.wal_flush_wait().await?;
                    write.flush_ms = Some(f);
                    flush_ms = f;
                }
                let mut batch_wal_kib = None;
                if b.deleted > 0 && checkpointer.conn.is_some() {
                    let (started, t) = (OffsetDateTime::now_utc(), Instant::now());
                    let (frames, written) = checkpointer.run().await;
                    write.checkpoint = Some(SideCheckpoint { started, ms: t.elapsed().as_secs_f64() * 1000.0, frames });
                    batch_wal_kib = written.map(|f| f as f64 * checkpointer.page_size / 1024.0);
                    run.largest_batch_wal_kib = run.largest_batch_wal_kib.max(batch_wal_kib.unwrap_or(0.0));
                }
                if b.deleted > 0 {
                    run.longest_flush_ms = run.longest_flush_ms.max(flush_ms);
                }
                if !more {
                    if let Some(o) = opts.observer {
                        o.job_write(&write);
                    }
                    break;
                }
                // The batch's whole time, commit included, sizes the next one, and so on SQLite
                // does the WAL it wrote (against `batch_wal_kib`): the fewer rows of the two. A
                // batch that read a window of its span and found nothing due has no rows to size by.
                if b.selected > 0 {
                    let by_time = next_batch_rows(rows, ms, schedule.batch_target_ms, max);
                    let by_wal = match batch_wal_kib {
                        Some(kib) if schedule.batch_wal_kib > 0 => {
                            next_batch_rows(rows, kib, schedule.batch_wal_kib, max)
                        }
                        _ => max,
                    };
                    rows = by_time.min(by_wal);
                }
                // The pause: `batch_pause_ms`, or on PostgreSQL longer if the batch's WAL is more
                // than the budget allows for the time since the batch began; longer still if the
                // batch's durable commit was slow beside the job's usual one (the disk is busy:
                // back off until it has drained).
                let mut pause_ms = 0.0;
                if b.deleted > 0 {
                    let paced =
                        wal_paced_pause_ms(b.wal_bytes, ms, schedule.wal_budget_kib_per_s, schedule.batch_pause_ms);
                    pause_ms = flush_backoff_pause_ms(flush_ms, usual_flush, paced);
                    write.backoff = flush_is_slow(flush_ms, usual_flush);
                    run.backoffs += u64::from(write.backoff);
                    usual_flush = usual_flush_ms(usual_flush, flush_ms);
                }
                write.pause_ms = pause_ms;
                if let Some(o) = opts.observer {
                    o.job_write(&write);
                }
                if pause_ms > 0.0 {
                    let t = Instant::now();
                    tokio::time::sleep(Duration::from_secs_f64(pause_ms / 1000.0)).await;
                    run.paused_ms += t.elapsed().as_secs_f64() * 1000.0;
                } else {
                    tokio::task::yield_now().await;
                }
            }
            if let Some((first, last)) = span {
                let (t, at) = (Instant::now(), OffsetDateTime::now_utc());
                on_write!(self, data_protection::refresh_usage_span(first, last))?;
                if let Some(o) = opts.observer {
                    o.job_write(&JobWrite {
                        kind: "spans",
                        started: at,
                        ms: t.elapsed().as_secs_f64() * 1000.0,
                        commit_ms: 0.0,
                        limit: 0,
                        deleted: 0,
                        checkpoint: None,
                        flush_ms: None,
                        pause_ms: 0.0,
                        backoff: false,
                    });
                }
            }
        }
        Ok(())
    }

    /// PostgreSQL: how long the server takes, now, to make the WAL written so far durable: a
    /// transaction of nothing but a transaction id, committed synchronously (its commit waits
    /// until the WAL up to it, the last batch's included, is on the disk), in milliseconds.
    /// Outside any batch, so it holds no lock. 0 on SQLite.
    async fn wal_flush_wait(&self) -> Result<f64> {
        match &self.db {
            crate::Db::Postgres(p) => crate::backend::postgres::data_protection::wal_flush_wait(p).await,
            crate::Db::Sqlite { .. } => Ok(0.0),
        }
    }

    /// SQLite: turn the writer connection's autocheckpoint off (see [`Checkpointer`]) until the
    /// returned guard is restored (or dropped). None on PostgreSQL or if it cannot be read.
    async fn autocheckpoint_off(&self) -> Option<AutocheckpointOff> {
        let crate::Db::Sqlite { write, .. } = &self.db else { return None };
        let pages: i64 = match sqlx::query_scalar("PRAGMA wal_autocheckpoint").fetch_one(write).await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "retention: cannot read wal_autocheckpoint; left on");
                return None;
            }
        };
        if let Err(e) = sqlx::query("PRAGMA wal_autocheckpoint = 0").execute(write).await {
            tracing::warn!(error = %e, "retention: cannot turn wal_autocheckpoint off");
            return None;
        }
        Some(AutocheckpointOff { pool: Some(write.clone()), pages })
    }

    /// SQLite: the writer connection's `wal_autocheckpoint` (pages), None on PostgreSQL.
    #[doc(hidden)]
    pub async fn wal_autocheckpoint(&self) -> Result<Option<i64>> {
        let crate::Db::Sqlite { write, .. } = &self.db else { return Ok(None) };
        Ok(Some(sqlx::query_scalar("PRAGMA wal_autocheckpoint").fetch_one(write).await?))
    }
}

/// The writer connection's autocheckpoint, off while the deletion job checkpoints on its own
/// connection. [`AutocheckpointOff::restore`] sets it back; if the job's future is dropped
/// instead (cancelled), the guard's drop sets it back on a task of its own. (A connection the
/// pool opens afresh has SQLite's default, 1,000 pages.)
struct AutocheckpointOff {
    pool: Option<sqlx::SqlitePool>,
    pages: i64,
}

impl AutocheckpointOff {
    async fn set(pool: &sqlx::SqlitePool, pages: i64) {
        if let Err(e) = sqlx::query(&format!("PRAGMA wal_autocheckpoint = {pages}")).execute(pool).await {
            tracing::warn!(error = %e, "retention: cannot restore wal_autocheckpoint");
        }
    }

    async fn restore(mut self) {
        if let Some(p) = self.pool.take() {
            Self::set(&p, self.pages).await;
        }
    }
}

impl Drop for AutocheckpointOff {
    fn drop(&mut self) {
        if let Some(p) = self.pool.take()
            && let Ok(rt) = tokio::runtime::Handle::try_current()
        {
            let pages = self.pages;
            rt.spawn(async move { Self::set(&p, pages).await });
        }
    }
}

/// SQLite only: a connection of the deletion job's own that copies the WAL into the database
/// after each batch, with a passive checkpoint, which takes no write lock (other writers go on
/// while it copies and syncs). The writer connection's autocheckpoint is off meanwhile
/// ([`AutocheckpointOff`]): otherwise the commit that takes the WAL past 1,000 pages runs a
/// checkpoint itself, inside the one writer connection, and every writer waits while a thousand
/// pages are copied and the database file synced, however small the batch. Once the WAL has been
/// copied, the next writer starts it again from the beginning, so the WAL stays about one batch
/// long. The checkpoints also measure the WAL each batch wrote (for `batch_wal_kib`).
struct Checkpointer {
    conn: Option<sqlx::SqliteConnection>,
    page_size: f64,
    /// The WAL file, whose header counts the times the WAL was started again.
    wal: Option<std::path::PathBuf>,
    /// At the last checkpoint: the frames in the WAL and the WAL's restart count.
    last: Option<(i64, u32)>,
}

impl Checkpointer {
    fn none() -> Self {
        Self { conn: None, page_size: 4096.0, wal: None, last: None }
    }

    /// Checkpoint after a batch: the WAL's frames and how many were copied, as SQLite reports
    /// them, and the frames written since the last checkpoint (see [`batch_frames`]).
    async fn run(&mut self) -> (Option<(i64, i64)>, Option<i64>) {
        let Some(c) = self.conn.as_mut() else { return (None, None) };
        // Passive: never waits for readers or writers, never calls the busy handler. A
        // failure (e.g. another checkpoint under way) leaves the work to the next one.
        let now = match sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(&mut *c).await
        {
            Ok((_, log, copied)) => (log, copied),
            Err(e) => {
                tracing::debug!(error = %e, "retention: passive checkpoint");
                self.last = None;
                return (None, None);
            }
        };
        let restarts = self.wal.as_deref().and_then(wal_restarts);
        let written = restarts.and_then(|r| batch_frames(self.last, (now.0, r)));
        self.last = restarts.map(|r| (now.0, r));
        (Some(now), written)
    }
}

/// The checkpoint sequence number in a WAL file's header (bytes 12 to 15, big-endian), which
/// SQLite adds one to each time it starts the WAL again from the beginning.
fn wal_restarts(path: &std::path::Path) -> Option<u32> {
    use std::io::Read;
    let mut h = [0u8; 16];
    std::fs::File::open(path).ok()?.read_exact(&mut h).ok()?;
    Some(u32::from_be_bytes([h[12], h[13], h[14], h[15]]))
}

/// The WAL frames written since the last side checkpoint (`last`: the frames in the WAL then and
/// its restart count) as this one (`now`) finds them: all of them if the WAL was started again
/// meanwhile (the restart count moved), else what it grew by. None with nothing to compare with.
/// (Whether the WAL starts again after a checkpoint that copied all of it depends on the readers
/// of the moment: at 10,000,000 records it often did not, so the count is read, not assumed.)
fn batch_frames(last: Option<(i64, u32)>, now: (i64, u32)) -> Option<i64> {
    let (log, restarts) = last?;
    if now.1 != restarts { Some(now.0) } else { Some((now.0 - log).max(0)) }
}

impl Store {
    /// The job's checkpointing connection; `measure_wal`: also read the WAL file's header after
    /// each checkpoint, to learn the WAL each batch wrote (only for `batch_wal_kib`).
    async fn checkpointer(&self, measure_wal: bool) -> Checkpointer {
        use sqlx::Connection;
        let Some(path) = self.sqlite_path.as_ref() else { return Checkpointer::none() };
        let opts = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(path)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Full);
        match sqlx::SqliteConnection::connect_with(&opts).await {
            Ok(mut c) => {
                let page_size: i64 = sqlx::query_scalar("PRAGMA page_size").fetch_one(&mut c).await.unwrap_or(4096);
                let mut cp = Checkpointer::none();
                cp.conn = Some(c);
                cp.page_size = page_size as f64;
                if measure_wal {
                    let mut wal = path.clone().into_os_string();
                    wal.push("-wal");
                    cp.wal = Some(wal.into());
                }
                // Start from an empty WAL where it can, so the first batch's frames are its own.
                cp.run().await;
                cp
            }
            Err(e) => {
                tracing::warn!(error = %e, "retention: no connection for checkpoints; the writers will checkpoint");
                Checkpointer::none()
            }
        }
    }
}

/// Where a subject access export goes, record by record.
pub trait ExportSink: Send {
    /// Take one record of `section` (sections come in the order of [`EXPORT_SECTIONS`]).
    fn record(&mut self, section: &'static str, v: serde_json::Value) -> Result<()>;

    /// Wait until whatever consumes the export has room for more: the export awaits this after
    /// every record, so a consumer slower than the database holds the export back
    /// (backpressure) instead of the records piling up in memory.
    fn ready(&mut self) -> impl std::future::Future<Output = Result<()>> + Send {
        std::future::ready(Ok(()))
    }
}

/// A closure as an [`ExportSink`] that never waits (a file, a buffer).
pub struct FnSink<F>(pub F);

impl<F> ExportSink for FnSink<F>
where
    F: FnMut(&'static str, serde_json::Value) -> Result<()> + Send,
{
    fn record(&mut self, section: &'static str, v: serde_json::Value) -> Result<()> {
        (self.0)(section, v)
    }
}

impl Store {
    /// Everything held about one person (UK GDPR Art. 15), record by record into `sink(section,
    /// record)`, sections in the order of [`EXPORT_SECTIONS`]; other people are shown by their
    /// roles. False if there is no such person. The caller audits the export.
    pub async fn subject_access<F>(&self, person: Uuid, sink: F) -> Result<bool>
    where
        F: FnMut(&'static str, serde_json::Value) -> Result<()> + Send,
    {
        self.subject_access_to(person, &mut FnSink(sink)).await
    }

    /// [`Store::subject_access`] into a sink that may hold the export back until its consumer
    /// has room ([`ExportSink::ready`]). The export reads in one snapshot, which it gives up
    /// after [`EXPORT_SNAPSHOT_LIMIT`] (the export then fails): an old snapshot keeps
    /// PostgreSQL's vacuum from removing deleted rows and SQLite's WAL from being checkpointed.
    pub async fn subject_access_to<S: ExportSink>(&self, person: Uuid, sink: &mut S) -> Result<bool> {
        match tokio::time::timeout(EXPORT_SNAPSHOT_LIMIT, async {
            on_read_once!(self, data_protection_export::export(person, sink))
        })
        .await
        {
            Ok(r) => r,
            Err(_) => Err(crate::StoreError::Internal(format!(
                "the subject access export ran past its {} s limit and was stopped",
                EXPORT_SNAPSHOT_LIMIT.as_secs()
            ))),
        }
    }
}

/// The longest a subject access export may hold its read snapshot (100,000 usage records take
/// about 2 s).
pub const EXPORT_SNAPSHOT_LIMIT: Duration = Duration::from_secs(120);

/// The sections of a subject access export, in order.
pub const EXPORT_SECTIONS: &[&str] = crate::backend::sqlite::data_protection_export::SECTIONS;

/// The parts of `from..=to` that no range in `ranges` (sorted by start; they may overlap) covers.
pub(crate) fn gaps(ranges: &[(i64, i64)], from: i64, to: i64) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let mut next = from;
    for &(first, last) in ranges {
        if next > to {
            break;
        }
        if first > next {
            out.push((next, (first - 1).min(to)));
        }
        next = next.max(last.saturating_add(1));
    }
    if next <= to {
        out.push((next, to));
    }
    out
}

/// Ranges closer than this many `seq` are read as one: a few rows of other people's read and
/// skipped cost less than another query.
const MERGE_SLACK: i64 = 64;

/// `ranges` sorted and merged where they overlap, touch or lie within [`MERGE_SLACK`] of each other.
pub(crate) fn merged(ranges: impl IntoIterator<Item = (i64, i64)>) -> Vec<(i64, i64)> {
    let mut all: Vec<(i64, i64)> = ranges.into_iter().filter(|(a, b)| a <= b).collect();
    all.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(all.len());
    for (first, last) in all {
        match out.last_mut() {
            Some((_, end)) if first <= end.saturating_add(MERGE_SLACK) => *end = (*end).max(last),
            _ => out.push((first, last)),
        }
    }
    out
}

#[cfg(test)]
mod range_tests {
    use super::*;

    #[test]
    fn gaps_are_what_no_range_covers() {
        assert_eq!(gaps(&[], 1, 10), vec![(1, 10)]);
        assert_eq!(gaps(&[(1, 10)], 1, 10), vec![]);
        assert_eq!(gaps(&[(3, 4), (4, 6), (9, 20)], 1, 12), vec![(1, 2), (7, 8)]);
        assert_eq!(gaps(&[(2, 5), (3, 3)], 1, 8), vec![(1, 1), (6, 8)]);
    }

    #[test]
    fn a_batch_s_frames_are_what_the_wal_grew_by_or_all_of_it_after_a_restart() {
        // The WAL was started again (its restart count moved): all 120 frames are new.
        assert_eq!(batch_frames(Some((300, 7)), (120, 8)), Some(120));
        assert_eq!(batch_frames(Some((300, 7)), (420, 8)), Some(420));
        // It was not: it grew by 120.
        assert_eq!(batch_frames(Some((300, 7)), (420, 7)), Some(120));
        assert_eq!(batch_frames(Some((300, 7)), (300, 7)), Some(0));
        assert_eq!(batch_frames(None, (80, 1)), None);
    }

    #[test]
    fn the_wal_header_counts_its_restarts() {
        let dir = std::env::temp_dir().join(format!("custodian-wal-{}", Uuid::now_v7()));
        std::fs::write(&dir, [0x37, 0x7f, 0x06, 0x82, 0, 0x2d, 0xe2, 0x18, 0, 0, 0x10, 0, 0, 0, 1, 2, 9, 9]).unwrap();
        assert_eq!(wal_restarts(&dir), Some(258));
        std::fs::write(&dir, [0u8; 10]).unwrap();
        assert_eq!(wal_restarts(&dir), None);
        std::fs::remove_file(&dir).ok();
        assert_eq!(wal_restarts(&dir), None);
    }

    #[test]
    fn near_ranges_are_read_as_one() {
        assert_eq!(merged([(500, 600), (1, 5), (4, 9), (70, 80)]), vec![(1, 80), (500, 600)]);
        assert_eq!(merged([(10, 1)]), vec![]);
    }
}
