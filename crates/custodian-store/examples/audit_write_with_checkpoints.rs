//! Does signing and publishing checkpoints slow writes? Times N one-event write transactions
//! (default 2,000) on a fresh database, first alone, then while another task signs a checkpoint
//! every INTERVAL milliseconds (default 50: far more often than the server's hourly schedule) and
//! writes each new note to a folder, as the folder sink does.
//!
//! Usage: `cargo run --release -p custodian-store --example audit_write_with_checkpoints -- \
//!         [sqlite:PATH | postgres://...] [N] [INTERVAL_MS] [ROUNDS]` (a fresh SQLite file by
//! default; a PostgreSQL database must be empty). With ROUNDS (default 1) the two blocks
//! alternate that many times, so that a machine whose load changes during the run weighs on both
//! alike; the median of the rounds' changes is printed.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use custodian_store::{Actor, AuditEntry, OpenOptions, Store};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

async fn writes(store: &Store, n: usize, tag: &str) -> Result<f64> {
    let t = Instant::now();
    for i in 0..n {
        let e = AuditEntry::new("device.allocate", format!("device:{tag}-{i}")).clause("4.1");
        store.append_audit(Actor::system().at(time::OffsetDateTime::now_utc()), vec![e]).await?;
    }
    Ok(n as f64 / t.elapsed().as_secs_f64())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = tempfile::tempdir()?;
    let url = args.next().unwrap_or_else(|| format!("sqlite:{}", dir.path().join("w.db").display()));
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2_000);
    let interval: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(50);
    let store = Store::open(&url, &OpenOptions { create_if_missing: true, max_connections: None }).await?;
    let key = ed25519_dalek::SigningKey::from_bytes(&[5u8; 32]);
    writes(&store, 200, "warm").await?;

    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1).max(1);
    println!(
        "{n} one-event writes on {}, a checkpoint every {interval} ms in the second block:",
        custodian_store::redact(&url)
    );
    let mut changes = Vec::with_capacity(rounds);
    for round in 1..=rounds {
        let alone = writes(&store, n, &format!("alone{round}")).await?;
        let stop = Arc::new(AtomicBool::new(false));
        let signed = Arc::new(AtomicU64::new(0));
        let held = Arc::new(std::sync::Mutex::new(Vec::<f64>::new()));
        let sink = dir.path().join("sink");
        std::fs::create_dir_all(&sink)?;
        let signer = {
            let (store, stop, signed, key, sink, held) =
                (store.clone(), stop.clone(), signed.clone(), key.clone(), sink.clone(), held.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    tokio::time::sleep(Duration::from_millis(interval)).await;
                    let t = Instant::now();
                    let signing = store.audit_checkpoint("bench", &key, time::OffsetDateTime::now_utc()).await;
                    let ms = t.elapsed().as_secs_f64() * 1000.0;
                    match signing {
                        Ok(c) if c.new => {
                            held.lock().map(|mut v| v.push(ms)).ok();
                            let _ =
                                tokio::fs::write(sink.join(format!("checkpoint-{:012}.note", c.size)), c.note).await;
                            signed.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(_) => {}
                        Err(e) => eprintln!("checkpoint: {e}"),
                    }
                }
            })
        };
        let with = writes(&store, n, &format!("with{round}")).await?;
        stop.store(true, Ordering::Relaxed);
        signer.await?;
        let change = (with / alone - 1.0) * 100.0;
        changes.push(change);
        let mut ms = held.lock().map(|v| v.clone()).unwrap_or_default();
        ms.sort_by(|a, b| a.total_cmp(b));
        let (p50, max) = (ms.get(ms.len() / 2).copied().unwrap_or(0.0), ms.last().copied().unwrap_or(0.0));
        println!(
            "  round {round}: alone {alone:.0} writes/s; with checkpoints ({} signed, each {p50:.2} ms p50, {max:.2} ms max, \
             queueing for the writer included) {with:.0} writes/s ({change:+.1}%)",
            signed.load(Ordering::Relaxed)
        );
    }
    changes.sort_by(|a, b| a.total_cmp(b));
    println!("  median change over {rounds} rounds: {:+.1}%", changes[changes.len() / 2]);
    store.close().await;
    Ok(())
}
