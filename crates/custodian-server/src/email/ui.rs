//! "E-mail notifications", each person's own settings page: immediate e-mails or a daily
//! summary. Only the signed-in person changes their own choice, from a session (never through
//! an API token), and every change is audited (`email.preference`).

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use custodian_store::email::Delivery;
use serde::Deserialize;

use crate::auth::{CurrentUser, Via};
use crate::error::AppError;
use crate::routing::{Routes, get};
use crate::state::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::{Layout, UiResult, layout, page, render};

pub fn routes() -> Routes {
    Routes::new().route("/account/email", get(settings).post(change))
}

/// One choice on the page.
struct Choice {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

#[derive(Template)]
#[template(path = "email/settings.html")]
struct SettingsPage {
    layout: Layout,
    address: String,
    choices: Vec<Choice>,
    digest_hour: String,
    configured: bool,
}
page!(SettingsPage);

async fn settings(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    let current = super::preference(&state, &user).await?;
    let h = state.settings().email_digest_hour;
    Ok(render(&SettingsPage {
        layout: layout(&state, Some(&user), "E-mail notifications", "/account/email"),
        address: user.person.email.clone(),
        choices: [Delivery::Immediate, Delivery::Digest]
            .into_iter()
            .map(|d| Choice { value: d.as_str(), label: d.label(), checked: d == current })
            .collect(),
        digest_hour: match h {
            0 => "midnight".into(),
            12 => "midday".into(),
            h => format!("{}{}", if h % 12 == 0 { 12 } else { h % 12 }, if h < 12 { "am" } else { "pm" }),
        },
        configured: state.settings().smtp_host.is_some(),
    }))
}

#[derive(Deserialize)]
struct ChangeForm {
    #[serde(default)]
    delivery: String,
}

async fn change(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<ChangeForm>,
) -> UiResult<Response> {
    if !matches!(user.via, Via::Session { .. }) {
        return Err(AppError::Forbidden("e-mail settings are changed only by their owner, signed in".into()).into());
    }
    let delivery: Delivery =
        f.delivery.parse().map_err(|_| AppError::invalid("delivery", "Choose immediate e-mails or a daily summary"))?;
    super::set_preference(&state, &user, delivery).await?;
    Ok(Redirect::to("/account/email").into_response())
}
