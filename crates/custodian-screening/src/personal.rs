//! The personal-profile check (WP034 7.1, 7.2): a person pastes the text of their own public
//! profile or a draft personal post and is told, privately, what in it hostile third parties
//! could use or what the policy asks them not to share: a vetting or clearance level (theirs or
//! anyone's), their role and access to information, their association with the force stated
//! without saying they speak for themselves, home address details, and operational details.
//!
//! It is advice, never a finding: nothing here is recorded or sent anywhere. Its rules are a pack
//! of their own (`policy-pack/personal.toml`) citing 7.1 and 7.2; home addresses and operational
//! details reuse the section 6 engine's categories (a house number and street, a postcode, covert
//! tactics, operation names...) through the pack's `borrow` table, so the two never disagree on
//! what an address is. Matching runs on the engine's normalised text (look-alike letters folded,
//! invisible characters removed) and every span is a byte range of the text as given.

use serde::{Deserialize, Serialize};

use regex::{Regex, RegexBuilder};

use crate::engine::{Category, Engine, floor_boundary};
use crate::names::{WordList, lower_has_any};
use crate::normalise;
use crate::pack::PackError;

const DEFAULT_PACK: &str = include_str!("../../../policy-pack/personal.toml");

/// The WP034 clauses a personal rule may cite.
pub const PERSONAL_CLAUSES: [&str; 2] = ["7.1", "7.2"];

/// The personal check's categories, with their words for pages.
pub const PERSONAL_CATEGORIES: [(&str, &str); 5] = [
    ("clearance", "A vetting or security clearance level"),
    ("role", "Your role and access to information"),
    ("association", "Your link with the force, without saying you speak for yourself"),
    ("address", "Home address details"),
    ("operational", "Details of policing operations"),
];

/// The words of a personal category ("clearance" is "A vetting or security clearance level").
pub fn personal_label(category: &str) -> &'static str {
    PERSONAL_CATEGORIES.iter().find(|(c, _)| *c == category).map_or("Other", |(_, l)| l)
}

/// The personal pack as written. Unknown fields are refused.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonalPack {
    pub version: String,
    /// Must be "WP034".
    pub policy: String,
    #[serde(default)]
    pub description: String,
    /// Phrases that make clear the person speaks on their own behalf (7.2): "views are my own".
    pub disclaimers: Vec<String>,
    /// Section 6 categories the screening engine finds that are also personal advice.
    #[serde(default)]
    pub borrow: Vec<Borrow>,
    #[serde(rename = "rule")]
    pub rules: Vec<PersonalRule>,
    /// Texts from the policy's own words and the categories each must produce, no more, no fewer.
    #[serde(default, rename = "example")]
    pub examples: Vec<PersonalExample>,
}

/// A section 6 screening category reused as personal advice.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Borrow {
    /// The screening category ("personal.address").
    pub screening: String,
    /// The personal category it counts as ("address").
    pub category: String,
    pub clause: String,
    pub explanation: String,
}

/// One personal rule.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonalRule {
    pub id: String,
    /// One of [`PERSONAL_CATEGORIES`].
    pub category: String,
    /// One of [`PERSONAL_CLAUSES`].
    pub clause: String,
    #[serde(default)]
    pub pattern: Option<String>,
    #[serde(default)]
    pub words: Vec<String>,
    #[serde(default)]
    pub case_sensitive: bool,
    /// How far (bytes) either side of a match `raise` words are looked for.
    #[serde(default = "default_window")]
    pub window: usize,
    /// Context words; with `require_context`, a match needs one of them nearby.
    #[serde(default)]
    pub raise: Vec<String>,
    #[serde(default)]
    pub require_context: bool,
    /// Context words near the match that drop it.
    #[serde(default)]
    pub lower: Vec<String>,
    /// The rule stays silent when the text says the person speaks for themselves.
    #[serde(default)]
    pub unless_disclaimer: bool,
    pub explanation: String,
}

fn default_window() -> usize {
    40
}

/// A text and the personal categories it must produce.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonalExample {
    pub text: String,
    pub expect: Vec<String>,
}

impl PersonalPack {
    pub fn from_toml(s: &str) -> Result<Self, PackError> {
        toml::from_str(s).map_err(|e| PackError::Toml(e.to_string()))
    }
    /// The pack compiled into this build (`policy-pack/personal.toml`).
    pub fn builtin() -> Result<Self, PackError> {
        Self::from_toml(DEFAULT_PACK)
    }
}

/// One piece of advice: what was found, where, and why it matters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Advice {
    pub category: &'static str,
    pub label: &'static str,
    pub clause: String,
    /// Byte offsets into the text as given.
    pub start: usize,
    pub end: usize,
    #[serde(rename = "match")]
    pub matched: String,
    pub explanation: String,
}

/// The result of a personal check: advice only.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonalCheck {
    pub pack_version: String,
    /// Whether the text says the person speaks on their own behalf.
    pub disclaimer: bool,
    /// In order of `start`.
    pub advice: Vec<Advice>,
}

#[derive(Debug, Clone)]
struct Compiled {
    category: &'static str,
    clause: String,
    regex: Regex,
    window: usize,
    raise: WordList,
    require_context: bool,
    lower: WordList,
    unless_disclaimer: bool,
    explanation: String,
}

#[derive(Debug, Clone)]
struct Borrowed {
    screening: Category,
    category: &'static str,
    clause: String,
    explanation: String,
}

/// A compiled personal pack.
#[derive(Debug, Clone)]
pub struct PersonalEngine {
    version: String,
    disclaimers: WordList,
    rules: Vec<Compiled>,
    borrow: Vec<Borrowed>,
}

fn err(rule: &str, message: impl Into<String>) -> PackError {
    PackError::Rule { rule: rule.to_owned(), message: message.into() }
}

fn category(id: &str, c: &str) -> Result<&'static str, PackError> {
    PERSONAL_CATEGORIES
        .iter()
        .find(|(k, _)| *k == c)
        .map(|(k, _)| *k)
        .ok_or_else(|| err(id, format!("unknown category {c:?}")))
}

fn clause(id: &str, c: &str) -> Result<String, PackError> {
    if PERSONAL_CLAUSES.contains(&c) {
        Ok(c.to_owned())
    } else {
        Err(err(id, format!("clause {c:?} is not one of {PERSONAL_CLAUSES:?}")))
    }
}

impl PersonalEngine {
    /// Compile a pack; every example must give exactly its categories with `screening` (the
    /// section 6 engine whose categories the pack borrows).
    pub fn from_pack(pack: &PersonalPack, screening: &Engine) -> Result<Self, PackError> {
        if pack.policy != "WP034" {
            return Err(PackError::Policy(pack.policy.clone()));
        }
        let mut seen = std::collections::HashSet::new();
        let mut rules = Vec::new();
        for r in &pack.rules {
            if !seen.insert(r.id.as_str()) {
                return Err(PackError::Duplicate(r.id.clone()));
            }
            let pattern = match (&r.pattern, r.words.is_empty()) {
                (Some(p), true) => p.clone(),
                (None, false) => {
                    let mut words: Vec<&String> = r.words.iter().collect();
                    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
                    let alts: Vec<String> = words
                        .iter()
                        .map(|w| w.split_whitespace().map(regex::escape).collect::<Vec<_>>().join(r"[\s-]+"))
                        .collect();
                    format!(r"\b(?:{})\b", alts.join("|"))
                }
                _ => return Err(err(&r.id, "give a pattern or words, not both and not neither")),
            };
            let regex = RegexBuilder::new(&pattern.replace(r"\b", r"(?-u:\b)"))
                .case_insensitive(!r.case_sensitive)
                .size_limit(1 << 24)
                .build()
                .map_err(|e| err(&r.id, format!("pattern does not compile: {e}")))?;
            rules.push(Compiled {
                category: category(&r.id, &r.category)?,
                clause: clause(&r.id, &r.clause)?,
                regex,
                window: r.window,
                raise: WordList::new(&r.id, &r.raise)?,
                require_context: r.require_context,
                lower: WordList::new(&r.id, &r.lower)?,
                unless_disclaimer: r.unless_disclaimer,
                explanation: r.explanation.clone(),
            });
        }
        let mut borrow = Vec::new();
        for b in &pack.borrow {
            let id = format!("borrow {}", b.screening);
            borrow.push(Borrowed {
                screening: Category::parse(&b.screening)
                    .ok_or_else(|| err(&id, format!("{:?} is not a screening category", b.screening)))?,
                category: category(&id, &b.category)?,
                clause: clause(&id, &b.clause)?,
                explanation: b.explanation.clone(),
            });
        }
        let engine = PersonalEngine {
            version: pack.version.clone(),
            disclaimers: WordList::new("disclaimers", &pack.disclaimers)?,
            rules,
            borrow,
        };
        for (index, ex) in pack.examples.iter().enumerate() {
            let mut found: Vec<String> =
                engine.check(&ex.text, screening).advice.iter().map(|a| a.category.to_owned()).collect();
            found.sort();
            found.dedup();
            let mut expected = ex.expect.clone();
            expected.sort();
            expected.dedup();
            if found != expected {
                return Err(PackError::Example { index, text: ex.text.clone(), expected, found });
            }
        }
        Ok(engine)
    }

    /// The compiled-in personal pack over the compiled-in screening pack.
    pub fn builtin() -> Result<Self, PackError> {
        Self::from_pack(&PersonalPack::builtin()?, &Engine::builtin()?)
    }

    pub fn pack_version(&self) -> &str {
        &self.version
    }

    /// Check a text. Never panics; the advice is in the order of the text.
    pub fn check(&self, text: &str, screening: &Engine) -> PersonalCheck {
        let base = normalise::base(text);
        let disclaimer = lower_has_any(&base.lower, &self.disclaimers);
        let mut advice: Vec<Advice> = Vec::new();
        for r in &self.rules {
            if r.unless_disclaimer && disclaimer {
                continue;
            }
            for m in r.regex.find_iter(&base.text) {
                let (s, e) = (m.start(), m.end());
                if s >= e {
                    continue;
                }
                let from = floor_boundary(&base.lower, s.saturating_sub(r.window));
                let to = floor_boundary(&base.lower, e.saturating_add(r.window));
                let around = &base.lower[from..to];
                if r.require_context && !lower_has_any(around, &r.raise) {
                    continue;
                }
                if !r.lower.is_empty() && lower_has_any(around, &r.lower) {
                    continue;
                }
                let Some((a, b)) = base.original_span(s, e) else { continue };
                let Some(matched) = text.get(a..b) else { continue };
                advice.push(Advice {
                    category: r.category,
                    label: personal_label(r.category),
                    clause: r.clause.clone(),
                    start: a,
                    end: b,
                    matched: matched.to_owned(),
                    explanation: r.explanation.clone(),
                });
            }
        }
        if !self.borrow.is_empty() {
            for f in screening.screen(text).findings {
                if let Some(b) = self.borrow.iter().find(|b| b.screening == f.category) {
                    advice.push(Advice {
                        category: b.category,
                        label: personal_label(b.category),
                        clause: b.clause.clone(),
                        start: f.start,
                        end: f.end,
                        matched: f.matched,
                        explanation: b.explanation.clone(),
                    });
                }
            }
        }
        // One piece of advice per place: a span inside another of the same category goes.
        advice.sort_by(|x, y| x.start.cmp(&y.start).then(y.end.cmp(&x.end)));
        let mut kept: Vec<Advice> = Vec::with_capacity(advice.len());
        for a in advice {
            if kept.iter().any(|k| k.category == a.category && k.start <= a.start && a.end <= k.end) {
                continue;
            }
            kept.push(a);
        }
        PersonalCheck { pack_version: self.version.clone(), disclaimer, advice: kept }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Vec<&'static str> {
        let engine = PersonalEngine::builtin().expect("the personal pack compiles and its examples pass");
        let screening = Engine::builtin().expect("screening pack");
        let mut c: Vec<&str> = engine.check(text, &screening).advice.iter().map(|a| a.category).collect();
        c.dedup();
        c
    }

    #[test]
    fn the_builtin_pack_compiles_passes_its_examples_and_cites_seven_one_or_seven_two() {
        let pack = PersonalPack::builtin().unwrap();
        assert!(pack.examples.len() >= 10, "the pack carries its own examples");
        for r in &pack.rules {
            assert!(PERSONAL_CLAUSES.contains(&r.clause.as_str()), "{} cites {}", r.id, r.clause);
        }
        for (c, _) in PERSONAL_CATEGORIES {
            assert!(pack.examples.iter().any(|e| e.expect.iter().any(|x| x == c)), "no example shows category {c}");
        }
        PersonalEngine::builtin().unwrap();
    }

    #[test]
    fn spans_are_the_text_as_given_even_when_disguised() {
        let engine = PersonalEngine::builtin().unwrap();
        let screening = Engine::builtin().unwrap();
        // A Cyrillic "С" in "SС cleared" is still a clearance level, and the span is the original.
        let text = "Proud to be S\u{0421} cleared since March.";
        let c = engine.check(text, &screening);
        assert_eq!(c.advice.len(), 1, "{c:?}");
        let a = &c.advice[0];
        assert_eq!((a.category, &text[a.start..a.end]), ("clearance", a.matched.as_str()));
        assert!(a.matched.starts_with('S'));
    }

    #[test]
    fn saying_you_speak_for_yourself_silences_only_the_association_advice() {
        assert_eq!(check("PC at Warwickshire Police. Dad of two."), ["association"]);
        assert!(check("PC at Warwickshire Police. Dad of two. Views are my own.").is_empty());
        assert_eq!(check("Police officer, DV cleared. All views my own."), ["clearance"]);
    }

    #[test]
    fn a_profile_that_says_everything_gets_every_category() {
        let text = "Proud to be SC cleared! PC at Warwickshire Police, intelligence analyst with access to PNC. \
            We live at 14 Acacia Avenue. Early start tomorrow, warrant at 5am, wish us luck.";
        let mut c = check(text);
        c.sort();
        c.dedup();
        assert_eq!(c, ["address", "association", "clearance", "operational", "role"]);
        let engine = PersonalEngine::builtin().unwrap();
        let found = engine.check(text, &Engine::builtin().unwrap());
        assert!(found.advice.iter().any(|a| a.matched == "SC cleared"), "{:?}", found.advice);
        assert!(!found.disclaimer);
    }

    #[test]
    fn a_misspelt_key_is_refused() {
        let text = DEFAULT_PACK.replacen("disclaimers", "disclaimer", 1);
        assert!(matches!(PersonalPack::from_toml(&text), Err(PackError::Toml(_))));
    }
}
