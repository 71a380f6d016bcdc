//! What a new version of the policy changes (WP034 10, 11): clause by clause, the words added,
//! removed and kept, and — because the policy is the specification — everything that cites a
//! changed clause: the rules that produce findings, the permission policies (their `@clause`,
//! supplied by the caller from the authorisation crate) and the entries of the policy packs
//! (screening, comment triage) that carry a `clause`.

use serde::Serialize;
use similar::{Algorithm, ChangeTag, TextDiff};

/// One clause as the comparison sees it: its id and its whole text (lead text and items).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClauseText {
    pub id: String,
    pub text: String,
}

/// How a clause differs between two versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

/// Kept, added or removed words, runs merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WordTag {
    Kept,
    Added,
    Removed,
}

/// A run of words with one tag (whitespace kept as in the text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WordRun {
    pub tag: WordTag,
    pub text: String,
}

/// One clause that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClauseChange {
    pub id: String,
    pub kind: ChangeKind,
    pub runs: Vec<WordRun>,
    /// Words added and removed.
    pub added: usize,
    pub removed: usize,
}

/// The clauses that differ between `old` and `new`, in the new version's order, then the
/// removed ones in the old version's order.
pub fn compare(old: &[ClauseText], new: &[ClauseText]) -> Vec<ClauseChange> {
    let mut out = Vec::new();
    for n in new {
        match old.iter().find(|o| o.id == n.id) {
            Some(o) if o.text == n.text => {}
            Some(o) => out.push(word_diff(&n.id, ChangeKind::Changed, &o.text, &n.text)),
            None => out.push(word_diff(&n.id, ChangeKind::Added, "", &n.text)),
        }
    }
    for o in old {
        if !new.iter().any(|n| n.id == o.id) {
            out.push(word_diff(&o.id, ChangeKind::Removed, &o.text, ""));
        }
    }
    out
}

fn word_diff(id: &str, kind: ChangeKind, old: &str, new: &str) -> ClauseChange {
    let diff = TextDiff::configure().algorithm(Algorithm::Patience).diff_words(old, new);
    let mut runs: Vec<WordRun> = Vec::new();
    let (mut added, mut removed) = (0, 0);
    for change in diff.iter_all_changes() {
        let tag = match change.tag() {
            ChangeTag::Equal => WordTag::Kept,
            ChangeTag::Insert => WordTag::Added,
            ChangeTag::Delete => WordTag::Removed,
        };
        let value = change.value();
        if !value.trim().is_empty() {
            match tag {
                WordTag::Added => added += 1,
                WordTag::Removed => removed += 1,
                WordTag::Kept => {}
            }
        }
        match runs.last_mut() {
            Some(last) if last.tag == tag => last.text.push_str(value),
            // Whitespace between two changed runs reads best as part of the change before it.
            _ => runs.push(WordRun { tag, text: value.to_owned() }),
        }
    }
    ClauseChange { id: id.to_owned(), kind, runs, added, removed }
}

/// What cites a clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CitationKind {
    /// A rule that produces findings (`findings::CATALOGUE`).
    Rule,
    /// A Cedar permission policy (`policies/*.cedar`, its `@clause`).
    Permission,
    /// An entry of a policy pack (`policy-pack/*.toml`) with a `clause`.
    PackEntry,
}

/// Something that cites a clause of the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Citation {
    pub kind: CitationKind,
    /// The rule's id, the policy's `@id`, or `pack:path` for a pack entry.
    pub id: String,
    /// The clause or item it cites, as written ("6.3b").
    pub clause: String,
    /// One line saying what it is.
    pub title: String,
}

/// The clause an id belongs to: "6.3" for "6.3b", "7.3-2" for itself.
pub fn base_clause(id: &str) -> &str {
    id.trim_end_matches(|c: char| c.is_ascii_lowercase())
}

/// The citations of `all` that cite one of `changed` (clause ids; an item citation "6.3b" is
/// flagged when clause 6.3 changed), sorted by kind and id.
pub fn flagged<'a>(all: &'a [Citation], changed: &[ClauseChange]) -> Vec<&'a Citation> {
    let mut out: Vec<&Citation> =
        all.iter().filter(|c| changed.iter().any(|ch| ch.id == base_clause(c.clause.trim()))).collect();
    out.sort_by(|a, b| (a.kind, &a.id).cmp(&(b.kind, &b.id)));
    out
}

/// Every rule in the findings catalogue, as citations.
pub fn rule_citations() -> Vec<Citation> {
    crate::findings::CATALOGUE
        .iter()
        .flat_map(|rules| rules.iter())
        .map(|r| Citation {
            kind: CitationKind::Rule,
            id: r.id.to_owned(),
            clause: r.clause.to_owned(),
            title: r.title.to_owned(),
        })
        .collect()
}

/// Every entry of a policy pack (TOML) that has a `clause`: named `pack:path`, where the path is
/// the keys and array positions leading to it (an entry's own `id` or `name` replaces its
/// position). A pack that is not TOML has no entries.
pub fn pack_citations(pack: &str, src: &str) -> Vec<Citation> {
    let mut out = Vec::new();
    if let Ok(value) = src.parse::<toml::Table>() {
        walk(pack, &toml::Value::Table(value), &mut String::new(), &mut out);
    }
    out
}

fn walk(pack: &str, value: &toml::Value, path: &mut String, out: &mut Vec<Citation>) {
    match value {
        toml::Value::Table(t) => {
            if let Some(clause) = t.get("clause").and_then(toml::Value::as_str) {
                let what = ["explanation", "title", "description", "label"]
                    .iter()
                    .find_map(|k| t.get(*k).and_then(toml::Value::as_str))
                    .unwrap_or("");
                let title: String = what.chars().take(120).collect();
                out.push(Citation {
                    kind: CitationKind::PackEntry,
                    id: format!("{pack}:{path}"),
                    clause: clause.to_owned(),
                    title,
                });
            }
            for (k, v) in t {
                if matches!(v, toml::Value::Table(_) | toml::Value::Array(_)) {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(k);
                    walk(pack, v, path, out);
                    path.truncate(len);
                }
            }
        }
        toml::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let name = v
                    .as_table()
                    .and_then(|t| t.get("id").or_else(|| t.get("name")))
                    .and_then(toml::Value::as_str)
                    .map_or_else(|| i.to_string(), str::to_owned);
                let len = path.len();
                path.push('[');
                path.push_str(&name);
                path.push(']');
                walk(pack, v, path, out);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// The compiled-in packs that cite clauses: screening and comment triage.
pub const BUILTIN_PACKS: &[(&str, &str)] = &[
    ("screening", include_str!("../../../policy-pack/screening.toml")),
    ("comments", include_str!("../../../policy-pack/comments.toml")),
    ("personal", include_str!("../../../policy-pack/personal.toml")),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn ct(id: &str, text: &str) -> ClauseText {
        ClauseText { id: id.to_owned(), text: text.to_owned() }
    }

    #[test]
    fn a_changed_clause_shows_its_added_and_removed_words() {
        let old = [ct("6.3", "Content must not: c. Breach copyright laws;"), ct("6.4", "Same.")];
        let new = [ct("6.3", "Content must not: c. Breach copyright or trade mark laws;"), ct("6.4", "Same.")];
        let changes = compare(&old, &new);
        assert_eq!(changes.len(), 1);
        let c = &changes[0];
        assert_eq!((c.id.as_str(), c.kind, c.added, c.removed), ("6.3", ChangeKind::Changed, 3, 0));
        let added: String = c.runs.iter().filter(|r| r.tag == WordTag::Added).map(|r| r.text.as_str()).collect();
        assert_eq!(added.trim(), "or trade mark");
        let whole: String = c.runs.iter().filter(|r| r.tag != WordTag::Removed).map(|r| r.text.as_str()).collect();
        assert_eq!(whole, new[0].text);
    }

    #[test]
    fn added_and_removed_clauses_are_listed() {
        let old = [ct("7.3", "a"), ct("7.3-2", "b")];
        let new = [ct("7.3", "a"), ct("7.5", "new words here")];
        let changes = compare(&old, &new);
        let kinds: Vec<(&str, ChangeKind)> = changes.iter().map(|c| (c.id.as_str(), c.kind)).collect();
        assert_eq!(kinds, [("7.5", ChangeKind::Added), ("7.3-2", ChangeKind::Removed)]);
        assert_eq!(changes[0].added, 3);
        assert_eq!(changes[1].removed, 1);
    }

    #[test]
    fn a_changed_clause_flags_the_rules_and_pack_entries_that_cite_it_and_its_items() {
        let mut all = rule_citations();
        for (name, src) in BUILTIN_PACKS {
            all.extend(pack_citations(name, src));
        }
        // The personal-profile check's rules and borrowed categories cite 7.1 and 7.2.
        let personal = flagged(&all, &compare(&[ct("7.2", "x")], &[ct("7.2", "y")]))
            .into_iter()
            .filter(|c| c.id.starts_with("personal:"))
            .count();
        assert!(personal >= 6, "a changed 7.2 flags the personal pack's entries: {personal}");
        let changed = compare(&[ct("6.3", "x")], &[ct("6.3", "y")]);
        let flagged = flagged(&all, &changed);
        assert!(
            flagged
                .iter()
                .any(|c| c.kind == CitationKind::PackEntry && c.id.starts_with("screening:") && c.clause == "6.3b")
        );
        assert!(flagged.iter().all(|c| base_clause(&c.clause) == "6.3"));
        let usage = compare(&[ct("4.6", "x")], &[ct("4.6", "y")]);
        let by_usage = super::flagged(&all, &usage);
        assert!(by_usage.iter().any(|c| c.kind == CitationKind::Rule), "a usage rule cites 4.6");
        assert!(super::flagged(&all, &[]).is_empty());
    }

    #[test]
    fn pack_entries_are_named_by_their_path() {
        let src = "[names]\nclause = '6.3b'\nexplanation = 'Names'\n[[rule]]\nid = 'r1'\nclause = '8.2'\n[[rule]]\nclause = '6.7'\n";
        let mut ids: Vec<(String, String)> = pack_citations("p", src).into_iter().map(|c| (c.id, c.clause)).collect();
        ids.sort();
        assert_eq!(
            ids,
            [
                ("p:names".into(), "6.3b".into()),
                ("p:rule[1]".into(), "6.7".into()),
                ("p:rule[r1]".into(), "8.2".into())
            ]
        );
    }
}
