//! Operations endpoints: /healthz, /readyz, Prometheus /metrics (never to anonymous users), and
//! the background task that signs audit checkpoints.

use std::sync::atomic::Ordering;

use crate::routing::{Routes, get};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use custodian_authz::{Action, Resource};

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
    line(
        "custodian_http_requests_total",
        "HTTP requests served.",
        "counter",
        format!("custodian_http_requests_total {}", m.requests.load(Ordering::Relaxed)),
    );
    line(
        "custodian_http_client_errors_total",
        "Responses with a 4xx status.",
        "counter",
        format!("custodian_http_client_errors_total {}", m.errors_4xx.load(Ordering::Relaxed)),
    );
    line(
        "custodian_http_server_errors_total",
        "Responses with a 5xx status.",
        "counter",
        format!("custodian_http_server_errors_total {}", m.errors_5xx.load(Ordering::Relaxed)),
    );
    line(
        "custodian_authz_denied_total",
        "Requests denied by the permission policies.",
        "counter",
        format!("custodian_authz_denied_total {}", m.denied.load(Ordering::Relaxed)),
    );
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

/// Sign a checkpoint (recorded as an `audit.checkpoint` event) unless the log is empty or has not
/// grown since the latest one; the latest checkpoint otherwise (`new` false).
pub async fn checkpoint_signed(state: &AppState) -> anyhow::Result<Option<custodian_store::SignedCheckpoint>> {
    let store = state.store();
    if store.audit_size().await? == 0 {
        return Ok(None);
    }
    let name = crate::auth::keys::key_name(store.origin());
    Ok(Some(store.audit_checkpoint(&name, state.audit_key(), state.now()).await?))
}

/// Every minute, open failure-to-provide referrals for monitoring cases whose hand-over deadline
/// has passed (WP034 5.5), so they appear without anyone having to look at the case first.
pub async fn sweep_loop(state: AppState) {
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        match crate::monitoring::sweep(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(referrals = n, "opened failure-to-provide referrals (WP034 5.5)"),
            Err(e) => tracing::warn!(error = %e, "monitoring sweep failed"),
        }
        if let Err(e) = crate::screening::refresh(&state).await {
            tracing::warn!(error = %e, "checking for a newer screening pack failed");
        }
        match state.store().approvals_flag_overdue(state.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(steps = n, "flagged approval steps past their service level"),
            Err(e) => tracing::warn!(error = %e, "approvals overdue sweep failed"),
        }
        match state.store().apps_sweep_expired(state.now()).await {
            Ok(e) if e.reopened + e.opened + e.closed == 0 => {}
            Ok(e) => tracing::info!(
                reopened = e.reopened,
                opened = e.opened,
                "app grants expired: findings re-evaluated (WP034 4.8)"
            ),
            Err(e) => tracing::warn!(error = %e, "apps expiry sweep failed"),
        }
    }
}

/// Every minute, sign a checkpoint once `checkpoint_every` events have accumulated, and every
/// `checkpoint_interval_minutes` while anything has changed, so tampering with older events is
/// detectable; each is then sent to the checkpoint sinks (see `audit::publish`).
pub async fn checkpoint_loop(state: AppState) {
    let every = state.settings().checkpoint_every;
    let interval = state.settings().checkpoint_interval_minutes;
    if every == 0 && interval == 0 {
        return;
    }
    let mut publisher = crate::audit::publish::Publisher::new(state.settings());
    let mut ticks: u64 = 0;
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        ticks += 1;
        let store = state.store();
        let latest = store.latest_checkpoint().await.ok().flatten().map(|(s, _)| s).unwrap_or(0);
        let size = store.counts(None).await.map(|c| c.audit_events as u64).unwrap_or(0);
        // The latest checkpoint's own event is the one event after it that needs no checkpoint.
        let due = (every > 0 && size >= latest + every.max(2))
            || (interval > 0 && ticks.is_multiple_of(interval) && size > latest + 1)
            || (latest == 0 && size > 0 && interval > 0 && ticks.is_multiple_of(interval));
        let result = if due {
            publisher.checkpoint_and_publish(&state).await.map(|_| ())
        } else {
            publisher.publish_latest(&state).await
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "audit checkpoint or its publication failed");
        }
    }
}
