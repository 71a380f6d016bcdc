//! `custodian policy`: the policy as a document with versions (WP034 10, 11). `import` reads a
//! policy text in the layout of the published WP034 and records it as the version in force, or
//! names every line it could not place; `status` says which version is in force and whether its
//! review is overdue; `history` prints the document-history table.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use custodian_domain::policy::{review_status, text::parse_text, wp034};
use custodian_store::policy::PolicyImport;
use custodian_store::{Actor, Store, StoreError};
use time::{Date, OffsetDateTime};

#[derive(Subcommand)]
pub enum PolicyCmd {
    /// Read a policy text (numbered sections and clauses, lettered items, the section 11 history
    /// table) and record it as the version in force. Exit 2, writing nothing, if any line cannot
    /// be placed; each is named with its line number.
    Import {
        file: PathBuf,
        /// The body that approved or adopted this version (e.g. "Executive Board").
        #[arg(long)]
        approval_body: Option<String>,
    },
    /// The version in force, its owner and dates, and whether its review is overdue.
    Status {
        /// The policy's reference.
        #[arg(long, default_value = "WP034")]
        reference: String,
    },
    /// The document-history table of the version in force.
    History {
        #[arg(long, default_value = "WP034")]
        reference: String,
    },
}

fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

pub async fn run(
    cmd: &PolicyCmd,
    opened: impl std::future::Future<Output = anyhow::Result<(custodian_server::Settings, Store)>>,
) -> anyhow::Result<ExitCode> {
    match cmd {
        PolicyCmd::Import { file, approval_body } => {
            let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            let Ok(text) = String::from_utf8(bytes) else {
                eprintln!("{}: not UTF-8 text", file.display());
                return Ok(ExitCode::from(2));
            };
            let policy = match parse_text(&text) {
                Ok(p) => p,
                Err(problems) => {
                    eprintln!("{}: {} thing(s) could not be placed; nothing was imported", file.display(), problems.len());
                    for p in problems {
                        eprintln!("  {p}");
                    }
                    return Ok(ExitCode::from(2));
                }
            };
            let (_, store) = opened.await?;
            match store.policy_import(&policy, approval_body.as_deref(), &Actor::cli(), OffsetDateTime::now_utc()).await {
                Ok(outcome) => {
                    let v = outcome.version();
                    let verb = match outcome {
                        PolicyImport::Imported(_) => "Imported",
                        PolicyImport::Unchanged(_) => "Already imported (nothing changed):",
                    };
                    println!(
                        "{verb} {} version {}: {} clauses, {} history rows placed.",
                        v.reference,
                        v.version,
                        policy.clauses.len(),
                        policy.history.len()
                    );
                    println!("{} {}: {}.", v.reference, v.version, review_status(policy.next_review_date, today()));
                    Ok(ExitCode::SUCCESS)
                }
                Err(StoreError::Conflict(m) | StoreError::Invalid(m)) => {
                    eprintln!("{}: {m}", file.display());
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(e.into()),
            }
        }
        PolicyCmd::Status { reference } => {
            let (_, store) = opened.await?;
            match store.policy_in_force(reference).await? {
                Some(v) => {
                    let next = custodian_domain::policy::text::iso_date(&v.next_review_on)
                        .with_context(|| format!("stored review date {:?}", v.next_review_on))?;
                    println!("{} version {}: {}", v.reference, v.version, v.title);
                    println!("Owner: {} ({})", v.owner, v.directorate);
                    println!(
                        "Adopted: {}{}",
                        v.adopted_on.as_deref().unwrap_or("not recorded"),
                        v.approval_body.as_deref().map(|b| format!(" by {b}")).unwrap_or_default()
                    );
                    println!("Next review date: {}", v.next_review_on);
                    println!("Status: {}", review_status(next, today()));
                }
                None if reference == &wp034().reference => {
                    let p = wp034();
                    println!("{} version {}: {} (built in; no text has been imported)", p.reference, p.version, p.title);
                    println!("Owner: {} ({})", p.business_area, p.directorate);
                    println!("Status: {}", review_status(p.next_review_date, today()));
                }
                None => {
                    eprintln!("no version of {reference} has been imported");
                    return Ok(ExitCode::from(1));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        PolicyCmd::History { reference } => {
            let (_, store) = opened.await?;
            let Some(v) = store.policy_in_force(reference).await? else {
                eprintln!("no version of {reference} has been imported");
                return Ok(ExitCode::from(1));
            };
            for row in store.policy_history(v.id).await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    row.date_label,
                    row.author,
                    row.amendment,
                    row.approval.as_deref().unwrap_or("")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
