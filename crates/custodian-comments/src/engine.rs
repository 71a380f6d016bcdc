//! The triage engine: a pack compiled into one regular expression per rule and view.

use std::collections::BTreeMap;

use regex::bytes::{Regex, RegexBuilder};
use serde::Serialize;

use crate::model::{self, Model};
use crate::normalise::{self, View};
use crate::pack::{LABELS, Pack, PackError, ServiceLevel};
use crate::staff::{StaffIndex, StaffNamed, name_key};
use custodian_domain::people::ranks;
use custodian_textmodel::pin::{PinError, Source, check_pin};

/// One label found in a comment: the first span that gave it, in UTF-8 byte offsets into the
/// text exactly as given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelMatch {
    pub label: &'static str,
    pub start: usize,
    pub end: usize,
    #[serde(rename = "match")]
    pub matched: String,
    pub explanation: String,
    pub clause: String,
}

/// One of WP034's paths the comment takes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RouteTaken {
    pub route: String,
    pub clause: String,
    pub name: String,
    pub labels: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_level: Option<ServiceLevel>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replies: Vec<String>,
    /// On a route for the affected person (the line manager's wellbeing route): the register's
    /// people the comment names, when the triage was given the register.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub staff: Vec<StaffNamed>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Triage {
    pub labels: Vec<LabelMatch>,
    pub route: Vec<RouteTaken>,
    /// The register's people the comment names (empty without a register).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub staff: Vec<StaffNamed>,
}

impl Triage {
    pub fn has(&self, label: &str) -> bool {
        self.labels.iter().any(|l| l.label == label)
    }
}

struct CompiledRule {
    label: &'static str,
    clause: String,
    explanation: String,
    words: Option<Regex>,
    numbers: Option<Regex>,
    unless: Option<Regex>,
    requires: Option<Regex>,
    masked_requires: Option<Regex>,
    unless_labels: Vec<&'static str>,
}

struct CompiledRoute {
    id: String,
    clause: String,
    name: String,
    labels: Vec<&'static str>,
    staff_labels: Vec<&'static str>,
    staff: Option<Regex>,
    service_levels: BTreeMap<&'static str, ServiceLevel>,
    replies: BTreeMap<&'static str, String>,
}

pub struct Engine {
    version: String,
    /// Each term list as one anchored expression, to tell whether a masked word could be a word
    /// of more than one list.
    term_lists: Vec<Regex>,
    rules: Vec<CompiledRule>,
    routes: Vec<CompiledRoute>,
    /// The pack's model, when it has one, and how its labels join the rules'.
    model: Option<Model>,
    combine: Combine,
    /// Per label (LABELS order), what must also match for the model to give it.
    model_requires: Vec<Option<Regex>>,
    /// Per label, the explanation a model label carries (the first rule's for that label).
    label_explanations: Vec<(String, String)>,
    /// What the pack does differently from what it says: the shipped model standing in for the
    /// one the pack names, and the saved examples that no longer pass with it.
    warnings: Vec<String>,
    /// Names that never name a member of staff alone (the pack's `[staff]`), lowered.
    common_names: std::collections::HashSet<String>,
    given_name_alone: bool,
    misspellings: bool,
    common_words_capitalised: bool,
    given_name_unique: bool,
}

/// Words the pack's `{officer}` fragment also reads as a rank or role before a name or number,
/// besides the ranks (`custodian_domain::people::ranks`, WP034 8.2): roles and misspellings.
const ROLE_WORDS: &[&str] = &["serg", "oficer", "chief", "ch", "special"];

/// Words that name a rank or role before a name or number: a name after one is already read as
/// an officer by the pack's `{officer}` fragment. Shortest first where one begins another, the
/// order in which a number run on after one ("pc3391") is tried.
fn rank_words() -> impl Iterator<Item = &'static str> {
    ranks::RANKS.iter().filter(|r| r.triage).map(|r| r.word).chain(ROLE_WORDS.iter().copied())
}

fn is_rank_word(w: &str) -> bool {
    rank_words().any(|r| r == w)
}

/// Words after a name that make it a place or a business ("Hughes Street", "Grint's Garage"): a
/// name alone before one of them names nobody.
const PLACE_WORDS: &[&str] = &[
    "street",
    "st",
    "road",
    "rd",
    "lane",
    "avenue",
    "ave",
    "close",
    "drive",
    "way",
    "crescent",
    "grove",
    "court",
    "place",
    "gardens",
    "terrace",
    "walk",
    "park",
    "square",
    "green",
    "hill",
    "estate",
    "school",
    "academy",
    "college",
    "centre",
    "center",
    "hall",
    "house",
    "garage",
    "motors",
    "farm",
    "field",
    "fields",
    "bridge",
    "wood",
    "woods",
    "end",
    "ward",
    "hospital",
    "surgery",
    "stores",
    "shop",
    "pub",
    "arms",
    "inn",
    "industrial",
    "retail",
    "leisure",
    "primary",
    "memorial",
    "recreation",
    "rec",
    "brook",
];

/// Words a name at the start of a sentence is followed by when something is said of the person
/// ("Bishop is a pen pushing waste of space"), not when the word begins a sentence as a word
/// ("Swift action from the team").
const NAME_PREDICATES: &[&str] =
    &["is", "was", "has", "should", "needs", "cant", "can't", "wont", "won't", "couldnt", "couldn't"];

/// Words before a capitalised word that make it a thing, not a person ("the Church", "my
/// Bishop"); "that" and "this" are not among them ("That Yusuf's about as much use as ...").
const DETERMINERS: &[&str] =
    &["the", "a", "an", "my", "our", "your", "ur", "his", "her", "their", "its", "some", "any", "every", "no", "of"];

/// Common words that are written with a capital wherever they stand (languages, peoples,
/// faiths, months): a capital says nothing about them being a name. "Scott" is not among them:
/// it is a name, not a nationality (that is "Scot"); it stays a common word of the pack for
/// "got off scott free", but "Scott" written as a name names its bearer.
const NATURALLY_CAPITALISED: &[&str] = &[
    "english",
    "french",
    "welsh",
    "irish",
    "england",
    "britain",
    "christian",
    "muslim",
    "bible",
    "may",
    "june",
    "april",
    "august",
    "god",
    "christ",
    "christmas",
    "easter",
    "jesus",
];

/// Words before a number that make it a collar number already.
const NUMBER_WORDS: &[&str] = &["collar", "badge", "shoulder", "warrant", "no", "num", "number"];

/// What the triage inserts before a name of the register, so the pack's patterns read it as a
/// named officer.
const STAFF_MARK: &str = "officer ";

/// How the rules' and the model's labels are combined (the pack's `[model] combine`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// A label when a rule or the model gives it.
    Union,
    /// The rules alone.
    Rules,
    /// The model alone.
    Model,
}

impl Combine {
    pub fn parse(s: &str) -> Option<Combine> {
        Some(match s {
            "union" => Combine::Union,
            "rules" => Combine::Rules,
            "model" => Combine::Model,
            _ => return None,
        })
    }
}

pub use custodian_textmodel::sha256_hex;

fn label_static(l: &str) -> &'static str {
    LABELS.iter().find(|x| **x == l).copied().unwrap_or("spam")
}

/// A term as a regular expression that tolerates doubled letters, masks and a plural ending.
fn term_regex(t: &str) -> String {
    let mut out = String::new();
    for (i, c) in t.trim().to_lowercase().chars().enumerate() {
        if c == ' ' {
            out.push_str(r"[\s\-_]*");
        } else if c.is_alphanumeric() {
            let e = regex::escape(&c.to_string());
            if i == 0 {
                out.push_str(&format!("{e}+"));
            } else {
                out.push_str(&format!("(?:{e}+|[*#%])"));
            }
        } else {
            out.push_str(&regex::escape(&c.to_string()));
        }
    }
    out
}

/// Replace `{name}` with its term list or fragment. Quantifiers such as `{2,3}` are left alone.
fn expand(p: &str, pack: &Pack, depth: usize) -> Result<String, String> {
    if depth > 4 {
        return Err("fragments nest too deeply".into());
    }
    let mut out = String::with_capacity(p.len());
    let mut rest = p;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let close = after.find('}');
        let name = close.map(|c| &after[..c]).unwrap_or("");
        let is_name = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !is_name || i > 0 && rest.as_bytes()[i - 1] == b'\\' {
            out.push('{');
            rest = after;
            continue;
        }
        let c = close.unwrap_or(0);
        if let Some(list) = pack.terms.get(name) {
            let alts: Vec<String> = list.iter().map(|t| term_regex(t)).collect();
            out.push_str(&format!(r"\b(?:{})(?:e?s|z)?(?:[^\w*#%]|$)", alts.join("|")));
        } else if let Some(f) = pack.fragments.get(name) {
            out.push_str(&format!("(?:{})", expand(f, pack, depth + 1)?));
        } else {
            return Err(format!("unknown term list or fragment {{{name}}}"));
        }
        rest = &after[c + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn compile(
    pack: &Pack,
    list: &[String],
    index: usize,
    label: &str,
    field: &'static str,
) -> Result<Option<Regex>, PackError> {
    if list.is_empty() {
        return Ok(None);
    }
    let mut alts = Vec::new();
    for (pattern, p) in list.iter().enumerate() {
        let err = |message: String| PackError::Pattern { index, label: label.to_string(), field, pattern, message };
        let e = expand(p, pack, 0).map_err(err)?;
        RegexBuilder::new(&e).unicode(false).build().map_err(|x| err(x.to_string()))?;
        alts.push(format!("(?:{e})"));
    }
    let joined = alts.join("|");
    RegexBuilder::new(&joined)
        .unicode(false)
        .size_limit(64 << 20)
        .dfa_size_limit(64 << 20)
        .build()
        .map(Some)
        .map_err(|x| PackError::Pattern { index, label: label.to_string(), field, pattern: 0, message: x.to_string() })
}

impl Engine {
    /// The engine for the compiled-in pack.
    pub fn builtin() -> Result<Engine, PackError> {
        Engine::from_pack(&Pack::builtin()?)
    }

    /// Compile a pack and run its saved examples; a pack whose examples fail is refused.
    pub fn from_pack(pack: &Pack) -> Result<Engine, PackError> {
        let mut rules = Vec::new();
        for (index, r) in pack.rules.iter().enumerate() {
            rules.push(CompiledRule {
                label: label_static(&r.label),
                clause: r.clause.clone(),
                explanation: r.explanation.clone(),
                words: compile(pack, &r.patterns, index, &r.label, "patterns")?,
                numbers: compile(pack, &r.numbers, index, &r.label, "numbers")?,
                unless: compile(pack, &r.unless, index, &r.label, "unless")?,
                requires: compile(pack, &r.requires, index, &r.label, "requires")?,
                masked_requires: compile(pack, &r.masked_requires, index, &r.label, "masked_requires")?,
                unless_labels: r.unless_labels.iter().map(|l| label_static(l)).collect(),
            });
        }
        let mut routes = Vec::new();
        for (index, r) in pack.routes.iter().enumerate() {
            routes.push(CompiledRoute {
                id: r.id.clone(),
                clause: r.clause.clone(),
                name: r.name.clone(),
                labels: r.labels.iter().map(|l| label_static(l)).collect(),
                staff_labels: r.staff_labels.iter().map(|l| label_static(l)).collect(),
                staff: compile(pack, &r.staff, index, &r.id, "staff")?,
                service_levels: r
                    .service_levels
                    .iter()
                    .filter_map(|(l, v)| Some((label_static(l), ServiceLevel::parse(v)?)))
                    .collect(),
                replies: r.replies.iter().map(|(l, v)| (label_static(l), v.clone())).collect(),
            });
        }
        let mut term_lists = Vec::new();
        for (name, list) in &pack.terms {
            let alts: Vec<String> = list.iter().map(|t| term_regex(t)).collect();
            let re = RegexBuilder::new(&format!(r"^(?:{})(?:e?s|z)?$", alts.join("|")))
                .unicode(false)
                .build()
                .map_err(|x| PackError::Pattern {
                    index: 0,
                    label: format!("terms.{name}"),
                    field: "terms",
                    pattern: 0,
                    message: x.to_string(),
                })?;
            term_lists.push(re);
        }
        let mut warnings = Vec::new();
        let (model, combine) = match &pack.model {
            None => (None, Combine::Rules),
            Some(m) => {
                let text = pack.model_text.as_deref();
                let source = match text {
                    Some(t) if m.file == crate::pack::DEFAULT_MODEL_FILE && t == crate::pack::DEFAULT_MODEL => {
                        Source::Shipped
                    }
                    _ => Source::Read,
                };
                let pinned = check_pin(&m.file, &m.sha256, &m.version, text.map(|t| (t, source))).map_err(|e| {
                    PackError::Model(match e {
                        PinError::Unread { file } => {
                            format!("the model file {file} was not read (load the pack with Pack::from_path)")
                        }
                        e => e.to_string(),
                    })
                })?;
                let text = text.unwrap_or_default();
                let model = Model::parse(text).map_err(|e| PackError::Model(format!("{}: {e}", m.file)))?;
                match pinned {
                    Some(mut w) => {
                        w.shipped_version = model.version.clone();
                        warnings.push(w.to_string());
                    }
                    None if model.version != m.version => {
                        return Err(PackError::Model(format!(
                            "{} is version {:?}, but the pack names {:?}",
                            m.file, model.version, m.version
                        )));
                    }
                    None => {}
                }
                let combine = Combine::parse(&m.combine).unwrap_or(Combine::Union);
                (Some(model), combine)
            }
        };
        let mut model_requires = Vec::new();
        for l in LABELS {
            let list = pack.model.as_ref().and_then(|m| m.requires.get(l)).cloned().unwrap_or_default();
            model_requires.push(compile(pack, &list, 0, l, "model.requires")?);
        }
        let label_explanations = LABELS
            .iter()
            .map(|l| {
                let r = pack.rules.iter().find(|r| r.label == *l);
                (
                    r.map(|r| r.explanation.clone()).unwrap_or_default(),
                    r.map(|r| r.clause.clone()).unwrap_or_else(|| "8.2".into()),
                )
            })
            .collect();
        let engine = Engine {
            version: pack.version.clone(),
            term_lists,
            rules,
            routes,
            model,
            combine,
            model_requires,
            label_explanations,
            warnings,
            common_names: pack.staff.common_words.iter().map(|w| name_key(w)).collect(),
            given_name_alone: pack.staff.given_name_alone,
            misspellings: pack.staff.misspellings,
            common_words_capitalised: pack.staff.common_words_capitalised,
            given_name_unique: pack.staff.given_name_unique,
        };
        // With the shipped model standing in, the pack's examples were written for another model:
        // one that fails is a warning, not a refusal.
        let stand_in = !engine.warnings.is_empty();
        let mut failed = Vec::new();
        for (index, ex) in pack.examples.iter().enumerate() {
            let t = engine.triage(&ex.text);
            let mut found: Vec<String> = t.labels.iter().map(|l| l.label.to_string()).collect();
            found.sort();
            let mut expected = ex.labels.clone();
            expected.sort();
            if found != expected {
                let e = PackError::Example { index, text: ex.text.clone(), expected, found };
                if !stand_in {
                    return Err(e);
                }
                failed.push(format!("with the shipped model, {e}"));
            }
        }
        let mut engine = engine;
        engine.warnings.extend(failed);
        Ok(engine)
    }

    /// What the pack does differently from what it says (empty for a pack that compiles as
    /// written): log them, and show them beside the pack.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    /// The model the pack ships, when it has one.
    pub fn model(&self) -> Option<&Model> {
        self.model.as_ref()
    }

    pub fn combine(&self) -> Combine {
        self.combine
    }

    /// Whether the pack lets the model give a label to this comment at all (`[model.requires]`):
    /// the trainer chooses each label's threshold among the comments the model may label.
    pub fn model_may_give(&self, text: &str, label: usize) -> bool {
        let words = normalise::words(&normalise::base(text), text);
        self.model_requires.get(label).and_then(Option::as_ref).is_none_or(|q| q.is_match(words.text.as_bytes()))
    }

    /// Combine the rules and the model differently (for measuring each alone).
    pub fn set_combine(&mut self, c: Combine) {
        self.combine = if self.model.is_none() { Combine::Rules } else { c };
    }

    /// Triage one comment.
    pub fn triage(&self, text: &str) -> Triage {
        self.triage_with_staff(text, None)
    }

    /// Triage one comment, knowing the people register's names: a comment that names a member
    /// of staff (surname, given name, rank and name, collar number, a surname misspelt by a
    /// letter) names an identifiable officer or member of staff (WP034 8.2).
    pub fn triage_with_staff(&self, text: &str, staff: Option<&StaffIndex>) -> Triage {
        let base = normalise::base(text);
        let plain = normalise::words(&base, text);
        let mut named = Vec::new();
        let marked = match staff {
            Some(idx) if !idx.is_empty() => {
                let (n, at) = self.find_staff(idx, &plain, text);
                named = n;
                (!at.is_empty()).then(|| plain.with_inserted(&at, STAFF_MARK))
            }
            _ => None,
        };
        // The rules read the view with the register's names marked; the model reads the comment
        // as it was trained to.
        let words = marked.as_ref().unwrap_or(&plain);
        let mut out = Triage::default();
        let mut fired: Vec<usize> = Vec::new();
        let use_rules = self.combine != Combine::Model;
        for (ri, r) in self.rules.iter().enumerate() {
            if !use_rules {
                break;
            }
            if out.has(r.label) {
                continue;
            }
            if r.requires.as_ref().is_some_and(|q| !q.is_match(words.text.as_bytes())) {
                continue;
            }
            // A masked word that could be a word of more than one list needs the rule's context.
            let context = r.masked_requires.as_ref().is_none_or(|q| q.is_match(words.text.as_bytes()));
            let accept = |m: &str| context || !self.ambiguous(m);
            let hit = r
                .words
                .as_ref()
                .and_then(|re| first(re, words, text, &accept))
                .or_else(|| r.numbers.as_ref().and_then(|re| first(re, &base, text, &accept)));
            let Some((start, end)) = hit else { continue };
            if r.unless.as_ref().is_some_and(|u| u.is_match(words.text.as_bytes())) {
                continue;
            }
            fired.push(ri);
            out.labels.push(LabelMatch {
                label: r.label,
                start,
                end,
                matched: text[start..end].to_string(),
                explanation: r.explanation.clone(),
                clause: r.clause.clone(),
            });
        }
        // The model's labels, each cancelled as its label's first rule would be.
        let mut cancel: Vec<&[&'static str]> =
            fired.iter().map(|&ri| self.rules[ri].unless_labels.as_slice()).collect();
        if let (Some(m), true) = (&self.model, self.combine != Combine::Rules) {
            let before = out.labels.len();
            self.add_model_labels(m, text, &plain, words, &mut out);
            for l in &out.labels[before..] {
                let first = self.rules.iter().find(|r| r.label == l.label);
                cancel.push(first.map(|r| r.unless_labels.as_slice()).unwrap_or(&[]));
            }
        }
        // Labels cancelled by another label the comment carries.
        let found: Vec<&'static str> = out.labels.iter().map(|l| l.label).collect();
        let mut keep = cancel.iter().map(|u| !u.iter().any(|u| found.contains(u)));
        out.labels.retain(|_| keep.next().unwrap_or(true));
        out.labels.sort_by_key(|l| LABELS.iter().position(|x| *x == l.label));
        for route in &self.routes {
            let staff = route.staff.as_ref().is_some_and(|s| s.is_match(words.text.as_bytes()));
            let labels: Vec<&'static str> = out
                .labels
                .iter()
                .map(|l| l.label)
                .filter(|l| route.labels.contains(l) || staff && route.staff_labels.contains(l))
                .collect();
            if labels.is_empty() {
                continue;
            }
            // The shortest service level of the labels that take the route.
            let service_level =
                labels.iter().filter_map(|l| route.service_levels.get(l).copied()).min_by_key(|s| match s {
                    ServiceLevel::Minutes(m) => *m as u64,
                    ServiceLevel::WorkingDays(d) => *d as u64 * 24 * 60,
                });
            let replies = labels.iter().filter_map(|l| route.replies.get(l).cloned()).collect();
            out.route.push(RouteTaken {
                route: route.id.clone(),
                clause: route.clause.clone(),
                name: route.name.clone(),
                labels,
                service_level,
                replies,
                staff: if route.staff_labels.is_empty() { Vec::new() } else { named.clone() },
            });
        }
        out.staff = named;
        out
    }
}

impl Engine {
    /// The labels the model gives that the rules did not, each with the span of its strongest
    /// term and the terms that weighed most.
    fn add_model_labels(&self, m: &Model, text: &str, words: &View, marked: &View, out: &mut Triage) {
        let scores = m.score(&words.text);
        for (li, label) in LABELS.iter().enumerate() {
            let p = scores.prob[li];
            if p < m.threshold[li] || out.has(label) {
                continue;
            }
            if self.model_requires[li].as_ref().is_some_and(|q| !q.is_match(marked.text.as_bytes())) {
                continue;
            }
            let (terms, span) = m.top_terms(&words.text, &scores, li, 3);
            let (start, end) = model::original(words, span)
                .filter(|(x, y)| text.is_char_boundary(*x) && text.is_char_boundary(*y))
                .unwrap_or((0, 0));
            let (why, clause) = &self.label_explanations[li];
            let quoted: Vec<String> = terms.iter().map(|t| format!("\"{t}\"")).collect();
            out.labels.push(LabelMatch {
                label,
                start,
                end,
                matched: text[start..end].to_string(),
                explanation: format!(
                    "{why} Found by the model {} {} (score {p:.2}, threshold {:.2}); the terms that weighed most: {}.",
                    m.name,
                    m.version,
                    m.threshold[li],
                    quoted.join(", ")
                ),
                clause: clause.clone(),
            });
        }
    }

    /// The register's people a word view names, and where to mark each name in the view (before
    /// a name or number no rank stands in front of). A handle other than a rank and a name
    /// (a member of the public's) names nobody.
    fn find_staff(&self, idx: &StaffIndex, view: &View, text: &str) -> (Vec<StaffNamed>, Vec<usize>) {
        let t = view.text.as_bytes();
        let n = t.len();
        let name_char = |c: u8| c.is_ascii_alphanumeric() || c == b'\'' || c == b'-';
        // Tokens: (start, end) in the view.
        let mut toks: Vec<(usize, usize)> = Vec::new();
        let mut i = 0;
        while i < n {
            if t[i] == b'@' {
                let mut j = i + 1;
                while j < n && (t[j].is_ascii_alphanumeric() || matches!(t[j], b'_' | b'.' | b'-')) {
                    j += 1;
                }
                // A rank-and-name handle reads "@sgt prentice": its rank is a token; any other
                // handle is skipped whole.
                let word = std::str::from_utf8(&t[i + 1..j]).unwrap_or("");
                if is_rank_word(word) && t.get(j) == Some(&b' ') {
                    toks.push((i + 1, j));
                }
                i = j.max(i + 1);
                continue;
            }
            if name_char(t[i]) && t[i] != b'\'' && t[i] != b'-' {
                let mut j = i;
                while j < n && name_char(t[j]) {
                    j += 1;
                }
                let mut e = j;
                while e > i && matches!(t[e - 1], b'\'' | b'-') {
                    e -= 1;
                }
                toks.push((i, e));
                i = j;
                continue;
            }
            i += 1;
        }
        let word = |k: usize| std::str::from_utf8(&t[toks[k].0..toks[k].1]).unwrap_or("");
        let key = |k: usize| {
            let w = word(k);
            w.strip_suffix("'s").unwrap_or(w)
        };
        // Tokens next to each other: only spaces, a full stop or a comma between.
        let adjacent = |a: usize, b: usize| t[toks[a].1..toks[b].0].iter().all(|c| matches!(c, b' ' | b'.'));
        let is_rank = |k: usize| is_rank_word(word(k));
        // Written with a capital and then small letters, as a name is ("Hughs", not "homes" or
        // "HOMES"): a misspelt name must look like a name.
        let capitalised = |k: usize| {
            let (x, y) = view.original_span(toks[k].0, toks[k].1).unwrap_or((0, 0));
            let o = text.get(x..y).unwrap_or("");
            let mut cs = o.chars();
            cs.next().is_some_and(char::is_uppercase) && cs.any(char::is_lowercase)
        };
        let common = |w: &str| self.common_names.contains(w) || is_rank_word(w);
        // Written as a name inside a sentence: capitalised, not after an article or a
        // possessive, the words beside it not capitalised (a Title Case line names nobody), and
        // at a sentence's start only when something is said of it ("Bishop is ...").
        let sentence_start =
            |k: usize| k == 0 || t[toks[k - 1].1..toks[k].0].iter().any(|c| matches!(c, b'.' | b'!' | b'?' | b'\n'));
        let as_name = |k: usize| {
            if !capitalised(k) {
                return false;
            }
            let next_capital = k + 1 < toks.len() && adjacent(k, k + 1) && capitalised(k + 1);
            if next_capital {
                return false;
            }
            if sentence_start(k) {
                let w = word(k);
                return w.ends_with("'s")
                    || k + 1 < toks.len() && adjacent(k, k + 1) && NAME_PREDICATES.contains(&word(k + 1));
            }
            let prev = word(k - 1);
            // A capital on the word before only says Title Case when that word starts no sentence
            // ("That Yusuf's ..." is a name after a sentence's first word).
            let title_case = capitalised(k - 1) && !is_rank(k - 1) && !sentence_start(k - 1);
            !title_case && !DETERMINERS.contains(&prev)
        };
        let mut named: Vec<StaffNamed> = Vec::new();
        let mut at: Vec<usize> = Vec::new();
        let mut used = vec![false; toks.len()];
        let place_after = |k: usize| k + 1 < toks.len() && adjacent(k, k + 1) && PLACE_WORDS.contains(&key(k + 1));
        for k in 0..toks.len() {
            if used[k] {
                continue;
            }
            let w = key(k);
            let after_rank = k > 0 && adjacent(k - 1, k) && is_rank(k - 1);
            let mut hit: Option<(&[u32], &'static str, usize)> = None;
            if w.bytes().filter(u8::is_ascii_digit).count() >= 3 {
                // A collar or staff number, alone or run on after a rank ("pc3391").
                let bare = rank_words().filter_map(|r| w.strip_prefix(r)).find(|r| idx.numbers.contains_key(*r));
                let number = idx
                    .numbers
                    .get(w)
                    .map(|ids| (ids, w))
                    .or_else(|| bare.and_then(|b| idx.numbers.get(b).map(|ids| (ids, b))));
                if let Some((ids, num)) = number {
                    let year = num.len() == 4 && num.parse::<u32>().is_ok_and(|y| (1900..2040).contains(&y));
                    let told = k > 0 && adjacent(k - 1, k) && NUMBER_WORDS.contains(&word(k - 1));
                    let hash = toks[k].0 > 0 && t[toks[k].0 - 1] == b'#';
                    let prefixed = num != w;
                    if !year || after_rank || told || hash || prefixed {
                        let mark = !(after_rank || told || hash || prefixed);
                        hit = Some((ids, "collar number", if mark { toks[k].0 } else { usize::MAX }));
                    }
                }
            } else if let Some(ids) = idx.family.get(w) {
                let given_before = k > 0
                    && adjacent(k - 1, k)
                    && idx.given.get(word(k - 1)).is_some_and(|g| g.iter().any(|x| ids.contains(x)));
                if after_rank {
                    hit = Some((ids, "rank and name", usize::MAX));
                } else if given_before {
                    let both: Vec<u32> = ids.iter().copied().filter(|x| idx.given[word(k - 1)].contains(x)).collect();
                    let rank2 = k > 1 && adjacent(k - 2, k - 1) && is_rank(k - 2);
                    let ids = idx.family.get(w).map(Vec::as_slice).unwrap_or(&[]);
                    let ids = if both.len() == 1 {
                        ids.iter().find(|x| **x == both[0]).map(std::slice::from_ref).unwrap_or(ids)
                    } else {
                        ids
                    };
                    hit = Some((ids, "full name", if rank2 { usize::MAX } else { toks[k - 1].0 }));
                } else if w.len() >= 3
                    && !place_after(k)
                    && (!common(w)
                        || self.common_words_capitalised
                            && !is_rank_word(w)
                            && !NATURALLY_CAPITALISED.contains(&w)
                            && as_name(k))
                {
                    hit = Some((ids, "surname", toks[k].0));
                }
            } else if let Some(ids) = idx.given.get(w) {
                let family_after = k + 1 < toks.len()
                    && adjacent(k, k + 1)
                    && idx.family.get(key(k + 1)).is_some_and(|f| f.iter().any(|x| ids.contains(x)));
                if family_after {
                    continue;
                }
                if after_rank {
                    hit = Some((ids, "rank and name", usize::MAX));
                } else if !common(w)
                    && w.len() >= 3
                    && !place_after(k)
                    && (self.given_name_alone || self.given_name_unique && ids.len() == 1 && as_name(k))
                {
                    hit = Some((ids, "given name", toks[k].0));
                }
            } else if self.misspellings
                && w.len() >= 5
                && capitalised(k)
                && !place_after(k)
                && !common(w)
                && let Some(ids) = idx.misspelt(w)
                && !self.model.as_ref().is_some_and(|m| m.knows(&format!("w:{w}")))
            {
                hit = Some((ids, "misspelt surname", if after_rank { usize::MAX } else { toks[k].0 }));
            }
            let Some((ids, how, mark)) = hit else { continue };
            used[k] = true;
            if mark != usize::MAX {
                at.push(mark);
            }
            let start = if how == "full name" && mark != usize::MAX { mark } else { toks[k].0 };
            let (x, y) = view.original_span(start, toks[k].1).unwrap_or((0, 0));
            let matched = text.get(x..y).unwrap_or("").to_string();
            for &id in ids {
                let m = idx.member(id);
                if !named.iter().any(|p| p.staff_number == m.staff_number) {
                    named.push(StaffNamed {
                        staff_number: m.staff_number.clone(),
                        how,
                        start: x,
                        end: y,
                        matched: matched.clone(),
                    });
                }
            }
        }
        at.sort_unstable();
        at.dedup();
        (named, at)
    }

    /// Whether a matched span holds a masked word that two or more term lists could read
    /// ("p***s": a racial or a homophobic slur).
    fn ambiguous(&self, m: &str) -> bool {
        m.split(|c: char| !(c.is_alphanumeric() || normalise::mask(c))).any(|w| {
            w.chars().any(normalise::mask) && self.term_lists.iter().filter(|re| re.is_match(w.as_bytes())).count() >= 2
        })
    }
}

/// The first match in a view, as an original span with surrounding spaces and punctuation
/// trimmed.
fn first(re: &Regex, view: &View, text: &str, accept: &dyn Fn(&str) -> bool) -> Option<(usize, usize)> {
    for m in re.find_iter(view.text.as_bytes()) {
        // The views are ASCII (normalise), so every match is a str.
        let Ok(s) = std::str::from_utf8(m.as_bytes()) else { continue };
        let lead =
            s.len() - s.trim_start_matches(|c: char| !c.is_alphanumeric() && !normalise::mask(c) && c != '@').len();
        let trail = s.len() - s.trim_end_matches(|c: char| !c.is_alphanumeric() && !normalise::mask(c)).len();
        let (a, b) = (m.start() + lead, m.end() - trail);
        if a >= b {
            continue;
        }
        // A masked word must keep at least two of its letters: "f***" is no word in particular.
        let part = &s[lead..s.len() - trail];
        if part.chars().any(normalise::mask)
            && (part.chars().filter(|c| c.is_alphabetic()).count() < 2 || !accept(part))
        {
            continue;
        }
        if let Some((x, y)) = view.original_span(a, b)
            && text.is_char_boundary(x)
            && text.is_char_boundary(y)
        {
            return Some((x, y));
        }
    }
    None
}
