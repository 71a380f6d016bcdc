//! Audit events and their canonical encoding (the preimage of each leaf), and the JSON digests
//! recorded in events.

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::AuditError;

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

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
pub(super) mod tests {
    use super::*;
    use proptest::prelude::*;
    /// An event with every field set, for tests here and in the verifier's.
    pub(in crate::audit) fn event(seq: u64) -> EventRecord {
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
}
