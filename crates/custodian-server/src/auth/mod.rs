//! Sign-in, sessions, CSRF, throttling and API tokens (WP034 9.1: take care of credentials).
//!
//! Passwords: Argon2id with OWASP's parameters, hashed off the async runtime with at most one
//! hash per core at a time, and the same work done for unknown accounts so timing reveals
//! nothing. Sessions are stored server-side; the cookie carries only a random token whose
//! SHA-256 the database keeps.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use custodian_authz::Action;
use custodian_store::{Actor, Person};
use time::Duration;
use uuid::Uuid;

use crate::error::AppError;
use crate::state::AppState;

pub mod identity;
pub mod keys;
pub mod oidc;
pub mod throttle;

pub(crate) use identity::constant_time_eq;
pub use identity::{CurrentUser, Passwords, TOKEN_PREFIX, Via, is_read_only, principal_of, random_token, sha256_hex};
pub use throttle::{FIRST_DELAY_SECONDS, FREE_FAILURES, RateLimit, Throttle, Throttled};

pub const SESSION_COOKIE: &str = "custodian_session";

/// The pre-session cookie of the sign-in form: a random value the form also carries in a hidden
/// field (double submit), so a sign-in cannot be forged from another site (login CSRF).
pub const SIGNIN_COOKIE: &str = "custodian_signin";

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
