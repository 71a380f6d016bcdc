//! `custodian screen`: screen a draft post against WP034 6.3 and 6.5.

use std::path::PathBuf;
use std::process::ExitCode;

/// Screen a draft (or one draft per line) and print the verdict.
pub fn run(file: &Option<PathBuf>, json: &bool, jsonl: &bool, pack: &Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let opts = custodian_screening::cli::Options { file: file.clone(), json: *json, jsonl: *jsonl, pack: pack.clone() };
    let (stdin, stdout, stderr) = (std::io::stdin(), std::io::stdout(), std::io::stderr());
    Ok(ExitCode::from(custodian_screening::cli::run(&opts, &mut stdin.lock(), &mut stdout.lock(), &mut stderr.lock())))
}
