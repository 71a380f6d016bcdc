//! `custodian findings`: export findings, one JSON object per line.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Subcommand;

use crate::Cli;
use crate::common::open;

#[derive(Subcommand)]
pub enum FindingsCmd {
    /// Export findings, one JSON object per line.
    Export {
        #[arg(long, default_value = "jsonl")]
        format: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Run a findings command.
pub async fn run(cli: &Cli, cmd: &FindingsCmd) -> anyhow::Result<ExitCode> {
    let FindingsCmd::Export { format, out } = cmd;
    if format != "jsonl" {
        bail!("unknown format {format:?}: use jsonl");
    }
    let (_, store) = open(cli).await?;
    let mut w: Box<dyn Write + Send> = match out {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    let mut err = None;
    store
        .findings_scan(|f| {
            let line = serde_json::json!({
                "id": f.id, "rule": f.rule, "clause": f.clause, "status": f.status.as_str(),
                "person": f.person_staff_number, "device": f.device_asset_tag,
                "opened_at": f.opened_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
                "closed_at": f.closed_at.and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok()),
                "severity": f.severity.as_str(), "outcome": f.outcome.map(|o| o.as_str()),
                "summary": f.summary, "evidence": f.evidence, "records": f.records,
            });
            let mut line = line;
            if f.rule == custodian_domain::apps::RULE_UNAPPROVED {
                // WP034 4.8 findings name the app's package id.
                line["app"] = f.evidence.get("app").cloned().unwrap_or_default();
            }
            if let Err(e) = writeln!(w, "{line}") {
                err = Some(e);
            }
            Ok(())
        })
        .await?;
    if let Some(e) = err {
        return Err(e.into());
    }
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}
