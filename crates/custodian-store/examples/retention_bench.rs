//! Benchmark (release): delete N expired usage records with the retention job, measuring the
//! longest single batch (one transaction) and, from a concurrent writer that takes a job lease
//! every 10 ms, the longest any other write waited: the time the server was blocked. Then export
//! everything held about one person with 100,000 usage records (subject access).
//!
//! cargo run --release -p custodian-store --example retention_bench -- [N] [DATABASE_URL]
//! (N defaults to 10,000,000; DATABASE_URL to a fresh SQLite file in a temporary folder; for
//! PostgreSQL give an empty database's URL.)

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use custodian_domain::data_protection::Schedule;
use custodian_domain::data_protection::export::{ExportWriter, Form};
use custodian_domain::imports::ImportAuthority;
use custodian_store::data_protection::EXPORT_SECTIONS;
use custodian_store::{Actor, OpenOptions, Store, no_progress};
use time::OffsetDateTime;

const PEOPLE: &str = include_str!("../../../fixtures/people.csv");

async fn fill(store: &Store, url: &str, person_sql: &str, tag: &str, n: usize, start_us: i64) {
    let chunk = 5_000;
    let mut done = 0;
    while done < n {
        let k = chunk.min(n - done);
        let values: Vec<String> = (0..k)
            .map(|i| {
                let j = done + i;
                format!(
                    "('carrier','{tag}-{j}','call',FALSE,NULL,1,0,{},{person_sql},'{tag}',TRUE,60,'0770090{:04}','UK','voice','acct')",
                    start_us + j as i64 * 1_000_000,
                    j % 10_000
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO usage_records (feed, record_id, event, tethered, device_id, day, bytes, start_us, person_id, subject, \
             outgoing, duration_s, party, place, category, account) VALUES {}",
            values.join(",")
        );
        exec(url, &sql).await;
        done += k;
    }
    let _ = store;
}

async fn exec(url: &str, sql: &str) {
    use sqlx::Connection;
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await.expect("connect");
        sqlx::query(sql).execute(&mut c).await.expect("insert");
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
        sqlx::query(sql).execute(&mut c).await.expect("insert");
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.replace('_', "").parse().ok()).unwrap_or(10_000_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let url = args.get(2).cloned().unwrap_or_else(|| format!("sqlite:{}", dir.path().join("bench.db").display()));
    let store = Store::open(&url, &OpenOptions { create_if_missing: true, ..Default::default() }).await.expect("open");
    let now = OffsetDateTime::now_utc();
    let people = custodian_domain::imports::parse_people_csv(PEOPLE.as_bytes()).expect("people");
    store
        .import_people(&people.rows, &ImportAuthority::operator(), &Actor::system(), now, "people", &no_progress)
        .await
        .expect("import")
        .expect("import");
    let a = store.person_by_staff_number("A1016").await.expect("read").expect("A1016");
    let b = store.person_by_staff_number("A1017").await.expect("read").expect("A1017");
    let lit = |u: uuid::Uuid| {
        if url.starts_with("sqlite:") { format!("X'{}'", hex::encode(u.as_bytes())) } else { format!("'{u}'::uuid") }
    };

    // 1. N expired records (two years old), spread over a person.
    let t = Instant::now();
    let old = (now - time::Duration::days(730)).unix_timestamp() * 1_000_000;
    fill(&store, &url, &lit(a.id), "old", n, old).await;
    println!("loaded {n} expired usage records in {:.1} s", t.elapsed().as_secs_f64());

    // A writer beside the job: a lease renewal every 10 ms, as a server's own writes would.
    let stop = Arc::new(AtomicBool::new(false));
    let probe = {
        let (store, stop) = (store.clone(), stop.clone());
        tokio::spawn(async move {
            let (mut worst, mut count) = (Duration::ZERO, 0u64);
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                store
                    .try_lease("bench.probe", "probe", time::Duration::minutes(1), OffsetDateTime::now_utc())
                    .await
                    .expect("probe write");
                worst = worst.max(t.elapsed());
                count += 1;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            (worst, count)
        })
    };
    let t = Instant::now();
    let report = store
        .retention_run(Schedule::builtin(), now, &Actor::system(), false, &["usage_records".to_string()])
        .await
        .expect("run");
    let took = t.elapsed();
    stop.store(true, Ordering::Relaxed);
    let (worst, probes) = probe.await.expect("probe");
    let r = &report.rules[0];
    println!(
        "deleted {} records in {} batches in {:.1} s; longest batch {:.1} ms; longest wait of a concurrent write {:.1} ms ({probes} writes)",
        r.deleted,
        r.batches,
        took.as_secs_f64(),
        r.longest_batch_ms,
        worst.as_secs_f64() * 1000.0
    );

    // 2. Subject access: a person with 100,000 usage records.
    fill(&store, &url, &lit(b.id), "sar", 100_000, now.unix_timestamp() * 1_000_000 - 200_000_000_000).await;
    let out = dir.path().join("export.json");
    let t = Instant::now();
    let file = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&out).expect("file"));
    let mut w = ExportWriter::new(file, Form::Json, EXPORT_SECTIONS, &serde_json::json!({"staff_number": "A1017"}))
        .expect("writer");
    store
        .subject_access(b.id, |s, v| w.record(s, &v).map_err(|e| custodian_store::StoreError::Internal(e.to_string())))
        .await
        .expect("export");
    let (_, counts) = w.finish().expect("finish");
    let usage = counts.iter().find(|(s, _)| *s == "usage_records").map(|(_, n)| *n).unwrap_or(0);
    println!(
        "exported {usage} usage records ({} bytes) in {:.2} s",
        std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0),
        t.elapsed().as_secs_f64()
    );
    store.close().await;
}
