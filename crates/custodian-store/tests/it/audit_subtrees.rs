//! Proofs served from the stored subtree hashes (`audit_subtrees`): the same proofs as from every
//! leaf, for logs written with the table and for older logs without it (then filled in once), and
//! a changed stored hash is named by `audit verify` (and makes the proofs served from it fail an
//! outsider's check).

use custodian_domain::audit::{Hash, root_of, verify_consistency, verify_inclusion};
use custodian_store::{Actor, AuditEntry};
use ed25519_dalek::SigningKey;
use time::OffsetDateTime;

use crate::on_both;
use crate::support::TestDb;

const KEY_NAME: &str = "custodian-test";

async fn append(db: &TestDb, n: usize) {
    let entries = (0..n).map(|i| AuditEntry::new("device.allocate", format!("device:{i}")).clause("4.1")).collect();
    db.store.append_audit(Actor::system().at(OffsetDateTime::now_utc()), entries).await.unwrap();
}

async fn leaves(db: &TestDb) -> Vec<(uuid::Uuid, Hash)> {
    let mut out = Vec::new();
    db.store
        .audit_scan_events(|e, leaf, _| {
            out.push((e.id, leaf.as_slice().try_into().unwrap()));
            Ok(())
        })
        .await
        .unwrap();
    out
}

fn h(hex_text: &str) -> Hash {
    hex::decode(hex_text).unwrap().as_slice().try_into().unwrap()
}

/// Every proof the store serves for a log of `n` events verifies against the root over all its
/// leaves; returns them (as text) so two runs can be compared.
async fn proofs(db: &TestDb) -> Vec<String> {
    let all = leaves(db).await;
    let n = all.len() as u64;
    let root = root_of(&all.iter().map(|(_, l)| *l).collect::<Vec<_>>());
    let mut out = Vec::new();
    for old in [1, 255, 256, 257, 511, 512, 700, 1024, 1299, n] {
        let p = db.store.audit_consistency(old, None).await.unwrap();
        assert_eq!(h(&p.new_root), root, "new root at old size {old}");
        let proof: Vec<Hash> = p.proof.iter().map(|x| h(x)).collect();
        assert!(verify_consistency(old, n, &h(&p.old_root), &root, &proof), "consistency from {old}");
        let old_root = root_of(&all[..old as usize].iter().map(|(_, l)| *l).collect::<Vec<_>>());
        assert_eq!(h(&p.old_root), old_root, "old root at {old}");
        out.push(serde_json::to_string(&p).unwrap());
    }
    for i in [0usize, 200, 256, 777, 1023, 1024, all.len() - 1] {
        let p = db.store.audit_prove(all[i].0).await.unwrap();
        let proof: Vec<Hash> = p.proof.iter().map(|x| h(x)).collect();
        assert_eq!((p.index, p.tree_size), (i as u64, n));
        assert!(verify_inclusion(i as u64, n, &all[i].1, &proof, &root), "inclusion of event {i}");
        out.push(serde_json::to_string(&p).unwrap());
    }
    out
}

async fn count(db: &TestDb) -> i64 {
    let c = db.store.audit_verify(KEY_NAME, &SigningKey::from_bytes(&[7u8; 32]).verifying_key()).await.unwrap();
    assert_eq!(c.problem, None);
    c.subtrees_missing as i64
}

async fn proofs_from_stored_subtrees_equal_proofs_from_every_event(db: &TestDb) {
    // Appended in uneven batches, so blocks complete inside a batch and across batches.
    for n in [700, 1, 299, 300] {
        append(db, n).await;
    }
    assert_eq!(count(db).await, 0, "every subtree of the 1,300 events is stored as they are written");
    let with_table = proofs(db).await;
    // A log written before the table existed: none stored. The proofs read the events instead.
    db.script("DELETE FROM audit_subtrees").await;
    assert_eq!(count(db).await, 5 + 2 + 1, "1,300 events hold 5 subtrees of 256, 2 of 512 and 1 of 1,024");
    assert_eq!(proofs(db).await, with_table);
    // Filled in once; then nothing more to do.
    assert_eq!(db.store.audit_index_subtrees().await.unwrap(), 8);
    assert_eq!(db.store.audit_index_subtrees().await.unwrap(), 0);
    assert_eq!(count(db).await, 0);
    assert_eq!(proofs(db).await, with_table);
}
on_both!(proofs_from_stored_subtrees_equal_proofs_from_every_event);

async fn a_changed_subtree_hash_is_named_and_its_proofs_fail(db: &TestDb) {
    append(db, 1100).await;
    let all = leaves(db).await;
    let root = root_of(&all.iter().map(|(_, l)| *l).collect::<Vec<_>>());
    let blob = if db.url.starts_with("sqlite:") {
        format!("X'{}'", "ab".repeat(32))
    } else {
        format!("'\\x{}'::bytea", "ab".repeat(32))
    };
    db.script(&format!("UPDATE audit_subtrees SET hash = {blob} WHERE level = 8 AND idx = 2")).await;
    let r = db.store.audit_verify(KEY_NAME, &SigningKey::from_bytes(&[7u8; 32]).verifying_key()).await.unwrap();
    let p = r.problem.expect("verify names the changed row");
    assert!(p.contains("events 512 to 767") && p.contains("level 8, index 2"), "{p}");
    // Event 800's path names the subtree of events 512..767 as a sibling: an outsider checking
    // the served proof against the true root sees it fail.
    let served = db.store.audit_prove(all[800].0).await.unwrap();
    let proof: Vec<Hash> = served.proof.iter().map(|x| h(x)).collect();
    assert!(!verify_inclusion(800, all.len() as u64, &all[800].1, &proof, &root));
    // A stored row beyond any real block is impossible and named.
    db.script("UPDATE audit_subtrees SET level = 3 WHERE level = 8 AND idx = 2").await;
    let r = db.store.audit_verify(KEY_NAME, &SigningKey::from_bytes(&[7u8; 32]).verifying_key()).await.unwrap();
    assert!(r.problem.unwrap().contains("impossible level 3"));
}
on_both!(a_changed_subtree_hash_is_named_and_its_proofs_fail);
