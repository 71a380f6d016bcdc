//! Accounts: passwords, roles, sessions and API tokens (the sign-in side the store holds).

use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Actor, Person, Result, Store};

impl Store {
    pub async fn set_password_hash(&self, person: Uuid, hash: &str, actor: &Actor, now: OffsetDateTime) -> Result<()> {
        on_write!(self, accounts::set_password_hash(person, hash, actor, now))
    }
    /// Change a person's own password and end their other sessions; returns how many ended.
    pub async fn change_password(
        &self,
        person: Uuid,
        hash: &str,
        keep_session: Option<&str>,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<u64> {
        on_write!(self, accounts::change_password(person, hash, keep_session, actor, now))
    }
    pub async fn password_hash(&self, person: Uuid) -> Result<Option<String>> {
        on_read!(self, accounts::password_hash(person))
    }
    pub async fn create_session(
        &self,
        token_hash: &str,
        person: Uuid,
        csrf: &str,
        now: OffsetDateTime,
        expires: OffsetDateTime,
        actor: &Actor,
    ) -> Result<()> {
        on_write!(self, accounts::create_session(token_hash, person, csrf, now, expires, actor))
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
    #[allow(clippy::too_many_arguments)]
    pub async fn create_token(
        &self,
        person: Uuid,
        name: &str,
        token_hash: &str,
        scopes: &[String],
        expires: OffsetDateTime,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<Uuid> {
        on_write!(self, accounts::create_token(person, name, token_hash, scopes, expires, actor, now))
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
    pub async fn revoke_token(&self, id: Uuid, actor: &Actor, now: OffsetDateTime) -> Result<()> {
        on_write!(self, accounts::revoke_token(id, actor, now))
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
