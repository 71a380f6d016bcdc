//! Acknowledgement campaign benchmark (release, WP034 2.3), through the store's real code paths:
//! a force of `N` active people (default 50,000, in 40 business areas) imported by the people
//! import, WP034 imported, then
//!
//! 1. `Store::policy_campaign_create` for everyone (one INSERT ... SELECT enrolling every active
//!    person in scope, one audit event), timed; goal under 5 s;
//! 2. half of them acknowledge (one UPDATE, outside the timing), then the completion chart's
//!    query `Store::policy_campaign_completion` (one GROUP BY per business area), timed `R` times
//!    (default 20): minimum, median and maximum; goal under 100 ms.
//!
//! 3. before and after migration 0049, on one connection of its own, alternating blocks of `R`
//!    runs three times: the chart's previous query (`GROUP BY b.name` over the join, with the
//!    index on (campaign_id, business_area_id)) and the store's query (a `GROUP BY` over the
//!    campaign's rows in the covering index (campaign_id, business_area_id, acknowledged_at), then
//!    the areas' names); each block's median.
//!
//! cargo run --release -p custodian-store --example policy_campaign_bench -- [N] [DATABASE_URL] [R]
//!
//! DATABASE_URL defaults to a fresh SQLite file in a temporary folder; for PostgreSQL give an
//! empty database's URL.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use custodian_domain::imports::ImportAuthority;
use custodian_store::policy::NewCampaign;
use custodian_store::{Actor, OpenOptions, Store, no_progress};
use time::OffsetDateTime;

mod common;

/// The allocator the `custodian` binary uses.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SEED: &str = include_str!("../../../fixtures/policy/WP034.txt");

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = common::number(&args, 1, 50_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let url = common::database_url(&args, &dir);
    let runs: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(20);
    let store = Store::open(&url, &OpenOptions { create_if_missing: true, max_connections: None }).await.expect("open");
    println!("backend {}; N = {n} active people in 40 business areas", store.backend());

    let mut csv =
        String::from("staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n");
    for i in 0..n {
        csv.push_str(&format!(
            "B{i:06},Person {i},person.{i}@warwickshire.police.example,staff,Area {:02},,,active,\n",
            i % 40
        ));
    }
    let people = custodian_domain::imports::parse_people_csv(csv.as_bytes()).expect("people");
    assert!(people.errors.is_empty(), "{:?}", &people.errors[..people.errors.len().min(3)]);
    let now = OffsetDateTime::now_utc();
    let t = Instant::now();
    store
        .import_people(&people.rows, &ImportAuthority::operator(), Actor::system().at(now), "bench", &no_progress)
        .await
        .expect("import")
        .expect("import");
    println!("setup: people import of {n} in {:.0} ms", ms(t.elapsed()));
    let policy = custodian_domain::policy::text::parse_text(SEED).expect("WP034");
    let version = store.policy_import(&policy, None, Actor::system().at(now)).await.expect("policy").version().clone();

    let c = NewCampaign {
        version_id: version.id,
        title: "WP034 version 3".into(),
        clauses: vec!["6.3".into(), "6.5".into(), "7.2".into()],
        areas: vec![],
        roles: Vec::new(),
        due_on: now.date() + time::Duration::days(28),
    };
    let t = Instant::now();
    let (campaign, enrolled) = store.policy_campaign_create(&c, Actor::system().at(now)).await.expect("campaign");
    let create = t.elapsed();
    assert_eq!(enrolled as usize, n);
    println!("campaign create: {enrolled} enrolled in {:.0} ms (goal < 5000 ms)", ms(create));

    // Half acknowledge (outside the timing), so the chart counts both.
    let half = format!(
        "UPDATE policy_acknowledgements SET acknowledged_at = enrolled_at WHERE person_id IN \
         (SELECT id FROM people WHERE staff_number >= 'B{:06}')",
        n / 2
    );
    {
        use sqlx::Connection;
        if url.starts_with("sqlite:") {
            let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("connect");
            sqlx::query(&half).execute(&mut conn).await.expect("update");
        } else {
            let mut conn = sqlx::PgConnection::connect(&url).await.expect("connect");
            sqlx::query(&half).execute(&mut conn).await.expect("update");
            sqlx::query("ANALYZE policy_acknowledgements").execute(&mut conn).await.expect("analyze");
        }
    }
    let mut times = Vec::with_capacity(runs);
    let mut areas = 0;
    let mut acknowledged = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let chart = store.policy_campaign_completion(campaign.id).await.expect("completion");
        times.push(t.elapsed());
        areas = chart.len();
        acknowledged = chart.iter().map(|a| a.acknowledged).sum::<i64>();
    }
    times.sort();
    println!(
        "completion chart: {areas} areas, {acknowledged} acknowledged; min {:.1} ms, median {:.1} ms, max {:.1} ms over {runs} runs (goal < 100 ms)",
        ms(times[0]),
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1])
    );
    store.close().await;

    // 3. Before and after, alternating, on one connection (the store is closed: nothing else runs).
    const BEFORE: &str = "SELECT b.name AS business_area, COUNT(*) AS enrolled, COUNT(a.acknowledged_at) AS acknowledged \
         FROM policy_acknowledgements a JOIN business_areas b ON b.id = a.business_area_id \
         WHERE a.campaign_id = $1 GROUP BY b.name ORDER BY b.name";
    const AFTER: &str = "SELECT b.name AS business_area, x.enrolled, x.acknowledged FROM \
         (SELECT business_area_id, COUNT(*) AS enrolled, COUNT(acknowledged_at) AS acknowledged \
          FROM policy_acknowledgements WHERE campaign_id = $1 GROUP BY business_area_id) x \
         JOIN business_areas b ON b.id = x.business_area_id ORDER BY b.name";
    const TO_BEFORE: [&str; 2] = [
        "DROP INDEX policy_acknowledgements_completion",
        "CREATE INDEX policy_acknowledgements_area ON policy_acknowledgements (campaign_id, business_area_id)",
    ];
    const TO_AFTER: [&str; 2] = [
        "DROP INDEX policy_acknowledgements_area",
        "CREATE INDEX policy_acknowledgements_completion ON policy_acknowledgements (campaign_id, business_area_id, acknowledged_at)",
    ];
    macro_rules! compare {
        ($conn:expr) => {{
            let conn = &mut $conn;
            let explain = if url.starts_with("sqlite:") { "EXPLAIN QUERY PLAN " } else { "EXPLAIN " };
            for round in 1..=3 {
                for (name, sql, switch) in [("before", BEFORE, TO_BEFORE), ("after", AFTER, TO_AFTER)] {
                    for s in switch {
                        sqlx::query(s).execute(&mut *conn).await.expect("switch index");
                    }
                    if round == 1 {
                        use sqlx::Row;
                        let plan = sqlx::query(&format!("{explain}{sql}"))
                            .bind(campaign.id)
                            .fetch_all(&mut *conn)
                            .await
                            .expect("plan");
                        for row in plan {
                            let line: String = row.try_get(row.len() - 1).expect("plan line");
                            println!("  plan {name}: {line}");
                        }
                    }
                    let mut times = Vec::with_capacity(runs);
                    let mut total = 0i64;
                    for _ in 0..runs {
                        let t = Instant::now();
                        let rows: Vec<(String, i64, i64)> =
                            sqlx::query_as(sql).bind(campaign.id).fetch_all(&mut *conn).await.expect("chart");
                        times.push(t.elapsed());
                        total = rows.iter().map(|r| r.1).sum();
                    }
                    assert_eq!(total as usize, n, "{name}: every enrolment counted");
                    times.sort();
                    println!(
                        "round {round} {name:6}: min {:.1} ms, median {:.1} ms, max {:.1} ms over {runs} runs",
                        ms(times[0]),
                        ms(times[times.len() / 2]),
                        ms(times[times.len() - 1])
                    );
                }
            }
        }};
    }
    {
        use sqlx::Connection;
        if url.starts_with("sqlite:") {
            let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("connect");
            compare!(conn);
        } else {
            let mut conn = sqlx::PgConnection::connect(&url).await.expect("connect");
            compare!(conn);
        }
    }
}
