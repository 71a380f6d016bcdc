//! The credential vault (WP034 6.6, 9.1) under /api/v1: an account's credential status, storing
//! its log-in details, and revealing one with a reason. Only the reveal answers with a value.

use crate::routing::Routes;
use axum::Json;
use axum::extract::{Path, State};
use custodian_domain::vault::Field;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::routes;
use uuid::Uuid;

use crate::api::{CsrfHeader, JsonIn};
use crate::auth::CurrentUser;
use crate::error::{ApiResult, Problem};
use crate::state::AppState;
use crate::vault::{self as uc, AccountStatus, CredentialStatus};

pub fn routes() -> Routes {
    Routes::documented(VaultApi::openapi()).routes(routes!(status, store)).routes(routes!(reveal))
}

/// The vault part of the OpenAPI document: its schemas, which `routes()` starts from and adds its operations to.
#[derive(OpenApi)]
#[openapi(components(schemas(CredentialsOut, StoredFieldOut, CredentialsIn, RevealIn, RevealOut, CredentialStatus)))]
pub struct VaultApi;

/// One stored field (never its value).
#[derive(Debug, Serialize, ToSchema)]
pub struct StoredFieldOut {
    /// username, password, recovery_email, recovery_phone, recovery_codes or totp_seed
    pub field: String,
    pub set_at: String,
    pub set_by: String,
}

/// An account's credential status: which log-in details are stored, and whether they are due for
/// rotation and why (WP034 9.1).
#[derive(Debug, Serialize, ToSchema)]
pub struct CredentialsOut {
    pub account_id: Uuid,
    pub platform: String,
    pub handle: String,
    pub status: CredentialStatus,
    /// Why the credential is due for rotation (empty unless `status` is `due`).
    pub reasons: Vec<String>,
    pub fields: Vec<StoredFieldOut>,
}

fn ts(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

impl From<&AccountStatus> for CredentialsOut {
    fn from(s: &AccountStatus) -> Self {
        Self {
            account_id: s.account.id,
            platform: s.account.platform.clone(),
            handle: s.account.handle.clone(),
            status: s.status,
            reasons: s.reasons.iter().map(ToString::to_string).collect(),
            fields: s
                .account
                .stored
                .iter()
                .map(|f| StoredFieldOut {
                    field: f.field.as_str().into(),
                    set_at: ts(f.set_at),
                    set_by: f.set_by.clone(),
                })
                .collect(),
        }
    }
}

/// Log-in details to store; a field left out keeps its stored value. A new password must be at
/// least 15 characters, not in the breached-password corpus, not used by another account in the
/// vault, and not the Custodian sign-in password of any of the account's authorised users
/// (WP034 9.1); a refusal names the field, the rule and the clause, never the value.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CredentialsIn {
    #[schema(value_type = Option<String>)]
    pub username: Option<SecretString>,
    #[schema(value_type = Option<String>)]
    pub password: Option<SecretString>,
    #[schema(value_type = Option<String>)]
    pub recovery_email: Option<SecretString>,
    #[schema(value_type = Option<String>)]
    pub recovery_phone: Option<SecretString>,
    #[schema(value_type = Option<String>)]
    pub recovery_codes: Option<SecretString>,
    /// The authenticator app's seed, in base32 as the platform shows it.
    #[schema(value_type = Option<String>)]
    pub totp_seed: Option<SecretString>,
}

impl CredentialsIn {
    fn input(self) -> uc::CredentialInput {
        let mut i = uc::CredentialInput::default();
        for (f, v) in [
            (Field::Username, self.username),
            (Field::Password, self.password),
            (Field::RecoveryEmail, self.recovery_email),
            (Field::RecoveryPhone, self.recovery_phone),
            (Field::RecoveryCodes, self.recovery_codes),
            (Field::TotpSeed, self.totp_seed),
        ] {
            if let Some(v) = v {
                i.set(f, Some(v.expose_secret().to_string()));
            }
        }
        i
    }
}

/// Which field to reveal, and why (recorded in the audit log with who and when).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealIn {
    /// username, password, recovery_email, recovery_phone, recovery_codes or totp_seed
    pub field: String,
    pub reason: String,
}

/// A revealed value. For a TOTP seed, also the current code and how long it stays valid.
#[derive(Serialize, ToSchema)]
pub struct RevealOut {
    pub field: String,
    pub value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub totp_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub totp_valid_seconds: Option<u64>,
}

/// An account's credential status (Corporate Communications, and the account's team manager).
#[utoipa::path(get, path = "/accounts/{id}/credentials", tag = "posts", params(("id" = Uuid, Path)), responses((status = 200, body = CredentialsOut), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<CredentialsOut>> {
    Ok(Json(CredentialsOut::from(&uc::view(&state, &user, id).await?)))
}

/// Store or replace an account's log-in details (Corporate Communications, WP034 6.6).
#[utoipa::path(post, path = "/accounts/{id}/credentials", tag = "posts", params(("id" = Uuid, Path)), request_body = CredentialsIn, responses((status = 200, body = CredentialsOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn store(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
    JsonIn(b): JsonIn<CredentialsIn>,
) -> ApiResult<Json<CredentialsOut>> {
    uc::put(&state, &user, id, &b.input()).await?;
    Ok(Json(CredentialsOut::from(&uc::view(&state, &user, id).await?)))
}

/// Reveal one field, giving a reason: Corporate Communications, or the account's own team
/// manager. Every reveal is an audit event with who, when, why and which field. One person may
/// reveal at most `vault_reveal_limit` values per `vault_reveal_window_minutes` (30 per 10 by
/// default): beyond that the answer is 429 with Retry-After, nothing is revealed, and the refusal
/// is audited.
#[utoipa::path(post, path = "/accounts/{id}/credentials/reveal", tag = "posts", params(("id" = Uuid, Path)), request_body = RevealIn, responses((status = 200, body = RevealOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem, description = "Over the reveal limit: nothing revealed; Retry-After gives the seconds to wait")))]
async fn reveal(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
    JsonIn(b): JsonIn<RevealIn>,
) -> ApiResult<Json<RevealOut>> {
    let field: Field = b
        .field
        .trim()
        .parse()
        .map_err(|e: custodian_domain::UnknownValue| crate::error::AppError::invalid("field", e.to_string()))?;
    let r = uc::reveal(&state, &user, id, field, &b.reason).await?;
    let (totp_code, totp_valid_seconds) = match r.totp {
        Some((c, s)) => (Some(c), Some(s)),
        None => (None, None),
    };
    Ok(Json(RevealOut {
        field: field.as_str().into(),
        value: r.value.expose_secret().to_string(),
        totp_code,
        totp_valid_seconds,
    }))
}
