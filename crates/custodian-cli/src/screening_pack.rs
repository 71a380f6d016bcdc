//! `custodian screening-pack`: the screening pack's history, the version in force, checking a
//! changed pack against it, and putting a change into effect (WP034 6.3, 6.5). The same checks
//! as the web interface: the pack must parse, compile and pass its saved examples, and carry a
//! version never used before.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use custodian_server::error::AppError;
use custodian_server::screening::{compare_with, in_force, put_into_effect};
use custodian_store::{Actor, Store};

#[derive(Subcommand)]
pub enum ScreeningPackCmd {
    /// Every version put into effect, newest first.
    History,
    /// Print a version's TOML (the one in force when no version is given).
    Show { version: Option<String> },
    /// Check a changed pack against the one in force; nothing is stored. Exit 1 if it cannot be
    /// used, 2 if it makes any category worse on the labelled drafts.
    Check {
        file: PathBuf,
        /// Print the whole change report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Put a changed pack into effect as the newest version.
    Activate {
        file: PathBuf,
        /// Why the pack is changing (kept with the version and in the audit log).
        #[arg(long)]
        reason: String,
    },
}

fn refuse(e: AppError) -> anyhow::Result<ExitCode> {
    match e {
        AppError::Invalid { errors, .. } => {
            for p in errors {
                eprintln!("{}: {}", p.field.unwrap_or_default(), p.message);
            }
        }
        other => eprintln!("{other}"),
    }
    Ok(ExitCode::from(1))
}

pub async fn run(
    cmd: &ScreeningPackCmd,
    opened: impl std::future::Future<Output = anyhow::Result<(custodian_server::Settings, Store)>>,
) -> anyhow::Result<ExitCode> {
    let (_, store) = opened.await?;
    let current = in_force(&store).await?;
    match cmd {
        ScreeningPackCmd::History => {
            let versions = store.screening_pack_history().await?;
            if versions.is_empty() {
                println!("No version has been put into effect; the built-in pack {} applies.", current.version());
            }
            for v in versions {
                println!(
                    "{:>4}  {:<16} {}  {:<20} {}",
                    v.seq,
                    v.version,
                    v.created_at.format(&time::format_description::well_known::Rfc3339)?,
                    v.author,
                    v.reason
                );
            }
        }
        ScreeningPackCmd::Show { version } => match version {
            None if current.seq.is_none() => print!("{}", custodian_screening::Pack::builtin_text()),
            None => match store.screening_pack(current.version()).await? {
                Some(v) => print!("{}", v.body),
                None => anyhow::bail!("the version in force is missing from the history"),
            },
            Some(v) => match store.screening_pack(v).await? {
                Some(v) => print!("{}", v.body),
                None => {
                    eprintln!("no screening pack version {v:?} has been in force");
                    return Ok(ExitCode::from(1));
                }
            },
        },
        ScreeningPackCmd::Check { file, json } => {
            let body = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
            let report = match compare_with(&current, &body) {
                Ok(r) => r,
                Err(e) => return refuse(e),
            };
            if *json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!(
                    "{} -> {}: the pack compiles and its {} saved examples pass",
                    report.from_version, report.to_version, report.examples_after
                );
                println!(
                    "rules added: {:?}; removed: {:?}; changed: {:?}",
                    report.rules_added, report.rules_removed, report.rules_changed
                );
                println!("drafts screened differently: {}", report.differences.len());
                for d in &report.differences {
                    println!("  {}: {:?} -> {:?}", d.source, d.before.categories, d.after.categories);
                }
                for s in report.regressions() {
                    println!(
                        "WORSE {}: precision {:.2} -> {:.2}, recall {:.2} -> {:.2}",
                        s.category,
                        s.before.precision(),
                        s.after.precision(),
                        s.before.recall(),
                        s.after.recall()
                    );
                }
            }
            if !report.regressions().is_empty() {
                return Ok(ExitCode::from(2));
            }
        }
        ScreeningPackCmd::Activate { file, reason } => {
            let body = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
            match put_into_effect(&store, &current, &body, reason, &Actor::cli(), time::OffsetDateTime::now_utc()).await
            {
                Ok((v, _)) => println!("screening pack {} is in force (version {} of the history)", v.version, v.seq),
                Err(e) => return refuse(e),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
