//! Train the screening pack's sentence model (`custodian_screening::model`): a logistic
//! regression over each sentence's word unigrams, bigrams and (with `--chars`) character
//! 4-grams, fitted by AdaGrad with L2 shrinkage in a fixed order from a fixed seed, so the same
//! files and options give the same model file byte for byte.
//!
//! A sentence is labelled covert when it overlaps a labelled covert span. Every labelled file
//! trains the final model. Each file whose name contains "dev" is also a fold of a
//! leave-one-writer-out cross-validation: the model is trained on every other file and scored
//! on that one, combined with the rules as the engine combines them (a sentence the rules
//! already found is not scored), and the fold's covert precision and recall are printed for
//! the rules alone and for rules with the model at each threshold. The threshold written is the
//! lowest at which the model's own findings, pooled over the folds, reach `--target-added`
//! (0.95) and no fold's combined precision falls below `--target` (0.95) or, for a fold already
//! below it with the rules alone, below that.
//!
//! `--rules FILE=PACK.toml` scores a fold with other rules than the built-in pack's: the pack as
//! it was before that writer's set was studied (`git show COMMIT:policy-pack/screening.toml`),
//! so the fold shows what the model adds for a writer the rules were not written from.
//!
//! ```sh
//! cargo run --release -p custodian-screening --example screening-train -- \
//!     --out policy-pack/screening-model.tsv --pack policy-pack/screening.toml --version 2026.12.6 \
//!     bench/screening/blind/dev.jsonl bench/screening/blind2/dev2.jsonl ...
//! ```
//!
//! `--names` measures a model of the same kind for names (6.3b) instead: one unit per run of
//! capitalised words (`model::name_candidates`), read with `model::name_feature_strings`; a
//! candidate any rule found, in any category, is not the model's to add. With `--out` it writes
//! the pack's name model (`policy-pack/screening-names-model.tsv`) and the pins of the pack's
//! `[name_model]` section.
//!
//! `--dump FILE` writes every held-out unit the rules did not take with its cross-validated score.
//!
//! `--extra FILE` adds hand-written sentences ("1<TAB>sentence" covert, "0<TAB>sentence" not) to
//! every fold's training. `--cv-only` prints the cross-validation and writes nothing. A file whose
//! name contains "sealed" is refused: sealed halves are only ever scored.

use std::collections::HashMap;

use custodian_screening::model::{feature_scale, feature_strings, name_candidates, sentences};
use custodian_screening::review::LabelledDraft;
use custodian_screening::{Category, Engine, Pack};
use custodian_textmodel::sigmoid;
use custodian_textmodel::train::{
    self, Doc, Fitting, Sum, feature_lines, index, num, refuse_sealed, vocabulary, write_model,
};

struct Opts {
    /// The fitting options (`--epochs`, `--rate`, `--l2`, `--seed`, `--positive-weight`).
    fit: Fitting,
    min_df: usize,
    prune: f32,
    chars: bool,
    target: f64,
    target_added: f64,
}

/// One sentence: its features, the file it came from, whether it is covert, and whether the
/// rules found covert tactics in it.
struct Sent {
    raw: Vec<String>,
    total: usize,
    file: usize,
    draft: usize,
    span: (usize, usize),
    y: bool,
    by_rules: bool,
}

struct Draft {
    file: usize,
    gold: Vec<(usize, usize)>,
    rules: Vec<(usize, usize)>,
}

struct Fitted {
    vocab: Vec<String>,
    fit: train::Fit,
    b: f32,
}

/// Fit on the sentences `which` (indices into `sents`), the vocabulary being every feature in
/// at least `min_df` of them.
fn fit(sents: &[Sent], which: &[usize], o: &Opts) -> Fitted {
    let vocab = vocabulary(which.iter().map(|&i| sents[i].raw.as_slice()), o.min_df);
    let index = index(&vocab);
    let docs: Vec<Doc> = which
        .iter()
        .map(|&i| {
            let s = &sents[i];
            Doc {
                feats: s.raw.iter().filter_map(|f| index.get(f.as_str()).copied()).collect(),
                scale: feature_scale(s.total),
                y: vec![s.y],
            }
        })
        .collect();
    let all: Vec<usize> = (0..docs.len()).collect();
    let fit = train::fit(&docs, &all, vocab.len(), 1, &o.fit);
    Fitted { vocab: vocab.into_iter().map(String::from).collect(), b: fit.b[0], fit }
}

impl Fitted {
    fn table(&self) -> HashMap<&str, f32> {
        self.vocab.iter().zip(&self.fit.w).map(|(k, w)| (k.as_str(), *w)).collect()
    }
}

fn predict(table: &HashMap<&str, f32>, b: f32, s: &Sent) -> f32 {
    let z: f32 = s.raw.iter().filter_map(|f| table.get(f.as_str())).sum();
    sigmoid(b + z * feature_scale(s.total))
}

/// Covert precision and recall of one file's drafts: the rules' findings, plus (when given)
/// the sentences the model scores at or above `t` that the rules did not already find.
#[derive(Default, Clone, Copy)]
struct Tally {
    predicted: usize,
    right: usize,
    gold: usize,
    found: usize,
    added: usize,
    added_right: usize,
}

impl Tally {
    fn p(&self) -> f64 {
        if self.predicted == 0 { 1.0 } else { self.right as f64 / self.predicted as f64 }
    }
    fn r(&self) -> f64 {
        if self.gold == 0 { 1.0 } else { self.found as f64 / self.gold as f64 }
    }
    fn ap(&self) -> f64 {
        if self.added == 0 { 1.0 } else { self.added_right as f64 / self.added as f64 }
    }
}

fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// With `with_rules` false, the model alone: every sentence it scores at or above `t`.
fn tally(
    drafts: &[Draft],
    sents: &[Sent],
    scores: &HashMap<usize, f32>,
    file: usize,
    t: f32,
    with_rules: bool,
) -> Tally {
    let mut added: Vec<Vec<(usize, usize)>> = vec![Vec::new(); drafts.len()];
    for (i, s) in sents.iter().enumerate() {
        if s.file == file && (!s.by_rules || !with_rules) && scores.get(&i).is_some_and(|p| *p >= t) {
            added[s.draft].push(s.span);
        }
    }
    let mut out = Tally::default();
    for (k, d) in drafts.iter().enumerate().filter(|(_, d)| d.file == file) {
        let none = Vec::new();
        let rules = if with_rules { &d.rules } else { &none };
        let preds: Vec<(usize, usize)> = rules.iter().chain(&added[k]).copied().collect();
        for p in &preds {
            out.predicted += 1;
            if d.gold.iter().any(|g| overlaps(*p, *g)) {
                out.right += 1;
            }
        }
        for a in &added[k] {
            out.added += 1;
            if d.gold.iter().any(|g| overlaps(*a, *g)) {
                out.added_right += 1;
            }
        }
        for g in &d.gold {
            out.gold += 1;
            if preds.iter().any(|p| overlaps(*p, *g)) {
                out.found += 1;
            }
        }
    }
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut files = Vec::new();
    let mut extra = Vec::new();
    let mut out_path = None;
    let mut pack_path = None;
    let mut version = None;
    let mut cv_only = false;
    let mut dump: Option<String> = None;
    let mut names = false;
    let mut rules_for: Vec<(String, String)> = Vec::new();
    let mut o = Opts {
        fit: Fitting { epochs: 20, rate: 0.3, l2: 1e-3, seed: 20_261_206, positive_weight: 1.0, sum: Sum::ScaledTotal },
        min_df: 2,
        prune: 0.01,
        chars: false,
        target: 0.95,
        target_added: 0.95,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--out" => out_path = Some(val()?),
            "--pack" => pack_path = Some(val()?),
            "--version" => version = Some(val()?),
            "--extra" => extra.push(val()?),
            "--rules" => {
                let v = val()?;
                let (f, p) = v.split_once('=').ok_or("--rules needs FILE=PACK.toml")?;
                rules_for.push((f.to_string(), p.to_string()));
            }
            "--cv-only" => cv_only = true,
            "--dump" => dump = Some(val()?),
            "--chars" => o.chars = true,
            "--names" => names = true,
            "--min-df" => o.min_df = val()?.parse()?,
            "--prune" => o.prune = val()?.parse()?,
            "--target" => o.target = val()?.parse()?,
            "--target-added" => o.target_added = val()?.parse()?,
            _ if o.fit.set(&a, &mut val)? => {}
            _ => files.push(a),
        }
    }
    if files.is_empty() {
        return Err("usage: screening-train [--out MODEL.tsv --pack PACK.toml --version V] FILE.jsonl...".into());
    }
    refuse_sealed(files.iter().chain(&extra))?;
    // The rules alone: the built-in pack without its model (and so without the saved examples,
    // which are checked against the pack with its model).
    let mut pack = Pack::builtin()?;
    pack.model = None;
    pack.model_text = None;
    pack.name_model = None;
    pack.name_model_text = None;
    pack.examples.clear();
    let engine = Engine::from_pack(&pack)?;
    // `--rules FILE=PACK`: the rules a file is scored with in the cross-validation, such as the
    // pack as it was before that writer's set was studied (its saved examples are not checked:
    // they were written for the engine of their day).
    let mut engines: HashMap<String, Engine> = HashMap::new();
    for (f, p) in &rules_for {
        let mut old = Pack::from_toml(&std::fs::read_to_string(p).map_err(|e| format!("reading {p}: {e}"))?)?;
        old.examples.clear();
        old.model = None;
        old.model_text = None;
        old.name_model = None;
        old.name_model_text = None;
        engines.insert(f.clone(), Engine::from_pack(&old).map_err(|e| format!("{p}: {e}"))?);
    }

    let mut drafts: Vec<Draft> = Vec::new();
    let mut sents: Vec<Sent> = Vec::new();
    for (fi, f) in files.iter().enumerate() {
        let text = std::fs::read_to_string(f).map_err(|e| format!("reading {f}: {e}"))?;
        let engine = engines.get(f).unwrap_or(&engine);
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let d: LabelledDraft = serde_json::from_str(line).map_err(|e| format!("{f}:{}: {e}", i + 1))?;
            let (cat, cat_name) =
                if names { (Category::PersonalName, "personal.name") } else { (Category::Covert, "covert") };
            let gold: Vec<(usize, usize)> =
                d.spans.iter().filter(|s| s.category == cat_name).map(|s| (s.start, s.end)).collect();
            let found = engine.screen(&d.text).findings;
            let rules: Vec<(usize, usize)> =
                found.iter().filter(|x| x.category == cat).map(|x| (x.start, x.end)).collect();
            // A name candidate any rule found (in any category) is not the model's to add.
            let any: Vec<(usize, usize)> = found.iter().map(|x| (x.start, x.end)).collect();
            let units = if names { name_candidates(&d.text) } else { sentences(&d.text) };
            for span in units {
                let (raw, total) = if names {
                    engine.name_feature_strings(&d.text, span.0, span.1)
                } else {
                    feature_strings(&d.text[span.0..span.1], o.chars)
                };
                let taken = if names { &any } else { &rules };
                sents.push(Sent {
                    raw,
                    total,
                    file: fi,
                    draft: drafts.len(),
                    span,
                    y: gold.iter().any(|g| overlaps(*g, span)),
                    by_rules: taken.iter().any(|r| overlaps(*r, span)),
                });
            }
            drafts.push(Draft { file: fi, gold, rules });
        }
    }
    let extra_file = files.len();
    for f in &extra {
        let text = std::fs::read_to_string(f).map_err(|e| format!("reading {f}: {e}"))?;
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#')) {
            let (y, s) = line.split_once('\t').ok_or_else(|| format!("{f}:{}: no tab", i + 1))?;
            let (raw, total) = feature_strings(s, o.chars);
            sents.push(Sent {
                raw,
                total,
                file: extra_file,
                draft: usize::MAX,
                span: (0, 0),
                y: y == "1",
                by_rules: false,
            });
        }
    }
    let positives = sents.iter().filter(|s| s.y).count();
    let (what, units) = if names { ("personal.name", "name candidates") } else { ("covert", "sentences") };
    eprintln!("{} drafts, {} {units}, {positives} {what}", drafts.len(), sents.len());

    // Leave one writer out.
    let folds: Vec<usize> = (0..files.len()).filter(|&i| files[i].contains("dev")).collect();
    let grid: Vec<f32> = (10..=39).map(|k| k as f32 * 0.025).collect();
    let mut scores: HashMap<usize, f32> = HashMap::new();
    for &f in &folds {
        let train_ids: Vec<usize> = (0..sents.len()).filter(|&i| sents[i].file != f).collect();
        let m = fit(&sents, &train_ids, &o);
        let table = m.table();
        for (i, s) in sents.iter().enumerate().filter(|(_, s)| s.file == f) {
            scores.insert(i, predict(&table, m.b, s));
        }
        eprintln!("fold {} trained", files[f]);
    }
    // `--dump FILE`: every held-out unit the rules did not take, with its cross-validated score,
    // its label, its file and its text in context (tab-separated), for studying what the model
    // adds and what it gets wrong.
    if let Some(dump) = &dump {
        let texts: Vec<String> = files
            .iter()
            .flat_map(|f| {
                std::fs::read_to_string(f)
                    .unwrap_or_default()
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| serde_json::from_str::<LabelledDraft>(l).map(|d| d.text).unwrap_or_default())
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut out = String::new();
        for (i, s) in sents.iter().enumerate() {
            if let (Some(p), false) = (scores.get(&i), s.by_rules) {
                let t = &texts[s.draft];
                let a = t[..s.span.0].char_indices().rev().nth(40).map_or(0, |x| x.0);
                let b = t[s.span.1..].char_indices().nth(40).map_or(t.len(), |x| s.span.1 + x.0);
                out.push_str(&format!(
                    "{p:.3}\t{}\t{}\t{}\t{}\n",
                    u8::from(s.y),
                    files[s.file].rsplit('/').next().unwrap_or(""),
                    &t[s.span.0..s.span.1],
                    t[a..b].replace('\n', " ")
                ));
            }
        }
        std::fs::write(dump, out)?;
    }
    println!("Cross-validation, leave one writer out: {what} precision / recall of each held-out file");
    println!("(rules alone; rules with the model at threshold t; `added` = the model's own findings, right/all)");
    println!();
    let mut head = String::from("| t |");
    for &f in &folds {
        head.push_str(&format!(" {} |", files[f].rsplit('/').next().unwrap_or(&files[f])));
    }
    head.push_str(" pooled | added |");
    println!("{head}");
    println!("|---|{}---|---|", "---|".repeat(folds.len()));
    // A fold already under the precision target with the rules alone must not fall further.
    let floor: HashMap<usize, f64> =
        folds.iter().map(|&f| (f, tally(&drafts, &sents, &scores, f, f32::INFINITY, true).p().min(o.target))).collect();
    let row = |t: Option<f32>, with_rules: bool| -> (String, bool, Tally) {
        let mut line = match t {
            Some(t) => format!("| {t:.3} |"),
            None => "| rules |".into(),
        };
        let mut pooled = Tally::default();
        let mut kept = true;
        for &f in &folds {
            let x = tally(&drafts, &sents, &scores, f, t.unwrap_or(f32::INFINITY), with_rules);
            line.push_str(&format!(" {:.2} / {:.2} |", x.p(), x.r()));
            kept &= x.p() >= floor[&f] - 1e-9;
            pooled.predicted += x.predicted;
            pooled.right += x.right;
            pooled.gold += x.gold;
            pooled.found += x.found;
            pooled.added += x.added;
            pooled.added_right += x.added_right;
        }
        line.push_str(&format!(" {:.2} / {:.2} | {}/{} |", pooled.p(), pooled.r(), pooled.added_right, pooled.added));
        (line, kept, pooled)
    };
    println!("{}", row(None, true).0);
    let mut chosen: Option<(f32, Tally)> = None;
    for &t in &grid {
        let (line, kept, pooled) = row(Some(t), true);
        println!("{line}");
        if chosen.is_none() && kept && pooled.ap() >= o.target_added {
            chosen = Some((t, pooled));
        }
    }
    println!();
    println!("The model alone (every unit at or above t, the rules' findings ignored): the proxy for a writer");
    println!("whose phrasings no rule was written from.");
    println!();
    println!("{head}");
    println!("|---|{}---|---|", "---|".repeat(folds.len()));
    for &t in &grid {
        println!("{}", row(Some(t), false).0);
    }
    let Some((t, at)) = chosen else {
        println!(
            "\nNo threshold keeps every fold's precision at {} with the model's own findings at {}.",
            o.target, o.target_added
        );
        return Ok(());
    };
    let rules = row(None, true).2;
    println!(
        "\nchosen threshold {t:.3}: pooled {:.3} / {:.3} against the rules' {:.3} / {:.3}; the model's own findings {}/{} right \
         (the lowest threshold at which they reach {} and no fold's precision falls below {} or below its rules' own)",
        at.p(),
        at.r(),
        rules.p(),
        rules.r(),
        at.added_right,
        at.added,
        o.target_added,
        o.target
    );
    if cv_only {
        return Ok(());
    }
    let out_path = out_path.ok_or("--out MODEL.tsv is needed to write a model")?;
    let all: Vec<usize> = (0..sents.len()).collect();
    let m = fit(&sents, &all, &o);
    let version = version.unwrap_or_else(|| "1".into());
    let mut body = String::new();
    if names {
        body.push_str(
            "# Custodian screening name model (WP034 6.3b): names of members of the public, logistic regression\n",
        );
        body.push_str("# over runs of capitalised words (custodian_screening::model::for_each_name_feature).\n");
    } else {
        body.push_str(
            "# Custodian screening sentence model (WP034 6.3a, 6.3d): covert tactics, logistic regression.\n",
        );
    }
    body.push_str(
        "# Written by bench/screening/train.rs; do not edit by hand: retrain and the pack's sha256 follows.\n",
    );
    body.push_str(&format!(
        "# Trained on: {}\n# sentences {}, covert {positives}, epochs {}, rate {}, l2 {}, seed {}, min_df {}, prune {}, positive_weight {}, chars {}, target {}, target_added {}\n",
        files.iter().chain(&extra).cloned().collect::<Vec<_>>().join(" "),
        sents.len(),
        o.fit.epochs,
        o.fit.rate,
        o.fit.l2,
        o.fit.seed,
        o.min_df,
        o.prune,
        o.fit.positive_weight,
        o.chars,
        o.target,
        o.target_added
    ));
    let (model_name, category) =
        if names { ("screening-names", "personal.name") } else { ("screening-covert", "covert") };
    body.push_str(&format!(
        "model\t{model_name}\t{version}\ncategory\t{category}\nbias\t{}\nthreshold\t{}\n",
        num(m.b),
        num(t)
    ));
    let kept = feature_lines(&m.vocab, &m.fit, o.prune, &mut body);
    if names {
        // The pack's [name_model] section, not its [model], takes the new pin.
        write_model(&out_path, &body, kept, None, &version)?;
        if let Some(p) = &pack_path {
            let pack = std::fs::read_to_string(p)?;
            let out = custodian_textmodel::train::repin_section(
                &pack,
                "[name_model]",
                &version,
                &custodian_screening::sha256_hex(&body),
            )
            .ok_or_else(|| format!("{p}: no [name_model] section with version and sha256 lines to update"))?;
            std::fs::write(p, out)?;
            eprintln!("updated {p}");
        }
    } else {
        write_model(&out_path, &body, kept, pack_path.as_deref(), &version)?;
    }
    Ok(())
}
