//! Two `custodian serve` processes on one PostgreSQL database behave as one: each background
//! job runs on one of them per tick (the lease rows of `job_leases`), never on both.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{Env, bin};

fn psql(url: &str, sql: &str) -> String {
    let o = Command::new("psql").args([url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql]).output().unwrap();
    assert!(o.status.success(), "{sql}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const JOBS: [&str; 5] = ["monitoring.sweep", "approvals.overdue", "apps.expiry", "audit.checkpoint", "posts.publish"];

#[test]
fn two_servers_on_one_database_run_each_job_once_per_tick() {
    let admin = match std::env::var("CUSTODIAN_TEST_DATABASE_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => {
            assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "CI=true needs CUSTODIAN_TEST_DATABASE_URL");
            eprintln!("skipping two servers on PostgreSQL: CUSTODIAN_TEST_DATABASE_URL is not set");
            return;
        }
    };
    if Command::new("psql").arg("--version").output().map(|o| !o.status.success()).unwrap_or(true) {
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "CI=true needs psql");
        eprintln!("skipping two servers on PostgreSQL: psql is not installed");
        return;
    }
    let name = format!("custodian_two_{}", uuid::Uuid::now_v7().simple());
    psql(&admin, &format!("CREATE DATABASE {name}"));
    let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    let env = Env::new();
    let migrate = Command::new(bin())
        .args(["--database-url", &url, "migrate"])
        .env("CUSTODIAN_DATA_DIR", &env.dir)
        .output()
        .unwrap();
    assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));

    // Both servers: the same database and data folder (the signing key), ticks of two seconds,
    // every job's run logged as a JSON line.
    let start = |i: usize| {
        let log = std::fs::File::create(env.dir.join(format!("server{i}.log"))).unwrap();
        Command::new(bin())
            .args(["--database-url", &url, "serve", "--bind", "127.0.0.1:0"])
            .env("CUSTODIAN_DATA_DIR", &env.dir)
            .env("CUSTODIAN_JOB_TICK_SECONDS", "2")
            .env("CUSTODIAN_PUBLISH_EVERY_SECONDS", "2")
            .env("CUSTODIAN_CHECKPOINT_EVERY", "1")
            .env("CUSTODIAN_LOG_JSON", "true")
            .env("CUSTODIAN_LOG", "warn,custodian_server::ops=debug")
            .env_remove("CUSTODIAN_DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap()
    };
    let mut servers = [start(0), start(1)];
    // Until every job has run on at least three ticks (a debug build takes a while to start).
    let started = std::time::Instant::now();
    while started.elapsed() < Duration::from_secs(180) {
        std::thread::sleep(Duration::from_secs(1));
        // Only the jobs checked below count (others, such as the account sweep, also hold rows).
        let listed = JOBS.iter().map(|j| format!("'{j}'")).collect::<Vec<_>>().join(", ");
        let done = psql(&url, &format!("SELECT COUNT(*) FROM job_leases WHERE runs >= 3 AND job IN ({listed})"));
        if done.trim() == JOBS.len().to_string() {
            break;
        }
    }
    for s in &mut servers {
        let _ = s.kill();
        let _ = s.wait();
    }

    // Who ran what, from each server's log.
    let mut runs: BTreeMap<(String, i64), Vec<usize>> = BTreeMap::new();
    let mut holders = BTreeSet::new();
    for i in 0..2 {
        let text = std::fs::read_to_string(env.dir.join(format!("server{i}.log"))).unwrap();
        for line in text.lines() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else { continue };
            let f = &v["fields"];
            if f["message"] != "background job ran" {
                continue;
            }
            let job = f["job"].as_str().unwrap().to_string();
            runs.entry((job, f["tick"].as_i64().unwrap())).or_default().push(i);
            holders.insert((i, f["holder"].as_str().unwrap().to_string()));
        }
    }
    let twice: Vec<_> = runs.iter().filter(|(_, who)| who.len() > 1).collect();
    assert!(twice.is_empty(), "ticks run by both servers: {twice:?}");
    // The lease rows count the runs the logs show, job by job.
    let rows = psql(&url, "SELECT job, runs FROM job_leases ORDER BY job");
    let counted: BTreeMap<String, i64> = rows
        .lines()
        .map(|l| {
            let (j, n) = l.split_once('|').unwrap();
            (j.to_string(), n.parse().unwrap())
        })
        .collect();
    for job in JOBS {
        let logged = runs.keys().filter(|(j, _)| j == job).count() as i64;
        assert!(logged >= 3, "{job} ran {logged} times in {:?}: {runs:?}", started.elapsed());
        // A run the kill cut short was counted by its lease row but never logged: at most one.
        let c = counted.get(job).copied().unwrap_or(0);
        assert!(c == logged || c == logged + 1, "{job}: {logged} runs logged, lease rows {counted:?}");
    }
    // Each server ran some of them: they share the work, and each under a holder of its own.
    let by_server: BTreeSet<usize> = runs.values().flatten().copied().collect();
    assert_eq!(by_server.len(), 2, "one server ran every job: {runs:?}");
    assert_eq!(holders.iter().map(|(_, h)| h).collect::<BTreeSet<_>>().len(), 2, "{holders:?}");
    psql(&admin, &format!("DROP DATABASE {name} WITH (FORCE)"));
}
