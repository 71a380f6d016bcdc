//! Names of members of the public (6.3b) and the criminal-justice rules that depend on them
//! (6.3a): prejudging a pending case, naming a sexual-offence complainant, naming a child in
//! proceedings. Names are found without a statistical model: a known given name or a title
//! followed by capitalised words, kept when the words around it show a victim, witness, suspect
//! or missing person, and dropped for officers and for defendants in published court results.

use std::borrow::Cow;
use std::collections::HashSet;

use regex::{Regex, RegexSet};

use crate::engine::{Action, Category, Hit, column_header, floor_boundary};
use crate::normalise::View;
use crate::pack::{CLAUSES, Justice, Names, PackError};

/// Lower-case words and phrases, each found whole (no ASCII letter or digit directly before or
/// after it) in a lower-cased text by one search rather than one search per word.
#[derive(Debug, Clone)]
pub(crate) struct WordList {
    words: Vec<String>,
    re: Option<Regex>,
}

impl WordList {
    pub(crate) fn new(what: &str, words: &[String]) -> Result<Self, PackError> {
        let mut words: Vec<String> = words.iter().map(|w| w.to_lowercase()).filter(|w| !w.is_empty()).collect();
        words.sort_by_key(|w| std::cmp::Reverse(w.len()));
        let re = if words.is_empty() {
            None
        } else {
            let alts: Vec<String> = words.iter().map(|w| regex::escape(w)).collect();
            let pattern = format!("(?:^|[^0-9a-z])(?:{})(?:[^0-9a-z]|$)", alts.join("|"));
            Some(Regex::new(&pattern).map_err(|e| PackError::Rule { rule: what.into(), message: format!("{e}") })?)
        };
        Ok(WordList { words, re })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Whether the lower-cased `hay` holds any of the words whole.
    pub(crate) fn any_in(&self, hay: &str) -> bool {
        self.re.as_ref().is_some_and(|r| r.is_match(hay))
    }
}

/// Whether the lower-cased `hay` contains any of the `words` whole.
pub(crate) fn lower_has_any(hay: &str, words: &WordList) -> bool {
    words.any_in(hay)
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

/// Lower-case phrases looked for at the end of a text, filed by their last byte so that only
/// those that can match are compared.
#[derive(Debug, Clone)]
pub(crate) struct Suffixes {
    by_last: Vec<Vec<String>>,
}

impl Suffixes {
    fn new(words: &[String]) -> Self {
        let mut by_last = vec![Vec::new(); 256];
        for w in words.iter().map(|w| w.to_lowercase()) {
            if let Some(&b) = w.as_bytes().last() {
                by_last[usize::from(b)].push(w);
            }
        }
        Suffixes { by_last }
    }
}

/// Whether the lower-cased `hay`, trailing spaces ignored, ends with one of `words` as a whole
/// word or phrase.
fn ends_with_any(hay: &str, words: &Suffixes) -> bool {
    // "Missing: Jane Doe", "Jailed – John Smith": a colon or dash after the phrase still leads
    // into the name.
    let hay = hay.trim_end().trim_end_matches([':', '-', '\u{2013}', '\u{2014}']).trim_end();
    let Some(&last) = hay.as_bytes().last() else { return false };
    words.by_last[usize::from(last)]
        .iter()
        .any(|w| hay.ends_with(w.as_str()) && !hay[..hay.len() - w.len()].ends_with(|c: char| c.is_alphanumeric()))
}

/// FNV-1a over what is hashed: the word sets are fixed by the pack and looked up once or more
/// for every word of every draft, where SipHash's protection against chosen keys buys nothing
/// (a draft's words are only looked up, never inserted).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(custodian_textmodel::FNV_START)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = custodian_textmodel::fnv_extend(self.0, bytes);
    }
}

/// A set of lower-cased words from the pack.
pub(crate) type Words = HashSet<String, std::hash::BuildHasherDefault<Fnv>>;

fn set(v: &[String]) -> Words {
    v.iter().map(|s| s.to_lowercase()).collect()
}

fn lower(v: &[String]) -> Vec<String> {
    v.iter().map(|s| s.to_lowercase()).collect()
}

/// The given names registered for births in England and Wales, 1996-2024 (at least 50 in all),
/// that are not common English words: `data/forenames-ons.txt`, derived from the ONS baby-name
/// statistics (Crown copyright, Open Government Licence v3.0) as its header says.
fn ons_forenames() -> impl Iterator<Item = &'static str> {
    data_lines(include_str!("../data/forenames-ons.txt"))
}

/// Given names of many origins that the ONS list does not hold, not common English words:
/// `data/forenames-intl.txt`, derived from the Faker package's person lists (MIT licence) as its
/// header says.
fn intl_forenames() -> impl Iterator<Item = &'static str> {
    data_lines(include_str!("../data/forenames-intl.txt"))
}

fn data_lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// A word lower-cased with its accents and other marks taken off ("Łukasz" -> "lukasz",
/// "Zoë" -> "zoe"), for looking it up in lists written without them.
fn folded(w: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    w.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'ł' => 'l',
            'ø' => 'o',
            'đ' => 'd',
            'ı' => 'i',
            c => c,
        })
        .collect()
}

/// `text[s..e]` in small letters without allocating when it is ASCII: the view's `lower` is
/// the text lower-cased byte for byte, which for ASCII is what `to_lowercase` gives.
fn lower_at(v: &View, s: usize, e: usize) -> Cow<'_, str> {
    let w = &v.text[s..e];
    if w.is_ascii() { Cow::Borrowed(&v.lower[s..e]) } else { Cow::Owned(w.to_lowercase()) }
}

/// Words after a lone given name that show it is an animal's.
/// Words straight before a capitalised name that make it a place where patients are taken.
const PLACE_BEFORE: &[&str] = &["transferred to", "taken to", "admitted to", "discharged from", "transferred from"];

/// Words straight before a place's name: "at Victoria Hall", "on Grace Lane".
const PLACE_PREPOSITIONS: &[&str] = &[
    "at", "on", "in", "into", "near", "along", "off", "the", "from", "via", "towards", "outside", "behind", "opposite",
    "by", "past", "up", "down", "around", "round", "across", "through",
];

const ANIMALS: &[&str] = &["dog", "dogs", "puppy", "horse", "pony", "cat", "kitten", "spaniel", "alsatian"];

/// Words that open a reply to someone by name.
const GREETINGS: &[&str] = &["hi", "hello", "dear", "hiya", "morning", "afternoon", "evening"];

/// Words in a reply that say the person greeted is a victim, a witness or a reporter of a crime.
const GREETED_CUES: &[&str] = &[
    "crime",
    "reported",
    "reference",
    "stolen",
    "your officer",
    "the officer",
    "statement",
    "investigation",
    "card number",
    "your card",
    "your bank",
    "email you",
    "call you",
    "attacked",
    "assaulted",
    "burgled",
    "incident",
    "witness",
];

/// Words in capitals that follow a given name or lead a list but are not surnames.
const NOT_SURNAME: &[&str] = &[
    "OFFICIAL",
    "SENSITIVE",
    "SECRET",
    "RESTRICTED",
    "CONFIDENTIAL",
    "PROTECT",
    "URGENT",
    "UPDATE",
    "MISSING",
    "WANTED",
    "APPEAL",
    "NEWS",
    "BREAKING",
    "PLEASE",
    "SHARE",
    "NOT",
    "AND",
    "THE",
    "FOR",
    "DOB",
    "NHS",
    "NINO",
    "PNC",
    "CAD",
    "CCTV",
    "ANPR",
    "RTC",
    "ASB",
    "SNT",
    "HQ",
    "UK",
    "GB",
    "PC",
    "DC",
    "DS",
    "DI",
    "PCSO",
    "RE",
    "FW",
    "FWD",
    "CC",
    "TO",
    "FROM",
    "OK",
    "ID",
    "AKA",
    "MOT",
    "IP",
    "SIO",
    "ETA",
    "PM",
    "AM",
    "BST",
    "GMT",
    "PD",
    "PH",
    "OIC",
    "RT",
];

/// Verbs that follow the person a sentence is about ("lucy harcourt found safe").
const SUBJECT_VERBS: &[&str] = &[
    "had", "has", "was", "is", "found", "says", "said", "went", "reported", "called", "rang", "lost", "suffered",
    "needs", "remains", "may", "left", "got", "saw", "told",
];

/// What follows a missing person's given name in an update: "Harjit has been found".
const FOUND_AFTER: &[&str] = &[
    " has been found",
    " was found",
    " has now been found",
    " has been located",
    " was located",
    " has been traced",
    " has returned home",
    " has returned safe",
    " is safe and well",
    " is home safe",
    " is still missing",
    " remains missing",
    " has not been seen",
    " was last seen",
];

/// Words that make the small-letter words after them an ordinary phrase ("their patience",
/// "the hunter family"), never a name.
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "their", "our", "his", "her", "your", "my", "its", "this", "that", "these", "those", "every",
    "any", "some", "no", "each", "all", "whose", "which", "what",
];

/// Words on a line of an organisation's published contacts.
const PUBLISHED: &[&str] = &[
    "box office",
    "opening hours",
    "open daily",
    "open mon",
    "reception",
    "enquiries",
    "bookings",
    "booking line",
    "helpline",
    "www.",
    "http",
    ".org",
    ".gov",
    "front counter",
    "switchboard",
    "customer services",
    "tickets",
];

/// Column headers whose cells are people's names ("name", "surname", "keeper").
const NAME_HEADERS: &[&str] = &[
    "name",
    "names",
    "surname",
    "forename",
    "forenames",
    "firstname",
    "lastname",
    "keeper",
    "victim",
    "witness",
    "nominal",
    "misper",
    "nok",
    "owner",
    "aggrieved",
    "suspect",
    "subject",
    "occupier",
];

/// Column headers that hold something else about a person, or someone who is not a member of
/// the public ("keeper_postcode", "officer name", "venue name").
const NOT_NAME_HEADERS: &[&str] = &[
    "postcode",
    "address",
    "addr",
    "dob",
    "phone",
    "tel",
    "mobile",
    "email",
    "reg",
    "vrm",
    "no",
    "number",
    "nhs",
    "nino",
    "officer",
    "oic",
    "pc",
    "staff",
    "venue",
    "business",
    "shop",
    "company",
    "school",
    "street",
    "road",
    "town",
    "place",
    "location",
    "dog",
    "horse",
    "operation",
    "op",
    "team",
    "unit",
    "station",
    "age",
    "date",
];

/// The labels of a record's fields, which are never part of a name written in its cells.
const FIELD_LABELS: &[&str] = &[
    "name",
    "names",
    "surname",
    "forename",
    "forenames",
    "first",
    "last",
    "given",
    "full",
    "dob",
    "date",
    "birth",
    "address",
    "tel",
    "phone",
    "mobile",
    "email",
    "account",
    "sort",
    "code",
    "card",
    "number",
    "no",
    "reg",
    "vrm",
    "postcode",
    "ref",
    "reference",
    "nhs",
    "nino",
    "victim",
    "victims",
    "witness",
    "suspect",
    "details",
    "keeper",
    "age",
    "occupation",
    "nationality",
    "gender",
    "sex",
    "status",
    "notes",
    "note",
    "type",
    "amount",
    "total",
    "bank",
    "iban",
    "contact",
    "home",
    "work",
    "school",
    "employer",
    "email address",
    "mule",
    "accounts",
    // Greetings and sign-offs, and the words of a protective marking.
    "hi",
    "hello",
    "dear",
    "thanks",
    "regards",
    "cheers",
    "official",
    "official-sensitive",
    "sensitive",
    "secret",
    "restricted",
    "confidential",
    "protect",
    "handling",
    "classification",
];

/// Lower-case words that follow a given name in ordinary sentences and never start a surname.
const COMMON: &[&str] = &[
    "and",
    "or",
    "but",
    "for",
    "the",
    "a",
    "an",
    "who",
    "whom",
    "whose",
    "which",
    "that",
    "this",
    "from",
    "with",
    "our",
    "your",
    "his",
    "her",
    "their",
    "its",
    "has",
    "have",
    "had",
    "was",
    "were",
    "is",
    "are",
    "will",
    "would",
    "can",
    "could",
    "may",
    "might",
    "said",
    "says",
    "and",
    "everyone",
    "all",
    "you",
    "we",
    "us",
    "them",
    "him",
    "she",
    "he",
    "they",
    "it",
    "to",
    "of",
    "in",
    "on",
    "at",
    "by",
    "as",
    "so",
    "if",
    "not",
    "no",
    "yes",
    "team",
    "family",
    "again",
    "too",
    "also",
    "today",
    "tonight",
    "yesterday",
    "tomorrow",
    "now",
    "then",
    "during",
    "after",
    "before",
    "while",
    "near",
    "theft",
    "thefts",
    "burglary",
    "robbery",
    "assault",
    "attack",
    "incident",
    "crime",
    "crimes",
    "my",
    "me",
    "i",
    "any",
    "some",
    "no",
    "every",
];

/// The shapes of names in records and notes, compiled once with the pack. Each is bounded by
/// "not a letter or digit" rather than `\b`, which keeps the fast engines on drafts with accents
/// or emoji; the name is the span of its groups.
#[derive(Debug, Clone)]
struct Shapes {
    /// Given name, middle initial or quoted nickname, surname: "Marta F. Byrne".
    middle: Regex,
    /// "FITZGERALD, Jolene", "MALIK Nikolai", "Pritchard, Niamh".
    surname_first: Regex,
    /// Given name and a surname in capitals: "Fatima WHITMORE".
    caps_surname: Regex,
    /// An initial and a surname: "K. Byrne".
    initial: Regex,
    /// The four together, searched once to learn which of them match a draft at all (most
    /// drafts match none); only those are searched for their groups.
    any: RegexSet,
}

/// The matches of shape `k` (`re`) in `text`, searched for only when the shapes' set says it
/// matches somewhere (`on`).
fn shape_groups<'t>(
    on: &regex::SetMatches,
    k: usize,
    re: &'t Regex,
    text: &'t str,
) -> impl Iterator<Item = regex::Captures<'t>> + 't {
    on.matched(k).then(|| re.captures_iter(text)).into_iter().flatten()
}

impl Shapes {
    fn compile() -> Result<Self, PackError> {
        let re = |p: &str| {
            Regex::new(p).map_err(|e| PackError::Rule { rule: "names".into(), message: format!("name shape: {e}") })
        };
        let (middle, surname_first, caps_surname, initial) = (
            re(
                r#"(?:^|[^\p{L}\p{N}])(\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?)[^\S\n](?:\p{Lu}\.?|['‘’"“”]\p{Lu}\p{Ll}+['‘’"“”])[^\S\n](\p{Lu}[\p{Ll}'’]+(?:-\p{Lu}\p{Ll}+)?)(?:[^\p{L}\p{N}]|$)"#,
            )?,
            re(
                r"(?:^|[^\p{L}\p{N}])(\p{Lu}['’]?\p{Lu}+(?:[-[^\S\n]]\p{Lu}{2,})?,?|\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?,)[^\S\n](\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?|\p{Lu}{2,})(?:[^\p{L}\p{N}]|$)",
            )?,
            re(
                r"(?:^|[^\p{L}\p{N}])(\p{Lu}\p{Ll}+)[^\S\n](\p{Lu}{2,}(?:[-[^\S\n]]\p{Lu}{2,}){0,2})(?:[^\p{L}\p{N}]|$)",
            )?,
            re(
                r"(?:^|[^\p{L}\p{N}])(\p{Lu})(\.?)[^\S\n](\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?|\p{Lu}['’]?\p{Lu}+(?:-\p{Lu}{2,})?)(?:[^\p{L}\p{N}]|$)",
            )?,
        );
        let any = RegexSet::new([middle.as_str(), surname_first.as_str(), caps_surname.as_str(), initial.as_str()])
            .map_err(|e| PackError::Rule { rule: "names".into(), message: format!("name shapes: {e}") })?;
        Ok(Shapes { middle, surname_first, caps_surname, initial, any })
    }
}

/// The compiled name and justice word lists.
#[derive(Debug, Clone)]
pub(crate) struct NameRules {
    shapes: Shapes,
    clause: String,
    action: Action,
    explanation: String,
    forenames: Words,
    honorifics: Words,
    officials: Words,
    not_names: Words,
    place_surnames: Words,
    raise: WordList,
    lower: WordList,
    window: usize,
    base: f32,
    honorific_raise: f32,
    age_raise: f32,
    raise_by: f32,
    lower_by: f32,
    introducers: Suffixes,
    introducer_raise: f32,
    lower_before: Suffixes,
    /// `lower_before` as whole words anywhere, for the name model's features.
    lower_before_words: WordList,
    j_clause: String,
    j_action: Action,
    pending: WordList,
    decided: WordList,
    prejudicial: Vec<String>,
    sexual: WordList,
    complainant: WordList,
    proceedings: WordList,
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
    let rest = rest
        .strip_prefix('(')
        .or_else(|| rest.strip_prefix("aged "))
        .or_else(|| rest.strip_prefix("was "))
        .or_else(|| rest.strip_prefix("now "))
        .unwrap_or(rest);
    let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if n.is_empty() || n.len() > 3 || rest[n.len()..].starts_with(|c: char| c.is_alphanumeric()) {
        return None;
    }
    n.parse().ok()
}

impl NameRules {
    pub(crate) fn compile(n: &Names, j: &Justice) -> Result<Self, PackError> {
        Ok(NameRules {
            shapes: Shapes::compile()?,
            action: parse_action("names", &n.clause, &n.action)?,
            clause: n.clause.clone(),
            explanation: n.explanation.clone(),
            forenames: {
                let mut f = set(&n.forenames);
                if n.ons_forenames {
                    f.extend(ons_forenames().map(str::to_string));
                }
                if n.intl_forenames {
                    f.extend(intl_forenames().map(str::to_string));
                }
                f
            },
            honorifics: set(&n.honorifics),
            officials: set(&n.officials),
            not_names: set(&n.not_names),
            place_surnames: set(&n.place_surnames),
            raise: WordList::new("raise", &n.raise)?,
            lower: WordList::new("lower", &n.lower)?,
            window: n.window,
            base: n.base,
            honorific_raise: n.honorific_raise,
            age_raise: n.age_raise,
            raise_by: n.raise_by,
            lower_by: n.lower_by,
            introducers: Suffixes::new(&n.introducers),
            introducer_raise: n.introducer_raise,
            lower_before: Suffixes::new(&n.lower_before),
            lower_before_words: WordList::new("lower_before", &n.lower_before)?,
            j_action: parse_action("justice", &j.clause, &j.action)?,
            j_clause: j.clause.clone(),
            pending: WordList::new("pending", &j.pending)?,
            decided: WordList::new("decided", &j.decided)?,
            prejudicial: lower(&j.prejudicial),
            sexual: WordList::new("sexual", &j.sexual)?,
            complainant: WordList::new("complainant", &j.complainant)?,
            proceedings: WordList::new("proceedings", &j.proceedings)?,
            child_age: j.child_age,
            prejudge_explanation: j.prejudge_explanation.clone(),
            complainant_explanation: j.complainant_explanation.clone(),
            child_explanation: j.child_explanation.clone(),
        })
    }

    /// Words in the base view: runs of letters, with apostrophes and hyphens inside them.
    /// ASCII bytes are classified without decoding them (most drafts are mostly ASCII).
    fn tokens(text: &str) -> Vec<(usize, usize)> {
        let b = text.as_bytes();
        let mut out = Vec::with_capacity(b.len() / 4);
        let mut start = None;
        let mut last_letter = 0;
        let mut i = 0;
        while i < b.len() {
            let (letter, len) = if b[i].is_ascii() {
                (b[i].is_ascii_alphabetic(), 1)
            } else {
                let c = text[i..].chars().next().unwrap_or(' ');
                (c.is_alphabetic(), c.len_utf8())
            };
            if letter {
                if start.is_none() {
                    start = Some(i);
                }
                last_letter = i + len;
            } else if (b[i] == b'\'' || b[i] == b'-') && start.is_some() {
            } else if let Some(s) = start.take() {
                out.push((s, last_letter));
            }
            i += len;
        }
        if let Some(s) = start {
            out.push((s, last_letter));
        }
        out
    }

    /// Whether the word `w` (lower-cased `low`) is a given name we know, with or without its
    /// accents. An ASCII word folds to its lower-case form, so only others are folded.
    fn known_given(&self, w: &str, low: &str) -> bool {
        self.forenames.contains(low) || (!w.is_ascii() && self.forenames.contains(&folded(w)))
    }

    /// Whether the view's word `[s, e)` starts with a capital, has small letters and is not a
    /// word that never names a person.
    fn capitalised(&self, v: &View, s: usize, e: usize) -> bool {
        let w = &v.text[s..e];
        let mut cs = w.chars();
        cs.next().is_some_and(char::is_uppercase)
            && w.chars().any(char::is_lowercase)
            && !self.not_names.contains(lower_at(v, s, s + w.trim_end_matches("'s").len()).as_ref())
    }

    /// Whether word `i + 1` is a surname of `place_surnames` ending a name that word `i`, a
    /// known given name, starts: see [`crate::pack::Names::place_surnames`].
    fn place_surname_at(&self, v: &View, toks: &[(usize, usize)], i: usize) -> bool {
        let text = &v.text;
        let (s, e) = toks[i + 1];
        let w = &text[s..e];
        let bare = w.trim_end_matches("'s").trim_end_matches("\u{2019}s");
        if !(w.starts_with(char::is_uppercase) && w.chars().any(char::is_lowercase)) {
            return false;
        }
        if !self.place_surnames.contains(lower_at(v, s, s + bare.len()).as_ref()) {
            return false;
        }
        if !self.known_given(&text[toks[i].0..toks[i].1], &lower_at(v, toks[i].0, toks[i].1)) {
            return false;
        }
        // Another capitalised word after it makes a longer place ("Stacey Hall Community Centre").
        let more =
            toks.get(i + 2).is_some_and(|&(a, _)| &text[e..a] == " " && text[a..].starts_with(char::is_uppercase));
        let before = text[..toks[i].0].trim_end_matches(' ');
        let number_before = before.ends_with(|c: char| c.is_ascii_digit());
        let place_word_before = i > 0 && {
            let b = lower_at(v, toks[i - 1].0, toks[i - 1].1);
            PLACE_PREPOSITIONS.contains(&b.as_ref()) && &text[toks[i - 1].1..toks[i].0] == " "
        };
        !more && !number_before && !place_word_before
    }

    fn candidates(&self, v: &View, toks: &[(usize, usize)]) -> Vec<Candidate> {
        let text = &v.text;
        let mut out = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            let word = |k: usize| &text[toks[k].0..toks[k].1];
            if !self.capitalised(v, toks[i].0, toks[i].1) {
                i += 1;
                continue;
            }
            // A run of capitalised words separated by single spaces.
            let mut j = i + 1;
            while j < toks.len() && &text[toks[j - 1].1..toks[j].0] == " " && self.capitalised(v, toks[j].0, toks[j].1)
            {
                j += 1;
            }
            // "Stacey Hall needs her medication", "Curtis Lane (19)": a known given name alone,
            // then a surname that is also a place word, with no capitalised word after it and
            // nothing before it that introduces a place ("at Victoria Hall", "on Grace Lane").
            if j == i + 1 && j < toks.len() && &text[toks[i].1..toks[j].0] == " " && self.place_surname_at(v, toks, i) {
                j += 1;
            }
            // "Victim Kiplagat Lim", "Occupier Takumi Owusu": the phrase that introduces the name
            // may open the run of capitalised words itself; the name starts after it.
            let introducer_at =
                |k: usize| ends_with_any(&v.lower[..floor_boundary(&v.lower, toks[k].0)], &self.introducers);
            if j - i >= 3
                && !introducer_at(i)
                && let Some(k) = (i + 1..j - 1).find(|&k| introducer_at(k))
            {
                i = k;
            }
            // "Hi Ayesha, your reference is ...": the greeting opens the run; the name follows it.
            if j - i == 2 && GREETINGS.contains(&lower_at(v, toks[i].0, toks[i].1).as_ref()) {
                i += 1;
            }
            let before = i.checked_sub(1).filter(|&p| {
                let gap = &text[toks[p].1..toks[i].0];
                gap == " " || gap == ". "
            });
            let is = |set: &Words, k: usize| set.contains(lower_at(v, toks[k].0, toks[k].1).as_ref());
            // A title starts the name after it, whether it opens the run ("Mrs Joyce Bennett")
            // or stands just before it ("Mr. Patel").
            let title_in_run = (i..j.saturating_sub(1)).find(|&k| is(&self.honorifics, k));
            let honorific = title_in_run.is_some() || before.is_some_and(|p| is(&self.honorifics, p));
            let official_before = before.is_some_and(|p| is(&self.officials, p));
            // "named as Tomasz Wisniewski", "The victim, Keeley Marsh,": a phrase that
            // introduces a member of the public, straight before a run of two or more words.
            let after_introducer = ends_with_any(&v.lower[..floor_boundary(&v.lower, toks[i].0)], &self.introducers);
            let introduced = j - i >= 2 && after_introducer;
            // "Have you seen Olumide?", "Thank you Bethany!": a given name we know, alone,
            // straight after an introducing phrase.
            let known = |k: usize| self.known_given(word(k), &lower_at(v, toks[k].0, toks[k].1));
            // "Have you seen Bartholomew? He is our new police dog.": an animal, not a person.
            let animal = || {
                let to = floor_boundary(&v.lower, toks[i].1.saturating_add(60));
                ANIMALS.iter().any(|a| !find_word(&v.lower[toks[i].1..to], a).is_empty())
            };
            // "Harjit has been found", "Eilidh was found safe": a missing person's update.
            let found_after = || {
                let rest = &v.lower[toks[i].1..];
                FOUND_AFTER.iter().any(|f| rest.starts_with(f))
            };
            // "Hi Brian, we're sorry your van was stolen", "Hi Ken - the crime you reported": a
            // reply that greets someone by a given name we know and says what happened to them
            // or what they reported. A bare "Hi Dave, thanks" names nobody (6.3b).
            let greeted = || {
                before.is_some_and(|p| GREETINGS.contains(&lower_at(v, toks[p].0, toks[p].1).as_ref()))
                    && text[toks[i].1..].starts_with([',', ' ', '!', '-'])
                    && GREETED_CUES.iter().any(|c| !find_word(&v.lower, c).is_empty())
            };
            // "Joanne's laptop bag was taken", "Lucas's bank: ...": a given name we know, owning
            // something, where the words around say person (a raise word). "Ali's on Regent St"
            // is a shop.
            let possessive = || {
                let w = word(i);
                let thing_after = toks.get(i + 1).is_some_and(|&(a, b)| {
                    text[a..].starts_with(char::is_lowercase)
                        && !PLACE_PREPOSITIONS.contains(&lower_at(v, a, b).as_ref())
                });
                if !thing_after {
                    return false;
                }
                let bare = w.strip_suffix("'s").or_else(|| w.strip_suffix("\u{2019}s"));
                bare.is_some_and(|b| {
                    self.known_given(b, &b.to_lowercase())
                        && self.score(v, toks[i].0, toks[i].0 + b.len(), false).score > self.base
                })
            };
            let single = j - i == 1
                && ((after_introducer || found_after() || greeted()) && known(i) || possessive())
                && !animal();
            let start = match title_in_run {
                Some(t) => Some(t + 1),
                None if honorific => Some(i),
                // A given name we know, followed by at least one more capitalised word.
                None => (i..j.saturating_sub(1))
                    .find(|&k| known(k))
                    .or_else(|| {
                        // Press-release style "Firstname Surname, 27,": two or three capitalised
                        // words followed by an age name a person even when the given name is not
                        // in the list.
                        let from = j.saturating_sub(3).max(i);
                        (j - from >= 2 && age_after(text, toks[j - 1].1).is_some()).then_some(from)
                    })
                    .or(introduced.then_some(i)),
            };
            let start = start.or(single.then_some(i));
            // Not a person: "The Mary Arden" (a pub), "George Eliot Hospital", "137 Brook End".
            let article_before = before.is_some_and(|p| word(p).eq_ignore_ascii_case("the"));
            let place_after = !honorific
                && j < toks.len()
                && &text[toks[j - 1].1..toks[j].0] == " "
                && word(j).starts_with(char::is_uppercase)
                && word(j).chars().any(char::is_lowercase)
                && self
                    .not_names
                    .contains(lower_at(v, toks[j].0, toks[j].0 + word(j).trim_end_matches("'s").len()).as_ref());
            let number_before = text[..toks[i].0].trim_end_matches(' ').ends_with(|c: char| c.is_ascii_digit());
            // "transferred to George Eliot", "taken to Mary Ann Evans A&E": a hospital or a
            // place named after a person, where patients are taken.
            let place_before = {
                let b = v.lower[..floor_boundary(&v.lower, toks[i].0)].trim_end();
                PLACE_BEFORE.iter().any(|p| b.ends_with(p))
            };
            let article_in_run = |k: usize| (i..k).any(|p| word(p).eq_ignore_ascii_case("the"));
            let start = start
                .filter(|&k| !article_before && !article_in_run(k) && !place_after && !number_before && !place_before);
            if let Some(k) = start {
                let official = official_before || (i..=k).any(|p| is(&self.officials, p));
                let end_tok = if single { k } else { (k + 3).min(j) - 1 };
                let s = toks[k].0;
                let mut e = toks[end_tok].1;
                if text[s..e].ends_with("'s") {
                    e -= 2;
                }
                if !official && e > s && !is(&self.honorifics, end_tok) {
                    let mut c = self.score(v, s, e, honorific);
                    if (introduced || single) && k == i {
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
        if lower_has_any(&v.lower[from..to], &self.raise)
            || column_header(&v.lower, s).is_some_and(|h| lower_has_any(h, &self.raise))
        {
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

    /// Names written in lower case or in capitals: a given name we know followed by one or two
    /// more words of the same case ("thanks to zainab farrell", "MEI MCBRIDE"), scored by their
    /// context like any other. Lower case needs an introducing phrase straight before it.
    fn uncased(&self, v: &View, toks: &[(usize, usize)], known: &[Candidate]) -> Vec<Candidate> {
        let text = &v.text;
        let mut out = Vec::new();
        let word = |k: usize| &text[toks[k].0..toks[k].1];
        let lowercase = |w: &str| w.chars().all(|c| !c.is_uppercase());
        let capitals = |w: &str| w.chars().count() >= 3 && w.chars().all(|c| !c.is_lowercase());
        let mut i = 0;
        while i + 1 < toks.len() {
            let (a, b) = (word(i), word(i + 1));
            let spaced = &text[toks[i].1..toks[i + 1].0] == " ";
            let known_given = || self.known_given(a, &lower_at(v, toks[i].0, toks[i].1));
            let plain = |k: usize| {
                let w = word(k);
                let l = lower_at(v, toks[k].0, toks[k].1);
                w.chars().count() >= 2
                    && !self.not_names.contains(l.as_ref())
                    && !self.officials.contains(l.as_ref())
                    && !self.honorifics.contains(l.as_ref())
                    && !COMMON.contains(&l.as_ref())
            };
            // Small letters after an introducing phrase, or anywhere the words around say person
            // (checked on the score below); capitals anywhere. The cheap tests of shape come
            // first: most pairs of words fail them.
            let small = lowercase(a) && lowercase(b);
            let shape = || if small { true } else { capitals(a) && capitals(b) };
            let introduced = || ends_with_any(&v.lower[..floor_boundary(&v.lower, toks[i].0)], &self.introducers);
            let overlaps = || known.iter().any(|c| c.s < toks[i + 1].1 && toks[i].0 < c.e);
            if spaced && shape() && known_given() && plain(i) && plain(i + 1) && !overlaps() {
                let (s, mut e) = (toks[i].0, toks[i + 1].1);
                if text[s..e].ends_with("'s") {
                    e -= 2;
                }
                let officer = i > 0 && self.officials.contains(lower_at(v, toks[i - 1].0, toks[i - 1].1).as_ref());
                let mut c = self.score(v, s, e, false);
                // "lucy harcourt found safe", "!! oluwaseun yilmaz had her purse taken": a known
                // given name and another word in small letters opening a sentence, with a verb
                // after them, are someone the sentence is about.
                let opens = text[..s]
                    .trim_end_matches([' ', '\t'])
                    .chars()
                    .last()
                    .is_none_or(|ch| matches!(ch, '.' | '!' | '?' | '\n' | ':'));
                let verb_after =
                    toks.get(i + 2).is_some_and(|&(a2, b2)| SUBJECT_VERBS.contains(&lower_at(v, a2, b2).as_ref()));
                if small && opens && verb_after {
                    c.score += self.raise_by;
                }
                // "their patience during": a determiner before small letters shows an ordinary
                // phrase ("belongs to priya taylor" does not).
                let phrase =
                    small && i > 0 && DETERMINERS.contains(&lower_at(v, toks[i - 1].0, toks[i - 1].1).as_ref());
                if !officer && !phrase && (!small || c.score > self.base || introduced()) {
                    out.push(c);
                }
                i += 2;
                continue;
            }
            i += 1;
        }
        out
    }

    /// Names in the shapes records and hurried notes use, each anchored on a given name we know
    /// (or, for an initial, on words around it that show a person): "Marta F. Byrne",
    /// "FITZGERALD, Jolene", "Pritchard, Niamh", "Fatima WHITMORE", "Anthony 'Tony' Ferreira",
    /// "K. Byrne" and "B Cartwright".
    fn shaped(&self, v: &View, known: &[Candidate]) -> Vec<Candidate> {
        let text = &v.text;
        let known_given = |w: &str| self.known_given(w, &w.to_lowercase());
        let ordinary = |w: &str| {
            let l = w.to_lowercase();
            self.not_names.contains(&l) || self.officials.contains(&l) || self.honorifics.contains(&l)
        };
        let taken = |s: usize, e: usize, out: &[Candidate]| known.iter().chain(out).any(|c| c.s < e && s < c.e);
        let officer_before = |s: usize| {
            let before = text[..s].trim_end();
            let last = before.rsplit(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
            self.officials.contains(&last.to_lowercase())
        };
        let mut out: Vec<Candidate> = Vec::new();
        let push = |s: usize, e: usize, need_raise: bool, out: &mut Vec<Candidate>| {
            if taken(s, e, out) || officer_before(s) {
                return;
            }
            let mut e = e;
            if text[s..e].ends_with("'s") {
                e -= 2;
            }
            let c = self.score(v, s, e, false);
            if !need_raise || c.score > self.base {
                out.push(c);
            }
        };
        let span = |c: &regex::Captures, last: usize| Some((c.get(1)?.start(), c.get(last)?.end()));
        // Which shapes match the draft anywhere: one that matches nowhere has no groups to read.
        let on = self.shapes.any.matches(text);
        for c in shape_groups(&on, 0, &self.shapes.middle, text) {
            let (g, sur) = (&c[1], &c[2]);
            if known_given(g) && !ordinary(sur) {
                let Some((a, z)) = span(&c, 2) else { continue };
                push(a, z, false, &mut out);
            }
        }
        for c in shape_groups(&on, 1, &self.shapes.surname_first, text) {
            let sur = c[1].trim_end_matches(',');
            let g = &c[2];
            let comma = c[1].ends_with(',');
            let caps = sur.chars().all(|ch| !ch.is_lowercase());
            // "Pritchard, Niamh" needs the comma and a surname that is not itself a given name
            // or an ordinary word; "FITZGERALD Jolene" is shape enough.
            let official_word = sur.split([' ', '-']).any(|w| NOT_SURNAME.contains(&w) || ordinary(w));
            // "Hussain, Connor of 43 ..." has a surname that is also a given name; "Sarah, Emma and
            // Jo" is a list of given names, told apart by what follows.
            let listed = {
                let rest = c.get(2).map_or("", |m| &text[m.end()..]);
                rest.starts_with(" and ") || rest.starts_with(" & ") || rest.starts_with(", ")
            };
            let fits = if caps {
                sur.chars().filter(|ch| ch.is_alphabetic()).count() >= 3 && !official_word
            } else {
                comma && (!known_given(sur) || !listed) && !ordinary(sur)
            };
            // "KAUR, CHLOÉ", "TAYLOR, Bartłomiej": a record's surname in capitals and a comma
            // are shape enough for a given name we do not know, in either case, when the words
            // around it say person; without the comma a given name in capitals is not one.
            let given_caps = g.chars().all(|ch| !ch.is_lowercase());
            let first = g.split('-').next().unwrap_or(g);
            let plain_word = |w: &str| {
                let l = w.to_lowercase();
                !ordinary(w) && !NOT_SURNAME.contains(&w.to_uppercase().as_str()) && !COMMON.contains(&l.as_str())
            };
            if given_caps && !(caps && comma) {
                continue;
            }
            if fits && known_given(first) && !ordinary(g) {
                let Some((a, z)) = span(&c, 2) else { continue };
                push(a, z, !caps, &mut out);
            } else if fits && caps && comma && plain_word(g) {
                let Some((a, z)) = span(&c, 2) else { continue };
                push(a, z, true, &mut out);
            }
        }
        for c in shape_groups(&on, 2, &self.shapes.caps_surname, text) {
            let (g, sur) = (&c[1], &c[2]);
            let official_word = sur.split([' ', '-']).any(|w| NOT_SURNAME.contains(&w) || ordinary(w));
            if known_given(g) && !ordinary(g) && !official_word {
                let Some((a, z)) = span(&c, 2) else { continue };
                push(a, z, false, &mut out);
            }
        }
        for c in shape_groups(&on, 3, &self.shapes.initial, text) {
            let (initial, dot, sur) = (&c[1], &c[2], &c[3]);
            let Some((a, z)) = span(&c, 3) else { continue };
            // "NI JT 48 22 91 B. Tel": a number's last letter, not an initial.
            if text[..a].trim_end().ends_with(|ch: char| ch.is_ascii_digit()) {
                continue;
            }
            // "in the name of I MENSAH", "Owner is H. Chen": straight after a phrase that
            // introduces a person, an initial and a surname (in capitals too) are a name.
            let introduced = ends_with_any(&v.lower[..floor_boundary(&v.lower, a)], &self.introducers);
            let caps = sur.chars().all(|ch| !ch.is_lowercase());
            if caps {
                let plain = sur.chars().filter(|ch| ch.is_alphabetic()).count() >= 3
                    && !NOT_SURNAME.contains(&sur)
                    && !ordinary(sur)
                    && !COMMON.contains(&sur.to_lowercase().as_str())
                    && !known_given(sur);
                if introduced && plain {
                    push(a, z, false, &mut out);
                }
                continue;
            }
            // "A Ford" or "I Was" are not an initial and a surname without a full stop.
            if (dot.is_empty() && (initial == "A" || initial == "I")) || ordinary(sur) {
                continue;
            }
            // "C. Reid", "A. Evans": a surname that is also a given name needs its full stop or the
            // words around it.
            let given_like = known_given(sur);
            if given_like && dot.is_empty() && !introduced {
                continue;
            }
            push(a, z, !introduced, &mut out);
        }
        out
    }

    /// Names run together in a hashtag, "#FindTariqMahmood" or "#FindŁukaszBegum": from a
    /// capitalised part that is a given name we know to the end of the tag, with at least one
    /// more part after it. The tag must lead with a word that looks for someone ("Find",
    /// "Missing") or the words around it must say person.
    fn hashtags(&self, v: &View, known: &[Candidate]) -> Vec<Candidate> {
        const SEARCHING: &[&str] = &["find", "missing", "trace", "locate", "help", "bring", "justice", "for"];
        const SEARCH_TAGS: &[&str] = &["justicefor", "missing", "find", "bring", "trace", "locate"];
        let text = &v.text;
        let mut out = Vec::new();
        for (hash, _) in text.match_indices('#') {
            let start = hash + 1;
            let len: usize =
                text[start..].chars().take_while(|c| c.is_alphabetic() || *c == '\'').map(char::len_utf8).sum();
            let tag = &text[start..start + len];
            // The capitalised parts of the tag, by their offsets in it.
            let starts: Vec<usize> = tag.char_indices().filter(|(_, c)| c.is_uppercase()).map(|(i, _)| i).collect();
            // "#bringbrendanhome", "#FindBrendan", "#FindZsófiaClarke": a word that looks for
            // someone, then a name (a given name we know, or capitalised) and perhaps "home".
            let lower_tag = tag.to_lowercase();
            let searched = SEARCH_TAGS.iter().find_map(|w| {
                let rest = lower_tag.strip_prefix(w)?;
                let rest = rest.strip_suffix("home").unwrap_or(rest);
                (rest.chars().count() >= 3 && tag.is_char_boundary(w.len())).then_some((w.len(), w.len() + rest.len()))
            });
            if let Some((a, z)) = searched
                && tag.is_char_boundary(z)
            {
                let name = &tag[a..z];
                let capitalised = name.starts_with(char::is_uppercase);
                let first =
                    name.char_indices().skip(1).find(|(_, c)| c.is_uppercase()).map_or(name, |(i, _)| &name[..i]);
                let (s, e) = (start + a, start + z);
                let free = !known.iter().chain(&out).any(|c: &Candidate| c.s < e && s < c.e);
                if free
                    && (capitalised || self.known_given(first, &first.to_lowercase()))
                    && !self.not_names.contains(&name.to_lowercase())
                {
                    let c = self.score(v, s, e, false);
                    out.push(Candidate { score: c.score.max(self.base), ..c });
                    continue;
                }
            }
            if starts.len() < 2 || starts[0] != 0 {
                continue;
            }
            let part = |k: usize| &tag[starts[k]..starts.get(k + 1).copied().unwrap_or(tag.len())];
            let Some(p) = (0..starts.len() - 1).find(|&k| {
                let w = part(k);
                w.chars().count() >= 2 && self.known_given(w, &w.to_lowercase())
            }) else {
                continue;
            };
            let (s, e) = (start + starts[p], start + len);
            if known.iter().chain(&out).any(|c: &Candidate| c.s < e && s < c.e) {
                continue;
            }
            let searching = (0..p).any(|k| SEARCHING.contains(&part(k).to_lowercase().as_str()));
            let c = self.score(v, s, e, false);
            if searching || c.score > self.base {
                out.push(Candidate { score: c.score.max(self.base), ..c });
            }
        }
        out
    }

    /// Names in a record's row: a cell of two or three capitalised words ("Máire Coyle | 19 March
    /// 1985 | ...", "Victim details: Wanjiru Chaudhry, DOB ...", "(Somchai Cheema)", "Bo-ra
    /// Choi;07534 ...") on a line that also holds personal data the rules found (a date of birth,
    /// a card, an account, a phone number). Officers, places, organisations and field labels are
    /// weeded out by the word lists; published contacts are not personal data, so a line listing
    /// only them names nobody.
    fn record_cells(
        &self,
        v: &View,
        known: &[Candidate],
        personal: &[(usize, usize)],
        found: &[(usize, usize)],
    ) -> Vec<Candidate> {
        let text = &v.text;
        let mut out: Vec<Candidate> = Vec::new();
        if personal.is_empty() {
            return out;
        }
        let mut line_start = 0;
        for line in text.split('\n') {
            let (ls, le) = (line_start, line_start + line.len());
            line_start = le + 1;
            let Some((a, b)) = v.original_span(ls, le) else { continue };
            if !personal.iter().any(|&(s, e)| s < b && a < e) {
                continue;
            }
            // A line of an organisation's published contacts (its box office, its opening
            // hours, its web site) names a place, not a person.
            let lower_line = &v.lower[floor_boundary(&v.lower, ls)..floor_boundary(&v.lower, le)];
            if PUBLISHED.iter().any(|p| lower_line.contains(p)) {
                continue;
            }
            // Cells: between separators, and between a spaced dash.
            let mut cells = Vec::new();
            let mut from = ls;
            for (k, ch) in line.char_indices() {
                let at = ls + k;
                let dash = matches!(ch, '-' | '–' | '—')
                    && text[..at].ends_with(' ')
                    && text[at + ch.len_utf8()..].starts_with(' ');
                if matches!(ch, '|' | '\t' | ';' | '(' | ')' | '[' | ']' | ',' | ':') || dash {
                    cells.push((from, at));
                    from = at + ch.len_utf8();
                }
            }
            cells.push((from, le));
            for (n, &(cs, ce)) in cells.iter().enumerate() {
                let cell = &text[cs..ce];
                // "12 myton road, Long Itchington, CV47 6HH": the cell after a house number and
                // street is the town.
                if n > 0 && text[cells[n - 1].0..cells[n - 1].1].trim_start().starts_with(|c: char| c.is_ascii_digit())
                {
                    continue;
                }
                // "Thu Trang Srisuk 4309 5198 ...": the name, then the number.
                let cut = cell.find(|c: char| c.is_ascii_digit()).unwrap_or(cell.len());
                let body = cell[..cut].trim_end();
                let lead = body.len() - body.trim_start().len();
                let body = body.trim_start();
                if body.is_empty() {
                    continue;
                }
                let parts: Vec<&str> = body.split(' ').filter(|w| !w.is_empty()).collect();
                let lettered = |w: &str| w.chars().all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’' | '.'));
                let label = |w: &str| {
                    let l = w.to_lowercase();
                    FIELD_LABELS.contains(&l.as_str()) || self.not_names.contains(&l) || self.officials.contains(&l)
                };
                let s = cs + lead;
                let free = |s: usize, e: usize, out: &[Candidate]| {
                    !known.iter().chain(out).any(|c| c.s < e && s < c.e)
                        && !v.original_span(s, e).is_some_and(|(a, b)| found.iter().any(|&(x, y)| x < b && a < y))
                };
                // A cell under a column headed "Name", "Surname", "Forename" or "Keeper": a name
                // in any case ("| hodan hall | 14 Sep 91 |", "KOWALSKI,Tomasz,9585556944").
                let header_names = column_header(&v.lower, s).is_some_and(|h| {
                    let words: Vec<&str> = h.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
                    words.iter().any(|w| NAME_HEADERS.contains(w))
                        && !words.iter().any(|w| NOT_NAME_HEADERS.contains(w))
                });
                if header_names
                    && (1..=4).contains(&parts.len())
                    && parts.iter().all(|w| lettered(w) && !label(w))
                    && body.chars().filter(|c| c.is_alphabetic()).count() >= 2
                {
                    let e = s + body.len();
                    if free(s, e, &out) {
                        let c = self.score(v, s, e, false);
                        out.push(Candidate { score: c.score.max(self.base + self.raise_by), ..c });
                    }
                    continue;
                }
                // "DP: TAYLOR, Bartłomiej (14/08/1960)": a surname in capitals, a comma and a
                // given name, in a record's row.
                let caps = |w: &str| {
                    w.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !w.chars().any(char::is_lowercase)
                };
                if parts.len() == 1
                    && caps(parts[0])
                    && lettered(parts[0])
                    && !label(parts[0])
                    && text[ce..].starts_with(',')
                {
                    if let Some(&(ns, ne)) = cells.get(n + 1) {
                        let next = text[ns..ne].trim();
                        let next_lead = text[ns..ne].len() - text[ns..ne].trim_start().len();
                        let given = next.split(' ').count() == 1
                            && next.starts_with(char::is_uppercase)
                            && next.chars().any(char::is_lowercase)
                            && lettered(next)
                            && !label(next)
                            && !COMMON.contains(&next.to_lowercase().as_str());
                        let e = ns + next_lead + next.len();
                        if given && !COMMON.contains(&parts[0].to_lowercase().as_str()) && free(s, e, &out) {
                            let c = self.score(v, s, e, false);
                            if c.score >= self.base {
                                out.push(Candidate { score: c.score.max(self.base + self.raise_by), ..c });
                            }
                        }
                    }
                    continue;
                }
                if !(2..=3).contains(&parts.len()) {
                    continue;
                }
                let fits = |w: &str| {
                    let l = w.to_lowercase();
                    w.chars().count() >= 2
                        && w.starts_with(char::is_uppercase)
                        && w.chars().any(char::is_lowercase)
                        && w.chars().all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’'))
                        && !self.not_names.contains(&l)
                        && !self.officials.contains(&l)
                        && !self.honorifics.contains(&l)
                        && !COMMON.contains(&l.as_str())
                        && !FIELD_LABELS.contains(&l.as_str())
                };
                if !parts.iter().all(|w| fits(w)) {
                    continue;
                }
                let e = s + body.len();
                // Not already something else (a marking, an operation, a place the rules found).
                if !free(s, e, &out) {
                    continue;
                }
                let c = self.score(v, s, e, false);
                if c.score < self.base {
                    continue;
                }
                out.push(Candidate { score: c.score.max(self.base + self.raise_by), ..c });
            }
        }
        out
    }

    /// A record's name fields: "Surname: Nwosu", "Forename: Amara", "First name: TADHG",
    /// "Name: Ó Ceallaigh" (one to three words up to the next field).
    fn labelled_fields(&self, v: &View, known: &[Candidate]) -> Vec<Candidate> {
        const LABELS: &[&str] = &[
            "surname",
            "forename",
            "forenames",
            "first name",
            "first names",
            "given name",
            "given names",
            "last name",
            "family name",
            "full name",
            "name",
            "first",
            "middle name",
            "maiden name",
            "known as",
            "aka",
        ];
        let text = &v.text;
        let mut out: Vec<Candidate> = Vec::new();
        for (colon, _) in text.match_indices(':') {
            let before = &v.lower[floor_boundary(&v.lower, colon.saturating_sub(14))..colon];
            let before = before.trim_end();
            let Some(label) = LABELS.iter().find(|l| before.ends_with(*l)) else { continue };
            let opening = &before[..before.len() - label.len()];
            if !opening.is_empty() && !opening.ends_with(|c: char| c.is_whitespace() || "|;,(".contains(c)) {
                continue;
            }
            let rest = &text[colon + 1..];
            let lead = rest.len() - rest.trim_start_matches([' ', '\u{a0}']).len();
            let s = colon + 1 + lead;
            let value = &text[s..];
            let end = value
                .char_indices()
                .find(|&(k, c)| matches!(c, '\n' | '\t' | '|' | ';' | ',' | '(') || value[k..].starts_with("  "))
                .map_or(value.len(), |(k, _)| k);
            let value = value[..end].trim_end();
            let parts: Vec<&str> = value.split(' ').collect();
            if value.is_empty() || parts.len() > 3 {
                continue;
            }
            let fits = |w: &str| {
                let l = w.to_lowercase();
                w.starts_with(char::is_uppercase)
                    && w.chars().all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’'))
                    && !self.not_names.contains(&l)
                    && !self.officials.contains(&l)
                    && !COMMON.contains(&l.as_str())
                    && !FIELD_LABELS.contains(&l.as_str())
            };
            if !parts.iter().all(|w| fits(w)) {
                continue;
            }
            let e = s + value.len();
            if known.iter().chain(&out).any(|c| c.s < e && s < c.e) {
                continue;
            }
            let c = self.score(v, s, e, false);
            out.push(Candidate { score: c.score.max(self.base + self.raise_by), ..c });
        }
        out
    }

    /// A member of the public named once is named again by either part of the name: "Mihai
    /// Eze's mum ... Mihai was last seen" (each mention is a finding of its own).
    fn repeats(&self, v: &View, toks: &[(usize, usize)], named: &[Candidate]) -> Vec<Candidate> {
        let text = &v.text;
        let mut parts: HashSet<String> = HashSet::new();
        // The given names among them, for a short form of one ("Dev" for Devendra, "Al" for
        // Alan, "Frankie" for Frank).
        let mut given: Vec<String> = Vec::new();
        // A writer who names someone in small letters ("ewan mcgregor") repeats them so too.
        let mut small = false;
        for c in named {
            let t = &text[c.s..c.e];
            if !t.chars().any(char::is_uppercase) {
                small = true;
            }
            if let Some(first) = Self::tokens(t).first().map(|&(s, e)| &t[s..e])
                && self.known_given(first, &first.to_lowercase())
            {
                given.push(first.to_lowercase());
            }
            for (s, e) in Self::tokens(&text[c.s..c.e]) {
                let w = &text[c.s + s..c.s + e];
                // "SaoirseHadley" from a hashtag names "Saoirse" and "Hadley".
                let cuts: Vec<usize> = w
                    .char_indices()
                    .filter(|&(i, ch)| i == 0 || (ch.is_uppercase() && w[..i].ends_with(char::is_lowercase)))
                    .map(|(i, _)| i)
                    .chain(std::iter::once(w.len()))
                    .collect();
                let whole = std::iter::once(w);
                let pieces = cuts.windows(2).map(|p| &w[p[0]..p[1]]);
                for piece in whole.chain(pieces.filter(|_| cuts.len() > 2)) {
                    let l = piece.to_lowercase();
                    if piece.chars().count() >= 3 && !self.not_names.contains(&l) && !self.honorifics.contains(&l) {
                        parts.insert(l);
                    }
                }
            }
        }
        let mut out = Vec::new();
        if parts.is_empty() {
            return out;
        }
        for (k, &(s, e)) in toks.iter().enumerate() {
            let w = &text[s..e];
            let bare = w.strip_suffix("'s").unwrap_or(w);
            // Part of an e-mail address or a web address, not a mention.
            let glued = text[..s].ends_with(['.', '@', '/', '_']) || text[e..].starts_with(['@', '_']);
            if glued {
                continue;
            }
            let first_upper = bare.chars().next().is_some_and(char::is_uppercase);
            let low = lower_at(v, s, s + bare.len());
            // "kayleigh.wilson at example dot co dot uk": part of an address written out.
            let joined = text[e..].starts_with(['.', '-']) && text[e + 1..].starts_with(char::is_alphanumeric);
            let lowercase = small && !joined && !bare.chars().any(char::is_uppercase);
            // A short form: a given name we know, or a word in brackets or quotes, sharing its
            // first three letters with a given name named (or the whole of a two-letter one).
            let short_form = || {
                let l = low.as_ref();
                let n = l.chars().count();
                let boxed = text[..s].ends_with(['(', '"', '\'', '\u{201c}', '\u{2018}'])
                    || text[s + bare.len()..].starts_with(" (");
                n >= 2
                    && bare.chars().all(char::is_alphabetic)
                    && !COMMON.contains(&l)
                    && !self.not_names.contains(l)
                    && !self.officials.contains(l)
                    && !self.honorifics.contains(l)
                    && given.iter().any(|g| {
                        g != l && if n == 2 { g.starts_with(l) } else { g.get(..3).is_some_and(|p| l.starts_with(p)) }
                    })
                    && (boxed || n >= 3 && self.known_given(bare, l))
            };
            if !(first_upper || lowercase)
                || !(parts.contains(low.as_ref()) || first_upper && short_form())
                || named.iter().any(|c| c.s < e && s < c.e)
            {
                continue;
            }
            let officer = k > 0 && self.officials.contains(lower_at(v, toks[k - 1].0, toks[k - 1].1).as_ref());
            if !officer {
                let best = named.iter().map(|c| c.score).fold(f32::MIN, f32::max);
                out.push(Candidate { s, e: s + bare.len(), score: best, age: None });
            }
        }
        out
    }

    /// Add name and justice hits for one draft.
    pub(crate) fn screen(&self, base: &View, words: &View, report: f32, act: f32, hits: &mut Vec<Hit>) {
        let toks = Self::tokens(&base.text);
        let mut cands = self.candidates(base, &toks);
        let uncased = self.uncased(base, &toks, &cands);
        cands.extend(uncased);
        let shaped = self.shaped(base, &cands);
        cands.extend(shaped);
        let tagged = self.hashtags(base, &cands);
        cands.extend(tagged);
        let fields = self.labelled_fields(base, &cands);
        cands.extend(fields);
        let personal: Vec<(usize, usize)> = hits
            .iter()
            .filter(|h| {
                matches!(
                    h.category,
                    Category::PersonalPhone
                        | Category::PersonalEmail
                        | Category::PersonalNino
                        | Category::PersonalNhs
                        | Category::PersonalDob
                        | Category::PersonalBank
                        | Category::PersonalCard
                        | Category::PersonalVehicle
                        | Category::PersonalAddress
                        | Category::PersonalPostcode
                )
            })
            .map(|h| (h.start, h.end))
            .collect();
        let found: Vec<(usize, usize)> = hits.iter().map(|h| (h.start, h.end)).collect();
        let rows = self.record_cells(base, &cands, &personal, &found);
        cands.extend(rows);
        let named: Vec<Candidate> = cands.iter().filter(|c| c.score >= report).cloned().collect();
        let repeated = self.repeats(base, &toks, &named);
        cands.extend(repeated);
        // The complainant of a sexual offence (lifelong anonymity) and a child in proceedings
        // are a justice finding, which says what is wrong; not a name to approve as well.
        let sexual = lower_has_any(&base.lower, &self.sexual);
        let complainant = |c: &Candidate| {
            let from = floor_boundary(&base.lower, c.s.saturating_sub(60));
            let to = floor_boundary(&base.lower, c.e.saturating_add(40));
            sexual && lower_has_any(&base.lower[from..to], &self.complainant)
        };
        let proceedings = lower_has_any(&base.lower, &self.proceedings);
        // A child in proceedings: an age of 17 or under at the name, a few words on ("X, the
        // complainant, was 15") or "the child" just before it ("The child in the case, X,").
        let young_nearby = |c: &Candidate| {
            let to = floor_boundary(&base.lower, c.e.saturating_add(40));
            let after = &base.lower[c.e..to];
            ["was ", "aged ", "age "].iter().any(|cue| {
                after.match_indices(cue).any(|(k, _)| {
                    let n: String = after[k + cue.len()..].chars().take_while(char::is_ascii_digit).collect();
                    !n.is_empty() && n.len() <= 2 && n.parse::<u32>().is_ok_and(|a| a <= self.child_age)
                })
            })
        };
        let child_before = |c: &Candidate| {
            let from = floor_boundary(&base.lower, c.s.saturating_sub(40));
            base.lower[from..c.s].contains("the child")
        };
        let child = |c: &Candidate| {
            proceedings && (c.age.is_some_and(|a| a <= self.child_age) || young_nearby(c) || child_before(c))
        };
        // "Operation Peregrine Vale", "Op Ashby Ridge": words that run on from an operation's
        // name are the operation, not a person.
        let operations: Vec<(usize, usize)> =
            hits.iter().filter(|h| h.category == Category::InvestigationOperation).map(|h| (h.start, h.end)).collect();
        for c in &cands {
            if c.score >= report && !complainant(c) && !child(c) {
                let action = if c.score >= act { self.action } else { Action::Warn };
                if let Some((start, end)) = base.original_span(c.s, c.e)
                    && !operations.iter().any(|&(a, b)| a < end && start < b)
                {
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
        for c in cands.iter().filter(|c| complainant(c)) {
            hits.extend(self.justice(base, c.s, c.e, &self.complainant_explanation));
        }
        for c in cands.iter().filter(|c| child(c)) {
            hits.extend(self.justice(base, c.s, c.e, &self.child_explanation));
        }
        if lower_has_any(&words.lower, &self.pending) && !lower_has_any(&words.lower, &self.decided) {
            for w in self.prejudicial.iter() {
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

/// The pack's name lists, as the name model reads them (6.3b).
impl crate::model::NameLists for NameRules {
    fn given(&self, lower: &str) -> bool {
        self.forenames.contains(lower) || (!lower.is_ascii() && self.forenames.contains(&folded(lower)))
    }
    fn not_name(&self, lower: &str) -> bool {
        self.not_names.contains(lower)
    }
    fn official(&self, lower: &str) -> bool {
        self.officials.contains(lower)
    }
    fn honorific(&self, lower: &str) -> bool {
        self.honorifics.contains(lower)
    }
    fn raising(&self, lower_text: &str) -> bool {
        self.raise.any_in(lower_text)
    }
    fn lowering(&self, lower_text: &str) -> bool {
        self.lower.any_in(lower_text) || self.lower_before_words.any_in(lower_text)
    }
}
