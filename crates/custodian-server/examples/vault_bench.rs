//! Benchmarks of the credential vault (WP034 6.6, 9.1), release build only:
//!
//! ```text
//! cargo run --release -p custodian-server --example vault_bench -- [corpus_entries] [secrets] [reveals] [DATABASE_URL]
//! ```
//!
//! `DATABASE_URL` (an argument starting `postgres://`, `postgresql://` or `sqlite:`) names an
//! empty database for parts 2 and 3; without it they use a fresh SQLite database in the
//! temporary folder. A corpus of 0 entries skips part 1.
//!
//! 1. the breached-password corpus: writes a generated corpus of `corpus_entries` (default
//!    10,000,000) SHA-1 lines in HIBP's `HEX40:COUNT` format to a temporary folder, times
//!    `load` (parse, sort, index) and 100,000 lookups (half present), p50/p99/max;
//! 2. `rotate-kek` over `secrets` (default 10,000) sealed values in that database;
//! 3. reveal latency through the HTTP API at 50 requests a second, `reveals` requests (default
//!    1,000), p50/p99/max.
//!
//! Nothing generated is kept: the temporary folder goes when the run ends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::time::{Duration, Instant};

use custodian_domain::vault::Field;
use custodian_server::vault::{CredentialInput, Vault, breach, keys};
use custodian_server::{Application, Settings};
use custodian_store::Actor;
use rand::RngCore;

fn pct(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let all: Vec<String> = std::env::args().skip(1).collect();
    let database_url = all
        .iter()
        .find(|a| a.starts_with("postgres://") || a.starts_with("postgresql://") || a.starts_with("sqlite:"))
        .cloned();
    let args: Vec<usize> = all.iter().filter_map(|a| a.replace('_', "").parse().ok()).collect();
    let corpus = args.first().copied().unwrap_or(10_000_000);
    let secrets = args.get(1).copied().unwrap_or(10_000);
    let reveals = args.get(2).copied().unwrap_or(1_000);
    let dir = tempfile::tempdir()?;
    let mut rng = rand::thread_rng();

    // 1. The breach corpus.
    if corpus > 0 {
        let src = dir.path().join("pwned-generated.txt");
        let mut present = Vec::new();
        {
            let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&src)?);
            let mut h = [0u8; 20];
            for i in 0..corpus {
                rng.fill_bytes(&mut h);
                if i % (corpus / 50_000).max(1) == 0 {
                    present.push(u64::from_be_bytes(h[..8].try_into()?));
                }
                writeln!(w, "{}:{}", hex::encode_upper(h), 1 + i % 97)?;
            }
            w.flush()?;
        }
        let size = std::fs::metadata(&src)?.len();
        let dest = breach::index_path(dir.path());
        let t = Instant::now();
        let r = breach::load(&src, &dest)?;
        let load = t.elapsed();
        std::fs::remove_file(&src)?;
        println!(
            "breach corpus: {} entries ({} MB of text) loaded in {load:.2?} into {} MB",
            r.entries,
            size >> 20,
            r.bytes >> 20
        );
        let index = breach::BreachIndex::open(&dest)?.expect("the index");
        let mut times = Vec::with_capacity(100_000);
        let mut hits = 0;
        for i in 0..100_000 {
            let key = if i % 2 == 0 { present[i / 2 % present.len()] } else { rng.next_u64() };
            let t = Instant::now();
            hits += usize::from(index.contains_key(key)?);
            times.push(t.elapsed());
        }
        println!(
            "breach lookups: 100000 ({hits} found), p50 {:.1?}, p99 {:.1?}, max {:.1?}",
            pct(&mut times, 0.5),
            pct(&mut times, 0.99),
            pct(&mut times, 1.0)
        );
    }

    // 2. rotate-kek over `secrets` values (5 fields per account).
    let data = dir.path().join("data");
    let settings = Settings {
        bind: "127.0.0.1:0".into(),
        database_url: database_url.clone().unwrap_or_else(|| format!("sqlite:{}", data.join("custodian.db").display())),
        data_dir: data.clone(),
        checkpoint_every: 0,
        publish_every_seconds: 0,
        // The benchmark reveals far more than one person may in ten minutes.
        vault_reveal_limit: u32::MAX,
        ..Settings::default()
    };
    std::fs::create_dir_all(&data)?;
    let store = custodian_server::open_store(&settings, true).await?;
    let app = Application::build(settings, store.clone()).await?;
    let now = time::OffsetDateTime::now_utc();
    let people = include_str!("../../../fixtures/people.csv");
    custodian_server::imports::import_people(&store, &Actor::system(), now, people.as_bytes(), false).await?;
    let kek = keys::for_vault(&store, &data).await?;
    let comms = store.person_by_staff_number("A1009").await?.expect("A1009 in the fixture");
    println!(
        "database: {}",
        if database_url.as_deref().is_some_and(|u| !u.starts_with("sqlite:")) { "PostgreSQL" } else { "SQLite" }
    );
    let vault = Vault { store: &store, kek: &kek, data_dir: &data, reveal_limit: None };
    let accounts = secrets.div_ceil(5);
    let mut ids = Vec::with_capacity(accounts);
    let t = Instant::now();
    for i in 0..accounts {
        // Set up by Corporate Communications, as `POST /api/v1/posts/accounts` does (WP034 6.6).
        let a = store
            .social_set_up(
                &custodian_store::social_accounts::SetUp {
                    platform: custodian_domain::posts::Platform::X,
                    handle: format!("@bench{i}"),
                    owning_team: "Bench".into(),
                    team_manager: comms.id,
                    comms_approval: false,
                    corporate: false,
                    url: String::new(),
                    profile: "Emergencies: call 999. Report crime on 101 or online.".into(),
                },
                Actor::system().at(now),
            )
            .await?;
        let mut input = CredentialInput::default();
        input.set(Field::Username, Some(format!("bench{i}")));
        input.set(Field::Password, Some(format!("bench passphrase {i} {}", rng.next_u64())));
        input.set(Field::RecoveryEmail, Some(format!("bench{i}@example.org")));
        input.set(Field::RecoveryPhone, Some("01632 960000".into()));
        input.set(Field::TotpSeed, Some("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP".into()));
        vault.put(&Actor::cli(), a, &input, now).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        ids.push(a);
    }
    println!("stored {} values for {accounts} accounts in {:.2?}", accounts * 5, t.elapsed());
    let t = Instant::now();
    let rot = keys::rotate(&store, &data, &dir.path().join("new.key"), &Actor::cli(), now).await?;
    println!("rotate-kek: re-wrapped {} data keys in {:.2?}", rot.rewrapped, t.elapsed());

    // 3. Reveal at 50 requests a second through the API.
    let base = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = rx.await;
    }));
    let (_, token) =
        custodian_server::auth::issue_token(&state, &comms, "bench", &["write".into()], 1, &Actor::system())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    let http = reqwest::Client::new();
    let mut times = Vec::with_capacity(reveals);
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    let mut handles = Vec::with_capacity(reveals);
    for i in 0..reveals {
        tick.tick().await;
        let (http, token) = (http.clone(), token.clone());
        let url = format!("{base}/api/v1/accounts/{}/credentials/reveal", ids[i % ids.len()]);
        handles.push(tokio::spawn(async move {
            let t = Instant::now();
            let res = http
                .post(url)
                .bearer_auth(token)
                .json(&serde_json::json!({"field": "password", "reason": "benchmark"}))
                .send()
                .await
                .expect("the reveal answers");
            assert_eq!(res.status(), 200);
            let _ = res.bytes().await;
            t.elapsed()
        }));
    }
    for h in handles {
        times.push(h.await?);
    }
    println!(
        "reveal at 50/s: {reveals} requests, p50 {:.1?}, p99 {:.1?}, max {:.1?}",
        pct(&mut times, 0.5),
        pct(&mut times, 0.99),
        pct(&mut times, 1.0)
    );
    let _ = tx.send(());
    let _ = server.await;
    Ok(())
}
