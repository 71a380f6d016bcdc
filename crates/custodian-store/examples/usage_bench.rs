//! Usage benchmarks through the store's real code paths (the same calls `custodian usage import`
//! and `custodian usage check` make), without building the whole server:
//!
//! cargo run --release -p custodian-store --example usage_bench -- register DATABASE_URL PEOPLE.csv DEVICES.csv [MORE_DEVICES.csv…] [--at RFC3339]
//! cargo run --release -p custodian-store --example usage_bench -- import DATABASE_URL FILE.csv
//! cargo run --release -p custodian-store --example usage_bench -- check DATABASE_URL FILE.csv OUT.jsonl
//!
//! Prints rows, rows/s and the elapsed time; measure peak RSS with `/usr/bin/time -v`.
//! `register` imports the device files in order (a later one hands devices over, with its
//! `allocated_from`), as of `--at` (default now): the quiet bill's devices are held from before
//! its first record.

use std::io::Write;
use std::sync::Arc;

use custodian_domain::usage::{self, Feed, UsagePack};
use custodian_store::{Actor, OpenOptions, Store};

/// The allocator the `custodian` binary uses.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (mode, url, file) = match (args.get(1), args.get(2), args.get(3)) {
        (Some(m), Some(u), Some(f)) => (m.as_str(), u.as_str(), f.as_str()),
        _ => return Err("usage: usage_bench import|check DATABASE_URL FILE [OUT]".into()),
    };
    let store = Store::open(url, &OpenOptions { create_if_missing: true, max_connections: None }).await?;
    let started = std::time::Instant::now();
    match mode {
        "import" => {
            let input = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(file)?);
            let r = store
                .import_usage(
                    Feed::Carrier,
                    Box::new(input),
                    None,
                    Arc::new(UsagePack::shipped().clone()),
                    Actor::cli().at(time::OffsetDateTime::now_utc()),
                    Arc::new(|_| {}),
                )
                .await?;
            let secs = started.elapsed().as_secs_f64();
            println!(
                "import {}: rows {} imported {} duplicates {} rejected {} findings {} in {:.3} s = {:.0} rows/s",
                store.backend(),
                r.rows,
                r.imported,
                r.duplicates,
                r.rejected.len(),
                r.findings_opened + r.findings_updated,
                secs,
                r.rows as f64 / secs
            );
        }
        "register" => {
            use custodian_domain::imports::{parse_devices_csv, parse_people_csv};
            let rest = &args[4..];
            let (files, now) = match rest.iter().position(|a| a == "--at") {
                Some(i) => {
                    let at = rest.get(i + 1).ok_or("--at needs an RFC 3339 time")?;
                    (&rest[..i], time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)?)
                }
                None => (rest, time::OffsetDateTime::now_utc()),
            };
            if files.is_empty() {
                return Err("register needs PEOPLE.csv DEVICES.csv".into());
            }
            let people = parse_people_csv(std::fs::File::open(file)?).map_err(|e| e.to_string())?;
            let operator = custodian_domain::imports::ImportAuthority::operator();
            store
                .import_people(&people.rows, &operator, Actor::cli().at(now), "", &custodian_store::no_progress)
                .await?
                .map_err(|refused| format!("{refused:?}"))?;
            for (k, f) in files.iter().enumerate() {
                let devices = parse_devices_csv(std::fs::File::open(f)?).map_err(|e| e.to_string())?;
                // Each file a moment after the one before, so a handover is never at the same
                // instant as the allocation it ends.
                let at = now + time::Duration::seconds(k as i64);
                store.import_devices(&devices.rows, Actor::cli().at(at), "", &custodian_store::no_progress).await?;
                println!("register: {} people, {} devices from {f}", people.rows.len(), devices.rows.len());
            }
        }
        "check" => {
            let out = args.get(4).ok_or("check needs OUT")?;
            let register = store.usage_register().await?;
            let input = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(file)?);
            let mut w = std::io::BufWriter::with_capacity(1 << 16, std::fs::File::create(out)?);
            let s =
                usage::check(Feed::Carrier, input, None, UsagePack::shipped(), &register, tempfile::tempfile()?, |h| {
                    let _ = writeln!(w, "{},{}", h.record_id, h.rule.id);
                })
                .map_err(|e| e.reason)?;
            w.flush()?;
            let secs = started.elapsed().as_secs_f64();
            println!(
                "check: rows {} breaches {} in {:.3} s = {:.0} rows/s",
                s.rows,
                s.breaches,
                secs,
                s.rows as f64 / secs
            );
        }
        _ => return Err("mode must be import or check".into()),
    }
    // Close the pool so SQLite checkpoints its log: the scripts copy the database file next.
    store.close().await;
    Ok(())
}
