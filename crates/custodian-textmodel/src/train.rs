//! What the two trainers share (`bench/comments/train.rs`, `bench/screening/train.rs`): a fixed,
//! dependency-free random sequence, the vocabulary, the AdaGrad fit with L2 shrinkage in a fixed
//! order from a fixed seed (so the same corpora and options give the same model file byte for
//! byte), the feature lines as the model file writes them, the refusal of sealed halves, and the
//! writing of the file with the rewrite of the pack's `[model]` pin to it (the only I/O in this
//! crate, for the trainers).

use std::collections::HashMap;

use crate::sigmoid;

/// xorshift64*: a fixed, dependency-free sequence.
pub struct Rng(pub u64);

impl Rng {
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// A weight as the model file writes it: at most four decimals, no trailing zeros, never "-0".
pub fn num(x: f32) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" || s.is_empty() { "0".into() } else { s.to_string() }
}

/// Sealed halves are only ever scored, never trained on.
pub fn refuse_sealed<'a>(files: impl IntoIterator<Item = &'a String>) -> Result<(), String> {
    if files.into_iter().any(|f| f.contains("sealed")) {
        return Err("a sealed half is refused: it is only ever scored".into());
    }
    Ok(())
}

/// Every feature in at least `min_df` of the documents, in sorted order, and each one's index.
pub fn vocabulary<'a>(docs: impl IntoIterator<Item = &'a [String]>, min_df: usize) -> Vec<&'a str> {
    let mut df: HashMap<&str, usize> = HashMap::new();
    for d in docs {
        for x in d {
            *df.entry(x.as_str()).or_default() += 1;
        }
    }
    let mut vocab: Vec<&str> = df.iter().filter(|(_, n)| **n >= min_df).map(|(k, _)| *k).collect();
    vocab.sort_unstable();
    vocab
}

/// The index of each feature of a vocabulary.
pub fn index<'a>(vocab: &[&'a str]) -> HashMap<&'a str, u32> {
    vocab.iter().enumerate().map(|(i, k)| (*k, i as u32)).collect()
}

/// One training document: its known features (vocabulary indices, distinct), the weight each
/// gets ([`crate::feature_scale`] of its feature count), and whether it is of each output.
pub struct Doc {
    pub feats: Vec<u32>,
    pub scale: f32,
    pub y: Vec<bool>,
}

/// How a document's score is summed in training. The two trainers have always done it in their
/// own order, and f32 sums depend on the order: kept as they were, so a retrain on the same
/// corpora still writes the shipped files byte for byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sum {
    /// `bias + sum(w * scale)` (the comment model).
    EachScaled,
    /// `bias + sum(w) * scale` (the screening sentence model; as the engines score).
    ScaledTotal,
}

/// The fitting options.
#[derive(Debug, Clone, Copy)]
pub struct Fitting {
    pub epochs: usize,
    pub rate: f32,
    pub l2: f32,
    pub seed: u64,
    /// The weight of a positive example's gradient.
    pub positive_weight: f32,
    pub sum: Sum,
}

impl Fitting {
    /// Set the fitting option `name` (`--epochs`, `--rate`, `--l2`, `--seed`,
    /// `--positive-weight`) from the value `value` gives; `false` when `name` is none of them.
    pub fn set(
        &mut self,
        name: &str,
        value: &mut dyn FnMut() -> Result<String, String>,
    ) -> Result<bool, Box<dyn std::error::Error>> {
        match name {
            "--epochs" => self.epochs = value()?.parse()?,
            "--rate" => self.rate = value()?.parse()?,
            "--l2" => self.l2 = value()?.parse()?,
            "--seed" => self.seed = value()?.parse()?,
            "--positive-weight" => self.positive_weight = value()?.parse()?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// Fitted weights: `width` per feature, feature after feature, and a bias per output.
pub struct Fit {
    pub width: usize,
    pub w: Vec<f32>,
    pub b: Vec<f32>,
}

impl Fit {
    /// The weights of feature `i`.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.w[i * self.width..(i + 1) * self.width]
    }

    fn z(&self, doc: &Doc, sum: Sum) -> Vec<f32> {
        let mut z = self.b.clone();
        match sum {
            Sum::EachScaled => {
                for &i in &doc.feats {
                    for (zl, w) in z.iter_mut().zip(self.row(i as usize)) {
                        *zl += w * doc.scale;
                    }
                }
            }
            Sum::ScaledTotal => {
                for (l, zl) in z.iter_mut().enumerate() {
                    *zl += doc.feats.iter().map(|&i| self.w[i as usize * self.width + l]).sum::<f32>() * doc.scale;
                }
            }
        }
        z
    }

    /// The probability of each output for a document.
    pub fn predict(&self, doc: &Doc, sum: Sum) -> Vec<f32> {
        self.z(doc, sum).into_iter().map(sigmoid).collect()
    }
}

/// Fit a one-vs-rest logistic regression with `width` outputs over `dims` features on the
/// documents `which`, by AdaGrad with L2 shrinkage, visiting them in an order shuffled afresh
/// each epoch from `o.seed`.
pub fn fit(docs: &[Doc], which: &[usize], dims: usize, width: usize, o: &Fitting) -> Fit {
    let mut m = Fit { width, w: vec![0f32; dims * width], b: vec![0f32; width] };
    let mut g2 = vec![1e-6f32; dims * width];
    let mut gb = vec![1e-6f32; width];
    let mut g = vec![0f32; width];
    let mut order: Vec<usize> = which.to_vec();
    let mut rng = Rng(o.seed.max(1));
    for _ in 0..o.epochs {
        rng.shuffle(&mut order);
        for &d in &order {
            let doc = &docs[d];
            let z = m.z(doc, o.sum);
            for l in 0..width {
                let p = sigmoid(z[l]);
                g[l] = if doc.y[l] { (p - 1.0) * o.positive_weight } else { p };
                gb[l] += g[l] * g[l];
                m.b[l] -= o.rate * g[l] / gb[l].sqrt();
            }
            for &i in &doc.feats {
                let s = i as usize * width;
                let (wi, gi) = (&mut m.w[s..s + width], &mut g2[s..s + width]);
                for l in 0..width {
                    let grad = g[l] * doc.scale + o.l2 * wi[l];
                    gi[l] += grad * grad;
                    wi[l] -= o.rate * grad / gi[l].sqrt();
                }
            }
        }
    }
    m
}

/// Append the `f` lines of a fitted model to `body`, one per feature of `vocab` (in order) with
/// a weight of at least `prune` in magnitude, a smaller weight written as 0; returns how many.
pub fn feature_lines<S: AsRef<str>>(vocab: &[S], m: &Fit, prune: f32, body: &mut String) -> usize {
    let mut kept = 0;
    for (i, name) in vocab.iter().enumerate() {
        let w = m.row(i);
        if w.iter().all(|x| x.abs() < prune) {
            continue;
        }
        kept += 1;
        let ws: Vec<String> = w.iter().map(|x| if x.abs() < prune { "0".into() } else { num(*x) }).collect();
        body.push_str(&format!("f\t{}\t{}\n", name.as_ref(), ws.join("\t")));
    }
    kept
}

/// Write a model file (`kept` features), say its size and SHA-256 on standard error, and when
/// a pack is given, re-pin its `[model]` section to the new file ([`repin`]).
pub fn write_model(
    out_path: &str,
    body: &str,
    kept: usize,
    pack_path: Option<&str>,
    version: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::write(out_path, body.as_bytes())?;
    let sum = crate::sha256_hex(body);
    eprintln!("wrote {out_path}: {kept} features, {} bytes, sha256 {sum}", body.len());
    if let Some(p) = pack_path {
        let pack = std::fs::read_to_string(p)?;
        let out = repin(&pack, version, &sum)
            .ok_or_else(|| format!("{p}: no [model] section with version and sha256 lines to update"))?;
        std::fs::write(p, out)?;
        eprintln!("updated {p}");
    }
    Ok(())
}

/// A pack's text with its `[model]` section's `version` and `sha256` lines set to a new model
/// file's; `None` when the pack has no `[model]` section with both lines.
pub fn repin(pack: &str, version: &str, sha256: &str) -> Option<String> {
    repin_section(pack, "[model]", version, sha256)
}

/// [`repin`] for the section headed `section` (e.g. `"[name_model]"`).
pub fn repin_section(pack: &str, section: &str, version: &str, sha256: &str) -> Option<String> {
    let mut out = String::new();
    let mut inside = false;
    let (mut v, mut s) = (false, false);
    for line in pack.lines() {
        if line.starts_with('[') {
            inside = line.trim() == section;
        }
        if inside && line.starts_with("sha256 = ") {
            out.push_str(&format!("sha256 = \"{sha256}\"\n"));
            s = true;
        } else if inside && line.starts_with("version = ") {
            out.push_str(&format!("version = \"{version}\"\n"));
            v = true;
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    (v && s).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_short_and_never_negative_zero() {
        assert_eq!(num(1.5), "1.5");
        assert_eq!(num(-0.00001), "0");
        assert_eq!(num(2.0), "2");
        assert_eq!(num(-0.12345), "-0.1235");
    }

    #[test]
    fn the_pin_is_rewritten_only_in_the_model_section() {
        let pack = "version = \"p1\"\n[model]\nfile = \"m.tsv\"\nversion = \"1\"\nsha256 = \"aa\"\n[[rule]]\nversion = \"x\"\n";
        let out = repin(pack, "2", "bb").unwrap();
        assert_eq!(out, pack.replace("\"1\"", "\"2\"").replace("\"aa\"", "\"bb\""));
        assert_eq!(repin("version = \"p1\"\n", "2", "bb"), None);
        assert!(refuse_sealed(&["a/dev.jsonl".to_string()]).is_ok());
        assert!(refuse_sealed(&["a/sealed.jsonl".to_string()]).is_err());
    }

    #[test]
    fn a_fit_is_the_same_every_time_and_learns_a_separable_feature() {
        let docs: Vec<Doc> = (0..40)
            .map(|k| Doc { feats: vec![(k % 2) as u32, 2], scale: crate::feature_scale(2), y: vec![k % 2 == 0] })
            .collect();
        let which: Vec<usize> = (0..docs.len()).collect();
        for sum in [Sum::EachScaled, Sum::ScaledTotal] {
            let o = Fitting { epochs: 10, rate: 0.3, l2: 1e-3, seed: 7, positive_weight: 1.0, sum };
            let (a, b) = (fit(&docs, &which, 3, 1, &o), fit(&docs, &which, 3, 1, &o));
            assert_eq!(a.w, b.w);
            assert!(a.predict(&docs[0], sum)[0] > 0.8 && a.predict(&docs[1], sum)[0] < 0.2);
        }
    }

    #[test]
    fn feature_lines_drop_a_feature_whose_every_weight_is_below_the_prune() {
        let m = Fit { width: 2, w: vec![0.5, 0.001, 0.001, -0.002, -0.25, 0.0], b: vec![0.0, 0.0] };
        let mut body = String::new();
        assert_eq!(feature_lines(&["w:a", "w:b", "w:c"], &m, 0.01, &mut body), 2);
        assert_eq!(body, "f\tw:a\t0.5\t0\nf\tw:c\t-0.25\t0\n");
    }
}
