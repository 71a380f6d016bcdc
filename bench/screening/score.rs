//! Per-category precision and recall of the built-in screening pack over labelled drafts, scored
//! as the tests and `compare_presidio.py` score them (a finding is right when it overlaps a gold
//! span of its category; a gold span is found when a finding of its category overlaps it).
//!
//! `cargo run --release -p custodian-screening --example screening-score -- FILE.jsonl [--misses]
//! [--pack PACK.toml]`. `--misses` lists each miss and false alarm with its draft id and text; it
//! is refused for a file whose name contains "sealed", so the sealed half is only ever scored.

use std::collections::BTreeMap;

use custodian_screening::review::{LabelledDraft, score};
use custodian_screening::{Engine, Pack};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut files = Vec::new();
    let mut misses = false;
    let mut pack = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--misses" => misses = true,
            "--pack" => pack = Some(args.next().ok_or("--pack needs a file")?),
            _ => files.push(a),
        }
    }
    if files.is_empty() {
        return Err("usage: screening-score FILE.jsonl... [--misses] [--pack PACK.toml]".into());
    }
    if misses && files.iter().any(|f| f.contains("sealed")) {
        return Err("--misses is refused for a sealed set: it is only ever scored".into());
    }
    let engine = match pack {
        Some(p) => Engine::from_pack(&Pack::from_path(std::path::Path::new(&p))?)?,
        None => Engine::builtin()?,
    };
    for f in &files {
        let text = std::fs::read_to_string(f).map_err(|e| format!("reading {f}: {e}"))?;
        let mut drafts: Vec<LabelledDraft> = Vec::new();
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let d: LabelledDraft = serde_json::from_str(line).map_err(|e| format!("{f}:{}: {e}", i + 1))?;
            for s in &d.spans {
                if d.text.get(s.start..s.end) != Some(s.matched.as_str()) {
                    return Err(format!("{f}:{}: span {}..{} is not {:?}", i + 1, s.start, s.end, s.matched).into());
                }
            }
            drafts.push(d);
        }
        let by_id: BTreeMap<&str, &str> = drafts.iter().map(|d| (d.id.as_str(), d.text.as_str())).collect();
        let (scores, found) = score(&engine, &drafts);
        let clean = drafts.iter().filter(|d| d.spans.is_empty()).count();
        println!("{f}: {} drafts ({clean} with no labelled span)", drafts.len());
        println!("| category | labelled | found | precision | recall |");
        println!("|---|---:|---:|---:|---:|");
        let mut all = custodian_screening::review::Score::default();
        for (c, s) in &scores {
            println!("| {c} | {} | {} | {:.2} | {:.2} |", s.gold, s.predicted, s.precision(), s.recall());
            all.gold += s.gold;
            all.gold_found += s.gold_found;
            all.predicted += s.predicted;
            all.predicted_right += s.predicted_right;
        }
        println!("| all | {} | {} | {:.2} | {:.2} |", all.gold, all.predicted, all.precision(), all.recall());
        if misses {
            for m in &found {
                let what = if m.missed { "missed" } else { "unexpected" };
                println!("{}: {what} {} {:?} in {:?}", m.draft, m.category, m.matched, by_id.get(m.draft.as_str()));
            }
        }
    }
    Ok(())
}
