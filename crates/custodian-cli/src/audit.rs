//! `custodian audit`: verify the tamper-evident audit log, prove an event's inclusion and sign a
//! checkpoint.

use std::process::ExitCode;

use clap::Subcommand;
use custodian_server::Settings;
use custodian_store::{Actor, Store};

use crate::Cli;
use crate::common::open;

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Recompute the Merkle tree and check every signed checkpoint; names the first bad event.
    Verify {
        #[arg(long)]
        json: bool,
    },
    /// Print an RFC 6962 inclusion proof for an event.
    Prove { event_id: uuid::Uuid },
    /// Sign a checkpoint over the current log head.
    Checkpoint,
}

/// Run an audit command.
pub async fn run(cli: &Cli, cmd: &AuditCmd) -> anyhow::Result<ExitCode> {
    let (s, store) = open(cli).await?;
    let name = custodian_server::auth::keys::key_name(store.origin());
    match cmd {
        AuditCmd::Verify { json } => {
            // The checkpoints are checked with the key in the data folder, never with the
            // public key stored in the database (which the check compares with it).
            let key = match custodian_server::auth::keys::load(&s.data_dir)? {
                Some(k) => k,
                None => {
                    let (k, b) = custodian_server::auth::keys::for_log(&store, &s.data_dir, &Actor::cli()).await?;
                    report_binding(&store, &s, b).await?;
                    k
                }
            };
            let r = store.audit_verify(&name, &key.verifying_key()).await?;
            if *json {
                println!("{}", serde_json::to_string(&r)?);
            } else if let Some(p) = &r.problem {
                println!("AUDIT LOG ALTERED: {p}");
            } else {
                println!(
                    "audit log intact: {} events, root {}, {} signed checkpoints checked",
                    r.events, r.root, r.checkpoints_checked
                );
            }
            Ok(if r.problem.is_some() { ExitCode::from(3) } else { ExitCode::SUCCESS })
        }
        AuditCmd::Prove { event_id } => {
            let p = store.audit_prove(*event_id).await?;
            println!("{}", serde_json::to_string_pretty(&p)?);
            Ok(ExitCode::SUCCESS)
        }
        AuditCmd::Checkpoint => {
            let (key, b) = custodian_server::auth::keys::for_log(&store, &s.data_dir, &Actor::cli()).await?;
            report_binding(&store, &s, b).await?;
            let note = store.audit_checkpoint(&name, &key, time::OffsetDateTime::now_utc()).await?;
            print!("{note}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Say on standard error when a command bound the audit log to its signing key.
pub async fn report_binding(store: &Store, s: &Settings, b: custodian_store::KeyBinding) -> anyhow::Result<()> {
    use custodian_store::KeyBinding;
    let path = s.data_dir.join(custodian_server::auth::keys::KEY_FILE);
    let path = std::path::absolute(&path).unwrap_or(path);
    let key = match store.audit_key().await? {
        Some(k) => custodian_store::describe_key(&k.public_key),
        None => return Ok(()),
    };
    match b {
        KeyBinding::AlreadyBound => {}
        KeyBinding::Created => eprintln!("the audit log is bound to its signing key {key} ({})", path.display()),
        KeyBinding::Adopted { checkpoint_size } => eprintln!(
            "the audit log had no stored key: it is now bound to {key} ({}), which signed its latest checkpoint (size {checkpoint_size})",
            path.display()
        ),
    }
    Ok(())
}
