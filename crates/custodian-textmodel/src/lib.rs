//! The hashed n-gram logistic model Custodian's two text models are made of: comment triage
//! (`custodian-comments`, WP034 6.7 and 8.2, thirteen labels one-vs-rest) and the covert-tactics
//! sentence model of pre-publication screening (`custodian-screening`, WP034 6.3a and 6.3d, one
//! category). Each crate reads its text into features its own way; this crate holds what they
//! share once:
//!
//! - [`Weights`]: the feature table (FNV-1a keys of the feature strings), scoring by a sum of the
//!   known features' weights scaled by one over the square root of the feature count, and the
//!   ranking of the features that weighed most;
//! - [`parse`]: the TSV model file format (`model`, `bias`, `threshold` and `f` lines; the
//!   model-specific header lines are handed back to the caller);
//! - [`files`]: reading a pack file and the model file it names from beside it;
//! - [`pin`]: the SHA-256 a pack names for its model file, and what happens when the shipped
//!   file is not the one a stored pack was reviewed with;
//! - [`train`]: the trainers' fixed-seed AdaGrad fit, number format and pack pin rewrite
//!   (`bench/comments/train.rs`, `bench/screening/train.rs`).
//!
//! Model file format (UTF-8 text, tab-separated, `#` lines are comments), with `W` numbers per
//! line where the model has `W` outputs:
//!
//! ```text
//! model<TAB>NAME<TAB>VERSION
//! ...                                   (the model's own header lines: labels, category)
//! bias<TAB>b1<TAB>...<TAB>bW
//! threshold<TAB>t1<TAB>...<TAB>tW       (probabilities in (0, 1])
//! f<TAB>FEATURE<TAB>w1<TAB>...<TAB>wW   (one line per feature)
//! ```

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

pub mod files;
pub mod pin;
pub mod train;

pub use pin::{PinError, PinWarning, check_pin, sha256_hex};

/// FNV-1a, 64 bits: the key of a feature in the model's table.
pub const fn fnv(bytes: &[u8]) -> u64 {
    fnv_extend(FNV_START, bytes)
}

/// The FNV-1a state before any byte: `fnv(b"")`.
pub const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a continued from the state `h` over `bytes`: `fnv_extend(fnv(a), b) == fnv(a ++ b)`, so
/// a reader can key a feature made of several pieces without writing it out.
pub const fn fnv_extend(mut h: u64, bytes: &[u8]) -> u64 {
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    h
}

/// The keys are already hashes.
#[derive(Default, Debug, Clone)]
struct Identity(u64);

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

/// The logistic function.
pub fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// The weight each present feature gets in a text that gave `total` features, repeats included.
pub fn feature_scale(total: usize) -> f32 {
    if total == 0 { 0.0 } else { 1.0 / (total as f32).sqrt() }
}

/// The distinct features a reader gives, as strings, and how many it gave in all, repeats
/// included (for the trainers).
pub fn distinct(each: impl FnOnce(&mut dyn FnMut(&[u8]))) -> (Vec<String>, usize) {
    let mut out: Vec<String> = Vec::new();
    each(&mut |f| out.push(String::from_utf8_lossy(f).into_owned()));
    let total = out.len();
    out.sort_unstable();
    out.dedup();
    (out, total)
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("model line {line}: {message}")]
pub struct ModelError {
    pub line: usize,
    pub message: String,
}

impl ModelError {
    pub fn new(line: usize, message: impl Into<String>) -> ModelError {
        ModelError { line, message: message.into() }
    }

    /// A line the file must have and does not.
    pub fn missing(what: &str) -> ModelError {
        ModelError { line: 0, message: format!("no {what} line") }
    }
}

/// The features a model knows, each with `width` weights (one per label).
#[derive(Debug, Clone)]
pub struct Weights {
    width: usize,
    names: Vec<String>,
    /// `width` weights per feature, feature after feature.
    weights: Vec<f32>,
    table: Table,
    /// The same keys in one flat table, built at the first [`Weights::get_keys`].
    flat: std::sync::OnceLock<Flat>,
}

/// Feature keys and indices in one open-addressed table (linear probing, at most half full),
/// each key and its index side by side: a lookup reads one place in memory, and a batch of
/// lookups reads its places independently, so the processor waits for them together rather
/// than one after another (the table is larger than its caches).
#[derive(Debug, Clone)]
struct Flat {
    slots: Vec<(u64, u32)>,
    shift: u32,
}

/// An empty slot's index.
const EMPTY: u32 = u32::MAX;

impl Flat {
    fn new(table: &Table) -> Flat {
        let size = (table.len() * 2).next_power_of_two().max(2);
        let shift = 64 - size.trailing_zeros();
        let mut slots = vec![(0u64, EMPTY); size];
        for (&key, &i) in table {
            let mut at = Flat::home(key, shift);
            while slots[at].1 != EMPTY {
                at = (at + 1) & (size - 1);
            }
            slots[at] = (key, i);
        }
        Flat { slots, shift }
    }

    fn home(key: u64, shift: u32) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize
    }

    fn get(&self, key: u64) -> Option<u32> {
        let mask = self.slots.len() - 1;
        let mut at = Flat::home(key, self.shift);
        loop {
            let (k, i) = self.slots[at];
            if i == EMPTY {
                return None;
            }
            if k == key {
                return Some(i);
            }
            at = (at + 1) & mask;
        }
    }
}

/// The known features a text gave: their indices, distinct and in order, and how many features
/// it gave in all.
#[derive(Debug, Clone, Default)]
pub struct Found {
    pub features: Vec<u32>,
    pub total: usize,
}

impl Weights {
    pub fn new(width: usize) -> Weights {
        Weights {
            width,
            names: Vec::new(),
            weights: Vec::new(),
            table: Table::default(),
            flat: std::sync::OnceLock::new(),
        }
    }

    /// Add a feature; `false` when it is already there.
    pub fn insert(&mut self, name: &str, w: &[f32]) -> bool {
        debug_assert_eq!(w.len(), self.width);
        if self.table.insert(fnv(name.as_bytes()), self.names.len() as u32).is_some() {
            return false;
        }
        self.flat = std::sync::OnceLock::new();
        self.names.push(name.to_string());
        self.weights.extend_from_slice(w);
        true
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn name(&self, i: u32) -> &str {
        &self.names[i as usize]
    }

    /// The weights of feature `i`, one per output.
    pub fn row(&self, i: u32) -> &[f32] {
        let s = i as usize * self.width;
        &self.weights[s..s + self.width]
    }

    /// Whether any feature's name starts with `prefix`.
    pub fn any_named(&self, prefix: &str) -> bool {
        self.names.iter().any(|n| n.starts_with(prefix))
    }

    /// The index of a feature, if the model knows it.
    pub fn get(&self, feature: &[u8]) -> Option<u32> {
        self.table.get(&fnv(feature)).copied()
    }

    /// The known features among those a reader gives (`each` calls its argument once per
    /// feature, repeats included). `capacity` is a guess at how many there are.
    pub fn find(&self, capacity: usize, each: impl FnOnce(&mut dyn FnMut(&[u8]))) -> Found {
        let mut features: Vec<u32> = Vec::with_capacity(capacity);
        let mut total = 0usize;
        each(&mut |f| {
            total += 1;
            if let Some(&i) = self.table.get(&fnv(f)) {
                features.push(i);
            }
        });
        features.sort_unstable();
        features.dedup();
        Found { features, total }
    }

    /// The index of the feature whose key ([`fnv`] of its bytes) is `key`, if the model knows
    /// it: [`Weights::get`] for a reader that keys its features itself.
    pub fn get_key(&self, key: u64) -> Option<u32> {
        self.table.get(&key).copied()
    }

    /// The indices of the known features among `keys` ([`Weights::get_key`] of each), pushed onto
    /// `out` in the keys' order. The first place each key's search reads is read for all of
    /// them before any is looked at, so the reads overlap.
    pub fn get_keys(&self, keys: &[u64], out: &mut Vec<u32>) {
        let flat = self.flat.get_or_init(|| Flat::new(&self.table));
        let mut first = [(0u64, EMPTY); 64];
        for chunk in keys.chunks(first.len()) {
            for (f, &key) in first.iter_mut().zip(chunk) {
                *f = flat.slots[Flat::home(key, flat.shift)];
            }
            for (&(k, i), &key) in first.iter().zip(chunk) {
                if i == EMPTY {
                    continue;
                }
                if k == key {
                    out.push(i);
                } else if let Some(i) = flat.get(key) {
                    out.push(i);
                }
            }
        }
    }

    /// The probability of each output: `sigmoid(bias + sum of the found features' weights /
    /// sqrt(total))`, into `out` (as long as the bias).
    pub fn probabilities(&self, found: &Found, bias: &[f32], out: &mut [f32]) {
        // The sums are made in the features' order whatever the width, so a score does not
        // depend on where they are kept.
        let mut small = [0f32; 16];
        let mut large = Vec::new();
        let z: &mut [f32] = if self.width <= small.len() {
            &mut small[..self.width]
        } else {
            large.resize(self.width, 0f32);
            &mut large
        };
        for &i in &found.features {
            for (zl, w) in z.iter_mut().zip(self.row(i)) {
                *zl += w;
            }
        }
        let scale = feature_scale(found.total);
        for ((o, b), zl) in out.iter_mut().zip(bias).zip(z.iter()) {
            *o = sigmoid(b + zl * scale);
        }
    }

    /// The found features that pushed output `label` up, strongest first (ties in file order).
    pub fn strongest(&self, found: &Found, label: usize) -> Vec<u32> {
        let mut best: Vec<(f32, u32)> =
            found.features.iter().map(|&i| (self.row(i)[label], i)).filter(|(w, _)| *w > 0.0).collect();
        best.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        best.into_iter().map(|(_, i)| i).collect()
    }
}

/// What every model file has: its name and version, bias and threshold, and its features.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub name: Option<String>,
    pub version: String,
    pub bias: Option<Vec<f32>>,
    pub threshold: Option<Vec<f32>>,
    pub weights: Weights,
}

/// Read a number of a model file: finite.
pub fn number(line: usize, p: &str) -> Result<f32, ModelError> {
    let v: f32 = p.parse().map_err(|_| ModelError::new(line, format!("{p:?} is not a number")))?;
    if !v.is_finite() {
        return Err(ModelError::new(line, format!("{p:?} is not finite")));
    }
    Ok(v)
}

fn numbers(line: usize, parts: &[&str], width: usize) -> Result<Vec<f32>, ModelError> {
    if parts.len() != width {
        return Err(ModelError::new(line, format!("{} numbers where {width} are needed", parts.len())));
    }
    parts.iter().map(|p| number(line, p)).collect()
}

/// What [`parse`] asks of a line that is not one of every model file's: given the line's number
/// and its tab-separated parts, whether it is one of the model's own.
pub type Header<'a> = dyn FnMut(usize, &[&str]) -> Result<bool, ModelError> + 'a;

/// Parse a model file with `width` outputs. `header` is given every line that is not a
/// `model`, `bias`, `threshold` or `f` line of the right length, with its number and its
/// tab-separated parts; it answers whether the line is one of the model's own (an error
/// otherwise: "unexpected line").
pub fn parse(text: &str, width: usize, header: &mut Header<'_>) -> Result<Parsed, ModelError> {
    let mut p =
        Parsed { name: None, version: String::new(), bias: None, threshold: None, weights: Weights::new(width) };
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.is_empty() || raw.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = raw.split('\t').collect();
        match parts[0] {
            "model" if parts.len() == 3 => {
                p.name = Some(parts[1].to_string());
                p.version = parts[2].to_string();
            }
            "bias" => p.bias = Some(numbers(line, &parts[1..], width)?),
            "threshold" => {
                let t = numbers(line, &parts[1..], width)?;
                if t.iter().any(|&x| !(x > 0.0 && x <= 1.0)) {
                    return Err(ModelError::new(line, "thresholds must be in (0, 1]"));
                }
                p.threshold = Some(t);
            }
            "f" if parts.len() == width + 2 => {
                let w = numbers(line, &parts[2..], width)?;
                if !p.weights.insert(parts[1], &w) {
                    return Err(ModelError::new(line, format!("feature {:?} given twice", parts[1])));
                }
            }
            other => {
                if !header(line, &parts)? {
                    return Err(ModelError::new(line, format!("unexpected line starting {other:?}")));
                }
            }
        }
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two() -> &'static str {
        "# a comment\nmodel\tm\t7\nkind\tx\nbias\t-1\t0.5\nthreshold\t0.5\t0.9\nf\tw:a\t2\t-1\nf\tw:b\t0\t3\n"
    }

    #[test]
    fn a_file_is_read_and_its_own_lines_are_the_callers() {
        let mut kinds = Vec::new();
        let p = parse(two(), 2, &mut |line, parts| {
            kinds.push((line, parts.join(" ")));
            Ok(parts[0] == "kind")
        })
        .unwrap();
        assert_eq!(kinds, [(3, "kind x".to_string())]);
        assert_eq!((p.name.as_deref(), p.version.as_str()), (Some("m"), "7"));
        assert_eq!(p.bias, Some(vec![-1.0, 0.5]));
        assert_eq!(p.weights.len(), 2);
        assert_eq!(p.weights.row(1), [0.0, 3.0]);
        let refuse = |t: &str| parse(t, 2, &mut |_, parts| Ok(parts[0] == "kind")).map(|_| ());
        assert!(refuse(&format!("{}f\tw:a\t1\t1\n", two())).is_err());
        assert!(refuse(&two().replace("threshold\t0.5", "threshold\t1.5")).is_err());
        assert!(refuse(&two().replace("bias\t-1", "bias\tNaN")).is_err());
        assert!(refuse(&two().replace("bias\t-1\t0.5", "bias\t-1")).is_err());
        assert_eq!(refuse(&format!("{}other\t1\n", two())).unwrap_err().line, 8);
    }

    #[test]
    fn scores_sum_the_distinct_known_features_scaled_by_the_count() {
        let p = parse(two(), 2, &mut |_, _| Ok(true)).unwrap();
        let w = &p.weights;
        let found = w.find(4, |f| {
            for x in ["w:a", "w:z", "w:a", "w:b"] {
                f(x.as_bytes());
            }
        });
        assert_eq!(found.features, [0, 1]);
        assert_eq!(found.total, 4);
        let mut out = [0f32; 2];
        w.probabilities(&found, &[-1.0, 0.5], &mut out);
        assert_eq!(out[0], sigmoid(-1.0 + 2.0 * 0.5));
        assert_eq!(out[1], sigmoid(0.5 + 2.0 * 0.5));
        assert_eq!(w.strongest(&found, 0), [0]);
        assert_eq!(w.strongest(&found, 1), [1]);
        let none = w.find(0, |_| {});
        w.probabilities(&none, &[0.0, 0.0], &mut out);
        assert_eq!(out, [0.5, 0.5]);
    }
}
