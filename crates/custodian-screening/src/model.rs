//! The statistical half of covert-tactics screening (WP034 6.3a, 6.3d): a logistic regression
//! over each sentence's word unigrams, word bigrams and character n-grams, its weights shipped
//! as data in the pack (`policy-pack/screening-model.tsv`, checked against the SHA-256 the
//! pack's `[model]` section names).
//!
//! The rules name the covert phrasings they were written from; writers who were never read
//! describe deployments in words of their own ("the lad on the bench is one of ours"). The model
//! reads a sentence as a whole and gives a finding only at a high score, so it adds recall
//! without spending the precision the rules keep. The trainer (`bench/screening/train.rs`) and
//! this module share [`sentences`] and [`for_each_feature`], so a sentence is read the same way
//! when the model is trained and when it is used.
//!
//! Model file format (UTF-8 text, tab-separated, `#` lines are comments):
//!
//! ```text
//! model<TAB>NAME<TAB>VERSION
//! category<TAB>covert
//! bias<TAB>B
//! threshold<TAB>T                      (a probability in (0, 1])
//! f<TAB>FEATURE<TAB>W                  (one line per feature)
//! ```

use custodian_textmodel::{Found, ModelError, Weights, fnv, fnv_extend};

/// The sentences of a draft, as byte ranges of the text as given, trimmed of spaces: a sentence
/// ends at `.`, `!` or `?` followed by a space, at a line break, at " - " or " | ", and at the
/// end of the text. Pieces with no letter are dropped.
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let push = |s: usize, e: usize, out: &mut Vec<(usize, usize)>| {
        let piece = &text[s..e];
        let lead = piece.len() - piece.trim_start().len();
        let trail = piece.len() - piece.trim_end().len();
        let (s, e) = (s + lead, e - trail);
        if s < e && text[s..e].chars().any(char::is_alphabetic) {
            out.push((s, e));
        }
    };
    while i < b.len() {
        let c = b[i];
        let end_here = match c {
            b'\n' | b'\r' => Some((i, i + 1)),
            b'.' | b'!' | b'?' => {
                let mut j = i + 1;
                while j < b.len() && matches!(b[j], b'.' | b'!' | b'?') {
                    j += 1;
                }
                if j >= b.len() || b[j] == b' ' || b[j] == b'\n' { Some((j, j)) } else { None }
            }
            b' ' if i + 2 < b.len() && matches!(b[i + 1], b'-' | b'|') && b[i + 2] == b' ' => Some((i, i + 3)),
            _ => None,
        };
        match end_here {
            Some((e, next)) => {
                push(start, e, &mut out);
                start = next;
                i = next.max(i + 1);
            }
            None => i += 1,
        }
    }
    if start < b.len() {
        push(start, b.len(), &mut out);
    }
    out
}

/// Lower-case word tokens of a sentence (letters and digits; an apostrophe inside a word is
/// dropped, "we're" is "were"). Every digit becomes 0, so times, dates and numbers read alike.
/// The tokens are written one after another into `buf`; token `k` ends at `ends[k]`.
fn tokens(sentence: &str, buf: &mut Vec<u8>, ends: &mut Vec<usize>) {
    buf.clear();
    ends.clear();
    // Where the token being read starts: it is empty while `buf.len() == start`.
    let mut start = 0;
    let b = sentence.as_bytes();
    // Whether the character from byte `i` on is a letter or digit.
    let alnum_at = |i: usize| sentence[i..].chars().next().is_some_and(char::is_alphanumeric);
    let mut i = 0;
    while i < b.len() {
        // ASCII bytes are read as they are; other characters are decoded.
        let x = b[i];
        let (c, next) = if x < 0x80 {
            (char::from(x), i + 1)
        } else {
            let c = sentence[i..].chars().next().unwrap_or(' ');
            (c, i + c.len_utf8())
        };
        i = next;
        if c.is_ascii_alphanumeric() {
            buf.push(if c.is_ascii_digit() { b'0' } else { c.to_ascii_lowercase() as u8 });
        } else if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                let l = if l.is_ascii_digit() { '0' } else { l };
                let mut enc = [0u8; 4];
                buf.extend_from_slice(l.encode_utf8(&mut enc).as_bytes());
            }
        } else if (c == '\'' || c == '\u{2019}') && buf.len() > start && alnum_at(i) {
            continue;
        } else if buf.len() > start {
            ends.push(buf.len());
            start = buf.len();
        }
    }
    if buf.len() > start {
        ends.push(buf.len());
    }
}

/// [`tokens`] as it was first written, a character at a time (the reference the byte-wise
/// reader is tested against).
#[cfg(test)]
fn tokens_by_chars(sentence: &str, buf: &mut Vec<u8>, ends: &mut Vec<usize>) {
    buf.clear();
    ends.clear();
    // Where the token being read starts: it is empty while `buf.len() == start`.
    let mut start = 0;
    let mut chars = sentence.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_alphanumeric() {
            buf.push(if c.is_ascii_digit() { b'0' } else { c.to_ascii_lowercase() as u8 });
        } else if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                let l = if l.is_ascii_digit() { '0' } else { l };
                let mut b = [0u8; 4];
                buf.extend_from_slice(l.encode_utf8(&mut b).as_bytes());
            }
        } else if (c == '\'' || c == '\u{2019}')
            && buf.len() > start
            && chars.peek().is_some_and(|n| n.is_alphanumeric())
        {
            continue;
        } else if buf.len() > start {
            ends.push(buf.len());
            start = buf.len();
        }
    }
    if buf.len() > start {
        ends.push(buf.len());
    }
}

/// Token `k` of what [`tokens`] wrote.
fn token<'a>(buf: &'a [u8], ends: &[usize], k: usize) -> &'a [u8] {
    &buf[if k == 0 { 0 } else { ends[k - 1] }..ends[k]]
}

/// Every feature of a sentence: `w:TOKEN`, `b:TOKEN+TOKEN` and, when `chars` is set,
/// `c:NGRAM` (4-grams of `_TOKEN_`, so word stems and endings are shared between forms). A
/// feature may be given more than once.
pub fn for_each_feature(sentence: &str, chars: bool, f: &mut dyn FnMut(&[u8])) {
    let (mut toks, mut ends) = (Vec::new(), Vec::new());
    tokens(sentence, &mut toks, &mut ends);
    let mut buf: Vec<u8> = Vec::with_capacity(64);
    for k in 0..ends.len() {
        let t = token(&toks, &ends, k);
        buf.clear();
        buf.extend_from_slice(b"w:");
        buf.extend_from_slice(t);
        f(&buf);
        buf.clear();
        buf.extend_from_slice(b"b:");
        match k.checked_sub(1) {
            Some(p) => buf.extend_from_slice(token(&toks, &ends, p)),
            None => buf.push(b'^'),
        }
        buf.push(b'+');
        buf.extend_from_slice(t);
        f(&buf);
        if chars && t.len() >= 3 {
            let mut padded = Vec::with_capacity(t.len() + 2);
            padded.push(b'_');
            padded.extend_from_slice(t);
            padded.push(b'_');
            for w in padded.windows(4) {
                buf.clear();
                buf.extend_from_slice(b"c:");
                buf.extend_from_slice(w);
                f(&buf);
            }
        }
    }
}

/// What scoring a sentence needs room for, kept from one sentence to the next.
#[derive(Debug, Default)]
pub struct Scratch {
    toks: Vec<u8>,
    ends: Vec<usize>,
    features: Vec<u32>,
    keys: Vec<u64>,
}

impl Scratch {
    /// Room for sentences of a text of `len` bytes, made once rather than grown.
    pub fn for_text(len: usize) -> Scratch {
        Scratch {
            toks: Vec::with_capacity(len),
            ends: Vec::with_capacity(len / 2 + 1),
            features: Vec::with_capacity(ROOM_FEATURES),
            keys: Vec::with_capacity(ROOM_KEYS),
        }
    }

    /// Make sure there is the room [`Scratch::for_text`] makes for a text of `len` bytes, keeping
    /// what is already there (a scratch kept from one draft to the next).
    pub fn reserve_for(&mut self, len: usize) {
        fn at_least<T>(v: &mut Vec<T>, n: usize) {
            v.reserve(n.saturating_sub(v.len()));
        }
        at_least(&mut self.toks, len);
        at_least(&mut self.ends, len / 2 + 1);
        at_least(&mut self.features, ROOM_FEATURES);
        at_least(&mut self.keys, ROOM_KEYS);
    }
}

/// The room made up front for one candidate's or sentence's keys and known features (most have
/// fewer; more only grows it).
const ROOM_KEYS: usize = 128;
const ROOM_FEATURES: usize = 64;

const KEY_W: u64 = fnv(b"w:");
const KEY_B: u64 = fnv(b"b:");
const KEY_B_FIRST: u64 = fnv(b"b:^+");
const KEY_C: u64 = fnv(b"c:");

/// The keys ([`fnv`]) of [`for_each_feature`]'s features, in the same order, without writing
/// the features out.
pub fn for_each_feature_key(sentence: &str, chars: bool, scratch: &mut Scratch, mut f: impl FnMut(u64)) {
    tokens(sentence, &mut scratch.toks, &mut scratch.ends);
    let (toks, ends) = (&scratch.toks, &scratch.ends);
    for k in 0..ends.len() {
        let t = token(toks, ends, k);
        f(fnv_extend(KEY_W, t));
        let before = match k.checked_sub(1) {
            Some(p) => fnv_extend(fnv_extend(KEY_B, token(toks, ends, p)), b"+"),
            None => KEY_B_FIRST,
        };
        f(fnv_extend(before, t));
        if chars && t.len() >= 3 {
            // The 4-grams of `_TOKEN_`: the first and last take the padding.
            f(fnv_extend(fnv_extend(KEY_C, b"_"), &t[..3]));
            for w in t.windows(4) {
                f(fnv_extend(KEY_C, w));
            }
            f(fnv_extend(fnv_extend(KEY_C, &t[t.len() - 3..]), b"_"));
        }
    }
}

/// The distinct features of a sentence, as strings, and how many it gave in all, repeats
/// included (for the trainer).
pub fn feature_strings(sentence: &str, chars: bool) -> (Vec<String>, usize) {
    custodian_textmodel::distinct(|f| for_each_feature(sentence, chars, f))
}

pub use custodian_textmodel::feature_scale;

/// A loaded sentence model for one category.
#[derive(Debug, Clone)]
pub struct Model {
    pub name: String,
    pub version: String,
    pub category: String,
    pub bias: f32,
    pub threshold: f32,
    /// Whether the model reads character n-grams (a model with any `c:` feature does).
    pub chars: bool,
    weights: Weights,
}

impl Model {
    /// Parse and validate a model file.
    pub fn parse(text: &str) -> Result<Model, ModelError> {
        let mut category = None;
        let p = custodian_textmodel::parse(text, 1, &mut |_, parts| {
            if parts[0] == "category" && parts.len() == 2 {
                category = Some(parts[1].to_string());
                return Ok(true);
            }
            Ok(false)
        })?;
        let missing = ModelError::missing;
        let chars = p.weights.any_named("c:");
        Ok(Model {
            name: p.name.ok_or_else(|| missing("model"))?,
            version: p.version,
            category: category.ok_or_else(|| missing("category"))?,
            bias: p.bias.ok_or_else(|| missing("bias"))?[0],
            threshold: p.threshold.ok_or_else(|| missing("threshold"))?[0],
            chars,
            weights: p.weights,
        })
    }

    pub fn features(&self) -> usize {
        self.weights.len()
    }

    /// The probability that the name candidate `s..e` of a draft ([`name_candidates`]) is a
    /// person's name, read with [`for_each_name_feature_in`].
    pub fn score_name(&self, draft: &mut NameDraft<'_>, s: usize, e: usize, lists: &dyn NameLists) -> f32 {
        let features = std::mem::take(&mut draft.features);
        let mut room = std::mem::take(&mut draft.keys);
        let (p, found) =
            self.probability(features, &mut room, |key| for_each_name_feature_key(draft, s, e, lists, key));
        draft.features = found.features;
        draft.keys = room;
        p
    }

    /// The probability over the feature keys `keys` hands out (each key counts towards the
    /// scaling, known or not), and the known features found, in `features`' room (the keys are
    /// gathered in `all`'s).
    fn probability(
        &self,
        mut features: Vec<u32>,
        all: &mut Vec<u64>,
        keys: impl FnOnce(&mut dyn FnMut(u64)),
    ) -> (f32, Found) {
        features.clear();
        // Every key first, then all looked up together ([`Weights::get_keys`]).
        all.clear();
        keys(&mut |key| all.push(key));
        let total = all.len();
        self.weights.get_keys(all, &mut features);
        features.sort_unstable();
        features.dedup();
        let found = Found { features, total };
        let mut p = [0f32];
        self.weights.probabilities(&found, &[self.bias], &mut p);
        (p[0], found)
    }

    /// The probability that a sentence is of the model's category, and the sentence's known
    /// features that pushed hardest towards it (at most `k`, strongest first, as a reader would
    /// say them).
    pub fn score(&self, sentence: &str, k: usize) -> (f32, Vec<String>) {
        self.score_with(sentence, k, &mut Scratch::default())
    }

    /// [`Model::score`] with room kept from an earlier sentence.
    pub fn score_with(&self, sentence: &str, k: usize, scratch: &mut Scratch) -> (f32, Vec<String>) {
        let features = std::mem::take(&mut scratch.features);
        let mut room = std::mem::take(&mut scratch.keys);
        let (p, found) =
            self.probability(features, &mut room, |key| for_each_feature_key(sentence, self.chars, scratch, key));
        scratch.keys = room;
        if k == 0 {
            scratch.features = found.features;
            return (p, Vec::new());
        }
        let mut terms: Vec<String> = Vec::new();
        for i in self.weights.strongest(&found, 0) {
            let name = self.weights.name(i);
            // Character n-grams are not words a reader would recognise.
            let term = if let Some(w) = name.strip_prefix("w:") {
                w.to_string()
            } else if let Some(b) = name.strip_prefix("b:") {
                b.trim_start_matches("^+").replace('+', " ")
            } else {
                continue;
            };
            if !terms.contains(&term) {
                terms.push(term);
            }
            if terms.len() == k {
                break;
            }
        }
        (p, terms)
    }
}

// Names (6.3b). The engine's name model (the pack's `[name_model]`) and the trainer's `--names`
// read the same candidates and features: a run of capitalised words, its words, its context and
// what the pack's word lists say of it ([`NameLists`]).

/// What the pack's name word lists say of a lower-cased word, for the name model's features.
pub trait NameLists {
    /// A given name the pack knows (its `forenames`, and the ONS and international lists when
    /// it uses them).
    fn given(&self, lower: &str) -> bool;
    /// A capitalised word that never names a person (`not_names`).
    fn not_name(&self, lower: &str) -> bool;
    /// A rank or role (`officials`).
    fn official(&self, lower: &str) -> bool;
    /// A title (`honorifics`).
    fn honorific(&self, lower: &str) -> bool;
    /// Whether the lower-cased text holds a word that shows a member of the public (`raise`).
    /// Both this and [`NameLists::lowering`] must hold of a draft whenever they hold of one of
    /// its sentences (the name features look in a sentence only when the draft says yes).
    fn raising(&self, lower_text: &str) -> bool;
    /// Whether the lower-cased text holds a word that shows a court result or an official
    /// (`lower`, `lower_before`).
    fn lowering(&self, lower_text: &str) -> bool;
}

/// No word lists: every word is unknown.
pub struct NoLists;

impl NameLists for NoLists {
    fn given(&self, _: &str) -> bool {
        false
    }
    fn not_name(&self, _: &str) -> bool {
        false
    }
    fn official(&self, _: &str) -> bool {
        false
    }
    fn honorific(&self, _: &str) -> bool {
        false
    }
    fn raising(&self, _: &str) -> bool {
        false
    }
    fn lowering(&self, _: &str) -> bool {
        false
    }
}

/// Runs of one to three capitalised words ("Kieran", "Eilidh MacLeod", "Lee Vardy-Marsh"), as
/// byte ranges of the text as given: the places a name model reads. A word is capitalised when
/// its first character is an upper-case letter; words in a run are separated by one space.
pub fn name_candidates(text: &str) -> Vec<(usize, usize)> {
    name_runs(text, &word_spans(text))
}

/// [`name_candidates`] from the text's words ([`word_spans`]), already split.
pub fn name_runs(text: &str, spans: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let words: Vec<(usize, usize, bool)> =
        spans.iter().map(|&(s, e)| (s, e, text[s..].chars().next().is_some_and(char::is_uppercase))).collect();
    let mut out = Vec::with_capacity(8);
    let mut k = 0;
    while k < words.len() {
        if !words[k].2 {
            k += 1;
            continue;
        }
        let mut j = k;
        while j + 1 < words.len() && j + 1 - k < 3 && words[j + 1].2 && text[words[j].1..words[j + 1].0] == *" " {
            j += 1;
        }
        let (s, e) = (words[k].0, words[j].1);
        let e = e - text[s..e].len() + text[s..e].trim_end_matches(['-', '\'', '\u{2019}']).len();
        out.push((s, e));
        k = j + 1;
    }
    out
}

fn lower_word(w: &str) -> String {
    w.chars().flat_map(char::to_lowercase).map(|c| if c.is_ascii_digit() { '0' } else { c }).collect()
}

/// What the name features read of a whole draft, worked out once for all its candidates: its
/// words, whether the pack's raising or lowering words are anywhere in it, and, for the keyed
/// reader ([`for_each_name_feature_key`]), its words and context tokens already lower-cased,
/// its headline's features, and each sentence's raising and lowering words once it is asked.
pub struct NameDraft<'a> {
    text: &'a str,
    words: Vec<(usize, usize)>,
    raise: bool,
    lower: bool,
    /// Whether the text is all ASCII: then [`lower_word`] of any part of it is that part of
    /// `folded`, and `word_lower`, `word_ends`, `tok_lower` and `tok_ends` are left empty.
    ascii: bool,
    /// An ASCII text lower-cased with every digit made 0 ([`lower_word`] of the whole text).
    folded: String,
    /// [`lower_word`] of each of `words`, one after another: word `k` ends at `word_ends[k]`.
    word_lower: String,
    word_ends: Vec<usize>,
    /// Whether word `k` starts with a lower-case letter.
    word_small: Vec<bool>,
    /// The context tokens of the whole text (runs of letters, digits and `'`, as the features'
    /// word split reads them), and [`lower_word`] of each, one after another.
    toks: Vec<(usize, usize)>,
    tok_lower: String,
    tok_ends: Vec<usize>,
    /// The keys of the `h:` features (the draft's first three words).
    head: Vec<u64>,
    /// Where the text's sentences stop (`.`, `!`, `?`, a line break), and where they or a
    /// colon or bar do, in order: the ends of a candidate's sentence and of its context.
    stops: Vec<usize>,
    marks: Vec<usize>,
    /// The last sentence asked about: its span, and whether it raises and lowers.
    sentence: Option<(usize, usize, bool, bool)>,
    /// Whether a sentence can raise (or lower) only when the whole draft does.
    sentence_implies_draft: bool,
    /// Room for a candidate's known features and its keys.
    features: Vec<u32>,
    keys: Vec<u64>,
    /// Room for a candidate's lower-cased words and their char boundaries.
    run_lower: String,
    run_ends: Vec<usize>,
    chars: Vec<usize>,
}

impl<'a> NameDraft<'a> {
    pub fn new(text: &'a str, lists: &dyn NameLists) -> NameDraft<'a> {
        Self::with_words(text, word_spans(text), lists)
    }

    /// [`NameDraft::new`] with the text's words ([`word_spans`]) already split.
    pub fn with_words(text: &'a str, words: Vec<(usize, usize)>, lists: &dyn NameLists) -> NameDraft<'a> {
        let lowered = text.to_lowercase();
        let (raise, lower) = (lists.raising(&lowered), lists.lowering(&lowered));
        let ascii = text.is_ascii();
        let mut word_small = Vec::with_capacity(words.len());
        for &(ws, _) in &words {
            word_small.push(text[ws..].chars().next().is_some_and(char::is_lowercase));
        }
        let toks = spans(text, words.len() + 1, |c, _| c.is_alphanumeric() || c == '\'');
        let (mut folded, mut word_lower, mut tok_lower) = (String::new(), String::new(), String::new());
        let (mut word_ends, mut tok_ends) = (Vec::new(), Vec::new());
        let head: Vec<u64>;
        if ascii {
            // ASCII lower-cases byte for byte, so each word's and token's lower case is its
            // part of the whole text's.
            let mut bytes = lowered.into_bytes();
            for b in &mut bytes {
                if b.is_ascii_digit() {
                    *b = b'0';
                }
            }
            folded = String::from_utf8(bytes).unwrap_or_default();
            // The headline's words are the tokens that start in its first 80 characters, cut
            // there.
            let head_end = text.len().min(80);
            head = toks
                .iter()
                .take_while(|t| t.0 < head_end)
                .take(3)
                .map(|&(ts, te)| fnv_extend(KEY_H, &folded.as_bytes()[ts..te.min(head_end)]))
                .collect();
        } else {
            word_lower.reserve(text.len());
            word_ends.reserve(words.len());
            for &(ws, we) in &words {
                push_lower(&mut word_lower, &text[ws..we]);
                word_ends.push(word_lower.len());
            }
            tok_lower.reserve(text.len());
            tok_ends.reserve(toks.len());
            for &(ts, te) in &toks {
                push_lower(&mut tok_lower, &text[ts..te]);
                tok_ends.push(tok_lower.len());
            }
            let head_end = text.char_indices().nth(80).map_or(text.len(), |(i, _)| i);
            head = text[..head_end]
                .split(|c: char| !c.is_alphanumeric() && c != '\'')
                .filter(|w| !w.is_empty())
                .take(3)
                .map(|w| fnv_extend(KEY_H, lower_word(w).as_bytes()))
                .collect();
        }
        // The marks are ASCII, so their bytes are found where the characters are.
        let (mut stops, mut marks) = (Vec::new(), Vec::new());
        for (i, &b) in text.as_bytes().iter().enumerate() {
            match b {
                b'.' | b'!' | b'?' | b'\n' => {
                    stops.push(i);
                    marks.push(i);
                }
                b':' | b'|' => marks.push(i),
                _ => {}
            }
        }
        NameDraft {
            text,
            words,
            raise,
            lower,
            ascii,
            folded,
            word_lower,
            word_ends,
            word_small,
            toks,
            tok_lower,
            tok_ends,
            head,
            stops,
            marks,
            // A sentence's raising or lowering word is one of the whole draft's (a sentence ends
            // at a stop or a line break, which the lists' word edges accept), unless lower-casing
            // the sentence alone differs: only a capital sigma is lower-cased by its context.
            sentence_implies_draft: !text.contains('\u{3A3}'),
            sentence: None,
            features: Vec::with_capacity(ROOM_FEATURES),
            keys: Vec::with_capacity(ROOM_KEYS),
            run_lower: String::with_capacity(64),
            run_ends: Vec::with_capacity(4),
            chars: Vec::with_capacity(32),
        }
    }

    /// [`lower_word`] of word `k`.
    fn word_lower(&self, k: usize) -> &str {
        if self.ascii {
            let (ws, we) = self.words[k];
            return &self.folded[ws..we];
        }
        &self.word_lower[if k == 0 { 0 } else { self.word_ends[k - 1] }..self.word_ends[k]]
    }

    /// [`lower_word`] of the part `cs..ce` of context token `k`: part of the whole text's for
    /// ASCII, kept from [`NameDraft::new`] when it is the whole token, else written into `tmp`.
    fn tok_lower<'b>(&'b self, k: usize, cs: usize, ce: usize, tmp: &'b mut String) -> &'b str {
        if self.ascii {
            &self.folded[cs..ce]
        } else if (cs, ce) == self.toks[k] {
            &self.tok_lower[if k == 0 { 0 } else { self.tok_ends[k - 1] }..self.tok_ends[k]]
        } else {
            tmp.clear();
            push_lower(tmp, &self.text[cs..ce]);
            tmp
        }
    }

    /// Where the part of the text around `s..e` that `at` (the stops, or the marks) bounds
    /// starts and ends: just after the last one before `s` (or the start), at the first one from
    /// `e` on (or the end), as `text[..s].rfind` and `text[e..].find` give them.
    fn bounded(&self, at: &[usize], s: usize, e: usize) -> (usize, usize) {
        let before = at.partition_point(|&i| i < s);
        let start = if before == 0 { 0 } else { at[before - 1] + 1 };
        let after = at.partition_point(|&i| i < e);
        (start, at.get(after).copied().unwrap_or(self.text.len()))
    }

    /// The context tokens within `a..b` (as `text[a..b]` split into words would give them: a
    /// token cut by `a` or `b` is cut there too), the last `n` of them, nearest `b` first.
    fn last_toks(&self, a: usize, b: usize, n: usize, mut f: impl FnMut(usize, usize, usize)) {
        let mut k = self.toks.partition_point(|t| t.0 < b);
        let mut left = n;
        while k > 0 && left > 0 {
            k -= 1;
            let (ts, te) = self.toks[k];
            if te <= a {
                break;
            }
            f(k, ts.max(a), te.min(b));
            left -= 1;
        }
    }

    /// The first `n` context tokens within `a..b`, in order.
    fn first_toks(&self, a: usize, b: usize, n: usize, mut f: impl FnMut(usize, usize, usize)) {
        let mut k = self.toks.partition_point(|t| t.1 <= a);
        let mut left = n;
        while k < self.toks.len() && left > 0 {
            let (ts, te) = self.toks[k];
            if ts >= b {
                break;
            }
            f(k, ts.max(a), te.min(b));
            left -= 1;
            k += 1;
        }
    }
}

/// [`lower_word`], written onto the end of `out`.
fn push_lower(out: &mut String, w: &str) {
    if w.is_ascii() && !w.bytes().any(|b| b.is_ascii_digit()) {
        // ASCII without digits lower-cases byte for byte.
        let at = out.len();
        out.push_str(w);
        out[at..].make_ascii_lowercase();
        return;
    }
    for c in w.chars() {
        if c.is_ascii() {
            out.push(if c.is_ascii_digit() { '0' } else { c.to_ascii_lowercase() });
        } else {
            for l in c.to_lowercase() {
                out.push(if l.is_ascii_digit() { '0' } else { l });
            }
        }
    }
}

/// Every feature of a name candidate `s..e` of `text`: its words (`w:`), first and last word
/// (`f:`, `l:`), their character 3-grams (`c:`), the two words before and after (`p1:`, `p2:`,
/// `n1:`, `n2:`; `^` for the start of a sentence or the text, `$` for the end), the word before
/// with the first word (`pf:`), how many words it has (`len:`), and whether it is all capitals;
/// the words within six either side in the same sentence (`x:`); what the pack's lists say of
/// its words and the three words before (`gn:first`, `gn:last`, `gn:all`, `nn:any`, `nn:last`,
/// `p:official`, `p:title`); the sentence's and the draft's context words (`s:raise`,
/// `s:lower`, `d:raise`, `d:lower`) and the draft's first three words (`h:`); whether it follows `#` or `@` (`tag`); and whether its words
/// come again elsewhere in the draft in lower case (`rep:lower`, a common word) or capitalised
/// (`rep:cap`).
pub fn for_each_name_feature(text: &str, s: usize, e: usize, lists: &dyn NameLists, f: &mut dyn FnMut(&str)) {
    for_each_name_feature_in(&NameDraft::new(text, lists), s, e, lists, f);
}

/// [`for_each_name_feature`] with the draft read once ([`NameDraft`]).
pub fn for_each_name_feature_in(d: &NameDraft<'_>, s: usize, e: usize, lists: &dyn NameLists, f: &mut dyn FnMut(&str)) {
    let text = d.text;
    let run: Vec<&str> = text[s..e].split(' ').filter(|w| !w.is_empty()).collect();
    let mut buf = String::with_capacity(48);
    let emit = |buf: &mut String, f: &mut dyn FnMut(&str)| {
        f(buf);
        buf.clear();
    };
    for w in &run {
        let l = lower_word(w);
        buf.push_str("w:");
        buf.push_str(&l);
        emit(&mut buf, f);
        let padded: Vec<char> = std::iter::once('_').chain(l.chars()).chain(std::iter::once('_')).collect();
        for g in padded.windows(3) {
            buf.push_str("c:");
            buf.extend(g);
            emit(&mut buf, f);
        }
    }
    let first = run.first().map(|w| lower_word(w)).unwrap_or_default();
    let last = run.last().map(|w| lower_word(w)).unwrap_or_default();
    buf.push_str("f:");
    buf.push_str(&first);
    emit(&mut buf, f);
    buf.push_str("l:");
    buf.push_str(&last);
    emit(&mut buf, f);
    buf.push_str(&format!("len:{}", run.len()));
    emit(&mut buf, f);
    if text[s..e].chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase) {
        buf.push_str("caps");
        emit(&mut buf, f);
    }
    // Context words: a sentence boundary (. ! ? or a line break) ends the context.
    let before = &text[..s];
    let ctx = match before.rfind(['.', '!', '?', '\n', ':', '|']) {
        Some(i) => &before[i + 1..],
        None => before,
    };
    let mut prev: Vec<String> = Vec::new();
    for w in ctx.split(|c: char| !c.is_alphanumeric() && c != '\'').filter(|w| !w.is_empty()).rev().take(2) {
        prev.push(lower_word(w));
    }
    let after = &text[e..];
    let stop = after.find(['.', '!', '?', '\n', ':', '|']).unwrap_or(after.len());
    let next: Vec<String> = after[..stop]
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .take(2)
        .map(lower_word)
        .collect();
    let p1 = prev.first().map(String::as_str).unwrap_or("^");
    let p2 = prev.get(1).map(String::as_str).unwrap_or("^");
    let n1 = next.first().map(String::as_str).unwrap_or("$");
    let n2 = next.get(1).map(String::as_str).unwrap_or("$");
    for (tag, w) in [("p1:", p1), ("p2:", p2), ("n1:", n1), ("n2:", n2)] {
        buf.push_str(tag);
        buf.push_str(w);
        emit(&mut buf, f);
    }
    buf.push_str("pf:");
    buf.push_str(p1);
    buf.push('+');
    buf.push_str(&first);
    emit(&mut buf, f);
    if after.starts_with("'s") || after.starts_with("\u{2019}s") {
        buf.push_str("poss");
        emit(&mut buf, f);
    }
    // The words around it in its sentence (a colon or a bar does not end it here: "JAILED:
    // ..."), as a bag, and the draft's first three words (its headline: "Missing", "Court result").
    let split = |t: &str| -> Vec<String> {
        t.split(|c: char| !c.is_alphanumeric() && c != '\'').filter(|w| !w.is_empty()).map(lower_word).collect()
    };
    let sent_start = before.rfind(['.', '!', '?', '\n']).map_or(0, |i| i + 1);
    let sent_end = e + after.find(['.', '!', '?', '\n']).unwrap_or(after.len());
    let before_words = split(&text[sent_start..s]);
    let after_words = split(&text[e..sent_end]);
    for w in before_words.iter().rev().take(8).chain(after_words.iter().take(8)) {
        buf.push_str("x:");
        buf.push_str(w);
        emit(&mut buf, f);
    }
    let head = text.char_indices().nth(80).map_or(text.len(), |(i, _)| i);
    for w in split(&text[..head]).iter().take(3) {
        buf.push_str("h:");
        buf.push_str(w);
        emit(&mut buf, f);
    }
    let sentence = text[sent_start..sent_end].to_lowercase();
    let lowered: Vec<String> = run.iter().map(|w| lower_word(w.trim_end_matches(['\'', '\u{2019}']))).collect();
    let mut flags: Vec<&str> = Vec::new();
    if lowered.first().is_some_and(|w| lists.given(w)) {
        flags.push("gn:first");
    }
    if lowered.len() > 1 && lowered.last().is_some_and(|w| lists.given(w)) {
        flags.push("gn:last");
    }
    if !lowered.is_empty() && lowered.iter().all(|w| lists.given(w)) {
        flags.push("gn:all");
    }
    if lowered.iter().any(|w| lists.not_name(w)) {
        flags.push("nn:any");
    }
    if lowered.last().is_some_and(|w| lists.not_name(w)) {
        flags.push("nn:last");
    }
    // A rank or title among the three words before, whatever stops come between ("Insp. Gary
    // Tate", "PC 2231 Kerry Walsh").
    let near: Vec<String> = split(&text[floor_char(text, s.saturating_sub(30))..s]).into_iter().rev().take(3).collect();
    if near.iter().any(|w| lists.official(w)) {
        flags.push("p:official");
    }
    if near.iter().any(|w| lists.honorific(w)) {
        flags.push("p:title");
    }
    if before.ends_with(['#', '@']) {
        flags.push("tag");
    }
    if lists.raising(&sentence) {
        flags.push("s:raise");
    }
    if lists.lowering(&sentence) {
        flags.push("s:lower");
    }
    if d.raise {
        flags.push("d:raise");
    }
    if d.lower {
        flags.push("d:lower");
    }
    // Its words elsewhere in the draft: in lower case (a common word, "rose", "hope"), or
    // capitalised again (a name is often repeated).
    let (mut rep_lower, mut rep_cap) = (false, false);
    for &(ws, we) in &d.words {
        if ws >= s && we <= e {
            continue;
        }
        let w = &text[ws..we];
        let l = lower_word(w);
        if lowered.iter().any(|x| x.len() >= 3 && *x == l) {
            if w.chars().next().is_some_and(char::is_lowercase) {
                rep_lower = true;
            } else {
                rep_cap = true;
            }
        }
    }
    if rep_lower {
        flags.push("rep:lower");
    }
    if rep_cap {
        flags.push("rep:cap");
    }
    for x in flags {
        buf.push_str(x);
        emit(&mut buf, f);
    }
}

const KEY_NAME_W: u64 = fnv(b"w:");
const KEY_NAME_C: u64 = fnv(b"c:");
const KEY_F: u64 = fnv(b"f:");
const KEY_L: u64 = fnv(b"l:");
const KEY_LEN: u64 = fnv(b"len:");
const KEY_CAPS: u64 = fnv(b"caps");
const KEY_P1: u64 = fnv(b"p1:");
const KEY_P2: u64 = fnv(b"p2:");
const KEY_N1: u64 = fnv(b"n1:");
const KEY_N2: u64 = fnv(b"n2:");
const KEY_PF: u64 = fnv(b"pf:");
const KEY_POSS: u64 = fnv(b"poss");
const KEY_X: u64 = fnv(b"x:");
const KEY_H: u64 = fnv(b"h:");
const KEY_FLAGS: [u64; 14] = [
    fnv(b"gn:first"),
    fnv(b"gn:last"),
    fnv(b"gn:all"),
    fnv(b"nn:any"),
    fnv(b"nn:last"),
    fnv(b"p:official"),
    fnv(b"p:title"),
    fnv(b"tag"),
    fnv(b"s:raise"),
    fnv(b"s:lower"),
    fnv(b"d:raise"),
    fnv(b"d:lower"),
    fnv(b"rep:lower"),
    fnv(b"rep:cap"),
];

/// The keys ([`fnv`]) of [`for_each_name_feature_in`]'s features of the candidate `s..e`, in
/// the same order, without writing the features out: the draft's words, context tokens and
/// headline are lower-cased once ([`NameDraft::new`]), and a sentence's raising and lowering
/// words are looked for once however many candidates it holds.
pub fn for_each_name_feature_key(
    d: &mut NameDraft<'_>,
    s: usize,
    e: usize,
    lists: &dyn NameLists,
    mut f: impl FnMut(u64),
) {
    let text = d.text;
    // The candidate's words, lower-cased, one after another.
    let mut run_lower = std::mem::take(&mut d.run_lower);
    let mut run_ends = std::mem::take(&mut d.run_ends);
    let mut chars = std::mem::take(&mut d.chars);
    run_lower.clear();
    run_ends.clear();
    for w in text[s..e].split(' ').filter(|w| !w.is_empty()) {
        let from = run_lower.len();
        push_lower(&mut run_lower, w);
        run_ends.push(run_lower.len());
        let l = &run_lower[from..];
        f(fnv_extend(KEY_NAME_W, l.as_bytes()));
        // The character 3-grams of `_l_`: `chars` holds the char boundaries of `_l_`.
        chars.clear();
        chars.push(0);
        chars.extend(l.char_indices().map(|(i, _)| i + 1));
        chars.push(l.len() + 1);
        chars.push(l.len() + 2);
        for g in 0..chars.len().saturating_sub(3) {
            let (a, b) = (chars[g], chars[g + 3]);
            // Bytes a..b of `_l_`.
            let mut h = KEY_NAME_C;
            if a == 0 {
                h = fnv_extend(h, b"_");
            }
            let (ls, le) = (a.max(1) - 1, (b - 1).min(l.len()));
            h = fnv_extend(h, &l.as_bytes()[ls..le]);
            if b == l.len() + 2 {
                h = fnv_extend(h, b"_");
            }
            f(h);
        }
    }
    let word = |k: usize| &run_lower[if k == 0 { 0 } else { run_ends[k - 1] }..run_ends[k]];
    let n = run_ends.len();
    let first = if n > 0 { word(0) } else { "" };
    let last = if n > 0 { word(n - 1) } else { "" };
    f(fnv_extend(KEY_F, first.as_bytes()));
    f(fnv_extend(KEY_L, last.as_bytes()));
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut left = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (left % 10) as u8;
        left /= 10;
        if left == 0 {
            break;
        }
    }
    f(fnv_extend(KEY_LEN, &digits[at..]));
    if text[s..e].chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase) {
        f(KEY_CAPS);
    }
    let before = &text[..s];
    let after = &text[e..];
    let mut tmp = String::new();
    // The two words before and after, in the sentence (or up to a colon or a bar).
    let (ctx_start, stop) = d.bounded(&d.marks, s, e);
    let (mut p1, mut p2) = (fnv_extend(KEY_P1, b"^"), fnv_extend(KEY_P2, b"^"));
    let mut pf = fnv_extend(KEY_PF, b"^");
    let mut i = 0;
    d.last_toks(ctx_start, s, 2, |k, cs, ce| {
        let w = d.tok_lower(k, cs, ce, &mut tmp).as_bytes();
        if i == 0 {
            p1 = fnv_extend(KEY_P1, w);
            pf = fnv_extend(KEY_PF, w);
        } else {
            p2 = fnv_extend(KEY_P2, w);
        }
        i += 1;
    });
    let (mut n1, mut n2) = (fnv_extend(KEY_N1, b"$"), fnv_extend(KEY_N2, b"$"));
    let mut i = 0;
    d.first_toks(e, stop, 2, |k, cs, ce| {
        let w = d.tok_lower(k, cs, ce, &mut tmp).as_bytes();
        if i == 0 {
            n1 = fnv_extend(KEY_N1, w);
        } else {
            n2 = fnv_extend(KEY_N2, w);
        }
        i += 1;
    });
    f(p1);
    f(p2);
    f(n1);
    f(n2);
    f(fnv_extend(fnv_extend(pf, b"+"), first.as_bytes()));
    if after.starts_with("'s") || after.starts_with("\u{2019}s") {
        f(KEY_POSS);
    }
    // The words around it in its sentence, and the headline.
    let (sent_start, sent_end) = d.bounded(&d.stops, s, e);
    d.last_toks(sent_start, s, 8, |k, cs, ce| f(fnv_extend(KEY_X, d.tok_lower(k, cs, ce, &mut tmp).as_bytes())));
    d.first_toks(e, sent_end, 8, |k, cs, ce| f(fnv_extend(KEY_X, d.tok_lower(k, cs, ce, &mut tmp).as_bytes())));
    for &h in &d.head {
        f(h);
    }
    // The flags, in [`for_each_name_feature_in`]'s order.
    let trimmed = |k: usize| word(k).trim_end_matches(['\'', '\u{2019}']);
    let mut flags = [false; 14];
    flags[0] = n > 0 && lists.given(trimmed(0));
    flags[1] = n > 1 && lists.given(trimmed(n - 1));
    flags[2] = n > 0 && (0..n).all(|k| lists.given(trimmed(k)));
    flags[3] = (0..n).any(|k| lists.not_name(trimmed(k)));
    flags[4] = n > 0 && lists.not_name(trimmed(n - 1));
    d.last_toks(floor_char(text, s.saturating_sub(30)), s, 3, |k, cs, ce| {
        let w = d.tok_lower(k, cs, ce, &mut tmp);
        flags[5] |= lists.official(w);
        flags[6] |= lists.honorific(w);
    });
    flags[7] = before.ends_with(['#', '@']);
    let (raise, lower) = match d.sentence {
        Some((a, b, r, l)) if (a, b) == (sent_start, sent_end) => (r, l),
        _ => {
            let (r, l) = if d.sentence_implies_draft && !d.raise && !d.lower {
                (false, false)
            } else {
                let sentence = text[sent_start..sent_end].to_lowercase();
                let skip = d.sentence_implies_draft;
                ((!skip || d.raise) && lists.raising(&sentence), (!skip || d.lower) && lists.lowering(&sentence))
            };
            d.sentence = Some((sent_start, sent_end, r, l));
            (r, l)
        }
    };
    flags[8] = raise;
    flags[9] = lower;
    flags[10] = d.raise;
    flags[11] = d.lower;
    // Its words elsewhere in the draft.
    for k in 0..d.words.len() {
        let (ws, we) = d.words[k];
        if ws >= s && we <= e {
            continue;
        }
        let l = d.word_lower(k);
        if (0..n).any(|j| {
            let x = trimmed(j);
            x.len() >= 3 && x == l
        }) {
            if d.word_small[k] {
                flags[12] = true;
            } else {
                flags[13] = true;
            }
            if flags[12] && flags[13] {
                break;
            }
        }
    }
    for (on, key) in flags.iter().zip(KEY_FLAGS) {
        if *on {
            f(key);
        }
    }
    d.run_lower = run_lower;
    d.run_ends = run_ends;
    d.chars = chars;
}

/// The largest char boundary of `text` at or before `i`.
fn floor_char(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The words of a text (letters and digits, with `'` and `-` inside a word) as byte ranges.
pub fn word_spans(text: &str) -> Vec<(usize, usize)> {
    spans(text, text.len() / 4 + 1, |c, in_span| {
        c.is_alphanumeric() || ((c == '-' || c == '\'' || c == '\u{2019}') && in_span)
    })
}

/// The runs of a text whose characters are `inside` (given whether a run is open) as byte ranges,
/// in a vector with room for `capacity` runs to start with.
fn spans(text: &str, capacity: usize, inside: impl Fn(char, bool) -> bool) -> Vec<(usize, usize)> {
    let mut out = Vec::with_capacity(capacity);
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        match (inside(c, start.is_some()), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// The distinct features of a name candidate, as strings, and how many it gave in all.
pub fn name_feature_strings(text: &str, s: usize, e: usize, lists: &dyn NameLists) -> (Vec<String>, usize) {
    let mut out: Vec<String> = Vec::new();
    for_each_name_feature(text, s, e, lists, &mut |f| out.push(f.to_string()));
    let total = out.len();
    out.sort_unstable();
    out.dedup();
    (out, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_at_stops_lines_and_dashes() {
        let t = "Officers sat in an unmarked van. Call 101 - thanks!\nNew line here";
        let got: Vec<&str> = sentences(t).into_iter().map(|(s, e)| &t[s..e]).collect();
        assert_eq!(got, ["Officers sat in an unmarked van.", "Call 101", "thanks!", "New line here"]);
        // A stop inside a number or an address does not end a sentence.
        let t = "Speed 3.5 mph at www.example.org today";
        assert_eq!(sentences(t), [(0, t.len())]);
    }

    #[test]
    fn features_fold_case_digits_and_apostrophes() {
        let (f, total) = feature_strings("We're IN civvies at 06:30", true);
        assert!(total > f.len() || total == f.len());
        for x in ["w:were", "w:in", "b:in+civvies", "b:^+were", "w:00", "c:_civ", "c:ies_"] {
            assert!(f.contains(&x.to_string()), "{x} in {f:?}");
        }
    }

    #[test]
    fn feature_keys_are_the_keys_of_the_features() {
        let mut scratch = Scratch::default();
        for t in
            ["We're IN civvies at 06:30", "Zoë's café, über-team", "a bb ccc dddd", "", "x'", "ÉCOLE straße İstanbul"]
        {
            for chars in [false, true] {
                let mut want = Vec::new();
                for_each_feature(t, chars, &mut |f| want.push(fnv(f)));
                let mut got = Vec::new();
                for_each_feature_key(t, chars, &mut scratch, |k| got.push(k));
                assert_eq!(got, want, "{t:?} chars {chars}");
            }
        }
    }

    #[test]
    fn a_model_is_read_scored_and_explained() {
        let text = "model\tm\t1\ncategory\tcovert\nbias\t-2\nthreshold\t0.5\nf\tw:civvies\t9\nf\tb:in+civvies\t3\nf\tw:the\t-1\n";
        let m = Model::parse(text).unwrap();
        assert_eq!(m.features(), 3);
        let (p, terms) = m.score("Two of us in civvies", 3);
        assert!(p > 0.8, "{p}");
        assert_eq!(terms, ["civvies", "in civvies"]);
        let (p, _) = m.score("The summer fair", 3);
        assert!(p < 0.2, "{p}");
        assert!(Model::parse(&text.replace("threshold\t0.5", "threshold\t1.5")).is_err());
        assert!(Model::parse(&format!("{text}f\tw:the\t1\n")).is_err());
        assert!(Model::parse(&text.replace("category\tcovert\n", "")).is_err());
    }

    #[test]
    fn name_candidates_are_runs_of_capitalised_words_with_their_context() {
        let t = "Thanks to Stacey Rowntree-Dyer, who helped. call Mick";
        let got: Vec<&str> = name_candidates(t).into_iter().map(|(s, e)| &t[s..e]).collect();
        assert_eq!(got, ["Thanks", "Stacey Rowntree-Dyer", "Mick"]);
        let (f, _) = name_feature_strings(t, 10, 30, &NoLists);
        for x in [
            "w:stacey",
            "f:stacey",
            "l:rowntree-dyer",
            "p1:to",
            "p2:thanks",
            "n1:who",
            "len:2",
            "pf:to+stacey",
            "c:_st",
        ] {
            assert!(f.contains(&x.to_string()), "{x} in {f:?}");
        }
        let (f, _) = name_feature_strings(t, 0, 6, &NoLists);
        assert!(f.contains(&"p1:^".to_string()), "{f:?}");
    }

    /// Word lists for the feature tests: "stacey" is a given name, "hall" a place word, "insp" a
    /// rank, "mrs" a title; "missing" raises, "jailed" lowers.
    struct Lists;

    impl NameLists for Lists {
        fn given(&self, w: &str) -> bool {
            w == "stacey"
        }
        fn not_name(&self, w: &str) -> bool {
            w == "hall"
        }
        fn official(&self, w: &str) -> bool {
            w == "insp"
        }
        fn honorific(&self, w: &str) -> bool {
            w == "mrs"
        }
        fn raising(&self, t: &str) -> bool {
            t.contains("missing")
        }
        fn lowering(&self, t: &str) -> bool {
            t.contains("jailed")
        }
    }

    fn features_of(t: &str, run: &str) -> Vec<String> {
        let s = t.find(run).unwrap();
        name_feature_strings(t, s, s + run.len(), &Lists).0
    }

    #[test]
    fn name_features_read_the_lists_the_sentence_and_the_draft() {
        let f = features_of("MISSING: Stacey Hall, 15. Have you seen Stacey? The hall is open.", "Stacey Hall");
        for x in ["gn:first", "nn:any", "nn:last", "s:raise", "d:raise", "h:missing", "x:00", "rep:cap", "rep:lower"] {
            assert!(f.contains(&x.to_string()), "{x} in {f:?}");
        }
        for x in ["gn:all", "gn:last", "s:lower", "p:official", "tag"] {
            assert!(!f.contains(&x.to_string()), "{x} not in {f:?}");
        }
        // A rank before the name, across the stop of its short form; a title; a hashtag.
        let f = features_of("Jailed today. Thanks to Insp. Gary Tate", "Gary Tate");
        assert!(f.contains(&"p:official".to_string()) && f.contains(&"d:lower".to_string()), "{f:?}");
        assert!(!f.contains(&"s:lower".to_string()), "{f:?}");
        assert!(features_of("Thanks Mrs Okafor", "Okafor").contains(&"p:title".to_string()));
        assert!(features_of("Share #FindKayla now", "FindKayla").contains(&"tag".to_string()));
    }

    /// The keys of the string reader's features and of the keyed reader's, for every span in
    /// `spans`, with one draft read kept from span to span as the engine keeps it.
    fn assert_same_keys(t: &str, spans: &[(usize, usize)], lists: &dyn NameLists) {
        let mut draft = NameDraft::new(t, lists);
        for &(s, e) in spans {
            let mut want = Vec::new();
            for_each_name_feature_in(&NameDraft::new(t, lists), s, e, lists, &mut |x| want.push(fnv(x.as_bytes())));
            let mut got = Vec::new();
            for_each_name_feature_key(&mut draft, s, e, lists, |k| got.push(k));
            assert_eq!(got, want, "{:?} in {t:?}: {:?}", &t[s..e], name_feature_strings(t, s, e, lists).0);
        }
    }

    #[test]
    fn name_feature_keys_are_the_keys_of_the_name_features() {
        for t in [
            "MISSING: Stacey Hall, 15. Have you seen Stacey? The hall is open.",
            "Jailed today. Thanks to Insp. Gary Tate",
            "Thanks Mrs Okafor",
            "Share #FindKayla now",
            "Thanks to Stacey Rowntree-Dyer, who helped. call Mick",
            " 'Kieran O' Brien' said Smith- Smith- and ZOË's café İSTANBUL ΣΟΦΊΑ’s friend",
            "PC 2231 Kerry Walsh | Sgt. Lee Vardy-Marsh: missing since 3pm\nJAILED: Mark Jones (35)",
            "",
            "A",
        ] {
            assert_same_keys(t, &name_candidates(t), &Lists);
        }
    }

    #[test]
    fn name_feature_keys_match_on_the_corpus_with_the_packs_lists() {
        let engine = crate::Engine::builtin().unwrap();
        let corpus = include_str!("../corpus.jsonl");
        let mut n = 0;
        for line in corpus.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let t = v["text"].as_str().unwrap();
            let spans = name_candidates(t);
            n += spans.len();
            assert_same_keys(t, &spans, engine.name_lists());
        }
        assert!(n > 500, "{n} candidates");
    }

    mod keys {
        use super::*;
        use proptest::prelude::*;

        /// Drafts made of pieces that touch every branch of the name features: capitalised and
        /// lower-case words, list words, stops, colons and bars, apostrophes and hyphens at
        /// word edges, tags, digits and letters whose lower case is longer or contextual.
        fn piece() -> impl Strategy<Value = &'static str> {
            prop::sample::select(vec![
                "Stacey",
                "Hall",
                "hall",
                "stacey",
                "Insp",
                "insp",
                "Mrs",
                "missing",
                "MISSING",
                "Jailed",
                "jailed",
                "Gary",
                "Tate",
                "O'",
                "'",
                "\u{2019}",
                "'s",
                "\u{2019}s",
                "-",
                "Smith-",
                "Rowntree-Dyer",
                " ",
                " ",
                " ",
                "  ",
                ". ",
                "! ",
                "? ",
                "\n",
                ": ",
                " | ",
                " - ",
                "#",
                "@",
                "2231",
                "15",
                ",",
                "(",
                ")",
                "Zoë",
                "ÉCOLE",
                "İstanbul",
                "ΣΟΦΊΑΣ",
                "straße",
                "x'y",
                "Ünal",
                "a",
                "Abc",
                "AB",
                "the",
                "Officer",
            ])
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

            #[test]
            fn keyed_and_string_name_features_agree(pieces in prop::collection::vec(piece(), 0..60), cuts in prop::collection::vec((0usize..1000, 0usize..40), 0..6)) {
                let t: String = pieces.concat();
                let mut spans = name_candidates(&t);
                // Spans that are no candidate too, in no order (the sentence kept from the
                // last candidate must not be reused for another sentence).
                let bounds: Vec<usize> = t.char_indices().map(|(i, _)| i).chain([t.len()]).collect();
                for (a, len) in cuts {
                    let a = a % bounds.len();
                    let b = (a + len).min(bounds.len() - 1);
                    spans.push((bounds[a], bounds[b]));
                }
                assert_same_keys(&t, &spans, &Lists);
            }

            /// The byte-wise token reader writes what the character-at-a-time one wrote, on
            /// ASCII and on letters, digits and apostrophes of other scripts.
            #[test]
            fn tokens_read_bytewise_as_by_characters(pieces in prop::collection::vec(prop_oneof![
                piece(),
                prop::sample::select(vec!["\u{0663}", "\u{00B2}", "\u{2163}", "\u{0301}", "\u{00A0}", "\u{1F600}", "\u{4E2D}", "'\u{00E9}", "\u{2019}\u{0663}"]),
            ], 0..40)) {
                let t: String = pieces.concat();
                let (mut a, mut ae, mut b, mut be) = (Vec::new(), Vec::new(), vec![1u8], vec![7usize]);
                tokens(&t, &mut a, &mut ae);
                tokens_by_chars(&t, &mut b, &mut be);
                prop_assert_eq!((a, ae), (b, be), "{:?}", t);
            }
        }
    }
}
