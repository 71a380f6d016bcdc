//! The credential vault of the force's social media accounts (WP034 6.6, 9.1): the use cases.
//!
//! Corporate Communications keep each account's log-in details (6.6); they and the account's
//! team manager may reveal one, giving a reason, and every reveal is an audit event (who, when,
//! why, which field). Values are sealed here, before the store sees them, and opened here after
//! it has read them (`custodian_domain::vault::crypto`); the key-encryption key comes from
//! [`keys`]. A new password must pass the 9.1 rules (NIST SP 800-63B-4): 15 characters or more,
//! not in the breached-password corpus ([`breach`]), not used by another account in the vault
//! (keyed HMACs compared in the store), and not the Custodian sign-in password of any of the
//! account's current authorised users (their Argon2id hashes). A plaintext value is never
//! logged, never in an error, and never in an audit event.

pub mod api;
pub mod breach;
pub mod keys;
pub mod ui;

use std::path::Path;

use custodian_authz::{Action, Resource};
use custodian_domain::vault::{self as domain, DueReason, Field, Kek, Refusal, VaultPack, crypto, rules, totp};
use custodian_store::vault::{RevealLimit, RevealLogged, SealedField, VaultAccount};
use custodian_store::{Actor, Store};
use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;

/// Where an account's credential stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CredentialStatus {
    /// Nothing stored.
    None,
    /// Stored and current.
    Current,
    /// Stored and due for rotation (see the reasons).
    Due,
}

impl CredentialStatus {
    pub fn label(self) -> &'static str {
        match self {
            CredentialStatus::None => "none stored",
            CredentialStatus::Current => "current",
            CredentialStatus::Due => "due for rotation",
        }
    }
}

/// An account with its credential's status.
#[derive(Debug, Clone)]
pub struct AccountStatus {
    pub account: VaultAccount,
    pub status: CredentialStatus,
    pub reasons: Vec<DueReason>,
}

/// The status of `a`'s credential at `now` under the shipped pack.
pub fn status_of(a: VaultAccount, now: OffsetDateTime) -> AccountStatus {
    let (status, reasons) = match a.credential_set_at() {
        None => (CredentialStatus::None, vec![]),
        Some(set) => {
            let r = domain::rotation_due(set, now, VaultPack::shipped().rotation.max_age_days, &a.ended_users);
            (if r.is_empty() { CredentialStatus::Current } else { CredentialStatus::Due }, r)
        }
    };
    AccountStatus { account: a, status, reasons }
}

/// New values for an account's fields; a field left out keeps its stored value.
#[derive(Default)]
pub struct CredentialInput {
    pub values: Vec<(Field, SecretString)>,
}

impl CredentialInput {
    /// Add a value unless it is blank.
    pub fn set(&mut self, field: Field, value: Option<String>) {
        if let Some(v) = value {
            let v = SecretString::from(v);
            if !v.expose_secret().trim().is_empty() {
                self.values.push((field, v));
            }
        }
    }
}

/// A revealed value, zeroised when dropped, with the TOTP code for a seed.
pub struct Revealed {
    pub field: Field,
    pub value: SecretString,
    /// The current code and the seconds it stays valid (TOTP seeds only).
    pub totp: Option<(String, u64)>,
}

/// What the vault needs to store and reveal, for the server and the CLI alike.
pub struct Vault<'a> {
    pub store: &'a Store,
    pub kek: &'a Kek,
    pub data_dir: &'a Path,
    /// How many values one person may reveal per window (None: no limit, for tools that hold
    /// the key file anyway, such as the benchmarks).
    pub reveal_limit: Option<RevealLimit>,
}

impl<'a> Vault<'a> {
    /// The server's vault: its store and data folder, with the reveal limit its settings give.
    fn of_server(state: &'a AppState, kek: &'a Kek) -> Self {
        Vault {
            store: state.store(),
            kek,
            data_dir: &state.settings().data_dir,
            reveal_limit: Some(reveal_limit(state.settings())),
        }
    }
}

/// The reveal limit the settings give (WP034 6.6).
pub fn reveal_limit(settings: &crate::Settings) -> RevealLimit {
    RevealLimit {
        max: settings.vault_reveal_limit.max(1),
        window: time::Duration::minutes(i64::from(settings.vault_reveal_window_minutes.max(1))),
    }
}

/// The refusal of a reveal over the limit: nothing was shown; the answer says when to try again.
fn limited(limit: RevealLimit, until: OffsetDateTime, now: OffsetDateTime) -> AppError {
    let wait = (until - now).whole_seconds().max(1) as u64;
    let minutes = wait.div_ceil(60);
    AppError::RateLimited {
        detail: format!(
            "You have revealed {} log-in details in the last {} minutes, the most the vault allows one person \
             (WP034 6.6). Nothing was revealed, and this refusal is recorded. Try again in {} minute{}.",
            limit.max,
            limit.window.whole_minutes(),
            minutes,
            if minutes == 1 { "" } else { "s" }
        ),
        retry_after_seconds: wait,
    }
}

fn refusal(r: Refusal) -> AppError {
    AppError::invalid(r.field, format!("{} (rule {}, WP034 {})", r.message, r.rule, r.clause))
}

fn vault_error(e: crypto::CryptoError) -> AppError {
    tracing::error!(error = %e, "a vault value did not open");
    AppError::Conflict(e.to_string())
}

/// Whether `password` verifies against any of the PHC-format Argon2id `hashes` (on the blocking
/// pool; the password's copy is zeroised after).
async fn matches_any_hash(password: &SecretString, hashes: Vec<String>) -> bool {
    if hashes.is_empty() {
        return false;
    }
    let pw = zeroize::Zeroizing::new(password.expose_secret().as_bytes().to_vec());
    tokio::task::spawn_blocking(move || {
        use argon2::{PasswordHash, PasswordVerifier};
        hashes.iter().any(|h| {
            PasswordHash::new(h).map(|h| argon2::Argon2::default().verify_password(&pw, &h).is_ok()).unwrap_or(false)
        })
    })
    .await
    .unwrap_or(false)
}

impl Vault<'_> {
    /// The 9.1 password rules that need more than the value (the breach corpus and the
    /// authorised users' sign-in passwords); the reuse rule is checked by the store as it writes.
    async fn check_password(&self, account: Uuid, password: &SecretString) -> Result<(), AppError> {
        let pw = password.expose_secret();
        let path = breach::index_path(self.data_dir);
        if let Some(index) = breach::BreachIndex::open(&path).map_err(AppError::Internal)?
            && index.contains(pw).map_err(AppError::Internal)?
        {
            return Err(refusal(Refusal::new(
                Field::Password,
                rules::BREACHED,
                domain::CLAUSE_PASSWORDS,
                "is in the breached-password corpus (NIST SP 800-63B-4 3.1.1.2: values known to be compromised \
                 are refused); choose another",
            )));
        }
        let hashes: Vec<String> =
            self.store.vault_authorised_hashes(account).await?.into_iter().map(|u| u.hash).collect();
        if matches_any_hash(password, hashes).await {
            return Err(refusal(Refusal::new(
                Field::Password,
                rules::SIGN_IN,
                domain::CLAUSE_PASSWORDS,
                "is the Custodian sign-in password of one of the account's authorised users; WP034 9.1 forbids a \
                 police credential reused on another platform",
            )));
        }
        Ok(())
    }

    /// Check, seal and store the given fields of an account (one audited transaction).
    pub async fn put(
        &self,
        actor: &Actor,
        account: Uuid,
        input: &CredentialInput,
        now: OffsetDateTime,
    ) -> Result<Vec<Field>, AppError> {
        if self.store.vault_account(account).await?.is_none() {
            return Err(AppError::NotFound(format!("social media account {account}")));
        }
        if input.values.is_empty() {
            return Err(AppError::invalid("password", "give at least one value to store"));
        }
        for (i, (f, _)) in input.values.iter().enumerate() {
            if input.values[..i].iter().any(|(g, _)| g == f) {
                return Err(AppError::invalid(f.as_str(), "is given twice"));
            }
        }
        for (f, v) in &input.values {
            domain::check_value(*f, v.expose_secret()).map_err(refusal)?;
        }
        let mut fields = Vec::with_capacity(input.values.len());
        for (f, v) in &input.values {
            let reuse_mac = if *f == Field::Password {
                self.check_password(account, v).await?;
                Some(self.kek.reuse_mac(v.expose_secret()))
            } else {
                None
            };
            let id = Uuid::now_v7();
            let value = if *f == Field::TotpSeed {
                // Stored as the platform showed it, without spaces, upper case.
                SecretString::from(
                    v.expose_secret().chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase(),
                )
            } else {
                v.clone()
            };
            let sealed = crypto::seal(self.kek, account, *f, id, value.expose_secret().as_bytes());
            fields.push(SealedField { id, field: *f, sealed, reuse_mac });
        }
        self.store.vault_put(account, self.kek.id(), &fields, actor.at(now)).await?;
        Ok(fields.iter().map(|f| f.field).collect())
    }

    /// Open one field, record the reveal (who, when, why, which field), and give the value.
    pub async fn reveal(
        &self,
        actor: &Actor,
        account: Uuid,
        field: Field,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<Revealed, AppError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AppError::invalid(
                "reason",
                "give the reason for revealing it: every reveal is recorded with who, when and why (WP034 6.6)",
            ));
        }
        if reason.chars().count() > 500 {
            return Err(AppError::invalid("reason", "is longer than 500 characters"));
        }
        let row = self.store.vault_sealed(account, field).await?.ok_or_else(|| {
            AppError::NotFound(format!("No {} is stored for this account.", field.label().to_lowercase()))
        })?;
        let value = crypto::open(self.kek, account, field, row.id, &row.sealed).map_err(vault_error)?;
        let totp = if field == Field::TotpSeed {
            let seed = totp::decode_seed(value.expose_secret())
                .map_err(|e| AppError::Conflict(format!("totp_seed: the stored seed {e}")))?;
            Some(totp::code_at(&seed, now.unix_timestamp().max(0) as u64, totp::DIGITS))
        } else {
            None
        };
        match self.store.vault_log_reveal(account, field, reason, self.reveal_limit, actor.at(now)).await? {
            RevealLogged::Revealed => Ok(Revealed { field, value, totp }),
            RevealLogged::Limited { until } => {
                // `value` and the code are dropped (and zeroised) unseen.
                tracing::warn!(actor = %actor.label, "a vault reveal was refused: the reveal limit is reached");
                Err(limited(
                    self.reveal_limit.unwrap_or(RevealLimit { max: 0, window: time::Duration::ZERO }),
                    until,
                    now,
                ))
            }
        }
    }
}

fn resource(a: &VaultAccount) -> Resource {
    Resource::SocialAccount { id: a.id, team_manager: a.team_manager_id }
}

/// The vault's key, loaded again when the vault was re-keyed since (`custodian vault rotate-kek`
/// while the server runs) or when it could not be loaded before.
async fn current_key(state: &AppState) -> Result<Kek, AppError> {
    let cached = state.vault_key();
    let bound = state.store().vault_key_id().await?;
    let stale = match (&cached, &bound) {
        (Ok(k), Some(b)) => k.id() != b,
        (Ok(_), None) => false,
        (Err(_), _) => true,
    };
    if !stale {
        return cached;
    }
    match keys::for_vault(state.store(), &state.settings().data_dir).await {
        Ok(k) => {
            tracing::info!(key = k.id(), "the credential vault's key was loaded again");
            state.set_vault_key(Ok(k.clone()));
            Ok(k)
        }
        Err(e) => {
            state.set_vault_key(Err(e.to_string()));
            Err(AppError::Unavailable(format!("The credential vault is unavailable: {e}")))
        }
    }
}

async fn account(state: &AppState, id: Uuid) -> Result<VaultAccount, AppError> {
    state.store().vault_account(id).await?.ok_or_else(|| AppError::NotFound(format!("social media account {id}")))
}

/// Every account with its credential status (Corporate Communications).
pub async fn list(state: &AppState, user: &CurrentUser) -> Result<Vec<AccountStatus>, AppError> {
    state.require(user, Action::VaultList, &Resource::System)?;
    let now = state.now();
    Ok(state.store().vault_accounts().await?.into_iter().map(|a| status_of(a, now)).collect())
}

/// One account's credential status: which fields are stored, never their values.
pub async fn view(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<AccountStatus, AppError> {
    let a = account(state, id).await?;
    state.require(user, Action::VaultView, &resource(&a))?;
    Ok(status_of(a, state.now()))
}

/// Store or replace log-in details (Corporate Communications, WP034 6.6).
pub async fn put(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    input: &CredentialInput,
) -> Result<Vec<Field>, AppError> {
    let a = account(state, id).await?;
    state.require(user, Action::VaultStore, &resource(&a))?;
    let kek = current_key(state).await?;
    Vault::of_server(state, &kek).put(&user.actor, id, input, state.now()).await
}

/// Reveal one field with a reason (Corporate Communications, or the account's team manager).
pub async fn reveal(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    field: Field,
    reason: &str,
) -> Result<Revealed, AppError> {
    let a = account(state, id).await?;
    state.require(user, Action::VaultReveal, &resource(&a))?;
    let kek = current_key(state).await?;
    Vault::of_server(state, &kek).reveal(&user.actor, id, field, reason, state.now()).await
}

/// Whether the user may store or reveal for this account (for the page's forms).
pub fn may(state: &AppState, user: &CurrentUser, a: &VaultAccount) -> (bool, bool) {
    (state.allows(user, Action::VaultStore, &resource(a)), state.allows(user, Action::VaultReveal, &resource(a)))
}
