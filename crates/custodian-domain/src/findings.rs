//! Findings: the evidence Custodian hands to a person to judge (WP034 4.10). Every rule in every
//! policy area produces findings of this one shape; nothing is sanctioned automatically.

crate::str_enum! {
    pub enum Severity {
        Low = "low",
        Medium = "medium",
        High = "high",
    }
}

crate::str_enum! {
    pub enum FindingStatus {
        Open = "open",
        UnderReview = "under_review",
        Closed = "closed",
    }
}

crate::str_enum! {
    /// What the reviewer decided when closing a finding.
    pub enum Outcome {
        NoAction = "no_action",
        AdviceGiven = "advice_given",
        ReferredToPsd = "referred_to_psd",
        FalsePositive = "false_positive",
        /// Closed by the system, not a reviewer: a later record (an MDM export) shows the device
        /// no longer breaks the rule. Never offered to reviewers (not in [`Outcome::ALL`]).
        Resolved = "resolved",
        /// Closed by Custodian, not a reviewer: the register's allocation history was corrected
        /// and the finding's records were attributed again (WP034 4.1).
        Reattributed = "reattributed",
    }
}

impl Outcome {
    /// The outcomes a reviewer may choose ([`Outcome::Reattributed`] is Custodian's own).
    pub const ALL: [Outcome; 4] = [Self::NoAction, Self::AdviceGiven, Self::ReferredToPsd, Self::FalsePositive];
    pub fn label(self) -> &'static str {
        match self {
            Self::NoAction => "No action",
            Self::AdviceGiven => "Advice given",
            Self::ReferredToPsd => "Referred to Professional Standards",
            Self::FalsePositive => "False positive",
            Self::Resolved => "Resolved by a later record",
            Self::Reattributed => "Attributed after the register was corrected",
        }
    }
}

crate::str_enum! {
    /// One of the considerations WP034 4.10 judges reasonable use by, case by case: the reviewer
    /// ticks those they weighed, and the review records them.
    pub enum Consideration {
        Circumstances = "circumstances",
        Frequency = "frequency",
        CodeOfEthics = "code_of_ethics",
        PublicAppearance = "public_appearance",
    }
}

impl Consideration {
    /// In the order 4.10 lists them (a to d).
    pub const ALL: [Consideration; 4] =
        [Self::Circumstances, Self::Frequency, Self::CodeOfEthics, Self::PublicAppearance];
    /// The clause's own letter for it.
    pub fn letter(self) -> char {
        match self {
            Self::Circumstances => 'a',
            Self::Frequency => 'b',
            Self::CodeOfEthics => 'c',
            Self::PublicAppearance => 'd',
        }
    }
    /// The clause's words for it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Circumstances => "The full circumstances of the situation",
            Self::Frequency => "The frequency of use",
            Self::CodeOfEthics => "The Code of Ethics and Standards of Professional Behaviour",
            Self::PublicAppearance => "How usage may appear to the public (see 4.4)",
        }
    }
    /// The considerations named in `values` (stored names), each once, in 4.10's order; the
    /// error names the first value that is not one.
    pub fn parse_all<S: AsRef<str>>(values: &[S]) -> Result<Vec<Consideration>, String> {
        let mut out = Vec::new();
        for v in values {
            let v = v.as_ref().trim();
            if v.is_empty() {
                continue;
            }
            let c: Consideration = v.parse().map_err(|_| {
                let all: Vec<&str> = Self::ALL.iter().map(|c| c.as_str()).collect();
                format!("{v:?} is not one of {}", all.join(", "))
            })?;
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out.sort_by_key(|c| c.letter());
        Ok(out)
    }
}

/// A rule that produces findings: its stable id, the clause it enforces and its default severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    pub clause: &'static str,
    pub severity: Severity,
    pub title: &'static str,
}

/// WP034 4.1: a force device signed in with credentials other than its allocated holder's.
pub const DEVICE_USER_MISMATCH: Rule = Rule {
    id: "devices.user_mismatch",
    clause: "4.1",
    severity: Severity::Medium,
    title: "Device used with someone else's credentials",
};

/// WP034 4.7: a device reported lost or stolen by its holder.
pub const DEVICE_LOST_OR_STOLEN: Rule = Rule {
    id: "devices.lost_or_stolen",
    clause: "4.7",
    severity: Severity::High,
    title: "Device reported lost or stolen",
};

/// WP034 4.7: the MDM reports the device's operating system altered (jailbroken or rooted, or
/// its integrity posture compromised or at risk).
pub const DEVICE_INTEGRITY: Rule = Rule {
    id: "devices.integrity",
    clause: "4.7",
    severity: Severity::High,
    title: "Device operating system altered (jailbroken or rooted)",
};

/// WP034 4.7: the MDM reports the device out of compliance with the force's device policy, or
/// not encrypted.
pub const DEVICE_NONCOMPLIANT: Rule = Rule {
    id: "devices.noncompliant",
    clause: "4.7",
    severity: Severity::Medium,
    title: "Device not compliant or not encrypted",
};

/// WP034 4.7: the device has not reported to the MDM for longer than the policy pack allows, so
/// its upkeep and integrity cannot be shown.
pub const DEVICE_STALE: Rule = Rule {
    id: "devices.stale",
    clause: "4.7",
    severity: Severity::Low,
    title: "Device has not checked in with device management",
};

/// The device rules, for look-ups by id.
pub const RULES: &[Rule] =
    &[DEVICE_USER_MISMATCH, DEVICE_LOST_OR_STOLEN, DEVICE_INTEGRITY, DEVICE_NONCOMPLIANT, DEVICE_STALE];

// ---------------------------------------------------------------------------------------------
// Usage rules (WP034 4.1, 4.2, 4.5, 4.6, 4.9, 4.12), re-exported by `usage`

/// WP034 4.2: outgoing calls or SMS to premium rate numbers.
pub const PREMIUM_RATE: Rule = Rule {
    id: "usage.premium_rate",
    clause: "4.2",
    severity: Severity::Low,
    title: "Call or text to a premium rate number",
};
/// WP034 4.2: outgoing calls or SMS to numbers outside the UK.
pub const INTERNATIONAL: Rule = Rule {
    id: "usage.international",
    clause: "4.2",
    severity: Severity::Low,
    title: "Call or text to an overseas number",
};
/// WP034 4.2: outgoing multimedia messages.
pub const MMS: Rule =
    Rule { id: "usage.mms", clause: "4.2", severity: Severity::Low, title: "Multimedia message sent" };
/// WP034 4.2: use overseas without an approved overseas-use window.
pub const ROAMING: Rule =
    Rule { id: "usage.roaming", clause: "4.2", severity: Severity::Medium, title: "Used overseas without approval" };
/// WP034 4.5: tethering from a device that is neither a force laptop nor a force phone.
pub const TETHERING: Rule = Rule {
    id: "usage.tethering",
    clause: "4.5",
    severity: Severity::Medium,
    title: "Tethering from a device that may not tether",
};
/// WP034 4.5: excessive non-tethered mobile data on one device in one day.
pub const CELLULAR_DATA: Rule = Rule {
    id: "usage.cellular_data",
    clause: "4.5",
    severity: Severity::Low,
    title: "Heavy mobile data use instead of Wi-Fi",
};
/// WP034 4.6: streaming video without a recorded policing purpose.
pub const STREAMING: Rule = Rule {
    id: "usage.streaming",
    clause: "4.6",
    severity: Severity::Low,
    title: "Streaming video without a policing purpose",
};
/// WP034 4.9: dating, gambling, shopping or auction sites.
pub const BANNED_SITE: Rule = Rule {
    id: "usage.banned_site",
    clause: "4.9",
    severity: Severity::Medium,
    title: "Dating, gambling, shopping or auction site",
};
/// WP034 4.12: calls diverted to a number that is not a force number.
pub const CALL_DIVERSION: Rule = Rule {
    id: "usage.call_diversion",
    clause: "4.12",
    severity: Severity::High,
    title: "Work phone diverted to a non-force number",
};
/// WP034 4.1: a record that matches no registered device or no holder; for Digital Services.
pub const UNATTRIBUTED: Rule = Rule {
    id: "usage.unattributed",
    clause: "4.1",
    severity: Severity::Low,
    title: "Usage that matches no device holder",
};

/// WP034 4.2: a dialled number Custodian cannot place (too short, too long, an unallocated
/// range), so it cannot say whether it was premium rate or overseas; for Digital Services to
/// check the carrier file or the pack, not for the line manager.
pub const UNRECOGNISED_NUMBER: Rule = Rule {
    id: "usage.unrecognised_number",
    clause: "4.2",
    severity: Severity::Low,
    title: "Call or text to a number Custodian cannot classify",
};

/// Rules whose findings are for Digital Services only: they are about the data, not a person's
/// use, so they are not routed to the subject's line manager (who neither sees nor reviews them).
pub const DIGITAL_SERVICES_ONLY: &[&str] = &[UNRECOGNISED_NUMBER.id];

/// Whether findings of rule `id` are for Digital Services only (see [`DIGITAL_SERVICES_ONLY`]).
pub fn for_digital_services_only(id: &str) -> bool {
    DIGITAL_SERVICES_ONLY.contains(&id)
}

/// Every usage rule, for look-ups by id (`usage::RULES`).
pub const USAGE_RULES: &[Rule] = &[
    PREMIUM_RATE,
    INTERNATIONAL,
    MMS,
    ROAMING,
    TETHERING,
    CELLULAR_DATA,
    STREAMING,
    BANNED_SITE,
    CALL_DIVERSION,
    UNATTRIBUTED,
    UNRECOGNISED_NUMBER,
];

// ---------------------------------------------------------------------------------------------
// Apps rules (WP034 4.8), re-exported by `apps`

/// The finding rule id for an installed app not approved for the device's holder.
pub const RULE_UNAPPROVED: &str = "apps.unapproved";

/// WP034 4.8: an app installed on a force device that is not approved for its holder's role.
pub const UNAPPROVED: Rule = Rule {
    id: RULE_UNAPPROVED,
    clause: "4.8",
    severity: Severity::Medium,
    title: "App installed that is not approved for the holder",
};

/// Every apps rule, for look-ups by id.
pub const APPS_RULES: &[Rule] = &[UNAPPROVED];

// ---------------------------------------------------------------------------------------------
// Social media account rules (WP034 6.1, 6.7, 9.1), re-exported by `social_accounts`. They raise
// tasks on an account for its team manager or Corporate Communications, not findings about a
// person's use.

/// WP034 6.7: the list of people authorised to use an account was not re-certified by its team
/// manager within the pack's interval.
pub const SOCIAL_RECERTIFICATION_OVERDUE: Rule = Rule {
    id: "social.recertification_overdue",
    clause: "6.7",
    severity: Severity::Medium,
    title: "Authorised users not re-certified",
};
/// WP034 9.1: someone who could use the account left or moved, so its log-in details must change.
pub const SOCIAL_ROTATE_CREDENTIALS: Rule = Rule {
    id: "social.rotate_credentials",
    clause: "9.1",
    severity: Severity::High,
    title: "Change the account's log-in details",
};
/// WP034 6.7: the account's profile does not signpost 999 for emergencies and 101 or online
/// reporting for crime.
pub const SOCIAL_SIGNPOSTING: Rule = Rule {
    id: "social.signposting",
    clause: "6.7",
    severity: Severity::Medium,
    title: "Profile lacks emergency and crime-reporting signposting",
};
/// WP034 6.1: no post for longer than the pack allows; an abandoned account harms trust.
pub const SOCIAL_DORMANT: Rule =
    Rule { id: "social.dormant", clause: "6.1", severity: Severity::Low, title: "Account dormant: no recent post" };

/// Every social media account rule, for look-ups by id.
pub const SOCIAL_RULES: &[Rule] =
    &[SOCIAL_RECERTIFICATION_OVERDUE, SOCIAL_ROTATE_CREDENTIALS, SOCIAL_SIGNPOSTING, SOCIAL_DORMANT];

// ---------------------------------------------------------------------------------------------
// The catalogue

/// Every area's rules, in look-up order. Findings sit below every area: the areas import their
/// rules from here, and nothing here imports an area.
pub const CATALOGUE: &[&[Rule]] = &[RULES, USAGE_RULES, APPS_RULES, SOCIAL_RULES];

/// The rule with this id, in any area.
pub fn rule(id: &str) -> Option<&'static Rule> {
    CATALOGUE.iter().flat_map(|area| area.iter()).find(|r| r.id == id)
}

/// Why a review step was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    #[error("this finding is already closed")]
    AlreadyClosed,
    #[error("closing a finding needs the reviewer's reasons (WP034 4.10)")]
    ReasonsRequired,
    #[error("people may not review findings about themselves")]
    OwnFinding,
}

/// Check a move to `to`. Closing requires reasons; a closed finding stays closed.
pub fn check_review(
    from: FindingStatus,
    to: FindingStatus,
    reasons: Option<&str>,
    reviewer_is_subject: bool,
) -> Result<(), ReviewError> {
    if reviewer_is_subject {
        return Err(ReviewError::OwnFinding);
    }
    if from == FindingStatus::Closed {
        return Err(ReviewError::AlreadyClosed);
    }
    if to == FindingStatus::Closed && reasons.map(str::trim).unwrap_or("").is_empty() {
        return Err(ReviewError::ReasonsRequired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn considerations_are_read_once_each_in_the_clauses_order_and_a_bad_one_is_named() {
        let c = Consideration::parse_all(&["public_appearance", " circumstances", "", "public_appearance"]).unwrap();
        assert_eq!(c, vec![Consideration::Circumstances, Consideration::PublicAppearance]);
        let e = Consideration::parse_all(&["frequency", "mood"]).unwrap_err();
        assert!(e.contains("\"mood\"") && e.contains("code_of_ethics"), "{e}");
        // The words are 4.10's own.
        let text = crate::policy::clause("4.10").unwrap().text().into_owned().to_lowercase();
        for c in Consideration::ALL {
            let words = c.label().trim_end_matches(" (see 4.4)").to_lowercase();
            assert!(text.contains(&words), "{words}");
        }
    }

    #[test]
    fn closing_needs_reasons_and_is_final() {
        assert_eq!(
            check_review(FindingStatus::Open, FindingStatus::Closed, Some("  "), false),
            Err(ReviewError::ReasonsRequired)
        );
        assert!(check_review(FindingStatus::Open, FindingStatus::Closed, Some("spoke to officer"), false).is_ok());
        assert_eq!(
            check_review(FindingStatus::Closed, FindingStatus::Open, Some("x"), false),
            Err(ReviewError::AlreadyClosed)
        );
        assert_eq!(
            check_review(FindingStatus::Open, FindingStatus::UnderReview, None, true),
            Err(ReviewError::OwnFinding)
        );
    }

    #[test]
    fn every_rule_cites_a_clause_in_the_policy() {
        for r in RULES {
            assert!(crate::policy::clause(r.clause).is_some(), "{} cites unknown clause {}", r.id, r.clause);
        }
    }
}
