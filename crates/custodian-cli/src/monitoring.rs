//! `custodian monitoring`: PSD's lawful business monitoring rounds from the command line (WP034
//! 3.3, 5.4, 5.5): create a round, record exclusions, draw, export the verification bundle, and
//! verify any bundle without a database.

use std::future::Future;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use custodian_domain::monitoring::{self as lbm, Bundle, CaseRules};
use custodian_server::Settings;
use custodian_store::monitoring::{NewRound, Round};
use custodian_store::{Actor, Store, StoreError};
use uuid::Uuid;

/// Exit status when a bundle does not verify (as `custodian audit verify` does for the log).
const DIFFERS: u8 = 3;
/// Exit status for input the store refused (a field to fix).
const REFUSED: u8 = 2;

#[derive(Subcommand)]
pub enum MonitoringCmd {
    /// Create a round and freeze its population; prints the round id (WP034 5.4).
    Create {
        #[arg(long)]
        name: String,
        /// People selected per business area (k).
        #[arg(long = "sample")]
        sample: u32,
        /// A business area in scope (repeatable); all areas when none is named.
        #[arg(long = "area")]
        areas: Vec<String>,
        /// Hex SHA-256 of the secret revealed at the draw (see `monitoring commitment`).
        #[arg(long)]
        commitment: String,
        /// How many days after the first proposed slot the one deferral may reach.
        #[arg(long, default_value_t = CaseRules::default().deferral_days)]
        deferral_days: u32,
    },
    /// Leave a person out of a round's draw, with the reason; before the draw only.
    Exclude {
        round: Uuid,
        staff_number: String,
        #[arg(long)]
        reason: String,
    },
    /// Draw with a public random value chosen after the round was created, revealing the secret.
    Draw {
        round: Uuid,
        /// The public random value (drand or NIST beacon output, lottery result, ...).
        #[arg(long)]
        beacon: String,
        /// The secret whose SHA-256 is the round's commitment.
        #[arg(long)]
        secret: String,
    },
    /// Write a drawn round's verification bundle.
    Export {
        round: Uuid,
        #[arg(long)]
        out: PathBuf,
    },
    /// Re-compute a bundle and say what, if anything, differs (needs no database).
    Verify {
        bundle: PathBuf,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The sample needed to detect a misuse rate with a confidence: n ≥ ln α / ln(1 − p).
    SampleSize {
        /// The misuse rate to detect, e.g. 0.05.
        #[arg(long)]
        rate: f64,
        /// The confidence wanted, e.g. 0.95.
        #[arg(long)]
        confidence: f64,
    },
    /// Print the commitment (hex SHA-256) of a secret read from standard input.
    Commitment,
    /// Open failure-to-provide referrals for cases past their hand-over deadline (WP034 5.5).
    Sweep,
}

/// Run a monitoring command. `open` opens the store; commands that need no database never
/// await it.
pub async fn run(
    cmd: &MonitoringCmd,
    open: impl Future<Output = anyhow::Result<(Settings, Store)>>,
) -> anyhow::Result<ExitCode> {
    let now = time::OffsetDateTime::now_utc();
    match cmd {
        MonitoringCmd::Verify { bundle, json } => verify(bundle, *json),
        MonitoringCmd::SampleSize { rate, confidence } => {
            let n = lbm::sample_size(*rate, *confidence)?;
            println!(
                "{n}: a random sample of {n} finds at least one case of misuse at a rate of {} with {} confidence (n >= ln {:.4} / ln {:.4} = {:.2})",
                percent(*rate),
                percent(*confidence),
                1.0 - confidence,
                1.0 - rate,
                (1.0 - confidence).ln() / (1.0 - rate).ln()
            );
            Ok(ExitCode::SUCCESS)
        }
        MonitoringCmd::Commitment => {
            let mut secret = String::new();
            std::io::stdin().read_to_string(&mut secret)?;
            let secret = secret.trim_end_matches(['\r', '\n']);
            if secret.is_empty() {
                anyhow::bail!("secret: give the secret on standard input");
            }
            println!("{}", lbm::commitment_of(secret));
            Ok(ExitCode::SUCCESS)
        }
        MonitoringCmd::Create { name, sample, areas, commitment, deferral_days } => {
            let (_, store) = open.await?;
            let r = NewRound {
                name: name.clone(),
                areas: areas.clone(),
                sample_size: *sample,
                commitment: commitment.clone(),
                rules: CaseRules { deferral_days: *deferral_days },
            };
            match store.monitoring_create_round(&r, Actor::cli().at(now)).await {
                Ok(round) => {
                    eprintln!("{}", describe(&round));
                    println!("{}", round.id);
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => refused(e),
            }
        }
        MonitoringCmd::Exclude { round, staff_number, reason } => {
            let (_, store) = open.await?;
            match store.monitoring_exclude(*round, staff_number, reason, Actor::cli().at(now)).await {
                Ok(r) => {
                    println!(
                        "excluded {} from {}: {} of {} people remain in the draw",
                        staff_number.trim().to_ascii_uppercase(),
                        r.name,
                        r.population() - r.excluded(),
                        r.population()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => refused(e),
            }
        }
        MonitoringCmd::Draw { round, beacon, secret } => {
            let (_, store) = open.await?;
            if let Err(e) = store.monitoring_draw(*round, beacon, secret, Actor::cli().at(now)).await {
                return refused(e);
            }
            let b = store.monitoring_bundle(*round).await?;
            println!("seed {}", b.seed);
            for (area, chosen) in &b.selected {
                println!("{area}: {}", if chosen.is_empty() { "nobody".to_string() } else { chosen.join(", ") });
            }
            Ok(ExitCode::SUCCESS)
        }
        MonitoringCmd::Export { round, out } => {
            let (_, store) = open.await?;
            let b = match store.monitoring_bundle(*round).await {
                Ok(b) => b,
                Err(e) => return refused(e),
            };
            std::fs::write(out, serde_json::to_vec_pretty(&b)?)
                .with_context(|| format!("writing {}", out.display()))?;
            println!("bundle of {} people written to {}", b.population.len(), out.display());
            Ok(ExitCode::SUCCESS)
        }
        MonitoringCmd::Sweep => {
            let (_, store) = open.await?;
            let n = store.monitoring_sweep(Actor::cli().at(now)).await?;
            println!("{n} failure-to-provide referral{} opened", if n == 1 { "" } else { "s" });
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn percent(x: f64) -> String {
    format!("{}%", (x * 1000.0).round() / 10.0)
}

fn describe(r: &Round) -> String {
    let areas: Vec<String> = r
        .areas
        .iter()
        .map(|a| format!("{} ({} people, k = {})", a.business_area, a.population, a.sample_size))
        .collect();
    format!(
        "round {:?} created: {} people frozen in {} areas: {}",
        r.name,
        r.population(),
        r.areas.len(),
        areas.join("; ")
    )
}

/// Input the store refused names its field: say so and exit 2; anything else is an error.
fn refused(e: StoreError) -> anyhow::Result<ExitCode> {
    match e {
        StoreError::Invalid(m) | StoreError::Conflict(m) | StoreError::NotFound(m) => {
            eprintln!("{m}");
            Ok(ExitCode::from(REFUSED))
        }
        e @ StoreError::InvalidField { .. } => {
            eprintln!("{e}");
            Ok(ExitCode::from(REFUSED))
        }
        other => Err(other.into()),
    }
}

fn verify(path: &PathBuf, json: bool) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let bundle: Bundle =
        serde_json::from_slice(&bytes).with_context(|| format!("{} is not a verification bundle", path.display()))?;
    let differences = lbm::verify_bundle(&bundle);
    if json {
        println!("{}", serde_json::json!({"verified": differences.is_empty(), "differences": differences}));
    } else if differences.is_empty() {
        let selected: usize = bundle.selected.values().map(Vec::len).sum();
        println!(
            "bundle verified: {} people in {} areas, population hash {}, seed {}, {selected} selected; the secret opens the commitment",
            bundle.population.len(),
            bundle.sample_sizes.len(),
            bundle.population_hash,
            bundle.seed
        );
    } else {
        println!(
            "BUNDLE DIFFERS: {} field{} do not re-compute",
            differences.len(),
            if differences.len() == 1 { "" } else { "s" }
        );
        for d in &differences {
            println!("  {d}");
        }
    }
    Ok(if differences.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(DIFFERS) })
}
