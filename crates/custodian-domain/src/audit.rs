//! The pure core of Custodian's tamper-evident audit log: an RFC 6962 / RFC 9162 Merkle tree over
//! canonically encoded events, inclusion and consistency proofs, C2SP signed checkpoints and a
//! streaming verifier. No I/O, no clock: callers pass every value in.
//!
//! Every action taken under WP034 (allocating a device, approving a social media account, closing
//! a finding) is recorded as an [`EventRecord`]. Its leaf is `leaf_hash(canonical_bytes(event))`,
//! leaves are appended in `seq` order, and the log periodically signs a [`Checkpoint`] over the
//! tree root so that any later rewrite, deletion, insertion or reordering is detectable.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// A SHA-256 digest: a leaf hash, an interior node hash or a tree root.
pub type Hash = [u8; 32];

/// Domain-separation prefix for leaf hashes (RFC 6962 section 2.1).
const LEAF_PREFIX: u8 = 0x00;
/// Domain-separation prefix for interior node hashes (RFC 6962 section 2.1).
const NODE_PREFIX: u8 = 0x01;

/// Hash of one leaf: `SHA-256(0x00 || data)`.
///
/// Invariant: the 0x00 prefix keeps leaf hashes disjoint from [`node_hash`] outputs, so a leaf can
/// never be passed off as an interior node (second-preimage protection).
pub fn leaf_hash(data: &[u8]) -> Hash {
    Sha256::new_with_prefix([LEAF_PREFIX]).chain_update(data).finalize().into()
}

/// Hash of an interior node: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut buf = [0u8; 65];
    buf[0] = NODE_PREFIX;
    buf[1..33].copy_from_slice(left);
    buf[33..].copy_from_slice(right);
    Sha256::digest(buf).into()
}

/// The root of the empty tree: SHA-256 of the empty string (RFC 6962 section 2.1).
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The largest power of two strictly less than `n`. Requires `n >= 2`.
fn split_point(n: usize) -> usize {
    debug_assert!(n >= 2);
    1 << (n - 1).ilog2()
}

/// The RFC 6962 Merkle Tree Hash (MTH) over already-hashed leaves.
///
/// `root_of(&[]) == empty_root()`, `root_of(&[h]) == h`, and for `n >= 2` the leaves are split at
/// `k`, the largest power of two strictly less than `n`:
/// `node_hash(root_of(&leaves[..k]), root_of(&leaves[k..]))`. This is the reference definition the
/// [`Frontier`] and the proofs are tested against; it is O(n).
/// The hash chain over leaves that the store records beside each event: `chain_hash(prev, leaf)`
/// = SHA-256(0x02 || prev || leaf), starting from [`CHAIN_START`]. It costs one hash per event
/// (the tree root after every event would cost O(log n)), and lets `verify` name the first
/// event whose content and leaf were rewritten consistently. Domain-separated from RFC 6962's
/// 0x00 leaf and 0x01 node prefixes.
pub fn chain_hash(prev: &Hash, leaf: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x02]);
    h.update(prev);
    h.update(leaf);
    h.finalize().into()
}

/// The chain value before the first event.
pub const CHAIN_START: Hash = [0u8; 32];

pub fn root_of(leaves: &[Hash]) -> Hash {
    match leaves {
        [] => empty_root(),
        [only] => *only,
        _ => {
            let k = split_point(leaves.len());
            node_hash(&root_of(&leaves[..k]), &root_of(&leaves[k..]))
        }
    }
}

/// Errors from building proofs, decoding persisted state and opening signed checkpoints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    /// A proof was asked for a leaf the tree does not have.
    #[error("leaf index {index} is outside a tree of {size} leaves")]
    IndexOutOfRange { index: u64, size: u64 },
    /// A consistency proof was asked from a tree larger than the current one.
    #[error("old tree size {old_size} is larger than the current tree size {size}")]
    OldSizeTooLarge { old_size: u64, size: u64 },
    /// Persisted frontier bytes are not `8-byte size || popcount(size) * 32-byte hashes`.
    #[error("invalid frontier encoding: {0}")]
    BadFrontier(&'static str),
    /// Bytes are not a canonical event encoding.
    #[error("invalid canonical event encoding: {0}")]
    BadCanonical(&'static str),
    /// A string field is too long for the u32 length prefix of the canonical encoding.
    #[error("field {field} is {len} bytes, more than the canonical encoding allows")]
    FieldTooLong { field: &'static str, len: usize },
    /// The text is not a well-formed C2SP signed note.
    #[error("malformed signed note: {0}")]
    MalformedNote(&'static str),
    /// The note body is not a well-formed C2SP checkpoint.
    #[error("malformed checkpoint: {0}")]
    MalformedCheckpoint(&'static str),
    /// A signature line names the expected key (name and key id) but does not verify.
    #[error("the signature by key {key_name} does not verify")]
    BadSignature { key_name: String },
    /// No signature line was made by the expected key.
    #[error("the note carries no signature by key {key_name}")]
    NotSignedByKey { key_name: String },
    /// A key name is empty or contains whitespace or '+'.
    #[error("invalid key name: it must be non-empty with no whitespace or '+'")]
    BadKeyName,
    /// Verifier key text is not `<name>+<hex key id>+<base64(0x01 || public key)>`.
    #[error("invalid verifier key: {0}")]
    BadVerifierKey(&'static str),
}

/// A compact range (frontier) of the tree: its size and the roots of the perfect subtrees that
/// cover leaves `0..size`, largest (leftmost) first.
///
/// Invariants: `nodes.len() == size.count_ones()`, and the subtree for the i-th set bit of `size`
/// (from the most significant) covers the next `2^bit` leaves. This is what the store persists
/// between appends; [`Frontier::root`] always equals [`root_of`] over every leaf pushed.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Frontier {
    size: u64,
    nodes: Vec<Hash>,
}

impl Frontier {
    /// The largest size [`Frontier::from_bytes`] accepts (2^62 leaves). No real log comes near it,
    /// and the bound keeps [`Frontier::push`]'s size arithmetic far from overflow even for a
    /// corrupted or hostile persisted frontier.
    pub const MAX_SIZE: u64 = 1 << 62;

    /// The frontier of the empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many leaves have been pushed.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The perfect-subtree roots, largest (leftmost) first; one per set bit of [`Frontier::size`].
    pub fn nodes(&self) -> &[Hash] {
        &self.nodes
    }

    /// Appends one leaf hash. Amortised O(1) hashes: one [`node_hash`] per trailing one bit of the
    /// old size, as equal-sized subtrees merge.
    pub fn push(&mut self, leaf: Hash) {
        let mut acc = leaf;
        let mut carry = self.size;
        while carry & 1 == 1 {
            match self.nodes.pop() {
                Some(left) => acc = node_hash(&left, &acc),
                // Unreachable while the popcount invariant holds.
                None => break,
            }
            carry >>= 1;
        }
        self.nodes.push(acc);
        self.size += 1;
    }

    /// The tree root: [`empty_root`] when empty, otherwise the subtree roots folded from the right.
    /// Costs `size.count_ones() - 1` hashes.
    pub fn root(&self) -> Hash {
        let mut rev = self.nodes.iter().rev();
        let Some(last) = rev.next() else {
            return empty_root();
        };
        rev.fold(*last, |acc, left| node_hash(left, &acc))
    }

    /// Computes, without changing `self`, the merged subtree that pushing `leaf` would create and
    /// the root the tree would then have. The merges are the first steps of the root fold, so this
    /// costs `size.count_ones()` hashes in total.
    fn peek_push(&self, leaf: &Hash) -> (Hash, Hash) {
        let merges = self.size.trailing_ones() as usize;
        let mut acc = *leaf;
        let mut merged = *leaf;
        for (i, left) in self.nodes.iter().rev().enumerate() {
            if i == merges {
                merged = acc;
            }
            acc = node_hash(left, &acc);
        }
        if merges >= self.nodes.len() {
            merged = acc;
        }
        (merged, acc)
    }

    /// Commits a push whose merged subtree was computed by [`Frontier::peek_push`].
    fn commit_push(&mut self, merged: Hash) {
        let merges = self.size.trailing_ones() as usize;
        self.nodes.truncate(self.nodes.len().saturating_sub(merges));
        self.nodes.push(merged);
        self.size += 1;
    }

    /// Appends one leaf and returns the new root, in `old_size.count_ones()` hashes (the same work
    /// as [`Frontier::push`] followed by [`Frontier::root`], done in one pass).
    pub fn push_and_root(&mut self, leaf: Hash) -> Hash {
        let (merged, root) = self.peek_push(&leaf);
        self.commit_push(merged);
        root
    }

    /// Persistent form: the size as 8 bytes big-endian, then each subtree root, largest first.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + 32 * self.nodes.len());
        out.extend_from_slice(&self.size.to_be_bytes());
        for node in &self.nodes {
            out.extend_from_slice(node);
        }
        out
    }

    /// Parses [`Frontier::to_bytes`] output, enforcing the popcount invariant.
    pub fn from_bytes(b: &[u8]) -> Result<Self, AuditError> {
        let (size_bytes, rest) =
            b.split_first_chunk::<8>().ok_or(AuditError::BadFrontier("shorter than the 8-byte size"))?;
        let size = u64::from_be_bytes(*size_bytes);
        if size > Self::MAX_SIZE {
            return Err(AuditError::BadFrontier("size is implausibly large"));
        }
        let (chunks, tail) = rest.as_chunks::<32>();
        if !tail.is_empty() {
            return Err(AuditError::BadFrontier("node bytes are not a multiple of 32"));
        }
        if chunks.len() != size.count_ones() as usize {
            return Err(AuditError::BadFrontier("node count does not match the size"));
        }
        Ok(Self { size, nodes: chunks.to_vec() })
    }
}

fn index_to_usize(index: u64, size: usize) -> Result<usize, AuditError> {
    usize::try_from(index).ok().filter(|&i| i < size).ok_or(AuditError::IndexOutOfRange { index, size: size as u64 })
}

/// The RFC 6962 audit path PATH(index, leaves): sibling subtree roots from the leaf up to the root.
///
/// Errors if `index >= leaves.len()`. For a one-leaf tree the path is empty.
pub fn inclusion_proof(index: u64, leaves: &[Hash]) -> Result<Vec<Hash>, AuditError> {
    let index = index_to_usize(index, leaves.len())?;
    let mut out = Vec::with_capacity(64);
    audit_path(index, leaves, &mut out);
    Ok(out)
}

fn audit_path(m: usize, leaves: &[Hash], out: &mut Vec<Hash>) {
    let n = leaves.len();
    if n <= 1 {
        return;
    }
    let k = split_point(n);
    if m < k {
        audit_path(m, &leaves[..k], out);
        out.push(root_of(&leaves[k..]));
    } else {
        audit_path(m - k, &leaves[k..], out);
        out.push(root_of(&leaves[..k]));
    }
}

/// Verifies an inclusion proof with the algorithm of RFC 9162 section 2.1.3.2.
///
/// True only if `index < size`, the proof has exactly the length the tree shape requires, and
/// hashing `leaf` up the path yields `root`.
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let mut f = index;
    let mut s = size - 1;
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && r == *root
}

/// The RFC 6962 consistency proof PROOF(old_size, leaves) between the first `old_size` leaves and
/// all of `leaves`.
///
/// Empty when `old_size == 0` or `old_size == leaves.len()`; errors if `old_size > leaves.len()`.
pub fn consistency_proof(old_size: u64, leaves: &[Hash]) -> Result<Vec<Hash>, AuditError> {
    let n = leaves.len();
    let m = usize::try_from(old_size)
        .ok()
        .filter(|&m| m <= n)
        .ok_or(AuditError::OldSizeTooLarge { old_size, size: n as u64 })?;
    let mut out = Vec::with_capacity(64);
    if m > 0 {
        subproof(m, leaves, true, &mut out);
    }
    Ok(out)
}

fn subproof(m: usize, leaves: &[Hash], complete: bool, out: &mut Vec<Hash>) {
    let n = leaves.len();
    if m == n {
        if !complete {
            out.push(root_of(leaves));
        }
        return;
    }
    // Here 1 <= m < n, so n >= 2.
    let k = split_point(n);
    if m <= k {
        subproof(m, &leaves[..k], complete, out);
        out.push(root_of(&leaves[k..]));
    } else {
        subproof(m - k, &leaves[k..], false, out);
        out.push(root_of(&leaves[..k]));
    }
}

/// Verifies a consistency proof with the algorithm of RFC 9162 section 2.1.4.2: the tree of
/// `new_size` leaves with root `new_root` extends the tree of `old_size` leaves with `old_root`.
///
/// Edge cases: `old_size > new_size` is false; `old_size == new_size` needs an empty proof and
/// equal roots; `old_size == 0` needs an empty proof and `old_root == empty_root()`.
pub fn verify_consistency(old_size: u64, new_size: u64, old_root: &Hash, new_root: &Hash, proof: &[Hash]) -> bool {
    if old_size > new_size {
        return false;
    }
    if old_size == new_size {
        return proof.is_empty() && old_root == new_root;
    }
    if old_size == 0 {
        return proof.is_empty() && *old_root == empty_root();
    }
    if proof.is_empty() {
        return false;
    }
    let mut path = proof.iter();
    let mut f = old_size - 1;
    let mut s = new_size - 1;
    // When old_size is a power of two the old root is itself a node of the new tree and the
    // proof omits it; RFC 9162 prepends it.
    let start = if old_size.is_power_of_two() {
        old_root
    } else {
        match path.next() {
            Some(h) => h,
            None => return false,
        }
    };
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let mut fr = *start;
    let mut sr = *start;
    for c in path {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    fr == *old_root && sr == *new_root && s == 0
}

/// One audit event as stored. Its leaf is `leaf_hash(&canonical_bytes(event))` and it sits at
/// leaf index `seq`.
///
/// Invariants kept by the store: `seq` values are 0, 1, 2, ... with no gaps; `id` is a UUIDv7;
/// every string field fits the u32 length prefix (see [`EventRecord::check_encodable`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRecord {
    /// 0-based leaf index.
    pub seq: u64,
    /// UUIDv7 of the event.
    pub id: uuid::Uuid,
    /// Microseconds since the Unix epoch, UTC.
    pub at_us: i64,
    /// Who acted, e.g. `person:A1234`, `token:<uuid>`, `system`.
    pub actor: String,
    /// What was done, e.g. "device.allocate".
    pub action: String,
    /// What it was done to, e.g. `device:<uuid>`.
    pub subject: String,
    /// The WP034 clause the action rests on, e.g. "4.1".
    pub clause: Option<String>,
    /// Free-text reasons given by the actor.
    pub justification: Option<String>,
    /// Lowercase hex SHA-256 of the record before the change (see [`digest_json`]).
    pub before_digest: Option<String>,
    /// Lowercase hex SHA-256 of the record after the change (see [`digest_json`]).
    pub after_digest: Option<String>,
    /// Small JSON text with action-specific detail.
    pub detail: String,
}

impl EventRecord {
    /// Checks that every string field fits the canonical encoding's u32 length prefix. The store
    /// must call this before appending; [`canonical_bytes`] is injective only on records that pass.
    pub fn check_encodable(&self) -> Result<(), AuditError> {
        let fields: [(&'static str, Option<&str>); 8] = [
            ("actor", Some(&self.actor)),
            ("action", Some(&self.action)),
            ("subject", Some(&self.subject)),
            ("clause", self.clause.as_deref()),
            ("justification", self.justification.as_deref()),
            ("before_digest", self.before_digest.as_deref()),
            ("after_digest", self.after_digest.as_deref()),
            ("detail", Some(&self.detail)),
        ];
        for (field, value) in fields {
            if let Some(v) = value
                && u32::try_from(v.len()).is_err()
            {
                return Err(AuditError::FieldTooLong { field, len: v.len() });
            }
        }
        Ok(())
    }
}

/// The version byte that starts every canonical event encoding.
pub const CANONICAL_VERSION: u8 = 1;

/// Unambiguous encoding of an event, the preimage of its leaf:
///
/// `version (1 byte) || seq (u64 BE) || id (16 bytes) || at_us (i64 BE) || actor || action ||
/// subject || clause? || justification? || before_digest? || after_digest? || detail`
///
/// where a string is a u32 big-endian byte length then its UTF-8 bytes, and an option (`?`) is a
/// tag byte 0 (absent) or 1 (present) followed by the string. Invariant: for records passing
/// [`EventRecord::check_encodable`] the encoding is injective, as [`decode_canonical`] proves by
/// inverting it. (A longer field would be truncated to `u32::MAX` bytes.)
pub fn canonical_bytes(e: &EventRecord) -> Vec<u8> {
    let mut out = Vec::new();
    canonical_bytes_into(e, &mut out);
    out
}

/// [`canonical_bytes`] into a reusable buffer, which is cleared first. Allocates only if `out`
/// must grow.
pub fn canonical_bytes_into(e: &EventRecord, out: &mut Vec<u8>) {
    out.clear();
    e.as_ref().append_canonical(out);
}

/// An event borrowed from wherever it is stored (a database row, a buffer): the same fields as
/// [`EventRecord`] without owning them, so a bulk reader can encode rows without allocating.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventRef<'a> {
    pub seq: u64,
    pub id: &'a [u8; 16],
    pub at_us: i64,
    pub actor: &'a str,
    pub action: &'a str,
    pub subject: &'a str,
    pub clause: Option<&'a str>,
    pub justification: Option<&'a str>,
    pub before_digest: Option<&'a str>,
    pub after_digest: Option<&'a str>,
    pub detail: &'a str,
}

impl EventRecord {
    /// Borrow the record as an [`EventRef`].
    pub fn as_ref(&self) -> EventRef<'_> {
        EventRef {
            seq: self.seq,
            id: self.id.as_bytes(),
            at_us: self.at_us,
            actor: &self.actor,
            action: &self.action,
            subject: &self.subject,
            clause: self.clause.as_deref(),
            justification: self.justification.as_deref(),
            before_digest: self.before_digest.as_deref(),
            after_digest: self.after_digest.as_deref(),
            detail: &self.detail,
        }
    }
}

impl EventRef<'_> {
    /// Append the [`canonical_bytes`] of this event to `out` (which is not cleared).
    pub fn append_canonical(&self, out: &mut Vec<u8>) {
        let e = self;
        let opt_len = |o: &Option<&str>| 1 + o.map_or(0, |s| 4 + s.len());
        let len = 1
            + 8
            + 16
            + 8
            + 12
            + e.actor.len()
            + e.action.len()
            + e.subject.len()
            + opt_len(&e.clause)
            + opt_len(&e.justification)
            + opt_len(&e.before_digest)
            + opt_len(&e.after_digest)
            + 4
            + e.detail.len();
        out.reserve(len);
        out.push(CANONICAL_VERSION);
        out.extend_from_slice(&e.seq.to_be_bytes());
        out.extend_from_slice(e.id);
        out.extend_from_slice(&e.at_us.to_be_bytes());
        put_str(out, e.actor);
        put_str(out, e.action);
        put_str(out, e.subject);
        put_opt(out, e.clause);
        put_opt(out, e.justification);
        put_opt(out, e.before_digest);
        put_opt(out, e.after_digest);
        put_str(out, e.detail);
    }
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    let len = u32::try_from(s.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&s.as_bytes()[..len as usize]);
}

fn put_opt(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            put_str(out, s);
        }
    }
}

/// Inverse of [`canonical_bytes`]: rejects a wrong version byte, truncation, bad option tags,
/// invalid UTF-8 and trailing bytes.
pub fn decode_canonical(b: &[u8]) -> Result<EventRecord, AuditError> {
    let mut r = Reader(b);
    if r.take::<1>()? != [CANONICAL_VERSION] {
        return Err(AuditError::BadCanonical("unknown version byte"));
    }
    let e = EventRecord {
        seq: u64::from_be_bytes(r.take()?),
        id: uuid::Uuid::from_bytes(r.take()?),
        at_us: i64::from_be_bytes(r.take()?),
        actor: r.string()?,
        action: r.string()?,
        subject: r.string()?,
        clause: r.option()?,
        justification: r.option()?,
        before_digest: r.option()?,
        after_digest: r.option()?,
        detail: r.string()?,
    };
    if !r.0.is_empty() {
        return Err(AuditError::BadCanonical("trailing bytes"));
    }
    Ok(e)
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], AuditError> {
        let (head, rest) = self.0.split_first_chunk::<N>().ok_or(AuditError::BadCanonical("truncated"))?;
        self.0 = rest;
        Ok(*head)
    }

    fn string(&mut self) -> Result<String, AuditError> {
        let len = usize::try_from(u32::from_be_bytes(self.take()?))
            .map_err(|_| AuditError::BadCanonical("length does not fit in memory"))?;
        if self.0.len() < len {
            return Err(AuditError::BadCanonical("truncated"));
        }
        let (head, rest) = self.0.split_at(len);
        self.0 = rest;
        String::from_utf8(head.to_vec()).map_err(|_| AuditError::BadCanonical("string is not UTF-8"))
    }

    fn option(&mut self) -> Result<Option<String>, AuditError> {
        match self.take::<1>()? {
            [0] => Ok(None),
            [1] => self.string().map(Some),
            _ => Err(AuditError::BadCanonical("option tag is not 0 or 1")),
        }
    }
}

/// Lowercase hex SHA-256 of the compact JSON text of `v`, with object members sorted by key at
/// every level.
///
/// This is byte-for-byte `serde_json::to_vec(v)` in a build where serde_json keeps maps sorted
/// (its default). Sorting here keeps the digest stable even when another crate in the build turns
/// on serde_json's `preserve_order` feature, which would otherwise make the digest depend on the
/// order members were inserted. Invariant: equal `Value`s always have equal digests.
pub fn digest_json(v: &serde_json::Value) -> String {
    let mut text = String::new();
    write_sorted_json(v, &mut text);
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Lowercase hex HMAC-SHA256 under `key` of the same text as [`digest_json`]: the digest the
/// store writes for an event's `before` and `after` records. An unkeyed digest of a person
/// record can be reversed by guessing (a declared personal phone number has few possibilities),
/// so the store keys every new digest with a secret kept in the database and shown by no page
/// or API; only someone holding the key can test a guess. Equal `Value`s under one key always
/// have equal digests, so "did this record change" still reads from the log.
pub fn keyed_digest_json(key: &[u8; 32], v: &serde_json::Value) -> String {
    use hmac::Mac as _;
    let mut text = String::new();
    write_sorted_json(v, &mut text);
    // RFC 2104 pads a key shorter than the hash's 64-byte block with zeros, so the padded block
    // is the same key (and the fixed size means no error case).
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(key);
    let mut mac = <hmac::Hmac<Sha256> as hmac::digest::KeyInit>::new(&block.into());
    mac.update(text.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn write_sorted_json(v: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match v {
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_sorted_json(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, value)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                // A JSON string literal, escaped exactly as serde_json escapes it.
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_sorted_json(value, out);
            }
            out.push('}');
        }
        // Scalars have a single compact form; `Display` for `Value` is serde_json's compact writer.
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// Whether `name` may name a note signing key: non-empty, with no Unicode whitespace and no '+'
/// (the C2SP signed-note rules).
pub fn is_valid_key_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// The signature type byte of Ed25519 in C2SP signed notes.
const ED25519_ALG: u8 = 0x01;

/// The 4-byte key id of an Ed25519 note key: the first 4 bytes of
/// `SHA-256(key_name || 0x0A || 0x01 || public key)`. Stable for a given name and key.
pub fn key_id(key_name: &str, key: &VerifyingKey) -> [u8; 4] {
    let digest = Sha256::new()
        .chain_update(key_name.as_bytes())
        .chain_update([b'\n', ED25519_ALG])
        .chain_update(key.as_bytes())
        .finalize();
    [digest[0], digest[1], digest[2], digest[3]]
}

/// The verifier key text used by note verifiers: `<name>+<hex key_id>+<base64(0x01 || pubkey)>`,
/// with the key id as 8 lowercase hex digits.
pub fn verifier_key_text(key_name: &str, key: &VerifyingKey) -> String {
    let mut raw = [0u8; 33];
    raw[0] = ED25519_ALG;
    raw[1..].copy_from_slice(key.as_bytes());
    format!("{key_name}+{}+{}", hex::encode(key_id(key_name, key)), BASE64.encode(raw))
}

/// Parses [`verifier_key_text`] output back into the key name and public key, checking that the
/// embedded key id matches the name and key.
pub fn parse_verifier_key(text: &str) -> Result<(String, VerifyingKey), AuditError> {
    let mut parts = text.split('+');
    let (Some(name), Some(id_hex), Some(key_b64), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(AuditError::BadVerifierKey("expected <name>+<key id>+<key>"));
    };
    if !is_valid_key_name(name) {
        return Err(AuditError::BadKeyName);
    }
    let raw = BASE64.decode(key_b64).map_err(|_| AuditError::BadVerifierKey("key is not base64"))?;
    let Some((&ED25519_ALG, pk)) = raw.split_first() else {
        return Err(AuditError::BadVerifierKey("not an Ed25519 key"));
    };
    let pk: &[u8; 32] = pk.try_into().map_err(|_| AuditError::BadVerifierKey("Ed25519 key is not 32 bytes"))?;
    let key = VerifyingKey::from_bytes(pk).map_err(|_| AuditError::BadVerifierKey("not a valid Ed25519 point"))?;
    if id_hex.len() != 8 || id_hex != hex::encode(key_id(name, &key)) {
        return Err(AuditError::BadVerifierKey("key id does not match the name and key"));
    }
    Ok((name.to_owned(), key))
}

/// At most this many signature lines are read from a note (as in the reference implementation).
const MAX_NOTE_SIGNATURES: usize = 100;

/// The em dash and space that start every signature line of a signed note.
const SIG_LINE_PREFIX: &str = "\u{2014} ";

/// Signs `text` as a C2SP signed note with one Ed25519 signature: `text`, a blank line, then
/// `"— <key name> <base64(key_id || signature over text)>\n"`.
///
/// `text` must be non-empty, end with a newline and contain no other control characters, and
/// `key_name` must pass [`is_valid_key_name`]; otherwise [`open_note`] will reject the result.
pub fn sign_note(text: &str, key_name: &str, key: &SigningKey) -> String {
    let signature = key.sign(text.as_bytes());
    let mut raw = [0u8; 68];
    raw[..4].copy_from_slice(&key_id(key_name, &key.verifying_key()));
    raw[4..].copy_from_slice(&signature.to_bytes());
    format!("{text}\n{SIG_LINE_PREFIX}{key_name} {}\n", BASE64.encode(raw))
}

/// Splits a C2SP signed note, checks it carries a valid Ed25519 signature by `key_name`/`key`,
/// and returns the signed text (ending in a newline).
///
/// Signature lines by other keys are ignored (they may be witness cosignatures); a line with the
/// expected name and key id whose signature does not verify is an error, and so is a note with
/// no line by the expected key.
pub fn open_note<'a>(note: &'a str, key_name: &str, key: &VerifyingKey) -> Result<&'a str, AuditError> {
    if note.chars().any(|c| c.is_control() && c != '\n') {
        return Err(AuditError::MalformedNote("contains a control character"));
    }
    let split = note.rfind("\n\n").ok_or(AuditError::MalformedNote("no blank line before the signatures"))?;
    let text = &note[..=split];
    let sig_block =
        note[split + 2..].strip_suffix('\n').ok_or(AuditError::MalformedNote("signatures must end with a newline"))?;
    let want_id = key_id(key_name, key);
    let mut verified = false;
    for (i, line) in sig_block.split('\n').enumerate() {
        if i >= MAX_NOTE_SIGNATURES {
            return Err(AuditError::MalformedNote("too many signatures"));
        }
        let rest = line
            .strip_prefix(SIG_LINE_PREFIX)
            .ok_or(AuditError::MalformedNote("signature line must start with an em dash and a space"))?;
        let (name, sig_b64) =
            rest.split_once(' ').ok_or(AuditError::MalformedNote("signature line needs a key name and a signature"))?;
        if !is_valid_key_name(name) {
            return Err(AuditError::MalformedNote("invalid key name in a signature line"));
        }
        let raw = BASE64.decode(sig_b64).map_err(|_| AuditError::MalformedNote("signature is not base64"))?;
        let Some((id, sig)) = raw.split_first_chunk::<4>() else {
            return Err(AuditError::MalformedNote("signature is shorter than a key id"));
        };
        if sig.is_empty() {
            return Err(AuditError::MalformedNote("signature is empty"));
        }
        if name != key_name || *id != want_id {
            continue;
        }
        let bad = || AuditError::BadSignature { key_name: key_name.to_owned() };
        let sig: &[u8; 64] = sig.try_into().map_err(|_| bad())?;
        key.verify_strict(text.as_bytes(), &Signature::from_bytes(sig)).map_err(|_| bad())?;
        verified = true;
    }
    if !verified {
        return Err(AuditError::NotSignedByKey { key_name: key_name.to_owned() });
    }
    Ok(text)
}

/// A C2SP tlog checkpoint (<https://c2sp.org/tlog-checkpoint>): the log's origin line, tree size
/// and root.
///
/// Invariant (checked by [`Checkpoint::new`] and [`Checkpoint::open`]): `origin` is a non-empty
/// line with no control characters, so the body has exactly three lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

impl Checkpoint {
    /// A checkpoint, rejecting an origin that would not make a single non-empty line.
    pub fn new(origin: impl Into<String>, size: u64, root: Hash) -> Result<Self, AuditError> {
        let origin = origin.into();
        if origin.is_empty() || origin.chars().any(char::is_control) {
            return Err(AuditError::MalformedCheckpoint("origin must be one non-empty line"));
        }
        Ok(Self { origin, size, root })
    }

    /// The signed body: `"<origin>\n<size in decimal>\n<base64 std root>\n"`.
    pub fn body(&self) -> String {
        format!("{}\n{}\n{}\n", self.origin, self.size, BASE64.encode(self.root))
    }

    /// The whole signed note: the body, a blank line, then one signature line
    /// `"— <key name> <base64(key_id || Ed25519 signature over the body)>\n"`.
    ///
    /// The caller must use a key name that passes [`is_valid_key_name`] and an origin accepted by
    /// [`Checkpoint::new`]; [`Checkpoint::open`] rejects notes that break either rule.
    pub fn sign(&self, key_name: &str, key: &SigningKey) -> String {
        sign_note(&self.body(), key_name, key)
    }

    /// Opens a signed note with [`open_note`] (error unless a valid signature by `key_name`/`key`
    /// is present) and parses the signed text with [`Checkpoint::parse_body`]. The caller must
    /// still check that `origin` is the log it expects.
    pub fn open(note: &str, key_name: &str, key: &VerifyingKey) -> Result<Checkpoint, AuditError> {
        Self::parse_body(open_note(note, key_name, key)?)
    }

    /// Parses an (unsigned) checkpoint body: origin line, canonical decimal size, base64 root of
    /// 32 bytes, then optional non-empty extension lines (allowed by the format, ignored here),
    /// each line ending in a newline.
    pub fn parse_body(text: &str) -> Result<Checkpoint, AuditError> {
        let bad = AuditError::MalformedCheckpoint;
        let text = text.strip_suffix('\n').ok_or(bad("body must end with a newline"))?;
        let mut lines = text.split('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next()) else {
            return Err(bad("needs origin, size and root lines"));
        };
        if lines.any(str::is_empty) {
            return Err(bad("extension lines must not be empty"));
        }
        let size = size
            .parse::<u64>()
            .ok()
            .filter(|n| n.to_string() == size)
            .ok_or(bad("size is not a canonical decimal number"))?;
        let root: Hash = BASE64
            .decode(root)
            .ok()
            .and_then(|r| r.try_into().ok())
            .ok_or(bad("root is not 32 bytes of standard base64"))?;
        Checkpoint::new(origin, size, root)
    }
}

/// The first problem a [`Verifier`] found. Every variant names the event (`seq`) or the
/// checkpoint size at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Tamper {
    /// A later seq arrived early: events `expected..found` are missing (deleted, or moved later).
    #[error("event seq {found} arrived where seq {expected} was expected: events {expected} to {} are missing or out of order", found.saturating_sub(1))]
    SeqGap { expected: u64, found: u64 },
    /// An earlier seq arrived again: a duplicate or a reordering.
    #[error("event seq {found} arrived where seq {expected} was expected: duplicated or reordered event")]
    SeqRepeat { expected: u64, found: u64 },
    /// The event's content does not hash to its stored leaf: the event was altered.
    #[error("event seq {seq}: content does not match its stored leaf hash (event altered)")]
    LeafMismatch { seq: u64 },
    /// The stored chain value after this event differs from the chain recomputed over all
    /// leaves so far: the event (or its stored hashes) was rewritten.
    #[error(
        "event seq {seq}: stored chain hash does not match the chain recomputed from events 0 to {seq} (event or its hashes rewritten)"
    )]
    ChainMismatch { seq: u64 },
    /// A signed checkpoint's root differs from the recomputed root at its size.
    #[error("signed checkpoint at size {size}: root does not match the root recomputed from events 0 to {}", size.saturating_sub(1))]
    CheckpointMismatch { size: u64 },
    /// A signed checkpoint covers more events than the log holds: events were removed from the end.
    #[error("signed checkpoint covers {size} events but the log holds only {log_size}: events were removed")]
    CheckpointBeyondLog { size: u64, log_size: u64 },
    /// The verifier was not asked to keep the root at this size (pass it to [`Verifier::new`]).
    #[error("the root at size {size} was not kept, so the checkpoint cannot be checked")]
    CheckpointSizeNotKept { size: u64 },
}

/// Streaming verifier behind `custodian audit verify`. Feed it every stored event in seq order,
/// with the stored leaf hash and the stored root after that event; it recomputes the tree from
/// event content alone and stops at the first event that is out of order or inconsistent.
///
/// Invariants: after `n` accepted events, `size() == n` and `root()` is the root of their leaves;
/// once a [`Tamper`] is reported the verifier is stuck and repeats it. Per event it does one
/// canonical encoding into a reused buffer, one leaf hash and `popcount(seq)` node hashes, with no
/// other allocation.
#[derive(Debug, Clone)]
pub struct Verifier {
    frontier: Frontier,
    chain: Hash,
    buf: Vec<u8>,
    /// Sizes whose roots to keep, sorted ascending, deduplicated, all > 0.
    keep: Vec<u64>,
    /// Index into `keep` of the next size to record.
    next_keep: usize,
    /// Roots kept so far, ascending by size.
    kept: Vec<(u64, Hash)>,
    failed: Option<Tamper>,
}

impl Verifier {
    /// A verifier that will keep the roots at `checkpoint_sizes` for [`Verifier::check_checkpoint`].
    pub fn new(checkpoint_sizes: &[u64]) -> Self {
        let mut keep: Vec<u64> = checkpoint_sizes.iter().copied().filter(|&s| s > 0).collect();
        keep.sort_unstable();
        keep.dedup();
        Self {
            frontier: Frontier::new(),
            chain: CHAIN_START,
            buf: Vec::with_capacity(1024),
            kept: Vec::with_capacity(keep.len()),
            keep,
            next_keep: 0,
            failed: None,
        }
    }

    /// Checks the next stored event. `stored_leaf` and `stored_chain` are what the store recorded
    /// for it: its leaf hash and the chain value after it ([`chain_hash`]).
    ///
    /// Checks, in order: `e.seq` is the next index; the leaf recomputed from the content equals
    /// `stored_leaf`; the chain recomputed over all leaves so far equals `stored_chain`. The tree
    /// itself is extended in O(1) amortised time; its root is computed only at the kept sizes.
    pub fn feed(&mut self, e: &EventRecord, stored_leaf: &Hash, stored_chain: &Hash) -> Result<(), Tamper> {
        if let Some(t) = &self.failed {
            return Err(t.clone());
        }
        let expected = self.frontier.size();
        if e.seq != expected {
            let found = e.seq;
            let t = if found > expected {
                Tamper::SeqGap { expected, found }
            } else {
                Tamper::SeqRepeat { expected, found }
            };
            return Err(self.fail(t));
        }
        canonical_bytes_into(e, &mut self.buf);
        let leaf = leaf_hash(&self.buf);
        self.feed_leaf(e.seq, &leaf, stored_leaf, stored_chain)
    }

    /// [`Verifier::feed`] for a caller that has already computed the event's leaf hash from its
    /// content (`leaf`, e.g. on another thread): the same checks in the same order.
    pub fn feed_leaf(&mut self, seq: u64, leaf: &Hash, stored_leaf: &Hash, stored_chain: &Hash) -> Result<(), Tamper> {
        if let Some(t) = &self.failed {
            return Err(t.clone());
        }
        let expected = self.frontier.size();
        if seq != expected {
            let t = if seq > expected {
                Tamper::SeqGap { expected, found: seq }
            } else {
                Tamper::SeqRepeat { expected, found: seq }
            };
            return Err(self.fail(t));
        }
        let leaf = *leaf;
        if leaf != *stored_leaf {
            return Err(self.fail(Tamper::LeafMismatch { seq }));
        }
        let chain = chain_hash(&self.chain, &leaf);
        if chain != *stored_chain {
            return Err(self.fail(Tamper::ChainMismatch { seq }));
        }
        self.chain = chain;
        self.frontier.push(leaf);
        let size = self.frontier.size();
        if self.keep.get(self.next_keep) == Some(&size) {
            self.kept.push((size, self.frontier.root()));
            self.next_keep += 1;
        }
        Ok(())
    }

    fn fail(&mut self, t: Tamper) -> Tamper {
        self.failed = Some(t.clone());
        t
    }

    /// The first problem found, if any.
    pub fn tamper(&self) -> Option<&Tamper> {
        self.failed.as_ref()
    }

    /// How many events have been accepted.
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    /// The root recomputed over the accepted events ([`empty_root`] before any).
    pub fn root(&self) -> Hash {
        self.frontier.root()
    }

    /// The recomputed root at `size`: known for 0, the current size, and every size passed to
    /// [`Verifier::new`] that has been reached.
    pub fn root_at(&self, size: u64) -> Option<Hash> {
        if size == 0 {
            return Some(empty_root());
        }
        if size == self.size() {
            return Some(self.frontier.root());
        }
        self.kept.binary_search_by_key(&size, |&(s, _)| s).ok().map(|i| self.kept[i].1)
    }

    /// Compares a signed checkpoint (already opened and its origin checked) with the recomputed
    /// tree at its size. A checkpoint beyond the accepted events means events were removed from
    /// the end, unless the stream already stopped at a [`Tamper`], which is then repeated.
    pub fn check_checkpoint(&self, cp: &Checkpoint) -> Result<(), Tamper> {
        if cp.size > self.size() {
            return Err(match &self.failed {
                Some(t) => t.clone(),
                None => Tamper::CheckpointBeyondLog { size: cp.size, log_size: self.size() },
            });
        }
        match self.root_at(cp.size) {
            None => Err(Tamper::CheckpointSizeNotKept { size: cp.size }),
            Some(root) if root != cp.root => Err(Tamper::CheckpointMismatch { size: cp.size }),
            Some(_) => Ok(()),
        }
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn h(hex_text: &str) -> Hash {
        let bytes = hex::decode(hex_text).expect("test hex");
        bytes.try_into().expect("32 bytes")
    }

    /// The leaf inputs of the RFC 6962 reference test data (certificate-transparency test suite).
    const RFC6962_LEAVES: [&str; 8] =
        ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

    /// Published roots of the first 1..=8 of those leaves.
    const RFC6962_ROOTS: [&str; 8] = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    fn rfc_leaves() -> Vec<Hash> {
        RFC6962_LEAVES.iter().map(|d| leaf_hash(&hex::decode(d).expect("test hex"))).collect()
    }

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n as u64).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    #[test]
    fn the_empty_tree_has_the_sha256_of_the_empty_string_as_root() {
        assert_eq!(empty_root(), h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        assert_eq!(root_of(&[]), empty_root());
        assert_eq!(Frontier::new().root(), empty_root());
    }

    #[test]
    fn roots_over_the_rfc6962_test_data_match_the_published_values() {
        let all = rfc_leaves();
        for n in 1..=8 {
            assert_eq!(root_of(&all[..n]), h(RFC6962_ROOTS[n - 1]), "root over {n} leaves");
        }
    }

    #[test]
    fn the_frontier_reproduces_the_rfc6962_roots_at_every_size() {
        let mut f = Frontier::new();
        for (i, leaf) in rfc_leaves().into_iter().enumerate() {
            f.push(leaf);
            assert_eq!(f.root(), h(RFC6962_ROOTS[i]));
        }
    }

    /// The worked example of RFC 6962 section 2.1.3: seven leaves a..g(=j in the RFC).
    #[test]
    fn proofs_match_the_worked_examples_of_rfc6962() {
        let d = leaves(7);
        let (a, b, c, dd, e, f, j) = (d[0], d[1], d[2], d[3], d[4], d[5], d[6]);
        let g = node_hash(&a, &b);
        let hh = node_hash(&c, &dd);
        let i = node_hash(&e, &f);
        let k = node_hash(&g, &hh);
        let l = node_hash(&i, &j);
        assert_eq!(root_of(&d), node_hash(&k, &l));
        assert_eq!(inclusion_proof(0, &d).expect("proof"), vec![b, hh, l]);
        assert_eq!(inclusion_proof(3, &d).expect("proof"), vec![c, g, l]);
        assert_eq!(inclusion_proof(4, &d).expect("proof"), vec![f, j, k]);
        assert_eq!(inclusion_proof(6, &d).expect("proof"), vec![i, k]);
        assert_eq!(consistency_proof(3, &d).expect("proof"), vec![c, dd, g, l]);
        assert_eq!(consistency_proof(4, &d).expect("proof"), vec![l]);
        assert_eq!(consistency_proof(6, &d).expect("proof"), vec![i, j, k]);
        assert!(verify_consistency(3, 7, &root_of(&d[..3]), &root_of(&d), &[c, dd, g, l]));
        assert!(verify_consistency(4, 7, &root_of(&d[..4]), &root_of(&d), &[l]));
        assert!(verify_consistency(6, 7, &root_of(&d[..6]), &root_of(&d), &[i, j, k]));
    }

    #[test]
    fn proofs_are_refused_for_leaves_or_sizes_the_tree_does_not_have() {
        let d = leaves(5);
        assert_eq!(inclusion_proof(5, &d), Err(AuditError::IndexOutOfRange { index: 5, size: 5 }));
        assert!(inclusion_proof(0, &[]).is_err());
        assert_eq!(consistency_proof(6, &d), Err(AuditError::OldSizeTooLarge { old_size: 6, size: 5 }));
        assert_eq!(consistency_proof(0, &d), Ok(vec![]));
        assert_eq!(consistency_proof(5, &d), Ok(vec![]));
        assert_eq!(inclusion_proof(0, &d[..1]), Ok(vec![]));
        assert!(verify_inclusion(0, 1, &d[0], &[], &d[0]));
        assert!(!verify_inclusion(1, 1, &d[0], &[], &d[0]));
    }

    #[test]
    fn consistency_edge_cases_follow_the_documented_rules() {
        let d = leaves(9);
        let root = root_of(&d);
        assert!(verify_consistency(0, 9, &empty_root(), &root, &[]));
        assert!(!verify_consistency(0, 9, &root, &root, &[]));
        assert!(verify_consistency(9, 9, &root, &root, &[]));
        assert!(!verify_consistency(9, 9, &root, &root, &[root]));
        assert!(!verify_consistency(9, 9, &root, &empty_root(), &[]));
        assert!(!verify_consistency(9, 4, &root, &root_of(&d[..4]), &[]));
        assert!(!verify_consistency(4, 9, &root_of(&d[..4]), &root, &[]));
    }

    #[test]
    fn frontier_bytes_with_the_wrong_shape_are_rejected() {
        assert!(Frontier::from_bytes(&[0; 7]).is_err());
        assert_eq!(Frontier::from_bytes(&[0; 8]), Ok(Frontier::new()));
        // Size 3 needs two nodes.
        let mut b = 3u64.to_be_bytes().to_vec();
        b.extend_from_slice(&[1; 32]);
        assert!(Frontier::from_bytes(&b).is_err());
        b.extend_from_slice(&[2; 32]);
        assert!(Frontier::from_bytes(&b).is_ok());
        b.push(0);
        assert!(Frontier::from_bytes(&b).is_err());
        let mut huge = u64::MAX.to_be_bytes().to_vec();
        huge.extend_from_slice(&[0; 64 * 32]);
        assert!(Frontier::from_bytes(&huge).is_err());
    }

    // Each case checks every prefix, index or old size of its tree, so a few dozen cases cover all
    // tree shapes below the bound many times over; the cases vary the leaf contents.
    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn the_frontier_root_equals_root_of_every_prefix(seed in any::<u64>(), n in 0usize..300) {
            let d: Vec<Hash> = (0..n as u64).map(|i| leaf_hash(&(seed ^ i).to_be_bytes())).collect();
            let mut f = Frontier::new();
            let mut g = Frontier::new();
            prop_assert_eq!(f.root(), root_of(&[]));
            for (i, leaf) in d.iter().enumerate() {
                f.push(*leaf);
                let fused = g.push_and_root(*leaf);
                let want = root_of(&d[..=i]);
                prop_assert_eq!(f.root(), want);
                prop_assert_eq!(fused, want);
                prop_assert_eq!(&f, &g);
                prop_assert_eq!(f.nodes().len() as u32, f.size().count_ones());
            }
            prop_assert_eq!(f.size(), n as u64);
        }

        #[test]
        fn frontier_bytes_round_trip(seed in any::<u64>(), n in 0usize..300) {
            let mut f = Frontier::new();
            for i in 0..n as u64 {
                f.push(leaf_hash(&(seed ^ i).to_be_bytes()));
            }
            let bytes = f.to_bytes();
            prop_assert_eq!(bytes.len(), 8 + 32 * f.size().count_ones() as usize);
            prop_assert_eq!(&bytes[..8], &(n as u64).to_be_bytes()[..]);
            let back = Frontier::from_bytes(&bytes).expect("round trip");
            prop_assert_eq!(&back, &f);
            // The restored frontier carries on exactly like the original.
            let mut a = back;
            let mut b = f;
            a.push([9; 32]);
            b.push([9; 32]);
            prop_assert_eq!(a.root(), b.root());
        }

        #[test]
        fn every_inclusion_proof_verifies_and_tampering_fails(n in 1usize..130, pick in any::<u64>(), bit in 0usize..256) {
            let d = leaves(n);
            let root = root_of(&d);
            let size = n as u64;
            for index in 0..size {
                let proof = inclusion_proof(index, &d).expect("in range");
                prop_assert!(verify_inclusion(index, size, &d[index as usize], &proof, &root));
            }
            let index = pick % size;
            let proof = inclusion_proof(index, &d).expect("in range");
            let leaf = d[index as usize];
            // The proof does not hold for any other leaf, at its own or another index.
            let other = (index + 1) % size;
            if other != index {
                prop_assert!(!verify_inclusion(index, size, &d[other as usize], &proof, &root));
                prop_assert!(!verify_inclusion(other, size, &d[other as usize], &proof, &root));
            }
            prop_assert!(!verify_inclusion(index, size, &leaf_hash(b"forged"), &proof, &root));
            // Flipping any bit of any proof element breaks it.
            if !proof.is_empty() {
                let mut bad = proof.clone();
                let at = bit % bad.len();
                bad[at][bit % 32] ^= 1 << (bit % 8);
                prop_assert!(!verify_inclusion(index, size, &leaf, &bad, &root));
            }
            // So does dropping or adding an element, or a different root.
            if let Some((_, shorter)) = proof.split_last() {
                prop_assert!(!verify_inclusion(index, size, &leaf, shorter, &root));
            }
            let mut longer = proof.clone();
            longer.push(root);
            prop_assert!(!verify_inclusion(index, size, &leaf, &longer, &root));
            prop_assert!(!verify_inclusion(index, size, &leaf, &proof, &empty_root()));
            prop_assert!(!verify_inclusion(size, size, &leaf, &proof, &root));
        }

        #[test]
        fn consistency_proofs_verify_for_every_old_size_and_tampering_fails(n in 0usize..100, bit in 0usize..256) {
            let d = leaves(n);
            let new_root = root_of(&d);
            let new_size = n as u64;
            for old in 0..=new_size {
                let old_root = root_of(&d[..old as usize]);
                let proof = consistency_proof(old, &d).expect("old <= new");
                prop_assert!(verify_consistency(old, new_size, &old_root, &new_root, &proof));
                if !proof.is_empty() {
                    let mut bad = proof.clone();
                    let at = bit % bad.len();
                    bad[at][bit % 32] ^= 1 << (bit % 8);
                    prop_assert!(!verify_consistency(old, new_size, &old_root, &new_root, &bad));
                    prop_assert!(!verify_consistency(old, new_size, &old_root, &new_root, &proof[1..]));
                    let mut wrong_old = old_root;
                    wrong_old[0] ^= 0x80;
                    prop_assert!(!verify_consistency(old, new_size, &wrong_old, &new_root, &proof));
                    let mut wrong_new = new_root;
                    wrong_new[31] ^= 0x01;
                    prop_assert!(!verify_consistency(old, new_size, &old_root, &wrong_new, &proof));
                }
                // A proof for one old size does not pass for its neighbour.
                if old > 1 && old < new_size {
                    let prev_root = root_of(&d[..old as usize - 1]);
                    prop_assert!(!verify_consistency(old - 1, new_size, &prev_root, &new_root, &proof));
                }
            }
        }
    }

    fn event(seq: u64) -> EventRecord {
        EventRecord {
            seq,
            id: uuid::Builder::from_unix_timestamp_millis(1_750_000_000_000 + seq, &[seq as u8; 10]).into_uuid(),
            at_us: 1_750_000_000_000_000 + seq as i64 * 1_000,
            actor: "person:A1234".into(),
            action: "device.allocate".into(),
            subject: format!("device:{seq}"),
            clause: Some("4.1".into()),
            justification: seq.is_multiple_of(3).then(|| "new starter".into()),
            before_digest: None,
            after_digest: Some(digest_json(&serde_json::json!({ "seq": seq }))),
            detail: r#"{"imei":"356938035643809"}"#.into(),
        }
    }

    /// A stored log: each event with the leaf and chain value the store recorded for it.
    fn stored_log(n: u64) -> Vec<(EventRecord, Hash, Hash)> {
        let mut chain = CHAIN_START;
        (0..n)
            .map(|seq| {
                let e = event(seq);
                let leaf = leaf_hash(&canonical_bytes(&e));
                chain = chain_hash(&chain, &leaf);
                (e, leaf, chain)
            })
            .collect()
    }

    /// The tree root over a stored log's first `n` leaves.
    fn root_after(log: &[(EventRecord, Hash, Hash)], n: usize) -> Hash {
        root_of(&log[..n].iter().map(|(_, l, _)| *l).collect::<Vec<_>>())
    }

    /// Recomputes the stored leaves and chain from `from` onwards, as a careful tamperer would.
    fn restamp(log: &mut [(EventRecord, Hash, Hash)], from: usize, leaves_too: bool) {
        let mut chain = CHAIN_START;
        for (i, (e, leaf, stored)) in log.iter_mut().enumerate() {
            if i >= from && leaves_too {
                *leaf = leaf_hash(&canonical_bytes(e));
            }
            chain = chain_hash(&chain, leaf);
            if i >= from {
                *stored = chain;
            }
        }
    }

    fn verify(log: &[(EventRecord, Hash, Hash)], sizes: &[u64]) -> (Verifier, Result<(), Tamper>) {
        let mut v = Verifier::new(sizes);
        for (e, leaf, root) in log {
            if let Err(t) = v.feed(e, leaf, root) {
                return (v, Err(t));
            }
        }
        (v, Ok(()))
    }

    #[test]
    fn an_untouched_log_verifies_and_keeps_the_requested_roots() {
        let log = stored_log(100);
        let (v, result) = verify(&log, &[64, 10, 10, 0, 1000]);
        assert_eq!(result, Ok(()));
        assert_eq!(v.size(), 100);
        let all: Vec<Hash> = log.iter().map(|(_, leaf, _)| *leaf).collect();
        assert_eq!(v.root(), root_of(&all));
        assert_eq!(v.root_at(10), Some(root_of(&all[..10])));
        assert_eq!(v.root_at(64), Some(root_of(&all[..64])));
        assert_eq!(v.root_at(0), Some(empty_root()));
        assert_eq!(v.root_at(100), Some(v.root()));
        assert_eq!(v.root_at(11), None);
        assert_eq!(v.tamper(), None);
    }

    #[test]
    fn the_verifier_names_an_event_whose_field_was_altered() {
        let mut log = stored_log(40);
        log[17].0.justification = Some("edited later".into());
        assert_eq!(verify(&log, &[]).1, Err(Tamper::LeafMismatch { seq: 17 }));
        let mut log = stored_log(40);
        log[5].0.at_us += 1;
        assert_eq!(verify(&log, &[]).1, Err(Tamper::LeafMismatch { seq: 5 }));
    }

    #[test]
    fn the_verifier_names_the_gap_left_by_a_deleted_event() {
        let mut log = stored_log(40);
        log.remove(23);
        let (v, result) = verify(&log, &[]);
        assert_eq!(result, Err(Tamper::SeqGap { expected: 23, found: 24 }));
        assert_eq!(v.size(), 23);
    }

    #[test]
    fn the_verifier_names_the_first_of_two_swapped_events() {
        let mut log = stored_log(40);
        log.swap(8, 9);
        assert_eq!(verify(&log, &[]).1, Err(Tamper::SeqGap { expected: 8, found: 9 }));
        // Renumbering the swapped events to hide the swap breaks their leaves instead.
        log[8].0.seq = 8;
        log[9].0.seq = 9;
        assert_eq!(verify(&log, &[]).1, Err(Tamper::LeafMismatch { seq: 8 }));
    }

    #[test]
    fn the_verifier_names_a_duplicated_event() {
        let mut log = stored_log(10);
        let dup = log[4].clone();
        log.insert(5, dup);
        assert_eq!(verify(&log, &[]).1, Err(Tamper::SeqRepeat { expected: 5, found: 4 }));
    }

    #[test]
    fn recomputing_the_stored_chain_after_an_edit_still_names_the_edited_event() {
        // Chain recomputed over the edited content, leaf left alone: the leaf gives it away.
        let mut log = stored_log(50);
        log[30].0.actor = "person:B9999".into();
        let edited = leaf_hash(&canonical_bytes(&log[30].0));
        let mut chain = CHAIN_START;
        for (i, (_, leaf, stored)) in log.iter_mut().enumerate() {
            chain = chain_hash(&chain, if i == 30 { &edited } else { leaf });
            *stored = chain;
        }
        assert_eq!(verify(&log, &[]).1, Err(Tamper::LeafMismatch { seq: 30 }));

        // Leaf recomputed but not the chain: the chain at that very event no longer matches.
        let mut log = stored_log(50);
        log[30].0.actor = "person:B9999".into();
        log[30].1 = leaf_hash(&canonical_bytes(&log[30].0));
        assert_eq!(verify(&log, &[]).1, Err(Tamper::ChainMismatch { seq: 30 }));

        // A stored chain value altered on its own is named too.
        let mut log = stored_log(50);
        log[12].2[0] ^= 1;
        assert_eq!(verify(&log, &[]).1, Err(Tamper::ChainMismatch { seq: 12 }));
    }

    #[test]
    fn a_fully_restamped_log_is_caught_by_an_earlier_signed_checkpoint() {
        let log = stored_log(50);
        let key = SigningKey::from_bytes(&[7; 32]);
        let note = Checkpoint::new("custodian.example/audit", 50, root_after(&log, 50))
            .expect("origin")
            .sign("custodian", &key);
        let cp = Checkpoint::open(&note, "custodian", &key.verifying_key()).expect("signed");

        let mut tampered = log.clone();
        tampered[30].0.actor = "person:B9999".into();
        restamp(&mut tampered, 30, true);
        let (v, result) = verify(&tampered, &[50]);
        assert_eq!(result, Ok(()), "a consistent rewrite cannot be seen without a checkpoint");
        assert_eq!(v.check_checkpoint(&cp), Err(Tamper::CheckpointMismatch { size: 50 }));

        let (v, result) = verify(&log, &[50]);
        assert_eq!(result, Ok(()));
        assert_eq!(v.check_checkpoint(&cp), Ok(()));
    }

    #[test]
    fn events_removed_from_the_end_are_caught_by_the_checkpoint() {
        let log = stored_log(20);
        let cp = Checkpoint::new("o", 20, root_after(&log, 20)).expect("origin");
        let (v, result) = verify(&log[..18], &[10, 20]);
        assert_eq!(result, Ok(()));
        assert_eq!(v.check_checkpoint(&cp), Err(Tamper::CheckpointBeyondLog { size: 20, log_size: 18 }));
        let mid = Checkpoint::new("o", 10, root_after(&log, 10)).expect("origin");
        assert_eq!(v.check_checkpoint(&mid), Ok(()));
        let unkept = Checkpoint::new("o", 11, root_after(&log, 11)).expect("origin");
        assert_eq!(v.check_checkpoint(&unkept), Err(Tamper::CheckpointSizeNotKept { size: 11 }));
    }

    #[test]
    fn the_verifier_stays_failed_after_the_first_tamper() {
        let mut log = stored_log(10);
        log[3].0.detail = "{}".into();
        let mut v = Verifier::new(&[8]);
        let mut errors = Vec::new();
        for (e, leaf, root) in &log {
            if let Err(t) = v.feed(e, leaf, root) {
                errors.push(t);
            }
        }
        assert_eq!(errors, vec![Tamper::LeafMismatch { seq: 3 }; 7]);
        assert_eq!(v.size(), 3);
        assert_eq!(v.tamper(), Some(&Tamper::LeafMismatch { seq: 3 }));
        let cp = Checkpoint::new("o", 8, root_after(&log, 8)).expect("origin");
        assert_eq!(v.check_checkpoint(&cp), Err(Tamper::LeafMismatch { seq: 3 }));
    }

    #[test]
    fn tamper_messages_name_the_event() {
        assert_eq!(
            Tamper::SeqGap { expected: 3, found: 5 }.to_string(),
            "event seq 5 arrived where seq 3 was expected: events 3 to 4 are missing or out of order"
        );
        assert!(Tamper::LeafMismatch { seq: 9 }.to_string().contains("seq 9"));
        assert!(Tamper::ChainMismatch { seq: 9 }.to_string().contains("seq 9"));
    }

    #[test]
    fn the_canonical_encoding_has_the_documented_layout() {
        let e = event(0x0102);
        let b = canonical_bytes(&e);
        assert_eq!(b[0], CANONICAL_VERSION);
        assert_eq!(&b[1..9], &0x0102u64.to_be_bytes());
        assert_eq!(&b[9..25], e.id.as_bytes());
        assert_eq!(&b[25..33], &e.at_us.to_be_bytes());
        assert_eq!(&b[33..37], &12u32.to_be_bytes());
        assert_eq!(&b[37..49], b"person:A1234");
        let mut buf = vec![0xff; 3];
        canonical_bytes_into(&e, &mut buf);
        assert_eq!(buf, b);
        assert_eq!(e.check_encodable(), Ok(()));
    }

    #[test]
    fn the_canonical_encoding_separates_neighbouring_fields_and_absent_values() {
        let base = event(1);
        let mut a = base.clone();
        let mut b = base.clone();
        a.actor = "ab".into();
        a.action = "c".into();
        b.actor = "a".into();
        b.action = "bc".into();
        assert_ne!(canonical_bytes(&a), canonical_bytes(&b));
        let mut none = base.clone();
        let mut empty = base.clone();
        none.before_digest = None;
        empty.before_digest = Some(String::new());
        assert_ne!(canonical_bytes(&none), canonical_bytes(&empty));
        let mut moved = base.clone();
        moved.clause = None;
        moved.justification = base.clause.clone();
        let mut original = base;
        original.justification = None;
        assert_ne!(canonical_bytes(&moved), canonical_bytes(&original));
    }

    #[test]
    fn malformed_canonical_bytes_are_rejected() {
        let b = canonical_bytes(&event(4));
        assert!(decode_canonical(&b[..b.len() - 1]).is_err());
        let mut extra = b.clone();
        extra.push(0);
        assert!(decode_canonical(&extra).is_err());
        let mut version = b.clone();
        version[0] = 2;
        assert!(decode_canonical(&version).is_err());
        assert_eq!(decode_canonical(&b), Ok(event(4)));
    }

    fn any_event() -> impl Strategy<Value = EventRecord> {
        let text = ".{0,12}";
        (
            (any::<u64>(), any::<u128>(), any::<i64>()),
            (text, text, text),
            (proptest::option::of(text), proptest::option::of(text)),
            (proptest::option::of("[0-9a-f]{64}"), proptest::option::of("[0-9a-f]{64}")),
            text,
        )
            .prop_map(
                |((seq, id, at_us), (actor, action, subject), (clause, justification), (before, after), detail)| {
                    EventRecord {
                        seq,
                        id: uuid::Uuid::from_u128(id),
                        at_us,
                        actor,
                        action,
                        subject,
                        clause,
                        justification,
                        before_digest: before,
                        after_digest: after,
                        detail,
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn canonical_bytes_decode_back_to_the_same_event(e in any_event()) {
            let b = canonical_bytes(&e);
            prop_assert_eq!(decode_canonical(&b), Ok(e));
        }

        #[test]
        fn different_events_have_different_canonical_bytes(a in any_event(), b in any_event()) {
            prop_assert_eq!(a == b, canonical_bytes(&a) == canonical_bytes(&b));
        }
    }

    #[test]
    fn json_digests_ignore_member_order_and_match_compact_sorted_json() {
        let a: serde_json::Value =
            serde_json::from_str(r#"{"b":1,"a":{"y":[1,"x",null],"x":true},"c":"é\n"}"#).expect("json");
        let b: serde_json::Value =
            serde_json::from_str(r#"{"c":"é\n","a":{"x":true,"y":[1,"x",null]},"b":1}"#).expect("json");
        assert_eq!(digest_json(&a), digest_json(&b));
        let sorted = r#"{"a":{"x":true,"y":[1,"x",null]},"b":1,"c":"é\n"}"#;
        assert_eq!(digest_json(&a), hex::encode(Sha256::digest(sorted.as_bytes())));
        // With keys already in order, this is exactly the SHA-256 of serde_json::to_vec.
        let c = serde_json::json!({ "a": 1.5, "b": [-2, "q\"uote"] });
        let text = serde_json::to_vec(&c).expect("json");
        assert_eq!(digest_json(&c), hex::encode(Sha256::digest(&text)));
        assert_eq!(digest_json(&c).len(), 64);
        assert!(digest_json(&c).chars().all(|ch| matches!(ch, '0'..='9' | 'a'..='f')));
    }

    #[test]
    fn keyed_digests_are_hmac_sha256_and_differ_by_key() {
        // HMAC-SHA256 written out from RFC 2104 over the sorted compact JSON text.
        let mut key = [0u8; 32];
        key[..4].copy_from_slice(b"Jefe");
        let v = serde_json::json!({"personal_phones": ["+447700900123"], "name": "Jo"});
        let text = r#"{"name":"Jo","personal_phones":["+447700900123"]}"#;
        let mut inner = Sha256::new();
        let mut outer = Sha256::new();
        let mut ipad = [0x36u8; 64];
        let mut opad = [0x5cu8; 64];
        for (i, k) in key.iter().enumerate() {
            ipad[i] ^= k;
            opad[i] ^= k;
        }
        inner.update(ipad);
        inner.update(text.as_bytes());
        outer.update(opad);
        outer.update(inner.finalize());
        assert_eq!(keyed_digest_json(&key, &v), hex::encode(outer.finalize()));
        // RFC 4231 test case 2 itself, through the same padded-key path.
        let mut mac = <hmac::Hmac<Sha256> as hmac::digest::KeyInit>::new(&{
            let mut b = [0u8; 64];
            b[..4].copy_from_slice(b"Jefe");
            b.into()
        });
        hmac::Mac::update(&mut mac, b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(hmac::Mac::finalize(mac).into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_ne!(keyed_digest_json(&key, &v), digest_json(&v), "not the unkeyed digest");
        assert_ne!(keyed_digest_json(&[7u8; 32], &v), keyed_digest_json(&key, &v), "another key, another digest");
    }

    fn signing_key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    #[test]
    fn a_signed_checkpoint_opens_with_its_key() {
        let key = signing_key(1);
        let cp = Checkpoint::new("custodian.example/audit", 1234, [0xab; 32]).expect("origin");
        assert_eq!(cp.body(), format!("custodian.example/audit\n1234\n{}\n", BASE64.encode([0xab; 32])));
        let note = cp.sign("custodian.example/audit", &key);
        assert!(note.starts_with(&format!("{}\n\u{2014} custodian.example/audit ", cp.body())));
        assert!(note.ends_with('\n'));
        assert_eq!(Checkpoint::open(&note, "custodian.example/audit", &key.verifying_key()), Ok(cp));
    }

    #[test]
    fn a_checkpoint_does_not_open_with_another_key() {
        let cp = Checkpoint::new("o", 5, [1; 32]).expect("origin");
        let note = cp.sign("log", &signing_key(1));
        let other = signing_key(2).verifying_key();
        assert_eq!(Checkpoint::open(&note, "log", &other), Err(AuditError::NotSignedByKey { key_name: "log".into() }));
        assert_eq!(
            Checkpoint::open(&note, "another", &signing_key(1).verifying_key()),
            Err(AuditError::NotSignedByKey { key_name: "another".into() })
        );
    }

    #[test]
    fn a_checkpoint_with_an_altered_size_or_root_does_not_open() {
        let key = signing_key(3);
        let cp = Checkpoint::new("o", 5, [1; 32]).expect("origin");
        let note = cp.sign("log", &key);
        let bad = AuditError::BadSignature { key_name: "log".into() };
        let resized = note.replacen("\n5\n", "\n6\n", 1);
        assert_eq!(Checkpoint::open(&resized, "log", &key.verifying_key()), Err(bad.clone()));
        let reroot = note.replacen(&BASE64.encode([1; 32]), &BASE64.encode([2; 32]), 1);
        assert_ne!(reroot, note);
        assert_eq!(Checkpoint::open(&reroot, "log", &key.verifying_key()), Err(bad));
    }

    #[test]
    fn other_signers_are_ignored_but_malformed_notes_are_rejected() {
        let key = signing_key(4);
        let cp = Checkpoint::new("o", 5, [1; 32]).expect("origin");
        let note = cp.sign("log", &key);
        let witness = sign_note(&cp.body(), "witness", &signing_key(5));
        let witness_line = witness.rsplit_once("\n\n").expect("signed").1;
        let cosigned = format!("{note}{witness_line}");
        assert_eq!(Checkpoint::open(&cosigned, "log", &key.verifying_key()), Ok(cp.clone()));
        assert_eq!(Checkpoint::open(&cosigned, "witness", &signing_key(5).verifying_key()), Ok(cp.clone()));
        let vk = key.verifying_key();
        assert!(Checkpoint::open(note.trim_end(), "log", &vk).is_err());
        assert!(Checkpoint::open(&note.replace('\u{2014}', "-"), "log", &vk).is_err());
        assert!(Checkpoint::open(&note.replacen("o\n", "o\r\n", 1), "log", &vk).is_err());
        assert!(Checkpoint::open(&cp.body(), "log", &vk).is_err());
    }

    #[test]
    fn checkpoint_bodies_must_be_canonical() {
        assert!(Checkpoint::parse_body("o\n5\nAQ==\n").is_err(), "root too short");
        assert!(Checkpoint::parse_body(&format!("o\n05\n{}\n", BASE64.encode([0; 32]))).is_err());
        assert!(Checkpoint::parse_body(&format!("o\n+5\n{}\n", BASE64.encode([0; 32]))).is_err());
        assert!(Checkpoint::parse_body(&format!("\n5\n{}\n", BASE64.encode([0; 32]))).is_err());
        assert!(Checkpoint::parse_body(&format!("o\n5\n{}", BASE64.encode([0; 32]))).is_err());
        assert!(Checkpoint::parse_body(&format!("o\n5\n{}\n\n", BASE64.encode([0; 32]))).is_err());
        let ext = Checkpoint::parse_body(&format!("o\n5\n{}\nextension\n", BASE64.encode([0; 32])));
        assert_eq!(ext, Ok(Checkpoint { origin: "o".into(), size: 5, root: [0; 32] }));
        assert!(Checkpoint::new("two\nlines", 1, [0; 32]).is_err());
        assert!(Checkpoint::new("", 1, [0; 32]).is_err());
    }

    #[test]
    fn key_ids_are_stable_and_depend_on_name_and_key() {
        let vk = signing_key(9).verifying_key();
        let mut pre = b"custodian\n\x01".to_vec();
        pre.extend_from_slice(vk.as_bytes());
        let want: [u8; 4] = Sha256::digest(&pre)[..4].try_into().expect("4 bytes");
        assert_eq!(key_id("custodian", &vk), want);
        assert_eq!(key_id("custodian", &vk), key_id("custodian", &signing_key(9).verifying_key()));
        assert_ne!(key_id("custodian2", &vk), want);
        assert_ne!(key_id("custodian", &signing_key(10).verifying_key()), want);
        let text = verifier_key_text("custodian", &vk);
        assert!(text.starts_with(&format!("custodian+{}+", hex::encode(want))));
        assert_eq!(parse_verifier_key(&text), Ok(("custodian".to_owned(), vk)));
    }

    /// The example of golang.org/x/mod/sumdb/note, the reference signed-note implementation.
    const GO_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const GO_SKEY_B64: &str = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const GO_TEXT: &str =
        "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    const GO_SIG: &str = "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=";

    #[test]
    fn notes_interoperate_with_the_reference_implementation() {
        let (name, vk) = parse_verifier_key(GO_VKEY).expect("reference vkey");
        assert_eq!(name, "PeterNeumann");
        assert_eq!(key_id(&name, &vk), [0xc7, 0x4f, 0x20, 0xa3]);
        assert_eq!(verifier_key_text(&name, &vk), GO_VKEY);
        let note = format!("{GO_TEXT}\n\u{2014} PeterNeumann {GO_SIG}\n");
        assert_eq!(open_note(&note, "PeterNeumann", &vk), Ok(GO_TEXT));
        let skey = BASE64.decode(GO_SKEY_B64).expect("reference skey");
        let seed: [u8; 32] = skey[1..].try_into().expect("seed");
        let key = SigningKey::from_bytes(&seed);
        assert_eq!(key.verifying_key(), vk);
        assert_eq!(sign_note(GO_TEXT, "PeterNeumann", &key), note);
        let altered = note.replace("cryptography", "cryptographY");
        assert!(open_note(&altered, "PeterNeumann", &vk).is_err());
    }

    #[test]
    fn malformed_verifier_keys_are_rejected() {
        assert!(parse_verifier_key("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").is_err());
        assert!(parse_verifier_key("PeterNeumann+c74f20a3+AhpczQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").is_err());
        assert!(parse_verifier_key("PeterNeumann+c74f20a3").is_err());
        assert!(parse_verifier_key("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").is_err());
    }
}
