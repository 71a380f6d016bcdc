//! The restore drill: `custodian backup`, restore into an empty database, and `audit verify`
//! passes there (and fails when the copy was altered). SQLite always; PostgreSQL through pg_dump
//! and pg_restore when CUSTODIAN_TEST_DATABASE_URL is set and the client tools are installed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{Env, bin, fixture, stdout};

const KEY_FILE: &str = "audit-signing.key";

/// Run `custodian` on `url` with `dir` as its data folder.
fn run_on(url: &str, dir: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .args(["--database-url", url])
        .args(args)
        .env("CUSTODIAN_DATA_DIR", dir)
        .env_remove("CUSTODIAN_DATABASE_URL")
        .output()
        .unwrap()
}

fn ok_on(url: &str, dir: &Path, args: &[&str]) -> String {
    let o = run_on(url, dir, args);
    assert!(o.status.success(), "{args:?}: {}{}", stdout(&o), String::from_utf8_lossy(&o.stderr));
    stdout(&o)
}

fn said(o: &Output) -> String {
    format!("{}{}", stdout(o), String::from_utf8_lossy(&o.stderr))
}

/// The events `audit verify` counted, from its "audit log intact: N events" line.
fn intact_events(out: &str) -> u64 {
    let rest = out.split("audit log intact: ").nth(1).unwrap_or_else(|| panic!("not intact: {out}"));
    rest.split(' ').next().unwrap().parse().unwrap()
}

#[test]
fn sqlite_backup_restores_into_an_empty_database_and_the_audit_log_verifies() {
    let src = Env::with_register();
    src.ok(&["audit", "checkpoint"]);
    let events = intact_events(&src.ok(&["audit", "verify"]));
    assert!(events > 10, "{events}");
    let backup = src.dir.join("backup.db");
    let b = backup.to_str().unwrap();
    src.ok(&["backup", "--out", b]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777, 0o600, "personal data");
    }
    // A backup never overwrites a file.
    let again = src.run(&["backup", "--out", b]);
    assert!(!again.status.success() && said(&again).contains("already exists"), "{}", said(&again));

    // The drill: a new data folder with the signing key restored from its own copy, and an
    // empty database.
    let dst = Env::new();
    std::fs::copy(src.dir.join(KEY_FILE), dst.dir.join(KEY_FILE)).unwrap();
    let out = dst.ok(&["restore", "--from", b]);
    assert!(out.contains("restored"), "{out}");
    assert_eq!(intact_events(&out), events, "{out}");
    assert_eq!(intact_events(&dst.ok(&["audit", "verify"])), events);
    let n = |e: &Env| -> i64 { e.db().query_row("SELECT COUNT(*) FROM devices", [], |r| r.get(0)).unwrap() };
    assert_eq!(n(&dst), n(&src));
    assert!(n(&dst) > 0);

    // A database that is not empty is never restored over.
    let refused = src.run(&["restore", "--from", b]);
    assert!(!refused.status.success() && said(&refused).contains("not empty"), "{}", said(&refused));
    // A file that is not a backup is refused before anything is written.
    let other = Env::new();
    let not_backup = other.file("people.csv", std::fs::read(fixture("people.csv")).unwrap());
    let refused = other.run(&["restore", "--from", &not_backup]);
    assert!(!refused.status.success() && said(&refused).contains("not an SQLite database"), "{}", said(&refused));
    assert!(!other.dir.join("c.db").exists());

    // The drill fails loudly when the copy was altered: an event rewritten in the backup.
    let altered = Env::new();
    std::fs::copy(src.dir.join(KEY_FILE), altered.dir.join(KEY_FILE)).unwrap();
    let copy = altered.dir.join("altered.db");
    std::fs::copy(&backup, &copy).unwrap();
    rusqlite::Connection::open(&copy)
        .unwrap()
        .execute("UPDATE audit_events SET actor = 'someone else' WHERE seq = 2", [])
        .unwrap();
    let o = altered.run(&["restore", "--from", copy.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", said(&o));
    assert!(said(&o).contains("AUDIT LOG ALTERED"), "{}", said(&o));

    // Without its signing key the restore says where the key must come from.
    let keyless = Env::new();
    let o = keyless.run(&["restore", "--from", b]);
    assert_eq!(o.status.code(), Some(3), "{}", said(&o));
    assert!(said(&o).contains("audit signing key is not in"), "{}", said(&o));
}

/// `psql` on the admin URL.
fn psql(admin: &str, sql: &str) {
    let o = Command::new("psql").args([admin, "-v", "ON_ERROR_STOP=1", "-qc", sql]).output().unwrap();
    assert!(o.status.success(), "{sql}: {}", said(&o));
}

fn tool_missing(name: &str) -> bool {
    Command::new(name).arg("--version").output().map(|o| !o.status.success()).unwrap_or(true)
}

#[test]
fn postgres_backup_by_pg_dump_restores_into_an_empty_database_and_the_audit_log_verifies() {
    let admin = match std::env::var("CUSTODIAN_TEST_DATABASE_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => {
            assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "CI=true needs CUSTODIAN_TEST_DATABASE_URL");
            eprintln!("skipping the PostgreSQL restore drill: CUSTODIAN_TEST_DATABASE_URL is not set");
            return;
        }
    };
    if let Some(t) = ["pg_dump", "pg_restore", "psql"].into_iter().find(|t| tool_missing(t)) {
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "CI=true needs {t}");
        eprintln!("skipping the PostgreSQL restore drill: {t} is not installed");
        return;
    }
    let id = uuid::Uuid::now_v7().simple().to_string();
    let (src_name, dst_name) = (format!("custodian_bk_{id}"), format!("custodian_rs_{id}"));
    psql(&admin, &format!("CREATE DATABASE {src_name}"));
    psql(&admin, &format!("CREATE DATABASE {dst_name}"));
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap();
    let (src_url, dst_url) = (format!("{base}/{src_name}"), format!("{base}/{dst_name}"));

    let src = Env::new();
    ok_on(&src_url, &src.dir, &["migrate"]);
    ok_on(&src_url, &src.dir, &["import", "people", fixture("people.csv").to_str().unwrap()]);
    ok_on(&src_url, &src.dir, &["import", "devices", fixture("devices.csv").to_str().unwrap()]);
    ok_on(&src_url, &src.dir, &["audit", "checkpoint"]);
    let events = intact_events(&ok_on(&src_url, &src.dir, &["audit", "verify"]));
    let dump = src.dir.join("custodian.dump");
    ok_on(&src_url, &src.dir, &["backup", "--out", dump.to_str().unwrap()]);
    assert!(std::fs::read(&dump).unwrap().starts_with(b"PGDMP"));

    let dst = Env::new();
    std::fs::copy(src.dir.join(KEY_FILE), dst.dir.join(KEY_FILE)).unwrap();
    let out = ok_on(&dst_url, &dst.dir, &["restore", "--from", dump.to_str().unwrap()]);
    assert_eq!(intact_events(&out), events, "{out}");
    assert_eq!(intact_events(&ok_on(&dst_url, &dst.dir, &["audit", "verify"])), events);
    // The restored database is not empty any more: a second restore is refused.
    let again = run_on(&dst_url, &dst.dir, &["restore", "--from", dump.to_str().unwrap()]);
    assert!(!again.status.success() && said(&again).contains("not empty"), "{}", said(&again));

    psql(&admin, &format!("DROP DATABASE {src_name} WITH (FORCE)"));
    psql(&admin, &format!("DROP DATABASE {dst_name} WITH (FORCE)"));
}
