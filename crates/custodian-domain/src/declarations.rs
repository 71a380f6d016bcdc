//! Declarations of notifiable associations and reports to Professional Standards (WP034 7.2,
//! 7.3, 8.1): the categories a person declares an association under and which of them go to
//! Professional Standards (`policy-pack/associations.toml`), the outcomes of an assessment and
//! of a triage, and the evidence files a report may carry (checked by their first bytes).

use serde::Deserialize;
use std::sync::OnceLock;

use crate::FieldError;

/// The policy pack's list of Notifiable Associations categories.
pub const PACK_SRC: &str = include_str!("../../../policy-pack/associations.toml");

/// One Notifiable Associations category.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Category {
    pub id: String,
    pub label: String,
    /// Whether Professional Standards assess a declaration of this category too.
    pub psd: bool,
}

#[derive(Debug, Deserialize)]
struct Pack {
    category: Vec<Category>,
}

/// The categories, in the pack's order.
pub fn categories() -> &'static [Category] {
    static CATS: OnceLock<Vec<Category>> = OnceLock::new();
    CATS.get_or_init(|| match toml::from_str::<Pack>(PACK_SRC) {
        Ok(p) => p.category,
        Err(e) => panic!("policy-pack/associations.toml does not parse: {e}"),
    })
}

/// A category by id.
pub fn category(id: &str) -> Option<&'static Category> {
    categories().iter().find(|c| c.id == id)
}

crate::str_enum! {
    /// What the Force Vetting Unit (or Professional Standards) decided about a declaration.
    pub enum Outcome {
        /// No concern: nothing more is asked.
        NoConcern = "no_concern",
        /// The association may continue on the conditions recorded.
        Conditions = "conditions",
        /// The person's vetting is to be reviewed.
        VettingReview = "vetting_review",
    }
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::NoConcern, Outcome::Conditions, Outcome::VettingReview];
    /// The outcome in words.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::NoConcern => "No concern",
            Outcome::Conditions => "Conditions set",
            Outcome::VettingReview => "Vetting to be reviewed",
        }
    }
}

/// A new declaration as a person gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Declaration {
    pub platform: String,
    pub counterpart: String,
    pub nature: String,
    pub category: String,
}

const MAX_FIELD: usize = 2000;

/// Check a declaration's fields, naming the first that is wrong; trims them.
pub fn validate_declaration(d: &Declaration) -> Result<Declaration, FieldError> {
    let field = |name: &str, v: &str, what: &str| -> Result<String, FieldError> {
        let v = v.trim();
        if v.is_empty() {
            return Err(FieldError::new(name, what));
        }
        if v.chars().count() > MAX_FIELD {
            return Err(FieldError::new(name, format!("Keep this under {MAX_FIELD} characters")));
        }
        Ok(v.to_owned())
    };
    let platform = field("platform", &d.platform, "Say which platform the association is on, such as LinkedIn")?;
    let counterpart = field("counterpart", &d.counterpart, "Say who the person is or what the group is")?;
    let nature = field("nature", &d.nature, "Say what the link is, such as a friend, a follower or a group member")?;
    let category = d.category.trim();
    if category.is_empty() {
        return Err(FieldError::new("category", "Choose the Notifiable Associations category"));
    }
    if self::category(category).is_none() {
        return Err(FieldError::new("category", format!("{category:?} is not a Notifiable Associations category")));
    }
    Ok(Declaration { platform, counterpart, nature, category: category.to_owned() })
}

/// Check an assessment: conditions are required when the outcome sets them.
pub fn validate_assessment(outcome: Outcome, conditions: &str) -> Result<Option<String>, FieldError> {
    let c = conditions.trim();
    if c.chars().count() > MAX_FIELD {
        return Err(FieldError::new("conditions", format!("Keep this under {MAX_FIELD} characters")));
    }
    match (outcome, c.is_empty()) {
        (Outcome::Conditions, true) => Err(FieldError::new("conditions", "Say what the conditions are")),
        (_, true) => Ok(None),
        (_, false) => Ok(Some(c.to_owned())),
    }
}

crate::str_enum! {
    /// What a report to Professional Standards is about.
    pub enum ReportedThing {
        GroupChat = "group_chat",
        Post = "post",
        Profile = "profile",
        Other = "other",
    }
}

impl ReportedThing {
    pub const ALL: [ReportedThing; 4] =
        [ReportedThing::GroupChat, ReportedThing::Post, ReportedThing::Profile, ReportedThing::Other];
    pub fn label(self) -> &'static str {
        match self {
            ReportedThing::GroupChat => "A group chat or private chat",
            ReportedThing::Post => "A post",
            ReportedThing::Profile => "A profile",
            ReportedThing::Other => "Something else",
        }
    }
}

crate::str_enum! {
    /// Professional Standards' triage of a report (WP034 8.1).
    pub enum Triage {
        /// No action.
        NoAction = "no_action",
        /// The matter is for the person's management.
        ManagementAction = "management_action",
        /// A conduct assessment (WP034 8.1: formal action may follow).
        ConductAssessment = "conduct_assessment",
    }
}

impl Triage {
    pub const ALL: [Triage; 3] = [Triage::NoAction, Triage::ManagementAction, Triage::ConductAssessment];
    pub fn label(self) -> &'static str {
        match self {
            Triage::NoAction => "No action",
            Triage::ManagementAction => "Management action",
            Triage::ConductAssessment => "Conduct assessment",
        }
    }
}

/// The largest evidence file accepted (5 MiB).
pub const MAX_EVIDENCE_BYTES: usize = 5 * 1024 * 1024;

/// The type of an evidence file from its first bytes: PNG, JPEG, GIF, WebP, PDF, or plain
/// UTF-8 text (no NUL). Anything else is refused, whatever its name says.
pub fn evidence_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if !bytes.is_empty() && !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok() {
        Some("text/plain")
    } else {
        None
    }
}

/// Check one evidence file: not empty, under the limit, of an accepted type.
pub fn check_evidence(name: &str, bytes: &[u8]) -> Result<&'static str, FieldError> {
    if bytes.is_empty() {
        return Err(FieldError::new("evidence", format!("{name} is empty")));
    }
    if bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(FieldError::new("evidence", format!("{name} is larger than 5 MB")));
    }
    evidence_type(bytes).ok_or_else(|| {
        FieldError::new("evidence", format!("{name} must be an image (PNG, JPEG, GIF, WebP), a PDF or a text file"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pack_parses_and_routes_crime_to_psd_and_media_to_vetting_only() {
        assert!(categories().len() >= 5);
        assert!(category("criminality").is_some_and(|c| c.psd));
        assert!(category("media_investigators").is_some_and(|c| !c.psd));
        let ids: std::collections::HashSet<_> = categories().iter().map(|c| &c.id).collect();
        assert_eq!(ids.len(), categories().len(), "ids are unique");
    }

    #[test]
    fn a_declaration_names_its_first_missing_or_unknown_field() {
        let ok = Declaration {
            platform: " LinkedIn ".into(),
            counterpart: "J Smith".into(),
            nature: "Connection".into(),
            category: "criminality".into(),
        };
        assert_eq!(validate_declaration(&ok).map(|d| d.platform), Ok("LinkedIn".into()));
        let e = validate_declaration(&Declaration { platform: " ".into(), ..ok.clone() }).unwrap_err();
        assert_eq!(e.field, "platform");
        let e = validate_declaration(&Declaration { category: "astrology".into(), ..ok.clone() }).unwrap_err();
        assert_eq!(e.field, "category");
        let e = validate_assessment(Outcome::Conditions, "  ").unwrap_err();
        assert_eq!(e.field, "conditions");
        assert_eq!(validate_assessment(Outcome::NoConcern, ""), Ok(None));
    }

    #[test]
    fn evidence_is_typed_by_its_first_bytes_not_its_name() {
        assert_eq!(evidence_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(evidence_type(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(evidence_type("Screenshot text: ‘hello’".as_bytes()), Some("text/plain"));
        assert_eq!(evidence_type(b"MZ\x90\x00\x03"), None, "an executable is refused");
        assert_eq!(evidence_type(b"PK\x03\x04\x00"), None, "a zip is refused");
        assert!(check_evidence("big.txt", &vec![b'a'; MAX_EVIDENCE_BYTES + 1]).is_err());
        assert!(check_evidence("empty.txt", b"").is_err());
    }
}
