//! A soak of the real binary: `custodian serve` on one database while the API creates devices and
//! uploads carrier bills, an auditor checks the log, and a loop of `custodian` commands (separate
//! processes) issues and revokes tokens, lists them, imports bills and devices, verifies the log
//! and signs checkpoints. Every request and command must succeed, the server must see the
//! commands' writes at once (a revoked token stops working), and after a restart every
//! acknowledged write (each API 201 or 200 and each successful command) is there and the log
//! verifies. Runs for CUSTODIAN_SOAK_SECONDS (default 60) on SQLite, and on PostgreSQL when
//! CUSTODIAN_TEST_DATABASE_URL is set.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{Db, carrier_csv, fixture, json, must};

fn soak_seconds() -> u64 {
    std::env::var("CUSTODIAN_SOAK_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(60)
}

/// `custodian serve` as a process of its own, its output in files beside the database.
struct Server {
    child: Child,
    addr: String,
    err: PathBuf,
}

impl Server {
    fn start(db: &Db, n: u32) -> Server {
        let out = db.dir.join(format!("serve-{n}.out"));
        let err = db.dir.join(format!("serve-{n}.err"));
        let child = db
            .command(&["serve", "--bind", "127.0.0.1:0"])
            .env("CUSTODIAN_DATA_DIR", &db.dir)
            // Sign a checkpoint every minute the log grew, as well as the commands' own.
            .env("CUSTODIAN_CHECKPOINT_EVERY", "1")
            .current_dir(&db.dir)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out).unwrap())
            .stderr(std::fs::File::create(&err).unwrap())
            .spawn()
            .unwrap();
        let mut s = Server { child, addr: String::new(), err };
        let started = Instant::now();
        loop {
            let text = std::fs::read_to_string(&out).unwrap_or_default();
            if let Some(rest) = text.split("Custodian is running at http://").nth(1) {
                s.addr = rest.split('/').next().unwrap().to_string();
                return s;
            }
            if let Some(status) = s.child.try_wait().unwrap() {
                panic!("the server stopped ({status}): {}", s.log());
            }
            assert!(started.elapsed() < Duration::from_secs(180), "the server did not start: {}", s.log());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.err).unwrap_or_default()
    }

    /// Ctrl+C, as an operator stops it: it finishes in-flight requests, signs a final checkpoint
    /// and closes the database.
    fn stop(mut self) {
        let _ = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status();
        let started = Instant::now();
        while self.child.try_wait().unwrap().is_none() {
            if started.elapsed() > Duration::from_secs(60) {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("the server did not stop on SIGINT: {}", self.log());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// One HTTP/1.1 request with a bearer token; the status and body.
fn http(addr: &str, method: &str, path: &str, token: &str, content_type: &str, body: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connecting to {addr}: {e}"));
    s.set_read_timeout(Some(Duration::from_secs(300))).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("an HTTP response");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut body = raw[split + 4..].to_vec();
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        let mut out = Vec::new();
        let mut rest = &body[..];
        while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
            let len = usize::from_str_radix(String::from_utf8_lossy(&rest[..eol]).trim(), 16).unwrap();
            if len == 0 {
                break;
            }
            out.extend_from_slice(&rest[eol + 2..eol + 2 + len]);
            rest = &rest[eol + 2 + len + 2..];
        }
        body = out;
    }
    let status = head.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn get(addr: &str, path: &str, token: &str) -> (u16, String) {
    http(addr, "GET", path, token, "application/json", b"")
}

/// `custodian user token`: (id, secret).
fn issue_token(db: &Db, staff: &str, name: &str, scope: &str) -> Result<(String, String), String> {
    let o = db.cli(&["user", "token", staff, "--name", name, "--scope", scope]);
    if !o.status.success() {
        return Err(format!("user token: {}", super::stderr(&o)));
    }
    let out = super::stdout(&o);
    let id = out.split_whitespace().nth(1).unwrap().to_string();
    let secret = out.lines().last().unwrap().trim().to_string();
    Ok((id, secret))
}

/// What the run acknowledged, to look for after the restart.
#[derive(Default)]
struct Acknowledged {
    /// Devices created through the API (201): asset tag and id.
    api_devices: Vec<(String, String)>,
    /// Devices created by `custodian import devices`.
    cli_devices: Vec<String>,
    /// Carrier bills imported (by the API or the command line), with their row counts.
    bills: Vec<(PathBuf, u64)>,
    /// Tokens issued by the command line: id, secret, revoked.
    tokens: Vec<(String, String, bool)>,
    /// The largest log size a check reported.
    events: u64,
    /// Requests or commands that failed, or answers that were wrong.
    failures: Vec<String>,
}

fn write_bill(dir: &Path, tag: &str, rows: usize) -> PathBuf {
    let p = dir.join(format!("{tag}.csv"));
    std::fs::write(&p, carrier_csv(tag, rows)).unwrap();
    p
}

fn soak(db: Db) {
    let seconds = soak_seconds();
    must(db.cli(&["migrate", "--create"]));
    must(db.cli(&["import", "people", fixture("people.csv").to_str().unwrap()]));
    must(db.cli(&["import", "devices", fixture("devices.csv").to_str().unwrap()]));
    // The day's findings exist before the run, so the imports below update them rather than race
    // to open them.
    let warm = write_bill(&db.dir, "warm-up", 10);
    must(db.cli(&["usage", "import", "carrier", warm.to_str().unwrap()]));
    let (_, ds) = issue_token(&db, "A1006", "soak digital services", "write").unwrap();
    let (_, auditor) = issue_token(&db, "A1015", "soak auditor", "write").unwrap();

    let server = Server::start(&db, 1);
    let addr = server.addr.clone();
    let ack = Mutex::new(Acknowledged::default());
    let fail = |m: String| ack.lock().unwrap().failures.push(m);
    let deadline = Instant::now() + Duration::from_secs(seconds);

    std::thread::scope(|s| {
        // The API: devices, and every tenth round a carrier bill uploaded (the server imports it).
        s.spawn(|| {
            let mut i = 0u32;
            while Instant::now() < deadline {
                i += 1;
                let tag = format!("SOAK-API-{i:05}");
                let body = serde_json::json!({"asset_tag": tag, "type": "phone", "make": "Soak", "model": "Test"});
                let (st, b) =
                    http(&addr, "POST", "/api/v1/devices", &ds, "application/json", body.to_string().as_bytes());
                if st == 201 {
                    let v: serde_json::Value = serde_json::from_str(&b).unwrap();
                    ack.lock().unwrap().api_devices.push((tag, v["id"].as_str().unwrap().to_string()));
                } else {
                    fail(format!("POST /devices {tag}: {st} {b}"));
                }
                if i.is_multiple_of(10) {
                    let f = write_bill(&db.dir, &format!("api-{i}"), 30);
                    let (st, b) = http(
                        &addr,
                        "POST",
                        "/api/v1/usage/imports/carrier",
                        &ds,
                        "text/csv",
                        &std::fs::read(&f).unwrap(),
                    );
                    if st == 200 {
                        ack.lock().unwrap().bills.push((f, 30));
                    } else {
                        fail(format!("POST /usage/imports/carrier api-{i}: {st} {b}"));
                    }
                }
            }
        });
        // The auditor checks the log through the server while everyone writes.
        s.spawn(|| {
            while Instant::now() < deadline {
                let (st, b) = get(&addr, "/api/v1/audit/verify", &auditor);
                let v: serde_json::Value = serde_json::from_str(&b).unwrap_or_default();
                if st != 200 || v["intact"] != true {
                    fail(format!("GET /audit/verify on the server: {st} {b}"));
                } else {
                    let mut a = ack.lock().unwrap();
                    a.events = a.events.max(v["events"].as_u64().unwrap_or(0));
                }
                std::thread::sleep(Duration::from_millis(300));
            }
        });
        // The command line, one process per command.
        s.spawn(|| {
            let mut k = 0u32;
            let mut last: Option<(String, String)> = None;
            while Instant::now() < deadline {
                k += 1;
                match k % 7 {
                    0 => match issue_token(&db, "A1016", &format!("soak {k}"), "read") {
                        Ok((id, secret)) => {
                            // The server knows a token the command line issued a moment ago.
                            let (st, b) = get(&addr, "/api/v1/me", &secret);
                            if st != 200 {
                                fail(format!("a token issued by the command line: GET /me {st} {b}"));
                            }
                            ack.lock().unwrap().tokens.push((id.clone(), secret.clone(), false));
                            last = Some((id, secret));
                        }
                        Err(e) => fail(e),
                    },
                    1 => {
                        if let Some((id, secret)) = last.take() {
                            let o = db.cli(&["user", "revoke-token", &id]);
                            if o.status.success() {
                                // Revoked by another process: the server refuses it at once.
                                let (st, b) = get(&addr, "/api/v1/me", &secret);
                                if st != 401 {
                                    fail(format!("a token revoked by the command line still works: {st} {b}"));
                                }
                                let mut a = ack.lock().unwrap();
                                if let Some(t) = a.tokens.iter_mut().find(|t| t.0 == id) {
                                    t.2 = true;
                                }
                            } else {
                                fail(format!("user revoke-token: {}", super::stderr(&o)));
                            }
                        }
                    }
                    2 => {
                        let o = db.cli(&["user", "tokens"]);
                        if !o.status.success() {
                            fail(format!("user tokens: {}", super::stderr(&o)));
                        }
                    }
                    3 => {
                        let f = write_bill(&db.dir, &format!("cli-{k}"), 40);
                        let o = db.cli(&["usage", "import", "carrier", f.to_str().unwrap(), "--json"]);
                        match o.status.success().then(|| serde_json::from_slice::<serde_json::Value>(&o.stdout)) {
                            Some(Ok(v)) if v["imported"] == 40 => ack.lock().unwrap().bills.push((f, 40)),
                            _ => fail(format!("usage import: {}{}", super::stdout(&o), super::stderr(&o))),
                        }
                    }
                    4 => {
                        let o = db.cli(&["audit", "verify", "--json"]);
                        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
                        if !o.status.success() || !v["problem"].is_null() {
                            fail(format!("audit verify: {}{}", super::stdout(&o), super::stderr(&o)));
                        }
                    }
                    5 => {
                        let o = db.cli(&["audit", "checkpoint"]);
                        if !o.status.success() {
                            fail(format!("audit checkpoint: {}", super::stderr(&o)));
                        }
                    }
                    _ => {
                        let tag = format!("SOAK-CLI-{k:05}");
                        let f = db.dir.join(format!("{tag}.csv"));
                        std::fs::write(
                            &f,
                            format!(
                                "asset_tag,type,make,model,serial,imei,phone_number,os,status,allocated_to\n{tag},tablet,Soak,Test,,,,,in_stock,\n"
                            ),
                        )
                        .unwrap();
                        let o = db.cli(&["import", "devices", f.to_str().unwrap()]);
                        if o.status.success() {
                            ack.lock().unwrap().cli_devices.push(tag);
                        } else {
                            fail(format!("import devices {tag}: {}", super::stderr(&o)));
                        }
                    }
                }
            }
        });
    });
    let ack = ack.into_inner().unwrap();
    let server_log = server.log();
    assert!(
        ack.failures.is_empty(),
        "{} failures during the soak:\n{}\n--- server log ---\n{server_log}",
        ack.failures.len(),
        ack.failures.join("\n")
    );
    assert!(!ack.api_devices.is_empty() && !ack.bills.is_empty() && !ack.tokens.is_empty(), "the soak did some work");
    eprintln!(
        "soak ({}, {seconds} s): {} API devices, {} command-line devices, {} bills, {} tokens, {} events",
        if db.is_sqlite() { "sqlite" } else { "postgres" },
        ack.api_devices.len(),
        ack.cli_devices.len(),
        ack.bills.len(),
        ack.tokens.len(),
        ack.events
    );
    server.stop();

    // After a restart, every acknowledged write is there.
    let server = Server::start(&db, 2);
    let addr = server.addr.clone();
    let mut missing = Vec::new();
    for (tag, id) in &ack.api_devices {
        let (st, b) = get(&addr, &format!("/api/v1/devices/{id}"), &ds);
        if st != 200 || !b.contains(tag.as_str()) {
            missing.push(format!("device {tag} ({id}), created through the API: {st}"));
        }
    }
    for tag in ack.api_devices.iter().map(|(t, _)| t).chain(&ack.cli_devices) {
        let (st, b) = get(&addr, &format!("/api/v1/audit/events?subject=device:{tag}"), &auditor);
        if st != 200 || !b.contains("device.create") {
            missing.push(format!("the device.create event of {tag}: {st}"));
        }
    }
    for (id, secret, revoked) in &ack.tokens {
        let (st, _) = get(&addr, "/api/v1/me", secret);
        let want = if *revoked { 401 } else { 200 };
        if st != want {
            missing.push(format!("token {id} (revoked: {revoked}) answers {st}, not {want}"));
        }
    }
    for (f, rows) in &ack.bills {
        let v = json(db.cli(&["usage", "import", "carrier", f.to_str().unwrap(), "--json"]));
        if v["imported"] != 0 || v["duplicates"] != *rows {
            missing.push(format!("bill {}: importing it again stored {} records", f.display(), v["imported"]));
        }
    }
    let (st, b) = get(&addr, "/api/v1/audit/verify", &auditor);
    let v: serde_json::Value = serde_json::from_str(&b).unwrap_or_default();
    if st != 200 || v["intact"] != true || v["events"].as_u64().unwrap_or(0) < ack.events {
        missing.push(format!("the server's audit verify after the restart: {st} {b}"));
    }
    server.stop();
    let v = json(db.cli(&["audit", "verify", "--json"]));
    if !v["problem"].is_null() || v["events"].as_u64().unwrap_or(0) < ack.events || v["checkpoints_checked"] == 0 {
        missing.push(format!("audit verify after the restart: {v}"));
    }
    assert!(missing.is_empty(), "lost after the restart:\n{}", missing.join("\n"));
}

#[test]
fn soak_server_and_commands_on_one_database_on_sqlite() {
    soak(Db::sqlite());
}

#[test]
fn soak_server_and_commands_on_one_database_on_postgres() {
    if let Some(db) = Db::postgres() {
        soak(db);
    }
}
