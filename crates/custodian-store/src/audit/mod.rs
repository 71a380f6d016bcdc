//! The audit log: who did what, and when (WP034: nothing is lost or hidden). Its records, the
//! appender that turns an entry into the stored record, and the public methods of [`Store`]
//! that read, verify, prove and sign the log.

use crate::audit_read::describe;
use crate::{Db, Page, Result, Store, StoreError};
use custodian_domain::audit::{self as tree, Checkpoint, Hash, Verifier};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

/// What `audit verify` found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct VerifyReport {
    pub events: u64,
    pub root: String,
    pub checkpoints_checked: usize,
    /// Checkpoints kept outside the database (`audit verify --against`) found consistent with
    /// the log.
    pub saved_checked: usize,
    /// Perfect subtrees of the log whose hash is not (yet) stored in `audit_subtrees`: proofs
    /// over them read the events instead, so they are slower, not wrong. The checkpoint job fills
    /// them in.
    pub subtrees_missing: u64,
    /// The first problem found, naming the event; None when the log is intact.
    pub problem: Option<String>,
}

/// A signed checkpoint kept outside the database (a file from a checkpoint sink, a note an
/// auditor saved): `label` names it in messages (e.g. its path), `note` is its text.
#[derive(Debug, Clone)]
pub struct SavedCheckpoint {
    pub label: String,
    pub note: String,
}

/// What [`Store::audit_checkpoint`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    /// The tree size the note is signed for.
    pub size: u64,
    /// The C2SP signed note.
    pub note: String,
    /// False when the log had not grown since the latest checkpoint (then `note` is that one).
    pub new: bool,
}

/// An RFC 6962 / RFC 9162 (section 2.1.4) consistency proof, as `custodian audit consistency`
/// prints it: hashes in lowercase hex.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ConsistencyProof {
    pub old_size: u64,
    pub new_size: u64,
    pub old_root: String,
    pub new_root: String,
    pub proof: Vec<String>,
}

impl Store {
    // Audit ------------------------------------------------------------------------------------

    pub async fn log_view(&self, w: Write<'_>, e: AuditEntry) -> Result<()> {
        on_write!(self, audit::log_view(w, e))
    }

    /// Append events in one transaction; returns the log size after them.
    pub async fn append_audit(&self, w: Write<'_>, entries: Vec<AuditEntry>) -> Result<u64> {
        on_write!(self, audit::append_many(w, entries))
    }

    /// Stream every stored event in order with its stored leaf hash and root.
    pub async fn audit_scan_events<F>(&self, f: F) -> Result<()>
    where
        F: FnMut(tree::EventRecord, Vec<u8>, Vec<u8>) -> Result<()> + Send,
    {
        on_read_once!(self, audit::audit_scan(f))
    }

    pub async fn audit_page(
        &self,
        subject: Option<&str>,
        actor: Option<&str>,
        page: i64,
        per_page: i64,
    ) -> Result<Page<AuditEvent>> {
        on_read!(self, audit::audit_page(subject, actor, page, per_page))
    }

    /// Recompute every leaf and tree head, and check every signed checkpoint against the
    /// recomputed tree. Names the first bad event.
    ///
    /// The head, the checkpoints and the bound key are read in one snapshot, and the events
    /// checked are those below that head, so events appended meanwhile (by this process or
    /// another) are simply not part of this check; events stored beyond the head in the snapshot
    /// are reported, as the log's own writers never store one without moving the head.
    pub async fn audit_verify(&self, key_name: &str, key: &ed25519_dalek::VerifyingKey) -> Result<VerifyReport> {
        self.audit_verify_against(key_name, key, &[]).await
    }

    /// [`Store::audit_verify`], then each checkpoint kept outside the database: its signature by
    /// `key` (and its origin), then an RFC 9162 consistency proof from its size to the verified
    /// log, checked against its root. A checkpoint larger than the log means events were removed
    /// since it was signed; a proof that does not verify means events it covers were rewritten,
    /// however carefully the hashes and checkpoints in the database were made to match.
    pub async fn audit_verify_against(
        &self,
        key_name: &str,
        key: &ed25519_dalek::VerifyingKey,
        saved: &[SavedCheckpoint],
    ) -> Result<VerifyReport> {
        let mut r = self.audit_verify_log(key_name, key).await?;
        if r.problem.is_some() {
            return Ok(r);
        }
        let current_root = <Hash>::try_from(hex::decode(&r.root).unwrap_or_default().as_slice())
            .map_err(|_| StoreError::Internal("the recomputed root is not 32 bytes".into()))?;
        for s in saved {
            let cp = match Checkpoint::open(&s.note, key_name, key) {
                Ok(cp) => cp,
                Err(e) => {
                    r.problem = Some(format!(
                        "saved checkpoint {}: {e} (this log's key is {}; the note is signed by {})",
                        s.label,
                        describe_key(key),
                        note_signers(&s.note)
                    ));
                    break;
                }
            };
            if cp.origin != self.origin {
                r.problem =
                    Some(format!("saved checkpoint {} is for the log {:?}, not {:?}", s.label, cp.origin, self.origin));
                break;
            }
            if cp.size > r.events {
                r.problem = Some(format!(
                    "saved checkpoint {} covers {} events but the log holds only {}: events were removed since it was signed",
                    s.label, cp.size, r.events
                ));
                break;
            }
            let ranges = tree::consistency_ranges(cp.size, r.events).map_err(|e| StoreError::Audit(e.to_string()))?;
            let proof = self.range_hashes(&ranges).await?;
            if !tree::verify_consistency(cp.size, r.events, &cp.root, &current_root, &proof) {
                r.problem = Some(format!(
                    "saved checkpoint {} (size {}) is not consistent with the current log of {} events: events 0 to {} were rewritten since it was signed",
                    s.label,
                    cp.size,
                    r.events,
                    cp.size.saturating_sub(1)
                ));
                break;
            }
            r.saved_checked += 1;
        }
        Ok(r)
    }

    async fn audit_verify_log(&self, key_name: &str, key: &ed25519_dalek::VerifyingKey) -> Result<VerifyReport> {
        let snap = on_read!(self, audit::audit_snapshot())?;
        let sizes: Vec<u64> = snap.checkpoints.iter().map(|(s, _)| *s).collect();
        let mut verifier = Verifier::new(&sizes);
        let mut problem: Option<String> = None;
        let end =
            i64::try_from(snap.size).map_err(|_| StoreError::Audit("the log head's size is out of range".into()))?;
        if let Db::Sqlite { path, .. } = &self.db
            && path.is_file()
        {
            // The fast path: rusqlite readers on every core (see audit_read.rs).
            let path = path.clone();
            let (v, found) = tokio::task::spawn_blocking(move || {
                let found = crate::audit_read::verify_sqlite(&path, &mut verifier, end);
                (verifier, found)
            })
            .await
            .map_err(|e| StoreError::Audit(format!("the verifier stopped: {e}")))?;
            verifier = v;
            problem = found?;
        } else {
            self.audit_verify_scan(end, &mut verifier, &mut problem).await?;
        }
        let size = snap.size;
        let mut report = self.audit_verify_finish(key_name, key, snap, &verifier, problem)?;
        if report.problem.is_none() {
            let stored = on_read!(self, audit::audit_subtrees_all())?;
            let (missing, problem) = subtrees_problem(size, verifier.subtrees(), &stored);
            report.subtrees_missing = missing;
            report.problem = problem;
        }
        Ok(report)
    }

    async fn audit_verify_scan(&self, end: i64, verifier: &mut Verifier, problem: &mut Option<String>) -> Result<()> {
        on_read_once!(
            self,
            audit::audit_scan_before(end, |rec, leaf, chain| {
                if problem.is_some() {
                    return Ok(());
                }
                let (Ok(leaf), Ok(chain)) = (<Hash>::try_from(leaf.as_slice()), <Hash>::try_from(chain.as_slice()))
                else {
                    *problem = Some(format!("event {}: stored hashes are not 32 bytes", rec.seq));
                    return Ok(());
                };
                if let Err(t) = verifier.feed(&rec, &leaf, &chain) {
                    *problem = Some(describe(&t, &rec));
                }
                Ok(())
            })
        )
    }

    fn audit_verify_finish(
        &self,
        key_name: &str,
        key: &ed25519_dalek::VerifyingKey,
        snap: crate::AuditSnapshot,
        verifier: &Verifier,
        mut problem: Option<String>,
    ) -> Result<VerifyReport> {
        let head_size = snap.size;
        if problem.is_none()
            && let Some(max) = snap.max_seq
            && max >= 0
            && max as u64 >= head_size
        {
            problem = Some(format!(
                "the log head says {head_size} events but {} are stored (events were deleted or added)",
                max as u64 + 1
            ));
        }
        if problem.is_none() && head_size != verifier.size() {
            problem = Some(format!(
                "the log head says {head_size} events but {} are stored (events were deleted or added)",
                verifier.size()
            ));
        }
        if problem.is_none() {
            match tree::Frontier::from_bytes(&snap.frontier) {
                Ok(f) if f.root() == verifier.root() => {}
                _ => problem = Some("the stored log head does not match the recomputed tree".into()),
            }
        }
        if problem.is_none() && snap.chain.as_slice() != verifier.chain().as_slice() {
            problem = Some(format!(
                "the log head's chain value {} does not match the chain {} recomputed over events 0 to {} (the log head was changed)",
                hex::encode(&snap.chain),
                hex::encode(verifier.chain()),
                verifier.size().saturating_sub(1)
            ));
        }
        if problem.is_none()
            && let Some(bound) = &snap.key
            && bound.as_slice() != key.as_bytes()
        {
            let stored = <[u8; 32]>::try_from(bound.as_slice())
                .ok()
                .and_then(|b| ed25519_dalek::VerifyingKey::from_bytes(&b).ok())
                .map_or_else(|| format!("unreadable stored key {}", hex::encode(bound)), |k| describe_key(&k));
            problem = Some(format!(
                "the key stored with the log is {stored}, not the signing key {} (the stored key was changed, or the key file is not this log's)",
                describe_key(key)
            ));
        }
        let mut checked = 0;
        let mut last_good = 0u64;
        for (size, note) in &snap.checkpoints {
            if problem.is_some() {
                break;
            }
            match Checkpoint::open(note, key_name, key) {
                Err(e) => problem = Some(format!("checkpoint at size {size}: {e}")),
                Ok(cp) if cp.size != *size => {
                    problem = Some(format!("checkpoint stored at size {size} is signed for size {}", cp.size))
                }
                Ok(cp) => match verifier.root_at(cp.size) {
                    Some(root) if root == cp.root => {
                        checked += 1;
                        last_good = cp.size;
                    }
                    Some(_) => {
                        problem = Some(format!(
                            "an event between {} and {} was altered: the log no longer matches the signed checkpoint at size {} (its hashes were recomputed after the change)",
                            last_good,
                            cp.size - 1,
                            cp.size
                        ))
                    }
                    None => {
                        problem = Some(format!(
                            "signed checkpoint at size {} but only {} events are stored",
                            cp.size,
                            verifier.size()
                        ))
                    }
                },
            }
        }
        if problem.is_none() {
            problem = checkpoint_events_problem(&snap.checkpoints, &snap.checkpoint_events);
        }
        Ok(VerifyReport {
            events: verifier.size(),
            root: hex::encode(verifier.root()),
            checkpoints_checked: checked,
            saved_checked: 0,
            subtrees_missing: 0,
            problem,
        })
    }

    /// Sign a checkpoint over the current head and store it, with its `audit.checkpoint` event.
    /// Returns the note (the latest one, not new, when the log has not grown since). The key must
    /// be the one bound to the log (a log with none binds it first: see [`Store::bind_audit_key`]);
    /// any other key is refused.
    pub async fn audit_checkpoint(
        &self,
        key_name: &str,
        key: &ed25519_dalek::SigningKey,
        now: OffsetDateTime,
    ) -> Result<SignedCheckpoint> {
        let origin = self.origin.clone();
        let system = Actor::system();
        on_write!(self, audit::sign_checkpoint(origin.as_str(), key_name, key, &system, now))
    }

    /// The key bound to the audit log, if any.
    pub async fn audit_key(&self) -> Result<Option<AuditKey>> {
        on_read!(self, audit::audit_key())
    }

    /// Bind `key` to the audit log, or check that it is the log's key. A log with no stored key
    /// takes it if the log has no signed checkpoint (`Created`) or if it verifies the latest one
    /// (`Adopted`, for logs created before keys were stored with them). Refused when another key is
    /// bound, or when the key did not sign the latest checkpoint. A new binding is audited
    /// (`audit.key.bind`, with the public key) in the same transaction.
    pub async fn bind_audit_key(
        &self,
        key_name: &str,
        key: &ed25519_dalek::VerifyingKey,
        w: Write<'_>,
    ) -> Result<KeyBinding> {
        on_write!(self, audit::bind_audit_key(key_name, key, w))
    }

    /// The latest signed checkpoint, if any.
    pub async fn latest_checkpoint(&self) -> Result<Option<(u64, String)>> {
        on_read!(self, audit::latest_checkpoint())
    }

    /// The size of the latest checkpoint a sink outside the database accepted (0 if none); see
    /// [`Store::mark_published`].
    pub async fn published_size(&self, sink: &str) -> Result<u64> {
        Ok(on_read!(self, audit::published_size(sink))?.max(0) as u64)
    }

    /// Record that a sink outside the database accepted the checkpoint of `size`, for every
    /// server on the database (so none sends it again). Operational state: no audit event.
    pub async fn mark_published(&self, sink: &str, size: u64, now: OffsetDateTime) -> Result<()> {
        let (size, now) = (size as i64, crate::backend::micros(now));
        on_write!(self, audit::mark_published(sink, size, now))
    }

    /// Keep a witness's cosignature line for the checkpoint of `size` (C2SP tlog-cosignature).
    pub async fn add_cosignature(&self, size: u64, witness: &str, line: &str, now: OffsetDateTime) -> Result<()> {
        let (size, now) = (size as i64, crate::backend::micros(now));
        on_write!(self, audit::add_cosignature(size, witness, line, now))
    }

    /// The witnesses' cosignature lines kept for the checkpoint of `size`.
    pub async fn cosignatures(&self, size: u64) -> Result<Vec<String>> {
        on_read!(self, audit::cosignatures(size as i64))
    }

    /// As a witness: the latest checkpoint cosigned for the log `origin` (size and root).
    pub async fn witness_state(&self, origin: &str) -> Result<Option<(u64, Hash)>> {
        let Some((size, root)) = on_read!(self, audit::witness_state(origin))? else { return Ok(None) };
        let root = <Hash>::try_from(root.as_slice())
            .map_err(|_| StoreError::Internal(format!("witness_logs.root of {origin:?} is not 32 bytes")))?;
        Ok(Some((size.max(0) as u64, root)))
    }

    /// As a witness: move the record of `origin` from `old_size` to `new_size` with `root`, audited
    /// `audit.witness_cosigned`, only if it still stands at `old_size`; false otherwise (another
    /// request moved it first: answer 409 with the size it now has).
    pub async fn witness_advance(
        &self,
        origin: &str,
        old_size: u64,
        new_size: u64,
        root: &Hash,
        w: Write<'_>,
    ) -> Result<bool> {
        let (old, new, root) = (old_size as i64, new_size as i64, root.to_vec());
        on_write!(self, audit::witness_advance(origin, old, new, root.as_slice(), w))
    }

    /// The size of the log (its head).
    pub async fn audit_size(&self) -> Result<u64> {
        Ok(on_read!(self, audit::audit_size())? as u64)
    }

    /// An RFC 9162 consistency proof between the tree of the first `old_size` events and the tree
    /// of the first `new_size` (the current size when None), computed from the stored leaf hashes.
    /// A size beyond the log, or an old size above the new one, is refused naming it.
    pub async fn audit_consistency(&self, old_size: u64, new_size: Option<u64>) -> Result<ConsistencyProof> {
        let size = self.audit_size().await?;
        let new_size = new_size.unwrap_or(size);
        if new_size > size {
            return Err(StoreError::Invalid(format!("new_size {new_size} is beyond the log's {size} events")));
        }
        if old_size > new_size {
            return Err(StoreError::Invalid(format!("old_size {old_size} is larger than new_size {new_size}")));
        }
        let mut ranges = tree::consistency_ranges(old_size, new_size).map_err(|e| StoreError::Audit(e.to_string()))?;
        let proof_len = ranges.len();
        ranges.push((0, old_size));
        ranges.push((0, new_size));
        let mut hashes = self.range_hashes(&ranges).await?;
        let new_root = hashes.pop().unwrap_or_else(tree::empty_root);
        let old_root = hashes.pop().unwrap_or_else(tree::empty_root);
        debug_assert_eq!(hashes.len(), proof_len);
        Ok(ConsistencyProof {
            old_size,
            new_size,
            old_root: hex::encode(old_root),
            new_root: hex::encode(new_root),
            proof: hashes.iter().map(hex::encode).collect(),
        })
    }

    /// The Merkle Tree Hash of each range of leaves (an empty range: the empty tree's root), from
    /// the stored subtree hashes where there are some and the events' leaf hashes otherwise (see
    /// `custodian_domain::audit::subtrees`): a proof over ten million events reads a few dozen
    /// rows. Every range must lie within the log.
    async fn range_hashes(&self, ranges: &[tree::Range]) -> Result<Vec<Hash>> {
        use std::collections::{BTreeSet, HashMap};
        let blocks: BTreeSet<tree::Block> = ranges.iter().flat_map(|r| tree::blocks_of(*r)).collect();
        let wanted: Vec<tree::Block> = blocks.iter().filter(|b| b.is_stored()).copied().collect();
        let mut known: HashMap<tree::Block, Hash> = HashMap::with_capacity(blocks.len());
        for chunk in wanted.chunks(128) {
            for (b, h) in on_read!(self, audit::audit_subtree_hashes(chunk))? {
                let h = <Hash>::try_from(h.as_slice()).map_err(|_| {
                    StoreError::Audit(format!(
                        "the stored hash of audit subtree {}/{} is not 32 bytes",
                        b.level, b.index
                    ))
                })?;
                known.insert(b, h);
            }
        }
        // The rest from their leaves, reading each run of leaves once (blocks nest or touch).
        let mut spans: Vec<(u64, u64)> =
            blocks.iter().filter(|b| !known.contains_key(b)).map(|b| (b.start(), b.end())).collect();
        spans.sort_unstable();
        let mut merged: Vec<(u64, u64)> = Vec::new();
        for (a, b) in spans {
            match merged.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        for (a, b) in merged {
            let (start, end) = (to_i64(a)?, to_i64(b)?);
            let leaves = on_read!(self, audit::audit_leaf_range(start, end))?;
            let inside: Vec<tree::Block> =
                blocks.iter().filter(|x| x.start() >= a && x.end() <= b && !known.contains_key(x)).copied().collect();
            for block in inside {
                let slice = &leaves[(block.start() - a) as usize..(block.end() - a) as usize];
                known.insert(block, tree::block_from_leaves(slice));
            }
        }
        ranges
            .iter()
            .map(|r| {
                let hashes: Vec<Hash> = tree::blocks_of(*r).iter().map(|b| known[b]).collect();
                Ok(tree::fold_blocks(&hashes).unwrap_or_else(tree::empty_root))
            })
            .collect()
    }

    /// Store the hash of every perfect subtree of the log that `audit_subtrees` lacks (a log
    /// written before the table existed), computed from the events in runs of 65,536. Returns
    /// how many were added; a log with none missing costs two queries. Safe to run from several
    /// servers at once: rows already there are kept.
    pub async fn audit_index_subtrees(&self) -> Result<u64> {
        let size = self.audit_size().await?;
        let expected: u64 = (tree::STORED_LEVEL..64).map(|level| size >> level).sum();
        let stored = on_read!(self, audit::audit_subtree_count())? as u64;
        if stored >= expected {
            return Ok(0);
        }
        const RUN: u64 = 1 << 16;
        let mut frontier = tree::Frontier::new();
        let mut found: Vec<(tree::Block, Hash)> = Vec::new();
        let mut at = 0;
        while at < size {
            let end = (at + RUN).min(size);
            let (from, to) = (to_i64(at)?, to_i64(end)?);
            for leaf in on_read!(self, audit::audit_leaf_range(from, to))? {
                frontier.push_reporting(leaf, |level, index, hash| {
                    if level >= tree::STORED_LEVEL {
                        found.push((tree::Block { level, index }, *hash));
                    }
                });
            }
            at = end;
        }
        let before = stored;
        for chunk in found.chunks(4096) {
            on_write_once!(self, audit::audit_subtrees_insert(chunk))?;
        }
        let after = on_read!(self, audit::audit_subtree_count())? as u64;
        Ok(after.saturating_sub(before))
    }

    /// The subject of the audit event with this id (to let a person see the proof of an event
    /// about themselves).
    pub async fn audit_event_subject(&self, id: Uuid) -> Result<Option<String>> {
        on_read!(self, audit::audit_subject_of(id))
    }

    /// An RFC 6962 inclusion proof for the event with this id, against the current tree.
    pub async fn audit_prove(&self, id: Uuid) -> Result<InclusionProof> {
        let seq = on_read!(self, audit::audit_seq_of(id))?
            .ok_or_else(|| StoreError::NotFound(format!("audit event {id}")))?;
        let size = self.audit_size().await?;
        let event = on_read!(self, audit::audit_event_at(seq))?
            .ok_or_else(|| StoreError::NotFound(format!("audit event {id}")))?;
        let (record, leaf) = event;
        let leaf = <Hash>::try_from(leaf.as_slice())
            .map_err(|_| StoreError::Audit(format!("event {seq}: stored leaf hash is not 32 bytes")))?;
        let mut ranges = tree::inclusion_ranges(seq as u64, size).map_err(|e| StoreError::Audit(e.to_string()))?;
        ranges.push((0, size));
        let mut hashes = self.range_hashes(&ranges).await?;
        let root = hashes.pop().unwrap_or_else(tree::empty_root);
        Ok(InclusionProof {
            event_id: id,
            index: seq as u64,
            tree_size: size,
            leaf_hash: hex::encode(leaf),
            root: hex::encode(root),
            proof: hashes.iter().map(hex::encode).collect(),
            canonical_event: hex::encode(tree::canonical_bytes(&record)),
        })
    }
}

fn to_i64(n: u64) -> Result<i64> {
    i64::try_from(n).map_err(|_| StoreError::Audit(format!("log position {n} is out of range")))
}

/// Compare the stored subtree hashes with those recomputed from the events of a log of `size`
/// events: how many the store lacks, and the first stored one that disagrees. Rows for subtrees
/// past `size` were written after the snapshot verified and are left for the next run.
fn subtrees_problem(
    size: u64,
    recomputed: &[(tree::Block, Hash)],
    stored: &[(i32, i64, Vec<u8>)],
) -> (u64, Option<String>) {
    use std::collections::HashMap;
    let want: HashMap<tree::Block, &Hash> = recomputed.iter().map(|(b, h)| (*b, h)).collect();
    let mut present = 0u64;
    for (level, idx, hash) in stored {
        let (Ok(level), Ok(index)) = (u32::try_from(*level), u64::try_from(*idx)) else {
            return (0, Some(format!("audit_subtrees holds an impossible position {level}/{idx}")));
        };
        let block = tree::Block { level, index };
        if !(tree::STORED_LEVEL..=62).contains(&level) {
            return (0, Some(format!("audit_subtrees holds an impossible level {level}")));
        }
        if block.end() > size {
            continue;
        }
        match want.get(&block) {
            Some(h) if h.as_slice() == hash.as_slice() => present += 1,
            _ => {
                return (
                    0,
                    Some(format!(
                        "the stored hash of events {} to {} (audit_subtrees level {level}, index {index}) does not match the events: proofs served from it would not verify",
                        block.start(),
                        block.end() - 1
                    )),
                );
            }
        }
    }
    ((want.len() as u64).saturating_sub(present), None)
}

/// An inclusion proof as `custodian audit prove` prints it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InclusionProof {
    pub event_id: Uuid,
    pub index: u64,
    pub tree_size: u64,
    pub leaf_hash: String,
    pub root: String,
    pub proof: Vec<String>,
    /// The canonical bytes of the event (hex): anyone can recompute the leaf hash from them.
    pub canonical_event: String,
}

/// Who writes and when: the actor a write is recorded as (in the audit log and the rows it
/// stamps) and the time it is recorded at. Made with [`Actor::at`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Write<'a> {
    pub actor: &'a Actor,
    pub now: OffsetDateTime,
}

/// Who did something: a person signed in, a person's API token, or the system itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub person_id: Option<Uuid>,
    /// The audit form: `person:A1234`, `token:<uuid>` or `system`.
    pub label: String,
}

impl Actor {
    pub fn system() -> Self {
        Self { person_id: None, label: "system".into() }
    }
    pub fn person(id: Uuid, staff_number: &str) -> Self {
        Self { person_id: Some(id), label: format!("person:{staff_number}") }
    }
    pub fn token(token_id: Uuid, person_id: Uuid) -> Self {
        Self { person_id: Some(person_id), label: format!("token:{token_id}") }
    }
    pub fn cli() -> Self {
        Self { person_id: None, label: "cli".into() }
    }
    /// This actor writing at `now`: what every write of the store is given.
    pub fn at(&self, now: OffsetDateTime) -> Write<'_> {
        Write { actor: self, now }
    }
}

/// What an audit event says beyond who and when.
#[derive(Debug, Clone, Default)]
pub struct AuditEntry {
    pub action: String,
    pub subject: String,
    pub clause: Option<String>,
    pub justification: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub detail: serde_json::Value,
}

impl AuditEntry {
    pub fn new(action: &str, subject: impl Into<String>) -> Self {
        Self { action: action.into(), subject: subject.into(), detail: serde_json::Value::Null, ..Self::default() }
    }
    pub fn clause(mut self, c: &str) -> Self {
        self.clause = Some(c.into());
        self
    }
    pub fn justification(mut self, j: impl Into<String>) -> Self {
        self.justification = Some(j.into());
        self
    }
    pub fn before(mut self, v: serde_json::Value) -> Self {
        self.before = Some(v);
        self
    }
    pub fn after(mut self, v: serde_json::Value) -> Self {
        self.after = Some(v);
        self
    }
    pub fn detail(mut self, v: serde_json::Value) -> Self {
        self.detail = v;
        self
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditEvent {
    pub seq: i64,
    pub id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub clause: Option<String>,
    pub justification: Option<String>,
    pub before_digest: Option<String>,
    pub after_digest: Option<String>,
    pub detail: serde_json::Value,
    pub leaf_hash: String,
}

/// The start of the one INSERT of audit events, for both drivers (sqlx on either backend, and
/// rusqlite in the bulk usage import): the columns in the order every writer binds them, from an
/// [`AuditAppender::push`] record: seq, id, at_us, actor, action, subject, clause, justification,
/// before_digest, after_digest, detail, leaf hash, chain.
pub(crate) const EVENT_INSERT: &str = "INSERT INTO audit_events (seq, id, at_us, actor, action, subject, clause, \
    justification, before_digest, after_digest, detail, leaf_hash, chain) ";

/// The number of columns in [`EVENT_INSERT`].
pub(crate) const EVENT_COLUMNS: usize = 13;

/// [`EVENT_INSERT`] with the placeholders of one event (`$1` ... `$13`, numbered the same way on
/// SQLite and PostgreSQL).
pub(crate) fn event_insert_one() -> String {
    let marks: Vec<String> = (1..=EVENT_COLUMNS).map(|i| format!("${i}")).collect();
    format!("{EVENT_INSERT}VALUES ({})", marks.join(", "))
}

/// Move the audit head past appended events: size, frontier, chain.
pub(crate) const HEAD_UPDATE: &str = "UPDATE audit_head SET size = $1, frontier = $2, chain = $3 WHERE id = 1";

/// Keep the hash of a perfect subtree the appended events completed (see `audit_subtrees`). A row
/// already there is left alone: the checkpoint job's back-fill may have written it, and a wrong
/// one is `audit verify`'s to name.
pub(crate) const SUBTREE_INSERT: &str =
    "INSERT INTO audit_subtrees (level, idx, hash) VALUES ($1, $2, $3) ON CONFLICT (level, idx) DO NOTHING";

/// The audit log's head while events are appended to it: the one place that turns an
/// [`AuditEntry`] into the stored record, its leaf and the chain, for every backend and writer.
pub(crate) struct AuditAppender {
    pub size: i64,
    pub frontier: custodian_domain::audit::Frontier,
    pub chain: custodian_domain::audit::Hash,
    /// The stored-size subtrees (`audit_subtrees`) the appended events completed, to be written
    /// with them.
    pub completed: Vec<(custodian_domain::audit::Block, custodian_domain::audit::Hash)>,
}

impl AuditAppender {
    /// Check the stored head (`audit_head`'s size, frontier and chain) before appending to it.
    pub fn from_head(size: i64, frontier: &[u8], chain: &[u8]) -> crate::Result<Self> {
        use crate::StoreError;
        let chain = <custodian_domain::audit::Hash>::try_from(chain)
            .map_err(|_| StoreError::Audit("the log head's chain is not 32 bytes".into()))?;
        let frontier =
            custodian_domain::audit::Frontier::from_bytes(frontier).map_err(|e| StoreError::Audit(e.to_string()))?;
        if frontier.size() != size as u64 {
            return Err(StoreError::Audit(format!(
                "audit head size {size} disagrees with its frontier {}",
                frontier.size()
            )));
        }
        Ok(Self { size, frontier, chain, completed: Vec::new() })
    }

    /// Check the head's chain value against the chain stored with the last event (`last_chain`,
    /// None for an empty log) before appending: a head changed outside Custodian would otherwise
    /// be carried into the next event's chain, and `audit verify` would blame that event. The
    /// write is refused instead, naming the head.
    pub fn check_last_chain(&self, last_chain: Option<&[u8]>) -> crate::Result<()> {
        let expected = match last_chain {
            None => custodian_domain::audit::CHAIN_START.to_vec(),
            Some(c) => c.to_vec(),
        };
        if self.chain.as_slice() != expected.as_slice() {
            return Err(crate::StoreError::Audit(format!(
                "the log head's chain value does not match the chain stored with event {}: the head was changed outside \
                 Custodian, so nothing more is appended to the log (run `custodian audit verify`)",
                self.size - 1
            )));
        }
        Ok(())
    }

    /// The next event: its record, leaf hash and chain hash; the head moves past it. An event
    /// with a `before` or `after` record needs the digest key (see `audit_digest_key`): its
    /// digests are never written unkeyed.
    pub fn push(
        &mut self,
        actor: &Actor,
        now: time::OffsetDateTime,
        e: AuditEntry,
        digest_key: Option<&[u8; 32]>,
    ) -> crate::Result<(
        custodian_domain::audit::EventRecord,
        custodian_domain::audit::Hash,
        custodian_domain::audit::Hash,
    )> {
        use custodian_domain::audit as tree;
        let record = tree::EventRecord {
            seq: self.size as u64,
            id: uuid::Uuid::now_v7(),
            at_us: (now.unix_timestamp_nanos() / 1_000) as i64,
            actor: actor.label.clone(),
            action: e.action,
            subject: e.subject,
            clause: e.clause,
            justification: e.justification,
            before_digest: e.before.as_ref().map(|v| keyed(digest_key, v)).transpose()?,
            after_digest: e.after.as_ref().map(|v| keyed(digest_key, v)).transpose()?,
            detail: serde_json::to_string(&e.detail).unwrap_or_else(|_| "null".into()),
        };
        record.check_encodable().map_err(|e| crate::StoreError::Invalid(format!("audit event: {e}")))?;
        let leaf = tree::leaf_hash(&tree::canonical_bytes(&record));
        let completed = &mut self.completed;
        self.frontier.push_reporting(leaf, |level, index, hash| {
            if level >= tree::STORED_LEVEL {
                completed.push((tree::Block { level, index }, *hash));
            }
        });
        self.chain = tree::chain_hash(&self.chain, &leaf);
        self.size += 1;
        Ok((record, leaf, self.chain))
    }
}

/// The Ed25519 key bound to the audit log (table `audit_log_key`): every checkpoint of the log is
/// signed with it and with no other.
#[derive(Debug, Clone)]
pub struct AuditKey {
    pub public_key: ed25519_dalek::VerifyingKey,
    /// `created` (a new key for this log) or `adopted` (the key that signed the latest checkpoint
    /// of a log created before keys were stored with it).
    pub how: String,
    /// For an adopted key, the size of the checkpoint whose signature it verified.
    pub checkpoint_size: Option<u64>,
    pub bound_at: time::OffsetDateTime,
}

/// What [`crate::Store::bind_audit_key`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyBinding {
    /// The key was already the log's key.
    AlreadyBound,
    /// The log had no key and no signed checkpoint: the key is now its key.
    Created,
    /// The log had signed checkpoints but no stored key: the key verified the latest of them and
    /// is now the log's key.
    Adopted { checkpoint_size: u64 },
}

/// A short, stable name for a public key in messages: `SHA256:` and the first 16 bytes of the
/// SHA-256 of the 32-byte key, in hex.
pub fn key_fingerprint(key: &ed25519_dalek::VerifyingKey) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(key.as_bytes());
    format!("SHA256:{}", hex::encode(&d[..16]))
}

/// A public key as messages name it: its fingerprint and the key itself (hex).
pub fn describe_key(key: &ed25519_dalek::VerifyingKey) -> String {
    format!("{} (Ed25519 public key {})", key_fingerprint(key), hex::encode(key.as_bytes()))
}

/// Everything `audit verify` needs to know about the log, read in one transaction so the parts
/// agree with each other however many writers are at work.
pub(crate) struct AuditSnapshot {
    /// The log head: its size and frontier.
    pub size: u64,
    pub frontier: Vec<u8>,
    /// The highest stored `seq`, if any event is stored.
    pub max_seq: Option<i64>,
    /// Signed audit::checkpoints (size, note), oldest first.
    pub checkpoints: Vec<(u64, String)>,
    /// The public key bound to the log, if one is.
    pub key: Option<Vec<u8>>,
    /// The head's chain value.
    pub chain: Vec<u8>,
    /// Every `audit.checkpoint` event below the head: its seq and detail text.
    pub checkpoint_events: Vec<(u64, String)>,
}

/// Every stored checkpoint and every `audit.checkpoint` event must match: the event at seq `n`
/// records the checkpoint stored at size `n` (its note's SHA-256) and the previous checkpoint's
/// size, which must be stored too; a checkpoint at or above the first such event's seq needs its
/// event. (Checkpoints below it were signed before checkpoints were recorded as events: the first
/// event names the latest of them, so that one is covered too.) The first mismatch, or None.
fn checkpoint_events_problem(checkpoints: &[(u64, String)], events: &[(u64, String)]) -> Option<String> {
    use sha2::Digest as _;
    let stored: std::collections::BTreeMap<u64, &String> = checkpoints.iter().map(|(s, n)| (*s, n)).collect();
    for (seq, detail) in events {
        let d: serde_json::Value = match serde_json::from_str(detail) {
            Ok(d) => d,
            Err(_) => return Some(format!("event {seq} (audit.checkpoint): its detail is not JSON")),
        };
        if d["size"].as_u64() != Some(*seq) {
            return Some(format!(
                "event {seq} (audit.checkpoint) records a checkpoint at size {}, not at its own position {seq}",
                d["size"]
            ));
        }
        let Some(note) = stored.get(seq) else {
            return Some(format!(
                "event {seq} (audit.checkpoint) records a signed checkpoint at size {seq}, but no checkpoint is stored at that size: a stored checkpoint was deleted"
            ));
        };
        let sha = hex::encode(sha2::Sha256::digest(note.as_bytes()));
        if d["note_sha256"].as_str() != Some(sha.as_str()) {
            return Some(format!(
                "the checkpoint stored at size {seq} is not the note its event {seq} (audit.checkpoint) records: the stored checkpoint was replaced"
            ));
        }
        if let Some(prev) = d["previous_size"].as_u64()
            && !stored.contains_key(&prev)
        {
            return Some(format!(
                "event {seq} (audit.checkpoint) follows a checkpoint at size {prev}, but no checkpoint is stored at that size: a stored checkpoint was deleted"
            ));
        }
    }
    let recorded: std::collections::BTreeSet<u64> = events.iter().map(|(s, _)| *s).collect();
    if let Some(first) = recorded.first() {
        for (size, _) in checkpoints {
            if size >= first && !recorded.contains(size) {
                return Some(format!(
                    "the checkpoint stored at size {size} has no audit.checkpoint event at seq {size}: it was not signed by Custodian's checkpoint writer, or its event was removed"
                ));
            }
        }
    }
    None
}

/// Who signed a C2SP signed note, as its signature lines say: `key name "N", key id XXXXXXXX` for
/// each (the key id is the first 4 bytes of SHA-256 over the name and public key), for messages
/// about a checkpoint whose key is not known.
pub fn note_signers(note: &str) -> String {
    use base64::Engine;
    let sigs = note.rsplit_once("\n\n").map_or("", |(_, s)| s);
    let names: Vec<String> = sigs
        .lines()
        .filter_map(|l| l.strip_prefix("\u{2014} "))
        .filter_map(|l| l.split_once(' '))
        .map(|(name, sig)| {
            let id = base64::engine::general_purpose::STANDARD
                .decode(sig)
                .ok()
                .filter(|raw| raw.len() >= 4)
                .map_or_else(|| "unreadable".to_string(), |raw| hex::encode(&raw[..4]));
            format!("key name {name:?}, key id {id}")
        })
        .collect();
    if names.is_empty() { "no readable signature".into() } else { names.join("; ") }
}

/// An audit digest under the log's digest key; an error without one.
fn keyed(key: Option<&[u8; 32]>, v: &serde_json::Value) -> crate::Result<String> {
    match key {
        Some(k) => Ok(custodian_domain::audit::keyed_digest_json(k, v)),
        None => Err(crate::StoreError::Audit("an event with a before or after record needs the digest key".into())),
    }
}
