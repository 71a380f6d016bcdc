//! "Your account": who Custodian thinks you are, and changing your own password (WP034 9.1).
//!
//! Only a signed-in session may change a password (an API token may not: a token is issued for an
//! integration, not for a person's credentials). The current password is asked for again, the new
//! one is checked against the NIST SP 800-63B rules and the breach list, and every other session
//! of the person ends in the same transaction as the change.

use crate::forms::Form;
use askama::Template;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{ClauseView, Layout, clause_view, layout, page, render};
use crate::auth::{CurrentUser, Via};
use crate::error::{AppError, FieldProblem, UiResult};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "account.html")]
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
    csrf_token: Option<String>,
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

pub async fn change_password(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    user: CurrentUser,
    Form(f): Form<PasswordForm>,
) -> UiResult<Response> {
    user.check_csrf(f.csrf_token.as_deref())?;
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
        let mut res = account_page(
            &state,
            &user,
            problem("current_password", "Too many wrong passwords. Wait a few minutes before trying again."),
            None,
        );
        *res.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        return Ok(res);
    }
    let stored = state.store().password_hash(user.id()).await?;
    if !state.passwords().verify(&f.current_password, stored.as_deref()).await {
        if let Some(t) = state.password_throttle().fail(&account, &address, now) {
            let subject = format!("person:{}", user.person.staff_number);
            crate::auth::record_throttle(&state, "account.change_password", &subject, &user.actor, &address, t).await?;
        }
        return Ok(account_page(
            &state,
            &user,
            problem("current_password", "Enter your current password correctly"),
            None,
        ));
    }
    if f.new_password != f.confirm_password {
        return Ok(account_page(
            &state,
            &user,
            problem("confirm_password", "The two new passwords do not match"),
            None,
        ));
    }
    if f.new_password == f.current_password {
        return Ok(account_page(
            &state,
            &user,
            problem("new_password", "Choose a new password that is different from your current one"),
            None,
        ));
    }
    let p = &user.person;
    let staff_number = p.staff_number.to_string();
    let context = [p.email.split('@').next().unwrap_or(""), p.name.as_str(), staff_number.as_str(), "custodian"];
    if let Err(m) =
        custodian_domain::validate::check_password(&Default::default(), &f.new_password, &context, state.breached())
    {
        return Ok(account_page(&state, &user, problem("new_password", m), None));
    }
    state.password_throttle().succeed(&account, &address);
    let hash = state.passwords().hash(&f.new_password).await.map_err(AppError::Internal)?;
    let ended = state.store().change_password(user.id(), &hash, Some(token_hash), &user.actor, state.now()).await?;
    Ok(account_page(&state, &user, Vec::new(), Some(ended)).into_response())
}
