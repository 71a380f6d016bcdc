//! Records as the store returns them, and the inputs of its operations.

use custodian_domain::devices::{DeviceStatus, DeviceType};
use custodian_domain::findings::{FindingStatus, Outcome, Severity};
use custodian_domain::people::{PersonKind, PersonStatus, Role};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

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

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Person {
    pub id: Uuid,
    pub staff_number: String,
    pub name: String,
    pub email: String,
    pub kind: PersonKind,
    pub business_area: String,
    pub business_area_id: Uuid,
    pub line_manager_id: Option<Uuid>,
    pub line_manager_staff_number: Option<String>,
    pub line_manager_name: Option<String>,
    pub status: PersonStatus,
    pub roles: Vec<Role>,
    pub personal_phones: Vec<String>,
    /// Whether this person heads their business area (WP034 4.8b).
    pub is_head_of_department: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BusinessArea {
    pub id: Uuid,
    pub name: String,
    pub head_id: Option<Uuid>,
    pub head_name: Option<String>,
    pub people: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Device {
    pub id: Uuid,
    pub asset_tag: String,
    pub device_type: DeviceType,
    pub make: String,
    pub model: String,
    pub serial: Option<String>,
    pub imei: Option<String>,
    pub phone_number: Option<String>,
    pub os: Option<String>,
    pub mdm_id: Option<String>,
    pub mdm_user: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub mdm_last_sync: Option<OffsetDateTime>,
    pub status: DeviceStatus,
    pub holder_id: Option<Uuid>,
    pub holder_staff_number: Option<String>,
    pub holder_name: Option<String>,
    pub holder_line_manager_id: Option<Uuid>,
    /// When the current holder confirmed receipt (WP034 4.1, 4.7); None if not yet.
    #[serde(with = "time::serde::rfc3339::option")]
    pub receipt_confirmed_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// One line of a device's history.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DeviceEvent {
    pub id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor: String,
    pub event: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub person_staff_number: Option<String>,
    pub person_name: Option<String>,
    pub reason: String,
    pub clause: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Allocation {
    pub id: Uuid,
    pub person_id: Uuid,
    pub staff_number: String,
    pub person_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub allocated_at: OffsetDateTime,
    pub allocated_by: String,
    pub reason: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub receipt_confirmed_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub ended_at: Option<OffsetDateTime>,
    pub end_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    pub id: Uuid,
    pub rule: String,
    pub clause: String,
    pub person_id: Option<Uuid>,
    pub person_staff_number: Option<String>,
    pub person_name: Option<String>,
    pub person_line_manager_id: Option<Uuid>,
    pub device_id: Option<Uuid>,
    pub device_asset_tag: Option<String>,
    pub summary: String,
    pub evidence: serde_json::Value,
    pub records: Vec<String>,
    pub severity: Severity,
    pub status: FindingStatus,
    pub outcome: Option<Outcome>,
    pub reviewer_id: Option<Uuid>,
    pub reasons: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub opened_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
}

/// A finding to raise. `dedupe_key` makes raising idempotent: the same key never opens twice.
#[derive(Debug, Clone)]
pub struct NewFinding {
    pub rule: &'static custodian_domain::findings::Rule,
    pub dedupe_key: String,
    pub person_id: Option<Uuid>,
    pub device_id: Option<Uuid>,
    pub summary: String,
    pub evidence: serde_json::Value,
    pub records: Vec<String>,
}

/// Filters for lists; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct DeviceFilter {
    pub status: Option<DeviceStatus>,
    pub device_type: Option<DeviceType>,
    /// Matches asset tag, serial, IMEI, phone number, make/model or holder name.
    pub q: Option<String>,
    pub holder_id: Option<Uuid>,
}

#[derive(Debug, Clone, Default)]
pub struct PersonFilter {
    pub q: Option<String>,
    pub business_area: Option<String>,
    pub status: Option<PersonStatus>,
}

#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    pub status: Option<FindingStatus>,
    pub rule: Option<String>,
    pub person_id: Option<Uuid>,
    pub device_id: Option<Uuid>,
    /// Restrict to findings this person may see: their own, their reports', or all when None.
    pub visible_to: Option<Visibility>,
}

/// Need-to-know filter for finding lists (the permission policy decides per finding; this
/// narrows the query to the candidates).
#[derive(Debug, Clone)]
pub struct Visibility {
    pub person_id: Uuid,
    /// Sees every finding (Digital Services, PSD, auditors).
    pub all: bool,
}

/// A page of results.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> i64 {
        if self.per_page <= 0 { 1 } else { ((self.total + self.per_page - 1) / self.per_page).max(1) }
    }
}

/// What an import did. Re-importing the same file yields only `unchanged`.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ImportSummary {
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub findings_opened: usize,
    /// Rows not applied, with line and reason (for example an unknown device in an MDM export).
    pub unmatched: Vec<custodian_domain::imports::RowError>,
    /// Changes a people import ignored (role changes the importer may not make, with
    /// `ignore_roles`), with line and field; the rest of each such row was applied.
    pub ignored: Vec<custodian_domain::imports::RowError>,
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

/// Session as stored: the cookie carries a random token; the database keeps only its hash.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub person_id: Uuid,
    pub csrf_token: String,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub id: Uuid,
    pub person_id: Uuid,
    pub name: String,
    pub scopes: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

/// Counts for dashboards.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub devices_by_status: Vec<(String, i64)>,
    pub devices_by_type: Vec<(String, i64)>,
    pub findings_by_status: Vec<(String, i64)>,
    pub findings_open_by_rule: Vec<(String, i64)>,
    pub people_active: i64,
    pub awaiting_receipt: i64,
    pub audit_events: i64,
}

/// Called with the number of rows applied so far during a long import (for progress bars).
pub type Progress<'a> = &'a (dyn Fn(u64) + Send + Sync);

/// A progress callback that ignores progress.
pub fn no_progress(_: u64) {}

/// The audit log's head while events are appended to it: the one place that turns an
/// [`AuditEntry`] into the stored record, its leaf and the chain, for every backend and writer.
pub(crate) struct AuditAppender {
    pub size: i64,
    pub frontier: custodian_domain::audit::Frontier,
    pub chain: custodian_domain::audit::Hash,
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
        Ok(Self { size, frontier, chain })
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
        self.frontier.push(leaf);
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
    /// Signed checkpoints (size, note), oldest first.
    pub checkpoints: Vec<(u64, String)>,
    /// The public key bound to the log, if one is.
    pub key: Option<Vec<u8>>,
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
