//! Tampering with the audit log by SQL, as a database administrator without the signing key
//! would, on both backends: each tampering below is done on a fresh log with two signed
//! checkpoints and events after the last one, and `audit verify` must fail naming what was
//! changed. A few changes cannot be seen from inside the database at all (the log is cut or
//! rewritten and every hash, checkpoint and checkpoint event made to match): those pass the
//! plain check, and are caught by `verify --against` a checkpoint kept outside (see
//! docs/audit-verification.md). The two changes nothing can catch without a newer outside
//! checkpoint (after the last one published) are asserted as such, so the limit is written down.

use custodian_domain::audit::{CHAIN_START, EventRecord, Frontier, Hash, canonical_bytes, chain_hash, leaf_hash};
use custodian_store::{Actor, AuditEntry, SavedCheckpoint, SignedCheckpoint};
use ed25519_dalek::SigningKey;
use time::OffsetDateTime;

use crate::on_both;
use crate::support::TestDb;

const KEY_NAME: &str = "custodian-test";

/// A log of known shape: events, checkpoint `a`, events, checkpoint `b`, events.
struct Log {
    key: SigningKey,
    a: SignedCheckpoint,
    b: SignedCheckpoint,
    size: u64,
}

async fn append(db: &TestDb, n: usize, tag: &str) -> u64 {
    let entries = (0..n)
        .map(|i| {
            AuditEntry::new("device.allocate", format!("device:{tag}-{i}"))
                .clause("4.1")
                .detail(serde_json::json!({ "n": i }))
        })
        .collect();
    db.store.append_audit(Actor::system().at(OffsetDateTime::now_utc()), entries).await.unwrap()
}

async fn checkpoint(db: &TestDb, key: &SigningKey) -> SignedCheckpoint {
    db.store.audit_checkpoint(KEY_NAME, key, OffsetDateTime::now_utc()).await.unwrap()
}

async fn log(db: &TestDb) -> Log {
    let key = SigningKey::from_bytes(&[7u8; 32]);
    append(db, 30, "first").await;
    let a = checkpoint(db, &key).await;
    assert!(a.new);
    append(db, 20, "second").await;
    let b = checkpoint(db, &key).await;
    assert!(b.new);
    let size = append(db, 10, "third").await;
    let l = Log { key, a, b, size };
    assert_eq!(problem(db, &l).await, None, "the untouched log verifies");
    l
}

async fn problem(db: &TestDb, l: &Log) -> Option<String> {
    against(db, l, &[]).await
}

async fn against(db: &TestDb, l: &Log, saved: &[&SignedCheckpoint]) -> Option<String> {
    let saved: Vec<SavedCheckpoint> = saved
        .iter()
        .map(|c| SavedCheckpoint { label: format!("checkpoint-{}.note", c.size), note: c.note.clone() })
        .collect();
    let r = db.store.audit_verify_against(KEY_NAME, &l.key.verifying_key(), &saved).await.unwrap();
    if r.problem.is_none() {
        assert_eq!(r.saved_checked, saved.len());
    }
    r.problem
}

fn expect(found: Option<String>, wanted: &[&str]) {
    let p = found.expect("verify must fail");
    for w in wanted {
        assert!(p.contains(w), "{p:?} should contain {w:?}");
    }
}

/// Verification names the first checkpoint's event and says its stored checkpoint was deleted.
async fn expect_first_checkpoint_deleted(db: &TestDb, l: &Log) {
    expect(
        problem(db, l).await,
        &[&format!("event {} (audit.checkpoint)", l.a.size), "a stored checkpoint was deleted"],
    );
}

fn blob(db: &TestDb, b: &[u8]) -> String {
    if db.url.starts_with("sqlite:") {
        format!("X'{}'", hex::encode(b))
    } else {
        format!("'\\x{}'::bytea", hex::encode(b))
    }
}

async fn events(db: &TestDb) -> Vec<(EventRecord, Vec<u8>, Vec<u8>)> {
    let mut out = Vec::new();
    db.store
        .audit_scan_events(|e, leaf, chain| {
            out.push((e, leaf, chain));
            Ok(())
        })
        .await
        .unwrap();
    out
}

/// What a careful attacker does after changing stored events: recompute every leaf from the
/// content, every chain value, and the log head, so the log is consistent with itself.
async fn restamp(db: &TestDb) {
    let mut sql = String::new();
    let mut frontier = Frontier::new();
    let mut chain: Hash = CHAIN_START;
    for (e, leaf, stored_chain) in events(db).await {
        let l = leaf_hash(&canonical_bytes(&e));
        chain = chain_hash(&chain, &l);
        frontier.push(l);
        if l.as_slice() != leaf.as_slice() || chain.as_slice() != stored_chain.as_slice() {
            sql.push_str(&format!(
                "UPDATE audit_events SET leaf_hash = {}, chain = {} WHERE seq = {};\n",
                blob(db, &l),
                blob(db, &chain),
                e.seq
            ));
        }
    }
    sql.push_str(&format!(
        "UPDATE audit_head SET size = {}, frontier = {}, chain = {} WHERE id = 1;\n",
        frontier.size(),
        blob(db, &frontier.to_bytes()),
        blob(db, &chain)
    ));
    db.script(&sql).await;
}

// ----- Caught by `audit verify` alone --------------------------------------------------------

async fn changing_an_event_field_names_the_event(db: &TestDb) {
    let l = log(db).await;
    db.script("UPDATE audit_events SET actor = 'person:A9999' WHERE seq = 5").await;
    expect(problem(db, &l).await, &["event 5 ", "content does not match its stored leaf hash"]);
}
on_both!(changing_an_event_field_names_the_event);

async fn changing_an_events_chain_value_names_the_event(db: &TestDb) {
    let l = log(db).await;
    db.script(&format!("UPDATE audit_events SET chain = {} WHERE seq = 12", blob(db, &[9u8; 32]))).await;
    expect(problem(db, &l).await, &["event 12 ", "stored chain hash does not match"]);
}
on_both!(changing_an_events_chain_value_names_the_event);

async fn changing_the_heads_chain_value_names_the_head(db: &TestDb) {
    let l = log(db).await;
    db.script(&format!("UPDATE audit_head SET chain = {} WHERE id = 1", blob(db, &[3u8; 32]))).await;
    expect(problem(db, &l).await, &["the log head's chain value", "the log head was changed"]);
}
on_both!(changing_the_heads_chain_value_names_the_head);

async fn after_a_changed_head_chain_the_next_write_is_refused_and_the_head_still_named(db: &TestDb) {
    let l = log(db).await;
    db.script(&format!("UPDATE audit_head SET chain = {} WHERE id = 1", blob(db, &[3u8; 32]))).await;
    let e = db
        .store
        .append_audit(
            Actor::system().at(OffsetDateTime::now_utc()),
            vec![AuditEntry::new("device.allocate", "device:x")],
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("the log head's chain value"), "{e}");
    assert_eq!(db.store.audit_size().await.unwrap(), l.size, "nothing was appended");
    expect(problem(db, &l).await, &["the log head's chain value"]);
}
on_both!(after_a_changed_head_chain_the_next_write_is_refused_and_the_head_still_named);

async fn changing_the_heads_frontier_names_the_head(db: &TestDb) {
    let l = log(db).await;
    let mut f = Frontier::new();
    for i in 0..l.size {
        f.push(leaf_hash(&i.to_be_bytes()));
    }
    db.script(&format!("UPDATE audit_head SET frontier = {} WHERE id = 1", blob(db, &f.to_bytes()))).await;
    expect(problem(db, &l).await, &["the stored log head does not match the recomputed tree"]);
}
on_both!(changing_the_heads_frontier_names_the_head);

async fn lowering_the_heads_size_is_caught(db: &TestDb) {
    let l = log(db).await;
    db.script("UPDATE audit_head SET size = size - 1 WHERE id = 1").await;
    expect(problem(db, &l).await, &[&format!("the log head says {} events but {} are stored", l.size - 1, l.size)]);
}
on_both!(lowering_the_heads_size_is_caught);

async fn deleting_a_stored_checkpoint_is_caught_by_its_event(db: &TestDb) {
    let l = log(db).await;
    db.script(&format!("DELETE FROM audit_checkpoints WHERE size = {}", l.a.size)).await;
    expect_first_checkpoint_deleted(db, &l).await;
}
on_both!(deleting_a_stored_checkpoint_is_caught_by_its_event);

async fn deleting_every_stored_checkpoint_is_caught(db: &TestDb) {
    let l = log(db).await;
    db.script("DELETE FROM audit_checkpoints").await;
    expect_first_checkpoint_deleted(db, &l).await;
}
on_both!(deleting_every_stored_checkpoint_is_caught);

async fn replacing_a_stored_checkpoint_with_one_signed_by_another_key_is_caught(db: &TestDb) {
    use custodian_domain::audit::Checkpoint;
    let l = log(db).await;
    let other = SigningKey::from_bytes(&[8u8; 32]);
    let cp = Checkpoint::parse_body(&format!("{}\n", l.b.note.split_once("\n\n").unwrap().0)).unwrap();
    let forged = cp.sign(KEY_NAME, &other);
    db.script(&format!("UPDATE audit_checkpoints SET note = '{forged}' WHERE size = {}", l.b.size)).await;
    expect(problem(db, &l).await, &[&format!("checkpoint at size {}", l.b.size)]);
}
on_both!(replacing_a_stored_checkpoint_with_one_signed_by_another_key_is_caught);

async fn a_checkpoint_without_its_event_is_caught(db: &TestDb) {
    // The attacker removes checkpoint b's event (renaming it, with every hash recomputed) but
    // leaves the stored checkpoint: the stored checkpoint then has no event.
    let l = log(db).await;
    db.script(&format!("UPDATE audit_events SET action = 'device.allocate', detail = '{{}}' WHERE seq = {}", l.b.size))
        .await;
    restamp(db).await;
    let p = problem(db, &l).await.expect("verify must fail");
    // The stored checkpoint b no longer matches the recomputed tree? It does (b covers events
    // before its own event), so what gives it away is the missing event.
    assert!(p.contains(&format!("the checkpoint stored at size {} has no audit.checkpoint event", l.b.size)), "{p}");
}
on_both!(a_checkpoint_without_its_event_is_caught);

async fn deleting_an_event_names_the_gap(db: &TestDb) {
    let l = log(db).await;
    db.script("DELETE FROM audit_events WHERE seq = 10").await;
    expect(problem(db, &l).await, &["event 11 ", "seq 10 was expected"]);
}
on_both!(deleting_an_event_names_the_gap);

async fn deleting_the_last_event_is_caught_by_the_head(db: &TestDb) {
    let l = log(db).await;
    db.script(&format!("DELETE FROM audit_events WHERE seq = {}", l.size - 1)).await;
    expect(problem(db, &l).await, &[&format!("the log head says {} events but {} are stored", l.size, l.size - 1)]);
}
on_both!(deleting_the_last_event_is_caught_by_the_head);

async fn adding_an_event_beyond_the_head_is_caught(db: &TestDb) {
    let l = log(db).await;
    let id = if db.url.starts_with("sqlite:") {
        blob(db, uuid::Uuid::now_v7().as_bytes())
    } else {
        format!("'{}'::uuid", uuid::Uuid::now_v7())
    };
    let z = blob(db, &[0u8; 32]);
    db.script(&format!(
            "INSERT INTO audit_events (seq, id, at_us, actor, action, subject, clause, justification, before_digest, \
             after_digest, detail, leaf_hash, chain) VALUES ({}, {id}, 1, 'system', 'x', 'y', NULL, NULL, NULL, NULL, 'null', {z}, {z})",
            l.size
        ),
    )
    .await;
    expect(problem(db, &l).await, &[&format!("the log head says {} events but {} are stored", l.size, l.size + 1)]);
}
on_both!(adding_an_event_beyond_the_head_is_caught);

/// Events 4 and 5 change places.
const SWAP_FOUR_AND_FIVE: &str = "UPDATE audit_events SET seq = -1 WHERE seq = 4; \
     UPDATE audit_events SET seq = 4 WHERE seq = 5; UPDATE audit_events SET seq = 5 WHERE seq = -1;";

async fn swapping_two_events_names_the_first(db: &TestDb) {
    let l = log(db).await;
    db.script(SWAP_FOUR_AND_FIVE).await;
    expect(problem(db, &l).await, &["event 4 "]);
}
on_both!(swapping_two_events_names_the_first);

async fn swapping_two_events_and_recomputing_every_hash_is_caught_by_the_checkpoint(db: &TestDb) {
    let l = log(db).await;
    db.script(SWAP_FOUR_AND_FIVE).await;
    restamp(db).await;
    expect(problem(db, &l).await, &[&format!("the signed checkpoint at size {}", l.a.size)]);
}
on_both!(swapping_two_events_and_recomputing_every_hash_is_caught_by_the_checkpoint);

async fn cutting_the_tail_past_a_checkpoint_is_caught(db: &TestDb) {
    let l = log(db).await;
    let cut = l.a.size - 5;
    db.script(&format!("DELETE FROM audit_events WHERE seq >= {cut}")).await;
    restamp(db).await;
    expect(
        problem(db, &l).await,
        &[&format!("signed checkpoint at size {} but only {cut} events are stored", l.a.size)],
    );
}
on_both!(cutting_the_tail_past_a_checkpoint_is_caught);

async fn rewriting_an_old_event_and_recomputing_every_hash_is_caught_by_the_checkpoint(db: &TestDb) {
    let l = log(db).await;
    db.script("UPDATE audit_events SET subject = 'device:someone-else' WHERE seq = 3").await;
    restamp(db).await;
    expect(problem(db, &l).await, &["between 0 and", &format!("the signed checkpoint at size {}", l.a.size)]);
}
on_both!(rewriting_an_old_event_and_recomputing_every_hash_is_caught_by_the_checkpoint);

async fn rewriting_an_old_event_and_deleting_the_checkpoints_is_caught_by_their_events(db: &TestDb) {
    let l = log(db).await;
    db.script("UPDATE audit_events SET subject = 'device:someone-else' WHERE seq = 3; DELETE FROM audit_checkpoints;")
        .await;
    restamp(db).await;
    expect_first_checkpoint_deleted(db, &l).await;
}
on_both!(rewriting_an_old_event_and_deleting_the_checkpoints_is_caught_by_their_events);

// ----- Caught only against a checkpoint kept outside the database -----------------------------

async fn cutting_the_tail_and_every_checkpoint_after_it_is_caught_against_a_saved_checkpoint(db: &TestDb) {
    let l = log(db).await;
    let cut = l.a.size - 5;
    db.script(&format!(
        "DELETE FROM audit_events WHERE seq >= {cut}; DELETE FROM audit_checkpoints WHERE size >= {cut};"
    ))
    .await;
    restamp(db).await;
    // Self-consistent: the database alone cannot show it (documented)...
    assert_eq!(problem(db, &l).await, None);
    // ... but a checkpoint published before the cut does.
    expect(
        against(db, &l, &[&l.a]).await,
        &[&format!(
            "saved checkpoint checkpoint-{}.note covers {} events but the log holds only {cut}",
            l.a.size, l.a.size
        )],
    );
}
on_both!(cutting_the_tail_and_every_checkpoint_after_it_is_caught_against_a_saved_checkpoint);

async fn rewriting_history_with_every_checkpoint_and_its_event_removed_is_caught_against_a_saved_checkpoint(
    db: &TestDb,
) {
    let l = log(db).await;
    // The attacker rewrites event 3, turns both checkpoint events into ordinary events, deletes
    // the stored checkpoints and recomputes everything: nothing inside the database disagrees.
    db.script(&format!(
        "UPDATE audit_events SET subject = 'device:someone-else' WHERE seq = 3; \
             UPDATE audit_events SET action = 'device.allocate', detail = '{{}}' WHERE seq IN ({}, {}); \
             DELETE FROM audit_checkpoints;",
        l.a.size, l.b.size
    ))
    .await;
    restamp(db).await;
    assert_eq!(problem(db, &l).await, None);
    expect(
        against(db, &l, &[&l.b]).await,
        &[&format!("saved checkpoint checkpoint-{}.note (size {}) is not consistent", l.b.size, l.b.size), "rewritten"],
    );
    // The untouched saved checkpoints of another log are refused on their signature.
    let mut foreign = l.a.clone();
    foreign.note = foreign.note.replace(KEY_NAME, "another-log");
    expect(against(db, &l, &[&foreign]).await, &["saved checkpoint"]);
}
on_both!(rewriting_history_with_every_checkpoint_and_its_event_removed_is_caught_against_a_saved_checkpoint);

async fn an_untouched_log_is_consistent_with_every_saved_checkpoint(db: &TestDb) {
    let l = log(db).await;
    assert_eq!(against(db, &l, &[&l.a, &l.b]).await, None);
    // A later checkpoint still extends both.
    append(db, 3, "fourth").await;
    let c = checkpoint(db, &l.key).await;
    assert!(c.new && c.size > l.b.size);
    assert_eq!(against(db, &l, &[&l.a, &l.b, &c]).await, None);
    // Nothing new since: no new checkpoint (its own event is not growth).
    let again = checkpoint(db, &l.key).await;
    assert!(!again.new);
    assert_eq!(again, SignedCheckpoint { new: false, ..c });
}
on_both!(an_untouched_log_is_consistent_with_every_saved_checkpoint);

// ----- Not detectable without a newer outside checkpoint (the documented limit) ---------------

async fn a_change_after_the_last_checkpoint_with_every_hash_recomputed_is_not_detectable(db: &TestDb) {
    let l = log(db).await;
    db.script(&format!("UPDATE audit_events SET subject = 'device:changed' WHERE seq = {}", l.size - 2)).await;
    restamp(db).await;
    assert_eq!(problem(db, &l).await, None);
    assert_eq!(against(db, &l, &[&l.a, &l.b]).await, None);
}
on_both!(a_change_after_the_last_checkpoint_with_every_hash_recomputed_is_not_detectable);

// ----- Consistency proofs from the store --------------------------------------------------------

async fn consistency_proofs_verify_and_bad_sizes_are_refused(db: &TestDb) {
    use custodian_domain::audit::verify_consistency;
    let l = log(db).await;
    let hash = |h: &str| <Hash>::try_from(hex::decode(h).unwrap().as_slice()).unwrap();
    for old in [1, 7, l.a.size, l.b.size, l.size] {
        let p = db.store.audit_consistency(old, None).await.unwrap();
        assert_eq!((p.old_size, p.new_size), (old, l.size));
        let proof: Vec<Hash> = p.proof.iter().map(|h| hash(h)).collect();
        assert!(verify_consistency(old, l.size, &hash(&p.old_root), &hash(&p.new_root), &proof), "old size {old}");
    }
    let p = db.store.audit_consistency(l.a.size, Some(l.b.size)).await.unwrap();
    let cp = custodian_domain::audit::Checkpoint::parse_body(&format!("{}\n", l.a.note.split_once("\n\n").unwrap().0))
        .unwrap();
    assert_eq!(p.old_root, hex::encode(cp.root), "the old root is the signed one");
    let e = db.store.audit_consistency(5, Some(l.size + 1)).await.unwrap_err();
    assert!(e.to_string().contains("new_size"), "{e}");
    let e = db.store.audit_consistency(9, Some(8)).await.unwrap_err();
    assert!(e.to_string().contains("old_size 9"), "{e}");
}
on_both!(consistency_proofs_verify_and_bad_sizes_are_refused);

// ----- Logs signed before checkpoints were events -----------------------------------------------

async fn a_checkpoint_signed_before_checkpoints_were_events_is_accepted_and_then_chained(db: &TestDb) {
    use custodian_domain::audit::Checkpoint;
    let key = SigningKey::from_bytes(&[7u8; 32]);
    append(db, 12, "old").await;
    db.store
        .bind_audit_key(KEY_NAME, &key.verifying_key(), Actor::system().at(OffsetDateTime::now_utc()))
        .await
        .unwrap();
    // A checkpoint as earlier versions stored it: a row, no event.
    let size = db.store.audit_size().await.unwrap();
    let leaves: Vec<Hash> = events(db).await.iter().map(|(_, l, _)| l.as_slice().try_into().unwrap()).collect();
    let cp = Checkpoint::new(db.store.origin(), size, custodian_domain::audit::root_of(&leaves)).unwrap();
    let note = cp.sign(KEY_NAME, &key);
    db.script(&format!(
            "INSERT INTO audit_checkpoints (size, root, note, created_at) VALUES ({size}, {}, '{note}', '2026-01-01 00:00:00+00')",
            blob(db, &cp.root)
        ),
    )
    .await;
    let l = Log {
        key: key.clone(),
        a: SignedCheckpoint { size, note: note.clone(), new: false },
        b: SignedCheckpoint { size, note, new: false },
        size,
    };
    assert_eq!(problem(db, &l).await, None, "an old checkpoint without an event is accepted");
    // The first checkpoint signed now names it, so deleting it later shows.
    append(db, 2, "new").await;
    let next = checkpoint(db, &key).await;
    assert!(next.new);
    assert_eq!(problem(db, &l).await, None);
    db.script(&format!("DELETE FROM audit_checkpoints WHERE size = {size}")).await;
    expect(
        problem(db, &l).await,
        &[&format!("follows a checkpoint at size {size}"), "a stored checkpoint was deleted"],
    );
}
on_both!(a_checkpoint_signed_before_checkpoints_were_events_is_accepted_and_then_chained);
