//! A usage import must not cost the database its locks. SQLite's locks are POSIX locks, which
//! belong to the process: opening and closing one of the database's files outside SQLite (as the
//! import once did to flush them) drops every lock the process holds on it. The next command to
//! close the database then believes it is the last user and deletes the write-ahead log and
//! shared memory from under the server, whose writes from then on go to a deleted file.

use std::os::unix::fs::MetadataExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use custodian_domain::usage::{Feed, UsagePack};
use custodian_store::{Actor, AuditEntry, OpenOptions, Store};

use super::{Db, carrier_csv, fixture, json, must};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// In this process: a usage import through the store, as the server runs one for an upload. Then
/// another process (the command line) opens and closes the database twice. This process's log
/// file must still be the database's log, its writes must succeed and other processes see them.
#[test]
fn a_usage_import_keeps_the_locks_so_another_process_never_deletes_the_log_in_use() {
    let db = Db::sqlite();
    must(db.cli(&["migrate", "--create"]));
    must(db.cli(&["import", "people", fixture("people.csv").to_str().unwrap()]));
    must(db.cli(&["import", "devices", fixture("devices.csv").to_str().unwrap()]));
    runtime().block_on(async {
        let store = Store::open(&db.url, &OpenOptions::default()).await.unwrap();
        let now = time::OffsetDateTime::now_utc();
        let bill = carrier_csv("lock", 40).into_bytes();
        let r = store
            .import_usage(
                Feed::Carrier,
                Box::new(std::io::Cursor::new(bill)),
                None,
                Arc::new(UsagePack::shipped().clone()),
                Actor::cli().at(now),
                Arc::new(|_| {}),
            )
            .await
            .unwrap();
        assert_eq!(r.imported, 40);
        let wal = db.dir.join("c.db-wal");
        let log = std::fs::metadata(&wal).expect("a database in use in WAL mode has its -wal file").ino();
        let shm = std::fs::metadata(db.dir.join("c.db-shm")).unwrap().ino();

        for _ in 0..2 {
            must(db.cli(&["user", "tokens"]));
        }
        assert_eq!(
            std::fs::metadata(&wal).map(|m| m.ino()).ok(),
            Some(log),
            "another process deleted the write-ahead log of a database this process has open"
        );
        assert_eq!(std::fs::metadata(db.dir.join("c.db-shm")).map(|m| m.ino()).ok(), Some(shm));

        // This process still writes, and every other process sees what it wrote.
        let size = store
            .append_audit(Actor::cli().at(time::OffsetDateTime::now_utc()), vec![AuditEntry::new("test.write", "test")])
            .await
            .unwrap();
        let v = json(db.cli(&["audit", "verify", "--json"]));
        assert!(v["problem"].is_null(), "{v}");
        assert_eq!(v["events"].as_u64(), Some(size), "the command line sees every event this process wrote");
        // And this process sees what the others wrote.
        must(db.cli(&["user", "grant-role", "A1017", "auditor"]));
        let p = store.person_by_staff_number("A1017").await.unwrap().unwrap();
        assert!(p.roles.iter().any(|r| r.as_str() == "auditor"), "{:?}", p.roles);
        store.close().await;
    });
}

/// `audit verify` reads the log head, the checkpoints and the events as one snapshot: while
/// another writer appends (another process, or the server's own requests), it never reports a
/// head that disagrees with the events it read.
async fn verify_while_another_writer_appends(db: &Db) {
    must(db.cli(&["migrate", "--create"]));
    must(db.cli(&["import", "people", fixture("people.csv").to_str().unwrap()]));
    must(db.cli(&["audit", "checkpoint"]));
    let key = {
        let text = std::fs::read_to_string(db.dir.join("audit-signing.key")).unwrap();
        let bytes: [u8; 32] = hex::decode(text.trim()).unwrap().try_into().unwrap();
        ed25519_dalek::SigningKey::from_bytes(&bytes).verifying_key()
    };
    let name = custodian_server::Settings::default().audit_origin;
    let writer = Store::open(&db.url, &OpenOptions::default()).await.unwrap();
    let reader = Store::open(&db.url, &OpenOptions::default()).await.unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let w = {
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                writer
                    .append_audit(
                        Actor::cli().at(time::OffsetDateTime::now_utc()),
                        vec![AuditEntry::new("test.write", format!("test:{n}"))],
                    )
                    .await
                    .unwrap();
                n += 1;
            }
            n
        })
    };
    let mut problems = Vec::new();
    for i in 0..60 {
        let r = reader.audit_verify(&name, &key).await.unwrap();
        if let Some(p) = r.problem {
            problems.push(format!("check {i} at {} events: {p}", r.events));
        }
    }
    stop.store(true, Ordering::Relaxed);
    let written = w.await.unwrap();
    assert!(written > 0);
    assert!(
        problems.is_empty(),
        "audit verify disagreed with itself while another writer appended:\n{}",
        problems.join("\n")
    );
    let v = json(db.cli(&["audit", "verify", "--json"]));
    assert!(v["problem"].is_null(), "{v}");
}

#[test]
fn audit_verify_agrees_with_itself_while_another_writer_appends_on_sqlite() {
    runtime().block_on(verify_while_another_writer_appends(&Db::sqlite()));
}

#[test]
fn audit_verify_agrees_with_itself_while_another_writer_appends_on_postgres() {
    if let Some(db) = Db::postgres() {
        runtime().block_on(verify_while_another_writer_appends(&db));
    }
}
