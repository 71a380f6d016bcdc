//! The SHA-256 pin: a pack names its model file with the file's version and SHA-256, so the
//! weights that score are the ones the pack was reviewed with.
//!
//! A model file read from beside the pack (or handed in by a caller) must match its pin. The
//! model compiled into the build is different: a pack stored in the database before a retrain
//! still names the previous file's SHA-256, and the previous weights are no longer in the build.
//! Such a pack keeps working with the shipped model, and [`check_pin`] says so with a
//! [`PinWarning`] the caller logs and shows beside the pack, instead of refusing the pack (which
//! would stop the server starting until someone saved the pack again).

use sha2::{Digest, Sha256};

/// The SHA-256 of a text, in lower-case hexadecimal.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `s` is written as a SHA-256: 64 hexadecimal digits.
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Where the model text a pack is compiled with came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Read from beside the pack, or handed in by the caller: it must be the pinned file.
    Read,
    /// The model compiled into this build, for a pack that names the shipped file.
    Shipped,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PinError {
    #[error("the model file {file} was not read with the pack")]
    Unread { file: String },
    #[error(
        "{file} has SHA-256 {sum}, but the pack names {pinned}: the file is not the one the pack was reviewed with"
    )]
    Mismatch { file: String, sum: String, pinned: String },
}

/// A pack pinned to a model this build no longer ships: it is compiled with the shipped model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinWarning {
    pub file: String,
    /// The SHA-256 and version the pack names.
    pub pinned_sha256: String,
    pub pinned_version: String,
    /// The SHA-256 and version of the model compiled into this build, which scores instead.
    pub shipped_sha256: String,
    pub shipped_version: String,
}

impl std::fmt::Display for PinWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the pack names {} version {} (SHA-256 {}), which this build no longer ships; it is scored with the \
             shipped {} version {} (SHA-256 {}) until a pack naming that model is saved",
            self.file, self.pinned_version, self.pinned_sha256, self.file, self.shipped_version, self.shipped_sha256
        )
    }
}

/// Check a model text against the pack's pin. `Ok(None)`: it is the pinned file.
/// `Ok(Some(warning))`: the pack names the shipped file with another SHA-256, so the shipped
/// model stands in (the caller fills in the versions once the text is parsed).
pub fn check_pin(
    file: &str,
    pinned_sha256: &str,
    pinned_version: &str,
    text: Option<(&str, Source)>,
) -> Result<Option<PinWarning>, PinError> {
    let Some((text, source)) = text else { return Err(PinError::Unread { file: file.to_string() }) };
    let sum = sha256_hex(text);
    if sum.eq_ignore_ascii_case(pinned_sha256) {
        return Ok(None);
    }
    match source {
        Source::Read => Err(PinError::Mismatch { file: file.to_string(), sum, pinned: pinned_sha256.to_string() }),
        Source::Shipped => Ok(Some(PinWarning {
            file: file.to_string(),
            pinned_sha256: pinned_sha256.to_lowercase(),
            pinned_version: pinned_version.to_string(),
            shipped_sha256: sum,
            shipped_version: String::new(),
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_file_must_match_and_the_shipped_one_stands_in_with_a_warning() {
        let text = "model\tm\t2\n";
        let sum = sha256_hex(text);
        assert!(is_sha256(&sum));
        assert_eq!(check_pin("m.tsv", &sum.to_uppercase(), "2", Some((text, Source::Read))), Ok(None));
        assert_eq!(check_pin("m.tsv", &sum, "2", Some((text, Source::Shipped))), Ok(None));
        let old = sha256_hex("model\tm\t1\n");
        assert!(matches!(check_pin("m.tsv", &old, "1", Some((text, Source::Read))), Err(PinError::Mismatch { .. })));
        let w = check_pin("m.tsv", &old, "1", Some((text, Source::Shipped))).unwrap().unwrap();
        assert_eq!((w.pinned_sha256.as_str(), w.shipped_sha256.as_str()), (old.as_str(), sum.as_str()));
        assert!(matches!(check_pin("m.tsv", &old, "1", None), Err(PinError::Unread { .. })));
    }
}
