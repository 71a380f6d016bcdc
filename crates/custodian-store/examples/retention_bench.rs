//! Data protection benchmark (release), through the store's real code paths:
//!
//! 1. Subject access: export everything held about one person with `SAR` usage records (default
//!    100,000), among the `N` other records of the table, as JSON to a file; the file is then
//!    parsed and its usage records counted.
//! 2. Control: the same writer as in 3 (a job lease every 10 ms, each write timed) for
//!    `CONTROL_SECS` seconds (default 150, about the deletion's time) with the deletion job not
//!    running, on the same filled and settled database: how long the writes wait with no job.
//! 3. Retention: delete the `N` expired usage records (default 10,000,000) with the deletion job
//!    (`Store::retention_run`, the schedule's batches and pauses) beside that writer: the longest
//!    wait and the 99th percentile are how long the server was blocked.
//!
//! Beside both 2 and 3 a thread times a write and `fdatasync` of a small file on the same
//! filesystem every 10 ms (`FSYNC_SAMPLE=0` turns it off): the disk's own latency. Every probe
//! write over 100 ms is printed with its UTC start time, the slowest sampler sync that overlapped
//! it, and in 3 the job's transactions (and side checkpoints) that overlapped it, from the job's
//! timeline (a `data_protection::RetentionObserver` the bench passes in); so is every job
//! transaction over 100 ms.
//!
//! Each probe write is timed whole and in parts (`Store::try_lease_timed`: the same upsert as
//! `Store::try_lease`, in a transaction of its own): its **lock wait**, i.e. time spent waiting
//! for a lock another writer (the job) held, and the rest (its statement and commit: the disk).
//! SQLite: the wait for the writer pool's one connection plus `BEGIN IMMEDIATE` (the write lock),
//! timed by the probe. PostgreSQL (where the job never locks the probe's row): a task samples
//! `pg_stat_activity` every 5 ms for backends with `wait_event_type = 'Lock'`, and a write's lock
//! wait is the samples that found its upsert waiting, times the sampling interval. Per phase the
//! `SPLIT` line gives writes, whole-write and lock-wait max / p99 / over 100 ms; the `JOB HOLD`
//! line the job's longest write transaction (on SQLite, the longest it can hold a writer up).
//!
//! With each phase it prints the machine's load average and this process's CPU time and the
//! time its threads spent runnable but waiting for a CPU (`/proc/self/task/*/schedstat`), so a
//! long wait on a busy machine can be told from one the database caused.
//!
//! cargo run --release -p custodian-store --example retention_bench -- [N] [DATABASE_URL] [SAR]
//!
//! SIDE_CHECKPOINT=0 in the environment makes the deletion job leave SQLite's checkpoints to the
//! writers' own autocheckpoint, as before (see `data_protection::RunOptions`).
//! FLUSH_AFTER_KIB=K sets the PostgreSQL batches' `backend_flush_after` (0: the server's own).
//! BATCH_WAL_KIB=K sets the schedule's `batch_wal_kib` (SQLite: the WAL one batch may write).
//!
//! The records are stored straight into the table, so the bench then writes the spans an import
//! would have written for batches of 25,000 records: `usage_spans` (where the deletion job looks)
//! and `usage_person_spans`, `usage_person_cover` (where subject access looks).
//!
//! The load is settled before the control and again before the deletion, so neither pays for the
//! fill's writes (SETTLE=0 skips it): SQLite checkpoints its WAL into the database (TRUNCATE);
//! PostgreSQL VACUUMs the table (hint bits, visibility) and CHECKPOINTs; then `sync` writes back
//! what the kernel still holds dirty.
//! WAL_BUDGET_KIB=K sets the schedule's `wal_budget_kib_per_s` to K for the run (0: no limit).
//!
//! DATABASE_URL defaults to a fresh SQLite file in a temporary folder; for PostgreSQL give an
//! empty database's URL. The records are generated inside the database in chunks of a million
//! (a recursive CTE on SQLite, generate_series on PostgreSQL), so setup costs little.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use custodian_domain::data_protection::Schedule;
use custodian_domain::data_protection::export::{ExportWriter, Form};
use custodian_domain::imports::ImportAuthority;
use custodian_store::data_protection::{EXPORT_SECTIONS, JobWrite, RetentionObserver, RunOptions};
use custodian_store::leases::TimedWrite;
use custodian_store::{Actor, OpenOptions, Store, no_progress};
use time::OffsetDateTime;
use uuid::Uuid;

mod common;

/// The allocator the `custodian` binary uses.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const PEOPLE: &str = include_str!("../../../fixtures/people.csv");

async fn exec(url: &str, sql: &str) {
    use sqlx::Connection;
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await.expect("connect");
        sqlx::query(sql).execute(&mut c).await.expect("insert");
        c.close().await.expect("close");
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
        sqlx::query(sql).execute(&mut c).await.expect("insert");
        c.close().await.expect("close");
    }
}

fn lit(url: &str, u: Uuid) -> String {
    if url.starts_with("sqlite:") { format!("X'{}'", hex::encode(u.as_bytes())) } else { format!("'{u}'::uuid") }
}

/// `n` usage records tagged `tag`, one a second from `start_us`, the person cycling through
/// `people`; generated by the database in chunks of a million rows.
async fn fill(url: &str, people: &[Uuid], tag: &str, n: u64, start_us: i64) {
    let sqlite = url.starts_with("sqlite:");
    let person = if people.len() == 1 {
        lit(url, people[0])
    } else {
        let arms: String = people.iter().enumerate().map(|(k, p)| format!(" WHEN {k} THEN {}", lit(url, *p))).collect();
        format!("CASE i % {}{arms} END", people.len())
    };
    let chunk = 1_000_000u64;
    let mut done = 0u64;
    while done < n {
        let end = (done + chunk).min(n);
        let cols = "feed, record_id, event, tethered, device_id, day, bytes, start_us, person_id, subject, \
                    outgoing, duration_s, party, place, category, account";
        let sql = if sqlite {
            format!(
                "WITH RECURSIVE c(i) AS (SELECT {done} UNION ALL SELECT i + 1 FROM c WHERE i < {last}) \
                 INSERT INTO usage_records ({cols}) SELECT 'carrier', '{tag}-' || i, 'call', 0, NULL, 1, 0, \
                 {start_us} + i * 1000000, {person}, '{tag}', 1, 60, '07700900' || (i % 1000), 'UK', 'voice', 'acct' FROM c",
                last = end - 1
            )
        } else {
            format!(
                "INSERT INTO usage_records ({cols}) SELECT 'carrier', '{tag}-' || i, 'call', FALSE, NULL, 1, 0, \
                 {start_us} + i * 1000000, {person}, '{tag}', TRUE, 60, '07700900' || (i % 1000)::text, 'UK', 'voice', 'acct' \
                 FROM generate_series({done}::bigint, {last}::bigint) AS i",
                last = end - 1
            )
        };
        exec(url, &sql).await;
        done = end;
    }
    if !sqlite {
        exec(url, "ANALYZE usage_records").await;
    }
}

/// Export person `id` as JSON to `path`; the time taken and the usage records written.
async fn export(store: &Store, id: Uuid, path: &std::path::Path) -> (Duration, u64) {
    let t = Instant::now();
    let file = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path).expect("file"));
    let mut w = ExportWriter::new(file, Form::Json, EXPORT_SECTIONS, &serde_json::json!({"staff_number": "A1017"}))
        .expect("writer");
    let found = store
        .subject_access(id, |s, v| w.record(s, &v).map_err(|e| custodian_store::StoreError::Internal(e.to_string())))
        .await
        .expect("export");
    assert!(found);
    let (_, counts) = w.finish().expect("finish");
    let took = t.elapsed();
    let usage = counts.iter().find(|(s, _)| *s == "usage_records").map(|(_, n)| *n).unwrap_or(0);
    (took, usage)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// This process's CPU time and its threads' time runnable but waiting for a CPU, in seconds
/// (Linux; zeros elsewhere).
fn cpu() -> (f64, f64) {
    let (mut on, mut waiting) = (0u64, 0u64);
    if let Ok(dir) = std::fs::read_dir("/proc/self/task") {
        for t in dir.flatten() {
            if let Ok(s) = std::fs::read_to_string(t.path().join("schedstat")) {
                let mut f = s.split_whitespace().map(|x| x.parse::<u64>().unwrap_or(0));
                on += f.next().unwrap_or(0);
                waiting += f.next().unwrap_or(0);
            }
        }
    }
    (on as f64 / 1e9, waiting as f64 / 1e9)
}

/// The load average now.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// The CPU taken and the CPU waited for since `from` (see [`cpu`]), and the load now.
fn machine(from: (f64, f64)) -> String {
    let (on, waiting) = cpu();
    format!("[cpu {:.2} s, waited for a cpu {:.2} s; load {}]", on - from.0, waiting - from.1, load())
}

/// A timed event: when it began (UTC) and how long it took, in milliseconds.
#[derive(Clone, Copy)]
struct Timed {
    at: OffsetDateTime,
    ms: f64,
}

impl Timed {
    fn end(&self) -> OffsetDateTime {
        self.at + time::Duration::seconds_f64(self.ms / 1000.0)
    }
    fn overlaps(&self, at: OffsetDateTime, ms: f64) -> bool {
        let other = Timed { at, ms };
        self.at <= other.end() && other.at <= self.end()
    }
}

/// The deletion job's write transactions, as the job reports them.
#[derive(Default)]
struct Timeline(std::sync::Mutex<Vec<JobWrite>>);

impl RetentionObserver for Timeline {
    fn job_write(&self, w: &JobWrite) {
        self.0.lock().expect("timeline").push(*w);
    }
}

/// One probe write: when it began, its whole time, and its parts (see
/// [`custodian_store::leases::TimedWrite`]).
#[derive(Clone, Copy)]
struct Probe {
    at: OffsetDateTime,
    ms: f64,
    parts: Option<TimedWrite>,
}

impl Probe {
    fn timed(&self) -> Timed {
        Timed { at: self.at, ms: self.ms }
    }
}

/// A writer that takes a job lease every 10 ms until `stop`, timing each write: the same upsert
/// as `Store::try_lease`, in a transaction of its own on the writer pool (`BEGIN IMMEDIATE` on
/// SQLite), with the wait for the writer connection, the `BEGIN`, the statement and the commit
/// timed apart (`Store::try_lease_timed`).
fn probe(store: &Store, stop: &Arc<AtomicBool>) -> tokio::task::JoinHandle<Vec<Probe>> {
    let (store, stop) = (store.clone(), stop.clone());
    tokio::spawn(async move {
        let mut waits = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            let t = Instant::now();
            let at = OffsetDateTime::now_utc();
            // A write that fails (e.g. no connection within the pool's timeout) counts as a
            // wait of as long as it took, and is printed.
            let parts = match store.try_lease_timed("bench.probe", "probe", time::Duration::minutes(1), at).await {
                Ok(p) => Some(p),
                Err(e) => {
                    println!("probe write failed: started {at}, after {:.1} ms: {e}", ms(t.elapsed()));
                    None
                }
            };
            waits.push(Probe { at, ms: ms(t.elapsed()), parts });
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        waits
    })
}

/// PostgreSQL: what the server says is waiting for a lock (`pg_stat_activity`, wait_event_type
/// `Lock`: a heavyweight lock, i.e. a row or table lock another transaction holds), sampled every
/// `LOCK_SAMPLE_MS` on a connection of its own.
struct LockSamples {
    /// Samples taken, and the time they spanned, in milliseconds.
    taken: u64,
    span_ms: f64,
    /// Each sample that found a backend waiting on a lock: when, and (pid, wait event, query).
    waiting: Vec<(OffsetDateTime, Vec<LockWaiter>)>,
}

const LOCK_SAMPLE_MS: u64 = 5;

/// A backend waiting on a lock, as sampled: its pid, wait event and query.
type LockWaiter = (i32, String, String);

impl LockSamples {
    /// The mean time between samples, in milliseconds.
    fn interval_ms(&self) -> f64 {
        if self.taken > 1 { self.span_ms / (self.taken - 1) as f64 } else { LOCK_SAMPLE_MS as f64 }
    }

    /// The probe's lock wait in `w` as sampled: samples inside it that found the probe's upsert
    /// waiting on a lock, times the sampling interval (at most the write's time).
    fn probe_wait_ms(&self, w: &Timed) -> f64 {
        let n = self
            .waiting
            .iter()
            .filter(|(at, _)| *at >= w.at && *at <= w.end())
            .filter(|(_, ws)| ws.iter().any(|(_, _, q)| q.starts_with("INSERT INTO job_leases")))
            .count();
        (n as f64 * self.interval_ms()).min(w.ms)
    }
}

fn lock_sampler(url: &str, stop: &Arc<AtomicBool>) -> Option<tokio::task::JoinHandle<LockSamples>> {
    if url.starts_with("sqlite:") {
        return None;
    }
    let (url, stop) = (url.to_string(), stop.clone());
    Some(tokio::spawn(async move {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(&url).await.expect("connect the lock sampler");
        let mut out = LockSamples { taken: 0, span_ms: 0.0, waiting: Vec::new() };
        let mut tick = tokio::time::interval(Duration::from_millis(LOCK_SAMPLE_MS));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let t = Instant::now();
        while !stop.load(Ordering::Relaxed) {
            tick.tick().await;
            let at = OffsetDateTime::now_utc();
            let rows: Vec<LockWaiter> = sqlx::query_as(
                "SELECT pid, coalesce(wait_event, ''), coalesce(left(query, 80), '') FROM pg_stat_activity \
                 WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
            )
            .fetch_all(&mut c)
            .await
            .expect("sample pg_stat_activity");
            out.taken += 1;
            out.span_ms = ms(t.elapsed());
            if !rows.is_empty() {
                out.waiting.push((at, rows));
            }
        }
        c.close().await.ok();
        out
    }))
}

/// A thread that writes 4 KiB to a file in `dir` and syncs it (`fdatasync`) every 10 ms until
/// `stop`, timing each write and sync: the disk's latency, with or without the job.
fn fsync_sampler(dir: &std::path::Path, stop: &Arc<AtomicBool>) -> Option<std::thread::JoinHandle<Vec<Timed>>> {
    if std::env::var("FSYNC_SAMPLE").map(|v| v == "0").unwrap_or(false) {
        return None;
    }
    let path = dir.join("fsync-sample.bin");
    let stop = stop.clone();
    Some(std::thread::spawn(move || {
        use std::os::unix::fs::FileExt;
        let f = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).expect("sample file");
        let block = vec![0x5au8; 4096];
        let mut out = Vec::new();
        let mut k = 0u64;
        while !stop.load(Ordering::Relaxed) {
            let (at, t) = (OffsetDateTime::now_utc(), Instant::now());
            f.write_all_at(&block, (k % 16) * 4096).expect("sample write");
            f.sync_data().expect("sample sync");
            out.push(Timed { at, ms: ms(t.elapsed()) });
            k += 1;
            std::thread::sleep(Duration::from_millis(10));
        }
        out
    }))
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    sorted.get(((sorted.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0.0)
}

/// The probe's and the sampler's numbers for one phase, and each probe write over 100 ms with
/// what the disk sampler and the job (its `timeline`, if it ran) were doing at that moment.
/// A probe write's time spent waiting for a lock another writer held, in milliseconds. SQLite:
/// the wait for the writer pool's one connection (held by any other transaction of the server,
/// the deletion job's batches included) and `BEGIN IMMEDIATE` (the database's write lock), as
/// timed by the probe; a write that failed counts whole. PostgreSQL: the samples of
/// `pg_stat_activity` during the write that found its upsert waiting on a lock (`locks`).
fn lock_wait_ms(p: &Probe, locks: Option<&LockSamples>) -> f64 {
    match (locks, p.parts) {
        (Some(l), _) => l.probe_wait_ms(&p.timed()),
        (None, Some(w)) => w.acquire_ms + w.begin_ms,
        (None, None) => p.ms,
    }
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

fn report(
    phase: &str,
    took: Duration,
    probes: &[Probe],
    syncs: &[Timed],
    timeline: &[JobWrite],
    locks: Option<&LockSamples>,
) {
    let waits: Vec<Timed> = probes.iter().map(Probe::timed).collect();
    let w = sorted(waits.iter().map(|t| t.ms).collect());
    let over = w.iter().filter(|m| **m > 100.0).count();
    println!(
        "{phase}: {:.1} s; concurrent writer: {} writes; wait max {:.1} ms, p99 {:.1} ms, p50 {:.1} ms; {over} writes over 100 ms",
        took.as_secs_f64(),
        w.len(),
        quantile(&w, 1.0),
        quantile(&w, 0.99),
        quantile(&w, 0.5)
    );
    let lock = sorted(probes.iter().map(|p| lock_wait_ms(p, locks)).collect());
    let rest = sorted(probes.iter().map(|p| p.ms - lock_wait_ms(p, locks)).collect());
    let part = |f: fn(&TimedWrite) -> f64| sorted(probes.iter().filter_map(|p| p.parts.as_ref().map(f)).collect());
    let (pool, begin, stmt, commit) =
        (part(|t| t.acquire_ms), part(|t| t.begin_ms), part(|t| t.statement_ms), part(|t| t.commit_ms));
    let method = match locks {
        Some(l) => format!("pg_stat_activity wait_event_type = 'Lock' sampled every {:.1} ms", l.interval_ms()),
        None => "SQLite: wait for the writer connection + BEGIN IMMEDIATE, timed".to_string(),
    };
    let over100 = |v: &[f64]| v.iter().filter(|m| **m > 100.0).count();
    println!(
        "{phase}: SPLIT writes {} (failed {}); whole max {:.1} p99 {:.1} ms, {} over 100 ms; lock wait max {:.1} p99 {:.1} ms, {} over 100 ms [{method}]; rest (statement + commit) max {:.1} p99 {:.1} ms, {} over 100 ms",
        probes.len(),
        probes.iter().filter(|p| p.parts.is_none()).count(),
        quantile(&w, 1.0),
        quantile(&w, 0.99),
        over,
        quantile(&lock, 1.0),
        quantile(&lock, 0.99),
        over100(&lock),
        quantile(&rest, 1.0),
        quantile(&rest, 0.99),
        over100(&rest)
    );
    println!(
        "{phase}: parts (max / p99 / p50 ms): writer-pool wait {:.1} / {:.1} / {:.2}; BEGIN {:.1} / {:.1} / {:.2}; upsert {:.1} / {:.1} / {:.2}; COMMIT {:.1} / {:.1} / {:.2}",
        quantile(&pool, 1.0),
        quantile(&pool, 0.99),
        quantile(&pool, 0.5),
        quantile(&begin, 1.0),
        quantile(&begin, 0.99),
        quantile(&begin, 0.5),
        quantile(&stmt, 1.0),
        quantile(&stmt, 0.99),
        quantile(&stmt, 0.5),
        quantile(&commit, 1.0),
        quantile(&commit, 0.99),
        quantile(&commit, 0.5)
    );
    if let Some(l) = locks {
        let by_probe = l
            .waiting
            .iter()
            .filter(|(_, ws)| ws.iter().any(|(_, _, q)| q.starts_with("INSERT INTO job_leases")))
            .count();
        println!(
            "{phase}: lock samples: {} taken over {:.1} s (every {:.2} ms); {} found a backend waiting on a lock, {by_probe} of them the probe's upsert",
            l.taken,
            l.span_ms / 1000.0,
            l.interval_ms(),
            l.waiting.len()
        );
        let mut seen = std::collections::BTreeMap::new();
        for (_, ws) in &l.waiting {
            for (_, ev, q) in ws {
                *seen.entry(format!("{ev}: {q}")).or_insert(0u64) += 1;
            }
        }
        for (k, n) in seen.iter().take(10) {
            println!("{phase}: lock waiter sampled {n} times: {k}");
        }
    }
    if !syncs.is_empty() {
        let mut f: Vec<f64> = syncs.iter().map(|t| t.ms).collect();
        f.sort_by(f64::total_cmp);
        println!(
            "{phase}: disk sampler (4 KiB write + fdatasync every 10 ms): {} syncs; max {:.1} ms, p99 {:.1} ms, p50 {:.1} ms; {} over 50 ms, {} over 100 ms",
            f.len(),
            quantile(&f, 1.0),
            quantile(&f, 0.99),
            quantile(&f, 0.5),
            f.iter().filter(|m| **m > 50.0).count(),
            f.iter().filter(|m| **m > 100.0).count()
        );
    }
    let disk_at = |t: &Timed| {
        let during: Vec<&Timed> = syncs.iter().filter(|s| s.overlaps(t.at, t.ms)).collect();
        match during.iter().map(|s| s.ms).fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x)))) {
            Some(m) => format!(
                "disk: {} sampler syncs overlapped, slowest {m:.1} ms{}",
                during.len(),
                if m > 50.0 { " (SLOW DISK)" } else { "" }
            ),
            None if syncs.is_empty() => "disk: not sampled".to_string(),
            None => "disk: no sampler sync overlapped (a sync still running)".to_string(),
        }
    };
    let job_at = |t: &Timed| {
        let mut parts = Vec::new();
        for j in timeline {
            let jt = Timed { at: j.started, ms: j.ms };
            if jt.overlaps(t.at, t.ms) {
                parts.push(format!(
                    "{} of {}/{} rows {:.1} ms (commit {:.1} ms{}) from {}",
                    j.kind,
                    j.deleted,
                    j.limit,
                    j.ms,
                    j.commit_ms,
                    j.flush_ms.map(|f| format!(", then flush {f:.1} ms")).unwrap_or_default(),
                    j.started.time()
                ));
            }
            if let Some(c) = j.checkpoint
                && (Timed { at: c.started, ms: c.ms }).overlaps(t.at, t.ms)
            {
                parts.push(format!(
                    "side checkpoint {:.1} ms from {} (WAL frames, copied: {:?})",
                    c.ms,
                    c.started.time(),
                    c.frames
                ));
            }
        }
        if parts.is_empty() { "job: no transaction open".to_string() } else { format!("job: {}", parts.join("; ")) }
    };
    for p in probes.iter().filter(|p| p.ms > 100.0) {
        let t = &p.timed();
        let job = if phase == "control" { String::new() } else { format!("; {}", job_at(t)) };
        let split = match p.parts {
            Some(w) => format!(
                "lock wait {:.1} ms (writer pool {:.1}, BEGIN {:.1}), upsert {:.1}, COMMIT {:.1}",
                lock_wait_ms(p, locks),
                w.acquire_ms,
                w.begin_ms,
                w.statement_ms,
                w.commit_ms
            ),
            None => "failed".to_string(),
        };
        println!("{phase}: slow probe write: started {}, waited {:.1} ms [{split}]; {}{job}", t.at, t.ms, disk_at(t));
    }
    if phase != "control" {
        for j in timeline.iter().filter(|j| j.ms > 100.0) {
            let t = Timed { at: j.started, ms: j.ms };
            println!(
                "{phase}: slow job {}: started {}, {:.1} ms (commit {:.1} ms), {}/{} rows; {}",
                j.kind,
                j.started,
                j.ms,
                j.commit_ms,
                j.deleted,
                j.limit,
                disk_at(&t)
            );
        }
        let hold = |kind: &str| timeline.iter().filter(|j| j.kind == kind).map(|j| j.ms).fold(0.0, f64::max);
        println!(
            "{phase}: JOB HOLD longest write transaction (from its wait for the writer to its commit's end; on SQLite the longest it held the one writer): batch {:.1} ms, span bookkeeping {:.1} ms; {} over 100 ms",
            hold("batch"),
            hold("spans"),
            timeline.iter().filter(|j| j.ms > 100.0).count()
        );
        let batches: Vec<&JobWrite> = timeline.iter().filter(|j| j.kind == "batch" && j.deleted > 0).collect();
        let mut sizes: Vec<f64> = batches.iter().map(|j| j.limit as f64).collect();
        sizes.sort_by(f64::total_cmp);
        let mut times: Vec<f64> = batches.iter().map(|j| j.ms).collect();
        times.sort_by(f64::total_cmp);
        let mut commits: Vec<f64> = batches.iter().map(|j| j.commit_ms).collect();
        commits.sort_by(f64::total_cmp);
        let mut cps: Vec<f64> = timeline.iter().filter_map(|j| j.checkpoint.map(|c| c.ms)).collect();
        cps.sort_by(f64::total_cmp);
        let frames: Vec<(i64, i64)> = timeline.iter().filter_map(|j| j.checkpoint.and_then(|c| c.frames)).collect();
        let failed = timeline.iter().filter(|j| j.checkpoint.is_some_and(|c| c.frames.is_none())).count();
        println!(
            "{phase}: batch sizes min {:.0}, p50 {:.0}, max {:.0} rows; batch time p50 {:.1}, p99 {:.1}, max {:.1} ms; commit p50 {:.1}, p99 {:.1}, max {:.1} ms; {} over 25 ms",
            quantile(&sizes, 0.0),
            quantile(&sizes, 0.5),
            quantile(&sizes, 1.0),
            quantile(&times, 0.5),
            quantile(&times, 0.99),
            quantile(&times, 1.0),
            quantile(&commits, 0.5),
            quantile(&commits, 0.99),
            quantile(&commits, 1.0),
            times.iter().filter(|m| **m > 25.0).count()
        );
        let mut flushes: Vec<f64> = batches.iter().filter_map(|j| j.flush_ms).collect();
        flushes.sort_by(f64::total_cmp);
        if !flushes.is_empty() {
            println!(
                "{phase}: WAL flush waits after the batches: p50 {:.1}, p99 {:.1}, max {:.1} ms",
                quantile(&flushes, 0.5),
                quantile(&flushes, 0.99),
                quantile(&flushes, 1.0)
            );
        }
        for j in timeline.iter().filter(|j| j.backoff) {
            println!(
                "{phase}: back-off from {}: batch {:.1} ms (commit {:.1} ms, flush {:?} ms), paused {:.0} ms",
                j.started.time(),
                j.ms,
                j.commit_ms,
                j.flush_ms.map(|f| (f * 10.0).round() / 10.0),
                j.pause_ms
            );
        }
        if !cps.is_empty() {
            println!(
                "{phase}: side checkpoints (outside any transaction): {}; p50 {:.1}, p99 {:.1}, max {:.1} ms; {} over 100 ms",
                cps.len(),
                quantile(&cps, 0.5),
                quantile(&cps, 0.99),
                quantile(&cps, 1.0),
                cps.iter().filter(|m| **m > 100.0).count()
            );
            println!(
                "{phase}: WAL at the side checkpoints: p50 {} frames, at most {}; {} left frames uncopied; {failed} failed",
                {
                    let mut f: Vec<i64> = frames.iter().map(|f| f.0).collect();
                    f.sort_unstable();
                    f.get(f.len() / 2).copied().unwrap_or(0)
                },
                frames.iter().map(|f| f.0).max().unwrap_or(0),
                frames.iter().filter(|f| f.1 < f.0).count()
            );
        }
    }
}

/// Settle the load (see the header): the same before the control and before the deletion.
async fn settle(url: &str, db_file: Option<&std::path::Path>) {
    if std::env::var("SETTLE").map(|v| v == "0").unwrap_or(false) {
        return;
    }
    let t = Instant::now();
    if url.starts_with("sqlite:") {
        exec(url, "PRAGMA wal_checkpoint(TRUNCATE)").await;
        if let Some(f) = db_file {
            std::fs::File::open(f).and_then(|f| f.sync_all()).expect("sync the database file");
        }
    } else {
        exec(url, "VACUUM (ANALYZE) usage_records").await;
        exec(url, "CHECKPOINT").await;
    }
    let _ = std::process::Command::new("sync").status();
    println!("settled in {:.1} s", t.elapsed().as_secs_f64());
    std::io::stdout().flush().ok();
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: u64 = common::number(&args, 1, 10_000_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let db_file = dir.path().join("bench.db");
    let url = common::database_url(&args, &dir);
    let sar: u64 = common::number(&args, 3, 100_000);
    let control_secs: f64 = std::env::var("CONTROL_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(150.0);
    // SIDE_CHECKPOINT=0: the deletion job leaves SQLite's checkpoints to the writers (to compare).
    let side = std::env::var("SIDE_CHECKPOINT").map(|v| v != "0").unwrap_or(true);
    let mut schedule = Schedule::builtin().clone();
    if let Some(k) = std::env::var("WAL_BUDGET_KIB").ok().and_then(|v| v.parse().ok()) {
        schedule.wal_budget_kib_per_s = k;
    }
    if let Some(k) = std::env::var("BATCH_WAL_KIB").ok().and_then(|v| v.parse().ok()) {
        schedule.batch_wal_kib = k;
    }
    let store = Store::open(&url, &OpenOptions { create_if_missing: true, max_connections: None }).await.expect("open");
    println!(
        "backend {}; N = {n} expired usage records; subject access person with {sar}; side checkpoints {side}; \
         WAL budget {} KiB/s (0: none); batches of at most {} rows and {} KiB of WAL aiming at {} ms, {} ms apart; \
         control {control_secs} s; disk sampler in {}",
        store.backend(),
        schedule.wal_budget_kib_per_s,
        schedule.batch_rows,
        schedule.batch_wal_kib,
        schedule.batch_target_ms,
        schedule.batch_pause_ms,
        dir.path().display()
    );
    let now = OffsetDateTime::now_utc();
    let people = custodian_domain::imports::parse_people_csv(PEOPLE.as_bytes()).expect("people");
    store
        .import_people(&people.rows, &ImportAuthority::operator(), Actor::system().at(now), "people", &no_progress)
        .await
        .expect("import")
        .expect("import");
    let mut ids = Vec::new();
    for r in &people.rows {
        let sn = r.staff_number.to_string();
        if sn != "A1017" {
            ids.push(store.person_by_staff_number(&sn).await.expect("read").expect("person").id);
        }
    }
    let b = store.person_by_staff_number("A1017").await.expect("read").expect("A1017");

    // N expired records (from two years ago, one a second) of every person but B, and B's
    // SAR recent ones (from 200 days ago).
    let t = Instant::now();
    let old = (now - time::Duration::days(730)).unix_timestamp() * 1_000_000;
    fill(&url, &ids, "old", n, old).await;
    let recent = (now - time::Duration::days(200)).unix_timestamp() * 1_000_000;
    fill(&url, &[b.id], "sar", sar, recent).await;
    // What a usage import of 25,000-row batches writes: one span per batch for the deletion job,
    // and for subject access one span per person per batch and the batches' ranges as covered.
    exec(
        &url,
        "INSERT INTO usage_spans (first_seq, last_seq, min_start_us) SELECT MIN(seq), MAX(seq), MIN(start_us) \
         FROM usage_records GROUP BY seq / 25000",
    )
    .await;
    exec(
        &url,
        "INSERT INTO usage_person_spans (first_seq, person_id, last_seq) SELECT MIN(seq), person_id, MAX(seq) \
         FROM usage_records WHERE person_id IS NOT NULL GROUP BY seq / 25000, person_id",
    )
    .await;
    exec(
        &url,
        "INSERT INTO usage_person_cover (first_seq, last_seq) SELECT MIN(seq), MAX(seq) FROM usage_records GROUP BY seq / 25000",
    )
    .await;
    println!("loaded {} usage records in {:.1} s", n + sar, t.elapsed().as_secs_f64());
    let db_path = url.starts_with("sqlite:").then_some(db_file.as_path());
    settle(&url, db_path).await;

    // 1. Subject access among the full table.
    let out = dir.path().join("export.json");
    println!("load before the export: {}", load());
    let c0 = cpu();
    let (took, usage) = export(&store, b.id, &out).await;
    let export_machine = machine(c0);
    let bytes = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    let parsed: serde_json::Value =
        serde_json::from_reader(std::io::BufReader::new(std::fs::File::open(&out).expect("open"))).expect("parses");
    let in_file = parsed["sections"]["usage_records"].as_array().map(Vec::len).unwrap_or(0);
    assert_eq!(in_file as u64, sar, "the file holds every usage record");
    println!(
        "export: {usage} usage records ({bytes} bytes, parsed back: {in_file} records) in {:.2} s = {:.0} records/s {export_machine}",
        took.as_secs_f64(),
        usage as f64 / took.as_secs_f64()
    );
    std::fs::remove_file(&out).ok();
    // The status counts every usage record, and the due and held ones, from the table: what the
    // deletion job used to count before its first batch.
    let t = Instant::now();
    let status = store.retention_status(&schedule, now).await.expect("status");
    let u = status.iter().find(|s| s.id == "usage_records").expect("usage_records");
    println!(
        "retention status of every type in {:.2} s (usage records counted from the table: {}, due {}, held {})",
        t.elapsed().as_secs_f64(),
        u.numbers.count,
        u.numbers.due,
        u.numbers.held
    );
    settle(&url, db_path).await;

    // 2. Control: the writer and the disk sampler, no job.
    if control_secs > 0.0 {
        println!("load before the control: {}", load());
        println!("control starts at {}", OffsetDateTime::now_utc());
        let stop = Arc::new(AtomicBool::new(false));
        let sampler = fsync_sampler(dir.path(), &stop);
        let locks = lock_sampler(&url, &stop);
        let writer = probe(&store, &stop);
        let c0 = cpu();
        let t = Instant::now();
        tokio::time::sleep(Duration::from_secs_f64(control_secs)).await;
        let took = t.elapsed();
        stop.store(true, Ordering::Relaxed);
        let waits = writer.await.expect("probe");
        let syncs = sampler.map(|s| s.join().expect("sampler")).unwrap_or_default();
        let locks = match locks {
            Some(l) => Some(l.await.expect("lock sampler")),
            None => None,
        };
        println!("control ends at {} {}", OffsetDateTime::now_utc(), machine(c0));
        report("control", took, &waits, &syncs, &[], locks.as_ref());
        settle(&url, db_path).await;
    }

    // 3. The deletion job beside the same writer and sampler.
    let stop = Arc::new(AtomicBool::new(false));
    println!("load before the deletion: {}", load());
    println!("deletion starts at {}", OffsetDateTime::now_utc());
    let sampler = fsync_sampler(dir.path(), &stop);
    let locks = lock_sampler(&url, &stop);
    let writer = probe(&store, &stop);
    let c0 = cpu();
    let t = Instant::now();
    let run_started = OffsetDateTime::now_utc();
    let timeline = Timeline::default();
    let mut opts = RunOptions { side_checkpoints: side, observer: Some(&timeline), ..RunOptions::default() };
    if let Some(k) = std::env::var("FLUSH_AFTER_KIB").ok().and_then(|v| v.parse().ok()) {
        opts.flush_after_kib = k;
    }
    println!("PostgreSQL batches' backend_flush_after: {} KiB (0: the server's)", opts.flush_after_kib);
    let report_run = store
        .retention_run_with(&schedule, now, &Actor::system(), false, &["usage_records".to_string()], opts)
        .await
        .expect("run");
    let timeline = timeline.0.into_inner().expect("timeline");
    let took = t.elapsed();
    let run_machine = machine(c0);
    println!("deletion ends at {}", OffsetDateTime::now_utc());
    stop.store(true, Ordering::Relaxed);
    let waits = writer.await.expect("probe");
    let syncs = sampler.map(|s| s.join().expect("sampler")).unwrap_or_default();
    let locks = match locks {
        Some(l) => Some(l.await.expect("lock sampler")),
        None => None,
    };
    let r = &report_run.rules[0];
    assert_eq!(r.deleted, n, "every expired record deleted");
    println!(
        "retention: deleted {} records (due {}, held {}) in {} batches in {:.1} s = {:.0} rows/s; longest batch {:.1} ms, longest commit {:.1} ms, {} batches over 100 ms {run_machine}",
        r.deleted,
        r.due,
        r.held,
        r.batches,
        took.as_secs_f64(),
        r.deleted as f64 / took.as_secs_f64(),
        r.longest_batch_ms,
        r.longest_commit_ms,
        r.batches_over_100ms
    );
    println!(
        "retention WAL: {:.1} MiB written during the batches ({:.1} MiB/s of the run); paused {:.1} s between batches",
        r.wal_bytes as f64 / 1048576.0,
        r.wal_bytes as f64 / 1048576.0 / took.as_secs_f64(),
        r.paused_ms / 1000.0
    );
    println!(
        "retention flushes: longest durable commit {:.1} ms; {} back-offs after a slow one; largest batch WAL {:.0} KiB (SQLite, measured)",
        r.longest_flush_ms, r.backoffs, r.largest_batch_wal_kib
    );
    if let Some(first) = timeline.first() {
        println!(
            "retention start-up (from the run's start to its first batch: the held count and the spans read): {:.1} ms",
            (first.started - run_started).as_seconds_f64() * 1000.0
        );
    }
    report("deletion", took, &waits, &syncs, &timeline, locks.as_ref());

    // 4. The export again, on the emptied table.
    let c0 = cpu();
    let (took, usage) = export(&store, b.id, &out).await;
    println!("export after the deletion: {usage} usage records in {:.2} s {}", took.as_secs_f64(), machine(c0));
    store.close().await;
}
