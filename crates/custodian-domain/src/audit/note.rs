//! C2SP signed notes and tlog checkpoints, and the text form of verifier keys.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest as _, Sha256};

use super::{AuditError, Hash};

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
    // The name has no '+' and the key id is hex, so the first two '+' end them; the base64 key
    // may itself contain '+' (as C2SP's reference parser allows).
    let mut parts = text.splitn(3, '+');
    let (Some(name), Some(id_hex), Some(key_b64)) = (parts.next(), parts.next(), parts.next()) else {
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

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

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
        assert!(parse_verifier_key("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW+").is_err());
    }

    #[test]
    fn a_verifier_key_whose_base64_holds_a_plus_sign_parses_back() {
        // Standard base64 uses '+': a key whose text has one after the key id must still parse.
        let found = (0u8..=255)
            .map(|i| SigningKey::from_bytes(&[i; 32]).verifying_key())
            .map(|vk| (verifier_key_text("custodian.example/audit", &vk), vk))
            .find(|(text, _)| text.splitn(3, '+').nth(2).is_some_and(|k| k.contains('+')));
        let (text, vk) = found.expect("some key's base64 holds a '+'");
        assert_eq!(parse_verifier_key(&text), Ok(("custodian.example/audit".to_string(), vk)));
    }
}
