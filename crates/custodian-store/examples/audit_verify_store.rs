//! `custodian audit verify` without the server crate: the same `Store::audit_verify` call the
//! CLI makes, on a database filled by `audit_fill`, with a fixed signing key (the CLI loads its
//! key from the data folder). For comparing two builds of the store side by side (issue 14's
//! before-and-after, `bench/restructure-2026-12-06.md`); builds at 3595498 and later.
//!
//! cargo run --release -p custodian-store --example audit_verify_store -- checkpoint DB_PATH
//! cargo run --release -p custodian-store --example audit_verify_store -- verify DB_PATH

use custodian_store::{OpenOptions, Store};

/// The allocator the `custodian` binary uses.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const KEY_NAME: &str = "bench.custodian.example";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (mode, db) = match (args.get(1), args.get(2)) {
        (Some(m), Some(d)) => (m.as_str(), d),
        _ => return Err("usage: audit_verify_store checkpoint|verify DB_PATH".into()),
    };
    let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let store = Store::open(&format!("sqlite:{db}"), &OpenOptions::default()).await?;
    match mode {
        "checkpoint" => {
            store.audit_checkpoint(KEY_NAME, &key, time::OffsetDateTime::now_utc()).await?;
        }
        "verify" => {
            let started = std::time::Instant::now();
            let r = store.audit_verify(KEY_NAME, &key.verifying_key()).await?;
            let secs = started.elapsed().as_secs_f64();
            if let Some(p) = &r.problem {
                return Err(format!("AUDIT LOG ALTERED: {p}").into());
            }
            println!(
                "verified {} events, {} checkpoints, root {} in {secs:.3} s ({:.0} events/s)",
                r.events,
                r.checkpoints_checked,
                r.root,
                r.events as f64 / secs
            );
        }
        _ => return Err("mode: checkpoint or verify".into()),
    }
    Ok(())
}
