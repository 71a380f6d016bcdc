//! Triage throughput of the built-in pack on one thread: every comment of a JSONL file
//! (`{"id","text",...}` per line), repeated until at least `--min` comments (default 200,000)
//! have been triaged. Engine only; the command line's throughput, parsing and writing JSON
//! included, is measured with `custodian comments triage` (docs/comments.md).
//!
//! `cargo run --release --example comments-throughput -- FILE.jsonl [--min N]`

use std::time::Instant;

use custodian_comments::Engine;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let file = args.next().ok_or("usage: comments-throughput FILE.jsonl [--min N]")?;
    let mut min = 200_000usize;
    while let Some(a) = args.next() {
        if a == "--min" {
            min = args.next().ok_or("--min needs a number")?.parse()?;
        }
    }
    let texts: Vec<String> = std::fs::read_to_string(&file)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str::<serde_json::Value>(l).map(|v| v["text"].as_str().unwrap_or("").to_string()))
        .collect::<Result<_, _>>()?;
    if texts.is_empty() {
        return Err("no comments".into());
    }
    let engine = Engine::builtin()?;
    // Warm up (the lazy DFAs fill their caches).
    let mut labels = 0usize;
    for t in &texts {
        labels += engine.triage(t).labels.len();
    }
    let start = Instant::now();
    let mut n = 0usize;
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    let mut rounds = 0usize;
    while n < min {
        for t in &texts {
            labels += engine.triage(t).labels.len();
        }
        n += texts.len();
        rounds += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{n} comments ({} rounds of {}, {:.1} MB) in {secs:.3} s: {:.0} comments/s, {:.1} MB/s ({labels} labels)",
        rounds,
        texts.len(),
        (bytes * rounds) as f64 / 1e6,
        n as f64 / secs,
        (bytes * rounds) as f64 / 1e6 / secs
    );
    Ok(())
}
