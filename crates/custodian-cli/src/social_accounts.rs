//! `custodian accounts`: import and list the register of social media accounts (WP034 6.6,
//! 6.7). The import acts as the command-line operator; it is all or nothing and idempotent, and
//! a refused file names each line and field (exit 2).

use std::future::Future;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Subcommand;
use custodian_server::Settings;
use custodian_store::social_accounts::AccountFilter;
use custodian_store::{Actor, Store};

use crate::common::report_app_error;

#[derive(Subcommand)]
pub enum AccountsCmd {
    /// Import accounts from a CSV file with the columns
    /// platform,handle,url,team,team_manager,kind,profile,authorised_users (authorised_users:
    /// staff numbers separated by `;`). An account is matched by platform and handle; the file's
    /// list of authorised users becomes the account's list.
    Import {
        file: PathBuf,
        /// Print the summary (or the refused rows) as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the register with each account's current authorised users (CSV or JSONL).
    List {
        #[arg(long, default_value = "csv")]
        format: String,
    },
}

pub async fn run(
    cmd: &AccountsCmd,
    open: impl Future<Output = anyhow::Result<(Settings, Store)>>,
) -> anyhow::Result<ExitCode> {
    match cmd {
        AccountsCmd::Import { file, json } => {
            let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            let (_, store) = open.await?;
            let now = time::OffsetDateTime::now_utc();
            match custodian_server::social_accounts::import(&store, &Actor::cli(), now, &bytes).await {
                Ok(s) => {
                    if *json {
                        println!("{}", serde_json::to_string(&s)?);
                    } else {
                        println!(
                            "{} rows: {} created, {} updated, {} unchanged; {} authorisations added, {} ended",
                            s.rows, s.created, s.updated, s.unchanged, s.users_added, s.users_ended
                        );
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => report_app_error(e, *json),
            }
        }
        AccountsCmd::List { format } => {
            if format != "csv" && format != "jsonl" {
                bail!("--format: choose csv or jsonl");
            }
            let (_, store) = open.await?;
            let accounts = store.social_accounts(&AccountFilter::default()).await?;
            let mut rows = Vec::with_capacity(accounts.len());
            for a in accounts {
                let users: Vec<String> = match store.social_account(a.id).await? {
                    Some(d) => {
                        d.users.iter().filter(|u| u.authorised_to.is_none()).map(|u| u.staff_number.clone()).collect()
                    }
                    None => vec![],
                };
                rows.push((a, users));
            }
            let mut out = std::io::stdout().lock();
            if format == "csv" {
                out.write_all(custodian_server::social_accounts::list_csv(&rows).as_bytes())?;
            } else {
                for (a, users) in &rows {
                    let mut v = serde_json::to_value(a)?;
                    v["authorised_users"] = serde_json::json!(users);
                    writeln!(out, "{v}")?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
