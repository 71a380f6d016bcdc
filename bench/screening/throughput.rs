//! Release-mode throughput of the screening engine over the labelled corpus: every draft
//! screened in turn, repeatedly, on one thread. Run with
//! `cargo run --release -p custodian-screening --example screening-throughput -- [CORPUS.jsonl...]`;
//! with `--jsonl` it is `custodian screen --jsonl` instead. With `--passes N` it screens the
//! drafts exactly N times after the warm-up pass instead of for five seconds: the instruction
//! count (`valgrind --tool=callgrind`) of `--passes 2` less that of `--passes 1` is the cost of
//! one pass once every lazily compiled pattern (libphonenumber's among them) has been built.

use std::time::{Duration, Instant};

use custodian_screening::Engine;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut files: Vec<String> = std::env::args().skip(1).collect();
    let mut passes: Option<usize> = None;
    if let Some(i) = files.iter().position(|a| a == "--passes") {
        let n = files.get(i + 1).ok_or("--passes needs a number")?.parse()?;
        passes = Some(n);
        files.drain(i..i + 2);
    }
    // `--jsonl` behaves exactly as `custodian screen --jsonl` (the same function), so the
    // comparison script can score the engine without building the whole server.
    if files.first().map(String::as_str) == Some("--jsonl") {
        let opts = custodian_screening::cli::Options { jsonl: true, ..Default::default() };
        let code = custodian_screening::cli::run(
            &opts,
            &mut std::io::stdin().lock(),
            &mut std::io::stdout().lock(),
            &mut std::io::stderr().lock(),
        );
        std::process::exit(i32::from(code));
    }
    if files.is_empty() {
        files.push(concat!(env!("CARGO_MANIFEST_DIR"), "/corpus.jsonl").to_string());
    }
    let mut texts = Vec::new();
    for f in &files {
        for line in std::fs::read_to_string(f)?.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line)?;
            texts.push(v["text"].as_str().unwrap_or_default().to_string());
        }
    }
    let build = Instant::now();
    let engine = Engine::builtin()?;
    let build = build.elapsed();
    // Warm up, then measure whole passes for at least five seconds.
    let mut findings = 0usize;
    for t in &texts {
        findings += engine.screen(t).findings.len();
    }
    let start = Instant::now();
    let mut posts = 0usize;
    while passes.map_or(start.elapsed() < Duration::from_secs(5), |n| posts < n * texts.len()) {
        for t in &texts {
            findings += std::hint::black_box(engine.screen(t)).findings.len();
        }
        posts += texts.len();
    }
    let secs = start.elapsed().as_secs_f64();
    let bytes: usize = texts.iter().map(String::len).sum();
    // The gate's cache: its room, and how often it was cleared because it was full.
    let gate = engine.gate_cache().map_or_else(String::new, |g| {
        format!(
            ", \"gate_nfa_states\": {}, \"gate_byte_classes\": {}, \"gate_cache_mib\": {:.0}, \"gate_cache_clears\": {}, \"gate_cache_grown\": {}, \"gate_cache_peak_mib\": {:.1}",
            g.nfa_states,
            g.byte_classes,
            g.capacity_bytes as f64 / 1048576.0,
            g.clears,
            g.grown,
            g.peak_bytes as f64 / 1048576.0
        )
    });
    println!(
        "{{\"posts\": {posts}, \"seconds\": {secs:.3}, \"posts_per_second\": {:.0}, \"microseconds_per_post\": {:.2}, \"mean_bytes_per_post\": {:.0}, \"engine_build_ms\": {:.1}, \"findings_seen\": {findings}{gate}}}",
        posts as f64 / secs,
        secs * 1e6 / posts as f64,
        bytes as f64 / texts.len() as f64,
        build.as_secs_f64() * 1e3
    );
    Ok(())
}
