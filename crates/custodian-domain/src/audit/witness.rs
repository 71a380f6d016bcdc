//! Witness cosigning (C2SP tlog-witness and tlog-cosignature, Ed25519 `cosignature/v1`): a second
//! party that keeps the latest checkpoint it saw of each log, checks that every new checkpoint is
//! an append-only extension of it (a consistency proof), and only then signs it. A log whose
//! checkpoints carry a witness's cosignature cannot show one history to the witness and another
//! to someone else, nor rewrite what the witness has seen, without the witness's key.
//!
//! - the request body of `add-checkpoint`: `old <size>`, up to 63 base64 proof hashes, an empty
//!   line, then the signed checkpoint note;
//! - a cosignature line: `— <witness name> base64(key id || u64 big-endian timestamp || Ed25519
//!   signature)`, the signature over `cosignature/v1\ntime <timestamp>\n` followed by the
//!   checkpoint's body (its text without signature lines);
//! - the key id: `SHA-256(<name> || "\n" || 0x04 || public key)[:4]`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest as _, Sha256};

use super::{AuditError, Hash, is_valid_key_name};

/// The signature type byte of an Ed25519 `cosignature/v1` key.
pub const COSIGNATURE_ALG: u8 = 0x04;

/// The most consistency proof lines a request may carry.
pub const MAX_PROOF_LINES: usize = 63;

/// The key id of a witness's Ed25519 cosigning key.
pub fn cosigner_key_id(name: &str, key: &VerifyingKey) -> [u8; 4] {
    let digest = Sha256::new()
        .chain_update(name.as_bytes())
        .chain_update([b'\n', COSIGNATURE_ALG])
        .chain_update(key.as_bytes())
        .finalize();
    [digest[0], digest[1], digest[2], digest[3]]
}

/// A witness's verifier key as text: `<name>+<hex key id>+<base64(0x04 || public key)>`.
pub fn cosigner_key_text(name: &str, key: &VerifyingKey) -> String {
    let mut raw = [0u8; 33];
    raw[0] = COSIGNATURE_ALG;
    raw[1..].copy_from_slice(key.as_bytes());
    format!("{name}+{}+{}", hex::encode(cosigner_key_id(name, key)), BASE64.encode(raw))
}

/// Parse [`cosigner_key_text`] back into the name and key, checking the key id.
pub fn parse_cosigner_key(text: &str) -> Result<(String, VerifyingKey), AuditError> {
    let mut parts = text.trim().splitn(3, '+');
    let (Some(name), Some(id_hex), Some(key_b64)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(AuditError::BadVerifierKey("expected <name>+<key id>+<key>"));
    };
    if !is_valid_key_name(name) {
        return Err(AuditError::BadKeyName);
    }
    let raw = BASE64.decode(key_b64).map_err(|_| AuditError::BadVerifierKey("key is not base64"))?;
    let Some((&COSIGNATURE_ALG, pk)) = raw.split_first() else {
        return Err(AuditError::BadVerifierKey("not an Ed25519 cosignature/v1 key (type 0x04)"));
    };
    let pk: &[u8; 32] = pk.try_into().map_err(|_| AuditError::BadVerifierKey("Ed25519 key is not 32 bytes"))?;
    let key = VerifyingKey::from_bytes(pk).map_err(|_| AuditError::BadVerifierKey("not a valid Ed25519 point"))?;
    if id_hex.len() != 8 || id_hex != hex::encode(cosigner_key_id(name, &key)) {
        return Err(AuditError::BadVerifierKey("key id does not match the name and key"));
    }
    Ok((name.to_owned(), key))
}

/// The message a `cosignature/v1` signs: the header, the time line, then the checkpoint body.
pub fn cosigned_message(body: &str, timestamp: u64) -> String {
    format!("cosignature/v1\ntime {timestamp}\n{body}")
}

/// A cosignature line (ending in a newline) over the checkpoint `body` at `timestamp` (seconds
/// since the epoch).
pub fn cosign(body: &str, name: &str, key: &SigningKey, timestamp: u64) -> String {
    let signature = key.sign(cosigned_message(body, timestamp).as_bytes());
    let mut raw = Vec::with_capacity(76);
    raw.extend_from_slice(&cosigner_key_id(name, &key.verifying_key()));
    raw.extend_from_slice(&timestamp.to_be_bytes());
    raw.extend_from_slice(&signature.to_bytes());
    format!("\u{2014} {name} {}\n", BASE64.encode(raw))
}

/// The body (signed text) of a note: everything up to and including the newline before the blank
/// line that starts its signatures.
pub fn note_body(note: &str) -> Result<&str, AuditError> {
    let split = note.rfind("\n\n").ok_or(AuditError::MalformedNote("no blank line before the signatures"))?;
    Ok(&note[..=split])
}

/// Check the cosignature by witness `name`/`key` among `lines` (signature lines, e.g. a
/// witness's answer or a note's signature block) over `body`: the timestamp it carries, or an
/// error when there is none by that key or it does not verify.
pub fn verify_cosignature(body: &str, lines: &str, name: &str, key: &VerifyingKey) -> Result<u64, AuditError> {
    let want = cosigner_key_id(name, key);
    for line in lines.lines() {
        let Some(rest) = line.strip_prefix("\u{2014} ") else { continue };
        let Some((who, sig_b64)) = rest.split_once(' ') else { continue };
        if who != name {
            continue;
        }
        let Ok(raw) = BASE64.decode(sig_b64) else { continue };
        let Some((id, rest)) = raw.split_first_chunk::<4>() else { continue };
        let Some((time, sig)) = rest.split_first_chunk::<8>() else { continue };
        let Ok(sig) = <&[u8; 64]>::try_from(sig) else { continue };
        if *id != want {
            continue;
        }
        let timestamp = u64::from_be_bytes(*time);
        let sig = Signature::from_bytes(sig);
        key.verify_strict(cosigned_message(body, timestamp).as_bytes(), &sig)
            .map_err(|_| AuditError::BadSignature { key_name: name.to_owned() })?;
        return Ok(timestamp);
    }
    Err(AuditError::NotSignedByKey { key_name: name.to_owned() })
}

/// An `add-checkpoint` request: the size of the checkpoint the witness last cosigned (as the log
/// believes), the consistency proof from it, and the new signed checkpoint note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpoint {
    pub old_size: u64,
    pub proof: Vec<Hash>,
    pub note: String,
}

impl AddCheckpoint {
    /// The request body.
    pub fn to_body(&self) -> String {
        let mut out = format!("old {}\n", self.old_size);
        for h in &self.proof {
            out.push_str(&BASE64.encode(h));
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&self.note);
        out
    }

    /// Parse a request body, refusing anything the protocol does not allow (each refusal is the
    /// witness's 400).
    pub fn parse(body: &str) -> Result<Self, AuditError> {
        let bad = AuditError::MalformedNote;
        let (first, rest) = body.split_once('\n').ok_or(bad("the request must start with an old size line"))?;
        let size = first.strip_prefix("old ").ok_or(bad("the first line must be \"old <size>\""))?;
        let old_size = size
            .parse::<u64>()
            .ok()
            .filter(|n| n.to_string() == size)
            .ok_or(bad("the old size is not a canonical decimal number"))?;
        let (proof_block, note) = if let Some(note) = rest.strip_prefix('\n') {
            ("", note)
        } else {
            rest.split_once("\n\n").ok_or(bad("the proof must end with an empty line"))?
        };
        let mut proof = Vec::new();
        for line in proof_block.split('\n').filter(|l| !l.is_empty()) {
            if proof.len() == MAX_PROOF_LINES {
                return Err(bad("more than 63 consistency proof lines"));
            }
            let h: Hash = BASE64
                .decode(line)
                .ok()
                .and_then(|r| r.try_into().ok())
                .ok_or(bad("a proof line is not 32 bytes of base64"))?;
            proof.push(h);
        }
        if old_size == 0 && !proof.is_empty() {
            return Err(bad("the proof must be empty when the old size is 0"));
        }
        Ok(Self { old_size, proof, note: note.to_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Checkpoint;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    #[test]
    fn a_cosignature_verifies_for_its_key_and_body_only() {
        let cp = Checkpoint::new("custodian.example/audit", 20, [7; 32]).unwrap();
        let note = cp.sign("custodian.example/audit", &key(1));
        let body = note_body(&note).unwrap();
        assert_eq!(body, cp.body());
        let line = cosign(body, "witness.example/w1", &key(2), 1_700_000_000);
        assert!(line.starts_with("\u{2014} witness.example/w1 ") && line.ends_with('\n'));
        let w = key(2).verifying_key();
        assert_eq!(verify_cosignature(body, &line, "witness.example/w1", &w), Ok(1_700_000_000));
        // Another body, another key, another name: refused.
        let other = Checkpoint::new("custodian.example/audit", 21, [7; 32]).unwrap().body();
        assert!(matches!(
            verify_cosignature(&other, &line, "witness.example/w1", &w),
            Err(AuditError::BadSignature { .. })
        ));
        let stranger = key(3).verifying_key();
        assert!(matches!(
            verify_cosignature(body, &line, "witness.example/w1", &stranger),
            Err(AuditError::NotSignedByKey { .. })
        ));
        assert!(verify_cosignature(body, &line, "witness.example/w2", &w).is_err());
        // A note with the cosignature appended still opens for the log's key.
        let cosigned = format!("{note}{line}");
        assert_eq!(Checkpoint::open(&cosigned, "custodian.example/audit", &key(1).verifying_key()).unwrap(), cp);
    }

    #[test]
    fn the_signed_message_is_the_header_the_time_and_the_body() {
        // Written from the specification's example, independently of `cosign`.
        let body = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        assert_eq!(
            cosigned_message(body, 1679315147),
            "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        );
    }

    #[test]
    fn witness_keys_round_trip_and_are_told_apart_from_note_keys() {
        let k = key(4).verifying_key();
        let text = cosigner_key_text("witness.example/w1", &k);
        assert_eq!(parse_cosigner_key(&text).unwrap(), ("witness.example/w1".to_string(), k));
        let note_key = crate::audit::verifier_key_text("witness.example/w1", &k);
        assert!(parse_cosigner_key(&note_key).is_err(), "a 0x01 note key is not a cosigning key");
        let digest = Sha256::digest([b"witness.example/w1\n".as_slice(), &[0x04], k.as_bytes()].concat());
        assert_eq!(cosigner_key_id("witness.example/w1", &k), digest[..4]);
    }

    #[test]
    fn add_checkpoint_bodies_round_trip_and_bad_ones_are_refused() {
        let req =
            AddCheckpoint { old_size: 3, proof: vec![[1; 32], [2; 32]], note: "o\n5\nroot\n\n\u{2014} o sig\n".into() };
        assert_eq!(AddCheckpoint::parse(&req.to_body()).unwrap(), req);
        let first = AddCheckpoint { old_size: 0, proof: vec![], note: "o\n5\nroot\n\n\u{2014} o sig\n".into() };
        assert_eq!(AddCheckpoint::parse(&first.to_body()).unwrap(), first);
        for bad in [
            "",
            "old 3",
            "new 3\n\nnote",
            "old 03\n\nnote",
            "old -1\n\nnote",
            "old 0\nAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\n\nnote",
            "old 3\nnot base64!\n\nnote",
            "old 3\nAQID\n\nnote",
        ] {
            assert!(AddCheckpoint::parse(bad).is_err(), "{bad:?}");
        }
        let many = format!("old 9\n{}\nnote", "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\n".repeat(64));
        assert!(AddCheckpoint::parse(&many).is_err());
    }
}
