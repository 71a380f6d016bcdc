//! `custodian usage`: import carrier billing and web gateway files, check a file against the
//! register without storing anything, and record the streaming exceptions the usage rules
//! consult (WP034 4.1, 4.2, 4.5, 4.6, 4.9, 4.12). The overseas windows are in `overseas`.

use std::future::Future;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::Subcommand;
use custodian_domain::usage::{self as usage, Feed, UsagePack};
use custodian_server::Settings;
use custodian_store::{Actor, Store, StoreError};
use indicatif::{ProgressBar, ProgressStyle};

/// Exit status when rows were rejected or the file was refused.
pub(crate) const REJECTED: u8 = 2;

#[derive(Subcommand)]
pub enum UsageCmd {
    /// Import a carrier (`carrier`) or web gateway (`web`) CSV; idempotent and resumable.
    Import {
        feed: String,
        file: PathBuf,
        /// A carrier layout named in the usage pack's [[profiles]].
        #[arg(long)]
        profile: Option<String>,
        /// An edited usage pack (defaults to the one compiled in).
        #[arg(long)]
        pack: Option<PathBuf>,
        /// Print {"rows", "imported", "duplicates", "rejected": [{"line", "record_id", "reason"}]}.
        #[arg(long)]
        json: bool,
    },
    /// Evaluate a file against the register and approvals without storing anything.
    Check {
        feed: String,
        file: PathBuf,
        /// jsonl: one breach per line.
        #[arg(long, default_value = "jsonl")]
        format: String,
        #[arg(long)]
        profile: Option<String>,
        #[arg(long)]
        pack: Option<PathBuf>,
    },
    /// Attribute stored usage records again by the current allocation history (WP034 4.1, 4.2):
    /// records whose holder changed get it, open findings that held them for someone else are
    /// trimmed or closed as reattributed, and the rules are applied again. Idempotent.
    Reattribute {
        /// Only this device (asset tag).
        #[arg(long)]
        device: Option<String>,
        /// First day (YYYY-MM-DD, Europe/London, inclusive).
        #[arg(long)]
        from: Option<String>,
        /// Last day (YYYY-MM-DD, Europe/London, inclusive).
        #[arg(long)]
        to: Option<String>,
        /// An edited usage pack (defaults to the one compiled in).
        #[arg(long)]
        pack: Option<PathBuf>,
        /// Print the counts as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Record a policing-purpose exception for streaming video (WP034 4.6).
    StreamingException {
        /// Staff number of the person the exception covers.
        #[arg(long)]
        person: String,
        /// Staff number of the approver.
        #[arg(long)]
        approver: String,
        /// The specific policing purpose.
        #[arg(long)]
        reason: String,
        /// Last day covered (YYYY-MM-DD, inclusive, Europe/London).
        #[arg(long)]
        until: String,
    },
}

fn feed(s: &str) -> anyhow::Result<Feed> {
    Feed::parse(s).with_context(|| format!("unknown feed {s:?}: use carrier or web"))
}

fn load_pack(path: &Option<PathBuf>) -> anyhow::Result<UsagePack> {
    match path {
        None => Ok(UsagePack::shipped().clone()),
        Some(p) => {
            Ok(UsagePack::from_toml(&std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?)?)
        }
    }
}

fn profile(pack: &UsagePack, name: &Option<String>) -> anyhow::Result<Option<usage::Profile>> {
    match name {
        None => Ok(None),
        Some(n) => pack.profile(n).cloned().map(Some).with_context(|| format!("no profile {n:?} in the usage pack")),
    }
}

fn open_file(p: &Path) -> anyhow::Result<std::fs::File> {
    std::fs::File::open(p).with_context(|| format!("reading {}", p.display()))
}

pub(crate) fn date(field: &str, s: &str) -> anyhow::Result<time::Date> {
    time::Date::parse(s, &time::format_description::well_known::Iso8601::DATE)
        .with_context(|| format!("{field}: {s:?} is not a date (YYYY-MM-DD)"))
}

/// Run a usage command.
pub async fn run(
    cmd: &UsageCmd,
    open: impl Future<Output = anyhow::Result<(Settings, Store)>>,
) -> anyhow::Result<ExitCode> {
    match cmd {
        UsageCmd::Import { feed: f, file, profile: prof, pack, json } => {
            let feed = feed(f)?;
            let pack = load_pack(pack)?;
            let profile = profile(&pack, prof)?;
            let (_, store) = open.await?;
            let input = open_file(file)?;
            let size = input.metadata().map(|m| m.len()).unwrap_or(0);
            let bar = if std::io::stderr().is_terminal() && !json {
                let pb = ProgressBar::new_spinner();
                pb.set_style(
                    ProgressStyle::with_template("{spinner} {msg} {pos} rows [{elapsed}, {per_sec}]")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                pb.set_message(format!("importing {} ({} MB)", file.display(), size / 1_000_000));
                pb.enable_steady_tick(std::time::Duration::from_millis(120));
                pb
            } else {
                ProgressBar::hidden()
            };
            let pos = bar.clone();
            let r = store
                .import_usage(
                    feed,
                    Box::new(std::io::BufReader::with_capacity(1 << 20, input)),
                    profile,
                    Arc::new(pack),
                    Actor::cli().at(time::OffsetDateTime::now_utc()),
                    Arc::new(move |n| pos.set_position(n)),
                )
                .await;
            bar.finish_and_clear();
            let r = match r {
                Ok(r) => r,
                Err(e @ (StoreError::Invalid(_) | StoreError::InvalidField { .. })) => {
                    let m = e.to_string();
                    if *json {
                        println!("{}", serde_json::json!({"error": m}));
                    } else {
                        eprintln!("{}: nothing imported: {m}", file.display());
                    }
                    return Ok(ExitCode::from(REJECTED));
                }
                Err(e) => return Err(e.into()),
            };
            if *json {
                println!(
                    "{}",
                    serde_json::json!({"rows": r.rows, "imported": r.imported, "duplicates": r.duplicates, "rejected": r.rejected,
                        "before_first_allocation": r.before_first_allocation})
                );
            } else {
                println!(
                    "{} rows: {} imported, {} already present, {} rejected; {} findings opened, {} updated (sha256 {})",
                    r.rows,
                    r.imported,
                    r.duplicates,
                    r.rejected.len(),
                    r.findings_opened,
                    r.findings_updated,
                    r.file_sha256
                );
                if r.before_first_allocation > 0 {
                    println!("{}", before_first_allocation_advice(r.before_first_allocation));
                }
                for e in &r.rejected {
                    println!(
                        "  rejected line {}{}: {}",
                        e.line,
                        e.record_id.as_deref().map(|i| format!(" ({i})")).unwrap_or_default(),
                        e.reason
                    );
                }
            }
            Ok(if r.rejected.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(REJECTED) })
        }
        UsageCmd::Check { feed: f, file, format, profile: prof, pack } => {
            if format != "jsonl" {
                bail!("unknown format {format:?}: use jsonl");
            }
            let feed = feed(f)?;
            let pack = load_pack(pack)?;
            let profile = profile(&pack, prof)?;
            let (_, store) = open.await?;
            let register = store.usage_register().await?;
            // Lines name the person by staff number and the device by asset tag, as
            // `findings export` does.
            let staff = staff_numbers(&store).await?;
            let tags: std::collections::HashMap<uuid::Uuid, String> =
                register.devices.iter().map(|d| (d.id, json_string(&d.asset_tag))).collect();
            let input = std::io::BufReader::with_capacity(1 << 20, open_file(file)?);
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
            let mut err = None;
            let mut days: std::collections::HashMap<i32, String> = std::collections::HashMap::new();
            let spill = tempfile::tempfile().context("creating the dry run's temporary file")?;
            let r = usage::check(feed, input, profile.as_ref(), &pack, &register, spill, |h| {
                let day = days.entry(h.day).or_insert_with(|| usage::day_date(h.day).to_string());
                let person = h.person.and_then(|p| staff.get(&p)).map(String::as_str).unwrap_or("null");
                let device = h.device.and_then(|d| tags.get(&d)).map(String::as_str).unwrap_or("null");
                let rid = serde_json::to_string(h.record_id).unwrap_or_default();
                if let Err(e) = writeln!(
                    w,
                    "{{\"record_id\":{rid},\"rule\":\"{}\",\"clause\":\"{}\",\"person\":{person},\"device\":{device},\"day\":\"{day}\"}}",
                    h.rule.id, h.rule.clause
                ) {
                    err.get_or_insert(e);
                }
            });
            w.flush()?;
            if let Some(e) = err {
                return Err(e.into());
            }
            match r {
                Err(e) => {
                    eprintln!("{}: line {}: {}", file.display(), e.line, e.reason);
                    Ok(ExitCode::from(REJECTED))
                }
                Ok(s) => {
                    for e in &s.rejected {
                        eprintln!(
                            "rejected line {}{}: {}",
                            e.line,
                            e.record_id.as_deref().map(|i| format!(" ({i})")).unwrap_or_default(),
                            e.reason
                        );
                    }
                    Ok(if s.rejected.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(REJECTED) })
                }
            }
        }
        UsageCmd::Reattribute { device, from, to, pack, json } => {
            let pack = load_pack(pack)?;
            let from_us = from.as_deref().map(|s| date("from", s)).transpose()?.map(usage::london_midnight_us);
            let to_us = to
                .as_deref()
                .map(|s| date("to", s))
                .transpose()?
                .map(|d| usage::london_midnight_us(d.next_day().unwrap_or(d)));
            if let (Some(a), Some(b)) = (from_us, to_us)
                && a >= b
            {
                bail!("--to must not be before --from");
            }
            let (_, store) = open.await?;
            let devices = match device {
                None => None,
                Some(tag) => Some(vec![
                    store
                        .device_by_asset_tag(tag)
                        .await?
                        .with_context(|| format!("no device with asset tag {tag}"))?
                        .id,
                ]),
            };
            let scope = custodian_store::usage::ReattributeScope { devices, from_us, to_us };
            let started = std::time::Instant::now();
            let r = store.reattribute_usage(&scope, &pack, Actor::cli().at(time::OffsetDateTime::now_utc())).await?;
            if *json {
                println!("{}", serde_json::to_string(&r)?);
            } else {
                println!(
                    "{} records examined: {} re-attributed; {} findings closed as reattributed, {} trimmed; {} findings opened, {} updated ({:.1} s)",
                    r.records_examined,
                    r.records_reattributed,
                    r.findings_closed,
                    r.findings_trimmed,
                    r.findings_opened,
                    r.findings_updated,
                    started.elapsed().as_secs_f64()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        UsageCmd::StreamingException { person, approver, reason, until } => {
            let (_, store) = open.await?;
            let p = store
                .person_by_staff_number(person)
                .await?
                .with_context(|| format!("no person with staff number {person}"))?;
            let a = store
                .person_by_staff_number(approver)
                .await?
                .with_context(|| format!("no person with staff number {approver}"))?;
            let now = time::OffsetDateTime::now_utc();
            let until = date("until", until)?;
            // Up to the end of that day in London (an hour early in summer is on the safe side).
            let expires = until.next_day().unwrap_or(until).midnight().assume_utc();
            let id = store
                .record_streaming_exception(p.id, reason, a.id, micros(now), micros(expires), Actor::cli().at(now))
                .await?;
            println!("{id}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A string as a JSON literal (quoted and escaped).
fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "null".into())
}

/// Every person's staff number as a JSON literal, by id (leavers included: a bill covers the past).
async fn staff_numbers(store: &Store) -> anyhow::Result<std::collections::HashMap<uuid::Uuid, String>> {
    let mut m = std::collections::HashMap::new();
    let mut page = 1;
    loop {
        let p = store.people(&custodian_store::PersonFilter::default(), page, 1000).await?;
        for x in &p.items {
            m.insert(x.id, json_string(&x.staff_number));
        }
        if page >= p.pages() {
            return Ok(m);
        }
        page += 1;
    }
}

/// What to do about records from before their device's first allocation (WP034 4.1).
fn before_first_allocation_advice(n: u64) -> String {
    format!(
        "{n} records are from before their device's first allocation, so nobody held it then by the register: \
         import the device register with the allocated_from column (when each holder received the device), \
         and they are attributed again"
    )
}

fn micros(t: time::OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1000) as i64
}
