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
    /// Record training attendance (WP034 2.4) from a CSV `date,topic,staff_number` (dates
    /// YYYY-MM-DD): one session per date and topic, each attendee once. Exit 2, writing nothing,
    /// if any line is wrong; each is named.
    TrainingImport { file: PathBuf },
    /// Start an acknowledgement campaign (WP034 2.3) on the version in force: every active person
    /// (or those of the business areas or roles named) reads the clauses given and acknowledges
    /// by a date.
    Campaign {
        /// A clause to read (repeatable); all of the version's clauses when none.
        #[arg(long = "clause")]
        clauses: Vec<String>,
        /// A business area to ask (repeatable); everyone active when none.
        #[arg(long = "area")]
        areas: Vec<String>,
        /// A role whose holders are asked (repeatable, e.g. corporate_comms); every role when
        /// none. With --area as well, a person must match both.
        #[arg(long = "role")]
        roles: Vec<String>,
        /// Days people have to acknowledge.
        #[arg(long, default_value_t = 28)]
        days: i64,
        #[arg(long, default_value = "WP034")]
        reference: String,
    },
    /// Remind, by notification and e-mail, the people who have not acknowledged a campaign (and
    /// were not reminded in the last week).
    Remind {
        campaign: uuid::Uuid,
        /// The most people to remind in this run.
        #[arg(long, default_value_t = 5000)]
        limit: i64,
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
                    eprintln!(
                        "{}: {} thing(s) could not be placed; nothing was imported",
                        file.display(),
                        problems.len()
                    );
                    for p in problems {
                        eprintln!("  {p}");
                    }
                    return Ok(ExitCode::from(2));
                }
            };
            let (_, store) = opened.await?;
            match store
                .policy_import(&policy, approval_body.as_deref(), Actor::cli().at(OffsetDateTime::now_utc()))
                .await
            {
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
                    println!(
                        "{} version {}: {}.",
                        v.reference,
                        v.version,
                        review_status(policy.next_review_date, today())
                    );
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
                    println!(
                        "{} version {}: {} (built in; no text has been imported)",
                        p.reference, p.version, p.title
                    );
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
        PolicyCmd::TrainingImport { file } => {
            let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            let rows = match custodian_domain::policy::training::parse_attendance_csv(&bytes) {
                Ok(rows) => rows,
                Err(bad) => {
                    eprintln!("{}: {} line(s) could not be read; nothing was imported", file.display(), bad.len());
                    for b in bad {
                        eprintln!("  line {}: {}", b.line, b.message);
                    }
                    return Ok(ExitCode::from(2));
                }
            };
            let (_, store) = opened.await?;
            match store.training_import(&rows, Actor::cli().at(OffsetDateTime::now_utc())).await {
                Ok((sessions, added)) => {
                    println!("{} line(s): {sessions} session(s), {added} attendance(s) added.", rows.len());
                    Ok(ExitCode::SUCCESS)
                }
                Err(StoreError::Invalid(m) | StoreError::Conflict(m)) => {
                    eprintln!("{}: {m}; nothing was imported", file.display());
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(e.into()),
            }
        }
        PolicyCmd::Campaign { clauses, areas, roles, days, reference } => {
            let (_, store) = opened.await?;
            let Some(v) = store.policy_in_force(reference).await? else {
                eprintln!("no version of {reference} has been imported");
                return Ok(ExitCode::from(1));
            };
            let clauses = if clauses.is_empty() {
                store.policy_clauses(v.id).await?.into_iter().map(|c| c.clause_id).collect()
            } else {
                clauses.clone()
            };
            let known = store.business_areas().await?;
            let mut area_ids = Vec::new();
            for a in areas {
                match known.iter().find(|b| b.name.eq_ignore_ascii_case(a.trim())) {
                    Some(b) => area_ids.push(b.id),
                    None => {
                        eprintln!("no business area {a:?}");
                        return Ok(ExitCode::from(2));
                    }
                }
            }
            let mut role_list = Vec::new();
            for r in roles {
                match custodian_domain::people::Role::parse(r) {
                    Some(role) => role_list.push(role),
                    None => {
                        eprintln!("no role {r:?}");
                        return Ok(ExitCode::from(2));
                    }
                }
            }
            let c = custodian_store::policy::NewCampaign {
                version_id: v.id,
                title: format!("{} version {}", v.reference, v.version),
                clauses,
                areas: area_ids,
                roles: role_list,
                due_on: today() + time::Duration::days(*days),
            };
            let (campaign, enrolled) =
                store.policy_campaign_create(&c, Actor::cli().at(OffsetDateTime::now_utc())).await?;
            println!("Campaign {}: {enrolled} people to acknowledge by {}.", campaign.id, campaign.due_on);
            Ok(ExitCode::SUCCESS)
        }
        PolicyCmd::Remind { campaign, limit } => {
            let (_, store) = opened.await?;
            let now = OffsetDateTime::now_utc();
            let n = store
                .policy_campaign_remind(*campaign, now - time::Duration::days(7), *limit, Actor::cli().at(now))
                .await?;
            println!("{n} reminder(s) sent.");
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
