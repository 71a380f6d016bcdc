//! What every command shares: the settings, the store a command opens (and closes before the
//! process exits), and how a refused import or input is reported.

use anyhow::Context;
use custodian_domain::imports::RowError;
use custodian_server::Settings;
use custodian_server::error::AppError;
use custodian_store::Store;

use crate::Cli;

pub fn settings(cli: &Cli) -> anyhow::Result<Settings> {
    let mut s = Settings::load(cli.config.as_deref(), std::env::vars())?;
    if let Some(url) = &cli.database_url {
        s.database_url = url.clone();
    }
    Ok(s)
}

pub async fn open(cli: &Cli) -> anyhow::Result<(Settings, Store)> {
    let s = settings(cli)?;
    let store = opened(custodian_server::open_store(&s, false).await?);
    Ok((s, store))
}

/// The databases a command opened, closed before the process exits: the command's connections
/// end in order (on SQLite, the last user of a database checkpoints its log and tidies it away)
/// rather than being cut off with the process.
static OPENED: std::sync::Mutex<Vec<Store>> = std::sync::Mutex::new(Vec::new());

pub fn opened(store: Store) -> Store {
    if let Ok(mut v) = OPENED.lock() {
        v.push(store.clone());
    }
    store
}

pub async fn close_opened() {
    let stores = OPENED.lock().map(|mut v| std::mem::take(&mut *v)).unwrap_or_default();
    for s in stores {
        s.close().await;
    }
}

pub async fn by_staff(store: &Store, sn: &str) -> anyhow::Result<custodian_store::Person> {
    store.person_by_staff_number(sn).await?.with_context(|| format!("no person with staff number {sn}"))
}

/// Input the server refused names its fields: say so (as JSON with `json`) and exit 2; anything
/// else is an error.
pub fn report_app_error(e: AppError, json: bool) -> anyhow::Result<std::process::ExitCode> {
    match e {
        AppError::Invalid { detail, errors } => {
            if json {
                println!("{}", serde_json::json!({"error": detail, "rejected": errors}));
            } else {
                eprintln!("{detail}");
                for e in errors {
                    eprintln!("  {}: {}", e.place(), e.message);
                }
            }
            Ok(std::process::ExitCode::from(2))
        }
        other => Err(anyhow::anyhow!("{other}")),
    }
}

/// An import's counts, as every import prints them first: `N rows: created, updated, unchanged,
/// findings opened`.
pub fn import_counts(s: &custodian_store::ImportSummary) -> String {
    format!(
        "{} rows: {} created, {} updated, {} unchanged, {} findings opened",
        s.rows, s.created, s.updated, s.unchanged, s.findings_opened
    )
}

/// The rows an import skipped (`--skip-invalid`) and the entries it could not apply, one line each.
pub fn print_skipped_and_unmatched(skipped: &[RowError], unmatched: &[RowError]) {
    for e in skipped {
        println!(
            "  skipped line {}: {}{}",
            e.line,
            e.field.as_deref().map(|f| format!("{f}: ")).unwrap_or_default(),
            e.message
        );
    }
    for e in unmatched {
        println!("  not applied, line {}: {}", e.line, e.message);
    }
}
