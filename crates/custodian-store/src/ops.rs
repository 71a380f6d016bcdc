// Operations written once and compiled per backend (see lib.rs): `DB` and `LOCK_HEAD` are
// defined by the including module. Each public function takes the pool it needs; every write
// opens one transaction that carries both the change and its audit event.

#[allow(unused_imports)]
use crate::model::*;
use crate::{Result, StoreError};
use custodian_domain::audit::EventRecord;
use custodian_domain::devices::{self, DeviceStatus, DeviceType};
use custodian_domain::findings::{self, FindingStatus, Outcome, Severity};
use custodian_domain::imports::{check_row_rights, DeviceRow, ImportAuthority, IntuneDevice, PersonRow, RowError, StoredRights};
use custodian_domain::people::{PersonKind, PersonStatus, Role};
use serde_json::{json, Value};
use sqlx::{Pool, Row, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

type Tx<'a> = Transaction<'a, DB>;
type DbRow = <DB as sqlx::Database>::Row;

fn db_err(e: sqlx::Error) -> StoreError {
    StoreError::from_sqlx(e)
}

fn micros(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000) as i64
}

// ---------------------------------------------------------------------------------------------
// Audit

/// Append one event to the audit tree inside `tx`. If this fails the caller's change fails too.
/// Returns the event's sequence number.
pub async fn audit(tx: &mut Tx<'_>, actor: &Actor, now: OffsetDateTime, e: AuditEntry) -> Result<i64> {
    audit_batch(tx, actor, now, vec![e]).await
}

/// Audit events per INSERT statement (13 parameters each).
const AUDIT_ROWS_PER_STATEMENT: usize = 256;

/// Append events to the audit tree inside `tx`, in order: the head is read and written once and
/// the events go in with multi-row inserts, so a bulk job's thousands of events cost a few
/// statements. Returns the sequence number of the first event.
pub async fn audit_batch(tx: &mut Tx<'_>, actor: &Actor, now: OffsetDateTime, entries: Vec<AuditEntry>) -> Result<i64> {
    let head = sqlx::query(LOCK_HEAD).fetch_one(&mut **tx).await.map_err(db_err)?;
    let size: i64 = head.try_get("size").map_err(db_err)?;
    if entries.is_empty() {
        return Ok(size);
    }
    let frontier_bytes: Vec<u8> = head.try_get("frontier").map_err(db_err)?;
    let prev_chain: Vec<u8> = head.try_get("chain").map_err(db_err)?;
    let mut log = crate::model::AuditAppender::from_head(size, &frontier_bytes, &prev_chain)?;
    let key = match entries.iter().any(|e| e.before.is_some() || e.after.is_some()) {
        true => Some(digest_key(tx, size, now).await?),
        false => None,
    };
    let rows = entries.into_iter().map(|e| log.push(actor, now, e, key.as_ref())).collect::<Result<Vec<_>>>()?;
    for chunk in rows.chunks(AUDIT_ROWS_PER_STATEMENT) {
        let mut q = sqlx::QueryBuilder::<DB>::new(
            "INSERT INTO audit_events (seq, id, at_us, actor, action, subject, clause, justification, before_digest, \
             after_digest, detail, leaf_hash, chain) ",
        );
        q.push_values(chunk, |mut b, (record, leaf, chain)| {
            b.push_bind(record.seq as i64)
                .push_bind(record.id)
                .push_bind(record.at_us)
                .push_bind(record.actor.clone())
                .push_bind(record.action.clone())
                .push_bind(record.subject.clone())
                .push_bind(record.clause.clone())
                .push_bind(record.justification.clone())
                .push_bind(record.before_digest.clone())
                .push_bind(record.after_digest.clone())
                .push_bind(record.detail.clone())
                .push_bind(leaf.to_vec())
                .push_bind(chain.to_vec());
        });
        q.build().execute(&mut **tx).await.map_err(db_err)?;
    }
    sqlx::query("UPDATE audit_head SET size = $1, frontier = $2, chain = $3 WHERE id = 1")
        .bind(log.size)
        .bind(log.frontier.to_bytes())
        .bind(log.chain.to_vec())
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(size)
}

/// The key of the audit log's before/after digests (HMAC-SHA256), read inside `tx`. The first
/// transaction that needs it makes it from the operating system's random source and stores it
/// there, so every server and the command line sharing the database use one key; `first_seq` (the
/// log's size then) marks the first event with keyed digests. Callers hold the audit head's lock,
/// which orders two first writers; `ON CONFLICT` keeps the first key whatever happens.
async fn digest_key(tx: &mut Tx<'_>, first_seq: i64, now: OffsetDateTime) -> Result<[u8; 32]> {
    const SELECT: &str = "SELECT digest_key FROM audit_digest_key WHERE id = 1";
    let mut stored: Option<Vec<u8>> = sqlx::query_scalar(SELECT).fetch_optional(&mut **tx).await.map_err(db_err)?;
    if stored.is_none() {
        let mut fresh = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut fresh);
        sqlx::query(
            "INSERT INTO audit_digest_key (id, digest_key, first_seq, created_at) VALUES (1, $1, $2, $3) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(fresh.to_vec())
        .bind(first_seq)
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
        stored = sqlx::query_scalar(SELECT).fetch_optional(&mut **tx).await.map_err(db_err)?;
    }
    stored
        .and_then(|k| <[u8; 32]>::try_from(k.as_slice()).ok())
        .ok_or_else(|| StoreError::Audit("the audit digest key is missing or not 32 bytes".into()))
}

/// Append many events in one transaction (bulk jobs and benchmarks). Returns the new log size.
pub async fn append_many(pool: &Pool<DB>, actor: &Actor, now: OffsetDateTime, entries: Vec<AuditEntry>) -> Result<u64> {
    let mut tx = begin_write(pool).await.map_err(db_err)?;
    let mut last = 0;
    for e in entries {
        last = audit(&mut tx, actor, now, e).await?;
    }
    tx.commit().await.map_err(db_err)?;
    Ok(last as u64 + 1)
}

/// Record a view of sensitive personal data (WP034 3.3, 5.3: need to know): who, when and why.
pub async fn log_view(pool: &Pool<DB>, actor: &Actor, now: OffsetDateTime, e: AuditEntry) -> Result<()> {
    let mut tx = begin_write(pool).await.map_err(db_err)?;
    audit(&mut tx, actor, now, e).await?;
    tx.commit().await.map_err(db_err)
}

fn audit_from_row(r: &DbRow) -> Result<(EventRecord, Vec<u8>, Vec<u8>)> {
    let seq: i64 = r.try_get("seq").map_err(db_err)?;
    let rec = EventRecord {
        seq: seq as u64,
        id: r.try_get("id").map_err(db_err)?,
        at_us: r.try_get("at_us").map_err(db_err)?,
        actor: r.try_get("actor").map_err(db_err)?,
        action: r.try_get("action").map_err(db_err)?,
        subject: r.try_get("subject").map_err(db_err)?,
        clause: r.try_get("clause").map_err(db_err)?,
        justification: r.try_get("justification").map_err(db_err)?,
        before_digest: r.try_get("before_digest").map_err(db_err)?,
        after_digest: r.try_get("after_digest").map_err(db_err)?,
        detail: r.try_get("detail").map_err(db_err)?,
    };
    Ok((rec, r.try_get("leaf_hash").map_err(db_err)?, r.try_get("chain").map_err(db_err)?))
}

const AUDIT_COLS: &str =
    "seq, id, at_us, actor, action, subject, clause, justification, before_digest, after_digest, detail, leaf_hash, chain";

/// Stream every stored event in `seq` order to `f` (for verification and proofs).
pub async fn audit_scan<F>(pool: &Pool<DB>, mut f: F) -> Result<()>
where
    F: FnMut(EventRecord, Vec<u8>, Vec<u8>) -> Result<()> + Send,
{
    use futures_util::StreamExt;
    let sql = format!("SELECT {AUDIT_COLS} FROM audit_events ORDER BY seq");
    let mut rows = sqlx::query(&sql).fetch(pool);
    while let Some(row) = rows.next().await {
        let row = row.map_err(db_err)?;
        let (rec, leaf, root) = audit_from_row(&row)?;
        f(rec, leaf, root)?;
    }
    Ok(())
}

pub async fn audit_page(pool: &Pool<DB>, subject: Option<&str>, actor: Option<&str>, page: i64, per_page: i64) -> Result<Page<AuditEvent>> {
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE ($1 IS NULL OR subject = $1) AND ($2 IS NULL OR actor = $2)",
    )
    .bind(subject)
    .bind(actor)
    .fetch_one(pool)
    .await
    .map_err(db_err)?;
    let sql = format!(
        "SELECT {AUDIT_COLS} FROM audit_events WHERE ($1 IS NULL OR subject = $1) AND ($2 IS NULL OR actor = $2) \
         ORDER BY seq DESC LIMIT $3 OFFSET $4"
    );
    let rows = sqlx::query(&sql)
        .bind(subject)
        .bind(actor)
        .bind(per_page)
        .bind((page - 1).max(0).saturating_mul(per_page))
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    let mut items = Vec::with_capacity(rows.len());
    for r in &rows {
        let (rec, leaf, _) = audit_from_row(r)?;
        items.push(AuditEvent {
            seq: rec.seq as i64,
            id: rec.id,
            at: OffsetDateTime::from_unix_timestamp_nanos(rec.at_us as i128 * 1000).unwrap_or(OffsetDateTime::UNIX_EPOCH),
            actor: rec.actor,
            action: rec.action,
            subject: rec.subject,
            clause: rec.clause,
            justification: rec.justification,
            before_digest: rec.before_digest,
            after_digest: rec.after_digest,
            detail: serde_json::from_str(&rec.detail).unwrap_or(Value::Null),
            leaf_hash: hex::encode(leaf),
        });
    }
    Ok(Page { items, total, page, per_page })
}

pub async fn audit_seq_of(pool: &Pool<DB>, id: Uuid) -> Result<Option<i64>> {
    sqlx::query_scalar("SELECT seq FROM audit_events WHERE id = $1").bind(id).fetch_optional(pool).await.map_err(db_err)
}

pub async fn checkpoints(pool: &Pool<DB>) -> Result<Vec<(u64, String)>> {
    let rows = sqlx::query("SELECT size, note FROM audit_checkpoints ORDER BY size").fetch_all(pool).await.map_err(db_err)?;
    rows.iter()
        .map(|r| Ok((r.try_get::<i64, _>("size").map_err(db_err)? as u64, r.try_get("note").map_err(db_err)?)))
        .collect()
}

/// Every stored event with `seq < end`, in `seq` order, to `f` (for verification against a head
/// of size `end`).
pub async fn audit_scan_before<F>(pool: &Pool<DB>, end: i64, mut f: F) -> Result<()>
where
    F: FnMut(EventRecord, Vec<u8>, Vec<u8>) -> Result<()> + Send,
{
    use futures_util::StreamExt;
    let sql = format!("SELECT {AUDIT_COLS} FROM audit_events WHERE seq < $1 ORDER BY seq");
    let mut rows = sqlx::query(&sql).bind(end).fetch(pool);
    while let Some(row) = rows.next().await {
        let row = row.map_err(db_err)?;
        let (rec, leaf, root) = audit_from_row(&row)?;
        f(rec, leaf, root)?;
    }
    Ok(())
}

/// The log head, the highest stored `seq`, the signed checkpoints and the bound key, read in one
/// transaction (one snapshot), so that writes committed while `audit verify` runs, by this
/// process or another, never make the parts disagree.
pub async fn audit_snapshot(pool: &Pool<DB>) -> Result<AuditSnapshot> {
    let mut tx = begin_read(pool).await.map_err(db_err)?;
    let head = sqlx::query("SELECT size, frontier FROM audit_head WHERE id = 1").fetch_one(&mut *tx).await.map_err(db_err)?;
    let size: i64 = head.try_get("size").map_err(db_err)?;
    let frontier: Vec<u8> = head.try_get("frontier").map_err(db_err)?;
    let max_seq: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM audit_events").fetch_one(&mut *tx).await.map_err(db_err)?;
    let checkpoints = sqlx::query("SELECT size, note FROM audit_checkpoints ORDER BY size")
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| Ok((r.try_get::<i64, _>("size").map_err(db_err)? as u64, r.try_get("note").map_err(db_err)?)))
        .collect::<Result<Vec<(u64, String)>>>()?;
    let key: Option<Vec<u8>> = sqlx::query_scalar("SELECT public_key FROM audit_log_key WHERE id = 1")
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
    tx.rollback().await.map_err(db_err)?;
    Ok(AuditSnapshot { size: size as u64, frontier, max_seq, checkpoints, key })
}

/// The key bound to the audit log, if one is.
pub async fn audit_key(pool: &Pool<DB>) -> Result<Option<AuditKey>> {
    let Some(r) = sqlx::query("SELECT public_key, how, checkpoint_size, bound_at FROM audit_log_key WHERE id = 1")
        .fetch_optional(pool)
        .await
        .map_err(db_err)?
    else {
        return Ok(None);
    };
    let bytes: Vec<u8> = r.try_get("public_key").map_err(db_err)?;
    Ok(Some(AuditKey {
        public_key: stored_key(&bytes)?,
        how: r.try_get("how").map_err(db_err)?,
        checkpoint_size: r.try_get::<Option<i64>, _>("checkpoint_size").map_err(db_err)?.map(|n| n as u64),
        bound_at: r.try_get("bound_at").map_err(db_err)?,
    }))
}

fn stored_key(bytes: &[u8]) -> Result<ed25519_dalek::VerifyingKey> {
    <[u8; 32]>::try_from(bytes)
        .ok()
        .and_then(|b| ed25519_dalek::VerifyingKey::from_bytes(&b).ok())
        .ok_or_else(|| StoreError::Audit(format!("the key stored with the audit log is not an Ed25519 public key ({})", hex::encode(bytes))))
}

/// Bind `key` to the audit log inside `tx`, or check it is the bound key. The log head's row is
/// locked first, so binders and signers take turns on every backend. A log with no stored key
/// takes `key` if it has no signed checkpoint (`Created`), or if `key` verifies its latest signed
/// checkpoint (`Adopted`); otherwise, and whenever another key is bound, this refuses. A new
/// binding is audited (`audit.key.bind`) in the same transaction.
async fn bind_key_in(
    tx: &mut Tx<'_>,
    key_name: &str,
    key: &ed25519_dalek::VerifyingKey,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<KeyBinding> {
    sqlx::query(LOCK_HEAD).fetch_one(&mut **tx).await.map_err(db_err)?;
    let bound: Option<Vec<u8>> = sqlx::query_scalar("SELECT public_key FROM audit_log_key WHERE id = 1")
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_err)?;
    if let Some(b) = bound {
        if b.as_slice() == key.as_bytes() {
            return Ok(KeyBinding::AlreadyBound);
        }
        return Err(StoreError::Audit(format!(
            "this audit log is bound to key {}; refusing to use key {} for it",
            describe_key(&stored_key(&b)?),
            describe_key(key)
        )));
    }
    let latest: Option<(i64, String)> = sqlx::query_as("SELECT size, note FROM audit_checkpoints ORDER BY size DESC LIMIT 1")
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_err)?;
    let binding = match latest {
        None => KeyBinding::Created,
        Some((size, note)) => match custodian_domain::audit::Checkpoint::open(&note, key_name, key) {
            Ok(_) => KeyBinding::Adopted { checkpoint_size: size as u64 },
            Err(e) => {
                return Err(StoreError::Audit(format!(
                    "this audit log has no stored key, and its latest signed checkpoint (size {size}, signed by {}) does not verify under key {} ({e}): refusing to bind a key that did not sign the log's checkpoints",
                    note_signers(&note),
                    describe_key(key)
                )))
            }
        },
    };
    let (how, checkpoint_size) = match binding {
        KeyBinding::Adopted { checkpoint_size } => ("adopted", Some(checkpoint_size as i64)),
        _ => ("created", None),
    };
    sqlx::query("INSERT INTO audit_log_key (id, public_key, how, checkpoint_size, bound_at) VALUES (1, $1, $2, $3, $4)")
        .bind(key.as_bytes().to_vec())
        .bind(how)
        .bind(checkpoint_size)
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    let e = AuditEntry::new("audit.key.bind", "audit_log").detail(json!({
        "public_key": hex::encode(key.as_bytes()),
        "fingerprint": key_fingerprint(key),
        "key_name": key_name,
        "how": how,
        "checkpoint_size": checkpoint_size,
    }));
    audit(tx, actor, now, e).await?;
    Ok(binding)
}

/// Bind `key` to the audit log (see [`bind_key_in`]).
pub async fn bind_audit_key(
    pool: &Pool<DB>,
    key_name: &str,
    key: &ed25519_dalek::VerifyingKey,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<KeyBinding> {
    let mut tx = begin_write(pool).await.map_err(db_err)?;
    let b = bind_key_in(&mut tx, key_name, key, actor, now).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(b)
}

/// Sign a checkpoint over the log head and store it, in one write transaction: the key must be
/// the log's bound key (a log with none binds it first, as [`bind_key_in`] allows), and the head
/// is read inside the transaction, after every write committed before it. Returns the note.
pub async fn sign_checkpoint(
    pool: &Pool<DB>,
    origin: &str,
    key_name: &str,
    key: &ed25519_dalek::SigningKey,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<String> {
    use custodian_domain::audit::{Checkpoint, Frontier};
    let mut tx = begin_write(pool).await.map_err(db_err)?;
    bind_key_in(&mut tx, key_name, &key.verifying_key(), actor, now).await?;
    let head = sqlx::query(LOCK_HEAD).fetch_one(&mut *tx).await.map_err(db_err)?;
    let size: i64 = head.try_get("size").map_err(db_err)?;
    let frontier: Vec<u8> = head.try_get("frontier").map_err(db_err)?;
    let f = Frontier::from_bytes(&frontier).map_err(|e| StoreError::Audit(e.to_string()))?;
    if f.size() != size as u64 {
        return Err(StoreError::Audit("the log head is inconsistent; run `custodian audit verify`".into()));
    }
    let cp = Checkpoint { origin: origin.to_string(), size: size as u64, root: f.root() };
    let note = cp.sign(key_name, key);
    sqlx::query("INSERT INTO audit_checkpoints (size, root, note, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (size) DO NOTHING")
        .bind(size)
        .bind(cp.root.to_vec())
        .bind(&note)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    tx.commit().await.map_err(db_err)?;
    Ok(note)
}

// ---------------------------------------------------------------------------------------------
// People

const PERSON_SELECT: &str = "SELECT p.id, p.staff_number, p.name, p.email, p.kind, p.status, p.line_manager_id, \
    p.business_area_id, ba.name AS business_area, ba.head_id, lm.staff_number AS lm_staff, lm.name AS lm_name \
    FROM people p JOIN business_areas ba ON ba.id = p.business_area_id LEFT JOIN people lm ON lm.id = p.line_manager_id";

fn bad(field: &str, v: &str) -> StoreError {
    StoreError::Invalid(format!("stored {field} {v:?} is not recognised"))
}

async fn person_from_row(conn: &mut <DB as sqlx::Database>::Connection, r: &DbRow) -> Result<Person> {
    let id: Uuid = r.try_get("id").map_err(db_err)?;
    let kind: String = r.try_get("kind").map_err(db_err)?;
    let status: String = r.try_get("status").map_err(db_err)?;
    let head: Option<Uuid> = r.try_get("head_id").map_err(db_err)?;
    let roles: Vec<String> = sqlx::query_scalar("SELECT role FROM person_roles WHERE person_id = $1 ORDER BY role")
        .bind(id)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
    let mut roles: Vec<Role> = roles.iter().filter_map(|r| Role::parse(r)).collect();
    roles.sort();
    let phones: Vec<String> = sqlx::query_scalar("SELECT phone FROM personal_phones WHERE person_id = $1 ORDER BY phone")
        .bind(id)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(Person {
        id,
        staff_number: r.try_get("staff_number").map_err(db_err)?,
        name: r.try_get("name").map_err(db_err)?,
        email: r.try_get("email").map_err(db_err)?,
        kind: PersonKind::parse(&kind).ok_or_else(|| bad("kind", &kind))?,
        business_area: r.try_get("business_area").map_err(db_err)?,
        business_area_id: r.try_get("business_area_id").map_err(db_err)?,
        line_manager_id: r.try_get("line_manager_id").map_err(db_err)?,
        line_manager_staff_number: r.try_get("lm_staff").map_err(db_err)?,
        line_manager_name: r.try_get("lm_name").map_err(db_err)?,
        status: PersonStatus::parse(&status).ok_or_else(|| bad("status", &status))?,
        roles,
        personal_phones: phones,
        is_head_of_department: head == Some(id),
    })
}

pub async fn person_by_id(pool: &Pool<DB>, id: Uuid) -> Result<Option<Person>> {
    let sql = format!("{PERSON_SELECT} WHERE p.id = $1");
    match sqlx::query(&sql).bind(id).fetch_optional(pool).await.map_err(db_err)? {
        Some(r) => Ok(Some(person_from_row(&mut *pool.acquire().await.map_err(db_err)?, &r).await?)),
        None => Ok(None),
    }
}

pub async fn person_by_staff_number(pool: &Pool<DB>, sn: &str) -> Result<Option<Person>> {
    let sql = format!("{PERSON_SELECT} WHERE p.staff_number = $1");
    match sqlx::query(&sql).bind(sn.to_ascii_uppercase()).fetch_optional(pool).await.map_err(db_err)? {
        Some(r) => Ok(Some(person_from_row(&mut *pool.acquire().await.map_err(db_err)?, &r).await?)),
        None => Ok(None),
    }
}

pub async fn person_by_email(pool: &Pool<DB>, email: &str) -> Result<Option<Person>> {
    let sql = format!("{PERSON_SELECT} WHERE p.email = $1");
    match sqlx::query(&sql).bind(email.trim().to_ascii_lowercase()).fetch_optional(pool).await.map_err(db_err)? {
        Some(r) => Ok(Some(person_from_row(&mut *pool.acquire().await.map_err(db_err)?, &r).await?)),
        None => Ok(None),
    }
}

fn like(q: &Option<String>) -> Option<String> {
    q.as_ref().map(|s| s.trim()).filter(|s| !s.is_empty()).map(|s| format!("%{}%", s.to_lowercase()))
}

pub async fn people_page(pool: &Pool<DB>, f: &PersonFilter, page: i64, per_page: i64) -> Result<Page<Person>> {
    let q = like(&f.q);
    let status = f.status.map(|s| s.as_str());
    let cond = "WHERE ($1 IS NULL OR lower(p.name) LIKE $1 OR lower(p.staff_number) LIKE $1 OR lower(p.email) LIKE $1) \
                AND ($2 IS NULL OR ba.name = $2) AND ($3 IS NULL OR p.status = $3)";
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM people p JOIN business_areas ba ON ba.id = p.business_area_id {cond}"
    ))
    .bind(&q)
    .bind(&f.business_area)
    .bind(status)
    .fetch_one(pool)
    .await
    .map_err(db_err)?;
    let rows = sqlx::query(&format!("{PERSON_SELECT} {cond} ORDER BY p.name, p.staff_number LIMIT $4 OFFSET $5"))
        .bind(&q)
        .bind(&f.business_area)
        .bind(status)
        .bind(per_page)
        .bind((page - 1).max(0).saturating_mul(per_page))
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    let mut items = Vec::with_capacity(rows.len());
    let mut conn = pool.acquire().await.map_err(db_err)?;
    for r in &rows {
        items.push(person_from_row(&mut conn, r).await?);
    }
    Ok(Page { items, total, page, per_page })
}

pub async fn direct_reports(pool: &Pool<DB>, manager: Uuid) -> Result<Vec<Person>> {
    let rows = sqlx::query(&format!("{PERSON_SELECT} WHERE p.line_manager_id = $1 ORDER BY p.name"))
        .bind(manager)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    let mut items = Vec::with_capacity(rows.len());
    let mut conn = pool.acquire().await.map_err(db_err)?;
    for r in &rows {
        items.push(person_from_row(&mut conn, r).await?);
    }
    Ok(items)
}

pub async fn business_areas(pool: &Pool<DB>) -> Result<Vec<BusinessArea>> {
    let rows = sqlx::query(
        "SELECT ba.id, ba.name, ba.head_id, h.name AS head_name, \
         (SELECT COUNT(*) FROM people p WHERE p.business_area_id = ba.id AND p.status = 'active') AS people \
         FROM business_areas ba LEFT JOIN people h ON h.id = ba.head_id ORDER BY ba.name",
    )
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|r| {
            Ok(BusinessArea {
                id: r.try_get("id").map_err(db_err)?,
                name: r.try_get("name").map_err(db_err)?,
                head_id: r.try_get("head_id").map_err(db_err)?,
                head_name: r.try_get("head_name").map_err(db_err)?,
                people: r.try_get("people").map_err(db_err)?,
            })
        })
        .collect()
}

fn person_snapshot(p: &Person) -> Value {
    json!({
        "staff_number": p.staff_number, "name": p.name, "email": p.email, "kind": p.kind.as_str(),
        "business_area": p.business_area, "line_manager": p.line_manager_staff_number,
        "roles": p.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(), "status": p.status.as_str(),
        "personal_phones": p.personal_phones,
    })
}

fn row_snapshot(r: &PersonRow, roles: &[Role]) -> Value {
    let mut phones = r.personal_phones.clone();
    phones.sort();
    phones.dedup();
    json!({
        "staff_number": r.staff_number.as_str(), "name": r.name, "email": r.email, "kind": r.kind.as_str(),
        "business_area": r.business_area, "line_manager": r.line_manager.as_ref().map(|m| m.as_str().to_string()),
        "roles": roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(), "status": r.status.as_str(),
        "personal_phones": phones,
    })
}

async fn tx_person_by_staff(tx: &mut Tx<'_>, sn: &str) -> Result<Option<Person>> {
    let sql = format!("{PERSON_SELECT} WHERE p.staff_number = $1");
    let row = sqlx::query(&sql).bind(sn).fetch_optional(&mut **tx).await.map_err(db_err)?;
    match row {
        Some(r) => Ok(Some(person_from_row(tx, &r).await?)),
        None => Ok(None),
    }
}

/// Staff numbers that rows refer to as line managers but that are neither in `rows` nor stored.
pub async fn unknown_managers(pool: &Pool<DB>, rows: &[PersonRow]) -> Result<Vec<RowError>> {
    let in_file: std::collections::HashSet<&str> = rows.iter().map(|r| r.staff_number.as_str()).collect();
    let mut errs = Vec::new();
    for r in rows {
        if let Some(m) = &r.line_manager {
            if in_file.contains(m.as_str()) {
                continue;
            }
            let found: Option<Uuid> = sqlx::query_scalar("SELECT id FROM people WHERE staff_number = $1")
                .bind(m.as_str())
                .fetch_optional(pool)
                .await
                .map_err(db_err)?;
            if found.is_none() {
                errs.push(RowError {
                    line: r.line,
                    field: Some("line_manager".into()),
                    message: format!("no person with staff number {m} in the file or the register"),
                });
            }
        }
    }
    Ok(errs)
}

async fn area_id(tx: &mut Tx<'_>, name: &str, now: OffsetDateTime) -> Result<Uuid> {
    if let Some(id) = sqlx::query_scalar::<_, Uuid>("SELECT id FROM business_areas WHERE name = $1")
        .bind(name)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_err)?
    {
        return Ok(id);
    }
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO business_areas (id, name, head_id, created_at) VALUES ($1, $2, NULL, $3)")
        .bind(id)
        .bind(name)
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(id)
}

/// Upsert people by staff number in one transaction (WP034 4.1: devices go to named people).
/// A leaver keeps their record and history. Unchanged rows write nothing.
///
/// Each row is checked inside the transaction against `authority` and what is stored now
/// ([`check_row_rights`]): a change the importer may not make (roles by anyone but an
/// administrator or the system operator, their own roles, line manager or status, ...) rolls
/// the whole import back and the inner `Err` lists every such row with its line and field.
/// Role changes ignored under `ignore_roles` are listed in [`ImportSummary::ignored`]. Changes
/// to roles, line manager and status are each audited as their own event (`person.roles_changed`,
/// `person.line_manager_changed`, `person.status_changed`) with the values before and after.
pub async fn import_people(pool: &Pool<DB>, rows: &[PersonRow], authority: &ImportAuthority, actor: &Actor, now: OffsetDateTime, file_sha256: &str, progress: Progress<'_>) -> Result<std::result::Result<ImportSummary, Vec<RowError>>> {
    let mut tx = begin_write(pool).await.map_err(db_err)?;
    let mut sum = ImportSummary { rows: rows.len(), ..ImportSummary::default() };
    let mut befores: Vec<(Option<Person>, Vec<Role>)> = Vec::with_capacity(rows.len());
    let mut refused: Vec<RowError> = Vec::new();
    // Pass 1: the people themselves.
    for (i, r) in rows.iter().enumerate() {
        progress(i as u64 + 1);
        let before = tx_person_by_staff(&mut tx, r.staff_number.as_str()).await?;
        let rights = check_row_rights(
            authority,
            r,
            before.as_ref().map(|p| StoredRights {
                roles: &p.roles,
                line_manager: p.line_manager_staff_number.as_deref(),
                status: p.status,
                business_area: &p.business_area,
            }),
        );
        sum.ignored.extend(rights.ignored);
        if !rights.errors.is_empty() || !refused.is_empty() {
            // Nothing is written once a row is refused; the rest are only checked.
            refused.extend(rights.errors);
            continue;
        }
        let roles = rights.roles;
        let area = area_id(&mut tx, &r.business_area, now).await?;
        let id = match &before {
            Some(p) => {
                sqlx::query("UPDATE people SET name = $1, email = $2, kind = $3, business_area_id = $4, status = $5, updated_at = $6 WHERE id = $7")
                    .bind(&r.name)
                    .bind(&r.email)
                    .bind(r.kind.as_str())
                    .bind(area)
                    .bind(r.status.as_str())
                    .bind(now)
                    .bind(p.id)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| line_err(r.line, e))?;
                if p.name != r.name {
                    search_sync(&mut tx).await?;
                }
                if r.status == PersonStatus::Leaver {
                    end_leaver_credentials(&mut tx, p.id, r.staff_number.as_str(), actor, now).await?;
                }
                p.id
            }
            None => {
                let id = Uuid::now_v7();
                sqlx::query("INSERT INTO people (id, staff_number, name, email, kind, business_area_id, line_manager_id, status, created_at, updated_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $8)")
                    .bind(id)
                    .bind(r.staff_number.as_str())
                    .bind(&r.name)
                    .bind(&r.email)
                    .bind(r.kind.as_str())
                    .bind(area)
                    .bind(r.status.as_str())
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| line_err(r.line, e))?;
                id
            }
        };
        sqlx::query("DELETE FROM person_roles WHERE person_id = $1").bind(id).execute(&mut *tx).await.map_err(db_err)?;
        for role in &roles {
            sqlx::query("INSERT INTO person_roles (person_id, role) VALUES ($1, $2)")
                .bind(id)
                .bind(role.as_str())
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        sqlx::query("DELETE FROM personal_phones WHERE person_id = $1").bind(id).execute(&mut *tx).await.map_err(db_err)?;
        let mut phones = r.personal_phones.clone();
        phones.sort();
        phones.dedup();
        for ph in &phones {
            sqlx::query("INSERT INTO personal_phones (person_id, phone) VALUES ($1, $2)")
                .bind(id)
                .bind(ph)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        // WP034 4.8b: a head_of_department heads their own business area.
        if roles.contains(&Role::HeadOfDepartment) {
            sqlx::query("UPDATE business_areas SET head_id = $1 WHERE id = $2").bind(id).bind(area).execute(&mut *tx).await.map_err(db_err)?;
        } else {
            sqlx::query("UPDATE business_areas SET head_id = NULL WHERE head_id = $1").bind(id).execute(&mut *tx).await.map_err(db_err)?;
        }
        befores.push((before, roles));
    }
    if !refused.is_empty() {
        // Dropping the transaction rolls back: nothing of the file is written.
        refused.sort_by_key(|e| e.line);
        return Ok(Err(refused));
    }
    // Pass 2: line managers, now that everyone in the file exists.
    for r in rows {
        let mgr: Option<Uuid> = match &r.line_manager {
            Some(m) => Some(
                sqlx::query_scalar("SELECT id FROM people WHERE staff_number = $1")
                    .bind(m.as_str())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?
                    .ok_or_else(|| StoreError::Invalid(format!("line {}: line_manager: no person with staff number {m}", r.line)))?,
            ),
            None => None,
        };
        sqlx::query("UPDATE people SET line_manager_id = $1 WHERE staff_number = $2")
            .bind(mgr)
            .bind(r.staff_number.as_str())
            .execute(&mut *tx)
            .await
            .map_err(|e| line_err(r.line, e))?;
    }
    // Pass 3: audit what changed.
    let names = |roles: &[Role]| roles.iter().map(|r| r.as_str()).collect::<Vec<_>>();
    for (r, (before, roles)) in rows.iter().zip(befores) {
        let after = row_snapshot(r, &roles);
        let subject = format!("person:{}", r.staff_number);
        let (old_roles, old_manager, old_status) = match &before {
            Some(p) => (p.roles.clone(), p.line_manager_staff_number.clone(), Some(p.status)),
            None => (Vec::new(), None, None),
        };
        match before {
            None => {
                sum.created += 1;
                audit(&mut tx, actor, now, AuditEntry::new("person.create", subject.clone()).clause("4.1").after(after)).await?;
            }
            Some(p) => {
                let b = person_snapshot(&p);
                if b == after {
                    sum.unchanged += 1;
                } else {
                    sum.updated += 1;
                    audit(&mut tx, actor, now, AuditEntry::new("person.update", subject.clone()).clause("4.1").before(b).after(after)).await?;
                }
            }
        }
        if roles != old_roles {
            let added: Vec<&str> = roles.iter().filter(|x| !old_roles.contains(x)).map(|x| x.as_str()).collect();
            let removed: Vec<&str> = old_roles.iter().filter(|x| !roles.contains(x)).map(|x| x.as_str()).collect();
            audit(&mut tx, actor, now, AuditEntry::new("person.roles_changed", subject.clone()).clause("4.1").detail(json!({
                "before": names(&old_roles), "after": names(&roles), "added": added, "removed": removed, "by": "import",
            })))
            .await?;
        }
        let new_manager = r.line_manager.as_ref().map(|m| m.as_str().to_string());
        if old_status.is_some() && new_manager != old_manager {
            audit(&mut tx, actor, now, AuditEntry::new("person.line_manager_changed", subject.clone()).clause("4.2").detail(json!({
                "before": old_manager, "after": new_manager, "by": "import",
            })))
            .await?;
        }
        if let Some(old) = old_status.filter(|s| *s != r.status) {
            audit(&mut tx, actor, now, AuditEntry::new("person.status_changed", subject).clause("4.1").detail(json!({
                "before": old.as_str(), "after": r.status.as_str(), "by": "import",
            })))
            .await?;
        }
    }
    if sum.created + sum.updated > 0 {
        audit(&mut tx, actor, now, AuditEntry::new("import.people", "import:people").detail(json!({
            "sha256": file_sha256, "rows": sum.rows, "created": sum.created, "updated": sum.updated, "unchanged": sum.unchanged,
            "roles_ignored": sum.ignored.len(),
        })))
        .await?;
    }
    tx.commit().await.map_err(db_err)?;
    Ok(Ok(sum))
}

fn line_err(line: u64, e: sqlx::Error) -> StoreError {
    match StoreError::from_sqlx(e) {
        StoreError::Conflict(m) => StoreError::Conflict(format!("line {line}: {m}")),
        StoreError::Invalid(m) => StoreError::Invalid(format!("line {line}: {m}")),
        other => other,
    }
}

// ---------------------------------------------------------------------------------------------
// Devices

const DEVICE_SELECT: &str = "SELECT d.id, d.asset_tag, d.device_type, d.make, d.model, d.serial, d.imei, d.phone_number, \
    d.os, d.mdm_id, d.mdm_user, d.mdm_last_sync, d.status, d.holder_id, d.updated_at, h.staff_number AS holder_staff, \
    h.name AS holder_name, h.line_manager_id AS holder_lm, a.receipt_confirmed_at \
    FROM devices d LEFT JOIN people h ON h.id = d.holder_id \
    LEFT JOIN allocations a ON a.device_id = d.id AND a.ended_at IS NULL";

fn device_from_row(r: &DbRow) -> Result<Device> {
    let t: String = r.try_get("device_type").map_err(db_err)?;
    let s: String = r.try_get("status").map_err(db_err)?;
    Ok(Device {
        id: r.try_get("id").map_err(db_err)?,
        asset_tag: r.try_get("asset_tag").map_err(db_err)?,
        device_type: DeviceType::parse(&t).ok_or_else(|| bad("device type", &t))?,
        make: r.try_get("make").map_err(db_err)?,
        model: r.try_get("model").map_err(db_err)?,
        serial: r.try_get("serial").map_err(db_err)?,
        imei: r.try_get("imei").map_err(db_err)?,
        phone_number: r.try_get("phone_number").map_err(db_err)?,
        os: r.try_get("os").map_err(db_err)?,
        mdm_id: r.try_get("mdm_id").map_err(db_err)?,
        mdm_user: r.try_get("mdm_user").map_err(db_err)?,
        mdm_last_sync: r.try_get("mdm_last_sync").map_err(db_err)?,
        status: DeviceStatus::parse(&s).ok_or_else(|| bad("status", &s))?,
        holder_id: r.try_get("holder_id").map_err(db_err)?,
        holder_staff_number: r.try_get("holder_staff").map_err(db_err)?,
        holder_name: r.try_get("holder_name").map_err(db_err)?,
        holder_line_manager_id: r.try_get("holder_lm").map_err(db_err)?,
        receipt_confirmed_at: r.try_get("receipt_confirmed_at").map_err(db_err)?,
        updated_at: r.try_get("updated_at").map_err(db_err)?,
    })
}

fn device_snapshot(d: &Device) -> Value {
    json!({
        "asset_tag": d.asset_tag, "type": d.device_type.as_str(), "make": d.make, "model": d.model,
        "serial": d.serial, "imei": d.imei, "phone_number": d.phone_number, "os": d.os,
        "status": d.status.as_str(), "holder": d.holder_staff_number,
    })
}

pub async fn device_by_id(pool: &Pool<DB>, id: Uuid) -> Result<Option<Device>> {
    let sql = format!("{DEVICE_SELECT} WHERE d.id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(pool).await.map_err(db_err)?.as_ref().map(device_from_row).transpose()
}

pub async fn device_by_asset_tag(pool: &Pool<DB>, tag: &str) -> Result<Option<Device>> {
    let sql = format!("{DEVICE_SELECT} WHERE d.asset_tag = $1");
    sqlx::query(&sql).bind(tag.trim().to_ascii_uppercase()).fetch_optional(pool).await.map_err(db_err)?.as_ref().map(device_from_row).transpose()
}

async fn tx_device(tx: &mut Tx<'_>, id: Uuid) -> Result<Device> {
    let sql = format!("{DEVICE_SELECT} WHERE d.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(&mut **tx).await.map_err(db_err)?;
    row.as_ref().map(device_from_row).transpose()?.ok_or_else(|| StoreError::NotFound(format!("device {id}")))
}

/// One page of devices in asset-tag order. `after` is a keyset cursor (the last asset tag of the
/// previous page); without it, `page` is found by walking the asset-tag index alone (a deferred
/// join), so only the rows shown are joined to holders and allocations. `total` is the count
/// to report when the caller already knows it (an unfiltered list's cached count).
pub async fn devices_list(pool: &Pool<DB>, f: &DeviceFilter, after: Option<&str>, page: i64, per_page: i64, total: Option<i64>) -> Result<Page<Device>> {
    // Only the filters given become SQL conditions, so the planner can use the indexes on
    // status, holder and asset tag (a generic "$1 IS NULL OR ..." form defeats them).
    let q = like(&f.q);
    let mut conds: Vec<String> = Vec::new();
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    if f.status.is_some() {
        conds.push(format!("d.status = {}", next()));
    }
    if f.device_type.is_some() {
        conds.push(format!("d.device_type = {}", next()));
    }
    if f.holder_id.is_some() {
        conds.push(format!("d.holder_id = {}", next()));
    }
    if q.is_some() {
        let p = next();
        conds.push(format!(
            "(lower(d.asset_tag) LIKE {p} OR lower(d.serial) LIKE {p} OR d.imei LIKE {p} OR d.phone_number LIKE {p} \
             OR lower(d.make) LIKE {p} OR lower(d.model) LIKE {p} OR lower(h.name) LIKE {p} OR lower(h.staff_number) LIKE {p})"
        ));
    }
    let cond = if conds.is_empty() { String::new() } else { format!("WHERE {}", conds.join(" AND ")) };
    let join = if q.is_some() { "LEFT JOIN people h ON h.id = d.holder_id" } else { "" };
    let (start, limit, offset) = (next(), next(), next());
    let and = if conds.is_empty() { "WHERE" } else { "AND" };
    // Where the page starts: after the cursor, or the asset tag at the offset, found on the
    // asset-tag index (and the filters) without joining every skipped row.
    let (start_cond, outer_offset) = if after.is_some() {
        (format!("{cond} {and} d.asset_tag > {start}"), format!(" OFFSET {offset}"))
    } else if q.is_some() {
        // A search is narrow already; walking its matches twice would cost more than it saves.
        (format!("{cond} {and} {start} IS NULL"), format!(" OFFSET {offset}"))
    } else {
        let sub = format!(
            "{cond} {and} d.asset_tag >= (SELECT d.asset_tag FROM devices d {join} {cond} {and} {start} IS NULL \
             ORDER BY d.asset_tag LIMIT 1 OFFSET {offset})"
        );
        (sub, String::new())
    };
    macro_rules! bind_filters {
        ($query:expr) => {{
            let mut query = $query;
            if let Some(s) = f.status {
                query = query.bind(s.as_str());
            }
            if let Some(t) = f.device_type {
                query = query.bind(t.as_str());
            }
            if let Some(h) = f.holder_id {
                query = query.bind(h);
            }
            if let Some(q) = &q {
                query = query.bind(q.clone());
            }
            query
        }};
    }
    let total: i64 = match total {
        Some(t) => t,
        None => {
            let count_sql = format!("SELECT COUNT(*) FROM devices d {join} {cond}");
            bind_filters!(sqlx::query_scalar(&count_sql)).fetch_one(pool).await.map_err(db_err)?
        }
    };
    // The offset subquery repeats the filters, so they are bound twice (same numbers in SQL).
    let page_sql = format!("{DEVICE_SELECT} {start_cond} ORDER BY d.asset_tag LIMIT {limit}{outer_offset}");
    let offset_rows = if after.is_some() { 0 } else { (page - 1).max(0).saturating_mul(per_page) };
    let rows = bind_filters!(sqlx::query(&page_sql))
        .bind(after)
        .bind(per_page)
        .bind(offset_rows)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    let items = rows.iter().map(device_from_row).collect::<Result<Vec<_>>>()?;
    Ok(Page { items, total, page, per_page })
}

/// Mark the device search index stale (see `search.rs`), in the same transaction as a write that
/// changes what a search or its filters see: a device's fields, status or holder, or a holder's
/// name. Every server reloads its in-memory copy on its next search.
async fn search_sync(tx: &mut Tx<'_>) -> Result<()> {
    sqlx::query("UPDATE device_search_rev SET rev = rev + 1 WHERE id = 1").execute(&mut **tx).await.map_err(db_err)?;
    Ok(())
}

/// The search index's revision (see [`search_sync`]).
pub async fn device_search_rev(pool: &Pool<DB>) -> Result<i64> {
    sqlx::query_scalar("SELECT rev FROM device_search_rev WHERE id = 1").fetch_one(pool).await.map_err(db_err)
}

/// Every device as the search index holds it, in asset-tag order: id, asset tag, status, type,
/// holder, and the searchable fields (asset tag, serial, IMEI, phone number, make, model,
/// holder's name and staff number).
pub async fn device_search_rows(pool: &Pool<DB>) -> Result<Vec<crate::search::SearchRow>> {
    let rows = sqlx::query(
        "SELECT d.id, d.asset_tag, d.status, d.device_type, d.holder_id, d.serial, d.imei, d.phone_number, d.make, d.model, \
         h.name AS holder_name, h.staff_number AS holder_staff FROM devices d LEFT JOIN people h ON h.id = d.holder_id \
         ORDER BY d.asset_tag",
    )
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|r| {
            let t: String = r.try_get("device_type").map_err(db_err)?;
            let st: String = r.try_get("status").map_err(db_err)?;
            let text = |c: &str| -> Result<String> { Ok(r.try_get::<Option<String>, _>(c).map_err(db_err)?.unwrap_or_default()) };
            Ok(crate::search::SearchRow {
                id: r.try_get("id").map_err(db_err)?,
                asset_tag: r.try_get("asset_tag").map_err(db_err)?,
                status: DeviceStatus::parse(&st).ok_or_else(|| bad("device status", &st))?,
                device_type: DeviceType::parse(&t).ok_or_else(|| bad("device type", &t))?,
                holder_id: r.try_get("holder_id").map_err(db_err)?,
                fields: [
                    text("asset_tag")?,
                    text("serial")?,
                    text("imei")?,
                    text("phone_number")?,
                    text("make")?,
                    text("model")?,
                    text("holder_name")?,
                    text("holder_staff")?,
                ],
            })
        })
        .collect()
}

/// The devices with these ids, in asset-tag order.
pub async fn devices_by_ids(pool: &Pool<DB>, ids: &[Uuid]) -> Result<Vec<Device>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!("{DEVICE_SELECT} WHERE d.id IN ({}) ORDER BY d.asset_tag", marks.join(", "));
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(pool).await.map_err(db_err)?.iter().map(device_from_row).collect()
}

pub async fn device_history(pool: &Pool<DB>, id: Uuid) -> Result<Vec<DeviceEvent>> {
    let rows = sqlx::query(
        "SELECT e.id, e.at, e.actor, e.event, e.from_status, e.to_status, e.reason, e.clause, p.staff_number, p.name \
         FROM device_events e LEFT JOIN people p ON p.id = e.person_id WHERE e.device_id = $1 ORDER BY e.at DESC, e.id DESC",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|r| {
            Ok(DeviceEvent {
                id: r.try_get("id").map_err(db_err)?,
                at: r.try_get("at").map_err(db_err)?,
                actor: r.try_get("actor").map_err(db_err)?,
                event: r.try_get("event").map_err(db_err)?,
                from_status: r.try_get("from_status").map_err(db_err)?,
                to_status: r.try_get("to_status").map_err(db_err)?,
                person_staff_number: r.try_get("staff_number").map_err(db_err)?,
                person_name: r.try_get("name").map_err(db_err)?,
                reason: r.try_get("reason").map_err(db_err)?,
                clause: r.try_get("clause").map_err(db_err)?,
            })
        })
        .collect()
}

pub async fn allocations(pool: &Pool<DB>, device: Uuid) -> Result<Vec<Allocation>> {
    let rows = sqlx::query(
        "SELECT a.id, a.person_id, p.staff_number, p.name, a.allocated_at, a.allocated_by, a.reason, a.receipt_confirmed_at, \
         a.ended_at, a.end_reason FROM allocations a JOIN people p ON p.id = a.person_id WHERE a.device_id = $1 ORDER BY a.allocated_at DESC",
    )
    .bind(device)
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|r| {
            Ok(Allocation {
                id: r.try_get("id").map_err(db_err)?,
                person_id: r.try_get("person_id").map_err(db_err)?,
                staff_number: r.try_get("staff_number").map_err(db_err)?,
                person_name: r.try_get("name").map_err(db_err)?,
                allocated_at: r.try_get("allocated_at").map_err(db_err)?,
                allocated_by: r.try_get("allocated_by").map_err(db_err)?,
                reason: r.try_get("reason").map_err(db_err)?,
                receipt_confirmed_at: r.try_get("receipt_confirmed_at").map_err(db_err)?,
                ended_at: r.try_get("ended_at").map_err(db_err)?,
                end_reason: r.try_get("end_reason").map_err(db_err)?,
            })
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn device_event(tx: &mut Tx<'_>, device: Uuid, now: OffsetDateTime, actor: &Actor, event: &str, from: Option<DeviceStatus>, to: Option<DeviceStatus>, person: Option<Uuid>, reason: &str, clause: &str) -> Result<()> {
    sqlx::query("INSERT INTO device_events (id, device_id, at, actor, event, from_status, to_status, person_id, reason, clause) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(Uuid::now_v7())
        .bind(device)
        .bind(now)
        .bind(&actor.label)
        .bind(event)
        .bind(from.map(|s| s.as_str()))
        .bind(to.map(|s| s.as_str()))
        .bind(person)
        .bind(reason)
        .bind(clause)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

async fn end_allocation(tx: &mut Tx<'_>, device: Uuid, now: OffsetDateTime, actor: &Actor, reason: &str) -> Result<()> {
    sqlx::query("UPDATE allocations SET ended_at = $1, ended_by = $2, end_reason = $3 WHERE device_id = $4 AND ended_at IS NULL")
        .bind(now)
        .bind(&actor.label)
        .bind(reason)
        .bind(device)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

async fn start_allocation(tx: &mut Tx<'_>, device: Uuid, person: Uuid, now: OffsetDateTime, actor: &Actor, reason: &str) -> Result<()> {
    sqlx::query("INSERT INTO allocations (id, device_id, person_id, allocated_at, allocated_by, reason) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(Uuid::now_v7())
        .bind(device)
        .bind(person)
        .bind(now)
        .bind(&actor.label)
        .bind(reason)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

async fn set_status(tx: &mut Tx<'_>, device: Uuid, to: DeviceStatus, holder: Option<Uuid>, now: OffsetDateTime) -> Result<()> {
    sqlx::query("UPDATE devices SET status = $1, holder_id = $2, updated_at = $3 WHERE id = $4")
        .bind(to.as_str())
        .bind(holder)
        .bind(now)
        .bind(device)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    search_sync(tx).await
}

async fn active_person(tx: &mut Tx<'_>, id: Uuid) -> Result<(String, PersonStatus)> {
    let row = sqlx::query("SELECT staff_number, status FROM people WHERE id = $1").bind(id).fetch_optional(&mut **tx).await.map_err(db_err)?;
    let row = row.ok_or_else(|| StoreError::NotFound(format!("person {id}")))?;
    let s: String = row.try_get("status").map_err(db_err)?;
    Ok((row.try_get("staff_number").map_err(db_err)?, PersonStatus::parse(&s).ok_or_else(|| bad("status", &s))?))
}

/// Allocate a device to one named person (WP034 4.1).
pub async fn allocate(pool: &Pool<DB>, device: Uuid, person: Uuid, reason: &str, actor: &Actor, now: OffsetDateTime) -> Result<Device> {
    let mut tx = begin_write(pool).await.map_err(db_err)?;
    let before = tx_device(&mut tx, device).await?;
    devices::check_transition(before.status, DeviceStatus::Allocated, true).map_err(|e| StoreError::Conflict(e.to_string()))?;
    let (_, status) = active_person(&mut tx, person).await?;
    if status != PersonStatus::Active {
        return Err(StoreError::Conflict("devices can only be allocated to active personnel (WP034 4.1)".into()));
    }
    set_status(&mut tx, device, DeviceStatus::Allocated, Some(person), now).await?;
    start_allocation(&mut tx, device, person, now, actor, reason).await?;
    device_event(&mut tx, device, now, actor, "allocated", Some(before.status), Some(DeviceStatus::Allocated), Some(person), reason, "4.1").await?;
    let after = tx_device(&mut tx, device).await?;
    audit(&mut tx, actor, now, AuditEntry::new("device.allocate", format!("device:{}", before.asset_tag)).clause("4.1").justification(reason)
        .before(device_snapshot(&before)).after(device_snapshot(&after))).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(after)
}

/// Move a device to another state: returned, lost, stolen, damaged, in repair, in examination,
/// in stock or retired (WP034 4.7, 5.4). Leaving `allocated` ends the current allocation.
pub async fn transition(pool: &Pool<DB>, device: Uuid, to: DeviceStatus, reason: &str, actor: &Actor, now: OffsetDateTime) -> Result<Device> {
    let mut tx = begin_write(pool).await.map_err(db_err)?;
    let d = tx_transition(&mut tx, device, to, reason, actor, now, "transition").await?;
    tx.commit().await.map_err(db_err)?;
    Ok(d)
}

async fn tx_transition(tx: &mut Tx<'_>, device: Uuid, to: DeviceStatus, reason: &str, actor: &Actor, now: OffsetDateTime, how: &str) -> Result<Device> {
    if reason.trim().is_empty() {
        return Err(StoreError::Invalid("reason: give a reason for the change".into()));
    }
    let before = tx_device(tx, device).await?;
    devices::check_transition(before.status, to, false).map_err(|e| StoreError::Conflict(e.to_string()))?;
    if before.status == DeviceStatus::Allocated {
        end_allocation(tx, device, now, actor, reason).await?;
    }
    set_status(tx, device, to, None, now).await?;
    let clause = devices::clause_for(to);
    device_event(tx, device, now, actor, to.as_str(), Some(before.status), Some(to), before.holder_id, reason, clause).await?;
    let after = tx_device(tx, device).await?;
    audit(tx, actor, now, AuditEntry::new(&format!("device.{how}"), format!("device:{}", before.asset_tag)).clause(clause).justification(reason)
        .before(device_snapshot(&before)).after(device_snapshot(&after))).await?;
    Ok(after)
}

/// The holder confirms receipt, accepting responsibility for the device (WP034 4.1, 4.7).
pub async fn confirm_receipt(pool: &Pool<DB>, device: Uuid, person: Uuid, actor: &Actor, now: OffsetDateTime) -> Result<Device> {
    let mut tx = begin_write(pool).await.map_err(db_err)?;
    let d = tx_device(&mut tx, device).await?;
    if d.holder_id != Some(person) {
        return Err(StoreError::Conflict("only the device's holder can confirm receipt".into()));
    }
    if d.receipt_confirmed_at.is_some() {
        return Err(StoreError::Conflict("receipt is already confirmed".into()));
    }
    sqlx::query("UPDATE allocations SET receipt_confirmed_at = $1 WHERE device_id = $2 AND ended_at IS NULL")
        .bind(now)
        .bind(device)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    let reason = "Holder confirmed receipt and accepted responsibility for the device's use and care";
    device_event(&mut tx, device, now, actor, "receipt_confirmed", None, None, Some(person), reason, "4.7").await?;
    audit(&mut tx, actor, now, AuditEntry::new("device.confirm_receipt", format!("device:{}", d.asset_tag)).clause("4.1")).await?;
    let after = tx_device(&mut tx, device).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(after)
}

/// The holder reports their device lost or stolen (WP034 4.7); Digital Services are alerted by
/// a finding routed to them.
pub async fn report_loss(pool: &Pool<DB>, device: Uuid, person: Uuid, stolen: bool, circumstances: &str, actor: &Actor, now: OffsetDateTime) -> Result<(Device, Uuid)> {
    let mut tx = begin_write(pool).await.map_err(db_err)?;
    let d = tx_device(&mut tx, device).await?;
    if d.holder_id != Some(person) {
        return Err(StoreError::Conflict("only the device's holder can report it lost or stolen".into()));
    }
    let to = if stolen { DeviceStatus::Stolen } else { DeviceStatus::Lost };
    let after = tx_transition(&mut tx, device, to, circumstances, actor, now, "report_loss").await?;
    let f = NewFinding {
        rule: &findings::DEVICE_LOST_OR_STOLEN,
        dedupe_key: format!("{}:{}:{}", findings::DEVICE_LOST_OR_STOLEN.id, device, micros(now)),
        person_id: Some(person),
        device_id: Some(device),
        summary: format!("{} reported {} by {}", d.asset_tag, to.label().to_lowercase(), d.holder_name.clone().unwrap_or_default()),
        evidence: json!({"reported_at": now.unix_timestamp(), "status": to.as_str(), "circumstances": circumstances, "imei": d.imei, "phone_number": d.phone_number}),
        records: vec![format!("device:{}", d.asset_tag)],
    };
    let id = tx_raise(&mut tx, &f, actor, now).await?.unwrap_or_default();
    tx.commit().await.map_err(db_err)?;
    Ok((after, id))
}

/// Upsert devices by asset tag in one transaction. New devices take any status; a stored device
/// may only move by a permitted transition. `allocated_to` re-allocates when it names someone else.
pub async fn import_devices(pool: &Pool<DB>, rows: &[DeviceRow], actor: &Actor, now: OffsetDateTime, file_sha256: &str, progress: Progress<'_>) -> Result<ImportSummary> {
    let mut tx = begin_write(pool).await.map_err(db_err)?;
    let mut sum = ImportSummary { rows: rows.len(), ..ImportSummary::default() };
    for (i, r) in rows.iter().enumerate() {
        progress(i as u64 + 1);
        let holder: Option<Uuid> = match &r.allocated_to {
            Some(sn) => Some(
                sqlx::query_scalar("SELECT id FROM people WHERE staff_number = $1")
                    .bind(sn.as_str())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?
                    .ok_or_else(|| StoreError::Invalid(format!("line {}: allocated_to: no person with staff number {sn}", r.line)))?,
            ),
            None => None,
        };
        let existing: Option<Uuid> = sqlx::query_scalar("SELECT id FROM devices WHERE asset_tag = $1")
            .bind(&r.asset_tag)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
        let reason = "Register import";
        match existing {
            None => {
                let id = Uuid::now_v7();
                sqlx::query("INSERT INTO devices (id, asset_tag, device_type, make, model, serial, imei, phone_number, os, status, holder_id, created_at, updated_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)")
                    .bind(id)
                    .bind(&r.asset_tag)
                    .bind(r.device_type.as_str())
                    .bind(&r.make)
                    .bind(&r.model)
                    .bind(&r.serial)
                    .bind(&r.imei)
                    .bind(&r.phone_number)
                    .bind(&r.os)
                    .bind(r.status.as_str())
                    .bind(holder)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| line_err(r.line, e))?;
                search_sync(&mut tx).await?;
                if let Some(h) = holder {
                    start_allocation(&mut tx, id, h, now, actor, reason).await?;
                }
                device_event(&mut tx, id, now, actor, "registered", None, Some(r.status), holder, reason, "1.2").await?;
                let after = tx_device(&mut tx, id).await?;
                audit(&mut tx, actor, now, AuditEntry::new("device.create", format!("device:{}", r.asset_tag)).clause("1.2").after(device_snapshot(&after))).await?;
                sum.created += 1;
            }
            Some(id) => {
                let before = tx_device(&mut tx, id).await?;
                sqlx::query("UPDATE devices SET device_type = $1, make = $2, model = $3, serial = $4, imei = $5, phone_number = $6, os = $7 WHERE id = $8")
                    .bind(r.device_type.as_str())
                    .bind(&r.make)
                    .bind(&r.model)
                    .bind(&r.serial)
                    .bind(&r.imei)
                    .bind(&r.phone_number)
                    .bind(&r.os)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| line_err(r.line, e))?;
                search_sync(&mut tx).await?;
                let holder_changes = before.holder_id != holder;
                if before.status != r.status || holder_changes {
                    // Moving between two holders goes through "returned" so history shows both.
                    if before.status == DeviceStatus::Allocated && r.status == DeviceStatus::Allocated {
                        end_allocation(&mut tx, id, now, actor, reason).await?;
                        device_event(&mut tx, id, now, actor, "returned", Some(DeviceStatus::Allocated), Some(DeviceStatus::Returned), before.holder_id, reason, "1.2").await?;
                    } else {
                        devices::check_transition(before.status, r.status, holder.is_some())
                            .map_err(|e| StoreError::Invalid(format!("line {}: status: {e}", r.line)))?;
                        if before.status == DeviceStatus::Allocated {
                            end_allocation(&mut tx, id, now, actor, reason).await?;
                        }
                    }
                    set_status(&mut tx, id, r.status, holder, now).await?;
                    if let Some(h) = holder {
                        start_allocation(&mut tx, id, h, now, actor, reason).await?;
                    }
                    device_event(&mut tx, id, now, actor, r.status.as_str(), Some(before.status), Some(r.status), holder.or(before.holder_id), reason, devices::clause_for(r.status)).await?;
                }
                let after = tx_device(&mut tx, id).await?;
                let (b, a) = (device_snapshot(&before), device_snapshot(&after));
                if b == a {
                    sum.unchanged += 1;
                } else {
                    sqlx::query("UPDATE devices SET updated_at = $1 WHERE id = $2").bind(now).bind(id).execute(&mut *tx).await.map_err(db_err)?;
                    audit(&mut tx, actor, now, AuditEntry::new("device.update", format!("device:{}", r.asset_tag)).clause("1.2").before(b).after(a)).await?;
                    sum.updated += 1;
                }
            }
        }
    }
    if sum.created + sum.updated > 0 {
        audit(&mut tx, actor, now, AuditEntry::new("import.devices", "import:devices").detail(json!({
            "sha256": file_sha256, "rows": sum.rows, "created": sum.created, "updated": sum.updated, "unchanged": sum.unchanged
        })))
        .await?;
    }
    tx.commit().await.map_err(db_err)?;
    Ok(sum)
}

/// Register one device (Digital Services, WP034 1.2).
pub async fn create_device(pool: &Pool<DB>, r: &DeviceRow, actor: &Actor, now: OffsetDateTime) -> Result<Device> {
    let exists: Option<Uuid> = sqlx::query_scalar("SELECT id FROM devices WHERE asset_tag = $1").bind(&r.asset_tag).fetch_optional(pool).await.map_err(db_err)?;
    if exists.is_some() {
        return Err(StoreError::Conflict(format!("asset_tag: {} is already registered", r.asset_tag)));
    }
    import_devices(pool, std::slice::from_ref(r), actor, now, "", &no_progress).await?;
    device_by_asset_tag(pool, &r.asset_tag).await?.ok_or_else(|| StoreError::NotFound(r.asset_tag.clone()))
}

/// Apply a Microsoft Intune (Graph managedDevices) export: match devices by MDM id, serial or
/// IMEI, record the MDM facts, and raise a WP034 4.1 finding where the signed-in user is not the
/// allocated holder. Devices the register does not know are reported, not dropped.
pub async fn import_intune(pool: &Pool<DB>, items: &[IntuneDevice], actor: &Actor, now: OffsetDateTime, file_sha256: &str, progress: Progress<'_>) -> Result<ImportSummary> {
    let mut tx = begin_write(pool).await.map_err(db_err)?;
    let mut sum = ImportSummary { rows: items.len(), ..ImportSummary::default() };
    for (i, it) in items.iter().enumerate() {
        progress(i as u64 + 1);
        let id: Option<Uuid> = sqlx::query_scalar(
            "SELECT id FROM devices WHERE mdm_id = $1 OR ($2 IS NOT NULL AND serial = $2) OR ($3 IS NOT NULL AND imei = $3) \
             ORDER BY CASE WHEN mdm_id = $1 THEN 0 ELSE 1 END LIMIT 1",
        )
        .bind(&it.id)
        .bind(&it.serial_number)
        .bind(&it.imei)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        let Some(id) = id else {
            sum.unmatched.push(RowError {
                line: it.index as u64 + 1,
                field: None,
                message: format!("device {} ({}) matches no registered device by id, serial or IMEI", it.id, it.device_name.clone().unwrap_or_default()),
            });
            continue;
        };
        let before = tx_device(&mut tx, id).await?;
        let os = match (&it.operating_system, &it.os_version) {
            (Some(o), Some(v)) => Some(format!("{o} {v}")),
            (Some(o), None) => Some(o.clone()),
            _ => before.os.clone(),
        };
        let changed = before.mdm_id.as_deref() != Some(it.id.as_str()) || before.mdm_user != it.user_principal_name || before.mdm_last_sync != it.last_sync || before.os != os;
        if changed {
            sqlx::query("UPDATE devices SET mdm_id = $1, mdm_user = $2, mdm_last_sync = $3, os = $4, updated_at = $5 WHERE id = $6")
                .bind(&it.id)
                .bind(&it.user_principal_name)
                .bind(it.last_sync)
                .bind(&os)
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(|e| line_err(it.index as u64 + 1, e))?;
            audit(&mut tx, actor, now, AuditEntry::new("device.mdm_sync", format!("device:{}", before.asset_tag)).clause("1.2")
                .detail(json!({"mdm_id": it.id, "user_principal_name": it.user_principal_name, "os": os}))).await?;
            sum.updated += 1;
        } else {
            sum.unchanged += 1;
        }
        // WP034 4.1: whoever uses a force device must do so with their own credentials.
        if let (Some(upn), Some(holder)) = (&it.user_principal_name, before.holder_id) {
            let holder_email: String = sqlx::query_scalar("SELECT email FROM people WHERE id = $1").bind(holder).fetch_one(&mut *tx).await.map_err(db_err)?;
            if !upn.eq_ignore_ascii_case(&holder_email) {
                let signed_in: Option<String> = sqlx::query_scalar("SELECT staff_number FROM people WHERE email = $1").bind(upn).fetch_optional(&mut *tx).await.map_err(db_err)?;
                let f = NewFinding {
                    rule: &findings::DEVICE_USER_MISMATCH,
                    dedupe_key: format!("{}:{}:{}:{}", findings::DEVICE_USER_MISMATCH.id, id, holder, upn),
                    person_id: Some(holder),
                    device_id: Some(id),
                    summary: format!("{} is allocated to {} but signed in to Intune as {upn}", before.asset_tag, before.holder_name.clone().unwrap_or_default()),
                    evidence: json!({
                        "source": "intune", "intune_device_id": it.id, "device_name": it.device_name,
                        "user_principal_name": upn, "signed_in_staff_number": signed_in,
                        "holder_email": holder_email, "holder_staff_number": before.holder_staff_number,
                        "last_sync": it.last_sync.and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok()),
                    }),
                    records: vec![format!("intune:{}", it.id)],
                };
                if tx_raise(&mut tx, &f, actor, now).await?.is_some() {
                    sum.findings_opened += 1;
                }
            }
        }
    }
    audit(&mut tx, actor, now, AuditEntry::new("import.intune", "import:intune").detail(json!({
        "sha256": file_sha256, "rows": sum.rows, "updated": sum.updated, "unchanged": sum.unchanged,
        "unmatched": sum.unmatched.len(), "findings_opened": sum.findings_opened
    }))).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(sum)
}

// ---------------------------------------------------------------------------------------------
// Findings

/// Raise a finding unless one with the same dedupe key exists. Returns the new id.
async fn tx_raise(tx: &mut Tx<'_>, f: &NewFinding, actor: &Actor, now: OffsetDateTime) -> Result<Option<Uuid>> {
    let id = Uuid::now_v7();
    let res = sqlx::query(
        "INSERT INTO findings (id, rule, clause, dedupe_key, person_id, device_id, summary, evidence, records, severity, status, opened_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', $11, $11) ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(id)
    .bind(f.rule.id)
    .bind(f.rule.clause)
    .bind(&f.dedupe_key)
    .bind(f.person_id)
    .bind(f.device_id)
    .bind(&f.summary)
    .bind(f.evidence.to_string())
    .bind(serde_json::to_string(&f.records).unwrap_or_else(|_| "[]".into()))
    .bind(f.rule.severity.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    if res.rows_affected() == 0 {
        return Ok(None);
    }
    audit(tx, actor, now, AuditEntry::new("finding.open", format!("finding:{id}")).clause(f.rule.clause)
        .after(json!({"rule": f.rule.id, "summary": f.summary, "records": f.records}))).await?;
    Ok(Some(id))
}

pub async fn raise(pool: &Pool<DB>, f: &NewFinding, actor: &Actor, now: OffsetDateTime) -> Result<Option<Uuid>> {
    let mut tx = begin_write(pool).await.map_err(db_err)?;
    let id = tx_raise(&mut tx, f, actor, now).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(id)
}

const FINDING_SELECT: &str = "SELECT f.id, f.rule, f.clause, f.person_id, p.staff_number, p.name AS person_name, \
    p.line_manager_id AS person_lm, f.device_id, d.asset_tag, f.summary, f.evidence, f.records, f.severity, f.status, f.outcome, \
    f.reviewer_id, f.reasons, f.opened_at, f.updated_at, f.closed_at \
    FROM findings f LEFT JOIN people p ON p.id = f.person_id LEFT JOIN devices d ON d.id = f.device_id";

fn finding_from_row(r: &DbRow) -> Result<Finding> {
    let sev: String = r.try_get("severity").map_err(db_err)?;
    let st: String = r.try_get("status").map_err(db_err)?;
    let outcome: Option<String> = r.try_get("outcome").map_err(db_err)?;
    let evidence: String = r.try_get("evidence").map_err(db_err)?;
    let records: String = r.try_get("records").map_err(db_err)?;
    Ok(Finding {
        id: r.try_get("id").map_err(db_err)?,
        rule: r.try_get("rule").map_err(db_err)?,
        clause: r.try_get("clause").map_err(db_err)?,
        person_id: r.try_get("person_id").map_err(db_err)?,
        person_staff_number: r.try_get("staff_number").map_err(db_err)?,
        person_name: r.try_get("person_name").map_err(db_err)?,
        person_line_manager_id: r.try_get("person_lm").map_err(db_err)?,
        device_id: r.try_get("device_id").map_err(db_err)?,
        device_asset_tag: r.try_get("asset_tag").map_err(db_err)?,
        summary: r.try_get("summary").map_err(db_err)?,
        evidence: serde_json::from_str(&evidence).unwrap_or(Value::Null),
        records: serde_json::from_str(&records).unwrap_or_default(),
        severity: Severity::parse(&sev).ok_or_else(|| bad("severity", &sev))?,
        status: FindingStatus::parse(&st).ok_or_else(|| bad("status", &st))?,
        outcome: outcome.as_deref().and_then(Outcome::parse),
        reviewer_id: r.try_get("reviewer_id").map_err(db_err)?,
        reasons: r.try_get("reasons").map_err(db_err)?,
        opened_at: r.try_get("opened_at").map_err(db_err)?,
        updated_at: r.try_get("updated_at").map_err(db_err)?,
        closed_at: r.try_get("closed_at").map_err(db_err)?,
    })
}

pub async fn finding_by_id(pool: &Pool<DB>, id: Uuid) -> Result<Option<Finding>> {
    let sql = format!("{FINDING_SELECT} WHERE f.id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(pool).await.map_err(db_err)?.as_ref().map(finding_from_row).transpose()
}

pub async fn findings_page(pool: &Pool<DB>, f: &FindingFilter, page: i64, per_page: i64) -> Result<Page<Finding>> {
    let (vis_all, vis_person) = match &f.visible_to {
        None => (true, None),
        Some(v) => (v.all, Some(v.person_id)),
    };
    let cond = "WHERE ($1 IS NULL OR f.status = $1) AND ($2 IS NULL OR f.rule = $2) AND ($3 IS NULL OR f.person_id = $3) \
        AND ($4 IS NULL OR f.device_id = $4) AND ($5 = 1 OR f.person_id = $6 OR p.line_manager_id = $6)";
    let status = f.status.map(|s| s.as_str());
    let all: i64 = if vis_all { 1 } else { 0 };
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM findings f LEFT JOIN people p ON p.id = f.person_id {cond}"))
        .bind(status)
        .bind(&f.rule)
        .bind(f.person_id)
        .bind(f.device_id)
        .bind(all)
        .bind(vis_person)
        .fetch_one(pool)
        .await
        .map_err(db_err)?;
    let rows = sqlx::query(&format!("{FINDING_SELECT} {cond} ORDER BY f.opened_at DESC, f.id DESC LIMIT $7 OFFSET $8"))
        .bind(status)
        .bind(&f.rule)
        .bind(f.person_id)
        .bind(f.device_id)
        .bind(all)
        .bind(vis_person)
        .bind(per_page)
        .bind((page - 1).max(0).saturating_mul(per_page))
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    let items = rows.iter().map(finding_from_row).collect::<Result<Vec<_>>>()?;
    Ok(Page { items, total, page, per_page })
}

/// Stream all findings in opening order (for `custodian findings export`).
pub async fn findings_scan<F>(pool: &Pool<DB>, mut f: F) -> Result<()>
where
    F: FnMut(Finding) -> Result<()> + Send,
{
    use futures_util::StreamExt;
    let sql = format!("{FINDING_SELECT} ORDER BY f.opened_at, f.id");
    let mut rows = sqlx::query(&sql).fetch(pool);
    while let Some(row) = rows.next().await {
        f(finding_from_row(&row.map_err(db_err)?)?)?;
    }
    Ok(())
}

/// A reviewer moves a finding on (WP034 4.10: people decide, case by case).
#[allow(clippy::too_many_arguments)]
pub async fn review_finding(pool: &Pool<DB>, id: Uuid, to: FindingStatus, outcome: Option<Outcome>, reasons: Option<&str>, reviewer: Uuid, actor: &Actor, now: OffsetDateTime) -> Result<Finding> {
    let mut tx = begin_write(pool).await.map_err(db_err)?;
    // The status is checked on what this read sees, so take the audit head's lock (which every
    // audited write takes) first: reviewers at the same moment take turns, and a finding is
    // closed once (PostgreSQL; SQLite's write transaction holds the write lock from its start).
    sqlx::query(LOCK_HEAD).fetch_one(&mut *tx).await.map_err(db_err)?;
    let sql = format!("{FINDING_SELECT} WHERE f.id = $1");
    let before = sqlx::query(&sql).bind(id).fetch_optional(&mut *tx).await.map_err(db_err)?.as_ref().map(finding_from_row).transpose()?
        .ok_or_else(|| StoreError::NotFound(format!("finding {id}")))?;
    findings::check_review(before.status, to, reasons, before.person_id == Some(reviewer)).map_err(|e| StoreError::Conflict(e.to_string()))?;
    if to == FindingStatus::Closed && outcome.is_none() {
        return Err(StoreError::Invalid("outcome: choose an outcome to close the finding".into()));
    }
    let outcome = if to == FindingStatus::Closed { outcome } else { None };
    let closed_at = if to == FindingStatus::Closed { Some(now) } else { None };
    sqlx::query("UPDATE findings SET status = $1, outcome = $2, reasons = $3, reviewer_id = $4, updated_at = $5, closed_at = $6 WHERE id = $7")
        .bind(to.as_str())
        .bind(outcome.map(|o| o.as_str()))
        .bind(reasons)
        .bind(reviewer)
        .bind(now)
        .bind(closed_at)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    audit(&mut tx, actor, now, AuditEntry::new("finding.review", format!("finding:{id}")).clause("4.10")
        .justification(reasons.unwrap_or(""))
        .before(json!({"status": before.status.as_str(), "outcome": before.outcome.map(|o| o.as_str())}))
        .after(json!({"status": to.as_str(), "outcome": outcome.map(|o| o.as_str())}))).await?;
    let after = sqlx::query(&sql).bind(id).fetch_one(&mut *tx).await.map_err(db_err)?;
    let after = finding_from_row(&after)?;
    tx.commit().await.map_err(db_err)?;
    Ok(after)
}

// ---------------------------------------------------------------------------------------------
// Accounts, sessions and API tokens

pub async fn set_password_hash(pool: &Pool<DB>, person: Uuid, hash: &str, actor: &Actor, now: OffsetDateTime) -> Result<()> {
    let mut tx = begin_write(pool).await.map_err(db_err)?;
    let (sn, _) = active_person(&mut tx, person).await?;
    sqlx::query("INSERT INTO accounts (person_id, password_hash, updated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (person_id) DO UPDATE SET password_hash = excluded.password_hash, updated_at = excluded.updated_at")
        .bind(person)
        .bind(hash)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    audit(&mut tx, actor, now, AuditEntry::new("account.set_password", format!("person:{sn}")).clause("9.1")).await?;
    tx.commit().await.map_err(db_err)
}

/// A leaver's credentials end with their employment (WP034 9.1), in the caller's transaction:
/// every API token of theirs is revoked and every session ended, so none works again even if
/// they return. Audited when anything was still live.
async fn end_leaver_credentials(tx: &mut Tx<'_>, person: Uuid, staff_number: &str, actor: &Actor, now: OffsetDateTime) -> Result<()> {
    let revoked: Vec<Uuid> = sqlx::query_scalar("UPDATE api_tokens SET revoked_at = $1 WHERE person_id = $2 AND revoked_at IS NULL RETURNING id")
        .bind(now)
        .bind(person)
        .fetch_all(&mut **tx)
        .await
        .map_err(db_err)?;
    let ended = sqlx::query("DELETE FROM sessions WHERE person_id = $1").bind(person).execute(&mut **tx).await.map_err(db_err)?.rows_affected();
    if !revoked.is_empty() || ended > 0 {
        audit(tx, actor, now, AuditEntry::new("account.leaver_credentials", format!("person:{staff_number}")).clause("9.1")
            .detail(json!({"tokens_revoked": revoked, "sessions_ended": ended}))).await?;
    }
    Ok(())
}

/// A person changes their own password: the new hash replaces the old, and every other session
/// of theirs ends (a password change is how someone locks out whoever else may be signed in).
pub async fn change_password(pool: &Pool<DB>, person: Uuid, hash: &str, keep_session: Option<&str>, actor: &Actor, now: OffsetDateTime) -> Result<u64> {
    let mut tx = begin_write(pool).await.map_err(db_err)?;
    let (sn, _) = active_person(&mut tx, person).await?;
    sqlx::query("UPDATE accounts SET password_hash = $2, updated_at = $3 WHERE person_id = $1")
        .bind(person)
        .bind(hash)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    let ended = sqlx::query("DELETE FROM sessions WHERE person_id = $1 AND token_hash <> $2")
        .bind(person)
        .bind(keep_session.unwrap_or(""))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?
        .rows_affected();
    audit(
        &mut tx,
        actor,
        now,
        AuditEntry::new("account.change_password", format!("person:{sn}")).clause("9.1").detail(json!({ "other_sessions_ended": ended })),
    )
    .await?;
    tx.commit().await.map_err(db_err)?;
    Ok(ended)
}

pub async fn password_hash(pool: &Pool<DB>, person: Uuid) -> Result<Option<String>> {
    sqlx::query_scalar("SELECT password_hash FROM accounts WHERE person_id = $1").bind(person).fetch_optional(pool).await.map_err(db_err)
}

/// Grant a role (the system operator's `custodian user grant-role`). Nobody grants a role to
/// themselves. Audited as `person.roles_changed` with the roles before and after.
pub async fn grant_role(pool: &Pool<DB>, person: Uuid, role: Role, actor: &Actor, now: OffsetDateTime) -> Result<()> {
    if actor.person_id == Some(person) {
        return Err(StoreError::Invalid("roles: nobody changes their own roles (separation of duties): another administrator must".into()));
    }
    let mut tx = begin_write(pool).await.map_err(db_err)?;
    let (sn, _) = active_person(&mut tx, person).await?;
    let before: Vec<String> = sqlx::query_scalar("SELECT role FROM person_roles WHERE person_id = $1 ORDER BY role")
        .bind(person)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
    if before.iter().any(|r| r == role.as_str()) {
        return Ok(());
    }
    sqlx::query("INSERT INTO person_roles (person_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(person)
        .bind(role.as_str())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    let mut after = before.clone();
    after.push(role.as_str().to_string());
    after.sort();
    audit(&mut tx, actor, now, AuditEntry::new("person.roles_changed", format!("person:{sn}")).clause("4.1").detail(json!({
        "before": before, "after": after, "added": [role.as_str()], "removed": [], "by": "grant_role",
    })))
    .await?;
    tx.commit().await.map_err(db_err)
}

pub async fn create_session(pool: &Pool<DB>, token_hash: &str, person: Uuid, csrf: &str, now: OffsetDateTime, expires: OffsetDateTime, actor: &Actor) -> Result<()> {
    let mut tx = begin_write(pool).await.map_err(db_err)?;
    sqlx::query("INSERT INTO sessions (token_hash, person_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $4, $5)")
        .bind(token_hash)
        .bind(person)
        .bind(csrf)
        .bind(now)
        .bind(expires)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    audit(&mut tx, actor, now, AuditEntry::new("session.sign_in", actor.label.clone())).await?;
    tx.commit().await.map_err(db_err)
}

pub async fn session(pool: &Pool<DB>, token_hash: &str) -> Result<Option<SessionRecord>> {
    let r = sqlx::query("SELECT person_id, csrf_token, created_at, last_seen_at, expires_at FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    r.map(|r| {
        Ok(SessionRecord {
            person_id: r.try_get("person_id").map_err(db_err)?,
            csrf_token: r.try_get("csrf_token").map_err(db_err)?,
            created_at: r.try_get("created_at").map_err(db_err)?,
            last_seen_at: r.try_get("last_seen_at").map_err(db_err)?,
            expires_at: r.try_get("expires_at").map_err(db_err)?,
        })
    })
    .transpose()
}

pub async fn touch_session(pool: &Pool<DB>, token_hash: &str, now: OffsetDateTime) -> Result<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2").bind(now).bind(token_hash).execute(pool).await.map_err(db_err)?;
    Ok(())
}

pub async fn delete_session(pool: &Pool<DB>, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(pool).await.map_err(db_err)?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub async fn create_token(pool: &Pool<DB>, person: Uuid, name: &str, token_hash: &str, scopes: &[String], expires: OffsetDateTime, actor: &Actor, now: OffsetDateTime) -> Result<Uuid> {
    let mut tx = begin_write(pool).await.map_err(db_err)?;
    let (sn, status) = active_person(&mut tx, person).await?;
    if status != PersonStatus::Active {
        return Err(StoreError::Invalid(format!("person: {sn} has left the force; no API token is issued to a leaver (WP034 9.1)")));
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
        .await
        .map_err(db_err)?;
    audit(&mut tx, actor, now, AuditEntry::new("token.create", format!("token:{id}")).detail(json!({"person": sn, "name": name, "scopes": scopes}))).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(id)
}

fn token_from_row(r: &DbRow) -> Result<ApiToken> {
    let scopes: String = r.try_get("scopes").map_err(db_err)?;
    Ok(ApiToken {
        id: r.try_get("id").map_err(db_err)?,
        person_id: r.try_get("person_id").map_err(db_err)?,
        name: r.try_get("name").map_err(db_err)?,
        scopes: scopes.split_whitespace().map(str::to_string).collect(),
        created_at: r.try_get("created_at").map_err(db_err)?,
        expires_at: r.try_get("expires_at").map_err(db_err)?,
        revoked_at: r.try_get("revoked_at").map_err(db_err)?,
    })
}

pub async fn token_by_hash(pool: &Pool<DB>, token_hash: &str) -> Result<Option<ApiToken>> {
    sqlx::query("SELECT id, person_id, name, scopes, created_at, expires_at, revoked_at FROM api_tokens WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(token_from_row)
        .transpose()
}

pub async fn tokens(pool: &Pool<DB>) -> Result<Vec<ApiToken>> {
    let rows = sqlx::query("SELECT id, person_id, name, scopes, created_at, expires_at, revoked_at FROM api_tokens ORDER BY created_at DESC")
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    rows.iter().map(token_from_row).collect()
}

pub async fn revoke_token(pool: &Pool<DB>, id: Uuid, actor: &Actor, now: OffsetDateTime) -> Result<()> {
    let mut tx = begin_write(pool).await.map_err(db_err)?;
    let n = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound(format!("active token {id}")));
    }
    audit(&mut tx, actor, now, AuditEntry::new("token.revoke", format!("token:{id}"))).await?;
    tx.commit().await.map_err(db_err)
}

// ---------------------------------------------------------------------------------------------
// Dashboards

async fn grouped(pool: &Pool<DB>, sql: &str) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query(sql).fetch_all(pool).await.map_err(db_err)?;
    rows.iter().map(|r| Ok((r.try_get::<String, _>(0).map_err(db_err)?, r.try_get::<i64, _>(1).map_err(db_err)?))).collect()
}

pub async fn counts(pool: &Pool<DB>, holder: Option<Uuid>) -> Result<Counts> {
    Ok(Counts {
        devices_by_status: grouped(pool, "SELECT status, COUNT(*) FROM devices GROUP BY status ORDER BY status").await?,
        devices_by_type: grouped(pool, "SELECT device_type, COUNT(*) FROM devices GROUP BY device_type ORDER BY device_type").await?,
        findings_by_status: grouped(pool, "SELECT status, COUNT(*) FROM findings GROUP BY status ORDER BY status").await?,
        findings_open_by_rule: grouped(pool, "SELECT rule, COUNT(*) FROM findings WHERE status <> 'closed' GROUP BY rule ORDER BY rule").await?,
        people_active: sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE status = 'active'").fetch_one(pool).await.map_err(db_err)?,
        awaiting_receipt: sqlx::query_scalar("SELECT COUNT(*) FROM allocations WHERE ended_at IS NULL AND receipt_confirmed_at IS NULL AND ($1 IS NULL OR person_id = $1)")
            .bind(holder)
            .fetch_one(pool)
            .await
            .map_err(db_err)?,
        audit_events: sqlx::query_scalar("SELECT size FROM audit_head WHERE id = 1").fetch_one(pool).await.map_err(db_err)?,
    })
}

/// The token with this hash and its holder's current status, in one query (bearer sign-in).
pub async fn token_and_holder_status(pool: &Pool<DB>, token_hash: &str) -> Result<Option<(ApiToken, PersonStatus)>> {
    let r = sqlx::query(
        "SELECT t.id, t.person_id, t.name, t.scopes, t.created_at, t.expires_at, t.revoked_at, p.status AS person_status \
         FROM api_tokens t JOIN people p ON p.id = t.person_id WHERE t.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await
    .map_err(db_err)?;
    let Some(r) = r else { return Ok(None) };
    let s: String = r.try_get("person_status").map_err(db_err)?;
    Ok(Some((token_from_row(&r)?, PersonStatus::parse(&s).ok_or_else(|| bad("status", &s))?)))
}

/// How many devices there are (the unfiltered list's total).
pub async fn device_count(pool: &Pool<DB>) -> Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM devices").fetch_one(pool).await.map_err(db_err)
}
