//! The vault's SQL, written once and compiled for each backend (see `backend.rs`). See
//! `crate::vault` for the design: only sealed values are read and written here.

use super::audit::Record;
use super::{DB, LOCK_HEAD, ROW_LOCK, Tx, begin_write};
use crate::vault::{RevealLimit, RevealLogged, SealedField, SealedRow, StoredField, UserHash, VaultAccount};
#[allow(unused_imports)]
use crate::*;
use custodian_domain::vault::{EndedUser, Field, Kek, Sealed, crypto};
use serde_json::json;
use sqlx::{Pool, Row};
use time::OffsetDateTime;
use uuid::Uuid;

fn field_of(s: &str) -> Result<Field> {
    s.parse::<Field>().map_err(|e| StoreError::Internal(format!("vault_secrets.field: {e}")))
}

fn subject(account: Uuid) -> String {
    format!("social_account:{account}")
}

pub async fn key_id(pool: &Pool<DB>) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT key_id FROM vault_key WHERE id = 1").fetch_optional(pool).await?)
}

pub async fn account_by_handle(pool: &Pool<DB>, platform: &str, handle: &str) -> Result<Option<Uuid>> {
    // The account that holds the handle (a refused or withdrawn request never became one).
    Ok(sqlx::query_scalar(
        "SELECT id FROM social_accounts WHERE platform = $1 AND handle = $2 AND status NOT IN ('refused', 'withdrawn')",
    )
    .bind(platform)
    .bind(handle)
    .fetch_optional(pool)
    .await?)
}

/// Every account (or one), with its stored fields and ended authorisations. A refused or
/// withdrawn request was never an account: the vault has nothing to keep for it (WP034 6.6).
pub async fn accounts(pool: &Pool<DB>, only: Option<Uuid>) -> Result<Vec<VaultAccount>> {
    let filter = if only.is_some() {
        "WHERE a.id = $1 AND a.status NOT IN ('refused', 'withdrawn')"
    } else {
        "WHERE a.status NOT IN ('refused', 'withdrawn')"
    };
    let sql = format!(
        "SELECT a.id, a.platform, a.handle, a.owning_team, a.team_manager_id, p.name AS team_manager_name \
         FROM social_accounts a LEFT JOIN people p ON p.id = a.team_manager_id {filter} ORDER BY a.platform, a.handle"
    );
    let mut q = sqlx::query(&sql);
    if let Some(id) = only {
        q = q.bind(id);
    }
    let mut out: Vec<VaultAccount> = Vec::new();
    for r in q.fetch_all(pool).await? {
        out.push(VaultAccount {
            id: r.try_get("id")?,
            platform: r.try_get("platform")?,
            handle: r.try_get("handle")?,
            owning_team: r.try_get("owning_team")?,
            team_manager_id: r.try_get("team_manager_id")?,
            team_manager_name: r.try_get("team_manager_name")?,
            stored: Vec::new(),
            ended_users: Vec::new(),
        });
    }
    let index = |out: &Vec<VaultAccount>, id: Uuid| out.iter().position(|a| a.id == id);
    let sql = format!(
        "SELECT s.account_id, s.field, s.set_at, s.set_by FROM vault_secrets s {} ORDER BY s.account_id, s.field",
        if only.is_some() { "WHERE s.account_id = $1" } else { "" }
    );
    let mut q = sqlx::query(&sql);
    if let Some(id) = only {
        q = q.bind(id);
    }
    for r in q.fetch_all(pool).await? {
        let account: Uuid = r.try_get("account_id")?;
        let field: String = r.try_get("field")?;
        if let Some(i) = index(&out, account) {
            out[i].stored.push(StoredField {
                field: field_of(&field)?,
                set_at: r.try_get("set_at")?,
                set_by: r.try_get("set_by")?,
            });
        }
    }
    let sql = format!(
        "SELECT u.account_id, p.name, u.authorised_to, u.ended_reason FROM social_account_users u \
         JOIN people p ON p.id = u.person_id WHERE u.authorised_to IS NOT NULL {}",
        if only.is_some() { "AND u.account_id = $1" } else { "" }
    );
    let mut q = sqlx::query(&sql);
    if let Some(id) = only {
        q = q.bind(id);
    }
    for r in q.fetch_all(pool).await? {
        let account: Uuid = r.try_get("account_id")?;
        if let Some(i) = index(&out, account) {
            out[i].ended_users.push(EndedUser {
                name: r.try_get("name")?,
                ended_at: r.try_get("authorised_to")?,
                reason: r.try_get::<Option<String>, _>("ended_reason")?.unwrap_or_default(),
            });
        }
    }
    for a in &mut out {
        a.stored.sort_by_key(|s| s.field);
    }
    Ok(out)
}

pub async fn authorised_hashes(pool: &Pool<DB>, account: Uuid) -> Result<Vec<UserHash>> {
    let rows = sqlx::query(
        "SELECT u.person_id, p.name, c.password_hash FROM social_account_users u JOIN people p ON p.id = u.person_id \
         JOIN accounts c ON c.person_id = u.person_id WHERE u.account_id = $1 AND u.authorised_to IS NULL",
    )
    .bind(account)
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(UserHash {
            person_id: r.try_get("person_id")?,
            name: r.try_get("name")?,
            hash: r.try_get("password_hash")?,
        });
    }
    Ok(out)
}

pub async fn sealed(pool: &Pool<DB>, account: Uuid, field: Field) -> Result<Option<SealedRow>> {
    let r = sqlx::query(
        "SELECT id, key_id, wrapped_key, ciphertext FROM vault_secrets WHERE account_id = $1 AND field = $2",
    )
    .bind(account)
    .bind(field.as_str())
    .fetch_optional(pool)
    .await?;
    let Some(r) = r else { return Ok(None) };
    Ok(Some(SealedRow {
        id: r.try_get("id")?,
        account_id: account,
        field,
        sealed: Sealed {
            key_id: r.try_get("key_id")?,
            wrapped_key: r.try_get("wrapped_key")?,
            ciphertext: r.try_get("ciphertext")?,
        },
    }))
}

/// Check (and on first use record) the vault's key id.
async fn check_key(tx: &mut Tx<'_>, key_id: &str, now: OffsetDateTime) -> Result<()> {
    let current: Option<String> =
        sqlx::query_scalar("SELECT key_id FROM vault_key WHERE id = 1").fetch_optional(&mut **tx).await?;
    match current {
        Some(k) if k == key_id => Ok(()),
        Some(k) => Err(StoreError::Conflict(format!(
            "the vault is sealed under key {k}, but the key in use is {key_id}: refusing to store values another key \
             seals (run with the vault's key)"
        ))),
        None => {
            sqlx::query("INSERT INTO vault_key (id, key_id, since) VALUES (1, $1, $2)")
                .bind(key_id)
                .bind(now)
                .execute(&mut **tx)
                .await?;
            Ok(())
        }
    }
}

pub async fn put(
    pool: &Pool<DB>,
    account: Uuid,
    key_id: &str,
    fields: &[SealedField],
    Write { actor, now }: Write<'_>,
) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    let exists: Option<Uuid> =
        sqlx::query_scalar("SELECT id FROM social_accounts WHERE id = $1 AND status NOT IN ('refused', 'withdrawn')")
            .bind(account)
            .fetch_optional(&mut *tx)
            .await?;
    if exists.is_none() {
        return Err(StoreError::NotFound(format!("social media account {account}")));
    }
    if fields.is_empty() {
        return Err(StoreError::Invalid("fields: give at least one value to store".into()));
    }
    check_key(&mut tx, key_id, now).await?;
    for f in fields {
        if f.sealed.key_id != key_id {
            return Err(StoreError::Invalid(format!("{}: sealed under another key", f.field)));
        }
        if let Some(mac) = &f.reuse_mac {
            let other: Option<Uuid> = sqlx::query_scalar(
                "SELECT account_id FROM vault_secrets WHERE field = 'password' AND reuse_mac = $1 AND account_id <> $2 \
                 LIMIT 1",
            )
            .bind(mac)
            .bind(account)
            .fetch_optional(&mut *tx)
            .await?;
            if other.is_some() {
                return Err(StoreError::Invalid(format!(
                    "password: another account in the vault already uses this password; WP034 9.1 allows no common \
                     passwords across systems (rule {})",
                    custodian_domain::vault::rules::REUSED
                )));
            }
        }
    }
    for f in fields {
        sqlx::query("DELETE FROM vault_secrets WHERE account_id = $1 AND field = $2")
            .bind(account)
            .bind(f.field.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO vault_secrets (id, account_id, field, key_id, wrapped_key, ciphertext, reuse_mac, set_at, set_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(f.id)
        .bind(account)
        .bind(f.field.as_str())
        .bind(&f.sealed.key_id)
        .bind(&f.sealed.wrapped_key)
        .bind(&f.sealed.ciphertext)
        .bind(&f.reuse_mac)
        .bind(now)
        .bind(&actor.label)
        .execute(&mut *tx)
        .await?;
    }
    let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    AuditEntry::new("vault.credential.store", subject(account))
        .clause("6.6")
        .after(json!({"fields": names, "key_id": key_id}))
        .record(&mut tx, actor, now)
        .await?;
    // A new password is the change a leaver's or mover's rotation task asks for (9.1): the task
    // closes in this transaction (its own audit event names the outcome).
    if fields.iter().any(|f| f.field == Field::Password) {
        super::social_accounts::credentials_changed(&mut tx, account, actor, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn log_reveal(
    pool: &Pool<DB>,
    account: Uuid,
    field: Field,
    reason: &str,
    limit: Option<RevealLimit>,
    Write { actor, now }: Write<'_>,
) -> Result<RevealLogged> {
    let mut tx = begin_write(pool).await?;
    let mut refused_until = None;
    if let Some(l) = limit {
        // Count and record under a lock, so that reveals in flight at once cannot each see room
        // for one more (PostgreSQL runs them side by side; SQLite's write lock already orders
        // them): the person's row, or for the command line the audit log's head, which this
        // transaction takes anyway to append its event.
        match actor.person_id {
            Some(p) => {
                sqlx::query(&format!("SELECT id FROM people WHERE id = $1{ROW_LOCK}"))
                    .bind(p)
                    .fetch_optional(&mut *tx)
                    .await?;
            }
            None => {
                sqlx::query(LOCK_HEAD).fetch_optional(&mut *tx).await?;
            }
        }
        // The reveals given in the window, oldest first: the next is allowed when the oldest
        // leaves it. A person is counted across their sessions and tokens.
        let since = now - l.window;
        let recent: Vec<OffsetDateTime> = match actor.person_id {
            Some(p) => sqlx::query_scalar(
                "SELECT at FROM vault_reveals WHERE person_id = $1 AND refused = 0 AND at > $2 ORDER BY at LIMIT $3",
            )
            .bind(p),
            None => sqlx::query_scalar(
                "SELECT at FROM vault_reveals WHERE person_id IS NULL AND actor = $1 AND refused = 0 AND at > $2 \
                 ORDER BY at LIMIT $3",
            )
            .bind(&actor.label),
        }
        .bind(since)
        .bind(i64::from(l.max))
        .fetch_all(&mut *tx)
        .await?;
        if recent.len() >= l.max as usize {
            refused_until = Some(recent.first().map_or(now, |t| *t + l.window));
        }
    }
    sqlx::query(
        "INSERT INTO vault_reveals (id, person_id, actor, account_id, field, at, refused) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(Uuid::now_v7())
    .bind(actor.person_id)
    .bind(&actor.label)
    .bind(account)
    .bind(field.as_str())
    .bind(now)
    .bind(i64::from(refused_until.is_some()))
    .execute(&mut *tx)
    .await?;
    let entry = match (refused_until, limit) {
        (Some(_), Some(l)) => AuditEntry::new("vault.credential.reveal_refused", subject(account))
            .clause("6.6")
            .justification(reason.trim())
            .detail(json!({"field": field.as_str(), "why": "reveal limit", "limit": l.max,
                "window_minutes": l.window.whole_minutes()})),
        _ => AuditEntry::new("vault.credential.reveal", subject(account))
            .clause("6.6")
            .justification(reason.trim())
            .detail(json!({"field": field.as_str()})),
    };
    entry.record(&mut tx, actor, now).await?;
    tx.commit().await?;
    Ok(match refused_until {
        Some(until) => RevealLogged::Limited { until },
        None => RevealLogged::Revealed,
    })
}

pub async fn rotate_kek(pool: &Pool<DB>, old: &Kek, new: &Kek, Write { actor, now }: Write<'_>) -> Result<u64> {
    use secrecy::ExposeSecret;
    let mut tx = begin_write(pool).await?;
    let current: Option<String> =
        sqlx::query_scalar("SELECT key_id FROM vault_key WHERE id = 1").fetch_optional(&mut *tx).await?;
    if let Some(k) = &current
        && k != old.id()
    {
        if k == new.id() {
            return Err(StoreError::Conflict(format!("the vault is already sealed under the new key {k}")));
        }
        return Err(StoreError::Conflict(format!(
            "the vault is sealed under key {k}, not under the current key {}: nothing re-wrapped",
            old.id()
        )));
    }
    let rows = sqlx::query("SELECT id, account_id, field, key_id, wrapped_key, ciphertext FROM vault_secrets")
        .fetch_all(&mut *tx)
        .await?;
    let mut n = 0u64;
    for r in rows {
        let id: Uuid = r.try_get("id")?;
        let account: Uuid = r.try_get("account_id")?;
        let field = field_of(&r.try_get::<String, _>("field")?)?;
        let s = Sealed {
            key_id: r.try_get("key_id")?,
            wrapped_key: r.try_get("wrapped_key")?,
            ciphertext: r.try_get("ciphertext")?,
        };
        let re = crypto::rewrap(old, new, account, field, id, &s).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let mac = if field == Field::Password {
            let plain = crypto::open(old, account, field, id, &s).map_err(|e| StoreError::Invalid(e.to_string()))?;
            Some(new.reuse_mac(plain.expose_secret()))
        } else {
            None
        };
        sqlx::query("UPDATE vault_secrets SET key_id = $1, wrapped_key = $2, reuse_mac = $3 WHERE id = $4")
            .bind(&re.key_id)
            .bind(&re.wrapped_key)
            .bind(&mac)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        n += 1;
    }
    if current.is_some() {
        sqlx::query("UPDATE vault_key SET key_id = $1, since = $2 WHERE id = 1")
            .bind(new.id())
            .bind(now)
            .execute(&mut *tx)
            .await?;
    } else {
        sqlx::query("INSERT INTO vault_key (id, key_id, since) VALUES (1, $1, $2)")
            .bind(new.id())
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    AuditEntry::new("vault.key.rotate", "vault")
        .clause("6.6")
        .before(json!({"key_id": old.id()}))
        .after(json!({"key_id": new.id(), "rewrapped": n}))
        .record(&mut tx, actor, now)
        .await?;
    tx.commit().await?;
    Ok(n)
}
