//! Throughput check for `custodian audit verify`: builds N audit events in memory (default
//! 1,000,000) with the leaf hashes and roots a store would have recorded, then times feeding them
//! through `audit::Verifier` and prints events per second.
//!
//! Usage: `cargo run --release -p custodian-domain --example audit_verify_bench -- [N] [OUT]`
//!
//! Besides wall-clock rates it prints rates per CPU-second of this thread (from Linux
//! `/proc/thread-self/schedstat`), which stay meaningful on a shared, busy machine.
//!
//! If OUT is given, the canonical bytes of every event are written to it back to back, so that
//! `time sha256sum OUT` shows the raw SHA-256 throughput of this machine for comparison.

use std::error::Error;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::time::{Duration, Instant};

use custodian_domain::audit::{
    CHAIN_START, EventRecord, Frontier, Hash, Verifier, canonical_bytes_into, chain_hash, digest_json, leaf_hash,
};

/// A realistic event: a device allocation under WP034 4.1 with digests and a small JSON detail.
fn make_event(seq: u64) -> EventRecord {
    let millis = 1_750_000_000_000 + seq / 4;
    let mut rand = [0u8; 10];
    rand[2..].copy_from_slice(&seq.to_be_bytes());
    let id = uuid::Builder::from_unix_timestamp_millis(millis, &rand).into_uuid();
    let device = uuid::Uuid::from_u128(u128::from(seq).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835));
    EventRecord {
        seq,
        id,
        at_us: 1_750_000_000_000_000 + i64::try_from(seq).unwrap_or(i64::MAX) / 4 * 1_000,
        actor: format!("person:A{:04}", seq % 10_000),
        action: "device.allocate".to_owned(),
        subject: format!("device:{device}"),
        clause: Some("4.1".to_owned()),
        justification: seq.is_multiple_of(5).then(|| "replacement for a damaged handset".to_owned()),
        before_digest: (seq % 2 == 1).then(|| digest_json(&serde_json::json!({ "seq": seq, "state": "stock" }))),
        after_digest: Some(digest_json(&serde_json::json!({ "seq": seq, "state": "allocated" }))),
        detail: format!(r#"{{"imei":"35693803{:07}","model":"Pixel 8"}}"#, seq % 10_000_000),
    }
}

fn rate(n: u64, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

/// CPU time this thread has run, if the platform reports it.
fn thread_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// Runs `f`, returning its wall-clock and on-CPU durations.
fn timed(f: impl FnOnce()) -> (Duration, Option<Duration>) {
    let cpu0 = thread_cpu();
    let t = Instant::now();
    f();
    let wall = t.elapsed();
    let cpu = cpu0.zip(thread_cpu()).map(|(a, b)| b.saturating_sub(a));
    (wall, cpu)
}

fn report(what: &str, n: u64, bytes: usize, (wall, cpu): (Duration, Option<Duration>)) {
    let mb_s = |d: Duration| bytes as f64 / d.as_secs_f64() / 1e6;
    print!("{what}: {wall:.2?} wall, {:.0} events/s ({:.0} MB/s of canonical bytes)", rate(n, wall), mb_s(wall));
    match cpu {
        Some(cpu) => println!("; {cpu:.2?} on CPU, {:.0} events per CPU-second", rate(n, cpu)),
        None => println!(),
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let n: u64 = match args.next() {
        Some(a) => a.parse()?,
        None => 1_000_000,
    };
    let out_path = args.next();

    let started = Instant::now();
    let events: Vec<EventRecord> = (0..n).map(make_event).collect();
    let mut frontier = Frontier::new();
    let mut chain = CHAIN_START;
    let mut buf = Vec::new();
    let mut canonical_total = 0usize;
    let stored: Vec<(Hash, Hash)> = events
        .iter()
        .map(|e| {
            canonical_bytes_into(e, &mut buf);
            canonical_total += buf.len();
            let leaf = leaf_hash(&buf);
            frontier.push(leaf);
            chain = chain_hash(&chain, &leaf);
            (leaf, chain)
        })
        .collect();
    println!(
        "built {n} events ({:.1} canonical bytes each) and their stored leaves and chain in {:.2?}",
        canonical_total as f64 / n.max(1) as f64,
        started.elapsed()
    );

    // Encoding and leaf hashing alone, to show how the verifier's time splits.
    let mut check = 0u8;
    let leaves_only = timed(|| {
        for e in &events {
            canonical_bytes_into(e, &mut buf);
            check ^= leaf_hash(&buf)[0];
        }
    });
    report("encode + leaf hash only", n, canonical_total, leaves_only);
    std::hint::black_box(check);

    let mut verifier = Verifier::new(&[n]);
    let mut outcome = Ok(());
    let verify = timed(|| {
        for (e, (leaf, root)) in events.iter().zip(&stored) {
            if let Err(t) = verifier.feed(e, leaf, root) {
                outcome = Err(t);
                break;
            }
        }
    });
    outcome?;
    report("Verifier::feed (seq, leaf and chain of every event, tree extended)", n, canonical_total, verify);
    if verifier.root() != frontier.root() || verifier.size() != n {
        return Err("verifier and store disagree".into());
    }

    if let Some(path) = out_path {
        let t = Instant::now();
        let mut out = BufWriter::new(File::create(&path)?);
        for e in &events {
            canonical_bytes_into(e, &mut buf);
            out.write_all(&buf)?;
        }
        out.flush()?;
        println!(
            "wrote {canonical_total} canonical bytes to {path} in {:.2?}; compare with: time sha256sum {path}",
            t.elapsed()
        );
    }
    Ok(())
}
