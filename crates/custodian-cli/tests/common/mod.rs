//! What the command-line tests share: a fresh data folder and SQLite database per test, the
//! `custodian` binary run against it, the repository's fixtures, and a register of the fixture
//! force. Each test binary includes this module (`mod common;`) and uses what it needs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub mod target;

/// The `custodian` binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_custodian")
}

/// A file of the repository's `fixtures/` folder.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures").join(name)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A JSON report's refused lines: each line number with its `what` ("field", "reason").
pub fn rejected(j: &serde_json::Value, what: &str) -> Vec<(u64, String)> {
    j["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r[what].as_str().unwrap().to_string()))
        .collect()
}

/// RFC 3339 an hour from now: after a register import made now allocated the devices.
pub fn soon() -> String {
    let t = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
    t.replace_nanosecond(0).unwrap().format(&time::format_description::well_known::Rfc3339).unwrap()
}

/// A data folder of its own (removed on drop) holding the database `c.db`.
pub struct Env {
    pub dir: PathBuf,
}

impl Env {
    pub fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("custodian-cli-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        Env { dir }
    }

    /// A database with the fixture force: WP-MB-0007 (+44 121 496 0506) is held by A1018.
    pub fn with_register() -> Self {
        let e = Env::new();
        e.ok(&["migrate", "--create"]);
        e.ok(&["import", "people", fixture("people.csv").to_str().unwrap()]);
        e.ok(&["import", "devices", fixture("devices.csv").to_str().unwrap()]);
        e
    }

    pub fn url(&self) -> String {
        format!("sqlite:{}", self.dir.join("c.db").display())
    }

    /// Run `custodian` on this database, with no database URL from the environment.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(bin())
            .args(["--database-url", &self.url()])
            .args(args)
            .env("CUSTODIAN_DATA_DIR", &self.dir)
            .env_remove("CUSTODIAN_DATABASE_URL")
            .output()
            .unwrap()
    }

    /// Run `custodian`, require success and return its standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(
            o.status.success(),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        stdout(&o)
    }

    /// Write a file into the data folder.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// Write a file into the data folder and return its path as an argument.
    pub fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> String {
        self.write(name, bytes).to_str().unwrap().to_string()
    }

    /// The database, opened directly.
    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.dir.join("c.db")).unwrap()
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
