//! `custodian apps`: load the approved apps catalogue, re-evaluate every device's installed apps,
//! and export a role's approved apps for the MDM (WP034 4.8, 6.5). Inventories are imported with
//! `custodian import apps FILE`.

use std::future::Future;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use custodian_server::Settings;
use custodian_server::apps::AppsImportOutcome;
use custodian_server::error::AppError;
use custodian_store::{Actor, Store};

#[derive(Subcommand)]
pub enum AppsCmd {
    /// Load the catalogue CSV: columns exactly name,platform,package_id,publisher,category,allowed_for.
    ImportCatalogue {
        file: PathBuf,
        /// Import the valid rows and list the invalid ones, instead of importing nothing.
        #[arg(long)]
        skip_invalid: bool,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Export a role's approved apps for the MDM: an Android Management API policy fragment, or CSV.
    Export {
        #[arg(long)]
        role: String,
        /// amapi or csv
        #[arg(long, default_value = "amapi")]
        format: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Re-evaluate every installed app on every held device against the catalogue (WP034 4.8).
    Evaluate {
        #[arg(long)]
        json: bool,
    },
}

/// Print an apps import (catalogue or inventory) like the other imports, with what the
/// evaluation that followed changed.
pub fn print_import(r: Result<AppsImportOutcome, AppError>, json: bool) -> anyhow::Result<ExitCode> {
    match r {
        Ok(o) => {
            if json {
                println!("{}", serde_json::to_string(&o)?);
            } else {
                let s = &o.import.summary;
                println!("{}", crate::common::import_counts(s));
                println!(
                    "evaluation (WP034 4.8): {} unapproved installs, {} findings opened, {} re-opened, {} closed",
                    o.evaluation.unapproved, o.evaluation.opened, o.evaluation.reopened, o.evaluation.closed
                );
                crate::common::print_skipped_and_unmatched(&o.import.skipped, &s.unmatched);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => crate::common::report_app_error(e, json),
    }
}

pub async fn run(
    cmd: &AppsCmd,
    open: impl Future<Output = anyhow::Result<(Settings, Store)>>,
) -> anyhow::Result<ExitCode> {
    let (_, store) = open.await?;
    let now = time::OffsetDateTime::now_utc();
    match cmd {
        AppsCmd::ImportCatalogue { file, skip_invalid, json } => {
            let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
            let r = custodian_server::apps::import_catalogue(&store, &Actor::cli(), now, &bytes, *skip_invalid).await;
            print_import(r, *json)
        }
        AppsCmd::Export { role, format, out } => {
            match custodian_server::apps::export(&store, role, format, now).await {
                Ok(text) => {
                    match out {
                        Some(p) => {
                            std::fs::write(p, text.as_bytes()).with_context(|| format!("writing {}", p.display()))?
                        }
                        None => {
                            let mut o = std::io::stdout().lock();
                            o.write_all(text.as_bytes())?;
                            if !text.ends_with('\n') {
                                o.write_all(b"\n")?;
                            }
                        }
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(AppError::Invalid { detail, .. }) => {
                    eprintln!("{detail}");
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(anyhow::anyhow!("{e}")),
            }
        }
        AppsCmd::Evaluate { json } => {
            let start = std::time::Instant::now();
            let e = store.apps_evaluate(Actor::cli().at(now)).await?;
            if *json {
                println!("{}", serde_json::json!({"evaluation": e, "seconds": start.elapsed().as_secs_f64()}));
            } else {
                println!(
                    "{} unapproved installs: {} findings opened, {} re-opened, {} closed ({:.3} s)",
                    e.unapproved,
                    e.opened,
                    e.reopened,
                    e.closed,
                    start.elapsed().as_secs_f64()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
