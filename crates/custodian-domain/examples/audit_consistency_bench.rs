//! Cost of an RFC 9162 consistency proof as `custodian audit consistency` computes it today: from
//! every stored leaf hash of the newer tree. Builds N leaf hashes in memory (default 10,000,000),
//! then times `consistency_proof` from several old sizes to N and checks each proof with
//! `verify_consistency`.
//!
//! Usage: `cargo run --release -p custodian-domain --example audit_consistency_bench -- [N]`
//!
//! This is the in-memory part only: the store first reads the N leaf hashes (32 bytes each) of
//! `audit_events` in `seq` order, which is the larger cost on a real database.

use std::time::Instant;

use custodian_domain::audit::{Hash, consistency_proof, leaf_hash, root_of, verify_consistency};

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10_000_000);
    let t = Instant::now();
    let leaves: Vec<Hash> = (0..n as u64).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    println!("{n} leaf hashes built in {:.3} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let new_root = root_of(&leaves);
    let root_time = t.elapsed().as_secs_f64();
    println!("root over {n} leaves: {root_time:.3} s");
    for old in [1, n / 3, n / 2 + 7, n - 1000] {
        let t = Instant::now();
        let proof = match consistency_proof(old as u64, &leaves) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(1);
            }
        };
        let took = t.elapsed().as_secs_f64();
        let old_root = root_of(&leaves[..old]);
        let ok = verify_consistency(old as u64, n as u64, &old_root, &new_root, &proof);
        println!(
            "consistency {old} -> {n}: {} hashes in the proof, {:.1} ms to compute, verifies: {ok}",
            proof.len(),
            took * 1000.0
        );
        if !ok {
            std::process::exit(1);
        }
    }
}
