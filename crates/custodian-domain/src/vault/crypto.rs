//! Envelope encryption of the vault's secrets (WP034 6.6, 9.1) with XChaCha20-Poly1305.
//!
//! Every stored value has its own random 256-bit data key. The value is sealed under the data key;
//! the data key is sealed ("wrapped") under the key-encryption key (KEK), which lives outside
//! the database (a key file or an environment variable, see the server's `vault::keys`). Both
//! seals carry associated data naming the account, the field and the row's id, and the wrap
//! also the KEK's id, so a sealed value or a wrapped key copied to another row, field or account
//! fails to open instead of revealing the wrong secret. Rotating the KEK re-wraps data keys and
//! never touches the sealed values.
//!
//! Stored layout: `wrapped_key` = nonce (24 bytes) || sealed data key (32 + 16-byte tag);
//! `ciphertext` = nonce (24) || sealed value (len + 16). Nonces are random (192 bits, so random
//! nonces are safe for XChaCha20). Keys and plaintexts are zeroised when dropped.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::SecretString;
use sha2::Sha256;
use uuid::Uuid;
use zeroize::Zeroizing;

use super::Field;

const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
const KEY_LEN: usize = 32;
/// Length of a stored wrapped data key.
pub const WRAPPED_LEN: usize = NONCE_LEN + KEY_LEN + TAG_LEN;

/// What can go wrong opening or sealing a secret. Messages name the account, field and key ids,
/// never a value or a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error(
        "the {field} of account {account} is sealed under vault key {stored}, but the key in use is {have}: run with \
         the key the vault was sealed with"
    )]
    WrongKey { account: Uuid, field: Field, stored: String, have: String },
    #[error(
        "the {field} of account {account} does not open: its stored {what} was altered or belongs to another \
         account, field or row (WP034 6.6); restore the row from a backup or store the value again"
    )]
    Tampered { account: Uuid, field: Field, what: &'static str },
    #[error("the vault key is not valid: {0}")]
    BadKey(String),
}

/// A key-encryption key and its id. `Debug` shows only the id; the key is zeroised when dropped.
#[derive(Clone)]
pub struct Kek {
    id: String,
    key: Zeroizing<[u8; KEY_LEN]>,
}

impl std::fmt::Debug for Kek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kek").field("id", &self.id).finish_non_exhaustive()
    }
}

fn hmac256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC takes a key of any length: `new_from_slice` cannot fail.
    let mut m = match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    };
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

impl Kek {
    /// A new random key.
    pub fn generate() -> Self {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        rand::rngs::OsRng.fill_bytes(&mut key[..]);
        Self::from_key(key)
    }

    fn from_key(key: Zeroizing<[u8; KEY_LEN]>) -> Self {
        // The id is a keyed hash of a fixed label: it names the key without revealing it.
        let tag = hmac256(&key[..], &[b"custodian vault key id v1"]);
        Self { id: format!("vk-{}", hex::encode(&tag[..8])), key }
    }

    /// The key from its text form: 64 hexadecimal digits (surrounding white space ignored).
    pub fn from_hex(text: &str) -> Result<Self, CryptoError> {
        let t = text.trim();
        if t.len() != KEY_LEN * 2 {
            return Err(CryptoError::BadKey(format!(
                "it must be {} hexadecimal digits (it has {})",
                KEY_LEN * 2,
                t.len()
            )));
        }
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        hex::decode_to_slice(t, &mut key[..]).map_err(|_| CryptoError::BadKey("it is not hexadecimal".into()))?;
        Ok(Self::from_key(key))
    }

    /// The key's text form, for its file (zeroised when dropped).
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(&self.key[..]))
    }

    /// The key's id (`vk-` and 16 hexadecimal digits), stored with every row it wraps.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The keyed hash that lets the vault tell that two accounts share a password without storing
    /// either (WP034 9.1: "no common passwords"): HMAC-SHA256 under a key derived from the KEK, so
    /// a stolen database alone cannot be searched for a guessed password. Hex.
    pub fn reuse_mac(&self, password: &str) -> String {
        let k = Zeroizing::new(hmac256(&self.key[..], &[b"custodian vault password reuse v1"]));
        hex::encode(hmac256(&k[..], &[password.as_bytes()]))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(Key::from_slice(&self.key[..]))
    }
}

/// A sealed value as stored: the KEK's id, the wrapped data key and the sealed value.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key_id: String,
    pub wrapped_key: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealed").field("key_id", &self.key_id).finish_non_exhaustive()
    }
}

fn data_aad(account: Uuid, field: Field, row: Uuid) -> String {
    format!("custodian-vault/v1/value/{account}/{field}/{row}")
}

fn key_aad(account: Uuid, field: Field, row: Uuid, key_id: &str) -> String {
    format!("custodian-vault/v1/data-key/{account}/{field}/{row}/{key_id}")
}

fn nonce() -> [u8; NONCE_LEN] {
    let mut n = [0u8; NONCE_LEN];
    rand::rngs::OsRng.fill_bytes(&mut n);
    n
}

fn seal_with(cipher: &XChaCha20Poly1305, msg: &[u8], aad: &str) -> Vec<u8> {
    let n = nonce();
    // Encryption fails only for messages longer than XChaCha20's 256 GiB limit.
    let sealed = match cipher.encrypt(XNonce::from_slice(&n), Payload { msg, aad: aad.as_bytes() }) {
        Ok(s) => s,
        Err(_) => unreachable!("a vault value is far below XChaCha20-Poly1305's length limit"),
    };
    let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
    out.extend_from_slice(&n);
    out.extend_from_slice(&sealed);
    out
}

fn open_with(cipher: &XChaCha20Poly1305, stored: &[u8], aad: &str) -> Option<Zeroizing<Vec<u8>>> {
    if stored.len() < NONCE_LEN + TAG_LEN {
        return None;
    }
    let (n, ct) = stored.split_at(NONCE_LEN);
    cipher.decrypt(XNonce::from_slice(n), Payload { msg: ct, aad: aad.as_bytes() }).ok().map(Zeroizing::new)
}

/// Seal `value` for row `row` (the account's `field`) under a fresh data key wrapped by `kek`.
pub fn seal(kek: &Kek, account: Uuid, field: Field, row: Uuid, value: &[u8]) -> Sealed {
    let mut dek = Zeroizing::new([0u8; KEY_LEN]);
    rand::rngs::OsRng.fill_bytes(&mut dek[..]);
    let data = XChaCha20Poly1305::new(Key::from_slice(&dek[..]));
    let ciphertext = seal_with(&data, value, &data_aad(account, field, row));
    let wrapped_key = seal_with(&kek.cipher(), &dek[..], &key_aad(account, field, row, kek.id()));
    Sealed { key_id: kek.id().to_string(), wrapped_key, ciphertext }
}

fn unwrap_key(
    kek: &Kek,
    account: Uuid,
    field: Field,
    row: Uuid,
    s: &Sealed,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if s.key_id != kek.id() {
        return Err(CryptoError::WrongKey { account, field, stored: s.key_id.clone(), have: kek.id().to_string() });
    }
    open_with(&kek.cipher(), &s.wrapped_key, &key_aad(account, field, row, &s.key_id))
        .filter(|k| k.len() == KEY_LEN)
        .ok_or(CryptoError::Tampered { account, field, what: "data key" })
}

/// Open a sealed value. The plaintext is zeroised when the returned secret is dropped.
pub fn open(kek: &Kek, account: Uuid, field: Field, row: Uuid, s: &Sealed) -> Result<SecretString, CryptoError> {
    let dek = unwrap_key(kek, account, field, row, s)?;
    let data = XChaCha20Poly1305::new(Key::from_slice(&dek[..]));
    let plain = open_with(&data, &s.ciphertext, &data_aad(account, field, row)).ok_or(CryptoError::Tampered {
        account,
        field,
        what: "value",
    })?;
    // Copied once into an exact-size buffer the secret owns; `plain` is zeroised on return.
    let text = std::str::from_utf8(&plain).map_err(|_| CryptoError::Tampered { account, field, what: "value" })?;
    Ok(SecretString::from(String::from(text)))
}

/// Re-wrap a value's data key from `old` to `new` (the sealed value is unchanged).
pub fn rewrap(old: &Kek, new: &Kek, account: Uuid, field: Field, row: Uuid, s: &Sealed) -> Result<Sealed, CryptoError> {
    let dek = unwrap_key(old, account, field, row, s)?;
    let wrapped_key = seal_with(&new.cipher(), &dek[..], &key_aad(account, field, row, new.id()));
    Ok(Sealed { key_id: new.id().to_string(), wrapped_key, ciphertext: s.ciphertext.clone() })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn seal_open_rewrap_and_refusals() {
        let kek = Kek::generate();
        let (a, b, row, row2) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let s = seal(&kek, a, Field::Password, row, b"correct horse battery staple");
        assert_eq!(s.wrapped_key.len(), WRAPPED_LEN);
        assert!(!s.ciphertext.windows(7).any(|w| w == b"correct"));
        assert_eq!(open(&kek, a, Field::Password, row, &s).unwrap().expose_secret(), "correct horse battery staple");
        // Another account, field or row: refused, not revealed.
        for (acc, f, r) in [(b, Field::Password, row), (a, Field::Username, row), (a, Field::Password, row2)] {
            assert!(matches!(open(&kek, acc, f, r, &s), Err(CryptoError::Tampered { .. })));
        }
        // A value swapped in from another row, under the right data key's row: refused.
        let other = seal(&kek, a, Field::Password, row2, b"another secret value");
        let swapped = Sealed { ciphertext: other.ciphertext.clone(), ..s.clone() };
        let e = open(&kek, a, Field::Password, row, &swapped).unwrap_err();
        assert!(matches!(e, CryptoError::Tampered { what: "value", .. }));
        assert!(!e.to_string().contains("another secret"));
        // Rotation: the new key opens, the old one does not.
        let new = Kek::generate();
        let r = rewrap(&kek, &new, a, Field::Password, row, &s).unwrap();
        assert_eq!(r.ciphertext, s.ciphertext);
        assert_eq!(open(&new, a, Field::Password, row, &r).unwrap().expose_secret(), "correct horse battery staple");
        assert!(matches!(open(&kek, a, Field::Password, row, &r), Err(CryptoError::WrongKey { .. })));
        // A forged key id does not help the old key.
        let forged = Sealed { key_id: kek.id().to_string(), ..r.clone() };
        assert!(matches!(open(&kek, a, Field::Password, row, &forged), Err(CryptoError::Tampered { .. })));
        // Truncated rows fail cleanly.
        let short = Sealed { ciphertext: vec![1, 2, 3], ..s.clone() };
        assert!(open(&kek, a, Field::Password, row, &short).is_err());
    }

    #[test]
    fn key_text_ids_and_reuse_macs() {
        let k = Kek::generate();
        let again = Kek::from_hex(&k.to_hex()).unwrap();
        assert_eq!(k.id(), again.id());
        assert!(k.id().starts_with("vk-") && k.id().len() == 19);
        assert!(!format!("{k:?}").contains(k.to_hex().as_str()));
        assert!(Kek::from_hex("abc").is_err());
        assert!(Kek::from_hex(&"zz".repeat(32)).is_err());
        assert_eq!(k.reuse_mac("same password here"), again.reuse_mac("same password here"));
        assert_ne!(k.reuse_mac("same password here"), Kek::generate().reuse_mac("same password here"));
        assert_ne!(k.reuse_mac("same password here"), k.reuse_mac("same password herf"));
    }
}
