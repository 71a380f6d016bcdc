//! Names of members of the public (6.3b) and the criminal-justice rules that depend on them
//! (6.3a): prejudging a pending case, naming a sexual-offence complainant, naming a child in
//! proceedings. Names are found without a statistical model: a known given name or a title
//! followed by capitalised words, kept when the words around it show a victim, witness, suspect
//! or missing person, and dropped for officers and for defendants in published court results.

use std::collections::HashSet;

use crate::engine::{Action, Category, Hit, floor_boundary};
use crate::normalise::View;
use crate::pack::{CLAUSES, Justice, Names, PackError};

/// Whether the lower-cased `hay` contains any of the lower-cased `words` as a whole word or
/// phrase (no letter or digit directly before or after it).
pub(crate) fn lower_has_any(hay: &str, words: &[String]) -> bool {
    words.iter().any(|w| !find_word(hay, w).is_empty())
}

/// Every whole-word occurrence of `w` in `hay`, as byte spans.
fn find_word(hay: &str, w: &str) -> Vec<(usize, usize)> {
    let b = hay.as_bytes();
    let mut out = Vec::new();
    if w.is_empty() {
        return out;
    }
    for (i, _) in hay.match_indices(w) {
        let j = i + w.len();
        let before_ok = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        let after_ok = j >= b.len() || !b[j].is_ascii_alphanumeric();
        if before_ok && after_ok {
            out.push((i, j));
        }
    }
    out
}

/// Whether the lower-cased `hay`, trailing spaces ignored, ends with one of `words` as a whole
/// word or phrase.
fn ends_with_any(hay: &str, words: &[String]) -> bool {
    let hay = hay.trim_end();
    words.iter().any(|w| {
        !w.is_empty()
            && hay.ends_with(w.as_str())
            && !hay[..hay.len() - w.len()].ends_with(|c: char| c.is_alphanumeric())
    })
}

fn set(v: &[String]) -> HashSet<String> {
    v.iter().map(|s| s.to_lowercase()).collect()
}

fn lower(v: &[String]) -> Vec<String> {
    v.iter().map(|s| s.to_lowercase()).collect()
}

/// The compiled name and justice word lists.
#[derive(Debug, Clone)]
pub(crate) struct NameRules {
    clause: String,
    action: Action,
    explanation: String,
    forenames: HashSet<String>,
    honorifics: HashSet<String>,
    officials: HashSet<String>,
    not_names: HashSet<String>,
    raise: Vec<String>,
    lower: Vec<String>,
    window: usize,
    base: f32,
    honorific_raise: f32,
    age_raise: f32,
    raise_by: f32,
    lower_by: f32,
    introducers: Vec<String>,
    introducer_raise: f32,
    lower_before: Vec<String>,
    j_clause: String,
    j_action: Action,
    pending: Vec<String>,
    decided: Vec<String>,
    prejudicial: Vec<String>,
    sexual: Vec<String>,
    complainant: Vec<String>,
    proceedings: Vec<String>,
    child_age: u32,
    prejudge_explanation: String,
    complainant_explanation: String,
    child_explanation: String,
}

/// A possible name in the base view, scored by its context.
#[derive(Debug, Clone)]
struct Candidate {
    s: usize,
    e: usize,
    score: f32,
    age: Option<u32>,
}

fn parse_action(what: &str, clause: &str, action: &str) -> Result<Action, PackError> {
    if !CLAUSES.contains(&clause) {
        return Err(PackError::Rule {
            rule: what.into(),
            message: format!("clause {clause:?} is not one of {CLAUSES:?}"),
        });
    }
    Action::parse(action)
        .ok_or_else(|| PackError::Rule { rule: what.into(), message: format!("unknown action {action:?}") })
}

/// The age written just before a name introduced by it: "a 15-year-old girl, Jodie Brennan".
fn age_before(lower: &str) -> Option<u32> {
    let tail = lower.trim_end().strip_suffix(',')?;
    let clause = &tail[floor_boundary(tail, tail.len().saturating_sub(40))..];
    let clause = clause.rsplit(['.', '!', '?', ';', ',']).next()?;
    let at = clause.rfind("-year-old")?;
    let digits: String = clause[..at].chars().rev().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() || digits.len() > 3 {
        return None;
    }
    digits.chars().rev().collect::<String>().parse().ok()
}

/// The age written just after a name: ", 34," or " (34)" or ", aged 34".
fn age_after(text: &str, e: usize) -> Option<u32> {
    let rest = text.get(e..)?;
    let rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
    let rest = rest.strip_prefix('(').or_else(|| rest.strip_prefix("aged ")).unwrap_or(rest);
    let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if n.is_empty() || n.len() > 3 || rest[n.len()..].starts_with(|c: char| c.is_alphanumeric()) {
        return None;
    }
    n.parse().ok()
}

impl NameRules {
    pub(crate) fn compile(n: &Names, j: &Justice) -> Result<Self, PackError> {
        Ok(NameRules {
            action: parse_action("names", &n.clause, &n.action)?,
            clause: n.clause.clone(),
            explanation: n.explanation.clone(),
            forenames: set(&n.forenames),
            honorifics: set(&n.honorifics),
            officials: set(&n.officials),
            not_names: set(&n.not_names),
            raise: lower(&n.raise),
            lower: lower(&n.lower),
            window: n.window,
            base: n.base,
            honorific_raise: n.honorific_raise,
            age_raise: n.age_raise,
            raise_by: n.raise_by,
            lower_by: n.lower_by,
            introducers: lower(&n.introducers),
            introducer_raise: n.introducer_raise,
            lower_before: lower(&n.lower_before),
            j_action: parse_action("justice", &j.clause, &j.action)?,
            j_clause: j.clause.clone(),
            pending: lower(&j.pending),
            decided: lower(&j.decided),
            prejudicial: lower(&j.prejudicial),
            sexual: lower(&j.sexual),
            complainant: lower(&j.complainant),
            proceedings: lower(&j.proceedings),
            child_age: j.child_age,
            prejudge_explanation: j.prejudge_explanation.clone(),
            complainant_explanation: j.complainant_explanation.clone(),
            child_explanation: j.child_explanation.clone(),
        })
    }

    /// Words in the base view: runs of letters, with apostrophes and hyphens inside them.
    fn tokens(text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start = None;
        let mut last_letter = 0;
        for (i, c) in text.char_indices() {
            if c.is_alphabetic() {
                if start.is_none() {
                    start = Some(i);
                }
                last_letter = i + c.len_utf8();
            } else if (c == '\'' || c == '-') && start.is_some() {
                continue;
            } else if let Some(s) = start.take() {
                out.push((s, last_letter));
            }
        }
        if let Some(s) = start {
            out.push((s, last_letter));
        }
        out
    }

    fn capitalised(&self, w: &str) -> bool {
        let mut cs = w.chars();
        cs.next().is_some_and(char::is_uppercase)
            && w.chars().any(char::is_lowercase)
            && !self.not_names.contains(&w.to_lowercase())
    }

    fn candidates(&self, v: &View) -> Vec<Candidate> {
        let text = &v.text;
        let toks = Self::tokens(text);
        let mut out = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            let word = |k: usize| &text[toks[k].0..toks[k].1];
            if !self.capitalised(word(i)) {
                i += 1;
                continue;
            }
            // A run of capitalised words separated by single spaces.
            let mut j = i + 1;
            while j < toks.len() && &text[toks[j - 1].1..toks[j].0] == " " && self.capitalised(word(j)) {
                j += 1;
            }
            let before = i.checked_sub(1).filter(|&p| {
                let gap = &text[toks[p].1..toks[i].0];
                gap == " " || gap == ". "
            });
            let is = |set: &HashSet<String>, k: usize| set.contains(&word(k).to_lowercase());
            // A title starts the name after it, whether it opens the run ("Mrs Joyce Bennett")
            // or stands just before it ("Mr. Patel").
            let title_in_run = (i..j.saturating_sub(1)).find(|&k| is(&self.honorifics, k));
            let honorific = title_in_run.is_some() || before.is_some_and(|p| is(&self.honorifics, p));
            let official_before = before.is_some_and(|p| is(&self.officials, p));
            // "named as Tomasz Wisniewski", "The victim, Keeley Marsh,": a phrase that
            // introduces a member of the public, straight before a run of two or more words.
            let introduced =
                j - i >= 2 && ends_with_any(&v.lower[..floor_boundary(&v.lower, toks[i].0)], &self.introducers);
            let start = match title_in_run {
                Some(t) => Some(t + 1),
                None if honorific => Some(i),
                // A given name we know, followed by at least one more capitalised word.
                None => (i..j.saturating_sub(1))
                    .find(|&k| is(&self.forenames, k))
                    .or_else(|| {
                        // Press-release style "Firstname Surname, 27,": two or three capitalised
                        // words followed by an age name a person even when the given name is not
                        // in the list.
                        let from = j.saturating_sub(3).max(i);
                        (j - from >= 2 && age_after(text, toks[j - 1].1).is_some()).then_some(from)
                    })
                    .or(introduced.then_some(i)),
            };
            if let Some(k) = start {
                let official = official_before || (i..k).any(|p| is(&self.officials, p));
                let end_tok = (k + 3).min(j) - 1;
                let s = toks[k].0;
                let mut e = toks[end_tok].1;
                if text[s..e].ends_with("'s") {
                    e -= 2;
                }
                if !official && e > s && !is(&self.honorifics, end_tok) {
                    let mut c = self.score(v, s, e, honorific);
                    if introduced && k == i {
                        c.score += self.introducer_raise;
                        if c.age.is_none() {
                            c.age = age_before(&v.lower[..floor_boundary(&v.lower, toks[i].0)]);
                        }
                    }
                    // "Sentencing Ms Hollingsworth": a court result about a defendant.
                    let cut = if k > 0 && is(&self.honorifics, k - 1) { toks[k - 1].0 } else { toks[k].0 };
                    if ends_with_any(&v.lower[..floor_boundary(&v.lower, cut)], &self.lower_before) {
                        c.score -= self.lower_by;
                    }
                    out.push(c);
                }
            }
            i = j;
        }
        out
    }

    fn score(&self, v: &View, s: usize, e: usize, honorific: bool) -> Candidate {
        let age = age_after(&v.text, e);
        let mut score = self.base;
        if honorific {
            score += self.honorific_raise;
        }
        if age.is_some() {
            score += self.age_raise;
        }
        let from = floor_boundary(&v.lower, s.saturating_sub(self.window));
        let to = floor_boundary(&v.lower, e.saturating_add(self.window));
        if lower_has_any(&v.lower[from..to], &self.raise) {
            score += self.raise_by;
        }
        // Court results name defendants before saying what happened to them ("Jane Smith,
        // 34, was jailed"), so lowering words count only after the name and within its
        // sentence; a victim named after "jailed for attacking" keeps the raise.
        let rest = &v.lower[e..to];
        let sentence_end = [". ", "! ", "? ", "\n"].iter().filter_map(|p| rest.find(p)).min().map_or(to, |k| e + k);
        if lower_has_any(&v.lower[e..sentence_end], &self.lower) {
            score -= self.lower_by;
        }
        Candidate { s, e, score, age }
    }

    /// A justice finding over the view's bytes `[s, e)`.
    fn justice(&self, v: &View, s: usize, e: usize, why: &str) -> Option<Hit> {
        let (start, end) = v.original_span(s, e)?;
        Some(Hit {
            category: Category::Justice,
            clause: self.j_clause.clone(),
            action: self.j_action,
            score: 1.0,
            start,
            end,
            explanation: why.to_string(),
        })
    }

    /// Add name and justice hits for one draft.
    pub(crate) fn screen(&self, base: &View, words: &View, report: f32, act: f32, hits: &mut Vec<Hit>) {
        let cands = self.candidates(base);
        for c in &cands {
            if c.score >= report {
                let action = if c.score >= act { self.action } else { Action::Warn };
                if let Some((start, end)) = base.original_span(c.s, c.e) {
                    hits.push(Hit {
                        category: Category::PersonalName,
                        clause: self.clause.clone(),
                        action,
                        score: c.score,
                        start,
                        end,
                        explanation: self.explanation.clone(),
                    });
                }
            }
        }
        if lower_has_any(&base.lower, &self.sexual) {
            for c in &cands {
                let from = floor_boundary(&base.lower, c.s.saturating_sub(60));
                let to = floor_boundary(&base.lower, c.e.saturating_add(40));
                if lower_has_any(&base.lower[from..to], &self.complainant) {
                    hits.extend(self.justice(base, c.s, c.e, &self.complainant_explanation));
                }
            }
        }
        if lower_has_any(&base.lower, &self.proceedings) {
            for c in &cands {
                if c.age.is_some_and(|a| a <= self.child_age) {
                    hits.extend(self.justice(base, c.s, c.e, &self.child_explanation));
                }
            }
        }
        if lower_has_any(&words.lower, &self.pending) && !lower_has_any(&words.lower, &self.decided) {
            for w in &self.prejudicial {
                for (s, e) in find_word(&words.lower, w) {
                    let negated = words.lower[..s].trim_end().ends_with("not");
                    if !negated {
                        hits.extend(self.justice(words, s, e, &self.prejudge_explanation));
                    }
                }
            }
        }
    }
}
