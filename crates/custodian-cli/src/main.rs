//! `custodian`: run the server and every bulk job from the command line. This file is the
//! command line's shape and its dispatch; each command group lives in its own module.

mod admin;
mod apps;
mod audit;
mod comments;
mod common;
mod data_protection;
mod findings;
mod import;
mod monitoring;
mod overseas;
mod people;
mod policy;
mod screening;
mod screening_pack;
mod serve;
mod social_accounts;
mod usage;
mod vault;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::common::{close_opened, open};

#[derive(Parser)]
#[command(
    name = "custodian",
    version,
    about = "Custodian: the device register, findings and audit log for WP034 (Mobile Devices and Social Media Policy)"
)]
struct Cli {
    /// Configuration file (TOML). Settings may also come from CUSTODIAN_* variables.
    #[arg(long, global = true, env = "CUSTODIAN_CONFIG")]
    config: Option<PathBuf>,
    /// Database URL: sqlite:PATH or postgres://... (overrides the configuration).
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web interface and API.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        bind: Option<String>,
        /// Run on a fresh embedded database with a fictional demo force.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations.
    Migrate {
        /// Create the SQLite file if it does not exist.
        #[arg(long)]
        create: bool,
    },
    /// Accounts: add people, set passwords, grant roles, issue API tokens.
    #[command(subcommand)]
    User(people::UserCmd),
    /// Bulk imports: people (HR export), devices (register), intune (Graph managedDevices), apps
    /// (installed-app inventories: CSV device,app_id,version,seen_at or Graph detectedApps JSON).
    Import(import::ImportArgs),
    /// Findings.
    #[command(subcommand)]
    Findings(findings::FindingsCmd),
    /// The tamper-evident audit log.
    #[command(subcommand)]
    Audit(audit::AuditCmd),
    /// Lawful business monitoring: rounds, the verifiable draw and its bundle (WP034 5.4).
    #[command(subcommand)]
    Monitoring(monitoring::MonitoringCmd),
    /// The screening pack: its history, checking a change, putting a change into effect (WP034 6.3).
    #[command(subcommand)]
    ScreeningPack(screening_pack::ScreeningPackCmd),
    /// Usage compliance: import and check carrier billing and web gateway files (WP034 4.2-4.12).
    #[command(subcommand)]
    Usage(usage::UsageCmd),
    /// Overseas-use windows: record approved windows and export them for the MDM (WP034 4.2).
    #[command(subcommand)]
    Overseas(overseas::OverseasCmd),
    /// The policy as a document: import a published text, its status and review date, its
    /// history (WP034 10, 11).
    #[command(subcommand)]
    Policy(policy::PolicyCmd),
    /// The retention schedule: status, the deletion job, the record of processing (WP034 3.4).
    #[command(subcommand)]
    Retention(data_protection::RetentionCmd),
    /// Legal holds on a person's or a case's records (WP034 5.5).
    #[command(subcommand)]
    Hold(data_protection::HoldCmd),
    /// One person: the subject access export (UK GDPR Art. 15).
    #[command(subcommand)]
    Person(data_protection::PersonCmd),
    /// The credential vault of the social media accounts: store, reveal, rotate the key, status,
    /// the breached-password corpus (WP034 6.6, 9.1).
    #[command(subcommand)]
    Vault(vault::VaultCmd),
    /// Social media accounts: import and list the register (WP034 6.6, 6.7).
    #[command(subcommand)]
    Accounts(social_accounts::AccountsCmd),
    /// Print the OpenAPI document.
    Openapi,
    /// Configuration.
    #[command(subcommand)]
    Config(admin::ConfigCmd),
    /// Write a consistent copy of the database: SQLite by VACUUM INTO, PostgreSQL by pg_dump
    /// (custom format). The file must not exist; it is created readable by this account only.
    Backup {
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into the configured database, which must be empty, then check the audit
    /// log with the signing key in the data folder (exit 3 if it does not verify).
    Restore {
        #[arg(long)]
        from: PathBuf,
    },
    /// Approved apps: load the catalogue, re-evaluate installed apps, export for the MDM (WP034 4.8).
    #[command(subcommand)]
    Apps(apps::AppsCmd),
    /// Public comments on force channels: triage and import (WP034 6.7, 8.2).
    #[command(subcommand)]
    Comments(comments::CommentsCmd),
    /// Screen a draft post against WP034 6.3 and 6.5 (exit 3 when the verdict is block).
    Screen {
        /// The draft (UTF-8); `-` or nothing reads standard input.
        file: Option<PathBuf>,
        /// Print {"verdict", "approver", "findings"} as JSON.
        #[arg(long, conflicts_with = "jsonl")]
        json: bool,
        /// Read one {"id", "text"} per line; write one {"id", "verdict", "approver", "findings"} per line.
        #[arg(long)]
        jsonl: bool,
        /// Screen with an edited policy pack instead of the built-in one.
        #[arg(long)]
        pack: Option<PathBuf>,
    },
}

/// mimalloc: the usage import's parsing thread allocates every field and the writer thread frees
/// them; with the system allocator that hand-over cost a fifth of the parse (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async {
        let r = run(cli).await;
        close_opened().await;
        r
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let code = run_command(&cli).await?;
    // Every import that writes ends with a signed checkpoint over what it wrote.
    if matches!(
        &cli.command,
        Command::Import(_)
            | Command::Usage(usage::UsageCmd::Import { .. })
            | Command::Accounts(social_accounts::AccountsCmd::Import { .. })
            | Command::Comments(comments::CommentsCmd::Import { .. })
    ) {
        audit::checkpoint_after_import(&cli).await;
    }
    Ok(code)
}

async fn run_command(cli: &Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Serve { bind, demo } => serve::run(cli, bind, demo).await,
        Command::Migrate { create } => admin::migrate(cli, create).await,
        Command::User(cmd) => people::run(cli, cmd).await,
        Command::Import(a) => import::run(cli, a).await,
        Command::Findings(cmd) => findings::run(cli, cmd).await,
        Command::Audit(cmd) => audit::run(cli, cmd).await,
        Command::Monitoring(cmd) => monitoring::run(cmd, open(cli)).await,
        Command::ScreeningPack(cmd) => screening_pack::run(cmd, open(cli)).await,
        Command::Usage(cmd) => usage::run(cmd, open(cli)).await,
        Command::Apps(cmd) => apps::run(cmd, open(cli)).await,
        Command::Overseas(cmd) => overseas::run(cmd, open(cli)).await,
        Command::Policy(cmd) => policy::run(cmd, open(cli)).await,
        Command::Retention(cmd) => data_protection::retention(cli, cmd).await,
        Command::Hold(cmd) => data_protection::hold(cli, cmd).await,
        Command::Person(cmd) => data_protection::person(cli, cmd).await,
        Command::Vault(cmd) => vault::run(cli, cmd).await,
        Command::Accounts(cmd) => social_accounts::run(cmd, open(cli)).await,
        Command::Openapi => admin::openapi(),
        Command::Config(cmd) => admin::config(cmd),
        Command::Screen { file, json, jsonl, pack } => screening::run(file, json, jsonl, pack),
        Command::Comments(cmd) => comments::run(cmd, open(cli)).await,
        Command::Backup { out } => admin::backup(cli, out).await,
        Command::Restore { from } => admin::restore(cli, from).await,
    }
}
