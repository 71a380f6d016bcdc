//! The comment triage pack: every term list, pattern, route and service level, as versioned
//! data Corporate Communications can edit (`policy-pack/comments.toml`, compiled in). A pack is
//! refused when a key is unknown, a label or route is not one of WP034's, a pattern does not
//! compile, or one of its saved examples no longer produces the labels written beside it.

use std::collections::BTreeMap;

use custodian_textmodel::files;
use serde::Deserialize;

const DEFAULT_PACK: &str = include_str!("../../../policy-pack/comments.toml");
/// The model file the built-in pack names (`[model] file`).
pub(crate) const DEFAULT_MODEL_FILE: &str = "comments-model.tsv";
pub(crate) const DEFAULT_MODEL: &str = include_str!("../../../policy-pack/comments-model.tsv");

/// The labels a comment may carry (bench/comments/blind/LABELS.md).
pub const LABELS: [&str; 13] = [
    "question",
    "emergency",
    "crime_report",
    "complaint",
    "abuse_staff",
    "hate.race",
    "hate.religion",
    "hate.sexual_orientation",
    "hate.disability",
    "hate.transgender",
    "threat",
    "doxxing",
    "spam",
];

/// The routes a labelled comment may take, each one of WP034's paths.
pub const ROUTES: [&str; 4] =
    ["line_manager_wellbeing", "corporate_communications", "resolution_centre", "reply_queue"];

/// The clauses a rule or route may cite.
pub const CLAUSES: [&str; 3] = ["6.7", "6.8", "8.2"];

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    pub version: String,
    pub policy: String,
    #[serde(default)]
    pub description: String,
    /// Word lists matched through obfuscation: a letter may be doubled or masked (`*`, `#`,
    /// `%`), a plural ending is allowed. Used in patterns as `{name}`.
    #[serde(default)]
    pub terms: BTreeMap<String, Vec<String>>,
    /// Named pieces of regular expression, used in patterns as `{name}`.
    #[serde(default)]
    pub fragments: BTreeMap<String, String>,
    #[serde(rename = "rule")]
    pub rules: Vec<Rule>,
    #[serde(rename = "route")]
    pub routes: Vec<Route>,
    #[serde(default, rename = "example")]
    pub examples: Vec<Example>,
    /// The statistical model the rules are combined with, when there is one.
    #[serde(default)]
    pub model: Option<ModelRef>,
    /// The text of the model file `model.file` names, once read ([`Pack::builtin`],
    /// [`Pack::from_path`]).
    #[serde(skip)]
    pub model_text: Option<String>,
    /// How the people register's names are read, when the triage is given them.
    #[serde(default)]
    pub staff: StaffRules,
}

/// How the register's names are read in a comment (`[staff]`).
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct StaffRules {
    /// Names that are also common words ("Brown", "Hope", "Will"): such a name names a member
    /// of staff only with a rank, the other half of the name or a collar number, never alone.
    #[serde(default)]
    pub common_words: Vec<String>,
    /// Whether a given name alone ("Dave is a clown") names a member of staff.
    #[serde(default)]
    pub given_name_alone: bool,
    /// Whether a word one letter from a family name ("Hughs" for "Hughes") names them.
    #[serde(default)]
    pub misspellings: bool,
    /// Whether a family name that is also a common word names its bearer alone when it is
    /// written as a name inside a sentence ("put up with Fox.", "Bishop is a waste of space"):
    /// capitalised, not after an article or possessive, its neighbours not capitalised, and at
    /// a sentence's start only before "is", "was", "has" or "'s".
    #[serde(default)]
    pub common_words_capitalised: bool,
    /// Whether a given name alone names a member of staff when it is capitalised and only one
    /// person of the register carries it ("That Yusuf's about as much use as a chocolate teapot").
    #[serde(default)]
    pub given_name_unique: bool,
}

/// The pack's model: a file beside the pack, its version and SHA-256, and how its labels are
/// combined with the rules' (`combine`: "union" gives a label when a rule or the model gives it;
/// "rules" ignores the model; "model" ignores the rules).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelRef {
    pub file: String,
    pub version: String,
    pub sha256: String,
    #[serde(default = "union")]
    pub combine: String,
    /// Per label, patterns (word view) one of which must match for the model to give that
    /// label: `abuse_staff` only when the comment names or describes an officer or member of
    /// staff, whatever the model's score.
    #[serde(default)]
    pub requires: BTreeMap<String, Vec<String>>,
}

fn union() -> String {
    "union".into()
}

/// How the rules' and the model's labels are combined.
pub const COMBINE: [&str; 3] = ["union", "rules", "model"];

/// One way of recognising a label. Several rules may give the same label.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub label: String,
    pub clause: String,
    pub explanation: String,
    /// Regular expressions over the word view (lower case, de-obfuscated).
    #[serde(default)]
    pub patterns: Vec<String>,
    /// Regular expressions over the base view (lower case, digits kept): numbers, plates.
    #[serde(default)]
    pub numbers: Vec<String>,
    /// A match of any of these anywhere in the comment (word view) cancels this rule.
    #[serde(default)]
    pub unless: Vec<String>,
    /// When given, one of these must also match somewhere in the comment (word view).
    #[serde(default)]
    pub requires: Vec<String>,
    /// A masked word that two or more term lists could read ("p***s": a racial or a homophobic
    /// slur) gives the rule only when one of these also matches somewhere in the comment (word
    /// view).
    #[serde(default)]
    pub masked_requires: Vec<String>,
    /// The rule is cancelled when the comment carries any of these labels (a request for an
    /// officer's address is doxxing, not a question for the team).
    #[serde(default)]
    pub unless_labels: Vec<String>,
}

/// One of WP034's paths for a labelled comment.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    pub id: String,
    pub clause: String,
    pub name: String,
    /// Labels that always take this route.
    #[serde(default)]
    pub labels: Vec<String>,
    /// Labels that take it only when the comment names or describes an officer or member of
    /// staff (`staff` pattern, word view).
    #[serde(default)]
    pub staff_labels: Vec<String>,
    #[serde(default)]
    pub staff: Vec<String>,
    /// Service levels for the reply queue: label to minutes, or "working_days:N".
    #[serde(default)]
    pub service_levels: BTreeMap<String, String>,
    /// Suggested signposting replies, per label.
    #[serde(default)]
    pub replies: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub text: String,
    pub labels: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PackError {
    #[error("the pack is not valid TOML: {0}")]
    Toml(String),
    #[error("policy must be \"WP034\", not {0:?}")]
    Policy(String),
    #[error("version must not be empty")]
    Version,
    #[error("rule {index}: unknown label {label:?}")]
    Label { index: usize, label: String },
    #[error("{what}: clause {clause:?} is not one of 6.7, 6.8, 8.2")]
    Clause { what: String, clause: String },
    #[error("route {index}: unknown route {id:?}")]
    Route { index: usize, id: String },
    #[error("route {id}: unknown label {label:?}")]
    RouteLabel { id: String, label: String },
    #[error("route {id}: service level for {label} must be minutes or \"working_days:N\", not {value:?}")]
    ServiceLevel { id: String, label: String, value: String },
    #[error("rule {index} ({label}): {field}[{pattern}]: {message}")]
    Pattern { index: usize, label: String, field: &'static str, pattern: usize, message: String },
    #[error("rule {index} ({label}) has no patterns")]
    Empty { index: usize, label: String },
    #[error("model: {0}")]
    Model(String),
    #[error("example {index} ({text:?}) expects {expected:?} but the pack gives {found:?}")]
    Example { index: usize, text: String, expected: Vec<String>, found: Vec<String> },
}

impl Pack {
    pub fn from_toml(s: &str) -> Result<Pack, PackError> {
        let p: Pack = toml::from_str(s).map_err(|e| PackError::Toml(e.to_string()))?;
        p.check()?;
        Ok(p)
    }

    /// The compiled-in pack with its compiled-in model.
    pub fn builtin() -> Result<Pack, PackError> {
        let mut p = Pack::from_toml(DEFAULT_PACK)?;
        if p.model.as_ref().is_some_and(|m| m.file == DEFAULT_MODEL_FILE) {
            p.model_text = Some(DEFAULT_MODEL.to_string());
        }
        Ok(p)
    }

    /// A pack read from a file, with the model file it names read from beside it.
    pub fn from_path(path: &std::path::Path) -> Result<Pack, String> {
        let mut p = files::read_pack(path, Pack::from_toml)?;
        if let Some(m) = &p.model {
            p.model_text = Some(files::read_text(&files::beside(path, &m.file))?);
        }
        Ok(p)
    }

    fn check(&self) -> Result<(), PackError> {
        if self.policy != "WP034" {
            return Err(PackError::Policy(self.policy.clone()));
        }
        if self.version.trim().is_empty() {
            return Err(PackError::Version);
        }
        for (index, r) in self.rules.iter().enumerate() {
            if !LABELS.contains(&r.label.as_str()) {
                return Err(PackError::Label { index, label: r.label.clone() });
            }
            if !CLAUSES.contains(&r.clause.as_str()) {
                return Err(PackError::Clause { what: format!("rule {index}"), clause: r.clause.clone() });
            }
            if let Some(l) = r.unless_labels.iter().find(|l| !LABELS.contains(&l.as_str())) {
                return Err(PackError::Label { index, label: l.clone() });
            }
            if r.patterns.is_empty() && r.numbers.is_empty() {
                return Err(PackError::Empty { index, label: r.label.clone() });
            }
        }
        if let Some(m) = &self.model {
            if !COMBINE.contains(&m.combine.as_str()) {
                return Err(PackError::Model(format!(
                    "combine must be one of {}, not {:?}",
                    COMBINE.join(", "),
                    m.combine
                )));
            }
            if let Some(l) = m.requires.keys().find(|l| !LABELS.contains(&l.as_str())) {
                return Err(PackError::Model(format!("requires: unknown label {l:?}")));
            }
            if !custodian_textmodel::pin::is_sha256(&m.sha256) {
                return Err(PackError::Model(format!("sha256 must be 64 hexadecimal digits, not {:?}", m.sha256)));
            }
        }
        for (index, r) in self.routes.iter().enumerate() {
            if !ROUTES.contains(&r.id.as_str()) {
                return Err(PackError::Route { index, id: r.id.clone() });
            }
            if !CLAUSES.contains(&r.clause.as_str()) {
                return Err(PackError::Clause { what: format!("route {}", r.id), clause: r.clause.clone() });
            }
            for l in r.labels.iter().chain(&r.staff_labels).chain(r.service_levels.keys()).chain(r.replies.keys()) {
                if !LABELS.contains(&l.as_str()) {
                    return Err(PackError::RouteLabel { id: r.id.clone(), label: l.clone() });
                }
            }
            for (label, value) in &r.service_levels {
                if ServiceLevel::parse(value).is_none() {
                    return Err(PackError::ServiceLevel {
                        id: r.id.clone(),
                        label: label.clone(),
                        value: value.clone(),
                    });
                }
            }
        }
        Ok(())
    }
}

/// How soon a reply is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceLevel {
    Minutes(u32),
    WorkingDays(u32),
}

impl ServiceLevel {
    pub fn parse(s: &str) -> Option<ServiceLevel> {
        if let Some(d) = s.strip_prefix("working_days:") {
            return d.trim().parse().ok().filter(|&n| n > 0).map(ServiceLevel::WorkingDays);
        }
        s.trim().parse().ok().filter(|&n| n > 0).map(ServiceLevel::Minutes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pack_file_is_read_with_the_model_file_beside_it_which_must_be_there() {
        let dir = std::env::temp_dir().join(format!("custodian-comments-pack-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("comments.toml");
        std::fs::write(&path, DEFAULT_PACK).unwrap();
        // The model file the pack names is not beside it: refused, naming that file.
        let err = Pack::from_path(&path).unwrap_err();
        assert!(err.starts_with(&format!("reading {}: ", dir.join(DEFAULT_MODEL_FILE).display())), "{err}");
        std::fs::write(dir.join(DEFAULT_MODEL_FILE), "model text").unwrap();
        assert_eq!(Pack::from_path(&path).unwrap().model_text.as_deref(), Some("model text"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
