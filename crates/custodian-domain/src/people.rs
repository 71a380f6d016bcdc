//! People and organisation: officers, staff and volunteers (WP034 4.1), their business areas,
//! line managers and the roles that the permission policies grant.

pub mod ranks;

use serde::{Deserialize, Serialize};

crate::str_enum! {
    parse: lenient;
    /// What kind of personnel a person is; WP034 1.2 provides devices to all three.
    pub enum PersonKind {
        Officer = "officer",
        Staff = "staff",
        Volunteer = "volunteer",
    }
}

impl PersonKind {
    pub const ALL: [PersonKind; 3] = [Self::Officer, Self::Staff, Self::Volunteer];
}

crate::str_enum! {
    parse: lenient;
    /// Whether a person is still with the force. A leaver keeps their history.
    pub enum PersonStatus {
        Active = "active",
        Leaver = "leaver",
    }
}

crate::str_enum! {
    parse: lenient;
    /// A role granted to a person. Line manager is not a role: it is derived from the org chart.
    #[derive(PartialOrd, Ord)]
    pub enum Role {
        DigitalServices = "digital_services",
        CorporateComms = "corporate_comms",
        Psd = "psd",
        Dmi = "dmi",
        Vetting = "vetting",
        HeadOfDepartment = "head_of_department",
        Sio = "sio",
        ResolutionCentre = "resolution_centre",
        Auditor = "auditor",
        Admin = "admin",
        /// The force's Data Protection Officer (UK GDPR Art. 37-39): sees the retention
        /// schedule and answers subject access requests (WP034 3.4).
        DataProtectionOfficer = "data_protection_officer",
    }
}

impl Role {
    pub const ALL: [Role; 11] = [
        Self::DigitalServices,
        Self::CorporateComms,
        Self::Psd,
        Self::Dmi,
        Self::Vetting,
        Self::HeadOfDepartment,
        Self::Sio,
        Self::ResolutionCentre,
        Self::Auditor,
        Self::Admin,
        Self::DataProtectionOfficer,
    ];
    /// A human label for the UI.
    pub fn label(self) -> &'static str {
        match self {
            Self::DigitalServices => "Digital Services",
            Self::CorporateComms => "Corporate Communications",
            Self::Psd => "Professional Standards",
            Self::Dmi => "Digital Media Investigator",
            Self::Vetting => "Force Vetting Unit",
            Self::HeadOfDepartment => "Head of Department",
            Self::Sio => "Senior Investigating Officer",
            Self::ResolutionCentre => "Resolution Centre",
            Self::Auditor => "Auditor",
            Self::Admin => "Administrator",
            Self::DataProtectionOfficer => "Data Protection Officer",
        }
    }
}

/// A staff number: the force's stable identifier for a person, e.g. `A1234`.
/// Invariant: 1 to 20 ASCII letters, digits or hyphens, stored upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StaffNumber(String);

impl StaffNumber {
    pub fn parse(s: &str) -> Result<Self, String> {
        let t = s.trim();
        if t.is_empty() {
            return Err("is empty".into());
        }
        if t.len() > 20 || !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(format!("{t:?} is not a staff number (letters, digits and hyphens, at most 20)"));
        }
        Ok(Self(t.to_ascii_uppercase()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for StaffNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The staff number in what a person typed or chose to name someone: the number in the
/// brackets of "Jack Thornton (A1018)" (as pages show and offer people), else the text itself.
pub fn staff_number_in(input: &str) -> &str {
    let t = input.trim();
    match (t.rfind('('), t.strip_suffix(')')) {
        (Some(open), Some(inner)) if open < inner.len() => inner[open + 1..].trim(),
        _ => t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_staff_number_is_read_from_a_chosen_name_or_typed_alone() {
        assert_eq!(staff_number_in("Jack Thornton (A1018)"), "A1018");
        assert_eq!(staff_number_in("  A1018 "), "A1018");
        assert_eq!(staff_number_in("Jack Thornton"), "Jack Thornton");
        assert_eq!(staff_number_in("()"), "");
        assert_eq!(staff_number_in(")"), ")");
    }

    #[test]
    fn every_role_round_trips_through_its_name() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("line_manager"), None);
    }

    #[test]
    fn staff_numbers_are_upper_cased_and_validated() {
        assert_eq!(StaffNumber::parse(" a123 ").unwrap().as_str(), "A123");
        assert!(StaffNumber::parse("").is_err());
        assert!(StaffNumber::parse("A 1").is_err());
    }
}
