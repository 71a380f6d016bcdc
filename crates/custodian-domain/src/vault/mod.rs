//! The credential vault of the force's social media accounts (WP034 6.6, 9.1).
//!
//! 6.6: Corporate Communications "must keep an up-to-date record of log-in details" of every
//! departmental account. 9.1: no common passwords across systems, and never a police credential
//! reused on another platform. This module holds the vault's pure logic: the fields a credential
//! has, the password rules (NIST SP 800-63B-4 3.1.1.2), rotation due-ness, the envelope
//! encryption ([`crypto`]) and TOTP codes ([`totp`]). Nothing here reads a file or a database.

pub mod crypto;
pub mod totp;

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

pub use crypto::{CryptoError, Kek, Sealed};

/// The clause every vault rule enforces; 6.6 for keeping the record at all.
pub const CLAUSE_PASSWORDS: &str = "9.1";
pub const CLAUSE_RECORD: &str = "6.6";

crate::str_enum! {
    /// One secret of an account's log-in details.
    #[derive(PartialOrd, Ord)]
    pub enum Field {
        Username = "username",
        Password = "password",
        RecoveryEmail = "recovery_email",
        RecoveryPhone = "recovery_phone",
        RecoveryCodes = "recovery_codes",
        TotpSeed = "totp_seed",
    }
}

impl Field {
    pub const ALL: [Field; 6] = [
        Field::Username,
        Field::Password,
        Field::RecoveryEmail,
        Field::RecoveryPhone,
        Field::RecoveryCodes,
        Field::TotpSeed,
    ];

    /// The field's name in words.
    pub fn label(self) -> &'static str {
        match self {
            Field::Username => "Username",
            Field::Password => "Password",
            Field::RecoveryEmail => "Recovery e-mail address",
            Field::RecoveryPhone => "Recovery phone number",
            Field::RecoveryCodes => "Recovery codes",
            Field::TotpSeed => "Authenticator (TOTP) seed",
        }
    }

    /// The longest value accepted, in characters.
    pub fn max_chars(self) -> usize {
        match self {
            Field::Username | Field::RecoveryEmail => 320,
            Field::RecoveryPhone => 40,
            Field::Password => MAX_PASSWORD_CHARS,
            Field::RecoveryCodes => 4096,
            Field::TotpSeed => 256,
        }
    }
}

/// NIST SP 800-63B-4 3.1.1.2: passwords used as a single factor are at least 15 characters.
pub const MIN_PASSWORD_CHARS: usize = 15;
/// NIST SP 800-63B-4 3.1.1.2: verifiers should permit at least 64 characters.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Why a new password (or another field's value) is refused: the field, the rule, the clause,
/// and words a person can act on. Never holds the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message} (rule {rule}, WP034 {clause})")]
pub struct Refusal {
    pub field: &'static str,
    pub rule: &'static str,
    pub clause: &'static str,
    pub message: String,
}

impl Refusal {
    pub fn new(field: Field, rule: &'static str, clause: &'static str, message: impl Into<String>) -> Self {
        Self { field: field.as_str(), rule, clause, message: message.into() }
    }
}

/// The rule ids, as named in refusals and in docs/vault.md.
pub mod rules {
    pub const LENGTH: &str = "vault.password.length";
    pub const BREACHED: &str = "vault.password.breached";
    pub const REUSED: &str = "vault.password.reused";
    pub const SIGN_IN: &str = "vault.password.sign_in";
    pub const FORMAT: &str = "vault.field.format";
}

/// The checks on a value's shape that need nothing but the value: length (every field), the
/// password's minimum (NIST SP 800-63B-4: at least 15 characters, counted as Unicode code
/// points), and a TOTP seed that decodes as base32.
pub fn check_value(field: Field, value: &str) -> Result<(), Refusal> {
    let chars = value.chars().count();
    if value.trim().is_empty() {
        return Err(Refusal::new(field, rules::FORMAT, CLAUSE_RECORD, "is empty"));
    }
    if chars > field.max_chars() {
        return Err(Refusal::new(
            field,
            rules::FORMAT,
            CLAUSE_RECORD,
            format!("is longer than {} characters", field.max_chars()),
        ));
    }
    match field {
        Field::Password if chars < MIN_PASSWORD_CHARS => Err(Refusal::new(
            field,
            rules::LENGTH,
            CLAUSE_PASSWORDS,
            format!(
                "must be at least {MIN_PASSWORD_CHARS} characters (it has {chars}); NIST SP 800-63B-4 3.1.1.2 \
                 asks for 15 or more for a password used on its own"
            ),
        )),
        Field::TotpSeed => {
            totp::decode_seed(value).map(|_| ()).map_err(|e| Refusal::new(field, rules::FORMAT, CLAUSE_RECORD, e))
        }
        Field::RecoveryEmail if !value.contains('@') => {
            Err(Refusal::new(field, rules::FORMAT, CLAUSE_RECORD, "is not an e-mail address"))
        }
        _ => Ok(()),
    }
}

const VAULT_TOML: &str = include_str!("../../../../policy-pack/vault.toml");

/// The vault's policy pack (`policy-pack/vault.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VaultPack {
    pub version: u32,
    pub policy: String,
    pub policy_version: u32,
    pub rotation: RotationParams,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotationParams {
    /// A password older than this shows as due for rotation.
    pub max_age_days: u32,
}

impl VaultPack {
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let p: VaultPack = toml::from_str(text).map_err(|e| format!("the vault policy pack is not valid: {e}"))?;
        if p.rotation.max_age_days == 0 {
            return Err("rotation.max_age_days: must be at least 1 day".into());
        }
        Ok(p)
    }

    /// The pack compiled into this build.
    pub fn shipped() -> &'static VaultPack {
        static PACK: OnceLock<VaultPack> = OnceLock::new();
        PACK.get_or_init(|| {
            // Compiled in and checked by `tests::the_shipped_pack_loads`: a failure is a build defect.
            #[allow(clippy::expect_used)]
            VaultPack::from_toml(VAULT_TOML)
                .expect("policy-pack/vault.toml is compiled in and checked by the unit tests")
        })
    }
}

/// An authorisation to use an account that ended (a row of `social_account_users`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndedUser {
    pub name: String,
    pub ended_at: OffsetDateTime,
    /// left, moved, removed or account_closed.
    pub reason: String,
}

/// Why a stored credential is due for rotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DueReason {
    /// The password is older than the pack's maximum age.
    Age { age_days: i64, max_age_days: u32 },
    /// An authorised user left the force after the password was set.
    UserLeft {
        name: String,
        #[serde(with = "time::serde::rfc3339")]
        left_at: OffsetDateTime,
    },
}

impl std::fmt::Display for DueReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DueReason::Age { age_days, max_age_days } => {
                write!(f, "set {age_days} days ago, more than the {max_age_days} days allowed (WP034 9.1)")
            }
            DueReason::UserLeft { name, left_at } => {
                write!(
                    f,
                    "{name}, an authorised user, left the force on {} after it was set (WP034 9.1)",
                    left_at.date()
                )
            }
        }
    }
}

/// Why the credential set at `set_at` is due for rotation at `now` (empty: it is current). A
/// user who left counts only if they left after the credential was set: a credential changed
/// since then is one they never knew.
pub fn rotation_due(
    set_at: OffsetDateTime,
    now: OffsetDateTime,
    max_age_days: u32,
    ended: &[EndedUser],
) -> Vec<DueReason> {
    let mut out = Vec::new();
    let age = now - set_at;
    if age > Duration::days(i64::from(max_age_days)) {
        out.push(DueReason::Age { age_days: age.whole_days(), max_age_days });
    }
    for u in ended.iter().filter(|u| u.reason == "left" && u.ended_at > set_at) {
        out.push(DueReason::UserLeft { name: u.name.clone(), left_at: u.ended_at });
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_shipped_pack_loads() {
        assert_eq!(VaultPack::shipped().rotation.max_age_days, 365);
        assert!(
            VaultPack::from_toml("version = 1\npolicy = 'WP034'\npolicy_version = 3\n[rotation]\nmax_age_days = 0")
                .is_err()
        );
    }

    #[test]
    fn passwords_need_fifteen_characters_counted_as_code_points() {
        let e = check_value(Field::Password, "fourteen chars").unwrap_err();
        assert_eq!(e.rule, rules::LENGTH);
        assert_eq!(e.clause, "9.1");
        assert_eq!(e.field, "password");
        assert!(!e.to_string().contains("fourteen chars"), "a refusal never holds the value");
        assert!(check_value(Field::Password, "fifteen chars!!").is_ok());
        // 15 code points, more bytes.
        assert!(check_value(Field::Password, "ééééééééééééééé").is_ok());
        assert!(check_value(Field::Password, &"x".repeat(MAX_PASSWORD_CHARS + 1)).is_err());
        assert!(check_value(Field::TotpSeed, "not base32!").is_err());
        assert!(check_value(Field::TotpSeed, "JBSW Y3DP EHPK 3PXP").is_ok());
        assert!(check_value(Field::RecoveryEmail, "nobody").is_err());
        assert!(check_value(Field::Username, "  ").is_err());
    }

    #[test]
    fn rotation_is_due_by_age_or_a_leaver_after_the_credential_was_set() {
        let set = datetime!(2026-01-01 00:00 UTC);
        assert!(rotation_due(set, datetime!(2026-12-31 00:00 UTC), 365, &[]).is_empty());
        let due = rotation_due(set, datetime!(2027-01-02 00:00 UTC), 365, &[]);
        assert_eq!(due, vec![DueReason::Age { age_days: 366, max_age_days: 365 }]);
        let ended = vec![
            EndedUser { name: "Before".into(), ended_at: datetime!(2025-12-01 00:00 UTC), reason: "left".into() },
            EndedUser { name: "Mover".into(), ended_at: datetime!(2026-02-01 00:00 UTC), reason: "moved".into() },
            EndedUser { name: "Leaver".into(), ended_at: datetime!(2026-03-01 00:00 UTC), reason: "left".into() },
        ];
        let due = rotation_due(set, datetime!(2026-04-01 00:00 UTC), 365, &ended);
        assert_eq!(due.len(), 1);
        assert!(matches!(&due[0], DueReason::UserLeft { name, .. } if name == "Leaver"));
        assert!(due[0].to_string().contains("Leaver"));
    }
}
