//! Sign-in, sessions, CSRF, throttling and API tokens (WP034 9.1: take care of credentials).
//!
//! Passwords: Argon2id with OWASP's parameters, hashed off the async runtime with at most one
//! hash per core at a time, and the same work done for unknown accounts so timing reveals
//! nothing. Sessions are stored server-side; the cookie carries only a random token whose
//! SHA-256 the database keeps.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::Engine;
use custodian_authz::{Action, Principal};
use custodian_store::{Actor, Person};
use rand::RngCore;
use sha2::{Digest, Sha256};
use time::Duration;
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::error::AppError;
use crate::state::AppState;

pub mod keys;
pub mod oidc;
pub mod throttle;

pub use throttle::{FIRST_DELAY_SECONDS, FREE_FAILURES, RateLimit, Throttle, Throttled};

pub const SESSION_COOKIE: &str = "custodian_session";

/// The pre-session cookie of the sign-in form: a random value the form also carries in a hidden
/// field (double submit), so a sign-in cannot be forged from another site (login CSRF).
pub const SIGNIN_COOKIE: &str = "custodian_signin";

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

fn cookie_value(parts: &Parts, name: &str) -> Option<String> {
    header_cookie(&parts.headers, name)
}

/// A cookie's value from the request headers.
pub fn header_cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // A handler's `CurrentUser` and its `CsrfForm` ask for the user once per request.
        if let Some(user) = parts.extensions.get::<CurrentUser>() {
            return Ok(user.clone());
        }
        let user = Self::authenticate(parts, state).await?;
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}

impl CurrentUser {
    /// Who the request's bearer token or session cookie belongs to, read from the store.
    async fn authenticate(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let now = state.now();
        if let Some(auth) = parts.headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
            let token = auth.strip_prefix("Bearer ").ok_or(AppError::Unauthenticated)?.trim();
            // One query per request: validity is read fresh, the person may come from a
            // two-second cache (see custodian_store::Store::token_with_person).
            let (t, person) =
                state.store().token_with_person(&sha256_hex(token)).await?.ok_or(AppError::Unauthenticated)?;
            if t.revoked_at.is_some() || t.expires_at <= now {
                return Err(AppError::Unauthenticated);
            }
            if person.status != custodian_domain::people::PersonStatus::Active {
                return Err(AppError::Unauthenticated);
            }
            return Ok(CurrentUser {
                principal: principal_of(&person),
                actor: Actor::token(t.id, person.id),
                via: Via::Token {
                    id: t.id,
                    scopes: t.scopes,
                    reading: matches!(parts.method, axum::http::Method::GET | axum::http::Method::HEAD),
                },
                person,
            });
        }
        let token = cookie_value(parts, SESSION_COOKIE).ok_or(AppError::Unauthenticated)?;
        let token_hash = sha256_hex(&token);
        let s = state.store().session(&token_hash).await?.ok_or(AppError::Unauthenticated)?;
        let idle = Duration::minutes(state.settings().session_idle_minutes);
        if s.expires_at <= now || s.last_seen_at + idle <= now {
            state.store().delete_session(&token_hash).await?;
            return Err(AppError::Unauthenticated);
        }
        if now - s.last_seen_at > Duration::seconds(30) {
            state.store().touch_session(&token_hash, now).await?;
        }
        let person = state.store().person(s.person_id).await?.ok_or(AppError::Unauthenticated)?;
        if person.status != custodian_domain::people::PersonStatus::Active {
            state.store().delete_session(&token_hash).await?;
            return Err(AppError::Unauthenticated);
        }
        Ok(CurrentUser {
            principal: principal_of(&person),
            actor: Actor::person(person.id, &person.staff_number),
            via: Via::Session { token_hash, csrf: s.csrf_token },
            person,
        })
    }
}

/// The optional variant for pages that also serve anonymous visitors.
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match CurrentUser::from_request_parts(parts, state).await {
            Ok(u) => Ok(MaybeUser(Some(u))),
            Err(AppError::Unauthenticated) => Ok(MaybeUser(None)),
            Err(e) => Err(e),
        }
    }
}

/// Start a session after a successful sign-in; returns the Set-Cookie value.
pub async fn start_session(state: &AppState, person: &Person) -> Result<String, AppError> {
    let now = state.now();
    let token = random_token();
    let csrf = random_token();
    let expires = now + Duration::hours(state.settings().session_absolute_hours);
    let actor = Actor::person(person.id, &person.staff_number);
    state.store().create_session(&sha256_hex(&token), person.id, &csrf, actor.at(now), expires).await?;
    Ok(session_cookie(state, &token))
}

/// The session cookie for a session token.
pub fn session_cookie(state: &AppState, token: &str) -> String {
    let secure = if state.settings().secure_cookies { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        state.settings().session_absolute_hours * 3600
    )
}

/// The sign-in form's pre-session cookie: the value the form must post back, for an hour, sent
/// to the sign-in page only.
pub fn signin_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SIGNIN_COOKIE}={token}; Path=/sign-in; HttpOnly; SameSite=Strict; Max-Age=3600{secure}")
}

/// The sign-in form's token from the request's cookie, when it is one Custodian could have made.
pub fn signin_token(headers: &axum::http::HeaderMap) -> Option<String> {
    header_cookie(headers, SIGNIN_COOKIE)
        .filter(|t| t.len() == 43 && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
}

/// Whether the posted sign-in form carries the token of its own pre-session cookie.
pub fn signin_csrf_ok(headers: &axum::http::HeaderMap, presented: Option<&str>) -> bool {
    match (signin_token(headers), presented) {
        (Some(c), Some(p)) => constant_time_eq(c.as_bytes(), p.as_bytes()),
        _ => false,
    }
}

/// Record that a throttle limit came into force: a warning in the service log and an audit
/// event (WP034 9.1), so repeated guessing is visible. `subject` names the account.
pub async fn record_throttle(
    state: &AppState,
    what: &str,
    subject: &str,
    actor: &Actor,
    address: &str,
    t: Throttled,
) -> Result<(), AppError> {
    tracing::warn!(what, subject, address, scope = t.scope, failures = t.failures, until = %t.until, "throttled after repeated failures");
    let entry = custodian_store::AuditEntry::new(&format!("{what}.throttled"), subject.to_string()).clause("9.1").detail(
        serde_json::json!({"address": address, "scope": t.scope, "failures": t.failures, "until": t.until.unix_timestamp()}),
    );
    state.store().log_view(actor.at(state.now()), entry).await?;
    Ok(())
}

pub fn clear_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}")
}

/// Create an API token for `person`; the secret is returned once and only its hash is kept.
pub async fn issue_token(
    state: &AppState,
    person: &Person,
    name: &str,
    scopes: &[String],
    days: i64,
    actor: &Actor,
) -> Result<(Uuid, String), AppError> {
    for s in scopes {
        if s != "read" && s != "write" && Action::parse(s).is_none() {
            return Err(AppError::invalid("scopes", format!("{s:?} is not read, write or an action name")));
        }
    }
    if !(1..=366).contains(&days) {
        return Err(AppError::invalid("days", "a token lasts between 1 and 366 days"));
    }
    let secret = format!("{TOKEN_PREFIX}{}", random_token());
    let now = state.now();
    let id = state
        .store()
        .create_token(person.id, name, &sha256_hex(&secret), scopes, now + Duration::days(days), actor.at(now))
        .await?;
    Ok((id, secret))
}

/// Shared handle used by the sign-in handlers.
pub type SharedPasswords = Arc<Passwords>;
