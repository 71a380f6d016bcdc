//! A real SMTP server on loopback for the e-mail tests: aiosmtpd (PyPI), which `.ci/run` installs
//! into the checkout's `.venv` next to Schemathesis. Each message it accepts is kept in a Maildir.
//! Without it the tests skip with a message, except in CI (`CI=true`), where they fail.
//! Shared by the server's tests and the command line's crash test (`#[path]`).
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The handler: aiosmtpd's Mailbox (a Maildir), optionally waiting `CUSTODIAN_SMTPD_DELAY`
/// seconds before it stores a message and answers 250, so a test can kill a client mid-send.
const HANDLER: &str = r#"
import asyncio, os
from aiosmtpd.handlers import Mailbox

DELAY = float(os.environ.get("CUSTODIAN_SMTPD_DELAY", "0"))

class SlowMailbox(Mailbox):
    async def handle_DATA(self, server, session, envelope):
        if DELAY:
            await asyncio.sleep(DELAY)
        return await super().handle_DATA(server, session, envelope)
"#;

/// The `.venv` Python with aiosmtpd, or `None` (the caller skips), failing in CI.
pub fn python() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let py = root.join(".venv/bin/python");
    let ok = py.exists()
        && Command::new(&py)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
    if ok {
        return Some(py);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("CI=true but aiosmtpd is not installed in .venv (.ci/run installs it): the e-mail tests must run in CI");
    }
    eprintln!("skipping e-mail test: aiosmtpd is not installed (.venv/bin/pip install 'aiosmtpd>=1.4,<1.5')");
    None
}

/// A port nobody listens on (yet).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub struct Smtpd {
    child: Option<Child>,
    pub port: u16,
    pub dir: PathBuf,
    python: PathBuf,
    delay: f64,
}

impl Smtpd {
    /// Start aiosmtpd on a free port; `None` when it is not installed (outside CI).
    pub fn start() -> Option<Smtpd> {
        Self::start_with(free_port(), 0.0)
    }

    pub fn start_with(port: u16, delay: f64) -> Option<Smtpd> {
        let python = python()?;
        let dir = std::env::temp_dir().join(format!("custodian-smtpd-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("custodian_test_smtpd.py"), HANDLER).unwrap();
        let mut s = Smtpd { child: None, port, dir, python, delay };
        s.run();
        Some(s)
    }

    fn run(&mut self) {
        let child = Command::new(&self.python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{}", self.port)])
            .args(["-c", "custodian_test_smtpd.SlowMailbox"])
            .arg(self.dir.join("maildir"))
            .env("PYTHONPATH", &self.dir)
            .env("CUSTODIAN_SMTPD_DELAY", self.delay.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        self.child = Some(child);
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "aiosmtpd did not listen on {}", self.port);
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stop the server (an outage); its Maildir stays.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok()
            && started.elapsed() < Duration::from_secs(5)
        {
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Start it again on the same port, keeping the Maildir.
    pub fn restart(&mut self) {
        self.stop();
        self.run();
    }

    /// Every message received so far, oldest first.
    pub fn mails(&self) -> Vec<Mail> {
        let mut files: Vec<PathBuf> = ["new", "cur"]
            .iter()
            .filter_map(|d| std::fs::read_dir(self.dir.join("maildir").join(d)).ok())
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files.iter().filter_map(|p| std::fs::read(p).ok()).map(|b| Mail::parse(&String::from_utf8_lossy(&b))).collect()
    }

    /// Wait until at least `n` messages have arrived (or `limit` passes); returns them.
    pub fn wait_for(&self, n: usize, limit: Duration) -> Vec<Mail> {
        let started = Instant::now();
        loop {
            let m = self.mails();
            if m.len() >= n || started.elapsed() > limit {
                return m;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Smtpd {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// One received message: its headers (unfolded) and its body, decoded.
#[derive(Debug, Clone)]
pub struct Mail {
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Mail {
    pub fn parse(raw: &str) -> Mail {
        let raw = raw.replace("\r\n", "\n");
        let (head, body) = raw.split_once("\n\n").unwrap_or((raw.as_str(), ""));
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.lines() {
            if line.starts_with([' ', '\t']) {
                if let Some(last) = headers.last_mut() {
                    last.1.push(' ');
                    last.1.push_str(line.trim());
                }
            } else if let Some((k, v)) = line.split_once(':') {
                headers.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
        let mut m = Mail { headers, body: String::new() };
        m.body = match m.header("Content-Transfer-Encoding").unwrap_or("7bit").to_ascii_lowercase().as_str() {
            "quoted-printable" => quoted_printable(body),
            "base64" => base64(body),
            _ => body.to_string(),
        };
        m
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

fn quoted_printable(s: &str) -> String {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' {
            if b.get(i + 1) == Some(&b'\n') {
                i += 2;
                continue;
            }
            if let Some(h) = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(h);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Standard base64 (the harness is shared with a crate that has no base64 library).
fn base64(s: &str) -> String {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0u32);
    for c in s.bytes() {
        let Some(v) = ABC.iter().position(|&a| a == c) else { continue };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
