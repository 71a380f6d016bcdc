//! `custodian comments`: triage of public comments on force social media channels (WP034 6.7,
//! 8.2).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

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
    },
}

pub fn run(cmd: &CommentsCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        CommentsCmd::Triage { file, jsonl: _, pack } => {
            let opts = custodian_comments::cli::Options { file: file.clone(), pack: pack.clone() };
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
