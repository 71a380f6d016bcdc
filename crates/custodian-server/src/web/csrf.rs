//! Cross-site request forgery: every state-changing form a signed-in user posts carries the
//! session's CSRF token, and [`CsrfForm`] checks it before the handler runs.

use axum::extract::{FromRequest, FromRequestParts, Request};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::auth::CurrentUser;
use crate::forms::Form;
use crate::state::AppState;
use crate::web::UiError;

/// A form that carries nothing but the CSRF token, which [`CsrfForm`] checks (sign out, confirm
/// receipt, verify the audit log).
#[derive(Deserialize)]
pub struct CsrfOnly {}

/// A URL-encoded form from the signed-in user, deserialised into `T` with the checks of
/// [`Form`] (a body over the limit is a 413, a control character or a form that does not fit
/// a 422), then held to the session's CSRF token (a 403 when it is missing or wrong; API
/// tokens need none). `T` does not name the `csrf_token` field.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = UiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let user = CurrentUser::from_request_parts(&mut parts, state).await?;
        let bytes = Form::<()>::read_body(Request::from_parts(parts, body), state).await?;
        let form = Form::<T>::parse(&bytes)?;
        let token = crate::forms::form_urlencoded_pairs(&bytes).into_iter().find(|(k, _)| k == "csrf_token");
        user.check_csrf(token.as_ref().map(|(_, v)| v.as_str()))?;
        Ok(CsrfForm(form))
    }
}
