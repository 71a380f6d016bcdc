//! Benchmark set-up: fill a fresh SQLite database with N audit events through the real append
//! path (batched transactions), then write the events' canonical bytes to a file so
//! `sha256sum` can be timed over the same bytes as `custodian audit verify`.
//!
//! cargo run --release -p custodian-store --example audit_fill -- DB_PATH N CANONICAL_OUT

use std::io::Write;

use custodian_store::{Actor, AuditEntry, OpenOptions, Store};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let db = args.get(1).ok_or("usage: audit_fill DB N OUT")?;
    let n: u64 = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(1_000_000);
    let out = args.get(3).ok_or("usage: audit_fill DB N OUT")?;
    let store =
        Store::open(&format!("sqlite:{db}"), &OpenOptions { create_if_missing: true, max_connections: None }).await?;
    let actor = Actor::person(uuid::Uuid::now_v7(), "A1006");
    let started = std::time::Instant::now();
    let mut done = 0u64;
    while done < n {
        let batch = (n - done).min(20_000);
        let entries = (0..batch)
            .map(|i| {
                let k = done + i;
                AuditEntry::new(
                    if k.is_multiple_of(3) { "device.allocate" } else { "finding.view" },
                    format!("device:WP-PH-{:06}", k % 10_000),
                )
                .clause("4.1")
                .justification("Replacement handset after damage")
                .before(serde_json::json!({"status": "in_stock", "holder": null}))
                .after(serde_json::json!({"status": "allocated", "holder": format!("A{:05}", k % 5000)}))
                .detail(serde_json::json!({"n": k}))
            })
            .collect();
        store.append_audit(actor.at(time::OffsetDateTime::now_utc()), entries).await?;
        done += batch;
        eprint!("\r{done} events");
    }
    eprintln!("\nfilled {n} events in {:.1} s", started.elapsed().as_secs_f64());
    let mut w = std::io::BufWriter::new(std::fs::File::create(out)?);
    let mut buf = Vec::new();
    let mut err = None;
    store
        .audit_scan_events(|e, _, _| {
            buf.clear();
            custodian_domain::audit::canonical_bytes_into(&e, &mut buf);
            if let Err(x) = w.write_all(&buf) {
                err = Some(x);
            }
            Ok(())
        })
        .await?;
    if let Some(e) = err {
        return Err(e.into());
    }
    w.flush()?;
    Ok(())
}
