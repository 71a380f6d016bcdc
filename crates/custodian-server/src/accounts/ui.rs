//! Signing in and out, and "Your account": who Custodian thinks you are, and changing your own
//! password (WP034 9.1).
//!
//! Only a signed-in session may change a password (an API token may not: a token is issued for an
//! integration, not for a person's credentials). The current password is asked for again, the new
//! one is checked against the NIST SP 800-63B rules and the breach list, and every other session
//! of the person ends in the same transaction as the change.

use crate::routing::{Routes, get, post};
use std::net::SocketAddr;

use crate::forms::Form;
use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use custodian_domain::people::PersonStatus;
use serde::Deserialize;

use crate::auth::{self, CurrentUser, MaybeUser, Via};
use crate::error::{AppError, FieldProblem};
use crate::state::AppState;
use crate::web::UiResult;
use crate::web::csrf::{CsrfForm, CsrfOnly};
use crate::web::form_errors::refused;
use crate::web::{ClauseView, Layout, clause_view, layout, page, render};
pub fn routes() -> Routes {
    Routes::new()
        .route("/sign-in", get(sign_in_form).post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/oidc/start", get(oidc_start))
        .route("/oidc/callback", get(oidc_callback))
        .route("/account", get(account))
        .route("/account/password", post(change_password))
}

// ----- Sign in -------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "accounts/sign_in.html")]
pub(crate) struct SignInPage {
    pub(crate) layout: Layout,
    /// The pre-session token the form posts back (see `auth::SIGNIN_COOKIE`).
    pub(crate) signin_token: String,
    pub(crate) email: String,
    pub(crate) error: Option<String>,
    pub(crate) c91: ClauseView,
    /// The identity provider's name, when OpenID Connect sign-in is configured.
    pub(crate) provider: Option<String>,
    /// Whether the password form is shown: passwords on, and (with a provider) as break-glass.
    pub(crate) passwords: bool,
}
page!(SignInPage);

/// The sign-in page with its pre-session cookie (the one the browser has, or a new one).
pub(crate) fn sign_in_page(
    state: &AppState,
    headers: &HeaderMap,
    email: &str,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let token = auth::signin_token(headers).unwrap_or_else(auth::random_token);
    let mut res = render(&SignInPage {
        layout: layout(state, None, "Sign in", "/sign-in"),
        signin_token: token.clone(),
        email: email.to_string(),
        error,
        c91: clause_view("9.1"),
        provider: state.oidc().map(|o| o.settings().provider_name.clone()),
        passwords: state.settings().password_sign_in,
    });
    *res.status_mut() = status;
    if let Ok(v) = header::HeaderValue::from_str(&auth::signin_cookie(&token, state.settings().secure_cookies)) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

pub async fn sign_in_form(State(state): State<AppState>, headers: HeaderMap, MaybeUser(user): MaybeUser) -> Response {
    if user.is_some() {
        return Redirect::to("/").into_response();
    }
    sign_in_page(&state, &headers, "", None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct SignInForm {
    pub(crate) email: String,
    pub(crate) password: String,
    pub(crate) signin_token: Option<String>,
}

pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<SignInForm>,
) -> UiResult<Response> {
    let email = f.email.trim().to_ascii_lowercase();
    let now = state.now();
    let address = addr.ip().to_string();
    let fail = |msg: &str, status: StatusCode| sign_in_page(&state, &headers, &email, Some(msg.into()), status);
    // Login CSRF: the form must post back the token of its own pre-session cookie.
    if !auth::signin_csrf_ok(&headers, f.signin_token.as_deref()) {
        return Ok(fail(
            "The sign-in form had expired or did not come from this page. Enter your details again.",
            StatusCode::FORBIDDEN,
        ));
    }
    if let Err(t) = state.throttle().check(&email, &address, now) {
        tracing::warn!(address, scope = t.scope, "sign-in refused: throttled");
        let wait = (t.until - now).whole_seconds().max(1);
        let wait = if wait < 90 { format!("{wait} seconds") } else { format!("{} minutes", (wait + 59) / 60) };
        return Ok(fail(
            &format!("Too many failed attempts. Wait {wait} before trying again."),
            StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    if !state.settings().password_sign_in {
        return Ok(fail("Sign in with your force account: passwords are switched off.", StatusCode::FORBIDDEN));
    }
    // With an identity provider, passwords are break-glass only, for the named accounts (WP034
    // 9.1): any other account is refused exactly as a wrong password is, after the same work.
    let allowed = state.settings().password_allowed(&email);
    let person =
        state.store().person_by_email(&email).await?.filter(|p| p.status == PersonStatus::Active).filter(|_| allowed);
    let hash = match &person {
        Some(p) => state.store().password_hash(p.id).await?,
        None => None,
    };
    let ok = state.passwords().verify(&f.password, hash.as_deref()).await;
    match (ok, person) {
        (true, Some(p)) => {
            state.throttle().succeed(&email, &address);
            let cookie = auth::start_session(&state, &p).await?;
            let used = auth::signin_cookie("", state.settings().secure_cookies).replace("Max-Age=3600", "Max-Age=0");
            Ok((
                axum::response::AppendHeaders([(header::SET_COOKIE, cookie), (header::SET_COOKIE, used)]),
                Redirect::to("/"),
            )
                .into_response())
        }
        _ => {
            if let Some(t) = state.throttle().fail(&email, &address, now) {
                let anonymous = custodian_store::Actor { person_id: None, label: format!("address:{address}") };
                auth::record_throttle(&state, "session.sign_in", &format!("sign_in:{email}"), &anonymous, &address, t)
                    .await?;
            }
            Ok(fail("Enter a correct email address and password.", StatusCode::UNAUTHORIZED))
        }
    }
}

pub async fn sign_out(State(state): State<AppState>, user: CurrentUser, _: CsrfForm<CsrfOnly>) -> UiResult<Response> {
    let clear = auth::clear_cookie(state.settings().secure_cookies);
    if let auth::Via::Session { token_hash, .. } = &user.via {
        // A session that came from the identity provider ends there too (RP-initiated sign-out).
        let id_token = state.store().session_id_token(token_hash).await?;
        state.store().delete_session(token_hash).await?;
        if let (Some(oidc), Some(t)) = (state.oidc(), id_token.as_deref())
            && let Some(url) = oidc.end_session_url(Some(t)).await
        {
            // A page that moves on by itself: the form's own redirect may not leave the site
            // (Content-Security-Policy form-action 'self').
            let url = html_attr(&url);
            let provider = html_attr(&oidc.settings().provider_name);
            let page = format!(
                "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
                 <meta http-equiv=\"refresh\" content=\"0;url={url}\"><title>Signed out - Custodian</title></head>\
                 <body><p>You are signed out of Custodian. <a href=\"{url}\" id=\"continue\">Sign out of {provider}</a>.</p>\
                 </body></html>"
            );
            return Ok((
                [(header::SET_COOKIE, clear), (header::CACHE_CONTROL, "no-store".to_string())],
                axum::response::Html(page),
            )
                .into_response());
        }
    }
    Ok(([(header::SET_COOKIE, clear)], Redirect::to("/sign-in")).into_response())
}

/// Text made safe inside a double-quoted HTML attribute.
fn html_attr(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

// ----- OpenID Connect ------------------------------------------------------------------------

/// Start a sign-in with the identity provider (WP034 9.1): a fresh state, nonce and PKCE
/// verifier kept in the database, the state also in a cookie for the callback.
pub async fn oidc_start(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> UiResult<Response> {
    let Some(oidc) = state.oidc() else {
        return Err(AppError::NotFound("sign-in with an identity provider".into()).into());
    };
    // Each start keeps a row until it is used or expires: one address may start only so many.
    if let Err(until) = state.oidc_starts().take(&addr.ip().to_string(), state.now()) {
        tracing::warn!(address = %addr.ip(), "OpenID Connect sign-ins started too often from one address");
        let wait = (until - state.now()).whole_minutes().max(1);
        let mut res = sign_in_page(
            &state,
            &headers,
            "",
            Some(format!("Too many sign-ins were started from your network. Try again in {wait} minutes.")),
            StatusCode::TOO_MANY_REQUESTS,
        );
        if let Ok(v) = header::HeaderValue::from_str(&(wait * 60).to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Ok(res);
    }
    let b = match oidc.begin().await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "OpenID Connect sign-in could not start");
            return Ok(sign_in_page(
                &state,
                &headers,
                "",
                Some(format!("{} could not be reached. Try again in a few minutes.", oidc.settings().provider_name)),
                StatusCode::SERVICE_UNAVAILABLE,
            ));
        }
    };
    let now = state.now();
    let expires = now + time::Duration::minutes(auth::oidc::LOGIN_TTL_MINUTES);
    state.store().oidc_begin(&b.state_hash, &b.nonce, &b.pkce_verifier, now, expires).await?;
    Ok((
        [(header::SET_COOKIE, auth::oidc::state_cookie(&b.state, state.settings().secure_cookies))],
        Redirect::to(&b.url),
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// The provider sends the browser back here. The state must match the browser's cookie and a
/// sign-in under way (taken, so it is used once); the code is exchanged with the PKCE verifier;
/// the ID token is validated (signature, issuer, audience, expiry, nonce); then the person is
/// found by their directory id (or linked by e-mail on their first sign-in), their roles set from
/// the mapping, and the session started, in one transaction (WP034 9.1, 4.1, 1.2).
pub async fn oidc_callback(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<CallbackQuery>,
) -> UiResult<Response> {
    let Some(oidc) = state.oidc() else {
        return Err(AppError::NotFound("sign-in with an identity provider".into()).into());
    };
    let address = addr.ip().to_string();
    let secure = state.settings().secure_cookies;
    let provider = oidc.settings().provider_name.clone();
    let refuse = |log: String, msg: String, status: StatusCode| {
        tracing::warn!(address, reason = %log, "OpenID Connect sign-in refused");
        let mut res = sign_in_page(&state, &headers, "", Some(msg), status);
        if let Ok(v) = header::HeaderValue::from_str(&auth::oidc::clear_state_cookie(secure)) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
        res
    };
    let again = "Your sign-in had expired or was already used. Sign in again.".to_string();
    let Some(presented) = q.state.as_deref() else {
        return Ok(refuse("no state".into(), again, StatusCode::BAD_REQUEST));
    };
    let cookie = auth::header_cookie(&headers, auth::oidc::OIDC_COOKIE);
    if !cookie.is_some_and(|c| auth::constant_time_eq(c.as_bytes(), presented.as_bytes())) {
        return Ok(refuse("the state is not this browser's".into(), again, StatusCode::BAD_REQUEST));
    }
    let Some(login) = state.store().oidc_take(&auth::sha256_hex(presented)).await? else {
        return Ok(refuse("unknown or used state".into(), again, StatusCode::BAD_REQUEST));
    };
    let now = state.now();
    if login.expires_at <= now {
        return Ok(refuse("the state expired".into(), again, StatusCode::BAD_REQUEST));
    }
    if let Some(e) = q.error.as_deref() {
        let d = q.error_description.as_deref().unwrap_or("");
        return Ok(refuse(
            format!("provider error {e}: {d}"),
            format!("{provider} did not sign you in. Try again, or ask the service desk."),
            StatusCode::UNAUTHORIZED,
        ));
    }
    let Some(code) = q.code.as_deref() else {
        return Ok(refuse("no code".into(), again, StatusCode::BAD_REQUEST));
    };
    let failed = format!("{provider} could not confirm who you are. Sign in again.");
    let raw = match oidc.exchange(code, &login.pkce_verifier).await {
        Ok(t) => t,
        Err(e) => return Ok(refuse(e.to_string(), failed, StatusCode::BAD_GATEWAY)),
    };
    let id = match oidc.validate(&raw, &login.nonce).await {
        Ok(i) => i,
        Err(e) => {
            // A token that fails validation may be a forgery: audited (WP034 9.1), with why.
            let anonymous = custodian_store::Actor { person_id: None, label: format!("address:{address}") };
            let entry = custodian_store::AuditEntry::new("session.oidc_refused", "oidc:invalid_token")
                .clause("9.1")
                .detail(serde_json::json!({"reason": "invalid_token", "error": e.to_string(), "address": address}));
            state.store().log_view(anonymous.at(now), entry).await?;
            return Ok(refuse(e.to_string(), failed, StatusCode::UNAUTHORIZED));
        }
    };
    finish_oidc_sign_in(&state, oidc, id, raw, &address, now).await.map(|r| match r {
        // The session cookie is SameSite=Strict, which a browser withholds for the rest of a
        // navigation that came from another site (the provider): a page that moves on by itself
        // starts a navigation from Custodian's own site, which carries it.
        Ok(cookie) => (
            axum::response::AppendHeaders([
                (header::SET_COOKIE, cookie),
                (header::SET_COOKIE, auth::oidc::clear_state_cookie(secure)),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ]),
            axum::response::Html(SIGNED_IN_PAGE),
        )
            .into_response(),
        Err(refusal) => refuse(
            format!("Custodian refused the person: {}", refusal.as_str()),
            match refusal {
                custodian_store::OidcRefusal::UnknownUser => format!(
                    "{provider} signed you in, but Custodian has no record of you. Ask Digital Services to add you."
                ),
                custodian_store::OidcRefusal::Leaver => "Your access to Custodian has ended.".to_string(),
                custodian_store::OidcRefusal::LinkedElsewhere => format!(
                    "Your Custodian record is linked to another {provider} account. Ask Digital Services to check it."
                ),
            },
            StatusCode::FORBIDDEN,
        ),
    })
}

const SIGNED_IN_PAGE: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"refresh\" content=\"0;url=/\"><title>Signed in - Custodian</title></head>\
<body><p>You are signed in. <a href=\"/\" id=\"continue\">Continue to Custodian</a>.</p></body></html>";

/// Map a validated identity to a person and start their session (the store's one transaction):
/// the Set-Cookie value, or why Custodian refused. Public for the sign-in benchmark.
pub async fn finish_oidc_sign_in(
    state: &AppState,
    oidc: &auth::oidc::Oidc,
    id: auth::oidc::Identity,
    raw_id_token: String,
    address: &str,
    now: time::OffsetDateTime,
) -> UiResult<Result<String, custodian_store::OidcRefusal>> {
    let (managed, granted) = oidc.map_roles(&id.claim_values);
    let token = auth::random_token();
    let s = custodian_store::OidcSignIn {
        issuer: id.issuer,
        subject: id.subject,
        email: id.email,
        claim: oidc.settings().role_claim.clone(),
        claim_values: id.claim_values,
        managed_roles: managed,
        roles: granted,
        token_hash: auth::sha256_hex(&token),
        csrf: auth::random_token(),
        id_token: raw_id_token,
        expires: now + time::Duration::hours(state.settings().session_absolute_hours),
    };
    match state.store().oidc_sign_in(&s, address, now).await? {
        custodian_store::OidcOutcome::SignedIn { .. } => Ok(Ok(auth::session_cookie(state, &token))),
        custodian_store::OidcOutcome::Refused(r) => Ok(Err(r)),
    }
}

// ----- Your account --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "accounts/account.html")]
struct AccountPage {
    layout: Layout,
    email: String,
    staff_number: String,
    roles: Vec<String>,
    errors: Vec<FieldProblem>,
    changed: Option<u64>,
    c91: ClauseView,
}
page!(AccountPage);

fn account_page(state: &AppState, user: &CurrentUser, errors: Vec<FieldProblem>, changed: Option<u64>) -> Response {
    let mut res = render(&AccountPage {
        layout: layout(state, Some(user), "Your account", "/account"),
        email: user.person.email.clone(),
        staff_number: user.person.staff_number.to_string(),
        roles: user.person.roles.iter().map(|r| r.as_str().replace('_', " ")).collect(),
        c91: clause_view("9.1"),
        changed,
        errors: errors.clone(),
    });
    if !errors.is_empty() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

pub async fn account(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    Ok(account_page(&state, &user, Vec::new(), None))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

fn problem(field: &str, message: impl Into<String>) -> Vec<FieldProblem> {
    vec![FieldProblem { field: Some(field.into()), line: None, message: message.into() }]
}

/// The account page with a refused password change: a browser is sent back to `/account` with
/// the problems beside the fields (`web::form_errors`; the passwords are never kept to show
/// again); without a `Referer` this page answers at `/account/password`.
fn refuse_change(state: &AppState, user: &CurrentUser, errors: Vec<FieldProblem>) -> Response {
    refused(account_page(state, user, errors.clone(), None), errors)
}

pub async fn change_password(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<PasswordForm>,
) -> UiResult<Response> {
    let Via::Session { token_hash, .. } = &user.via else {
        return Err(AppError::Forbidden("a password can be changed only from a signed-in session".into()).into());
    };
    // Wrong current passwords are throttled per person, as sign-ins are: a session left open
    // must not become a way to guess the password behind it.
    let now = state.now();
    let account = format!("person:{}", user.id());
    let address = addr.ip().to_string();
    if let Err(t) = state.password_throttle().check(&account, &address, now) {
        tracing::warn!(person = %user.person.staff_number, scope = t.scope, "password change refused: throttled");
        let errors = problem("current_password", "Too many wrong passwords. Wait a few minutes before trying again.");
        let mut res = account_page(&state, &user, errors.clone(), None);
        *res.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        return Ok(refused(res, errors));
    }
    let stored = state.store().password_hash(user.id()).await?;
    if !state.passwords().verify(&f.current_password, stored.as_deref()).await {
        if let Some(t) = state.password_throttle().fail(&account, &address, now) {
            let subject = format!("person:{}", user.person.staff_number);
            crate::auth::record_throttle(&state, "account.change_password", &subject, &user.actor, &address, t).await?;
        }
        return Ok(refuse_change(&state, &user, problem("current_password", "Enter your current password correctly")));
    }
    if f.new_password != f.confirm_password {
        return Ok(refuse_change(&state, &user, problem("confirm_password", "The two new passwords do not match")));
    }
    if f.new_password == f.current_password {
        return Ok(refuse_change(
            &state,
            &user,
            problem("new_password", "Choose a new password that is different from your current one"),
        ));
    }
    let p = &user.person;
    let staff_number = p.staff_number.to_string();
    let context = [p.email.split('@').next().unwrap_or(""), p.name.as_str(), staff_number.as_str(), "custodian"];
    if let Err(m) =
        custodian_domain::validate::check_password(&Default::default(), &f.new_password, &context, state.breached())
    {
        return Ok(refuse_change(&state, &user, problem("new_password", m)));
    }
    state.password_throttle().succeed(&account, &address);
    let hash = state.passwords().hash(&f.new_password).await.map_err(AppError::Internal)?;
    let ended = state.store().change_password(user.id(), &hash, Some(token_hash), user.actor.at(state.now())).await?;
    Ok(account_page(&state, &user, Vec::new(), Some(ended)).into_response())
}
