//! The `custodian` binary end to end: imports with line-numbered errors and exit codes, JSON
#![allow(clippy::unwrap_used, clippy::expect_used)]
//! output, findings export, audit verify and tamper detection, config and OpenAPI.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_custodian")
}

struct Env {
    dir: PathBuf,
}

impl Env {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("custodian-cli-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        Env { dir }
    }
    fn url(&self) -> String {
        format!("sqlite:{}", self.dir.join("c.db").display())
    }
    fn run(&self, args: &[&str]) -> Output {
        Command::new(bin())
            .args(["--database-url", &self.url()])
            .args(args)
            .env("CUSTODIAN_DATA_DIR", &self.dir)
            .env_remove("CUSTODIAN_DATABASE_URL")
            .output()
            .unwrap()
    }
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures").join(name)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn a_mistyped_database_path_is_refused_rather_than_created() {
    let e = Env::new();
    let o = e.run(&["audit", "verify"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("refusing to create"), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!e.dir.join("c.db").exists());
}

#[test]
fn imports_report_json_reject_bad_rows_and_are_idempotent() {
    let e = Env::new();
    assert!(e.run(&["migrate", "--create"]).status.success());
    let people = fixture("people.csv");
    let o = e.run(&["import", "people", people.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(j["summary"]["created"], 20);
    let o = e.run(&["import", "people", people.to_str().unwrap(), "--json"]);
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!((j["summary"]["created"].as_u64(), j["summary"]["unchanged"].as_u64()), (Some(0), Some(20)));

    let bad = e.write("bad.csv", "asset_tag,type,make,model,serial,imei,phone_number,os,status,allocated_to\nX-1,phone,A,B,,,,,in_stock,\nX-2,spaceship,A,B,,,,,in_stock,\n");
    let o = e.run(&["import", "devices", bad.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(2));
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(j["rejected"][0]["line"], 3);
    assert_eq!(j["rejected"][0]["field"], "type");
    let o = e.run(&["import", "devices", bad.to_str().unwrap(), "--skip-invalid"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("skipped line 3"), "{}", stdout(&o));
}

#[test]
fn findings_export_as_jsonl_and_the_audit_log_detects_tampering() {
    let e = Env::new();
    assert!(e.run(&["migrate", "--create"]).status.success());
    for (kind, f) in [("people", "people.csv"), ("devices", "devices.csv"), ("intune", "intune.json")] {
        let o = e.run(&["import", kind, fixture(f).to_str().unwrap()]);
        assert!(o.status.success(), "{kind}: {}", String::from_utf8_lossy(&o.stderr));
    }
    let o = e.run(&["findings", "export", "--format", "jsonl"]);
    assert!(o.status.success());
    let lines: Vec<serde_json::Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(!lines.is_empty());
    for f in &lines {
        for k in ["id", "rule", "clause", "status", "person", "device", "opened_at", "records"] {
            assert!(f.get(k).is_some(), "missing {k} in {f}");
        }
    }
    assert_eq!(lines[0]["rule"], "devices.user_mismatch");
    assert_eq!(lines[0]["clause"], "4.1");

    let cp = e.run(&["audit", "checkpoint"]);
    assert!(stdout(&cp).contains("\n\u{2014} "), "a C2SP signed note: {}", stdout(&cp));
    let o = e.run(&["audit", "verify", "--json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(v["problem"].is_null());
    let n = v["events"].as_u64().unwrap();
    assert!(n > 50);

    // Tamper with one event in the file behind the application's back.
    let db = e.dir.join("c.db");
    let status = Command::new("python3")
        .args(["-c", &format!("import sqlite3; c = sqlite3.connect('{}'); c.execute(\"UPDATE audit_events SET subject = 'device:NOTHING' WHERE seq = 12\"); c.commit()", db.display())])
        .status()
        .expect("python3 (with its sqlite3 module) plays the attacker here");
    assert!(status.success());
    let o = e.run(&["audit", "verify"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stdout(&o).contains("event 12 "), "{}", stdout(&o));
}

#[test]
fn config_example_and_openapi_print() {
    let o = Command::new(bin()).args(["config", "example"]).output().unwrap();
    assert!(stdout(&o).contains("database_url"));
    let o = Command::new(bin()).arg("openapi").output().unwrap();
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
}
