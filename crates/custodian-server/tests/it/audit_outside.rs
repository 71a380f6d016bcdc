//! An audit log that outsiders can check: the verifier key in the C2SP note verifier format, the
//! inclusion and consistency proofs of the API checked by a verifier written here from RFC 6962
//! and RFC 9162 (its own hashing, not the domain crate's Merkle code), who may have a proof, and
//! signed checkpoints leaving the building to a folder and a webhook.

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::on_both;
use crate::support::{Backend, TestApp, spawn_seeded, spawn_with};

// ----- An independent verifier, from RFC 6962 section 2.1 and RFC 9162 section 2.1 -------------

type H = [u8; 32];

fn sha(parts: &[&[u8]]) -> H {
    let mut d = Sha256::new();
    for p in parts {
        d.update(p);
    }
    d.finalize().into()
}

/// MTH({d(0)}) = SHA-256(0x00 || d(0)).
fn leaf(data: &[u8]) -> H {
    sha(&[&[0u8], data])
}

/// SHA-256(0x01 || left || right).
fn node(l: &H, r: &H) -> H {
    sha(&[&[1u8], l, r])
}

/// MTH(D[n]) over leaf hashes, by the recursive definition: k is the largest power of two
/// smaller than n.
fn mth(leaves: &[H]) -> H {
    match leaves.len() {
        0 => sha(&[]),
        1 => leaves[0],
        n => {
            let mut k = 1;
            while k * 2 < n {
                k *= 2;
            }
            node(&mth(&leaves[..k]), &mth(&leaves[k..]))
        }
    }
}

/// RFC 9162 2.1.3.2: verifying an inclusion proof.
fn inclusion_ok(leaf_index: u64, tree_size: u64, leaf_hash: H, path: &[H], root: H) -> bool {
    if leaf_index >= tree_size {
        return false;
    }
    let (mut f_n, mut s_n) = (leaf_index, tree_size - 1);
    let mut r = leaf_hash;
    for p in path {
        if s_n == 0 {
            return false;
        }
        if f_n % 2 == 1 || f_n == s_n {
            r = node(p, &r);
            if f_n % 2 == 0 {
                while f_n % 2 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            r = node(&r, p);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    s_n == 0 && r == root
}

/// RFC 9162 2.1.4.2: verifying a consistency proof.
fn consistency_ok(first: u64, second: u64, first_hash: H, second_hash: H, proof: &[H]) -> bool {
    if first > second {
        return false;
    }
    if first == second {
        return proof.is_empty() && first_hash == second_hash;
    }
    if first == 0 {
        return false;
    }
    let mut path: Vec<H> = proof.to_vec();
    if first.is_power_of_two() {
        path.insert(0, first_hash);
    }
    if path.is_empty() {
        return false;
    }
    let (mut f_n, mut s_n) = (first - 1, second - 1);
    while f_n % 2 == 1 {
        f_n >>= 1;
        s_n >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if s_n == 0 {
            return false;
        }
        if f_n % 2 == 1 || f_n == s_n {
            fr = node(c, &fr);
            sr = node(c, &sr);
            if f_n % 2 == 0 {
                while f_n % 2 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            sr = node(&sr, c);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    fr == first_hash && sr == second_hash && s_n == 0
}

/// A C2SP signed note checked by hand: the verifier key `name+id+base64(0x01 || key)`, the key id
/// (SHA-256 of name, newline, 0x01 and the key, first 4 bytes), the signature line
/// `— name base64(id || Ed25519 signature over the body)`. Returns the checkpoint's origin, size
/// and root.
fn open_note(note: &str, verifier_key: &str) -> Option<(String, u64, H)> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut parts = verifier_key.splitn(3, '+');
    let (name, id_hex, key_b64) = (parts.next()?, parts.next()?, parts.next()?);
    let raw = b64.decode(key_b64).ok()?;
    if raw.len() != 33 || raw[0] != 0x01 {
        return None;
    }
    let id = sha(&[name.as_bytes(), b"\n", &raw])[..4].to_vec();
    if hex::encode(&id) != id_hex {
        return None;
    }
    let key = ed25519_dalek::VerifyingKey::from_bytes(&raw[1..].try_into().ok()?).ok()?;
    let (body, sigs) = note.split_once("\n\n")?;
    let body = format!("{body}\n");
    let signed = sigs.lines().filter_map(|l| l.strip_prefix("\u{2014} ")).any(|l| {
        let Some((n, s)) = l.split_once(' ') else { return false };
        let Ok(s) = b64.decode(s) else { return false };
        n == name
            && s.len() == 68
            && s[..4] == id[..]
            && ed25519_dalek::Signature::from_slice(&s[4..])
                .is_ok_and(|sig| key.verify_strict(body.as_bytes(), &sig).is_ok())
    });
    if !signed {
        return None;
    }
    let mut lines = body.lines();
    let origin = lines.next()?.to_string();
    let size = lines.next()?.parse().ok()?;
    let root = b64.decode(lines.next()?).ok()?.try_into().ok()?;
    Some((origin, size, root))
}

fn h(s: &Value) -> H {
    hex::decode(s.as_str().unwrap()).unwrap().try_into().unwrap()
}

fn hs(v: &Value) -> Vec<H> {
    v.as_array().unwrap().iter().map(h).collect()
}

#[test]
fn the_independent_verifier_agrees_with_rfc_shapes() {
    // Self-check of the code above on a tree built here: every inclusion and consistency proof
    // computed by brute force from the definitions (RFC 6962 2.1.1 and 2.1.2) verifies.
    fn path(m: usize, d: &[H]) -> Vec<H> {
        let n = d.len();
        if n <= 1 {
            return vec![];
        }
        let mut k = 1;
        while k * 2 < n {
            k *= 2;
        }
        if m < k {
            let mut p = path(m, &d[..k]);
            p.push(mth(&d[k..]));
            p
        } else {
            let mut p = path(m - k, &d[k..]);
            p.push(mth(&d[..k]));
            p
        }
    }
    fn subproof(m: usize, d: &[H], b: bool) -> Vec<H> {
        let n = d.len();
        if m == n {
            return if b { vec![] } else { vec![mth(d)] };
        }
        let mut k = 1;
        while k * 2 < n {
            k *= 2;
        }
        if m <= k {
            let mut p = subproof(m, &d[..k], b);
            p.push(mth(&d[k..]));
            p
        } else {
            let mut p = subproof(m - k, &d[k..], false);
            p.push(mth(&d[..k]));
            p
        }
    }
    let d: Vec<H> = (0u32..13).map(|i| leaf(&i.to_be_bytes())).collect();
    for n in 1..=d.len() {
        for m in 0..n {
            assert!(inclusion_ok(m as u64, n as u64, d[m], &path(m, &d[..n]), mth(&d[..n])));
            assert!(!inclusion_ok(m as u64, n as u64, d[(m + 1) % n], &path(m, &d[..n]), mth(&d[..n])) || n == 1);
        }
        for m in 1..n {
            let p = subproof(m, &d[..n], true);
            assert!(consistency_ok(m as u64, n as u64, mth(&d[..m]), mth(&d[..n]), &p), "{m} {n}");
            assert!(!consistency_ok(m as u64, n as u64, mth(&d[..m - 1]), mth(&d[..n]), &p), "{m} {n}");
        }
    }
}

// ----- The API, checked from outside --------------------------------------------------------

async fn checkpoint(app: &TestApp) -> String {
    custodian_server::ops::checkpoint_now(&app.state).await.unwrap().expect("a checkpoint is signed")
}

async fn the_apis_proofs_and_key_check_out_with_an_independent_verifier(b: Backend) {
    let app = spawn_seeded(b).await;
    let auditor = app.api(&app.token("A1015").await);
    let (s, key) = auditor.get("/audit/key").await;
    assert_eq!(s, 200, "{key}");
    let vkey = key["verifier_key"].as_str().unwrap().to_string();
    let note = checkpoint(&app).await;
    let (origin, old_size, old_root) =
        open_note(&note, &vkey).expect("the checkpoint verifies under the published key");
    assert_eq!(origin, app.store().origin());
    assert_eq!(key["origin"], origin.as_str());
    assert!(open_note(&note, &vkey.replace('+', "x+")).is_none(), "another key name does not verify");

    // The log grows; the API's consistency proof links the signed root to the new one.
    app.store()
        .append_audit(
            custodian_store::Actor::system().at(app.state.now()),
            vec![custodian_store::AuditEntry::new("device.allocate", "device:late").clause("4.1")],
        )
        .await
        .unwrap();
    let (s, c) = auditor.get(&format!("/audit/consistency?old_size={old_size}")).await;
    assert_eq!(s, 200, "{c}");
    let new_size = c["new_size"].as_u64().unwrap();
    assert_eq!(new_size, old_size + 2, "the checkpoint's own event and the new one");
    assert_eq!(h(&c["old_root"]), old_root, "the proof starts from the signed root");
    let new_root = h(&c["new_root"]);
    assert!(consistency_ok(old_size, new_size, old_root, new_root, &hs(&c["proof"])));
    let mut bad = hs(&c["proof"]);
    bad[0][0] ^= 1;
    assert!(!consistency_ok(old_size, new_size, old_root, new_root, &bad));
    let mid = auditor.get_ok(&format!("/audit/consistency?old_size=3&new_size={old_size}")).await;
    assert!(consistency_ok(3, old_size, h(&mid["old_root"]), old_root, &hs(&mid["proof"])));

    // Inclusion: every event of a page, through its canonical bytes, reaches the same root.
    let events = app.store().audit_page(None, None, 1, 40).await.unwrap().items;
    for e in &events {
        let (s, p) = auditor.get(&format!("/audit/events/{}/proof", e.id)).await;
        assert_eq!(s, 200, "{p}");
        let l = leaf(&hex::decode(p["canonical_event"].as_str().unwrap()).unwrap());
        assert_eq!(l, h(&p["leaf_hash"]));
        assert_eq!(p["tree_size"].as_u64(), Some(new_size));
        assert_eq!(h(&p["root"]), new_root);
        assert!(inclusion_ok(p["index"].as_u64().unwrap(), new_size, l, &hs(&p["proof"]), new_root), "{}", e.seq);
        assert!(!inclusion_ok(p["index"].as_u64().unwrap() ^ 1, new_size, l, &hs(&p["proof"]), new_root));
    }

    // Bad sizes name the parameter.
    for (q, field) in [("", "old_size"), ("?old_size=x", "old_size"), ("?old_size=2&new_size=99999", "new_size")] {
        let (s, p) = auditor.get(&format!("/audit/consistency{q}")).await;
        assert_eq!(s, 422, "{q}: {p}");
        assert!(p.to_string().contains(field), "{q}: {p}");
    }
    app.stop().await;
}
on_both!(the_apis_proofs_and_key_check_out_with_an_independent_verifier);

async fn a_person_may_prove_the_record_of_their_own_case_and_no_one_elses(b: Backend) {
    let app = spawn_seeded(b).await;
    let own = app.store().audit_page(Some("person:A1018"), None, 1, 1).await.unwrap().items[0].id;
    let other = app.store().audit_page(Some("person:A1001"), None, 1, 1).await.unwrap().items[0].id;
    let officer = app.api(&app.token("A1018").await);
    let (s, p) = officer.get(&format!("/audit/events/{own}/proof")).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["event_id"], own.to_string());
    let (s, _) = officer.get(&format!("/audit/events/{other}/proof")).await;
    assert_eq!(s, 403);
    let (s, _) = officer.get(&format!("/audit/events/{}/proof", uuid::Uuid::now_v7())).await;
    assert_eq!(s, 403, "an unknown event is not told apart from someone else's");
    let (s, _) = officer.get("/audit/consistency?old_size=1").await;
    assert_eq!(s, 403);
    let (s, k) = officer.get("/audit/key").await;
    assert_eq!(s, 200, "the key is public to anyone signed in");
    let auditor = app.api(&app.token("A1015").await);
    assert_eq!(auditor.get(&format!("/audit/events/{other}/proof")).await.0, 200);
    assert_eq!(auditor.get(&format!("/audit/events/{}/proof", uuid::Uuid::now_v7())).await.0, 404);
    // The audit page shows the same key.
    let page = app.sign_in("oliver.bannister@warwickshire.police.example").await;
    let html = page.get_ok("/audit").await;
    assert!(html.contains(k["verifier_key"].as_str().unwrap()), "the audit page shows the verifier key");
    app.stop().await;
}
on_both!(a_person_may_prove_the_record_of_their_own_case_and_no_one_elses);

// ----- Checkpoints leave the building ----------------------------------------------------------

/// A loopback webhook: keeps every body POSTed, answers `status`.
async fn webhook(status: Arc<Mutex<u16>>) -> (String, Arc<Mutex<Vec<(String, String)>>>) {
    use axum::http::{HeaderMap, StatusCode};
    let got: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let kept = got.clone();
    let router = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let kept = kept.clone();
            let status = status.clone();
            async move {
                let code = *status.lock().unwrap();
                if code == 200 {
                    let size = headers
                        .get("x-custodian-checkpoint-size")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_string();
                    kept.lock().unwrap().push((size, body));
                }
                StatusCode::from_u16(code).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (url, got)
}

async fn signed_checkpoints_go_to_a_folder_and_a_webhook_and_verify_against_the_log(b: Backend) {
    use custodian_server::audit::publish::{Publisher, note_file};
    let status = Arc::new(Mutex::new(200u16));
    let (url, got) = webhook(status.clone()).await;
    let sink = std::env::temp_dir().join(format!("custodian-sink-{}", uuid::Uuid::now_v7()));
    let (dir, hook) = (sink.clone(), url.clone());
    let app = spawn_with(b, move |s| {
        s.checkpoint_dir = Some(dir);
        s.checkpoint_webhook_url = Some(hook);
    })
    .await;
    app.seed().await;
    let mut p = Publisher::new(app.state.settings());
    let first = p.checkpoint_and_publish(&app.state).await.unwrap().expect("a new checkpoint");
    let file = note_file(&sink, first.size);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), first.note);
    assert_eq!(*got.lock().unwrap(), vec![(first.size.to_string(), first.note.clone())]);

    // Nothing new: nothing signed, nothing sent again.
    assert!(p.checkpoint_and_publish(&app.state).await.unwrap().is_none());
    assert_eq!(got.lock().unwrap().len(), 1);
    // Another server on the database (or this one after a restart) knows from the database what
    // each sink accepted, and sends nothing again.
    let mut other_server = Publisher::new(app.state.settings());
    other_server.publish_latest(&app.state).await.unwrap();
    assert_eq!(got.lock().unwrap().len(), 1, "a second server does not send the same checkpoint again");

    // The webhook is down: the folder still gets the next checkpoint, the error names the
    // status, and the next tick sends it.
    app.store()
        .append_audit(
            custodian_store::Actor::system().at(app.state.now()),
            vec![custodian_store::AuditEntry::new("device.allocate", "device:late")],
        )
        .await
        .unwrap();
    *status.lock().unwrap() = 503;
    let e = p.checkpoint_and_publish(&app.state).await.unwrap_err();
    assert!(e.to_string().contains("503"), "{e}");
    let second = app.store().latest_checkpoint().await.unwrap().unwrap();
    assert!(second.0 > first.size);
    assert_eq!(std::fs::read_to_string(note_file(&sink, second.0)).unwrap(), second.1);
    *status.lock().unwrap() = 200;
    p.publish_latest(&app.state).await.unwrap();
    assert_eq!(got.lock().unwrap().last().unwrap().1, second.1);

    // A file is never overwritten: a different note already at the next size is refused.
    app.store()
        .append_audit(
            custodian_store::Actor::system().at(app.state.now()),
            vec![custodian_store::AuditEntry::new("device.allocate", "device:later")],
        )
        .await
        .unwrap();
    let next = app.store().audit_size().await.unwrap();
    std::fs::write(note_file(&sink, next), "not this\n").unwrap();
    let e = p.checkpoint_and_publish(&app.state).await.unwrap_err();
    assert!(e.to_string().contains("not overwritten"), "{e}");
    assert_eq!(std::fs::read_to_string(note_file(&sink, next)).unwrap(), "not this\n");

    // What left the building verifies against the log.
    let name = custodian_server::auth::keys::key_name(app.store().origin());
    let key = app.state.audit_key().verifying_key();
    let saved: Vec<custodian_store::SavedCheckpoint> = [first.size, second.0]
        .iter()
        .map(|s| custodian_store::SavedCheckpoint {
            label: note_file(&sink, *s).display().to_string(),
            note: std::fs::read_to_string(note_file(&sink, *s)).unwrap(),
        })
        .collect();
    let r = app.store().audit_verify_against(&name, &key, &saved).await.unwrap();
    assert_eq!((r.problem.clone(), r.saved_checked), (None, 2), "{r:?}");
    // The same check over the API, for an auditor holding the notes; refused to an officer; bad
    // input named.
    let notes: Vec<String> = saved.iter().map(|c| c.note.clone()).collect();
    let auditor = app.api(&app.token("A1015").await);
    let (status, out) = auditor.post("/audit/verify", json!({ "checkpoints": notes })).await;
    assert_eq!(status, 200, "{out}");
    assert_eq!((out["intact"].as_bool(), out["saved_checked"].as_u64()), (Some(true), Some(2)), "{out}");
    let officer = app.api(&app.token("A1018").await);
    assert_eq!(officer.post("/audit/verify", json!({ "checkpoints": notes })).await.0, 403);
    let (status, out) = auditor.post("/audit/verify", json!({ "checkpoints": [] })).await;
    assert_eq!(status, 422, "{out}");
    assert!(out.to_string().contains("checkpoints"), "{out}");
    let (status, out) = auditor.post("/audit/verify", json!({ "checkpoints": ["not a note"] })).await;
    assert_eq!((status, out["intact"].as_bool()), (200, Some(false)), "{out}");
    assert!(out["problem"].as_str().unwrap().contains("checkpoints/0"), "{out}");
    // The log is cut back below the first published checkpoint, head and checkpoints made to
    // match: only the published checkpoint shows it.
    let cut = first.size - 3;
    let events = app.store().audit_page(None, None, 1, 10_000).await.unwrap().items;
    let mut f = custodian_domain::audit::Frontier::new();
    for e in events.iter().rev().filter(|e| (e.seq as u64) < cut) {
        f.push(h(&json!(e.leaf_hash)));
    }
    let last_chain: Vec<u8> = {
        let mut out = vec![];
        app.store()
            .audit_scan_events(|e, _, c| {
                if e.seq + 1 == cut {
                    out = c;
                }
                Ok(())
            })
            .await
            .unwrap();
        out
    };
    let blob = |b: &[u8]| {
        if app.db_url.starts_with("sqlite:") {
            format!("X'{}'", hex::encode(b))
        } else {
            format!("'\\x{}'::bytea", hex::encode(b))
        }
    };
    app.sql(&format!("DELETE FROM audit_events WHERE seq >= {cut}")).await;
    app.sql(&format!("DELETE FROM audit_checkpoints WHERE size >= {cut}")).await;
    app.sql(&format!(
        "UPDATE audit_head SET size = {cut}, frontier = {}, chain = {} WHERE id = 1",
        blob(&f.to_bytes()),
        blob(&last_chain)
    ))
    .await;
    let r = app.store().audit_verify(&name, &key).await.unwrap();
    assert_eq!(r.problem, None, "the database alone cannot show a cut with everything made to match");
    let r = app.store().audit_verify_against(&name, &key, &saved).await.unwrap();
    let problem = r.problem.expect("the published checkpoint shows the cut");
    assert!(problem.contains(&format!("covers {} events but the log holds only {cut}", first.size)), "{problem}");
    assert!(problem.contains(&saved[0].label), "names the file: {problem}");
    let (status, out) = auditor.post("/audit/verify", json!({ "checkpoints": notes })).await;
    assert_eq!((status, out["intact"].as_bool()), (200, Some(false)), "{out}");
    let problem = out["problem"].as_str().unwrap();
    assert!(problem.contains("checkpoints/0") && problem.contains("events were removed"), "{problem}");
    let _ = std::fs::remove_dir_all(&sink);
    app.stop().await;
}
on_both!(signed_checkpoints_go_to_a_folder_and_a_webhook_and_verify_against_the_log);

// ----- Witness cosigning (C2SP tlog-witness, tlog-cosignature) -----------------------------------

const WITNESS: &str = "witness.test/w1";

/// A cosignature line checked as the specification describes it, independently of Custodian's
/// own code: `— <name> base64(key id || u64 BE timestamp || Ed25519 signature)`, key id
/// `SHA-256(name || "\n" || 0x04 || key)[:4]`, signature over `cosignature/v1\ntime <t>\n<body>`.
fn cosignature_checks_out(line: &str, body: &str, key: &ed25519_dalek::VerifyingKey) -> bool {
    let Some(rest) = line.trim_end_matches('\n').strip_prefix(&format!("\u{2014} {WITNESS} ")) else { return false };
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(rest) else { return false };
    if raw.len() != 76 {
        return false;
    }
    let id = Sha256::digest([format!("{WITNESS}\n").as_bytes(), &[0x04], key.as_bytes()].concat());
    let t = u64::from_be_bytes(raw[4..12].try_into().unwrap());
    let sig = ed25519_dalek::Signature::from_bytes(raw[12..].try_into().unwrap());
    raw[..4] == id[..4] && key.verify_strict(format!("cosignature/v1\ntime {t}\n{body}").as_bytes(), &sig).is_ok()
}

fn body_of(note: &str) -> &str {
    &note[..=note.rfind("\n\n").unwrap()]
}

async fn post_witness(base: &str, body: String) -> (u16, String, String) {
    let r = reqwest::Client::new().post(format!("{base}/witness/add-checkpoint")).body(body).send().await.unwrap();
    let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (r.status().as_u16(), ct, r.text().await.unwrap())
}

/// A log asks a second Custodian, its witness, to cosign each checkpoint; the witness cosigns a
/// checkpoint signed by the log's key that extends the last one it saw, and refuses everything
/// else with the protocol's answers; the cosignature travels with the published note.
async fn a_witness_cosigns_checkpoints_that_extend_what_it_saw(b: Backend) {
    use custodian_domain::audit::{AddCheckpoint, cosigner_key_text};
    use custodian_server::audit::publish::{Publisher, note_file};
    let witness_key = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    let witness_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let sink = std::env::temp_dir().join(format!("custodian-sink-{}", uuid::Uuid::now_v7()));
    let (dir, vkey) = (sink.clone(), cosigner_key_text(WITNESS, &witness_key.verifying_key()));
    let log = spawn_with(b.clone(), move |s| {
        s.checkpoint_dir = Some(dir);
        s.audit_witnesses = vec![custodian_server::config::AuditWitness {
            url: format!("http://127.0.0.1:{witness_port}/witness"),
            verifier_key: vkey,
        }];
    })
    .await;
    let log_key = custodian_server::audit::api::key_out(&log.state);
    let (origin, log_vkey, seed) = (log_key.origin.clone(), log_key.verifier_key.clone(), witness_key.to_bytes());
    let witness = spawn_with(b, move |s| {
        s.bind = format!("127.0.0.1:{witness_port}");
        std::fs::write(s.data_dir.join("witness-cosigning.key"), hex::encode(seed)).unwrap();
        s.witness = Some(custodian_server::config::WitnessSettings {
            name: WITNESS.into(),
            logs: vec![custodian_server::config::WitnessedLog { origin, verifier_key: log_vkey }],
        });
    })
    .await;
    assert_eq!(
        custodian_server::audit::witness::verifier_key(&witness.state).unwrap().as_deref(),
        Some(cosigner_key_text(WITNESS, &witness_key.verifying_key()).as_str())
    );

    // The first checkpoint: cosigned, kept, checked independently, and published with it.
    log.seed().await;
    let mut p = Publisher::new(log.state.settings());
    let first = p.checkpoint_and_publish(&log.state).await.unwrap().expect("a checkpoint");
    let lines = log.store().cosignatures(first.size).await.unwrap();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(cosignature_checks_out(&lines[0], body_of(&first.note), &witness_key.verifying_key()), "{}", lines[0]);
    let published = std::fs::read_to_string(note_file(&sink, first.size)).unwrap();
    assert_eq!(published, format!("{}{}", first.note, lines[0]), "the published note carries the cosignature");
    // Nothing is asked twice: another publisher (server) finds it recorded.
    Publisher::new(log.state.settings()).publish_latest(&log.state).await.unwrap();
    assert_eq!(witness.count("SELECT COUNT(*) FROM audit_events WHERE action = 'audit.witness_cosigned'").await, 1);

    // A later checkpoint goes with a consistency proof from the first.
    log.store()
        .append_audit(
            custodian_store::Actor::system().at(log.state.now()),
            vec![custodian_store::AuditEntry::new("device.allocate", "device:late")],
        )
        .await
        .unwrap();
    let second = p.checkpoint_and_publish(&log.state).await.unwrap().expect("a second checkpoint");
    let lines = log.store().cosignatures(second.size).await.unwrap();
    assert!(cosignature_checks_out(&lines[0], body_of(&second.note), &witness_key.verifying_key()));
    assert_eq!(
        witness.count("SELECT size FROM witness_logs").await,
        second.size as i64,
        "the witness keeps the latest size it cosigned"
    );

    // What the witness refuses, as the protocol says.
    let third = {
        log.store()
            .append_audit(
                custodian_store::Actor::system().at(log.state.now()),
                vec![custodian_store::AuditEntry::new("device.allocate", "device:later")],
            )
            .await
            .unwrap();
        custodian_server::ops::checkpoint_signed(&log.state).await.unwrap().unwrap()
    };
    let ask = |old: u64, proof: Vec<[u8; 32]>, note: &str| {
        AddCheckpoint { old_size: old, proof, note: note.into() }.to_body()
    };
    // An old size that is not the witness's: 409 with its size.
    let (s, ct, body) = post_witness(&witness.base, ask(0, vec![], &third.note)).await;
    assert_eq!((s, ct.as_str(), body.clone()), (409, "text/x.tlog.size", format!("{}\n", second.size)));
    // A proof that does not verify: 422, and nothing moves.
    let (s, _, _) = post_witness(&witness.base, ask(second.size, vec![[9; 32]; 3], &third.note)).await;
    assert_eq!(s, 422);
    // Another key's signature: 403. An unknown log: 404. An old size past the checkpoint: 400.
    let stranger = custodian_domain::audit::Checkpoint::parse_body(body_of(&third.note))
        .unwrap()
        .sign(&log_key.key_name, &ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng));
    assert_eq!(post_witness(&witness.base, ask(second.size, vec![], &stranger)).await.0, 403);
    let elsewhere = custodian_domain::audit::Checkpoint::new("another.example/log", third.size, [1; 32])
        .unwrap()
        .sign("another.example/log", &ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng));
    assert_eq!(post_witness(&witness.base, ask(0, vec![], &elsewhere)).await.0, 404);
    assert_eq!(post_witness(&witness.base, ask(third.size + 1, vec![], &third.note)).await.0, 400);
    assert_eq!(post_witness(&witness.base, "old x\n\n".into()).await.0, 400);
    // The same size with another root (a second history): 409.
    let forked = custodian_domain::audit::Checkpoint::new(log_key.origin.clone(), second.size, [3; 32])
        .unwrap()
        .sign(&log_key.key_name, log.state.audit_key());
    assert_eq!(post_witness(&witness.base, ask(second.size, vec![], &forked)).await.0, 409);
    assert_eq!(witness.count("SELECT size FROM witness_logs").await, second.size as i64);
    // With the right proof, the third is cosigned.
    let proof: Vec<[u8; 32]> = log
        .store()
        .audit_consistency(second.size, Some(third.size))
        .await
        .unwrap()
        .proof
        .iter()
        .map(|h| hex::decode(h).unwrap().try_into().unwrap())
        .collect();
    let (s, _, line) = post_witness(&witness.base, ask(second.size, proof, &third.note)).await;
    assert_eq!(s, 200, "{line}");
    assert!(cosignature_checks_out(&line, body_of(&third.note), &witness_key.verifying_key()), "{line}");
    assert_eq!(witness.count("SELECT COUNT(*) FROM audit_events WHERE action = 'audit.witness_cosigned'").await, 3);
    let _ = std::fs::remove_dir_all(&sink);
    witness.stop().await;
    log.stop().await;
}
on_both!(a_witness_cosigns_checkpoints_that_extend_what_it_saw);
