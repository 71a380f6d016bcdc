//! Data protection through the server (WP034 3.4, 5.5): the deletion job runs once per tick
//! across servers and deletes what is due; the Data Protection Officer's subject access export
//! is audited and holds the person's records; the record of processing in docs/ is current.

use serde_json::Value;

use crate::on_both;
use crate::support::{Backend, spawn_seeded};
use custodian_store::Actor;

/// `n` usage records of A1001 that started `days` ago.
async fn usage(app: &crate::support::TestApp, tag: &str, n: usize, days: i64) {
    let start_us = (time::OffsetDateTime::now_utc() - time::Duration::days(days)).unix_timestamp() * 1_000_000;
    for i in 0..n {
        app.sql(&format!(
            "INSERT INTO usage_records (feed, record_id, event, tethered, device_id, day, bytes, start_us, person_id, subject, \
             outgoing, duration_s, party, place, category, account) SELECT 'carrier', '{tag}-{i}', 'call', FALSE, NULL, 1, 0, \
             {start_us}, id, '{tag}', TRUE, 60, '07700900123', 'UK', 'voice', 'acct' FROM people WHERE staff_number = 'A1001'"
        ))
        .await;
    }
}

async fn usage_count(app: &crate::support::TestApp) -> usize {
    let (_, rows) = app.api(&app.token("A1002").await).get("/data-protection/retention").await;
    rows.as_array().unwrap().iter().find(|r| r["id"] == "usage_records").unwrap()["count"].as_u64().unwrap() as usize
}

async fn the_job_deletes_what_is_due_once_per_tick(b: Backend) {
    let app = spawn_seeded(b).await;
    usage(&app, "old", 5, 500).await;
    usage(&app, "new", 3, 5).await;
    assert_eq!(usage_count(&app).await, 8);
    let tick = custodian_server::ops::tick_of(time::OffsetDateTime::now_utc(), custodian_server::ops::RETENTION_PERIOD);
    assert!(custodian_server::ops::retention_tick(&app.state, tick).await);
    assert!(!custodian_server::ops::retention_tick(&app.state, tick).await, "a tick runs once");
    assert_eq!(usage_count(&app).await, 3);
    let events = app.store().audit_page(Some("retention:usage_records"), None, 1, 10).await.unwrap();
    assert_eq!(events.items.len(), 1);
    assert_eq!(events.items[0].detail["count"], 5);
    assert_eq!(events.items[0].actor, "system");
    app.stop().await;
}
on_both!(the_job_deletes_what_is_due_once_per_tick);

async fn the_dpo_exports_a_person_and_the_export_is_audited(b: Backend) {
    let app = spawn_seeded(b).await;
    let now = time::OffsetDateTime::now_utc();
    let csv = "staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n\
               D9001,Dana Protector,dana.protector@warwickshire.police.example,staff,Information Management,,data_protection_officer,active,\n";
    custodian_server::imports::import_people(app.store(), &Actor::system(), now, csv.as_bytes(), false).await.unwrap();
    usage(&app, "x", 12, 1).await;
    let dpo = app.api(&app.token("D9001").await);
    // A reason is required, and recorded.
    let (s, _) = dpo.get("/data-protection/people/A1001/export?reason=x").await;
    assert_eq!(s, 422);
    let (s, body) = dpo.get("/data-protection/people/A1001/export?reason=Subject%20access%20request%20SAR-17").await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["format"], "custodian-subject-access/1");
    let sections = body["sections"].as_object().unwrap();
    for s in custodian_store::data_protection::EXPORT_SECTIONS {
        assert!(sections.contains_key(*s), "section {s} missing");
    }
    assert_eq!(sections["profile"][0]["staff_number"], "A1001");
    assert_eq!(sections["usage_records"].as_array().unwrap().len(), 12);
    let events = app.store().audit_page(Some("person:A1001"), None, 1, 50).await.unwrap();
    let e =
        events.items.iter().find(|e| e.action == "data_protection.subject_access.export").expect("the export's event");
    assert_eq!(e.justification.as_deref(), Some("Subject access request SAR-17"));
    assert!(e.actor.starts_with("token:"), "{}", e.actor);
    // Digital Services see the schedule but may not export.
    let (s, _) = app
        .api(&app.token("A1002").await)
        .get("/data-protection/people/A1001/export?reason=Subject%20access%20request")
        .await;
    assert_eq!(s, 403);
    let _: Value = body;
    app.stop().await;
}
on_both!(the_dpo_exports_a_person_and_the_export_is_audited);

/// `n` usage records of A1001 made `days` ago, written 1,000 to a statement.
async fn bulk_usage(app: &crate::support::TestApp, tag: &str, n: usize, days: i64) {
    let start_us = (time::OffsetDateTime::now_utc() - time::Duration::days(days)).unix_timestamp() * 1_000_000;
    let mut done = 0;
    while done < n {
        let rows: Vec<String> = (done..n.min(done + 1_000))
            .map(|i| {
                format!(
                    "('carrier', '{tag}-{i}', 'call', FALSE, NULL, 1, 0, {}, \
                     (SELECT id FROM people WHERE staff_number = 'A1001'), '{tag}', TRUE, 60, '07700900{:03}', 'UK', 'voice', 'acct')",
                    start_us + i as i64 * 1_000_000,
                    i % 1000
                )
            })
            .collect();
        app.sql(&format!(
            "INSERT INTO usage_records (feed, record_id, event, tethered, device_id, day, bytes, start_us, person_id, \
             subject, outgoing, duration_s, party, place, category, account) VALUES {}",
            rows.join(", ")
        ))
        .await;
        done += rows.len();
    }
}

/// A large export is written in full to an unnamed temporary file before anything is sent: the
/// file is as long as it says, rewound, and parses with every record, in order. Through the API,
/// the same export arrives whole (with its `Content-Length`) and parses; the HTML form too.
async fn a_large_export_is_spooled_whole_then_sent_and_parses(b: Backend) {
    use std::io::Read;
    let app = spawn_seeded(b).await;
    let n = 20_000;
    bulk_usage(&app, "big", n, 3).await;
    let p = app.person("A1001").await;
    let now = time::OffsetDateTime::now_utc();
    let mut spool = custodian_server::data_protection::spool_export(
        app.store(),
        p.id,
        "A1001",
        custodian_domain::data_protection::export::Form::Json,
        now,
    )
    .await
    .expect("the export is spooled");
    assert_eq!(spool.file.metadata().unwrap().len(), spool.len);
    let mut body = Vec::new();
    spool.file.read_to_end(&mut body).unwrap();
    assert_eq!(body.len() as u64, spool.len, "rewound to the start");
    let v: Value = serde_json::from_slice(&body).expect("the spooled export parses");
    let usage = v["sections"]["usage_records"].as_array().unwrap();
    assert_eq!(usage.len(), n);
    assert!(usage.windows(2).all(|w| w[0]["seq"].as_i64() < w[1]["seq"].as_i64()), "in seq order");
    assert_eq!(spool.counts.iter().find(|(s, _)| *s == "usage_records").unwrap().1, n as u64);
    assert_eq!(v["sections"]["profile"][0]["staff_number"], "A1001");

    let csv = "staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n\
               D9001,Dana Protector,dana.protector@warwickshire.police.example,staff,Information Management,,data_protection_officer,active,\n";
    custodian_server::imports::import_people(app.store(), &Actor::system(), now, csv.as_bytes(), false).await.unwrap();
    let dpo = app.api(&app.token("D9001").await);
    let body = dpo.get_ok("/data-protection/people/A1001/export?reason=Subject%20access%20request%20SAR-18").await;
    assert_eq!(body["sections"]["usage_records"].as_array().unwrap().len(), n);
    let res = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/data-protection/people/A1001/export?form=html&reason=Subject%20access%20request%20SAR-18",
            app.base
        ))
        .bearer_auth(&app.token("D9001").await)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let length = res.content_length();
    let html = res.text().await.unwrap();
    assert_eq!(length, Some(html.len() as u64));
    assert!(html.ends_with("</body></html>"), "the whole report");
    assert_eq!(html.matches("big-").count(), n, "every usage record in the report");
    app.stop().await;
}
on_both!(a_large_export_is_spooled_whole_then_sent_and_parses);

/// An export that fails part way (here a table it reads has gone) answers an error, never the
/// part written so far with 200; the export is still audited, as it is before anything is read.
async fn a_failed_export_answers_an_error_not_part_of_a_file(b: Backend) {
    let app = spawn_seeded(b).await;
    usage(&app, "x", 3, 1).await;
    let now = time::OffsetDateTime::now_utc();
    let csv = "staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n\
               D9001,Dana Protector,dana.protector@warwickshire.police.example,staff,Information Management,,data_protection_officer,active,\n";
    custodian_server::imports::import_people(app.store(), &Actor::system(), now, csv.as_bytes(), false).await.unwrap();
    // The profile, roles, findings... are written before the export reaches the checks.
    app.sql("ALTER TABLE personal_checks RENAME TO personal_checks_gone").await;
    let dpo = app.api(&app.token("D9001").await);
    let (s, body) = dpo.get("/data-protection/people/A1001/export?reason=Subject%20access%20request%20SAR-20").await;
    assert_eq!(s, 500, "{body}");
    assert!(body.get("sections").is_none(), "{body}");
    let events = app.store().audit_page(Some("person:A1001"), None, 1, 50).await.unwrap();
    assert!(events.items.iter().any(|e| e.action == "data_protection.subject_access.export"));
    app.stop().await;
}
on_both!(a_failed_export_answers_an_error_not_part_of_a_file);

/// `n` usage records of A1001 tagged `tag`, one a second from three days ago, generated by the
/// database in one statement.
async fn generated_usage(app: &crate::support::TestApp, tag: &str, n: u64) {
    let start_us = (time::OffsetDateTime::now_utc() - time::Duration::days(3)).unix_timestamp() * 1_000_000;
    let cols = "feed, record_id, event, tethered, device_id, day, bytes, start_us, person_id, subject, outgoing, \
                duration_s, party, place, category, account";
    let person = "(SELECT id FROM people WHERE staff_number = 'A1001')";
    let sql = if app.db_url.starts_with("sqlite:") {
        format!(
            "WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < {last}) \
             INSERT INTO usage_records ({cols}) SELECT 'carrier', '{tag}-' || i, 'call', 0, NULL, 1, 0, \
             {start_us} + i * 1000000, {person}, '{tag}', 1, 60, '07700900' || (i % 1000), 'UK', 'voice', 'acct' FROM c",
            last = n - 1
        )
    } else {
        format!(
            "INSERT INTO usage_records ({cols}) SELECT 'carrier', '{tag}-' || i, 'call', FALSE, NULL, 1, 0, \
             {start_us} + i * 1000000, {person}, '{tag}', TRUE, 60, '07700900' || (i % 1000)::text, 'UK', 'voice', 'acct' \
             FROM generate_series(0::bigint, {last}::bigint) AS i",
            last = n - 1
        )
    };
    app.sql(&sql).await;
}

/// A client that takes the first bytes of a large subject access download and then stops reading
/// holds no database snapshot: the export was written in full to a temporary file, and its read
/// transaction ended, before the first byte was sent. While the client stalls (and other writes
/// go on), PostgreSQL shows no backend of the test database holding an xmin, and on SQLite a
/// passive checkpoint copies the whole WAL (no read mark holds it back). Then the rest arrives,
/// as long as `Content-Length` said, and parses with every record.
async fn a_stalled_download_holds_no_snapshot_and_arrives_whole(b: Backend) {
    let app = spawn_seeded(b).await;
    let now = time::OffsetDateTime::now_utc();
    let csv = "staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n\
               D9001,Dana Protector,dana.protector@warwickshire.police.example,staff,Information Management,,data_protection_officer,active,\n";
    custodian_server::imports::import_people(app.store(), &Actor::system(), now, csv.as_bytes(), false).await.unwrap();
    let n = 50_000;
    generated_usage(&app, "stall", n).await;
    let token = app.token("D9001").await;
    let mut res = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/data-protection/people/A1001/export?reason=Subject%20access%20request%20SAR-19",
            app.base
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let length = res.content_length();
    let mut body = res.chunk().await.unwrap().expect("the first bytes").to_vec();
    // The client stalls; other people's records are written meanwhile.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    app.sql(
        "INSERT INTO usage_records (feed, record_id, event, tethered, device_id, day, bytes, start_us, person_id, subject, \
         outgoing, duration_s, party, place, category, account) SELECT 'carrier', 'later-1', 'call', FALSE, NULL, 1, 0, \
         1700000000000000, id, 'later', TRUE, 60, '07700900555', 'UK', 'voice', 'acct' FROM people WHERE staff_number = 'A1002'",
    )
    .await;
    if app.db_url.starts_with("sqlite:") {
        let path = app.dir.join("custodian.db");
        let (busy, log, copied) = tokio::task::spawn_blocking(move || {
            let c = rusqlite::Connection::open(path).unwrap();
            c.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
            })
            .unwrap()
        })
        .await
        .unwrap();
        assert!(log > 0, "the writes made while the client stalled are in the WAL");
        assert_eq!((busy, copied), (0, log), "a passive checkpoint copies the whole WAL while the download stalls");
    } else {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(&app.db_url).await.unwrap();
        let holding: Vec<(i32, String, String)> = sqlx::query_as(
            "SELECT pid, COALESCE(state, ''), COALESCE(query, '') FROM pg_stat_activity \
             WHERE datname = current_database() AND backend_type = 'client backend' \
             AND backend_xmin IS NOT NULL AND pid <> pg_backend_pid()",
        )
        .fetch_all(&mut c)
        .await
        .unwrap();
        assert!(holding.is_empty(), "backends holding a snapshot while the download stalls: {holding:?}");
    }
    while let Some(c) = res.chunk().await.unwrap() {
        body.extend_from_slice(&c);
    }
    assert_eq!(length, Some(body.len() as u64), "Content-Length is the whole file");
    let v: Value = serde_json::from_slice(&body).expect("the download parses");
    let usage = v["sections"]["usage_records"].as_array().unwrap();
    assert_eq!(usage.len(), n as usize);
    assert!(usage.iter().all(|u| u["record_id"].as_str().is_some_and(|r| r.starts_with("stall-"))));
    assert!(usage.windows(2).all(|w| w[0]["seq"].as_i64() < w[1]["seq"].as_i64()), "in seq order");
    assert_eq!(v["sections"]["profile"][0]["staff_number"], "A1001");
    app.stop().await;
}
on_both!(a_stalled_download_holds_no_snapshot_and_arrives_whole);

/// docs/data-protection.md is generated from the schedule and the Cedar policies; a change to
/// either without regenerating it fails here.
#[test]
fn the_record_of_processing_is_current() {
    let authz = custodian_authz::Authz::load().unwrap();
    let text = custodian_server::data_protection::record::render(
        custodian_domain::data_protection::Schedule::builtin(),
        &authz,
    );
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/data-protection.md");
    let now = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        now == text,
        "docs/data-protection.md is stale: run `custodian retention docs --out docs/data-protection.md`"
    );
}

/// Benchmark (ignored; `cargo test -p custodian-server --test it -- --ignored --nocapture
/// bench_subject_access_download`): the subject access download of a person with
/// `CUSTODIAN_BENCH_RECORDS` usage records (100,000) through the HTTP API, `CUSTODIAN_BENCH_ROUNDS`
/// times (5), timed from the request to the last byte of the body; the time to the response's
/// headers beside it. `CUSTODIAN_BENCH_BACKEND=postgres` runs it on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn bench_subject_access_download() {
    let env = |k: &str, d: u64| std::env::var(k).ok().and_then(|v| v.parse().ok()).unwrap_or(d);
    let b = if std::env::var("CUSTODIAN_BENCH_BACKEND").as_deref() == Ok("postgres") {
        Backend::postgres().expect("CUSTODIAN_TEST_DATABASE_URL")
    } else {
        Backend::Sqlite
    };
    let (n, rounds) = (env("CUSTODIAN_BENCH_RECORDS", 100_000), env("CUSTODIAN_BENCH_ROUNDS", 5));
    let app = spawn_seeded(b).await;
    let now = time::OffsetDateTime::now_utc();
    let csv = "staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n\
               D9001,Dana Protector,dana.protector@warwickshire.police.example,staff,Information Management,,data_protection_officer,active,\n";
    custodian_server::imports::import_people(app.store(), &Actor::system(), now, csv.as_bytes(), false).await.unwrap();
    generated_usage(&app, "bench", n).await;
    if !app.db_url.starts_with("sqlite:") {
        app.sql("ANALYZE usage_records").await;
    }
    let token = app.token("D9001").await;
    let http = reqwest::Client::new();
    let url =
        format!("{}/api/v1/data-protection/people/A1001/export?reason=Subject%20access%20request%20SAR-21", app.base);
    let mut totals = Vec::new();
    for round in 0..rounds {
        let started = std::time::Instant::now();
        let mut res = http.get(&url).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let headers = started.elapsed();
        let mut body = Vec::new();
        while let Some(c) = res.chunk().await.unwrap() {
            body.extend_from_slice(&c);
        }
        let total = started.elapsed();
        let v: Value = serde_json::from_slice(&body).expect("the download parses");
        assert_eq!(v["sections"]["usage_records"].as_array().unwrap().len(), n as usize);
        eprintln!(
            "round {round}: headers after {:.3} s, whole body ({} bytes) after {:.3} s",
            headers.as_secs_f64(),
            body.len(),
            total.as_secs_f64()
        );
        totals.push(total.as_secs_f64());
    }
    totals.sort_by(f64::total_cmp);
    eprintln!(
        "{} records, {rounds} rounds: whole body min {:.3} s, median {:.3} s, max {:.3} s",
        n,
        totals[0],
        totals[totals.len() / 2],
        totals[totals.len() - 1]
    );
    app.stop().await;
}
