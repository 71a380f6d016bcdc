//! The triage engine: a pack compiled into one regular expression per rule and view.

use std::collections::BTreeMap;

use regex::bytes::{Regex, RegexBuilder};
use serde::Serialize;

use crate::model::{self, Model};
use crate::normalise::{self, View};
use crate::pack::{LABELS, Pack, PackError, ServiceLevel};
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
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Triage {
    pub labels: Vec<LabelMatch>,
    pub route: Vec<RouteTaken>,
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
}

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

    /// Combine the rules and the model differently (for measuring each alone).
    pub fn set_combine(&mut self, c: Combine) {
        self.combine = if self.model.is_none() { Combine::Rules } else { c };
    }

    /// Triage one comment.
    pub fn triage(&self, text: &str) -> Triage {
        let base = normalise::base(text);
        let words = normalise::words(&base, text);
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
                .and_then(|re| first(re, &words, text, &accept))
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
            self.add_model_labels(m, text, &words, &mut out);
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
            });
        }
        out
    }
}

impl Engine {
    /// The labels the model gives that the rules did not, each with the span of its strongest
    /// term and the terms that weighed most.
    fn add_model_labels(&self, m: &Model, text: &str, words: &View, out: &mut Triage) {
        let scores = m.score(&words.text);
        for (li, label) in LABELS.iter().enumerate() {
            let p = scores.prob[li];
            if p < m.threshold[li] || out.has(label) {
                continue;
            }
            if self.model_requires[li].as_ref().is_some_and(|q| !q.is_match(words.text.as_bytes())) {
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
