//! Operations endpoints: /healthz, /readyz, Prometheus /metrics (never to anonymous users), and
//! the background task that signs audit checkpoints.

use std::sync::atomic::Ordering;

use crate::routing::{Routes, get};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use custodian_authz::{Action, Resource};

pub use crate::audit::publish::checkpoint_signed;
use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::state::AppState;

pub fn routes() -> Routes {
    Routes::new().route("/healthz", get(healthz)).route("/readyz", get(readyz)).route("/metrics", get(metrics))
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store().ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}

async fn metrics(State(state): State<AppState>, user: CurrentUser) -> ApiResult<impl IntoResponse> {
    state.require(&user, Action::MetricsRead, &Resource::System)?;
    let m = state.metrics();
    let counts = state.store().counts(None).await?;
    let mut out = String::new();
    let mut line = |name: &str, help: &str, kind: &str, v: String| {
        out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n{v}\n"));
    };
    let counters = [
        ("custodian_http_requests_total", "HTTP requests served.", &m.requests),
        ("custodian_http_client_errors_total", "Responses with a 4xx status.", &m.errors_4xx),
        ("custodian_http_server_errors_total", "Responses with a 5xx status.", &m.errors_5xx),
        ("custodian_authz_denied_total", "Requests denied by the permission policies.", &m.denied),
        ("custodian_jobs_run_total", "Background job ticks this server won and ran.", &m.jobs_run),
    ];
    for (name, help, n) in counters {
        line(name, help, "counter", format!("{name} {}", n.load(Ordering::Relaxed)));
    }
    // The screening pack's gate cache (see `custodian_screening::GateCache`): a pack whose
    // cache keeps being cleared screens several times slower.
    if let Some(g) = state.screener().current().engine.gate_cache() {
        line(
            "custodian_screening_gate_cache_clears_total",
            "Times the screening pack's gate cache was cleared because it was full, since the pack took effect.",
            "counter",
            format!("custodian_screening_gate_cache_clears_total {}", g.clears),
        );
        line(
            "custodian_screening_gate_cache_bytes",
            "Room each thread's screening gate cache is given.",
            "gauge",
            format!("custodian_screening_gate_cache_bytes {}", g.capacity_bytes),
        );
    }
    line(
        "custodian_audit_events",
        "Events in the audit log.",
        "gauge",
        format!("custodian_audit_events {}", counts.audit_events),
    );
    let devices: Vec<String> =
        counts.devices_by_status.iter().map(|(s, n)| format!("custodian_devices{{status=\"{s}\"}} {n}")).collect();
    line("custodian_devices", "Registered devices by status.", "gauge", devices.join("\n"));
    let findings: Vec<String> =
        counts.findings_by_status.iter().map(|(s, n)| format!("custodian_findings{{status=\"{s}\"}} {n}")).collect();
    line("custodian_findings", "Findings by status.", "gauge", findings.join("\n"));
    Ok(([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], out))
}

/// Sign a checkpoint if the log has grown since the last one.
pub async fn checkpoint_now(state: &AppState) -> anyhow::Result<Option<String>> {
    Ok(checkpoint_signed(state).await?.filter(|c| c.new).map(|c| c.note))
}

/// A background job that runs once per tick across every server on the database: the server
/// whose upsert wins the job's lease row for the tick runs it (see `docs/scale-out.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Job {
    /// Failure-to-provide referrals for monitoring cases past their deadline (WP034 5.5).
    MonitoringSweep,
    /// Approval steps past their service level (WP034 4.2, 4.8, 6.3).
    ApprovalsOverdue,
    /// App grants that have expired: findings re-evaluated (WP034 4.8).
    AppsExpiry,
    /// Scheduled posts that are due (WP034 6.3-6.8).
    Publish,
    /// A signed audit checkpoint (WP034 3.3).
    Checkpoint,
    /// E-mail the outbox's due notifications (see docs/email.md).
    Email,
    /// Delete records past their retention, in short batches (WP034 3.4; see
    /// docs/data-protection.md).
    Retention,
    /// Social media accounts due for re-certification or dormant (WP034 6.1, 6.7).
    SocialSweep,
    /// Weekly reminders of open acknowledgement campaigns and re-declarations (WP034 2.3, 7.3).
    PolicyReminders,
}

impl Job {
    /// The minute sweeps, in the order they run.
    pub const SWEEPS: [Job; 4] = [Job::MonitoringSweep, Job::ApprovalsOverdue, Job::AppsExpiry, Job::SocialSweep];

    /// The name of its lease row.
    pub fn name(self) -> &'static str {
        match self {
            Job::MonitoringSweep => "monitoring.sweep",
            Job::ApprovalsOverdue => "approvals.overdue",
            Job::AppsExpiry => "apps.expiry",
            Job::Publish => "posts.publish",
            Job::Checkpoint => "audit.checkpoint",
            Job::Email => "email.send",
            Job::Retention => "data_protection.retention",
            Job::SocialSweep => "social_accounts.sweep",
            Job::PolicyReminders => "policy.reminders",
        }
    }
}

/// How long a server that won a tick holds the job's lease if it never gives it back (it
/// crashed mid-run): another server takes the job over after this.
pub const LEASE_TTL: time::Duration = time::Duration::minutes(5);

/// The tick `now` falls in, for a job run every `period` seconds: ticks are counted from the
/// Unix epoch, so every server numbers them alike whenever it started.
pub fn tick_of(now: time::OffsetDateTime, period: u64) -> i64 {
    now.unix_timestamp().div_euclid(period.max(1) as i64)
}

/// Sleep until the next tick of a `period`-second job starts, plus up to a second (a quarter of
/// a short tick) so that the servers do not all ask for the lease at the same instant.
async fn sleep_to_next_tick(period: u64) {
    let period_ms = period.max(1) as i128 * 1000;
    let now_ms = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
    let wait_ms = period_ms - now_ms.rem_euclid(period_ms);
    let jitter = rand::Rng::gen_range(&mut rand::thread_rng(), 0..(period_ms as u64 / 4).clamp(1, 1000));
    tokio::time::sleep(std::time::Duration::from_millis(wait_ms as u64 + jitter)).await;
}

impl Job {
    /// How long a server that won a tick holds the job's lease if it never gives it back:
    /// [`LEASE_TTL`], except for e-mail, whose rows carry leases of their own, so after a crash
    /// another server (or this one restarted) resumes sending once a row's lease would lapse.
    pub fn lease_ttl(self, settings: &crate::Settings) -> time::Duration {
        match self {
            Job::Email => crate::email::send::lease_for(settings),
            _ => LEASE_TTL,
        }
    }
}

/// Claim tick `tick` of `job` for this server: true if it won (and must run the job).
async fn claim(state: &AppState, job: Job, tick: i64) -> bool {
    let ttl = job.lease_ttl(state.settings());
    match state.store().claim_tick(job.name(), state.holder(), tick, ttl, state.now()).await {
        Ok(won) => won,
        Err(e) => {
            tracing::warn!(job = job.name(), tick, error = %e, "could not claim the job's lease");
            false
        }
    }
}

/// Give the job's lease back once its run is over, so the next tick need not wait for it.
async fn release(state: &AppState, job: Job) {
    if let Err(e) = state.store().release_lease(job.name(), state.holder(), state.now()).await {
        tracing::warn!(job = job.name(), error = %e, "could not give the job's lease back");
    }
}

/// Run `work` for tick `tick` of `job` if this server wins the tick; true if it ran here.
pub async fn run_once<F, Fut>(state: &AppState, job: Job, tick: i64, work: F) -> bool
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    if !claim(state, job, tick).await {
        return false;
    }
    work().await;
    state.metrics().jobs_run.fetch_add(1, Ordering::Relaxed);
    tracing::debug!(job = %job.name(), tick, holder = %state.holder(), "background job ran");
    release(state, job).await;
    true
}

/// The final checkpoint a server signs as it stops, under the checkpoint job's lease (taken
/// without a tick, so it does not use up the scheduled one): when another server is signing a
/// checkpoint at that moment, this one leaves it to that run rather than sign a second. True if
/// this server signed or found the log already checkpointed.
pub async fn checkpoint_at_shutdown(state: &AppState) -> bool {
    let job = Job::Checkpoint;
    let ttl = job.lease_ttl(state.settings());
    match state.store().try_lease(job.name(), state.holder(), ttl, state.now()).await {
        Ok(true) => {}
        Ok(false) => {
            tracing::info!("another server is signing an audit checkpoint; not signing a final one here");
            return false;
        }
        Err(e) => {
            tracing::warn!(error = %e, "could not take the checkpoint lease for the final checkpoint");
            return false;
        }
    }
    let signed = match checkpoint_now(state).await {
        Ok(_) => true,
        Err(e) => {
            tracing::warn!(error = %e, "final audit checkpoint failed");
            false
        }
    };
    release(state, job).await;
    signed
}

/// One minute's sweeps, tick `tick`: each of [`Job::SWEEPS`] runs here if this server wins it;
/// the screening pack check runs on every server (it refreshes this process's own engine).
/// Returns the jobs this server ran.
pub async fn sweep_tick(state: &AppState, tick: i64) -> Vec<Job> {
    let mut ran = Vec::new();
    if run_once(state, Job::MonitoringSweep, tick, || async {
        match crate::monitoring::sweep(state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(referrals = n, "opened failure-to-provide referrals (WP034 5.5)"),
            Err(e) => tracing::warn!(error = %e, "monitoring sweep failed"),
        }
    })
    .await
    {
        ran.push(Job::MonitoringSweep);
    }
    if let Err(e) = crate::screening::refresh(state).await {
        tracing::warn!(error = %e, "checking for a newer screening pack failed");
    }
    if run_once(state, Job::ApprovalsOverdue, tick, || async {
        match state.store().approvals_flag_overdue(state.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(steps = n, "flagged approval steps past their service level"),
            Err(e) => tracing::warn!(error = %e, "approvals overdue sweep failed"),
        }
    })
    .await
    {
        ran.push(Job::ApprovalsOverdue);
    }
    if run_once(state, Job::AppsExpiry, tick, || async {
        match state.store().apps_sweep_expired(state.now()).await {
            Ok(e) if e.reopened + e.opened + e.closed == 0 => {}
            Ok(e) => tracing::info!(
                reopened = e.reopened,
                opened = e.opened,
                "app grants expired: findings re-evaluated (WP034 4.8)"
            ),
            Err(e) => tracing::warn!(error = %e, "apps expiry sweep failed"),
        }
    })
    .await
    {
        ran.push(Job::AppsExpiry);
    }
    if run_once(state, Job::SocialSweep, tick, || async {
        match crate::social_accounts::sweep(state.store(), state.now()).await {
            Ok(s) if s.recertification_overdue + s.dormant == 0 => {}
            Ok(s) => tracing::info!(
                recertification_overdue = s.recertification_overdue,
                dormant = s.dormant,
                "social media account tasks raised (WP034 6.1, 6.7)"
            ),
            Err(e) => tracing::warn!(error = %e, "social media account sweep failed"),
        }
    })
    .await
    {
        ran.push(Job::SocialSweep);
    }
    ran
}

/// Every minute, open failure-to-provide referrals for monitoring cases whose hand-over deadline
/// has passed (WP034 5.5), so they appear without anyone having to look at the case first; flag
/// overdue approval steps and re-evaluate expired app grants. With several servers on one
/// database each sweep runs on one of them per minute ([`sweep_tick`]).
pub async fn sweep_loop(state: AppState) {
    let period = state.settings().job_tick_seconds;
    loop {
        sleep_to_next_tick(period).await;
        sweep_tick(&state, tick_of(state.now(), period)).await;
    }
}

/// One tick's checkpoint check (ticks of `job_tick_seconds` since the epoch): if this server wins
/// the tick, sign a checkpoint once `checkpoint_every` events have accumulated, and every
/// `checkpoint_interval_minutes` while anything has changed, then send the latest checkpoint to
/// this server's sinks (see `audit::publish`). True if this server ran the check.
pub async fn checkpoint_tick(state: &AppState, tick: i64) -> bool {
    let mut publisher = crate::audit::publish::Publisher::new(state.settings());
    checkpoint_tick_with(state, tick, &mut publisher).await
}

async fn checkpoint_tick_with(state: &AppState, tick: i64, publisher: &mut crate::audit::publish::Publisher) -> bool {
    let every = state.settings().checkpoint_every;
    let interval = state.settings().checkpoint_interval_minutes;
    let period = state.settings().job_tick_seconds.max(1) as i64;
    // The tick that starts each `interval`-minute period (ticks count from the epoch, so every
    // server agrees which one it is).
    let interval_tick = interval > 0 && (tick * period).rem_euclid(interval as i64 * 60) < period;
    run_once(state, Job::Checkpoint, tick, move || async move {
        let store = state.store();
        let latest = store.latest_checkpoint().await.ok().flatten().map(|(s, _)| s).unwrap_or(0);
        let size = store.counts(None).await.map(|c| c.audit_events as u64).unwrap_or(0);
        // The latest checkpoint's own event is the one event after it that needs no checkpoint.
        let due = (every > 0 && size >= latest + every.max(2))
            || (interval_tick && size > latest + 1)
            || (interval_tick && latest == 0 && size > 0);
        let result = if due {
            publisher.checkpoint_and_publish(state).await.map(|_| ())
        } else {
            publisher.publish_latest(state).await
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "audit checkpoint or its publication failed");
        }
        // A log written before subtree hashes were stored gets them, once, so proofs stay fast.
        match store.audit_index_subtrees().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(added = n, "audit subtree hashes filled in"),
            Err(e) => tracing::warn!(error = %e, "filling in audit subtree hashes failed"),
        }
    })
    .await
}

/// Every tick, check whether a checkpoint is due (see [`checkpoint_tick`]), so tampering with
/// older events is detectable; one server signs it, whichever wins the tick's lease.
pub async fn checkpoint_loop(state: AppState) {
    if state.settings().checkpoint_every == 0 && state.settings().checkpoint_interval_minutes == 0 {
        return;
    }
    let mut publisher = crate::audit::publish::Publisher::new(state.settings());
    let period = state.settings().job_tick_seconds;
    loop {
        sleep_to_next_tick(period).await;
        checkpoint_tick_with(&state, tick_of(state.now(), period), &mut publisher).await;
    }
}

/// One tick's e-mail run: if this server wins the tick, send what the outbox has due (see
/// `email::send_due`; rows are also leased one by one, so even a run that outlives the job's
/// lease never sends a row another server holds). True if this server ran it.
pub async fn email_tick(state: &AppState, mailer: &crate::email::Mailer, tick: i64) -> bool {
    run_once(state, Job::Email, tick, || async {
        match crate::email::send_due(state, mailer, state.now()).await {
            Ok(r) if r.emails + r.retrying + r.failed == 0 => {}
            Ok(r) => tracing::info!(
                emails = r.emails,
                notifications = r.rows,
                retrying = r.retrying,
                failed = r.failed,
                "e-mail notifications sent"
            ),
            Err(e) => tracing::warn!(error = %e, "sending e-mail notifications failed"),
        }
    })
    .await
}

/// Every tick, e-mail the outbox's due notifications, on one server per tick. Without
/// `smtp_host` nothing is sent and the outbox keeps every e-mail until it is set.
pub async fn email_loop(state: AppState) {
    let mailer = match crate::email::Mailer::new(state.settings()) {
        Ok(Some(m)) => m,
        Ok(None) => {
            tracing::info!("e-mail is off (no smtp_host): notifications' e-mails wait in the outbox");
            return;
        }
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "e-mail is off: its settings are wrong; e-mails wait in the outbox");
            return;
        }
    };
    let period = state.settings().job_tick_seconds;
    loop {
        sleep_to_next_tick(period).await;
        email_tick(&state, &mailer, tick_of(state.now(), period)).await;
    }
}

/// How often the deletion job runs: hourly ticks (a run deletes what is due in short batches).
pub const RETENTION_PERIOD: u64 = 3600;

/// One tick of the deletion job (ticks of [`RETENTION_PERIOD`] since the epoch): if this server
/// wins the tick, delete what is past its retention and not held (WP034 3.4). True if it ran here.
pub async fn retention_tick(state: &AppState, tick: i64) -> bool {
    run_once(state, Job::Retention, tick, || async {
        match crate::data_protection::run(state, false).await {
            Ok(r) if r.deleted() == 0 => {}
            Ok(r) => tracing::info!(
                deleted = r.deleted(),
                longest_batch_ms = r.longest_batch_ms(),
                "records past their retention deleted (WP034 3.4)"
            ),
            Err(e) => tracing::warn!(error = %format!("{e:#}"), "the retention deletion job failed"),
        }
    })
    .await
}

/// Every hour, on one server, delete what is past its retention (see [`retention_tick`]).
pub async fn retention_loop(state: AppState) {
    loop {
        sleep_to_next_tick(RETENTION_PERIOD).await;
        retention_tick(&state, tick_of(state.now(), RETENTION_PERIOD)).await;
    }
}

/// One tick of the reminder job (ticks of [`crate::policy::REMINDER_PERIOD`] since the epoch):
/// if this server wins the tick, remind the people who have not acknowledged an open campaign
/// and were not reminded in the last week (WP034 2.3; see `policy::remind_due`). True if it ran
/// here.
pub async fn policy_reminders_tick(state: &AppState, tick: i64) -> bool {
    run_once(state, Job::PolicyReminders, tick, || async {
        match crate::policy::remind_due(state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(reminded = n, "policy acknowledgement reminders sent (WP034 2.3)"),
            Err(e) => tracing::warn!(error = %e, "sending policy acknowledgement reminders failed"),
        }
    })
    .await
}

/// Every hour, on one server, remind the people an open campaign is waiting for (see
/// [`policy_reminders_tick`]).
pub async fn policy_reminders_loop(state: AppState) {
    let period = crate::policy::REMINDER_PERIOD;
    loop {
        sleep_to_next_tick(period).await;
        policy_reminders_tick(&state, tick_of(state.now(), period)).await;
    }
}
