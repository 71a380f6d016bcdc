//! `custodian retention` (the retention schedule's status, the deletion job, the record of
//! processing), `custodian hold` (legal holds) and `custodian person export` (subject access):
//! data protection (WP034 3.4, 5.5; UK GDPR, DPA 2018).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Subcommand;
use custodian_domain::data_protection::export::Form;
use custodian_domain::data_protection::{Schedule, check_hold, parse_case_ref};
use custodian_store::Actor;
use custodian_store::data_protection::NewHold;
use uuid::Uuid;

use crate::Cli;
use crate::common::{by_staff, open};

#[derive(Subcommand)]
pub enum RetentionCmd {
    /// Per record type: how many records, the oldest, and how many are due (and held).
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Delete what is past its retention and not held, in short batches, each audited; with
    /// --dry-run only count.
    Run {
        #[arg(long)]
        dry_run: bool,
        /// Only this record type (repeatable).
        #[arg(long = "only")]
        only: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Write the record of processing (docs/data-protection.md) from the schedule and the Cedar
    /// policies; with --check exit 1 if FILE differs.
    Docs {
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        check: bool,
    },
}

#[derive(Subcommand)]
pub enum HoldCmd {
    /// Place a legal hold on a person's or a case's records (Professional Standards).
    Place {
        /// Staff number of the person held.
        #[arg(long, conflicts_with = "case")]
        person: Option<String>,
        /// finding:ID, case:ID (monitoring case) or post:ID.
        #[arg(long)]
        case: Option<String>,
        #[arg(long)]
        reason: String,
        /// YYYY-MM-DD, within two years.
        #[arg(long)]
        review_on: String,
    },
    /// Release a legal hold.
    Release {
        id: Uuid,
        #[arg(long)]
        reason: String,
    },
    /// List legal holds (open ones; --all for released ones too).
    List {
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum PersonCmd {
    /// Export everything held about a person (subject access, UK GDPR Art. 15), other people
    /// shown by their roles; audited.
    Export {
        staff_number: String,
        #[arg(long)]
        out: PathBuf,
        /// json (default) or html.
        #[arg(long, default_value = "json")]
        format: String,
        /// The subject access request's reference and reason (recorded in the audit log).
        #[arg(long)]
        reason: String,
    },
}

pub async fn retention(cli: &Cli, cmd: &RetentionCmd) -> anyhow::Result<ExitCode> {
    let schedule = Schedule::builtin();
    if let RetentionCmd::Docs { out, check } = cmd {
        let authz = custodian_authz::Authz::load()?;
        let text = custodian_server::data_protection::record::render(schedule, &authz);
        if *check {
            let now = std::fs::read_to_string(out).unwrap_or_default();
            if now != text {
                eprintln!("{} is stale: run `custodian retention docs --out {}`", out.display(), out.display());
                return Ok(ExitCode::from(1));
            }
            return Ok(ExitCode::SUCCESS);
        }
        std::fs::write(out, text).with_context(|| format!("writing {}", out.display()))?;
        return Ok(ExitCode::SUCCESS);
    }
    let (_, store) = open(cli).await?;
    let now = time::OffsetDateTime::now_utc();
    match cmd {
        RetentionCmd::Status { json } => {
            let rows = store.retention_status(schedule, now).await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                println!(
                    "{:<24} {:<8} {:<12} {:>10} {:<12} {:>10} {:>6}",
                    "record type", "action", "kept", "records", "oldest", "due", "held"
                );
                for r in rows {
                    let oldest = r.numbers.oldest.map(|t| t.date().to_string()).unwrap_or_else(|| "-".into());
                    println!(
                        "{:<24} {:<8} {:<12} {:>10} {:<12} {:>10} {:>6}",
                        r.id, r.action, r.keep, r.numbers.count, oldest, r.numbers.due, r.numbers.held
                    );
                }
            }
        }
        RetentionCmd::Run { dry_run, only, json } => {
            for o in only {
                if schedule.record(o).is_none() {
                    bail!("--only {o}: no such record type in the schedule");
                }
            }
            let report = store.retention_run(schedule, now, &Actor::cli(), *dry_run, only).await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                for r in &report.rules {
                    println!(
                        "{:<24} due {:>10}  held {:>6}  skipped (referenced) {:>6}  deleted {:>10}  batches {:>6}  longest batch {:.1} ms (commit {:.1} ms)",
                        r.rule,
                        r.due,
                        r.held,
                        r.skipped_referenced,
                        r.deleted,
                        r.batches,
                        r.longest_batch_ms,
                        r.longest_commit_ms
                    );
                }
                if *dry_run {
                    println!("dry run: nothing was deleted");
                }
            }
        }
        RetentionCmd::Docs { .. } => unreachable!("handled above"),
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn hold(cli: &Cli, cmd: &HoldCmd) -> anyhow::Result<ExitCode> {
    let (_, store) = open(cli).await?;
    let now = time::OffsetDateTime::now_utc();
    match cmd {
        HoldCmd::Place { person, case, reason, review_on } => {
            let review_on = crate::usage::date("review_on", review_on)?;
            if let Err(m) = check_hold(reason, review_on, now.date()) {
                eprintln!("{m}");
                return Ok(ExitCode::from(2));
            }
            let (person, case) = match (person, case) {
                (Some(sn), None) => (Some(by_staff(&store, sn).await?.id), None),
                (None, Some(c)) => match parse_case_ref(c) {
                    Ok(c) => (None, Some(c)),
                    Err(m) => {
                        eprintln!("case: {m}");
                        return Ok(ExitCode::from(2));
                    }
                },
                _ => bail!("give --person or --case"),
            };
            let id = store
                .hold_place(&NewHold { person, case, reason: reason.clone(), review_on }, &Actor::cli(), now)
                .await?;
            println!("{id}");
        }
        HoldCmd::Release { id, reason } => {
            store.hold_release(*id, reason, &Actor::cli(), now).await?;
            println!("released {id}");
        }
        HoldCmd::List { all, json } => {
            let holds = store.holds(*all).await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&holds)?);
            } else {
                for h in holds {
                    println!(
                        "{}  {}  review by {}  {}{}",
                        h.id,
                        h.subject,
                        h.review_on,
                        h.reason,
                        h.released_at.map(|t| format!("  (released {})", t.date())).unwrap_or_default()
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn person(cli: &Cli, cmd: &PersonCmd) -> anyhow::Result<ExitCode> {
    let PersonCmd::Export { staff_number, out, format, reason } = cmd;
    let form = match format.as_str() {
        "json" => Form::Json,
        "html" => Form::Html,
        other => bail!("--format {other}: use json or html"),
    };
    let reason = match custodian_domain::validate::access_reason(reason) {
        Ok(r) => r,
        Err(m) => {
            eprintln!("reason: {m}");
            return Ok(ExitCode::from(2));
        }
    };
    let (_, store) = open(cli).await?;
    let p = by_staff(&store, &staff_number.trim().to_ascii_uppercase()).await?;
    let now = time::OffsetDateTime::now_utc();
    store
        .log_view(Actor::cli().at(now), custodian_server::data_protection::export_event(&p.staff_number, &reason, form))
        .await?;
    // Personal data: readable by this account only.
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(custodian_store::files::PRIVATE_FILE_MODE);
    }
    let file = opts.open(out).with_context(|| format!("creating {}", out.display()))?;
    let w = std::io::BufWriter::with_capacity(1 << 20, file);
    let started = std::time::Instant::now();
    let (mut w, counts) =
        custodian_server::data_protection::write_export(&store, p.id, &p.staff_number, form, now, w).await?;
    w.flush()?;
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    eprintln!("{} records written to {} in {:.2} s", total, out.display(), started.elapsed().as_secs_f64());
    for (s, n) in counts {
        eprintln!("  {s}: {n}");
    }
    Ok(ExitCode::SUCCESS)
}
