//! `custodian vault`: the credential vault of the force's social media accounts (WP034 6.6, 9.1).
//! Values are read from standard input, never from arguments (which other users of the machine
//! can see in the process list); every write is audited as the CLI.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use custodian_domain::vault::Field;
use custodian_server::vault::{self as uc, CredentialInput, Vault, breach, keys};
use custodian_store::Actor;
use secrecy::ExposeSecret;

use crate::Cli;
use crate::common::{open, report_app_error};

#[derive(Subcommand)]
pub enum VaultCmd {
    /// Store an account's log-in details: the password, then optionally the TOTP seed, one per
    /// line on standard input.
    Put {
        /// x, facebook, instagram, ...
        platform: String,
        handle: String,
        #[arg(long)]
        username: Option<String>,
        #[arg(long)]
        recovery_email: Option<String>,
        #[arg(long)]
        recovery_phone: Option<String>,
    },
    /// Reveal one field of an account's log-in details (audited with the reason).
    Reveal {
        platform: String,
        handle: String,
        /// username, password, recovery_email, recovery_phone, recovery_codes or totp_seed
        #[arg(long)]
        field: String,
        #[arg(long)]
        reason: String,
    },
    /// Re-wrap every data key under a new key-encryption key (created in FILE, 0600, when FILE
    /// does not exist), in one transaction; the new key then replaces the data folder's key file.
    RotateKek {
        #[arg(long)]
        new_key_file: PathBuf,
    },
    /// Every account's credential status: none stored, current, or due for rotation and why.
    Status {
        /// text or jsonl
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// Load the breached-password corpus (Have I Been Pwned SHA-1 format, `HEX40:COUNT` per line,
    /// or the range format in a file named by its prefix) into the index beside the database.
    LoadBreachCorpus { file: PathBuf },
}

pub async fn run(cli: &Cli, cmd: &VaultCmd) -> anyhow::Result<ExitCode> {
    let (s, store) = open(cli).await?;
    let now = time::OffsetDateTime::now_utc();
    let actor = Actor::cli();
    let account = |platform: &str, handle: &str| {
        let store = store.clone();
        // As the register stores it: trimmed, without a leading @.
        let (platform, handle) = (platform.to_string(), custodian_domain::social_accounts::normalise_handle(handle));
        async move {
            store
                .vault_account_by_handle(&platform, &handle)
                .await?
                .with_context(|| format!("no social media account {platform} {handle}"))
        }
    };
    match cmd {
        VaultCmd::Put { platform, handle, username, recovery_email, recovery_phone } => {
            let id = account(platform, handle).await?;
            let kek = keys::for_vault(&store, &s.data_dir).await?;
            let mut lines = std::io::stdin().lock().lines();
            let password = lines.next().transpose().context("reading the password from standard input")?;
            let seed = lines.next().transpose().context("reading the TOTP seed from standard input")?;
            let mut input = CredentialInput::default();
            input.set(Field::Username, username.clone());
            input.set(Field::Password, password);
            input.set(Field::TotpSeed, seed);
            input.set(Field::RecoveryEmail, recovery_email.clone());
            input.set(Field::RecoveryPhone, recovery_phone.clone());
            let v = Vault { store: &store, kek: &kek, data_dir: &s.data_dir, reveal_limit: Some(uc::reveal_limit(&s)) };
            match v.put(&actor, id, &input, now).await {
                Ok(fields) => {
                    let names: Vec<&str> = fields.iter().map(|f| f.as_str()).collect();
                    println!("stored {} for {platform} {handle}", names.join(", "));
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => report_app_error(e, false),
            }
        }
        VaultCmd::Reveal { platform, handle, field, reason } => {
            let id = account(platform, handle).await?;
            let field: Field = field.parse().map_err(|e| anyhow::anyhow!("--field: {e}"))?;
            let kek = keys::for_vault(&store, &s.data_dir).await?;
            let v = Vault { store: &store, kek: &kek, data_dir: &s.data_dir, reveal_limit: Some(uc::reveal_limit(&s)) };
            match v.reveal(&actor, id, field, reason, now).await {
                Ok(r) => {
                    println!("{}", r.value.expose_secret());
                    if let Some((code, secs)) = r.totp {
                        eprintln!("current code {code} (valid {secs} more seconds)");
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => report_app_error(e, false),
            }
        }
        VaultCmd::RotateKek { new_key_file } => {
            let started = std::time::Instant::now();
            let r = keys::rotate(&store, &s.data_dir, new_key_file, &actor, now).await?;
            println!(
                "re-wrapped {} data keys from key {} to key {} in {:.2?}; {} now holds the new key",
                r.rewrapped,
                r.old,
                r.new,
                started.elapsed(),
                s.data_dir.join(keys::KEY_FILE).display()
            );
            Ok(ExitCode::SUCCESS)
        }
        VaultCmd::Status { format } => {
            let list = store.vault_accounts().await?;
            let mut due = 0;
            for a in list {
                let st = uc::status_of(a, now);
                if st.status == uc::CredentialStatus::Due {
                    due += 1;
                }
                let reasons: Vec<String> = st.reasons.iter().map(ToString::to_string).collect();
                match format.as_str() {
                    "jsonl" => println!(
                        "{}",
                        serde_json::json!({"platform": st.account.platform, "handle": st.account.handle,
                            "status": st.status, "reasons": reasons,
                            "fields": st.account.stored.iter().map(|f| f.field.as_str()).collect::<Vec<_>>()})
                    ),
                    "text" => println!(
                        "{}\t{}\t{}{}",
                        st.account.platform,
                        st.account.handle,
                        st.status.label(),
                        if reasons.is_empty() { String::new() } else { format!(": {}", reasons.join("; ")) }
                    ),
                    other => anyhow::bail!("--format: {other:?} is neither text nor jsonl"),
                }
            }
            // Exit 3 when something is due, so a scheduled job can alert on it.
            Ok(if due > 0 { ExitCode::from(3) } else { ExitCode::SUCCESS })
        }
        VaultCmd::LoadBreachCorpus { file } => {
            let started = std::time::Instant::now();
            custodian_store::files::private_data_dir(&s.data_dir)?;
            let dest = breach::index_path(&s.data_dir);
            let r = breach::load(file, &dest)?;
            store
                .append_audit(actor.at(now), vec![
                        custodian_store::AuditEntry::new("vault.breach_corpus.load", "vault")
                            .clause("9.1")
                            .after(serde_json::json!({"entries": r.entries, "lines": r.lines, "source": file.display().to_string()})),
                    ])
                .await?;
            println!(
                "loaded {} breached-password hashes ({} lines) into {} ({} bytes) in {:.2?}",
                r.entries,
                r.lines,
                dest.display(),
                r.bytes,
                started.elapsed()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
