//! Findings: the evidence Custodian hands to a person to judge (WP034 4.10). Every rule in every
//! policy area produces findings of this one shape; nothing is sanctioned automatically.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "low" => Some(Self::Low),
            "medium" => Some(Self::Medium),
            "high" => Some(Self::High),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    Open,
    UnderReview,
    Closed,
}

impl FindingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::UnderReview => "under_review",
            Self::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(Self::Open),
            "under_review" => Some(Self::UnderReview),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }
}

/// What the reviewer decided when closing a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    NoAction,
    AdviceGiven,
    ReferredToPsd,
    FalsePositive,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [Self::NoAction, Self::AdviceGiven, Self::ReferredToPsd, Self::FalsePositive];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoAction => "no_action",
            Self::AdviceGiven => "advice_given",
            Self::ReferredToPsd => "referred_to_psd",
            Self::FalsePositive => "false_positive",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::NoAction => "No action",
            Self::AdviceGiven => "Advice given",
            Self::ReferredToPsd => "Referred to Professional Standards",
            Self::FalsePositive => "False positive",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
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

/// Every rule the foundation knows, for look-ups by id.
pub const RULES: &[Rule] = &[DEVICE_USER_MISMATCH, DEVICE_LOST_OR_STOLEN];

pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id).or_else(|| crate::usage::rule(id)).or_else(|| crate::apps::rule(id))
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
