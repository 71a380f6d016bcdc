//! The audit log from the command line, for a deployment that only ever uses it: every import
//! signs a checkpoint, `audit key` prints the C2SP verifier key the checkpoints verify under,
//! `audit consistency` prints a proof that verifies, and `audit verify --against` a saved
//! checkpoint catches a cut the database alone cannot show.

use custodian_domain::audit::{Checkpoint, Frontier, parse_verifier_key, verify_consistency};

use crate::common::{Env, fixture, stdout};

fn hash(v: &serde_json::Value) -> [u8; 32] {
    hex::decode(v.as_str().unwrap()).unwrap().try_into().unwrap()
}

#[test]
fn a_command_line_only_log_is_checkpointed_published_and_checked_against_saved_checkpoints() {
    let e = Env::new();
    e.ok(&["migrate", "--create"]);
    e.ok(&["import", "people", fixture("people.csv").to_str().unwrap()]);
    let checkpoints =
        |e: &Env| -> i64 { e.db().query_row("SELECT COUNT(*) FROM audit_checkpoints", [], |r| r.get(0)).unwrap() };
    assert_eq!(checkpoints(&e), 1, "the import signed a checkpoint");
    e.ok(&["import", "devices", fixture("devices.csv").to_str().unwrap()]);
    assert_eq!(checkpoints(&e), 2, "and so did the next");
    let events: i64 = e
        .db()
        .query_row("SELECT COUNT(*) FROM audit_events WHERE action = 'audit.checkpoint'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(events, 2, "each checkpoint is an audit event");
    // An import that changes nothing signs nothing new.
    e.ok(&["import", "devices", fixture("devices.csv").to_str().unwrap()]);
    assert_eq!(checkpoints(&e), 2);

    // The key, in the C2SP verifier format, opens the checkpoints.
    let vkey = e.ok(&["audit", "key"]);
    let (name, key) = parse_verifier_key(vkey.trim()).unwrap();
    let note = e.ok(&["audit", "checkpoint"]);
    let cp = Checkpoint::open(&note, &name, &key).expect("the checkpoint verifies under the printed key");
    let saved = e.file("saved.note", &note);

    // A consistency proof from an early size to now.
    let size: u64 = e.db().query_row("SELECT size FROM audit_head", [], |r| r.get(0)).unwrap();
    let j: serde_json::Value = serde_json::from_str(&e.ok(&["audit", "consistency", "7"])).unwrap();
    assert_eq!((j["old_size"].as_u64(), j["new_size"].as_u64()), (Some(7), Some(size)));
    let proof: Vec<[u8; 32]> = j["proof"].as_array().unwrap().iter().map(hash).collect();
    assert!(verify_consistency(7, size, &hash(&j["old_root"]), &hash(&j["new_root"]), &proof));
    let j: serde_json::Value =
        serde_json::from_str(&e.ok(&["audit", "consistency", &cp.size.to_string(), &cp.size.to_string()])).unwrap();
    assert_eq!(hash(&j["new_root"]), cp.root, "the root at the checkpoint's size is the signed one");
    let o = e.run(&["audit", "consistency", "9", "8"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("old_size 9"), "{}", String::from_utf8_lossy(&o.stderr));

    let out = e.ok(&["audit", "verify", "--against", &saved]);
    assert!(out.contains("1 saved checkpoints are consistent"), "{out}");

    // Cut the log back below the saved checkpoint, with the head and checkpoints made to match.
    let cut = cp.size - 4;
    let db = e.db();
    let leaves: Vec<Vec<u8>> = db
        .prepare("SELECT leaf_hash FROM audit_events WHERE seq < ?1 ORDER BY seq")
        .unwrap()
        .query_map([cut], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut f = Frontier::new();
    for l in leaves {
        f.push(l.try_into().unwrap());
    }
    let chain: Vec<u8> =
        db.query_row("SELECT chain FROM audit_events WHERE seq = ?1", [cut - 1], |r| r.get(0)).unwrap();
    db.execute("DELETE FROM audit_events WHERE seq >= ?1", [cut]).unwrap();
    db.execute("DELETE FROM audit_checkpoints WHERE size >= ?1", [cut]).unwrap();
    db.execute(
        "UPDATE audit_head SET size = ?1, frontier = ?2, chain = ?3",
        rusqlite::params![cut, f.to_bytes(), chain],
    )
    .unwrap();
    drop(db);
    let o = e.run(&["audit", "verify"]);
    assert!(o.status.success(), "the database alone cannot show it: {}", stdout(&o));
    let o = e.run(&["audit", "verify", "--against", &saved]);
    assert_eq!(o.status.code(), Some(3));
    let out = stdout(&o);
    assert!(out.contains("AUDIT LOG ALTERED"), "{out}");
    assert!(out.contains(&format!("covers {} events but the log holds only {cut}", cp.size)), "{out}");
    assert!(out.contains("saved.note"), "names the file: {out}");
    let o = e.run(&["audit", "verify", "--against", "/nonexistent/checkpoint.note"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent/checkpoint.note"));
}
