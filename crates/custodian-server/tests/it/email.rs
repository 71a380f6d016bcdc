//! E-mail notifications against a real SMTP server on loopback (aiosmtpd, see `smtp.rs`): the
//! e-mail's content, the daily digest, an SMTP outage and recovery, two senders never sending one
//! row, and each person's own setting (audited). The sender is driven here with chosen times
//! (`send_due`); the crash of a real `custodian serve` mid-send is the command line's test
//! (`crates/custodian-cli/tests/integrity/email_crash.rs`).

use custodian_server::Settings;
use custodian_server::config::SmtpTls;
use custodian_server::email::{Mailer, send_due};
use custodian_store::Actor;
use custodian_store::email::{Delivery, OutboxRow};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::approvals::open;
use crate::on_both;
use crate::smtp::{Smtpd, free_port};
use crate::support::{Backend, TestApp, spawn, spawn_seeded};

const FROM: &str = "Custodian <custodian@force.example>";
const PUBLIC: &str = "https://custodian.force.example/";
const HELEN: &str = "helen.marsh@warwickshire.police.example";

/// The mailer for an SMTP server on `port` (the test server itself runs no e-mail loop: it has
/// no `smtp_host`, so only these calls send).
fn mailer(port: u16) -> Mailer {
    let s = Settings {
        smtp_host: Some("127.0.0.1".into()),
        smtp_port: port,
        smtp_tls: SmtpTls::None,
        email_from: Some(FROM.into()),
        public_url: Some(PUBLIC.into()),
        ..Settings::default()
    };
    Mailer::new(&s).unwrap().unwrap()
}

async fn rows_for(app: &TestApp, address: &str) -> Vec<OutboxRow> {
    let mut rows: Vec<OutboxRow> =
        app.store().email_outbox(1000).await.unwrap().into_iter().filter(|r| r.to_address == address).collect();
    rows.sort_by_key(|r| r.id);
    rows
}

/// Every notification is written by one function, which writes its e-mail too.
#[test]
fn notifications_are_written_in_one_place_only() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut found = Vec::new();
    let mut stack = vec![root.join("custodian-store/src"), root.join("custodian-server/src")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap().to_ascii_lowercase();
                for _ in text.matches("insert into notifications") {
                    found.push(p.display().to_string());
                }
            }
        }
    }
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].ends_with("approvals/sql.rs"), "{found:?}");
}

async fn an_email_names_the_step_its_clause_and_where_to_act(b: Backend) {
    let Some(smtpd) = Smtpd::start() else { return };
    let app = spawn_seeded(b).await;
    let now = OffsetDateTime::now_utc();
    open(&app, "WhatsApp for witness liaison", now).await;
    // The e-mail was committed with the notification, before anything was sent.
    let rows = rows_for(&app, HELEN).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!((rows[0].status.as_str(), rows[0].delivery), ("pending", Delivery::Immediate));
    let notes = app.store().notifications(app.person("A1001").await.id, 10).await.unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(rows[0].notification_id, notes[0].id);

    let m = mailer(smtpd.port);
    let report = send_due(&app.state, &m, now).await.unwrap();
    assert_eq!((report.emails, report.rows), (1, 1), "{report:?}");
    let mails = smtpd.wait_for(1, std::time::Duration::from_secs(10));
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert!(mail.header("To").unwrap().contains(HELEN), "{:?}", mail.headers);
    assert!(mail.header("From").unwrap().contains("custodian@force.example"), "{:?}", mail.headers);
    assert_eq!(mail.header("Subject"), Some("Custodian: WhatsApp for witness liaison"));
    assert_eq!(mail.header("Message-ID").unwrap(), format!("<{}@force.example>", rows[0].id));
    assert!(mail.body.contains("waits for your decision (step Head of Department, WP034 4.8)"), "{}", mail.body);
    assert!(mail.body.contains("What to do: Open the request, read it, and approve it or reject it"), "{}", mail.body);
    assert!(mail.body.contains("Open: https://custodian.force.example/approvals\n"), "{}", mail.body);
    assert!(mail.body.contains("https://custodian.force.example/account/email"), "{}", mail.body);

    let rows = rows_for(&app, HELEN).await;
    assert_eq!(rows[0].status, "sent");
    assert_eq!(rows[0].message_id.as_deref(), Some(format!("<{}@force.example>", rows[0].id).as_str()));
    // Nothing is sent twice.
    let again = send_due(&app.state, &m, now + Duration::hours(2)).await.unwrap();
    assert_eq!(again.emails, 0, "{again:?}");
    assert_eq!(smtpd.mails().len(), 1);
    app.stop().await;
}
on_both!(an_email_names_the_step_its_clause_and_where_to_act);

async fn a_digest_is_one_email_a_day_at_the_configured_hour(b: Backend) {
    let Some(smtpd) = Smtpd::start() else { return };
    // 8am London; December, so London is on GMT.
    let app = crate::support::spawn_with(b, |s| s.email_digest_hour = 8).await;
    app.seed().await;
    let helen = app.person("A1001").await;
    let actor = Actor::person(helen.id, "A1001");
    assert!(
        app.store()
            .email_set_preference(helen.id, Delivery::Digest, actor.at(OffsetDateTime::now_utc()))
            .await
            .unwrap()
    );
    let m = mailer(smtpd.port);

    let day = datetime!(2026-12-10 00:00 UTC);
    for (h, title) in [
        (9, "Signal for the tactical team"),
        (12, "Telegram for an undercover role"),
        (17, "Dropbox for a joint inquiry"),
    ] {
        open(&app, title, day + Duration::hours(h)).await;
    }
    // Waiting for the next morning: nothing goes the same evening.
    let r = send_due(&app.state, &m, day + Duration::hours(18)).await.unwrap();
    assert_eq!(r.emails, 0, "{r:?}");
    // At 8am the next day: one e-mail with all three.
    let r = send_due(&app.state, &m, day + Duration::hours(32) + Duration::seconds(30)).await.unwrap();
    assert_eq!((r.emails, r.rows), (1, 3), "{r:?}");
    // Another at 9am that day waits for the day after, even though the sender runs all day.
    open(&app, "Zoom for a victims' forum", day + Duration::hours(33)).await;
    for h in [34, 40, 50, 55] {
        let r = send_due(&app.state, &m, day + Duration::hours(h)).await.unwrap();
        assert_eq!(r.emails, 0, "hour {h}: {r:?}");
    }
    let r = send_due(&app.state, &m, day + Duration::hours(56) + Duration::minutes(1)).await.unwrap();
    assert_eq!((r.emails, r.rows), (1, 1), "{r:?}");

    let mails = smtpd.wait_for(2, std::time::Duration::from_secs(10));
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert!(mails.iter().all(|m| m.header("To").unwrap().contains(HELEN)));
    let first = mails.iter().find(|m| m.body.contains("Signal for the tactical team")).expect("the first digest");
    assert_eq!(first.header("Subject"), Some("Custodian: daily summary, 3 notifications"));
    for t in ["Signal for the tactical team", "Telegram for an undercover role", "Dropbox for a joint inquiry"] {
        assert!(first.body.contains(t), "{t}: {}", first.body);
    }
    assert!(first.body.contains("WP034 4.8"), "{}", first.body);
    assert!(!first.body.contains("Zoom"), "{}", first.body);
    let second = mails.iter().find(|m| m.body.contains("Zoom for a victims' forum")).expect("the second digest");
    assert_eq!(second.header("Subject"), Some("Custodian: daily summary, 1 notification"));
    assert!(rows_for(&app, HELEN).await.iter().all(|r| r.status == "sent" && r.delivery == Delivery::Digest));
    app.stop().await;
}
on_both!(a_digest_is_one_email_a_day_at_the_configured_hour);

async fn an_smtp_outage_loses_nothing_and_recovery_sends_each_once(b: Backend) {
    if crate::smtp::python().is_none() {
        return;
    }
    let port = free_port();
    let app = spawn_seeded(b).await;
    let now = OffsetDateTime::now_utc();
    open(&app, "Signal for the tactical team", now).await;
    open(&app, "Telegram for an undercover role", now).await;
    let m = mailer(port);

    // Nobody listens: both stay pending, with the error and a later try.
    let r = send_due(&app.state, &m, now).await.unwrap();
    assert_eq!((r.emails, r.retrying), (0, 2), "{r:?}");
    let rows = rows_for(&app, HELEN).await;
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert_eq!(row.status, "pending");
        assert!(row.last_error.is_some(), "{row:?}");
        assert!(row.next_attempt_us > now.unix_timestamp() * 1_000_000, "{row:?}");
    }
    // The backoff holds them back until it passes.
    let r = send_due(&app.state, &m, now + Duration::seconds(5)).await.unwrap();
    assert_eq!(r, Default::default());

    // The server comes back: each goes once.
    let smtpd = Smtpd::start_with(port, 0.0).unwrap();
    let r = send_due(&app.state, &m, now + Duration::seconds(31)).await.unwrap();
    assert_eq!((r.emails, r.rows), (2, 2), "{r:?}");
    let r = send_due(&app.state, &m, now + Duration::hours(3)).await.unwrap();
    assert_eq!(r.emails, 0, "{r:?}");
    let mails = smtpd.wait_for(2, std::time::Duration::from_secs(10));
    assert_eq!(mails.len(), 2);
    let mut ids: Vec<String> = mails.iter().map(|m| m.header("Message-ID").unwrap().to_string()).collect();
    ids.sort();
    let mut expected: Vec<String> = rows.iter().map(|r| format!("<{}@force.example>", r.id)).collect();
    expected.sort();
    assert_eq!(ids, expected);
    for row in rows_for(&app, HELEN).await {
        assert_eq!((row.status.as_str(), row.attempts), ("sent", 2), "{row:?}");
    }
    app.stop().await;
}
on_both!(an_smtp_outage_loses_nothing_and_recovery_sends_each_once);

/// Two servers claiming at once never get the same row (the lease is one UPDATE whose WHERE
/// decides), and together they get every due row.
async fn two_senders_never_claim_the_same_row(b: Backend) {
    let app = spawn_seeded(b).await;
    let now = OffsetDateTime::now_utc();
    for i in 0..12 {
        open(&app, &format!("Request {i}"), now).await;
    }
    let total = app.store().email_outbox(1000).await.unwrap().len();
    assert!(total >= 12, "{total}");
    let store = app.store().clone();
    let mut claims = Vec::new();
    for k in 0..4 {
        let store = store.clone();
        claims.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let rows =
                    store.email_claim_immediate(&format!("server-{k}"), now, Duration::minutes(1), 3).await.unwrap();
                if rows.is_empty() {
                    return mine;
                }
                mine.extend(rows.into_iter().map(|r| r.id));
            }
        }));
    }
    let mut all = Vec::new();
    for c in claims {
        all.extend(c.await.unwrap());
    }
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), n, "a row was claimed twice");
    assert_eq!(n, total, "every row was claimed once");
    // While the leases run nobody else gets them; after, they are due again (a crashed sender).
    assert!(store.email_claim_immediate("late", now, Duration::minutes(1), 100).await.unwrap().is_empty());
    let again =
        store.email_claim_immediate("late", now + Duration::minutes(2), Duration::minutes(1), 100).await.unwrap();
    assert_eq!(again.len(), total);
    app.stop().await;
}
on_both!(two_senders_never_claim_the_same_row);

async fn each_person_chooses_their_own_delivery_and_the_change_is_audited(b: Backend) {
    let app = spawn_seeded(b).await;
    let s = app.sign_in("aisha.khan@warwickshire.police.example").await;
    let page = s.get_ok("/account/email").await;
    assert!(page.contains("value=\"immediate\" checked"), "{page}");
    assert!(page.contains("You cannot turn e-mails off"), "{page}");
    let (code, _) = s.post("/account/email", &[("delivery", "digest")]).await;
    assert_eq!(code, 303);
    let aisha = app.person("A1007").await;
    assert_eq!(app.store().email_preference(aisha.id).await.unwrap(), Delivery::Digest);
    let (_, page) = s.get("/account/email").await;
    assert!(page.contains("value=\"digest\" checked"), "{page}");
    // "Off" is not a choice; the refusal names the field and changes nothing.
    let (code, page) = s.post("/account/email", &[("delivery", "off")]).await;
    assert_eq!(code, 422, "{page}");
    assert!(page.contains("Choose immediate e-mails or a daily summary"), "{page}");
    assert_eq!(app.store().email_preference(aisha.id).await.unwrap(), Delivery::Digest);
    // Audited once (saving the same choice again writes nothing).
    let (code, _) = s.post("/account/email", &[("delivery", "digest")]).await;
    assert_eq!(code, 303);
    let events = app.store().audit_page(Some("person:A1007"), None, 1, 100).await.unwrap().items;
    let changes: Vec<_> = events.iter().filter(|e| e.action == "email.preference").collect();
    assert_eq!(changes.len(), 1, "{events:?}");
    assert_eq!(changes[0].detail["to"], "digest", "{:?}", changes[0]);
    assert_eq!(changes[0].detail["from"], "immediate", "{:?}", changes[0]);
    app.stop().await;
}
on_both!(each_person_chooses_their_own_delivery_and_the_change_is_audited);

/// The write path with and without the outbox insert, and the send rate to aiosmtpd on loopback.
/// Run in release, one backend at a time (it turns the outbox off for part of the run, so it must
/// not share a process with other e-mail tests):
/// `cargo test --release --workspace --test it -- --ignored --nocapture --test-threads 1 bench_write_path`
/// (`CUSTODIAN_BENCH_BACKEND=postgres` with `CUSTODIAN_TEST_DATABASE_URL` for PostgreSQL).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn bench_write_path_and_send_throughput() {
    let b = match std::env::var("CUSTODIAN_BENCH_BACKEND").as_deref() {
        Ok("postgres") => Backend::postgres().expect("CUSTODIAN_TEST_DATABASE_URL"),
        _ => Backend::Sqlite,
    };
    let Some(smtpd) = Smtpd::start() else { return };
    let app = spawn(b.clone()).await;
    app.seed().await;
    let hod = app.person("A1001").await;
    let actor = Actor::person(hod.id, "A1001");
    let rounds: usize = std::env::var("CUSTODIAN_BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let per_block = 100;
    // The decision that notifies: the Head of Department approves step 1, which notifies the
    // requester and every Digital Services member (the next step's deciders).
    let mut times: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for round in 0..rounds {
        for on in [round % 2 == 0, round % 2 != 0] {
            custodian_store::email::benchmark_outbox(on);
            let now = OffsetDateTime::now_utc();
            let mut ids = Vec::new();
            for i in 0..per_block {
                ids.push(open(&app, &format!("Bench {round}-{i}"), now).await);
            }
            for id in ids {
                let t = std::time::Instant::now();
                app.store()
                    .approval_decide(
                        id,
                        "hod",
                        hod.id,
                        custodian_domain::approvals::Verdict::Approve,
                        None,
                        actor.at(now),
                    )
                    .await
                    .unwrap();
                times[usize::from(on)].push(t.elapsed().as_secs_f64() * 1e6);
            }
        }
    }
    custodian_store::email::benchmark_outbox(true);
    let stats = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        (v.len(), mean, v[v.len() / 2], v[v.len() * 95 / 100])
    };
    let (n0, m0, p50_0, p95_0) = stats(&mut times[0]);
    let (n1, m1, p50_1, p95_1) = stats(&mut times[1]);
    let backend = if matches!(b, Backend::Sqlite) { "sqlite" } else { "postgres" };
    println!("write path ({backend}): approval decision notifying 4 people");
    println!("  without outbox: n={n0} mean={m0:.0}us p50={p50_0:.0}us p95={p95_0:.0}us");
    println!("  with outbox:    n={n1} mean={m1:.0}us p50={p50_1:.0}us p95={p95_1:.0}us");

    // Send rate: every pending immediate row to aiosmtpd.
    let pending = app.store().email_outbox(100_000).await.unwrap().iter().filter(|r| r.status == "pending").count();
    let m = mailer(smtpd.port);
    let t = std::time::Instant::now();
    let mut sent = 0;
    loop {
        let r = send_due(&app.state, &m, OffsetDateTime::now_utc()).await.unwrap();
        sent += r.emails;
        if r.emails == 0 {
            break;
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "send ({backend}): {sent} of {pending} pending e-mails in {secs:.2}s = {:.0} messages/s",
        sent as f64 / secs
    );
    assert_eq!(sent, pending);
    app.stop().await;
}
