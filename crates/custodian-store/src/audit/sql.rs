//! The audit SQL, written once and compiled for each backend (see `backend.rs`): `DB` and the
//! helpers come from the backend module this file is mounted in.
//!
//! The audit log: appending events (with the head's lock), reading, keys and checkpoints.

use super::{DB, LOCK_HEAD, Tx, begin_read, begin_write};
#[allow(unused_imports)]
use crate::*;
use custodian_domain::audit::EventRecord;
use serde_json::json;
use sqlx::Pool;
use time::OffsetDateTime;
use uuid::Uuid;

pub async fn audit(tx: &mut Tx<'_>, actor: &Actor, now: OffsetDateTime, e: AuditEntry) -> Result<i64> {
    audit_batch(tx, actor, now, vec![e]).await
}

/// [`audit`] written after the entry: `AuditEntry::new(..).clause(..).record(tx, actor, now)`, so a
/// write states its event and nothing else.
pub trait Record {
    async fn record(self, tx: &mut Tx<'_>, actor: &Actor, now: OffsetDateTime) -> Result<i64>;
}

impl Record for AuditEntry {
    async fn record(self, tx: &mut Tx<'_>, actor: &Actor, now: OffsetDateTime) -> Result<i64> {
        audit(tx, actor, now, self).await
    }
}

/// Audit events per INSERT statement (13 parameters each).
const AUDIT_ROWS_PER_STATEMENT: usize = 256;

/// Append events to the audit tree inside `tx`, in order: the head is read and written once and
/// the events go in with multi-row inserts, so a bulk job's thousands of events cost a few
/// statements. Returns the sequence number of the first event.
pub async fn audit_batch(tx: &mut Tx<'_>, actor: &Actor, now: OffsetDateTime, entries: Vec<AuditEntry>) -> Result<i64> {
    let (size, frontier_bytes, prev_chain): (i64, Vec<u8>, Vec<u8>) =
        sqlx::query_as(LOCK_HEAD).fetch_one(&mut **tx).await?;
    if entries.is_empty() {
        return Ok(size);
    }
    let log_head = crate::AuditAppender::from_head(size, &frontier_bytes, &prev_chain)?;
    // The chain stored with the last event (none for an empty log). A missing last event is
    // left for `audit verify` to name as the gap it is.
    let last_chain: Option<Option<Vec<u8>>> = match size {
        0 => Some(None),
        _ => sqlx::query_scalar("SELECT chain FROM audit_events WHERE seq = $1")
            .bind(size - 1)
            .fetch_optional(&mut **tx)
            .await?
            .map(Some),
    };
    if let Some(last) = last_chain {
        log_head.check_last_chain(last.as_deref())?;
    }
    let mut log = log_head;
    let key = match entries.iter().any(|e| e.before.is_some() || e.after.is_some()) {
        true => Some(digest_key(tx, size, now).await?),
        false => None,
    };
    let rows = entries.into_iter().map(|e| log.push(actor, now, e, key.as_ref())).collect::<Result<Vec<_>>>()?;
    for chunk in rows.chunks(AUDIT_ROWS_PER_STATEMENT) {
        let mut q = sqlx::QueryBuilder::<DB>::new(crate::audit::EVENT_INSERT);
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
        q.build().execute(&mut **tx).await?;
    }
    for (block, hash) in &log.completed {
        sqlx::query(crate::audit::SUBTREE_INSERT)
            .bind(block.level as i32)
            .bind(block.index as i64)
            .bind(hash.to_vec())
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query(crate::audit::HEAD_UPDATE)
        .bind(log.size)
        .bind(log.frontier.to_bytes())
        .bind(log.chain.to_vec())
        .execute(&mut **tx)
        .await?;
    Ok(size)
}

/// The key of the audit log's before/after digests (HMAC-SHA256), read inside `tx`. The first
/// transaction that needs it makes it from the operating system's random source and stores it
/// there, so every server and the command line sharing the database use one key; `first_seq` (the
/// log's size then) marks the first event with keyed digests. Callers hold the audit head's lock,
/// which orders two first writers; `ON CONFLICT` keeps the first key whatever happens.
async fn digest_key(tx: &mut Tx<'_>, first_seq: i64, now: OffsetDateTime) -> Result<[u8; 32]> {
    const SELECT: &str = "SELECT digest_key FROM audit_digest_key WHERE id = 1";
    let mut stored: Option<Vec<u8>> = sqlx::query_scalar(SELECT).fetch_optional(&mut **tx).await?;
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
        .await?;
        stored = sqlx::query_scalar(SELECT).fetch_optional(&mut **tx).await?;
    }
    stored
        .and_then(|k| <[u8; 32]>::try_from(k.as_slice()).ok())
        .ok_or_else(|| StoreError::Audit("the audit digest key is missing or not 32 bytes".into()))
}

/// Append many events in one transaction (bulk jobs and benchmarks). Returns the new log size.
pub async fn append_many(pool: &Pool<DB>, Write { actor, now }: Write<'_>, entries: Vec<AuditEntry>) -> Result<u64> {
    let mut tx = begin_write(pool).await?;
    let mut last = 0;
    for e in entries {
        last = audit(&mut tx, actor, now, e).await?;
    }
    tx.commit().await?;
    Ok(last as u64 + 1)
}

/// Record a view of sensitive personal data (WP034 3.3, 5.3: need to know): who, when and why.
pub async fn log_view(pool: &Pool<DB>, Write { actor, now }: Write<'_>, e: AuditEntry) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    audit(&mut tx, actor, now, e).await?;
    Ok(tx.commit().await?)
}

/// A stored audit event (the columns of `AUDIT_COLS`): its record, leaf hash and chain hash.
#[derive(sqlx::FromRow)]
struct EventRow {
    seq: i64,
    id: Uuid,
    at_us: i64,
    actor: String,
    action: String,
    subject: String,
    clause: Option<String>,
    justification: Option<String>,
    before_digest: Option<String>,
    after_digest: Option<String>,
    detail: String,
    leaf_hash: Vec<u8>,
    chain: Vec<u8>,
}

impl EventRow {
    fn into_parts(self) -> (EventRecord, Vec<u8>, Vec<u8>) {
        let rec = EventRecord {
            seq: self.seq as u64,
            id: self.id,
            at_us: self.at_us,
            actor: self.actor,
            action: self.action,
            subject: self.subject,
            clause: self.clause,
            justification: self.justification,
            before_digest: self.before_digest,
            after_digest: self.after_digest,
            detail: self.detail,
        };
        (rec, self.leaf_hash, self.chain)
    }
}

const AUDIT_COLS: &str = "seq, id, at_us, actor, action, subject, clause, justification, before_digest, after_digest, detail, leaf_hash, chain";

/// Stream every stored event in `seq` order to `f` (for verification and proofs).
pub async fn audit_scan<F>(pool: &Pool<DB>, mut f: F) -> Result<()>
where
    F: FnMut(EventRecord, Vec<u8>, Vec<u8>) -> Result<()> + Send,
{
    use futures_util::StreamExt;
    let sql = format!("SELECT {AUDIT_COLS} FROM audit_events ORDER BY seq");
    let mut rows = sqlx::query_as::<_, EventRow>(&sql).fetch(pool);
    while let Some(row) = rows.next().await {
        let (rec, leaf, root) = row?.into_parts();
        f(rec, leaf, root)?;
    }
    Ok(())
}

pub async fn audit_page(
    pool: &Pool<DB>,
    subject: Option<&str>,
    actor: Option<&str>,
    page: i64,
    per_page: i64,
) -> Result<Page<AuditEvent>> {
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE ($1 IS NULL OR subject = $1) AND ($2 IS NULL OR actor = $2)",
    )
    .bind(subject)
    .bind(actor)
    .fetch_one(pool)
    .await?;
    let sql = format!(
        "SELECT {AUDIT_COLS} FROM audit_events WHERE ($1 IS NULL OR subject = $1) AND ($2 IS NULL OR actor = $2) \
         ORDER BY seq DESC LIMIT $3 OFFSET $4"
    );
    let rows: Vec<EventRow> = sqlx::query_as(&sql)
        .bind(subject)
        .bind(actor)
        .bind(per_page)
        .bind((page - 1).max(0).saturating_mul(per_page))
        .fetch_all(pool)
        .await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        // A stored time or detail that does not read is a corrupt event: an error, never shown
        // as the epoch or as null.
        let at = OffsetDateTime::from_unix_timestamp_nanos(r.at_us as i128 * 1000).map_err(|e| {
            StoreError::Internal(format!("the stored at_us of audit event {} is out of range: {e}", r.seq))
        })?;
        let detail = crate::error::stored_json("detail", &r.detail)?;
        items.push(AuditEvent {
            seq: r.seq,
            id: r.id,
            at,
            actor: r.actor,
            action: r.action,
            subject: r.subject,
            clause: r.clause,
            justification: r.justification,
            before_digest: r.before_digest,
            after_digest: r.after_digest,
            detail,
            leaf_hash: hex::encode(r.leaf_hash),
        });
    }
    Ok(Page { items, total, page, per_page })
}

pub async fn audit_seq_of(pool: &Pool<DB>, id: Uuid) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT seq FROM audit_events WHERE id = $1").bind(id).fetch_optional(pool).await?)
}

/// The event with this sequence number and its stored leaf hash.
pub async fn audit_event_at(pool: &Pool<DB>, seq: i64) -> Result<Option<(EventRecord, Vec<u8>)>> {
    let sql = format!("SELECT {AUDIT_COLS} FROM audit_events WHERE seq = $1");
    let row = sqlx::query_as::<_, EventRow>(&sql).bind(seq).fetch_optional(pool).await?;
    Ok(row.map(|r| {
        let (rec, leaf, _) = r.into_parts();
        (rec, leaf)
    }))
}

pub async fn audit_subject_of(pool: &Pool<DB>, id: Uuid) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT subject FROM audit_events WHERE id = $1").bind(id).fetch_optional(pool).await?)
}

const CHECKPOINTS: &str = "SELECT size, note FROM audit_checkpoints ORDER BY size";

/// The latest signed checkpoint alone (the primary key orders them).
pub async fn latest_checkpoint(pool: &Pool<DB>) -> Result<Option<(u64, String)>> {
    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT size, note FROM audit_checkpoints ORDER BY size DESC LIMIT 1")
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|(size, note)| (size as u64, note)))
}

/// The size of the latest checkpoint `sink` accepted (0 if none).
pub async fn published_size(pool: &Pool<DB>, sink: &str) -> Result<i64> {
    let size: Option<i64> = sqlx::query_scalar("SELECT size FROM audit_publications WHERE sink = $1")
        .bind(sink)
        .fetch_optional(pool)
        .await?;
    Ok(size.unwrap_or(0))
}

/// Record that `sink` accepted the checkpoint of `size` (never moving backwards: one statement,
/// whose `WHERE` keeps the larger size when two servers race).
pub async fn mark_published(pool: &Pool<DB>, sink: &str, size: i64, now_us: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_publications (sink, size, published_us) VALUES ($1, $2, $3) \
         ON CONFLICT (sink) DO UPDATE SET size = excluded.size, published_us = excluded.published_us \
         WHERE audit_publications.size < excluded.size",
    )
    .bind(sink)
    .bind(size)
    .bind(now_us)
    .execute(pool)
    .await?;
    Ok(())
}

/// Keep a witness's cosignature of the checkpoint of `size` (the first one a witness gives for a
/// size stays).
pub async fn add_cosignature(pool: &Pool<DB>, size: i64, witness: &str, line: &str, now_us: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_cosignatures (size, witness, line, cosigned_us) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (size, witness) DO NOTHING",
    )
    .bind(size)
    .bind(witness)
    .bind(line)
    .bind(now_us)
    .execute(pool)
    .await?;
    Ok(())
}

/// The cosignature lines kept for the checkpoint of `size`, by witness name.
pub async fn cosignatures(pool: &Pool<DB>, size: i64) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT line FROM audit_cosignatures WHERE size = $1 ORDER BY witness")
        .bind(size)
        .fetch_all(pool)
        .await?)
}

/// The latest checkpoint this server, as a witness, cosigned for `origin`: size and root.
pub async fn witness_state(pool: &Pool<DB>, origin: &str) -> Result<Option<(i64, Vec<u8>)>> {
    Ok(sqlx::query_as("SELECT size, root FROM witness_logs WHERE origin = $1")
        .bind(origin)
        .fetch_optional(pool)
        .await?)
}

/// Move the witness's record of `origin` from `old_size` to (`new_size`, `root`) and log it, in one
/// transaction: the conditional statement moves it only if the record still stands at `old_size`
/// (no row at all for 0), so two requests racing cannot roll it back. False when it did not.
pub async fn witness_advance(
    pool: &Pool<DB>,
    origin: &str,
    old_size: i64,
    new_size: i64,
    root: &[u8],
    Write { actor, now }: Write<'_>,
) -> Result<bool> {
    let mut tx = begin_write(pool).await?;
    let now_us = crate::backend::micros(now);
    let moved = if old_size == 0 {
        sqlx::query(
            "INSERT INTO witness_logs (origin, size, root, updated_us) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (origin) DO NOTHING",
        )
        .bind(origin)
        .bind(new_size)
        .bind(root)
        .bind(now_us)
        .execute(&mut *tx)
        .await?
        .rows_affected()
    } else {
        sqlx::query("UPDATE witness_logs SET size = $3, root = $4, updated_us = $5 WHERE origin = $1 AND size = $2")
            .bind(origin)
            .bind(old_size)
            .bind(new_size)
            .bind(root)
            .bind(now_us)
            .execute(&mut *tx)
            .await?
            .rows_affected()
    };
    if moved == 0 {
        return Ok(false);
    }
    let entry = AuditEntry::new("audit.witness_cosigned", format!("log:{origin}")).clause("3.3").detail(json!({
        "origin": origin, "old_size": old_size, "size": new_size, "root": hex::encode(root),
    }));
    audit(&mut tx, actor, now, entry).await?;
    tx.commit().await?;
    Ok(true)
}

/// Every stored event with `seq < end`, in `seq` order, to `f` (for verification against a head
/// of size `end`).
pub async fn audit_scan_before<F>(pool: &Pool<DB>, end: i64, mut f: F) -> Result<()>
where
    F: FnMut(EventRecord, Vec<u8>, Vec<u8>) -> Result<()> + Send,
{
    use futures_util::StreamExt;
    let sql = format!("SELECT {AUDIT_COLS} FROM audit_events WHERE seq < $1 ORDER BY seq");
    let mut rows = sqlx::query_as::<_, EventRow>(&sql).bind(end).fetch(pool);
    while let Some(row) = rows.next().await {
        let (rec, leaf, root) = row?.into_parts();
        f(rec, leaf, root)?;
    }
    Ok(())
}

/// The log head, the highest stored `seq`, the signed checkpoints and the bound key, read in one
/// transaction (one snapshot), so that writes committed while `audit verify` runs, by this
/// process or another, never make the parts disagree.
pub async fn audit_snapshot(pool: &Pool<DB>) -> Result<AuditSnapshot> {
    let mut tx = begin_read(pool).await?;
    let (size, frontier, chain): (i64, Vec<u8>, Vec<u8>) =
        sqlx::query_as("SELECT size, frontier, chain FROM audit_head WHERE id = 1").fetch_one(&mut *tx).await?;
    let max_seq: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM audit_events").fetch_one(&mut *tx).await?;
    let checkpoints: Vec<(i64, String)> = sqlx::query_as(CHECKPOINTS).fetch_all(&mut *tx).await?;
    let checkpoints = checkpoints.into_iter().map(|(size, note)| (size as u64, note)).collect();
    let checkpoint_events: Vec<(i64, String)> =
        sqlx::query_as("SELECT seq, detail FROM audit_events WHERE action = $1 AND seq < $2 ORDER BY seq")
            .bind(CHECKPOINT_ACTION)
            .bind(size)
            .fetch_all(&mut *tx)
            .await?;
    let checkpoint_events = checkpoint_events.into_iter().map(|(seq, detail)| (seq as u64, detail)).collect();
    let key: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT public_key FROM audit_log_key WHERE id = 1").fetch_optional(&mut *tx).await?;
    tx.rollback().await?;
    Ok(AuditSnapshot { size: size as u64, frontier, chain, max_seq, checkpoints, checkpoint_events, key })
}

/// The log head's size.
/// The leaf hashes of events `start..end`, in order; a missing event is an error naming it.
pub async fn audit_leaf_range(pool: &Pool<DB>, start: i64, end: i64) -> Result<Vec<custodian_domain::audit::Hash>> {
    let rows: Vec<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT seq, leaf_hash FROM audit_events WHERE seq >= $1 AND seq < $2 ORDER BY seq")
            .bind(start)
            .bind(end)
            .fetch_all(pool)
            .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (i, (seq, leaf)) in rows.into_iter().enumerate() {
        if seq != start + i as i64 {
            return Err(StoreError::Audit(format!(
                "event {} is missing (found event {seq}): run `custodian audit verify`",
                start + i as i64
            )));
        }
        out.push(
            <custodian_domain::audit::Hash>::try_from(leaf.as_slice())
                .map_err(|_| StoreError::Audit(format!("event {seq}: stored leaf hash is not 32 bytes")))?,
        );
    }
    if out.len() as i64 != end - start {
        return Err(StoreError::Audit(format!(
            "event {} is missing: run `custodian audit verify`",
            start + out.len() as i64
        )));
    }
    Ok(out)
}

/// The stored hashes of these subtrees (`audit_subtrees`); absent ones are left out.
pub async fn audit_subtree_hashes(
    pool: &Pool<DB>,
    blocks: &[custodian_domain::audit::Block],
) -> Result<Vec<(custodian_domain::audit::Block, Vec<u8>)>> {
    if blocks.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = sqlx::QueryBuilder::<DB>::new("SELECT level, idx, hash FROM audit_subtrees WHERE ");
    for (i, b) in blocks.iter().enumerate() {
        if i > 0 {
            q.push(" OR ");
        }
        q.push("(level = ").push_bind(b.level as i32).push(" AND idx = ").push_bind(b.index as i64).push(")");
    }
    let rows: Vec<(i32, i64, Vec<u8>)> = q.build_query_as().fetch_all(pool).await?;
    Ok(rows
        .into_iter()
        .map(|(level, idx, hash)| (custodian_domain::audit::Block { level: level as u32, index: idx as u64 }, hash))
        .collect())
}

/// Every stored subtree hash (for `audit verify`), by level and index.
pub async fn audit_subtrees_all(pool: &Pool<DB>) -> Result<Vec<(i32, i64, Vec<u8>)>> {
    Ok(sqlx::query_as("SELECT level, idx, hash FROM audit_subtrees ORDER BY level, idx").fetch_all(pool).await?)
}

/// How many subtree hashes are stored.
pub async fn audit_subtree_count(pool: &Pool<DB>) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM audit_subtrees").fetch_one(pool).await?)
}

/// Store subtree hashes computed from the events (the back-fill of a log older than the table);
/// rows already there are kept.
pub async fn audit_subtrees_insert(
    pool: &Pool<DB>,
    rows: &[(custodian_domain::audit::Block, custodian_domain::audit::Hash)],
) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    for chunk in rows.chunks(AUDIT_ROWS_PER_STATEMENT) {
        let mut q = sqlx::QueryBuilder::<DB>::new("INSERT INTO audit_subtrees (level, idx, hash) ");
        q.push_values(chunk, |mut b, (block, hash)| {
            b.push_bind(block.level as i32).push_bind(block.index as i64).push_bind(hash.to_vec());
        });
        q.push(" ON CONFLICT (level, idx) DO NOTHING");
        q.build().execute(&mut *tx).await?;
    }
    Ok(tx.commit().await?)
}

pub async fn audit_size(pool: &Pool<DB>) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT size FROM audit_head WHERE id = 1").fetch_one(pool).await?)
}

/// The key bound to the audit log, if one is.
pub async fn audit_key(pool: &Pool<DB>) -> Result<Option<AuditKey>> {
    let row: Option<(Vec<u8>, String, Option<i64>, OffsetDateTime)> =
        sqlx::query_as("SELECT public_key, how, checkpoint_size, bound_at FROM audit_log_key WHERE id = 1")
            .fetch_optional(pool)
            .await?;
    let Some((bytes, how, checkpoint_size, bound_at)) = row else { return Ok(None) };
    Ok(Some(AuditKey {
        public_key: stored_key(&bytes)?,
        how,
        checkpoint_size: checkpoint_size.map(|n| n as u64),
        bound_at,
    }))
}

fn stored_key(bytes: &[u8]) -> Result<ed25519_dalek::VerifyingKey> {
    <[u8; 32]>::try_from(bytes).ok().and_then(|b| ed25519_dalek::VerifyingKey::from_bytes(&b).ok()).ok_or_else(|| {
        StoreError::Audit(format!(
            "the key stored with the audit log is not an Ed25519 public key ({})",
            hex::encode(bytes)
        ))
    })
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
    sqlx::query(LOCK_HEAD).fetch_one(&mut **tx).await?;
    let bound: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT public_key FROM audit_log_key WHERE id = 1").fetch_optional(&mut **tx).await?;
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
    let latest: Option<(i64, String)> =
        sqlx::query_as("SELECT size, note FROM audit_checkpoints ORDER BY size DESC LIMIT 1")
            .fetch_optional(&mut **tx)
            .await?;
    let binding = match latest {
        None => KeyBinding::Created,
        Some((size, note)) => match custodian_domain::audit::Checkpoint::open(&note, key_name, key) {
            Ok(_) => KeyBinding::Adopted { checkpoint_size: size as u64 },
            Err(e) => {
                return Err(StoreError::Audit(format!(
                    "this audit log has no stored key, and its latest signed checkpoint (size {size}, signed by {}) does not verify under key {} ({e}): refusing to bind a key that did not sign the log's checkpoints",
                    note_signers(&note),
                    describe_key(key)
                )));
            }
        },
    };
    let (how, checkpoint_size) = match binding {
        KeyBinding::Adopted { checkpoint_size } => ("adopted", Some(checkpoint_size as i64)),
        _ => ("created", None),
    };
    sqlx::query(
        "INSERT INTO audit_log_key (id, public_key, how, checkpoint_size, bound_at) VALUES (1, $1, $2, $3, $4)",
    )
    .bind(key.as_bytes().to_vec())
    .bind(how)
    .bind(checkpoint_size)
    .bind(now)
    .execute(&mut **tx)
    .await?;
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
    Write { actor, now }: Write<'_>,
) -> Result<KeyBinding> {
    let mut tx = begin_write(pool).await?;
    let b = bind_key_in(&mut tx, key_name, key, actor, now).await?;
    tx.commit().await?;
    Ok(b)
}

/// The action of the event that records a signed checkpoint (see [`sign_checkpoint`]).
pub const CHECKPOINT_ACTION: &str = "audit.checkpoint";

/// Sign a checkpoint over the log head and store it, in one write transaction: the key must be
/// the log's bound key (a log with none binds it first, as [`bind_key_in`] allows), and the head
/// is read inside the transaction, after every write committed before it.
///
/// The checkpoint over the first `size` events is itself recorded as event `size`
/// (`audit.checkpoint`, with the size, the root, the SHA-256 of the note and the size of the
/// previous checkpoint), in the same transaction, so a stored checkpoint deleted later leaves its
/// event behind, and `audit verify` names it. When nothing but the latest checkpoint's own event
/// was appended since it was signed, nothing is signed and the latest note is returned.
pub async fn sign_checkpoint(
    pool: &Pool<DB>,
    origin: &str,
    key_name: &str,
    key: &ed25519_dalek::SigningKey,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<SignedCheckpoint> {
    use custodian_domain::audit::{Checkpoint, Frontier};
    use sha2::Digest as _;
    let mut tx = begin_write(pool).await?;
    bind_key_in(&mut tx, key_name, &key.verifying_key(), actor, now).await?;
    let (size, frontier, _chain): (i64, Vec<u8>, Vec<u8>) = sqlx::query_as(LOCK_HEAD).fetch_one(&mut *tx).await?;
    let f = Frontier::from_bytes(&frontier).map_err(|e| StoreError::Audit(e.to_string()))?;
    if f.size() != size as u64 {
        return Err(StoreError::Audit("the log head is inconsistent; run `custodian audit verify`".into()));
    }
    let latest: Option<(i64, String)> =
        sqlx::query_as("SELECT size, note FROM audit_checkpoints ORDER BY size DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
    if let Some((latest_size, note)) = &latest {
        let unchanged = if *latest_size == size {
            true
        } else if *latest_size + 1 == size {
            let last: Option<String> = sqlx::query_scalar("SELECT action FROM audit_events WHERE seq = $1")
                .bind(latest_size)
                .fetch_optional(&mut *tx)
                .await?;
            last.as_deref() == Some(CHECKPOINT_ACTION)
        } else {
            false
        };
        if unchanged {
            tx.rollback().await?;
            return Ok(SignedCheckpoint { size: *latest_size as u64, note: note.clone(), new: false });
        }
    }
    let cp = Checkpoint { origin: origin.to_string(), size: size as u64, root: f.root() };
    let note = cp.sign(key_name, key);
    sqlx::query("INSERT INTO audit_checkpoints (size, root, note, created_at) VALUES ($1, $2, $3, $4)")
        .bind(size)
        .bind(cp.root.to_vec())
        .bind(&note)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let e = AuditEntry::new(CHECKPOINT_ACTION, "audit_log").detail(json!({
        "size": size,
        "root": hex::encode(cp.root),
        "note_sha256": hex::encode(sha2::Sha256::digest(note.as_bytes())),
        "previous_size": latest.as_ref().map(|(s, _)| *s),
    }));
    audit(&mut tx, actor, now, e).await?;
    tx.commit().await?;
    Ok(SignedCheckpoint { size: size as u64, note, new: true })
}
