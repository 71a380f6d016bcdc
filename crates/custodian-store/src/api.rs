//! The public operations of [`Store`], each dispatched to the backend's compiled copy.

use super::*;
use custodian_domain::audit::{self as tree, Checkpoint, Hash, Tamper, Verifier};
use custodian_domain::devices::DeviceStatus;
use custodian_domain::findings::{FindingStatus, Outcome};
use custodian_domain::imports::{DeviceRow, IntuneDevice, PersonRow, RowError};
use custodian_domain::people::Role;
use time::OffsetDateTime;
use uuid::Uuid;

/// What `audit verify` found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct VerifyReport {
    pub events: u64,
    pub root: String,
    pub checkpoints_checked: usize,
    /// The first problem found, naming the event; None when the log is intact.
    pub problem: Option<String>,
}

impl Store {
    // Audit ------------------------------------------------------------------------------------

    pub async fn log_view(&self, actor: &Actor, now: OffsetDateTime, e: AuditEntry) -> Result<()> {
        on_write!(self, log_view(actor, now, e))
    }

    /// Append events in one transaction; returns the log size after them.
    pub async fn append_audit(&self, actor: &Actor, now: OffsetDateTime, entries: Vec<AuditEntry>) -> Result<u64> {
        on_write!(self, append_many(actor, now, entries))
    }

    /// Stream every stored event in order with its stored leaf hash and root.
    pub async fn audit_scan_events<F>(&self, f: F) -> Result<()>
    where
        F: FnMut(tree::EventRecord, Vec<u8>, Vec<u8>) -> Result<()> + Send,
    {
        on_read!(self, audit_scan(f))
    }

    pub async fn audit_page(
        &self,
        subject: Option<&str>,
        actor: Option<&str>,
        page: i64,
        per_page: i64,
    ) -> Result<Page<AuditEvent>> {
        on_read!(self, audit_page(subject, actor, page, per_page))
    }

    /// Recompute every leaf and tree head, and check every signed checkpoint against the
    /// recomputed tree. Names the first bad event.
    ///
    /// The head, the checkpoints and the bound key are read in one snapshot, and the events
    /// checked are those below that head, so events appended meanwhile (by this process or
    /// another) are simply not part of this check; events stored beyond the head in the snapshot
    /// are reported, as the log's own writers never store one without moving the head.
    pub async fn audit_verify(&self, key_name: &str, key: &ed25519_dalek::VerifyingKey) -> Result<VerifyReport> {
        let snap = on_read!(self, audit_snapshot())?;
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
        self.audit_verify_finish(key_name, key, snap, verifier, problem)
    }

    async fn audit_verify_scan(&self, end: i64, verifier: &mut Verifier, problem: &mut Option<String>) -> Result<()> {
        on_read!(
            self,
            audit_scan_before(end, |rec, leaf, chain| {
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
        snap: crate::model::AuditSnapshot,
        verifier: Verifier,
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
        Ok(VerifyReport {
            events: verifier.size(),
            root: hex::encode(verifier.root()),
            checkpoints_checked: checked,
            problem,
        })
    }

    /// Sign a checkpoint over the current head and store it. Returns the note text. The key must
    /// be the one bound to the log (a log with none binds it first: see [`Store::bind_audit_key`]);
    /// any other key is refused.
    pub async fn audit_checkpoint(
        &self,
        key_name: &str,
        key: &ed25519_dalek::SigningKey,
        now: OffsetDateTime,
    ) -> Result<String> {
        let origin = self.origin.clone();
        on_write!(self, sign_checkpoint(&origin, key_name, key, &Actor::system(), now))
    }

    /// The key bound to the audit log, if any.
    pub async fn audit_key(&self) -> Result<Option<AuditKey>> {
        on_read!(self, audit_key())
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
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<KeyBinding> {
        on_write!(self, bind_audit_key(key_name, key, actor, now))
    }

    /// The latest signed checkpoint, if any.
    pub async fn latest_checkpoint(&self) -> Result<Option<(u64, String)>> {
        Ok(on_read!(self, checkpoints())?.pop())
    }

    /// An RFC 6962 inclusion proof for the event with this id, against the current tree.
    pub async fn audit_prove(&self, id: Uuid) -> Result<InclusionProof> {
        let seq = on_read!(self, audit_seq_of(id))?.ok_or_else(|| StoreError::NotFound(format!("audit event {id}")))?;
        let mut leaves: Vec<Hash> = Vec::new();
        let mut event = None;
        on_read!(
            self,
            audit_scan(|rec, leaf, _| {
                let h = <Hash>::try_from(leaf.as_slice())
                    .map_err(|_| StoreError::Audit(format!("event {}: bad leaf", rec.seq)))?;
                if rec.seq == seq as u64 {
                    event = Some(rec);
                }
                leaves.push(h);
                Ok(())
            })
        )?;
        let event = event.ok_or_else(|| StoreError::NotFound(format!("audit event {id}")))?;
        let proof = tree::inclusion_proof(seq as u64, &leaves).map_err(|e| StoreError::Audit(e.to_string()))?;
        let root = tree::root_of(&leaves);
        Ok(InclusionProof {
            event_id: id,
            index: seq as u64,
            tree_size: leaves.len() as u64,
            leaf_hash: hex::encode(leaves[seq as usize]),
            root: hex::encode(root),
            proof: proof.iter().map(hex::encode).collect(),
            canonical_event: hex::encode(tree::canonical_bytes(&event)),
        })
    }

    // People -----------------------------------------------------------------------------------

    pub async fn person(&self, id: Uuid) -> Result<Option<Person>> {
        on_read!(self, person_by_id(id))
    }
    pub async fn person_by_staff_number(&self, sn: &str) -> Result<Option<Person>> {
        on_read!(self, person_by_staff_number(sn))
    }
    pub async fn person_by_email(&self, email: &str) -> Result<Option<Person>> {
        on_read!(self, person_by_email(email))
    }
    pub async fn people(&self, f: &PersonFilter, page: i64, per_page: i64) -> Result<Page<Person>> {
        on_read!(self, people_page(f, page, per_page))
    }
    pub async fn direct_reports(&self, manager: Uuid) -> Result<Vec<Person>> {
        on_read!(self, direct_reports(manager))
    }
    pub async fn business_areas(&self) -> Result<Vec<BusinessArea>> {
        on_read!(self, business_areas())
    }
    pub async fn unknown_managers(&self, rows: &[PersonRow]) -> Result<Vec<RowError>> {
        on_read!(self, unknown_managers(rows))
    }
    /// Upsert people (see `ops::import_people`): the inner `Err` lists the rows whose changes
    /// `authority` does not allow, and then nothing was written.
    pub async fn import_people(
        &self,
        rows: &[PersonRow],
        authority: &custodian_domain::imports::ImportAuthority,
        actor: &Actor,
        now: OffsetDateTime,
        sha256: &str,
        progress: Progress<'_>,
    ) -> Result<std::result::Result<ImportSummary, Vec<RowError>>> {
        let r = on_write!(self, import_people(rows, authority, actor, now, sha256, progress));
        self.caches.forget_people();
        r
    }
    pub async fn grant_role(&self, person: Uuid, role: Role, actor: &Actor, now: OffsetDateTime) -> Result<()> {
        let r = on_write!(self, grant_role(person, role, actor, now));
        self.caches.forget_people();
        r
    }

    // Devices ----------------------------------------------------------------------------------

    pub async fn device(&self, id: Uuid) -> Result<Option<Device>> {
        on_read!(self, device_by_id(id))
    }
    pub async fn device_by_asset_tag(&self, tag: &str) -> Result<Option<Device>> {
        on_read!(self, device_by_asset_tag(tag))
    }
    pub async fn devices(&self, f: &DeviceFilter, page: i64, per_page: i64) -> Result<Page<Device>> {
        self.devices_after(f, None, page, per_page).await
    }
    /// A page of devices in asset-tag order: after the asset tag `after` (a keyset cursor, the
    /// last tag of the previous page) when given, else page number `page`. An unfiltered list's
    /// total comes from a count cached for at most [`cache::TTL`](crate::cache::TTL) and cleared
    /// by every device this process creates.
    pub async fn devices_after(
        &self,
        f: &DeviceFilter,
        after: Option<&str>,
        page: i64,
        per_page: i64,
    ) -> Result<Page<Device>> {
        let unfiltered = f.status.is_none()
            && f.device_type.is_none()
            && f.holder_id.is_none()
            && f.q.as_deref().is_none_or(|q| q.trim().is_empty());
        let total = if unfiltered {
            match self.caches.device_count() {
                Some(n) => Some(n),
                None => {
                    let n = on_read!(self, device_count())?;
                    self.caches.set_device_count(n);
                    Some(n)
                }
            }
        } else {
            None
        };
        let needle = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()).map(str::to_lowercase);
        match needle {
            // LIKE wildcards keep their meaning through the database.
            Some(needle) if !needle.contains(['%', '_']) => {
                let index = self.device_index().await?;
                let q = crate::search::Query {
                    needle: &needle,
                    status: f.status,
                    device_type: f.device_type,
                    holder_id: f.holder_id,
                };
                let offset = usize::try_from((page - 1).max(0).saturating_mul(per_page)).unwrap_or(usize::MAX);
                let hits = index.search(&q, after, offset, usize::try_from(per_page).unwrap_or(0));
                let mut items = on_read!(self, devices_by_ids(&hits.page))?;
                // The index's order (byte-wise asset tags), whatever the database's collation.
                items.sort_by_key(|d| hits.page.iter().position(|id| *id == d.id));
                Ok(Page { items, total: hits.total, page, per_page })
            }
            _ => on_read!(self, devices_list(f, after, page, per_page, total)),
        }
    }

    /// Load the device search index now (at start-up), so the first search does not wait for
    /// it. Returns the number of devices indexed.
    pub async fn warm_device_search(&self) -> Result<usize> {
        Ok(self.device_index().await?.len())
    }

    /// The device search index at the database's current revision, reloaded if it moved.
    async fn device_index(&self) -> Result<std::sync::Arc<crate::search::Index>> {
        let rev = on_read!(self, device_search_rev())?;
        if let Some(i) = self.search.at(rev) {
            return Ok(i);
        }
        let _one = self.search.reload_lock().lock().await;
        // Another task may have reloaded while this one waited.
        let rev = on_read!(self, device_search_rev())?;
        if let Some(i) = self.search.at(rev) {
            return Ok(i);
        }
        let rows = on_read!(self, device_search_rows())?;
        let started = std::time::Instant::now();
        let index = std::sync::Arc::new(crate::search::Index::new(rev, rows));
        tracing::debug!(rev, devices = index.len(), took = ?started.elapsed(), "device search index loaded");
        self.search.set(index.clone());
        Ok(index)
    }
    pub async fn device_history(&self, id: Uuid) -> Result<Vec<DeviceEvent>> {
        on_read!(self, device_history(id))
    }
    pub async fn allocations(&self, id: Uuid) -> Result<Vec<Allocation>> {
        on_read!(self, allocations(id))
    }
    pub async fn create_device(&self, row: &DeviceRow, actor: &Actor, now: OffsetDateTime) -> Result<Device> {
        let r = on_write!(self, create_device(row, actor, now));
        self.caches.forget_device_count();
        r
    }
    pub async fn import_devices(
        &self,
        rows: &[DeviceRow],
        actor: &Actor,
        now: OffsetDateTime,
        sha256: &str,
        progress: Progress<'_>,
    ) -> Result<ImportSummary> {
        let r = on_write!(self, import_devices(rows, actor, now, sha256, progress));
        self.caches.forget_device_count();
        r
    }
    pub async fn import_intune(
        &self,
        items: &[IntuneDevice],
        actor: &Actor,
        now: OffsetDateTime,
        sha256: &str,
        progress: Progress<'_>,
    ) -> Result<ImportSummary> {
        let r = on_write!(self, import_intune(items, actor, now, sha256, progress));
        self.caches.forget_device_count();
        r
    }
    pub async fn allocate(
        &self,
        device: Uuid,
        person: Uuid,
        reason: &str,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<Device> {
        on_write!(self, allocate(device, person, reason, actor, now))
    }
    pub async fn transition(
        &self,
        device: Uuid,
        to: DeviceStatus,
        reason: &str,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<Device> {
        on_write!(self, transition(device, to, reason, actor, now))
    }
    pub async fn confirm_receipt(
        &self,
        device: Uuid,
        person: Uuid,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<Device> {
        on_write!(self, confirm_receipt(device, person, actor, now))
    }
    pub async fn report_loss(
        &self,
        device: Uuid,
        person: Uuid,
        stolen: bool,
        circumstances: &str,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<(Device, Uuid)> {
        on_write!(self, report_loss(device, person, stolen, circumstances, actor, now))
    }

    // Findings ---------------------------------------------------------------------------------

    pub async fn raise(&self, f: &NewFinding, actor: &Actor, now: OffsetDateTime) -> Result<Option<Uuid>> {
        on_write!(self, raise(f, actor, now))
    }
    pub async fn finding(&self, id: Uuid) -> Result<Option<Finding>> {
        on_read!(self, finding_by_id(id))
    }
    pub async fn findings(&self, f: &FindingFilter, page: i64, per_page: i64) -> Result<Page<Finding>> {
        on_read!(self, findings_page(f, page, per_page))
    }
    pub async fn findings_scan<F>(&self, f: F) -> Result<()>
    where
        F: FnMut(Finding) -> Result<()> + Send,
    {
        on_read!(self, findings_scan(f))
    }
    #[allow(clippy::too_many_arguments)]
    pub async fn review_finding(
        &self,
        id: Uuid,
        to: FindingStatus,
        outcome: Option<Outcome>,
        reasons: Option<&str>,
        reviewer: Uuid,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<Finding> {
        on_write!(self, review_finding(id, to, outcome, reasons, reviewer, actor, now))
    }

    // Accounts ---------------------------------------------------------------------------------

    pub async fn set_password_hash(&self, person: Uuid, hash: &str, actor: &Actor, now: OffsetDateTime) -> Result<()> {
        on_write!(self, set_password_hash(person, hash, actor, now))
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
        on_write!(self, change_password(person, hash, keep_session, actor, now))
    }
    pub async fn password_hash(&self, person: Uuid) -> Result<Option<String>> {
        on_read!(self, password_hash(person))
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
        on_write!(self, create_session(token_hash, person, csrf, now, expires, actor))
    }
    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>> {
        on_read!(self, session(token_hash))
    }
    pub async fn touch_session(&self, token_hash: &str, now: OffsetDateTime) -> Result<()> {
        on_write!(self, touch_session(token_hash, now))
    }
    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        on_write!(self, delete_session(token_hash))
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
        on_write!(self, create_token(person, name, token_hash, scopes, expires, actor, now))
    }
    pub async fn token_by_hash(&self, token_hash: &str) -> Result<Option<ApiToken>> {
        on_read!(self, token_by_hash(token_hash))
    }
    /// The token with this hash and the person it acts for, for bearer sign-in, in one query
    /// when the person was loaded in the last [`cache::TTL`](crate::cache::TTL). The token's
    /// revocation, expiry and the person's status are read fresh every time, so revoking a token
    /// or recording a leaver takes effect at once; only the person's other details (roles,
    /// business area) can be that old, and not after a change made through this process.
    pub async fn token_with_person(&self, token_hash: &str) -> Result<Option<(ApiToken, Person)>> {
        let Some((token, status)) = on_read!(self, token_and_holder_status(token_hash))? else {
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
        on_read!(self, tokens())
    }
    pub async fn revoke_token(&self, id: Uuid, actor: &Actor, now: OffsetDateTime) -> Result<()> {
        on_write!(self, revoke_token(id, actor, now))
    }

    // Dashboards -------------------------------------------------------------------------------

    pub async fn counts(&self, holder: Option<Uuid>) -> Result<Counts> {
        on_read!(self, counts(holder))
    }
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

pub(crate) fn describe(t: &Tamper, rec: &tree::EventRecord) -> String {
    format!("event {} ({}, {}): {t}", rec.seq, rec.id, rec.action)
}
