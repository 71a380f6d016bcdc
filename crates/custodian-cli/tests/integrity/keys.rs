//! The audit log is bound to its signing key. A command run from another folder (whose `data`
//! holds no key, or another key) neither creates a key for the log nor signs with one; the error
//! names the key the log expects and the path looked at. A log created before keys were stored
//! with it adopts the key that signed its latest checkpoint, and nothing else.

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use super::{Db, fingerprint_of_key_file, fixture, json, must, stderr, temp_dir};
use crate::on_both;

/// The key file a command run from `cwd` with the default settings looks at.
fn default_key(cwd: &Path) -> std::path::PathBuf {
    cwd.join("data").join("audit-signing.key")
}

#[track_caller]
fn refused(o: std::process::Output, must_name: &[&str]) {
    assert!(!o.status.success(), "expected a refusal:\n{}\n{}", super::stdout(&o), stderr(&o));
    let err = stderr(&o);
    for s in must_name {
        assert!(err.contains(s), "the error should name {s:?}:\n{err}");
    }
}

/// `custodian serve` from `cwd` must refuse to start (not keep running).
fn serve_refuses(db: &Db, cwd: &Path, must_name: &[&str]) {
    let mut child: Child = db
        .command(&["serve", "--bind", "127.0.0.1:0"])
        .env_remove("CUSTODIAN_DATA_DIR")
        .current_dir(cwd)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server started with a key that is not the audit log's key");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    refused(child.wait_with_output().unwrap(), must_name);
}

fn a_command_from_another_folder_neither_creates_nor_signs_with_another_key(db: Db) {
    must(db.cli(&["migrate", "--create"]));
    let log_key = db.dir.join("audit-signing.key");
    assert!(log_key.exists(), "a new log gets its key when it is created");
    let fp = fingerprint_of_key_file(&log_key);
    must(db.cli(&["import", "people", fixture("people.csv").to_str().unwrap()]));
    must(db.cli(&["audit", "checkpoint"]));

    // From a folder with no key: nothing is created and nothing is signed.
    let elsewhere = temp_dir("elsewhere");
    let there = default_key(&elsewhere);
    let there_s = there.display().to_string();
    for args in [&["audit", "checkpoint"][..], &["audit", "verify"], &["user", "token", "A1016", "--name", "x"]] {
        refused(db.cli_from(&elsewhere, args), &[&fp, &there_s]);
        assert!(!there.exists(), "`custodian {}` created a new key for a log that has one", args.join(" "));
    }
    serve_refuses(&db, &elsewhere, &[&fp, &there_s]);
    assert!(!there.exists());

    // From a folder holding another key: refused, naming both keys.
    std::fs::create_dir_all(there.parent().unwrap()).unwrap();
    std::fs::write(&there, hex::encode([9u8; 32])).unwrap();
    let other_fp = fingerprint_of_key_file(&there);
    refused(db.cli_from(&elsewhere, &["audit", "checkpoint"]), &[&fp, &other_fp, &there_s]);
    serve_refuses(&db, &elsewhere, &[&fp, &other_fp, &there_s]);

    // The log still has exactly the checkpoint its own key signed, and verifies.
    let v = json(db.cli(&["audit", "verify", "--json"]));
    assert!(v["problem"].is_null(), "{v}");
    assert_eq!(v["checkpoints_checked"], 1, "{v}");
    let _ = std::fs::remove_dir_all(&elsewhere);
}

on_both!(a_command_from_another_folder_neither_creates_nor_signs_with_another_key);

fn a_log_without_a_stored_key_adopts_the_key_of_its_latest_checkpoint(db: Db) {
    must(db.cli(&["migrate", "--create"]));
    let log_key = db.dir.join("audit-signing.key");
    let fp = fingerprint_of_key_file(&log_key);
    must(db.cli(&["import", "people", fixture("people.csv").to_str().unwrap()]));
    must(db.cli(&["audit", "checkpoint"]));
    // A log from before keys were stored with it: signed checkpoints, no stored key.
    db.sql("DELETE FROM audit_log_key");

    // No key where the command looks: refused, naming the latest checkpoint's signer; nothing created.
    let elsewhere = temp_dir("elsewhere");
    let there = default_key(&elsewhere);
    let there_s = there.display().to_string();
    refused(db.cli_from(&elsewhere, &["audit", "checkpoint"]), &["latest at size", "key id", &there_s]);
    assert!(!there.exists(), "a new key was created for a log that has signed checkpoints");
    // A key that did not sign the latest checkpoint is not adopted.
    std::fs::create_dir_all(there.parent().unwrap()).unwrap();
    std::fs::write(&there, hex::encode([9u8; 32])).unwrap();
    refused(db.cli_from(&elsewhere, &["audit", "checkpoint"]), &["does not verify", &there_s]);

    // The key that signed it is adopted, and the command says so.
    let o = db.cli(&["audit", "checkpoint"]);
    let err = stderr(&o);
    must(o);
    assert!(err.contains("had no stored key") && err.contains(&fp), "{err}");
    // From now on the log is bound to it.
    refused(db.cli_from(&elsewhere, &["audit", "checkpoint"]), &[&fp, &there_s]);
    let v = json(db.cli(&["audit", "verify", "--json"]));
    assert!(v["problem"].is_null(), "{v}");
    assert_eq!(v["checkpoints_checked"], 2, "{v}");
    let _ = std::fs::remove_dir_all(&elsewhere);
}

on_both!(a_log_without_a_stored_key_adopts_the_key_of_its_latest_checkpoint);

/// Changing the stored key is reported by `audit verify`, which checks the checkpoints with the
/// key from the data folder, never with the one in the database.
fn a_changed_stored_key_is_reported(db: Db) {
    must(db.cli(&["migrate", "--create"]));
    must(db.cli(&["audit", "checkpoint"]));
    let blob =
        if db.is_sqlite() { format!("X'{}'", "11".repeat(32)) } else { format!("'\\x{}'::bytea", "11".repeat(32)) };
    db.sql(&format!("UPDATE audit_log_key SET public_key = {blob}"));
    let o = db.cli(&["audit", "verify", "--json"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let p = v["problem"].as_str().unwrap();
    assert!(
        p.contains("key stored with the log")
            && p.contains(&fingerprint_of_key_file(&db.dir.join("audit-signing.key"))),
        "{p}"
    );
    // And nothing signs with either key until it is put right.
    assert!(!db.cli(&["audit", "checkpoint"]).status.success());
}

on_both!(a_changed_stored_key_is_reported);
