//! Who is asking and how: password hashing, tokens, the signed-in person and what their
//! session or API token lets them do (WP034 9.1). Nothing here reads the application's state, so
//! the state can hold these and the sign-in code above can read the state.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use custodian_authz::{Action, Principal};
use custodian_store::{Actor, Person};
use rand::RngCore;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::error::AppError;

/// Argon2id hashing with bounded concurrency.
pub struct Passwords {
    permits: Semaphore,
    dummy_hash: String,
}

fn argon() -> Argon2<'static> {
    // OWASP Password Storage Cheat Sheet: Argon2id, m = 19 MiB, t = 2, p = 1.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}

impl Passwords {
    pub fn new() -> anyhow::Result<Self> {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        Ok(Self { permits: Semaphore::new(cores), dummy_hash: hash_blocking("custodian-dummy-password-for-timing")? })
    }

    pub async fn hash(&self, password: &str) -> anyhow::Result<String> {
        let _permit = self.permits.acquire().await?;
        let pw = password.to_string();
        tokio::task::spawn_blocking(move || hash_blocking(&pw)).await?
    }

    /// Verify `password` against `stored`, or against a dummy hash when there is no account, so
    /// an unknown account costs the same time as a wrong password.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> bool {
        let Ok(_permit) = self.permits.acquire().await else { return false };
        let exists = stored.is_some();
        let hash = stored.unwrap_or(&self.dummy_hash).to_string();
        let pw = password.to_string();
        let ok = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash).map(|h| argon().verify_password(pw.as_bytes(), &h).is_ok()).unwrap_or(false)
        })
        .await
        .unwrap_or(false);
        ok && exists
    }
}

/// A fresh random token (256 bits), URL-safe.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// API tokens carry a recognisable prefix so secret scanners can find leaked ones.
pub const TOKEN_PREFIX: &str = "cst_";

/// How the request was authenticated.
#[derive(Debug, Clone)]
pub enum Via {
    Session {
        token_hash: String,
        csrf: String,
    },
    /// `reading`: the request's method is safe (GET or HEAD), so it changes nothing whatever
    /// permission its handler checks.
    Token {
        id: Uuid,
        scopes: Vec<String>,
        reading: bool,
    },
}

/// The signed-in person making this request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub person: Person,
    pub principal: Principal,
    pub actor: Actor,
    pub via: Via,
}

impl CurrentUser {
    pub fn id(&self) -> Uuid {
        self.person.id
    }

    /// The synchroniser token for forms; empty for API tokens (which need none).
    pub fn csrf(&self) -> &str {
        match &self.via {
            Via::Session { csrf, .. } => csrf,
            Via::Token { .. } => "",
        }
    }

    /// Check a state-changing request's CSRF token (form field or `X-CSRF-Token` header).
    /// Bearer-token requests carry no ambient credentials and need none.
    pub fn check_csrf(&self, presented: Option<&str>) -> Result<(), AppError> {
        match &self.via {
            Via::Token { .. } => Ok(()),
            Via::Session { csrf, .. } => {
                let ok = presented.is_some_and(|p| constant_time_eq(p.as_bytes(), csrf.as_bytes()));
                if ok { Ok(()) } else { Err(AppError::Csrf) }
            }
        }
    }

    /// Whether an API token's scopes cover `action`. Sessions are not narrowed.
    pub fn scope_allows(&self, action: Action) -> bool {
        match &self.via {
            Via::Session { .. } => true,
            Via::Token { scopes, reading, .. } => scopes
                .iter()
                .any(|s| s == "write" || s == action.as_str() || (s == "read" && (*reading || is_read_only(action)))),
        }
    }
}

/// Actions that change nothing; the `read` token scope covers these, on any method, and every
/// GET or HEAD request (safe methods change nothing, whatever permission their handler checks).
pub fn is_read_only(a: Action) -> bool {
    use Action::*;
    matches!(
        a,
        DashboardView
            | PolicyRead
            | MyDevicesView
            | PeopleList
            | PeopleView
            | DevicesList
            | DevicesView
            | FindingsList
            | FindingsView
            | FindingsExport
            | MonitoringRoundsView
            | MonitoringCasesView
            | ScreeningPackView
            | AuditRead
            | AuditVerify
            | MetricsRead
            | NotificationsView
            | ApprovalsOverview
            | AppsCatalogueView
            | AppsUnlistedView
            | AppsExport
            | PostsView
            | PostsViewAll
            | OverseasWindowsView
            | OverseasExport
            | StreamingExceptionsViewAll
            | PostsViewDrafts
            | PostsInvestigationsView
            | MonitoringRoundsBundle
    )
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn principal_of(p: &Person) -> Principal {
    Principal { id: p.id, roles: p.roles.clone(), business_area: Some(p.business_area.clone()) }
}
