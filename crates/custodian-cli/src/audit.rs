//! `custodian audit`: verify the tamper-evident audit log (also against checkpoints kept
//! elsewhere), prove an event's inclusion or the consistency of two tree sizes, sign a checkpoint,
//! and show the verifier key of the checkpoints.

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
        /// Signed checkpoints kept outside the database (files of the checkpoint folder, notes
        /// saved by an auditor): each must be signed by the log's key and be consistent with the
        /// current log (an RFC 9162 consistency proof from its size), so truncation or rewriting
        /// since it was signed is detected.
        #[arg(long, num_args = 1.., value_name = "CHECKPOINT_FILE")]
        against: Vec<std::path::PathBuf>,
    },
    /// Print an RFC 6962 inclusion proof for an event.
    Prove { event_id: uuid::Uuid },
    /// Print an RFC 9162 consistency proof between the tree of OLD_SIZE events and the tree of
    /// NEW_SIZE (the current size when omitted), as JSON with hashes in hex.
    Consistency { old_size: u64, new_size: Option<u64> },
    /// Sign a checkpoint over the current log head.
    Checkpoint,
    /// Print the verifier key of the log's checkpoints in the C2SP note verifier format
    /// (`<name>+<key id>+<base64(0x01 || public key)>`).
    Key,
    /// Print this server's cosigning key as a witness (`[witness]` in the configuration), in the
    /// form a log's `[[audit_witnesses]] verifier_key` takes
    /// (`<name>+<key id>+<base64(0x04 || public key)>`); creates the key on first use.
    WitnessKey,
}

/// Run an audit command.
pub async fn run(cli: &Cli, cmd: &AuditCmd) -> anyhow::Result<ExitCode> {
    let (s, store) = open(cli).await?;
    let name = custodian_server::auth::keys::key_name(store.origin());
    match cmd {
        AuditCmd::Verify { json, against } => {
            let mut saved = Vec::with_capacity(against.len());
            for path in against {
                let note = std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("reading the saved checkpoint {}: {e}", path.display()))?;
                saved.push(custodian_store::SavedCheckpoint { label: path.display().to_string(), note });
            }
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
            let r = store.audit_verify_against(&name, &key.verifying_key(), &saved).await?;
            if *json {
                println!("{}", serde_json::to_string(&r)?);
            } else if let Some(p) = &r.problem {
                println!("AUDIT LOG ALTERED: {p}");
            } else {
                println!(
                    "audit log intact: {} events, root {}, {} signed checkpoints checked",
                    r.events, r.root, r.checkpoints_checked
                );
                if !saved.is_empty() {
                    println!("{} saved checkpoints are consistent with the log", r.saved_checked);
                }
                if r.subtrees_missing > 0 {
                    println!(
                        "{} subtree hashes are not stored yet, so proofs read the events: `custodian audit checkpoint` (or \
                         the server's checkpoint job) fills them in",
                        r.subtrees_missing
                    );
                }
            }
            Ok(if r.problem.is_some() { ExitCode::from(3) } else { ExitCode::SUCCESS })
        }
        AuditCmd::Prove { event_id } => {
            let p = store.audit_prove(*event_id).await?;
            println!("{}", serde_json::to_string_pretty(&p)?);
            Ok(ExitCode::SUCCESS)
        }
        AuditCmd::Consistency { old_size, new_size } => {
            let p = store.audit_consistency(*old_size, *new_size).await?;
            println!("{}", serde_json::to_string_pretty(&p)?);
            Ok(ExitCode::SUCCESS)
        }
        AuditCmd::Checkpoint => {
            let (key, b) = custodian_server::auth::keys::for_log(&store, &s.data_dir, &Actor::cli()).await?;
            report_binding(&store, &s, b).await?;
            let c = store.audit_checkpoint(&name, &key, time::OffsetDateTime::now_utc()).await?;
            index_subtrees(&store).await;
            print!("{}", c.note);
            Ok(ExitCode::SUCCESS)
        }
        AuditCmd::Key => {
            // The key in the data folder is the one that signs; a folder without it shows the key
            // bound to the log.
            let public = match custodian_server::auth::keys::load(&s.data_dir)? {
                Some(k) => k.verifying_key(),
                None => match store.audit_key().await? {
                    Some(k) => k.public_key,
                    None => anyhow::bail!(
                        "the audit log has no key yet: sign a checkpoint first (`custodian audit checkpoint`)"
                    ),
                },
            };
            println!("{}", custodian_domain::audit::verifier_key_text(&name, &public));
            Ok(ExitCode::SUCCESS)
        }
        AuditCmd::WitnessKey => {
            let Some(w) = &s.witness else {
                anyhow::bail!(
                    "this Custodian is not a witness: add a [witness] section with its name to the configuration"
                )
            };
            let key =
                custodian_server::auth::keys::read_or_create(&s.data_dir, custodian_server::audit::witness::KEY_FILE)?;
            println!("{}", custodian_domain::audit::cosigner_key_text(&w.name, &key.verifying_key()));
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// After an import that may have written: sign a checkpoint if the log has grown, so a
/// deployment used only from the command line has signed checkpoints too. The import is already
/// stored, so a failure here is a warning, not the command's failure.
pub async fn checkpoint_after_import(cli: &Cli) {
    let signed = async {
        let (s, store) = open(cli).await?;
        if store.audit_size().await? == 0 {
            return Ok::<_, anyhow::Error>(None);
        }
        let name = custodian_server::auth::keys::key_name(store.origin());
        let (key, b) = custodian_server::auth::keys::for_log(&store, &s.data_dir, &Actor::cli()).await?;
        report_binding(&store, &s, b).await?;
        let signed = store.audit_checkpoint(&name, &key, time::OffsetDateTime::now_utc()).await?;
        index_subtrees(&store).await;
        Ok(Some(signed))
    }
    .await;
    if let Err(e) = signed {
        eprintln!("warning: the import is stored, but no audit checkpoint was signed after it: {e:#}");
    }
}

/// Fill in the audit log's missing subtree hashes (a log older than them), so proofs stay fast;
/// a failure only slows proofs, so it is a warning.
async fn index_subtrees(store: &Store) {
    match store.audit_index_subtrees().await {
        Ok(0) => {}
        Ok(n) => eprintln!("filled in {n} audit subtree hashes (proofs no longer read every event)"),
        Err(e) => eprintln!("warning: the audit subtree hashes were not filled in: {e:#}"),
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
