//! A real `custodian serve` killed with SIGKILL while it is e-mailing the outbox to a real SMTP
//! server (aiosmtpd on loopback, slowed so the kill lands mid-send), then started again: every
//! e-mail arrives, each Message-ID once, and at most the one e-mail in flight at the kill could
//! arrive twice (the documented window between the server's 250 and the row being marked;
//! docs/email.md). Skips without aiosmtpd, except in CI.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{bin, fixture, must, temp_dir};

#[path = "../../../custodian-server/tests/it/smtp.rs"]
mod smtp;

fn serve(dir: &std::path::Path, url: &str, port: u16, log: &str) -> Child {
    let log = std::fs::File::create(dir.join(log)).unwrap();
    Command::new(bin())
        .args(["--database-url", url, "serve", "--bind", "127.0.0.1:0"])
        .env("CUSTODIAN_DATA_DIR", dir)
        .env("CUSTODIAN_JOB_TICK_SECONDS", "1")
        .env("CUSTODIAN_CHECKPOINT_EVERY", "0")
        .env("CUSTODIAN_SMTP_HOST", "127.0.0.1")
        .env("CUSTODIAN_SMTP_PORT", port.to_string())
        .env("CUSTODIAN_SMTP_TLS", "none")
        .env("CUSTODIAN_EMAIL_FROM", "Custodian <custodian@force.example>")
        .env("CUSTODIAN_PUBLIC_URL", "https://custodian.force.example/")
        .env("CUSTODIAN_LOG", "warn,custodian_server::ops=info")
        .env_remove("CUSTODIAN_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap()
}

#[test]
fn a_server_killed_mid_send_delivers_every_email_once_after_restart() {
    // Each message waits 300 ms before it is stored and answered, so sending twelve takes
    // about four seconds and a kill almost always lands inside one.
    let Some(smtpd) = smtp::Smtpd::start_with(smtp::free_port(), 0.3) else { return };
    let dir = temp_dir("email-crash");
    let url = format!("sqlite:{}", dir.join("c.db").display());
    let run = |args: &[&str]| {
        Command::new(bin())
            .args(["--database-url", &url])
            .args(args)
            .env("CUSTODIAN_DATA_DIR", &dir)
            .env_remove("CUSTODIAN_DATABASE_URL")
            .output()
            .unwrap()
    };
    must(run(&["migrate", "--create"]));
    must(run(&["import", "people", fixture("people.csv").to_str().unwrap()]));
    must(run(&["import", "devices", fixture("devices.csv").to_str().unwrap()]));
    // A monitoring draw tells each person selected (WP034 5.4), in the draw's transaction: an
    // e-mail each in the outbox, always sent at once.
    let commitment = {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(b"crash test secret"))
    };
    let round = must(run(&["monitoring", "create", "--name", "Crash", "--sample", "12", "--commitment", &commitment]));
    must(run(&["monitoring", "draw", round.trim(), "--beacon", "test beacon", "--secret", "crash test secret"]));
    let db = rusqlite::Connection::open(dir.join("c.db")).unwrap();
    let rows: Vec<String> = {
        let mut st = db.prepare("SELECT lower(hex(id)) FROM email_outbox ORDER BY id").unwrap();
        st.query_map([], |r| r.get::<_, String>(0)).unwrap().map(|r| r.unwrap()).collect()
    };
    let total = rows.len();
    assert!(total >= 10, "the draw owes {total} e-mails");

    let mut server = serve(&dir, &url, smtpd.port, "server1.log");
    let started = Instant::now();
    while smtpd.mails().len() < 3 && started.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let before = smtpd.mails().len();
    assert!(before >= 3 && before < total, "the kill must land mid-run: {before} of {total} sent");
    server.kill().unwrap(); // SIGKILL: no shutdown, no checkpoint, leases left held
    server.wait().unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let at_kill = smtpd.mails().len();

    // Started again: the rows the dead server had claimed are retried once their lease lapses.
    let mut server = serve(&dir, &url, smtpd.port, "server2.log");
    let mut mails = smtpd.wait_for(total, Duration::from_secs(120));
    // A little longer, so a second copy of anything would have arrived too.
    std::thread::sleep(Duration::from_secs(3));
    mails = if smtpd.mails().len() > mails.len() { smtpd.mails() } else { mails };
    let _ = server.kill();
    let _ = server.wait();

    let mut by_id: BTreeMap<String, usize> = BTreeMap::new();
    for m in &mails {
        *by_id.entry(m.header("Message-ID").unwrap_or("").to_string()).or_default() += 1;
    }
    let expected: Vec<String> = rows
        .iter()
        .map(|h| {
            let u = uuid::Uuid::parse_str(h).unwrap();
            format!("<{u}@force.example>")
        })
        .collect();
    let got: Vec<String> = by_id.keys().cloned().collect();
    let log = std::fs::read_to_string(dir.join("server2.log")).unwrap_or_default();
    assert_eq!(got, expected, "every e-mail arrives (sent before the kill: {before}, by it: {at_kill})\n{log}");
    let twice: Vec<&String> = by_id.iter().filter(|(_, n)| **n > 1).map(|(k, _)| k).collect();
    eprintln!("e-mail crash test: {total} e-mails, {at_kill} delivered when killed, resent twice: {twice:?}");
    assert!(twice.len() <= 1 && by_id.values().all(|n| *n <= 2), "at most the one in flight twice: {by_id:?}");
    let unsent: i64 =
        db.query_row("SELECT COUNT(*) FROM email_outbox WHERE status <> 'sent'", [], |r| r.get(0)).unwrap();
    assert_eq!(unsent, 0);
    let _ = std::fs::remove_dir_all(&dir);
}
