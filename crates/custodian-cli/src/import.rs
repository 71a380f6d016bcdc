//! `custodian import`: the bulk imports of people (HR export), devices (register), Intune
//! (Graph managedDevices) and apps (installed-app inventories), with a progress bar.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use custodian_domain::imports::ImportAuthority;
use custodian_server::imports;
use custodian_store::Actor;
use indicatif::{ProgressBar, ProgressStyle};

use crate::Cli;
use crate::apps;
use crate::common::{open, report_app_error};

#[derive(Args)]
pub struct ImportArgs {
    /// people, devices, intune, amapi (Android Management API) or apps
    kind: String,
    file: PathBuf,
    /// Import the valid rows and list the invalid ones, instead of importing nothing.
    #[arg(long)]
    skip_invalid: bool,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
    /// people only: apply no role changes (keep every stored role; new people get none) and list
    /// the rows whose roles differ. Without it the command line, acting as the system operator,
    /// applies the roles column.
    #[arg(long)]
    ignore_roles: bool,
    /// intune and amapi only: import a file that is one page of a longer export (a Graph page
    /// with @odata.nextLink, a device list with nextPageToken) instead of refusing it; devices on
    /// the other pages are left as they are.
    #[arg(long)]
    allow_partial: bool,
    /// intune only: register the devices the register does not know (no match by Intune id,
    /// serial or IMEI), allocated to the person whose e-mail is the userPrincipalName from
    /// enrolledDateTime (WP034 1.2, 4.1), and attribute their stored usage again. Asset tag: the
    /// deviceName when it is a valid, unused asset tag, else INTUNE- and the first 8 letters and
    /// digits of the Intune id. Without it such devices are listed as not applied.
    #[arg(long)]
    register_new: bool,
}

/// Run an import.
pub async fn run(cli: &Cli, a: &ImportArgs) -> anyhow::Result<ExitCode> {
    let (_, store) = open(cli).await?;
    let bytes = std::fs::read(&a.file).with_context(|| format!("reading {}", a.file.display()))?;
    let bar = if std::io::stderr().is_terminal() && !a.json {
        let pb = ProgressBar::new_spinner();
        pb.set_style(
            ProgressStyle::with_template("{spinner} {msg} {wide_bar} {pos}/{len} rows [{elapsed} < {eta}]")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        pb.set_message(format!("importing {}", a.file.display()));
        pb.enable_steady_tick(std::time::Duration::from_millis(120));
        pb
    } else {
        ProgressBar::hidden()
    };
    let now = time::OffsetDateTime::now_utc();
    let (pos, len) = (bar.clone(), bar.clone());
    let progress = move |n: u64| pos.set_position(n);
    let total = move |n: u64| len.set_length(n);
    let kind = match a.kind.as_str() {
        "people" => imports::RegisterImport::People,
        "devices" => imports::RegisterImport::Devices,
        "intune" => imports::RegisterImport::Intune { allow_partial: a.allow_partial, register_new: a.register_new },
        "amapi" => imports::RegisterImport::Amapi { allow_partial: a.allow_partial },
        "apps" => {
            let r = custodian_server::apps::import_inventory(
                &store,
                &Actor::cli(),
                now,
                &bytes,
                a.skip_invalid,
                &progress,
                &total,
            )
            .await;
            bar.finish_and_clear();
            return apps::print_import(r, a.json);
        }
        other => bail!("unknown import {other:?}: use people, devices, intune, amapi or apps"),
    };
    // The command line has no person identity: it acts as the system operator, with shell access
    // to the server and its database, who may grant roles (`user grant-role`). --ignore-roles
    // leaves every role as stored.
    let authority = if a.ignore_roles {
        ImportAuthority { may_change_roles: false, importer: None, ignore_roles: true }
    } else {
        ImportAuthority::operator()
    };
    let actor = Actor::cli();
    let run =
        imports::ImportRun { store: &store, actor: &actor, now, bytes: &bytes, progress: &progress, total: &total };
    let r = imports::import_register(run, kind, a.skip_invalid, Some(&authority)).await;
    bar.finish_and_clear();
    match r {
        Ok(o) => {
            if a.json {
                println!("{}", serde_json::to_string(&o)?);
            } else {
                let s = &o.summary;
                println!(
                    "{}{}",
                    crate::common::import_counts(s),
                    if s.findings_closed > 0 {
                        format!(", {} closed as resolved", s.findings_closed)
                    } else {
                        String::new()
                    }
                );
                for w in &s.warnings {
                    println!(
                        "  warning, line {}: {}{}",
                        w.line,
                        w.field.as_deref().map(|f| format!("{f}: ")).unwrap_or_default(),
                        w.message
                    );
                }
                if let Some(r) = &o.reattribution {
                    println!(
                        "usage attributed again by the allocation history (WP034 4.1): {} records re-attributed, {} findings closed as reattributed, {} opened",
                        r.records_reattributed, r.findings_closed, r.findings_opened
                    );
                }
                crate::common::print_skipped_and_unmatched(&o.skipped, &s.unmatched);
                for e in &s.ignored {
                    println!("  line {}, {}: {}", e.line, e.field.as_deref().unwrap_or("row"), e.message);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => report_app_error(e, a.json),
    }
}
