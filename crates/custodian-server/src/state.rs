//! Shared application state: the store, the permission policies, settings and services.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use custodian_authz::{Action, Authz, Resource};
use custodian_domain::validate::BreachList;
use custodian_store::Store;
use ed25519_dalek::SigningKey;
use time::OffsetDateTime;

use crate::auth::{CurrentUser, Passwords, Throttle};
use crate::config::Settings;
use crate::error::AppError;

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
    screener: crate::screening::Screener,
}

/// Request counters exposed at /metrics in Prometheus text format.
#[derive(Default)]
pub struct Metrics {
    pub requests: AtomicU64,
    pub errors_4xx: AtomicU64,
    pub errors_5xx: AtomicU64,
    pub denied: AtomicU64,
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
        Ok(Self(Arc::new(Inner {
            store,
            authz,
            passwords: Passwords::new()?,
            throttle,
            password_throttle,
            breached,
            audit_key,
            metrics: Metrics::default(),
            screener: crate::screening::Screener::builtin()?,
            settings,
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
    pub fn password_throttle(&self) -> &Throttle {
        &self.0.password_throttle
    }
    pub fn breached(&self) -> &BreachList {
        &self.0.breached
    }
    pub fn audit_key(&self) -> &SigningKey {
        &self.0.audit_key
    }
    pub fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }
    /// The screening pack in force and its engine (WP034 6.3).
    pub fn screener(&self) -> &crate::screening::Screener {
        &self.0.screener
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
            Err(AppError::Forbidden(format!(
                "You do not have permission to {} (policy {}).",
                describe(action),
                action.as_str()
            )))
        }
    }

    pub fn allows(&self, user: &CurrentUser, action: Action, resource: &Resource) -> bool {
        user.scope_allows(action) && self.0.authz.is_allowed(&user.principal, action, resource)
    }
}

fn describe(a: Action) -> String {
    a.as_str().replace(['.', '_'], " ")
}
