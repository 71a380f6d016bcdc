//! Several servers on one database behave as one: every background job runs once per tick,
//! whichever server wins the job's lease row.

use std::sync::atomic::Ordering;

use custodian_server::ops::{Job, checkpoint_tick, sweep_tick, tick_of};
use custodian_server::{Application, Settings};

use crate::on_both;
use crate::support::{Backend, spawn_with};

/// Two servers (one serving, one built on the same database and data folder) run the minute
/// sweeps and the checkpoint job concurrently for several ticks: each job runs on exactly one of
/// them per tick, the lease rows count one run per tick, and the servers' job counters add up.
async fn each_background_job_runs_once_per_tick_across_two_servers(b: Backend) {
    let one = spawn_with(b, |s| s.checkpoint_every = 1).await;
    one.seed().await;
    let settings = Settings {
        bind: "127.0.0.1:0".into(),
        database_url: one.db_url.clone(),
        data_dir: one.dir.clone(),
        checkpoint_every: 1,
        publish_every_seconds: 0,
        ..Settings::default()
    };
    let store = custodian_server::open_store(&settings, false).await.unwrap();
    let two = Application::build(settings, store).await.unwrap().state().clone();
    let a = one.state.clone();
    assert_ne!(a.holder(), two.holder());
    let counted = |s: &custodian_server::AppState| s.metrics().jobs_run.load(Ordering::Relaxed);
    // Every run claims a lease row (`runs` + 1) and then counts itself on its server. The hourly
    // jobs (retention, reminders) run on the first server's real clock too, so a test that spans
    // the hour sees one more run: the counters are compared with the lease rows, which count it
    // as well, once no lease is held.
    let leases_settled = || async {
        for _ in 0..100 {
            let now_us = (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000) as i64;
            let leases = a.store().job_leases().await.unwrap();
            if leases.iter().all(|r| r.expires_us <= now_us) {
                return leases.iter().map(|r| r.runs).sum::<i64>();
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("a job's lease is still held after 10 s");
    };
    let runs_before = leases_settled().await;
    let before = counted(&a) + counted(&two);
    let mut ran_here = 0;

    // Ticks beyond the real clock's, so the first server's own minute loop cannot win one.
    let first = tick_of(time::OffsetDateTime::now_utc(), 60) + 100_000;
    const TICKS: i64 = 6;
    for tick in first..first + TICKS {
        let ((ran_a, cp_a), (ran_b, cp_b)) =
            tokio::join!(async { (sweep_tick(&a, tick).await, checkpoint_tick(&a, tick).await) }, async {
                (sweep_tick(&two, tick).await, checkpoint_tick(&two, tick).await)
            },);
        for job in Job::SWEEPS {
            assert!(
                ran_a.contains(&job) != ran_b.contains(&job),
                "tick {tick}: {job:?} ran on {} servers ({ran_a:?} / {ran_b:?})",
                usize::from(ran_a.contains(&job)) + usize::from(ran_b.contains(&job))
            );
        }
        assert!(cp_a != cp_b, "tick {tick}: the checkpoint job ran on both or neither");
        ran_here += ran_a.len() + ran_b.len() + usize::from(cp_a) + usize::from(cp_b);
    }
    assert_eq!(ran_here, (TICKS as usize) * 5, "four sweeps and the checkpoint job, once per tick");
    let runs_after = leases_settled().await;
    let after = counted(&a) + counted(&two);
    assert!(runs_after - runs_before >= TICKS * 5, "{runs_before} -> {runs_after} runs in the lease rows");
    assert_eq!(
        after - before,
        (runs_after - runs_before) as u64,
        "the servers' job counters add up to the runs the lease rows count"
    );
    let leases = a.store().job_leases().await.unwrap();
    for job in [Job::MonitoringSweep, Job::ApprovalsOverdue, Job::AppsExpiry, Job::SocialSweep, Job::Checkpoint] {
        let row = leases.iter().find(|r| r.job == job.name()).unwrap_or_else(|| panic!("{job:?}: {leases:?}"));
        assert_eq!(row.last_tick, first + TICKS - 1, "{job:?}");
        assert!(row.runs >= TICKS, "{job:?}: {row:?}");
        assert!(row.holder == a.holder() || row.holder == two.holder(), "{row:?}");
        // The run gave its lease back.
        let now_us = (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000) as i64;
        assert!(row.expires_us <= now_us, "{row:?}");
    }
    // The checkpoint job did its work once: the seeded log is covered by a signed checkpoint,
    // whose own `audit.checkpoint` event is the one event after it.
    let size = a.store().counts(None).await.unwrap().audit_events as u64;
    assert_eq!(a.store().latest_checkpoint().await.unwrap().map(|(s, _)| s), Some(size - 1));
    // A tick already run is not run again by either server.
    assert!(sweep_tick(&a, first).await.is_empty());
    assert!(!checkpoint_tick(&two, first + TICKS - 1).await);
    two.store().close().await;
    one.stop().await;
}
on_both!(each_background_job_runs_once_per_tick_across_two_servers);

/// A server that stops signs a final checkpoint under the checkpoint job's lease: while another
/// server holds that lease (it is signing one), the stopping server signs none; once the lease is
/// free, it signs one, and gives the lease back.
async fn the_final_checkpoint_at_shutdown_takes_the_checkpoint_lease(b: Backend) {
    let app = spawn_with(b, |_| {}).await;
    app.seed().await;
    let store = app.store();
    let now = app.state.now();
    let before = store.latest_checkpoint().await.unwrap().map(|(s, _)| s);
    assert!(store.try_lease(Job::Checkpoint.name(), "another-server", time::Duration::minutes(5), now).await.unwrap());
    assert!(!custodian_server::ops::checkpoint_at_shutdown(&app.state).await);
    assert_eq!(store.latest_checkpoint().await.unwrap().map(|(s, _)| s), before, "no second checkpoint");
    store.release_lease(Job::Checkpoint.name(), "another-server", now).await.unwrap();
    assert!(custodian_server::ops::checkpoint_at_shutdown(&app.state).await);
    let (size, _) = store.latest_checkpoint().await.unwrap().expect("a final checkpoint");
    assert!(Some(size) > before && size > 0);
    // The lease is free again for the next server.
    assert!(
        store
            .try_lease(Job::Checkpoint.name(), "third-server", time::Duration::minutes(5), app.state.now())
            .await
            .unwrap()
    );
    app.stop().await;
}
on_both!(the_final_checkpoint_at_shutdown_takes_the_checkpoint_lease);
