//! Administration of the installation: `migrate`, `backup`, `openapi` and `config`.

use std::path::Path;
use std::process::ExitCode;

use clap::Subcommand;
use custodian_server::Settings;
use custodian_store::Actor;

use crate::Cli;
use crate::audit::report_binding;
use crate::common::{open, opened, settings};

#[derive(Subcommand)]
pub enum ConfigCmd {
    /// Print a commented example configuration.
    Example,
}

/// Apply the database migrations (and bind a new log to its signing key).
pub async fn migrate(cli: &Cli, create: &bool) -> anyhow::Result<ExitCode> {
    let s = settings(cli)?;
    let store = opened(custodian_server::open_store(&s, *create).await?);
    // A new log gets its signing key now, bound to it (a log that has a key, or signed
    // checkpoints, is left for the commands that sign to check).
    if store.audit_key().await?.is_none() && store.latest_checkpoint().await?.is_none() {
        let (_, b) = custodian_server::auth::keys::for_log(&store, &s.data_dir, &Actor::cli()).await?;
        report_binding(&store, &s, b).await?;
    }
    println!("migrations applied to {}", custodian_store::redact(&s.database_url));
    Ok(ExitCode::SUCCESS)
}

/// Write a consistent copy of the SQLite database.
pub async fn backup(cli: &Cli, out: &Path) -> anyhow::Result<ExitCode> {
    let (_, store) = open(cli).await?;
    store.backup_sqlite(out).await?;
    println!("backup written to {}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// Print the OpenAPI document.
pub fn openapi() -> anyhow::Result<ExitCode> {
    println!("{}", serde_json::to_string_pretty(&custodian_server::openapi::openapi())?);
    Ok(ExitCode::SUCCESS)
}

/// Run a configuration command.
pub fn config(cmd: &ConfigCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        ConfigCmd::Example => {
            print!("{}", Settings::example());
            Ok(ExitCode::SUCCESS)
        }
    }
}
