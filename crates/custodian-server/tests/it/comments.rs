//! Public comments on the force's channels (WP034 6.7, 8.2): intake by file and by the signed
//! webhook (stored once, triaged at intake, refused naming the field), and the evidence kept
//! before any action, with its printable pack per comment and per author.
//!
//! Kwame Mensah (A1016) manages Response Policing North, which runs facebook WarksNorth.
//! Corporate Communications: Priya Raman (A1003). Niamh Doherty (A1012) is in Professional
//! Standards; Megan Ashworth (A1019) is in the Resolution Centre.

use serde_json::{Value, json};
use sha2::Digest;

use crate::on_both;
use crate::support::{Backend, TestApp, spawn_with};
use custodian_store::Actor;

const SECRET: &str = "orlo-test-secret";

async fn app_with_account(b: Backend) -> TestApp {
    let app = spawn_with(b, |s| {
        s.comment_sources.insert("orlo".into(), SECRET.into());
    })
    .await;
    app.seed().await;
    add_account(&app).await;
    app
}

/// The register's Facebook account WarksNorth (Response Policing North, managed by A1016; A1017
/// authorised), imported as the command line does.
pub(crate) async fn add_account(app: &TestApp) {
    let csv = "platform,handle,url,team,team_manager,kind,profile,authorised_users\n\
               facebook,WarksNorth,https://facebook.com/WarksNorth,Response Policing North,A1016,departmental,Emergencies 999; report crime on 101,A1017\n";
    custodian_server::social_accounts::import(
        app.store(),
        &Actor::cli(),
        time::OffsetDateTime::now_utc(),
        csv.as_bytes(),
    )
    .await
    .unwrap();
}

/// A public comment on WarksNorth's post p-100.
pub(crate) fn comment(id: &str, text: &str) -> Value {
    json!({"id": id, "platform": "facebook", "account": "WarksNorth", "post": "p-100", "author": "fb-777",
           "author_name": "Dave Example", "url": format!("https://facebook.com/WarksNorth/posts/p-100?c={id}"),
           "text": text, "created_at": "2026-12-04T09:30:00Z"})
}

/// Comments as the intake file holds them, one JSON object a line.
pub(crate) fn jsonl(items: &[Value]) -> Vec<u8> {
    items.iter().map(|v| format!("{v}\n")).collect::<String>().into_bytes()
}

async fn import(
    app: &TestApp,
    items: &[Value],
) -> Result<custodian_store::comments::IntakeSummary, custodian_server::error::AppError> {
    custodian_server::comments::import(app.store(), &Actor::cli(), time::OffsetDateTime::now_utc(), &jsonl(items)).await
}

async fn the_import_triages_stores_once_keeps_evidence_and_names_bad_lines(b: Backend) {
    let app = app_with_account(b).await;
    let abuse = "PC Smith is a useless fat pr*ck";
    let question = "What time does the front counter at Leamington open on Saturdays?";
    let plain = "Thanks for the update, stay safe out there";

    // Bad lines are named with their line and field; nothing is stored.
    let mut missing = comment("c-9", "hello");
    missing.as_object_mut().unwrap().remove("author");
    let mut unknown = comment("c-10", "hello");
    unknown["account"] = json!("SomeoneElse");
    let long = comment("c-11", &"a".repeat(10_001));
    let e = import(&app, &[comment("c-1", abuse), missing.clone(), long]).await.unwrap_err();
    let p = crate::support::refused_rows(e);
    assert!(p.contains(&(Some(2), Some("author".into()), "is missing".into())), "{p:?}");
    assert!(p.iter().any(|(l, f, m)| *l == Some(3) && f.as_deref() == Some("text") && m.contains("10001")), "{p:?}");
    let e = import(&app, &[comment("c-1", abuse), unknown]).await.unwrap_err();
    let p = crate::support::refused_rows(e);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!((p[0].0, p[0].1.as_deref()), (Some(2), Some("account")), "{p:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM comments").await, 0);

    // A good file: each comment stored with its labels and the pack's version.
    let s = import(&app, &[comment("c-1", abuse), comment("c-2", question), comment("c-3", plain)]).await.unwrap();
    assert_eq!((s.lines, s.stored, s.duplicates), (3, 3, 0), "{s:?}");
    let engine = custodian_server::comments::engine().unwrap();
    let expect_labelled = [abuse, question, plain].iter().filter(|t| !engine.triage(t).labels.is_empty()).count();
    assert_eq!(s.labelled, expect_labelled);
    assert!(s.labelled >= 2, "the pack's own examples are labelled: {s:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM comments").await, 3);
    let stored_labels = app.count("SELECT COUNT(*) FROM comment_labels").await;
    let expected_labels: usize = [abuse, question, plain].iter().map(|t| engine.triage(t).labels.len()).sum();
    assert_eq!(stored_labels as usize, expected_labels);
    assert_eq!(app.count("SELECT COUNT(*) FROM comment_labels WHERE label = 'abuse_staff'").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM comment_labels WHERE label = 'question'").await, 1);
    // Evidence was kept for each labelled comment, with its audit event, at intake.
    assert_eq!(app.count("SELECT COUNT(*) FROM comment_evidence").await, s.labelled as i64);
    let kept = app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'comment.evidence_kept'").await;
    assert_eq!(kept as usize, s.labelled);

    // The same file again: stored once.
    let s = import(&app, &[comment("c-1", abuse), comment("c-2", question), comment("c-3", plain)]).await.unwrap();
    assert_eq!((s.stored, s.duplicates), (0, 3), "{s:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM comments").await, 3);
    assert_eq!(app.count("SELECT COUNT(*) FROM comment_evidence").await, expect_labelled as i64);
    app.stop().await;
}
on_both!(the_import_triages_stores_once_keeps_evidence_and_names_bad_lines);

fn sign(secret: &str, ts: &str, body: &str) -> String {
    use hmac::Mac;
    let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    m.update(format!("{ts}.{body}").as_bytes());
    format!("sha256={}", hex::encode(m.finalize().into_bytes()))
}

async fn deliver(app: &TestApp, source: &str, secret: &str, ts: i64, body: &str) -> (u16, Value) {
    let ts = ts.to_string();
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/comments", app.base))
        .header("content-type", "application/json")
        .header("x-custodian-source", source)
        .header("x-custodian-timestamp", &ts)
        .header("x-custodian-signature", sign(secret, &ts, body))
        .body(body.to_string());
    crate::support::status_and_json(r).await
}

async fn the_webhook_takes_signed_comments_once_and_refuses_forgeries_and_replays(b: Backend) {
    let app = app_with_account(b).await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let body = comment("w-1", "PC Smith is a useless fat pr*ck").to_string();

    // Wrong secret, unknown source, a stale timestamp, no signature: refused, nothing stored.
    assert_eq!(deliver(&app, "orlo", "not-the-secret", now, &body).await.0, 403);
    assert_eq!(deliver(&app, "hootsuite", SECRET, now, &body).await.0, 403);
    let (s, p) = deliver(&app, "orlo", SECRET, now - 3600, &body).await;
    assert_eq!(s, 403, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("window"), "{p}");
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/comments", app.base))
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    // A body changed after signing.
    let ts = now.to_string();
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/comments", app.base))
        .header("x-custodian-source", "orlo")
        .header("x-custodian-timestamp", &ts)
        .header("x-custodian-signature", sign(SECRET, &ts, &body))
        .body(body.replace("useless", "helpful"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(app.count("SELECT COUNT(*) FROM comments").await, 0);

    // Signed: stored, triaged, evidence kept.
    let (s, r) = deliver(&app, "orlo", SECRET, now, &body).await;
    assert_eq!(s, 201, "{r}");
    assert!(r["labels"].as_array().unwrap().iter().any(|l| l["label"] == "abuse_staff"), "{r}");
    assert_eq!(r["evidence_kept"], true);
    let id = r["id"].as_str().unwrap().to_string();
    // The same delivery again, or the same comment re-sent later: refused by id, stored once.
    let (s, p) = deliver(&app, "orlo", SECRET, now, &body).await;
    assert_eq!(s, 409, "{p}");
    let (s, _) = deliver(&app, "orlo", SECRET, now + 5, &body).await;
    assert_eq!(s, 409);
    assert_eq!(app.count("SELECT COUNT(*) FROM comments").await, 1);
    let received = app.store().audit_page(Some(&format!("comment:{id}")), None, 1, 50).await.unwrap().items;
    assert!(received.iter().any(|e| e.action == "comment.received" && e.actor == "source:orlo"), "{received:?}");

    // Bad fields are named as JSON pointers.
    let mut missing = comment("w-2", "hello");
    missing.as_object_mut().unwrap().remove("created_at");
    let (s, p) = deliver(&app, "orlo", SECRET, now, &missing.to_string()).await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "/created_at", "{p}");
    let (s, p) = deliver(&app, "orlo", SECRET, now, &comment("w-3", &"x".repeat(10_001)).to_string()).await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "/text", "{p}");
    let mut unknown = comment("w-4", "hello");
    unknown["account"] = json!("NotInTheRegister");
    let (s, p) = deliver(&app, "orlo", SECRET, now, &unknown.to_string()).await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "/account", "{p}");
    assert_eq!(app.count("SELECT COUNT(*) FROM comments").await, 1);
    app.stop().await;
}
on_both!(the_webhook_takes_signed_comments_once_and_refuses_forgeries_and_replays);

async fn the_webhook_keeps_the_registers_names_until_another_process_changes_the_register(b: Backend) {
    // WP034 8.2: abuse of an identifiable officer goes to their line manager. The webhook keeps
    // the register's names between comments and rebuilds them only when the register's
    // signature in the database changes, so a person added by the CLI or another server is
    // matched by the next comment.
    let app = app_with_account(b).await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let abuse = |r: &Value| r["labels"].as_array().unwrap().iter().any(|l| l["label"] == "abuse_staff");
    let (s, r) =
        deliver(&app, "orlo", SECRET, now, &comment("k-1", "Fenwick is a useless fat pr*ck").to_string()).await;
    assert_eq!(s, 201, "{r}");
    assert!(abuse(&r), "{r}");
    assert_eq!(app.state.comment_staff().loads(), 1);
    // Nothing changed in the register: the cached names are used.
    for (id, text) in [("k-2", "Thanks for the update, stay safe"), ("k-3", "Fenwick is a spineless clown")] {
        let (s, r) = deliver(&app, "orlo", SECRET, now, &comment(id, text).to_string()).await;
        assert_eq!(s, 201, "{r}");
    }
    assert_eq!(app.state.comment_staff().loads(), 1, "the register did not change: no rebuild");

    // Another process adds an officer (the store directly, not this server's cache).
    let people = "staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n\
                  A1021,Tom Grint,tom.grint@warwickshire.police.example,officer,Response Policing North,A1016,,active,\n";
    custodian_server::imports::import_people(
        app.store(),
        &Actor::system(),
        time::OffsetDateTime::now_utc(),
        people.as_bytes(),
        false,
    )
    .await
    .unwrap();
    let (s, r) = deliver(
        &app,
        "orlo",
        SECRET,
        now,
        &comment("k-4", "grint is a coward with a badge, proper little bully").to_string(),
    )
    .await;
    assert_eq!(s, 201, "{r}");
    assert!(abuse(&r), "the officer added after the first triage is matched: {r}");
    assert_eq!(app.state.comment_staff().loads(), 2);
    let (s, _) = deliver(&app, "orlo", SECRET, now, &comment("k-5", "Lovely photo of the team").to_string()).await;
    assert_eq!(s, 201);
    assert_eq!(app.state.comment_staff().loads(), 2);
    app.stop().await;
}
on_both!(the_webhook_keeps_the_registers_names_until_another_process_changes_the_register);

async fn the_evidence_pack_holds_the_hashed_record_for_corporate_communications_only(b: Backend) {
    let app = app_with_account(b).await;
    let abuse = "PC Smith is a useless fat pr*ck";
    let plain = "Thanks for the update, stay safe out there";
    import(&app, &[comment("e-1", abuse), comment("e-2", plain)]).await.unwrap();
    let engine = custodian_server::comments::engine().unwrap();
    assert!(engine.triage(plain).labels.is_empty(), "the plain comment must carry no label for this test");
    let ids: Vec<(String, String)> = {
        let rows = app.store().comments(&custodian_store::comments::CommentFilter::default()).await.unwrap();
        rows.iter().map(|c| (c.external_id.clone(), c.id.to_string())).collect()
    };
    let id_of = |ext: &str| ids.iter().find(|(e, _)| e == ext).unwrap().1.clone();
    let (abuse_id, plain_id) = (id_of("e-1"), id_of("e-2"));

    let [priya, niamh, megan] = app.apis(["A1003", "A1012", "A1019"]).await;
    // Refused, and nothing shown.
    for other in [&niamh, &megan] {
        let (s, body) = other.get(&format!("/comments/{abuse_id}/evidence")).await;
        assert_eq!(s, 403, "{body}");
        assert!(body["evidence"].is_null() && body["comment"].is_null(), "{body}");
    }

    let (s, pack) = priya.get(&format!("/comments/{abuse_id}/evidence")).await;
    assert_eq!(s, 200, "{pack}");
    let record = pack["evidence"]["record"].as_str().unwrap();
    // The hash is the SHA-256 of the record exactly as stored; the record holds what 8.2 needs.
    assert_eq!(pack["evidence"]["sha256"].as_str().unwrap(), hex::encode(sha2::Sha256::digest(record.as_bytes())));
    assert_eq!(pack["evidence"]["intact"], true);
    let r: Value = serde_json::from_str(record).unwrap();
    assert_eq!(r["text"], abuse);
    assert_eq!(r["author"], "fb-777");
    assert_eq!(r["author_name"], "Dave Example");
    assert_eq!(r["url"], "https://facebook.com/WarksNorth/posts/p-100?c=e-1");
    assert_eq!(r["posted_at"], "2026-12-04T09:30:00Z");
    assert!(r["received_at"].as_str().unwrap().starts_with("20"), "{r}");
    assert!(r["labels"].as_array().unwrap().iter().any(|l| l["label"] == "abuse_staff"), "{r}");
    // Canonical: the record re-encoded in key order is the same bytes.
    assert_eq!(serde_json::to_string(&r).unwrap(), record);
    // Viewing it is logged.
    let views = app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'comment.evidence_viewed'").await;
    assert_eq!(views, 1);

    // A tampered record no longer matches its hash, and the pack says so.
    app.sql(&format!(
        "UPDATE comment_evidence SET record = REPLACE(record, 'useless', 'helpful') WHERE sha256 = '{}'",
        pack["evidence"]["sha256"].as_str().unwrap()
    ))
    .await;
    let (_, tampered) = priya.get(&format!("/comments/{abuse_id}/evidence")).await;
    assert_eq!(tampered["evidence"]["intact"], false, "{tampered}");

    // The unlabelled comment has none until Corporate Communications keep it, once.
    let (_, p) = priya.get(&format!("/comments/{plain_id}/evidence")).await;
    assert!(p["evidence"].is_null(), "{p}");
    let cc = app.sign_in("priya.raman@warwickshire.police.example").await;
    let psd = app.sign_in("niamh.doherty@warwickshire.police.example").await;
    let refused = psd.post(&format!("/comments/{plain_id}/evidence"), &[]).await.0;
    assert!(refused == 403 || refused == 404, "{refused}");
    assert_eq!(app.count("SELECT COUNT(*) FROM comment_evidence").await, 1);
    let page = cc.get_ok(&format!("/comments/{plain_id}")).await;
    assert!(page.contains("keep-evidence"), "{page}");
    cc.post(&format!("/comments/{plain_id}/evidence"), &[]).await;
    cc.post(&format!("/comments/{plain_id}/evidence"), &[]).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM comment_evidence").await, 2);
    let (_, page) = cc.get(&format!("/comments/{plain_id}")).await;
    assert!(page.contains("id=\"evidence\"") && !page.contains("keep-evidence"), "{page}");

    // The pages: the list of labelled comments, the pack per author (HTML and JSON).
    let list = cc.get_ok("/comments").await;
    assert!(list.contains("useless fat") && !list.contains("stay safe out there"), "only labelled comments: {list}");
    assert_eq!(psd.get("/comments").await.0, 403);
    let author = cc.get_ok("/comments/authors/facebook/fb-777").await;
    assert!(author.contains("useless fat") && author.contains("stay safe out there"), "{author}");
    let (s, a) = priya.get("/comments/authors/facebook/fb-777/evidence").await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(a["comments"].as_array().unwrap().len(), 2, "{a}");
    assert_eq!(priya.get("/comments/authors/facebook/nobody/evidence").await.0, 404);
    assert_eq!(priya.get("/comments/authors/myspace/fb-777/evidence").await.0, 422);
    app.stop().await;
}
on_both!(the_evidence_pack_holds_the_hashed_record_for_corporate_communications_only);
