//! Inclusion and consistency proofs over a large audit log, through the store (issue 22: a
//! consistency proof over 10,000,000 events under 10 ms), side by side with what a proof costs
//! computed from every leaf (how Custodian served them before subtree hashes were stored, and how
//! a log without them is served).
//!
//! cargo build --release --workspace --example audit_proof_bench
//! target/release/examples/audit_proof_bench URL N [PROOFS]
//!
//! URL is `sqlite:PATH` or a PostgreSQL URL; the log is filled to N events through the real
//! append path first if it holds fewer (kept for the next run). Then PROOFS (default 200)
//! consistency proofs from random old sizes to the head and as many inclusion proofs of random
//! events are timed one by one (p50, p99, max), and each is checked with the RFC 9162 verifier.

use std::time::Instant;

use custodian_domain::audit::{Hash, consistency_proof, verify_consistency, verify_inclusion};
use custodian_store::{Actor, AuditEntry, OpenOptions, Store};

fn h(x: &str) -> Hash {
    hex::decode(x).ok().and_then(|b| b.as_slice().try_into().ok()).unwrap_or([0; 32])
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let url = args.get(1).ok_or("usage: audit_proof_bench URL N [PROOFS]")?;
    let n: u64 = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(10_000_000);
    let proofs: usize = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(200);
    let store = Store::open(url, &OpenOptions { create_if_missing: true, max_connections: None }).await?;
    let actor = Actor::person(uuid::Uuid::now_v7(), "A1006");
    let mut size = store.audit_size().await?;
    if size < n {
        let started = Instant::now();
        while size < n {
            let batch = (n - size).min(20_000);
            let entries = (0..batch)
                .map(|i| {
                    AuditEntry::new("finding.view", format!("finding:{}", size + i))
                        .clause("5.3")
                        .justification("line manager review")
                })
                .collect();
            store.append_audit(actor.at(time::OffsetDateTime::now_utc()), entries).await?;
            size += batch;
            eprint!("\r{size} events");
        }
        eprintln!("\nfilled to {size} events in {:.1} s", started.elapsed().as_secs_f64());
    }
    let indexed = store.audit_index_subtrees().await?;
    if indexed > 0 {
        eprintln!("filled in {indexed} subtree hashes");
    }
    // A deterministic spread of old sizes and events.
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move |m: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        1 + x % (m - 1)
    };
    let mut times = Vec::with_capacity(proofs);
    let mut root = [0u8; 32];
    for _ in 0..proofs {
        let old = next(size);
        let t = Instant::now();
        let p = store.audit_consistency(old, None).await?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
        root = h(&p.new_root);
        let proof: Vec<Hash> = p.proof.iter().map(|s| h(s)).collect();
        assert!(verify_consistency(old, size, &h(&p.old_root), &root, &proof), "proof from {old} verifies");
    }
    let (p50, p99, max) = (pct(&mut times, 0.5), pct(&mut times, 0.99), pct(&mut times, 1.0));
    println!(
        "consistency proof to {size} events, {proofs} random old sizes: p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms"
    );

    // Inclusion: events picked by sequence number through their ids.
    let mut ids = Vec::with_capacity(proofs);
    let wanted: std::collections::BTreeSet<u64> = (0..proofs).map(|_| next(size)).collect();
    let t = Instant::now();
    store
        .audit_scan_events(|e, leaf, _| {
            if wanted.contains(&e.seq) {
                ids.push((e.id, e.seq, <Hash>::try_from(leaf.as_slice()).unwrap_or([0; 32])));
            }
            Ok(())
        })
        .await?;
    eprintln!("(picked {} events in {:.1} s)", ids.len(), t.elapsed().as_secs_f64());
    let mut times = Vec::with_capacity(ids.len());
    for (id, seq, leaf) in &ids {
        let t = Instant::now();
        let p = store.audit_prove(*id).await?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
        let proof: Vec<Hash> = p.proof.iter().map(|s| h(s)).collect();
        assert!(verify_inclusion(*seq, p.tree_size, leaf, &proof, &h(&p.root)), "inclusion of {seq} verifies");
    }
    let (p50, p99, max) = (pct(&mut times, 0.5), pct(&mut times, 0.99), pct(&mut times, 1.0));
    println!(
        "inclusion proof in {size} events, {} random events: p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms",
        ids.len()
    );

    // The alternative: every leaf read and hashed for one proof.
    let t = Instant::now();
    let mut leaves: Vec<Hash> = Vec::with_capacity(size as usize);
    store
        .audit_scan_events(|_, leaf, _| {
            leaves.push(leaf.as_slice().try_into().unwrap_or([0; 32]));
            Ok(())
        })
        .await?;
    let read = t.elapsed();
    let old = size / 3;
    let p = consistency_proof(old, &leaves)?;
    let all = t.elapsed();
    assert!(!p.is_empty() && custodian_domain::audit::root_of(&leaves) == root);
    println!(
        "from every leaf instead: reading {size} events {:.0} ms, one consistency proof {:.0} ms, in all {:.0} ms",
        read.as_secs_f64() * 1e3,
        (all - read).as_secs_f64() * 1e3,
        all.as_secs_f64() * 1e3
    );
    Ok(())
}
