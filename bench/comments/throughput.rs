//! Triage throughput of the built-in pack on one thread: every comment of a JSONL file
//! (`{"id","text",...}` per line), repeated until at least `--min` comments (default 200,000)
//! have been triaged; first the engine alone, then the command's own code
//! (`custodian_comments::cli::run`, which `custodian comments triage --jsonl` calls: reading
//! each line as JSON, triaging it and writing its JSON line) over the same lines in memory.
//!
//! `cargo run --release --example comments-throughput -- FILE.jsonl [--min N] [--combine rules|model|union]
//! [--staff STAFF.csv]` (`--combine` applies to the engine measurement only; the command's code
//! path always uses the built-in pack as shipped; `--staff` gives both the people register's
//! names, as `custodian comments triage --staff` and the server do).

use std::time::Instant;

use custodian_comments::Engine;

/// Nanoseconds this thread has spent on a CPU (Linux `/proc/thread-self/schedstat`), so a
/// busy shared machine does not count other processes' time against the triage.
fn cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat").ok()?.split_whitespace().next()?.parse().ok()
}

fn report(what: &str, n: usize, wall: f64, cpu: Option<(u64, u64)>) {
    let cpu = cpu.map(|(a, b)| (b.saturating_sub(a)) as f64 / 1e9);
    match cpu {
        Some(c) => println!(
            "{what}: {n} comments, {wall:.3} s wall ({:.0}/s), {c:.3} s on the CPU: {:.0} comments per CPU-second",
            n as f64 / wall,
            n as f64 / c
        ),
        None => println!("{what}: {n} comments in {wall:.3} s: {:.0} comments/s", n as f64 / wall),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let file = args.next().ok_or("usage: comments-throughput FILE.jsonl [--min N]")?;
    let mut min = 200_000usize;
    let mut combine = None;
    let mut staff_file = None;
    while let Some(a) = args.next() {
        if a == "--min" {
            min = args.next().ok_or("--min needs a number")?.parse()?;
        } else if a == "--combine" {
            combine = Some(args.next().ok_or("--combine needs union, rules or model")?);
        } else if a == "--staff" {
            staff_file = Some(std::path::PathBuf::from(args.next().ok_or("--staff needs a file")?));
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
    let mut engine = Engine::builtin()?;
    if let Some(c) = &combine {
        engine.set_combine(custodian_comments::Combine::parse(c).ok_or("--combine must be union, rules or model")?);
    }
    println!("combined by {:?}", engine.combine());
    let staff = staff_file.as_deref().map(custodian_comments::StaffIndex::from_path).transpose()?;
    if let Some(s) = &staff {
        println!("staff register: {} people", s.len());
    }
    // Warm up (the lazy DFAs fill their caches).
    let mut labels = 0usize;
    for t in &texts {
        labels += engine.triage_with_staff(t, staff.as_ref()).labels.len();
    }
    let start = Instant::now();
    let cpu0 = cpu_ns();
    let mut n = 0usize;
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    let mut rounds = 0usize;
    while n < min {
        for t in &texts {
            labels += engine.triage_with_staff(t, staff.as_ref()).labels.len();
        }
        n += texts.len();
        rounds += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    let cpu1 = cpu_ns();
    println!(
        "{rounds} rounds of {} comments, {:.1} MB of text, {labels} labels",
        texts.len(),
        (bytes * rounds) as f64 / 1e6
    );
    report("engine", n, secs, cpu0.zip(cpu1));
    // The command's code path, JSON in and out, over the file repeated in memory.
    let raw = std::fs::read(&file)?;
    let mut input = Vec::with_capacity(raw.len() * rounds);
    for _ in 0..rounds {
        input.extend_from_slice(&raw);
    }
    let opts = custodian_comments::cli::Options { staff: staff_file.clone(), ..Default::default() };
    let mut out = Vec::with_capacity(input.len() * 2);
    let mut err = Vec::new();
    let start = Instant::now();
    let cpu0 = cpu_ns();
    let code = custodian_comments::cli::run(&opts, &mut input.as_slice(), &mut out, &mut err);
    let secs = start.elapsed().as_secs_f64();
    let cpu1 = cpu_ns();
    if code != custodian_comments::cli::OK {
        return Err(String::from_utf8_lossy(&err).into_owned().into());
    }
    let lines = out.iter().filter(|&&b| b == b'\n').count();
    report("command code path (pack compiled, JSON lines in and out)", lines, secs, cpu0.zip(cpu1));
    Ok(())
}
