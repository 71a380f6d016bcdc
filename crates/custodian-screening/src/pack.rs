//! The screening policy pack: every pattern, word list, allowlist and threshold the engine uses,
//! as versioned data that Corporate Communications can edit. The default pack
//! (`policy-pack/screening.toml`) is compiled in; an edited pack is read with
//! [`Pack::from_toml`] and must pass its own saved examples before an engine will use it.

use custodian_textmodel::files;
use serde::Deserialize;

/// The default pack, compiled in so the engine can never start without rules.
const DEFAULT_PACK: &str = include_str!("../../../policy-pack/screening.toml");

/// The model file the built-in pack names (`[model] file`), compiled in beside it.
pub const DEFAULT_MODEL_FILE: &str = "screening-model.tsv";
const DEFAULT_MODEL: &str = include_str!("../../../policy-pack/screening-model.tsv");

/// The name model file the built-in pack names (`[name_model] file`), compiled in beside it.
pub const DEFAULT_NAME_MODEL_FILE: &str = "screening-names-model.tsv";
const DEFAULT_NAME_MODEL: &str = include_str!("../../../policy-pack/screening-names-model.tsv");

/// The WP034 clauses a screening rule may cite.
pub const CLAUSES: [&str; 8] = ["6.3a", "6.3b", "6.3c", "6.3d", "6.3e", "6.3f", "6.3g", "6.5"];

/// A screening policy pack as written. Unknown fields are refused so a misspelt key cannot
/// silently switch a rule off.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    /// The pack's own version, changed on every edit ("2026.11.1").
    pub version: String,
    /// The policy the pack enforces; must be "WP034".
    pub policy: String,
    /// What this version changed, for the history.
    #[serde(default)]
    pub description: String,
    /// Confidence thresholds shared by every rule.
    pub thresholds: Thresholds,
    /// Public numbers, addresses and names that are never personal data.
    pub allowlist: Allowlist,
    /// Names of members of the public (6.3b).
    pub names: Names,
    /// Prejudging proceedings and identifying protected people (6.3a).
    pub justice: Justice,
    /// Pattern and word-list rules.
    #[serde(rename = "rule")]
    pub rules: Vec<Rule>,
    /// Saved drafts with the categories each must produce; a pack whose examples fail is refused.
    #[serde(default, rename = "example")]
    pub examples: Vec<Example>,
    /// A statistical sentence model that adds findings the rules miss, when there is one.
    #[serde(default)]
    pub model: Option<ModelRef>,
    /// The text of the model file `model.file` names, once read: the compiled-in model when the
    /// pack names [`DEFAULT_MODEL_FILE`] ([`Pack::from_toml`]), or one read with
    /// [`Pack::with_model_text`].
    #[serde(skip)]
    pub model_text: Option<String>,
    /// A statistical model of names (6.3b) that adds a name the name rules missed: one score per
    /// run of capitalised words no rule found anything in, read with the pack's name lists.
    #[serde(default)]
    pub name_model: Option<ModelRef>,
    /// The text of the file `name_model.file` names, once read (as `model_text`).
    #[serde(skip)]
    pub name_model_text: Option<String>,
}

/// The pack's sentence model: a file beside the pack with its version and SHA-256, the
/// category, clause and action its findings take, and the explanation they give. A sentence
/// the rules already found in that category is not scored again.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelRef {
    pub file: String,
    pub version: String,
    pub sha256: String,
    /// The category its findings are in; must be the one the model file names.
    pub category: String,
    pub clause: String,
    pub action: String,
    /// Why a finding matters; the engine adds the model's score and the words that weighed most.
    pub explanation: String,
    /// Overrides the model file's threshold (a probability in (0, 1]) when set.
    #[serde(default)]
    pub threshold: Option<f32>,
}

/// Confidence thresholds. A candidate scoring below `report` is dropped; from `report` up to
/// `act` it is a warning; at `act` or above it takes its rule's action.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    pub report: f32,
    pub act: f32,
}

/// Things that look like personal data but are published by the force or are public services.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Allowlist {
    /// Phone numbers in any common writing ("0800 555 111", "+44 800 555 111", "101").
    #[serde(default)]
    pub phones: Vec<String>,
    /// Whole email addresses.
    #[serde(default)]
    pub emails: Vec<String>,
    /// UK number ranges that belong to organisations, never to a private person, as national
    /// prefixes ("080" freephone, "03" non-geographic, "084", "087", "09").
    #[serde(default)]
    pub phone_prefixes: Vec<String>,
    /// Email domains whose addresses are the force's own (the part after the @).
    #[serde(default)]
    pub email_domains: Vec<String>,
    /// Domain endings of public bodies and organisations (".gov.uk", ".nhs.uk", ".org.uk"):
    /// their addresses are published on purpose.
    #[serde(default)]
    pub email_domain_endings: Vec<String>,
    /// Role mailboxes ("info", "enquiries", "press"): an organisation's address, not a person's.
    #[serde(default)]
    pub email_roles: Vec<String>,
    /// Postcodes of the force's public buildings.
    #[serde(default)]
    pub postcodes: Vec<String>,
    /// Street addresses of the force's public buildings, as written in posts.
    #[serde(default)]
    pub addresses: Vec<String>,
    /// Operation names that are national or force-wide public campaigns, not investigations.
    #[serde(default)]
    pub operations: Vec<String>,
    /// Rights holders whose material the force may use (its own name).
    #[serde(default)]
    pub rights_holders: Vec<String>,
}

/// Word lists for finding the names of members of the public.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Names {
    pub clause: String,
    pub action: String,
    pub explanation: String,
    /// Given names that start a name without a title.
    pub forenames: Vec<String>,
    /// Also start names at the given names registered for births in England and Wales
    /// (`data/forenames-ons.txt`: ONS baby-name statistics 1996-2024, Open Government Licence
    /// v3.0), less those that are common English words.
    #[serde(default)]
    pub ons_forenames: bool,
    /// Also start names at given names of many origins that the ONS list does not hold
    /// (`data/forenames-intl.txt`: the person lists of the Faker package, MIT licence), less
    /// those that are common English words: adults' names and names from abroad.
    #[serde(default)]
    pub intl_forenames: bool,
    /// Titles that make the following capitalised words a name (Mr, Mrs, Ms, Dr).
    pub honorifics: Vec<String>,
    /// Ranks and roles that mark the following name as an officer or official's, not personal.
    pub officials: Vec<String>,
    /// Capitalised words that are never part of a person's name (places, days, organisations).
    pub not_names: Vec<String>,
    /// Words of `not_names` that are also common surnames ("Hall", "Lane"): straight after a
    /// known given name standing alone, and not after a word that introduces a place ("on",
    /// "at", "in", a house number), they end the person's name ("Stacey Hall needs her
    /// medication") rather than make the words a place ("Victoria Hall").
    #[serde(default)]
    pub place_surnames: Vec<String>,
    /// Words near a name that show a member of the public (victim, witness, missing).
    pub raise: Vec<String>,
    /// Words near a name that show a published court result or an official.
    pub lower: Vec<String>,
    /// How far (bytes) either side of a name the context words are looked for.
    pub window: usize,
    pub base: f32,
    pub honorific_raise: f32,
    pub age_raise: f32,
    pub raise_by: f32,
    pub lower_by: f32,
    /// Phrases that introduce a member of the public by name ("named as", "the victim,",
    /// "have you seen"): two or three capitalised words straight after one are a name even when
    /// the given name is not in `forenames`, and count as a raise.
    #[serde(default)]
    pub introducers: Vec<String>,
    /// Added to a name introduced by one of `introducers`.
    #[serde(default)]
    pub introducer_raise: f32,
    /// Words that, straight before a name, show a court result about a defendant
    /// ("Sentencing Ms Hollingsworth"): they lower it like `lower` after a name.
    #[serde(default)]
    pub lower_before: Vec<String>,
}

/// Word lists for 6.3a: prejudging a pending case, and naming someone the law protects.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Justice {
    pub clause: String,
    pub action: String,
    /// Words that show proceedings are under way and undecided.
    pub pending: Vec<String>,
    /// Words that show the case is decided (a plea or verdict), lifting the prejudgement rule.
    pub decided: Vec<String>,
    /// Words that prejudge guilt when proceedings are pending.
    pub prejudicial: Vec<String>,
    /// Words that make the post about a sexual offence.
    pub sexual: Vec<String>,
    /// Words just before a name that make it the complainant's.
    pub complainant: Vec<String>,
    /// Words that make the post about proceedings, for naming a child.
    pub proceedings: Vec<String>,
    /// The oldest age that is still a child (17).
    pub child_age: u32,
    pub prejudge_explanation: String,
    pub complainant_explanation: String,
    pub child_explanation: String,
}

/// One pattern or word-list rule.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Unique within the pack ("personal.phone.uk").
    pub id: String,
    /// One of the category names ("personal.phone").
    pub category: String,
    /// The WP034 clause the rule enforces, one of [`CLAUSES`].
    pub clause: String,
    /// What a confident match does: block, sio, corporate_comms or warn.
    pub action: String,
    /// The view matched: "text" (numbers kept) or "words" (spaced letters joined, digits folded).
    #[serde(default = "default_view")]
    pub view: String,
    /// A regular expression (Rust regex syntax). A group named `m` narrows the finding's span.
    #[serde(default)]
    pub pattern: Option<String>,
    /// Words or phrases, matched whole; spaces in a phrase match any run of spaces.
    #[serde(default)]
    pub words: Vec<String>,
    /// Whether `words` are matched with their exact case.
    #[serde(default)]
    pub case_sensitive: bool,
    /// A named check from the engine (nino, nhs, card, iban, postcode, vehicle_current,
    /// vehicle_prefix, vehicle_suffix, phone, email, date, marking, operation, rights, address).
    #[serde(default)]
    pub check: Option<String>,
    /// Starting confidence of a match that passes its check.
    #[serde(default = "default_base")]
    pub base: f32,
    /// How far (bytes) either side of a match the context words are looked for.
    #[serde(default = "default_window")]
    pub window: usize,
    /// Context words that raise confidence.
    #[serde(default)]
    pub raise: Vec<String>,
    /// Context words that lower confidence.
    #[serde(default)]
    pub lower: Vec<String>,
    /// Context words that lower confidence only when they come before the match, within the
    /// window ("ref 0121 496 0123" is a reference; "07700 900123 | NHS: ..." in a record is
    /// still a phone number).
    #[serde(default)]
    pub lower_before: Vec<String>,
    /// Words within the window before the match that drop it (negations: "don't DM us").
    #[serde(default)]
    pub suppress_before: Vec<String>,
    /// Text of which at least one piece must appear in the lower-cased draft for the rule to be
    /// tried at all (a cheap test that spares the pattern's search on most drafts). Empty: the
    /// rule is always tried.
    #[serde(default)]
    pub needs: Vec<String>,
    /// Words the match itself must not be (whole-match stop list, compared case-insensitively
    /// on the last word of the match).
    #[serde(default)]
    pub stop: Vec<String>,
    /// Whether a raising context word is required.
    #[serde(default)]
    pub require_context: bool,
    #[serde(default = "default_raise_by")]
    pub raise_by: f32,
    #[serde(default = "default_lower_by")]
    pub lower_by: f32,
    /// Confidence added when the match was disguised (look-alikes, spacing, invisible
    /// characters) in the original text.
    #[serde(default)]
    pub disguise_raise: f32,
    /// Why this matters, shown to the author.
    pub explanation: String,
}

/// A saved draft and the categories the pack must find in it, no more and no fewer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub text: String,
    pub expect: Vec<String>,
}

fn default_view() -> String {
    "text".into()
}
fn default_base() -> f32 {
    0.9
}
fn default_window() -> usize {
    40
}
fn default_raise_by() -> f32 {
    0.3
}
fn default_lower_by() -> f32 {
    0.4
}

/// Why a pack cannot be used. Each variant names the rule or example at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PackError {
    #[error("the pack is not valid TOML for a screening pack: {0}")]
    Toml(String),
    #[error("the pack is for policy {0:?}; this engine enforces WP034")]
    Policy(String),
    #[error("rule {rule:?}: {message}")]
    Rule { rule: String, message: String },
    #[error("rule id {0:?} is used twice")]
    Duplicate(String),
    #[error("model: {0}")]
    Model(String),
    #[error("example {index} ({text:?}): expected {expected:?}, the pack found {found:?}")]
    Example { index: usize, text: String, expected: Vec<String>, found: Vec<String> },
}

impl Pack {
    /// Read a pack from TOML. This checks only its shape; [`crate::Engine::from_pack`] checks
    /// the rules compile and the examples pass.
    pub fn from_toml(s: &str) -> Result<Pack, PackError> {
        let mut p: Pack = toml::from_str(s).map_err(|e| PackError::Toml(e.to_string()))?;
        if p.model.as_ref().is_some_and(|m| m.file == DEFAULT_MODEL_FILE) {
            p.model_text = Some(DEFAULT_MODEL.to_string());
        }
        if p.name_model.as_ref().is_some_and(|m| m.file == DEFAULT_NAME_MODEL_FILE) {
            p.name_model_text = Some(DEFAULT_NAME_MODEL.to_string());
        }
        Ok(p)
    }

    /// The pack with the text of the model file it names (read by the caller from beside the
    /// pack); the engine checks it against the pack's SHA-256.
    pub fn with_model_text(mut self, text: String) -> Pack {
        self.model_text = Some(text);
        self
    }

    /// A pack read from a file, with the model file it names read from beside it when that file
    /// is there (otherwise the compiled-in model, if the pack names it).
    pub fn from_path(path: &std::path::Path) -> Result<Pack, String> {
        let mut p = files::read_pack(path, Pack::from_toml)?;
        // The file beside the pack when it is there, else the compiled-in text the pack named.
        let beside = |m: &Option<ModelRef>, text: &mut Option<String>| -> Result<(), String> {
            if let Some(m) = m {
                let file = files::beside(path, &m.file);
                if file.is_file() || text.is_none() {
                    *text = Some(files::read_text(&file)?);
                }
            }
            Ok(())
        };
        beside(&p.model, &mut p.model_text)?;
        beside(&p.name_model, &mut p.name_model_text)?;
        Ok(p)
    }

    /// The text of the compiled-in model file (`policy-pack/screening-model.tsv`).
    pub fn builtin_model_text() -> &'static str {
        DEFAULT_MODEL
    }

    /// The text of the compiled-in name model file (`policy-pack/screening-names-model.tsv`).
    pub fn builtin_name_model_text() -> &'static str {
        DEFAULT_NAME_MODEL
    }

    /// The pack compiled into this build (`policy-pack/screening.toml`).
    pub fn builtin() -> Result<Pack, PackError> {
        Self::from_toml(DEFAULT_PACK)
    }

    /// The text of the compiled-in pack, for `custodian screen` users who want to start an edit.
    pub fn builtin_text() -> &'static str {
        DEFAULT_PACK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_pack_parses_and_every_rule_cites_a_section_six_clause() {
        let p = Pack::builtin().expect("builtin pack parses");
        assert_eq!(p.policy, "WP034");
        assert!(!p.rules.is_empty());
        for r in &p.rules {
            assert!(CLAUSES.contains(&r.clause.as_str()), "{} cites {}", r.id, r.clause);
        }
    }

    #[test]
    fn a_pack_file_reads_the_model_files_beside_it_or_keeps_the_compiled_in_ones() {
        let dir = std::env::temp_dir().join(format!("custodian-screening-pack-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("screening.toml");
        // Neither model file beside the pack: the compiled-in texts it names stand.
        std::fs::write(&path, DEFAULT_PACK).unwrap();
        let p = Pack::from_path(&path).unwrap();
        assert_eq!(p.model_text.as_deref(), Some(DEFAULT_MODEL));
        assert_eq!(p.name_model_text.as_deref(), Some(DEFAULT_NAME_MODEL));
        // A file beside the pack is read instead.
        std::fs::write(dir.join(DEFAULT_MODEL_FILE), "sentence model").unwrap();
        std::fs::write(dir.join(DEFAULT_NAME_MODEL_FILE), "name model").unwrap();
        let p = Pack::from_path(&path).unwrap();
        assert_eq!(p.model_text.as_deref(), Some("sentence model"));
        assert_eq!(p.name_model_text.as_deref(), Some("name model"));
        // A model file the build does not carry must be beside the pack: refused, naming it.
        std::fs::write(&path, DEFAULT_PACK.replace(DEFAULT_NAME_MODEL_FILE, "other-names.tsv")).unwrap();
        let err = Pack::from_path(&path).unwrap_err();
        assert!(err.starts_with(&format!("reading {}: ", dir.join("other-names.tsv").display())), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_misspelt_key_is_refused() {
        let text = Pack::builtin_text().replacen("[thresholds]", "[thresholds]\nreprot = 0.1", 1);
        assert!(matches!(Pack::from_toml(&text), Err(PackError::Toml(_))));
    }
}
