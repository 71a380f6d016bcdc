//! The audit log is tamper-evident: altering, deleting or reordering any stored event is
//! detected and the first bad event named; a change whose event cannot be written fails.

use serde_json::json;

use crate::on_both;
use crate::support::{Backend, TestApp, spawn, spawn_seeded};

async fn verify(app: &TestApp) -> serde_json::Value {
    let api = app.api(&app.token("A1015").await);
    let (s, v) = api.get("/audit/verify").await;
    assert_eq!(s, 200, "{v}");
    v
}

async fn checkpoint(app: &TestApp) {
    custodian_server::ops::checkpoint_now(&app.state).await.unwrap().expect("a checkpoint is signed");
}

fn hex_of(app: &TestApp, byte: &str) -> String {
    if app.db_url.starts_with("sqlite:") { format!("X'{byte}'") } else { format!("'\\x{byte}'::bytea") }
}

async fn an_untouched_log_verifies_and_every_change_is_in_it(b: Backend) {
    let app = spawn_seeded(b).await;
    checkpoint(&app).await;
    let v = verify(&app).await;
    assert_eq!(v["intact"], true, "{v}");
    assert_eq!(v["checkpoints_checked"], 1);
    let events = app.store().audit_page(None, None, 1, 500).await.unwrap();
    assert!(events.items.iter().any(|e| e.action == "device.create" && e.clause.as_deref() == Some("1.2")));
    assert!(events.items.iter().any(|e| e.action == "person.create" && e.after_digest.is_some()));
    app.stop().await;
}
on_both!(an_untouched_log_verifies_and_every_change_is_in_it);

async fn altering_an_event_is_detected_and_named(b: Backend) {
    let app = spawn_seeded(b).await;
    checkpoint(&app).await;
    app.sql("UPDATE audit_events SET actor = 'person:A9999' WHERE seq = 5").await;
    let v = verify(&app).await;
    assert_eq!(v["intact"], false);
    assert!(v["problem"].as_str().unwrap().starts_with("event 5 "), "{v}");
    app.stop().await;
}
on_both!(altering_an_event_is_detected_and_named);

async fn rewriting_an_event_and_every_hash_after_it_is_caught_by_the_signed_checkpoint(b: Backend) {
    use custodian_domain::audit::{CHAIN_START, EventRecord, Frontier, canonical_bytes, chain_hash, leaf_hash};
    let app = spawn_seeded(b).await;
    checkpoint(&app).await;
    // The attacker has database access but not the signing key: they alter event 3 and then
    // recompute its leaf, every later chain value and the log head so the log is self-consistent.
    let mut events = app.store().audit_page(None, None, 1, 1000).await.unwrap().items;
    events.sort_by_key(|e| e.seq);
    let mut frontier = Frontier::new();
    let mut chain = CHAIN_START;
    for e in &events {
        let actor = if e.seq == 3 { "person:A9999".to_string() } else { e.actor.clone() };
        let rec = EventRecord {
            seq: e.seq as u64,
            id: e.id,
            at_us: (e.at.unix_timestamp_nanos() / 1000) as i64,
            actor: actor.clone(),
            action: e.action.clone(),
            subject: e.subject.clone(),
            clause: e.clause.clone(),
            justification: e.justification.clone(),
            before_digest: e.before_digest.clone(),
            after_digest: e.after_digest.clone(),
            detail: serde_json::to_string(&e.detail).unwrap(),
        };
        let leaf = leaf_hash(&canonical_bytes(&rec));
        frontier.push(leaf);
        chain = chain_hash(&chain, &leaf);
        if e.seq >= 3 {
            app.sql(&format!(
                "UPDATE audit_events SET actor = '{actor}', leaf_hash = {}, chain = {} WHERE seq = {}",
                hex_of(&app, &hex::encode(leaf)),
                hex_of(&app, &hex::encode(chain)),
                e.seq
            ))
            .await;
        }
    }
    app.sql(&format!(
        "UPDATE audit_head SET frontier = {}, chain = {} WHERE id = 1",
        hex_of(&app, &hex::encode(frontier.to_bytes())),
        hex_of(&app, &hex::encode(chain))
    ))
    .await;
    let v = verify(&app).await;
    assert_eq!(v["intact"], false, "{v}");
    assert!(v["problem"].as_str().unwrap().contains("signed checkpoint"), "{v}");
    app.stop().await;
}
on_both!(rewriting_an_event_and_every_hash_after_it_is_caught_by_the_signed_checkpoint);

async fn deleting_or_reordering_events_is_detected(b: Backend) {
    let app = spawn(b.clone()).await;
    app.seed().await;
    checkpoint(&app).await;
    app.sql("DELETE FROM audit_events WHERE seq = 7").await;
    let v = verify(&app).await;
    assert_eq!(v["intact"], false);
    assert!(v["problem"].as_str().unwrap().contains('8'), "the gap is named: {v}");
    app.stop().await;

    let app = spawn_seeded(b).await;
    checkpoint(&app).await;
    // Swap the contents of two events by swapping their sequence numbers.
    app.sql("UPDATE audit_events SET seq = -1 WHERE seq = 10").await;
    app.sql("UPDATE audit_events SET seq = 10 WHERE seq = 11").await;
    app.sql("UPDATE audit_events SET seq = 11 WHERE seq = -1").await;
    let v = verify(&app).await;
    assert_eq!(v["intact"], false);
    assert!(v["problem"].as_str().unwrap().starts_with("event 10 "), "{v}");
    app.stop().await;
}
on_both!(deleting_or_reordering_events_is_detected);

async fn deleting_the_newest_events_is_caught_by_the_log_head(b: Backend) {
    let app = spawn_seeded(b).await;
    let n = app.store().counts(None).await.unwrap().audit_events;
    app.sql(&format!("DELETE FROM audit_events WHERE seq = {}", n - 1)).await;
    let v = verify(&app).await;
    assert_eq!(v["intact"], false, "{v}");
    app.stop().await;
}
on_both!(deleting_the_newest_events_is_caught_by_the_log_head);

async fn a_change_whose_audit_event_cannot_be_written_does_not_happen(b: Backend) {
    let app = spawn_seeded(b).await;
    let d = app.device("WP-LT-0006").await;
    // Break the log head so the next append fails.
    app.sql(&format!("UPDATE audit_head SET frontier = {} WHERE id = 1", hex_of(&app, "00"))).await;
    let ds = app.api(&app.token_before_break_is_impossible().await);
    let (s, _) = ds.post(&format!("/devices/{}/allocate", d.id), json!({"staff_number": "A1018", "reason": "x"})).await;
    assert_eq!(s, 500);
    let after = app.device("WP-LT-0006").await;
    assert_eq!(after.status, d.status, "the allocation was rolled back with its event");
    assert!(after.holder_id.is_none());
    app.stop().await;
}
on_both!(a_change_whose_audit_event_cannot_be_written_does_not_happen);

impl TestApp {
    /// Issuing a token is itself audited, so after the log head is broken it cannot be issued;
    /// this creates the token's row directly, as an operator with database access would.
    async fn token_before_break_is_impossible(&self) -> String {
        let secret = "cst_test-token-written-directly-into-the-database";
        let hash = custodian_server::auth::sha256_hex(secret);
        let p = self.person("A1006").await;
        let (id, pid) = if self.db_url.starts_with("sqlite:") {
            (format!("X'{}'", uuid::Uuid::now_v7().simple()), format!("X'{}'", p.id.simple()))
        } else {
            (format!("'{}'", uuid::Uuid::now_v7()), format!("'{}'", p.id))
        };
        let (now, later) = if self.db_url.starts_with("sqlite:") {
            ("'2026-01-01 00:00:00.0 +00:00:00'".to_string(), "'2999-01-01 00:00:00.0 +00:00:00'".to_string())
        } else {
            ("now()".to_string(), "now() + interval '1 day'".to_string())
        };
        self.sql(&format!("INSERT INTO api_tokens (id, person_id, name, token_hash, scopes, created_at, expires_at) VALUES ({id}, {pid}, 't', '{hash}', 'write', {now}, {later})")).await;
        secret.to_string()
    }
}

async fn an_inclusion_proof_proves_an_event_against_the_root(b: Backend) {
    let app = spawn_seeded(b).await;
    let events = app.store().audit_page(None, None, 1, 500).await.unwrap();
    let e = events.items.iter().find(|e| e.seq == 4).unwrap();
    let proof = app.store().audit_prove(e.id).await.unwrap();
    let h = |s: &str| -> [u8; 32] { hex::decode(s).unwrap().try_into().unwrap() };
    let path: Vec<[u8; 32]> = proof.proof.iter().map(|p| h(p)).collect();
    let leaf = custodian_domain::audit::leaf_hash(&hex::decode(&proof.canonical_event).unwrap());
    assert_eq!(leaf, h(&proof.leaf_hash));
    assert!(custodian_domain::audit::verify_inclusion(proof.index, proof.tree_size, &leaf, &path, &h(&proof.root)));
    assert!(!custodian_domain::audit::verify_inclusion(
        proof.index + 1,
        proof.tree_size,
        &leaf,
        &path,
        &h(&proof.root)
    ));
    app.stop().await;
}
on_both!(an_inclusion_proof_proves_an_event_against_the_root);
