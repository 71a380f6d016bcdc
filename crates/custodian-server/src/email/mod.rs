//! E-mail notifications: each person's choice of delivery (their own settings page, audited),
//! and the sender that takes the outbox (`custodian_store::email`) to the SMTP server once per
//! tick across every server (`ops::email_loop`, a [`crate::ops::Job`] of its own). The outbox row
//! is written with the notification, in the transaction of the change that caused it, so what
//! happens here can lose nothing; see docs/email.md for the delivery guarantee.

pub mod send;
pub mod ui;

pub use send::{Mailer, SendReport, digest_cutoff, send_due};

use custodian_store::email::Delivery;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;

/// How the user is e-mailed.
pub async fn preference(state: &AppState, user: &CurrentUser) -> Result<Delivery, AppError> {
    Ok(state.store().email_preference(user.id()).await?)
}

/// Change how the user is e-mailed (their own choice only; audited as `email.preference`).
/// False if it was so already.
pub async fn set_preference(state: &AppState, user: &CurrentUser, delivery: Delivery) -> Result<bool, AppError> {
    Ok(state.store().email_set_preference(user.id(), delivery, user.actor.at(state.now())).await?)
}
