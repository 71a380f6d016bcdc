//! Time and memory of the lawful business monitoring draw (WP034 5.4) at national scale:
//! 250,000 people in 1,000 business areas, five selected per area.
//!
//! Builds the verification bundle (population hash, seed, every score, selection and reserve
//! lists) and then verifies it, as `custodian monitoring export` and `verify` do. Each is timed
//! by the wall clock and by the CPU time the process used (`/proc/self/stat`, Linux), which a
//! busy machine inflates less. Peak memory is the process's peak resident set (`VmHWM` in
//! `/proc/self/status`), read before the population is generated, after it is generated, and
//! after the draws and verifications.
//!
//! ```text
//! cargo run --release -p custodian-domain --example monitoring_draw_bench
//! ```

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use custodian_domain::monitoring::{Bundle, Member, commitment_of, verify_bundle};

const PEOPLE: usize = 250_000;
const AREAS: usize = 1_000;
const SAMPLE: u32 = 5;
const RUNS: usize = 10;

/// Peak resident set size in KiB, from `/proc/self/status`; `None` off Linux.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// User plus system CPU time of this process so far, from `/proc/self/stat`; `None` off Linux.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    // Linux reports clock ticks of 1/100 s (USER_HZ) to user space.
    Some(Duration::from_millis((utime + stime) * 10))
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or_else(|| "n/a".to_string(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let before = peak_rss_kib();
    // Staff numbers are unique; areas are assigned round-robin with a stride so each area's
    // members are spread through the list, as in a real export.
    let population: Vec<Member> = (0..PEOPLE)
        .map(|i| Member::new(format!("Business Area {:04}", (i * 7919) % AREAS), format!("S{:07}", 1_000_000 + i)))
        .collect();
    let sample_sizes: BTreeMap<String, u32> = (0..AREAS).map(|a| (format!("Business Area {a:04}"), SAMPLE)).collect();
    let generated = peak_rss_kib();
    let secret = "correct horse battery staple";
    let commitment = commitment_of(secret);
    let beacon = "drand quicknet round 12345678: 4ad9c6d8d5b5e6e2f1a0";

    let mut draws = Vec::with_capacity(RUNS);
    let mut verifies = Vec::with_capacity(RUNS);
    let (mut draw_cpu, mut verify_cpu) = (Duration::ZERO, Duration::ZERO);
    let mut selected = 0;
    for _ in 0..RUNS {
        let (t, c) = (Instant::now(), cpu_time());
        let bundle = Bundle::build(&population, sample_sizes.clone(), &commitment, beacon, secret)?;
        draws.push(t.elapsed());
        draw_cpu += cpu_time().zip(c).map(|(a, b)| a.saturating_sub(b)).unwrap_or_default();
        selected = bundle.selected.values().map(Vec::len).sum::<usize>();
        let (t, c) = (Instant::now(), cpu_time());
        let differences = verify_bundle(&bundle);
        verifies.push(t.elapsed());
        verify_cpu += cpu_time().zip(c).map(|(a, b)| a.saturating_sub(b)).unwrap_or_default();
        if !differences.is_empty() {
            return Err(format!("the bundle does not verify: {differences:?}").into());
        }
    }
    let after = peak_rss_kib();

    println!("monitoring draw: {PEOPLE} people in {AREAS} areas, k = {SAMPLE} per area, {selected} selected");
    // One line a measured step: wall-clock median, min and max, and CPU a run, in ms.
    let report = |what: &str, times: &[Duration], cpu: Duration| {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let (min, max) =
            (times.iter().min().copied().unwrap_or_default(), times.iter().max().copied().unwrap_or_default());
        println!(
            "{what:<20} wall median {:.0} ms (min {:.0}, max {:.0}), CPU {:.0} ms per run, over {RUNS} runs",
            ms(median(times.to_vec())),
            ms(min),
            ms(max),
            ms(cpu) / RUNS as f64
        );
    };
    report("draw (build bundle):", &draws, draw_cpu);
    report("verify bundle:", &verifies, verify_cpu);
    println!(
        "peak resident memory: {} at start, {} with the population, {} after drawing and verifying",
        mib(before),
        mib(generated),
        mib(after)
    );
    Ok(())
}
