//! Accounts: passwords, roles, sessions and API tokens (the sign-in side the store holds).

use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Person, Result, Store, Write};

impl Store {
    pub async fn set_password_hash(&self, person: Uuid, hash: &str, w: Write<'_>) -> Result<()> {
        on_write!(self, accounts::set_password_hash(person, hash, w))
    }
    /// Change a person's own password and end their other sessions; returns how many ended.
    pub async fn change_password(
        &self,
        person: Uuid,
        hash: &str,
        keep_session: Option<&str>,
        w: Write<'_>,
    ) -> Result<u64> {
        on_write!(self, accounts::change_password(person, hash, keep_session, w))
    }
    pub async fn password_hash(&self, person: Uuid) -> Result<Option<String>> {
        on_read!(self, accounts::password_hash(person))
    }
    pub async fn create_session(
        &self,
        token_hash: &str,
        person: Uuid,
        csrf: &str,
        w: Write<'_>,
        expires: OffsetDateTime,
    ) -> Result<()> {
        on_write!(self, accounts::create_session(token_hash, person, csrf, w, expires))
    }
    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>> {
        on_read!(self, accounts::session(token_hash))
    }
    pub async fn touch_session(&self, token_hash: &str, now: OffsetDateTime) -> Result<()> {
        on_write!(self, accounts::touch_session(token_hash, now))
    }
    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        on_write!(self, accounts::delete_session(token_hash))
    }
    pub async fn create_token(
        &self,
        person: Uuid,
        name: &str,
        token_hash: &str,
        scopes: &[String],
        expires: OffsetDateTime,
        w: Write<'_>,
    ) -> Result<Uuid> {
        on_write!(self, accounts::create_token(person, name, token_hash, scopes, expires, w))
    }
    pub async fn token_by_hash(&self, token_hash: &str) -> Result<Option<ApiToken>> {
        on_read!(self, accounts::token_by_hash(token_hash))
    }
    /// The token with this hash and the person it acts for, for bearer sign-in, in one query
    /// when the person was loaded in the last [`cache::TTL`](crate::cache::TTL). The token's
    /// revocation, expiry and the person's status are read fresh every time, so revoking a token
    /// or recording a leaver takes effect at once; only the person's other details (roles,
    /// business area) can be that old, and not after a change made through this process.
    pub async fn token_with_person(&self, token_hash: &str) -> Result<Option<(ApiToken, Person)>> {
        let Some((token, status)) = on_read!(self, accounts::token_and_holder_status(token_hash))? else {
            return Ok(None);
        };
        let mut person = match self.caches.person(token.person_id) {
            Some(p) => p,
            None => match self.person(token.person_id).await? {
                Some(p) => {
                    self.caches.set_person(&p);
                    p
                }
                None => return Ok(None),
            },
        };
        person.status = status;
        Ok(Some((token, person)))
    }
    pub async fn tokens(&self) -> Result<Vec<ApiToken>> {
        on_read!(self, accounts::tokens())
    }
    pub async fn revoke_token(&self, id: Uuid, w: Write<'_>) -> Result<()> {
        on_write!(self, accounts::revoke_token(id, w))
    }
    /// Record an OpenID Connect sign-in under way (see [`OidcLogin`]).
    pub async fn oidc_begin(
        &self,
        state_hash: &str,
        nonce: &str,
        pkce_verifier: &str,
        now: OffsetDateTime,
        expires: OffsetDateTime,
    ) -> Result<()> {
        on_write!(self, accounts::oidc_begin(state_hash, nonce, pkce_verifier, now, expires))
    }
    /// Take (and delete) the sign-in under way with this state's hash: each is used once.
    pub async fn oidc_take(&self, state_hash: &str) -> Result<Option<OidcLogin>> {
        on_write!(self, accounts::oidc_take(state_hash))
    }
    /// Apply a validated ID token: find or link the person, set the roles the mapping governs,
    /// start the session; or refuse, audited (WP034 9.1, 4.1, 1.2).
    pub async fn oidc_sign_in(&self, s: &OidcSignIn, address: &str, now: OffsetDateTime) -> Result<OidcOutcome> {
        let r = on_write!(self, accounts::oidc_sign_in(s, address, now));
        if matches!(r, Ok(OidcOutcome::SignedIn { roles_changed: true, .. })) {
            self.caches.forget_people();
        }
        r
    }
    /// The ID token an OpenID Connect session was signed in with, for RP-initiated sign-out.
    pub async fn session_id_token(&self, token_hash: &str) -> Result<Option<String>> {
        on_read!(self, accounts::session_id_token(token_hash))
    }
}

/// An OpenID Connect sign-in under way: what the callback needs besides the provider's answer.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OidcLogin {
    pub nonce: String,
    pub pkce_verifier: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// Who a validated ID token says signed in, and the session to start for them.
#[derive(Debug, Clone)]
pub struct OidcSignIn {
    /// The provider (the token's `iss`).
    pub issuer: String,
    /// The directory's stable id for the user (Entra ID's `oid`).
    pub subject: String,
    /// The e-mail the token gives, used only to link a person on their first sign-in.
    pub email: Option<String>,
    /// The claim the roles came from (`groups` or `roles`), and its values, for the audit log.
    pub claim: String,
    pub claim_values: Vec<String>,
    /// The roles the configured mapping governs (every role it can grant); others are untouched.
    pub managed_roles: Vec<custodian_domain::people::Role>,
    /// The roles the token's claim grants through the mapping.
    pub roles: Vec<custodian_domain::people::Role>,
    pub token_hash: String,
    pub csrf: String,
    pub id_token: String,
    pub expires: OffsetDateTime,
}

/// What became of an OpenID Connect sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OidcOutcome {
    SignedIn { person: Uuid, linked: bool, roles_changed: bool },
    Refused(OidcRefusal),
}

/// Why Custodian refused a sign-in the provider vouched for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OidcRefusal {
    /// Nobody has the directory id, and nobody the e-mail.
    UnknownUser,
    /// The person has left.
    Leaver,
    /// The e-mail's person is already linked to another directory account.
    LinkedElsewhere,
}

impl OidcRefusal {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnknownUser => "unknown_user",
            Self::Leaver => "leaver",
            Self::LinkedElsewhere => "linked_to_another_account",
        }
    }
}

/// Session as stored: the cookie carries a random token; the database keeps only its hash.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRecord {
    pub person_id: Uuid,
    pub csrf_token: String,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ApiToken {
    pub id: Uuid,
    pub person_id: Uuid,
    pub name: String,
    /// Stored as one text of words separated by spaces.
    #[sqlx(try_from = "crate::row::Words")]
    pub scopes: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}
