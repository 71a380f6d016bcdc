//! The credential vault of the force's social media accounts in the store (WP034 6.6, 9.1).
//!
//! The store keeps sealed values only (see `custodian_domain::vault::crypto`): the server seals
//! a value before it reaches [`Store::vault_put`] and opens it after [`Store::vault_sealed`].
//! The one write that needs the key-encryption key here is [`Store::vault_rotate_kek`], which
//! re-wraps every data key and recomputes the password-reuse MACs in one transaction.
//! Every write appends its audit event (account and field, never a value) in its transaction.

use custodian_domain::vault::{EndedUser, Field, Kek, Sealed};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Result, Store, Write};

/// An account as the vault lists it, with what is stored for it.
#[derive(Debug, Clone, Serialize)]
pub struct VaultAccount {
    pub id: Uuid,
    pub platform: String,
    pub handle: String,
    pub owning_team: String,
    pub team_manager_id: Option<Uuid>,
    pub team_manager_name: Option<String>,
    /// The fields stored, with when and by whom each was last set.
    pub stored: Vec<StoredField>,
    /// Authorisations to use the account that have ended (for rotation due-ness).
    #[serde(skip)]
    pub ended_users: Vec<EndedUser>,
}

impl VaultAccount {
    /// When the credential was last set: the password's time, or else the oldest stored field's.
    pub fn credential_set_at(&self) -> Option<OffsetDateTime> {
        self.stored
            .iter()
            .find(|s| s.field == Field::Password)
            .or_else(|| self.stored.iter().min_by_key(|s| s.set_at))
            .map(|s| s.set_at)
    }
}

/// One stored field of an account (never its value).
#[derive(Debug, Clone, Serialize)]
pub struct StoredField {
    pub field: Field,
    #[serde(with = "time::serde::rfc3339")]
    pub set_at: OffsetDateTime,
    pub set_by: String,
}

/// A sealed value to store for an account.
#[derive(Debug, Clone)]
pub struct SealedField {
    /// The row's id (bound into the seal).
    pub id: Uuid,
    pub field: Field,
    pub sealed: Sealed,
    /// The password-reuse MAC (passwords only).
    pub reuse_mac: Option<String>,
}

/// A stored sealed value and the ids that open it.
#[derive(Debug, Clone)]
pub struct SealedRow {
    pub id: Uuid,
    pub account_id: Uuid,
    pub field: Field,
    pub sealed: Sealed,
}

/// At most `max` values revealed per person in any `window` (WP034 6.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RevealLimit {
    pub max: u32,
    pub window: time::Duration,
}

/// What [`Store::vault_log_reveal`] recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevealLogged {
    /// The reveal was recorded: the value may be shown.
    Revealed,
    /// Refused for the limit (and the refusal recorded): nothing may be shown before `until`.
    Limited { until: OffsetDateTime },
}

/// A current authorised user's Custodian sign-in password hash (Argon2id), to refuse a vault
/// password that is the same (WP034 9.1).
#[derive(Debug, Clone)]
pub struct UserHash {
    pub person_id: Uuid,
    pub name: String,
    pub hash: String,
}

impl Store {
    /// The id of the key-encryption key the vault is sealed under, if anything was ever stored.
    pub async fn vault_key_id(&self) -> Result<Option<String>> {
        on_read!(self, vault::key_id())
    }

    /// Every social media account with what the vault holds for it, by platform and handle.
    pub async fn vault_accounts(&self) -> Result<Vec<VaultAccount>> {
        on_read!(self, vault::accounts(None))
    }

    /// One account with what the vault holds for it.
    pub async fn vault_account(&self, id: Uuid) -> Result<Option<VaultAccount>> {
        Ok(on_read!(self, vault::accounts(Some(id)))?.into_iter().next())
    }

    /// The account with this platform and handle (for the CLI).
    pub async fn vault_account_by_handle(&self, platform: &str, handle: &str) -> Result<Option<Uuid>> {
        on_read!(self, vault::account_by_handle(platform, handle))
    }

    /// The Argon2id sign-in hashes of the account's current authorised users.
    pub async fn vault_authorised_hashes(&self, account: Uuid) -> Result<Vec<UserHash>> {
        on_read!(self, vault::authorised_hashes(account))
    }

    /// The sealed value of one field, if stored.
    pub async fn vault_sealed(&self, account: Uuid, field: Field) -> Result<Option<SealedRow>> {
        on_read!(self, vault::sealed(account, field))
    }

    /// Store (or replace) sealed fields of an account, with a `vault.credential.store` audit event
    /// naming the fields, in one transaction. Refuses (before writing anything) a password whose
    /// reuse MAC another account's password has (WP034 9.1), and values sealed under another key
    /// than the vault's.
    pub async fn vault_put(&self, account: Uuid, key_id: &str, fields: &[SealedField], w: Write<'_>) -> Result<()> {
        on_write!(self, vault::put(account, key_id, fields, w))
    }

    /// Record that a field is revealed: who (the actor), when, why and which field, with the
    /// `vault.credential.reveal` audit event (the value is never in it). With a `limit`, a person
    /// (or, for the command line, an actor) who already had `limit.max` values revealed in the
    /// window is refused instead: the refusal is recorded and audited
    /// (`vault.credential.reveal_refused`) and the answer says when the next reveal is allowed.
    pub async fn vault_log_reveal(
        &self,
        account: Uuid,
        field: Field,
        reason: &str,
        limit: Option<RevealLimit>,
        w: Write<'_>,
    ) -> Result<RevealLogged> {
        on_write!(self, vault::log_reveal(account, field, reason, limit, w))
    }

    /// Re-wrap every data key from `old` to `new` and recompute the password-reuse MACs under
    /// `new`, and record `new` as the vault's key, with a `vault.key.rotate` audit event, in one
    /// transaction. Nothing changes if any row fails to open under `old`. Returns the rows re-wrapped.
    pub async fn vault_rotate_kek(&self, old: &Kek, new: &Kek, w: Write<'_>) -> Result<u64> {
        on_write!(self, vault::rotate_kek(old, new, w))
    }
}
