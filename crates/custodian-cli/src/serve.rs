//! `custodian serve`: run the web interface and API, optionally on a demo force.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use custodian_server::{Application, demo};

use crate::Cli;
use crate::common::{opened, settings};

/// Run the server until Ctrl+C.
pub async fn run(cli: &Cli, bind: &Option<String>, demo: &bool) -> anyhow::Result<ExitCode> {
    let mut s = settings(cli)?;
    init_logs(s.log_json);
    if let Some(b) = bind {
        s.bind = b.clone();
    }
    let demo_info = if *demo {
        if cli.database_url.is_none() && std::env::var("CUSTODIAN_DATABASE_URL").is_err() {
            s.data_dir = s.data_dir.join("demo");
            s.database_url = format!("sqlite:{}", s.data_dir.join("custodian.db").display());
        }
        // The demo writes its sign-ins and signing key in the data folder, whatever the
        // database: make it (private) first, or say which folder could not be made and why.
        custodian_store::files::private_data_dir(&s.data_dir)
            .with_context(|| format!("cannot create the data folder {}", s.data_dir.display()))?;
        let store = opened(custodian_server::open_store(&s, true).await?);
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
            serde_json::from_slice(&std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?)?
        };
        Some((store, info))
    } else {
        None
    };
    let (store, info) = match demo_info {
        Some((st, i)) => (st, Some(i)),
        None => (opened(custodian_server::open_store(&s, false).await?), None),
    };
    let app = Application::build(s, store).await?;
    // Ctrl+C or SIGTERM (service managers, `kill`) stop it gracefully: the store is closed and
    // the SQLite log checkpointed into the database file. The handlers are in place before the
    // server says it is running.
    let stop = shutdown_signal()?;
    let addr = app.local_addr().map(|a| a.to_string()).unwrap_or_default();
    println!("Custodian is running at http://{addr}/  (Ctrl+C to stop)");
    if let Some(i) = info {
        print!("{}", i.render());
    }
    std::io::stdout().flush()?;
    app.run_until(stop).await?;
    Ok(ExitCode::SUCCESS)
}

/// A future that completes on Ctrl+C or SIGTERM; the handlers are installed when this returns.
#[cfg(unix)]
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
    let mut int = signal(SignalKind::interrupt()).context("installing the Ctrl+C handler")?;
    Ok(async move {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
    })
}

/// A future that completes on Ctrl+C.
#[cfg(not(unix))]
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

fn init_logs(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CUSTODIAN_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into());
    let b = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if json { b.json().init() } else { b.init() }
}
