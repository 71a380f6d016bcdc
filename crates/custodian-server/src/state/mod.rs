//! Shared application state: the store, the permission policies, settings and services.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use custodian_authz::{Action, Authz, Resource};
use custodian_domain::validate::BreachList;
use custodian_store::Store;
use ed25519_dalek::SigningKey;
use time::OffsetDateTime;

use crate::auth::identity::{CurrentUser, Passwords};
use crate::auth::throttle::Throttle;
use crate::config::Settings;
use crate::error::AppError;

pub mod screener;
pub mod staff;

/// Cheap to clone; handlers receive it through axum's `State`.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    store: Store,
    authz: Authz,
    settings: Settings,
    passwords: Passwords,
    throttle: Throttle,
    /// Wrong current passwords on "Your account", per person.
    password_throttle: Throttle,
    breached: BreachList,
    audit_key: SigningKey,
    metrics: Metrics,
    screener: screener::Screener,
    /// The people register's names for the comment webhook's triage (WP034 8.2), rebuilt when
    /// the register changes.
    comment_staff: staff::StaffCache,
    heavy: Arc<tokio::sync::Semaphore>,
    /// This server's name in the job lease rows (host, process and a random part).
    holder: String,
    /// OpenID Connect sign-in, when `[oidc]` is configured.
    oidc: Option<Arc<crate::auth::oidc::Oidc>>,
    /// Sign-ins started with the identity provider, per client address.
    oidc_starts: crate::auth::throttle::RateLimit,
    /// The credential vault's key-encryption key, or why it could not be loaded (set at start-up
    /// by `Application::build`, and again when the vault's key was rotated meanwhile).
    vault_key: std::sync::RwLock<Option<Result<custodian_domain::vault::Kek, String>>>,
}

/// How long a heavy request waits for a turn before the server answers that it is busy.
const HEAVY_QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(20);

/// Request counters exposed at /metrics in Prometheus text format.
#[derive(Default)]
pub struct Metrics {
    pub requests: AtomicU64,
    pub errors_4xx: AtomicU64,
    pub errors_5xx: AtomicU64,
    pub denied: AtomicU64,
    /// Background job runs this server won and ran (see `ops::run_once`).
    pub jobs_run: AtomicU64,
}

impl AppState {
    pub fn new(
        store: Store,
        authz: Authz,
        settings: Settings,
        breached: BreachList,
        audit_key: SigningKey,
    ) -> anyhow::Result<Self> {
        let throttle = Throttle::new(
            settings.throttle_window_minutes,
            settings.max_failures_per_account,
            settings.max_failures_per_address,
        );
        // A password change comes from a signed-in session: five wrong current passwords per
        // person in the window, whatever the address.
        let password_throttle = Throttle::new(settings.throttle_window_minutes, 5, u32::MAX);
        settings.check().map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
        let oidc_starts = crate::auth::throttle::RateLimit::new(
            time::Duration::minutes(crate::auth::oidc::LOGIN_TTL_MINUTES),
            settings.oidc.as_ref().map_or(1, |o| o.starts_per_address.max(1)),
        );
        let oidc = match &settings.oidc {
            Some(o) => Some(Arc::new(crate::auth::oidc::Oidc::new(o.clone())?)),
            None => None,
        };
        Ok(Self(Arc::new(Inner {
            store,
            authz,
            passwords: Passwords::new()?,
            throttle,
            password_throttle,
            breached,
            audit_key,
            metrics: Metrics::default(),
            screener: screener::Screener::builtin()?,
            comment_staff: staff::StaffCache::default(),
            // CPU-heavy work runs on the blocking pool, at most one piece per core at once.
            heavy: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2),
            )),
            settings,
            holder: holder_name(),
            oidc,
            oidc_starts,
            vault_key: std::sync::RwLock::new(None),
        })))
    }

    pub fn store(&self) -> &Store {
        &self.0.store
    }
    pub fn authz(&self) -> &Authz {
        &self.0.authz
    }
    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }
    pub fn passwords(&self) -> &Passwords {
        &self.0.passwords
    }
    pub fn throttle(&self) -> &Throttle {
        &self.0.throttle
    }
    /// The limit on sign-ins one address starts with the identity provider.
    pub fn oidc_starts(&self) -> &crate::auth::throttle::RateLimit {
        &self.0.oidc_starts
    }
    pub fn password_throttle(&self) -> &Throttle {
        &self.0.password_throttle
    }
    pub fn breached(&self) -> &BreachList {
        &self.0.breached
    }
    pub fn audit_key(&self) -> &SigningKey {
        &self.0.audit_key
    }
    /// This server's name in the job lease rows: unique to the process.
    pub fn holder(&self) -> &str {
        &self.0.holder
    }
    /// OpenID Connect sign-in, when configured.
    pub fn oidc(&self) -> Option<&crate::auth::oidc::Oidc> {
        self.0.oidc.as_deref()
    }
    /// Set the vault's key (or why there is none).
    pub fn set_vault_key(&self, key: Result<custodian_domain::vault::Kek, String>) {
        if let Ok(mut k) = self.0.vault_key.write() {
            *k = Some(key);
        }
    }
    /// The vault's key-encryption key, or 503 naming why it is unavailable.
    pub fn vault_key(&self) -> Result<custodian_domain::vault::Kek, AppError> {
        match self.0.vault_key.read().ok().as_deref() {
            Some(Some(Ok(k))) => Ok(k.clone()),
            Some(Some(Err(e))) => Err(AppError::Unavailable(format!("The credential vault is unavailable: {e}"))),
            _ => Err(AppError::Unavailable("The credential vault has no key loaded.".into())),
        }
    }
    pub fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }
    /// The screening pack in force and its engine (WP034 6.3).
    pub fn screener(&self) -> &screener::Screener {
        &self.0.screener
    }
    /// The comment webhook's cache of the people register's names (WP034 8.2).
    pub fn comment_staff(&self) -> &staff::StaffCache {
        &self.0.comment_staff
    }
    /// Run CPU-heavy work (screening, monitoring draws, imports' parsing, audit verification)
    /// on the blocking pool instead of an async worker, so that `/healthz` and every other
    /// request keep being answered while it runs. At most one piece per core runs at once;
    /// others wait their turn, and after [`HEAVY_QUEUE_WAIT`] are told the server is busy (503).
    /// The future runs to completion even if the request is abandoned (a time-out, a closed
    /// connection), so a write is never cut off half-way.
    pub async fn offload<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: std::future::Future<Output = Result<T, AppError>> + Send + 'static,
    {
        let permit = match tokio::time::timeout(HEAVY_QUEUE_WAIT, self.0.heavy.clone().acquire_owned()).await {
            Ok(Ok(p)) => p,
            Ok(Err(e)) => return Err(AppError::Internal(e.into())),
            Err(_) => {
                return Err(AppError::Unavailable(
                    "The server is busy with other long-running requests; try again in a minute.".into(),
                ));
            }
        };
        let handle = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            handle.block_on(work)
        })
        .await
        .map_err(|e| AppError::Internal(e.into()))?
    }

    /// [`AppState::offload`] for synchronous work.
    pub async fn offload_sync<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        self.offload(async move { Ok(work()) }).await
    }

    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    /// Authorise `action` on `resource` for `user` by the Cedar policies (default deny), narrowed
    /// by an API token's scopes.
    pub fn require(&self, user: &CurrentUser, action: Action, resource: &Resource) -> Result<(), AppError> {
        if self.allows(user, action, resource) {
            Ok(())
        } else {
            self.0.metrics.denied.fetch_add(1, Ordering::Relaxed);
            Err(AppError::Forbidden(format!("You do not have permission to {}.", describe(action))))
        }
    }

    pub fn allows(&self, user: &CurrentUser, action: Action, resource: &Resource) -> bool {
        user.scope_allows(action) && self.0.authz.is_allowed(&user.principal, action, resource)
    }

    /// An audited read: `entry` records that `user` saw what it names, now.
    pub async fn log_view(&self, user: &CurrentUser, entry: custodian_store::AuditEntry) -> Result<(), AppError> {
        Ok(self.store().log_view(user.actor.at(self.now()), entry).await?)
    }
}

/// `host/pid/random`: which server holds a job lease, readable by an operator, never shared by
/// two processes (nor two states in one process, as in the tests).
fn holder_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".into());
    let random = uuid::Uuid::now_v7().simple().to_string();
    format!("{host}/{}/{}", std::process::id(), &random[random.len() - 8..])
}

/// What an action lets a person do, in words: "see the device register" for `devices.list`.
pub(crate) fn describe(a: Action) -> String {
    let plain = match a {
        Action::DevicesList => "see the device register",
        Action::PeopleList => "see the list of people",
        Action::FindingsList => "see the list of findings",
        Action::AuditRead => "read the audit log",
        Action::AuditVerify => "verify the audit log",
        _ => "",
    };
    if !plain.is_empty() {
        return plain.into();
    }
    // The table's description up to its first parenthesis or sentence end, as a phrase.
    let d = a.description();
    let d = d.split(" (").next().unwrap_or(d);
    let d = d.split(". ").next().unwrap_or(d).trim_end_matches('.');
    let d: String = d.split(" [").next().unwrap_or(d).trim().to_string();
    let mut c = d.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => a.as_str().replace(['.', '_'], " "),
    }
}
