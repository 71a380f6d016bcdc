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

use custodian_textmodel::{Found, ModelError, Weights, fnv};

use crate::normalise::{self, View};
use crate::pack::LABELS;

pub(crate) const N: usize = LABELS.len();

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
    custodian_textmodel::distinct(|f| for_each_feature(&view, &mut |x, _, _| f(x)))
}

pub use custodian_textmodel::feature_scale;

/// A loaded model.
pub struct Model {
    pub name: String,
    pub version: String,
    pub bias: [f32; N],
    pub threshold: [f32; N],
    weights: Weights,
}

/// A model's reading of one comment.
pub(crate) struct Scores {
    pub(crate) prob: [f32; N],
    /// The comment's distinct known features.
    pub(crate) found: Found,
}

fn array(v: Vec<f32>) -> [f32; N] {
    let mut out = [0f32; N];
    out.copy_from_slice(&v);
    out
}

impl Model {
    /// Parse and validate a model file.
    pub fn parse(text: &str) -> Result<Model, ModelError> {
        let mut labels_seen = false;
        let p = custodian_textmodel::parse(text, N, &mut |line, parts| {
            if parts[0] != "labels" {
                return Ok(false);
            }
            if parts[1..] != LABELS[..] {
                return Err(ModelError::new(line, format!("labels must be {}", LABELS.join(" "))));
            }
            labels_seen = true;
            Ok(true)
        })?;
        let name = p.name.ok_or_else(|| ModelError::missing("model"))?;
        if !labels_seen {
            return Err(ModelError::missing("labels"));
        }
        Ok(Model {
            name,
            version: p.version,
            bias: array(p.bias.ok_or_else(|| ModelError::missing("bias"))?),
            threshold: array(p.threshold.ok_or_else(|| ModelError::missing("threshold"))?),
            weights: p.weights,
        })
    }

    pub fn features(&self) -> usize {
        self.weights.len()
    }

    /// Whether the model has a weight for a feature (`w:word`: a word of its training comments).
    pub fn knows(&self, feature: &str) -> bool {
        self.weights.get(feature.as_bytes()).is_some()
    }

    /// Probabilities of every label for a word view.
    pub(crate) fn score(&self, view: &str) -> Scores {
        let found = self.weights.find(256, |f| for_each_feature(view, &mut |x, _, _| f(x)));
        let mut prob = [0f32; N];
        self.weights.probabilities(&found, &self.bias, &mut prob);
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
        let mut best = self.weights.strongest(&scores.found, label);
        best.truncate(k);
        let terms = best.iter().map(|&i| readable(self.weights.name(i))).collect();
        let mut span = (0, 0);
        if let Some(&top) = best.first() {
            let key = fnv(self.weights.name(top).as_bytes());
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
