//! `custodian overseas`: record the overseas-use windows the usage rules consult, and export the
//! approved windows for the MDM (WP034 4.2).

use std::future::Future;
use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Subcommand;
use custodian_domain::usage::OverseasWindow;
use custodian_server::Settings;
use custodian_store::{Actor, Store, StoreError};
use uuid::Uuid;

use crate::usage::{REJECTED, date};

#[derive(Subcommand)]
pub enum OverseasCmd {
    /// Record an overseas-use window approved by the line manager, Digital Services and the Force
    /// Vetting Unit (WP034 4.2).
    Record {
        /// Staff number.
        #[arg(long)]
        person: String,
        /// Asset tag of a device the window covers (repeatable; all the person's devices when none).
        #[arg(long = "device")]
        devices: Vec<String>,
        /// ISO 3166-1 alpha-2 country (repeatable).
        #[arg(long = "country", required = true)]
        countries: Vec<String>,
        /// First day (YYYY-MM-DD).
        #[arg(long)]
        from: String,
        /// Last day (YYYY-MM-DD, inclusive).
        #[arg(long)]
        to: String,
        #[arg(long)]
        purpose: String,
        /// Reference of the three approvals (line manager, Digital Services, Force Vetting Unit).
        #[arg(long)]
        approval_ref: String,
    },
    /// The approved windows for the MDM: device, MDM id, countries, window (CSV or JSONL).
    Export {
        #[arg(long, default_value = "csv")]
        format: String,
    },
}

/// Run an overseas command.
pub async fn run(
    cmd: &OverseasCmd,
    open: impl Future<Output = anyhow::Result<(Settings, Store)>>,
) -> anyhow::Result<ExitCode> {
    let (_, store) = open.await?;
    match cmd {
        OverseasCmd::Record { person, devices, countries, from, to, purpose, approval_ref } => {
            let p = store
                .person_by_staff_number(person)
                .await?
                .with_context(|| format!("no person with staff number {person}"))?;
            let mut ids = Vec::new();
            for tag in devices {
                let d =
                    store.device_by_asset_tag(tag).await?.with_context(|| format!("no device with asset tag {tag}"))?;
                ids.push(d.id);
            }
            let w = OverseasWindow {
                id: Uuid::now_v7(),
                person: p.id,
                devices: ids,
                countries: countries.iter().map(|c| c.trim().to_ascii_uppercase()).collect(),
                from: date("from", from)?,
                to: date("to", to)?,
            };
            match store
                .record_overseas_window(&w, purpose, approval_ref, Actor::cli().at(time::OffsetDateTime::now_utc()))
                .await
            {
                Ok(()) => {
                    println!("{}", w.id);
                    Ok(ExitCode::SUCCESS)
                }
                Err(StoreError::Invalid(m)) => {
                    eprintln!("{m}");
                    Ok(ExitCode::from(REJECTED))
                }
                Err(e) => Err(e.into()),
            }
        }
        OverseasCmd::Export { format } => {
            let windows = store.overseas_windows(Some("approved")).await?;
            let register = store.usage_register().await?;
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            if format == "csv" {
                writeln!(w, "device,mdm_id,staff_number,countries,from,to")?;
            } else if format != "jsonl" {
                bail!("unknown format {format:?}: use csv or jsonl");
            }
            for o in &windows {
                // No devices named: every device the person holds now.
                let devices: Vec<&custodian_domain::usage::RegDevice> = register
                    .devices
                    .iter()
                    .filter(|d| {
                        if o.window.devices.is_empty() {
                            d.holdings.iter().any(|h| h.person == o.window.person && h.to_us.is_none())
                        } else {
                            o.window.devices.contains(&d.id)
                        }
                    })
                    .collect();
                for d in devices {
                    let countries = o.window.countries.join(";");
                    if format == "csv" {
                        writeln!(
                            w,
                            "{},{},{},{},{},{}",
                            d.asset_tag,
                            d.mdm_id.as_deref().unwrap_or(""),
                            o.staff_number,
                            countries,
                            o.window.from,
                            o.window.to
                        )?;
                    } else {
                        writeln!(
                            w,
                            "{}",
                            serde_json::json!({"device": d.asset_tag, "mdm_id": d.mdm_id, "staff_number": o.staff_number,
                                "countries": o.window.countries, "from": o.window.from.to_string(), "to": o.window.to.to_string()})
                        )?;
                    }
                }
            }
            w.flush()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
