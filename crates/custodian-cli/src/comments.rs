//! `custodian comments`: triage of public comments on force social media channels (WP034 6.7,
//! 8.2).

use std::future::Future;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use custodian_server::Settings;
use custodian_store::{Actor, Store};

use crate::common::report_app_error;

#[derive(Subcommand)]
pub enum CommentsCmd {
    /// Triage comments: one {"id", "text", ...} per line in; one {"id", "labels", "route"} per
    /// line out, in the same order. A bad line stops the run naming its line number (exit 2).
    Triage {
        /// The comments (JSON lines, UTF-8); `-` or nothing reads standard input.
        file: Option<PathBuf>,
        /// JSON lines in and out (the only format; accepted for clarity).
        #[arg(long)]
        jsonl: bool,
        /// Triage with an edited pack instead of the built-in one.
        #[arg(long)]
        pack: Option<PathBuf>,
        /// The people register's names (CSV, header staff_number,given_name,family_name,rank,
        /// collar_number): a comment naming one of them by surname, given name, rank and name,
        /// collar number or a surname misspelt by a letter names a member of staff (WP034 8.2).
        #[arg(long)]
        staff: Option<PathBuf>,
    },
    /// Import comments into the database: one {"id","platform","account","post","author",
    /// "author_name","url","text","created_at"} per line. Each is triaged with the built-in
    /// pack; a labelled comment's evidence is kept. All or nothing: a bad line (a missing
    /// field, an oversize text, an account not in the register) is named with its field and
    /// nothing is stored (exit 2). A comment already stored (same platform and id) is stored
    /// once.
    Import {
        file: PathBuf,
        /// Print the summary (or the refused lines) as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(
    cmd: &CommentsCmd,
    open: impl Future<Output = anyhow::Result<(Settings, Store)>>,
) -> anyhow::Result<ExitCode> {
    match cmd {
        CommentsCmd::Import { file, json } => {
            let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            let (_, store) = open.await?;
            let now = time::OffsetDateTime::now_utc();
            match custodian_server::comments::import(&store, &Actor::cli(), now, &bytes).await {
                Ok(s) => {
                    if *json {
                        println!("{}", serde_json::to_string(&s)?);
                    } else {
                        println!(
                            "{} comments: {} stored, {} already stored; {} labelled, evidence kept for {}",
                            s.lines, s.stored, s.duplicates, s.labelled, s.evidence_kept
                        );
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => report_app_error(e, *json),
            }
        }
        CommentsCmd::Triage { file, jsonl: _, pack, staff } => {
            let opts =
                custodian_comments::cli::Options { file: file.clone(), pack: pack.clone(), staff: staff.clone() };
            let (stdin, stdout, stderr) = (std::io::stdin(), std::io::stdout(), std::io::stderr());
            Ok(ExitCode::from(custodian_comments::cli::run(
                &opts,
                &mut stdin.lock(),
                &mut stdout.lock(),
                &mut stderr.lock(),
            )))
        }
    }
}
