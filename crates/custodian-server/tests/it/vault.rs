//! The credential vault (WP034 6.6, 9.1): storing and revealing log-in details, who may reveal,
//! the password rules, rotation due-ness, re-keying, tampering, and that no stored value leaks
//! into the database files, backups, logs or any answer but a reveal.

use std::collections::HashSet;

use custodian_domain::posts::Platform;
use custodian_domain::vault::{Field, Kek, crypto, totp};
use custodian_server::vault::{breach, keys};
use custodian_store::Actor;
use custodian_store::social_accounts::SetUp;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::on_both;
use crate::support::{Backend, PASSWORD, TestApp, spawn_seeded};

const COMMS: &str = "A1009";
const COMMS_EMAIL: &str = "eleanor.pryce@warwickshire.police.example";
const OFFICER: &str = "A1016";
const OFFICER_EMAIL: &str = "kwame.mensah@warwickshire.police.example";
const MANAGER: &str = "A1001";
const OTHER_MANAGER: &str = "A1002";

fn lit(app: &TestApp, id: Uuid) -> String {
    if app.db_url.starts_with("sqlite:") { format!("X'{}'", hex::encode(id.as_bytes())) } else { format!("'{id}'") }
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap()
}

/// An account set up by Corporate Communications (WP034 6.6), with its team manager: `manager`,
/// or else Priya Raman (A1003), the head of Corporate Communications, who may already do all a
/// team manager may. Its profile signposts 999 and 101, so it raises no task.
async fn account(app: &TestApp, handle: &str, manager: Option<&str>) -> Uuid {
    let tm = app.person(manager.unwrap_or("A1003")).await.id;
    app.store()
        .social_set_up(
            &SetUp {
                platform: Platform::X,
                handle: handle.into(),
                owning_team: "Response Policing North".into(),
                team_manager: tm,
                comms_approval: false,
                corporate: false,
                url: String::new(),
                profile: "Emergencies: call 999. Report crime on 101.".into(),
            },
            Actor::system().at(time::OffsetDateTime::now_utc()),
        )
        .await
        .unwrap()
}

/// An authorisation row, as the register writes them (the register's own use case is elsewhere).
async fn authorise(app: &TestApp, account: Uuid, sn: &str, to: Option<(time::OffsetDateTime, &str)>) {
    let p = app.person(sn).await.id;
    let from = rfc3339(time::OffsetDateTime::now_utc() - time::Duration::days(400));
    let (to, reason) = match to {
        Some((t, r)) => (format!("'{}'", rfc3339(t)), format!("'{r}'")),
        None => ("NULL".into(), "NULL".into()),
    };
    app.sql(&format!(
        "INSERT INTO social_account_users (id, account_id, person_id, authorised_from, authorised_to, authorised_by, \
         ended_reason) VALUES ({}, {}, {}, '{from}', {to}, 'test', {reason})",
        lit(app, Uuid::now_v7()),
        lit(app, account),
        lit(app, p)
    ))
    .await;
}

fn creds(id: Uuid) -> String {
    format!("/accounts/{id}/credentials")
}

async fn vault_round_trip_and_who_may_reveal(b: Backend) {
    let app = spawn_seeded(b).await;
    let own = account(&app, "@WarksRespNorth", Some(MANAGER)).await;
    let theirs = account(&app, "@WarksDigital", Some(OTHER_MANAGER)).await;
    let comms = app.api(&app.token(COMMS).await);
    let officer = app.api(&app.token(OFFICER).await);
    let manager = app.api(&app.token(MANAGER).await);
    let seed = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    let password = "tangerine-violin-harbour-417";

    let (s, v) =
        comms.post(&creds(own), json!({"username": "warks_resp_north", "password": password, "totp_seed": seed})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "current");
    assert_eq!(v["fields"].as_array().unwrap().len(), 3);
    assert!(!v.to_string().contains(password) && !v.to_string().contains(seed), "a store answer holds no value");
    comms.post(&creds(theirs), json!({"password": "a different passphrase for digital"})).await;

    // An officer may neither see the status nor reveal.
    assert_eq!(officer.get(&creds(own)).await.0, 403);
    let (s, v) =
        officer.post(&format!("{}/reveal", creds(own)), json!({"field": "password", "reason": "curious"})).await;
    assert_eq!(s, 403, "{v}");
    assert!(!v.to_string().contains(password));
    // Nor store.
    assert_eq!(officer.post(&creds(own), json!({"password": "officer sets a password here"})).await.0, 403);

    // A reason is required.
    let (s, v) = comms.post(&format!("{}/reveal", creds(own)), json!({"field": "password", "reason": "  "})).await;
    assert_eq!(s, 422, "{v}");
    assert!(v.to_string().contains("reason"), "{v}");

    // Corporate Communications reveal with a reason.
    let (s, v) = comms
        .post(
            &format!("{}/reveal", creds(own)),
            json!({"field": "password", "reason": "posting the appeal for Op Lantern"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["value"], password);

    // A TOTP seed also gives the current code.
    let (s, v) = comms
        .post(&format!("{}/reveal", creds(own)), json!({"field": "totp_seed", "reason": "second factor at sign-in"}))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["value"], seed);
    let secret = totp::decode_seed(seed).unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp() as u64;
    let near: Vec<String> = [now - 30, now, now + 30].iter().map(|t| totp::code_at(&secret, *t, 6).0).collect();
    assert!(near.contains(&v["totp_code"].as_str().unwrap().to_string()), "{v} {near:?}");

    // The team manager reveals for their own account only.
    let (s, v) =
        manager.post(&format!("{}/reveal", creds(own)), json!({"field": "username", "reason": "team rota"})).await;
    assert_eq!((s, v["value"].as_str()), (200, Some("warks_resp_north")), "{v}");
    let (s, _) =
        manager.post(&format!("{}/reveal", creds(theirs)), json!({"field": "password", "reason": "team rota"})).await;
    assert_eq!(s, 403);
    assert_eq!(manager.post(&creds(own), json!({"password": "the manager stores a password"})).await.0, 403);

    // Every reveal is an audit event: who, when, why, which field; never the value.
    let events = app.store().audit_page(Some(&format!("social_account:{own}")), None, 1, 100).await.unwrap().items;
    let reveals: Vec<_> = events.iter().filter(|e| e.action == "vault.credential.reveal").collect();
    assert_eq!(reveals.len(), 3, "{events:?}");
    // Who: the API token's id (a session's reveal names the person), so the two differ.
    let by_comms = reveals
        .iter()
        .find(|e| {
            e.justification.as_deref() == Some("posting the appeal for Op Lantern") && e.detail["field"] == "password"
        })
        .expect("the password's reveal");
    let by_manager = reveals.iter().find(|e| e.detail["field"] == "username").expect("the username's reveal");
    assert_ne!(by_comms.actor, by_manager.actor);
    assert_eq!(by_manager.justification.as_deref(), Some("team rota"));
    let all = serde_json::to_string(&events).unwrap();
    assert!(!all.contains(password) && !all.contains(seed));

    // The pages: the list for Corporate Communications, the reveal shown once and hidden after 30 s.
    let web = app.sign_in(COMMS_EMAIL).await;
    let html = web.get_ok("/vault").await;
    // The register keeps the handle without its @ (as every way of setting one up does).
    assert!(html.contains("WarksRespNorth") && html.contains("current"));
    let html = web.get_ok(&creds(own)).await;
    assert!(!html.contains(password));
    let (s, html) =
        web.post(&format!("{}/reveal", creds(own)), &[("field", "password"), ("reason", "checking the page")]).await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains(password) && html.contains("data-hide-after=\"30\"") && html.contains("/static/vault.js"));
    let (s, _) = web.post(&format!("{}/reveal", creds(own)), &[("field", "password"), ("reason", "")]).await;
    assert!(s == 422 || s == 303, "{s}");
    let officer_web = app.sign_in(OFFICER_EMAIL).await;
    assert_eq!(officer_web.get("/vault").await.0, 403);
    app.stop().await;
}
on_both!(vault_round_trip_and_who_may_reveal);

async fn password_rules_each_name_their_rule(b: Backend) {
    let app = spawn_seeded(b).await;
    let a = account(&app, "@WarksA", None).await;
    let b2 = account(&app, "@WarksB", None).await;
    let comms = app.api(&app.token(COMMS).await);
    let refused = |v: &Value, rule: &str| {
        let t = v.to_string();
        assert!(t.contains(rule) && t.contains("9.1") && t.contains("password"), "{rule}: {t}");
    };
    // Length.
    let (s, v) = comms.post(&creds(a), json!({"password": "only14chars!!!"})).await;
    assert_eq!(s, 422);
    refused(&v, "vault.password.length");
    assert!(!v.to_string().contains("only14chars"));
    // The breached-password corpus.
    let mut keys = vec![breach::key_of_password("correcthorsebatterystaple"), 1, u64::MAX];
    breach::write_index(&mut keys, &breach::index_path(&app.dir)).unwrap();
    let (s, v) = comms.post(&creds(a), json!({"password": "correcthorsebatterystaple"})).await;
    assert_eq!(s, 422);
    refused(&v, "vault.password.breached");
    // Reuse across accounts.
    assert_eq!(comms.post(&creds(a), json!({"password": "shared between two accounts"})).await.0, 200);
    let (s, v) = comms.post(&creds(b2), json!({"password": "shared between two accounts"})).await;
    assert_eq!(s, 422);
    refused(&v, "vault.password.reused");
    // The same account may store its own password again.
    assert_eq!(comms.post(&creds(a), json!({"password": "shared between two accounts"})).await.0, 200);
    // An authorised user's Custodian sign-in password.
    authorise(&app, b2, "A1007", None).await;
    let (s, v) = comms.post(&creds(b2), json!({"password": PASSWORD})).await;
    assert_eq!(s, 422);
    refused(&v, "vault.password.sign_in");
    assert!(!v.to_string().contains("Aisha"), "the refusal does not say whose password it is");
    // Not refused where that person is not authorised.
    let c = account(&app, "@WarksC", None).await;
    assert_eq!(comms.post(&creds(c), json!({"password": PASSWORD})).await.0, 200);
    // Nothing was half-written by the refusals.
    assert_eq!(comms.get(&creds(b2)).await.1["fields"].as_array().unwrap().len(), 0);
    app.stop().await;
}
on_both!(password_rules_each_name_their_rule);

async fn credentials_fall_due_by_age_or_a_leaver(b: Backend) {
    let app = spawn_seeded(b).await;
    let a = account(&app, "@WarksDue", Some(MANAGER)).await;
    let comms = app.api(&app.token(COMMS).await);
    assert_eq!(comms.get(&creds(a)).await.1["status"], "none");
    assert_eq!(comms.post(&creds(a), json!({"password": "a fresh and long passphrase"})).await.0, 200);
    assert_eq!(comms.get(&creds(a)).await.1["status"], "current");
    let now = time::OffsetDateTime::now_utc();
    // Older than the pack's 365 days.
    app.sql(&format!("UPDATE vault_secrets SET set_at = '{}'", rfc3339(now - time::Duration::days(400)))).await;
    let v = comms.get(&creds(a)).await.1;
    assert_eq!(v["status"], "due", "{v}");
    assert!(v["reasons"][0].as_str().unwrap().contains("365 days"), "{v}");
    // Set 100 days ago: current; a mover since does not make it due, a leaver does.
    app.sql(&format!("UPDATE vault_secrets SET set_at = '{}'", rfc3339(now - time::Duration::days(100)))).await;
    authorise(&app, a, "A1016", Some((now - time::Duration::days(50), "moved"))).await;
    authorise(&app, a, "A1017", Some((now - time::Duration::days(200), "left"))).await;
    assert_eq!(comms.get(&creds(a)).await.1["status"], "current");
    authorise(&app, a, "A1018", Some((now - time::Duration::days(10), "left"))).await;
    let v = comms.get(&creds(a)).await.1;
    assert_eq!(v["status"], "due", "{v}");
    assert!(v["reasons"][0].as_str().unwrap().contains("Jack Thornton"), "{v}");
    let web = app.sign_in(COMMS_EMAIL).await;
    let html = web.get("/vault").await.1;
    assert!(html.contains("due for rotation") && html.contains("Jack Thornton"));
    // Changing the password makes it current again.
    assert_eq!(comms.post(&creds(a), json!({"password": "the rotated long passphrase"})).await.0, 200);
    assert_eq!(comms.get(&creds(a)).await.1["status"], "current");
    app.stop().await;
}
on_both!(credentials_fall_due_by_age_or_a_leaver);

async fn rotating_the_kek_rewraps_everything_and_the_old_key_opens_nothing(b: Backend) {
    let app = spawn_seeded(b).await;
    let comms = app.api(&app.token(COMMS).await);
    let mut ids = Vec::new();
    for i in 0..5 {
        let id = account(&app, &format!("@WarksRot{i}"), None).await;
        let (s, v) = comms
            .post(
                &creds(id),
                json!({"password": format!("rotation passphrase number {i}"), "username": format!("user{i}")}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        ids.push(id);
    }
    let old = keys::read_key_file(&app.dir.join(keys::KEY_FILE)).unwrap().unwrap();
    let new_file = app.dir.join("new-vault.key");
    let r =
        keys::rotate(app.store(), &app.dir, &new_file, &Actor::cli(), time::OffsetDateTime::now_utc()).await.unwrap();
    assert_eq!((r.old.as_str(), r.rewrapped), (old.id(), 10));
    let now_key = keys::read_key_file(&app.dir.join(keys::KEY_FILE)).unwrap().unwrap();
    assert_eq!(now_key.id(), r.new);
    assert!(!app.dir.join(keys::NEXT_KEY_FILE).exists());
    assert_eq!(app.store().vault_key_id().await.unwrap().as_deref(), Some(r.new.as_str()));
    for (i, id) in ids.iter().enumerate() {
        let row = app.store().vault_sealed(*id, Field::Password).await.unwrap().unwrap();
        assert!(crypto::open(&old, *id, Field::Password, row.id, &row.sealed).is_err(), "the old key opens nothing");
        // The running server loads the new key and still reveals.
        let (s, v) = comms
            .post(&format!("{}/reveal", creds(*id)), json!({"field": "password", "reason": "after rotation"}))
            .await;
        assert_eq!(
            (s, v["value"].as_str().map(str::to_string)),
            (200, Some(format!("rotation passphrase number {i}"))),
            "{v}"
        );
    }
    // Reuse is still detected under the new key (its MACs were recomputed).
    let fresh = account(&app, "@WarksRotNew", None).await;
    let (s, v) = comms.post(&creds(fresh), json!({"password": "rotation passphrase number 3"})).await;
    assert_eq!(s, 422, "{v}");
    // A rotation that never committed (a stale .next) is discarded on load; one that committed is finished.
    let stray = Kek::generate();
    keys::write_key_file(&app.dir.join(keys::NEXT_KEY_FILE), &stray).unwrap();
    let k = keys::for_vault_from(app.store(), &app.dir, None).await.unwrap();
    assert_eq!(k.id(), r.new);
    assert!(!app.dir.join(keys::NEXT_KEY_FILE).exists());
    let events = app.store().audit_page(Some("vault"), None, 1, 10).await.unwrap().items;
    assert!(events.iter().any(|e| e.action == "vault.key.rotate"));
    app.stop().await;
}
on_both!(rotating_the_kek_rewraps_everything_and_the_old_key_opens_nothing);

async fn swapped_ciphertexts_fail_to_open_with_a_clear_error(b: Backend) {
    let app = spawn_seeded(b).await;
    let comms = app.api(&app.token(COMMS).await);
    let a = account(&app, "@WarksSwapA", None).await;
    let b2 = account(&app, "@WarksSwapB", None).await;
    comms.post(&creds(a), json!({"password": "first account passphrase"})).await;
    comms.post(&creds(b2), json!({"password": "second account passphrase"})).await;
    // An attacker with the database copies B's sealed password (and its data key) onto A.
    app.sql(&format!(
        "UPDATE vault_secrets SET ciphertext = (SELECT s.ciphertext FROM vault_secrets s WHERE s.account_id = {b}), \
         wrapped_key = (SELECT s.wrapped_key FROM vault_secrets s WHERE s.account_id = {b}) WHERE account_id = {a}",
        a = lit(&app, a),
        b = lit(&app, b2)
    ))
    .await;
    let (s, v) = comms.post(&format!("{}/reveal", creds(a)), json!({"field": "password", "reason": "test"})).await;
    assert_eq!(s, 409, "{v}");
    assert!(v.to_string().contains("does not open"), "{v}");
    assert!(!v.to_string().contains("second account passphrase"));
    // B still opens.
    let (s, v) = comms.post(&format!("{}/reveal", creds(b2)), json!({"field": "password", "reason": "test"})).await;
    assert_eq!((s, v["value"].as_str()), (200, Some("second account passphrase")));
    app.stop().await;
}
on_both!(swapped_ciphertexts_fail_to_open_with_a_clear_error);

/// Random text of `n` characters from `alphabet`.
fn random_text(n: usize, alphabet: &[u8]) -> String {
    use rand::Rng;
    let mut r = rand::thread_rng();
    (0..n).map(|_| alphabet[r.gen_range(0..alphabet.len())] as char).collect()
}

/// Every window of `len` bytes of `hay` that is one of `needles` (all of length `len`).
fn found_in(hay: &[u8], needles: &HashSet<Vec<u8>>, len: usize) -> usize {
    if hay.len() < len {
        return 0;
    }
    hay.windows(len).filter(|w| needles.contains(*w)).count()
}

/// A `MakeWriter` that appends every log line to a shared buffer.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// The leak test: 1,000 distinct random passwords and TOTP seeds stored through the API; none of
/// them is in the SQLite file, its WAL, a backup, the debug log, or any answer but a reveal.
async fn no_stored_value_leaks(b: Backend) {
    // The whole test runs on one thread with its own runtime, so a thread-local subscriber at
    // debug level sees everything the server logs while it runs.
    let logs = Captured::default();
    let sink = logs.clone();
    let b2 = b.clone();
    let (passwords, seeds) = std::thread::spawn(move || {
        let subscriber =
            tracing_subscriber::fmt().with_max_level(tracing::Level::DEBUG).with_ansi(false).with_writer(sink).finish();
        tracing::subscriber::with_default(subscriber, || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(leak_scenario(b2))
        })
    })
    .join()
    .unwrap();
    let logs = logs.0.lock().unwrap().clone();
    assert!(logs.len() > 10_000, "the debug log was captured ({} bytes)", logs.len());
    assert!(String::from_utf8_lossy(&logs).contains("DEBUG"), "the log is at debug level");
    assert_eq!(found_in(&logs, &passwords, 24), 0, "a password is in the debug log");
    assert_eq!(found_in(&logs, &seeds, 32), 0, "a TOTP seed is in the debug log");
}
on_both!(no_stored_value_leaks);

async fn leak_scenario(b: Backend) -> (HashSet<Vec<u8>>, HashSet<Vec<u8>>) {
    const N: usize = 1000;
    let sqlite = matches!(b, Backend::Sqlite);
    let app = spawn_seeded(b).await;
    let comms = app.api(&app.token(COMMS).await);
    let auditor = app.api(&app.token("A1015").await);
    let alnum = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let base32 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut passwords = HashSet::new();
    let mut seeds = HashSet::new();
    let mut answers = String::new();
    let mut ids = Vec::with_capacity(N);
    for i in 0..N {
        let id = account(&app, &format!("@leak{i:04}"), Some(MANAGER)).await;
        let (pw, seed) = (random_text(24, alnum), random_text(32, base32));
        let (s, v) =
            comms.post(&creds(id), json!({"username": format!("leak{i}"), "password": pw, "totp_seed": seed})).await;
        assert_eq!(s, 200, "{v}");
        answers.push_str(&v.to_string());
        passwords.insert(pw.into_bytes());
        seeds.insert(seed.into_bytes());
        ids.push(id);
    }
    assert_eq!((passwords.len(), seeds.len()), (N, N), "distinct values");
    // Refusals do not repeat the value either.
    let (_, v) = comms
        .post(&creds(ids[1]), json!({"password": String::from_utf8(passwords.iter().next().unwrap().clone()).unwrap()}))
        .await;
    answers.push_str(&v.to_string());
    // Every other answer that concerns these accounts.
    for id in ids.iter().step_by(50) {
        answers.push_str(&comms.get(&creds(*id)).await.1.to_string());
    }
    answers.push_str(&auditor.get("/audit/events?per_page=200").await.1.to_string());
    let web = app.sign_in(COMMS_EMAIL).await;
    answers.push_str(&web.get("/vault").await.1);
    answers.push_str(&web.get(&creds(ids[0])).await.1);
    // A reveal does answer with the value (the one exception), and its page is never the list's.
    let (s, v) =
        comms.post(&format!("{}/reveal", creds(ids[7])), json!({"field": "password", "reason": "leak test"})).await;
    assert_eq!(s, 200);
    assert!(passwords.contains(v["value"].as_str().unwrap().as_bytes()));
    assert_eq!(found_in(answers.as_bytes(), &passwords, 24), 0, "a password is in an answer");
    assert_eq!(found_in(answers.as_bytes(), &seeds, 32), 0, "a seed is in an answer");

    if sqlite {
        let db = std::fs::read(app.dir.join("custodian.db")).unwrap();
        let wal = std::fs::read(app.dir.join("custodian.db-wal")).unwrap_or_default();
        assert!(db.len() + wal.len() > 100_000);
        let backup = app.dir.join("backup.db");
        app.store().backup_sqlite(&backup).await.unwrap();
        let backup = std::fs::read(&backup).unwrap();
        for (what, bytes) in [("database", &db), ("WAL", &wal), ("backup", &backup)] {
            assert_eq!(found_in(bytes, &passwords, 24), 0, "a password is in the {what}");
            assert_eq!(found_in(bytes, &seeds, 32), 0, "a seed is in the {what}");
        }
    } else {
        // PostgreSQL: a plain-text dump of the whole database, as `custodian backup` takes it.
        let out = std::process::Command::new("pg_dump").arg("--format=plain").arg(&app.db_url).output();
        if let Some(o) = out.ok().filter(|o| o.status.success()) {
            assert!(o.stdout.len() > 100_000);
            assert_eq!(found_in(&o.stdout, &passwords, 24), 0, "a password is in the dump");
            assert_eq!(found_in(&o.stdout, &seeds, 32), 0, "a seed is in the dump");
        } else {
            eprintln!("pg_dump is not available: the dump is not checked");
        }
    }
    app.stop().await;
    (passwords, seeds)
}

/// The register's `social.rotate_credentials` task (WP034 9.1), raised when an authorised user
/// leaves in the HR import, closes when Corporate Communications store a new password for the
/// account, in the same transaction and with its audit event; other fields do not close it.
async fn a_new_password_closes_the_rotation_task_a_leaver_opened(b: Backend) {
    let app = spawn_seeded(b).await;
    let a = account(&app, "@WarksLeaver", Some("A1016")).await;
    let other = account(&app, "@WarksUntouched", Some("A1016")).await;
    let comms = app.api(&app.token(COMMS).await);
    assert_eq!(comms.post(&creds(a), json!({"password": "the first long passphrase"})).await.0, 200);
    let kwame = app.person("A1016").await;
    let jack = app.person("A1018").await;
    let now = time::OffsetDateTime::now_utc();
    for id in [a, other] {
        app.store().social_authorise(id, jack.id, (Actor::person(kwame.id, "A1016")).at(now)).await.unwrap();
    }
    let hr = crate::support::PEOPLE.replace(
        "A1018,Jack Thornton,jack.thornton@warwickshire.police.example,officer,Response Policing North,A1016,,active,",
        "A1018,Jack Thornton,jack.thornton@warwickshire.police.example,officer,Response Policing North,A1016,,leaver,",
    );
    custodian_server::imports::import_people(app.store(), &Actor::system(), now, hr.as_bytes(), false).await.unwrap();
    let rotate = |v: &Value| -> Vec<Value> {
        v["tasks"].as_array().unwrap().iter().filter(|t| t["rule"] == "social.rotate_credentials").cloned().collect()
    };
    let (s, v) = comms.get(&format!("/accounts/{a}")).await;
    assert_eq!(s, 200, "{v}");
    let t = rotate(&v);
    assert_eq!((t.len(), t[0]["status"].as_str()), (1, Some("open")), "{v}");
    assert_eq!(comms.get(&creds(a)).await.1["status"], "due");

    // A new username alone is not the change the task asks for.
    assert_eq!(comms.post(&creds(a), json!({"username": "warks_leaver_2"})).await.0, 200);
    assert_eq!(rotate(&comms.get(&format!("/accounts/{a}")).await.1)[0]["status"], "open");
    // A refused password changes nothing either.
    assert_eq!(comms.post(&creds(a), json!({"password": "too short"})).await.0, 422);
    assert_eq!(rotate(&comms.get(&format!("/accounts/{a}")).await.1)[0]["status"], "open");

    // A new password closes it, naming why and who.
    assert_eq!(comms.post(&creds(a), json!({"password": "the rotated passphrase after Jack"})).await.0, 200);
    let v = comms.get(&format!("/accounts/{a}")).await.1;
    let t = rotate(&v);
    assert_eq!((t.len(), t[0]["status"].as_str()), (1, Some("done")), "{v}");
    assert!(t[0]["outcome"].as_str().unwrap().contains("password was changed"), "{v}");
    assert_eq!(comms.get(&creds(a)).await.1["status"], "current");
    // The other account's task stays open: its password did not change.
    assert_eq!(rotate(&comms.get(&format!("/accounts/{other}")).await.1)[0]["status"], "open");
    // Audited: the store, then the task's closing, by the same actor.
    let events = app.store().audit_page(Some(&format!("social_account:{a}")), None, 1, 100).await.unwrap().items;
    let done: Vec<_> = events.iter().filter(|e| e.action == "social_account.task_done").collect();
    assert_eq!(done.len(), 1, "{events:?}");
    assert_eq!(done[0].detail["rule"], "social.rotate_credentials");
    let store = events
        .iter()
        .filter(|e| e.action == "vault.credential.store")
        .max_by_key(|e| e.seq)
        .expect("the password's store event");
    assert_eq!(store.actor, done[0].actor);
    assert!(done[0].seq > store.seq, "{events:?}");
    app.stop().await;
}
on_both!(a_new_password_closes_the_rotation_task_a_leaver_opened);

/// One person may reveal at most `vault_reveal_limit` values per window (WP034 6.6), across
/// their sessions and tokens: the next reveal answers 429 with Retry-After on the API and says
/// so on the page, shows nothing, and is audited; another person is not affected.
async fn reveals_over_the_limit_are_refused_and_audited(b: Backend) {
    let app = crate::support::spawn_with(b, |s| {
        s.vault_reveal_limit = 3;
        s.vault_reveal_window_minutes = 10;
    })
    .await;
    app.seed().await;
    let a = account(&app, "@WarksLimited", Some(MANAGER)).await;
    let password = "a passphrase under a reveal limit";
    let comms = app.api(&app.token(COMMS).await);
    assert_eq!(comms.post(&creds(a), json!({"password": password, "username": "warks_limited"})).await.0, 200);
    let reveal = format!("{}/reveal", creds(a));
    for _ in 0..2 {
        let (s, v) = comms.post(&reveal, json!({"field": "password", "reason": "within the limit"})).await;
        assert_eq!((s, v["value"].as_str()), (200, Some(password)), "{v}");
    }
    // The third, in a session of the same person, counts too.
    let web = app.sign_in(COMMS_EMAIL).await;
    let (s, html) = web.post(&reveal, &[("field", "username"), ("reason", "the third")]).await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("warks_limited"));
    // The fourth is refused on the API: 429, Retry-After within the window, no value.
    let r = comms
        .http
        .post(format!("{}{reveal}", comms.base))
        .bearer_auth(&comms.token)
        .json(&json!({"field": "password", "reason": "one too many"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    let wait: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=600).contains(&wait), "{wait}");
    let body = r.text().await.unwrap();
    assert!(!body.contains(password), "{body}");
    assert!(body.contains("Nothing was revealed") && body.contains("6.6"), "{body}");
    // And on the page: 429, the message, no value.
    let (s, html) = web.post(&reveal, &[("field", "password"), ("reason", "one too many, by the page")]).await;
    assert_eq!(s, 429, "{html}");
    assert!(html.contains("Nothing was revealed") && html.contains("Try again in"), "{html}");
    assert!(!html.contains(password));
    // Refusals are audited with the reason, and do not count as reveals.
    let events = app.store().audit_page(Some(&format!("social_account:{a}")), None, 1, 100).await.unwrap().items;
    let given = events.iter().filter(|e| e.action == "vault.credential.reveal").count();
    let refused: Vec<_> = events.iter().filter(|e| e.action == "vault.credential.reveal_refused").collect();
    assert_eq!((given, refused.len()), (3, 2), "{events:?}");
    assert!(refused.iter().any(|e| e.justification.as_deref() == Some("one too many")), "{refused:?}");
    assert_eq!(refused[0].detail["limit"], 3);
    // Another person (the team manager) still may.
    let manager = app.api(&app.token(MANAGER).await);
    let (s, v) = manager.post(&reveal, json!({"field": "username", "reason": "team rota"})).await;
    assert_eq!((s, v["value"].as_str()), (200, Some("warks_limited")), "{v}");
    // Once the window has passed (the earlier reveals moved eleven minutes back), reveals resume.
    let back = rfc3339(time::OffsetDateTime::now_utc() - time::Duration::minutes(11));
    app.sql(&format!("UPDATE vault_reveals SET at = '{back}'")).await;
    let (s, v) = comms.post(&reveal, json!({"field": "password", "reason": "after the window"})).await;
    assert_eq!((s, v["value"].as_str()), (200, Some(password)), "{v}");
    app.stop().await;
}
on_both!(reveals_over_the_limit_are_refused_and_audited);

/// The whole journey of the issue, in a real browser, each step where a person takes it (WP034
/// 6.6, 6.7, 9.1): a team manager requests an account; Corporate Communications approve it and
/// store its log-in details through the page's form; the team manager authorises a user on the
/// account's page; Digital Services upload the next HR file, in which that user has left, on
/// the imports page; the account then shows the rotation task and the vault shows the credential
/// due. An officer is not offered the vault and is refused the log-in details; Corporate
/// Communications reveal the password with a reason, see it, and see it hidden again by the
/// page's timer; the auditor finds the reveal, with its reason, in the audit log; a new password
/// stored through the form closes the rotation task. The 30-second timer is checked, then the
/// page's own script is run again with a one-second delay from the test (production pages keep
/// 30 seconds; nothing in the server shortens it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_browser_an_account_is_requested_approved_given_credentials_loses_a_leaver_and_revealed_with_a_reason() {
    use fantoccini::Locator;
    let Some(browser) = crate::browser::start().await else { return };
    let app = spawn_seeded(Backend::Sqlite).await;
    let c = &browser.client;
    let password = "browser-harbour-lantern-8812";

    // The team manager (Helen Marsh, head of Response Policing North) requests the account.
    crate::support::browser_sign_in(c, &app.base, "helen.marsh@warwickshire.police.example").await;
    c.goto(&format!("{}/accounts/new", app.base)).await.unwrap();
    c.find(Locator::Css("#platform option[value='x']")).await.unwrap().click().await.unwrap();
    c.find(Locator::Id("handle")).await.unwrap().send_keys("@WarksBrowser").await.unwrap();
    c.find(Locator::Id("purpose")).await.unwrap().send_keys("Appeals and road closures in the north").await.unwrap();
    c.find(Locator::Id("audience")).await.unwrap().send_keys("Residents of Nuneaton and Bedworth").await.unwrap();
    c.find(Locator::Id("submit-request")).await.unwrap().click().await.unwrap();
    let status = crate::browser::text_when(c, Locator::Id("account-status"), |t| t == "Requested").await;
    assert_eq!(status, "Requested");
    let url = c.current_url().await.unwrap();
    let a = Uuid::parse_str(url.path().trim_start_matches("/accounts/")).unwrap();
    let manager = c.find(Locator::Id("team-manager")).await.unwrap().text().await.unwrap();
    assert!(manager.contains("Helen Marsh"), "{manager}");
    crate::support::browser_sign_out(c).await;

    // Corporate Communications approve it on its page, follow its link to the credential vault
    // and store its log-in details through the form.
    crate::support::browser_sign_in(c, &app.base, COMMS_EMAIL).await;
    c.goto(&format!("{}/accounts/{a}", app.base)).await.unwrap();
    c.find(Locator::Id("verdict-approve")).await.unwrap().click().await.unwrap();
    c.find(Locator::Id("decide")).await.unwrap().click().await.unwrap();
    let status = crate::browser::text_when(c, Locator::Id("account-status"), |t| t == "Active").await;
    assert_eq!(status, "Active");
    c.find(Locator::Id("credentials-link")).await.unwrap().click().await.unwrap();
    let status = crate::browser::text_when(c, Locator::Id("credential-status"), |t| !t.is_empty()).await;
    assert_eq!(status, "none stored");
    c.find(Locator::Id("secret_username")).await.unwrap().send_keys("warks_browser").await.unwrap();
    c.find(Locator::Id("secret_password")).await.unwrap().send_keys(password).await.unwrap();
    c.find(Locator::Id("store")).await.unwrap().click().await.unwrap();
    let status = crate::browser::text_when(c, Locator::Id("credential-status"), |t| t == "current").await;
    assert_eq!(status, "current");
    let stored = c.find(Locator::Id("stored-fields")).await.unwrap().text().await.unwrap();
    assert!(stored.contains("Username") && stored.contains("Password"), "{stored}");
    assert!(!c.source().await.unwrap().contains(password), "storing never shows the value");
    let events = app.store().audit_page(Some(&format!("social_account:{a}")), None, 1, 100).await.unwrap().items;
    let store_event = events.iter().find(|e| e.action == "vault.credential.store").expect("the store is audited");
    assert_eq!(store_event.actor, format!("person:{COMMS}"));
    assert!(!serde_json::to_string(&events).unwrap().contains(password));
    crate::support::browser_sign_out(c).await;

    // The team manager authorises Jack Thornton on the account's page.
    crate::support::browser_sign_in(c, &app.base, "helen.marsh@warwickshire.police.example").await;
    c.goto(&format!("{}/accounts/{a}", app.base)).await.unwrap();
    c.find(Locator::Id("staff_number")).await.unwrap().send_keys("A1018").await.unwrap();
    c.find(Locator::Id("authorise")).await.unwrap().click().await.unwrap();
    let users = crate::browser::text_when(c, Locator::Id("users"), |t| t.contains("Jack Thornton")).await;
    // A current authorisation, which the team manager may end from here.
    assert!(users.contains("Remove") && !users.contains("Left the force"), "{users}");
    crate::support::browser_sign_out(c).await;

    // Digital Services upload the next HR file on the imports page: Jack has left.
    let hr = crate::support::PEOPLE.replace(
        "A1018,Jack Thornton,jack.thornton@warwickshire.police.example,officer,Response Policing North,A1016,,active,",
        "A1018,Jack Thornton,jack.thornton@warwickshire.police.example,officer,Response Policing North,A1016,,leaver,",
    );
    assert_ne!(hr, crate::support::PEOPLE);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hr-people.csv");
    std::fs::write(&file, hr).unwrap();
    crate::support::browser_sign_in(c, &app.base, "daniel.okafor@warwickshire.police.example").await;
    c.goto(&format!("{}/imports", app.base)).await.unwrap();
    c.find(Locator::Id("people-file")).await.unwrap().send_keys(&file.display().to_string()).await.unwrap();
    c.find(Locator::Css("form[action='/imports/people'] button")).await.unwrap().click().await.unwrap();
    let mut imported = false;
    for _ in 0..100 {
        if app.person("A1018").await.status.as_str() == "leaver" {
            imported = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(imported, "the page's import marks Jack a leaver");
    crate::support::browser_sign_out(c).await;

    // Corporate Communications see the rotation task on the account, and the credential due.
    crate::support::browser_sign_in(c, &app.base, COMMS_EMAIL).await;
    c.goto(&format!("{}/accounts/{a}", app.base)).await.unwrap();
    let tasks = c.find(Locator::Id("tasks")).await.unwrap().text().await.unwrap();
    assert!(tasks.contains("Change the account's log-in details") && tasks.contains("A1018"), "{tasks}");
    let users = c.find(Locator::Id("users")).await.unwrap().text().await.unwrap();
    assert!(users.contains("Jack Thornton") && users.contains("Left the force"), "{users}");
    c.goto(&format!("{}{}", app.base, creds(a))).await.unwrap();
    let status = c.find(Locator::Id("credential-status")).await.unwrap().text().await.unwrap();
    assert_eq!(status, "due for rotation");
    let why = c.find(Locator::Css("[data-due-reason]")).await.unwrap().text().await.unwrap();
    assert!(why.contains("Jack Thornton"), "{why}");
    crate::support::browser_sign_out(c).await;

    // The officer: no vault in the navigation, and the account's log-in details refused.
    crate::support::browser_sign_in(c, &app.base, OFFICER_EMAIL).await;
    c.goto(&format!("{}/", app.base)).await.unwrap();
    let links = c.find_all(Locator::Css("a[href='/vault']")).await.unwrap();
    assert!(links.is_empty(), "an officer is not offered the vault");
    c.goto(&format!("{}{}", app.base, creds(a))).await.unwrap();
    let h1 = c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
    assert_eq!(h1, "Not permitted");
    assert!(c.find_all(Locator::Id("reveal-form")).await.unwrap().is_empty());
    assert!(!c.source().await.unwrap().contains(password));
    crate::support::browser_sign_out(c).await;

    // Corporate Communications reveal the password, giving a reason.
    crate::support::browser_sign_in(c, &app.base, COMMS_EMAIL).await;
    c.goto(&format!("{}{}", app.base, creds(a))).await.unwrap();
    c.find(Locator::Css("#field option[value='password']")).await.unwrap().click().await.unwrap();
    c.find(Locator::Id("reason")).await.unwrap().send_keys("Posting the Op Lantern appeal").await.unwrap();
    c.find(Locator::Id("reveal")).await.unwrap().click().await.unwrap();
    let shown = crate::browser::text_when(c, Locator::Id("revealed-value"), |t| !t.is_empty()).await;
    assert_eq!(shown, password);
    // The page's script hides it after the element's 30 seconds: still shown a moment later.
    let after = c.find(Locator::Id("revealed")).await.unwrap().attr("data-hide-after").await.unwrap();
    assert_eq!(after.as_deref(), Some("30"));
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(c.find_all(Locator::Id("revealed-value")).await.unwrap().len(), 1, "not hidden before 30 s");
    // The same script, run again with one second: the value leaves the page and the note shows.
    c.execute(
        "var b = document.getElementById('revealed'); b.setAttribute('data-hide-after', '1'); \
         var s = document.createElement('script'); s.src = '/static/vault.js?again'; document.head.appendChild(s);",
        vec![],
    )
    .await
    .unwrap();
    let mut gone = false;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        if c.find_all(Locator::Id("revealed")).await.unwrap().is_empty() {
            gone = true;
            break;
        }
    }
    assert!(gone, "the script removes the value");
    assert!(!c.source().await.unwrap().contains(password), "the value is no longer in the page");
    assert!(c.find(Locator::Id("revealed-hidden")).await.unwrap().is_displayed().await.unwrap());
    crate::support::browser_sign_out(c).await;

    // The auditor finds the reveal, by whom and why, and never the value.
    crate::support::browser_sign_in(c, &app.base, "oliver.bannister@warwickshire.police.example").await;
    c.goto(&format!("{}/audit?subject=social_account:{a}", app.base)).await.unwrap();
    let table = c.find(Locator::Css("table")).await.unwrap().text().await.unwrap();
    assert!(table.contains("Posting the Op Lantern appeal"), "{table}");
    assert!(table.contains("Eleanor Pryce"), "{table}");
    assert!(!table.contains(password));
    crate::support::browser_sign_out(c).await;

    // A new password stored through the form is the change the task asked for (9.1).
    crate::support::browser_sign_in(c, &app.base, COMMS_EMAIL).await;
    c.goto(&format!("{}{}", app.base, creds(a))).await.unwrap();
    c.find(Locator::Id("secret_password")).await.unwrap().send_keys("browser-quayside-compass-4471").await.unwrap();
    c.find(Locator::Id("store")).await.unwrap().click().await.unwrap();
    let status = crate::browser::text_when(c, Locator::Id("credential-status"), |t| t == "current").await;
    assert_eq!(status, "current");
    c.goto(&format!("{}/accounts/{a}", app.base)).await.unwrap();
    let tasks = c.find(Locator::Id("tasks")).await.unwrap().text().await.unwrap();
    assert!(tasks.contains("the password was changed in the credential vault"), "{tasks}");
    // No rotation task is open any more (the signposting one stays for the team manager: the
    // profile was never filled in).
    for open in c.find_all(Locator::Css(".app-task--open")).await.unwrap() {
        let t = open.text().await.unwrap();
        assert!(!t.contains("log-in details"), "{t}");
    }
    browser.close().await;
    app.stop().await;
}
