//! The pure core of Custodian's tamper-evident audit log: an RFC 6962 / RFC 9162 Merkle tree over
//! canonically encoded events, inclusion and consistency proofs, C2SP signed checkpoints and a
//! streaming verifier. No I/O, no clock: callers pass every value in.
//!
//! Every action taken under WP034 (allocating a device, approving a social media account, closing
//! a finding) is recorded as an [`EventRecord`]. Its leaf is `leaf_hash(canonical_bytes(event))`,
//! leaves are appended in `seq` order, and the log periodically signs a [`Checkpoint`] over the
//! tree root so that any later rewrite, deletion, insertion or reordering is detectable.

mod event;
mod merkle;
mod note;
mod subtrees;
mod verify;
mod witness;

pub use event::*;
pub use merkle::*;
pub use note::*;
pub use subtrees::*;
pub use verify::*;
pub use witness::*;

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
