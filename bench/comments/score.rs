//! Per-label precision, recall and F1 of the built-in comment triage pack over a labelled
//! corpus (one `{"id","text","labels":[...]}` per line; other fields are ignored).
//!
//! `cargo run --release --example comments-score -- FILE.jsonl... [--misses] [--pack PACK.toml]
//! [--combine union|rules|model] [--no-examples] [--staff STAFF.csv]` (`--combine` measures the
//! rules or the model alone; `--no-examples` loads a `--pack` without running its saved
//! examples, to measure a candidate model before the examples are settled; `--staff` gives the
//! triage the people register's names, header `staff_number,given_name,family_name,rank,
//! collar_number`, as the server gives it the register).
//! `--misses` lists each miss and false alarm with its comment; it is refused for a file whose
//! name contains "sealed" or whose ids start "cs-" or "cNs-" ("c2s-", "c7s-", ...), so
//! the sealed half is only ever scored in aggregate.

use std::collections::BTreeMap;

use custodian_comments::{Combine, Engine, LABELS, Pack, StaffIndex};
use serde::Deserialize;

#[derive(Deserialize)]
struct Labelled {
    id: String,
    text: String,
    labels: Vec<String>,
}

#[derive(Default, Clone, Copy)]
struct Count {
    gold: usize,
    predicted: usize,
    right: usize,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut files = Vec::new();
    let mut misses = false;
    let mut pack = None;
    let mut combine = None;
    let mut no_examples = false;
    let mut staff = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--misses" => misses = true,
            "--no-examples" => no_examples = true,
            "--pack" => pack = Some(args.next().ok_or("--pack needs a file")?),
            "--staff" => {
                let f = args.next().ok_or("--staff needs a file")?;
                staff = Some(StaffIndex::from_path(std::path::Path::new(&f))?);
            }
            "--combine" => combine = Some(args.next().ok_or("--combine needs union, rules or model")?),
            _ => files.push(a),
        }
    }
    if files.is_empty() {
        return Err("usage: comments-score FILE.jsonl... [--misses] [--pack PACK.toml] [--staff STAFF.csv]".into());
    }
    if misses && files.iter().any(|f| f.contains("sealed")) {
        return Err("--misses is refused for a sealed set: it is only ever scored".into());
    }
    let mut engine = match pack {
        Some(p) => {
            let mut pack = Pack::from_path(std::path::Path::new(&p))?;
            if no_examples {
                pack.examples.clear();
            }
            Engine::from_pack(&pack)?
        }
        None => Engine::builtin()?,
    };
    if let Some(c) = combine {
        engine.set_combine(Combine::parse(&c).ok_or("--combine must be union, rules or model")?);
    }
    if let Some(s) = &staff {
        println!("staff register: {} people", s.len());
    }
    if let Some(m) = engine.model() {
        println!(
            "model {} {} ({} features), combined with the rules by {:?}",
            m.name,
            m.version,
            m.features(),
            engine.combine()
        );
    }
    for f in &files {
        let text = std::fs::read_to_string(f).map_err(|e| format!("reading {f}: {e}"))?;
        let mut items = Vec::new();
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let c: Labelled = serde_json::from_str(line).map_err(|e| format!("{f}:{}: {e}", i + 1))?;
            if misses && sealed_id(&c.id) {
                return Err("--misses is refused for a sealed set: it is only ever scored".into());
            }
            items.push(c);
        }
        let mut counts: BTreeMap<&str, Count> = LABELS.iter().map(|l| (*l, Count::default())).collect();
        let (mut exact, mut none_gold, mut none_right) = (0, 0, 0);
        let mut lines = Vec::new();
        for c in &items {
            let t = engine.triage_with_staff(&c.text, staff.as_ref());
            let found: Vec<&str> = t.labels.iter().map(|l| l.label).collect();
            for l in LABELS {
                let g = c.labels.iter().any(|x| x == l);
                let p = found.contains(&l);
                let e = counts.entry(l).or_default();
                e.gold += g as usize;
                e.predicted += p as usize;
                e.right += (g && p) as usize;
                if misses && g != p {
                    let what = if g { "missed" } else { "unexpected" };
                    let m = t.labels.iter().find(|x| x.label == l).map(|x| x.matched.clone()).unwrap_or_default();
                    lines.push(format!("{l}\t{what}\t{}\t{m:?}\t{:?}\tgold={:?}", c.id, c.text, c.labels));
                }
            }
            let mut g: Vec<&str> = c.labels.iter().map(|s| s.as_str()).collect();
            g.sort();
            let mut p = found.clone();
            p.sort();
            exact += (g == p) as usize;
            if g.is_empty() {
                none_gold += 1;
                none_right += p.is_empty() as usize;
            }
        }
        println!("{f}: {} comments, {none_gold} with no label", items.len());
        println!("| label | labelled | found | right | precision | recall | F1 |");
        println!("|---|---:|---:|---:|---:|---:|---:|");
        let mut all = Count::default();
        for (l, c) in &counts {
            let (p, r) = (ratio(c.right, c.predicted), ratio(c.right, c.gold));
            let f1 = if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) };
            println!("| {l} | {} | {} | {} | {p:.3} | {r:.3} | {f1:.3} |", c.gold, c.predicted, c.right);
            all.gold += c.gold;
            all.predicted += c.predicted;
            all.right += c.right;
        }
        let (p, r) = (ratio(all.right, all.predicted), ratio(all.right, all.gold));
        println!(
            "| all (micro) | {} | {} | {} | {p:.3} | {r:.3} | {:.3} |",
            all.gold,
            all.predicted,
            all.right,
            2.0 * p * r / (p + r)
        );
        println!(
            "exact label set: {exact}/{} ({:.3}); ordinary comments left unlabelled: {none_right}/{none_gold}",
            items.len(),
            ratio(exact, items.len())
        );
        for l in lines {
            println!("{l}");
        }
    }
    Ok(())
}

/// A sealed half's id: "cs-" or "c" and digits then "s-" ("c2s-0001", "c7s-0001").
fn sealed_id(id: &str) -> bool {
    let Some(rest) = id.strip_prefix('c') else { return false };
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
    rest.starts_with("s-")
}
