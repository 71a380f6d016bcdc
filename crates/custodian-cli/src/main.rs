//! `custodian`: run the server and every bulk job from the command line.

mod apps;
mod monitoring;
mod screening_pack;
mod usage;

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use custodian_domain::imports::ImportAuthority;
use custodian_domain::people::Role;
use custodian_server::error::AppError;
use custodian_server::{Application, Settings, demo, usecases};
use custodian_store::{Actor, Store};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Parser)]
#[command(
    name = "custodian",
    version,
    about = "Custodian: the device register, findings and audit log for WP034 (Mobile Devices and Social Media Policy)"
)]
struct Cli {
    /// Configuration file (TOML). Settings may also come from CUSTODIAN_* variables.
    #[arg(long, global = true, env = "CUSTODIAN_CONFIG")]
    config: Option<PathBuf>,
    /// Database URL: sqlite:PATH or postgres://... (overrides the configuration).
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web interface and API.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        bind: Option<String>,
        /// Run on a fresh embedded database with a fictional demo force.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations.
    Migrate {
        /// Create the SQLite file if it does not exist.
        #[arg(long)]
        create: bool,
    },
    /// Accounts: add people, set passwords, grant roles, issue API tokens.
    #[command(subcommand)]
    User(UserCmd),
    /// Bulk imports: people (HR export), devices (register), intune (Graph managedDevices), apps
    /// (installed-app inventories: CSV device,app_id,version,seen_at or Graph detectedApps JSON).
    Import(ImportArgs),
    /// Findings.
    #[command(subcommand)]
    Findings(FindingsCmd),
    /// The tamper-evident audit log.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Lawful business monitoring: rounds, the verifiable draw and its bundle (WP034 5.4).
    #[command(subcommand)]
    Monitoring(monitoring::MonitoringCmd),
    /// The screening pack: its history, checking a change, putting a change into effect (WP034 6.3).
    #[command(subcommand)]
    ScreeningPack(screening_pack::ScreeningPackCmd),
    /// Usage compliance: import and check carrier billing and web gateway files (WP034 4.2-4.12).
    #[command(subcommand)]
    Usage(usage::UsageCmd),
    /// Overseas-use windows: record approved windows and export them for the MDM (WP034 4.2).
    #[command(subcommand)]
    Overseas(usage::OverseasCmd),
    /// Print the OpenAPI document.
    Openapi,
    /// Configuration.
    #[command(subcommand)]
    Config(ConfigCmd),
    /// Write a consistent copy of the SQLite database (VACUUM INTO).
    Backup {
        #[arg(long)]
        out: PathBuf,
    },
    /// Approved apps: load the catalogue, re-evaluate installed apps, export for the MDM (WP034 4.8).
    #[command(subcommand)]
    Apps(apps::AppsCmd),
    /// Screen a draft post against WP034 6.3 and 6.5 (exit 3 when the verdict is block).
    Screen {
        /// The draft (UTF-8); `-` or nothing reads standard input.
        file: Option<PathBuf>,
        /// Print {"verdict", "approver", "findings"} as JSON.
        #[arg(long, conflicts_with = "jsonl")]
        json: bool,
        /// Read one {"id", "text"} per line; write one {"id", "verdict", "approver", "findings"} per line.
        #[arg(long)]
        jsonl: bool,
        /// Screen with an edited policy pack instead of the built-in one.
        #[arg(long)]
        pack: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Add a person with a sign-in (reads the password from standard input).
    Add {
        #[arg(long)]
        staff_number: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "staff")]
        kind: String,
        #[arg(long)]
        business_area: String,
        /// Roles to grant (repeatable).
        #[arg(long = "role")]
        roles: Vec<String>,
    },
    /// Set a person's password (read from standard input, or prompted on a terminal).
    SetPassword { staff_number: String },
    /// Grant a role.
    GrantRole { staff_number: String, role: String },
    /// Issue an API token; the secret is printed once.
    Token {
        staff_number: String,
        #[arg(long)]
        name: String,
        /// read, write or an action name (repeatable).
        #[arg(long = "scope", default_value = "read")]
        scopes: Vec<String>,
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
    /// List API tokens (never their secrets).
    Tokens,
    /// Revoke an API token at once.
    RevokeToken { id: uuid::Uuid },
}

#[derive(Args)]
struct ImportArgs {
    /// people, devices, intune or apps
    kind: String,
    file: PathBuf,
    /// Import the valid rows and list the invalid ones, instead of importing nothing.
    #[arg(long)]
    skip_invalid: bool,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
    /// people only: apply no role changes (keep every stored role; new people get none) and list
    /// the rows whose roles differ. Without it the command line, acting as the system operator,
    /// applies the roles column.
    #[arg(long)]
    ignore_roles: bool,
}

#[derive(Subcommand)]
enum FindingsCmd {
    /// Export findings, one JSON object per line.
    Export {
        #[arg(long, default_value = "jsonl")]
        format: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Recompute the Merkle tree and check every signed checkpoint; names the first bad event.
    Verify {
        #[arg(long)]
        json: bool,
    },
    /// Print an RFC 6962 inclusion proof for an event.
    Prove { event_id: uuid::Uuid },
    /// Sign a checkpoint over the current log head.
    Checkpoint,
}

#[derive(Subcommand)]
enum ConfigCmd {
    /// Print a commented example configuration.
    Example,
}

/// mimalloc: the usage import's parsing thread allocates every field and the writer thread frees
/// them; with the system allocator that hand-over cost a fifth of the parse (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async {
        let r = run(cli).await;
        close_opened().await;
        r
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn settings(cli: &Cli) -> anyhow::Result<Settings> {
    let mut s = Settings::load(cli.config.as_deref(), std::env::vars())?;
    if let Some(url) = &cli.database_url {
        s.database_url = url.clone();
    }
    Ok(s)
}

fn init_logs(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CUSTODIAN_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into());
    let b = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if json { b.json().init() } else { b.init() }
}

async fn open(cli: &Cli) -> anyhow::Result<(Settings, Store)> {
    let s = settings(cli)?;
    let store = opened(custodian_server::open_store(&s, false).await?);
    Ok((s, store))
}

/// The databases a command opened, closed before the process exits: the command's connections
/// end in order (on SQLite, the last user of a database checkpoints its log and tidies it away)
/// rather than being cut off with the process.
static OPENED: std::sync::Mutex<Vec<Store>> = std::sync::Mutex::new(Vec::new());

fn opened(store: Store) -> Store {
    if let Ok(mut v) = OPENED.lock() {
        v.push(store.clone());
    }
    store
}

async fn close_opened() {
    let stores = OPENED.lock().map(|mut v| std::mem::take(&mut *v)).unwrap_or_default();
    for s in stores {
        s.close().await;
    }
}

async fn by_staff(store: &Store, sn: &str) -> anyhow::Result<custodian_store::Person> {
    store.person_by_staff_number(sn).await?.with_context(|| format!("no person with staff number {sn}"))
}

fn read_password(prompt: &str) -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        Ok(rpassword::prompt_password(prompt)?)
    } else {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        Ok(s.trim_end_matches(['\r', '\n']).to_string())
    }
}

async fn set_password(s: &Settings, store: &Store, p: &custodian_store::Person) -> anyhow::Result<()> {
    let pw = read_password(&format!("New password for {}: ", p.email))?;
    let breached = match &s.breached_passwords {
        Some(path) => custodian_domain::validate::BreachList::from_lines(std::fs::read_to_string(path)?.lines()),
        None => custodian_domain::validate::BreachList::empty(),
    };
    let context = [p.email.split('@').next().unwrap_or(""), p.name.as_str(), p.staff_number.as_str(), "custodian"];
    custodian_domain::validate::check_password(&Default::default(), &pw, &context, &breached)
        .map_err(|m| anyhow::anyhow!("password: {m}"))?;
    let hash = custodian_server::auth::Passwords::new()?.hash(&pw).await?;
    store.set_password_hash(p.id, &hash, &Actor::cli(), time::OffsetDateTime::now_utc()).await?;
    Ok(())
}

fn report_app_error(e: AppError, json: bool) -> anyhow::Result<std::process::ExitCode> {
    match e {
        AppError::Invalid { detail, errors } => {
            if json {
                println!("{}", serde_json::json!({"error": detail, "rejected": errors}));
            } else {
                eprintln!("{detail}");
                for e in errors {
                    eprintln!("  {}: {}", e.place(), e.message);
                }
            }
            Ok(std::process::ExitCode::from(2))
        }
        other => Err(anyhow::anyhow!("{other}")),
    }
}

async fn run(cli: Cli) -> anyhow::Result<std::process::ExitCode> {
    use std::process::ExitCode;
    match &cli.command {
        Command::Serve { bind, demo } => {
            let mut s = settings(&cli)?;
            init_logs(s.log_json);
            if let Some(b) = bind {
                s.bind = b.clone();
            }
            let demo_info = if *demo {
                if cli.database_url.is_none() && std::env::var("CUSTODIAN_DATABASE_URL").is_err() {
                    s.data_dir = s.data_dir.join("demo");
                    s.database_url = format!("sqlite:{}", s.data_dir.join("custodian.db").display());
                }
                let store = custodian_server::open_store(&s, true).await?;
                let file = s.data_dir.join("demo-sign-ins.json");
                let info = if store.counts(None).await?.people_active == 0 {
                    let info = demo::seed(&store, &custodian_server::auth::Passwords::new()?).await?;
                    // The demo sign-ins hold passwords: readable by this account only.
                    custodian_store::files::write_private(&file, &serde_json::to_vec_pretty(&info)?)
                        .with_context(|| format!("writing {}", file.display()))?;
                    info
                } else {
                    // A file written by an older version may be readable by others: not any more.
                    custodian_store::files::set_mode(&file, custodian_store::files::PRIVATE_FILE_MODE)
                        .with_context(|| format!("making {} private", file.display()))?;
                    serde_json::from_slice(
                        &std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?,
                    )?
                };
                Some((store, info))
            } else {
                None
            };
            let (store, info) = match demo_info {
                Some((st, i)) => (st, Some(i)),
                None => (custodian_server::open_store(&s, false).await?, None),
            };
            let app = Application::build(s, store).await?;
            let addr = app.local_addr().map(|a| a.to_string()).unwrap_or_default();
            println!("Custodian is running at http://{addr}/  (Ctrl+C to stop)");
            if let Some(i) = info {
                print!("{}", i.render());
            }
            std::io::stdout().flush()?;
            app.run_until(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate { create } => {
            let s = settings(&cli)?;
            let store = opened(custodian_server::open_store(&s, *create).await?);
            // A new log gets its signing key now, bound to it (a log that has a key, or signed
            // checkpoints, is left for the commands that sign to check).
            if store.audit_key().await?.is_none() && store.latest_checkpoint().await?.is_none() {
                let (_, b) = custodian_server::keys::for_log(&store, &s.data_dir, &Actor::cli()).await?;
                report_binding(&store, &s, b).await?;
            }
            println!("migrations applied to {}", custodian_store::redact(&s.database_url));
            Ok(ExitCode::SUCCESS)
        }
        Command::User(cmd) => {
            let (s, store) = open(&cli).await?;
            let now = time::OffsetDateTime::now_utc();
            match cmd {
                UserCmd::Add { staff_number, name, email, kind, business_area, roles } => {
                    for r in roles {
                        Role::parse(r).with_context(|| format!("unknown role {r}"))?;
                    }
                    let csv = format!(
                        "staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n{},{},{},{},{},,{},active,\n",
                        csv_field(staff_number),
                        csv_field(name),
                        csv_field(email),
                        csv_field(kind),
                        csv_field(business_area),
                        csv_field(&roles.join(";"))
                    );
                    if let Err(e) = usecases::import_people(&store, &Actor::cli(), now, csv.as_bytes(), false).await {
                        return report_app_error(e, false);
                    }
                    let p = by_staff(&store, staff_number).await?;
                    set_password(&s, &store, &p).await?;
                    println!("added {} ({})", p.name, p.staff_number);
                }
                UserCmd::SetPassword { staff_number } => {
                    let p = by_staff(&store, staff_number).await?;
                    set_password(&s, &store, &p).await?;
                    println!("password set for {}", p.staff_number);
                }
                UserCmd::GrantRole { staff_number, role } => {
                    let p = by_staff(&store, staff_number).await?;
                    let r = Role::parse(role).with_context(|| format!("unknown role {role}"))?;
                    store.grant_role(p.id, r, &Actor::cli(), now).await?;
                    println!("granted {} to {}", r.as_str(), p.staff_number);
                }
                UserCmd::Token { staff_number, name, scopes, days } => {
                    let p = by_staff(&store, staff_number).await?;
                    let app =
                        Application::build(Settings { bind: "127.0.0.1:0".into(), ..s.clone() }, store.clone()).await?;
                    let (id, secret) =
                        custodian_server::auth::issue_token(app.state(), &p, name, scopes, *days, &Actor::cli())
                            .await
                            .map_err(|e| anyhow::anyhow!("{e}"))?;
                    println!("token {id} for {} (shown once; store it safely):\n{secret}", p.staff_number);
                }
                UserCmd::Tokens => {
                    for t in store.tokens().await? {
                        let state = if t.revoked_at.is_some() {
                            "revoked"
                        } else if t.expires_at <= now {
                            "expired"
                        } else {
                            "active"
                        };
                        println!(
                            "{}  {:<8} {:<24} scopes={} expires={}",
                            t.id,
                            state,
                            t.name,
                            t.scopes.join(","),
                            t.expires_at.date()
                        );
                    }
                }
                UserCmd::RevokeToken { id } => {
                    store.revoke_token(*id, &Actor::cli(), now).await?;
                    println!("revoked token {id}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(a) => {
            let (_, store) = open(&cli).await?;
            let bytes = std::fs::read(&a.file).with_context(|| format!("reading {}", a.file.display()))?;
            let bar = if std::io::stderr().is_terminal() && !a.json {
                let pb = ProgressBar::new_spinner();
                pb.set_style(
                    ProgressStyle::with_template("{spinner} {msg} {wide_bar} {pos}/{len} rows [{elapsed} < {eta}]")
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                pb.set_message(format!("importing {}", a.file.display()));
                pb.enable_steady_tick(std::time::Duration::from_millis(120));
                pb
            } else {
                ProgressBar::hidden()
            };
            let now = time::OffsetDateTime::now_utc();
            let (pos, len) = (bar.clone(), bar.clone());
            let progress = move |n: u64| pos.set_position(n);
            let total = move |n: u64| len.set_length(n);
            let r = match a.kind.as_str() {
                "people" => {
                    // The command line has no person identity: it acts as the system operator,
                    // with shell access to the server and its database, who may grant roles
                    // (`user grant-role`). --ignore-roles leaves every role as stored.
                    let authority = if a.ignore_roles {
                        ImportAuthority { may_change_roles: false, importer: None, ignore_roles: true }
                    } else {
                        ImportAuthority::operator()
                    };
                    usecases::import_people_with_progress(
                        &store,
                        &authority,
                        &Actor::cli(),
                        now,
                        &bytes,
                        a.skip_invalid,
                        &progress,
                        &total,
                    )
                    .await
                }
                "devices" => {
                    usecases::import_devices_with_progress(
                        &store,
                        &Actor::cli(),
                        now,
                        &bytes,
                        a.skip_invalid,
                        &progress,
                        &total,
                    )
                    .await
                }
                "intune" => {
                    usecases::import_intune_with_progress(
                        &store,
                        &Actor::cli(),
                        now,
                        &bytes,
                        a.skip_invalid,
                        &progress,
                        &total,
                    )
                    .await
                }
                "apps" => {
                    let r = custodian_server::apps::import_inventory(
                        &store,
                        &Actor::cli(),
                        now,
                        &bytes,
                        a.skip_invalid,
                        &progress,
                        &total,
                    )
                    .await;
                    bar.finish_and_clear();
                    return apps::print_import(r, a.json);
                }
                other => bail!("unknown import {other:?}: use people, devices, intune or apps"),
            };
            bar.finish_and_clear();
            match r {
                Ok(o) => {
                    if a.json {
                        println!("{}", serde_json::to_string(&o)?);
                    } else {
                        let s = &o.summary;
                        println!(
                            "{} rows: {} created, {} updated, {} unchanged, {} findings opened",
                            s.rows, s.created, s.updated, s.unchanged, s.findings_opened
                        );
                        for e in &o.skipped {
                            println!(
                                "  skipped line {}: {}{}",
                                e.line,
                                e.field.as_deref().map(|f| format!("{f}: ")).unwrap_or_default(),
                                e.message
                            );
                        }
                        for e in &s.unmatched {
                            println!("  not applied, line {}: {}", e.line, e.message);
                        }
                        for e in &s.ignored {
                            println!("  line {}, {}: {}", e.line, e.field.as_deref().unwrap_or("row"), e.message);
                        }
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => report_app_error(e, a.json),
            }
        }
        Command::Findings(FindingsCmd::Export { format, out }) => {
            if format != "jsonl" {
                bail!("unknown format {format:?}: use jsonl");
            }
            let (_, store) = open(&cli).await?;
            let mut w: Box<dyn Write + Send> = match out {
                Some(p) => Box::new(std::io::BufWriter::new(std::fs::File::create(p)?)),
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
        Command::Audit(cmd) => {
            let (s, store) = open(&cli).await?;
            let name = custodian_server::keys::key_name(store.origin());
            match cmd {
                AuditCmd::Verify { json } => {
                    // The checkpoints are checked with the key in the data folder, never with the
                    // public key stored in the database (which the check compares with it).
                    let key = match custodian_server::keys::load(&s.data_dir)? {
                        Some(k) => k,
                        None => {
                            let (k, b) = custodian_server::keys::for_log(&store, &s.data_dir, &Actor::cli()).await?;
                            report_binding(&store, &s, b).await?;
                            k
                        }
                    };
                    let r = store.audit_verify(&name, &key.verifying_key()).await?;
                    if *json {
                        println!("{}", serde_json::to_string(&r)?);
                    } else if let Some(p) = &r.problem {
                        println!("AUDIT LOG ALTERED: {p}");
                    } else {
                        println!(
                            "audit log intact: {} events, root {}, {} signed checkpoints checked",
                            r.events, r.root, r.checkpoints_checked
                        );
                    }
                    Ok(if r.problem.is_some() { ExitCode::from(3) } else { ExitCode::SUCCESS })
                }
                AuditCmd::Prove { event_id } => {
                    let p = store.audit_prove(*event_id).await?;
                    println!("{}", serde_json::to_string_pretty(&p)?);
                    Ok(ExitCode::SUCCESS)
                }
                AuditCmd::Checkpoint => {
                    let (key, b) = custodian_server::keys::for_log(&store, &s.data_dir, &Actor::cli()).await?;
                    report_binding(&store, &s, b).await?;
                    let note = store.audit_checkpoint(&name, &key, time::OffsetDateTime::now_utc()).await?;
                    print!("{note}");
                    Ok(ExitCode::SUCCESS)
                }
            }
        }
        Command::Monitoring(cmd) => monitoring::run(cmd, open(&cli)).await,
        Command::ScreeningPack(cmd) => screening_pack::run(cmd, open(&cli)).await,
        Command::Usage(cmd) => usage::run(cmd, open(&cli)).await,
        Command::Apps(cmd) => apps::run(cmd, open(&cli)).await,
        Command::Overseas(cmd) => usage::run_overseas(cmd, open(&cli)).await,
        Command::Openapi => {
            println!("{}", serde_json::to_string_pretty(&custodian_server::api::openapi())?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Config(ConfigCmd::Example) => {
            print!("{}", Settings::example());
            Ok(ExitCode::SUCCESS)
        }
        Command::Screen { file, json, jsonl, pack } => {
            let opts = custodian_screening::cli::Options {
                file: file.clone(),
                json: *json,
                jsonl: *jsonl,
                pack: pack.clone(),
            };
            let (stdin, stdout, stderr) = (std::io::stdin(), std::io::stdout(), std::io::stderr());
            Ok(ExitCode::from(custodian_screening::cli::run(
                &opts,
                &mut stdin.lock(),
                &mut stdout.lock(),
                &mut stderr.lock(),
            )))
        }
        Command::Backup { out } => {
            let (_, store) = open(&cli).await?;
            store.backup_sqlite(out).await?;
            println!("backup written to {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Say on standard error when a command bound the audit log to its signing key.
async fn report_binding(store: &Store, s: &Settings, b: custodian_store::KeyBinding) -> anyhow::Result<()> {
    use custodian_store::KeyBinding;
    let path = s.data_dir.join(custodian_server::keys::KEY_FILE);
    let path = std::path::absolute(&path).unwrap_or(path);
    let key = match store.audit_key().await? {
        Some(k) => custodian_store::describe_key(&k.public_key),
        None => return Ok(()),
    };
    match b {
        KeyBinding::AlreadyBound => {}
        KeyBinding::Created => eprintln!("the audit log is bound to its signing key {key} ({})", path.display()),
        KeyBinding::Adopted { checkpoint_size } => eprintln!(
            "the audit log had no stored key: it is now bound to {key} ({}), which signed its latest checkpoint (size {checkpoint_size})",
            path.display()
        ),
    }
    Ok(())
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}
