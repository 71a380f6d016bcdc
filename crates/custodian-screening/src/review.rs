//! Checking a changed pack before it takes effect (WP034 6.3): what a new version would screen
//! differently from the pack in force, over the pack's own saved examples and the labelled
//! corpus of realistic drafts that ships with Custodian.
//!
//! [`crate::Engine::from_pack`] already refuses a pack whose saved examples fail. This module
//! adds what a reviewer needs to judge the change: rules added, removed and changed; every draft
//! whose verdict or categories would change; and precision and recall per category on the
//! labelled corpus, before and after.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::{Category, Engine, Pack, Screening};

/// One labelled span of the corpus: a category and where it is in the draft.
#[derive(Debug, Clone, Deserialize)]
pub struct Span {
    pub category: String,
    pub start: usize,
    pub end: usize,
    #[serde(rename = "match")]
    pub matched: String,
}

/// A realistic draft with the findings a correct screening produces, no more and no fewer.
#[derive(Debug, Clone, Deserialize)]
pub struct LabelledDraft {
    pub id: String,
    #[serde(default)]
    pub kind: String,
    pub text: String,
    pub spans: Vec<Span>,
}

static CORPUS: LazyLock<Vec<LabelledDraft>> = LazyLock::new(|| {
    include_str!("../corpus.jsonl")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
});

/// The labelled corpus compiled into this build (`crates/custodian-screening/corpus.jsonl`).
pub fn corpus() -> &'static [LabelledDraft] {
    &CORPUS
}

/// Counts for one category over a labelled corpus.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Score {
    /// Findings of the category.
    pub predicted: usize,
    /// Findings overlapping a labelled span of the category.
    pub predicted_right: usize,
    /// Labelled spans of the category.
    pub gold: usize,
    /// Labelled spans overlapped by a finding of the category.
    pub gold_found: usize,
}

impl Score {
    pub fn precision(&self) -> f64 {
        if self.predicted == 0 { 1.0 } else { self.predicted_right as f64 / self.predicted as f64 }
    }
    pub fn recall(&self) -> f64 {
        if self.gold == 0 { 1.0 } else { self.gold_found as f64 / self.gold as f64 }
    }
}

/// A finding the engine got wrong on a labelled draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Miss {
    pub draft: String,
    pub category: &'static str,
    pub matched: String,
    /// `true` for a labelled span nothing found; `false` for a finding no label supports.
    pub missed: bool,
}

/// Score an engine over labelled drafts, per category. A finding counts when it overlaps a
/// labelled span of the same category; a labelled span counts as found when any finding of its
/// category overlaps it.
pub fn score(engine: &Engine, drafts: &[LabelledDraft]) -> (BTreeMap<&'static str, Score>, Vec<Miss>) {
    let mut scores: BTreeMap<&'static str, Score> =
        Category::ALL.iter().map(|c| (c.as_str(), Score::default())).collect();
    let mut misses = Vec::new();
    for d in drafts {
        let s = engine.screen(&d.text);
        for c in Category::ALL {
            let gold: Vec<&Span> = d.spans.iter().filter(|g| g.category == c.as_str()).collect();
            let pred: Vec<_> = s.findings.iter().filter(|f| f.category == c).collect();
            let e = scores.entry(c.as_str()).or_default();
            for p in &pred {
                e.predicted += 1;
                if gold.iter().any(|g| p.start < g.end && g.start < p.end) {
                    e.predicted_right += 1;
                } else {
                    misses.push(Miss {
                        draft: d.id.clone(),
                        category: c.as_str(),
                        matched: p.matched.clone(),
                        missed: false,
                    });
                }
            }
            for g in &gold {
                e.gold += 1;
                if pred.iter().any(|p| p.start < g.end && g.start < p.end) {
                    e.gold_found += 1;
                } else {
                    misses.push(Miss {
                        draft: d.id.clone(),
                        category: c.as_str(),
                        matched: g.matched.clone(),
                        missed: true,
                    });
                }
            }
        }
    }
    (scores, misses)
}

/// What one screening amounts to, for comparing two packs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub verdict: &'static str,
    pub approver: Option<&'static str>,
    pub categories: Vec<&'static str>,
}

impl From<&Screening> for Outcome {
    fn from(s: &Screening) -> Self {
        let categories: BTreeSet<&'static str> = s.findings.iter().map(|f| f.category.as_str()).collect();
        Outcome {
            verdict: s.verdict.as_str(),
            approver: s.approver.map(|a| a.as_str()),
            categories: categories.into_iter().collect(),
        }
    }
}

/// A draft the new pack would screen differently.
#[derive(Debug, Clone, Serialize)]
pub struct Difference {
    /// Where the draft comes from: `example N` of a pack, or the corpus draft's id.
    pub source: String,
    pub text: String,
    pub before: Outcome,
    pub after: Outcome,
}

/// One category's corpus score under both packs.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreChange {
    pub category: &'static str,
    pub before: Score,
    pub after: Score,
}

impl ScoreChange {
    /// The new pack is worse at this category on the corpus.
    pub fn is_worse(&self) -> bool {
        self.after.precision() < self.before.precision() || self.after.recall() < self.before.recall()
    }
}

/// Everything a reviewer sees before a changed pack takes effect.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeReport {
    pub from_version: String,
    pub to_version: String,
    pub rules_added: Vec<String>,
    pub rules_removed: Vec<String>,
    pub rules_changed: Vec<String>,
    /// Allowlist, names, justice or threshold settings differ.
    pub settings_changed: Vec<&'static str>,
    pub examples_before: usize,
    pub examples_after: usize,
    pub differences: Vec<Difference>,
    pub scores: Vec<ScoreChange>,
}

impl ChangeReport {
    /// Categories the new pack does worse on over the corpus.
    pub fn regressions(&self) -> Vec<&ScoreChange> {
        self.scores.iter().filter(|s| s.is_worse()).collect()
    }
}

/// Compare a proposed pack with the one in force. Both must already have compiled (so the new
/// pack's saved examples pass); the drafts compared are both packs' examples and the corpus.
pub fn compare(old_pack: &Pack, old: &Engine, new_pack: &Pack, new: &Engine) -> ChangeReport {
    let old_rules: BTreeMap<&str, _> = old_pack.rules.iter().map(|r| (r.id.as_str(), r)).collect();
    let new_rules: BTreeMap<&str, _> = new_pack.rules.iter().map(|r| (r.id.as_str(), r)).collect();
    let rules_added = new_rules.keys().filter(|k| !old_rules.contains_key(*k)).map(|k| k.to_string()).collect();
    let rules_removed = old_rules.keys().filter(|k| !new_rules.contains_key(*k)).map(|k| k.to_string()).collect();
    let rules_changed = new_rules
        .iter()
        .filter(|(k, r)| old_rules.get(*k).is_some_and(|o| o != *r))
        .map(|(k, _)| k.to_string())
        .collect();
    let mut settings_changed = Vec::new();
    if old_pack.thresholds != new_pack.thresholds {
        settings_changed.push("thresholds");
    }
    if old_pack.allowlist != new_pack.allowlist {
        settings_changed.push("allowlist");
    }
    if old_pack.names != new_pack.names {
        settings_changed.push("names");
    }
    if old_pack.justice != new_pack.justice {
        settings_changed.push("justice");
    }

    let mut seen = BTreeSet::new();
    let mut differences = Vec::new();
    let examples = old_pack
        .examples
        .iter()
        .enumerate()
        .map(|(i, e)| (format!("example {} of {}", i + 1, old_pack.version), e.text.as_str()))
        .chain(
            new_pack
                .examples
                .iter()
                .enumerate()
                .map(|(i, e)| (format!("example {} of {}", i + 1, new_pack.version), e.text.as_str())),
        )
        .chain(corpus().iter().map(|d| (format!("corpus {}", d.id), d.text.as_str())));
    for (source, text) in examples {
        if !seen.insert(text) {
            continue;
        }
        let before = Outcome::from(&old.screen(text));
        let after = Outcome::from(&new.screen(text));
        if before != after {
            differences.push(Difference { source, text: text.to_string(), before, after });
        }
    }
    let (before, _) = score(old, corpus());
    let (after, _) = score(new, corpus());
    let scores = before
        .into_iter()
        .map(|(category, b)| ScoreChange {
            category,
            before: b,
            after: after.get(category).copied().unwrap_or_default(),
        })
        .collect();
    ChangeReport {
        from_version: old_pack.version.clone(),
        to_version: new_pack.version.clone(),
        rules_added,
        rules_removed,
        rules_changed,
        settings_changed,
        examples_before: old_pack.examples.len(),
        examples_after: new_pack.examples.len(),
        differences,
        scores,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_corpus_compiled_in_is_whole() {
        let lines = include_str!("../corpus.jsonl").lines().filter(|l| !l.trim().is_empty()).count();
        assert_eq!(corpus().len(), lines, "every corpus line parses");
        assert!(lines > 100);
    }

    #[test]
    fn the_same_pack_changes_nothing() {
        let p = Pack::builtin().unwrap();
        let e = Engine::from_pack(&p).unwrap();
        let r = compare(&p, &e, &p, &e);
        assert!(r.differences.is_empty() && r.rules_added.is_empty() && r.rules_changed.is_empty());
        assert!(r.regressions().is_empty());
    }

    #[test]
    fn dropping_a_rule_shows_its_drafts_and_the_category_it_weakens() {
        let old_pack = Pack::builtin().unwrap();
        let old = Engine::from_pack(&old_pack).unwrap();
        let mut new_pack = old_pack.clone();
        new_pack.version = "test.2".into();
        let nino: Vec<String> =
            new_pack.rules.iter().filter(|r| r.category == "personal.nino").map(|r| r.id.clone()).collect();
        assert!(!nino.is_empty());
        new_pack.rules.retain(|r| r.category != "personal.nino");
        new_pack.examples.retain(|e| !e.expect.iter().any(|c| c == "personal.nino"));
        let new = Engine::from_pack(&new_pack).unwrap();
        let r = compare(&old_pack, &old, &new_pack, &new);
        assert_eq!(r.rules_removed, nino);
        assert!(
            r.differences
                .iter()
                .any(|d| d.before.categories.contains(&"personal.nino")
                    && !d.after.categories.contains(&"personal.nino"))
        );
        let worse: Vec<&str> = r.regressions().iter().map(|s| s.category).collect();
        assert_eq!(worse, vec!["personal.nino"]);
    }
}
