//! The accounts SQL, written once and compiled for each backend (see `backend.rs`): `DB` and the
//! helpers come from the backend module this file is mounted in.
//!
//! Accounts: passwords, roles, sessions and API tokens.

use super::audit::Record;
use super::{DB, Tx, begin_write};
use super::{audit, devices};
#[allow(unused_imports)]
use crate::*;
use custodian_domain::people::{PersonStatus, Role};
use serde_json::json;
use sqlx::Pool;
use time::OffsetDateTime;
use uuid::Uuid;

pub async fn set_password_hash(
    pool: &Pool<DB>,
    person: Uuid,
    hash: &str,
    Write { actor, now }: Write<'_>,
) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    let (sn, _) = devices::active_person(&mut tx, person).await?;
    sqlx::query("INSERT INTO accounts (person_id, password_hash, updated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (person_id) DO UPDATE SET password_hash = excluded.password_hash, updated_at = excluded.updated_at")
        .bind(person)
        .bind(hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    AuditEntry::new("account.set_password", format!("person:{sn}")).clause("9.1").record(&mut tx, actor, now).await?;
    Ok(tx.commit().await?)
}

/// Leavers' credentials end with their employment (WP034 9.1), in the caller's transaction:
/// every API token of each of `leavers` (id, staff number) is revoked and every session ended, so
/// none works again even if they return. Returns one `account.leaver_credentials` audit event per
/// leaver who still had anything live, in the order of `leavers`, for the caller to append.
/// One statement per table and chunk of leavers.
pub async fn end_leavers_credentials(
    tx: &mut Tx<'_>,
    leavers: &[(Uuid, &str)],
    now: OffsetDateTime,
) -> Result<Vec<AuditEntry>> {
    let mut revoked: std::collections::HashMap<Uuid, Vec<Uuid>> = std::collections::HashMap::new();
    let mut ended: std::collections::HashMap<Uuid, u64> = std::collections::HashMap::new();
    for chunk in leavers.chunks(super::chunk_rows(1).saturating_sub(1).max(1)) {
        let mut q = sqlx::QueryBuilder::<DB>::new("UPDATE api_tokens SET revoked_at = ");
        q.push_bind(now).push(" WHERE revoked_at IS NULL AND person_id IN (");
        let mut list = q.separated(", ");
        for (id, _) in chunk {
            list.push_bind(*id);
        }
        q.push(") RETURNING id, person_id");
        for (token, person) in q.build_query_as::<(Uuid, Uuid)>().persistent(false).fetch_all(&mut **tx).await? {
            revoked.entry(person).or_default().push(token);
        }
        let mut q = sqlx::QueryBuilder::<DB>::new("DELETE FROM sessions WHERE person_id IN (");
        let mut list = q.separated(", ");
        for (id, _) in chunk {
            list.push_bind(*id);
        }
        q.push(") RETURNING person_id");
        for person in q.build_query_scalar::<Uuid>().persistent(false).fetch_all(&mut **tx).await? {
            *ended.entry(person).or_default() += 1;
        }
    }
    Ok(leavers
        .iter()
        .filter_map(|(id, sn)| {
            let tokens = revoked.remove(id).unwrap_or_default();
            let sessions = ended.get(id).copied().unwrap_or(0);
            (!tokens.is_empty() || sessions > 0).then(|| {
                AuditEntry::new("account.leaver_credentials", format!("person:{sn}"))
                    .clause("9.1")
                    .detail(json!({"tokens_revoked": tokens, "sessions_ended": sessions}))
            })
        })
        .collect())
}

/// A person changes their own password: the new hash replaces the old, and every other session
/// of theirs ends (a password change is how someone locks out whoever else may be signed in).
pub async fn change_password(
    pool: &Pool<DB>,
    person: Uuid,
    hash: &str,
    keep_session: Option<&str>,
    Write { actor, now }: Write<'_>,
) -> Result<u64> {
    let mut tx = begin_write(pool).await?;
    let (sn, _) = devices::active_person(&mut tx, person).await?;
    sqlx::query("UPDATE accounts SET password_hash = $2, updated_at = $3 WHERE person_id = $1")
        .bind(person)
        .bind(hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let ended = sqlx::query("DELETE FROM sessions WHERE person_id = $1 AND token_hash <> $2")
        .bind(person)
        .bind(keep_session.unwrap_or(""))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    AuditEntry::new("account.change_password", format!("person:{sn}"))
        .clause("9.1")
        .detail(json!({ "other_sessions_ended": ended }))
        .record(&mut tx, actor, now)
        .await?;
    tx.commit().await?;
    Ok(ended)
}

pub async fn password_hash(pool: &Pool<DB>, person: Uuid) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT password_hash FROM accounts WHERE person_id = $1")
        .bind(person)
        .fetch_optional(pool)
        .await?)
}

/// Grant a role (the system operator's `custodian user grant-role`). Nobody grants a role to
/// themselves. Audited as `person.roles_changed` with the roles before and after.
pub async fn grant_role(pool: &Pool<DB>, person: Uuid, role: Role, Write { actor, now }: Write<'_>) -> Result<()> {
    if actor.person_id == Some(person) {
        return Err(StoreError::Invalid(
            "roles: nobody changes their own roles (separation of duties): another administrator must".into(),
        ));
    }
    let mut tx = begin_write(pool).await?;
    let (sn, _) = devices::active_person(&mut tx, person).await?;
    let before: Vec<String> = sqlx::query_scalar("SELECT role FROM person_roles WHERE person_id = $1 ORDER BY role")
        .bind(person)
        .fetch_all(&mut *tx)
        .await?;
    if before.iter().any(|r| r == role.as_str()) {
        return Ok(());
    }
    sqlx::query("INSERT INTO person_roles (person_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(person)
        .bind(role.as_str())
        .execute(&mut *tx)
        .await?;
    let mut after = before.clone();
    after.push(role.as_str().to_string());
    after.sort();
    AuditEntry::new("person.roles_changed", format!("person:{sn}"))
        .clause("4.1")
        .detail(json!({
            "before": before, "after": after, "added": [role.as_str()], "removed": [], "by": "grant_role",
        }))
        .record(&mut tx, actor, now)
        .await?;
    Ok(tx.commit().await?)
}

pub async fn create_session(
    pool: &Pool<DB>,
    token_hash: &str,
    person: Uuid,
    csrf: &str,
    Write { actor, now }: Write<'_>,
    expires: OffsetDateTime,
) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    sqlx::query("INSERT INTO sessions (token_hash, person_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $4, $5)")
        .bind(token_hash)
        .bind(person)
        .bind(csrf)
        .bind(now)
        .bind(expires)
        .execute(&mut *tx)
        .await?;
    AuditEntry::new("session.sign_in", actor.label.clone()).record(&mut tx, actor, now).await?;
    Ok(tx.commit().await?)
}

pub async fn session(pool: &Pool<DB>, token_hash: &str) -> Result<Option<SessionRecord>> {
    Ok(sqlx::query_as(
        "SELECT person_id, csrf_token, created_at, last_seen_at, expires_at FROM sessions WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await?)
}

pub async fn touch_session(pool: &Pool<DB>, token_hash: &str, now: OffsetDateTime) -> Result<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
        .bind(now)
        .bind(token_hash)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn delete_session(pool: &Pool<DB>, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(pool).await?;
    Ok(())
}

pub async fn create_token(
    pool: &Pool<DB>,
    person: Uuid,
    name: &str,
    token_hash: &str,
    scopes: &[String],
    expires: OffsetDateTime,
    Write { actor, now }: Write<'_>,
) -> Result<Uuid> {
    let mut tx = begin_write(pool).await?;
    let (sn, status) = devices::active_person(&mut tx, person).await?;
    if status != PersonStatus::Active {
        return Err(StoreError::Invalid(format!(
            "person: {sn} has left the force; no API token is issued to a leaver (WP034 9.1)"
        )));
    }
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO api_tokens (id, person_id, name, token_hash, scopes, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(id)
        .bind(person)
        .bind(name)
        .bind(token_hash)
        .bind(scopes.join(" "))
        .bind(now)
        .bind(expires)
        .execute(&mut *tx)
        .await?;
    AuditEntry::new("token.create", format!("token:{id}"))
        .detail(json!({"person": sn, "name": name, "scopes": scopes}))
        .record(&mut tx, actor, now)
        .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn token_by_hash(pool: &Pool<DB>, token_hash: &str) -> Result<Option<ApiToken>> {
    Ok(sqlx::query_as(
        "SELECT id, person_id, name, scopes, created_at, expires_at, revoked_at FROM api_tokens WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await?)
}

pub async fn tokens(pool: &Pool<DB>) -> Result<Vec<ApiToken>> {
    Ok(sqlx::query_as("SELECT id, person_id, name, scopes, created_at, expires_at, revoked_at FROM api_tokens ORDER BY created_at DESC")
        .fetch_all(pool)
        .await?)
}

pub async fn revoke_token(pool: &Pool<DB>, id: Uuid, Write { actor, now }: Write<'_>) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    let n = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound(format!("active token {id}")));
    }
    AuditEntry::new("token.revoke", format!("token:{id}")).record(&mut tx, actor, now).await?;
    Ok(tx.commit().await?)
}

/// The token with this hash and its holder's current status, in one query (bearer sign-in).
pub async fn token_and_holder_status(pool: &Pool<DB>, token_hash: &str) -> Result<Option<(ApiToken, PersonStatus)>> {
    #[derive(sqlx::FromRow)]
    struct TokenAndStatus {
        #[sqlx(flatten)]
        token: ApiToken,
        #[sqlx(try_from = "String")]
        person_status: PersonStatus,
    }
    let r: Option<TokenAndStatus> = sqlx::query_as(
        "SELECT t.id, t.person_id, t.name, t.scopes, t.created_at, t.expires_at, t.revoked_at, p.status AS person_status \
         FROM api_tokens t JOIN people p ON p.id = t.person_id WHERE t.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await?;
    Ok(r.map(|r| (r.token, r.person_status)))
}

// ----- OpenID Connect (WP034 9.1, 4.1) -------------------------------------------------------

/// Record a sign-in under way (the callback takes it back by the state's hash). Sign-ins older
/// than their expiry are removed on the way, so the table holds only the last few minutes'.
pub async fn oidc_begin(
    pool: &Pool<DB>,
    state_hash: &str,
    nonce: &str,
    pkce_verifier: &str,
    now: OffsetDateTime,
    expires: OffsetDateTime,
) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    sqlx::query("DELETE FROM oidc_logins WHERE expires_at < $1").bind(now).execute(&mut *tx).await?;
    sqlx::query(
        "INSERT INTO oidc_logins (state_hash, nonce, pkce_verifier, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(state_hash)
    .bind(nonce)
    .bind(pkce_verifier)
    .bind(now)
    .bind(expires)
    .execute(&mut *tx)
    .await?;
    Ok(tx.commit().await?)
}

/// Take the sign-in under way with this state's hash: it is deleted as it is read, so a state
/// (and the nonce bound to it) is used once, by one callback, on whichever server.
pub async fn oidc_take(pool: &Pool<DB>, state_hash: &str) -> Result<Option<OidcLogin>> {
    let mut tx = begin_write(pool).await?;
    let row: Option<OidcLogin> = sqlx::query_as(
        "DELETE FROM oidc_logins WHERE state_hash = $1 RETURNING nonce, pkce_verifier, created_at, expires_at",
    )
    .bind(state_hash)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// The directory's word on who signed in, applied in one transaction: find the person by their
/// directory id, or on their first sign-in by e-mail and link the id to them (audited
/// `person.oidc_linked`); set the roles the mapping governs to those the token's claim grants
/// (audited `person.roles_changed` when they change); start the session (`session.sign_in`). A
/// sign-in Custodian refuses (nobody with that id or e-mail, a leaver, a person linked to another
/// directory account) writes `session.oidc_refused` and nothing else.
pub async fn oidc_sign_in(pool: &Pool<DB>, s: &OidcSignIn, address: &str, now: OffsetDateTime) -> Result<OidcOutcome> {
    let mut tx = begin_write(pool).await?;
    let linked: Option<Uuid> =
        sqlx::query_scalar("SELECT person_id FROM person_identities WHERE issuer = $1 AND subject = $2")
            .bind(&s.issuer)
            .bind(&s.subject)
            .fetch_optional(&mut *tx)
            .await?;
    let email = s.email.as_deref().map(|e| e.trim().to_ascii_lowercase()).filter(|e| !e.is_empty());
    let refuse = |reason: OidcRefusal| {
        AuditEntry::new("session.oidc_refused", format!("oidc:{}", s.subject)).clause("9.1").detail(json!({
            "issuer": s.issuer, "email": email, "reason": reason.as_str(), "address": address,
        }))
    };
    let anonymous = Actor { person_id: None, label: format!("address:{address}") };
    let (person, newly_linked) = match linked {
        Some(p) => (p, false),
        None => {
            let found: Option<Uuid> = match &email {
                Some(e) => {
                    sqlx::query_scalar("SELECT id FROM people WHERE email = $1")
                        .bind(e)
                        .fetch_optional(&mut *tx)
                        .await?
                }
                None => None,
            };
            let Some(p) = found else {
                refuse(OidcRefusal::UnknownUser).record(&mut tx, &anonymous, now).await?;
                tx.commit().await?;
                return Ok(OidcOutcome::Refused(OidcRefusal::UnknownUser));
            };
            let other: Option<String> =
                sqlx::query_scalar("SELECT subject FROM person_identities WHERE issuer = $1 AND person_id = $2")
                    .bind(&s.issuer)
                    .bind(p)
                    .fetch_optional(&mut *tx)
                    .await?;
            match other {
                // A sign-in racing this one has just linked this very directory account.
                Some(o) if o == s.subject => (p, false),
                Some(_) => {
                    refuse(OidcRefusal::LinkedElsewhere).record(&mut tx, &anonymous, now).await?;
                    tx.commit().await?;
                    return Ok(OidcOutcome::Refused(OidcRefusal::LinkedElsewhere));
                }
                None => (p, true),
            }
        }
    };
    let (sn, status) = devices::active_person(&mut tx, person).await?;
    if status != PersonStatus::Active {
        refuse(OidcRefusal::Leaver).record(&mut tx, &anonymous, now).await?;
        tx.commit().await?;
        return Ok(OidcOutcome::Refused(OidcRefusal::Leaver));
    }
    // Two first sign-ins of one person can race (two tabs, two servers): both found no link.
    // The loser's insert does nothing, and the link as it now stands decides: the same person is
    // simply signed in (the winner's event records the link); anything else means the person
    // was linked to another directory account meanwhile.
    let newly_linked = if newly_linked {
        let inserted = sqlx::query(
            "INSERT INTO person_identities (issuer, subject, person_id, linked_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&s.issuer)
        .bind(&s.subject)
        .bind(person)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            let now_linked: Option<Uuid> =
                sqlx::query_scalar("SELECT person_id FROM person_identities WHERE issuer = $1 AND subject = $2")
                    .bind(&s.issuer)
                    .bind(&s.subject)
                    .fetch_optional(&mut *tx)
                    .await?;
            if now_linked != Some(person) {
                refuse(OidcRefusal::LinkedElsewhere).record(&mut tx, &anonymous, now).await?;
                tx.commit().await?;
                return Ok(OidcOutcome::Refused(OidcRefusal::LinkedElsewhere));
            }
        }
        inserted > 0
    } else {
        false
    };
    let subject = format!("person:{sn}");
    // The directory, not the person, links the account and sets the roles: recorded as the
    // system's doing, naming the provider and the claim.
    let system = Actor::system();
    let mut events = Vec::new();
    if newly_linked {
        events.push(AuditEntry::new("person.oidc_linked", subject.clone()).clause("4.1").detail(json!({
            "issuer": s.issuer, "oid": s.subject, "email": email, "address": address,
        })));
    }
    let mut roles_changed = false;
    if !s.managed_roles.is_empty() {
        let before: Vec<String> =
            sqlx::query_scalar("SELECT role FROM person_roles WHERE person_id = $1 ORDER BY role")
                .bind(person)
                .fetch_all(&mut *tx)
                .await?;
        let managed: Vec<&str> = s.managed_roles.iter().map(|r| r.as_str()).collect();
        let granted: Vec<&str> = s.roles.iter().map(|r| r.as_str()).collect();
        let removed: Vec<&str> =
            before.iter().map(String::as_str).filter(|r| managed.contains(r) && !granted.contains(r)).collect();
        let mut added: Vec<&str> = granted.iter().copied().filter(|r| !before.iter().any(|b| b == r)).collect();
        added.sort_unstable();
        added.dedup();
        for r in &removed {
            sqlx::query("DELETE FROM person_roles WHERE person_id = $1 AND role = $2")
                .bind(person)
                .bind(*r)
                .execute(&mut *tx)
                .await?;
        }
        for r in &added {
            sqlx::query("INSERT INTO person_roles (person_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(person)
                .bind(*r)
                .execute(&mut *tx)
                .await?;
        }
        if !removed.is_empty() || !added.is_empty() {
            roles_changed = true;
            let mut after: Vec<&str> = before
                .iter()
                .map(String::as_str)
                .filter(|r| !removed.contains(r))
                .chain(added.iter().copied())
                .collect();
            after.sort_unstable();
            events.push(AuditEntry::new("person.roles_changed", subject.clone()).clause("1.2").detail(json!({
                "before": before, "after": after, "added": added, "removed": removed, "by": "oidc",
                "issuer": s.issuer, "claim": s.claim, "claim_values": s.claim_values,
            })));
        }
    }
    if !events.is_empty() {
        audit::audit_batch(&mut tx, &system, now, events).await?;
    }
    sqlx::query(
        "INSERT INTO sessions (token_hash, person_id, csrf_token, created_at, last_seen_at, expires_at, id_token) \
         VALUES ($1, $2, $3, $4, $4, $5, $6)",
    )
    .bind(&s.token_hash)
    .bind(person)
    .bind(&s.csrf)
    .bind(now)
    .bind(s.expires)
    .bind(&s.id_token)
    .execute(&mut *tx)
    .await?;
    let actor = Actor::person(person, &sn);
    AuditEntry::new("session.sign_in", actor.label.clone())
        .clause("9.1")
        .detail(json!({"method": "oidc", "issuer": s.issuer}))
        .record(&mut tx, &actor, now)
        .await?;
    tx.commit().await?;
    Ok(OidcOutcome::SignedIn { person, linked: newly_linked, roles_changed })
}

/// The ID token a session was signed in with (OpenID Connect sessions only).
pub async fn session_id_token(pool: &Pool<DB>, token_hash: &str) -> Result<Option<String>> {
    Ok(sqlx::query_scalar::<_, Option<String>>("SELECT id_token FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(pool)
        .await?
        .flatten())
}
