//! The statistical half of the triage: one-vs-rest logistic regression over the word view's
//! word unigrams, word bigrams and character n-grams, its weights shipped as data in the pack
//! (`policy-pack/comments-model.tsv`, checked against the SHA-256 the pack names).
//!
//! The rules catch what they were written for (obfuscated slurs, exact cues); the model gives
//! recall on phrasings no rule names. The trainer (`bench/comments/train.rs`) and this module
//! share [`for_each_feature`], so a comment is read the same way when the model is trained and
//! when it is used.
//!
//! Model file format (UTF-8 text, tab-separated, `#` lines are comments):
//!
//! ```text
//! model<TAB>NAME<TAB>VERSION
//! labels<TAB>question<TAB>emergency<TAB>...          (the 13 labels, in LABELS order)
//! bias<TAB>b1<TAB>...<TAB>b13
//! threshold<TAB>t1<TAB>...<TAB>t13                    (probabilities in (0, 1])
//! f<TAB>FEATURE<TAB>w1<TAB>...<TAB>w13                (one line per feature)
//! ```

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::normalise::{self, View};
use crate::pack::LABELS;

pub(crate) const N: usize = LABELS.len();

/// FNV-1a, 64 bits: the key of a feature in the model's table.
pub(crate) fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The keys are already hashes.
#[derive(Default)]
pub(crate) struct Identity(u64);

impl Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ b as u64;
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type Table = HashMap<u64, u32, BuildHasherDefault<Identity>>;

/// Characters a token is made of in the word view: letters, digits, masks and a handle's `@`.
fn token_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'*' | b'#' | b'%' | b'@')
}

/// Tokens of the word view, with their byte ranges in it. Apostrophes inside a word are dropped
/// ("don't" is "dont"); a number longer than three digits, or one inside a word, keeps only its
/// shape (every digit becomes 0), so phone numbers, collar numbers and postcodes read alike.
fn tokens(view: &str, out: &mut Vec<(Vec<u8>, usize, usize)>) {
    out.clear();
    let b = view.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !token_char(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        let mut tok = Vec::with_capacity(12);
        while i < b.len() && (token_char(b[i]) || b[i] == b'\'' && i + 1 < b.len() && token_char(b[i + 1])) {
            if b[i] != b'\'' {
                tok.push(b[i]);
            }
            i += 1;
        }
        let all_digits = tok.iter().all(u8::is_ascii_digit);
        if !(all_digits && tok.len() <= 3) {
            for c in tok.iter_mut() {
                if c.is_ascii_digit() {
                    *c = b'0';
                }
            }
        }
        out.push((tok, start, i));
    }
}

/// Every feature of a comment's word view, with the byte range of the view that gave it:
/// `w:TOKEN`, `b:TOKEN+TOKEN` and `c:NGRAM` (3 to 5 characters of `_TOKEN_`). A feature may
/// be given more than once.
pub fn for_each_feature(view: &str, f: &mut dyn FnMut(&[u8], usize, usize)) {
    let mut toks = Vec::new();
    tokens(view, &mut toks);
    let mut buf: Vec<u8> = Vec::with_capacity(64);
    for (k, (t, s, e)) in toks.iter().enumerate() {
        buf.clear();
        buf.extend_from_slice(b"w:");
        buf.extend_from_slice(t);
        f(&buf, *s, *e);
        if let Some((u, _, e2)) = toks.get(k + 1) {
            buf.clear();
            buf.extend_from_slice(b"b:");
            buf.extend_from_slice(t);
            buf.push(b'+');
            buf.extend_from_slice(u);
            f(&buf, *s, *e2);
        }
        let mut padded = Vec::with_capacity(t.len() + 2);
        padded.push(b'_');
        padded.extend_from_slice(t);
        padded.push(b'_');
        for n in 3..=5 {
            if padded.len() < n {
                break;
            }
            for w in padded.windows(n) {
                buf.clear();
                buf.extend_from_slice(b"c:");
                buf.extend_from_slice(w);
                f(&buf, *s, *e);
            }
        }
    }
}

/// The word view of a comment, as the rules and the model read it.
pub fn word_view(text: &str) -> String {
    normalise::words(&normalise::base(text), text).text
}

/// The distinct features of a comment, as strings, and how many features it gave in all,
/// repeats included (for the trainer: the weight of each feature is one over the square root
/// of that count, whether or not the model knows the feature).
pub fn feature_strings(text: &str) -> (Vec<String>, usize) {
    let view = word_view(text);
    let mut out: Vec<String> = Vec::new();
    for_each_feature(&view, &mut |f, _, _| out.push(String::from_utf8_lossy(f).into_owned()));
    let total = out.len();
    out.sort_unstable();
    out.dedup();
    (out, total)
}

/// The weight each present feature gets in a comment that gave `total` features.
pub fn feature_scale(total: usize) -> f32 {
    if total == 0 { 0.0 } else { 1.0 / (total as f32).sqrt() }
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("model line {line}: {message}")]
pub struct ModelError {
    pub line: usize,
    pub message: String,
}

/// A loaded model.
pub struct Model {
    pub name: String,
    pub version: String,
    pub bias: [f32; N],
    pub threshold: [f32; N],
    names: Vec<String>,
    weights: Vec<[f32; N]>,
    table: Table,
}

/// A model's reading of one comment.
pub(crate) struct Scores {
    pub(crate) prob: [f32; N],
    /// Indices of the comment's distinct known features.
    pub(crate) found: Vec<u32>,
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

impl Model {
    /// Parse and validate a model file.
    pub fn parse(text: &str) -> Result<Model, ModelError> {
        let mut name = None;
        let mut version = String::new();
        let mut labels_seen = false;
        let mut bias = None;
        let mut threshold = None;
        let mut names = Vec::new();
        let mut weights = Vec::new();
        let mut table = Table::default();
        let nums = |line: usize, parts: &[&str]| -> Result<[f32; N], ModelError> {
            if parts.len() != N {
                return Err(ModelError { line, message: format!("{} numbers where {N} are needed", parts.len()) });
            }
            let mut out = [0f32; N];
            for (i, p) in parts.iter().enumerate() {
                let v: f32 = p.parse().map_err(|_| ModelError { line, message: format!("{p:?} is not a number") })?;
                if !v.is_finite() {
                    return Err(ModelError { line, message: format!("{p:?} is not finite") });
                }
                out[i] = v;
            }
            Ok(out)
        };
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            if raw.is_empty() || raw.starts_with('#') {
                continue;
            }
            let parts: Vec<&str> = raw.split('\t').collect();
            match parts[0] {
                "model" if parts.len() == 3 => {
                    name = Some(parts[1].to_string());
                    version = parts[2].to_string();
                }
                "labels" => {
                    if parts[1..] != LABELS[..] {
                        return Err(ModelError { line, message: format!("labels must be {}", LABELS.join(" ")) });
                    }
                    labels_seen = true;
                }
                "bias" => bias = Some(nums(line, &parts[1..])?),
                "threshold" => {
                    let t = nums(line, &parts[1..])?;
                    if t.iter().any(|&x| !(x > 0.0 && x <= 1.0)) {
                        return Err(ModelError { line, message: "thresholds must be in (0, 1]".into() });
                    }
                    threshold = Some(t);
                }
                "f" if parts.len() == N + 2 => {
                    let w = nums(line, &parts[2..])?;
                    let key = fnv(parts[1].as_bytes());
                    if table.insert(key, weights.len() as u32).is_some() {
                        return Err(ModelError { line, message: format!("feature {:?} given twice", parts[1]) });
                    }
                    names.push(parts[1].to_string());
                    weights.push(w);
                }
                other => return Err(ModelError { line, message: format!("unexpected line starting {other:?}") }),
            }
        }
        let missing = |what: &str| ModelError { line: 0, message: format!("no {what} line") };
        let name = name.ok_or_else(|| missing("model"))?;
        if !labels_seen {
            return Err(missing("labels"));
        }
        Ok(Model {
            name,
            version,
            bias: bias.ok_or_else(|| missing("bias"))?,
            threshold: threshold.ok_or_else(|| missing("threshold"))?,
            names,
            weights,
            table,
        })
    }

    pub fn features(&self) -> usize {
        self.names.len()
    }

    /// Probabilities of every label for a word view.
    pub(crate) fn score(&self, view: &str) -> Scores {
        let mut found: Vec<u32> = Vec::with_capacity(256);
        let mut total = 0usize;
        for_each_feature(view, &mut |f, _, _| {
            total += 1;
            if let Some(&i) = self.table.get(&fnv(f)) {
                found.push(i);
            }
        });
        found.sort_unstable();
        found.dedup();
        let mut z = [0f32; N];
        for &i in &found {
            let w = &self.weights[i as usize];
            for l in 0..N {
                z[l] += w[l];
            }
        }
        let scale = feature_scale(total);
        let mut prob = [0f32; N];
        for l in 0..N {
            prob[l] = sigmoid(self.bias[l] + z[l] * scale);
        }
        Scores { prob, found }
    }

    /// The features that pushed hardest towards a label, strongest first, with the byte range
    /// of the view the strongest came from.
    pub(crate) fn top_terms(
        &self,
        view: &str,
        scores: &Scores,
        label: usize,
        k: usize,
    ) -> (Vec<String>, (usize, usize)) {
        let mut best: Vec<(f32, u32)> =
            scores.found.iter().map(|&i| (self.weights[i as usize][label], i)).filter(|(w, _)| *w > 0.0).collect();
        best.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        best.truncate(k);
        let terms = best.iter().map(|(_, i)| readable(&self.names[*i as usize])).collect();
        let mut span = (0, 0);
        if let Some((_, top)) = best.first() {
            let key = fnv(self.names[*top as usize].as_bytes());
            let mut done = false;
            for_each_feature(view, &mut |f, s, e| {
                if !done && fnv(f) == key {
                    span = (s, e);
                    done = true;
                }
            });
        }
        (terms, span)
    }
}

/// A feature as a reader would say it: `w:kill` is "kill", `b:your+house` "your house",
/// `c:_bur` "bur…".
fn readable(f: &str) -> String {
    if let Some(w) = f.strip_prefix("w:") {
        w.to_string()
    } else if let Some(b) = f.strip_prefix("b:") {
        b.replace('+', " ")
    } else if let Some(c) = f.strip_prefix("c:") {
        let start = if c.starts_with('_') { "" } else { "…" };
        let end = if c.ends_with('_') { "" } else { "…" };
        format!("{start}{}{end}", c.trim_matches('_'))
    } else {
        f.to_string()
    }
}

/// Map a byte range of the word view back to the text as given.
pub(crate) fn original(view: &View, span: (usize, usize)) -> Option<(usize, usize)> {
    view.original_span(span.0, span.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_shape_and_short_ones_stay() {
        let (f, total) = feature_strings("Call 999 or ring 07700 900123, PC1234");
        assert!(total > f.len());
        assert!(f.contains(&"w:999".to_string()));
        assert!(f.contains(&"w:00000".to_string()));
        assert!(f.contains(&"w:pc0000".to_string()));
        assert!(f.contains(&"b:or+ring".to_string()));
        assert!(f.contains(&"c:_ri".to_string()));
    }

    #[test]
    fn a_model_with_wrong_labels_or_numbers_is_refused() {
        let head = format!("model\tt\t1\nlabels\t{}\n", LABELS.join("\t"));
        let ones = vec!["0.5"; N].join("\t");
        let ok = format!("{head}bias\t{ones}\nthreshold\t{ones}\nf\tw:x\t{ones}\n");
        assert!(Model::parse(&ok).is_ok());
        assert!(Model::parse(&ok.replace("question", "questions")).is_err());
        assert!(Model::parse(&format!("{ok}f\tw:x\t{ones}\n")).is_err());
        assert!(Model::parse(&ok.replace("threshold\t0.5", "threshold\t1.5")).is_err());
        assert!(Model::parse(&format!("{ok}f\tw:y\tNaN{}\n", "\t0".repeat(N - 1))).is_err());
    }
}
