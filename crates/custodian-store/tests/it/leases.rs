//! Job leases (several servers on one database): one upsert decides who runs a job's tick, on
//! both backends, with the servers racing on stores of their own.

use std::collections::BTreeMap;

use custodian_store::{OpenOptions, Store};
use time::{Duration, OffsetDateTime};

use crate::on_both;
use crate::support::TestDb;

/// A second handle on the same database, with pools of its own (another server).
async fn second(db: &TestDb) -> Store {
    Store::open(&db.url, &OpenOptions::default()).await.unwrap()
}

/// Four servers (two stores, two holders on each) race for 20 ticks of two jobs: every tick of
/// every job is won exactly once, and the row counts the runs.
async fn each_tick_is_won_by_exactly_one_server(db: &TestDb) {
    let other = second(db).await;
    let now = OffsetDateTime::now_utc();
    let servers = [(&db.store, "a"), (&db.store, "b"), (&other, "c"), (&other, "d")];
    let mut winners: BTreeMap<(&str, i64), Vec<&str>> = BTreeMap::new();
    for tick in 1..=20i64 {
        for job in ["sweep", "publish"] {
            let claims = servers.iter().map(|(store, holder)| async move {
                // Each run gives its lease back, as the server does when the job is done.
                let won = store.claim_tick(job, holder, tick, Duration::minutes(5), now).await.unwrap();
                if won {
                    store.release_lease(job, holder, now).await.unwrap();
                }
                (won, *holder)
            });
            for (won, holder) in futures_util::future::join_all(claims).await {
                if won {
                    winners.entry((job, tick)).or_default().push(holder);
                }
            }
        }
    }
    for tick in 1..=20i64 {
        for job in ["sweep", "publish"] {
            assert_eq!(winners.get(&(job, tick)).map(Vec::len), Some(1), "{job} tick {tick}: {winners:?}");
        }
    }
    let rows = db.store.job_leases().await.unwrap();
    assert_eq!(
        rows.iter().map(|r| (r.job.as_str(), r.last_tick, r.runs)).collect::<Vec<_>>(),
        [("publish", 20, 20), ("sweep", 20, 20)]
    );
    // A tick already run is never won again, nor an older one.
    assert!(!other.claim_tick("sweep", "c", 20, Duration::minutes(5), now).await.unwrap());
    assert!(!other.claim_tick("sweep", "c", 3, Duration::minutes(5), now).await.unwrap());
    other.close().await;
}
on_both!(each_tick_is_won_by_exactly_one_server);

/// A server that won a tick and died without giving the lease back holds the job until the lease
/// expires; then another server takes the next tick over. `try_lease` holds and renews.
async fn a_dead_holder_loses_the_lease_when_it_expires(db: &TestDb) {
    let t0 = OffsetDateTime::now_utc();
    let ttl = Duration::minutes(5);
    let s = &db.store;
    assert!(s.claim_tick("apps.expiry", "dead", 1, ttl, t0).await.unwrap());
    // Tick 2 a minute later: the dead server's lease still runs.
    assert!(!s.claim_tick("apps.expiry", "alive", 2, ttl, t0 + Duration::minutes(1)).await.unwrap());
    // Tick 7, after the lease ended: taken over.
    assert!(s.claim_tick("apps.expiry", "alive", 7, ttl, t0 + Duration::minutes(6)).await.unwrap());
    let row = s.job_leases().await.unwrap().into_iter().find(|r| r.job == "apps.expiry").unwrap();
    assert_eq!((row.holder.as_str(), row.last_tick, row.runs), ("alive", 7, 2));

    assert!(s.try_lease("checkpoint", "a", ttl, t0).await.unwrap());
    assert!(!s.try_lease("checkpoint", "b", ttl, t0 + Duration::minutes(4)).await.unwrap());
    assert!(s.try_lease("checkpoint", "a", ttl, t0 + Duration::minutes(4)).await.unwrap(), "the holder renews");
    assert!(!s.try_lease("checkpoint", "b", ttl, t0 + Duration::minutes(8)).await.unwrap(), "renewed until 9");
    assert!(s.try_lease("checkpoint", "b", ttl, t0 + Duration::minutes(9)).await.unwrap());
    s.release_lease("checkpoint", "b", t0 + Duration::minutes(10)).await.unwrap();
    assert!(s.try_lease("checkpoint", "a", ttl, t0 + Duration::minutes(10)).await.unwrap(), "given back");
    // Giving back a lease one does not hold changes nothing.
    s.release_lease("checkpoint", "b", t0 + Duration::minutes(11)).await.unwrap();
    assert!(!s.try_lease("checkpoint", "b", ttl, t0 + Duration::minutes(11)).await.unwrap());
}
on_both!(a_dead_holder_loses_the_lease_when_it_expires);

/// `try_lease_timed` (the retention benchmark's probe) is `try_lease`'s upsert in a transaction
/// of its own: it takes, renews and respects a lease as `try_lease` does, and its parts add up
/// to its whole time.
async fn a_timed_lease_is_the_same_upsert(db: &TestDb) {
    let t0 = OffsetDateTime::now_utc();
    let ttl = Duration::minutes(5);
    let s = &db.store;
    let holder = || async move {
        let rows = s.job_leases().await.unwrap();
        rows.into_iter().find(|r| r.job == "probe").map(|r| (r.holder, r.expires_us))
    };
    let w = s.try_lease_timed("probe", "a", ttl, t0).await.unwrap();
    assert!(w.acquire_ms >= 0.0 && w.begin_ms >= 0.0 && w.statement_ms >= 0.0 && w.commit_ms >= 0.0);
    let sum = w.acquire_ms + w.begin_ms + w.statement_ms + w.commit_ms;
    assert!((w.total_ms() - sum).abs() < 1e-9);
    let (h, first_expiry) = holder().await.unwrap();
    assert_eq!(h, "a");
    // Another holder while the lease runs: the row is left as it was (as `try_lease` refuses).
    s.try_lease_timed("probe", "b", ttl, t0 + Duration::minutes(1)).await.unwrap();
    assert_eq!(holder().await.unwrap(), ("a".to_string(), first_expiry));
    assert!(!s.try_lease("probe", "b", ttl, t0 + Duration::minutes(1)).await.unwrap());
    // The holder renews; after it expires another takes it over.
    s.try_lease_timed("probe", "a", ttl, t0 + Duration::minutes(2)).await.unwrap();
    let (h, renewed) = holder().await.unwrap();
    assert_eq!(h, "a");
    assert!(renewed > first_expiry);
    s.try_lease_timed("probe", "b", ttl, t0 + Duration::minutes(8)).await.unwrap();
    assert_eq!(holder().await.unwrap().0, "b");
    assert!(s.try_lease("probe", "b", ttl, t0 + Duration::minutes(8)).await.unwrap(), "b holds it");

    // A lock another connection holds for 200 ms is waited for where the benchmark looks for it:
    // SQLite's write lock in `BEGIN IMMEDIATE`, PostgreSQL's row lock in the upsert.
    use sqlx::Connection;
    let hold = std::time::Duration::from_millis(200);
    let at = t0 + Duration::minutes(9);
    if s.backend() == "sqlite" {
        let mut other = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
        sqlx::query("BEGIN IMMEDIATE").execute(&mut other).await.unwrap();
        let (w, _) = tokio::join!(s.try_lease_timed("probe", "b", ttl, at), async {
            tokio::time::sleep(hold).await;
            sqlx::query("COMMIT").execute(&mut other).await.unwrap();
        });
        let w = w.unwrap();
        assert!(w.acquire_ms + w.begin_ms >= 150.0, "{w:?}");
        other.close().await.unwrap();
    } else {
        let mut other = sqlx::PgConnection::connect(&db.url).await.unwrap();
        sqlx::query("BEGIN").execute(&mut other).await.unwrap();
        sqlx::query("SELECT job FROM job_leases WHERE job = 'probe' FOR UPDATE").execute(&mut other).await.unwrap();
        let (w, _) = tokio::join!(s.try_lease_timed("probe", "b", ttl, at), async {
            tokio::time::sleep(hold).await;
            sqlx::query("COMMIT").execute(&mut other).await.unwrap();
        });
        let w = w.unwrap();
        assert!(w.statement_ms >= 150.0, "{w:?}");
        other.close().await.unwrap();
    }
}
on_both!(a_timed_lease_is_the_same_upsert);
