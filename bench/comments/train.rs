//! Train the comment triage pack's model: one-vs-rest logistic regression over the features
//! `custodian_comments::model` reads (word unigrams and bigrams, character 3- to 5-grams of the
//! word view), by AdaGrad with L2 shrinkage, in a fixed order from a fixed seed, so the same
//! corpora and options give the same file byte for byte.
//!
//! Each label's threshold is chosen on out-of-fold scores from the training corpora only: the
//! lowest threshold at which the out-of-fold precision still reaches the target (0.95 for the
//! hate strands, 0.90 for the others, as the triage's goals), so the model gives as much recall
//! as the precision target allows. With two corpus files or more, the folds are the files (each
//! file scored by a model trained on the others, leave-one-corpus-out), so the thresholds are
//! chosen for writers the model never saw, as the triage meets them: random folds put each
//! writer's phrasings on both sides of a fold and set thresholds for writers already trained on.
//! `--folds K` (with one file, or `--random-folds`) uses K random folds instead. With `--gated PACK.toml`, a hate strand's threshold is
//! chosen among the comments the pack's `[model.requires]` lets the model label (those naming
//! or describing people of the strand, or carrying its slurs): the precision that matters is
//! that of the labels the model can give, not of scores on comments it never labels.
//!
//! With `--gated` the threshold is chosen on the whole triage (the default; `--model-alone` turns
//! it off): a comment carries a label when the pack's rules give it or its out-of-fold score
//! reaches the threshold, so the model is set to fill what the rules miss at the precision target
//! of the two together, as the triage labels (WP034 6.7, 8.2); where the rules alone are below
//! the target, the model's own additions must reach it. `--staff CSV` gives the people
//! register the rules read for the corpus files after it (abuse of staff needs the names).
//!
//! ```sh
//! cargo run --release -p custodian-comments --example comments-train -- \
//!     --out policy-pack/comments-model.tsv --pack policy-pack/comments.toml \
//!     bench/comments/blind/dev.jsonl
//! ```
//!
//! `--pack` rewrites the pack's `[model]` `version` and `sha256` lines to the new file's. A file
//! whose name contains "sealed" is refused: sealed halves are only ever scored.

// Loops over the 13 labels index parallel arrays.
#![allow(clippy::needless_range_loop)]

use custodian_comments::LABELS;
use custodian_comments::model::{feature_scale, feature_strings};
use custodian_textmodel::train::{
    Doc, Fitting, Rng, Sum, feature_lines, fit, index, num, refuse_sealed, vocabulary, write_model,
};
use serde::Deserialize;

const N: usize = LABELS.len();

#[derive(Deserialize)]
struct Labelled {
    text: String,
    labels: Vec<String>,
}

struct Opts {
    /// The fitting options (`--epochs`, `--rate`, `--l2`, `--seed`, `--positive-weight`).
    fit: Fitting,
    folds: usize,
    min_df: usize,
    prune: f32,
    /// Out-of-fold precision each label's threshold must reach (hate strands: `target_hate`).
    target: f64,
    target_hate: f64,
    /// The pack whose `[model.requires]` gates the hate strands (`--gated`).
    gated: Option<String>,
    /// Folds by corpus file (the default with two files or more; `--random-folds` turns it off):
    /// each file's comments are scored by a model trained on the other files only, so thresholds
    /// are chosen for writers the model has not seen, as the triage meets them.
    by_file: bool,
    /// Thresholds chosen on the whole triage (`--combined`, needs `--gated`): a comment carries a
    /// label when the pack's rules give it or the model's out-of-fold score reaches the threshold,
    /// and the precision target is that of the union, as the triage labels. Without it the
    /// threshold is chosen on the model's scores alone (`--model-alone`).
    combined: bool,
}

/// The lowest threshold whose out-of-fold precision reaches the target; when none does, the
/// one with the best F1. `base` is what the rules already give, (found, right, positives they
/// leave for the model): with `--combined` the precision and recall are those of the rules and the
/// model together, `scores` holding only the comments the rules did not label.
fn threshold(scores: &[(f32, bool)], target: f64, base: (usize, usize, usize)) -> (f32, f64, f64) {
    let mut s = scores.to_vec();
    s.sort_by(|a, b| b.0.total_cmp(&a.0));
    let positives = (s.iter().filter(|x| x.1).count() + base.1 + base.2).max(1);
    let (mut tp, mut found) = (base.1, base.0);
    let mut best_feasible: Option<(f32, f64, f64)> = None;
    let mut best_f1: (f64, f32, f64, f64) = (-1.0, 0.5, 0.0, 0.0);
    for (k, &(p, y)) in s.iter().enumerate() {
        found += 1;
        tp += y as usize;
        // Only between distinct scores.
        if k + 1 < s.len() && s[k + 1].0 == p {
            continue;
        }
        let precision = tp as f64 / found as f64;
        let recall = tp as f64 / positives as f64;
        let f1 = if tp == 0 || found == 0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
        let t = p.max(0.05);
        if precision >= target {
            best_feasible = Some((t, precision, recall));
        }
        if f1 > best_f1.0 {
            best_f1 = (f1, t, precision, recall);
        }
    }
    best_feasible.unwrap_or((best_f1.1, best_f1.2, best_f1.3))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut files = Vec::new();
    let mut out_path = None;
    let mut pack_path = None;
    let mut version = None;
    let mut o = Opts {
        fit: Fitting { epochs: 30, rate: 0.3, l2: 1e-2, seed: 20_261_204, positive_weight: 2.0, sum: Sum::EachScaled },
        folds: 5,
        min_df: 2,
        prune: 0.01,
        target: 0.90,
        target_hate: 0.95,
        gated: None,
        by_file: true,
        combined: true,
    };
    // The people register for the corpus files that follow (`--staff CSV`), as the rules read them.
    let mut staff_now: Option<std::rc::Rc<custodian_comments::StaffIndex>> = None;
    let mut staff_of = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--out" => out_path = Some(val()?),
            "--pack" => pack_path = Some(val()?),
            "--version" => version = Some(val()?),
            "--folds" => o.folds = val()?.parse()?,
            "--min-df" => o.min_df = val()?.parse()?,
            "--prune" => o.prune = val()?.parse()?,
            "--target" => o.target = val()?.parse()?,
            "--target-hate" => o.target_hate = val()?.parse()?,
            "--gated" => o.gated = Some(val()?),
            "--folds-by-file" => o.by_file = true,
            "--random-folds" => o.by_file = false,
            "--combined" => o.combined = true,
            "--model-alone" => o.combined = false,
            "--staff" => {
                let f = val()?;
                staff_now =
                    Some(std::rc::Rc::new(custodian_comments::StaffIndex::from_path(std::path::Path::new(&f))?));
            }
            _ if o.fit.set(&a, &mut val)? => {}
            _ => {
                files.push(a);
                staff_of.push(staff_now.clone());
            }
        }
    }
    let out_path = out_path.ok_or("usage: comments-train --out MODEL.tsv [--pack PACK.toml] FILE.jsonl...")?;
    if files.is_empty() {
        return Err("no training corpus given".into());
    }
    refuse_sealed(&files)?;
    // Read every comment's features; the vocabulary is every feature in at least min_df
    // comments, numbered in sorted order.
    let gate = match &o.gated {
        Some(p) => {
            let mut pack = custodian_comments::Pack::from_path(std::path::Path::new(p))?;
            pack.examples.clear();
            let mut e = custodian_comments::Engine::from_pack(&pack)?;
            e.set_combine(custodian_comments::Combine::Rules);
            Some(e)
        }
        None => None,
    };
    o.combined &= gate.is_some();
    // Per comment, the labels the pack's rules give (with `--combined`).
    let mut ruled: Vec<[bool; N]> = Vec::new();
    // Per comment, whether the model may give each label (always, without `--gated`).
    let mut may: Vec<[bool; N]> = Vec::new();
    let mut raw: Vec<(Vec<String>, usize, [bool; N])> = Vec::new();
    let mut file_of: Vec<usize> = Vec::new();
    for (fi, f) in files.iter().enumerate() {
        let text = std::fs::read_to_string(f).map_err(|e| format!("reading {f}: {e}"))?;
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let c: Labelled = serde_json::from_str(line).map_err(|e| format!("{f}:{}: {e}", i + 1))?;
            let mut y = [false; N];
            for l in &c.labels {
                let k =
                    LABELS.iter().position(|x| x == l).ok_or_else(|| format!("{f}:{}: unknown label {l}", i + 1))?;
                y[k] = true;
            }
            let mut g = [true; N];
            if let Some(e) = &gate {
                for (l, x) in g.iter_mut().enumerate() {
                    *x = !LABELS[l].starts_with("hate.") || e.model_may_give(&c.text, l);
                }
            }
            may.push(g);
            let mut r = [false; N];
            if let (Some(e), true) = (&gate, o.combined) {
                for m in e.triage_with_staff(&c.text, staff_of[fi].as_deref()).labels {
                    r[LABELS.iter().position(|x| *x == m.label).unwrap_or(0)] = true;
                }
            }
            ruled.push(r);
            file_of.push(fi);
            let (feats, total) = feature_strings(&c.text);
            raw.push((feats, total, y));
        }
    }
    let vocab = vocabulary(raw.iter().map(|(f, _, _)| f.as_slice()), o.min_df);
    let index = index(&vocab);
    let docs: Vec<Doc> = raw
        .iter()
        .map(|(f, total, y)| Doc {
            feats: f.iter().filter_map(|x| index.get(x.as_str()).copied()).collect(),
            scale: feature_scale(*total),
            y: y.to_vec(),
        })
        .collect();
    eprintln!("{} comments, {} features (in at least {} comments)", docs.len(), vocab.len(), o.min_df);

    // Out-of-fold scores for the thresholds.
    let mut perm: Vec<usize> = (0..docs.len()).collect();
    Rng(o.fit.seed ^ 0x9e37_79b9_7f4a_7c15).shuffle(&mut perm);
    let mut fold = vec![0usize; docs.len()];
    for (k, &d) in perm.iter().enumerate() {
        fold[d] = k % o.folds;
    }
    // One file: random folds whatever the option says (there is no other corpus to hold out).
    o.by_file &= files.len() >= 2;
    if o.by_file {
        fold.copy_from_slice(&file_of);
        o.folds = files.len();
    }
    let mut oof = vec![[0f32; N]; docs.len()];
    for k in 0..o.folds {
        let train_ids: Vec<usize> = (0..docs.len()).filter(|&d| fold[d] != k).collect();
        let m = fit(&docs, &train_ids, vocab.len(), N, &o.fit);
        for d in (0..docs.len()).filter(|&d| fold[d] == k) {
            oof[d].copy_from_slice(&m.predict(&docs[d], o.fit.sum));
        }
        eprintln!("fold {} of {} trained", k + 1, o.folds);
    }
    let mut thresholds = [0.5f32; N];
    eprintln!("label\tthreshold\tcv precision\tcv recall");
    for (l, name) in LABELS.iter().enumerate() {
        let target = if name.starts_with("hate.") { o.target_hate } else { o.target };
        // With `--combined`, the rules' labels count as found whatever the score, and the model
        // is scored on the rest.
        let mut base = (0, 0, 0);
        let mut s = Vec::new();
        for (d, doc) in docs.iter().enumerate() {
            if ruled[d][l] {
                base.0 += 1;
                base.1 += doc.y[l] as usize;
            } else if may[d][l] {
                s.push((oof[d][l], doc.y[l]));
            } else {
                base.2 += (o.combined && doc.y[l]) as usize;
            }
        }
        // Rules already below the target on their own: the model's additions must reach it by
        // themselves, so the model never takes the triage's precision further down.
        if o.combined && base.0 > 0 && (base.1 as f64) < target * base.0 as f64 {
            base = (0, 0, 0);
        }
        let (t, p, r) = threshold(&s, target, base);
        thresholds[l] = t;
        eprintln!("{name}\t{t:.3}\t{p:.3}\t{r:.3}");
    }

    let all: Vec<usize> = (0..docs.len()).collect();
    let m = fit(&docs, &all, vocab.len(), N, &o.fit);
    let mut body = String::new();
    let version = version.unwrap_or_else(|| "1".into());
    body.push_str("# Custodian comment triage model (WP034 6.7, 8.2): one-vs-rest logistic regression.\n");
    body.push_str(
        "# Written by bench/comments/train.rs; do not edit by hand: retrain and the pack's sha256 follows.\n",
    );
    body.push_str(&format!(
        "# Trained on: {}\n# comments {}, epochs {}, rate {}, l2 {}, seed {}, folds {}{}, min_df {}, prune {}, positive_weight {}, target {}, target_hate {}{}{}\n",
        files.join(" "),
        docs.len(),
        o.fit.epochs,
        o.fit.rate,
        o.fit.l2,
        o.fit.seed,
        o.folds,
        if o.by_file { " (one per corpus file)" } else { "" },
        o.min_df,
        o.prune,
        o.fit.positive_weight,
        o.target,
        o.target_hate,
        if o.gated.is_some() { ", hate thresholds gated by the pack's [model.requires]" } else { "" },
        if o.combined { ", thresholds on the rules and the model together" } else { "" }
    ));
    body.push_str(&format!("model\tcomments-lr\t{version}\n"));
    body.push_str(&format!("labels\t{}\n", LABELS.join("\t")));
    body.push_str(&format!("bias\t{}\n", m.b.iter().map(|x| num(*x)).collect::<Vec<_>>().join("\t")));
    body.push_str(&format!("threshold\t{}\n", thresholds.iter().map(|x| num(*x)).collect::<Vec<_>>().join("\t")));
    let kept = feature_lines(&vocab, &m, o.prune, &mut body);
    write_model(&out_path, &body, kept, pack_path.as_deref(), &version)?;
    Ok(())
}
